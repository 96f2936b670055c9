/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Regressions of approval studies: OLS, binary logit and proportional-odds
 * ordered logit/probit by Newton's method with analytic derivatives, with
 * classical, heteroskedasticity-robust (HC1, HC3) or sampling-weight
 * sandwich standard errors. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "regression.h"
#include "core/dense.h"

#define MAX_ITER 200
/* A term whose effect across its observed range exceeds this on the link
 * scale (odds ratio e^20 = 5e8) has run off to infinity: separation. */
#define SEPARATION_SPAN 20.0

/* ------------------------------------------------------------ linear algebra */

/* inv = a^-1 for symmetric positive definite a (n x n); false otherwise. */
static bool spd_inverse(const double *a, double *inv, size_t n)
{
    double *work = malloc((n * n + 1) * sizeof *work), logdet;
    bool ok = work && brisk_dense_spd_invert(a, inv, work, n, &logdet);
    free(work);
    return ok;
}

/* out = a m a (a, m symmetric p x p): the sandwich. */
static void sandwich(const double *a, const double *m, double *out, size_t p, double *tmp)
{
    brisk_dense_mul(a, m, tmp, p);
    brisk_dense_mul(tmp, a, out, p);
}

/* m += c v v' */
static void add_outer(double *m, const double *v, double c, size_t p)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            m[i * p + j] += c * v[i] * v[j];
}

/* The meat of a design-based sandwich from the used rows' weighted scores
 * U (n x p): their linearised variance under the design (sampling.h), the
 * rows left out contributing zeros.  False when out of memory. */
static bool design_meat(const design *d, const double *U, size_t p, double *meat)
{
    double *all = calloc(d->sampling.n * p + 1, sizeof *all);
    if (!all)
        return false;
    for (size_t i = 0; i < d->n; i++)
        memcpy(all + d->at[i] * p, U + i * p, p * sizeof *all);
    bool ok = brisk_sampling_vcov(&d->sampling, all, p, meat);
    free(all);
    return ok;
}

/* svyglm's residual degrees of freedom: degf + 1 - p. */
static double design_df(const design *d, size_t p)
{
    return d->degf + 1 - (double)p;
}

/* ------------------------------------------------------------ checks */

/* A predictor that does not vary, or one that others explain entirely
 * (found by a Cholesky factorization of the scaled cross-products). */
static brisk_status check_predictors(const design *d, size_t first, brisk_error *err)
{
    size_t k = d->k, n = d->n;
    for (size_t j = first; j < k; j++) {
        bool varies = false;
        for (size_t i = 1; i < n && !varies; i++)
            varies = d->x[i * k + j] != d->x[j];
        if (!varies && !(d->intercept && j == 0)) {
            brisk_error_variable(err, d->terms[j]);
            return brisk_error_set(err, BRISK_ERR_MODEL, "constant predictor: '%s' is %g in "
                                   "every row used; drop it", d->terms[j], n ? d->x[j] : 0.0);
        }
    }
    size_t m = k - first;
    double *a = calloc(m * m + 1, sizeof *a), *l = calloc(m * m + 1, sizeof *l);
    if (!a || !l) {
        free(a);
        free(l);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < m; r++)
            for (size_t c = 0; c <= r; c++)
                a[r * m + c] += d->w[i] * d->x[i * k + first + r] * d->x[i * k + first + c];
    brisk_status st = BRISK_OK;
    for (size_t r = 0; r < m && st == BRISK_OK; r++)
        for (size_t c = 0; c <= r; c++) {
            double s = a[r * m + c];
            for (size_t q = 0; q < c; q++)
                s -= l[r * m + q] * l[c * m + q];
            if (r != c) {
                l[r * m + c] = l[c * m + c] > 0 ? s / l[c * m + c] : 0;
                continue;
            }
            /* what is left of the column once the earlier ones explain it */
            if (!(s > 1e-10 * a[r * m + r])) {
                brisk_error_variable(err, d->terms[first + r]);
                st = brisk_error_set(err, BRISK_ERR_MODEL, "collinear predictors: '%s' is a "
                                     "combination of the terms before it (an empty category, "
                                     "or a column that repeats others); drop or merge it",
                                     d->terms[first + r]);
            }
            l[r * m + r] = sqrt(fmax(s, 0));
        }
    free(a);
    free(l);
    return st;
}

