/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Robust ML with missing values (lavaan's estimator = "MLR" with
 * missing = "ml"): the casewise scores of respondents who answered some of
 * the variables, and the saturated model's part of the Yuan-Bentler
 * trace, tr(B1 A1^-1), with A1 the saturated model's observed information
 * and B1 its casewise outer products, both at the EM estimates.  The
 * saturated model's parameters are the means and the distinct
 * covariances (mu_a, sigma_ab for b <= a). */
#include <config.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"

/* Index of sigma_ab (either order) among the saturated parameters. */
static size_t sigma_index(size_t p, size_t a, size_t b)
{
    if (b > a) {
        size_t t = a;
        a = b;
        b = t;
    }
    return p + a * (a + 1) / 2 + b;
}

/* The saturated model's gradient of F at (mu, sigma): -2 sd for the means,
 * W (2 W off the diagonal) for the covariances. */
static bool saturated_gradient(const brisk_moments *mom, const double *mu, const double *sigma,
                               double *inverses, double *scratch, double *W, double *sd,
                               double *grad)
{
    size_t p = mom->p;
    bool ok;
    brisk_fiml_discrepancy(mom, sigma, mu, scratch, inverses, &ok);
    if (!ok)
        return false;
    brisk_fiml_weights(mom, mu, inverses, W, sd, scratch);
    for (size_t a = 0; a < p; a++) {
        grad[a] = -2 * sd[a];
        for (size_t b = 0; b <= a; b++)
            grad[sigma_index(p, a, b)] = (a == b ? 1 : 2) * W[a * p + b];
    }
    return true;
}

/* A1 at (mu0, sigma0): half the Jacobian of that gradient, by central
 * differences. */
static bool saturated_information(const brisk_moments *mom, const double *mu0,
                                  const double *sigma0, double *a1, double *inverses,
                                  double *scratch, double *W, double *sd, double *gp, double *gm)
{
    size_t p = mom->p, d = p + p * (p + 1) / 2;
    const double h = 1e-5;
    double *mu = malloc((p + 1) * sizeof *mu), *sigma = malloc((p * p + 1) * sizeof *sigma);
    bool ok = mu && sigma;
    for (size_t j = 0; ok && j < d; j++) {
        for (int side = 0; ok && side < 2; side++) {
            memcpy(mu, mu0, p * sizeof *mu);
            memcpy(sigma, sigma0, p * p * sizeof *sigma);
            double step = side ? -h : h;
            if (j < p) {
                mu[j] += step;
            } else {
                size_t k = j - p, a = 0;
                while ((a + 1) * (a + 2) / 2 <= k)
                    a++;
                size_t b = k - a * (a + 1) / 2;
                sigma[a * p + b] += step;
                if (a != b)
                    sigma[b * p + a] += step;
            }
            ok = saturated_gradient(mom, mu, sigma, inverses, scratch, W, sd, side ? gm : gp);
        }
        for (size_t i = 0; ok && i < d; i++)
            a1[i * d + j] = 0.5 * (gp[i] - gm[i]) / (2 * h);
    }
    for (size_t i = 0; ok && i < d; i++)
        for (size_t j = 0; j < i; j++)
            a1[i * d + j] = a1[j * d + i] = (a1[i * d + j] + a1[j * d + i]) / 2;
    free(mu);
    free(sigma);
    return ok;
}

bool brisk_fiml_information_at(const brisk_moments *mom, const double *mu, const double *sigma,
                               double *a1)
{
    size_t p = mom->p, d = p + p * (p + 1) / 2;
    double *inverses = malloc((brisk_fiml_inverses_size(mom) + 1) * sizeof *inverses);
    double *scratch = malloc(brisk_fiml_scratch_size(p) * sizeof *scratch);
    double *W = malloc((p * p + 1) * sizeof *W), *sd = malloc((p + 1) * sizeof *sd);
    double *gp = malloc((d + 1) * sizeof *gp), *gm = malloc((d + 1) * sizeof *gm);
    bool ok = inverses && scratch && W && sd && gp && gm &&
              saturated_information(mom, mu, sigma, a1, inverses, scratch, W, sd, gp, gm);
    free(inverses), free(scratch), free(W), free(sd), free(gp), free(gm);
    return ok;
}

