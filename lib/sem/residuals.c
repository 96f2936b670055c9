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
#include "core/dense.h"
#include "sem_fit.h"
#include "sem_ml.h"
#include "sem_wls.h"

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
 * sample moments (lavaan's h1.acov = "unstructured" with se = "standard"). */
static void normal_gamma(const layout *l, const double *S, double *gamma)
{
    size_t p = l->p, d = l->d;
    memset(gamma, 0, d * d * sizeof *gamma);
    for (size_t a = 0; a < l->off; a++)
        for (size_t b = 0; b < l->off; b++)
            gamma[a * d + b] = S[a * p + b];
    for (size_t a = l->off; a < d; a++)
        for (size_t b = l->off; b < d; b++) {
            size_t i = l->row[a], j = l->col[a], k = l->row[b], m = l->col[b];
            gamma[a * d + b] = S[i * p + k] * S[j * p + m] + S[i * p + m] * S[j * p + k];
        }
}

/* The saturated model's information A1 at the implied moments (lavaan's
 * default h1.information = "structured"), W the implied Sigma's inverse:
 * W for the means and 1/2 D'(W x B)D for the covariances, with B = W for
 * the expected information (ML, MLM) or, for MLR's observed one
 * (lav_mvnorm_information_observed_samplestats), B = W (2 (S + e e') -
 * Sigma) W and D'(W e x W) between the covariances and the means, e =
 * xbar - mu.  False when out of memory. */
static bool h1_information(const layout *l, const sem_work *w, bool observed, double *A1)
{
    size_t p = l->p, d = l->d;
    const double *Si = w->Sinv, *S = w->mom->cov;
    double *B = malloc(p * p * sizeof *B), *T = malloc(p * p * sizeof *T),
           *e = calloc(p, sizeof *e), *v = calloc(p, sizeof *v);
    bool ok = B && T && e && v;
    for (size_t a = 0; ok && observed && a < l->off; a++)
        e[a] = w->mom->mean[a] - w->mu[a];
    for (size_t a = 0; ok && a < p; a++)
        for (size_t b = 0; b < p; b++) {
            v[a] += Si[a * p + b] * e[b];
            T[a * p + b] = 2 * (S[a * p + b] + e[a] * e[b]) - w->Sigma[a * p + b];
        }
    if (ok && observed) {
        brisk_dense_mul(Si, T, B, p);
        brisk_dense_mul(B, Si, T, p);
        memcpy(B, T, p * p * sizeof *B);
    } else if (ok) {
        memcpy(B, Si, p * p * sizeof *B);
    }
    if (ok)
        memset(A1, 0, d * d * sizeof *A1);
    for (size_t a = 0; ok && a < l->off; a++) {
        for (size_t b = 0; b < l->off; b++)
            A1[a * d + b] = Si[a * p + b];
        for (size_t b = l->off; b < d; b++) {
            size_t k = l->row[b], m = l->col[b];
            double c = (v[m] * Si[k * p + a] + v[k] * Si[m * p + a]) * (k == m ? 0.5 : 1);
            A1[a * d + b] = A1[b * d + a] = c;
        }
    }
    for (size_t a = l->off; ok && a < d; a++)
        for (size_t b = l->off; b < d; b++) {
            size_t i = l->row[a], j = l->col[a], k = l->row[b], m = l->col[b];
            double c = B[j * p + k] * Si[m * p + i] + B[j * p + m] * Si[k * p + i] +
                       B[i * p + k] * Si[m * p + j] + B[i * p + m] * Si[k * p + j];
            A1[a * d + b] = c / 2 * (i == j ? 0.5 : 1) * (k == m ? 0.5 : 1);
        }
    free(B);
    free(T);
    free(e);
    free(v);
    return ok;
}

/* Delta: the implied moments' derivatives, d moments x q parameters. */
static void delta_matrix(const layout *l, const sem_work *w, double *delta)
{
    size_t p = l->p, q = w->q;
    for (size_t a = 0; a < l->d; a++)
        for (size_t k = 0; k < q; k++)
            delta[a * q + k] = a < l->off ? w->dmu[k * p + a]
                                          : w->dSigma[k * p * p + l->row[a] * p + l->col[a]];
}

/* What the residuals' ACOV takes of each group: its moments' layout, A1
 * and Delta. */
typedef struct group_parts {
    layout l;
    double *A1, *delta;
} group_parts;

/* Index in brisk_fiml_h1's order (means, then sigma_ab for b <= a row by
 * row) of moment a of l (which has the means). */
static size_t fiml_index(const layout *l, size_t a)
{
    return a < l->off ? a : l->p + l->row[a] * (l->row[a] + 1) / 2 + l->col[a];
}

/* X (d x d) from brisk_fiml_h1's order into l's. */
static void from_fiml_order(const layout *l, const double *X, double *out)
{
    size_t d = l->d;
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            out[a * d + b] = X[fiml_index(l, a) * d + fiml_index(l, b)];
}

/* With missing values lavaan's A1 is the observed information of the
 * saturated full-information likelihood at the implied moments. */
static bool fiml_h1_information(const layout *l, const sem_work *w, double *A1)
{
    double *a1 = malloc(l->d * l->d * sizeof *a1);
    bool ok = a1 && brisk_fiml_information_at(w->mom, w->mu, w->Sigma, a1);
    if (ok)
        from_fiml_order(l, a1, A1);
    free(a1);
    return ok;
}

static bool parts_init(group_parts *gp, const sem_work *w, bool means, bool se, bool observed)
{
    *gp = (group_parts){0};
    if (!layout_init(&gp->l, w->p, means))
        return false;
    if (!se)
        return true;
    size_t d = gp->l.d;
    gp->A1 = malloc(d * d * sizeof *gp->A1);
    gp->delta = malloc((d * w->q + 1) * sizeof *gp->delta);
    if (!gp->A1 || !gp->delta ||
        !(w->mom->npatterns ? fiml_h1_information(&gp->l, w, gp->A1)
                            : h1_information(&gp->l, w, observed, gp->A1)))
        return false;
    delta_matrix(&gp->l, w, gp->delta);
    return true;
}

/* lav_model_h1_acov's Gamma (its ACOV times N_g) with missing values: the
 * saturated model's I1^-1 at the EM estimates (ML), or its sandwich
 * I1^-1 J1 I1^-1 (MLR). */
static bool fiml_gamma(const layout *l, const brisk_moments *mom, bool robust, double *gamma)
{
    size_t d = l->d;
    brisk_fiml_h1 h1;
    double *inv = malloc(d * d * sizeof *inv), *work = malloc(d * d * sizeof *work);
    bool ok = inv && work && brisk_fiml_h1_init(mom, &h1);
    if (!ok) {
        free(inv), free(work);
        return false;
    }
    ok = brisk_dense_spd_invert(h1.a1, inv, work, d, &(double){0});
    if (ok && robust) {
        brisk_dense_mul(inv, h1.b1, work, d);
        brisk_dense_mul(work, inv, h1.a1, d);
        memcpy(inv, h1.a1, d * d * sizeof *inv);
    }
    if (ok)
        from_fiml_order(l, inv, gamma);
    brisk_fiml_h1_free(&h1);
    free(inv), free(work);
    return ok;
}

/* Gamma of lav_model_h1_acov (its ACOV of the sample moments times N_g):
 * the normal-theory one for ML; for MLR and MLM (a robust se) the ADF one
 * of the rows (I1^-1 J1 I1^-1 of the saturated model at the sample
 * moments); with missing values FIML's. */
static bool sample_gamma(const layout *l, const sem_work *w, bool robust, double *gamma)
{
    if (w->mom->npatterns)
        return fiml_gamma(l, w->mom, robust, gamma);
    if (robust)
        return brisk_sem_adf_gamma(w->model, w->mom, gamma);
    normal_gamma(l, w->mom->cov, gamma);
    return true;
}

static void parts_free(group_parts *gp)
{
    layout_free(&gp->l);
    free(gp->A1);
    free(gp->delta);
}

/* lavaan's A0^-1 in lav_residuals_acov for a robust fit: the inverse of
 * the information sum_g N_g/N Delta_g' A1_g Delta_g (observed.information
 * "h1"), never the robust vcov; with == constraints through beta's, K (K'
 * A0 K)^-1 K'.  False when out of memory or A0 is singular. */
static bool information_inverse(const brisk_model *m, const sem_fitter *f,
                                const group_parts *parts, double *a0inv)
{
    size_t q = f->works[0]->q, r = m->K ? m->nreduced : q, dmax = 1;
    for (size_t g = 0; g < f->ngroups; g++)
        dmax = parts[g].l.d > dmax ? parts[g].l.d : dmax;
    double *a0 = calloc(q * q + 1, sizeof *a0), *ad = malloc((dmax * q + 1) * sizeof *ad),
           *dad = malloc((q * q + 1) * sizeof *dad), *inv = malloc((q * q + 1) * sizeof *inv),
           *work = malloc((q * q + 1) * sizeof *work);
    bool ok = a0 && ad && dad && inv && work;
    for (size_t g = 0; ok && g < f->ngroups; g++) {
        size_t d = parts[g].l.d;
        brisk_dense_mul_rect(parts[g].A1, parts[g].delta, ad, d, d, q);
        brisk_dense_mul_at(parts[g].delta, ad, dad, q, d, q);
        for (size_t k = 0; k < q * q; k++)
            a0[k] += f->weight[g] * dad[k];
    }
    ok = ok && (!m->K || brisk_sem_project(m, a0)) &&
         brisk_dense_spd_invert(a0, inv, work, r, &(double){0});
    if (ok && m->K) {   /* K inv K' */
        brisk_dense_mul_rect(m->K, inv, work, q, r, r);
        for (size_t k = 0; k < q; k++)
            for (size_t l = 0; l < q; l++) {
                double v = 0;
                for (size_t i = 0; i < r; i++)
                    v += work[k * r + i] * m->K[l * r + i];
                a0inv[k * q + l] = v;
            }
    } else if (ok) {
        memcpy(a0inv, inv, q * q * sizeof *a0inv);
    }
    free(a0), free(ad), free(dad), free(inv), free(work);
    return ok;
}

/* The ACOV of the raw residuals (lav_residuals_acov, z.type =
 * "standardized"): Q Gamma Q' / N_g with Q = I - w_g Delta A0^-1 Delta'
 * A1 (sample_gamma's Gamma). */
static bool residual_acov(const group_parts *gp, const sem_work *w, const double *a0inv,
                          double weight, bool robust, double *acov)
{
    const layout *l = &gp->l;
    size_t d = l->d, q = w->q;
    const double *delta = gp->delta;
    double *gamma = malloc(d * d * sizeof *gamma), *Q = malloc(d * d * sizeof *Q),
           *dv = malloc((d * q + 1) * sizeof *dv), *tmp = malloc(d * d * sizeof *tmp);
    bool ok = gamma && Q && dv && tmp;
    if (ok && (ok = sample_gamma(l, w, robust, gamma))) {
        brisk_dense_mul_rect(delta, a0inv, dv, d, q, q);   /* dv = Delta A0^-1 */
        for (size_t a = 0; a < d; a++)   /* tmp = w dv Delta' */
            for (size_t b = 0; b < d; b++) {
                double s = 0;
                for (size_t k = 0; k < q; k++)
                    s += dv[a * q + k] * delta[b * q + k];
                tmp[a * d + b] = weight * s;
            }
        product(tmp, gp->A1, Q, d, false);   /* Q = I - tmp A1 */
        for (size_t a = 0; a < d * d; a++)
            Q[a] = (a % (d + 1) == 0 ? 1 : 0) - Q[a];
        product(Q, gamma, tmp, d, false);
        product(tmp, Q, acov, d, true);
        for (size_t a = 0; a < d * d; a++)
            acov[a] /= w->mom->n;
    }
    free(gamma);
    free(Q);
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
    /* 0 where the residuals are within their expected size, whatever k
     * (NaN when every residual and its ACOV are 0: saturated thresholds) */
    out->urms = T - tr1 > 0 ? 1 / k * sqrt((T - tr1) / pstar) : 0;
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
                     g->mean_bentler_z, g->mean_bollen, g->mean_bollen_z, g->th, g->th_se,
                     g->th_z};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        free(all[k]);
    free(g->th_item);
    free(g->th_number);
}

