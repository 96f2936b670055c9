/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the in-memory columnar dataset and its readers.
 *
 * A dataset is a set of equally long columns.  A numeric column holds
 * doubles with NaN in every missing cell; a string column holds UTF-8
 * strings ("" in missing cells).  For every cell the kind of missing is
 * kept (empty/system, user-defined code, Stata/SAS tag), because SPSS and
 * Stata users expect "refused" and "don't know" to stay distinguishable. */
#ifndef BRISK_DATASET_H
#define BRISK_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "error.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_type { BRISK_NUMERIC = 0, BRISK_STRING = 1 } brisk_type;

typedef enum brisk_measure {
    BRISK_MEASURE_UNKNOWN = 0,
    BRISK_MEASURE_NOMINAL,
    BRISK_MEASURE_ORDINAL,
    BRISK_MEASURE_SCALE
} brisk_measure;

/* Kind of a cell's missingness.  Tagged missing values (Stata .a–.z, SAS
 * .A–.Z and ._) are stored as BRISK_MISS_TAGGED + tag index (0..26). */
enum {
    BRISK_MISS_NONE = 0,    /* a valid value */
    BRISK_MISS_SYSTEM = 1,  /* empty cell, NA, ".", system missing */
    BRISK_MISS_USER = 2,    /* a user-defined missing code (SPSS, survey) */
    BRISK_MISS_TAGGED = 3   /* 3 + k for tag k; see brisk_missing_tag() */
};

typedef struct brisk_value_label {
    double value;         /* numeric columns */
    char *string_value;   /* string columns (NULL for numeric) */
    char *label;
} brisk_value_label;

/* A user-missing specification: values in [lo, hi] are missing. */
typedef struct brisk_missing_range {
    double lo, hi;
} brisk_missing_range;

typedef struct brisk_column {
    char *name;
    char *label;                  /* variable label, or NULL */
    brisk_type type;
    brisk_measure measure;
    double *num;                  /* BRISK_NUMERIC: nrows values, NaN if missing */
    char **str;                   /* BRISK_STRING: nrows strings, never NULL */
    unsigned char *miss;          /* nrows missing kinds */
    double *user_code;            /* BRISK_NUMERIC: nrows codes, each user-missing cell's
                                     (NaN where none is known); NULL until a cell has one,
                                     so a file's 8 and 9 are written back as 8 and 9 */
    /* Codes that the file (or the survey) declares missing. */
    brisk_missing_range *missing_ranges;
    size_t n_missing_ranges;
    /* Value labels, in the order the file gives them. */
    brisk_value_label *labels;
    size_t n_labels;
    char *format;                 /* display format from the file, or NULL */
} brisk_column;

typedef struct brisk_dataset {
    size_t nrows;
    size_t ncols;
    brisk_column *cols;
    size_t cap_cols;
    char *source;                 /* path or name it was read from */
    char *file_label;             /* SPSS/Stata file label, or NULL */
    char **notes;                 /* what the reader has to say about how it read the
                                     file (an xlsx's dates kept as serial numbers), once
                                     each; commands show them as warnings */
    size_t nnotes;
    size_t *by_name;              /* open-addressing hash of the column names: index + 1,
                                     0 empty (brisk_dataset_add_column keeps it) */
    size_t by_name_cap;           /* a power of two, at least twice ncols */
} brisk_dataset;

/* ---- construction ---- */

brisk_dataset *brisk_dataset_new(size_t nrows);
void brisk_dataset_free(brisk_dataset *ds);

/* Append a column of nrows cells (all missing at first); returns its index
 * through *index.  The name must be unique. */
brisk_status brisk_dataset_add_column(brisk_dataset *ds, const char *name,
                                      brisk_type type, size_t *index,
                                      brisk_error *err);

/* Change the number of rows of every column; new cells are system
 * missing.  Readers that learn the row count late grow with it. */
brisk_status brisk_dataset_resize(brisk_dataset *ds, size_t nrows);

/* Keep the rows whose keep[i] is true, in their order (a filter). */
brisk_status brisk_dataset_keep_rows(brisk_dataset *ds, const bool *keep, brisk_error *err);

/* Turn a text column of nrows cells into a numeric one holding values (NaN:
 * missing, keeping the cell's kind of missing); its value labels stay. */
brisk_status brisk_column_make_numeric(brisk_column *c, size_t nrows, const double *values);

/* Column by exact name, or NULL (borrowed). */
brisk_column *brisk_dataset_find(const brisk_dataset *ds, const char *name);
/* Index of a column, or (size_t)-1. */
size_t brisk_dataset_index(const brisk_dataset *ds, const char *name);
/* The column whose name is nearest to name (at most two edits away), for
 * "did you mean" in messages, or NULL (borrowed). */
