/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A dataset written back out as an SPSS .sav or a Stata .dta file through
 * ReadStat's writer API.
 *
 * What the dataset holds goes across: names (never renamed: a name the
 * format cannot hold is an error naming the variable), variable labels,
 * value labels, user-missing codes and ranges (SPSS), tagged missing
 * values (Stata), measure levels (SPSS), display formats when they are
 * the target format's own, string widths from the longest value.
 *
 * What the target cannot hold is reported through the notice callback,
 * once per variable, and written as system missing: SPSS has no tags,
 * Stata no user-missing codes and no value labels for strings.  The
 * dataset keeps the kind of a user-missing cell but not its code, so a
 * user-missing cell is written with its code only when its variable
 * declares exactly one. */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <readstat.h>
#include "brisk/dataset.h"
#include "core/util.h"

#define STATA_NAME_MAX 32        /* bytes */
#define STATA_STR_MAX 2045       /* bytes in a str# of format 118 */
#define STATA_VERSION 118        /* Stata 14+: UTF-8 */
#define SPSS_NAME_MAX 64         /* bytes */
#define SPSS_VALUE_LABEL_MAX 120 /* bytes */

typedef struct stat_writer {
    readstat_writer_t *w;
    FILE *stream;
    bool write_failed;
    int write_errno;
    brisk_format format;
    const brisk_dataset *ds;
    brisk_write_notice notice;
    void *ctx;
    brisk_error *err;
    readstat_variable_t **vars;   /* one per column */
    char readstat_says[256];
} stat_writer;

static ssize_t write_bytes(const void *data, size_t len, void *ctx)
{
    stat_writer *s = ctx;
    if (len && fwrite(data, 1, len, s->stream) != len) {
        if (!s->write_failed)
            s->write_errno = errno;
        s->write_failed = true;
        return -1;
    }
    return (ssize_t)len;
}

static void on_error_text(const char *message, void *ctx)
{
    stat_writer *s = ctx;   /* NULL before readstat_begin_writing_* */
    if (s && message)
        snprintf(s->readstat_says, sizeof s->readstat_says, "%s", message);
}

static void notify(stat_writer *s, const char *variable, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify(stat_writer *s, const char *variable, const char *fmt, ...)
{
    if (!s->notice)
        return;
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    s->notice(s->ctx, variable, message);
}

static const char *format_label(brisk_format f)
{
    return f == BRISK_FORMAT_DTA ? "Stata" : "SPSS";
}

/* A ReadStat failure: the write error when the stream failed, else
 * ReadStat's words, naming the variable when there is one. */
static brisk_status readstat_failed(stat_writer *s, readstat_error_t e, const char *variable)
{
    if (s->write_failed)
        return brisk_error_set(s->err, BRISK_ERR_WRITE, "write failed: %s",
                               strerror(s->write_errno));
    if (e == READSTAT_ERROR_MALLOC)
        return brisk_error_set(s->err, BRISK_ERR_NOMEM, "out of memory");
    if (variable)
        brisk_error_variable(s->err, variable);
    return brisk_error_set(s->err, BRISK_ERR_VALUE, "%s cannot hold %s%s: %s",
                           format_label(s->format), variable ? "variable " : "the data",
                           variable ? variable : "",
                           s->readstat_says[0] ? s->readstat_says : readstat_error_message(e));
}

/* ---- names ---- */

static const char *const stata_reserved[] = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
    "_n", "_N", "_pi", "_pred", "_rc", "_se", "_skip", "strL", "using", "with"};   /* and str# */

const char *brisk_stata_name_problem(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return "Stata needs a name";
    if (n > STATA_NAME_MAX)
        return "Stata's names have at most 32 characters";
    if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
          name[0] == '_'))
        return "a Stata name starts with a letter or '_'";
    for (size_t i = 1; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return "a Stata name holds only letters a-z, digits and '_'";
    }
    for (size_t k = 0; k < sizeof stata_reserved / sizeof stata_reserved[0]; k++)
        if (strcmp(name, stata_reserved[k]) == 0)
            return "the name is one of Stata's reserved words";
    if (n >= 4 && strncmp(name, "str", 3) == 0 && strspn(name + 3, "0123456789") == n - 3)
        return "the name is one of Stata's reserved words";
    return NULL;
}

