/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk_fit_ml: checks, Fisher scoring, standard errors, and the report. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "core/util.h"
#include "sem_fit.h"

#define Z975 1.959963984540054
/* lavaan's optim.dx.tol, 1e-3 on its objective F / 2, on brisk's F */
#define FLAT_TOLERANCE 2e-3

void brisk_fit_free(brisk_fit *fit)
{
    if (!fit)
        return;
    free(fit->theta);
    free(fit->vcov);
    free(fit->rows);
    free(fit->r2);
    free(fit->r2_names);
    free(fit->r2_group);
    free(fit->threshold_item);
    free(fit->threshold_group);
    free(fit->thresholds);
    free(fit->threshold_se);
    free(fit->threshold_std);
    free(fit->scale_item);
    free(fit->scale_group);
    free(fit->scales);
    free(fit->scale_se);
    for (size_t i = 0; i < fit->nwarnings; i++)
        free(fit->warnings[i]);
    free(fit->warnings);
    free(fit);
}

brisk_status brisk_fit_add_warning(brisk_fit *fit, const char *text)
{
    return brisk_fit_warn(fit, "%s", text);
}

brisk_status brisk_fit_warn(brisk_fit *fit, const char *fmt, ...)
{
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    size_t cap = fit->nwarnings;
    if (n < 0 || !brisk_grow((void **)&fit->warnings, &cap, fit->nwarnings + 1,
                             sizeof *fit->warnings)) {
        free(n < 0 ? NULL : text);
        return BRISK_ERR_NOMEM;
    }
    fit->warnings[fit->nwarnings++] = text;
    return BRISK_OK;
}

/* ------------------------------------------------------------ data checks */

/* " of group 'Grant-White'" when the sample is one group's, else "". */
static const char *of_group(const brisk_moments *mom, char *buf, size_t size)
{
    if (!mom->group)
        return "";
    snprintf(buf, size, " of group '%s'", mom->group);
    return buf;
}

/* Name what makes the sample covariance singular: constant items first,
 * else the items that carry the near-null direction. */
static brisk_status singular_sample(const brisk_model *m, const brisk_moments *mom,
                                    brisk_error *err)
{
    size_t p = mom->p;
    char group[300];
    for (size_t j = 0; j < p; j++) {
        /* constant relative to its own scale (an item in small units is
         * not); a variance that underflows although the answers differ
         * (values near 1e-300) is too small to compute with */
        double var = mom->cov[j * p + j], mean = mom->mean[j];
        if (var > 1e-20 * mean * mean && var > 0)
            continue;
        brisk_error_variable(err, m->ov[j]);
        bool differ = false;
        for (size_t i = 1; mom->data && i < mom->n && !differ; i++)
            differ = mom->data[i * p + j] != mom->data[j];
        if (differ)
            return brisk_error_set(err, BRISK_ERR_DATA,
                                   "item '%s' varies too little for its scale (values near "
                                   "%g) to be computed with in the %zu respondents%s used; "
                                   "rescale it (multiply it by a power of ten)",
                                   m->ov[j], mean, mom->n, of_group(mom, group, sizeof group));
        return brisk_error_set(err, BRISK_ERR_DATA,
                               "item '%s' is constant in the %zu respondents%s used "
                               "(every answer is %g); drop it from the model",
                               m->ov[j], mom->n, of_group(mom, group, sizeof group), mean);
    }
    double *c = malloc(p * p * sizeof *c), *vec = malloc(p * p * sizeof *vec),
           *val = malloc(p * sizeof *val);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
    brisk_buf names = {0};
    if (c && vec && val && ws) {
        /* Correlations, so that the loadings of the null direction compare. */
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                c[a * p + b] = mom->cov[a * p + b] /
                               sqrt(mom->cov[a * p + a] * mom->cov[b * p + b]);
        gsl_matrix_view C = gsl_matrix_view_array(c, p, p), V = gsl_matrix_view_array(vec, p, p);
        gsl_vector_view ev = gsl_vector_view_array(val, p);
        gsl_eigen_symmv(&C.matrix, &ev.vector, &V.matrix, ws);
        gsl_eigen_symmv_sort(&ev.vector, &V.matrix, GSL_EIGEN_SORT_VAL_ASC);
        for (size_t a = 0; a < p; a++)
            if (fabs(vec[a * p]) > 0.05)
                brisk_buf_printf(&names, "%s%s", names.len ? ", " : "", m->ov[a]);
    }
    brisk_error_set(err, BRISK_ERR_DATA,
                    "the sample covariance matrix of the %zu respondents%s used is not positive "
                    "definite: the items %s are (nearly) collinear; drop one of them",
                    mom->n, of_group(mom, group, sizeof group),
                    names.data ? names.data : "of the model");
    brisk_buf_free(&names);
    gsl_eigen_symmv_free(ws);
    free(c);
    free(vec);
    free(val);
    return BRISK_ERR_DATA;
}

/* Sample moments the model has to explain: those of fixed covariates
 * (lavaan's fixed.x) are reproduced by construction and do not count. */
size_t brisk_sem_moments_count(const brisk_model *m)
{
    size_t p = m->p, k = brisk_model_nexogenous(m);
    size_t all = p * (p + 1) / 2 + (m->meanstructure ? p : 0);
    return all - k * (k + 1) / 2 - (m->meanstructure ? k : 0);
}

/* The smallest eigenvalue of a symmetric matrix scaled to unit diagonal
 * (its "correlation form"), NaN when it cannot be computed.  Rounding lets
 * an exactly singular matrix pass a Cholesky test; this does not. */
static double min_scaled_eigenvalue(const double *a, size_t n)
{
    double *c = malloc((n ? n * n : 1) * sizeof *c), *val = malloc((n ? n : 1) * sizeof *val);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n ? n : 1);
    double min = NAN;
    if (c && val && ws) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                c[i * n + j] = a[i * n + j] / sqrt(a[i * n + i] * a[j * n + j]);
        gsl_matrix_view C = gsl_matrix_view_array(c, n, n);
        gsl_vector_view v = gsl_vector_view_array(val, n);
        if (gsl_eigen_symm(&C.matrix, &v.vector, ws) == GSL_SUCCESS) {
            min = INFINITY;
            for (size_t i = 0; i < n; i++)
                min = fmin(min, val[i]);
        }
    }
    gsl_eigen_symm_free(ws);
    free(c);
    free(val);
    return min;
}

static bool well_conditioned(const brisk_moments *mom)
{
    return min_scaled_eigenvalue(mom->cov, mom->p) > 1e-10;
}

