/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resampling respondents and refitting: what the bootstrap of a fit and the
 * comparison of behaviours share (internal). */
#ifndef BRISK_RESAMPLE_H
#define BRISK_RESAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include "brisk/model.h"
#include "core/rng.h"

/* One group's data for a model: a dense row-major matrix of its observed
 * variables, NaN in missing cells, one row per resampling unit. */
typedef struct resample_data {
    double *x;                 /* centred on shift, for one-pass moments */
    double *shift;             /* the column means of the complete rows */
    double *w;                 /* each row's sampling weight (the model's), or NULL */
    size_t n, p;
    bool has_missing;
} resample_data;

/* The model's observed variables on the given rows (a row index of
 * (size_t)-1 gives a row of NaN: a respondent without that behaviour). */
bool brisk_resample_data(const brisk_model *m, const brisk_dataset *ds, const size_t *rows,
                         size_t n, bool complete_only, resample_data *out);
void brisk_resample_data_free(resample_data *d);

/* Moments of the rows of d, row i counted count[i] times (with sampling
 * weights, count[i] w[i] in the sums and their total the divisor),
 * leaving out rows with a NaN (listwise); mom must have room for p means
 * and p x p covariances.  Its size is its rows (a fit of several groups
 * normalises the weights with brisk_moments_normalise_weights). */
void brisk_resample_moments(const resample_data *d, const unsigned *count, brisk_moments *mom);

/* How a draw of a fitted model is refitted: ML and MLR from the draw's
 * moments (sufficient statistics with counts, brisk_resample_moments);
 * full-information ML and WLSMV from the rows drawn (patterns,
 * polychorics), each with its own estimator. */
typedef enum { REFIT_MOMENTS, REFIT_FIML, REFIT_WLSMV } refit_kind;
refit_kind brisk_refit_kind(const brisk_fitted *fitted);

/* One group's moments of the rows drawn (a row as often as drawn) for a
 * refit of kind REFIT_FIML or REFIT_WLSMV (complete rows); false when they
 * cannot be computed.  Free mom with brisk_moments_free. */
bool brisk_refit_moments(refit_kind kind, const brisk_model *m, const brisk_dataset *ds,
                         const size_t *rows, size_t n, brisk_moments *mom);

/* A draw's fit from its moments (one per group): WLSMV's own estimates,
 * or ML from the full-sample estimates start with the full sample's
 * inverse information per case (scoring), estimates only, every factor
 * scaled by its variance oriented as in start. */
brisk_status brisk_refit(refit_kind kind, const brisk_model *m, const brisk_moments *mom,
                         const double *start, const double *scoring, brisk_fit **fit);

/* A bootstrap resample of n rows as counts: count[i] is how many of n
 * draws with replacement fell on row i (each row equally likely). */
void brisk_resample_counts(brisk_rng *r, size_t n, unsigned *count);

/* Run job(i, thread) for i in [0, n) on nthreads threads; thread 0 (the
 * caller) reports progress.  job returns false to mark draw i failed; the
 * return value is false only when threads could not be started. */
typedef void (*resample_job)(size_t i, size_t thread, void *ctx);
bool brisk_run_parallel(size_t n, unsigned nthreads, resample_job job, void *ctx,
                        void (*progress)(size_t, size_t, void *), void *progress_ctx);

/* Sort x[0..n) ascending (draw values: finite). */
void brisk_sort_draws(double *x, size_t n);

/* The standard deviation of x[0..n), divisor n - 1 (NaN for n < 2): the
 * bootstrap standard error of draw values. */
double brisk_draws_sd(const double *x, size_t n);

/* lavaan's bootstrap standard error of a parameter from its draws: the SD
 * with divisor n for a free parameter (lavaan takes the square root of the
 * diagonal of the draws' covariance with divisor n), divisor n - 1 for a
 * defined parameter (:=; lavaan uses cov() there). */
double brisk_bootstrap_se(const double *x, size_t n, bool defined);

/* The bootstrap percentile endpoint for probability alpha of sorted draws,
 * by the rule lavaan uses (the boot package's norm.inter): the
 * (n+1) alpha-th order statistic, interpolated on the normal quantile
 * scale between neighbours. */
double brisk_quantile_sorted(const double *x, size_t n, double alpha);

/* BCa (Efron 1987) from the jackknife: adds, for the n leave-one-out
 * values theta[] of one group, the sums of L^3 and L^2 of the influence
 * values L_i = (n - 1)(mean - theta_i) (the boot package's empinf type
 * "jack", within strata); the acceleration is
 * a = sum L^3 / (6 (sum L^2)^1.5), 0 when there is no spread. */
void brisk_jackknife_sums(const double *theta, size_t n, double *l3, double *l2);
double brisk_bca_acceleration(double l3, double l2);

/* The 95% BCa interval of sorted draws[0..n) for the estimate theta:
 * z0 = qnorm(share of draws below theta), the percentiles moved to
 * pnorm(z0 + (z0 + z) / (1 - a (z0 + z))) and read by the percentile rule
 * (boot's bca.ci); NaN when every draw is on one side of theta. */
void brisk_bca_interval(const double *sorted, size_t n, double theta, double a, double *lo,
                        double *hi);

#endif
