/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The delimited-text (RFC 4180) reader.
 *
 * The file is read twice through its brisk_io.  Pass 1 tokenizes every
 * row, checks the structure and the encoding, and decides each column's
 * type; pass 2 reads the same rows again and stores them into columns
 * allocated once at their final size.  Two passes cost a second read but
 * no guessing: a column is numeric only when every value in it is a
 * number, and nothing is reallocated or retyped half-way.
 *
 * Input is read in 64 KiB chunks; the tokenizer copies runs of plain bytes
 * at once and looks at the few special bytes (delimiter, quote, newline,
 * CR, NUL) one at a time.  Every field is held in one buffer that never
 * grows beyond BRISK_MAX_FIELD_BYTES. */
#include <config.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "brisk/dataset.h"
#include "core/util.h"
#include "data_internal.h"

#define CSV_CHUNK_BYTES ((size_t)64 * 1024)
#define CSV_FIELD_START_BYTES 256

/* How a field ended. */
typedef enum field_end {
    FIELD_END_DELIMITER,
    FIELD_END_LINE,
    FIELD_END_FILE
} field_end;

/* The raw bytes of the field being read, NUL-terminated. */
typedef struct csv_field {
    char *data;
    size_t len;
    size_t cap;
    bool quoted;
    long line;              /* line on which the field starts */
} csv_field;

typedef struct csv_reader {
    brisk_io *io;
    brisk_error *err;
    unsigned char *chunk;
    size_t pos;             /* next unread byte of chunk */
    size_t len;             /* bytes in chunk */
    long long offset;       /* file offset of chunk[0] */
    bool at_eof;
    bool read_failed;
    long line;              /* line of the next byte, 1-based */
    long column;            /* 1-based number of the field being read */
    int delimiter;          /* as an unsigned char, like the bytes read */
    bool special[256];      /* bytes that end a run of plain field content */
    csv_field field;
    const char *const *na_tokens;
    char decimal;           /* '.' or ',' */
    unsigned skip;          /* lines before the header */
    unsigned header_rows;   /* rows of header, at least 1 */
    const char *encoding;   /* NULL when the input is read as UTF-8 */
    iconv_t converter;
    brisk_buf utf8;         /* the field converted from encoding */
} csv_reader;

/* One row as the tokenizer saw it. */
typedef struct csv_row {
    size_t nfields;
    long line;              /* line on which the row starts */
    bool at_end;            /* the row ended at the end of the input */
} csv_row;

/* Names and decided types of the header's columns. */
typedef struct csv_columns {
    char **names;
    char **labels;          /* header_rows >= 2: the second row, else NULL */
    bool *numeric;
    size_t count;
    size_t cap;
    long header_line;
} csv_columns;

/* Called for every field of a row with its text converted to UTF-8. */
typedef brisk_status (*field_visitor)(csv_reader *r, void *ctx, size_t index,
                                      const char *text, size_t len);

/* ------------------------------------------------------------ errors */

static brisk_status fail(csv_reader *r, brisk_status status, long line,
                         long column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Record a complete error (message, file, line, column); a previous error
 * in the caller's record must not lend us its location. */
static brisk_status fail(csv_reader *r, brisk_status status, long line,
                         long column, const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    brisk_error_clear(r->err);
    brisk_error_set(r->err, status, "%s", message);
    brisk_error_at(r->err, r->io->name, line, column);
    return status;
}

static brisk_status out_of_memory(csv_reader *r)
{
    return fail(r, BRISK_ERR_NOMEM, 0, 0, "out of memory");
}

static brisk_status read_failure(csv_reader *r)
{
    return fail(r, BRISK_ERR_OPEN, r->line, 0,
                "read error after %lld bytes: the input could not be read "
                "to the end; check that the file is readable and complete",
                r->offset + (long long)r->len);
}

/* Called where the input ended: a short read caused by an error must not
 * pass for the end of the file. */
static brisk_status input_ended(csv_reader *r)
{
    return r->read_failed ? read_failure(r) : BRISK_OK;
}

/* Newlines among the first n bytes of the field, to place an error found
 * inside a quoted multi-line field on its own line. */
static long newlines_before(const csv_field *f, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n && i < f->len; i++)
        count += f->data[i] == '\n';
    return count;
}

/* ------------------------------------------------------------ input */

static void read_chunk(csv_reader *r, size_t keep)
{
    ssize_t n = r->io->read(r->io->ctx, r->chunk + keep, CSV_CHUNK_BYTES - keep);
    if (n <= 0) {
        r->at_eof = true;
        r->read_failed = n < 0;
        return;
    }
    r->len = keep + (size_t)n;
}

/* Replace the consumed chunk with the next one; false at the end. */
static bool refill(csv_reader *r)
{
    if (r->at_eof)
        return false;
    r->offset += (long long)r->len;
    r->pos = r->len = 0;
    read_chunk(r, 0);
    return r->len > 0;
}

static inline int peek_byte(csv_reader *r)
{
    if (r->pos == r->len && !refill(r))
        return EOF;
    return r->chunk[r->pos];
}

static inline int next_byte(csv_reader *r)
{
    int c = peek_byte(r);
    if (c != EOF) {
        r->pos++;
        r->line += c == '\n';
    }
    return c;
}

