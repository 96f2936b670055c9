/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Score tests of equality constraints, as lavaan's lavTestScore() (lavaan
 * 0.6-14) on a fit with group.equal.
 *
 * brisk holds parameters equal by giving the tied rows one free index
 * (model.c); lavaan gives each row its own parameter and adds "==" rows,
 * one per tied row after the first, and its score tests work in that
 * unconstrained space U.  Here U is the model with every row free on its
 * own, evaluated at the estimates (a tied row takes its set's value).
 * With s the gradient of the log-likelihood per respondent and I the
 * expected information per respondent in U, releasing a set of
 * constraints while keeping the others is the parameter space E of the
 * model's own parameters plus one per released row; lavaan's
 *     N s' Z (Z' I Z)^+ Z' s,   Z the basis of the space the kept
 * constraints leave (its bordered-matrix inverse), is in E's coordinates
 * N g' (I_E)^+ g with g = Z' s, I_E = Z' I Z, Z the 0/1 map from E to U.
 * lavaan's (I)^+ is MASS::ginv: eigenvalues below sqrt(DBL_EPSILON) times
 * the largest are left out (with every constraint released a model with
 * free latent means and intercepts is not identified, and I singular).
 * The estimates are first polished to the optimum (modindices.c). */
#include <config.h>
#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* The constraints: tied row k (free index q + k in U) and the first row of
 * its set. */
typedef struct ties {
    size_t *row, *ref;            /* per constraint: the tied row, the row it is tied to */
    size_t n;
} ties;

static void ties_free(ties *t)
{
    free(t->row);
    free(t->ref);
}

/* U: the model's rows with every tied row given a free index of its own
 * (q + k for the k-th), sharing the model's names (the caller frees the
 * params array only); theta extended with each tied row's value. */
static bool unconstrained(const brisk_model *m, brisk_model *u, ties *t)
{
    size_t q = m->nfree;
    size_t *first = malloc((q + 1) * sizeof *first);
    *u = *m;
    u->params = malloc((m->nparams + 1) * sizeof *u->params);
    t->row = malloc((m->nparams + 1) * sizeof *t->row);
    t->ref = malloc((m->nparams + 1) * sizeof *t->ref);
    if (!first || !u->params || !t->row || !t->ref) {
        free(first);
        return false;
    }
    for (size_t j = 0; j < q; j++)
        first[j] = (size_t)-1;
    memcpy(u->params, m->params, m->nparams * sizeof *u->params);
    for (size_t r = 0; r < m->nparams; r++) {
        int f = m->params[r].free;
        if (f <= 0)
            continue;
        if (first[f - 1] == (size_t)-1) {
            first[f - 1] = r;
            continue;
        }
        t->row[t->n] = r;
        t->ref[t->n] = first[f - 1];
        u->params[r].free = (int)(q + ++t->n);
    }
    u->nfree = u->nreduced = u->npar = q + t->n;
    u->K = u->k0 = u->A = u->c = NULL;
    free(first);
    return true;
}

/* x' A^+ x and (with y) y = A^+ x for a symmetric positive semi-definite A
 * (n x n, overwritten), MASS::ginv's tolerance; NaN when out of memory. */
