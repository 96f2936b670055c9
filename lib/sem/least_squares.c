/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Least squares on continuous items, as lavaan 0.6's estimator = "GLS",
 * "ULS", "WLS" and "DWLS" with their defaults (se = "standard", test =
 * "standard", fixed.x = FALSE, the sample covariances with divisor N - 1).
 *
 * Each group's statistics s are its means (with a mean structure) and the
 * distinct elements of its covariance matrix; the model implies sigma(theta)
 * and the estimates minimize
 *     T = sum_g (N_g - 1) (s_g - sigma_g)' W_g (s_g - sigma_g),
 * which is lavaan's chi-square (its fmin is T / 2N).  The weights W_g:
 *   GLS   the normal-theory Gamma^-1 at the sample moments:
 *         D' (S^-1 x S^-1) D / 2 (and S^-1 for the means),
 *   WLS   the inverse of the ADF Gamma (divisor N_g) of the rows,
 *   DWLS  the inverse of that Gamma's diagonal,
 *   ULS   the identity.
 * The standard errors are lavaan's "standard" for all four: the inverse of
 * sum_g (N_g / N) J_g' W_g J_g over N - G (J the Jacobian of sigma) — for
 * ULS and DWLS not a sandwich, as lavaan.  The baseline (independence)
 * model is fitted by the same weights; its statistics are linear in its
 * variances and means, so its fit is one linear solve.  RMSEA takes N - G
 * (lavaan's lav_utils_get_ntotal), and ULS's test has no p-value (its
 * reference distribution is unknown). */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "core/util.h"
#include "sem_fit.h"

/* Past this many bytes of weight matrices a model is refused (the full W
 * of GLS and WLS grows as p^4). */
#define MAX_WEIGHT_BYTES 1073741824.0

typedef struct ls_group {
    sem_work *work;
    size_t n;                     /* respondents */
    double *s;                    /* ns statistics */
    double *W;                    /* ns x ns, or ns (diagonal) */
    double *r, *jac;              /* residuals, ns x nfree Jacobian */
} ls_group;

typedef struct ls_fit {
    const brisk_model *m;
    brisk_estimator estimator;
    size_t G, p, ns, nfree, q;    /* q: the reduced parameters (== constraints) */
    bool diagonal, means;
    size_t *si, *sj;              /* statistic a: cov (si, sj), or mean si when sj == -1 */
    bool *covariate;              /* per observed variable: a predictor that is not an
                                     outcome (lavaan's ov.x, whose covariances the
                                     baseline model keeps free) */
    size_t ncovariates;
    ls_group *groups;
    double *theta_full;           /* nfree */
    double *h, *g, *hinv, *step, *work, *jk;   /* q x q, q, q x q, q, q x q, ns x q */
    size_t ntotal;
} ls_fit;

static const char *estimator_name(brisk_estimator e)
{
    return e == BRISK_ESTIMATOR_GLS ? "GLS" : e == BRISK_ESTIMATOR_ULS ? "ULS"
           : e == BRISK_ESTIMATOR_WLS ? "WLS" : "DWLS";
}

static void ls_free(ls_fit *f)
{
    for (size_t g = 0; f->groups && g < f->G; g++) {
        ls_group *lg = &f->groups[g];
        brisk_sem_work_free(lg->work);
        free(lg->s), free(lg->W), free(lg->r), free(lg->jac);
    }
    free(f->groups);
    free(f->si), free(f->sj), free(f->covariate), free(f->theta_full);
    free(f->h), free(f->g), free(f->hinv), free(f->step), free(f->work), free(f->jk);
}

/* The statistics' layout: the means first (with a mean structure), then
 * the covariances column by column of the lower triangle (lavaan's vech). */
static void layout(ls_fit *f)
{
    size_t a = 0, p = f->p;
    for (size_t i = 0; f->means && i < p; i++, a++) {
        f->si[a] = i;
        f->sj[a] = (size_t)-1;
    }
    for (size_t j = 0; j < p; j++)
        for (size_t i = j; i < p; i++, a++) {
            f->si[a] = i;
            f->sj[a] = j;
        }
}

/* The sample statistics: means, covariances with divisor N - 1. */
static void sample_statistics(const ls_fit *f, const brisk_moments *mom, double *s)
{
    size_t p = f->p;
    double scale = (double)mom->n / (double)(mom->n - 1);
    for (size_t a = 0; a < f->ns; a++)
        s[a] = f->sj[a] == (size_t)-1 ? mom->mean[f->si[a]]
                                      : scale * mom->cov[f->si[a] * p + f->sj[a]];
}

/* The ADF Gamma (lavaan's lav_samplestats_Gamma, divisor N): the
 * covariance over the rows of (x, the products of the centred x). */
static bool adf_gamma(const ls_fit *f, const brisk_moments *mom, double *gamma)
{
    size_t ns = f->ns, p = f->p, n = mom->n;
    double *z = malloc((ns + 1) * sizeof *z), *zbar = calloc(ns + 1, sizeof *zbar);
    if (!z || !zbar) {
        free(z), free(zbar);
        return false;
    }
    memset(gamma, 0, ns * ns * sizeof *gamma);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const double *x = mom->data + i * p;
            for (size_t a = 0; a < ns; a++) {
                size_t u = f->si[a], v = f->sj[a];
                z[a] = v == (size_t)-1 ? x[u]
                                       : (x[u] - mom->mean[u]) * (x[v] - mom->mean[v]);
            }
            if (pass == 0) {
                for (size_t a = 0; a < ns; a++)
                    zbar[a] += z[a] / (double)n;
                continue;
            }
            for (size_t a = 0; a < ns; a++)
                z[a] -= zbar[a];
            for (size_t a = 0; a < ns; a++)
                for (size_t b = 0; b <= a; b++)
                    gamma[a * ns + b] += z[a] * z[b] / (double)n;
        }
    for (size_t a = 0; a < ns; a++)
        for (size_t b = 0; b < a; b++)
            gamma[b * ns + a] = gamma[a * ns + b];
    free(z), free(zbar);
    return true;
}

