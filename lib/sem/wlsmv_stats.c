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
#include <float.h>
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
    const bool *numeric;          /* per item: continuous (NULL: every item ordered) */
    size_t nnum;                  /* continuous items */
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
        if (w->numeric && w->numeric[j]) {
            ncat[j] = 1;   /* continuous: no thresholds */
            continue;
        }
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

/* ------------------------------------------------ continuous items */

/* A continuous item's two first-step scores (lavaan's lav_uvreg_scores):
 * d log f / d mu and d log f / d var of the normal at its ML mean and
 * variance. */
static void normal_scores(double x, double mu, double v, double *sc)
{
    double e = x - mu;
    sc[0] = e / v;
    sc[1] = -0.5 / v + 0.5 * e * e / (v * v);
}

/* One respondent's scores in the polyserial model (lavaan's
 * lav_bvmix_cor_scores) of continuous item 1 (answer x, mean mu, variance
 * v) and ordered item 2 (category c of ncat, thresholds tau less shift:
 * its linear predictor given covariates) at correlation r: d/d rho
 * returned, d/d (mu, var) into d1, d/d tau into d2; *prob the
 * probability of c given x. */
static double polyserial_scores(double x, double mu, double v, const double *tau, size_t ncat,
                                size_t c, double shift, double r, double *d1, double *d2,
                                double *prob)
{
    double sd = sqrt(v), z = (x - mu) / sd, R = sqrt(1 - r * r);
    double up = upper_of(tau, c, ncat) - shift, lo = lower_of(tau, c) - shift;
    double a = isinf(up) ? up : (up - r * z) / R, b = isinf(lo) ? lo : (lo - r * z) / R;
    double fa = isinf(a) ? 0 : gsl_ran_ugaussian_pdf(a);
    double fb = isinf(b) ? 0 : gsl_ran_ugaussian_pdf(b);
    double pa = isinf(a) ? (a > 0) : gsl_cdf_ugaussian_P(a);
    double pb = isinf(b) ? (b > 0) : gsl_cdf_ugaussian_P(b);
    double pr = pa - pb;
    if (pr < DBL_EPSILON)
        pr = DBL_EPSILON;   /* as lavaan */
    *prob = pr;
    if (d1) {
        d1[0] = (z + r / R * (fa - fb) / pr) / sd;
        d1[1] = ((z * z - 1) + r * z / R * (fa - fb) / pr) / (2 * v);
    }
    if (d2) {
        memset(d2, 0, (ncat - 1) * sizeof *d2);
        if (c + 1 < ncat)
            d2[c] = fa / (R * pr);
        if (c > 0)
            d2[c - 1] = -fb / (R * pr);
    }
    double ta = isinf(up) ? 0 : fa * (up * r - z), tb = isinf(lo) ? 0 : fb * (lo * r - z);
    return (ta - tb) / (pr * R * R * R);
}

/* One respondent's scores in the bivariate normal of continuous items 1
 * and 2 (lavaan's lav_bvreg_cor_scores) with their ML means and variances
 * at correlation r: d/d rho returned, d/d (mu, var) of each into d1, d2. */
static double pearson_scores(double x1, double mu1, double v1, double x2, double mu2, double v2,
                             double r, double *d1, double *d2)
{
    double e1 = x1 - mu1, e2 = x2 - mu2, s12 = sqrt(v1) * sqrt(v2), R = 1 - r * r;
    d1[0] = (2 * e1 / v1 - 2 * r * e2 / s12) / (2 * R);
    d2[0] = -(2 * r * e1 / s12 - 2 * e2 / v2) / (2 * R);
    d1[1] = -(0.5 / v1 - (e1 * e1 / (v1 * v1) - r * e1 * e2 / (v1 * s12)) / (2 * R));
    d2[1] = -(0.5 / v2 + (r * e1 * e2 / (v2 * s12) - e2 * e2 / (v2 * v2)) / (2 * R));
    double q = e1 * e1 / v1 - 2 * r * e1 * e2 / s12 + e2 * e2 / v2;
    return r / R + (e1 * e2 / (s12 * R) - q * r / (R * R));
}

/* A pair of items with a continuous one (j) whose correlation is
 * estimated: the data, and the covariates' linear predictors eta (n x p,
 * or NULL); l the other item, ordered or continuous. */
typedef struct mixed_pair {
    const brisk_wlsmv_stats *w;
    const double *tau;            /* l's thresholds (ordered) */
    size_t p, j, l;
    const size_t *y;
    const double *raw, *eta;
} mixed_pair;

/* Whether respondent i answered both items of the pair (missing =
 * "pairwise" leaves NaN and NO_ANSWER where they did not). */
static bool pair_answered(const mixed_pair *mp, size_t i)
{
    size_t p = mp->p;
    return !isnan(mp->raw[i * p + mp->j]) &&
           (mp->tau ? mp->y[i * p + mp->l] != NO_ANSWER : !isnan(mp->raw[i * p + mp->l]));
}

static double eta_of(const mixed_pair *mp, size_t i, size_t j)
{
    return mp->eta ? mp->eta[i * mp->p + j] : 0;
}

/* The score in rho of the pair's log-likelihood: polyserial (lavaan's
 * lav_bvmix_gradient_cache, a respondent whose likelihood is below
 * sqrt(eps) left out) or bivariate normal (lav_bvreg), over the
 * respondents who answered both. */
