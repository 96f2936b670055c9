/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WLSMV's sample statistics of ordered items (see wlsmv.c), as lavaan's
 * muthen1984: per group,
 *   1. each item's thresholds: from its marginal proportions, or with
 *      covariates (lavaan's conditional.x) by an ordered probit regression
 *      on them, P(y <= c | x) = Phi(tau_c - x'beta), which gives its slopes;
 *   2. each pair's polychoric correlation by maximum likelihood with the
 *      first step's estimates held: from the pair's table, or with
 *      covariates from each respondent's shifted thresholds (the
 *      correlation of the latent responses given the covariates);
 *   3. Gamma, N times the asymptotic covariance of the slopes and
 *      correlations, from each respondent's influence: first-step
 *      A11^-1 s_1, correlations A22^-1 (s_rho - A21 A11^-1 s_1), with A11,
 *      A22 the outer products of the scores and A21 their cross products;
 *      and the thresholds' variances from theirs, or (a model that holds
 *      thresholds equal across groups) Gamma over the thresholds first and
 *      the correlations. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"
#include "sem_wls.h"
#include "stats/polychoric.h"

/* The ordered items and covariates of a model, for messages and columns. */
typedef struct items {
    const brisk_model *m;
    bool thresholds;              /* Gamma over the thresholds too (first) */
    size_t py, nx;
    const size_t *yv, *xv;   /* their columns among the model's variables */
} items;

static const char *item_name(const items *it, size_t j)
{
    return brisk_model_observed(it->m, it->yv[j]);
}

/* An answer not given (missing = "pairwise": the row's other answers
 * count): its category, which no count, score or pair takes. */
#define NO_ANSWER ((size_t)-1)

/* The distinct answers of item j over every group, sorted (at most
 * *k <= cap of them; false when there are more). */
static bool item_values(const brisk_moments *mom, size_t ngroups, size_t j, double *values,
                        size_t cap, size_t *k)
{
    size_t p = mom[0].p;   /* j: the item's column among the model's variables */
    *k = 0;
    for (size_t g = 0; g < ngroups; g++)
        for (size_t i = 0; i < mom[g].n; i++) {
            double x = mom[g].data[i * p + j];
            bool seen = isnan(x);   /* not answered (pairwise) */
            for (size_t c = 0; c < *k && !seen; c++)
                seen = values[c] == x;
            if (!seen && *k == cap)
                return false;
            if (!seen)
                values[(*k)++] = x;
        }
    for (size_t a = 1; a < *k; a++)   /* insertion sort: few categories */
        for (size_t b = a; b > 0 && values[b - 1] > values[b]; b--) {
            double t = values[b];
            values[b] = values[b - 1];
            values[b - 1] = t;
        }
    return true;
}

/* Category 0.. of every answer of every group (the k-th smallest answer
 * of an item over all groups is its category k), into y[g] (n x py); every
 * group must use every category, as lavaan requires. */
