/* WLSMV for ordered items, as lavaan's estimator = "WLSMV" without
 * covariates (the delta parameterization):
 *   1. each item's thresholds and each pair's polychoric correlation, two
 *      step (lib/stats/polychoric.c);
 *   2. their asymptotic covariance Gamma from the respondents' scores, the
 *      correlations corrected for the thresholds' estimation (lavaan's
 *      muthen1984: A11 and A22 the outer products of the threshold and
 *      correlation scores, A21 their cross products);
 *   3. DWLS: the model's implied correlations fitted to the polychorics
 *      with weights 1 / diag(Gamma), by Gauss-Newton (the thresholds are
 *      saturated: their estimates are the sample's);
 *   4. robust standard errors (H^-1 J'W Gamma W J H^-1 / N, H = J'WJ) and
 *      the mean-and-variance adjusted (scaled-shifted) chi-square:
 *      a = sqrt(df / tr((U Gamma)^2)), b = df - a tr(U Gamma),
 *      U = W - W J H^-1 J' W; lavaan reports 1/a as the scaling factor and
 *      b as the shift.
 * Only the correlations' block of Gamma matters for the model's
 * parameters and the test: the thresholds' block enters the thresholds'
 * standard errors alone. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dense.h"
#include "sem_fit.h"
#include "sem_wls.h"
#include "stats/polychoric.h"

void brisk_wlsmv_free(brisk_wlsmv *w)
{
    free(w->ncat);
    free(w->tau);
    free(w->tau_se);
    free(w->rho);
    free(w->gamma);
    free(w->theta);
    free(w->vcov);
    free(w->implied);
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------ statistics */

/* Category 0.. of every answer (items coded 1..K or any increasing codes:
 * the k-th smallest value is category k). */
static brisk_status categorize(const double *x, size_t n, size_t p, size_t *y, size_t *ncat,
                               brisk_error *err)
{
    double *values = malloc((n + 1) * sizeof *values);
    if (!values)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < p; j++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            bool seen = false;
            for (size_t c = 0; c < k && !seen; c++)
                seen = values[c] == x[i * p + j];
            if (!seen)
                values[k++] = x[i * p + j];
        }
        for (size_t a = 1; a < k; a++)   /* insertion sort: few categories */
            for (size_t b = a; b > 0 && values[b - 1] > values[b]; b--) {
                double t = values[b];
                values[b] = values[b - 1];
                values[b - 1] = t;
            }
        ncat[j] = k;
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < k; c++)
                if (values[c] == x[i * p + j])
                    y[i * p + j] = c;
        if (k < 2) {
            free(values);
            return brisk_error_set(err, BRISK_ERR_DATA, "ordered item %zu has one answer in "
                                   "every row used: it has no threshold to estimate", j + 1);
        }
    }
    free(values);
    return BRISK_OK;
}

static double lower_of(const double *tau, size_t c)
{
    return c ? tau[c - 1] : -INFINITY;
}

static double upper_of(const double *tau, size_t c, size_t ncat)
{
    return c + 1 < ncat ? tau[c] : INFINITY;
}

/* The score of one answer for its item's thresholds: +phi(tau_c)/P at
 * tau_c, -phi(tau_{c-1})/P at tau_{c-1}. */
static void threshold_score(const double *tau, size_t ncat, size_t c, double *sc)
{
    memset(sc, 0, (ncat - 1) * sizeof *sc);
    double lo = lower_of(tau, c), hi = upper_of(tau, c, ncat);
    double prob = gsl_cdf_ugaussian_P(hi) - gsl_cdf_ugaussian_P(lo);
    if (c + 1 < ncat)
        sc[c] = gsl_ran_ugaussian_pdf(hi) / prob;
    if (c > 0)
        sc[c - 1] = -gsl_ran_ugaussian_pdf(lo) / prob;
}

/* d P(a, b) / d tau of the first item at its threshold t, the other at
 * [lo, hi]: phi(t) [Phi((hi - r t)/s) - Phi((lo - r t)/s)]. */