static double pair_gradient(double r, const void *ctx)
{
    const mixed_pair *mp = ctx;
    const brisk_wlsmv_stats *w = mp->w;
    const double limit = sqrt(DBL_EPSILON);
    size_t p = mp->p, j = mp->j, l = mp->l;
    double mu = w->mean[j], v = w->var[j], sd = sqrt(v), g = 0, prob, d1[2], d2[2];
    for (size_t i = 0; i < w->n; i++) {
        if (!pair_answered(mp, i))
            continue;
        double xi = mp->raw[i * p + j] - eta_of(mp, i, j);
        if (!mp->tau) {
            g += pearson_scores(xi, mu, v, mp->raw[i * p + l] - eta_of(mp, i, l), w->mean[l],
                                w->var[l], r, d1, d2);
            continue;
        }
        double s = polyserial_scores(xi, mu, v, mp->tau, w->ncat[l], mp->y[i * p + l],
                                     eta_of(mp, i, l), r, NULL, NULL, &prob);
        if (gsl_ran_gaussian_pdf(xi - mu, sd) * prob >= limit)
            g += s;
    }
    return g;
}

/* The root of a decreasing score in [lo, hi] by Newton's method (its slope
 * by a central difference), kept inside a bracket that bisection narrows
 * where Newton would leave it; a bound where the score keeps its sign. */
static double score_root(double (*score)(double, const void *), const void *ctx, double lo,
                         double hi)
{
    if (score(lo, ctx) <= 0)
        return lo;   /* the likelihood falls from the lower bound on */
    if (score(hi, ctx) >= 0)
        return hi;
    double r = 0, h = 1e-6;
    for (int it = 0; it < 100 && hi - lo > 1e-12; it++) {
        double g = score(r, ctx);
        if (g > 0)
            lo = r;
        else
            hi = r;
        double slope = (score(r + h, ctx) - score(r - h, ctx)) / (2 * h);
        double next = slope < 0 ? r - g / slope : (lo + hi) / 2;
        if (!(next > lo && next < hi))
            next = (lo + hi) / 2;
        if (fabs(next - r) < 1e-12)
            return next;
        r = next;
    }
    return r;
}

/* The correlation of continuous item j with item l by maximum likelihood,
 * the first step's estimates held: polyserial (l ordered, thresholds at
 * tau_off; lavaan's lav_bvmix_cor_twostep_fit in [-0.995, 0.995]) or, l
 * continuous, Pearson's, which with answers missing (pairwise) is the
 * bivariate normal's ML over those who answered both (lavaan's
 * lav_bvreg_cor_twostep_fit in [-0.999, 0.999]). */
static double mixed_correlation(const brisk_wlsmv_stats *w, const size_t *tau_off,
                                const bool *numeric, size_t p, const size_t *y,
                                const double *raw, const double *eta, size_t j, size_t l)
{
    mixed_pair mp = {.w = w, .tau = numeric[l] ? NULL : w->tau + tau_off[l], .p = p, .j = j,
                     .l = l, .y = y, .raw = raw, .eta = eta};
    if (mp.tau)
        return score_root(pair_gradient, &mp, -0.995, 0.995);
    double c = 0;
    size_t both = 0;
    for (size_t i = 0; i < w->n; i++)
        if (pair_answered(&mp, i)) {
            c += (raw[i * p + j] - eta_of(&mp, i, j) - w->mean[j]) *
                 (raw[i * p + l] - eta_of(&mp, i, l) - w->mean[l]);
            both++;
        }
    if (both == w->n)   /* complete: the first step's moments make it Pearson's */
        return c / (double)w->n / sqrt(w->var[j] * w->var[l]);
    return score_root(pair_gradient, &mp, -0.999, 0.999);
}

/* ------------------------------------------------ Gamma */

/* Where each item's first-step parameters are: an ordered item's
 * thresholds, a continuous item's mean and variance, item by item
 * (first_off, nfirst in all), and an ordered item's thresholds among the
 * thresholds (tau_off). */
typedef struct first_step {
    size_t *first_off, *tau_off, nfirst, ntau;
} first_step;

static size_t first_count(const items *it, const brisk_wlsmv_stats *w, size_t j)
{
    return it->numeric && it->numeric[j] ? 2 : w->ncat[j] - 1;
}

/* The first-step scores of every respondent (n x nfirst) and their
 * influences A11^-1 s, A11 each item's outer product of its scores. */
static brisk_status first_influences(const items *it, const brisk_wlsmv_stats *w,
                                     const first_step *fs, const size_t *y, const double *raw,
                                     double *sc, double *inf, brisk_error *err)
{
    size_t n = w->n, p = it->py, nf = fs->nfirst, kmax = 2;
    for (size_t j = 0; j < p; j++)
        kmax = first_count(it, w, j) > kmax ? first_count(it, w, j) : kmax;
    double *block = calloc(kmax * kmax + 1, sizeof *block), *inv = calloc(kmax * kmax + 1, sizeof *inv);
    double *chol = calloc(kmax * kmax + 1, sizeof *chol);
    brisk_status st = block && inv && chol ? BRISK_OK
                                           : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < p && st == BRISK_OK; j++) {
        size_t k = first_count(it, w, j), at = fs->first_off[j];
        bool numeric = it->numeric && it->numeric[j];
        memset(block, 0, k * k * sizeof *block);
        for (size_t i = 0; i < n; i++) {
            double *s = sc + i * nf + at;
            if (numeric && isnan(raw[i * p + j]))
                continue;   /* no score: 0 */
            if (numeric)
                normal_scores(raw[i * p + j], w->mean[j], w->var[j], s);
            else if (y[i * p + j] == NO_ANSWER)
                continue;   /* no score: 0, as lavaan's NA in its sums */
            else
                threshold_score(w->tau + fs->tau_off[j], k + 1, y[i * p + j], s);
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    block[a * k + b] += s[a] * s[b];
        }
        double logdet;
        if (!brisk_dense_spd_invert(block, inv, chol, k, &logdet))
            st = brisk_error_set(err, BRISK_ERR_DATA, numeric ? "the mean and variance of "
                                 "continuous item '%s' have no information matrix" :
                                 "the thresholds of ordered item '%s' have no information "
                                 "matrix", item_name(it, j));
        for (size_t i = 0; st == BRISK_OK && i < n; i++)
            for (size_t a = 0; a < k; a++) {
                double v = 0;
                for (size_t b = 0; b < k; b++)
                    v += inv[a * k + b] * sc[i * nf + at + b];
                inf[i * nf + at + a] = v;
            }
    }
    free(block), free(inv), free(chol);
    return st;
}