/* Items whose variances differ by more than ten orders of magnitude leave
 * the information numerically singular (lavaan warns beyond a factor of
 * 1000): the message names the two and asks to rescale, rather than
 * calling the model not identified.  Fixed covariates are not estimated
 * and are left out. */
static brisk_status comparable_scales(const brisk_model *m, const brisk_moments *mom,
                                      brisk_error *err)
{
    size_t p = mom->p, lo = (size_t)-1, hi = (size_t)-1;
    for (size_t j = 0; j < p; j++) {
        if (brisk_sem_is_fixed_x(m, j))
            continue;
        double v = mom->cov[j * p + j];
        if (lo == (size_t)-1 || v < mom->cov[lo * p + lo])
            lo = j;
        if (hi == (size_t)-1 || v > mom->cov[hi * p + hi])
            hi = j;
    }
    if (lo == (size_t)-1 || !(mom->cov[hi * p + hi] > 1e10 * mom->cov[lo * p + lo]))
        return BRISK_OK;
    brisk_error_variable(err, m->ov[lo]);
    return brisk_error_set(err, BRISK_ERR_DATA, "the variances of '%s' (%g) and '%s' (%g) "
                           "differ by more than ten orders of magnitude: rescale the items "
                           "(multiply one by a power of ten) to comparable units",
                           m->ov[lo], mom->cov[lo * p + lo], m->ov[hi], mom->cov[hi * p + hi]);
}

/* Every group's sample: enough respondents, a usable covariance matrix. */
static brisk_status check_group(const brisk_model *m, sem_work *w, brisk_error *err)
{
    const brisk_moments *mom = w->mom;
    char group[300];
    if (mom->n < 2)
        return brisk_error_set(err, BRISK_ERR_DATA, "only %zu complete respondents%s: a model "
                               "needs data", mom->n, of_group(mom, group, sizeof group));
    if (mom->n <= m->p)
        return brisk_error_set(err, BRISK_ERR_DATA,
                               "%zu complete respondents%s for %zu observed variables: the "
                               "sample covariance matrix is singular; more respondents are "
                               "needed (or use fewer items)", mom->n,
                               of_group(mom, group, sizeof group), m->p);
    bool ok;
    w->logdet_s = brisk_sem_logdet(mom->cov, mom->p, &ok);
    if (!(ok && well_conditioned(mom)))
        return singular_sample(m, mom, err);
    return comparable_scales(m, mom, err);
}

/* The derivatives of Sigma and their products with its inverse, kept for
 * every free parameter (ml.c, allocate_derivatives): 3 q p^2 doubles a
 * group.  Past this bound a model is refused before the search, not left
 * to exhaust memory or run for hours (one step of a 600-item factor would
 * take 10 GB). */
#define MAX_DERIVATIVE_BYTES 2147483648.0

brisk_status brisk_sem_check_size(const brisk_model *m, brisk_error *err)
{
    double bytes = 3.0 * (double)m->nfree * (double)m->p * (double)m->p * sizeof(double);
    if (bytes <= MAX_DERIVATIVE_BYTES)
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_LIMIT,
                           "the model has %zu free parameters over %zu observed variables: "
                           "its derivatives would need %.1f GB, past brisk's bound of 2 GB; "
                           "fit the items in smaller models", m->nfree, m->p, bytes / 1e9);
}

brisk_status brisk_sem_check_df(const brisk_model *m, brisk_error *err)
{
    size_t moments = brisk_sem_moments_count(m) * m->ngroups;
    if (m->nreduced > moments)
        return brisk_error_set(err, BRISK_ERR_MODEL,
                               "the model is not identified: %zu free parameters but only %zu "
                               "sample moments (df = %ld); fix or equate parameters",
                               m->nreduced, moments, (long)moments - (long)m->nreduced);
    return BRISK_OK;
}

