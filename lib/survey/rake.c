/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Raking a survey's weights to its [margins] (iterative proportional
 * fitting, as R's survey package's rake; one margin is post-stratification,
 * as postStratify): the weights are replaced in the data, so that every
 * analysis uses the raked ones, and the calibration is kept for the
 * design-based variances. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "stats/sampling.h"
#include "survey_internal.h"

#define RAKE_MAX_PASSES 1000
#define RAKE_TOLERANCE 1e-12   /* of the weights' total: every margin met to this */

/* What raking leaves with the data. */
struct brisk_survey_raking {
    sampling_calibration calibration;
    size_t **category;          /* per margin, per data row ((size_t)-1: no respondent) */
    size_t *ncategories;
    double *weight, *base;      /* per data row */
};

void brisk_survey_raking_free(brisk_survey_raking *r)
{
    if (!r)
        return;
    for (size_t m = 0; r->category && m < r->calibration.nmargins; m++)
        free(r->category[m]);
    free(r->category);
    free(r->ncategories);
    free(r->weight);
    free(r->base);
    free(r);
}

const sampling_calibration *brisk_survey_calibration(const brisk_survey_data *d)
{
    return d->raking ? &d->raking->calibration : NULL;
}

/* Does cell row of column c hold category code (a number, text, or a
 * numeric column's value label)? */
static bool is_category(const brisk_column *c, size_t row, const char *code)
{
    if (c->type == BRISK_STRING)
        return strcmp(c->str[row], code) == 0;
    double v;
    if (brisk_parse_number(code, strlen(code), &v))
        return c->num[row] == v;
    for (size_t k = 0; k < c->n_labels; k++)
        if (c->labels[k].label && strcmp(c->labels[k].label, code) == 0)
            return c->num[row] == c->labels[k].value;
    return false;
}

/* Each respondent's category of margin m (the data row's, respondent i
 * being data row rows[i]); errors name the row and the margin's line. */
static brisk_status categorise(const brisk_survey *s, const brisk_dataset *ds,
                               const brisk_survey_margin *m, const size_t *rows, size_t n,
                               size_t *cat, brisk_error *err)
{
    const brisk_column *c = brisk_dataset_find(ds, m->variable);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        if (brisk_is_missing(c, r)) {
            brisk_survey_error(err, s, m->line, 0, BRISK_ERR_VALUE,
                               "'%s' is missing in data row %zu; raking to [margins] needs "
                               "every respondent's category (give it one, or leave '%s' out "
                               "of [margins])", m->variable, r + 1, m->variable);
            brisk_error_variable(err, m->variable);
            return BRISK_ERR_VALUE;
        }
        size_t k = 0;
        while (k < m->ncodes && !is_category(c, r, m->codes[k]))
            k++;
        if (k == m->ncodes) {
            char text[48], value[64];
            brisk_cell_text(c, r, 40, text, sizeof text);
            snprintf(value, sizeof value, c->type == BRISK_STRING ? "'%s'" : "%s", text);
            brisk_survey_error(err, s, m->line, 0, BRISK_ERR_VALUE,
                               "'%s' is %s in data row %zu, a category with no population "
                               "share in [margins]: add its share to the margin", m->variable,
                               value, r + 1);
            brisk_error_variable(err, m->variable);
            return BRISK_ERR_VALUE;
        }
        cat[i] = k;
    }
    return BRISK_OK;
}

/* The weight of each category of a margin over the respondents. */
static void margin_totals(const size_t *cat, const double *w, size_t n, size_t ncat,
                          double *total)
{
    memset(total, 0, ncat * sizeof *total);
    for (size_t i = 0; i < n; i++)
        total[cat[i]] += w[i];
}

/* A category no respondent (of positive weight) is in cannot be raked. */
static brisk_status check_present(const brisk_survey *s, const brisk_survey_margin *m,
                                  const double *total, brisk_error *err)
{
    for (size_t k = 0; k < m->ncodes; k++)
        if (!(total[k] > 0)) {
            char share[32];
            snprintf(share, sizeof share, "%g", m->shares[k]);
            brisk_survey_error(err, s, m->line, 0, BRISK_ERR_VALUE,
                               "category '%s' of '%s' has a population share of %s in "
                               "[margins] but no respondent with a positive weight in the "
                               "data: raking cannot give it weight (merge it with another "
                               "category)", m->codes[k], m->variable, share);
            brisk_error_variable(err, m->variable);
            return BRISK_ERR_VALUE;
        }
    return BRISK_OK;
}

/* Iterative proportional fitting of w (n respondents) to the margins'
 * shares of the weights' total W, until every category's weight is within
 * RAKE_TOLERANCE W of its target; the passes taken, or 0 if it did not
 * converge (*worst then names the margin furthest off). */
