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
    double *a11inv = calloc(ntau * kmax + 1, sizeof *a11inv);  /* per item block, packed */
    double *a21 = calloc(npairs * 2 * kmax + 1, sizeof *a21);  /* per pair: both items */
    double *a22 = calloc(npairs + 1, sizeof *a22);
    double *block = calloc(kmax * kmax + 1, sizeof *block), *inv = calloc(kmax * kmax + 1, sizeof *inv);
    double *chol = calloc(kmax * kmax + 1, sizeof *chol);
    double *da = calloc(kmax + 1, sizeof *da), *db = calloc(kmax + 1, sizeof *db);
    double *inf_rho = calloc(n * npairs + 1, sizeof *inf_rho);
    if (!offset || !sc_tau || !inf_tau || !sc_rho || !a11inv || !a21 || !a22 || !block || !inv ||
        !chol || !da || !db || !inf_rho) {
        free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a11inv), free(a21);
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
    /* correlations: scores, A22 (diagonal), A21, influences */
    pair_cell cell = {.dtau_a = da, .dtau_b = db};
    for (size_t j = 0, pr = 0; st == BRISK_OK && j < p; j++)
        for (size_t l = j + 1; l < p; l++, pr++) {
            size_t kj = w->ncat[j], kl = w->ncat[l];
            const double *tj = w->tau + offset[j], *tl = w->tau + offset[l];
            double r = w->rho[j * p + l], *a21j = a21 + pr * 2 * kmax, *a21l = a21j + kmax;
            for (size_t i = 0; i < n; i++) {
                cell_derivatives(tj, kj, tl, kl, y[i * p + j], y[i * p + l], r, &cell);
                double s = cell.drho / cell.prob;
                sc_rho[i * npairs + pr] = s;
                a22[pr] += s * s;
                for (size_t a = 0; a + 1 < kj; a++)
                    a21j[a] += s * da[a] / cell.prob;
                for (size_t b = 0; b + 1 < kl; b++)
                    a21l[b] += s * db[b] / cell.prob;
            }
            for (size_t i = 0; i < n; i++) {
                double v = sc_rho[i * npairs + pr];
                for (size_t a = 0; a + 1 < kj; a++)
                    v -= a21j[a] * inf_tau[i * ntau + offset[j] + a];
                for (size_t b = 0; b + 1 < kl; b++)
                    v -= a21l[b] * inf_tau[i * ntau + offset[l] + b];
                inf_rho[i * npairs + pr] = v / a22[pr];
            }
        }
    /* Gamma = N sum_i inf inf' (the influences are of sums: B^-1 s_i) */
    for (size_t a = 0; st == BRISK_OK && a < npairs; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = 0;
            for (size_t i = 0; i < n; i++)
                v += inf_rho[i * npairs + a] * inf_rho[i * npairs + b];
            w->gamma[a * npairs + b] = w->gamma[b * npairs + a] = v * (double)n;
        }
    for (size_t t = 0; st == BRISK_OK && t < ntau; t++) {
        double v = 0;
        for (size_t i = 0; i < n; i++)
            v += inf_tau[i * ntau + t] * inf_tau[i * ntau + t];
        /* N v is the asymptotic variance; divided by N - 1 as lavaan's (D)WLS */
        w->tau_se[t] = sqrt(v * (double)n / (double)(n - 1));
    }
    free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a11inv), free(a21);
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
        for (size_t a = 0; a < np; a++)   /* the baseline: every correlation 0 */
            res[a] = 0;
        for (size_t j = 0, pr = 0; j < p; j++)
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
