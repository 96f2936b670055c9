/* brisk regress: a formula fitted by the regression engines
 * (stats/regress.c) and its coefficients and fit as tables. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "core/util.h"
#include "stats/regression.h"

static const char *const coef_columns[][2] = {
    {"term", "Term"}, {"est", "Estimate"}, {"se", "SE"}, {"stat", "z"}, {"pvalue", "p"},
    {"ci_lower", "CI lower"}, {"ci_upper", "CI upper"}, {"odds_ratio", "Odds ratio"},
    {"or_lower", "OR CI lower"}, {"or_upper", "OR CI upper"},
};

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

static brisk_table *coefficient_table(const design *d, const regress_result *f,
                                      const brisk_regress_options *opt, bool t_stat)
{
    bool odds = opt->family != BRISK_FAMILY_OLS && opt->link == BRISK_LINK_LOGIT;
    size_t ncols = odds ? 10 : 7;
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    double q = t_stat ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, f->df_resid)
                      : gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    brisk_table *t = brisk_table_new("regress.coefficients", "Coefficients");
    for (size_t c = 0; t && c < ncols; c++) {
        const char *header = c == 3 && t_stat ? "t" : coef_columns[c][1];
        if (brisk_table_add_column(t, coef_columns[c][0], header,
                                   c == 0 ? BRISK_CELL_TEXT : c == 4 ? BRISK_CELL_PVALUE
                                                                     : BRISK_CELL_NUMBER,
                                   3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    for (size_t j = 0; t && j < f->p; j++) {
        char *name = parameter_name(d, f, j);
        size_t row = brisk_table_add_row(t);
        if (!name || row == (size_t)-1 || brisk_table_set_text(t, row, 0, name)) {
            free(name);
            brisk_table_free(t);
            return NULL;
        }
        bool coefficient = j >= f->nth && strcmp(name, "(Intercept)") != 0;
        free(name);
        double est = f->est[j], se = sqrt(f->vcov[j * f->p + j]), z = est / se;
        double p = t_stat ? 2 * gsl_cdf_tdist_Q(fabs(z), f->df_resid)
                          : 2 * gsl_cdf_ugaussian_Q(fabs(z));
        double v[] = {NAN, est, se, z, p, est - q * se, est + q * se,
                      coefficient ? exp(est) : NAN, coefficient ? exp(est - q * se) : NAN,
                      coefficient ? exp(est + q * se) : NAN};
        for (size_t c = 1; c < ncols; c++)
            brisk_table_set_num(t, row, c, v[c]);
    }
    return t;
}

typedef struct fit_row {
    const char *key, *label;
    double value;
    bool count;
} fit_row;

static brisk_table *fit_table(const design *d, const regress_result *f, const brisk_regress_options *opt)
{
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    bool likelihood = !sampling;
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
    fit_row rows[16];
    size_t n = 0;
    rows[n++] = (fit_row){"n", "Observations used", (double)d->n, true};
    rows[n++] = (fit_row){"n_dropped", "Left out (missing values)", (double)d->n_dropped, true};
    if (opt->weight && !sampling)
        rows[n++] = (fit_row){"n_weighted", "Cases (sum of frequency weights)", cases, true};
    if (opt->family == BRISK_FAMILY_OLS) {
        rows[n++] = (fit_row){"r2", "R-squared", sampling ? NAN : r2, false};
        rows[n++] = (fit_row){"adj_r2", "Adjusted R-squared", sampling ? NAN : adj, false};
        rows[n++] = (fit_row){"sigma", "Residual SE", sqrt(f->rss / f->df_resid), false};
        rows[n++] = (fit_row){"df_resid", "Residual df", f->df_resid, true};
        rows[n++] = (fit_row){"F", "F", sampling || opt->robust ? NAN : F, false};
    } else {
        rows[n++] = (fit_row){"mcfadden", "McFadden R-squared", likelihood ? mcfadden : NAN, false};
        rows[n++] = (fit_row){"nagelkerke", "Nagelkerke R-squared", likelihood ? nagelkerke : NAN,
                              false};
        rows[n++] = (fit_row){"loglik_null", "Log-likelihood (null model)",
                              likelihood ? f->loglik0 : NAN, false};
        rows[n++] = (fit_row){"iterations", "Iterations", (double)f->iterations, true};
        if (sampling && opt->family == BRISK_FAMILY_LOGIT)   /* the df of its t tests */
            rows[n++] = (fit_row){"df_resid", "Residual df", f->df_resid, true};
    }
    rows[n++] = (fit_row){"loglik", "Log-likelihood", likelihood ? f->loglik : NAN, false};
    rows[n++] = (fit_row){"aic", "AIC", likelihood ? aic : NAN, false};
    rows[n++] = (fit_row){"bic", "BIC", likelihood ? bic : NAN, false};
    brisk_table *t = brisk_table_new("regress.fit", "Model fit");
    if (!t || brisk_table_add_column(t, "measure", "Measure", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
        brisk_table_add_column(t, "value", "Value", BRISK_CELL_NUMBER, 3) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(rows[i].value))
            continue;     /* what this model has no use for is not shown */
        size_t row = brisk_table_add_row(t);
        char count[32];
        snprintf(count, sizeof count, "%.0f", rows[i].value);   /* shown without decimals */
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, rows[i].label) ||
            (rows[i].count && brisk_table_set_text(t, row, 1, count))) {
            brisk_table_free(t);
            return NULL;
        }
        brisk_table_set_num(t, row, 1, rows[i].value);
    }
    return t;
}