/* The influence of one pair's correlation: A22^-1 (s_rho - A21 A11^-1
 * s_1), from its scores sc_rho (n) and A21 (a21j, a21l: against each
 * item's first-step parameters), into out (n). */
static void pair_influence(const items *it, const brisk_wlsmv_stats *w, const first_step *fs,
                           size_t j, size_t l, const double *sc_rho, const double *a21j,
                           const double *a21l, double a22, const double *inf_first, double *out)
{
    size_t n = w->n, nf = fs->nfirst, kj = first_count(it, w, j), kl = first_count(it, w, l);
    const double *ij = inf_first + fs->first_off[j], *il = inf_first + fs->first_off[l];
    for (size_t i = 0; i < n; i++) {
        double v = sc_rho[i];
        for (size_t a = 0; a < kj; a++)
            v -= a21j[a] * ij[i * nf + a];
        for (size_t b = 0; b < kl; b++)
            v -= a21l[b] * il[i * nf + b];
        out[i] = v / a22;
    }
}

/* The scores and A21, A22 of a pair with a continuous item (Pearson or
 * polyserial), at its correlation r; j < l. */
static double mixed_pair_scores(const items *it, const brisk_wlsmv_stats *w,
                                const first_step *fs, const size_t *y, const double *raw,
                                size_t j, size_t l, double r, double *sc_rho, double *a21j,
                                double *a21l)
{
    size_t n = w->n, p = it->py, kj = first_count(it, w, j), kl = first_count(it, w, l);
    bool nj = it->numeric[j], nl = it->numeric[l];
    double dj[BRISK_POLYCHORIC_MAX_CATEGORIES], dl[BRISK_POLYCHORIC_MAX_CATEGORIES], a22 = 0,
        prob;
    memset(a21j, 0, kj * sizeof *a21j);
    memset(a21l, 0, kl * sizeof *a21l);
    /* for pair_answered: a continuous item, the other (tau not NULL: ordered) */
    size_t cont = nj ? j : l, other = nj ? l : j;
    mixed_pair mp = {.w = w, .tau = it->numeric[other] ? NULL : w->tau, .p = p, .j = cont,
                     .l = other, .y = y, .raw = raw};
    for (size_t i = 0; i < n; i++) {
        double s;
        if (!pair_answered(&mp, i)) {
            sc_rho[i] = 0;   /* no score: 0, as lavaan's NA in its sums */
            continue;
        }
        if (nj && nl)
            s = pearson_scores(raw[i * p + j], w->mean[j], w->var[j], raw[i * p + l],
                               w->mean[l], w->var[l], r, dj, dl);
        else if (nj)
            s = polyserial_scores(raw[i * p + j], w->mean[j], w->var[j],
                                  w->tau + fs->tau_off[l], w->ncat[l], y[i * p + l], 0, r, dj,
                                  dl, &prob);
        else
            s = polyserial_scores(raw[i * p + l], w->mean[l], w->var[l],
                                  w->tau + fs->tau_off[j], w->ncat[j], y[i * p + j], 0, r, dl,
                                  dj, &prob);
        sc_rho[i] = s;
        a22 += s * s;
        for (size_t a = 0; a < kj; a++)
            a21j[a] += s * dj[a];
        for (size_t b = 0; b < kl; b++)
            a21l[b] += s * dl[b];
    }
    return a22;
}

/* The scores and A21, A22 of a pair of ordered items (polychoric) from its
 * table: a cell's probability and derivatives are the same for all its
 * respondents, so they are computed once per cell (cell scratch: kmax^2
 * probabilities and derivatives, kmax^3 threshold derivatives). */
typedef struct cell_cache {
    double *prob, *drho, *da, *db, *dtau_a, *dtau_b;
    size_t kmax;
} cell_cache;

