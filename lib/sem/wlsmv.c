/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WLSMV for ordered items, as lavaan's estimator = "WLSMV" (the delta
 * parameterization):
 *   1. each item's thresholds and each pair's polychoric correlation, two
 *      step, and their asymptotic covariance Gamma (wlsmv_stats.c); with
 *      fixed covariates (lavaan's conditional.x) each item's ordered probit
 *      slopes on them too, and the correlations given them;
 *   2. DWLS: the model's implied slopes and correlations (given the
 *      covariates) fitted to the sample's with weights 1 / diag(Gamma), by
 *      Gauss-Newton (the thresholds are saturated: their estimates are the
 *      sample's);
 *   3. robust standard errors (H^-1 J'W Gamma W J H^-1 / N, H = J'WJ) and
 *      the mean-and-variance adjusted (scaled-shifted) chi-square:
 *      a = sqrt(df / tr((U Gamma)^2)), b = df - a tr(U Gamma),
 *      U = W - W J H^-1 J' W; lavaan reports 1/a as the scaling factor and
 *      b as the shift.
 * Only the slopes' and correlations' block of Gamma matters for the
 * model's parameters and the test: the thresholds' block enters the
 * thresholds' standard errors alone.  The structural model sees the
 * covariates as fixed covariates with their sample moments: its implied
 * slopes are Sigma_yx Sxx^-1 and its correlations given them Sigma_yy -
 * Sigma_yx Sxx^-1 Sigma_xy, whatever Sxx. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"
#include "sem_wls.h"

static void stats_free(brisk_wlsmv_stats *s)
{
    free(s->ncat);
    free(s->tau);
    free(s->tau_se);
    free(s->slopes);
    free(s->rho);
    free(s->gamma);
    free(s->xcov);
    free(s->xcov_inv);
    free(s->xmean);
    free(s->mean);
    free(s->var);
}

void brisk_wlsmv_free(brisk_wlsmv *w)
{
    for (size_t g = 0; w->groups && g < w->ngroups; g++)
        stats_free(&w->groups[g]);
    free(w->groups);
    free(w->yv);
    free(w->xv);
    free(w->numeric);
    free(w->theta);
    free(w->vcov);
    free(w->implied);
    free(w->delta);
    free(w->released);
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------ DWLS */

/* The estimation's workspace: the statistics of every group stacked
 * (group by group: the slopes item by item, then the correlations (1,2),
 * (1,3), ...), their residuals, Jacobian and weights, allocated once. */
typedef struct dwls {
    sem_work **works;             /* one per group */
    size_t G, ns, q, rows;        /* ns statistics per group, rows = G ns */
    double *res, *jac;            /* rows, rows x q */
    double *weight;               /* (N_g - 1) / Gamma_aa: the statistic's weights */
    double *h, *hinv, *g, *step, *trial;
    double *jac_scratch;          /* q x q: the damped h */
    double *pi, *dpi;             /* implied slopes p x nx, and per parameter */
    double *delta, *ddelta;       /* the theta parameterization's scale factors p, and
                                     their derivatives q x p, of the group at hand */
} dwls;

static void dwls_free(dwls *d)
{
    for (size_t g = 0; d->works && g < d->G; g++)
        brisk_sem_work_free(d->works[g]);
    free(d->works);
    free(d->res), free(d->jac), free(d->weight);
    free(d->h), free(d->hinv), free(d->g), free(d->step), free(d->trial), free(d->jac_scratch);
    free(d->pi), free(d->dpi);
    free(d->delta), free(d->ddelta);
}

static bool dwls_init(dwls *d, const brisk_model *m, const brisk_moments *poly,
                      const brisk_wlsmv *w)
{
    size_t q = w->q, pnx = w->p * w->nx;
    *d = (dwls){.G = w->ngroups, .ns = w->nstat, .q = q, .rows = w->ngroups * w->nstat};
    d->works = calloc(d->G, sizeof *d->works);
    d->res = malloc((d->rows + 1) * sizeof *d->res);
    d->jac = malloc((d->rows * q + 1) * sizeof *d->jac);
    d->weight = malloc((d->rows + 1) * sizeof *d->weight);
    d->h = malloc((q * q + 1) * sizeof *d->h);
    d->hinv = malloc((q * q + 1) * sizeof *d->hinv);
    d->g = malloc((q + 1) * sizeof *d->g);
    d->step = malloc((q * q + 1) * sizeof *d->step);   /* also the Cholesky scratch */
    d->trial = malloc((q + 1) * sizeof *d->trial);
    d->jac_scratch = malloc((q * q + 1) * sizeof *d->jac_scratch);
    d->pi = malloc((pnx + 1) * sizeof *d->pi);
    d->dpi = malloc((q * pnx + 1) * sizeof *d->dpi);
    d->delta = malloc((w->p + 1) * sizeof *d->delta);
    d->ddelta = calloc(q * w->p + 1, sizeof *d->ddelta);
    bool ok = d->works && d->res && d->jac && d->weight && d->h && d->hinv && d->g && d->step &&
              d->trial && d->jac_scratch && d->pi && d->dpi && d->delta && d->ddelta;
    for (size_t g = 0; ok && g < d->G; g++) {
        ok = (d->works[g] = brisk_sem_work_new(m, &poly[g], g)) != NULL;
        const brisk_wlsmv_stats *s = &w->groups[g];
        for (size_t a = 0; ok && a < d->ns; a++)
            d->weight[g * d->ns + a] = (double)(s->n - 1) / s->gamma[a * d->ns + a];
    }
    return ok;
}

/* The implied slopes of the items on the covariates, Sigma_yx Sxx^-1
 * (p x nx), from one group's implied matrix S (pm x pm) or its derivative. */
static void implied_slopes(const brisk_wlsmv *w, const brisk_wlsmv_stats *s, const double *S,
                           size_t pm, double *pi)
{
    size_t nx = w->nx;
    for (size_t j = 0; j < w->p; j++)
        for (size_t v = 0; v < nx; v++) {
            double t = 0;
            for (size_t u = 0; u < nx; u++)
                t += S[w->yv[j] * pm + w->xv[u]] * s->xcov_inv[u * nx + v];
            pi[j * nx + v] = t;
        }
}

/* The implied covariance of items j and l given the covariates:
 * S_jl - pi_j' S_xl. */
static double given_covariates(const brisk_wlsmv *w, const double *S, size_t pm,
                               const double *pi, size_t j, size_t l)
{
    double c = S[w->yv[j] * pm + w->yv[l]];
    for (size_t v = 0; v < w->nx; v++)
        c -= pi[j * w->nx + v] * S[w->xv[v] * pm + w->yv[l]];
    return c;
}

/* The derivative of S_jl - pi_j' S_xl (items j and l given the
 * covariates) along the model's parameter k: dS_jl - dpi_j' S_xl - pi_j'
 * dS_xl, with d->pi and d->dpi those of the work's implied matrix S. */
static double given_derivative(const dwls *d, const brisk_wlsmv *w, const sem_work *work,
                               size_t k, size_t j, size_t l)
{
    size_t pm = work->p, nx = w->nx;
    const double *S = work->Sigma, *dpi = d->dpi + k * w->p * nx;
    double v = given_covariates(w, work->dSigma + k * pm * pm, pm, d->pi, j, l);
    for (size_t x = 0; x < nx; x++)
        v -= dpi[j * nx + x] * S[w->xv[x] * pm + w->yv[l]];
    return v;
}

/* The theta parameterization's scale factors of one group, delta_j = 1 /
 * sqrt(Sigma_jj given the covariates), into d->delta, and (with_jac)
 * their derivatives along the model's parameters, -delta_j^3 dSigma_jj / 2,
 * into d->ddelta; d->pi (and d->dpi) are the group's.  False where a
 * variance is not positive.  Without theta_param every delta is 1. */
static bool theta_scales(dwls *d, const brisk_wlsmv *w, const sem_work *work, bool with_jac)
{
    for (size_t j = 0; j < w->p; j++) {
        if (!w->theta_param || (w->numeric && w->numeric[j])) {
            d->delta[j] = 1;   /* a continuous item is not rescaled */
            continue;
        }
        double v = given_covariates(w, work->Sigma, work->p, d->pi, j, j);
        if (!(v > 0))
            return false;
        double delta = d->delta[j] = 1 / sqrt(v);
        for (size_t k = 0; with_jac && k < w->qm; k++)
            d->ddelta[k * w->p + j] =
                -0.5 * delta * delta * delta * given_derivative(d, w, work, k, j, j);
    }
    return true;
}

/* The ordered items: those with scale factors (a continuous item has
 * none), and item j's place among them. */
static size_t scaled_items(const brisk_wlsmv *w)
{
    return w->p - w->nnum;
}

static size_t scaled_place(const brisk_wlsmv *w, size_t j)
{
    size_t k = j;
    for (size_t i = 0; w->numeric && i < j; i++)
        k -= w->numeric[i];
    return k;
}

/* Where group g's scale factors and thresholds are in theta (thresholds_in). */
static size_t scale_at(const brisk_wlsmv *w, size_t g)
{
    return w->qm + (w->tau_equal ? w->ntau1 : w->ngroups * w->ntau1) +
           (g - 1) * scaled_items(w);
}

/* Where ordered item j's scale factor in group g > 0 is in theta
 * (tau_equal). */
static size_t scale_index(const brisk_wlsmv *w, size_t g, size_t j)
{
    return scale_at(w, g) + scaled_place(w, j);
}

static size_t thresholds_at(const brisk_wlsmv *w, size_t g)
{
    return w->qm + (w->tau_equal ? 0 : g * w->ntau1);
}

/* Where group g's k-th threshold is in theta (thresholds_in): with the
 * thresholds held equal the first group's, unless group.partial releases
 * it, then the group's own after the scale factors. */
static size_t tau_index(const brisk_wlsmv *w, size_t g, size_t k)
{
    if (!w->tau_equal)
        return thresholds_at(w, g) + k;
    for (size_t r = 0; g > 0 && r < w->nreleased; r++)
        if (w->released[r] == k)
            return w->qm + w->ntau1 + (w->ngroups - 1) * (scaled_items(w) + r) + (g - 1);
    return w->qm + k;
}

/* The places (among a group's thresholds) of the thresholds model m
 * releases, ascending and once each, into *out (NULL: none); an item's
 * threshold beyond its categories is BRISK_ERR_ARGUMENT naming it. */
static brisk_status released_places(const brisk_model *m, const brisk_wlsmv *w, size_t **out,
                                    size_t *n, brisk_error *err)
{
    *out = NULL;
    *n = 0;
    if (!m->ntau_released || !w->thresholds_in || !m->equal_thresholds)
        return BRISK_OK;
    bool *is = calloc(w->ntau1 + 1, sizeof *is);
    if (!is || !(*out = malloc((w->ntau1 + 1) * sizeof **out))) {
        free(is);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    const brisk_wlsmv_stats *s = &w->groups[0];
    brisk_status st = BRISK_OK;
    for (size_t r = 0; r < m->ntau_released && st == BRISK_OK; r++) {
        size_t first = 0, j = 0;
        for (; j < w->p && w->yv[j] != m->tau_item[r]; j++)
            first += s->ncat[j] - 1;
        if (j == w->p || m->tau_number[r] + 1 >= s->ncat[j])
            st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "--group-partial: '%s|t%zu' is not "
                                 "a threshold of the model: '%s' has %zu", m->ov[m->tau_item[r]],
                                 m->tau_number[r] + 1, m->ov[m->tau_item[r]],
                                 j == w->p ? 0 : s->ncat[j] - 1);
        else
            is[first + m->tau_number[r]] = true;
    }
    for (size_t k = 0; st == BRISK_OK && k < w->ntau1; k++)
        if (is[k])
            (*out)[(*n)++] = k;
    free(is);
    if (st != BRISK_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

/* Item j's scale factor in group g: free after the first group when the
 * thresholds are equal, else 1. */
static double scale_of(const brisk_wlsmv *w, const double *theta, size_t g, size_t j)
{
    if (w->scale_param)
        return w->scale_param[g * w->p + j] == SIZE_MAX ? 1 : theta[w->scale_param[g * w->p + j]];
    bool scaled = !(w->numeric && w->numeric[j]);
    return w->tau_equal && g > 0 && scaled ? theta[scale_index(w, g, j)] : 1;
}

/* Item j's scale factor in group g: the theta parameterization's derived
 * one (d->delta, the group's at hand), else scale_of's. */
static double item_scale(const dwls *d, const brisk_wlsmv *w, const double *theta, size_t g,
                         size_t j)
{
    return w->theta_param ? d->delta[j] : scale_of(w, theta, g, j);
}

/* The derivative of item j's scale factor along the model's parameter k
 * (the theta parameterization's; else 0). */
static double item_scale_derivative(const dwls *d, const brisk_wlsmv *w, size_t k, size_t j)
{
    return w->theta_param ? d->ddelta[k * w->p + j] : 0;
}

/* The threshold rows of group g (thresholds_in): sample less (tau -
 * mu_j) delta_j, and their Jacobian. */
static void threshold_residuals(const dwls *d, const brisk_wlsmv *w, size_t g,
                                const double *theta, double *res, double *jac)
{
    const sem_work *work = d->works[g];
    const brisk_wlsmv_stats *s = &w->groups[g];
    size_t q = d->q, pm = work->p, a = g * d->ns;
    for (size_t j = 0, k = 0; j < w->p; j++) {
        double delta = item_scale(d, w, theta, g, j), mu = work->mu[w->yv[j]];
        for (size_t c = 0; c + 1 < s->ncat[j]; c++, k++, a++) {
            double tau = theta[tau_index(w, g, k)];
            res[a] = s->tau[k] - (tau - mu) * delta;
            if (!jac)
                continue;
            double *row = jac + a * q;
            memset(row, 0, q * sizeof *row);
            for (size_t l = 0; l < w->qm; l++)
                row[l] = -delta * work->dmu[l * pm + w->yv[j]] +
                         (tau - mu) * item_scale_derivative(d, w, l, j);
            row[tau_index(w, g, k)] = delta;
            if (w->tau_equal && g > 0)
                row[scale_index(w, g, j)] = tau - mu;
        }
    }
}

/* A continuous item's implied intercept given the covariates, mu_j -
 * pi_j' mu_x (the covariates' means fixed), or its derivative along
 * parameter k (k < q: dmu_j - dpi_j' mu_x); d->pi and d->dpi the group's. */
static double given_intercept(const dwls *d, const brisk_wlsmv *w, const sem_work *work,
                              size_t j, long k)
{
    size_t nx = w->nx, pm = work->p;
    const double *pi = k < 0 ? d->pi : d->dpi + (size_t)k * w->p * nx;
    double v = k < 0 ? work->mu[w->yv[j]] : work->dmu[(size_t)k * pm + w->yv[j]];
    for (size_t x = 0; x < nx; x++)
        v -= pi[j * nx + x] * work->mu[w->xv[x]];
    return v;
}

/* The rows of group g's continuous items from row a on: each one's mean
 * (intercept given the covariates), then each one's (residual) variance,
 * sample less implied, and their Jacobian; returns the row after them. */
static size_t continuous_residuals(const dwls *d, const brisk_wlsmv *w, size_t g, double *res,
                                   double *jac, size_t a)
{
    const sem_work *work = d->works[g];
    const brisk_wlsmv_stats *s = &w->groups[g];
    size_t pm = work->p, q = d->q;
    for (int var = 0; var < 2; var++)
        for (size_t j = 0; w->numeric && j < w->p; j++) {
            if (!w->numeric[j])
                continue;
            res[a] = var ? s->var[j] - given_covariates(w, work->Sigma, pm, d->pi, j, j)
                         : s->mean[j] - given_intercept(d, w, work, j, -1);
            for (size_t k = 0; jac && k < q; k++)
                jac[a * q + k] = k >= w->qm ? 0
                                 : var      ? given_derivative(d, w, work, k, j, j)
                                            : given_intercept(d, w, work, j, (long)k);
            a++;
        }
    return a;
}

/* Residuals of every group's statistics (sample less implied: thresholds
 * with thresholds_in, slopes, correlations) and (jac) their Jacobian at
 * theta; false where an implied matrix cannot be formed. */
static bool residuals(dwls *d, const brisk_wlsmv *w, const double *theta, double *res,
                      double *jac)
{
    size_t p = w->p, q = d->q, qm = w->qm, nx = w->nx, pnx = p * nx;
    for (size_t g = 0; g < d->G; g++) {
        sem_work *work = d->works[g];
        size_t pm = work->p;
        double f;
        if (!brisk_sem_objective(work, theta, &f) || (jac && !brisk_sem_derivatives(work)))
            return false;
        const brisk_wlsmv_stats *s = &w->groups[g];
        const double *S = work->Sigma;
        implied_slopes(w, s, S, pm, d->pi);
        for (size_t k = 0; jac && k < qm; k++)
            implied_slopes(w, s, work->dSigma + k * pm * pm, pm, d->dpi + k * pnx);
        if (!theta_scales(d, w, work, jac != NULL))
            return false;
        if (w->thresholds_in)
            threshold_residuals(d, w, g, theta, res, jac);
        size_t a = g * d->ns + (w->thresholds_in ? w->ntau1 : 0);
        a = continuous_residuals(d, w, g, res, jac, a);
        for (size_t t = 0; t < pnx; t++, a++) {
            size_t j = t / (nx ? nx : 1);
            double delta = item_scale(d, w, theta, g, j);
            res[a] = s->slopes[t] - delta * d->pi[t];
            for (size_t k = 0; jac && k < q; k++)
                jac[a * q + k] = k < qm ? delta * d->dpi[k * pnx + t] +
                                              item_scale_derivative(d, w, k, j) * d->pi[t]
                                        : 0;
            if (jac && w->scale_param && w->scale_param[g * p + j] != SIZE_MAX)
                jac[a * q + w->scale_param[g * p + j]] = d->pi[t];
        }
        for (size_t j = 0; j < p; j++)
            for (size_t l = j + 1; l < p; l++, a++) {
                double dj = item_scale(d, w, theta, g, j), dl = item_scale(d, w, theta, g, l);
                double sigma = given_covariates(w, S, pm, d->pi, j, l);
                res[a] = s->rho[j * p + l] - dj * dl * sigma;
                for (size_t k = 0; jac && k < q; k++) {
                    if (k >= qm) {
                        jac[a * q + k] = 0;
                        continue;
                    }
                    jac[a * q + k] = dj * dl * given_derivative(d, w, work, k, j, l) +
                                     (item_scale_derivative(d, w, k, j) * dl +
                                      dj * item_scale_derivative(d, w, k, l)) * sigma;
                }
                if (jac && w->tau_equal && g > 0) {   /* an ordered item's scale factor */
                    if (!(w->numeric && w->numeric[j]))
                        jac[a * q + scale_index(w, g, j)] = dl * sigma;
                    if (!(w->numeric && w->numeric[l]))
                        jac[a * q + scale_index(w, g, l)] = dj * sigma;
                }
                for (int side = 0; jac && w->scale_param && side < 2; side++) {
                    size_t at = w->scale_param[g * p + (side ? l : j)];
                    if (at != SIZE_MAX)
                        jac[a * q + at] = (side ? dj : dl) * sigma;
                }
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

/* The Gauss-Newton normal equations at the current residuals: h = J'WJ,
 * g = J'W r; returns the largest |g|. */
static double normal_equations(const dwls *d, const double *res, const double *jac, double *h,
                               double *g)
{
    size_t q = d->q;
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
    double gmax = 0;
    for (size_t k = 0; k < q; k++)
        gmax = fmax(gmax, fabs(g[k]));
    return gmax;
}

/* step = (h + ridge mean(diag h) I)^-1 g; false when not positive definite. */
static bool damped_step(dwls *d, double ridge)
{
    /* the step goes to trial until it is added to theta */
    return brisk_dense_damped_solve(d->h, d->g, d->q, ridge, d->jac_scratch, d->hinv, d->step,
                                    d->trial);
}

/* Newton's curvature of the statistic in place of Gauss-Newton's: h =
 * -dG/dtheta for G = J'W r, from central differences of G (the residuals'
 * own curvature counts where they are large, as in a weak model); leaves
 * the residuals and Jacobian at theta again. */
static bool newton_curvature(dwls *d, brisk_wlsmv *w, const double *theta)
{
    size_t q = d->q, R = d->rows;
    double *point = malloc((q + 1) * sizeof *point), *g0 = malloc((q + 1) * sizeof *g0);
    double *gp = malloc((q + 1) * sizeof *gp), *gm = malloc((q + 1) * sizeof *gm);
    bool ok = point && g0 && gp && gm;
    if (ok)
        memcpy(g0, d->g, q * sizeof *g0);
    for (size_t k = 0; ok && k < q; k++) {
        double h = 1e-6 * (1 + fabs(theta[k]));
        for (int side = 0; ok && side < 2; side++) {
            memcpy(point, theta, q * sizeof *point);
            point[k] += side ? -h : h;
            double *g = side ? gm : gp;
            ok = residuals(d, w, point, d->res, d->jac);
            for (size_t l = 0; ok && l < q; l++) {
                double v = 0;
                for (size_t a = 0; a < R; a++)
                    v += d->weight[a] * d->jac[a * q + l] * d->res[a];
                g[l] = v;
            }
        }
        for (size_t l = 0; ok && l < q; l++)
            d->h[l * q + k] = -(gp[l] - gm[l]) / (2 * h);
    }
    for (size_t k = 0; ok && k < q; k++)
        for (size_t l = 0; l < k; l++)
            d->h[k * q + l] = d->h[l * q + k] = (d->h[k * q + l] + d->h[l * q + k]) / 2;
    ok = ok && residuals(d, w, theta, d->res, d->jac);
    if (ok)
        memcpy(d->g, g0, q * sizeof *g0);
    free(point), free(g0), free(gp), free(gm);
    return ok;
}

typedef enum { GAUSS_NEWTON, NEWTON } curvature;

/* Descent on the weighted sum of squares f, damped as Levenberg-Marquardt:
 * where the curvature is singular or the full step does not lower f (a
 * two-indicator factor at its start, a Heywood region) the ridge grows
 * until a step does, and shrinks again after it.  Returns whether the
 * gradient vanished; *gmax its largest element at the end. */
static bool descend(dwls *d, brisk_wlsmv *w, double *theta, double *f, curvature kind,
                    int max_iter, double *gmax, brisk_status *st)
{
    size_t q = d->q;
    double *next = malloc((q + 1) * sizeof *next), *step = d->trial, ridge = 0;
    bool converged = false;
    *st = next ? BRISK_OK : BRISK_ERR_NOMEM;
    for (int it = 0; *st == BRISK_OK && it < max_iter; it++, w->iterations++) {
        *gmax = normal_equations(d, d->res, d->jac, d->h, d->g);
        /* the statistic f = sum (N_g - 1) w r^2 sets the gradient's scale */
        if ((converged = *gmax < 1e-6 * (1 + *f)))
            break;
        /* Newton's curvature where it can be had (an allocation that fails,
         * or a neighbour that implies no correlation matrix, leaves
         * Gauss-Newton's for this step) */
        if (kind == NEWTON && !newton_curvature(d, w, theta))
            *gmax = normal_equations(d, d->res, d->jac, d->h, d->g);
        double ft = INFINITY;
        bool moved = false;
        for (int tries = 0; !moved && tries < 60; tries++) {
            if (damped_step(d, ridge)) {
                for (size_t k = 0; k < q; k++)
                    next[k] = theta[k] + step[k];
                moved = residuals(d, w, next, d->res, NULL) &&
                        (ft = weighted_ss(d, d->res)) <= *f;
            }
            if (!moved)
                ridge = ridge > 0 ? ridge * 4 : 1e-8;
        }
        if (moved) {
            ridge = ridge < 1e-12 ? 0 : ridge / 4;
            memcpy(theta, next, q * sizeof *theta);
            *f = ft;
        }
        if (!residuals(d, w, theta, d->res, d->jac)) {
            *st = BRISK_ERR_CONVERGENCE;
            break;
        }
        if (!moved) {   /* at the minimum to rounding, if the gradient says so */
            *gmax = normal_equations(d, d->res, d->jac, d->h, d->g);
            converged = *gmax < 1e-5 * (1 + *f);
            break;
        }
    }
    free(next);
    return converged;
}

/* Where the statistic falls ever more slowly along a valley (a Heywood
 * case on its way to infinity) descent crawls: each round steps along the
 * way the last descent went, doubling the step while the statistic falls,
 * and descends again from the best point, until a round gains nothing.
 * Quasi-Newton optimizers such as lavaan's nlminb take such long steps by
 * themselves. */
static bool follow_valley(dwls *d, brisk_wlsmv *w, double *theta, double *f, double *gmax,
                          brisk_status *st)
{
    size_t q = d->q;
    double *before = malloc((q + 1) * sizeof *before), *dir = malloc((q + 1) * sizeof *dir);
    double *point = malloc((q + 1) * sizeof *point);
    bool converged = false;
    *st = before && dir && point ? BRISK_OK : BRISK_ERR_NOMEM;
    for (int round = 0; *st == BRISK_OK && !converged && round < 40; round++) {
        memcpy(before, theta, q * sizeof *before);
        double start = *f;
        converged = descend(d, w, theta, f, GAUSS_NEWTON, 20, gmax, st);
        if (converged || *st != BRISK_OK)
            break;
        for (size_t k = 0; k < q; k++)
            dir[k] = theta[k] - before[k];
        double best = *f;
        for (double t = 1; t < 1e6; t *= 2) {
            for (size_t k = 0; k < q; k++)
                point[k] = theta[k] + t * dir[k];
            double ft;
            if (!residuals(d, w, point, d->res, NULL) || !((ft = weighted_ss(d, d->res)) < best))
                break;
            best = ft;
            memcpy(d->trial, point, q * sizeof *point);
        }
        if (best < *f) {
            memcpy(theta, d->trial, q * sizeof *theta);
            *f = best;
        }
        if (!residuals(d, w, theta, d->res, d->jac)) {
            *st = BRISK_ERR_CONVERGENCE;
            break;
        }
        if (start - *f <= 1e-9 * (1 + *f))
            break;   /* the valley is flat here: no round gains more */
    }
    if (*st == BRISK_OK && !converged)
        *gmax = normal_equations(d, d->res, d->jac, d->h, d->g);
    free(before), free(dir), free(point);
    return converged;
}

/* DWLS: Gauss-Newton, then Newton on the statistic's own curvature where
 * Gauss-Newton crawls.  On a valley falling ever more slowly (a Heywood
 * case on its way to infinity) lavaan accepts a point whose gradient of
 * its objective (the statistic over 2 N) is below 1e-3, and so does brisk
 * (w->flat).  Whether the model is identified is asked at the solution
 * (robust_inference), not on the way there. */
static brisk_status gauss_newton(dwls *d, brisk_wlsmv *w, double *theta, curvature first,
                                 brisk_error *err)
{
    if (!residuals(d, w, theta, d->res, d->jac))
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the starting values give no "
                               "correlation matrix");
    double f = weighted_ss(d, d->res), gmax = INFINITY;
    brisk_status st;
    w->iterations = 0;
    bool converged = descend(d, w, theta, &f, first, 500, &gmax, &st);
    if (!converged && st == BRISK_OK && first == GAUSS_NEWTON)
        converged = descend(d, w, theta, &f, NEWTON, 100, &gmax, &st);
    if (!converged && st == BRISK_OK)
        converged = follow_valley(d, w, theta, &f, &gmax, &st);
    if (st == BRISK_ERR_NOMEM)
        return brisk_error_set(err, st, "out of memory");
    if (!converged && st == BRISK_OK && gmax / (double)w->n < 1e-3)
        converged = w->flat = true;
    if (!converged)
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "DWLS did not converge in %d "
                               "iterations (largest gradient %.3g): give starting values with "
                               "start(...), or simplify the model", w->iterations, gmax);
    w->chisq = f;
    return BRISK_OK;
}

/* The scaled-shifted statistic a X + b of X on df with tr(UG), tr(UG^2). */
static void scaled_shifted(double x, double df, double tr, double tr2, double *scaled,
                           double *factor, double *shift)
{
    if (!(df > 0)) {   /* nothing to test: lavaan reports 0 and no factor */
        *scaled = 0;
        *factor = *shift = NAN;
        return;
    }
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
    size_t p = w->p, q = w->q, np = w->npairs, R = d->rows;   /* no covariates: R = G np */
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

/* catml_scaling where the statistics hold the thresholds too (the theta
 * parameterization): as lavaan, the correlations' rows of the Jacobian and
 * of W J E^-1 (E over every parameter, the thresholds' too). */
static void catml_with_thresholds(brisk_wlsmv *w, const dwls *d, const double *proj,
                                  const double *fg)
{
    size_t q = w->q, ns = d->ns, np = w->npairs, off = ns - np, R = d->G * np;
    if (!off) {
        catml_scaling(w, d, proj, fg);
        return;
    }
    dwls c = *d;
    double *jac = malloc((R * q + 1) * sizeof *jac), *pr = malloc((R * q + 1) * sizeof *pr);
    double *f = malloc((R + 1) * sizeof *f), *gam = malloc((d->G * np * np + 1) * sizeof *gam);
    brisk_wlsmv_stats *groups = malloc((d->G + 1) * sizeof *groups), *own = w->groups;
    if (!jac || !pr || !f || !gam || !groups) {
        w->catml = false;
        free(jac), free(pr), free(f), free(gam), free(groups);
        return;
    }
    for (size_t g = 0; g < d->G; g++) {
        groups[g] = own[g];   /* the correlations' block of Gamma */
        groups[g].gamma = gam + g * np * np;
        for (size_t a = 0; a < np; a++) {
            size_t from = g * ns + off + a, to = g * np + a;
            memcpy(jac + to * q, d->jac + from * q, q * sizeof *jac);
            memcpy(pr + to * q, proj + from * q, q * sizeof *pr);
            f[to] = fg[from];
            for (size_t b = 0; b < np; b++)
                groups[g].gamma[a * np + b] = own[g].gamma[(off + a) * ns + off + b];
        }
    }
    c.jac = jac;
    c.rows = R;
    c.ns = np;
    w->groups = groups;
    catml_scaling(w, &c, pr, f);
    w->groups = own;
    free(jac), free(pr), free(f), free(gam), free(groups);
}

/* Robust vcov and the scaled-shifted test at the estimates (d holds the
 * Jacobian there), as lavaan with groups weighted by f_g = N_g / N:
 *   E = sum_g f_g J_g' W_g J_g,  vcov = E^-1 [sum_g f_g J_g' W_g Gamma_g
 *   W_g J_g] E^-1 / (N - G);
 *   U Gamma, block (g, h) = [g = h] W_g Gamma_g - f_g W_g J_g E^-1 J_h' W_h
 *   Gamma_h. */
static brisk_status robust_inference(brisk_wlsmv *w, const dwls *d, brisk_error *err)
{
    size_t q = w->q, np = d->ns, R = d->rows;
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
    /* the baseline (every correlation 0, the slopes free): U Gamma = W
     * Gamma over the correlations in each group */
    double btr2 = 0;
    for (size_t g = 0; g < d->G; g++) {
        const double *G = w->groups[g].gamma;
        for (size_t x = np - w->npairs; x < np; x++)
            for (size_t y = np - w->npairs; y < np; y++)
                btr2 += G[x * np + y] * G[y * np + x] / (G[x * np + x] * G[y * np + y]);
    }
    scaled_shifted(w->baseline_chisq, w->baseline_df, w->baseline_df, btr2,
                   &w->baseline_chisq_scaled, &w->baseline_scaling_factor, &w->baseline_shift);
    /* lavaan has no catML given covariates, nor (0.6-14) with thresholds
     * held equal */
    if (!w->nx && !w->tau_equal && !w->nnum)   /* lavaan: none with continuous items */
        catml_with_thresholds(w, d, proj, fg);
    free(wj), free(meat), free(gwj), free(tmp), free(e), free(einv), free(ug), free(proj);
    free(fg);
    return BRISK_OK;
}

/* Every group's thresholds' standard errors from their variances, over
 * N - G as lavaan's (D)WLS. */
static void threshold_errors(brisk_wlsmv *w)
{
    double scale = (double)w->n / (double)(w->n - w->ngroups);
    if (w->thresholds_in) {   /* estimated: their robust variances */
        for (size_t g = 0; g < w->ngroups; g++)
            for (size_t t = 0; t < w->ntau1; t++) {
                size_t k = tau_index(w, g, t);
                w->groups[g].tau_se[t] = sqrt(w->vcov[k * w->q + k]);
            }
        return;
    }
    for (size_t g = 0; g < w->ngroups; g++)
        for (size_t t = 0; t < w->groups[g].ntau; t++)
            w->groups[g].tau_se[t] = sqrt(w->groups[g].tau_se[t] * scale);
}

/* The moments the structural model starts from, and keeps its fixed
 * covariates at, in every group: the latent responses' covariances that
 * the statistics imply (R + B Sxx B' among the items, B Sxx with the
 * covariates, B the slopes), the covariates' sample moments, the items'
 * means 0.  NULL when out of memory. */
static brisk_moments *response_moments(const brisk_wlsmv *w, size_t pm)
{
    size_t p = w->p, nx = w->nx;
    brisk_moments *r = calloc(w->ngroups, sizeof *r);
    for (size_t g = 0; r && g < w->ngroups; g++) {
        const brisk_wlsmv_stats *s = &w->groups[g];
        double *cov = calloc(pm * pm + 1, sizeof *cov), *mean = calloc(pm + 1, sizeof *mean);
        r[g] = (brisk_moments){.p = pm, .n = s->n, .cov = cov, .mean = mean};
        if (!cov || !mean) {
            for (size_t h = 0; h <= g; h++)
                brisk_moments_free(&r[h]);
            free(r);
            return NULL;
        }
        for (size_t u = 0; u < nx; u++) {
            mean[w->xv[u]] = s->xmean[u];
            for (size_t v = 0; v < nx; v++)
                cov[w->xv[u] * pm + w->xv[v]] = s->xcov[u * nx + v];
        }
        for (size_t j = 0; j < p; j++) {
            const double *bj = s->slopes + j * nx;
            if (w->numeric && w->numeric[j]) {   /* its intercept given them, plus B mu_x */
                mean[w->yv[j]] = s->mean[j];
                for (size_t u = 0; u < nx; u++)
                    mean[w->yv[j]] += bj[u] * s->xmean[u];
            }
            for (size_t u = 0; u < nx; u++) {
                double c = 0;
                for (size_t v = 0; v < nx; v++)
                    c += bj[v] * s->xcov[v * nx + u];
                cov[w->yv[j] * pm + w->xv[u]] = cov[w->xv[u] * pm + w->yv[j]] = c;
            }
            for (size_t l = 0; l < p; l++) {
                double c = s->rho[j * p + l];
                for (size_t u = 0; u < nx; u++)
                    for (size_t v = 0; v < nx; v++)
                        c += bj[u] * s->xcov[u * nx + v] * s->slopes[l * nx + v];
                cov[w->yv[j] * pm + w->yv[l]] = c;
            }
        }
    }
    return r;
}

static void response_moments_free(brisk_moments *r, size_t ngroups)
{
    for (size_t g = 0; r && g < ngroups; g++)
        brisk_moments_free(&r[g]);
    free(r);
}

/* The model's estimates, test and baseline from the statistics. */
/* Starting values of the thresholds (thresholds_in): each group's sample
 * thresholds, or held equal their average weighted by the groups' sizes;
 * the scale factors 1. */
static void start_thresholds(const brisk_wlsmv *w, double *theta)
{
    if (!w->thresholds_in)
        return;
    size_t G = w->ngroups;
    for (size_t g = 0; g < G; g++)
        for (size_t k = 0; k < w->ntau1; k++) {
            const brisk_wlsmv_stats *s = &w->groups[g];
            if (!w->tau_equal)
                theta[thresholds_at(w, g) + k] = s->tau[k];
            else
                theta[w->qm + k] = (g ? theta[w->qm + k] : 0) +
                                   s->tau[k] * (double)s->n / (double)w->n;
        }
    for (size_t g = 1; w->tau_equal && g < G; g++)
        for (size_t j = 0; j < scaled_items(w); j++)
            theta[scale_at(w, g) + j] = 1;
    for (size_t g = 0; w->tau_equal && g < G; g++)   /* released: each group's own */
        for (size_t r = 0; r < w->nreleased; r++)
            theta[tau_index(w, g, w->released[r])] = w->groups[g].tau[w->released[r]];
}

/* Whether a free variance is negative (a Heywood case). */
static bool negative_variance(const brisk_model *m, const double *theta)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->free > 0 && p->op == BRISK_OP_COVARY && strcmp(p->lhs, p->rhs) == 0 &&
            theta[p->free - 1] < 0)
            return true;
    }
    return false;
}

/* The place among the ordered items of the item whose fixed residual
 * variance row par is (the delta parameterization's: 1 less what the model
 * explains), or w->p when par is no such row. */
static size_t fixed_residual_item(const brisk_model *m, const brisk_wlsmv *w,
                                  const brisk_param *par)
{
    if (par->op != BRISK_OP_COVARY || par->free || strcmp(par->lhs, par->rhs) != 0)
        return w->p;
    int i = brisk_sem_var_index(m, par->lhs);
    if (i >= 0 && m->continuous && (size_t)i < m->p && m->continuous[i])
        return w->p;   /* a continuous item's own (fixed) residual variance */
    size_t j = 0;
    while (i >= 0 && j < w->p && w->yv[j] != (size_t)i)
        j++;
    return i < 0 ? w->p : j;
}

/* Whether estimates leave doubt that they are the lowest optimum: a
 * negative variance, or an item whose latent response the model explains
 * more than wholly (a negative residual variance: a Heywood case) or
 * hardly at all (below a tenth: so weak a loading may have a lower optimum
 * with its sign the other way).  Leaves the residuals at theta. */
static bool doubtful(const brisk_model *m, const brisk_wlsmv *w, dwls *d, const double *theta)
{
    if (negative_variance(m, theta) || !residuals(d, w, theta, d->res, NULL))
        return true;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        size_t j = fixed_residual_item(m, w, par);
        if (j == w->p)
            continue;
        const sem_work *work = d->works[par->group];
        implied_slopes(w, &w->groups[par->group], work->Sigma, m->p, d->pi);
        double given = given_covariates(w, work->Sigma, m->p, d->pi, j, j);
        double explained = given - work->fixed[r];
        /* the theta parameterization's total is the implied variance */
        double delta = scale_of(w, theta, par->group, j);
        double total = w->theta_param ? given : 1 / (delta * delta);
        if (!(explained <= total && explained >= 0.1 * total))
            return true;
    }
    return false;
}

/* Where lavaan's start found no solution, a flat one or a Heywood case
 * (near which other optima lie): Newton's curvature from the first step
 * (a path of its own: Gauss-Newton's first steps, blind to the residuals'
 * curvature, can leap past a loading's change of sign), then both from
 * the other starts (start.c), and the best of all, a proper optimum before
 * a flat one and the lower statistic first.  first is the first search's
 * status. */
static brisk_status other_starts(const brisk_model *m, brisk_wlsmv *w, dwls *d,
                                 const brisk_moments *start, brisk_status first,
                                 brisk_error *err)
{
    size_t q = w->q;
    double *best = malloc((q + 1) * sizeof *best), *from = malloc((q + 1) * sizeof *from);
    double chisq = w->chisq;
    bool flat = w->flat;
    brisk_status st = first;
    if (!best || !from) {
        free(best), free(from);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    memcpy(best, w->theta, q * sizeof *best);
    /* which -1: lavaan's start, whose Gauss-Newton search is the first */
    for (int which = -1; which < 0 || brisk_sem_start_other(m, start, which, from); which++) {
        if (which < 0)
            brisk_sem_start(m, start, from);
        start_thresholds(w, from);
        for (int pass = which < 0 ? 1 : 0; pass < 2; pass++) {
            curvature kind = pass ? NEWTON : GAUSS_NEWTON;
            brisk_error other;
            memcpy(w->theta, from, q * sizeof *from);
            w->flat = false;
            brisk_status s = gauss_newton(d, w, w->theta, kind, &other);
            bool better = s == BRISK_OK &&
                          (st != BRISK_OK || (flat && !w->flat) ||
                           (flat == w->flat && w->chisq < chisq - 1e-9 * (1 + chisq)));
            if (better) {
                memcpy(best, w->theta, q * sizeof *best);
                chisq = w->chisq;
                flat = w->flat;
                st = BRISK_OK;
                brisk_error_clear(err);
            }
        }
    }
    memcpy(w->theta, best, q * sizeof *best);
    w->chisq = chisq;
    w->flat = flat;
    free(best), free(from);
    return st;
}

static brisk_status estimate(const brisk_model *m, brisk_wlsmv *w, brisk_error *err)
{
    size_t G = w->ngroups, p = w->p, ns = w->nstat, pm = m->p;
    brisk_moments *start = response_moments(w, pm);
    dwls d = {0};
    brisk_status st = start && dwls_init(&d, m, start, w)
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        brisk_sem_start(m, start, w->theta);
        start_thresholds(w, w->theta);
        st = gauss_newton(&d, w, w->theta, GAUSS_NEWTON, err);
    }
    if (st != BRISK_ERR_NOMEM && (st != BRISK_OK || w->flat || doubtful(m, w, &d, w->theta)))
        st = other_starts(m, w, &d, start, st, err);
    if (st == BRISK_OK)
        brisk_sem_orient(m, w->theta, NULL);
    /* the works, the Jacobian and the implied matrices at the estimates
     * (the search may have left the works at a trial point) */
    if (st == BRISK_OK && !residuals(&d, w, w->theta, d.res, d.jac))
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the estimates imply no correlation "
                             "matrix");
    if (st == BRISK_OK) {
        w->df = (double)d.rows - (double)w->q;
        w->fmin = w->chisq / (2 * (double)w->n);
        double baseline = 0;   /* every correlation 0, the slopes free */
        for (size_t g = 0; g < G; g++) {
            const brisk_wlsmv_stats *s = &w->groups[g];
            const double *S = d.works[g]->Sigma;
            double *implied = w->implied + g * p * p;
            implied_slopes(w, s, S, pm, d.pi);
            if (!theta_scales(&d, w, d.works[g], false)) {
                st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the estimates imply no "
                                     "correlation matrix");
                break;
            }
            for (size_t j = 0; w->theta_param && j < p; j++)
                w->delta[g * p + j] = d.delta[j];
            for (size_t j = 0, a = g * ns + w->ntau1 + 2 * w->nnum + p * w->nx; j < p; j++) {
                /* the latent responses' unit diagonal; a continuous item's variance */
                implied[j * p + j] = w->numeric && w->numeric[j]
                                         ? given_covariates(w, S, pm, d.pi, j, j)
                                         : 1;
                for (size_t l = j + 1; l < p; l++, a++) {
                    baseline += d.weight[a] * s->rho[j * p + l] * s->rho[j * p + l];
                    implied[j * p + l] = implied[l * p + j] =
                        item_scale(&d, w, w->theta, g, j) * item_scale(&d, w, w->theta, g, l) *
                        given_covariates(w, S, pm, d.pi, j, l);
                }
            }
        }
        w->baseline_chisq = baseline;
        w->baseline_df = (double)(G * w->npairs);
        if (st == BRISK_OK)
            st = robust_inference(w, &d, err);
    }
    dwls_free(&d);
    response_moments_free(start, G);
    return st;
}

