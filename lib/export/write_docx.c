/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Word (Office Open XML, .docx): the tables as native Word tables in APA
 * style, one heading per sheet, in a zip written with libzip.
 *
 * The package is the smallest Word and LibreOffice open without repair:
 * [Content_Types].xml, _rels/.rels, word/document.xml, word/styles.xml,
 * word/_rels/document.xml.rels, docProps/core.xml and docProps/app.xml.
 * Each part is built in memory (brisk_buf, no fixed buffer user text could
 * overflow) and kept until libzip has written the archive.
 *
 * The document: a title, the run's warnings under a heading, then a
 * Heading 1 per sheet (tables sharing a sheet name under one heading, a
 * table without one under its own title).  Each table is preceded by
 * "Table N" in bold and its title in italics, and followed by a paragraph
 * starting "Note." in italics.  APA rules: a line above the table, one under
 * the header rows, one at the bottom, none between columns; numbers
 * right-aligned; 10-point text; header rows repeated on every page; no row
 * split across pages.  A4 pages; a sheet with a table too wide for a
 * portrait page is set in landscape, and a table still too wide in smaller
 * type (down to 7 points), so that numbers do not break.  Figures are not
 * written (charts are workbook-only).
 *
 * The archive is deterministic: fixed entry order, a fixed date on every
 * entry, no date in the properties, so two runs give identical files. */
#include <config.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include "brisk/version.h"
#include "core/util.h"
#include "export_internal.h"

#define CREATOR "brisk " BRISK_VERSION
#define PAGE_SHORT_TWIPS 11906  /* A4 */
#define PAGE_LONG_TWIPS 16838
#define MARGIN_TWIPS 1440       /* an inch */
#define PORTRAIT_TWIPS (PAGE_SHORT_TWIPS - 2 * MARGIN_TWIPS)   /* the text's width */
#define LANDSCAPE_TWIPS (PAGE_LONG_TWIPS - 2 * MARGIN_TWIPS)
#define CHAR_TWIPS 100          /* a character of 10-point text, about */
#define CELL_PAD_TWIPS 160      /* the left and right cell margins (APATable) */
#define CELL_NUMBER_BYTES 512   /* a formatted number (not text: see cell_text) */
#define COLUMN_CHARS_MAX 40     /* a longer text wraps: it weighs no more */
/* 2000-01-01 12:00 UTC: the date of every entry.  libzip stores it as a
 * DOS local time, so the bytes depend on the machine's time zone, never
 * on the run (zip_file_set_dostime would avoid that, but needs libzip
 * 1.6; configure asks for 1.5). */
#define ENTRY_MTIME ((time_t)946728000)

/* The document while it is built; ok turns false at the first allocation
 * that fails, and every later append is skipped. */
typedef struct docx_doc {
    brisk_buf xml;
    bool ok;
    size_t ntables;   /* "Table N" */
    bool landscape;   /* the orientation of the section being written */
    const char *cell_style;   /* of the table being written: its font size */
} docx_doc;

/* ---- text ---- */

static void put(docx_doc *d, const char *s)
{
    if (d->ok)
        d->ok = brisk_buf_puts(&d->xml, s);
}

static void put_bytes(docx_doc *d, const char *s, size_t n)
{
    if (d->ok)
        d->ok = brisk_buf_append(&d->xml, s, n);
}

static size_t utf8_length(unsigned char lead)
{
    return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

/* One valid UTF-8 sequence of len bytes: U+FFFE and U+FFFF are no XML 1.0
 * characters (EF BF BE, EF BF BF). */
static bool xml_char(const char *s, size_t len)
{
    return !(len == 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBF &&
             (unsigned char)s[2] >= 0xBE);
}

/* s escaped for XML character data and attribute values.  Control
 * characters other than tab and line feed are dropped (XML 1.0 has no
 * place for them); a byte that starts no valid UTF-8 sequence, or a
 * character XML forbids, becomes U+FFFD.  Tab and line feed pass through:
 * the callers in runs turn them into w:tab and w:br first. */
static void put_escaped(docx_doc *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            switch (c) {
            case '&': put(d, "&amp;"); break;
            case '<': put(d, "&lt;"); break;
            case '>': put(d, "&gt;"); break;
            case '"': put(d, "&quot;"); break;
            case '\'': put(d, "&apos;"); break;
            default:
                if (c >= 0x20 || c == '\t' || c == '\n')
                    put_bytes(d, s + i, 1);
                break;
            }
            i++;
            continue;
        }
        size_t len = utf8_length(c);
        bool valid = i + len <= n && brisk_utf8_invalid_at(s + i, len) == (size_t)-1;
        if (valid && xml_char(s + i, len))
            put_bytes(d, s + i, len);
        else
            put(d, "\xEF\xBF\xBD");   /* a whole character, or one stray byte */
        i += valid ? len : 1;
    }
}

