/* WLSMV for ordered items (internal; see wlsmv.c). */
#ifndef BRISK_SEM_WLS_H
#define BRISK_SEM_WLS_H

#include "sem_ml.h"

typedef struct brisk_wlsmv {
    size_t n, p, q;               /* respondents, items, free parameters */
    size_t *ncat;                 /* categories per item */
    size_t ntau, npairs;
    double *tau, *tau_se;         /* thresholds item by item, and their SEs */
    double *rho;                  /* p x p polychoric correlations */
    double *gamma;                /* npairs^2: N x their asymptotic covariance */
    double *theta, *vcov;         /* estimates, robust covariance */
    double *implied;              /* p x p implied correlations */
    double fmin;                  /* sum w (r - sigma)^2 at the estimates */
    int iterations;
    double chisq, df, chisq_scaled, scaling_factor, shift, trace_ug, trace_ug2;
    double baseline_chisq, baseline_df, baseline_chisq_scaled, baseline_scaling_factor,
        baseline_shift;
} brisk_wlsmv;

/* Fit model m (built with ordered = true) to the n complete rows x (n x p,
 * the model's observed variables in order, answers as numbers). */
brisk_status brisk_wlsmv_fit(const brisk_model *m, const double *x, size_t n, brisk_wlsmv *out,
                             brisk_error *err);
void brisk_wlsmv_free(brisk_wlsmv *w);

/* brisk_fit_text's WLSMV: the fit of model m (ordered) to the complete
 * rows of mom (mom->data), as a brisk_fit with lavaan's WLSMV measures and
 * the thresholds. */
brisk_status brisk_fit_wlsmv(const brisk_model *m, const brisk_moments *mom, brisk_fit **out,
                             brisk_error *err);

#endif
