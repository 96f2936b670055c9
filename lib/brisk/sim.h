/* brisk — simulated survey data from a recursive latent-variable model.
 *
 * A model is built step by step and then drawn from:
 *
 *   latent variables   eta_j = sum_i B[j][i] * eta_i + zeta_j     (i < j)
 *   indicators         y_p   = nu_p + lambda_p * eta_l(p) + e_p
 *
 * Latent variables are numbered in the order they are added, and a path
 * may only lead from an earlier latent to a later one, so the model is
 * recursive by construction and the order of addition is a topological
 * order.  The residuals zeta are jointly normal with mean 0 and the
 * covariance matrix Psi: its diagonal holds the residual variances given
 * to brisk_sim_add_latent() (for an exogenous latent, its variance), its
 * off-diagonal elements are set with brisk_sim_set_covariance() — the
 * covariances of the exogenous block, and residual covariances where the
 * model wants them.  Psi is drawn through its Cholesky factor.  The errors
 * e_p are independent normal with the given variances; a variance of 0
 * makes an indicator an exact (observed) function of its latent, which is
 * how lavaan represents an observed covariate.
 *
 * An indicator may be cut into K ordered categories 1..K by K-1 increasing
 * thresholds (a Likert item: category k when t[k-1] < y <= t[k]), and a
 * cut indicator may be reverse-keyed (K+1-x), as the raw answer to a
 * negatively worded item is.
 *
 * Drawing is deterministic for a seed: every call uses its own
 * gsl_rng_mt19937 seeded with the seed given, and the library holds no
 * global state, so draws from one model may run in several threads at
 * once.  Like every GSL-using part of libbrisk, the functions expect the
 * program to have called gsl_set_error_handler_off() at start-up (GSL's
 * default handler aborts on a matrix that is not positive definite).
 *
 * Every fallible call returns a brisk_status and fills err (which may be
 * NULL); argument errors are BRISK_ERR_ARGUMENT with a message saying
 * which argument and why.  The library never prints and never exits. */
#ifndef BRISK_SIM_H
#define BRISK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque population model. */
typedef struct brisk_sim_model brisk_sim_model;

/* An empty model (no latents, no indicators), or NULL when memory is
 * exhausted.  The caller owns it and releases it with
 * brisk_sim_model_free(). */
brisk_sim_model *brisk_sim_model_new(void);

/* Release a model and everything it holds.  NULL is accepted. */
void brisk_sim_model_free(brisk_sim_model *model);

/* ---- building ---- */

/* Append a latent variable named name (copied; non-empty and unique among
 * the model's latents) whose residual variance is variance (> 0; for an
 * exogenous latent, its variance).  Its index (0, 1, 2, … in order of
 * addition) is stored in *index unless index is NULL. */
brisk_status brisk_sim_add_latent(brisk_sim_model *model, const char *name,
                                  double variance, size_t *index,
                                  brisk_error *err);

/* Change the residual variance of latent (> 0). */
brisk_status brisk_sim_set_variance(brisk_sim_model *model, size_t latent,
                                    double variance, brisk_error *err);

/* Add the regression path to = ... + coefficient * from.  from must have
 * been added before to (from < to: the model stays recursive), the
 * coefficient must be finite, and a path may be added only once. */
brisk_status brisk_sim_add_path(brisk_sim_model *model, size_t from,
                                size_t to, double coefficient,
                                brisk_error *err);

/* Set the covariance of the residuals of two different latents (for
 * exogenous latents, the covariance of the latents themselves); setting
 * a pair again replaces the value.  Whether the whole residual covariance
 * matrix is positive definite is checked by brisk_sim_check(), because
 * a matrix built one element at a time may pass through indefinite
 * states. */
brisk_status brisk_sim_set_covariance(brisk_sim_model *model, size_t a,
                                      size_t b, double covariance,
                                      brisk_error *err);

