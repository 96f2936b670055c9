/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Markdown: a heading and a pipe table per table, notes in italics. */
#include <config.h>
#include <string.h>
#include "export_internal.h"

static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

/* Markdown has no spanning headers: the group is prefixed to the header. */
static void md_header(FILE *f, const brisk_table_column *c)
{
    if (c->group) {
        md_text(f, c->group);
        fputc(' ', f);
    }
    md_text(f, c->header);
}

static brisk_status write_table(FILE *f, const brisk_table *t)
{
    brisk_rendered r;
    if (brisk_render_table(t, &r) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    if (t->title[0]) {
        fputs("### ", f);
        md_text(f, t->title);
        fputs("\n\n", f);
    }
    fputc('|', f);
    for (size_t j = 0; j < t->ncols; j++) {
        fputc(' ', f);
        md_header(f, &t->cols[j]);
        fputs(" |", f);
    }
    fputs("\n|", f);
    for (size_t j = 0; j < t->ncols; j++)
        fputs(brisk_column_is_numeric(&t->cols[j]) ? " ---: |" : " :--- |", f);
    fputc('\n', f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputc('|', f);
        for (size_t j = 0; j < t->ncols; j++) {
            fputc(' ', f);
            md_text(f, r.cells[i * t->ncols + j]);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
    if (t->nnotes) {
        fputs("\n*Note.*", f);
        for (size_t k = 0; k < t->nnotes; k++) {
            fputc(' ', f);
            md_text(f, t->notes[k]);
        }
        fputc('\n', f);
    }
    brisk_rendered_free(&r);
    return BRISK_OK;
}

brisk_status brisk_write_md(FILE *f, const brisk_table_list *list)
{
    for (size_t k = 0; k < list->count; k++) {
        if (k)
            fputc('\n', f);
        brisk_status s = write_table(f, list->tables[k]);
        if (s != BRISK_OK)
            return s;
    }
    if (list->nwarnings) {
        fputs("\n**Warnings**\n\n", f);
        for (size_t k = 0; k < list->nwarnings; k++) {
            fputs("- ", f);
            md_text(f, list->warnings[k]);
            fputc('\n', f);
        }
    }
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