/* The saturated model's information A1 (observed, per respondent) and
 * the mean outer product B1 of its casewise scores, both d x d at the EM
 * estimates (d = p + p (p + 1) / 2: means, then sigma_ab for b <= a). */
static bool h1_matrices(const brisk_moments *mom, double *a1, double *b1)
{
    size_t p = mom->p, d = p + p * (p + 1) / 2;
    double *inverses = malloc((brisk_fiml_inverses_size(mom) + 1) * sizeof *inverses);
    double *scratch = malloc(brisk_fiml_scratch_size(p) * sizeof *scratch);
    double *g = calloc(d + 1, sizeof *g), *u = malloc((p + 1) * sizeof *u);
    /* with clusters, the rows' weighted scores summed within them */
    double *totals = mom->cluster ? calloc(mom->nclusters * d + 1, sizeof *totals) : NULL;
    bool ok = inverses && scratch && g && u && (!mom->cluster || totals) &&
              brisk_fiml_information_at(mom, mom->mean, mom->cov, a1);
    /* the inverses at the EM estimates themselves, for the scores */
    if (ok)
        brisk_fiml_discrepancy(mom, mom->cov, mom->mean, scratch, inverses, &ok);
    memset(b1, 0, d * d * sizeof *b1);
    const double *inv = inverses;
    for (size_t k = 0, row = 0; ok && k < mom->npatterns; k++) {
        const brisk_pattern *pat = &mom->patterns[k];
        size_t q = pat->nobs;
        for (size_t i = 0; i < pat->n; i++, row++) {
            const double *x = mom->data + row * p;
            memset(g, 0, d * sizeof *g);
            for (size_t a = 0; a < q; a++) {
                u[a] = 0;
                for (size_t b = 0; b < q; b++)
                    u[a] += inv[a * q + b] * (x[pat->obs[b]] - mom->mean[pat->obs[b]]);
            }
            for (size_t a = 0; a < q; a++) {
                g[pat->obs[a]] = u[a];
                for (size_t b = 0; b <= a; b++)
                    g[sigma_index(p, pat->obs[a], pat->obs[b])] =
                        (a == b ? 0.5 : 1) * (u[a] * u[b] - inv[a * q + b]);
            }
            if (totals) {
                double w = brisk_moments_weight(mom, row);
                for (size_t r = 0; r < d; r++)
                    totals[mom->cluster[row] * d + r] += w * g[r];
                continue;
            }
            double w2 = brisk_score_share(mom, row);
            for (size_t r = 0; r < d; r++)
                if (g[r] != 0)
                    for (size_t c = 0; c < d; c++)
                        b1[r * d + c] += w2 * g[r] * g[c];
        }
        inv += q * q;
    }
    if (ok && totals)
        brisk_cluster_outer(mom, totals, d, b1);
    free(inverses), free(scratch), free(g), free(u);
    free(totals);
    return ok;
}

bool brisk_fiml_h1_init(const brisk_moments *mom, brisk_fiml_h1 *h1)
{
    size_t p = mom->p, d = p + p * (p + 1) / 2;
    *h1 = (brisk_fiml_h1){.d = d, .a1 = malloc((d * d + 1) * sizeof(double)),
                          .b1 = malloc((d * d + 1) * sizeof(double))};
    if (h1->a1 && h1->b1 && h1_matrices(mom, h1->a1, h1->b1))
        return true;
    brisk_fiml_h1_free(h1);
    return false;
}

void brisk_fiml_h1_free(brisk_fiml_h1 *h1)
{
    free(h1->a1);
    free(h1->b1);
    memset(h1, 0, sizeof *h1);
}

