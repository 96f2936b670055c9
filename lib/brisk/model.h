/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — structural equation models: the parameter table, maximum
 * likelihood estimation, and what a fit reports.
 *
 * A model is built from parsed lavaan syntax (brisk_syntax) with the
 * defaults of lavaan::sem() / cfa(): the first loading of each factor fixed
 * to 1 (or, with std_lv, every latent variance fixed to 1), residual and
 * latent variances free, covariances among exogenous latent variables free,
 * intercepts only with a mean structure.  See doc/model-syntax.md. */
#ifndef BRISK_MODEL_H
#define BRISK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dataset.h"
#include "error.h"
#include "io.h"
#include "syntax.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters held equal across groups (lavaan's group.equal). */
enum {
    BRISK_EQUAL_LOADINGS = 1 << 0,
    BRISK_EQUAL_INTERCEPTS = 1 << 1,   /* also frees latent means after group 1 */
    BRISK_EQUAL_RESIDUALS = 1 << 2,    /* residual variances of observed variables */
    BRISK_EQUAL_LV_VARIANCES = 1 << 3,
    BRISK_EQUAL_REGRESSIONS = 1 << 4,
    BRISK_EQUAL_MEANS = 1 << 5,        /* latent means */
    BRISK_EQUAL_THRESHOLDS = 1 << 6,   /* ordered items' thresholds; also frees latent
                                          means and the items' scale factors after
                                          group 1 (the delta parameterization) */
    BRISK_EQUAL_LV_COVARIANCES = 1 << 7,       /* covariances of two latent variables */
    BRISK_EQUAL_RESIDUAL_COVARIANCES = 1 << 8  /* covariances of two observed variables */
};

/* The estimator (lavaan's estimator =). */
typedef enum brisk_estimator {
    BRISK_ESTIMATOR_ML = 0,   /* normal-theory ML, expected information */
    BRISK_ESTIMATOR_MLR,      /* ML estimates; Huber-White SEs from the observed
                                 information and the casewise scores; the
                                 Yuan-Bentler (Mplus) scaled chi-square */
    BRISK_ESTIMATOR_MLM,      /* ML estimates on complete, unweighted data; robust.sem
                                 SEs (the expected information and the ADF Gamma);
                                 the Satorra-Bentler scaled chi-square */
    BRISK_ESTIMATOR_WLSMV,    /* ordered items: polychoric correlations, DWLS,
                                 robust SEs, the scaled-shifted chi-square */
    /* Least squares on continuous items (lavaan's estimator = "GLS", "ULS",
     * "WLS", "DWLS"): se = "standard" (Delta' W Delta) and the standard test
     * (ULS's without a p-value), fixed.x = FALSE, no likelihood */
    BRISK_ESTIMATOR_GLS,      /* weights: the normal-theory Gamma^-1 at S */
    BRISK_ESTIMATOR_ULS,      /* weights: the identity */
    BRISK_ESTIMATOR_WLS,      /* weights: the ADF Gamma^-1 (lavaan's WLS, "ADF") */
    BRISK_ESTIMATOR_DWLS      /* weights: the ADF Gamma's diagonal, inverted */
} brisk_estimator;

/* The estimator's name as --estimator takes it ("ml", "gls", ...). */
const char *brisk_estimator_key(brisk_estimator e);

/* Whether an estimator is one of the least-squares ones on continuous items. */
static inline bool brisk_estimator_least_squares(brisk_estimator e)
{
    return e == BRISK_ESTIMATOR_GLS || e == BRISK_ESTIMATOR_ULS || e == BRISK_ESTIMATOR_WLS ||
           e == BRISK_ESTIMATOR_DWLS;
}

