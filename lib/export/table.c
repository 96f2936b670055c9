/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table type shared by every analysis and every writer. */
#include <config.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/table.h"
#include "core/util.h"
#include "export_internal.h"

brisk_table *brisk_table_new(const char *id, const char *title)
{
    brisk_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = brisk_strdup(id ? id : "");
    t->title = brisk_strdup(title ? title : "");
    if (!t->id || !t->title) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void brisk_table_free(brisk_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->ncols; j++) {
        free(t->cols[j].key);
        free(t->cols[j].header);
        free(t->cols[j].group);
    }
    free(t->cols);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i].text);
    free(t->cells);
    free_strings(t->notes, t->nnotes);
    free(t->chart.title);
    free(t->chart.axis_title);
    free(t->chart.value_cols);
    free(t->chart.lower_cols);
    free(t->chart.upper_cols);
    free(t->sheet);
    free(t->id);
    free(t->title);
    free(t);
}

size_t brisk_table_add_column(brisk_table *t, const char *key, const char *header,
                              brisk_cell_kind kind, int decimals)
{
    if (t->nrows > 0)
        return (size_t)-1;
    size_t cap = t->ncols;
    if (!brisk_grow((void **)&t->cols, &cap, t->ncols + 1, sizeof *t->cols))
        return (size_t)-1;
    brisk_table_column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->key = brisk_strdup(key);
    c->header = brisk_strdup(header ? header : key);
    c->kind = kind;
    c->decimals = decimals;
    if (!c->key || !c->header) {
        free(c->key);
        free(c->header);
        return (size_t)-1;
    }
    return t->ncols++;
}

brisk_status brisk_table_set_group(brisk_table *t, size_t col, const char *group)
{
    char *copy = brisk_strdup(group);
    if (group && !copy)
        return BRISK_ERR_NOMEM;
    free(t->cols[col].group);
    t->cols[col].group = copy;
    return BRISK_OK;
}

size_t brisk_table_add_row(brisk_table *t)
{
    size_t need = (t->nrows + 1) * t->ncols;
    size_t cap_cells = t->cap_rows * t->ncols;
    if (need > cap_cells) {
        size_t rows = t->cap_rows ? t->cap_rows * 2 : 16;
        brisk_cell *cells = realloc(t->cells, rows * t->ncols * sizeof *cells);
        if (!cells)
            return (size_t)-1;
        t->cells = cells;
        t->cap_rows = rows;
    }
    brisk_cell *row = &t->cells[t->nrows * t->ncols];
    for (size_t j = 0; j < t->ncols; j++) {
        row[j].num = NAN;
        row[j].text = NULL;
    }
    return t->nrows++;
}

brisk_status brisk_table_set_text(brisk_table *t, size_t row, size_t col, const char *s)
{
    brisk_cell *c = &t->cells[row * t->ncols + col];
    char *copy = brisk_strdup(s);
    if (s && !copy)
        return BRISK_ERR_NOMEM;
    free(c->text);
    c->text = copy;
    return BRISK_OK;
}

void brisk_table_set_num(brisk_table *t, size_t row, size_t col, double x)
{
    t->cells[row * t->ncols + col].num = x;
}

const brisk_cell *brisk_table_cell(const brisk_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

size_t brisk_table_find_column(const brisk_table *t, const char *key)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j].key, key) == 0)
            return j;
    return (size_t)-1;
}

static brisk_status append_vformat(char ***lines, size_t *n, const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        return BRISK_ERR_NOMEM;
    size_t cap = *n;
    if (!brisk_grow((void **)lines, &cap, *n + 1, sizeof **lines)) {
        free(text);
        return BRISK_ERR_NOMEM;
    }
    (*lines)[(*n)++] = text;
    return BRISK_OK;
}

brisk_status brisk_table_add_note(brisk_table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    brisk_status s = append_vformat(&t->notes, &t->nnotes, fmt, ap);
    va_end(ap);
    return s;
}

brisk_status brisk_table_set_sheet(brisk_table *t, const char *sheet)
{
    char *copy = brisk_strdup(sheet);
    if (sheet && !copy)
        return BRISK_ERR_NOMEM;
    free(t->sheet);
    t->sheet = copy;
    return BRISK_OK;
}

brisk_status brisk_table_set_chart(brisk_table *t, brisk_chart_type type, const char *title,
                                   const char *axis_title, size_t category_col,
                                   const size_t *value_cols, size_t nvalues)
{
    brisk_table_chart c = {.type = type, .title = brisk_strdup(title),
                           .axis_title = brisk_strdup(axis_title), .category_col = category_col,
                           .value_cols = malloc((nvalues ? nvalues : 1) * sizeof(size_t)),
                           .nvalues = nvalues, .axis_min = NAN, .axis_max = NAN};
    if ((title && !c.title) || (axis_title && !c.axis_title) || !c.value_cols) {
        free(c.title);
        free(c.axis_title);
        free(c.value_cols);
        return BRISK_ERR_NOMEM;
    }
    memcpy(c.value_cols, value_cols, nvalues * sizeof(size_t));
    free(t->chart.title);
    free(t->chart.axis_title);
    free(t->chart.value_cols);
    free(t->chart.lower_cols);
    free(t->chart.upper_cols);
    t->chart = c;
    return BRISK_OK;
}

