/* Measurement invariance: the same model at four levels of equality
 * across groups, compared as lavaan's lavTestLRT compares them. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/model.h"

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

static brisk_table *new_table(const char *title)
{
    brisk_table *t = brisk_table_new("invariance.fit", title);
    for (size_t k = 0; t && k < sizeof columns / sizeof columns[0]; k++) {
        if (brisk_table_add_column(t, columns[k].key, columns[k].header, columns[k].kind, 3) ==
            (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* One level's row; the differences are to the level before it. */
static brisk_status add_level(brisk_table *t, size_t k, const brisk_fit_measures *f,
                              const brisk_fit_measures *prev)
{
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, levels[k].name))
        return BRISK_ERR_NOMEM;
    double v[] = {(double)f->npar, f->chisq, f->df, f->cfi, f->tli, f->rmsea, f->srmr, f->aic,
                  f->bic};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
        brisk_table_set_num(t, row, j + 1, v[j]);
    if (!prev)
        return BRISK_OK;
    double dchi = f->chisq - prev->chisq, ddf = f->df - prev->df;
    brisk_table_set_num(t, row, 10, dchi);
    brisk_table_set_num(t, row, 11, ddf);
    brisk_table_set_num(t, row, 12, ddf > 0 ? gsl_cdf_chisq_Q(fmax(dchi, 0), ddf) : NAN);
    brisk_table_set_num(t, row, 13, f->cfi - prev->cfi);
    brisk_table_set_num(t, row, 14, f->rmsea - prev->rmsea);
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

brisk_status brisk_invariance(const char *text, const char *source, long first_line,
                              const brisk_dataset *ds, const size_t *rows, size_t nrows,
                              const char *group_column, const brisk_model_options *opt,
                              const char *title, brisk_table_list *out, brisk_error *err)
{
    brisk_table *t = new_table(title ? title : "Measurement invariance");
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_fit_measures prev = {0};
    brisk_status st = BRISK_OK;
    size_t ngroups = 0, nobs = 0;
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
        st = add_level(t, k, &fitted.fit->fit, k ? &prev : NULL);
        prev = fitted.fit->fit;
        ngroups = fitted.ngroups;
        nobs = prev.nobs;
        brisk_fitted_free(&fitted);
    }
    if (st == BRISK_OK)
        st = brisk_table_add_note(t, "%zu groups of '%s', %zu respondents. Each level adds "
                                  "equality constraints to the one above it; Delta "
                                  "chi-square, df and p compare it with that level (likelihood "
                                  "ratio test, as lavaan's lavTestLRT); Delta CFI and RMSEA "
                                  "are its value minus the one above.",
                                  ngroups, group_column, nobs);
    if (st == BRISK_OK)
        return brisk_table_list_add(out, t);
    brisk_table_free(t);
    return st;
}
