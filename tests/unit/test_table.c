/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table type and its writers: text, csv, md, json. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "brisk.h"

/* A small table with every kind of cell and a missing value. */
static brisk_table_list *sample_list(void)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_table *t = brisk_table_new("demo.paths", "Paths, by \"behaviour\"");
    assert_int_equal(brisk_table_add_column(t, "path", "Path", BRISK_CELL_TEXT, 0), 0);
    assert_int_equal(brisk_table_add_column(t, "n", "n", BRISK_CELL_INT, 0), 1);
    assert_int_equal(brisk_table_add_column(t, "est", "Estimate", BRISK_CELL_NUMBER, 3), 2);
    assert_int_equal(brisk_table_add_column(t, "pct", "%", BRISK_CELL_PERCENT, 1), 3);
    assert_int_equal(brisk_table_add_column(t, "p", "p", BRISK_CELL_PVALUE, 0), 4);
    assert_int_equal(brisk_table_set_group(t, 2, "crime"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 3, "crime"), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "accept ~ benefit");
    brisk_table_set_num(t, r, 1, 601);
    brisk_table_set_num(t, r, 2, 0.38549);
    brisk_table_set_num(t, r, 3, 57.25);
    brisk_table_set_num(t, r, 4, 0.0004);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "risk, trust|x");
    brisk_table_set_num(t, r, 1, 598);
    brisk_table_set_num(t, r, 2, -0.0001);
    brisk_table_set_num(t, r, 3, NAN);
    brisk_table_set_num(t, r, 4, 0.0342);
    assert_int_equal(brisk_table_add_note(t, "Listwise n = %d.", 598), BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
    assert_int_equal(brisk_table_list_warn(list, "item %s is constant", "pb2_fees"), BRISK_OK);
    return list;
}

static char *render(brisk_output_format format)
{
    brisk_table_list *list = sample_list();
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, format, list, &err), BRISK_OK);
    fclose(f);
    brisk_table_list_free(list);
    return buf;
}

static void test_format_cell(void **state)
{
    (void)state;
    brisk_table_column num = {.kind = BRISK_CELL_NUMBER, .decimals = 3};
    brisk_table_column p = {.kind = BRISK_CELL_PVALUE};
    brisk_cell c = {.num = -0.0004};
    char buf[64];
    assert_string_equal(brisk_table_format_cell(&num, &c, buf, sizeof buf), "0.000");
    c.num = 2.3856;
    assert_string_equal(brisk_table_format_cell(&num, &c, buf, sizeof buf), "2.386");
    c.num = 0.00099;
    assert_string_equal(brisk_table_format_cell(&p, &c, buf, sizeof buf), "< .001");
    c.num = 0.0415;
    assert_string_equal(brisk_table_format_cell(&p, &c, buf, sizeof buf), ".042");
    c.num = 1.0;
    assert_string_equal(brisk_table_format_cell(&p, &c, buf, sizeof buf), "1.000");
    c.num = NAN;
    assert_string_equal(brisk_table_format_cell(&num, &c, buf, sizeof buf), "");
    c.num = INFINITY;
    assert_string_equal(brisk_table_format_cell(&num, &c, buf, sizeof buf), "");
}

static void test_text_writer(void **state)
{
    (void)state;
    char *out = render(BRISK_OUT_TEXT);
    assert_non_null(strstr(out, "Paths, by \"behaviour\"\n\n"));
    assert_non_null(strstr(out, "\n                       crime\nPath "));
    assert_non_null(strstr(out, "accept ~ benefit  601     0.385  57.2  < .001\n"));
    assert_non_null(strstr(out, "risk, trust|x     598     0.000          .034\n"));
    assert_non_null(strstr(out, "Note. Listwise n = 598.\n"));
    assert_non_null(strstr(out, "Warnings:\n  - item pb2_fees is constant\n"));
    free(out);
}

static void test_csv_writer(void **state)
{
    (void)state;
    char *out = render(BRISK_OUT_CSV);
    assert_string_equal(out, "path,n,est,pct,p\n"
                             "accept ~ benefit,601,0.38549,57.25,0.0004\n"
                             "\"risk, trust|x\",598,-0.0001,,0.0342\n");
    free(out);
}