static size_t ipf(const brisk_survey *s, size_t *const *cat, double *w, size_t n, double W,
                  double *total, size_t *worst, double *gap)
{
    for (size_t pass = 1; pass <= RAKE_MAX_PASSES; pass++) {
        for (size_t m = 0; m < s->nmargins; m++) {
            const brisk_survey_margin *mg = &s->margins[m];
            margin_totals(cat[m], w, n, mg->ncodes, total);
            for (size_t i = 0; i < n; i++)
                w[i] *= mg->shares[cat[m][i]] * W / total[cat[m][i]];
        }
        *gap = 0;
        for (size_t m = 0; m < s->nmargins; m++) {
            const brisk_survey_margin *mg = &s->margins[m];
            margin_totals(cat[m], w, n, mg->ncodes, total);
            for (size_t k = 0; k < mg->ncodes; k++) {
                double g = fabs(total[k] - mg->shares[k] * W) / W;
                if (g > *gap) {
                    *gap = g;
                    *worst = m;
                }
            }
        }
        if (*gap <= RAKE_TOLERANCE)
            return pass;
    }
    return 0;
}

/* The raked weights written to every row of their respondent, and the
 * calibration kept per data row. */
static bool keep_raking(brisk_survey_data *d, size_t *const *cat, const double *w,
                        const double *base)
{
    const brisk_survey *s = d->survey;
    size_t N = d->ds->nrows, M = s->nmargins;
    brisk_survey_raking *r = d->raking = calloc(1, sizeof *r);
    if (!r)
        return false;
    r->category = calloc(M, sizeof *r->category);
    r->ncategories = calloc(M + 1, sizeof *r->ncategories);
    r->weight = malloc((N + 1) * sizeof *r->weight);
    r->base = malloc((N + 1) * sizeof *r->base);
    bool ok = r->category && r->ncategories && r->weight && r->base;
    r->calibration.nmargins = ok ? M : 0;
    for (size_t m = 0; ok && m < M; m++) {
        ok = (r->category[m] = malloc((N + 1) * sizeof **r->category)) != NULL;
        for (size_t row = 0; ok && row < N; row++)
            r->category[m][row] = (size_t)-1;
        r->ncategories[m] = s->margins[m].ncodes;
    }
    if (!ok)
        return false;
    brisk_column *wc = brisk_dataset_find(d->ds, s->weight);
    size_t nb = brisk_survey_nblocks(s);
    for (size_t i = 0; i < d->nrespondents; i++)
        for (size_t b = 0; b <= nb; b++) {
            /* the respondent's row, and in the long layout each behaviour's */
            size_t row = b == nb ? d->respondent_rows[i]
                       : d->respondent_row && d->respondent_row[b] ? d->respondent_row[b][i]
                                                                   : (size_t)-1;
            if (row == (size_t)-1)
                continue;
            wc->num[row] = r->weight[row] = w[i];
            r->base[row] = base[i];
            for (size_t m = 0; m < M; m++)
                r->category[m][row] = cat[m][i];
        }
    r->calibration.category = (const size_t *const *)r->category;
    r->calibration.ncategories = r->ncategories;
    r->calibration.weight = r->weight;
    r->calibration.base = r->base;
    return true;
}

brisk_status brisk_survey_rake(brisk_survey_data *d, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    size_t n = d->nrespondents, M = s->nmargins;
    size_t maxc = 1;
    for (size_t m = 0; m < M; m++)
        maxc = s->margins[m].ncodes > maxc ? s->margins[m].ncodes : maxc;
    size_t **cat = calloc(M, sizeof *cat);
    double *w = malloc((n + 1) * sizeof *w), *base = malloc((n + 1) * sizeof *base);
    double *total = malloc((maxc + 1) * sizeof *total);
    brisk_status st = cat && w && base && total ? BRISK_OK
                                                : brisk_error_set(err, BRISK_ERR_NOMEM,
                                                                  "out of memory");
    double W = 0;
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        base[i] = w[i] = d->weight->num[d->respondent_rows[i]];
        W += w[i];
    }
    for (size_t m = 0; st == BRISK_OK && m < M; m++) {
        if (!(cat[m] = malloc((n + 1) * sizeof **cat))) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        st = categorise(s, d->ds, &s->margins[m], d->respondent_rows, n, cat[m], err);
        if (st == BRISK_OK) {
            margin_totals(cat[m], w, n, s->margins[m].ncodes, total);
            st = check_present(s, &s->margins[m], total, err);
        }
    }
    size_t worst = 0, passes = 0;
    double gap = 0;
    if (st == BRISK_OK && !(passes = ipf(s, cat, w, n, W, total, &worst, &gap))) {
        const brisk_survey_margin *mg = &s->margins[worst];
        char off[32];
        snprintf(off, sizeof off, "%.3g%%", 100 * gap);
        st = brisk_survey_error(err, s, mg->line, 0, BRISK_ERR_VALUE,
                                "raking to [margins] did not converge in %d passes: '%s' is "
                                "still %s of the total off its margin, so the margins cannot "
                                "all be met by these respondents (a category empty within "
                                "another's?); check the margins, or merge sparse categories",
                                RAKE_MAX_PASSES, mg->variable, off);
        brisk_error_variable(err, mg->variable);
    }
    if (st == BRISK_OK && !keep_raking(d, cat, w, base))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            sum += w[i], sum2 += w[i] * w[i];
            lo = w[i] < lo ? w[i] : lo, hi = w[i] > hi ? w[i] : hi;
        }
        d->raked_passes = passes;
        d->raked_min = lo, d->raked_max = hi;
        d->raked_deff = sum > 0 ? (double)n * sum2 / (sum * sum) : NAN;
    }
    for (size_t m = 0; cat && m < M; m++)
        free(cat[m]);
    free(cat), free(w), free(base), free(total);
    return st;
}
