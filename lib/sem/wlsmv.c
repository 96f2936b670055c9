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

static void stats_free(brisk_wlsmv_stats *s)
{
    free(s->ncat);
    free(s->tau);
    free(s->tau_se);
    free(s->rho);
    free(s->gamma);
}

void brisk_wlsmv_free(brisk_wlsmv *w)
{
    for (size_t g = 0; w->groups && g < w->ngroups; g++)
        stats_free(&w->groups[g]);
    free(w->groups);
    free(w->theta);
    free(w->vcov);
    free(w->implied);
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------ statistics */

/* The distinct answers of item j over every group, sorted (at most
 * *k <= cap of them; false when there are more). */
static bool item_values(const brisk_moments *mom, size_t ngroups, size_t j, double *values,
                        size_t cap, size_t *k)
{
    size_t p = mom[0].p;
    *k = 0;
    for (size_t g = 0; g < ngroups; g++)
        for (size_t i = 0; i < mom[g].n; i++) {
            double x = mom[g].data[i * p + j];
            bool seen = false;
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
 * of an item over all groups is its category k), into y[g]; every group
 * must use every category, as lavaan requires. */
static brisk_status categorize(const brisk_model *m, const brisk_moments *mom, size_t ngroups,
                               size_t **y, size_t *ncat, brisk_error *err)
{
    enum { MAX_CATEGORIES = BRISK_POLYCHORIC_MAX_CATEGORIES };
    double values[MAX_CATEGORIES];
    size_t p = m->p;
    for (size_t j = 0; j < p; j++) {
        size_t k;
        const char *item = brisk_model_observed(m, j);
        if (!item_values(mom, ngroups, j, values, MAX_CATEGORIES, &k))
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
                while (c + 1 < k && values[c] != mom[g].data[i * p + j])
                    c++;
                y[g][i * p + j] = c;
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
static brisk_status asymptotic_covariance(const brisk_model *m, brisk_wlsmv_stats *w,
                                         const size_t *y, brisk_error *err)
{
    size_t n = w->n, p = m->p, npairs = p * (p - 1) / 2, ntau = w->ntau, kmax = 2;
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
            st = brisk_error_set(err, BRISK_ERR_DATA, "the thresholds of ordered item '%s' "
                                 "have no information matrix", brisk_model_observed(m, j));
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
        w->tau_se[t] = v;   /* the variance: the fit scales it as lavaan */
    }
    free(offset), free(sc_tau), free(inf_tau), free(sc_rho), free(a21);
    free(a22), free(block), free(inv), free(chol), free(da), free(db), free(inf_rho);
    return st;
}

/* One group's thresholds, polychoric correlations and Gamma from its
 * categories y (n x p). */
static brisk_status sample_statistics(const brisk_model *m, brisk_wlsmv_stats *w,
                                      const size_t *ncat, const size_t *y, brisk_error *err)
{
    size_t n = w->n, p = m->p, kmax = 2;
    w->ncat = malloc((p + 1) * sizeof *w->ncat);
    w->rho = calloc(p * p + 1, sizeof *w->rho);
    if (!w->ncat || !w->rho)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    memcpy(w->ncat, ncat, p * sizeof *ncat);
    w->ntau = 0;
    for (size_t j = 0; j < p; j++) {
        w->ntau += ncat[j] - 1;
        kmax = ncat[j] > kmax ? ncat[j] : kmax;
    }
    size_t npairs = p * (p - 1) / 2;
    w->tau = calloc(w->ntau + 1, sizeof *w->tau);
    w->tau_se = calloc(w->ntau + 1, sizeof *w->tau_se);
    w->gamma = calloc(npairs * npairs + 1, sizeof *w->gamma);
    double *counts = calloc(kmax * kmax + 1, sizeof *counts);
    brisk_status st = BRISK_OK;
    if (!w->tau || !w->tau_se || !w->gamma || !counts)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0, off = 0; st == BRISK_OK && j < p; off += ncat[j] - 1, j++) {
        memset(counts, 0, kmax * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            counts[y[i * p + j]] += 1;
        brisk_thresholds(counts, ncat[j], w->tau + off);
    }
    for (size_t j = 0, oj = 0; st == BRISK_OK && j < p; oj += ncat[j] - 1, j++) {
        w->rho[j * p + j] = 1;
        for (size_t l = j + 1, ol = oj + ncat[j] - 1; st == BRISK_OK && l < p;
             ol += ncat[l] - 1, l++) {
            memset(counts, 0, kmax * kmax * sizeof *counts);
            for (size_t i = 0; i < n; i++)
                counts[y[i * p + j] * ncat[l] + y[i * p + l]] += 1;
            double r = 0;
            if (!brisk_polychoric(counts, ncat[j], ncat[l], w->tau + oj, w->tau + ol, &r))
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of items "
                                     "'%s' and '%s' has no estimate inside (-1, 1)",
                                     brisk_model_observed(m, j), brisk_model_observed(m, l));
            w->rho[j * p + l] = w->rho[l * p + j] = r;
        }
    }
    if (st == BRISK_OK)
        st = asymptotic_covariance(m, w, y, err);
    free(counts);
    return st;
}

/* Every group's statistics. */
static brisk_status all_statistics(const brisk_model *m, const brisk_moments *mom,
                                   brisk_wlsmv *w, brisk_error *err)
{
    size_t G = w->ngroups, p = w->p;
    size_t **y = calloc(G, sizeof *y), *ncat = calloc(p + 1, sizeof *ncat);
    w->groups = calloc(G, sizeof *w->groups);
    brisk_status st = y && ncat && w->groups ? BRISK_OK
                                             : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t g = 0; st == BRISK_OK && g < G; g++) {
        w->groups[g].n = mom[g].n;
        w->n += mom[g].n;
        if (mom[g].n < 2)
            st = brisk_error_set(err, BRISK_ERR_DATA, "%s%s%shas fewer than two complete "
                                 "respondents", mom[g].group ? "group '" : "",
                                 mom[g].group ? mom[g].group : "", mom[g].group ? "' " : "");
        else if (!(y[g] = malloc(mom[g].n * p * sizeof *y[g])))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK)
        st = categorize(m, mom, G, y, ncat, err);
    for (size_t g = 0; st == BRISK_OK && g < G; g++) {
        st = sample_statistics(m, &w->groups[g], ncat, y[g], err);
        if (st != BRISK_OK && mom[g].group && err) {
            char reason[sizeof err->message];
            snprintf(reason, sizeof reason, "%s", err->message);
            brisk_error_set(err, st, "group '%s': %s", mom[g].group, reason);
        }
    }
    for (size_t g = 0; y && g < G; g++)
        free(y[g]);
    free(y);
    free(ncat);
    return st;
}

/* ------------------------------------------------------------ DWLS */

/* The estimation's workspace: the correlations of every group stacked
 * (group by group, pairs (1,2), (1,3), ...), their residuals, Jacobian
 * and weights, allocated once. */
typedef struct dwls {
    sem_work **works;             /* one per group */
    size_t G, np, q, rows;        /* rows = G np */
    double *res, *jac;            /* rows, rows x q */
    double *weight;               /* (N_g - 1) / Gamma_aa: the statistic's weights */
    double *h, *hinv, *g, *step, *trial;
} dwls;

static void dwls_free(dwls *d)
{
    for (size_t g = 0; d->works && g < d->G; g++)
        brisk_sem_work_free(d->works[g]);
    free(d->works);
    free(d->res), free(d->jac), free(d->weight);
    free(d->h), free(d->hinv), free(d->g), free(d->step), free(d->trial);
}

static bool dwls_init(dwls *d, const brisk_model *m, const brisk_moments *poly,
                      const brisk_wlsmv *w)
{
    size_t q = w->q;
    *d = (dwls){.G = w->ngroups, .np = w->npairs, .q = q, .rows = w->ngroups * w->npairs};
    d->works = calloc(d->G, sizeof *d->works);
    d->res = malloc((d->rows + 1) * sizeof *d->res);
    d->jac = malloc((d->rows * q + 1) * sizeof *d->jac);
    d->weight = malloc((d->rows + 1) * sizeof *d->weight);
    d->h = malloc((q * q + 1) * sizeof *d->h);
    d->hinv = malloc((q * q + 1) * sizeof *d->hinv);
    d->g = malloc((q + 1) * sizeof *d->g);
    d->step = malloc((q * q + 1) * sizeof *d->step);   /* also the Cholesky scratch */
    d->trial = malloc((q + 1) * sizeof *d->trial);
    bool ok = d->works && d->res && d->jac && d->weight && d->h && d->hinv && d->g && d->step &&
              d->trial;
    for (size_t g = 0; ok && g < d->G; g++) {
        ok = (d->works[g] = brisk_sem_work_new(m, &poly[g], g)) != NULL;
        const brisk_wlsmv_stats *s = &w->groups[g];
        for (size_t a = 0; ok && a < d->np; a++)
            d->weight[g * d->np + a] = (double)(s->n - 1) / s->gamma[a * d->np + a];
    }
    return ok;
}

/* Residuals r - sigma of every group's correlations and (jac) their
 * Jacobian at theta; false where an implied matrix cannot be formed. */
static bool residuals(dwls *d, const brisk_wlsmv *w, const double *theta, double *res,
                      double *jac)
{
    size_t p = w->p, q = d->q;
    for (size_t g = 0; g < d->G; g++) {
        sem_work *work = d->works[g];
        double f;
        if (!brisk_sem_objective(work, theta, &f) || (jac && !brisk_sem_derivatives(work)))
            return false;
        const double *rho = w->groups[g].rho;
        for (size_t j = 0, a = g * d->np; j < p; j++)
            for (size_t l = j + 1; l < p; l++, a++) {
                res[a] = rho[j * p + l] - work->Sigma[j * p + l];
                for (size_t k = 0; jac && k < q; k++)
                    jac[a * q + k] = work->dSigma[k * p * p + j * p + l];
            }
    }
    return true;
}

/* sum_g (N_g - 1) (r - sigma)' W_g (r - sigma): lavaan's statistic. */
static double weighted_ss(const dwls *d, const double *res)
{
    double s = 0;
    for (size_t a = 0; a < d->rows; a++)
        s += d->weight[a] * res[a] * res[a];
    return s;
}

/* Gauss-Newton on the weighted sum of squares, with step halving. */
static brisk_status gauss_newton(dwls *d, brisk_wlsmv *w, double *theta, brisk_error *err)
{
    size_t q = d->q;
    double *res = d->res, *jac = d->jac, *h = d->h, *g = d->g, *step = d->step;
    if (!residuals(d, w, theta, res, jac))
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the starting values give no "
                               "correlation matrix");
    double f = weighted_ss(d, res), gmax = INFINITY;
    bool converged = false;
    for (int it = 0; it < 500 && !converged; it++) {
        memset(h, 0, q * q * sizeof *h);
        memset(g, 0, q * sizeof *g);
        for (size_t a = 0; a < d->rows; a++) {
            double wa = d->weight[a];
            for (size_t k = 0; k < q; k++) {
                g[k] += wa * jac[a * q + k] * res[a];
                for (size_t l = 0; l < q; l++)
                    h[k * q + l] += wa * jac[a * q + k] * jac[a * q + l];
            }
        }
        double logdet;
        gmax = 0;
        for (size_t k = 0; k < q; k++)
            gmax = fmax(gmax, fabs(g[k]));
        w->iterations = it;
        /* the statistic f = sum (N_g - 1) w r^2 sets the gradient's scale */
        if ((converged = gmax < 1e-6 * (1 + f)))
            break;
        if (!brisk_dense_spd_invert(h, d->hinv, step, q, &logdet))
            return brisk_error_set(err, BRISK_ERR_MODEL, "the model is not identified: its "
                                   "correlations do not determine every parameter");
        for (size_t k = 0; k < q; k++) {
            step[k] = 0;
            for (size_t l = 0; l < q; l++)
                step[k] += d->hinv[k * q + l] * g[l];
        }
        double t = 1, ft = INFINITY;
        for (int half = 0; half < 40; half++, t /= 2) {
            for (size_t k = 0; k < q; k++)
                d->trial[k] = theta[k] + t * step[k];
            if (residuals(d, w, d->trial, res, NULL) && (ft = weighted_ss(d, res)) <= f)
                break;
        }
        if (!(ft <= f)) {   /* at the minimum to rounding, if the gradient says so */
            converged = gmax < 1e-5 * (1 + f);
            break;
        }
        memcpy(theta, d->trial, q * sizeof *theta);
        f = ft;
        if (!residuals(d, w, theta, res, jac))
            return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "no convergence");
    }
    if (!converged)
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "DWLS did not converge in %d "
                               "iterations (largest gradient %.3g): the model may not be "
                               "identified, or the polychorics not fit any such model",
                               w->iterations + 1, gmax);
    w->chisq = f;
    return BRISK_OK;
}