/* GLS's weights: D' (S^-1 x S^-1) D / 2 on the covariances, S^-1 on the
 * means (lavaan's lav_samplestats_Gamma_inverse_NT). */
static void gls_weights(const ls_fit *f, const double *sinv, double *W)
{
    size_t ns = f->ns, p = f->p;
    for (size_t a = 0; a < ns; a++)
        for (size_t b = 0; b < ns; b++) {
            size_t i = f->si[a], j = f->sj[a], k = f->si[b], l = f->sj[b];
            double v = 0;
            if (j == (size_t)-1 || l == (size_t)-1) {
                v = j == (size_t)-1 && l == (size_t)-1 ? sinv[i * p + k] : 0;
            } else {
                /* every (r, s) of {(i, j), (j, i)} with every (t, u) of {(k, l), (l, k)} */
                v = sinv[i * p + k] * sinv[j * p + l];
                if (k != l)
                    v += sinv[i * p + l] * sinv[j * p + k];
                if (i != j)
                    v += sinv[j * p + k] * sinv[i * p + l];
                if (i != j && k != l)
                    v += sinv[j * p + l] * sinv[i * p + k];
                v *= 0.5;
            }
            W[a * ns + b] = v;
        }
}

static const char *of_group(const brisk_moments *mom, char *buf, size_t size)
{
    if (!mom->group)
        return "";
    snprintf(buf, size, " of group '%s'", mom->group);
    return buf;
}