static brisk_status check_names(stat_writer *s)
{
    for (size_t j = 0; j < s->ds->ncols; j++) {
        const char *name = s->ds->cols[j].name;
        const char *problem = s->format == BRISK_FORMAT_DTA ? brisk_stata_name_problem(name)
                              : strlen(name) > SPSS_NAME_MAX
                                  ? "SPSS's names have at most 64 bytes"
                                  : NULL;
        if (problem) {
            brisk_error_variable(s->err, name);
            return brisk_error_set(s->err, BRISK_ERR_VALUE,
                                   "%s cannot hold the variable name '%s': %s; rename it "
                                   "first (brisk renames nothing)",
                                   format_label(s->format), name, problem);
        }
    }
    return BRISK_OK;
}

/* ---- variables ---- */

static size_t string_width(const brisk_column *c, size_t nrows)
{
    size_t width = 1;
    for (size_t i = 0; i < nrows; i++) {
        size_t n = strlen(c->str[i]);
        if (n > width)
            width = n;
    }
    for (size_t k = 0; k < c->n_labels; k++)
        if (c->labels[k].string_value && strlen(c->labels[k].string_value) > width)
            width = strlen(c->labels[k].string_value);
    return width;
}

/* SPSS's numeric formats, as ReadStat's .sav writer knows them. */
static bool is_spss_format_name(const char *f, size_t n)
{
    static const char *const names[] = {
        "F", "COMMA", "DOLLAR", "PCT", "DOT", "E", "N", "Z", "CCA", "CCB", "CCC", "CCD",
        "CCE", "DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR", "DATETIME",
        "YMDHMS", "TIME", "MTIME", "DTIME", "WKDAY", "MONTH"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k]) == n && strncmp(f, names[k], n) == 0)
            return true;
    return false;
}

/* A display format the target understands, or NULL: SPSS's "F8.2",
 * "A10", "EDATE10" (letters, then a width, then maybe decimals) for a
 * .sav; Stata's "%9.0g" for a .dta. */