static void test_md_writer(void **state)
{
    (void)state;
    char *out = render(BRISK_OUT_MD);
    assert_non_null(strstr(out, "### Paths, by \"behaviour\"\n"));
    assert_non_null(strstr(out, "| Path | n | crime Estimate | crime % | p |\n"));
    assert_non_null(strstr(out, "| :--- | ---: | ---: | ---: | ---: |\n"));
    assert_non_null(strstr(out, "| risk, trust\\|x | 598 | 0.000 |  | .034 |\n"));
    assert_non_null(strstr(out, "*Note.* Listwise n = 598.\n"));
    free(out);
}

static void test_json_writer(void **state)
{
    (void)state;
    char *out = render(BRISK_OUT_JSON);
    assert_non_null(strstr(out, "\"brisk\": \"" BRISK_VERSION "\""));
    assert_non_null(strstr(out, "\"title\": \"Paths, by \\\"behaviour\\\"\""));
    assert_non_null(strstr(out, "{\"path\": \"accept ~ benefit\", \"n\": 601, \"est\": 0.38549, "
                                "\"pct\": 57.25, \"p\": 0.0004}"));
    assert_non_null(strstr(out, "\"pct\": null"));
    assert_non_null(strstr(out, "\"group\": \"crime\""));
    assert_non_null(strstr(out, "\"warnings\": [\"item pb2_fees is constant\"]"));
    free(out);
}

static void test_format_names(void **state)
{
    (void)state;
    brisk_output_format f;
    assert_true(brisk_output_format_parse("JSON", &f));
    assert_int_equal(f, BRISK_OUT_JSON);
    assert_true(brisk_output_format_parse("markdown", &f));
    assert_int_equal(f, BRISK_OUT_MD);
    assert_false(brisk_output_format_parse("xls", &f));
    assert_true(brisk_output_format_from_path("out/items.CSV", &f));
    assert_int_equal(f, BRISK_OUT_CSV);
    assert_false(brisk_output_format_from_path("items", &f));
}

static void test_atomic_output(void **state)
{
    (void)state;
    char dir[] = "/tmp/brisk-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    brisk_output out;
    brisk_error err;
    assert_int_equal(brisk_output_open(&out, path, &err), BRISK_OK);
    fputs("a,b\n", out.stream);
    assert_int_not_equal(access(out.temp, F_OK), -1);
    assert_int_equal(access(path, F_OK), -1);   /* nothing at the target yet */
    assert_int_equal(brisk_output_commit(&out, &err), BRISK_OK);
    assert_int_equal(access(path, F_OK), 0);
    remove(path);
    /* An aborted file leaves nothing behind. */
    assert_int_equal(brisk_output_open(&out, path, &err), BRISK_OK);
    fputs("partial", out.stream);
    brisk_output_abort(&out);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0);           /* empty: no temporary file left */
    /* A folder that does not exist. */
    brisk_error_clear(&err);
    assert_int_equal(brisk_output_open(&out, "/nonexistent-brisk/x.csv", &err), BRISK_ERR_WRITE);
    assert_string_equal(err.file, "/nonexistent-brisk/x.csv");
    assert_non_null(strstr(err.message, "cannot create"));
}

static void test_columns_fixed_after_rows(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("x", "x");
    brisk_table_add_column(t, "a", "A", BRISK_CELL_NUMBER, 2);
    brisk_table_add_row(t);
    assert_int_equal(brisk_table_add_column(t, "b", "B", BRISK_CELL_NUMBER, 2), (size_t)-1);
    assert_int_equal(brisk_table_find_column(t, "a"), 0);
    assert_int_equal(brisk_table_find_column(t, "b"), (size_t)-1);
    /* Many rows grow the storage. */
    for (int i = 0; i < 1000; i++)
        brisk_table_set_num(t, brisk_table_add_row(t), 0, i * 0.125);
    assert_true(brisk_table_cell(t, 1000, 0)->num == 999 * 0.125);
    brisk_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_cell),
        cmocka_unit_test(test_text_writer),
        cmocka_unit_test(test_csv_writer),
        cmocka_unit_test(test_md_writer),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_atomic_output),
        cmocka_unit_test(test_columns_fixed_after_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
