/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of the files people have: .xlsx workbooks (lib/data/xlsx.c),
 * European CSV (decimal comma) and header rows (skip, header_rows).  The
 * values asserted for tests/data/xlsx/types.xlsx are what readxl reads
 * from it (tests/data/xlsx/make_xlsx.R prints them). */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk/dataset.h"
#include "core/util.h"

#define DATA_DIR TEST_SRCDIR "/tests/data/"
#define BAD_DIR TEST_SRCDIR "/tests/bad/"

static brisk_dataset *read_path(const char *path, const brisk_read_options *opt)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_read_file(path, opt, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s (%s:%ld)", path, err.message, err.file, err.line);
    return ds;
}

static void expect_file_error(const char *path, const brisk_read_options *opt,
                              brisk_status status, const char *file, const char *fragment)
{
    brisk_dataset *ds = (brisk_dataset *)&ds;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status st = brisk_read_file(path, opt, &ds, &err);
    assert_null(ds);
    if (st != status || !strstr(err.message, fragment) || !strstr(err.file, file))
        fail_msg("status %d, '%s' in %s; expected %d, '%s' in %s", (int)st, err.message,
                 err.file, (int)status, fragment, file);
}

static brisk_status read_csv_text(const char *text, const brisk_read_options *opt,
                                  brisk_dataset **ds, brisk_error *err)
{
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, text, strlen(text), "mem.csv"), BRISK_OK);
    brisk_error_clear(err);
    brisk_status st = brisk_read_csv(&io, opt, ds, err);
    brisk_io_close(&io);
    return st;
}

static brisk_dataset *csv_ok(const char *text, const brisk_read_options *opt)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (read_csv_text(text, opt, &ds, &err) != BRISK_OK)
        fail_msg("%s (line %ld, column %ld)", err.message, err.line, err.column);
    return ds;
}

static const brisk_column *col(const brisk_dataset *ds, const char *name)
{
    const brisk_column *c = brisk_dataset_find(ds, name);
    if (!c)
        fail_msg("no column '%s'", name);
    return c;
}

/* ------------------------------------------------------------ xlsx */

static void test_xlsx_types(void **state)
{
    (void)state;
    brisk_read_options opt = {.sheet = "data"};   /* Excel's names compare without case */
    brisk_dataset *ds = read_path(DATA_DIR "xlsx/types.xlsx", &opt);
    assert_int_equal(ds->nrows, 5);
    assert_int_equal(ds->ncols, 9);
    const brisk_column *id = col(ds, "id"), *city = col(ds, "city"), *trust = col(ds, "trust");
    assert_int_equal(id->type, BRISK_NUMERIC);
    assert_true(id->num[4] == 105);
    assert_int_equal(city->type, BRISK_STRING);
    assert_string_equal(city->str[0], "Rongcheng");
    assert_true(brisk_is_missing(city, 3));
    assert_true(trust->num[4] == 1.125 && trust->num[0] == 4.25);
    assert_true(brisk_is_missing(trust, 2));
    /* booleans are 1/0 */
    const brisk_column *agreed = col(ds, "agreed");
    assert_int_equal(agreed->type, BRISK_NUMERIC);
    assert_true(agreed->num[0] == 1 && agreed->num[1] == 0 && brisk_is_missing(agreed, 3));
    /* dates are Excel's serial days (R: as.Date(x) - as.Date("1899-12-30")) */
    const brisk_column *asked = col(ds, "asked");
    assert_int_equal(asked->type, BRISK_NUMERIC);
    assert_true(asked->num[0] == 43587 && asked->num[3] == 43616 && asked->num[4] == 43831);
    assert_true(brisk_is_missing(asked, 2));
    assert_int_equal(ds->nnotes, 1);
    assert_non_null(strstr(ds->notes[0], "column 'asked' holds dates"));
    /* numbers written as text read as numbers, "NA" and "" as missing: as in CSV */
    const brisk_column *code = col(ds, "code");
    assert_int_equal(code->type, BRISK_NUMERIC);
    assert_true(code->num[0] == 12 && code->num[1] == 7.5 && code->num[4] == 3);
    assert_true(brisk_is_missing(code, 2) && brisk_is_missing(code, 3));
    const brisk_column *mixed = col(ds, "mixed");
    assert_int_equal(mixed->type, BRISK_STRING);
    assert_string_equal(mixed->str[2], "three");
    assert_string_equal(mixed->str[3], "4");
    /* a named column with no values, and one value after a gap */
    const brisk_column *none = col(ds, "label-less"), *sparse = col(ds, "sparse");
    for (size_t i = 0; i < 5; i++)
        assert_true(brisk_is_missing(none, i));
    assert_true(sparse->num[2] == 8.875 && brisk_is_missing(sparse, 4));
    brisk_dataset_free(ds);
}

