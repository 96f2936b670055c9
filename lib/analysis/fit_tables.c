/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fit as tables (text, csv, md) and as DESIGN.md's JSON document. */
#include <config.h>
#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/version.h"
#include "analysis_internal.h"
#include "core/util.h"
#include "export/json.h"

typedef struct measure {
    const char *key, *name;
    bool integer;
    size_t offset;   /* into brisk_fit_measures, for doubles */
} measure;

#define MEASURE(k, n) {#k, n, false, offsetof(brisk_fit_measures, k)}
static const measure measures[] = {
    {"nobs", "Observations", true, 0},
    {"npar", "Free parameters", true, 0},
    MEASURE(chisq, "Chi-square"), {"df", "Degrees of freedom", true, offsetof(brisk_fit_measures, df)},
    MEASURE(pvalue, "p (chi-square)"),
    MEASURE(baseline_chisq, "Baseline chi-square"),
    {"baseline_df", "Baseline df", true, offsetof(brisk_fit_measures, baseline_df)},
    MEASURE(cfi, "CFI"), MEASURE(tli, "TLI"), MEASURE(rmsea, "RMSEA"),
    MEASURE(rmsea_ci_lower, "RMSEA 90% CI lower"), MEASURE(rmsea_ci_upper, "RMSEA 90% CI upper"),
    MEASURE(rmsea_pvalue, "p (RMSEA <= .05)"), MEASURE(srmr, "SRMR"),
    MEASURE(loglik, "Log-likelihood"), MEASURE(unrestricted_loglik, "Unrestricted log-likelihood"),
    MEASURE(aic, "AIC"), MEASURE(bic, "BIC"), MEASURE(sabic, "Sample-size adjusted BIC"),
};
#define NMEASURES (sizeof measures / sizeof measures[0])

/* The scaled test's measures (MLR, WLSMV) and the robust indices (both),
 * named as lavaan's fitMeasures names them (with _ for .), after the
 * others. */
static const measure scaled_measures[] = {
    MEASURE(chisq_scaled, "Chi-square (scaled)"),
    MEASURE(pvalue_scaled, "p (scaled chi-square)"),
    MEASURE(scaling_factor, "Scaling factor"),
    MEASURE(shift, "Shift parameter"),
    MEASURE(baseline_chisq_scaled, "Baseline chi-square (scaled)"),
    MEASURE(baseline_scaling_factor, "Baseline scaling factor"),
    MEASURE(cfi_scaled, "CFI (scaled)"), MEASURE(tli_scaled, "TLI (scaled)"),
    MEASURE(rmsea_scaled, "RMSEA (scaled)"),
    MEASURE(rmsea_ci_lower_scaled, "RMSEA (scaled) 90% CI lower"),
    MEASURE(rmsea_ci_upper_scaled, "RMSEA (scaled) 90% CI upper"),
};
#define NSCALED (sizeof scaled_measures / sizeof scaled_measures[0])
static const measure robust_measures[] = {
    MEASURE(cfi_robust, "CFI (robust)"), MEASURE(tli_robust, "TLI (robust)"),
    MEASURE(rmsea_robust, "RMSEA (robust)"),
    MEASURE(rmsea_ci_lower_robust, "RMSEA (robust) 90% CI lower"),
    MEASURE(rmsea_ci_upper_robust, "RMSEA (robust) 90% CI upper"),
};
#define NROBUST (sizeof robust_measures / sizeof robust_measures[0])

/* Whether a measure belongs to these results: the shift only with WLSMV's
 * scaled-shifted test, the scaled ones with a scaled test, the robust ones
 * with MLR and WLSMV. */
static double measure_value(const brisk_fit_measures *f, const measure *m);

static bool shown(const brisk_fit_measures *f, const measure *m)
{
    if ((f->shift != 0 || brisk_estimator_least_squares(f->estimator)) &&
        isnan(measure_value(f, m)))
        return false;   /* WLSMV, least squares: no likelihood, no AIC */
    if (m >= scaled_measures && m < scaled_measures + NSCALED)
        return f->scaled && (strcmp(m->key, "shift") != 0 || f->shift != 0);
    if (m >= robust_measures && m < robust_measures + NROBUST)
        return f->robust;
    return true;
}

/* Measure k of the list for these results: the classical ones, then the
 * scaled and robust ones that any result has. */
static const measure *measure_at(const brisk_fit_result *results, size_t n, size_t k)
{
    for (size_t i = 0; i < NMEASURES + NSCALED + NROBUST; i++) {
        const measure *m = i < NMEASURES ? &measures[i]
                           : i < NMEASURES + NSCALED ? &scaled_measures[i - NMEASURES]
                                                     : &robust_measures[i - NMEASURES - NSCALED];
        bool any = false;
        for (size_t g = 0; g < n && !any; g++)
            any = results[g].fit && shown(&results[g].fit->fit, m);
        if (any && k-- == 0)
            return m;
    }
    return NULL;
}

static double measure_value(const brisk_fit_measures *f, const measure *m)
{
    if (strcmp(m->key, "nobs") == 0)
        return (double)f->nobs;
    if (strcmp(m->key, "npar") == 0)
        return (double)f->npar;
    return *(const double *)((const char *)f + m->offset);
}

static const char *group_name(const brisk_fit_result *r)
{
    return r->group ? r->group : "value";
}

/* What tables and notes call a result: the behaviour's label, else its key. */
static const char *shown_name(const brisk_fit_result *r)
{
    return r->label ? r->label : r->group;
}

static brisk_table *measures_table(const brisk_fit_result *results, size_t n)
{
    brisk_table *t = brisk_table_new("fit.measures", "Model fit");
    if (!t || brisk_table_add_column(t, "measure", "Measure", BRISK_CELL_TEXT, 0) == (size_t)-1)
        goto fail;
    for (size_t g = 0; g < n; g++)
        if (brisk_table_add_column(t, group_name(&results[g]), results[g].group
                                   ? shown_name(&results[g]) : "Value", BRISK_CELL_NUMBER, 3) == (size_t)-1)
            goto fail;
    const measure *mk;
    for (size_t k = 0; (mk = measure_at(results, n, k)) != NULL; k++) {
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, mk->name))
            goto fail;
        for (size_t g = 0; g < n; g++) {
            if (!results[g].fit)
                continue;
            double v = measure_value(&results[g].fit->fit, mk);
            char text[32];
            snprintf(text, sizeof text, "%.0f", v);
            if (mk->integer ? brisk_table_set_text(t, row, g + 1, text) != BRISK_OK : false)
                goto fail;
            brisk_table_set_num(t, row, g + 1, v);
        }
    }
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} param_columns[] = {
    {"group", "Group", BRISK_CELL_TEXT}, {"lhs", "lhs", BRISK_CELL_TEXT},
    {"op", "op", BRISK_CELL_TEXT}, {"rhs", "rhs", BRISK_CELL_TEXT},
    {"label", "Label", BRISK_CELL_TEXT}, {"free", "Free", BRISK_CELL_BOOL},
    {"est", "Estimate", BRISK_CELL_NUMBER}, {"se", "SE", BRISK_CELL_NUMBER},
    {"z", "z", BRISK_CELL_NUMBER}, {"pvalue", "p", BRISK_CELL_PVALUE},
    {"ci_lower", "CI lower", BRISK_CELL_NUMBER}, {"ci_upper", "CI upper", BRISK_CELL_NUMBER},
    {"std_lv", "Std.lv", BRISK_CELL_NUMBER}, {"std_all", "Std.all", BRISK_CELL_NUMBER},
};

static bool multigroup(const brisk_fit_result *r)
{
    return r->fitted && r->fitted->ngroups > 1;
}

/* Column index shift: the group column exists only for behaviours or
 * multi-group fits. */
static size_t group_shift(const brisk_fit_result *results)
{
    return results[0].group || multigroup(&results[0]) ? 1 : 0;
}

/* The header of the first column: the behaviours, or a multi-group fit's
 * groups (both: "Behaviour: group"). */
static const char *group_header(const brisk_fit_result *results)
{
    return !results[0].group ? "Group" : multigroup(&results[0]) ? "Behaviour: group"
                                                                  : "Behaviour";
}

/* "crime", "Pasteur", or "crime: Pasteur" for group g of a result;
 * (size_t)-1 for no group ("crime" or ""). */
static const char *group_text(const brisk_fit_result *r, size_t g, char *buf, size_t size)
{
    if (!multigroup(r) || g == (size_t)-1)
        return r->group ? shown_name(r) : "";
    if (!r->group)
        return r->fitted->group_labels[g];
    snprintf(buf, size, "%s: %s", shown_name(r), r->fitted->group_labels[g]);
    return buf;
}

