/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A population model in lavaan syntax with fixed values, and data drawn
 * from it, as lavaan's simulateData() makes them: the model is read with
 * std.lv = TRUE (every latent variance, or residual variance, 1) and
 * fixed.x = FALSE; a value the model does not give is 1 for a loading (0.7
 * with standardized) and for a variance, 0 for anything else (a regression
 * coefficient left out is a warning); with standardized the residual
 * variances are set so that every variable has variance 1.  The data are
 * normal with the implied means and covariances; a variable with
 * thresholds ("y | -1*t1 + 0.5*t2") is cut into categories 1..K. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/sim.h"
#include "brisk/syntax.h"
#include "core/rng.h"
#include "core/util.h"
#include "sem/sem_fit.h"
#include "sem/sem_ml.h"

struct brisk_population {
    brisk_syntax *syntax;
    brisk_model *model;
    double *value;                /* per parameter-table row */
    size_t p;                     /* observed variables */
    double *cov, *mean, *chol;    /* implied; chol: lower Cholesky factor of cov */
    double **cuts;                /* per variable: its thresholds (sorted), or NULL */
    size_t *ncuts;
    char **warnings;
    size_t nwarnings;
};

/* ------------------------------------------------------------ warnings */

static brisk_status warn(brisk_population *pop, const char *text)
{
    size_t cap = pop->nwarnings;
    char *copy = brisk_strdup(text);
    if (!copy || !brisk_grow((void **)&pop->warnings, &cap, pop->nwarnings + 1,
                             sizeof *pop->warnings)) {
        free(copy);
        return BRISK_ERR_NOMEM;
    }
    pop->warnings[pop->nwarnings++] = copy;
    return BRISK_OK;
}

/* ------------------------------------------------------------ thresholds */

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t observed_index(const brisk_model *m, const char *name)
{
    for (size_t i = 0; i < m->p; i++)
        if (strcmp(m->ov[i], name) == 0)
            return i;
    return (size_t)-1;
}

/* The values of "y | a*t1 + b*t2 ..." statements, as each variable's cuts. */
static brisk_status read_thresholds(brisk_population *pop, const char *name, brisk_error *err)
{
    const brisk_syntax *syn = pop->syntax;
    for (size_t i = 0; i < syn->n; i++) {
        const brisk_statement *s = &syn->stmts[i];
        if (s->op != BRISK_OP_THRESHOLD)
            continue;
        size_t v = observed_index(pop->model, s->lhs);
        if (v == (size_t)-1) {
            brisk_error_at(err, name, s->line, s->column);
            return brisk_error_set(err, BRISK_ERR_FORMAT, "thresholds of '%s', which is not "
                                   "an observed variable of the model", s->lhs);
        }
        if (pop->cuts[v]) {
            brisk_error_at(err, name, s->line, s->column);
            return brisk_error_set(err, BRISK_ERR_FORMAT, "thresholds of '%s' given twice",
                                   s->lhs);
        }
        if (!(pop->cuts[v] = malloc((s->nrhs + 1) * sizeof **pop->cuts)))
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < s->nrhs; k++) {
            const brisk_term *t = &s->rhs[k];
            if (t->nmods != 1 || !t->mods[0].is_fixed) {
                brisk_error_at(err, name, t->line, t->column);
                return brisk_error_set(err, BRISK_ERR_FORMAT, "a population threshold needs "
                                       "its value: write '%s | -1.5*t1 + 0.5*t2 ...'", s->lhs);
            }
            pop->cuts[v][k] = t->mods[0].value;
        }
        pop->ncuts[v] = s->nrhs;
        qsort(pop->cuts[v], s->nrhs, sizeof **pop->cuts, ascending);
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ values */

static double value_in(const brisk_model *m, size_t row, const void *values)
{
    (void)m;
    return ((const double *)values)[row];
}

/* The defined parameters (:=) at the population's values, so that power
 * can say how far their estimates fall from them. */
static brisk_status defined_values(brisk_population *pop, const char *name, brisk_error *err)
{
    const brisk_model *m = pop->model;
    for (size_t r = 0; r < m->nparams; r++)
        if (m->params[r].op == BRISK_OP_DEFINE &&
            !brisk_sem_eval_expr(m, m->params[r].expr, value_in, pop->value, 0, &pop->value[r],
                                 err)) {
            brisk_error_at(err, name, 0, 0);
            return err ? err->status : BRISK_ERR_FORMAT;
        }
    return BRISK_OK;
}

/* simulateData's value for a parameter the model leaves free. */
static double default_value(const brisk_param *p, bool standardized)
{
    if (p->op == BRISK_OP_MEASURE)
        return standardized ? 0.7 : 1.0;
    if (p->op == BRISK_OP_COVARY && strcmp(p->lhs, p->rhs) == 0)
        return 1.0;
    return 0.0;
}

static brisk_status fill_values(brisk_population *pop, bool standardized)
{
    const brisk_model *m = pop->model;
    bool unset_path = false;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->op == BRISK_OP_DEFINE) {
            pop->value[r] = NAN;
            continue;
        }
        if (!p->free) {
            pop->value[r] = p->start;   /* a fixed row holds its value there */
            continue;
        }
        pop->value[r] = isfinite(p->start) ? p->start : default_value(p, standardized);
        unset_path |= p->op == BRISK_OP_REGRESS && !isfinite(p->start);
    }
    /* the same label is the same parameter: every row takes the first's value */
    for (size_t r = 0; r < m->nparams; r++)
        for (size_t q = 0; q < r; q++)
            if (m->params[r].free && m->params[q].free == m->params[r].free) {
                pop->value[r] = pop->value[q];
                break;
            }
    return unset_path ? warn(pop, "some regression coefficients are not given a value and "
                                  "are 0 (as in lavaan's simulateData)")
                      : BRISK_OK;
}

