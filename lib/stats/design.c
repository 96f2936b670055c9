/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An R formula read into the model matrix of the rows it can use:
 * numeric predictors as they are, categorical ones as treatment dummies
 * (the first level the reference), interactions as products, rows with a
 * missing value left out and counted. */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "design.h"

#define MAX_VARS 64
#define MAX_TERMS 256
#define MAX_ORDER 8

/* A variable of the formula and how it enters the model. */
typedef struct variable {
    const brisk_column *col;
    bool categorical;
    char **levels;        /* categorical: level names in order */
    double *codes;        /* numeric categorical: each level's code */
    size_t nlevels;
} variable;

/* A term: the product of up to MAX_ORDER variables, in the order written. */
typedef struct term {
    size_t var[MAX_ORDER];
    size_t order;
} term;

typedef struct builder {
    const brisk_dataset *ds;
    const brisk_regress_options *opt;
    brisk_error *err;
    variable vars[MAX_VARS];
    size_t nvars;
    term terms[MAX_TERMS];
    size_t nterms;
    bool intercept;
    size_t outcome;       /* index into vars */
} builder;

/* ------------------------------------------------------------ formula */

static brisk_status formula_error(builder *b, const char *formula, const char *at,
                                  const char *what)
{
    return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': %s at column %ld", formula,
                           what, (long)(at - formula) + 1);
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* The variable named name (added when new). */
static brisk_status variable_of(builder *b, const char *name, size_t len, size_t *out)
{
    for (size_t i = 0; i < b->nvars; i++)
        if (strlen(b->vars[i].col->name) == len && strncmp(b->vars[i].col->name, name, len) == 0) {
            *out = i;
            return BRISK_OK;
        }
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), name);
    const brisk_column *col = NULL;
    for (size_t c = 0; c < b->ds->ncols && !col; c++)
        if (strcmp(b->ds->cols[c].name, buf) == 0)
            col = &b->ds->cols[c];
    if (!col) {
        brisk_error_variable(b->err, buf);
        return brisk_error_set(b->err, BRISK_ERR_COLUMN, "'%s' in the formula is not a column "
                               "of %s", buf, b->opt->source ? b->opt->source : "the data");
    }
    if (b->nvars == MAX_VARS)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "a formula may name at most %d "
                               "variables", MAX_VARS);
    b->vars[b->nvars] = (variable){.col = col};
    *out = b->nvars++;
    return BRISK_OK;
}

static bool same_term(const term *a, const term *c)
{
    if (a->order != c->order)
        return false;
    for (size_t i = 0; i < a->order; i++) {
        bool found = false;
        for (size_t j = 0; j < c->order && !found; j++)
            found = a->var[i] == c->var[j];
        if (!found)
            return false;
    }
    return true;
}

static brisk_status add_term(builder *b, const term *t)
{
    for (size_t i = 0; i < b->nterms; i++)
        if (same_term(&b->terms[i], t))
            return BRISK_OK;
    if (b->nterms == MAX_TERMS)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "a formula may have at most %d terms",
                               MAX_TERMS);
    b->terms[b->nterms++] = *t;
    return BRISK_OK;
}

/* One summand: groups of ':'-joined names separated by '*'; a*b stands for
 * a + b + a:b, so every non-empty subset of the groups is a term. */
static brisk_status parse_summand(builder *b, const char *formula, const char **pp)
{
    term groups[MAX_ORDER];
    size_t ngroups = 0;
    const char *p = *pp;
    term cur = {0};
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (is_name_char(*p))
            p++;
        if (p == start)
            return formula_error(b, formula, p, "expected a variable name");
        size_t v;
        brisk_status st = variable_of(b, start, (size_t)(p - start), &v);
        if (st != BRISK_OK)
            return st;
        if (cur.order == MAX_ORDER)
            return formula_error(b, formula, start, "too many variables in one interaction");
        cur.var[cur.order++] = v;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ':') {
            p++;
            continue;
        }
        if (ngroups == MAX_ORDER)
            return formula_error(b, formula, p, "too many '*' in one term");
        groups[ngroups++] = cur;
        cur = (term){0};
        if (*p != '*')
            break;
        p++;
    }
    *pp = p;
    /* subsets by size, so that main effects come before interactions */
    for (size_t size = 1; size <= ngroups; size++)
        for (unsigned mask = 1; mask < (1u << ngroups); mask++) {
            if ((size_t)__builtin_popcount(mask) != size)
                continue;
            term t = {0};
            for (size_t g = 0; g < ngroups; g++)
                for (size_t i = 0; (mask >> g & 1) && i < groups[g].order; i++) {
                    if (t.order == MAX_ORDER)
                        return formula_error(b, formula, *pp, "interaction of too high order");
                    t.var[t.order++] = groups[g].var[i];
                }
            brisk_status st = add_term(b, &t);
            if (st != BRISK_OK)
                return st;
        }
    return BRISK_OK;
}