/* Respondents a fit used, over all its groups. */
static size_t used_n(const brisk_fit_result *r)
{
    size_t n = 0;
    for (size_t g = 0; r->fitted && g < r->fitted->ngroups; g++)
        n += r->fitted->moments[g].n;
    return n;
}

/* The name of threshold k ("t1", "t2", ... within its item). */
static void threshold_name(const brisk_fit *fit, size_t k, char *buf, size_t size)
{
    size_t c = 1;
    for (size_t i = k; i > 0 && fit->threshold_item[i - 1] == fit->threshold_item[k] &&
                       fit->threshold_group[i - 1] == fit->threshold_group[k]; i--)
        c++;
    snprintf(buf, size, "t%zu", c);
}

/* WLSMV's threshold k as a row of estimates: z, p and the 95% interval
 * from its robust SE; std.lv the estimate, std.all over the latent
 * response's standard deviation (lavaan's). */
static brisk_estimate threshold_estimate(const brisk_fit *fit, size_t k)
{
    double est = fit->thresholds[k], se = fit->threshold_se[k], z = est / se;
    return (brisk_estimate){.est = est, .se = se, .z = z,
                            .pvalue = 2 * gsl_cdf_ugaussian_Q(fabs(z)),
                            .ci_lower = est - 1.959963984540054 * se,
                            .ci_upper = est + 1.959963984540054 * se, .std_lv = est,
                            .std_all = fit->threshold_std[k], .std_se = NAN,
                            .std_ci_lower = NAN, .std_ci_upper = NAN, .std_lv_se = NAN,
                            .std_all_se = NAN};
}

/* WLSMV's thresholds, "item | tK" as lavaan lists them. */
static brisk_status threshold_rows(brisk_table *t, const brisk_fit_result *r, size_t g0)
{
    const brisk_fit *fit = r->fit;
    for (size_t k = 0; k < fit->nthresholds; k++) {
        char name[32], buf[300];
        threshold_name(fit, k, name, sizeof name);
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 ||
            (g0 && brisk_table_set_text(t, row, 0, group_text(r, fit->threshold_group[k], buf,
                                                                sizeof buf))) ||
            brisk_table_set_text(t, row, g0, brisk_model_observed(fit->model,
                                                                  fit->threshold_item[k])) ||
            brisk_table_set_text(t, row, g0 + 1, "|") || brisk_table_set_text(t, row, g0 + 2, name) ||
            brisk_table_set_text(t, row, g0 + 3, ""))
            return BRISK_ERR_NOMEM;
        brisk_estimate e = threshold_estimate(fit, k);
        double v[] = {1, e.est, e.se, e.z, e.pvalue, e.ci_lower, e.ci_upper, e.std_lv, e.std_all};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
            brisk_table_set_num(t, row, g0 + 4 + c, v[c]);
    }
    return BRISK_OK;
}

/* A scale factor (WLSMV with equal thresholds) as a row of estimates:
 * fixed at 1 in the first group; std.lv the estimate, std.all 1 (times
 * the latent response's standard deviation, 1 over it: lavaan's). */
static bool scale_free(const brisk_fit *fit, size_t k)
{
    /* the theta parameterization's are derived: no SE */
    return fit->scale_group[k] > 0 && fit->scale_se[k] > 0;
}

static bool any_scale_free(const brisk_fit *fit)
{
    for (size_t k = 0; k < fit->nscales; k++)
        if (scale_free(fit, k))
            return true;
    return false;
}

static brisk_estimate scale_estimate(const brisk_fit *fit, size_t k)
{
    double est = fit->scales[k], se = fit->scale_se[k];
    bool free = scale_free(fit, k);
    double z = free ? est / se : NAN, half = free ? 1.959963984540054 * se : 0;
    return (brisk_estimate){.est = est, .se = se, .z = z,
                            .pvalue = free ? 2 * gsl_cdf_ugaussian_Q(fabs(z)) : NAN,
                            .ci_lower = est - half, .ci_upper = est + half, .std_lv = est,
                            .std_all = 1, .std_se = NAN, .std_ci_lower = NAN,
                            .std_ci_upper = NAN, .std_lv_se = NAN, .std_all_se = NAN};
}

/* The scale factors, "item ~*~ item" as lavaan lists them. */
static brisk_status scale_rows(brisk_table *t, const brisk_fit_result *r, size_t g0)
{
    const brisk_fit *fit = r->fit;
    for (size_t k = 0; k < fit->nscales; k++) {
        char buf[300];
        const char *item = brisk_model_observed(fit->model, fit->scale_item[k]);
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 ||
            (g0 && brisk_table_set_text(t, row, 0, group_text(r, fit->scale_group[k], buf,
                                                                sizeof buf))) ||
            brisk_table_set_text(t, row, g0, item) || brisk_table_set_text(t, row, g0 + 1, "~*~") ||
            brisk_table_set_text(t, row, g0 + 2, item) || brisk_table_set_text(t, row, g0 + 3, ""))
            return BRISK_ERR_NOMEM;
        brisk_estimate e = scale_estimate(fit, k);
        double v[] = {scale_free(fit, k), e.est, e.se, e.z, e.pvalue, e.ci_lower,
                      e.ci_upper, e.std_lv, e.std_all};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
            brisk_table_set_num(t, row, g0 + 4 + c, v[c]);
    }
    return BRISK_OK;
}

static brisk_status parameter_rows(brisk_table *t, const brisk_fit_result *r, size_t g0)
{
    const brisk_fit *fit = r->fit;
    const brisk_model *m = fit->model;
    for (size_t i = 0; i < brisk_model_nparams(m); i++) {
        const brisk_param *p = brisk_model_param(m, i);
        const brisk_estimate *e = &fit->rows[i];
        char buf[300];   /* a defined parameter (:=) belongs to no group, as in lavaan */
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 ||
            (g0 && brisk_table_set_text(t, row, 0, group_text(r, p->op == BRISK_OP_DEFINE ? (size_t)-1 : p->group, buf,
                                            sizeof buf))) ||
            brisk_table_set_text(t, row, g0, p->lhs) ||
            brisk_table_set_text(t, row, g0 + 1, brisk_op_text(p->op)) ||
            brisk_table_set_text(t, row, g0 + 2, p->rhs) ||
            brisk_table_set_text(t, row, g0 + 3, p->label))
            return BRISK_ERR_NOMEM;
        double v[] = {p->free > 0, e->est, e->se, e->z, e->pvalue,
                      e->ci_lower, e->ci_upper, e->std_lv, e->std_all};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            brisk_table_set_num(t, row, g0 + 4 + k, v[k]);
    }
    brisk_status st = threshold_rows(t, r, g0);
    return st == BRISK_OK ? scale_rows(t, r, g0) : st;
}

static const struct {
    const char *key, *header;
} std_columns[] = {
    {"std_se", "Std.all SE"}, {"std_ci_lower", "Std.all CI lower"},
    {"std_ci_upper", "Std.all CI upper"},
};

/* The rows' bootstrap intervals of std_all, after the other columns. */
static void std_interval_cells(brisk_table *t, const brisk_fit_result *r, size_t first_row,
                               size_t first_col)
{
    for (size_t i = 0; i < brisk_model_nparams(r->fit->model); i++) {
        const brisk_estimate *e = &r->fit->rows[i];
        double v[] = {e->std_se, e->std_ci_lower, e->std_ci_upper};
        for (size_t k = 0; k < 3; k++)
            brisk_table_set_num(t, first_row + i, first_col + k, v[k]);
    }
}

/* The sampling weights' column of a fit, or NULL. */
static const char *weight_of(const brisk_fit_result *r)
{
    return r->fitted && r->fitted->model ? brisk_model_weight(r->fitted->model) : NULL;
}

static const char *cluster_of(const brisk_fit_result *r)
{
    return r->fitted && r->fitted->model ? brisk_model_cluster(r->fitted->model) : NULL;
}

/* The note of a clustered fit: its clusters (over the groups) and what
 * they change. */
static brisk_status cluster_note(brisk_table *t, const char *prefix, const char *sep,
                                 const brisk_fitted *fd, const char *cluster)
{
    size_t C = 0;
    for (size_t g = 0; g < fd->ngroups; g++)
        C += fd->moments[g].nclusters;
    return brisk_table_add_note(t, "%s%s%clustered by '%s' (%zu clusters; lavaan's cluster=): "
                                "standard errors (lavaan's robust.cluster) and the Yuan-Bentler "
                                "scaled chi-square from the casewise scores summed within "
                                "clusters, times C / (C - 1); a mean structure, as lavaan.",
                                prefix, sep, prefix[0] ? 'c' : 'C', cluster, C);
}