/* A coefficient that ran off to infinity: its term separates the outcome. */
static brisk_status check_separation(const design *d, const regress_result *f, size_t first,
                                     brisk_error *err)
{
    for (size_t j = first; j < d->k; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < d->n; i++) {
            lo = fmin(lo, d->x[i * d->k + j]);
            hi = fmax(hi, d->x[i * d->k + j]);
        }
        /* ordinal: thresholds, then the columns after the intercept; a
         * binary logit: the intercept, then the columns */
        double b = f->est[f->nth ? f->nth + j - first : j];
        if (fabs(b) * (hi - lo) > SEPARATION_SPAN) {
            brisk_error_variable(err, d->terms[j]);
            return brisk_error_set(err, BRISK_ERR_MODEL, "perfect separation: '%s' predicts "
                                   "the outcome perfectly among the rows used (its estimate "
                                   "grows without bound); drop it or merge its categories",
                                   d->terms[j]);
        }
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ OLS */

static brisk_status fit_ols(const design *d, const brisk_regress_options *opt, regress_result *f,
                            brisk_error *err)
{
    size_t k = d->k, n = d->n;
    double *a = calloc(k * k + 1, sizeof *a), *ainv = calloc(k * k + 1, sizeof *ainv);
    double *xty = calloc(k + 1, sizeof *xty), *meat = calloc(k * k + 1, sizeof *meat);
    double *tmp = calloc(k * k + 1, sizeof *tmp);
    bool survey = brisk_design_based(opt);
    double *U = survey ? calloc(n * k + 1, sizeof *U) : NULL;
    brisk_status st = a && ainv && xty && meat && tmp && (U || !survey) ? BRISK_OK
                                                                        : BRISK_ERR_NOMEM;
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        const double *x = d->x + i * k;
        add_outer(a, x, d->w[i], k);
        for (size_t j = 0; j < k; j++)
            xty[j] += d->w[i] * x[j] * d->y[i];
    }
    if (st == BRISK_OK && !spd_inverse(a, ainv, k))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the predictors are collinear");
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    double wsum = brisk_design_total_weight(d), ybar = 0;
    for (size_t j = 0; st == BRISK_OK && j < k; j++)
        for (size_t c = 0; c < k; c++)
            f->est[j] += ainv[j * k + c] * xty[c];
    for (size_t i = 0; st == BRISK_OK && i < n; i++)
        ybar += d->w[i] * d->y[i] / wsum;
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        const double *x = d->x + i * k;
        double e = d->y[i], h = 0;
        for (size_t j = 0; j < k; j++)
            e -= x[j] * f->est[j];
        for (size_t r = 0; r < k; r++)
            for (size_t c = 0; c < k; c++)
                h += x[r] * ainv[r * k + c] * x[c];
        double dy = d->intercept ? d->y[i] - ybar : d->y[i];
        f->rss += d->w[i] * e * e;
        f->tss += d->w[i] * dy * dy;
        for (size_t j = 0; survey && j < k; j++)
            U[i * k + j] = d->w[i] * e * x[j];
        double scale = opt->robust == BRISK_ROBUST_HC3 ? d->w[i] * e * e / ((1 - h) * (1 - h))
                                                       : d->w[i] * e * e;
        add_outer(meat, x, scale, k);
    }
    /* frequency weights count cases; sampling weights do not; a design's
     * t tests count its clusters (svyglm: degf + 1 - p) */
    double cases = sampling ? (double)n : wsum;
    f->df_resid = survey ? design_df(d, k) : cases - (double)k;
    if (st == BRISK_OK && survey) {
        if (!design_meat(d, U, k, meat))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        else
            sandwich(ainv, meat, f->vcov, k, tmp);
    } else if (st == BRISK_OK && opt->robust != BRISK_ROBUST_NONE) {
        sandwich(ainv, meat, f->vcov, k, tmp);
        double c = opt->robust == BRISK_ROBUST_HC1 ? cases / f->df_resid : 1;
        for (size_t j = 0; j < k * k; j++)
            f->vcov[j] *= c;
    } else if (st == BRISK_OK) {
        double s2 = f->rss / f->df_resid;
        for (size_t j = 0; j < k * k; j++)
            f->vcov[j] = s2 * ainv[j];
    }
    f->loglik = -cases / 2 * (log(2 * M_PI * f->rss / cases) + 1);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    free(a);
    free(ainv);
    free(xty);
    free(meat);
    free(tmp);
    free(U);
    return st;
}

