/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Word writer: documents written and read back with libzip; text XML
 * cannot hold (bad UTF-8, U+FFFF, control characters) repaired, long text
 * kept whole, tables without columns, and the error paths. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <cmocka.h>
#include "brisk.h"

typedef struct docx_fixture {
    char dir[64];
    char path[128];
} docx_fixture;

static int setup(void **state)
{
    docx_fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/brisk_docx_XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/t.docx", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    docx_fixture *fx = *state;
    unlink(fx->path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* One part of the package, NUL-terminated; the caller frees it. */
static char *read_part(const char *path, const char *name)
{
    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &code);
    assert_non_null(za);
    zip_stat_t sb;
    assert_int_equal(zip_stat(za, name, 0, &sb), 0);
    char *data = malloc(sb.size + 1);
    assert_non_null(data);
    zip_file_t *f = zip_fopen(za, name, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, data, sb.size), (zip_int64_t)sb.size);
    data[sb.size] = '\0';
    zip_fclose(f);
    zip_close(za);
    return data;
}

/* A table of one text column and one p-value column, its cells given. */
static brisk_table_list *one_table(const char *title, const char *text, double p)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_table *t = brisk_table_new("test.one", title);
    assert_int_equal(brisk_table_add_column(t, "what", "What", BRISK_CELL_TEXT, 0), 0);
    assert_int_equal(brisk_table_add_column(t, "p", "p", BRISK_CELL_PVALUE, 0), 1);
    size_t r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, text), BRISK_OK);
    brisk_table_set_num(t, r, 1, p);
    assert_int_equal(brisk_table_add_note(t, "Two-sided p = %.3f.", 0.0417), BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
    return list;
}

static char *write_document(docx_fixture *fx, const brisk_table_list *list)
{
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_tables_file(fx->path, BRISK_OUT_DOCX, list, &err), BRISK_OK);
    return read_part(fx->path, "word/document.xml");
}

static void test_repairs_text(void **state)
{
    /* a stray byte, U+FFFF, a bell, a truncated sequence at the end */
    brisk_table_list *list =
        one_table("Title \xEF\xBF\xBF<x>", "a\xFF" "b\a&c\xE4\xBF", 0.000183);
    char *doc = write_document(*state, list);
    /* a byte of a broken sequence is replaced on its own */
    assert_non_null(strstr(doc, ">a\xEF\xBF\xBD" "b&amp;c\xEF\xBF\xBD\xEF\xBF\xBD<"));
    assert_non_null(strstr(doc, ">Title \xEF\xBF\xBD&lt;x&gt;<"));
    assert_non_null(strstr(doc, ">&lt; .001<"));
    assert_null(strchr(doc, '\a'));
    assert_non_null(strstr(doc, "<w:t xml:space=\"preserve\">Note.</w:t>"));
    assert_non_null(strstr(doc, "Two-sided p = 0.042."));
    free(doc);
    brisk_table_list_free(list);
}

static void test_long_text_and_breaks(void **state)
{
    size_t n = 200000;   /* far beyond any buffer of a line */
    char *text = malloc(n + 8);
    assert_non_null(text);
    memset(text, 'q', n);
    memcpy(text + n, "\r\nz", 4);
    brisk_table_list *list = one_table("Long", text, 0.0417);
    char *doc = write_document(*state, list);
    char *at = strstr(doc, "qqqq");
    assert_non_null(at);
    assert_int_equal(strspn(at, "q"), n);
    /* \r\n is one break */
    assert_non_null(strstr(at + n, "</w:t><w:br/><w:t xml:space=\"preserve\">z</w:t>"));
    assert_non_null(strstr(doc, ">.042<"));
    free(doc);
    free(text);
    brisk_table_list_free(list);
}

static void test_no_columns_and_title(void **state)
{
    brisk_table_list *list = brisk_table_list_new();
    assert_int_equal(brisk_table_list_add(list, brisk_table_new("test.empty", "Empty")), BRISK_OK);
    assert_int_equal(brisk_table_list_set_title(list, "A study & its tables"), BRISK_OK);
    assert_int_equal(brisk_table_list_warn(list, "a warning of %d draws", 12), BRISK_OK);
    char *doc = write_document(*state, list);
    assert_null(strstr(doc, "<w:tbl>"));   /* a Word table needs a column */
    assert_non_null(strstr(doc, ">A study &amp; its tables<"));
    assert_non_null(strstr(doc, ">a warning of 12 draws<"));
    free(doc);
    docx_fixture *fx = *state;
    char *core = read_part(fx->path, "docProps/core.xml");
    assert_non_null(strstr(core, "<dc:title>A study &amp; its tables</dc:title>"));
    free(core);
    brisk_table_list_free(list);
}

static void test_errors(void **state)
{
    (void)state;
    brisk_table_list *list = one_table("T", "x", 0.5);
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_tables(stdout, BRISK_OUT_DOCX, list, &err), BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "-o FILE.docx"));
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_tables_file("/nonexistent-dir/x.docx", BRISK_OUT_DOCX, list, &err),
                     BRISK_ERR_WRITE);
    assert_string_equal(err.file, "/nonexistent-dir/x.docx");
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_docx("", list, &err), BRISK_ERR_ARGUMENT);
    brisk_output_format f;
    assert_true(brisk_output_format_from_path("R.DOCX", &f));
    assert_int_equal(f, BRISK_OUT_DOCX);
    assert_true(brisk_output_format_parse("docx", &f));
    assert_int_equal(f, BRISK_OUT_DOCX);
    brisk_table_list_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_repairs_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_text_and_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_columns_and_title, setup, teardown),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
