/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Thresholds and polychoric correlations against lavaan's lavCor(ordered =
 * TRUE) on the crime items of the bundled Rongcheng survey
 * (tests/reference/robust/rongcheng_thresholds.csv, _polychoric.csv). */
#include <config.h>
#include <gsl/gsl_cdf.h>
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
#include "stats/polychoric.h"
#include "sem/sem_wls.h"

#define REF TEST_SRCDIR "/tests/reference/robust/"

static const char *const items[] = {
    "tg1", "tg2", "tg3", "pc1", "pc2", "pc3", "pm1_crime", "pm2_crime", "pm3_crime",
    "pb1_crime", "pb2_crime", "pb3_crime", "pr1_crime", "pr2_crime", "pr3_crime",
    "acc1_crime", "acc2_crime", "acc3_crime"};
#define NITEMS (sizeof items / sizeof items[0])

typedef struct prepared {
    brisk_survey *s;
    brisk_survey_data *d;
    const brisk_column *cols[NITEMS];
    size_t *rows, n;
} prepared;

/* The survey's data (missing codes out, pr3 reversed), complete cases of
 * the 18 items, as the reference script prepares them. */
static int prepare(void **state)
{
    prepared *p = calloc(1, sizeof *p);
    brisk_error err;
    assert_int_equal(brisk_survey_load(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", &p->s,
                                       &err), BRISK_OK);
    assert_int_equal(brisk_survey_read_data(p->s, &p->d, &err), BRISK_OK);
    const brisk_dataset *ds = p->d->ds;
    for (size_t j = 0; j < NITEMS; j++)
        assert_non_null(p->cols[j] = brisk_dataset_find(ds, items[j]));
    p->rows = malloc(ds->nrows * sizeof *p->rows);
    for (size_t r = 0; r < ds->nrows; r++) {
        bool complete = true;
        for (size_t j = 0; j < NITEMS && complete; j++)
            complete = !brisk_is_missing(p->cols[j], r) && !isnan(p->cols[j]->num[r]);
        if (complete)
            p->rows[p->n++] = r;
    }
    *state = p;
    return 0;
}

static int release(void **state)
{
    prepared *p = *state;
    free(p->rows);
    brisk_survey_data_free(p->d);
    brisk_survey_free(p->s);
    free(p);
    return 0;
}

/* Counts of categories 1..5 of item j (and its thresholds). */
static void item_thresholds(const prepared *p, size_t j, double *tau)
{
    double counts[5] = {0};
    for (size_t i = 0; i < p->n; i++)
        counts[(size_t)p->cols[j]->num[p->rows[i]] - 1] += 1;
    brisk_thresholds(counts, 5, tau);
}

static size_t item_index(const char *name)
{
    for (size_t j = 0; j < NITEMS; j++)
        if (strcmp(items[j], name) == 0)
            return j;
    fail_msg("unknown item %s", name);
    return 0;
}

static void test_thresholds(void **state)
{
    prepared *p = *state;
    assert_int_equal(p->n, 358);
    brisk_dataset *ref = read_csv(REF "rongcheng_thresholds.csv");
    for (size_t i = 0; i < ref->nrows; i++) {
        double tau[4];
        item_thresholds(p, item_index(ref_text(ref, "var", i)), tau);
        size_t c = (size_t)(ref_text(ref, "threshold", i)[1] - '1');
        double want = brisk_dataset_find(ref, "value")->num[i];
        if (!(fabs(tau[c] - want) < 1e-10))
            fail_msg("%s t%zu: brisk %.12g, lavaan %.12g", ref_text(ref, "var", i), c + 1,
                     tau[c], want);
    }
    brisk_dataset_free(ref);
}

