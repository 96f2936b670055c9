/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Approval by demographic group: the share approving each item in every
 * level of a demographic, and the test that it does not depend on the
 * level: Pearson's chi-square (chisq.test(correct = FALSE)) with Cramér's
 * V, or with a weight the Rao-Scott second-order F of R's svychisq. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "brisk/stats.h"
#include "core/util.h"
#include "stats/crosstab.h"
#include "stats/design.h"
#include "stats/sampling.h"

/* ------------------------------------------------------------ tables */

typedef struct by_ctx {
    const brisk_survey_data *data;
    const brisk_survey *s;
    brisk_table *shares, *tests;
    crosstab ct;
    size_t *respondent_of;      /* with a design: each data row's design row */
    brisk_error *err;
} by_ctx;

static brisk_table *make_table(const char *id, const char *title, const char *const (*cols)[3],
                               size_t n)
{
    brisk_table *t = brisk_table_new(id, title);
    for (size_t c = 0; t && c < n; c++) {
        brisk_cell_kind kind = cols[c][2][0] == 't'   ? BRISK_CELL_TEXT
                               : cols[c][2][0] == 'i' ? BRISK_CELL_INT
                               : cols[c][2][0] == '%' ? BRISK_CELL_PERCENT
                               : cols[c][2][0] == 'p' ? BRISK_CELL_PVALUE
                                                      : BRISK_CELL_NUMBER;
        if (brisk_table_add_column(t, cols[c][0], cols[c][1], kind,
                                   kind == BRISK_CELL_PERCENT ? 1 : 3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

static const char *const share_cols[][3] = {
    {"behaviour", "Behaviour", "t"}, {"item", "Item", "t"}, {"demographic", "Demographic", "t"},
    {"level", "Level", "t"}, {"n", "n", "i"}, {"approve", "% approving", "%"},
    {"se", "SE", "%"},   /* with a design: the domain's (svyby) */
};
static const char *const test_cols[][3] = {
    {"behaviour", "Behaviour", "t"}, {"item", "Item", "t"}, {"demographic", "Demographic", "t"},
    {"n", "n", "i"}, {"chisq", "Chi-square", "n"}, {"df", "df", "n"}, {"f", "Rao-Scott F", "n"},
    {"ndf", "ndf", "n"}, {"ddf", "ddf", "n"}, {"p", "p", "p"}, {"cramers_v", "Cramér's V", "n"},
};

static bool approves(const brisk_survey *s, double x)
{
    return x >= s->agree_min && x <= s->agree_max;
}

/* Cross item column col with demographic dem over rows. */
static brisk_status tabulate(by_ctx *c, const brisk_column *col, const brisk_column *dem,
                             const design_levels *lv, const size_t *rows, size_t nrows)
{
    crosstab *ct = &c->ct;
    size_t L = lv->n;
    memset(ct->n, 0, L * sizeof *ct->n);
    memset(ct->yes, 0, L * sizeof *ct->yes);
    memset(ct->w, 0, L * sizeof *ct->w);
    memset(ct->wyes, 0, L * sizeof *ct->wyes);
    ct->nlevels = L;
    ct->nrows = 0;
    const brisk_column *wc = c->data->weight;
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows[i], l = brisk_design_level_of(dem, lv, r);
        if (l == (size_t)-1 || brisk_is_missing(col, r) || isnan(col->num[r]) ||
            (ct->design && c->respondent_of[r] == (size_t)-1))
            continue;
        bool yes = approves(c->s, col->num[r]);
        double w = wc ? wc->num[r] : 1;
        ct->n[l] += 1;
        ct->yes[l] += yes;
        ct->w[l] += w;
        ct->wyes[l] += yes ? w : 0;
        ct->level[ct->nrows] = l;
        if (ct->design)
            ct->unit[ct->nrows] = c->respondent_of[r];
        ct->weight[ct->nrows] = w;
        ct->approve[ct->nrows++] = yes;
    }
    return BRISK_OK;
}

/* The SE of level l's share approving, a domain of the whole design (as
 * svyby(~approve, ~level, design, svymean)): each row of the level
 * contributes w (approves - p) / (the level's weights), every other row
 * zero.  NaN when out of memory. */
static double domain_se(const by_ctx *c, size_t l)
{
    const crosstab *ct = &c->ct;
    const struct sampling_design *d = ct->design;
    double *u = calloc(d->n + 1, sizeof *u), v = NAN;
    if (!u)
        return NAN;
    double p = ct->wyes[l] / ct->w[l];
    for (size_t r = 0; r < ct->nrows; r++)
        if (ct->level[r] == l)
            u[ct->unit[r]] += ct->weight[r] * ((double)ct->approve[r] - p) / ct->w[l];
    if (!brisk_sampling_vcov(d, u, 1, &v))
        v = NAN;
    free(u);
    return sqrt(v);
}

static brisk_status add_rows(by_ctx *c, const char *behaviour, const char *item,
                             const char *demographic, const design_levels *lv)
{
    const crosstab *ct = &c->ct;
    bool weighted = c->data->design != NULL;   /* a weight or a design: Rao-Scott */
    for (size_t l = 0; l < lv->n; l++) {
        if (ct->n[l] == 0)
            continue;
        size_t row = brisk_table_add_row(c->shares);
        if (row == (size_t)-1 || brisk_table_set_text(c->shares, row, 0, behaviour) ||
            brisk_table_set_text(c->shares, row, 1, item) ||
            brisk_table_set_text(c->shares, row, 2, demographic) ||
            brisk_table_set_text(c->shares, row, 3, lv->names[l]))
            return BRISK_ERR_NOMEM;
        brisk_table_set_num(c->shares, row, 4, ct->n[l]);
        brisk_table_set_num(c->shares, row, 5, 100 * (weighted ? ct->wyes[l] / ct->w[l]
                                                              : ct->yes[l] / ct->n[l]));
        if (ct->design)
            brisk_table_set_num(c->shares, row, 6, 100 * domain_se(c, l));
    }
    test_result t = brisk_crosstab_test(ct, weighted);
    size_t row = brisk_table_add_row(c->tests);
    if (row == (size_t)-1 || brisk_table_set_text(c->tests, row, 0, behaviour) ||
        brisk_table_set_text(c->tests, row, 1, item) ||
        brisk_table_set_text(c->tests, row, 2, demographic))
        return BRISK_ERR_NOMEM;
    double v[] = {t.n, t.chisq, t.df, t.f, t.ndf, t.ddf, t.p, t.v};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        brisk_table_set_num(c->tests, row, 3 + k, v[k]);
    return BRISK_OK;
}

static brisk_status by_item(by_ctx *c, const char *behaviour, const char *tmpl, size_t b,
                            const size_t *rows, size_t nrows, const char *const *by, size_t nby,
                            const design_levels *lv)
{
    char *name = brisk_survey_column_name(c->s, tmpl, b);
    if (!name)
        return BRISK_ERR_NOMEM;
    const brisk_column *col = brisk_dataset_find(c->data->ds, name);
    brisk_status st = BRISK_OK;
    for (size_t k = 0; st == BRISK_OK && k < nby; k++) {
        const brisk_column *dem = brisk_dataset_find(c->data->ds, by[k]);
        st = tabulate(c, col, dem, &lv[k], rows, nrows);
        if (st == BRISK_OK)
            st = add_rows(c, behaviour, name, by[k], &lv[k]);
    }
    free(name);
    return st;
}

static brisk_status every_item(by_ctx *c, const char *const *by, size_t nby,
                               const design_levels *lv)
{
    const brisk_survey *s = c->s;
    const brisk_survey_data *d = c->data;
    brisk_status st = BRISK_OK;
    for (size_t i = 0; st == BRISK_OK && i < s->nitems; i++)
        if (!brisk_template_is_per_behaviour(s->items[i].key))
            st = by_item(c, NULL, s->items[i].key, 0, d->respondent_rows, d->nrespondents, by,
                         nby, lv);
    for (size_t b = 0; st == BRISK_OK && b < s->nbehaviours; b++)
        for (size_t i = 0; st == BRISK_OK && i < s->nitems; i++)
            if (brisk_template_is_per_behaviour(s->items[i].key))
                st = by_item(c, brisk_behaviour_label(s, b), s->items[i].key, b, d->rows[b],
                             d->nrows[b], by, nby, lv);
    return st;
}

static brisk_status check_by(const brisk_survey_data *data, const char *const *by, size_t nby,
                             brisk_error *err)
{
    const brisk_survey *s = data->survey;
    if (!s->has_agree)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "approval by group needs the survey's "
                               "'agree =' range (which answers approve) in [survey] of %s",
                               s->path);
    for (size_t k = 0; k < nby; k++)
        if (!brisk_dataset_find(data->ds, by[k])) {
            char near[300];
            brisk_error_variable(err, by[k]);
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s%s",
                                   by[k], s->data_path ? s->data_path : s->path,
                                   brisk_dataset_did_you_mean(data->ds, by[k], near, sizeof near));
        }
    return BRISK_OK;
}

brisk_status brisk_approval_by_group(const brisk_survey_data *data, const char *const *by,
                                     size_t nby, brisk_table_list *out, brisk_error *err)
{
    brisk_status st = check_by(data, by, nby, err);
    if (st != BRISK_OK)
        return st;
    size_t n = data->ds->nrows + 1, maxl = 1;
    design_levels *lv = calloc(nby + 1, sizeof *lv);
    for (size_t k = 0; lv && st == BRISK_OK && k < nby; k++) {
        st = brisk_design_group_levels(data->ds, brisk_dataset_find(data->ds, by[k]), &lv[k], err);
        maxl = st == BRISK_OK && lv[k].n > maxl ? lv[k].n : maxl;
    }
    by_ctx c = {.data = data, .s = data->survey, .err = err,
                .shares = make_table("describe.by_group", "Approval by group", share_cols,
                                     data->design ? 7 : 6),
                .tests = make_table("describe.by_group_tests", "Does approval differ between "
                                    "groups?", test_cols, 11),
                .ct = {.n = calloc(maxl, sizeof(double)), .yes = calloc(maxl, sizeof(double)),
                       .w = calloc(maxl, sizeof(double)), .wyes = calloc(maxl, sizeof(double)),
                       .level = calloc(n, sizeof(size_t)), .weight = calloc(n, sizeof(double)),
                       .approve = calloc(n, sizeof(bool)), .design = data->design,
                       .unit = calloc(n, sizeof(size_t))},
                .respondent_of = data->design ? brisk_respondent_index(data) : NULL};
    bool ok = lv && c.shares && c.tests && c.ct.n && c.ct.yes && c.ct.w && c.ct.wyes &&
              c.ct.level && c.ct.weight && c.ct.approve && c.ct.unit &&
              (!data->design || c.respondent_of);
    if (st == BRISK_OK && !ok)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (st = every_item(&c, by, nby, lv)) != BRISK_OK)
        brisk_error_set(err, st, "out of memory");
    const brisk_survey *s = data->survey;
    if (st == BRISK_OK &&
        (brisk_table_add_note(c.shares, "%% approving: answers %g to %g%s%s.", s->agree_min,
                              s->agree_max, data->weight ? ", weighted" : "",
                              data->design ? "; SE: the level's as a domain of the survey's "
                                             "whole design (svyby with svymean), in percentage "
                                             "points" : "") ||
         brisk_table_add_note(c.tests, data->design
                                  ? "Rao-Scott second-order F of the weighted table (as R's "
                                    "svychisq), with the weighted Pearson chi-square it corrects; "
                                    "Cramér's V from that chi-square. The cell proportions' "
                                    "covariance is the survey's design's (its weight, strata, "
                                    "clusters and calibration, as in the item table; a "
                                    "respondent without an answer counts as zero), and the F's "
                                    "denominator df are the design's, PSUs minus strata."
                                  : "Pearson's chi-square test of independence (no continuity "
                                    "correction); Cramér's V = sqrt(chi-square / n).")))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (st = brisk_table_list_add(out, c.shares)) == BRISK_OK) {
        c.shares = NULL;
        st = brisk_table_list_add(out, c.tests);
        c.tests = NULL;
    }
    brisk_table_free(c.shares);
    brisk_table_free(c.tests);
    for (size_t k = 0; lv && k < nby; k++)
        brisk_design_levels_free(&lv[k]);
    free(lv);
    free(c.ct.n), free(c.ct.yes), free(c.ct.w), free(c.ct.wyes), free(c.ct.level);
    free(c.ct.weight), free(c.ct.approve), free(c.ct.unit), free(c.respondent_of);
    return st;
}
