/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of the CSV reader, reading from memory. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk/dataset.h"
#include "core/util.h"

#define NAME "mem.csv"
#define CHUNK ((size_t)64 * 1024)

/* ------------------------------------------------------------ helpers */

static brisk_status read_buffer(const char *data, size_t n,
                                const brisk_read_options *opt,
                                brisk_dataset **ds, brisk_error *err)
{
    brisk_io io;
    assert_int_equal(brisk_io_memory(&io, data, n, NAME), BRISK_OK);
    brisk_error_clear(err);
    brisk_status st = brisk_read_csv(&io, opt, ds, err);
    brisk_io_close(&io);
    return st;
}

/* Read a string literal (which may contain NUL bytes) that must parse. */
#define READ_OK(lit, opt) read_ok(lit, sizeof(lit) - 1, opt)
static brisk_dataset *read_ok(const char *data, size_t n, const brisk_read_options *opt)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_status st = read_buffer(data, n, opt, &ds, &err);
    if (st != BRISK_OK)
        fail_msg("unexpected failure: %s (line %ld, column %ld)", err.message,
                 err.line, err.column);
    assert_non_null(ds);
    return ds;
}

/* Read input that must fail with status at line:column, with a message
 * that contains fragment. */
#define EXPECT_ERROR(lit, opt, status, line, column, fragment) \
    check_error(lit, sizeof(lit) - 1, opt, status, line, column, fragment)
static void check_error(const char *data, size_t n, const brisk_read_options *opt,
                         brisk_status status, long line, long column,
                         const char *fragment)
{
    brisk_dataset *ds = (brisk_dataset *)&ds;   /* must be reset to NULL */
    brisk_error err;
    brisk_status st = read_buffer(data, n, opt, &ds, &err);
    assert_null(ds);
    if (st != status || !strstr(err.message, fragment))
        fail_msg("status %d, message '%s'; expected %d with '%s'", (int)st,
                 err.message, (int)status, fragment);
    assert_int_equal(err.status, status);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    if (status != BRISK_ERR_ARGUMENT)
        assert_string_equal(err.file, NAME);
}

static const brisk_column *column(const brisk_dataset *ds, const char *name,
                                  brisk_type type)
{
    const brisk_column *c = brisk_dataset_find(ds, name);
    if (!c)
        fail_msg("no column '%s'", name);
    assert_int_equal(c->type, type);
    assert_int_equal(c->measure, BRISK_MEASURE_UNKNOWN);
    return c;
}

static void check_number(const brisk_column *c, size_t row, double want)
{
    if (c->miss[row] != BRISK_MISS_NONE || c->num[row] != want)
        fail_msg("%s[%zu]: got %.17g (missing kind %d), want %.17g", c->name,
                 row, c->num[row], c->miss[row], want);
}

static void check_missing(const brisk_column *c, size_t row)
{
    assert_int_equal(c->miss[row], BRISK_MISS_SYSTEM);
    if (c->type == BRISK_NUMERIC)
        assert_true(isnan(c->num[row]));
    else
        assert_string_equal(c->str[row], "");
}

static void check_text(const brisk_column *c, size_t row, const char *want)
{
    assert_int_equal(c->miss[row], BRISK_MISS_NONE);
    assert_string_equal(c->str[row], want);
}

/* Input whose token starts at byte `at`: head, then 'x' filler, token,
 * tail.  The filler length is returned through filler. */
static char *build_at(const char *head, size_t at, const char *token,
                      const char *tail, size_t *filler, size_t *n)
{
    size_t h = strlen(head), t = strlen(token), l = strlen(tail);
    assert_true(at >= h);
    *filler = at - h;
    *n = at + t + l;
    char *s = malloc(*n + 1);
    assert_non_null(s);
    memcpy(s, head, h);
    memset(s + h, 'x', *filler);
    memcpy(s + at, token, t);
    memcpy(s + at + t, tail, l + 1);
    return s;
}

