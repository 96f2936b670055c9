/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Zip archives from memory, entry by entry, within bounds (archive.h). */
#include <config.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "archive.h"
#include "util.h"

static brisk_status zip_failure(const char *name, zip_error_t *ze, brisk_error *err)
{
    int code = zip_error_code_zip(ze);
    brisk_status st = code == ZIP_ER_MEMORY ? BRISK_ERR_NOMEM : BRISK_ERR_FORMAT;
    brisk_error_set(err, st, "not a readable zip archive (%s): the file is damaged or "
                    "not what its name says", zip_error_strerror(ze));
    brisk_error_at(err, name, 0, 0);
    zip_error_fini(ze);
    return st;
}

brisk_status brisk_zip_open_memory(brisk_zip *z, const void *data, size_t size,
                                   const char *name, size_t max_entry,
                                   unsigned long long max_total, brisk_error *err)
{
    memset(z, 0, sizeof *z);
    z->name = name;
    z->max_entry = max_entry;
    z->max_total = max_total;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!zip) {
        if (src)
            zip_source_free(src);
        return zip_failure(name, &ze, err);
    }
    zip_error_fini(&ze);
    z->zip = zip;
    return BRISK_OK;
}

void brisk_zip_close(brisk_zip *z)
{
    if (z->zip)
        zip_discard(z->zip);
    z->zip = NULL;
}

bool brisk_zip_has(const brisk_zip *z, const char *entry)
{
    return zip_name_locate(z->zip, entry, ZIP_FL_NOCASE) >= 0;
}

__attribute__((format(printf, 5, 6)))
static brisk_status entry_fail(const brisk_zip *z, const char *entry, brisk_status st,
                               brisk_error *err, const char *fmt, ...)
{
    char message[512], where[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "%s:%s", z->name, entry);
    brisk_error_set(err, st, "%s", message);
    brisk_error_at(err, where, 0, 0);
    return st;
}

/* The size the entry declares, checked against the bounds first. */
static brisk_status declared_size(brisk_zip *z, zip_int64_t index, const char *entry,
                                  zip_uint64_t *size, bool *known, brisk_error *err)
{
    zip_stat_t sb;
    zip_stat_init(&sb);
    if (zip_stat_index(z->zip, (zip_uint64_t)index, 0, &sb) != 0)
        return entry_fail(z, entry, BRISK_ERR_FORMAT, err, "cannot read the entry: %s",
                          zip_strerror(z->zip));
    *known = (sb.valid & ZIP_STAT_SIZE) != 0;
    *size = *known ? sb.size : z->max_entry;
    if (*size > z->max_entry)
        return entry_fail(z, entry, BRISK_ERR_LIMIT, err,
                          "the entry is %llu bytes uncompressed, more than the %zu MiB brisk "
                          "reads from one entry", (unsigned long long)*size,
                          z->max_entry >> 20);
    if (z->total + *size > z->max_total)
        return entry_fail(z, entry, BRISK_ERR_LIMIT, err,
                          "the entry (%llu bytes uncompressed) would take what brisk reads "
                          "from the archive past %llu MiB", (unsigned long long)*size,
                          z->max_total >> 20);
    return BRISK_OK;
}

/* One byte more than declared is asked for: an entry that gives it is a
 * zip bomb or corrupt, stopped there. */
static brisk_status inflate(brisk_zip *z, const char *entry, zip_file_t *f, char *buf,
                            zip_uint64_t size, size_t *got, brisk_error *err)
{
    *got = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf + *got, size + 1 - *got);
        if (n < 0)
            return entry_fail(z, entry, BRISK_ERR_FORMAT, err, "cannot inflate the entry: %s "
                              "(a damaged file)", zip_file_strerror(f));
        if (n == 0)
            return BRISK_OK;
        if ((*got += (size_t)n) > size)
            return entry_fail(z, entry, BRISK_ERR_LIMIT, err,
                              "the entry inflates to more than the %llu bytes its header "
                              "declares: a corrupt or hostile zip (a zip bomb?)",
                              (unsigned long long)size);
    }
}

brisk_status brisk_zip_read(brisk_zip *z, const char *entry, char **data, size_t *len,
                            brisk_error *err)
{
    *data = NULL;
    *len = 0;
    zip_int64_t index = zip_name_locate(z->zip, entry, ZIP_FL_NOCASE);
    if (index < 0)
        return entry_fail(z, entry, BRISK_ERR_FORMAT, err, "no such entry in the archive");
    zip_uint64_t size = 0;
    bool known = false;
    size_t got = 0;
    brisk_status st = declared_size(z, index, entry, &size, &known, err);
    if (st != BRISK_OK)
        return st;
    zip_file_t *f = zip_fopen_index(z->zip, (zip_uint64_t)index, 0);
    if (!f)
        return entry_fail(z, entry, BRISK_ERR_FORMAT, err, "cannot open the entry: %s",
                          zip_strerror(z->zip));
    char *buf = malloc((size_t)size + 1);
    st = buf ? inflate(z, entry, f, buf, size, &got, err)
             : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    zip_fclose(f);
    if (st == BRISK_OK && known && got < size)
        st = entry_fail(z, entry, BRISK_ERR_FORMAT, err, "the entry ends after %zu of the "
                        "%llu bytes its header declares", got, (unsigned long long)size);
    if (st != BRISK_OK) {
        free(buf);
        return st;
    }
    buf[got] = '\0';
    z->total += got;
    *data = buf;
    *len = got;
    return BRISK_OK;
}

bool brisk_xml_has_doctype(const char *data, size_t len)
{
    /* Before the root element come only the declaration, comments,
     * processing instructions and the document type. */
    for (size_t i = 0; i + 1 < len; i++) {
        if (data[i] != '<')
            continue;
        if (data[i + 1] == '?')
            continue;
        if (len - i >= 4 && memcmp(data + i, "<!--", 4) == 0) {
            size_t k = i + 4;
            while (k + 2 < len && memcmp(data + k, "-->", 3) != 0)
                k++;
            i = k + 2;
            continue;
        }
        return len - i >= 9 && memcmp(data + i, "<!DOCTYPE", 9) == 0;
    }
    return false;
}
