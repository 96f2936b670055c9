/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A survey's data: read, checked against the definition, and prepared. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/util.h"
#include "stats/sampling.h"
#include "brisk/expr.h"
#include "survey_internal.h"

void brisk_survey_data_free(brisk_survey_data *d)
{
    if (!d)
        return;
    if (d->rows) {
        size_t nb = brisk_survey_nblocks(d->survey);
        for (size_t b = 0; b < nb; b++)
            free(d->rows[b]);
    }
    if (d->respondent_row) {
        size_t nb = brisk_survey_nblocks(d->survey);
        for (size_t b = 0; b < nb; b++)
            free(d->respondent_row[b]);
    }
    free(d->respondent_row);
    free(d->rows);
    free(d->nrows);
    free(d->respondent_rows);
    if (d->design)
        brisk_sampling_free(d->design);
    free(d->design);
    brisk_survey_raking_free(d->raking);
    brisk_dataset_free(d->ds);
    free(d);
}

static brisk_status unknown_column(const brisk_survey *s, const brisk_dataset *ds,
                                   const char *name, long line, long column,
                                   const char *role, brisk_error *err)
{
    const char *near = brisk_dataset_closest(ds, name);
    brisk_survey_error(err, s, line, column, BRISK_ERR_COLUMN,
                       "%s '%s' is not a column of %s%s%s%s", role, name, s->data_path,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    brisk_error_variable(err, name);
    return BRISK_ERR_COLUMN;
}

/* Find the column a template names for behaviour b. */
static brisk_status require(const brisk_survey *s, const brisk_dataset *ds, const char *tmpl,
                            size_t b, long line, long column, const char *role,
                            brisk_column **col, brisk_error *err)
{
    char *name = brisk_survey_column_name(s, tmpl, b);
    if (!name)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_column *c = brisk_dataset_find(ds, name);
    brisk_status st = c ? BRISK_OK : unknown_column(s, ds, name, line, column, role, err);
    free(name);
    if (col)
        *col = c;
    return st;
}

/* Every behaviour block a template stands for: one per behaviour in the
 * wide layout when it has {b}, else one. */
static size_t blocks_of(const brisk_survey *s, const char *tmpl)
{
    return (s->layout == BRISK_LAYOUT_WIDE && brisk_template_is_per_behaviour(tmpl))
               ? s->nbehaviours : 1;
}

static brisk_status check_entries(const brisk_survey *s, const brisk_dataset *ds,
                                  const brisk_survey_entry *list, size_t n, const char *role,
                                  brisk_error *err)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < blocks_of(s, list[i].key); b++) {
            brisk_status st = require(s, ds, list[i].key, b, list[i].line, 0, role, NULL, err);
            if (st != BRISK_OK)
                return st;
        }
    }
    return BRISK_OK;
}

/* Is the name one of the [scores] (computed after the columns are
 * checked)? */
static bool is_score(const brisk_survey *s, const char *tmpl)
{
    for (size_t i = 0; i < s->nscores; i++)
        if (strcmp(s->scores[i].key, tmpl) == 0)
            return true;
    return false;
}

static brisk_status check_model(const brisk_survey *s, const brisk_dataset *ds,
                                brisk_error *err)
{
    if (!s->model_syntax)
        return BRISK_OK;
    const brisk_syntax *syn = s->model_syntax;
    for (size_t i = 0; i < syn->n; i++) {
        const brisk_statement *st = &syn->stmts[i];
        if (st->op == BRISK_OP_DEFINE || st->op == BRISK_OP_EQUAL || st->op == BRISK_OP_LESS ||
            st->op == BRISK_OP_GREATER)
            continue;
        if (!brisk_syntax_is_latent(syn, st->lhs) && !is_score(s, st->lhs)) {
            for (size_t b = 0; b < blocks_of(s, st->lhs); b++) {
                brisk_status r = require(s, ds, st->lhs, b, st->line, st->column,
                                         "model variable", NULL, err);
                if (r != BRISK_OK)
                    return r;
            }
        }
        if (st->op == BRISK_OP_INTERCEPT || st->op == BRISK_OP_THRESHOLD)
            continue;
        for (size_t k = 0; k < st->nrhs; k++) {
            const brisk_term *t = &st->rhs[k];
            if (brisk_syntax_is_latent(syn, t->name) || strcmp(t->name, "1") == 0 ||
                is_score(s, t->name))
                continue;
            for (size_t b = 0; b < blocks_of(s, t->name); b++) {
                brisk_status r = require(s, ds, t->name, b, t->line, t->column,
                                         "model variable", NULL, err);
                if (r != BRISK_OK)
                    return r;
            }
        }
    }
    return BRISK_OK;
}