/* The scaled-shifted statistic a X + b of X on df with tr(UG), tr(UG^2). */
static void scaled_shifted(double x, double df, double tr, double tr2, double *scaled,
                           double *factor, double *shift)
{
    double a = sqrt(df / tr2);
    *factor = 1 / a;
    *shift = df - a * tr;
    *scaled = a * x + *shift;
}

/* The ML discrepancies N_g [log|S| + tr(R S^-1) - log|R| - p] of every
 * group's polychorics R from the implied correlations S, and N_g (-log|R|)
 * of the independence model; false when a matrix is not positive definite
 * (lavaan: an eigenvalue of R below sqrt(machine epsilon)), or out of
 * memory.  inverses gets every S^-1 (G p^2). */
static bool catml_statistics(brisk_wlsmv *w, double *inverses)
{
    size_t p = w->p;
    double *shifted = malloc((p * p + 1) * sizeof *shifted), *chol = malloc((p * p + 1) * sizeof *chol);
    bool ok = shifted && chol;
    w->catml_chisq = w->catml_baseline = 0;
    for (size_t g = 0; ok && g < w->ngroups; g++) {
        const double *rho = w->groups[g].rho, *sigma = w->implied + g * p * p;
        double *inv = inverses + g * p * p, logdet_r, logdet_s, ignored;
        memcpy(shifted, rho, p * p * sizeof *shifted);
        for (size_t j = 0; j < p; j++)
            shifted[j * p + j] -= 1.4901161193847656e-08;
        /* (the inverses of the shifted R and of R are scratch: their
         * log-determinants are what is wanted) */
        ok = brisk_dense_spd_invert(shifted, chol, inv, p, &ignored) &&
             brisk_dense_spd_invert(rho, shifted, chol, p, &logdet_r) &&
             brisk_dense_spd_invert(sigma, inv, chol, p, &logdet_s);
        if (!ok)
            break;
        double tr = 0, n = (double)w->groups[g].n;
        for (size_t j = 0; j < p * p; j++)
            tr += rho[j] * inv[j];   /* tr(R S^-1): both symmetric */
        w->catml_chisq += n * (logdet_s + tr - logdet_r - (double)p);
        w->catml_baseline += n * -logdet_r;
    }
    free(shifted);
    free(chol);
    return ok;
}

