/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report: a list of sections, each one function that adds its tables.
 * Adding a sheet is writing its function and adding it to `sections`. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "brisk/analysis.h"
#include "brisk/report.h"
#include "brisk/stats.h"
#include "brisk/version.h"

/* What every section may read. */
typedef struct report_ctx {
    const brisk_survey *s;
    const brisk_survey_data *d;
    const brisk_survey_fits *fits;
    const brisk_report_options *opt;
    brisk_error *err;
} report_ctx;

typedef brisk_status (*section_fn)(const report_ctx *c, brisk_table_list *out);

/* ------------------------------------------------------------ helpers */

static const char *group_key(const report_ctx *c, size_t g)
{
    return c->fits->groups[g] ? c->fits->groups[g] : "all";
}

/* The behaviour's label for a fitted group, for headers. */
static const char *group_label(const report_ctx *c, size_t g)
{
    const char *key = c->fits->groups[g];
    for (size_t b = 0; key && b < c->s->nbehaviours; b++)
        if (strcmp(c->s->behaviours[b].key, key) == 0)
            return c->s->behaviours[b].value;
    return "All respondents";
}

static const char *stars(double p)
{
    return !(p < 0.05) ? "" : p < 0.001 ? "***" : p < 0.01 ? "**" : "*";
}

static brisk_status add_col(brisk_table *t, const char *key, const char *header,
                            brisk_cell_kind kind, int decimals, const char *group)
{
    size_t j = brisk_table_add_column(t, key, header, kind, decimals);
    if (j == (size_t)-1)
        return BRISK_ERR_NOMEM;
    return group ? brisk_table_set_group(t, j, group) : BRISK_OK;
}

/* Hand a finished table to the list, on a sheet. */
static brisk_status emit(brisk_table_list *out, brisk_table *t, const char *sheet)
{
    if (!t)
        return BRISK_ERR_NOMEM;
    if (brisk_table_set_sheet(t, sheet) != BRISK_OK) {
        brisk_table_free(t);
        return BRISK_ERR_NOMEM;
    }
    return brisk_table_list_add(out, t);
}

static brisk_table *find_table(const brisk_table_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->tables[i]->id, id) == 0)
            return list->tables[i];
    return NULL;
}

static const char *stars_note = "* p < .05, ** p < .01, *** p < .001.";

/* ------------------------------------------------------------ Overview */

static brisk_status key_value(brisk_table *t, const char *key, const char *value)
{
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, key) ||
        brisk_table_set_text(t, row, 1, value))
        return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

/* What the survey's weight weights in this report. */
static const char *weight_text(const report_ctx *c, char *buf, size_t size)
{
    if (!c->s->weight)
        return "none";
    bool models = c->fits->n && brisk_model_weight(c->fits->fitted[0].model);
    snprintf(buf, size, "%s, a sampling weight: of the Items and Demographics sheets and %s",
             c->s->weight, models ? "of every model and reliability table (lavaan's "
                                    "sampling.weights; alpha from the weighted covariances)"
                                  : "not of the models or the reliability tables (--unweighted)");
    return buf;
}

/* The survey's sampling design and what uses it. */
static const char *design_text(const report_ctx *c, char *buf, size_t size)
{
    const brisk_survey *s = c->s;
    const brisk_survey_data *d = c->d;
    char strata[160] = "", cluster[160] = "", fpc[160] = "", margins[200] = "";
    if (s->strata)
        snprintf(strata, sizeof strata, "strata '%.100s'; ", s->strata);
    if (s->cluster)
        snprintf(cluster, sizeof cluster, "clusters '%.100s'; ", s->cluster);
    if (s->fpc)
        snprintf(fpc, sizeof fpc, "finite population correction '%.100s'; ", s->fpc);
    if (s->nmargins)
        snprintf(margins, sizeof margins, "weights %s to %zu [margins] (%zu passes; Kish's "
                 "design effect %.3f); ", s->nmargins == 1 ? "post-stratified" : "raked",
                 s->nmargins, d->raked_passes, d->raked_deff);
    snprintf(buf, size, "%s%s%s%sone stage. The Items sheet's standard errors and intervals "
             "are design-based (R's survey package); the models take %s%s", strata, cluster,
             fpc, margins,
             s->cluster ? "the clusters (lavaan's cluster=) and the weight"
                        : "the weight (lavaan's sampling.weights)",
             s->strata || s->fpc ? ", not the strata or fpc (lavaan has neither)" : "");
    return buf;
}

/* The estimator in words for the Overview, from the fit itself (a
 * survey's ordered items are fitted by WLSMV without --estimator). */
static const char *estimator_text(const brisk_fitted *f)
{
    const char *name = brisk_fitted_estimator(f);
    if (strcmp(name, "WLSMV") == 0)
        return "WLSMV (ordered items: polychoric correlations, DWLS; robust standard errors, "
               "scaled-shifted chi-square), respondents with every answer";
    if (strcmp(name, "MLR") == 0 && brisk_model_cluster(f->model))
        return "MLR with clusters (ML estimates; cluster-robust standard errors and the "
               "Yuan-Bentler scaled chi-square from the scores summed within clusters, as "
               "lavaan's cluster=), listwise deletion";
    if (strcmp(name, "MLR") == 0)
        return "MLR (ML estimates; Huber-White standard errors, Yuan-Bentler scaled "
               "chi-square), listwise deletion";
    if (strcmp(name, "MLM") == 0)
        return "MLM (ML estimates; robust standard errors, Satorra-Bentler scaled chi-square), "
               "listwise deletion";
    if (strcmp(name, "MLR, full information") == 0)
        return "MLR with full-information ML (every answer given; Huber-White standard "
               "errors, Yuan-Bentler scaled chi-square)";
    if (strcmp(name, "ML, full information") == 0)
        return "full-information ML (every answer given; observed information)";
    return "ML (maximum likelihood), listwise deletion";
}