static char *repeat_x(size_t n, const char *suffix)
{
    size_t l = strlen(suffix);
    char *s = malloc(n + l + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    memcpy(s + n, suffix, l + 1);
    return s;
}

/* ------------------------------------------------------------ custom io */

/* A memory input that misbehaves on purpose: short reads, a read error
 * after some bytes, different content once read to the end. */
typedef struct test_source {
    const char *data[2];
    size_t size[2];
    size_t version;       /* which content is served */
    size_t pos;
    size_t max_read;      /* 0: no limit */
    size_t fail_at;       /* SIZE_MAX: never fail */
    int switch_after_eof; /* serve data[1] after the first end of file */
    int reached_eof;
} test_source;

static ssize_t source_read(void *ctx, void *buf, size_t n)
{
    test_source *s = ctx;
    if (s->pos >= s->fail_at)
        return -1;
    size_t left = s->size[s->version] - s->pos;
    if (s->fail_at - s->pos < left)
        left = s->fail_at - s->pos;
    if (s->max_read && n > s->max_read)
        n = s->max_read;
    if (n > left)
        n = left;
    memcpy(buf, s->data[s->version] + s->pos, n);
    s->pos += n;
    s->reached_eof |= n == 0;
    return (ssize_t)n;
}

static int source_seek(void *ctx, long long offset)
{
    test_source *s = ctx;
    if (s->switch_after_eof && s->reached_eof)
        s->version = 1;
    s->pos = (size_t)offset;
    return 0;
}

static void source_io(brisk_io *io, test_source *s)
{
    memset(io, 0, sizeof *io);
    io->read = source_read;
    io->seek = source_seek;
    io->ctx = s;
    snprintf(io->name, sizeof io->name, "%s", NAME);
}

static test_source plain_source(const char *data, size_t size)
{
    test_source s = {{data, data}, {size, size}, 0, 0, 0, SIZE_MAX, 0, 0};
    return s;
}

/* ------------------------------------------------------------ values */

static void test_numbers_and_strings(void **state)
{
    brisk_dataset *ds = READ_OK("id,score,name\n1,2.385,alpha\n2,-0.125,beta\n"
                                "3,1e-3,gamma\n", NULL);
    assert_int_equal(ds->nrows, 3);
    assert_int_equal(ds->ncols, 3);
    assert_string_equal(ds->cols[0].name, "id");
    assert_string_equal(ds->source, NAME);
    const brisk_column *score = column(ds, "score", BRISK_NUMERIC);
    check_number(score, 0, 2.385);
    check_number(score, 1, -0.125);
    check_number(score, 2, 1e-3);
    check_number(column(ds, "id", BRISK_NUMERIC), 2, 3);
    const brisk_column *name = column(ds, "name", BRISK_STRING);
    check_text(name, 0, "alpha");
    check_text(name, 2, "gamma");
    assert_null(name->label);
    assert_int_equal(name->n_labels, 0);
    brisk_dataset_free(ds);
}

static void test_quoted_fields(void **state)
{
    brisk_dataset *ds = READ_OK("name,note,v\n"
                                "\"Smith, J\",\"line1\nline2\",1.5\n"
                                "\"say \"\"hi\"\"\",\"cr\rkept\",\"-7.25\"\n"
                                "\"\",\"crlf\r\ninside\",\" 4 \"\n", NULL);
    assert_int_equal(ds->nrows, 3);
    const brisk_column *name = column(ds, "name", BRISK_STRING);
    const brisk_column *note = column(ds, "note", BRISK_STRING);
    const brisk_column *v = column(ds, "v", BRISK_NUMERIC);
    check_text(name, 0, "Smith, J");
    check_text(name, 1, "say \"hi\"");
    check_missing(name, 2);
    check_text(note, 0, "line1\nline2");
    check_text(note, 1, "cr\rkept");
    check_text(note, 2, "crlf\r\ninside");
    check_number(v, 0, 1.5);
    check_number(v, 1, -7.25);
    check_number(v, 2, 4);
    brisk_dataset_free(ds);
}

static void test_crlf_and_final_line(void **state)
{
    brisk_dataset *ds = READ_OK("a,b\r\n1,x\r\n\r\n2.5,\"y\"\r\n-3,z", NULL);
    assert_int_equal(ds->nrows, 3);
    const brisk_column *a = column(ds, "a", BRISK_NUMERIC);
    const brisk_column *b = column(ds, "b", BRISK_STRING);
    assert_string_equal(ds->cols[1].name, "b");
    check_number(a, 1, 2.5);
    check_number(a, 2, -3);
    check_text(b, 0, "x");
    check_text(b, 1, "y");
    check_text(b, 2, "z");
    brisk_dataset_free(ds);
}

static void test_bom_is_skipped(void **state)
{
    brisk_dataset *ds = READ_OK("\xEF\xBB\xBFid,v\n1,0.375\n", NULL);
    check_number(column(ds, "id", BRISK_NUMERIC), 0, 1);
    check_number(column(ds, "v", BRISK_NUMERIC), 0, 0.375);
    brisk_dataset_free(ds);
}

static void test_empty_lines_are_skipped(void **state)
{
    brisk_dataset *ds = READ_OK("\n\na,b\n\n1,2\n\r\n3,4\n\n", NULL);
    assert_int_equal(ds->nrows, 2);
    check_number(column(ds, "b", BRISK_NUMERIC), 1, 4);
    brisk_dataset_free(ds);
    /* A quoted empty field is a value, not an empty line. */
    ds = READ_OK("x\n1.25\n\"\"\n3\n", NULL);
    assert_int_equal(ds->nrows, 3);
    const brisk_column *x = column(ds, "x", BRISK_NUMERIC);
    check_number(x, 0, 1.25);
    check_missing(x, 1);
    check_number(x, 2, 3);
    brisk_dataset_free(ds);
}

static void test_detects_tab(void **state)
{
    brisk_dataset *ds = READ_OK("a\tb\n1,5\t2.125\n", NULL);
    assert_int_equal(ds->ncols, 2);
    check_text(column(ds, "a", BRISK_STRING), 0, "1,5");
    check_number(column(ds, "b", BRISK_NUMERIC), 0, 2.125);
    brisk_dataset_free(ds);
}

static void test_detects_semicolon_and_pipe(void **state)
{
    brisk_dataset *ds = READ_OK("a;b;c\n1,5;-0.5;x\n", NULL);
    assert_int_equal(ds->ncols, 3);
    check_text(column(ds, "a", BRISK_STRING), 0, "1,5");
    check_number(column(ds, "b", BRISK_NUMERIC), 0, -0.5);
    brisk_dataset_free(ds);
    ds = READ_OK("p|q\n7|8.5\n", NULL);
    check_number(column(ds, "q", BRISK_NUMERIC), 0, 8.5);
    brisk_dataset_free(ds);
}

static void test_detection_ignores_quoted_delimiters(void **state)
{
    brisk_dataset *ds = READ_OK("\"x;y;z\",c\n1,2\n", NULL);
    assert_int_equal(ds->ncols, 2);
    assert_string_equal(ds->cols[0].name, "x;y;z");
    check_number(column(ds, "c", BRISK_NUMERIC), 0, 2);
    brisk_dataset_free(ds);
    ds = READ_OK("single\n42\n", NULL);
    assert_int_equal(ds->ncols, 1);
    check_number(column(ds, "single", BRISK_NUMERIC), 0, 42);
    brisk_dataset_free(ds);
}

static void test_explicit_delimiter(void **state)
{
    brisk_read_options opt = {.delimiter = ';'};
    brisk_dataset *ds = READ_OK("a,b;c\n1,2;3.75\n", &opt);
    assert_int_equal(ds->ncols, 2);
    check_text(column(ds, "a,b", BRISK_STRING), 0, "1,2");
    check_number(column(ds, "c", BRISK_NUMERIC), 0, 3.75);
    brisk_dataset_free(ds);
}

static void test_missing_tokens(void **state)
{
    static const char *const na[] = {"-99", "refused", NULL};
    brisk_read_options opt = {.na_tokens = na};
    brisk_dataset *ds = READ_OK("a,b,c\n1.5,NA,x\n.,2,NA\n,-99,\n 3 , ,refused\n",
                                &opt);
    assert_int_equal(ds->nrows, 4);
    const brisk_column *a = column(ds, "a", BRISK_NUMERIC);
    const brisk_column *b = column(ds, "b", BRISK_NUMERIC);
    const brisk_column *c = column(ds, "c", BRISK_STRING);
    check_number(a, 0, 1.5);
    check_missing(a, 1);
    check_missing(a, 2);
    check_number(a, 3, 3);
    check_missing(b, 0);
    check_number(b, 1, 2);
    check_missing(b, 2);
    check_missing(b, 3);
    check_text(c, 0, "x");
    for (size_t i = 1; i < 4; i++)
        check_missing(c, i);
    size_t counts[3];
    brisk_column_count_missing(b, ds->nrows, counts);
    assert_int_equal(counts[0], 3);
    brisk_dataset_free(ds);
    /* Without the extra tokens, -99 is a value. */
    ds = READ_OK("b\n-99\n", NULL);
    check_number(column(ds, "b", BRISK_NUMERIC), 0, -99);
    brisk_dataset_free(ds);
}

static void test_all_missing_column_is_numeric(void **state)
{
    brisk_dataset *ds = READ_OK("a,b\n1,\n2,NA\n3,.\n", NULL);
    const brisk_column *b = column(ds, "b", BRISK_NUMERIC);
    for (size_t i = 0; i < 3; i++)
        check_missing(b, i);
    brisk_dataset_free(ds);
}

static void test_numeric_or_string(void **state)
{
    brisk_dataset *ds = READ_OK("code,v,s\n007,\" 2.5 \", abc \nabc, -1e2 ,x\n", NULL);
    const brisk_column *code = column(ds, "code", BRISK_STRING);
    check_text(code, 0, "007");
    check_text(code, 1, "abc");
    const brisk_column *v = column(ds, "v", BRISK_NUMERIC);
    check_number(v, 0, 2.5);
    check_number(v, 1, -100);
    check_text(column(ds, "s", BRISK_STRING), 0, " abc ");
    brisk_dataset_free(ds);
    /* One non-number anywhere makes the column a string column. */
    ds = READ_OK("n\n1\n2\n3x\n", NULL);
    const brisk_column *n = column(ds, "n", BRISK_STRING);
    check_text(n, 0, "1");
    check_text(n, 2, "3x");
    brisk_dataset_free(ds);
}

static void test_header_names_are_trimmed(void **state)
{
    brisk_dataset *ds = READ_OK("  id ,\" score\t\"\n1,0.625\n", NULL);
    assert_string_equal(ds->cols[0].name, "id");
    assert_string_equal(ds->cols[1].name, "score");
    check_number(column(ds, "score", BRISK_NUMERIC), 0, 0.625);
    brisk_dataset_free(ds);
}

static void test_latin1_and_gb18030(void **state)
{
    brisk_read_options opt = {.encoding = "latin1"};
    brisk_dataset *ds = READ_OK("name,v\ncaf\xe9,1.125\nna\xefve,2\n", &opt);
    check_text(column(ds, "name", BRISK_STRING), 0, "caf\xc3\xa9");
    check_text(column(ds, "name", BRISK_STRING), 1, "na\xc3\xafve");
    check_number(column(ds, "v", BRISK_NUMERIC), 0, 1.125);
    brisk_dataset_free(ds);
    opt.encoding = "GB18030";
    ds = READ_OK("\xd0\xd5\xc3\xfb,v\n\xd6\xd0\xce\xc4,3\n", &opt);
    const brisk_column *c = column(ds, "\xe5\xa7\x93\xe5\x90\x8d", BRISK_STRING);
    check_text(c, 0, "\xe4\xb8\xad\xe6\x96\x87");
    brisk_dataset_free(ds);
    opt.encoding = "utf-8";
    ds = READ_OK("s\ncaf\xc3\xa9\n", &opt);
    check_text(column(ds, "s", BRISK_STRING), 0, "caf\xc3\xa9");
    brisk_dataset_free(ds);
}

/* ------------------------------------------------------------ errors */

static void test_empty_file(void **state)
{
    EXPECT_ERROR("", NULL, BRISK_ERR_FORMAT, 1, 0, "empty file: no header row");
    EXPECT_ERROR("\xEF\xBB\xBF", NULL, BRISK_ERR_FORMAT, 1, 0, "empty file");
    EXPECT_ERROR(" \r\n\n\t \n", NULL, BRISK_ERR_FORMAT, 1, 0, "empty file");
}

static void test_header_without_data(void **state)
{
    EXPECT_ERROR("a,b\n", NULL, BRISK_ERR_FORMAT, 1, 0,
                 "no data rows after the header");
    EXPECT_ERROR("\na,b\r\n\r\n\n", NULL, BRISK_ERR_FORMAT, 2, 0, "no data rows");
    EXPECT_ERROR("a,b", NULL, BRISK_ERR_FORMAT, 1, 0, "no data rows");
}

static void test_ragged_rows(void **state)
{
    EXPECT_ERROR("a,b\n1,2\n3,4,5\n", NULL, BRISK_ERR_FORMAT, 3, 3,
                 "row has 3 fields, the header has 2");
    EXPECT_ERROR("a,b,c\n1,2,3\n4,5\n", NULL, BRISK_ERR_FORMAT, 3, 2,
                 "row has 2 fields, the header has 3");
    /* Lines are physical: the quoted newline counts. */
    EXPECT_ERROR("a,b\n\"x\ny\",1\n1,2,3\n", NULL, BRISK_ERR_FORMAT, 4, 3,
                 "row has 3 fields");
    /* A line of blanks is a row of one field. */
    EXPECT_ERROR("a,b\n1,2\n  \n", NULL, BRISK_ERR_FORMAT, 3, 1,
                 "row has 1 fields, the header has 2");
}

static void test_unterminated_quote(void **state)
{
    EXPECT_ERROR("a,b\n1,2\n3,\"abc\n\ndef\n", NULL, BRISK_ERR_FORMAT, 3, 2,
                 "never closed");
}

static void test_stray_quotes(void **state)
{
    EXPECT_ERROR("a,b\n1,ab\"c\n", NULL, BRISK_ERR_FORMAT, 2, 2,
                 "quote (\") inside an unquoted field");
    EXPECT_ERROR("a,b\n1,2\n\"ab\"c,3\n", NULL, BRISK_ERR_FORMAT, 3, 1,
                 "unexpected 'c' after a closing quote");
    EXPECT_ERROR("a,b\n1,\"ab\" \n", NULL, BRISK_ERR_FORMAT, 2, 2,
                 "after a closing quote");
}

static void test_nul_byte(void **state)
{
    EXPECT_ERROR("a,b\n1,2\n3,x\0y\n", NULL, BRISK_ERR_FORMAT, 3, 2,
                 "binary data (NUL byte): this is not a text file");
    EXPECT_ERROR("a,b\n1,\"q\0\"\n", NULL, BRISK_ERR_FORMAT, 2, 2, "NUL byte");
}

static void test_invalid_utf8(void **state)
{
    EXPECT_ERROR("a,b\n1,caf\xe9\n", NULL, BRISK_ERR_FORMAT, 2, 2,
                 "invalid UTF-8");
    EXPECT_ERROR("a,b\n1,caf\xe9\n", NULL, BRISK_ERR_FORMAT, 2, 2,
                 "give --encoding (e.g. GB18030, latin1)");
    /* Inside a multi-line field the error names the line of the byte. */
    EXPECT_ERROR("a,b\n1,\"ok\nbad\xff\"\n", NULL, BRISK_ERR_FORMAT, 3, 2,
                 "invalid UTF-8");
    EXPECT_ERROR("a,b\xc3\n1,2\n", NULL, BRISK_ERR_FORMAT, 1, 2, "invalid UTF-8");
}

static void test_encoding_errors(void **state)
{
    brisk_read_options opt = {.encoding = "NO-SUCH-ENCODING"};
    EXPECT_ERROR("a\n1\n", &opt, BRISK_ERR_ARGUMENT, 0, 0,
                 "unknown encoding 'NO-SUCH-ENCODING'");
    opt.encoding = "ASCII";
    EXPECT_ERROR("a,b\n1,2\n3,caf\xe9\n", &opt, BRISK_ERR_FORMAT, 3, 2,
                 "not valid ASCII");
    opt.encoding = "GB18030";
    EXPECT_ERROR("a,b\n1,\xd6\n", &opt, BRISK_ERR_FORMAT, 2, 2, "check --encoding");
}

static void test_duplicate_header(void **state)
{
    EXPECT_ERROR("x,y,x\n1,2,3\n", NULL, BRISK_ERR_FORMAT, 1, 3,
                 "columns 1 and 3 are both named 'x'");
    EXPECT_ERROR("b,a, a ,b\n1,2,3,4\n", NULL, BRISK_ERR_FORMAT, 1, 3,
                 "columns 2 and 3 are both named 'a'");
}

static void test_empty_header_name(void **state)
{
    EXPECT_ERROR("a,,c\n1,2,3\n", NULL, BRISK_ERR_FORMAT, 1, 2,
                 "column 2 has an empty name");
    EXPECT_ERROR("\na,b,  \n1,2,3\n", NULL, BRISK_ERR_FORMAT, 2, 3,
                 "column 3 has an empty name");
}

static void test_field_length_limit(void **state)
{
    /* Exactly at the limit is fine. */
    char *ok = repeat_x(BRISK_MAX_FIELD_BYTES, "");
    size_t head = strlen("s\n");
    char *text = malloc(head + BRISK_MAX_FIELD_BYTES + 3);
    assert_non_null(text);
    memcpy(text, "s\n", head);
    memcpy(text + head, ok, BRISK_MAX_FIELD_BYTES);
    memcpy(text + head + BRISK_MAX_FIELD_BYTES, "\n", 2);
    brisk_dataset *ds = read_ok(text, strlen(text), NULL);
    assert_int_equal(strlen(ds->cols[0].str[0]), BRISK_MAX_FIELD_BYTES);
    brisk_dataset_free(ds);
    /* One byte more is not. */
    memcpy(text + head + BRISK_MAX_FIELD_BYTES, "x\n", 3);
    check_error(text, strlen(text), NULL, BRISK_ERR_LIMIT, 2, 1,
                 "longer than 1048576 bytes");
    /* Nor in quotes (an unclosed quote typically). */
    text[head] = '"';
    check_error(text, strlen(text), NULL, BRISK_ERR_LIMIT, 2, 1, "longer than");
    free(text);
    free(ok);
}

static void test_column_limit(void **state)
{
    brisk_buf b = {0};
    for (size_t j = 0; j <= BRISK_MAX_COLUMNS; j++)
        assert_true(brisk_buf_printf(&b, "%sc%zu", j ? "," : "", j));
    assert_true(brisk_buf_puts(&b, "\n1\n"));
    check_error(b.data, b.len, NULL, BRISK_ERR_LIMIT, 1, BRISK_MAX_COLUMNS + 1,
                 "more than 100000 columns");
    brisk_buf_free(&b);
}

static void test_read_failure(void **state)
{
    static const char text[] = "a,b\n1,2\n3,4\n";
    test_source s = plain_source(text, sizeof text - 1);
    s.fail_at = 8;
    brisk_io io;
    source_io(&io, &s);
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_read_csv(&io, NULL, &ds, &err), BRISK_ERR_OPEN);
    assert_null(ds);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 0);
    assert_non_null(strstr(err.message, "read error after 8 bytes"));
}

