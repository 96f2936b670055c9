/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Factor scores of fitted models as a data file: the respondents' ids and
 * one column per latent variable (per behaviour), for merging and for
 * regress --data. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "brisk/predict.h"

/* Copy column src's cell row into dst's cell out_row (missing stays missing). */
static brisk_status copy_cell(const brisk_column *src, size_t row, brisk_column *dst,
                              size_t out_row)
{
    if (src->miss[row] != BRISK_MISS_NONE)
        return BRISK_OK;
    if (src->type == BRISK_STRING)
        return brisk_column_set_string(dst, out_row, src->str[row]);
    brisk_column_set_number(dst, out_row, src->num[row]);
    return BRISK_OK;
}

/* The id column of the scores: a copy of column id at rows[r] (or, with no
 * id, the rows' numbers from 1, in a column "row"). */
static brisk_status add_ids(brisk_dataset *out, const brisk_dataset *ds, const char *id,
                            const size_t *rows, size_t n, brisk_error *err)
{
    const brisk_column *src = id ? brisk_dataset_find(ds, id) : NULL;
    char near[300];
    if (id && !src)
        return brisk_error_set(err, BRISK_ERR_COLUMN, "id column '%s' is not a column of %s%s",
                               id, ds->source ? ds->source : "the data",
                               brisk_dataset_did_you_mean(ds, id, near, sizeof near));
    size_t index;
    brisk_status st = brisk_dataset_add_column(out, id ? id : "row",
                                               src ? src->type : BRISK_NUMERIC, &index, err);
    for (size_t r = 0; st == BRISK_OK && r < n; r++) {
        brisk_column *dst = &out->cols[index];
        if (src)
            st = copy_cell(src, rows[r], dst, r);
        else
            brisk_column_set_number(dst, r, (double)rows[r] + 1);
    }
    if (st == BRISK_OK && src && src->label)
        out->cols[index].label = strdup(src->label);
    return st;
}

/* One fit's scores as columns NAME (or NAME_KEY with a behaviour's key),
 * row r of the output holding the scores of data row rows[r] ((size_t)-1:
 * none). */
static brisk_status add_fit_columns(brisk_dataset *out, const brisk_fitted *f,
                                    const brisk_dataset *ds, const char *key,
                                    const size_t *rows, size_t n, brisk_score_method method,
                                    brisk_error *err)
{
    double *scores = NULL;
    size_t m = brisk_model_nlatent(f->model), first = out->ncols;
    size_t *offered = malloc((ds->nrows ? ds->nrows : 1) * sizeof *offered);
    brisk_status st = offered ? brisk_fitted_scores(f, ds, method, &scores, err)
                              : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && i < ds->nrows; i++)
        offered[i] = (size_t)-1;
    for (size_t i = 0; st == BRISK_OK && i < f->ngroup_rows[0]; i++)
        offered[f->group_rows[0][i]] = i;
    for (size_t k = 0; st == BRISK_OK && k < m; k++) {
        char name[512];
        const char *lv = brisk_model_latent(f->model, k);
        if (key)
            snprintf(name, sizeof name, "%s_%s", lv, key);
        else
            snprintf(name, sizeof name, "%s", lv);
        size_t index;
        st = brisk_dataset_add_column(out, name, BRISK_NUMERIC, &index, err);
    }
    for (size_t r = 0; st == BRISK_OK && r < n; r++) {
        size_t i = rows[r] == (size_t)-1 ? (size_t)-1 : offered[rows[r]];
        for (size_t k = 0; i != (size_t)-1 && k < m; k++)
            if (!isnan(scores[i * m + k]))
                brisk_column_set_number(&out->cols[first + k], r, scores[i * m + k]);
    }
    free(scores);
    free(offered);
    return st;
}

brisk_status brisk_data_fit_scores(const brisk_fitted *f, const brisk_dataset *ds,
                                   const char *id, brisk_score_method method,
                                   brisk_dataset **out, brisk_error *err)
{
    size_t *rows = malloc((ds->nrows ? ds->nrows : 1) * sizeof *rows);
    brisk_dataset *scores = brisk_dataset_new(ds->nrows);
    brisk_status st = rows && scores ? BRISK_OK
                                     : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t r = 0; st == BRISK_OK && r < ds->nrows; r++)
        rows[r] = r;
    if (st == BRISK_OK)
        st = add_ids(scores, ds, id, rows, ds->nrows, err);
    if (st == BRISK_OK)
        st = add_fit_columns(scores, f, ds, NULL, rows, ds->nrows, method, err);
    free(rows);
    if (st != BRISK_OK) {
        brisk_dataset_free(scores);
        return st;
    }
    *out = scores;
    return BRISK_OK;
}

/* The survey's index of a behaviour's key (0 without behaviours). */
static size_t behaviour_index(const brisk_survey *s, const char *key)
{
    for (size_t b = 0; key && b < s->nbehaviours; b++)
        if (strcmp(s->behaviours[b].key, key) == 0)
            return b;
    return 0;
}

brisk_status brisk_survey_fit_scores(const brisk_survey *s, const brisk_survey_data *d,
                                     const brisk_survey_fits *fits, brisk_score_method method,
                                     brisk_dataset **out, brisk_error *err)
{
    if (!s->id) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "factor scores name respondents by "
                               "the survey's id column, and the survey has no 'id =' in "
                               "[survey]: add it");
    }
    size_t n = d->nrespondents;
    brisk_dataset *scores = brisk_dataset_new(n);
    brisk_status st = scores ? add_ids(scores, d->ds, s->id, d->respondent_rows, n, err)
                             : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && i < fits->n; i++) {
        size_t b = behaviour_index(s, fits->groups ? fits->groups[i] : NULL);
        const size_t *rows = d->respondent_row ? d->respondent_row[b] : d->respondent_rows;
        st = add_fit_columns(scores, &fits->fitted[i], d->ds,
                             fits->groups ? fits->groups[i] : NULL, rows, n, method, err);
        if (st != BRISK_OK && fits->groups && fits->groups[i])
            brisk_name_behaviour(err, fits->groups[i]);
    }
    if (st != BRISK_OK) {
        brisk_dataset_free(scores);
        return st;
    }
    *out = scores;
    return BRISK_OK;
}
