/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fisher's exact test (stats/fisher.c) against R's fisher.test and a plain
 * enumeration of the tables, tests/reference/fisher/values.csv: 2 x 2
 * tables (Agresti's tea tasting, zeros, ties, n = 300), 2 x 3 to 4 x 4
 * (Agresti's job satisfaction), empty rows and columns, 2 x 5 and 5 x 2
 * with n = 150, 2 x 6 with n = 300; then the same p for the table
 * transposed and permuted, and the errors and limits. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk.h"
#include "ref_helpers.h"
#include "stats/fisher.h"

static brisk_dataset *values;

/* The counts of reference row i (row-major, space-separated) into x. */
static size_t counts(size_t i, double *x, size_t max)
{
    const char *text = ref_text(values, "counts", i);
    size_t n = 0;
    for (char *end; *text && n < max; text = end) {
        x[n++] = strtod(text, &end);
        if (end == text)
            fail_msg("row %zu: bad counts", i + 1);
    }
    return n;
}

static double p_of(const double *x, size_t rows, size_t cols)
{
    double p;
    brisk_error err;
    if (brisk_fisher_exact(x, rows, cols, &p, &err) != BRISK_OK)
        fail_msg("%zu x %zu: %s", rows, cols, err.message);
    return p;
}

/* relative to the reference, absolute below 1e-3 */
static void near(double got, double want, double tol, const char *what, const char *table)
{
    if (!(fabs(got - want) <= tol * fmax(want, 1e-3)))
        fail_msg("%s, %s: brisk %.15g, R %.15g", table, what, got, want);
}

static void test_reference(void **state)
{
    (void)state;
    const brisk_column *fisher = brisk_dataset_find(values, "fisher_p");
    const brisk_column *exact = brisk_dataset_find(values, "exact_p");
    assert_non_null(fisher);
    assert_non_null(exact);
    assert_int_equal(values->nrows, 18);
    for (size_t i = 0; i < values->nrows; i++) {
        double x[64];
        size_t rows = (size_t)brisk_dataset_find(values, "rows")->num[i];
        size_t cols = (size_t)brisk_dataset_find(values, "cols")->num[i];
        assert_int_equal(counts(i, x, 64), rows * cols);
        const char *name = ref_text(values, "table", i);
        double p = p_of(x, rows, cols);
        /* FEXACT merges paths within 3.45e-7, so it is near but not exact */
        near(p, fisher->num[i], 1e-9, "fisher.test", name);
        if (!brisk_is_missing(exact, i))
            near(p, exact->num[i], 1e-11, "enumerated", name);
    }
}

/* The simulated p (fisher.test's simulate.p.value) of every reference
 * table is within four Monte Carlo standard errors of R's exact p, and
 * the same seed gives the same p. */
static void test_simulated(void **state)
{
    (void)state;
    const brisk_column *fisher = brisk_dataset_find(values, "fisher_p");
    for (size_t i = 0; i < values->nrows; i++) {
        double x[64], p, again;
        size_t rows = (size_t)brisk_dataset_find(values, "rows")->num[i];
        size_t cols = (size_t)brisk_dataset_find(values, "cols")->num[i];
        counts(i, x, 64);
        brisk_error err;
        brisk_status st = brisk_fisher_simulated(x, rows, cols, 4000, 11, &p, &err);
        if (st == BRISK_ERR_DATA)
            continue; /* every count zero: R fails too */
        assert_int_equal(st, BRISK_OK);
        double want = fisher->num[i], se = sqrt(fmax(want * (1 - want), 1e-4) / 4000);
        if (!(fabs(p - want) <= 4 * se + 1.0 / 4001))
            fail_msg("%s: simulated %.6g, exact %.6g (MC SE %.2g)", ref_text(values, "table", i),
                     p, want, se);
        assert_int_equal(brisk_fisher_simulated(x, rows, cols, 4000, 11, &again, &err), BRISK_OK);
        assert_true(p == again);
    }
}

/* The p does not depend on the order of rows and columns, nor on which
 * side is the rows. */
static void test_symmetry(void **state)
{
    (void)state;
    static const double job[16] = {1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11};
    double t[16], perm[16];
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            t[j * 4 + i] = job[i * 4 + j];
            perm[((i + 2) % 4) * 4 + (3 - j)] = job[i * 4 + j];
        }
    double p = p_of(job, 4, 4);
    near(p_of(t, 4, 4), p, 1e-12, "transposed", "job");
    near(p_of(perm, 4, 4), p, 1e-12, "permuted", "job");
    static const double wide[12] = {4, 2, 0, 6, 1, 5, 3, 2, 7, 1, 4, 3};
    double tall[12];
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            tall[j * 3 + i] = wide[i * 4 + j];
    near(p_of(tall, 4, 3), p_of(wide, 3, 4), 1e-12, "transposed", "t3x4");
}

static void expect_error(const double *x, size_t rows, size_t cols, brisk_status want)
{
    double p = 0.5;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_fisher_exact(x, rows, cols, &p, &err), want);
    assert_int_equal(err.status, want);
    assert_true(err.message[0] != '\0');
    assert_true(isnan(p));
    assert_int_equal(brisk_fisher_exact(x, rows, cols, &p, NULL), want);
}