/* The standard errors of the fits, for the notes under their tables. */
static const char *se_text(const brisk_fitted *f)
{
    const char *name = brisk_fitted_estimator(f);
    return strcmp(name, "WLSMV") == 0             ? "robust, WLSMV"
           : strncmp(name, "MLR", 3) == 0         ? "Huber-White, MLR"
           : strcmp(name, "MLM") == 0             ? "robust.sem, MLM"
           : strcmp(name, "ML, full information") == 0 ? "observed information, FIML"
                                                        : "expected information";
}

/* The respondents a fit used, and why the others were left out: listwise
 * deletion leaves out the incomplete answers; full-information ML keeps
 * them and leaves out only respondents with no answer or, conditioning on
 * fixed covariates, a missing covariate. */
static void used_text(const brisk_fitted *fd, char *buf, size_t size)
{
    const brisk_moments *m = &fd->moments[0];
    if (!m->npatterns) {
        snprintf(buf, size, "%zu (%zu left out: incomplete answers)", m->n, fd->n_dropped);
        return;
    }
    size_t no_x = 0;
    for (size_t g = 0; g < fd->ngroups; g++)
        no_x += fd->moments[g].n_no_covariate;
    char none[64] = "", covariate[64] = "";
    if (fd->n_dropped > no_x)
        snprintf(none, sizeof none, "; %zu left out: no answer", fd->n_dropped - no_x);
    if (no_x)
        snprintf(covariate, sizeof covariate, "; %zu left out: a missing covariate", no_x);
    snprintf(buf, size, "%zu (incomplete answers kept: full-information ML%s%s)", m->n, none,
             covariate);
}

static brisk_status overview(const report_ctx *c, brisk_table_list *out)
{
    brisk_table *t = brisk_table_new("report.overview", "Overview");
    if (!t || add_col(t, "item", "Item", BRISK_CELL_TEXT, 0, NULL) ||
        add_col(t, "value", "Value", BRISK_CELL_TEXT, 0, NULL)) {
        brisk_table_free(t);
        return BRISK_ERR_NOMEM;
    }
    char buf[256], date[32];
    if (c->opt && c->opt->date) {
        snprintf(date, sizeof date, "%s", c->opt->date);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    }
    brisk_status st = key_value(t, "Survey", c->s->title ? c->s->title : c->s->path);
    if (!st) st = key_value(t, "Survey file", c->s->path);
    if (!st) st = key_value(t, "Data file", c->s->data_path);
    snprintf(buf, sizeof buf, "%zu", c->d->nrespondents);
    if (!st) st = key_value(t, "Respondents", buf);
    for (size_t g = 0; !st && g < c->fits->n; g++) {
        const brisk_fitted *fd = &c->fits->fitted[g];
        char key[300];
        snprintf(key, sizeof key, "Used in the model: %s", group_label(c, g));
        used_text(fd, buf, sizeof buf);
        st = key_value(t, key, buf);
    }
    if (!st && c->fits->n)
        st = key_value(t, "Estimator", estimator_text(&c->fits->fitted[0]));
    bool bootstrapped = false;   /* did the Comparison or Indirect effects sheet come? */
    for (size_t i = 0; i < out->count; i++)
        bootstrapped |= strncmp(out->tables[i]->id, "compare.", 8) == 0;
    if (!st && bootstrapped) {
        snprintf(buf, sizeof buf, "%zu draws of %s (seed %llu)", c->opt->boot.draws,
                 c->s->cluster || c->s->strata ? "the design's clusters within its strata"
                                               : "respondents",
                 (unsigned long long)c->opt->boot.seed);
        st = key_value(t, "Bootstrap (Comparison, Indirect effects)", buf);
    }
    if (!st) st = key_value(t, "Weight", weight_text(c, buf, sizeof buf));
    if (!st && (c->s->strata || c->s->cluster || c->s->fpc || c->s->nmargins)) {
        char design[1024];   /* its parts are bounded: four names of at most 100 bytes */
        st = key_value(t, "Sampling design", design_text(c, design, sizeof design));
    }
    if (!st) st = key_value(t, "brisk", BRISK_VERSION);
    if (!st) st = key_value(t, "Date", date);
    snprintf(buf, sizeof buf, "%zu (listed on the Warnings sheet)", out->nwarnings);
    if (!st) st = key_value(t, "Warnings", out->nwarnings ? buf : "none");
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Overview");
}

/* ------------------------------------------------------------ Items */

/* The items as the survey words them ([items]), first on the Items sheet;
 * none when no item has a wording. */
