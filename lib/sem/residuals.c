/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Residuals of a fitted model, as lavaan's lavResiduals() and
 * residuals(fit, type = ...): raw, standardized, and the correlation
 * residuals of Bentler and of Bollen, with lavaan's summaries (SRMR,
 * CRMR, their standard errors and tests).  Every formula follows lavaan
 * 0.6's lav_residuals.R; the comments name its pieces. */
#include <config.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_ml.h"

#define DBL_EPS 2.220446049250313e-16

/* Moments in lavaan's order: the p means (with a mean structure), then
 * vech of the covariances, column by column of the lower triangle. */
typedef struct layout {
    size_t p, off, d;   /* variables, the means' count (0 or p), all moments */
    size_t *row, *col;  /* moment k >= off is covariance (row, col), row >= col */
} layout;

static bool layout_init(layout *l, size_t p, bool means)
{
    l->p = p;
    l->off = means ? p : 0;
    l->d = l->off + p * (p + 1) / 2;
    l->row = malloc((l->d + 1) * sizeof *l->row);
    l->col = malloc((l->d + 1) * sizeof *l->col);
    if (!l->row || !l->col)
        return false;
    size_t k = l->off;
    for (size_t j = 0; j < p; j++)
        for (size_t i = j; i < p; i++) {
            l->row[k] = i;
            l->col[k++] = j;
        }
    return true;
}

static void layout_free(layout *l)
{
    free(l->row);
    free(l->col);
}

/* C = A B (n x n), through GSL. */
static void product(const double *A, const double *B, double *C, size_t n, bool transpose_b)
{
    gsl_matrix_const_view a = gsl_matrix_const_view_array(A, n, n);
    gsl_matrix_const_view b = gsl_matrix_const_view_array(B, n, n);
    gsl_matrix_view c = gsl_matrix_view_array(C, n, n);
    gsl_blas_dgemm(CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, 1.0, &a.matrix,
                   &b.matrix, 0.0, &c.matrix);
}

/* The saturated model's normal-theory ACOV of the sample moments (times
 * N: S for the means, s_ik s_jl + s_il s_jk for the covariances) at the
 * sample moments (lavaan's h1.acov = "unstructured"), and its expected
 * information A1 (W for the means, 1/2 D'(W x W)D) at the implied ones, W
 * the implied Sigma's inverse (lavaan's default h1.information =
 * "structured"). */
static void h1_matrices(const layout *l, const double *S, const double *Sinv, double *gamma,
                        double *A1)
{
    size_t p = l->p, d = l->d;
    memset(gamma, 0, d * d * sizeof *gamma);
    memset(A1, 0, d * d * sizeof *A1);
    for (size_t a = 0; a < l->off; a++)
        for (size_t b = 0; b < l->off; b++) {
            gamma[a * d + b] = S[a * p + b];
            A1[a * d + b] = Sinv[a * p + b];
        }
    for (size_t a = l->off; a < d; a++)
        for (size_t b = l->off; b < d; b++) {
            size_t i = l->row[a], j = l->col[a], k = l->row[b], m = l->col[b];
            gamma[a * d + b] = S[i * p + k] * S[j * p + m] + S[i * p + m] * S[j * p + k];
            double c = Sinv[i * p + k] * Sinv[j * p + m] + Sinv[i * p + m] * Sinv[j * p + k];
            A1[a * d + b] = c * (i == j ? 1 : 2) * (k == m ? 1 : 2) / 4;
        }
}

/* The ACOV of the raw residuals (lav_residuals_acov, z.type =
 * "standardized"): Q Gamma Q' / N_g with Q = I - w_g Delta (N vcov)
 * Delta' A1. */
