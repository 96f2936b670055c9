/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sample moments of a model's observed variables. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sem_internal.h"
#include "stats/sampling.h"

void brisk_moments_free(brisk_moments *mom)
{
    free(mom->cov);
    free(mom->mean);
    free(mom->data);
    free(mom->weight);
    free(mom->cluster);
    brisk_patterns_free(mom);
    memset(mom, 0, sizeof *mom);
}

static brisk_status find_columns(const brisk_model *m, const brisk_dataset *ds,
                                 const brisk_column **cols, brisk_error *err)
{
    for (size_t j = 0; j < m->p; j++) {
        cols[j] = brisk_dataset_find(ds, m->ov[j]);
        if (!cols[j]) {
            brisk_error_variable(err, m->ov[j]);
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s",
                                   m->ov[j], ds->source ? ds->source : "the data");
        }
        if (cols[j]->type != BRISK_NUMERIC) {
            brisk_error_variable(err, m->ov[j]);
            return brisk_error_set(err, BRISK_ERR_VALUE,
                                   "'%s' holds text; a model needs numeric variables",
                                   m->ov[j]);
        }
    }
    return BRISK_OK;
}

static bool complete(const brisk_column *const *cols, size_t p, size_t row)
{
    for (size_t j = 0; j < p; j++)
        if (brisk_is_missing(cols[j], row))
            return false;
    return true;
}

/* Two passes (means, then centred cross-products) for accuracy; with
 * sampling weights (wcol) both weighted, the divisor their sum, and each
 * kept row's weight left in out->weight, normalised to sum to n. */
static void accumulate(const brisk_column *const *cols, size_t p, const size_t *rows,
                       size_t nrows, const brisk_column *wcol, brisk_moments *out)
{
    size_t n = 0;
    double total = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        if (!complete(cols, p, r))
            continue;
        double w = wcol ? wcol->num[r] : 1;
        n++;
        total += w;
        for (size_t j = 0; j < p; j++)
            out->mean[j] += w * cols[j]->num[r];
    }
    for (size_t j = 0; j < p && n; j++)
        out->mean[j] /= total;
    /* no more respondents than variables: the covariance matrix is singular
     * and the fit refuses it at once (estimate.c, check_group); left
     * uncomputed (zero), it costs neither the time nor the memory of p^2
     * cells (10,000 items on 30 rows: 800 MB) */
    bool covariances = n > p;
    for (size_t i = 0; covariances && i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        if (!complete(cols, p, r))
            continue;
        double w = wcol ? wcol->num[r] : 1;
        for (size_t j = 0; j < p; j++) {
            double dj = w * (cols[j]->num[r] - out->mean[j]);
            for (size_t k = 0; k <= j; k++)
                out->cov[j * p + k] += dj * (cols[k]->num[r] - out->mean[k]);
        }
    }
    for (size_t j = 0; covariances && j < p; j++) {
        for (size_t k = 0; k <= j; k++) {
            double c = n ? out->cov[j * p + k] / total : NAN;
            out->cov[j * p + k] = out->cov[k * p + j] = c;
        }
    }
    for (size_t i = 0, k = 0; out->data && i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        if (!complete(cols, p, r))
            continue;
        for (size_t j = 0; j < p; j++)
            out->data[k * p + j] = cols[j]->num[r];
        if (out->weight)
            out->weight[k] = wcol->num[r] * (double)n / total;
        k++;
    }
    out->n = n;
    out->n_dropped = nrows - n;
    out->size = (double)n;
    out->weight_sum = total;
}

/* An item nobody answered empties every listwise sample: name it. */
static brisk_status check_answered(const brisk_model *m, const brisk_column *const *cols,
                                   const size_t *rows, size_t nrows, brisk_error *err)
{
    for (size_t j = 0; j < m->p; j++) {
        size_t valid = 0;
        for (size_t i = 0; i < nrows && !valid; i++)
            valid += !brisk_is_missing(cols[j], rows ? rows[i] : i);
        if (!valid) {
            brisk_error_variable(err, m->ov[j]);
            return brisk_error_set(err, BRISK_ERR_DATA, "item '%s' has no valid value in the "
                                   "%zu respondents; drop it from the model", m->ov[j], nrows);
        }
    }
    return BRISK_OK;
}

