/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk regress: a formula fitted by the regression engines
 * (stats/regress.c) and its coefficients and fit as tables; for a survey,
 * once per behaviour when the formula names items with {b}, or pooled over
 * a long survey's rows with standard errors clustered by respondent. */
#include <config.h>
#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "core/util.h"
#include "stats/regression.h"

static const char *const coef_columns[][2] = {
    {"term", "Term"}, {"est", "Estimate"}, {"se", "SE"}, {"stat", "z"}, {"pvalue", "p"},
    {"ci_lower", "CI lower"}, {"ci_upper", "CI upper"}, {"odds_ratio", "Odds ratio"},
    {"or_lower", "OR CI lower"}, {"or_upper", "OR CI upper"},
};

/* One fitted model: its design, its estimates, and the behaviour it is of
 * (NULL: the only model). */
typedef struct fitted_model {
    design d;
    regress_result f;
    const char *behaviour;      /* its key */
    const char *label;          /* what tables call it */
} fitted_model;

/* How the models of one run are reported: the options they were fitted
 * with, and their t or z tests. */
typedef struct report {
    const brisk_regress_options *opt;
    bool t_stat;
    bool grouped;               /* a model per behaviour: a behaviour column */
    const char *outcome;        /* as the note names it (NULL: the design's) */
    const char *reversed;       /* reverse-keyed items of the formula, or NULL */
    bool pooled;                /* a long survey's behaviours pooled */
    bool by_respondent;         /* clustered by the survey's id */
    double scale_min, scale_max;    /* their scale */
} report;

static void names_free(char **names, size_t n);

