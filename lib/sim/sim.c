/* Simulated survey data from a recursive latent-variable model.
 *
 * The model is kept as lists (latents, paths, residual covariances,
 * indicators) while it is built, because its size is not known in
 * advance; a draw turns them into dense matrices once and then loops over
 * respondents without allocating. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "brisk/sim.h"
#include "core/util.h"

typedef struct sim_latent {
    char *name;
    double variance;          /* residual variance, the diagonal of Psi */
} sim_latent;

typedef struct sim_path {
    size_t from, to;
    double coefficient;
} sim_path;

typedef struct sim_covariance {
    size_t a, b;              /* a < b */
    double value;
} sim_covariance;

typedef struct sim_indicator {
    char *name;
    size_t latent;
    double loading;
    double error_variance;
    double intercept;
    double *thresholds;       /* NULL while continuous */
    size_t n_thresholds;
    bool reverse;
} sim_indicator;

struct brisk_sim_model {
    sim_latent *latents;
    size_t n_latents, cap_latents;
    sim_path *paths;
    size_t n_paths, cap_paths;
    sim_covariance *covariances;
    size_t n_covariances, cap_covariances;
    sim_indicator *indicators;
    size_t n_indicators, cap_indicators;
};

/* The dense form of a model that a draw works with. */
typedef struct sim_dense {
    size_t n;                 /* number of latents */
    double *b;                /* n x n, b[to * n + from] */
    gsl_matrix *psi;          /* n x n; its lower triangle becomes the
                                 Cholesky factor after sim_factor() */
} sim_dense;

/* ------------------------------------------------------------ helpers */

static brisk_status null_model(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_ARGUMENT, "simulation model is NULL");
}

static brisk_status check_latent_index(const brisk_sim_model *model,
                                       size_t latent, const char *what,
                                       brisk_error *err)
{
    if (latent < model->n_latents)
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                           "%s: latent index %zu out of range (the model has %zu latent%s)",
                           what, latent, model->n_latents,
                           model->n_latents == 1 ? "" : "s");
}

static brisk_status check_indicator_index(const brisk_sim_model *model,
                                          size_t indicator, const char *what,
                                          brisk_error *err)
{
    if (indicator < model->n_indicators)
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                           "%s: indicator index %zu out of range (the model has %zu indicator%s)",
                           what, indicator, model->n_indicators,
                           model->n_indicators == 1 ? "" : "s");
}

static brisk_status check_positive_variance(double variance, const char *what,
                                            brisk_error *err)
{
    /* Written so that NaN fails too. */
    if (variance > 0 && isfinite(variance))
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                           "%s: variance must be positive and finite, not %g",
                           what, variance);
}

static brisk_status check_finite(double value, const char *what,
                                 brisk_error *err)
{
    if (isfinite(value))
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT, "%s must be finite, not %g",
                           what, value);
}

/* A name is required because error messages and output columns use it. */
static brisk_status check_name(const char *name, const char *kind,
                               bool taken, brisk_error *err)
{
    if (!name || !name[0])
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "%s name must not be empty", kind);
    if (taken) {
        brisk_error_set(err, BRISK_ERR_ARGUMENT,
                        "%s name '%s' is used twice", kind, name);
        brisk_error_variable(err, name);
        return BRISK_ERR_ARGUMENT;
    }
    return BRISK_OK;
}

static bool latent_name_taken(const brisk_sim_model *model, const char *name)
{
    for (size_t i = 0; name && i < model->n_latents; i++)
        if (strcmp(model->latents[i].name, name) == 0)
            return true;
    return false;
}

static bool indicator_name_taken(const brisk_sim_model *model,
                                 const char *name)
{
    for (size_t i = 0; name && i < model->n_indicators; i++)
        if (strcmp(model->indicators[i].name, name) == 0)
            return true;
    return false;
}

static brisk_status out_of_memory(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_NOMEM,
                           "out of memory building the simulation model");
}

/* ------------------------------------------------------------ lifetime */

brisk_sim_model *brisk_sim_model_new(void)
{
    return calloc(1, sizeof(brisk_sim_model));
}

void brisk_sim_model_free(brisk_sim_model *model)
{
    if (!model)
        return;
    for (size_t i = 0; i < model->n_latents; i++)
        free(model->latents[i].name);
    for (size_t i = 0; i < model->n_indicators; i++) {
        free(model->indicators[i].name);
        free(model->indicators[i].thresholds);
    }
    free(model->latents);
    free(model->paths);
    free(model->covariances);
    free(model->indicators);
    free(model);
}