/* Implied moments of the current values into w (w->Sfull, w->Sigma,
 * w->mu); false when the covariance matrix is not positive definite. */
static bool implied(const brisk_population *pop, sem_work *w, double *theta)
{
    const brisk_model *m = pop->model;
    for (size_t r = 0; r < m->nparams; r++) {
        w->fixed[r] = pop->value[r];
        if (m->params[r].free > 0)
            theta[m->params[r].free - 1] = pop->value[r];
    }
    double f;
    return brisk_sem_objective(w, theta, &f);
}

/* Whether an observed variable only predicts (lavaan's ov.x). */
static bool is_predictor_only(const brisk_model *m, const char *name)
{
    bool predictor = false;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if ((p->op == BRISK_OP_REGRESS && strcmp(p->lhs, name) == 0) ||
            (p->op == BRISK_OP_MEASURE && strcmp(p->rhs, name) == 0))
            return false;
        predictor |= p->op == BRISK_OP_REGRESS && strcmp(p->rhs, name) == 0;
    }
    return predictor;
}

/* The (residual) variance row of variable name, or (size_t)-1. */
static size_t variance_row(const brisk_model *m, const char *name)
{
    for (size_t r = 0; r < m->nparams; r++)
        if (m->params[r].op == BRISK_OP_COVARY && strcmp(m->params[r].lhs, name) == 0 &&
            strcmp(m->params[r].rhs, name) == 0)
            return r;
    return (size_t)-1;
}

static bool is_endogenous_latent(const brisk_model *m, const char *name)
{
    for (size_t r = 0; r < m->nparams; r++)
        if (m->params[r].op == BRISK_OP_REGRESS && strcmp(m->params[r].lhs, name) == 0)
            return true;
    return false;
}

/* Which variables get the residual variance that makes their variance 1:
 * with standardized (simulateData(standardized = TRUE)) the endogenous
 * latents and every observed variable but the pure predictors; always the
 * variables cut by thresholds, as lavaan's delta parameterization scales
 * an ordinal variable's underlying y* to variance 1. */
static bool scaled(const brisk_population *pop, int stage, size_t i, bool standardized)
{
    const brisk_model *m = pop->model;
    if (stage == 0)
        return standardized && is_endogenous_latent(m, m->lv[i]);
    return pop->cuts[i] || (standardized && !is_predictor_only(m, m->ov[i]));
}

/* Their residual variances, the latents first, then the observed. */
static brisk_status unit_variances(brisk_population *pop, sem_work *w, double *theta,
                                   bool standardized)
{
    const brisk_model *m = pop->model;
    size_t n = w->n, p = m->p;
    bool replaced = false;
    double *written = malloc((m->nparams + 1) * sizeof *written);
    if (!written)
        return BRISK_ERR_NOMEM;
    memcpy(written, pop->value, m->nparams * sizeof *written);
    for (int stage = 0; stage < 2; stage++) {
        size_t count = stage ? p : m->m;
        for (size_t i = 0; i < count; i++) {
            size_t r = variance_row(m, stage ? m->ov[i] : m->lv[i]);
            if (r != (size_t)-1 && scaled(pop, stage, i, standardized))
                pop->value[r] = 0;
        }
        /* with residual variances 0 the implied matrix may be singular: only
         * its diagonal is used, and the final values are checked after */
        (void)implied(pop, w, theta);
        for (size_t i = 0; i < count; i++) {
            size_t r = variance_row(m, stage ? m->ov[i] : m->lv[i]), v = stage ? i : p + i;
            if (r != (size_t)-1 && scaled(pop, stage, i, standardized)) {
                pop->value[r] = 1 - w->Sfull[v * n + v];
                replaced |= m->params[r].user && fabs(pop->value[r] - written[r]) > 1e-9;
            }
        }
    }
    free(written);
    return replaced ? warn(pop, "residual variances written in the model are replaced by "
                                "those that give a variance of 1 (standardized, or a variable "
                                "with thresholds)")
                    : BRISK_OK;
}