static double ginv_form(double *a, const double *x, double *y, size_t n)
{
    gsl_matrix_view av = gsl_matrix_view_array(a, n, n);
    gsl_vector *eval = gsl_vector_alloc(n);
    gsl_matrix *evec = gsl_matrix_alloc(n, n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    double form = NAN;
    if (eval && evec && ws && gsl_eigen_symmv(&av.matrix, eval, evec, ws) == 0) {
        double largest = 0;
        for (size_t i = 0; i < n; i++)
            largest = fmax(largest, fabs(gsl_vector_get(eval, i)));
        form = 0;
        for (size_t i = 0; y && i < n; i++)
            y[i] = 0;
        for (size_t i = 0; i < n; i++) {
            double lambda = gsl_vector_get(eval, i);
            if (!(lambda > sqrt(DBL_EPSILON) * largest))
                continue;
            double c = 0;
            for (size_t j = 0; j < n; j++)
                c += gsl_matrix_get(evec, j, i) * x[j];
            form += c * c / lambda;
            for (size_t j = 0; y && j < n; j++)
                y[j] += gsl_matrix_get(evec, j, i) * c / lambda;
        }
    }
    gsl_vector_free(eval);
    gsl_matrix_free(evec);
    if (ws)
        gsl_eigen_symmv_free(ws);
    return form;
}

/* N g' (I_E)^+ g releasing the constraints marked in released (q model
 * parameters, e constraints; s and info in U, d = q + e); epc (or NULL)
 * gets (I_E)^+ g mapped back to U's parameters. */
static double release(const double *s, const double *info, size_t q, size_t e,
                      const bool *released, const ties *t, const brisk_model *m, double n,
                      double *epc)
{
    size_t d = q + e, k = q;
    size_t *map = malloc((d + 1) * sizeof *map);
    double *g = calloc(d + 1, sizeof *g), *a = calloc(d * d + 1, sizeof *a),
           *y = malloc((d + 1) * sizeof *y);
    double stat = NAN;
    if (map && g && a && y) {
        for (size_t j = 0; j < q; j++)
            map[j] = j;
        for (size_t c = 0; c < e; c++)
            map[q + c] = released[c] ? k++ : (size_t)m->params[t->row[c]].free - 1;
        for (size_t i = 0; i < d; i++) {
            g[map[i]] += s[i];
            for (size_t j = 0; j < d; j++)
                a[map[i] * k + map[j]] += info[i * d + j];
        }
        stat = n * ginv_form(a, g, y, k);
        for (size_t i = 0; epc && i < d; i++)
            epc[i] = y[map[i]];
    }
    free(map);
    free(g);
    free(a);
    free(y);
    return stat;
}

static brisk_status check_fit(const brisk_fitted *fd, brisk_error *err)
{
    const brisk_model *m = fd->model;
    if (!fd->fit || !m || !fd->moments || !fd->fit->theta)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests need a fitted model");
    if (brisk_estimator_least_squares(fd->fit->fit.estimator))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests of the equality "
                               "constraints are ML's: not available for a least-squares fit "
                               "(--estimator %s)", brisk_estimator_key(fd->fit->fit.estimator));
    if (fd->fit->nthresholds || m->ordered)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests of the equality "
                               "constraints are not available for WLSMV fits (ordered items): "
                               "lavaan 0.6-14 has no robust version to match; fit the items "
                               "as continuous (--estimator ml or mlr) to see them");
    for (size_t g = 0; g < fd->ngroups; g++)
        if (fd->moments[g].npatterns)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests of the equality "
                                   "constraints are not available with full-information ML "
                                   "(--missing fiml); they are computed on complete cases "
                                   "(listwise)");
    if (m->no_fixed_x)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests of the equality "
                               "constraints are not available with fixed.x = FALSE");
    if (m->nconstraints || m->ninequalities)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "score tests of the equality "
                               "constraints are not available for a model with written "
                               "constraints (==, < or >, line %ld)", m->constraint_line);
    return BRISK_OK;
}