static brisk_status categorize(const brisk_model *m, const brisk_wlsmv *w,
                               const brisk_moments *mom, size_t **y, size_t *ncat,
                               brisk_error *err)
{
    enum { MAX_CATEGORIES = BRISK_POLYCHORIC_MAX_CATEGORIES };
    double values[MAX_CATEGORIES];
    size_t p = m->p, py = w->p, ngroups = w->ngroups;
    for (size_t j = 0; j < py; j++) {
        size_t k, col = w->yv[j];
        const char *item = brisk_model_observed(m, col);
        if (!item_values(mom, ngroups, col, values, MAX_CATEGORIES, &k))
            return brisk_error_set(err, BRISK_ERR_DATA, "ordered item '%s' has more than %d "
                                   "different answers: is it really an ordered item?", item,
                                   (int)MAX_CATEGORIES);
        if (k < 2)
            return brisk_error_set(err, BRISK_ERR_DATA, "ordered item '%s' has one answer in "
                                   "every row used: it has no threshold to estimate", item);
        ncat[j] = k;
        for (size_t g = 0; g < ngroups; g++) {
            size_t used[MAX_CATEGORIES] = {0};
            for (size_t i = 0; i < mom[g].n; i++) {
                size_t c = 0;
                if (isnan(mom[g].data[i * p + col])) {
                    y[g][i * py + j] = NO_ANSWER;
                    continue;
                }
                while (c + 1 < k && values[c] != mom[g].data[i * p + col])
                    c++;
                y[g][i * py + j] = c;
                used[c]++;
            }
            for (size_t c = 0; c < k; c++)
                if (!used[c])
                    return brisk_error_set(err, BRISK_ERR_DATA, "ordered item '%s' has no "
                                           "answer %g in group '%s': every group needs every "
                                           "category for WLSMV (merge the rare answers, or fit "
                                           "without --group)", item, values[c],
                                           mom[g].group ? mom[g].group : "1");
        }
    }
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

/* P and its derivatives for cell (a, b) of items with thresholds ta, tb,
 * at the correlation of rule. */
static void cell_derivatives(const double *ta, size_t ka, const double *tb, size_t kb, size_t a,
                             size_t b, const brisk_bvn_rule *rule, pair_cell *cell)
{
    double la = lower_of(ta, a), ha = upper_of(ta, a, ka);
    double lb = lower_of(tb, b), hb = upper_of(tb, b, kb), r = rule->r;
    cell->prob = brisk_bvn_cdf_rule(rule, ha, hb) - brisk_bvn_cdf_rule(rule, la, hb) -
                 brisk_bvn_cdf_rule(rule, ha, lb) + brisk_bvn_cdf_rule(rule, la, lb);
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
static brisk_status asymptotic_covariance(const items *it, brisk_wlsmv_stats *w,
                                         const size_t *y, brisk_error *err)
{
    size_t n = w->n, p = it->py, npairs = p * (p - 1) / 2, ntau = w->ntau, kmax = 2;
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
            if (y[i * p + j] == NO_ANSWER)
                continue;   /* no score: 0, as lavaan's NA in its sums */
            threshold_score(tau, k + 1, y[i * p + j], s);
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    block[a * k + b] += s[a] * s[b];
        }
        double logdet;
        if (!brisk_dense_spd_invert(block, inv, chol, k, &logdet))
            st = brisk_error_set(err, BRISK_ERR_DATA, "the thresholds of ordered item '%s' "
                                 "have no information matrix", item_name(it, j));
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
            double *a21j = a21 + pr * 2 * kmax, *a21l = a21j + kmax;
            brisk_bvn_rule rule;
            brisk_bvn_rule_init(&rule, w->rho[j * p + l]);
            for (size_t a = 0; a < kj; a++)
                for (size_t b = 0; b < kl; b++) {
                    size_t c = a * kl + b;
                    cell_derivatives(tj, kj, tl, kl, a, b, &rule, &cell);
                    cprob[c] = cell.prob;
                    cdrho[c] = cell.drho;
                    memcpy(cda + c * kmax, da, (kj - 1) * sizeof *da);
                    memcpy(cdb + c * kmax, db, (kl - 1) * sizeof *db);
                }
            for (size_t i = 0; i < n; i++) {
                if (y[i * p + j] == NO_ANSWER || y[i * p + l] == NO_ANSWER) {
                    sc_rho[pr * n + i] = 0;
                    continue;
                }
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
    /* Gamma = N sum_i inf inf' (the influences are of sums: B^-1 s_i); with
     * the thresholds among the statistics, they come first */
    size_t off = it->thresholds ? ntau : 0, ns = off + npairs;
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
            w->gamma[(off + a) * ns + off + b] = w->gamma[(off + b) * ns + off + a] = v * (double)n;
        }
    for (size_t t = 0; st == BRISK_OK && off && t < ntau; t++) {
        for (size_t u = 0; u <= t; u++) {
            double v = 0;
            for (size_t i = 0; i < n; i++)
                v += inf_tau[i * ntau + t] * inf_tau[i * ntau + u];
            w->gamma[t * ns + u] = w->gamma[u * ns + t] = v * (double)n;
        }
        for (size_t a = 0; a < npairs; a++) {
            double v = 0;
            for (size_t i = 0; i < n; i++)
                v += inf_tau[i * ntau + t] * inf_rho[a * n + i];
            w->gamma[t * ns + off + a] = w->gamma[(off + a) * ns + t] = v * (double)n;
        }
    }
    for (size_t t = 0; st == BRISK_OK && t < ntau; t++) {
        double v = 0;
        for (size_t i = 0; i < n; i++)
            v += inf_tau[i * ntau + t] * inf_tau[i * ntau + t];
        w->tau_se[t] = v;   /* the variance: the fit scales it as lavaan */
    }
    free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a21);
    free(a22), free(block), free(inv), free(chol), free(da), free(db), free(inf_rho);
    return st;
}

/* One group's thresholds, polychoric correlations and Gamma from its
 * categories y (n x p), without covariates (the arrays allocated). */
