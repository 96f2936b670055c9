/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writers of the table list, one per format (internal). */
#ifndef BRISK_EXPORT_INTERNAL_H
#define BRISK_EXPORT_INTERNAL_H

#include <stdio.h>
#include "brisk/table.h"
#include "export/json.h"

brisk_status brisk_write_text(FILE *f, const brisk_table_list *list);
brisk_status brisk_write_csv(FILE *f, const brisk_table_list *list);
brisk_status brisk_write_md(FILE *f, const brisk_table_list *list);
brisk_status brisk_write_json(FILE *f, const brisk_table_list *list);
brisk_status brisk_write_tex(FILE *f, const brisk_table_list *list);
brisk_status brisk_write_html(FILE *f, const brisk_table_list *list);


/* Every cell of t formatted for display (brisk_table_format_cell), row-major,
 * and the display width of every column (headers included).  Free with
 * brisk_rendered_free. */
typedef struct brisk_rendered {
    char **cells;
    size_t *widths;
    size_t ncells;
} brisk_rendered;

brisk_status brisk_render_table(const brisk_table *t, brisk_rendered *r);
void brisk_rendered_free(brisk_rendered *r);

/* Do tables a and b go on one sheet (the workbook's, a section or heading
 * elsewhere)?  Only when both name the same one. */
bool brisk_tables_share_sheet(const brisk_table *a, const brisk_table *b);
/* The name of the sheet (or section) a table opens: its sheet, else its
 * title, else its id. */
const char *brisk_table_sheet_name(const brisk_table *t);

/* Return a status other than BRISK_OK at once. */
#define TRY(call)                          \
    do {                                   \
        brisk_status try_status_ = (call); \
        if (try_status_ != BRISK_OK)       \
            return try_status_;            \
    } while (0)

/* Is a column right-aligned (numbers) when shown? */
int brisk_column_is_numeric(const brisk_table_column *c);

#endif