typedef struct brisk_model_options {
    bool std_lv;          /* identify factors by unit variances, not markers */
    bool meanstructure;   /* estimate intercepts and means (always with groups) */
    const char *name;     /* the model's file, for messages (NULL: "model") */
    size_t ngroups;       /* 0 or 1: one group */
    unsigned group_equal; /* BRISK_EQUAL_* flags */
    const char *group_partial; /* lavaan's group.partial: parameters, "lhs op rhs"
                             separated by commas or newlines ("visual =~ x2, x3 ~ 1",
                             "x3 | t2" an ordered item's threshold, WLSMV),
                             left free across groups while the rest of their
                             class is held equal; NULL: none.  A name that is no
                             free parameter of the model, or whose class
                             group_equal does not hold equal, is
                             BRISK_ERR_ARGUMENT naming it (lavaan ignores it) */
    bool group_partial_lenient; /* group_partial's parameters of a class group_equal
                             does not hold equal are left alone, not refused (the
                             lower levels of brisk_invariance) */
    bool measurement_only;/* keep the =~ and ~~ statements only: the CFA of the
                             model's measurement part (every factor covarying) */
    bool no_fixed_x;      /* lavaan's fixed.x = FALSE: observed predictors are
                             ordinary variables (variance free), not fixed covariates */
    bool skip_thresholds; /* accept and leave out "y | t1 + t2" statements (the
                             caller reads them: simulation cuts data with them) */
    brisk_estimator estimator; /* how brisk_fit_text fits the model */
    bool ordered;         /* every observed variable is an ordered item (WLSMV, the
                             delta parameterization): their residual variances are
                             not parameters (1 less the explained variance) */
    const char *const *ordered_items; /* with ordered: the observed variables that are
                             ordered items (lavaan's ordered = c(...)); the model's other
                             indicators are continuous (their means, variances and
                             Pearson and polyserial correlations join the statistics);
                             NULL: every observed variable but the covariates */
    size_t nordered_items;
    bool theta;           /* with ordered: lavaan's parameterization = "theta": the
                             latent responses' residual variances are parameters
                             (fixed at 1), their scale factors derived, the
                             thresholds estimated; false: "delta" */
    bool survey_ordered;  /* brisk_fit_survey: a behaviour whose observed variables
                             the survey declares ordered is fitted by WLSMV (lavaan's
                             default for ordered items), whatever estimator says */
    bool pairwise;        /* WLSMV: lavaan's missing = "pairwise": each item's
                             thresholds from its answers, each pair's polychoric
                             from the rows that answered both (not listwise) */
    bool fiml;            /* missing values by full-information ML (lavaan's
                             missing = "ml", with a mean structure), not listwise */
    bool values_as_start; /* a value written in the model (0.8*x) is the starting
                             value of a free parameter, not a fixed value (except,
                             with std_lv, a latent variance: it sets the scale) */
    double time_limit;    /* seconds one ML/MLR/FIML fit may search (0: no limit):
                             see brisk_fit_options */
    const char *weight;   /* sampling weights' column, or NULL (lavaan's
                             sampling.weights): weighted moments (divisor the
                             weights' sum), normalised to sum to the rows used
                             over all groups; always robust (Huber-White SEs from
                             the weighted casewise scores, the Yuan-Bentler scaled
                             test), as lavaan; with fiml, weighted patterns
                             and EM too.  Not with WLSMV.
                             brisk_fit_survey takes the survey's weight unless
                             this names another or unweighted is set. */
    bool unweighted;      /* brisk_fit_survey: leave the survey's weight out */
    const char *cluster;  /* clusters' column, or NULL (lavaan's cluster= for a
                             single-level model): the casewise scores are summed
                             within clusters, times sqrt(C / (C - 1)), for the
                             robust SEs and the scaled test (lavaan's se =
                             "robust.cluster"), with a mean structure.  A row
                             without a cluster value is a cluster of its own.
                             Complete data only; not with WLSMV.
                             brisk_fit_survey takes the survey's cluster. */
    bool unclustered;     /* brisk_fit_survey: leave the survey's cluster out */
    bool std_se;          /* fits compute the delta-method standard errors of
                             std_lv and std_all (brisk_estimate's std_lv_se,
                             std_all_se; lavaan's standardizedSolution()); they
                             cost 2 q evaluations of the model, so only when asked */
    bool random_x;        /* lavaan's fixed.x = FALSE as lavaan builds its table
                             (the least-squares estimators' default): the
                             covariates' variances, covariances and means are the
                             rows fixed.x would fix, free (no_fixed_x instead
                             makes them ordinary variables, no covariances added) */
    size_t rows_available; /* rows of data the model is for (0: unknown): an ML
                             model of as many observed variables or more is
                             refused at once (BRISK_ERR_DATA), as its fit would be,
                             before the table of its rows is built */
} brisk_model_options;