static brisk_status sample_statistics(const items *it, brisk_wlsmv_stats *w,
                                      const size_t *ncat, const size_t *y, brisk_error *err)
{
    size_t n = w->n, p = it->py, kmax = 2;
    for (size_t j = 0; j < p; j++)
        kmax = ncat[j] > kmax ? ncat[j] : kmax;
    double *counts = calloc(kmax * kmax + 1, sizeof *counts);
    brisk_status st = counts ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, off = 0; st == BRISK_OK && j < p; off += ncat[j] - 1, j++) {
        memset(counts, 0, kmax * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            if (y[i * p + j] != NO_ANSWER)
                counts[y[i * p + j]] += 1;
        brisk_thresholds(counts, ncat[j], w->tau + off);
    }
    for (size_t j = 0, oj = 0; st == BRISK_OK && j < p; oj += ncat[j] - 1, j++) {
        w->rho[j * p + j] = 1;
        for (size_t l = j + 1, ol = oj + ncat[j] - 1; st == BRISK_OK && l < p;
             ol += ncat[l] - 1, l++) {
            memset(counts, 0, kmax * kmax * sizeof *counts);
            for (size_t i = 0; i < n; i++)
                if (y[i * p + j] != NO_ANSWER && y[i * p + l] != NO_ANSWER)
                    counts[y[i * p + j] * ncat[l] + y[i * p + l]] += 1;
            double r = 0;
            if (!brisk_polychoric(counts, ncat[j], ncat[l], w->tau + oj, w->tau + ol, &r))
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of items "
                                     "'%s' and '%s' has no estimate inside (-1, 1)",
                                     item_name(it, j), item_name(it, l));
            w->rho[j * p + l] = w->rho[l * p + j] = r;
        }
    }
    if (st == BRISK_OK)
        st = asymptotic_covariance(it, w, y, err);
    free(counts);
    return st;
}

/* ------------------------------------------- given covariates (conditional.x) */

/* One answer's log-probability under an ordered probit and its derivatives
 * in the upper and lower bounds a = tau_c - eta, b = tau_{c-1} - eta. */
typedef struct probit_terms {
    double ga, gb;            /* d log P / da, d log P / db */
    double haa, hbb, hab;     /* second derivatives */
} probit_terms;

static double probit_answer(const double *tau, size_t ncat, size_t c, double eta,
                            probit_terms *t)
{
    double a = c + 1 < ncat ? tau[c] - eta : INFINITY;
    double b = c > 0 ? tau[c - 1] - eta : -INFINITY;
    /* the tail that keeps the difference accurate */
    double prob = b > 0 ? gsl_cdf_ugaussian_Q(b) - (isinf(a) ? 0 : gsl_cdf_ugaussian_Q(a))
                        : (isinf(a) ? 1 : gsl_cdf_ugaussian_P(a)) -
                              (isinf(b) ? 0 : gsl_cdf_ugaussian_P(b));
    double fa = isinf(a) ? 0 : gsl_ran_ugaussian_pdf(a);
    double fb = isinf(b) ? 0 : gsl_ran_ugaussian_pdf(b);
    t->ga = fa / prob;
    t->gb = -fb / prob;
    t->haa = isinf(a) ? 0 : -a * t->ga - t->ga * t->ga;
    t->hbb = isinf(b) ? 0 : -b * t->gb - t->gb * t->gb;
    t->hab = -t->ga * t->gb;
    return log(prob);
}

/* The gradient of a = tau_c - x'beta (or of b, with c - 1) over the item's
 * parameters (thresholds, then slopes); k < 0: no such bound. */
static void bound_gradient(long k, const double *x, size_t nt, size_t nx, double *d)
{
    memset(d, 0, (nt + nx) * sizeof *d);
    if (k < 0)
        return;
    d[k] = 1;
    for (size_t v = 0; v < nx; v++)
        d[nt + v] = -x[v];
}

/* Log-likelihood, scores (sc: n x d, when given), gradient and Hessian of
 * item j's ordered probit at (tau, beta). */
static double probit_loglik(size_t n, const size_t *y, size_t py, size_t j, const double *x,
                            size_t nx, size_t ncat, const double *par, double *sc, double *grad,
                            double *hess, double *da, double *db)
{
    size_t nt = ncat - 1, d = nt + nx;
    double ll = 0;
    if (grad)
        memset(grad, 0, d * sizeof *grad);
    if (hess)
        memset(hess, 0, d * d * sizeof *hess);
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * nx;
        double eta = 0;
        for (size_t v = 0; v < nx; v++)
            eta += xi[v] * par[nt + v];
        size_t c = y[i * py + j];
        probit_terms t;
        ll += probit_answer(par, ncat, c, eta, &t);
        bound_gradient(c + 1 < ncat ? (long)c : -1, xi, nt, nx, da);
        bound_gradient((long)c - 1, xi, nt, nx, db);
        for (size_t r = 0; r < d; r++) {
            double s = t.ga * da[r] + t.gb * db[r];
            if (sc)
                sc[i * d + r] = s;
            if (grad)
                grad[r] += s;
            for (size_t k = 0; hess && k < d; k++)
                hess[r * d + k] += t.haa * da[r] * da[k] + t.hbb * db[r] * db[k] +
                                   t.hab * (da[r] * db[k] + db[r] * da[k]);
        }
    }
    return ll;
}

static bool increasing(const double *tau, size_t nt)
{
    for (size_t c = 1; c < nt; c++)
        if (!(tau[c] > tau[c - 1]))
            return false;
    return true;
}