static brisk_status bootstrap_note(brisk_table *t, const brisk_fit_result *r)
{
    const brisk_bootstrap_info *b = r->bootstrap;
    size_t left_out = b->failed + (b->excluded ? b->inadmissible : 0);
    return brisk_table_add_note(t, "%s%sstandard errors and 95%% intervals (also of Std.all) "
                                "from %zu bootstrap draws (%s, seed %llu%s); %zu draw%s left "
                                "out (%zu not converged, %zu inadmissible %s)%s.",
                                r->group ? shown_name(r) : "", r->group ? ": " : "", b->draws,
                                b->ci == BRISK_CI_BCA ? "BCa" : "percentile",
                                (unsigned long long)b->seed,
                                cluster_of(r) ? "; clusters drawn, each respondent as often as "
                                                "its cluster"
                                : weight_of(r) ? "; the respondents drawn keep their weights" : "",
                                left_out, left_out == 1 ? "" : "s", b->failed, b->inadmissible, b->excluded ? "left out" : "kept",
                                r->fit && r->fit->nscales
                                    ? "; the thresholds and scale factors keep their robust "
                                      "standard errors"
                                : r->fit && r->fit->nthresholds
                                    ? "; the thresholds keep their robust standard errors"
                                    : "");
}

/* The weights of a weighted fit over the rows used (as normalised): "358
 * weights normalised to their number, from 0.326 to 1.7, Kish's design
 * effect 1.063" (n sum w^2 / (sum w)^2), or without the words after n. */
static void weight_stats(const brisk_fitted *fd, bool words, char *buf, size_t size)
{
    double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t g = 0; g < fd->ngroups; g++)
        for (size_t i = 0; fd->moments[g].weight && i < fd->moments[g].n; i++) {
            double w = fd->moments[g].weight[i];
            sum += w, sum2 += w * w, n++;
            lo = w < lo ? w : lo, hi = w > hi ? w : hi;
        }
    snprintf(buf, size, "%zu %sfrom %.3g to %.3g, Kish's design effect %.3f", n,
             words ? "weights normalised to their number, " : "", lo, hi,
             n && sum > 0 ? (double)n * sum2 / (sum * sum) : NAN);
}

#define WEIGHT_EFFECT "Huber-White SEs from the weighted casewise scores, the Yuan-Bentler " \
                      "scaled chi-square."

/* The note of a weighted fit. */
static brisk_status weight_note(brisk_table *t, const char *prefix, const char *sep,
                                const brisk_fitted *fd, const char *weight)
{
    char stats[200];
    weight_stats(fd, true, stats, sizeof stats);
    return brisk_table_add_note(t, "%s%s%ceighted by '%s' (lavaan's sampling.weights; %s): "
                                WEIGHT_EFFECT, prefix, sep, prefix[0] ? 'w' : 'W', weight, stats);
}

/* The weight all of several fits have, or NULL: said in one note. */
static const char *shared_weight(const brisk_fit_result *results, size_t n)
{
    const char *w = n > 1 && results[0].fit ? weight_of(&results[0]) : NULL;
    for (size_t g = 1; w && g < n; g++)
        if (!results[g].fit || !weight_of(&results[g]) || strcmp(weight_of(&results[g]), w) != 0)
            w = NULL;
    return w;
}

/* One note for the weight several behaviours share, with each one's
 * weights. */
static brisk_status shared_weight_note(brisk_table *t, const brisk_fit_result *results, size_t n,
                                       const char *weight)
{
    brisk_buf b = {0};
    bool ok = brisk_buf_printf(&b, "Weighted by '%s' (lavaan's sampling.weights; each "
                               "behaviour's weights normalised to their number:", weight);
    for (size_t g = 0; ok && g < n; g++) {
        char stats[200];
        weight_stats(results[g].fitted, false, stats, sizeof stats);
        ok = brisk_buf_printf(&b, "%s %s %s", g ? ";" : "", shown_name(&results[g]), stats);
    }
    ok = ok && brisk_buf_puts(&b, "): " WEIGHT_EFFECT);
    brisk_status st = ok ? brisk_table_add_note(t, "%s", b.data) : BRISK_ERR_NOMEM;
    brisk_buf_free(&b);
    return st;
}

/* A note every behaviour has alike ("Criminal records: MLR: ...", "Payment
 * of fees: MLR: ...") is said once, without the behaviour, where the first
 * one was. */
static brisk_status merge_shared_notes(brisk_table *t, const brisk_fit_result *results, size_t n)
{
    if (n < 2 || !results[0].group)
        return BRISK_OK;
    for (size_t i = 0; i < t->nnotes; i++) {
        const char *first = shown_name(&results[0]);
        size_t len = strlen(first);
        if (strncmp(t->notes[i], first, len) != 0 || strncmp(t->notes[i] + len, ": ", 2) != 0)
            continue;
        const char *rest = t->notes[i] + len + 2;
        size_t found[64], nfound = 0;   /* the others' notes alike */
        for (size_t g = 1; g < n && g <= 64 && nfound == g - 1; g++) {
            const char *name = shown_name(&results[g]);
            size_t l = strlen(name);
            for (size_t j = i + 1; j < t->nnotes; j++)
                if (strncmp(t->notes[j], name, l) == 0 && strncmp(t->notes[j] + l, ": ", 2) == 0 &&
                    strcmp(t->notes[j] + l + 2, rest) == 0) {
                    found[nfound++] = j;
                    break;
                }
        }
        if (nfound != n - 1)
            continue;
        char *once = brisk_strdup(rest);
        if (!once)
            return BRISK_ERR_NOMEM;
        once[0] = (char)toupper((unsigned char)once[0]);
        free(t->notes[i]);
        t->notes[i] = once;
        size_t kept = 0;   /* drop the others, keeping the order */
        for (size_t j = 0; j < t->nnotes; j++) {
            bool drop = false;
            for (size_t k = 0; k < nfound; k++)
                drop |= found[k] == j;
            if (drop)
                free(t->notes[j]);
            else
                t->notes[kept++] = t->notes[j];
        }
        t->nnotes = kept;
    }
    return BRISK_OK;
}

/* The least-squares estimator's note: its weights, its test. */
static bool ls_note(brisk_table *t, const char *prefix, const char *sep, brisk_estimator e)
{
    static const char *const names[] = {"GLS", "ULS", "WLS", "DWLS"};
    static const char *const weights[] = {
        "the normal-theory weights at the sample covariances",
        "unit weights",
        "the inverse of the asymptotic (ADF) covariance of the sample moments",
        "the inverse of the diagonal of the asymptotic (ADF) covariance of the sample moments"};
    size_t k = (size_t)(e - BRISK_ESTIMATOR_GLS);
    return brisk_table_add_note(t, "%s%s%s: least squares with %s (covariances with divisor "
                                "N - 1, observed covariates free), standard errors from Delta' "
                                "W Delta, the chi-square (N - 1) F%s; no likelihood, so no "
                                "AIC or BIC, as lavaan's estimator = \"%s\".", prefix, sep,
                                names[k], weights[k],
                                e == BRISK_ESTIMATOR_ULS ? " without a p-value (its "
                                                           "distribution is unknown)" : "",
                                names[k]) != BRISK_OK;
}

/* How the standard errors were computed, as lavaan's defaults make them. */
static const char *se_kind(const brisk_fit_result *results, size_t n)
{
    for (size_t g = 0; g < n; g++) {
        if (results[g].fit && results[g].fit->nthresholds)
            return "WLSMV: DWLS on the polychoric correlations; robust standard errors "
                   "(lavaan's robust.sem)";
        if (results[g].fit && results[g].fit->fit.estimator == BRISK_ESTIMATOR_MLM)
            return "MLM: robust standard errors from the expected information and the "
                   "variables' fourth moments (lavaan's robust.sem)";
        if (results[g].fit && brisk_estimator_least_squares(results[g].fit->fit.estimator))
            return "Least squares (GLS, ULS, WLS or DWLS): lavaan's standard errors, the "
                   "inverse of Delta' W Delta";
        if (results[g].fit && results[g].fit->fit.robust && weight_of(&results[g]))
            return "MLR: Huber-White standard errors (observed information and the weighted "
                   "casewise scores)";
        if (results[g].fit && results[g].fit->fit.robust)   /* (WLSMV returned above) */
            return "MLR: Huber-White standard errors (observed information and casewise scores)";
        if (results[g].fitted && results[g].fitted->moments &&
            results[g].fitted->moments[0].npatterns)
            return "Full-information ML; standard errors from the observed information";
    }
    return "ML estimation; standard errors from the expected information";
}