/* An intercept switch: "1" keeps it, "0" (or "- 1") drops it. */
static bool parse_constant(const char **pp, bool minus, bool *intercept)
{
    const char *p = *pp;
    if ((*p != '0' && *p != '1') || is_name_char(p[1]))
        return false;
    *intercept = minus ? *p == '0' : *p == '1';
    *pp = p + 1;
    return true;
}

/* Terms in the order R's terms() gives them: by order, then as written. */
static void order_terms(builder *b)
{
    term sorted[MAX_TERMS];
    size_t k = 0;
    for (size_t order = 1; order <= MAX_ORDER; order++)
        for (size_t i = 0; i < b->nterms; i++)
            if (b->terms[i].order == order)
                sorted[k++] = b->terms[i];
    memcpy(b->terms, sorted, k * sizeof *sorted);
}

static brisk_status parse_formula(builder *b, const char *formula)
{
    const char *tilde = strchr(formula, '~');
    if (!tilde)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': no '~' between the "
                               "outcome and the predictors (write 'y ~ x1 + x2')", formula);
    const char *p = formula;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *start = p;
    while (is_name_char(*p))
        p++;
    const char *end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (end == start || p != tilde)
        return formula_error(b, formula, start, "the outcome must be a single column name");
    brisk_status st = variable_of(b, start, (size_t)(end - start), &b->outcome);
    b->intercept = true;
    p = tilde + 1;
    bool minus = false, first = true;
    while (st == BRISK_OK) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return formula_error(b, formula, p, first ? "expected predictors after '~'"
                                                      : "expected a variable name");
        if (!parse_constant(&p, minus, &b->intercept)) {
            if (minus)
                return formula_error(b, formula, p, "only '- 1' can be taken away");
            st = parse_summand(b, formula, &p);
        }
        while (st == BRISK_OK && (*p == ' ' || *p == '\t'))
            p++;
        if (st != BRISK_OK || !*p)
            break;
        if (*p != '+' && *p != '-')
            return formula_error(b, formula, p, "expected '+', '-', ':' or '*'");
        minus = *p == '-';
        first = false;
        p++;
    }
    for (size_t i = 0; st == BRISK_OK && i < b->nterms; i++)
        for (size_t j = 0; j < b->terms[i].order; j++)
            if (b->terms[i].var[j] == b->outcome)
                return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': the outcome "
                                       "'%s' is also a predictor", formula,
                                       b->vars[b->outcome].col->name);
    if (st == BRISK_OK && b->nterms == 0 && !b->intercept)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': no predictor and no "
                               "intercept", formula);
    order_terms(b);
    return st;
}

/* ------------------------------------------------------------ levels */

static const brisk_levels *levels_given(const builder *b, const char *column)
{
    for (size_t i = 0; i < b->opt->nlevels; i++)
        if (strcmp(b->opt->levels[i].column, column) == 0)
            return &b->opt->levels[i];
    return NULL;
}

/* A numeric value's name: its value label, else the number. */
static char *code_name(const brisk_column *c, double v)
{
    for (size_t i = 0; i < c->n_labels; i++)
        if (c->labels[i].value == v && c->labels[i].label)
            return brisk_strdup(c->labels[i].label);
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", v);
    return brisk_strdup(buf);
}

static int compare_doubles(const void *a, const void *c)
{
    double x = *(const double *)a, y = *(const double *)c;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *c)
{
    return strcmp(*(char *const *)a, *(char *const *)c);
}

static bool is_missing(const brisk_column *c, size_t row)
{
    return c->miss[row] != BRISK_MISS_NONE || (c->type == BRISK_NUMERIC && isnan(c->num[row]));
}