/* ------------------------------------------------------------ building */

brisk_status brisk_sim_add_latent(brisk_sim_model *model, const char *name,
                                  double variance, size_t *index,
                                  brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_name(name, "latent",
                                 latent_name_taken(model, name), err);
    if (st == BRISK_OK)
        st = check_positive_variance(variance, "latent residual", err);
    if (st != BRISK_OK)
        return st;
    if (!brisk_grow((void **)&model->latents, &model->cap_latents,
                    model->n_latents + 1, sizeof *model->latents))
        return out_of_memory(err);
    char *copy = brisk_strdup(name);
    if (!copy)
        return out_of_memory(err);
    model->latents[model->n_latents] = (sim_latent){copy, variance};
    if (index)
        *index = model->n_latents;
    model->n_latents++;
    return BRISK_OK;
}

brisk_status brisk_sim_set_variance(brisk_sim_model *model, size_t latent,
                                    double variance, brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_latent_index(model, latent, "residual variance", err);
    if (st == BRISK_OK)
        st = check_positive_variance(variance, "latent residual", err);
    if (st != BRISK_OK)
        return st;
    model->latents[latent].variance = variance;
    return BRISK_OK;
}

static bool path_exists(const brisk_sim_model *model, size_t from, size_t to)
{
    for (size_t i = 0; i < model->n_paths; i++)
        if (model->paths[i].from == from && model->paths[i].to == to)
            return true;
    return false;
}

brisk_status brisk_sim_add_path(brisk_sim_model *model, size_t from,
                                size_t to, double coefficient,
                                brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_latent_index(model, from, "path origin", err);
    if (st == BRISK_OK)
        st = check_latent_index(model, to, "path target", err);
    if (st == BRISK_OK)
        st = check_finite(coefficient, "path coefficient", err);
    if (st != BRISK_OK)
        return st;
    /* Only forward paths: this is what makes a single pass in index
     * order enough to compute every latent from its predecessors. */
    if (from >= to)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "path %s -> %s is not recursive: a path must lead "
                               "from an earlier latent to a later one",
                               model->latents[from].name, model->latents[to].name);
    if (path_exists(model, from, to))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "path %s -> %s is added twice",
                               model->latents[from].name, model->latents[to].name);
    if (!brisk_grow((void **)&model->paths, &model->cap_paths,
                    model->n_paths + 1, sizeof *model->paths))
        return out_of_memory(err);
    model->paths[model->n_paths++] = (sim_path){from, to, coefficient};
    return BRISK_OK;
}

static sim_covariance *find_covariance(brisk_sim_model *model, size_t a,
                                       size_t b)
{
    for (size_t i = 0; i < model->n_covariances; i++)
        if (model->covariances[i].a == a && model->covariances[i].b == b)
            return &model->covariances[i];
    return NULL;
}

brisk_status brisk_sim_set_covariance(brisk_sim_model *model, size_t a,
                                      size_t b, double covariance,
                                      brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_latent_index(model, a, "residual covariance", err);
    if (st == BRISK_OK)
        st = check_latent_index(model, b, "residual covariance", err);
    if (st == BRISK_OK)
        st = check_finite(covariance, "residual covariance", err);
    if (st != BRISK_OK)
        return st;
    if (a == b)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "residual covariance of %s with itself: set a "
                               "variance with brisk_sim_set_variance()",
                               model->latents[a].name);
    if (a > b) {
        size_t t = a;
        a = b;
        b = t;
    }
    sim_covariance *known = find_covariance(model, a, b);
    if (known) {
        known->value = covariance;
        return BRISK_OK;
    }
    if (!brisk_grow((void **)&model->covariances, &model->cap_covariances,
                    model->n_covariances + 1, sizeof *model->covariances))
        return out_of_memory(err);
    model->covariances[model->n_covariances++] = (sim_covariance){a, b, covariance};
    return BRISK_OK;
}