static bool residual_acov(const layout *l, const sem_work *w, const brisk_fit *fit, double N,
                          double weight, const double *S, double *acov)
{
    size_t p = l->p, d = l->d, q = w->q;
    double *Sinv = malloc(p * p * sizeof *Sinv), *gamma = malloc(d * d * sizeof *gamma),
           *A1 = malloc(d * d * sizeof *A1), *Q = malloc(d * d * sizeof *Q),
           *delta = malloc((d * q + 1) * sizeof *delta), *dv = malloc((d * q + 1) * sizeof *dv),
           *tmp = malloc(d * d * sizeof *tmp);
    bool ok = Sinv && gamma && A1 && Q && delta && dv && tmp;
    if (ok) {
        memcpy(Sinv, w->Sigma, p * p * sizeof *Sinv);
        gsl_matrix_view v = gsl_matrix_view_array(Sinv, p, p);
        ok = gsl_linalg_cholesky_decomp1(&v.matrix) == GSL_SUCCESS &&
             gsl_linalg_cholesky_invert(&v.matrix) == GSL_SUCCESS;
    }
    if (ok) {
        h1_matrices(l, S, Sinv, gamma, A1);
        for (size_t a = 0; a < d; a++)   /* Delta: d moments x q parameters */
            for (size_t k = 0; k < q; k++)
                delta[a * q + k] = a < l->off ? w->dmu[k * p + a]
                                   : w->dSigma[k * p * p + l->row[a] * p + l->col[a]];
        for (size_t a = 0; a < d; a++)   /* dv = Delta (N vcov) */
            for (size_t k = 0; k < q; k++) {
                double s = 0;
                for (size_t m = 0; m < q; m++)
                    s += delta[a * q + m] * fit->vcov[m * q + k];
                dv[a * q + k] = s * N;
            }
        for (size_t a = 0; a < d; a++)   /* tmp = w dv Delta' */
            for (size_t b = 0; b < d; b++) {
                double s = 0;
                for (size_t k = 0; k < q; k++)
                    s += dv[a * q + k] * delta[b * q + k];
                tmp[a * d + b] = weight * s;
            }
        product(tmp, A1, Q, d, false);   /* Q = I - tmp A1 */
        for (size_t a = 0; a < d * d; a++)
            Q[a] = (a % (d + 1) == 0 ? 1 : 0) - Q[a];
        product(Q, gamma, tmp, d, false);
        product(tmp, Q, acov, d, true);
        for (size_t a = 0; a < d * d; a++)
            acov[a] /= w->mom->n;
    }
    free(Sinv);
    free(gamma);
    free(A1);
    free(Q);
    free(delta);
    free(dv);
    free(tmp);
    return ok;
}

/* T' acov T for a Jacobian T (d x d) of a change of residuals: lavaan's
 * GG (Bentler: a diagonal scaling) and FF (Bollen: cov2cor's derivative
 * at the sample covariances, lav_deriv_cov2corB). */
static void transform(const double *T, const double *acov, double *out, double *tmp, size_t d)
{
    product(T, acov, tmp, d, false);
    product(tmp, T, out, d, true);
}

static void bentler_jacobian(const layout *l, const double *S, double *T)
{
    size_t p = l->p, d = l->d;
    memset(T, 0, d * d * sizeof *T);
    for (size_t a = 0; a < l->off; a++)
        T[a * d + a] = 1 / sqrt(S[a * p + a]);
    for (size_t a = l->off; a < d; a++)
        T[a * d + a] = 1 / sqrt(S[l->row[a] * p + l->row[a]] * S[l->col[a] * p + l->col[a]]);
}

static void bollen_jacobian(const layout *l, const double *S, double *T)
{
    size_t p = l->p, d = l->d;
    bentler_jacobian(l, S, T);
    for (size_t a = l->off; a < d; a++) {
        size_t i = l->row[a], j = l->col[a];
        if (i == j) {   /* a correlation of 1 does not move */
            T[a * d + a] = 0;
            continue;
        }
        double r = S[i * p + j] / sqrt(S[i * p + i] * S[j * p + j]);
        for (size_t b = l->off; b < d; b++)
            if (l->row[b] == l->col[b] && (l->row[b] == i || l->row[b] == j))
                T[a * d + b] = -0.5 * r / S[l->row[b] * p + l->row[b]];
    }
}

/* lav_residuals_rescale: x scaled by 1 / sqrt(v_i v_j), except where |x|
 * is below 1e-5. */
static double rescale(double x, double vi, double vj)
{
    return fabs(x) < 1e-5 || !(vi >= DBL_EPS) || !(vj >= DBL_EPS) ? x : x / sqrt(vi * vj);
}

/* A residual over its SE, as lavaan: over 1 where |x| is below small. */
static double zstat(double x, double se, double small)
{
    return fabs(x) < small ? x : x / se;
}

/* lav_residuals_summary_rms over the moments in idx (n of them), pstar
 * counting as lavaan does. */