static brisk_status check_inputs(const brisk_model *m, sem_fitter *f, brisk_error *err)
{
    brisk_status counted = brisk_sem_check_df(m, err);
    if (counted != BRISK_OK)
        return counted;
    for (size_t g = 0; g < f->ngroups; g++) {
        brisk_status st = check_group(m, f->works[g], err);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* The parameters that move along the information matrix's null direction
 * ("f =~ x1, f ~~ f"), into names. */
static void null_direction(const brisk_model *m, const double *info, size_t q, brisk_buf *names)
{
    size_t na = q * q > m->nfree ? q * q : m->nfree;
    double *a = malloc((na + 1) * sizeof *a), *vec = malloc(q * q * sizeof *vec),
           *val = malloc(q * sizeof *val);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(q);
    if (a && vec && val && ws) {
        /* in the information's correlation form, so that every parameter's
         * part in the null direction compares whatever its scale */
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < q; j++) {
                double d = sqrt(fabs(info[i * q + i] * info[j * q + j]));
                a[i * q + j] = d > 0 ? info[i * q + j] / d : (i == j);
            }
        gsl_matrix_view A = gsl_matrix_view_array(a, q, q), V = gsl_matrix_view_array(vec, q, q);
        gsl_vector_view ev = gsl_vector_view_array(val, q);
        gsl_eigen_symmv(&A.matrix, &ev.vector, &V.matrix, ws);
        gsl_eigen_symmv_sort(&ev.vector, &V.matrix, GSL_EIGEN_SORT_VAL_ASC);
        if (m->K) {   /* the direction in the model's free parameters: K v */
            for (size_t i = 0; i < q; i++)
                val[i] = vec[i * q];
            for (size_t k = 0; k < m->nfree; k++) {
                double d = 0;
                for (size_t j = 0; j < q; j++)
                    d += m->K[k * q + j] * val[j];
                a[k] = d;
            }
        }
        for (size_t r = 0; r < m->nparams; r++) {
            int k = m->params[r].free - 1;
            const brisk_param *par = &m->params[r];
            double part = k < 0 ? 0 : m->K ? a[k] : vec[(size_t)k * q];
            if (k >= 0 && fabs(part) > 0.1)
                brisk_buf_printf(names, "%s%s %s %s", names->len ? ", " : "", par->lhs,
                                 brisk_op_text(par->op), par->rhs);
        }
    }
    gsl_eigen_symmv_free(ws);
    free(a);
    free(vec);
    free(val);
}

static brisk_status not_identified(const brisk_model *m, const double *info, size_t q,
                                   brisk_error *err)
{
    brisk_buf names = {0};
    null_direction(m, info, q, &names);
    brisk_error_set(err, BRISK_ERR_MODEL,
                    "the model is not identified: the information matrix is singular; the "
                    "parameters involved are %s; fix one of them (e.g. a loading to 1) or "
                    "equate them", names.data ? names.data : "unknown");
    brisk_buf_free(&names);
    return BRISK_ERR_MODEL;
}

/* ------------------------------------------------------------ iterations */

/* The information is singular when its correlation form has an
 * eigenvalue near 0 (a Cholesky pivot test depends on the ordering): below
 * 1e-12, where lavaan's solve() fails too.  A model not identified in
 * principle comes out near 1e-16; a weakly determined one that lavaan
 * still inverts near 1e-10. */
static bool information_singular(const double *info, size_t q)
{
    return !(min_scaled_eigenvalue(info, q) > 1e-12);
}

/* Solve (info + ridge * mean diag(info) * I) x = rhs by Cholesky; false
 * when the matrix is (numerically) singular. */
static bool solve_information(sem_fitter *f, double ridge, const double *rhs, double *x)
{
    size_t q = f->q;
    double mean_diag = 0, *chol = f->chol;
    for (size_t i = 0; i < q; i++)
        mean_diag += fabs(f->info[i * q + i]) / (double)q;
    memcpy(chol, f->info, q * q * sizeof *chol);
    for (size_t i = 0; i < q; i++)
        chol[i * q + i] += ridge * mean_diag;
    gsl_matrix_view L = gsl_matrix_view_array(chol, q, q);
    gsl_vector_const_view b = gsl_vector_const_view_array(rhs, q);
    gsl_vector_view xv = gsl_vector_view_array(x, q);
    if (gsl_linalg_cholesky_decomp1(&L.matrix) != GSL_SUCCESS)
        return false;
    for (size_t i = 0; i < q; i++)
        if (!(chol[i * q + i] > 1e-10 * sqrt(fabs(f->info[i * q + i]) + 1e-300)))
            return false;
    return gsl_linalg_cholesky_solve(&L.matrix, &b.vector, &xv.vector) == GSL_SUCCESS;
}

typedef enum { STEP_TAKEN, STEP_STUCK, STEP_SINGULAR } step_result;

/* One Fisher-scoring step with step halving; STEP_STUCK when no step lowers
 * F (converged, or stuck), STEP_SINGULAR when the information is singular. */
static step_result scoring_step(sem_fitter *f, double *theta, double *value)
{
    size_t q = f->q;
    memset(f->step, 0, q * sizeof *f->step);
    /* info here is per respondent for F/2, so the Hessian of F is 2 info.
     * Away from the optimum the information can be singular (a factor with
     * two indicators before its covariances have moved from 0): then a
     * ridge, growing until the system is solvable, as Levenberg-Marquardt. */
    bool solved = solve_information(f, 0, f->grad, f->step);
    for (double ridge = 1e-8; !solved && ridge < 1e4; ridge *= 10)
        solved = solve_information(f, ridge, f->grad, f->step);
    if (!solved)
        return STEP_SINGULAR;
    double scale = 0.5;
    for (int halvings = 0; halvings < 40; halvings++, scale *= 0.5) {
        for (size_t k = 0; k < q; k++)
            f->theta_try[k] = theta[k] - scale * f->step[k];
        double ftry;
        if (brisk_sem_fitter_objective(f, f->theta_try, &ftry) && ftry <= *value) {
            memcpy(theta, f->theta_try, q * sizeof *theta);
            *value = ftry;
            return STEP_TAKEN;
        }
    }
    brisk_sem_fitter_objective(f, theta, value);  /* restore the state of theta */
    return STEP_STUCK;
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

/* BFGS update of the inverse Hessian H with step s and gradient change y:
 * H <- (I - r s y') H (I - r y s') + r s s', r = 1 / y's. */
static void bfgs_update(double *H, const double *s, const double *y, double *Hy, size_t q)
{
    double ys = 0;
    for (size_t k = 0; k < q; k++)
        ys += y[k] * s[k];
    if (!(ys > 1e-300))
        return;   /* no curvature information: keep H */
    double r = 1 / ys, yHy = 0;
    for (size_t k = 0; k < q; k++) {
        double v = 0;
        for (size_t l = 0; l < q; l++)
            v += H[k * q + l] * y[l];
        Hy[k] = v;
        yHy += y[k] * v;
    }
    double c = r * (1 + r * yHy);
    for (size_t k = 0; k < q; k++)
        for (size_t l = 0; l < q; l++)
            H[k * q + l] += c * s[k] * s[l] - r * (Hy[k] * s[l] + s[k] * Hy[l]);
}

/* H = diag(1 / (2 info_kk)): a safe inverse Hessian when the one built so
 * far points uphill. */
static void diagonal_inverse_hessian(const sem_fitter *f, double *H)
{
    size_t q = f->q;
    memset(H, 0, q * q * sizeof *H);
    for (size_t k = 0; k < q; k++) {
        double d = f->info[k * q + k];
        H[k * q + k] = d > 1e-12 ? 0.5 / d : 1.0;
    }
}

/* step = H grad; returns grad' H grad, positive when -step goes downhill. */
static double newton_direction(sem_fitter *f, const double *H)
{
    size_t q = f->q;
    double slope = 0;
    for (size_t k = 0; k < q; k++) {
        double v = 0;
        for (size_t l = 0; l < q; l++)
            v += H[k * q + l] * f->grad[l];
        f->step[k] = v;
        slope += v * f->grad[k];
    }
    return slope;
}

/* Whether the fit's time is up: every search then stops where it is. */
static bool out_of_time(sem_fitter *f)
{
    if (!f->timed_out && f->deadline > 0 && brisk_monotonic_seconds() > f->deadline)
        f->timed_out = true;
    return f->timed_out;
}

/* Quasi-Newton (BFGS) steps on F from theta, the inverse Hessian starting
 * as H (q x q, f->chol); a step is halved until F does not rise (to
 * rounding).  Only the gradient is computed per step.  Stops when the
 * gradient vanishes (true), after max_iter steps or when no step of
 * max_halvings halvings lowers F (false).  Leaves the fitter at theta. */
static bool bfgs(sem_fitter *f, double *theta, double *value, double tol, int max_iter,
                 int max_halvings, int *iterations)
{
    size_t q = f->q;
    double *H = f->chol, *g_old = f->aux, *s = f->aux + q, *Hy = f->aux + 2 * q;
    brisk_sem_fitter_gradient(f);
    for (int it = 0; it < max_iter && !out_of_time(f); it++, (*iterations)++) {
        if (max_abs(f->grad, q) < tol)
            return true;
        if (!(newton_direction(f, H) > 0)) {   /* not downhill: start the curvature again */
            brisk_sem_fitter_derivatives(f);
            diagonal_inverse_hessian(f, H);
            if (!(newton_direction(f, H) > 0))
                return false;
        }
        /* A step may leave F unchanged to rounding near the optimum: allow
         * that much. */
        double scale = 1, ftry = 0, slack = 1e-14 * (1 + fabs(*value));
        int halvings = 0;
        for (; halvings < max_halvings; halvings++, scale *= 0.5) {
            for (size_t k = 0; k < q; k++)
                f->theta_try[k] = theta[k] - scale * f->step[k];
            if (brisk_sem_fitter_objective(f, f->theta_try, &ftry) && ftry <= *value + slack)
                break;
        }
        if (halvings == max_halvings) {
            brisk_sem_fitter_objective(f, theta, value);
            return false;
        }
        for (size_t k = 0; k < q; k++) {
            s[k] = f->theta_try[k] - theta[k];
            g_old[k] = f->grad[k];
        }
        memcpy(theta, f->theta_try, q * sizeof *theta);
        *value = ftry;
        brisk_sem_fitter_gradient(f);
        for (size_t k = 0; k < q; k++)
            g_old[k] = f->grad[k] - g_old[k];   /* y */
        bfgs_update(H, s, g_old, Hy, q);
    }
    return max_abs(f->grad, q) < tol;
}

/* Quasi-Newton steps from a known inverse information (a bootstrap draw
 * starting at the full-sample estimate, with the full sample's): near the
 * solution this converges in a few cheap steps.  Returns whether the
 * gradient vanished. */
static bool quasi_newton(sem_fitter *f, double *theta, double *value, const double *scoring,
                         double tol, int *iterations)
{
    size_t q = f->q;
    for (size_t k = 0; k < q * q; k++)
        f->chol[k] = 0.5 * scoring[k];   /* the Hessian of F is twice the information */
    return bfgs(f, theta, value, tol, 60, 8, iterations);
}

typedef enum { SCORING_CONVERGED, SCORING_FAILED } scoring_result;

/* Fisher scoring with step halving until the gradient vanishes, or until
 * no step lowers F, the information stays singular, or max_iter steps. */
static scoring_result scoring(sem_fitter *f, double *theta, double *value, int max_iter,
                              double tol, int *iterations)
{
    size_t q = f->q;
    for (int it = 0; it < max_iter && !out_of_time(f); it++, (*iterations)++) {
        if (!brisk_sem_fitter_derivatives(f))
            return SCORING_FAILED;
        if (max_abs(f->grad, q) < tol)
            return SCORING_CONVERGED;
        double before = *value;
        step_result step = scoring_step(f, theta, value);
        if (step != STEP_TAKEN)
            break;
        /* No progress left: stop, if that counts as converged below. */
        if (before - *value < 1e-16 * (1 + fabs(*value)) &&
            max_abs(f->grad, q) < fmin(1e3 * tol, 1e-6))
            break;
    }
    brisk_sem_fitter_derivatives(f);
    return max_abs(f->grad, q) < 1e-5 ? SCORING_CONVERGED : SCORING_FAILED;
}

/* Newton's method on the observed Hessian (central differences of the
 * analytic gradient), damped as Levenberg-Marquardt: the ridge shrinks
 * after a step that lowers F and grows until one does.  Where a model is
 * badly misspecified or near a Heywood case the expected information that
 * scoring uses is a poor guide; the observed curvature is not.  Returns
 * whether the gradient vanished. */
static bool damped_newton(sem_fitter *f, double *theta, double *value, double tol,
                          int max_iter, int *iterations)
{
    size_t q = f->q;
    double *hess = malloc((q * q + 1) * sizeof *hess), *a = malloc((q * q + 1) * sizeof *a);
    double *g = malloc((q + 1) * sizeof *g), *point = malloc((q + 1) * sizeof *point);
    bool ok = hess && a && g && point, converged = false;
    double ridge = 0;
    for (int it = 0; ok && it < max_iter && !out_of_time(f); it++, (*iterations)++) {
        brisk_sem_fitter_gradient(f);
        if ((converged = max_abs(f->grad, q) < tol))
            break;
        memcpy(g, f->grad, q * sizeof *g);
        if (!(ok = brisk_sem_observed_information(f, theta, hess)))
            break;
        double mean_diag = 0;
        for (size_t k = 0; k < q; k++)
            mean_diag += fabs(hess[k * q + k]) / (double)q;
        if (!(mean_diag > 0))
            mean_diag = 1;
        bool moved = false;
        for (int tries = 0; !moved && tries < 40; tries++) {
            /* the Hessian of F is twice the information per respondent */
            for (size_t k = 0; k < q * q; k++)
                a[k] = 2 * hess[k];
            for (size_t k = 0; k < q; k++)
                a[k * q + k] += ridge * mean_diag;
            gsl_matrix_view A = gsl_matrix_view_array(a, q, q);
            gsl_vector_view b = gsl_vector_view_array(g, q), x = gsl_vector_view_array(point, q);
            bool solved = gsl_linalg_cholesky_decomp1(&A.matrix) == GSL_SUCCESS &&
                          gsl_linalg_cholesky_solve(&A.matrix, &b.vector, &x.vector) ==
                              GSL_SUCCESS;
            double ftry = INFINITY;
            for (size_t k = 0; solved && k < q; k++)
                f->theta_try[k] = theta[k] - point[k];
            if (solved && brisk_sem_fitter_objective(f, f->theta_try, &ftry) && ftry < *value) {
                memcpy(theta, f->theta_try, q * sizeof *theta);
                *value = ftry;
                moved = true;
                ridge = ridge < 1e-10 ? 0 : ridge / 4;
            } else {
                ridge = ridge > 0 ? ridge * 4 : 1e-6;
            }
        }
        if (!brisk_sem_fitter_objective(f, theta, value))
            ok = false;
        if (!moved) {   /* no step lowers F: at the optimum to rounding, or stuck */
            brisk_sem_fitter_gradient(f);
            converged = max_abs(f->grad, q) < 1e-5;
            break;
        }
    }
    free(hess);
    free(a);
    free(g);
    free(point);
    return ok && converged;
}

/* Quasi-Newton from theta, its curvature starting from the regularized
 * expected information. */
static void quasi_newton_from(sem_fitter *f, double *theta, double *value, double tol,
                              int *iterations)
{
    size_t q = f->q;
    double *a = malloc((q * q + 1) * sizeof *a), *work = malloc((q * q + 1) * sizeof *work);
    if (a && work && brisk_sem_fitter_objective(f, theta, value) &&
        brisk_sem_fitter_derivatives(f)) {
        double mean_diag = 0, logdet;
        for (size_t k = 0; k < q; k++)
            mean_diag += fabs(f->info[k * q + k]) / (double)q;
        bool inverted = false;
        for (double ridge = 1e-6; !inverted && ridge < 1e6; ridge *= 100) {
            memcpy(a, f->info, q * q * sizeof *a);
            for (size_t k = 0; k < q; k++)
                a[k * q + k] += ridge * (mean_diag > 0 ? mean_diag : 1);
            inverted = brisk_dense_spd_invert(a, f->chol, work, q, &logdet);
        }
        if (inverted)
            for (size_t k = 0; k < q * q; k++)
                f->chol[k] *= 0.5;
        else
            diagonal_inverse_hessian(f, f->chol);
        bfgs(f, theta, value, tol, 5000, 60, iterations);
    }
    free(a);
    free(work);
}

/* Whether a free variance is negative at theta (a Heywood case); theta
 * the fitter's (beta with constraints). */
static bool negative_variance(const brisk_model *m, const double *theta)
{
    double *full = NULL;
    if (m->K) {
        if (!(full = malloc((m->nfree + 1) * sizeof *full)))
            return false;
        brisk_sem_expand(m, theta, full);
        theta = full;
    }
    bool negative = false;
    for (size_t r = 0; r < m->nparams && !negative; r++) {
        const brisk_param *p = &m->params[r];
        negative = p->free > 0 && p->op == BRISK_OP_COVARY && strcmp(p->lhs, p->rhs) == 0 &&
                   theta[p->free - 1] < 0;
    }
    free(full);
    return negative;
}

/* A start of the model's free parameters (nfree + 1 doubles) as the
 * fitter's: with constraints the nearest beta, in place. */
static void to_fitter(const brisk_model *m, double *start)
{
    double *beta = m->K ? malloc((m->nreduced + 1) * sizeof *beta) : NULL;
    if (!beta)
        return;
    brisk_sem_reduce(m, start, beta);
    memcpy(start, beta, m->nreduced * sizeof *beta);
    free(beta);
}

/* The best point the searches found: a solution (gradient below tol), else
 * a flat one (below FLAT_TOLERANCE), the lower F first within a kind. */
typedef struct best_point {
    double *theta;
    double value, gradient;
    int kind;                      /* 2 solution, 1 flat, 0 neither, -1 none yet */
} best_point;

static int point_kind(double gradient, double tol)
{
    return gradient < fmax(tol, 1e-5) ? 2 : gradient < FLAT_TOLERANCE ? 1 : 0;
}

/* Take theta as the best point if it is better; returns its kind. */
static int consider(sem_fitter *f, const double *theta, double tol, best_point *best)
{
    double value;
    if (!brisk_sem_fitter_objective(f, theta, &value))
        return -1;
    brisk_sem_fitter_gradient(f);
    double g = max_abs(f->grad, f->q);
    int kind = point_kind(g, tol);
    if (kind > best->kind || (kind == best->kind && value < best->value)) {
        memcpy(best->theta, theta, f->q * sizeof *theta);
        best->value = value;
        best->gradient = g;
        best->kind = kind;
    }
    return kind;
}

/* The searches from one start: Fisher scoring; where it fails (a Heywood
 * region, a badly misspecified model, an information singular away from
 * the optimum) or ends at a negative variance (near which other optima
 * lie), what lavaan's nlminb would do and more: Newton on the observed
 * curvature from where scoring stopped, quasi-Newton from there, and
 * Newton and quasi-Newton from the start, paths of their own (short first
 * steps cross regions, a loading through zero, that scoring's long ones
 * leap past).  Each end is considered for the best point.  scoring_only:
 * the first search alone. */
static void search_from(sem_fitter *f, const double *start, int max_iter, double tol,
                        bool scoring_only, best_point *best, int *iterations)
{
    size_t q = f->q;
    double *theta = malloc((q + 1) * sizeof *theta), value;
    if (!theta)
        return;
    memcpy(theta, start, q * sizeof *theta);
    if (!brisk_sem_fitter_objective(f, theta, &value)) {
        free(theta);
        return;
    }
    scoring(f, theta, &value, max_iter, tol, iterations);
    int kind = consider(f, theta, tol, best);
    if (scoring_only || out_of_time(f) || (kind == 2 && !negative_variance(f->model, theta))) {
        free(theta);
        return;
    }
    if (kind < 2 && brisk_sem_fitter_objective(f, theta, &value)) {
        damped_newton(f, theta, &value, tol, 200, iterations);
        if (consider(f, theta, tol, best) < 2) {
            quasi_newton_from(f, theta, &value, tol, iterations);
            if (consider(f, theta, tol, best) < 2 &&
                brisk_sem_fitter_objective(f, theta, &value)) {
                damped_newton(f, theta, &value, tol, 50, iterations);
                consider(f, theta, tol, best);
            }
        }
    }
    memcpy(theta, start, q * sizeof *theta);
    if (brisk_sem_fitter_objective(f, theta, &value)) {
        damped_newton(f, theta, &value, tol, 500, iterations);
        consider(f, theta, tol, best);
    }
    memcpy(theta, start, q * sizeof *theta);
    quasi_newton_from(f, theta, &value, tol, iterations);
    consider(f, theta, tol, best);
    free(theta);
}

static bool singular_near(sem_fitter *f, const double *theta, double *point);

/* Fisher scoring until the gradient vanishes; where it fails, the further
 * searches.  A model is called not identified only at a solution
 * (invert_information), never for want of convergence. */
static brisk_status iterate(sem_fitter *f, double *theta, const brisk_fit_options *opt,
                            brisk_fit *fit, brisk_error *err)
{
    size_t q = f->q;
    int max_iter = opt && opt->max_iterations > 0 ? opt->max_iterations : 500;
    double tol = opt && opt->tolerance > 0 ? opt->tolerance : 1e-9;
    double value, limit = opt ? opt->time_limit : 0;
    f->deadline = limit > 0 ? brisk_monotonic_seconds() + limit : 0;
    f->timed_out = false;
    if (!brisk_sem_fitter_objective(f, theta, &value))
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the starting values give an "
                               "implied covariance matrix that is not positive definite; give "
                               "starting values with start(...)");
    int it = 0;
    if (opt && opt->scoring && quasi_newton(f, theta, &value, opt->scoring, tol, &it)) {
        fit->iterations = it;
        fit->fmin = value;
        fit->gradient_norm = max_abs(f->grad, q);
        fit->converged = true;
        return BRISK_OK;
    }
    double *start = malloc((f->model->nfree + 1) * sizeof *start);
    double *best_scratch = malloc((q + 1) * sizeof *best_scratch);
    best_point best = {.theta = malloc((q + 1) * sizeof *best.theta), .kind = -1};
    if (!start || !best.theta || !best_scratch) {
        free(start);
        free(best_scratch);
        free(best.theta);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    memcpy(start, theta, q * sizeof *start);
    memcpy(best.theta, theta, q * sizeof *theta);
    best.value = value;
    /* a model whose information is singular around the start, as well as
     * anywhere (not identified whatever the data), gets scoring alone: no
     * search or start identifies it, and standard_errors says so */
    bool hopeless = singular_near(f, start, best_scratch);
    search_from(f, start, max_iter, tol, hopeless, &best, &it);
    /* no proper optimum yet, or a Heywood case: the other starts too
     * (every group's moments: the works point into them) */
    for (int which = 0; !(opt && opt->start) && !hopeless && !out_of_time(f) &&
                        (best.kind < 2 || negative_variance(f->model, best.theta)) &&
                        brisk_sem_start_other(f->model, f->works[0]->mom, which, start);
         which++) {
        to_fitter(f->model, start);
        search_from(f, start, max_iter, tol, false, &best, &it);
    }
    memcpy(theta, best.theta, q * sizeof *theta);
    free(start);
    free(best_scratch);
    free(best.theta);
    brisk_sem_fitter_objective(f, theta, &value);
    brisk_sem_fitter_derivatives(f);
    fit->iterations = it;
    fit->fmin = value;
    fit->gradient_norm = max_abs(f->grad, q);
    /* Tolerance for the gradient of F (per respondent): loose enough for
     * flat optima, far tighter than the three decimals users compare.  On
     * a valley that falls ever more slowly (a Heywood case running off to
     * infinity) no optimizer reaches it: lavaan then accepts a point whose
     * gradient of F / 2 is below 1e-3 (its optim.dx.tol), and so does
     * brisk, saying so (a bootstrap draw silently). */
    fit->converged = best.kind >= 1;
    if (best.kind == 1 && !(opt && opt->estimates_only) &&
        brisk_fit_warn(fit, "the optimum is flat: the largest gradient is %.2g, within "
                       "lavaan's tolerance but not brisk's; some estimates are not "
                       "determined by the data (see their standard errors)",
                       fit->gradient_norm) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* not identified whatever the data: say so, not that it did not converge */
    if (!fit->converged && hopeless && information_singular(f->info, q))
        return not_identified(f->model, f->info, q, err);
    if (!fit->converged && f->timed_out)
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE,
                               "no convergence within the time limit of %g s (%d iterations, "
                               "largest gradient %.3g); raise the limit (--time-limit), give "
                               "starting values with start(...), or simplify the model",
                               limit, it, fit->gradient_norm);
    if (f->timed_out && !(opt && opt->estimates_only) &&
        brisk_fit_warn(fit, "the time limit of %g s stopped the search for other optima "
                       "(the solution found first stands; raise the limit with "
                       "--time-limit to search on)", limit) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!fit->converged)
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE,
                               "no convergence after %d iterations (largest gradient %.3g); "
                               "give starting values with start(...), simplify the model, or "
                               "rescale variables with very different variances",
                               it, fit->gradient_norm);
    return BRISK_OK;
}

/* The observed information per respondent, half the Hessian of F, as
 * lavaan's lav_model_hessian computes it: five-point (Richardson)
 * differences of the analytic gradient with step 1e-6, symmetrized.  (Two
 * points with step 1e-5 cost half and agree to about 1e-9 where the
 * information is well conditioned; near a Heywood case its inverse
 * magnifies that to 1e-3 in the standard errors, so lavaan's rule it is.)
 * Leaves the fitter at theta again, its derivatives included. */
static bool observed_hessian(sem_fitter *f, const double *theta, double *info, double *point,
                             double *gsum)
{
    static const double steps[] = {-2, -1, 1, 2}, weights[] = {1, -8, 8, -1};
    const double h = 1e-6;
    size_t q = f->q;
    double value;
    for (size_t j = 0; j < q; j++) {
        memset(gsum, 0, q * sizeof *gsum);
        for (size_t k = 0; k < 4; k++) {
            memcpy(point, theta, q * sizeof *point);
            point[j] += steps[k] * h;
            if (!brisk_sem_fitter_objective(f, point, &value))
                return false;
            brisk_sem_fitter_gradient(f);
            for (size_t i = 0; i < q; i++)
                gsum[i] += weights[k] * f->grad[i];
        }
        for (size_t i = 0; i < q; i++)
            info[i * q + j] = 0.5 * gsum[i] / (12 * h);
    }
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < i; j++)
            info[i * q + j] = info[j * q + i] = (info[i * q + j] + info[j * q + i]) / 2;
    return brisk_sem_fitter_objective(f, theta, &value) && brisk_sem_fitter_derivatives(f);
}


