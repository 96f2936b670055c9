/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Excel workbook: a sheet per table (or per run of tables sharing a sheet
 * name), on libxlsxwriter.
 *
 * Numbers go into cells as numbers at full precision; what Excel shows is
 * set by a number format per column kind, so the sheet reads like the text
 * writers while the cell keeps the value for further work.
 *
 * libxlsxwriter's sharp edges, and what this file does about them:
 * - NaN and Inf make a file Excel must repair: a missing value is a blank
 *   cell with the column's format (a blank without a format is dropped).
 * - An invalid or repeated sheet name makes workbook_add_worksheet print a
 *   warning and fail: names are made valid and unique here first.
 * - A one-cell merge is an error: a group over one column is a plain cell.
 * - Text that is not UTF-8, or longer than a cell holds, would make a file
 *   Excel refuses or a call that fails: such text is repaired or cut here.
 * - The file is only opened in workbook_close, which prints to standard
 *   error when it cannot be: the path is checked first, so an unwritable
 *   path is our error, reported before any work.
 * - Every status is checked. */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "brisk/version.h"
#include "core/util.h"
#include "export_internal.h"

#define SHEET_NAME_MAX 31                        /* characters, Excel's rule */
#define SHEET_NAME_BYTES (SHEET_NAME_MAX * 4 + 1) /* UTF-8 */
#define CELL_TEXT_MAX 32767                      /* characters in a cell */
#define MAX_DECIMALS 15                          /* a double holds no more */
#define WIDTH_MIN 4                              /* column widths, in characters */
#define WIDTH_MAX 60
#define WIDTH_PADDING 2
#define WARNING_WIDTH_MAX 100
#define GAP_ROWS 2                               /* blank rows between stacked tables */
#define TITLE_FONT_SIZE 13
#define TITLE_ROW_HEIGHT 18                      /* points: room for the larger font */
#define ROW_PIXELS 20                            /* a default row: 15 points */
#define ROW_POINTS 15.0
#define NOTE_WRAP_SLACK 1.15                     /* wrapped lines break at words: room to spare */
#define NOTE_LINES_MAX 27                        /* 409 points, Excel's tallest row */
#define CHART_WIDTH_PIXELS 480                   /* libxlsxwriter's default chart */
#define CHART_HEIGHT_PIXELS 288
#define CHART_SCALE_MAX 4.0

/* The APA p-value: no leading zero, "< .001" below a thousandth. */
static const char pvalue_format[] = "[<0.001]\"< .001\";.000";

typedef struct xlsx_formats {
    lxw_format *title;
    lxw_format *group;
    lxw_format *header;
    lxw_format *header_numeric;   /* right-aligned, over numbers */
    lxw_format *note;
    lxw_format *note_wrap;        /* merged over the table's columns */
    lxw_format *text_numeric;     /* text in place of a number, aligned like one */
    lxw_format *pvalue;
    lxw_format *decimals[MAX_DECIMALS + 1];   /* "0", "0.0", ...: made when first needed */
} xlsx_formats;

typedef struct xlsx_writer {
    lxw_workbook *wb;
    const char *path;
    brisk_error *err;
    xlsx_formats fmt;
    char (*names)[SHEET_NAME_BYTES];   /* sheet names given so far */
    size_t nnames, cap_names;
} xlsx_writer;

/* One worksheet while its tables are written, one under the other. */
typedef struct xlsx_sheet {
    lxw_worksheet *ws;
    const char *name;
    lxw_row_t row;          /* the next free row */
    lxw_row_t clear_row;    /* the first row below every chart so far */
    size_t *widths;         /* display width of each column, in characters */
    size_t ncols;
    bool frozen;            /* the first table's header: frozen, and repeated on each
                               printed page */
} xlsx_sheet;

/* ---- errors ---- */