static double edge(double t, double lo, double hi, double r)
{
    if (isinf(t))
        return 0;
    double s = sqrt(1 - r * r);
    double up = isinf(hi) ? 1 : gsl_cdf_ugaussian_P((hi - r * t) / s);
    double down = isinf(lo) ? 0 : gsl_cdf_ugaussian_P((lo - r * t) / s);
    return gsl_ran_ugaussian_pdf(t) * (up - down);
}

typedef struct pair_cell {
    double prob, drho;       /* P(a, b) and dP/drho */
    double *dtau_a, *dtau_b; /* dP / d thresholds of each item (ncat - 1) */
} pair_cell;

/* P and its derivatives for cell (a, b) of items with thresholds ta, tb. */
static void cell_derivatives(const double *ta, size_t ka, const double *tb, size_t kb, size_t a,
                             size_t b, double r, pair_cell *cell)
{
    double la = lower_of(ta, a), ha = upper_of(ta, a, ka);
    double lb = lower_of(tb, b), hb = upper_of(tb, b, kb);
    cell->prob = brisk_bvn_cdf(ha, hb, r) - brisk_bvn_cdf(la, hb, r) -
                 brisk_bvn_cdf(ha, lb, r) + brisk_bvn_cdf(la, lb, r);
    cell->drho = brisk_bvn_pdf(ha, hb, r) - brisk_bvn_pdf(la, hb, r) -
                 brisk_bvn_pdf(ha, lb, r) + brisk_bvn_pdf(la, lb, r);
    memset(cell->dtau_a, 0, (ka - 1) * sizeof *cell->dtau_a);
    memset(cell->dtau_b, 0, (kb - 1) * sizeof *cell->dtau_b);
    if (a + 1 < ka)
        cell->dtau_a[a] = edge(ha, lb, hb, r);
    if (a > 0)
        cell->dtau_a[a - 1] = -edge(la, lb, hb, r);
    if (b + 1 < kb)
        cell->dtau_b[b] = edge(hb, la, ha, r);
    if (b > 0)
        cell->dtau_b[b - 1] = -edge(lb, la, ha, r);
}

/* Gamma of the correlations (N times their asymptotic covariance) and the
 * thresholds' asymptotic variances, from each respondent's influence:
 * thresholds A11^-1 s_tau, correlations A22^-1 (s_rho - A21 A11^-1 s_tau). */