/* x2 decreasing, ties in lavaan's order. */
static int by_x2(const void *a, const void *b)
{
    const brisk_score_test *x = a, *y = b;
    if (x->x2 != y->x2)
        return x->x2 > y->x2 ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static double upper_tail(double x2, double df)
{
    return isnan(x2) ? NAN : gsl_cdf_chisq_Q(fmax(x2, 0), df);
}

/* The score and information in U at the polished estimates; the tests. */
static brisk_status compute(const brisk_fitted *fd, const brisk_model *u, const ties *t,
                            brisk_score_tests *out, brisk_error *err)
{
    const brisk_model *m = fd->model;
    size_t q = m->nfree, e = t->n, d = q + e;
    double *theta = malloc((d + 1) * sizeof *theta), *s = malloc((d + 1) * sizeof *s),
           *epc = malloc((d + 1) * sizeof *epc);
    bool *released = calloc(e + 1, sizeof *released), *x = calloc(m->p + 1, sizeof *x);
    sem_fitter *f = brisk_sem_fitter_new(u, fd->moments);
    brisk_score_test *tests = calloc(e + 1, sizeof *tests);
    brisk_status st = BRISK_OK;
    double value;
    if (!theta || !s || !epc || !released || !x || !f || !tests) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(theta, fd->fit->theta, q * sizeof *theta);
    brisk_sem_polish(m, fd->moments, theta);
    for (size_t c = 0; c < e; c++)
        theta[q + c] = theta[m->params[t->row[c]].free - 1];
    for (size_t i = 0; i < m->p; i++)
        x[i] = brisk_sem_is_fixed_x(m, i);
    if (!brisk_sem_fitter_objective(f, theta, &value) || !brisk_sem_fitter_derivatives(f) ||
        (brisk_model_nexogenous(m) && !brisk_sem_mask_covariates(f, x))) {
        st = brisk_error_set(err, BRISK_ERR_MODEL, "could not compute the score tests: the "
                             "implied covariance matrix is not positive definite at the "
                             "estimates");
        goto cleanup;
    }
    for (size_t i = 0; i < d; i++)
        s[i] = -f->grad[i] / 2;   /* d log L / d theta per respondent */
    double n = (double)f->ntotal;
    for (size_t c = 0; c < e; c++) {
        const brisk_param *p = &m->params[t->row[c]];
        released[c] = true;
        double x2 = release(s, f->info, q, e, released, t, m, n, NULL);
        released[c] = false;
        tests[c] = (brisk_score_test){.lhs = p->lhs, .rhs = p->rhs, .op = p->op,
                                      .group = p->group,
                                      .ref_group = m->params[t->ref[c]].group, .x2 = x2,
                                      .pvalue = upper_tail(x2, 1), .order = c};
    }
    for (size_t c = 0; c < e; c++)
        released[c] = true;
    out->x2 = release(s, f->info, q, e, released, t, m, n, epc);
    out->df = e;
    out->pvalue = upper_tail(out->x2, (double)e);
    for (size_t c = 0; c < e; c++)
        tests[c].epc = epc[q + c];
    if (isnan(out->x2)) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    qsort(tests, e, sizeof *tests, by_x2);
    memset(released, 0, e * sizeof *released);
    for (size_t r = 0; r < e; r++) {   /* lavaan's cumulative: the r + 1 largest released */
        released[tests[r].order] = true;
        tests[r].cumulative_x2 = release(s, f->info, q, e, released, t, m, n, NULL);
        tests[r].cumulative_df = r + 1;
        tests[r].cumulative_pvalue = upper_tail(tests[r].cumulative_x2, (double)(r + 1));
    }
    out->tests = tests;
    out->n = e;
    tests = NULL;
cleanup:
    brisk_sem_fitter_free(f);
    free(theta);
    free(s);
    free(epc);
    free(released);
    free(x);
    free(tests);
    return st;
}

brisk_status brisk_score_tests_equal(const brisk_fitted *fd, brisk_score_tests *out,
                                     brisk_error *err)
{
    memset(out, 0, sizeof *out);
    brisk_status st = check_fit(fd, err);
    if (st != BRISK_OK)
        return st;
    brisk_model u = {0};
    ties t = {0};
    if (!unconstrained(fd->model, &u, &t))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    else if (t.n == 0)
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "the model holds no parameter equal to "
                             "another (--group-equal, or a label shared by two parameters): "
                             "there is no equality constraint to test");
    else if ((st = brisk_sem_check_size(&u, err)) == BRISK_OK)
        st = compute(fd, &u, &t, out, err);
    free(u.params);
    ties_free(&t);
    return st;
}

void brisk_score_tests_free(brisk_score_tests *t)
{
    free(t->tests);
    memset(t, 0, sizeof *t);
}
