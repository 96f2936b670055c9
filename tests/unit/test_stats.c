/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Descriptive statistics against hand values and against R (prop.test,
 * median, sd, survey::svymean/svyvar) on the bundled Rongcheng survey. */
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

#define RONGCHENG TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey"
#define REFERENCE TEST_SRCDIR "/tests/reference/describe_rongcheng.csv"

static void test_summary_unweighted(void **state)
{
    (void)state;
    double x[] = {3, 1, 4, 1, 5};
    brisk_summary s;
    assert_int_equal(brisk_summarize(x, NULL, 5, &s), BRISK_OK);
    assert_int_equal(s.n, 5);
    assert_true(fabs(s.mean - 2.8) < 1e-14);
    assert_true(fabs(s.sd - 1.78885438199983) < 1e-13);     /* R: sd() */
    assert_true(s.median == 3 && s.min == 1 && s.max == 5);
    assert_true(fabs(s.n_eff - 5) < 1e-12);
    double even[] = {4, 2, 5, 1};
    assert_int_equal(brisk_summarize(even, NULL, 4, &s), BRISK_OK);
    assert_true(s.median == 3);                              /* R: median() */
    assert_int_equal(brisk_summarize(even, NULL, 0, &s), BRISK_OK);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.median));
    double one[] = {2.385};
    assert_int_equal(brisk_summarize(one, NULL, 1, &s), BRISK_OK);
    assert_true(s.mean == 2.385 && isnan(s.sd));
}

static void test_summary_weighted(void **state)
{
    (void)state;
    double x[] = {3, 1, 4, 2}, w[] = {1, 0.5, 1, 1.5};
    brisk_summary s;
    assert_int_equal(brisk_summarize(x, w, 4, &s), BRISK_OK);
    assert_true(fabs(s.mean - 2.625) < 1e-14);
    /* sum w (x - m)^2 = 3.9375; / sum w * n/(n-1) = 1.3125 */
    assert_true(fabs(s.sd - sqrt(1.3125)) < 1e-14);
    /* the cumulative weight reaches exactly half at x = 2: (2 + 3) / 2 */
    assert_true(s.median == 2.5);
    assert_true(fabs(s.n_eff - 16 / 4.5) < 1e-12);
    assert_true(fabs(s.sum_w - 4) < 1e-14);
    double y[] = {5, 1, 2}, v[] = {0.2, 0.3, 2.5};
    assert_int_equal(brisk_summarize(y, v, 3, &s), BRISK_OK);
    assert_true(s.median == 2);
}