static brisk_status asymptotic_covariance(brisk_wlsmv *w, const size_t *y, brisk_error *err)
{
    size_t n = w->n, p = w->p, npairs = w->npairs, ntau = w->ntau, kmax = 2;
    for (size_t j = 0; j < p; j++)
        kmax = w->ncat[j] > kmax ? w->ncat[j] : kmax;
    size_t *offset = calloc(p + 1, sizeof *offset);
    double *sc_tau = calloc(n * ntau + 1, sizeof *sc_tau);      /* per case */
    double *inf_tau = calloc(n * ntau + 1, sizeof *inf_tau);
    double *sc_rho = calloc(n * npairs + 1, sizeof *sc_rho);
    double *a21 = calloc(npairs * 2 * kmax + 1, sizeof *a21);  /* per pair: both items */
    double *a22 = calloc(npairs + 1, sizeof *a22);
    double *block = calloc(kmax * kmax + 1, sizeof *block), *inv = calloc(kmax * kmax + 1, sizeof *inv);
    double *chol = calloc(kmax * kmax + 1, sizeof *chol);
    double *da = calloc(kmax + 1, sizeof *da), *db = calloc(kmax + 1, sizeof *db);
    double *inf_rho = calloc(n * npairs + 1, sizeof *inf_rho);
    if (!offset || !sc_tau || !inf_tau || !sc_rho || !a21 || !a22 || !block || !inv ||
        !chol || !da || !db || !inf_rho) {
        free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a21);
        free(a22), free(block), free(inv), free(chol), free(da), free(db), free(inf_rho);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t j = 1; j < p; j++)
        offset[j] = offset[j - 1] + w->ncat[j - 1] - 1;
    /* thresholds: scores, A11 per item, influences */
    brisk_status st = BRISK_OK;
    for (size_t j = 0; j < p && st == BRISK_OK; j++) {
        size_t k = w->ncat[j] - 1;
        const double *tau = w->tau + offset[j];
        memset(block, 0, k * k * sizeof *block);
        for (size_t i = 0; i < n; i++) {
            double *s = sc_tau + i * ntau + offset[j];
            threshold_score(tau, k + 1, y[i * p + j], s);
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    block[a * k + b] += s[a] * s[b];
        }
        double logdet;
        if (!brisk_dense_spd_invert(block, inv, chol, k, &logdet))
            st = brisk_error_set(err, BRISK_ERR_DATA, "the thresholds of ordered item %zu "
                                 "cannot be estimated (a category without answers?)", j + 1);
        for (size_t i = 0; st == BRISK_OK && i < n; i++)
            for (size_t a = 0; a < k; a++) {
                double v = 0;
                for (size_t b = 0; b < k; b++)
                    v += inv[a * k + b] * sc_tau[i * ntau + offset[j] + b];
                inf_tau[i * ntau + offset[j] + a] = v;
            }
    }
    /* correlations: scores, A22 (diagonal), A21, influences; a cell's
     * probability and derivatives are the same for all its respondents,
     * so they are computed once per cell */
    pair_cell cell = {.dtau_a = da, .dtau_b = db};
    double *cprob = malloc((kmax * kmax + 1) * sizeof *cprob);
    double *cdrho = malloc((kmax * kmax + 1) * sizeof *cdrho);
    double *cda = malloc((kmax * kmax * kmax + 1) * sizeof *cda);
    double *cdb = malloc((kmax * kmax * kmax + 1) * sizeof *cdb);
    if (st == BRISK_OK && (!cprob || !cdrho || !cda || !cdb))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, pr = 0; st == BRISK_OK && j < p; j++)
        for (size_t l = j + 1; l < p; l++, pr++) {
            size_t kj = w->ncat[j], kl = w->ncat[l];
            const double *tj = w->tau + offset[j], *tl = w->tau + offset[l];
            double r = w->rho[j * p + l], *a21j = a21 + pr * 2 * kmax, *a21l = a21j + kmax;
            for (size_t a = 0; a < kj; a++)
                for (size_t b = 0; b < kl; b++) {
                    size_t c = a * kl + b;
                    cell_derivatives(tj, kj, tl, kl, a, b, r, &cell);
                    cprob[c] = cell.prob;
                    cdrho[c] = cell.drho;
                    memcpy(cda + c * kmax, da, (kj - 1) * sizeof *da);
                    memcpy(cdb + c * kmax, db, (kl - 1) * sizeof *db);
                }
            for (size_t i = 0; i < n; i++) {
                size_t c = y[i * p + j] * kl + y[i * p + l];
                double s = cdrho[c] / cprob[c];
                sc_rho[pr * n + i] = s;   /* pair-major: Gamma's dot products run along n */
                a22[pr] += s * s;
                for (size_t a = 0; a + 1 < kj; a++)
                    a21j[a] += s * cda[c * kmax + a] / cprob[c];
                for (size_t b = 0; b + 1 < kl; b++)
                    a21l[b] += s * cdb[c * kmax + b] / cprob[c];
            }
            for (size_t i = 0; i < n; i++) {
                double v = sc_rho[pr * n + i];
                for (size_t a = 0; a + 1 < kj; a++)
                    v -= a21j[a] * inf_tau[i * ntau + offset[j] + a];
                for (size_t b = 0; b + 1 < kl; b++)
                    v -= a21l[b] * inf_tau[i * ntau + offset[l] + b];
                inf_rho[pr * n + i] = v / a22[pr];
            }
        }
    free(cprob);
    free(cdrho);
    free(cda);
    free(cdb);
    /* Gamma = N sum_i inf inf' (the influences are of sums: B^-1 s_i) */
    for (size_t a = 0; st == BRISK_OK && a < npairs; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = 0;
            const double *ia = inf_rho + a * n, *ib = inf_rho + b * n;
            /* four partial sums: the additions do not wait on each other */
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            size_t i = 0;
            for (; i + 4 <= n; i += 4) {
                s0 += ia[i] * ib[i];
                s1 += ia[i + 1] * ib[i + 1];
                s2 += ia[i + 2] * ib[i + 2];
                s3 += ia[i + 3] * ib[i + 3];
            }
            for (; i < n; i++)
                s0 += ia[i] * ib[i];
            v = (s0 + s1) + (s2 + s3);
            w->gamma[a * npairs + b] = w->gamma[b * npairs + a] = v * (double)n;
        }
    for (size_t t = 0; st == BRISK_OK && t < ntau; t++) {
        double v = 0;
        for (size_t i = 0; i < n; i++)
            v += inf_tau[i * ntau + t] * inf_tau[i * ntau + t];
        /* N v is the asymptotic variance; divided by N - 1 as lavaan's (D)WLS */
        w->tau_se[t] = sqrt(v * (double)n / (double)(n - 1));
    }
    free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a21);
    free(a22), free(block), free(inv), free(chol), free(da), free(db), free(inf_rho);
    return st;
}

