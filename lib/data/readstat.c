/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SPSS (.sav .zsav .por), Stata (.dta) and SAS (.sas7bdat .xpt) files,
 * read through ReadStat into a brisk_dataset.
 *
 * ReadStat calls us back: metadata, then one call per variable, then one
 * per cell, and value labels before the data (SPSS) or after it (Stata).
 * Its I/O goes through handlers we bridge onto the caller's brisk_io, so
 * files and memory buffers read alike.
 *
 * The file is untrusted.  Declared counts only size the first allocation
 * (capped by the file's size); the dataset then grows as cells really
 * arrive, and every index ReadStat hands us is checked against what we
 * allocated before it is used.
 *
 * Value labels of Stata's tagged missing values (.a, .b, ...) are kept:
 * their value is NaN and their label text starts with the tag, as in
 * ".a: refused", because which tag means "refused" and which "don't know"
 * is otherwise lost.  brisk_column_label_of() never matches them (NaN is
 * equal to nothing), so they do not disturb lookups of valid values. */
#include <config.h>
#include <iconv.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readstat.h>
#include "brisk/dataset.h"
#include "core/util.h"

#define NO_COLUMN ((size_t)-1)

/* Cells we are willing to allocate on the strength of a declared row count
 * alone: the larger of this and the file's size in bytes (a cell takes at
 * least about a byte in every uncompressed format). */
#define PREALLOC_MIN_CELLS ((size_t)1 << 20)

/* Rows to start with when the file does not say how many it has. */
#define UNKNOWN_ROWS_START 1024

/* Value labels copied onto columns, summed over all columns: one label set
 * may be shared by every variable, and a hostile file could multiply a
 * large set by many variables. */
#define MAX_ATTACHED_LABELS ((size_t)1 << 21)

/* One value label as it arrives, before we know which columns use it. */
typedef struct pending_label {
    char *set;                /* label set name */
    size_t order;             /* arrival order, to keep the file's order */
    brisk_value_label item;   /* string_value set only for string labels */
} pending_label;

typedef struct stat_reader {
    /* the input and our position in it */
    brisk_io *io;
    long long pos;
    long long size;
    bool io_failed;           /* the brisk_io itself reported an error */

    brisk_format format;
    brisk_dataset *ds;

    /* ReadStat's variable index -> dataset column (NO_COLUMN if none) */
    size_t *column_of;
    size_t n_column_of, cap_column_of;

    /* per dataset column: the name of its value label set, or NULL */
    char **set_of_column;
    size_t n_set_of_column, cap_set_of_column;

    pending_label *labels;
    size_t n_labels, cap_labels;

    long long declared_rows;  /* -1 when the file does not say */
    size_t rows_seen;         /* 1 + the largest observation index seen */

    /* the first failure raised inside a handler; err holds its detail */
    brisk_status status;
    brisk_error *err;
    char readstat_says[256];  /* last text from ReadStat's error handler */
} stat_reader;

/* ------------------------------------------------------------ failures */

/* Record a failure from inside a handler and tell ReadStat to stop. */
static int handler_fail(stat_reader *r, brisk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int handler_fail(stat_reader *r, brisk_status status, const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    r->status = status;
    brisk_error_set(r->err, status, "%s", message);
    return READSTAT_HANDLER_ABORT;
}

/* For failures whose detail the called function already wrote into err. */
static int handler_fail_status(stat_reader *r, brisk_status status)
{
    r->status = status;
    return READSTAT_HANDLER_ABORT;
}

static void on_error_text(const char *message, void *ctx)
{
    stat_reader *r = ctx;
    if (!message)
        return;
    /* ReadStat's texts are English, but some quote bytes of the file (and
     * its .por reader, 1.1.8, bytes from beyond a buffer): only printable
     * ASCII reaches a message, anything else shown as '?', so a corrupt
     * file cannot put control sequences on the user's terminal. */
    size_t end = strlen(message), n = 0;
    while (end > 0 && (message[end - 1] == '\n' || message[end - 1] == '\r'))
        end--;   /* ReadStat's texts sometimes end in a newline */
    for (size_t i = 0; i < end && n + 1 < sizeof r->readstat_says; i++) {
        unsigned char c = (unsigned char)message[i];
        r->readstat_says[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    r->readstat_says[n] = '\0';
}

/* ------------------------------------------------------------ I/O bridge */

/* The brisk_io is already open and owned by our caller: "opening" only
 * rewinds it. */
static int bridge_open(const char *path, void *io_ctx)
{
    stat_reader *r = io_ctx;
    (void)path;
    if (r->io->seek(r->io->ctx, 0) != 0)
        return -1;
    r->pos = 0;
    return 0;
}

/* The caller closes the brisk_io. */
static int bridge_close(void *io_ctx)
{
    (void)io_ctx;
    return 0;
}

static readstat_off_t bridge_seek(readstat_off_t offset, readstat_io_flags_t whence,
                                  void *io_ctx)
{
    stat_reader *r = io_ctx;
    long long base;
    switch (whence) {
    case READSTAT_SEEK_SET:
        base = 0;
        break;
    case READSTAT_SEEK_CUR:
        base = r->pos;
        break;
    case READSTAT_SEEK_END:
        base = r->size;
        break;
    default:
        return -1;
    }
    if (offset > 0 && base > LLONG_MAX - (long long)offset)
        return -1;
    long long target = base + (long long)offset;
    /* A file would let us seek past its end and a buffer would not:
     * refuse for both, so corrupt offsets fail the same way everywhere. */
    if (target < 0 || target > r->size)
        return -1;
    if (r->io->seek(r->io->ctx, target) != 0) {
        r->io_failed = true;
        return -1;
    }
    r->pos = target;
    return (readstat_off_t)target;
}

/* ReadStat compares the count it gets with what it asked for as unsigned
 * numbers, so -1 would pass for a full read: report errors as a short
 * count and remember them. */
static ssize_t bridge_read(void *buf, size_t nbyte, void *io_ctx)
{
    stat_reader *r = io_ctx;
    size_t got = 0;
    while (got < nbyte) {
        ssize_t n = r->io->read(r->io->ctx, (char *)buf + got, nbyte - got);
        if (n < 0) {
            r->io_failed = true;
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    r->pos += (long long)got;
    return (ssize_t)got;
}

static readstat_error_t bridge_update(long file_size, readstat_progress_handler progress,
                                      void *user_ctx, void *io_ctx)
{
    stat_reader *r = io_ctx;
    if (!progress || file_size <= 0)
        return READSTAT_OK;
    if (progress((double)r->pos / (double)file_size, user_ctx) != READSTAT_HANDLER_OK)
        return READSTAT_ERROR_USER_ABORT;
    return READSTAT_OK;
}

/* ------------------------------------------------------------ metadata */

static int on_metadata(readstat_metadata_t *metadata, void *ctx)
{
    stat_reader *r = ctx;
    int rows = readstat_get_row_count(metadata);
    int vars = readstat_get_var_count(metadata);
    if (vars > BRISK_MAX_COLUMNS)
        return handler_fail(r, BRISK_ERR_LIMIT,
                            "the file declares %d variables; at most %d are supported",
                            vars, BRISK_MAX_COLUMNS);
    /* The parser's row limit caps what ReadStat reports here at one over
     * our maximum, so the true count may be larger than `rows`.  Even the
     * best-compressed format spends a bit on a row: a count beyond that
     * is a damaged or foreign file rather than a big one. */
    if (rows > BRISK_MAX_ROWS && (long long)(rows / 8) > r->size)
        return handler_fail(r, BRISK_ERR_FORMAT,
                            "not a valid %s file: it declares more than %d rows, more "
                            "than its %lld bytes can hold", brisk_format_name(r->format),
                            BRISK_MAX_ROWS, r->size);
    if (rows > BRISK_MAX_ROWS)
        return handler_fail(r, BRISK_ERR_LIMIT,
                            "the file declares more than %d rows, the most brisk reads",
                            BRISK_MAX_ROWS);
    r->declared_rows = rows >= 0 ? rows : -1;

    const char *label = readstat_get_file_label(metadata);
    if (label && label[0]) {
        char *copy = brisk_strdup(label);
        if (!copy)
            return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
        free(r->ds->file_label);
        r->ds->file_label = copy;
    }
    return READSTAT_HANDLER_OK;
}

/* ------------------------------------------------------------ variables */

static brisk_measure measure_from_readstat(readstat_measure_t m)
{
    switch (m) {
    case READSTAT_MEASURE_NOMINAL:
        return BRISK_MEASURE_NOMINAL;
    case READSTAT_MEASURE_ORDINAL:
        return BRISK_MEASURE_ORDINAL;
    case READSTAT_MEASURE_SCALE:
        return BRISK_MEASURE_SCALE;
    default:
        return BRISK_MEASURE_UNKNOWN;
    }
}

/* Remember that ReadStat's variable `index` lives in dataset column col. */
static int map_variable(stat_reader *r, int index, size_t col)
{
    size_t i = (size_t)index;
    if (i >= r->n_column_of) {
        if (!brisk_grow((void **)&r->column_of, &r->cap_column_of, i + 1,
                        sizeof *r->column_of))
            return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
        for (size_t k = r->n_column_of; k <= i; k++)
            r->column_of[k] = NO_COLUMN;
        r->n_column_of = i + 1;
    }
    if (r->column_of[i] != NO_COLUMN)
        return handler_fail(r, BRISK_ERR_FORMAT, "variable number %d is declared twice",
                            index);
    r->column_of[i] = col;
    return READSTAT_HANDLER_OK;
}

/* Keep the name of column col's value label set until the labels arrive. */
static int remember_label_set(stat_reader *r, size_t col, const char *set)
{
    if (!brisk_grow((void **)&r->set_of_column, &r->cap_set_of_column, col + 1,
                    sizeof *r->set_of_column))
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    /* Columns whose variable failed half-way have no entry yet. */
    for (size_t k = r->n_set_of_column; k <= col; k++)
        r->set_of_column[k] = NULL;
    if (col + 1 > r->n_set_of_column)
        r->n_set_of_column = col + 1;
    if (set && set[0] && !(r->set_of_column[col] = brisk_strdup(set)))
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    return READSTAT_HANDLER_OK;
}

/* SPSS user-missing codes: discrete values come as ranges with lo == hi.
 * String codes have no place in brisk_missing_range; their cells are still
 * marked user-missing as they are read. */
static int copy_missing_ranges(stat_reader *r, brisk_column *c, readstat_variable_t *var)
{
    if (c->type != BRISK_NUMERIC)
        return READSTAT_HANDLER_OK;
    int n = readstat_variable_get_missing_ranges_count(var);
    for (int i = 0; i < n; i++) {
        double lo = readstat_double_value(readstat_variable_get_missing_range_lo(var, i));
        double hi = readstat_double_value(readstat_variable_get_missing_range_hi(var, i));
        if (isnan(lo) || isnan(hi))
            continue;
        if (brisk_column_add_missing_range(c, lo, hi) != BRISK_OK)
            return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    }
    return READSTAT_HANDLER_OK;
}

static int describe_column(stat_reader *r, brisk_column *c, readstat_variable_t *var)
{
    const char *label = readstat_variable_get_label(var);
    const char *format = readstat_variable_get_format(var);
    if ((label && label[0] && !(c->label = brisk_strdup(label))) ||
        (format && format[0] && !(c->format = brisk_strdup(format))))
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    c->measure = measure_from_readstat(readstat_variable_get_measure(var));
    return copy_missing_ranges(r, c, var);
}

static int on_variable(int index, readstat_variable_t *var, const char *val_labels,
                       void *ctx)
{
    stat_reader *r = ctx;
    if (index < 0 || index >= BRISK_MAX_COLUMNS)
        return handler_fail(r, BRISK_ERR_LIMIT,
                            "variable number %d: at most %d variables are supported",
                            index, BRISK_MAX_COLUMNS);
    const char *name = readstat_variable_get_name(var);
    if (!name || !name[0])
        return handler_fail(r, BRISK_ERR_FORMAT, "variable number %d has no name", index + 1);

    brisk_type type = readstat_variable_get_type_class(var) == READSTAT_TYPE_CLASS_STRING
                          ? BRISK_STRING
                          : BRISK_NUMERIC;
    size_t col;
    brisk_status st = brisk_dataset_add_column(r->ds, name, type, &col, r->err);
    if (st != BRISK_OK)
        return handler_fail_status(r, st);

    int rc = map_variable(r, index, col);
    if (rc == READSTAT_HANDLER_OK)
        rc = remember_label_set(r, col, val_labels);
    if (rc == READSTAT_HANDLER_OK)
        rc = describe_column(r, &r->ds->cols[col], var);
    if (rc != READSTAT_HANDLER_OK)
        brisk_error_variable(r->err, name);
    return rc;
}

/* ------------------------------------------------------------ cells */

/* Rows to allocate before the first cell arrives: what the file declares,
 * but never more cells than the file could plausibly hold. */
static size_t initial_rows(const stat_reader *r)
{
    size_t ncols = r->ds->ncols ? r->ds->ncols : 1;
    size_t budget = PREALLOC_MIN_CELLS;
    if (r->size > 0 && (unsigned long long)r->size > budget)
        budget = (size_t)r->size;
    size_t cap = budget / ncols;
    size_t want = r->declared_rows > 0 ? (size_t)r->declared_rows : UNKNOWN_ROWS_START;
    if (want < cap)
        cap = want;
    return cap ? cap : 1;
}

/* Make row `row` exist, doubling the allocation so that files whose
 * declared row count is missing or wrong still read in linear time. */
static int ensure_row(stat_reader *r, size_t row)
{
    brisk_dataset *ds = r->ds;
    if (row >= ds->nrows) {
        size_t cap = ds->nrows ? ds->nrows : initial_rows(r);
        while (cap <= row && cap < BRISK_MAX_ROWS)
            cap = cap > BRISK_MAX_ROWS / 2 ? BRISK_MAX_ROWS : cap * 2;
        if (cap <= row)
            return handler_fail(r, BRISK_ERR_LIMIT, "more than %d rows", BRISK_MAX_ROWS);
        brisk_status st = brisk_dataset_resize(ds, cap);
        if (st != BRISK_OK)
            return handler_fail(r, st, "cannot hold %zu rows: %s", cap, brisk_strerror(st));
    }
    if (row + 1 > r->rows_seen)
        r->rows_seen = row + 1;
    return READSTAT_HANDLER_OK;
}

/* Kind of missing of a tag: 'a'..'z' (Stata, SAS), 'A'..'Z' (SAS, same
 * as lower case) and '_' (SAS); anything else is plain system missing. */
static unsigned char tagged_kind(char tag)
{
    if (tag >= 'a' && tag <= 'z')
        return (unsigned char)(BRISK_MISS_TAGGED + (tag - 'a'));
    if (tag >= 'A' && tag <= 'Z')
        return (unsigned char)(BRISK_MISS_TAGGED + (tag - 'A'));
    if (tag == '_')
        return BRISK_MISS_TAGGED + 26;
    return BRISK_MISS_SYSTEM;
}

/* Missingness is asked of ReadStat first, with the variable, so that SPSS
 * user-missing codes and Stata tags inside integer storage are seen. */
static unsigned char missing_kind(readstat_value_t value, readstat_variable_t *var)
{
    if (readstat_value_is_system_missing(value))
        return BRISK_MISS_SYSTEM;
    if (readstat_value_is_tagged_missing(value))
        return tagged_kind(readstat_value_tag(value));
    if (readstat_value_is_defined_missing(value, var))
        return BRISK_MISS_USER;
    return BRISK_MISS_NONE;
}

static int store_cell(stat_reader *r, brisk_column *c, size_t row, readstat_value_t value,
                      readstat_variable_t *var)
{
    unsigned char kind = missing_kind(value, var);
    bool is_string = readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING;
    if (is_string != (c->type == BRISK_STRING))
        return handler_fail(r, BRISK_ERR_FORMAT, "row %zu: value of the wrong type", row + 1);

    if (c->type == BRISK_NUMERIC) {
        if (kind == BRISK_MISS_NONE)
            brisk_column_set_number(c, row, readstat_double_value(value));
        else if (kind == BRISK_MISS_USER) {
            /* which code (8 "don't know", 9 "refused") survives an export */
            if (brisk_column_set_user_code(c, r->ds->nrows, row, readstat_double_value(value)))
                return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
        } else
            brisk_column_set_missing(c, row, kind);
        return READSTAT_HANDLER_OK;
    }
    /* ReadStat's string buffer is reused for the next cell: copy it.  A
     * missing string cell holds "" like every missing string cell. */
    const char *s = kind == BRISK_MISS_NONE ? readstat_string_value(value) : NULL;
    /* ReadStat passes text from files that declare UTF-8 through
     * unchecked; a wrong declaration must not reach our writers. */
    if (s && brisk_utf8_invalid_at(s, strlen(s)) != (size_t)-1)
        return handler_fail(r, BRISK_ERR_FORMAT,
                            "row %zu: text is not valid UTF-8, so the file's declared "
                            "encoding is wrong: give the right one with --encoding "
                            "(e.g. --encoding WINDOWS-1252)", row + 1);
    if (brisk_column_set_string(c, row, s ? s : "") != BRISK_OK)
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    if (kind != BRISK_MISS_NONE)
        brisk_column_set_missing(c, row, kind);
    return READSTAT_HANDLER_OK;
}

static int on_value(int obs_index, readstat_variable_t *var, readstat_value_t value,
                    void *ctx)
{
    stat_reader *r = ctx;
    int index = readstat_variable_get_index(var);
    if (index < 0 || (size_t)index >= r->n_column_of || r->column_of[index] == NO_COLUMN)
        return handler_fail(r, BRISK_ERR_FORMAT, "a value for undeclared variable number %d",
                            index + 1);
    if (obs_index < 0)
        return handler_fail(r, BRISK_ERR_FORMAT, "negative row number %d", obs_index);
    if (obs_index >= BRISK_MAX_ROWS)
        return handler_fail(r, BRISK_ERR_LIMIT, "more than %d rows", BRISK_MAX_ROWS);

    size_t row = (size_t)obs_index;
    int rc = ensure_row(r, row);
    if (rc != READSTAT_HANDLER_OK)
        return rc;
    brisk_column *c = &r->ds->cols[r->column_of[index]];
    rc = store_cell(r, c, row, value, var);
    if (rc != READSTAT_HANDLER_OK)
        brisk_error_variable(r->err, c->name);
    return rc;
}

/* ------------------------------------------------------------ value labels */

/* The text a label is stored with: a tagged missing value's label starts
 * with its tag so that ".a: refused" and ".b: don't know" stay apart. */
static char *label_text(readstat_value_t value, const char *label)
{
    if (!label)
        label = "";
    if (!readstat_value_is_tagged_missing(value))
        return brisk_strdup(label);
    brisk_buf b = {0};
    if (!brisk_buf_printf(&b, ".%c: %s", readstat_value_tag(value), label)) {
        brisk_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static bool is_known_tag(char tag)
{
    return tagged_kind(tag) != BRISK_MISS_SYSTEM;
}

static int on_value_label(const char *set, readstat_value_t value, const char *label,
                          void *ctx)
{
    stat_reader *r = ctx;
    /* Nothing can refer to a nameless set, and a label for the system
     * missing value (or an unknown tag) has no cell it could describe. */
    if (!set || !set[0] || readstat_value_is_system_missing(value) ||
        (readstat_value_is_tagged_missing(value) && !is_known_tag(readstat_value_tag(value))))
        return READSTAT_HANDLER_OK;
    if (!brisk_grow((void **)&r->labels, &r->cap_labels, r->n_labels + 1, sizeof *r->labels))
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");

    pending_label *p = &r->labels[r->n_labels];
    memset(p, 0, sizeof *p);
    p->order = r->n_labels;
    p->set = brisk_strdup(set);
    p->item.label = label_text(value, label);
    bool ok = p->set && p->item.label;
    if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
        const char *s = readstat_string_value(value);
        p->item.string_value = brisk_strdup(s ? s : "");
        ok = ok && p->item.string_value;
    } else {
        p->item.value = readstat_value_is_tagged_missing(value) ? NAN
                                                                 : readstat_double_value(value);
    }
    if (!ok) {
        free(p->set);
        free(p->item.label);
        free(p->item.string_value);
        return handler_fail(r, BRISK_ERR_NOMEM, "out of memory");
    }
    r->n_labels++;
    return READSTAT_HANDLER_OK;
}

/* Sort by set name, then by arrival, so a set is one run in file order. */
static int compare_pending(const void *a, const void *b)
{
    const pending_label *x = a, *y = b;
    int c = strcmp(x->set, y->set);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Index of the first pending label of set `name`, or n_labels. */
static size_t first_label_of(const stat_reader *r, const char *name)
{
    size_t lo = 0, hi = r->n_labels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(r->labels[mid].set, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Copy the labels of column col's set onto it (numeric labels onto numeric
 * columns, string labels onto string columns). */
static brisk_status attach_labels(stat_reader *r, size_t col, size_t *attached)
{
    brisk_column *c = &r->ds->cols[col];
    const char *name = r->set_of_column[col];
    for (size_t i = first_label_of(r, name);
         i < r->n_labels && strcmp(r->labels[i].set, name) == 0; i++) {
        const brisk_value_label *l = &r->labels[i].item;
        bool string_label = l->string_value != NULL;
        if (string_label != (c->type == BRISK_STRING))
            continue;
        if (++*attached > MAX_ATTACHED_LABELS) {
            brisk_error_variable(r->err, c->name);
            return brisk_error_set(r->err, BRISK_ERR_LIMIT,
                                   "more than %zu value labels over all variables",
                                   MAX_ATTACHED_LABELS);
        }
        if (brisk_column_add_label(c, string_label ? 0.0 : l->value, l->string_value,
                                   l->label) != BRISK_OK)
            return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
    }
    return BRISK_OK;
}

static brisk_status attach_all_labels(stat_reader *r)
{
    if (r->n_labels == 0)
        return BRISK_OK;
    qsort(r->labels, r->n_labels, sizeof *r->labels, compare_pending);
    size_t attached = 0;
    for (size_t j = 0; j < r->ds->ncols && j < r->n_set_of_column; j++) {
        if (!r->set_of_column[j])
            continue;
        brisk_status st = attach_labels(r, j, &attached);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ errors */

static bool is_conversion_error(readstat_error_t e)
{
    return e == READSTAT_ERROR_CONVERT || e == READSTAT_ERROR_CONVERT_BAD_STRING ||
           e == READSTAT_ERROR_CONVERT_SHORT_STRING || e == READSTAT_ERROR_CONVERT_LONG_STRING;
}

/* Turn a ReadStat failure into our status and a message that names the
 * format and, when ReadStat said more through its error handler, that. */
static brisk_status map_readstat_error(stat_reader *r, readstat_error_t e,
                                       const brisk_read_options *opt)
{
    const char *what = brisk_format_name(r->format);
    const char *detail = readstat_error_message(e);
    /* Some parsers repeat the generic text in what they tell the error
     * handler; say it once. */
    if (strstr(r->readstat_says, detail))
        r->readstat_says[0] = '\0';
    const char *sep = r->readstat_says[0] ? "; " : "";

    if (e == READSTAT_ERROR_OPEN || r->io_failed)
        return brisk_error_set(r->err, BRISK_ERR_OPEN, "cannot read the %s file (ReadStat: %s%s%s)",
                               what, detail, sep, r->readstat_says);
    if (e == READSTAT_ERROR_UNSUPPORTED_CHARSET && opt && opt->encoding)
        return brisk_error_set(r->err, BRISK_ERR_ARGUMENT,
                               "unknown encoding '%s': give an iconv name such as "
                               "WINDOWS-1252, ISO-8859-1, GB18030 (ReadStat: %s)",
                               opt->encoding, detail);
    if (e == READSTAT_ERROR_UNSUPPORTED_CHARSET)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "the %s file declares a character encoding that is not "
                               "supported: give the right one with --encoding "
                               "(ReadStat: %s%s%s)", what, detail, sep, r->readstat_says);
    if (is_conversion_error(e) && opt && opt->encoding)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "text in the %s file is not valid %s: give the file's real "
                               "encoding with --encoding (ReadStat: %s%s%s)", what,
                               opt->encoding, detail, sep, r->readstat_says);
    if (is_conversion_error(e))
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "text in the %s file is not valid in its declared encoding: "
                               "give the right one with --encoding, e.g. --encoding "
                               "WINDOWS-1252 (ReadStat: %s%s%s)", what, detail, sep,
                               r->readstat_says);
    if (r->size == 0)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT, "not a valid %s file: the file is empty",
                               what);
    if (e == READSTAT_ERROR_READ || e == READSTAT_ERROR_SEEK)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "not a valid %s file: it is truncated or its offsets point "
                               "past its end (ReadStat: %s%s%s)", what, detail, sep,
                               r->readstat_says);
    /* ReadStat's allocator refuses sizes over 16 MB, so a "malloc" failure
     * nearly always means a size field the file made up. */
    if (e == READSTAT_ERROR_MALLOC)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "not a valid %s file: it declares implausibly large sizes "
                               "(ReadStat: %s%s%s)", what, detail, sep, r->readstat_says);
    return brisk_error_set(r->err, BRISK_ERR_FORMAT, "not a valid %s file (ReadStat: %s%s%s)",
                           what, detail, sep, r->readstat_says);
}

/* ------------------------------------------------------------ the parse */

static readstat_error_t parse_as(brisk_format format, readstat_parser_t *parser,
                                 const char *name, void *ctx)
{
    switch (format) {
    case BRISK_FORMAT_SAV:
        return readstat_parse_sav(parser, name, ctx);
    case BRISK_FORMAT_POR:
        return readstat_parse_por(parser, name, ctx);
    case BRISK_FORMAT_DTA:
        return readstat_parse_dta(parser, name, ctx);
    case BRISK_FORMAT_SAS7BDAT:
        return readstat_parse_sas7bdat(parser, name, ctx);
    case BRISK_FORMAT_XPT:
        return readstat_parse_xport(parser, name, ctx);
    default:
        return READSTAT_ERROR_PARSE;
    }
}

static readstat_parser_t *new_parser(stat_reader *r, const brisk_read_options *opt)
{
    readstat_parser_t *parser = readstat_parser_init();
    if (!parser)
        return NULL;
    readstat_set_open_handler(parser, bridge_open);
    readstat_set_close_handler(parser, bridge_close);
    readstat_set_seek_handler(parser, bridge_seek);
    readstat_set_read_handler(parser, bridge_read);
    readstat_set_update_handler(parser, bridge_update);
    readstat_set_io_ctx(parser, r);
    readstat_set_metadata_handler(parser, on_metadata);
    readstat_set_variable_handler(parser, on_variable);
    readstat_set_value_handler(parser, on_value);
    readstat_set_value_label_handler(parser, on_value_label);
    readstat_set_error_handler(parser, on_error_text);
    /* ReadStat 1.1.8 reads no rows at all from an uncompressed .sav that
     * does not state its row count unless a row limit is set.  One row
     * over our maximum lets the value handler report the limit instead of
     * ReadStat stopping silently. */
    readstat_set_row_limit(parser, BRISK_MAX_ROWS + 1L);
    if (opt && opt->encoding && opt->encoding[0])
        readstat_set_file_character_encoding(parser, opt->encoding);
    return parser;
}

static void reader_release(stat_reader *r)
{
    free(r->column_of);
    for (size_t j = 0; j < r->n_set_of_column; j++)
        free(r->set_of_column[j]);
    free(r->set_of_column);
    for (size_t i = 0; i < r->n_labels; i++) {
        free(r->labels[i].set);
        free(r->labels[i].item.label);
        free(r->labels[i].item.string_value);
    }
    free(r->labels);
}

/* Read n bytes at offset into buf; false when they are not all there. */
static bool read_at(brisk_io *io, long long offset, void *buf, size_t n)
{
    if (io->seek(io->ctx, offset) != 0)
        return false;
    size_t got = 0;
    while (got < n) {
        ssize_t k = io->read(io->ctx, (char *)buf + got, n - got);
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    return true;
}

/* ReadStat reads a transport file or a Stata 13+ file that lost its end
 * without complaint (the last rows or all value labels go missing), so
 * check the framing these formats promise before parsing. */
static brisk_status check_complete(stat_reader *r)
{
    static const char dta_open[] = "<stata_dta>", dta_close[] = "</stata_dta>";
    const char *what = brisk_format_name(r->format);
    if (r->format == BRISK_FORMAT_XPT && r->size % 80 != 0)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "not a valid %s file: its size (%lld bytes) is not a whole "
                               "number of 80-byte records, so it is truncated", what, r->size);
    if (r->format != BRISK_FORMAT_DTA || r->size < (long long)sizeof dta_open)
        return BRISK_OK;
    char head[sizeof dta_open - 1], tail[sizeof dta_close - 1];
    if (!read_at(r->io, 0, head, sizeof head) || memcmp(head, dta_open, sizeof head) != 0)
        return BRISK_OK;   /* Stata 12 and older: no closing tag to check */
    if (r->size < (long long)(sizeof head + sizeof tail) ||
        !read_at(r->io, r->size - (long long)sizeof tail, tail, sizeof tail) ||
        memcmp(tail, dta_close, sizeof tail) != 0)
        return brisk_error_set(r->err, BRISK_ERR_FORMAT,
                               "not a valid %s file: it does not end with %s, so it is "
                               "truncated", what, dta_close);
    return BRISK_OK;
}

/* ReadStat checks an encoding name only when a file needs converting (a
 * portable file never does): check it here so every format says the same. */
static brisk_status check_encoding(const char *encoding, brisk_error *err)
{
    if (!encoding || !encoding[0])
        return BRISK_OK;
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "unknown encoding '%s': give an iconv name such as "
                               "WINDOWS-1252, ISO-8859-1, GB18030", encoding);
    iconv_close(cd);
    return BRISK_OK;
}

/* Which ReadStat parser to use, or an error when none applies. */
static brisk_status choose_format(const brisk_io *io, const brisk_read_options *opt,
                                  brisk_format *format, brisk_error *err)
{
    brisk_format f = opt ? opt->format : BRISK_FORMAT_AUTO;
    if (f == BRISK_FORMAT_AUTO)
        f = brisk_format_from_name(io->name);
    if (f == BRISK_FORMAT_AUTO)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "cannot tell the file type from the name: expected "
                               ".sav .zsav .por .dta .sas7bdat .xpt");
    if (f == BRISK_FORMAT_CSV)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "a delimited text file is not read through ReadStat "
                               "(use brisk_read_csv)");
    if (f < BRISK_FORMAT_SAV || f > BRISK_FORMAT_XPT)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "unknown file format number %d",
                               (int)f);
    *format = f;
    return BRISK_OK;
}

brisk_status brisk_read_stat(brisk_io *io, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err)
{
    brisk_status st = BRISK_OK;
    readstat_parser_t *parser = NULL;
    stat_reader r = {.io = io, .err = err, .declared_rows = -1};

    brisk_error_clear(err);
    if (!out || !io)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "brisk_read_stat: io and out are required");
    *out = NULL;
    brisk_error_at(err, io->name, 0, 0);
    if (!io->read || !io->seek || !io->size || (r.size = io->size(io->ctx)) < 0)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "ReadStat needs an input that can seek and knows its size");
    if ((st = choose_format(io, opt, &r.format, err)) != BRISK_OK)
        return st;

    if ((st = check_encoding(opt ? opt->encoding : NULL, err)) != BRISK_OK)
        return st;
    if ((st = check_complete(&r)) != BRISK_OK)
        return st;

    r.ds = brisk_dataset_new(0);
    parser = new_parser(&r, opt);
    if (!r.ds || !parser) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    readstat_error_t e = parse_as(r.format, parser, io->name, &r);
    if (r.status != BRISK_OK) {
        st = r.status;
        goto cleanup;
    }
    if (e != READSTAT_OK) {
        st = map_readstat_error(&r, e, opt);
        goto cleanup;
    }
    /* Declared and true row counts may differ: keep what really came. */
    if ((st = brisk_dataset_resize(r.ds, r.rows_seen)) != BRISK_OK) {
        brisk_error_set(err, st, "cannot hold %zu rows", r.rows_seen);
        goto cleanup;
    }
    if ((st = attach_all_labels(&r)) != BRISK_OK)
        goto cleanup;
    if (!(r.ds->source = brisk_strdup(io->name))) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    *out = r.ds;
    r.ds = NULL;

cleanup:
    readstat_parser_free(parser);
    reader_release(&r);
    brisk_dataset_free(r.ds);
    return st;
}