/* The catML scaling constants (lavaan's lav_fit_catml_dwls):
 *   c = tr(M' V M Gamma) / df,  M = I - J Q,  Q = E^-1 J' W,
 * over the stacked correlations with V = bdiag(f_g V_g), V_g the normal
 * theory weight of the correlations at the implied S_g (V[(ij),(kl)] =
 * A_ik A_jl + A_il A_jk, A = S_g^-1), W = bdiag(f_g W_g), Gamma =
 * bdiag(Gamma_g / f_g).  V and Gamma being block diagonal,
 *   tr(M'VM Gamma) = sum_g tr(V_g Gamma_g) - 2 tr(Q Gamma V J)
 *                    + tr(J'VJ Q Gamma Q'),
 * which needs R x q products only (R the stacked correlations); proj =
 * W J E^-1 without the f_g, so Q[k][a] = f_a proj[a][k].  The baseline's:
 * cb = sum_g tr(Gamma_g) / f_g / dfb. */
static void catml_scaling(brisk_wlsmv *w, const dwls *d, const double *proj, const double *fg)
{
    size_t p = w->p, q = w->q, np = d->np, R = d->rows;
    double *inverses = malloc((w->ngroups * p * p + 1) * sizeof *inverses);
    double *v = malloc((np * np + 1) * sizeof *v);         /* one group's V_g */
    double *qg = calloc(q * R + 1, sizeof *qg);             /* Q Gamma, q x R */
    double *vj = calloc(R * q + 1, sizeof *vj);             /* V J, R x q */
    double *jvj = calloc(q * q + 1, sizeof *jvj), *qgq = calloc(q * q + 1, sizeof *qgq);
    size_t *pair = malloc((2 * np + 1) * sizeof *pair);    /* (j, l) of each pair */
    w->catml = inverses && v && qg && vj && jvj && qgq && pair && catml_statistics(w, inverses);
    for (size_t j = 0, a = 0; w->catml && j < p; j++)
        for (size_t l = j + 1; l < p; l++, a++)
            pair[2 * a] = j, pair[2 * a + 1] = l;
    double tr_vg = 0;
    for (size_t g = 0; w->catml && g < w->ngroups; g++) {
        const double *A = inverses + g * p * p, *gam = w->groups[g].gamma;
        size_t r0 = g * np;
        double f = fg[r0];
        for (size_t a = 0; a < np; a++) {
            size_t i = pair[2 * a], j = pair[2 * a + 1];
            for (size_t c = 0; c < np; c++) {
                size_t k = pair[2 * c], l = pair[2 * c + 1];
                v[a * np + c] = A[i * p + k] * A[j * p + l] + A[i * p + l] * A[j * p + k];
            }
        }
        for (size_t a = 0; a < np; a++)
            for (size_t c = 0; c < np; c++)
                tr_vg += v[a * np + c] * gam[c * np + a];
        for (size_t a = 0; a < np; a++)   /* V J = f V_g J_g */
            for (size_t c = 0; c < np; c++)
                for (size_t k = 0; k < q; k++)
                    vj[(r0 + a) * q + k] += f * v[a * np + c] * d->jac[(r0 + c) * q + k];
        for (size_t k = 0; k < q; k++)    /* Q Gamma = Q_g Gamma_g / f */
            for (size_t b = 0; b < np; b++) {
                double s = 0;
                for (size_t a = 0; a < np; a++)
                    s += f * proj[(r0 + a) * q + k] * gam[a * np + b];
                qg[k * R + r0 + b] = s / f;
            }
    }
    double tr_qgvj = 0;
    for (size_t k = 0; w->catml && k < q; k++)
        for (size_t a = 0; a < R; a++)
            tr_qgvj += qg[k * R + a] * vj[a * q + k];
    for (size_t k = 0; w->catml && k < q; k++)
        for (size_t l = 0; l < q; l++) {
            double s = 0, t = 0;
            for (size_t a = 0; a < R; a++) {
                s += d->jac[a * q + k] * vj[a * q + l];       /* J'VJ */
                t += qg[k * R + a] * fg[a] * proj[a * q + l];  /* Q Gamma Q' */
            }
            jvj[k * q + l] = s;
            qgq[k * q + l] = t;
        }
    double tr_last = 0;
    for (size_t k = 0; w->catml && k < q; k++)
        for (size_t l = 0; l < q; l++)
            tr_last += jvj[k * q + l] * qgq[l * q + k];
    double trb = 0;
    for (size_t g = 0; g < w->ngroups; g++)
        for (size_t a = 0; a < np; a++)
            trb += w->groups[g].gamma[a * np + a] / fg[g * np];
    w->catml_c = (tr_vg - 2 * tr_qgvj + tr_last) / w->df;
    w->catml_baseline_c = trb / w->baseline_df;
    free(inverses), free(v), free(qg), free(vj), free(jvj), free(qgq), free(pair);
}