bool brisk_sem_observed_information(sem_fitter *f, const double *theta, double *info)
{
    double *point = malloc((f->q + 1) * sizeof *point), *gsum = malloc((f->q + 1) * sizeof *gsum);
    bool ok = point && gsum && observed_hessian(f, theta, info, point, gsum);
    free(point);
    free(gsum);
    return ok;
}

/* Whether the information is singular at theta moved by scale (1 + |theta|)
 * in alternating directions, the scale shrunk until the point implies a
 * positive definite matrix; true if no such point is found. */
static bool singular_near(sem_fitter *f, const double *theta, double *point)
{
    size_t q = f->q;
    double value;
    bool moved = false;
    for (double scale = 0.1; !moved && scale > 1e-4; scale /= 4) {
        for (size_t k = 0; k < q; k++)
            point[k] = theta[k] + scale * (1 + fabs(theta[k])) * (k % 2 ? 1 : -1);
        moved = brisk_sem_fitter_objective(f, point, &value);
    }
    return !(moved && brisk_sem_fitter_derivatives(f)) || information_singular(f->info, q);
}

/* Whether the information is singular also away from the solution theta,
 * near it and near the starting values: a model not identified whatever
 * the data, not only at this solution.  (Near the solution alone is not
 * enough: a Heywood case on its way to infinity is singular for a long
 * way around.)  Leaves the fitter at theta. */