static brisk_table *parameters_table(const brisk_fit_result *results, size_t n)
{
    brisk_table *t = brisk_table_new("fit.parameters", "Parameter estimates");
    size_t g0 = group_shift(results), ncols = 0;
    bool boot = results[0].bootstrap != NULL;
    for (size_t k = 1 - g0; t && k < sizeof param_columns / sizeof param_columns[0]; k++, ncols++)
        if (brisk_table_add_column(t, param_columns[k].key,
                                   k ? param_columns[k].header : group_header(results),
                                   param_columns[k].kind, 3) == (size_t)-1)
            goto fail;
    for (size_t k = 0; t && boot && k < 3; k++)
        if (brisk_table_add_column(t, std_columns[k].key, std_columns[k].header,
                                   BRISK_CELL_NUMBER, 3) == (size_t)-1)
            goto fail;
    for (size_t g = 0; t && g < n; g++) {
        size_t first = t->nrows;
        if (results[g].fit && parameter_rows(t, &results[g], g0) != BRISK_OK)
            goto fail;
        if (results[g].fit && boot)
            std_interval_cells(t, &results[g], first, ncols);
        if (results[g].fit && boot && bootstrap_note(t, &results[g]) != BRISK_OK)
            goto fail;
    }
    if (t && !boot && brisk_table_add_note(t, "%s; 95%% confidence intervals; Std.all: "
                                           "standardized on latent and observed variables.",
                                           se_kind(results, n)))
        goto fail;
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

static brisk_table *r2_table(const brisk_fit_result *results, size_t n)
{
    brisk_table *t = brisk_table_new("fit.r2", "R-squared");
    size_t g0 = group_shift(results);
    if (!t || (g0 && brisk_table_add_column(t, "group", group_header(results), BRISK_CELL_TEXT,
                                            0) == (size_t)-1) ||
        brisk_table_add_column(t, "variable", "Variable", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
        brisk_table_add_column(t, "r2", "R-squared", BRISK_CELL_NUMBER, 3) == (size_t)-1)
        goto fail;
    for (size_t g = 0; g < n; g++) {
        const brisk_fit *fit = results[g].fit;
        for (size_t i = 0; fit && i < fit->nr2; i++) {
            char buf[300];
            const char *label = group_text(&results[g], fit->r2_group[i], buf, sizeof buf);
            size_t row = brisk_table_add_row(t);
            if (row == (size_t)-1 || (g0 && brisk_table_set_text(t, row, 0, label)) ||
                brisk_table_set_text(t, row, g0, fit->r2_names[i]))
                goto fail;
            brisk_table_set_num(t, row, g0 + 1, fit->r2[i]);
        }
    }
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

/* ------------------------------------------------------------ standardized solution */

/* SE, z, p and the 95% interval of a standardized value from its
 * delta-method SE, as lavaan's standardizedSolution(): no z nor p where
 * the SE is 0 (a value that does not move, as a unit variance). */
static void std_inference(double est, double se, double out[5])
{
    double z = se > 0 ? est / se : NAN;
    out[0] = se;
    out[1] = z;
    out[2] = isnan(z) ? NAN : 2 * gsl_cdf_ugaussian_Q(fabs(z));
    out[3] = est - 1.959963984540054 * se;
    out[4] = est + 1.959963984540054 * se;
}

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} std_solution_columns[] = {
    {"std_all", "Std.all", BRISK_CELL_NUMBER}, {"std_all_se", "SE", BRISK_CELL_NUMBER},
    {"std_all_z", "z", BRISK_CELL_NUMBER}, {"std_all_pvalue", "p", BRISK_CELL_PVALUE},
    {"std_all_ci_lower", "CI lower", BRISK_CELL_NUMBER},
    {"std_all_ci_upper", "CI upper", BRISK_CELL_NUMBER},
    {"std_lv", "Std.lv", BRISK_CELL_NUMBER}, {"std_lv_se", "Std.lv SE", BRISK_CELL_NUMBER},
};
#define NSTD_SOLUTION (sizeof std_solution_columns / sizeof std_solution_columns[0])

static brisk_status std_solution_rows(brisk_table *t, const brisk_fit_result *r, size_t g0)
{
    const brisk_model *m = r->fit->model;
    for (size_t i = 0; i < brisk_model_nparams(m); i++) {
        const brisk_param *p = brisk_model_param(m, i);
        const brisk_estimate *e = &r->fit->rows[i];
        char buf[300];
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 ||
            (g0 && brisk_table_set_text(t, row, 0, group_text(r, p->op == BRISK_OP_DEFINE
                                                                  ? (size_t)-1 : p->group,
                                                              buf, sizeof buf))) ||
            brisk_table_set_text(t, row, g0, p->lhs) ||
            brisk_table_set_text(t, row, g0 + 1, brisk_op_text(p->op)) ||
            brisk_table_set_text(t, row, g0 + 2, p->rhs) ||
            brisk_table_set_text(t, row, g0 + 3, p->label))
            return BRISK_ERR_NOMEM;
        double v[NSTD_SOLUTION];
        v[0] = e->std_all;
        std_inference(e->std_all, e->std_all_se, v + 1);
        v[6] = e->std_lv;
        v[7] = e->std_lv_se;
        for (size_t k = 0; k < NSTD_SOLUTION; k++)
            brisk_table_set_num(t, row, g0 + 4 + k, v[k]);
    }
    return BRISK_OK;
}

/* lavaan's standardizedSolution() (type std.all, with std.lv and its SE
 * after): every parameter row, := ones included. */
static brisk_table *std_solution_table(const brisk_fit_result *results, size_t n)
{
    brisk_table *t = brisk_table_new("fit.standardized", "Standardized solution");
    size_t g0 = group_shift(results);
    for (size_t k = 1 - g0; t && k < 5; k++)
        if (brisk_table_add_column(t, param_columns[k].key,
                                   k ? param_columns[k].header : group_header(results),
                                   param_columns[k].kind, 3) == (size_t)-1)
            goto fail;
    for (size_t k = 0; t && k < NSTD_SOLUTION; k++)
        if (brisk_table_add_column(t, std_solution_columns[k].key, std_solution_columns[k].header,
                                   std_solution_columns[k].kind, 3) == (size_t)-1)
            goto fail;
    for (size_t g = 0; t && g < n; g++)
        if (results[g].fit && std_solution_rows(t, &results[g], g0) != BRISK_OK)
            goto fail;
    for (size_t g = 0; t && g < n; g++)
        if (results[g].fit && any_scale_free(results[g].fit) &&
            brisk_table_add_note(t, "%s%sWLSMV with thresholds equal across groups: no "
                                 "delta-method SEs (the scale factors' part is not in brisk "
                                 "yet).", results[g].group ? shown_name(&results[g]) : "",
                                 results[g].group ? ": " : ""))
            goto fail;
    if (t && brisk_table_add_note(t, "Delta-method standard errors of the standardized values "
                                  "(lavaan's standardizedSolution()) from the covariance of the estimates (%s); z, "
                                  "p and the 95%% confidence interval of Std.all; no z where "
                                  "the SE is 0.", se_kind(results, n)))
        goto fail;
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

/* ------------------------------------------------------------ residuals */

/* The residuals of one moment, in lavaan's order: the means (op "~1"),
 * then the covariances column by column of the lower triangle. */
typedef struct residual_row {
    const char *lhs, *op, *rhs;
    double v[7];   /* raw, SE, z, Bentler, its z, Bollen, its z */
} residual_row;

static const char *const residual_keys[7] = {"raw", "raw_se", "raw_z", "cor_bentler",
                                             "cor_bentler_z", "cor_bollen", "cor_bollen_z"};
static const char *const residual_headers[7] = {"Raw", "SE", "z", "Cor (Bentler)", "z (Bentler)",
                                                "Cor (Bollen)", "z (Bollen)"};

static size_t residual_count(const brisk_group_residuals *g)
{
    return (g->means ? g->p : 0) + g->nth + g->p * (g->p + 1) / 2;
}

/* Moment k's row; a threshold's "t1" goes to buf. */
static residual_row residual_at(const brisk_model *m, const brisk_group_residuals *g, size_t k,
                                char *buf, size_t size)
{
    residual_row r;
    size_t p = g->p;
    if (g->means && k < p) {
        r = (residual_row){brisk_model_observed(m, k), "~1", "",
                           {g->mean_raw[k], g->mean_raw_se[k], g->mean_raw_z[k],
                            g->mean_bentler[k], g->mean_bentler_z[k], g->mean_bollen[k],
                            g->mean_bollen_z[k]}};
        return r;
    }
    k -= g->means ? p : 0;
    if (k < g->nth) {   /* a threshold: one residual, whichever kind */
        snprintf(buf, size, "t%zu", g->th_number[k]);
        r = (residual_row){brisk_model_observed(m, g->th_item[k]), "|", buf,
                           {g->th[k], g->th_se[k], g->th_z[k], g->th[k], g->th_z[k], g->th[k],
                            g->th_z[k]}};
        return r;
    }
    k -= g->nth;
    size_t j = 0;
    while (k >= p - j)
        k -= p - j++;
    size_t i = j + k, a = i * p + j;
    r = (residual_row){brisk_model_observed(m, i), "~~", brisk_model_observed(m, j),
                       {g->raw[a], g->raw_se[a], g->raw_z[a], g->bentler[a], g->bentler_z[a],
                        g->bollen[a], g->bollen_z[a]}};
    return r;
}

/* The summaries' rows: lavaan's names (lav_residuals_summary_rms). */
static const char *const summary_keys[10] = {
    "rms", "rms.se", "rms.exactfit.z", "rms.exactfit.pvalue", "urms", "urms.se",
    "urms.ci.lower", "urms.ci.upper", "urms.closefit.z", "urms.closefit.pvalue"};
static const char *const summary_names[10] = {
    "", " SE", " exact-fit z", " exact-fit p", " unbiased", " unbiased SE",
    " unbiased 90% CI lower", " unbiased 90% CI upper", " unbiased close-fit z (H0 .05)",
    " unbiased close-fit p"};

static double summary_value(const brisk_rms_summary *s, size_t k)
{
    double v[10] = {s->rms, s->se, s->exact_z, s->exact_p, s->urms, s->urms_se,
                    s->urms_ci_lower, s->urms_ci_upper, s->close_z, s->close_p};
    return v[k];
}

/* "srmr.se", "ucrmr.ci.lower": a summary's key with its kind. */
static void summary_key(size_t t, size_t k, char *buf, size_t size)
{
    const char *key = summary_keys[k], *kind = t ? "crmr" : "srmr";
    bool unbiased = key[0] == 'u';
    snprintf(buf, size, "%s%s%s", unbiased ? "u" : "", kind, key + (unbiased ? 4 : 3));
}

static brisk_status residual_rows(brisk_table *t, brisk_table *summary, const brisk_fit_result *r,
                                  const brisk_residuals *res, size_t g0)
{
    const brisk_model *m = r->fit->model;
    for (size_t g = 0; g < res->ngroups; g++) {
        const brisk_group_residuals *gr = &res->groups[g];
        char buf[300];
        const char *label = group_text(r, res->ngroups > 1 ? g : (size_t)-1, buf, sizeof buf);
        for (size_t k = 0; k < residual_count(gr); k++) {
            char number[32];
            residual_row rr = residual_at(m, gr, k, number, sizeof number);
            size_t row = brisk_table_add_row(t);
            if (row == (size_t)-1 || (g0 && brisk_table_set_text(t, row, 0, label)) ||
                brisk_table_set_text(t, row, g0, rr.lhs) ||
                brisk_table_set_text(t, row, g0 + 1, rr.op) ||
                brisk_table_set_text(t, row, g0 + 2, rr.rhs))
                return BRISK_ERR_NOMEM;
            for (size_t c = 0; c < 7; c++)
                brisk_table_set_num(t, row, g0 + 3 + c, rr.v[c]);
        }
        for (size_t kind = 0; kind < 2; kind++)
            for (size_t k = 0; k < 10; k++) {
                char key[40], name[80];
                summary_key(kind, k, key, sizeof key);
                snprintf(name, sizeof name, "%s%s", kind ? "CRMR" : "SRMR", summary_names[k]);
                size_t row = brisk_table_add_row(summary);
                if (row == (size_t)-1 || (g0 && brisk_table_set_text(summary, row, 0, label)) ||
                    brisk_table_set_text(summary, row, g0, key) ||
                    brisk_table_set_text(summary, row, g0 + 1, name))
                    return BRISK_ERR_NOMEM;
                /* covariances; means or (WLSMV) thresholds; total */
                const char *part_key[3] = {"cov", gr->ordered ? "th" : "mean", "total"};
                for (size_t part = 0; part < (gr->means || gr->ordered ? 3u : 1u); part++)
                    brisk_table_set_num(summary, row,
                                        brisk_table_find_column(summary, part_key[part]),
                                        summary_value(&gr->summary[kind][part], k));
            }
    }
    return BRISK_OK;
}

/* Whether any result has a mean structure (the summaries' means and total
 * columns); with ordered (WLSMV: thresholds and total). */
static bool any_means(const brisk_fit_result *results, size_t n, bool ordered)
{
    for (size_t g = 0; g < n; g++)
        if (results[g].fit && results[g].fitted &&
            (ordered ? results[g].fit->nthresholds > 0
                     : !results[g].fit->nthresholds &&
                           brisk_model_meanstructure(results[g].fitted->model)))
            return true;
    return false;
}

static brisk_status residual_tables(const brisk_fit_result *results, size_t n,
                                    brisk_table_list *out, brisk_error *err)
{
    brisk_table *t = brisk_table_new("fit.residuals", "Residuals (sample less implied)");
    brisk_table *s = brisk_table_new("fit.residual_summary", "Residual summaries (SRMR, CRMR)");
    size_t g0 = group_shift(results);
    bool means = any_means(results, n, false), ordered = any_means(results, n, true),
         all_se = true;
    bool ok = t && s && (!g0 || (brisk_table_add_column(t, "group", group_header(results),
                                                         BRISK_CELL_TEXT, 0) != (size_t)-1 &&
                                 brisk_table_add_column(s, "group", group_header(results),
                                                         BRISK_CELL_TEXT, 0) != (size_t)-1));
    for (size_t k = 1; ok && k < 4; k++)
        ok = brisk_table_add_column(t, param_columns[k].key, param_columns[k].header,
                                    BRISK_CELL_TEXT, 0) != (size_t)-1;
    for (size_t k = 0; ok && k < 7; k++)
        ok = brisk_table_add_column(t, residual_keys[k], residual_headers[k], BRISK_CELL_NUMBER,
                                    3) != (size_t)-1;
    ok = ok && brisk_table_add_column(s, "key", "Key (lavaan)", BRISK_CELL_TEXT, 0) != (size_t)-1 &&
         brisk_table_add_column(s, "measure", "Measure", BRISK_CELL_TEXT, 0) != (size_t)-1 &&
         brisk_table_add_column(s, "cov", means || ordered ? "Covariances" : "Value",
                                BRISK_CELL_NUMBER, 3) != (size_t)-1 &&
         (!means || brisk_table_add_column(s, "mean", "Means", BRISK_CELL_NUMBER, 3) !=
                        (size_t)-1) &&
         (!ordered || brisk_table_add_column(s, "th", "Thresholds", BRISK_CELL_NUMBER, 3) !=
                          (size_t)-1) &&
         (!(means || ordered) ||
          brisk_table_add_column(s, "total", "Total", BRISK_CELL_NUMBER, 3) != (size_t)-1);
    brisk_status st = ok ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t g = 0; st == BRISK_OK && g < n; g++) {
        if (!results[g].fit || !results[g].fitted)
            continue;
        brisk_residuals res;
        brisk_error e;
        brisk_error_clear(&e);
        st = brisk_fitted_residuals(results[g].fitted, &res, &e);
        if (st == BRISK_ERR_ARGUMENT) {   /* WLSMV: said, not fatal for the others */
            st = brisk_table_add_note(t, "%s%s%s.", results[g].group ? shown_name(&results[g]) : "",
                                      results[g].group ? ": " : "", e.message)
                     ? BRISK_ERR_NOMEM : BRISK_OK;
            continue;
        }
        if (st != BRISK_OK) {
            brisk_table_free(t);
            brisk_table_free(s);
            return brisk_error_set(err, st, "%s", e.message);
        }
        for (size_t k = 0; k < res.ngroups; k++)
            all_se = all_se && res.groups[k].have_se;
        st = residual_rows(t, s, &results[g], &res, g0);
        brisk_residuals_free(&res);
    }
    if (st == BRISK_OK &&
        brisk_table_add_note(t, "Residuals as lavaan's lavResiduals() and residuals(): raw "
                             "(covariances and means); z: type = \"standardized\" (the raw "
                             "residual over its SE; equal to lavResiduals' cov.z); Cor "
                             "(Bentler): over the sample SDs, lavResiduals' default; Cor "
                             "(Bollen): sample less implied correlations (type = \"cor\").%s%s",
                             ordered ? " WLSMV: the latent responses' correlations and the "
                                       "thresholds (|), whose residuals are one number whatever "
                                       "the kind." : "",
                             all_se ? "" : " SEs and z only for ML, MLR, MLM and FIML fits without "
                                           "fixed covariates, weights or clusters, and WLSMV fits "
                                           "of ordered items alone (lavaan's \"standardized\" "
                                           "residuals as brisk computes them)."))
        st = BRISK_ERR_NOMEM;
    if (st == BRISK_OK &&
        brisk_table_add_note(s, "lavResiduals()'s summaries: SRMR of the Bentler residuals "
                             "(diagonal included), CRMR of the Bollen ones (diagonal left out), "
                             "with lavaan's SE, exact-fit test, unbiased estimate, its 90%% CI "
                             "and close-fit test (H0: .05).%s",
                             ordered ? " WLSMV: correlations (SRMR counting the p diagonal "
                                       "zeros), thresholds and the two together, as lavaan's cor, "
                                       "thresholds and total." : ""))
        st = BRISK_ERR_NOMEM;
    if (st == BRISK_OK) {
        st = brisk_table_list_add(out, t);   /* which frees t when it fails */
        t = NULL;
    }
    if (st == BRISK_OK) {
        st = brisk_table_list_add(out, s);
        s = NULL;
    }
    brisk_table_free(t);
    brisk_table_free(s);
    return st == BRISK_OK ? st : brisk_error_set(err, st, "out of memory");
}

/* Respondents kept by full-information ML with some answer missing. */
static size_t incomplete_kept(const brisk_fitted *fd)
{
    size_t k = 0;
    for (size_t g = 0; g < fd->ngroups; g++)
        for (size_t i = 0; i < fd->moments[g].npatterns; i++)
            if (fd->moments[g].patterns[i].nobs < fd->moments[g].p)
                k += fd->moments[g].patterns[i].n;
    return k;
}

/* Respondents full-information ML left out for a missing fixed covariate. */
static size_t no_covariate(const brisk_fitted *fd)
{
    size_t k = 0;
    for (size_t g = 0; fd->moments && g < fd->ngroups; g++)
        k += fd->moments[g].n_no_covariate;
    return k;
}

static brisk_status add_warnings(const brisk_fit_result *results, size_t n,
                                 brisk_table_list *out, brisk_table *measures_t)
{
    const char *one_weight = shared_weight(results, n);
    for (size_t g = 0; g < n; g++) {
        const char *prefix = results[g].group ? shown_name(&results[g]) : "";
        const char *sep = results[g].group ? ": " : "";
        const brisk_fitted *fd = results[g].fitted;
        size_t used = used_n(&results[g]);
        bool fiml = fd && fd->moments && fd->moments[0].npatterns;
        size_t no_x = fd ? no_covariate(fd) : 0;
        char none[80] = "";   /* full-information ML leaves out only empty rows */
        if (fd && fiml && fd->n_dropped > no_x)
            snprintf(none, sizeof none, " (%zu left out: no answer%s)", fd->n_dropped - no_x,
                     fd->ngroups > 1 ? " or no group" : "");
        if (fd && fiml &&
            brisk_table_add_note(measures_t, "%s%s%zu of %zu respondents used by full-information "
                                 "ML, %zu of them with missing answers kept%s.", prefix, sep,
                                 used, used + fd->n_dropped, incomplete_kept(fd), none))
            return BRISK_ERR_NOMEM;
        if (no_x && brisk_table_add_note(measures_t, "%s%s%zu %sleft out for a missing "
                                         "covariate: full-information ML conditions on the fixed "
                                         "covariates, which must be observed (as lavaan's "
                                         "fixed.x = TRUE).", prefix, sep, no_x,
                                         none[0] ? "more " : ""))
            return BRISK_ERR_NOMEM;
        if (fd && !fiml && fd->n_dropped &&
            brisk_table_add_note(measures_t, "%s%s%zu of %zu respondents used (%zu left out: "
                                 "incomplete answers%s).", prefix, sep, used,
                                 used + fd->n_dropped, fd->n_dropped,
                                 fd->ngroups > 1 ? " or no group" : ""))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && results[g].fit->nthresholds &&
            brisk_table_add_note(measures_t, "%s%sWLSMV: DWLS on the polychoric correlations%s, "
                                 "robust standard errors and the scaled-shifted chi-square%s, as "
                                 "lavaan's estimator = \"WLSMV\".", prefix, sep,
                                 fd && brisk_model_nexogenous(fd->model)
                                     ? " and the items' probit slopes, given the covariates"
                                     : "",
                                 results[g].fit->fit.robust
                                     ? "; the robust CFI, TLI and RMSEA from the ML discrepancy "
                                       "of the polychorics (lavaan's catML)"
                                     : ""))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && brisk_model_theta(results[g].fit->model) &&
            brisk_table_add_note(measures_t, "%s%sThe theta parameterization (lavaan's "
                                 "parameterization = \"theta\"): the latent responses' residual "
                                 "variances 1, the thresholds estimated, the scale factors (~*~) "
                                 "derived.", prefix, sep))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && brisk_model_pairwise(results[g].fit->model) &&
            brisk_table_add_note(measures_t, "%s%sMissing answers pairwise (lavaan's missing = "
                                 "\"pairwise\"): each item's thresholds from its answers, each "
                                 "polychoric from the respondents who answered both.", prefix,
                                 sep))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && brisk_estimator_least_squares(results[g].fit->fit.estimator) &&
            ls_note(measures_t, prefix, sep, results[g].fit->fit.estimator))
            return BRISK_ERR_NOMEM;
        const char *weight = weight_of(&results[g]);
        if (results[g].fit && weight && !one_weight &&
            weight_note(measures_t, prefix, sep, fd, weight))
            return BRISK_ERR_NOMEM;
        const char *cluster = cluster_of(&results[g]);
        if (results[g].fit && cluster && cluster_note(measures_t, prefix, sep, fd, cluster))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && results[g].fit->fit.estimator == BRISK_ESTIMATOR_MLM &&
            brisk_table_add_note(measures_t, "%s%sMLM: robust standard errors (robust.sem) and "
                                 "the Satorra-Bentler scaled chi-square, as lavaan's estimator "
                                 "= \"MLM\".", prefix, sep))
            return BRISK_ERR_NOMEM;
        if (results[g].fit && !weight && !cluster && !results[g].fit->nthresholds &&
            results[g].fit->fit.robust && results[g].fit->fit.estimator != BRISK_ESTIMATOR_MLM &&
            brisk_table_add_note(measures_t, "%s%sRobust ML (MLR): Huber-White standard errors "
                                 "and the Yuan-Bentler scaled chi-square (Mplus variant), as "
                                 "lavaan's estimator = \"MLR\".", prefix, sep))
            return BRISK_ERR_NOMEM;
        for (size_t k = 0; fd && fd->ngroups > 1 && k < fd->ngroups; k++)
            if (brisk_table_add_note(measures_t, "%s%sgroup %zu, %s: %zu respondents.", prefix,
                                     sep, k + 1, fd->group_labels[k], fd->moments[k].n))
                return BRISK_ERR_NOMEM;
        if (!results[g].fit &&
            brisk_table_list_warn(out, "%s%snot estimated: %s", prefix, sep, results[g].error))
            return BRISK_ERR_NOMEM;
        for (size_t i = 0; results[g].fit && i < results[g].fit->nwarnings; i++)
            if (brisk_table_list_warn(out, "%s%s%s", prefix, sep, results[g].fit->warnings[i]))
                return BRISK_ERR_NOMEM;
    }
    if (one_weight && shared_weight_note(measures_t, results, n, one_weight))
        return BRISK_ERR_NOMEM;
    return merge_shared_notes(measures_t, results, n);
}

