/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The xlsx writer: a workbook written once, read back part by part with
 * unzip (skipped where unzip is not installed), and its error paths. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>
#include "tap_skip.h"
#include "brisk.h"

#ifndef UNZIP
#define UNZIP "/usr/bin/unzip"
#endif

/* The sheet names the workbook must end up with, in order. */
#define SHEET_PATHS "Paths, by behaviour"
#define SHEET_RELIABILITY "Reliability alpha-omega (by con"   /* cleaned, cut to 31 */
#define SHEET_TRUST "\xE4\xBF\xA1\xE4\xBB\xBB trust"         /* "信任 trust" */
#define SHEET_PATHS_2 "Paths, by behaviour (2)"
#define SHEET_LONG "A very long title that is much"
#define SHEET_LONG_2 "A very long title that is m (2)"
#define LONG_TITLE "A very long title that is much longer than thirty-one characters"

typedef struct workbook_fixture {
    char dir[64];
    char path[128];
} workbook_fixture;

/* ---- building tables ---- */

static void add_columns(brisk_table *t, const char *const *keys, const brisk_cell_kind *kinds,
                        const int *decimals, size_t n)
{
    for (size_t j = 0; j < n; j++)
        assert_int_equal(brisk_table_add_column(t, keys[j], keys[j], kinds[j], decimals[j]), j);
}

/* Every kind of cell, two groups (one over two columns, one over one),
 * missing and non-finite values, a text in a numeric column, notes. */
static brisk_table *paths_table(const char *id)
{
    brisk_table *t = brisk_table_new(id, SHEET_PATHS);
    static const char *const keys[] = {"Path", "n", "Estimate", "%", "p", "Significant"};
    static const brisk_cell_kind kinds[] = {BRISK_CELL_TEXT, BRISK_CELL_INT, BRISK_CELL_NUMBER,
                                            BRISK_CELL_PERCENT, BRISK_CELL_PVALUE, BRISK_CELL_BOOL};
    static const int decimals[] = {0, 0, 3, 1, 0, 0};
    add_columns(t, keys, kinds, decimals, 6);
    assert_int_equal(brisk_table_set_group(t, 2, "crime"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 3, "crime"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 4, "fees"), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "accept ~ benefit");
    brisk_table_set_num(t, r, 1, 601);
    brisk_table_set_num(t, r, 2, 0.38549);
    brisk_table_set_num(t, r, 3, 57.25);
    brisk_table_set_num(t, r, 4, 0.0004);
    brisk_table_set_num(t, r, 5, 1);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "risk ~ trust");
    brisk_table_set_num(t, r, 1, 598);
    brisk_table_set_num(t, r, 2, -2.3856);
    brisk_table_set_num(t, r, 3, NAN);
    brisk_table_set_num(t, r, 4, 0.0342);
    brisk_table_set_num(t, r, 5, 0);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "caf\xE9 ~~ trust");   /* Latin-1, not UTF-8 */
    brisk_table_set_num(t, r, 2, INFINITY);
    brisk_table_set_num(t, r, 3, -INFINITY);
    brisk_table_set_text(t, r, 4, "n/a");
    assert_int_equal(brisk_table_add_note(t, "Listwise n = %d.", 598), BRISK_OK);
    assert_int_equal(brisk_table_add_note(t, "Standardized estimates."), BRISK_OK);
    return t;
}

static brisk_table *reliability_table(const char *sheet)
{
    brisk_table *t = brisk_table_new("reliability.alpha", "Reliability");
    static const char *const keys[] = {"Construct", "alpha", "omega"};
    static const brisk_cell_kind kinds[] = {BRISK_CELL_TEXT, BRISK_CELL_NUMBER, BRISK_CELL_NUMBER};
    static const int decimals[] = {0, 3, 3};
    add_columns(t, keys, kinds, decimals, 3);
    assert_int_equal(brisk_table_set_sheet(t, sheet), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "trust");
    brisk_table_set_num(t, r, 1, 0.8123);
    brisk_table_set_num(t, r, 2, 0.8301);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "benefit");
    brisk_table_set_num(t, r, 1, 0.7712);
    return t;
}

/* Agreement per behaviour, charted: the value columns share the header
 * "Agree %", so the series are named by their groups. */