static brisk_status check_single(const brisk_survey *s, const brisk_dataset *ds,
                                 const char *name, long line, const char *role,
                                 brisk_error *err)
{
    if (!name || brisk_dataset_find(ds, name))
        return BRISK_OK;
    return unknown_column(s, ds, name, line, 0, role, err);
}

static brisk_status check_margins(const brisk_survey *s, const brisk_dataset *ds,
                                  brisk_error *err)
{
    for (size_t m = 0; m < s->nmargins; m++) {
        brisk_status st = check_single(s, ds, s->margins[m].variable, s->margins[m].line,
                                       "margin variable", err);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status check_columns(const brisk_survey *s, const brisk_dataset *ds,
                                  brisk_error *err)
{
    brisk_status st;
    if ((st = check_single(s, ds, s->id, s->id_line, "id column", err)) ||
        (st = check_single(s, ds, s->weight, s->weight_line, "weight column", err)) ||
        (st = check_single(s, ds, s->strata, s->strata_line, "strata column", err)) ||
        (st = check_single(s, ds, s->cluster, s->cluster_line, "cluster column", err)) ||
        (st = check_single(s, ds, s->fpc, s->fpc_line, "fpc column", err)) ||
        (st = check_margins(s, ds, err)) ||
        (st = check_single(s, ds, s->behaviour_column, s->behaviour_line,
                           "behaviour column", err)) ||
        (st = check_entries(s, ds, s->items, s->nitems, "item", err)) ||
        (st = check_entries(s, ds, s->reverse, s->nreverse, "reverse-keyed item", err)) ||
        (st = check_entries(s, ds, s->demographics, s->ndemographics, "demographic", err)))
        return st;
    return check_model(s, ds, err);
}

/* "data row 17 (id 1017)" */
static void describe_row(const brisk_survey *s, const brisk_dataset *ds, size_t row,
                         char *buf, size_t size)
{
    const brisk_column *id = s->id ? brisk_dataset_find(ds, s->id) : NULL;
    char idtext[64] = "";
    if (id && !brisk_is_missing(id, row)) {
        if (id->type == BRISK_STRING)
            snprintf(idtext, sizeof idtext, " (%s %.40s)", s->id, id->str[row]);
        else
            snprintf(idtext, sizeof idtext, " (%s %.15g)", s->id, id->num[row]);
    }
    snprintf(buf, size, "data row %zu%s", row + 1, idtext);
}

static bool is_code(const brisk_survey *s, double x)
{
    for (size_t k = 0; k < s->nmissing; k++)
        if (s->missing[k] == x)
            return true;
    return false;
}

/* The survey's missing codes become user-missing cells of this column. */
static brisk_status apply_missing_codes(const brisk_survey *s, brisk_column *c, size_t nrows)
{
    if (c->type != BRISK_NUMERIC || s->nmissing == 0)
        return BRISK_OK;
    for (size_t k = 0; k < s->nmissing; k++)
        if (!brisk_column_is_user_missing_value(c, s->missing[k]) &&
            brisk_column_add_missing_range(c, s->missing[k], s->missing[k]) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    for (size_t i = 0; i < nrows; i++)
        if (!brisk_is_missing(c, i) && is_code(s, c->num[i]) &&
            brisk_column_set_user_code(c, nrows, i, c->num[i]) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

/* The first cell of a text column that does not read as a number: the one
 * that made the whole column text. */
static size_t first_non_number(const brisk_column *c, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++) {
        double x;
        if (!brisk_is_missing(c, i) && !brisk_parse_number(c->str[i], strlen(c->str[i]), &x))
            return i;
    }
    return (size_t)-1;
}

static brisk_status check_item_values(const brisk_survey *s, const brisk_dataset *ds,
                                      const brisk_column *c, long line, brisk_error *err)
{
    char where[160];
    size_t text_row = c->type == BRISK_STRING ? first_non_number(c, ds->nrows) : (size_t)-1;
    for (size_t i = 0; i < ds->nrows; i++) {
        if (brisk_is_missing(c, i) || (text_row != (size_t)-1 && i != text_row))
            continue;
        describe_row(s, ds, i, where, sizeof where);
        const char *comma = c->type == BRISK_STRING ? brisk_column_decimal_hint(c, ds->nrows) : "";
        if (c->type == BRISK_STRING && comma[0]) {
            brisk_survey_error(err, s, line, 0, BRISK_ERR_VALUE,
                               "item '%s' holds text ('%.40s' in %s) where numeric codes "
                               "are expected%s", c->name, c->str[i], where, comma);
        } else if (c->type == BRISK_STRING) {
            brisk_survey_error(err, s, line, 0, BRISK_ERR_VALUE,
                               "item '%s' holds text ('%.40s' in %s) where numeric codes "
                               "are expected; answers written as words are coded in a "
                               "[recode] section ('%.40s = 4')", c->name, c->str[i], where,
                               c->str[i]);
        }
        if (c->type == BRISK_STRING) {
            brisk_error_variable(err, c->name);
            return BRISK_ERR_VALUE;
        }
        if (s->has_scale && (c->num[i] < s->scale_min || c->num[i] > s->scale_max)) {
            brisk_survey_error(err, s, line, 0, BRISK_ERR_VALUE,
                               "value %g of item '%s' in %s is outside the scale %g..%g; "
                               "if it is a missing code, add it to 'missing =' in [survey]",
                               c->num[i], c->name, where, s->scale_min, s->scale_max);
            brisk_error_variable(err, c->name);
            return BRISK_ERR_VALUE;
        }
    }
    return BRISK_OK;
}

/* x becomes min + max - x, and the value labels follow their answers: the
 * label of code x is then the one code min + max - x had (on 1..5, code 1
 * reads "Strongly agree" where it read "Strongly disagree"), so that
 * whatever shows a code's label (an ordered regression's thresholds, a
 * dummy) names what was analysed.  Labels of missing codes and of codes
 * outside the scale stay. */
static void reverse_code(const brisk_survey *s, brisk_column *c, size_t nrows)
{
    for (size_t i = 0; i < nrows; i++)
        if (!brisk_is_missing(c, i))
            c->num[i] = s->scale_min + s->scale_max - c->num[i];
    for (size_t k = 0; k < c->n_labels; k++) {
        brisk_value_label *l = &c->labels[k];
        if (!l->string_value && l->value >= s->scale_min && l->value <= s->scale_max &&
            !brisk_column_is_user_missing_value(c, l->value))
            l->value = s->scale_min + s->scale_max - l->value;
    }
}

/* Is the cell's text (blanks around it aside) the answer text key, in any
 * case? */
static bool same_answer(const char *key, const char *cell)
{
    while (*cell == ' ' || *cell == '\t')
        cell++;
    size_t n = strlen(cell);
    while (n && (cell[n - 1] == ' ' || cell[n - 1] == '\t' || cell[n - 1] == '\r'))
        n--;
    return strlen(key) == n && strncasecmp(key, cell, n) == 0;
}

/* [recode]: an item whose answers are written as text (an export with
 * labels instead of codes) gets their codes; a number stays a number, and
 * the texts become the codes' value labels. */
static brisk_status recode_answers(const brisk_survey *s, const brisk_dataset *ds,
                                   brisk_column *c, long line, brisk_error *err)
{
    if (c->type != BRISK_STRING || !s->nrecodes)
        return BRISK_OK;
    double *codes = malloc((ds->nrows ? ds->nrows : 1) * sizeof *codes);
    bool *used = calloc(s->nrecodes, sizeof *used);
    brisk_status st = codes && used ? BRISK_OK
                                    : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && i < ds->nrows; i++) {
        const char *cell = c->str[i];
        codes[i] = NAN;
        if (brisk_is_missing(c, i) || cell[strspn(cell, " \t\r")] == '\0')
            continue;
        size_t k = 0;
        while (k < s->nrecodes && !same_answer(s->recodes[k].key, cell))
            k++;
        if (k < s->nrecodes) {
            brisk_parse_number(s->recodes[k].value, strlen(s->recodes[k].value), &codes[i]);
            used[k] = true;
        } else if (!brisk_parse_number(cell, strlen(cell), &codes[i])) {
            char where[160];
            describe_row(s, ds, i, where, sizeof where);
            brisk_survey_error(err, s, line, 0, BRISK_ERR_VALUE,
                               "item '%s' holds '%.60s' in %s, an answer [recode] does not "
                               "code: add a line '%.60s = CODE' to [recode]", c->name, cell,
                               where, cell);
            brisk_error_variable(err, c->name);
            st = BRISK_ERR_VALUE;
        }
    }
    if (st == BRISK_OK && brisk_column_make_numeric(c, ds->nrows, codes) != BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == BRISK_OK && k < s->nrecodes; k++) {
        double code;
        brisk_parse_number(s->recodes[k].value, strlen(s->recodes[k].value), &code);
        if (used[k] && !brisk_column_label_of(c, code) &&
            brisk_column_add_label(c, code, NULL, s->recodes[k].key) != BRISK_OK)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    free(codes);
    free(used);
    return st;
}

/* Items: missing codes, scale, reverse-keying, for every column they name. */
static brisk_status prepare_items(const brisk_survey *s, brisk_dataset *ds, brisk_error *err)
{
    for (size_t i = 0; i < s->nitems; i++) {
        const brisk_survey_entry *e = &s->items[i];
        for (size_t b = 0; b < blocks_of(s, e->key); b++) {
            brisk_column *c;
            brisk_status st = require(s, ds, e->key, b, e->line, 0, "item", &c, err);
            if (st == BRISK_OK)
                st = recode_answers(s, ds, c, e->line, err);
            if (st == BRISK_OK && apply_missing_codes(s, c, ds->nrows) != BRISK_OK)
                st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            if (st == BRISK_OK)
                st = check_item_values(s, ds, c, e->line, err);
            if (st != BRISK_OK)
                return st;
            if (brisk_survey_is_reversed(s, e->key))
                reverse_code(s, c, ds->nrows);
        }
    }
    return BRISK_OK;
}

static brisk_status prepare_demographics(const brisk_survey *s, brisk_dataset *ds)
{
    for (size_t i = 0; i < s->ndemographics; i++) {
        brisk_column *c = brisk_dataset_find(ds, s->demographics[i].key);
        if (apply_missing_codes(s, c, ds->nrows) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

static brisk_status check_weight(const brisk_survey *s, const brisk_dataset *ds,
                                 const brisk_column *w, brisk_error *err)
{
    char where[160];
    double total = 0;
    size_t text_row = w->type == BRISK_STRING ? first_non_number(w, ds->nrows) : (size_t)-1;
    if (w->type == BRISK_STRING && text_row == (size_t)-1)
        text_row = 0; /* numbers stored as text (an SPSS string variable) */
    for (size_t i = 0; i < ds->nrows; i++) {
        const char *problem = w->type == BRISK_STRING
                                  ? (i == text_row ? "is text" : NULL)
                            : brisk_is_missing(w, i) ? "is missing"
                            : !isfinite(w->num[i]) ? "is not a finite number"
                            : w->num[i] < 0 ? "is negative" : NULL;
        if (problem) {
            describe_row(s, ds, i, where, sizeof where);
            brisk_survey_error(err, s, s->weight_line, 0, BRISK_ERR_VALUE,
                               "weight '%s' %s in %s; every respondent needs a "
                               "non-negative weight%s", w->name, problem, where,
                               brisk_column_decimal_hint(w, ds->nrows));
            brisk_error_variable(err, w->name);
            return BRISK_ERR_VALUE;
        }
        if (w->type == BRISK_NUMERIC)
            total += w->num[i];
    }
    if (w->type == BRISK_NUMERIC && !(total > 0) && ds->nrows > 0) {
        brisk_survey_error(err, s, s->weight_line, 0, BRISK_ERR_VALUE,
                           "weight '%s' is zero for every respondent", w->name);
        brisk_error_variable(err, w->name);
        return BRISK_ERR_VALUE;
    }
    return BRISK_OK;
}

/* Does the behaviour column of row i hold behaviour e (its key or label)? */
static bool row_is_behaviour(const brisk_column *c, size_t i, const brisk_survey_entry *e)
{
    if (brisk_is_missing(c, i))
        return false;
    if (c->type == BRISK_STRING)
        return strcmp(c->str[i], e->key) == 0 || strcmp(c->str[i], e->value) == 0;
    char text[32];
    snprintf(text, sizeof text, "%.15g", c->num[i]);
    const char *label = brisk_column_label_of(c, c->num[i]);
    return strcmp(text, e->key) == 0 ||
           (label && (strcmp(label, e->key) == 0 || strcmp(label, e->value) == 0));
}

static bool same_id(const brisk_column *id, size_t a, size_t b)
{
    if (brisk_is_missing(id, a) || brisk_is_missing(id, b))
        return false;
    return id->type == BRISK_STRING ? strcmp(id->str[a], id->str[b]) == 0
                                    : id->num[a] == id->num[b];
}

/* Rows ordered by id, missing ids last (and equal to each other). */
static int compare_ids(const brisk_column *id, size_t a, size_t b)
{
    int ma = brisk_is_missing(id, a), mb = brisk_is_missing(id, b);
    if (ma || mb)
        return ma - mb;
    if (id->type == BRISK_STRING)
        return strcmp(id->str[a], id->str[b]);
    return (id->num[a] > id->num[b]) - (id->num[a] < id->num[b]);
}

/* qsort_r comparison: rows ordered by id, then by position. */
static int compare_rows_by_id(const void *pa, const void *pb, void *arg)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = compare_ids(arg, a, b);
    return c ? c : (a > b) - (a < b);
}

#define DUPLICATES_NAMED 3   /* how many repeated ids a message lists */

/* The ids that repeat among rows[0..n): "id 1004 on data rows 7 and 8; id
 * 1010 on data rows 19, 20 and 21" (the first few), and how many repeat.
 * sorted is scratch of n entries. */
static size_t repeated_ids(const brisk_column *id, const size_t *rows, size_t n, size_t *sorted,
                           brisk_buf *list)
{
    memcpy(sorted, rows, n * sizeof *sorted);
    qsort_r(sorted, n, sizeof *sorted, compare_rows_by_id, (void *)id);
    size_t repeated = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_id(id, sorted[i], sorted[j]))
            j++;
        if (j - i > 1 && repeated++ < DUPLICATES_NAMED) {
            char text[48];
            brisk_cell_text(id, sorted[i], 40, text, sizeof text);
            brisk_buf_printf(list, "%sid %s on data rows ", list->len ? "; " : "", text);
            for (size_t k = i; k < j; k++)
                brisk_buf_printf(list, "%s%zu", k == i ? "" : k + 1 == j ? " and " : ", ",
                                 sorted[k] + 1);
        }
        i = j;
    }
    return repeated;
}

/* An id that repeats where each respondent has one row: the whole file in
 * the wide layout (b = -1), one behaviour's rows in the long layout. */
static brisk_status check_unique_ids(const brisk_survey_data *d, const size_t *rows, size_t n,
                                     size_t b, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    const brisk_column *id = brisk_dataset_find(d->ds, s->id);
    size_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    brisk_buf list = {0};
    if (!sorted)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t repeated = repeated_ids(id, rows, n, sorted, &list);
    free(sorted);
    char more[64] = "";
    if (repeated > DUPLICATES_NAMED)
        snprintf(more, sizeof more, "; ... (%zu ids repeat)", repeated);
    brisk_status st = BRISK_OK;
    if (repeated && !list.data)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    else if (repeated && b == (size_t)-1)
        st = brisk_survey_error(err, s, s->id_line, 0, BRISK_ERR_VALUE,
                                "id column '%s' of %s is not unique: %s%s; in the wide layout "
                                "each respondent has one row (for one row per respondent and "
                                "behaviour, set layout = long)", s->id, s->data_path, list.data,
                                more);
    else if (repeated)
        st = brisk_survey_error(err, s, s->behaviours[b].line, 0, BRISK_ERR_VALUE,
                                "behaviour '%s' appears twice for one respondent (id column "
                                "'%s' of %s): %s%s; in the long layout each respondent has one "
                                "row per behaviour", s->behaviours[b].key, s->id, s->data_path,
                                list.data, more);
    if (st == BRISK_ERR_VALUE)
        brisk_error_variable(err, s->id);
    brisk_buf_free(&list);
    return st;
}

static brisk_status select_rows(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    size_t nb = brisk_survey_nblocks(s), n = d->ds->nrows;
    d->rows = calloc(nb, sizeof *d->rows);
    d->nrows = calloc(nb, sizeof *d->nrows);
    if (!d->rows || !d->nrows)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    const brisk_column *bc = s->layout == BRISK_LAYOUT_LONG && s->behaviour_column &&
                                     s->nbehaviours
                                 ? brisk_dataset_find(d->ds, s->behaviour_column) : NULL;
    for (size_t b = 0; b < nb; b++) {
        if (!(d->rows[b] = malloc((n ? n : 1) * sizeof **d->rows)))
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (!bc || row_is_behaviour(bc, i, &s->behaviours[b]))
                d->rows[b][d->nrows[b]++] = i;
        if (bc && d->nrows[b] == 0)
            return brisk_survey_error(err, s, s->behaviours[b].line, 0, BRISK_ERR_VALUE,
                                      "no row of %s has behaviour '%s' in column '%s'",
                                      s->data_path, s->behaviours[b].key, s->behaviour_column);
        brisk_status st = bc ? check_unique_ids(d, d->rows[b], d->nrows[b], b, err) : BRISK_OK;
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static int compare_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

/* In the long layout a respondent has a row per behaviour; items asked once
 * count on the respondent's first row. */
static brisk_status select_respondents(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    size_t n = d->ds->nrows;
    if (!(d->respondent_rows = malloc((n ? n : 1) * sizeof *d->respondent_rows)))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        d->respondent_rows[i] = i;
    d->nrespondents = n;
    const brisk_column *id = s->id ? brisk_dataset_find(d->ds, s->id) : NULL;
    if (s->layout != BRISK_LAYOUT_LONG && id)
        return check_unique_ids(d, d->respondent_rows, n, (size_t)-1, err);
    if (!id || n == 0)
        return BRISK_OK;
    size_t *r = d->respondent_rows, kept = 0;
    qsort_r(r, n, sizeof *r, compare_rows_by_id, (void *)id);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !same_id(id, r[i], r[kept - 1]))
            r[kept++] = r[i];
    qsort(r, kept, sizeof *r, compare_size);
    d->nrespondents = kept;
    return BRISK_OK;
}

/* The row of sorted[0..n) (ordered by compare_rows_by_id) that belongs to
 * the respondent of row: the one with its id, or row itself when its id
 * is missing (such a row is a respondent of its own); (size_t)-1 if none. */
static size_t find_respondent(const brisk_column *id, const size_t *sorted, size_t n, size_t row)
{
    bool own = brisk_is_missing(id, row);
    size_t lo = 0, hi = n;
    while (lo < hi) {   /* the first position not before row's id (or row) */
        size_t mid = lo + (hi - lo) / 2;
        int c = own ? compare_rows_by_id(&sorted[mid], &row, (void *)id)
                    : compare_ids(id, sorted[mid], row);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n)
        return (size_t)-1;
    bool found = own ? sorted[lo] == row : compare_ids(id, sorted[lo], row) == 0;
    return found ? sorted[lo] : (size_t)-1;
}

/* respondent_row: each respondent's row for each behaviour. */
static brisk_status match_respondents(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    size_t nb = brisk_survey_nblocks(s), R = d->nrespondents;
    const brisk_column *id = s->id ? brisk_dataset_find(d->ds, s->id) : NULL;
    bool by_id = s->layout == BRISK_LAYOUT_LONG && id;
    if (!(d->respondent_row = calloc(nb, sizeof *d->respondent_row)))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t b = 0; b < nb; b++) {
        size_t *map = d->respondent_row[b] = malloc((R ? R : 1) * sizeof *map), n = d->nrows[b];
        size_t *sorted = by_id ? malloc((n ? n : 1) * sizeof *sorted) : NULL;
        if (!map || (by_id && !sorted)) {
            free(sorted);
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        }
        if (by_id) {
            memcpy(sorted, d->rows[b], n * sizeof *sorted);
            qsort_r(sorted, n, sizeof *sorted, compare_rows_by_id, (void *)id);
        }
        for (size_t r = 0; r < R; r++)
            map[r] = by_id ? find_respondent(id, sorted, n, d->respondent_rows[r])
                           : d->respondent_rows[r];
        free(sorted);
    }
    return BRISK_OK;
}

/* The survey's sampling design over its respondents; its errors point at
 * the [survey] key of the column they name. */
static brisk_status build_design(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    const brisk_column *id = s->id ? brisk_dataset_find(d->ds, s->id) : NULL;
    sampling_spec spec = {.strata = s->strata, .cluster = s->cluster, .fpc = s->fpc,
                          .unit = s->layout == BRISK_LAYOUT_LONG ? id : NULL,
                          .rows = d->respondent_rows, .nrows = d->nrespondents,
                          .calibration = brisk_survey_calibration(d), .source = s->data};
    if (!(d->design = calloc(1, sizeof *d->design)))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = brisk_sampling_build(d->ds, &spec, d->design, err);
    if (st != BRISK_OK) {
        free(d->design);
        d->design = NULL;
    }
    if (st == BRISK_OK || st == BRISK_ERR_NOMEM || !err)
        return st;
    const char *var = err->variable;
    long line = var[0] && s->fpc && strcmp(var, s->fpc) == 0 ? s->fpc_line
              : var[0] && s->cluster && strcmp(var, s->cluster) == 0 ? s->cluster_line
              : s->strata_line ? s->strata_line : s->cluster_line;
    brisk_error_at(err, s->path, line, 0);
    return st;
}

/* One [scores] column: the expression for behaviour b, row by row. */
static brisk_status compute_score(const brisk_survey *s, brisk_dataset *ds,
                                  const brisk_survey_entry *e, size_t b, brisk_error *err)
{
    char *name = brisk_survey_column_name(s, e->key, b);
    char *text = name ? brisk_survey_column_name(s, e->value, b) : NULL;
    brisk_expr *x = NULL;
    brisk_status st = text ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && brisk_dataset_find(ds, name)) {
        st = brisk_survey_error(err, s, e->line, 0, BRISK_ERR_COLUMN,
                                "score '%s' has the name of a column of %s: rename the score",
                                name, s->data_path);
        brisk_error_variable(err, name);
    }
    if (st == BRISK_OK)
        st = brisk_expr_parse(text, &x, err);
    if (st == BRISK_OK)
        st = brisk_expr_bind(x, ds, err);
    if (st != BRISK_OK && err && !err->file[0]) {
        brisk_error_prefix(err, "score '%s': ", name);
        err->column = 0;   /* the expression's, not the file line's */
        brisk_error_at(err, s->path, e->line, 0);
    }
    size_t j;
    if (st == BRISK_OK)
        st = brisk_dataset_add_column(ds, name, BRISK_NUMERIC, &j, err);
    for (size_t i = 0; st == BRISK_OK && i < ds->nrows; i++) {
        double v = brisk_expr_value(x, ds, i);
        if (!isnan(v))
            brisk_column_set_number(&ds->cols[j], i, v);
    }
    if (st == BRISK_OK && !(ds->cols[j].label = brisk_strdup(text)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_expr_free(x);
    free(text);
    free(name);
    return st;
}

/* [scores]: each a column of its own, once the items are coded (missing
 * codes, reverse-keying), so that a score is what the items mean. */
static brisk_status compute_scores(const brisk_survey *s, brisk_dataset *ds, brisk_error *err)
{
    for (size_t i = 0; i < s->nscores; i++)
        for (size_t b = 0; b < blocks_of(s, s->scores[i].key); b++) {
            brisk_status st = compute_score(s, ds, &s->scores[i], b, err);
            if (st != BRISK_OK)
                return st;
        }
    return BRISK_OK;
}

/* One condition, as the rows' filter: errors point at line (0: the
 * command line's --where). */
static brisk_status filter_rows(const brisk_survey *s, brisk_dataset *ds, const char *cond,
                                long line, brisk_error *err)
{
    brisk_status st = brisk_dataset_filter(ds, cond, NULL, err);
    if (st != BRISK_OK && err) {
        err->column = 0;   /* the condition's, not the file line's */
        brisk_error_prefix(err, line ? "filter: " : "--where: ");
        if (line)
            brisk_error_at(err, s->path, line, 0);
    }
    return st;
}

static brisk_status apply_filters(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    d->rows_read = d->ds->nrows;
    brisk_status st = s->filter ? filter_rows(s, d->ds, s->filter, s->filter_line, err)
                                : BRISK_OK;
    if (st == BRISK_OK && s->where)
        st = filter_rows(s, d->ds, s->where, 0, err);
    return st;
}

void brisk_survey_filter_note(const brisk_survey_data *d, char *buf, size_t size)
{
    const brisk_survey *s = d->survey;
    if (!size)
        return;
    buf[0] = '\0';
    if (!s->filter && !s->where)
        return;
    brisk_buf cond = {0};
    bool both = s->filter && s->where;
    if (brisk_buf_printf(&cond, "%s%s%s%s%s", both ? "(" : "", s->filter ? s->filter : "",
                         both ? ") & (" : "", s->where ? s->where : "", both ? ")" : ""))
        brisk_filter_note(buf, size, cond.data, d->ds->nrows, d->rows_read);
    brisk_buf_free(&cond);
}

/* [margins] without a weight: the raked weights' column, from 1 (added
 * before any column is looked at: adding moves the columns). */
static brisk_status add_raked_weight(const brisk_survey *s, brisk_dataset *ds, brisk_error *err)
{
    if (brisk_dataset_find(ds, s->weight)) {
        brisk_survey_error(err, s, s->margins[0].line, 0, BRISK_ERR_COLUMN,
                           "[margins] without a weight: brisk adds the raked weights as "
                           "column '%s', which the data already have; declare it (weight = "
                           "%s) or rename it", s->weight, s->weight);
        brisk_error_variable(err, s->weight);
        return BRISK_ERR_COLUMN;
    }
    size_t j;
    brisk_status st = brisk_dataset_add_column(ds, s->weight, BRISK_NUMERIC, &j, err);
    for (size_t r = 0; st == BRISK_OK && r < ds->nrows; r++)
        brisk_column_set_number(&ds->cols[j], r, 1);
    return st;
}

brisk_status brisk_survey_prepare(const brisk_survey *survey, brisk_dataset *ds,
                                  brisk_survey_data **out, brisk_error *err)
{
    *out = NULL;
    brisk_survey_data *d = calloc(1, sizeof *d);
    if (!d) {
        brisk_dataset_free(ds);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    d->survey = survey;
    d->ds = ds;
    brisk_status st = survey->weight_generated ? add_raked_weight(survey, ds, err) : BRISK_OK;
    if (st == BRISK_OK)
        st = check_columns(survey, ds, err);
    if (st == BRISK_OK)
        st = prepare_items(survey, ds, err);
    if (st == BRISK_OK && prepare_demographics(survey, ds) != BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = compute_scores(survey, ds, err);
    if (st == BRISK_OK)
        st = apply_filters(d, err);
    if (st == BRISK_OK && survey->weight) {
        d->weight = brisk_dataset_find(ds, survey->weight);
        st = check_weight(survey, ds, d->weight, err);
    }
    if (st == BRISK_OK)
        st = select_rows(d, err);
    if (st == BRISK_OK)
        st = select_respondents(d, err);
    if (st == BRISK_OK)
        st = match_respondents(d, err);
    if (st == BRISK_OK && survey->nmargins)
        st = brisk_survey_rake(d, err);
    if (st == BRISK_OK && (survey->weight || survey->strata || survey->cluster || survey->fpc))
        st = build_design(d, err);
    if (st != BRISK_OK)
        brisk_survey_data_free(d);
    else
        *out = d;
    return st;
}

/* The [survey] line of the key a reader's error is about: sheet, the
 * layout keys, encoding, or else data. */
static long read_option_line(const brisk_survey *s, brisk_status st, const char *reason)
{
    if (s->sheet_line && (strncmp(reason, "no sheet", 8) == 0 || strstr(reason, "a sheet (")))
        return s->sheet_line;
    if (st == BRISK_ERR_ARGUMENT && strstr(reason, "skip, header rows"))
        return s->skip_line ? s->skip_line : s->header_rows_line ? s->header_rows_line
                                                                  : s->decimal_line;
    if (st == BRISK_ERR_ARGUMENT && s->encoding)
        return s->encoding_line;
    return s->data_line;
}

brisk_status brisk_survey_read_data(const brisk_survey *survey, brisk_survey_data **out,
                                    brisk_error *err)
{
    *out = NULL;
    if (survey->matrix) {
        brisk_error_at(err, survey->path, survey->matrix_line, 0);
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "this study has no data, only its "
                               "published %s matrix (%s): this command needs the raw data "
                               "(the respondents' answers); brisk fit fits the [model] to the "
                               "matrix", survey->matrix_correlations ? "correlation"
                                                                     : "covariance",
                               survey->matrix);
    }
    brisk_read_options opt = {.format = BRISK_FORMAT_AUTO, .encoding = survey->encoding,
                              .sheet = survey->sheet, .decimal = survey->decimal,
                              .skip = survey->skip, .header_rows = survey->header_rows};
    brisk_dataset *ds = NULL;
    brisk_status st = brisk_read_file(survey->data_path, &opt, &ds, err);
    if (st != BRISK_OK && err && err->line == 0) {
        /* Nothing to point at inside the data file: point at the survey line
         * that names it.  A bad extension or encoding there is an input
         * error of the survey, not a usage error. */
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        /* An argument the reader refused came from the survey: the encoding
         * (when one is given) or the data file's name. */
        long line = read_option_line(survey, st, reason);
        if (st == BRISK_ERR_ARGUMENT)
            st = BRISK_ERR_FORMAT;
        brisk_survey_error(err, survey, line, 0, st, "data file %s: %s",
                           survey->data_path, reason);
    }
    if (st != BRISK_OK)
        return st;
    return brisk_survey_prepare(survey, ds, out, err);
}
