/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CSV: machine names in the header, full precision in the cells. */
#include <config.h>
#include <math.h>
#include <string.h>
#include "core/util.h"
#include "export_internal.h"

static void write_cell(FILE *f, const brisk_table_column *col, const brisk_cell *cell)
{
    char buf[32];
    if (col->kind == BRISK_CELL_TEXT || cell->text)
        brisk_write_field(f, cell->text ? cell->text : "", ',');
    else if (col->kind == BRISK_CELL_BOOL && isfinite(cell->num))
        fputs(cell->num != 0 ? "true" : "false", f);
    else if (isfinite(cell->num))
        fputs(brisk_format_double(cell->num, buf), f);
}

static void write_table(FILE *f, const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputc(',', f);
        brisk_write_field(f, t->cols[j].key, ',');
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputc(',', f);
            write_cell(f, &t->cols[j], brisk_table_cell(t, i, j));
        }
        fputc('\n', f);
    }
}

brisk_status brisk_write_csv(FILE *f, const brisk_table_list *list)
{
    for (size_t k = 0; k < list->count; k++) {
        const brisk_table *t = list->tables[k];
        if (list->count > 1) {
            if (k)
                fputc('\n', f);
            fprintf(f, "# %s: %s\n", t->id, t->title);
        }
        write_table(f, t);
    }
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