static void test_polychoric_correlations(void **state)
{
    prepared *p = *state;
    brisk_dataset *ref = read_csv(REF "rongcheng_polychoric.csv");
    assert_int_equal(ref->nrows, NITEMS * (NITEMS - 1) / 2);
    for (size_t i = 0; i < ref->nrows; i++) {
        size_t a = item_index(ref_text(ref, "var1", i)), b = item_index(ref_text(ref, "var2", i));
        double table[25] = {0}, ta[4], tb[4], rho;
        for (size_t k = 0; k < p->n; k++)
            table[((size_t)p->cols[a]->num[p->rows[k]] - 1) * 5 +
                  (size_t)p->cols[b]->num[p->rows[k]] - 1] += 1;
        item_thresholds(p, a, ta);
        item_thresholds(p, b, tb);
        assert_true(brisk_polychoric(table, 5, 5, ta, tb, &rho));
        double want = brisk_dataset_find(ref, "rho")->num[i];
        if (!(fabs(rho - want) < 1e-7))
            fail_msg("%s-%s: brisk %.10g, lavaan %.10g", items[a], items[b], rho, want);
    }
    brisk_dataset_free(ref);
}

/* The bivariate normal distribution against known values: independence,
 * r = +-1 limits approached, and symmetry. */
static void test_bivariate_normal(void **state)
{
    (void)state;
    assert_true(fabs(brisk_bvn_cdf(0, 0, 0) - 0.25) < 1e-15);
    /* P(X<=0, Y<=0) = 1/4 + asin(r) / (2 pi) */
    for (double r = -0.99; r < 1; r += 0.11)
        assert_true(fabs(brisk_bvn_cdf(0, 0, r) - (0.25 + asin(r) / (2 * M_PI))) < 1e-14);
    assert_true(fabs(brisk_bvn_cdf(0.3, -1.2, 0.6) - brisk_bvn_cdf(-1.2, 0.3, 0.6)) < 1e-15);
    assert_true(fabs(brisk_bvn_cdf(INFINITY, 0.5, 0.4) - gsl_cdf_ugaussian_P(0.5)) < 1e-15);
}

/* WLSMV of the crime measurement model against lavaan's
 * cfa(ordered = TRUE, estimator = "WLSMV") (rongcheng_wlsmv.*). */