static brisk_status status_of_lxw(lxw_error e)
{
    if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
        return BRISK_ERR_NOMEM;
    if (e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
        return BRISK_ERR_LIMIT;
    return BRISK_ERR_WRITE;
}

/* A failed libxlsxwriter call, with what we were doing and its own words. */
static brisk_status lxw_failed(xlsx_writer *w, lxw_error e, const char *what, const char *sheet)
{
    brisk_error_at(w->err, w->path, 0, 0);
    if (sheet)
        return brisk_error_set(w->err, status_of_lxw(e), "%s on sheet '%s': %s", what, sheet,
                               lxw_strerror(e));
    return brisk_error_set(w->err, status_of_lxw(e), "%s: %s", what, lxw_strerror(e));
}

static brisk_status check(xlsx_writer *w, lxw_error e, const char *what, const char *sheet)
{
    return e == LXW_NO_ERROR ? BRISK_OK : lxw_failed(w, e, what, sheet);
}

static brisk_status out_of_memory(xlsx_writer *w)
{
    brisk_error_at(w->err, w->path, 0, 0);
    return brisk_error_set(w->err, BRISK_ERR_NOMEM, "out of memory while writing the workbook");
}

/* ---- text as Excel accepts it ---- */

static size_t utf8_sequence_length(unsigned char lead)
{
    return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

/* Characters as libxlsxwriter counts them (code points). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* s when it is valid UTF-8 of at most max_chars characters; otherwise a
 * repaired copy in *copy (a stray byte becomes U+FFFD, the rest is cut),
 * which the caller frees.  NULL when out of memory. */
static const char *excel_text(const char *s, size_t max_chars, char **copy)
{
    *copy = NULL;
    size_t n = strlen(s);
    if (brisk_utf8_invalid_at(s, n) == (size_t)-1 && utf8_chars(s) <= max_chars)
        return s;
    brisk_buf b = {0};
    bool ok = brisk_buf_puts(&b, "");
    for (size_t i = 0, chars = 0; ok && i < n && chars < max_chars; chars++) {
        size_t len = utf8_sequence_length((unsigned char)s[i]);
        if (i + len <= n && brisk_utf8_invalid_at(s + i, len) == (size_t)-1) {
            ok = brisk_buf_append(&b, s + i, len);
            i += len;
        } else {
            ok = brisk_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    if (!ok) {
        brisk_buf_free(&b);
        return NULL;
    }
    *copy = b.data;
    return b.data;
}

/* ---- sheet names ---- */

/* A character of a sheet name: Excel forbids []:*?/\ and control
 * characters.  Readable stand-ins keep the name legible ("alpha/omega" ->
 * "alpha-omega"); '\0' drops the character. */
static char sheet_name_char(char c)
{
    switch (c) {
    case ':': case '*': case '?': return '\0';
    case '[': return '(';
    case ']': return ')';
    case '/': case '\\': return '-';
    default: return (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c;
    }
}

/* Excel's rules: 1..31 characters, no forbidden character, no apostrophe
 * at either end; blanks are trimmed and not doubled.  s must be valid
 * UTF-8; out has SHEET_NAME_BYTES. */
static void clean_sheet_name(const char *s, size_t max_chars, char *out)
{
    size_t len = 0, chars = 0;
    while (*s && chars < max_chars) {
        size_t n = utf8_sequence_length((unsigned char)*s);
        if (n > 1) {
            memcpy(out + len, s, n);
            len += n;
            s += n;
            chars++;
            continue;
        }
        char c = sheet_name_char(*s++);
        bool skip = c == '\0' || ((c == ' ' || c == '\'') && len == 0) ||
                    (c == ' ' && out[len - 1] == ' ');
        if (!skip) {
            out[len++] = c;
            chars++;
        }
    }
    while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\''))
        len--;
    out[len] = '\0';
}

static bool sheet_name_taken(const xlsx_writer *w, const char *name)
{
    /* Excel compares sheet names without case, and keeps "History" for itself. */
    if (strcasecmp(name, "History") == 0)
        return true;
    for (size_t k = 0; k < w->nnames; k++)
        if (strcasecmp(w->names[k], name) == 0)
            return true;
    return false;
}

/* A valid name not yet used, from wanted: "Name", then "Name (2)", ... all
 * within 31 characters.  Remembered, and returned in w->names. */
static brisk_status unique_sheet_name(xlsx_writer *w, const char *wanted, const char **name)
{
    char *copy;
    const char *base = excel_text(wanted, CELL_TEXT_MAX, &copy);
    if (!base)
        return out_of_memory(w);
    char out[SHEET_NAME_BYTES];
    clean_sheet_name(base, SHEET_NAME_MAX, out);
    if (!out[0]) {
        base = "Table";
        clean_sheet_name(base, SHEET_NAME_MAX, out);
    }
    for (unsigned k = 2; sheet_name_taken(w, out); k++) {
        char suffix[16];
        int n = snprintf(suffix, sizeof suffix, " (%u)", k);
        clean_sheet_name(base, SHEET_NAME_MAX - (size_t)n, out);
        strcat(out, suffix);
    }
    free(copy);
    if (!brisk_grow((void **)&w->names, &w->cap_names, w->nnames + 1, sizeof *w->names))
        return out_of_memory(w);
    memcpy(w->names[w->nnames], out, sizeof out);
    *name = w->names[w->nnames++];
    return BRISK_OK;
}

static brisk_status add_sheet(xlsx_writer *w, const char *wanted, xlsx_sheet *sh)
{
    TRY(unique_sheet_name(w, wanted, &sh->name));
    sh->ws = workbook_add_worksheet(w->wb, sh->name);
    if (!sh->ws)   /* the name is valid and new, so only memory is left to fail */
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "cannot add a sheet", sh->name);
    /* Printed: landscape, one page wide (as many long as it takes), the
     * sheet's name and the page in the footer. */
    worksheet_set_landscape(sh->ws);
    worksheet_fit_to_pages(sh->ws, 1, 0);
    return check(w, worksheet_set_footer(sh->ws, "&L&A&RPage &P of &N"), "cannot set the footer",
                 sh->name);
}

/* ---- formats ---- */

static brisk_status new_format(xlsx_writer *w, lxw_format **f)
{
    *f = workbook_add_format(w->wb);
    return *f ? BRISK_OK : out_of_memory(w);
}

static brisk_status create_formats(xlsx_writer *w)
{
    xlsx_formats *f = &w->fmt;
    TRY(new_format(w, &f->title));
    format_set_bold(f->title);
    format_set_font_size(f->title, TITLE_FONT_SIZE);
    /* A spanning header with a rule under it, as in APA tables. */
    TRY(new_format(w, &f->group));
    format_set_bold(f->group);
    format_set_align(f->group, LXW_ALIGN_CENTER);
    format_set_bottom(f->group, LXW_BORDER_THIN);
    TRY(new_format(w, &f->header));
    format_set_bold(f->header);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    TRY(new_format(w, &f->header_numeric));
    format_set_bold(f->header_numeric);
    format_set_bottom(f->header_numeric, LXW_BORDER_THIN);
    format_set_align(f->header_numeric, LXW_ALIGN_RIGHT);
    TRY(new_format(w, &f->note));
    format_set_italic(f->note);
    /* A note across its table's columns, wrapped: printed within the page
     * rather than running off its right edge. */
    TRY(new_format(w, &f->note_wrap));
    format_set_italic(f->note_wrap);
    format_set_text_wrap(f->note_wrap);
    format_set_align(f->note_wrap, LXW_ALIGN_VERTICAL_TOP);
    TRY(new_format(w, &f->text_numeric));
    format_set_align(f->text_numeric, LXW_ALIGN_RIGHT);
    TRY(new_format(w, &f->pvalue));
    format_set_num_format(f->pvalue, pvalue_format);
    return BRISK_OK;
}

/* "0", "0.0", "0.000", ... for a number of decimals. */
static lxw_format *decimals_format(xlsx_writer *w, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > MAX_DECIMALS)
        decimals = MAX_DECIMALS;
    lxw_format **f = &w->fmt.decimals[decimals];
    if (!*f && (*f = workbook_add_format(w->wb)) != NULL) {
        char code[MAX_DECIMALS + 3] = "0.";
        memset(code + 2, '0', (size_t)decimals);
        code[decimals ? decimals + 2 : 1] = '\0';
        format_set_num_format(*f, code);
    }
    return *f;
}

/* The format of a number in a column, as the text writers show it. */
static lxw_format *number_format(xlsx_writer *w, const brisk_table_column *c)
{
    switch (c->kind) {
    case BRISK_CELL_PVALUE: return w->fmt.pvalue;
    case BRISK_CELL_NUMBER:
    case BRISK_CELL_PERCENT: return decimals_format(w, c->decimals);   /* already 0..100 */
    default: return decimals_format(w, 0);
    }
}

/* A column's width in Excel's characters for the widest text shown in it. */
static double column_width(size_t chars, size_t max)
{
    size_t w = chars < WIDTH_MIN ? WIDTH_MIN : chars > max ? max : chars;
    return (double)(w + WIDTH_PADDING);
}

/* ---- cells ---- */

static brisk_status write_text(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row, lxw_col_t col,
                               const char *s, lxw_format *f)
{
    char *copy;
    const char *text = excel_text(s, CELL_TEXT_MAX, &copy);
    if (!text)
        return out_of_memory(w);
    lxw_error e = worksheet_write_string(sh->ws, row, col, text, f);
    free(copy);
    return check(w, e, "cannot write a text cell", sh->name);
}

static brisk_status write_cell(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row, lxw_col_t col,
                               const brisk_table_column *c, const brisk_cell *cell)
{
    if (c->kind == BRISK_CELL_TEXT)
        return cell->text ? write_text(w, sh, row, col, cell->text, NULL) : BRISK_OK;
    if (cell->text)   /* a numeric column may carry a text in place of a value */
        return write_text(w, sh, row, col, cell->text, w->fmt.text_numeric);
    if (c->kind == BRISK_CELL_BOOL)
        return isfinite(cell->num) ? write_text(w, sh, row, col, cell->num != 0 ? "yes" : "no", NULL)
                                   : BRISK_OK;
    lxw_format *f = number_format(w, c);
    if (!f)
        return out_of_memory(w);
    /* NaN and Inf would make Excel repair the file: a missing value is a
     * blank cell, formatted so it is kept and typing into it looks right. */
    if (!isfinite(cell->num))
        return check(w, worksheet_write_blank(sh->ws, row, col, f), "cannot write a blank cell",
                     sh->name);
    return check(w, worksheet_write_number(sh->ws, row, col, cell->num, f),
                 "cannot write a number", sh->name);
}

/* ---- one table ---- */

static bool same_group(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool has_groups(const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].group)
            return true;
    return false;
}

