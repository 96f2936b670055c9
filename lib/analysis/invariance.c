/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Measurement invariance: the same model at four levels of equality
 * across groups, compared as lavaan's lavTestLRT compares them. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "brisk/survey.h"
#include "core/util.h"

typedef struct level {
    const char *key, *name;
    unsigned equal;
} level;

static const level continuous_levels[] = {
    {"configural", "Configural", 0},
    {"metric", "Metric (loadings)", BRISK_EQUAL_LOADINGS},
    {"scalar", "Scalar (+ intercepts)", BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS},
    {"strict", "Strict (+ residual variances)",
     BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_RESIDUALS},
};

/* Ordered items (WLSMV, the delta parameterization), as lavaan's
 * group.equal = c("loadings", "thresholds") at the scalar level (the scale
 * factors and latent means free after the first group); strict is no level
 * of its own: an ordered item's residual variance is not a parameter. */
static const level ordered_levels[] = {
    {"configural", "Configural", 0},
    {"metric", "Metric (loadings)", BRISK_EQUAL_LOADINGS},
    {"scalar", "Scalar (+ thresholds)", BRISK_EQUAL_LOADINGS | BRISK_EQUAL_THRESHOLDS},
};

/* The table's columns, and when each is there: the scaled and robust ones
 * when the fits have a scaled test (MLR, WLSMV), the scaled indices with
 * ordered items (WLSMV: its Delta CFI and RMSEA are theirs), AIC and BIC
 * with a likelihood (not WLSMV). */
typedef enum { ALWAYS, SCALED, ORDERED, LIKELIHOOD } column_when;

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
    column_when when;
} columns[] = {
    {"level", "Model", BRISK_CELL_TEXT, ALWAYS}, {"npar", "npar", BRISK_CELL_INT, ALWAYS},
    {"chisq", "Chi-square", BRISK_CELL_NUMBER, ALWAYS}, {"df", "df", BRISK_CELL_INT, ALWAYS},
    {"chisq_scaled", "Scaled chi-square", BRISK_CELL_NUMBER, SCALED},
    {"scaling_factor", "Scaling factor", BRISK_CELL_NUMBER, SCALED},
    {"cfi", "CFI", BRISK_CELL_NUMBER, ALWAYS}, {"tli", "TLI", BRISK_CELL_NUMBER, ALWAYS},
    {"rmsea", "RMSEA", BRISK_CELL_NUMBER, ALWAYS},
    {"cfi_scaled", "Scaled CFI", BRISK_CELL_NUMBER, ORDERED},
    {"tli_scaled", "Scaled TLI", BRISK_CELL_NUMBER, ORDERED},
    {"rmsea_scaled", "Scaled RMSEA", BRISK_CELL_NUMBER, ORDERED},
    {"cfi_robust", "Robust CFI", BRISK_CELL_NUMBER, SCALED},
    {"tli_robust", "Robust TLI", BRISK_CELL_NUMBER, SCALED},
    {"rmsea_robust", "Robust RMSEA", BRISK_CELL_NUMBER, SCALED},
    {"srmr", "SRMR", BRISK_CELL_NUMBER, ALWAYS},
    {"aic", "AIC", BRISK_CELL_NUMBER, LIKELIHOOD}, {"bic", "BIC", BRISK_CELL_NUMBER, LIKELIHOOD},
    {"chisq_diff", "Delta chi-square", BRISK_CELL_NUMBER, ALWAYS},
    {"df_diff", "Delta df", BRISK_CELL_INT, ALWAYS},
    {"pvalue_diff", "p", BRISK_CELL_PVALUE, ALWAYS},
    {"cfi_diff", "Delta CFI", BRISK_CELL_NUMBER, ALWAYS},
    {"rmsea_diff", "Delta RMSEA", BRISK_CELL_NUMBER, ALWAYS},
};

