/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — coded interviews from a CSV, read by the data layer's reader
 * (so encodings and delimiters behave as for any data file).
 *
 * Two forms, told apart by the header (names without case):
 *
 *   segments: participant, code, and optionally coder, source, start, end
 *             (0-based code points, half-open, both or neither), text;
 *   matrix:   participant, code, present (0/1), and optionally coder.
 *
 * Every other column is an attribute of the participant: a variable of
 * type text, with one value per participant.  Each participant is a case,
 * with one source named like the participant unless the source column
 * names others; there is no transcript, so a source has no text and a
 * coding's text is its row's text cell.  A code written Parent/Child hangs
 * under Parent (made for it, not codable until a row applies it).  Coders
 * are the users; every coder with a row for a participant coded that
 * participant's source (an assignment), so a matrix's rows with
 * present = 0 say what a coder saw and did not apply.
 *
 * Messages name the line each row starts on, counted again from the file
 * (a quoted text may span lines; empty lines are no rows), and the
 * column. */
#include <config.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "brisk/dataset.h"
#include "brisk/io.h"
#include "qual_internal.h"

#define NO_COLUMN ((size_t)-1)

/* The columns with a meaning; NO_COLUMN when absent. */
typedef struct seg_columns {
    size_t participant, code, coder, source, start, end, text, present;
} seg_columns;

typedef struct seg_reader {
    const char *path;
    brisk_error *err;
    const brisk_dataset *ds;
    seg_columns col;
    size_t *attributes;      /* the other columns, each a variable of the same index */
    size_t nattributes;
    bool count_lines;        /* a text file, whose lines can be counted */
    long *lines;             /* the line each data row starts on, or NULL if unknown */
    brisk_qual_builder b;
    brisk_lookup cases, users, sources, codes;
    size_t *source_case;     /* the case of each source */
    size_t cap_source_case;
} seg_reader;

/* ------------------------------------------------------------ messages */

static long row_line(const seg_reader *r, size_t row)
{
    return r->lines ? r->lines[row] : 0;
}