static brisk_table *agreement_table(const char *sheet)
{
    brisk_table *t = brisk_table_new("describe.agree", "Agreement by behaviour");
    assert_int_equal(brisk_table_add_column(t, "item", "Item", BRISK_CELL_TEXT, 0), 0);
    assert_int_equal(brisk_table_add_column(t, "crime", "Agree %", BRISK_CELL_PERCENT, 1), 1);
    assert_int_equal(brisk_table_add_column(t, "fees", "Agree %", BRISK_CELL_PERCENT, 1), 2);
    assert_int_equal(brisk_table_set_group(t, 1, "Criminal records"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 2, "Payment of fees"), BRISK_OK);
    assert_int_equal(brisk_table_set_sheet(t, sheet), BRISK_OK);
    static const char *const items[] = {"tg1", "tg2", "tg3"};
    static const double crime[] = {61.538, 55.125, 70.25}, fees[] = {48.75, 42.875, 66.667};
    for (size_t i = 0; i < 3; i++) {
        size_t r = brisk_table_add_row(t);
        brisk_table_set_text(t, r, 0, items[i]);
        brisk_table_set_num(t, r, 1, crime[i]);
        brisk_table_set_num(t, r, 2, fees[i]);
    }
    const size_t values[] = {1, 2};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_BAR, "Agreement (%)", "% agree", 0,
                                           values, 2),
                     BRISK_OK);
    t->chart.axis_min = 0;
    t->chart.axis_max = 100;
    return t;
}

static brisk_table *one_number_table(const char *id, const char *title, const char *sheet,
                                     const char *text)
{
    brisk_table *t = brisk_table_new(id, title);
    assert_int_equal(brisk_table_add_column(t, "label", "Label", BRISK_CELL_TEXT, 0), 0);
    assert_int_equal(brisk_table_add_column(t, "x", "x", BRISK_CELL_NUMBER, 2), 1);
    assert_int_equal(brisk_table_set_sheet(t, sheet), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, text);
    brisk_table_set_num(t, r, 1, 2.385);
    return t;
}

static brisk_table_list *sample_list(void)
{
    static const char reliability_sheet[] = "Reliability: alpha/omega [by construct] *draft*?";
    brisk_table_list *list = brisk_table_list_new();
    assert_non_null(list);
    assert_int_equal(brisk_table_list_add(list, paths_table("demo.paths")), BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, reliability_table(reliability_sheet)), BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, agreement_table(reliability_sheet)), BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, one_number_table("x.trust", "Trust",
                                                                 "'\xE4\xBF\xA1\xE4\xBB\xBB: trust'",
                                                                 "short")),
                     BRISK_OK);
    assert_int_equal(brisk_table_list_add(list, paths_table("demo.paths.again")), BRISK_OK);
    /* A text of 80 characters: its column is capped at 60. */
    char wide[81];
    memset(wide, 'w', 80);
    wide[80] = '\0';
    assert_int_equal(brisk_table_list_add(list, one_number_table("x.long", LONG_TITLE, NULL, wide)),
                     BRISK_OK);
    /* More than a cell holds (32,767 characters): cut, not refused. */
    char *huge = malloc(40001);
    memset(huge, 'h', 40000);
    huge[40000] = '\0';
    assert_int_equal(brisk_table_list_add(list, one_number_table("x.long2", LONG_TITLE, NULL, huge)),
                     BRISK_OK);
    free(huge);
    assert_int_equal(brisk_table_list_warn(list, "item %s is constant", "pb2_fees"), BRISK_OK);
    assert_int_equal(brisk_table_list_warn(list, "Heywood case in behaviour %s", "crime"), BRISK_OK);
    return list;
}

/* ---- reading the workbook back ---- */

static bool have_unzip(void)
{
    return access(UNZIP, X_OK) == 0;
}

/* One part of the zip file, or NULL when it is not there. */
static char *unzip_part(const char *xlsx, const char *part)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, UNZIP " -p '%s' '%s' 2>/dev/null", xlsx, part);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL, chunk[4096];
    size_t size = 0, n;
    FILE *m = open_memstream(&buf, &size);
    assert_non_null(m);
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, m);
    int status = pclose(p);
    fclose(m);
    if (status != 0 || size == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *fixture_part(void **state, const char *part)
{
    const workbook_fixture *fx = *state;
    char *xml = unzip_part(fx->path, part);
    if (!xml)
        fail_msg("%s has no part %s", fx->path, part);
    return xml;
}

/* Without unzip the read-back cannot be checked. */
#define NEED_UNZIP()                                                              \
    do {                                                                          \
        if (!have_unzip())                                                        \
            BRISK_SKIP(UNZIP " is not installed: read-back not checked");         \
    } while (0)

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("missing: %s", needle);
}