/* Item j's ordered probit regression on the covariates by Newton-Raphson
 * from the marginal thresholds (also left in marginal) and zero slopes
 * (par: thresholds, slopes); its scores per respondent into sc (n x d). */
static bool probit_fit(size_t n, const size_t *y, size_t py, size_t j, const double *x,
                       size_t nx, size_t ncat, double *par, double *sc, double *marginal)
{
    size_t nt = ncat - 1, d = nt + nx;
    double *counts = calloc(ncat, sizeof *counts), *grad = malloc(d * sizeof *grad);
    double *hess = malloc(d * d * sizeof *hess), *inv = malloc(d * d * sizeof *inv);
    double *chol = malloc(d * d * sizeof *chol), *step = malloc(d * sizeof *step);
    double *trial = malloc(d * sizeof *trial), *da = malloc(d * sizeof *da);
    double *db = malloc(d * sizeof *db);
    bool ok = counts && grad && hess && inv && chol && step && trial && da && db;
    if (ok) {
        for (size_t i = 0; i < n; i++)
            counts[y[i * py + j]] += 1;
        brisk_thresholds(counts, ncat, par);
        memcpy(marginal, par, nt * sizeof *par);
        memset(par + nt, 0, nx * sizeof *par);
    }
    bool converged = false;
    for (int it = 0; ok && it < 100 && !converged; it++) {
        double ll = probit_loglik(n, y, py, j, x, nx, ncat, par, NULL, grad, hess, da, db);
        for (size_t r = 0; r < d * d; r++)
            hess[r] = -hess[r];
        double logdet, size = 0;
        if (!(ok = brisk_dense_spd_invert(hess, inv, chol, d, &logdet)))
            break;
        for (size_t r = 0; r < d; r++) {
            step[r] = 0;
            for (size_t k = 0; k < d; k++)
                step[r] += inv[r * d + k] * grad[k];
            size = fmax(size, fabs(step[r]) / (1 + fabs(par[r])));
        }
        double t = 1, lt = -INFINITY;
        for (int half = 0; half < 40; half++, t /= 2) {
            for (size_t r = 0; r < d; r++)
                trial[r] = par[r] + t * step[r];
            if (increasing(trial, nt) &&
                (lt = probit_loglik(n, y, py, j, x, nx, ncat, trial, NULL, NULL, NULL, da,
                                    db)) >= ll - 1e-12 * fabs(ll))
                break;
        }
        if (!(lt >= ll - 1e-12 * fabs(ll)))
            break;
        memcpy(par, trial, d * sizeof *par);
        converged = size < 1e-11;
    }
    ok = ok && converged;
    if (ok)
        probit_loglik(n, y, py, j, x, nx, ncat, par, sc, NULL, NULL, da, db);
    free(counts), free(grad), free(hess), free(inv), free(chol), free(step), free(trial);
    free(da), free(db);
    return ok;
}

/* d log phi2(u, v; r) / dr of the standard bivariate normal density. */
static double dlog_bvn_pdf(double u, double v, double r)
{
    double s2 = 1 - r * r;
    return (r + u * v) / s2 - r * (u * u - 2 * r * u * v + v * v) / (s2 * s2);
}

/* A cell's probability with bounds (la, ha) x (lb, hb) and its first two
 * derivatives in r. */
static double cell_prob(double la, double ha, double lb, double hb, const brisk_bvn_rule *rule,
                        double *d1, double *d2)
{
    double r = rule->r;
    double u[4] = {ha, la, ha, la}, v[4] = {hb, hb, lb, lb}, sign[4] = {1, -1, -1, 1};
    double prob = 0;
    *d1 = *d2 = 0;
    for (int k = 0; k < 4; k++) {
        prob += sign[k] * brisk_bvn_cdf_rule(rule, u[k], v[k]);
        if (isinf(u[k]) || isinf(v[k]))
            continue;
        double f = brisk_bvn_pdf(u[k], v[k], r);
        *d1 += sign[k] * f;
        *d2 += sign[k] * f * dlog_bvn_pdf(u[k], v[k], r);
    }
    return prob;
}

/* The per-respondent bounds of item j's answer given the covariates. */
static void shifted_bounds(const double *tau, size_t ncat, size_t c, double eta, double *lo,
                           double *hi)
{
    *lo = c > 0 ? tau[c - 1] - eta : -INFINITY;
    *hi = c + 1 < ncat ? tau[c] - eta : INFINITY;
}

/* The log-likelihood of a pair's answers given the covariates at r, with
 * its first two derivatives. */
