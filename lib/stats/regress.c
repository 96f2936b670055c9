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
#include "design.h"
#include "sem/dense.h"

#define MAX_ITER 200
/* A term whose effect across its observed range exceeds this on the link
 * scale (odds ratio e^20 = 5e8) has run off to infinity: separation. */
#define SEPARATION_SPAN 20.0

typedef struct result {
    size_t p;             /* parameters: thresholds, then coefficients */
    size_t nth;           /* thresholds (ordinal) */
    double *est, *vcov;   /* p, p x p */
    double loglik, loglik0;
    double rss, tss, df_resid;
    int iterations;
} result;

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

/* ------------------------------------------------------------ checks */

static double total_weight(const design *d)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += d->w[i];
    return s;
}

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
static brisk_status check_separation(const design *d, const result *f, size_t first,
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

static brisk_status fit_ols(const design *d, const brisk_regress_options *opt, result *f,
                            brisk_error *err)
{
    size_t k = d->k, n = d->n;
    double *a = calloc(k * k + 1, sizeof *a), *ainv = calloc(k * k + 1, sizeof *ainv);
    double *xty = calloc(k + 1, sizeof *xty), *meat = calloc(k * k + 1, sizeof *meat);
    double *tmp = calloc(k * k + 1, sizeof *tmp);
    brisk_status st = a && ainv && xty && meat && tmp ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        const double *x = d->x + i * k;
        add_outer(a, x, d->w[i], k);
        for (size_t j = 0; j < k; j++)
            xty[j] += d->w[i] * x[j] * d->y[i];
    }
    if (st == BRISK_OK && !spd_inverse(a, ainv, k))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the predictors are collinear");
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    double wsum = total_weight(d), ybar = 0;
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
        double scale = sampling ? d->w[i] * d->w[i] * e * e
                       : opt->robust == BRISK_ROBUST_HC3 ? d->w[i] * e * e / ((1 - h) * (1 - h))
                                                         : d->w[i] * e * e;
        add_outer(meat, x, scale, k);
    }
    /* frequency weights count cases; sampling weights do not */
    double cases = sampling ? (double)n : wsum;
    f->df_resid = cases - (double)k;
    if (st == BRISK_OK && sampling) {
        sandwich(ainv, meat, f->vcov, k, tmp);
        for (size_t j = 0; j < k * k; j++)
            f->vcov[j] *= (double)n / (double)(n - 1);
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
 * gradient, the negative Hessian (info) and the per-row scores' outer
 * products weighted by w^2 (meat, for the sandwich). */
typedef struct ordinal_model {
    const design *d;
    size_t first;         /* first column of x used (1: skip the intercept) */
    size_t nth, p;
    brisk_link link;
    double *score;        /* scratch, p */
} ordinal_model;

static double ordinal_loglik(const ordinal_model *om, const double *theta, double *g,
                             double *info, double *meat)
{
    const design *d = om->d;
    size_t nth = om->nth, p = om->p, k = d->k, first = om->first;
    for (size_t j = 1; j < nth; j++)
        if (!(theta[j] > theta[j - 1]))
            return -INFINITY;
    if (g) {
        memset(g, 0, p * sizeof *g);
        memset(info, 0, p * p * sizeof *info);
        memset(meat, 0, p * p * sizeof *meat);
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
        for (size_t j = 0; j < p; j++)
            g[j] += w * s[j];
        add_outer(meat, s, w * w, p);
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
                                result *f, brisk_error *err)
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
    double *theta = f->est, wsum = total_weight(d);
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
    double ll = ordinal_loglik(&om, theta, g, info, meat);
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
        ll = ordinal_loglik(&om, theta, g, info, meat);
    }
    f->iterations = it;
    f->loglik = ll;
    f->nth = binary ? 0 : nth;
    if (st == BRISK_OK && (it == MAX_ITER || !spd_inverse(info, inv, p)))
        st = BRISK_ERR_CONVERGENCE;
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    if (st == BRISK_OK && sampling) {
        sandwich(inv, meat, f->vcov, p, tmp);
        for (size_t j = 0; j < p * p; j++)
            f->vcov[j] *= (double)d->n / (double)(d->n - 1);
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
    free(g), free(info), free(meat), free(inv), free(next), free(step), free(tmp);
    free(count), free(om.score);
    return st;
}

/* ------------------------------------------------------------ tables */

static const char *const coef_columns[][2] = {
    {"term", "Term"}, {"est", "Estimate"}, {"se", "SE"}, {"stat", "z"}, {"pvalue", "p"},
    {"ci_lower", "CI lower"}, {"ci_upper", "CI upper"}, {"odds_ratio", "Odds ratio"},
    {"or_lower", "OR CI lower"}, {"or_upper", "OR CI upper"},
};

/* The name of parameter j: a threshold "a|b", or the design's term. */
static char *parameter_name(const design *d, const result *f, size_t j)
{
    if (j >= f->nth) {
        size_t term = f->nth ? j - f->nth + 1 : j;   /* ordinal: no intercept */
        return brisk_strdup(d->terms[term]);
    }
    brisk_buf b = {0};
    if (!brisk_buf_printf(&b, "%s|%s", d->levels[j], d->levels[j + 1])) {
        brisk_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static brisk_table *coefficient_table(const design *d, const result *f,
                                      const brisk_regress_options *opt, bool t_stat)
{
    bool odds = opt->family != BRISK_FAMILY_OLS && opt->link == BRISK_LINK_LOGIT;
    size_t ncols = odds ? 10 : 7;
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    double q = t_stat ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, f->df_resid)
                      : gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    brisk_table *t = brisk_table_new("regress.coefficients", "Coefficients");
    for (size_t c = 0; t && c < ncols; c++) {
        const char *header = c == 3 && t_stat ? "t" : coef_columns[c][1];
        if (brisk_table_add_column(t, coef_columns[c][0], header,
                                   c == 0 ? BRISK_CELL_TEXT : c == 4 ? BRISK_CELL_PVALUE
                                                                     : BRISK_CELL_NUMBER,
                                   3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    for (size_t j = 0; t && j < f->p; j++) {
        char *name = parameter_name(d, f, j);
        size_t row = brisk_table_add_row(t);
        if (!name || row == (size_t)-1 || brisk_table_set_text(t, row, 0, name)) {
            free(name);
            brisk_table_free(t);
            return NULL;
        }
        bool coefficient = j >= f->nth && strcmp(name, "(Intercept)") != 0;
        free(name);
        double est = f->est[j], se = sqrt(f->vcov[j * f->p + j]), z = est / se;
        double p = t_stat ? 2 * gsl_cdf_tdist_Q(fabs(z), f->df_resid)
                          : 2 * gsl_cdf_ugaussian_Q(fabs(z));
        double v[] = {NAN, est, se, z, p, est - q * se, est + q * se,
                      coefficient ? exp(est) : NAN, coefficient ? exp(est - q * se) : NAN,
                      coefficient ? exp(est + q * se) : NAN};
        for (size_t c = 1; c < ncols; c++)
            brisk_table_set_num(t, row, c, v[c]);
    }
    return t;
}

typedef struct fit_row {
    const char *key, *label;
    double value;
    bool count;
} fit_row;

static brisk_table *fit_table(const design *d, const result *f, const brisk_regress_options *opt)
{
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    bool likelihood = !sampling;
    double cases = opt->weight && !sampling ? total_weight(d) : (double)d->n;
    double npar = (double)f->p + (opt->family == BRISK_FAMILY_OLS ? 1 : 0);   /* OLS: sigma */
    double aic = -2 * f->loglik + 2 * npar, bic = -2 * f->loglik + npar * log(cases);
    double mcfadden = 1 - f->loglik / f->loglik0;
    double nagelkerke = (1 - exp(2 * (f->loglik0 - f->loglik) / cases)) /
                        (1 - exp(2 * f->loglik0 / cases));
    double k1 = (double)d->k - (d->intercept ? 1 : 0);
    double r2 = 1 - f->rss / f->tss;
    double adj = 1 - (1 - r2) * (cases - (d->intercept ? 1 : 0)) / f->df_resid;
    double F = ((f->tss - f->rss) / k1) / (f->rss / f->df_resid);
    fit_row rows[16];
    size_t n = 0;
    rows[n++] = (fit_row){"n", "Observations used", (double)d->n, true};
    rows[n++] = (fit_row){"n_dropped", "Left out (missing values)", (double)d->n_dropped, true};
    if (opt->weight && !sampling)
        rows[n++] = (fit_row){"n_weighted", "Cases (sum of frequency weights)", cases, true};
    if (opt->family == BRISK_FAMILY_OLS) {
        rows[n++] = (fit_row){"r2", "R-squared", sampling ? NAN : r2, false};
        rows[n++] = (fit_row){"adj_r2", "Adjusted R-squared", sampling ? NAN : adj, false};
        rows[n++] = (fit_row){"sigma", "Residual SE", sqrt(f->rss / f->df_resid), false};
        rows[n++] = (fit_row){"df_resid", "Residual df", f->df_resid, true};
        rows[n++] = (fit_row){"F", "F", sampling || opt->robust ? NAN : F, false};
    } else {
        rows[n++] = (fit_row){"mcfadden", "McFadden R-squared", likelihood ? mcfadden : NAN, false};
        rows[n++] = (fit_row){"nagelkerke", "Nagelkerke R-squared", likelihood ? nagelkerke : NAN,
                              false};
        rows[n++] = (fit_row){"loglik_null", "Log-likelihood (null model)",
                              likelihood ? f->loglik0 : NAN, false};
        rows[n++] = (fit_row){"iterations", "Iterations", (double)f->iterations, true};
        if (sampling && opt->family == BRISK_FAMILY_LOGIT)   /* the df of its t tests */
            rows[n++] = (fit_row){"df_resid", "Residual df", f->df_resid, true};
    }
    rows[n++] = (fit_row){"loglik", "Log-likelihood", likelihood ? f->loglik : NAN, false};
    rows[n++] = (fit_row){"aic", "AIC", likelihood ? aic : NAN, false};
    rows[n++] = (fit_row){"bic", "BIC", likelihood ? bic : NAN, false};
    brisk_table *t = brisk_table_new("regress.fit", "Model fit");
    if (!t || brisk_table_add_column(t, "measure", "Measure", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
        brisk_table_add_column(t, "value", "Value", BRISK_CELL_NUMBER, 3) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(rows[i].value))
            continue;     /* what this model has no use for is not shown */
        size_t row = brisk_table_add_row(t);
        char count[32];
        snprintf(count, sizeof count, "%.0f", rows[i].value);   /* shown without decimals */
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, rows[i].label) ||
            (rows[i].count && brisk_table_set_text(t, row, 1, count))) {
            brisk_table_free(t);
            return NULL;
        }
        brisk_table_set_num(t, row, 1, rows[i].value);
    }
    return t;
}

static brisk_status add_notes(brisk_table *t, const design *d, const brisk_regress_options *opt,
                              bool t_stat)
{
    static const char *const family[] = {"OLS", "Binary logit", "Proportional-odds ordered"};
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    const char *se = sampling ? "sandwich (linearisation) SEs for sampling weights, as R's survey "
                                "package"
                     : opt->robust == BRISK_ROBUST_HC1 ? "HC1 robust SEs"
                     : opt->robust == BRISK_ROBUST_HC3 ? "HC3 robust SEs"
                     : opt->family == BRISK_FAMILY_OLS ? "classical SEs" : "SEs from the information";
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    char event[300] = "";
    if (opt->family == BRISK_FAMILY_LOGIT)   /* which answer the odds are of */
        snprintf(event, sizeof event, " = %s", d->levels[1]);
    return brisk_table_add_note(t, "%s %s of %s%s on %zu rows (%zu left out for missing "
                                "values)%s%s; %s; %s tests, %.4g%% Wald intervals.",
                                family[opt->family],
                                opt->family == BRISK_FAMILY_ORDINAL
                                    ? opt->link == BRISK_LINK_PROBIT ? "probit" : "logit"
                                    : "regression",
                                d->outcome, event, d->n, d->n_dropped,
                                opt->weight ? ", weighted by " : "",
                                opt->weight ? opt->weight : "", se, t_stat ? "t" : "z",
                                100 * level);
}

brisk_status brisk_regress(const brisk_dataset *ds, const char *formula,
                           const brisk_regress_options *opt, brisk_table_list *out,
                           brisk_error *err)
{
    design d;
    brisk_status st = brisk_design_build(ds, formula, opt, &d, err);
    if (st != BRISK_OK)
        return st;
    bool ordinal = opt->family == BRISK_FAMILY_ORDINAL, logit = opt->family == BRISK_FAMILY_LOGIT;
    if ((ordinal || logit) && !d.intercept)
        st = brisk_error_set(err, BRISK_ERR_MODEL, "%s: drop '- 1' (or '0 +') from the formula",
                             ordinal ? "an ordinal model has thresholds, which take the place "
                                       "of an intercept"
                                     : "a logit without an intercept is not supported");
    size_t nth = ordinal ? d.nlevels - 1 : 0, p = ordinal ? nth + d.k - 1 : d.k;
    if (st == BRISK_OK && (double)d.n <= (double)p)
        st = brisk_error_set(err, BRISK_ERR_MODEL, "fewer cases than parameters: %zu rows used "
                             "(%zu left out for missing values) for %zu parameters", d.n,
                             d.n_dropped, p);
    if (st == BRISK_OK)
        st = check_predictors(&d, ordinal ? 1 : 0, err);
    result f = {.p = p, .est = calloc(p + 1, sizeof(double)),
                .vcov = calloc(p * p + 1, sizeof(double))};
    if (st == BRISK_OK && (!f.est || !f.vcov))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = opt->family == BRISK_FAMILY_OLS ? fit_ols(&d, opt, &f, err)
                                             : fit_ordinal(&d, opt, logit, &f, err);
    if ((ordinal || logit) && (st == BRISK_OK || st == BRISK_ERR_CONVERGENCE)) {
        brisk_status sep = check_separation(&d, &f, 1, err);
        st = sep != BRISK_OK ? sep : st;   /* separation explains a failure best */
    }
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    if (logit || ordinal)
        f.df_resid = (double)d.n - (double)p;
    bool t_stat = opt->family == BRISK_FAMILY_OLS || (sampling && !ordinal);
    brisk_table *coef = st == BRISK_OK ? coefficient_table(&d, &f, opt, t_stat) : NULL;
    brisk_table *fit = st == BRISK_OK ? fit_table(&d, &f, opt) : NULL;
    if (st == BRISK_OK && (!coef || !fit || add_notes(coef, &d, opt, t_stat) != BRISK_OK))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (st = brisk_table_list_add(out, coef)) == BRISK_OK)
        st = brisk_table_list_add(out, fit);
    else {
        brisk_table_free(coef);
        brisk_table_free(fit);
    }
    free(f.est);
    free(f.vcov);
    brisk_design_free(&d);
    return st;
}