/* The name of parameter j: a threshold "a|b", or the design's term. */
static char *parameter_name(const design *d, const regress_result *f, size_t j)
{
    if (j >= f->nth) {
        size_t term = f->nth ? j - f->nth + 1 : j;   /* ordinal: no intercept */
        return brisk_strdup(d->terms[term]);
    }
    brisk_buf b = {0};
    if (!brisk_buf_printf(&b, "%s|%s", d->levels[j], d->levels[j + 1])) {
        brisk_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ------------------------------------------------------------ coefficients */

static brisk_table *coefficient_columns(const report *rp)
{
    const brisk_regress_options *opt = rp->opt;
    bool odds = opt->family != BRISK_FAMILY_OLS && opt->link == BRISK_LINK_LOGIT;
    size_t ncols = odds ? 10 : 7;
    brisk_table *t = brisk_table_new("regress.coefficients", "Coefficients");
    if (t && rp->grouped &&
        brisk_table_add_column(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t c = 0; t && c < ncols; c++) {
        const char *header = c == 3 && rp->t_stat ? "t" : coef_columns[c][1];
        if (brisk_table_add_column(t, coef_columns[c][0], header,
                                   c == 0 ? BRISK_CELL_TEXT : c == 4 ? BRISK_CELL_PVALUE
                                                                     : BRISK_CELL_NUMBER,
                                   3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* The rows of one model. */
static bool coefficient_rows(brisk_table *t, const report *rp, const fitted_model *m)
{
    const regress_result *f = &m->f;
    const brisk_regress_options *opt = rp->opt;
    bool odds = opt->family != BRISK_FAMILY_OLS && opt->link == BRISK_LINK_LOGIT;
    size_t ncols = odds ? 10 : 7, c0 = rp->grouped ? 1 : 0;
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    double q = rp->t_stat ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, f->df_resid)
                          : gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    for (size_t j = 0; j < f->p; j++) {
        char *name = parameter_name(&m->d, f, j);
        size_t row = brisk_table_add_row(t);
        if (!name || row == (size_t)-1 || brisk_table_set_text(t, row, c0, name) ||
            (rp->grouped && brisk_table_set_text(t, row, 0, m->label))) {
            free(name);
            return false;
        }
        bool coefficient = j >= f->nth && strcmp(name, "(Intercept)") != 0;
        free(name);
        double est = f->est[j], se = sqrt(f->vcov[j * f->p + j]), z = est / se;
        double p = rp->t_stat ? 2 * gsl_cdf_tdist_Q(fabs(z), f->df_resid)
                              : 2 * gsl_cdf_ugaussian_Q(fabs(z));
        double v[] = {NAN, est, se, z, p, est - q * se, est + q * se,
                      coefficient ? exp(est) : NAN, coefficient ? exp(est - q * se) : NAN,
                      coefficient ? exp(est + q * se) : NAN};
        for (size_t c = 1; c < ncols; c++)
            brisk_table_set_num(t, row, c0 + c, v[c]);
    }
    return true;
}

/* ------------------------------------------------------------ fit */

typedef struct fit_row {
    const char *key, *label;
    double value;
    bool count;
} fit_row;

#define MAX_FIT_ROWS 16

/* The fit measures of one model; NaN for what it has no use for. */
static size_t fit_rows(const fitted_model *m, const brisk_regress_options *opt, fit_row *rows)
{
    const design *d = &m->d;
    const regress_result *f = &m->f;
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    bool likelihood = !brisk_design_based(opt);
    double cases = opt->weight && !sampling ? brisk_design_total_weight(d) : (double)d->n;
    double npar = (double)f->p + (opt->family == BRISK_FAMILY_OLS ? 1 : 0);   /* OLS: sigma */
    double aic = -2 * f->loglik + 2 * npar, bic = -2 * f->loglik + npar * log(cases);
    double mcfadden = 1 - f->loglik / f->loglik0;
    double nagelkerke = (1 - exp(2 * (f->loglik0 - f->loglik) / cases)) /
                        (1 - exp(2 * f->loglik0 / cases));
    double k1 = (double)d->k - (d->intercept ? 1 : 0);
    double r2 = 1 - f->rss / f->tss;
    double adj = 1 - (1 - r2) * (cases - (d->intercept ? 1 : 0)) / f->df_resid;
    double F = ((f->tss - f->rss) / k1) / (f->rss / f->df_resid);
    size_t n = 0;
    rows[n++] = (fit_row){"n", "Observations used", (double)d->n, true};
    rows[n++] = (fit_row){"n_dropped", "Left out (missing values)", (double)d->n_dropped, true};
    rows[n++] = (fit_row){"clusters", "Clusters (PSUs)",
                          d->sampled && d->sampling.clustered ? (double)d->sampling.npsu : NAN,
                          true};
    if (opt->strata)
        rows[n++] = (fit_row){"strata", "Strata", (double)d->sampling.nstrata, true};
    if (opt->weight && !sampling)
        rows[n++] = (fit_row){"n_weighted", "Cases (sum of frequency weights)", cases, true};
    if (opt->family == BRISK_FAMILY_OLS) {
        rows[n++] = (fit_row){"r2", "R-squared", likelihood ? r2 : NAN, false};
        rows[n++] = (fit_row){"adj_r2", "Adjusted R-squared", likelihood ? adj : NAN, false};
        rows[n++] = (fit_row){"sigma", "Residual SE", sqrt(f->rss / f->df_resid), false};
        rows[n++] = (fit_row){"df_resid", "Residual df", f->df_resid, true};
        rows[n++] = (fit_row){"F", "F", !likelihood || opt->robust ? NAN : F, false};
    } else {
        rows[n++] = (fit_row){"mcfadden", "McFadden R-squared", likelihood ? mcfadden : NAN, false};
        rows[n++] = (fit_row){"nagelkerke", "Nagelkerke R-squared", likelihood ? nagelkerke : NAN,
                              false};
        rows[n++] = (fit_row){"loglik_null", "Log-likelihood (null model)",
                              likelihood ? f->loglik0 : NAN, false};
        rows[n++] = (fit_row){"iterations", "Iterations", (double)f->iterations, true};
        /* the df of a design's t tests */
        rows[n++] = (fit_row){"df_resid", "Residual df",
                              !likelihood && opt->family == BRISK_FAMILY_LOGIT ? f->df_resid
                                                                               : NAN, true};
    }
    rows[n++] = (fit_row){"loglik", "Log-likelihood", likelihood ? f->loglik : NAN, false};
    rows[n++] = (fit_row){"aic", "AIC", likelihood ? aic : NAN, false};
    rows[n++] = (fit_row){"bic", "BIC", likelihood ? bic : NAN, false};
    return n;
}

/* A cell of the fit table: a count is shown without decimals. */
static bool fit_cell(brisk_table *t, size_t row, size_t col, const fit_row *r)
{
    char count[32];
    snprintf(count, sizeof count, "%.0f", r->value);
    if (r->count && brisk_table_set_text(t, row, col, count))
        return false;
    brisk_table_set_num(t, row, col, r->value);
    return true;
}

/* "Model fit": a row per measure, a value column per model (keyed by its
 * behaviour), a measure no model has a use for left out. */
static brisk_table *fit_table(const fitted_model *models, size_t n, const report *rp)
{
    brisk_table *t = brisk_table_new("regress.fit", "Model fit");
    bool ok = t && brisk_table_add_column(t, "measure", "Measure", BRISK_CELL_TEXT, 0) !=
                       (size_t)-1;
    for (size_t m = 0; ok && m < n; m++)
        ok = brisk_table_add_column(t, rp->grouped ? models[m].behaviour : "value",
                                    rp->grouped ? models[m].label : "Value",
                                    BRISK_CELL_NUMBER, 3) != (size_t)-1;
    fit_row (*rows)[MAX_FIT_ROWS] = ok ? calloc(n, sizeof *rows) : NULL;
    size_t nrows = 0;
    for (size_t m = 0; rows && m < n; m++)
        nrows = fit_rows(&models[m], rp->opt, rows[m]);
    ok = ok && rows;
    for (size_t i = 0; ok && i < nrows; i++) {
        bool used = false;
        for (size_t m = 0; m < n; m++)
            used |= !isnan(rows[m][i].value);
        if (!used)
            continue;     /* what this model has no use for is not shown */
        size_t row = brisk_table_add_row(t);
        ok = row != (size_t)-1 && !brisk_table_set_text(t, row, 0, rows[0][i].label);
        for (size_t m = 0; ok && m < n; m++)
            ok = fit_cell(t, row, 1 + m, &rows[m][i]);
    }
    free(rows);
    if (!ok) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

/* ------------------------------------------------------------ by behaviour */

/* The terms of every model, each once, in the order they first appear: a
 * category no respondent of one behaviour gave is a term of the others. */
static char **union_terms(const fitted_model *models, size_t n, size_t *nterms)
{
    size_t cap = 0;
    for (size_t m = 0; m < n; m++)
        cap += models[m].f.p;
    char **terms = calloc(cap + 1, sizeof *terms);
    *nterms = 0;
    for (size_t m = 0; terms && m < n; m++)
        for (size_t j = 0; j < models[m].f.p; j++) {
            char *name = parameter_name(&models[m].d, &models[m].f, j);
            if (!name) {
                names_free(terms, *nterms);
                return NULL;
            }
            bool seen = false;
            for (size_t k = 0; k < *nterms && !seen; k++)
                seen = strcmp(terms[k], name) == 0;
            if (seen)
                free(name);
            else
                terms[(*nterms)++] = name;
        }
    return terms;
}

/* The parameter of model m named term, or (size_t)-1. */
static size_t parameter_of(const fitted_model *m, const char *term)
{
    for (size_t j = 0; j < m->f.p; j++) {
        char *name = parameter_name(&m->d, &m->f, j);
        bool same = name && strcmp(name, term) == 0;
        free(name);
        if (same)
            return j;
    }
    return (size_t)-1;
}

static bool wide_column(brisk_table *t, const fitted_model *m, const char *what,
                        const char *header, brisk_cell_kind kind)
{
    char key[160];
    snprintf(key, sizeof key, "%s_%s", m->behaviour, what);
    size_t j = brisk_table_add_column(t, key, header, kind, 3);
    return j != (size_t)-1 && brisk_table_set_group(t, j, m->label) == BRISK_OK;
}

/* A row of the wide table's foot: a count or a share in the estimate's
 * column of each model. */
static bool foot_row(brisk_table *t, const fitted_model *models, size_t n, const report *rp,
                     const char *key)
{
    fit_row rows[MAX_FIT_ROWS];
    size_t row = (size_t)-1;
    for (size_t m = 0; m < n; m++) {
        size_t nrows = fit_rows(&models[m], rp->opt, rows), i = 0;
        while (i < nrows && strcmp(rows[i].key, key) != 0)
            i++;
        if (i == nrows || isnan(rows[i].value))
            continue;
        if (row == (size_t)-1 &&
            ((row = brisk_table_add_row(t)) == (size_t)-1 ||
             brisk_table_set_text(t, row, 0, rows[i].label)))
            return false;
        if (!fit_cell(t, row, 1 + 3 * m, &rows[i]))
            return false;
    }
    return true;
}

/* "Coefficients by behaviour": the table a paper prints, a term per row
 * and the estimate, SE and p of each behaviour's model side by side, with
 * the observations and R-squared below. */
static brisk_table *wide_table(const fitted_model *models, size_t n, const report *rp)
{
    size_t nterms = 0;
    char **terms = union_terms(models, n, &nterms);
    brisk_table *t = terms ? brisk_table_new("regress.by_behaviour", "Coefficients by behaviour")
                           : NULL;
    bool ok = t && brisk_table_add_column(t, "term", "Term", BRISK_CELL_TEXT, 0) != (size_t)-1;
    bool blank = false;
    for (size_t m = 0; ok && m < n; m++)
        ok = wide_column(t, &models[m], "est", "Estimate", BRISK_CELL_NUMBER) &&
             wide_column(t, &models[m], "se", "SE", BRISK_CELL_NUMBER) &&
             wide_column(t, &models[m], "p", "p", BRISK_CELL_PVALUE);
    for (size_t k = 0; ok && k < nterms; k++) {
        size_t row = brisk_table_add_row(t);
        ok = row != (size_t)-1 && !brisk_table_set_text(t, row, 0, terms[k]);
        for (size_t m = 0; ok && m < n; m++) {
            const regress_result *f = &models[m].f;
            size_t j = parameter_of(&models[m], terms[k]);
            if (j == (size_t)-1) {
                blank = true;
                continue;
            }
            double se = sqrt(f->vcov[j * f->p + j]), z = f->est[j] / se;
            brisk_table_set_num(t, row, 1 + 3 * m, f->est[j]);
            brisk_table_set_num(t, row, 2 + 3 * m, se);
            brisk_table_set_num(t, row, 3 + 3 * m,
                                rp->t_stat ? 2 * gsl_cdf_tdist_Q(fabs(z), f->df_resid)
                                           : 2 * gsl_cdf_ugaussian_Q(fabs(z)));
        }
    }
    static const char *const foot[] = {"n", "r2", "adj_r2", "mcfadden"};
    for (size_t i = 0; ok && i < sizeof foot / sizeof *foot; i++)
        ok = foot_row(t, models, n, rp, foot[i]);
    ok = ok && brisk_table_add_note(t, "Each behaviour's model as under Coefficients (its "
                                    "CIs there); %s tests.%s", rp->t_stat ? "t" : "z",
                                    blank ? " A blank: the term is not in that behaviour's "
                                            "model (no respondent of it in that category)."
                                          : "") == BRISK_OK;
    names_free(terms, nterms);
    if (!ok) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

/* ------------------------------------------------------------ notes */

/* The sampling design the SEs come from, as svydesign declares it. */
static brisk_status design_note(brisk_table *t, const fitted_model *m, const report *rp)
{
    const design *d = &m->d;
    const brisk_regress_options *opt = rp->opt;
    brisk_buf call = {0}, parts = {0};
    bool ok = brisk_buf_printf(&call, "svydesign(ids = ~%s", opt->cluster ? opt->cluster : "1");
    if (opt->strata)
        ok = ok && brisk_buf_printf(&call, ", strata = ~%s", opt->strata) &&
             brisk_buf_printf(&parts, "stratified by '%s' (%zu strata), ", opt->strata,
                              d->sampling.nstrata);
    if (opt->fpc)
        ok = ok && brisk_buf_printf(&call, ", fpc = ~%s", opt->fpc) &&
             brisk_buf_printf(&parts, "with the finite population correction '%s', ", opt->fpc);
    if (opt->weight)
        ok = ok && brisk_buf_printf(&call, ", weights = ~%s", opt->weight);
    ok = ok && brisk_buf_printf(&call, "%s)", opt->strata && opt->cluster ? ", nest = TRUE" : "");
    if (opt->cluster)
        ok = ok && brisk_buf_printf(&parts, "clustered by '%s' (%zu %s), ", opt->cluster,
                                    d->sampling.npsu,
                                    rp->by_respondent ? "respondents" : "clusters");
    char df[128] = "";
    if (rp->t_stat)
        snprintf(df, sizeof df, "; the t tests have %.0f degrees of freedom (PSUs minus strata, "
                 "plus 1, minus parameters, as svyglm's)", m->f.df_resid);
    if (opt->calibration)
        ok = ok && brisk_buf_printf(&parts, "the weight raked to the survey's [margins] (the "
                                    "scores' residuals on them in the variance, as svyglm on "
                                    "a raked design), ");
    brisk_status st = ok ? brisk_table_add_note(
        t, "%sStandard errors from the sampling design: %s%s, as %s gives them%s.",
        rp->pooled ? "Rows pooled over the behaviours: a respondent's rows are not "
                     "independent. " : "",
        parts.data ? parts.data : "",
        opt->cluster ? "one stage" : "one stage, each row its own PSU", call.data, df)
        : BRISK_ERR_NOMEM;
    brisk_buf_free(&call);
    brisk_buf_free(&parts);
    return st;
}

/* What the models are: family, outcome, rows, weight, SEs, tests. */
static brisk_status add_notes(brisk_table *t, const fitted_model *m, size_t n, const report *rp)
{
    static const char *const family[] = {"OLS", "Binary logit", "Proportional-odds ordered"};
    const brisk_regress_options *opt = rp->opt;
    const design *d = &m[0].d;
    const char *se = brisk_design_based(opt) ? "design-based (linearisation) SEs, as R's "
                                                 "survey package"
                     : opt->robust == BRISK_ROBUST_HC1 ? "HC1 robust SEs"
                     : opt->robust == BRISK_ROBUST_HC3 ? "HC3 robust SEs"
                     : opt->family == BRISK_FAMILY_OLS ? "classical SEs" : "SEs from the information";
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    char event[300] = "", rows[160];
    if (opt->family == BRISK_FAMILY_LOGIT)   /* which answer the odds are of */
        snprintf(event, sizeof event, " = %s", d->levels[1]);
    if (n == 1 && !rp->grouped)
        snprintf(rows, sizeof rows, "on %zu rows (%zu left out for missing values)", d->n,
                 d->n_dropped);
    else
        snprintf(rows, sizeof rows, ", one model per behaviour, each on the behaviour's "
                 "respondents (rows used and left out under Model fit)");
    brisk_status st = brisk_table_add_note(
        t, "%s %s of %s%s%s%s%s%s; %s; %s tests, %.4g%% Wald intervals.", family[opt->family],
        opt->family == BRISK_FAMILY_ORDINAL ? opt->link == BRISK_LINK_PROBIT ? "probit" : "logit"
                                            : "regression",
        rp->outcome ? rp->outcome : d->outcome, event, rows[0] == ',' ? "" : " ", rows,
        opt->weight ? ", weighted by " : "",
        opt->weight ? opt->weight : "", se, rp->t_stat ? "t" : "z", 100 * level);
    if (st == BRISK_OK && brisk_design_based(opt))
        st = design_note(t, &m[0], rp);
    if (st == BRISK_OK && rp->reversed)
        st = brisk_table_add_note(
            t, "Reverse-keyed (the survey's [reverse]): %s. Fitted on the recoded answers, "
               "%g + %g - x, and labelled by them: code x carries the label code %g + %g - x "
               "had.", rp->reversed, rp->scale_min, rp->scale_max, rp->scale_min, rp->scale_max);
    return st;
}

/* ------------------------------------------------------------ fitting */

static void model_free(fitted_model *m)
{
    brisk_regress_result_free(&m->f);
    brisk_design_free(&m->d);
}

static brisk_status fit_model(const brisk_dataset *ds, const char *formula,
                              const brisk_regress_options *opt, fitted_model *m,
                              brisk_error *err)
{
    memset(m, 0, sizeof *m);
    brisk_status st = brisk_design_build(ds, formula, opt, &m->d, err);
    if (st != BRISK_OK)
        return st;
    st = brisk_regress_fit(&m->d, opt, &m->f, err);
    if (st != BRISK_OK)
        model_free(m);
    return st;
}

/* The coefficients and fit of models[0..n) into out, with the notes. */
static brisk_status tables_of(const fitted_model *models, size_t n, const report *rp,
                              brisk_table_list *out, brisk_error *err)
{
    brisk_table *coef = coefficient_columns(rp), *fit = fit_table(models, n, rp);
    brisk_table *wide = rp->grouped ? wide_table(models, n, rp) : NULL;
    bool ok = coef && fit && (wide || !rp->grouped);
    for (size_t m = 0; ok && m < n; m++)
        ok = coefficient_rows(coef, rp, &models[m]);
    if (!ok || add_notes(coef, models, n, rp) != BRISK_OK) {
        brisk_table_free(wide);
        brisk_table_free(coef);
        brisk_table_free(fit);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = wide ? brisk_table_list_add(out, wide) : BRISK_OK;   /* frees on failure */
    if (st != BRISK_OK) {
        brisk_table_free(coef);
        brisk_table_free(fit);
        return st;
    }
    st = brisk_table_list_add(out, coef);
    if (st == BRISK_OK)
        return brisk_table_list_add(out, fit);
    brisk_table_free(fit);
    return st;
}

static report plain_report(const brisk_regress_options *opt, bool grouped)
{
    bool ordinal = opt->family == BRISK_FAMILY_ORDINAL;
    return (report){.opt = opt, .grouped = grouped,
                    .t_stat = opt->family == BRISK_FAMILY_OLS || (brisk_design_based(opt) && !ordinal)};
}

brisk_status brisk_regress(const brisk_dataset *ds, const char *formula,
                           const brisk_regress_options *opt, brisk_table_list *out,
                           brisk_error *err)
{
    fitted_model m;
    brisk_status st = fit_model(ds, formula, opt, &m, err);
    if (st != BRISK_OK)
        return st;
    report rp = plain_report(opt, false);
    st = tables_of(&m, 1, &rp, out, err);
    model_free(&m);
    return st;
}

/* ------------------------------------------------------------ a survey */

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '{' || c == '}' ||
           ((unsigned char)c & 0x80);
}

/* The name at p, bare or in backticks (`Trust {b}`): its text in *name and
 * *len, and where it ends; NULL where none starts (a number, a function's
 * name, an operator).  *function says a function's name was skipped. */
static const char *name_at(const char *p, const char **name, size_t *len, bool *function)
{
    *function = false;
    if (*p == '`') {
        const char *close = strchr(p + 1, '`');
        if (!close)
            return NULL;
        *name = p + 1;
        *len = (size_t)(close - p - 1);
        return close + 1;
    }
    if (!is_name_char(*p) || isdigit((unsigned char)*p) ||
        (*p == '.' && isdigit((unsigned char)p[1])))
        return NULL;
    const char *end = p;
    while (is_name_char(*end))
        end++;
    const char *after = end + strspn(end, " \t");
    *function = *after == '(';
    *name = p;
    *len = (size_t)(end - p);
    return end;
}

/* Past the token at p that is no name: a number (1e-4) or one character. */
static const char *skip_other(const char *p)
{
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
        while (isalnum((unsigned char)*p) || *p == '.' ||
               ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E')))
            p++;
        return p;
    }
    return p + 1;
}

/* The names of a formula in order ("acc1_{b}", "age", "Trust 1", ...), each
 * once, without backticks or the functions called; *n of them, a new array
 * of new strings, or NULL when out of memory. */
static char **formula_names(const char *formula, size_t *n)
{
    size_t cap = 0;
    char **names = calloc(1, sizeof *names);
    bool ok = names != NULL;
    *n = 0;
    for (const char *p = formula; ok && *p;) {
        const char *start;
        size_t len;
        bool function;
        const char *end = name_at(p, &start, &len, &function);
        if (!end) {
            p = skip_other(p);
            continue;
        }
        p = end;
        if (function)
            continue;
        char *name = brisk_strndup(start, len);
        bool seen = false;
        for (size_t i = 0; name && i < *n && !seen; i++)
            seen = strcmp(names[i], name) == 0;
        ok = name && (seen || brisk_grow((void **)&names, &cap, *n + 1, sizeof *names));
        if (ok && !seen)
            names[(*n)++] = name;
        else
            free(name);
    }
    if (!ok) {
        for (size_t i = 0; names && i < *n; i++)
            free(names[i]);
        free(names);
        return NULL;
    }
    return names;
}

static void names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* A survey's formula and what its names are. */
typedef struct survey_formula {
    const brisk_survey *s;
    const char *text;
    char **names;              /* formula_names() */
    size_t nnames;
    bool per_behaviour;        /* a name carries {b}: a model per behaviour */
    brisk_buf reversed;        /* its reverse-keyed items, "pr3_{b}, pr2_crime" */
    char *lhs;                 /* the outcome as written ("log(acc1_{b})"; a name
                                  without its backticks) */
} survey_formula;

/* The outcome as the formula writes it, a new string (NULL: no memory). */
static char *left_hand_side(const char *formula)
{
    size_t end = strcspn(formula, "~"), start = strspn(formula, " \t");
    while (end > start && (formula[end - 1] == ' ' || formula[end - 1] == '\t'))
        end--;
    if (end < start)
        end = start;
    if (end - start > 2 && formula[start] == '`' && formula[end - 1] == '`' &&
        !memchr(formula + start + 1, '`', end - start - 2)) {
        start++;
        end--;
    }
    return brisk_strndup(formula + start, end - start);
}

/* The wide name of the long layout's column name for behaviour b ("pb1"
 * is "pb1_crime" when the formula writes pb1_{b}), or NULL. */
static char *wide_of(const survey_formula *sf, size_t b, const char *name, size_t len)
{
    for (size_t i = 0; i < sf->nnames; i++) {
        if (!brisk_template_is_per_behaviour(sf->names[i]))
            continue;
        char *column = brisk_survey_column_name(sf->s, sf->names[i], b);
        bool same = column && strlen(column) == len && strncmp(column, name, len) == 0;
        free(column);
        if (same)
            return brisk_survey_wide_name(sf->s, sf->names[i], b);
    }
    return NULL;
}

/* part[0..len) with each name of a behaviour's column by its wide name
 * ("log(pb1)" is "log(pb1_crime)"). */
static bool rename_names(const survey_formula *sf, size_t b, const char *part, size_t len,
                         brisk_buf *out)
{
    bool ok = true;
    for (const char *p = part, *stop = part + len; ok && p < stop;) {
        const char *name;
        size_t n;
        bool function;
        const char *end = name_at(p, &name, &n, &function);
        if (!end || end > stop) {
            const char *next = skip_other(p);
            next = next > stop ? stop : next;
            ok = brisk_buf_append(out, p, (size_t)(next - p));
            p = next;
            continue;
        }
        char *wide = function ? NULL : wide_of(sf, b, name, n);
        bool quoted = *p == '`';
        ok = wide ? brisk_buf_printf(out, quoted ? "`%s`" : "%s", wide)
                  : brisk_buf_append(out, p, (size_t)(end - p));
        free(wide);
        p = end;
    }
    return ok;
}

/* Rename, in the long layout, a behaviour's column in a term ("pb1",
 * "pb1:gender=2", "log(pb1)") to its wide name ("pb1_crime"), so that the
 * tables of both layouts read the same.  A new string, or NULL. */
static char *display_term(const survey_formula *sf, size_t b, const char *term)
{
    brisk_buf out = {0};
    bool ok = true;
    for (const char *p = term; ok && *p;) {
        size_t len = strcspn(p, ":="), rest = strcspn(p, ":");
        ok = rename_names(sf, b, p, len, &out) && brisk_buf_append(&out, p + len, rest - len);
        p += rest;
        if (ok && *p == ':') {
            ok = brisk_buf_puts(&out, ":");
            p++;
        }
    }
    if (ok && !out.data)
        ok = brisk_buf_puts(&out, "");
    if (!ok)
        brisk_buf_free(&out);
    return out.data;
}

/* The long layout's names of behaviour b's model shown by their wide names. */
static bool rename_terms(const survey_formula *sf, size_t b, design *d)
{
    for (size_t j = 0; j < d->k; j++) {
        char *name = display_term(sf, b, d->terms[j]);
        if (!name)
            return false;
        free(d->terms[j]);
        d->terms[j] = name;
    }
    char *outcome = display_term(sf, b, d->outcome);
    if (!outcome)
        return false;
    free(d->outcome);
    d->outcome = outcome;
    return true;
}

/* The outcome of the formula (its first name). */
static const char *outcome_of(const survey_formula *sf)
{
    return sf->nnames ? sf->names[0] : "";
}

/* "pr3_{b}, pr2_crime": the reverse-keyed items among the formula's names,
 * for the note. */
static bool reversed_names(const survey_formula *sf, brisk_buf *list)
{
    bool ok = true;
    for (size_t i = 0; ok && i < sf->nnames; i++) {
        size_t b;
        const brisk_survey_entry *e = brisk_survey_find_item(sf->s, sf->names[i], &b);
        if (e && brisk_survey_is_reversed(sf->s, e->key))
            ok = brisk_buf_printf(list, "%s%s", list->len ? ", " : "", sf->names[i]);
    }
    return ok;
}

/* How a survey's models are reported: the outcome as the formula writes
 * it, and its reverse-keyed items. */
static report report_of(const survey_formula *sf, const brisk_regress_options *opt, bool grouped)
{
    report rp = plain_report(opt, grouped);
    rp.outcome = sf->lhs;
    rp.reversed = sf->reversed.len ? sf->reversed.data : NULL;
    rp.scale_min = sf->s->scale_min;
    rp.scale_max = sf->s->scale_max;
    return rp;
}

/* A logit of an item models agreeing (the survey's agree range) or not. */
static void agree_event(const survey_formula *sf, brisk_regress_options *opt)
{
    size_t b;
    const brisk_survey *s = sf->s;
    if (opt->family != BRISK_FAMILY_LOGIT || !s->has_agree ||
        !brisk_survey_find_item(s, outcome_of(sf), &b))
        return;
    opt->has_event = true;
    opt->event_min = s->agree_min;
    opt->event_max = s->agree_max;
}

/* A model per behaviour: {b} expanded for each behaviour (the long
 * layout's columns, on the behaviour's rows). */
static brisk_status per_behaviour(const brisk_survey_data *d, const survey_formula *sf,
                                  const brisk_regress_options *opt, brisk_table_list *out,
                                  brisk_error *err)
{
    const brisk_survey *s = sf->s;
    fitted_model *models = calloc(s->nbehaviours + 1, sizeof *models);
    size_t n = 0;
    brisk_status st = models ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t b = 0; st == BRISK_OK && b < s->nbehaviours; b++) {
        char *text = brisk_survey_column_name(s, sf->text, b);
        brisk_regress_options one = *opt;
        one.rows = d->rows[b];
        one.nrows = d->nrows[b];
        st = text ? fit_model(d->ds, text, &one, &models[n], err)
                  : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        free(text);
        if (st != BRISK_OK) {
            if (st != BRISK_ERR_NOMEM)
                brisk_name_behaviour(err, s->behaviours[b].key);
            break;
        }
        models[n].behaviour = s->behaviours[b].key;
        models[n].label = brisk_behaviour_label(s, b);
        if (!rename_terms(sf, b, &models[n++].d))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    report rp = report_of(sf, opt, true);
    if (st == BRISK_OK)
        st = tables_of(models, n, &rp, out, err);
    for (size_t m = 0; m < n; m++)
        model_free(&models[m]);
    free(models);
    return st;
}

/* The rows of every behaviour, in file order (a long survey's rows of
 * behaviours it does not declare are not its data). */
static size_t *behaviour_rows(const brisk_survey_data *d, size_t *n)
{
    size_t total = d->ds->nrows;
    bool *in = calloc(total + 1, sizeof *in);
    size_t *rows = malloc((total + 1) * sizeof *rows);
    *n = 0;
    if (!in || !rows) {
        free(in);
        free(rows);
        return NULL;
    }
    for (size_t b = 0; b < brisk_survey_nblocks(d->survey); b++)
        for (size_t i = 0; i < d->nrows[b]; i++)
            in[d->rows[b][i]] = true;
    for (size_t r = 0; r < total; r++)
        if (in[r])
            rows[(*n)++] = r;
    free(in);
    return rows;
}

/* In the long layout a pooled formula names the long columns: a wide
 * name ("acc1_crime", one behaviour's item) is no column there, and the
 * message says what to write instead. */
static brisk_status long_names(const survey_formula *sf, const brisk_dataset *ds,
                               brisk_error *err)
{
    const brisk_survey *s = sf->s;
    for (size_t i = 0; i < sf->nnames; i++) {
        size_t b = (size_t)-1;
        const brisk_survey_entry *e = brisk_dataset_find(ds, sf->names[i])
                                          ? NULL
                                          : brisk_survey_find_item(s, sf->names[i], &b);
        if (!e || b == (size_t)-1)
            continue;
        brisk_error_variable(err, sf->names[i]);
        return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is item %s of behaviour '%s', but "
                               "in the long layout of %s the behaviours are rows: write '%s' "
                               "for a model per behaviour, or the long column for one model "
                               "pooled over them", sf->names[i], e->key, s->behaviours[b].key,
                               s->path, e->key);
    }
    return BRISK_OK;
}

/* One model over every row: in the long layout a respondent has a row per
 * behaviour, so the rows are clustered by the respondent's id. */
static brisk_status pooled(const brisk_survey_data *d, const survey_formula *sf,
                           const brisk_regress_options *opt, brisk_table_list *out,
                           brisk_error *err)
{
    const brisk_survey *s = sf->s;
    brisk_regress_options one = *opt;
    size_t *rows = NULL;
    if (s->layout == BRISK_LAYOUT_LONG && s->nbehaviours) {
        brisk_status named = long_names(sf, d->ds, err);
        if (named != BRISK_OK)
            return named;
        if (!(rows = behaviour_rows(d, &one.nrows)))
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        one.rows = rows;
        if (!one.cluster)
            one.cluster = s->id;
    }
    fitted_model m;
    brisk_status st = fit_model(d->ds, sf->text, &one, &m, err);
    report rp = report_of(sf, &one, false);
    rp.outcome = NULL;   /* the column's own name */
    rp.pooled = rows != NULL;
    rp.by_respondent = one.cluster && s->id && strcmp(one.cluster, s->id) == 0;
    if (st == BRISK_OK) {
        st = tables_of(&m, 1, &rp, out, err);
        model_free(&m);
    }
    free(rows);
    return st;
}

brisk_status brisk_regress_survey(const brisk_survey_data *d, const char *formula,
                                  const brisk_regress_options *opt, brisk_table_list *out,
                                  brisk_error *err)
{
    const brisk_survey *s = d->survey;
    survey_formula sf = {.s = s, .text = formula, .per_behaviour =
                                                      brisk_template_is_per_behaviour(formula)};
    if (sf.per_behaviour && !s->nbehaviours)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "formula '%s' uses {b}, but the survey "
                               "%s has no [behaviours] to run it for", formula, s->path);
    if (!(sf.names = formula_names(formula, &sf.nnames)) || !reversed_names(&sf, &sf.reversed) ||
        !(sf.lhs = left_hand_side(formula))) {
        names_free(sf.names, sf.nnames);
        free(sf.lhs);
        brisk_buf_free(&sf.reversed);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_regress_options o = *opt;
    if (!o.source)
        o.source = s->data_path;
    /* the survey's raked weight brings its calibration to the variances */
    if (o.weight && s->weight && strcmp(o.weight, s->weight) == 0 &&
        o.weight_type == BRISK_WEIGHT_SAMPLING)
        o.calibration = brisk_survey_calibration(d);
    agree_event(&sf, &o);
    brisk_status st = sf.per_behaviour ? per_behaviour(d, &sf, &o, out, err)
                                       : pooled(d, &sf, &o, out, err);
    names_free(sf.names, sf.nnames);
    brisk_buf_free(&sf.reversed);
    free(sf.lhs);
    return st;
}