static void summary_rms(const double *stats, const double *acov, size_t d, const size_t *idx,
                        size_t n, double pstar, bool have_se, brisk_rms_summary *out)
{
    double T = 0;
    for (size_t a = 0; a < n; a++)
        T += stats[idx[a]] * stats[idx[a]];
    *out = (brisk_rms_summary){.rms = n ? sqrt(T / pstar) : 0, .se = NAN, .exact_z = NAN,
                               .exact_p = NAN, .urms = NAN, .urms_se = NAN,
                               .urms_ci_lower = NAN, .urms_ci_upper = NAN, .close_z = NAN,
                               .close_p = NAN};
    if (!have_se || !n)
        return;
    double tr1 = 0, tr2 = 0, eve = 0;
    for (size_t a = 0; a < n; a++) {
        tr1 += acov[idx[a] * d + idx[a]];
        for (size_t b = 0; b < n; b++) {
            double v = acov[idx[a] * d + idx[b]];
            tr2 += v * v;   /* tr(ACOV ACOV) of a symmetric ACOV */
            eve += stats[idx[a]] * v * stats[idx[b]];
        }
    }
    double avar = tr2 / (tr1 * 2 * pstar);
    out->se = isfinite(avar) && avar >= DBL_EPS ? sqrt(avar) : NAN;
    double expected = sqrt(tr1 / pstar) * (4 * tr1 * tr1 - tr2) / (4 * tr1 * tr1);
    out->exact_z = fmax(out->rms - expected, 0) / out->se;
    out->exact_p = gsl_cdf_ugaussian_Q(out->exact_z);
    double k = 1 - (tr2 + 2 * eve) / (4 * T * T);
    out->urms = 1 / k * sqrt(fmax(T - tr1, 0) / pstar);
    double uavar = 1 / (k * k) * (tr2 + 2 * eve) / (2 * pstar * T);
    out->urms_se = isfinite(uavar) && uavar >= DBL_EPS ? sqrt(uavar) : NAN;
    double z90 = 1.6448536269514722;
    out->urms_ci_lower = out->urms - z90 * out->urms_se;
    out->urms_ci_upper = out->urms + z90 * out->urms_se;
    out->close_z = (out->urms - 0.05) / out->urms_se;
    out->close_p = gsl_cdf_ugaussian_Q(out->close_z);
}

/* The three summaries (covariances, means, total) of one kind of residuals
 * (vector res over the moments, its ACOV), lav_residuals_summary's. */
