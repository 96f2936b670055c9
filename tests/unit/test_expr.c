/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expressions over a dataset's rows (brisk/expr.h): values, R's
 * missing-value logic, value labels, filters, and the errors of bad text. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk.h"

/* a: 1 2 NaN 4; b: 2 2 2 NaN; s: "x" "y" "" (missing) "x"; g: 1 2 1 2 with
 * labels 1 = female, 2 = male; `Trust 1`: 5 4 3 2; 城市: 1 0 1 0 */
static brisk_dataset *sample(void)
{
    brisk_dataset *ds = brisk_dataset_new(4);
    const double a[] = {1, 2, NAN, 4}, b[] = {2, 2, 2, NAN}, g[] = {1, 2, 1, 2},
                 t[] = {5, 4, 3, 2}, c[] = {1, 0, 1, 0};
    const char *names[] = {"a", "b", "g", "Trust 1", "\xe5\x9f\x8e\xe5\xb8\x82"};
    const double *cols[] = {a, b, g, t, c};
    size_t j;
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(brisk_dataset_add_column(ds, names[k], BRISK_NUMERIC, &j, NULL),
                         BRISK_OK);
        for (size_t i = 0; i < 4; i++)
            if (!isnan(cols[k][i]))
                brisk_column_set_number(&ds->cols[j], i, cols[k][i]);
    }
    assert_int_equal(brisk_column_add_label(&ds->cols[2], 1, NULL, "female"), BRISK_OK);
    assert_int_equal(brisk_column_add_label(&ds->cols[2], 2, NULL, "male"), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "s", BRISK_STRING, &j, NULL), BRISK_OK);
    const char *s[] = {"x", "y", NULL, "x"};
    for (size_t i = 0; i < 4; i++)
        if (s[i])
            assert_int_equal(brisk_column_set_string(&ds->cols[j], i, s[i]), BRISK_OK);
    return ds;
}

/* The values of text on the sample's rows (NaN: missing). */
static void values(const char *text, const double want[4])
{
    brisk_dataset *ds = sample();
    brisk_expr *e = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_expr_parse(text, &e, &err), BRISK_OK);
    assert_int_equal(brisk_expr_bind(e, ds, &err), BRISK_OK);
    for (size_t i = 0; i < 4; i++) {
        double x = brisk_expr_value(e, ds, i);
        if (isnan(want[i]))
            assert_true(isnan(x));
        else
            assert_float_equal(x, want[i], 1e-12);
    }
    brisk_expr_free(e);
    brisk_dataset_free(ds);
}

static void test_arithmetic(void **state)
{
    (void)state;
    values("a + b * 2", (double[]){5, 6, NAN, NAN});
    values("(a + b) * 2", (double[]){6, 8, NAN, NAN});
    values("-2^2 + a", (double[]){-3, -2, NAN, 0});      /* -(2^2), as R */
    values("2^3^2", (double[]){512, 512, 512, 512});     /* right to left */
    values("a / (b - 2)", (double[]){NAN, NAN, NAN, NAN}); /* x/0: missing */
    values("1.5e1 - .5", (double[]){14.5, 14.5, 14.5, 14.5});
    values("log(a) + sqrt(4) + abs(-1)", (double[]){3, 3 + log(2), NAN, 3 + log(4)});
    values("log(a - 1)", (double[]){NAN, 0, NAN, log(3)}); /* log of 0: missing */
    values("`Trust 1` - \xe5\x9f\x8e\xe5\xb8\x82", (double[]){4, 4, 2, 2});
}

static void test_scores(void **state)
{
    (void)state;
    values("mean(a, b)", (double[]){1.5, 2, NAN, NAN});
    values("mean.1(a, b)", (double[]){1.5, 2, 2, 4});      /* SPSS's MEAN */
    values("sum(a, b, 1)", (double[]){4, 5, NAN, NAN});
    values("sum.2(a, b, 1)", (double[]){4, 5, 3, 5});
    values("min(a, b)", (double[]){1, 2, NAN, NAN});
    values("max.1(a, b)", (double[]){2, 2, 2, 4});
}

static void test_logic(void **state)
{
    (void)state;
    values("a >= 2", (double[]){0, 1, NAN, 1});
    values("a >= 2 & b == 2", (double[]){0, 1, NAN, NAN});
    values("a >= 2 | b == 2", (double[]){1, 1, 1, 1});    /* NA | TRUE is TRUE */
    values("a > 5 & b == 2", (double[]){0, 0, NAN, 0});   /* FALSE & NA is FALSE */
    values("!(a == 1)", (double[]){0, 1, NAN, 1});
    values("missing(a) || is.na(b)", (double[]){0, 0, 1, 1});
    values("a != 1 && a <= 2", (double[]){0, 1, NAN, 0});
    values("s == 'x'", (double[]){1, 0, NAN, 1});
    values("s != \"x\" | missing(s)", (double[]){0, 1, 1, 0});
    values("g == 'male'", (double[]){0, 1, 0, 1});         /* by the value label */
    values("g == 2", (double[]){0, 1, 0, 1});
}

