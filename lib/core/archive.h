/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — zip archives read from memory, one bounded entry at a time, and
 * XML read from them safely: what the xlsx reader needs, under the rules
 * qual's REFI-QDA reader follows (refi.c): nothing is extracted to disk;
 * an entry's declared size is checked against a bound before anything is
 * allocated, every byte inflated counts against a total, and an entry
 * that inflates to more than it declares (a zip bomb) is refused as it is
 * read.  XML is parsed without network and a document type declaration
 * (the only way to declare entities) is refused. */
#ifndef BRISK_CORE_ARCHIVE_H
#define BRISK_CORE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/error.h"

typedef struct brisk_zip {
    void *zip;                   /* zip_t */
    const char *name;            /* the archive in messages (borrowed) */
    size_t max_entry;            /* bytes one entry may inflate to */
    unsigned long long max_total, total;
} brisk_zip;

/* Open the archive held in data (borrowed until brisk_zip_close). */
brisk_status brisk_zip_open_memory(brisk_zip *z, const void *data, size_t size,
                                   const char *name, size_t max_entry,
                                   unsigned long long max_total, brisk_error *err);
void brisk_zip_close(brisk_zip *z);

/* Is there an entry of that name (any case)? */
bool brisk_zip_has(const brisk_zip *z, const char *entry);

/* The whole entry, NUL-terminated, into *data (the caller frees it).
 * Errors name "archive:entry". */
brisk_status brisk_zip_read(brisk_zip *z, const char *entry, char **data, size_t *len,
                            brisk_error *err);

/* Does the XML text declare a document type (<!DOCTYPE) before its root
 * element?  Such a document is refused: it could declare entities. */
bool brisk_xml_has_doctype(const char *data, size_t len);

#endif