static double pair_loglik(const brisk_wlsmv_stats *w, const size_t *off, const size_t *y,
                          const double *eta, size_t py, size_t j, size_t l, double r, double *g,
                          double *h)
{
    double ll = 0;
    *g = *h = 0;
    brisk_bvn_rule rule;
    brisk_bvn_rule_init(&rule, r);
    for (size_t i = 0; i < w->n; i++) {
        double la, ha, lb, hb, d1, d2;
        shifted_bounds(w->tau + off[j], w->ncat[j], y[i * py + j], eta[i * py + j], &la, &ha);
        shifted_bounds(w->tau + off[l], w->ncat[l], y[i * py + l], eta[i * py + l], &lb, &hb);
        double prob = cell_prob(la, ha, lb, hb, &rule, &d1, &d2);
        if (!(prob > 0))
            return -INFINITY;
        ll += log(prob);
        *g += d1 / prob;
        *h += d2 / prob - (d1 / prob) * (d1 / prob);
    }
    return ll;
}

/* The correlation of items j and l given the covariates: Newton from
 * start, halving steps that lose likelihood or leave (-1, 1).  A step
 * below 1e-6 is the last: Newton's next error is of its square. */
static bool pair_fit(const brisk_wlsmv_stats *w, const size_t *off, const size_t *y,
                     const double *eta, size_t py, size_t j, size_t l, double start,
                     double *rho)
{
    double r = start, g, h;
    double ll = pair_loglik(w, off, y, eta, py, j, l, r, &g, &h);
    for (int it = 0; it < 100 && isfinite(ll); it++) {
        double step = h < 0 ? -g / h : g * 0.1, t = 1, lt = -INFINITY, rt = r, gt, ht;
        if (h < 0 && fabs(step) < 1e-6 && fabs(r + step) < 1) {
            *rho = r + step;
            return true;
        }
        for (int half = 0; half < 60; half++, t /= 2) {
            rt = r + t * step;
            if (fabs(rt) < 1 - 1e-9 &&
                (lt = pair_loglik(w, off, y, eta, py, j, l, rt, &gt, &ht)) >= ll - 1e-12 * fabs(ll))
                break;
        }
        if (!(lt >= ll - 1e-12 * fabs(ll)))
            return false;
        r = rt, ll = lt, g = gt, h = ht;
    }
    return false;
}

/* The conditional statistics' influences, allocated together. */
typedef struct cond_work {
    size_t *off;       /* each item's first threshold; its parameters' offset in par */
    size_t *poff;
    double *par;       /* every item's thresholds and slopes */
    double *sc;        /* per item: n x d_j scores */
    double *inf;       /* per item: n x d_j first-step influences */
    double *eta;       /* n x py linear predictors */
    double *sc_rho;    /* n: one pair's correlation scores */
    double *pair_sc;   /* n x (d_j + d_l): the pair's scores for both items' parameters */
    double *a21, *ta, *tb, *da, *db, *block, *inv, *chol;
    double *stat_inf;  /* nstat x n: the statistics' influences */
    double *marginal;  /* every item's thresholds without the covariates */
    double *table;     /* a pair's counts */
} cond_work;

static void cond_free(cond_work *c)
{
    free(c->off), free(c->poff), free(c->par), free(c->sc), free(c->inf), free(c->eta);
    free(c->sc_rho), free(c->pair_sc), free(c->a21), free(c->ta), free(c->tb), free(c->da);
    free(c->db), free(c->block), free(c->inv), free(c->chol), free(c->stat_inf);
    free(c->marginal), free(c->table);
}

static bool cond_init(cond_work *c, const brisk_wlsmv_stats *w, size_t py, size_t nx,
                      size_t nstat)
{
    size_t n = w->n, dmax = 1, dsum = 0;
    for (size_t j = 0; j < py; j++) {
        size_t d = w->ncat[j] - 1 + nx;
        dmax = d > dmax ? d : dmax;
        dsum += d;
    }
    *c = (cond_work){0};
    c->off = calloc(py + 1, sizeof *c->off);
    c->poff = calloc(py + 1, sizeof *c->poff);
    c->par = malloc((dsum + 1) * sizeof *c->par);
    c->sc = malloc((n * dsum + 1) * sizeof *c->sc);
    c->inf = malloc((n * dsum + 1) * sizeof *c->inf);
    c->eta = malloc((n * py + 1) * sizeof *c->eta);
    c->sc_rho = malloc((n + 1) * sizeof *c->sc_rho);
    c->pair_sc = malloc((n * 2 * dmax + 1) * sizeof *c->pair_sc);
    c->a21 = malloc((2 * dmax + 1) * sizeof *c->a21);
    c->ta = malloc((dmax + 1) * sizeof *c->ta);
    c->tb = malloc((dmax + 1) * sizeof *c->tb);
    c->da = malloc((dmax + 1) * sizeof *c->da);
    c->db = malloc((dmax + 1) * sizeof *c->db);
    c->block = malloc((dmax * dmax + 1) * sizeof *c->block);
    c->inv = malloc((dmax * dmax + 1) * sizeof *c->inv);
    c->chol = malloc((dmax * dmax + 1) * sizeof *c->chol);
    c->stat_inf = calloc(nstat * n + 1, sizeof *c->stat_inf);
    c->marginal = malloc((dsum + 1) * sizeof *c->marginal);
    c->table = malloc(((dmax + 1) * (dmax + 1)) * sizeof *c->table);   /* ncat <= dmax + 1 */
    if (!c->marginal || !c->table || !c->off || !c->poff || !c->par || !c->sc || !c->inf ||
        !c->eta || !c->sc_rho || !c->pair_sc || !c->a21 || !c->ta || !c->tb || !c->da || !c->db || !c->block ||
        !c->inv || !c->chol || !c->stat_inf)
        return false;
    for (size_t j = 1; j < py; j++) {
        c->off[j] = c->off[j - 1] + w->ncat[j - 1] - 1;
        c->poff[j] = c->poff[j - 1] + w->ncat[j - 1] - 1 + nx;
    }
    return true;
}