/* An error about a row's cell, at the row's line and the column. */
__attribute__((format(printf, 5, 6)))
static brisk_status fail_row(seg_reader *r, size_t row, size_t col, brisk_status st,
                             const char *fmt, ...)
{
    char message[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (r->lines)
        brisk_error_set(r->err, st, "%s", message);
    else
        brisk_error_set(r->err, st, "data row %zu: %s", row + 1, message);
    brisk_error_at(r->err, r->path, row_line(r, row), col == NO_COLUMN ? 0 : (long)col + 1);
    return st;
}

/* An error about the header. */
__attribute__((format(printf, 3, 4)))
static brisk_status fail_header(seg_reader *r, brisk_status st, const char *fmt, ...)
{
    char message[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    brisk_error_set(r->err, st, "%s", message);
    brisk_error_at(r->err, r->path, 1, 0);
    return st;
}

static brisk_status nomem(seg_reader *r)
{
    return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ lines */

/* Count records as the CSV reader does: a line break inside quotes
 * continues the record, CR LF, LF and a lone CR each end a line, and a
 * line with nothing on it is no record.  lines[k] is the line record k
 * starts on (record 0 the header); false when the file does not have
 * count records (it is not ASCII-compatible, as UTF-16): no lines then. */
typedef struct line_counter {
    long line, start;
    bool in_quote, has_content, after_cr;
    size_t records;
} line_counter;

static void count_byte(line_counter *c, unsigned char ch, long *lines, size_t count)
{
    bool newline = ch == '\r' || (ch == '\n' && !c->after_cr);
    c->after_cr = ch == '\r';
    if (ch == '\n' && !newline)
        return;   /* the LF of a CR LF */
    if (c->in_quote) {
        c->in_quote = ch != '"';
        c->line += newline;
        return;
    }
    if (newline) {
        if (c->has_content && c->records < count)
            lines[c->records] = c->start;
        c->records += c->has_content;
        c->has_content = false;
        c->line++;
        return;
    }
    if (!c->has_content)
        c->start = c->line;
    c->has_content = true;
    c->in_quote = ch == '"';
}

static bool count_lines(const char *path, long *lines, size_t count)
{
    brisk_io io;
    line_counter c = {.line = 1};
    unsigned char chunk[65536];
    ssize_t n;
    if (brisk_io_open_file(&io, path, NULL) != BRISK_OK)
        return false;
    while (c.records < count && (n = io.read(io.ctx, chunk, sizeof chunk)) > 0)
        for (ssize_t i = 0; i < n; i++)
            count_byte(&c, chunk[i], lines, count);
    brisk_io_close(&io);
    if (c.has_content && c.records < count)
        lines[c.records++] = c.start;
    return c.records == count;
}

/* The line of each data row, or none when they cannot be counted. */
static brisk_status find_lines(seg_reader *r)
{
    size_t count = r->ds->nrows + 1;
    if (!r->count_lines)
        return BRISK_OK;
    long *lines = malloc(count * sizeof *lines);
    if (!lines)
        return nomem(r);
    if (count_lines(r->path, lines, count)) {
        memmove(lines, lines + 1, r->ds->nrows * sizeof *lines);
        r->lines = lines;
    } else {
        free(lines);
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ cells */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A cell as text in *out, NULL when it is missing or blank.  A number is
 * written back as the shortest text that reads as it (so "007" reads as
 * 7: quote identifiers with leading zeros). */
static brisk_status cell_copy(seg_reader *r, size_t col, size_t row, bool trim, char **out)
{
    *out = NULL;
    if (col == NO_COLUMN || brisk_is_missing(&r->ds->cols[col], row))
        return BRISK_OK;
    const brisk_column *c = &r->ds->cols[col];
    char buf[32];
    const char *s = c->type == BRISK_STRING ? c->str[row] : brisk_format_double(c->num[row], buf);
    size_t n = strlen(s);
    if (trim) {
        while (n > 0 && is_blank(*s))
            s++, n--;
        while (n > 0 && is_blank(s[n - 1]))
            n--;
    }
    if (n > 0 && !(*out = brisk_strndup(s, n)))
        return nomem(r);
    return BRISK_OK;
}

/* A required cell: its text, or an error naming the column. */
static brisk_status required_cell(seg_reader *r, size_t col, size_t row, char **out)
{
    brisk_status st = cell_copy(r, col, row, true, out);
    if (st == BRISK_OK && !*out)
        st = fail_row(r, row, col, BRISK_ERR_VALUE, "the %s is empty", r->ds->cols[col].name);
    return st;
}

/* A position (start, end): a whole number >= 0. */
static bool cell_position(const seg_reader *r, size_t col, size_t row, size_t *out)
{
    const brisk_column *c = &r->ds->cols[col];
    double v;
    if (c->type == BRISK_NUMERIC)
        v = c->num[row];
    else if (!brisk_parse_number(c->str[row], strlen(c->str[row]), &v))
        return false;
    if (!(v >= 0 && v < 9007199254740992.0) || v != floor(v))
        return false;
    *out = (size_t)v;
    return true;
}

/* present: 1 or 0 (also yes/no, true/false). */
static bool cell_present(seg_reader *r, size_t row, bool *out)
{
    const brisk_column *c = &r->ds->cols[r->col.present];
    if (brisk_is_missing(c, row))
        return false;
    if (c->type == BRISK_NUMERIC) {
        *out = c->num[row] == 1;
        return c->num[row] == 0 || c->num[row] == 1;
    }
    static const char *const yes[] = {"1", "yes", "true"}, *const no[] = {"0", "no", "false"};
    char *s = NULL;
    bool known = false;
    if (cell_copy(r, r->col.present, row, true, &s) != BRISK_OK)
        return false;
    for (size_t i = 0; s && i < 3 && !known; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            known = *out = true;
        else if (strcasecmp(s, no[i]) == 0)
            known = true, *out = false;
    }
    free(s);
    return known;
}

/* ------------------------------------------------------------ the header */

/* The columns with a meaning, in the order of seg_columns. */
static const char *const roles[] = {"participant", "code", "coder", "source",
                                    "start",       "end",  "text",  "present"};
#define NROLES (sizeof roles / sizeof roles[0])

/* The role a column name has (an index of roles), or NROLES: an attribute. */
static size_t role_of(const char *name)
{
    size_t i = 0;
    while (i < NROLES && strcasecmp(name, roles[i]) != 0)
        i++;
    return i;
}

static brisk_status assign_columns(seg_reader *r)
{
    const brisk_dataset *ds = r->ds;
    size_t *slots[NROLES] = {&r->col.participant, &r->col.code, &r->col.coder,
                             &r->col.source,      &r->col.start, &r->col.end,
                             &r->col.text,        &r->col.present};
    for (size_t i = 0; i < NROLES; i++)
        *slots[i] = NO_COLUMN;
    r->attributes = malloc((ds->ncols ? ds->ncols : 1) * sizeof *r->attributes);
    if (!r->attributes)
        return nomem(r);
    for (size_t j = 0; j < ds->ncols; j++) {
        size_t role = role_of(ds->cols[j].name);
        if (role == NROLES)
            r->attributes[r->nattributes++] = j;
        else if (*slots[role] != NO_COLUMN)
            return fail_header(r, BRISK_ERR_FORMAT, "columns '%s' and '%s' both name the %s",
                               ds->cols[*slots[role]].name, ds->cols[j].name, roles[role]);
        else
            *slots[role] = j;
    }
    return BRISK_OK;
}

static brisk_status check_columns(seg_reader *r)
{
    const seg_columns *c = &r->col;
    if (c->participant == NO_COLUMN || c->code == NO_COLUMN)
        return fail_header(r, BRISK_ERR_COLUMN,
                           "no '%s' column: a segments CSV has the columns participant and "
                           "code, then coder, source, start, end, text, or present",
                           c->participant == NO_COLUMN ? "participant" : "code");
    if ((c->start == NO_COLUMN) != (c->end == NO_COLUMN))
        return fail_header(r, BRISK_ERR_FORMAT, "%s: give both positions or neither",
                           c->start == NO_COLUMN ? "an 'end' column needs a 'start' column"
                                                 : "a 'start' column needs an 'end' column");
    if (c->present != NO_COLUMN &&
        (c->start != NO_COLUMN || c->text != NO_COLUMN || c->source != NO_COLUMN))
        return fail_header(r, BRISK_ERR_FORMAT,
                           "a 'present' column makes a matrix of participants and codes, "
                           "which has no source, start, end or text columns");
    return BRISK_OK;
}

static brisk_status add_variables(seg_reader *r)
{
    for (size_t i = 0; i < r->nattributes; i++) {
        size_t index;
        if (!brisk_qual_add_variable(&r->b, NULL, r->ds->cols[r->attributes[i]].name,
                                     BRISK_QUAL_TEXT, &index))
            return nomem(r);
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ names */

static const char *case_name(size_t i, const void *p)
{
    return ((const brisk_qual_project *)p)->cases[i].name;
}

static const char *user_name(size_t i, const void *p)
{
    return ((const brisk_qual_project *)p)->users[i].name;
}

static const char *source_name(size_t i, const void *p)
{
    return ((const brisk_qual_project *)p)->sources[i].name;
}

static brisk_status participant_case(seg_reader *r, const char *name, size_t *c)
{
    *c = brisk_lookup_find_name(&r->cases, name, case_name, r->b.p);
    if (*c != BRISK_LOOKUP_NONE)
        return BRISK_OK;
    if (!brisk_qual_add_case(&r->b, NULL, name, c) || !brisk_lookup_add_name(&r->cases, name, *c))
        return nomem(r);
    return BRISK_OK;
}

static brisk_status coder_user(seg_reader *r, const char *name, size_t *u)
{
    *u = BRISK_QUAL_NONE;
    if (!name)
        return BRISK_OK;
    *u = brisk_lookup_find_name(&r->users, name, user_name, r->b.p);
    if (*u != BRISK_LOOKUP_NONE)
        return BRISK_OK;
    if (!brisk_qual_add_user(&r->b, NULL, name, u) || !brisk_lookup_add_name(&r->users, name, *u))
        return nomem(r);
    return BRISK_OK;
}

/* The source of that name, made for case c if new; a source belongs to
 * one participant. */
static brisk_status case_source(seg_reader *r, size_t row, const char *name, size_t c,
                                size_t *s)
{
    brisk_qual_project *p = r->b.p;
    *s = brisk_lookup_find_name(&r->sources, name, source_name, p);
    if (*s != BRISK_LOOKUP_NONE) {
        if (r->source_case[*s] == c)
            return BRISK_OK;
        return fail_row(r, row, r->col.source, BRISK_ERR_VALUE,
                        "source '%s' belongs to participant '%s' and to participant '%s'",
                        name, p->cases[r->source_case[*s]].name, p->cases[c].name);
    }
    if (!brisk_qual_add_source(&r->b, NULL, name, s) ||
        !brisk_lookup_add_name(&r->sources, name, *s) ||
        !brisk_grow((void **)&r->source_case, &r->cap_source_case, *s + 1,
                    sizeof *r->source_case) ||
        !brisk_qual_case_add_source(&r->b.p->cases[c], *s))
        return nomem(r);
    r->source_case[*s] = c;
    return BRISK_OK;
}

static uint64_t code_hash(size_t parent, const char *name)
{
    char tag[24];
    snprintf(tag, sizeof tag, "%zu", parent);
    return brisk_hash_text(brisk_hash_text(BRISK_HASH_START, tag), name);
}

/* The code name under parent, made (not codable) if new. */
static bool code_under(seg_reader *r, size_t parent, const char *name, size_t *code)
{
    uint64_t h = code_hash(parent, name);
    size_t at = BRISK_LOOKUP_NONE;
    for (size_t i; (i = brisk_lookup_next(&r->codes, h, &at)) != BRISK_LOOKUP_NONE;)
        if (r->b.p->codes[i].parent == parent && strcmp(r->b.p->codes[i].name, name) == 0) {
            *code = i;
            return true;
        }
    if (!brisk_qual_add_code(&r->b, NULL, name, parent, code) ||
        !brisk_lookup_add(&r->codes, h, *code))
        return false;
    r->b.p->codes[*code].codable = false;
    return true;
}

/* The code a cell names: Parent/Child/... (blanks around the parts and
 * empty parts ignored).  The named code is codable. */
static brisk_status code_of_path(seg_reader *r, size_t row, char *path, size_t *code)
{
    size_t parent = BRISK_QUAL_NONE;
    int depth = 0;
    for (char *part = path; part;) {
        char *slash = strchr(part, '/');
        if (slash)
            *slash = '\0';
        char *name = part;
        size_t n = strlen(name);
        while (n > 0 && is_blank(*name))
            name++, n--;
        while (n > 0 && is_blank(name[n - 1]))
            name[--n] = '\0';
        if (n > 0) {
            if (++depth > BRISK_QUAL_MAX_DEPTH)
                return fail_row(r, row, r->col.code, BRISK_ERR_LIMIT,
                                "the code is nested more than %d deep", BRISK_QUAL_MAX_DEPTH);
            if (!code_under(r, parent, name, &parent))
                return nomem(r);
        }
        part = slash ? slash + 1 : NULL;
    }
    if (parent == BRISK_QUAL_NONE)
        return fail_row(r, row, r->col.code, BRISK_ERR_VALUE, "the code has no name, only '/'");
    r->b.p->codes[parent].codable = true;
    *code = parent;
    return BRISK_OK;
}

/* ------------------------------------------------------------ rows */

/* The participant's attributes on this row: one value each. */
static brisk_status row_attributes(seg_reader *r, size_t row, size_t c)
{
    brisk_qual_case *kase = &r->b.p->cases[c];
    for (size_t i = 0; i < r->nattributes; i++) {
        size_t col = r->attributes[i];
        if (brisk_is_missing(&r->ds->cols[col], row))
            continue;
        char *value;
        brisk_status st = cell_copy(r, col, row, true, &value);
        if (st != BRISK_OK)
            return st;
        if (!value)
            continue;
        if (!kase->values[i]) {
            kase->values[i] = value;
            continue;
        }
        bool same = strcmp(kase->values[i], value) == 0;
        st = same ? BRISK_OK
                  : fail_row(r, row, col, BRISK_ERR_VALUE,
                                          "participant '%s' has two values of '%s': '%s' "
                                          "and, here, '%s' (one value per participant)",
                                          kase->name, r->ds->cols[col].name,
                                          kase->values[i], value);
        free(value);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* start and end of a segment row: both, or neither (0, 0). */
static brisk_status row_positions(seg_reader *r, size_t row, size_t *start, size_t *end)
{
    const seg_columns *c = &r->col;
    *start = *end = 0;
    if (c->start == NO_COLUMN)
        return BRISK_OK;
    bool has_start = !brisk_is_missing(&r->ds->cols[c->start], row);
    bool has_end = !brisk_is_missing(&r->ds->cols[c->end], row);
    if (!has_start && !has_end)
        return BRISK_OK;
    if (has_start != has_end)
        return fail_row(r, row, has_start ? c->end : c->start, BRISK_ERR_VALUE,
                        "'%s' is given but '%s' is empty: give both positions or neither",
                        r->ds->cols[has_start ? c->start : c->end].name,
                        r->ds->cols[has_start ? c->end : c->start].name);
    if (!cell_position(r, c->start, row, start))
        return fail_row(r, row, c->start, BRISK_ERR_VALUE,
                        "start is not a whole number of characters from 0");
    if (!cell_position(r, c->end, row, end))
        return fail_row(r, row, c->end, BRISK_ERR_VALUE,
                        "end is not a whole number of characters from 0");
    if (*start > *end)
        return fail_row(r, row, c->start, BRISK_ERR_VALUE, "start %zu is after end %zu",
                        *start, *end);
    return BRISK_OK;
}

/* What the row says was coded: a segment, or a matrix cell. */
static brisk_status row_coding(seg_reader *r, size_t row, size_t s, size_t code, size_t user)
{
    size_t start, end;
    if (r->col.present != NO_COLUMN) {
        bool present;
        if (!cell_present(r, row, &present))
            return fail_row(r, row, r->col.present, BRISK_ERR_VALUE,
                            "present must be 1 (the code applies) or 0 (it does not)");
        if (!present)   /* coded and not applied: the assignment says so */
            return brisk_qual_add_assignment(&r->b, s, user) ? BRISK_OK : nomem(r);
        return brisk_qual_add_coding(&r->b, s, code, user, 0, 0, NULL) ? BRISK_OK : nomem(r);
    }
    brisk_status st = row_positions(r, row, &start, &end);
    if (st != BRISK_OK)
        return st;
    char *text;
    if ((st = cell_copy(r, r->col.text, row, false, &text)) != BRISK_OK)
        return st;
    return brisk_qual_add_coding(&r->b, s, code, user, start, end, text) ? BRISK_OK : nomem(r);
}

/* The row's participant, source, coder and code, each made when new. */
typedef struct row_keys {
    char *participant, *code, *coder, *source;
} row_keys;

static brisk_status read_row(seg_reader *r, size_t row)
{
    row_keys k = {0};
    size_t c = 0, s = 0, user = BRISK_QUAL_NONE, code = 0;
    brisk_status st = required_cell(r, r->col.participant, row, &k.participant);
    if (st == BRISK_OK)
        st = required_cell(r, r->col.code, row, &k.code);
    if (st == BRISK_OK && (st = cell_copy(r, r->col.coder, row, true, &k.coder)) == BRISK_OK &&
        (st = cell_copy(r, r->col.source, row, true, &k.source)) == BRISK_OK &&
        (st = participant_case(r, k.participant, &c)) == BRISK_OK &&
        (st = row_attributes(r, row, c)) == BRISK_OK &&
        (st = case_source(r, row, k.source ? k.source : k.participant, c, &s)) == BRISK_OK &&
        (st = coder_user(r, k.coder, &user)) == BRISK_OK &&
        (st = code_of_path(r, row, k.code, &code)) == BRISK_OK)
        st = row_coding(r, row, s, code, user);
    free(k.participant);
    free(k.code);
    free(k.coder);
    free(k.source);
    return st;
}

/* ------------------------------------------------------------ the file */

static brisk_status read_rows(seg_reader *r)
{
    brisk_status st = assign_columns(r);
    if (st == BRISK_OK)
        st = check_columns(r);
    if (st == BRISK_OK)
        st = add_variables(r);
    if (st == BRISK_OK)
        st = find_lines(r);
    for (size_t row = 0; st == BRISK_OK && row < r->ds->nrows; row++)
        st = read_row(r, row);
    return st;
}

brisk_status brisk_qual_read_segments(const char *path, brisk_qual_project **out,
                                      brisk_error *err)
{
    brisk_error_clear(err);
    if (out)
        *out = NULL;
    if (!path || !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_qual_read_segments: path and out are required");
    /* A data file of another type (.sav, .dta) is read as such; any other
     * name as delimited text. */
    brisk_format format = brisk_format_from_name(path);
    brisk_read_options opt = {.format = format == BRISK_FORMAT_AUTO ? BRISK_FORMAT_CSV : format};
    brisk_dataset *ds = NULL;
    brisk_status st = brisk_read_file(path, &opt, &ds, err);
    if (st != BRISK_OK)
        return st;
    seg_reader r = {.path = path, .err = err, .ds = ds,
                    .count_lines = opt.format == BRISK_FORMAT_CSV};
    char *name = brisk_qual_base_name(path);
    st = name ? brisk_qual_builder_init(&r.b, name, err) : nomem(&r);
    free(name);
    if (st == BRISK_OK && (st = read_rows(&r)) == BRISK_OK)
        *out = brisk_qual_builder_finish(&r.b);
    else if (st != BRISK_OK && r.b.p)
        brisk_qual_builder_discard(&r.b);
    brisk_lookup_free(&r.cases);
    brisk_lookup_free(&r.users);
    brisk_lookup_free(&r.sources);
    brisk_lookup_free(&r.codes);
    free(r.attributes);
    free(r.lines);
    free(r.source_case);
    brisk_dataset_free(ds);
    return st;
}