const char *brisk_dataset_closest(const brisk_dataset *ds, const char *name);
/* " (did you mean 'NAME'?)" with the nearest column into buf (300 bytes
 * hold any), or "" when none is near; returns buf. */
char *brisk_dataset_did_you_mean(const brisk_dataset *ds, const char *name, char *buf,
                                 size_t size);

/* A cell's value as messages show it: a string (its first max bytes) or
 * a number (%.15g), into buf. */
void brisk_cell_text(const brisk_column *col, size_t row, int max, char *buf, size_t size);

/* Set a cell.  brisk_column_set_string copies s. */
void brisk_column_set_number(brisk_column *col, size_t row, double value);
brisk_status brisk_column_set_string(brisk_column *col, size_t row, const char *s);
void brisk_column_set_missing(brisk_column *col, size_t row, unsigned char kind);
/* Make a numeric cell user-missing and remember its code (col has nrows
 * rows). */
brisk_status brisk_column_set_user_code(brisk_column *col, size_t nrows, size_t row,
                                        double code);

/* Add a value label / a user-missing range (copies strings). */
brisk_status brisk_column_add_label(brisk_column *col, double value,
                                    const char *string_value, const char *label);
brisk_status brisk_column_add_missing_range(brisk_column *col, double lo, double hi);

/* Label of a numeric value, or NULL (borrowed). */
const char *brisk_column_label_of(const brisk_column *col, double value);

/* The labelled value as text: the string value, the tag of a tagged
 * missing value (".a"; its label reads ".a: refused"), or the number.
 * buf needs 32 bytes; returns buf or the label's own string. */
const char *brisk_value_label_value(const brisk_value_label *l, char *buf);
/* Does the label describe a missing value (user-missing code or tag)? */
bool brisk_value_label_is_missing(const brisk_column *col, const brisk_value_label *l);

/* True when value lies in one of the column's user-missing ranges. */
bool brisk_column_is_user_missing_value(const brisk_column *col, double value);

static inline bool brisk_is_missing(const brisk_column *col, size_t row)
{
    return col->miss[row] != BRISK_MISS_NONE;
}

/* Tag letter of a tagged-missing kind ('a'..'z', '_'), or 0. */
char brisk_missing_tag(unsigned char kind);

/* Count missing cells of a column by kind: counts[0] system, [1] user,
 * [2] tagged. */
void brisk_column_count_missing(const brisk_column *col, size_t nrows,
                                size_t counts[3]);

/* ---- readers ---- */

typedef enum brisk_format {
    BRISK_FORMAT_AUTO = 0,   /* from the file name's extension */
    BRISK_FORMAT_CSV,        /* delimited text: .csv .tsv .txt */
    BRISK_FORMAT_SAV,        /* SPSS .sav and compressed .zsav */
    BRISK_FORMAT_POR,        /* SPSS portable */
    BRISK_FORMAT_DTA,        /* Stata */
    BRISK_FORMAT_SAS7BDAT,   /* SAS data set */
    BRISK_FORMAT_XPT,        /* SAS transport */
    BRISK_FORMAT_XLSX        /* Excel workbook (Office Open XML) */
} brisk_format;

typedef struct brisk_read_options {
    brisk_format format;      /* BRISK_FORMAT_AUTO to infer from the name */
    char delimiter;           /* CSV: 0 to detect (',', '\t', ';', '|') */
    const char *encoding;     /* source encoding (iconv name), NULL = UTF-8 or
                                 the file's own declaration */
    /* Extra tokens read as system missing in CSV besides "", "NA", "."; NULL-
     * terminated, may be NULL. */
    const char *const *na_tokens;
    const char *sheet;        /* xlsx: the sheet to read by name; NULL: the first */
    char decimal;             /* CSV (and numbers written as text in xlsx): the decimal
                                 mark, '.' (or 0) or ','; with ',' a '.' is no decimal
                                 mark and the delimiter detected is never ',' */
    unsigned skip;            /* CSV: lines, xlsx: rows before the header row */
    unsigned header_rows;     /* rows of header (0 means 1); with 2 or more the second
                                 holds each column's label (Qualtrics' question texts)
                                 and the rest are dropped */
} brisk_read_options;

