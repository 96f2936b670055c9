/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ReadStat reader (SPSS, Stata, SAS) and the choice of reader by file
 * name.  Every file read here is in tests/data, whose README says where
 * each comes from and which facts below were checked against R's haven
 * and foreign. */
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

#define DATA_DIR TEST_SRCDIR "/tests/data/"

/* ------------------------------------------------------------ helpers */

#define assert_close(actual, expected, tol)                                        \
    do {                                                                           \
        double a_ = (actual), e_ = (expected);                                     \
        if (!(fabs(a_ - e_) <= (tol)))                                             \
            fail_msg("%s is %.17g, expected %.17g", #actual, a_, e_);              \
    } while (0)

static brisk_dataset *read_data(const char *name, const brisk_read_options *opt)
{
    char path[1024];
    snprintf(path, sizeof path, DATA_DIR "%s", name);
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_status st = brisk_read_file(path, opt, &ds, &err);
    if (st != BRISK_OK)
        fail_msg("%s: %s (%s)", name, err.message, brisk_strerror(st));
    assert_non_null(ds);
    return ds;
}

static unsigned char *load_bytes(const char *name, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof path, DATA_DIR "%s", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

/* Parse a buffer through brisk_io_memory under the given name. */
static brisk_status read_memory(const void *data, size_t size, const char *name,
                                const brisk_read_options *opt, brisk_dataset **ds,
                                brisk_error *err)
{
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, data, size, name), BRISK_OK);
    brisk_status st = brisk_read_stat(&io, opt, ds, err);
    brisk_io_close(&io);
    return st;
}

static brisk_column *column(const brisk_dataset *ds, const char *name)
{
    brisk_column *c = brisk_dataset_find(ds, name);
    if (!c)
        fail_msg("no column '%s'", name);
    return c;
}

static void assert_missing_counts(const brisk_dataset *ds, const char *name, size_t sys,
                                  size_t user, size_t tagged)
{
    size_t counts[3];
    brisk_column_count_missing(column(ds, name), ds->nrows, counts);
    if (counts[0] != sys || counts[1] != user || counts[2] != tagged)
        fail_msg("%s: missing (system, user, tagged) = (%zu, %zu, %zu), expected (%zu, %zu, %zu)",
                 name, counts[0], counts[1], counts[2], sys, user, tagged);
}

static void assert_range(const brisk_column *c, size_t i, double lo, double hi)
{
    assert_true(i < c->n_missing_ranges);
    assert_close(c->missing_ranges[i].lo, lo, 0);
    assert_close(c->missing_ranges[i].hi, hi, 0);
}

static const char *string_label_of(const brisk_column *c, const char *value)
{
    for (size_t i = 0; i < c->n_labels; i++)
        if (c->labels[i].string_value && strcmp(c->labels[i].string_value, value) == 0)
            return c->labels[i].label;
    return NULL;
}

static bool message_has(const brisk_error *err, const char *fragment)
{
    if (strstr(err->message, fragment))
        return true;
    print_error("message \"%s\" lacks \"%s\"\n", err->message, fragment);
    return false;
}

/* ------------------------------------------------------------ formats by name */

static void test_format_from_name(void **state)
{
    (void)state;
    assert_int_equal(brisk_format_from_name("survey.csv"), BRISK_FORMAT_CSV);
    assert_int_equal(brisk_format_from_name("survey.TSV"), BRISK_FORMAT_CSV);
    assert_int_equal(brisk_format_from_name("a/b.txt"), BRISK_FORMAT_CSV);
    assert_int_equal(brisk_format_from_name("x.dat"), BRISK_FORMAT_CSV);
    assert_int_equal(brisk_format_from_name("wave1.sav"), BRISK_FORMAT_SAV);
    assert_int_equal(brisk_format_from_name("WAVE1.ZSAV"), BRISK_FORMAT_SAV);
    assert_int_equal(brisk_format_from_name("old.por"), BRISK_FORMAT_POR);
    assert_int_equal(brisk_format_from_name("stata.Dta"), BRISK_FORMAT_DTA);
    assert_int_equal(brisk_format_from_name("x.sas7bdat"), BRISK_FORMAT_SAS7BDAT);
    assert_int_equal(brisk_format_from_name("x.XPT"), BRISK_FORMAT_XPT);
    assert_int_equal(brisk_format_from_name("x.xport"), BRISK_FORMAT_XPT);
    assert_int_equal(brisk_format_from_name("x.xlsx"), BRISK_FORMAT_XLSX);
    assert_int_equal(brisk_format_from_name("x.xls"), BRISK_FORMAT_AUTO);
    assert_int_equal(brisk_format_from_name("sav"), BRISK_FORMAT_AUTO);
    assert_int_equal(brisk_format_from_name("x.sav.gz"), BRISK_FORMAT_AUTO);
    assert_int_equal(brisk_format_from_name(""), BRISK_FORMAT_AUTO);
    assert_int_equal(brisk_format_from_name(NULL), BRISK_FORMAT_AUTO);
}

static void test_format_name(void **state)
{
    (void)state;
    assert_string_equal(brisk_format_name(BRISK_FORMAT_CSV), "CSV");
    assert_string_equal(brisk_format_name(BRISK_FORMAT_SAV), "SPSS .sav");
    assert_string_equal(brisk_format_name(BRISK_FORMAT_DTA), "Stata .dta");
    assert_string_equal(brisk_format_name(BRISK_FORMAT_SAS7BDAT), "SAS .sas7bdat");
    assert_non_null(strstr(brisk_format_name(BRISK_FORMAT_POR), ".por"));
    assert_non_null(strstr(brisk_format_name(BRISK_FORMAT_XPT), ".xpt"));
    assert_string_equal(brisk_format_name((brisk_format)99), "unknown");
}

