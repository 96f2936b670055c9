/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the reader of published matrices
 * (lib/sem/sample_matrix.c, `brisk fit --cov/--cor`) and, when the input
 * carries a model, the fit to it (moments, positive definiteness, ML) and
 * its tables.
 *
 * The input: one byte of options (bit 0 a correlation matrix, as --cor;
 * bit 1 N given outside the file, 50; bit 2 the SDs given outside, 1 to
 * 8, as many as bits 3-5 say plus one; bit 6 three means given outside),
 * the matrix file, then optionally a line #@data and a model.  The reader
 * gets the matrix with its length (NUL bytes and all, as from a file); a
 * model with a NUL byte is skipped, as the program refuses it.  A model is
 * fitted only to a matrix of at most 8 variables, and within 2 s
 * (brisk_model_options.time_limit, as fuzz_fit: a stalled search on a
 * degenerate matrix ends by the limit, as it would for a user). */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/io.h"
#include "brisk/model.h"
#include "brisk/table.h"
#include "fuzz.h"

static void fit(const brisk_sample_matrix *sm, const uint8_t *model, size_t size)
{
    char *text = fuzz_text(model, size);
    if (!text || sm->p > 8) {
        free(text);
        return;
    }
    brisk_fitted fitted;
    brisk_error err;
    brisk_model_options opt = {.time_limit = 2.0};
    if (brisk_fit_matrix_text(text, "fuzz.lav", 1, sm, &opt, &fitted, &err) == BRISK_OK) {
        brisk_table_list *tables = brisk_table_list_new();
        brisk_fit_result r = {.fit = fitted.fit, .fitted = &fitted};
        if (tables && brisk_fit_tables(&r, 1, tables, &err) == BRISK_OK)
            brisk_write_tables(fuzz_null(), BRISK_OUT_TEXT, tables, &err);
        brisk_table_list_free(tables);
        brisk_fitted_free(&fitted);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *matrix, *model;
    size_t matrix_len, model_len;
    bool has_model = fuzz_split(data + 1, size - 1, &matrix, &matrix_len, &model, &model_len);
    static const double sd[8] = {1, 2, 0.5, 3, 1.5, 4, 2.5, 0.25}, mean[3] = {0, 1, -2};
    brisk_sample_matrix_options opt = {
        .correlations = mode & 1,
        .n = mode & 2 ? 50 : 0,
        .sd = mode & 4 ? sd : NULL,
        .nsd = mode & 4 ? (size_t)((mode >> 3) & 7) + 1 : 0,
        .mean = mode & 64 ? mean : NULL,
        .nmean = mode & 64 ? 3 : 0,
    };
    brisk_io io;
    brisk_sample_matrix sm;
    brisk_error err;
    if (brisk_io_memory(&io, matrix, matrix_len, "fuzz.cov") != BRISK_OK)
        return 0;
    brisk_status st = brisk_sample_matrix_read(&io, &opt, &sm, &err);
    brisk_io_close(&io);
    if (st != BRISK_OK)
        return 0;
    if (has_model)
        fit(&sm, model, model_len);
    brisk_sample_matrix_free(&sm);
    return 0;
}