/* Whether lavaan's standardized residuals apply as brisk computes them:
 * ML, MLR or MLM, complete data or full-information ML (with its mean
 * structure), no fixed covariates, no weights nor clusters. */
static bool se_applies(const brisk_fitted *fd)
{
    const brisk_moments *mom = &fd->moments[0];
    return fd->fit->vcov_valid && (!mom->npatterns || fd->model->meanstructure) &&
           !mom->weight && !mom->cluster && brisk_model_nexogenous(fd->model) == 0;
}

/* A robust se (fit.scaled: MLR's sandwich or MLM's; weights and clusters
 * are left out above), whose Gamma is the rows' rather than the normal
 * one. */
static bool robust_se(const brisk_fit *fit)
{
    return fit->fit.scaled;
}

/* lavaan's information = "observed" (MLR, and ML with missing values):
 * A1 the observed h1 information.  Then, and for MLM, A0 is not N vcov. */
static bool observed_information(const brisk_fitted *fd)
{
    return fd->moments[0].npatterns ||
           (robust_se(fd->fit) && fd->fit->fit.estimator != BRISK_ESTIMATOR_MLM);
}

/* One group's residuals: the fitter is at the estimates with its
 * derivatives; a0inv NULL without SEs. */
static bool group_residuals(const brisk_fitted *fd, const sem_work *w, double weight,
                            const group_parts *gp, const double *a0inv,
                            brisk_group_residuals *g)
{
    const brisk_moments *mom = w->mom;
    size_t p = w->p;
    const layout l = gp->l;
    bool means = fd->model->meanstructure;
    if (!group_alloc(g, p, means))
        return false;
    size_t d = l.d;
    const double *S = mom->cov, *Sigma = w->Sigma;
    double *acov = calloc(d * d, sizeof *acov), *T = malloc(d * d * sizeof *T),
           *acov_t = malloc(d * d * sizeof *acov_t), *tmp = malloc(d * d * sizeof *tmp),
           *res = malloc(d * sizeof *res), *se = malloc(d * sizeof *se);
    size_t *idx = malloc(d * sizeof *idx);
    bool ok = acov && T && acov_t && tmp && res && se && idx;
    g->have_se = ok && a0inv && residual_acov(gp, w, a0inv, weight, robust_se(fd->fit), acov);
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
            if (kind && a < l.off) {   /* means over the sample SDs (not variances) */
                obs = rescale(obs, vi, 1);
                est = rescale(est, vi, 1);
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
    return ok;
}

/* ---- WLSMV (lavaan's lavResiduals with ordered items) ---- */

/* Place of the correlation (j, l), j < l, among the p (p - 1) / 2 in the
 * order (1,2), (1,3), ..., (2,3), ... */
static size_t pair_index(size_t j, size_t l, size_t p)
{
    return j * p - j * (j + 1) / 2 + (l - j - 1);
}

static void no_summaries(brisk_group_residuals *g)
{
    for (size_t t = 0; t < 2; t++)
        for (size_t k = 0; k < 3; k++)
            g->summary[t][k] = (brisk_rms_summary){NAN, NAN, NAN, NAN, NAN,
                                                   NAN, NAN, NAN, NAN, NAN};
}

/* lav_residuals_summary's categorical summaries (cor, thresholds, total)
 * of the kinds' residuals: SRMR counts the p diagonal ones (0) in pstar,
 * CRMR does not.  stats and idx hold nth + npairs. */
static void categorical_summaries(brisk_group_residuals *g, const double *acov, double *stats,
                                  size_t *idx)
{
    size_t p = g->p, nt = g->nth, np = p * (p - 1) / 2, d = nt + np;
    for (size_t kind = 0; kind < 2; kind++) {   /* Bentler (SRMR), Bollen (CRMR) */
        const double *cov = kind ? g->bollen : g->bentler;
        for (size_t k = 0; k < nt; k++)
            stats[k] = g->th[k];
        for (size_t j = 0; j < p; j++)
            for (size_t l = j + 1; l < p; l++)
                stats[nt + pair_index(j, l, p)] = cov[l * p + j];
        double diag = kind ? 0 : (double)p;
        for (size_t a = 0; a < np; a++)
            idx[a] = nt + a;
        summary_rms(stats, acov, d, idx, np, (double)np + diag, true, &g->summary[kind][0]);
        for (size_t a = 0; a < nt; a++)
            idx[a] = a;
        summary_rms(stats, acov, d, idx, nt, (double)nt, true, &g->summary[kind][1]);
        /* lavaan's total lists the correlations first and the thresholds
         * after them, against its ACOV's thresholds-first order: what it
         * gives (the unbiased estimate's eVe pairs them so) */
        for (size_t j = 0, a = 0; j < p; j++)
            for (size_t l = j + 1; l < p; l++)
                stats[a++] = cov[l * p + j];
        for (size_t a = 0; a < d; a++) {
            idx[a] = a;
            if (a >= np)
                stats[a] = g->th[a - np];
        }
        summary_rms(stats, acov, d, idx, d, (double)d + diag, true, &g->summary[kind][2]);
    }
}

/* One group of a WLSMV fit: lavaan's residuals of the latent responses'
 * correlations (rescaled as the continuous case's where an item is
 * continuous), of the continuous items' means and of the thresholds; with
 * ordered items alone their SEs, z (every kind's the raw one: they are
 * correlations already) and summaries. */
static bool categorical_group(const brisk_wlsmv_group_moments *gm, bool mixed, bool se,
                              brisk_group_residuals *g)
{
    size_t p = gm->p, nt = gm->ntau, np = p * (p - 1) / 2;
    if (!group_alloc(g, p, mixed))
        return false;
    g->ordered = true;
    g->nth = nt;
    g->have_se = se && gm->acov;
    g->th = malloc((nt + 1) * sizeof *g->th);
    g->th_se = malloc((nt + 1) * sizeof *g->th_se);
    g->th_z = malloc((nt + 1) * sizeof *g->th_z);
    g->th_item = malloc((nt + 1) * sizeof *g->th_item);
    g->th_number = malloc((nt + 1) * sizeof *g->th_number);
    double *stats = malloc((nt + np + 1) * sizeof *stats);
    size_t *idx = malloc((nt + np + 1) * sizeof *idx);
    if (!g->th || !g->th_se || !g->th_z || !g->th_item || !g->th_number || !stats || !idx) {
        free(stats);
        free(idx);
        return false;
    }
    size_t d = nt + np;
    const double *S = gm->cov, *Sigma = gm->cov_implied;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j <= i; j++) {
            double vi = S[i * p + i], vj = S[j * p + j], raw = S[i * p + j] - Sigma[i * p + j];
            double bentler = rescale(S[i * p + j], vi, vj) - rescale(Sigma[i * p + j], vi, vj);
            double bollen = rescale(S[i * p + j], vi, vj) -
                            rescale(Sigma[i * p + j], Sigma[i * p + i], Sigma[j * p + j]);
            double se_ij = NAN;
            if (g->have_se && i != j) {
                double v = gm->acov[(nt + pair_index(j, i, p)) * (d + 1)];
                se_ij = isfinite(v) && v >= 0 ? sqrt(v) : NAN;
            } else if (g->have_se) {
                se_ij = 0;   /* a correlation of 1 */
            }
            double out[7] = {raw, se_ij, g->have_se ? zstat(raw, se_ij, 1e-5) : NAN, bentler,
                             g->have_se ? zstat(bentler, se_ij, 1e-4) : NAN, bollen,
                             g->have_se ? zstat(bollen, se_ij, 1e-4) : NAN};
            double *dest[7] = {g->raw, g->raw_se, g->raw_z, g->bentler, g->bentler_z, g->bollen,
                               g->bollen_z};
            for (size_t k = 0; k < 7; k++)
                dest[k][i * p + j] = dest[k][j * p + i] = out[k];
        }
    for (size_t i = 0; mixed && i < p; i++) {   /* over the sample SDs in both kinds */
        double vi = S[i * p + i], obs = gm->mean[i], est = gm->mean_implied[i];
        g->mean_raw[i] = obs - est;
        g->mean_bentler[i] = g->mean_bollen[i] = rescale(obs, vi, 1) - rescale(est, vi, 1);
        g->mean_raw_se[i] = g->mean_raw_z[i] = g->mean_bentler_z[i] = g->mean_bollen_z[i] = NAN;
    }
    for (size_t k = 0, number = 0; k < nt; k++) {
        number = k && gm->tau_item[k] == gm->tau_item[k - 1] ? number + 1 : 1;
        g->th_item[k] = gm->tau_item[k];
        g->th_number[k] = number;
        g->th[k] = gm->tau[k] - gm->tau_implied[k];
        double v = g->have_se ? gm->acov[k * (d + 1)] : NAN;
        g->th_se[k] = isfinite(v) && v >= 0 ? sqrt(v) : NAN;
        g->th_z[k] = g->have_se ? zstat(g->th[k], g->th_se[k], 1e-4) : NAN;
    }
    if (g->have_se)
        categorical_summaries(g, gm->acov, stats, idx);
    else
        no_summaries(g);
    free(stats);
    free(idx);
    return true;
}