/* Robust vcov and the scaled-shifted test at the estimates (d holds the
 * Jacobian there), as lavaan with groups weighted by f_g = N_g / N:
 *   E = sum_g f_g J_g' W_g J_g,  vcov = E^-1 [sum_g f_g J_g' W_g Gamma_g
 *   W_g J_g] E^-1 / (N - G);
 *   U Gamma, block (g, h) = [g = h] W_g Gamma_g - f_g W_g J_g E^-1 J_h' W_h
 *   Gamma_h. */
static brisk_status robust_inference(brisk_wlsmv *w, const dwls *d, brisk_error *err)
{
    size_t q = w->q, np = d->np, R = d->rows;
    const double *jac = d->jac;
    double *wj = malloc((R * q + 1) * sizeof *wj), *meat = calloc(q * q + 1, sizeof *meat);
    double *gwj = malloc((R * q + 1) * sizeof *gwj), *tmp = malloc((q * q + 1) * sizeof *tmp);
    double *e = calloc(q * q + 1, sizeof *e), *einv = malloc((q * q + 1) * sizeof *einv);
    double *ug = malloc((R * R + 1) * sizeof *ug), *proj = malloc((R * q + 1) * sizeof *proj);
    double *fg = malloc((R + 1) * sizeof *fg);   /* per stacked row: its group's f_g */
    brisk_status st = BRISK_OK;
    if (!wj || !meat || !gwj || !tmp || !e || !einv || !ug || !proj || !fg)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t g = 0; st == BRISK_OK && g < d->G; g++) {
        const double *G = w->groups[g].gamma;
        size_t r0 = g * np;
        for (size_t a = 0; a < np; a++) {
            fg[r0 + a] = (double)w->groups[g].n / (double)w->n;
            for (size_t k = 0; k < q; k++)
                wj[(r0 + a) * q + k] = jac[(r0 + a) * q + k] / G[a * np + a];   /* W J */
        }
        for (size_t a = 0; a < np; a++)                                       /* Gamma W J */
            for (size_t k = 0; k < q; k++) {
                double v = 0;
                for (size_t b = 0; b < np; b++)
                    v += G[a * np + b] * wj[(r0 + b) * q + k];
                gwj[(r0 + a) * q + k] = v;
            }
    }
    for (size_t k = 0; st == BRISK_OK && k < q; k++)
        for (size_t l = 0; l < q; l++) {
            double ve = 0, vm = 0;
            for (size_t a = 0; a < R; a++) {
                ve += fg[a] * wj[a * q + k] * jac[a * q + l];
                vm += fg[a] * wj[a * q + k] * gwj[a * q + l];
            }
            e[k * q + l] = ve;
            meat[k * q + l] = vm;
        }
    double logdet;
    if (st == BRISK_OK && !brisk_dense_spd_invert(e, einv, tmp, q, &logdet))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the model is not identified: its "
                             "correlations do not determine every parameter");
    if (st != BRISK_OK) {
        free(wj), free(meat), free(gwj), free(tmp), free(e), free(einv), free(ug), free(proj);
        free(fg);
        return st;
    }
    brisk_dense_mul(einv, meat, tmp, q);
    brisk_dense_mul(tmp, einv, w->vcov, q);
    for (size_t i = 0; i < q * q; i++)   /* N - G, as lavaan's (D)WLS */
        w->vcov[i] /= (double)(w->n - d->G);
    for (size_t a = 0; a < R; a++)                                             /* W J E^-1 */
        for (size_t k = 0; k < q; k++) {
            double v = 0;
            for (size_t l = 0; l < q; l++)
                v += wj[a * q + l] * einv[l * q + k];
            proj[a * q + k] = v;
        }
    for (size_t a = 0; a < R; a++)
        for (size_t b = 0; b < R; b++) {
            size_t g = a / np;
            const double *G = w->groups[g].gamma;
            double v = b / np == g ? G[(a % np) * np + b % np] / G[(a % np) * np + a % np] : 0;
            double c = 0;
            for (size_t k = 0; k < q; k++)
                c += proj[a * q + k] * gwj[b * q + k];
            ug[a * R + b] = v - fg[a] * c;
        }
    double tr = 0, tr2 = 0;
    for (size_t a = 0; a < R; a++) {
        tr += ug[a * R + a];
        for (size_t b = 0; b < R; b++)
            tr2 += ug[a * R + b] * ug[b * R + a];
    }
    w->trace_ug = tr;
    w->trace_ug2 = tr2;
    scaled_shifted(w->chisq, w->df, tr, tr2, &w->chisq_scaled, &w->scaling_factor, &w->shift);
    /* the baseline (every correlation 0): U Gamma = W Gamma in each group */
    double btr2 = 0;
    for (size_t g = 0; g < d->G; g++) {
        const double *G = w->groups[g].gamma;
        for (size_t x = 0; x < np; x++)
            for (size_t y = 0; y < np; y++)
                btr2 += G[x * np + y] * G[y * np + x] / (G[x * np + x] * G[y * np + y]);
    }
    scaled_shifted(w->baseline_chisq, w->baseline_df, w->baseline_df, btr2,
                   &w->baseline_chisq_scaled, &w->baseline_scaling_factor, &w->baseline_shift);
    catml_scaling(w, d, proj, fg);
    free(wj), free(meat), free(gwj), free(tmp), free(e), free(einv), free(ug), free(proj);
    free(fg);
    return BRISK_OK;
}

