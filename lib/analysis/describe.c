/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk describe: items per behaviour, agreement, demographics. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "analysis_internal.h"
#include "brisk/stats.h"
#include "core/util.h"
#include "stats/sampling.h"
#include <gsl/gsl_cdf.h>

#define Z95 1.959963984540054
#define MAX_POINTS 11      /* scale points shown one column each */
#define MAX_CATEGORIES 12  /* numeric demographics with more values are summarised */

/* What every item row needs: the rows, the weight, the scale points. */
typedef struct describe_ctx {
    const brisk_survey_data *data;
    const brisk_survey *s;
    int npoints;            /* 0 when the scale is not a small integer range */
    double *x, *w;          /* scratch, one per data row */
    /* With a weight or a design: the design over the respondents, each
     * data row's respondent, and scratch influence values (one per
     * respondent). */
    const sampling_design *design;
    size_t *respondent_of;
    double *u;
    brisk_table *items, *counts;
    brisk_error *err;
} describe_ctx;

static int scale_points(const brisk_survey *s)
{
    if (!s->has_scale || s->scale_min != floor(s->scale_min) ||
        s->scale_max != floor(s->scale_max) || s->scale_max - s->scale_min + 1 > MAX_POINTS)
        return 0;
    return (int)(s->scale_max - s->scale_min) + 1;
}

