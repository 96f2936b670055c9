/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — pluggable input, so readers work on files and on memory alike.
 *
 * A reader never opens files itself: it is handed a brisk_io.  Tests and
 * fuzz harnesses use brisk_io_memory(); programs use brisk_io_open_file(). */
#ifndef BRISK_IO_H
#define BRISK_IO_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct brisk_io {
    /* Read up to n bytes into buf; return the count, 0 at end, -1 on error. */
    ssize_t (*read)(void *ctx, void *buf, size_t n);
    /* Move to an absolute offset; return 0 or -1.  Readers that need two
     * passes or random access (CSV, ReadStat) require it. */
    int (*seek)(void *ctx, long long offset);
    /* Total size in bytes, or -1 when unknown. */
    long long (*size)(void *ctx);
    /* Release ctx; may be NULL. */
    void (*close)(void *ctx);
    void *ctx;
    /* Name used in error messages (a path, or "<memory>"); owned by the io. */
    char name[512];
} brisk_io;

/* Open a file for reading.  On failure err names the file and the reason. */
brisk_status brisk_io_open_file(brisk_io *io, const char *path, brisk_error *err);

/* Read from a caller-owned buffer, which must outlive the io. */
brisk_status brisk_io_memory(brisk_io *io, const void *data, size_t size,
                             const char *name);

/* Release what the io holds (calls its close).  Safe on a closed io. */
void brisk_io_close(brisk_io *io);

#ifdef __cplusplus
}
#endif
#endif