static brisk_status wordings(const report_ctx *c, brisk_table_list *out)
{
    const brisk_survey *s = c->s;
    bool any = false, per_behaviour = false;
    for (size_t i = 0; i < s->nitems; i++) {
        any |= s->items[i].value && s->items[i].value[0];
        per_behaviour |= brisk_template_is_per_behaviour(s->items[i].key);
    }
    if (!any)
        return BRISK_OK;
    brisk_table *t = brisk_table_new("report.wordings", "Item wordings");
    brisk_status st = t ? add_col(t, "item", "Item", BRISK_CELL_TEXT, 0, NULL) : BRISK_ERR_NOMEM;
    if (!st) st = add_col(t, "construct", "Construct", BRISK_CELL_TEXT, 0, NULL);
    if (!st) st = add_col(t, "wording", "Wording", BRISK_CELL_TEXT, 0, NULL);
    for (size_t i = 0; !st && i < s->nitems; i++) {
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, s->items[i].key) ||
            brisk_table_set_text(t, row, 1, brisk_survey_construct_of(s, s->items[i].key)) ||
            brisk_table_set_text(t, row, 2, s->items[i].value))
            st = BRISK_ERR_NOMEM;
    }
    if (!st && per_behaviour && s->nbehaviours)
        st = brisk_table_add_note(t, "{b} in an item's name and {behaviour} in its wording stand "
                                  "for each behaviour (the [behaviours] section).");
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Items");
}

static brisk_status items(const report_ctx *c, brisk_table_list *out)
{
    brisk_status st = wordings(c, out);
    if (st != BRISK_OK)
        return st;
    size_t first = out->count;
    st = brisk_describe(c->d, out, NULL);
    for (size_t i = first; st == BRISK_OK && i < out->count; i++) {
        brisk_table *t = out->tables[i];
        const char *sheet = strstr(t->id, "demographics") ? "Demographics" : "Items";
        st = brisk_table_set_sheet(t, sheet);
    }
    return st;
}

/* ------------------------------------------------------------ Agreement */

/* Latent variables measured by per-behaviour items, in model order. */
static size_t per_behaviour_constructs(const brisk_survey *s, const char **names)
{
    size_t n = 0;
    const brisk_syntax *syn = s->model_syntax;
    for (size_t i = 0; syn && i < syn->n; i++) {
        const brisk_statement *st = &syn->stmts[i];
        if (st->op == BRISK_OP_MEASURE && st->nrhs &&
            brisk_template_is_per_behaviour(st->rhs[0].name))
            names[n++] = st->lhs;
    }
    return n;
}

