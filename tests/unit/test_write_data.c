/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .sav, .dta and .xlsx writers of a dataset: a dataset built here is
 * written into memory and read back with brisk's own reader, so every
 * value, label, code and tag that should survive is asserted.  (The
 * round trips of the files in tests/data, checked against haven, are
 * tests/cli/import_write.sh.) */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "brisk.h"

typedef struct notices {
    int count;
    char last[512];
    char variable[64];
} notices;

static void collect(void *ctx, const char *variable, const char *message)
{
    notices *n = ctx;
    n->count++;
    snprintf(n->last, sizeof n->last, "%s", message);
    snprintf(n->variable, sizeof n->variable, "%s", variable ? variable : "");
}

/* Five respondents: trust 1..5 with labels, 99 user-missing ("Refused"),
 * a tag .b; a score with decimals; a text column with labels. */
static brisk_dataset *sample(void)
{
    brisk_dataset *ds = brisk_dataset_new(5);
    brisk_error err;
    size_t t, s, c;
    assert_int_equal(brisk_dataset_add_column(ds, "trust", BRISK_NUMERIC, &t, &err), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "score", BRISK_NUMERIC, &s, &err), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "city", BRISK_STRING, &c, &err), BRISK_OK);
    brisk_column *trust = &ds->cols[t], *score = &ds->cols[s], *city = &ds->cols[c];
    trust->label = strdup("Trust in the city government");
    trust->measure = BRISK_MEASURE_ORDINAL;
    trust->format = strdup("F8.0");
    assert_int_equal(brisk_column_add_label(trust, 1, NULL, "Not at all"), BRISK_OK);
    assert_int_equal(brisk_column_add_label(trust, 5, NULL, "Completely"), BRISK_OK);
    assert_int_equal(brisk_column_add_label(trust, 99, NULL, "Refused"), BRISK_OK);
    assert_int_equal(brisk_column_add_label(trust, NAN, NULL, ".b: Don't know"), BRISK_OK);
    assert_int_equal(brisk_column_add_missing_range(trust, 99, 99), BRISK_OK);
    brisk_column_set_number(trust, 0, 4);
    brisk_column_set_missing(trust, 1, BRISK_MISS_USER);   /* was 99 */
    brisk_column_set_number(trust, 2, 1);
    brisk_column_set_missing(trust, 3, BRISK_MISS_TAGGED + 1);   /* .b */
    brisk_column_set_missing(trust, 4, BRISK_MISS_SYSTEM);
    const double scores[] = {3.625, -2.375, 1e-7, 4125.875, 0.1};
    for (size_t i = 0; i < 5; i++)
        brisk_column_set_number(score, i, scores[i]);
    const char *cities[] = {"Rongcheng", "荣成", "", "Zürich", "Weihai"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(brisk_column_set_string(city, i, cities[i]), BRISK_OK);
    assert_int_equal(brisk_column_add_label(city, 0, "Weihai", "Weihai city"), BRISK_OK);
    free(ds->file_label);
    ds->file_label = strdup("brisk writer test");
    return ds;
}

/* Write ds in format, read it back. */
static brisk_dataset *round_trip(const brisk_dataset *ds, brisk_format format, notices *n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status st = brisk_write_dataset_stat(f, ds, format, collect, n, &err);
    if (st != BRISK_OK)
        fail_msg("write: %s", err.message);
    fclose(f);
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, buf, size, "<memory>"), BRISK_OK);
    brisk_read_options opt = {.format = format};
    brisk_dataset *back = NULL;
    st = brisk_read_stat(&io, &opt, &back, &err);
    if (st != BRISK_OK)
        fail_msg("read back: %s", err.message);
    brisk_io_close(&io);
    free(buf);
    return back;
}

