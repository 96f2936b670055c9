/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SEM engine against lavaan 0.6.14 (tests/reference/sem/, made by
 * make_reference.R and flattened by to_csv.R), and its error paths. */
#include <config.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "brisk.h"
#include "core/util.h"
#include "ref_helpers.h"
#include "sem/sem_fit.h"

#define REF TEST_SRCDIR "/tests/reference/sem/"
#define DATA TEST_SRCDIR "/tests/data/"
#define TOL 1e-3

/* Everything one fit holds, freed together. */
typedef struct fitted {
    brisk_dataset *ds;
    brisk_syntax *syn;
    brisk_model *model;
    brisk_moments mom;
    brisk_fit *fit;
    brisk_error err;
    brisk_status status;
} fitted;

static void fitted_free(fitted *f)
{
    brisk_fit_free(f->fit);
    brisk_moments_free(&f->mom);
    brisk_model_free(f->model);
    brisk_syntax_free(f->syn);
    brisk_dataset_free(f->ds);
}


/* Fit model text on a data file with the given options. */
static fitted fit_text(const char *text, const char *data, brisk_model_options opt)
{
    fitted f = {0};
    brisk_error_clear(&f.err);
    f.status = brisk_read_file(data, NULL, &f.ds, &f.err);
    assert_int_equal(f.status, BRISK_OK);
    if ((f.status = brisk_syntax_parse(text, "m.lav", 1, &f.syn, &f.err)) != BRISK_OK)
        return f;
    const char *names[64];
    for (size_t j = 0; j < f.ds->ncols && j < 64; j++)
        names[j] = f.ds->cols[j].name;
    opt.name = "m.lav";
    if ((f.status = brisk_model_new(f.syn, names, f.ds->ncols, &opt, &f.model, &f.err)) ||
        (f.status = opt.fiml ? brisk_moments_from_data_fiml(f.model, f.ds, NULL, 0,
                                                            opt.time_limit, &f.mom, &f.err)
                             : brisk_moments_from_data(f.model, f.ds, NULL, 0, &f.mom, &f.err)))
        return f;
    brisk_fit_options fo = {.robust = opt.estimator == BRISK_ESTIMATOR_MLR};
    f.status = brisk_fit_ml(f.model, &f.mom, &fo, &f.fit, &f.err);
    return f;
}

/* A1, C4 and C5 of bfi reversed (7 - x), as tests/data/bfi.survey does,
 * into a copy of the data file that the reference scripts read the same way. */
static const char *bfi_reversed(void)
{
    static char path[] = "/tmp/brisk-test-bfi-XXXXXX.csv";
    static bool done = false;
    if (done)
        return path;
    brisk_dataset *ds = read_bfi_reversed();
    brisk_error err;
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(brisk_write_dataset_csv(f, ds, ',', false, &err), BRISK_OK);
    fclose(f);
    brisk_dataset_free(ds);
    done = true;
    return path;
}

static brisk_dataset *reference(const char *name, const char *part)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.%s.csv", name, part);
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    return ds;
}

static const char *text_at(const brisk_dataset *ds, const char *col, size_t row)
{
    const brisk_column *c = brisk_dataset_find(ds, col);
    return brisk_is_missing(c, row) ? "" : c->str[row];
}

static double num_at(const brisk_dataset *ds, const char *col, size_t row)
{
    return brisk_dataset_find(ds, col)->num[row];
}

static void near(double mine, double theirs, double tol, const char *what, const char *model)
{
    if (isnan(theirs) && isnan(mine))
        return;
    if (!(fabs(mine - theirs) <= tol))
        fail_msg("%s %s: brisk %.8g, lavaan %.8g", model, what, mine, theirs);
}

/* Every parameter row, in lavaan's order, with est, se, std_lv, std_all. */
static void compare_parameters(const char *name, const brisk_fit *fit)
{
    brisk_dataset *ref = reference(name, "params");
    const brisk_model *m = fit->model;
    assert_int_equal(brisk_model_nparams(m), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_param *p = brisk_model_param(m, i);
        char what[200];
        snprintf(what, sizeof what, "row %zu %s %s %s", i + 1, p->lhs, brisk_op_text(p->op),
                 p->rhs);
        if (strcmp(p->lhs, text_at(ref, "lhs", i)) || strcmp(p->rhs, text_at(ref, "rhs", i)))
            fail_msg("%s %s: lavaan has %s %s here", name, what, text_at(ref, "lhs", i),
                     text_at(ref, "rhs", i));
        assert_string_equal(strcmp(brisk_op_text(p->op), "~1") == 0 ? "~1" : brisk_op_text(p->op),
                            text_at(ref, "op", i));
        const brisk_estimate *e = &fit->rows[i];
        near(e->est, num_at(ref, "est", i), TOL, what, name);
        near(e->se, num_at(ref, "se", i), TOL, what, name);
        near(e->std_lv, num_at(ref, "std_lv", i), TOL, what, name);
        near(e->std_all, num_at(ref, "std_all", i), TOL, what, name);
        if (!isnan(num_at(ref, "z", i)))
            near(e->z, num_at(ref, "z", i), 5e-3 * fmax(1, fabs(e->z)), what, name);
    }
    brisk_dataset_free(ref);
}

static double measure(const brisk_fit_measures *f, const char *key)
{
    static const struct { const char *key; size_t offset; } map[] = {
        {"chisq", offsetof(brisk_fit_measures, chisq)}, {"df", offsetof(brisk_fit_measures, df)},
        {"pvalue", offsetof(brisk_fit_measures, pvalue)},
        {"baseline_chisq", offsetof(brisk_fit_measures, baseline_chisq)},
        {"baseline_df", offsetof(brisk_fit_measures, baseline_df)},
        {"baseline_pvalue", offsetof(brisk_fit_measures, baseline_pvalue)},
        {"cfi", offsetof(brisk_fit_measures, cfi)}, {"tli", offsetof(brisk_fit_measures, tli)},
        {"rmsea", offsetof(brisk_fit_measures, rmsea)},
        {"rmsea_ci_lower", offsetof(brisk_fit_measures, rmsea_ci_lower)},
        {"rmsea_ci_upper", offsetof(brisk_fit_measures, rmsea_ci_upper)},
        {"rmsea_pvalue", offsetof(brisk_fit_measures, rmsea_pvalue)},
        {"srmr", offsetof(brisk_fit_measures, srmr)}, {"logl", offsetof(brisk_fit_measures, loglik)},
        {"unrestricted_logl", offsetof(brisk_fit_measures, unrestricted_loglik)},
        {"aic", offsetof(brisk_fit_measures, aic)}, {"bic", offsetof(brisk_fit_measures, bic)},
        {"bic2", offsetof(brisk_fit_measures, sabic)},
        /* MLR */
        {"chisq_scaled", offsetof(brisk_fit_measures, chisq_scaled)},
        {"pvalue_scaled", offsetof(brisk_fit_measures, pvalue_scaled)},
        {"chisq_scaling_factor", offsetof(brisk_fit_measures, scaling_factor)},
        {"baseline_chisq_scaled", offsetof(brisk_fit_measures, baseline_chisq_scaled)},
        {"baseline_pvalue_scaled", offsetof(brisk_fit_measures, baseline_pvalue_scaled)},
        {"baseline_chisq_scaling_factor", offsetof(brisk_fit_measures, baseline_scaling_factor)},
        {"cfi_scaled", offsetof(brisk_fit_measures, cfi_scaled)},
        {"tli_scaled", offsetof(brisk_fit_measures, tli_scaled)},
        {"cfi_robust", offsetof(brisk_fit_measures, cfi_robust)},
        {"tli_robust", offsetof(brisk_fit_measures, tli_robust)},
        {"rmsea_scaled", offsetof(brisk_fit_measures, rmsea_scaled)},
        {"rmsea_ci_lower_scaled", offsetof(brisk_fit_measures, rmsea_ci_lower_scaled)},
        {"rmsea_ci_upper_scaled", offsetof(brisk_fit_measures, rmsea_ci_upper_scaled)},
        {"rmsea_robust", offsetof(brisk_fit_measures, rmsea_robust)},
        {"rmsea_ci_lower_robust", offsetof(brisk_fit_measures, rmsea_ci_lower_robust)},
        {"rmsea_ci_upper_robust", offsetof(brisk_fit_measures, rmsea_ci_upper_robust)},
    };
    if (strcmp(key, "npar") == 0)
        return (double)f->npar;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(map[k].key, key) == 0)
            return *(const double *)((const char *)f + map[k].offset);
    fail_msg("unknown measure %s", key);
    return NAN;
}