double brisk_fiml_h1_trace(const brisk_fiml_h1 *h1, const bool *mask, bool *ok)
{
    size_t d = h1->d;
    double *a = malloc((d * d + 1) * sizeof *a), *ainv = malloc((d * d + 1) * sizeof *ainv);
    double *chol = malloc((d * d + 1) * sizeof *chol);
    size_t kept = 0, *keep = malloc((d + 1) * sizeof *keep);
    double trace = NAN, logdet;
    *ok = a && ainv && chol && keep;
    /* keep the unmasked parameters: A1 compacted */
    for (size_t r = 0; *ok && r < d; r++)
        if (!mask || !mask[r])
            keep[kept++] = r;
    for (size_t r = 0; *ok && r < kept; r++)
        for (size_t c = 0; c < kept; c++)
            a[r * kept + c] = h1->a1[keep[r] * d + keep[c]];
    *ok = *ok && brisk_dense_spd_invert(a, ainv, chol, kept, &logdet);
    if (*ok) {
        trace = 0;
        for (size_t r = 0; r < kept; r++)
            for (size_t c = 0; c < kept; c++)
                trace += h1->b1[keep[r] * d + keep[c]] * ainv[c * kept + r];
    }
    free(keep), free(a), free(ainv), free(chol);
    return trace;
}

/* ------------------------------------------------ FIML-corrected indices */

/* N F_ML of the EM moments (S, m) from (sigma, mu): N [log|sigma| - log|S|
 * + tr(S sigma^-1) - p + (m - mu)' sigma^-1 (m - mu)]; NaN if not
 * positive definite. */
static double ml_discrepancy(const brisk_moments *mom, const double *sigma, const double *mu,
                             double *inv, double *chol)
{
    size_t p = mom->p;
    double ld_sigma, ld_s;
    if (!brisk_dense_spd_invert(mom->cov, inv, chol, p, &ld_s) ||
        !brisk_dense_spd_invert(sigma, inv, chol, p, &ld_sigma))
        return NAN;
    double f = ld_sigma - ld_s - (double)p;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            f += mom->cov[a * p + b] * inv[b * p + a] +
                 (mom->mean[a] - mu[a]) * inv[a * p + b] * (mom->mean[b] - mu[b]);
    return brisk_moments_size(mom) * f;
}

/* Wc: the complete-data normal information per respondent at (S, m), d x d:
 * S^-1 for the means; (B_ac B_bd + B_ad B_bc) (2 - [a = b]) (2 - [c = d]) / 4
 * between sigma_ab and sigma_cd, B = S^-1. */
static void complete_information(size_t p, const double *B, double *wc)
{
    size_t d = p + p * (p + 1) / 2;
    memset(wc, 0, d * d * sizeof *wc);
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            wc[a * d + b] = B[a * p + b];
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++)
            for (size_t c = 0; c < p; c++)
                for (size_t e = 0; e <= c; e++)
                    wc[sigma_index(p, a, b) * d + sigma_index(p, c, e)] =
                        (B[a * p + c] * B[b * p + e] + B[a * p + e] * B[b * p + c]) *
                        (a == b ? 1 : 2) * (c == e ? 1 : 2) / 4;
}

/* tr(U A^-1 Wc A^-1 U Gamma) with U = A - A X (X' A X)^-1 X' A (x columns
 * of X), Gamma = A^-1 B A^-1: lavaan's scaling constant times df. */