static void test_wlsmv(void **state)
{
    prepared *p = *state;
    char *text = slurp(REF "rongcheng_wlsmv.lav");
    brisk_syntax *syn = NULL;
    brisk_model *m = NULL;
    brisk_error err;
    assert_int_equal(brisk_syntax_parse(text, "wlsmv.lav", 1, &syn, &err), BRISK_OK);
    brisk_model_options opt = {.ordered = true};
    assert_int_equal(brisk_model_new(syn, items, NITEMS, &opt, &m, &err), BRISK_OK);
    size_t pm = brisk_model_nobserved(m);
    double *x = malloc(p->n * pm * sizeof *x);
    for (size_t j = 0; j < pm; j++) {
        const brisk_column *c = p->cols[item_index(brisk_model_observed(m, j))];
        for (size_t i = 0; i < p->n; i++)
            x[i * pm + j] = c->num[p->rows[i]];
    }
    brisk_wlsmv w;
    brisk_moments mom = {.p = pm, .n = p->n, .data = x};
    if (brisk_wlsmv_fit(m, &mom, &w, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    brisk_dataset *fit = read_csv(REF "rongcheng_wlsmv.extra.csv");
    const brisk_column *q = brisk_dataset_find(fit, "quantity"), *v = brisk_dataset_find(fit, "value");
    const struct { const char *key; double got; } checks[] = {
        {"chisq", w.chisq}, {"df", w.df}, {"chisq.scaled", w.chisq_scaled},
        {"chisq.scaling.factor", w.scaling_factor}, {"shift.parameter", w.shift},
        {"trace.UGamma", w.trace_ug}, {"trace.UGamma2", w.trace_ug2},
        {"baseline.chisq", w.baseline_chisq}, {"baseline.chisq.scaled", w.baseline_chisq_scaled},
        {"baseline.chisq.scaling.factor", w.baseline_scaling_factor},
        {"baseline.shift.parameter", w.baseline_shift}};
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++)
        for (size_t i = 0; i < fit->nrows; i++)
            if (strcmp(q->str[i], checks[k].key) == 0 &&
                !(fabs(checks[k].got - v->num[i]) < 1e-3 * fmax(1, fabs(v->num[i]))))
                fail_msg("%s: brisk %.10g, lavaan %.10g", checks[k].key, checks[k].got, v->num[i]);
    brisk_dataset *par = read_csv(REF "rongcheng_wlsmv.params.csv");
    size_t compared = 0;
    for (size_t i = 0; i < par->nrows; i++) {
        const char *lhs = ref_text(par, "lhs", i), *op = ref_text(par, "op", i),
                   *rhs = ref_text(par, "rhs", i);
        for (size_t r = 0; r < brisk_model_nparams(m); r++) {
            const brisk_param *bp = brisk_model_param(m, r);
            if (bp->free <= 0 || strcmp(bp->lhs, lhs) || strcmp(brisk_op_text(bp->op), op) ||
                strcmp(bp->rhs, rhs))
                continue;
            double est = w.theta[bp->free - 1], se = sqrt(w.vcov[(bp->free - 1) * (w.q + 1)]);
            double want = brisk_dataset_find(par, "est")->num[i];
            double want_se = brisk_dataset_find(par, "se")->num[i];
            if (!(fabs(est - want) < 1e-4) || !(fabs(se - want_se) < 1e-4))
                fail_msg("%s %s %s: brisk %.8g (%.8g), lavaan %.8g (%.8g)", lhs, op, rhs, est,
                         se, want, want_se);
            compared++;
        }
    }
    assert_int_equal(compared, w.q);
    /* the thresholds, item by item in the model's order */
    for (size_t i = 0, t = 0; i < par->nrows; i++) {
        if (strcmp(ref_text(par, "op", i), "|") != 0)
            continue;
        double want = brisk_dataset_find(par, "est")->num[i];
        double want_se = brisk_dataset_find(par, "se")->num[i];
        const brisk_wlsmv_stats *st = &w.groups[0];
        if (!(fabs(st->tau[t] - want) < 1e-8) || !(fabs(st->tau_se[t] - want_se) < 1e-6))
            fail_msg("%s|%s: brisk %.8g (%.8g), lavaan %.8g (%.8g)", ref_text(par, "lhs", i),
                     ref_text(par, "rhs", i), st->tau[t], st->tau_se[t], want, want_se);
        t++;
    }
    brisk_dataset_free(par);
    brisk_dataset_free(fit);
    brisk_wlsmv_free(&w);
    free(x);
    brisk_model_free(m);
    brisk_syntax_free(syn);
}

/* The fit of reference case NAME (its .lav) through brisk_fit_text against
 * lavaan's rows (matched by lhs, op, rhs and group: est, SE, std.all; the
 * items' residual variances fixed at 1 - explained; the thresholds) and
 * measures. */
static void check_wlsmv_equal(const char *name, const brisk_dataset *ds, const char *group,
                              unsigned group_equal)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.lav", name);
    brisk_fitted f;
    brisk_error err;
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_WLSMV, .group_equal = group_equal};
    if (brisk_fit_text(slurp(path), path, 1, ds, NULL, 0, group, &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    const brisk_fit *fit = f.fit;
    snprintf(path, sizeof path, REF "%s.params.csv", name);
    brisk_dataset *par = read_csv(path);
    const brisk_column *gcol = brisk_dataset_find(par, "group");
    size_t compared = 0, thresholds = 0, scales = 0;
    /* thresholds estimated with the model (held equal across groups): to
     * the estimates' convergence, not the sample's closed form */
    double tau_tol = fit->nscales ? 1e-4 : 1e-7, se_tol = fit->nscales ? 1e-4 : 1e-6;
    for (size_t i = 0; i < par->nrows; i++) {
        size_t g = gcol ? (size_t)gcol->num[i] - 1 : 0;
        const char *lhs = ref_text(par, "lhs", i), *op = ref_text(par, "op", i),
                   *rhs = ref_text(par, "rhs", i);
        double want[] = {brisk_dataset_find(par, "est")->num[i],
                         brisk_dataset_find(par, "se")->num[i],
                         brisk_dataset_find(par, "std_all")->num[i]};
        for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
            const brisk_param *bp = brisk_model_param(f.model, r);
            if (bp->group != g || strcmp(bp->lhs, lhs) || strcmp(brisk_op_text(bp->op), op) ||
                strcmp(bp->rhs, rhs))
                continue;
            const brisk_estimate *e = &fit->rows[r];
            double got[] = {e->est, e->se, e->std_all};
            for (size_t k = 0; k < 3; k++)
                if (!(fabs(got[k] - want[k]) < 1e-4))
                    fail_msg("%s: %s %s %s group %zu [%zu]: brisk %.8g, lavaan %.8g", name,
                             bp->lhs, op, bp->rhs, g + 1, k, got[k], want[k]);
            compared++;
        }
        if (strcmp(op, "~*~") == 0) {   /* "item ~*~ item": its scale factor in group g */
            for (size_t k = 0; k < fit->nscales; k++) {
                if (fit->scale_group[k] != g ||
                    strcmp(brisk_model_observed(f.model, fit->scale_item[k]), lhs))
                    continue;
                if (!(fabs(fit->scales[k] - want[0]) < 1e-4) ||
                    !(fabs(fit->scale_se[k] - want[1]) < 1e-4))
                    fail_msg("%s: %s ~*~ group %zu: brisk %.8g (%.8g), lavaan %.8g (%.8g)", name,
                             lhs, g + 1, fit->scales[k], fit->scale_se[k], want[0], want[1]);
                scales++;
            }
            continue;
        }
        if (strcmp(op, "|") != 0)
            continue;
        /* lavaan's "item | tK": the K-th threshold of the item in group g */
        size_t k = (size_t)atoi(rhs + 1), seen = 0;
        for (size_t t = 0; t < fit->nthresholds; t++) {
            if (fit->threshold_group[t] != g ||
                strcmp(brisk_model_observed(f.model, fit->threshold_item[t]), lhs) || ++seen != k)
                continue;
            /* with covariates the thresholds come from probit regressions
             * solved to 1e-11, as lavaan's own to its tolerance */
            if (!(fabs(fit->thresholds[t] - want[0]) < tau_tol) ||
                !(fabs(fit->threshold_se[t] - want[1]) < se_tol) ||
                !(fabs(fit->threshold_std[t] - want[2]) < se_tol))
                fail_msg("%s: %s|%s group %zu: brisk %.8g (%.8g, std %.8g), lavaan %.8g (%.8g, "
                         "std %.8g)", name, lhs, rhs, g + 1, fit->thresholds[t],
                         fit->threshold_se[t], fit->threshold_std[t], want[0], want[1], want[2]);
            thresholds++;
        }
    }
    assert_int_equal(compared, brisk_model_nparams(f.model));
    assert_int_equal(thresholds, fit->nthresholds);
    assert_int_equal(scales, fit->nscales);
    snprintf(path, sizeof path, REF "%s.fit.csv", name);
    brisk_dataset *fm = read_csv(path);
    const brisk_fit_measures *m = &fit->fit;
    const struct { const char *key; double got; } checks[] = {
        {"chisq", m->chisq}, {"df", m->df}, {"pvalue", m->pvalue}, {"chisq_scaled", m->chisq_scaled},
        {"pvalue_scaled", m->pvalue_scaled}, {"chisq_scaling_factor", m->scaling_factor},
        {"baseline_chisq", m->baseline_chisq}, {"baseline_chisq_scaled", m->baseline_chisq_scaled},
        {"cfi", m->cfi}, {"tli", m->tli}, {"cfi_scaled", m->cfi_scaled},
        {"tli_scaled", m->tli_scaled}, {"rmsea", m->rmsea}, {"rmsea_scaled", m->rmsea_scaled},
        {"rmsea_ci_lower_scaled", m->rmsea_ci_lower_scaled},
        {"rmsea_ci_upper_scaled", m->rmsea_ci_upper_scaled}, {"srmr", m->srmr},
        {"npar", (double)m->npar}, {"cfi_robust", m->cfi_robust}, {"tli_robust", m->tli_robust},
        {"rmsea_robust", m->rmsea_robust}, {"rmsea_ci_lower_robust", m->rmsea_ci_lower_robust},
        {"rmsea_ci_upper_robust", m->rmsea_ci_upper_robust}};
    for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < fm->nrows; i++) {
            if (strcmp(ref_text(fm, "measure", i), checks[k].key) != 0)
                continue;
            found = true;
            double want = brisk_dataset_find(fm, "value")->num[i];
            /* lavaan's NA: no p on 0 df; no robust (catML) indices given
             * covariates, where brisk has none either */
            if (isnan(want) && (isnan(checks[k].got) || (strstr(checks[k].key, "_robust") &&
                                                          !m->robust)))
                continue;
            if (!(fabs(checks[k].got - want) < 1e-6 * fmax(1, fabs(want))))
                fail_msg("%s: %s: brisk %.8g, lavaan %.8g", name, checks[k].key, checks[k].got,
                         want);
        }
        if (!found)
            fail_msg("%s: no %s in the reference", name, checks[k].key);
    }
    brisk_dataset_free(fm);
    brisk_dataset_free(par);
    brisk_fitted_free(&f);
}

