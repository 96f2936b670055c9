/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the Excel workbook reader (lib/data/xlsx.c) and the
 * bounded zip reading under it (lib/core/archive.c).
 *
 * The first byte chooses.  Bit 0 clear: the rest is an .xlsx file, read
 * from memory as it is.  Bit 0 set: the rest is a sheet's XML, optionally
 * followed by a line "#@data" and the shared strings' XML, which the
 * harness stores (uncompressed, so that libFuzzer's mutations reach the
 * XML) in a zip with a fixed workbook, its relationships and styles that
 * make style 1 a date: this is where the reader's cell handling is.  Bits
 * 1-3 set the read options: header_rows = 2, skip = 1, sheet = "Data".
 * What is read is described (brisk_inspect) and written back as CSV to
 * /dev/null. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/dataset.h"
#include "brisk/table.h"
#include "fuzz.h"

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

typedef struct zip_out {
    uint8_t *data;
    size_t len, cap;
    uint8_t central[4096];
    size_t central_len;
    int entries;
} zip_out;

static void put(zip_out *z, const void *p, size_t n)
{
    if (z->len + n > z->cap) {
        size_t cap = (z->len + n) * 2;
        uint8_t *d = realloc(z->data, cap);
        if (!d)
            abort();
        z->data = d;
        z->cap = cap;
    }
    memcpy(z->data + z->len, p, n);
    z->len += n;
}

static void le(uint8_t *b, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* One stored entry: its local header and data, and its central record. */
static void add_entry(zip_out *z, const char *name, const uint8_t *data, size_t n)
{
    uint8_t h[30] = {'P', 'K', 3, 4};
    size_t nl = strlen(name);
    uint32_t crc = crc32_of(data, n), offset = (uint32_t)z->len;
    le(h + 4, 20, 2);
    le(h + 14, crc, 4);
    le(h + 18, (uint32_t)n, 4);
    le(h + 22, (uint32_t)n, 4);
    le(h + 26, (uint32_t)nl, 2);
    put(z, h, sizeof h);
    put(z, name, nl);
    put(z, data, n);
    uint8_t *c = z->central + z->central_len;
    memset(c, 0, 46);
    memcpy(c, "PK\1\2", 4);
    le(c + 4, 20, 2);
    le(c + 6, 20, 2);
    le(c + 16, crc, 4);
    le(c + 20, (uint32_t)n, 4);
    le(c + 24, (uint32_t)n, 4);
    le(c + 28, (uint32_t)nl, 2);
    le(c + 42, offset, 4);
    memcpy(c + 46, name, nl);
    z->central_len += 46 + nl;
    z->entries++;
}

static void finish(zip_out *z)
{
    uint8_t e[22] = {'P', 'K', 5, 6};
    uint32_t at = (uint32_t)z->len;
    put(z, z->central, z->central_len);
    le(e + 8, (uint32_t)z->entries, 2);
    le(e + 10, (uint32_t)z->entries, 2);
    le(e + 12, (uint32_t)z->central_len, 4);
    le(e + 16, at, 4);
    put(z, e, sizeof e);
}

static void add_text(zip_out *z, const char *name, const char *text)
{
    add_entry(z, name, (const uint8_t *)text, strlen(text));
}

static void wrap_sheet(zip_out *z, const uint8_t *sheet, size_t n, const uint8_t *strings,
                       size_t m)
{
    add_text(z, "xl/workbook.xml",
             "<workbook xmlns:r=\"r\"><sheets><sheet name=\"Notes\" r:id=\"rId2\"/>"
             "<sheet name=\"Data\" r:id=\"rId1\"/></sheets></workbook>");
    add_text(z, "xl/_rels/workbook.xml.rels",
             "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
             "<Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet1.xml\"/></Relationships>");
    add_text(z, "xl/styles.xml",
             "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"
             "</numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/>"
             "</cellXfs></styleSheet>");
    add_entry(z, "xl/worksheets/sheet1.xml", sheet, n);
    if (strings)
        add_entry(z, "xl/sharedStrings.xml", strings, m);
    finish(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1000000)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    brisk_read_options opt = {.format = BRISK_FORMAT_XLSX,
                              .header_rows = mode & 2 ? 2 : 0,
                              .skip = mode & 4 ? 1 : 0,
                              .sheet = mode & 8 ? "Data" : NULL};
    zip_out z = {0};
    if (mode & 1) {
        const uint8_t *sheet, *strings;
        size_t n, m;
        bool two = fuzz_split(data, size, &sheet, &n, &strings, &m);
        wrap_sheet(&z, sheet, n, two ? strings : NULL, m);
        data = z.data;
        size = z.len;
    }
    brisk_io io;
    if (brisk_io_memory(&io, data, size, "fuzz.xlsx") == BRISK_OK) {
        brisk_dataset *ds = NULL;
        brisk_error err;
        brisk_status st = brisk_read_xlsx(&io, &opt, &ds, &err);
        brisk_io_close(&io);
        if (st == BRISK_OK) {
            brisk_table_list *tables = brisk_table_list_new();
            if (tables && brisk_inspect(ds, tables, &err) == BRISK_OK)
                brisk_write_tables(fuzz_null(), BRISK_OUT_TEXT, tables, &err);
            brisk_table_list_free(tables);
            brisk_write_dataset_csv(fuzz_null(), ds, ',', true, &err);
        }
        brisk_dataset_free(ds);
    }
    free(z.data);
    return 0;
}