/* Group g's weights. */
static brisk_status group_weights(ls_fit *f, const brisk_moments *mom, ls_group *lg,
                                  brisk_error *err)
{
    size_t ns = f->ns, p = f->p;
    char group[300];
    if (f->estimator == BRISK_ESTIMATOR_ULS) {
        for (size_t a = 0; a < ns; a++)
            lg->W[a] = 1;
        return BRISK_OK;
    }
    if (f->estimator == BRISK_ESTIMATOR_GLS) {
        double *S = malloc((p * p + 1) * sizeof *S), *Sinv = malloc((p * p + 1) * sizeof *Sinv),
               *tmp = malloc((p * p + 1) * sizeof *tmp), logdet;
        bool ok = S && Sinv && tmp;
        for (size_t k = 0; ok && k < p * p; k++)
            S[k] = mom->cov[k] * (double)mom->n / (double)(mom->n - 1);
        bool pd = ok && brisk_dense_spd_invert(S, Sinv, tmp, p, &logdet);
        if (pd)
            gls_weights(f, Sinv, lg->W);
        free(S), free(Sinv), free(tmp);
        if (!ok)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        if (!pd)
            return brisk_error_set(err, BRISK_ERR_DATA, "the sample covariance matrix%s is not "
                                   "positive definite: GLS weights by its inverse; drop "
                                   "collinear items", of_group(mom, group, sizeof group));
        return BRISK_OK;
    }
    if (mom->n < ns)
        return brisk_error_set(err, BRISK_ERR_DATA, "%zu respondents%s are too few for the ADF "
                               "weights of %s (%zu sample statistics): lavaan's Gamma needs "
                               "more rows than statistics; use GLS or ULS, or more respondents",
                               mom->n, of_group(mom, group, sizeof group),
                               estimator_name(f->estimator), ns);
    double *gamma = malloc((ns * ns + 1) * sizeof *gamma);
    if (!gamma || !adf_gamma(f, mom, gamma)) {
        free(gamma);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = BRISK_OK;
    if (f->estimator == BRISK_ESTIMATOR_DWLS) {
        for (size_t a = 0; a < ns && st == BRISK_OK; a++) {
            double d = gamma[a * ns + a];
            if (!(d > 0))
                st = brisk_error_set(err, BRISK_ERR_DATA, "the ADF Gamma%s has a zero on its "
                                     "diagonal (a constant item or product): DWLS cannot "
                                     "weight it; drop the constant item",
                                     of_group(mom, group, sizeof group));
            lg->W[a] = 1 / d;
        }
    } else {
        double *tmp = malloc((ns * ns + 1) * sizeof *tmp), logdet;
        if (!tmp)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        else if (!brisk_dense_spd_invert(gamma, lg->W, tmp, ns, &logdet))
            st = brisk_error_set(err, BRISK_ERR_DATA, "the ADF Gamma of the %zu respondents%s "
                                 "is not positive definite: WLS cannot invert it (lavaan "
                                 "refuses it too); use DWLS, ULS or GLS",
                                 mom->n, of_group(mom, group, sizeof group));
        free(tmp);
    }
    free(gamma);
    return st;
}

/* The observed variables that predict in a regression and are never
 * an outcome nor an indicator (lavaan's ov.x). */
static void find_covariates(ls_fit *f)
{
    const brisk_model *m = f->m;
    bool *dependent = calloc(f->p + 1, sizeof *dependent);
    if (!dependent)
        return;   /* (f->covariate stays all false) */
    for (size_t r = 0; r < m->nparams; r++) {
        const sem_pos *pos = &m->pos[r];
        if (pos->mat != SEM_A)
            continue;
        if ((size_t)pos->row < f->p)
            dependent[pos->row] = true;
        if ((size_t)pos->col < f->p)
            f->covariate[pos->col] = true;
    }
    for (size_t i = 0; i < f->p; i++) {
        f->covariate[i] = f->covariate[i] && !dependent[i];
        f->ncovariates += f->covariate[i];
    }
    free(dependent);
}

static brisk_status ls_init(ls_fit *f, const brisk_model *m, const brisk_moments *mom,
                            brisk_estimator estimator, brisk_error *err)
{
    size_t p = m->p;
    *f = (ls_fit){.m = m, .estimator = estimator, .G = m->ngroups, .p = p,
                  .nfree = m->nfree, .q = m->nreduced, .means = m->meanstructure,
                  .diagonal = estimator == BRISK_ESTIMATOR_ULS ||
                              estimator == BRISK_ESTIMATOR_DWLS};
    f->ns = p * (p + 1) / 2 + (f->means ? p : 0);
    size_t ns = f->ns, q = f->q, nf = f->nfree;
    if (!f->diagonal && (double)ns * (double)ns * sizeof(double) * (double)f->G > MAX_WEIGHT_BYTES)
        return brisk_error_set(err, BRISK_ERR_LIMIT, "%s's weight matrix over the %zu sample "
                               "statistics of %zu items would need %.1f GB, past brisk's bound "
                               "of 1 GB; fit the items in smaller models, or by ULS or DWLS",
                               estimator_name(estimator), ns, p,
                               (double)ns * (double)ns * 8 * (double)f->G / 1e9);
    f->si = malloc((ns + 1) * sizeof *f->si);
    f->sj = malloc((ns + 1) * sizeof *f->sj);
    f->groups = calloc(f->G, sizeof *f->groups);
    f->covariate = calloc(p + 1, sizeof *f->covariate);
    f->theta_full = calloc(nf + 1, sizeof *f->theta_full);
    f->h = malloc((q * q + 1) * sizeof *f->h);
    f->hinv = malloc((q * q + 1) * sizeof *f->hinv);
    f->work = malloc((q * q + 1) * sizeof *f->work);
    f->g = malloc((q + 1) * sizeof *f->g);
    f->step = malloc((q + 1) * sizeof *f->step);
    f->jk = malloc((ns * q + 1) * sizeof *f->jk);
    if (!f->si || !f->sj || !f->groups || !f->covariate || !f->theta_full || !f->h ||
        !f->hinv || !f->work || !f->g || !f->step || !f->jk)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    layout(f);
    find_covariates(f);
    for (size_t g = 0; g < f->G; g++) {
        ls_group *lg = &f->groups[g];
        char group[300];
        lg->n = mom[g].n;
        if (mom[g].n <= p)
            return brisk_error_set(err, BRISK_ERR_DATA, "%zu complete respondents%s for %zu "
                                   "observed variables: more respondents are needed (or use "
                                   "fewer items)", mom[g].n,
                                   of_group(&mom[g], group, sizeof group), p);
        f->ntotal += lg->n;
        lg->work = brisk_sem_work_new(m, &mom[g], g);
        lg->s = malloc((ns + 1) * sizeof *lg->s);
        lg->W = malloc(((f->diagonal ? ns : ns * ns) + 1) * sizeof *lg->W);
        lg->r = malloc((ns + 1) * sizeof *lg->r);
        lg->jac = malloc((ns * nf + 1) * sizeof *lg->jac);
        if (!lg->work || !lg->s || !lg->W || !lg->r || !lg->jac)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        sample_statistics(f, &mom[g], lg->s);
        brisk_status st = group_weights(f, &mom[g], lg, err);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* theta (the fitter's: beta with constraints) as the model's theta. */
static const double *full_theta(ls_fit *f, const double *theta)
{
    if (!f->m->K)
        return theta;
    brisk_sem_expand(f->m, theta, f->theta_full);
    return f->theta_full;
}

/* r' W r of one group. */
static double quadratic(const ls_fit *f, const ls_group *lg)
{
    size_t ns = f->ns;
    double t = 0;
    for (size_t a = 0; a < ns; a++) {
        if (f->diagonal) {
            t += lg->W[a] * lg->r[a] * lg->r[a];
            continue;
        }
        double v = 0;
        for (size_t b = 0; b < ns; b++)
            v += lg->W[a * ns + b] * lg->r[b];
        t += lg->r[a] * v;
    }
    return t;
}

/* Residuals of every group at theta (and with jac their Jacobian in the
 * model's free parameters), and T; false where the model implies no
 * moments (I - A singular) or a negative variance (lavaan's objective is
 * NA there). */
static bool evaluate(ls_fit *f, const double *theta, bool jac, double *T)
{
    const double *th = full_theta(f, theta);
    size_t p = f->p, ns = f->ns, nf = f->nfree;
    double total = 0;
    for (size_t g = 0; g < f->G; g++) {
        ls_group *lg = &f->groups[g];
        sem_work *w = lg->work;
        if (!brisk_sem_implied(w, th) || (jac && !brisk_sem_implied_derivatives(w)))
            return false;
        for (size_t i = 0; i < p; i++)
            if (!(w->Sigma[i * p + i] >= 0))
                return false;
        for (size_t a = 0; a < ns; a++) {
            size_t i = f->si[a], j = f->sj[a];
            bool mean = j == (size_t)-1;
            lg->r[a] = lg->s[a] - (mean ? w->mu[i] : w->Sigma[i * p + j]);
            for (size_t k = 0; jac && k < nf; k++)
                lg->jac[a * nf + k] = mean ? w->dmu[k * p + i] : w->dSigma[k * p * p + i * p + j];
        }
        total += (double)(lg->n - 1) * quadratic(f, lg);
    }
    *T = total;
    return isfinite(total);
}

/* J K of one group into f->jk (ns x q): the Jacobian in the fitter's
 * parameters. */
static const double *reduced_jacobian(ls_fit *f, const ls_group *lg)
{
    const brisk_model *m = f->m;
    if (!m->K)
        return lg->jac;
    brisk_dense_mul_rect(lg->jac, m->K, f->jk, f->ns, f->nfree, f->q);   /* J K */
    return f->jk;
}

/* h = sum_g c_g J' W J, g = sum_g c_g J' W r (c_g = N_g - 1 for the
 * search, N_g / N for the information); returns the largest |g|. */
static double normal_equations(ls_fit *f, bool information)
{
    size_t ns = f->ns, q = f->q;
    double *wj = malloc((ns * q + 1) * sizeof *wj), gmax = 0;
    memset(f->h, 0, q * q * sizeof *f->h);
    memset(f->g, 0, q * sizeof *f->g);
    if (!wj)
        return NAN;
    for (size_t gi = 0; gi < f->G; gi++) {
        ls_group *lg = &f->groups[gi];
        double c = information ? (double)lg->n / (double)f->ntotal : (double)(lg->n - 1);
        const double *J = reduced_jacobian(f, lg);
        for (size_t a = 0; a < ns; a++)   /* wj = W J */
            for (size_t k = 0; k < q; k++) {
                double v = 0;
                if (f->diagonal)
                    v = lg->W[a] * J[a * q + k];
                else
                    for (size_t b = 0; b < ns; b++)
                        v += lg->W[a * ns + b] * J[b * q + k];
                wj[a * q + k] = v;
            }
        for (size_t k = 0; k < q; k++) {
            for (size_t l = 0; l <= k; l++) {
                double v = 0;
                for (size_t a = 0; a < ns; a++)
                    v += J[a * q + k] * wj[a * q + l];
                f->h[k * q + l] += c * v;
            }
            double v = 0;
            for (size_t a = 0; a < ns; a++)
                v += wj[a * q + k] * lg->r[a];
            f->g[k] += c * v;
        }
    }
    for (size_t k = 0; k < q; k++) {
        for (size_t l = 0; l < k; l++)
            f->h[l * q + k] = f->h[k * q + l];
        gmax = fmax(gmax, fabs(f->g[k]));
    }
    free(wj);
    return gmax;
}

/* step = (h + ridge mean(diag h) I)^-1 g; false when not positive definite. */
static bool damped_step(ls_fit *f, double ridge)
{
    size_t q = f->q;
    double *a = malloc((q * q + 1) * sizeof *a);
    bool ok = a && brisk_dense_damped_solve(f->h, f->g, q, ridge, a, f->hinv, f->work, f->step);
    free(a);
    return ok;
}

/* Gauss-Newton on T, damped as Levenberg-Marquardt (the ridge grows
 * until a step lowers T and shrinks after it), as brisk's DWLS for
 * ordered items (wlsmv.c).  Returns whether the gradient vanished;
 * *gmax its largest element at the end. */
static bool descend(ls_fit *f, double *theta, double *T, int max_iter, double deadline,
                    int *iterations, double *gmax)
{
    size_t q = f->q;
    double *next = malloc((q + 1) * sizeof *next), ridge = 0;
    bool converged = false;
    if (!next || !evaluate(f, theta, true, T)) {
        free(next);
        return false;
    }
    for (int it = 0; it < max_iter; it++, (*iterations)++) {
        *gmax = normal_equations(f, false);
        if ((converged = *gmax < 1e-9 * (1 + *T)))
            break;
        if (deadline > 0 && brisk_monotonic_seconds() > deadline)
            break;
        double ft = INFINITY;
        bool moved = false;
        for (int tries = 0; !moved && tries < 60; tries++) {
            if (damped_step(f, ridge)) {
                for (size_t k = 0; k < q; k++)
                    next[k] = theta[k] + f->step[k];
                moved = evaluate(f, next, false, &ft) && ft <= *T;
            }
            if (!moved)
                ridge = ridge > 0 ? ridge * 4 : 1e-8;
        }
        if (moved) {
            ridge = ridge < 1e-12 ? 0 : ridge / 4;
            memcpy(theta, next, q * sizeof *theta);
        }
        double before = *T;
        if (!evaluate(f, theta, true, T))
            break;
        if (!moved || before - *T < 1e-15 * (1 + *T)) {   /* at the minimum to rounding */
            *gmax = normal_equations(f, false);
            converged = *gmax < 1e-6 * (1 + *T);
            break;
        }
    }
    free(next);
    return converged;
}

/* The estimates from lavaan's start, else from brisk's other starts. */
static brisk_status search(ls_fit *f, const brisk_moments *mom, double *theta, double time_limit,
                           brisk_fit *fit, brisk_error *err)
{
    const brisk_model *m = f->m;
    size_t q = f->q, nf = f->nfree;
    double *start = malloc((nf + 1) * sizeof *start), T = INFINITY, gmax = INFINITY;
    double *best = calloc(q + 1, sizeof *best), best_T = INFINITY, best_g = INFINITY;
    double deadline = time_limit > 0 ? brisk_monotonic_seconds() + time_limit : 0;
    int iterations = 0;
    bool converged = false;
    if (!start || !best) {
        free(start), free(best);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_sem_start(m, mom, start);
    for (int which = -1; !converged; which++) {
        if (which >= 0 && !brisk_sem_start_other(m, mom, which, start))
            break;
        if (m->K)
            brisk_sem_reduce(m, start, theta);
        else
            memcpy(theta, start, nf * sizeof *theta);
        T = gmax = INFINITY;
        converged = descend(f, theta, &T, 2000, deadline, &iterations, &gmax);
        /* the solution; else, of the points flat enough for lavaan (see
         * below), the lowest: on a valley running to infinity (a Heywood
         * case) the flattest point reached can lie higher up the valley
         * than another start's; else the flattest point any start reached */
        double accept = 1e-3 * 2.0 * (double)f->ntotal;
        bool flat_enough = isfinite(T) && gmax < accept, best_flat = best_g < accept;
        if (converged || (flat_enough && (!best_flat || T < best_T)) ||
            (!best_flat && isfinite(T) && gmax < best_g)) {
            memcpy(best, theta, q * sizeof *best);
            best_T = T;
            best_g = gmax;
        }
        if (deadline > 0 && brisk_monotonic_seconds() > deadline)
            break;
    }
    memcpy(theta, best, q * sizeof *theta);
    free(start), free(best);
    fit->iterations = iterations;
    fit->gradient_norm = best_g / (2.0 * (double)f->ntotal);
    /* lavaan accepts a gradient of its objective (T / 2N) below 1e-3 */
    bool flat = !converged && isfinite(best_T) && fit->gradient_norm < 1e-3;
    if (!converged && !flat)
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "%s did not converge in %d "
                               "iterations (largest gradient %.3g): give starting values with "
                               "start(...), or simplify the model", estimator_name(f->estimator),
                               iterations, fit->gradient_norm);
    if (flat && brisk_fit_warn(fit, "the optimum is flat: the largest gradient is %.2g, within "
                               "lavaan's tolerance but not brisk's; some estimates are not "
                               "determined by the data (see their standard errors)",
                               fit->gradient_norm) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    fit->converged = true;
    if (!evaluate(f, theta, true, &T))
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "%s: the estimates imply no "
                               "covariance matrix", estimator_name(f->estimator));
    fit->fmin = T / (2.0 * (double)f->ntotal);
    return BRISK_OK;
}

/* vcov = K (K' I K)^-1 K' / (N - G), I = sum_g (N_g / N) J' W J; the
 * residuals and Jacobians at the estimates.  A singular information
 * leaves no standard errors, with a warning. */
static brisk_status standard_errors(ls_fit *f, brisk_fit *fit, brisk_error *err)
{
    const brisk_model *m = f->m;
    size_t q = f->q, nf = f->nfree;
    double logdet, scale = 1.0 / (double)(f->ntotal - f->G);
    normal_equations(f, true);
    if (!brisk_dense_spd_invert(f->h, f->hinv, f->work, q, &logdet)) {
        fit->vcov_valid = false;
        if (brisk_fit_warn(fit, "the information matrix is singular at this solution: no "
                           "standard errors (the model may not be identified)") != BRISK_OK)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        return BRISK_OK;
    }
    for (size_t k = 0; k < nf; k++)
        for (size_t l = 0; l < nf; l++) {
            double v = 0;
            if (!m->K)
                v = f->hinv[k * q + l];
            else
                for (size_t i = 0; i < q; i++)
                    for (size_t j = 0; j < q; j++)
                        v += m->K[k * q + i] * f->hinv[i * q + j] * m->K[l * q + j];
            fit->vcov[k * nf + l] = scale * v;
        }
    fit->vcov_valid = true;
    return BRISK_OK;
}

/* Whether statistic a is a parameter of the independence model: a mean,
 * a variance, or a covariance of two covariates (lavaan's baseline keeps
 * those free). */
static bool in_baseline(const ls_fit *f, size_t a)
{
    size_t i = f->si[a], j = f->sj[a];
    return j == (size_t)-1 || i == j || (f->covariate[i] && f->covariate[j]);
}

/* The weighted least-squares fit of the independence model, min over beta
 * of beta' A beta - 2 beta' rhs (A = S' W S, rhs = S' W s, S selecting its
 * parameters), with the variances (bounded[u]) not below 0: lavaan's
 * baseline model bounds them so, and with the ADF weights (WLS) the
 * unbounded minimum can have a negative variance.  An active set: the
 * unbounded solution of the parameters not held at 0; a negative variance
 * is held at 0 (the most negative first), a variance held at 0 whose
 * gradient points below 0 released, until neither happens. */
static bool independence_fit(const double *a, const double *rhs, const bool *bounded, size_t nb,
                             double *beta)
{
    bool *held = calloc(nb + 1, sizeof *held);
    size_t *freeidx = malloc((nb + 1) * sizeof *freeidx);
    double *sub = malloc((nb * nb + 1) * sizeof *sub), *inv = malloc((nb * nb + 1) * sizeof *inv);
    double *work = malloc((nb * nb + 1) * sizeof *work), logdet;
    bool ok = held && freeidx && sub && inv && work;
    for (size_t round = 0; ok && round < 4 * nb + 4; round++) {
        size_t nf = 0;
        for (size_t u = 0; u < nb; u++)
            if (!held[u])
                freeidx[nf++] = u;
        for (size_t u = 0; u < nf; u++)
            for (size_t t = 0; t < nf; t++)
                sub[u * nf + t] = a[freeidx[u] * nb + freeidx[t]];
        if (nf && !(ok = brisk_dense_spd_invert(sub, inv, work, nf, &logdet)))
            break;
        for (size_t u = 0; u < nb; u++)
            beta[u] = 0;
        for (size_t u = 0; u < nf; u++) {
            double v = 0;
            for (size_t t = 0; t < nf; t++)
                v += inv[u * nf + t] * rhs[freeidx[t]];
            beta[freeidx[u]] = v;
        }
        size_t worst = nb;
        for (size_t u = 0; u < nb; u++)
            if (bounded[u] && !held[u] && beta[u] < 0 && (worst == nb || beta[u] < beta[worst]))
                worst = u;
        if (worst < nb) {
            held[worst] = true;
            continue;
        }
        /* the half gradient A beta - rhs of a variance held at 0: below 0,
         * the fit improves by letting it rise */
        double steepest = 0;
        for (size_t u = 0; u < nb; u++) {
            if (!held[u])
                continue;
            double g = -rhs[u];
            for (size_t t = 0; t < nb; t++)
                g += a[u * nb + t] * beta[t];
            if (g < steepest) {
                steepest = g;
                worst = u;
            }
        }
        if (worst == nb)
            break;
        held[worst] = false;
    }
    free(held), free(freeidx), free(sub), free(inv), free(work);
    return ok;
}

/* The independence model's statistic in every group: its variances (and
 * means) are the free parameters, sigma linear in them, so its weighted
 * least-squares fit is (A' W A)^-1 A' W s with A selecting them (with the
 * variances bounded at 0, independence_fit). */
static bool baseline_chisq(ls_fit *f, double *out)
{
    size_t ns = f->ns, nb = f->p + (f->means ? f->p : 0) +
                            f->ncovariates * (f->ncovariates - (f->ncovariates > 0)) / 2;
    size_t *sel = malloc((nb + 1) * sizeof *sel);
    bool *bounded = malloc((nb + 1) * sizeof *bounded);
    double *a = malloc((nb * nb + 1) * sizeof *a), *rhs = malloc((nb + 1) * sizeof *rhs);
    double *beta = malloc((nb + 1) * sizeof *beta), total = 0;
    bool ok = sel && bounded && a && rhs && beta;
    size_t k = 0;
    for (size_t i = 0; ok && i < ns; i++)
        if (in_baseline(f, i)) {
            bounded[k] = f->si[i] == f->sj[i];   /* a variance */
            sel[k++] = i;
        }
    for (size_t g = 0; ok && g < f->G; g++) {
        ls_group *lg = &f->groups[g];
        for (size_t u = 0; u < nb; u++) {
            double v = 0;
            for (size_t b = 0; b < ns; b++)
                v += (f->diagonal ? (sel[u] == b ? lg->W[b] : 0) : lg->W[sel[u] * ns + b]) *
                     lg->s[b];
            rhs[u] = v;
            for (size_t t = 0; t < nb; t++)
                a[u * nb + t] = f->diagonal ? (u == t ? lg->W[sel[u]] : 0)
                                            : lg->W[sel[u] * ns + sel[t]];
        }
        if (!(ok = independence_fit(a, rhs, bounded, nb, beta)))
            break;
        memcpy(lg->r, lg->s, ns * sizeof *lg->r);
        for (size_t u = 0; u < nb; u++)
            lg->r[sel[u]] -= beta[u];
        total += (double)(lg->n - 1) * quadratic(f, lg);
    }
    free(sel), free(bounded), free(a), free(rhs), free(beta);
    *out = total;
    return ok;
}

/* lavaan's fitMeasures for these estimators: no likelihood, no AIC. */
static brisk_status fit_measures(ls_fit *f, const sem_fitter *fitter, brisk_fit *fit,
                                 brisk_error *err)
{
    brisk_fit_measures *fm = &fit->fit;
    const brisk_model *m = f->m;
    double G = (double)f->G, N = (double)f->ntotal, p = (double)f->p;
    double moments = (double)brisk_sem_moments_count(m);
    fm->estimator = f->estimator;
    fm->nobs = f->ntotal;
    fm->npar = m->npar;
    fm->chisq = 2 * N * fit->fmin;
    fm->df = G * moments - (double)m->npar;
    bool uls = f->estimator == BRISK_ESTIMATOR_ULS;
    fm->pvalue = fm->df > 0 && !uls ? gsl_cdf_chisq_Q(fm->chisq, fm->df) : NAN;
    if (!baseline_chisq(f, &fm->baseline_chisq))
        return brisk_error_set(err, BRISK_ERR_DATA, "%s: the independence model's weights are "
                               "singular (a constant item?)", estimator_name(f->estimator));
    double nx = (double)f->ncovariates;
    fm->baseline_df = G * (moments - p - (m->meanstructure ? p : 0) - nx * (nx - 1) / 2);
    fm->baseline_pvalue = uls ? NAN : gsl_cdf_chisq_Q(fm->baseline_chisq, fm->baseline_df);
    brisk_sem_cfi_tli(fm->chisq, fm->df, fm->baseline_chisq, fm->baseline_df, 1, 1, &fm->cfi,
                      &fm->tli);
    brisk_sem_rmsea(fm->chisq, fm->df, N - G, G, 1, &fm->rmsea, &fm->rmsea_ci_lower,
                    &fm->rmsea_ci_upper);
    fm->rmsea_pvalue = brisk_sem_rmsea_pvalue(fm->chisq, fm->df, N - G, G);
    fm->srmr = 0;
    for (size_t g = 0; g < f->G; g++)
        fm->srmr += fitter->weight[g] * brisk_sem_srmr(m, fitter->works[g]->mom,
                                                       fitter->works[g]);
    fm->loglik = fm->unrestricted_loglik = fm->aic = fm->bic = fm->sabic = NAN;
    return BRISK_OK;
}

/* The moments with covariances of divisor N - 1 (lavaan's
 * sample.cov.rescale = FALSE for these estimators): the starting values,
 * SRMR and everything after the estimates see them. */
static brisk_moments *unbiased_moments(const brisk_moments *mom, size_t G)
{
    brisk_moments *out = calloc(G, sizeof *out);
    for (size_t g = 0; out && g < G; g++) {
        size_t p = mom[g].p;
        out[g] = mom[g];
        out[g].cov = malloc((p * p + 1) * sizeof *out[g].cov);
        if (!out[g].cov) {
            for (size_t h = 0; h < g; h++)
                free(out[h].cov);
            free(out);
            return NULL;
        }
        double scale = (double)mom[g].n / (double)(mom[g].n - 1);
        for (size_t k = 0; k < p * p; k++)
            out[g].cov[k] = scale * mom[g].cov[k];
    }
    return out;
}

static void unbiased_free(brisk_moments *mom, size_t G)
{
    for (size_t g = 0; mom && g < G; g++)
        free(mom[g].cov);
    free(mom);
}

/* What these estimators do not fit, refused by name. */
static brisk_status refuse(const brisk_model *m, const brisk_moments *mom,
                           brisk_estimator estimator, brisk_error *err)
{
    if (m->ninequalities) {
        brisk_error_at(err, m->source, m->constraint_line, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: inequality constraints "
                               "('<', '>') are not fitted with %s; fit without them",
                               estimator_name(estimator));
    }
    if (mom[0].npatterns || mom[0].weight || mom[0].cluster || !mom[0].data)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "%s is fitted to the complete rows "
                               "without sampling weights or clusters",
                               estimator_name(estimator));
    return BRISK_OK;
}

brisk_status brisk_fit_least_squares(const brisk_model *m, const brisk_moments *mom,
                                     brisk_estimator estimator, double time_limit,
                                     brisk_fit **out, brisk_error *err)
{
    *out = NULL;
    brisk_status st = refuse(m, mom, estimator, err);
    if (st != BRISK_OK)
        return st;
    if ((st = brisk_sem_check_df(m, err)) != BRISK_OK)
        return st;
    ls_fit f = {0};
    brisk_moments *unbiased = unbiased_moments(mom, m->ngroups);
    brisk_fit *fit = calloc(1, sizeof *fit);
    sem_fitter *fitter = NULL;
    size_t nf = m->nfree;
    st = unbiased && fit ? ls_init(&f, m, mom, estimator, err)
                         : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        fit->model = m;
        fit->theta = calloc(nf + 1, sizeof *fit->theta);
        fit->vcov = calloc(nf * nf + 1, sizeof *fit->vcov);
        fit->rows = calloc(m->nparams + 1, sizeof *fit->rows);
        fitter = brisk_sem_fitter_new(m, unbiased);
        if (!fit->theta || !fit->vcov || !fit->rows || !fitter ||
            brisk_sem_model_warnings(m, fit) != BRISK_OK)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK)
        st = search(&f, unbiased, fit->theta, time_limit, fit, err);
    if (st == BRISK_OK)
        st = standard_errors(&f, fit, err);
    if (st == BRISK_OK && m->K)
        brisk_sem_expand(m, fit->theta, f.theta_full), memcpy(fit->theta, f.theta_full,
                                                                nf * sizeof *fit->theta);
    double value;
    if (st == BRISK_OK && !(brisk_sem_implied(fitter->works[0], fit->theta)))
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the estimates imply no moments");
    for (size_t g = 0; st == BRISK_OK && g < m->ngroups; g++)
        brisk_sem_implied(fitter->works[g], fit->theta);
    if (st == BRISK_OK)
        st = fit_measures(&f, fitter, fit, err);
    if (st == BRISK_OK) {
        /* the standardized values want the fitter at the estimates, its
         * Sigma inverted where it can be */
        brisk_sem_fitter_objective_full(fitter, fit->theta, &value);
        brisk_sem_fill_rows(m, fitter, fit);
        st = brisk_sem_defined(m, fit, err);
    }
    if (st == BRISK_OK)
        st = brisk_sem_standardize(m, fitter, fit, err);
    if (st == BRISK_OK)
        st = brisk_sem_check_admissible(m, fitter, fit);
    if (st == BRISK_OK && fit->vcov_valid && m->std_se)
        st = brisk_sem_std_se(m, fitter, fit, NULL, NULL, err);
    brisk_sem_fitter_free(fitter);
    unbiased_free(unbiased, m->ngroups);
    ls_free(&f);
    if (st != BRISK_OK) {
        brisk_fit_free(fit);
        return st;
    }
    *out = fit;
    return BRISK_OK;
}
