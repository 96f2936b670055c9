/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — status codes and error detail.
 *
 * Every fallible call returns a brisk_status and, when it fails, fills the
 * brisk_error the caller passed in (which may be NULL when the caller does
 * not want the detail).  The library never prints and never exits. */
#ifndef BRISK_ERROR_H
#define BRISK_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_status {
    BRISK_OK = 0,
    BRISK_ERR_NOMEM,        /* out of memory */
    BRISK_ERR_ARGUMENT,     /* the caller passed something invalid */
    BRISK_ERR_OPEN,         /* a file could not be opened or read */
    BRISK_ERR_FORMAT,       /* malformed input: syntax, structure, encoding */
    BRISK_ERR_LIMIT,        /* input exceeds a documented size limit */
    BRISK_ERR_COLUMN,       /* a named column or variable does not exist */
    BRISK_ERR_VALUE,        /* a value is invalid: out of scale, wrong type */
    BRISK_ERR_DATA,         /* data unusable for the analysis: constant, empty */
    BRISK_ERR_MODEL,        /* the model cannot be estimated: not identified */
    BRISK_ERR_CONVERGENCE,  /* the estimator did not converge */
    BRISK_ERR_WRITE,        /* output could not be written */
    BRISK_STATUS_COUNT
} brisk_status;

/* Where and why a call failed.  Strings are empty and numbers 0 when not
 * known.  line and column are 1-based. */
typedef struct brisk_error {
    brisk_status status;
    char message[512];
    char file[512];
    long line;
    long column;
    char variable[256];
} brisk_error;

/* A short text for a status; BRISK_OK gives "success". */
const char *brisk_strerror(brisk_status status);

/* Clear an error record (all fields empty).  NULL is accepted. */
void brisk_error_clear(brisk_error *err);

/* Fill err (if not NULL) and return status, so a failing path can say
 *     return brisk_error_set(err, BRISK_ERR_FORMAT, "...", ...);
 * The message is printf-formatted.  Location fields are left unchanged. */
brisk_status brisk_error_set(brisk_error *err, brisk_status status,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put printf-formatted text before err's message ("--where: " + what
 * the expression parser said); returns err's status. */
brisk_status brisk_error_prefix(brisk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set the location fields; NULL or 0 leaves a field unchanged. */
void brisk_error_at(brisk_error *err, const char *file, long line, long column);
void brisk_error_variable(brisk_error *err, const char *variable);

/* Format "file:line:column: message" (omitting what is unknown) into buf;
 * returns buf. */
char *brisk_error_format(const brisk_error *err, char *buf, size_t size);

/* Levenshtein distance of two names, for "did you mean" in messages;
 * (size_t)-1 when either is longer than 64 bytes. */
size_t brisk_edit_distance(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