/* Mean % agreeing over a construct's items for one behaviour. */
static double mean_agreement(const brisk_table *items_t, const char *behaviour,
                             const char *construct)
{
    size_t jb = brisk_table_find_column(items_t, "behaviour");
    size_t jc = brisk_table_find_column(items_t, "construct");
    size_t ja = brisk_table_find_column(items_t, "agree_pct");
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; ja != (size_t)-1 && i < items_t->nrows; i++) {
        const char *b = brisk_table_cell(items_t, i, jb)->text;
        const char *k = brisk_table_cell(items_t, i, jc)->text;
        double v = brisk_table_cell(items_t, i, ja)->num;
        if (b && k && strcmp(b, behaviour) == 0 && strcmp(k, construct) == 0 && isfinite(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

static brisk_status agreement(const report_ctx *c, brisk_table_list *out)
{
    const brisk_table *items_t = find_table(out, "describe.items");
    const char *constructs[64];
    size_t nc = c->s->model_syntax ? per_behaviour_constructs(c->s, constructs) : 0;
    if (!items_t || !c->s->has_agree || nc == 0 || c->s->nbehaviours == 0)
        return BRISK_OK;
    brisk_table *t = brisk_table_new("report.agreement",
                                     "Agreement by construct and behaviour (% agreeing)");
    brisk_status st = t ? add_col(t, "construct", "Construct", BRISK_CELL_TEXT, 0, NULL)
                        : BRISK_ERR_NOMEM;
    size_t value_cols[64];
    for (size_t b = 0; !st && b < c->s->nbehaviours; b++) {
        value_cols[b] = b + 1;
        st = add_col(t, c->s->behaviours[b].key, c->s->behaviours[b].value,
                     BRISK_CELL_PERCENT, 1, NULL);
    }
    for (size_t k = 0; !st && k < nc; k++) {
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, constructs[k])) {
            st = BRISK_ERR_NOMEM;
            break;
        }
        /* The Items table names behaviours by their labels (the key
         * where a behaviour has none). */
        for (size_t b = 0; b < c->s->nbehaviours; b++) {
            const brisk_survey_entry *p = &c->s->behaviours[b];
            brisk_table_set_num(t, row, b + 1,
                                mean_agreement(items_t, p->value && p->value[0] ? p->value : p->key,
                                               constructs[k]));
        }
    }
    if (!st)
        st = brisk_table_add_note(t, "Mean over the construct's items of the %% answering "
                                  "%g to %g (weighted as on the Items sheet); constructs asked "
                                  "once are on the Items sheet.", c->s->agree_min,
                                  c->s->agree_max);
    if (!st)
        st = brisk_table_set_chart(t, BRISK_CHART_COLUMN, "% agreeing by construct and behaviour",
                                   "% agreeing", 0, value_cols, c->s->nbehaviours);
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Agreement");
}

/* ------------------------------------------------------------ side by side */

/* Rows of the first fit's parameter table with operator op, for tables
 * that put the behaviours side by side: every behaviour's model has the
 * same table, row for row. */
static size_t rows_with_op(const brisk_model *m, brisk_op op, size_t *rows)
{
    size_t n = 0;
    for (size_t r = 0; r < brisk_model_nparams(m); r++)
        if (brisk_model_param(m, r)->op == op)
            rows[n++] = r;
    return n;
}

/* The item template of the k-th =~ term of the survey's model. */
static const char *measure_template(const brisk_survey *s, size_t k)
{
    const brisk_syntax *syn = s->model_syntax;
    for (size_t i = 0; syn && i < syn->n; i++) {
        if (syn->stmts[i].op != BRISK_OP_MEASURE)
            continue;
        if (k < syn->stmts[i].nrhs)
            return syn->stmts[i].rhs[k].name;
        k -= syn->stmts[i].nrhs;
    }
    return NULL;
}

static brisk_status per_group_columns(const report_ctx *c, brisk_table *t, bool estimates)
{
    for (size_t g = 0; g < c->fits->n; g++) {
        char key[96];
        const char *label = group_label(c, g), *k = group_key(c, g);
        brisk_status st = BRISK_OK;
        if (estimates) {
            snprintf(key, sizeof key, "%s_est", k);
            st = add_col(t, key, "Est.", BRISK_CELL_NUMBER, 3, label);
            snprintf(key, sizeof key, "%s_se", k);
            if (!st)
                st = add_col(t, key, "SE", BRISK_CELL_NUMBER, 3, label);
        }
        snprintf(key, sizeof key, "%s_std", k);
        if (!st)
            st = add_col(t, key, "Std.", BRISK_CELL_NUMBER, 3, label);
        snprintf(key, sizeof key, "%s_sig", k);
        if (!st)
            st = add_col(t, key, "Sig.", BRISK_CELL_TEXT, 0, label);
        if (st)
            return st;
    }
    return BRISK_OK;
}

/* One row: estimates of parameter-table row r in every group, from
 * column first onwards. */
static brisk_status fill_groups(const report_ctx *c, brisk_table *t, size_t row, size_t first,
                                size_t r, bool estimates)
{
    size_t per = estimates ? 4 : 2;
    for (size_t g = 0; g < c->fits->n; g++) {
        const brisk_estimate *e = &c->fits->fitted[g].fit->rows[r];
        size_t j = first + g * per;
        if (estimates) {
            brisk_table_set_num(t, row, j, e->est);
            brisk_table_set_num(t, row, j + 1, e->se);
            j += 2;
        }
        brisk_table_set_num(t, row, j, e->std_all);
        if (brisk_table_set_text(t, row, j + 1, stars(e->pvalue)))
            return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

static brisk_status measurement(const report_ctx *c, brisk_table_list *out)
{
    const brisk_model *m = c->fits->fitted[0].model;
    size_t *rows = malloc((brisk_model_nparams(m) + 1) * sizeof *rows);
    brisk_table *t = brisk_table_new("report.loadings", "Standardized loadings by behaviour");
    brisk_status st = rows && t ? BRISK_OK : BRISK_ERR_NOMEM;
    if (!st && (st = add_col(t, "construct", "Construct", BRISK_CELL_TEXT, 0, NULL)) == BRISK_OK &&
        (st = add_col(t, "item", "Item", BRISK_CELL_TEXT, 0, NULL)) == BRISK_OK)
        st = per_group_columns(c, t, false);
    size_t n = st ? 0 : rows_with_op(m, BRISK_OP_MEASURE, rows);
    for (size_t k = 0; !st && k < n; k++) {
        const brisk_param *p = brisk_model_param(m, rows[k]);
        const char *tmpl = measure_template(c->s, k);
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, p->lhs) ||
            brisk_table_set_text(t, row, 1, tmpl ? tmpl : p->rhs))
            st = BRISK_ERR_NOMEM;
        else
            st = fill_groups(c, t, row, 2, rows[k], false);
    }
    if (!st)
        st = brisk_table_add_note(t, "Std.: completely standardized loading (std.all). %s "
                                  "The first loading of each factor is fixed to 1, so it has no "
                                  "test.", stars_note);
    free(rows);
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Measurement");
}

static brisk_status path_label(const brisk_param *p, char *buf, size_t size)
{
    if (p->op == BRISK_OP_DEFINE)
        snprintf(buf, size, "%s := %s", p->lhs, p->expr);
    else
        snprintf(buf, size, "%s %s %s", p->lhs, brisk_op_text(p->op), p->rhs);
    return BRISK_OK;
}

/* The parameter rows of the regression paths, then the defined effects
 * (:=), in model order; their count. */
static size_t path_rows(const brisk_model *m, size_t *rows)
{
    size_t n = rows_with_op(m, BRISK_OP_REGRESS, rows);
    return n + rows_with_op(m, BRISK_OP_DEFINE, rows + n);
}

/* A new row of t labelled with parameter row r's path; (size_t)-1 when out
 * of memory. */
static size_t add_path_row(brisk_table *t, const brisk_model *m, size_t r)
{
    char label[400];
    path_label(brisk_model_param(m, r), label, sizeof label);
    size_t row = brisk_table_add_row(t);
    return row == (size_t)-1 || brisk_table_set_text(t, row, 0, label) ? (size_t)-1 : row;
}

static brisk_status structural_paths(const report_ctx *c, brisk_table_list *out)
{
    const brisk_model *m = c->fits->fitted[0].model;
    size_t np = brisk_model_nparams(m);
    size_t *rows = malloc((np + 1) * sizeof *rows);
    brisk_table *t = brisk_table_new("report.paths", "Structural paths by behaviour");
    brisk_status st = rows && t ? add_col(t, "path", "Path", BRISK_CELL_TEXT, 0, NULL)
                                : BRISK_ERR_NOMEM;
    if (!st)
        st = per_group_columns(c, t, true);
    size_t n = st ? 0 : path_rows(m, rows);
    for (size_t k = 0; !st && k < n; k++) {
        size_t row = add_path_row(t, m, rows[k]);
        st = row == (size_t)-1 ? BRISK_ERR_NOMEM : fill_groups(c, t, row, 1, rows[k], true);
    }
    size_t std_cols[64];
    for (size_t g = 0; g < c->fits->n && g < 64; g++)
        std_cols[g] = 1 + g * 4 + 2;
    if (!st && n)
        st = brisk_table_set_chart(t, BRISK_CHART_COLUMN, "Standardized paths by behaviour",
                                   "std.all", 0, std_cols, c->fits->n < 64 ? c->fits->n : 64);
    if (!st)
        st = brisk_table_add_note(t, "Est.: unstandardized estimate; SE: standard error "
                                  "(%s); Std.: std.all. %s", se_text(&c->fits->fitted[0]),
                                  stars_note);
    free(rows);
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Structural");
}

/* Every path and defined effect with its 95% interval by behaviour, and
 * the forest plot of them (drawn where the format can: the HTML page). */
static brisk_status path_intervals(const report_ctx *c, brisk_table_list *out)
{
    const brisk_model *m = c->fits->fitted[0].model;
    size_t np = brisk_model_nparams(m), G = c->fits->n < 64 ? c->fits->n : 64;
    size_t *rows = malloc((np + 1) * sizeof *rows), est[64], lo[64], hi[64];
    brisk_table *t = brisk_table_new("report.intervals",
                                     "Paths by behaviour with 95% confidence intervals");
    brisk_status st = rows && t ? add_col(t, "path", "Path", BRISK_CELL_TEXT, 0, NULL)
                                : BRISK_ERR_NOMEM;
    static const char *const parts[3][2] = {{"est", "Est."}, {"ci_lower", "95% CI low"},
                                            {"ci_upper", "95% CI high"}};
    for (size_t g = 0; !st && g < G; g++)
        for (size_t k = 0; !st && k < 3; k++) {
            char key[96];
            snprintf(key, sizeof key, "%s_%s", group_key(c, g), parts[k][0]);
            st = add_col(t, key, parts[k][1], BRISK_CELL_NUMBER, 3, group_label(c, g));
        }
    size_t n = st ? 0 : path_rows(m, rows);
    for (size_t k = 0; !st && k < n; k++) {
        size_t row = add_path_row(t, m, rows[k]);
        if (row == (size_t)-1) {
            st = BRISK_ERR_NOMEM;
            break;
        }
        for (size_t g = 0; g < G; g++) {
            const brisk_estimate *e = &c->fits->fitted[g].fit->rows[rows[k]];
            brisk_table_set_num(t, row, 1 + 3 * g, e->est);
            brisk_table_set_num(t, row, 2 + 3 * g, e->ci_lower);
            brisk_table_set_num(t, row, 3 + 3 * g, e->ci_upper);
        }
    }
    for (size_t g = 0; g < G; g++) {
        est[g] = 1 + 3 * g;
        lo[g] = est[g] + 1;
        hi[g] = est[g] + 2;
    }
    if (!st && n)
        st = brisk_table_set_chart(t, BRISK_CHART_FOREST, "Paths by behaviour, 95% intervals",
                                   "Estimate", 0, est, G);
    if (!st && n)
        st = brisk_table_set_chart_intervals(t, lo, hi);
    if (!st)
        st = brisk_table_add_note(t, "Est.: unstandardized estimate; 95%% CI: the estimate "
                                  "plus and minus 1.96 standard errors (%s), as lavaan's "
                                  "parameterEstimates().", se_text(&c->fits->fitted[0]));
    free(rows);
    if (st || n == 0) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Structural");
}

static bool is_latent(const brisk_model *m, const char *name)
{
    for (size_t i = 0; i < brisk_model_nlatent(m); i++)
        if (strcmp(brisk_model_latent(m, i), name) == 0)
            return true;
    return false;
}

static brisk_status r_squared(const report_ctx *c, brisk_table_list *out)
{
    const brisk_fit *f0 = c->fits->fitted[0].fit;
    const brisk_model *m = c->fits->fitted[0].model;
    brisk_table *t = brisk_table_new("report.r2", "R-squared of the latent outcomes");
    brisk_status st = t ? add_col(t, "variable", "Variable", BRISK_CELL_TEXT, 0, NULL)
                        : BRISK_ERR_NOMEM;
    for (size_t g = 0; !st && g < c->fits->n; g++)
        st = add_col(t, group_key(c, g), group_label(c, g), BRISK_CELL_NUMBER, 3, NULL);
    for (size_t i = 0; !st && i < f0->nr2; i++) {
        if (!is_latent(m, f0->r2_names[i]))
            continue;
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, f0->r2_names[i])) {
            st = BRISK_ERR_NOMEM;
            break;
        }
        for (size_t g = 0; g < c->fits->n; g++)
            brisk_table_set_num(t, row, g + 1, c->fits->fitted[g].fit->r2[i]);
    }
    if (st || t->nrows == 0) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Structural");
}

