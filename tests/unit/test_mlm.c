/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The estimator MLM (robust.sem standard errors, the Satorra-Bentler
 * scaled chi-square, the scaled and robust indices) against lavaan 0.6-14
 * (tests/reference/mlm/, made by make_reference.R), to 1e-4: every
 * estimate, SE, z and standardized value (with standardizedSolution()'s
 * SE), the fit measures, the
 * invariance levels with their scaled differences; and what MLM does not
 * go with, refused. */
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

#define REF TEST_SRCDIR "/tests/reference/mlm/"
#define DATA TEST_SRCDIR "/tests/data/"
#define TOL 1e-4

static double num_at(const brisk_dataset *ds, const char *col, size_t row)
{
    const brisk_column *c = brisk_dataset_find(ds, col);
    if (!c)
        fail_msg("no column %s in the reference", col);
    return brisk_is_missing(c, row) ? NAN : c->num[row];
}

/* Within TOL, relative beyond 1 (a z of 5 or a chi-square of 100 moves
 * with lavaan's optimizer, which stops within about 1e-5 of the estimates). */
static void near(double mine, double theirs, const char *what, const char *name)
{
    if (isnan(theirs) && isnan(mine))
        return;
    if (!(fabs(mine - theirs) <= TOL * fmax(1, fabs(theirs))))
        fail_msg("%s %s: brisk %.10g, lavaan %.10g", name, what, mine, theirs);
}

static double measure(const brisk_fit_measures *f, const char *key)
{
    static const struct {
        const char *key;
        size_t offset;
    } map[] = {
#define M(k, field) {k, offsetof(brisk_fit_measures, field)}
        M("chisq", chisq), M("df", df), M("pvalue", pvalue), M("baseline_chisq", baseline_chisq),
        M("baseline_df", baseline_df), M("cfi", cfi), M("tli", tli), M("rmsea", rmsea),
        M("rmsea_ci_lower", rmsea_ci_lower), M("rmsea_ci_upper", rmsea_ci_upper),
        M("srmr", srmr), M("logl", loglik), M("unrestricted_logl", unrestricted_loglik),
        M("aic", aic), M("bic", bic), M("chisq_scaled", chisq_scaled),
        M("pvalue_scaled", pvalue_scaled), M("chisq_scaling_factor", scaling_factor),
        M("baseline_chisq_scaled", baseline_chisq_scaled),
        M("baseline_pvalue_scaled", baseline_pvalue_scaled),
        M("baseline_chisq_scaling_factor", baseline_scaling_factor),
        M("cfi_scaled", cfi_scaled), M("tli_scaled", tli_scaled), M("cfi_robust", cfi_robust),
        M("tli_robust", tli_robust), M("rmsea_scaled", rmsea_scaled),
        M("rmsea_ci_lower_scaled", rmsea_ci_lower_scaled),
        M("rmsea_ci_upper_scaled", rmsea_ci_upper_scaled), M("rmsea_robust", rmsea_robust),
        M("rmsea_ci_lower_robust", rmsea_ci_lower_robust),
        M("rmsea_ci_upper_robust", rmsea_ci_upper_robust),
#undef M
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(map[k].key, key) == 0)
            return *(const double *)((const char *)f + map[k].offset);
    return NAN;
}

static bool compared(const char *key)
{
    return !isnan(measure(&(brisk_fit_measures){0}, key));
}

/* Fit reference case name on data (by group, with equalities) by MLM
 * and compare every parameter row and measure. */
static void check_case(const char *name, const char *data, const char *group, unsigned equal)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.lav", name);
    brisk_dataset *ds = read_csv(data);
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_MLM, .group_equal = equal,
                               .std_se = true};
    brisk_fitted f;
    brisk_error err;
    if (brisk_fit_text(slurp(path), path, 1, ds, NULL, 0, group, &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    assert_true(f.fit->converged);
    assert_true(f.fit->fit.estimator == BRISK_ESTIMATOR_MLM && f.fit->fit.robust &&
                f.fit->fit.scaled);
    snprintf(path, sizeof path, REF "%s.params.csv", name);
    brisk_dataset *ref = read_csv(path);
    assert_int_equal(brisk_model_nparams(f.model), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_param *p = brisk_model_param(f.model, i);
        char what[200];
        snprintf(what, sizeof what, "row %zu group %zu %s %s %s", i + 1, p->group + 1, p->lhs,
                 brisk_op_text(p->op), p->rhs);
        if (strcmp(p->lhs, ref_text(ref, "lhs", i)) ||
            strcmp(p->rhs, ref_text(ref, "rhs", i)) ||
            (double)(p->group + 1) != num_at(ref, "group", i))
            fail_msg("%s %s: lavaan has %s %s here", name, what, ref_text(ref, "lhs", i),
                     ref_text(ref, "rhs", i));
        const brisk_estimate *e = &f.fit->rows[i];
        near(e->est, num_at(ref, "est", i), what, name);
        near(e->se, num_at(ref, "se", i), what, name);
        if (!isnan(num_at(ref, "z", i)))
            near(e->z, num_at(ref, "z", i), what, name);
        near(e->std_lv, num_at(ref, "std_lv", i), what, name);
        near(e->std_all, num_at(ref, "std_all", i), what, name);
    }
    brisk_dataset_free(ref);
    /* standardizedSolution()'s SEs, the delta method on the robust.sem vcov */
    snprintf(path, sizeof path, REF "%s.std.csv", name);
    ref = read_csv(path);
    assert_int_equal(brisk_model_nparams(f.model), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_param *p = brisk_model_param(f.model, i);
        char what[200];
        snprintf(what, sizeof what, "std.all SE of row %zu %s %s %s", i + 1, p->lhs,
                 brisk_op_text(p->op), p->rhs);
        near(f.fit->rows[i].std_all_se, num_at(ref, "std_all_se", i), what, name);
    }
    brisk_dataset_free(ref);
    snprintf(path, sizeof path, REF "%s.fit.csv", name);
    ref = read_csv(path);
    size_t n = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *key = ref_text(ref, "measure", i);
        if (!compared(key))
            continue;
        near(measure(&f.fit->fit, key), num_at(ref, "value", i), key, name);
        n++;
    }
    assert_int_equal(n, 31);   /* every measure of the map */
    brisk_dataset_free(ref);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
}

