/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reliability and validity per construct: Cronbach's alpha on the items
 * (psych::alpha), and from the CFA of the measurement model McDonald's
 * omega, composite reliability and AVE (semTools compRelSEM and AVE), the
 * HTMT ratios (semTools htmt) and the Fornell-Larcker table. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "brisk/stats.h"
#include "brisk/survey.h"
#include "core/util.h"
#include "sem/sem_internal.h"
#include "sem/sem_ml.h"

/* The five tables, filled block by block (a behaviour, or the data). */
typedef struct rel_tables {
    brisk_table *alpha, *items, *composite, *htmt, *fl;
    size_t c0;                    /* 1 when a first column names the behaviour */
    size_t *column;               /* per latent variable (of every block's model: the same
                                     template): its column in the matrix tables, or -1 */
    size_t nlatent;
    bool ordinal;                 /* the survey declares items ordered: an ordinal alpha */
    const char *weight;           /* the sampling weights' column, or NULL */
    const char *cluster;          /* the clusters' column of the CFA, or NULL */
    brisk_buf low_alpha, low_omega, low_ave, high_htmt, fl_fails;   /* for the notes */
    brisk_buf negative;           /* items psych would ask to reverse */
    brisk_buf no_ordinal;         /* constructs without an ordinal alpha, and why */
} rel_tables;

/* One construct of a fitted measurement model. */
typedef struct construct {
    const char *name;
    size_t lv;                    /* index among the model's latent variables */
    const char **items;           /* its indicators (borrowed) */
    size_t k;
    bool cross_loading;           /* an indicator of another construct too */
} construct;

/* ------------------------------------------------------------ constructs */

static size_t ov_index(const brisk_model *m, const char *name)
{
    for (size_t i = 0; i < m->p; i++)
        if (strcmp(m->ov[i], name) == 0)
            return i;
    return (size_t)-1;
}

/* The constructs of a model: its latent variables with their observed
 * indicators (a loading fixed to 0 is no indicator; the factors of a
 * second-order factor are not items, as in semTools). */
static construct *constructs_of(const brisk_model *m)
{
    construct *c = calloc(m->m + 1, sizeof *c);
    for (size_t f = 0; c && f < m->m; f++) {
        c[f] = (construct){.name = m->lv[f], .lv = f, .items = calloc(m->p + 1, sizeof(char *))};
        if (!c[f].items)
            return NULL;   /* the caller frees what was made: constructs_free */
        for (size_t r = 0; r < m->nparams; r++) {
            const brisk_param *p = &m->params[r];
            if (p->op == BRISK_OP_MEASURE && strcmp(p->lhs, m->lv[f]) == 0 &&
                (p->free || p->start != 0) && ov_index(m, p->rhs) != (size_t)-1)
                c[f].items[c[f].k++] = p->rhs;
        }
    }
    for (size_t f = 0; c && f < m->m; f++)
        for (size_t i = 0; i < c[f].k; i++)
            for (size_t g = 0; g < m->m; g++)
                for (size_t j = 0; g != f && j < c[g].k; j++)
                    c[f].cross_loading |= strcmp(c[f].items[i], c[g].items[j]) == 0;
    return c;
}

static void constructs_free(construct *c, size_t n)
{
    for (size_t f = 0; c && f < n; f++)
        free((void *)c[f].items);
    free(c);
}


/* ------------------------------------------------------------ tables */

static brisk_status col(brisk_table *t, const char *key, const char *header, brisk_cell_kind kind)
{
    return brisk_table_add_column(t, key, header, kind, 3) == (size_t)-1 ? BRISK_ERR_NOMEM
                                                                         : BRISK_OK;
}