/* The end (exclusive) of the run of adjacent columns in col's group. */
static size_t group_run_end(const brisk_table *t, size_t col)
{
    size_t k = col + 1;
    while (k < t->ncols && same_group(t->cols[col].group, t->cols[k].group))
        k++;
    return k;
}

static size_t group_run_start(const brisk_table *t, size_t col)
{
    while (col > 0 && same_group(t->cols[col - 1].group, t->cols[col].group))
        col--;
    return col;
}

static brisk_status write_title(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row, const char *title)
{
    TRY(check(w, worksheet_set_row(sh->ws, row, TITLE_ROW_HEIGHT, NULL), "cannot size the title row",
              sh->name));
    return write_text(w, sh, row, 0, title, w->fmt.title);
}

/* Spanning headers: a run of columns is merged under its group, but a run
 * of one is a plain cell (libxlsxwriter refuses a one-cell merge). */
static brisk_status write_groups(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row,
                                 const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j = group_run_end(t, j)) {
        const char *g = t->cols[j].group;
        size_t last = group_run_end(t, j) - 1;
        if (!g)
            continue;
        if (last == j) {
            TRY(write_text(w, sh, row, (lxw_col_t)j, g, w->fmt.group));
            continue;
        }
        /* worksheet_merge_range ignores the status of writing its text, so
         * the text is made acceptable first. */
        char *copy;
        const char *text = excel_text(g, CELL_TEXT_MAX, &copy);
        if (!text)
            return out_of_memory(w);
        lxw_error e = worksheet_merge_range(sh->ws, row, (lxw_col_t)j, row, (lxw_col_t)last, text,
                                            w->fmt.group);
        free(copy);
        TRY(check(w, e, "cannot merge a group header", sh->name));
    }
    return BRISK_OK;
}

