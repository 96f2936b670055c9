/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk compare-items: every pair of items answered by the same
 * respondents compared (stats/paired.c), overall or within groups, as one
 * table. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "core/util.h"
#include "stats/design.h"
#include "stats/paired.h"

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} columns[] = {
    {"group", "Group", BRISK_CELL_TEXT}, {"item_a", "Item A", BRISK_CELL_TEXT},
    {"item_b", "Item B", BRISK_CELL_TEXT}, {"n", "n", BRISK_CELL_INT},
    {"approve_a", "% A", BRISK_CELL_PERCENT}, {"approve_b", "% B", BRISK_CELL_PERCENT},
    {"diff", "Diff. (points)", BRISK_CELL_NUMBER}, {"diff_lower", "CI lower", BRISK_CELL_NUMBER},
    {"diff_upper", "CI upper", BRISK_CELL_NUMBER}, {"n10", "A only", BRISK_CELL_INT},
    {"n01", "B only", BRISK_CELL_INT}, {"mcnemar", "McNemar chi2", BRISK_CELL_NUMBER},
    {"mcnemar_p", "p", BRISK_CELL_PVALUE}, {"mean_a", "Mean A", BRISK_CELL_NUMBER},
    {"mean_b", "Mean B", BRISK_CELL_NUMBER}, {"mean_diff", "Mean diff.", BRISK_CELL_NUMBER},
    {"t", "t", BRISK_CELL_NUMBER}, {"t_df", "df", BRISK_CELL_INT},
    {"t_p", "p (t)", BRISK_CELL_PVALUE}, {"t_lower", "CI lower (t)", BRISK_CELL_NUMBER},
    {"t_upper", "CI upper (t)", BRISK_CELL_NUMBER}, {"wilcox_v", "Wilcoxon V", BRISK_CELL_NUMBER}, {"wilcox_n", "Non-zero", BRISK_CELL_INT},
    {"wilcox_z", "z", BRISK_CELL_NUMBER}, {"wilcox_p", "p (Wilcoxon)", BRISK_CELL_PVALUE},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static brisk_table *pairs_table(bool per_behaviour, bool grouped)
{
    brisk_table *t = brisk_table_new("items.pairs", "Paired comparisons of items");
    if (t && per_behaviour &&
        brisk_table_add_column(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0) == (size_t)-1) {
        brisk_table_free(t);
        return NULL;
    }
    for (size_t c = grouped ? 0 : 1; t && c < NCOLUMNS; c++)
        if (brisk_table_add_column(t, columns[c].key, columns[c].header, columns[c].kind,
                                   columns[c].kind == BRISK_CELL_PERCENT ? 1 : 3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    return t;
}

static brisk_status add_row(brisk_table *t, const char *behaviour, const char *group,
                            const char *a, const char *b, const pair_result *r)
{
    size_t row = brisk_table_add_row(t), g0 = behaviour ? 1 : 0, c0 = g0 + (group ? 1 : 0);
    if (row == (size_t)-1 || (behaviour && brisk_table_set_text(t, row, 0, behaviour)) ||
        (group && brisk_table_set_text(t, row, g0, group)) ||
        brisk_table_set_text(t, row, c0, a) || brisk_table_set_text(t, row, c0 + 1, b))
        return BRISK_ERR_NOMEM;
    double v[] = {(double)r->n, r->approve_a, r->approve_b, r->diff, r->diff_lower, r->diff_upper,
                  (double)r->n10, (double)r->n01, r->mcnemar, r->mcnemar_p, r->mean_a, r->mean_b,
                  r->mean_diff, r->t, r->t_df, r->t_p, r->t_lower, r->t_upper, r->wilcox_v,
                  (double)r->wilcox_n, r->wilcox_z, r->wilcox_p};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        brisk_table_set_num(t, row, c0 + 2 + k, v[k]);
    return BRISK_OK;
}

/* ------------------------------------------------------------ the run */

static brisk_status find_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                               const brisk_compare_items_options *opt,
                               const brisk_column **cols, brisk_error *err)
{
    if (nitems < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "compare at least two items");
    for (size_t i = 0; i < nitems; i++) {
        cols[i] = brisk_dataset_find(ds, items[i]);
        brisk_error_variable(err, items[i]);
        if (!cols[i])
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s", items[i],
                                   opt->source ? opt->source : "the data");
        if (cols[i]->type != BRISK_NUMERIC)
            return brisk_error_set(err, BRISK_ERR_DATA, "'%s' holds text, not answers on a "
                                   "scale", items[i]);
    }
    return BRISK_OK;
}

static bool present(const brisk_column *c, size_t r)
{
    return c->miss[r] == BRISK_MISS_NONE && !isnan(c->num[r]);
}

/* Every pair of items[0..nitems) of ds into t (rows with behaviour, when
 * not NULL, first). */
static brisk_status compare_rows(brisk_table *t, const char *behaviour, const brisk_dataset *ds,
                                 const char *const *items, size_t nitems,
                                 const brisk_compare_items_options *opt, brisk_error *err)
{
    const brisk_column **cols = calloc(nitems + 1, sizeof *cols);
    size_t *rows = malloc((ds->nrows + 1) * sizeof *rows);
    double *d = malloc((ds->nrows + 1) * sizeof *d);
    design_levels lv = {0};
    const brisk_column *group = opt->group ? brisk_dataset_find(ds, opt->group) : NULL;
    brisk_status st = cols && rows && d ? BRISK_OK
                                        : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = find_items(ds, items, nitems, opt, cols, err);
    if (st == BRISK_OK && opt->group && !group) {
        char near[300];
        brisk_error_variable(err, opt->group);
        st = brisk_error_set(err, BRISK_ERR_COLUMN, "group '%s' is not a column of %s%s",
                             opt->group, opt->source ? opt->source : "the data",
                             brisk_dataset_did_you_mean(ds, opt->group, near, sizeof near));
    }
    if (st == BRISK_OK && group)
        st = brisk_design_group_levels(ds, group, &lv, err);
    size_t ngroups = group ? lv.n : 1;
    paired_rule rule = {opt->has_agree, opt->agree_min, opt->agree_max, opt->ci_level};
    for (size_t g = 0; st == BRISK_OK && g < ngroups; g++)
        for (size_t i = 0; st == BRISK_OK && i < nitems; i++)
            for (size_t j = i + 1; st == BRISK_OK && j < nitems; j++) {
                size_t n = 0;
                for (size_t r = 0; r < ds->nrows; r++)
                    if (present(cols[i], r) && present(cols[j], r) &&
                        (!group || brisk_design_level_of(group, &lv, r) == g))
                        rows[n++] = r;
                if (n < 2)
                    continue;   /* nothing to compare in this group */
                pair_result res;
                brisk_paired_compare(cols[i], cols[j], rows, n, &rule, d, &res);
                if (add_row(t, behaviour, group ? lv.names[g] : NULL, items[i], items[j], &res))
                    st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            }
    brisk_design_levels_free(&lv);
    free(cols);
    free(rows);
    free(d);
    return st;
}

/* The note, and t into out (freed on failure). */
static brisk_status finish(brisk_table *t, brisk_status st, const brisk_compare_items_options *opt,
                           const char *layout_note, brisk_table_list *out, brisk_error *err)
{
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    if (st == BRISK_OK &&
        brisk_table_add_note(t, "Respondents who answered both items%s. %% A, %% B: share "
                             "approving (answers %g to %g); difference in points with a %.4g%% "
                             "Wald interval for paired proportions; McNemar's test with "
                             "continuity correction; paired t test; Wilcoxon signed-rank test "
                             "(normal approximation, tie and continuity corrections; zero "
                             "differences dropped). Unweighted.",
                             opt->group ? " within each group" : "", opt->agree_min,
                             opt->agree_max, 100 * level))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && layout_note && brisk_table_add_note(t, "%s", layout_note))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        return brisk_table_list_add(out, t);
    brisk_table_free(t);
    return st;
}

