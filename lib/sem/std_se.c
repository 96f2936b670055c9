/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Delta-method standard errors of the standardized solution, as lavaan's
 * standardizedSolution(): the Jacobian of std.lv and std.all in the free
 * parameters, sandwiched with the fit's covariance matrix of the
 * estimates (standard, robust, clustered or WLSMV's: whichever the fit
 * has). */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* lavaan sets a standard error below .Machine$double.eps^(1/4) to 0 (a
 * standardized value that does not move, as an exogenous factor's unit
 * variance), and reports no z nor p for it. */
#define ZERO_SE 1.220703125e-4

/* The rows' standard errors from J (nparams x q) and the vcov (q x q). */
static void sandwich(const double *J, const double *vcov, size_t n, size_t q, double *se)
{
    for (size_t r = 0; r < n; r++) {
        const double *j = J + r * q;
        double var = 0;
        for (size_t a = 0; a < q; a++) {
            if (j[a] == 0)
                continue;
            for (size_t b = 0; b < q; b++)
                var += j[a] * vcov[a * q + b] * j[b];
        }
        se[r] = var < 0 || isnan(var) ? NAN : sqrt(var) < ZERO_SE ? 0 : sqrt(var);
    }
}

/* Central differences of the standardized values: they are smooth
 * rational functions of theta, so a step of 1e-6 leaves errors near
 * 1e-10, far below lavaan's complex-step agreement of 1e-4.  False when a
 * step leaves the region where the model implies a covariance matrix. */
static bool jacobians(const brisk_model *m, sem_fitter *f, const double *theta,
                      brisk_sem_prepare_fn prepare, const void *ctx, double *J_lv,
                      double *J_all, double *work, brisk_error *err)
{
    size_t n = m->nparams, q = m->nfree;
    double *th = work, *lv_up = th + q, *all_up = lv_up + n, *lv_down = all_up + n,
           *all_down = lv_down + n;
    memcpy(th, theta, q * sizeof *th);
    for (size_t k = 0; k < q; k++) {
        double h = 1e-6 * fmax(1.0, fabs(theta[k]));
        th[k] = theta[k] + h;
        bool ok = (!prepare || prepare(f, th, ctx)) &&
                  brisk_sem_std_values(m, f, th, lv_up, all_up, err);
        th[k] = theta[k] - h;
        ok = ok && (!prepare || prepare(f, th, ctx)) &&
             brisk_sem_std_values(m, f, th, lv_down, all_down, err);
        th[k] = theta[k];
        if (!ok)
            return false;
        for (size_t r = 0; r < n; r++) {
            J_lv[r * q + k] = (lv_up[r] - lv_down[r]) / (2 * h);
            J_all[r * q + k] = (all_up[r] - all_down[r]) / (2 * h);
        }
    }
    return true;
}

brisk_status brisk_sem_std_se(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                              brisk_sem_prepare_fn prepare, const void *ctx, brisk_error *err)
{
    size_t n = m->nparams, q = m->nfree;
    double *J_lv = calloc(n * q + 1, sizeof *J_lv), *J_all = calloc(n * q + 1, sizeof *J_all);
    double *work = malloc((q + 4 * n + 1) * sizeof *work);
    double *se_lv = malloc((n + 1) * sizeof *se_lv), *se_all = malloc((n + 1) * sizeof *se_all);
    brisk_status st = BRISK_OK;
    if (!J_lv || !J_all || !work || !se_lv || !se_all) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    } else {
        brisk_error_clear(err);
        if (jacobians(m, f, fit->theta, prepare, ctx, J_lv, J_all, work, err)) {
            sandwich(J_lv, fit->vcov, n, q, se_lv);
            sandwich(J_all, fit->vcov, n, q, se_all);
            for (size_t r = 0; r < n; r++) {
                fit->rows[r].std_lv_se = se_lv[r];
                fit->rows[r].std_all_se = se_all[r];
            }
        } else if (err && err->status != BRISK_OK) {
            st = err->status;   /* out of memory, or a := expression failed */
        }   /* else: a step left the admissible region; the SEs stay NaN */
    }
    double value;   /* back at the estimates */
    if (st == BRISK_OK && !((!prepare || prepare(f, fit->theta, ctx)) &&
                            brisk_sem_fitter_objective_full(f, fit->theta, &value)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    free(J_lv);
    free(J_all);
    free(work);
    free(se_lv);
    free(se_all);
    return st;
}