/* ------------------------------------------------------------ real files */

/* electric.sav from R's foreign package: the Western Electric study. */
static void test_electric_sav(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("electric.sav", NULL);
    assert_int_equal(ds->nrows, 240);
    assert_int_equal(ds->ncols, 13);
    assert_string_equal(ds->cols[0].name, "CASEID");
    assert_string_equal(ds->cols[12].name, "CHD");
    assert_non_null(strstr(ds->file_label, "SPSS/PC+"));
    assert_non_null(strstr(ds->source, "electric.sav"));

    brisk_column *caseid = column(ds, "CASEID");
    assert_string_equal(caseid->label, "CASE IDENTIFICATION NUMBER");
    assert_string_equal(caseid->format, "F4.0");
    assert_close(caseid->num[0], 13, 0);
    assert_close(caseid->num[99], 1790, 0);
    assert_close(caseid->num[239], 155, 0);

    brisk_column *ht = column(ds, "HT58");
    assert_string_equal(ht->label, "STATURE, 1958 -- TO NEAREST 0.1 INCH");
    assert_close(ht->num[0], 68.8, 1e-12);
    assert_close(ht->num[16], 60.9, 1e-12);
    assert_close(column(ds, "CHOL58")->num[99], 242, 0);

    /* EDUYR: 28 system-missing cells; row 5 is one. */
    assert_missing_counts(ds, "EDUYR", 28, 0, 0);
    assert_int_equal(column(ds, "EDUYR")->miss[4], BRISK_MISS_SYSTEM);
    assert_missing_counts(ds, "DBP58", 1, 0, 0);

    /* DAYOFWK: 9 is a user-missing code ("MISSING"), used 130 times. */
    brisk_column *day = column(ds, "DAYOFWK");
    assert_missing_counts(ds, "DAYOFWK", 0, 130, 0);
    assert_int_equal(day->n_missing_ranges, 1);
    assert_range(day, 0, 9, 9);
    assert_int_equal(day->miss[0], BRISK_MISS_USER);
    assert_true(isnan(day->num[0]));
    assert_close(day->num[1], 5, 0);
    assert_int_equal(day->n_labels, 8);
    assert_string_equal(brisk_column_label_of(day, 4), "WEDNSDAY");
    assert_string_equal(brisk_column_label_of(day, 9), "MISSING");

    brisk_column *chd = column(ds, "FIRSTCHD");
    assert_int_equal(chd->n_labels, 5);
    assert_string_equal(brisk_column_label_of(chd, 2), "SUDDEN  DEATH");
    assert_string_equal(brisk_column_label_of(chd, 6), "OTHER   CHD");
    assert_null(brisk_column_label_of(chd, 4));

    /* A string variable with string-valued labels. */
    brisk_column *fam = column(ds, "FAMHXCVR");
    assert_int_equal(fam->type, BRISK_STRING);
    assert_string_equal(fam->str[0], "Y");
    assert_string_equal(fam->str[1], "N");
    assert_string_equal(string_label_of(fam, "Y"), "YES");
    assert_string_equal(string_label_of(fam, "N"), "NO");
    size_t yes = 0;
    for (size_t i = 0; i < ds->nrows; i++)
        yes += strcmp(fam->str[i], "Y") == 0;
    assert_int_equal(yes, 62);
    brisk_dataset_free(ds);
}

/* testdata.sav from R's foreign package: SPSS's feature zoo. */
static void test_foreign_testdata_sav(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("foreign_testdata.sav", NULL);
    assert_int_equal(ds->nrows, 5);
    assert_int_equal(ds->ncols, 16);
    assert_null(ds->file_label);

    /* A user-missing range [1, 2] and a long variable label. */
    brisk_column *nl = column(ds, "numeric_long_label");
    assert_non_null(strstr(nl->label, "All values between 1 and 2 are also declared as missing"));
    assert_int_equal(nl->measure, BRISK_MEASURE_SCALE);
    assert_int_equal(nl->n_missing_ranges, 1);
    assert_range(nl, 0, 1, 2);
    assert_missing_counts(ds, "numeric_long_label", 1, 2, 0);
    assert_close(nl->num[2], 3.33333, 1e-12);

    brisk_column *fn = column(ds, "factor_numeric");
    assert_int_equal(fn->measure, BRISK_MEASURE_ORDINAL);
    assert_range(fn, 0, -1, 0);
    assert_int_equal(fn->miss[3], BRISK_MISS_USER);
    assert_int_equal(fn->miss[4], BRISK_MISS_SYSTEM);
    assert_string_equal(brisk_column_label_of(fn, 3), "neither agree nor disagree");

    brisk_column *coded = column(ds, "factor_n_coded_miss");
    assert_int_equal(coded->measure, BRISK_MEASURE_NOMINAL);
    assert_range(coded, 0, 99, 99);
    assert_int_equal(coded->miss[2], BRISK_MISS_USER);
    assert_string_equal(brisk_column_label_of(coded, 99), "no answer");

    /* A 120-byte value label with the euro sign, converted to UTF-8. */
    const char *longest = brisk_column_label_of(column(ds, "factor_n_long_value_label"), 2);
    assert_non_null(longest);
    assert_non_null(strstr(longest, "{ | } ~ \xe2\x82\xac"));

    /* Strings: user-missing string codes, UTF-8 text, empty but valid. */
    brisk_column *sm = column(ds, "string_miss");
    assert_int_equal(sm->type, BRISK_STRING);
    assert_int_equal(sm->miss[0], BRISK_MISS_USER);   /* "a" */
    assert_string_equal(sm->str[0], "");
    assert_string_equal(sm->str[1], "c");
    assert_int_equal(sm->miss[4], BRISK_MISS_NONE);   /* "" is a value */
    assert_missing_counts(ds, "string_miss", 0, 2, 0);
    brisk_column *sc = column(ds, "factor_s_coded_miss");
    assert_int_equal(sc->miss[4], BRISK_MISS_USER);   /* "u" */
    assert_string_equal(string_label_of(sc, "u"), "unknown");
    assert_string_equal(column(ds, "factor_s_duplicated")->str[1], "\xc3\xb6");
    assert_string_equal(column(ds, "factor_s_undeclared")->str[2], "perhaps");

    /* Very long strings (A500) come back whole. */
    brisk_column *s500 = column(ds, "string_500");
    assert_int_equal(strlen(s500->str[0]), 493);   /* trailing blanks trimmed */
    assert_int_equal(strncmp(s500->str[0], "A wonderful serenity", 20), 0);
    assert_string_equal(s500->str[0] + 493 - 9, "than now.");
    assert_string_equal(s500->format, "A500");

    /* Dates stay SPSS seconds since 14 Oct 1582 (1983-12-11 here). */
    brisk_column *date = column(ds, "date");
    assert_string_equal(date->format, "EDATE10");
    assert_close(date->num[0], 12659328000.0, 0);
    assert_missing_counts(ds, "date", 2, 0, 0);
    brisk_dataset_free(ds);
}

