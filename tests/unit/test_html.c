/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML writer: one page, sections by sheet, APA tables, SVG charts. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tap_skip.h"
#include "brisk.h"

static void add_column(brisk_table *t, const char *key, const char *header,
                       brisk_cell_kind kind, int decimals)
{
    assert_int_not_equal(brisk_table_add_column(t, key, header, kind, decimals), (size_t)-1);
}

static void add_list(brisk_table_list *list, brisk_table *t)
{
    assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
}

/* The list written as HTML; frees the list. */
static char *render(brisk_table_list *list)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, BRISK_OUT_HTML, list, &err), BRISK_OK);
    assert_int_equal(fclose(f), 0);
    brisk_table_list_free(list);
    return buf;
}

static void assert_has(const char *out, const char *fragment)
{
    if (!strstr(out, fragment))
        fail_msg("missing:\n%s\nin:\n%s", fragment, out);
}

static void assert_lacks(const char *out, const char *fragment)
{
    if (strstr(out, fragment))
        fail_msg("unexpected:\n%s\nin:\n%s", fragment, out);
}

static size_t count(const char *out, const char *fragment)
{
    size_t n = 0;
    for (const char *p = out; (p = strstr(p, fragment)); p += strlen(fragment))
        n++;
    return n;
}

/* A path table: text, a count, a number, a percentage and a p-value, two
 * of them under a group, a note. */
static brisk_table *paths_table(const char *sheet)
{
    brisk_table *t = brisk_table_new("demo.paths", "Paths by behaviour");
    assert_non_null(t);
    add_column(t, "path", "Path", BRISK_CELL_TEXT, 0);
    add_column(t, "n", "n", BRISK_CELL_INT, 0);
    add_column(t, "est", "Estimate", BRISK_CELL_NUMBER, 3);
    add_column(t, "pct", "%", BRISK_CELL_PERCENT, 1);
    add_column(t, "p", "p", BRISK_CELL_PVALUE, 0);
    assert_int_equal(brisk_table_set_group(t, 2, "crime"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 3, "crime"), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, "accept ~ benefit"), BRISK_OK);
    brisk_table_set_num(t, r, 1, 301);
    brisk_table_set_num(t, r, 2, 0.4375);
    brisk_table_set_num(t, r, 3, 62.25);
    brisk_table_set_num(t, r, 4, 0.0004);
    r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, "accept ~ risk"), BRISK_OK);
    brisk_table_set_num(t, r, 1, 298);
    brisk_table_set_num(t, r, 2, -0.2384);
    brisk_table_set_num(t, r, 3, NAN);
    brisk_table_set_num(t, r, 4, 0.0342);
    assert_int_equal(brisk_table_add_note(t, "Est.: unstandardized."), BRISK_OK);
    assert_int_equal(brisk_table_add_note(t, "n: respondents."), BRISK_OK);
    if (sheet)
        assert_int_equal(brisk_table_set_sheet(t, sheet), BRISK_OK);
    return t;
}

static void test_page(void **state)
{
    (void)state;
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, paths_table(NULL));
    assert_int_equal(brisk_table_list_warn(list, "Heywood case in 'crime'"), BRISK_OK);
    char *out = render(list);
    assert_true(strncmp(out, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33) == 0);
    assert_has(out, "<title>brisk results</title>");
    assert_has(out, "<h1>brisk results</h1>");
    /* the warnings come first, before any section */
    assert_has(out, "<section class=\"warnings\" id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n"
                    "<li>Heywood case in &#39;crime&#39;</li>\n</ul>\n</section>\n"
                    "<section id=\"sec1\">\n<h2>Paths by behaviour</h2>\n");
    /* one section: no contents */
    assert_lacks(out, "<nav>");
    assert_has(out, "<caption><span class=\"num\">Table 1</span> <span class=\"title\">"
                    "Paths by behaviour</span></caption>");
    assert_has(out, "<tr><td colspan=\"2\"></td><th scope=\"colgroup\" class=\"group\" "
                    "colspan=\"2\"><span>crime</span></th><td></td></tr>\n");
    assert_has(out, "<tr><th scope=\"col\">Path</th><th scope=\"col\" class=\"n\">n</th>"
                    "<th scope=\"col\" class=\"n\">Estimate</th><th scope=\"col\" class=\"n\">%</th>"
                    "<th scope=\"col\" class=\"n\">p</th></tr>\n");
    assert_has(out, "<tr><td>accept ~ benefit</td><td class=\"n\">301</td><td class=\"n\">0.438</td>"
                    "<td class=\"n\">62.2</td><td class=\"n\">&lt; .001</td></tr>\n");
    /* a missing value is an empty cell, as in text */
    assert_has(out, "<tr><td>accept ~ risk</td><td class=\"n\">298</td><td class=\"n\">-0.238</td>"
                    "<td class=\"n\"></td><td class=\"n\">.034</td></tr>\n");
    assert_has(out, "<p class=\"note\"><em>Note.</em> Est.: unstandardized. n: respondents.</p>\n");
    assert_lacks(out, "<svg");
    assert_true(strlen(out) > 20 && strcmp(out + strlen(out) - 16, "</body>\n</html>\n") == 0);
    free(out);
}

