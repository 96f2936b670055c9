/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A published covariance or correlation matrix (with N, and SDs and means
 * when given) read from text, and the moments lavaan's sample.cov /
 * sample.nobs make of it.
 *
 * The file, line by line ('#' starts a comment; entries separated by
 * blanks, or by commas when the line has one; double quotes around a
 * field are dropped, so R's write.csv output reads too):
 *
 *     anomia67 powerless67 anomia71 ...     the names (optional first line)
 *     11.834                                a lower triangle, row by row,
 *     6.947 9.364                           or the full matrix; a row may
 *     ...                                   start with its variable's name
 *     sd   3.44 3.06 ...                    optional rows: SDs (with --cor),
 *     mean 13.61 14.67 ...                  means,
 *     n    932                              and N
 */
#include <config.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/util.h"
#include "sem_internal.h"

#define MAX_MATRIX_BYTES (32u << 20)
#define MAX_ENTRIES (BRISK_MATRIX_MAX_VARIABLES + 1)

typedef enum { SHAPE_UNKNOWN, SHAPE_LOWER, SHAPE_FULL } shape;

typedef struct reader {
    const char *file;
    long line;
    brisk_error *err;
    char *tok[MAX_ENTRIES];       /* the current line's fields, in place */
    size_t ntok;
    char **names;                 /* from the names line or the rows' labels */
    size_t nnames;
    long names_line;              /* 0: no names line */
    bool labelled;                /* the matrix rows start with their names */
    shape shape;
    size_t width;                 /* a full matrix's columns */
    double *cells;                /* the matrix rows' entries, one after another */
    size_t ncells, cells_cap;
    long *row_line;               /* each matrix row's line */
    size_t rows, rows_cap;
    double sd[BRISK_MATRIX_MAX_VARIABLES], mean[BRISK_MATRIX_MAX_VARIABLES];
    size_t nsd, nmean;
    long sd_line, mean_line, n_line;
    double n;
} reader;

static brisk_status fail_at(reader *r, long line, brisk_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static brisk_status fail_at(reader *r, long line, brisk_status st, const char *fmt, ...)
{
    char msg[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    brisk_error_at(r->err, r->file, line, 0);
    return brisk_error_set(r->err, st, "%s", msg);
}

/* ------------------------------------------------------------ the text */

static brisk_status slurp_io(brisk_io *io, char **text, size_t *size, brisk_error *err)
{
    brisk_buf b = {0};
    char chunk[65536];
    ssize_t got;
    while ((got = io->read(io->ctx, chunk, sizeof chunk)) > 0) {
        if (b.len + (size_t)got > MAX_MATRIX_BYTES) {
            brisk_buf_free(&b);
            brisk_error_at(err, io->name, 0, 0);
            return brisk_error_set(err, BRISK_ERR_LIMIT, "the matrix file is larger than %u MB; "
                                   "a matrix of up to %d variables is far smaller",
                                   MAX_MATRIX_BYTES >> 20, BRISK_MATRIX_MAX_VARIABLES);
        }
        if (!brisk_buf_append(&b, chunk, (size_t)got)) {
            brisk_buf_free(&b);
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        }
    }
    if (got < 0) {
        brisk_buf_free(&b);
        brisk_error_at(err, io->name, 0, 0);
        return brisk_error_set(err, BRISK_ERR_OPEN, "cannot read the matrix file");
    }
    if (!b.data && !brisk_buf_append(&b, "", 0))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    *text = b.data;
    *size = b.len;
    return BRISK_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Split one line (comment cut) into r->tok: on commas when it has one,
 * else on blanks. */
static brisk_status split(reader *r, char *line)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    r->ntok = 0;
    bool commas = strchr(line, ',') != NULL;
    char *s = line;
    while (*s) {
        char *end = commas ? s + strcspn(s, ",") : s + strspn(s, " \t\r");
        if (!commas) {
            s = end;
            if (!*s)
                break;
            end = s + strcspn(s, " \t\r");
        }
        bool last = *end == '\0';
        *end = '\0';
        if (r->ntok == MAX_ENTRIES)
            return fail_at(r, r->line, BRISK_ERR_LIMIT, "more than %d entries on a line: brisk "
                           "reads matrices of up to %d variables", MAX_ENTRIES,
                           BRISK_MATRIX_MAX_VARIABLES);
        r->tok[r->ntok++] = commas ? trim(s) : s;
        if (last)
            break;
        s = end + 1;
    }
    /* a line of commas only, or a trailing comma: no empty last field */
    if (commas && r->ntok && !r->tok[r->ntok - 1][0])
        r->ntok--;
    return BRISK_OK;
}

static bool number(const char *s, double *out)
{
    return brisk_parse_number(s, strlen(s), out) && isfinite(*out);
}

/* ------------------------------------------------------------ the rows */

static brisk_status add_name(reader *r, const char *name, long line)
{
    if (!name[0])
        return fail_at(r, line, BRISK_ERR_FORMAT, "an empty variable name");
    for (size_t k = 0; k < r->nnames; k++)
        if (strcmp(r->names[k], name) == 0) {
            brisk_error_variable(r->err, name);
            return fail_at(r, line, BRISK_ERR_FORMAT, "variable '%s' is named twice", name);
        }
    if (r->nnames == BRISK_MATRIX_MAX_VARIABLES)
        return fail_at(r, line, BRISK_ERR_LIMIT, "more than %d variables",
                       BRISK_MATRIX_MAX_VARIABLES);
    char **grown = realloc(r->names, (r->nnames + 1) * sizeof *grown);
    if (!grown)
        return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
    r->names = grown;
    if (!(r->names[r->nnames] = brisk_strdup(name)))
        return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
    r->nnames++;
    return BRISK_OK;
}

/* The names line: every field a name (R's write.csv puts an empty corner
 * field first). */
static brisk_status names_line(reader *r)
{
    r->names_line = r->line;
    for (size_t k = 0; k < r->ntok; k++) {
        if (k == 0 && !r->tok[0][0])
            continue;
        brisk_status st = add_name(r, r->tok[k], r->line);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* Fields first..ntok as numbers into out (at most MAX_ENTRIES). */
static brisk_status numbers(reader *r, size_t first, double *out, size_t *n, const char *what)
{
    *n = 0;
    for (size_t k = first; k < r->ntok; k++) {
        if (!number(r->tok[k], &out[(*n)++]))
            return fail_at(r, r->line, BRISK_ERR_VALUE, "entry %zu of %s, '%.40s', is not a "
                           "number", k - first + 1, what, r->tok[k]);
    }
    return BRISK_OK;
}

typedef enum { ROW_MATRIX, ROW_SD, ROW_MEAN, ROW_N } row_kind;

/* sd, mean and n rows are named so; a variable of that name on the names
 * line is a matrix row's label instead. */
static row_kind kind_of(const reader *r, const char *label)
{
    for (size_t k = 0; r->names_line && k < r->nnames; k++)
        if (strcmp(r->names[k], label) == 0)
            return ROW_MATRIX;
    if (!strcasecmp(label, "sd") || !strcasecmp(label, "sds") || !strcasecmp(label, "stddev"))
        return ROW_SD;
    if (!strcasecmp(label, "mean") || !strcasecmp(label, "means"))
        return ROW_MEAN;
    if (!strcasecmp(label, "n") || !strcasecmp(label, "nobs"))
        return ROW_N;
    return ROW_MATRIX;
}

static brisk_status extra_row(reader *r, row_kind kind)
{
    static const char *const what[] = {"", "the sd row", "the mean row", "the n row"};
    long *at = kind == ROW_SD ? &r->sd_line : kind == ROW_MEAN ? &r->mean_line : &r->n_line;
    if (*at)
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "a second %s (the first is on line %ld)",
                       what[kind] + 4, *at);
    *at = r->line;
    double n[MAX_ENTRIES];
    size_t count;
    brisk_status st = numbers(r, 1, kind == ROW_SD ? r->sd : kind == ROW_MEAN ? r->mean : n,
                              &count, what[kind]);
    if (st != BRISK_OK)
        return st;
    if (kind == ROW_SD)
        r->nsd = count;
    else if (kind == ROW_MEAN)
        r->nmean = count;
    else if (count != 1)
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "the n row has %zu entries: give the "
                       "number of respondents alone ('n 932')", count);
    else
        r->n = n[0];
    return BRISK_OK;
}

/* How many entries matrix row i (0-based) must have, or 0 when the first
 * row decides. */
static size_t expected_entries(const reader *r, size_t i)
{
    return r->shape == SHAPE_LOWER ? i + 1 : r->shape == SHAPE_FULL ? r->width : 0;
}

static brisk_status decide_shape(reader *r, size_t count)
{
    size_t p = r->names_line ? r->nnames : 0;
    if (count == 1 && p != 1) {
        r->shape = SHAPE_LOWER;
    } else if (!p || count == p) {
        r->shape = SHAPE_FULL;
        r->width = count;
    } else {
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "the matrix's first row has %zu entries: "
                       "a lower triangle starts with 1, a full matrix has a column for each of "
                       "the %zu names on line %ld", count, p, r->names_line);
    }
    return BRISK_OK;
}

static brisk_status matrix_row(reader *r, bool labelled)
{
    size_t i = r->rows;
    if (i && labelled != r->labelled)
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "this row %s its variable's name and the "
                       "first matrix row (line %ld) %s: name every row or none",
                       labelled ? "starts with" : "does not start with", r->row_line[0],
                       labelled ? "does not" : "does");
    r->labelled = labelled;
    if (labelled && r->names_line) {
        if (i >= r->nnames || strcmp(r->tok[0], r->names[i]) != 0)
            return fail_at(r, r->line, BRISK_ERR_FORMAT, "row %zu is named '%.60s' but the "
                           "names on line %ld give %s%.60s%s here", i + 1, r->tok[0],
                           r->names_line, i < r->nnames ? "'" : "no more rows",
                           i < r->nnames ? r->names[i] : "", i < r->nnames ? "'" : "");
    } else if (labelled) {
        brisk_status st = add_name(r, r->tok[0], r->line);
        if (st != BRISK_OK)
            return st;
    }
    size_t count = r->ntok - labelled;
    if (!r->shape) {
        brisk_status st = decide_shape(r, count);
        if (st != BRISK_OK)
            return st;
    }
    size_t want = expected_entries(r, i);
    size_t p = r->shape == SHAPE_FULL ? r->width : r->names_line ? r->nnames : (size_t)-1;
    if (i >= p || i >= BRISK_MATRIX_MAX_VARIABLES)
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "a matrix row too many: the matrix has "
                       "%zu variables", i >= p ? p : (size_t)BRISK_MATRIX_MAX_VARIABLES);
    if (count != want)
        return fail_at(r, r->line, BRISK_ERR_FORMAT, "row %zu of the matrix has %zu entr%s; "
                       "%s has %zu", i + 1, count, count == 1 ? "y" : "ies",
                       r->shape == SHAPE_LOWER ? "a lower triangle's row of that place"
                                               : "every row of this full matrix",
                       want);
    if (!brisk_grow((void **)&r->cells, &r->cells_cap, r->ncells + count, sizeof *r->cells) ||
        !brisk_grow((void **)&r->row_line, &r->rows_cap, r->rows + 1, sizeof *r->row_line))
        return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
    size_t n;
    char what[64];
    snprintf(what, sizeof what, "row %zu of the matrix", i + 1);
    brisk_status st = numbers(r, labelled, r->cells + r->ncells, &n, what);
    if (st != BRISK_OK)
        return st;
    r->ncells += n;
    r->row_line[r->rows++] = r->line;
    return BRISK_OK;
}