static brisk_status add_notes(brisk_table *t, const design *d, const brisk_regress_options *opt,
                              bool t_stat)
{
    static const char *const family[] = {"OLS", "Binary logit", "Proportional-odds ordered"};
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    const char *se = sampling ? "sandwich (linearisation) SEs for sampling weights, as R's survey "
                                "package"
                     : opt->robust == BRISK_ROBUST_HC1 ? "HC1 robust SEs"
                     : opt->robust == BRISK_ROBUST_HC3 ? "HC3 robust SEs"
                     : opt->family == BRISK_FAMILY_OLS ? "classical SEs" : "SEs from the information";
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    char event[300] = "";
    if (opt->family == BRISK_FAMILY_LOGIT)   /* which answer the odds are of */
        snprintf(event, sizeof event, " = %s", d->levels[1]);
    return brisk_table_add_note(t, "%s %s of %s%s on %zu rows (%zu left out for missing "
                                "values)%s%s; %s; %s tests, %.4g%% Wald intervals.",
                                family[opt->family],
                                opt->family == BRISK_FAMILY_ORDINAL
                                    ? opt->link == BRISK_LINK_PROBIT ? "probit" : "logit"
                                    : "regression",
                                d->outcome, event, d->n, d->n_dropped,
                                opt->weight ? ", weighted by " : "",
                                opt->weight ? opt->weight : "", se, t_stat ? "t" : "z",
                                100 * level);
}

brisk_status brisk_regress(const brisk_dataset *ds, const char *formula,
                           const brisk_regress_options *opt, brisk_table_list *out,
                           brisk_error *err)
{
    design d;
    brisk_status st = brisk_design_build(ds, formula, opt, &d, err);
    if (st != BRISK_OK)
        return st;
    regress_result f;
    st = brisk_regress_fit(&d, opt, &f, err);
    bool ordinal = opt->family == BRISK_FAMILY_ORDINAL;
    bool sampling = opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING;
    bool t_stat = opt->family == BRISK_FAMILY_OLS || (sampling && !ordinal);
    brisk_table *coef = st == BRISK_OK ? coefficient_table(&d, &f, opt, t_stat) : NULL;
    brisk_table *fit = st == BRISK_OK ? fit_table(&d, &f, opt) : NULL;
    if (st == BRISK_OK && (!coef || !fit || add_notes(coef, &d, opt, t_stat) != BRISK_OK))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (st = brisk_table_list_add(out, coef)) == BRISK_OK)
        st = brisk_table_list_add(out, fit);
    else {
        brisk_table_free(coef);
        brisk_table_free(fit);
    }
    brisk_regress_result_free(&f);
    brisk_design_free(&d);
    return st;
}
