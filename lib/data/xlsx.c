/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Excel workbook (.xlsx, Office Open XML) reader.
 *
 * The file is read into memory (at most BRISK_MAX_XLSX_FILE) and opened
 * with libzip from there (core/archive.h: every part bounded, a zip bomb
 * stopped as it inflates).  The parts are parsed by libxml2's streaming
 * reader without network, and a part that declares a document type (the
 * only way to declare entities) is refused:
 *
 *   xl/workbook.xml             the sheets, by name, in order
 *   xl/_rels/workbook.xml.rels  which part holds each sheet
 *   xl/sharedStrings.xml        the text of cells t="s"
 *   xl/styles.xml               which cell styles are dates
 *   the sheet                   its cells
 *
 * A sheet is read into a list of cells (row, column, kind, text), which
 * is then laid out as CSV would be: the first row after `skip` names the
 * columns, with header_rows >= 2 the next row is the columns' labels,
 * rows without a cell are skipped, and a column is numeric when every
 * value in it is a number (numbers, booleans as 1/0, and text that reads
 * as a number by the CSV reader's rule).  Dates stay Excel's serial day
 * numbers, with a note naming the column; error cells (#N/A, #DIV/0!) are
 * missing, with a note. */
#include <config.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlversion.h>
#include "brisk/dataset.h"
#include "core/archive.h"
#include "core/util.h"
#include "data_internal.h"

#define XLSX_MAX_COLUMNS 16384   /* XFD, Excel's last column */
#define XLSX_MAX_ROW 1048576     /* Excel's last row */

typedef enum cell_kind {
    CELL_TEXT,      /* ref: offset of the text in the arena */
    CELL_SHARED,    /* ref: index of the shared string */
    CELL_NUMBER,    /* ref: offset of the number's text in the arena */
    CELL_BOOL,      /* ref: 0 or 1 */
    CELL_ERROR      /* ref: offset of the error's text (#N/A) */
} cell_kind;

typedef struct xlsx_cell {
    size_t row;             /* 1-based, as the sheet numbers it */
    uint32_t col;           /* 0-based */
    uint8_t kind;
    bool date;
    size_t ref;
} xlsx_cell;

typedef struct xlsx_reader {
    const char *name;       /* the file, in messages */
    brisk_error *err;
    const brisk_read_options *opt;
    brisk_zip zip;
    const char *part;       /* the part being parsed, for messages */
    char **sst;             /* shared strings */
    size_t nsst, cap_sst;
    bool *xf_date;          /* cell style (xf) index -> a date format */
    size_t nxf, cap_xf;
    size_t *date_fmts;      /* custom number formats that are dates */
    size_t ndate_fmts, cap_date_fmts;
    char **sheet_names;
    char **sheet_rids;
    size_t nsheets, cap_sheets, cap_rids;
    char *sheet;            /* the sheet read (borrowed from sheet_names) */
    xlsx_cell *cells;
    size_t ncells, cap_cells;
    bool sorted;
    brisk_buf arena;
    brisk_buf text;         /* the cell or shared string being read */
} xlsx_reader;

/* ------------------------------------------------------------ errors */

__attribute__((format(printf, 3, 4)))
static brisk_status fail(xlsx_reader *r, brisk_status st, const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    brisk_error_clear(r->err);
    brisk_error_set(r->err, st, "%s", message);
    brisk_error_at(r->err, r->name, 0, 0);
    return st;
}

static brisk_status nomem(xlsx_reader *r)
{
    return fail(r, BRISK_ERR_NOMEM, "out of memory");
}

/* "B7": a cell's reference as Excel shows it. */
static const char *cell_name(size_t row, uint32_t col, char *buf, size_t size)
{
    char letters[8];
    int n = 0;
    for (uint32_t c = col + 1; c > 0 && n < 7; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    char rev[8];
    for (int i = 0; i < n; i++)
        rev[i] = letters[n - 1 - i];
    rev[n] = '\0';
    snprintf(buf, size, "%s%zu", rev, row);
    return buf;
}

/* ------------------------------------------------------------ XML */

#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif

typedef struct xml_fault {
    bool seen;
    int line;
    char message[300];
} xml_fault;

static void keep_first_fault(void *ctx, XML_ERROR_CONST xmlError *e)
{
    xml_fault *f = ctx;
    if (f->seen || !e || e->level < XML_ERR_ERROR)
        return;
    f->seen = true;
    f->line = e->line;
    snprintf(f->message, sizeof f->message, "%s", e->message ? e->message : "");
    for (char *c = f->message; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = *(c + 1) ? ' ' : '\0';
}

typedef struct xml_part {
    xmlTextReaderPtr rd;
    xml_fault fault;
    char *data;
    char where[600];
} xml_part;

static brisk_status part_open(xlsx_reader *r, xml_part *p, const char *entry)
{
    memset(p, 0, sizeof *p);
    size_t len = 0;
    r->part = entry;
    brisk_status st = brisk_zip_read(&r->zip, entry, &p->data, &len, r->err);
    if (st != BRISK_OK)
        return st;
    snprintf(p->where, sizeof p->where, "%s:%s", r->name, entry);
    if (len > INT_MAX)
        return fail(r, BRISK_ERR_LIMIT, "part %s is larger than libxml2 reads", entry);
    if (brisk_xml_has_doctype(p->data, len)) {
        fail(r, BRISK_ERR_FORMAT, "the part declares a document type (<!DOCTYPE), which "
             "Excel never writes and brisk does not read (it could declare entities)");
        brisk_error_at(r->err, p->where, 1, 0);
        return BRISK_ERR_FORMAT;
    }
    p->rd = xmlReaderForMemory(p->data, (int)len, p->where, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!p->rd)
        return nomem(r);
    xmlTextReaderSetStructuredErrorHandler(p->rd, keep_first_fault, &p->fault);
    return BRISK_OK;
}

static void part_close(xml_part *p)
{
    if (p->rd)
        xmlFreeTextReader(p->rd);
    free(p->data);
    memset(p, 0, sizeof *p);
}

static brisk_status part_error(xlsx_reader *r, xml_part *p)
{
    int line = p->fault.seen ? p->fault.line : xmlTextReaderGetParserLineNumber(p->rd);
    fail(r, BRISK_ERR_FORMAT, "not well-formed XML%s%s", p->fault.message[0] ? ": " : "",
         p->fault.message);
    brisk_error_at(r->err, p->where, line, 0);
    return BRISK_ERR_FORMAT;
}

/* An error about an element of the part, at its line. */
__attribute__((format(printf, 3, 4)))
static brisk_status part_fail(xlsx_reader *r, xml_part *p, const char *fmt, ...)
{
    char message[sizeof r->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fail(r, BRISK_ERR_FORMAT, "%s", message);
    brisk_error_at(r->err, p->where, xmlTextReaderGetParserLineNumber(p->rd), 0);
    return BRISK_ERR_FORMAT;
}

static bool named(xml_part *p, const char *local)
{
    const xmlChar *n = xmlTextReaderConstLocalName(p->rd);
    return n && strcmp((const char *)n, local) == 0;
}

/* An attribute's value (malloc'd by libxml2, the caller frees with free). */
static char *attribute(xml_part *p, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(p->rd, (const xmlChar *)name);
    char *copy = v ? brisk_strdup((const char *)v) : NULL;
    xmlFree(v);
    return copy;
}

static bool is_text_node(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* A text node's value appended to r->text, read in place. */
static brisk_status append_node_text(xlsx_reader *r, xml_part *p)
{
    const xmlChar *v = xmlTextReaderConstValue(p->rd);
    return !v || brisk_buf_puts(&r->text, (const char *)v) ? BRISK_OK : nomem(r);
}

static bool parse_size(const char *s, size_t *out)
{
    if (!s || !*s)
        return false;
    size_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* ------------------------------------------------------------ workbook */

static bool add_sheet(xlsx_reader *r, char *name, char *rid)
{
    if (!brisk_grow((void **)&r->sheet_names, &r->cap_sheets, r->nsheets + 1,
                    sizeof *r->sheet_names) ||
        !brisk_grow((void **)&r->sheet_rids, &r->cap_rids, r->nsheets + 1,
                    sizeof *r->sheet_rids))
        return false;
    r->sheet_names[r->nsheets] = name;
    r->sheet_rids[r->nsheets++] = rid;
    return true;
}

/* The relationship id of a <sheet>: r:id in whatever namespace. */
static char *sheet_rid(xml_part *p)
{
    char *rid = NULL;
    while (!rid && xmlTextReaderMoveToNextAttribute(p->rd) == 1) {
        const xmlChar *local = xmlTextReaderConstLocalName(p->rd);
        const xmlChar *prefix = xmlTextReaderConstPrefix(p->rd);
        if (prefix && local && strcmp((const char *)local, "id") == 0) {
            const xmlChar *v = xmlTextReaderConstValue(p->rd);
            rid = brisk_strdup(v ? (const char *)v : "");
        }
    }
    xmlTextReaderMoveToElement(p->rd);
    return rid;
}

static brisk_status read_workbook(xlsx_reader *r)
{
    xml_part p;
    brisk_status st = part_open(r, &p, "xl/workbook.xml");
    int ret;
    while (st == BRISK_OK && (ret = xmlTextReaderRead(p.rd)) == 1) {
        if (xmlTextReaderNodeType(p.rd) != XML_READER_TYPE_ELEMENT || !named(&p, "sheet"))
            continue;
        char *name = attribute(&p, "name");
        char *rid = sheet_rid(&p);
        if (!name || !add_sheet(r, name, rid)) {
            free(name);
            free(rid);
            st = nomem(r);
        }
    }
    if (st == BRISK_OK && ret < 0)
        st = part_error(r, &p);
    if (st == BRISK_OK && r->nsheets == 0)
        st = part_fail(r, &p, "the workbook lists no sheets");
    part_close(&p);
    return st;
}

/* Which sheet: opt->sheet by name (Excel compares names without case), or
 * the first. */
static brisk_status choose_sheet(xlsx_reader *r, size_t *which)
{
    const char *want = r->opt->sheet;
    if (!want || !*want) {
        *which = 0;
        return BRISK_OK;
    }
    for (size_t i = 0; i < r->nsheets; i++)
        if (strcasecmp(r->sheet_names[i], want) == 0) {
            *which = i;
            return BRISK_OK;
        }
    brisk_buf list = {0};
    for (size_t i = 0; i < r->nsheets && list.len < 300; i++)
        if (!brisk_buf_printf(&list, "%s'%s'", i ? ", " : "", r->sheet_names[i]))
            break;
    fail(r, BRISK_ERR_FORMAT, "no sheet '%s' in the workbook; its sheets are %s", want,
         list.data ? list.data : "?");
    brisk_error_variable(r->err, want);
    brisk_buf_free(&list);
    return BRISK_ERR_FORMAT;
}

/* The part of the sheet: its relationship's target, or by Excel's naming
 * (xl/worksheets/sheetN.xml) when the workbook has no relationships. */
static brisk_status sheet_part(xlsx_reader *r, size_t which, char **entry)
{
    *entry = NULL;
    const char *rid = r->sheet_rids[which];
    if (rid && brisk_zip_has(&r->zip, "xl/_rels/workbook.xml.rels")) {
        xml_part p;
        brisk_status st = part_open(r, &p, "xl/_rels/workbook.xml.rels");
        int ret;
        while (st == BRISK_OK && !*entry && (ret = xmlTextReaderRead(p.rd)) == 1) {
            if (xmlTextReaderNodeType(p.rd) != XML_READER_TYPE_ELEMENT ||
                !named(&p, "Relationship"))
                continue;
            char *id = attribute(&p, "Id"), *target = attribute(&p, "Target");
            if (id && target && strcmp(id, rid) == 0) {
                brisk_buf b = {0};
                bool ok = target[0] == '/' ? brisk_buf_puts(&b, target + 1)
                                           : brisk_buf_printf(&b, "xl/%s", target);
                if (!ok)
                    st = nomem(r);
                *entry = b.data;
            }
            free(id);
            free(target);
        }
        if (st == BRISK_OK && !*entry && ret < 0)
            st = part_error(r, &p);
        part_close(&p);
        if (st != BRISK_OK || *entry)
            return st;
    }
    brisk_buf b = {0};
    if (!brisk_buf_printf(&b, "xl/worksheets/sheet%zu.xml", which + 1))
        return nomem(r);
    *entry = b.data;
    return BRISK_OK;
}

/* ------------------------------------------------------------ shared strings */

static brisk_status push_shared(xlsx_reader *r)
{
    char *s = brisk_strdup(r->text.data ? r->text.data : "");
    if (!s || !brisk_grow((void **)&r->sst, &r->cap_sst, r->nsst + 1, sizeof *r->sst)) {
        free(s);
        return nomem(r);
    }
    r->sst[r->nsst++] = s;
    return BRISK_OK;
}

/* <si> holds its text in <t>, or in runs <r><t>; the phonetic runs <rPh>
 * (Japanese readings) are not part of it. */
static brisk_status read_shared_strings(xlsx_reader *r)
{
    if (!brisk_zip_has(&r->zip, "xl/sharedStrings.xml"))
        return BRISK_OK;
    xml_part p;
    brisk_status st = part_open(r, &p, "xl/sharedStrings.xml");
    int ret, phonetic = 0;
    bool capture = false;
    while (st == BRISK_OK && (ret = xmlTextReaderRead(p.rd)) == 1) {
        int type = xmlTextReaderNodeType(p.rd);
        if (is_text_node(type)) {
            if (capture)
                st = append_node_text(r, &p);
            continue;
        }
        bool empty = xmlTextReaderIsEmptyElement(p.rd) == 1;
        if (type == XML_READER_TYPE_ELEMENT && named(&p, "si")) {
            brisk_buf_reset(&r->text);
            if (empty)
                st = push_shared(r);
        } else if (type == XML_READER_TYPE_END_ELEMENT && named(&p, "si")) {
            st = push_shared(r);
        } else if (named(&p, "rPh") && !empty) {
            phonetic += type == XML_READER_TYPE_ELEMENT ? 1
                        : type == XML_READER_TYPE_END_ELEMENT ? -1 : 0;
        } else if (named(&p, "t")) {
            capture = type == XML_READER_TYPE_ELEMENT && !empty && !phonetic;
        }
    }
    if (st == BRISK_OK && ret < 0)
        st = part_error(r, &p);
    part_close(&p);
    return st;
}

/* ------------------------------------------------------------ styles */

/* Excel's built-in number formats that show dates or times. */
static bool builtin_date(size_t id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58) || (id >= 71 && id <= 81);
}

/* A format code shows a date or time when, outside quoted text, escapes
 * and [colour] brackets, it has d, m, y, h or s ("yyyy-mm-dd", "h:mm"). */
static bool code_is_date(const char *code)
{
    if (!code || strcasecmp(code, "General") == 0)
        return false;
    for (const char *c = code; *c; c++) {
        if (*c == '"') {
            const char *end = strchr(c + 1, '"');
            if (!end)
                return false;
            c = end;
        } else if (*c == '\\' || *c == '_' || *c == '*') {
            if (!*++c)
                return false;
        } else if (*c == '[') {
            const char *end = strchr(c, ']');
            if (!end)
                return false;
            if (end - c >= 2 && strchr("hHmMsS", c[1]))   /* [h]:mm elapsed time */
                return true;
            c = end;
        } else if (strchr("dDmMyYhHsS", *c)) {
            return true;
        } else if (*c == ';') {
            return false;   /* the positive section decides */
        }
    }
    return false;
}

static bool is_date_format(const xlsx_reader *r, size_t id)
{
    if (builtin_date(id))
        return true;
    for (size_t i = 0; i < r->ndate_fmts; i++)
        if (r->date_fmts[i] == id)
            return true;
    return false;
}

static brisk_status style_element(xlsx_reader *r, xml_part *p, bool in_xfs)
{
    size_t id = 0;
    char *v = attribute(p, "numFmtId");
    bool has_id = parse_size(v, &id);
    free(v);
    if (named(p, "numFmt")) {
        char *code = attribute(p, "formatCode");
        bool date = has_id && code_is_date(code);
        free(code);
        if (date && !brisk_grow((void **)&r->date_fmts, &r->cap_date_fmts, r->ndate_fmts + 1,
                                sizeof *r->date_fmts))
            return nomem(r);
        if (date)
            r->date_fmts[r->ndate_fmts++] = id;
    } else if (in_xfs && named(p, "xf")) {
        if (!brisk_grow((void **)&r->xf_date, &r->cap_xf, r->nxf + 1, sizeof *r->xf_date))
            return nomem(r);
        r->xf_date[r->nxf++] = has_id && is_date_format(r, id);
    }
    return BRISK_OK;
}

static brisk_status read_styles(xlsx_reader *r)
{
    if (!brisk_zip_has(&r->zip, "xl/styles.xml"))
        return BRISK_OK;
    xml_part p;
    brisk_status st = part_open(r, &p, "xl/styles.xml");
    int ret;
    bool in_xfs = false;
    while (st == BRISK_OK && (ret = xmlTextReaderRead(p.rd)) == 1) {
        int type = xmlTextReaderNodeType(p.rd);
        if (named(&p, "cellXfs") && xmlTextReaderIsEmptyElement(p.rd) != 1)
            in_xfs = type == XML_READER_TYPE_ELEMENT;
        else if (type == XML_READER_TYPE_ELEMENT)
            st = style_element(r, &p, in_xfs);
    }
    if (st == BRISK_OK && ret < 0)
        st = part_error(r, &p);
    part_close(&p);
    return st;
}

/* ------------------------------------------------------------ the sheet */

/* "AB12" into column 27 (0-based) and row 12; false if it is no reference. */
static bool parse_reference(const char *s, uint32_t *col, size_t *row)
{
    uint32_t c = 0;
    size_t letters = 0;
    for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
        if (++letters > 3)
            return false;
        c = c * 26 + (uint32_t)((*s | 0x20) - 'a' + 1);
    }
    if (letters == 0 || c > XLSX_MAX_COLUMNS || !parse_size(s, row) || *row == 0 ||
        *row > XLSX_MAX_ROW)
        return false;
    *col = c - 1;
    return true;
}

/* The cell being read. */
typedef struct cell_state {
    size_t row;
    uint32_t col;
    bool has_col;           /* a cell of this row was read: the next one follows it */
    char type[16];          /* t, "" when absent */
    size_t style;
    bool has_value, in_inline;
    bool capture;           /* within <v>, or an inline string's <t>: text is the value */
    int phonetic;
} cell_state;

static brisk_status arena_add(xlsx_reader *r, const char *text, size_t *offset)
{
    *offset = r->arena.len;
    return brisk_buf_append(&r->arena, text, strlen(text) + 1) ? BRISK_OK : nomem(r);
}

static brisk_status add_cell(xlsx_reader *r, const cell_state *c, cell_kind kind, size_t ref,
                             bool date)
{
    if (!brisk_grow((void **)&r->cells, &r->cap_cells, r->ncells + 1, sizeof *r->cells))
        return nomem(r);
    if (r->ncells) {
        const xlsx_cell *last = &r->cells[r->ncells - 1];
        if (last->row > c->row || (last->row == c->row && last->col >= c->col))
            r->sorted = false;
    }
    r->cells[r->ncells++] = (xlsx_cell){c->row, c->col, (uint8_t)kind, date, ref};
    return BRISK_OK;
}

static void copy_short(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; i + 1 < size && src[i]; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

/* A cell's attributes r, t and s, read in place (a sheet has millions). */
static brisk_status cell_start(xlsx_reader *r, xml_part *p, cell_state *c)
{
    char at[24] = "";
    bool has_ref = false;
    c->type[0] = '\0';
    c->style = 0;
    while (xmlTextReaderMoveToNextAttribute(p->rd) == 1) {
        const char *name = (const char *)xmlTextReaderConstLocalName(p->rd);
        const char *v = (const char *)xmlTextReaderConstValue(p->rd);
        if (!name || !v || name[1])
            continue;
        if (name[0] == 'r') {
            copy_short(at, sizeof at, v);
            has_ref = true;
        } else if (name[0] == 't') {
            copy_short(c->type, sizeof c->type, v);
        } else if (name[0] == 's' && !parse_size(v, &c->style)) {
            c->style = 0;
        }
    }
    xmlTextReaderMoveToElement(p->rd);
    if (has_ref) {
        size_t row = 0;
        if (!parse_reference(at, &c->col, &row) || row != c->row)
            return part_fail(r, p, "sheet '%s': cell reference '%.20s' is not a cell of row "
                             "%zu", r->sheet, at, c->row);
    } else {
        c->col = c->has_col ? c->col + 1 : 0;
        if (c->col >= XLSX_MAX_COLUMNS)
            return part_fail(r, p, "sheet '%s': row %zu has more than %d cells", r->sheet,
                             c->row, XLSX_MAX_COLUMNS);
    }
    c->has_col = true;
    c->has_value = c->in_inline = c->capture = false;
    c->phonetic = 0;
    brisk_buf_reset(&r->text);
    return BRISK_OK;
}

static bool type_is(const cell_state *c, const char *t)
{
    return strcmp(c->type, t) == 0;
}

/* The cell read: stored by its type (t), or refused. */
static brisk_status cell_end(xlsx_reader *r, xml_part *p, cell_state *c)
{
    char ref[24];
    const char *text = r->text.data ? r->text.data : "";
    size_t offset;
    brisk_status st;
    if (!c->has_value)
        return BRISK_OK;    /* a formatted empty cell */
#define REF cell_name(c->row, c->col, ref, sizeof ref)
    if (!c->type[0] || type_is(c, "n")) {
        double x;
        if (!brisk_parse_number(text, strlen(text), &x))
            return part_fail(r, p, "sheet '%s', cell %s: '%.40s' is not a number", r->sheet,
                             REF, text);
        bool date = c->style < r->nxf && r->xf_date[c->style];
        return (st = arena_add(r, text, &offset)) != BRISK_OK
                   ? st : add_cell(r, c, CELL_NUMBER, offset, date);
    }
    if (type_is(c, "s")) {
        size_t k;
        if (!parse_size(text, &k) || k >= r->nsst)
            return part_fail(r, p, "sheet '%s', cell %s: shared string %.20s does not exist "
                             "(the workbook has %zu)", r->sheet, REF, text, r->nsst);
        return add_cell(r, c, CELL_SHARED, k, false);
    }
    if (type_is(c, "b")) {
        if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0)
            return part_fail(r, p, "sheet '%s', cell %s: a boolean must be 0 or 1, not '%.20s'",
                             r->sheet, REF, text);
        return add_cell(r, c, CELL_BOOL, text[0] == '1', false);
    }
    if (type_is(c, "inlineStr") || type_is(c, "str") || type_is(c, "d"))
        return (st = arena_add(r, text, &offset)) != BRISK_OK
                   ? st : add_cell(r, c, CELL_TEXT, offset, false);
    if (type_is(c, "e"))
        return (st = arena_add(r, text, &offset)) != BRISK_OK
                   ? st : add_cell(r, c, CELL_ERROR, offset, false);
    return part_fail(r, p, "sheet '%s', cell %s: unknown cell type t=\"%.20s\"", r->sheet, REF,
                     c->type);
#undef REF
}

static brisk_status row_start(xlsx_reader *r, xml_part *p, cell_state *c)
{
    char *at = attribute(p, "r");
    size_t row = c->row + 1;
    if (at && (!parse_size(at, &row) || row <= c->row || row > XLSX_MAX_ROW)) {
        brisk_status st = part_fail(r, p, "sheet '%s': row number '%.20s' is not after row "
                                    "%zu", r->sheet, at, c->row);
        free(at);
        return st;
    }
    free(at);
    c->row = row;
    c->has_col = false;
    return BRISK_OK;
}

static brisk_status sheet_node(xlsx_reader *r, xml_part *p, cell_state *c)
{
    int type = xmlTextReaderNodeType(p->rd);
    if (is_text_node(type))
        return c->capture ? append_node_text(r, p) : BRISK_OK;
    bool element = type == XML_READER_TYPE_ELEMENT;
    bool empty = xmlTextReaderIsEmptyElement(p->rd) == 1;
    if (element && named(p, "row"))
        return row_start(r, p, c);
    if (element && named(p, "c"))
        return cell_start(r, p, c);   /* an empty <c/> has no end: no value */
    if (type == XML_READER_TYPE_END_ELEMENT && named(p, "c"))
        return cell_end(r, p, c);
    if (named(p, "v")) {
        c->has_value |= element;
        if (element)
            brisk_buf_reset(&r->text);
        c->capture = element && !empty;
        return BRISK_OK;
    }
    if (named(p, "is") && !empty)
        c->in_inline = element;
    else if (named(p, "rPh") && !empty)
        c->phonetic += element ? 1 : type == XML_READER_TYPE_END_ELEMENT ? -1 : 0;
    else if (named(p, "t") && c->in_inline && !c->phonetic) {
        c->has_value |= element;
        c->capture = element && !empty;
    }
    return BRISK_OK;
}

static brisk_status read_sheet(xlsx_reader *r, const char *entry)
{
    if (!brisk_zip_has(&r->zip, entry))
        return fail(r, BRISK_ERR_FORMAT, "sheet '%s' is missing from the workbook (no part "
                    "%s): a damaged file", r->sheet, entry);
    xml_part p;
    cell_state c = {0};
    r->sorted = true;
    brisk_status st = part_open(r, &p, entry);
    int ret;
    while (st == BRISK_OK && (ret = xmlTextReaderRead(p.rd)) == 1)
        st = sheet_node(r, &p, &c);
    if (st == BRISK_OK && ret < 0)
        st = part_error(r, &p);
    part_close(&p);
    return st;
}

/* ------------------------------------------------------------ the dataset */

static int compare_cells(const void *a, const void *b)
{
    const xlsx_cell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

static const char *cell_text(const xlsx_reader *r, const xlsx_cell *c)
{
    switch (c->kind) {
    case CELL_SHARED: return r->sst[c->ref];
    case CELL_BOOL: return c->ref ? "TRUE" : "FALSE";
    default: return r->arena.data + c->ref;
    }
}

static bool cell_missing(const xlsx_reader *r, const xlsx_cell *c)
{
    if (c->kind == CELL_ERROR)
        return true;
    if (c->kind != CELL_TEXT && c->kind != CELL_SHARED)
        return false;
    const char *t = cell_text(r, c);
    return brisk_data_missing_token(t, strlen(t), r->opt->na_tokens);
}

/* The layout of the sheet: header row, label row, first data row. */
typedef struct sheet_layout {
    size_t header_row, label_row, first_data;
    size_t ncols, nrows;
    size_t header_at, data_at;   /* index of the header's first cell, the data's */
} sheet_layout;

static void trim(const char **text, size_t *len)
{
    while (*len && strchr(" \t\r\n", **text)) {
        (*text)++;
        (*len)--;
    }
    while (*len && strchr(" \t\r\n", (*text)[*len - 1]))
        (*len)--;
}

static brisk_status find_layout(xlsx_reader *r, sheet_layout *l)
{
    unsigned rows = r->opt->header_rows ? r->opt->header_rows : 1;
    l->header_row = (size_t)r->opt->skip + 1;
    l->label_row = rows >= 2 ? l->header_row + 1 : 0;
    l->first_data = l->header_row + rows;
    if (r->ncells == 0)
        return fail(r, BRISK_ERR_FORMAT, "sheet '%s' is empty: no header row", r->sheet);
    size_t i = 0;
    while (i < r->ncells && r->cells[i].row < l->header_row)
        i++;
    l->header_at = i;
    if (i == r->ncells || r->cells[i].row != l->header_row)
        return fail(r, BRISK_ERR_FORMAT, "sheet '%s': row %zu, the header row, is empty%s; "
                    "the first row must name the columns", r->sheet, l->header_row,
                    r->opt->skip ? " (after skip)" : "");
    for (; i < r->ncells && r->cells[i].row == l->header_row; i++) {
        const char *t = cell_text(r, &r->cells[i]);
        size_t n = strlen(t);
        trim(&t, &n);
        if (n)
            l->ncols = (size_t)r->cells[i].col + 1;
    }
    while (i < r->ncells && r->cells[i].row < l->first_data)
        i++;
    l->data_at = i;
    size_t last = 0;
    for (; i < r->ncells; i++)
        if (r->cells[i].row != last) {
            last = r->cells[i].row;
            l->nrows++;
        }
    if (l->nrows == 0)
        return fail(r, BRISK_ERR_FORMAT, "sheet '%s': no data rows after the header; the "
                    "sheet names its columns but holds no data (is it the right sheet?)",
                    r->sheet);
    return BRISK_OK;
}

/* The header cell of column j, or NULL. */
static const xlsx_cell *header_cell(const xlsx_reader *r, const sheet_layout *l, size_t j)
{
    for (size_t i = l->header_at; i < r->ncells && r->cells[i].row == l->header_row; i++)
        if (r->cells[i].col == j)
            return &r->cells[i];
    return NULL;
}

static brisk_status add_columns(xlsx_reader *r, const sheet_layout *l, brisk_dataset *ds,
                                const bool *numeric)
{
    char ref[24];
    for (size_t j = 0; j < l->ncols; j++) {
        const xlsx_cell *h = header_cell(r, l, j);
        const char *t = h ? cell_text(r, h) : "";
        size_t n = strlen(t);
        trim(&t, &n);
        cell_name(l->header_row, (uint32_t)j, ref, sizeof ref);
        if (n == 0)
            return fail(r, BRISK_ERR_FORMAT, "sheet '%s', cell %s: column %zu has an empty "
                        "name in the header row; give every column a name", r->sheet, ref,
                        j + 1);
        char *name = brisk_strndup(t, n);
        if (!name)
            return nomem(r);
        if (brisk_dataset_find(ds, name)) {
            fail(r, BRISK_ERR_FORMAT, "sheet '%s', cell %s: a second column named '%s'; "
                 "column names must be unique, rename one of them", r->sheet, ref, name);
            brisk_error_variable(r->err, name);
            free(name);
            return BRISK_ERR_FORMAT;
        }
        brisk_status st = brisk_dataset_add_column(ds, name, numeric[j] ? BRISK_NUMERIC
                                                                        : BRISK_STRING,
                                                   NULL, r->err);
        free(name);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status add_labels(xlsx_reader *r, const sheet_layout *l, brisk_dataset *ds)
{
    if (!l->label_row)
        return BRISK_OK;
    for (size_t i = l->header_at; i < l->data_at; i++) {
        const xlsx_cell *c = &r->cells[i];
        if (c->row != l->label_row || c->col >= l->ncols)
            continue;
        const char *t = cell_text(r, c);
        size_t n = strlen(t);
        trim(&t, &n);
        brisk_column *col = &ds->cols[c->col];
        if (n && !(col->label = brisk_strndup(t, n)))
            return nomem(r);
    }
    return BRISK_OK;
}

/* Pass over the data cells: every cell in a named column, and the types. */
static brisk_status decide_types(xlsx_reader *r, const sheet_layout *l, bool *numeric)
{
    char ref[24];
    for (size_t j = 0; j < l->ncols; j++)
        numeric[j] = true;
    for (size_t i = l->data_at; i < r->ncells; i++) {
        const xlsx_cell *c = &r->cells[i];
        if (cell_missing(r, c))
            continue;
        if (c->col >= l->ncols)
            return fail(r, BRISK_ERR_FORMAT, "sheet '%s', cell %s: a value in a column with "
                        "no name in the header row (row %zu); name the column or delete the "
                        "value", r->sheet, cell_name(c->row, c->col, ref, sizeof ref),
                        l->header_row);
        double x;
        const char *t = cell_text(r, c);
        if ((c->kind == CELL_TEXT || c->kind == CELL_SHARED) &&
            !brisk_data_number(t, strlen(t), r->opt->decimal, &x))
            numeric[c->col] = false;
    }
    return BRISK_OK;
}

static brisk_status store_cell(xlsx_reader *r, brisk_column *col, size_t row,
                               const xlsx_cell *c)
{
    const char *t = cell_text(r, c);
    double x = 0;
    if (col->type == BRISK_STRING)
        return brisk_column_set_string(col, row, t) == BRISK_OK ? BRISK_OK : nomem(r);
    if (c->kind == CELL_BOOL)
        x = (double)c->ref;
    else if (c->kind == CELL_NUMBER)
        brisk_parse_number(t, strlen(t), &x);
    else
        brisk_data_number(t, strlen(t), r->opt->decimal, &x);
    brisk_column_set_number(col, row, x);
    return BRISK_OK;
}

static brisk_status fill(xlsx_reader *r, const sheet_layout *l, brisk_dataset *ds,
                         bool *dated, bool *errors)
{
    size_t row = (size_t)-1, last = 0;
    for (size_t i = l->data_at; i < r->ncells; i++) {
        const xlsx_cell *c = &r->cells[i];
        if (c->row != last) {
            last = c->row;
            row++;
        }
        if (c->kind == CELL_ERROR && c->col < l->ncols)
            errors[c->col] = true;
        if (cell_missing(r, c))
            continue;
        brisk_column *col = &ds->cols[c->col];
        dated[c->col] |= c->date && col->type == BRISK_NUMERIC;
        brisk_status st = store_cell(r, col, row, c);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status add_notes(xlsx_reader *r, brisk_dataset *ds, const bool *dated,
                              const bool *errors)
{
    for (size_t j = 0; j < ds->ncols; j++) {
        if (dated[j] &&
            brisk_dataset_add_note(ds, "%s: column '%s' holds dates, read as Excel's serial "
                                   "day numbers (1 = 1900-01-01; in R: as.Date(x, origin = "
                                   "\"1899-12-30\"))", r->name, ds->cols[j].name) != BRISK_OK)
            return nomem(r);
        if (errors[j] &&
            brisk_dataset_add_note(ds, "%s: column '%s' holds Excel errors (#N/A, #DIV/0!, "
                                   "...), read as missing", r->name, ds->cols[j].name) !=
                BRISK_OK)
            return nomem(r);
    }
    return BRISK_OK;
}

static brisk_status build(xlsx_reader *r, brisk_dataset **out)
{
    sheet_layout l = {0};
    if (!r->sorted)
        qsort(r->cells, r->ncells, sizeof *r->cells, compare_cells);
    char ref[24];
    for (size_t i = 1; i < r->ncells; i++)
        if (r->cells[i].row == r->cells[i - 1].row && r->cells[i].col == r->cells[i - 1].col)
            return fail(r, BRISK_ERR_FORMAT, "sheet '%s': cell %s is given twice", r->sheet,
                        cell_name(r->cells[i].row, r->cells[i].col, ref, sizeof ref));
    brisk_status st = find_layout(r, &l);
    if (st != BRISK_OK)
        return st;
    bool *flags = calloc(3 * (l.ncols + 1), sizeof *flags);
    brisk_dataset *ds = brisk_dataset_new(l.nrows);
    if (!flags || !ds)
        st = nomem(r);
    bool *numeric = flags, *dated = flags + l.ncols + 1, *errors = flags + 2 * (l.ncols + 1);
    if (st == BRISK_OK)
        st = decide_types(r, &l, numeric);
    if (st == BRISK_OK)
        st = add_columns(r, &l, ds, numeric);
    if (st == BRISK_OK)
        st = add_labels(r, &l, ds);
    if (st == BRISK_OK)
        st = fill(r, &l, ds, dated, errors);
    if (st == BRISK_OK)
        st = add_notes(r, ds, dated, errors);
    if (st == BRISK_OK && !(ds->source = brisk_strdup(r->name)))
        st = nomem(r);
    free(flags);
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        ds = NULL;
    }
    *out = ds;
    return st;
}

/* ------------------------------------------------------------ the file */

static brisk_status slurp(xlsx_reader *r, brisk_io *io, char **data, size_t *size)
{
    brisk_buf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = io->read(io->ctx, chunk, sizeof chunk);
        if (n < 0) {
            brisk_buf_free(&b);
            return fail(r, BRISK_ERR_OPEN, "read error: the file could not be read to the end");
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > BRISK_MAX_XLSX_FILE) {
            brisk_buf_free(&b);
            return fail(r, BRISK_ERR_LIMIT, "the workbook is larger than %u MiB; save the "
                        "sheet as CSV", BRISK_MAX_XLSX_FILE >> 20);
        }
        if (!brisk_buf_append(&b, chunk, (size_t)n)) {
            brisk_buf_free(&b);
            return nomem(r);
        }
    }
    *data = b.data;
    *size = b.len;
    return BRISK_OK;
}

static brisk_status check_signature(xlsx_reader *r, const unsigned char *b, size_t n)
{
    if (n >= 4 && memcmp(b, "\xD0\xCF\x11\xE0", 4) == 0)
        return fail(r, BRISK_ERR_FORMAT, "an OLE compound file, not an .xlsx workbook: a "
                    "password-protected (encrypted) workbook or a legacy .xls file; open it in "
                    "Excel and save it as an .xlsx workbook without a password");
    if (n < 4 || b[0] != 'P' || b[1] != 'K')
        return fail(r, BRISK_ERR_FORMAT, "not an .xlsx workbook (an .xlsx file is a zip "
                    "archive and this one does not start like one)");
    return BRISK_OK;
}

static void reader_free(xlsx_reader *r)
{
    brisk_zip_close(&r->zip);
    for (size_t i = 0; i < r->nsst; i++)
        free(r->sst[i]);
    free(r->sst);
    for (size_t i = 0; i < r->nsheets; i++) {
        free(r->sheet_names[i]);
        free(r->sheet_rids[i]);
    }
    free(r->sheet_names);
    free(r->sheet_rids);
    free(r->xf_date);
    free(r->date_fmts);
    free(r->cells);
    brisk_buf_free(&r->arena);
    brisk_buf_free(&r->text);
}

static brisk_status read_workbook_parts(xlsx_reader *r)
{
    size_t which = 0;
    char *entry = NULL;
    if (!brisk_zip_has(&r->zip, "xl/workbook.xml"))
        return fail(r, BRISK_ERR_FORMAT, "the archive holds no xl/workbook.xml: not an Excel "
                    "workbook (a .docx, .ods or another zip?); save the data as .xlsx or CSV");
    brisk_status st = read_workbook(r);
    if (st == BRISK_OK)
        st = choose_sheet(r, &which);
    if (st == BRISK_OK) {
        r->sheet = r->sheet_names[which];
        st = sheet_part(r, which, &entry);
    }
    if (st == BRISK_OK)
        st = read_shared_strings(r);
    if (st == BRISK_OK)
        st = read_styles(r);
    if (st == BRISK_OK)
        st = read_sheet(r, entry);
    free(entry);
    return st;
}

brisk_status brisk_read_xlsx(brisk_io *io, const brisk_read_options *opt,
                             brisk_dataset **out, brisk_error *err)
{
    static const brisk_read_options defaults = {0};
    if (out)
        *out = NULL;
    if (!io || !io->read || !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_read_xlsx needs an input and a place for the result");
    xlsx_reader r = {.name = io->name, .err = err, .opt = opt ? opt : &defaults};
    char *data = NULL;
    size_t size = 0;
    brisk_status st = BRISK_OK;
    if (r.opt->skip > BRISK_MAX_HEADER_ROWS || r.opt->header_rows > BRISK_MAX_HEADER_ROWS)
        st = fail(&r, BRISK_ERR_ARGUMENT, "skip and header rows may be at most %d",
                  BRISK_MAX_HEADER_ROWS);
    if (st == BRISK_OK)
        st = slurp(&r, io, &data, &size);
    if (st == BRISK_OK)
        st = check_signature(&r, (const unsigned char *)data, size);
    if (st == BRISK_OK)
        st = brisk_zip_open_memory(&r.zip, data, size, r.name, BRISK_MAX_XLSX_ENTRY,
                                   BRISK_MAX_XLSX_TOTAL, err);
    if (st == BRISK_OK)
        st = read_workbook_parts(&r);
    if (st == BRISK_OK)
        st = build(&r, out);
    reader_free(&r);
    free(data);
    return st;
}
