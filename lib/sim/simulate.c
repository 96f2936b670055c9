/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Data sets drawn from a population model: plain (every observed variable
 * a column), or shaped as a survey's data file (brisk simulate --survey). */
#include <config.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/sim.h"
#include "brisk/survey.h"
#include "core/rng.h"
#include "core/util.h"

static double rounded(double x, int digits)
{
    if (digits < 0 || !isfinite(x))
        return x;
    double scale = pow(10, digits);
    return round(x * scale) / scale + 0.0;   /* + 0.0: -0 is written as 0 */
}

/* A numeric column named name, or NULL (err set). */
static brisk_column *add_column(brisk_dataset *ds, const char *name, brisk_error *err)
{
    size_t at;
    if (brisk_dataset_add_column(ds, name, BRISK_NUMERIC, &at, err) != BRISK_OK)
        return NULL;
    return &ds->cols[at];
}

/* opt->n draws into a new n x p array *x. */
static brisk_status draw(const brisk_population *pop, const brisk_simulate_options *opt,
                         double **x, brisk_error *err)
{
    size_t p = brisk_population_nvars(pop);
    *x = malloc((opt->n * p + 1) * sizeof **x);
    if (!*x)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = brisk_population_draw(pop, opt->n, opt->seed, 0, *x, err);
    if (st != BRISK_OK) {
        free(*x);
        *x = NULL;
    }
    return st;
}

/* Cut variable j as the options say: at opt->cuts, else into k categories
 * (k 0: left continuous). */
static brisk_status cut(brisk_population *pop, size_t j, const brisk_simulate_options *opt,
                        unsigned k, brisk_error *err)
{
    if (opt->ncuts)
        return brisk_population_set_cuts(pop, j, opt->cuts, opt->ncuts, err);
    return k ? brisk_population_set_likert(pop, j, k, err) : BRISK_OK;
}

brisk_status brisk_simulate(brisk_population *pop, const brisk_simulate_options *opt,
                            brisk_dataset **out, brisk_error *err)
{
    *out = NULL;
    size_t p = brisk_population_nvars(pop), n = opt->n;
    brisk_status st = BRISK_OK;
    for (size_t j = 0; j < p && st == BRISK_OK; j++)
        st = cut(pop, j, opt, opt->likert, err);
    double *x = NULL;
    if (st == BRISK_OK)
        st = draw(pop, opt, &x, err);
    if (st != BRISK_OK)
        return st;
    brisk_dataset *ds = brisk_dataset_new(n);
    if (!ds)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* missingness: its own stream, one uniform per cell in row order */
    gsl_rng *r = opt->missing > 0 ? gsl_rng_alloc(brisk_gsl_rng) : NULL;
    if (r)
        gsl_rng_set(r, (unsigned long)brisk_rng_stream_seed(opt->seed, 1));
    /* column j is variable j: adding a column may move the others, so no
     * pointer into ds->cols is kept */
    for (size_t j = 0; st == BRISK_OK && j < p; j++)
        if (!add_column(ds, brisk_population_var(pop, j), err))
            st = err ? err->status : BRISK_ERR_NOMEM;
    for (size_t i = 0; st == BRISK_OK && i < n; i++)
        for (size_t j = 0; j < p; j++) {
            bool lost = r && gsl_rng_uniform(r) < opt->missing;
            if (!lost)
                brisk_column_set_number(&ds->cols[j], i, rounded(x[i * p + j], opt->digits));
        }
    gsl_rng_free(r);
    free(x);
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        return st;
    }
    *out = ds;
    return BRISK_OK;
}

/* ------------------------------------------------------------ surveys */

/* What a population variable is in the survey. */
typedef struct role {
    size_t behaviour;      /* the item's behaviour, or (size_t)-1 */
    const char *tmpl;      /* the item's template, or NULL: not an item */
    bool reverse;
} role;

static bool is_reverse(const brisk_survey *s, const char *tmpl)
{
    for (size_t k = 0; k < s->nreverse; k++)
        if (strcmp(s->reverse[k].key, tmpl) == 0)
            return true;
    return false;
}

static size_t var_index(const brisk_population *pop, const char *name)
{
    for (size_t j = 0; j < brisk_population_nvars(pop); j++)
        if (strcmp(brisk_population_var(pop, j), name) == 0)
            return j;
    return (size_t)-1;
}