/* The BOM needs three bytes in the first chunk, which a short read (a pipe,
 * a slow device) might not deliver at once. */
static brisk_status skip_bom(csv_reader *r)
{
    while (r->len < 3 && !r->at_eof)
        read_chunk(r, r->len);
    if (r->read_failed)
        return read_failure(r);
    if (r->len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    return BRISK_OK;
}

static brisk_status rewind_input(csv_reader *r)
{
    if (r->io->seek(r->io->ctx, 0) != 0)
        return fail(r, BRISK_ERR_OPEN, 0, 0,
                    "cannot seek back to the start of the input; the CSV "
                    "reader reads the file twice and needs a regular file");
    r->pos = r->len = 0;
    r->offset = 0;
    r->at_eof = r->read_failed = false;
    r->line = 1;
    r->column = 0;
    brisk_status st = skip_bom(r);
    for (unsigned k = 0; st == BRISK_OK && k < r->skip; k++) {
        int c;
        while ((c = next_byte(r)) != EOF && c != '\n')
            ;
        if (c == EOF)
            st = input_ended(r);
    }
    return st;
}

/* ------------------------------------------------------------ fields */

/* Grow the field buffer to hold need bytes, never past the field limit
 * (the caller has checked need against it). */
static bool field_reserve(csv_field *f, size_t need)
{
    if (need <= f->cap)
        return true;
    size_t cap = f->cap;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)BRISK_MAX_FIELD_BYTES + 1)
        cap = (size_t)BRISK_MAX_FIELD_BYTES + 1;
    char *data = realloc(f->data, cap);
    if (!data)
        return false;
    f->data = data;
    f->cap = cap;
    return true;
}

static brisk_status field_append(csv_reader *r, const void *bytes, size_t n)
{
    csv_field *f = &r->field;
    if (n == 0)
        return BRISK_OK;
    if (n > BRISK_MAX_FIELD_BYTES - f->len)
        return fail(r, BRISK_ERR_LIMIT, f->line, r->column,
                    "field starting here is longer than %u bytes; a quote "
                    "that is never closed or a wrong delimiter usually "
                    "causes this", BRISK_MAX_FIELD_BYTES);
    if (!field_reserve(f, f->len + n + 1))
        return out_of_memory(r);
    memcpy(f->data + f->len, bytes, n);
    f->len += n;
    f->data[f->len] = '\0';
    return BRISK_OK;
}

static brisk_status field_append_byte(csv_reader *r, int c)
{
    unsigned char byte = (unsigned char)c;
    return field_append(r, &byte, 1);
}

/* Copy the plain bytes at the read position up to the next special byte
 * or the end of the chunk. */
static brisk_status take_plain_run(csv_reader *r)
{
    size_t start = r->pos;
    while (r->pos < r->len && !r->special[r->chunk[r->pos]])
        r->pos++;
    return field_append(r, r->chunk + start, r->pos - start);
}

static brisk_status nul_byte(csv_reader *r)
{
    return fail(r, BRISK_ERR_FORMAT, r->line, r->column,
                "binary data (NUL byte): this is not a text file; export the "
                "data as CSV, or read .sav/.dta/.sas7bdat files directly");
}

/* A line ends at LF or CRLF; the LF has not been consumed yet. */
static bool consume_crlf(csv_reader *r)
{
    if (peek_byte(r) != '\n')
        return false;
    next_byte(r);
    return true;
}

/* True when the byte just read ends the field: the delimiter, LF or CRLF. */
static bool ends_field(csv_reader *r, int c, field_end *end)
{
    if (c == r->delimiter) {
        *end = FIELD_END_DELIMITER;
        return true;
    }
    if (c == '\n' || (c == '\r' && consume_crlf(r))) {
        *end = FIELD_END_LINE;
        return true;
    }
    return false;
}

static brisk_status ends_input(csv_reader *r, field_end *end)
{
    *end = FIELD_END_FILE;
    return input_ended(r);
}

static brisk_status stray_quote(csv_reader *r)
{
    return fail(r, BRISK_ERR_FORMAT, r->line, r->column,
                "quote (\") inside an unquoted field; enclose the whole "
                "field in quotes and double the quotes inside it (\"\")");
}

static brisk_status read_unquoted(csv_reader *r, field_end *end)
{
    for (;;) {
        brisk_status st = take_plain_run(r);
        if (st != BRISK_OK)
            return st;
        int c = next_byte(r);
        if (c == EOF)
            return ends_input(r, end);
        if (ends_field(r, c, end))
            return BRISK_OK;
        if (c == '"')
            return stray_quote(r);
        if (c == '\0')
            return nul_byte(r);
        if ((st = field_append_byte(r, c)) != BRISK_OK)  /* a lone CR is data */
            return st;
    }
}

/* After a closing quote only the end of the field may follow. */
static brisk_status read_after_quote(csv_reader *r, field_end *end)
{
    int c = next_byte(r);
    if (c == EOF)
        return ends_input(r, end);
    if (ends_field(r, c, end))
        return BRISK_OK;
    if (c == '\0')
        return nul_byte(r);
    char shown[8];
    snprintf(shown, sizeof shown, c >= 0x20 && c < 0x7F ? "'%c'" : "0x%02X", c);
    return fail(r, BRISK_ERR_FORMAT, r->line, r->column,
                "unexpected %s after a closing quote; a quoted field must end "
                "at the delimiter or the line end (write a quote inside a "
                "quoted field as \"\")", shown);
}

