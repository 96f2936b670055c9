/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Least squares on continuous items (--estimator gls, uls, wls, dwls)
 * against lavaan 0.6-14 (tests/reference/least_squares/, made by
 * make_reference.R): every estimate, SE and std.all, the chi-square, df,
 * baseline, CFI, TLI, RMSEA (CI, p) and SRMR, to 1e-4 (1e-6 relative for
 * the large chi-squares); and what these estimators refuse. */
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

#define REF TEST_SRCDIR "/tests/reference/least_squares/"
#define DATA TEST_SRCDIR "/tests/data/"
#define TOL 1e-4

static double worst;       /* the largest difference seen (relative for chi-squares), and */
static double worst_raw;   /* absolute: printed at the end */

static brisk_dataset *reference(const char *name, const char *part)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.%s.csv", name, part);
    return read_csv(path);
}

static double num_at(const brisk_dataset *ds, const char *col, size_t row)
{
    return brisk_dataset_find(ds, col)->num[row];
}

static void near(double mine, double theirs, double tol, const char *what, const char *name)
{
    if (isnan(theirs) && isnan(mine))
        return;
    if (!(fabs(mine - theirs) <= tol))
        fail_msg("%s %s: brisk %.10g, lavaan %.10g", name, what, mine, theirs);
    if (fabs(mine - theirs) / fmax(1, tol / TOL) > worst)
        worst = fabs(mine - theirs) / fmax(1, tol / TOL);
    if (fabs(mine - theirs) > worst_raw)
        worst_raw = fabs(mine - theirs);
}

static void check_options(const char *name, const char *model, const char *data,
                          brisk_model_options opt, const char *group)
{
    brisk_dataset *ds = read_csv(data);
    brisk_fitted fitted;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_estimator estimator = opt.estimator;
    if (brisk_fit_text(slurp(model), "m.lav", 1, ds, NULL, 0, group, &opt, &fitted, &err) !=
        BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    const brisk_fit *fit = fitted.fit;
    assert_true(fit->converged);
    assert_true(fit->vcov_valid);
    assert_int_equal(fit->fit.estimator, estimator);
    brisk_dataset *ref = reference(name, "params");
    size_t row = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(ref_text(ref, "op", i), "==") == 0)
            continue;   /* lavaan lists its constraints; brisk's table has none */
        assert_true(row < brisk_model_nparams(fitted.model));
        const brisk_param *p = brisk_model_param(fitted.model, row);
        const brisk_estimate *e = &fit->rows[row++];
        char what[200];
        snprintf(what, sizeof what, "row %zu %s %s %s (group %zu)", i + 1, p->lhs,
                 brisk_op_text(p->op), p->rhs, p->group + 1);
        if (strcmp(p->lhs, ref_text(ref, "lhs", i)) || strcmp(p->rhs, ref_text(ref, "rhs", i)) ||
            (double)(p->group + 1) != num_at(ref, "group", i))
            fail_msg("%s %s: lavaan has %s %s here", name, what, ref_text(ref, "lhs", i),
                     ref_text(ref, "rhs", i));
        near(e->est, num_at(ref, "est", i), TOL, what, name);
        near(e->se, num_at(ref, "se", i), TOL, what, name);
        near(e->std_all, num_at(ref, "std_all", i), TOL, what, name);
    }
    assert_int_equal(row, brisk_model_nparams(fitted.model));
    brisk_dataset_free(ref);
    ref = reference(name, "fit");
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *key = ref_text(ref, "measure", i);
        double want = num_at(ref, "value", i);
        double mine = strcmp(key, "fmin") == 0 ? fit->fmin : ref_fit_measure(&fit->fit, key);
        near(mine, want, fmax(TOL, 1e-6 * fabs(want)), key, name);
    }
    /* no likelihood: lavaan's fitMeasures has none for these estimators */
    assert_true(isnan(fit->fit.loglik) && isnan(fit->fit.aic) && isnan(fit->fit.bic));
    brisk_dataset_free(ref);
    brisk_fitted_free(&fitted);
    brisk_dataset_free(ds);
}

static void check_case(const char *name, const char *model, const char *data,
                       brisk_estimator estimator, const char *group, bool meanstructure)
{
    check_options(name, model, data,
                  (brisk_model_options){.estimator = estimator, .meanstructure = meanstructure},
                  group);
}

static const struct {
    const char *key;
    brisk_estimator estimator;
} estimators[] = {{"gls", BRISK_ESTIMATOR_GLS}, {"uls", BRISK_ESTIMATOR_ULS},
                  {"wls", BRISK_ESTIMATOR_WLS}, {"dwls", BRISK_ESTIMATOR_DWLS}};

