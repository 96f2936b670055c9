/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A dataset written out as an Excel workbook on libxlsxwriter: the data,
 * and beside it every piece of the file's metadata (variables, value
 * labels, user-missing codes), so that nothing of a .sav is lost.
 *
 * The workbook is written in libxlsxwriter's constant-memory mode (row by
 * row, sheet by sheet), so a large data set costs no more than a row.
 * Text is UTF-8 (the readers check it) and is cut at Excel's 32,767
 * characters per cell; Excel's grid bounds the data and is checked first.
 * Tables of results go through lib/export/write_xlsx.c instead. */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "brisk/dataset.h"
#include "brisk/version.h"
#include "core/util.h"

#define EXCEL_ROWS 1048576u
#define EXCEL_COLS 16384u
#define CELL_TEXT_MAX 32767    /* characters in a cell */
#define WIDTH_SAMPLE_ROWS 1000 /* rows whose cells size the columns */
#define WIDTH_MIN 6            /* column widths, in characters */
#define WIDTH_MAX 60
#define WIDTH_PADDING 2

typedef struct data_book {
    lxw_workbook *wb;
    lxw_format *header;
    const char *path;
    brisk_error *err;
} data_book;

static brisk_status lxw_failed(data_book *b, lxw_error e, const char *sheet)
{
    brisk_error_at(b->err, b->path, 0, 0);
    return brisk_error_set(b->err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? BRISK_ERR_NOMEM
                                                                     : BRISK_ERR_WRITE,
                           "cannot write sheet %s: %s", sheet, lxw_strerror(e));
}

/* A sheet while it is written, and the widths its columns want. */
typedef struct data_sheet {
    lxw_worksheet *ws;
    size_t *widths;
    size_t ncols;
} data_sheet;

static void widen(data_sheet *sh, lxw_row_t r, lxw_col_t c, const char *text)
{
    if (r >= WIDTH_SAMPLE_ROWS || c >= sh->ncols)
        return;
    size_t w = brisk_utf8_width(text);
    if (w > sh->widths[c])
        sh->widths[c] = w;
}

/* Text within Excel's length; s itself or a copy in *copy to free. */
static const char *cell_text(const char *s, char **copy)
{
    *copy = NULL;
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > CELL_TEXT_MAX)
            break;
    }
    if (!s[i])
        return s;
    *copy = brisk_strndup(s, i);
    return *copy;
}

static lxw_error write_text(data_sheet *sh, lxw_row_t r, lxw_col_t c, const char *s,
                            lxw_format *f)
{
    lxw_worksheet *ws = sh->ws;
    char *copy;
    const char *t = cell_text(s, &copy);
    if (!t)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    widen(sh, r, c, t);
    lxw_error e = s[0] ? worksheet_write_string(ws, r, c, t, f) : LXW_NO_ERROR;
    free(copy);
    return e;
}

static lxw_error write_number(data_sheet *sh, lxw_row_t r, lxw_col_t c, double x)
{
    if (r < WIDTH_SAMPLE_ROWS) {
        char buf[32];
        widen(sh, r, c, brisk_format_double(x, buf));
    }
    return worksheet_write_number(sh->ws, r, c, x, NULL);
}

/* A sheet of ncols columns (fails only for memory). */
static lxw_error add_sheet(data_book *b, const char *name, size_t ncols, data_sheet *sh)
{
    sh->ncols = ncols;
    sh->widths = calloc(ncols ? ncols : 1, sizeof *sh->widths);
    sh->ws = sh->widths ? workbook_add_worksheet(b->wb, name) : NULL;
    if (sh->ws)
        return LXW_NO_ERROR;
    free(sh->widths);
    sh->widths = NULL;
    return LXW_ERROR_MEMORY_MALLOC_FAILED;
}

/* Widths from what was written, then the sheet's memory freed. */
static lxw_error finish_sheet(data_sheet *sh, lxw_error e)
{
    for (size_t j = 0; e == LXW_NO_ERROR && j < sh->ncols; j++) {
        size_t w = sh->widths[j] + WIDTH_PADDING;
        w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
        e = worksheet_set_column(sh->ws, (lxw_col_t)j, (lxw_col_t)j, (double)w, NULL);
    }
    free(sh->widths);
    sh->widths = NULL;
    return e;
}

static lxw_error write_header(data_book *b, data_sheet *sh, const char *const *names,
                              size_t n)
{
    lxw_error e = LXW_NO_ERROR;
    for (size_t j = 0; e == LXW_NO_ERROR && j < n; j++)
        e = write_text(sh, 0, (lxw_col_t)j, names[j], b->header);
    worksheet_freeze_panes(sh->ws, 1, 0);
    return e;
}

