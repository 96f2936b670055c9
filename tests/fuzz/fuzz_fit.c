/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness, end to end: a small data set and a model fitted by
 * brisk_fit_text (lib/sem/fit_data.c: syntax, model, moments, the
 * estimators, fit measures, standardized values, ":="), then the fit's
 * tables, JSON and path diagram (lib/analysis/fit_tables.c, diagram.c).
 *
 * The input is
 *
 *     one byte of options, then the model text, a line "#@data", and a CSV
 *
 * The option byte: bits 0-1 the estimator (0 ML, 1 MLR, 2 WLSMV, 3 ML
 * with --missing fiml); bit 2 std.lv; bit 3 a mean structure; bits 4-5
 * the tables' format (0 CSV, 1 Markdown, 2 LaTeX, 3 text; the JSON
 * document and the path diagram are always written); bit 6 a multi-group
 * fit by the data's column "g"; bit 7 with estimator 1: MLM, not MLR.  The digits '0'..'9' are single-group
 * settings written as text, so seeds stay readable.  The CSV is read
 * from memory.  Outputs go to /dev/null.
 *
 * The ML searches (Fisher scoring, Newton, quasi-Newton, from several
 * starts on a Heywood case) run to their own iteration limits, and on
 * small degenerate data they use them all: a fit here gets a time limit
 * of 2 s (FIT_SECONDS, brisk_model_options.time_limit; the CLI's default
 * is 300 s), so that a stalled search ends as it would for a user, by
 * the limit, and the harness exercises that path too.  WLSMV's searches
 * are cheap and bounded by their iterations.  Data of more than 8 columns
 * or 60 rows is still skipped: the fuzzer's time is better spent on many
 * small fits; large inputs are the bad-input corpus's business. */
#include <config.h>
#include <stdlib.h>
#include "brisk/analysis.h"
#include "brisk/dataset.h"
#include "brisk/model.h"
#include "brisk/table.h"
#include "fuzz.h"

#define MAX_COLUMNS 8
#define MAX_ROWS 60
#define FIT_SECONDS 2.0

static void report(const brisk_fitted *fitted, brisk_output_format format)
{
    brisk_fit_result r = {.fit = fitted->fit, .fitted = fitted};
    brisk_error err;
    brisk_table_list *tables = brisk_table_list_new();
    if (tables && brisk_fit_tables(&r, 1, tables, &err) == BRISK_OK)
        brisk_write_tables(fuzz_null(), format, tables, &err);
    brisk_table_list_free(tables);
    brisk_write_fit_json(fuzz_null(), &r, 1, &err);
    brisk_write_fit_dot(fuzz_null(), fitted->fit, "fuzz.lav", NULL, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned options = data[0];
    const uint8_t *model, *csv;
    size_t model_len, csv_len;
    if (!fuzz_split(data + 1, size - 1, &model, &model_len, &csv, &csv_len))
        return 0;
    char *text = fuzz_text(model, model_len);
    if (!text)
        return 0;
    brisk_io io;
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_io_memory(&io, csv, csv_len, "fuzz.csv") != BRISK_OK)
        goto cleanup;
    brisk_status st = brisk_read_csv(&io, &(brisk_read_options){.format = BRISK_FORMAT_CSV},
                                     &ds, &err);
    brisk_io_close(&io);
    if (st != BRISK_OK || ds->ncols > MAX_COLUMNS || ds->nrows > MAX_ROWS)
        goto cleanup;
    static const brisk_estimator estimators[] = {BRISK_ESTIMATOR_ML, BRISK_ESTIMATOR_MLR,
                                                 BRISK_ESTIMATOR_WLSMV, BRISK_ESTIMATOR_ML};
    brisk_model_options opt = {.estimator = (options & 128) && (options & 3) == 1
                                                ? BRISK_ESTIMATOR_MLM
                                                : estimators[options & 3],
                               .fiml = (options & 3) == 3,
                               .std_lv = (options & 4) != 0,
                               .meanstructure = (options & 8) != 0,
                               .time_limit = FIT_SECONDS};
    brisk_fitted fitted;
    if (brisk_fit_text(text, "fuzz.lav", 1, ds, NULL, 0, options & 64 ? "g" : NULL, &opt,
                       &fitted, &err) == BRISK_OK) {
        static const brisk_output_format formats[] = {BRISK_OUT_CSV, BRISK_OUT_MD,
                                                      BRISK_OUT_TEX, BRISK_OUT_TEXT};
        report(&fitted, formats[(options >> 4) & 3]);
        brisk_fitted_free(&fitted);
    }
cleanup:
    brisk_dataset_free(ds);
    free(text);
    return 0;
}
