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

static const struct {
    const char *key, *name;
    unsigned equal;
} levels[] = {
    {"configural", "Configural", 0},
    {"metric", "Metric (loadings)", BRISK_EQUAL_LOADINGS},
    {"scalar", "Scalar (+ intercepts)", BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS},
    {"strict", "Strict (+ residual variances)",
     BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_RESIDUALS},
};
#define NLEVELS (sizeof levels / sizeof levels[0])

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} columns[] = {
    {"level", "Model", BRISK_CELL_TEXT}, {"npar", "npar", BRISK_CELL_INT},
    {"chisq", "Chi-square", BRISK_CELL_NUMBER}, {"df", "df", BRISK_CELL_INT},
    {"cfi", "CFI", BRISK_CELL_NUMBER}, {"tli", "TLI", BRISK_CELL_NUMBER},
    {"rmsea", "RMSEA", BRISK_CELL_NUMBER}, {"srmr", "SRMR", BRISK_CELL_NUMBER},
    {"aic", "AIC", BRISK_CELL_NUMBER}, {"bic", "BIC", BRISK_CELL_NUMBER},
    {"chisq_diff", "Delta chi-square", BRISK_CELL_NUMBER}, {"df_diff", "Delta df", BRISK_CELL_INT},
    {"pvalue_diff", "p", BRISK_CELL_PVALUE}, {"cfi_diff", "Delta CFI", BRISK_CELL_NUMBER},
    {"rmsea_diff", "Delta RMSEA", BRISK_CELL_NUMBER},
};