brisk_status brisk_sim_add_indicator(brisk_sim_model *model, const char *name,
                                     size_t latent, double loading,
                                     double error_variance, size_t *index,
                                     brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_name(name, "indicator",
                                 indicator_name_taken(model, name), err);
    if (st == BRISK_OK)
        st = check_latent_index(model, latent, "indicator", err);
    if (st == BRISK_OK)
        st = check_finite(loading, "loading", err);
    if (st != BRISK_OK)
        return st;
    /* 0 is allowed: an observed variable is an indicator without error. */
    if (!(error_variance >= 0 && isfinite(error_variance)))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "indicator %s: error variance must be finite and "
                               "not negative, not %g", name, error_variance);
    if (!brisk_grow((void **)&model->indicators, &model->cap_indicators,
                    model->n_indicators + 1, sizeof *model->indicators))
        return out_of_memory(err);
    char *copy = brisk_strdup(name);
    if (!copy)
        return out_of_memory(err);
    model->indicators[model->n_indicators] = (sim_indicator){
        .name = copy, .latent = latent, .loading = loading,
        .error_variance = error_variance};
    if (index)
        *index = model->n_indicators;
    model->n_indicators++;
    return BRISK_OK;
}

brisk_status brisk_sim_set_intercept(brisk_sim_model *model, size_t indicator,
                                     double intercept, brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_indicator_index(model, indicator, "intercept", err);
    if (st == BRISK_OK)
        st = check_finite(intercept, "intercept", err);
    if (st != BRISK_OK)
        return st;
    model->indicators[indicator].intercept = intercept;
    return BRISK_OK;
}

static brisk_status check_thresholds(const char *name, const double *thresholds,
                                     size_t count, brisk_error *err)
{
    if (!thresholds || count == 0)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "indicator %s: at least one threshold is needed "
                               "to cut it into categories", name);
    for (size_t k = 0; k < count; k++) {
        if (!isfinite(thresholds[k]))
            return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                                   "indicator %s: threshold %zu must be finite, not %g",
                                   name, k + 1, thresholds[k]);
        if (k > 0 && !(thresholds[k] > thresholds[k - 1]))
            return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                                   "indicator %s: thresholds must be strictly "
                                   "increasing (threshold %zu = %g follows %g)",
                                   name, k + 1, thresholds[k], thresholds[k - 1]);
    }
    return BRISK_OK;
}

brisk_status brisk_sim_set_thresholds(brisk_sim_model *model, size_t indicator,
                                      const double *thresholds, size_t count,
                                      brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_indicator_index(model, indicator, "thresholds", err);
    if (st != BRISK_OK)
        return st;
    sim_indicator *ind = &model->indicators[indicator];
    st = check_thresholds(ind->name, thresholds, count, err);
    if (st != BRISK_OK)
        return st;
    if (count > SIZE_MAX / sizeof *thresholds)
        return out_of_memory(err);
    double *copy = malloc(count * sizeof *copy);
    if (!copy)
        return out_of_memory(err);
    memcpy(copy, thresholds, count * sizeof *copy);
    free(ind->thresholds);
    ind->thresholds = copy;
    ind->n_thresholds = count;
    return BRISK_OK;
}

brisk_status brisk_sim_set_reverse(brisk_sim_model *model, size_t indicator,
                                   bool reverse, brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_indicator_index(model, indicator, "reverse-keying", err);
    if (st != BRISK_OK)
        return st;
    sim_indicator *ind = &model->indicators[indicator];
    /* K + 1 - x needs a K: a continuous indicator has no scale to mirror. */
    if (reverse && !ind->thresholds)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "indicator %s: reverse-keying needs thresholds "
                               "(set them first)", ind->name);
    ind->reverse = reverse;
    return BRISK_OK;
}

/* ------------------------------------------------------------ inspecting */

size_t brisk_sim_n_latents(const brisk_sim_model *model)
{
    return model ? model->n_latents : 0;
}

size_t brisk_sim_n_indicators(const brisk_sim_model *model)
{
    return model ? model->n_indicators : 0;
}

const char *brisk_sim_latent_name(const brisk_sim_model *model, size_t latent)
{
    if (!model || latent >= model->n_latents)
        return NULL;
    return model->latents[latent].name;
}

const char *brisk_sim_indicator_name(const brisk_sim_model *model,
                                     size_t indicator)
{
    if (!model || indicator >= model->n_indicators)
        return NULL;
    return model->indicators[indicator].name;
}

/* ------------------------------------------------------------ dense form */

static void dense_free(sim_dense *d)
{
    free(d->b);
    gsl_matrix_free(d->psi);
    d->b = NULL;
    d->psi = NULL;
}