/* Tables with one sheet name form one section, where the first stands; a
 * table without one is a section named by its title. */
static void test_sections(void **state)
{
    (void)state;
    brisk_table_list *list = brisk_table_list_new();
    brisk_table *a = paths_table("Structural"), *b = brisk_table_new("x.fit", "Model fit"),
                *c = paths_table("Structural");
    assert_non_null(b);
    add_column(b, "m", "Measure", BRISK_CELL_TEXT, 0);
    free(c->title);
    c->title = strdup("R-squared");
    add_list(list, a);
    add_list(list, b);
    add_list(list, c);
    char *out = render(list);
    assert_has(out, "<title>Structural</title>");
    assert_has(out, "<nav>\n<h2>Contents</h2>\n<ol>\n<li><a href=\"#sec1\">Structural</a></li>\n"
                    "<li><a href=\"#sec2\">Model fit</a></li>\n</ol>\n</nav>\n");
    const char *s1 = strstr(out, "<section id=\"sec1\">\n<h2>Structural</h2>");
    /* numbered in the list's order */
    const char *t3 = strstr(out, "Table 3</span> <span class=\"title\">R-squared</span>");
    const char *s2 = strstr(out, "<section id=\"sec2\">\n<h2>Model fit</h2>");
    assert_non_null(s1);
    assert_non_null(t3);
    assert_non_null(s2);
    assert_true(s1 < t3 && t3 < s2);
    assert_int_equal(count(out, "<section id="), 2);
    free(out);
}

/* Text from files: markup escaped, invalid UTF-8 replaced, control
 * characters dropped. */
static void test_escaping(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("x", "A <b>&\"q'\x01 \xff title");
    assert_non_null(t);
    add_column(t, "v", "Label <i>", BRISK_CELL_TEXT, 0);
    size_t r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, "x < 1 && y > 2\nnext"), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, t);
    char *out = render(list);
    assert_has(out, "<h2>A &lt;b&gt;&amp;&quot;q&#39; \xEF\xBF\xBD title</h2>");
    assert_has(out, "<th scope=\"col\">Label &lt;i&gt;</th>");
    assert_has(out, "<td>x &lt; 1 &amp;&amp; y &gt; 2 next</td>");
    assert_lacks(out, "<b>");
    assert_lacks(out, "\x01");
    free(out);
}

/* A horizontal bar chart: two series, the axis of the spec, no bar for a
 * missing, infinite or text value. */
static void test_bar_chart(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("x.agree", "Agreement");
    assert_non_null(t);
    add_column(t, "item", "Item", BRISK_CELL_TEXT, 0);
    add_column(t, "a", "Before", BRISK_CELL_PERCENT, 1);
    add_column(t, "b", "After", BRISK_CELL_PERCENT, 1);
    const double before[] = {62.5, NAN, 38.75}, after[] = {INFINITY, 71.25, -HUGE_VAL};
    const char *items[] = {"pb1", "pb2", "pb3"};
    for (size_t i = 0; i < 3; i++) {
        size_t r = brisk_table_add_row(t);
        assert_int_equal(brisk_table_set_text(t, r, 0, items[i]), BRISK_OK);
        brisk_table_set_num(t, r, 1, before[i]);
        brisk_table_set_num(t, r, 2, after[i]);
    }
    assert_int_equal(brisk_table_set_text(t, 2, 2, "n/a"), BRISK_OK);
    const size_t cols[] = {1, 2};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_BAR, "Approval", "% approving", 0, cols, 2),
                     BRISK_OK);
    t->chart.axis_min = 0;
    t->chart.axis_max = 100;
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, t);
    char *out = render(list);
    const char *svg = strstr(out, "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_non_null(svg);
    assert_true(svg > strstr(out, "</table>"));
    assert_has(svg, "<title id=\"chart1\">Approval</title>");
    assert_has(svg, " font-weight=\"bold\" x=\"320.0\" y=\"20.0\">Approval</text>");
    /* three bars: pb1 before, pb3 before, pb2 after */
    assert_int_equal(count(svg, "<rect x="), 3);
    assert_has(svg, "<title>Before, pb1: 62.5</title>");
    assert_has(svg, "<title>Before, pb3: 38.8</title>");
    assert_has(svg, "<title>After, pb2: 71.2</title>");
    /* ticks 0, 20, ..., 100 along the bottom; the axis title under them */
    assert_has(svg, ">0</text>");
    assert_has(svg, ">100</text>");
    assert_int_equal(count(svg, "<line x1="), 6);
    assert_has(svg, ">% approving</text>");
    /* categories to the left, in the table's order; a legend of two */
    assert_has(svg, "<g class=\"categories\" text-anchor=\"end\">");
    assert_true(strstr(svg, ">pb1</text>") < strstr(svg, ">pb3</text>"));
    assert_has(svg, "<g class=\"legend\">");
    assert_has(svg, ">After</text>");
    for (const char *p = svg; *p; p++)
        assert_false(strncasecmp(p, "nan", 3) == 0 || strncasecmp(p, "inf", 3) == 0);
    free(out);
}