/* ------------------------------------------------------------ modification indices */

static const struct {
    const char *key, *header;
} mi_columns[] = {
    {"lhs", "lhs"}, {"op", "op"}, {"rhs", "rhs"}, {"mi", "MI"}, {"epc", "EPC"},
    {"sepc_lv", "sepc.lv"}, {"sepc_all", "sepc.all"}, {"sepc_nox", "sepc.nox"},
};

static brisk_table *modindices_new(const brisk_fit_result *results, size_t g0)
{
    brisk_table *t = brisk_table_new("fit.modindices", "Modification indices");
    if (t && g0 && brisk_table_add_column(t, "group", group_header(results), BRISK_CELL_TEXT,
                                          0) == (size_t)-1)
        goto fail;
    for (size_t k = 0; t && k < sizeof mi_columns / sizeof mi_columns[0]; k++)
        if (brisk_table_add_column(t, mi_columns[k].key, mi_columns[k].header,
                                   k < 3 ? BRISK_CELL_TEXT : BRISK_CELL_NUMBER, 3) == (size_t)-1)
            goto fail;
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

/* One fit's indices above minimum, at most top of them. */
static brisk_status modindices_rows(brisk_table *t, const brisk_fit_result *r, size_t g0,
                                    const brisk_modindex *mi, size_t n, double minimum,
                                    size_t top, size_t *shown)
{
    *shown = 0;
    for (size_t k = 0; k < n && (!top || *shown < top); k++) {
        if (minimum > 0 && !(mi[k].mi > minimum))
            continue;   /* lavaan: mi > minimum.value when it is positive */
        char buf[300];
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 ||
            (g0 && brisk_table_set_text(t, row, 0, group_text(r, mi[k].group, buf, sizeof buf))) ||
            brisk_table_set_text(t, row, g0, mi[k].lhs) ||
            brisk_table_set_text(t, row, g0 + 1, brisk_op_text(mi[k].op)) ||
            brisk_table_set_text(t, row, g0 + 2, mi[k].rhs))
            return BRISK_ERR_NOMEM;
        double v[] = {mi[k].mi, mi[k].epc, mi[k].sepc_lv, mi[k].sepc_all, mi[k].sepc_nox};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
            brisk_table_set_num(t, row, g0 + 3 + c, v[c]);
        (*shown)++;
    }
    return BRISK_OK;
}

