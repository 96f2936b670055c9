/* Approval by demographic group: the share approving each item in every
 * level of a demographic, and the test that it does not depend on the
 * level: Pearson's chi-square (chisq.test(correct = FALSE)) with Cramér's
 * V, or with a weight the Rao-Scott second-order F of R's svychisq. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/stats.h"
#include "core/util.h"
#include "design.h"
#include "sem/dense.h"

/* One item by one demographic over some rows: per level the count, the
 * weight and the weighted count approving. */
typedef struct crosstab {
    size_t nlevels;
    double *n, *yes, *w, *wyes;     /* per level */
    size_t *level;                  /* per row used: its level */
    double *weight;                 /* per row used */
    bool *approve;                  /* per row used */
    size_t nrows;
} crosstab;

typedef struct test_result {
    double n, chisq, df, p, v;            /* unweighted: Pearson */
    double f, ndf, ddf;                   /* weighted: Rao-Scott */
} test_result;

/* Pearson's X^2 of the 2 x L table of counts yes/no by level (levels with
 * no respondent left out). */
static double pearson(const double *yes, const double *n, size_t L, size_t *used_levels)
{
    double total = 0, total_yes = 0;
    for (size_t l = 0; l < L; l++) {
        total += n[l];
        total_yes += yes[l];
    }
    double x2 = 0;
    *used_levels = 0;
    for (size_t l = 0; l < L; l++) {
        if (n[l] <= 0)
            continue;
        ++*used_levels;
        double e1 = n[l] * total_yes / total, e0 = n[l] - e1;
        x2 += (yes[l] - e1) * (yes[l] - e1) / e1 + (n[l] - yes[l] - e0) * (n[l] - yes[l] - e0) / e0;
    }
    return x2;
}

/* svychisq's design effects: with the cells ordered approve fastest
 * (2 levels x L), C the interaction columns of the saturated model made
 * orthogonal to the main effects, D = diag(p), V the covariance of the
 * cell proportions, Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C.  Sets
 * tr(Delta) and tr(Delta^2). */
static bool design_effects(const crosstab *ct, const size_t *levels, size_t L, double *tr,
                           double *tr2)
{
    size_t cells = 2 * L, main = L + 1, q = L - 1;   /* main effects: 1 + 1 + (L - 1) */
    double *x1 = calloc(cells * main, sizeof *x1), *c = calloc(cells * q, sizeof *c);
    double *xtx = calloc(main * main, sizeof *xtx), *inv = calloc(main * main, sizeof *inv);
    double *p = calloc(cells, sizeof *p), *v = calloc(cells * cells, sizeof *v);
    double *z = calloc(cells, sizeof *z), *den = calloc(q * q, sizeof *den);
    double *num = calloc(q * q, sizeof *num), *dinv = calloc(q * q, sizeof *dinv);
    double *delta = calloc(q * q, sizeof *delta), *dc = calloc(cells * q, sizeof *dc);
    bool ok = x1 && c && xtx && inv && p && v && z && den && num && dinv && delta && dc;
    for (size_t l = 0; ok && l < L; l++)
        for (size_t a = 0; a < 2; a++) {
            size_t cell = a + 2 * l;
            x1[cell * main] = 1;
            x1[cell * main + 1] = a;
            if (l > 0) {
                x1[cell * main + 1 + l] = 1;
                c[cell * q + l - 1] = a;          /* approve x level l */
            }
        }
    /* C's residuals on the main effects: C - X1 (X1'X1)^-1 X1' C */
    for (size_t i = 0; ok && i < main; i++)
        for (size_t j = 0; j < main; j++)
            for (size_t k = 0; k < cells; k++)
                xtx[i * main + j] += x1[k * main + i] * x1[k * main + j];
    ok = ok && brisk_dense_invert(xtx, inv, main);
    for (size_t j = 0; ok && j < q; j++) {
        double *beta = z;                       /* scratch: main <= cells */
        for (size_t i = 0; i < main; i++) {
            double s = 0;
            for (size_t k = 0; k < cells; k++) {
                double proj = 0;
                for (size_t m = 0; m < main; m++)
                    proj += inv[i * main + m] * x1[k * main + m];
                s += proj * c[k * q + j];
            }
            beta[i] = s;
        }
        for (size_t k = 0; k < cells; k++) {
            double fitted = 0;
            for (size_t i = 0; i < main; i++)
                fitted += x1[k * main + i] * beta[i];
            dc[k * q + j] = c[k * q + j] - fitted;
        }
    }
    memcpy(c, dc, cells * q * sizeof *c);
    /* cell proportions and their covariance, as svymean with ids = ~1 */
    double wsum = 0, N = (double)ct->nrows;
    for (size_t r = 0; ok && r < ct->nrows; r++)
        wsum += ct->weight[r];
    for (size_t r = 0; ok && r < ct->nrows; r++)
        p[(size_t)ct->approve[r] + 2 * levels[ct->level[r]]] += ct->weight[r] / wsum;
    for (size_t r = 0; ok && r < ct->nrows; r++) {
        size_t cell = (size_t)ct->approve[r] + 2 * levels[ct->level[r]];
        for (size_t k = 0; k < cells; k++)
            z[k] = ct->weight[r] * ((k == cell) - p[k]) / wsum;
        for (size_t i = 0; i < cells; i++)
            for (size_t j = 0; j < cells; j++)
                v[i * cells + j] += N / (N - 1) * z[i] * z[j];
    }
    for (size_t i = 0; ok && i < q; i++)
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k < cells; k++) {
                double ik = p[k] > 0 ? c[k * q + i] / p[k] : 0;
                den[i * q + j] += ik * c[k * q + j] / N;
                for (size_t m = 0; m < cells; m++) {
                    double jm = p[m] > 0 ? c[m * q + j] / p[m] : 0;
                    num[i * q + j] += ik * v[k * cells + m] * jm;
                }
            }
    ok = ok && brisk_dense_invert(den, dinv, q);
    for (size_t i = 0; ok && i < q; i++)
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k < q; k++)
                delta[i * q + j] += dinv[i * q + k] * num[k * q + j];
    *tr = *tr2 = 0;
    for (size_t i = 0; ok && i < q; i++) {
        *tr += delta[i * q + i];
        for (size_t j = 0; j < q; j++)
            *tr2 += delta[i * q + j] * delta[j * q + i];
    }
    free(x1), free(c), free(xtx), free(inv), free(p), free(v), free(z), free(den), free(num);
    free(dinv), free(delta), free(dc);
    return ok;
}