static brisk_status sample_statistics(brisk_wlsmv *w, const double *x, brisk_error *err)
{
    size_t n = w->n, p = w->p;
    size_t *y = malloc((n * p + 1) * sizeof *y);
    w->ncat = calloc(p + 1, sizeof *w->ncat);
    w->rho = calloc(p * p + 1, sizeof *w->rho);
    if (!y || !w->ncat || !w->rho) {
        free(y);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = categorize(x, n, p, y, w->ncat, err);
    size_t kmax = 2;
    w->ntau = 0;
    for (size_t j = 0; st == BRISK_OK && j < p; j++) {
        w->ntau += w->ncat[j] - 1;
        kmax = w->ncat[j] > kmax ? w->ncat[j] : kmax;
    }
    w->npairs = p * (p - 1) / 2;
    w->tau = calloc(w->ntau + 1, sizeof *w->tau);
    w->tau_se = calloc(w->ntau + 1, sizeof *w->tau_se);
    w->gamma = calloc(w->npairs * w->npairs + 1, sizeof *w->gamma);
    double *counts = calloc(kmax * kmax + 1, sizeof *counts);
    if (st == BRISK_OK && (!w->tau || !w->tau_se || !w->gamma || !counts))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, off = 0; st == BRISK_OK && j < p; off += w->ncat[j] - 1, j++) {
        memset(counts, 0, kmax * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            counts[y[i * p + j]] += 1;
        brisk_thresholds(counts, w->ncat[j], w->tau + off);
    }
    for (size_t j = 0, oj = 0; st == BRISK_OK && j < p; oj += w->ncat[j] - 1, j++) {
        w->rho[j * p + j] = 1;
        for (size_t l = j + 1, ol = oj + w->ncat[j] - 1; st == BRISK_OK && l < p;
             ol += w->ncat[l] - 1, l++) {
            memset(counts, 0, kmax * kmax * sizeof *counts);
            for (size_t i = 0; i < n; i++)
                counts[y[i * p + j] * w->ncat[l] + y[i * p + l]] += 1;
            double r;
            if (!brisk_polychoric(counts, w->ncat[j], w->ncat[l], w->tau + oj, w->tau + ol, &r))
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of items "
                                     "%zu and %zu has no estimate inside (-1, 1)", j + 1, l + 1);
            w->rho[j * p + l] = w->rho[l * p + j] = r;
        }
    }
    if (st == BRISK_OK)
        st = asymptotic_covariance(w, y, err);
    free(counts);
    free(y);
    return st;
}

/* ------------------------------------------------------------ DWLS */

/* Residuals r - sigma of the correlations and their Jacobian at theta;
 * false where the implied matrix cannot be formed. */