static void check_wlsmv(const char *name, const brisk_dataset *ds, const char *group)
{
    check_wlsmv_equal(name, ds, group, 0);
}

/* The crime model through brisk_fit_text. */
static void test_wlsmv_fit(void **state)
{
    prepared *p = *state;
    check_wlsmv("rongcheng_wlsmv", p->d->ds, NULL);
}

/* Six-point items with missing answers: lavaan's WLSMV deletes listwise
 * (2,632 of 2,800), and so does brisk's. */
static void test_wlsmv_listwise(void **state)
{
    (void)state;
    brisk_dataset *ds = read_bfi_reversed();
    check_wlsmv("bfi_wlsmv", ds, NULL);
    brisk_dataset_free(ds);
}

/* The same by gender: thresholds, polychorics and Gamma per group, DWLS
 * over both, the statistic summed with each group's N_g - 1, robust SEs
 * over N - G, the scaled-shifted test from the stacked U Gamma. */
static void test_wlsmv_groups(void **state)
{
    (void)state;
    brisk_dataset *ds = read_bfi_reversed();
    check_wlsmv("bfi_wlsmv_group", ds, "gender");
    /* scalar invariance: loadings and thresholds equal, the second group's
     * scale factors (~*~) and latent means free */
    check_wlsmv_equal("bfi_wlsmv_scalar", ds, "gender",
                      BRISK_EQUAL_LOADINGS | BRISK_EQUAL_THRESHOLDS);
    brisk_dataset_free(ds);
}