static void summaries(const layout *l, const double *res, const double *acov, bool have_se,
                      bool bollen, size_t *idx, brisk_rms_summary out[3])
{
    size_t p = l->p, d = l->d, n = 0;
    double drop = bollen ? (double)p : 0;   /* CRMR leaves the diagonal out of pstar */
    for (size_t a = l->off; a < d; a++)
        idx[n++] = a;
    summary_rms(res, acov, d, idx, n, (double)n - drop, have_se, &out[0]);
    n = 0;
    for (size_t a = 0; a < l->off; a++)
        idx[n++] = a;
    if (l->off)
        summary_rms(res, acov, d, idx, n, (double)n, have_se, &out[1]);
    else
        out[1] = (brisk_rms_summary){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    for (size_t a = 0; a < d; a++)
        idx[a] = a;
    if (l->off)
        summary_rms(res, acov, d, idx, d, (double)d - drop, have_se, &out[2]);
    else
        out[2] = out[0];
}

static bool group_alloc(brisk_group_residuals *g, size_t p, bool means)
{
    g->p = p;
    g->means = means;
    double **cov[] = {&g->raw, &g->raw_se, &g->raw_z, &g->bentler, &g->bentler_z, &g->bollen,
                      &g->bollen_z};
    double **mean[] = {&g->mean_raw, &g->mean_raw_se, &g->mean_raw_z, &g->mean_bentler,
                       &g->mean_bentler_z, &g->mean_bollen, &g->mean_bollen_z};
    bool ok = true;
    for (size_t k = 0; k < 7; k++) {
        ok = ok && (*cov[k] = calloc(p * p + 1, sizeof **cov[k])) != NULL;
        if (means)
            ok = ok && (*mean[k] = calloc(p + 1, sizeof **mean[k])) != NULL;
    }
    return ok;
}

static void group_free(brisk_group_residuals *g)
{
    double *all[] = {g->raw, g->raw_se, g->raw_z, g->bentler, g->bentler_z, g->bollen,
                     g->bollen_z, g->mean_raw, g->mean_raw_se, g->mean_raw_z, g->mean_bentler,
                     g->mean_bentler_z, g->mean_bollen, g->mean_bollen_z};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        free(all[k]);
}

/* Whether lavaan's standardized residuals apply as brisk computes them:
 * plain ML (expected information) on complete data, no fixed covariates,
 * no weights nor clusters. */
static bool se_applies(const brisk_fitted *fd)
{
    const brisk_moments *mom = &fd->moments[0];
    return fd->fit->vcov_valid && !fd->fit->fit.robust && !mom->npatterns && !mom->weight &&
           !mom->cluster && brisk_model_nexogenous(fd->model) == 0;
}

/* One group's residuals: the fitter is at the estimates with its
 * derivatives. */
static bool group_residuals(const brisk_fitted *fd, const sem_work *w, double weight,
                            double N, brisk_group_residuals *g)
{
    const brisk_moments *mom = w->mom;
    size_t p = w->p;
    layout l;
    bool means = fd->model->meanstructure;
    if (!layout_init(&l, p, means) || !group_alloc(g, p, means)) {
        layout_free(&l);
        return false;
    }
    size_t d = l.d;
    const double *S = mom->cov, *Sigma = w->Sigma;
    double *acov = calloc(d * d, sizeof *acov), *T = malloc(d * d * sizeof *T),
           *acov_t = malloc(d * d * sizeof *acov_t), *tmp = malloc(d * d * sizeof *tmp),
           *res = malloc(d * sizeof *res), *se = malloc(d * sizeof *se);
    size_t *idx = malloc(d * sizeof *idx);
    bool ok = acov && T && acov_t && tmp && res && se && idx;
    g->have_se = ok && se_applies(fd) && residual_acov(&l, w, fd->fit, N, weight, S, acov);
    for (size_t kind = 0; ok && kind < 3; kind++) {   /* raw, Bentler, Bollen */
        if (kind == 1)
            bentler_jacobian(&l, S, T);
        else if (kind == 2)
            bollen_jacobian(&l, S, T);
        if (kind)
            transform(T, acov, acov_t, tmp, d);
        else
            memcpy(acov_t, acov, d * d * sizeof *acov);
        for (size_t a = 0; a < d; a++) {
            size_t i = a < l.off ? a : l.row[a], j = a < l.off ? a : l.col[a];
            double obs = a < l.off ? mom->mean[i] : S[i * p + j];
            double est = a < l.off ? w->mu[i] : Sigma[i * p + j];
            double vi = S[i * p + i], vj = S[j * p + j];
            if (kind && a < l.off) {   /* means over the sample SDs */
                obs = rescale(obs, vi, vi);
                est = rescale(est, vi, vi);
            } else if (kind) {
                obs = rescale(obs, vi, vj);
                est = kind == 1 ? rescale(est, vi, vj)
                                : rescale(est, Sigma[i * p + i], Sigma[j * p + j]);
            }
            res[a] = obs - est;
            double v = acov_t[a * d + a];
            se[a] = g->have_se && isfinite(v) && v >= 0 ? sqrt(v) : NAN;
            double z = g->have_se ? zstat(res[a], se[a], kind ? 1e-4 : 1e-5) : NAN;
            double *r[3][2] = {{g->raw, g->mean_raw}, {g->bentler, g->mean_bentler},
                               {g->bollen, g->mean_bollen}};
            double *zs[3][2] = {{g->raw_z, g->mean_raw_z}, {g->bentler_z, g->mean_bentler_z},
                                {g->bollen_z, g->mean_bollen_z}};
            if (a < l.off) {
                r[kind][1][i] = res[a];
                zs[kind][1][i] = z;
                if (!kind)
                    g->mean_raw_se[i] = se[a];
            } else {
                r[kind][0][i * p + j] = r[kind][0][j * p + i] = res[a];
                zs[kind][0][i * p + j] = zs[kind][0][j * p + i] = z;
                if (!kind)
                    g->raw_se[i * p + j] = g->raw_se[j * p + i] = se[a];
            }
        }
        if (kind)
            summaries(&l, res, acov_t, g->have_se, kind == 2, idx, g->summary[kind - 1]);
    }
    free(acov);
    free(T);
    free(acov_t);
    free(tmp);
    free(res);
    free(se);
    free(idx);
    layout_free(&l);
    return ok;
}

brisk_status brisk_fitted_residuals(const brisk_fitted *fd, brisk_residuals *out,
                                    brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!fd->fit)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "no fit to compute residuals of");
    if (fd->fit->nthresholds || fd->model->ordered)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "residuals of a WLSMV fit (ordered "
                               "items) are not computed by brisk yet");
    if (brisk_estimator_least_squares(fd->fit->fit.estimator))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "residuals of a least-squares fit "
                               "(--estimator %s) are not computed by brisk yet (their SEs "
                               "are ML's)", brisk_estimator_key(fd->fit->fit.estimator));
    sem_fitter *f = brisk_sem_fitter_new(fd->model, fd->moments);
    double value;
    if (f && !brisk_sem_fitter_objective_full(f, fd->fit->theta, &value)) {
        brisk_sem_fitter_free(f);
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no covariance matrix: "
                               "no residuals");
    }
    bool ok = f && brisk_sem_fitter_derivatives(f);
    out->groups = ok ? calloc(f->ngroups, sizeof *out->groups) : NULL;
    ok = ok && out->groups;
    if (ok)
        out->ngroups = f->ngroups;
    for (size_t g = 0; ok && g < f->ngroups; g++)
        ok = group_residuals(fd, f->works[g], f->weight[g], (double)f->ntotal, &out->groups[g]);
    brisk_sem_fitter_free(f);
    if (!ok) {
        brisk_residuals_free(out);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    return BRISK_OK;
}

void brisk_residuals_free(brisk_residuals *r)
{
    for (size_t g = 0; r->groups && g < r->ngroups; g++)
        group_free(&r->groups[g]);
    free(r->groups);
    memset(r, 0, sizeof *r);
}