/* One row of the parameter table, in lavaan's parameterEstimates() order. */
typedef struct brisk_param {
    char *lhs, *rhs;
    brisk_op op;          /* MEASURE, REGRESS, COVARY, INTERCEPT or DEFINE */
    char *label;          /* user label, or "" */
    int free;             /* index + 1 into the free parameters, 0 when fixed */
    double start;         /* starting value (the fixed value when fixed) */
    bool user;            /* written in the syntax (not added by default) */
    bool fixed_x;         /* (co)variance or mean of an exogenous observed covariate,
                             fixed to its sample value (lavaan's fixed.x) */
    char *expr;           /* DEFINE: the expression */
    size_t group;         /* 0-based group of the row (DEFINE rows: 0) */
} brisk_param;

typedef struct brisk_model brisk_model;

/* Build a model; ov_names lists the data's columns available as observed
 * variables (a variable in the syntax that is neither latent nor among them
 * is an error).  name is used in error messages (the model file). */
brisk_status brisk_model_new(const brisk_syntax *syntax, const char *const *ov_names,
                             size_t n_ov_names, const brisk_model_options *opt,
                             brisk_model **out, brisk_error *err);
void brisk_model_free(brisk_model *model);

size_t brisk_model_nparams(const brisk_model *m);          /* rows of the table */
const brisk_param *brisk_model_param(const brisk_model *m, size_t row);
size_t brisk_model_nfree(const brisk_model *m);            /* free parameters */
size_t brisk_model_nobserved(const brisk_model *m);
const char *brisk_model_observed(const brisk_model *m, size_t i);
size_t brisk_model_nlatent(const brisk_model *m);
size_t brisk_model_ngroups(const brisk_model *m);
/* Observed covariates whose moments are fixed to their sample values. */
size_t brisk_model_nexogenous(const brisk_model *m);
/* The sampling weights' column the model is fitted with, or NULL. */
const char *brisk_model_weight(const brisk_model *m);
/* The clusters' column the model is fitted with, or NULL. */
const char *brisk_model_cluster(const brisk_model *m);
const char *brisk_model_latent(const brisk_model *m, size_t i);
/* Whether the model has a mean structure (intercepts and means). */
bool brisk_model_meanstructure(const brisk_model *m);
/* Ordered items (WLSMV): the theta parameterization; missing = "pairwise". */
bool brisk_model_theta(const brisk_model *m);
bool brisk_model_pairwise(const brisk_model *m);

/* Sample moments: covariance with divisor N (as lavaan's ML), means. */
/* Respondents who answered the same variables (full-information ML). */
typedef struct brisk_pattern {
    size_t n;             /* respondents with this pattern */
    double weight;        /* their sampling weights' sum (n without weights): the
                             pattern's share of the likelihood */
    size_t nobs;          /* variables they answered */
    size_t *obs;          /* which (indices in the model's order), ascending */
    double *mean, *cov;   /* their (weighted) means and covariances (divisor weight) */
} brisk_pattern;

typedef struct brisk_moments {
    size_t p;             /* observed variables, in the model's order */
    size_t n;             /* respondents used */
    size_t n_dropped;     /* respondents dropped (listwise deletion) */
    size_t n_no_covariate;   /* of them, full-information ML's for a missing covariate */
    double *cov;          /* p x p, row-major */
    double *mean;         /* p */
    double *data;         /* n x p: the rows used (robust ML needs them), or NULL;
                             with patterns, ordered by pattern, NaN where missing */
    const char *group;    /* the group's label in messages (borrowed), or NULL */
    /* Sampling weights: n of them, in the order of data, normalised (as
     * lavaan's "total") to sum to the rows used in all the fit's groups;
     * size is this group's sum: its N in the likelihood, and the divisor of
     * the first-order sums (where each row's score counts w^2 times).
     * weight is NULL without weights (or in a bootstrap draw, which needs
     * the moments only); size 0 stands for n (see brisk_moments_size). */
    double *weight;
    double size;
    double weight_sum;    /* the weights' sum as read (for the normalisation) */
    /* Clusters (lavaan's cluster=): each row's cluster, 0 .. nclusters - 1,
     * in the order of data; NULL without.  The first-order sums add the
     * rows' weighted scores within clusters, times C / (C - 1). */
    size_t *cluster;
    size_t nclusters;
    /* Full-information ML (missing = "ml"): the missing-data patterns; then
     * mean and cov hold the saturated model's EM estimates, and the
     * discrepancies (-2 log-likelihood / n, without the 2 pi terms) of that
     * model and of the independence model are kept, with the 2 pi term. */
    brisk_pattern *patterns;
    size_t npatterns;
    double fiml_h1, fiml_baseline, fiml_constant;
} brisk_moments;