static bool residuals(sem_work *work, const brisk_wlsmv *w, const double *theta, double *res,
                      double *jac)
{
    double f;
    if (!brisk_sem_objective(work, theta, &f))
        return false;
    if (jac && !brisk_sem_derivatives(work))
        return false;
    size_t p = w->p, q = work->q;
    for (size_t j = 0, pr = 0; j < p; j++)
        for (size_t l = j + 1; l < p; l++, pr++) {
            res[pr] = w->rho[j * p + l] - work->Sigma[j * p + l];
            for (size_t k = 0; jac && k < q; k++)
                jac[pr * q + k] = work->dSigma[k * p * p + j * p + l];
        }
    return true;
}

static double weighted_ss(const brisk_wlsmv *w, const double *res)
{
    double s = 0;
    for (size_t a = 0; a < w->npairs; a++)
        s += res[a] * res[a] / w->gamma[a * w->npairs + a];
    return s;
}

/* Gauss-Newton on F = sum w (r - sigma)^2 with step halving. */
static brisk_status gauss_newton(sem_work *work, brisk_wlsmv *w, double *theta, double *jac,
                                 double *res, double *h, double *hinv, double *g, double *step,
                                 double *trial, brisk_error *err)
{
    size_t q = work->q, np = w->npairs;
    if (!residuals(work, w, theta, res, jac))
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the starting values give no "
                               "correlation matrix");
    double f = weighted_ss(w, res);
    for (int it = 0; it < 500; it++) {
        memset(h, 0, q * q * sizeof *h);
        memset(g, 0, q * sizeof *g);
        for (size_t a = 0; a < np; a++) {
            double wa = 1 / w->gamma[a * np + a];
            for (size_t k = 0; k < q; k++) {
                g[k] += wa * jac[a * q + k] * res[a];
                for (size_t l = 0; l < q; l++)
                    h[k * q + l] += wa * jac[a * q + k] * jac[a * q + l];
            }
        }
        double gmax = 0, logdet;
        for (size_t k = 0; k < q; k++)
            gmax = fmax(gmax, fabs(g[k]));
        w->iterations = it;
        if (gmax < 1e-12)
            break;
        if (!brisk_dense_spd_invert(h, hinv, step, q, &logdet))
            return brisk_error_set(err, BRISK_ERR_MODEL, "the model is not identified: its "
                                   "correlations do not determine every parameter");
        for (size_t k = 0; k < q; k++) {
            step[k] = 0;
            for (size_t l = 0; l < q; l++)
                step[k] += hinv[k * q + l] * g[l];
        }
        double t = 1, ft = INFINITY;
        for (int half = 0; half < 40; half++, t /= 2) {
            for (size_t k = 0; k < q; k++)
                trial[k] = theta[k] + t * step[k];
            if (residuals(work, w, trial, res, NULL) && (ft = weighted_ss(w, res)) <= f)
                break;
        }
        if (!(ft <= f))
            break;   /* at the minimum to rounding */
        memcpy(theta, trial, q * sizeof *theta);
        bool still = f - ft > 1e-15 * (1 + f);
        f = ft;
        if (!residuals(work, w, theta, res, jac))
            return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "no convergence");
        if (!still && gmax < 1e-8)
            break;
    }
    w->fmin = f;
    return BRISK_OK;
}