static void put_text(docx_doc *d, const char *s)
{
    put_escaped(d, s, strlen(s));
}

/* A run of text with optional run properties (w:b, w:i ...).  Line breaks
 * become w:br and tabs w:tab, which is how Word holds them; carriage
 * returns go with the line feed they belong to. */
static void run(docx_doc *d, const char *rpr, const char *s)
{
    put(d, "<w:r>");
    if (rpr) {
        put(d, "<w:rPr>");
        put(d, rpr);
        put(d, "</w:rPr>");
    }
    for (;;) {
        size_t n = strcspn(s, "\t\r\n");
        put(d, "<w:t xml:space=\"preserve\">");
        put_escaped(d, s, n);
        put(d, "</w:t>");
        s += n;
        if (!*s)
            break;
        if (*s == '\t')
            put(d, "<w:tab/>");
        else if (*s == '\n' || s[1] != '\n')   /* \r\n is one break */
            put(d, "<w:br/>");
        s++;
    }
    put(d, "</w:r>");
}

/* A paragraph of one style holding one run of text. */
static void paragraph(docx_doc *d, const char *style, const char *rpr, const char *s)
{
    put(d, "<w:p><w:pPr><w:pStyle w:val=\"");
    put(d, style);
    put(d, "\"/></w:pPr>");
    run(d, rpr, s);
    put(d, "</w:p>");
}

/* ---- tables ---- */

/* The text a cell shows.  Text (of a text column, or in place of a number)
 * is used whole; numbers are formatted as the other human formats show
 * them (APA p-values, the column's decimals) into buf. */
static const char *cell_text(const brisk_table_column *col, const brisk_cell *cell, char *buf,
                             size_t size)
{
    if (cell->text)
        return cell->text;
    if (col->kind == BRISK_CELL_TEXT)
        return "";
    return brisk_table_format_cell(col, cell, buf, size);
}

/* A border element: APA's rules are single lines of half a point. */
static void border(docx_doc *d, const char *side, bool line)
{
    put(d, "<w:");
    put(d, side);
    put(d, line ? " w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
                : " w:val=\"nil\"/>");
}

/* A cell: span columns wide, its text aligned (left, center, right), with a
 * rule under it when ruled. */
static void cell(docx_doc *d, size_t span, bool ruled, const char *align, const char *rpr,
                 const char *s)
{
    put(d, "<w:tc>");
    if (span > 1 || ruled) {
        put(d, "<w:tcPr>");
        if (span > 1) {
            char buf[48];
            snprintf(buf, sizeof buf, "<w:gridSpan w:val=\"%zu\"/>", span);
            put(d, buf);
        }
        if (ruled) {
            put(d, "<w:tcBorders>");
            border(d, "bottom", true);
            put(d, "</w:tcBorders>");
        }
        put(d, "</w:tcPr>");
    }
    /* Left is the default alignment: said only when it is another. */
    put(d, "<w:p><w:pPr><w:pStyle w:val=\"");
    put(d, d->cell_style);
    put(d, "\"/>");
    if (strcmp(align, "left") != 0) {
        put(d, "<w:jc w:val=\"");
        put(d, align);
        put(d, "\"/>");
    }
    put(d, "</w:pPr>");
    if (s[0])   /* an empty cell is an empty paragraph */
        run(d, rpr, s);
    put(d, "</w:p></w:tc>");
}