static brisk_status read_quoted(csv_reader *r, field_end *end)
{
    long start_line = r->line;
    next_byte(r);                                   /* the opening quote */
    for (;;) {
        brisk_status st = take_plain_run(r);
        if (st != BRISK_OK)
            return st;
        int c = next_byte(r);
        if (c == EOF)
            return r->read_failed ? read_failure(r)
                : fail(r, BRISK_ERR_FORMAT, start_line, r->column,
                       "quoted field starting here is never closed (end of "
                       "file inside quotes); add the closing quote, or double "
                       "a quote meant literally (\"\")");
        if (c == '\0')
            return nul_byte(r);
        if (c == '"' && peek_byte(r) != '"')
            return read_after_quote(r, end);
        if (c == '"')
            next_byte(r);                           /* "" is one quote */
        if ((st = field_append_byte(r, c)) != BRISK_OK)
            return st;
    }
}

static brisk_status read_field(csv_reader *r, field_end *end)
{
    csv_field *f = &r->field;
    f->len = 0;
    f->data[0] = '\0';
    f->line = r->line;
    f->quoted = peek_byte(r) == '"';
    return f->quoted ? read_quoted(r, end) : read_unquoted(r, end);
}

/* ------------------------------------------------------------ encoding */

static bool is_utf8_name(const char *encoding)
{
    return !encoding || !encoding[0] || strcasecmp(encoding, "UTF-8") == 0 ||
           strcasecmp(encoding, "UTF8") == 0;
}

static brisk_status open_converter(csv_reader *r, const char *encoding)
{
    if (is_utf8_name(encoding))
        return BRISK_OK;
    r->converter = iconv_open("UTF-8", encoding);
    if (r->converter == (iconv_t)-1)
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0,
                    "unknown encoding '%s': give a name that iconv knows "
                    "(see 'iconv -l'), e.g. GB18030, latin1, CP1252", encoding);
    r->encoding = encoding;
    return BRISK_OK;
}

/* One iconv call into the free space of r->utf8; in == NULL flushes the
 * shift state of stateful encodings. */
static size_t convert_step(csv_reader *r, char **in, size_t *inleft)
{
    char *out = r->utf8.data + r->utf8.len;
    size_t outleft = r->utf8.cap - r->utf8.len - 1;
    size_t rc = iconv(r->converter, in, inleft, &out, &outleft);
    r->utf8.len = (size_t)(out - r->utf8.data);
    return rc;
}

static brisk_status conversion_failure(csv_reader *r, size_t at)
{
    const csv_field *f = &r->field;
    return fail(r, BRISK_ERR_FORMAT, f->line + newlines_before(f, at), r->column,
                "cannot convert byte %zu of the field from %s to UTF-8: the "
                "text is not valid %s; check --encoding", at + 1, r->encoding,
                r->encoding);
}

/* Run iconv over the field (in != NULL) or flush it (in == NULL), growing
 * the output whenever iconv reports it full. */
static brisk_status convert_all(csv_reader *r, char **in, size_t *inleft)
{
    for (;;) {
        if (convert_step(r, in, inleft) != (size_t)-1)
            return BRISK_OK;
        if (errno != E2BIG)
            return conversion_failure(r, in ? (size_t)(*in - r->field.data)
                                            : r->field.len);
        size_t need = r->utf8.cap + (inleft ? *inleft : 0) + 16;
        if (!brisk_grow((void **)&r->utf8.data, &r->utf8.cap, need, 1))
            return out_of_memory(r);
    }
}

static brisk_status convert_field(csv_reader *r, const char **text, size_t *len)
{
    csv_field *f = &r->field;
    char *in = f->data;
    size_t inleft = f->len;
    iconv(r->converter, NULL, NULL, NULL, NULL);
    r->utf8.len = 0;
    if (!brisk_grow((void **)&r->utf8.data, &r->utf8.cap, 2 * f->len + 16, 1))
        return out_of_memory(r);
    brisk_status st = convert_all(r, &in, &inleft);
    if (st == BRISK_OK)
        st = convert_all(r, NULL, NULL);
    r->utf8.data[r->utf8.len] = '\0';
    *text = r->utf8.data;
    *len = r->utf8.len;
    return st;
}

/* The field as UTF-8: validated in place, or converted from the encoding
 * the caller named. */
static brisk_status field_as_utf8(csv_reader *r, const char **text, size_t *len)
{
    const csv_field *f = &r->field;
    if (r->encoding)
        return convert_field(r, text, len);
    size_t bad = brisk_utf8_invalid_at(f->data, f->len);
    if (bad != (size_t)-1)
        return fail(r, BRISK_ERR_FORMAT, f->line + newlines_before(f, bad),
                    r->column,
                    "invalid UTF-8 at byte %zu of the field; if the file is in "
                    "another encoding, give --encoding (e.g. GB18030, latin1)",
                    bad + 1);
    *text = f->data;
    *len = f->len;
    return BRISK_OK;
}