/* Listwise: the complete rows' moments, and the rows themselves (robust
 * ML's casewise scores need them). */
static brisk_status listwise(const brisk_column *const *cols, size_t p, const size_t *rows,
                             size_t nrows, const brisk_column *wcol, brisk_moments *out,
                             brisk_error *err)
{
    out->data = malloc((nrows * p + 1) * sizeof *out->data);
    if (wcol)
        out->weight = malloc((nrows + 1) * sizeof *out->weight);
    if (!out->data || (wcol && !out->weight))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    accumulate(cols, p, rows, nrows, wcol, out);
    if (wcol && !(out->weight_sum > 0) && out->n)
        return brisk_error_set(err, BRISK_ERR_DATA, "the sampling weights ('%s') of the %zu "
                               "respondents with every variable answered are all zero",
                               wcol->name, out->n);
    return BRISK_OK;
}

/* Pairwise (lavaan's missing = "pairwise", for WLSMV): every row that
 * answered any of the model's variables, NaN where it did not; the means
 * over each variable's answers and the covariances over each pair's
 * (divisor the pair's count), for starting values only: WLSMV's
 * statistics come from the rows (wlsmv_stats.c). */
static brisk_status pairwise(const brisk_column *const *cols, size_t p, const size_t *rows,
                             size_t nrows, brisk_moments *out, brisk_error *err)
{
    out->data = malloc((nrows * p + 1) * sizeof *out->data);
    double *count = calloc(p * p + 1, sizeof *count);
    if (!out->data || !count) {
        free(count);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i, answered = 0;
        for (size_t j = 0; j < p; j++) {
            bool miss = brisk_is_missing(cols[j], r);
            out->data[n * p + j] = miss ? NAN : cols[j]->num[r];
            answered += !miss;
        }
        n += answered > 0;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            if (!isnan(out->data[i * p + j])) {
                out->mean[j] += out->data[i * p + j];
                count[j * p + j] += 1;
            }
    for (size_t j = 0; j < p; j++)
        out->mean[j] /= count[j * p + j];
    memset(count, 0, p * p * sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; k <= j; k++) {
                double a = out->data[i * p + j], b = out->data[i * p + k];
                if (isnan(a) || isnan(b))
                    continue;
                out->cov[j * p + k] += (a - out->mean[j]) * (b - out->mean[k]);
                count[j * p + k] += 1;
            }
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k <= j; k++)
            out->cov[j * p + k] = out->cov[k * p + j] =
                count[j * p + k] > 0 ? out->cov[j * p + k] / count[j * p + k] : 0;
    free(count);
    out->n = n;
    out->n_dropped = nrows - n;
    out->size = (double)n;
    return BRISK_OK;
}

/* The sampling weights' column: numeric, and for every row of the sample
 * present, finite and not negative (lavaan refuses missing weights too). */
static brisk_status weight_column(const brisk_model *m, const brisk_dataset *ds,
                                  const size_t *rows, size_t nrows, const brisk_column **wcol,
                                  brisk_error *err)
{
    const brisk_column *w = *wcol = brisk_dataset_find(ds, m->weight);
    const char *problem = NULL;
    size_t r = 0;
    for (size_t i = 0; w && w->type == BRISK_NUMERIC && !problem && i < nrows; i++) {
        r = rows ? rows[i] : i;
        problem = brisk_is_missing(w, r)   ? "is missing"
                  : !isfinite(w->num[r]) ? "is not a finite number"
                  : w->num[r] < 0        ? "is negative"
                                         : NULL;
    }
    if (w && w->type == BRISK_NUMERIC && !problem)
        return BRISK_OK;
    brisk_error_variable(err, m->weight);
    char near[300];
    if (!w)
        return brisk_error_set(err, BRISK_ERR_COLUMN, "weight '%s' is not a column of %s%s",
                               m->weight, ds->source ? ds->source : "the data",
                               brisk_dataset_did_you_mean(ds, m->weight, near, sizeof near));
    if (!problem)
        return brisk_error_set(err, BRISK_ERR_VALUE, "weight '%s' holds text; sampling "
                               "weights are numbers%s", m->weight,
                               brisk_column_decimal_hint(w, ds->nrows));
    return brisk_error_set(err, BRISK_ERR_VALUE, "weight '%s' %s in data row %zu; every "
                           "respondent needs a non-negative weight", m->weight, problem, r + 1);
}