static void test_holzinger_swineford(void **state)
{
    (void)state;
    char name[64];
    for (size_t k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "hs_%s", estimators[k].key);
        check_case(name, REF "hs.lav", DATA "hs.csv", estimators[k].estimator, NULL, false);
    }
}

static void test_political_democracy(void **state)
{
    (void)state;
    char name[64];
    for (size_t k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "pd_%s", estimators[k].key);
        check_case(name, TEST_SRCDIR "/tests/reference/sem/pd_sem.lav", DATA "pd.csv",
                   estimators[k].estimator, NULL, false);
    }
}

/* WLS and DWLS with the means among the statistics (their Gamma's too). */
static void test_mean_structure(void **state)
{
    (void)state;
    check_case("hs_ms_wls", REF "hs.lav", DATA "hs.csv", BRISK_ESTIMATOR_WLS, NULL, true);
    check_case("hs_ms_dwls", REF "hs.lav", DATA "hs.csv", BRISK_ESTIMATOR_DWLS, NULL, true);
}

/* Two groups: each its own weights, T summed, the information weighted by
 * N_g / N, the standard errors over N - G. */
static void test_groups(void **state)
{
    (void)state;
    char name[64];
    for (size_t k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "hs_school_%s", estimators[k].key);
        check_case(name, REF "hs.lav", DATA "hs.csv", estimators[k].estimator, "school", true);
    }
}

/* Observed predictors (free under these estimators: lavaan's fixed.x =
 * FALSE), shared labels and := rows, == constraints, loadings equal
 * across groups. */
static void test_model_features(void **state)
{
    (void)state;
    check_case("path_gls", TEST_SRCDIR "/tests/reference/sem/path_fixedx.lav", DATA "path.csv",
               BRISK_ESTIMATOR_GLS, NULL, false);
    check_case("pd_labels_uls", TEST_SRCDIR "/tests/reference/sem/pd_labels.lav", DATA "pd.csv",
               BRISK_ESTIMATOR_ULS, NULL, false);
    check_case("pd_equal_wls", REF "pd_equal.lav", DATA "pd.csv", BRISK_ESTIMATOR_WLS, NULL,
               false);
    check_options("hs_metric_dwls", REF "hs.lav", DATA "hs.csv",
                  (brisk_model_options){.estimator = BRISK_ESTIMATOR_DWLS,
                                        .group_equal = BRISK_EQUAL_LOADINGS},
                  "school");
}

/* standardizedSolution()'s delta-method SEs from this fit's vcov. */
static void test_standardized_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    brisk_fitted fitted;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_GLS, .std_se = true};
    assert_int_equal(brisk_fit_text(slurp(REF "hs.lav"), "m.lav", 1, ds, NULL, 0, NULL, &opt,
                                    &fitted, &err),
                     BRISK_OK);
    brisk_dataset *ref = reference("hs_std_gls", "std");
    assert_int_equal(brisk_model_nparams(fitted.model), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_estimate *e = &fitted.fit->rows[i];
        near(e->std_all, num_at(ref, "est_std", i), TOL, "std.all", "hs_std_gls");
        near(e->std_all_se, num_at(ref, "se", i), TOL, "std.all SE", "hs_std_gls");
    }
    brisk_dataset_free(ref);
    brisk_fitted_free(&fitted);
    brisk_dataset_free(ds);
}

/* What these estimators do not go with: ordered items, FIML, weights,
 * clusters. */
static void test_refusals(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    const brisk_model_options bad[] = {
        {.estimator = BRISK_ESTIMATOR_GLS, .fiml = true},
        {.estimator = BRISK_ESTIMATOR_ULS, .weight = "x1"},
        {.estimator = BRISK_ESTIMATOR_WLS, .cluster = "school"},
        {.estimator = BRISK_ESTIMATOR_DWLS, .ordered = true},
    };
    const char *says[] = {"full-information ML", "sampling weights", "clusters", "WLSMV"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        brisk_fitted fitted;
        brisk_error err;
        brisk_error_clear(&err);
        assert_int_equal(brisk_fit_text(slurp(REF "hs.lav"), "m.lav", 1, ds, NULL, 0, NULL,
                                        &bad[k], &fitted, &err),
                         BRISK_ERR_ARGUMENT);
        if (!strstr(err.message, says[k]))
            fail_msg("refusal %zu: %s", k, err.message);
    }
    brisk_dataset_free(ds);
    print_message("largest difference from lavaan: %.3g (absolute %.3g)\n", worst, worst_raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holzinger_swineford),
        cmocka_unit_test(test_political_democracy),
        cmocka_unit_test(test_mean_structure),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_model_features),
        cmocka_unit_test(test_standardized_errors),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