brisk_status brisk_compare_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                                 const brisk_compare_items_options *opt, brisk_table_list *out,
                                 brisk_error *err)
{
    if (nitems < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "compare at least two items");
    brisk_table *t = pairs_table(false, opt->group != NULL);
    brisk_status st = t ? compare_rows(t, NULL, ds, items, nitems, opt, err)
                        : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return finish(t, st, opt, NULL, out, err);
}

/* ------------------------------------------------------------ a survey */

/* Where an item's answers come from: a column, and for each respondent
 * the row holding their answer (their row of one behaviour, or their
 * first row), as the survey's layout has it. */
typedef struct item_source {
    const brisk_column *col;
    const size_t *row;            /* per respondent; (size_t)-1: no such row */
    char *name;                   /* as the table shows it (wide names) */
} item_source;

/* Where name's answers are, for behaviour b of a comparison per
 * behaviour (b = -1: none).  Names with {b} are taken for behaviour b; a
 * wide name (pb1_crime) for its behaviour, in either layout; an item
 * asked once, and any other column, from each respondent's first row. */
static brisk_status locate(const brisk_survey_data *d, const char *name, size_t b,
                           item_source *src, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    size_t which = (size_t)-1;
    const brisk_survey_entry *e = brisk_survey_find_item(s, name, &which);
    bool per = brisk_template_is_per_behaviour(name);
    if (per)
        which = b;
    else if (e && which == (size_t)-1 && brisk_template_is_per_behaviour(e->key)) {
        char *one = brisk_survey_wide_name(s, e->key, 0);
        brisk_error_variable(err, name);
        brisk_error_set(err, BRISK_ERR_ARGUMENT, "'%s' holds item %s, a different question for "
                        "each behaviour (the long layout's rows): name it %s to compare it "
                        "behaviour by behaviour, or by one behaviour's name (%s) to pair that "
                        "behaviour's answers with others by respondent", name, e->key, e->key,
                        one ? one : "");
        free(one);
        return BRISK_ERR_ARGUMENT;
    }
    char *column = which == (size_t)-1 ? brisk_strdup(name)
                                       : brisk_survey_column_name(s, per ? name : e->key, which);
    src->name = which == (size_t)-1 ? brisk_strdup(name)
                                    : brisk_survey_wide_name(s, per ? name : e->key, which);
    if (!column || !src->name) {
        free(column);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    src->col = brisk_dataset_find(d->ds, column);
    src->row = which == (size_t)-1 ? d->respondent_rows : d->respondent_row[which];
    brisk_status st = BRISK_OK;
    if (!src->col) {
        char near[300];
        brisk_error_variable(err, column);
        st = brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s%s", column,
                             s->data_path,
                             brisk_dataset_did_you_mean(d->ds, column, near, sizeof near));
    }
    free(column);
    return st;
}