static brisk_status write_headers(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row,
                                  const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j++) {
        lxw_format *f = brisk_column_is_numeric(&t->cols[j]) ? w->fmt.header_numeric : w->fmt.header;
        TRY(write_text(w, sh, row, (lxw_col_t)j, t->cols[j].header, f));
    }
    return BRISK_OK;
}

static brisk_status write_rows(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t first,
                               const brisk_table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t j = 0; j < t->ncols; j++)
            TRY(write_cell(w, sh, first + (lxw_row_t)i, (lxw_col_t)j, &t->cols[j],
                           brisk_table_cell(t, i, j)));
    return BRISK_OK;
}

/* One note over the table's columns (room: their width in characters),
 * merged and wrapped, its row tall enough for the lines it wraps to
 * (Excel sizes no merged row by itself). */
static brisk_status write_note(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t row,
                               const brisk_table *t, const char *note, double room)
{
    if (t->ncols < 2)
        return write_text(w, sh, row, 0, note, w->fmt.note);
    char *copy;
    const char *text = excel_text(note, CELL_TEXT_MAX, &copy);
    if (!text)
        return out_of_memory(w);
    lxw_error e = worksheet_merge_range(sh->ws, row, 0, row, (lxw_col_t)(t->ncols - 1), text,
                                        w->fmt.note_wrap);
    double lines = ceil((double)brisk_utf8_width(text) * NOTE_WRAP_SLACK / room);
    free(copy);
    TRY(check(w, e, "cannot write a note", sh->name));
    if (lines > 1)
        TRY(check(w, worksheet_set_row(sh->ws, row, ROW_POINTS * fmin(lines, NOTE_LINES_MAX), NULL),
                  "cannot size a note's row", sh->name));
    return BRISK_OK;
}