static void test_xlsx_first_sheet(void **state)
{
    (void)state;
    brisk_dataset *ds = read_path(DATA_DIR "xlsx/types.xlsx", NULL);
    assert_int_equal(ds->nrows, 2);
    assert_int_equal(ds->ncols, 1);
    assert_string_equal(ds->cols[0].str[1], "not this one");
    brisk_dataset_free(ds);
    assert_int_equal(brisk_format_from_name("Wave 2.XLSX"), BRISK_FORMAT_XLSX);
    assert_string_equal(brisk_format_name(BRISK_FORMAT_XLSX), "Excel .xlsx");
}

static void test_xlsx_unknown_sheet(void **state)
{
    (void)state;
    brisk_read_options opt = {.sheet = "Wave 3"};
    expect_file_error(BAD_DIR "xlsx-two-sheets.xlsx", &opt, BRISK_ERR_FORMAT,
                      "xlsx-two-sheets.xlsx", "no sheet 'Wave 3' in the workbook; its sheets "
                      "are 'Wave 1', 'Wave 2'");
}

/* Inline strings, formula strings, errors, cells without references,
 * rich text and phonetic runs, an absolute relationship target, and a
 * preamble row before three header rows. */
static void test_xlsx_inline_and_header_rows(void **state)
{
    (void)state;
    brisk_read_options opt = {.skip = 1, .header_rows = 3};
    brisk_dataset *ds = read_path(DATA_DIR "xlsx/inline.xlsx", &opt);
    assert_int_equal(ds->nrows, 3);
    assert_int_equal(ds->ncols, 4);
    const brisk_column *id = col(ds, "id"), *trust = col(ds, "trust"), *city = col(ds, "city"),
                       *ratio = col(ds, "ratio");
    assert_string_equal(id->label, "Respondent");
    assert_string_equal(trust->label, "How much do you trust the city?");
    assert_true(id->num[0] == 1 && id->num[1] == 2 && id->num[2] == 3);
    assert_int_equal(trust->type, BRISK_NUMERIC);
    assert_true(trust->num[0] == 4 && trust->num[1] == 3 && brisk_is_missing(trust, 2));
    assert_string_equal(city->str[0], "Tokyo");    /* without its phonetic reading */
    assert_string_equal(city->str[1], "Osaka");    /* two runs */
    assert_true(brisk_is_missing(city, 2));        /* "NA" */
    assert_true(ratio->num[0] == 2 && ratio->num[2] == 0.125);
    assert_true(brisk_is_missing(ratio, 1));       /* #DIV/0! */
    assert_int_equal(ds->nnotes, 1);
    assert_non_null(strstr(ds->notes[0], "column 'ratio' holds Excel errors"));
    brisk_dataset_free(ds);

    /* without skip, the preamble is the header, and the names are values */
    expect_file_error(DATA_DIR "xlsx/inline.xlsx", NULL, BRISK_ERR_FORMAT, "inline.xlsx",
                      "cell B2: a value in a column with no name in the header row (row 1)");
}

/* The xlsx of the bundled rongcheng survey's data holds what its CSV
 * holds, cell for cell, bit for bit. */
static void test_xlsx_same_as_csv(void **state)
{
    (void)state;
    brisk_dataset *x = read_path(DATA_DIR "xlsx/rongcheng_data.xlsx", NULL);
    brisk_dataset *c = read_path(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv", NULL);
    assert_int_equal(x->nrows, 600);
    assert_int_equal(x->nrows, c->nrows);
    assert_int_equal(x->ncols, c->ncols);
    size_t refused = 0;
    for (size_t j = 0; j < c->ncols; j++) {
        const brisk_column *a = &x->cols[j], *b = &c->cols[j];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->type, b->type);
        for (size_t i = 0; i < c->nrows; i++) {
            assert_int_equal(a->miss[i], b->miss[i]);
            refused += !b->miss[i] && b->type == BRISK_NUMERIC && b->num[i] == -99;
            if (!b->miss[i] && b->type == BRISK_NUMERIC)
                assert_memory_equal(&a->num[i], &b->num[i], sizeof(double));
        }
    }
    assert_true(refused > 100);   /* the comparison covered the missing code -99 */
    assert_true(col(x, "weight")->num[1] == 1.2535);
    brisk_dataset_free(x);
    brisk_dataset_free(c);
}