static double ordered_pair_scores(const items *it, const brisk_wlsmv_stats *w,
                                  const first_step *fs, const size_t *y, size_t j, size_t l,
                                  cell_cache *cc, double *sc_rho, double *a21j, double *a21l)
{
    size_t n = w->n, p = it->py, kj = w->ncat[j], kl = w->ncat[l], kmax = cc->kmax;
    const double *tj = w->tau + fs->tau_off[j], *tl = w->tau + fs->tau_off[l];
    pair_cell cell = {.dtau_a = cc->dtau_a, .dtau_b = cc->dtau_b};
    brisk_bvn_rule rule;
    brisk_bvn_rule_init(&rule, w->rho[j * p + l]);
    for (size_t a = 0; a < kj; a++)
        for (size_t b = 0; b < kl; b++) {
            size_t c = a * kl + b;
            cell_derivatives(tj, kj, tl, kl, a, b, &rule, &cell);
            cc->prob[c] = cell.prob;
            cc->drho[c] = cell.drho;
            memcpy(cc->da + c * kmax, cell.dtau_a, (kj - 1) * sizeof *cell.dtau_a);
            memcpy(cc->db + c * kmax, cell.dtau_b, (kl - 1) * sizeof *cell.dtau_b);
        }
    memset(a21j, 0, (kj - 1) * sizeof *a21j);
    memset(a21l, 0, (kl - 1) * sizeof *a21l);
    double a22 = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i * p + j] == NO_ANSWER || y[i * p + l] == NO_ANSWER) {
            sc_rho[i] = 0;
            continue;
        }
        size_t c = y[i * p + j] * kl + y[i * p + l];
        double s = cc->drho[c] / cc->prob[c];
        sc_rho[i] = s;
        a22 += s * s;
        for (size_t a = 0; a + 1 < kj; a++)
            a21j[a] += s * cc->da[c * kmax + a] / cc->prob[c];
        for (size_t b = 0; b + 1 < kl; b++)
            a21l[b] += s * cc->db[c * kmax + b] / cc->prob[c];
    }
    return a22;
}

/* sum_i a_i b_i over n, in four partial sums (the additions do not wait
 * on each other). */
