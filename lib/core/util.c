/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal helpers: strings, growth, numbers, UTF-8. */
#include <config.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "brisk/error.h"
#include "util.h"

char *brisk_strdup(const char *s)
{
    return s ? brisk_strndup(s, strlen(s)) : NULL;
}

char *brisk_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

bool brisk_grow(void **array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return false;
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem)
        return false;
    void *p = realloc(*array, n * elem);
    if (!p)
        return false;
    *array = p;
    *cap = n;
    return true;
}

bool brisk_buf_append(brisk_buf *b, const char *s, size_t n)
{
    if (!brisk_grow((void **)&b->data, &b->cap, b->len + n + 1, 1))
        return false;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool brisk_buf_puts(brisk_buf *b, const char *s)
{
    return brisk_buf_append(b, s, strlen(s));
}

bool brisk_buf_printf(brisk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !brisk_grow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

void brisk_buf_reset(brisk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void brisk_buf_free(brisk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The grammar is checked here; the conversion itself is done by strtod on a
 * copy whose '.' has been replaced by the locale's decimal point, so that
 * the result is correctly rounded in every locale. */
/* Digits of a decimal number: the mantissa of its first 19 significant
 * digits, how many significant digits there are, and the power of ten. */
typedef struct decimal {
    uint64_t mantissa;
    int significant;
    long exponent;
} decimal;

static void add_digit(decimal *d, char c, bool after_point)
{
    if (d->significant == 0 && c == '0') {
        d->exponent -= after_point;      /* a leading zero only moves the point */
        return;
    }
    if (d->significant < 19) {
        d->mantissa = d->mantissa * 10 + (uint64_t)(c - '0');
        d->exponent -= after_point;
    } else {
        d->exponent += !after_point;     /* digits beyond 19 are only counted */
    }
    d->significant++;
}

/* Clinger's fast path: a mantissa below 2^53 times an exact power of ten
 * is rounded correctly by one IEEE operation. */
static bool exact_decimal(const decimal *d, bool negative, double *out)
{
    static const double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                    1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                    1e20, 1e21, 1e22};
    if (d->significant > 15 || d->exponent < -22 || d->exponent > 22)
        return false;
    double m = (double)d->mantissa;
    double v = d->exponent >= 0 ? m * powers[d->exponent] : m / powers[-d->exponent];
    *out = negative ? -v : v;
    return true;
}

/* The grammar is checked here; most values are converted exactly by the
 * fast path, the rest by strtod on a copy whose '.' has been replaced by
 * the locale's decimal point, so that every result is correctly rounded in
 * every locale. */
bool brisk_parse_number(const char *s, size_t n, double *out)
{
    while (n && is_blank(*s)) {
        s++;
        n--;
    }
    while (n && is_blank(s[n - 1]))
        n--;
    if (n == 0 || n > 400)
        return false;
    decimal d = {0, 0, 0};
    size_t i = 0, digits = 0;
    bool negative = s[0] == '-';
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        add_digit(&d, s[i], false);
    size_t dot = (size_t)-1;
    if (i < n && s[i] == '.') {
        dot = i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            add_digit(&d, s[i], true);
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool exp_negative = i < n && s[i] == '-';
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        long e = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, exp_digits++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        if (exp_digits == 0)
            return false;
        d.exponent += exp_negative ? -e : e;
    }
    if (i != n)
        return false;
    if (d.significant == 0) {
        *out = negative ? -0.0 : 0.0;
        return true;
    }
    if (exact_decimal(&d, negative, out))
        return true;
    char copy[408];
    memcpy(copy, s, n);
    copy[n] = '\0';
    if (dot != (size_t)-1) {
        const char *point = localeconv()->decimal_point;
        copy[dot] = point && point[0] ? point[0] : '.';
    }
    char *end;
    double v = strtod(copy, &end);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

char *brisk_format_double(double x, char *buf)
{
    if (isnan(x)) {
        strcpy(buf, "nan");
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "inf" : "-inf");
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, x);
        /* Replace a locale decimal comma so the text is portable. */
        for (char *p = buf; *p; p++)
            if (*p == ',')
                *p = '.';
        double back;
        if (brisk_parse_number(buf, strlen(buf), &back) && back == x)
            break;
    }
    return buf;
}

size_t brisk_utf8_invalid_at(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned int cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates, beyond U+10FFFF. */
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return (size_t)-1;
}

static bool is_wide(unsigned int cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t brisk_utf8_width(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t width = 0;
    while (*s) {
        unsigned int cp = *s;
        size_t len = 1;
        if (cp >= 0xF0) {
            cp &= 0x07;
            len = 4;
        } else if (cp >= 0xE0) {
            cp &= 0x0F;
            len = 3;
        } else if (cp >= 0xC0) {
            cp &= 0x1F;
            len = 2;
        }
        for (size_t k = 1; k < len && s[k]; k++)
            cp = (cp << 6) | (s[k] & 0x3F);
        width += is_wide(cp) ? 2 : 1;
        for (size_t k = 0; k < len && *s; k++)
            s++;
    }
    return width;
}

bool brisk_ends_with_ci(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n >= m && strcasecmp(name + n - m, suffix) == 0;
}

void brisk_write_field(FILE *f, const char *s, char delimiter)
{
    const char specials[] = {delimiter, '"', '\r', '\n', '\0'};
    if (!strpbrk(s, specials) && s[0] != ' ' && s[0] != '#') {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

double brisk_monotonic_seconds(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return 0;
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

uint64_t brisk_hash_text(uint64_t h, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    return (h ^ 0xff) * UINT64_C(1099511628211);   /* ends the text: "ab"+"c" differs from "a"+"bc" */
}

static void table_place(size_t *slot, uint64_t *hash, size_t cap, uint64_t h, size_t stored)
{
    size_t at = (size_t)h & (cap - 1);
    while (slot[at])
        at = (at + 1) & (cap - 1);
    slot[at] = stored;
    hash[at] = h;
}

bool brisk_lookup_add(brisk_lookup *t, uint64_t h, size_t value)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        size_t *slot = cap > SIZE_MAX / sizeof *slot ? NULL : calloc(cap, sizeof *slot);
        uint64_t *hash = slot ? malloc(cap * sizeof *hash) : NULL;
        if (!hash) {
            free(slot);
            return false;
        }
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i])
                table_place(slot, hash, cap, t->hash[i], t->slot[i]);
        free(t->slot);
        free(t->hash);
        t->slot = slot;
        t->hash = hash;
        t->cap = cap;
    }
    table_place(t->slot, t->hash, t->cap, h, value + 1);
    t->n++;
    return true;
}

size_t brisk_lookup_next(const brisk_lookup *t, uint64_t h, size_t *at)
{
    if (!t->cap)
        return BRISK_LOOKUP_NONE;
    size_t mask = t->cap - 1;
    for (size_t i = *at == BRISK_LOOKUP_NONE ? (size_t)h & mask : (*at + 1) & mask; t->slot[i];
         i = (i + 1) & mask)
        if (t->hash[i] == h) {
            *at = i;
            return t->slot[i] - 1;
        }
    return BRISK_LOOKUP_NONE;
}

void brisk_lookup_free(brisk_lookup *t)
{
    free(t->slot);
    free(t->hash);
    *t = (brisk_lookup){0};
}

bool brisk_lookup_add_name(brisk_lookup *t, const char *name, size_t value)
{
    return brisk_lookup_add(t, brisk_hash_text(BRISK_HASH_START, name), value);
}

size_t brisk_lookup_find_name(const brisk_lookup *t, const char *name,
                              const char *(*key)(size_t value, const void *ctx), const void *ctx)
{
    uint64_t h = brisk_hash_text(BRISK_HASH_START, name);
    size_t at = BRISK_LOOKUP_NONE;
    for (size_t v; (v = brisk_lookup_next(t, h, &at)) != BRISK_LOOKUP_NONE;) {
        const char *k = key(v, ctx);
        if (k && strcmp(k, name) == 0)
            return v;
    }
    return BRISK_LOOKUP_NONE;
}

size_t brisk_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (m + 1) * sizeof *prev);
    }
    return prev[m];
}
