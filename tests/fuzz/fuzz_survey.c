/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the .survey parser (lib/survey/survey.c) and what a
 * survey does to its data (lib/survey/apply.c, brisk describe).
 *
 * The input is a survey file, optionally followed by a line "#@data" and
 * the data file it names (FUZZ_SEPARATOR).  The survey is parsed from
 * memory as if it were <tmp>/fuzz.survey.  brisk_survey_read_data only
 * takes the survey's resolved data path, so the data part is written to a
 * temporary file under the harness's private folder (fuzz_tmpdir) with
 * the name the survey gives, and removed after each input; a survey
 * naming a file outside that folder (an absolute path, "..", a device) is
 * parsed but its data is not read.  With data, every behaviour's model is
 * expanded and parsed, simulate's population text is expanded, and the
 * items are described (tables written to /dev/null). */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/survey.h"
#include "brisk/syntax.h"
#include "brisk/table.h"
#include "fuzz.h"

/* The data path when it names a file directly inside dir, else NULL. */
static const char *data_file_in(const brisk_survey *s, const char *dir)
{
    size_t n = strlen(dir);
    const char *path = s->data_path;
    if (!path || strncmp(path, dir, n) != 0 || path[n] != '/')
        return NULL;
    const char *name = path + n + 1;
    if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strcmp(name, "fuzz.survey") == 0 || strlen(name) > 200)
        return NULL;
    return path;
}

static void use_data(const brisk_survey *s, const char *path, const uint8_t *data, size_t size)
{
    if (!fuzz_write_file(path, data, size)) {
        remove(path);
        return;
    }
    brisk_survey_data *sd = NULL;
    brisk_error err;
    brisk_status st = brisk_survey_read_data(s, &sd, &err);
    remove(path);
    if (st != BRISK_OK)
        return;
    for (size_t b = 0; b < brisk_survey_nblocks(s); b++) {
        char *text = brisk_survey_model_text(s, b);
        brisk_syntax *syntax = NULL;
        if (text && brisk_syntax_parse(text, s->path, s->model_line, &syntax, &err) == BRISK_OK)
            brisk_syntax_free(syntax);
        free(text);
    }
    if (s->model)
        free(brisk_survey_population_text(s, s->model, "population.lav", &err));
    brisk_table_list *tables = brisk_table_list_new();
    if (tables && brisk_describe(sd, tables, &err) == BRISK_OK)
        brisk_write_tables(fuzz_null(), BRISK_OUT_TEXT, tables, &err);
    brisk_table_list_free(tables);
    brisk_survey_data_free(sd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_tmpdir();
    if (!dir)
        return 0;
    const uint8_t *text, *rest;
    size_t text_len, rest_len;
    fuzz_split(data, size, &text, &text_len, &rest, &rest_len);
    char path[4200];
    snprintf(path, sizeof path, "%s/fuzz.survey", dir);
    brisk_survey *s = NULL;
    brisk_error err;
    if (brisk_survey_parse((const char *)text, text_len, path, &s, &err) != BRISK_OK)
        return 0;
    const char *data_path = data_file_in(s, dir);
    if (data_path)
        use_data(s, data_path, rest, rest_len);
    brisk_survey_free(s);
    return 0;
}
