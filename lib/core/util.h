/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal helpers shared by the library's modules (not installed). */
#ifndef BRISK_UTIL_H
#define BRISK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* strdup that accepts NULL (returning NULL). */
char *brisk_strdup(const char *s);
char *brisk_strndup(const char *s, size_t n);

/* Grow *array to hold at least need elements of size elem; doubles the
 * capacity.  Returns false (leaving the array intact) on overflow or when
 * memory is exhausted. */
bool brisk_grow(void **array, size_t *cap, size_t need, size_t elem);

/* A growable byte string, always NUL-terminated once anything is added. */
typedef struct brisk_buf {
    char *data;
    size_t len;
    size_t cap;
} brisk_buf;

bool brisk_buf_append(brisk_buf *b, const char *s, size_t n);
bool brisk_buf_puts(brisk_buf *b, const char *s);
bool brisk_buf_printf(brisk_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void brisk_buf_reset(brisk_buf *b);
void brisk_buf_free(brisk_buf *b);

/* Parse a whole token as a decimal number, independent of the locale:
 * optional sign, digits with an optional '.', optional exponent.  Leading
 * and trailing blanks are allowed.  Returns false when the token is not a
 * number. */
bool brisk_parse_number(const char *s, size_t n, double *out);

/* Shortest "%.*g" text that reads back as the same double, using '.' as
 * the decimal point whatever the locale.  buf needs 32 bytes. */
char *brisk_format_double(double x, char *buf);

/* Validate UTF-8; returns the byte offset of the first invalid sequence, or
 * (size_t)-1 when the text is valid. */
size_t brisk_utf8_invalid_at(const char *s, size_t n);

/* Number of displayed characters (code points) of UTF-8 text, counting East
 * Asian wide characters as two columns. */
size_t brisk_utf8_width(const char *s);

/* Write one field of delimited text, in double quotes (with inner quotes
 * doubled) when it holds the delimiter, a quote or a line break, or starts
 * with a blank or '#' (which some readers would drop). */
void brisk_write_field(FILE *f, const char *s, char delimiter);

/* Seconds on a monotonic clock (for time limits; only differences mean
 * anything). */
double brisk_monotonic_seconds(void);

/* FNV-1a hash of text, continuing from h (start from BRISK_HASH_START):
 * hash several strings into one key by chaining the calls. */
#define BRISK_HASH_START UINT64_C(14695981039346656037)
uint64_t brisk_hash_text(uint64_t h, const char *s);

/* An open-addressing hash table of numbers (rows, columns, variables)
 * whose keys live in the caller's own arrays: each slot keeps a number and
 * its key's hash, and the caller compares the keys of the candidates, so a
 * lookup by name takes constant time.  Kept at most half full. */
typedef struct brisk_lookup {
    size_t *slot;      /* number + 1; 0 is an empty slot */
    uint64_t *hash;
    size_t cap, n;
} brisk_lookup;

#define BRISK_LOOKUP_NONE ((size_t)-1)

/* Add value under hash h (a key added twice is found twice, in no set
 * order: keep keys unique, or compare the values found).  False when memory is exhausted, the
 * table unchanged. */
bool brisk_lookup_add(brisk_lookup *t, uint64_t h, size_t value);

/* The next value stored under hash h, or BRISK_LOOKUP_NONE: start with
 * *at = BRISK_LOOKUP_NONE and call until NONE, comparing each candidate's
 * key (different keys may share a hash). */
size_t brisk_lookup_next(const brisk_lookup *t, uint64_t h, size_t *at);

void brisk_lookup_free(brisk_lookup *t);

/* Keys that are names: add value under its name's hash, and find the value
 * whose key (key(value, ctx), NULL for none) is name, or BRISK_LOOKUP_NONE. */
bool brisk_lookup_add_name(brisk_lookup *t, const char *name, size_t value);
size_t brisk_lookup_find_name(const brisk_lookup *t, const char *name,
                              const char *(*key)(size_t value, const void *ctx), const void *ctx);

/* Case-insensitive ASCII comparison of the end of name with suffix. */
bool brisk_ends_with_ci(const char *name, const char *suffix);

#endif
