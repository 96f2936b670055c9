/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WLSMV for ordered items (internal; see wlsmv.c). */
#ifndef BRISK_SEM_WLS_H
#define BRISK_SEM_WLS_H

#include "sem_ml.h"

/* One group's sample statistics.  With covariates (lavaan's
 * conditional.x) the thresholds and slopes are each item's ordered probit
 * regression on them and the correlations are those of the latent
 * responses given them. */
typedef struct brisk_wlsmv_stats {
    size_t n;                     /* respondents */
    size_t *ncat;                 /* categories per item (the same in every group) */
    size_t ntau;
    double *tau, *tau_se;         /* thresholds item by item, and their SEs */
    double *slopes;               /* p x nx: each item's slopes on the covariates */
    double *rho;                  /* p x p polychoric correlations; a pair with a
                                     continuous item their covariance (polyserial or
                                     Pearson correlation times the SDs), and a continuous
                                     item's variance on the diagonal */
    double *mean, *var;           /* p: the continuous items' ML means and variances */
    double *gamma;                /* nstat^2: n x the asymptotic covariance of the
                                     statistics, the slopes (item by item) then the
                                     correlations (1,2), (1,3), ... */
    double *xcov, *xcov_inv, *xmean;   /* nx x nx, nx x nx, nx: the covariates' moments */
} brisk_wlsmv_stats;

typedef struct brisk_wlsmv {
    size_t n, p, q, ngroups;      /* respondents in all, ordered items, free parameters, groups */
    size_t nx;                    /* fixed covariates */
    size_t *yv, *xv;              /* the items' and covariates' places among the model's
                                     observed variables */
    bool *numeric;                /* per item: a continuous indicator (lavaan's numeric
                                     ov beside ordered ones); NULL: none */
    size_t nnum;                  /* continuous items: each group's statistics hold their
                                     means, then their variances, after the thresholds */
    size_t npairs;                /* correlations per group */
    size_t nstat;                 /* statistics the model fits per group: p nx + npairs,
                                     and ntau1 more with thresholds_in */
    /* Thresholds held equal across groups (lavaan's group.equal =
     * "thresholds", the delta parameterization): the thresholds are among
     * the statistics (first in each group) and among the parameters, after
     * the model's qm: tau_equal ? ntau1 : G ntau1 thresholds, then with
     * tau_equal each later group's scale factors (G - 1) p; an item's
     * implied thresholds (tau - mu) delta, its correlations delta_j delta_l
     * Sigma_jl.  No covariates. */
    bool thresholds_in, tau_equal;
    /* The theta parameterization (lavaan's parameterization = "theta"):
     * the latent responses' residual variances are the model's (fixed at
     * 1), every group's thresholds are parameters (thresholds_in, not
     * equal) and the scale factors derived, delta_j = 1 / sqrt(Sigma_jj)
     * (given the covariates): an item's implied thresholds (tau - mu)
     * delta_j, slopes delta_j pi_j, correlations delta_j delta_l Sigma_jl. */
    bool theta_param;
    double *delta;                /* theta_param: G x p scale factors at the estimates */
    size_t qm, ntau1;             /* the model's parameters; thresholds per group */
    /* With tau_equal, the thresholds group.partial releases (their places
     * among a group's ntau1, ascending): each later group's own, after the
     * scale factors, group by group. */
    size_t *released, nreleased;
    /* The score tests' view of an extended model (modindices.c): where each
     * group's scale factors are among its parameters (G x p: lavaan's ~*~
     * freed in every group, the delta parameterization with the thresholds
     * saturated; SIZE_MAX where one is fixed at 1), or NULL. */
    size_t *scale_param;
    brisk_wlsmv_stats *groups;
    double *theta, *vcov;         /* estimates, robust covariance */
    double *implied;              /* per group, p x p implied correlations (given the
                                     covariates) */
    double fmin;                  /* lavaan's: chisq / 2N */
    int iterations;
    bool flat;                    /* converged to lavaan's gradient tolerance only */
    double chisq, df, chisq_scaled, scaling_factor, shift, trace_ug, trace_ug2;
    double baseline_chisq, baseline_df, baseline_chisq_scaled, baseline_scaling_factor,
        baseline_shift;
    /* lavaan's robust indices for ordered data ("catML", Savalei 2021):
     * the ML discrepancies of the polychorics from the implied
     * correlations at the DWLS estimates and of the independence model,
     * with their scaling constants; catml false where lavaan reports none
     * (a polychoric matrix not positive definite) */
    bool catml;
    double catml_chisq, catml_c, catml_baseline, catml_baseline_c;
} brisk_wlsmv;

