/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk compare against the same-respondent bootstrap done by hand with
 * lavaan (tests/reference/compare/), and Holm's adjustment against R's
 * p.adjust. */
#include <config.h>
#include <gsl/gsl_errno.h>
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

#define REF TEST_SRCDIR "/tests/reference/compare/"
#define SURVEY TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey"

/* Monte Carlo tolerances: brisk's 1,000 draws against R's 2,000 (different
 * random numbers).  The relative error of a bootstrap SE is about
 * 1/sqrt(2B) (2.2% and 1.6%), so SEs agree within 15%.  A percentile
 * endpoint's Monte Carlo SE depends on how sparse the tail is (0.06 SE for
 * a normal statistic at B = 2,000, three times that for a product of two
 * small paths): the reference gives R's (mcse columns); brisk's, with half
 * the draws, is sqrt(2) times it, so endpoints agree within 4.5 SD of the
 * difference, 4.5 sqrt(3) mcse. */
#define SE_REL 0.15
#define CI_MCSE (4.5 * 1.7320508)

static const char *text_at(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    return c->type == BRISK_STRING ? c->str[i] : "";
}

static double num_at(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    return c->num[i];
}

/* "benefit ~ trust" or "ind := a1*c1": the path as brisk writes it. */
static void path_of(const brisk_dataset *ref, size_t i, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s %s", text_at(ref, "lhs", i), text_at(ref, "op", i),
             text_at(ref, "rhs", i));
}

static double cell(const brisk_table *t, size_t row, const char *key)
{
    size_t c = brisk_table_find_column(t, key);
    if (c == (size_t)-1)
        fail_msg("%s has no column %s", t->id, key);
    return brisk_table_cell(t, row, c)->num;
}

/* The row whose first text columns are a, b, c (NULL: not compared). */
static size_t find_row(const brisk_table *t, const char *a, const char *b, const char *c)
{
    const char *want[] = {a, b, c};
    for (size_t r = 0; r < t->nrows; r++) {
        bool same = true;
        for (size_t k = 0; k < 3 && same; k++)
            same = !want[k] || strcmp(brisk_table_cell(t, r, k)->text, want[k]) == 0;
        if (same)
            return r;
    }
    fail_msg("%s: no row %s | %s | %s", t->id, a, b ? b : "", c ? c : "");
    return 0;
}

static const char *label_of(const brisk_survey *s, const char *key)
{
    for (size_t b = 0; b < s->nbehaviours; b++)
        if (strcmp(s->behaviours[b].key, key) == 0)
            return s->behaviours[b].value;
    fail_msg("no behaviour %s", key);
    return NULL;
}

static void near(double got, double want, double tol, const char *what, const char *where)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s %s: brisk %.6g, lavaan %.6g (tolerance %.3g)", where, what, got, want, tol);
}

typedef struct fixture {
    brisk_survey *s;
    brisk_survey_data *d;
    brisk_table_list *list;
} fixture;

static int compare_once(void **state)
{
    static fixture f;
    brisk_error err;
    if (brisk_survey_load(SURVEY, &f.s, &err) || brisk_survey_read_data(f.s, &f.d, &err))
        return -1;
    f.list = brisk_table_list_new();
    brisk_compare_options opt = {.boot = {.draws = 1000, .seed = 20261121, .threads = 2},
                                 .holm = true};
    if (brisk_compare_behaviours(f.s, f.d, &opt, f.list, &err) != BRISK_OK) {
        fprintf(stderr, "# %s\n", err.message);
        return -1;
    }
    *state = &f;
    return 0;
}

static int compare_free(void **state)
{
    fixture *f = *state;
    brisk_table_list_free(f->list);
    brisk_survey_data_free(f->d);
    brisk_survey_free(f->s);
    return 0;
}

/* Per behaviour: the estimates and std.all of the full-sample fits, the
 * bootstrap SEs, and the intervals of the defined effects. */
/* The percentile interval and the std.all one of table row r against
 * reference row i, within the endpoints' Monte Carlo error. */
static void check_endpoints(const brisk_table *t, size_t r, const brisk_dataset *ref, size_t i,
                            const char *where)
{
    static const char *const ends[][3] = {
        {"ci_lower", "perc_lower", "lower_mcse"}, {"ci_upper", "perc_upper", "upper_mcse"},
        {"std_ci_lower", "std_lower", "std_lower_mcse"},
        {"std_ci_upper", "std_upper", "std_upper_mcse"}};
    for (size_t k = 0; k < 4; k++)
        near(cell(t, r, ends[k][0]), num_at(ref, ends[k][1], i),
             CI_MCSE * num_at(ref, ends[k][2], i), ends[k][0], where);
}