static bool corrected_trace(size_t d, const double *A, const double *Ainv, const double *B,
                            const double *Wc, const double *X, size_t x, double *trace)
{
    double *ax = malloc((d * x + 1) * sizeof *ax), *e = malloc((x * x + 1) * sizeof *e);
    double *einv = malloc((x * x + 1) * sizeof *einv), *chol = malloc((x * x + 1) * sizeof *chol);
    double *u = malloc((d * d + 1) * sizeof *u), *t1 = malloc((d * d + 1) * sizeof *t1);
    double *t2 = malloc((d * d + 1) * sizeof *t2), *gam = malloc((d * d + 1) * sizeof *gam);
    bool ok = ax && e && einv && chol && u && t1 && t2 && gam;
    for (size_t r = 0; ok && r < d; r++)   /* A X */
        for (size_t k = 0; k < x; k++) {
            double v = 0;
            for (size_t c = 0; c < d; c++)
                v += A[r * d + c] * X[c * x + k];
            ax[r * x + k] = v;
        }
    for (size_t k = 0; ok && k < x; k++)   /* X' A X */
        for (size_t l = 0; l < x; l++) {
            double v = 0;
            for (size_t r = 0; r < d; r++)
                v += X[r * x + k] * ax[r * x + l];
            e[k * x + l] = v;
        }
    double logdet;
    ok = ok && brisk_dense_spd_invert(e, einv, chol, x, &logdet);
    for (size_t r = 0; ok && r < d; r++)   /* U */
        for (size_t c = 0; c < d; c++) {
            double v = 0;
            for (size_t k = 0; k < x; k++)
                for (size_t l = 0; l < x; l++)
                    v += ax[r * x + k] * einv[k * x + l] * ax[c * x + l];
            u[r * d + c] = A[r * d + c] - v;
        }
    if (ok) {
        brisk_dense_mul(Ainv, B, t1, d);      /* Gamma = A^-1 B A^-1 */
        brisk_dense_mul(t1, Ainv, gam, d);
        brisk_dense_mul(u, Ainv, t1, d);      /* U A^-1 Wc A^-1 U */
        brisk_dense_mul(t1, Wc, t2, d);
        brisk_dense_mul(t2, Ainv, t1, d);
        brisk_dense_mul(t1, u, t2, d);
        *trace = 0;
        for (size_t r = 0; r < d; r++)
            for (size_t c = 0; c < d; c++)
                *trace += t2[r * d + c] * gam[c * d + r];
    }
    free(ax), free(e), free(einv), free(chol), free(u), free(t1), free(t2), free(gam);
    return ok;
}

/* The kept rows and columns of a d x d matrix (keep NULL: all). */
static void compact(const double *full, size_t d, const size_t *keep, size_t kept, double *out)
{
    for (size_t r = 0; r < kept; r++)
        for (size_t c = 0; c < kept; c++)
            out[r * kept + c] = full[keep[r] * d + keep[c]];
}

/* One group's part of the corrected indices: its compacted A1, B1, Wc
 * and A1^-1 (kept x kept), Delta (kept x q), the independence model's
 * Delta (kept x 2 nvar), and the two ML discrepancies. */
typedef struct corrected_group {
    double *a1, *b1, *wc, *a1inv, *delta, *sel;
    double x3, xb;
} corrected_group;

static bool corrected_group_init(const sem_work *w, const brisk_fiml_h1 *h1, const size_t *keep,
                                 size_t kept, const size_t *var_col, size_t nvar,
                                 corrected_group *cg)
{
    const brisk_moments *mom = w->mom;
    size_t p = mom->p, q = w->q, d = h1->d;
    *cg = (corrected_group){0};
    cg->a1 = malloc((kept * kept + 1) * sizeof *cg->a1);
    cg->b1 = malloc((kept * kept + 1) * sizeof *cg->b1);
    cg->wc = malloc((kept * kept + 1) * sizeof *cg->wc);
    cg->a1inv = malloc((kept * kept + 1) * sizeof *cg->a1inv);
    cg->delta = calloc(kept * q + 1, sizeof *cg->delta);
    cg->sel = calloc(kept * 2 * nvar + 1, sizeof *cg->sel);
    double *wc = malloc((d * d + 1) * sizeof *wc), *chol = malloc((d * d + 1) * sizeof *chol);
    double *inv = malloc((p * p + 1) * sizeof *inv), *var = calloc(p * p + 1, sizeof *var);
    double *mean = malloc((p + 1) * sizeof *mean), logdet;
    bool ok = cg->a1 && cg->b1 && cg->wc && cg->a1inv && cg->delta && cg->sel && wc && chol &&
              inv && var && mean && brisk_dense_spd_invert(mom->cov, inv, chol, p, &logdet);
    if (ok) {
        compact(h1->a1, d, keep, kept, cg->a1);
        compact(h1->b1, d, keep, kept, cg->b1);
        complete_information(p, inv, wc);
        compact(wc, d, keep, kept, cg->wc);
        ok = brisk_dense_spd_invert(cg->a1, cg->a1inv, chol, kept, &logdet);
    }
    /* Delta: d(mu, vech Sigma) / dtheta at the estimates; the independence
     * model's: its means and variances */
    for (size_t r = 0; ok && r < kept; r++) {
        size_t a, b;
        bool is_mean = keep[r] < p;
        if (is_mean) {
            a = b = keep[r];
        } else {
            for (a = 0; sigma_index(p, a, 0) + a < keep[r]; a++)
                ;
            b = keep[r] - sigma_index(p, a, 0);
        }
        for (size_t k = 0; k < q; k++)
            cg->delta[r * q + k] = is_mean ? w->dmu[k * p + a] : w->dSigma[k * p * p + a * p + b];
        if (var_col[a] != SIZE_MAX && a == b)
            cg->sel[r * 2 * nvar + (is_mean ? 0 : nvar) + var_col[a]] = 1;
    }
    /* the independence model's estimates: available-case means and
     * variances, the covariates' block as observed */
    for (size_t a = 0; ok && a < p; a++) {
        brisk_fiml_available_moments(mom, a, &mean[a], &var[a * p + a]);
        for (size_t b = 0; var_col[a] == SIZE_MAX && b < p; b++)
            if (var_col[b] == SIZE_MAX)
                var[a * p + b] = mom->cov[a * p + b];
    }
    if (ok) {
        cg->x3 = ml_discrepancy(mom, w->Sigma, w->mu, inv, chol);
        cg->xb = ml_discrepancy(mom, var, mean, inv, chol);
        ok = isfinite(cg->x3) && isfinite(cg->xb);
    }
    free(wc), free(chol), free(inv), free(var), free(mean);
    return ok;
}