static brisk_status read_line(reader *r, char *line, bool *first)
{
    brisk_status st = split(r, line);
    if (st != BRISK_OK || r->ntok == 0)
        return st;
    double x;
    bool lead_number = number(r->tok[0], &x);
    if (*first) {
        *first = false;
        bool all_names = true;
        for (size_t k = 0; k < r->ntok && all_names; k++)
            all_names = !number(r->tok[k], &x);
        if (all_names && kind_of(r, r->tok[0]) == ROW_MATRIX)
            return names_line(r);
    }
    if (lead_number)
        return matrix_row(r, false);
    row_kind kind = kind_of(r, r->tok[0]);
    return kind == ROW_MATRIX ? matrix_row(r, true) : extra_row(r, kind);
}

/* ------------------------------------------------------------ checks */

static brisk_status check_shape(reader *r)
{
    if (!r->rows)
        return fail_at(r, 0, BRISK_ERR_FORMAT, "no matrix: give a lower triangle or a full "
                       "matrix, a row per line");
    size_t p = r->shape == SHAPE_FULL ? r->width : r->rows;
    if (r->rows != p || (r->names_line && r->nnames != p))
        return fail_at(r, r->row_line[r->rows - 1], BRISK_ERR_FORMAT, "the matrix ends after "
                       "%zu rows but %s %zu variables", r->rows,
                       r->names_line ? "the names line gives" : "its rows have", p);
    if (!r->nnames)
        return fail_at(r, r->row_line[0], BRISK_ERR_FORMAT, "the variables have no names: put "
                       "them on the first line (as lavaan's getCov(names = ...)), or start "
                       "each row with its variable's name");
    return BRISK_OK;
}