static void test_wilson(void **state)
{
    (void)state;
    double lo, hi;
    brisk_wilson_ci(37.0 / 52, 52, 1.959963984540054, &lo, &hi);
    /* R: prop.test(37, 52, correct = FALSE)$conf.int */
    assert_true(fabs(lo - 0.577272119633157) < 1e-12);
    assert_true(fabs(hi - 0.816700395852901) < 1e-12);
    brisk_wilson_ci(0, 20, 1.959963984540054, &lo, &hi);
    assert_true(lo == 0);
    assert_true(fabs(hi - 0.161125158052819) < 1e-12);
    brisk_wilson_ci(0.5, 0, 1.96, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

/* ---- against R on the bundled survey ---- */

typedef struct reference {
    brisk_dataset *ds;
} reference;

static double ref_value(const brisk_dataset *ref, const char *item, const char *key)
{
    const brisk_column *items = brisk_dataset_find(ref, "item");
    const brisk_column *col = brisk_dataset_find(ref, key);
    assert_non_null(items);
    assert_non_null(col);
    for (size_t i = 0; i < ref->nrows; i++)
        if (strcmp(items->str[i], item) == 0)
            return col->num[i];
    fail_msg("item %s not in the reference", item);
    return NAN;
}

static brisk_survey *survey_from_bundled(bool weighted)
{
    brisk_survey *s = NULL;
    brisk_error err;
    assert_int_equal(brisk_survey_load(RONGCHENG, &s, &err), BRISK_OK);
    if (!weighted) {
        free(s->weight);
        s->weight = NULL;
    }
    return s;
}

static void compare_with_r(bool weighted)
{
    brisk_read_options opt = {0};
    brisk_dataset *ref = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(REFERENCE, &opt, &ref, &err), BRISK_OK);
    brisk_survey *s = survey_from_bundled(weighted);
    brisk_survey_data *data = NULL;
    assert_int_equal(brisk_survey_read_data(s, &data, &err), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    assert_int_equal(brisk_describe(data, list, &err), BRISK_OK);
    const brisk_table *t = list->tables[0];
    assert_string_equal(t->id, "describe.items");
    assert_int_equal(t->nrows, ref->nrows);
    static const char *const keys[] = {"mean", "sd", "pct_1", "pct_3", "pct_5", "agree_pct",
                                       "agree_ci_lower", "agree_ci_upper"};
    size_t item_col = brisk_table_find_column(t, "item");
    for (size_t i = 0; i < t->nrows; i++) {
        const char *item = brisk_table_cell(t, i, item_col)->text;
        assert_true(brisk_table_cell(t, i, brisk_table_find_column(t, "n"))->num ==
                    ref_value(ref, item, "n"));
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            char rkey[64];
            snprintf(rkey, sizeof rkey, "%s%s", weighted ? "w_" : "", keys[k]);
            double mine = brisk_table_cell(t, i, brisk_table_find_column(t, keys[k]))->num;
            double theirs = ref_value(ref, item, rkey);
            /* weighted intervals take t quantiles (GSL's and R's agree to 1e-9) */
            if (fabs(mine - theirs) > (weighted && k >= 6 ? 1e-6 : 1e-9))
                fail_msg("%s %s: brisk %.12g, R %.12g", item, rkey, mine, theirs);
        }
        if (!weighted) {
            double med = brisk_table_cell(t, i, brisk_table_find_column(t, "median"))->num;
            assert_true(med == ref_value(ref, item, "median"));
        } else {
            double neff = brisk_table_cell(t, i, brisk_table_find_column(t, "n_eff"))->num;
            assert_true(fabs(neff - ref_value(ref, item, "n_eff")) < 1e-9);
            static const char *const design_keys[] = {"mean_se", "deff", "agree_se"};
            for (size_t k = 0; k < 3; k++) {
                char rkey[64];
                snprintf(rkey, sizeof rkey, "w_%s", design_keys[k]);
                double mine = brisk_table_cell(t, i, brisk_table_find_column(t, design_keys[k]))->num;
                double theirs = ref_value(ref, item, rkey);
                if (fabs(mine - theirs) > 1e-9)
                    fail_msg("%s %s: brisk %.12g, R %.12g", item, rkey, mine, theirs);
            }
        }
    }
    brisk_table_list_free(list);
    brisk_survey_data_free(data);
    brisk_survey_free(s);
    brisk_dataset_free(ref);
}

static void test_describe_matches_r(void **state)
{
    (void)state;
    compare_with_r(false);
}

static void test_describe_weighted_matches_survey_package(void **state)
{
    (void)state;
    compare_with_r(true);
}

static void test_describe_tables(void **state)
{
    (void)state;
    brisk_survey *s = survey_from_bundled(true);
    brisk_survey_data *data = NULL;
    brisk_error err;
    assert_int_equal(brisk_survey_read_data(s, &data, &err), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    assert_int_equal(brisk_describe(data, list, &err), BRISK_OK);
    /* every demographic has few values (age in groups): frequencies only */
    assert_int_equal(list->count, 4);
    assert_string_equal(list->tables[1]->id, "describe.counts");
    /* the survey's [scores]: 3 per behaviour and trust */
    assert_string_equal(list->tables[2]->id, "describe.scores");
    assert_int_equal(list->tables[2]->nrows, 3 * 4 + 1);
    assert_string_equal(list->tables[3]->id, "describe.demographics");
    /* 6 items asked once + 4 behaviours x 12 items */
    const brisk_table *items = list->tables[0], *counts = list->tables[1];
    assert_int_equal(items->nrows, 6 + 4 * 12);
    assert_string_equal(brisk_table_cell(items, 6, 0)->text, "Criminal records");   /* by label */
    assert_string_equal(brisk_table_cell(items, 6, 1)->text, "morality");
    assert_null(brisk_table_cell(items, 0, 0)->text);
    /* counts per point add up to n */
    size_t n_col = brisk_table_find_column(items, "n");
    for (size_t i = 0; i < items->nrows; i++) {
        double sum = 0;
        for (int k = 1; k <= 5; k++) {
            char key[32];
            snprintf(key, sizeof key, "count_%d", k);
            sum += brisk_table_cell(counts, i, brisk_table_find_column(counts, key))->num;
        }
        assert_true(sum == brisk_table_cell(items, i, n_col)->num);
    }
    /* the demographics in the survey's order, each tabulated */
    assert_string_equal(brisk_table_cell(list->tables[3], 0, 0)->text, "age");
    brisk_table_list_free(list);
    brisk_survey_data_free(data);
    brisk_survey_free(s);
}

/* brisk describe under one-stage designs (strata, clusters, fpc) against
 * R's survey package on its api data (tests/reference/design/): the mean,
 * its SE and design effect (svymean, deff = "replace"), % agree's SE and
 * logit interval (svyciprop). */
typedef struct api_case {
    const char *design, *survey;
    bool drop_fpc, add_cluster;
} api_case;

static void check_api_describe(const api_case *ac, const brisk_dataset *means,
                               const brisk_dataset *ciprop)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/api/%s.survey", TEST_SRCDIR, ac->survey);
    brisk_survey *s = NULL;
    brisk_error err;
    assert_int_equal(brisk_survey_load(path, &s, &err), BRISK_OK);
    if (ac->drop_fpc) {
        free(s->fpc);
        s->fpc = NULL;
    }
    if (ac->add_cluster) {
        free(s->fpc);
        s->fpc = NULL;
        s->cluster = strdup("dnum");
    }
    brisk_survey_data *data = NULL;
    if (brisk_survey_read_data(s, &data, &err) != BRISK_OK)
        fail_msg("%s: %s", ac->design, err.message);
    brisk_table_list *list = brisk_table_list_new();
    assert_int_equal(brisk_describe(data, list, &err), BRISK_OK);
    const brisk_table *t = list->tables[0];
    size_t item = brisk_table_find_column(t, "item"), checked = 0;
    const brisk_column *rd = brisk_dataset_find(means, "design");
    const brisk_column *rv = brisk_dataset_find(means, "variable");
    for (size_t i = 0; i < means->nrows; i++) {
        if (strcmp(rd->str[i], ac->design) != 0)
            continue;
        for (size_t r = 0; r < t->nrows; r++) {
            if (strcmp(brisk_table_cell(t, r, item)->text, rv->str[i]) != 0)
                continue;
            static const char *const keys[][2] = {{"mean", "mean"}, {"mean_se", "se"},
                                                  {"deff", "deff"}};
            for (size_t k = 0; k < 3; k++) {
                double mine = brisk_table_cell(t, r, brisk_table_find_column(t, keys[k][0]))->num;
                double theirs = brisk_dataset_find(means, keys[k][1])->num[i];
                if (fabs(mine - theirs) > 1e-9 * fmax(1, fabs(theirs)))
                    fail_msg("%s %s %s: brisk %.12g, R %.12g", ac->design, rv->str[i],
                             keys[k][0], mine, theirs);
            }
            checked++;
        }
    }
    assert_int_equal(checked, 6);
    const brisk_column *cd = brisk_dataset_find(ciprop, "design");
    for (size_t i = 0; i < ciprop->nrows; i++) {
        if (strcmp(cd->str[i], ac->design) != 0)
            continue;
        static const char *const keys[][2] = {{"agree_pct", "p"}, {"agree_se", "se"},
                                              {"agree_ci_lower", "ci_lower"},
                                              {"agree_ci_upper", "ci_upper"}};
        for (size_t k = 0; k < 4; k++) {
            double mine = brisk_table_cell(t, 0, brisk_table_find_column(t, keys[k][0]))->num;
            double theirs = 100 * brisk_dataset_find(ciprop, keys[k][1])->num[i];
            if (fabs(mine - theirs) > 1e-8)
                fail_msg("%s band %s: brisk %.12g, R %.12g", ac->design, keys[k][0], mine,
                         theirs);
        }
        checked++;
    }
    assert_int_equal(checked, 7);
    brisk_table_list_free(list);
    brisk_survey_data_free(data);
    brisk_survey_free(s);
}

static void test_describe_designs(void **state)
{
    (void)state;
    static const api_case cases[] = {
        {"strat", "apistrat", false, false},     {"strat_nofpc", "apistrat", true, false},
        {"clus1", "apiclus1", false, false},     {"clus1_nofpc", "apiclus1", true, false},
        {"clus2_first", "apiclus2", false, false}, {"strat_clus", "apistrat", false, true},
    };
    brisk_read_options opt = {0};
    brisk_dataset *means = NULL, *ciprop = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(TEST_SRCDIR "/tests/reference/design/means.csv", &opt,
                                     &means, &err), BRISK_OK);
    assert_int_equal(brisk_read_file(TEST_SRCDIR "/tests/reference/design/ciprop.csv", &opt,
                                     &ciprop, &err), BRISK_OK);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_api_describe(&cases[k], means, ciprop);
    brisk_dataset_free(means);
    brisk_dataset_free(ciprop);
}