/* A row's properties: a header row is repeated on every page; no row is
 * split across pages. */
static void row_start(docx_doc *d, bool header)
{
    put(d, header ? "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
                  : "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
}

static bool same_group(const brisk_table_column *a, const brisk_table_column *b)
{
    return a->group && b->group && strcmp(a->group, b->group) == 0;
}

static bool has_groups(const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].group && t->cols[j].group[0])
            return true;
    return false;
}

/* The spanning headers: one cell per run of adjacent columns sharing a
 * group, centred with a rule under it (APA's line under a spanner); an
 * empty cell over a column without one. */
static void group_row(docx_doc *d, const brisk_table *t)
{
    row_start(d, true);
    for (size_t j = 0; j < t->ncols;) {
        size_t end = j + 1;
        while (end < t->ncols && same_group(&t->cols[j], &t->cols[end]))
            end++;
        const char *g = t->cols[j].group ? t->cols[j].group : "";
        cell(d, end - j, g[0] != '\0', "center", NULL, g);
        j = end;
    }
    put(d, "</w:tr>");
}

/* The column headers, with the rule under the header. */
static void header_row(docx_doc *d, const brisk_table *t)
{
    row_start(d, true);
    for (size_t j = 0; j < t->ncols; j++)
        cell(d, 1, true, brisk_column_is_numeric(&t->cols[j]) ? "right" : "left", NULL,
             t->cols[j].header ? t->cols[j].header : "");
    put(d, "</w:tr>");
}

static void body_rows(docx_doc *d, const brisk_table *t)
{
    char buf[CELL_NUMBER_BYTES];
    for (size_t i = 0; i < t->nrows; i++) {
        row_start(d, false);
        for (size_t j = 0; j < t->ncols; j++) {
            const brisk_table_column *col = &t->cols[j];
            cell(d, 1, false, brisk_column_is_numeric(col) ? "right" : "left", NULL,
                 cell_text(col, brisk_table_cell(t, i, j), buf, sizeof buf));
        }
        put(d, "</w:tr>");
    }
}

/* Display width of the longest word of s: a header may wrap between
 * words, never inside one. */
static size_t longest_word(const char *s)
{
    size_t best = 0;
    while (*s) {
        size_t n = strcspn(s, " \t\n/");
        char *word = brisk_strndup(s, n);
        size_t w = word ? brisk_utf8_width(word) : n;
        free(word);
        best = w > best ? w : best;
        s += n;
        s += *s != '\0';
    }
    return best;
}

/* The share of the text width each column gets, in characters: its widest
 * cell (a long text counted as COLUMN_CHARS_MAX, since it wraps) or the
 * longest word of its header; the cell margins pad it.  Word refits the
 * columns to their contents (autofit); LibreOffice keeps these widths, so
 * they must leave the numbers room not to break. */
static size_t column_chars(const brisk_table *t, size_t j)
{
    char buf[CELL_NUMBER_BYTES];
    /* Letters are wider than digits: a header's word gets one more. */
    size_t w = longest_word(t->cols[j].header ? t->cols[j].header : "") + 1;
    for (size_t i = 0; i < t->nrows && w < COLUMN_CHARS_MAX; i++) {
        size_t c = brisk_utf8_width(cell_text(&t->cols[j], brisk_table_cell(t, i, j), buf,
                                              sizeof buf));
        w = c > w ? c : w;
    }
    return w < COLUMN_CHARS_MAX ? w : COLUMN_CHARS_MAX;
}

/* The width a table needs at 10 points for its cells not to break a
 * number (a header may wrap between its words). */
static size_t table_twips(const brisk_table *t)
{
    size_t twips = 0;
    for (size_t j = 0; j < t->ncols; j++)
        twips += column_chars(t, j) * CHAR_TWIPS + CELL_PAD_TWIPS;
    return twips;
}

/* The cells' paragraph style: 10 points, or the largest smaller size down
 * to 7 points at which the table fits the text's width (APA allows tables
 * a smaller type); at 7 points what still does not fit wraps. */