static brisk_status structural(const report_ctx *c, brisk_table_list *out)
{
    brisk_status st = structural_paths(c, out);
    if (!st)
        st = path_intervals(c, out);
    return st ? st : r_squared(c, out);
}

/* ------------------------------------------------------------ Fit */

static brisk_status fit_sheet(const report_ctx *c, brisk_table_list *out)
{
    static const struct { const char *key, *header; brisk_cell_kind kind; int dec; } cols[] = {
        {"n", "n", BRISK_CELL_INT, 0}, {"chisq", "Chi-square", BRISK_CELL_NUMBER, 3},
        {"df", "df", BRISK_CELL_INT, 0}, {"pvalue", "p", BRISK_CELL_PVALUE, 0},
        {"cfi", "CFI", BRISK_CELL_NUMBER, 3}, {"tli", "TLI", BRISK_CELL_NUMBER, 3},
        {"rmsea", "RMSEA", BRISK_CELL_NUMBER, 3}, {"rmsea_ci_lower", "90% CI low", BRISK_CELL_NUMBER, 3},
        {"rmsea_ci_upper", "90% CI high", BRISK_CELL_NUMBER, 3}, {"srmr", "SRMR", BRISK_CELL_NUMBER, 3},
        {"aic", "AIC", BRISK_CELL_NUMBER, 3}, {"bic", "BIC", BRISK_CELL_NUMBER, 3},
        /* a scaled test (MLR, WLSMV) */
        {"chisq_scaled", "Scaled chi-square", BRISK_CELL_NUMBER, 3},
        {"scaling_factor", "Scaling factor", BRISK_CELL_NUMBER, 3},
        {"cfi_robust", "Robust CFI", BRISK_CELL_NUMBER, 3},
        {"tli_robust", "Robust TLI", BRISK_CELL_NUMBER, 3},
        {"rmsea_robust", "Robust RMSEA", BRISK_CELL_NUMBER, 3},
    };
    bool scaled = false;
    for (size_t g = 0; g < c->fits->n; g++)
        scaled |= c->fits->fitted[g].fit->fit.scaled;
    size_t ncols = sizeof cols / sizeof cols[0] - (scaled ? 0 : 5);
    brisk_table *t = brisk_table_new("report.fit", "Model fit by behaviour");
    brisk_status st = t ? add_col(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0, NULL)
                        : BRISK_ERR_NOMEM;
    for (size_t k = 0; !st && k < ncols; k++)
        st = add_col(t, cols[k].key, cols[k].header, cols[k].kind, cols[k].dec, NULL);
    for (size_t g = 0; !st && g < c->fits->n; g++) {
        const brisk_fit_measures *f = &c->fits->fitted[g].fit->fit;
        double v[] = {(double)f->nobs, f->chisq, f->df, f->pvalue, f->cfi, f->tli, f->rmsea,
                      f->rmsea_ci_lower, f->rmsea_ci_upper, f->srmr, f->aic, f->bic,
                      f->chisq_scaled, f->scaling_factor, f->cfi_robust, f->tli_robust,
                      f->rmsea_robust};
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, group_label(c, g))) {
            st = BRISK_ERR_NOMEM;
            break;
        }
        for (size_t k = 0; k < ncols; k++)
            brisk_table_set_num(t, row, k + 1, v[k]);
    }
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Fit");
}