/* Weights raked to [margins] (two margins: rake, converged) or
 * post-stratified (one): the raked weights' means, and SEs with the
 * calibration's residuals (svyrecvar), against survey's rake and
 * postStratify (tests/reference/design/calibrated_means.csv). */
static void test_describe_calibrated(void **state)
{
    (void)state;
    brisk_read_options opt = {0};
    brisk_dataset *ref = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(TEST_SRCDIR "/tests/reference/design/calibrated_means.csv",
                                     &opt, &ref, &err), BRISK_OK);
    static const char *const cases[][2] = {{"raked", "apistrat_raked"},
                                           {"poststrat", "apistrat_poststrat"}};
    const brisk_column *rd = brisk_dataset_find(ref, "design");
    const brisk_column *rv = brisk_dataset_find(ref, "variable");
    for (size_t c = 0; c < 2; c++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/api/%s.survey", TEST_SRCDIR, cases[c][1]);
        brisk_survey *s = NULL;
        assert_int_equal(brisk_survey_load(path, &s, &err), BRISK_OK);
        brisk_survey_data *data = NULL;
        if (brisk_survey_read_data(s, &data, &err) != BRISK_OK)
            fail_msg("%s: %s", cases[c][1], err.message);
        assert_true(data->raked_passes > 0);
        brisk_table_list *list = brisk_table_list_new();
        assert_int_equal(brisk_describe(data, list, &err), BRISK_OK);
        const brisk_table *t = list->tables[0];
        size_t item = brisk_table_find_column(t, "item"), checked = 0;
        for (size_t i = 0; i < ref->nrows; i++) {
            if (strcmp(rd->str[i], cases[c][0]) != 0)
                continue;
            const char *v = rv->str[i];
            bool agree = strncmp(v, "agree_band", 10) == 0;
            size_t r = 0;
            while (r < t->nrows &&
                   strcmp(brisk_table_cell(t, r, item)->text, agree ? "band" : v) != 0)
                r++;
            assert_true(r < t->nrows);
            double mean = brisk_dataset_find(ref, "mean")->num[i];
            double se = brisk_dataset_find(ref, "se")->num[i];
            const char *k1 = strcmp(v, "agree_band_ci") == 0 ? "agree_ci_lower"
                           : agree ? "agree_pct" : "mean";
            const char *k2 = strcmp(v, "agree_band_ci") == 0 ? "agree_ci_upper"
                           : agree ? "agree_se" : "mean_se";
            double f = agree ? 100 : 1;
            double m1 = brisk_table_cell(t, r, brisk_table_find_column(t, k1))->num;
            double m2 = brisk_table_cell(t, r, brisk_table_find_column(t, k2))->num;
            if (fabs(m1 - f * mean) > 1e-7 * fmax(1, fabs(f * mean)) ||
                fabs(m2 - f * se) > 1e-7 * fmax(1, f * se))
                fail_msg("%s %s: brisk %.12g %.12g, R %.12g %.12g", cases[c][0], v, m1, m2,
                         f * mean, f * se);
            if (!agree) {
                double deff = brisk_table_cell(t, r, brisk_table_find_column(t, "deff"))->num;
                assert_true(fabs(deff - brisk_dataset_find(ref, "deff")->num[i]) < 1e-7);
            }
            checked++;
        }
        assert_int_equal(checked, 5);
        /* the note says how the weights were made */
        bool said = false;
        for (size_t k = 0; k < t->nnotes; k++)
            said |= strstr(t->notes[k], c == 0 ? "raked to [margins]" : "post-stratified") != NULL;
        assert_true(said);
        brisk_table_list_free(list);
        brisk_survey_data_free(data);
        brisk_survey_free(s);
    }
    brisk_dataset_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_unweighted),
        cmocka_unit_test(test_summary_weighted),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_describe_matches_r),
        cmocka_unit_test(test_describe_weighted_matches_survey_package),
        cmocka_unit_test(test_describe_tables),
        cmocka_unit_test(test_describe_designs),
        cmocka_unit_test(test_describe_calibrated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