/* Every group's thresholds' standard errors from their variances, over
 * N - G as lavaan's (D)WLS. */
static void threshold_errors(brisk_wlsmv *w)
{
    double scale = (double)w->n / (double)(w->n - w->ngroups);
    for (size_t g = 0; g < w->ngroups; g++)
        for (size_t t = 0; t < w->groups[g].ntau; t++)
            w->groups[g].tau_se[t] = sqrt(w->groups[g].tau_se[t] * scale);
}

/* The model's estimates, test and baseline from the statistics. */
static brisk_status estimate(const brisk_model *m, brisk_wlsmv *w, brisk_error *err)
{
    size_t G = w->ngroups, p = w->p, np = w->npairs;
    brisk_moments *poly = calloc(G, sizeof *poly);
    double *zero = calloc(p + 1, sizeof *zero);
    dwls d = {0};
    brisk_status st = poly && zero ? BRISK_OK
                                   : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t g = 0; poly && g < G; g++)
        poly[g] = (brisk_moments){.p = p, .n = w->groups[g].n, .cov = w->groups[g].rho,
                                  .mean = zero};
    if (st == BRISK_OK && !dwls_init(&d, m, poly, w))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        brisk_sem_start(m, poly, w->theta);
        st = gauss_newton(&d, w, w->theta, err);
    }
    /* the works, the Jacobian and the implied matrices at the estimates
     * (the search may have left the works at a trial point) */
    if (st == BRISK_OK && !residuals(&d, w, w->theta, d.res, d.jac))
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the estimates imply no correlation "
                             "matrix");
    if (st == BRISK_OK) {
        w->df = (double)d.rows - (double)w->q;
        w->fmin = w->chisq / (2 * (double)w->n);
        double baseline = 0;   /* every correlation 0 */
        for (size_t g = 0; g < G; g++) {
            const double *rho = w->groups[g].rho;
            for (size_t j = 0, a = g * np; j < p; j++)
                for (size_t l = j + 1; l < p; l++, a++)
                    baseline += d.weight[a] * rho[j * p + l] * rho[j * p + l];
            double *implied = w->implied + g * p * p;
            memcpy(implied, d.works[g]->Sigma, p * p * sizeof *implied);
            for (size_t j = 0; j < p; j++)   /* delta parameterization: unit diagonal */
                implied[j * p + j] = 1;
        }
        w->baseline_chisq = baseline;
        w->baseline_df = (double)d.rows;
        st = robust_inference(w, &d, err);
    }
    dwls_free(&d);
    free(poly);
    free(zero);
    return st;
}