static void test_xlsx_faults(void **state)
{
    (void)state;
    expect_file_error(BAD_DIR "xlsx-encrypted.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-encrypted.xlsx", "encrypted");
    expect_file_error(BAD_DIR "xlsx-truncated.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-truncated.xlsx", "not a readable zip archive");
    expect_file_error(BAD_DIR "xlsx-no-workbook.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-no-workbook.xlsx", "no xl/workbook.xml");
    expect_file_error(BAD_DIR "xlsx-bomb.xlsx", NULL, BRISK_ERR_LIMIT,
                      "xlsx-bomb.xlsx:xl/worksheets/sheet1.xml", "zip bomb");
    expect_file_error(BAD_DIR "xlsx-huge-part.xlsx", NULL, BRISK_ERR_LIMIT,
                      "xlsx-huge-part.xlsx:xl/sharedStrings.xml", "256 MiB");
    expect_file_error(BAD_DIR "xlsx-entities.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-entities.xlsx:xl/workbook.xml", "<!DOCTYPE");
    expect_file_error(BAD_DIR "xlsx-bad-xml.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-bad-xml.xlsx:xl/worksheets/sheet1.xml", "not well-formed XML");
    expect_file_error(BAD_DIR "xlsx-no-sheet-part.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-no-sheet-part.xlsx", "no part xl/worksheets/sheet1.xml");
    expect_file_error(BAD_DIR "xlsx-empty-name.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-empty-name.xlsx", "cell B1: column 2 has an empty name");
    expect_file_error(BAD_DIR "xlsx-no-name.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-no-name.xlsx", "cell E3: a value in a column with no name");
    expect_file_error(BAD_DIR "xlsx-bad-reference.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-bad-reference.xlsx", "'A3' is not a cell of row 2");
    expect_file_error(BAD_DIR "xlsx-bad-number.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-bad-number.xlsx", "cell B2: '4x' is not a number");
    expect_file_error(BAD_DIR "xlsx-bad-shared.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-bad-shared.xlsx", "shared string 7 does not exist");
    expect_file_error(BAD_DIR "xlsx-header-only.xlsx", NULL, BRISK_ERR_FORMAT,
                      "xlsx-header-only.xlsx", "no data rows after the header");
    brisk_read_options skip = {.skip = 5};
    expect_file_error(BAD_DIR "xlsx-two-sheets.xlsx", &skip, BRISK_ERR_FORMAT,
                      "xlsx-two-sheets.xlsx", "row 6, the header row, is empty");

    /* from memory: neither a zip nor an OLE file */
    brisk_io io;
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_io_memory(&io, "id,tg1\n1,4\n", 11, "csv-named.xlsx"), BRISK_OK);
    assert_int_equal(brisk_read_xlsx(&io, NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_non_null(strstr(err.message, "not an .xlsx workbook"));
    assert_string_equal(err.file, "csv-named.xlsx");
    brisk_io_close(&io);
}

/* ------------------------------------------------------------ European CSV */

static void test_decimal_comma(void **state)
{
    (void)state;
    brisk_read_options opt = {.decimal = ','};
    /* ';' is detected even though the commas outnumber it */
    brisk_dataset *ds = csv_ok("id;weight;city\n1;1,25;\"Jinan, Shandong\"\n2;0,875;Weihai\n"
                               "3;-2,5e1;NA\n", &opt);
    assert_int_equal(ds->ncols, 3);
    const brisk_column *w = col(ds, "weight");
    assert_int_equal(w->type, BRISK_NUMERIC);
    assert_true(w->num[0] == 1.25 && w->num[1] == 0.875 && w->num[2] == -25);
    assert_string_equal(col(ds, "city")->str[0], "Jinan, Shandong");
    brisk_dataset_free(ds);

    /* a '.' is no decimal mark then: the column is text (as R's read.csv2) */
    ds = csv_ok("id;x\n1;1.5\n2;2\n", &opt);
    assert_int_equal(col(ds, "x")->type, BRISK_STRING);
    brisk_dataset_free(ds);

    /* without decimal = , the same file's weight is text, and the hint says why */
    ds = csv_ok("id;weight\n1;1,25\n2;NA\n3;2\n", NULL);
    w = col(ds, "weight");
    assert_int_equal(w->type, BRISK_STRING);
    assert_non_null(strstr(brisk_column_decimal_hint(w, ds->nrows), "decimal = ,"));
    assert_string_equal(brisk_column_decimal_hint(col(ds, "id"), ds->nrows), "");
    brisk_dataset_free(ds);
    ds = csv_ok("id;town\n1;1,25\n2;Yantai\n", NULL);
    assert_string_equal(brisk_column_decimal_hint(col(ds, "town"), ds->nrows), "");
    brisk_dataset_free(ds);

    /* ',' cannot be both */
    brisk_read_options both = {.decimal = ',', .delimiter = ','};
    brisk_error err;
    ds = NULL;
    assert_int_equal(read_csv_text("a,b\n1,2\n", &both, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "both the delimiter and the decimal mark"));
    brisk_read_options bad = {.decimal = ';'};
    assert_int_equal(read_csv_text("a,b\n1,2\n", &bad, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
}

/* The European copy of the rongcheng data (';', decimal comma) reads as
 * the original. */
static void test_european_same_as_csv(void **state)
{
    (void)state;
    brisk_dataset *c = read_path(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv", NULL);
    brisk_buf text = {0};
    for (size_t j = 0; j < c->ncols; j++)
        assert_true(brisk_buf_printf(&text, "%s%s", j ? ";" : "", c->cols[j].name));
    for (size_t i = 0; i < c->nrows; i++) {
        assert_true(brisk_buf_puts(&text, "\n"));
        for (size_t j = 0; j < c->ncols; j++) {
            char buf[64] = "";
            if (!c->cols[j].miss[i])
                snprintf(buf, sizeof buf, "%.17g", c->cols[j].num[i]);
            for (char *p = buf; *p; p++)
                if (*p == '.')
                    *p = ',';
            assert_true(brisk_buf_printf(&text, "%s%s", j ? ";" : "", buf));
        }
    }
    brisk_read_options opt = {.decimal = ','};
    brisk_dataset *e = csv_ok(text.data, &opt);
    assert_int_equal(e->ncols, c->ncols);
    assert_int_equal(e->nrows, c->nrows);
    for (size_t j = 0; j < c->ncols; j++)
        for (size_t i = 0; i < c->nrows; i++) {
            assert_int_equal(e->cols[j].miss[i] != 0, c->cols[j].miss[i] != 0);
            if (!c->cols[j].miss[i])
                assert_memory_equal(&e->cols[j].num[i], &c->cols[j].num[i], sizeof(double));
        }
    brisk_buf_free(&text);
    brisk_dataset_free(c);
    brisk_dataset_free(e);
}

/* ------------------------------------------------------------ header rows */

static void test_skip_and_header_rows(void **state)
{
    (void)state;
    /* Qualtrics: names, question texts, ImportIds; a preamble before them */
    const char *text = "Survey export\n\"generated, 2020\"\n"
                       "id,q1,q2\n"
                       "Response ID,\"How much do you trust the city, overall?\",Age\n"
                       "\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\","
                       "\"{\"\"ImportId\"\":\"\"QID2\"\"}\"\n"
                       "R_1,4,37\nR_2,2,\n";
    brisk_read_options opt = {.skip = 2, .header_rows = 3};
    brisk_dataset *ds = csv_ok(text, &opt);
    assert_int_equal(ds->nrows, 2);
    assert_int_equal(ds->ncols, 3);
    const brisk_column *q1 = col(ds, "q1"), *q2 = col(ds, "q2");
    assert_string_equal(q1->label, "How much do you trust the city, overall?");
    assert_string_equal(col(ds, "id")->label, "Response ID");
    assert_int_equal(q1->type, BRISK_NUMERIC);   /* the text rows do not make it text */
    assert_true(q1->num[0] == 4 && q1->num[1] == 2);
    assert_true(q2->num[0] == 37 && brisk_is_missing(q2, 1));
    brisk_dataset_free(ds);

    /* two header rows: no ImportIds, and the third row is data */
    brisk_read_options two = {.header_rows = 2};
    ds = csv_ok("a;b\nFirst;Second\n1,5;2\n", &two);
    assert_int_equal(ds->nrows, 1);
    assert_string_equal(col(ds, "b")->label, "Second");
    assert_string_equal(col(ds, "a")->str[0], "1,5");
    brisk_dataset_free(ds);

    /* errors keep the file's own line numbers */
    brisk_error err;
    ds = NULL;
    assert_int_equal(read_csv_text("x\nid,q1\nlabel\n1,2\n", &(brisk_read_options){.skip = 1,
                                   .header_rows = 2}, &ds, &err), BRISK_ERR_FORMAT);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "row has 1 fields, the header has 2"));
    assert_int_equal(read_csv_text("id,q1\nlabel,x\n", &(brisk_read_options){.header_rows = 3},
                                   &ds, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "ends within its 3 header rows"));
    assert_int_equal(read_csv_text("a\nb\n", &(brisk_read_options){.skip = 5}, &ds, &err),
                     BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "empty file"));
    assert_int_equal(read_csv_text("a\n1\n", &(brisk_read_options){.skip = 101}, &ds, &err),
                     BRISK_ERR_ARGUMENT);
    assert_null(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_types),
        cmocka_unit_test(test_xlsx_first_sheet),
        cmocka_unit_test(test_xlsx_unknown_sheet),
        cmocka_unit_test(test_xlsx_inline_and_header_rows),
        cmocka_unit_test(test_xlsx_same_as_csv),
        cmocka_unit_test(test_xlsx_faults),
        cmocka_unit_test(test_decimal_comma),
        cmocka_unit_test(test_european_same_as_csv),
        cmocka_unit_test(test_skip_and_header_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