/* The table; with behaviours, a first column names each row's behaviour. */
static brisk_table *new_table(bool by_behaviour, bool scaled, bool ordered)
{
    brisk_table *t = brisk_table_new("invariance.fit", "Measurement invariance");
    if (t && by_behaviour &&
        brisk_table_add_column(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t k = 0; t && k < sizeof columns / sizeof columns[0]; k++) {
        column_when when = columns[k].when;
        if ((when == SCALED && !scaled) || (when == ORDERED && !ordered) ||
            (when == LIKELIHOOD && ordered))
            continue;
        if (brisk_table_add_column(t, columns[k].key, columns[k].header, columns[k].kind, 3) ==
            (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

static void set(brisk_table *t, size_t row, const char *key, double x)
{
    size_t col = brisk_table_find_column(t, key);
    if (col != (size_t)-1)
        brisk_table_set_num(t, row, col, x);
}

/* One level's row; the differences are to the level before it. */
static brisk_status add_level(brisk_table *t, const char *behaviour, const level *lv,
                              const brisk_fitted *fitted, const brisk_fitted *before,
                              brisk_error *err)
{
    const brisk_fit_measures *f = &fitted->fit->fit, *prev = before ? &before->fit->fit : NULL;
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || (behaviour && brisk_table_set_text(t, row, 0, behaviour)) ||
        brisk_table_set_text(t, row, behaviour ? 1 : 0, lv->name))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    set(t, row, "npar", (double)f->npar);
    set(t, row, "chisq", f->chisq);
    set(t, row, "df", f->df);
    set(t, row, "chisq_scaled", f->chisq_scaled);
    set(t, row, "scaling_factor", f->scaling_factor);
    set(t, row, "cfi", f->cfi);
    set(t, row, "tli", f->tli);
    set(t, row, "rmsea", f->rmsea);
    set(t, row, "cfi_scaled", f->cfi_scaled);
    set(t, row, "tli_scaled", f->tli_scaled);
    set(t, row, "rmsea_scaled", f->rmsea_scaled);
    /* none where the fit has none (WLSMV with thresholds held equal: lavaan
     * 0.6-14 reports no catML indices there) */
    set(t, row, "cfi_robust", f->robust ? f->cfi_robust : NAN);
    set(t, row, "tli_robust", f->robust ? f->tli_robust : NAN);
    set(t, row, "rmsea_robust", f->robust ? f->rmsea_robust : NAN);
    set(t, row, "srmr", f->srmr);
    set(t, row, "aic", f->aic);
    set(t, row, "bic", f->bic);
    if (!prev)
        return BRISK_OK;
    double dchi, ddf;
    brisk_status st = brisk_fitted_difference(before, fitted, &dchi, &ddf, err);
    if (st != BRISK_OK)
        return st;
    set(t, row, "chisq_diff", dchi);
    set(t, row, "df_diff", ddf);
    set(t, row, "pvalue_diff", ddf > 0 && isfinite(dchi) ? gsl_cdf_chisq_Q(fmax(dchi, 0), ddf)
                                                          : NAN);
    /* with ordered items those of the scaled indices, which every level has;
     * with MLR of the robust ones */
    if (fitted->fit->nthresholds) {
        set(t, row, "cfi_diff", f->cfi_scaled - prev->cfi_scaled);
        set(t, row, "rmsea_diff", f->rmsea_scaled - prev->rmsea_scaled);
    } else {
        set(t, row, "cfi_diff", f->robust ? f->cfi_robust - prev->cfi_robust : f->cfi - prev->cfi);
        set(t, row, "rmsea_diff",
            f->robust ? f->rmsea_robust - prev->rmsea_robust : f->rmsea - prev->rmsea);
    }
    return BRISK_OK;
}

/* Whether the model itself holds a parameter equal across groups (a label
 * given once for every group, equal()): its "configural" level is not
 * configural then. */
static bool groups_tied(const brisk_model *m)
{
    size_t n = brisk_model_nparams(m);
    for (size_t r = 0; r < n; r++) {
        const brisk_param *p = brisk_model_param(m, r);
        for (size_t j = r + 1; p->free > 0 && j < n; j++) {
            const brisk_param *q = brisk_model_param(m, j);
            if (q->free == p->free && q->group != p->group)
                return true;
        }
    }
    return false;
}

static void name_level(brisk_error *err, const level *lv)
{
    if (!err)
        return;
    char reason[sizeof err->message];
    snprintf(reason, sizeof reason, "%s", err->message);
    brisk_error_set(err, err->status, "%s model: %s", lv->key, reason);
}

/* "2 groups of 'school': Pasteur (156), Grant-White (145)". */
static brisk_status groups_note(brisk_table *t, const char *behaviour, const brisk_fitted *f,
                                const char *group_column)
{
    brisk_buf b = {0};
    brisk_buf_printf(&b, "%s%s%zu groups of '%s': ", behaviour ? behaviour : "",
                     behaviour ? ": " : "", f->ngroups, group_column);
    for (size_t g = 0; g < f->ngroups; g++)
        brisk_buf_printf(&b, "%s%s (%zu)", g ? ", " : "", f->group_labels[g], f->moments[g].n);
    brisk_status st = b.data ? brisk_table_add_note(t, "%s.", b.data) : BRISK_ERR_NOMEM;
    brisk_buf_free(&b);
    return st;
}

/* The four levels of one model, as rows of it->t (made at the first fit,
 * with robust columns when it has a scaled test); the fits' warnings go to
 * out, prefixed with the behaviour and the level. */
typedef struct inv_table {
    brisk_table *t;               /* made at the first fit */
    bool by_behaviour;            /* a behaviour column first */
    const char *estimator;        /* how the levels were fitted, in words */
    bool tied;                    /* the model holds parameters equal across groups */
    bool ordered;                 /* ordered items: their levels */
    const char *weight, *cluster; /* the fits' sampling weights and clusters, or NULL */
    const char *partial;          /* group.partial, or NULL */
    brisk_table *release;         /* "release first": score tests of the levels rejected */
} inv_table;

/* The suggestions' table shows this many constraints per rejected level. */
#define RELEASE_TOP 5

/* The group.equal class a score test's constraint belongs to (what the
 * invariance levels hold equal: loadings, intercepts, residual variances),
 * or 0. */
static unsigned constraint_class(const brisk_model *m, const brisk_score_test *t)
{
    bool observed = false;
    for (size_t i = 0; i < brisk_model_nobserved(m) && !observed; i++)
        observed = strcmp(brisk_model_observed(m, i), t->lhs) == 0;
    if (t->op == BRISK_OP_MEASURE)
        return BRISK_EQUAL_LOADINGS;
    if (t->op == BRISK_OP_INTERCEPT && observed)
        return BRISK_EQUAL_INTERCEPTS;
    if (t->op == BRISK_OP_COVARY && observed && strcmp(t->lhs, t->rhs) == 0)
        return BRISK_EQUAL_RESIDUALS;
    return 0;
}

/* Under a level whose difference test rejects it (p < .05): the
 * constraints it adds to the level above, the largest univariate score
 * tests first (lavaan's lavTestScore), as the parameters to release. */
static brisk_status release_rows(inv_table *it, const char *behaviour, const level *lv,
                                 unsigned added, const brisk_fitted *fitted, brisk_error *err)
{
    char where[300];
    snprintf(where, sizeof where, "%s%s%s", behaviour ? behaviour : "", behaviour ? ": " : "",
             lv->key);
    brisk_score_tests s;
    brisk_error local;
    brisk_error_clear(&local);
    brisk_status st = brisk_score_tests_equal(fitted, &s, &local);
    if (st == BRISK_ERR_NOMEM)
        return brisk_error_set(err, st, "out of memory");
    if (st != BRISK_OK)   /* WLSMV, FIML: said under the levels' table */
        return brisk_table_add_note(it->t, "%s is rejected (p < .05); no score tests to say "
                                    "what to release: %s", where, local.message)
                   ? brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory")
                   : BRISK_OK;
    if (!it->release &&
        !(it->release = brisk_score_table_new("invariance.release", "Constraints to release "
                                              "first (score tests)", "level", "Level", false))) {
        brisk_score_tests_free(&s);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    size_t shown = 0;
    for (size_t k = 0; k < s.n && shown < RELEASE_TOP && st == BRISK_OK; k++)
        if (constraint_class(fitted->model, &s.tests[k]) & added) {
            st = brisk_score_table_row(it->release, where, fitted, &s.tests[k]);
            shown++;
        }
    brisk_score_tests_free(&s);
    return st == BRISK_OK ? BRISK_OK : brisk_error_set(err, st, "out of memory");
}

static brisk_status invariance_rows(inv_table *it, const char *behaviour, const char *text,
                                    const char *source, long first_line, const brisk_dataset *ds,
                                    const size_t *rows, size_t nrows, const char *group_column,
                                    const brisk_model_options *opt, brisk_table_list *out,
                                    brisk_error *err)
{
    brisk_fitted prev = {0};
    brisk_status st = BRISK_OK;
    it->ordered = opt && (opt->ordered || opt->estimator == BRISK_ESTIMATOR_WLSMV);
    const level *levels = it->ordered ? ordered_levels : continuous_levels;
    size_t nlevels = it->ordered ? sizeof ordered_levels / sizeof ordered_levels[0]
                                 : sizeof continuous_levels / sizeof continuous_levels[0];
    for (size_t k = 0; k < nlevels && st == BRISK_OK; k++) {
        brisk_model_options mopt = opt ? *opt : (brisk_model_options){0};
        mopt.group_equal = levels[k].equal;
        /* group.partial at the levels that hold its parameters' class equal;
         * the last level, which holds every class, refuses what none holds */
        mopt.group_partial = levels[k].equal ? mopt.group_partial : NULL;
        mopt.group_partial_lenient = k + 1 < nlevels;
        it->partial = mopt.group_partial ? mopt.group_partial : it->partial;
        brisk_fitted fitted;
        st = brisk_fit_text(text, source, first_line, ds, rows, nrows, group_column, &mopt,
                            &fitted, err);
        if (st != BRISK_OK) {
            name_level(err, &levels[k]);
            break;
        }
        if (!it->t &&
            !(it->t = new_table(it->by_behaviour, fitted.fit->fit.scaled, it->ordered)))
            st = BRISK_ERR_NOMEM;
        if (st == BRISK_OK) {
            it->estimator = brisk_fitted_estimator(&fitted);
            /* the options' strings (the survey's, the command line's)
             * outlive the fits, whose models are freed level by level */
            it->weight = mopt.weight;
            it->cluster = mopt.cluster;
            st = add_level(it->t, behaviour, &levels[k], &fitted, k ? &prev : NULL, err);
            if (st != BRISK_OK && st != BRISK_ERR_NOMEM)
                name_level(err, &levels[k]);
        }
        double dchi, ddf;
        if (st == BRISK_OK && k && brisk_fitted_difference(&prev, &fitted, &dchi, &ddf,
                                                           NULL) == BRISK_OK &&
            ddf > 0 && isfinite(dchi) && gsl_cdf_chisq_Q(fmax(dchi, 0), ddf) < .05)
            st = release_rows(it, behaviour, &levels[k], levels[k].equal & ~levels[k - 1].equal,
                              &fitted, err);
        if (st == BRISK_OK && k == 0 && groups_tied(fitted.model)) {
            /* the model's own equalities: the first level is not configural */
            it->tied = true;
            size_t row = it->t->nrows - 1, col = brisk_table_find_column(it->t, "level");
            st = brisk_table_set_text(it->t, row, col, "Configural (with the model's "
                                      "equalities)");
        }
        for (size_t w = 0; st == BRISK_OK && w < fitted.fit->nwarnings; w++)
            st = brisk_table_list_warn(out, "%s%s%s model: %s", behaviour ? behaviour : "",
                                       behaviour ? ": " : "", levels[k].key,
                                       fitted.fit->warnings[w]);
        if (st == BRISK_OK && k == 0)
            st = groups_note(it->t, behaviour, &fitted, group_column);
        if (k)
            brisk_fitted_free(&prev);
        prev = fitted;
    }
    if (prev.fit)
        brisk_fitted_free(&prev);
    return st;
}

/* How to read the suggestions and act on them. */
static brisk_status release_note(const inv_table *it)
{
    return brisk_table_add_note(it->release, "Under each level its difference test rejects "
                                "(p < .05): the constraints it adds, the %d largest univariate "
                                "score tests first (X2 on 1 df, as lavaan's lavTestScore; EPC the "
                                "expected change with every constraint released). Release the "
                                "first and test again: --group-partial 'PARAMETER' (as "
                                "'x3~1'), with brisk invariance or brisk fit --group-equal; "
                                "brisk fit --score-tests lists every constraint.", RELEASE_TOP);
}

/* Adds the table, with the closing note, to out; frees it on failure. */
static brisk_status finish(const inv_table *it, brisk_status st, brisk_table_list *out,
                           brisk_error *err)
{
    brisk_table *t = it->t;
    const char *estimator = it->estimator;
    if (st == BRISK_OK && !t)
        st = BRISK_ERR_NOMEM;
    bool robust = t && brisk_table_find_column(t, "cfi_robust") != (size_t)-1;
    if (st == BRISK_OK)
        st = brisk_table_add_note(t, "Estimator: %s. Each level adds equality constraints to "
                                  "the one above it; Delta chi-square, df and p compare it with "
                                  "that level (%s, as lavaan's lavTestLRT); Delta CFI and RMSEA "
                                  "are its %svalue minus the one above.", estimator,
                                  it->ordered ? "the scaled-shifted difference of Satorra (2000)"
                                  : robust    ? "the Satorra-Bentler (2001) scaled difference of "
                                                "the chi-squares"
                                              : "likelihood ratio test",
                                  it->ordered ? "scaled " : robust ? "robust " : "");
    if (st == BRISK_OK && (it->weight || it->cluster))
        st = brisk_table_add_note(t, "Every level %s%s%s%s%s%s%s (lavaan's %s%s%s): robust "
                                  "standard errors and scaled chi-squares, whose scaling "
                                  "factors the differences take.",
                                  it->weight ? "weighted by '" : "", it->weight ? it->weight : "",
                                  it->weight ? "'" : "", it->weight && it->cluster ? ", " : "",
                                  it->cluster ? "clustered by '" : "",
                                  it->cluster ? it->cluster : "", it->cluster ? "'" : "",
                                  it->weight ? "sampling.weights" : "",
                                  it->weight && it->cluster ? ", " : "",
                                  it->cluster ? "cluster=" : "");
    if (st == BRISK_OK && it->ordered)
        st = brisk_table_add_note(t, "Ordered items: the scalar level holds the thresholds "
                                  "equal, with the scale factors and latent means free after "
                                  "the first group (lavaan's group.equal = c(\"loadings\", "
                                  "\"thresholds\")), where lavaan 0.6-14 reports no robust "
                                  "(catML) indices; there is no strict level, since an ordered "
                                  "item's residual variance is not a parameter.");
    if (st == BRISK_OK && it->tied)
        st = brisk_table_add_note(t, "The model's own labels (or equal()) hold some parameters "
                                  "equal across the groups at every level, the first one "
                                  "included, which is therefore not purely configural; give one "
                                  "label per group, as c(a1, a2)*x, to let them differ.");
    if (st == BRISK_OK && it->partial)
        st = brisk_table_add_note(t, "Partial invariance (lavaan's group.partial): %s left free "
                                  "across the groups at each level that holds its class "
                                  "equal.", it->partial);
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, t);
    if (st != BRISK_OK)
        brisk_table_free(t);
    if (st == BRISK_OK && it->release)
        st = release_note(it);
    if (st == BRISK_OK && it->release)
        st = brisk_table_list_add(out, it->release);
    else
        brisk_table_free(it->release);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

brisk_status brisk_invariance(const char *text, const char *source, long first_line,
                              const brisk_dataset *ds, const size_t *rows, size_t nrows,
                              const char *group_column, const brisk_model_options *opt,
                              brisk_table_list *out, brisk_error *err)
{
    inv_table it = {0};
    brisk_status st = invariance_rows(&it, NULL, text, source, first_line, ds, rows, nrows,
                                      group_column, opt, out, err);
    return finish(&it, st, out, err);
}

brisk_status brisk_invariance_survey(const brisk_survey *s, const brisk_survey_data *d,
                                     const char *const *only, size_t nonly,
                                     const char *group_column, const brisk_model_options *opt,
                                     brisk_table_list *out, brisk_error *err)
{
    if (brisk_survey_warn_design(s, out) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!s->model) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "the survey has no [model] section; add "
                               "the model in lavaan syntax");
    }
    inv_table it = {.by_behaviour = s->nbehaviours > 0};
    brisk_status st = BRISK_OK;
    for (size_t b = 0; st == BRISK_OK && b < brisk_survey_nblocks(s); b++) {
        const char *key = s->nbehaviours ? s->behaviours[b].key : NULL;
        if (!brisk_behaviour_selected(key, only, nonly))
            continue;
        char *text = brisk_survey_model_text(s, b);
        brisk_behaviour_fit_options bopt = {0};
        st = text ? brisk_behaviour_options(s, b, text, opt, &bopt, err) : BRISK_ERR_NOMEM;
        if (st == BRISK_OK)
            st = invariance_rows(&it, key ? s->behaviours[b].value : NULL, text, s->path,
                                 s->model_line, d->ds, d->rows[b], d->nrows[b], group_column,
                                 &bopt.model, out, err);
        brisk_behaviour_options_free(&bopt);
        free(text);
        if (st != BRISK_OK && st != BRISK_ERR_NOMEM)
            brisk_name_behaviour(err, key);
    }
    return finish(&it, st, out, err);
}