static void test_iris_three_formats(void **state)
{
    (void)state;
    brisk_dataset *sav = read_data("iris.sav", NULL);
    brisk_dataset *dta = read_data("iris.dta", NULL);
    brisk_dataset *sas = read_data("iris.sas7bdat", NULL);
    assert_int_equal(sav->nrows, 150);
    assert_int_equal(dta->nrows, 150);
    assert_int_equal(sas->nrows, 150);
    assert_int_equal(sav->ncols, 5);
    assert_int_equal(dta->ncols, 5);
    assert_int_equal(sas->ncols, 5);

    /* SPSS: species as labelled numbers. */
    brisk_column *sp = column(sav, "Species");
    assert_int_equal(sp->type, BRISK_NUMERIC);
    assert_string_equal(brisk_column_label_of(sp, 2), "versicolor");
    assert_string_equal(brisk_column_label_of(sp, 3), "virginica");
    assert_close(sp->num[149], 3, 0);
    assert_close(column(sav, "Sepal.Width")->num[41], 2.3, 1e-12);
    assert_close(column(sav, "Petal.Length")->num[149], 5.1, 1e-12);

    /* Stata: floats read as doubles, species as a string, labels. */
    brisk_column *sw = column(dta, "sepalwidth");
    assert_string_equal(sw->label, "Sepal.Width");
    assert_string_equal(sw->format, "%9.0g");
    assert_close(sw->num[41], (double)2.3f, 0);
    assert_close(column(dta, "petallength")->num[149], (double)5.1f, 0);
    assert_string_equal(column(dta, "species")->str[0], "setosa");
    assert_string_equal(column(dta, "species")->str[149], "virginica");

    /* SAS. */
    assert_close(column(sas, "Sepal_Width")->num[41], 2.3, 1e-12);
    /* The SAS file stores species in 6 bytes: "versic", as haven reads. */
    assert_string_equal(column(sas, "Species")->str[75], "versic");
    assert_string_equal(column(sas, "Sepal_Length")->format, "BEST");

    double sum_sav = 0, sum_sas = 0;
    for (size_t i = 0; i < 150; i++) {
        sum_sav += column(sav, "Petal.Width")->num[i];
        sum_sas += column(sas, "Petal_Width")->num[i];
    }
    assert_close(sum_sav, 179.9, 1e-9);
    assert_close(sum_sas, 179.9, 1e-9);
    brisk_dataset_free(sav);
    brisk_dataset_free(dta);
    brisk_dataset_free(sas);
}

/* test.xpt from Hmisc: a transport file, which never states its rows. */
static void test_hmisc_xpt(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("hmisc_test.xpt", NULL);
    assert_int_equal(ds->nrows, 2);
    assert_int_equal(ds->ncols, 5);
    assert_string_equal(column(ds, "AGE")->label, "Age at Beginning of Study");
    assert_string_equal(column(ds, "RACE")->format, "RACE");
    assert_close(column(ds, "AGE")->num[1], 31, 0);
    assert_close(column(ds, "D1")->num[0], 15402, 0);          /* SAS days */
    assert_close(column(ds, "DT1")->num[1], 1338716527, 0);    /* SAS seconds */
    assert_close(column(ds, "T1")->num[0], 40425, 0);
    brisk_dataset_free(ds);
}

/* ------------------------------------------------------------ labelled files */