/* The distinct values of column c in the rows used, sorted. */
static brisk_status distinct_values(builder *b, const variable *v, const bool *used,
                                    void **values, size_t *count)
{
    const brisk_column *c = v->col;
    size_t n = b->ds->nrows, k = 0;
    bool text = c->type == BRISK_STRING;
    void *all = malloc((n + 1) * (text ? sizeof(char *) : sizeof(double)));
    if (!all)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < n; r++)
        if (used[r]) {
            if (text)
                ((char **)all)[k++] = c->str[r];
            else
                ((double *)all)[k++] = c->num[r];
        }
    qsort(all, k, text ? sizeof(char *) : sizeof(double), text ? compare_strings : compare_doubles);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        bool same = i > 0 && (text ? strcmp(((char **)all)[i], ((char **)all)[m - 1]) == 0
                                   : ((double *)all)[i] == ((double *)all)[m - 1]);
        if (same)
            continue;
        if (text)
            ((char **)all)[m++] = ((char **)all)[i];
        else
            ((double *)all)[m++] = ((double *)all)[i];
    }
    *values = all;
    *count = m;
    return BRISK_OK;
}

/* Does the written level name the value (text, code, or value label)? */
static bool level_matches(const brisk_column *c, const char *written, const char *text, double v)
{
    if (c->type == BRISK_STRING)
        return strcmp(written, text) == 0;
    char *end;
    double x = strtod(written, &end);
    if (end != written && !*end && x == v)
        return true;
    for (size_t i = 0; i < c->n_labels; i++)
        if (c->labels[i].value == v && c->labels[i].label && strcmp(c->labels[i].label, written) == 0)
            return true;
    return false;
}

/* Order the distinct values as --levels says: every value must be listed,
 * every listed level must occur. */
static brisk_status order_by_given(builder *b, variable *v, const brisk_levels *given,
                                   void *values, size_t count, size_t *order)
{
    const brisk_column *c = v->col;
    bool text = c->type == BRISK_STRING;
    for (size_t i = 0; i < count; i++) {
        const char *s = text ? ((char **)values)[i] : NULL;
        double x = text ? 0 : ((double *)values)[i];
        size_t at = (size_t)-1;
        for (size_t j = 0; j < given->n && at == (size_t)-1; j++)
            if (level_matches(c, given->levels[j], s, x))
                at = j;
        if (at == (size_t)-1) {
            char *name = text ? brisk_strdup(s) : code_name(c, x);
            brisk_error_variable(b->err, c->name);
            brisk_error_set(b->err, BRISK_ERR_DATA, "'%s' of column '%s' is not among the "
                            "levels given for it; list every level", name ? name : "?", c->name);
            free(name);
            return BRISK_ERR_DATA;
        }
        order[i] = at;
    }
    for (size_t j = 0; j < given->n; j++) {
        bool found = false;
        for (size_t i = 0; i < count && !found; i++)
            found = order[i] == j;
        if (!found) {
            brisk_error_variable(b->err, c->name);
            return brisk_error_set(b->err, BRISK_ERR_MODEL, "empty category: level '%s' of "
                                   "'%s' has no respondents among the rows used; drop it from "
                                   "the levels or merge it with another", given->levels[j],
                                   c->name);
        }
    }
    return BRISK_OK;
}