static bool singular_everywhere(sem_fitter *f, const double *theta)
{
    size_t q = f->q;
    double *point = malloc((q + 1) * sizeof *point),
           *start = malloc((f->model->nfree + 1) * sizeof *start);
    double value;
    bool singular = true;
    if (point && start) {
        brisk_sem_start(f->model, f->works[0]->mom, start);
        to_fitter(f->model, start);
        singular = singular_near(f, theta, point) && singular_near(f, start, point);
    }
    free(point);
    free(start);
    brisk_sem_fitter_objective(f, theta, &value);
    brisk_sem_fitter_derivatives(f);
    return singular;
}

/* vcov = (N info)^-1: the expected information, or with missing values
 * (full-information ML) the observed one, as lavaan's defaults.  Where the
 * information is singular at the solution, a model that is not identified
 * whatever the data is an error; one that these data leave empirically
 * unidentified (a Heywood case on its way to infinity) keeps its
 * estimates, with no standard errors and a warning, as lavaan keeps them
 * (*valid false). */
static brisk_status standard_errors(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                                    bool *valid, brisk_error *err)
{
    size_t q = f->q;
    double *vcov = fit->vcov;
    *valid = false;
    bool singular = information_singular(f->info, q);
    if (!singular) {
        if (f->works[0]->mom->npatterns) {
            if (!brisk_sem_observed_information(f, fit->theta, vcov))
                return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            for (size_t i = 0; i < q * q; i++)
                vcov[i] *= (double)f->ntotal;
        } else {
            for (size_t i = 0; i < q * q; i++)
                vcov[i] = f->info[i] * (double)f->ntotal;
        }
        gsl_matrix_view V = gsl_matrix_view_array(vcov, q, q);
        singular = gsl_linalg_cholesky_decomp1(&V.matrix) != GSL_SUCCESS ||
                   gsl_linalg_cholesky_invert(&V.matrix) != GSL_SUCCESS;
    }
    if (!singular) {
        *valid = true;
        return BRISK_OK;
    }
    if (singular_everywhere(f, fit->theta))
        return not_identified(m, f->info, q, err);
    brisk_buf names = {0};
    null_direction(m, f->info, q, &names);
    brisk_status st = brisk_fit_warn(fit, "the information matrix is singular at this solution: "
                                     "no standard errors; the data do not determine %s (the "
                                     "model is empirically not identified)",
                                     names.data ? names.data : "every parameter");
    brisk_buf_free(&names);
    return st == BRISK_OK ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

void brisk_sem_fill_rows(const brisk_model *m, const sem_fitter *f, brisk_fit *fit)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        brisk_estimate *e = &fit->rows[r];
        double fixed = f->works[par->group]->fixed[r];
        *e = (brisk_estimate){.est = fixed, .se = 0, .z = NAN, .pvalue = NAN,
                              .ci_lower = fixed, .ci_upper = fixed, .std_se = NAN,
                              .std_ci_lower = NAN, .std_ci_upper = NAN, .std_lv_se = NAN,
                              .std_all_se = NAN};
        int k = par->free - 1;
        if (par->op == BRISK_OP_DEFINE || k < 0)
            continue;
        e->est = fit->theta[k];
        if (!fit->vcov_valid) {
            e->se = e->ci_lower = e->ci_upper = NAN;
            continue;
        }
        e->se = sqrt(fit->vcov[(size_t)k * m->nfree + (size_t)k]);
        /* a parameter the constraints pin (a == 0.5) has no z, as lavaan's */
        e->z = m->K && !(e->se > 0) ? NAN : e->est / e->se;
        e->pvalue = isnan(e->z) ? NAN : 2 * gsl_cdf_ugaussian_Q(fabs(e->z));
        e->ci_lower = e->est - Z975 * e->se;
        e->ci_upper = e->est + Z975 * e->se;
    }
}