/* fitMeasures that brisk does not report (the MLR references list all). */
static bool lavaan_only(const char *key)
{
    static const char *const names[] = {
        "fmin", "ntotal", "df_scaled", "baseline_df_scaled", "nnfi", "rfi", "nfi", "pnfi", "ifi",
        "rni", "nnfi_scaled", "rfi_scaled", "nfi_scaled", "pnfi_scaled", "ifi_scaled",
        "rni_scaled", "nnfi_robust", "rni_robust", "scaling_factor_h1", "scaling_factor_h0",
        "rmsea_ci_level", "rmsea_close_h0", "rmsea_notclose_pvalue", "rmsea_notclose_h0",
        "rmsea_pvalue_scaled", "rmsea_notclose_pvalue_scaled", "rmsea_pvalue_robust",
        "rmsea_notclose_pvalue_robust", "rmr", "rmr_nomean", "srmr_bentler",
        "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus", "srmr_mplus_nomean",
        "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "ecvi"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k], key) == 0)
            return true;
    return false;
}

static void compare_fit(const char *name, const brisk_fit *fit)
{
    brisk_dataset *ref = reference(name, "fit");
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *key = text_at(ref, "measure", i);
        /* lavaan reports robust indices after plain ML with missing values
         * too (its FIML-corrected statistic); brisk only after MLR */
        if (lavaan_only(key) || (!fit->fit.robust && strstr(key, "_robust")))
            continue;
        /* 1e-3, or 1e-6 relative for the large chi-squares (a baseline's) */
        double want = num_at(ref, "value", i);
        near(measure(&fit->fit, key), want, fmax(TOL, 1e-6 * fabs(want)), key, name);
    }
    brisk_dataset_free(ref);
    ref = reference(name, "r2");
    size_t defined = 0;   /* lavaan leaves out what it cannot define (NA) */
    for (size_t k = 0; k < fit->nr2; k++)
        defined += !isnan(fit->r2[k]);
    assert_int_equal(defined, ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *var = text_at(ref, "variable", i);
        size_t k = 0;
        while (k < fit->nr2 && strcmp(fit->r2_names[k], var) != 0)
            k++;
        if (k == fit->nr2)
            fail_msg("%s: no R-squared for %s", name, var);
        near(fit->r2[k], num_at(ref, "r2", i), TOL, var, name);
    }
    brisk_dataset_free(ref);
}

static void check_model(const char *name, const char *data, brisk_model_options opt)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.lav", name);
    fitted f = fit_text(slurp(path), data, opt);
    if (f.status != BRISK_OK)
        fail_msg("%s: %s", name, f.err.message);
    assert_true(f.fit->converged);
    compare_parameters(name, f.fit);
    compare_fit(name, f.fit);
    fitted_free(&f);
}

static void test_holzinger_swineford_cfa(void **state)
{
    (void)state;
    check_model("hs_cfa", DATA "hs.csv", (brisk_model_options){0});
}

static void test_political_democracy(void **state)
{
    (void)state;
    check_model("pd_sem", DATA "pd.csv", (brisk_model_options){0});
}

static void test_equality_labels_and_defined(void **state)
{
    (void)state;
    check_model("pd_labels", DATA "pd.csv", (brisk_model_options){0});
}

static void test_std_lv(void **state)
{
    (void)state;
    check_model("hs_stdlv", DATA "hs.csv", (brisk_model_options){.std_lv = true});
}

static void test_fixed_and_freed_loadings(void **state)
{
    (void)state;
    check_model("hs_fixed", DATA "hs.csv", (brisk_model_options){0});
}

static void test_mean_structure(void **state)
{
    (void)state;
    check_model("hs_meanstructure", DATA "hs.csv", (brisk_model_options){.meanstructure = true});
}

static void test_structural_paths_and_effects(void **state)
{
    (void)state;
    check_model("hs_regress", DATA "hs.csv", (brisk_model_options){0});
}

static void test_path_model_with_covariates(void **state)
{
    (void)state;
    check_model("path_fixedx", DATA "path.csv", (brisk_model_options){0});
}

/* A large data set with missing answers and a large chi-square (psych's
 * bfi, 2,436 complete of 2,800): the RMSEA interval needs the noncentral
 * chi-square far out. */
/* Robust ML (tests/reference/robust/, lavaan's estimator = "MLR"):
 * Huber-White SEs from the observed information, the Yuan-Bentler
 * (Mplus) scaled chi-square, scaled and robust CFI, TLI, RMSEA. */
#define ROBUST "../robust/"

static void test_mlr_holzinger_swineford(void **state)
{
    (void)state;
    brisk_model_options mlr = {.estimator = BRISK_ESTIMATOR_MLR};
    check_model(ROBUST "hs_mlr", DATA "hs.csv", mlr);
    check_model(ROBUST "hs_mlr_sem", DATA "hs.csv", mlr);
    /* fixed covariates: their moments left out of the saturated information */
    check_model(ROBUST "path_mlr", DATA "path.csv", mlr);
}

/* lavaan's FIML-corrected robust CFI, TLI and RMSEA (the ML statistic of
 * the EM moments, scaled by tr(U A1^-1 Wc A1^-1 U Gamma) / df) of an MLR
 * fit with missing values: closer than compare_fit's 1e-3. */