/* The groups a column defines among the given rows (NULL: all): its
 * distinct values in order of first appearance (as lavaan's unique()),
 * numbers written as text.  *level gets, per row of rows, the group index
 * or (size_t)-1 for a missing value.  Free labels and level. */
brisk_status brisk_group_levels(const brisk_dataset *ds, const char *column, const size_t *rows,
                                size_t nrows, char ***labels, size_t *nlabels, size_t **level,
                                brisk_error *err);

/* Moments of the model's observed variables from a dataset, using only
 * the given rows (NULL: all rows) and deleting incomplete ones listwise. */
brisk_status brisk_moments_from_data(const brisk_model *m, const brisk_dataset *ds,
                                     const size_t *rows, size_t nrows, brisk_moments *out,
                                     brisk_error *err);
/* The same for full-information ML: every row that answers at least one
 * of the model's variables, grouped by missing-data pattern; mean and cov
 * are the saturated model's EM estimates.  An EM that has not converged
 * within time_limit seconds (0: no limit) is BRISK_ERR_CONVERGENCE naming
 * the limit. */
brisk_status brisk_moments_from_data_fiml(const brisk_model *m, const brisk_dataset *ds,
                                          const size_t *rows, size_t nrows, double time_limit,
                                          brisk_moments *out, brisk_error *err);
/* The same for WLSMV's missing = "pairwise": every row that answers at
 * least one of the model's variables, NaN where it does not (data); mean
 * and cov over each variable's and pair's answers. */
brisk_status brisk_moments_from_data_pairwise(const brisk_model *m, const brisk_dataset *ds,
                                              const size_t *rows, size_t nrows,
                                              brisk_moments *out, brisk_error *err);
void brisk_moments_free(brisk_moments *mom);
/* The group's N in the likelihood: its rows, or its weights' sum. */
static inline double brisk_moments_size(const brisk_moments *mom)
{
    return mom->size > 0 ? mom->size : (double)mom->n;
}
/* A row's sampling weight (1 without weights). */
static inline double brisk_moments_weight(const brisk_moments *mom, size_t row)
{
    return mom->weight ? mom->weight[row] : 1;
}
/* Normalise the weights of a fit's groups together (lavaan's
 * sampling.weights.normalization = "total"): every row's weight times
 * (rows in all groups) / (the weights' sum in all groups). */
void brisk_moments_normalise_weights(brisk_moments *mom, size_t ngroups);

/* One estimated parameter row. */
typedef struct brisk_estimate {
    double est, se, z, pvalue, ci_lower, ci_upper, std_lv, std_all;
    /* With a bootstrap: the standard error and interval of std_all. */
    double std_se, std_ci_lower, std_ci_upper;
    /* The delta-method standard errors of std_lv and std_all (lavaan's
     * standardizedSolution(), from this fit's vcov; 0 below lavaan's
     * eps^(1/4)); NaN when not computed (the model's options without
     * std_se, an estimates-only fit, WLSMV with scale factors). */
    double std_lv_se, std_all_se;
} brisk_estimate;

typedef struct brisk_fit_measures {
    double chisq, df, pvalue, baseline_chisq, baseline_df, baseline_pvalue;
    double cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr;
    double loglik, unrestricted_loglik, aic, bic, sabic;
    size_t npar, nobs;
    /* robust ML (MLR): the Yuan-Bentler scaled test (Mplus variant) and the
     * fit indices lavaan derives from it; meaningful when robust is set */
    bool robust;          /* the robust CFI, TLI and RMSEA too (MLR) */
    bool scaled;          /* a scaled test (MLR, MLM, WLSMV) */
    double shift;         /* WLSMV's shift (scaled-shifted test), else 0 */
    double chisq_scaled, pvalue_scaled, scaling_factor;
    double baseline_chisq_scaled, baseline_pvalue_scaled, baseline_scaling_factor;
    double cfi_scaled, tli_scaled, cfi_robust, tli_robust;
    double rmsea_scaled, rmsea_ci_lower_scaled, rmsea_ci_upper_scaled;
    double rmsea_robust, rmsea_ci_lower_robust, rmsea_ci_upper_robust;
    /* how the fit was estimated: MLM (robust.sem SEs, the Satorra-Bentler
     * test; robust is set too), one of the least-squares estimators (no
     * likelihood: loglik, AIC, BIC NaN; ULS's p-values NaN), else 0 (ML,
     * MLR and WLSMV are told apart by robust and the thresholds) */
    brisk_estimator estimator;
} brisk_fit_measures;