/* ------------------------------------------------------------ rows */

/* An unquoted empty first field that ends its line is an empty line (or
 * the end after the final newline), not a row. */
static bool is_empty_line(const csv_field *f, field_end end)
{
    return f->len == 0 && !f->quoted && end != FIELD_END_DELIMITER;
}

static brisk_status deliver_field(csv_reader *r, field_visitor visit, void *ctx,
                                  size_t index)
{
    const char *text = NULL;
    size_t len = 0;
    brisk_status st = field_as_utf8(r, &text, &len);
    return st == BRISK_OK ? visit(r, ctx, index, text, len) : st;
}

/* Read one line's worth of fields; nfields is 0 for an empty line. */
static brisk_status read_row(csv_reader *r, field_visitor visit, void *ctx,
                             csv_row *row)
{
    row->nfields = 0;
    row->line = r->line;
    for (;;) {
        field_end end;
        r->column = (long)row->nfields + 1;
        brisk_status st = read_field(r, &end);
        if (st != BRISK_OK)
            return st;
        row->at_end = end == FIELD_END_FILE;
        if (row->nfields == 0 && is_empty_line(&r->field, end))
            return BRISK_OK;
        if ((st = deliver_field(r, visit, ctx, row->nfields)) != BRISK_OK)
            return st;
        row->nfields++;
        if (end != FIELD_END_DELIMITER)
            return BRISK_OK;
    }
}

/* The next row that has fields; nfields is 0 only at the end of input. */
static brisk_status read_nonempty_row(csv_reader *r, field_visitor visit,
                                      void *ctx, csv_row *row)
{
    brisk_status st;
    do
        st = read_row(r, visit, ctx, row);
    while (st == BRISK_OK && row->nfields == 0 && !row->at_end);
    return st;
}

static brisk_status check_row_width(csv_reader *r, const csv_row *row,
                                    size_t ncols)
{
    if (row->nfields == ncols)
        return BRISK_OK;
    long column = (long)(row->nfields > ncols ? ncols + 1 : row->nfields);
    return fail(r, BRISK_ERR_FORMAT, row->line, column,
                "row has %zu fields, the header has %zu; quote values that "
                "contain the delimiter, and give every row one field per column",
                row->nfields, ncols);
}

/* ------------------------------------------------------------ values */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim_blanks(const char **text, size_t *len)
{
    while (*len && is_blank(**text)) {
        (*text)++;
        (*len)--;
    }
    while (*len && is_blank((*text)[*len - 1]))
        (*len)--;
}

static bool token_is(const char *text, size_t len, const char *token)
{
    return strlen(token) == len && memcmp(text, token, len) == 0;
}

/* Blanks around a token are ignored here, as they are for numbers, so
 * " NA" and "  " are missing too. */
static bool is_missing_token(const csv_reader *r, const char *text, size_t len)
{
    /* The common case, a number, decided at its first byte. */
    if (len && text[0] >= '0' && text[0] <= '9' && !r->na_tokens)
        return false;
    trim_blanks(&text, &len);
    if (len == 0 || token_is(text, len, "NA") || token_is(text, len, "."))
        return true;
    for (const char *const *t = r->na_tokens; t && *t; t++)
        if (token_is(text, len, *t))
            return true;
    return false;
}

/* ------------------------------------------------------------ setup */

static void set_delimiter(csv_reader *r, char delimiter)
{
    r->delimiter = (unsigned char)delimiter;
    memset(r->special, 0, sizeof r->special);
    r->special[(unsigned char)delimiter] = true;
    r->special['"'] = r->special['\n'] = r->special['\r'] = r->special['\0'] = true;
}

static brisk_status reader_open(csv_reader *r, brisk_io *io,
                                const brisk_read_options *opt, brisk_error *err)
{
    r->io = io;
    r->err = err;
    r->converter = (iconv_t)-1;
    r->na_tokens = opt->na_tokens;
    r->decimal = opt->decimal == ',' ? ',' : '.';
    r->skip = opt->skip;
    r->header_rows = opt->header_rows ? opt->header_rows : 1;
    r->chunk = malloc(CSV_CHUNK_BYTES);
    r->field.data = malloc(CSV_FIELD_START_BYTES);
    r->field.cap = CSV_FIELD_START_BYTES;
    if (!r->chunk || !r->field.data)
        return out_of_memory(r);
    if (opt->decimal && opt->decimal != '.' && opt->decimal != ',')
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0,
                    "the decimal mark must be '.' or ',', not '%c'", opt->decimal);
    if (opt->skip > BRISK_MAX_HEADER_ROWS || opt->header_rows > BRISK_MAX_HEADER_ROWS)
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0, "skip and header rows may be at most %d",
                    BRISK_MAX_HEADER_ROWS);
    if (!io->seek)
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0,
                    "the CSV reader needs an input it can seek in (it reads "
                    "the file twice); save the data to a file first");
    return open_converter(r, opt->encoding);
}

static void reader_close(csv_reader *r)
{
    free(r->chunk);
    free(r->field.data);
    brisk_buf_free(&r->utf8);
    if (r->converter != (iconv_t)-1)
        iconv_close(r->converter);
}