/* ------------------------------------------------------------ likelihoods */

/* The link's distribution function, density and the density's derivative. */
static void link_functions(brisk_link link, double z, double *F, double *f, double *df)
{
    if (isinf(z)) {
        *F = z > 0 ? 1 : 0;
        *f = *df = 0;
        return;
    }
    if (link == BRISK_LINK_PROBIT) {
        *F = gsl_cdf_ugaussian_P(z);
        *f = gsl_ran_ugaussian_pdf(z);
        *df = -z * *f;
        return;
    }
    double e = exp(-fabs(z));
    *F = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    *f = e / ((1 + e) * (1 + e));
    *df = *f * (1 - 2 * *F);
}

/* Log-likelihood of an ordinal (or, with two levels, binary) model at
 * theta = (thresholds, coefficients), and, when g is not NULL, its
 * gradient and the negative Hessian (info); when U is not NULL, each
 * row's score times its weight (n x p, for the sandwich). */
typedef struct ordinal_model {
    const design *d;
    size_t first;         /* first column of x used (1: skip the intercept) */
    size_t nth, p;
    brisk_link link;
    double *score;        /* scratch, p */
} ordinal_model;

static double ordinal_loglik(const ordinal_model *om, const double *theta, double *g,
                             double *info, double *U)
{
    const design *d = om->d;
    size_t nth = om->nth, p = om->p, k = d->k, first = om->first;
    for (size_t j = 1; j < nth; j++)
        if (!(theta[j] > theta[j - 1]))
            return -INFINITY;
    if (g) {
        memset(g, 0, p * sizeof *g);
        memset(info, 0, p * p * sizeof *info);
    }
    double ll = 0;
    for (size_t i = 0; i < d->n; i++) {
        const double *x = d->x + i * k + first;
        double eta = 0;
        for (size_t j = 0; j < p - nth; j++)
            eta += x[j] * theta[nth + j];
        size_t y = (size_t)d->y[i];
        double a = y < nth ? theta[y] - eta : INFINITY, b = y > 0 ? theta[y - 1] - eta : -INFINITY;
        double Fa, fa, ha, Fb, fb, hb;
        link_functions(om->link, a, &Fa, &fa, &ha);
        link_functions(om->link, b, &Fb, &fb, &hb);
        /* the upper tail, where both are near 1, is the lower tail mirrored */
        double prob = a > 0 && b > 0 && om->link == BRISK_LINK_LOGIT
                          ? (1 - Fb) - (isinf(a) ? 0 : 1 - Fa) : Fa - Fb;
        if (!(prob > 0))
            return -INFINITY;
        double w = d->w[i];
        ll += w * log(prob);
        if (!g)
            continue;
        double *s = om->score;
        memset(s, 0, p * sizeof *s);
        if (y < nth)
            s[y] = fa / prob;
        if (y > 0)
            s[y - 1] = -fb / prob;
        for (size_t j = 0; j < p - nth; j++)
            s[nth + j] = -x[j] * (fa - fb) / prob;
        for (size_t j = 0; j < p; j++) {
            g[j] += w * s[j];
            if (U)
                U[i * p + j] = w * s[j];
        }
        /* second derivatives of log(prob) (negated into info) */
        double D = fa - fb;
        double haa = ha / prob - fa * fa / (prob * prob), hbb = -hb / prob - fb * fb / (prob * prob);
        double hab = fa * fb / (prob * prob);
        double hxx = (ha - hb) / prob - D * D / (prob * prob);
        double hax = -ha / prob + fa * D / (prob * prob), hbx = hb / prob - fb * D / (prob * prob);
        if (y < nth)
            info[y * p + y] -= w * haa;
        if (y > 0)
            info[(y - 1) * p + y - 1] -= w * hbb;
        if (y < nth && y > 0) {
            info[y * p + y - 1] -= w * hab;
            info[(y - 1) * p + y] -= w * hab;
        }
        for (size_t j = 0; j < p - nth; j++) {
            for (size_t c = 0; c < p - nth; c++)
                info[(nth + j) * p + nth + c] -= w * hxx * x[j] * x[c];
            if (y < nth) {
                info[y * p + nth + j] -= w * hax * x[j];
                info[(nth + j) * p + y] -= w * hax * x[j];
            }
            if (y > 0) {
                info[(y - 1) * p + nth + j] -= w * hbx * x[j];
                info[(nth + j) * p + y - 1] -= w * hbx * x[j];
            }
        }
    }
    return ll;
}

