/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the one table type every analysis returns and every writer takes.
 *
 * A table has typed columns and rows of cells.  Numeric cells hold full
 * precision; how they are shown (decimals, percent, p-value style) is a
 * property of the column, applied by the writers of human formats (text,
 * md, tex, xlsx).  Machine formats (csv, json) write full precision under
 * the columns' keys. */
#ifndef BRISK_TABLE_H
#define BRISK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_cell_kind {
    BRISK_CELL_TEXT = 0,   /* a string */
    BRISK_CELL_INT,        /* a count, shown without decimals */
    BRISK_CELL_NUMBER,     /* shown with the column's decimals */
    BRISK_CELL_PERCENT,    /* a percentage (0..100), with the column's decimals */
    BRISK_CELL_PVALUE,     /* shown APA style: ".034", "< .001" */
    BRISK_CELL_BOOL
} brisk_cell_kind;

typedef struct brisk_table_column {
    char *key;        /* machine name: CSV header, JSON member */
    char *header;     /* display header */
    char *group;      /* spanning header over adjacent columns, or NULL */
    brisk_cell_kind kind;
    int decimals;     /* for NUMBER and PERCENT */
} brisk_table_column;

/* A cell: text for TEXT columns, num otherwise.  A missing value is a
 * NULL text or a NaN num, written as an empty cell or a dash. */
typedef struct brisk_cell {
    double num;
    char *text;
} brisk_cell;

/* A native chart drawn from a table's own cells by the workbook writer
 * (xlsx); other formats ignore it.  One series per value column, one
 * category per row, labelled by the category column's text. */
typedef enum brisk_chart_type {
    BRISK_CHART_NONE = 0,
    BRISK_CHART_BAR,        /* horizontal bars */
    BRISK_CHART_COLUMN,     /* vertical bars */
    BRISK_CHART_FOREST      /* a forest plot: per row a point per series with its interval
                               (lower_cols to upper_cols) as a horizontal line; drawn by the
                               HTML writer (a workbook has no native one) */
} brisk_chart_type;

typedef struct brisk_table_chart {
    brisk_chart_type type;
    char *title;
    char *axis_title;       /* title of the value axis, or NULL */
    size_t category_col;
    size_t *value_cols;
    size_t nvalues;
    size_t *lower_cols, *upper_cols;   /* FOREST: each value's interval, or NULL */
    double axis_min, axis_max;  /* NaN: chosen by the application */
} brisk_table_chart;

typedef struct brisk_table {
    char *id;          /* stable identifier, e.g. "describe.items" */
    char *title;
    char *sheet;       /* workbook sheet it belongs on, or NULL: its own */
    brisk_table_chart chart;
    brisk_table_column *cols;
    size_t ncols;
    brisk_cell *cells; /* row-major, nrows * ncols */
    size_t nrows;
    size_t cap_rows;
    char **notes;      /* lines printed under the table */
    size_t nnotes;
} brisk_table;

/* A list of tables, the result of one command. */
typedef struct brisk_table_list {
    brisk_table **tables;
    size_t count;
    size_t cap;
    char **warnings;   /* warnings of the whole run, in order */
    size_t nwarnings;
    /* A whole document's title (brisk report: the survey's), or NULL: the
     * tables alone.  Word and HTML take it for the document's title, and
     * LaTeX then writes a document that compiles by itself (its preamble,
     * a section per sheet) instead of a fragment to \input. */
    char *title;
} brisk_table_list;

brisk_table *brisk_table_new(const char *id, const char *title);
void brisk_table_free(brisk_table *t);

/* Add a column before any row is added; returns its index or (size_t)-1 on
 * failure (out of memory). */
size_t brisk_table_add_column(brisk_table *t, const char *key, const char *header,
                              brisk_cell_kind kind, int decimals);
/* Set the spanning group header of a column. */
brisk_status brisk_table_set_group(brisk_table *t, size_t col, const char *group);

/* Append a row of missing cells; returns its index or (size_t)-1. */
size_t brisk_table_add_row(brisk_table *t);
brisk_status brisk_table_set_text(brisk_table *t, size_t row, size_t col, const char *s);
void brisk_table_set_num(brisk_table *t, size_t row, size_t col, double x);
const brisk_cell *brisk_table_cell(const brisk_table *t, size_t row, size_t col);
/* Column index by key, or (size_t)-1. */
size_t brisk_table_find_column(const brisk_table *t, const char *key);