static void test_paths_by_behaviour(void **state)
{
    fixture *f = *state;
    brisk_dataset *ref = read_csv(REF "paths.csv");
    const brisk_table *paths = table(f->list, "compare.paths");
    const brisk_table *effects = table(f->list, "compare.effects");
    for (size_t i = 0; i < ref->nrows; i++) {
        char path[300], key[100], where[400];
        const char *b = text_at(ref, "behaviour", i);
        path_of(ref, i, path, sizeof path);
        snprintf(where, sizeof where, "%s, %s:", b, path);
        size_t r = find_row(paths, path, NULL, NULL);
        double se = num_at(ref, "se", i);
        snprintf(key, sizeof key, "%s_est", b);
        near(cell(paths, r, key), num_at(ref, "est", i), 1e-4, "estimate", where);
        snprintf(key, sizeof key, "%s_std", b);
        near(cell(paths, r, key), num_at(ref, "std_all", i), 1e-4, "std.all", where);
        snprintf(key, sizeof key, "%s_se", b);
        near(cell(paths, r, key), se, SE_REL * se, "bootstrap SE", where);
        if (strcmp(text_at(ref, "op", i), ":=") != 0)
            continue;
        r = find_row(effects, path, label_of(f->s, b), NULL);
        near(cell(effects, r, "est"), num_at(ref, "est", i), 1e-4, "estimate", where);
        near(cell(effects, r, "se"), se, SE_REL * se, "bootstrap SE", where);
        check_endpoints(effects, r, ref, i, where);
    }
    brisk_dataset_free(ref);
}

/* Every pair of behaviours: the difference, its bootstrap SE and interval,
 * and the same for std.all. */
static void test_pairwise_differences(void **state)
{
    fixture *f = *state;
    brisk_dataset *ref = read_csv(REF "diffs.csv");
    const brisk_table *t = table(f->list, "compare.differences");
    assert_int_equal(t->nrows, ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        char path[300], where[400];
        path_of(ref, i, path, sizeof path);
        const char *a = label_of(f->s, text_at(ref, "a", i)), *b = label_of(f->s, text_at(ref, "b", i));
        snprintf(where, sizeof where, "%s, %s minus %s:", path, a, b);
        size_t r = find_row(t, path, a, b);
        double se = num_at(ref, "se", i);
        near(cell(t, r, "diff"), num_at(ref, "diff", i), 1e-4, "difference", where);
        near(cell(t, r, "se"), se, SE_REL * se, "bootstrap SE", where);
        near(cell(t, r, "z"), cell(t, r, "diff") / cell(t, r, "se"), 1e-12, "z", where);
        near(cell(t, r, "diff_std"), num_at(ref, "std_diff", i), 1e-4, "std.all difference",
             where);
        check_endpoints(t, r, ref, i, where);
    }
    brisk_dataset_free(ref);
}

/* The Wald test of equality in all behaviours: a quadratic form in the
 * inverse of a bootstrap covariance, so its Monte Carlo error is larger;
 * within 25% (or 1 for small values) of lavaan's. */
static void test_wald_test_of_equality(void **state)
{
    fixture *f = *state;
    brisk_dataset *ref = read_csv(REF "wald.csv");
    const brisk_table *t = table(f->list, "compare.paths");
    assert_int_equal(t->nrows, ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        char path[300];
        path_of(ref, i, path, sizeof path);
        size_t r = find_row(t, path, NULL, NULL);
        double w = num_at(ref, "chisq", i);
        near(cell(t, r, "wald_chisq"), w, fmax(1, 0.25 * w), "Wald chi-square", path);
        near(cell(t, r, "wald_df"), num_at(ref, "df", i), 0, "df", path);
    }
    brisk_dataset_free(ref);
}

/* Holm's adjustment of brisk's own p-values equals R's p.adjust on a set
 * of p-values with ties, a value that caps at 1 and a missing one. */
static void test_holm_matches_p_adjust(void **state)
{
    (void)state;
    brisk_dataset *ref = read_csv(REF "holm.csv");
    size_t n = ref->nrows;
    double *p = malloc(n * sizeof *p), *adj = malloc(n * sizeof *adj);
    for (size_t i = 0; i < n; i++)
        p[i] = num_at(ref, "p", i);
    assert_true(brisk_holm(p, n, adj));
    for (size_t i = 0; i < n; i++) {
        double want = num_at(ref, "holm", i);
        if (isnan(want))
            assert_true(isnan(adj[i]));
        else
            near(adj[i], want, 1e-12, "Holm", "p.adjust");
    }
    free(p);
    free(adj);
    brisk_dataset_free(ref);
}

/* The Holm column of the differences is that adjustment of its p column. */
static void test_holm_column(void **state)
{
    fixture *f = *state;
    const brisk_table *t = table(f->list, "compare.differences");
    double *p = malloc(t->nrows * sizeof *p);
    for (size_t r = 0; r < t->nrows; r++)
        p[r] = cell(t, r, "pvalue");
    assert_true(brisk_holm(p, t->nrows, p));
    for (size_t r = 0; r < t->nrows; r++)
        near(cell(t, r, "pvalue_holm"), p[r], 0, "Holm", "compare.differences");
    free(p);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_by_behaviour),
        cmocka_unit_test(test_pairwise_differences),
        cmocka_unit_test(test_wald_test_of_equality),
        cmocka_unit_test(test_holm_column),
        cmocka_unit_test(test_holm_matches_p_adjust),
    };
    return cmocka_run_group_tests(tests, compare_once, compare_free);
}