/* "Empty" includes a file of nothing but a BOM, blanks and newlines. */
static brisk_status check_not_blank(csv_reader *r)
{
    brisk_status st = rewind_input(r);
    if (st != BRISK_OK)
        return st;
    int c;
    while ((c = next_byte(r)) != EOF)
        if (!is_blank((char)c) && c != '\f' && c != '\v')
            return BRISK_OK;
    if ((st = input_ended(r)) != BRISK_OK)
        return st;
    return fail(r, BRISK_ERR_FORMAT, 1, 0,
                "empty file: no header row; the first line must name the "
                "columns and the lines below it hold the data");
}

/* The most frequent candidate; with a decimal comma never ',' (then ';'
 * when there is none). */
static char most_frequent(const size_t counts[], const char *candidates, char decimal)
{
    size_t best = 0;
    char choice = decimal == ',' ? ';' : ',';
    for (size_t i = 0; candidates[i]; i++)
        if (counts[i] > best && !(decimal == ',' && candidates[i] == ',')) {
            best = counts[i];
            choice = candidates[i];
        }
    return choice;
}

static const char delimiter_candidates[] = ",\t;|";

/* Index of c among the candidate delimiters, or -1. */
static int candidate_index(int c)
{
    const char *hit = c ? strchr(delimiter_candidates, c) : NULL;
    return hit ? (int)(hit - delimiter_candidates) : -1;
}

/* The header line is at most this long (100,000 columns of 600 bytes). */
#define MAX_HEADER_BYTES (64 << 20)

/* Count the candidates outside quotes on the first non-empty line. */
static brisk_status detect_delimiter(csv_reader *r, char *delimiter)
{
    size_t counts[sizeof delimiter_candidates] = {0};
    bool in_quotes = false, line_has_bytes = false;
    brisk_status st = rewind_input(r);
    if (st != BRISK_OK)
        return st;
    int c;
    size_t bytes = 0;
    while ((c = next_byte(r)) != EOF) {
        /* binary data, or an endless stream (/dev/zero), ends the search
         * (the reading that follows stops at the NUL byte and names its
         * line and field) */
        if (c == '\0')
            break;
        if (++bytes > MAX_HEADER_BYTES)
            return fail(r, BRISK_ERR_LIMIT, 1, 0, "the first line runs over %d MiB without a "
                        "line end: is this a delimited text file?", MAX_HEADER_BYTES >> 20);
        if (c == '"')
            in_quotes = !in_quotes;   /* "" toggles twice: still right */
        else if (!in_quotes && c == '\n' && line_has_bytes)
            break;
        else if (!in_quotes && candidate_index(c) >= 0)
            counts[candidate_index(c)]++;
        line_has_bytes |= c != '\n' && c != '\r';
    }
    *delimiter = most_frequent(counts, delimiter_candidates, r->decimal);
    return input_ended(r);
}

static brisk_status choose_delimiter(csv_reader *r, const brisk_read_options *opt)
{
    char delimiter = opt->delimiter;
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0,
                    "a quote or a line end cannot be the delimiter; give "
                    "',', ';', '|' or a tab");
    if (delimiter == ',' && r->decimal == ',')
        return fail(r, BRISK_ERR_ARGUMENT, 0, 0,
                    "',' cannot be both the delimiter and the decimal mark; files with a "
                    "decimal comma are delimited by ';' (or give another delimiter)");
    brisk_status st = BRISK_OK;
    if (delimiter == 0)
        st = detect_delimiter(r, &delimiter);
    set_delimiter(r, delimiter);
    return st;
}

/* ------------------------------------------------------------ header */

static void columns_free(csv_columns *cols)
{
    for (size_t j = 0; j < cols->count; j++) {
        free(cols->names[j]);
        if (cols->labels)
            free(cols->labels[j]);
    }
    free(cols->names);
    free(cols->labels);
    free(cols->numeric);
}

static brisk_status collect_name(csv_reader *r, void *ctx, size_t index,
                                 const char *text, size_t len)
{
    csv_columns *cols = ctx;
    if (index >= BRISK_MAX_COLUMNS)
        return fail(r, BRISK_ERR_LIMIT, r->field.line, r->column,
                    "more than %d columns in the header", BRISK_MAX_COLUMNS);
    if (!brisk_grow((void **)&cols->names, &cols->cap, index + 1, sizeof *cols->names))
        return out_of_memory(r);
    trim_blanks(&text, &len);
    if (!(cols->names[index] = brisk_strndup(text, len)))
        return out_of_memory(r);
    cols->count = index + 1;
    return BRISK_OK;
}

/* Every column is numeric until one of its values says otherwise. */
static brisk_status start_all_numeric(csv_reader *r, csv_columns *cols)
{
    cols->numeric = malloc(cols->count * sizeof *cols->numeric);
    if (!cols->numeric)
        return out_of_memory(r);
    for (size_t j = 0; j < cols->count; j++)
        cols->numeric[j] = true;
    return BRISK_OK;
}

typedef struct named_index {
    const char *name;
    size_t index;
} named_index;