/* First-step and second-step statistics given the covariates against
 * lavaan's sampstat: each item's probit thresholds and slopes, the
 * polychorics of the latent responses given the covariates. */
static void check_conditional_statistics(const char *name, const brisk_dataset *ds)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.lav", name);
    brisk_fitted f;
    brisk_error err;
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_WLSMV};
    if (brisk_fit_text(slurp(path), path, 1, ds, NULL, 0, NULL, &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    brisk_wlsmv w;
    if (brisk_wlsmv_fit(f.model, f.moments, &w, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    assert_true(w.nx > 0);
    snprintf(path, sizeof path, REF "%s.extra.csv", name);
    brisk_dataset *ex = read_csv(path);
    size_t slopes = 0, correlations = 0;
    for (size_t i = 0; i < ex->nrows; i++) {
        const char *what = ref_text(ex, "quantity", i), *row = ref_text(ex, "row", i),
                   *col = ref_text(ex, "col", i);
        double want = brisk_dataset_find(ex, "value")->num[i], got = NAN;
        size_t j = 0, l = 0;
        bool slope = strcmp(what, "slope") == 0, cor = strcmp(what, "polychoric") == 0;
        if (!slope && !cor)
            continue;
        while (j < w.p && strcmp(brisk_model_observed(f.model, w.yv[j]), row))
            j++;
        if (slope)
            while (l < w.nx && strcmp(brisk_model_observed(f.model, w.xv[l]), col))
                l++;
        else
            while (l < w.p && strcmp(brisk_model_observed(f.model, w.yv[l]), col))
                l++;
        assert_true(j < w.p && l < (slope ? w.nx : w.p));
        got = slope ? w.groups[0].slopes[j * w.nx + l] : w.groups[0].rho[j * w.p + l];
        if (!(fabs(got - want) < 1e-7))
            fail_msg("%s: %s %s %s: brisk %.10g, lavaan %.10g", name, what, row, col, got, want);
        slopes += slope;
        correlations += cor;
    }
    assert_int_equal(slopes, w.p * w.nx);
    assert_int_equal(correlations, w.npairs);
    brisk_dataset_free(ex);
    brisk_wlsmv_free(&w);
    brisk_fitted_free(&f);
}

/* Ordered items with fixed covariates (lavaan's conditional.x): the bfi
 * factors on age, gender and education (2,418 complete rows), and on age
 * by gender. */
static void test_wlsmv_covariates(void **state)
{
    (void)state;
    brisk_dataset *ds = read_bfi_reversed();
    check_conditional_statistics("bfi_wlsmv_x", ds);
    check_wlsmv("bfi_wlsmv_x", ds, NULL);
    check_wlsmv("bfi_wlsmv_x_group", ds, "gender");
    brisk_dataset_free(ds);
}

/* The Kostka-style approval regression: one ordered item on four
 * demographics is an ordered probit (df 0), as lavaan's WLSMV gives it. */
static void test_wlsmv_probit_regression(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(TEST_SRCDIR "/surveys/kostka2019/kostka2019.csv");
    check_conditional_statistics("kostka_wlsmv", ds);
    check_wlsmv("kostka_wlsmv", ds, NULL);
    brisk_dataset_free(ds);
}

/* lavaan refuses a group that leaves out one of an item's answers, and
 * so does brisk, naming the item, the answer and the group. */
static void test_wlsmv_empty_category(void **state)
{
    prepared *p = *state;
    brisk_fitted f;
    brisk_error err;
    brisk_model_options opt = {.estimator = BRISK_ESTIMATOR_WLSMV};
    assert_int_equal(brisk_fit_text(slurp(REF "rongcheng_wlsmv.lav"), "wlsmv.lav", 1, p->d->ds,
                                    NULL, 0, "gender", &opt, &f, &err),
                     BRISK_ERR_DATA);
    assert_non_null(strstr(err.message, "in group '"));
    assert_non_null(strstr(err.message, "has no answer"));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_polychoric_correlations),
        cmocka_unit_test(test_bivariate_normal),
        cmocka_unit_test(test_wlsmv),
        cmocka_unit_test(test_wlsmv_fit),
        cmocka_unit_test(test_wlsmv_listwise),
        cmocka_unit_test(test_wlsmv_groups),
        cmocka_unit_test(test_wlsmv_covariates),
        cmocka_unit_test(test_wlsmv_probit_regression),
        cmocka_unit_test(test_wlsmv_empty_category),
    };
    return cmocka_run_group_tests(tests, prepare, release);
}