/* Bar lengths: pb1 before is 62.5% of the plot's width from its left. */
static void test_bar_length(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("x.one", "One series");
    assert_non_null(t);
    add_column(t, "item", "Item", BRISK_CELL_TEXT, 0);
    add_column(t, "a", "Agree", BRISK_CELL_NUMBER, 2);
    size_t r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, "pb1"), BRISK_OK);
    brisk_table_set_num(t, r, 1, 62.5);
    const size_t cols[] = {1};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_BAR, NULL, NULL, 0, cols, 1), BRISK_OK);
    t->chart.axis_min = 0;
    t->chart.axis_max = 100;
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, t);
    char *out = render(list);
    /* the plot runs from 16 + 3 characters (x0 = 35.8) to 640 - 16 - half
     * of "100" (x1 = 614.1); no legend for one series; the table's title */
    double x0 = 16 + 6.6 * 3, x1 = 640 - 16 - 6.6 * 3 / 2;
    char want[128];
    snprintf(want, sizeof want, "<rect x=\"%.1f\" y=\"36.0\" width=\"%.1f\" height=\"16.0\">",
             x0, 0.625 * (x1 - x0));
    assert_has(out, want);
    assert_has(out, "<title id=\"chart1\">One series</title>");
    assert_lacks(out, "class=\"legend\"");
    free(out);
}

/* A forest plot: per series and row with its interval, a line from the
 * lower to the upper bound and a point at the value, across the rows'
 * band; a row without its interval has neither. */
/* The forest test's table: two paths, the second without its estimate,
 * a forest chart of the estimates (its intervals set by the caller). */
static brisk_table *forest_table(void)
{
    brisk_table *t = brisk_table_new("x.forest", "Paths");
    assert_non_null(t);
    add_column(t, "path", "Path", BRISK_CELL_TEXT, 0);
    add_column(t, "est", "Est.", BRISK_CELL_NUMBER, 3);
    add_column(t, "lo", "95% CI low", BRISK_CELL_NUMBER, 3);
    add_column(t, "hi", "95% CI high", BRISK_CELL_NUMBER, 3);
    const double est[] = {0.5, NAN}, lo[] = {0.2, 0.1}, hi[] = {0.8, 0.3};
    const char *paths[] = {"a ~ b", "c ~ d"};
    for (size_t i = 0; i < 2; i++) {
        size_t r = brisk_table_add_row(t);
        assert_int_equal(brisk_table_set_text(t, r, 0, paths[i]), BRISK_OK);
        brisk_table_set_num(t, r, 1, est[i]);
        brisk_table_set_num(t, r, 2, lo[i]);
        brisk_table_set_num(t, r, 3, hi[i]);
    }
    const size_t v[] = {1};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_FOREST, NULL, "Estimate", 0, v, 1),
                     BRISK_OK);
    return t;
}

/* A forest plot: per series and row with its interval, a line from the
 * lower to the upper bound and a point at the value, across the rows'
 * band; a row without its interval has neither. */
static void test_forest(void **state)
{
    (void)state;
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, forest_table());
    char *out = render(list);
    /* no intervals given: no chart */
    assert_lacks(out, "<svg");
    free(out);
    list = brisk_table_list_new();
    brisk_table *t = forest_table();
    const size_t l[] = {2}, h[] = {3};
    assert_int_equal(brisk_table_set_chart_intervals(t, l, h), BRISK_OK);
    add_list(list, t);
    out = render(list);
    /* the axis from 0 to 0.8 (zero taken in) between x0 = 16 + 5
     * characters and x1 = 640 - 16 - half of "0.8"; one row's band of 20,
     * its point 0.1 of it and half a series (16 / 2) down from y0 = 34 */
    double x0 = 16 + 6.6 * 5, x1 = 640 - 16 - 6.6 * 3 / 2;
    char want[256];
    snprintf(want, sizeof want, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"44.0\" y2=\"44.0\"/>"
             "<circle r=\"3.5\" cx=\"%.1f\" cy=\"44.0\"/>", x0 + 0.25 * (x1 - x0), x1,
             x0 + 0.625 * (x1 - x0));
    assert_has(out, want);
    assert_has(out, "<title>Est., a ~ b: 0.500 [0.200, 0.800]</title>");
    assert_int_equal(count(out, "<circle"), 1);   /* c ~ d has no estimate */
    assert_has(out, ">Estimate</text>");
    free(out);
}

