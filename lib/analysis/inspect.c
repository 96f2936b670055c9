/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk import: what a data file holds, variable by variable. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/stats.h"
#include "core/util.h"

static const char *measure_name(brisk_measure m)
{
    static const char *const names[] = {NULL, "nominal", "ordinal", "scale"};
    return names[m];
}

/* "98, 99, 90 thru 95" as SPSS users know user-missing specifications. */
static char *missing_codes_text(const brisk_column *c)
{
    brisk_buf b = {0};
    bool ok = brisk_buf_puts(&b, "");
    for (size_t k = 0; ok && k < c->n_missing_ranges; k++) {
        const brisk_missing_range *r = &c->missing_ranges[k];
        ok = brisk_buf_printf(&b, k ? ", %.15g" : "%.15g", r->lo) &&
             (r->lo == r->hi || brisk_buf_printf(&b, " thru %.15g", r->hi));
    }
    if (!ok)
        brisk_buf_free(&b);
    return b.data;
}

static brisk_status variable_row(brisk_table *t, const brisk_dataset *ds, const brisk_column *c)
{
    size_t row = brisk_table_add_row(t);
    char *codes = missing_codes_text(c);
    if (row == (size_t)-1 || !codes || brisk_table_set_text(t, row, 0, c->name) ||
        brisk_table_set_text(t, row, 1, c->type == BRISK_NUMERIC ? "numeric" : "string") ||
        brisk_table_set_text(t, row, 2, measure_name(c->measure)) ||
        brisk_table_set_text(t, row, 3, c->label) ||
        brisk_table_set_text(t, row, 9, codes[0] ? codes : NULL)) {
        free(codes);
        return BRISK_ERR_NOMEM;
    }
    free(codes);
    size_t miss[3];
    brisk_column_count_missing(c, ds->nrows, miss);
    brisk_table_set_num(t, row, 4, (double)(ds->nrows - miss[0] - miss[1] - miss[2]));
    brisk_table_set_num(t, row, 5, (double)miss[0]);
    brisk_table_set_num(t, row, 6, (double)miss[1]);
    brisk_table_set_num(t, row, 7, (double)miss[2]);
    brisk_table_set_num(t, row, 8, (double)c->n_labels);
    return BRISK_OK;
}

static brisk_status label_rows(brisk_table *t, const brisk_column *c)
{
    for (size_t k = 0; k < c->n_labels; k++) {
        const brisk_value_label *l = &c->labels[k];
        char value[32];
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, c->name) ||
            brisk_table_set_text(t, row, 1, brisk_value_label_value(l, value)) ||
            brisk_table_set_text(t, row, 2, l->label))
            return BRISK_ERR_NOMEM;
        brisk_table_set_num(t, row, 3, brisk_value_label_is_missing(c, l) ? 1 : 0);
    }
    return BRISK_OK;
}

static brisk_table *variables_table(const brisk_dataset *ds)
{
    static const struct { const char *key, *header; brisk_cell_kind kind; } cols[] = {
        {"name", "Variable", BRISK_CELL_TEXT}, {"type", "Type", BRISK_CELL_TEXT},
        {"measure", "Measure", BRISK_CELL_TEXT}, {"label", "Label", BRISK_CELL_TEXT},
        {"valid", "Valid", BRISK_CELL_INT}, {"missing_system", "Missing: empty", BRISK_CELL_INT},
        {"missing_user", "Missing: code", BRISK_CELL_INT},
        {"missing_tagged", "Missing: tagged", BRISK_CELL_INT},
        {"value_labels", "Value labels", BRISK_CELL_INT},
        {"missing_codes", "Missing codes", BRISK_CELL_TEXT},
    };
    char title[600];
    snprintf(title, sizeof title, "Variables of %s (%zu rows)", ds->source ? ds->source : "data",
             ds->nrows);
    brisk_table *t = brisk_table_new("import.variables", title);
    for (size_t j = 0; t && j < sizeof cols / sizeof cols[0]; j++) {
        if (brisk_table_add_column(t, cols[j].key, cols[j].header, cols[j].kind, 0) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

static brisk_table *labels_table(void)
{
    brisk_table *t = brisk_table_new("import.value_labels", "Value labels");
    if (t && (brisk_table_add_column(t, "variable", "Variable", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
              brisk_table_add_column(t, "value", "Value", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
              brisk_table_add_column(t, "label", "Label", BRISK_CELL_TEXT, 0) == (size_t)-1 ||
              brisk_table_add_column(t, "user_missing", "User-missing", BRISK_CELL_BOOL, 0) ==
                  (size_t)-1)) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

brisk_status brisk_inspect(const brisk_dataset *ds, brisk_table_list *out, brisk_error *err)
{
    brisk_table *vars = variables_table(ds), *labels = labels_table();
    brisk_status st = vars && labels ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t j = 0; st == BRISK_OK && j < ds->ncols; j++) {
        st = variable_row(vars, ds, &ds->cols[j]);
        if (st == BRISK_OK)
            st = label_rows(labels, &ds->cols[j]);
    }
    if (st == BRISK_OK && ds->file_label) {
        /* SPSS pads its file label with blanks. */
        const char *label = ds->file_label + strspn(ds->file_label, " ");
        int len = (int)strlen(label);
        while (len && label[len - 1] == ' ')
            len--;
        if (len)
            st = brisk_table_add_note(vars, "File label: %.*s", len, label);
    }
    if (st == BRISK_OK) {
        st = brisk_table_list_add(out, vars);
        vars = NULL;
    }
    if (st == BRISK_OK && labels->nrows) {
        st = brisk_table_list_add(out, labels);
        labels = NULL;
    }
    brisk_table_free(vars);
    brisk_table_free(labels);
    return st == BRISK_OK ? st : brisk_error_set(err, st, "out of memory");
}
