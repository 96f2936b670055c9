/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk_compare_items against R's mcnemar.test, t.test(paired = TRUE) and
 * wilcox.test(paired = TRUE, exact = FALSE) on the bundled rieger2020 data
 * (tests/reference/items/). */
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

#define REF TEST_SRCDIR "/tests/reference/items/"
#define RIEGER TEST_SRCDIR "/surveys/rieger2020/rieger2020.csv"

/* brisk's column key -> the reference's */
static const char *const keys[][2] = {
    {"n", "n"}, {"approve_a", "approve_a"}, {"approve_b", "approve_b"}, {"diff", "diff"},
    {"diff_lower", "diff_lower"}, {"diff_upper", "diff_upper"}, {"n10", "n10"}, {"n01", "n01"},
    {"mcnemar", "mcnemar_chisq"}, {"mcnemar_p", "mcnemar_p"}, {"mean_a", "mean_a"},
    {"mean_b", "mean_b"}, {"mean_diff", "mean_diff"}, {"t", "t"}, {"t_df", "t_df"},
    {"t_p", "t_p"}, {"t_lower", "t_lower"}, {"t_upper", "t_upper"}, {"wilcox_v", "wilcox_v"},
    {"wilcox_n", "wilcox_n"}, {"wilcox_z", "wilcox_z"}, {"wilcox_p", "wilcox_p"},
};

static void check_against(const brisk_table *t, const char *ref_path, bool grouped)
{
    brisk_dataset *ref = read_csv(ref_path);
    assert_int_equal(t->nrows, ref->nrows);
    size_t c0 = grouped ? 1 : 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        assert_string_equal(brisk_table_cell(t, i, c0)->text, ref_text(ref, "a", i));
        assert_string_equal(brisk_table_cell(t, i, c0 + 1)->text, ref_text(ref, "b", i));
        if (grouped)
            assert_string_equal(brisk_table_cell(t, i, 0)->text, ref_text(ref, "group", i));
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            double got = brisk_table_cell(t, i, brisk_table_find_column(t, keys[k][0]))->num;
            double want = brisk_dataset_find(ref, keys[k][1])->num[i];
            double tol = 1e-8 * fmax(1, fabs(want));
            if (!(fabs(got - want) <= tol))
                fail_msg("%s row %zu %s: brisk %.10g, R %.10g", ref_path, i, keys[k][0], got,
                         want);
        }
    }
    brisk_dataset_free(ref);
}

static const char *const policies[] = {"pol_traffic", "pol_privileges", "pol_loans",
                                       "pol_court", "pol_informed"};