/* ------------------------------------------------------------ the model */

static brisk_status build(brisk_population *pop, const char *text,
                          const brisk_population_options *opt, brisk_error *err)
{
    const char *name = opt && opt->name ? opt->name : "model";
    brisk_status st = brisk_syntax_parse(text, name, opt ? opt->first_line : 1, &pop->syntax,
                                         err);
    if (st != BRISK_OK)
        return st;
    const char **names = NULL;
    size_t nnames = brisk_syntax_variables(pop->syntax, &names);
    /* simulateData's lavaanify: std.lv, no markers, fixed.x = FALSE */
    brisk_model_options mopt = {.std_lv = true, .no_fixed_x = true, .skip_thresholds = true,
                                .name = name};
    st = brisk_model_new(pop->syntax, names, nnames, &mopt, &pop->model, err);
    free(names);
    return st;
}

static brisk_status cholesky(brisk_population *pop, brisk_error *err)
{
    size_t p = pop->p;
    memcpy(pop->chol, pop->cov, p * p * sizeof *pop->chol);
    gsl_matrix_view L = gsl_matrix_view_array(pop->chol, p, p);
    if (gsl_linalg_cholesky_decomp1(&L.matrix) != GSL_SUCCESS)
        return brisk_error_set(err, BRISK_ERR_MODEL, "the population model implies a covariance "
                               "matrix that is not positive definite: check its variances "
                               "and correlations");
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            pop->chol[i * p + j] = 0;   /* keep the lower factor only */
    return BRISK_OK;
}

brisk_status brisk_population_new(const char *text, const brisk_population_options *opt,
                                  brisk_population **out, brisk_error *err)
{
    *out = NULL;
    brisk_population *pop = calloc(1, sizeof *pop);
    if (!pop)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = build(pop, text, opt, err);
    const brisk_model *m = pop->model;
    size_t p = m ? m->p : 0, q = m ? m->nfree : 0;
    double *ident = NULL, *zero = NULL, *theta = NULL;
    sem_work *w = NULL;
    if (st == BRISK_OK) {
        pop->p = p;
        pop->value = calloc(m->nparams + 1, sizeof *pop->value);
        pop->cov = malloc((p * p + 1) * sizeof *pop->cov);
        pop->mean = malloc((p + 1) * sizeof *pop->mean);
        pop->chol = malloc((p * p + 1) * sizeof *pop->chol);
        pop->cuts = calloc(p + 1, sizeof *pop->cuts);
        pop->ncuts = calloc(p + 1, sizeof *pop->ncuts);
        ident = calloc(p * p + 1, sizeof *ident);
        zero = calloc(p + 1, sizeof *zero);
        theta = calloc(q + 1, sizeof *theta);
        for (size_t i = 0; ident && i < p; i++)
            ident[i * p + i] = 1;
        /* The engine's workspace needs moments; the implied ones are all
         * that is used here. */
        brisk_moments dummy = {.p = p, .n = 1, .cov = ident, .mean = zero};
        w = ident && zero ? brisk_sem_work_new(m, &dummy, 0) : NULL;
        if (!pop->value || !pop->cov || !pop->mean || !pop->chol || !pop->cuts || !pop->ncuts ||
            !theta || !w)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        if (st == BRISK_OK)
            st = read_thresholds(pop, opt && opt->name ? opt->name : "model", err);
        if (st == BRISK_OK)
            st = fill_values(pop, opt && opt->standardized);
        if (st == BRISK_OK)
            st = unit_variances(pop, w, theta, opt && opt->standardized);
        if (st == BRISK_OK)
            st = defined_values(pop, opt && opt->name ? opt->name : "model", err);
        if (st == BRISK_OK && !implied(pop, w, theta))
            st = BRISK_ERR_MODEL;
        if (st == BRISK_OK) {
            memcpy(pop->cov, w->Sigma, p * p * sizeof *pop->cov);
            memcpy(pop->mean, w->mu, p * sizeof *pop->mean);
            st = cholesky(pop, err);
            if (st == BRISK_ERR_MODEL)
                brisk_error_at(err, opt && opt->name ? opt->name : "model", 0, 0);
        } else if (st == BRISK_ERR_MODEL) {
            brisk_error_at(err, opt && opt->name ? opt->name : "model", 0, 0);
            st = brisk_error_set(err, BRISK_ERR_MODEL, "the population model implies a "
                                 "covariance matrix that is not positive definite: check its "
                                 "variances and correlations");
        } else if (st == BRISK_ERR_NOMEM) {
            brisk_error_set(err, st, "out of memory");
        }
    }
    brisk_sem_work_free(w);
    free(ident);
    free(zero);
    free(theta);
    if (st != BRISK_OK) {
        brisk_population_free(pop);
        return st;
    }
    *out = pop;
    return BRISK_OK;
}