brisk_status brisk_wlsmv_fit(const brisk_model *m, const brisk_moments *mom, brisk_wlsmv *out,
                             brisk_error *err)
{
    memset(out, 0, sizeof *out);
    size_t p = m->p, q = m->nfree, G = m->ngroups ? m->ngroups : 1;
    *out = (brisk_wlsmv){.p = p, .q = q, .ngroups = G, .npairs = p * (p - 1) / 2};
    brisk_status st = all_statistics(m, mom, out, err);
    out->theta = calloc(q + 1, sizeof *out->theta);
    out->vcov = calloc(q * q + 1, sizeof *out->vcov);
    out->implied = calloc(G * p * p + 1, sizeof *out->implied);
    if (st == BRISK_OK && (!out->theta || !out->vcov || !out->implied))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = estimate(m, out, err);
    if (st == BRISK_OK)
        threshold_errors(out);
    if (st != BRISK_OK)
        brisk_wlsmv_free(out);
    return st;
}

/* ------------------------------------------------------------ as a fit */

/* The items' residual variances set to 1 less their explained variance
 * in each group (the delta parameterization), which gives the implied
 * matrices their unit diagonal for the standardized solution; then the
 * fit's rows. */
static brisk_status fill_fit(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                             brisk_error *err)
{
    double value;
    if (!brisk_sem_fitter_objective(f, fit->theta, &value))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    size_t p = m->p;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        sem_work *work = f->works[par->group];
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

/* The root mean square of one group's correlation residuals, over the
 * p (p + 1) / 2 distinct elements as lavaan's SRMR. */
static double srmr(const brisk_wlsmv *w, size_t g)
{
    size_t p = w->p;
    const double *rho = w->groups[g].rho, *implied = w->implied + g * p * p;
    double ss = 0;
    for (size_t j = 0; j < p; j++)
        for (size_t l = 0; l < j; l++)
            ss += (rho[j * p + l] - implied[j * p + l]) * (rho[j * p + l] - implied[j * p + l]);
    return sqrt(ss / ((double)p * (double)(p + 1) / 2));
}

static void fill_measures(const brisk_model *m, const brisk_wlsmv *w, brisk_fit_measures *f)
{
    /* lavaan's RMSEA for (D)WLS counts N - G respondents */
    double n = (double)w->n, G = (double)w->ngroups, n_rmsea = n - G;
    size_t ntau = 0;
    for (size_t g = 0; g < w->ngroups; g++)
        ntau += w->groups[g].ntau;
    *f = (brisk_fit_measures){.nobs = w->n, .npar = m->nfree + ntau, .loglik = NAN,
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
    brisk_sem_rmsea(f->chisq, f->df, n_rmsea, G, 1, &f->rmsea, &f->rmsea_ci_lower,
                    &f->rmsea_ci_upper);
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
    brisk_sem_rmsea(f->chisq_scaled, f->df, n_rmsea, G, 1, &f->rmsea_scaled,
                    &f->rmsea_ci_lower_scaled, &f->rmsea_ci_upper_scaled);
    if (w->catml && f->df > 0) {
        f->robust = true;
        brisk_sem_cfi_tli(w->catml_chisq, f->df, w->catml_baseline, f->baseline_df, w->catml_c,
                          w->catml_baseline_c, &f->cfi_robust, &f->tli_robust);
        brisk_sem_rmsea_robust(w->catml_chisq, f->df, n_rmsea, G, w->catml_c, &f->rmsea_robust,
                               &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust);
    }
    f->srmr = 0;   /* weighted by the groups' sizes, as lavaan */
    for (size_t g = 0; g < w->ngroups; g++)
        f->srmr += (double)w->groups[g].n / n * srmr(w, g);
}

/* The thresholds of every group into the fit, group by group, item by
 * item. */
static brisk_status copy_thresholds(const brisk_wlsmv *w, brisk_fit *fit, brisk_error *err)
{
    size_t ntau = 0;
    for (size_t g = 0; g < w->ngroups; g++)
        ntau += w->groups[g].ntau;
    fit->thresholds = malloc((ntau + 1) * sizeof *fit->thresholds);
    fit->threshold_se = malloc((ntau + 1) * sizeof *fit->threshold_se);
    fit->threshold_item = malloc((ntau + 1) * sizeof *fit->threshold_item);
    fit->threshold_group = malloc((ntau + 1) * sizeof *fit->threshold_group);
    if (!fit->thresholds || !fit->threshold_se || !fit->threshold_item || !fit->threshold_group)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    fit->nthresholds = ntau;
    for (size_t g = 0, t = 0; g < w->ngroups; g++) {
        const brisk_wlsmv_stats *s = &w->groups[g];
        for (size_t j = 0, k = 0; j < w->p; j++)
            for (size_t c = 0; c + 1 < s->ncat[j]; c++, k++, t++) {
                fit->thresholds[t] = s->tau[k];
                fit->threshold_se[t] = s->tau_se[k];
                fit->threshold_item[t] = j;
                fit->threshold_group[t] = g;
            }
    }
    return BRISK_OK;
}

brisk_status brisk_fit_wlsmv(const brisk_model *m, const brisk_moments *mom, brisk_fit **out,
                             brisk_error *err)
{
    *out = NULL;
    if (brisk_model_nexogenous(m) > 0)
        return brisk_error_set(err, BRISK_ERR_MODEL, "WLSMV with covariates (observed "
                               "predictors) is not available yet: fit the ordered items' "
                               "model without them, or use --estimator mlr");
    brisk_wlsmv w;
    brisk_status st = brisk_wlsmv_fit(m, mom, &w, err);
    if (st != BRISK_OK)
        return st;
    size_t q = m->nfree, G = w.ngroups;
    brisk_moments *poly = calloc(G, sizeof *poly);
    for (size_t g = 0; poly && g < G; g++)
        poly[g] = (brisk_moments){.p = m->p, .n = mom[g].n, .cov = w.groups[g].rho,
                                  .mean = mom[g].mean, .group = mom[g].group};
    sem_fitter *f = poly ? brisk_sem_fitter_new(m, poly) : NULL;
    brisk_fit *fit = calloc(1, sizeof *fit);
    if (!f || !fit) {
        brisk_sem_fitter_free(f);
        free(fit);
        free(poly);
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
    if (!fit->theta || !fit->vcov || !fit->rows)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = copy_thresholds(&w, fit, err);
    if (st == BRISK_OK) {
        memcpy(fit->theta, w.theta, q * sizeof *fit->theta);
        memcpy(fit->vcov, w.vcov, q * q * sizeof *fit->vcov);
        fill_measures(m, &w, &fit->fit);
        st = fill_fit(m, f, fit, err);
    }
    if (st == BRISK_OK)
        st = brisk_sem_defined(m, fit, err);
    if (st == BRISK_OK)
        st = brisk_sem_standardize(m, f, fit, err);
    brisk_sem_fitter_free(f);
    free(poly);
    brisk_wlsmv_free(&w);
    if (st != BRISK_OK) {
        brisk_fit_free(fit);
        return st;
    }
    *out = fit;
    return BRISK_OK;
}