/* The levels of a categorical variable (or outcome), in their order. */
static brisk_status find_levels(builder *b, variable *v, const bool *used)
{
    void *values = NULL;
    size_t count = 0;
    brisk_status st = distinct_values(b, v, used, &values, &count);
    if (st != BRISK_OK)
        return st;
    const brisk_column *c = v->col;
    bool text = c->type == BRISK_STRING;
    size_t *order = malloc((count + 1) * sizeof *order);
    v->levels = calloc(count + 1, sizeof *v->levels);
    v->codes = calloc(count + 1, sizeof *v->codes);
    if (!order || !v->levels || !v->codes)
        st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    const brisk_levels *given = levels_given(b, c->name);
    for (size_t i = 0; st == BRISK_OK && i < count; i++)
        order[i] = i;   /* sorted: numbers by value (so codes), text byte by byte */
    if (st == BRISK_OK && given)
        st = order_by_given(b, v, given, values, count, order);
    size_t n = given ? given->n : count;
    for (size_t i = 0; st == BRISK_OK && i < count; i++) {
        size_t at = order[i];
        v->codes[at] = text ? (double)i : ((double *)values)[i];
        v->levels[at] = text ? brisk_strdup(((char **)values)[i]) : code_name(c, ((double *)values)[i]);
        if (!v->levels[at])
            st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    v->nlevels = st == BRISK_OK ? n : 0;
    free(order);
    free(values);
    return st;
}

/* The level index of row r of a categorical variable. */
static size_t level_of(const variable *v, size_t r)
{
    const brisk_column *c = v->col;
    for (size_t i = 0; i < v->nlevels; i++)
        if (c->type == BRISK_STRING ? strcmp(c->str[r], v->levels[i]) == 0 : c->num[r] == v->codes[i])
            return i;
    return 0;
}

static bool is_categorical(const builder *b, const brisk_column *c)
{
    return c->type == BRISK_STRING || c->n_labels > 0 || levels_given(b, c->name) != NULL;
}

brisk_status brisk_design_group_levels(const brisk_dataset *ds, const brisk_column *c,
                                       design_levels *out, brisk_error *err)
{
    static const brisk_regress_options none = {0};
    memset(out, 0, sizeof *out);
    builder *b = calloc(1, sizeof *b);
    bool *used = calloc(ds->nrows + 1, sizeof *used);
    brisk_status st = b && used ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    variable v = {.col = c, .categorical = true};
    if (st == BRISK_OK) {
        *b = (builder){.ds = ds, .opt = &none, .err = err};
        for (size_t r = 0; r < ds->nrows; r++)
            used[r] = !is_missing(c, r);
        st = find_levels(b, &v, used);
    }
    *out = (design_levels){.names = v.levels, .codes = v.codes, .n = v.nlevels};
    if (st != BRISK_OK)
        brisk_design_levels_free(out);
    free(b);
    free(used);
    return st;
}

size_t brisk_design_level_of(const brisk_column *c, const design_levels *lv, size_t row)
{
    if (is_missing(c, row))
        return (size_t)-1;
    variable v = {.col = c, .levels = lv->names, .codes = lv->codes, .nlevels = lv->n};
    return level_of(&v, row);
}

void brisk_design_levels_free(design_levels *lv)
{
    for (size_t i = 0; lv->names && i < lv->n; i++)
        free(lv->names[i]);
    free(lv->names);
    free(lv->codes);
    memset(lv, 0, sizeof *lv);
}

/* ------------------------------------------------------------ rows */

static brisk_status weight_column(builder *b, const brisk_column **out)
{
    *out = NULL;
    if (!b->opt->weight)
        return BRISK_OK;
    for (size_t c = 0; c < b->ds->ncols; c++)
        if (strcmp(b->ds->cols[c].name, b->opt->weight) == 0)
            *out = &b->ds->cols[c];
    brisk_error_variable(b->err, b->opt->weight);
    if (!*out)
        return brisk_error_set(b->err, BRISK_ERR_COLUMN, "weight '%s' is not a column of %s",
                               b->opt->weight, b->opt->source ? b->opt->source : "the data");
    if ((*out)->type != BRISK_NUMERIC)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "weight '%s' holds text, not numbers",
                               b->opt->weight);
    return BRISK_OK;
}

/* Rows with every variable present (among opt's rows, if it lists them);
 * a weight must be present, >= 0 (and whole for frequency weights) in
 * every one of them. */
static brisk_status used_rows(builder *b, const brisk_column *wc, bool *used, size_t *n)
{
    *n = 0;
    const brisk_regress_options *o = b->opt;
    for (size_t r = 0; r < b->ds->nrows; r++)
        used[r] = !o->rows;   /* first: the rows the options list */
    for (size_t i = 0; o->rows && i < o->nrows; i++)
        if (o->rows[i] < b->ds->nrows)
            used[o->rows[i]] = true;
    for (size_t r = 0; r < b->ds->nrows; r++) {
        if (!used[r])
            continue;
        for (size_t i = 0; i < b->nvars && used[r]; i++)
            used[r] = !is_missing(b->vars[i].col, r);
        if (!used[r] || !wc)
            continue;
        double w = wc->num[r];
        bool whole = b->opt->weight_type != BRISK_WEIGHT_FREQUENCY || w == floor(w);
        if (is_missing(wc, r) || !(w >= 0) || !isfinite(w) || !whole) {
            brisk_error_variable(b->err, wc->name);
            return brisk_error_set(b->err, BRISK_ERR_DATA, "weight '%s' in data row %zu is %s; "
                                   "%s", wc->name, r + 1,
                                   is_missing(wc, r) ? "missing" : !whole ? "not a whole number"
                                                                         : "negative",
                                   !whole ? "frequency weights count cases"
                                          : "every row used needs a weight of 0 or more");
        }
    }
    for (size_t r = 0; r < b->ds->nrows; r++)
        *n += used[r];
    return BRISK_OK;
}