/* Moves the tables and warnings an analysis wrote into from to out, each
 * table on the sheet sheet_of names; frees from.  st is the analysis's
 * status: on failure nothing is moved. */
static brisk_status adopt(brisk_table_list *from, brisk_status st,
                          const char *(*sheet_of)(const brisk_table *), brisk_table_list *out)
{
    for (size_t i = 0; st == BRISK_OK && i < from->count; i++) {
        brisk_table *t = from->tables[i];
        from->tables[i] = NULL;
        st = brisk_table_set_sheet(t, sheet_of(t));
        if (st == BRISK_OK)
            st = brisk_table_list_add(out, t);   /* frees t on failure */
        else
            brisk_table_free(t);
    }
    for (size_t w = 0; st == BRISK_OK && w < from->nwarnings; w++) {
        bool said = false;   /* a warning of the whole run (the design's) comes once */
        for (size_t k = 0; k < out->nwarnings && !said; k++)
            said = strcmp(out->warnings[k], from->warnings[w]) == 0;
        if (!said)
            st = brisk_table_list_warn(out, "%s", from->warnings[w]);
    }
    brisk_table_list_free(from);
    return st;
}

/* ------------------------------------------------------------ Modification indices */

static const char *modindices_sheet_name(const brisk_table *t)
{
    (void)t;
    return "Modification indices";
}

/* The ten largest modification indices above 3.84 per behaviour (as brisk
 * fit --modindices lists them, WLSMV fits too); a behaviour they are not
 * computed for (inequality constraints, full-information ML with fixed
 * covariates) gets a note saying so. */
static brisk_status modindices_sheet(const report_ctx *c, brisk_table_list *out)
{
    if (!c->fits->n)
        return BRISK_OK;
    brisk_fit_result *results = calloc(c->fits->n, sizeof *results);
    brisk_table_list *tables = brisk_table_list_new();
    brisk_status st = results && tables ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t g = 0; !st && g < c->fits->n; g++)
        results[g] = (brisk_fit_result){.group = c->fits->groups[g],
                                        .label = c->fits->labels[g],
                                        .fit = c->fits->fitted[g].fit,
                                        .fitted = &c->fits->fitted[g]};
    if (!st)
        st = brisk_modindices_table(results, c->fits->n, 3.84, 10, true, tables, c->err);
    free(results);
    if (!tables)
        return st;
    return adopt(tables, st, modindices_sheet_name, out);
}