/* A column of one row per respondent holding what src points at. */
static brisk_status copy_column(brisk_dataset *to, const brisk_survey_data *d,
                                const item_source *src, brisk_error *err)
{
    if (brisk_dataset_find(to, src->name))
        return BRISK_OK;   /* named twice: the same answers */
    size_t j;
    brisk_status st = brisk_dataset_add_column(to, src->name, src->col->type, &j, err);
    brisk_column *c = st == BRISK_OK ? &to->cols[j] : NULL;
    for (size_t k = 0; c && st == BRISK_OK && k < src->col->n_labels; k++) {
        const brisk_value_label *l = &src->col->labels[k];
        st = brisk_column_add_label(c, l->value, l->string_value, l->label);
    }
    for (size_t r = 0; c && st == BRISK_OK && r < d->nrespondents; r++) {
        size_t row = src->row[r];
        if (row == (size_t)-1 || brisk_is_missing(src->col, row))
            brisk_column_set_missing(c, r, row == (size_t)-1 ? BRISK_MISS_SYSTEM
                                                            : src->col->miss[row]);
        else if (src->col->type == BRISK_STRING)
            st = brisk_column_set_string(c, r, src->col->str[row]);
        else
            brisk_column_set_number(c, r, src->col->num[row]);
    }
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

/* One row per respondent with the items' answers (of behaviour b) and the
 * group; names[] gets the items' names as the table shows them. */
static brisk_status respondents_data(const brisk_survey_data *d, const char *const *items,
                                     size_t nitems, size_t b, const char *group,
                                     brisk_dataset **out, char **names, brisk_error *err)
{
    brisk_dataset *ds = brisk_dataset_new(d->nrespondents);
    brisk_status st = ds ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && i < nitems + (group ? 1 : 0); i++) {
        item_source src = {0};
        st = locate(d, i < nitems ? items[i] : group, b, &src, err);
        if (st == BRISK_OK)
            st = copy_column(ds, d, &src, err);
        if (st == BRISK_OK && i < nitems) {
            names[i] = src.name;
            src.name = NULL;
        }
        free(src.name);
    }
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        ds = NULL;
    }
    *out = ds;
    return st;
}

brisk_status brisk_compare_items_survey(const brisk_survey_data *d, const char *const *items,
                                        size_t nitems, const brisk_compare_items_options *opt,
                                        brisk_table_list *out, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    bool per = false;
    for (size_t i = 0; i < nitems; i++)
        per |= brisk_template_is_per_behaviour(items[i]);
    if (nitems < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "compare at least two items");
    if (per && !s->nbehaviours)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "an item with {b}, but the survey %s "
                               "has no [behaviours] to compare it for", s->path);
    brisk_compare_items_options o = *opt;
    if (!o.source)
        o.source = s->data_path;
    char **names = calloc(nitems + 1, sizeof *names);
    brisk_table *t = names ? pairs_table(per, opt->group != NULL) : NULL;
    brisk_status st = t ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t b = 0; st == BRISK_OK && b < (per ? s->nbehaviours : 1); b++) {
        brisk_dataset *ds = NULL;
        st = respondents_data(d, items, nitems, per ? b : (size_t)-1, opt->group, &ds, names,
                              err);
        if (st == BRISK_OK)
            st = compare_rows(t, per ? brisk_behaviour_label(s, b) : NULL, ds,
                              (const char *const *)names, nitems, &o, err);
        if (st != BRISK_OK && st != BRISK_ERR_NOMEM && per)
            brisk_name_behaviour(err, s->behaviours[b].key);
        brisk_dataset_free(ds);
        for (size_t i = 0; i < nitems; i++) {
            free(names[i]);
            names[i] = NULL;
        }
    }
    free(names);
    const char *layout = s->layout == BRISK_LAYOUT_LONG
        ? "Long layout: a respondent's answers are paired by id across the rows of the "
          "behaviours named; items asked once (and the group) come from each respondent's "
          "first row."
        : NULL;
    return finish(t, st, &o, layout, out, err);
}