/* Limits on what a file may make us allocate. */
#define BRISK_MAX_FIELD_BYTES   (1u << 20)   /* one CSV field: 1 MiB */
#define BRISK_MAX_COLUMNS       100000
#define BRISK_MAX_ROWS          100000000
#define BRISK_MAX_HEADER_ROWS   100          /* skip and header_rows */
#define BRISK_MAX_XLSX_ENTRY    (256u << 20) /* uncompressed bytes of one xlsx part */
#define BRISK_MAX_XLSX_TOTAL    (1024u << 20)/* uncompressed bytes of all parts read */
#define BRISK_MAX_XLSX_FILE     (1024u << 20)/* the .xlsx file itself */

/* Every extension brisk_format_from_name knows, for messages and --help. */
#define BRISK_DATA_EXTENSIONS ".csv .tsv .txt .dat .sav .zsav .por .dta .sas7bdat .xpt .xport .xlsx"

/* Format implied by a file name's extension, or BRISK_FORMAT_AUTO when the
 * extension is not known. */
brisk_format brisk_format_from_name(const char *name);
const char *brisk_format_name(brisk_format format);

/* Read a delimited text file (RFC 4180). */
brisk_status brisk_read_csv(brisk_io *io, const brisk_read_options *opt,
                            brisk_dataset **out, brisk_error *err);

/* Read the first sheet of an Excel workbook (.xlsx), or opt->sheet: the
 * first row (after opt->skip) names the columns; a column is numeric when
 * every value in it is a number, as in CSV; dates stay Excel's serial
 * numbers, with a note.  The whole file is read into memory (at most
 * BRISK_MAX_XLSX_FILE), and every part inflated is bounded. */
brisk_status brisk_read_xlsx(brisk_io *io, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err);

/* Read SPSS, Stata or SAS data through ReadStat. */
brisk_status brisk_read_stat(brisk_io *io, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err);

/* Open path and read it with the reader its format calls for. */
brisk_status brisk_read_file(const char *path, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err);

/* ---- writers ---- */

/* Write the data as delimited text (',' or '\t'): a header of names, then
 * one line per row; missing cells are empty, numbers at full precision.
 * With labels_as_text, a numeric value that has a value label is written
 * as its label. */
brisk_status brisk_write_dataset_csv(FILE *stream, const brisk_dataset *ds, char delimiter,
                                     bool labels_as_text, brisk_error *err);

/* The value labels of every column as CSV: variable,value,label,user_missing. */
brisk_status brisk_write_value_labels_csv(FILE *stream, const brisk_dataset *ds,
                                          brisk_error *err);

/* Add a note about how the data were read (printf-style; copied). */
brisk_status brisk_dataset_add_note(brisk_dataset *ds, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For a text column whose values would all read as numbers with a decimal
 * comma ("1,5"): the advice to add to a message that the column is text
 * ("; its values use a decimal comma: ..."); "" for any other column. */
const char *brisk_column_decimal_hint(const brisk_column *col, size_t nrows);

/* Number of value labels in the whole dataset. */
size_t brisk_dataset_count_labels(const brisk_dataset *ds);

/* What a writer could not carry into the target format (a user-missing
 * cell whose code the dataset does not keep, a Stata tag in an SPSS file,
 * a string's value labels in Stata...): the variable and a sentence.  The
 * writer goes on; the program shows these as warnings. */
typedef void (*brisk_write_notice)(void *ctx, const char *variable, const char *message);

/* Write the data as an SPSS .sav (format BRISK_FORMAT_SAV, row-compressed)
 * or a Stata .dta (BRISK_FORMAT_DTA, format 118, UTF-8) through ReadStat's
 * writer: names, variable labels, value labels, user-missing codes and
 * ranges, measure levels and display formats where the format has them,
 * string widths from the longest value; Stata's tagged missing values
 * stay tagged.  A name the format cannot hold is BRISK_ERR_VALUE naming the
 * variable (nothing is renamed); a failed write BRISK_ERR_WRITE.  notice
 * may be NULL. */
brisk_status brisk_write_dataset_stat(FILE *stream, const brisk_dataset *ds, brisk_format format,
                                      brisk_write_notice notice, void *ctx, brisk_error *err);

/* Why Stata cannot hold a variable name (a static sentence), or NULL when
 * it can: 1 to 32 characters, a letter or '_' then letters, digits, '_',
 * and none of Stata's reserved words. */
const char *brisk_stata_name_problem(const char *name);

/* Write the data as an Excel workbook at path (written directly; the
 * program makes it atomic): a Data sheet (a header row of names, frozen;
 * numbers as numbers, text as text, missing cells empty; with
 * labels_as_text, labelled values as their labels), a Variables sheet
 * (name, type, label, measure, format, user-missing codes) and a Labels
 * sheet (variable, value, label, user-missing yes/no). */
brisk_status brisk_write_dataset_xlsx(const char *path, const brisk_dataset *ds,
                                      bool labels_as_text, brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
