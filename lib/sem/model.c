/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parameter table: lavaan's defaults applied to parsed model syntax. */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "sem_fit.h"

/* Bounds on what a model file controls.  lavaan has none, but a model of
 * more variables than this holds matrices of hundreds of megabytes that
 * no fit of survey data needs; a table of more rows (every pair of
 * covariates has one) would take gigabytes before any data is looked at. */
#define MAX_VARIABLES 5000
#define MAX_ROWS 1000000

/* What the user's rows say about a variable (lavaan's vnames), found once
 * per model from the first group's rows: every group has the same. */
enum {
    ROLE_REGRESSED = 1,          /* left of ~ */
    ROLE_PREDICTOR = 2,          /* right of ~ */
    ROLE_INDICATOR = 4,          /* right of =~ */
    ROLE_MOMENTS_WRITTEN = 8,    /* a variance, covariance or intercept written */
    ROLE_SINGLE_INDICATOR = 16,  /* the only indicator of some factor */
};

typedef struct builder {
    brisk_model *m;
    const brisk_syntax *syn;
    const brisk_model_options *opt;
    brisk_error *err;
    const char *const *columns;   /* the data's column names */
    brisk_lookup column_index;
    brisk_lookup rows;             /* params rows by (group, op, lhs, rhs) */
    unsigned *roles;              /* per variable (observed, then latent): ROLE_* */
    bool *has_loading;            /* per latent variable: a loading in the group being built */
    char reference[512];          /* an equal("...") label without its spaces */
    brisk_buf shared_labels;      /* labels one modifier gives every group */
    struct released *released;    /* group.partial: parameters left free across groups */
    size_t nreleased;
} builder;

/* One parameter of group.partial, as written and as a row's place. */
typedef struct released {
    char *text;                   /* without blanks, for messages */
    char *lhs, *rhs;              /* rhs "" for an intercept */
    brisk_op op;
} released;

static void builder_free(builder *b)
{
    brisk_lookup_free(&b->column_index);
    brisk_lookup_free(&b->rows);
    free(b->roles);
    free(b->has_loading);
    brisk_buf_free(&b->shared_labels);
    for (size_t i = 0; i < b->nreleased; i++) {
        free(b->released[i].text);
        free(b->released[i].lhs);
        free(b->released[i].rhs);
    }
    free(b->released);
}

void brisk_model_free(brisk_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nparams; i++) {
        free(m->params[i].lhs);
        free(m->params[i].rhs);
        free(m->params[i].label);
        free(m->params[i].expr);
    }
    free(m->params);
    free(m->K);
    free(m->k0);
    free(m->A);
    free(m->c);
    free(m->pos);
    free(m->fixed_x);
    free(m->continuous);
    free(m->tau_item);
    free(m->tau_number);
    for (size_t i = 0; i < m->p; i++)
        free(m->ov[i]);
    for (size_t i = 0; i < m->m; i++)
        free(m->lv[i]);
    free(m->ov);
    free(m->lv);
    brisk_lookup_free(&m->vars);
    free(m->source);
    free(m->weight);
    free(m->cluster);
    for (size_t i = 0; i < m->nwarnings; i++)
        free(m->warnings[i]);
    free(m->warnings);
    free(m);
}