brisk_status brisk_table_set_chart_intervals(brisk_table *t, const size_t *lower_cols,
                                             const size_t *upper_cols)
{
    size_t n = t->chart.nvalues;
    size_t *lo = malloc((n ? n : 1) * sizeof *lo), *hi = malloc((n ? n : 1) * sizeof *hi);
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return BRISK_ERR_NOMEM;
    }
    memcpy(lo, lower_cols, n * sizeof *lo);
    memcpy(hi, upper_cols, n * sizeof *hi);
    free(t->chart.lower_cols);
    free(t->chart.upper_cols);
    t->chart.lower_cols = lo;
    t->chart.upper_cols = hi;
    return BRISK_OK;
}

brisk_table_list *brisk_table_list_new(void)
{
    return calloc(1, sizeof(brisk_table_list));
}

void brisk_table_list_free(brisk_table_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        brisk_table_free(list->tables[i]);
    free(list->tables);
    free_strings(list->warnings, list->nwarnings);
    free(list->title);
    free(list);
}

brisk_status brisk_table_list_add(brisk_table_list *list, brisk_table *t)
{
    if (!t)
        return BRISK_ERR_NOMEM;
    if (!brisk_grow((void **)&list->tables, &list->cap, list->count + 1,
                    sizeof *list->tables)) {
        brisk_table_free(t);
        return BRISK_ERR_NOMEM;
    }
    list->tables[list->count++] = t;
    return BRISK_OK;
}

brisk_status brisk_table_list_warn(brisk_table_list *list, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    brisk_status s = append_vformat(&list->warnings, &list->nwarnings, fmt, ap);
    va_end(ap);
    return s;
}

brisk_status brisk_table_list_set_title(brisk_table_list *list, const char *title)
{
    char *copy = brisk_strdup(title);
    if (title && !copy)
        return BRISK_ERR_NOMEM;
    free(list->title);
    list->title = copy;
    return BRISK_OK;
}

/* APA style: no leading zero for quantities bounded by 1, "< .001". */
static void format_pvalue(double p, char *buf, size_t size)
{
    if (p < 0.001)
        snprintf(buf, size, "< .001");
    else {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.3f", p);
        snprintf(buf, size, "%s", tmp[0] == '0' ? tmp + 1 : tmp);
    }
}

char *brisk_table_format_cell(const brisk_table_column *col, const brisk_cell *cell,
                              char *buf, size_t size)
{
    buf[0] = '\0';
    if (col->kind == BRISK_CELL_TEXT) {
        snprintf(buf, size, "%s", cell->text ? cell->text : "");
        return buf;
    }
    if (cell->text) {   /* a numeric column may carry a text in place of a value */
        snprintf(buf, size, "%s", cell->text);
        return buf;
    }
    double x = cell->num;
    if (!isfinite(x))
        return buf;
    switch (col->kind) {
    case BRISK_CELL_INT:
        snprintf(buf, size, "%.0f", x);
        break;
    case BRISK_CELL_PVALUE:
        format_pvalue(x, buf, size);
        break;
    case BRISK_CELL_BOOL:
        snprintf(buf, size, "%s", x != 0 ? "yes" : "no");
        break;
    default:
        snprintf(buf, size, "%.*f", col->decimals, x);
        /* "-0.000" reads as a sign where there is none. */
        if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
            memmove(buf, buf + 1, strlen(buf));
        break;
    }
    return buf;
}

int brisk_column_is_numeric(const brisk_table_column *c)
{
    return c->kind != BRISK_CELL_TEXT && c->kind != BRISK_CELL_BOOL;
}

void brisk_rendered_free(brisk_rendered *r)
{
    if (r->cells)
        for (size_t i = 0; i < r->ncells; i++)
            free(r->cells[i]);
    free(r->cells);
    free(r->widths);
    memset(r, 0, sizeof *r);
}

brisk_status brisk_render_table(const brisk_table *t, brisk_rendered *r)
{
    memset(r, 0, sizeof *r);
    r->ncells = t->nrows * t->ncols;
    r->cells = calloc(r->ncells ? r->ncells : 1, sizeof *r->cells);
    r->widths = calloc(t->ncols ? t->ncols : 1, sizeof *r->widths);
    if (!r->cells || !r->widths)
        goto nomem;
    for (size_t j = 0; j < t->ncols; j++)
        r->widths[j] = brisk_utf8_width(t->cols[j].header);
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) {
            char buf[1024];
            brisk_table_format_cell(&t->cols[j], brisk_table_cell(t, i, j), buf, sizeof buf);
            char *s = brisk_strdup(buf);
            if (!s)
                goto nomem;
            r->cells[i * t->ncols + j] = s;
            size_t w = brisk_utf8_width(s);
            if (w > r->widths[j])
                r->widths[j] = w;
        }
    }
    return BRISK_OK;
nomem:
    brisk_rendered_free(r);
    return BRISK_ERR_NOMEM;
}

bool brisk_tables_share_sheet(const brisk_table *a, const brisk_table *b)
{
    return a->sheet && b->sheet && strcmp(a->sheet, b->sheet) == 0;
}

const char *brisk_table_sheet_name(const brisk_table *t)
{
    if (t->sheet && t->sheet[0])
        return t->sheet;
    return t->title && t->title[0] ? t->title : t->id;
}