/* Full-information ML conditions on the fixed covariates, so it keeps only
 * the rows where every one of them is observed (lavaan's missing = "ml"
 * with fixed.x: "cases were deleted due to missing values in exogenous
 * variable(s)").  The kept rows go to *kept (NULL: every row kept). */
static brisk_status rows_with_covariates(const brisk_model *m,
                                         const brisk_column *const *cols, const size_t *rows,
                                         size_t nrows, size_t **kept, size_t *nkept,
                                         brisk_error *err)
{
    *kept = NULL;
    *nkept = nrows;
    if (!brisk_model_nexogenous(m))
        return BRISK_OK;
    size_t *out = malloc((nrows ? nrows : 1) * sizeof *out), n = 0;
    if (!out)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        bool observed = true;
        for (size_t j = 0; j < m->p && observed; j++)
            observed = !brisk_sem_is_fixed_x(m, j) || !brisk_is_missing(cols[j], r);
        if (observed)
            out[n++] = r;
    }
    *kept = out;
    *nkept = n;
    return BRISK_OK;
}

/* Each kept (complete) row's cluster, numbered over the kept rows in the
 * order of their cluster values (lavaan's cluster=); a row without a
 * cluster value is a cluster of its own. */
static brisk_status cluster_index(const brisk_model *m, const brisk_dataset *ds,
                                  const brisk_column *const *cols, const size_t *rows,
                                  size_t nrows, brisk_moments *out, brisk_error *err)
{
    size_t *kept = malloc((out->n + 1) * sizeof *kept), k = 0;
    if (!kept)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        if (complete(cols, m->p, r))
            kept[k++] = r;
    }
    sampling_spec spec = {.cluster = m->cluster, .rows = kept, .nrows = k,
                          .source = ds->source};
    sampling_design d;
    brisk_status st = brisk_sampling_build(ds, &spec, &d, err);
    if (st == BRISK_OK) {
        out->cluster = d.psu;       /* taken over */
        out->nclusters = d.npsu;
        d.psu = NULL;
        brisk_sampling_free(&d);
    }
    free(kept);
    return st;
}

/* Listwise moments, or (fiml) full-information ML's patterns and the
 * saturated model's EM estimates within time_limit seconds (0: none). */
static brisk_status moments_with(const brisk_model *m, const brisk_dataset *ds,
                                 const size_t *rows, size_t nrows, brisk_moments *out,
                                 bool fiml, bool pairs, double time_limit, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!rows)
        nrows = ds->nrows;
    size_t p = m->p;
    const brisk_column **cols = calloc(p ? p : 1, sizeof *cols);
    out->p = p;
    out->cov = calloc(p ? p * p : 1, sizeof *out->cov);
    out->mean = calloc(p ? p : 1, sizeof *out->mean);
    brisk_status st = cols && out->cov && out->mean
                          ? find_columns(m, ds, cols, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    const brisk_column *wcol = NULL;
    if (st == BRISK_OK && m->weight)
        st = weight_column(m, ds, rows, nrows, &wcol, err);
    if (st == BRISK_OK)
        st = check_answered(m, cols, rows, nrows, err);
    size_t *kept = NULL, nkept = nrows;
    if (st == BRISK_OK && fiml)
        st = rows_with_covariates(m, cols, rows, nrows, &kept, &nkept, err);
    if (st == BRISK_OK)
        st = fiml ? brisk_moments_fiml(cols, p, kept ? kept : rows, nkept, wcol, time_limit, out,
                                       err)
                  : pairs ? pairwise(cols, p, rows, nrows, out, err)
                          : listwise(cols, p, rows, nrows, wcol, out, err);
    if (st == BRISK_OK && m->cluster && !fiml)
        st = cluster_index(m, ds, cols, rows, nrows, out, err);
    if (st == BRISK_OK) {
        out->n_no_covariate = nrows - nkept;
        out->n_dropped += out->n_no_covariate;
    }
    free(kept);
    free(cols);
    if (st != BRISK_OK)
        brisk_moments_free(out);
    return st;
}