typedef struct brisk_fit {
    const brisk_model *model;     /* borrowed */
    bool converged;
    int iterations;
    double fmin;                  /* the ML discrepancy at the estimate */
    double gradient_norm;
    double *theta;                /* free parameter values */
    double *vcov;                 /* nfree x nfree covariance of the estimates */
    bool vcov_valid;              /* false for an estimates-only fit */
    bool admissible;              /* no negative variance, no correlation beyond 1 */
    brisk_estimate *rows;         /* one per parameter-table row */
    double *r2;                   /* one per endogenous variable, see r2_names */
    const char **r2_names;
    size_t *r2_group;             /* the group of each R^2 */
    size_t nr2;
    brisk_fit_measures fit;
    char **warnings;
    size_t nwarnings;
    /* WLSMV: each ordered item's thresholds (group by group; in a group
     * item i's are t1, t2, ... in the model's observed order), estimates,
     * standard errors and standardized values (over the latent response's
     * implied standard deviation, covariates included: lavaan's std.all) */
    size_t nthresholds;
    size_t *threshold_item, *threshold_group;
    double *thresholds, *threshold_se, *threshold_std;
    /* WLSMV with the thresholds held equal across groups: each item's scale
     * factor (lavaan's "~*~", the delta parameterization: 1 over the latent
     * response's standard deviation), group by group in the items' order;
     * fixed at 1 in the first group (SE 0), estimated after it */
    size_t nscales;
    size_t *scale_item, *scale_group;
    double *scales, *scale_se;
} brisk_fit;

typedef struct brisk_fit_options {
    int max_iterations;           /* 0: default (500) */
    double tolerance;             /* gradient tolerance, 0: default */
    const double *start;          /* starting values of the free parameters, or NULL */
    const double *scoring;        /* nfree x nfree matrix used in place of the inverse
                                     information in every step (a chord method: a
                                     bootstrap draw reuses the full sample's), or NULL */
    bool estimates_only;          /* no standard errors nor fit measures (a bootstrap
                                     draw): estimates, standardized, := values */
    bool robust;                  /* MLR: Huber-White SEs and the Yuan-Bentler scaled
                                     test (the moments must carry their data); moments
                                     with sampling weights are fitted so anyway */
    bool robust_sem;              /* MLM: robust.sem SEs (expected information, ADF
                                     Gamma) and the Satorra-Bentler scaled test; complete,
                                     unweighted, unclustered moments with their data */
    const double *orient_like;    /* a factor scaled by its variance takes the sign that
                                     agrees with these estimates (a bootstrap draw with
                                     the full sample's), or NULL: its first loading
                                     positive */
    double time_limit;            /* seconds the searches may take (0: no limit).  The
                                     iterations are bounded anyway; this bounds the time
                                     on data where every search stalls (FIML on a few
                                     rows, a Heywood case from many starts).  At the
                                     limit the best solution found so far stands (with a
                                     warning); without one, BRISK_ERR_CONVERGENCE. */
} brisk_fit_options;

/* Fit by maximum likelihood.  Errors: BRISK_ERR_MODEL (not identified:
 * df < 0 or a singular information matrix, naming parameters),
 * BRISK_ERR_CONVERGENCE, BRISK_ERR_DATA (sample covariance not positive
 * definite, naming the items). */
brisk_status brisk_fit_ml(const brisk_model *m, const brisk_moments *mom,
                          const brisk_fit_options *opt, brisk_fit **out, brisk_error *err);
void brisk_fit_free(brisk_fit *fit);

/* Add a warning to a fit (it appears in every output of the fit). */
brisk_status brisk_fit_add_warning(brisk_fit *fit, const char *text);

/* ---- fitting data: from model text to a fit in one call ---- */

/* Everything one fitted model holds. */
typedef struct brisk_fitted {
    brisk_syntax *syntax;
    brisk_model *model;
    brisk_moments *moments;       /* one per group */
    size_t ngroups;
    char **group_labels;          /* NULL without groups */
    size_t n_dropped;             /* rows left out: incomplete or without a group */
    size_t **group_rows;          /* per group: the data rows offered to it */
    size_t *ngroup_rows;
    brisk_fit *fit;
} brisk_fitted;