/* Robust vcov and the scaled-shifted test, at the estimates. */
static brisk_status robust_inference(brisk_wlsmv *w, const double *jac, const double *hinv,
                                     brisk_error *err)
{
    size_t q = w->q, np = w->npairs;
    double *wj = malloc((np * q + 1) * sizeof *wj), *meat = calloc(q * q + 1, sizeof *meat);
    double *gwj = malloc((np * q + 1) * sizeof *gwj), *tmp = malloc((q * q + 1) * sizeof *tmp);
    double *ug = malloc((np * np + 1) * sizeof *ug), *proj = malloc((np * q + 1) * sizeof *proj);
    if (!wj || !meat || !gwj || !tmp || !ug || !proj) {
        free(wj), free(meat), free(gwj), free(tmp), free(ug), free(proj);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    const double *G = w->gamma;
    for (size_t a = 0; a < np; a++)
        for (size_t k = 0; k < q; k++)
            wj[a * q + k] = jac[a * q + k] / G[a * np + a];   /* W J */
    for (size_t a = 0; a < np; a++)                            /* Gamma W J */
        for (size_t k = 0; k < q; k++) {
            double v = 0;
            for (size_t b = 0; b < np; b++)
                v += G[a * np + b] * wj[b * q + k];
            gwj[a * q + k] = v;
        }
    for (size_t k = 0; k < q; k++)                             /* J'W Gamma W J */
        for (size_t l = 0; l < q; l++) {
            double v = 0;
            for (size_t a = 0; a < np; a++)
                v += wj[a * q + k] * gwj[a * q + l];
            meat[k * q + l] = v;
        }
    brisk_dense_mul(hinv, meat, tmp, q);
    brisk_dense_mul(tmp, hinv, w->vcov, q);
    for (size_t i = 0; i < q * q; i++)   /* N - 1, as lavaan's (D)WLS */
        w->vcov[i] /= (double)(w->n - 1);
    /* U Gamma = W Gamma - W J H^-1 (Gamma W J)' */
    for (size_t a = 0; a < np; a++)                            /* proj = W J H^-1 */
        for (size_t k = 0; k < q; k++) {
            double v = 0;
            for (size_t l = 0; l < q; l++)
                v += wj[a * q + l] * hinv[l * q + k];
            proj[a * q + k] = v;
        }
    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < np; b++) {
            double v = G[a * np + b] / G[a * np + a];
            for (size_t k = 0; k < q; k++)
                v -= proj[a * q + k] * gwj[b * q + k];
            ug[a * np + b] = v;
        }
    double tr = 0, tr2 = 0;
    for (size_t a = 0; a < np; a++) {
        tr += ug[a * np + a];
        for (size_t b = 0; b < np; b++)
            tr2 += ug[a * np + b] * ug[b * np + a];
    }
    w->trace_ug = tr;
    w->trace_ug2 = tr2;
    double a = sqrt(w->df / tr2);
    w->scaling_factor = 1 / a;
    w->shift = w->df - a * tr;
    w->chisq_scaled = a * w->chisq + w->shift;
    /* the baseline (every correlation 0): U = W, tr(W Gamma) = the pairs */
    double btr2 = 0;
    for (size_t x = 0; x < np; x++)
        for (size_t y = 0; y < np; y++)
            btr2 += G[x * np + y] * G[y * np + x] / (G[x * np + x] * G[y * np + y]);
    double ab = sqrt((double)np / btr2);
    w->baseline_scaling_factor = 1 / ab;
    w->baseline_shift = (double)np - ab * (double)np;
    w->baseline_chisq_scaled = ab * w->baseline_chisq + w->baseline_shift;
    free(wj), free(meat), free(gwj), free(tmp), free(ug), free(proj);
    return BRISK_OK;
}

