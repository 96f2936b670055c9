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

/* Spanning headers over runs of adjacent columns with the same group,
 * composed in memory so that trailing blanks can be cut. */
static void write_groups(FILE *f, const brisk_table *t, const size_t *widths)
{
    int any = 0;
    for (size_t j = 0; j < t->ncols; j++)
        any |= t->cols[j].group != NULL;
    char *line = NULL;
    size_t size = 0;
    FILE *m = any ? open_memstream(&line, &size) : NULL;
    if (!m)
        return;
    for (size_t j = 0; j < t->ncols;) {
        const char *g = t->cols[j].group;
        size_t k = j, span = 0;
        while (k < t->ncols && ((g == NULL && t->cols[k].group == NULL) ||
                                (g && t->cols[k].group && strcmp(g, t->cols[k].group) == 0))) {
            span += widths[k] + (k > j ? 2 : 0);
            k++;
        }
        if (j)
            fputs("  ", m);
        write_aligned(m, g ? g : "", span, 0);
        j = k;
    }
    if (fclose(m) == 0) {
        while (size && line[size - 1] == ' ')
            size--;
        fprintf(f, "%.*s\n", (int)size, line);
    }
    free(line);
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

static brisk_status write_table(FILE *f, const brisk_table *t)
{
    brisk_rendered r;
    if (brisk_render_table(t, &r) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    if (t->title[0])
        fprintf(f, "%s\n\n", t->title);
    write_groups(f, t, r.widths);
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs("  ", f);
        size_t width = j + 1 < t->ncols || brisk_column_is_numeric(&t->cols[j]) ? r.widths[j] : 0;
        write_aligned(f, t->cols[j].header, width, brisk_column_is_numeric(&t->cols[j]));
    }
    fputc('\n', f);
    write_rule(f, t, r.widths);
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputs("  ", f);
            /* No padding after the last column: no trailing blanks. */
            size_t width = j + 1 < t->ncols ? r.widths[j] : 0;
            write_aligned(f, r.cells[i * t->ncols + j],
                          brisk_column_is_numeric(&t->cols[j]) ? r.widths[j] : width,
                          brisk_column_is_numeric(&t->cols[j]));
        }
        fputc('\n', f);
    }
    for (size_t k = 0; k < t->nnotes; k++)
        fprintf(f, "%s%s\n", k ? "      " : "Note. ", t->notes[k]);
    brisk_rendered_free(&r);
    return BRISK_OK;
}

brisk_status brisk_write_text(FILE *f, const brisk_table_list *list)
{
    for (size_t k = 0; k < list->count; k++) {
        if (k)
            fputc('\n', f);
        brisk_status s = write_table(f, list->tables[k]);
        if (s != BRISK_OK)
            return s;
    }
    if (list->nwarnings) {
        fputs("\nWarnings:\n", f);
        for (size_t k = 0; k < list->nwarnings; k++)
            fprintf(f, "  - %s\n", list->warnings[k]);
    }
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