static size_t count_of(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The element of one cell, e.g. <c r="D5" s="4"/>, copied into buf. */
static const char *cell_xml(const char *sheet, const char *ref, char *buf, size_t size)
{
    char open[32];
    snprintf(open, sizeof open, "<c r=\"%s\"", ref);
    const char *start = strstr(sheet, open);
    if (!start)
        return NULL;
    const char *end = strstr(start, "/>");
    const char *close = strstr(start, "</c>");
    const char *stop = close && (!end || close < end) ? close + 4 : end + 2;
    snprintf(buf, size, "%.*s", (int)(stop - start), start);
    return buf;
}

/* Every number in a part (<v> in sheets, <c:v> in chart caches) is a
 * finite number, and nothing reads NaN or inf. */
static void assert_numbers_finite(const char *xml, const char *open)
{
    size_t len = strlen(open);
    for (const char *p = xml; (p = strstr(p, open)) != NULL; p += len) {
        char *end;
        double x = strtod(p + len, &end);
        if (end == p + len)   /* a text in a chart's string cache */
            continue;
        assert_true(isfinite(x));
        assert_true(*end == '<');
    }
    assert_null(strstr(xml, "NaN"));
    assert_null(strstr(xml, "nan<"));
    assert_null(strstr(xml, "inf<"));
    assert_null(strstr(xml, "INF"));
}

/* ---- fixture: the workbook, written once through the atomic path ---- */

static int write_workbook(void **state)
{
    workbook_fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/brisk-xlsx-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/report.xlsx", fx->dir);
    brisk_table_list *list = sample_list();
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status s = brisk_write_tables_file(fx->path, BRISK_OUT_XLSX, list, &err);
    brisk_table_list_free(list);
    *state = fx;
    if (s != BRISK_OK)
        fprintf(stderr, "# %s: %s\n", err.file, err.message);
    return s == BRISK_OK ? 0 : -1;
}

static int remove_workbook(void **state)
{
    workbook_fixture *fx = *state;
    unlink(fx->path);
    int r = rmdir(fx->dir);   /* fails if anything else, a temporary file, was left */
    free(fx);
    return r;
}

/* ---- the workbook ---- */

static void test_written_atomically(void **state)
{
    const workbook_fixture *fx = *state;
    FILE *f = fopen(fx->path, "rb");
    assert_non_null(f);
    char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, f), 4);
    fclose(f);
    assert_memory_equal(magic, "PK\x03\x04", 4);   /* a zip file */
    /* Nothing beside it: the temporary file was renamed. */
    char other[160];
    snprintf(other, sizeof other, "ls -A '%s' | grep -v '^report.xlsx$' >/dev/null", fx->dir);
    assert_int_not_equal(system(other), 0);
}

static void test_sheet_names(void **state)
{
    NEED_UNZIP();
    char *wb = fixture_part(state, "xl/workbook.xml");
    static const char *const names[] = {SHEET_PATHS, SHEET_RELIABILITY, SHEET_TRUST, SHEET_PATHS_2,
                                        SHEET_LONG, SHEET_LONG_2, "Warnings"};
    const char *at = wb;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char want[128];
        snprintf(want, sizeof want, "<sheet name=\"%s\" sheetId=\"%zu\"", names[k], k + 1);
        const char *found = strstr(at, want);
        if (!found)
            fail_msg("missing sheet %zu: %s", k + 1, names[k]);
        at = found;
    }
    assert_int_equal(count_of(wb, "<sheet name="), 7);
    free(wb);
}

static void test_numbers_full_precision(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    char buf[256];
    assert_contains(cell_xml(sheet, "B4", buf, sizeof buf), "<v>601</v>");
    assert_contains(sheet, "<v>0.38549</v>");
    assert_contains(sheet, "<v>57.25</v>");
    assert_contains(sheet, "<v>0.0004</v>");
    assert_contains(sheet, "<v>-2.3856</v>");
    assert_contains(sheet, "<v>0.0342</v>");
    free(sheet);
    sheet = fixture_part(state, "xl/worksheets/sheet2.xml");
    assert_contains(sheet, "<v>0.8123</v>");
    assert_contains(sheet, "<v>61.538</v>");
    assert_contains(sheet, "<v>66.667</v>");
    free(sheet);
}