static void test_file_changed_between_passes(void **state)
{
    static const char first[] = "a\n1\n2\n", second[] = "a\n1\n2\n3\n";
    test_source s = {{first, second}, {sizeof first - 1, sizeof second - 1},
                     0, 0, 0, SIZE_MAX, 1, 0};
    brisk_io io;
    source_io(&io, &s);
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_csv(&io, NULL, &ds, &err), BRISK_ERR_FORMAT);
    assert_null(ds);
    assert_non_null(strstr(err.message, "changed while it was being read"));
    assert_int_equal(err.line, 4);
}

static void test_bad_arguments(void **state)
{
    static const char text[] = "a\n1\n";
    test_source s = plain_source(text, sizeof text - 1);
    brisk_io io;
    source_io(&io, &s);
    io.seek = NULL;
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_read_csv(&io, NULL, &ds, &err), BRISK_ERR_ARGUMENT);
    assert_null(ds);
    assert_non_null(strstr(err.message, "seek"));
    brisk_read_options opt = {.delimiter = '"'};
    EXPECT_ERROR("a\n1\n", &opt, BRISK_ERR_ARGUMENT, 0, 0, "cannot be the delimiter");
    assert_int_equal(brisk_read_csv(NULL, NULL, &ds, NULL), BRISK_ERR_ARGUMENT);
    /* The error record is optional. */
    brisk_io mem;
    assert_int_equal(brisk_io_memory(&mem, "a,b\n1\n", 6, NULL), BRISK_OK);
    assert_int_equal(brisk_read_csv(&mem, NULL, &ds, NULL), BRISK_ERR_FORMAT);
    assert_null(ds);
    brisk_io_close(&mem);
}