/* The ordered items' and the fixed covariates' places among the model's
 * observed variables. */
static bool split_variables(const brisk_model *m, brisk_wlsmv *w)
{
    w->yv = malloc((m->p + 1) * sizeof *w->yv);
    w->xv = malloc((m->p + 1) * sizeof *w->xv);
    if (!w->yv || !w->xv)
        return false;
    for (size_t i = 0; i < m->p; i++) {
        if (brisk_sem_is_fixed_x(m, i))
            w->xv[w->nx++] = i;
        else
            w->yv[w->p++] = i;
    }
    w->npairs = w->p * (w->p - 1) / 2;
    if (m->continuous) {
        if (!(w->numeric = calloc(w->p + 1, sizeof *w->numeric)))
            return false;
        for (size_t j = 0; j < w->p; j++)
            w->nnum += w->numeric[j] = m->continuous[w->yv[j]];
    }
    w->nstat = w->p * w->nx + w->npairs + 2 * w->nnum;
    return true;
}

brisk_status brisk_wlsmv_fit(const brisk_model *m, const brisk_moments *mom, brisk_wlsmv *out,
                             brisk_error *err)
{
    size_t G = m->ngroups ? m->ngroups : 1;
    bool equal = m->equal_thresholds && G > 1;
    *out = (brisk_wlsmv){.qm = m->nfree, .ngroups = G, .thresholds_in = equal || m->theta,
                         .tau_equal = equal, .theta_param = m->theta};
    brisk_status st = split_variables(m, out)
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && equal && out->nx)
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "thresholds held equal across groups "
                             "with covariates in the model are not supported: fit the "
                             "thresholds free (without 'thresholds' in --group-equal), or "
                             "leave the covariates out");
    /* lavaan frees the later groups' residual variances then: not in brisk yet */
    if (st == BRISK_OK && equal && m->theta)
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "thresholds held equal across groups "
                             "with the theta parameterization are not supported: use the "
                             "delta parameterization (the default), or fit the thresholds "
                             "free");
    if (st == BRISK_OK)
        st = brisk_wlsmv_statistics(m, mom, out, err);
    if (st == BRISK_OK)
        st = released_places(m, out, &out->released, &out->nreleased, err);
    /* the model's parameters, then the thresholds' and scale factors', then
     * the released thresholds' */
    size_t p = out->p, q = out->q =
        out->qm + (equal ? out->ntau1 + (G - 1) * (p - out->nnum + out->nreleased)
                         : m->theta ? G * out->ntau1 : 0);
    out->theta = calloc(q + 1, sizeof *out->theta);
    out->vcov = calloc(q * q + 1, sizeof *out->vcov);
    out->implied = calloc(G * p * p + 1, sizeof *out->implied);
    out->delta = calloc(G * p + 1, sizeof *out->delta);
    if (st == BRISK_OK && (!out->theta || !out->vcov || !out->implied || !out->delta))
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
 * given the covariates in each group (the delta parameterization), which
 * gives the implied matrices the unit diagonal of the latent responses
 * given the covariates for the standardized solution; then the fit's
 * rows. */