/* ------------------------------------------------------------ columns */

/* How many model-matrix columns term t gives (categorical: levels - 1,
 * or all of them for the first categorical main effect of a model
 * without intercept, as R codes it). */
static size_t term_width(const builder *b, const term *t, bool full)
{
    size_t width = 1;
    for (size_t i = 0; i < t->order; i++) {
        const variable *v = &b->vars[t->var[i]];
        if (v->categorical)
            width *= full ? v->nlevels : v->nlevels - 1;
    }
    return width;
}

/* Column j of term t: the level of each categorical part (the first part
 * varying fastest, as R names them) and the column's name. */
static char *term_column(const builder *b, const term *t, size_t j, bool full, size_t *level)
{
    brisk_buf name = {0};
    bool ok = true;
    for (size_t i = 0; i < t->order && ok; i++) {
        const variable *v = &b->vars[t->var[i]];
        ok = (i == 0 || brisk_buf_puts(&name, ":")) && brisk_buf_puts(&name, v->col->name);
        if (!v->categorical)
            continue;
        size_t m = full ? v->nlevels : v->nlevels - 1;
        level[i] = j % m + (full ? 0 : 1);
        j /= m;
        ok = ok && brisk_buf_puts(&name, "=") && brisk_buf_puts(&name, v->levels[level[i]]);
    }
    if (!ok) {
        brisk_buf_free(&name);
        return NULL;
    }
    return name.data;
}

static double cell_value(const builder *b, const term *t, const size_t *level, size_t r)
{
    double x = 1;
    for (size_t i = 0; i < t->order; i++) {
        const variable *v = &b->vars[t->var[i]];
        x *= v->categorical ? (double)(level_of(v, r) == level[i]) : v->col->num[r];
    }
    return x;
}

static brisk_status fill_matrix(builder *b, const bool *used, design *d)
{
    size_t k = d->intercept ? 1 : 0, full_at = (size_t)-1;
    for (size_t t = 0; t < b->nterms && !d->intercept && full_at == (size_t)-1; t++)
        if (b->terms[t].order == 1 && b->vars[b->terms[t].var[0]].categorical)
            full_at = t;
    for (size_t t = 0; t < b->nterms; t++)
        k += term_width(b, &b->terms[t], t == full_at);
    d->k = k;
    d->x = malloc((d->n * k + 1) * sizeof *d->x);
    d->terms = calloc(k + 1, sizeof *d->terms);
    if (!d->x || !d->terms)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    size_t col = 0;
    if (d->intercept) {
        if (!(d->terms[col] = brisk_strdup("(Intercept)")))
            return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < d->n; i++)
            d->x[i * k] = 1;
        col++;
    }
    for (size_t t = 0; t < b->nterms; t++) {
        const term *tm = &b->terms[t];
        for (size_t j = 0; j < term_width(b, tm, t == full_at); j++, col++) {
            size_t level[MAX_ORDER] = {0};
            if (!(d->terms[col] = term_column(b, tm, j, t == full_at, level)))
                return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
            for (size_t r = 0, i = 0; r < b->ds->nrows; r++)
                if (used[r])
                    d->x[i++ * k + col] = cell_value(b, tm, level, r);
        }
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ outcome */

/* A logit of "the answer lies in [event_min, event_max]" (agreement). */
static brisk_status event_outcome(builder *b, const bool *used, const brisk_column *wc, design *d)
{
    const brisk_column *c = b->vars[b->outcome].col;
    const brisk_regress_options *o = b->opt;
    if (c->type == BRISK_STRING)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text, not answers "
                               "on a scale", c->name);
    char range[64];
    snprintf(range, sizeof range, "%g..%g", o->event_min, o->event_max);
    d->levels = calloc(3, sizeof *d->levels);
    if (!d->levels || !(d->levels[0] = brisk_strdup("other")) ||
        !(d->levels[1] = brisk_strdup(range)))
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    d->nlevels = 2;
    size_t events = 0;
    for (size_t r = 0, i = 0; r < b->ds->nrows; r++) {
        if (!used[r])
            continue;
        d->y[i] = c->num[r] >= o->event_min && c->num[r] <= o->event_max;
        events += d->y[i] > 0;
        d->w[i++] = wc ? wc->num[r] : 1;
    }
    if (events == 0 || events == d->n)
        return brisk_error_set(b->err, BRISK_ERR_MODEL, "outcome '%s': %s of the rows used "
                               "answer %s; nothing to explain", c->name,
                               events ? "all" : "none", range);
    return BRISK_OK;
}