/* ------------------------------------------------------------ buffering */

/* The same tricky input read one, two and three bytes per read call. */
static void test_short_reads(void **state)
{
    static const char text[] = "\xEF\xBB\xBFid;\"n\"\"ote\"\r\n"
                               "1;\"a;b\r\nc\"\r\n\r\n2.385;caf\xc3\xa9\r\n";
    for (size_t step = 1; step <= 3; step++) {
        test_source s = plain_source(text, sizeof text - 1);
        s.max_read = step;
        brisk_io io;
        source_io(&io, &s);
        brisk_dataset *ds = NULL;
        brisk_error err;
        assert_int_equal(brisk_read_csv(&io, NULL, &ds, &err), BRISK_OK);
        assert_int_equal(ds->nrows, 2);
        check_number(column(ds, "id", BRISK_NUMERIC), 1, 2.385);
        const brisk_column *note = column(ds, "n\"ote", BRISK_STRING);
        check_text(note, 0, "a;b\r\nc");
        check_text(note, 1, "caf\xc3\xa9");
        brisk_dataset_free(ds);
    }
}

/* A doubled quote whose two halves may fall in different chunks. */
static void test_doubled_quote_across_chunks(void **state)
{
    for (size_t at = CHUNK - 3; at <= CHUNK + 2; at++) {
        size_t filler, n;
        char *text = build_at("s,n\n\"", at, "\"\"", "yz\",2.385\n", &filler, &n);
        char *want = repeat_x(filler, "\"yz");
        brisk_dataset *ds = read_ok(text, n, NULL);
        check_text(column(ds, "s", BRISK_STRING), 0, want);
        check_number(column(ds, "n", BRISK_NUMERIC), 0, 2.385);
        brisk_dataset_free(ds);
        free(want);
        free(text);
    }
}

