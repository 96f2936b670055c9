/* SPDX-License-Identifier: GPL-3.0-or-later */
/* File and memory implementations of brisk_io. */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "brisk/io.h"

static ssize_t file_read(void *ctx, void *buf, size_t n)
{
    FILE *f = ctx;
    size_t got = fread(buf, 1, n, f);
    if (got == 0 && ferror(f))
        return -1;
    return (ssize_t)got;
}

static int file_seek(void *ctx, long long offset)
{
    return fseeko(ctx, (off_t)offset, SEEK_SET) == 0 ? 0 : -1;
}

static long long file_size(void *ctx)
{
    FILE *f = ctx;
    off_t here = ftello(f);
    if (here < 0 || fseeko(f, 0, SEEK_END) != 0)
        return -1;
    off_t end = ftello(f);
    if (fseeko(f, here, SEEK_SET) != 0)
        return -1;
    return (long long)end;
}

static void file_close(void *ctx)
{
    fclose(ctx);
}

brisk_status brisk_io_open_file(brisk_io *io, const char *path, brisk_error *err)
{
    memset(io, 0, sizeof *io);
    snprintf(io->name, sizeof io->name, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_OPEN, "cannot open: %s", strerror(errno));
    }
    /* A directory opens on Linux but cannot be read. */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_OPEN, "is a folder, not a file");
    }
    io->read = file_read;
    io->seek = file_seek;
    io->size = file_size;
    io->close = file_close;
    io->ctx = f;
    return BRISK_OK;
}

typedef struct memory_source {
    const unsigned char *data;
    size_t size;
    size_t pos;
} memory_source;

static ssize_t memory_read(void *ctx, void *buf, size_t n)
{
    memory_source *m = ctx;
    size_t left = m->size - m->pos;
    if (n > left)
        n = left;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static int memory_seek(void *ctx, long long offset)
{
    memory_source *m = ctx;
    if (offset < 0 || (unsigned long long)offset > m->size)
        return -1;
    m->pos = (size_t)offset;
    return 0;
}

static long long memory_size(void *ctx)
{
    return (long long)((memory_source *)ctx)->size;
}

static void memory_close(void *ctx)
{
    free(ctx);
}

brisk_status brisk_io_memory(brisk_io *io, const void *data, size_t size,
                             const char *name)
{
    memset(io, 0, sizeof *io);
    memory_source *m = calloc(1, sizeof *m);
    if (!m)
        return BRISK_ERR_NOMEM;
    m->data = data;
    m->size = size;
    snprintf(io->name, sizeof io->name, "%s", name ? name : "<memory>");
    io->read = memory_read;
    io->seek = memory_seek;
    io->size = memory_size;
    io->close = memory_close;
    io->ctx = m;
    return BRISK_OK;
}

void brisk_io_close(brisk_io *io)
{
    if (io && io->close && io->ctx)
        io->close(io->ctx);
    if (io) {
        io->ctx = NULL;
        io->close = NULL;
    }
}