/* The table; with behaviours, a first column names each row's behaviour. */
static brisk_table *new_table(bool by_behaviour)
{
    brisk_table *t = brisk_table_new("invariance.fit", "Measurement invariance");
    if (t && by_behaviour &&
        brisk_table_add_column(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t k = 0; t && k < sizeof columns / sizeof columns[0]; k++) {
        if (brisk_table_add_column(t, columns[k].key, columns[k].header, columns[k].kind, 3) ==
            (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* One level's row; the differences are to the level before it.  c0 is
 * the first column after the behaviour's. */
static brisk_status add_level(brisk_table *t, const char *behaviour, size_t k,
                              const brisk_fit_measures *f, const brisk_fit_measures *prev)
{
    size_t row = brisk_table_add_row(t), c0 = behaviour ? 1 : 0;
    if (row == (size_t)-1 || (behaviour && brisk_table_set_text(t, row, 0, behaviour)) ||
        brisk_table_set_text(t, row, c0, levels[k].name))
        return BRISK_ERR_NOMEM;
    double v[] = {(double)f->npar, f->chisq, f->df, f->cfi, f->tli, f->rmsea, f->srmr, f->aic,
                  f->bic};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
        brisk_table_set_num(t, row, c0 + j + 1, v[j]);
    if (!prev)
        return BRISK_OK;
    double dchi = f->chisq - prev->chisq, ddf = f->df - prev->df;
    double d[] = {dchi, ddf, ddf > 0 ? gsl_cdf_chisq_Q(fmax(dchi, 0), ddf) : NAN,
                  f->cfi - prev->cfi, f->rmsea - prev->rmsea};
    for (size_t j = 0; j < sizeof d / sizeof d[0]; j++)
        brisk_table_set_num(t, row, c0 + 10 + j, d[j]);
    return BRISK_OK;
}

static void name_level(brisk_error *err, size_t k)
{
    if (!err)
        return;
    char reason[sizeof err->message];
    snprintf(reason, sizeof reason, "%s", err->message);
    brisk_error_set(err, err->status, "%s model: %s", levels[k].key, reason);
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

/* The four levels of one model, as rows of t; the fits' warnings go to
 * out, prefixed with the behaviour and the level. */
static brisk_status invariance_rows(brisk_table *t, const char *behaviour, const char *text,
                                    const char *source, long first_line, const brisk_dataset *ds,
                                    const size_t *rows, size_t nrows, const char *group_column,
                                    const brisk_model_options *opt, brisk_table_list *out,
                                    brisk_error *err)
{
    brisk_fit_measures prev = {0};
    brisk_status st = BRISK_OK;
    for (size_t k = 0; k < NLEVELS && st == BRISK_OK; k++) {
        brisk_model_options mopt = opt ? *opt : (brisk_model_options){0};
        mopt.group_equal = levels[k].equal;
        brisk_fitted fitted;
        st = brisk_fit_text(text, source, first_line, ds, rows, nrows, group_column, &mopt,
                            &fitted, err);
        if (st != BRISK_OK) {
            name_level(err, k);
            break;
        }
        st = add_level(t, behaviour, k, &fitted.fit->fit, k ? &prev : NULL);
        for (size_t w = 0; st == BRISK_OK && w < fitted.fit->nwarnings; w++)
            st = brisk_table_list_warn(out, "%s%s%s model: %s", behaviour ? behaviour : "",
                                       behaviour ? ": " : "", levels[k].key,
                                       fitted.fit->warnings[w]);
        if (st == BRISK_OK && k == 0)
            st = groups_note(t, behaviour, &fitted, group_column);
        prev = fitted.fit->fit;
        brisk_fitted_free(&fitted);
    }
    return st;
}

static const char note[] = "Each level adds equality constraints to the one above it; Delta "
                           "chi-square, df and p compare it with that level (likelihood ratio "
                           "test, as lavaan's lavTestLRT); Delta CFI and RMSEA are its value "
                           "minus the one above.";

/* Adds t, with the closing note, to out; frees it on failure. */
static brisk_status finish(brisk_table *t, brisk_status st, brisk_table_list *out,
                           brisk_error *err)
{
    if (st == BRISK_OK)
        st = brisk_table_add_note(t, "%s", note);
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, t);
    if (st != BRISK_OK)
        brisk_table_free(t);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

brisk_status brisk_invariance(const char *text, const char *source, long first_line,
                              const brisk_dataset *ds, const size_t *rows, size_t nrows,
                              const char *group_column, const brisk_model_options *opt,
                              brisk_table_list *out, brisk_error *err)
{
    brisk_table *t = new_table(false);
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = invariance_rows(t, NULL, text, source, first_line, ds, rows, nrows,
                                      group_column, opt, out, err);
    return finish(t, st, out, err);
}

brisk_status brisk_invariance_survey(const brisk_survey *s, const brisk_survey_data *d,
                                     const char *const *only, size_t nonly,
                                     const char *group_column, const brisk_model_options *opt,
                                     brisk_table_list *out, brisk_error *err)
{
    if (!s->model) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "the survey has no [model] section; add "
                               "the model in lavaan syntax");
    }
    brisk_table *t = new_table(s->nbehaviours > 0);
    brisk_status st = t ? BRISK_OK : BRISK_ERR_NOMEM;
    if (st == BRISK_OK && s->weight)
        st = brisk_table_list_warn(out, "the survey's weight is not used: maximum likelihood "
                                   "estimation here is unweighted");
    for (size_t b = 0; st == BRISK_OK && b < brisk_survey_nblocks(s); b++) {
        const char *key = s->nbehaviours ? s->behaviours[b].key : NULL;
        if (!brisk_behaviour_selected(key, only, nonly))
            continue;
        char *text = brisk_survey_model_text(s, b);
        st = text ? invariance_rows(t, key ? s->behaviours[b].value : NULL, text, s->path,
                                    s->model_line, d->ds, d->rows[b], d->nrows[b], group_column,
                                    opt, out, err)
                  : BRISK_ERR_NOMEM;
        free(text);
        if (st != BRISK_OK && st != BRISK_ERR_NOMEM)
            brisk_name_behaviour(err, key);
    }
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return finish(t, st, out, err);
}