static brisk_status model_warn(builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static brisk_status model_warn(builder *b, const char *fmt, ...)
{
    brisk_model *m = b->m;
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    size_t cap = m->nwarnings;
    if (n < 0 || !brisk_grow((void **)&m->warnings, &cap, m->nwarnings + 1, sizeof *m->warnings)) {
        free(n < 0 ? NULL : text);
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    m->warnings[m->nwarnings++] = text;
    return BRISK_OK;
}

brisk_status brisk_sem_model_warnings(const brisk_model *m, brisk_fit *fit)
{
    for (size_t i = 0; i < m->nwarnings; i++)
        if (brisk_fit_add_warning(fit, m->warnings[i]) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

static brisk_status nomem(builder *b)
{
    return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
}

static const char *observed_key(size_t v, const void *m)
{
    return (v & 1) ? NULL : ((const brisk_model *)m)->ov[v >> 1];
}

static const char *latent_key(size_t v, const void *m)
{
    return (v & 1) ? ((const brisk_model *)m)->lv[v >> 1] : NULL;
}

/* Index of an observed (latent: false) or latent variable, or -1. */
static int find_variable(const brisk_model *m, const char *name, bool latent)
{
    size_t v = brisk_lookup_find_name(&m->vars, name, latent ? latent_key : observed_key, m);
    return v == BRISK_LOOKUP_NONE ? -1 : (int)(v >> 1);
}

static int observed_index(const brisk_model *m, const char *name)
{
    return find_variable(m, name, false);
}

static int latent_index(const brisk_model *m, const char *name)
{
    return find_variable(m, name, true);
}

int brisk_sem_var_index(const brisk_model *m, const char *name)
{
    int i = observed_index(m, name);
    if (i >= 0)
        return i;
    i = latent_index(m, name);
    return i >= 0 ? (int)m->p + i : -1;
}

/* The roles of a variable (0 for a name that is none). */
static unsigned role_of(const builder *b, const char *name)
{
    int i = brisk_sem_var_index(b->m, name);
    return i >= 0 ? b->roles[i] : 0;
}

static const char *column_key(size_t j, const void *b)
{
    return ((const builder *)b)->columns[j];
}

static bool is_data_column(const builder *b, const char *name)
{
    return brisk_lookup_find_name(&b->column_index, name, column_key, b) != BRISK_LOOKUP_NONE;
}

static brisk_status add_variable(builder *b, bool latent, const char *name)
{
    brisk_model *m = b->m;
    if (find_variable(m, name, latent) >= 0)
        return BRISK_OK;
    char ***names = latent ? &m->lv : &m->ov;
    size_t *n = latent ? &m->m : &m->p, cap = *n;
    if (m->p + m->m >= MAX_VARIABLES) {
        brisk_error_at(b->err, m->source, 0, 0);
        return brisk_error_set(b->err, BRISK_ERR_LIMIT, "the model names more than %d "
                               "variables, the most brisk fits (its matrices alone would take "
                               "hundreds of megabytes): fit the items in smaller models",
                               MAX_VARIABLES);
    }
    if (!brisk_grow((void **)names, &cap, *n + 1, sizeof **names))
        return nomem(b);
    if (!((*names)[*n] = brisk_strdup(name)) ||
        !brisk_lookup_add_name(&m->vars, name, 2 * *n + latent)) {
        free((*names)[*n]);
        return nomem(b);
    }
    (*n)++;
    return BRISK_OK;
}

static bool is_structural(brisk_op op)
{
    return op == BRISK_OP_MEASURE || op == BRISK_OP_REGRESS || op == BRISK_OP_COVARY ||
           op == BRISK_OP_INTERCEPT;
}

/* Latent variables, then observed ones: indicators in order of appearance,
 * then the other variables the syntax names. */
/* Whether a statement is part of the model being built: all of them, or
 * with measurement_only the =~ and ~~ ones; thresholds are left out when the
 * caller reads them itself. */
static bool kept(const builder *b, const brisk_statement *s)
{
    if (s->op == BRISK_OP_THRESHOLD && (b->opt->skip_thresholds || b->opt->ordered))
        return false;   /* read by the caller, or (WLSMV) estimated from the data */
    return !b->opt->measurement_only || s->op == BRISK_OP_MEASURE || s->op == BRISK_OP_COVARY;
}

static brisk_status collect_variables(builder *b)
{
    const brisk_syntax *syn = b->syn;
    brisk_model *m = b->m;
    brisk_status st = BRISK_OK;
    for (size_t i = 0; i < syn->n && !st; i++)
        if (syn->stmts[i].op == BRISK_OP_MEASURE)
            st = add_variable(b, true, syn->stmts[i].lhs);
    for (size_t i = 0; i < syn->n && !st; i++) {
        const brisk_statement *s = &syn->stmts[i];
        for (size_t k = 0; s->op == BRISK_OP_MEASURE && k < s->nrhs && !st; k++)
            if (latent_index(m, s->rhs[k].name) < 0)
                st = add_variable(b, false, s->rhs[k].name);
    }
    for (size_t i = 0; i < syn->n && !st; i++) {
        const brisk_statement *s = &syn->stmts[i];
        /* a variable with thresholds is observed even when the caller cuts it */
        if (s->op == BRISK_OP_THRESHOLD && b->opt->skip_thresholds &&
            latent_index(m, s->lhs) < 0)
            st = add_variable(b, false, s->lhs);
        if (!is_structural(s->op) || s->op == BRISK_OP_MEASURE || !kept(b, s))
            continue;
        if (latent_index(m, s->lhs) < 0)
            st = add_variable(b, false, s->lhs);
        for (size_t k = 0; s->op != BRISK_OP_INTERCEPT && k < s->nrhs && !st; k++)
            if (latent_index(m, s->rhs[k].name) < 0 && strcmp(s->rhs[k].name, "1") != 0)
                st = add_variable(b, false, s->rhs[k].name);
    }
    return st;
}

static brisk_status check_observed(builder *b, const brisk_statement *s)
{
    const brisk_model *m = b->m;
    const char *bad = NULL;
    long line = s->line, column = s->column;
    if (latent_index(m, s->lhs) < 0 && !is_data_column(b, s->lhs))
        bad = s->lhs;
    for (size_t k = 0; !bad && s->op != BRISK_OP_INTERCEPT && k < s->nrhs; k++) {
        const char *v = s->rhs[k].name;
        if (strcmp(v, "1") == 0)
            continue;
        if (latent_index(m, v) < 0 && !is_data_column(b, v)) {
            bad = v;
            line = s->rhs[k].line;
            column = s->rhs[k].column;
        }
    }
    if (!bad)
        return BRISK_OK;
    brisk_error_at(b->err, m->source, line, column);
    brisk_error_variable(b->err, bad);
    return brisk_error_set(b->err, BRISK_ERR_COLUMN,
                           "'%s' is neither a latent variable (left of =~) nor a column of "
                           "the data", bad);
}

/* ------------------------------------------------------------ rows */

/* The hash of a row's place; a covariance's two names in either order. */
static uint64_t row_hash(size_t group, brisk_op op, const char *lhs, const char *rhs)
{
    if (op == BRISK_OP_COVARY && strcmp(lhs, rhs) > 0) {
        const char *tmp = lhs;
        lhs = rhs;
        rhs = tmp;
    }
    uint64_t h = brisk_hash_text(brisk_hash_text(BRISK_HASH_START, lhs), rhs);
    return (h ^ ((uint64_t)group << 8 | (uint64_t)op)) * UINT64_C(1099511628211);
}

/* The row of a group at a place (lhs op rhs, a covariance either way
 * round), or -1. */
static size_t find_row(const builder *b, size_t group, const char *lhs, brisk_op op,
                       const char *rhs)
{
    size_t at = BRISK_LOOKUP_NONE, found = (size_t)-1;
    uint64_t h = row_hash(group, op, lhs, rhs);
    for (size_t i; (i = brisk_lookup_next(&b->rows, h, &at)) != BRISK_LOOKUP_NONE;) {
        const brisk_param *p = &b->m->params[i];
        if (p->op != op || p->group != group || i > found)
            continue;
        if ((strcmp(p->lhs, lhs) == 0 && strcmp(p->rhs, rhs) == 0) ||
            (op == BRISK_OP_COVARY && strcmp(p->lhs, rhs) == 0 && strcmp(p->rhs, lhs) == 0))
            found = i;
    }
    return found;
}

/* A row of the group being built. */
static size_t find_building_row(const builder *b, const char *lhs, brisk_op op, const char *rhs)
{
    return find_row(b, b->m->building_group, lhs, op, rhs);
}

/* Append a row; free rows get their index later (labels may tie them). */
static brisk_status add_row(builder *b, const char *lhs, brisk_op op, const char *rhs,
                            bool is_free, double value, const char *label, bool user,
                            size_t *row)
{
    brisk_model *m = b->m;
    size_t cap = m->cap;
    if (m->nparams >= MAX_ROWS) {
        brisk_error_at(b->err, m->source, 0, 0);
        return brisk_error_set(b->err, BRISK_ERR_LIMIT, "the model's parameter table passes "
                               "%d rows (every pair of covariates has one): fit fewer "
                               "variables in one model", MAX_ROWS);
    }
    if (!brisk_grow((void **)&m->params, &cap, m->nparams + 1, sizeof *m->params) ||
        !brisk_grow((void **)&m->pos, &m->cap, m->nparams + 1, sizeof *m->pos))
        return nomem(b);
    size_t at = m->nparams++;     /* the model owns the row (and frees it) from here */
    brisk_param *p = &m->params[at];
    memset(p, 0, sizeof *p);
    m->pos[at].mat = SEM_NONE;
    p->lhs = brisk_strdup(lhs);
    p->rhs = brisk_strdup(rhs);
    p->label = brisk_strdup(label ? label : "");
    p->op = op;
    p->free = is_free ? -1 : 0;   /* -1: free, index assigned later */
    p->start = is_free ? NAN : value;
    p->user = user;
    p->group = op == BRISK_OP_DEFINE ? 0 : m->building_group;
    if (!p->lhs || !p->rhs || !p->label ||
        !brisk_lookup_add(&b->rows, row_hash(p->group, op, lhs, rhs), at))
        return nomem(b);
    if (row)
        *row = at;
    return BRISK_OK;
}

/* lavaan's order within a covariance: latent variables before observed
 * ones, each in model order. */
static size_t covariance_rank(const brisk_model *m, const char *name)
{
    int l = latent_index(m, name), o = observed_index(m, name);
    return l >= 0 ? (size_t)l : m->m + (size_t)(o >= 0 ? o : 0);
}

/* With std.lv a latent variable's variance sets its scale: a value written
 * for it stays fixed even when values are starting values. */
static bool sets_scale(const builder *b, const brisk_statement *s, const brisk_term *t)
{
    return b->opt->std_lv && s->op == BRISK_OP_COVARY && strcmp(s->lhs, t->name) == 0 &&
           latent_index(b->m, s->lhs) >= 0;
}

/* Keep a label that a single modifier applies to every group (lavaan
 * then holds the parameters equal across groups, and warns), once. */
static brisk_status note_shared_label(builder *b, const char *label)
{
    if (!label || b->m->building_group != 0)
        return BRISK_OK;
    size_t n = strlen(label);
    for (const char *at = b->shared_labels.data; at && *at;) {
        const char *end = strchr(at, ',');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        if (len == n && strncmp(at, label, n) == 0)
            return BRISK_OK;
        at = end ? end + 2 : at + len;   /* past ", " */
    }
    return brisk_buf_printf(&b->shared_labels, "%s%s", b->shared_labels.len ? ", " : "", label)
               ? BRISK_OK
               : nomem(b);
}

static brisk_status term_row(builder *b, const brisk_statement *s, const brisk_term *t,
                             bool default_fixed, double default_value)
{
    size_t ngroups = b->m->ngroups;
    if (t->nmods > 1 && ngroups == 1) {
        /* a survey's c(a1, a2) fitted without groups: the first value, said */
        char what[300];
        const brisk_modifier *first = &t->mods[0];
        if (first->label)
            snprintf(what, sizeof what, "%s", first->label);
        else if (first->is_free)
            snprintf(what, sizeof what, "NA");
        else
            snprintf(what, sizeof what, "%g", first->value);
        if (model_warn(b, "%s line %ld: c(...) gives one value per group, and the model is "
                       "fitted in one group: the first, %s, is used", b->m->source, t->line,
                       what) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    } else if (t->nmods > 1 && t->nmods != ngroups) {
        brisk_error_at(b->err, b->m->source, t->line, t->column);
        return brisk_error_set(b->err, BRISK_ERR_FORMAT,
                               "model syntax: c(...) gives one value per group: %zu values, "
                               "and this model has %zu group%s", t->nmods, ngroups,
                               ngroups == 1 ? "" : "s");
    }
    bool is_free = !default_fixed;
    double value = default_value;
    const char *label = NULL;
    if (t->nmods == 1 && ngroups > 1 && !b->opt->group_equal && t->mods[0].label &&
        note_shared_label(b, t->mods[0].label) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    if (t->nmods >= 1) {
        /* One modifier holds for every group (a label then makes the
         * parameter equal across groups, as in lavaan); c() gives each its own. */
        const brisk_modifier *mod =
            &t->mods[t->nmods > 1 && ngroups > 1 ? b->m->building_group : 0];
        if (mod->is_fixed && b->opt->values_as_start && !sets_scale(b, s, t)) {
            is_free = true;          /* the value is where the estimate starts */
            value = mod->value;
        } else if (mod->is_fixed) {
            is_free = false;
            value = mod->value;
        } else if (mod->is_free) {
            is_free = true;
        }
        label = mod->label;
        if (mod->is_equal && label) {
            /* equal("textual =~ x5") names textual=~x5 as lavaan writes it */
            size_t n = 0;
            for (const char *c = label; *c && n < sizeof b->reference - 1; c++)
                if (*c != ' ')
                    b->reference[n++] = *c;
            b->reference[n] = '\0';
            label = b->reference;
        }
    }
    const char *lhs = s->lhs, *rhs = t->name;
    brisk_op op = s->op;
    if (op == BRISK_OP_INTERCEPT || (op == BRISK_OP_REGRESS && strcmp(rhs, "1") == 0)) {
        op = BRISK_OP_INTERCEPT;     /* "y ~ 1 + x": the intercept of y */
        rhs = "";
        b->m->meanstructure = true;
    }
    if (op == BRISK_OP_COVARY && covariance_rank(b->m, rhs) < covariance_rank(b->m, lhs)) {
        const char *tmp = lhs;        /* lavaan writes x1 ~~ x4 for x4 ~~ x1 */
        lhs = rhs;
        rhs = tmp;
    }
    if (find_building_row(b, lhs, op, rhs) != (size_t)-1) {
        brisk_error_at(b->err, b->m->source, t->line, t->column);
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "model syntax: '%s %s %s' is "
                               "specified twice", lhs, brisk_op_text(op), rhs);
    }
    /* start() on a fixed parameter sets the value it is fixed at (lavaan) */
    if (t->has_start && !is_free)
        value = t->start;
    size_t row;
    brisk_status st = add_row(b, lhs, op, rhs, is_free, value, label, true, &row);
    if (st == BRISK_OK && t->has_start && is_free)
        b->m->params[row].start = t->start;
    else if (st == BRISK_OK && is_free && !isnan(value) && b->opt->values_as_start &&
             t->nmods >= 1 &&
             t->mods[t->nmods > 1 && ngroups > 1 ? b->m->building_group : 0].is_fixed)
        b->m->params[row].start = value;
    return st;
}

/* The rows of one group (b->m->building_group), as lavaan orders them. */
static brisk_status user_rows(builder *b)
{
    const brisk_syntax *syn = b->syn;
    memset(b->has_loading, 0, (b->m->m + 1) * sizeof *b->has_loading);
    for (size_t i = 0; i < syn->n; i++) {
        const brisk_statement *s = &syn->stmts[i];
        if (!is_structural(s->op) || !kept(b, s))
            continue;
        int lv = s->op == BRISK_OP_MEASURE ? latent_index(b->m, s->lhs) : -1;
        for (size_t k = 0; k < s->nrhs; k++) {
            /* The factor's first indicator marks its scale, unless --std-lv:
             * the first of all its =~ terms, however many statements define
             * it (lavaan's auto.fix.first), not the first of each. */
            bool marker = lv >= 0 && !b->opt->std_lv && !b->has_loading[lv];
            brisk_status st = term_row(b, s, &s->rhs[k], marker, marker ? 1.0 : 0.0);
            if (st != BRISK_OK)
                return st;
            if (lv >= 0)
                b->has_loading[lv] = true;
        }
        if (s->op == BRISK_OP_INTERCEPT)
            b->m->meanstructure = true;
    }
    return BRISK_OK;
}

/* The roles of every variable, from the first group's user rows (before
 * any default row: those never change a role). */
static brisk_status find_roles(builder *b)
{
    const brisk_model *m = b->m;
    size_t nvars = m->p + m->m;
    size_t *indicators = calloc(m->m + 1, sizeof *indicators);
    if (!(b->roles = calloc(nvars + 1, sizeof *b->roles)) || !indicators) {
        free(indicators);
        return nomem(b);
    }
    for (size_t i = 0; i < m->nparams; i++) {
        const brisk_param *p = &m->params[i];
        int l = brisk_sem_var_index(m, p->lhs), r = brisk_sem_var_index(m, p->rhs);
        if (p->op == BRISK_OP_REGRESS && l >= 0 && r >= 0) {
            b->roles[l] |= ROLE_REGRESSED;
            b->roles[r] |= ROLE_PREDICTOR;
        } else if (p->op == BRISK_OP_MEASURE && l >= (int)m->p && r >= 0) {
            b->roles[r] |= ROLE_INDICATOR;
            indicators[l - (int)m->p]++;
        } else if (p->user && p->op == BRISK_OP_COVARY && l >= 0 && r >= 0) {
            b->roles[l] |= ROLE_MOMENTS_WRITTEN;
            b->roles[r] |= ROLE_MOMENTS_WRITTEN;
        } else if (p->user && p->op == BRISK_OP_INTERCEPT && l >= 0) {
            b->roles[l] |= ROLE_MOMENTS_WRITTEN;
        }
    }
    /* auto.fix.single: the only indicator of a factor is the factor itself */
    for (size_t i = 0; i < m->nparams; i++) {
        const brisk_param *p = &m->params[i];
        int l = brisk_sem_var_index(m, p->lhs), r = brisk_sem_var_index(m, p->rhs);
        if (p->op == BRISK_OP_MEASURE && l >= (int)m->p && r >= 0 &&
            indicators[l - (int)m->p] == 1)
            b->roles[r] |= ROLE_SINGLE_INDICATOR;
    }
    free(indicators);
    return BRISK_OK;
}

/* lavaan's "y": a pure outcome (regressed, predicting nothing, not an
 * indicator); a mediator is not one. */
static bool is_pure_outcome(const builder *b, const char *name)
{
    return (role_of(b, name) & (ROLE_REGRESSED | ROLE_PREDICTOR | ROLE_INDICATOR)) ==
           ROLE_REGRESSED;
}

/* lavaan's lv.x: a latent variable that is not an outcome nor an indicator. */
static bool is_exogenous_latent(const builder *b, const char *name)
{
    return !(role_of(b, name) & (ROLE_REGRESSED | ROLE_INDICATOR));
}

/* An observed covariate: a predictor in a regression that is never an
 * outcome nor an indicator.  lavaan (fixed.x = TRUE) fixes its variances,
 * covariances and means to their sample values, unless the syntax writes a
 * variance, covariance or intercept of it: then lavaan treats it as random
 * (its lav_partable_vnames "ov.x"), with the moments written free and no
 * others added, and so does brisk. */
static bool is_exogenous_observed(const builder *b, const char *name)
{
    if (b->m->no_fixed_x || observed_index(b->m, name) < 0)
        return false;
    return (role_of(b, name) & (ROLE_PREDICTOR | ROLE_REGRESSED | ROLE_INDICATOR |
                                ROLE_MOMENTS_WRITTEN)) == ROLE_PREDICTOR;
}

/* Free covariances among a list of variables, pair by pair in R's combn()
 * order, skipping pairs the user wrote. */
static brisk_status free_covariances(builder *b, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (find_building_row(b, names[i], BRISK_OP_COVARY, names[j]) == (size_t)-1) {
                brisk_status st = add_row(b, names[i], BRISK_OP_COVARY, names[j], true, 0,
                                          NULL, false, NULL);
                if (st != BRISK_OK)
                    return st;
            }
    return BRISK_OK;
}

/* Names of lv (then ov) variables that pass a test, in model order. */
static size_t select_names(const builder *b, bool (*test)(const builder *, const char *),
                           bool latent, bool observed, char **out)
{
    const brisk_model *m = b->m;
    size_t n = 0;
    for (size_t i = 0; latent && i < m->m; i++)
        if (test(b, m->lv[i]))
            out[n++] = m->lv[i];
    for (size_t i = 0; observed && i < m->p; i++)
        if (test(b, m->ov[i]))
            out[n++] = m->ov[i];
    return n;
}

static brisk_status fixed_x_row(builder *b, const char *lhs, brisk_op op, const char *rhs)
{
    size_t row;
    if (b->opt->random_x)   /* lavaan's fixed.x = FALSE: the same rows, free */
        return add_row(b, lhs, op, rhs, true, 0, NULL, false, NULL);
    brisk_status st = add_row(b, lhs, op, rhs, false, NAN, NULL, false, &row);
    if (st == BRISK_OK)
        b->m->params[row].fixed_x = true;
    return st;
}

/* The covariates' variances and covariances (op ~~) or means (op ~1),
 * fixed at their sample values, the pairs in lavaan's order. */
static brisk_status fixed_x_rows(builder *b, brisk_op op, char **names)
{
    brisk_status st = BRISK_OK;
    size_t n = select_names(b, is_exogenous_observed, false, true, names);
    for (size_t i = 0; i < n && !st; i++) {
        if (op == BRISK_OP_INTERCEPT) {
            if (find_building_row(b, names[i], op, "") == (size_t)-1)
                st = fixed_x_row(b, names[i], op, "");
            continue;
        }
        for (size_t j = i; j < n && !st; j++)
            if (find_building_row(b, names[i], BRISK_OP_COVARY, names[j]) == (size_t)-1)
                st = fixed_x_row(b, names[i], BRISK_OP_COVARY, names[j]);
    }
    return st;
}

static brisk_status default_variance(builder *b, const char *name, bool is_free, double value)
{
    if (find_building_row(b, name, BRISK_OP_COVARY, name) != (size_t)-1)
        return BRISK_OK;
    return add_row(b, name, BRISK_OP_COVARY, name, is_free, value, NULL, false, NULL);
}

/* Whether observed variable i is an ordered item (WLSMV): its residual
 * variance and intercept are not parameters. */
static bool ordered_item(const brisk_model *m, size_t i)
{
    return m->ordered && !(m->continuous && m->continuous[i]);
}

/* With an ordered_items list (lavaan's ordered = c(...)), which observed
 * variables are continuous indicators: those not listed, but the
 * covariates; a listed name the model does not use is an error. */
static brisk_status find_continuous(builder *b)
{
    brisk_model *m = b->m;
    const brisk_model_options *o = b->opt;
    if (!o->ordered || !o->ordered_items)
        return BRISK_OK;
    for (size_t k = 0; k < o->nordered_items; k++) {
        int i = brisk_sem_var_index(m, o->ordered_items[k]);
        if (i < 0 || (size_t)i >= m->p) {
            brisk_error_variable(b->err, o->ordered_items[k]);
            return brisk_error_set(b->err, BRISK_ERR_ARGUMENT, "--ordered names '%s', which is "
                                   "not an observed variable of the model: list the model's "
                                   "ordered items", o->ordered_items[k]);
        }
    }
    if (!(m->continuous = calloc(m->p + 1, sizeof *m->continuous)))
        return nomem(b);
    for (size_t i = 0; i < m->p; i++) {
        bool listed = false;
        for (size_t k = 0; k < o->nordered_items && !listed; k++)
            listed = strcmp(o->ordered_items[k], m->ov[i]) == 0;
        m->continuous[i] = !listed && !is_exogenous_observed(b, m->ov[i]);
    }
    return BRISK_OK;
}

/* lavaan's auto.var, auto.cov.lv.x and (with a mean structure) intercepts. */
static brisk_status default_rows(builder *b)
{
    brisk_model *m = b->m;
    brisk_status st = BRISK_OK;
    for (size_t i = 0; i < m->p && !st; i++)
        if (!is_exogenous_observed(b, m->ov[i]))
            st = default_variance(b, m->ov[i],
                                  !(b->roles[i] & ROLE_SINGLE_INDICATOR) && !ordered_item(m, i),
                                  ordered_item(m, i) ? 1 : 0);
    /* With std.lv the latent variances are fixed to 1, except after the
     * first group when loadings are held equal and the variances are not:
     * then the variances are what may differ (lavaan frees them too). */
    bool free_lv = !b->opt->std_lv ||
                   (m->building_group > 0 && (b->opt->group_equal & BRISK_EQUAL_LOADINGS) &&
                    !(b->opt->group_equal & BRISK_EQUAL_LV_VARIANCES));
    for (size_t i = 0; i < m->m && !st; i++)
        st = default_variance(b, m->lv[i], free_lv, 1.0);
    char **names = malloc((m->p + m->m + 1) * sizeof *names);
    if (!names)
        return nomem(b);
    if (!st)   /* auto.cov.lv.x */
        st = free_covariances(b, names, select_names(b, is_exogenous_latent, true, false, names));
    if (!st)   /* auto.cov.y */
        st = free_covariances(b, names, select_names(b, is_pure_outcome, true, true, names));
    if (!st)
        st = fixed_x_rows(b, BRISK_OP_COVARY, names);
    for (size_t i = 0; m->meanstructure && i < m->p && !st; i++)
        if (!is_exogenous_observed(b, m->ov[i]) &&
            find_building_row(b, m->ov[i], BRISK_OP_INTERCEPT, "") == (size_t)-1)
            /* an ordered item's intercept is 0: its thresholds place it */
            st = add_row(b, m->ov[i], BRISK_OP_INTERCEPT, "", !ordered_item(m, i), 0, NULL,
                         false, NULL);
    if (!st && m->meanstructure)   /* the covariates' means, fixed, before the latent means (lavaan's order) */
        st = fixed_x_rows(b, BRISK_OP_INTERCEPT, names);
    free(names);
    if (!m->meanstructure)
        return st;
    /* Latent means are 0, except after the first group when intercepts (or
     * ordered items' thresholds) are held equal (scalar invariance) and the
     * means are not: then they are what differs. */
    unsigned equal = b->opt->group_equal;
    bool free_means = m->building_group > 0 &&
                      (equal & (BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_THRESHOLDS)) &&
                      !(equal & BRISK_EQUAL_MEANS);
    for (size_t i = 0; i < m->m && !st; i++)
        if (find_building_row(b, m->lv[i], BRISK_OP_INTERCEPT, "") == (size_t)-1)
            st = add_row(b, m->lv[i], BRISK_OP_INTERCEPT, "", free_means, 0, NULL, false, NULL);
    return st;
}

static double any_value(const brisk_model *m, size_t row, const void *ctx)
{
    (void)m;
    (void)row;
    (void)ctx;
    return 0.385;
}

static brisk_status defined_rows(builder *b)
{
    for (size_t i = 0; i < b->syn->n; i++) {
        const brisk_statement *s = &b->syn->stmts[i];
        if (s->op != BRISK_OP_DEFINE || !kept(b, s))
            continue;
        size_t row;
        brisk_status st = add_row(b, s->lhs, BRISK_OP_DEFINE, s->expr, false, NAN, s->lhs,
                                  true, &row);
        if (st != BRISK_OK)
            return st;
        if (!(b->m->params[row].expr = brisk_strdup(s->expr)))
            return nomem(b);
        /* Unknown labels and syntax errors now, with the statement's place. */
        double v;
        if (!brisk_sem_eval_expr(b->m, s->expr, any_value, NULL, 0, &v, b->err)) {
            brisk_error_at(b->err, b->m->source, s->line, s->column);
            return BRISK_ERR_FORMAT;
        }
    }
    return BRISK_OK;
}

/* The group.equal class of a row, as a BRISK_EQUAL_* flag (0: none). */
static unsigned equality_class(const brisk_model *m, const brisk_param *p)
{
    int i = observed_index(m, p->lhs);
    bool observed = i >= 0;
    switch (p->op) {
    case BRISK_OP_MEASURE: return BRISK_EQUAL_LOADINGS;
    case BRISK_OP_REGRESS: return BRISK_EQUAL_REGRESSIONS;
    case BRISK_OP_INTERCEPT:
        /* a continuous item beside ordered ones: lavaan's statistics hold
         * its mean where an ordered item's thresholds are, and its
         * "thresholds" equality holds the intercept equal */
        if (observed && m->continuous && m->continuous[i])
            return BRISK_EQUAL_INTERCEPTS | BRISK_EQUAL_THRESHOLDS;
        return observed ? BRISK_EQUAL_INTERCEPTS : BRISK_EQUAL_MEANS;
    case BRISK_OP_COVARY: {
        bool observed_rhs = observed_index(m, p->rhs) >= 0;
        if (strcmp(p->lhs, p->rhs) == 0)
            return observed ? BRISK_EQUAL_RESIDUALS : BRISK_EQUAL_LV_VARIANCES;
        /* lavaan's classes: both observed, or both latent (a mixed pair is
         * in neither) */
        return observed && observed_rhs     ? BRISK_EQUAL_RESIDUAL_COVARIANCES
               : !observed && !observed_rhs ? BRISK_EQUAL_LV_COVARIANCES
                                            : 0;
    }
    default: return 0;
    }
}

/* Whether group.partial names row p (a covariance either way round). */
static bool is_released(const builder *b, const brisk_param *p)
{
    for (size_t i = 0; i < b->nreleased; i++) {
        const released *r = &b->released[i];
        if (r->op == p->op && ((strcmp(r->lhs, p->lhs) == 0 && strcmp(r->rhs, p->rhs) == 0) ||
                               (p->op == BRISK_OP_COVARY && strcmp(r->lhs, p->rhs) == 0 &&
                                strcmp(r->rhs, p->lhs) == 0)))
            return true;
    }
    return false;
}

/* Whether group.equal holds row p equal across groups: its class is in
 * equal, group.partial does not release it, and the user did not label it
 * (a label, the same in every group or one per group with c(), decides the
 * equality itself, as in lavaan). */
static bool held_equal(const builder *b, const brisk_param *p, unsigned equal)
{
    return (equality_class(b->m, p) & equal) && !p->label[0] && !p->fixed_x &&
           !is_released(b, p);
}

/* The group.equal keyword of a class, for messages. */
static const char *class_name(unsigned flag)
{
    switch (flag) {
    case BRISK_EQUAL_LOADINGS: return "loadings";
    case BRISK_EQUAL_INTERCEPTS: return "intercepts";
    case BRISK_EQUAL_RESIDUALS: return "residuals";
    case BRISK_EQUAL_LV_VARIANCES: return "lv.variances";
    case BRISK_EQUAL_REGRESSIONS: return "regressions";
    case BRISK_EQUAL_MEANS: return "means";
    case BRISK_EQUAL_LV_COVARIANCES: return "lv.covariances";
    case BRISK_EQUAL_RESIDUAL_COVARIANCES: return "residual.covariances";
    default: return NULL;
    }
}

static brisk_status partial_error(builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static brisk_status partial_error(builder *b, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return brisk_error_set(b->err, BRISK_ERR_ARGUMENT, "--group-partial: %s", text);
}

/* One item of group.partial, its blanks removed: "lhs op rhs" with op =~,
 * ~~, ~ or |, and "x ~ 1" an intercept (lavaan's spelling). */
static brisk_status parse_released(builder *b, const char *item)
{
    static const struct { const char *text; brisk_op op; } ops[] = {
        {"=~", BRISK_OP_MEASURE}, {"~~", BRISK_OP_COVARY}, {"~", BRISK_OP_REGRESS},
        {"|", BRISK_OP_THRESHOLD}};
    const char *at = NULL;
    size_t k = 0;
    for (; k < sizeof ops / sizeof ops[0] && !at; k++)
        at = strstr(item, ops[k].text);
    k--;
    size_t oplen = at ? strlen(ops[k].text) : 0;
    const char *rhs = at ? at + oplen : NULL;
    if (!at || at == item || !*rhs || strpbrk(rhs, "=~|") || strpbrk(item, "*+()\"'"))
        return partial_error(b, "'%s' is not a parameter written as lhs op rhs (as "
                             "'visual =~ x2', 'x3 ~ 1', 'x1 ~~ x1')", item);
    brisk_op op = ops[k].op;
    char *end = NULL;
    if (op == BRISK_OP_THRESHOLD && (rhs[0] != 't' || !isdigit((unsigned char)rhs[1]) ||
                                     strtol(rhs + 1, &end, 10) < 1 || *end))
        return partial_error(b, "'%s' is not a threshold written as 'x3 | t1' (t1, t2, ... "
                             "from the lowest)", item);
    if (op == BRISK_OP_REGRESS && strcmp(rhs, "1") == 0) {
        op = BRISK_OP_INTERCEPT;
        rhs = "";
    }
    size_t cap = b->nreleased;
    if (!brisk_grow((void **)&b->released, &cap, b->nreleased + 1, sizeof *b->released))
        return nomem(b);
    released *r = &b->released[b->nreleased++];
    *r = (released){brisk_strdup(item), brisk_strndup(item, (size_t)(at - item)),
                    brisk_strdup(rhs), op};
    return r->text && r->lhs && r->rhs ? BRISK_OK : nomem(b);
}

/* group.partial's text: items separated by commas or newlines. */
static brisk_status parse_partial(builder *b, const char *text)
{
    brisk_status st = BRISK_OK;
    size_t items = 0;
    for (const char *at = text; at && *at && st == BRISK_OK;) {
        size_t len = strcspn(at, ",;\n");
        char item[256];
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
            if (!strchr(" \t\r", at[i]) && n < sizeof item - 1)
                item[n++] = at[i];
        item[n] = '\0';
        if (n)
            st = parse_released(b, item);
        items += n > 0;
        at += len;
        at += *at != '\0';
    }
    if (st == BRISK_OK && !items)
        st = partial_error(b, "no parameter given; write them as 'visual =~ x2, x3 ~ 1'");
    return st;
}

/* A threshold group.partial names ("x3|t2"): an ordered item's, with the
 * thresholds held equal; kept in the model for the WLSMV fit, which
 * checks the threshold's number against the item's categories. */
static brisk_status check_released_threshold(builder *b, const released *r, unsigned equal)
{
    brisk_model *m = b->m;
    int item = observed_index(m, r->lhs);
    if (!b->opt->ordered)
        return partial_error(b, "'%s' is a threshold: thresholds belong to ordered items "
                             "(--estimator wlsmv)", r->text);
    if (item < 0 || b->roles[item] & ROLE_PREDICTOR)
        return partial_error(b, "'%s': '%s' is not an ordered item of the model", r->text,
                             r->lhs);
    if (!(equal & BRISK_EQUAL_THRESHOLDS))
        return b->opt->group_partial_lenient
                   ? BRISK_OK
                   : partial_error(b, "'%s' is among the thresholds, which --group-equal "
                                   "does not hold equal: nothing to release (add 'thresholds' "
                                   "to --group-equal, or leave it out)", r->text);
    size_t cap = m->ntau_released, cap2 = m->ntau_released;
    if (!brisk_grow((void **)&m->tau_item, &cap, m->ntau_released + 1, sizeof *m->tau_item) ||
        !brisk_grow((void **)&m->tau_number, &cap2, m->ntau_released + 1,
                    sizeof *m->tau_number))
        return nomem(b);
    m->tau_item[m->ntau_released] = (size_t)item;
    m->tau_number[m->ntau_released++] = (size_t)strtol(r->rhs + 1, NULL, 10) - 1;
    return BRISK_OK;
}

/* Every parameter group.partial names is a free parameter of the first
 * group, unlabelled, of a class group.equal holds equal (lavaan ignores
 * the others silently; brisk says so). */
static brisk_status check_partial(builder *b, unsigned equal)
{
    const brisk_model *m = b->m;
    for (size_t i = 0; i < b->nreleased; i++) {
        const released *r = &b->released[i];
        if (r->op == BRISK_OP_THRESHOLD) {
            brisk_status st = check_released_threshold(b, r, equal);
            if (st != BRISK_OK)
                return st;
            continue;
        }
        size_t row = find_row(b, 0, r->lhs, r->op, r->rhs);
        if (row == (size_t)-1)
            return partial_error(b, "'%s' is not a parameter of the model (write it as "
                                 "lavaan's parameter table does: 'visual =~ x2', 'x3 ~ 1')",
                                 r->text);
        const brisk_param *p = &m->params[row];
        unsigned cls = equality_class(m, p);
        if (!(cls & equal) && b->opt->group_partial_lenient)
            continue;
        if (!(cls & equal))
            return partial_error(b, "'%s' is %s%s, which --group-equal does not hold equal: "
                                 "nothing to release (add '%s' to --group-equal, or leave "
                                 "it out)", r->text, cls ? "among the " : "",
                                 cls ? class_name(cls) : "in no class of --group-equal",
                                 cls ? class_name(cls) : r->text);
        if (p->free == 0)
            return partial_error(b, "'%s' is fixed in the model (%s), not estimated: "
                                 "nothing to release", r->text,
                                 p->fixed_x ? "a covariate's sample moment" : "its value");
        if (p->label[0])
            return partial_error(b, "'%s' has the label '%s' in the model, which decides its "
                                 "equality across groups; change the label instead", r->text,
                                 p->label);
    }
    return BRISK_OK;
}

/* The first group's free row that a later group's row is held equal to. */
static int equal_in_first_group(const builder *b, const brisk_param *p, unsigned equal)
{
    const brisk_model *m = b->m;
    if (p->group == 0 || !held_equal(b, p, equal))
        return 0;
    size_t j = find_row(b, 0, p->lhs, p->op, p->rhs);
    if (j == (size_t)-1)
        return 0;
    const brisk_param *q = &m->params[j];
    return q->free > 0 && held_equal(b, q, equal) ? q->free : 0;
}

/* A parameter held equal across groups and fixed in one of them is fixed
 * in all, at that value (lavaan fixes the whole equality set). */
static void fix_equal_sets(const builder *b, unsigned equal)
{
    brisk_model *m = b->m;
    for (size_t i = 0; m->ngroups > 1 && i < m->nparams; i++) {
        const brisk_param *p = &m->params[i];
        if (p->free != 0 || !held_equal(b, p, equal))
            continue;
        for (size_t g = 0; g < m->ngroups; g++) {
            size_t j = g == p->group ? (size_t)-1 : find_row(b, g, p->lhs, p->op, p->rhs);
            brisk_param *q = j == (size_t)-1 ? NULL : &m->params[j];
            if (q && q->free == -1 && held_equal(b, q, equal)) {
                q->free = 0;
                q->start = p->start;
            }
        }
    }
}

/* lavaan's name of a row for equality: its label, or else "lhs op rhs"
 * ("visual=~x2"), with ".g2" and so on after the first group.  Rows with
 * the same name are one parameter; so equal("visual=~x2")*x3 (or a label
 * spelt so) ties x3's loading to x2's, as in lavaan. */
typedef struct equality_names {
    char **name;           /* per row */
    brisk_lookup first;     /* the first row of each name (:= rows aside) */
    size_t *next;          /* per row: the next row of its name, or -1 */
    size_t *head;          /* per row: the first row of its name (-1 for := rows) */
} equality_names;

static void free_equality_names(equality_names *e, size_t n)
{
    for (size_t i = 0; e->name && i < n; i++)
        free(e->name[i]);
    free(e->name);
    brisk_lookup_free(&e->first);
    free(e->next);
    free(e->head);
}

static const char *equality_key(size_t r, const void *e)
{
    return ((const equality_names *)e)->name[r];
}

static size_t first_named(const equality_names *e, const char *name)
{
    return brisk_lookup_find_name(&e->first, name, equality_key, e);
}

/* Every row's name, and the rows of each name chained in row order, so
 * that what the names decide takes linear time. */
static brisk_status name_rows(builder *b, equality_names *e)
{
    const brisk_model *m = b->m;
    size_t n = m->nparams + 1;
    size_t *last = malloc(n * sizeof *last);
    e->name = calloc(n, sizeof *e->name);
    e->next = malloc(n * sizeof *e->next);
    e->head = malloc(n * sizeof *e->head);
    if (!last || !e->name || !e->next || !e->head) {
        free(last);
        return nomem(b);
    }
    for (size_t i = 0; i < m->nparams; i++) {
        const brisk_param *p = &m->params[i];
        brisk_buf buf = {0};
        bool ok = p->label[0] ? brisk_buf_puts(&buf, p->label)
                : p->group ? brisk_buf_printf(&buf, "%s%s%s.g%zu", p->lhs, brisk_op_text(p->op),
                                              p->rhs, p->group + 1)
                           : brisk_buf_printf(&buf, "%s%s%s", p->lhs, brisk_op_text(p->op),
                                              p->rhs);
        if (!ok || !(e->name[i] = buf.data)) {
            brisk_buf_free(&buf);
            free(last);
            return nomem(b);
        }
        e->next[i] = e->head[i] = (size_t)-1;
        if (p->op == BRISK_OP_DEFINE)
            continue;
        size_t h = first_named(e, e->name[i]);
        if (h == (size_t)-1) {
            if (!brisk_lookup_add_name(&e->first, e->name[i], i)) {
                free(last);
                return nomem(b);
            }
            h = i;
        } else {
            e->next[last[h]] = i;
        }
        e->head[i] = h;
        last[h] = i;
    }
    free(last);
    return BRISK_OK;
}

/* Free indices: rows of one name share one, and so do rows held equal
 * across groups. */
static brisk_status number_free_parameters(builder *b, unsigned equal, const equality_names *e)
{
    brisk_model *m = b->m;
    int *name_free = calloc(m->nparams + 1, sizeof *name_free);   /* per first row of a name */
    if (!name_free)
        return nomem(b);
    fix_equal_sets(b, equal);
    for (size_t i = 0; i < m->nparams; i++) {
        brisk_param *p = &m->params[i];
        if (p->free != -1)
            continue;
        size_t h = e->head[i];
        p->free = h != (size_t)-1 ? name_free[h] : 0;
        if (!p->free)
            p->free = equal_in_first_group(b, p, equal);
        if (!p->free)
            p->free = (int)++m->nfree;
        if (h != (size_t)-1 && !name_free[h])
            name_free[h] = p->free;
    }
    free(name_free);
    return BRISK_OK;
}

/* A name shared by a fixed row and a free one makes the free one fixed at
 * the fixed one's value, the first fixed row's (lavaan fixes the whole
 * equality set). */
static void apply_fixed_names(brisk_model *m, const equality_names *e)
{
    for (size_t h = 0; h < m->nparams; h++) {
        if (e->head[h] != h)
            continue;   /* not the first row of a name */
        const brisk_param *fixed = NULL;
        for (size_t r = h; r != (size_t)-1 && !fixed; r = e->next[r])
            if (!m->params[r].free && !m->params[r].fixed_x)
                fixed = &m->params[r];
        for (size_t r = h; fixed && r != (size_t)-1; r = e->next[r])
            if (m->params[r].free) {
                m->params[r].free = 0;
                m->params[r].start = fixed->start;
            }
    }
}

/* Is row r one that term t of statement s made? */
static bool made_by(const brisk_param *p, const brisk_statement *s, const brisk_term *t)
{
    if (strcmp(t->name, "1") == 0)
        return p->op == BRISK_OP_INTERCEPT && strcmp(p->lhs, s->lhs) == 0;
    if (p->op != s->op)
        return false;
    return (strcmp(p->lhs, s->lhs) == 0 && strcmp(p->rhs, t->name) == 0) ||
           (s->op == BRISK_OP_COVARY && strcmp(p->rhs, s->lhs) == 0 &&
            strcmp(p->lhs, t->name) == 0);
}

/* Every equal("...") names a parameter other than its own: a label or an
 * "lhs op rhs" (never silently an unused label). */
static brisk_status check_references(builder *b, const equality_names *e)
{
    const brisk_model *m = b->m;
    for (size_t i = 0; i < b->syn->n; i++) {
        const brisk_statement *s = &b->syn->stmts[i];
        for (size_t k = 0; k < s->nrhs; k++)
            for (size_t j = 0; j < s->rhs[k].nmods; j++) {
                const brisk_modifier *mod = &s->rhs[k].mods[j];
                if (!mod->is_equal)
                    continue;
                char want[512];
                size_t n = 0;
                for (const char *c = mod->label; *c && n < sizeof want - 1; c++)
                    if (*c != ' ')
                        want[n++] = *c;
                want[n] = '\0';
                bool found = false;
                for (size_t r = first_named(e, want); r != (size_t)-1 && !found; r = e->next[r])
                    found = !made_by(&m->params[r], s, &s->rhs[k]);
                if (found)
                    continue;
                brisk_error_at(b->err, m->source, s->rhs[k].line, s->rhs[k].column);
                return brisk_error_set(b->err, BRISK_ERR_FORMAT,
                                       "model syntax: equal(\"%s\") names no other parameter "
                                       "of the model: write a label, or lhs op rhs as in "
                                       "equal(\"f=~x2\")", mod->label);
            }
    }
    return BRISK_OK;
}

static void locate(brisk_model *m)
{
    for (size_t i = 0; i < m->nparams; i++) {
        const brisk_param *p = &m->params[i];
        sem_pos *pos = &m->pos[i];
        int l = brisk_sem_var_index(m, p->lhs), r = brisk_sem_var_index(m, p->rhs);
        switch (p->op) {
        case BRISK_OP_MEASURE: *pos = (sem_pos){SEM_A, r, l}; break;
        case BRISK_OP_REGRESS: *pos = (sem_pos){SEM_A, l, r}; break;
        case BRISK_OP_COVARY: *pos = (sem_pos){SEM_S, l, r}; break;
        case BRISK_OP_INTERCEPT: *pos = (sem_pos){SEM_M, l, 0}; break;
        default: *pos = (sem_pos){SEM_NONE, 0, 0}; break;
        }
    }
}

static brisk_status check_supported(builder *b)
{
    for (size_t i = 0; i < b->syn->n; i++) {
        const brisk_statement *s = &b->syn->stmts[i];
        if (s->op == BRISK_OP_THRESHOLD && b->opt->ordered) {
            /* WLSMV estimates every threshold: a value or a label on one
             * would be a constraint this version does not fit */
            for (size_t t = 0; t < s->nrhs; t++)
                if (s->rhs[t].nmods || s->rhs[t].has_start) {
                    brisk_error_at(b->err, b->m->source, s->rhs[t].line, s->rhs[t].column);
                    return brisk_error_set(b->err, BRISK_ERR_FORMAT, "model syntax: fixed or "
                                           "labelled thresholds are not supported; write "
                                           "'%s | t1 + t2 + ...' or leave the line out",
                                           s->lhs);
                }
            continue;
        }
        if (s->op == BRISK_OP_THRESHOLD && !b->opt->skip_thresholds) {
            brisk_error_at(b->err, b->m->source, s->line, s->column);
            return brisk_error_set(b->err, BRISK_ERR_FORMAT, "model syntax: thresholds ('|') "
                                   "belong to ordered items: fit them with --estimator wlsmv");
        }
    }
    return BRISK_OK;
}

brisk_status brisk_model_new(const brisk_syntax *syntax, const char *const *ov_names,
                             size_t n_ov_names, const brisk_model_options *opt,
                             brisk_model **out, brisk_error *err)
{
    static const brisk_model_options defaults = {0};
    *out = NULL;
    builder b = {.syn = syntax, .opt = opt ? opt : &defaults, .err = err, .columns = ov_names};
    equality_names names = {0};
    brisk_model *m = b.m = calloc(1, sizeof *m);
    if (!m)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    m->std_lv = b.opt->std_lv;
    m->std_se = b.opt->std_se;
    m->ordered = b.opt->ordered;
    m->theta = b.opt->ordered && b.opt->theta;
    m->pairwise = b.opt->ordered && b.opt->pairwise;
    m->equal_thresholds = b.opt->ordered && (b.opt->group_equal & BRISK_EQUAL_THRESHOLDS);
    m->no_fixed_x = b.opt->no_fixed_x;
    m->ngroups = b.opt->ngroups > 1 ? b.opt->ngroups : 1;
    /* lavaan's cluster= forces a mean structure */
    m->meanstructure = b.opt->meanstructure || m->ngroups > 1 || b.opt->fiml || b.opt->ordered ||
                       b.opt->cluster;
    m->source = brisk_strdup(b.opt->name ? b.opt->name : "model");
    m->weight = b.opt->weight ? brisk_strdup(b.opt->weight) : NULL;
    m->cluster = b.opt->cluster ? brisk_strdup(b.opt->cluster) : NULL;
    brisk_status st = m->source && (m->weight || !b.opt->weight) &&
                              (m->cluster || !b.opt->cluster)
                          ? check_supported(&b) : nomem(&b);
    for (size_t j = 0; st == BRISK_OK && j < n_ov_names; j++)
        if (!brisk_lookup_add_name(&b.column_index, ov_names[j], j))
            st = nomem(&b);
    if (st == BRISK_OK)
        st = collect_variables(&b);
    if (st == BRISK_OK && m->p == 0) {
        brisk_error_at(err, m->source, syntax->n ? syntax->stmts[0].line : 0, 0);
        st = brisk_error_set(err, BRISK_ERR_FORMAT, "the model names no observed variable; "
                             "a model needs items measured in the data");
    }
    for (size_t i = 0; st == BRISK_OK && i < syntax->n; i++)
        if (is_structural(syntax->stmts[i].op) && kept(&b, &syntax->stmts[i]))
            st = check_observed(&b, &syntax->stmts[i]);
    if (st == BRISK_OK && !b.opt->ordered && b.opt->rows_available &&
        b.opt->rows_available <= m->p) {
        /* what the fit would say, before a table of rows is built for it */
        st = brisk_error_set(err, BRISK_ERR_DATA, "%zu rows of data for %zu observed variables: "
                             "the sample covariance matrix would be singular; more respondents "
                             "are needed (or use fewer items)", b.opt->rows_available, m->p);
    }
    if (st == BRISK_OK && b.opt->group_partial &&
        !(b.opt->group_partial_lenient && !b.opt->group_equal)) {
        if (m->ngroups < 2 || !b.opt->group_equal)
            st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "--group-partial releases "
                                 "parameters that --group-equal holds equal across groups "
                                 "(--group): give both");
        else
            st = parse_partial(&b, b.opt->group_partial);
    }
    if (st == BRISK_OK && !(b.has_loading = calloc(m->m + 1, sizeof *b.has_loading)))
        st = nomem(&b);
    for (size_t g = 0; st == BRISK_OK && g < m->ngroups; g++) {
        m->building_group = g;
        st = user_rows(&b);
        if (st == BRISK_OK && g == 0)
            st = find_roles(&b);
        if (st == BRISK_OK && g == 0)
            st = find_continuous(&b);
        if (st == BRISK_OK)
            st = default_rows(&b);
    }
    m->building_group = 0;
    if (st == BRISK_OK)
        st = defined_rows(&b);
    if (st == BRISK_OK)
        st = check_partial(&b, b.opt->group_equal);
    if (st == BRISK_OK)
        st = name_rows(&b, &names);
    if (st == BRISK_OK)
        st = check_references(&b, &names);
    if (st == BRISK_OK) {
        apply_fixed_names(m, &names);
        st = number_free_parameters(&b, b.opt->group_equal, &names);
    }
    free_equality_names(&names, m->nparams);
    if (st == BRISK_OK && b.shared_labels.len &&
        model_warn(&b, "the label%s %s hold%s parameters equal across the %zu groups (one "
                   "label for every group, as lavaan reads it); give one label per group, as "
                   "c(a1, a2)*x, to let them differ", strchr(b.shared_labels.data, ',') ? "s" : "",
                   b.shared_labels.data, strchr(b.shared_labels.data, ',') ? "" : "s",
                   m->ngroups) != BRISK_OK)
        st = BRISK_ERR_NOMEM;
    builder_free(&b);
    if (st != BRISK_OK) {
        brisk_model_free(m);
        return st;
    }
    locate(m);
    m->nreduced = m->npar = m->nfree;
    if ((st = b.opt->measurement_only ? BRISK_OK : brisk_sem_constraints(m, syntax, err))) {
        brisk_model_free(m);
        return st;
    }
    if (!(m->fixed_x = calloc(m->p + 1, sizeof *m->fixed_x))) {
        brisk_model_free(m);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    /* a fixed covariate has its variance among the fixed.x rows; the
     * estimators ask per row of data, so it is looked up once here */
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        if (par->fixed_x && par->op == BRISK_OP_COVARY && m->pos[r].row == m->pos[r].col &&
            m->pos[r].row >= 0 && (size_t)m->pos[r].row < m->p)
            m->fixed_x[m->pos[r].row] = true;
    }
    *out = m;
    return BRISK_OK;
}

bool brisk_sem_is_fixed_x(const brisk_model *m, size_t i)
{
    return i < m->p && m->fixed_x[i];
}

size_t brisk_model_nexogenous(const brisk_model *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->p; i++)
        k += m->fixed_x[i];
    return k;
}

size_t brisk_model_nparams(const brisk_model *m) { return m->nparams; }
size_t brisk_model_ngroups(const brisk_model *m) { return m->ngroups; }
const char *brisk_model_weight(const brisk_model *m) { return m->weight; }
const char *brisk_model_cluster(const brisk_model *m) { return m->cluster; }
const brisk_param *brisk_model_param(const brisk_model *m, size_t row) { return &m->params[row]; }
size_t brisk_model_nfree(const brisk_model *m) { return m->nfree; }
size_t brisk_model_nobserved(const brisk_model *m) { return m->p; }
const char *brisk_model_observed(const brisk_model *m, size_t i) { return m->ov[i]; }
size_t brisk_model_nlatent(const brisk_model *m) { return m->m; }
bool brisk_model_meanstructure(const brisk_model *m) { return m->meanstructure; }
bool brisk_model_theta(const brisk_model *m) { return m->theta; }
bool brisk_model_pairwise(const brisk_model *m) { return m->pairwise; }
const char *brisk_model_latent(const brisk_model *m, size_t i) { return m->lv[i]; }
