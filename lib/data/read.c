/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Choosing a reader: formats by file name, and brisk_read_file, which opens
 * a path and hands it to the CSV, the xlsx or the ReadStat reader. */
#include <config.h>
#include <string.h>
#include <strings.h>
#include "brisk/dataset.h"
#include "core/util.h"

typedef struct extension_format {
    const char *extension;
    brisk_format format;
} extension_format;

/* Each entry includes its dot, so ".sav" never matches "x.zsav" and the
 * order of the table does not matter. */
static const extension_format known_extensions[] = {
    {".csv", BRISK_FORMAT_CSV},       {".tsv", BRISK_FORMAT_CSV},
    {".txt", BRISK_FORMAT_CSV},       {".dat", BRISK_FORMAT_CSV},
    {".sav", BRISK_FORMAT_SAV},       {".zsav", BRISK_FORMAT_SAV},
    {".por", BRISK_FORMAT_POR},       {".dta", BRISK_FORMAT_DTA},
    {".sas7bdat", BRISK_FORMAT_SAS7BDAT},
    {".xpt", BRISK_FORMAT_XPT},       {".xport", BRISK_FORMAT_XPT},
    {".xlsx", BRISK_FORMAT_XLSX},
};

brisk_format brisk_format_from_name(const char *name)
{
    if (!name)
        return BRISK_FORMAT_AUTO;
    for (size_t i = 0; i < sizeof known_extensions / sizeof known_extensions[0]; i++)
        if (brisk_ends_with_ci(name, known_extensions[i].extension))
            return known_extensions[i].format;
    return BRISK_FORMAT_AUTO;
}

const char *brisk_format_name(brisk_format format)
{
    switch (format) {
    case BRISK_FORMAT_AUTO:
        return "automatic";
    case BRISK_FORMAT_CSV:
        return "CSV";
    case BRISK_FORMAT_SAV:
        return "SPSS .sav";
    case BRISK_FORMAT_POR:
        return "SPSS portable .por";
    case BRISK_FORMAT_DTA:
        return "Stata .dta";
    case BRISK_FORMAT_SAS7BDAT:
        return "SAS .sas7bdat";
    case BRISK_FORMAT_XPT:
        return "SAS transport .xpt";
    case BRISK_FORMAT_XLSX:
        return "Excel .xlsx";
    }
    return "unknown";
}

/* The extension of a path's last component (from its last dot), or NULL
 * when it has none. */
static const char *path_extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : NULL;
}

static brisk_status unknown_type_error(const char *path, brisk_error *err)
{
    const char *ext = path_extension(path);
    brisk_error_at(err, path, 0, 0);
    if (!ext)
        return brisk_error_set(err, BRISK_ERR_FORMAT,
                               "unknown file type (no extension): expected "
                               BRISK_DATA_EXTENSIONS);
    return brisk_error_set(err, BRISK_ERR_FORMAT,
                           "unknown file type '%s': expected " BRISK_DATA_EXTENSIONS "%s", ext,
                           strcasecmp(ext, ".xls") == 0
                               ? " (a legacy Excel .xls workbook: save it as .xlsx)" : "");
}

brisk_status brisk_read_file(const char *path, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err)
{
    brisk_error_clear(err);
    if (out)
        *out = NULL;
    if (!path || !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_read_file: path and out are required");

    /* Work on a copy so the defaults we fill in never touch the caller's. */
    brisk_read_options o = {0};
    if (opt)
        o = *opt;
    if (o.format == BRISK_FORMAT_AUTO)
        o.format = brisk_format_from_name(path);
    /* Decide before opening: an unknown type is the caller's mistake even
     * when the file also does not exist. */
    if (o.format == BRISK_FORMAT_AUTO)
        return unknown_type_error(path, err);
    /* An option the file's reader would not use is the caller's mistake,
     * never silently ignored. */
    if (o.sheet && o.format != BRISK_FORMAT_XLSX) {
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "a sheet ('%s') is named, but this is "
                               "not an .xlsx workbook: only workbooks have sheets", o.sheet);
    }
    if (o.format != BRISK_FORMAT_CSV && o.format != BRISK_FORMAT_XLSX &&
        (o.skip || o.header_rows > 1 || o.decimal == ',')) {
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "skip, header rows and the decimal mark "
                               "are for text files and .xlsx workbooks, not %s files",
                               brisk_format_name(o.format));
    }
    if (o.format == BRISK_FORMAT_CSV && o.delimiter == 0 && brisk_ends_with_ci(path, ".tsv"))
        o.delimiter = '\t';

    brisk_io io;
    brisk_status st = brisk_io_open_file(&io, path, err);
    if (st != BRISK_OK)
        return st;
    if (o.format == BRISK_FORMAT_CSV)
        st = brisk_read_csv(&io, &o, out, err);
    else if (o.format == BRISK_FORMAT_XLSX)
        st = brisk_read_xlsx(&io, &o, out, err);
    else
        st = brisk_read_stat(&io, &o, out, err);
    brisk_io_close(&io);

    if (st != BRISK_OK && err && err->file[0] == '\0')
        brisk_error_at(err, path, 0, 0);
    return st;
}