static const char *usable_format(const stat_writer *s, const brisk_column *c)
{
    const char *f = c->format;
    if (!f || !f[0] || c->type == BRISK_STRING)
        return NULL;   /* a string's format follows its width */
    if (s->format == BRISK_FORMAT_DTA)
        return f[0] == '%' && !strchr(f, 's') && strlen(f) < 32 ? f : NULL;
    size_t letters = strspn(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    size_t digits = letters ? strspn(f + letters, "0123456789") : 0;
    if (!letters || !digits || !is_spss_format_name(f, letters))
        return NULL;   /* a SAS format, say, that merely looks like one */
    const char *rest = f + letters + digits;
    if (rest[0] == '.' && strspn(rest + 1, "0123456789") == strlen(rest + 1) && rest[1])
        return f;
    return rest[0] ? NULL : f;
}

static readstat_measure_t measure_of(brisk_measure m)
{
    switch (m) {
    case BRISK_MEASURE_NOMINAL: return READSTAT_MEASURE_NOMINAL;
    case BRISK_MEASURE_ORDINAL: return READSTAT_MEASURE_ORDINAL;
    case BRISK_MEASURE_SCALE: return READSTAT_MEASURE_SCALE;
    default: return READSTAT_MEASURE_UNKNOWN;
    }
}

/* The tag and text of a tagged missing value's label (".a: refused"), or
 * 0 when the label is not one. */
static char label_tag(const brisk_value_label *l, const char **text)
{
    const char *t = l->label;
    if (l->string_value || !isnan(l->value) || t[0] != '.' || !t[1] || t[2] != ':')
        return 0;
    *text = t[3] == ' ' ? t + 4 : t + 3;
    return t[1];
}

static bool is_int32(double x)
{
    return x == floor(x) && x >= INT32_MIN && x <= INT32_MAX;
}

static brisk_status add_labels(stat_writer *s, const brisk_column *c, readstat_variable_t *v)
{
    if (c->n_labels == 0)
        return BRISK_OK;
    bool dta = s->format == BRISK_FORMAT_DTA;
    if (dta && c->type == BRISK_STRING) {
        notify(s, c->name, "Stata has no value labels for text: the %zu labels of %s are "
               "not written", c->n_labels, c->name);
        return BRISK_OK;
    }
    readstat_type_t type = c->type == BRISK_STRING ? READSTAT_TYPE_STRING
                           : dta                   ? READSTAT_TYPE_INT32
                                                   : READSTAT_TYPE_DOUBLE;
    readstat_label_set_t *set = readstat_add_label_set(s->w, type, c->name);
    if (!set)
        return brisk_error_set(s->err, BRISK_ERR_NOMEM, "out of memory");
    size_t dropped = 0, cut = 0;
    for (size_t k = 0; k < c->n_labels; k++) {
        const brisk_value_label *l = &c->labels[k];
        if (!dta && strlen(l->label) > SPSS_VALUE_LABEL_MAX)
            cut++;   /* ReadStat cuts it */
        const char *text;
        char tag = label_tag(l, &text);
        if (c->type == BRISK_STRING)
            readstat_label_string_value(set, l->string_value, l->label);
        else if (tag && dta)
            readstat_label_tagged_value(set, tag, text);
        else if (tag || (dta && !is_int32(l->value)))
            dropped++;
        else if (dta)
            readstat_label_int32_value(set, (int32_t)l->value, l->label);
        else
            readstat_label_double_value(set, l->value, l->label);
    }
    if (dropped)
        notify(s, c->name, "%s: %zu value label%s not written (%s)", c->name, dropped,
               dropped == 1 ? "" : "s",
               dta ? "Stata labels only whole numbers" : "SPSS has no tagged missing values");
    if (cut)
        notify(s, c->name, "%s: %zu value label%s cut to %d bytes, SPSS's limit", c->name, cut,
               cut == 1 ? "" : "s", SPSS_VALUE_LABEL_MAX);
    readstat_variable_set_label_set(v, set);
    return BRISK_OK;
}

static brisk_status add_missing(stat_writer *s, const brisk_column *c, readstat_variable_t *v)
{
    if (c->n_missing_ranges == 0)
        return BRISK_OK;
    if (s->format == BRISK_FORMAT_DTA) {
        notify(s, c->name, "Stata has no user-missing codes: %s's are not declared and its "
               "user-missing cells are written as '.'", c->name);
        return BRISK_OK;
    }
    for (size_t k = 0; k < c->n_missing_ranges; k++) {
        const brisk_missing_range *r = &c->missing_ranges[k];
        readstat_error_t e = r->lo == r->hi
                                 ? readstat_variable_add_missing_double_value(v, r->lo)
                                 : readstat_variable_add_missing_double_range(v, r->lo, r->hi);
        if (e != READSTAT_OK)
            return readstat_failed(s, e, c->name);
    }
    return BRISK_OK;
}

static brisk_status add_variable(stat_writer *s, size_t j)
{
    const brisk_column *c = &s->ds->cols[j];
    bool dta = s->format == BRISK_FORMAT_DTA;
    size_t width = 0;
    if (c->type == BRISK_STRING) {
        width = string_width(c, s->ds->nrows);
        if (dta && width > STATA_STR_MAX) {
            brisk_error_variable(s->err, c->name);
            return brisk_error_set(s->err, BRISK_ERR_VALUE,
                                   "Stata's text variables hold %d bytes, and %s has a "
                                   "value of %zu", STATA_STR_MAX, c->name, width);
        }
    }
    readstat_variable_t *v = readstat_add_variable(
        s->w, c->name, c->type == BRISK_STRING ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE,
        width);
    if (!v)
        return brisk_error_set(s->err, BRISK_ERR_NOMEM, "out of memory");
    s->vars[j] = v;
    if (c->label && c->label[0])
        readstat_variable_set_label(v, c->label);
    const char *format = usable_format(s, c);
    if (format)
        readstat_variable_set_format(v, format);
    if (!dta)
        readstat_variable_set_measure(v, measure_of(c->measure));
    brisk_status st = add_missing(s, c, v);
    return st == BRISK_OK ? add_labels(s, c, v) : st;
}

/* ---- cells ---- */

/* The code a user-missing cell of c held, when c declares just one. */
static bool single_code(const brisk_column *c, double *code)
{
    if (c->n_missing_ranges != 1 || c->missing_ranges[0].lo != c->missing_ranges[0].hi)
        return false;
    *code = c->missing_ranges[0].lo;
    return true;
}

typedef struct cell_losses {
    size_t user, tagged;   /* cells written as system missing */
} cell_losses;

static readstat_error_t write_cell(stat_writer *s, const brisk_column *c, readstat_variable_t *v,
                                   size_t row, cell_losses *lost)
{
    unsigned char kind = c->miss[row];
    bool dta = s->format == BRISK_FORMAT_DTA;
    if (kind == BRISK_MISS_NONE)
        return c->type == BRISK_STRING ? readstat_insert_string_value(s->w, v, c->str[row])
                                       : readstat_insert_double_value(s->w, v, c->num[row]);
    double code;
    if (kind == BRISK_MISS_USER && !dta && c->type == BRISK_NUMERIC && c->user_code &&
        !isnan(c->user_code[row]))
        return readstat_insert_double_value(s->w, v, c->user_code[row]);
    if (kind == BRISK_MISS_USER && !dta && c->type == BRISK_NUMERIC && single_code(c, &code))
        return readstat_insert_double_value(s->w, v, code);
    char tag = brisk_missing_tag(kind);
    if (tag && dta && c->type == BRISK_NUMERIC && tag != '_')
        return readstat_insert_tagged_missing_value(s->w, v, tag);
    if (kind == BRISK_MISS_USER)
        lost->user++;
    else if (kind >= BRISK_MISS_TAGGED)
        lost->tagged++;
    return readstat_insert_missing_value(s->w, v);
}

static void report_losses(stat_writer *s, const brisk_column *c, const cell_losses *lost)
{
    bool dta = s->format == BRISK_FORMAT_DTA;
    /* In a .dta, a declared code's loss was told with the declaration. */
    if (lost->user && c->type == BRISK_STRING)
        notify(s, c->name, "%s: %zu user-missing cell%s written as empty text (brisk does not "
               "keep the codes of text variables)", c->name, lost->user,
               lost->user == 1 ? "" : "s");
    else if (lost->user && (!dta || c->n_missing_ranges == 0))
        notify(s, c->name, "%s: %zu user-missing cell%s written as system missing (%s)",
               c->name, lost->user, lost->user == 1 ? "" : "s",
               dta ? "Stata has no user-missing codes"
                   : "which code each was is not known: its file did not say");
    if (lost->tagged)
        notify(s, c->name, "%s: %zu tagged missing cell%s written as system missing (%s)",
               c->name, lost->tagged, lost->tagged == 1 ? "" : "s",
               dta ? "Stata has no tag ._" : "SPSS has no tagged missing values");
}

static brisk_status write_rows(stat_writer *s, cell_losses *lost)
{
    const brisk_dataset *ds = s->ds;
    for (size_t i = 0; i < ds->nrows; i++) {
        readstat_error_t e = readstat_begin_row(s->w);
        for (size_t j = 0; e == READSTAT_OK && j < ds->ncols; j++) {
            e = write_cell(s, &ds->cols[j], s->vars[j], i, &lost[j]);
            if (e != READSTAT_OK)
                return readstat_failed(s, e, ds->cols[j].name);
        }
        if (e == READSTAT_OK)
            e = readstat_end_row(s->w);
        if (e != READSTAT_OK)
            return readstat_failed(s, e, NULL);
    }
    for (size_t j = 0; j < ds->ncols; j++)
        report_losses(s, &ds->cols[j], &lost[j]);
    return BRISK_OK;
}

/* ---- the file ---- */

/* ReadStat checks names, labels and formats only when the first row is
 * begun: asked here, variable by variable, so the message names the one
 * it refuses (a reserved word such as AND for SPSS, say). */
static brisk_status validate(stat_writer *s)
{
    for (size_t j = 0; j < s->ds->ncols; j++) {
        s->readstat_says[0] = '\0';
        readstat_error_t e = readstat_validate_variable(s->w, s->vars[j]);
        if (e != READSTAT_OK)
            return readstat_failed(s, e, s->ds->cols[j].name);
    }
    readstat_error_t e = readstat_validate_metadata(s->w);
    return e == READSTAT_OK ? BRISK_OK : readstat_failed(s, e, NULL);
}

static brisk_status begin(stat_writer *s)
{
    readstat_error_t e;
    long rows = (long)s->ds->nrows;
    if (s->format == BRISK_FORMAT_DTA) {
        e = readstat_writer_set_file_format_version(s->w, STATA_VERSION);
        if (e == READSTAT_OK)
            e = readstat_begin_writing_dta(s->w, s, rows);
    } else {
        e = readstat_writer_set_compression(s->w, READSTAT_COMPRESS_ROWS);
        if (e == READSTAT_OK)
            e = readstat_begin_writing_sav(s->w, s, rows);
    }
    return e == READSTAT_OK ? validate(s) : readstat_failed(s, e, NULL);
}

static brisk_status set_file_label(stat_writer *s)
{
    const char *label = s->ds->file_label;
    if (!label || !label[0])
        return BRISK_OK;
    readstat_error_t e = readstat_writer_set_file_label(s->w, label);
    if (e != READSTAT_OK)
        return readstat_failed(s, e, NULL);
    return BRISK_OK;
}

brisk_status brisk_write_dataset_stat(FILE *stream, const brisk_dataset *ds, brisk_format format,
                                      brisk_write_notice notice, void *ctx, brisk_error *err)
{
    if (format != BRISK_FORMAT_SAV && format != BRISK_FORMAT_DTA)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "brisk writes .sav and .dta files only");
    if (ds->nrows > INT32_MAX || ds->ncols > INT32_MAX)
        return brisk_error_set(err, BRISK_ERR_LIMIT, "too many rows for %s",
                               format == BRISK_FORMAT_DTA ? "Stata" : "SPSS");
    stat_writer s = {.stream = stream, .format = format, .ds = ds, .notice = notice,
                     .ctx = ctx, .err = err};
    brisk_status st = check_names(&s);
    if (st != BRISK_OK)
        return st;
    cell_losses *lost = calloc(ds->ncols ? ds->ncols : 1, sizeof *lost);
    s.vars = calloc(ds->ncols ? ds->ncols : 1, sizeof *s.vars);
    s.w = readstat_writer_init();
    if (!lost || !s.vars || !s.w) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    readstat_set_data_writer(s.w, write_bytes);
    readstat_writer_set_error_handler(s.w, on_error_text);
    for (size_t j = 0; st == BRISK_OK && j < ds->ncols; j++)
        st = add_variable(&s, j);
    if (st == BRISK_OK)
        st = set_file_label(&s);
    if (st == BRISK_OK)
        st = begin(&s);
    if (st == BRISK_OK)
        st = write_rows(&s, lost);
    if (st == BRISK_OK) {
        readstat_error_t e = readstat_end_writing(s.w);
        if (e != READSTAT_OK)
            st = readstat_failed(&s, e, NULL);
    }
    if (st == BRISK_OK && (fflush(stream) != 0 || ferror(stream)))
        st = brisk_error_set(err, BRISK_ERR_WRITE, "write failed: %s", strerror(errno));
cleanup:
    if (s.w)
        readstat_writer_free(s.w);
    free(s.vars);
    free(lost);
    return st;
}