/* Newton's method with step halving, from thresholds at the cumulative
 * shares and coefficients 0. */
static brisk_status fit_ordinal(const design *d, const brisk_regress_options *opt, bool binary,
                                regress_result *f, brisk_error *err)
{
    /* the intercept (column 0) is the model's threshold, negated */
    size_t nth = d->nlevels - 1, first = 1, p = nth + d->k - first;
    ordinal_model om = {.d = d, .first = first, .nth = nth, .p = p,
                        .link = binary ? BRISK_LINK_LOGIT : opt->link};
    double *g = calloc(p + 1, sizeof *g), *info = calloc(p * p + 1, sizeof *info);
    double *meat = calloc(p * p + 1, sizeof *meat), *inv = calloc(p * p + 1, sizeof *inv);
    double *next = calloc(p + 1, sizeof *next), *step = calloc(p + 1, sizeof *step);
    double *tmp = calloc(p * p + 1, sizeof *tmp), *count = calloc(nth + 2, sizeof *count);
    om.score = calloc(p + 1, sizeof *om.score);
    if (!g || !info || !meat || !inv || !next || !step || !tmp || !count || !om.score) {
        free(g), free(info), free(meat), free(inv), free(next), free(step), free(tmp);
        free(count), free(om.score);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    double *theta = f->est, wsum = brisk_design_total_weight(d);
    for (size_t i = 0; i < d->n; i++)
        count[(size_t)d->y[i]] += d->w[i];
    double cum = 0;
    f->loglik0 = 0;
    for (size_t j = 0; j <= nth; j++) {
        if (count[j] > 0)
            f->loglik0 += count[j] * log(count[j] / wsum);
        cum += count[j];
        if (j < nth) {
            double share = fmin(fmax(cum / wsum, 1e-6), 1 - 1e-6);
            theta[j] = om.link == BRISK_LINK_PROBIT ? gsl_cdf_ugaussian_Pinv(share)
                                                    : log(share / (1 - share));
        }
    }
    /* a binary logit has an intercept where the ordinal model has its
     * threshold: b0 = -theta */
    brisk_status st = BRISK_OK;
    double ll = ordinal_loglik(&om, theta, g, info, NULL);
    int it = 0;
    for (; it < MAX_ITER; it++) {
        if (!spd_inverse(info, inv, p)) {
            st = BRISK_ERR_CONVERGENCE;
            break;
        }
        double gmax = 0, decrement = 0;
        for (size_t j = 0; j < p; j++) {
            step[j] = 0;
            for (size_t c = 0; c < p; c++)
                step[j] += inv[j * p + c] * g[c];
            gmax = fmax(gmax, fabs(g[j]));
            decrement += step[j] * g[j];
        }
        if (decrement < 1e-20 * (1 + fabs(ll)) || gmax < 1e-12)
            break;
        double t = 1, trial = -INFINITY;
        for (int h = 0; h < 40; h++, t /= 2) {
            for (size_t j = 0; j < p; j++)
                next[j] = theta[j] + t * step[j];
            trial = ordinal_loglik(&om, next, NULL, NULL, NULL);
            if (trial >= ll - 1e-12 * fabs(ll))
                break;
        }
        if (!(trial >= ll - 1e-12 * fabs(ll)))
            break;      /* no step improves: at the optimum to rounding */
        memcpy(theta, next, p * sizeof *theta);
        ll = ordinal_loglik(&om, theta, g, info, NULL);
    }
    f->iterations = it;
    f->loglik = ll;
    f->nth = binary ? 0 : nth;
    if (st == BRISK_OK && (it == MAX_ITER || !spd_inverse(info, inv, p)))
        st = BRISK_ERR_CONVERGENCE;
    double *U = st == BRISK_OK && brisk_design_based(opt) ? calloc(d->n * p + 1, sizeof *U) : NULL;
    if (st == BRISK_OK && brisk_design_based(opt)) {
        if (U)
            ordinal_loglik(&om, theta, g, info, U);
        if (!U || !design_meat(d, U, p, meat))
            st = BRISK_ERR_NOMEM;
        else
            sandwich(inv, meat, f->vcov, p, tmp);
    } else if (st == BRISK_OK) {
        memcpy(f->vcov, inv, p * p * sizeof *inv);
    }
    if (st == BRISK_OK && binary) {
        /* (threshold, b) -> (intercept, b): the intercept is -threshold */
        theta[0] = -theta[0];
        for (size_t j = 1; j < p; j++) {
            f->vcov[j] = -f->vcov[j];
            f->vcov[j * p] = -f->vcov[j * p];
        }
    }
    if (st == BRISK_ERR_CONVERGENCE)
        brisk_error_set(err, st, "the %s model did not converge in %d iterations: an outcome "
                        "category may be (almost) perfectly predicted; check the predictors' "
                        "categories", binary ? "logit" : "ordinal", it);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    free(U);
    free(g), free(info), free(meat), free(inv), free(next), free(step), free(tmp);
    free(count), free(om.score);
    return st;
}

/* ------------------------------------------------------------ the fit */

void brisk_regress_result_free(regress_result *f)
{
    free(f->est);
    free(f->vcov);
    memset(f, 0, sizeof *f);
}

brisk_status brisk_regress_fit(const design *d, const brisk_regress_options *opt,
                               regress_result *f, brisk_error *err)
{
    brisk_status st = BRISK_OK;
    bool ordinal = opt->family == BRISK_FAMILY_ORDINAL, logit = opt->family == BRISK_FAMILY_LOGIT;
    if ((ordinal || logit) && !d->intercept)
        st = brisk_error_set(err, BRISK_ERR_MODEL, "%s: drop '- 1' (or '0 +') from the formula",
                             ordinal ? "an ordinal model has thresholds, which take the place "
                                       "of an intercept"
                                     : "a logit without an intercept is not supported");
    size_t nth = ordinal ? d->nlevels - 1 : 0, p = ordinal ? nth + d->k - 1 : d->k;
    if (st == BRISK_OK && (double)d->n <= (double)p)
        st = brisk_error_set(err, BRISK_ERR_MODEL, "fewer cases than parameters: %zu rows used "
                             "(%zu left out for missing values) for %zu parameters", d->n,
                             d->n_dropped, p);
    if (st == BRISK_OK)
        st = check_predictors(d, ordinal ? 1 : 0, err);
    *f = (regress_result){.p = p, .est = calloc(p + 1, sizeof(double)),
                          .vcov = calloc(p * p + 1, sizeof(double))};
    if (st == BRISK_OK && (!f->est || !f->vcov))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = opt->family == BRISK_FAMILY_OLS ? fit_ols(d, opt, f, err)
                                             : fit_ordinal(d, opt, logit, f, err);
    if ((ordinal || logit) && (st == BRISK_OK || st == BRISK_ERR_CONVERGENCE)) {
        brisk_status sep = check_separation(d, f, 1, err);
        st = sep != BRISK_OK ? sep : st;   /* separation explains a failure best */
    }
    if (logit || ordinal)   /* svyglm's degf + 1 - p for a design */
        f->df_resid = brisk_design_based(opt) ? design_df(d, p) : (double)d->n - (double)p;
    return st;
}