brisk_status brisk_wlsmv_fit(const brisk_model *m, const double *x, size_t n, brisk_wlsmv *out,
                             brisk_error *err)
{
    memset(out, 0, sizeof *out);
    size_t p = m->p, q = m->nfree;
    out->n = n;
    out->p = p;
    out->q = q;
    brisk_status st = sample_statistics(out, x, err);
    size_t np = out->npairs;
    brisk_moments mom = {.p = p, .n = n, .cov = out->rho,
                         .mean = calloc(p + 1, sizeof(double))};
    sem_work *work = st == BRISK_OK ? brisk_sem_work_new(m, &mom, 0) : NULL;
    out->theta = calloc(q + 1, sizeof *out->theta);
    out->vcov = calloc(q * q + 1, sizeof *out->vcov);
    out->implied = calloc(p * p + 1, sizeof *out->implied);
    double *jac = malloc((np * q + 1) * sizeof *jac), *res = malloc((np + 1) * sizeof *res);
    double *h = malloc((q * q + 1) * sizeof *h), *hinv = malloc((q * q + 1) * sizeof *hinv);
    double *g = malloc((q + 1) * sizeof *g), *step = malloc((q * q + 1) * sizeof *step);
    double *trial = malloc((q + 1) * sizeof *trial);
    if (st == BRISK_OK && (!mom.mean || !work || !out->theta || !out->vcov || !out->implied ||
                           !jac || !res || !h || !hinv || !g || !step || !trial))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        brisk_sem_start(m, &mom, out->theta);
        st = gauss_newton(work, out, out->theta, jac, res, h, hinv, g, step, trial, err);
    }
    if (st == BRISK_OK) {
        /* lavaan's statistic for (D)WLS is (N - 1) F */
        out->chisq = (double)(n - 1) * out->fmin;
        out->df = (double)np - (double)q;
        for (size_t j = 0, pr = 0; j < p; j++)   /* the baseline: every correlation 0 */
            for (size_t l = j + 1; l < p; l++, pr++)
                res[pr] = out->rho[j * p + l];
        out->baseline_chisq = (double)(n - 1) * weighted_ss(out, res);
        out->baseline_df = (double)np;
        memcpy(out->implied, work->Sigma, p * p * sizeof *out->implied);
        for (size_t j = 0; j < p; j++)   /* delta parameterization: unit diagonal */
            out->implied[j * p + j] = 1;
        st = robust_inference(out, jac, hinv, err);
    }
    brisk_sem_work_free(work);
    free(mom.mean);
    free(jac), free(res), free(h), free(hinv), free(g), free(step), free(trial);
    if (st != BRISK_OK)
        brisk_wlsmv_free(out);
    return st;
}

/* ------------------------------------------------------------ as a fit */

/* The items' residual variances set to 1 less their explained variance
 * (the delta parameterization), which gives the implied matrix its unit
 * diagonal for the standardized solution; then the fit's rows. */
static brisk_status fill_fit(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                             brisk_error *err)
{
    sem_work *work = f->works[0];
    double value;
    if (!brisk_sem_fitter_objective(f, fit->theta, &value))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    size_t p = m->p;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        int i = brisk_sem_var_index(m, par->lhs);
        if (par->op == BRISK_OP_COVARY && !par->free && strcmp(par->lhs, par->rhs) == 0 &&
            i >= 0 && (size_t)i < p)
            work->fixed[r] = 1 - (work->Sigma[i * p + i] - work->fixed[r]);
    }
    if (!brisk_sem_fitter_objective(f, fit->theta, &value) || !brisk_sem_fitter_derivatives(f))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    brisk_sem_fill_rows(m, f, fit);
    return BRISK_OK;
}

static void fill_measures(const brisk_model *m, const brisk_wlsmv *w, brisk_fit_measures *f)
{
    double n = (double)w->n;
    *f = (brisk_fit_measures){.nobs = w->n, .npar = m->nfree + w->ntau, .loglik = NAN,
                              .unrestricted_loglik = NAN, .aic = NAN, .bic = NAN, .sabic = NAN,
                              .scaled = true, .robust = false};
    f->chisq = w->chisq;
    f->df = w->df;
    f->pvalue = gsl_cdf_chisq_Q(w->chisq, w->df);
    f->baseline_chisq = w->baseline_chisq;
    f->baseline_df = w->baseline_df;
    f->baseline_pvalue = gsl_cdf_chisq_Q(w->baseline_chisq, w->baseline_df);
    brisk_sem_cfi_tli(f->chisq, f->df, f->baseline_chisq, f->baseline_df, 1, 1, &f->cfi,
                      &f->tli);
    brisk_sem_rmsea(f->chisq, f->df, n, 1, 1, &f->rmsea, &f->rmsea_ci_lower, &f->rmsea_ci_upper);
    f->rmsea_pvalue = NAN;
    f->chisq_scaled = w->chisq_scaled;
    f->pvalue_scaled = gsl_cdf_chisq_Q(w->chisq_scaled, w->df);
    f->scaling_factor = w->scaling_factor;
    f->shift = w->shift;
    f->baseline_chisq_scaled = w->baseline_chisq_scaled;
    f->baseline_pvalue_scaled = gsl_cdf_chisq_Q(w->baseline_chisq_scaled, w->baseline_df);
    f->baseline_scaling_factor = w->baseline_scaling_factor;
    brisk_sem_cfi_tli(f->chisq_scaled, f->df, f->baseline_chisq_scaled, f->baseline_df, 1, 1,
                      &f->cfi_scaled, &f->tli_scaled);
    brisk_sem_rmsea(f->chisq_scaled, f->df, n, 1, 1, &f->rmsea_scaled, &f->rmsea_ci_lower_scaled,
                    &f->rmsea_ci_upper_scaled);
    /* SRMR: the root mean square of the correlation residuals */
    double ss = 0;
    size_t p = w->p;
    for (size_t j = 0; j < p; j++)
        for (size_t l = 0; l < j; l++)
            ss += (w->rho[j * p + l] - w->implied[j * p + l]) * (w->rho[j * p + l] - w->implied[j * p + l]);
    f->srmr = sqrt(ss / ((double)p * (double)(p + 1) / 2));
}

