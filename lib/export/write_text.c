/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plain text: aligned columns for a terminal, with title and notes. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "export_internal.h"

static void pad(FILE *f, size_t n)
{
    while (n--)
        fputc(' ', f);
}

static void write_aligned(FILE *f, const char *s, size_t width, int right)
{
    size_t w = brisk_utf8_width(s);
    size_t gap = width > w ? width - w : 0;
    if (right)
        pad(f, gap);
    fputs(s, f);
    if (!right)
        pad(f, gap);
}

static bool same_group(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Spanning headers over runs of adjacent columns with the same group. */
static void write_groups(FILE *f, const brisk_table *t, const size_t *widths)
{
    bool any = false;
    for (size_t j = 0; j < t->ncols; j++)
        any |= t->cols[j].group != NULL;
    if (!any)
        return;
    for (size_t j = 0; j < t->ncols;) {
        const char *g = t->cols[j].group;
        size_t k = j, span = 0;
        for (; k < t->ncols && same_group(g, t->cols[k].group); k++)
            span += widths[k] + (k > j ? 2 : 0);
        if (j)
            fputs("  ", f);
        write_aligned(f, g ? g : "", span, 0);
        j = k;
    }
    fputc('\n', f);
}

static void write_rule(FILE *f, const brisk_table *t, const size_t *widths)
{
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs("  ", f);
        for (size_t k = 0; k < widths[j]; k++)
            fputc('-', f);
    }
    fputc('\n', f);
}

static void write_row(FILE *f, const brisk_table *t, const size_t *widths,
                      char *const *cells)
{
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs("  ", f);
        write_aligned(f, cells[j], widths[j], brisk_column_is_numeric(&t->cols[j]));
    }
    fputc('\n', f);
}

static void write_table(FILE *f, const brisk_table *t, const brisk_rendered *r)
{
    if (t->title[0])
        fprintf(f, "%s\n\n", t->title);
    write_groups(f, t, r->widths);
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs("  ", f);
        write_aligned(f, t->cols[j].header, r->widths[j], brisk_column_is_numeric(&t->cols[j]));
    }
    fputc('\n', f);
    write_rule(f, t, r->widths);
    for (size_t i = 0; i < t->nrows; i++)
        write_row(f, t, r->widths, r->cells + i * t->ncols);
    for (size_t k = 0; k < t->nnotes; k++)
        fprintf(f, "%s%s\n", k ? "      " : "Note. ", t->notes[k]);
}

/* Copy text to f without the blanks that padding leaves at line ends. */
static void copy_trimmed(FILE *f, const char *text, size_t n)
{
    size_t start = 0;
    while (start < n) {
        const char *nl = memchr(text + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - text) : n, len = end - start;
        while (len && text[start + len - 1] == ' ')
            len--;
        fwrite(text + start, 1, len, f);
        if (nl)
            fputc('\n', f);
        start = end + 1;
    }
}

brisk_status brisk_write_text(FILE *f, const brisk_table_list *list)
{
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    if (!m)
        return BRISK_ERR_NOMEM;
    brisk_status s = BRISK_OK;
    for (size_t k = 0; k < list->count && s == BRISK_OK; k++) {
        brisk_rendered r;
        if ((s = brisk_render_table(list->tables[k], &r)) != BRISK_OK)
            break;
        if (k)
            fputc('\n', m);
        write_table(m, list->tables[k], &r);
        brisk_rendered_free(&r);
    }
    if (list->nwarnings) {
        fputs("\nWarnings:\n", m);
        for (size_t k = 0; k < list->nwarnings; k++)
            fprintf(m, "  - %s\n", list->warnings[k]);
    }
    if (fclose(m) != 0)
        s = BRISK_ERR_NOMEM;
    if (s == BRISK_OK)
        copy_trimmed(f, text, size);
    free(text);
    if (s != BRISK_OK)
        return s;
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