brisk_status brisk_table_add_note(brisk_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Put the table on a named workbook sheet (tables with the same sheet
 * name share it, one under the other). */
brisk_status brisk_table_set_sheet(brisk_table *t, const char *sheet);

/* Attach a chart of the value columns by the category column's rows. */
brisk_status brisk_table_set_chart(brisk_table *t, brisk_chart_type type, const char *title,
                                   const char *axis_title, size_t category_col,
                                   const size_t *value_cols, size_t nvalues);
/* The chart's intervals: for each of its nvalues value columns, the
 * columns of its lower and upper bound (after brisk_table_set_chart). */
brisk_status brisk_table_set_chart_intervals(brisk_table *t, const size_t *lower_cols,
                                             const size_t *upper_cols);

brisk_table_list *brisk_table_list_new(void);
void brisk_table_list_free(brisk_table_list *list);
/* Takes ownership of t (frees it on failure). */
brisk_status brisk_table_list_add(brisk_table_list *list, brisk_table *t);
brisk_status brisk_table_list_warn(brisk_table_list *list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Make the list a whole document with this title (see title); a copy is
 * kept. */
brisk_status brisk_table_list_set_title(brisk_table_list *list, const char *title);

/* Format a numeric cell the way human formats show it (3 decimals, APA
 * p-values, ...) into buf; a missing value gives "".  Returns buf. */
char *brisk_table_format_cell(const brisk_table_column *col, const brisk_cell *cell,
                              char *buf, size_t size);

/* ---- writers: one per format ---- */

typedef enum brisk_output_format {
    BRISK_OUT_TEXT = 0,
    BRISK_OUT_CSV,
    BRISK_OUT_MD,
    BRISK_OUT_JSON,
    BRISK_OUT_TEX,          /* LaTeX: booktabs tables */
    BRISK_OUT_XLSX,         /* Excel workbook: needs a file, not a stream */
    BRISK_OUT_HTML,         /* one self-contained HTML5 page, charts as SVG */
    BRISK_OUT_DOCX          /* Word document: needs a file, not a stream */
} brisk_output_format;

/* Format from a name ("text", "csv", "md", "json", "tex", "xlsx", "html", "docx") or from a
 * file name's extension; returns false when neither is recognised. */
bool brisk_output_format_parse(const char *name, brisk_output_format *out);
bool brisk_output_format_from_path(const char *path, brisk_output_format *out);

/* Write every table of the list in the given format to stream (every
 * format but xlsx and docx).  For CSV with several tables, each table is preceded
 * by a "# id: title" line and separated by an empty line. */
brisk_status brisk_write_tables(FILE *stream, brisk_output_format format,
                                const brisk_table_list *list, brisk_error *err);

/* Write the tables to a file, atomically (a temporary file renamed on
 * success), in any format including xlsx and docx. */
brisk_status brisk_write_tables_file(const char *path, brisk_output_format format,
                                     const brisk_table_list *list, brisk_error *err);

/* An Excel workbook of the tables: a sheet per table (or per sheet name),
 * bold headers, merged group headers, number formats per column kind,
 * frozen header rows, notes under each table, charts.  Writes path
 * directly; brisk_write_tables_file makes it atomic. */
brisk_status brisk_write_xlsx(const char *path, const brisk_table_list *list, brisk_error *err);

/* A Word document of the tables: the list's title, its warnings, a
 * heading per sheet (or per table without one), each table in APA style
 * (numbered title above, notes below, rules above, under the header and at
 * the bottom only).  A deterministic zip: the same tables give the same
 * bytes.  Writes path directly; brisk_write_tables_file makes it atomic. */
brisk_status brisk_write_docx(const char *path, const brisk_table_list *list, brisk_error *err);

/* ---- atomic output files ---- */

/* An output file written to a temporary name beside the target and renamed
 * onto it on commit, so no command leaves a partial file.  A target that
 * exists and is no regular file (/dev/stdout, /dev/null, a named pipe) is
 * written directly (temp NULL): renaming over it would replace the device
 * or pipe itself. */
typedef struct brisk_output {
    FILE *stream;
    char *target;
    char *temp;
} brisk_output;

brisk_status brisk_output_open(brisk_output *out, const char *path, brisk_error *err);

/* The program may watch the temporary files of outputs, to remove them
 * when it is interrupted (tools/signals.c): watch(temp, true) once the
 * temporary file exists, watch(temp, false) once it has been renamed or
 * removed.  Set once, before any output is opened; NULL (the default): no
 * one watches. */
typedef void (*brisk_temp_watch)(const char *temp, bool exists);
void brisk_output_watch(brisk_temp_watch watch);
/* The same without a stream: out->temp is an empty file to be written by
 * name (as libxlsxwriter does), then committed or aborted; a target that is
 * no regular file is refused (BRISK_ERR_WRITE). */
brisk_status brisk_output_open_path(brisk_output *out, const char *path, brisk_error *err);
/* Close and rename; on failure the temporary file is removed. */
brisk_status brisk_output_commit(brisk_output *out, brisk_error *err);
/* Close and remove the temporary file. */
void brisk_output_abort(brisk_output *out);

#ifdef __cplusplus
}
#endif
#endif