/* The role of every population variable; every item of the survey must be
 * one of them. */
static brisk_status find_roles(const brisk_survey *s, const brisk_population *pop, role *roles,
                               const char *model_path, brisk_error *err)
{
    size_t nb = brisk_survey_nblocks(s);
    for (size_t j = 0; j < brisk_population_nvars(pop); j++)
        roles[j] = (role){.behaviour = (size_t)-1};
    for (size_t k = 0; k < s->nitems; k++) {
        const char *tmpl = s->items[k].key;
        bool per = brisk_template_is_per_behaviour(tmpl);
        for (size_t b = 0; b < (per ? nb : 1); b++) {
            char *name = brisk_survey_wide_name(s, tmpl, b);
            if (!name)
                return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            size_t j = var_index(pop, name);
            if (j == (size_t)-1) {
                brisk_error_at(err, model_path, 0, 0);
                brisk_error_variable(err, name);
                brisk_status st = brisk_error_set(err, BRISK_ERR_COLUMN, "the population model "
                                                  "has no variable '%s' (item %s of %s): write "
                                                  "how it is measured (construct =~ %s)",
                                                  name, tmpl, s->path, name);
                free(name);
                return st;
            }
            free(name);
            roles[j] = (role){.behaviour = per ? b : (size_t)-1, .tmpl = tmpl,
                              .reverse = is_reverse(s, tmpl)};
        }
    }
    return BRISK_OK;
}

/* An item's answer on the survey's scale: category 1 is the scale's low
 * end; a reverse-keyed item is written as the raw answer to a negatively
 * worded question. */
static double answer(const brisk_survey *s, const role *ro, double category, int digits)
{
    if (!s->has_scale)
        return rounded(category, digits);   /* a category is whole already */
    double v = s->scale_min + category - 1;
    return ro->reverse ? s->scale_min + s->scale_max - v : v;
}

/* The survey's columns for respondent i's row about behaviour b (b = -1:
 * the wide row): returns the data row's value of population variable j,
 * or NAN when that variable has no cell in this row. */
typedef struct shaper {
    const brisk_survey *s;
    const brisk_population *pop;
    const role *roles;
    const brisk_simulate_options *opt;
    gsl_rng *missing;
    double code;                   /* how a missing answer is written */
} shaper;

static double cell(const shaper *sh, const double *x, size_t j)
{
    const role *ro = &sh->roles[j];
    if (!ro->tmpl)
        return rounded(x[j], sh->opt->digits);
    if (sh->missing && gsl_rng_uniform(sh->missing) < sh->opt->missing)
        return sh->code;
    return answer(sh->s, ro, x[j], sh->opt->digits);
}

/* The data set's columns: id, the behaviour column (long), then the
 * population's variables (long: an item of behaviour b named without
 * {b}, once). */
static brisk_status survey_columns(const shaper *sh, brisk_dataset *ds, size_t *col_of,
                                   brisk_error *err)
{
    const brisk_survey *s = sh->s;
    bool lng = s->layout == BRISK_LAYOUT_LONG;
    if (s->id && !add_column(ds, s->id, err))
        return err->status;
    if (lng && s->behaviour_column) {
        size_t at;
        if (brisk_dataset_add_column(ds, s->behaviour_column, BRISK_STRING, &at, err))
            return err->status;
    }
    for (size_t j = 0; j < brisk_population_nvars(sh->pop); j++) {
        const role *ro = &sh->roles[j];
        col_of[j] = (size_t)-1;
        char *name = lng && ro->tmpl ? brisk_survey_column_name(s, ro->tmpl, 0)
                                     : brisk_strdup(brisk_population_var(sh->pop, j));
        if (!name)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        size_t at = brisk_dataset_index(ds, name);
        if (at == (size_t)-1 && !add_column(ds, name, err)) {
            free(name);
            return err->status;
        }
        col_of[j] = at == (size_t)-1 ? ds->ncols - 1 : at;
        free(name);
    }
    return BRISK_OK;
}

