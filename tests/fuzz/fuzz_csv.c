/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the delimited-text reader (lib/data/csv.c).
 *
 * The input is a CSV file, read from memory through brisk_io_memory twice:
 * as brisk import reads it by default (delimiter detected, UTF-8), and as
 * a GB18030 file with ';' as delimiter and extra missing tokens.  What it
 * reads is then described (brisk_inspect) and written back as CSV, with
 * its value labels, to /dev/null. */
#include <config.h>
#include <stdlib.h>
#include "brisk/analysis.h"
#include "brisk/dataset.h"
#include "brisk/table.h"
#include "fuzz.h"

static void read_and_write(const uint8_t *data, size_t size, const brisk_read_options *opt)
{
    brisk_io io;
    if (brisk_io_memory(&io, data, size, "fuzz.csv") != BRISK_OK)
        return;
    brisk_dataset *ds = NULL;
    brisk_error err;
    brisk_status st = brisk_read_csv(&io, opt, &ds, &err);
    brisk_io_close(&io);
    if (st != BRISK_OK)
        return;
    brisk_table_list *tables = brisk_table_list_new();
    if (tables && brisk_inspect(ds, tables, &err) == BRISK_OK)
        brisk_write_tables(fuzz_null(), BRISK_OUT_TEXT, tables, &err);
    brisk_table_list_free(tables);
    brisk_write_dataset_csv(fuzz_null(), ds, ',', true, &err);
    brisk_write_value_labels_csv(fuzz_null(), ds, &err);
    brisk_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const na[] = {"-99", "DK", "", NULL};
    read_and_write(data, size, &(brisk_read_options){.format = BRISK_FORMAT_CSV});
    read_and_write(data, size, &(brisk_read_options){.format = BRISK_FORMAT_CSV,
                                                     .delimiter = ';', .encoding = "GB18030",
                                                     .na_tokens = na});
    return 0;
}