/* What setting the items' residual variances needs: the model's
 * parameters are theta's first q, the scale factors come from w. */
typedef struct item_residuals {
    const brisk_model *m;
    const brisk_wlsmv *w;
} item_residuals;

/* The delta parameterization's residual variances at theta (the fitter's
 * fixed rows), as lavaan's model sets them for any parameter values: 1
 * over the squared scale factor less the explained variance given the
 * covariates.  False when theta implies no matrix or out of memory. */
static bool set_item_residuals(sem_fitter *f, const double *theta, const void *ctx)
{
    const item_residuals *ir = ctx;
    const brisk_model *m = ir->m;
    const brisk_wlsmv *w = ir->w;
    double value;
    if (!brisk_sem_fitter_objective(f, theta, &value))
        return false;
    if (w->theta_param)   /* the residual variances are the model's */
        return true;
    double *pi = malloc((w->p * w->nx + 1) * sizeof *pi);
    if (!pi)
        return false;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        sem_work *work = f->works[par->group];
        size_t j = fixed_residual_item(m, w, par);
        if (j == w->p)
            continue;
        implied_slopes(w, &w->groups[par->group], work->Sigma, m->p, pi);
        double given = given_covariates(w, work->Sigma, m->p, pi, j, j);
        double delta = scale_of(w, w->theta, par->group, j);
        work->fixed[r] = 1 / (delta * delta) - (given - work->fixed[r]);
    }
    free(pi);
    return true;
}