static void check_fiml_corrected(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.lav", name);
    fitted f = fit_text(slurp(path), bfi_reversed(),
                        (brisk_model_options){.fiml = true, .estimator = BRISK_ESTIMATOR_MLR});
    assert_int_equal(f.status, BRISK_OK);
    assert_true(f.fit->fit.robust);
    brisk_dataset *ref = reference(name, "fit");
    const char *keys[] = {"cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                          "rmsea_ci_upper_robust"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (size_t i = 0; i < ref->nrows; i++)
            if (strcmp(ref_text(ref, "measure", i), keys[k]) == 0)
                near(measure(&f.fit->fit, keys[k]), num_at(ref, "value", i), 1e-6, keys[k], name);
    brisk_dataset_free(ref);
    fitted_free(&f);
}

/* Full-information ML on bfi's missing answers (lavaan's missing = "ml"):
 * EM for the saturated model, observed-information SEs. */
static void test_fiml_bfi(void **state)
{
    (void)state;
    check_model(ROBUST "bfi_fiml", bfi_reversed(), (brisk_model_options){.fiml = true});
    /* and robust: sandwich SEs from the patterns' casewise scores, the
     * Yuan-Bentler trace with the saturated model's missing-data
     * information */
    check_model(ROBUST "bfi_fiml_mlr", bfi_reversed(),
                (brisk_model_options){.fiml = true, .estimator = BRISK_ESTIMATOR_MLR});
    /* its robust CFI, TLI and RMSEA are lavaan's FIML-corrected ones (the
     * ML statistic of the EM moments, scaled by tr(U A1^-1 Wc A1^-1 U
     * Gamma) / df): closer than compare_fit's 1e-3 */
    check_fiml_corrected(ROBUST "bfi_fiml_mlr");
}

/* Fixed covariates with full-information ML: the rows missing one are
 * left out (223 missing education: 2,577 of 2,800, as lavaan's fixed.x),
 * the likelihoods are conditional on the covariates, the independence
 * model keeps their covariances, and the robust traces and FIML-corrected
 * indices leave their moments out. */
static void test_fiml_fixed_covariates(void **state)
{
    (void)state;
    check_model(ROBUST "bfi_fiml_x", bfi_reversed(), (brisk_model_options){.fiml = true});
    check_model(ROBUST "bfi_fiml_x_mlr", bfi_reversed(),
                (brisk_model_options){.fiml = true, .estimator = BRISK_ESTIMATOR_MLR});
    fitted f = fit_text(slurp(REF ROBUST "bfi_fiml_x.lav"), bfi_reversed(),
                        (brisk_model_options){.fiml = true});
    assert_int_equal(f.status, BRISK_OK);
    assert_int_equal(f.mom.n, 2577);
    assert_int_equal(f.mom.n_no_covariate, 223);
    assert_int_equal(f.mom.n_dropped, 223);
    fitted_free(&f);
    check_fiml_corrected(ROBUST "bfi_fiml_x_mlr");
}

/* The saturated model's EM honours the fit's time limit: out of time it
 * is a convergence error naming the limit (its log-likelihood is the
 * chi-square's reference, so a stopped EM cannot stand), and with time
 * enough it gives the same moments as with none. */
static void test_fiml_em_time_limit(void **state)
{
    (void)state;
    const char *model = slurp(REF ROBUST "bfi_fiml.lav");
    fitted f = fit_text(model, bfi_reversed(), (brisk_model_options){.fiml = true,
                                                                     .time_limit = 1e-9});
    assert_int_equal(f.status, BRISK_ERR_CONVERGENCE);
    assert_non_null(strstr(f.err.message, "(EM) did not converge within the time limit "
                                          "of 1e-09 s (stopped after iteration 1)"));
    fitted_free(&f);
    fitted unlimited = fit_text(model, bfi_reversed(), (brisk_model_options){.fiml = true});
    fitted limited = fit_text(model, bfi_reversed(), (brisk_model_options){.fiml = true,
                                                                           .time_limit = 600});
    assert_int_equal(unlimited.status, BRISK_OK);
    assert_int_equal(limited.status, BRISK_OK);
    size_t p = unlimited.mom.p;
    assert_memory_equal(unlimited.mom.cov, limited.mom.cov, p * p * sizeof(double));
    assert_memory_equal(unlimited.mom.mean, limited.mom.mean, p * sizeof(double));
    assert_true(unlimited.mom.fiml_h1 == limited.mom.fiml_h1);
    fitted_free(&unlimited);
    fitted_free(&limited);
}

static void test_bfi_cfa(void **state)
{
    (void)state;
    check_model("bfi_cfa", DATA "bfi.csv", (brisk_model_options){0});
}

/* Every row of a multi-group fit against lavaan's (whose rows carry a
 * group): estimates and SEs. */
static void compare_group_parameters(const char *name, const brisk_fitted *f)
{
    brisk_dataset *ref = reference(name, "params");
    size_t compared = 0;
    for (size_t i = 0; i < ref->nrows; i++)
        for (size_t r = 0; r < brisk_model_nparams(f->model); r++) {
            const brisk_param *p = brisk_model_param(f->model, r);
            if ((double)(p->group + 1) != num_at(ref, "group", i) ||
                strcmp(p->lhs, text_at(ref, "lhs", i)) || strcmp(p->rhs, text_at(ref, "rhs", i)) ||
                strcmp(brisk_op_text(p->op), text_at(ref, "op", i)))
                continue;
            near(f->fit->rows[r].est, num_at(ref, "est", i), TOL, p->lhs, name);
            near(f->fit->rows[r].se, num_at(ref, "se", i), TOL, p->rhs, name);
            compared++;
        }
    assert_int_equal(compared, brisk_model_nparams(f->model));
    brisk_dataset_free(ref);
}

/* The robust test and indices, to 1e-6 relative. */
static void compare_robust_test(const char *name, const brisk_fit *fit)
{
    brisk_dataset *ref = reference(name, "fit");
    const char *keys[] = {"chisq", "chisq_scaled", "chisq_scaling_factor", "cfi_robust",
                          "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                          "rmsea_ci_upper_robust"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (size_t i = 0; i < ref->nrows; i++)
            if (strcmp(text_at(ref, "measure", i), keys[k]) == 0)
                near(measure(&fit->fit, keys[k]), num_at(ref, "value", i),
                     1e-6 * fmax(1, fabs(num_at(ref, "value", i))), keys[k], name);
    brisk_dataset_free(ref);
}

/* MLR with missing values by gender (bfi_fiml_mlr_group): every
 * parameter (lavaan's rows carry a group), the scaled test and the
 * FIML-corrected robust indices, the groups stacked with weights N_g / N. */
static void test_fiml_mlr_groups(void **state)
{
    (void)state;
    const char *name = ROBUST "bfi_fiml_mlr_group";
    brisk_dataset *ds = read_bfi_reversed();
    brisk_model_options opt = {.fiml = true, .estimator = BRISK_ESTIMATOR_MLR};
    brisk_fitted f;
    brisk_error err;
    if (brisk_fit_text(slurp(REF ROBUST "bfi_fiml_mlr_group.lav"), "m.lav", 1, ds, NULL, 0,
                       "gender", &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    compare_group_parameters(name, &f);
    assert_true(f.fit->fit.robust);
    compare_robust_test(name, f.fit);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
}


/* ---- sampling weights, against lavaan's sampling.weights ---- */

/* kostka2019's regression on fixed covariates, weighted: every estimate,
 * SE (from the design-weighted scores), R-squared and fit measure. */
static void test_weighted_covariates(void **state)
{
    (void)state;
    check_model(ROBUST "kostka_weighted", TEST_SRCDIR "/surveys/kostka2019/kostka2019.csv",
                (brisk_model_options){.weight = "weight"});
}

/* The Rongcheng survey's whole model for behaviour crime, as `brisk fit`
 * fits it: the survey's weight, lavaan's robust SEs of the estimates and
 * the := effects, the Yuan-Bentler test, robust CFI/TLI/RMSEA; and the
 * same fit with the weight left out is the unweighted one. */
static void test_weighted_survey(void **state)
{
    (void)state;
    brisk_survey *s = NULL;
    brisk_survey_data *d = load_rongcheng(&s);
    brisk_error err;
    const char *only[] = {"crime"};
    brisk_survey_fits fits;
    if (brisk_fit_survey(s, d, only, 1, NULL, NULL, &fits, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    assert_int_equal(fits.n, 1);
    const brisk_fit *fit = fits.fitted[0].fit;
    assert_true(fit->fit.robust);
    assert_int_equal(fit->nwarnings, 0);
    compare_parameters(ROBUST "rongcheng_weighted", fit);
    compare_fit(ROBUST "rongcheng_weighted", fit);
    compare_robust_test(ROBUST "rongcheng_weighted", fit);
    brisk_survey_fits_free(&fits);
    /* full-information ML: the patterns, the EM saturated model and the
     * casewise scores weighted; lavaan's FIML-corrected robust indices */
    brisk_model_options fiml = {.fiml = true};
    if (brisk_fit_survey(s, d, only, 1, NULL, &fiml, &fits, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    assert_int_equal(fits.fitted[0].moments[0].n, 600);
    compare_parameters(ROBUST "rongcheng_weighted_fiml", fits.fitted[0].fit);
    compare_fit(ROBUST "rongcheng_weighted_fiml", fits.fitted[0].fit);
    compare_robust_test(ROBUST "rongcheng_weighted_fiml", fits.fitted[0].fit);
    brisk_survey_fits_free(&fits);
    /* --unweighted: the plain ML fit of tests/reference/sem/rongcheng_crime */
    brisk_model_options unweighted = {.unweighted = true};
    assert_int_equal(brisk_fit_survey(s, d, only, 1, NULL, &unweighted, &fits, &err), BRISK_OK);
    assert_false(fits.fitted[0].fit->fit.robust);
    compare_parameters("rongcheng_crime", fits.fitted[0].fit);
    brisk_survey_fits_free(&fits);

    /* by gender with equal loadings and intercepts: the weights normalised
     * over both groups, each group's N its weights' sum */
    brisk_model_options opt = {.weight = "weight",
                               .group_equal = BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS};
    brisk_fitted f;
    if (brisk_fit_text(slurp(REF ROBUST "rongcheng_weighted_group.lav"), "m.lav", 1, d->ds,
                       d->rows[0], d->nrows[0], "gender", &opt, &f, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    compare_group_parameters(ROBUST "rongcheng_weighted_group", &f);
    compare_robust_test(ROBUST "rongcheng_weighted_group", f.fit);
    brisk_fitted_free(&f);
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* Bad weights are refused naming the weight and the row; weights with
 * ordered items (WLSMV) plainly. */
static void test_weight_errors(void **state)
{
    (void)state;
    static const char *csv = "/tmp/brisk-test-weights.csv";
    const char *model = "f =~ x1 + x2 + x3";
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fputs("x1,x2,x3,w,v,t\n", fp);
    for (int i = 0; i < 40; i++)
        fprintf(fp, "%d,%d,%d,%g,%s,a\n", i % 5, (i * 3) % 7, (i * 7) % 5 + i % 3, 1 + i % 4 * 0.5,
                i == 17 ? "-1" : i == 20 ? "" : "1");
    fclose(fp);
    struct {
        const char *weight, *message;
        brisk_status status;
        bool fiml, wlsmv;
    } cases[] = {
        {"v", "weight 'v' is negative in data row 18", BRISK_ERR_VALUE, false, false},
        {"t", "weight 't' holds text", BRISK_ERR_VALUE, false, false},
        {"nope", "weight 'nope' is not a column", BRISK_ERR_COLUMN, false, false},
        {"w", "with ordered items (WLSMV) are not available", BRISK_ERR_ARGUMENT, false, true},
    };
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(csv, NULL, &ds, &err), BRISK_OK);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        brisk_model_options opt = {.weight = cases[k].weight, .fiml = cases[k].fiml,
                                   .estimator = cases[k].wlsmv ? BRISK_ESTIMATOR_WLSMV
                                                               : BRISK_ESTIMATOR_ML};
        brisk_fitted f;
        brisk_error_clear(&err);
        assert_int_equal(brisk_fit_text(model, "m.lav", 1, ds, NULL, 0, NULL, &opt, &f, &err),
                         cases[k].status);
        if (!strstr(err.message, cases[k].message))
            fail_msg("case %zu: %s", k, err.message);
    }
    brisk_dataset_free(ds);
    unlink(csv);
}

/* ---- multiple groups, against tests/reference/multigroup ---- */

#define MG TEST_SRCDIR "/tests/reference/multigroup/"

static brisk_dataset *mg_reference(const char *name, const char *part)
{
    char path[512];
    snprintf(path, sizeof path, MG "%s.%s.csv", name, part);
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    return ds;
}

static void check_multigroup(const char *name, unsigned equal, bool std_lv)
{
    char path[512];
    snprintf(path, sizeof path, MG "%s.lav", name);
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(DATA "hs.csv", NULL, &ds, &err), BRISK_OK);
    brisk_model_options opt = {.group_equal = equal, .std_lv = std_lv};
    brisk_fitted f;
    if (brisk_fit_text(slurp(path), path, 1, ds, NULL, 0, "school", &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    assert_int_equal(f.ngroups, 2);
    assert_string_equal(f.group_labels[0], "Pasteur");
    brisk_dataset *ref = mg_reference(name, "params");
    const brisk_model *m = f.model;
    assert_int_equal(brisk_model_nparams(m), ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_param *p = brisk_model_param(m, i);
        char what[200];
        snprintf(what, sizeof what, "row %zu group %zu %s %s %s", i + 1, p->group + 1, p->lhs,
                 brisk_op_text(p->op), p->rhs);
        if (strcmp(p->lhs, text_at(ref, "lhs", i)) || strcmp(p->rhs, text_at(ref, "rhs", i)) ||
            (double)(p->group + 1) != num_at(ref, "group", i))
            fail_msg("%s %s: lavaan has group %g %s %s here", name, what, num_at(ref, "group", i),
                     text_at(ref, "lhs", i), text_at(ref, "rhs", i));
        const brisk_estimate *e = &f.fit->rows[i];
        near(e->est, num_at(ref, "est", i), TOL, what, name);
        near(e->se, num_at(ref, "se", i), TOL, what, name);
        near(e->std_all, num_at(ref, "std_all", i), TOL, what, name);
        near(e->std_lv, num_at(ref, "std_lv", i), TOL, what, name);
    }
    brisk_dataset_free(ref);
    ref = mg_reference(name, "fit");
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *key = text_at(ref, "measure", i);
        if (strcmp(key, "npar") && strncmp(key, "chisq", 5) && strcmp(key, "df") &&
            strncmp(key, "baseline_", 9) && strcmp(key, "cfi") && strcmp(key, "tli") &&
            strncmp(key, "rmsea", 5) && strcmp(key, "srmr") && strcmp(key, "logl") &&
            strcmp(key, "unrestricted_logl") && strcmp(key, "aic") && strcmp(key, "bic") &&
            strcmp(key, "bic2"))
            continue;
        if (strcmp(key, "chisq_group1") == 0 || strcmp(key, "chisq_group2") == 0 ||
            strcmp(key, "baseline_pvalue") == 0)
            continue;
        near(measure(&f.fit->fit, key), num_at(ref, "value", i), TOL, key, name);
    }
    brisk_dataset_free(ref);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
}

static void test_multigroup_configural(void **state)
{
    (void)state;
    check_multigroup("hs_configural", 0, false);
}

static void test_multigroup_metric(void **state)
{
    (void)state;
    check_multigroup("hs_metric", BRISK_EQUAL_LOADINGS, false);
}

static void test_multigroup_scalar(void **state)
{
    (void)state;
    check_multigroup("hs_scalar", BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS, false);
}

static void test_multigroup_strict(void **state)
{
    (void)state;
    check_multigroup("hs_strict",
                     BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_RESIDUALS, false);
}

/* std.lv with equal loadings: factor variances free after the first group. */
static void test_multigroup_metric_std_lv(void **state)
{
    (void)state;
    check_multigroup("hs_metric_stdlv", BRISK_EQUAL_LOADINGS, true);
}

/* group.equal against what the user wrote or asked besides: equal means
 * stay 0; equal factor variances stay 1 under std.lv; the user's own
 * per-group labels win; a fixed value fixes the whole equality set. */
static void test_multigroup_equal_means(void **state)
{
    (void)state;
    check_multigroup("hs_means",
                     BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_MEANS, false);
}

static void test_multigroup_equal_lv_variances_std_lv(void **state)
{
    (void)state;
    check_multigroup("hs_stdlv_lvvar", BRISK_EQUAL_LOADINGS | BRISK_EQUAL_LV_VARIANCES, true);
}

static void test_multigroup_own_labels_override(void **state)
{
    (void)state;
    check_multigroup("hs_label_override", BRISK_EQUAL_LOADINGS, false);
}

static void test_multigroup_fixed_value_fixes_set(void **state)
{
    (void)state;
    check_multigroup("hs_fixed_in_group", BRISK_EQUAL_LOADINGS, false);
}

static void test_multigroup_labels_per_group(void **state)
{
    (void)state;
    check_multigroup("hs_mg_label", 0, false);
}

/* brisk_invariance's table against lavTestLRT and the deltas. */
static void test_invariance_table(void **state)
{
    (void)state;
    brisk_dataset *ds = NULL, *ref = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(DATA "hs.csv", NULL, &ds, &err), BRISK_OK);
    assert_int_equal(brisk_read_file(MG "compare.csv", NULL, &ref, &err), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    assert_int_equal(brisk_invariance(slurp(REF "hs_cfa.lav"), "hs_cfa.lav", 1, ds, NULL, 0,
                                      "school", NULL, list, &err), BRISK_OK);
    const brisk_table *t = list->tables[0];
    assert_int_equal(t->nrows, ref->nrows);   /* with ordered items: up to metric */
    static const char *const pairs[][2] = {
        {"chisq", "chisq"}, {"df", "df"}, {"aic", "aic"}, {"bic", "bic"}, {"cfi", "cfi"},
        {"rmsea", "rmsea"}, {"chisq_diff", "chisq_diff"}, {"df_diff", "df_diff"},
        {"pvalue_diff", "pvalue"}, {"cfi_diff", "delta_cfi"}, {"rmsea_diff", "delta_rmsea"}};
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
            near(brisk_table_cell(t, i, brisk_table_find_column(t, pairs[k][0]))->num,
                 num_at(ref, pairs[k][1], i), TOL, pairs[k][0], text_at(ref, "model", i));
    brisk_table_list_free(list);
    brisk_dataset_free(ref);
    brisk_dataset_free(ds);
}

/* Invariance by MLR (Satorra-Bentler 2001 scaled differences, robust
 * indices) and with full-information ML, against lavaan's lavTestLRT
 * (tests/reference/invariance/make_reference.R). */
static void check_invariance_rows(const char *name, const brisk_dataset *ds, const size_t *rows,
                                  size_t nrows, const char *model, const char *group,
                                  brisk_model_options opt)
{
    char path[512];
    snprintf(path, sizeof path, TEST_SRCDIR "/tests/reference/invariance/%s.csv", name);
    brisk_dataset *ref = read_csv(path);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    if (brisk_invariance(model, name, 1, ds, rows, nrows, group, &opt, list, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    const brisk_table *t = list->tables[0];
    assert_int_equal(t->nrows, ref->nrows);   /* with ordered items: up to metric */
    static const char *const pairs[][2] = {
        {"npar", "npar"}, {"chisq", "chisq"}, {"df", "df"}, {"chisq_scaled", "chisq_scaled"},
        {"scaling_factor", "scaling_factor"}, {"cfi", "cfi"}, {"tli", "tli"},
        {"rmsea", "rmsea"}, {"srmr", "srmr"}, {"cfi_scaled", "cfi_scaled"},
        {"tli_scaled", "tli_scaled"}, {"rmsea_scaled", "rmsea_scaled"},
        {"cfi_robust", "cfi_robust"},
        {"tli_robust", "tli_robust"}, {"rmsea_robust", "rmsea_robust"},
        {"chisq_diff", "chisq_diff"}, {"df_diff", "df_diff"}, {"pvalue_diff", "pvalue"}};
    bool robust = opt.estimator != BRISK_ESTIMATOR_ML || opt.weight || opt.cluster;
    for (size_t i = 0; i < ref->nrows; i++)
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            size_t col = brisk_table_find_column(t, pairs[k][0]);
            if (col == (size_t)-1) {   /* robust columns with MLR and WLSMV, scaled
                                          indices with WLSMV */
                assert_true(!robust || strstr(pairs[k][0], "_scaled"));
                continue;
            }
            double want = num_at(ref, pairs[k][1], i);
            double tol = TOL * (strncmp(pairs[k][0], "chisq", 5) == 0 ? fmax(1, fabs(want)) : 1);
            if (i == 0 && strstr(pairs[k][0], "diff"))
                continue;   /* no level before the configural */
            near(brisk_table_cell(t, i, col)->num, want, tol, pairs[k][0], name);
        }
    brisk_table_list_free(list);
    brisk_dataset_free(ref);
}

static void check_invariance(const char *name, const char *data, const char *model,
                             const char *group, brisk_model_options opt)
{
    brisk_dataset *ds = read_csv(data);
    check_invariance_rows(name, ds, NULL, 0, model, group, opt);
    brisk_dataset_free(ds);
}

static void test_invariance_robust_and_fiml(void **state)
{
    (void)state;
    const char *hs = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n";
    const char *bfi = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n";
    check_invariance("hs_mlr", DATA "hs.csv", hs, "school",
                     (brisk_model_options){.estimator = BRISK_ESTIMATOR_MLR});
    check_invariance("bfi_fiml", bfi_reversed(), bfi, "gender", (brisk_model_options){.fiml = true});
    /* clusters (lavaan's cluster=), without and with weights */
    const char *dg = "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ f1 + x1\n";
    const char *groups = TEST_SRCDIR "/tests/reference/cluster/demo_groups.csv";
    check_invariance("demo_cluster", groups, dg, "g", (brisk_model_options){.cluster = "cluster"});
    check_invariance("demo_cluster_sw", groups, dg, "g",
                     (brisk_model_options){.cluster = "cluster", .weight = "sw"});
    check_invariance("bfi_fiml_mlr", bfi_reversed(), bfi, "gender",
                     (brisk_model_options){.fiml = true, .estimator = BRISK_ESTIMATOR_MLR});
    /* weighted (lavaan's sampling.weights): the Rongcheng survey's
     * measurement model by gender, its data as the survey prepares them */
    brisk_survey *s = NULL;
    brisk_survey_data *d = load_rongcheng(&s);
    const char *rc = "trust =~ tg1 + tg2 + tg3\nprivacy =~ pc1 + pc2 + pc3\n"
                     "morality =~ pm1_crime + pm2_crime + pm3_crime\n"
                     "benefit =~ pb1_crime + pb2_crime + pb3_crime\n"
                     "risk =~ pr1_crime + pr2_crime + pr3_crime\n"
                     "accept =~ acc1_crime + acc2_crime + acc3_crime\n";
    check_invariance_rows("rongcheng_weighted", d->ds, d->rows[0], d->nrows[0], rc, "gender",
                          (brisk_model_options){.weight = "weight"});
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* Invariance by WLSMV (configural, metric, scalar with equal thresholds
 * and free scale factors and latent means; Satorra's 2000 scaled-shifted
 * difference), also with a label tying two loadings in every group; and
 * the equalities ordered items cannot take, refused. */
static void test_invariance_wlsmv(void **state)
{
    (void)state;
    const char *bfi = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n";
    const char *tied = "agree =~ A1 + a*A2 + a*A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n";
    brisk_model_options wlsmv = {.estimator = BRISK_ESTIMATOR_WLSMV};
    check_invariance("bfi_wlsmv", bfi_reversed(), bfi, "gender", wlsmv);
    check_invariance("bfi_wlsmv_tied", bfi_reversed(), tied, "gender", wlsmv);
    brisk_dataset *ds = read_csv(bfi_reversed());
    static const unsigned refused[] = {BRISK_EQUAL_INTERCEPTS, BRISK_EQUAL_RESIDUALS,
                                       BRISK_EQUAL_MEANS};
    static const char *const names[] = {"intercepts", "residuals", "means"};
    for (size_t k = 0; k < 3; k++) {
        brisk_fitted f;
        brisk_error err = {0};
        brisk_model_options opt = wlsmv;
        opt.group_equal = BRISK_EQUAL_LOADINGS | refused[k];
        assert_int_equal(brisk_fit_text(bfi, "bfi", 1, ds, NULL, 0, "gender", &opt, &f, &err),
                         BRISK_ERR_ARGUMENT);
        assert_non_null(strstr(err.message, names[k]));
    }
    brisk_dataset_free(ds);
}

static void test_heywood_case_warns(void **state)
{
    (void)state;
    check_model("heywood", DATA "hs.csv", (brisk_model_options){0});
    fitted f = fit_text(slurp(REF "heywood.lav"), DATA "hs.csv", (brisk_model_options){0});
    assert_int_equal(f.status, BRISK_OK);
    assert_int_equal(f.fit->nwarnings, 1);
    assert_non_null(strstr(f.fit->warnings[0], "'x8 ~~ x8' is negative"));
    fitted_free(&f);
}

/* The bundled survey, fitted per behaviour as `brisk fit SURVEY` does. */
static void test_survey_per_behaviour(void **state)
{
    (void)state;
    brisk_survey *s = NULL;
    brisk_survey_data *d = load_rongcheng(&s);
    brisk_error err;
    const char *names[256];
    for (size_t j = 0; j < d->ds->ncols; j++)
        names[j] = d->ds->cols[j].name;
    for (size_t b = 0; b < s->nbehaviours; b++) {
        char *text = brisk_survey_model_text(s, b), name[64];
        snprintf(name, sizeof name, "rongcheng_%s", s->behaviours[b].key);
        fitted f = {0};
        assert_int_equal(brisk_syntax_parse(text, s->path, s->model_line, &f.syn, &err), BRISK_OK);
        assert_int_equal(brisk_model_new(f.syn, names, d->ds->ncols, NULL, &f.model, &err), BRISK_OK);
        assert_int_equal(brisk_moments_from_data(f.model, d->ds, d->rows[b], d->nrows[b], &f.mom,
                                                 &err), BRISK_OK);
        assert_int_equal(brisk_fit_ml(f.model, &f.mom, NULL, &f.fit, &err), BRISK_OK);
        compare_parameters(name, f.fit);
        compare_fit(name, f.fit);
        fitted_free(&f);
        free(text);
    }
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* ---- the engine's own checks ---- */

static void test_gradient_matches_finite_differences(void **state)
{
    (void)state;
    fitted f = fit_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed ~ visual\n"
                        "speed =~ x7 + x8 + x9\nx1 ~ 1\n", DATA "hs.csv",
                        (brisk_model_options){.meanstructure = true});
    assert_int_equal(f.status, BRISK_OK);
    sem_work *w = brisk_sem_work_new(f.model, &f.mom, 0);
    bool ok;
    w->logdet_s = brisk_sem_logdet(f.mom.cov, f.mom.p, &ok);
    size_t q = brisk_model_nfree(f.model);
    double theta[64], fx;
    for (size_t k = 0; k < q; k++)
        theta[k] = f.fit->theta[k] * (1 + 0.0385 * (double)((k % 5) + 1) / 5);
    assert_true(brisk_sem_objective(w, theta, &fx));
    assert_true(brisk_sem_derivatives(w));
    double analytic[64];
    memcpy(analytic, w->grad, q * sizeof *analytic);
    for (size_t k = 0; k < q; k++) {
        double keep = theta[k], h = 1e-6, up, down;
        theta[k] = keep + h;
        assert_true(brisk_sem_objective(w, theta, &up));
        theta[k] = keep - h;
        assert_true(brisk_sem_objective(w, theta, &down));
        theta[k] = keep;
        double numeric = (up - down) / (2 * h);
        if (fabs(numeric - analytic[k]) > 1e-6 * fmax(1, fabs(numeric)))
            fail_msg("parameter %zu: analytic %.10g, numeric %.10g", k, analytic[k], numeric);
    }
    brisk_sem_work_free(w);
    fitted_free(&f);
}

static void test_noncentral_chisq(void **state)
{
    (void)state;
    /* R: pchisq(x, df, ncp) */
    near(brisk_ncchisq_cdf(85.3, 24, 10), 0.999977261720006338, 1e-10, "ncp 10", "pchisq");
    near(brisk_ncchisq_cdf(38.125, 35, 0), 0.670810745436598799, 1e-10, "ncp 0", "pchisq");
    near(brisk_ncchisq_cdf(100, 125, 30), 0.000602853987041811, 1e-10, "ncp 30", "pchisq");
    near(brisk_ncchisq_cdf(500, 300, 250), 0.103155338076548780, 1e-9, "ncp 250", "pchisq");
    near(brisk_ncchisq_cdf(3, 2, 0.5), 0.695906030043513923, 1e-10, "ncp 0.5", "pchisq");
}

static fitted fit_expect(const char *text, const char *data, brisk_status expected)
{
    fitted f = fit_text(text, data, (brisk_model_options){0});
    if (f.status != expected)
        fail_msg("expected status %d, got %d: %s", expected, f.status, f.err.message);
    return f;
}

static void test_not_identified(void **state)
{
    (void)state;
    fitted f = fit_expect("f =~ x1 + x2\n", DATA "hs.csv", BRISK_ERR_MODEL);
    assert_non_null(strstr(f.err.message, "4 free parameters but only 3 sample moments (df = -1)"));
    fitted_free(&f);
    f = fit_expect("f =~ NA*x1 + x2 + x3 + x4\n", DATA "hs.csv", BRISK_ERR_MODEL);
    assert_non_null(strstr(f.err.message, "information matrix is singular"));
    assert_non_null(strstr(f.err.message, "f ~~ f"));
    fitted_free(&f);
}

static void test_data_problems(void **state)
{
    (void)state;
    /* ageyr and agemo with their sum: collinear */
    fitted f = fit_expect("f =~ x1 + x2 + x3\nx1 ~~ ageyr\n", DATA "hs.csv", BRISK_OK);
    fitted_free(&f);
    f = fit_expect("f =~ x1 + x2 + sex\n", DATA "pd.csv", BRISK_ERR_COLUMN);
    assert_non_null(strstr(f.err.message, "'sex' is neither a latent variable"));
    assert_int_equal(f.err.line, 1);
    assert_int_equal(f.err.column, 16);
    fitted_free(&f);
    f = fit_expect("f =~ x1 + x2 + school\n", DATA "hs.csv", BRISK_ERR_VALUE);
    assert_non_null(strstr(f.err.message, "'school' holds text"));
    fitted_free(&f);
}

static void test_constant_and_collinear_items(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(50);
    const char *names[] = {"a", "b", "c", "d"};
    for (size_t j = 0; j < 4; j++)
        brisk_dataset_add_column(ds, names[j], BRISK_NUMERIC, NULL, NULL);
    for (size_t i = 0; i < 50; i++) {
        double u = sin(1.7 * (double)i), v = cos(2.3 * (double)i);
        brisk_column_set_number(&ds->cols[0], i, u);
        brisk_column_set_number(&ds->cols[1], i, v);
        brisk_column_set_number(&ds->cols[2], i, 2.385 * u - 0.5 * v);   /* collinear */
        brisk_column_set_number(&ds->cols[3], i, 4);                     /* constant */
    }
    brisk_syntax *syn;
    brisk_model *m;
    brisk_moments mom;
    brisk_fit *fit = NULL;
    brisk_error err;
    assert_int_equal(brisk_syntax_parse("f =~ a + b + c + d", "m", 1, &syn, &err), BRISK_OK);
    assert_int_equal(brisk_model_new(syn, names, 4, NULL, &m, &err), BRISK_OK);
    assert_int_equal(brisk_moments_from_data(m, ds, NULL, 0, &mom, &err), BRISK_OK);
    assert_int_equal(brisk_fit_ml(m, &mom, NULL, &fit, &err), BRISK_ERR_DATA);
    assert_non_null(strstr(err.message, "item 'd' is constant"));
    assert_string_equal(err.variable, "d");
    brisk_moments_free(&mom);
    brisk_model_free(m);
    brisk_syntax_free(syn);
    assert_int_equal(brisk_syntax_parse("f =~ a + b + c", "m", 1, &syn, &err), BRISK_OK);
    assert_int_equal(brisk_model_new(syn, names, 4, NULL, &m, &err), BRISK_OK);
    assert_int_equal(brisk_moments_from_data(m, ds, NULL, 0, &mom, &err), BRISK_OK);
    assert_int_equal(brisk_fit_ml(m, &mom, NULL, &fit, &err), BRISK_ERR_DATA);
    assert_non_null(strstr(err.message, "not positive definite"));
    assert_non_null(strstr(err.message, "a, b, c"));
    brisk_moments_free(&mom);
    brisk_model_free(m);
    brisk_syntax_free(syn);
    brisk_dataset_free(ds);
}

static void test_model_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *fragment; } cases[] = {
        {"f =~ x1 + x2 + x3\nf =~ x1\n", "specified twice"},
        {"f =~ x1 + x2 + x3\nx1 | t1\n", "thresholds ('|') belong to ordered items"},
        {"f =~ x1 + a*x2 + b*x3\na*b == 1\n", "is not linear in the parameters"},
        {"f =~ x1 + a*x2 + b*x3\na == 1\na == 2\n", "contradicts the other constraints"},
        {"f =~ x1 + 0.5*a*x2 + b*x3\na > 0.1\n", "'a > 0.1' names no free parameter"},
        {"f =~ x1 + a*x2 + b*x3\na > 1\na < 0.5\n", "the inequality constraints contradict"},
        {"f =~ x1 + x2 + x3\nd := a * q\n", "no parameter has the label 'a'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fitted f = fit_text(cases[k].text, DATA "hs.csv", (brisk_model_options){0});
        if (f.status == BRISK_OK || !strstr(f.err.message, cases[k].fragment))
            fail_msg("case %zu: status %d, '%s'", k, f.status, f.err.message);
        fitted_free(&f);
    }
}

/* What a model file controls is bounded: more than 5,000 variables, or a
 * parameter table past 1,000,000 rows (1,500 covariates' pairs), is a
 * limit named at once, in linear time; and with the rows of data known, a
 * model of as many observed variables is refused before its rows are
 * built. */
static void test_model_bounds(void **state)
{
    (void)state;
    enum { N = 5002 };
    char **names = malloc(N * sizeof *names);
    brisk_buf one_factor = {0}, covariates = {0};
    assert_non_null(names);
    assert_true(brisk_buf_puts(&one_factor, "f =~ v0"));
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        names[i] = strdup(name);
        if (i)
            assert_true(brisk_buf_printf(&one_factor, " + v%d", i));
        if (i < 3000 && i % 2 == 0)
            assert_true(brisk_buf_printf(&covariates, "v%d ~ v%d\n", i, i + 1));
    }
    static const struct { int text; size_t rows; brisk_status want; const char *fragment; } cases[] = {
        {0, 0, BRISK_ERR_LIMIT, "more than 5000 variables"},
        {1, 0, BRISK_ERR_LIMIT, "passes 1000000 rows"},
        {1, 3000, BRISK_ERR_DATA, "3000 rows of data for 3000 observed variables"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        brisk_syntax *syn;
        brisk_model *m = NULL;
        brisk_error err;
        const char *text = cases[k].text ? covariates.data : one_factor.data;
        assert_int_equal(brisk_syntax_parse(text, "m", 1, &syn, &err), BRISK_OK);
        brisk_model_options opt = {.rows_available = cases[k].rows};
        assert_int_equal(brisk_model_new(syn, (const char *const *)names, N, &opt, &m, &err),
                         cases[k].want);
        assert_null(m);
        if (!strstr(err.message, cases[k].fragment))
            fail_msg("case %zu: '%s'", k, err.message);
        brisk_syntax_free(syn);
    }
    /* 400 items: 800 parameters whose derivatives would take 3 GB */
    brisk_syntax *syn;
    brisk_model *m = NULL;
    brisk_error err;
    char *cut = strstr(one_factor.data, " + v400 ");
    assert_non_null(cut);
    *cut = '\0';
    assert_int_equal(brisk_syntax_parse(one_factor.data, "m", 1, &syn, &err), BRISK_OK);
    assert_int_equal(brisk_model_new(syn, (const char *const *)names, N, NULL, &m, &err), BRISK_OK);
    assert_int_equal(brisk_sem_check_size(m, &err), BRISK_ERR_LIMIT);
    assert_non_null(strstr(err.message, "800 free parameters over 400 observed variables"));
    brisk_model_free(m);
    brisk_syntax_free(syn);
    for (int i = 0; i < N; i++)
        free(names[i]);
    free(names);
    brisk_buf_free(&one_factor);
    brisk_buf_free(&covariates);
}

/* := names may refer to := names in a chain longer than 32 (what once was
 * called circular): forty, each the one before times 1.5, give a 1.5^39. */
static void test_defined_chain(void **state)
{
    (void)state;
    char text[4096];
    int used = snprintf(text, sizeof text, "f =~ x1 + a*x2 + x3\nd1 := a\n");
    for (int i = 2; i <= 40; i++)
        used += snprintf(text + used, sizeof text - (size_t)used, "d%d := 1.5*d%d\n", i, i - 1);
    fitted f = fit_text(text, DATA "hs.csv", (brisk_model_options){0});
    assert_int_equal(f.status, BRISK_OK);
    double a = NAN, d40 = NAN;
    for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
        const brisk_param *p = brisk_model_param(f.model, r);
        if (strcmp(p->label, "a") == 0)
            a = f.fit->rows[r].est;
        if (strcmp(p->lhs, "d40") == 0)
            d40 = f.fit->rows[r].est;
    }
    assert_true(fabs(d40 - a * pow(1.5, 39)) < 1e-9 * fabs(d40));
    fitted_free(&f);
}

/* c(...) gives one value per group; a survey that writes it is also
 * fitted without groups: then its first value holds, and the fit says so. */
static void test_values_per_group_in_one_group(void **state)
{
    (void)state;
    fitted f = fit_text("f =~ x1 + c(a, b)*x2 + x3\nx2 ~~ c(0.6, NA)*x2\n", DATA "hs.csv",
                        (brisk_model_options){0});
    assert_int_equal(f.status, BRISK_OK);
    size_t found = 0;
    for (size_t w = 0; w < f.fit->nwarnings; w++)
        found += strstr(f.fit->warnings[w], "the first, a, is used") != NULL ||
                 strstr(f.fit->warnings[w], "the first, 0.6, is used") != NULL;
    assert_int_equal(found, 2);
    for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
        const brisk_param *p = brisk_model_param(f.model, r);
        if (strcmp(p->rhs, "x2") == 0 && p->op == BRISK_OP_MEASURE)
            assert_string_equal(p->label, "a");
        if (strcmp(p->lhs, "x2") == 0 && p->op == BRISK_OP_COVARY) {
            assert_int_equal(p->free, 0);
            near(f.fit->rows[r].est, 0.6, 0, "x2 ~~ x2", "c()");
        }
    }
    fitted_free(&f);
}

static void test_observed_covariates_fixed_x(void **state)
{
    (void)state;
    /* lavaan: sem("visual =~ x1 + x2 + x3\nvisual ~ ageyr + grade\nx4 ~ visual + ageyr",
     * data = HolzingerSwineford1939): chisq 35.291, df 7, CFI .864, logl -1786.590 */
    fitted f = fit_text("visual =~ x1 + x2 + x3\nvisual ~ ageyr + grade\nx4 ~ visual + ageyr\n",
                        DATA "hs.csv", (brisk_model_options){0});
    assert_int_equal(f.status, BRISK_OK);
    near(f.fit->fit.chisq, 35.291, 1e-3, "chisq", "fixed.x");
    near(f.fit->fit.df, 7, 0, "df", "fixed.x");
    near(f.fit->fit.cfi, 0.864, 1e-3, "cfi", "fixed.x");
    near(f.fit->fit.loglik, -1786.590, 1e-3, "logl", "fixed.x");
    assert_int_equal(f.fit->fit.npar, 11);
    assert_int_equal(brisk_model_nexogenous(f.model), 2);
    fitted_free(&f);
}

/* ------------------------------------------------------- clusters */

#define CLUSTER TEST_SRCDIR "/tests/reference/cluster/"

/* A single-level model with lavaan's cluster= (and sampling.weights=) on
 * lavaan's Demo.twolevel: every parameter's estimate and SE (matched by
 * lhs, op, rhs and group), and every fit measure lavaan reports
 * (tests/reference/cluster/make.R). */
static void check_cluster_case(const char *name, const char *model, const char *data,
                               const char *group, const char *weight)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(data, NULL, &ds, &err), BRISK_OK);
    brisk_model_options opt = {.cluster = "cluster", .weight = weight};
    brisk_fitted f;
    if (brisk_fit_text(model, "m.lav", 1, ds, NULL, 0, group, &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    char path[512];
    snprintf(path, sizeof path, CLUSTER "%s.csv", name);
    brisk_dataset *ref = NULL;
    assert_int_equal(brisk_read_file(path, NULL, &ref, &err), BRISK_OK);
    size_t compared = 0;
    for (size_t i = 0; i < ref->nrows; i++)
        for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
            const brisk_param *p = brisk_model_param(f.model, r);
            const char *op = brisk_op_text(p->op);
            if (strcmp(p->lhs, text_at(ref, "lhs", i)) || strcmp(p->rhs, text_at(ref, "rhs", i)) ||
                strcmp(strcmp(op, "~1") == 0 ? "~1" : op, text_at(ref, "op", i)) ||
                (group && strcmp(f.group_labels[p->group], text_at(ref, "group", i))))
                continue;
            char what[160];
            snprintf(what, sizeof what, "%s %s %s", p->lhs, op, p->rhs);
            /* lavaan stops short of the optimum by up to 1e-5 (brisk finds a
             * chi-square lower by 1e-7 in M2g) */
            near(f.fit->rows[r].est, num_at(ref, "est", i), 5e-5, what, name);
            near(f.fit->rows[r].se, num_at(ref, "se", i), 1e-5, what, name);
            compared++;
        }
    assert_int_equal(compared, ref->nrows);
    brisk_dataset_free(ref);
    snprintf(path, sizeof path, CLUSTER "%s_fit.csv", name);
    assert_int_equal(brisk_read_file(path, NULL, &ref, &err), BRISK_OK);
    for (size_t i = 0; i < ref->nrows; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s", text_at(ref, "measure", i));
        for (char *c = key; *c; c++)
            *c = *c == '.' ? '_' : *c;
        double want = num_at(ref, "value", i), mine = measure(&f.fit->fit, key);
        /* lavaan's RMSEA (scaled) of 0 where no scaling exists: brisk NaN */
        if (strcmp(key, "rmsea_scaled") == 0 && isnan(f.fit->fit.scaling_factor))
            continue;
        /* 1e-5 relative: the trace moves linearly with the estimates, which
         * agree to about 1e-6 (the chi-square, flat there, to 1e-10) */
        near(mine, want, 1e-5 * fmax(1, fabs(want)), key, name);
    }
    brisk_dataset_free(ref);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
}

static void test_clusters(void **state)
{
    (void)state;
    const char *m1 = "f =~ y1 + y2 + y3\nf ~ x1 + x2\n";
    const char *m2 = "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ f1 + x1\n";
    const char *m3 = "f1 =~ y1 + y2 + y3 + y4 + y5 + y6\n";
    const char *demo = DATA "demo_twolevel.csv", *groups = CLUSTER "demo_groups.csv";
    /* without weights lavaan's ML takes the structured h1 information in
     * the test's trace; with weights (MLR) the observed one */
    check_cluster_case("M1_cluster", m1, demo, NULL, NULL);
    check_cluster_case("M1_cluster_sw", m1, demo, NULL, "sw");
    check_cluster_case("M2_cluster", m2, demo, NULL, NULL);
    check_cluster_case("M2_cluster_sw", m2, demo, NULL, "sw");
    check_cluster_case("M3_cluster", m3, demo, NULL, NULL);
    /* a negative tr(U Gamma): no scaled test, a warning */
    check_cluster_case("M3_cluster_sw", m3, demo, NULL, "sw");
    /* two groups, each its own clusters and C / (C - 1) */
    check_cluster_case("M2g_cluster", m2, groups, "g", NULL);
    check_cluster_case("M2g_cluster_sw", m2, groups, "g", "sw");
}

/* Clusters go with complete data and ML: FIML and WLSMV are refused,
 * naming the alternative. */
static void test_cluster_refusals(void **state)
{
    (void)state;
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_file(CLUSTER "demo_missing.csv", NULL, &ds, &err), BRISK_OK);
    brisk_model_options opt = {.cluster = "cluster", .fiml = true};
    brisk_fitted f;
    assert_int_equal(brisk_fit_text("f =~ y1 + y2 + y3\n", "m.lav", 1, ds, NULL, 0, NULL, &opt,
                                    &f, &err), BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "full-information ML"));
    opt = (brisk_model_options){.cluster = "nosuch"};
    assert_int_equal(brisk_fit_text("f =~ y1 + y2 + y3\n", "m.lav", 1, ds, NULL, 0, NULL, &opt,
                                    &f, &err), BRISK_ERR_COLUMN);
    assert_string_equal(err.variable, "nosuch");
    brisk_dataset_free(ds);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holzinger_swineford_cfa),
        cmocka_unit_test(test_political_democracy),
        cmocka_unit_test(test_equality_labels_and_defined),
        cmocka_unit_test(test_std_lv),
        cmocka_unit_test(test_fixed_and_freed_loadings),
        cmocka_unit_test(test_mean_structure),
        cmocka_unit_test(test_structural_paths_and_effects),
        cmocka_unit_test(test_path_model_with_covariates),
        cmocka_unit_test(test_bfi_cfa),
        cmocka_unit_test(test_mlr_holzinger_swineford),
        cmocka_unit_test(test_fiml_bfi),
        cmocka_unit_test(test_fiml_fixed_covariates),
        cmocka_unit_test(test_fiml_em_time_limit),
        cmocka_unit_test(test_weighted_covariates),
        cmocka_unit_test(test_weighted_survey),
        cmocka_unit_test(test_clusters),
        cmocka_unit_test(test_cluster_refusals),
        cmocka_unit_test(test_weight_errors),
        cmocka_unit_test(test_fiml_mlr_groups),
        cmocka_unit_test(test_heywood_case_warns),
        cmocka_unit_test(test_multigroup_configural),
        cmocka_unit_test(test_multigroup_metric),
        cmocka_unit_test(test_multigroup_scalar),
        cmocka_unit_test(test_multigroup_strict),
        cmocka_unit_test(test_multigroup_labels_per_group),
        cmocka_unit_test(test_multigroup_metric_std_lv),
        cmocka_unit_test(test_multigroup_equal_means),
        cmocka_unit_test(test_multigroup_equal_lv_variances_std_lv),
        cmocka_unit_test(test_multigroup_own_labels_override),
        cmocka_unit_test(test_multigroup_fixed_value_fixes_set),
        cmocka_unit_test(test_invariance_table),
        cmocka_unit_test(test_invariance_robust_and_fiml),
        cmocka_unit_test(test_invariance_wlsmv),
        cmocka_unit_test(test_survey_per_behaviour),
        cmocka_unit_test(test_gradient_matches_finite_differences),
        cmocka_unit_test(test_noncentral_chisq),
        cmocka_unit_test(test_not_identified),
        cmocka_unit_test(test_data_problems),
        cmocka_unit_test(test_constant_and_collinear_items),
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_model_bounds),
        cmocka_unit_test(test_defined_chain),
        cmocka_unit_test(test_values_per_group_in_one_group),
        cmocka_unit_test(test_observed_covariates_fixed_x),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(bfi_reversed());
    return failed;
}