/* The matrix, full and symmetric, from the rows read. */
static brisk_status unpack(reader *r, double *cov)
{
    size_t p = r->nnames;
    for (size_t i = 0, at = 0; i < p; i++) {
        size_t width = r->shape == SHAPE_LOWER ? i + 1 : p;
        for (size_t j = 0; j < width; j++)
            cov[i * p + j] = r->cells[at++];
    }
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < i; j++) {
            double a = cov[i * p + j], b = cov[j * p + i];
            if (r->shape == SHAPE_FULL && fabs(a - b) > 1e-8 * fmax(1, fmax(fabs(a), fabs(b))))
                return fail_at(r, r->row_line[i], BRISK_ERR_VALUE, "the matrix is not "
                               "symmetric: row '%s' has %g for '%s', row '%s' (line %ld) %g; "
                               "correct the typo", r->names[i], a, r->names[j], r->names[j],
                               r->row_line[j], b);
            cov[j * p + i] = a;
        }
    }
    return BRISK_OK;
}

/* A list of p values from the file or the command line, not both. */
static brisk_status pick_list(reader *r, const char *what, const double *file, size_t nfile,
                              long line, const double *given, size_t ngiven, const char *option,
                              const double **out)
{
    size_t p = r->nnames;
    *out = NULL;
    if (line && given)
        return fail_at(r, line, BRISK_ERR_ARGUMENT, "the file has a %s row and %s gives them "
                       "too: give one", what, option);
    size_t n = line ? nfile : ngiven;
    if ((line || given) && n != p)
        return fail_at(r, line, BRISK_ERR_VALUE, "%s gives %zu %s%s for the %zu variables of "
                       "the matrix; give one per variable, in the matrix's order",
                       line ? "the file's row" : option, n, what, n == 1 ? "" : "s", p);
    *out = line ? file : given;
    return BRISK_OK;
}