/* ------------------------------------------------------------ Reliability */

static const char *reliability_sheet(const brisk_table *t)
{
    (void)t;
    return "Reliability";
}

/* Alpha, omega, CR, AVE, HTMT and Fornell-Larcker per construct and
 * behaviour (as brisk reliability), when the model has constructs. */
static brisk_status reliability(const report_ctx *c, brisk_table_list *out)
{
    if (!c->fits->n || !brisk_model_nscales(c->fits->fitted[0].model))
        return BRISK_OK;   /* a path model of observed variables: no scale to assess */
    brisk_reliability_options ropt = {.model = c->opt ? c->opt->model : (brisk_model_options){0}};
    brisk_table_list *tables = brisk_table_list_new();
    if (!tables)
        return BRISK_ERR_NOMEM;
    brisk_status st = brisk_reliability_survey(c->s, c->d, NULL, 0, &ropt, tables, c->err);
    return adopt(tables, st, reliability_sheet, out);
}

/* ------------------------------------------------------------ Comparison */

/* Paths compared between behaviours, and the defined (indirect) effects
 * with bootstrap intervals, from one bootstrap of respondents (with one
 * behaviour, or none, only the defined effects). */
static const char *comparison_sheet(const brisk_table *t)
{
    return strcmp(t->id, "compare.effects") == 0 ? "Indirect effects" : "Comparison";
}

/* Whether the model has anything to bootstrap: a free path or a :=. */
static bool has_paths(const brisk_model *m)
{
    for (size_t i = 0; i < brisk_model_nparams(m); i++) {
        const brisk_param *p = brisk_model_param(m, i);
        if ((p->op == BRISK_OP_REGRESS && p->free) || p->op == BRISK_OP_DEFINE)
            return true;
    }
    return false;
}

static brisk_status comparison(const report_ctx *c, brisk_table_list *out)
{
    if (!c->opt || c->opt->boot.draws == 0 || !c->fits->n || !has_paths(c->fits->fitted[0].model))
        return BRISK_OK;
    brisk_compare_options copt = {.boot = c->opt->boot, .model = c->opt->model, .holm = true,
                                  .omit_fit_warnings = true};   /* the report has them */
    brisk_table_list *tables = brisk_table_list_new();
    if (!tables)
        return BRISK_ERR_NOMEM;
    brisk_status st = c->s->nbehaviours > 1
                          ? brisk_compare_behaviours(c->s, c->d, &copt, tables, c->err)
                          : brisk_bootstrap_effects(c->s, c->d, &copt, tables, c->err);
    return adopt(tables, st, comparison_sheet, out);
}

/* ------------------------------------------------------------ Interviews */

/* The tables of brisk interviews on the project the survey's [interviews]
 * names, on the sheets they name (Themes, Co-occurrence, Coder agreement,
 * Quotes, Joint display). */
static const char *interviews_sheet(const brisk_table *t)
{
    static const struct { const char *prefix, *sheet; } sheets[] = {
        {"interviews.cooccurrence", "Co-occurrence"}, {"interviews.agreement", "Coder agreement"},
        {"interviews.quotes", "Quotes"}, {"interviews.joint", "Joint display"}};
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++)
        if (strncmp(t->id, sheets[i].prefix, strlen(sheets[i].prefix)) == 0)
            return sheets[i].sheet;
    return "Themes";
}

static brisk_status interviews(const report_ctx *c, brisk_table_list *out)
{
    if (!c->s->interviews)
        return BRISK_OK;
    brisk_qual_project *p = NULL;
    brisk_table_list *tables = brisk_table_list_new();
    if (!tables)
        return BRISK_ERR_NOMEM;
    /* alpha's bootstrap takes the report's seed (brisk interviews' default 1) */
    brisk_interviews_options iopt = {.seed = c->opt ? c->opt->boot.seed : 1};
    brisk_status st = brisk_qual_read(c->s->interviews_path, &p, c->err);
    if (st == BRISK_OK)
        st = brisk_interviews(p, &iopt, tables, c->err);
    if (st == BRISK_OK && c->s->interviews_link) {
        st = brisk_interviews_joint(p, c->s->interviews_link, c->d, &iopt, tables, c->err);
        if (st != BRISK_OK && c->err && !c->err->file[0])
            brisk_error_at(c->err, c->s->path, c->s->interviews_link_line, 0);
    }
    brisk_qual_project_free(p);
    return adopt(tables, st, interviews_sheet, out);
}

/* ------------------------------------------------------------ residual correlations */

#define RESIDUAL_CUT 0.10

/* One behaviour's residual correlations beyond the cut (Bollen's: the
 * sample less the implied correlation, lavaan's residuals(type = "cor")),
 * largest first. */