static void test_crlf_across_chunks(void **state)
{
    for (size_t at = CHUNK - 3; at <= CHUNK + 2; at++) {
        size_t filler, n;
        char *text = build_at("n,s\r\n-0.125,", at, "\r\n", "1e-3,q\r\n", &filler, &n);
        char *want = repeat_x(filler, "");
        brisk_dataset *ds = read_ok(text, n, NULL);
        assert_int_equal(ds->nrows, 2);
        const brisk_column *s = column(ds, "s", BRISK_STRING);
        check_text(s, 0, want);
        check_text(s, 1, "q");
        check_number(column(ds, "n", BRISK_NUMERIC), 1, 1e-3);
        brisk_dataset_free(ds);
        free(want);
        free(text);
    }
}

static void test_closing_quote_across_chunks(void **state)
{
    for (size_t at = CHUNK - 3; at <= CHUNK + 2; at++) {
        size_t filler, n;
        char *text = build_at("s,n\n\"", at, "\",", "-0.125\n", &filler, &n);
        char *want = repeat_x(filler, "");
        brisk_dataset *ds = read_ok(text, n, NULL);
        check_text(column(ds, "s", BRISK_STRING), 0, want);
        check_number(column(ds, "n", BRISK_NUMERIC), 0, -0.125);
        brisk_dataset_free(ds);
        free(want);
        free(text);
    }
}