static void test_missing_and_non_finite(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    assert_numbers_finite(sheet, "<v>");
    char buf[256];
    /* NaN, +Inf and -Inf: blank cells that keep their number format. */
    static const char *const blanks[] = {"D5", "C6", "D6", "B6"};
    for (size_t k = 0; k < sizeof blanks / sizeof blanks[0]; k++) {
        const char *c = cell_xml(sheet, blanks[k], buf, sizeof buf);
        if (!c)
            fail_msg("no cell %s", blanks[k]);
        assert_non_null(strstr(c, " s=\""));
        assert_null(strstr(c, "<v>"));
        assert_non_null(strstr(c, "/>"));
    }
    /* A missing boolean is no cell at all; a text in a numeric column is a string. */
    assert_null(cell_xml(sheet, "F6", buf, sizeof buf));
    assert_non_null(strstr(cell_xml(sheet, "E6", buf, sizeof buf), "t=\"s\""));
    free(sheet);
    char *strings = fixture_part(state, "xl/sharedStrings.xml");
    assert_contains(strings, "<t>yes</t>");
    assert_contains(strings, "<t>no</t>");
    assert_contains(strings, "<t>n/a</t>");
    assert_contains(strings, "<t>caf\xEF\xBF\xBD ~~ trust</t>");   /* the stray byte repaired */
    assert_contains(strings, "<t>Note. Listwise n = 598.</t>");
    assert_contains(strings, "<t>Standardized estimates.</t>");
    assert_contains(strings, "<t>Heywood case in behaviour crime</t>");
    free(strings);
    char *chart = fixture_part(state, "xl/charts/chart1.xml");
    assert_numbers_finite(chart, "<c:v>");
    free(chart);
}

static void test_group_header_merged(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    /* "crime" spans Estimate and %; "fees" over one column is a plain cell;
     * each note spans the table's six columns (rows 7 and 8, under the
     * title, group, header rows and three rows of data). */
    assert_contains(sheet, "<mergeCells count=\"3\"><mergeCell ref=\"C2:D2\"/>"
                           "<mergeCell ref=\"A7:F7\"/><mergeCell ref=\"A8:F8\"/></mergeCells>");
    char buf[256];
    assert_non_null(strstr(cell_xml(sheet, "E2", buf, sizeof buf), "t=\"s\""));
    free(sheet);
    char *sheet2 = fixture_part(state, "xl/worksheets/sheet2.xml");
    assert_null(strstr(sheet2, "<mergeCell"));   /* two one-column groups */
    free(sheet2);
}

/* Every sheet prints landscape, one page wide, the first table's title
 * to header rows on each page, the sheet and page in the footer. */
static void test_print_setup(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "<pageSetUpPr fitToPage=\"1\"/>");
    assert_contains(sheet, "<pageSetup fitToHeight=\"0\" orientation=\"landscape\"/>");
    assert_contains(sheet, "<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>");
    free(sheet);
    char *book = fixture_part(state, "xl/workbook.xml");
    assert_contains(book, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">");
    assert_contains(book, "!$1:$3</definedName>");
    free(book);
}

static void test_frozen_panes(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    /* Title, groups, header: rows 1-3 stay in view. */
    assert_contains(sheet, "<pane ySplit=\"3\" topLeftCell=\"A4\" activePane=\"bottomLeft\" "
                           "state=\"frozen\"/>");
    free(sheet);
    /* Two tables on one sheet: the first one's header is frozen, once. */
    sheet = fixture_part(state, "xl/worksheets/sheet2.xml");
    assert_contains(sheet, "<pane ySplit=\"2\" topLeftCell=\"A3\" activePane=\"bottomLeft\" "
                           "state=\"frozen\"/>");
    assert_int_equal(count_of(sheet, "<pane "), 1);
    free(sheet);
}

static void test_shared_sheet_layout(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet2.xml");
    char buf[256];
    /* Reliability in rows 1-4, two blank rows, Agreement from row 7. */
    assert_non_null(cell_xml(sheet, "A1", buf, sizeof buf));
    assert_non_null(strstr(cell_xml(sheet, "C4", buf, sizeof buf), " s=\""));   /* missing omega */
    assert_null(strstr(sheet, "<row r=\"5\""));
    assert_null(strstr(sheet, "<row r=\"6\""));
    assert_non_null(cell_xml(sheet, "A7", buf, sizeof buf));
    assert_non_null(cell_xml(sheet, "B8", buf, sizeof buf));   /* group */
    assert_non_null(cell_xml(sheet, "A9", buf, sizeof buf));   /* header */
    assert_contains(cell_xml(sheet, "C12", buf, sizeof buf), "<v>66.667</v>");
    /* The title row is made tall enough for its larger font. */
    assert_contains(sheet, "<row r=\"7\" spans=\"1:3\" ht=\"18\" customHeight=\"1\">");
    free(sheet);
}

