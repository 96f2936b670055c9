/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The columnar dataset. */
#include <config.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/dataset.h"
#include "core/util.h"
#include "data_internal.h"

static char empty_string[] = "";

brisk_dataset *brisk_dataset_new(size_t nrows)
{
    brisk_dataset *ds = calloc(1, sizeof *ds);
    if (ds)
        ds->nrows = nrows;
    return ds;
}

static void column_free(brisk_column *c, size_t nrows)
{
    free(c->name);
    free(c->label);
    free(c->format);
    free(c->num);
    if (c->str) {
        for (size_t i = 0; i < nrows; i++)
            if (c->str[i] != empty_string)
                free(c->str[i]);
        free(c->str);
    }
    free(c->miss);
    free(c->user_code);
    for (size_t i = 0; i < c->n_labels; i++) {
        free(c->labels[i].string_value);
        free(c->labels[i].label);
    }
    free(c->labels);
    free(c->missing_ranges);
}

void brisk_dataset_free(brisk_dataset *ds)
{
    if (!ds)
        return;
    for (size_t j = 0; j < ds->ncols; j++)
        column_free(&ds->cols[j], ds->nrows);
    free(ds->cols);
    free(ds->by_name);
    free(ds->source);
    free(ds->file_label);
    for (size_t k = 0; k < ds->nnotes; k++)
        free(ds->notes[k]);
    free(ds->notes);
    free(ds);
}

static size_t name_hash(const char *name)
{
    return (size_t)brisk_hash_text(BRISK_HASH_START, name);
}

static void insert_name(size_t *table, size_t cap, const char *name, size_t j)
{
    size_t mask = cap - 1, at = name_hash(name) & mask;
    while (table[at])
        at = (at + 1) & mask;
    table[at] = j + 1;
}

/* Column j into the name hash, its capacity kept at least twice the
 * columns so that a lookup takes constant time (100,000 columns read in
 * linear time); a larger table is filled before it replaces the old one. */
static bool index_name(brisk_dataset *ds, size_t j)
{
    if (2 * (j + 1) > ds->by_name_cap) {
        size_t cap = ds->by_name_cap ? 2 * ds->by_name_cap : 64;
        size_t *table = calloc(cap, sizeof *table);
        if (!table)
            return false;
        for (size_t k = 0; k < j; k++)
            insert_name(table, cap, ds->cols[k].name, k);
        free(ds->by_name);
        ds->by_name = table;
        ds->by_name_cap = cap;
    }
    insert_name(ds->by_name, ds->by_name_cap, ds->cols[j].name, j);
    return true;
}