/* What the reparameterisation of equality constraints does not carry
 * yet, refused by name. */
static brisk_status refuse_with_constraints(const brisk_model *m, const brisk_fit_options *opt,
                                           const brisk_moments *mom, brisk_error *err)
{
    bool robust = (opt && opt->robust) || mom[0].weight || mom[0].cluster;
    const char *what = m->K && robust && mom[0].npatterns ? "robust standard errors with "
                                                            "missing values (MLR and FIML)"
                                                          : NULL;
    if (!what)
        return BRISK_OK;
    brisk_error_at(err, m->source, m->constraint_line, 0);
    return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: equality constraints ('==') "
                           "are not fitted with %s; fit without them, or write the "
                           "equalities as shared labels", what);
}

/* With constraints: fit->theta from beta to theta = K beta + k0 and, with
 * valid standard errors, the vcov from beta's to K V K' (lavaan's). */
static bool expand_solution(const brisk_model *m, brisk_fit *fit, bool valid)
{
    size_t n = m->nfree, r = m->nreduced;
    double *theta = malloc((n + 1) * sizeof *theta), *vk = malloc((r * n + 1) * sizeof *vk);
    if (!theta || !vk) {
        free(theta);
        free(vk);
        return false;
    }
    brisk_sem_expand(m, fit->theta, theta);
    memcpy(fit->theta, theta, n * sizeof *theta);
    for (size_t i = 0; valid && i < r; i++)        /* vk = V K' (r x n) */
        for (size_t k = 0; k < n; k++) {
            double v = 0;
            for (size_t j = 0; j < r; j++)
                v += fit->vcov[i * r + j] * m->K[k * r + j];
            vk[i * n + k] = v;
        }
    for (size_t k = 0; valid && k < n; k++)
        for (size_t l = 0; l < n; l++) {
            double v = 0;
            for (size_t i = 0; i < r; i++)
                v += m->K[k * r + i] * vk[i * n + l];
            fit->vcov[k * n + l] = v;
        }
    free(theta);
    free(vk);
    return true;
}

