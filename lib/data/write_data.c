/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A dataset written back out as delimited text. */
#include <config.h>
#include <errno.h>
#include <string.h>
#include "brisk/dataset.h"
#include "core/util.h"

static void write_cell(FILE *f, const brisk_column *c, size_t row, char delimiter,
                       bool labels_as_text)
{
    if (brisk_is_missing(c, row))
        return;
    if (c->type == BRISK_STRING) {
        brisk_write_field(f, c->str[row], delimiter);
        return;
    }
    const char *label = labels_as_text ? brisk_column_label_of(c, c->num[row]) : NULL;
    char buf[32];
    brisk_write_field(f, label ? label : brisk_format_double(c->num[row], buf), delimiter);
}

static brisk_status finish(FILE *f, brisk_error *err)
{
    if (ferror(f))
        return brisk_error_set(err, BRISK_ERR_WRITE, "write failed: %s", strerror(errno));
    return BRISK_OK;
}

brisk_status brisk_write_dataset_csv(FILE *f, const brisk_dataset *ds, char delimiter,
                                     bool labels_as_text, brisk_error *err)
{
    for (size_t j = 0; j < ds->ncols; j++) {
        if (j)
            fputc(delimiter, f);
        brisk_write_field(f, ds->cols[j].name, delimiter);
    }
    fputc('\n', f);
    for (size_t i = 0; i < ds->nrows; i++) {
        for (size_t j = 0; j < ds->ncols; j++) {
            if (j)
                fputc(delimiter, f);
            write_cell(f, &ds->cols[j], i, delimiter, labels_as_text);
        }
        fputc('\n', f);
    }
    return finish(f, err);
}

brisk_status brisk_write_value_labels_csv(FILE *f, const brisk_dataset *ds, brisk_error *err)
{
    fputs("variable,value,label,user_missing\n", f);
    for (size_t j = 0; j < ds->ncols; j++) {
        const brisk_column *c = &ds->cols[j];
        for (size_t k = 0; k < c->n_labels; k++) {
            const brisk_value_label *l = &c->labels[k];
            char buf[32];
            brisk_write_field(f, c->name, ',');
            fputc(',', f);
            brisk_write_field(f, brisk_value_label_value(l, buf), ',');
            fputc(',', f);
            brisk_write_field(f, l->label, ',');
            fputs(brisk_value_label_is_missing(c, l) ? ",true\n" : ",false\n", f);
        }
    }
    return finish(f, err);
}

size_t brisk_dataset_count_labels(const brisk_dataset *ds)
{
    size_t n = 0;
    for (size_t j = 0; j < ds->ncols; j++)
        n += ds->cols[j].n_labels;
    return n;
}