/* Step 1 given the covariates: each item's probit, its influences
 * A11^-1 s (A11 the scores' outer product), the slopes' influences into
 * the statistics, the linear predictors. */
static brisk_status conditional_step1(const items *it, brisk_wlsmv_stats *w, cond_work *c,
                                      const size_t *y, const double *x, brisk_error *err)
{
    size_t n = w->n, py = it->py, nx = it->nx;
    for (size_t j = 0; j < py; j++) {
        size_t nt = w->ncat[j] - 1, d = nt + nx;
        double *par = c->par + c->poff[j], *sc = c->sc + n * c->poff[j];
        double *inf = c->inf + n * c->poff[j], logdet;
        if (!probit_fit(n, y, py, j, x, nx, w->ncat[j], par, sc, c->marginal + c->off[j]))
            return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the ordered probit regression "
                                   "of item '%s' on the covariates did not converge (are the "
                                   "covariates collinear, or does one predict an answer "
                                   "perfectly?)", item_name(it, j));
        memcpy(w->tau + c->off[j], par, nt * sizeof *par);
        memcpy(w->slopes + j * nx, par + nt, nx * sizeof *par);
        memset(c->block, 0, d * d * sizeof *c->block);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b < d; b++)
                    c->block[a * d + b] += sc[i * d + a] * sc[i * d + b];
        if (!brisk_dense_spd_invert(c->block, c->inv, c->chol, d, &logdet))
            return brisk_error_set(err, BRISK_ERR_DATA, "the probit regression of item '%s' "
                                   "has no information matrix", item_name(it, j));
        for (size_t i = 0; i < n; i++) {
            double eta = 0;
            for (size_t v = 0; v < nx; v++)
                eta += x[i * nx + v] * par[nt + v];
            c->eta[i * py + j] = eta;
            for (size_t a = 0; a < d; a++) {
                double v = 0;
                for (size_t b = 0; b < d; b++)
                    v += c->inv[a * d + b] * sc[i * d + b];
                inf[i * d + a] = v;
            }
            for (size_t v = 0; v < nx; v++)
                c->stat_inf[(j * nx + v) * n + i] = inf[i * d + nt + v];
            for (size_t a = 0; a < nt; a++)
                w->tau_se[c->off[j] + a] += inf[i * d + a] * inf[i * d + a];
        }
    }
    return BRISK_OK;
}

/* Step 2 for the pair (j, l): the correlation, its scores and the
 * influences A22^-1 (s_rho - A21 A11^-1 s_1) into statistic row s. */