static brisk_status finish(reader *r, const brisk_sample_matrix_options *opt, brisk_sample_matrix *out)
{
    brisk_status st = check_shape(r);
    size_t p = r->nnames;
    const double *sd = NULL, *mean = NULL;
    if (st == BRISK_OK)
        st = pick_list(r, "sd", r->sd, r->nsd, r->sd_line, opt->sd, opt->nsd, "--sd", &sd);
    if (st == BRISK_OK)
        st = pick_list(r, "mean", r->mean, r->nmean, r->mean_line, opt->mean, opt->nmean,
                       "--means", &mean);
    if (st != BRISK_OK)
        return st;
    if (sd && !opt->correlations)
        return fail_at(r, r->sd_line, BRISK_ERR_ARGUMENT, "standard deviations go with a "
                       "correlation matrix (--cor); a covariance matrix has its variances on "
                       "the diagonal");
    if (opt->correlations && !sd)
        return fail_at(r, 0, BRISK_ERR_FORMAT, "a correlation matrix needs the standard "
                       "deviations: an 'sd' row in the file or --sd LIST (lavaan fits the "
                       "covariances, cor2cov)");
    if (r->n_line && opt->n > 0)
        return fail_at(r, r->n_line, BRISK_ERR_ARGUMENT, "the file gives N and %s does too: "
                       "give one", opt->n_source ? opt->n_source : "--n");
    double n = r->n_line ? r->n : opt->n;
    if (!(n > 0))
        return fail_at(r, 0, BRISK_ERR_FORMAT, "no N: give the number of respondents with "
                       "--n N or an 'n' row in the file (lavaan's sample.nobs)");
    if (n < 2 || n != floor(n) || n > 1e15)
        return fail_at(r, r->n_line, BRISK_ERR_VALUE, "N is %g: the number of respondents is "
                       "a whole number of at least 2", n);
    for (size_t j = 0; sd && j < p; j++)
        if (!(sd[j] > 0))
            return fail_at(r, r->sd_line, BRISK_ERR_VALUE, "the standard deviation of '%s' is "
                           "%g; a standard deviation is positive", r->names[j], sd[j]);
    out->p = p;
    out->n = (size_t)n;
    out->cov = malloc(p * p * sizeof *out->cov);
    out->line = malloc(p * sizeof *out->line);
    out->mean = mean ? malloc(p * sizeof *out->mean) : NULL;
    if (!out->cov || !out->line || (mean && !out->mean))
        return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
    memcpy(out->line, r->row_line, p * sizeof *out->line);
    if (mean)
        memcpy(out->mean, mean, p * sizeof *out->mean);
    if ((st = unpack(r, out->cov)) != BRISK_OK)
        return st;
    for (size_t i = 0; i < p; i++) {
        double d = out->cov[i * p + i];
        if (opt->correlations && fabs(d - 1) > 1e-6)
            return fail_at(r, r->row_line[i], BRISK_ERR_VALUE, "the diagonal of a correlation "
                           "matrix holds 1, but '%s' has %g: is it a covariance matrix "
                           "(--cov)?", r->names[i], d);
        if (!opt->correlations && !(d > 0))
            return fail_at(r, r->row_line[i], BRISK_ERR_VALUE, "the variance of '%s' is %g; a "
                           "variance is positive", r->names[i], d);
    }
    for (size_t i = 0; sd && i < p; i++)
        for (size_t j = 0; j < p; j++)
            out->cov[i * p + j] = i == j ? sd[i] * sd[i] : out->cov[i * p + j] * sd[i] * sd[j];
    out->names = r->names;   /* taken over */
    r->names = NULL;
    r->nnames = 0;
    return BRISK_OK;
}