static double dot_n(const double *a, const double *b, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

/* Each statistic's influence (stat-major, ns x n): the thresholds (with
 * it->thresholds), the continuous items' means then variances, then the
 * pairs, a pair with a continuous item as a covariance r sd_j sd_l (its
 * influence by the delta rule, as lavaan's H). */
static brisk_status statistic_influences(const items *it, brisk_wlsmv_stats *w,
                                         const first_step *fs, const size_t *y,
                                         const double *raw, const double *inf_first,
                                         double *inf, brisk_error *err)
{
    size_t n = w->n, p = it->py, nf = fs->nfirst, kmax = 2;
    size_t off = (it->thresholds ? fs->ntau : 0) + 2 * it->nnum;
    for (size_t j = 0; j < p; j++)
        kmax = w->ncat[j] > kmax ? w->ncat[j] : kmax;
    cell_cache cc = {.kmax = kmax};
    cc.prob = malloc((kmax * kmax + 1) * sizeof *cc.prob);
    cc.drho = malloc((kmax * kmax + 1) * sizeof *cc.drho);
    cc.da = malloc((kmax * kmax * kmax + 1) * sizeof *cc.da);
    cc.db = malloc((kmax * kmax * kmax + 1) * sizeof *cc.db);
    cc.dtau_a = malloc((kmax + 1) * sizeof *cc.dtau_a);
    cc.dtau_b = malloc((kmax + 1) * sizeof *cc.dtau_b);
    double *sc_rho = malloc((n + 1) * sizeof *sc_rho);
    double *a21j = malloc((kmax + 2) * sizeof *a21j), *a21l = malloc((kmax + 2) * sizeof *a21l);
    brisk_status st = cc.prob && cc.drho && cc.da && cc.db && cc.dtau_a && cc.dtau_b && sc_rho &&
                              a21j && a21l
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t row = 0;
    for (size_t j = 0; st == BRISK_OK && it->thresholds && j < p; j++)
        for (size_t c = 0; c < first_count(it, w, j) && !(it->numeric && it->numeric[j]); c++, row++)
            for (size_t i = 0; i < n; i++)
                inf[row * n + i] = inf_first[i * nf + fs->first_off[j] + c];
    for (size_t t = 0; st == BRISK_OK && t < 2; t++)   /* means, then variances */
        for (size_t j = 0; j < p; j++)
            if (it->numeric && it->numeric[j]) {
                for (size_t i = 0; i < n; i++)
                    inf[row * n + i] = inf_first[i * nf + fs->first_off[j] + t];
                row++;
            }
    for (size_t j = 0, pr = 0; st == BRISK_OK && j < p; j++)
        for (size_t l = j + 1; l < p; l++, pr++) {
            bool nj = it->numeric && it->numeric[j], nl = it->numeric && it->numeric[l];
            double sdj = nj ? sqrt(w->var[j]) : 1, sdl = nl ? sqrt(w->var[l]) : 1;
            double r = w->rho[j * p + l] / (sdj * sdl), a22;
            if (nj || nl)
                a22 = mixed_pair_scores(it, w, fs, y, raw, j, l, r, sc_rho, a21j, a21l);
            else
                a22 = ordered_pair_scores(it, w, fs, y, j, l, &cc, sc_rho, a21j, a21l);
            double *out = inf + (off + pr) * n;
            pair_influence(it, w, fs, j, l, sc_rho, a21j, a21l, a22, inf_first, out);
            if (!nj && !nl)
                continue;
            const double *vj = inf_first + fs->first_off[j] + 1;
            const double *vl = inf_first + fs->first_off[l] + 1;
            for (size_t i = 0; i < n; i++)
                out[i] = sdj * sdl * out[i] +
                         (nj ? r * sdl / (2 * sdj) * vj[i * nf] : 0) +
                         (nl ? r * sdj / (2 * sdl) * vl[i * nf] : 0);
        }
    free(cc.prob), free(cc.drho), free(cc.da), free(cc.db), free(cc.dtau_a), free(cc.dtau_b);
    free(sc_rho), free(a21j), free(a21l);
    return st;
}

/* Gamma of the statistics (N times their asymptotic covariance) and the
 * thresholds' asymptotic variances, from each respondent's influence:
 * first-step A11^-1 s_1, correlations A22^-1 (s_rho - A21 A11^-1 s_1). */
static brisk_status asymptotic_covariance(const items *it, brisk_wlsmv_stats *w,
                                         const size_t *y, const double *raw, brisk_error *err)
{
    size_t n = w->n, p = it->py, npairs = p * (p - 1) / 2;
    first_step fs = {.ntau = w->ntau};
    fs.first_off = calloc(p + 1, sizeof *fs.first_off);
    fs.tau_off = calloc(p + 1, sizeof *fs.tau_off);
    for (size_t j = 0, t = 0; fs.first_off && fs.tau_off && j < p; j++) {
        fs.first_off[j] = fs.nfirst;
        fs.tau_off[j] = t;
        fs.nfirst += first_count(it, w, j);
        t += w->ncat[j] - 1;
    }
    size_t ns = (it->thresholds ? w->ntau : 0) + 2 * it->nnum + npairs, nf = fs.nfirst;
    double *sc = calloc(n * nf + 1, sizeof *sc), *inf_first = calloc(n * nf + 1, sizeof *inf_first);
    double *inf = calloc(n * ns + 1, sizeof *inf);
    brisk_status st = fs.first_off && fs.tau_off && sc && inf_first && inf
                          ? first_influences(it, w, &fs, y, raw, sc, inf_first, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = statistic_influences(it, w, &fs, y, raw, inf_first, inf, err);
    /* Gamma = N sum_i inf inf' (the influences are of sums: B^-1 s_i) */
    for (size_t a = 0; st == BRISK_OK && a < ns; a++)
        for (size_t b = 0; b <= a; b++)
            w->gamma[a * ns + b] = w->gamma[b * ns + a] =
                dot_n(inf + a * n, inf + b * n, n) * (double)n;
    for (size_t j = 0; st == BRISK_OK && j < p; j++)
        for (size_t c = 0; c + 1 < w->ncat[j]; c++) {
            double v = 0;   /* the variance: the fit scales it as lavaan */
            for (size_t i = 0; i < n; i++) {
                double x = inf_first[i * nf + fs.first_off[j] + c];
                v += x * x;
            }
            w->tau_se[fs.tau_off[j] + c] = v;
        }
    free(fs.first_off), free(fs.tau_off), free(sc), free(inf_first), free(inf);
    return st;
}

/* A continuous item's ML mean and variance (divisor: the respondents
 * who answered it, all of them but with missing = "pairwise"). */
static brisk_status normal_moments(const items *it, brisk_wlsmv_stats *w, const double *raw,
                                   size_t j, brisk_error *err)
{
    size_t n = w->n, p = it->py, answered = 0;
    double mu = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(raw[i * p + j])) {
            mu += raw[i * p + j];
            answered++;
        }
    mu /= (double)answered;
    for (size_t i = 0; i < n; i++)
        if (!isnan(raw[i * p + j]))
            v += (raw[i * p + j] - mu) * (raw[i * p + j] - mu);
    w->mean[j] = mu;
    w->var[j] = answered ? v / (double)answered : 0;
    if (w->var[j] > 0)
        return BRISK_OK;
    brisk_error_variable(err, item_name(it, j));
    return brisk_error_set(err, BRISK_ERR_DATA, "continuous item '%s' is constant in the rows "
                           "used: it has no variance to model", item_name(it, j));
}

/* One group's thresholds, means and variances, correlations (polychoric,
 * polyserial, Pearson; a pair with a continuous item kept as a
 * covariance) and Gamma from its categories y and answers raw (n x p),
 * without covariates (the arrays allocated). */
static brisk_status sample_statistics(const items *it, brisk_wlsmv_stats *w,
                                      const size_t *ncat, const size_t *y, const double *raw,
                                      brisk_error *err)
{
    size_t n = w->n, p = it->py, kmax = 2;
    for (size_t j = 0; j < p; j++)
        kmax = ncat[j] > kmax ? ncat[j] : kmax;
    double *counts = calloc(kmax * kmax + 1, sizeof *counts);
    size_t *tau_off = calloc(p + 1, sizeof *tau_off);
    brisk_status st = counts && tau_off ? BRISK_OK
                                        : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, off = 0; st == BRISK_OK && j < p; off += ncat[j] - 1, j++) {
        tau_off[j] = off;
        if (it->numeric && it->numeric[j]) {
            st = normal_moments(it, w, raw, j, err);
            continue;
        }
        memset(counts, 0, kmax * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            if (y[i * p + j] != NO_ANSWER)
                counts[y[i * p + j]] += 1;
        brisk_thresholds(counts, ncat[j], w->tau + off);
    }
    for (size_t j = 0; st == BRISK_OK && j < p; j++) {
        bool nj = it->numeric && it->numeric[j];
        w->rho[j * p + j] = nj ? w->var[j] : 1;
        for (size_t l = j + 1; st == BRISK_OK && l < p; l++) {
            bool nl = it->numeric && it->numeric[l];
            double r = 0, scale = (nj ? sqrt(w->var[j]) : 1) * (nl ? sqrt(w->var[l]) : 1);
            if (nj || nl)
                r = nj ? mixed_correlation(w, tau_off, it->numeric, p, y, raw, NULL, j, l)
                       : mixed_correlation(w, tau_off, it->numeric, p, y, raw, NULL, l, j);
            else {
                memset(counts, 0, kmax * kmax * sizeof *counts);
                for (size_t i = 0; i < n; i++)
                    if (y[i * p + j] != NO_ANSWER && y[i * p + l] != NO_ANSWER)
                        counts[y[i * p + j] * ncat[l] + y[i * p + l]] += 1;
                if (!brisk_polychoric(counts, ncat[j], ncat[l], w->tau + tau_off[j],
                                      w->tau + tau_off[l], &r))
                    st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of "
                                         "items '%s' and '%s' has no estimate inside (-1, 1)",
                                         item_name(it, j), item_name(it, l));
            }
            w->rho[j * p + l] = w->rho[l * p + j] = r * scale;
        }
    }
    if (st == BRISK_OK)
        st = asymptotic_covariance(it, w, y, raw, err);
    free(counts);
    free(tau_off);
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
    const bool *numeric; /* per item: continuous (NULL: none) */
    size_t nnum;       /* continuous items: the statistics' rows start with their
                          intercepts, then their residual variances */
} cond_work;

