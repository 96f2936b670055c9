/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JSON: {"brisk": version, "tables": [...], "warnings": [...]}. */
#include <config.h>
#include <math.h>
#include "brisk/version.h"
#include "core/util.h"
#include "export_internal.h"

void brisk_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void brisk_json_number(FILE *f, double x)
{
    char buf[32];
    fputs(isfinite(x) ? brisk_format_double(x, buf) : "null", f);
}

void brisk_json_cell(FILE *f, const brisk_table_column *col, const brisk_cell *cell)
{
    if (col->kind == BRISK_CELL_TEXT || cell->text) {
        if (cell->text)
            brisk_json_string(f, cell->text);
        else
            fputs("null", f);
    } else if (col->kind == BRISK_CELL_BOOL && isfinite(cell->num)) {
        fputs(cell->num != 0 ? "true" : "false", f);
    } else {
        brisk_json_number(f, cell->num);
    }
}

static const char *kind_name(brisk_cell_kind k)
{
    static const char *const names[] = {"text", "integer", "number", "percent",
                                        "pvalue", "boolean"};
    return names[k];
}

static void write_columns(FILE *f, const brisk_table *t)
{
    fputs("      \"columns\": [", f);
    for (size_t j = 0; j < t->ncols; j++) {
        const brisk_table_column *c = &t->cols[j];
        fputs(j ? ",\n        {" : "\n        {", f);
        fputs("\"key\": ", f);
        brisk_json_string(f, c->key);
        fputs(", \"header\": ", f);
        brisk_json_string(f, c->header);
        if (c->group) {
            fputs(", \"group\": ", f);
            brisk_json_string(f, c->group);
        }
        fprintf(f, ", \"type\": \"%s\"}", kind_name(c->kind));
    }
    fputs("\n      ],\n", f);
}

static void write_rows(FILE *f, const brisk_table *t)
{
    fputs("      \"rows\": [", f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputs(i ? ",\n        {" : "\n        {", f);
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputs(", ", f);
            brisk_json_string(f, t->cols[j].key);
            fputs(": ", f);
            brisk_json_cell(f, &t->cols[j], brisk_table_cell(t, i, j));
        }
        fputc('}', f);
    }
    fputs(t->nrows ? "\n      ],\n" : "],\n", f);
}

static void write_string_array(FILE *f, char *const *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        brisk_json_string(f, v[i]);
    }
    fputc(']', f);
}

brisk_status brisk_write_json(FILE *f, const brisk_table_list *list)
{
    fprintf(f, "{\n  \"brisk\": \"%s\",\n  \"tables\": [", BRISK_VERSION);
    for (size_t k = 0; k < list->count; k++) {
        const brisk_table *t = list->tables[k];
        fputs(k ? ",\n    {\n" : "\n    {\n", f);
        fputs("      \"id\": ", f);
        brisk_json_string(f, t->id);
        fputs(",\n      \"title\": ", f);
        brisk_json_string(f, t->title);
        fputs(",\n", f);
        write_columns(f, t);
        write_rows(f, t);
        fputs("      \"notes\": ", f);
        write_string_array(f, t->notes, t->nnotes);
        fputs("\n    }", f);
    }
    fputs(list->count ? "\n  ],\n  \"warnings\": " : "],\n  \"warnings\": ", f);
    write_string_array(f, list->warnings, list->nwarnings);
    fputs("\n}\n", f);
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