static void test_chart(void **state)
{
    NEED_UNZIP();
    char *drawing = fixture_part(state, "xl/drawings/drawing1.xml");
    /* To the right of its table (columns A-C, then one blank): at E7. */
    assert_contains(drawing, "<xdr:from><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff>"
                             "<xdr:row>6</xdr:row>");
    free(drawing);
    char *rels = fixture_part(state, "xl/worksheets/_rels/sheet2.xml.rels");
    assert_contains(rels, "../drawings/drawing1.xml");
    free(rels);
    char *chart = fixture_part(state, "xl/charts/chart1.xml");
    assert_contains(chart, "<c:barDir val=\"bar\"/>");
    assert_contains(chart, "<c:f>'" SHEET_RELIABILITY "'!$B$8</c:f>");   /* "Criminal records" */
    assert_contains(chart, "<c:f>'" SHEET_RELIABILITY "'!$C$8</c:f>");   /* "Payment of fees" */
    assert_int_equal(count_of(chart, "<c:f>'" SHEET_RELIABILITY "'!$A$10:$A$12</c:f>"), 2);
    assert_contains(chart, "<c:f>'" SHEET_RELIABILITY "'!$B$10:$B$12</c:f>");
    assert_contains(chart, "<c:f>'" SHEET_RELIABILITY "'!$C$10:$C$12</c:f>");
    assert_contains(chart, "<c:v>Criminal records</c:v>");
    assert_contains(chart, "<c:v>61.538</c:v>");
    assert_contains(chart, "<a:t>Agreement (%)</a:t>");
    assert_contains(chart, "<a:t>% agree</a:t>");
    assert_contains(chart, "<c:max val=\"100\"/>");
    assert_contains(chart, "<c:min val=\"0\"/>");
    assert_contains(chart, "<c:legendPos val=\"b\"/>");
    free(chart);
    /* Only the one table with a chart has one. */
    const workbook_fixture *fx = *state;
    assert_null(unzip_part(fx->path, "xl/charts/chart2.xml"));
}

static void test_number_formats(void **state)
{
    NEED_UNZIP();
    char *styles = fixture_part(state, "xl/styles.xml");
    assert_contains(styles, "formatCode=\"0.000\"");
    assert_contains(styles, "formatCode=\"0.0\"");
    /* The p-value, APA style: [<0.001]"< .001";.000 */
    assert_contains(styles, "formatCode=\"[&lt;0.001]&quot;&lt; .001&quot;;.000\"");
    assert_contains(styles, "formatCode=\"0\"");      /* counts */
    assert_contains(styles, "formatCode=\"0.00\"");
    assert_contains(styles, "<b/><sz val=\"13\"/>");   /* the title */
    assert_contains(styles, "<i/>");                  /* notes */
    free(styles);
}

static void test_column_widths(void **state)
{
    NEED_UNZIP();
    /* An 80-character text is capped at 60 (+2 of padding). */
    char *sheet = fixture_part(state, "xl/worksheets/sheet5.xml");
    assert_contains(sheet, "<col min=\"1\" max=\"1\" width=\"62.7109375\" customWidth=\"1\"/>");
    free(sheet);
    /* "accept ~ benefit": 16 characters, and the title does not count. */
    sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "<col min=\"1\" max=\"1\" width=\"18.7109375\" customWidth=\"1\"/>");
    free(sheet);
}

static void test_text_cut_to_cell_limit(void **state)
{
    NEED_UNZIP();
    char *strings = fixture_part(state, "xl/sharedStrings.xml");
    const char *t = strstr(strings, "<t>hhh");
    assert_non_null(t);
    t += 3;
    assert_int_equal(strspn(t, "h"), 32767);
    assert_memory_equal(t + 32767, "</t>", 4);
    free(strings);
}

static void test_properties(void **state)
{
    NEED_UNZIP();
    char *core = fixture_part(state, "docProps/core.xml");
    assert_contains(core, "<dc:title>" SHEET_PATHS "</dc:title>");
    assert_contains(core, "<dc:creator>brisk " BRISK_VERSION "</dc:creator>");
    free(core);
}