/* ---- Data ---- */

static lxw_error write_data_cell(data_sheet *ws, lxw_row_t r, lxw_col_t c,
                                 const brisk_column *col, size_t row, bool labels_as_text)
{
    if (brisk_is_missing(col, row))
        return LXW_NO_ERROR;
    if (col->type == BRISK_STRING)
        return write_text(ws, r, c, col->str[row], NULL);
    const char *label = labels_as_text ? brisk_column_label_of(col, col->num[row]) : NULL;
    if (label)
        return write_text(ws, r, c, label, NULL);
    if (!isfinite(col->num[row]))   /* Excel holds no infinities */
        return write_text(ws, r, c, col->num[row] > 0 ? "Inf" : "-Inf", NULL);
    return write_number(ws, r, c, col->num[row]);
}

static brisk_status write_data(data_book *b, const brisk_dataset *ds, bool labels_as_text)
{
    data_sheet sh;
    lxw_error e = add_sheet(b, "Data", ds->ncols, &sh);
    if (e != LXW_NO_ERROR)
        return lxw_failed(b, e, "Data");
    for (size_t j = 0; e == LXW_NO_ERROR && j < ds->ncols; j++)
        e = write_text(&sh, 0, (lxw_col_t)j, ds->cols[j].name, b->header);
    worksheet_freeze_panes(sh.ws, 1, 0);
    for (size_t i = 0; e == LXW_NO_ERROR && i < ds->nrows; i++)
        for (size_t j = 0; e == LXW_NO_ERROR && j < ds->ncols; j++)
            e = write_data_cell(&sh, (lxw_row_t)(i + 1), (lxw_col_t)j, &ds->cols[j], i,
                                labels_as_text);
    e = finish_sheet(&sh, e);
    return e == LXW_NO_ERROR ? BRISK_OK : lxw_failed(b, e, "Data");
}

/* ---- Variables ---- */

static const char *measure_name(brisk_measure m)
{
    switch (m) {
    case BRISK_MEASURE_NOMINAL: return "nominal";
    case BRISK_MEASURE_ORDINAL: return "ordinal";
    case BRISK_MEASURE_SCALE: return "scale";
    default: return "";
    }
}

/* "98, 99, -9 thru -1" (as the listing shows them): a column's user-missing codes and ranges. */
static bool missing_codes(const brisk_column *c, brisk_buf *out)
{
    bool ok = brisk_buf_puts(out, "");
    for (size_t k = 0; ok && k < c->n_missing_ranges; k++) {
        char lo[32], hi[32];
        const brisk_missing_range *r = &c->missing_ranges[k];
        brisk_format_double(r->lo, lo);
        brisk_format_double(r->hi, hi);
        ok = (!k || brisk_buf_puts(out, ", ")) &&
             (r->lo == r->hi ? brisk_buf_puts(out, lo)
                             : brisk_buf_printf(out, "%s thru %s", lo, hi));
    }
    return ok;
}

static brisk_status write_variables(data_book *b, const brisk_dataset *ds)
{
    static const char *const header[] = {"variable", "type", "label", "measure", "format",
                                         "user_missing"};
    size_t ncols = sizeof header / sizeof header[0];
    data_sheet sh;
    lxw_error e = add_sheet(b, "Variables", ncols, &sh);
    if (e != LXW_NO_ERROR)
        return lxw_failed(b, e, "Variables");
    e = write_header(b, &sh, header, ncols);
    brisk_buf codes = {0};
    for (size_t j = 0; e == LXW_NO_ERROR && j < ds->ncols; j++) {
        const brisk_column *c = &ds->cols[j];
        lxw_row_t r = (lxw_row_t)(j + 1);
        brisk_buf_reset(&codes);
        if (!missing_codes(c, &codes)) {
            e = LXW_ERROR_MEMORY_MALLOC_FAILED;
            break;
        }
        const char *cells[] = {c->name, c->type == BRISK_STRING ? "string" : "numeric",
                               c->label ? c->label : "", measure_name(c->measure),
                               c->format ? c->format : "", codes.data};
        for (size_t k = 0; e == LXW_NO_ERROR && k < sizeof cells / sizeof cells[0]; k++)
            e = write_text(&sh, r, (lxw_col_t)k, cells[k], NULL);
    }
    brisk_buf_free(&codes);
    e = finish_sheet(&sh, e);
    return e == LXW_NO_ERROR ? BRISK_OK : lxw_failed(b, e, "Variables");
}