static brisk_status fill_outcome(builder *b, const bool *used, const brisk_column *wc, design *d)
{
    variable *v = &b->vars[b->outcome];
    const brisk_column *c = v->col;
    d->outcome = brisk_strdup(c->name);
    d->y = malloc((d->n + 1) * sizeof *d->y);
    d->w = malloc((d->n + 1) * sizeof *d->w);
    if (!d->outcome || !d->y || !d->w)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    brisk_family fam = b->opt->family;
    brisk_error_variable(b->err, c->name);
    if (fam == BRISK_FAMILY_OLS && c->type == BRISK_STRING)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text: OLS needs a "
                               "numeric outcome (or use --family logit or ordinal)", c->name);
    if (fam == BRISK_FAMILY_ORDINAL && c->type == BRISK_STRING && !levels_given(b, c->name))
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text, whose order "
                               "brisk cannot know: give it with --levels %s=lowest,...,highest",
                               c->name, c->name);
    if (fam == BRISK_FAMILY_LOGIT && b->opt->has_event)
        return event_outcome(b, used, wc, d);
    if (fam != BRISK_FAMILY_OLS) {
        brisk_status st = find_levels(b, v, used);
        if (st != BRISK_OK)
            return st;
        if (fam == BRISK_FAMILY_LOGIT && v->nlevels != 2)
            return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' has %zu different "
                                   "values among the rows used; a logit needs two (use "
                                   "--family ordinal for more)", c->name, v->nlevels);
        if (v->nlevels < 2)
            return brisk_error_set(b->err, BRISK_ERR_MODEL, "outcome '%s' takes one value in "
                                   "every row used: nothing to explain", c->name);
    }
    for (size_t r = 0, i = 0; r < b->ds->nrows; r++) {
        if (!used[r])
            continue;
        d->y[i] = fam == BRISK_FAMILY_OLS ? c->num[r] : (double)level_of(v, r);
        d->w[i++] = wc ? wc->num[r] : 1;
    }
    if (fam != BRISK_FAMILY_OLS) {
        d->nlevels = v->nlevels;
        d->levels = v->levels;   /* the design owns them now */
        v->levels = NULL;
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ the design */

static void free_variables(builder *b)
{
    for (size_t i = 0; i < b->nvars; i++) {
        for (size_t j = 0; b->vars[i].levels && j < b->vars[i].nlevels; j++)
            free(b->vars[i].levels[j]);
        free(b->vars[i].levels);
        free(b->vars[i].codes);
    }
}

double brisk_design_total_weight(const design *d)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += d->w[i];
    return s;
}

void brisk_design_free(design *d)
{
    for (size_t j = 0; d->terms && j < d->k; j++)
        free(d->terms[j]);
    for (size_t j = 0; d->levels && j < d->nlevels; j++)
        free(d->levels[j]);
    free(d->terms);
    free(d->levels);
    free(d->x);
    free(d->y);
    free(d->w);
    free(d->outcome);
    brisk_sampling_free(&d->sampling);
    free(d->at);
    memset(d, 0, sizeof *d);
}

/* The sampling design of the rows in scope (the options' rows, or every
 * row): rows left out for a missing value stay in it with zero scores, as
 * R's survey package keeps a subset's PSUs (domain estimation); d->at maps
 * each used row to its design row, and the degrees of freedom count the
 * PSUs and strata of the rows used (survey's degf of the subset). */
