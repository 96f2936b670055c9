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

static const char *text_at(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    static char buf[64];
    if (c->type == BRISK_STRING)
        return c->str[i];
    snprintf(buf, sizeof buf, "%g", c->num[i]);
    return buf;
}

static void check_against(const brisk_table *t, const char *ref_path, bool grouped)
{
    brisk_dataset *ref = read_csv(ref_path);
    assert_int_equal(t->nrows, ref->nrows);
    size_t c0 = grouped ? 1 : 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        assert_string_equal(brisk_table_cell(t, i, c0)->text, text_at(ref, "a", i));
        assert_string_equal(brisk_table_cell(t, i, c0 + 1)->text, text_at(ref, "b", i));
        if (grouped)
            assert_string_equal(brisk_table_cell(t, i, 0)->text, text_at(ref, "group", i));
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

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_pairs_by_group),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