static void corrected_group_free(corrected_group *cg)
{
    free(cg->a1), free(cg->b1), free(cg->wc), free(cg->a1inv), free(cg->delta), free(cg->sel);
}

/* Block (g, g) of a block-diagonal D x D matrix from a kept x kept one
 * times f. */
static void put_block(double *big, size_t D, size_t g, size_t kept, const double *m, double f)
{
    for (size_t r = 0; r < kept; r++)
        for (size_t c = 0; c < kept; c++)
            big[(g * kept + r) * D + g * kept + c] = f * m[r * kept + c];
}

bool brisk_fiml_corrected(sem_work *const *works, const brisk_fiml_h1 *h1, size_t ngroups,
                          size_t ntotal, const bool *mask, const bool *skip, double df,
                          double dfb, double *x3, double *c3, double *xb, double *cb)
{
    size_t p = works[0]->mom->p, q = works[0]->q, d = h1[0].d, kept = 0, nvar = 0;
    size_t *keep = malloc((d + 1) * sizeof *keep), *var_col = malloc((p + 1) * sizeof *var_col);
    corrected_group *cg = calloc(ngroups, sizeof *cg);
    bool ok = keep && var_col && cg;
    /* the moments the fixed covariates do not fix, and the variables the
     * independence model estimates (lavaan zeroes the others' information) */
    for (size_t r = 0; ok && r < d; r++)
        if (!mask || !mask[r])
            keep[kept++] = r;
    for (size_t a = 0; ok && a < p; a++)
        var_col[a] = skip && skip[a] ? SIZE_MAX : nvar++;
    for (size_t g = 0; ok && g < ngroups; g++)
        ok = corrected_group_init(works[g], &h1[g], keep, kept, var_col, nvar, &cg[g]);
    /* the groups stacked, as lavaan: A1 and Wc weighted by f_g = N_g / N,
     * A1^-1 by 1 / f_g, B1 by f_g (so that A1^-1 B1 A1^-1 is Gamma_g / f_g);
     * Delta stacked, the independence model's block diagonal */
    size_t D = ngroups * kept, nb = 2 * nvar * ngroups;
    double *A = calloc(D * D + 1, sizeof *A), *Ainv = calloc(D * D + 1, sizeof *Ainv);
    double *B = calloc(D * D + 1, sizeof *B), *Wc = calloc(D * D + 1, sizeof *Wc);
    double *X = calloc(D * q + 1, sizeof *X), *Xb = calloc(D * nb + 1, sizeof *Xb);
    ok = ok && A && Ainv && B && Wc && X && Xb;
    *x3 = *xb = 0;
    for (size_t g = 0; ok && g < ngroups; g++) {
        double f = brisk_moments_size(works[g]->mom) / (double)ntotal;
        put_block(A, D, g, kept, cg[g].a1, f);
        put_block(Ainv, D, g, kept, cg[g].a1inv, 1 / f);
        put_block(B, D, g, kept, cg[g].b1, f);
        put_block(Wc, D, g, kept, cg[g].wc, f);
        for (size_t r = 0; r < kept; r++) {
            memcpy(X + (g * kept + r) * q, cg[g].delta + r * q, q * sizeof *X);
            memcpy(Xb + (g * kept + r) * nb + g * 2 * nvar, cg[g].sel + r * 2 * nvar,
                   2 * nvar * sizeof *Xb);
        }
        *x3 += cg[g].x3;
        *xb += cg[g].xb;
    }
    double tr3 = NAN, trb = NAN;
    ok = ok && corrected_trace(D, A, Ainv, B, Wc, X, q, &tr3) &&
         corrected_trace(D, A, Ainv, B, Wc, Xb, nb, &trb);
    if (ok) {
        *c3 = tr3 / df;
        *cb = trb / dfb;
        ok = *c3 > 0 && *cb > 0;
    }
    for (size_t g = 0; cg && g < ngroups; g++)
        corrected_group_free(&cg[g]);
    free(cg), free(keep), free(var_col), free(A), free(Ainv), free(B), free(Wc), free(X), free(Xb);
    return ok;
}