void brisk_population_free(brisk_population *pop)
{
    if (!pop)
        return;
    for (size_t i = 0; pop->cuts && i < pop->p; i++)
        free(pop->cuts[i]);
    for (size_t i = 0; i < pop->nwarnings; i++)
        free(pop->warnings[i]);
    free(pop->warnings);
    free(pop->cuts);
    free(pop->ncuts);
    free(pop->value);
    free(pop->cov);
    free(pop->mean);
    free(pop->chol);
    brisk_model_free(pop->model);
    brisk_syntax_free(pop->syntax);
    free(pop);
}

/* ------------------------------------------------------------ inspecting */

size_t brisk_population_nvars(const brisk_population *pop) { return pop->p; }
const char *brisk_population_var(const brisk_population *pop, size_t i) { return pop->model->ov[i]; }
const double *brisk_population_cov(const brisk_population *pop) { return pop->cov; }
const double *brisk_population_mean(const brisk_population *pop) { return pop->mean; }
const brisk_model *brisk_population_model(const brisk_population *pop) { return pop->model; }
double brisk_population_value(const brisk_population *pop, size_t row) { return pop->value[row]; }
size_t brisk_population_nwarnings(const brisk_population *pop) { return pop->nwarnings; }
const brisk_syntax *brisk_population_syntax(const brisk_population *pop) { return pop->syntax; }
const char *brisk_population_warning(const brisk_population *pop, size_t i)
{
    return pop->warnings[i];
}

size_t brisk_population_categories(const brisk_population *pop, size_t var)
{
    return pop->cuts[var] ? pop->ncuts[var] + 1 : 0;
}

brisk_status brisk_population_set_cuts(brisk_population *pop, size_t var, const double *z,
                                       size_t count, brisk_error *err)
{
    for (size_t j = 1; j < count; j++)
        if (!(z[j] > z[j - 1]))
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "thresholds must increase");
    if (pop->cuts[var])
        return BRISK_OK;   /* the model's own thresholds win */
    double *t = malloc((count + 1) * sizeof *t);
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    double sd = sqrt(pop->cov[var * pop->p + var]);
    for (size_t j = 0; j < count; j++)
        t[j] = sd * z[j];   /* around 0, not the mean: an intercept moves the answers */
    pop->cuts[var] = t;
    pop->ncuts[var] = count;
    return BRISK_OK;
}

brisk_status brisk_population_set_likert(brisk_population *pop, size_t var, unsigned k,
                                         brisk_error *err)
{
    if (k < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "a Likert item needs 2 categories or "
                               "more, not %u", k);
    double z[256];
    if (k > 257)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "at most 257 categories, not %u", k);
    for (unsigned j = 1; j < k; j++)   /* K categories over +-2 SD, evenly */
        z[j - 1] = ((double)j - (double)k / 2) * 4 / (double)k;
    return brisk_population_set_cuts(pop, var, z, k - 1, err);
}

/* ------------------------------------------------------------ drawing */

static double category(const double *cuts, size_t ncuts, double x)
{
    size_t below = 0;
    while (below < ncuts && cuts[below] < x)
        below++;
    return (double)(below + 1);
}

brisk_status brisk_population_draw(const brisk_population *pop, size_t n, uint64_t seed,
                                   uint64_t stream, double *out, brisk_error *err)
{
    size_t p = pop->p;
    gsl_rng *r = gsl_rng_alloc(brisk_gsl_rng);
    double *z = malloc((p + 1) * sizeof *z);
    if (!r || !z) {
        gsl_rng_free(r);
        free(z);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    gsl_rng_set(r, (unsigned long)brisk_rng_stream_seed(seed, stream));
    for (size_t i = 0; i < n; i++) {
        double *row = out + i * p;
        for (size_t j = 0; j < p; j++)
            z[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
        for (size_t j = 0; j < p; j++) {
            double x = pop->mean[j];
            for (size_t k = 0; k <= j; k++)
                x += pop->chol[j * p + k] * z[k];
            row[j] = pop->cuts[j] ? category(pop->cuts[j], pop->ncuts[j], x) : x;
        }
    }
    gsl_rng_free(r);
    free(z);
    return BRISK_OK;
}