static brisk_status fill_fit(const brisk_model *m, const brisk_wlsmv *w, sem_fitter *f,
                             brisk_fit *fit, brisk_error *err)
{
    double value;
    item_residuals ir = {m, w};
    if (!brisk_sem_fitter_objective(f, fit->theta, &value))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    if (!set_item_residuals(f, fit->theta, &ir))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!brisk_sem_fitter_objective(f, fit->theta, &value) || !brisk_sem_fitter_derivatives(f))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    brisk_sem_fill_rows(m, f, fit);
    return BRISK_OK;
}

/* The root mean square of one group's correlation residuals (given the
 * covariates), over the p (p - 1) / 2 + p distinct elements as lavaan's
 * SRMR (the sample's and the implied matrices each made correlations: a
 * continuous item's covariances over its SDs); lavaan counts the
 * covariates in that p too (the variables of its parameter table), and so
 * does this. */
static double srmr(const brisk_wlsmv *w, size_t g)
{
    size_t p = w->p, count = w->npairs + p + w->nx;
    const double *rho = w->groups[g].rho, *implied = w->implied + g * p * p;
    double ss = 0;
    for (size_t j = 0; j < p; j++)
        for (size_t l = 0; l < j; l++) {
            double r = rho[j * p + l] / sqrt(rho[j * p + j] * rho[l * p + l]) -
                       implied[j * p + l] / sqrt(implied[j * p + j] * implied[l * p + l]);
            ss += r * r;
        }
    return sqrt(ss / (double)count);
}