/* B0 of one group with missing values: the model's casewise scores,
 * s_k = u' dmu_k + (u' dSigma_k u - tr(Sigma_oo^-1 dSigma_k)) / 2 over the
 * answered variables, u = Sigma_oo^-1 (x_o - mu_o), at the point of the
 * work's last objective (its pattern inverses). */
void brisk_fiml_first_order(const sem_work *w, double *b0, double *u, double *s, double *tr)
{
    const brisk_moments *mom = w->mom;
    size_t p = w->p, q = w->q;
    memset(b0, 0, q * q * sizeof *b0);
    const double *inv = w->fiml_inv;
    for (size_t k = 0, row = 0; k < mom->npatterns; k++) {
        const brisk_pattern *pat = &mom->patterns[k];
        size_t m = pat->nobs;
        for (size_t j = 0; j < q; j++) {
            const double *D = w->dSigma + j * p * p;
            tr[j] = 0;
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b < m; b++)
                    tr[j] += inv[a * m + b] * D[pat->obs[b] * p + pat->obs[a]];
        }
        for (size_t i = 0; i < pat->n; i++, row++) {
            const double *x = mom->data + row * p;
            for (size_t a = 0; a < m; a++) {
                u[a] = 0;
                for (size_t b = 0; b < m; b++)
                    u[a] += inv[a * m + b] * (x[pat->obs[b]] - w->mu[pat->obs[b]]);
            }
            for (size_t j = 0; j < q; j++) {
                const double *D = w->dSigma + j * p * p, *dm = w->dmu + j * p;
                double quad = 0, lin = 0;
                for (size_t a = 0; a < m; a++) {
                    double r = 0;
                    for (size_t b = 0; b < m; b++)
                        r += D[pat->obs[a] * p + pat->obs[b]] * u[b];
                    quad += u[a] * r;
                    lin += u[a] * dm[pat->obs[a]];
                }
                s[j] = lin + (quad - tr[j]) / 2;
            }
            double w2 = brisk_score_share(mom, row);
            for (size_t j = 0; j < q; j++)
                for (size_t l = 0; l < q; l++)
                    b0[j * q + l] += w2 * s[j] * s[l];
        }
        inv += m * m;
    }
}

/* One pattern's share of the information: with P = Sigma_oo^-1 and D_j
 * the answered block of dSigma_j, tr(P D_j P D_l) / 2 as the sum of the
 * elements of L_j = P D_j times those of L_l' (both stored, so the sum
 * runs over contiguous arrays), and dmu_j' P dmu_l. */