static brisk_status wlsmv_residuals(const brisk_fitted *fd, brisk_residuals *out,
                                    brisk_error *err)
{
    const brisk_model *m = fd->model;
    size_t G = m->ngroups ? m->ngroups : 1;
    bool mixed = false;
    for (size_t i = 0; m->continuous && i < m->p; i++)
        mixed = mixed || m->continuous[i];
    const brisk_moments *mom = &fd->moments[0];
    bool se = !mom->weight && !mom->cluster;
    brisk_wlsmv_group_moments *gm;
    brisk_status st = brisk_wlsmv_residual_moments(m, fd->fit, fd->moments, &gm, err);
    if (st != BRISK_OK)
        return st;
    out->groups = calloc(G, sizeof *out->groups);
    bool ok = out->groups != NULL;
    if (ok)
        out->ngroups = G;
    for (size_t g = 0; ok && g < G; g++)
        ok = categorical_group(&gm[g], mixed, se, &out->groups[g]);
    brisk_wlsmv_residual_moments_free(gm, G);
    if (!ok) {
        brisk_residuals_free(out);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    return BRISK_OK;
}

brisk_status brisk_fitted_residuals(const brisk_fitted *fd, brisk_residuals *out,
                                    brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!fd->fit)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "no fit to compute residuals of");
    if (fd->fit->nthresholds || fd->model->ordered)
        return wlsmv_residuals(fd, out, err);
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
    size_t G = ok ? f->ngroups : 0, q = ok ? f->works[0]->q : 0;
    bool se = se_applies(fd);
    out->groups = ok ? calloc(G, sizeof *out->groups) : NULL;
    group_parts *parts = ok ? calloc(G, sizeof *parts) : NULL;
    double *a0inv = ok && se ? malloc((q * q + 1) * sizeof *a0inv) : NULL;
    ok = ok && out->groups && parts && (!se || a0inv);
    if (ok)
        out->ngroups = G;
    for (size_t g = 0; ok && g < G; g++)
        ok = parts_init(&parts[g], f->works[g], fd->model->meanstructure, se,
                        observed_information(fd));
    /* A0^-1: ML's on complete data is N vcov; a robust vcov is not it,
     * nor FIML's (the Hessian's, where lavaan takes the h1 one here) */
    bool own_a0 = robust_se(fd->fit) || observed_information(fd);
    for (size_t k = 0; ok && se && !own_a0 && k < q * q; k++)
        a0inv[k] = fd->fit->vcov[k] * (double)f->ntotal;
    if (ok && se && own_a0 && !information_inverse(fd->model, f, parts, a0inv)) {
        free(a0inv);
        a0inv = NULL;
    }
    for (size_t g = 0; ok && g < G; g++)
        ok = group_residuals(fd, f->works[g], f->weight[g], &parts[g], se ? a0inv : NULL,
                             &out->groups[g]);
    for (size_t g = 0; parts && g < G; g++)
        parts_free(&parts[g]);
    free(parts);
    free(a0inv);
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