static void cond_free(cond_work *c)
{
    free(c->off), free(c->poff), free(c->par), free(c->sc), free(c->inf), free(c->eta);
    free(c->sc_rho), free(c->pair_sc), free(c->a21), free(c->ta), free(c->tb), free(c->da);
    free(c->db), free(c->block), free(c->inv), free(c->chol), free(c->stat_inf);
    free(c->marginal), free(c->table);
}

/* An item's first-step parameters given the covariates: an ordered
 * item's thresholds and slopes, a continuous item's intercept, slopes and
 * residual variance (lavaan's lav_uvreg). */
static size_t cond_count(const brisk_wlsmv_stats *w, size_t j, size_t nx)
{
    return w->ncat[j] == 1 ? nx + 2 : w->ncat[j] - 1 + nx;
}

static bool cond_init(cond_work *c, const brisk_wlsmv_stats *w, size_t py, size_t nx,
                      size_t nstat)
{
    size_t n = w->n, dmax = 1, dsum = 0;
    for (size_t j = 0; j < py; j++) {
        size_t d = cond_count(w, j, nx);
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
        c->poff[j] = c->poff[j - 1] + cond_count(w, j - 1, nx);
    }
    return true;
}

/* Continuous item j's linear regression on the covariates (lavaan's
 * lav_uvreg_fit) by least squares: par the intercept, the slopes and the
 * residual variance (divisor n, ML), sc (n x (nx + 2)) each respondent's
 * scores (lav_uvreg_scores); false when X'X is singular or the residuals
 * are all 0. */
static bool linear_fit(size_t n, const double *raw, size_t py, size_t j, const double *x,
                       size_t nx, double *par, double *sc)
{
    size_t k = nx + 1, d = nx + 2;
    double *xtx = calloc(k * k + 1, sizeof *xtx), *inv = malloc((k * k + 1) * sizeof *inv);
    double *chol = malloc((k * k + 1) * sizeof *chol), *xty = calloc(k + 1, sizeof *xty);
    double logdet, rss = 0;
    bool ok = xtx && inv && chol && xty;
    for (size_t i = 0; ok && i < n; i++)
        for (size_t a = 0; a < k; a++) {
            double xa = a ? x[i * nx + a - 1] : 1;
            xty[a] += xa * raw[i * py + j];
            for (size_t b = 0; b < k; b++)
                xtx[a * k + b] += xa * (b ? x[i * nx + b - 1] : 1);
        }
    ok = ok && brisk_dense_spd_invert(xtx, inv, chol, k, &logdet);
    for (size_t a = 0; ok && a < k; a++) {
        par[a] = 0;
        for (size_t b = 0; b < k; b++)
            par[a] += inv[a * k + b] * xty[b];
    }
    for (size_t i = 0; ok && i < n; i++) {
        double e = raw[i * py + j] - par[0];
        for (size_t v = 0; v < nx; v++)
            e -= par[1 + v] * x[i * nx + v];
        rss += e * e;
        sc[i * d] = e;   /* the residual, until the variance is known */
    }
    double v = ok ? rss / (double)n : 0;
    ok = ok && v > 0;
    for (size_t i = 0; ok && i < n; i++) {
        double e = sc[i * d];
        for (size_t a = 0; a < k; a++)
            sc[i * d + a] = (a ? x[i * nx + a - 1] : 1) * e / v;
        sc[i * d + k] = -0.5 / v + 0.5 * e * e / (v * v);
    }
    if (ok)
        par[k] = v;
    free(xtx), free(inv), free(chol), free(xty);
    return ok;
}

/* Step 1 given the covariates: each item's probit, its influences
 * A11^-1 s (A11 the scores' outer product), the slopes' influences into
 * the statistics, the linear predictors. */