brisk_status brisk_dataset_add_column(brisk_dataset *ds, const char *name,
                                      brisk_type type, size_t *index,
                                      brisk_error *err)
{
    if (brisk_dataset_find(ds, name)) {
        brisk_error_variable(err, name);
        return brisk_error_set(err, BRISK_ERR_FORMAT,
                               "column name '%s' appears twice", name);
    }
    if (ds->ncols >= BRISK_MAX_COLUMNS)
        return brisk_error_set(err, BRISK_ERR_LIMIT, "more than %d columns",
                               BRISK_MAX_COLUMNS);
    if (!brisk_grow((void **)&ds->cols, &ds->cap_cols, ds->ncols + 1, sizeof *ds->cols))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_column *c = &ds->cols[ds->ncols];
    memset(c, 0, sizeof *c);
    c->type = type;
    c->name = brisk_strdup(name);
    size_t n = ds->nrows ? ds->nrows : 1;
    c->miss = malloc(n);
    if (type == BRISK_NUMERIC)
        c->num = malloc(n * sizeof *c->num);
    else
        c->str = malloc(n * sizeof *c->str);
    if (!c->name || !c->miss || (type == BRISK_NUMERIC ? !c->num : !c->str)) {
        column_free(c, 0);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (!index_name(ds, ds->ncols)) {
        column_free(c, 0);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    memset(c->miss, BRISK_MISS_SYSTEM, n);
    for (size_t i = 0; i < ds->nrows; i++) {
        if (type == BRISK_NUMERIC)
            c->num[i] = NAN;
        else
            c->str[i] = empty_string;
    }
    if (index)
        *index = ds->ncols;
    ds->ncols++;
    return BRISK_OK;
}

brisk_status brisk_dataset_resize(brisk_dataset *ds, size_t nrows)
{
    if (nrows > BRISK_MAX_ROWS)
        return BRISK_ERR_LIMIT;
    size_t n = nrows ? nrows : 1;
    for (size_t j = 0; j < ds->ncols; j++) {
        brisk_column *c = &ds->cols[j];
        if (nrows < ds->nrows && c->str)
            for (size_t i = nrows; i < ds->nrows; i++)
                if (c->str[i] != empty_string)
                    free(c->str[i]);
        unsigned char *miss = realloc(c->miss, n);
        if (!miss)
            return BRISK_ERR_NOMEM;
        c->miss = miss;
        if (c->user_code) {
            double *codes = realloc(c->user_code, n * sizeof *codes);
            if (!codes)
                return BRISK_ERR_NOMEM;
            c->user_code = codes;
            for (size_t i = ds->nrows; i < nrows; i++)
                codes[i] = NAN;
        }
        if (c->type == BRISK_NUMERIC) {
            double *num = realloc(c->num, n * sizeof *num);
            if (!num)
                return BRISK_ERR_NOMEM;
            c->num = num;
        } else {
            char **str = realloc(c->str, n * sizeof *str);
            if (!str)
                return BRISK_ERR_NOMEM;
            c->str = str;
        }
        for (size_t i = ds->nrows; i < nrows; i++) {
            c->miss[i] = BRISK_MISS_SYSTEM;
            if (c->type == BRISK_NUMERIC)
                c->num[i] = NAN;
            else
                c->str[i] = empty_string;
        }
    }
    ds->nrows = nrows;
    return BRISK_OK;
}

brisk_status brisk_dataset_keep_rows(brisk_dataset *ds, const bool *keep, brisk_error *err)
{
    size_t kept = 0;
    for (size_t j = 0; j < ds->ncols; j++) {
        brisk_column *c = &ds->cols[j];
        size_t w = 0;
        for (size_t i = 0; i < ds->nrows; i++) {
            if (!keep[i]) {
                if (c->str && c->str[i] != empty_string)
                    free(c->str[i]);
                continue;
            }
            c->miss[w] = c->miss[i];
            if (c->user_code)
                c->user_code[w] = c->user_code[i];
            if (c->str)
                c->str[w] = c->str[i];
            else
                c->num[w] = c->num[i];
            w++;
        }
        for (size_t i = w; c->str && i < ds->nrows; i++)
            c->str[i] = empty_string;   /* moved or freed: resize must not free them */
        kept = w;
    }
    if (ds->ncols == 0)
        for (size_t i = 0; i < ds->nrows; i++)
            kept += keep[i];
    if (brisk_dataset_resize(ds, kept) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return BRISK_OK;
}

brisk_status brisk_column_make_numeric(brisk_column *c, size_t nrows, const double *values)
{
    if (c->type == BRISK_NUMERIC)
        return BRISK_ERR_ARGUMENT;
    double *num = malloc((nrows ? nrows : 1) * sizeof *num);
    if (!num)
        return BRISK_ERR_NOMEM;
    for (size_t i = 0; i < nrows; i++) {
        num[i] = values[i];
        if (isnan(values[i]))
            c->miss[i] = c->miss[i] ? c->miss[i] : BRISK_MISS_SYSTEM;
        else
            c->miss[i] = BRISK_MISS_NONE;
        if (c->str[i] != empty_string)
            free(c->str[i]);
    }
    free(c->str);
    c->str = NULL;
    c->num = num;
    c->type = BRISK_NUMERIC;
    return BRISK_OK;
}

brisk_column *brisk_dataset_find(const brisk_dataset *ds, const char *name)
{
    size_t j = brisk_dataset_index(ds, name);
    return j == (size_t)-1 ? NULL : &ds->cols[j];
}

const char *brisk_dataset_closest(const brisk_dataset *ds, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only near misses */
    for (size_t j = 0; j < ds->ncols; j++) {
        size_t d = brisk_edit_distance(name, ds->cols[j].name);
        if (d < best_d) {
            best_d = d;
            best = ds->cols[j].name;
        }
    }
    return best;
}

char *brisk_dataset_did_you_mean(const brisk_dataset *ds, const char *name, char *buf,
                                 size_t size)
{
    const char *near = brisk_dataset_closest(ds, name);
    if (size)
        snprintf(buf, size, "%s%s%s", near ? " (did you mean '" : "", near ? near : "",
                 near ? "'?)" : "");
    return buf;
}

size_t brisk_dataset_index(const brisk_dataset *ds, const char *name)
{
    if (!ds->by_name_cap)
        return (size_t)-1;
    size_t mask = ds->by_name_cap - 1;
    for (size_t at = name_hash(name) & mask; ds->by_name[at]; at = (at + 1) & mask)
        if (strcmp(ds->cols[ds->by_name[at] - 1].name, name) == 0)
            return ds->by_name[at] - 1;
    return (size_t)-1;
}

void brisk_cell_text(const brisk_column *col, size_t row, int max, char *buf, size_t size)
{
    if (col->type == BRISK_STRING)
        snprintf(buf, size, "%.*s", max, col->str[row]);
    else
        snprintf(buf, size, "%.15g", col->num[row]);
}

void brisk_column_set_number(brisk_column *col, size_t row, double value)
{
    col->num[row] = value;
    col->miss[row] = isnan(value) ? BRISK_MISS_SYSTEM : BRISK_MISS_NONE;
    if (col->user_code)
        col->user_code[row] = NAN;
}

brisk_status brisk_column_set_string(brisk_column *col, size_t row, const char *s)
{
    char *copy = s[0] ? brisk_strdup(s) : empty_string;
    if (!copy)
        return BRISK_ERR_NOMEM;
    if (col->str[row] != empty_string)
        free(col->str[row]);
    col->str[row] = copy;
    col->miss[row] = BRISK_MISS_NONE;
    return BRISK_OK;
}

void brisk_column_set_missing(brisk_column *col, size_t row, unsigned char kind)
{
    if (col->type == BRISK_NUMERIC)
        col->num[row] = NAN;
    col->miss[row] = kind;
    if (col->user_code)
        col->user_code[row] = NAN;   /* which code, if any, brisk_column_set_user_code says */
}

brisk_status brisk_column_set_user_code(brisk_column *col, size_t nrows, size_t row,
                                        double code)
{
    if (col->type != BRISK_NUMERIC || row >= nrows)
        return BRISK_ERR_ARGUMENT;
    if (!col->user_code) {
        col->user_code = malloc((nrows ? nrows : 1) * sizeof *col->user_code);
        if (!col->user_code)
            return BRISK_ERR_NOMEM;
        for (size_t i = 0; i < nrows; i++)
            col->user_code[i] = NAN;
    }
    brisk_column_set_missing(col, row, BRISK_MISS_USER);
    col->user_code[row] = code;
    return BRISK_OK;
}

brisk_status brisk_column_add_label(brisk_column *col, double value,
                                    const char *string_value, const char *label)
{
    size_t cap = col->n_labels;
    if (!brisk_grow((void **)&col->labels, &cap, col->n_labels + 1, sizeof *col->labels))
        return BRISK_ERR_NOMEM;
    brisk_value_label *l = &col->labels[col->n_labels];
    l->value = value;
    l->string_value = brisk_strdup(string_value);
    l->label = brisk_strdup(label ? label : "");
    if (!l->label || (string_value && !l->string_value)) {
        free(l->string_value);
        free(l->label);
        return BRISK_ERR_NOMEM;
    }
    col->n_labels++;
    return BRISK_OK;
}

brisk_status brisk_column_add_missing_range(brisk_column *col, double lo, double hi)
{
    size_t cap = col->n_missing_ranges;
    if (!brisk_grow((void **)&col->missing_ranges, &cap, col->n_missing_ranges + 1,
                    sizeof *col->missing_ranges))
        return BRISK_ERR_NOMEM;
    col->missing_ranges[col->n_missing_ranges].lo = lo;
    col->missing_ranges[col->n_missing_ranges].hi = hi;
    col->n_missing_ranges++;
    return BRISK_OK;
}

const char *brisk_column_label_of(const brisk_column *col, double value)
{
    for (size_t i = 0; i < col->n_labels; i++)
        if (!col->labels[i].string_value && col->labels[i].value == value)
            return col->labels[i].label;
    return NULL;
}

bool brisk_column_is_user_missing_value(const brisk_column *col, double value)
{
    for (size_t i = 0; i < col->n_missing_ranges; i++)
        if (value >= col->missing_ranges[i].lo && value <= col->missing_ranges[i].hi)
            return true;
    return false;
}

char brisk_missing_tag(unsigned char kind)
{
    if (kind < BRISK_MISS_TAGGED)
        return 0;
    unsigned k = kind - BRISK_MISS_TAGGED;
    return k < 26 ? (char)('a' + k) : '_';
}

void brisk_column_count_missing(const brisk_column *col, size_t nrows, size_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < nrows; i++) {
        unsigned char k = col->miss[i];
        if (k == BRISK_MISS_SYSTEM)
            counts[0]++;
        else if (k == BRISK_MISS_USER)
            counts[1]++;
        else if (k >= BRISK_MISS_TAGGED)
            counts[2]++;
    }
}

const char *brisk_value_label_value(const brisk_value_label *l, char *buf)
{
    if (l->string_value)
        return l->string_value;
    if (isnan(l->value)) {
        size_t n = strcspn(l->label, ":");
        snprintf(buf, 32, "%.*s", (int)(n < 31 ? n : 31), l->label);
        return buf;
    }
    return brisk_format_double(l->value, buf);
}

bool brisk_value_label_is_missing(const brisk_column *col, const brisk_value_label *l)
{
    if (l->string_value)
        return false;
    return isnan(l->value) || brisk_column_is_user_missing_value(col, l->value);
}

/* ------------------------------------------------------------ notes, values */

brisk_status brisk_dataset_add_note(brisk_dataset *ds, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t cap = ds->nnotes;
    char *copy = brisk_strdup(text);
    if (!copy || !brisk_grow((void **)&ds->notes, &cap, ds->nnotes + 1, sizeof *ds->notes)) {
        free(copy);
        return BRISK_ERR_NOMEM;
    }
    ds->notes[ds->nnotes++] = copy;
    return BRISK_OK;
}

static bool is_blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool brisk_data_missing_token(const char *text, size_t len, const char *const *na_tokens)
{
    while (len && is_blank_byte(*text)) {
        text++;
        len--;
    }
    while (len && is_blank_byte(text[len - 1]))
        len--;
    if (len == 0 || (len == 2 && memcmp(text, "NA", 2) == 0) || (len == 1 && text[0] == '.'))
        return true;
    for (const char *const *t = na_tokens; t && *t; t++)
        if (strlen(*t) == len && memcmp(text, *t, len) == 0)
            return true;
    return false;
}

bool brisk_data_number(const char *text, size_t len, char decimal, double *out)
{
    if (decimal != ',')
        return brisk_parse_number(text, len, out);
    char buf[401];
    if (len >= sizeof buf || memchr(text, '.', len))
        return false;
    for (size_t i = 0; i < len; i++)
        buf[i] = text[i] == ',' ? '.' : text[i];
    return brisk_parse_number(buf, len, out);
}

const char *brisk_column_decimal_hint(const brisk_column *col, size_t nrows)
{
    if (!col || col->type != BRISK_STRING)
        return "";
    bool comma = false;
    for (size_t i = 0; i < nrows; i++) {
        if (brisk_is_missing(col, i))
            continue;
        const char *s = col->str[i];
        double x;
        size_t n = strlen(s);
        if (!brisk_data_number(s, n, ',', &x))
            return "";
        comma |= memchr(s, ',', n) != NULL;
    }
    return comma ? "; its values use a decimal comma (1,5): add 'decimal = ,' to [survey] "
                   "(with --data: --decimal ,)"
                 : "";
}