/* Whether the options' estimator and missing-data treatment go together
 * (WLSMV and full-information ML do not); BRISK_ERR_ARGUMENT saying what
 * to do otherwise. */
brisk_status brisk_check_estimation(const brisk_model_options *opt, brisk_error *err);

/* Parse model text (source names it in errors; first_line is the line of
 * its first line there), build the model over ds's columns, compute the
 * moments of the given rows (NULL: all) — per group of group_column when it
 * is not NULL, the model then being fitted jointly in every group — and fit
 * by ML.  On failure err names the data file when the problem lies in the
 * data. */
brisk_status brisk_fit_text(const char *text, const char *source, long first_line,
                            const brisk_dataset *ds, const size_t *rows, size_t nrows,
                            const char *group_column, const brisk_model_options *opt,
                            brisk_fitted *out, brisk_error *err);
void brisk_fitted_free(brisk_fitted *f);

/* lavaan's lavTestLRT of two fits of one model to the same data, more
 * restricted than less: *df the difference of their df, *chisq the
 * statistic, referred to chi-square on *df: the difference of the
 * chi-squares (ML), Satorra and Bentler's (2001) scaled difference (MLR;
 * NAN where its scaling is negative), or the scaled-shifted difference of
 * Satorra (2000) (WLSMV). */
brisk_status brisk_fitted_difference(const brisk_fitted *less, const brisk_fitted *more,
                                     double *chisq, double *df, brisk_error *err);

/* ---- bootstrap ---- */

typedef enum brisk_ci_type {
    BRISK_CI_PERCENTILE = 0,
    BRISK_CI_BCA                  /* bias-corrected and accelerated (jackknife) */
} brisk_ci_type;

typedef struct brisk_bootstrap_options {
    size_t draws;
    uint64_t seed;                /* draw i's resample depends only on seed and i */
    unsigned threads;             /* 0 or 1: one */
    brisk_ci_type ci;
    bool exclude_inadmissible;    /* leave out draws with a negative variance or a
                                     correlation beyond 1 (when the full-sample solution
                                     has none); lavaan keeps every converged draw */
    /* Called now and then from one thread with the draws done so far. */
    void (*progress)(size_t done, size_t total, void *ctx);
    void *progress_ctx;
} brisk_bootstrap_options;

typedef struct brisk_bootstrap_info {
    size_t draws;
    size_t failed;                /* draws not estimated (no convergence): left out */
    size_t inadmissible;          /* converged draws with an inadmissible solution */
    bool excluded;                /* ...and those were left out too */
    uint64_t seed;
    brisk_ci_type ci;
} brisk_bootstrap_info;

/* Bootstrap a fitted model: resample its complete cases (within each
 * group), refit every draw from the full-sample estimates, and replace the
 * standard errors and intervals of every row (parameters, std_all and :=)
 * by the bootstrap standard deviation and interval; z and p follow the
 * bootstrap SE.  Draws that do not converge are counted and left out;
 * converged draws with an inadmissible solution (a Heywood case) are
 * counted and kept, as lavaan keeps them, unless exclude_inadmissible.  A
 * factor scaled by its variance takes in every draw the sign that agrees
 * with the full-sample estimates.  Results are the same for any number of
 * threads. */
brisk_status brisk_bootstrap_fit(brisk_fitted *fitted, const brisk_dataset *ds,
                                 const brisk_bootstrap_options *opt,
                                 brisk_bootstrap_info *info, brisk_error *err);

/* ---- a published matrix (lavaan's sample.cov, sample.nobs, sample.mean) ---- */

#define BRISK_MATRIX_MAX_VARIABLES 1000

typedef struct brisk_sample_matrix_options {
    bool correlations;            /* the file holds correlations: SDs needed (cor2cov) */
    const double *sd;             /* the SDs given outside the file, or NULL */
    size_t nsd;
    const double *mean;           /* the means given outside the file, or NULL */
    size_t nmean;
    double n;                     /* N given outside the file, or 0 */
    const char *n_source;         /* where, for messages (NULL: "--n") */
} brisk_sample_matrix_options;

/* A matrix as published: covariances with the divisor N - 1. */
typedef struct brisk_sample_matrix {
    char *source;                 /* the file, for messages */
    size_t p;
    char **names;                 /* p */
    double *cov;                  /* p x p (from correlations: times the SDs) */
    double *mean;                 /* p, or NULL: no mean structure */
    size_t n;
    long *line;                   /* the file line of each variable's matrix row */
} brisk_sample_matrix;