static void check_labelled_spss(const brisk_dataset *ds)
{
    assert_int_equal(ds->nrows, 12);
    assert_int_equal(ds->ncols, 5);

    brisk_column *trust = column(ds, "trust");
    assert_string_equal(trust->label, "I trust the city government with my data");
    assert_int_equal(trust->n_missing_ranges, 2);
    assert_range(trust, 0, 98, 98);
    assert_range(trust, 1, 99, 99);
    assert_int_equal(trust->n_labels, 7);
    assert_string_equal(brisk_column_label_of(trust, 98), "Don't know");
    assert_string_equal(brisk_column_label_of(trust, 99), "Refused");
    assert_string_equal(brisk_column_label_of(trust, 4), "Agree");
    assert_missing_counts(ds, "trust", 1, 3, 0);
    assert_int_equal(trust->miss[3], BRISK_MISS_USER);    /* 98 */
    assert_int_equal(trust->miss[6], BRISK_MISS_USER);    /* 99 */
    assert_int_equal(trust->miss[8], BRISK_MISS_SYSTEM);
    assert_true(isnan(trust->num[3]));
    assert_close(trust->num[2], 5, 0);

    brisk_column *income = column(ds, "income");
    assert_int_equal(income->n_missing_ranges, 1);
    assert_range(income, 0, -9, -1);
    assert_missing_counts(ds, "income", 1, 3, 0);
    assert_close(income->num[6], 3310.125, 0);
    assert_close(income->num[7], 2999.99, 1e-9);
    assert_int_equal(income->miss[8], BRISK_MISS_USER);   /* -5 inside [-9, -1] */
    assert_true(brisk_column_is_user_missing_value(income, -5));

    /* A range and a discrete code together. */
    brisk_column *approve = column(ds, "approve");
    assert_int_equal(approve->n_missing_ranges, 2);
    assert_true(brisk_column_is_user_missing_value(approve, 0));
    assert_true(brisk_column_is_user_missing_value(approve, 8));
    assert_false(brisk_column_is_user_missing_value(approve, 5));
    assert_missing_counts(ds, "approve", 0, 4, 0);
    assert_string_equal(brisk_column_label_of(approve, 0), "Not asked");

    brisk_column *city = column(ds, "city");
    assert_int_equal(city->type, BRISK_STRING);
    assert_string_equal(city->str[1], "\xe8\x8d\xa3\xe6\x88\x90");   /* 荣成 */
    assert_string_equal(city->str[11], "Z\xc3\xbcrich");
    assert_int_equal(city->miss[2], BRISK_MISS_NONE);           /* "" is valid */
    assert_int_equal(city->miss[4], BRISK_MISS_USER);           /* "NA" */
    assert_string_equal(city->str[4], "");
    assert_missing_counts(ds, "city", 0, 2, 0);
}

static void test_labelled_sav(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("labelled.sav", NULL);
    check_labelled_spss(ds);
    brisk_dataset_free(ds);
}

static void test_labelled_zsav(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("labelled.zsav", NULL);
    check_labelled_spss(ds);
    brisk_dataset_free(ds);
}

static void test_labelled_dta_tagged_missing(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("labelled.dta", NULL);
    assert_int_equal(ds->nrows, 10);
    assert_int_equal(ds->ncols, 4);
    assert_string_equal(ds->file_label, "brisk labelled test data");

    brisk_column *trust = column(ds, "trust");
    assert_int_equal(trust->miss[1], BRISK_MISS_TAGGED + 0);    /* .a */
    assert_int_equal(trust->miss[4], BRISK_MISS_TAGGED + 1);    /* .b */
    assert_int_equal(trust->miss[5], BRISK_MISS_SYSTEM);        /* . */
    assert_int_equal(brisk_missing_tag(trust->miss[7]), 'a');
    assert_true(isnan(trust->num[1]));
    assert_close(trust->num[6], 3, 0);
    assert_missing_counts(ds, "trust", 1, 0, 3);

    /* Labels arrive after the data in Stata files and still attach; the
     * tagged ones are kept with NaN values and the tag in the text. */
    assert_int_equal(trust->n_labels, 7);
    assert_string_equal(brisk_column_label_of(trust, 5), "Strongly agree");
    assert_true(isnan(trust->labels[5].value));
    assert_string_equal(trust->labels[5].label, ".a: Refused");
    assert_string_equal(trust->labels[6].label, ".b: Don't know");

    brisk_column *income = column(ds, "income");
    assert_int_equal(brisk_missing_tag(income->miss[2]), 'c');
    assert_int_equal(brisk_missing_tag(income->miss[8]), 'a');
    assert_missing_counts(ds, "income", 1, 0, 2);
    assert_close(income->num[4], 3310.125, 0);
    assert_int_equal(income->n_labels, 0);

    brisk_column *region = column(ds, "region");
    assert_string_equal(region->str[3], "north");
    assert_int_equal(region->miss[2], BRISK_MISS_NONE);
    assert_missing_counts(ds, "region", 0, 0, 0);
    brisk_dataset_free(ds);
}

static void test_labelled_por(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("labelled.por", NULL);
    assert_int_equal(ds->nrows, 7);   /* portable files state no row count */
    assert_int_equal(ds->ncols, 4);
    assert_string_equal(ds->file_label, "brisk portable test");
    brisk_column *trust = column(ds, "TRUST");
    assert_string_equal(trust->label, "Trust in the city government");
    assert_missing_counts(ds, "TRUST", 1, 2, 0);
    assert_string_equal(brisk_column_label_of(trust, 99), "Refused");
    assert_range(column(ds, "INCOME"), 0, -9, -1);
    assert_missing_counts(ds, "INCOME", 1, 2, 0);
    assert_close(column(ds, "INCOME")->num[0], 1234.56, 1e-9);
    assert_close(column(ds, "INCOME")->num[5], 987.65, 1e-9);
    brisk_column *sex = column(ds, "SEX");
    assert_string_equal(string_label_of(sex, "f"), "Female");
    assert_string_equal(sex->str[1], "m");
    brisk_dataset_free(ds);
}