static void test_warnings_sheet(void **state)
{
    NEED_UNZIP();
    char *sheet = fixture_part(state, "xl/worksheets/sheet7.xml");
    char buf[256];
    assert_non_null(cell_xml(sheet, "A1", buf, sizeof buf));
    assert_non_null(cell_xml(sheet, "A2", buf, sizeof buf));
    assert_non_null(cell_xml(sheet, "A3", buf, sizeof buf));
    assert_null(cell_xml(sheet, "A4", buf, sizeof buf));
    free(sheet);
    /* Nothing under the last table of the first sheet: its notes end it. */
    sheet = fixture_part(state, "xl/worksheets/sheet1.xml");
    assert_non_null(cell_xml(sheet, "A8", buf, sizeof buf));
    assert_null(strstr(sheet, "<row r=\"9\""));
    free(sheet);
}

/* ---- other workbooks ---- */

static void test_empty_list(void **state)
{
    (void)state;
    char dir[] = "/tmp/brisk-xlsx-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/empty.xlsx", dir);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    assert_int_equal(brisk_write_xlsx(path, list, &err), BRISK_OK);
    assert_int_equal(brisk_table_list_warn(list, "nothing to show"), BRISK_OK);
    assert_int_equal(brisk_write_xlsx(path, list, &err), BRISK_OK);   /* over the first */
    brisk_table_list_free(list);
    if (have_unzip()) {
        char *wb = unzip_part(path, "xl/workbook.xml");
        assert_non_null(wb);
        assert_contains(wb, "<sheet name=\"Warnings\" sheetId=\"1\"");
        assert_int_equal(count_of(wb, "<sheet name="), 1);
        free(wb);
    }
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_unwritable_path(void **state)
{
    (void)state;
    brisk_table_list *list = sample_list();
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_xlsx("/nonexistent-dir/x.xlsx", list, &err), BRISK_ERR_WRITE);
    assert_int_equal(err.status, BRISK_ERR_WRITE);
    assert_string_equal(err.file, "/nonexistent-dir/x.xlsx");
    assert_non_null(strstr(err.message, "Error creating output xlsx file"));   /* lxw_strerror */
    assert_non_null(strstr(err.message, "No such file or directory"));
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_tables_file("/nonexistent-dir/x.xlsx", BRISK_OUT_XLSX, list, &err),
                     BRISK_ERR_WRITE);
    assert_string_equal(err.file, "/nonexistent-dir/x.xlsx");
    brisk_table_list_free(list);
}

/* A table whose chart names a column it does not have fails after the
 * temporary file exists: nothing may be left behind. */
static void test_failure_leaves_nothing(void **state)
{
    (void)state;
    char dir[] = "/tmp/brisk-xlsx-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bad.xlsx", dir);
    brisk_table_list *list = sample_list();
    const size_t missing[] = {7};
    assert_int_equal(brisk_table_set_chart(list->tables[0], BRISK_CHART_COLUMN, "x", NULL, 0,
                                           missing, 1),
                     BRISK_OK);
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_write_tables_file(path, BRISK_OUT_XLSX, list, &err), BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "demo.paths"));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0);   /* empty: no temporary file either */
    /* Written directly, the file it had to create is removed again... */
    assert_non_null(mkdtemp(strcpy(dir, "/tmp/brisk-xlsx-XXXXXX")));
    snprintf(path, sizeof path, "%s/bad.xlsx", dir);
    assert_int_equal(brisk_write_xlsx(path, list, &err), BRISK_ERR_ARGUMENT);
    assert_int_equal(access(path, F_OK), -1);
    /* ...and a file that was there is left as it was. */
    FILE *f = fopen(path, "w");
    fputs("keep", f);
    fclose(f);
    assert_int_equal(brisk_write_xlsx(path, list, &err), BRISK_ERR_ARGUMENT);
    char buf[16] = {0};
    f = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "keep");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    brisk_table_list_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_atomically),
        cmocka_unit_test(test_sheet_names),
        cmocka_unit_test(test_numbers_full_precision),
        cmocka_unit_test(test_missing_and_non_finite),
        cmocka_unit_test(test_group_header_merged),
        cmocka_unit_test(test_frozen_panes),
        cmocka_unit_test(test_print_setup),
        cmocka_unit_test(test_shared_sheet_layout),
        cmocka_unit_test(test_chart),
        cmocka_unit_test(test_number_formats),
        cmocka_unit_test(test_column_widths),
        cmocka_unit_test(test_text_cut_to_cell_limit),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_warnings_sheet),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_unwritable_path),
        cmocka_unit_test(test_failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, write_workbook, remove_workbook);
}