/* Notes one per row, the first introduced as in APA tables (and the text
 * writer); widths are the table's columns as shown. */
static brisk_status write_notes(xlsx_writer *w, const xlsx_sheet *sh, lxw_row_t first,
                                const brisk_table *t, const size_t *widths)
{
    double room = 0;
    for (size_t j = 0; j < t->ncols; j++)
        room += column_width(widths[j], WIDTH_MAX);
    for (size_t k = 0; k < t->nnotes; k++) {
        brisk_buf b = {0};
        if (!brisk_buf_printf(&b, "%s%s", k ? "" : "Note. ", t->notes[k])) {
            brisk_buf_free(&b);
            return out_of_memory(w);
        }
        brisk_status s = write_note(w, sh, first + (lxw_row_t)k, t, b.data, room);
        brisk_buf_free(&b);
        TRY(s);
    }
    return BRISK_OK;
}

/* A merged group label wider than its columns widens the last of them. */
static void widen_for_groups(const brisk_table *t, size_t *widths)
{
    for (size_t j = 0; j < t->ncols; j = group_run_end(t, j)) {
        if (!t->cols[j].group)
            continue;
        size_t end = group_run_end(t, j), room = 0;
        for (size_t k = j; k < end; k++)
            room += widths[k] + (k > j ? WIDTH_PADDING : 0);
        size_t need = brisk_utf8_width(t->cols[j].group);
        if (need > room)
            widths[end - 1] += need - room;
    }
}

/* ---- charts ---- */

/* Chart text is literal: libxlsxwriter would take a leading '=' for a
 * formula, so such a text gets a blank in front.  Caller frees. */
static char *chart_text(const char *s)
{
    char *copy, *out = NULL;
    const char *text = excel_text(s, CELL_TEXT_MAX, &copy);
    if (text && asprintf(&out, "%s%s", text[0] == '=' ? " " : "", text) < 0)
        out = NULL;
    free(copy);
    for (char *p = out; p && *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return out;
}

/* Where a series' name is shown: its header, or its group when the value
 * columns share a header ("Agree %" under "crime", "fees", ...). */
static void series_name_cell(const brisk_table *t, size_t k, lxw_row_t header_row,
                             lxw_row_t *row, lxw_col_t *col)
{
    size_t c = t->chart.value_cols[k];
    bool shared = false;
    for (size_t m = 0; m < t->chart.nvalues; m++)
        shared |= m != k && strcmp(t->cols[t->chart.value_cols[m]].header, t->cols[c].header) == 0;
    if (shared && t->cols[c].group) {
        *row = header_row - 1;
        *col = (lxw_col_t)group_run_start(t, c);
    } else {
        *row = header_row;
        *col = (lxw_col_t)c;
    }
}

/* Taller bars charts (wider column charts) for many bars, so none is a
 * sliver: about 12 pixels a bar and 8 between categories. */
static double chart_scale(const brisk_table *t, double base_pixels)
{
    double need = 110.0 + (double)t->nrows * ((double)t->chart.nvalues * 12.0 + 8.0);
    double scale = need / base_pixels;
    return scale < 1 ? 1 : scale > CHART_SCALE_MAX ? CHART_SCALE_MAX : scale;
}

/* The widest category label, in characters. */
static size_t longest_category(const brisk_table *t)
{
    size_t longest = 0, c = t->chart.category_col;
    for (size_t i = 0; i < t->nrows; i++) {
        char buf[256];
        size_t w = brisk_utf8_width(brisk_table_format_cell(&t->cols[c], brisk_table_cell(t, i, c),
                                                            buf, sizeof buf));
        longest = w > longest ? w : longest;
    }
    return longest;
}

/* Room for the category labels beside the bars (or under the columns,
 * where crowded labels are slanted and take height): about 6 pixels a
 * character, so long labels do not squeeze the plot to a strip. */
static double label_scale(const brisk_table *t, double base_pixels)
{
    double scale = 1.0 + (double)longest_category(t) * 6.0 / base_pixels;
    return scale > 2.0 ? 2.0 : scale;
}

static brisk_status chart_columns_valid(xlsx_writer *w, const brisk_table *t)
{
    bool ok = t->chart.category_col < t->ncols && t->chart.value_cols;
    for (size_t k = 0; ok && k < t->chart.nvalues; k++)
        ok = t->chart.value_cols[k] < t->ncols;
    if (ok)
        return BRISK_OK;
    brisk_error_at(w->err, w->path, 0, 0);
    return brisk_error_set(w->err, BRISK_ERR_ARGUMENT,
                           "the chart of table '%s' names a column the table does not have", t->id);
}

static brisk_status add_series(xlsx_writer *w, const xlsx_sheet *sh, lxw_chart *chart,
                               const brisk_table *t, lxw_row_t header_row)
{
    lxw_row_t first = header_row + 1, last = header_row + (lxw_row_t)t->nrows;
    lxw_col_t cat = (lxw_col_t)t->chart.category_col;
    for (size_t k = 0; k < t->chart.nvalues; k++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series)
            return out_of_memory(w);
        lxw_col_t c = (lxw_col_t)t->chart.value_cols[k];
        chart_series_set_categories(series, sh->name, first, cat, last, cat);
        chart_series_set_values(series, sh->name, first, c, last, c);
        lxw_row_t name_row;
        lxw_col_t name_col;
        series_name_cell(t, k, header_row, &name_row, &name_col);
        chart_series_set_name_range(series, sh->name, name_row, name_col);
    }
    return BRISK_OK;
}

