/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Core helpers: numbers, UTF-8, errors, memory io, the dataset. */
#include <config.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk.h"
#include "core/util.h"

static void test_parse_number(void **state)
{
    (void)state;
    double x;
    assert_true(brisk_parse_number("2.385", 5, &x));
    assert_true(x == 2.385);
    assert_true(brisk_parse_number("  -0.125 ", 9, &x));
    assert_true(x == -0.125);
    assert_true(brisk_parse_number("1e-3", 4, &x));
    assert_true(x == 1e-3);
    assert_true(brisk_parse_number("+.5", 3, &x));
    assert_true(x == 0.5);
    assert_true(brisk_parse_number("7.", 2, &x));
    assert_true(x == 7.0);
    assert_true(brisk_parse_number("98", 1, &x)); /* only the first byte */
    assert_true(x == 9.0);
    const char *bad[] = {"", " ", "abc", "1,5", "1e", "--1", ".", "0x1A", "inf", "nan",
                         "1 2", "1.2.3", "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(brisk_parse_number(bad[i], strlen(bad[i]), &x));
}

static void test_parse_number_in_a_comma_locale(void **state)
{
    (void)state;
    /* Survives a program that has set a locale with a decimal comma (where
     * the machine has one installed; otherwise the C locale is checked). */
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8"))
        setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    double x;
    assert_true(brisk_parse_number("3.0625", 6, &x));
    assert_true(x == 3.0625);
    char buf[32];
    assert_string_equal(brisk_format_double(0.1, buf), "0.1");
    setlocale(LC_NUMERIC, "C");
}

static void test_format_double_round_trips(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(brisk_format_double(0.1, buf), "0.1");
    assert_string_equal(brisk_format_double(85.306, buf), "85.306");
    assert_string_equal(brisk_format_double(-3737.745, buf), "-3737.745");
    assert_string_equal(brisk_format_double(1e-300, buf), "1e-300");
    double third = 1.0 / 3.0, back;
    brisk_format_double(third, buf);
    assert_true(brisk_parse_number(buf, strlen(buf), &back));
    assert_true(back == third);
    assert_string_equal(brisk_format_double(NAN, buf), "nan");
}

static void test_utf8(void **state)
{
    (void)state;
    const char good[] = "信任 café";
    assert_int_equal(brisk_utf8_invalid_at(good, strlen(good)), (size_t)-1);
    assert_int_equal(brisk_utf8_invalid_at("ab\xe9z", 4), 2);          /* latin1 é */
    assert_int_equal(brisk_utf8_invalid_at("\xc0\x80", 2), 0);         /* overlong */
    assert_int_equal(brisk_utf8_invalid_at("x\xed\xa0\x80", 4), 1);    /* surrogate */
    assert_int_equal(brisk_utf8_invalid_at("\xe4\xbf", 2), 0);         /* truncated */
    assert_int_equal(brisk_utf8_width("信任 café"), 9);
    assert_int_equal(brisk_utf8_width(""), 0);
}

static void test_buf_and_grow(void **state)
{
    (void)state;
    brisk_buf b = {0};
    for (int i = 0; i < 500; i++)
        assert_true(brisk_buf_printf(&b, "%d,", i));
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    brisk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    brisk_buf_free(&b);
    int *v = NULL;
    size_t cap = 0;
    assert_true(brisk_grow((void **)&v, &cap, 1000, sizeof *v));
    assert_true(cap >= 1000);
    assert_false(brisk_grow((void **)&v, &cap, SIZE_MAX / 2, sizeof *v));
    free(v);
    assert_true(brisk_ends_with_ci("data.SAV", ".sav"));
    assert_false(brisk_ends_with_ci("sav", ".sav"));
}

static void test_error_record(void **state)
{
    (void)state;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_error_set(&err, BRISK_ERR_COLUMN, "column '%s' not found", "pb1"),
                     BRISK_ERR_COLUMN);
    brisk_error_at(&err, "r.survey", 14, 12);
    brisk_error_variable(&err, "pb1");
    char buf[256];
    assert_string_equal(brisk_error_format(&err, buf, sizeof buf),
                        "r.survey:14:12: column 'pb1' not found");
    assert_string_equal(err.variable, "pb1");
    brisk_error_clear(&err);
    err.status = BRISK_ERR_WRITE;
    assert_string_equal(brisk_error_format(&err, buf, sizeof buf), "cannot write output");
    assert_string_equal(brisk_strerror(BRISK_OK), "success");
    assert_string_equal(brisk_strerror((brisk_status)999), "unknown status");
    for (int s = 0; s < BRISK_STATUS_COUNT; s++)
        assert_non_null(brisk_strerror((brisk_status)s));
    /* A NULL record is allowed everywhere. */
    assert_int_equal(brisk_error_set(NULL, BRISK_ERR_DATA, "x"), BRISK_ERR_DATA);
    brisk_error_at(NULL, "f", 1, 1);
}