void brisk_sample_matrix_free(brisk_sample_matrix *s)
{
    if (!s)
        return;
    for (size_t j = 0; s->names && j < s->p; j++)
        free(s->names[j]);
    free(s->names);
    free(s->cov);
    free(s->mean);
    free(s->line);
    free(s->source);
    memset(s, 0, sizeof *s);
}

brisk_status brisk_sample_matrix_read(brisk_io *io, const brisk_sample_matrix_options *opt,
                                brisk_sample_matrix *out, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    static const brisk_sample_matrix_options none = {0};
    char *text = NULL;
    size_t size = 0;
    brisk_status st = slurp_io(io, &text, &size, err);
    if (st != BRISK_OK)
        return st;
    reader *r = calloc(1, sizeof *r);
    out->source = brisk_strdup(io->name);
    if (!r || !out->source) {
        free(text);
        free(r);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    r->file = out->source;
    r->err = err;
    if (memchr(text, '\0', size))
        st = fail_at(r, 0, BRISK_ERR_FORMAT, "the matrix file holds a NUL byte: is it a text "
                     "file?");
    bool first = true;
    for (char *line = text, *next; st == BRISK_OK && line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        r->line++;
        st = read_line(r, line, &first);
    }
    if (st == BRISK_OK)
        st = finish(r, opt ? opt : &none, out);
    for (size_t j = 0; j < r->nnames; j++)
        free(r->names[j]);
    free(r->names);
    free(r->cells);
    free(r->row_line);
    free(r);
    free(text);
    if (st != BRISK_OK) {
        char *source = out->source;
        out->source = NULL;
        if (err && err->file[0] == '\0')
            brisk_error_at(err, source, 0, 0);
        free(source);
        brisk_sample_matrix_free(out);
    }
    return st;
}

/* ------------------------------------------------------------ moments */

/* "a, b, c": the matrix's variables, for a message. */
static const char *variables(const brisk_sample_matrix *s, char *list, size_t size)
{
    list[0] = '\0';
    for (size_t k = 0, at = 0; k < s->p && at < size; k++) {
        int w = snprintf(list + at, size - at, "%s%s", k ? ", " : "", s->names[k]);
        at += w > 0 ? (size_t)w : 0;
    }
    return list;
}

/* The model's variables among the matrix's, in the model's order. */
static brisk_status model_columns(const brisk_model *m, const brisk_sample_matrix *s, size_t *col,
                                  brisk_error *err)
{
    for (size_t j = 0; j < m->p; j++) {
        col[j] = s->p;
        for (size_t k = 0; k < s->p && col[j] == s->p; k++)
            if (strcmp(s->names[k], m->ov[j]) == 0)
                col[j] = k;
        if (col[j] < s->p)
            continue;
        char list[600];
        brisk_error_variable(err, m->ov[j]);
        brisk_error_at(err, s->source, 0, 0);
        return brisk_error_set(err, BRISK_ERR_COLUMN, "the model's '%s' is not a variable of "
                               "the matrix (its variables: %s)", m->ov[j], variables(s, list, sizeof list));
    }
    return BRISK_OK;
}

/* The model's part of the matrix must be positive definite: a Cholesky
 * factorisation names the first variable where it fails. */
static brisk_status check_positive_definite(const brisk_model *m, const brisk_sample_matrix *s,
                                            const double *cov, const size_t *col,
                                            brisk_error *err)
{
    size_t p = m->p;
    double *l = calloc(p * p + 1, sizeof *l);
    if (!l)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t bad = p;
    for (size_t j = 0; j < p && bad == p; j++) {
        double d = cov[j * p + j];
        for (size_t k = 0; k < j; k++)
            d -= l[j * p + k] * l[j * p + k];
        if (!(d > 1e-12 * cov[j * p + j])) {
            bad = j;
            break;
        }
        l[j * p + j] = sqrt(d);
        for (size_t i = j + 1; i < p; i++) {
            double x = cov[i * p + j];
            for (size_t k = 0; k < j; k++)
                x -= l[i * p + k] * l[j * p + k];
            l[i * p + j] = x / l[j * p + j];
        }
    }
    free(l);
    if (bad == p)
        return BRISK_OK;
    brisk_error_variable(err, m->ov[bad]);
    brisk_error_at(err, s->source, s->line[col[bad]], 0);
    return brisk_error_set(err, BRISK_ERR_VALUE, "the matrix of the model's variables is not "
                           "positive definite: '%s' is (nearly) a linear combination of the "
                           "model's variables before it, or an entry is mistyped; check the row "
                           "of '%s' and the rows above it", m->ov[bad], m->ov[bad]);
}

brisk_status brisk_moments_from_matrix(const brisk_model *m, const brisk_sample_matrix *s,
                                        brisk_moments *out, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    size_t p = m->p;
    size_t *col = malloc((p + 1) * sizeof *col);
    out->p = p;
    out->cov = calloc(p * p + 1, sizeof *out->cov);
    out->mean = calloc(p + 1, sizeof *out->mean);
    brisk_status st = col && out->cov && out->mean
                          ? model_columns(m, s, col, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* lavaan's likelihood = "normal": the published (N - 1) covariances
     * rescaled to the ML divisor N */
    double scale = ((double)s->n - 1) / (double)s->n;
    for (size_t i = 0; st == BRISK_OK && i < p; i++) {
        out->mean[i] = s->mean ? s->mean[col[i]] : 0;
        for (size_t j = 0; j < p; j++)
            out->cov[i * p + j] = s->cov[col[i] * s->p + col[j]] * scale;
    }
    if (st == BRISK_OK)
        st = check_positive_definite(m, s, out->cov, col, err);
    out->n = s->n;
    free(col);
    if (st != BRISK_OK)
        brisk_moments_free(out);
    return st;
}

brisk_status brisk_fit_matrix_text(const char *text, const char *source, long first_line,
                                    const brisk_sample_matrix *s, const brisk_model_options *opt,
                                    brisk_fitted *out, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    brisk_model_options mopt = opt ? *opt : (brisk_model_options){0};
    mopt.name = source;
    if (s->mean)
        mopt.meanstructure = true;   /* as lavaan with sample.mean */
    if (mopt.estimator != BRISK_ESTIMATOR_ML || mopt.fiml || mopt.ordered || mopt.weight ||
        mopt.cluster || mopt.ngroups > 1)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "a model fitted from a matrix is "
                               "fitted by ML: robust ML, WLSMV, full-information ML, weights, "
                               "clusters and groups need the raw data");
    out->ngroups = 1;
    out->moments = calloc(1, sizeof *out->moments);
    brisk_status st = out->moments ? BRISK_OK
                                   : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    mopt.ngroups = 1;
    mopt.rows_available = s->n;
    if (st == BRISK_OK)
        st = brisk_syntax_parse(text, source, first_line, &out->syntax, err);
    if (st == BRISK_OK)
        st = brisk_model_new(out->syntax, (const char *const *)s->names, s->p, &mopt,
                             &out->model, err);
    if (st == BRISK_ERR_COLUMN && err && err->variable[0]) {
        /* the model builder speaks of data columns: say which matrix */
        char list[600];
        brisk_error_set(err, st, "'%s' is neither a latent variable (left of =~) nor a "
                        "variable of the matrix in %s (its variables: %s)", err->variable,
                        s->source, variables(s, list, sizeof list));
    }
    if (st == BRISK_OK)
        st = brisk_sem_check_size(out->model, err);
    if (st == BRISK_OK)
        st = brisk_moments_from_matrix(out->model, s, &out->moments[0], err);
    if (st == BRISK_OK)
        st = brisk_fit_ml(out->model, out->moments, &(brisk_fit_options){.time_limit = mopt.time_limit},
                          &out->fit, err);
    if (st == BRISK_OK && out->model->meanstructure && !s->mean &&
        brisk_fit_add_warning(out->fit, "a mean structure without the means: the matrix gives "
                              "none, so they are taken as 0 (as lavaan does, warning that "
                              "sample.mean is missing); give a mean row or --means") !=
            BRISK_OK)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st != BRISK_OK && err && !err->file[0])
        brisk_error_at(err, st == BRISK_ERR_DATA ? s->source : source, 0, 0);
    if (st != BRISK_OK)
        brisk_fitted_free(out);
    return st;
}