static brisk_status fill_rows(const shaper *sh, const double *x, brisk_dataset *ds,
                              const size_t *col_of, brisk_error *err)
{
    const brisk_survey *s = sh->s;
    size_t p = brisk_population_nvars(sh->pop), n = sh->opt->n;
    bool lng = s->layout == BRISK_LAYOUT_LONG;
    size_t per = lng ? brisk_survey_nblocks(s) : 1;
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < per; b++) {
            size_t row = i * per + b;
            if (s->id)
                brisk_column_set_number(&ds->cols[0], row, (double)(i + 1));
            if (lng && s->behaviour_column &&
                brisk_column_set_string(&ds->cols[1], row, s->behaviours[b].key))
                return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            for (size_t j = 0; j < p; j++) {
                const role *ro = &sh->roles[j];
                if (lng && ro->behaviour != (size_t)-1 && ro->behaviour != b)
                    continue;   /* another behaviour's item: its own row */
                double v = cell(sh, x + i * p, j);
                if (!isnan(v))
                    brisk_column_set_number(&ds->cols[col_of[j]], row, v);
            }
        }
    return BRISK_OK;
}

brisk_status brisk_simulate_survey(const brisk_survey *s, brisk_population *pop,
                                   const brisk_simulate_options *opt, const char *model_path,
                                   brisk_dataset **out, brisk_error *err)
{
    *out = NULL;
    size_t p = brisk_population_nvars(pop);
    role *roles = calloc(p + 1, sizeof *roles);
    size_t *col_of = calloc(p + 1, sizeof *col_of);
    if (!roles || !col_of) {
        free(roles);
        free(col_of);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = find_roles(s, pop, roles, model_path, err);
    unsigned k = s->has_scale ? (unsigned)(s->scale_max - s->scale_min + 1) : opt->likert;
    if (st == BRISK_OK && opt->ncuts && s->has_scale && opt->ncuts + 1 != k) {
        brisk_error_at(err, s->path, s->scale_line, 0);
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "%zu thresholds make %zu answers, and the "
                             "survey's scale has %u", opt->ncuts, opt->ncuts + 1, k);
    }
    if (st == BRISK_OK && opt->likert && s->has_scale && opt->likert != k) {
        brisk_error_at(err, s->path, s->scale_line, 0);
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "%u categories asked for, and the "
                             "survey's scale has %u: its scale sets the items' categories",
                             opt->likert, k);
    }
    for (size_t j = 0; st == BRISK_OK && j < p; j++)
        if (roles[j].tmpl)
            st = cut(pop, j, opt, k >= 2 ? k : 0, err);
    for (size_t j = 0; st == BRISK_OK && s->has_scale && j < p; j++)
        if (roles[j].tmpl && brisk_population_categories(pop, j) > k) {
            brisk_error_at(err, model_path, 0, 0);
            brisk_error_variable(err, brisk_population_var(pop, j));
            st = brisk_error_set(err, BRISK_ERR_MODEL, "the thresholds of '%s' make %zu "
                                 "answers, and the survey's scale (%s) has %u: give it at "
                                 "most %u thresholds", brisk_population_var(pop, j),
                                 brisk_population_categories(pop, j), s->path, k, k - 1);
        }
    double *x = NULL;
    if (st == BRISK_OK)
        st = draw(pop, opt, &x, err);
    size_t rows = opt->n * (s->layout == BRISK_LAYOUT_LONG ? brisk_survey_nblocks(s) : 1);
    brisk_dataset *ds = st == BRISK_OK ? brisk_dataset_new(rows) : NULL;
    if (st == BRISK_OK && !ds)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    shaper sh = {.s = s, .pop = pop, .roles = roles, .opt = opt,
                 .code = s->nmissing ? s->missing[0] : NAN};
    if (st == BRISK_OK && opt->missing > 0) {
        if ((sh.missing = gsl_rng_alloc(brisk_gsl_rng)))
            gsl_rng_set(sh.missing, (unsigned long)brisk_rng_stream_seed(opt->seed, 1));
        else
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK)
        st = survey_columns(&sh, ds, col_of, err);
    if (st == BRISK_OK)
        st = fill_rows(&sh, x, ds, col_of, err);
    gsl_rng_free(sh.missing);
    free(x);
    free(roles);
    free(col_of);
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        return st;
    }
    *out = ds;
    return BRISK_OK;
}