/* A column chart's own axis: takes in negative values and zero, in whole
 * steps (-0.4 to 0.6 by 0.2 for values from -0.33 to 0.54). */
static void test_column_axis(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("x.paths", "Paths");
    assert_non_null(t);
    add_column(t, "path", "Path", BRISK_CELL_TEXT, 0);
    add_column(t, "std", "Std.", BRISK_CELL_NUMBER, 3);
    add_column(t, "std2", "Std.", BRISK_CELL_NUMBER, 3);
    assert_int_equal(brisk_table_set_group(t, 1, "Criminal records"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 2, "Internet use"), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    assert_int_equal(brisk_table_set_text(t, r, 0, "accept ~ risk"), BRISK_OK);
    brisk_table_set_num(t, r, 1, -0.33);
    brisk_table_set_num(t, r, 2, 0.54);
    const size_t cols[] = {1, 2};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_COLUMN, "Std. paths", "std.all", 0,
                                           cols, 2), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, t);
    char *out = render(list);
    const char *svg = strstr(out, "<svg");
    assert_non_null(svg);
    assert_has(svg, ">-0.4</text>");
    assert_has(svg, ">0.0</text>");
    assert_has(svg, ">0.6</text>");
    assert_lacks(svg, ">0.8</text>");
    assert_lacks(svg, ">-0.6</text>");
    /* the series are named by their groups, as their headers are alike */
    assert_has(svg, "<title>Criminal records, accept ~ risk: -0.330</title>");
    assert_has(svg, ">Internet use</text>");
    assert_has(svg, "rotate(-90)\">std.all</text>");
    free(out);
}

/* A chart naming a column the table lacks, or with nothing to draw, is
 * left out; the table is still written. */
static void test_chart_left_out(void **state)
{
    (void)state;
    brisk_table *t = paths_table(NULL);
    const size_t cols[] = {2, 9};
    assert_int_equal(brisk_table_set_chart(t, BRISK_CHART_COLUMN, "x", NULL, 0, cols, 2), BRISK_OK);
    brisk_table *u = brisk_table_new("x.empty", "No rows");
    assert_non_null(u);
    add_column(u, "a", "A", BRISK_CELL_TEXT, 0);
    add_column(u, "b", "B", BRISK_CELL_NUMBER, 2);
    assert_int_equal(brisk_table_set_chart(u, BRISK_CHART_BAR, "y", NULL, 0, cols, 1), BRISK_OK);
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, t);
    add_list(list, u);
    char *out = render(list);
    assert_lacks(out, "<svg");
    assert_int_equal(count(out, "</table>"), 2);
    free(out);
}

static void test_empty_list(void **state)
{
    (void)state;
    char *out = render(brisk_table_list_new());
    assert_has(out, "<h1>brisk results</h1>\n</body>\n</html>\n");
    free(out);
}

static void test_format_names(void **state)
{
    (void)state;
    brisk_output_format f = BRISK_OUT_TEXT;
    assert_true(brisk_output_format_parse("html", &f));
    assert_int_equal(f, BRISK_OUT_HTML);
    f = BRISK_OUT_TEXT;
    assert_true(brisk_output_format_from_path("report.HTML", &f));
    assert_int_equal(f, BRISK_OUT_HTML);
    f = BRISK_OUT_TEXT;
    assert_true(brisk_output_format_from_path("dir/r.htm", &f));
    assert_int_equal(f, BRISK_OUT_HTML);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        BRISK_SKIP("/dev/full is not available");
    setvbuf(f, NULL, _IONBF, 0);
    brisk_table_list *list = brisk_table_list_new();
    add_list(list, paths_table("S"));
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, BRISK_OUT_HTML, list, &err), BRISK_ERR_WRITE);
    fclose(f);
    brisk_table_list_free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_bar_chart),
        cmocka_unit_test(test_bar_length),
        cmocka_unit_test(test_column_axis),
        cmocka_unit_test(test_forest),
        cmocka_unit_test(test_chart_left_out),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