static brisk_status find_design(builder *b, const bool *used, design *d)
{
    const brisk_regress_options *o = b->opt;
    size_t nscope = o->rows ? o->nrows : b->ds->nrows;
    size_t *rows = malloc((nscope + 1) * sizeof *rows);
    d->at = malloc((d->n + 1) * sizeof *d->at);
    if (!rows || !d->at) {
        free(rows);
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0, k = 0; i < nscope; i++) {
        rows[i] = o->rows ? o->rows[i] : i;
        if (rows[i] < b->ds->nrows && used[rows[i]])
            d->at[k++] = i;
    }
    sampling_spec spec = {.strata = o->strata, .cluster = o->cluster, .fpc = o->fpc,
                          .rows = rows, .nrows = nscope, .calibration = o->calibration,
                          .source = o->source};
    brisk_status st = brisk_sampling_build(b->ds, &spec, &d->sampling, b->err);
    d->sampled = st == BRISK_OK;
    if (st == BRISK_OK) {
        /* degf of the rows used: their PSUs less their strata */
        const sampling_design *sd = &d->sampling;
        bool *psu = calloc(sd->npsu + 1, sizeof *psu), *stratum = calloc(sd->nstrata + 1, 1);
        if (!psu || !stratum) {
            st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
        } else {
            size_t npsu = 0, nstrata = 0;
            for (size_t i = 0; i < d->n; i++) {
                size_t c = sd->psu[d->at[i]], h = sd->psu_stratum[c];
                npsu += !psu[c], nstrata += !stratum[h];
                psu[c] = stratum[h] = true;
            }
            d->degf = (double)npsu - (double)nstrata;
        }
        free(psu);
        free(stratum);
    }
    free(rows);
    return st;
}

/* Options that do not go together. */
static brisk_status check_options(const brisk_regress_options *opt, brisk_error *err)
{
    const char *declared = opt->cluster ? opt->cluster : opt->strata ? opt->strata : opt->fpc;
    const char *role = opt->cluster ? "clustered by" : opt->strata ? "stratified by"
                     : "with the fpc";
    if (declared && opt->weight && opt->weight_type == BRISK_WEIGHT_FREQUENCY)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "frequency weights and standard errors "
                               "%s '%s' do not go together: a sampling design's rows are not "
                               "copies of one case", role, declared);
    if (declared && opt->robust != BRISK_ROBUST_NONE)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "HC1 or HC3 and standard errors "
                               "%s '%s' do not go together: the design's sandwich is already "
                               "robust", role, declared);
    return BRISK_OK;
}

brisk_status brisk_design_build(const brisk_dataset *ds, const char *formula,
                                const brisk_regress_options *opt, design *d, brisk_error *err)
{
    memset(d, 0, sizeof *d);
    builder *b = calloc(1, sizeof *b);
    bool *used = calloc(ds->nrows + 1, sizeof *used);
    if (!b || !used) {
        free(b);
        free(used);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    *b = (builder){.ds = ds, .opt = opt, .err = err};
    const brisk_column *wc = NULL;
    brisk_status st = check_options(opt, err);
    if (st == BRISK_OK)
        st = parse_formula(b, formula);
    if (st == BRISK_OK)
        st = weight_column(b, &wc);
    if (st == BRISK_OK)
        st = used_rows(b, wc, used, &d->n);
    d->n_dropped = (opt->rows ? opt->nrows : ds->nrows) - d->n;
    if (st == BRISK_OK && brisk_design_based(opt))
        st = find_design(b, used, d);
    d->intercept = b->intercept;
    for (size_t i = 0; st == BRISK_OK && i < b->nvars; i++) {
        variable *v = &b->vars[i];
        v->categorical = i != b->outcome && is_categorical(b, v->col);
        if (v->categorical)
            st = find_levels(b, v, used);
        if (st == BRISK_OK && v->categorical && v->nlevels < 2) {
            brisk_error_variable(err, v->col->name);
            st = brisk_error_set(err, BRISK_ERR_MODEL, "constant predictor: '%s' takes one "
                                 "value (%s) in every row used", v->col->name,
                                 v->nlevels ? v->levels[0] : "none");
        }
    }
    if (st == BRISK_OK)
        st = fill_outcome(b, used, wc, d);
    if (st == BRISK_OK)
        st = fill_matrix(b, used, d);
    free_variables(b);
    free(b);
    free(used);
    if (st != BRISK_OK)
        brisk_design_free(d);
    return st;
}