static const char *cell_style(const docx_doc *d, const brisk_table *t)
{
    static const char *const style[] = {"TableText", "TableText9", "TableText8", "TableText7"};
    double width = d->landscape ? LANDSCAPE_TWIPS : PORTRAIT_TWIPS;
    double pad = (double)(t->ncols * CELL_PAD_TWIPS);
    double text = (double)table_twips(t) - pad;
    size_t k = 0;
    while (k < 3 && text * (10.0 - (double)k) / 10.0 + pad > width)
        k++;
    return style[k];
}

/* The grid: each column's share of the text width in proportion to the
 * width it needs (its characters and its cell margins). */
static void table_grid(docx_doc *d, const brisk_table *t)
{
    size_t *need = calloc(t->ncols, sizeof *need);
    if (!need) {
        d->ok = false;
        return;
    }
    size_t total = 0;
    for (size_t j = 0; j < t->ncols; j++)
        total += need[j] = column_chars(t, j) * CHAR_TWIPS + CELL_PAD_TWIPS;
    /* Near enough at the smaller sizes: the margins keep their share. */
    double width = d->landscape ? LANDSCAPE_TWIPS : PORTRAIT_TWIPS;
    put(d, "<w:tblGrid>");
    for (size_t j = 0; j < t->ncols; j++) {
        char buf[48];
        snprintf(buf, sizeof buf, "<w:gridCol w:w=\"%zu\"/>",
                 (size_t)(width * (double)need[j] / (double)total));
        put(d, buf);
    }
    put(d, "</w:tblGrid>");
    free(need);
}

/* The table's properties: the APA style, the full text width with columns
 * fitted to their contents, and the rules above and below the table. */
static void table_properties(docx_doc *d)
{
    /* Children in the schema's order, which Word insists on. */
    put(d, "<w:tblPr><w:tblStyle w:val=\"APATable\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>"
           "<w:tblBorders>");
    border(d, "top", true);
    border(d, "left", false);
    border(d, "bottom", true);
    border(d, "right", false);
    border(d, "insideH", false);
    border(d, "insideV", false);
    put(d, "</w:tblBorders><w:tblLayout w:type=\"autofit\"/><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" "
           "w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>");
}

/* "Note." in italics, then the notes one after the other. */
static void notes(docx_doc *d, const brisk_table *t)
{
    if (!t->nnotes)
        return;
    put(d, "<w:p><w:pPr><w:pStyle w:val=\"Note\"/></w:pPr>");
    run(d, "<w:i/>", "Note.");
    for (size_t k = 0; k < t->nnotes; k++) {
        run(d, NULL, " ");
        run(d, NULL, t->notes[k]);
    }
    put(d, "</w:p>");
}

static void table(docx_doc *d, const brisk_table *t)
{
    char label[48];
    snprintf(label, sizeof label, "Table %zu", ++d->ntables);
    paragraph(d, "Caption", NULL, label);
    paragraph(d, "TableTitle", NULL, t->title ? t->title : "");
    if (t->ncols) {   /* a Word table needs a column */
        d->cell_style = cell_style(d, t);
        put(d, "<w:tbl>");
        table_properties(d);
        table_grid(d, t);
        if (has_groups(t))
            group_row(d, t);
        header_row(d, t);
        body_rows(d, t);
        put(d, "</w:tbl>");
    }
    notes(d, t);
    /* Two tables in a row would merge into one: a paragraph keeps them
     * apart, and gives the space after the table. */
    if (!t->nnotes)
        paragraph(d, "Note", NULL, "");
}

/* ---- the document ---- */


/* The document's title: the list's own, else its first table's. */
static const char *document_title(const brisk_table_list *list)
{
    if (list->title && list->title[0])
        return list->title;
    return list->count && list->tables[0]->title ? list->tables[0]->title : "";
}

static void warnings(docx_doc *d, const brisk_table_list *list)
{
    if (!list->nwarnings)
        return;
    paragraph(d, "Heading1", NULL, "Warnings");
    for (size_t k = 0; k < list->nwarnings; k++)
        paragraph(d, "Normal", NULL, list->warnings[k]);
}