/* Every group's statistics (wlsmv_stats.c) into w, whose n is 0 and p,
 * nx, yv, xv, ngroups set: each group's complete rows are mom[g].data. */
brisk_status brisk_wlsmv_statistics(const brisk_model *m, const brisk_moments *mom,
                                    brisk_wlsmv *w, brisk_error *err);

/* Fit model m (built with ordered = true) to the complete rows of each
 * group's moments (mom[g].data, n x p: the model's observed variables in
 * order, answers as numbers; m->ngroups entries).  The categories of an
 * item are its distinct answers over all groups; every group must use
 * every category.  Fixed covariates are conditioned on. */
brisk_status brisk_wlsmv_fit(const brisk_model *m, const brisk_moments *mom, brisk_wlsmv *out,
                             brisk_error *err);
void brisk_wlsmv_free(brisk_wlsmv *w);

/* brisk_fit_text's WLSMV: the fit of model m (ordered) to the complete
 * rows of mom (one per group), as a brisk_fit with lavaan's WLSMV measures
 * and the thresholds. */
brisk_status brisk_fit_wlsmv(const brisk_model *m, const brisk_moments *mom, brisk_fit **out,
                             brisk_error *err);

/* lavTestLRT's scaled-shifted difference test (lavaan's satorra.2000) of
 * model m0 (fit fit0) nested in m1 (fit1), both WLSMV fits of the same
 * items to the complete rows of mom: chisq_diff and df_diff are the
 * difference of their (unscaled) chi-squares and of their df; *stat the
 * statistic referred to chi-square on df_diff. */
brisk_status brisk_wlsmv_difference(const brisk_model *m1, const brisk_fit *fit1,
                                    const brisk_model *m0, const brisk_fit *fit0,
                                    const brisk_moments *mom, double chisq_diff, double df_diff,
                                    double *stat, brisk_error *err);

/* The parts of lavaan's modification indices for a WLSMV fit (its DWLS
 * score tests): model ext is model m (fitted: fit) with candidate
 * parameters added after m's free parameters; theta holds ext's free
 * parameters (m's estimates, the candidates' values).  m's estimates are
 * first polished to the optimum (theta's first m->nfree then those); at
 * them, the candidates' values and the fit's thresholds and scale factors,
 * *score (lavaan's gradient, -sum_g (N_g - 1) / N J_g' W_g r_g) and *info
 * (the expected information sum_g N_g / N J_g' W_g J_g, W_g =
 * diag(Gamma_g)^-1), in the order m's parameters, the *nextra thresholds
 * and scale factors among the parameters (with thresholds equal across
 * groups or the theta parameterization), the candidates.  The caller
 * frees both. */
brisk_status brisk_wlsmv_score_parts(const brisk_model *m, const brisk_model *ext,
                                     const brisk_fit *fit, const brisk_moments *mom,
                                     double *theta, double **score, double **info,
                                     size_t *nextra, brisk_error *err);

/* A WLSMV fit's moments as lavaan's lavResiduals sees them, one group:
 * the sample's and the implied thresholds (item by item; the places of
 * their items among the model's observed variables), p x p correlations
 * (a continuous item's covariances, and its variance on the diagonal;
 * an ordered item's diagonal 1) and p means (a continuous item's, 0 for
 * an ordered one), and with ordered items only the residuals' ACOV over
 * the thresholds then the correlations (1,2), (1,3), ... (lavaan's
 * z.type = "standardized"); acov NULL otherwise. */
typedef struct brisk_wlsmv_group_moments {
    size_t p, ntau;
    double *tau, *tau_implied;
    size_t *tau_item;
    double *cov, *cov_implied, *mean, *mean_implied;
    double *acov;
} brisk_wlsmv_group_moments;

/* The moments of model m's WLSMV fit to the complete rows of mom (one
 * per group) into *out (m's groups of them); BRISK_ERR_ARGUMENT with
 * covariates. */
brisk_status brisk_wlsmv_residual_moments(const brisk_model *m, const brisk_fit *fit,
                                          const brisk_moments *mom,
                                          brisk_wlsmv_group_moments **out, brisk_error *err);
void brisk_wlsmv_residual_moments_free(brisk_wlsmv_group_moments *r, size_t ngroups);

#endif