static void test_memory_io(void **state)
{
    (void)state;
    const char data[] = "0123456789";
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, data, 10, NULL), BRISK_OK);
    assert_string_equal(io.name, "<memory>");
    char buf[8];
    assert_int_equal(io.read(io.ctx, buf, 4), 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(io.seek(io.ctx, 8), 0);
    assert_int_equal(io.read(io.ctx, buf, 8), 2);
    assert_int_equal(io.read(io.ctx, buf, 8), 0);
    assert_int_equal(io.seek(io.ctx, 11), -1);
    assert_int_equal(io.size(io.ctx), 10);
    brisk_io_close(&io);
    brisk_io_close(&io);  /* twice is safe */
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_io_open_file(&io, "/nonexistent/brisk.csv", &err), BRISK_ERR_OPEN);
    assert_string_equal(err.file, "/nonexistent/brisk.csv");
    assert_non_null(strstr(err.message, "No such file"));
    assert_int_equal(brisk_io_open_file(&io, "/tmp", &err), BRISK_ERR_OPEN);
}

static void test_dataset(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(3);
    size_t j;
    brisk_error err;
    assert_int_equal(brisk_dataset_add_column(ds, "q1", BRISK_NUMERIC, &j, &err), BRISK_OK);
    assert_int_equal(j, 0);
    assert_int_equal(brisk_dataset_add_column(ds, "city", BRISK_STRING, &j, &err), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "q1", BRISK_STRING, &j, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "'q1' appears twice"));
    brisk_column *q = brisk_dataset_find(ds, "q1"), *city = brisk_dataset_find(ds, "city");
    assert_true(brisk_is_missing(q, 2) && isnan(q->num[2]));
    brisk_column_set_number(q, 0, 4.25);
    brisk_column_set_number(q, 1, 99);
    assert_int_equal(brisk_column_add_missing_range(q, 98, 99), BRISK_OK);
    assert_true(brisk_column_is_user_missing_value(q, 98.5));
    assert_false(brisk_column_is_user_missing_value(q, 97.9));
    brisk_column_set_missing(q, 1, BRISK_MISS_USER);
    brisk_column_set_missing(q, 2, BRISK_MISS_TAGGED + 1);
    assert_int_equal(brisk_missing_tag(q->miss[2]), 'b');
    assert_int_equal(brisk_missing_tag(BRISK_MISS_TAGGED + 26), '_');
    assert_int_equal(brisk_missing_tag(BRISK_MISS_USER), 0);
    size_t counts[3];
    brisk_column_count_missing(q, ds->nrows, counts);
    assert_int_equal(counts[0], 0);
    assert_int_equal(counts[1], 1);
    assert_int_equal(counts[2], 1);
    assert_int_equal(brisk_column_add_label(q, 4.25, NULL, "quite"), BRISK_OK);
    assert_string_equal(brisk_column_label_of(q, 4.25), "quite");
    assert_null(brisk_column_label_of(q, 4));
    assert_int_equal(brisk_column_set_string(city, 1, "荣成"), BRISK_OK);
    assert_int_equal(brisk_column_set_string(city, 1, "Rongcheng"), BRISK_OK);
    assert_string_equal(city->str[1], "Rongcheng");
    assert_string_equal(city->str[0], "");
    /* Growing keeps values and fills new rows with missing cells. */
    assert_int_equal(brisk_dataset_resize(ds, 1000), BRISK_OK);
    assert_true(q->num[0] == 4.25);
    assert_true(brisk_is_missing(q, 999) && brisk_is_missing(city, 999));
    assert_string_equal(city->str[1], "Rongcheng");
    assert_int_equal(brisk_dataset_resize(ds, 2), BRISK_OK);
    assert_int_equal(ds->nrows, 2);
    assert_int_equal(brisk_dataset_index(ds, "city"), 1);
    assert_int_equal(brisk_dataset_index(ds, "nope"), (size_t)-1);
    assert_int_equal(brisk_dataset_count_labels(ds), 1);
    brisk_dataset_free(ds);
}