static void test_utf8_across_chunks(void **state)
{
    for (size_t at = CHUNK - 3; at <= CHUNK + 2; at++) {
        size_t filler, n;
        char *text = build_at("s,n\n", at, "\xe4\xb8\xad", ",7\n", &filler, &n);
        char *want = repeat_x(filler, "\xe4\xb8\xad");
        brisk_dataset *ds = read_ok(text, n, NULL);
        check_text(column(ds, "s", BRISK_STRING), 0, want);
        brisk_dataset_free(ds);
        free(want);
        free(text);
    }
}

/* An error past the first chunk still names the right line. */
static void test_error_after_first_chunk(void **state)
{
    size_t filler, n;
    char *text = build_at("a,b\n1,", CHUNK - 1, "\n2,x\"y\n", "", &filler, &n);
    check_error(text, n, NULL, BRISK_ERR_FORMAT, 3, 2, "inside an unquoted field");
    free(text);
}

static void test_many_rows(void **state)
{
    const size_t rows = 100000;
    brisk_buf b = {0};
    assert_true(brisk_buf_puts(&b, "a,b,c\n"));
    for (size_t i = 0; i < rows; i++)
        assert_true(brisk_buf_printf(&b, "%zu,%zu.25,r%zu\n", i, i, i));
    brisk_dataset *ds = read_ok(b.data, b.len, NULL);
    assert_int_equal(ds->nrows, rows);
    const brisk_column *a = column(ds, "a", BRISK_NUMERIC);
    const brisk_column *bcol = column(ds, "b", BRISK_NUMERIC);
    double sum_a = 0, sum_b = 0;
    for (size_t i = 0; i < rows; i++) {
        sum_a += a->num[i];
        sum_b += bcol->num[i];
    }
    assert_true(sum_a == 4999950000.0);
    assert_true(sum_b == 4999950000.0 + 25000.0);
    const brisk_column *c = column(ds, "c", BRISK_STRING);
    check_text(c, 0, "r0");
    check_text(c, 54321, "r54321");
    check_text(c, rows - 1, "r99999");
    brisk_dataset_free(ds);
    brisk_buf_free(&b);
}

