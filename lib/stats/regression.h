/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression engines (internal): OLS, binary logit and
 * proportional-odds ordered logit/probit fitted to a design. */
#ifndef BRISK_STATS_REGRESSION_H
#define BRISK_STATS_REGRESSION_H

#include "design.h"

typedef struct regress_result {
    size_t p;             /* parameters: thresholds, then coefficients */
    size_t nth;           /* thresholds (ordinal) */
    double *est, *vcov;   /* p, p x p */
    double loglik, loglik0;
    double rss, tss, df_resid;
    int iterations;
} regress_result;

/* Fit the family of opt to the design d (its checks first: an intercept
 * where the family needs one, more cases than parameters, predictors that
 * vary and are not collinear; separation after a logit or ordinal fit).
 * f is set even on failure; free it with brisk_regress_result_free.
 * df_resid is the residual df of the family's tests. */
brisk_status brisk_regress_fit(const design *d, const brisk_regress_options *opt,
                               regress_result *f, brisk_error *err);
void brisk_regress_result_free(regress_result *f);

#endif