static brisk_status conditional_pair(const items *it, brisk_wlsmv_stats *w, cond_work *c,
                                     const size_t *y, const double *x, size_t j, size_t l,
                                     size_t s)
{
    size_t n = w->n, py = it->py, nx = it->nx;
    size_t kj = w->ncat[j], kl = w->ncat[l], dj = kj - 1 + nx, dl = kl - 1 + nx;
    /* start: the polychoric of the pair's table, without the covariates */
    double r = 0, *table = c->table;
    memset(table, 0, kj * kl * sizeof *table);
    for (size_t i = 0; i < n; i++)
        table[y[i * py + j] * kl + y[i * py + l]] += 1;
    if (!brisk_polychoric(table, kj, kl, c->marginal + c->off[j], c->marginal + c->off[l], &r))
        r = 0;
    if (!pair_fit(w, c->off, y, c->eta, py, j, l, r, &r))
        return BRISK_ERR_DATA;
    w->rho[j * py + l] = w->rho[l * py + j] = r;
    pair_cell cell = {.dtau_a = c->da, .dtau_b = c->db};
    brisk_bvn_rule rule;
    brisk_bvn_rule_init(&rule, r);
    double a22 = 0;
    memset(c->a21, 0, (dj + dl) * sizeof *c->a21);
    for (size_t i = 0; i < n; i++) {
        const double *tj = w->tau + c->off[j], *tl = w->tau + c->off[l];
        for (size_t t = 0; t + 1 < kj; t++)
            c->ta[t] = tj[t] - c->eta[i * py + j];
        for (size_t t = 0; t + 1 < kl; t++)
            c->tb[t] = tl[t] - c->eta[i * py + l];
        cell_derivatives(c->ta, kj, c->tb, kl, y[i * py + j], y[i * py + l], &rule, &cell);
        double srho = cell.drho / cell.prob, sum_a = 0, sum_b = 0;
        double *ps = c->pair_sc + i * (dj + dl);
        for (size_t t = 0; t + 1 < kj; t++)
            sum_a += ps[t] = cell.dtau_a[t] / cell.prob;
        for (size_t t = 0; t + 1 < kl; t++)
            sum_b += ps[dj + t] = cell.dtau_b[t] / cell.prob;
        for (size_t v = 0; v < nx; v++) {   /* d / d beta = -x d / d tau summed */
            ps[kj - 1 + v] = -x[i * nx + v] * sum_a;
            ps[dj + kl - 1 + v] = -x[i * nx + v] * sum_b;
        }
        c->sc_rho[i] = srho;
        a22 += srho * srho;
        for (size_t t = 0; t < dj + dl; t++)
            c->a21[t] += srho * ps[t];
    }
    const double *inf_j = c->inf + n * c->poff[j], *inf_l = c->inf + n * c->poff[l];
    for (size_t i = 0; i < n; i++) {
        double v = c->sc_rho[i];
        for (size_t t = 0; t < dj; t++)
            v -= c->a21[t] * inf_j[i * dj + t];
        for (size_t t = 0; t < dl; t++)
            v -= c->a21[dj + t] * inf_l[i * dl + t];
        c->stat_inf[s * n + i] = v / a22;
    }
    return BRISK_OK;
}

/* One group's statistics given the covariates x (n x nx). */
static brisk_status conditional_statistics(const items *it, brisk_wlsmv_stats *w,
                                           const size_t *y, const double *x, brisk_error *err)
{
    size_t n = w->n, py = it->py, nx = it->nx, ns = py * nx, nstat = ns + py * (py - 1) / 2;
    cond_work c;
    brisk_status st = cond_init(&c, w, py, nx, nstat)
                          ? conditional_step1(it, w, &c, y, x, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, s = ns; st == BRISK_OK && j < py; j++) {
        w->rho[j * py + j] = 1;
        for (size_t l = j + 1; st == BRISK_OK && l < py; l++, s++)
            if (conditional_pair(it, w, &c, y, x, j, l, s) != BRISK_OK)
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of items "
                                     "'%s' and '%s' given the covariates has no estimate inside "
                                     "(-1, 1)", item_name(it, j), item_name(it, l));
    }
    for (size_t a = 0; st == BRISK_OK && a < nstat; a++)
        for (size_t b = 0; b <= a; b++) {
            const double *ia = c.stat_inf + a * n, *ib = c.stat_inf + b * n;
            double v = 0;
            for (size_t i = 0; i < n; i++)
                v += ia[i] * ib[i];
            w->gamma[a * nstat + b] = w->gamma[b * nstat + a] = v * (double)n;
        }
    cond_free(&c);
    return st;
}

/* ------------------------------------------------------------ all groups */

/* The covariates' means and covariances (divisor n - 1, as lavaan's
 * (D)WLS keeps them under fixed.x) and the covariances' inverse. */
static brisk_status covariate_moments(const items *it, brisk_wlsmv_stats *w, const double *x,
                                      brisk_error *err)
{
    size_t n = w->n, nx = it->nx;
    w->xmean = calloc(nx + 1, sizeof *w->xmean);
    w->xcov = calloc(nx * nx + 1, sizeof *w->xcov);
    w->xcov_inv = calloc(nx * nx + 1, sizeof *w->xcov_inv);
    double *chol = malloc((nx * nx + 1) * sizeof *chol), logdet;
    brisk_status st = w->xmean && w->xcov && w->xcov_inv && chol
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && i < n; i++)
        for (size_t u = 0; u < nx; u++)
            w->xmean[u] += x[i * nx + u];
    for (size_t u = 0; st == BRISK_OK && u < nx; u++)
        w->xmean[u] /= (double)n;   /* a constant's mean exactly, so its variance is 0 */
    for (size_t i = 0; st == BRISK_OK && i < n; i++)
        for (size_t u = 0; u < nx; u++)
            for (size_t v = 0; v < nx; v++)
                w->xcov[u * nx + v] += (x[i * nx + u] - w->xmean[u]) *
                                       (x[i * nx + v] - w->xmean[v]) / (double)(n - 1);
    for (size_t u = 0; st == BRISK_OK && u < nx; u++)
        if (!(w->xcov[u * nx + u] > 0)) {
            brisk_error_variable(err, brisk_model_observed(it->m, it->xv[u]));
            st = brisk_error_set(err, BRISK_ERR_DATA, "covariate '%s' is constant in the rows "
                                 "used: drop it from the model",
                                 brisk_model_observed(it->m, it->xv[u]));
        }
    if (st == BRISK_OK && nx && !brisk_dense_spd_invert(w->xcov, w->xcov_inv, chol, nx, &logdet))
        st = brisk_error_set(err, BRISK_ERR_DATA, "the covariates are collinear in the rows "
                             "used: drop one of them from the model");
    free(chol);
    return st;
}