static void test_sav_keeps_everything_spss_has(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    notices n = {0};
    brisk_dataset *back = round_trip(ds, BRISK_FORMAT_SAV, &n);
    assert_int_equal(back->nrows, 5);
    assert_int_equal(back->ncols, 3);
    assert_string_equal(back->file_label, "brisk writer test");
    brisk_column *trust = brisk_dataset_find(back, "trust");
    assert_non_null(trust);
    assert_string_equal(trust->label, "Trust in the city government");
    assert_int_equal(trust->measure, BRISK_MEASURE_ORDINAL);
    assert_string_equal(trust->format, "F8.0");
    assert_int_equal(trust->n_missing_ranges, 1);
    assert_true(trust->missing_ranges[0].lo == 99 && trust->missing_ranges[0].hi == 99);
    assert_true(trust->num[0] == 4 && trust->num[2] == 1);
    assert_int_equal(trust->miss[1], BRISK_MISS_USER);     /* 99 written, read as user-missing */
    assert_int_equal(trust->miss[3], BRISK_MISS_SYSTEM);   /* SPSS has no .b */
    assert_int_equal(trust->miss[4], BRISK_MISS_SYSTEM);
    assert_int_equal(trust->n_labels, 3);                  /* .b's label cannot go */
    assert_string_equal(brisk_column_label_of(trust, 99), "Refused");
    assert_true(brisk_value_label_is_missing(trust, &trust->labels[2]));
    /* the tag's loss is told, naming the variable */
    assert_int_equal(n.count, 2);
    assert_string_equal(n.variable, "trust");
    assert_non_null(strstr(n.last, "1 tagged missing cell written as system missing"));
    brisk_column *score = brisk_dataset_find(back, "score");
    assert_true(score->num[0] == 3.625 && score->num[1] == -2.375 && score->num[2] == 1e-7 &&
                score->num[3] == 4125.875 && score->num[4] == 0.1);
    brisk_column *city = brisk_dataset_find(back, "city");
    assert_int_equal(city->type, BRISK_STRING);
    assert_string_equal(city->str[1], "荣成");
    assert_string_equal(city->str[2], "");
    assert_int_equal(city->miss[2], BRISK_MISS_NONE);   /* an empty text is a value */
    assert_string_equal(city->str[3], "Zürich");
    assert_int_equal(city->n_labels, 1);
    assert_string_equal(city->labels[0].string_value, "Weihai");
    assert_string_equal(city->labels[0].label, "Weihai city");
    brisk_dataset_free(back);
    brisk_dataset_free(ds);
}

/* Several user-missing codes (8 "don't know", 9 "refused", 99 "not
 * asked"; SPSS's most): each cell keeps which code it was through a write and a read,
 * as SPSS and haven keep them. */
static void test_sav_keeps_each_user_missing_code(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(6);
    brisk_error err;
    size_t j;
    assert_int_equal(brisk_dataset_add_column(ds, "x", BRISK_NUMERIC, &j, &err), BRISK_OK);
    brisk_column *x = &ds->cols[j];
    assert_int_equal(brisk_column_add_missing_range(x, 8, 8), BRISK_OK);
    assert_int_equal(brisk_column_add_missing_range(x, 9, 9), BRISK_OK);
    assert_int_equal(brisk_column_add_missing_range(x, 99, 99), BRISK_OK);
    const double codes[] = {1, 8, 9, 99, 2, NAN};
    for (size_t i = 0; i < 6; i++)
        if (i == 1 || i == 2 || i == 3)
            assert_int_equal(brisk_column_set_user_code(x, 6, i, codes[i]), BRISK_OK);
        else
            brisk_column_set_number(x, i, codes[i]);
    notices n = {0};
    brisk_dataset *back = round_trip(ds, BRISK_FORMAT_SAV, &n);
    brisk_column *y = brisk_dataset_find(back, "x");
    assert_int_equal(n.count, 0);   /* nothing lost, nothing told */
    assert_int_equal(y->n_missing_ranges, 3);
    assert_non_null(y->user_code);
    for (size_t i = 1; i <= 3; i++) {
        assert_int_equal(y->miss[i], BRISK_MISS_USER);
        assert_true(isnan(y->num[i]));
        assert_true(y->user_code[i] == codes[i]);
    }
    assert_true(y->num[0] == 1 && y->num[4] == 2);
    assert_int_equal(y->miss[5], BRISK_MISS_SYSTEM);
    /* a row filter keeps each kept row's code */
    bool keep[] = {false, false, true, true, true, true};
    assert_int_equal(brisk_dataset_keep_rows(back, keep, &err), BRISK_OK);
    assert_true(y->user_code[0] == 9 && y->user_code[1] == 99 && isnan(y->user_code[2]));
    /* a cell given a value forgets its code */
    brisk_column_set_number(y, 1, 4);
    assert_true(isnan(y->user_code[1]));
    brisk_dataset_free(back);
    brisk_dataset_free(ds);
}

static void test_dta_keeps_tags(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    notices n = {0};
    brisk_dataset *back = round_trip(ds, BRISK_FORMAT_DTA, &n);
    assert_string_equal(back->file_label, "brisk writer test");
    brisk_column *trust = brisk_dataset_find(back, "trust");
    assert_string_equal(trust->label, "Trust in the city government");
    assert_int_equal(trust->miss[3], BRISK_MISS_TAGGED + 1);   /* .b stays .b */
    assert_int_equal(trust->miss[1], BRISK_MISS_SYSTEM);       /* Stata has no codes */
    assert_int_equal(trust->n_missing_ranges, 0);
    assert_int_equal(trust->n_labels, 4);
    assert_string_equal(trust->labels[3].label, ".b: Don't know");
    assert_string_equal(brisk_column_label_of(trust, 5), "Completely");
    brisk_column *score = brisk_dataset_find(back, "score");
    assert_true(score->num[3] == 4125.875 && score->num[4] == 0.1);
    brisk_column *city = brisk_dataset_find(back, "city");
    assert_string_equal(city->str[1], "荣成");
    assert_int_equal(city->n_labels, 0);   /* Stata labels no text: told */
    assert_int_equal(n.count, 2);
    brisk_dataset_free(back);
    brisk_dataset_free(ds);
}