brisk_status brisk_fit_wlsmv(const brisk_model *m, const brisk_moments *mom, brisk_fit **out,
                             brisk_error *err)
{
    *out = NULL;
    if (m->ngroups > 1 || brisk_model_nexogenous(m) > 0)
        return brisk_error_set(err, BRISK_ERR_MODEL, "WLSMV with groups or with covariates "
                               "(observed predictors) is not available yet");
    brisk_wlsmv w;
    brisk_status st = brisk_wlsmv_fit(m, mom->data, mom->n, &w, err);
    if (st != BRISK_OK)
        return st;
    size_t q = m->nfree;
    brisk_moments poly = {.p = m->p, .n = mom->n, .cov = w.rho, .mean = mom->mean};
    sem_fitter *f = brisk_sem_fitter_new(m, &poly);
    brisk_fit *fit = calloc(1, sizeof *fit);
    if (!f || !fit) {
        brisk_sem_fitter_free(f);
        free(fit);
        brisk_wlsmv_free(&w);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    fit->model = m;
    fit->converged = true;
    fit->iterations = w.iterations;
    fit->fmin = w.fmin;
    fit->vcov_valid = true;
    fit->admissible = true;
    fit->theta = malloc((q + 1) * sizeof *fit->theta);
    fit->vcov = malloc((q * q + 1) * sizeof *fit->vcov);
    fit->rows = calloc(m->nparams + 1, sizeof *fit->rows);
    fit->thresholds = malloc((w.ntau + 1) * sizeof *fit->thresholds);
    fit->threshold_se = malloc((w.ntau + 1) * sizeof *fit->threshold_se);
    fit->threshold_item = malloc((w.ntau + 1) * sizeof *fit->threshold_item);
    if (!fit->theta || !fit->vcov || !fit->rows || !fit->thresholds || !fit->threshold_se ||
        !fit->threshold_item)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        memcpy(fit->theta, w.theta, q * sizeof *fit->theta);
        memcpy(fit->vcov, w.vcov, q * q * sizeof *fit->vcov);
        fit->nthresholds = w.ntau;
        memcpy(fit->thresholds, w.tau, w.ntau * sizeof *fit->thresholds);
        memcpy(fit->threshold_se, w.tau_se, w.ntau * sizeof *fit->threshold_se);
        for (size_t j = 0, t = 0; j < w.p; j++)
            for (size_t c = 0; c + 1 < w.ncat[j]; c++)
                fit->threshold_item[t++] = j;
        fill_measures(m, &w, &fit->fit);
        st = fill_fit(m, f, fit, err);
    }
    if (st == BRISK_OK)
        st = brisk_sem_defined(m, fit, err);
    if (st == BRISK_OK)
        st = brisk_sem_standardize(m, f, fit, err);
    brisk_sem_fitter_free(f);
    brisk_wlsmv_free(&w);
    if (st != BRISK_OK) {
        brisk_fit_free(fit);
        return st;
    }
    *out = fit;
    return BRISK_OK;
}