/* "MI > 3.84" or "every MI" for notes. */
static void minimum_text(double minimum, char *buf, size_t size)
{
    if (minimum > 0)
        snprintf(buf, size, "MI > %g", minimum);
    else
        snprintf(buf, size, "every MI");
}

static brisk_status modindices_fit(brisk_table *t, const brisk_fit_result *r, size_t g0,
                                   double minimum, size_t top, bool lenient, brisk_error *err)
{
    const char *prefix = r->group ? shown_name(r) : "", *sep = r->group ? ": " : "";
    if (!r->fit || !r->fitted)
        return BRISK_OK;   /* not estimated: the fit's tables say so */
    brisk_modindex *mi = NULL;
    size_t n = 0, shown = 0;
    brisk_error local;
    brisk_error_clear(&local);
    brisk_status st = brisk_modindices(r->fitted, &mi, &n, &local);
    if (st != BRISK_OK && st != BRISK_ERR_NOMEM && lenient) {
        return brisk_table_add_note(t, "%s%sno modification indices: %s", prefix, sep,
                                    local.message) ? BRISK_ERR_NOMEM : BRISK_OK;
    }
    if (st != BRISK_OK) {
        if (err) {
            *err = local;
            brisk_name_behaviour(err, r->group);
        }
        return st;
    }
    st = modindices_rows(t, r, g0, mi, n, minimum, top, &shown);
    free(mi);
    if (st == BRISK_OK && !shown &&
        brisk_table_add_note(t, "%s%sno modification index %s.", prefix, sep,
                             minimum > 0 ? "above the minimum" : "at all"))
        st = BRISK_ERR_NOMEM;
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

brisk_status brisk_modindices_table(const brisk_fit_result *results, size_t n, double minimum,
                                    size_t top, bool lenient, brisk_table_list *out,
                                    brisk_error *err)
{
    size_t g0 = n ? group_shift(results) : 0;
    brisk_table *t = n ? modindices_new(results, g0) : NULL;
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = BRISK_OK;
    for (size_t g = 0; g < n && st == BRISK_OK; g++)
        st = modindices_fit(t, &results[g], g0, minimum, top, lenient, err);
    char above[64];
    minimum_text(minimum, above, sizeof above);
    char shown[160];
    if (top)
        snprintf(shown, sizeof shown, "the %zu largest with %s", top, above);
    else
        snprintf(shown, sizeof shown, "%s", above);
    if (st == BRISK_OK &&
        brisk_table_add_note(t, "Modification indices as lavaan's modindices(): the score test "
                             "(chi-square, 1 df) of each fixed or omitted loading, covariance, "
                             "regression or intercept freed alone, with the expected "
                             "information; EPC the expected change, sepc.lv, sepc.all and "
                             "sepc.nox standardized as lavaan's. Shown: %s, largest first.",
                             shown))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st != BRISK_OK) {
        brisk_table_free(t);
        return st;
    }
    return brisk_table_list_add(out, t) == BRISK_OK
               ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

brisk_status brisk_fit_tables(const brisk_fit_result *results, size_t n,
                              brisk_table_list *out, brisk_error *err)
{
    brisk_table *m = measures_table(results, n);
    brisk_status st = m ? add_warnings(results, n, out, m) : BRISK_ERR_NOMEM;
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, m);
    else
        brisk_table_free(m);
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, parameters_table(results, n));
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, r2_table(results, n));
    if (st == BRISK_OK && n && results[0].standardized)
        st = brisk_table_list_add(out, std_solution_table(results, n));
    if (st != BRISK_OK)
        return brisk_error_set(err, st, "out of memory");
    if (n && results[0].residuals && (st = residual_tables(results, n, out, err)) != BRISK_OK)
        return st;
    if (n && results[0].modindices &&
        (st = brisk_modindices_table(results, n, results[0].mi_minimum, 0, false, out, err)))
        return st;
    if (n && results[0].score_tests)
        return brisk_score_tests_table(results, n, out, err);
    return BRISK_OK;
}