/* As R: fewer than 2 rows or columns and an all-zero table are errors,
 * one non-empty row or column gives p = 1; and counts must be whole. */
static void test_edges(void **state)
{
    (void)state;
    double row[3] = {1, 2, 3};
    expect_error(row, 1, 3, BRISK_ERR_ARGUMENT);
    expect_error(row, 3, 1, BRISK_ERR_ARGUMENT);
    expect_error(NULL, 2, 2, BRISK_ERR_ARGUMENT);
    assert_int_equal(brisk_fisher_exact(row, 2, 2, NULL, NULL), BRISK_ERR_ARGUMENT);
    double zero[6] = {0};
    expect_error(zero, 2, 3, BRISK_ERR_DATA);
    static const double bad[] = {-1, 0.5, NAN, INFINITY};
    for (size_t k = 0; k < 4; k++) {
        double x[4] = {3, 1, 1, 3};
        x[k] = bad[k];
        expect_error(x, 2, 2, BRISK_ERR_VALUE);
    }
    double one_row[6] = {0, 0, 0, 3, 1, 2}, one_col[6] = {0, 4, 0, 0, 0, 0};
    near(p_of(one_row, 2, 3), 1, 0, "one row", "edges");
    near(p_of(one_col, 3, 2), 1, 0, "one cell", "edges");
    double only[4] = {5, 0, 0, 0};
    near(p_of(only, 2, 2), 1, 0, "one cell", "edges");
}

/* Too many counts, too many cells, too much work: BRISK_ERR_LIMIT. */
static void test_limits(void **state)
{
    (void)state;
    double big[4] = {300000, 300000, 300000, 300001};
    expect_error(big, 2, 2, BRISK_ERR_LIMIT);
    size_t cols = BRISK_FISHER_MAX_CELLS / 2 + 1;
    double *wide = malloc(2 * cols * sizeof *wide);
    assert_non_null(wide);
    for (size_t k = 0; k < 2 * cols; k++)
        wide[k] = 1;
    expect_error(wide, 2, cols, BRISK_ERR_LIMIT);
    free(wide);
    /* 2 x 6 with n = 2000: beyond the bound on the work (R's fisher.test
     * fails too, "FEXACT error 7" even with a workspace of 2e8) */
    static const double large[12] = {174, 193, 165, 224, 180, 204,
                                     76, 155, 221, 140, 188, 80};
    brisk_error err;
    double p;
    assert_int_equal(brisk_fisher_exact(large, 2, 6, &p, &err), BRISK_ERR_LIMIT);
    assert_non_null(strstr(err.message, "too large for the exact test"));
}

int main(void)
{
    values = read_csv(TEST_SRCDIR "/tests/reference/fisher/values.csv");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_symmetry),
        cmocka_unit_test(test_simulated),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_limits),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    brisk_dataset_free(values);
    return failed;
}
