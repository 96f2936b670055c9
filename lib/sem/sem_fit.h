/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Steps of brisk_fit_ml after the estimates are found (internal). */
#ifndef BRISK_SEM_FIT_H
#define BRISK_SEM_FIT_H

#include "sem_ml.h"

brisk_status brisk_fit_warn(brisk_fit *fit, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Every parameter-table row from theta and vcov (est, SE, z, p, 95% CI);
 * fixed rows take the works' fixed values. */
void brisk_sem_fill_rows(const brisk_model *m, const sem_fitter *f, brisk_fit *fit);

/* := rows: values, delta-method standard errors. */
brisk_status brisk_sem_defined(const brisk_model *m, brisk_fit *fit, brisk_error *err);

/* chi-square, baseline, CFI, TLI, RMSEA (CI, p), SRMR, log-likelihoods,
 * information criteria; w holds the implied moments at the estimate. */
brisk_status brisk_sem_fit_measures(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                                    brisk_error *err);

/* Robust ML: sandwich vcov (replacing fit->vcov, the classical one on
 * entry) and the Yuan-Bentler scaled test with the scaled and robust fit
 * indices (after brisk_sem_fit_measures), from every group's casewise
 * data (mom->data), summed within clusters where the moments have them.
 * test_h1: the test's trace takes the structured h1 information, not the
 * observed one (lavaan's estimator ML with clusters and no weights, whose
 * two tests make observed.information[2] "h1"). */
brisk_status brisk_sem_robust(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                              bool test_h1, brisk_error *err);

/* One group's Gamma (robust_sem.c's, lavaan's NACOV with divisor N) as a
 * d x d matrix in lavaan's order: with a mean structure the p means
 * first, then vech of the covariances, column by column of the lower
 * triangle.  Complete, unweighted rows.  False when out of memory or the
 * covariates' covariances are singular. */
bool brisk_sem_adf_gamma(const brisk_model *m, const brisk_moments *mom, double *gamma);

/* MLM (lavaan's se = "robust.sem", test = "satorra.bentler"; robust_sem.c):
 * the sandwich vcov E^-1 (sum_g N_g/N Delta' A1 Gamma A1 Delta) E^-1 / N
 * with E the expected information (fit->vcov on entry is (N E)^-1) and
 * Gamma each group's ADF covariance of the sample moments (divisor N_g),
 * and the Satorra-Bentler scaled test with the scaled and robust indices
 * (after brisk_sem_fit_measures).  Complete, unweighted data only. */
brisk_status brisk_sem_robust_sem(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                                  brisk_error *err);

/* The scaled test and the scaled and robust indices from tr(U Gamma) of the
 * model and of the baseline (robust.c, shared by MLR and MLM); tr(a b) of
 * two q x q matrices. */
void brisk_sem_scaled_measures(brisk_fit_measures *f, double trace_ug, double trace_ug_b,
                               double n, double groups);
double brisk_sem_trace_product(const double *a, const double *b, size_t q);

/* The observed information per respondent at theta (half the Hessian of
 * F, from central differences of the analytic gradient, step 1e-5; within
 * about 1e-9 of lavaan's five-point lav_model_hessian), into info
 * (q x q); the fitter is left at theta with its derivatives.  False when
 * out of memory or infeasible. */
bool brisk_sem_observed_information(sem_fitter *f, const double *theta, double *info);

/* Robust ML with missing values (robust_missing.c), also used for
 * complete data with fixed covariates (one pattern): the saturated model's
 * observed information A1 and the mean outer product B1 of its casewise
 * scores at the EM estimates (d x d over means first, then sigma_ab for
 * b <= a), built once for its trace and lavaan's corrected indices; its
 * tr(B1 A1^-1) over the parameters not masked (mask NULL: all); a group's
 * casewise B0 (u, s, tr are scratch of p, q, q); the independence model's
 * tr(B0 E^-1). */
typedef struct brisk_fiml_h1 {
    size_t d;
    double *a1, *b1;
} brisk_fiml_h1;
bool brisk_fiml_h1_init(const brisk_moments *mom, brisk_fiml_h1 *h1);
/* The saturated model's observed information per respondent (d x d, the
 * order above) at (mu, sigma) rather than at the EM estimates (lavaan's
 * h1.information = "structured" at the implied moments).  False when out
 * of memory or sigma is not positive definite for a pattern. */
bool brisk_fiml_information_at(const brisk_moments *mom, const double *mu, const double *sigma,
                               double *a1);
void brisk_fiml_h1_free(brisk_fiml_h1 *h1);
double brisk_fiml_h1_trace(const brisk_fiml_h1 *h1, const bool *mask, bool *ok);
void brisk_fiml_first_order(const sem_work *w, double *b0, double *u, double *s, double *tr);
double brisk_fiml_trace_h0_baseline(const brisk_moments *mom, bool means, const bool *skip);

/* The expected information per respondent of full-information ML at the
 * work's last point, derivatives computed (lavaan's structured
 * lav_mvnorm_missing_information_expected, which its modindices() uses):
 * each pattern's complete-data information over the variables it
 * answered, weighted by its share.  info is q x q; false when out of
 * memory. */
bool brisk_fiml_expected_information(const sem_work *w, double *info);

/* lavaan's FIML-corrected robust indices (Zhang & Savalei; its "V3" for
 * MLR) of a fit with missing values, at the works' estimates (their
 * derivatives computed), from each group's saturated model h1[g]: the ML
 * statistic x3 of the EM moments from the implied ones with its constant
 * c3 = tr(U A1^-1 Wc A1^-1 U Gamma) / df (U from A1 and Delta, Gamma =
 * A1^-1 B1 A1^-1, Wc the complete-data information; the groups stacked
 * with weights N_g / N as lavaan), and the independence model's xb and cb
 * on dfb.  With fixed covariates, mask marks the saturated moments they
 * fix and skip the covariates (NULL without). */
bool brisk_fiml_corrected(sem_work *const *works, const brisk_fiml_h1 *h1, size_t ngroups,
                          size_t ntotal, const bool *mask, const bool *skip, double df,
                          double dfb, double *x3, double *c3, double *xb, double *cb);

/* lavaan's CFI and TLI of a chi-square x2 on df against the baseline's xb
 * on dfb; with c and cb other than 1 the df are weighted by them (the
 * robust indices of Brosseau-Liard and Savalei). */
void brisk_sem_cfi_tli(double x2, double df, double xb, double dfb, double c, double cb,
                       double *cfi, double *tli);

/* RMSEA of a chi-square x2 on df over n respondents in G groups, with the
 * noncentrality scaled by c (lavaan's lav_fit_rmsea and its 90% interval,
 * lav_fit_rmsea_ci). */
void brisk_sem_rmsea(double x2, double df, double n, double groups, double c, double *rmsea,
                     double *lower, double *upper);

/* lavaan's p(RMSEA <= .05) of a chi-square x2 on df over n respondents in
 * G groups (lav_fit_rmsea_closefit); NaN on 0 df. */
double brisk_sem_rmsea_pvalue(double x2, double df, double n, double groups);

/* lavaan's robust RMSEA of a statistic x2 on df with scaling constant c:
 * the noncentrality x2 - c df over n, the 90% interval from x2 / c (its
 * rmsea.robust and CI, for MLR and for WLSMV's catML statistic). */
void brisk_sem_rmsea_robust(double x2, double df, double n, double groups, double c,
                            double *value, double *lower, double *upper);

/* Bentler's SRMR of one group (lavaan's srmr): its residuals over the
 * sample standard deviations of mom, w at the estimates. */
double brisk_sem_srmr(const brisk_model *m, const brisk_moments *mom, const sem_work *w);

/* Least squares on continuous items (least_squares.c): lavaan's
 * estimator = "GLS", "ULS", "WLS" (ADF) or "DWLS" on the complete rows of
 * each group's moments, with its standard errors, test and fit measures. */
brisk_status brisk_fit_least_squares(const brisk_model *m, const brisk_moments *mom,
                                     brisk_estimator estimator, double time_limit,
                                     brisk_fit **out, brisk_error *err);

/* Settle the sign of every factor scaled by its variance (orient.c): its
 * first loading positive, or (like, a bootstrap draw's full-sample
 * estimates) the orientation that agrees with like.  Returns whether theta
 * changed. */
bool brisk_sem_orient(const brisk_model *m, double *theta, const double *like);

/* std_lv, std_all and R^2. */
brisk_status brisk_sem_standardize(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                                   brisk_error *err);

/* std_lv and std_all of every row (:= rows from the standardized values
 * of their labels) at theta, into lv and all (one per row); the fitter is
 * left at theta.  False when the model implies no covariance matrix there
 * (or, with err set, a := expression fails). */
bool brisk_sem_std_values(const brisk_model *m, sem_fitter *f, const double *theta, double *lv,
                          double *all, brisk_error *err);

/* The delta-method standard errors of every row's std_lv and std_all
 * (lavaan's standardizedSolution()): the Jacobian of the standardized
 * values in the free parameters by central differences, sandwiched with
 * fit->vcov (whatever its kind).  prepare (or NULL) sets what follows
 * the parameters at each point before the values are read (WLSMV: the
 * items' residual variances); it is called at the estimates again at the
 * end, and the fitter left there. */
typedef bool (*brisk_sem_prepare_fn)(sem_fitter *f, const double *theta, const void *ctx);
brisk_status brisk_sem_std_se(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                              brisk_sem_prepare_fn prepare, const void *ctx, brisk_error *err);

/* Warnings for Heywood cases: negative variances, correlations beyond 1. */
brisk_status brisk_sem_check_admissible(const brisk_model *m, sem_fitter *f, brisk_fit *fit);

/* Evaluate a := expression with the labelled parameters' values given by
 * value_of(row); returns false (with a message in err) on a syntax error or
 * an unknown label. */
typedef double (*brisk_sem_value_fn)(const brisk_model *m, size_t row, const void *ctx);
bool brisk_sem_eval_expr(const brisk_model *m, const char *expr, brisk_sem_value_fn value_of,
                         const void *ctx, size_t depth, double *out, brisk_error *err);

/* Sample moments a model must explain (those of fixed covariates excluded). */
size_t brisk_sem_moments_count(const brisk_model *m);

/* BRISK_ERR_MODEL, saying so, when the model has more free parameters
 * than sample moments (every estimator's first check). */
brisk_status brisk_sem_check_df(const brisk_model *m, brisk_error *err);

/* The estimates of a model (with == constraints too) taken to the optimum by
 * a few Newton steps (modindices.c): score tests at the optimum, not where
 * the search stopped. */
void brisk_sem_polish(const brisk_model *m, const brisk_moments *mom, double *theta);

/* The fitter's information (after brisk_sem_fitter_derivatives) as
 * lavaan's with fixed covariates: their own moments' entries of every
 * derivative set to 0 (x: per observed variable, a fixed covariate). */
bool brisk_sem_mask_covariates(sem_fitter *f, const bool *x);

/* Noncentral chi-square distribution function. */
double brisk_ncchisq_cdf(double x, double df, double ncp);

#endif