static int compare_named(const void *a, const void *b)
{
    const named_index *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The repeated name whose repetition comes first: *first and *second
 * are its first two columns; *second is (size_t)-1 when names are unique.
 * Sorting keeps this n log n for headers of 100,000 names. */
static bool find_repeated_name(const csv_columns *cols, size_t *first, size_t *second)
{
    named_index *sorted = malloc(cols->count * sizeof *sorted);
    if (!sorted)
        return false;
    for (size_t j = 0; j < cols->count; j++)
        sorted[j] = (named_index){cols->names[j], j};
    qsort(sorted, cols->count, sizeof *sorted, compare_named);
    *second = (size_t)-1;
    for (size_t k = 1; k < cols->count; k++) {
        bool repeats = strcmp(sorted[k].name, sorted[k - 1].name) == 0;
        bool starts_group = k < 2 || strcmp(sorted[k - 1].name, sorted[k - 2].name) != 0;
        if (repeats && starts_group && sorted[k].index < *second) {
            *first = sorted[k - 1].index;
            *second = sorted[k].index;
        }
    }
    free(sorted);
    return true;
}

static brisk_status check_unique_names(csv_reader *r, const csv_columns *cols)
{
    size_t first = 0, second = (size_t)-1;
    if (cols->count < 2)
        return BRISK_OK;
    if (!find_repeated_name(cols, &first, &second))
        return out_of_memory(r);
    if (second == (size_t)-1)
        return BRISK_OK;
    brisk_status st = fail(r, BRISK_ERR_FORMAT, cols->header_line, (long)second + 1,
                           "columns %zu and %zu are both named '%s'; column "
                           "names must be unique, rename one of them",
                           first + 1, second + 1, cols->names[second]);
    brisk_error_variable(r->err, cols->names[second]);
    return st;
}

static brisk_status check_header(csv_reader *r, const csv_columns *cols)
{
    for (size_t j = 0; j < cols->count; j++)
        if (cols->names[j][0] == '\0')
            return fail(r, BRISK_ERR_FORMAT, cols->header_line, (long)j + 1,
                        "column %zu has an empty name in the header row; give "
                        "every column a name", j + 1);
    return check_unique_names(r, cols);
}

static brisk_status collect_label(csv_reader *r, void *ctx, size_t index,
                                  const char *text, size_t len)
{
    csv_columns *cols = ctx;
    if (index >= cols->count)
        return BRISK_OK;    /* check_row_width names the row */
    trim_blanks(&text, &len);
    if (len && !(cols->labels[index] = brisk_strndup(text, len)))
        return out_of_memory(r);
    return BRISK_OK;
}

static brisk_status skip_header(csv_reader *r, void *ctx, size_t index,
                                const char *text, size_t len);

/* The header rows after the first (header_rows >= 2): the second holds
 * the labels, the others (Qualtrics' ImportIds) are dropped. */
static brisk_status read_more_headers(csv_reader *r, field_visitor visit, void *ctx,
                                      size_t ncols, long header_line)
{
    for (unsigned k = 1; k < r->header_rows; k++) {
        csv_row row;
        brisk_status st = k == 1 ? read_nonempty_row(r, visit, ctx, &row)
                                 : read_nonempty_row(r, skip_header, NULL, &row);
        if (st != BRISK_OK)
            return st;
        if (row.nfields == 0)
            return fail(r, BRISK_ERR_FORMAT, header_line, 0,
                        "the file ends within its %u header rows (header_rows)",
                        r->header_rows);
        if ((st = check_row_width(r, &row, ncols)) != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status read_header(csv_reader *r, csv_columns *cols)
{
    csv_row row;
    brisk_status st = read_nonempty_row(r, collect_name, cols, &row);
    if (st != BRISK_OK)
        return st;
    cols->header_line = row.line;
    if (row.nfields == 0)   /* blank files were rejected before */
        return fail(r, BRISK_ERR_FORMAT, 1, 0, "empty file: no header row");
    st = check_header(r, cols);
    if (st == BRISK_OK && r->header_rows > 1) {
        if (!(cols->labels = calloc(cols->count, sizeof *cols->labels)))
            return out_of_memory(r);
        st = read_more_headers(r, collect_label, cols, cols->count, cols->header_line);
    }
    return st == BRISK_OK ? start_all_numeric(r, cols) : st;
}

/* ------------------------------------------------------------ pass 1 */

static brisk_status classify_value(csv_reader *r, void *ctx, size_t index,
                                   const char *text, size_t len)
{
    csv_columns *cols = ctx;
    double value;
    if (index < cols->count && cols->numeric[index] &&
        !is_missing_token(r, text, len) && !brisk_data_number(text, len, r->decimal, &value))
        cols->numeric[index] = false;
    return BRISK_OK;
}

static brisk_status no_data_rows(csv_reader *r, const csv_columns *cols)
{
    return fail(r, BRISK_ERR_FORMAT, cols->header_line, 0,
                "no data rows after the header; the file names its columns "
                "but holds no data (is it the right file?)");
}

/* Pass 1: the header, then every row's shape and values. */
static brisk_status scan_input(csv_reader *r, csv_columns *cols, size_t *nrows)
{
    brisk_status st = rewind_input(r);
    if (st == BRISK_OK)
        st = read_header(r, cols);
    csv_row row;
    *nrows = 0;
    while (st == BRISK_OK) {
        st = read_nonempty_row(r, classify_value, cols, &row);
        if (st != BRISK_OK || row.nfields == 0)
            break;
        if ((st = check_row_width(r, &row, cols->count)) != BRISK_OK)
            break;
        if (*nrows == BRISK_MAX_ROWS)
            return fail(r, BRISK_ERR_LIMIT, row.line, 0,
                        "more than %d data rows", BRISK_MAX_ROWS);
        ++*nrows;
    }
    if (st == BRISK_OK && *nrows == 0)
        st = no_data_rows(r, cols);
    return st;
}

/* ------------------------------------------------------------ pass 2 */

typedef struct csv_fill {
    brisk_dataset *ds;
    size_t row;
} csv_fill;

/* Pass 1 has vouched for every value, so a surprise here means the file
 * was rewritten between the passes. */
static brisk_status input_changed(csv_reader *r)
{
    return fail(r, BRISK_ERR_FORMAT, r->field.line, r->column,
                "the file changed while it was being read; read it again "
                "once nothing is writing to it");
}

static brisk_status store_value(csv_reader *r, void *ctx, size_t index,
                                const char *text, size_t len)
{
    csv_fill *fill = ctx;
    if (fill->row >= fill->ds->nrows)
        return input_changed(r);
    if (index >= fill->ds->ncols || is_missing_token(r, text, len))
        return BRISK_OK;        /* cells start as system missing */
    brisk_column *col = &fill->ds->cols[index];
    double value;
    if (col->type == BRISK_STRING)
        return brisk_column_set_string(col, fill->row, text) == BRISK_OK
                   ? BRISK_OK : out_of_memory(r);
    if (!brisk_data_number(text, len, r->decimal, &value))
        return input_changed(r);
    brisk_column_set_number(col, fill->row, value);
    return BRISK_OK;
}

static brisk_status add_columns(csv_reader *r, brisk_dataset *ds,
                                const csv_columns *cols)
{
    for (size_t j = 0; j < cols->count; j++) {
        brisk_type type = cols->numeric[j] ? BRISK_NUMERIC : BRISK_STRING;
        brisk_status st = brisk_dataset_add_column(ds, cols->names[j], type, NULL, r->err);
        if (st != BRISK_OK) {
            brisk_error_at(r->err, r->io->name, 0, 0);
            return st;
        }
        if (cols->labels && cols->labels[j]) {
            ds->cols[j].label = cols->labels[j];
            cols->labels[j] = NULL;
        }
    }
    return BRISK_OK;
}

static brisk_status skip_header(csv_reader *r, void *ctx, size_t index,
                                const char *text, size_t len)
{
    return BRISK_OK;
}

/* Pass 2: read the rows again into the dataset's columns. */
static brisk_status fill_rows(csv_reader *r, brisk_dataset *ds, size_t ncols)
{
    csv_fill fill = {ds, 0};
    csv_row row;
    brisk_status st = rewind_input(r);
    if (st == BRISK_OK)
        st = read_nonempty_row(r, skip_header, NULL, &row);
    if (st == BRISK_OK && r->header_rows > 1)
        st = read_more_headers(r, skip_header, NULL, ncols, row.line);
    while (st == BRISK_OK) {
        st = read_nonempty_row(r, store_value, &fill, &row);
        if (st != BRISK_OK || row.nfields == 0)
            break;
        st = check_row_width(r, &row, ncols);
        fill.row++;
    }
    if (st == BRISK_OK && fill.row != ds->nrows)
        st = input_changed(r);
    return st;
}

static brisk_status build_dataset(csv_reader *r, const csv_columns *cols,
                                  size_t nrows, brisk_dataset **out)
{
    brisk_dataset *ds = brisk_dataset_new(nrows);
    if (!ds)
        return out_of_memory(r);
    brisk_status st = add_columns(r, ds, cols);
    if (st == BRISK_OK)
        st = fill_rows(r, ds, cols->count);
    if (st == BRISK_OK && !(ds->source = brisk_strdup(r->io->name)))
        st = out_of_memory(r);
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        ds = NULL;
    }
    *out = ds;
    return st;
}

/* ------------------------------------------------------------ entry */

static brisk_status read_csv_text(brisk_io *io, const brisk_read_options *opt,
                                  brisk_dataset **out, brisk_error *err)
{
    csv_reader r = {0};
    csv_columns cols = {0};
    size_t nrows = 0;
    brisk_status st = reader_open(&r, io, opt, err);
    if (st != BRISK_OK)
        goto cleanup;
    if ((st = check_not_blank(&r)) != BRISK_OK ||
        (st = choose_delimiter(&r, opt)) != BRISK_OK ||
        (st = scan_input(&r, &cols, &nrows)) != BRISK_OK)
        goto cleanup;
    st = build_dataset(&r, &cols, nrows, out);
cleanup:
    columns_free(&cols);
    reader_close(&r);
    return st;
}

/* ------------------------------------------------------------ whole-file transforms */

/* Two kinds of text cannot be read field by field: UTF-16/UTF-32 (Excel's
 * "Unicode text"), whose delimiters are several bytes, and old Mac files
 * whose lines end in a lone CR.  They are converted in memory first. */

#define MAX_TRANSFORMED_BYTES ((size_t)1 << 31)

static bool is_wide_encoding(const char *e)
{
    return e && (strncasecmp(e, "UTF-16", 6) == 0 || strncasecmp(e, "UTF16", 5) == 0 ||
                 strncasecmp(e, "UTF-32", 6) == 0 || strncasecmp(e, "UTF32", 5) == 0 ||
                 strncasecmp(e, "UCS-2", 5) == 0 || strncasecmp(e, "UCS-4", 5) == 0);
}

static brisk_status slurp(brisk_io *io, char **data, size_t *size, brisk_error *err)
{
    long long n = io->size ? io->size(io->ctx) : -1;
    if (n < 0 || io->seek(io->ctx, 0) != 0)
        return brisk_error_set(err, BRISK_ERR_OPEN, "cannot read %s", io->name);
    if ((unsigned long long)n > MAX_TRANSFORMED_BYTES)
        return brisk_error_set(err, BRISK_ERR_LIMIT, "%s: a UTF-16 or CR-only file is read "
                               "into memory and may be at most 2 GiB; convert it to UTF-8 "
                               "CSV first", io->name);
    *data = malloc((size_t)n + 1);
    if (!*data)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t got = 0;
    ssize_t k;
    while (got < (size_t)n && (k = io->read(io->ctx, *data + got, (size_t)n - got)) > 0)
        got += (size_t)k;
    *size = got;
    return BRISK_OK;
}

static brisk_status decode_wide(const char *encoding, const char *in, size_t n, char **out,
                                size_t *out_size, const char *name, brisk_error *err)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "unknown encoding '%s'", encoding);
    size_t cap = n * 2 + 16, left = cap, inleft = n;
    char *buf = malloc(cap), *dst = buf, *src = (char *)in;
    brisk_status st = BRISK_OK;
    if (!buf)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    else if (iconv(cd, &src, &inleft, &dst, &left) == (size_t)-1) {
        brisk_error_at(err, name, 0, 0);
        st = brisk_error_set(err, BRISK_ERR_FORMAT,
                             "not valid %s text at byte %zu; check --encoding", encoding,
                             (size_t)(src - in));
    }
    iconv_close(cd);
    if (st != BRISK_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_size = cap - left;
    return BRISK_OK;
}

/* A lone CR ends a line in old Mac files: turn it into LF (CRLF stays). */
static void cr_to_lf(char *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\r' && (i + 1 == n || text[i + 1] != '\n'))
            text[i] = '\n';
}

/* What the first bytes say: a UTF-16/32 byte-order mark, or CR-only lines. */
static const char *sniff(brisk_io *io, bool *cr_only)
{
    unsigned char head[65536];
    ssize_t n = io->seek(io->ctx, 0) == 0 ? io->read(io->ctx, head, sizeof head) : -1;
    io->seek(io->ctx, 0);
    *cr_only = false;
    if (n >= 4 && memcmp(head, "\xFF\xFE\0\0", 4) == 0)
        return "UTF-32";
    if (n >= 4 && memcmp(head, "\0\0\xFE\xFF", 4) == 0)
        return "UTF-32";
    if (n >= 2 && (memcmp(head, "\xFF\xFE", 2) == 0 || memcmp(head, "\xFE\xFF", 2) == 0))
        return "UTF-16";
    *cr_only = n > 0 && memchr(head, '\r', (size_t)n) && !memchr(head, '\n', (size_t)n);
    return NULL;
}

static brisk_status read_transformed(brisk_io *io, const brisk_read_options *opt,
                                     const char *wide, brisk_dataset **out, brisk_error *err)
{
    char *raw = NULL, *text = NULL;
    size_t n = 0, len = 0;
    brisk_status st = slurp(io, &raw, &n, err);
    if (st == BRISK_OK && wide) {
        st = decode_wide(wide, raw, n, &text, &len, io->name, err);
    } else if (st == BRISK_OK) {
        text = raw;
        len = n;
        raw = NULL;
    }
    if (st == BRISK_OK) {
        cr_to_lf(text, len);
        brisk_io mem;
        brisk_read_options utf8 = *opt;
        utf8.encoding = NULL;
        st = brisk_io_memory(&mem, text, len, io->name);
        if (st == BRISK_OK) {
            st = read_csv_text(&mem, &utf8, out, err);
            brisk_io_close(&mem);
        } else {
            brisk_error_set(err, st, "out of memory");
        }
    }
    free(raw);
    free(text);
    return st;
}

brisk_status brisk_read_csv(brisk_io *io, const brisk_read_options *opt,
                            brisk_dataset **out, brisk_error *err)
{
    static const brisk_read_options defaults = {0};
    if (!opt)
        opt = &defaults;
    if (out)
        *out = NULL;
    if (!io || !io->read || !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_read_csv needs an input and a place for the result");
    bool cr_only = false;
    const char *wide = io->seek ? sniff(io, &cr_only) : NULL;
    if (is_wide_encoding(opt->encoding))
        wide = opt->encoding;
    if (io->seek && io->size && (wide || cr_only))
        return read_transformed(io, opt, wide, out, err);
    return read_csv_text(io, opt, out, err);
}