/* Excel's "Unicode text": UTF-16 with a byte-order mark, read without
 * being told, and old Mac files whose lines end in a lone CR. */
static void test_utf16_and_cr_only(void **state)
{
    (void)state;
    static const char utf16[] = "\xFF\xFE" "q\0,\0c\0\n\0" "3\0,\0\xE9\0\n\0";
    brisk_dataset *ds = read_ok(utf16, sizeof utf16 - 1, NULL);
    assert_int_equal(ds->nrows, 1);
    assert_true(ds->cols[0].num[0] == 3);
    assert_string_equal(ds->cols[1].str[0], "\xC3\xA9"); /* é */
    brisk_dataset_free(ds);

    ds = READ_OK("a,b\r2.385,x\r-0.125,\"y\"\r", NULL);
    assert_int_equal(ds->nrows, 2);
    assert_true(ds->cols[0].num[1] == -0.125);
    assert_string_equal(ds->cols[1].str[1], "y");
    brisk_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_strings),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_crlf_and_final_line),
        cmocka_unit_test(test_bom_is_skipped),
        cmocka_unit_test(test_empty_lines_are_skipped),
        cmocka_unit_test(test_detects_tab),
        cmocka_unit_test(test_detects_semicolon_and_pipe),
        cmocka_unit_test(test_detection_ignores_quoted_delimiters),
        cmocka_unit_test(test_explicit_delimiter),
        cmocka_unit_test(test_missing_tokens),
        cmocka_unit_test(test_all_missing_column_is_numeric),
        cmocka_unit_test(test_numeric_or_string),
        cmocka_unit_test(test_header_names_are_trimmed),
        cmocka_unit_test(test_latin1_and_gb18030),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_header_without_data),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stray_quotes),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_encoding_errors),
        cmocka_unit_test(test_duplicate_header),
        cmocka_unit_test(test_empty_header_name),
        cmocka_unit_test(test_field_length_limit),
        cmocka_unit_test(test_column_limit),
        cmocka_unit_test(test_read_failure),
        cmocka_unit_test(test_file_changed_between_passes),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_short_reads),
        cmocka_unit_test(test_doubled_quote_across_chunks),
        cmocka_unit_test(test_crlf_across_chunks),
        cmocka_unit_test(test_closing_quote_across_chunks),
        cmocka_unit_test(test_utf8_across_chunks),
        cmocka_unit_test(test_error_after_first_chunk),
        cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_utf16_and_cr_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