/* Append an indicator named name (copied; non-empty and unique among the
 * model's indicators) of latent with a finite loading and error variance
 * (>= 0; 0 makes it an exact function of the latent).  Its intercept is
 * 0 until brisk_sim_set_intercept(); it is continuous until
 * brisk_sim_set_thresholds().  Its index (its column in the output of
 * brisk_sim_draw()) is stored in *index unless index is NULL. */
brisk_status brisk_sim_add_indicator(brisk_sim_model *model, const char *name,
                                     size_t latent, double loading,
                                     double error_variance, size_t *index,
                                     brisk_error *err);

/* Set the intercept (finite) of an indicator: its mean when the latent's
 * mean is 0.  Thresholds apply to the indicator including its intercept,
 * so the intercept moves a Likert item's answers up or down the scale. */
brisk_status brisk_sim_set_intercept(brisk_sim_model *model, size_t indicator,
                                     double intercept, brisk_error *err);

/* Cut an indicator into count + 1 ordered categories 1 .. count + 1 by
 * count (>= 1) finite, strictly increasing thresholds (copied): category
 * k when thresholds[k-2] < y <= thresholds[k-1].  Replaces earlier
 * thresholds. */
brisk_status brisk_sim_set_thresholds(brisk_sim_model *model, size_t indicator,
                                      const double *thresholds, size_t count,
                                      brisk_error *err);

/* Reverse-key a cut indicator: its category x is reported as K + 1 - x,
 * as a respondent answers a negatively worded item.  The indicator must
 * have thresholds already.  reverse = false undoes it. */
brisk_status brisk_sim_set_reverse(brisk_sim_model *model, size_t indicator,
                                   bool reverse, brisk_error *err);

/* ---- inspecting ---- */

/* Number of latents / indicators added so far (0 for NULL). */
size_t brisk_sim_n_latents(const brisk_sim_model *model);
size_t brisk_sim_n_indicators(const brisk_sim_model *model);

/* Name of a latent / an indicator (borrowed: valid until the model is
 * freed), or NULL when the index is out of range. */
const char *brisk_sim_latent_name(const brisk_sim_model *model, size_t latent);
const char *brisk_sim_indicator_name(const brisk_sim_model *model,
                                     size_t indicator);

/* Validate the model as a whole: it has at least one indicator and its
 * residual covariance matrix Psi is positive definite.  brisk_sim_draw()
 * and brisk_sim_implied_covariance() perform the same check. */
brisk_status brisk_sim_check(const brisk_sim_model *model, brisk_error *err);

/* The population covariance matrices the model implies, before any
 * cutting into categories: latent_cov (n_latents x n_latents, row-major)
 * = A Psi A' with A = (I - B)^-1, and indicator_cov (n_indicators x
 * n_indicators, row-major) = Lambda latent_cov Lambda' + Theta.  Either
 * pointer may be NULL when that matrix is not wanted.  The latent means
 * are 0; an indicator's mean is its intercept.  The standardized loading
 * of indicator p is lambda_p sqrt(latent_cov[l][l] / indicator_cov[p][p]). */
brisk_status brisk_sim_implied_covariance(const brisk_sim_model *model,
                                          double *latent_cov,
                                          double *indicator_cov,
                                          brisk_error *err);

/* ---- drawing ---- */

/* Draw n respondents into out, an n x n_indicators row-major array the
 * caller provides: row r holds respondent r's indicators in the order
 * they were added; cut indicators hold their category 1..K (reversed
 * where asked) as a double.  n = 0 draws nothing.
 *
 * seed (1 .. 2^32-1) seeds a gsl_rng_mt19937 owned by this call.  Seed 0
 * is rejected because GSL silently replaces it by 4357, so two different
 * seeds would give the same data.  The order of the random numbers is
 * part of the interface, so a seed reproduces a data set bit for bit
 * across versions: for each respondent in turn, n_latents standard
 * normal deviates (gsl_ran_gaussian_ziggurat) for the residuals, then
 * one per indicator, in index order, drawn even when its error variance
 * is 0.
 *
 * Nothing is written to out unless the model passes brisk_sim_check(). */
brisk_status brisk_sim_draw(const brisk_sim_model *model, size_t n,
                            uint32_t seed, double *out, brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