static void fill_measures(const brisk_model *m, const brisk_wlsmv *w, brisk_fit_measures *f)
{
    /* lavaan's RMSEA for (D)WLS counts N - G respondents */
    double n = (double)w->n, G = (double)w->ngroups, n_rmsea = n - G;
    size_t ntau = 0;   /* saturated thresholds: each group's */
    for (size_t g = 0; g < w->ngroups; g++)
        ntau += w->groups[g].ntau;
    *f = (brisk_fit_measures){.nobs = w->n, .npar = w->thresholds_in ? w->q : m->nfree + ntau, .loglik = NAN,
                              .unrestricted_loglik = NAN, .aic = NAN, .bic = NAN, .sabic = NAN,
                              .scaled = true, .robust = false};
    f->chisq = w->chisq;
    f->df = w->df;
    f->pvalue = w->df > 0 ? gsl_cdf_chisq_Q(w->chisq, w->df) : NAN;
    f->baseline_chisq = w->baseline_chisq;
    f->baseline_df = w->baseline_df;
    f->baseline_pvalue = w->baseline_df > 0 ? gsl_cdf_chisq_Q(w->baseline_chisq, w->baseline_df)
                                            : NAN;
    brisk_sem_cfi_tli(f->chisq, f->df, f->baseline_chisq, f->baseline_df, 1, 1, &f->cfi,
                      &f->tli);
    brisk_sem_rmsea(f->chisq, f->df, n_rmsea, G, 1, &f->rmsea, &f->rmsea_ci_lower,
                    &f->rmsea_ci_upper);
    /* lavaan reports p(RMSEA <= .05) of the unscaled statistic only */
    f->rmsea_pvalue = brisk_sem_rmsea_pvalue(f->chisq, f->df, n_rmsea, G);
    f->chisq_scaled = w->chisq_scaled;
    f->pvalue_scaled = w->df > 0 ? gsl_cdf_chisq_Q(w->chisq_scaled, w->df) : NAN;
    f->scaling_factor = w->scaling_factor;
    f->shift = w->shift;
    f->baseline_chisq_scaled = w->baseline_chisq_scaled;
    f->baseline_pvalue_scaled = w->baseline_df > 0
                                    ? gsl_cdf_chisq_Q(w->baseline_chisq_scaled, w->baseline_df)
                                    : NAN;
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
    fit->threshold_std = malloc((ntau + 1) * sizeof *fit->threshold_std);
    fit->threshold_item = malloc((ntau + 1) * sizeof *fit->threshold_item);
    fit->threshold_group = malloc((ntau + 1) * sizeof *fit->threshold_group);
    if (!fit->thresholds || !fit->threshold_se || !fit->threshold_std || !fit->threshold_item ||
        !fit->threshold_group)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    fit->nthresholds = ntau;
    for (size_t g = 0, t = 0; g < w->ngroups; g++) {
        const brisk_wlsmv_stats *s = &w->groups[g];
        for (size_t j = 0, k = 0; j < w->p; j++)
            for (size_t c = 0; c + 1 < s->ncat[j]; c++, k++, t++) {
                fit->thresholds[t] = w->thresholds_in ? w->theta[tau_index(w, g, k)]
                                                      : s->tau[k];
                fit->threshold_se[t] = s->tau_se[k];
                fit->threshold_item[t] = w->yv[j];
                fit->threshold_group[t] = g;
            }
    }
    return BRISK_OK;
}