/* ------------------------------------------------------------ JSON */

static void json_key_number(FILE *f, const char *key, double x, bool comma)
{
    if (comma)
        fputs(", ", f);
    brisk_json_string(f, key);
    fputs(": ", f);
    brisk_json_number(f, x);
}

static void json_fit_measures(FILE *f, const brisk_fit_measures *m)
{
    fputs("      \"fit\": {", f);
    for (size_t k = 2; k < NMEASURES; k++)
        json_key_number(f, measures[k].key, measure_value(m, &measures[k]), k > 2);
    for (size_t k = 0; k < NSCALED; k++)
        if (shown(m, &scaled_measures[k]))
            json_key_number(f, scaled_measures[k].key, measure_value(m, &scaled_measures[k]), true);
    for (size_t k = 0; k < NROBUST; k++)
        if (shown(m, &robust_measures[k]))
            json_key_number(f, robust_measures[k].key, measure_value(m, &robust_measures[k]), true);
    fputs("},\n", f);
}

static void json_parameter(FILE *f, const brisk_fit_result *r, const brisk_param *p,
                           const brisk_estimate *e)
{
    fputs("        {", f);
    if (multigroup(r)) {
        fputs("\"group\": ", f);
        if (p->op == BRISK_OP_DEFINE)
            fputs("null", f);
        else
            brisk_json_string(f, r->fitted->group_labels[p->group]);
        fputs(", ", f);
    }
    fputs("\"lhs\": ", f);
    brisk_json_string(f, p->lhs);
    fprintf(f, ", \"op\": \"%s\", \"rhs\": ", brisk_op_text(p->op));
    brisk_json_string(f, p->rhs);
    fputs(", \"label\": ", f);
    brisk_json_string(f, p->label);
    fprintf(f, ", \"free\": %s", p->free > 0 ? "true" : "false");
    json_key_number(f, "est", e->est, true);
    json_key_number(f, "se", e->se, true);
    json_key_number(f, "z", e->z, true);
    json_key_number(f, "pvalue", e->pvalue, true);
    json_key_number(f, "ci_lower", e->ci_lower, true);
    json_key_number(f, "ci_upper", e->ci_upper, true);
    json_key_number(f, "std_lv", e->std_lv, true);
    json_key_number(f, "std_all", e->std_all, true);
    if (r->standardized) {
        double lv[5], all[5];
        std_inference(e->std_lv, e->std_lv_se, lv);
        std_inference(e->std_all, e->std_all_se, all);
        static const char *const keys[2][5] = {
            {"std_lv_se", "std_lv_z", "std_lv_pvalue", "std_lv_ci_lower", "std_lv_ci_upper"},
            {"std_all_se", "std_all_z", "std_all_pvalue", "std_all_ci_lower", "std_all_ci_upper"}};
        for (size_t k = 0; k < 5; k++)
            json_key_number(f, keys[0][k], lv[k], true);
        for (size_t k = 0; k < 5; k++)
            json_key_number(f, keys[1][k], all[k], true);
    }
    if (r->bootstrap) {
        json_key_number(f, "std_se", e->std_se, true);
        json_key_number(f, "std_ci_lower", e->std_ci_lower, true);
        json_key_number(f, "std_ci_upper", e->std_ci_upper, true);
    }
    fputc('}', f);
}

/* "residuals": per group, every moment's residuals and the summaries (null
 * where brisk has none: a least-squares fit, WLSMV with covariates). */