static brisk_status fit_ml(const brisk_model *m, const brisk_moments *mom,
                           const brisk_fit_options *opt, brisk_fit **out, brisk_error *err)
{
    *out = NULL;
    size_t q = m->nfree;
    brisk_status st = brisk_sem_check_size(m, err);
    if (st != BRISK_OK)
        return st;
    brisk_fit *fit = calloc(1, sizeof *fit);
    sem_fitter *f = brisk_sem_fitter_new(m, mom);
    double *scoring = NULL;
    st = BRISK_ERR_NOMEM;
    if (!fit || !f)
        goto nomem;
    fit->model = m;
    fit->theta = calloc(q ? q : 1, sizeof *fit->theta);
    fit->vcov = calloc(q ? q * q : 1, sizeof *fit->vcov);
    fit->rows = calloc(m->nparams ? m->nparams : 1, sizeof *fit->rows);
    if (!fit->theta || !fit->vcov || !fit->rows)
        goto nomem;
    if ((st = check_inputs(m, f, err)) != BRISK_OK)
        goto cleanup;
    bool full = !(opt && opt->estimates_only);
    if (full && brisk_sem_model_warnings(m, fit) != BRISK_OK)
        goto nomem;
    if ((st = refuse_with_constraints(m, opt, mom, err)) != BRISK_OK)
        goto cleanup;
    /* a bootstrap draw's inverse information is theta's: beta's is K' S K */
    brisk_fit_options reduced;
    if (m->K && opt && opt->scoring) {
        size_t n = m->nfree;
        if (!(scoring = malloc((n * n + 1) * sizeof *scoring)))
            goto nomem;
        memcpy(scoring, opt->scoring, n * n * sizeof *scoring);
        if (!brisk_sem_project(m, scoring))
            goto nomem;
        reduced = *opt;
        reduced.scoring = scoring;
        opt = &reduced;
    }
    if (opt && opt->start)
        memcpy(fit->theta, opt->start, q * sizeof *fit->theta);
    else
        brisk_sem_start(m, mom, fit->theta);
    to_fitter(m, fit->theta);   /* with constraints fit->theta holds beta until expanded */
    if ((st = iterate(f, fit->theta, opt, fit, err)) == BRISK_OK && !m->K &&
        brisk_sem_orient(m, fit->theta, opt ? opt->orient_like : NULL) &&
        !(brisk_sem_fitter_objective(f, fit->theta, &fit->fmin) &&
          brisk_sem_fitter_derivatives(f)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    bool valid = false;
    if (st != BRISK_OK ||
        (full && (st = standard_errors(m, f, fit, &valid, err)) != BRISK_OK) ||
        (full && (st = brisk_sem_fit_measures(m, f, fit, err)) != BRISK_OK))
        goto cleanup;
    /* the robust statistics need the information's inverse too; sampling
     * weights and clusters always have them (lavaan's sampling.weights,
     * cluster=) */
    bool robust = (opt && opt->robust) || mom[0].weight || mom[0].cluster;
    bool test_h1 = mom[0].cluster && !mom[0].weight && !(opt && opt->robust);
    if (full && robust && valid && (st = brisk_sem_robust(m, f, fit, test_h1, err)) != BRISK_OK)
        goto cleanup;
    if (full && !robust && opt && opt->robust_sem && valid &&
        (st = brisk_sem_robust_sem(m, f, fit, err)) != BRISK_OK)
        goto cleanup;
    if (m->K && !expand_solution(m, fit, valid))
        goto nomem;
    fit->vcov_valid = valid;
    brisk_sem_fill_rows(m, f, fit);
    if ((st = brisk_sem_defined(m, fit, err)) != BRISK_OK ||
        (st = brisk_sem_standardize(m, f, fit, err)) != BRISK_OK ||
        (st = brisk_sem_check_admissible(m, f, fit)) != BRISK_OK ||
        (full && valid && m->std_se &&
         (st = brisk_sem_std_se(m, f, fit, NULL, NULL, err)) != BRISK_OK))
        goto cleanup;
    brisk_sem_fitter_free(f);
    free(scoring);
    *out = fit;
    return BRISK_OK;
nomem:
    st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
cleanup:
    free(scoring);
    brisk_sem_fitter_free(f);
    brisk_fit_free(fit);
    return st;
}

/* The fit with the inequalities active[i] held as equalities (with the
 * equalities): the model's table with that basis. */
static brisk_status fit_active(const brisk_model *m, const bool *active, const brisk_moments *mom,
                               const brisk_fit_options *opt, brisk_fit **out, brisk_error *err)
{
    sem_basis b;
    *out = NULL;
    brisk_status st = brisk_sem_active_basis(m, active, &b, err);
    if (st != BRISK_OK)
        return st;
    brisk_model local = *m;   /* the same table, another K (each fit its own: threads) */
    local.K = b.K;
    local.k0 = b.k0;
    local.nreduced = b.nred;
    st = fit_ml(&local, mom, opt, out, err);
    if (*out)
        (*out)->model = m;
    free(b.K);
    free(b.k0);
    return st;
}

/* Whether theta meets every inequality (to 1e-7). */
static bool feasible(const brisk_model *m, const double *theta)
{
    for (size_t i = 0; i < m->ninequalities; i++)
        if (brisk_sem_inequality(m, i, theta) < -1e-7)
            return false;
    return true;
}

/* lavaan fits inequalities with its constrained optimiser (nlminb.constr)
 * and then takes those within 1e-5 of their bound as active: its
 * standard errors are those of the model with the active ones as
 * equalities (the augmented information), and its npar and df do not
 * count them.  brisk finds the same point by an active set: fit, hold
 * the most violated inequality as an equality, fit again, and release an
 * active one where the fit without it meets every inequality at a lower
 * F (a Lagrange multiplier of the wrong sign). */
static brisk_status fit_inequalities(const brisk_model *m, const brisk_moments *mom,
                                     const brisk_fit_options *opt, brisk_fit **out,
                                     brisk_error *err)
{
    size_t n = m->ninequalities;
    bool *active = calloc(n + 1, sizeof *active), *trial = calloc(n + 1, sizeof *trial);
    brisk_fit_options quick = opt ? *opt : (brisk_fit_options){0};
    quick.estimates_only = true;
    brisk_fit *fit = NULL;
    brisk_status st = active && trial ? BRISK_OK
                                      : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t round = 0; st == BRISK_OK && round < 4 * n + 4; round++) {
        brisk_fit_free(fit);
        if ((st = fit_active(m, active, mom, &quick, &fit, err)) != BRISK_OK)
            break;
        size_t worst = n;
        double lowest = -1e-7;
        for (size_t i = 0; i < n; i++) {
            double g = brisk_sem_inequality(m, i, fit->theta);
            if (!active[i] && g < lowest) {
                lowest = g;
                worst = i;
            }
        }
        if (worst < n) {
            active[worst] = true;
            continue;
        }
        bool released = false;
        for (size_t i = 0; i < n && !released; i++) {
            if (!active[i])
                continue;
            memcpy(trial, active, n * sizeof *trial);
            trial[i] = false;
            brisk_fit *t = NULL;
            released = fit_active(m, trial, mom, &quick, &t, NULL) == BRISK_OK &&
                       feasible(m, t->theta) && t->fmin < fit->fmin - 1e-12;
            active[i] = !released;
            brisk_fit_free(t);
        }
        if (!released)
            break;
    }
    brisk_fit_free(fit);
    if (st == BRISK_OK)
        st = fit_active(m, active, mom, opt, out, err);
    free(active);
    free(trial);
    return st;
}

brisk_status brisk_fit_ml(const brisk_model *m, const brisk_moments *mom,
                          const brisk_fit_options *opt, brisk_fit **out, brisk_error *err)
{
    *out = NULL;
    if (!m->ninequalities)
        return fit_ml(m, mom, opt, out, err);
    bool robust = (opt && (opt->robust || opt->robust_sem)) || mom[0].weight || mom[0].cluster;
    const char *what = robust ? "robust standard errors (MLR, MLM, weights, clusters)"
                       : opt && opt->scoring ? "the bootstrap"
                       : NULL;
    if (what) {
        brisk_error_at(err, m->source, m->constraint_line, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: inequality constraints "
                               "('<', '>') are not fitted with %s; fit without them", what);
    }
    return fit_inequalities(m, mom, opt, out, err);
}