/* The scale factors of every group into the fit: with thresholds equal
 * the first group's 1 and the later groups' estimates, with the theta
 * parameterization every group's derived ones (no SE, as lavaan's). */
static brisk_status copy_scales(const brisk_wlsmv *w, brisk_fit *fit, brisk_error *err)
{
    if (!w->tau_equal && !w->theta_param)
        return BRISK_OK;
    size_t n = w->ngroups * (w->p - w->nnum);   /* a continuous item has none */
    fit->scales = malloc((n + 1) * sizeof *fit->scales);
    fit->scale_se = malloc((n + 1) * sizeof *fit->scale_se);
    fit->scale_item = malloc((n + 1) * sizeof *fit->scale_item);
    fit->scale_group = malloc((n + 1) * sizeof *fit->scale_group);
    if (!fit->scales || !fit->scale_se || !fit->scale_item || !fit->scale_group)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    fit->nscales = n;
    for (size_t g = 0, k = 0; g < w->ngroups; g++)
        for (size_t j = 0; j < w->p; j++) {
            if (w->numeric && w->numeric[j])
                continue;
            size_t at = g ? scale_index(w, g, j) : 0;
            if (w->theta_param) {
                fit->scales[k] = w->delta[g * w->p + j];
                fit->scale_se[k] = 0;
            } else {
                fit->scales[k] = scale_of(w, w->theta, g, j);
                fit->scale_se[k] = g ? sqrt(w->vcov[at * w->q + at]) : 0;
            }
            fit->scale_item[k] = w->yv[j];
            fit->scale_group[k++] = g;
        }
    return BRISK_OK;
}