static brisk_status set_chart_texts(xlsx_writer *w, lxw_chart *chart, lxw_chart_axis *value_axis,
                                    const brisk_table *t)
{
    const char *title = t->chart.title ? t->chart.title : t->title;
    if (title[0]) {
        char *s = chart_text(title);
        if (!s)
            return out_of_memory(w);
        chart_title_set_name(chart, s);
        free(s);
    }
    if (t->chart.axis_title && t->chart.axis_title[0]) {
        char *s = chart_text(t->chart.axis_title);
        if (!s)
            return out_of_memory(w);
        chart_axis_set_name(value_axis, s);
        free(s);
    }
    return BRISK_OK;
}

/* A native chart of the table's own cells, to the right of the table.
 * Rows below it are kept clear of the next table on the sheet. */
static brisk_status insert_chart(xlsx_writer *w, xlsx_sheet *sh, const brisk_table *t,
                                 lxw_row_t top_row, lxw_row_t header_row)
{
    const brisk_table_chart *c = &t->chart;
    if (c->type != BRISK_CHART_BAR && c->type != BRISK_CHART_COLUMN)
        return BRISK_OK;
    TRY(chart_columns_valid(w, t));
    if (t->nrows == 0 || c->nvalues == 0)   /* nothing to draw: a chart needs a series */
        return BRISK_OK;
    bool bar = c->type == BRISK_CHART_BAR;
    lxw_chart *chart = workbook_add_chart(w->wb, bar ? LXW_CHART_BAR : LXW_CHART_COLUMN);
    if (!chart)
        return out_of_memory(w);
    TRY(add_series(w, sh, chart, t, header_row));
    /* In a bar chart the value axis is the x axis, and the categories run
     * bottom-up unless reversed; reversed, they read in the table's order,
     * with the value axis kept at the bottom. */
    lxw_chart_axis *value_axis = bar ? chart->x_axis : chart->y_axis;
    lxw_chart_axis *category_axis = bar ? chart->y_axis : chart->x_axis;
    if (bar) {
        chart_axis_set_reverse(category_axis);
        chart_axis_set_crossing_max(category_axis);
    }
    /* Category labels at the low end, not on the zero line among the bars
     * of negative values (a path coefficient of -.33). */
    chart_axis_set_label_position(category_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    TRY(set_chart_texts(w, chart, value_axis, t));
    if (isfinite(c->axis_min))
        chart_axis_set_min(value_axis, c->axis_min);
    if (isfinite(c->axis_max))
        chart_axis_set_max(value_axis, c->axis_max);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {
        .x_scale = bar ? label_scale(t, CHART_WIDTH_PIXELS) : chart_scale(t, CHART_WIDTH_PIXELS),
        .y_scale = bar ? chart_scale(t, CHART_HEIGHT_PIXELS) : label_scale(t, CHART_HEIGHT_PIXELS)};
    TRY(check(w, worksheet_insert_chart_opt(sh->ws, top_row, (lxw_col_t)(t->ncols + 1), chart, &opt),
              "cannot insert a chart", sh->name));
    lxw_row_t rows = (lxw_row_t)ceil(CHART_HEIGHT_PIXELS * opt.y_scale / ROW_PIXELS) + 1;
    if (top_row + rows > sh->clear_row)
        sh->clear_row = top_row + rows;
    return BRISK_OK;
}

/* ---- sheets ---- */

/* Refuse a table the sheet cannot hold before writing half of it. */
static brisk_status check_table_fits(xlsx_writer *w, const xlsx_sheet *sh, const brisk_table *t)
{
    size_t rows = 3 + t->nrows + t->nnotes;   /* title, groups, header */
    size_t cols = t->ncols + (t->chart.type != BRISK_CHART_NONE ? 2 : 0);
    if (sh->row <= LXW_ROW_MAX && rows <= LXW_ROW_MAX - sh->row && cols <= LXW_COL_MAX)
        return BRISK_OK;
    brisk_error_at(w->err, w->path, 0, 0);
    return brisk_error_set(w->err, BRISK_ERR_LIMIT,
                           "table '%s' does not fit on a sheet (Excel holds %d rows and %d columns)",
                           t->id, LXW_ROW_MAX, LXW_COL_MAX);
}

static brisk_status write_table_body(xlsx_writer *w, xlsx_sheet *sh, const brisk_table *t,
                                     const size_t *widths)
{
    TRY(check_table_fits(w, sh, t));
    lxw_row_t top = sh->row, row = sh->row;
    if (t->title[0])
        TRY(write_title(w, sh, row++, t->title));
    if (has_groups(t))
        TRY(write_groups(w, sh, row++, t));
    lxw_row_t header_row = row++;
    TRY(write_headers(w, sh, header_row, t));
    if (!sh->frozen) {   /* the first table's header stays in view, and on every page */
        worksheet_freeze_panes(sh->ws, header_row + 1, 0);
        TRY(check(w, worksheet_repeat_rows(sh->ws, top, header_row),
                  "cannot repeat the header rows", sh->name));
        sh->frozen = true;
    }
    TRY(write_rows(w, sh, row, t));
    row += (lxw_row_t)t->nrows;
    TRY(write_notes(w, sh, row, t, widths));
    row += (lxw_row_t)t->nnotes;
    TRY(insert_chart(w, sh, t, top, header_row));
    sh->row = row;
    return BRISK_OK;
}

static brisk_status write_table(xlsx_writer *w, xlsx_sheet *sh, const brisk_table *t)
{
    brisk_rendered r;
    if (brisk_render_table(t, &r) != BRISK_OK)
        return out_of_memory(w);
    brisk_status s = write_table_body(w, sh, t, r.widths);
    /* Widths from the text as shown, headers included; the title, group row
     * and notes may run on into the empty cells to their right. */
    widen_for_groups(t, r.widths);
    for (size_t j = 0; j < t->ncols && s == BRISK_OK; j++)
        if (r.widths[j] > sh->widths[j])
            sh->widths[j] = r.widths[j];
    brisk_rendered_free(&r);
    return s;
}

static brisk_status set_column_widths(xlsx_writer *w, const xlsx_sheet *sh, size_t max)
{
    for (size_t j = 0; j < sh->ncols; j++)
        TRY(check(w, worksheet_set_column(sh->ws, (lxw_col_t)j, (lxw_col_t)j,
                                          column_width(sh->widths[j], max), NULL),
                  "cannot set a column width", sh->name));
    return BRISK_OK;
}

static brisk_status write_sheet_tables(xlsx_writer *w, xlsx_sheet *sh, brisk_table *const *tables,
                                       size_t n)
{
    TRY(add_sheet(w, brisk_table_sheet_name(tables[0]), sh));
    for (size_t k = 0; k < n; k++) {
        if (k) {
            sh->row += GAP_ROWS;
            if (sh->clear_row > sh->row)
                sh->row = sh->clear_row;
        }
        TRY(write_table(w, sh, tables[k]));
    }
    return set_column_widths(w, sh, WIDTH_MAX);
}

/* The tables from the first given: one sheet, or several one under the
 * other when they share a sheet name. */
static brisk_status write_sheet(xlsx_writer *w, brisk_table *const *tables, size_t n)
{
    xlsx_sheet sh = {0};
    for (size_t k = 0; k < n; k++)
        if (tables[k]->ncols > sh.ncols)
            sh.ncols = tables[k]->ncols;
    sh.widths = calloc(sh.ncols ? sh.ncols : 1, sizeof *sh.widths);
    if (!sh.widths)
        return out_of_memory(w);
    brisk_status s = write_sheet_tables(w, &sh, tables, n);
    free(sh.widths);
    return s;
}

/* The run's warnings on a sheet of their own, after the tables. */
static brisk_status write_warnings(xlsx_writer *w, const brisk_table_list *list)
{
    if (list->nwarnings == 0)
        return BRISK_OK;
    size_t width = 0;
    xlsx_sheet sh = {.ncols = 1, .widths = &width};
    TRY(add_sheet(w, "Warnings", &sh));
    TRY(write_title(w, &sh, 0, "Warnings"));
    for (size_t k = 0; k < list->nwarnings; k++) {
        TRY(write_text(w, &sh, (lxw_row_t)(k + 1), 0, list->warnings[k], NULL));
        size_t chars = brisk_utf8_width(list->warnings[k]);
        width = chars > width ? chars : width;
    }
    return set_column_widths(w, &sh, WARNING_WIDTH_MAX);
}

static brisk_status set_properties(xlsx_writer *w, const brisk_table_list *list)
{
    char creator[] = "brisk " BRISK_VERSION;
    char *copy = NULL;
    const char *title = list->count ? excel_text(list->tables[0]->title, CELL_TEXT_MAX, &copy) : NULL;
    if (list->count && !title)
        return out_of_memory(w);
    /* libxlsxwriter copies the strings; it only wants them writable. */
    lxw_doc_properties props = {.title = title && title[0] ? (char *)title : NULL, .author = creator};
    lxw_error e = workbook_set_properties(w->wb, &props);
    free(copy);
    return check(w, e, "cannot set the workbook's properties", NULL);
}

static brisk_status fill_workbook(xlsx_writer *w, const brisk_table_list *list)
{
    TRY(set_properties(w, list));
    TRY(create_formats(w));
    for (size_t k = 0; k < list->count;) {
        size_t end = k + 1;
        while (end < list->count && brisk_tables_share_sheet(list->tables[k], list->tables[end]))
            end++;
        TRY(write_sheet(w, list->tables + k, end - k));
        k = end;
    }
    return write_warnings(w, list);
}

/* ---- the file ---- */

/* libxlsxwriter opens the file only in workbook_close, and then prints its
 * complaint to standard error.  Opening it here first (without truncating
 * a file already there) makes an unwritable path our own error, before any
 * work.  *created says whether to remove it should writing fail. */
static brisk_status check_creatable(const char *path, bool *created, brisk_error *err)
{
    *created = false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd >= 0)
        *created = true;
    else if (errno == EEXIST)
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_WRITE, "cannot create the workbook: %s (%s)",
                               lxw_strerror(LXW_ERROR_CREATING_XLSX_FILE), strerror(e));
    }
    close(fd);
    return BRISK_OK;
}