static brisk_status residual_rows(const report_ctx *c, size_t g, brisk_table *t, size_t *shown)
{
    const brisk_fitted *fd = &c->fits->fitted[g];
    brisk_residuals res;
    brisk_error e;
    brisk_error_clear(&e);
    brisk_status st = brisk_fitted_residuals(fd, &res, &e);
    if (st == BRISK_ERR_ARGUMENT)   /* WLSMV: said in the note */
        return brisk_table_add_note(t, "%s: %s.", group_label(c, g), e.message);
    if (st != BRISK_OK)
        return st;
    const brisk_group_residuals *gr = &res.groups[0];
    size_t p = gr->p, n = 0, *order = malloc((p * p + 1) * sizeof *order);
    st = order ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t j = 0; order && j < p; j++)
        for (size_t i = j + 1; i < p; i++)
            if (fabs(gr->bollen[i * p + j]) > RESIDUAL_CUT)
                order[n++] = i * p + j;
    for (size_t a = 1; a < n; a++)   /* by size, largest first (few of them) */
        for (size_t b = a; b > 0 && fabs(gr->bollen[order[b]]) > fabs(gr->bollen[order[b - 1]]);
             b--) {
            size_t keep = order[b];
            order[b] = order[b - 1];
            order[b - 1] = keep;
        }
    for (size_t k = 0; st == BRISK_OK && k < n; k++) {
        size_t i = order[k] / p, j = order[k] % p, row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, group_label(c, g)) ||
            brisk_table_set_text(t, row, 1, brisk_model_observed(fd->model, i)) ||
            brisk_table_set_text(t, row, 2, brisk_model_observed(fd->model, j)))
            st = BRISK_ERR_NOMEM;
        else {
            brisk_table_set_num(t, row, 3, gr->bollen[order[k]]);
            brisk_table_set_num(t, row, 4, gr->bollen_z[order[k]]);
        }
    }
    *shown += n;
    free(order);
    brisk_residuals_free(&res);
    return st;
}

static brisk_status residual_correlations(const report_ctx *c, brisk_table_list *out)
{
    if (!c->fits->n)
        return BRISK_OK;
    brisk_table *t = brisk_table_new("report.residuals",
                                     "Residual correlations beyond .10 by behaviour");
    brisk_status st = t ? add_col(t, "behaviour", "Behaviour", BRISK_CELL_TEXT, 0, NULL)
                        : BRISK_ERR_NOMEM;
    if (!st)
        st = add_col(t, "lhs", "Variable", BRISK_CELL_TEXT, 0, NULL);
    if (!st)
        st = add_col(t, "rhs", "With", BRISK_CELL_TEXT, 0, NULL);
    if (!st)
        st = add_col(t, "cor_bollen", "Residual", BRISK_CELL_NUMBER, 3, NULL);
    if (!st)
        st = add_col(t, "cor_bollen_z", "z", BRISK_CELL_NUMBER, 2, NULL);
    size_t shown = 0;
    for (size_t g = 0; !st && g < c->fits->n; g++)
        st = residual_rows(c, g, t, &shown);
    if (!st)
        st = brisk_table_add_note(t, "Sample less model-implied correlation (lavaan's "
                                  "residuals(fit, type = \"cor\")) where it is beyond +-.10, "
                                  "largest first; z: lavaan's standardized residual, for "
                                  "ML, MLR, MLM and FIML fits without weights, clusters "
                                  "or fixed covariates (empty otherwise).%s",
                                  shown ? "" : " None is beyond .10.");
    if (st) {
        brisk_table_free(t);
        return st;
    }
    return emit(out, t, "Fit");
}

/* ------------------------------------------------------------ the report */

/* The sheets, in order.  A new sheet is one more function here. */
static const section_fn sections[] = {
    items, agreement, measurement, reliability, structural, fit_sheet, residual_correlations,
    modindices_sheet, comparison, interviews,
};

static brisk_status collect_warnings(const report_ctx *c, brisk_table_list *out)
{
    for (size_t g = 0; g < c->fits->n; g++) {
        const brisk_fit *f = c->fits->fitted[g].fit;
        for (size_t i = 0; i < f->nwarnings; i++)
            if (brisk_table_list_warn(out, "%s: %s", group_label(c, g), f->warnings[i]))
                return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

/* The overview goes first but lists the warnings, so it is made last and
 * moved to the front. */
static brisk_status overview_first(const report_ctx *c, brisk_table_list *out)
{
    brisk_status st = overview(c, out);
    if (st)
        return st;
    brisk_table *t = out->tables[out->count - 1];
    memmove(out->tables + 1, out->tables, (out->count - 1) * sizeof *out->tables);
    out->tables[0] = t;
    return BRISK_OK;
}

brisk_status brisk_report(const brisk_survey *s, const brisk_survey_data *d,
                          const brisk_report_options *opt, brisk_table_list *out,
                          brisk_error *err)
{
    if (brisk_survey_warn_design(s, out) != BRISK_OK ||
        brisk_table_list_set_title(out, s->title ? s->title : s->path) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_survey_fits fits;
    brisk_status st = brisk_fit_survey(s, d, NULL, 0, NULL, opt ? &opt->model : NULL, &fits, err);
    if (st != BRISK_OK)
        return st;
    report_ctx c = {.s = s, .d = d, .fits = &fits, .opt = opt, .err = err};
    st = collect_warnings(&c, out);
    for (size_t k = 0; st == BRISK_OK && k < sizeof sections / sizeof sections[0]; k++)
        st = sections[k](&c, out);
    if (st == BRISK_OK)
        st = overview_first(&c, out);
    brisk_survey_fits_free(&fits);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    else if (st != BRISK_OK && err && !err->message[0])
        brisk_error_set(err, st, "%s", brisk_strerror(st));
    return st;
}