static void test_pairs(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(RIEGER);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_compare_items_options opt = {.has_agree = true, .agree_min = 4, .agree_max = 5};
    assert_int_equal(brisk_compare_items(ds, policies, 5, &opt, list, &err), BRISK_OK);
    check_against(table(list, "items.pairs"), REF "pairs.csv", false);
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

static void test_pairs_by_group(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(RIEGER);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_compare_items_options opt = {.has_agree = true, .agree_min = 4, .agree_max = 5,
                                       .group = "country"};
    const char *const two[] = {"pol_privileges", "pol_informed"};
    assert_int_equal(brisk_compare_items(ds, two, 2, &opt, list, &err), BRISK_OK);
    check_against(table(list, "items.pairs"), REF "pairs_by_group.csv", true);
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

static void test_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(RIEGER);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_compare_items_options opt = {0};
    const char *const bad[] = {"pol_traffic", "pol_nope"};
    assert_int_equal(brisk_compare_items(ds, bad, 2, &opt, list, &err), BRISK_ERR_COLUMN);
    assert_non_null(strstr(err.message, "'pol_nope'"));
    assert_int_equal(brisk_compare_items(ds, bad, 1, &opt, list, &err), BRISK_ERR_ARGUMENT);
    opt.group = "nation";
    assert_int_equal(brisk_compare_items(ds, policies, 2, &opt, list, &err), BRISK_ERR_COLUMN);
    assert_int_equal(list->count, 0);
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

/* ---- approval by group (brisk describe --by) */

static brisk_survey_data *load_survey(const char *path, brisk_survey **s)
{
    brisk_error err;
    brisk_survey_data *d = NULL;
    if (brisk_survey_load(path, s, &err) != BRISK_OK || brisk_survey_read_data(*s, &d, &err))
        fail_msg("%s: %s", path, err.message);
    return d;
}

static double num_at(const brisk_dataset *d, const char *col, size_t i)
{
    return brisk_dataset_find(d, col)->num[i];
}

static void near(double got, double want, double rel, const char *what, size_t row)
{
    if (!(fabs(got - want) <= rel * fmax(1, fabs(want))))
        fail_msg("%s, reference row %zu: brisk %.10g, R %.10g", what, row, got, want);
}

/* The rows of the reference about survey name, in order, against the
 * table's rows (every table row is checked once). */
static void check_by_group(const char *name, const brisk_survey_data *d, const char *ref_shares,
                           const char *ref_tests, bool weighted)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    const brisk_survey *s = d->survey;
    const char *by[32];
    for (size_t k = 0; k < s->ndemographics; k++)
        by[k] = s->demographics[k].key;
    assert_int_equal(brisk_approval_by_group(d, by, s->ndemographics, list, &err), BRISK_OK);
    const brisk_table *shares = table(list, "describe.by_group");
    const brisk_table *tests = table(list, "describe.by_group_tests");
    brisk_dataset *ref = read_csv(ref_shares);
    size_t row = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(ref_text(ref, "survey", i), name) != 0 ||
            strcmp(ref_text(ref, "item", i), brisk_table_cell(shares, 0, 1)->text) != 0)
            continue;
        assert_true(row < shares->nrows);
        assert_string_equal(brisk_table_cell(shares, row, 2)->text, ref_text(ref, "demographic", i));
        assert_string_equal(brisk_table_cell(shares, row, 3)->text, ref_text(ref, "level", i));
        near(brisk_table_cell(shares, row, 4)->num, num_at(ref, "n", i), 0, "n", i);
        near(brisk_table_cell(shares, row, 5)->num, num_at(ref, "approve", i), 1e-10, "%", i);
        if (weighted)   /* the domain's SE over the whole design (svyby) */
            near(brisk_table_cell(shares, row, 6)->num, num_at(ref, "se", i), 1e-7, "SE", i);
        row++;
    }
    brisk_dataset_free(ref);
    ref = read_csv(ref_tests);
    size_t trow = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(ref_text(ref, "survey", i), name) != 0 ||
            strcmp(ref_text(ref, "item", i), brisk_table_cell(tests, 0, 1)->text) != 0)
            continue;
        assert_string_equal(brisk_table_cell(tests, trow, 2)->text, ref_text(ref, "demographic", i));
        const char *pairs[][2] = {{"n", "n"}, {"chisq", weighted ? "pearson" : "chisq"},
                                 {"df", "df"}, {"p", weighted ? "p_rs2" : "p"},
                                 {"f", "f_rs2"}, {"ndf", "ndf"}, {"ddf", "ddf"},
                                 {"cramers_v", "cramers_v"}};
        for (size_t k = 0; k < 8; k++) {
            if (!brisk_dataset_find(ref, pairs[k][1]))
                continue;   /* not in this reference */
            near(brisk_table_cell(tests, trow, brisk_table_find_column(tests, pairs[k][0]))->num,
                 num_at(ref, pairs[k][1], i), 1e-8, pairs[k][0], i);
        }
        trow++;
    }
    assert_true(trow > 0);
    brisk_dataset_free(ref);
    brisk_table_list_free(list);
}

static void test_by_group(void **state)
{
    (void)state;
    brisk_survey *s = NULL;
    brisk_survey_data *d = load_survey(TEST_SRCDIR "/surveys/kostka2019/kostka2019.survey", &s);
    check_by_group("kostka2019", d, REF "by_group_weighted.csv", REF "by_group_weighted_tests.csv",
                   true);
    /* the same data unweighted, without the design: Pearson's test */
    struct sampling_design *design = d->design;
    d->weight = NULL;
    d->design = NULL;
    check_by_group("kostka2019", d, REF "by_group.csv", REF "by_group_tests.csv", false);
    d->design = design;
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_pairs_by_group),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_by_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