/* A table with the behaviour column (when c0) and the given columns. */
static brisk_table *new_table(const char *id, const char *title, size_t c0,
                              const char *const (*cols)[2], size_t ncols)
{
    brisk_table *t = brisk_table_new(id, title);
    brisk_status st = t ? BRISK_OK : BRISK_ERR_NOMEM;
    if (!st && c0)
        st = col(t, "behaviour", "Behaviour", BRISK_CELL_TEXT);
    for (size_t k = 0; !st && k < ncols; k++) {
        bool text = strcmp(cols[k][0], "construct") == 0 || strcmp(cols[k][0], "item") == 0;
        bool count = strcmp(cols[k][0], "items") == 0 || strcmp(cols[k][0], "n") == 0;
        st = col(t, cols[k][0], cols[k][1],
                 text ? BRISK_CELL_TEXT : count ? BRISK_CELL_INT : BRISK_CELL_NUMBER);
    }
    if (st) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

/* A matrix table: a row per construct, a column per construct with items
 * (keyed by its name, or lv_NAME where that would clash with the table's
 * own columns); column[f] gets latent variable f's column. */
static brisk_table *new_matrix(const char *id, const char *title, size_t c0, const brisk_model *m,
                               size_t *column)
{
    static const char *const first[][2] = {{"construct", "Construct"}};
    brisk_table *t = new_table(id, title, c0, first, 1);
    construct *c = t ? constructs_of(m) : NULL;
    bool ok = c != NULL;
    for (size_t f = 0, next = c0 + 1; ok && f < m->m; f++) {
        column[f] = (size_t)-1;
        if (!c[f].k)
            continue;
        char key[300];
        bool clash = strcmp(m->lv[f], "construct") == 0 || strcmp(m->lv[f], "behaviour") == 0;
        snprintf(key, sizeof key, "%s%s", clash ? "lv_" : "", m->lv[f]);
        ok = col(t, key, m->lv[f], BRISK_CELL_NUMBER) == BRISK_OK;
        column[f] = next++;
    }
    constructs_free(c, m->m);
    if (!ok) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

static bool tables_new(rel_tables *r, size_t c0, const brisk_model *layout, bool arithmetic,
                       bool ordinal)
{
    static const char *const alpha[][2] = {
        {"construct", "Construct"}, {"items", "Items"}, {"n", "n"}, {"alpha", "Alpha"},
        {"alpha_std", "Std. alpha"}, {"ci_lower", "CI lower"}, {"ci_upper", "CI upper"},
        {"se", "SE"}, {"mean_r", "Mean r"}};
    static const char *const items[][2] = {
        {"construct", "Construct"}, {"item", "Item"}, {"mean", "Mean"}, {"sd", "SD"},
        {"item_total_r", "Item-total r"}, {"corrected_r", "Corrected item-total r"},
        {"alpha_if_deleted", "Alpha if deleted"}, {"std_alpha_if_deleted", "Std. alpha if deleted"}};
    static const char *const composite[][2] = {
        {"construct", "Construct"}, {"items", "Items"}, {"n", "n"}, {"omega", "Omega"},
        {"cr", "CR"}, {"ave", "AVE"}, {"sqrt_ave", "sqrt(AVE)"}};
    *r = (rel_tables){.c0 = c0, .column = calloc(layout->m + 1, sizeof *r->column),
                      .nlatent = layout->m, .ordinal = ordinal};
    if (!r->column)
        return false;
    r->alpha = new_table("reliability.alpha", "Cronbach's alpha", c0, alpha, 9);
    if (r->alpha && ordinal && col(r->alpha, "ordinal_alpha", "Ordinal alpha",
                                   BRISK_CELL_NUMBER) != BRISK_OK) {
        brisk_table_free(r->alpha);
        r->alpha = NULL;
    }
    r->items = new_table("reliability.items", "Item statistics", c0, items, 8);
    r->composite = new_table("reliability.composite", "Omega, composite reliability and AVE",
                             c0, composite, 7);
    r->htmt = new_matrix("reliability.htmt",
                         arithmetic ? "Heterotrait-monotrait ratios (HTMT)"
                                    : "Heterotrait-monotrait ratios (HTMT2)",
                         c0, layout, r->column);
    r->fl = new_matrix("reliability.fornell_larcker",
                       "Fornell-Larcker: sqrt(AVE) and latent correlations", c0, layout,
                       r->column);
    return r->alpha && r->items && r->composite && r->htmt && r->fl;
}

static void tables_free(rel_tables *r)
{
    brisk_table_free(r->alpha);
    brisk_table_free(r->items);
    brisk_table_free(r->composite);
    brisk_table_free(r->htmt);
    brisk_table_free(r->fl);
    free(r->column);
    brisk_buf_free(&r->low_alpha);
    brisk_buf_free(&r->low_omega);
    brisk_buf_free(&r->low_ave);
    brisk_buf_free(&r->high_htmt);
    brisk_buf_free(&r->fl_fails);
    brisk_buf_free(&r->negative);
    brisk_buf_free(&r->no_ordinal);
}

/* A new row with the behaviour and the construct filled in. */
static size_t start_row(brisk_table *t, const rel_tables *r, const char *behaviour,
                        const char *name)
{
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || (r->c0 && brisk_table_set_text(t, row, 0, behaviour)) ||
        brisk_table_set_text(t, row, r->c0, name))
        return (size_t)-1;
    return row;
}

/* "crime: risk 0.652" into a note's list. */
static void flag(brisk_buf *b, const char *behaviour, const char *what, double v)
{
    brisk_buf_printf(b, "%s%s%s%s %.3f", b->len ? "; " : "", behaviour ? behaviour : "",
                     behaviour && *behaviour ? ": " : "", what, v);
}

/* ------------------------------------------------------------ alpha */

/* Where a construct's alpha is computed: the rows, and for its ordinal
 * alpha the survey whose 'ordered' declaration decides (NULL: none) with
 * the behaviour its items belong to. */
typedef struct alpha_place {
    const char *behaviour;
    const size_t *rows;
    size_t nrows;
    const char *weight;           /* sampling weights' column, or NULL */
    const brisk_survey *survey;
    size_t b;
} alpha_place;

/* "crime: risk (pr3_crime, pr2_crime)": the items psych::alpha would ask
 * to reverse. */
static void flag_negative(rel_tables *r, const alpha_place *at, const construct *c,
                          const brisk_alpha *a)
{
    brisk_buf *b = &r->negative;
    brisk_buf_printf(b, "%s%s%s%s (", b->len ? "; " : "", at->behaviour ? at->behaviour : "",
                     at->behaviour ? ": " : "", c->name);
    for (size_t i = 0, n = 0; i < a->k; i++)
        if (a->pc1_loading[i] < 0)
            brisk_buf_printf(b, "%s%s", n++ ? ", " : "", c->items[i]);
    brisk_buf_puts(b, ")");
}

/* How many of the construct's items the survey declares ordered. */
static size_t ordered_items(const alpha_place *at, const construct *c)
{
    size_t n = 0;
    for (size_t i = 0; at->survey && i < c->k; i++)
        n += brisk_survey_is_ordered(at->survey, c->items[i], at->b);
    return n;
}

/* The ordinal alpha of a construct whose items are all declared ordered,
 * into the alpha table's last column; any other construct, and one whose
 * polychoric correlations cannot be had, is named in the note instead. */
static brisk_status ordinal_cell(rel_tables *r, size_t row, const alpha_place *at,
                                 const construct *c, const brisk_dataset *ds, brisk_error *err)
{
    size_t ordered = ordered_items(at, c);
    const char *sep = r->no_ordinal.len ? "; " : "";
    const char *who = at->behaviour ? at->behaviour : "", *colon = at->behaviour ? ": " : "";
    if (ordered < c->k) {
        brisk_buf_printf(&r->no_ordinal, "%s%s%s%s (%s)", sep, who, colon, c->name,
                         ordered ? "some of its items are not declared ordered"
                                 : "its items are not declared ordered");
        return BRISK_OK;
    }
    brisk_ordinal_alpha o;
    brisk_error why = {0};
    brisk_status st = brisk_alpha_ordinal(ds, at->rows, at->nrows, c->items, c->k, &o, &why);
    if (st == BRISK_ERR_NOMEM)
        return brisk_error_set(err, st, "out of memory");
    if (st != BRISK_OK) {
        brisk_buf_printf(&r->no_ordinal, "%s%s%s%s (%s)", sep, who, colon, c->name, why.message);
        return BRISK_OK;
    }
    brisk_table_set_num(r->alpha, row, r->alpha->ncols - 1, o.alpha);
    if (!o.positive_definite)
        brisk_buf_printf(&r->no_ordinal, "%s%s%s%s (its polychoric correlations are not positive "
                         "definite: the ordinal alpha shown is of them as they are, where "
                         "psych::polychoric would smooth them first)", sep, who, colon, c->name);
    return BRISK_OK;
}

static brisk_status alpha_rows(rel_tables *r, const alpha_place *at, const construct *c,
                               const brisk_dataset *ds, brisk_error *err)
{
    const char *behaviour = at->behaviour;
    brisk_alpha a;
    brisk_status st = brisk_alpha_compute(ds, at->rows, at->nrows, c->items, c->k, at->weight,
                                          &a, err);
    if (st != BRISK_OK)
        return st;
    size_t row = start_row(r->alpha, r, behaviour, c->name);
    double v[] = {(double)a.k, (double)a.n, a.raw, a.std, a.ci_lower, a.ci_upper, a.se, a.mean_r};
    for (size_t k = 0; row != (size_t)-1 && k < sizeof v / sizeof v[0]; k++)
        brisk_table_set_num(r->alpha, row, r->c0 + 1 + k, v[k]);
    if (row != (size_t)-1 && r->ordinal)
        st = ordinal_cell(r, row, at, c, ds, err);
    if (a.raw < 0.70)
        flag(&r->low_alpha, behaviour, c->name, a.raw);
    if (a.nnegative)
        flag_negative(r, at, c, &a);
    for (size_t i = 0; row != (size_t)-1 && i < a.k; i++) {
        size_t ir = start_row(r->items, r, behaviour, c->name);
        if (ir == (size_t)-1 || brisk_table_set_text(r->items, ir, r->c0 + 1, c->items[i])) {
            row = (size_t)-1;
            break;
        }
        double w[] = {a.mean[i], a.sd[i], a.item_total_r[i], a.corrected_r[i],
                      a.alpha_if_deleted[i], a.std_alpha_if_deleted[i]};
        for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
            brisk_table_set_num(r->items, ir, r->c0 + 2 + k, w[k]);
    }
    brisk_alpha_free(&a);
    if (st != BRISK_OK)
        return st;
    return row == (size_t)-1 ? brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory") : BRISK_OK;
}

/* ------------------------------------------------------------ CFA measures */

/* Omega, CR and AVE of every construct with two indicators or more (as
 * semTools, which drops single-indicator factors); AVE is left empty when
 * an indicator also measures another construct. */
static brisk_status composite_rows(rel_tables *r, const char *behaviour, const construct *c,
                                   size_t nc, const sem_work *w, double *sqrt_ave)
{
    const brisk_model *m = w->model;
    size_t p = m->p, n = w->n;
    for (size_t f = 0; f < nc; f++) {
        sqrt_ave[f] = NAN;
        if (c[f].k < 2)
            continue;
        double phi = w->Sfull[(p + f) * n + (p + f)], sum_l = 0, sum_l2 = 0, obs = 0, imp = 0,
               var = 0;
        for (size_t a = 0; a < c[f].k; a++) {
            size_t i = ov_index(m, c[f].items[a]);
            double l = w->A[i * n + (p + f)];
            sum_l += l;
            sum_l2 += l * l;
            var += w->mom->cov[i * p + i];
            for (size_t b = 0; b < c[f].k; b++) {
                size_t j = ov_index(m, c[f].items[b]);
                obs += w->mom->cov[i * p + j];
                imp += w->Sigma[i * p + j];
            }
        }
        double common = sum_l * sum_l * phi, ave = c[f].cross_loading ? NAN : sum_l2 * phi / var;
        sqrt_ave[f] = sqrt(ave);
        size_t row = start_row(r->composite, r, behaviour, c[f].name);
        if (row == (size_t)-1)
            return BRISK_ERR_NOMEM;
        double v[] = {(double)c[f].k, (double)w->mom->n, common / obs, common / imp, ave,
                      sqrt_ave[f]};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            brisk_table_set_num(r->composite, row, r->c0 + 1 + k, v[k]);
        if (common / obs < 0.70)
            flag(&r->low_omega, behaviour, c[f].name, common / obs);
        if (ave < 0.50)
            flag(&r->low_ave, behaviour, c[f].name, ave);
    }
    return BRISK_OK;
}

/* The mean |r| over the item pairs of constructs f and g (f == g: the
 * pairs of distinct items), geometric (HTMT2) or arithmetic. */
static double mean_abs_r(const brisk_moments *mom, const brisk_model *m, const construct *f,
                         const construct *g, bool arithmetic)
{
    size_t p = m->p, n = 0;
    double s = 0;
    for (size_t a = 0; a < f->k; a++)
        for (size_t b = 0; b < g->k; b++) {
            size_t i = ov_index(m, f->items[a]), j = ov_index(m, g->items[b]);
            if (i == j)
                continue;
            double r = fabs(mom->cov[i * p + j] / sqrt(mom->cov[i * p + i] * mom->cov[j * p + j]));
            s += arithmetic ? r : log(r);
            n++;
        }
    if (!n)
        return NAN;
    return arithmetic ? s / (double)n : exp(s / (double)n);
}

/* HTMT below the diagonal (1 on it, as semTools prints it), and the
 * Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations
 * below it. */
static brisk_status matrix_rows(rel_tables *r, const char *behaviour, const construct *c,
                                size_t nc, const sem_work *w, const double *sqrt_ave,
                                bool arithmetic)
{
    const brisk_model *m = w->model;
    size_t p = m->p, n = w->n;
    for (size_t f = 0; f < nc; f++) {
        if (!c[f].k)
            continue;
        size_t hr = start_row(r->htmt, r, behaviour, c[f].name),
               fr = start_row(r->fl, r, behaviour, c[f].name);
        if (hr == (size_t)-1 || fr == (size_t)-1)
            return BRISK_ERR_NOMEM;
        double self = mean_abs_r(w->mom, m, &c[f], &c[f], arithmetic);
        for (size_t g = 0; g <= f; g++) {
            /* latent g of this block's model: the same template as the layout's */
            size_t jc = g < r->nlatent ? r->column[g] : (size_t)-1;
            if (jc == (size_t)-1 || !c[g].k)
                continue;
            double other = mean_abs_r(w->mom, m, &c[g], &c[g], arithmetic);
            double htmt = g == f ? 1 : mean_abs_r(w->mom, m, &c[f], &c[g], arithmetic) /
                                           sqrt(self * other);
            brisk_table_set_num(r->htmt, hr, jc, htmt);
            double cov = w->Sfull[(p + f) * n + (p + g)];
            double cor = cov / sqrt(w->Sfull[(p + f) * n + (p + f)] * w->Sfull[(p + g) * n + (p + g)]);
            brisk_table_set_num(r->fl, fr, jc, g == f ? sqrt_ave[f] : cor);
            if (g == f)
                continue;
            char pair[300];
            snprintf(pair, sizeof pair, "%s-%s", c[f].name, c[g].name);
            if (htmt > 0.85)
                flag(&r->high_htmt, behaviour, pair, htmt);
            if (fabs(cor) >= sqrt_ave[f] || fabs(cor) >= sqrt_ave[g])
                flag(&r->fl_fails, behaviour, pair, cor);
        }
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ one block */

/* A block: the model of one behaviour (or of the data file) and the rows
 * it is measured on.  once[f] tells whether construct f was asked once for
 * every behaviour (then its alpha is computed once, on once_rows). */
typedef struct block {
    const char *text, *source, *behaviour;
    long first_line;
    const size_t *rows, *once_rows;
    size_t nrows, nonce_rows;
    const bool *once;             /* per latent variable, or NULL */
    bool alpha_once;              /* this block adds the once-asked constructs' alpha */
    const brisk_survey *survey;   /* whose 'ordered' list decides, or NULL */
    size_t b;                     /* the behaviour's index in it */
} block;

static brisk_status cfa_measures(rel_tables *r, const block *bl, const brisk_fitted *fd,
                                 const construct *c, bool arithmetic, brisk_error *err)
{
    const brisk_model *m = fd->model;
    sem_work *w = brisk_sem_work_new(m, &fd->moments[0], 0);
    double *sqrt_ave = malloc((m->m + 1) * sizeof *sqrt_ave), f;
    brisk_status st = w && sqrt_ave ? BRISK_OK : BRISK_ERR_NOMEM;
    if (st == BRISK_OK && !brisk_sem_objective(w, fd->fit->theta, &f))
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the measurement model's implied "
                             "covariance matrix is not positive definite at its estimates");
    if (st == BRISK_OK)
        st = composite_rows(r, bl->behaviour, c, m->m, w, sqrt_ave);
    if (st == BRISK_OK)
        st = matrix_rows(r, bl->behaviour, c, m->m, w, sqrt_ave, arithmetic);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    brisk_sem_work_free(w);
    free(sqrt_ave);
    return st;
}

static brisk_status block_rows(rel_tables *r, const block *bl, const brisk_dataset *ds,
                               const brisk_reliability_options *opt, brisk_table_list *out,
                               brisk_error *err)
{
    brisk_model_options mopt = opt ? opt->model : (brisk_model_options){0};
    mopt.measurement_only = true;
    brisk_fitted fd;
    brisk_status st = brisk_fit_text(bl->text, bl->source, bl->first_line, ds, bl->rows,
                                     bl->nrows, NULL, &mopt, &fd, err);
    if (st != BRISK_OK)
        return st;
    const brisk_model *m = fd.model;
    construct *c = constructs_of(m);
    if (!c)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t f = 0; st == BRISK_OK && f < m->m; f++) {
        bool once = bl->once && bl->once[f];
        if (c[f].k < 2 || (once && !bl->alpha_once))
            continue;
        alpha_place at = {.behaviour = once ? "all behaviours" : bl->behaviour,
                          .rows = once ? bl->once_rows : bl->rows,
                          .nrows = once ? bl->nonce_rows : bl->nrows, .survey = bl->survey,
                          .b = bl->b, .weight = mopt.weight};
        st = alpha_rows(r, &at, &c[f], ds, err);
    }
    r->weight = mopt.weight;
    r->cluster = mopt.cluster;
    if (st == BRISK_OK)
        st = cfa_measures(r, bl, &fd, c, opt && opt->htmt_arithmetic, err);
    for (size_t i = 0; st == BRISK_OK && i < fd.fit->nwarnings; i++)
        st = brisk_table_list_warn(out, "%s%s%s", bl->behaviour ? bl->behaviour : "",
                                   bl->behaviour ? ": " : "", fd.fit->warnings[i]);
    constructs_free(c, m->m);
    brisk_fitted_free(&fd);
    return st;
}

/* ------------------------------------------------------------ notes */

static brisk_status note_flags(brisk_table *t, const brisk_buf *b, const char *what)
{
    return b->len ? brisk_table_add_note(t, "%s: %s.", what, b->data) : BRISK_OK;
}

static brisk_status add_notes(rel_tables *r, bool arithmetic)
{
    brisk_status st = brisk_table_add_note(
        r->alpha, "Cronbach's alpha (raw, and on the correlations) on the n respondents who "
                  "answered every item of the construct; CI: Feldt's 95%% interval; SE: "
                  "Duhachek's; Mean r: the average inter-item correlation (as psych::alpha).");
    if (!st && r->ordinal)
        st = brisk_table_add_note(
            r->alpha, "The survey declares items ordered. Ordinal alpha: alpha of the items' "
                      "polychoric correlations (Zumbo, Gadermann and Zeisser, 2007; as "
                      "psych::alpha(polychoric(x)$rho)), for constructs whose items are all "
                      "declared ordered; the other columns treat the answers as numbers.");
    if (!st && r->weight)
        st = brisk_table_add_note(
            r->alpha, "Weighted by '%s' (sampling weights): alpha, the mean r and the item "
                      "statistics from the weighted means and covariances (divisor the weights' "
                      "sum times (n - 1) / n, as the SDs of describe); Feldt's interval and the "
                      "SE on Kish's effective n, (sum w)^2 / sum w^2; n counts respondents%s.",
            r->weight, r->ordinal ? "; the ordinal alpha is unweighted" : "");
    if (!st)
        st = note_flags(r->alpha, &r->no_ordinal, "No ordinal alpha");
    if (!st)
        st = note_flags(r->alpha, &r->low_alpha, "Alpha below .70");
    if (!st)
        st = note_flags(r->alpha, &r->negative, "Some items were negatively correlated with "
                        "the total scale and probably should be reversed (a negative loading "
                        "on the first principal component, psych::alpha's check)");
    if (!st)
        st = brisk_table_add_note(
            r->items, "Item-total r: correlation with the total of all the construct's items; "
                      "corrected: with the total of the other items.");
    if (!st)
        st = brisk_table_add_note(
            r->composite, "From the CFA of the measurement model (its =~ and ~~ statements; "
                          "the factors correlated unless ~~ fixes it) on the n respondents "
                          "complete on all its items. "
                          "Omega: (sum of loadings)^2 x factor variance over the observed "
                          "variance of the items' total (semTools compRelSEM); CR: the same over "
                          "the model-implied variance; AVE: sum of squared loadings x factor "
                          "variance over the sum of the items' observed variances (semTools "
                          "AVE; empty when an item loads on two constructs).");
    if (!st && r->weight)
        st = brisk_table_add_note(
            r->composite, "The CFA is weighted by '%s' (lavaan's sampling.weights); the HTMT "
                          "ratios are of the weighted item correlations (semTools htmt given "
                          "the weighted covariance matrix).", r->weight);
    if (!st && r->cluster)
        st = brisk_table_add_note(
            r->alpha, "Clusters '%s': they change no coefficient here; Feldt's interval and "
                      "Duhachek's SE treat the respondents as independent (they do not take "
                      "the clusters); the CFA's standard errors do (lavaan's cluster=).",
            r->cluster);
    if (!st && r->ordinal)
        st = brisk_table_add_note(
            r->composite, "The survey declares items ordered, but omega, CR and AVE here are "
                          "computed on the raw scores (the answers' codes as numbers), from the "
                          "ML CFA, not from polychoric correlations.");
    if (!st)
        st = note_flags(r->composite, &r->low_omega, "Omega below .70");
    if (!st)
        st = note_flags(r->composite, &r->low_ave, "AVE below .50");
    if (!st)
        st = brisk_table_add_note(
            r->htmt, arithmetic
                         ? "HTMT (Henseler et al., 2015): the mean absolute correlation between "
                           "the items of two constructs over the geometric mean of the mean "
                           "absolute correlations within each (semTools htmt, htmt2 = FALSE)."
                         : "HTMT2: as HTMT with geometric instead of arithmetic means of the "
                           "absolute item correlations (semTools htmt's default).");
    if (!st)
        st = note_flags(r->htmt, &r->high_htmt, "Above .85");
    if (!st)
        st = brisk_table_add_note(
            r->fl, "Diagonal: the square root of AVE; below: the correlations of the factors "
                   "in the CFA. Discriminant validity (Fornell and Larcker) asks each "
                   "correlation to stay below both square roots.");
    if (!st)
        st = note_flags(r->fl, &r->fl_fails, "Not below both square roots");
    return st;
}

/* Hands the tables over to out (in their order) and frees the rest. */
static brisk_status finish(rel_tables *r, brisk_status st, bool arithmetic,
                           brisk_table_list *out, brisk_error *err)
{
    if (st == BRISK_OK && add_notes(r, arithmetic) != BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && r->negative.len)
        st = brisk_table_list_warn(out, "some items were negatively correlated with the total "
                                   "scale and probably should be reversed: %s; if they are "
                                   "worded against their construct, reverse-key them",
                                   r->negative.data);
    brisk_table **tables[] = {&r->alpha, &r->items, &r->composite, &r->htmt, &r->fl};
    for (size_t k = 0; st == BRISK_OK && k < sizeof tables / sizeof tables[0]; k++) {
        st = brisk_table_list_add(out, *tables[k]);   /* frees the table on failure */
        *tables[k] = NULL;
        if (st != BRISK_OK)
            brisk_error_set(err, st, "out of memory");
    }
    tables_free(r);
    return st;
}

/* ------------------------------------------------------------ entry points */

size_t brisk_model_nscales(const brisk_model *m)
{
    construct *c = constructs_of(m);
    size_t n = 0;
    for (size_t f = 0; c && f < m->m; f++)
        n += c[f].k >= 2;
    constructs_free(c, m->m);
    return n;
}

/* The latent variables of a model text, to lay the matrix tables out. */
static brisk_status layout_model(const char *text, const char *source, long first_line,
                                 const brisk_dataset *ds, brisk_syntax **syn, brisk_model **m,
                                 brisk_error *err)
{
    const char **names = malloc((ds->ncols ? ds->ncols : 1) * sizeof *names);
    for (size_t j = 0; names && j < ds->ncols; j++)
        names[j] = ds->cols[j].name;
    brisk_model_options mopt = {.measurement_only = true, .name = source};
    brisk_status st = names ? brisk_syntax_parse(text, source, first_line, syn, err)
                            : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    bool measures = false;
    for (size_t i = 0; st == BRISK_OK && i < (*syn)->n; i++)
        measures |= (*syn)->stmts[i].op == BRISK_OP_MEASURE;
    if (st == BRISK_OK && measures)
        st = brisk_model_new(*syn, names, ds->ncols, &mopt, m, err);
    free(names);
    if (st == BRISK_OK && (!measures || !brisk_model_nscales(*m))) {
        brisk_error_at(err, source, first_line, 0);
        st = brisk_error_set(err, BRISK_ERR_FORMAT, "the model has no construct measured by "
                             "two items or more (construct =~ item1 + item2 + ...): there is "
                             "no reliability to compute");
    }
    return st;
}

brisk_status brisk_reliability(const char *text, const char *source, long first_line,
                               const brisk_dataset *ds, const size_t *rows, size_t nrows,
                               const brisk_reliability_options *opt, brisk_table_list *out,
                               brisk_error *err)
{
    bool arithmetic = opt && opt->htmt_arithmetic;
    brisk_syntax *syn = NULL;
    brisk_model *layout = NULL;
    rel_tables r = {0};
    brisk_status st = layout_model(text, source, first_line, ds, &syn, &layout, err);
    if (st == BRISK_OK && !tables_new(&r, 0, layout, arithmetic, false))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    block bl = {.text = text, .source = source, .first_line = first_line, .rows = rows,
                .nrows = nrows};
    if (st == BRISK_OK)
        st = block_rows(&r, &bl, ds, opt, out, err);
    st = finish(&r, st, arithmetic, out, err);
    brisk_model_free(layout);
    brisk_syntax_free(syn);
    return st;
}

/* Does any indicator of latent variable lv (as behaviour 0 names it) carry
 * {b} in the survey's model? */
static bool measured_per_behaviour(const brisk_survey *s, const char *lv, bool *found,
                                   brisk_status *st, brisk_error *err)
{
    const brisk_syntax *syn = s->model_syntax;
    bool per = false;
    for (size_t i = 0; i < syn->n && *st == BRISK_OK; i++) {
        const brisk_statement *m = &syn->stmts[i];
        if (m->op != BRISK_OP_MEASURE)
            continue;
        char *name = brisk_survey_column_name(s, m->lhs, 0);
        if (!name) {
            *st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        bool same = strcmp(name, lv) == 0;
        free(name);
        *found |= same;
        for (size_t k = 0; same && k < m->nrhs; k++)
            per |= brisk_template_is_per_behaviour(m->rhs[k].name);
    }
    return per;
}

/* Whether each latent variable of the layout is asked once (trust,
 * privacy): none of its indicators in the survey's model carries {b}, so
 * its items are the same answers for every behaviour.  Decided on the
 * templates, not on the expanded names: in the long layout "pb1_{b}" is the
 * column pb1 for every behaviour, yet asked per behaviour. */
static bool *asked_once(const brisk_survey *s, const brisk_model *layout, brisk_status *st,
                        brisk_error *err)
{
    bool *once = calloc(layout->m + 1, sizeof *once);
    *st = once ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t f = 0; *st == BRISK_OK && f < layout->m; f++) {
        bool found = false;
        bool per = measured_per_behaviour(s, layout->lv[f], &found, st, err);
        once[f] = s->nbehaviours > 1 && found && !per;
    }
    return once;
}

brisk_status brisk_reliability_survey(const brisk_survey *s, const brisk_survey_data *d,
                                      const char *const *only, size_t nonly,
                                      const brisk_reliability_options *opt,
                                      brisk_table_list *out, brisk_error *err)
{
    if (brisk_survey_warn_design(s, out) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!s->model) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "the survey has no [model] section; add "
                               "the measurement model in lavaan syntax (construct =~ items)");
    }
    bool arithmetic = opt && opt->htmt_arithmetic;
    char *text0 = brisk_survey_model_text(s, 0);
    brisk_syntax *syn = NULL;
    brisk_model *layout = NULL;
    rel_tables r = {0};
    bool *once = NULL;
    brisk_status st = text0 ? layout_model(text0, s->path, s->model_line, d->ds, &syn, &layout, err)
                            : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    bool ordinal = s->ordered || s->nordered;
    if (st == BRISK_OK && !tables_new(&r, s->nbehaviours > 0, layout, arithmetic, ordinal))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && s->nbehaviours)
        once = asked_once(s, layout, &st, err);
    brisk_reliability_options ropt = opt ? *opt : (brisk_reliability_options){0};
    ropt.model.weight = brisk_survey_weight_of(s, opt ? &opt->model : NULL);
    ropt.model.cluster = brisk_survey_cluster_of(s, opt ? &opt->model : NULL);
    bool alpha_once = true;
    for (size_t b = 0; st == BRISK_OK && b < brisk_survey_nblocks(s); b++) {
        const char *key = s->nbehaviours ? s->behaviours[b].key : NULL;
        if (!brisk_behaviour_selected(key, only, nonly))
            continue;
        char *text = brisk_survey_model_text(s, b);
        block bl = {.text = text, .source = s->path, .first_line = s->model_line,
                    .behaviour = key ? s->behaviours[b].value : NULL, .rows = d->rows[b],
                    .nrows = d->nrows[b], .once_rows = d->respondent_rows,
                    .nonce_rows = d->nrespondents, .once = once, .alpha_once = alpha_once,
                    .survey = s, .b = b};
        st = text ? block_rows(&r, &bl, d->ds, &ropt, out, err)
                  : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        if (st != BRISK_OK && st != BRISK_ERR_NOMEM)
            brisk_name_behaviour(err, key);
        alpha_once = false;
        free(text);
    }
    st = finish(&r, st, arithmetic, out, err);
    free(once);
    free(text0);
    brisk_model_free(layout);
    brisk_syntax_free(syn);
    return st;
}