static void test_labelled_xpt_sas_tags(void **state)
{
    (void)state;
    brisk_dataset *ds = read_data("labelled.xpt", NULL);
    assert_int_equal(ds->nrows, 6);
    assert_int_equal(ds->ncols, 3);
    brisk_column *score = column(ds, "SCORE");
    assert_string_equal(score->label, "Approval score");
    assert_close(score->num[0], 3.625, 0);
    assert_close(score->num[5], 2.875, 0);
    /* SAS's .A, .Z and ._ map like Stata's lower-case tags, ._ last. */
    assert_int_equal(score->miss[1], BRISK_MISS_TAGGED + 0);
    assert_int_equal(score->miss[3], BRISK_MISS_TAGGED + 25);
    assert_int_equal(score->miss[4], BRISK_MISS_TAGGED + 26);
    assert_int_equal(brisk_missing_tag(score->miss[4]), '_');
    assert_missing_counts(ds, "SCORE", 0, 0, 3);
    assert_string_equal(column(ds, "GROUP")->str[1], "rural");
    brisk_dataset_free(ds);
}

/* ------------------------------------------------------------ memory, options */

static void test_memory_io(void **state)
{
    (void)state;
    size_t size;
    unsigned char *bytes = load_bytes("labelled.sav", &size);
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory(bytes, size, "upload.sav", NULL, &ds, &err), BRISK_OK);
    check_labelled_spss(ds);
    assert_string_equal(ds->source, "upload.sav");
    brisk_dataset_free(ds);

    /* No usable name: the format must be given. */
    ds = NULL;
    assert_int_equal(read_memory(bytes, size, "<memory>", NULL, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
    brisk_read_options opt = {.format = BRISK_FORMAT_SAV};
    assert_int_equal(read_memory(bytes, size, "<memory>", &opt, &ds, &err), BRISK_OK);
    assert_int_equal(ds->nrows, 12);
    brisk_dataset_free(ds);

    /* Twice through the same io: "open" rewinds. */
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, bytes, size, "again.sav"), BRISK_OK);
    for (int pass = 0; pass < 2; pass++) {
        ds = NULL;
        assert_int_equal(brisk_read_stat(&io, NULL, &ds, &err), BRISK_OK);
        assert_int_equal(ds->ncols, 5);
        brisk_dataset_free(ds);
    }
    brisk_io_close(&io);

    /* A CSV format is not ReadStat's, nor is a number outside the enum. */
    opt.format = BRISK_FORMAT_CSV;
    ds = NULL;
    assert_int_equal(read_memory(bytes, size, "x.sav", &opt, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
    opt.format = (brisk_format)42;
    assert_int_equal(read_memory(bytes, size, "x.sav", &opt, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
    free(bytes);
}

/* An input that fails (as a disk or a network file system may) after
 * `budget` bytes. */
typedef struct failing_input {
    brisk_io inner;
    long long budget;
} failing_input;

static ssize_t failing_read(void *ctx, void *buf, size_t n)
{
    failing_input *f = ctx;
    if (f->budget <= 0)
        return -1;
    if ((long long)n > f->budget)
        n = (size_t)f->budget;
    ssize_t got = f->inner.read(f->inner.ctx, buf, n);
    if (got > 0)
        f->budget -= got;
    return got;
}

static int failing_seek(void *ctx, long long offset)
{
    failing_input *f = ctx;
    return f->inner.seek(f->inner.ctx, offset);
}

static long long failing_size(void *ctx)
{
    failing_input *f = ctx;
    return f->inner.size(f->inner.ctx);
}

static void test_io_errors(void **state)
{
    (void)state;
    size_t size;
    unsigned char *bytes = load_bytes("labelled.sav", &size);
    failing_input f;
    assert_int_equal(brisk_io_memory(&f.inner, bytes, size, "inner"), BRISK_OK);
    brisk_io io = {.read = failing_read, .seek = failing_seek, .size = failing_size,
                   .ctx = &f, .name = "flaky.sav"};
    brisk_dataset *ds = NULL;
    brisk_error err;

    /* A read error is an input error, not a malformed file. */
    f.budget = 700;
    assert_int_equal(brisk_read_stat(&io, NULL, &ds, &err), BRISK_ERR_OPEN);
    assert_null(ds);
    assert_string_equal(err.file, "flaky.sav");
    assert_true(message_has(&err, "cannot read the SPSS .sav file"));

    f.budget = (long long)size * 4;
    assert_int_equal(brisk_read_stat(&io, NULL, &ds, &err), BRISK_OK);
    assert_int_equal(ds->nrows, 12);
    brisk_dataset_free(ds);

    /* ReadStat needs to seek and to know the size. */
    io.seek = NULL;
    assert_int_equal(brisk_read_stat(&io, NULL, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
    brisk_io_close(&f.inner);
    free(bytes);
}

static void test_encoding_option(void **state)
{
    (void)state;
    /* Reading UTF-8 as Latin-1 gives each byte its own character. */
    brisk_read_options opt = {.encoding = "ISO-8859-1"};
    brisk_dataset *ds = read_data("labelled.sav", &opt);
    brisk_column *city = column(ds, "city");
    assert_string_equal(city->str[11], "Z\xc3\x83\xc2\xbcrich");
    assert_string_equal(city->str[1], "\xc3\xa8\xc2\x8d\xc2\xa3\xc3\xa6\xc2\x88\xc2\x90");
    assert_string_equal(city->str[0], "Rongcheng");
    brisk_dataset_free(ds);

    /* An unknown encoding is the caller's mistake, for every format. */
    const char *files[] = {"labelled.sav", "labelled.dta", "labelled.por", "labelled.xpt"};
    opt.encoding = "NO-SUCH-ENCODING-9";
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, DATA_DIR "%s", files[i]);
        brisk_error err;
        ds = NULL;
        assert_int_equal(brisk_read_file(path, &opt, &ds, &err), BRISK_ERR_ARGUMENT);
        assert_null(ds);
        assert_true(message_has(&err, "NO-SUCH-ENCODING-9"));
        assert_string_equal(err.file, path);
    }
}

/* A file that says UTF-8 but holds Latin-1 text: refused with a hint,
 * and read correctly once the encoding is given. */
static void test_wrong_declared_encoding(void **state)
{
    (void)state;
    size_t size;
    unsigned char *bytes = load_bytes("labelled.sav", &size);
    unsigned char *at = memmem(bytes, size, "Z\xc3\xbcrich", 7);
    assert_non_null(at);
    at[1] = 0xfc;   /* "Z\xfc\xbcrich": Latin-1 bytes, invalid UTF-8 */
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory(bytes, size, "latin.sav", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_true(message_has(&err, "--encoding"));

    brisk_read_options opt = {.encoding = "ISO-8859-1"};
    assert_int_equal(read_memory(bytes, size, "latin.sav", &opt, &ds, &err), BRISK_OK);
    assert_string_equal(column(ds, "city")->str[11], "Z\xc3\xbc\xc2\xbcrich");
    brisk_dataset_free(ds);

    /* The other cities are UTF-8 Chinese, whose bytes 0x8d and 0x90 mean
     * nothing in Windows-1252: a wrong --encoding is named back. */
    opt.encoding = "WINDOWS-1252";
    ds = NULL;
    assert_int_equal(read_memory(bytes, size, "latin.sav", &opt, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_true(message_has(&err, "not valid WINDOWS-1252"));
    free(bytes);
}

/* Stata 14+ files are UTF-8 by definition and ReadStat hands their text
 * over unchecked: invalid bytes are caught before they reach a writer. */
static void test_invalid_utf8_in_stata(void **state)
{
    (void)state;
    size_t size;
    unsigned char *bytes = load_bytes("labelled.dta", &size);
    unsigned char *at = memmem(bytes, size, "north", 5);
    assert_non_null(at);
    at[1] = 0xff;
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory(bytes, size, "bad.dta", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_true(message_has(&err, "row 4: text is not valid UTF-8"));
    assert_true(message_has(&err, "--encoding"));
    assert_string_equal(err.variable, "region");
    assert_string_equal(err.file, "bad.dta");
    free(bytes);
}

/* ------------------------------------------------------------ generated SPSS files */

static void put32(unsigned char *p, int32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* A minimal uncompressed SPSS file: nvar numeric variables V0000000...,
 * a header that declares `declared` rows, and `rows` rows of data whose
 * cell (i, j) is 2.385 * i + j. */
static unsigned char *make_sav(size_t nvar, int32_t declared, size_t rows, size_t *size)
{
    size_t dict = 176 + nvar * 32 + 8;
    *size = dict + rows * nvar * 8;
    unsigned char *b = calloc(1, *size);
    assert_non_null(b);
    memcpy(b, "$FL2", 4);
    memset(b + 4, ' ', 60);
    put32(b + 64, 2);                  /* layout code */
    put32(b + 68, (int32_t)nvar);      /* 8-byte units per case */
    put32(b + 72, 0);                  /* uncompressed */
    put32(b + 76, 0);                  /* no weight */
    put32(b + 80, declared);
    double bias = 100.0;
    memcpy(b + 84, &bias, sizeof bias);
    memcpy(b + 92, "21 Nov 24", 9);
    memcpy(b + 101, "12:00:00", 8);
    memset(b + 109, ' ', 67);          /* file label and padding */
    for (size_t j = 0; j < nvar; j++) {
        unsigned char *v = b + 176 + j * 32;
        put32(v, 2);
        put32(v + 16, 0x050802);       /* F8.2 */
        put32(v + 20, 0x050802);
        char name[32];
        snprintf(name, sizeof name, "V%07zu", j % 10000000);
        memcpy(v + 24, name, 8);
    }
    put32(b + dict - 8, 999);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < nvar; j++) {
            double x = 2.385 * (double)i + (double)j;
            memcpy(b + dict + (i * nvar + j) * 8, &x, sizeof x);
        }
    return b;
}

static void test_unknown_row_count_grows(void **state)
{
    (void)state;
    size_t size;
    /* -1 rows declared, 3000 present: more than the first allocation. */
    unsigned char *b = make_sav(3, -1, 3000, &size);
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory(b, size, "grow.sav", NULL, &ds, &err), BRISK_OK);
    assert_int_equal(ds->nrows, 3000);
    assert_int_equal(ds->ncols, 3);
    assert_close(ds->cols[2].num[2999], 2.385 * 2999 + 2, 1e-9);
    assert_close(ds->cols[0].num[1024], 2.385 * 1024, 1e-9);
    assert_string_equal(ds->cols[1].format, "F8.2");
    assert_missing_counts(ds, "V0000001", 0, 0, 0);
    brisk_dataset_free(ds);
    free(b);

    /* More rows declared than present. */
    b = make_sav(2, 50, 40, &size);
    ds = NULL;
    assert_int_equal(read_memory(b, size, "short.sav", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_true(message_has(&err, "SPSS .sav"));
    free(b);
}

static void test_limits(void **state)
{
    (void)state;
    size_t size;
    brisk_dataset *ds = NULL;
    brisk_error err;

    unsigned char *b = make_sav(BRISK_MAX_COLUMNS + 1, 0, 0, &size);
    assert_int_equal(read_memory(b, size, "wide.sav", NULL, &ds, &err), BRISK_ERR_LIMIT);
    assert_null(ds);
    assert_true(message_has(&err, "100001 variables"));
    free(b);

    /* A declared row count over the limit is refused before anything is
     * allocated for it... */
    b = make_sav(2, BRISK_MAX_ROWS + 1, 0, &size);
    size_t big = size + BRISK_MAX_ROWS / 8 + 1;
    unsigned char *padded = calloc(1, big);
    assert_non_null(padded);
    memcpy(padded, b, size);
    assert_int_equal(read_memory(padded, big, "long.sav", NULL, &ds, &err), BRISK_ERR_LIMIT);
    assert_null(ds);
    assert_true(message_has(&err, "more than 100000000 rows"));
    free(padded);

    /* ...and a count no file of that size could hold is damage. */
    assert_int_equal(read_memory(b, size, "long.sav", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_true(message_has(&err, "not a valid SPSS .sav file: it declares more than 100000000 rows"));
    free(b);
}

/* ------------------------------------------------------------ broken input */

/* Cut a file at many offsets: every cut must fail cleanly.  The last
 * `padding` bytes may be filler whose loss changes nothing. */
static void assert_truncations_fail(const char *file, const char *name, size_t padding)
{
    size_t size;
    unsigned char *bytes = load_bytes(file, &size);
    size_t cuts[] = {0, 1, 4, 11, 64, 175, 176, 300, 512, size / 3, size / 2,
                     size - size / 10, size - 20, size - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        if (cuts[k] + padding >= size)
            continue;
        /* A copy of exactly the cut length, so ASan sees any overread. */
        unsigned char *part = malloc(cuts[k] ? cuts[k] : 1);
        assert_non_null(part);
        memcpy(part, bytes, cuts[k]);
        brisk_dataset *ds = NULL;
        brisk_error err;
        brisk_status st = read_memory(part, cuts[k], name, NULL, &ds, &err);
        if (st == BRISK_OK)
            fail_msg("%s cut at %zu of %zu bytes was accepted", file, cuts[k], size);
        assert_int_equal(st, BRISK_ERR_FORMAT);
        assert_null(ds);
        assert_string_equal(err.file, name);
        free(part);
    }
    free(bytes);
}

static void test_truncated_files(void **state)
{
    (void)state;
    assert_truncations_fail("labelled.sav", "cut.sav", 0);
    assert_truncations_fail("electric.sav", "cut.sav", 0);
    assert_truncations_fail("labelled.zsav", "cut.zsav", 0);
    assert_truncations_fail("labelled.dta", "cut.dta", 0);
    assert_truncations_fail("iris.dta", "cut.dta", 0);
    /* A portable file ends in 'Z' filler after its end-of-data mark. */
    assert_truncations_fail("labelled.por", "cut.por", 16);
    assert_truncations_fail("labelled.xpt", "cut.xpt", 0);
    assert_truncations_fail("iris.sas7bdat", "cut.sas7bdat", 0);

    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory("", 0, "empty.sav", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_true(message_has(&err, "empty"));
}

/* Flip bytes all over a file: any outcome but a crash, a leak or a
 * dataset that breaks its own invariants is acceptable, and damage to
 * the signature must be an error. */
static void flip_everywhere(const char *file, const char *name, size_t stride)
{
    size_t size;
    unsigned char *bytes = load_bytes(file, &size);
    unsigned char *copy = malloc(size);
    assert_non_null(copy);
    const unsigned char values[] = {0x00, 0xff, 0x80, 0x7f};
    size_t failures = 0;
    for (size_t i = 0; i < size; i += stride)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, bytes, size);
            copy[i] = values[v] == copy[i] ? (unsigned char)~values[v] : values[v];
            brisk_dataset *ds = NULL;
            brisk_error err;
            brisk_status st = read_memory(copy, size, name, NULL, &ds, &err);
            if (st != BRISK_OK) {
                failures++;
                assert_null(ds);
                assert_true(err.message[0] != '\0');
                continue;
            }
            for (size_t j = 0; j < ds->ncols; j++)
                for (size_t r = 0; r < ds->nrows; r++)
                    if (ds->cols[j].type == BRISK_STRING)
                        assert_non_null(ds->cols[j].str[r]);
            brisk_dataset_free(ds);
        }
    assert_true(failures > 0);
    free(copy);
    free(bytes);
}

static void test_corrupted_files(void **state)
{
    (void)state;
    flip_everywhere("labelled.sav", "flip.sav", 1);
    flip_everywhere("labelled.dta", "flip.dta", 1);
    flip_everywhere("labelled.por", "flip.por", 3);
    flip_everywhere("labelled.xpt", "flip.xpt", 3);
    flip_everywhere("labelled.zsav", "flip.zsav", 3);

    /* A damaged signature is always an error naming the format. */
    const char *files[] = {"labelled.sav", "labelled.dta"};
    const char *names[] = {"sig.sav", "sig.dta"};
    const char *formats[] = {"SPSS .sav", "Stata .dta"};
    for (size_t k = 0; k < 2; k++) {
        size_t size;
        unsigned char *bytes = load_bytes(files[k], &size);
        bytes[1] ^= 0x20;
        brisk_dataset *ds = NULL;
        brisk_error err;
        assert_int_equal(read_memory(bytes, size, names[k], NULL, &ds, &err), BRISK_ERR_FORMAT);
        assert_true(message_has(&err, formats[k]));
        free(bytes);
    }
}

static void test_junk_and_wrong_content(void **state)
{
    (void)state;
    static const char junk[] =
        "id,trust,income\n1,4,2350.75\n2,2,4120.5\nthis is not a statistics file at all\n";
    const char *names[] = {"j.sav", "j.zsav", "j.por", "j.dta", "j.sas7bdat", "j.xpt"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        brisk_dataset *ds = NULL;
        brisk_error err;
        brisk_status st = read_memory(junk, sizeof junk - 1, names[k], NULL, &ds, &err);
        if (st != BRISK_ERR_FORMAT)
            fail_msg("%s: status %d (%s)", names[k], st, err.message);
        assert_null(ds);
        assert_string_equal(err.file, names[k]);
        assert_true(message_has(&err, "not a valid"));
    }

    /* Without an error record the status still tells. */
    brisk_dataset *none = NULL;
    assert_int_equal(read_memory(junk, sizeof junk - 1, "j.sav", NULL, &none, NULL),
                     BRISK_ERR_FORMAT);
    assert_null(none);
    assert_int_equal(brisk_read_file("x.unknown", NULL, &none, NULL), BRISK_ERR_FORMAT);

    /* A Stata file named .sav and an SPSS file named .dta. */
    size_t size;
    unsigned char *dta = load_bytes("iris.dta", &size);
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(read_memory(dta, size, "iris.sav", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_true(message_has(&err, "not a valid SPSS .sav file (ReadStat:"));
    assert_null(ds);
    free(dta);
    unsigned char *sav = load_bytes("iris.sav", &size);
    assert_int_equal(read_memory(sav, size, "iris.dta", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_true(message_has(&err, "Stata .dta"));
    assert_int_equal(read_memory(sav, size, "iris.xpt", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_int_equal(read_memory(sav, size, "iris.sas7bdat", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    free(sav);
}

/* ------------------------------------------------------------ brisk_read_file */

static void test_read_file_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = NULL;
    brisk_error err;

    assert_int_equal(brisk_read_file("answers.xls", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_true(message_has(&err, "unknown file type '.xls'"));
    assert_true(message_has(&err, "save it as .xlsx"));
    assert_true(message_has(&err, ".sas7bdat"));
    assert_string_equal(err.file, "answers.xls");
    assert_int_equal(brisk_read_file("dir.v2/answers", NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_true(message_has(&err, "no extension"));

    const char *missing = DATA_DIR "no-such-file.sav";
    assert_int_equal(brisk_read_file(missing, NULL, &ds, &err), BRISK_ERR_OPEN);
    assert_null(ds);
    assert_string_equal(err.file, missing);

    /* Content that does not match the extension, through a real file. */
    char path[1024];
    snprintf(path, sizeof path, DATA_DIR "make_labelled.R");
    brisk_read_options opt = {.format = BRISK_FORMAT_DTA};
    assert_int_equal(brisk_read_file(path, &opt, &ds, &err), BRISK_ERR_FORMAT);
    assert_string_equal(err.file, path);
    assert_true(message_has(&err, "Stata .dta"));

    assert_int_equal(brisk_read_file(NULL, NULL, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_int_equal(brisk_read_stat(NULL, NULL, &ds, &err), BRISK_ERR_ARGUMENT);
}

/* Write text to a fresh temporary file ending in suffix. */
static void temp_file(char *path, size_t size, const char *suffix, const char *text)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/brisk-readstat-XXXXXX%s", dir && dir[0] ? dir : "/tmp", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static void test_read_file_dispatches_csv(void **state)
{
    (void)state;
    char path[1024];
    brisk_dataset *ds = NULL;
    brisk_error err;

    temp_file(path, sizeof path, ".csv", "a,b\n1.25,2.5\n3.75,4.125\n");
    brisk_status st = brisk_read_file(path, NULL, &ds, &err);
    unlink(path);
    if (st != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    assert_int_equal(ds->ncols, 2);
    assert_int_equal(ds->nrows, 2);
    brisk_dataset_free(ds);

    /* .tsv reads tab-separated even when a comma is present. */
    temp_file(path, sizeof path, ".tsv", "name\tscore\nx,y\t2.385\n");
    ds = NULL;
    st = brisk_read_file(path, NULL, &ds, &err);
    unlink(path);
    if (st != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    assert_int_equal(ds->ncols, 2);
    assert_string_equal(column(ds, "name")->str[0], "x,y");
    brisk_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_from_name),
        cmocka_unit_test(test_format_name),
        cmocka_unit_test(test_electric_sav),
        cmocka_unit_test(test_foreign_testdata_sav),
        cmocka_unit_test(test_iris_three_formats),
        cmocka_unit_test(test_hmisc_xpt),
        cmocka_unit_test(test_labelled_sav),
        cmocka_unit_test(test_labelled_zsav),
        cmocka_unit_test(test_labelled_dta_tagged_missing),
        cmocka_unit_test(test_labelled_por),
        cmocka_unit_test(test_labelled_xpt_sas_tags),
        cmocka_unit_test(test_memory_io),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_encoding_option),
        cmocka_unit_test(test_wrong_declared_encoding),
        cmocka_unit_test(test_invalid_utf8_in_stata),
        cmocka_unit_test(test_unknown_row_count_grows),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_truncated_files),
        cmocka_unit_test(test_corrupted_files),
        cmocka_unit_test(test_junk_and_wrong_content),
        cmocka_unit_test(test_read_file_errors),
        cmocka_unit_test(test_read_file_dispatches_csv),
    };
    return cmocka_run_group_tests_name("readstat", tests, NULL, NULL);
}