/* The latent variable an item loads on in the model, or NULL. */
static brisk_status add_columns(brisk_table *t, const char *const *spec, brisk_cell_kind kind,
                                int decimals)
{
    for (; *spec; spec += 2)
        if (brisk_table_add_column(t, spec[0], spec[1], kind, decimals) == (size_t)-1)
            return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

static brisk_status add_point_columns(describe_ctx *c, brisk_table *t, const char *prefix,
                                      brisk_cell_kind kind, const char *group)
{
    for (int k = 0; k < c->npoints; k++) {
        char key[32], header[32];
        double value = c->s->scale_min + k;
        snprintf(key, sizeof key, "%s_%g", prefix, value);
        snprintf(header, sizeof header, "%g", value);
        size_t j = brisk_table_add_column(t, key, header, kind, 1);
        if (j == (size_t)-1 || brisk_table_set_group(t, j, group) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

static brisk_status make_item_tables(describe_ctx *c)
{
    static const char *const ids[] = {"behaviour", "Behaviour", "construct", "Construct",
                                      "item", "Item", NULL};
    static const char *const counts[] = {"n", "n", "missing", "Missing", NULL};
    static const char *const moments[] = {"mean", "Mean", "sd", "SD", "median", "Median", NULL};
    static const char *const agree[] = {"agree_pct", "% agree", "agree_ci_lower", "95% CI low",
                                        "agree_ci_upper", "95% CI high", NULL};
    static const char *const missing[] = {"missing_system", "Missing: empty",
                                          "missing_user", "Missing: code",
                                          "missing_tagged", "Missing: tagged", NULL};
    brisk_table *t = c->items = brisk_table_new("describe.items", "Items by behaviour");
    brisk_table *k = c->counts = brisk_table_new("describe.counts",
                                                 "Answers per scale point (counts)");
    if (!t || !k || add_columns(t, ids, BRISK_CELL_TEXT, 0) ||
        add_columns(t, counts, BRISK_CELL_INT, 0) || add_columns(t, moments, BRISK_CELL_NUMBER, 2) ||
        add_point_columns(c, t, "pct", BRISK_CELL_PERCENT, "% answering") ||
        (c->s->has_agree && add_columns(t, agree, BRISK_CELL_PERCENT, 1)) ||
        (c->data->weight && brisk_table_add_column(t, "n_eff", "Effective n",
                                                   BRISK_CELL_NUMBER, 1) == (size_t)-1) ||
        (c->design && (brisk_table_add_column(t, "mean_se", "SE of mean", BRISK_CELL_NUMBER,
                                              3) == (size_t)-1 ||
                       brisk_table_add_column(t, "deff", "Design effect", BRISK_CELL_NUMBER,
                                              2) == (size_t)-1 ||
                       (c->s->has_agree && brisk_table_add_column(t, "agree_se", "SE of % agree",
                                                                  BRISK_CELL_PERCENT, 2) ==
                                               (size_t)-1))) ||
        add_columns(k, ids, BRISK_CELL_TEXT, 0) ||
        add_point_columns(c, k, "count", BRISK_CELL_INT, "Answers") ||
        add_columns(k, missing, BRISK_CELL_INT, 0))
        return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

/* Valid values of column col on the given rows, with their weights. */
static size_t collect(const describe_ctx *c, const brisk_column *col, const size_t *rows,
                      size_t nrows)
{
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows[i];
        if (brisk_is_missing(col, r))
            continue;
        c->x[n] = col->num[r];
        c->w[n] = c->data->weight ? c->data->weight->num[r] : 1.0;
        n++;
    }
    return n;
}

static brisk_status set_ids(brisk_table *t, size_t row, const char *behaviour,
                            const char *construct, const char *item)
{
    if (brisk_table_set_text(t, row, 0, behaviour) || brisk_table_set_text(t, row, 1, construct) ||
        brisk_table_set_text(t, row, 2, item))
        return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

static void set(brisk_table *t, size_t row, const char *key, double x)
{
    size_t j = brisk_table_find_column(t, key);
    if (j != (size_t)-1)
        brisk_table_set_num(t, row, j, x);
}

static double row_weight(const describe_ctx *c, size_t r);

/* The linearised variance of a weighted mean of column col's valid values
 * y on the given rows (the value, or an indicator of agreeing), whose
 * weights sum to sum_w: each
 * respondent's influence w (y - mean) / sum_w, taken over the whole design
 * (a respondent without a value contributes zero: domain estimation, as
 * svymean with na.rm = TRUE).  NaN when memory is exhausted. */
static double design_variance(describe_ctx *c, const brisk_column *col, const size_t *rows,
                              size_t nrows, double mean, double sum_w, bool indicator)
{
    const brisk_survey *s = c->s;
    memset(c->u, 0, c->design->n * sizeof *c->u);
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows[i], who = c->respondent_of[r];
        if (brisk_is_missing(col, r) || who == (size_t)-1)
            continue;
        double x = col->num[r];
        double y = indicator ? (x >= s->agree_min && x <= s->agree_max) : x;
        c->u[who] += row_weight(c, r) * (y - mean) / sum_w;
    }
    double v;
    return brisk_sampling_vcov(c->design, c->u, 1, &v) ? v : NAN;
}

/* A proportion's interval under the design, as svyciprop(method = "logit"):
 * a Wald interval on the logit scale with t quantiles on the design's
 * degrees of freedom. */
static void logit_interval(const sampling_design *d, double p, double se, double *lo,
                           double *hi)
{
    double df = brisk_sampling_df(d);
    if (!(p > 0 && p < 1 && se > 0 && df > 0)) {
        *lo = *hi = NAN;
        return;
    }
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se / (p * (1 - p)), l = log(p / (1 - p));
    *lo = 1 / (1 + exp(-(l - half)));
    *hi = 1 / (1 + exp(-(l + half)));
}

/* The mean's SE and design effect (against simple random sampling with
 * replacement: svymean's deff = "replace"), from the design. */
static void fill_design_mean(describe_ctx *c, size_t row, const brisk_column *col,
                             const size_t *rows, size_t nrows, size_t n, const brisk_summary *sum)
{
    double v = design_variance(c, col, rows, nrows, sum->mean, sum->sum_w, false);
    set(c->items, row, "mean_se", sqrt(v));
    set(c->items, row, "deff", n > 1 ? v / (sum->sd * sum->sd / (double)n) : NAN);
}

/* Shares of each scale point and of agreement, from sorted values. */
static void fill_shares(describe_ctx *c, size_t row, size_t crow, const brisk_column *col,
                        const size_t *rows, size_t nrows, size_t n, const brisk_summary *sum)
{
    double sum_w = sum->sum_w, n_eff = sum->n_eff;
    const brisk_survey *s = c->s;
    double agree_w = 0;
    for (int k = 0; k < c->npoints; k++) {
        double point = s->scale_min + k, wk = 0;
        size_t nk = 0;
        for (size_t i = 0; i < n; i++) {
            if (c->x[i] == point) {
                wk += c->w[i];
                nk++;
            }
        }
        char key[32];
        snprintf(key, sizeof key, "pct_%g", point);
        set(c->items, row, key, sum_w > 0 ? 100 * wk / sum_w : NAN);
        snprintf(key, sizeof key, "count_%g", point);
        set(c->counts, crow, key, (double)nk);
    }
    if (!s->has_agree)
        return;
    for (size_t i = 0; i < n; i++)
        if (c->x[i] >= s->agree_min && c->x[i] <= s->agree_max)
            agree_w += c->w[i];
    double p = sum_w > 0 ? agree_w / sum_w : NAN, lo, hi;
    if (c->design) {
        double se = sqrt(design_variance(c, col, rows, nrows, p, sum_w, true));
        set(c->items, row, "agree_se", 100 * se);
        logit_interval(c->design, p, se, &lo, &hi);
    } else {
        brisk_wilson_ci(p, n_eff, Z95, &lo, &hi);
    }
    set(c->items, row, "agree_pct", 100 * p);
    set(c->items, row, "agree_ci_lower", 100 * lo);
    set(c->items, row, "agree_ci_upper", 100 * hi);
}

static brisk_status describe_item(describe_ctx *c, const char *behaviour, const char *tmpl,
                                  size_t b, const size_t *rows, size_t nrows)
{
    char *name = brisk_survey_column_name(c->s, tmpl, b);
    if (!name)
        return BRISK_ERR_NOMEM;
    const brisk_column *col = brisk_dataset_find(c->data->ds, name);
    size_t n = collect(c, col, rows, nrows);
    brisk_summary sum;
    size_t row = brisk_table_add_row(c->items), crow = brisk_table_add_row(c->counts);
    brisk_status st = row == (size_t)-1 || crow == (size_t)-1 ? BRISK_ERR_NOMEM
                    : brisk_summarize(c->x, c->w, n, &sum);
    const char *construct = brisk_survey_construct_of(c->s, tmpl);
    if (st == BRISK_OK)
        st = set_ids(c->items, row, behaviour, construct, name);
    if (st == BRISK_OK)
        st = set_ids(c->counts, crow, behaviour, construct, name);
    free(name);
    if (st != BRISK_OK)
        return st;
    set(c->items, row, "n", (double)n);
    set(c->items, row, "missing", (double)(nrows - n));
    set(c->items, row, "mean", sum.mean);
    set(c->items, row, "sd", sum.sd);
    set(c->items, row, "median", sum.median);
    set(c->items, row, "n_eff", sum.n_eff);
    if (c->design)
        fill_design_mean(c, row, col, rows, nrows, n, &sum);
    size_t miss[3] = {0, 0, 0};
    for (size_t i = 0; i < nrows; i++) {
        unsigned char kind = col->miss[rows[i]];
        if (kind != BRISK_MISS_NONE)
            miss[kind == BRISK_MISS_SYSTEM ? 0 : kind == BRISK_MISS_USER ? 1 : 2]++;
    }
    set(c->counts, crow, "missing_system", (double)miss[0]);
    set(c->counts, crow, "missing_user", (double)miss[1]);
    set(c->counts, crow, "missing_tagged", (double)miss[2]);
    fill_shares(c, row, crow, col, rows, nrows, n, &sum);
    return BRISK_OK;
}

static brisk_status describe_items(describe_ctx *c)
{
    const brisk_survey *s = c->s;
    const brisk_survey_data *d = c->data;
    /* Items asked once come first, on one row per respondent. */
    for (size_t i = 0; i < s->nitems; i++) {
        if (brisk_template_is_per_behaviour(s->items[i].key))
            continue;
        brisk_status st = describe_item(c, NULL, s->items[i].key, 0, d->respondent_rows,
                                        d->nrespondents);
        if (st != BRISK_OK)
            return st;
    }
    for (size_t b = 0; b < s->nbehaviours; b++) {
        for (size_t i = 0; i < s->nitems; i++) {
            if (!brisk_template_is_per_behaviour(s->items[i].key))
                continue;
            brisk_status st = describe_item(c, brisk_behaviour_label(s, b), s->items[i].key, b,
                                            d->rows[b], d->nrows[b]);
            if (st != BRISK_OK)
                return st;
        }
    }
    return BRISK_OK;
}

/* What the design-based columns come from, as svydesign declares it. */
static brisk_status design_note(describe_ctx *c)
{
    const brisk_survey *s = c->s;
    const sampling_design *d = c->design;
    char clusters[160] = "", strata[160] = "", fpc[160] = "";
    if (s->cluster)
        snprintf(clusters, sizeof clusters, "clusters '%.100s' (%zu PSUs), ", s->cluster, d->npsu);
    else
        snprintf(clusters, sizeof clusters, "each respondent a PSU, ");
    if (s->strata)
        snprintf(strata, sizeof strata, "strata '%.100s' (%zu), ", s->strata, d->nstrata);
    if (s->fpc)
        snprintf(fpc, sizeof fpc, "finite population correction '%.100s', ", s->fpc);
    char weight[600] = "Unweighted; ";
    if (s->weight)
        snprintf(weight, sizeof weight, "Weighted by '%.100s' (n counts respondents); ", s->weight);
    if (s->nmargins) {
        const brisk_survey_data *data = c->data;
        brisk_buf vars = {0};
        bool ok = true;
        for (size_t m = 0; ok && m < s->nmargins; m++)
            ok = brisk_buf_printf(&vars, "%s'%s'", m ? ", " : "", s->margins[m].variable);
        if (!ok) {
            brisk_buf_free(&vars);
            return BRISK_ERR_NOMEM;
        }
        snprintf(weight, sizeof weight, "Weighted by '%.100s'%s, %s to [margins] %.300s (%s: %zu "
                 "pass%s; from %.4g to %.4g, Kish's design effect %.3f; n counts "
                 "respondents); ", s->weight, s->weight_generated ? " (from 1)" : "",
                 s->nmargins == 1 ? "post-stratified" : "raked",
                 vars.data, s->nmargins == 1 ? "survey's postStratify" : "survey's rake",
                 data->raked_passes, data->raked_passes == 1 ? "" : "es", data->raked_min,
                 data->raked_max, data->raked_deff);
        brisk_buf_free(&vars);
    }
    return brisk_table_add_note(
        c->items, "%sstandard errors and intervals from the sampling design (%s%s%sone "
                  "stage%s), by Taylor linearisation as R's survey package (svymean; domains "
                  "over the whole design; t quantiles on %g degrees of freedom, PSUs minus "
                  "strata). Design effect: the mean's variance over simple random sampling's "
                  "with replacement (svymean's deff = \"replace\"); effective n: Kish's.",
        weight, clusters, strata, fpc,
        s->nmargins ? "; the influence values' residuals on the margins, as svyrecvar for a "
                      "calibrated design" : "", brisk_sampling_df(d));
}

static brisk_status add_item_notes(describe_ctx *c)
{
    const brisk_survey *s = c->s;
    brisk_status st = BRISK_OK;
    if (s->has_agree)
        st = brisk_table_add_note(c->items, "%% agree: answers %g to %g; 95%% %s intervals.",
                                  s->agree_min, s->agree_max,
                                  c->design ? "logit (svyciprop's default)" : "Wilson score");
    if (!st && c->design)
        st = design_note(c);
    if (!st && s->nreverse)
        st = brisk_table_add_note(c->items, "Reverse-keyed items are shown after recoding "
                                  "(%g + %g - answer).", s->scale_min, s->scale_max);
    if (!st && s->nmissing)
        st = brisk_table_add_note(c->items, "Missing codes of the survey count as missing.");
    return st;
}

/* ---------------------------------------------------------- demographics */

static size_t distinct_values(const double *sorted, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            k++;
    return k;
}

static brisk_status frequency_row(brisk_table *t, const char *var, const char *value,
                                  const char *label, double count, double pct, double valid_pct)
{
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, var) ||
        brisk_table_set_text(t, row, 1, value) || brisk_table_set_text(t, row, 2, label))
        return BRISK_ERR_NOMEM;
    brisk_table_set_num(t, row, 3, count);
    brisk_table_set_num(t, row, 4, pct);
    brisk_table_set_num(t, row, 5, valid_pct);
    return BRISK_OK;
}

static double row_weight(const describe_ctx *c, size_t r)
{
    return c->data->weight ? c->data->weight->num[r] : 1.0;
}

/* A string demographic: categories in order of first appearance. */
static brisk_status frequencies_of_text(describe_ctx *c, brisk_table *t, const brisk_column *col)
{
    const brisk_survey_data *d = c->data;
    double total_w = 0, valid_w = 0;
    for (size_t i = 0; i < d->nrespondents; i++) {
        size_t r = d->respondent_rows[i];
        total_w += row_weight(c, r);
        if (!brisk_is_missing(col, r))
            valid_w += row_weight(c, r);
    }
    for (size_t i = 0; i < d->nrespondents; i++) {
        size_t r = d->respondent_rows[i], first = 1;
        if (brisk_is_missing(col, r))
            continue;
        for (size_t k = 0; k < i && first; k++)
            if (!brisk_is_missing(col, d->respondent_rows[k]) &&
                strcmp(col->str[d->respondent_rows[k]], col->str[r]) == 0)
                first = 0;
        if (!first)
            continue;
        double n = 0, w = 0;
        for (size_t k = i; k < d->nrespondents; k++) {
            size_t q = d->respondent_rows[k];
            if (!brisk_is_missing(col, q) && strcmp(col->str[q], col->str[r]) == 0) {
                n++;
                w += row_weight(c, q);
            }
        }
        if (frequency_row(t, col->name, col->str[r], NULL, n, 100 * w / total_w,
                          100 * w / valid_w))
            return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

/* A numeric demographic with few values (or value labels): one row each. */
static brisk_status frequencies_of_codes(describe_ctx *c, brisk_table *t, const brisk_column *col,
                                         size_t n, double total_w)
{
    double valid_w = 0;
    for (size_t i = 0; i < n; i++)
        valid_w += c->w[i];
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double w = 0;
        while (j < n && c->x[j] == c->x[i])
            w += c->w[j++];
        char value[32];
        snprintf(value, sizeof value, "%.15g", c->x[i]);
        if (frequency_row(t, col->name, value, brisk_column_label_of(col, c->x[i]),
                          (double)(j - i), 100 * w / total_w, 100 * w / valid_w))
            return BRISK_ERR_NOMEM;
        i = j;
    }
    return BRISK_OK;
}

static brisk_status missing_row(describe_ctx *c, brisk_table *t, const brisk_column *col)
{
    const brisk_survey_data *d = c->data;
    double n = 0, w = 0, total_w = 0;
    for (size_t i = 0; i < d->nrespondents; i++) {
        size_t r = d->respondent_rows[i];
        total_w += row_weight(c, r);
        if (brisk_is_missing(col, r)) {
            n++;
            w += row_weight(c, r);
        }
    }
    if (n == 0)
        return BRISK_OK;
    return frequency_row(t, col->name, NULL, "(missing)", n, 100 * w / total_w, NAN);
}

static brisk_status summary_row(brisk_table *t, const char *var, const brisk_summary *s,
                                size_t missing)
{
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, var))
        return BRISK_ERR_NOMEM;
    double v[] = {(double)s->n, (double)missing, s->mean, s->sd, s->min, s->median, s->max};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
        brisk_table_set_num(t, row, j + 1, v[j]);
    return BRISK_OK;
}

static brisk_status describe_demographic(describe_ctx *c, brisk_table *freq, brisk_table *num,
                                         const brisk_column *col)
{
    const brisk_survey_data *d = c->data;
    if (col->type == BRISK_STRING) {
        brisk_status st = frequencies_of_text(c, freq, col);
        return st ? st : missing_row(c, freq, col);
    }
    double total_w = 0;
    for (size_t i = 0; i < d->nrespondents; i++)
        total_w += row_weight(c, d->respondent_rows[i]);
    size_t n = collect(c, col, d->respondent_rows, d->nrespondents);
    brisk_summary s;
    if (brisk_summarize(c->x, c->w, n, &s) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    if (col->n_labels == 0 && distinct_values(c->x, n) > MAX_CATEGORIES)
        return summary_row(num, col->name, &s, d->nrespondents - n);
    brisk_status st = frequencies_of_codes(c, freq, col, n, total_w);
    return st ? st : missing_row(c, freq, col);
}

static brisk_status describe_demographics(describe_ctx *c, brisk_table_list *out)
{
    static const char *const fcols[] = {"variable", "Variable", "value", "Value",
                                        "label", "Label", NULL};
    static const char *const ncols[] = {"mean", "Mean", "sd", "SD", "min", "Min",
                                        "median", "Median", "max", "Max", NULL};
    const brisk_survey *s = c->s;
    if (s->ndemographics == 0)
        return BRISK_OK;
    brisk_table *freq = brisk_table_new("describe.demographics", "Demographics: frequencies");
    brisk_table *num = brisk_table_new("describe.demographics_numeric",
                                       "Demographics: numeric summaries");
    brisk_status st = BRISK_ERR_NOMEM;
    if (!freq || !num || add_columns(freq, fcols, BRISK_CELL_TEXT, 0) ||
        brisk_table_add_column(freq, "n", "n", BRISK_CELL_INT, 0) == (size_t)-1 ||
        brisk_table_add_column(freq, "pct", "%", BRISK_CELL_PERCENT, 1) == (size_t)-1 ||
        brisk_table_add_column(freq, "valid_pct", "Valid %", BRISK_CELL_PERCENT, 1) == (size_t)-1 ||
        brisk_table_add_column(num, "variable", "Variable", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
        brisk_table_add_column(num, "n", "n", BRISK_CELL_INT, 0) == (size_t)-1 ||
        brisk_table_add_column(num, "missing", "Missing", BRISK_CELL_INT, 0) == (size_t)-1 ||
        add_columns(num, ncols, BRISK_CELL_NUMBER, 2))
        goto cleanup;
    for (size_t i = 0; i < s->ndemographics; i++) {
        const brisk_column *col = brisk_dataset_find(c->data->ds, s->demographics[i].key);
        if ((st = describe_demographic(c, freq, num, col)) != BRISK_OK)
            goto cleanup;
    }
    if (c->data->weight && (brisk_table_add_note(freq, "Percentages weighted by '%s'; n "
                                                 "counts respondents.", s->weight) ||
                            brisk_table_add_note(num, "Weighted by '%s'.", s->weight))) {
        st = BRISK_ERR_NOMEM;
        goto cleanup;
    }
    st = BRISK_OK;
    if (freq->nrows) {
        st = brisk_table_list_add(out, freq); /* owns freq now, also on failure */
        freq = NULL;
    }
    if (st == BRISK_OK && num->nrows) {
        st = brisk_table_list_add(out, num);
        num = NULL;
    }
cleanup:
    brisk_table_free(freq);
    brisk_table_free(num);
    return st;
}

/* One row of the scores' table: a score's column on the given rows. */
static brisk_status score_row(describe_ctx *c, brisk_table *t, const char *behaviour,
                              const char *name, const size_t *rows, size_t nrows)
{
    const brisk_column *col = brisk_dataset_find(c->data->ds, name);
    size_t n = collect(c, col, rows, nrows);
    brisk_summary sum;
    if (brisk_summarize(c->x, c->w, n, &sum) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || set_ids(t, row, behaviour, name, name) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    double v[] = {(double)sum.n, (double)(nrows - n), sum.mean, sum.sd, sum.min, sum.median,
                  sum.max};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
        brisk_table_set_num(t, row, j + 3, v[j]);
    return BRISK_OK;
}

/* [scores]: each score's n, mean, SD and range, per behaviour for a
 * per-behaviour score, weighted as the items are. */
static brisk_status describe_scores(describe_ctx *c, brisk_table_list *out)
{
    static const char *const cols[] = {"behaviour", "Behaviour", "construct", "Score",
                                       "item", "Column", NULL};
    static const char *const ncols[] = {"mean", "Mean", "sd", "SD", "min", "Min",
                                        "median", "Median", "max", "Max", NULL};
    const brisk_survey *s = c->s;
    const brisk_survey_data *d = c->data;
    if (s->nscores == 0)
        return BRISK_OK;
    brisk_table *t = brisk_table_new("describe.scores", "Scores");
    brisk_status st = BRISK_ERR_NOMEM;
    if (!t || add_columns(t, cols, BRISK_CELL_TEXT, 0) ||
        brisk_table_add_column(t, "n", "n", BRISK_CELL_INT, 0) == (size_t)-1 ||
        brisk_table_add_column(t, "missing", "Missing", BRISK_CELL_INT, 0) == (size_t)-1 ||
        add_columns(t, ncols, BRISK_CELL_NUMBER, 2))
        goto cleanup;
    for (size_t i = 0; i < s->nscores; i++) {
        const char *tmpl = s->scores[i].key;
        bool per = brisk_template_is_per_behaviour(tmpl);
        for (size_t b = 0; b < (per ? s->nbehaviours : 1); b++) {
            char *name = brisk_survey_column_name(s, tmpl, b);
            st = name ? score_row(c, t, per ? s->behaviours[b].key : NULL, name,
                                  per ? d->rows[b] : d->respondent_rows,
                                  per ? d->nrows[b] : d->nrespondents)
                      : BRISK_ERR_NOMEM;
            if (st == BRISK_OK)
                brisk_table_set_text(t, t->nrows - 1, 1, tmpl);
            free(name);
            if (st != BRISK_OK)
                goto cleanup;
        }
    }
    st = BRISK_ERR_NOMEM;
    if (brisk_table_add_note(t, "Scores as [scores] defines them (a mean needs every answer, "
                             "mean.N at least N), computed after missing codes and "
                             "reverse-keying%s%s%s.", d->weight ? "; weighted by '" : "",
                             d->weight ? s->weight : "", d->weight ? "'" : ""))
        goto cleanup;
    st = brisk_table_list_add(out, t);
    t = NULL;
cleanup:
    brisk_table_free(t);
    return st;
}

size_t *brisk_respondent_index(const brisk_survey_data *d)
{
    size_t *of = malloc((d->ds->nrows + 1) * sizeof *of);
    if (!of)
        return NULL;
    for (size_t r = 0; r < d->ds->nrows; r++)
        of[r] = (size_t)-1;
    for (size_t b = 0; b < brisk_survey_nblocks(d->survey); b++)
        for (size_t i = 0; d->respondent_row && d->respondent_row[b] && i < d->nrespondents; i++)
            if (d->respondent_row[b][i] != (size_t)-1)
                of[d->respondent_row[b][i]] = i;
    for (size_t i = 0; i < d->nrespondents; i++)
        of[d->respondent_rows[i]] = i;
    return of;
}

/* With a design: each data row's respondent (its row in the design). */
static brisk_status respondents_of_rows(describe_ctx *c)
{
    if (!c->design)
        return BRISK_OK;
    c->respondent_of = brisk_respondent_index(c->data);
    c->u = malloc((c->design->n + 1) * sizeof *c->u);
    return c->respondent_of && c->u ? BRISK_OK : BRISK_ERR_NOMEM;
}

brisk_status brisk_describe(const brisk_survey_data *data, brisk_table_list *out,
                            brisk_error *err)
{
    size_t n = data->ds->nrows ? data->ds->nrows : 1;
    describe_ctx c = {.data = data, .s = data->survey, .npoints = scale_points(data->survey),
                      .x = malloc(n * sizeof(double)), .w = malloc(n * sizeof(double)),
                      .design = data->design, .err = err};
    brisk_status st = c.x && c.w ? respondents_of_rows(&c) : BRISK_ERR_NOMEM;
    if (st == BRISK_OK)
        st = make_item_tables(&c);
    if (st == BRISK_OK)
        st = describe_items(&c);
    if (st == BRISK_OK)
        st = add_item_notes(&c);
    if (st == BRISK_OK && c.items->nrows) {
        st = brisk_table_list_add(out, c.items);
        c.items = NULL;
        if (st == BRISK_OK) {
            st = brisk_table_list_add(out, c.counts);
            c.counts = NULL;
        }
    }
    if (st == BRISK_OK)
        st = describe_scores(&c, out);
    if (st == BRISK_OK)
        st = describe_demographics(&c, out);
    brisk_table_free(c.items);
    brisk_table_free(c.counts);
    free(c.x);
    free(c.w);
    free(c.u);
    free(c.respondent_of);
    if (st != BRISK_OK)
        return brisk_error_set(err, st, "out of memory");
    return BRISK_OK;
}