static void json_residuals(FILE *f, const brisk_fit_result *r)
{
    brisk_residuals res;
    brisk_error e;
    brisk_error_clear(&e);
    fputs("      \"residuals\": ", f);
    if (brisk_fitted_residuals(r->fitted, &res, &e) != BRISK_OK) {
        fputs("null,\n", f);
        return;
    }
    fputs("[", f);
    for (size_t g = 0; g < res.ngroups; g++) {
        const brisk_group_residuals *gr = &res.groups[g];
        fputs(g ? ",\n        {\"group\": " : "\n        {\"group\": ", f);
        if (multigroup(r))
            brisk_json_string(f, r->fitted->group_labels[g]);
        else
            fputs("null", f);
        fputs(", \"moments\": [", f);
        for (size_t k = 0; k < residual_count(gr); k++) {
            char number[32];
            residual_row rr = residual_at(r->fit->model, gr, k, number, sizeof number);
            fputs(k ? ",\n          {\"lhs\": " : "\n          {\"lhs\": ", f);
            brisk_json_string(f, rr.lhs);
            fprintf(f, ", \"op\": \"%s\", \"rhs\": ", rr.op);
            brisk_json_string(f, rr.rhs);
            for (size_t c = 0; c < 7; c++)
                json_key_number(f, residual_keys[c], rr.v[c], true);
            fputc('}', f);
        }
        fputs("],\n         \"summary\": {", f);
        for (size_t kind = 0; kind < 2; kind++)
            for (size_t k = 0; k < 10; k++) {
                char key[40];
                summary_key(kind, k, key, sizeof key);
                fputs(kind || k ? ", " : "", f);
                brisk_json_string(f, key);
                fputs(": {", f);
                json_key_number(f, "cov", summary_value(&gr->summary[kind][0], k), false);
                if (gr->means || gr->ordered) {
                    json_key_number(f, gr->ordered ? "th" : "mean",
                                    summary_value(&gr->summary[kind][1], k), true);
                    json_key_number(f, "total", summary_value(&gr->summary[kind][2], k), true);
                }
                fputc('}', f);
            }
        fputs("}}", f);
    }
    fputs("],\n", f);
    brisk_residuals_free(&res);
}

/* "modindices": the indices above the minimum, as the table lists them
 * (brisk_fit_tables has computed them once already, so they can be). */
static void json_modindices(FILE *f, const brisk_fit_result *r)
{
    brisk_modindex *mi = NULL;
    size_t n = 0;
    brisk_error err;
    fputs("      \"modindices\": [", f);
    bool first = true;
    if (brisk_modindices(r->fitted, &mi, &n, &err) == BRISK_OK) {
        for (size_t k = 0; k < n; k++) {
            if (r->mi_minimum > 0 && !(mi[k].mi > r->mi_minimum))
                continue;
            fputs(first ? "\n        {" : ",\n        {", f);
            first = false;
            if (multigroup(r)) {
                fputs("\"group\": ", f);
                brisk_json_string(f, r->fitted->group_labels[mi[k].group]);
                fputs(", ", f);
            }
            fputs("\"lhs\": ", f);
            brisk_json_string(f, mi[k].lhs);
            fprintf(f, ", \"op\": \"%s\", \"rhs\": ", brisk_op_text(mi[k].op));
            brisk_json_string(f, mi[k].rhs);
            json_key_number(f, "mi", mi[k].mi, true);
            json_key_number(f, "epc", mi[k].epc, true);
            json_key_number(f, "sepc_lv", mi[k].sepc_lv, true);
            json_key_number(f, "sepc_all", mi[k].sepc_all, true);
            json_key_number(f, "sepc_nox", mi[k].sepc_nox, true);
            fputc('}', f);
        }
    }
    free(mi);
    fputs(first ? "],\n" : "\n      ],\n", f);
}

static void json_one_fit(FILE *f, const brisk_fit_result *r)
{
    const brisk_fit *fit = r->fit;
    fputs("    {\n      \"group\": ", f);
    if (r->group)
        brisk_json_string(f, r->group);
    else
        fputs("null", f);
    bool fiml = r->fitted && r->fitted->moments && r->fitted->moments[0].npatterns;
    fputs(",\n      \"weight\": ", f);
    if (weight_of(r))
        brisk_json_string(f, weight_of(r));
    else
        fputs("null", f);
    fputs(", \"cluster\": ", f);
    if (cluster_of(r))
        brisk_json_string(f, cluster_of(r));
    else
        fputs("null", f);
    fprintf(f, ", \"nobs\": %zu, \"n_dropped\": %zu, \"estimator\": \"%s\", "
               "\"missing\": \"%s\", \"converged\": %s, \"iterations\": %d, \"npar\": %zu,\n",
            used_n(r), r->fitted ? r->fitted->n_dropped : 0,
            fit && brisk_estimator_least_squares(fit->fit.estimator)
                ? (const char *[]){"GLS", "ULS", "WLS", "DWLS"}[fit->fit.estimator -
                                                                BRISK_ESTIMATOR_GLS]
            : fit && fit->nthresholds         ? "WLSMV"
            : fit && fit->fit.estimator == BRISK_ESTIMATOR_MLM ? "MLM"
            : fit && fit->fit.robust          ? "MLR"
                                              : "ML",
            fiml ? "fiml" : "listwise",
            fit && fit->converged ? "true" : "false", fit ? fit->iterations : 0,
            fit ? fit->fit.npar : 0);
    if (multigroup(r)) {
        fputs("      \"groups\": [", f);
        for (size_t g = 0; g < r->fitted->ngroups; g++) {
            fputs(g ? ", {\"label\": " : "{\"label\": ", f);
            brisk_json_string(f, r->fitted->group_labels[g]);
            fprintf(f, ", \"nobs\": %zu}", r->fitted->moments[g].n);
        }
        fputs("],\n", f);
    }
    if (fit) {
        json_fit_measures(f, &fit->fit);
        fputs("      \"parameters\": [\n", f);
        for (size_t i = 0; i < brisk_model_nparams(fit->model); i++) {
            json_parameter(f, r, brisk_model_param(fit->model, i), &fit->rows[i]);
            fputs(i + 1 < brisk_model_nparams(fit->model) || fit->nthresholds || fit->nscales
                      ? ",\n"
                      : "\n",
                  f);
        }
        for (size_t k = 0; k < fit->nthresholds; k++) {
            /* as every parameter row, with its z, p, interval and
             * standardized values */
            char name[32];
            threshold_name(fit, k, name, sizeof name);
            brisk_param p = {.lhs = (char *)brisk_model_observed(fit->model, fit->threshold_item[k]),
                             .rhs = name, .op = BRISK_OP_THRESHOLD, .label = "", .free = 1,
                             .group = fit->threshold_group[k]};
            brisk_estimate e = threshold_estimate(fit, k);
            json_parameter(f, r, &p, &e);
            fputs(k + 1 < fit->nthresholds || fit->nscales ? ",\n" : "\n", f);
        }
        for (size_t k = 0; k < fit->nscales; k++) {
            char *item = (char *)brisk_model_observed(fit->model, fit->scale_item[k]);
            brisk_param p = {.lhs = item, .rhs = item, .op = BRISK_OP_SCALE, .label = "",
                             .free = fit->scale_group[k] > 0, .group = fit->scale_group[k]};
            brisk_estimate e = scale_estimate(fit, k);
            json_parameter(f, r, &p, &e);
            fputs(k + 1 < fit->nscales ? ",\n" : "\n", f);
        }
        fputs("      ],\n      \"r2\": {", f);
        for (size_t i = 0; i < fit->nr2; i++) {
            char key[300];
            snprintf(key, sizeof key, "%s%s%s", multigroup(r) ? r->fitted->group_labels[fit->r2_group[i]]
                     : "", multigroup(r) ? ": " : "", fit->r2_names[i]);
            json_key_number(f, key, fit->r2[i], i > 0);
        }
        fputs("},\n", f);
        if (r->residuals && r->fitted)
            json_residuals(f, r);
        if (r->modindices && r->fitted)
            json_modindices(f, r);
        if (r->score_tests && r->fitted)
            brisk_json_score_tests(f, r);
        if (r->bootstrap)
            fprintf(f, "      \"bootstrap\": {\"draws\": %zu, \"failed\": %zu, "
                       "\"inadmissible\": %zu, \"inadmissible_excluded\": %s, \"seed\": %llu, "
                       "\"ci\": \"%s\"},\n", r->bootstrap->draws, r->bootstrap->failed,
                       r->bootstrap->inadmissible, r->bootstrap->excluded ? "true" : "false",
                    (unsigned long long)r->bootstrap->seed,
                    r->bootstrap->ci == BRISK_CI_BCA ? "bca" : "perc");
    } else {
        fputs("      \"fit\": null, \"parameters\": [], \"r2\": {},\n", f);
    }
    fputs("      \"warnings\": [", f);
    size_t nw = fit ? fit->nwarnings : 1;
    for (size_t i = 0; i < nw; i++) {
        if (i)
            fputs(", ", f);
        brisk_json_string(f, fit ? fit->warnings[i] : r->error);
    }
    fputs("]\n    }", f);
}

brisk_status brisk_write_fit_json(FILE *f, const brisk_fit_result *results, size_t n,
                                  brisk_error *err)
{
    fprintf(f, "{\n  \"brisk\": \"%s\",\n  \"fits\": [\n", BRISK_VERSION);
    for (size_t g = 0; g < n; g++) {
        json_one_fit(f, &results[g]);
        fputs(g + 1 < n ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    return ferror(f) ? brisk_error_set(err, BRISK_ERR_WRITE, "write failed") : BRISK_OK;
}