/* ---- Labels ---- */

static lxw_error write_label_row(data_sheet *ws, lxw_row_t r, const brisk_column *c,
                                 const brisk_value_label *l)
{
    char buf[32];
    lxw_error e = write_text(ws, r, 0, c->name, NULL);
    if (e == LXW_NO_ERROR && !l->string_value && !isnan(l->value))
        e = write_number(ws, r, 1, l->value);
    else if (e == LXW_NO_ERROR)   /* a string value, or a tag (".a") */
        e = write_text(ws, r, 1, brisk_value_label_value(l, buf), NULL);
    if (e == LXW_NO_ERROR)
        e = write_text(ws, r, 2, l->label, NULL);
    if (e == LXW_NO_ERROR)
        e = write_text(ws, r, 3, brisk_value_label_is_missing(c, l) ? "yes" : "no", NULL);
    return e;
}

static brisk_status write_labels(data_book *b, const brisk_dataset *ds)
{
    static const char *const header[] = {"variable", "value", "label", "user_missing"};
    size_t ncols = sizeof header / sizeof header[0];
    data_sheet sh;
    lxw_error e = add_sheet(b, "Labels", ncols, &sh);
    if (e != LXW_NO_ERROR)
        return lxw_failed(b, e, "Labels");
    e = write_header(b, &sh, header, ncols);
    lxw_row_t r = 1;
    for (size_t j = 0; e == LXW_NO_ERROR && j < ds->ncols; j++) {
        const brisk_column *c = &ds->cols[j];
        for (size_t k = 0; e == LXW_NO_ERROR && k < c->n_labels; k++) {
            if (r >= EXCEL_ROWS) {
                finish_sheet(&sh, LXW_NO_ERROR);
                brisk_error_at(b->err, b->path, 0, 0);
                return brisk_error_set(b->err, BRISK_ERR_LIMIT,
                                       "more value labels than an Excel sheet has rows (%u)",
                                       EXCEL_ROWS);
            }
            e = write_label_row(&sh, r++, c, &c->labels[k]);
        }
    }
    e = finish_sheet(&sh, e);
    return e == LXW_NO_ERROR ? BRISK_OK : lxw_failed(b, e, "Labels");
}

/* ---- the workbook ---- */

static brisk_status fill(data_book *b, const brisk_dataset *ds, bool labels_as_text)
{
    char creator[] = "brisk " BRISK_VERSION;
    lxw_doc_properties props = {.title = ds->file_label, .author = creator};
    lxw_error e = workbook_set_properties(b->wb, &props);
    if (e != LXW_NO_ERROR)
        return lxw_failed(b, e, "properties");
    if (!(b->header = workbook_add_format(b->wb)))
        return lxw_failed(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "Data");
    format_set_bold(b->header);
    format_set_bottom(b->header, LXW_BORDER_THIN);
    brisk_status st = write_data(b, ds, labels_as_text);
    if (st == BRISK_OK)
        st = write_variables(b, ds);
    return st == BRISK_OK ? write_labels(b, ds) : st;
}

brisk_status brisk_write_dataset_xlsx(const char *path, const brisk_dataset *ds,
                                      bool labels_as_text, brisk_error *err)
{
    if (ds->nrows >= EXCEL_ROWS || ds->ncols > EXCEL_COLS) {
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_LIMIT,
                               "%zu rows and %zu columns do not fit an Excel sheet (%u rows "
                               "with the header, %u columns): write .csv, .sav or .dta",
                               ds->nrows, ds->ncols, EXCEL_ROWS, EXCEL_COLS);
    }
    data_book b = {.path = path, .err = err};
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .use_zip64 = LXW_TRUE};
    if (!(b.wb = workbook_new_opt(path, &options))) {
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = fill(&b, ds, labels_as_text);
    if (st != BRISK_OK) {
        lxw_workbook_free(b.wb);   /* discarded: nothing is written */
        return st;
    }
    errno = 0;
    lxw_error e = workbook_close(b.wb);
    if (e == LXW_NO_ERROR)
        return BRISK_OK;
    int saved = errno;
    brisk_error_at(err, path, 0, 0);
    return brisk_error_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? BRISK_ERR_NOMEM
                                                                  : BRISK_ERR_WRITE,
                           "cannot write the workbook: %s%s%s", lxw_strerror(e),
                           saved ? ": " : "", saved ? strerror(saved) : "");
}