/* Read a lower triangle or a full matrix (names on the first line or
 * starting each row; optional rows "sd", "mean", "n"; see sample_matrix.c).
 * Every fault is BRISK_ERR_FORMAT or _VALUE at its line (not symmetric,
 * a row's length, a non-number, the diagonal, no N, no SDs for
 * correlations), BRISK_ERR_ARGUMENT where the options contradict the file
 * (N or a list given twice, SDs with covariances). */
brisk_status brisk_sample_matrix_read(brisk_io *io, const brisk_sample_matrix_options *opt,
                                brisk_sample_matrix *out, brisk_error *err);
void brisk_sample_matrix_free(brisk_sample_matrix *s);

/* The model's moments from the matrix: its variables (each must be one of
 * the matrix's, or BRISK_ERR_COLUMN listing them), the covariances times
 * (N - 1) / N as lavaan's ML, positive definite or BRISK_ERR_VALUE naming
 * the first variable where it fails; means 0 unless given. */
brisk_status brisk_moments_from_matrix(const brisk_model *m, const brisk_sample_matrix *s,
                                        brisk_moments *out, brisk_error *err);

/* brisk_fit_text from a matrix: ML only (anything needing rows is
 * BRISK_ERR_ARGUMENT), a mean structure when the matrix comes with means. */
brisk_status brisk_fit_matrix_text(const char *text, const char *source, long first_line,
                                    const brisk_sample_matrix *s, const brisk_model_options *opt,
                                    brisk_fitted *out, brisk_error *err);
/* ---- residuals (lavaan's lavResiduals) ---- */

/* lavaan's summary of one kind of residuals (lav_residuals_summary_rms):
 * the root mean square (SRMR of the Bentler correlation residuals, CRMR
 * of the Bollen ones), its standard error, the exact-fit test (z, p), the
 * unbiased estimate with its SE and 90% interval, and the close-fit test
 * of that against .05 (z, p).  NaN where lavaan gives none. */
typedef struct brisk_rms_summary {
    double rms, se, exact_z, exact_p;
    double urms, urms_se, urms_ci_lower, urms_ci_upper, close_z, close_p;
} brisk_rms_summary;

/* One group's residuals, sample less implied, p x p row-major symmetric
 * over the model's observed variables (and p means with a mean
 * structure; mean_* NULL without):
 *   raw, raw_se, raw_z    the covariance residuals, their standard errors
 *                         and lavaan's residuals(type = "standardized")
 *   bentler, bentler_z    lavaan's "cor.bentler" (both scaled by the
 *                         sample SDs: lavResiduals' cov and cov.z)
 *   bollen, bollen_z      "cor.bollen": sample less implied correlations
 * The SEs and z (and the summaries' SEs and tests) are lavaan's
 * z.type = "standardized" (h1 acov unstructured): the residuals' ACOV is
 * Q Gamma Q' / N with Q = I - Delta A0^-1 Delta' A1, A1 the saturated
 * model's information at the implied moments (observed for MLR and FIML),
 * A0 the fit's non-robust information, Gamma the ACOV of the sample
 * moments (normal theory for ML, the rows' ADF one for MLR and MLM, the
 * saturated FIML model's with missing values); they are NaN (have_se
 * false) with fixed covariates, weights or clusters.
 * summary[t][k]: t 0 SRMR, 1 CRMR; k 0 covariances, 1 means, 2 total. */
typedef struct brisk_group_residuals {
    size_t p;
    bool means, have_se;
    double *raw, *raw_se, *raw_z, *bentler, *bentler_z, *bollen, *bollen_z;
    double *mean_raw, *mean_raw_se, *mean_raw_z, *mean_bentler, *mean_bentler_z,
        *mean_bollen, *mean_bollen_z;
    brisk_rms_summary summary[2][3];
    /* A WLSMV fit (ordered): the correlations of the latent responses (a
     * continuous item's covariances and variance), the continuous items'
     * means (means true with some), and nth thresholds: th, th_se, th_z
     * item by item (th_item the observed variable, th_number from 1).
     * summary[t][1] is then the thresholds' and the covariances' leave the
     * diagonal out (lavaan's cor, thresholds, total); SEs, z and summaries
     * for ordered items alone, as lavaan. */
    bool ordered;
    size_t nth;
    double *th, *th_se, *th_z;
    size_t *th_item, *th_number;
} brisk_group_residuals;