static void test_filter(void **state)
{
    (void)state;
    brisk_dataset *ds = sample();
    size_t kept;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_dataset_filter(ds, "a >= 2 | s == 'x'", &kept, &err), BRISK_OK);
    assert_int_equal(kept, 3);   /* rows 1, 2, 4: row 3's condition is NA | NA */
    assert_int_equal(ds->nrows, 3);
    assert_float_equal(ds->cols[0].num[2], 4, 0);
    assert_string_equal(ds->cols[5].str[1], "y");
    assert_string_equal(ds->cols[5].str[2], "x");
    assert_true(brisk_is_missing(&ds->cols[1], 2));
    /* not a condition */
    assert_int_equal(brisk_dataset_filter(ds, "a + 1", &kept, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "not a condition"));
    assert_int_equal(ds->nrows, 3);
    brisk_dataset_free(ds);
}

/* text fails to parse or bind with status, at character column, with a
 * message holding part. */
static void refused(const char *text, brisk_status status, long column, const char *part)
{
    brisk_dataset *ds = sample();
    brisk_expr *e = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status st = brisk_expr_parse(text, &e, &err);
    if (st == BRISK_OK)
        st = brisk_expr_bind(e, ds, &err);
    if (st != status || !strstr(err.message, part) || err.column != column)
        fail_msg("'%s': status %d column %ld: %s", text, st, err.column, err.message);
    brisk_expr_free(e);
    brisk_dataset_free(ds);
}

static void test_errors(void **state)
{
    (void)state;
    refused("", BRISK_ERR_FORMAT, 1, "empty");
    refused("a >= ", BRISK_ERR_FORMAT, 6, "ends where a value is expected");
    refused("(a > 1", BRISK_ERR_FORMAT, 1, "unbalanced parentheses");
    refused("a > 1)", BRISK_ERR_FORMAT, 6, "closes nothing");
    refused("a = 1", BRISK_ERR_FORMAT, 3, "write '=='");
    refused("s == 'x", BRISK_ERR_FORMAT, 6, "no closing quote");
    refused("`Trust 1 > 2", BRISK_ERR_FORMAT, 1, "no closing backtick");
    refused("foo(a)", BRISK_ERR_FORMAT, 1, "unknown function 'foo'");
    refused("mean.3(a, b)", BRISK_ERR_FORMAT, 1, "asks for 3 answers of 2");
    refused("log(a, b)", BRISK_ERR_FORMAT, 1, "takes one argument");
    refused("mean(a b)", BRISK_ERR_FORMAT, 8, "expected ',' or ')' in the call of mean()");
    refused("a > 1 b", BRISK_ERR_FORMAT, 7, "unexpected 'b'");
    refused("acc_{b} > 1", BRISK_ERR_FORMAT, 5, "{b} stands for a behaviour");
    refused("agee > 1", BRISK_ERR_COLUMN, 1, "'agee' is not a column");
    refused("s > 1", BRISK_ERR_VALUE, 1, "text column");
    refused("s + 1", BRISK_ERR_VALUE, 1, "is text");
    refused("g == 'other'", BRISK_ERR_VALUE, 6, "not a value label of 'g'");
    refused("a == 'x'", BRISK_ERR_VALUE, 6, "compare it with a number");
    /* bounded: nesting and operators */
    char deep[512];
    memset(deep, '(', 300);
    strcpy(deep + 300, "a");
    refused(deep, BRISK_ERR_LIMIT, 101, "nests too deep");
    size_t n = 8 * 3000;   /* 6,000 '+': the 5,001st is refused */
    char *chain = malloc(n + 2);
    for (size_t i = 0; i < 3000; i++)
        memcpy(chain + 8 * i, "a + 1 + ", 8);
    strcpy(chain + n, "a");
    refused(chain, BRISK_ERR_LIMIT, 20003, "more than 5000 operators");
    free(chain);
}

/* Expressions nobody here wrote: tests/reference/expr/make.R draws 400
 * from a seeded grammar (arithmetic, functions, mean.N, three-valued
 * logic, text comparisons) and R evaluates them on data.csv; brisk must
 * give R's value in every row. */
static void test_random_against_r(void **state)
{
    (void)state;
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_read_file(TEST_SRCDIR "/tests/reference/expr/data.csv", NULL, &ds, &err))
        fail_msg("data.csv: %s", err.message);
    FILE *fp = fopen(TEST_SRCDIR "/tests/reference/expr/cases.tsv", "r");
    assert_non_null(fp);
    char line[8192];
    size_t ncases = 0;
    while (fgets(line, sizeof line, fp)) {
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        brisk_expr *e = NULL;
        if (brisk_expr_parse(line, &e, &err) || brisk_expr_bind(e, ds, &err))
            fail_msg("%s: %s", line, err.message);
        char *p = tab + 1;
        for (size_t i = 0; i < ds->nrows; i++) {
            char *end;
            while (*p == ' ')
                p++;
            double want = strncmp(p, "NA", 2) == 0 ? NAN : strtod(p, &end);
            p = want != want ? p + 2 : end;
            double got = brisk_expr_value(e, ds, i);
            if (isnan(want) != isnan(got) ||
                (!isnan(want) && fabs(got - want) > 1e-10 * (1 + fabs(want))))
                fail_msg("%s, row %zu: brisk %.17g, R %.17g", line, i + 1, got, want);
        }
        brisk_expr_free(e);
        ncases++;
    }
    fclose(fp);
    assert_int_equal(ncases, 400);
    brisk_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic), cmocka_unit_test(test_scores),
        cmocka_unit_test(test_logic),      cmocka_unit_test(test_filter),
        cmocka_unit_test(test_errors),     cmocka_unit_test(test_random_against_r),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