static brisk_status conditional_step1(const items *it, brisk_wlsmv_stats *w, cond_work *c,
                                      const size_t *y, const double *raw, const double *x,
                                      brisk_error *err)
{
    size_t n = w->n, py = it->py, nx = it->nx, k = 0;
    for (size_t j = 0; j < py; j++) {
        bool numeric = c->numeric && c->numeric[j];
        size_t nt = numeric ? 1 : w->ncat[j] - 1, d = cond_count(w, j, nx);
        double *par = c->par + c->poff[j], *sc = c->sc + n * c->poff[j];
        double *inf = c->inf + n * c->poff[j], logdet;
        if (numeric && !linear_fit(n, raw, py, j, x, nx, par, sc))
            return brisk_error_set(err, BRISK_ERR_DATA, "the linear regression of continuous "
                                   "item '%s' on the covariates has no solution (are the "
                                   "covariates collinear, or is the item constant?)",
                                   item_name(it, j));
        if (numeric) {
            w->mean[j] = par[0];
            w->var[j] = par[1 + nx];
            memcpy(w->slopes + j * nx, par + 1, nx * sizeof *par);
        }
        if (!numeric &&
            !probit_fit(n, y, py, j, x, nx, w->ncat[j], par, sc, c->marginal + c->off[j]))
            return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the ordered probit regression "
                                   "of item '%s' on the covariates did not converge (are the "
                                   "covariates collinear, or does one predict an answer "
                                   "perfectly?)", item_name(it, j));
        if (!numeric) {
            memcpy(w->tau + c->off[j], par, nt * sizeof *par);
            memcpy(w->slopes + j * nx, par + nt, nx * sizeof *par);
        }
        memset(c->block, 0, d * d * sizeof *c->block);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b < d; b++)
                    c->block[a * d + b] += sc[i * d + a] * sc[i * d + b];
        if (!brisk_dense_spd_invert(c->block, c->inv, c->chol, d, &logdet))
            return brisk_error_set(err, BRISK_ERR_DATA, "the %s regression of item '%s' "
                                   "has no information matrix", numeric ? "linear" : "probit",
                                   item_name(it, j));
        size_t slope_row = 2 * c->nnum + j * nx;
        for (size_t i = 0; i < n; i++) {
            double eta = 0;
            for (size_t v = 0; v < nx; v++)
                eta += x[i * nx + v] * par[nt + v];
            c->eta[i * py + j] = eta;   /* without a continuous item's intercept */
            for (size_t a = 0; a < d; a++) {
                double v = 0;
                for (size_t b = 0; b < d; b++)
                    v += c->inv[a * d + b] * sc[i * d + b];
                inf[i * d + a] = v;
            }
            for (size_t v = 0; v < nx; v++)
                c->stat_inf[(slope_row + v) * n + i] = inf[i * d + nt + v];
            if (numeric) {   /* its intercept and residual variance */
                c->stat_inf[k * n + i] = inf[i * d];
                c->stat_inf[(c->nnum + k) * n + i] = inf[i * d + d - 1];
                continue;
            }
            for (size_t a = 0; a < nt; a++)
                w->tau_se[c->off[j] + a] += inf[i * d + a] * inf[i * d + a];
        }
        k += numeric;
    }
    return BRISK_OK;
}

/* Respondent i's influence on the correlation of the pair (j, l) given
 * the covariates, from its scores (c->sc_rho, c->a21: dj + dl, and a22):
 * A22^-1 (s_rho - A21 A11^-1 s_1). */
static double cond_influence(const cond_work *c, size_t n, size_t j, size_t l, size_t dj,
                             size_t dl, double a22, size_t i)
{
    const double *inf_j = c->inf + n * c->poff[j] + i * dj;
    const double *inf_l = c->inf + n * c->poff[l] + i * dl;
    double v = c->sc_rho[i];
    for (size_t t = 0; t < dj; t++)
        v -= c->a21[t] * inf_j[t];
    for (size_t t = 0; t < dl; t++)
        v -= c->a21[dj + t] * inf_l[t];
    return v / a22;
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
    for (size_t i = 0; i < n; i++)
        c->stat_inf[s * n + i] = cond_influence(c, n, j, l, dj, dl, a22, i);
    return BRISK_OK;
}

/* Step 2 for a pair (j, l) with a continuous item given the covariates:
 * the Pearson correlation of the residuals or the polyserial one given
 * them, its scores and the influences A22^-1 (s_rho - A21 A11^-1 s_1),
 * as a covariance r sd_j sd_l (the residual SDs; delta rule) into
 * statistic row s. */
static brisk_status conditional_mixed_pair(const items *it, brisk_wlsmv_stats *w,
                                           cond_work *c, const size_t *y, const double *raw,
                                           const double *x, size_t j, size_t l, size_t s)
{
    size_t n = w->n, py = it->py, nx = it->nx;
    size_t dj = cond_count(w, j, nx), dl = cond_count(w, l, nx);
    bool nj = c->numeric[j], nl = c->numeric[l];
    double r = 0, sdj = nj ? sqrt(w->var[j]) : 1, sdl = nl ? sqrt(w->var[l]) : 1;
    r = nj ? mixed_correlation(w, c->off, c->numeric, py, y, raw, c->eta, j, l)
           : mixed_correlation(w, c->off, c->numeric, py, y, raw, c->eta, l, j);
    w->rho[j * py + l] = w->rho[l * py + j] = r * sdj * sdl;
    double a22 = 0, prob, dn[2], *dord = c->ta;
    memset(c->a21, 0, (dj + dl) * sizeof *c->a21);
    for (size_t i = 0; i < n; i++) {
        double *ps = c->pair_sc + i * (dj + dl), *pj = ps, *pl = ps + dj, srho;
        if (nj && nl) {
            double d2[2];
            srho = pearson_scores(raw[i * py + j] - c->eta[i * py + j], w->mean[j], w->var[j],
                                  raw[i * py + l] - c->eta[i * py + l], w->mean[l], w->var[l],
                                  r, dn, d2);
            pl[0] = d2[0];
            pl[dl - 1] = d2[1];
            for (size_t v = 0; v < nx; v++)
                pl[1 + v] = d2[0] * x[i * nx + v];
        } else {
            size_t a = nj ? j : l, b = nj ? l : j;   /* the continuous item, the ordered */
            double *pb = nj ? pl : pj, sum = 0;
            srho = polyserial_scores(raw[i * py + a] - c->eta[i * py + a], w->mean[a],
                                     w->var[a], w->tau + c->off[b], w->ncat[b], y[i * py + b],
                                     c->eta[i * py + b], r, dn, dord, &prob);
            for (size_t t = 0; t + 1 < w->ncat[b]; t++)
                sum += pb[t] = dord[t];
            for (size_t v = 0; v < nx; v++)   /* d / d beta = -x d / d tau summed */
                pb[w->ncat[b] - 1 + v] = -x[i * nx + v] * sum;
        }
        double *pa = nj ? pj : pl;   /* a continuous item's: intercept, slopes, variance */
        size_t da = nj ? dj : dl;
        pa[0] = dn[0];
        pa[da - 1] = dn[1];
        for (size_t v = 0; v < nx; v++)
            pa[1 + v] = dn[0] * x[i * nx + v];
        c->sc_rho[i] = srho;
        a22 += srho * srho;
        for (size_t t = 0; t < dj + dl; t++)
            c->a21[t] += srho * ps[t];
    }
    const double *inf_j = c->inf + n * c->poff[j], *inf_l = c->inf + n * c->poff[l];
    for (size_t i = 0; i < n; i++) {
        double v = sdj * sdl * cond_influence(c, n, j, l, dj, dl, a22, i);
        if (nj)
            v += r * sdl / (2 * sdj) * inf_j[i * dj + dj - 1];
        if (nl)
            v += r * sdj / (2 * sdl) * inf_l[i * dl + dl - 1];
        c->stat_inf[s * n + i] = v;
    }
    return BRISK_OK;
}