static brisk_status group_statistics(const items *it, brisk_wlsmv_stats *w, const size_t *ncat,
                                     const size_t *y, const double *x, brisk_error *err)
{
    size_t py = it->py, nx = it->nx, np = py * (py - 1) / 2, nstat = py * nx + np, ntau = 0;
    for (size_t j = 0; j < py; j++)
        ntau += ncat[j] - 1;
    if (it->thresholds)
        nstat += ntau;
    w->ntau = ntau;
    w->ncat = malloc((py + 1) * sizeof *w->ncat);
    w->tau = calloc(ntau + 1, sizeof *w->tau);
    w->tau_se = calloc(ntau + 1, sizeof *w->tau_se);
    w->slopes = calloc(py * nx + 1, sizeof *w->slopes);
    w->rho = calloc(py * py + 1, sizeof *w->rho);
    w->gamma = calloc(nstat * nstat + 1, sizeof *w->gamma);
    if (!w->ncat || !w->tau || !w->tau_se || !w->slopes || !w->rho || !w->gamma)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    memcpy(w->ncat, ncat, py * sizeof *ncat);
    brisk_status st = covariate_moments(it, w, x, err);
    if (st != BRISK_OK)
        return st;
    return nx ? conditional_statistics(it, w, y, x, err) : sample_statistics(it, w, ncat, y, err);
}

brisk_status brisk_wlsmv_statistics(const brisk_model *m, const brisk_moments *mom,
                                    brisk_wlsmv *w, brisk_error *err)
{
    size_t G = w->ngroups, py = w->p, nx = w->nx, p = m->p;
    items it = {.m = m, .thresholds = w->thresholds_in, .py = py, .nx = nx, .yv = w->yv,
                .xv = w->xv};
    size_t **y = calloc(G, sizeof *y), *ncat = calloc(py + 1, sizeof *ncat);
    double **x = calloc(G, sizeof *x);
    w->groups = calloc(G, sizeof *w->groups);
    brisk_status st = y && x && ncat && w->groups
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t g = 0; st == BRISK_OK && g < G; g++) {
        size_t n = mom[g].n;
        w->groups[g].n = n;
        w->n += n;
        if (n < 2)
            st = brisk_error_set(err, BRISK_ERR_DATA, "%s%s%shas fewer than two complete "
                                 "respondents", mom[g].group ? "group '" : "",
                                 mom[g].group ? mom[g].group : "", mom[g].group ? "' " : "");
        else if (!(y[g] = malloc(n * py * sizeof *y[g])) ||
                 !(x[g] = malloc((n * nx + 1) * sizeof *x[g])))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == BRISK_OK && i < n; i++)
            for (size_t v = 0; v < nx; v++)
                x[g][i * nx + v] = mom[g].data[i * p + w->xv[v]];
        /* rows with answers missing (missing = "pairwise") and covariates:
         * lavaan's pairwise probits given them are not in brisk */
        for (size_t i = 0; st == BRISK_OK && nx && i < n * p; i++)
            if (isnan(mom[g].data[i]))
                st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "--missing pairwise with "
                                     "covariates in the model is not supported yet: fit "
                                     "listwise (the default), or leave the covariates out");
    }
    if (st == BRISK_OK)
        st = categorize(m, w, mom, y, ncat, err);
    for (size_t j = 0; st == BRISK_OK && w->thresholds_in && j < py; j++)
        w->ntau1 += ncat[j] - 1;
    w->nstat += w->ntau1;
    for (size_t g = 0; st == BRISK_OK && g < G; g++) {
        st = group_statistics(&it, &w->groups[g], ncat, y[g], x[g], err);
        if (st != BRISK_OK && mom[g].group && err) {
            char reason[sizeof err->message];
            snprintf(reason, sizeof reason, "%s", err->message);
            brisk_error_set(err, st, "group '%s': %s", mom[g].group, reason);
        }
    }
    for (size_t g = 0; g < G; g++) {
        free(y ? y[g] : NULL);
        free(x ? x[g] : NULL);
    }
    free(y);
    free(x);
    free(ncat);
    return st;
}