/* "did you mean": the edit distance and the nearest column, two edits at most */
static void test_did_you_mean(void **state)
{
    (void)state;
    assert_int_equal(brisk_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(brisk_edit_distance("gendr", "gender"), 1);
    assert_int_equal(brisk_edit_distance("", "std-lv"), 6);
    assert_int_equal(brisk_edit_distance("school", "school"), 0);
    char longer[70];
    memset(longer, 'x', 69);
    longer[69] = '\0';
    assert_int_equal(brisk_edit_distance(longer, "x"), (size_t)-1);
    brisk_dataset *ds = brisk_dataset_new(1);
    brisk_error err;
    size_t j;
    const char *names[] = {"gender", "age", "school", "weight"};
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(brisk_dataset_add_column(ds, names[k], BRISK_NUMERIC, &j, &err), BRISK_OK);
    assert_string_equal(brisk_dataset_closest(ds, "gendr"), "gender");
    assert_string_equal(brisk_dataset_closest(ds, "shcool"), "school");   /* two edits */
    assert_string_equal(brisk_dataset_closest(ds, "ag"), "age");
    assert_string_equal(brisk_dataset_closest(ds, "wgt"), "age");          /* two edits */
    assert_null(brisk_dataset_closest(ds, "wxyz"));                        /* three or more */
    char buf[300];
    assert_string_equal(brisk_dataset_did_you_mean(ds, "wieght", buf, sizeof buf),
                        " (did you mean 'weight'?)");
    assert_string_equal(brisk_dataset_did_you_mean(ds, "zzzzzz", buf, sizeof buf), "");
    brisk_dataset_free(ds);
}

static void test_dataset_csv_writer(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(2);
    brisk_dataset_add_column(ds, "sex", BRISK_NUMERIC, NULL, NULL);
    brisk_dataset_add_column(ds, "note", BRISK_STRING, NULL, NULL);
    brisk_column *sex = &ds->cols[0];
    brisk_column_set_number(sex, 0, 2);
    brisk_column_add_label(sex, 2, NULL, "male, adult");
    brisk_column_set_string(&ds->cols[1], 0, "said \"no\"");
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_int_equal(brisk_write_dataset_csv(f, ds, ',', false, NULL), BRISK_OK);
    assert_int_equal(brisk_write_dataset_csv(f, ds, ',', true, NULL), BRISK_OK);
    assert_int_equal(brisk_write_value_labels_csv(f, ds, NULL), BRISK_OK);
    fclose(f);
    assert_string_equal(text, "sex,note\n2,\"said \"\"no\"\"\"\n,\n"
                              "sex,note\n\"male, adult\",\"said \"\"no\"\"\"\n,\n"
                              "variable,value,label,user_missing\nsex,2,\"male, adult\",false\n");
    free(text);
    brisk_dataset_free(ds);
}

/* brisk_lookup: every value added is found under its hash, through
 * growth and through a hash shared by many (each candidate in turn). */
static void test_lookup(void **state)
{
    (void)state;
    brisk_lookup t = {0};
    size_t at = BRISK_LOOKUP_NONE;
    assert_int_equal(brisk_lookup_next(&t, 7, &at), BRISK_LOOKUP_NONE);
    for (size_t v = 0; v < 10000; v++)
        assert_true(brisk_lookup_add(&t, brisk_hash_text(BRISK_HASH_START, v % 2 ? "odd" : "") + v, v));
    for (size_t v = 0; v < 10000; v += 997) {
        at = BRISK_LOOKUP_NONE;
        assert_int_equal(brisk_lookup_next(&t, brisk_hash_text(BRISK_HASH_START, v % 2 ? "odd" : "") + v, &at), v);
    }
    /* one hash for 100 values: all found, none twice */
    bool seen[100] = {false};
    for (size_t v = 0; v < 100; v++)
        assert_true(brisk_lookup_add(&t, 42, 20000 + v));
    at = BRISK_LOOKUP_NONE;
    size_t found = 0;
    for (size_t v; (v = brisk_lookup_next(&t, 42, &at)) != BRISK_LOOKUP_NONE;)
        if (v >= 20000) {
            assert_false(seen[v - 20000]);
            seen[v - 20000] = true;
            found++;
        }
    assert_int_equal(found, 100);
    assert_true(t.cap >= 2 * t.n);
    /* the text's end is part of the hash: "ab" + "c" is not "a" + "bc" */
    assert_true(brisk_hash_text(brisk_hash_text(BRISK_HASH_START, "ab"), "c") !=
                brisk_hash_text(brisk_hash_text(BRISK_HASH_START, "a"), "bc"));
    brisk_lookup_free(&t);
    assert_int_equal(t.cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_parse_number_in_a_comma_locale),
        cmocka_unit_test(test_format_double_round_trips),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_buf_and_grow),
        cmocka_unit_test(test_error_record),
        cmocka_unit_test(test_memory_io),
        cmocka_unit_test(test_dataset),
        cmocka_unit_test(test_dataset_csv_writer),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