static void test_mlm_holzinger_swineford(void **state)
{
    (void)state;
    check_case("hs_mlm", DATA "hs.csv", NULL, 0);
}

static void test_mlm_political_democracy(void **state)
{
    (void)state;
    check_case("pd_mlm", DATA "pd.csv", NULL, 0);
}

static void test_mlm_groups(void **state)
{
    (void)state;
    check_case("hs_mlm_group", DATA "hs.csv", "school", 0);
    check_case("hs_mlm_metric", DATA "hs.csv", "school", BRISK_EQUAL_LOADINGS);
}

/* observed covariates (fixed.x): their moments out of Gamma */
static void test_mlm_fixed_covariates(void **state)
{
    (void)state;
    check_case("path_mlm", DATA "path.csv", NULL, 0);
}

/* an equality constraint (a1 == a2): the reduced parameters' sandwich */
static void test_mlm_constraint(void **state)
{
    (void)state;
    check_case("hs_mlm_equal", DATA "hs.csv", NULL, 0);
}

/* configural, metric, scalar, strict: lavTestLRT's default for MLM, the
 * Satorra-Bentler (2001) scaled difference */
static void test_mlm_invariance(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv"), *ref = read_csv(REF "hs_mlm_invariance.csv");
    const char *hs = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n";
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_MLM};
    if (brisk_invariance(hs, "hs", 1, ds, NULL, 0, "school", &opt, list, &err) != BRISK_OK)
        fail_msg("invariance: %s", err.message);
    const brisk_table *t = list->tables[0];
    assert_int_equal(t->nrows, ref->nrows);
    static const char *const pairs[][2] = {
        {"npar", "npar"}, {"chisq", "chisq"}, {"df", "df"}, {"chisq_scaled", "chisq_scaled"},
        {"scaling_factor", "scaling_factor"}, {"cfi", "cfi"}, {"tli", "tli"},
        {"rmsea", "rmsea"}, {"srmr", "srmr"}, {"cfi_robust", "cfi_robust"},
        {"tli_robust", "tli_robust"}, {"rmsea_robust", "rmsea_robust"},
        {"chisq_diff", "chisq_diff"}, {"df_diff", "df_diff"}, {"pvalue_diff", "pvalue"}};
    for (size_t i = 0; i < ref->nrows; i++)
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            if (i == 0 && strstr(pairs[k][0], "diff"))
                continue;   /* no level before the configural */
            size_t col = brisk_table_find_column(t, pairs[k][0]);
            if (col == (size_t)-1)
                fail_msg("invariance: no column %s", pairs[k][0]);
            near(brisk_table_cell(t, i, col)->num, num_at(ref, pairs[k][1], i), pairs[k][0],
                 ref_text(ref, "model", i));
        }
    brisk_table_list_free(list);
    brisk_dataset_free(ref);
    brisk_dataset_free(ds);
}

/* What MLM does not go with: refused with what to use instead. */
static void test_mlm_refused(void **state)
{
    (void)state;
    static const struct {
        brisk_model_options opt;
        const char *says;
    } cases[] = {
        {{.estimator = BRISK_ESTIMATOR_MLM, .fiml = true}, "--estimator mlr --missing fiml"},
        {{.estimator = BRISK_ESTIMATOR_MLM, .ordered = true}, "--estimator wlsmv"},
        {{.estimator = BRISK_ESTIMATOR_MLM, .weight = "w"}, "--estimator mlr"},
        {{.estimator = BRISK_ESTIMATOR_MLM, .cluster = "c"}, "--cluster"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        brisk_error err;
        brisk_error_clear(&err);
        assert_int_equal(brisk_check_estimation(&cases[k].opt, &err), BRISK_ERR_ARGUMENT);
        if (!strstr(err.message, cases[k].says))
            fail_msg("case %zu: '%s' does not say %s", k, err.message, cases[k].says);
    }
    /* the fit itself refuses them before reading anything */
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    brisk_fitted f;
    brisk_error err;
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_MLM, .fiml = true};
    assert_int_equal(brisk_fit_text("f =~ x1 + x2 + x3\n", "m.lav", 1, ds, NULL, 0, NULL, &opt,
                                    &f, &err),
                     BRISK_ERR_ARGUMENT);
    brisk_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlm_holzinger_swineford),
        cmocka_unit_test(test_mlm_political_democracy),
        cmocka_unit_test(test_mlm_groups),
        cmocka_unit_test(test_mlm_fixed_covariates),
        cmocka_unit_test(test_mlm_constraint),
        cmocka_unit_test(test_mlm_invariance),
        cmocka_unit_test(test_mlm_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