/* One group's statistics given the covariates x (n x nx). */
static brisk_status conditional_statistics(const items *it, brisk_wlsmv_stats *w,
                                           const size_t *y, const double *raw, const double *x,
                                           brisk_error *err)
{
    size_t n = w->n, py = it->py, nx = it->nx, ns = 2 * it->nnum + py * nx;
    size_t nstat = ns + py * (py - 1) / 2;
    cond_work c;
    bool ready = cond_init(&c, w, py, nx, nstat);
    c.numeric = it->numeric;
    c.nnum = it->nnum;
    brisk_status st = ready ? conditional_step1(it, w, &c, y, raw, x, err)
                            : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, s = ns; st == BRISK_OK && j < py; j++) {
        bool nj = it->numeric && it->numeric[j];
        w->rho[j * py + j] = nj ? w->var[j] : 1;
        for (size_t l = j + 1; st == BRISK_OK && l < py; l++, s++)
            if (nj || (it->numeric && it->numeric[l]))
                st = conditional_mixed_pair(it, w, &c, y, raw, x, j, l, s);
            else if (conditional_pair(it, w, &c, y, x, j, l, s) != BRISK_OK)
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of items "
                                     "'%s' and '%s' given the covariates has no estimate inside "
                                     "(-1, 1)", item_name(it, j), item_name(it, l));
    }
    for (size_t a = 0; st == BRISK_OK && a < nstat; a++)
        for (size_t b = 0; b <= a; b++)
            w->gamma[a * nstat + b] = w->gamma[b * nstat + a] =
                dot_n(c.stat_inf + a * n, c.stat_inf + b * n, n) * (double)n;
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
                                     const size_t *y, const double *raw, const double *x,
                                     brisk_error *err)
{
    size_t py = it->py, nx = it->nx, np = py * (py - 1) / 2, ntau = 0;
    size_t nstat = py * nx + np + 2 * it->nnum;
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
    w->mean = calloc(py + 1, sizeof *w->mean);
    w->var = calloc(py + 1, sizeof *w->var);
    if (!w->ncat || !w->tau || !w->tau_se || !w->slopes || !w->rho || !w->gamma || !w->mean ||
        !w->var)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    memcpy(w->ncat, ncat, py * sizeof *ncat);
    brisk_status st = covariate_moments(it, w, x, err);
    if (st != BRISK_OK)
        return st;
    return nx ? conditional_statistics(it, w, y, raw, x, err)
              : sample_statistics(it, w, ncat, y, raw, err);
}

brisk_status brisk_wlsmv_statistics(const brisk_model *m, const brisk_moments *mom,
                                    brisk_wlsmv *w, brisk_error *err)
{
    size_t G = w->ngroups, py = w->p, nx = w->nx, p = m->p;
    items it = {.m = m, .thresholds = w->thresholds_in, .numeric = w->numeric, .nnum = w->nnum,
                .py = py, .nx = nx, .yv = w->yv, .xv = w->xv};
    size_t **y = calloc(G, sizeof *y), *ncat = calloc(py + 1, sizeof *ncat);
    double **x = calloc(G, sizeof *x), **raw = calloc(G, sizeof *raw);
    w->groups = calloc(G, sizeof *w->groups);
    brisk_status st = y && x && raw && ncat && w->groups
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
                 !(x[g] = malloc((n * nx + 1) * sizeof *x[g])) ||
                 !(raw[g] = malloc((n * py + 1) * sizeof *raw[g])))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == BRISK_OK && i < n; i++) {
            for (size_t v = 0; v < nx; v++)
                x[g][i * nx + v] = mom[g].data[i * p + w->xv[v]];
            for (size_t j = 0; j < py; j++)
                raw[g][i * py + j] = mom[g].data[i * p + w->yv[j]];
        }
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
        st = group_statistics(&it, &w->groups[g], ncat, y[g], raw[g], x[g], err);
        if (st != BRISK_OK && mom[g].group && err) {
            char reason[sizeof err->message];
            snprintf(reason, sizeof reason, "%s", err->message);
            brisk_error_set(err, st, "group '%s': %s", mom[g].group, reason);
        }
    }
    for (size_t g = 0; g < G; g++) {
        free(y ? y[g] : NULL);
        free(x ? x[g] : NULL);
        free(raw ? raw[g] : NULL);
    }
    free(y);
    free(x);
    free(raw);
    free(ncat);
    return st;
}