/* A section's page: A4 with margins of an inch, portrait or landscape. */
static void section_properties(docx_doc *d, bool landscape)
{
    put(d, landscape ? "<w:sectPr><w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>"
                     : "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>");
    put(d, "<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" "
           "w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>");
}

/* Turn the page to landscape or back.  A section's properties stand in
 * the paragraph that ends it, so the section being left is closed here
 * with its own orientation. */
static void orient(docx_doc *d, bool landscape)
{
    if (landscape == d->landscape)
        return;
    put(d, "<w:p><w:pPr>");
    section_properties(d, d->landscape);
    put(d, "</w:pPr></w:p>");
    d->landscape = landscape;
}

/* Sections as on the workbook's sheets: a run of tables sharing a sheet
 * name under one heading, a table without one under its title.  A sheet
 * with a table too wide for a portrait page is set in landscape. */
static void sections(docx_doc *d, const brisk_table_list *list)
{
    for (size_t k = 0; k < list->count;) {
        const brisk_table *t = list->tables[k];
        size_t end = k + 1;
        while (end < list->count && brisk_tables_share_sheet(t, list->tables[end]))
            end++;
        bool wide = false;
        for (size_t i = k; i < end && !wide; i++)
            wide = table_twips(list->tables[i]) > PORTRAIT_TWIPS;
        orient(d, wide);
        paragraph(d, "Heading1", NULL, brisk_table_sheet_name(t));
        for (; k < end; k++)
            table(d, list->tables[k]);
    }
}

static void document(docx_doc *d, const brisk_table_list *list)
{
    put(d, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
           "<w:body>");
    paragraph(d, "Title", NULL, document_title(list));
    warnings(d, list);
    sections(d, list);
    section_properties(d, d->landscape);   /* the last section's */
    put(d, "</w:body></w:document>\n");
}

/* ---- the fixed parts ---- */

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
    "</Types>\n";

static const char package_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
    "</Relationships>\n";

static const char document_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "</Relationships>\n";

static const char app_properties[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "extended-properties\"><Application>" CREATOR "</Application></Properties>\n";

/* Styles: Times New Roman 12 points as APA asks; Title, Heading 1 and 2;
 * Caption ("Table N", bold) and TableTitle (italic) kept with the table;
 * TableText (10 points, little spacing) for cells, and 9, 8 and 7 points
 * for wide tables; Note (10 points) under
 * tables; APATable, a table style with the rules above and below only. */
static const char styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
    "w:cs=\"Times New Roman\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>"
    "<w:lang w:val=\"en-US\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>"
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
    "<w:name w:val=\"Normal\"/><w:qFormat/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:spacing w:after=\"360\"/><w:jc w:val=\"center\"/></w:pPr>"
    "<w:rPr><w:b/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:spacing w:before=\"360\" w:after=\"120\"/>"
    "<w:outlineLvl w:val=\"0\"/></w:pPr>"
    "<w:rPr><w:b/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/>"
    "<w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"TableTitle\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"0\"/></w:pPr>"
    "<w:rPr><w:b/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableTitle\"><w:name w:val=\"Table Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:spacing w:after=\"120\"/></w:pPr>"
    "<w:rPr><w:i/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"20\" w:after=\"20\"/></w:pPr>"
    "<w:rPr><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText9\"><w:name w:val=\"Table Text 9\"/>"
    "<w:basedOn w:val=\"TableText\"/><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText8\"><w:name w:val=\"Table Text 8\"/>"
    "<w:basedOn w:val=\"TableText\"/><w:rPr><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText7\"><w:name w:val=\"Table Text 7\"/>"
    "<w:basedOn w:val=\"TableText\"/><w:rPr><w:sz w:val=\"14\"/><w:szCs w:val=\"14\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Note\"><w:name w:val=\"Note\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:spacing w:before=\"60\" w:after=\"240\"/></w:pPr>"
    "<w:rPr><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr></w:style>"
    "<w:style w:type=\"table\" w:styleId=\"APATable\"><w:name w:val=\"APA Table\"/>"
    "<w:tblPr><w:tblBorders>"
    "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:left w:val=\"nil\"/>"
    "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/>"
    "</w:tblBorders><w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/>"
    "<w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "</w:styles>\n";

/* The core properties: title and creator; no dates, so that two runs give
 * the same file. */
static void core_properties(docx_doc *d, const brisk_table_list *list)
{
    put(d, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
           "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
           "<dc:title>");
    put_text(d, document_title(list));
    put(d, "</dc:title><dc:creator>" CREATOR "</dc:creator></cp:coreProperties>\n");
}

/* ---- the archive ---- */

/* The archive while it is filled.  The parts built in memory are kept
 * here until the archive is closed: libzip reads its sources then, and
 * handing it the buffers to free would leave it unclear, on failure,
 * who frees them. */
typedef struct docx_zip {
    zip_t *za;
    const char *path;
    brisk_error *err;
    char *built[2];   /* core.xml, document.xml */
    size_t nbuilt;
} docx_zip;

static brisk_status zip_failed(docx_zip *z, const char *what, const char *entry)
{
    brisk_error_at(z->err, z->path, 0, 0);
    return brisk_error_set(z->err, BRISK_ERR_WRITE, "cannot write the Word document: %s %s: %s",
                           what, entry, zip_strerror(z->za));
}

/* Add an entry holding data (len bytes, alive until the archive is
 * closed), deflated, with the fixed date. */
static brisk_status add_entry(docx_zip *z, const char *name, const char *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z->za, data, len, 0);
    if (!src)
        return zip_failed(z, "cannot hold", name);
    zip_int64_t idx = zip_file_add(z->za, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return zip_failed(z, "cannot add", name);
    }
    if (zip_set_file_compression(z->za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) != 0)
        return zip_failed(z, "cannot compress", name);
    if (zip_file_set_mtime(z->za, (zip_uint64_t)idx, ENTRY_MTIME, 0) != 0)
        return zip_failed(z, "cannot date", name);
    return BRISK_OK;
}

