/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: brisk's ReadStat reader (lib/data/readstat.c) for
 * every format it reads.
 *
 * The first byte picks the format (its value modulo 5: SPSS .sav/.zsav,
 * SPSS portable .por, Stata .dta, SAS .sas7bdat, SAS transport .xpt, in
 * the order of brisk_format); the rest is the file, read from memory
 * through brisk_io_memory.  A file read is described (brisk_inspect) and
 * written back as CSV, with its value labels, to /dev/null.
 *
 * ReadStat itself is the system's library, built without coverage
 * instrumentation: libFuzzer sees only the paths of brisk's handlers (see
 * README.md for linking an instrumented ReadStat). */
#include <config.h>
#include <stdlib.h>
#include "brisk/analysis.h"
#include "brisk/dataset.h"
#include "brisk/table.h"
#include "fuzz.h"

static const struct {
    brisk_format format;
    const char *name;
} formats[] = {
    {BRISK_FORMAT_SAV, "fuzz.sav"},           {BRISK_FORMAT_POR, "fuzz.por"},
    {BRISK_FORMAT_DTA, "fuzz.dta"},           {BRISK_FORMAT_SAS7BDAT, "fuzz.sas7bdat"},
    {BRISK_FORMAT_XPT, "fuzz.xpt"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t k = data[0] % (sizeof formats / sizeof formats[0]);
    brisk_io io;
    if (brisk_io_memory(&io, data + 1, size - 1, formats[k].name) != BRISK_OK)
        return 0;
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_status st = brisk_read_stat(&io, &(brisk_read_options){.format = formats[k].format},
                                      &ds, &err);
    brisk_io_close(&io);
    if (st != BRISK_OK)
        return 0;
    brisk_table_list *tables = brisk_table_list_new();
    if (tables && brisk_inspect(ds, tables, &err) == BRISK_OK)
        brisk_write_tables(fuzz_null(), BRISK_OUT_JSON, tables, &err);
    brisk_table_list_free(tables);
    brisk_write_dataset_csv(fuzz_null(), ds, ',', true, &err);
    brisk_write_value_labels_csv(fuzz_null(), ds, &err);
    brisk_dataset_free(ds);
    return 0;
}