static test_result test_of(const crosstab *ct, bool weighted)
{
    test_result t = {.n = (double)ct->nrows, .f = NAN, .ndf = NAN, .ddf = NAN};
    size_t L = 0, *levels = calloc(ct->nlevels + 1, sizeof *levels);
    for (size_t l = 0; levels && l < ct->nlevels; l++)
        levels[l] = ct->n[l] > 0 ? L++ : (size_t)-1;   /* the levels present, renumbered */
    if (!levels || L < 2) {
        free(levels);
        t.chisq = t.df = t.p = t.v = NAN;
        return t;
    }
    size_t used;
    if (!weighted) {
        t.chisq = pearson(ct->yes, ct->n, ct->nlevels, &used);
        t.df = (double)(used - 1);
        t.p = gsl_cdf_chisq_Q(t.chisq, t.df);
        t.v = sqrt(t.chisq / t.n);            /* min(2, L) - 1 = 1 */
        free(levels);
        return t;
    }
    /* the weighted table rescaled to the number of respondents */
    double wsum = 0, *n = calloc(ct->nlevels + 1, sizeof *n), *yes = calloc(ct->nlevels + 1, sizeof *yes);
    for (size_t l = 0; l < ct->nlevels; l++)
        wsum += ct->w[l];
    for (size_t l = 0; n && yes && l < ct->nlevels; l++) {
        n[l] = ct->w[l] * t.n / wsum;
        yes[l] = ct->wyes[l] * t.n / wsum;
    }
    double tr = NAN, tr2 = NAN;
    t.chisq = n && yes ? pearson(yes, n, ct->nlevels, &used) : NAN;
    t.df = (double)(L - 1);
    t.v = sqrt(t.chisq / t.n);
    if (n && yes && design_effects(ct, levels, L, &tr, &tr2) && tr > 0) {
        t.f = t.chisq / tr;
        t.ndf = tr * tr / tr2;
        t.ddf = t.ndf * (t.n - 1);
        t.p = gsl_cdf_fdist_Q(t.f, t.ndf, t.ddf);
    } else {
        t.p = NAN;
    }
    free(n);
    free(yes);
    free(levels);
    return t;
}

/* ------------------------------------------------------------ tables */

typedef struct by_ctx {
    const brisk_survey_data *data;
    const brisk_survey *s;
    brisk_table *shares, *tests;
    crosstab ct;
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
        if (l == (size_t)-1 || brisk_is_missing(col, r) || isnan(col->num[r]))
            continue;
        bool yes = approves(c->s, col->num[r]);
        double w = wc ? wc->num[r] : 1;
        ct->n[l] += 1;
        ct->yes[l] += yes;
        ct->w[l] += w;
        ct->wyes[l] += yes ? w : 0;
        ct->level[ct->nrows] = l;
        ct->weight[ct->nrows] = w;
        ct->approve[ct->nrows++] = yes;
    }
    return BRISK_OK;
}

static brisk_status add_rows(by_ctx *c, const char *behaviour, const char *item,
                             const char *demographic, const design_levels *lv)
{
    const crosstab *ct = &c->ct;
    bool weighted = c->data->weight != NULL;
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
    }
    test_result t = test_of(ct, weighted);
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
                st = by_item(c, s->behaviours[b].key, s->items[i].key, b, d->rows[b],
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
            brisk_error_variable(err, by[k]);
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s",
                                   by[k], s->data_path ? s->data_path : s->path);
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
                .shares = make_table("describe.by_group", "Approval by group", share_cols, 6),
                .tests = make_table("describe.by_group_tests", "Does approval differ between "
                                    "groups?", test_cols, 11),
                .ct = {.n = calloc(maxl, sizeof(double)), .yes = calloc(maxl, sizeof(double)),
                       .w = calloc(maxl, sizeof(double)), .wyes = calloc(maxl, sizeof(double)),
                       .level = calloc(n, sizeof(size_t)), .weight = calloc(n, sizeof(double)),
                       .approve = calloc(n, sizeof(bool))}};
    bool ok = lv && c.shares && c.tests && c.ct.n && c.ct.yes && c.ct.w && c.ct.wyes &&
              c.ct.level && c.ct.weight && c.ct.approve;
    if (st == BRISK_OK && !ok)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && (st = every_item(&c, by, nby, lv)) != BRISK_OK)
        brisk_error_set(err, st, "out of memory");
    const brisk_survey *s = data->survey;
    if (st == BRISK_OK &&
        (brisk_table_add_note(c.shares, "%% approving: answers %g to %g%s.", s->agree_min,
                              s->agree_max, data->weight ? ", weighted" : "") ||
         brisk_table_add_note(c.tests, data->weight
                                  ? "Rao-Scott second-order F of the weighted table (as R's "
                                    "svychisq), with the weighted Pearson chi-square it corrects; "
                                    "Cramér's V from that chi-square."
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
    free(c.ct.weight), free(c.ct.approve);
    return st;
}