static brisk_status add_static(docx_zip *z, const char *name, const char *text)
{
    return add_entry(z, name, text, strlen(text));
}

/* Build a part with fill and add it to the archive. */
static brisk_status add_built(docx_zip *z, const char *name, const brisk_table_list *list,
                              void (*fill)(docx_doc *, const brisk_table_list *))
{
    docx_doc d = {.ok = true};
    fill(&d, list);
    if (!d.ok) {
        brisk_buf_free(&d.xml);
        brisk_error_at(z->err, z->path, 0, 0);
        return brisk_error_set(z->err, BRISK_ERR_NOMEM,
                               "out of memory while writing the Word document");
    }
    z->built[z->nbuilt++] = d.xml.data;
    return add_entry(z, name, d.xml.data, d.xml.len);
}

static brisk_status add_parts(docx_zip *z, const brisk_table_list *list)
{
    TRY(add_static(z, "[Content_Types].xml", content_types));
    TRY(add_static(z, "_rels/.rels", package_rels));
    TRY(add_static(z, "docProps/app.xml", app_properties));
    TRY(add_built(z, "docProps/core.xml", list, core_properties));
    TRY(add_static(z, "word/_rels/document.xml.rels", document_rels));
    TRY(add_static(z, "word/styles.xml", styles));
    return add_built(z, "word/document.xml", list, document);
}

brisk_status brisk_write_docx(const char *path, const brisk_table_list *list, brisk_error *err)
{
    if (!path || !path[0] || !list)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "a Word document needs a file name");
    int code = 0;
    docx_zip z = {.path = path, .err = err};
    if (!(z.za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code))) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        brisk_error_at(err, path, 0, 0);
        brisk_status s = brisk_error_set(err, BRISK_ERR_WRITE,
                                         "cannot create the Word document: %s",
                                         zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return s;
    }
    brisk_status s = add_parts(&z, list);
    /* The archive is written by zip_close (to a temporary file libzip
     * renames); discarded, nothing is written. */
    if (s != BRISK_OK) {
        zip_discard(z.za);
    } else if (zip_close(z.za) != 0) {
        s = zip_failed(&z, "cannot finish", "the archive");
        zip_discard(z.za);
    }
    for (size_t k = 0; k < z.nbuilt; k++)
        free(z.built[k]);
    return s;
}