static void test_dta_fractional_label_is_told(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    brisk_column *score = brisk_dataset_find(ds, "score");
    assert_int_equal(brisk_column_add_label(score, 3.625, NULL, "three and five eighths"),
                     BRISK_OK);
    assert_int_equal(brisk_column_add_label(score, 4, NULL, "four"), BRISK_OK);
    notices n = {0};
    brisk_dataset *back = round_trip(ds, BRISK_FORMAT_DTA, &n);
    brisk_column *s = brisk_dataset_find(back, "score");
    assert_int_equal(s->n_labels, 1);
    assert_string_equal(s->labels[0].label, "four");
    assert_int_equal(n.count, 3);
    brisk_dataset_free(back);
    brisk_dataset_free(ds);
}

static void test_sav_long_value_label_is_cut_and_told(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    char label[151];
    memset(label, 'L', 150);
    label[150] = '\0';
    assert_int_equal(brisk_column_add_label(brisk_dataset_find(ds, "score"), 4, NULL, label),
                     BRISK_OK);
    notices n = {0};
    brisk_dataset *back = round_trip(ds, BRISK_FORMAT_SAV, &n);
    brisk_column *s = brisk_dataset_find(back, "score");
    assert_int_equal(s->n_labels, 1);
    assert_int_equal(strlen(s->labels[0].label), 120);
    assert_int_equal(n.count, 3);
    assert_string_equal(n.variable, "trust");   /* told last: the tag's cells */
    brisk_dataset_free(back);
    brisk_dataset_free(ds);
}

static void test_stata_names(void **state)
{
    (void)state;
    assert_null(brisk_stata_name_problem("trust_1"));
    assert_null(brisk_stata_name_problem("_private"));
    assert_null(brisk_stata_name_problem("abcdefghijabcdefghijabcdefghij12"));   /* 32 */
    assert_non_null(brisk_stata_name_problem("abcdefghijabcdefghijabcdefghij123"));
    assert_non_null(brisk_stata_name_problem("Sepal.Length"));
    assert_non_null(brisk_stata_name_problem("1st"));
    assert_non_null(brisk_stata_name_problem("城市"));
    assert_non_null(brisk_stata_name_problem(""));
    assert_non_null(brisk_stata_name_problem("_n"));
    assert_non_null(brisk_stata_name_problem("_se"));
    assert_null(brisk_stata_name_problem("_N2"));
    assert_non_null(brisk_stata_name_problem("str12"));
    assert_null(brisk_stata_name_problem("strength"));
    assert_non_null(strstr(brisk_stata_name_problem("double"), "reserved"));
}

static void test_write_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    brisk_error err;
    brisk_error_clear(&err);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        setvbuf(full, NULL, _IONBF, 0);
        assert_int_equal(brisk_write_dataset_stat(full, ds, BRISK_FORMAT_SAV, NULL, NULL, &err),
                         BRISK_ERR_WRITE);
        assert_non_null(strstr(err.message, "No space left on device"));
        fclose(full);
    }
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(brisk_write_dataset_stat(f, ds, BRISK_FORMAT_CSV, NULL, NULL, &err),
                     BRISK_ERR_ARGUMENT);
    free(ds->cols[1].name);
    ds->cols[1].name = strdup("score.1");
    assert_int_equal(brisk_write_dataset_stat(f, ds, BRISK_FORMAT_DTA, NULL, NULL, &err),
                     BRISK_ERR_VALUE);
    assert_string_equal(err.variable, "score.1");
    fclose(f);
    brisk_dataset_free(ds);
}

static void test_xlsx_limits(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(1);
    brisk_error err;
    for (size_t j = 0; j < 16385; j++) {
        char name[16];
        size_t k;
        snprintf(name, sizeof name, "v%zu", j);
        assert_int_equal(brisk_dataset_add_column(ds, name, BRISK_NUMERIC, &k, &err), BRISK_OK);
    }
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_dataset_xlsx("/nonexistent/never.xlsx", ds, false, &err),
                     BRISK_ERR_LIMIT);
    assert_non_null(strstr(err.message, "16385 columns"));
    brisk_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sav_keeps_everything_spss_has),
        cmocka_unit_test(test_sav_keeps_each_user_missing_code),
        cmocka_unit_test(test_dta_keeps_tags),
        cmocka_unit_test(test_dta_fractional_label_is_told),
        cmocka_unit_test(test_sav_long_value_label_is_cut_and_told),
        cmocka_unit_test(test_stata_names),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_xlsx_limits),
    };
    return cmocka_run_group_tests_name("write_data", tests, NULL, NULL);
}