/* Assemble and write the file; the workbook is freed either way. */
static brisk_status close_workbook(xlsx_writer *w)
{
    errno = 0;
    lxw_error e = workbook_close(w->wb);
    int saved = errno;
    w->wb = NULL;
    if (e == LXW_NO_ERROR)
        return BRISK_OK;
    brisk_status s = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? BRISK_ERR_NOMEM : BRISK_ERR_WRITE;
    brisk_error_at(w->err, w->path, 0, 0);
    if (saved && s == BRISK_ERR_WRITE)   /* the file, a temporary file or the zip layer */
        return brisk_error_set(w->err, s, "cannot write the workbook: %s (%s)", lxw_strerror(e),
                               strerror(saved));
    return brisk_error_set(w->err, s, "cannot write the workbook: %s", lxw_strerror(e));
}

brisk_status brisk_write_xlsx(const char *path, const brisk_table_list *list, brisk_error *err)
{
    if (!path || !path[0] || !list)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "an xlsx workbook needs a file name");
    bool created;
    TRY(check_creatable(path, &created, err));
    xlsx_writer w = {.path = path, .err = err};
    brisk_status s;
    /* In libxlsxwriter 1.1.4 this fails only for memory: the file is not
     * opened yet. */
    if (!(w.wb = workbook_new(path))) {
        brisk_error_at(err, path, 0, 0);
        s = brisk_error_set(err, BRISK_ERR_WRITE, "cannot start the workbook: %s",
                            lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED));
    } else if ((s = fill_workbook(&w, list)) != BRISK_OK) {
        lxw_workbook_free(w.wb);   /* discarded: nothing is written */
    } else {
        s = close_workbook(&w);
    }
    free(w.names);
    if (s != BRISK_OK && created)
        unlink(path);
    return s;
}