/* Fill the path matrix B and the residual covariance matrix Psi. */
static brisk_status dense_build(const brisk_sim_model *model, sim_dense *d,
                                brisk_error *err)
{
    size_t n = model->n_latents;
    d->n = n;
    d->b = calloc(n * n, sizeof *d->b);
    d->psi = gsl_matrix_calloc(n, n);
    if (!d->b || !d->psi) {
        dense_free(d);
        return brisk_error_set(err, BRISK_ERR_NOMEM,
                               "out of memory for a %zu-latent model", n);
    }
    for (size_t i = 0; i < model->n_paths; i++) {
        const sim_path *p = &model->paths[i];
        d->b[p->to * n + p->from] = p->coefficient;
    }
    for (size_t i = 0; i < n; i++)
        gsl_matrix_set(d->psi, i, i, model->latents[i].variance);
    for (size_t i = 0; i < model->n_covariances; i++) {
        const sim_covariance *c = &model->covariances[i];
        gsl_matrix_set(d->psi, c->a, c->b, c->value);
        gsl_matrix_set(d->psi, c->b, c->a, c->value);
    }
    return BRISK_OK;
}

/* Replace Psi by its Cholesky factor (lower triangle).  The
 * decomposition is also the test of positive definiteness. */
static brisk_status dense_factor(sim_dense *d, brisk_error *err)
{
    if (gsl_linalg_cholesky_decomp1(d->psi) == GSL_SUCCESS)
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                           "the residual covariance matrix of the latent "
                           "variables is not positive definite: check the "
                           "covariances against the variances");
}

static brisk_status check_has_indicators(const brisk_sim_model *model,
                                         brisk_error *err)
{
    if (model->n_indicators > 0)
        return BRISK_OK;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                           "the simulation model has no indicators to draw");
}

/* Validate and build the dense form with Psi factored; on success the
 * caller frees d. */
static brisk_status dense_prepare(const brisk_sim_model *model, sim_dense *d,
                                  brisk_error *err)
{
    if (!model)
        return null_model(err);
    brisk_status st = check_has_indicators(model, err);
    if (st == BRISK_OK)
        st = dense_build(model, d, err);
    if (st != BRISK_OK)
        return st;
    st = dense_factor(d, err);
    if (st != BRISK_OK)
        dense_free(d);
    return st;
}

brisk_status brisk_sim_check(const brisk_sim_model *model, brisk_error *err)
{
    sim_dense d = {0};
    brisk_status st = dense_prepare(model, &d, err);
    dense_free(&d);
    return st;
}

/* ------------------------------------------------------------ moments */

/* A = (I - B)^-1 by forward substitution: B is strictly lower triangular,
 * so row j of A needs only the rows before it. */
static void total_effects(const sim_dense *d, double *a)
{
    size_t n = d->n;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < n; k++) {
            double s = j == k ? 1.0 : 0.0;
            for (size_t i = 0; i < j; i++)
                s += d->b[j * n + i] * a[i * n + k];
            a[j * n + k] = s;
        }
}

/* cov = A Psi A' where Psi is given by its Cholesky factor L: A L (A L)'. */
static void latent_covariance(const sim_dense *d, const double *a, double *al,
                              double *cov)
{
    size_t n = d->n;
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < n; k++) {
            double s = 0;
            for (size_t i = k; i < n; i++)
                s += a[j * n + i] * gsl_matrix_get(d->psi, i, k);
            al[j * n + k] = s;
        }
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < n; k++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += al[j * n + i] * al[k * n + i];
            cov[j * n + k] = s;
        }
}

static void indicator_covariance(const brisk_sim_model *model,
                                 const double *latent_cov, double *cov)
{
    size_t n = model->n_latents, m = model->n_indicators;
    for (size_t p = 0; p < m; p++)
        for (size_t q = 0; q < m; q++) {
            const sim_indicator *ip = &model->indicators[p];
            const sim_indicator *iq = &model->indicators[q];
            double s = ip->loading * iq->loading
                       * latent_cov[ip->latent * n + iq->latent];
            if (p == q)
                s += ip->error_variance;
            cov[p * m + q] = s;
        }
}