static void pattern_information(const sem_work *w, const brisk_pattern *pat, const double *inv,
                                double share, double *L, double *R, double *u, double *info)
{
    size_t p = w->p, q = w->q, m = pat->nobs, mm = m * m;
    for (size_t j = 0; j < q; j++) {
        const double *D = w->dSigma + j * p * p;
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++) {
                double v = 0;
                for (size_t c = 0; c < m; c++)
                    v += inv[a * m + c] * D[pat->obs[c] * p + pat->obs[b]];
                L[j * mm + a * m + b] = R[j * mm + b * m + a] = v;
            }
    }
    for (size_t l = 0; l < q; l++) {
        const double *dl = w->dmu + l * p;
        for (size_t a = 0; a < m; a++) {
            u[a] = 0;
            for (size_t b = 0; b < m; b++)
                u[a] += inv[a * m + b] * dl[pat->obs[b]];
        }
        for (size_t j = 0; j <= l; j++) {
            const double *Lj = L + j * mm, *Rl = R + l * mm, *dj = w->dmu + j * p;
            double t = 0, mean = 0;
            for (size_t i = 0; i < mm; i++)
                t += Lj[i] * Rl[i];
            for (size_t a = 0; a < m; a++)
                mean += dj[pat->obs[a]] * u[a];
            double v = share * (t / 2 + mean);
            info[j * q + l] += v;
            if (j != l)
                info[l * q + j] += v;
        }
    }
}

bool brisk_fiml_expected_information(const sem_work *w, double *info)
{
    const brisk_moments *mom = w->mom;
    size_t p = w->p, q = w->q;
    double *L = malloc((q * p * p + 1) * sizeof *L), *R = malloc((q * p * p + 1) * sizeof *R),
           *u = malloc((p + 1) * sizeof *u);
    bool ok = L && R && u && w->have_derivatives;
    if (ok) {
        memset(info, 0, q * q * sizeof *info);
        const double *inv = w->fiml_inv;
        for (size_t k = 0; k < mom->npatterns; k++) {
            const brisk_pattern *pat = &mom->patterns[k];
            pattern_information(w, pat, inv, pat->weight / brisk_moments_size(mom), L, R, u,
                                info);
            inv += pat->nobs * pat->nobs;
        }
    }
    free(L);
    free(R);
    free(u);
    return ok;
}

/* The independence model's tr(B0 E^-1), with or without missing values:
 * its information is diagonal, so variable by variable over the
 * respondents who answered it, 1 for the mean (with a mean structure) and
 * (kurtosis - 1) / 2 for the variance; fixed covariates (skip) have
 * neither. */
double brisk_fiml_trace_h0_baseline(const brisk_moments *mom, bool means, const bool *skip)
{
    size_t p = mom->p, n = mom->n, C = mom->cluster ? mom->nclusters : 0;
    /* with clusters, each cluster's sums of the scores (C / (C - 1) their
     * squares' factor); NaN when out of memory */
    double *sums = C ? calloc(2 * C + 1, sizeof *sums) : NULL;
    if (C && !sums)
        return NAN;
    double factor = C > 1 ? (double)C / (double)(C - 1) : 1;
    double total = 0;
    for (size_t a = 0; a < p; a++) {
        if (skip && skip[a])
            continue;
        /* the scores e / v of the mean and (e^2 / v - 1) / 2v of the
         * variance, against their information 1 / v and 1 / 2v^2: each
         * answer counts w^2 times, over the weights' sum (without weights:
         * 1, and (kurtosis - 1) / 2) */
        double mean, v, mean_term = 0, var_term = 0;
        double wsum = brisk_fiml_available_moments(mom, a, &mean, &v);
        if (C)
            memset(sums, 0, 2 * C * sizeof *sums);
        for (size_t i = 0; i < n; i++)
            if (!isnan(mom->data[i * p + a])) {
                double w = brisk_moments_weight(mom, i), e = mom->data[i * p + a] - mean;
                double z = e * e / v;
                if (C) {
                    sums[2 * mom->cluster[i]] += w * e;
                    sums[2 * mom->cluster[i] + 1] += w * (z - 1);
                    continue;
                }
                mean_term += w * w * z;
                var_term += w * w * (z - 1) * (z - 1);
            }
        for (size_t c = 0; c < C; c++) {
            mean_term += factor * sums[2 * c] * sums[2 * c] / v;
            var_term += factor * sums[2 * c + 1] * sums[2 * c + 1];
        }
        total += (means ? mean_term / wsum : 0) + var_term / (2 * wsum);
    }
    free(sums);
    return total;
}