brisk_status brisk_fit_wlsmv(const brisk_model *m, const brisk_moments *mom, brisk_fit **out,
                             brisk_error *err)
{
    *out = NULL;
    if (m->K || m->ninequalities) {   /* the reparameterisation is ML's (estimate.c) */
        brisk_error_at(err, m->source, m->constraint_line, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: constraints ('==', '<', "
                               "'>') are not fitted with WLSMV; fit without them (write "
                               "equalities as shared labels)");
    }
    brisk_wlsmv w;
    brisk_status st = brisk_wlsmv_fit(m, mom, &w, err);
    if (st != BRISK_OK)
        return st;
    size_t q = m->nfree, G = w.ngroups;
    brisk_moments *responses = response_moments(&w, m->p);
    for (size_t g = 0; responses && g < G; g++)
        responses[g].group = mom[g].group;
    sem_fitter *f = responses ? brisk_sem_fitter_new(m, responses) : NULL;
    brisk_fit *fit = calloc(1, sizeof *fit);
    if (!f || !fit) {
        brisk_sem_fitter_free(f);
        free(fit);
        response_moments_free(responses, G);
        brisk_wlsmv_free(&w);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    fit->model = m;
    fit->converged = true;
    fit->iterations = w.iterations;
    fit->fmin = w.fmin;
    fit->vcov_valid = true;
    fit->theta = malloc((q + 1) * sizeof *fit->theta);
    fit->vcov = malloc((q * q + 1) * sizeof *fit->vcov);
    fit->rows = calloc(m->nparams + 1, sizeof *fit->rows);
    if (!fit->theta || !fit->vcov || !fit->rows || brisk_sem_model_warnings(m, fit) != BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = copy_thresholds(&w, fit, err);
    if (st == BRISK_OK)
        st = copy_scales(&w, fit, err);
    if (st == BRISK_OK) {
        /* the model's parameters: the first q of w's */
        memcpy(fit->theta, w.theta, q * sizeof *fit->theta);
        for (size_t k = 0; k < q; k++)
            memcpy(fit->vcov + k * q, w.vcov + k * w.q, q * sizeof *fit->vcov);
        fill_measures(m, &w, &fit->fit);
        st = fill_fit(m, &w, f, fit, err);
    }
    if (st == BRISK_OK && w.flat &&
        brisk_fit_warn(fit, "the optimum is flat: the largest gradient of the DWLS statistic "
                       "is within lavaan's tolerance but not brisk's; some estimates are not "
                       "determined by the data (see their standard errors)") != BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = brisk_sem_defined(m, fit, err);
    if (st == BRISK_OK)
        st = brisk_sem_standardize(m, f, fit, err);
    /* a negative residual variance of a latent response (1 less what the
     * model explains) or of a factor is a Heywood case, as lavaan warns */
    if (st == BRISK_OK)
        st = brisk_sem_check_admissible(m, f, fit);
    for (size_t t = 0; st == BRISK_OK && t < fit->nthresholds; t++) {
        /* the fitter is at the estimates with the delta parameterization's
         * residual variances: its diagonal is the latent responses' variance */
        const sem_work *work = f->works[fit->threshold_group[t]];
        size_t i = fit->threshold_item[t];
        fit->threshold_std[t] = fit->thresholds[t] / sqrt(work->Sigma[i * work->p + i]);
    }
    /* the standardized solution's delta-method SEs, the items' residual
     * variances following the parameters (lavaan's); with scale factors
     * (thresholds equal across groups) the standardized values depend on
     * parameters outside the model's q, and stay without */
    item_residuals ir = {m, &w};
    if (st == BRISK_OK && m->std_se && !w.tau_equal)
        st = brisk_sem_std_se(m, f, fit, set_item_residuals, &ir, err);
    brisk_sem_fitter_free(f);
    response_moments_free(responses, G);
    brisk_wlsmv_free(&w);
    if (st != BRISK_OK) {
        brisk_fit_free(fit);
        return st;
    }
    *out = fit;
    return BRISK_OK;
}

/* ------------------------------------------------- nested fits compared */

/* W J P^-1 J' W Gamma's traces for lavTestLRT's test of m0 against m1
 * (lavaan's lav_test_diff_Satorra2000 with A.method = "delta"):
 *   P = sum_g f_g J1_g' W_g J1_g, the information of m1 at its estimates;
 *   H = ginv(J1) J0, m0's parameters in m1's (J0 at m0's estimates);
 *   the restrictions A, the orthogonal complement of H, enter only as
 *   P^-1 A' (A P^-1 A')^-1 A P^-1 = P^-1 - H (H' P H)^-1 H'  (= M);
 *   U = W J1 M J1' W, Gamma = bdiag(f_g Gamma_g); tr(U Gamma), tr((U Gamma)^2).
 * The thresholds, saturated in both models, add nothing (their block of M
 * is 0), so the statistics here are the slopes and correlations. */
static bool difference_traces(const brisk_wlsmv *w, const dwls *d1, const dwls *d0, double *tr,
                              double *tr2)
{
    size_t q1 = d1->q, q0 = d0->q, R = d1->rows, ns = d1->ns;
    double *p = calloc(q1 * q1 + 1, sizeof *p), *pinv = malloc((q1 * q1 + 1) * sizeof *pinv);
    double *jj = calloc(q1 * q1 + 1, sizeof *jj), *jjinv = malloc((q1 * q1 + 1) * sizeof *jjinv);
    double *scratch = malloc((q1 * q1 + 1) * sizeof *scratch);
    double *h = calloc(q1 * q0 + 1, sizeof *h), *tmp = calloc(q1 * q0 + 1, sizeof *tmp);
    double *k = calloc(q0 * q0 + 1, sizeof *k), *kinv = malloc((q0 * q0 + 1) * sizeof *kinv);
    double *m = malloc((q1 * q1 + 1) * sizeof *m), *wjm = calloc(R * q1 + 1, sizeof *wjm);
    double *ug = malloc((R * R + 1) * sizeof *ug), *row = malloc((R + 1) * sizeof *row);
    bool ok = p && pinv && jj && jjinv && scratch && h && tmp && k && kinv && m && wjm && ug && row;
    const double *j1 = d1->jac, *j0 = d0->jac;
    double logdet;
    /* P and J1'J1 */
    for (size_t a = 0; ok && a < R; a++) {
        const brisk_wlsmv_stats *s = &w->groups[a / ns];
        double f = (double)s->n / (double)w->n, wa = 1 / s->gamma[(a % ns) * ns + a % ns];
        for (size_t u = 0; u < q1; u++)
            for (size_t v = 0; v < q1; v++) {
                p[u * q1 + v] += f * wa * j1[a * q1 + u] * j1[a * q1 + v];
                jj[u * q1 + v] += j1[a * q1 + u] * j1[a * q1 + v];
            }
    }
    ok = ok && brisk_dense_spd_invert(p, pinv, scratch, q1, &logdet) &&
         brisk_dense_spd_invert(jj, jjinv, scratch, q1, &logdet);
    /* H = (J1'J1)^-1 J1'J0, K = H'PH (tmp: J1'J0, then PH) */
    if (ok) {
        brisk_dense_mul_at(j1, j0, tmp, q1, R, q0);
        brisk_dense_mul_rect(jjinv, tmp, h, q1, q1, q0);
        brisk_dense_mul_rect(p, h, tmp, q1, q1, q0);
        brisk_dense_mul_at(h, tmp, k, q0, q1, q0);
    }
    double *kscratch = q0 * q0 <= q1 * q1 ? scratch : NULL;
    ok = ok && kscratch && brisk_dense_spd_invert(k, kinv, kscratch, q0, &logdet);
    /* M = P^-1 - H K^-1 H' (tmp: H K^-1) */
    if (ok) {
        brisk_dense_mul_rect(h, kinv, tmp, q1, q0, q0);
        for (size_t u = 0; u < q1; u++)
            for (size_t v = 0; v < q1; v++) {
                double x = 0;
                for (size_t a = 0; a < q0; a++)
                    x += tmp[u * q0 + a] * h[v * q0 + a];
                m[u * q1 + v] = pinv[u * q1 + v] - x;
            }
    }
    /* W J1 M */
    for (size_t a = 0; ok && a < R; a++) {
        const brisk_wlsmv_stats *s = &w->groups[a / ns];
        double wa = 1 / s->gamma[(a % ns) * ns + a % ns];
        for (size_t u = 0; u < q1; u++)
            for (size_t v = 0; v < q1; v++)
                wjm[a * q1 + u] += wa * j1[a * q1 + v] * m[v * q1 + u];
    }
    /* U = W J1 M J1' W (in ug), then U Gamma row by row */
    for (size_t a = 0; ok && a < R; a++)
        for (size_t c = 0; c < R; c++) {
            const brisk_wlsmv_stats *s = &w->groups[c / ns];
            double x = 0;
            for (size_t l = 0; l < q1; l++)
                x += wjm[a * q1 + l] * j1[c * q1 + l];
            ug[a * R + c] = x / s->gamma[(c % ns) * ns + c % ns];
        }
    for (size_t a = 0; ok && a < R; a++) {
        for (size_t b = 0; b < R; b++) {
            size_t g = b / ns, b0 = g * ns;
            const brisk_wlsmv_stats *s = &w->groups[g];
            double f = (double)s->n / (double)w->n, x = 0;
            for (size_t c = 0; c < ns; c++)
                x += ug[a * R + b0 + c] * s->gamma[c * ns + b % ns];
            row[b] = f * x;
        }
        memcpy(ug + a * R, row, R * sizeof *row);
    }
    *tr = *tr2 = 0;
    for (size_t a = 0; ok && a < R; a++) {
        *tr += ug[a * R + a];
        for (size_t b = 0; b < R; b++)
            *tr2 += ug[a * R + b] * ug[b * R + a];
    }
    free(p), free(pinv), free(jj), free(jjinv), free(scratch), free(h), free(tmp);
    free(k), free(kinv), free(m), free(wjm), free(ug), free(row);
    return ok;
}

/* A view of the statistics w for model m: its parameters, and where the
 * thresholds are among them (w->thresholds_in). */
static brisk_wlsmv view_for(const brisk_wlsmv *w, const brisk_model *m)
{
    brisk_wlsmv v = *w;
    v.qm = m->nfree;
    v.tau_equal = w->thresholds_in && m->equal_thresholds;
    v.released = NULL;
    v.nreleased = 0;
    v.q = v.qm + (!w->thresholds_in ? 0
                  : v.tau_equal    ? v.ntau1 + (v.ngroups - 1) * scaled_items(&v)
                                   : v.ngroups * v.ntau1);
    return v;
}

/* The view with the thresholds m releases (their places allocated). */
static brisk_status view_released(brisk_wlsmv *v, const brisk_model *m, brisk_error *err)
{
    brisk_status st = released_places(m, v, &v->released, &v->nreleased, err);
    if (v->tau_equal)
        v->q += (v->ngroups - 1) * v->nreleased;
    return st;
}

/* A fit's parameters in view v's order: the model's (model: v->qm of
 * them), then (thresholds_in) the fit's thresholds and scale factors; NULL
 * when out of memory. */
static double *full_theta(const brisk_wlsmv *v, const brisk_fit *fit, const double *model)
{
    double *theta = calloc(v->q + 1, sizeof *theta);
    if (!theta)
        return NULL;
    memcpy(theta, model, v->qm * sizeof *theta);
    for (size_t t = 0; v->thresholds_in && t < fit->nthresholds; t++) {
        size_t g = fit->threshold_group[t], k = t - g * v->ntau1;
        theta[tau_index(v, g, k)] = fit->thresholds[t];   /* equal ones: the same value */
    }
    for (size_t k = 0; v->tau_equal && k < fit->nscales; k++) {
        size_t g = fit->scale_group[k], j = k - g * scaled_items(v);   /* among the ordered */
        if (g > 0)
            theta[scale_at(v, g) + j] = fit->scales[k];
    }
    return theta;
}

/* The statistics model m is fitted to (its ordered items in w, the
 * thresholds among them with thresholds, or with the theta
 * parameterization, which has them among the parameters). */
static brisk_status statistics_for(const brisk_model *m, const brisk_moments *mom,
                                   bool thresholds, brisk_wlsmv *w, brisk_error *err)
{
    *w = (brisk_wlsmv){.ngroups = m->ngroups ? m->ngroups : 1,
                       .thresholds_in = thresholds || m->theta, .theta_param = m->theta};
    return split_variables(m, w) ? brisk_wlsmv_statistics(m, mom, w, err)
                                 : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

brisk_status brisk_wlsmv_difference(const brisk_model *m1, const brisk_fit *fit1,
                                    const brisk_model *m0, const brisk_fit *fit0,
                                    const brisk_moments *mom, double chisq_diff, double df_diff,
                                    double *stat, brisk_error *err)
{
    *stat = NAN;
    if (!(df_diff > 0)) {   /* nothing restricted: lavaan's plain difference */
        *stat = chisq_diff;
        return BRISK_OK;
    }
    size_t G = m1->ngroups ? m1->ngroups : 1;
    /* with thresholds held equal in either, the thresholds are among both
     * models' statistics and parameters (saturated where free) */
    bool thresholds = G > 1 && (m0->equal_thresholds || m1->equal_thresholds);
    if (m0->theta != m1->theta)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "the models compared have different "
                               "parameterizations (delta and theta): fit both with the same");
    brisk_wlsmv w;
    brisk_status st = statistics_for(m1, mom, thresholds, &w, err);
    brisk_wlsmv v1 = view_for(&w, m1), v0 = view_for(&w, m0);
    if (st == BRISK_OK)
        st = view_released(&v1, m1, err);
    if (st == BRISK_OK)
        st = view_released(&v0, m0, err);
    double *theta1 = st == BRISK_OK ? full_theta(&v1, fit1, fit1->theta) : NULL;
    double *theta0 = st == BRISK_OK ? full_theta(&v0, fit0, fit0->theta) : NULL;
    brisk_moments *start = st == BRISK_OK ? response_moments(&w, m1->p) : NULL;
    dwls d1 = {0}, d0 = {0};
    if (st == BRISK_OK && (!theta1 || !theta0 || !start || !dwls_init(&d1, m1, start, &v1) ||
                           !dwls_init(&d0, m0, start, &v0)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (!residuals(&d1, &v1, theta1, d1.res, d1.jac) ||
                           !residuals(&d0, &v0, theta0, d0.res, d0.jac)))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    double tr, tr2;
    if (st == BRISK_OK && !difference_traces(&w, &d1, &d0, &tr, &tr2))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the scaled difference test cannot be "
                             "computed: the less restricted model's information is singular, "
                             "or the models are not nested");
    if (st == BRISK_OK) {
        double a = sqrt(df_diff / tr2);
        *stat = chisq_diff * a + (df_diff - a * tr);
    }
    dwls_free(&d1);
    dwls_free(&d0);
    response_moments_free(start, G);
    free(theta1);
    free(theta0);
    free(v1.released);
    free(v0.released);
    brisk_wlsmv_free(&w);
    return st;
}

/* ------------------------------------------------- score tests */

/* Where ext's parameter i (view v's order: ext's free parameters, the
 * first q of them the model's, then the thresholds and scale factors)
 * goes in the score tests' order: the model's q, the thresholds and
 * scale factors, the candidates. */
static size_t score_place(const brisk_wlsmv *v, size_t q, size_t i)
{
    size_t extra = v->q - v->qm;
    return i < q ? i : i < v->qm ? i + extra : q + (i - v->qm);
}

/* The estimates to the optimum by Gauss-Newton steps that do not raise
 * the statistic.  The search stops where the gradient is 1e-6 (1 + f),
 * and a score test moves with the estimates a thousand times as fast: by
 * up to 1e-3 where the estimates are lavaan's to 1e-7. */
static void polish(dwls *d, const brisk_wlsmv *w, double *theta)
{
    size_t q = d->q;
    double *next = malloc((q + 1) * sizeof *next);
    if (!next || !residuals(d, w, theta, d->res, d->jac)) {
        free(next);
        return;
    }
    double f = weighted_ss(d, d->res), tried;
    for (int it = 0; it < 10; it++) {
        normal_equations(d, d->res, d->jac, d->h, d->g);
        if (!damped_step(d, 0))
            break;
        double largest = 0;
        for (size_t k = 0; k < q; k++) {
            next[k] = theta[k] + d->trial[k];
            largest = fmax(largest, fabs(d->trial[k]));
        }
        if (!residuals(d, w, next, d->res, NULL) ||
            (tried = weighted_ss(d, d->res)) > f * (1 + 1e-14))
            break;
        memcpy(theta, next, q * sizeof *theta);
        f = tried;
        if (largest < 1e-13)
            break;
        if (!residuals(d, w, theta, d->res, d->jac))
            break;
    }
    free(next);
}

/* Model m's estimates (m's view v0 of the statistics) polished, the first
 * q back into theta, and ext's parameters in its view v: m's, the
 * candidates' (theta after m's), the thresholds and scale factors. */
static double *extended_theta(const brisk_model *m, const brisk_wlsmv *w, const brisk_wlsmv *v,
                              const brisk_fit *fit, const brisk_moments *start, double *theta)
{
    brisk_wlsmv v0 = view_for(w, m);
    brisk_error err;
    double *full0 = view_released(&v0, m, &err) == BRISK_OK ? full_theta(&v0, fit, theta) : NULL;
    double *full = calloc(v->q + 1, sizeof *full);
    dwls d0 = {0};
    bool ok = full0 && full && dwls_init(&d0, m, start, &v0);
    if (ok) {
        polish(&d0, &v0, full0);
        memcpy(theta, full0, v0.qm * sizeof *theta);
        memcpy(full, theta, v->qm * sizeof *full);
        memcpy(full + v->qm, full0 + v0.qm, (v0.q - v0.qm) * sizeof *full);
    }
    dwls_free(&d0);
    free(full0);
    free(v0.released);
    if (!ok) {
        free(full);
        return NULL;
    }
    return full;
}

/* ext's free scale factors (~*~ rows: the score tests' candidates) into
 * v->scale_param (the others SIZE_MAX: fixed at 1); false when out of
 * memory. */
static bool scale_candidates(const brisk_model *ext, brisk_wlsmv *v)
{
    for (size_t r = 0; r < ext->nparams; r++) {
        const brisk_param *par = &ext->params[r];
        if (par->op != BRISK_OP_SCALE || !par->free)
            continue;
        if (!v->scale_param) {
            size_t n = v->ngroups * v->p;
            if (!(v->scale_param = malloc((n + 1) * sizeof *v->scale_param)))
                return false;
            for (size_t k = 0; k < n; k++)
                v->scale_param[k] = SIZE_MAX;   /* fixed at 1 */
        }
        for (size_t j = 0; j < v->p; j++)
            if (strcmp(ext->ov[v->yv[j]], par->lhs) == 0)
                v->scale_param[par->group * v->p + j] = (size_t)par->free - 1;
    }
    return true;
}

brisk_status brisk_wlsmv_score_parts(const brisk_model *m, const brisk_model *ext,
                                     const brisk_fit *fit, const brisk_moments *mom,
                                     double *theta, double **score, double **info,
                                     size_t *nextra, brisk_error *err)
{
    *score = *info = NULL;
    *nextra = 0;
    size_t G = m->ngroups ? m->ngroups : 1, q = m->nfree;
    brisk_wlsmv w;
    brisk_status st = statistics_for(m, mom, G > 1 && m->equal_thresholds, &w, err);
    brisk_wlsmv v = view_for(&w, ext);
    if (st == BRISK_OK)
        st = view_released(&v, ext, err);
    if (st == BRISK_OK && !scale_candidates(ext, &v))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_moments *start = st == BRISK_OK ? response_moments(&w, m->p) : NULL;
    double *full = start ? extended_theta(m, &w, &v, fit, start, theta) : NULL;
    size_t t = v.q, R = 0;
    double *sc = calloc(t + 1, sizeof *sc), *in = calloc(t * t + 1, sizeof *in);
    dwls d = {0};
    if (st == BRISK_OK && (!full || !start || !sc || !in || !dwls_init(&d, ext, start, &v)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && !residuals(&d, &v, full, d.res, d.jac))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix");
    R = st == BRISK_OK ? d.rows : 0;
    /* lavaan's score -sum_g (N_g - 1) / N J_g' W_g r_g (its gradient's
     * weights) and information sum_g N_g / N J_g' W_g J_g, W_g =
     * diag(Gamma_g)^-1 */
    for (size_t a = 0; a < R; a++) {
        const brisk_wlsmv_stats *s = &w.groups[a / d.ns];
        size_t b = a % d.ns;
        double fw = (double)s->n / (double)w.n / s->gamma[b * d.ns + b];
        double gw = fw * (double)(s->n - 1) / (double)s->n;
        const double *row = d.jac + a * t;
        for (size_t i = 0; i < t; i++) {
            size_t pi = score_place(&v, q, i);
            sc[pi] -= gw * row[i] * d.res[a];
            for (size_t j = 0; row[i] != 0 && j < t; j++)
                in[pi * t + score_place(&v, q, j)] += fw * row[i] * row[j];
        }
    }
    if (st == BRISK_OK) {
        *score = sc;
        *info = in;
        *nextra = v.q - v.qm;
        sc = in = NULL;
    }
    free(sc);
    free(in);
    free(full);
    dwls_free(&d);
    response_moments_free(start, G);
    free(v.released);
    free(v.scale_param);
    brisk_wlsmv_free(&w);
    return st;
}

/* ------------------------------------------------- residuals */

void brisk_wlsmv_residual_moments_free(brisk_wlsmv_group_moments *r, size_t ngroups)
{
    for (size_t g = 0; r && g < ngroups; g++) {
        free(r[g].tau), free(r[g].tau_implied), free(r[g].tau_item);
        free(r[g].cov), free(r[g].cov_implied), free(r[g].mean), free(r[g].mean_implied);
        free(r[g].acov);
    }
    free(r);
}

/* One group's moments in lavResiduals' terms from its statistics s and
 * their residuals res (the group's rows of the stacked ones). */
static bool group_moments(const brisk_wlsmv *w, const brisk_wlsmv_stats *s, const double *res,
                          brisk_wlsmv_group_moments *out)
{
    size_t p = w->p, ntau = s->ntau;
    *out = (brisk_wlsmv_group_moments){.p = p, .ntau = ntau};
    out->tau = malloc((ntau + 1) * sizeof *out->tau);
    out->tau_implied = malloc((ntau + 1) * sizeof *out->tau_implied);
    out->tau_item = malloc((ntau + 1) * sizeof *out->tau_item);
    out->cov = malloc((p * p + 1) * sizeof *out->cov);
    out->cov_implied = malloc((p * p + 1) * sizeof *out->cov_implied);
    out->mean = calloc(p + 1, sizeof *out->mean);
    out->mean_implied = calloc(p + 1, sizeof *out->mean_implied);
    if (!out->tau || !out->tau_implied || !out->tau_item || !out->cov || !out->cov_implied ||
        !out->mean || !out->mean_implied)
        return false;
    size_t a = 0;
    for (size_t j = 0, k = 0; j < p; j++)   /* saturated thresholds: the sample's */
        for (size_t c = 0; c + 1 < s->ncat[j]; c++, k++) {
            out->tau[k] = s->tau[k];
            out->tau_implied[k] = s->tau[k] - (w->thresholds_in ? res[a++] : 0);
            out->tau_item[k] = w->yv[j];
        }
    for (int var = 0; var < 2; var++)   /* the continuous items' means, then variances */
        for (size_t j = 0; w->numeric && j < p; j++) {
            if (!w->numeric[j])
                continue;
            double *obs = var ? &out->cov[j * p + j] : &out->mean[j];
            double *est = var ? &out->cov_implied[j * p + j] : &out->mean_implied[j];
            *obs = var ? s->var[j] : s->mean[j];
            *est = *obs - res[a++];
        }
    for (size_t j = 0; j < p; j++) {
        if (!(w->numeric && w->numeric[j]))
            out->cov[j * p + j] = out->cov_implied[j * p + j] = 1;
        for (size_t l = j + 1; l < p; l++, a++) {
            out->cov[j * p + l] = out->cov[l * p + j] = s->rho[j * p + l];
            out->cov_implied[j * p + l] = out->cov_implied[l * p + j] = s->rho[j * p + l] - res[a];
        }
    }
    return true;
}

/* lav_residuals_acov's for ordered items (z.type "standardized"): A0 =
 * sum_g N_g / N J_g' W_g J_g (W_g = diag(Gamma_g)^-1, lavaan's WLS.VD)
 * inverted into a0inv; then each group's Q = I - N_g / N J_g A0^-1 J_g'
 * W_g and ACOV Q Gamma_g Q' / N (lavaan's NACOV over the total N, in
 * every group) into out[g].acov, thresholds first (zero rows where they
 * are saturated outside the statistics).  False when A0 is singular or
 * out of memory. */
static bool residual_acov(const dwls *d, const brisk_wlsmv *w, brisk_wlsmv_group_moments *out)
{
    size_t q = d->q, ns = d->ns, N = w->n;
    double *a0 = calloc(q * q + 1, sizeof *a0), *a0inv = malloc((q * q + 1) * sizeof *a0inv),
           *work = malloc((q * q + 1) * sizeof *work), *m = malloc((ns * q + 1) * sizeof *m),
           *qm = malloc((ns * ns + 1) * sizeof *qm), *t = malloc((ns * ns + 1) * sizeof *t);
    bool ok = a0 && a0inv && work && m && qm && t;
    for (size_t a = 0; ok && a < d->rows; a++) {
        const brisk_wlsmv_stats *s = &w->groups[a / ns];
        size_t b = a % ns;
        double f = (double)s->n / (double)N / s->gamma[b * ns + b];
        const double *row = d->jac + a * q;
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; row[i] != 0 && j < q; j++)
                a0[i * q + j] += f * row[i] * row[j];
    }
    ok = ok && brisk_dense_spd_invert(a0, a0inv, work, q, &(double){0});
    for (size_t g = 0; ok && g < d->G; g++) {
        const brisk_wlsmv_stats *s = &w->groups[g];
        const double *jac = d->jac + g * ns * q;
        double fg = (double)s->n / (double)N;
        brisk_dense_mul_rect(jac, a0inv, m, ns, q, q);   /* J A0^-1 */
        for (size_t a = 0; a < ns; a++)   /* Q = I - fg J A0^-1 J' W */
            for (size_t b = 0; b < ns; b++) {
                double v = 0;
                for (size_t k = 0; k < q; k++)
                    v += m[a * q + k] * jac[b * q + k];
                qm[a * ns + b] = (a == b ? 1 : 0) - fg * v / s->gamma[b * ns + b];
            }
        brisk_dense_mul_rect(qm, s->gamma, t, ns, ns, ns);
        size_t off = w->thresholds_in ? 0 : out[g].ntau, nall = off + ns;
        if (!(out[g].acov = calloc(nall * nall + 1, sizeof *out[g].acov))) {
            ok = false;
            break;
        }
        for (size_t a = 0; a < ns; a++)   /* Q Gamma Q' / N */
            for (size_t b = 0; b < ns; b++) {
                double v = 0;
                for (size_t k = 0; k < ns; k++)
                    v += t[a * ns + k] * qm[b * ns + k];
                out[g].acov[(off + a) * nall + off + b] = v / (double)N;
            }
    }
    free(a0), free(a0inv), free(work), free(m), free(qm), free(t);
    return ok;
}

brisk_status brisk_wlsmv_residual_moments(const brisk_model *m, const brisk_fit *fit,
                                          const brisk_moments *mom,
                                          brisk_wlsmv_group_moments **out, brisk_error *err)
{
    *out = NULL;
    size_t G = m->ngroups ? m->ngroups : 1;
    brisk_wlsmv w;
    brisk_status st = statistics_for(m, mom, G > 1 && m->equal_thresholds, &w, err);
    if (st != BRISK_OK)
        return st;
    if (w.nx) {
        brisk_wlsmv_free(&w);
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "residuals of a WLSMV fit with "
                               "covariates (lavaan's res.cov, res.th and res.slopes) are not "
                               "computed by brisk yet");
    }
    brisk_wlsmv v = view_for(&w, m);
    st = view_released(&v, m, err);
    brisk_moments *start = st == BRISK_OK ? response_moments(&w, m->p) : NULL;
    double *full = start ? full_theta(&v, fit, fit->theta) : NULL;
    brisk_wlsmv_group_moments *r = calloc(G, sizeof *r);
    dwls d = {0};
    if (st == BRISK_OK && (!start || !full || !r || !dwls_init(&d, m, start, &v)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && !residuals(&d, &v, full, d.res, d.jac))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the estimates imply no correlation matrix: "
                             "no residuals");
    for (size_t g = 0; st == BRISK_OK && g < G; g++)
        if (!group_moments(&v, &w.groups[g], d.res + g * d.ns, &r[g]))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* lavaan gives the residuals' SEs for ordered items alone */
    if (st == BRISK_OK && !w.nnum && !residual_acov(&d, &v, r))
        for (size_t g = 0; g < G; g++) {
            free(r[g].acov);
            r[g].acov = NULL;
        }
    dwls_free(&d);
    free(full);
    response_moments_free(start, G);
    free(v.released);
    brisk_wlsmv_free(&w);
    if (st != BRISK_OK) {
        brisk_wlsmv_residual_moments_free(r, G);
        return st;
    }
    *out = r;
    return BRISK_OK;
}