brisk_status brisk_sim_implied_covariance(const brisk_sim_model *model,
                                          double *latent_cov,
                                          double *indicator_cov,
                                          brisk_error *err)
{
    sim_dense d = {0};
    double *a = NULL, *al = NULL, *cov = NULL;
    brisk_status st = dense_prepare(model, &d, err);
    if (st != BRISK_OK)
        return st;
    size_t n = d.n;
    a = malloc(n * n * sizeof *a);
    al = malloc(n * n * sizeof *al);
    cov = malloc(n * n * sizeof *cov);
    if (!a || !al || !cov) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM,
                             "out of memory for the implied covariance matrix");
        goto cleanup;
    }
    total_effects(&d, a);
    latent_covariance(&d, a, al, cov);
    if (latent_cov)
        memcpy(latent_cov, cov, n * n * sizeof *cov);
    if (indicator_cov)
        indicator_covariance(model, cov, indicator_cov);
cleanup:
    free(a);
    free(al);
    free(cov);
    dense_free(&d);
    return st;
}

/* ------------------------------------------------------------ drawing */

/* Category 1..K of a continuous value: one more than the number of
 * thresholds it exceeds (y equal to a threshold stays below it). */
static double cut_category(const sim_indicator *ind, double y)
{
    size_t k = 0;
    while (k < ind->n_thresholds && y > ind->thresholds[k])
        k++;
    double category = (double)(k + 1);
    if (ind->reverse)
        category = (double)(ind->n_thresholds + 2) - category;
    return category;
}

/* One respondent: residuals zeta = L z, then every latent from its
 * predecessors in index order (B is strictly lower triangular). */
static void draw_latents(const sim_dense *d, gsl_rng *rng, double *z,
                         double *eta)
{
    size_t n = d->n;
    for (size_t j = 0; j < n; j++)
        z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    for (size_t j = 0; j < n; j++) {
        double v = 0;
        for (size_t k = 0; k <= j; k++)
            v += gsl_matrix_get(d->psi, j, k) * z[k];
        for (size_t i = 0; i < j; i++)
            v += d->b[j * n + i] * eta[i];
        eta[j] = v;
    }
}

static void draw_indicators(const brisk_sim_model *model, gsl_rng *rng,
                            const double *eta, double *row)
{
    for (size_t p = 0; p < model->n_indicators; p++) {
        const sim_indicator *ind = &model->indicators[p];
        /* Drawn whatever the error variance, so the stream's layout does
         * not depend on parameter values. */
        double e = gsl_ran_gaussian_ziggurat(rng, 1.0);
        double y = ind->intercept + ind->loading * eta[ind->latent]
                   + sqrt(ind->error_variance) * e;
        row[p] = ind->thresholds ? cut_category(ind, y) : y;
    }
}

static brisk_status check_draw_arguments(const brisk_sim_model *model,
                                         size_t n, uint32_t seed,
                                         const double *out, brisk_error *err)
{
    if (!model)
        return null_model(err);
    if (seed == 0)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "seed 0 is not allowed (GSL would silently use "
                               "4357): use a seed from 1 to 4294967295");
    if (n > 0 && !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "no output array for %zu draws", n);
    if (model->n_indicators > 0
        && n > SIZE_MAX / sizeof(double) / model->n_indicators)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "%zu draws of %zu indicators do not fit in memory",
                               n, model->n_indicators);
    return BRISK_OK;
}

brisk_status brisk_sim_draw(const brisk_sim_model *model, size_t n,
                            uint32_t seed, double *out, brisk_error *err)
{
    sim_dense d = {0};
    gsl_rng *rng = NULL;
    double *z = NULL, *eta = NULL;
    brisk_status st = check_draw_arguments(model, n, seed, out, err);
    if (st == BRISK_OK)
        st = dense_prepare(model, &d, err);
    if (st != BRISK_OK)
        return st;
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    z = malloc((d.n ? d.n : 1) * sizeof *z);
    eta = malloc((d.n ? d.n : 1) * sizeof *eta);
    if (!rng || !z || !eta) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM,
                             "out of memory for the random number generator");
        goto cleanup;
    }
    gsl_rng_set(rng, seed);
    for (size_t r = 0; r < n; r++) {
        draw_latents(&d, rng, z, eta);
        draw_indicators(model, rng, eta, out + r * model->n_indicators);
    }
cleanup:
    gsl_rng_free(rng);
    free(z);
    free(eta);
    dense_free(&d);
    return st;
}
