/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Status texts and the error record. */
#include <config.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "brisk/error.h"

static const char *const status_text[BRISK_STATUS_COUNT] = {
    [BRISK_OK] = "success",
    [BRISK_ERR_NOMEM] = "out of memory",
    [BRISK_ERR_ARGUMENT] = "invalid argument",
    [BRISK_ERR_OPEN] = "cannot open or read file",
    [BRISK_ERR_FORMAT] = "malformed input",
    [BRISK_ERR_LIMIT] = "input exceeds a size limit",
    [BRISK_ERR_COLUMN] = "unknown column",
    [BRISK_ERR_VALUE] = "invalid value",
    [BRISK_ERR_DATA] = "data unusable for the analysis",
    [BRISK_ERR_MODEL] = "model cannot be estimated",
    [BRISK_ERR_CONVERGENCE] = "estimation did not converge",
    [BRISK_ERR_WRITE] = "cannot write output",
};

const char *brisk_strerror(brisk_status status)
{
    if ((unsigned)status >= BRISK_STATUS_COUNT)
        return "unknown status";
    return status_text[status];
}

void brisk_error_clear(brisk_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

brisk_status brisk_error_set(brisk_error *err, brisk_status status,
                             const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

brisk_status brisk_error_prefix(brisk_error *err, const char *fmt, ...)
{
    if (!err)
        return BRISK_OK;
    char prefix[256], message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* the message as long as it fits after the prefix */
    size_t n = strlen(prefix);
    if (n >= sizeof message)
        n = sizeof message - 1;
    memcpy(message, prefix, n);
    size_t rest = strnlen(err->message, sizeof err->message);
    if (rest > sizeof message - 1 - n)
        rest = sizeof message - 1 - n;
    memcpy(message + n, err->message, rest);
    message[n + rest] = '\0';
    memcpy(err->message, message, sizeof message);
    return err->status;
}

void brisk_error_at(brisk_error *err, const char *file, long line, long column)
{
    if (!err)
        return;
    if (file)
        snprintf(err->file, sizeof err->file, "%s", file);
    if (line)
        err->line = line;
    if (column)
        err->column = column;
}

void brisk_error_variable(brisk_error *err, const char *variable)
{
    if (err && variable)
        snprintf(err->variable, sizeof err->variable, "%s", variable);
}

char *brisk_error_format(const brisk_error *err, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
#define APPEND(...)                                                        \
    do {                                                                   \
        int n_ = snprintf(buf + used, size - used, __VA_ARGS__);           \
        if (n_ > 0)                                                        \
            used = used + (size_t)n_ < size ? used + (size_t)n_ : size - 1; \
    } while (0)
    if (err->file[0]) {
        APPEND("%s", err->file);
        if (err->line > 0)
            APPEND(":%ld", err->line);
        if (err->line > 0 && err->column > 0)
            APPEND(":%ld", err->column);
        APPEND(": ");
    }
    APPEND("%s", err->message[0] ? err->message : brisk_strerror(err->status));
#undef APPEND
    return buf;
}
