/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Format selection, the writer dispatch, and atomic output files. */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/util.h"
#include "export_internal.h"

static const struct {
    const char *name;
    const char *extension;
    brisk_output_format format;
} formats[] = {
    {"text", ".txt", BRISK_OUT_TEXT},
    {"csv", ".csv", BRISK_OUT_CSV},
    {"md", ".md", BRISK_OUT_MD},
    {"json", ".json", BRISK_OUT_JSON},
    {"tex", ".tex", BRISK_OUT_TEX},
    {"xlsx", ".xlsx", BRISK_OUT_XLSX},
    {"html", ".html", BRISK_OUT_HTML},
    {"htm", ".htm", BRISK_OUT_HTML},
    {"docx", ".docx", BRISK_OUT_DOCX},
};

bool brisk_output_format_parse(const char *name, brisk_output_format *out)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcasecmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return true;
        }
    }
    if (strcasecmp(name, "markdown") == 0) {
        *out = BRISK_OUT_MD;
        return true;
    }
    return false;
}

bool brisk_output_format_from_path(const char *path, brisk_output_format *out)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (brisk_ends_with_ci(path, formats[i].extension)) {
            *out = formats[i].format;
            return true;
        }
    }
    return false;
}

brisk_status brisk_write_tables(FILE *stream, brisk_output_format format,
                                const brisk_table_list *list, brisk_error *err)
{
    brisk_status s;
    switch (format) {
    case BRISK_OUT_TEXT: s = brisk_write_text(stream, list); break;
    case BRISK_OUT_CSV: s = brisk_write_csv(stream, list); break;
    case BRISK_OUT_MD: s = brisk_write_md(stream, list); break;
    case BRISK_OUT_JSON: s = brisk_write_json(stream, list); break;
    case BRISK_OUT_TEX: s = brisk_write_tex(stream, list); break;
    case BRISK_OUT_HTML: s = brisk_write_html(stream, list); break;
    case BRISK_OUT_XLSX:
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "an xlsx workbook needs a file: give "
                               "-o FILE.xlsx");
    case BRISK_OUT_DOCX:
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "a Word document needs a file: give "
                               "-o FILE.docx");
    default: return brisk_error_set(err, BRISK_ERR_ARGUMENT, "unknown output format");
    }
    if (s == BRISK_ERR_NOMEM)
        return brisk_error_set(err, s, "out of memory while writing tables");
    if (s != BRISK_OK)
        return brisk_error_set(err, s, "write failed: %s", strerror(errno));
    return BRISK_OK;
}

/* Set once by the program before any output (brisk_output_watch); read
 * only afterwards, so outputs in several threads stay safe. */
static brisk_temp_watch temp_watch;

void brisk_output_watch(brisk_temp_watch watch)
{
    temp_watch = watch;
}

brisk_status brisk_output_open(brisk_output *out, const char *path, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    out->target = brisk_strdup(path);
    size_t n = strlen(path) + 16;
    out->temp = malloc(n);
    if (!out->target || !out->temp) {
        brisk_output_abort(out);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    /* A device or a pipe is written as it is (renaming over it would
     * replace it); a folder is no output file. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        free(out->temp);
        out->temp = NULL;
        int e = S_ISDIR(sb.st_mode) ? EISDIR : 0;
        if (!e && !(out->stream = fopen(path, "w")))
            e = errno;
        if (!e)
            return BRISK_OK;
        brisk_output_abort(out);
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_WRITE, "cannot create output file: %s",
                               strerror(e));
    }
    /* The temporary file sits beside the target so rename() stays atomic. */
    snprintf(out->temp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(out->temp);
    /* mkstemp creates 0600; an output file is as readable as any other. */
    if (fd >= 0) {
        fchmod(fd, 0644);
        if (temp_watch)
            temp_watch(out->temp, true);
    }
    if (fd < 0 || !(out->stream = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(out->temp);
            if (temp_watch)
                temp_watch(out->temp, false);
        }
        free(out->temp);
        out->temp = NULL;
        brisk_output_abort(out);
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_WRITE, "cannot create output file: %s",
                               strerror(e));
    }
    return BRISK_OK;
}

brisk_status brisk_output_open_path(brisk_output *out, const char *path, brisk_error *err)
{
    brisk_status st = brisk_output_open(out, path, err);
    if (st == BRISK_OK && !out->temp) {   /* a device or pipe: no file to write by name */
        brisk_output_abort(out);
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_WRITE, "cannot write this output to a device or "
                               "pipe: give a file name");
    }
    if (st == BRISK_OK) {
        fclose(out->stream);
        out->stream = NULL;
    }
    return st;
}

brisk_status brisk_write_tables_file(const char *path, brisk_output_format format,
                                     const brisk_table_list *list, brisk_error *err)
{
    brisk_output out;
    brisk_status st;
    bool zip = format == BRISK_OUT_XLSX || format == BRISK_OUT_DOCX;
    if (zip) {   /* written by name by libxlsxwriter or libzip */
        st = brisk_output_open_path(&out, path, err);
        if (st == BRISK_OK)
            st = format == BRISK_OUT_XLSX ? brisk_write_xlsx(out.temp, list, err)
                                          : brisk_write_docx(out.temp, list, err);
        if (st == BRISK_OK)
            return brisk_output_commit(&out, err);
    } else {
        st = brisk_output_open(&out, path, err);
        if (st == BRISK_OK && (st = brisk_write_tables(out.stream, format, list, err)) == BRISK_OK)
            return brisk_output_commit(&out, err);
    }
    /* The error names the file the user asked for, not the temporary one. */
    if (st != BRISK_OK && err && (!err->file[0] || zip))
        brisk_error_at(err, path, 0, 0);
    brisk_output_abort(&out);
    return st;
}

brisk_status brisk_output_commit(brisk_output *out, brisk_error *err)
{
    int failed = out->stream ? ferror(out->stream) : 0;
    int e = errno;
    if (out->stream && fclose(out->stream) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    out->stream = NULL;
    if (!failed && out->temp && rename(out->temp, out->target) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        brisk_error_at(err, out->target, 0, 0);
        brisk_error_set(err, BRISK_ERR_WRITE, "cannot write output file: %s", strerror(e));
        brisk_output_abort(out);
        return BRISK_ERR_WRITE;
    }
    if (out->temp && temp_watch)
        temp_watch(out->temp, false);
    free(out->temp);
    free(out->target);
    memset(out, 0, sizeof *out);
    return BRISK_OK;
}

void brisk_output_abort(brisk_output *out)
{
    if (out->stream)
        fclose(out->stream);
    if (out->temp) {
        unlink(out->temp);
        if (temp_watch)
            temp_watch(out->temp, false);
    }
    free(out->temp);
    free(out->target);
    memset(out, 0, sizeof *out);
}