brisk_status brisk_moments_from_data(const brisk_model *m, const brisk_dataset *ds,
                                     const size_t *rows, size_t nrows, brisk_moments *out,
                                     brisk_error *err)
{
    return moments_with(m, ds, rows, nrows, out, false, false, 0, err);
}

brisk_status brisk_moments_from_data_pairwise(const brisk_model *m, const brisk_dataset *ds,
                                              const size_t *rows, size_t nrows,
                                              brisk_moments *out, brisk_error *err)
{
    return moments_with(m, ds, rows, nrows, out, false, true, 0, err);
}

brisk_status brisk_moments_from_data_fiml(const brisk_model *m, const brisk_dataset *ds,
                                          const size_t *rows, size_t nrows, double time_limit,
                                          brisk_moments *out, brisk_error *err)
{
    return moments_with(m, ds, rows, nrows, out, true, false, time_limit, err);
}

void brisk_moments_normalise_weights(brisk_moments *mom, size_t ngroups)
{
    double rows = 0, total = 0;
    for (size_t g = 0; g < ngroups; g++) {
        rows += (double)mom[g].n;
        total += mom[g].weight_sum;
    }
    for (size_t g = 0; g < ngroups && total > 0; g++) {
        if (!mom[g].n)
            continue;
        /* the weights sum to n_g now; to the group's share of all rows */
        double size = rows * mom[g].weight_sum / total, scale = size / (double)mom[g].n;
        for (size_t i = 0; mom[g].weight && i < mom[g].n; i++)
            mom[g].weight[i] *= scale;
        for (size_t k = 0; k < mom[g].npatterns; k++)
            mom[g].patterns[k].weight *= scale;
        mom[g].size = size;
    }
}

/* A cell as the text that names its group. */
static char *level_text(const brisk_column *c, size_t row)
{
    if (c->type == BRISK_STRING)
        return strdup(c->str[row]);
    const char *label = brisk_column_label_of(c, c->num[row]);
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", c->num[row]);
    return strdup(label ? label : buf);
}

brisk_status brisk_group_levels(const brisk_dataset *ds, const char *column, const size_t *rows,
                                size_t nrows, char ***labels, size_t *nlabels, size_t **level,
                                brisk_error *err)
{
    *labels = NULL;
    *nlabels = 0;
    const brisk_column *c = brisk_dataset_find(ds, column);
    if (!c) {
        char near[300];
        brisk_error_variable(err, column);
        return brisk_error_set(err, BRISK_ERR_COLUMN, "group column '%s' is not a column of %s%s",
                               column, ds->source ? ds->source : "the data",
                               brisk_dataset_did_you_mean(ds, column, near, sizeof near));
    }
    if (!rows)
        nrows = ds->nrows;
    *level = malloc((nrows ? nrows : 1) * sizeof **level);
    char **names = calloc(nrows ? nrows : 1, sizeof *names);
    if (!*level || !names)
        goto nomem;
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        (*level)[i] = (size_t)-1;
        if (brisk_is_missing(c, r))
            continue;
        char *text = level_text(c, r);
        if (!text)
            goto nomem;
        size_t k = 0;
        while (k < n && strcmp(names[k], text) != 0)
            k++;
        if (k == n)
            names[n++] = text;
        else
            free(text);
        (*level)[i] = k;
    }
    *labels = names;
    *nlabels = n;
    return BRISK_OK;
nomem:
    for (size_t k = 0; names && k < nrows && names[k]; k++)
        free(names[k]);
    free(names);
    free(*level);
    *level = NULL;
    return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}