typedef struct brisk_residuals {
    size_t ngroups;
    brisk_group_residuals *groups;
} brisk_residuals;

/* The residuals of a fitted model (ML, MLR, MLM, FIML or WLSMV;
 * BRISK_ERR_ARGUMENT for a least-squares fit and for WLSMV with
 * covariates, whose residuals brisk does not compute). */
brisk_status brisk_fitted_residuals(const brisk_fitted *fd, brisk_residuals *out,
                                    brisk_error *err);
void brisk_residuals_free(brisk_residuals *r);
/* ---- modification indices ---- */

/* One modification index: a row of lavaan's modindices(). */
typedef struct brisk_modindex {
    const char *lhs, *rhs;        /* borrowed from the fitted model */
    brisk_op op;                  /* MEASURE, REGRESS, COVARY, INTERCEPT or SCALE */
    size_t group;                 /* 0-based group of the parameter */
    double mi;                    /* the score test's chi-square on 1 df */
    double epc;                   /* expected parameter change */
    double sepc_lv, sepc_all, sepc_nox;   /* standardized (NaN where lavaan's is NA) */
    size_t order;                 /* the row's place in lavaan's list, which ties keep */
} brisk_modindex;

/* lavaan's modindices(fit, sort. = TRUE): the score test, with the
 * expected information, of every parameter the model fixes and of every
 * loading, covariance, regression (and, with a mean structure, intercept)
 * it leaves out that lavaan lists (lav_partable_full), freed one at a
 * time; MI decreasing, those the model cannot identify left out (lavaan's
 * NA).  ML and MLR alike (the same estimates and expected information),
 * with sampling weights (the weighted moments) and in every group;
 * full-information ML; WLSMV (DWLS score tests: the items' intercepts and
 * scale factors ~*~ among the candidates where lavaan's are identified).
 * *out (caller frees) gets *n rows.  Errors: BRISK_ERR_ARGUMENT for a fit
 * they are not computed for (inequality constraints, full-information ML
 * with fixed covariates), naming it;
 * BRISK_ERR_MODEL when the information matrix is singular; BRISK_ERR_LIMIT
 * for a model too large (see brisk_fit_ml). */
brisk_status brisk_modindices(const brisk_fitted *fitted, brisk_modindex **out, size_t *n,
                              brisk_error *err);

/* ---- score tests of equality constraints (lavaan's lavTestScore) ---- */

/* One equality constraint: a free parameter of the model shared by two
 * rows (group.equal's, or a label's), the later row tied to the first. */
typedef struct brisk_score_test {
    const char *lhs, *rhs;        /* the tied row's (borrowed from the model) */
    brisk_op op;
    size_t group;                 /* the tied row's group (0-based) */
    size_t ref_group;             /* the group of the row it is tied to */
    double x2, pvalue;            /* the univariate score test, on 1 df */
    double epc;                   /* the tied row's expected change with every
                                     constraint released (lavaan's epc = TRUE) */
    double cumulative_x2, cumulative_pvalue;   /* this and every constraint above it
                                     in the order of x2 released together, on
                                     cumulative_df = its rank df */
    size_t cumulative_df;
    size_t order;                 /* its place among lavaan's == rows */
} brisk_score_test;

typedef struct brisk_score_tests {
    brisk_score_test *tests;      /* x2 decreasing (ties: lavaan's order) */
    size_t n;
    double x2, pvalue;            /* the total test: every constraint released */
    size_t df;
} brisk_score_tests;

/* lavaan's lavTestScore(fit, cumulative = TRUE, epc = TRUE) of the
 * equality constraints of a fit (group.equal's and shared labels'): with
 * s the gradient of the log-likelihood per respondent and I the expected
 * information per respondent of the model with every tied row free, at the
 * estimates, releasing a set of constraints gives N s' J s, J the
 * Moore-Penrose inverse of I in the parameters the kept constraints leave.
 * ML and MLR alike (lavaan 0.6-14 has only the standard test: MLR's is the
 * ML one).  BRISK_ERR_ARGUMENT for a fit without equality constraints, for
 * WLSMV, full-information ML, or a model with ==, < or > constraints. */
brisk_status brisk_score_tests_equal(const brisk_fitted *fitted, brisk_score_tests *out,
                                     brisk_error *err);
void brisk_score_tests_free(brisk_score_tests *t);

#ifdef __cplusplus
}
#endif
#endif
