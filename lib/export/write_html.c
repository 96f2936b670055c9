/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTML: one self-contained HTML5 page of the tables.
 *
 * No network and no other file: the style sheet is inline and charts are
 * inline SVG, so the page works offline and as an e-mail attachment.  The
 * markup is also well-formed XML (every element closed, attributes
 * quoted, only XML's own entities), so XML tools can read it.  Tables
 * sharing a workbook sheet name form one section; a table without one is
 * a section of its own.  Tables are APA style: numbered caption above,
 * rules only above and below the header and at the bottom, numbers
 * right-aligned in tabular figures, notes under the table after an
 * italic "Note.". */
#include <config.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/version.h"
#include "core/util.h"
#include "export_internal.h"

/* ------------------------------------------------------------ text */

/* n bytes of valid UTF-8 with the five characters that are markup in
 * HTML and XML escaped.  Line breaks and tabs become blanks; other
 * control characters are dropped (XML forbids them). */
static void escape_span(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\n': case '\r': case '\t': fputc(' ', f); break;
        default:
            if (c >= 0x20 && c != 0x7f)
                fputc(c, f);
            break;
        }
    }
}

/* Text from user files (labels, variable names) may be in a legacy
 * encoding: a byte that is no valid UTF-8 is shown as U+FFFD rather than
 * making the page invalid. */
static void html_text(FILE *f, const char *s)
{
    size_t n = strlen(s);
    for (;;) {
        size_t bad = brisk_utf8_invalid_at(s, n);
        if (bad == (size_t)-1) {
            escape_span(f, s, n);
            return;
        }
        escape_span(f, s, bad);
        fputs("\xEF\xBF\xBD", f);
        s += bad + 1;
        n -= bad + 1;
    }
}

/* At most max display characters of s, with "…" when cut (a chart label
 * must not run over the plot); the full text goes in the bar's title. */
static void html_text_cut(FILE *f, const char *s, size_t max)
{
    if (brisk_utf8_width(s) <= max || brisk_utf8_invalid_at(s, strlen(s)) != (size_t)-1) {
        html_text(f, s);   /* an invalid text is short enough in practice */
        return;
    }
    size_t end = 0, width = 0;
    while (s[end] && width + 1 < max) {
        size_t len = 1;
        while ((s[end + len] & 0xc0) == 0x80)
            len++;
        end += len;
        width++;
    }
    escape_span(f, s, end);
    fputs("\xE2\x80\xA6", f);
}

/* ------------------------------------------------------------ sections */

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The section of every table: tables with the same sheet name share the
 * section of the first of them; a table without a sheet gets its own.
 * Returns the number of sections; *of[k] is table k's section. */
static size_t assign_sections(const brisk_table_list *list, size_t *of)
{
    size_t n = 0;
    for (size_t k = 0; k < list->count; k++) {
        const char *sheet = list->tables[k]->sheet;
        of[k] = n;
        for (size_t m = 0; sheet && m < k; m++) {
            if (same_text(list->tables[m]->sheet, sheet)) {
                of[k] = of[m];
                break;
            }
        }
        if (of[k] == n)
            n++;
    }
    return n;
}

/* A section's name: its sheet, or its one table's title. */
static void section_name(FILE *f, const brisk_table *t, size_t table_no)
{
    if (t->sheet && t->sheet[0])
        html_text(f, t->sheet);
    else if (t->title[0])
        html_text(f, t->title);
    else
        fprintf(f, "Table %zu", table_no);
}

/* ------------------------------------------------------------ tables */

static size_t group_end(const brisk_table *t, size_t j)
{
    size_t k = j + 1;
    while (k < t->ncols && same_text(t->cols[j].group, t->cols[k].group))
        k++;
    return k;
}

/* The spanning headers as a first header row, each underlined over its
 * columns (the line sits in a span, so neighbours' lines do not touch). */
static void write_groups(FILE *f, const brisk_table *t)
{
    bool any = false;
    for (size_t j = 0; j < t->ncols; j++)
        any |= t->cols[j].group != NULL;
    if (!any)
        return;
    fputs("<tr>", f);
    for (size_t j = 0, k; j < t->ncols; j = k) {
        k = group_end(t, j);
        const char *g = t->cols[j].group;
        fputs(g ? "<th scope=\"colgroup\" class=\"group\"" : "<td", f);
        if (k - j > 1)
            fprintf(f, " colspan=\"%zu\"", k - j);
        if (g) {
            fputs("><span>", f);
            html_text(f, g);
            fputs("</span></th>", f);
        } else {
            fputs("></td>", f);
        }
    }
    fputs("</tr>\n", f);
}

static void write_head(FILE *f, const brisk_table *t)
{
    fputs("<thead>\n", f);
    write_groups(f, t);
    fputs("<tr>", f);
    for (size_t j = 0; j < t->ncols; j++) {
        fputs(brisk_column_is_numeric(&t->cols[j]) ? "<th scope=\"col\" class=\"n\">"
                                                    : "<th scope=\"col\">", f);
        html_text(f, t->cols[j].header);
        fputs("</th>", f);
    }
    fputs("</tr>\n</thead>\n", f);
}

static void write_body(FILE *f, const brisk_table *t, const brisk_rendered *r)
{
    fputs("<tbody>\n", f);
    for (size_t i = 0; i < t->nrows; i++) {
        fputs("<tr>", f);
        for (size_t j = 0; j < t->ncols; j++) {
            fputs(brisk_column_is_numeric(&t->cols[j]) ? "<td class=\"n\">" : "<td>", f);
            html_text(f, r->cells[i * t->ncols + j]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n", f);
}

static void write_notes(FILE *f, const brisk_table *t)
{
    if (!t->nnotes)
        return;
    fputs("<p class=\"note\"><em>Note.</em>", f);
    for (size_t k = 0; k < t->nnotes; k++) {
        fputc(' ', f);
        html_text(f, t->notes[k]);
    }
    fputs("</p>\n", f);
}

/* ------------------------------------------------------------ charts */

/* Okabe and Ito's palette, which readers with any common colour-vision
 * deficiency can tell apart (black, its eighth colour, is left out: it
 * is the axes' colour). */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                      "#56B4E9", "#D55E00", "#F0E442"};
#define NPALETTE (sizeof palette / sizeof palette[0])

#define CHAR_W 6.6        /* width of a character of 12-unit text, about */
#define LABEL_MAX 40      /* category labels longer than this are cut */
#define TITLE_H 34.0      /* room for the chart's title */
#define MIN_WIDTH 640.0

/* A number of the chart's at row i, column col, or false when there is
 * none to draw (missing, a text in place of a number, not finite). */
static bool chart_number(const brisk_table *t, size_t i, size_t col, double *v)
{
    const brisk_cell *c = brisk_table_cell(t, i, col);
    *v = c->num;
    return !c->text && isfinite(c->num);
}

/* The value of row i in series k. */
static bool chart_value(const brisk_table *t, size_t i, size_t k, double *v)
{
    return chart_number(t, i, t->chart.value_cols[k], v);
}

/* The interval of row i in series k (a forest plot's), with its value:
 * false unless all three are there to draw. */
static bool chart_interval(const brisk_table *t, size_t i, size_t k, double *v, double *lo,
                           double *hi)
{
    return chart_value(t, i, k, v) && chart_number(t, i, t->chart.lower_cols[k], lo) &&
           chart_number(t, i, t->chart.upper_cols[k], hi);
}

/* Categories down the side, values across: bar charts and forest plots. */
static bool horizontal(const brisk_table *t)
{
    return t->chart.type == BRISK_CHART_BAR || t->chart.type == BRISK_CHART_FOREST;
}

/* The value axis: from lo to hi with a tick every step. */
typedef struct axis {
    double lo, hi, step;
    int decimals;
} axis;

/* A round step giving about five ticks over range (> 0): 1, 2, 2.5 or 5
 * times a power of ten. */
static double nice_step(double range)
{
    double raw = range / 5, mag = pow(10, floor(log10(raw))), m = raw / mag;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * mag;
}

/* The decimals a tick label needs to show step exactly (2.5: one). */
static int step_decimals(double step)
{
    int d = 0;
    for (double x = step; d < 6 && fabs(x - round(x)) > 1e-9 * (x > 1 ? x : 1); x *= 10)
        d++;
    return d;
}

/* The range of the chart's spec where given; otherwise the data's,
 * taking in zero (bars start there) and rounded out to whole steps.
 * False when there is no finite range to draw. */
static bool value_axis(const brisk_table *t, axis *ax)
{
    double dmin = 0, dmax = 0, v, lo_v, hi_v;
    bool forest = t->chart.type == BRISK_CHART_FOREST;
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t k = 0; k < t->chart.nvalues; k++)
            if (forest ? chart_interval(t, i, k, &v, &lo_v, &hi_v) : chart_value(t, i, k, &v)) {
                if (!forest)
                    lo_v = hi_v = v;
                dmin = lo_v < dmin ? lo_v : dmin;
                dmax = hi_v > dmax ? hi_v : dmax;
            }
    bool fix_lo = isfinite(t->chart.axis_min), fix_hi = isfinite(t->chart.axis_max);
    double lo = fix_lo ? t->chart.axis_min : dmin, hi = fix_hi ? t->chart.axis_max : dmax;
    if (!(hi > lo)) {   /* a spec that leaves no range: the data's instead */
        fix_lo = fix_hi = false;
        lo = dmin;
        hi = dmax > dmin ? dmax : dmin + 1;
    }
    if (!isfinite(hi - lo))
        return false;
    ax->step = nice_step(hi - lo);
    ax->lo = fix_lo ? lo : floor(lo / ax->step) * ax->step;
    ax->hi = fix_hi ? hi : ceil(hi / ax->step) * ax->step;
    ax->decimals = step_decimals(ax->step);
    return isfinite(ax->lo) && isfinite(ax->hi) && ax->hi > ax->lo;
}

/* v's place between p0 (at lo) and p1 (at hi), clipped to the axis. */
static double scale(const axis *ax, double v, double p0, double p1)
{
    v = v < ax->lo ? ax->lo : v > ax->hi ? ax->hi : v;
    return p0 + (v - ax->lo) / (ax->hi - ax->lo) * (p1 - p0);
}

/* A coordinate attribute.  Every coordinate is computed from finite
 * values, but none that is not finite may reach the SVG anyway. */
static void attr(FILE *f, const char *name, double x)
{
    fprintf(f, " %s=\"%.1f\"", name, isfinite(x) ? x : 0.0);
}

static void tick_label(FILE *f, const axis *ax, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", ax->decimals, v);
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));   /* no "-0" */
    fputs(buf, f);
}

/* The ticks of the axis, first to last. */
static size_t tick_count(const axis *ax, double *first)
{
    *first = ceil(ax->lo / ax->step - 1e-9) * ax->step;
    double n = floor((ax->hi - *first) / ax->step + 1e-9) + 1;
    return n < 1 ? 1 : n > 50 ? 50 : (size_t)n;
}

static size_t widest_tick(const axis *ax)
{
    double first;
    size_t n = tick_count(ax, &first), widest = 1;
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t w = (size_t)snprintf(buf, sizeof buf, "%.*f", ax->decimals, first + i * ax->step);
        widest = w > widest ? w : widest;
    }
    return widest;
}

/* A series' name: its column's header, or its group when the value
 * columns share one header ("Std." under each behaviour's name). */
static const char *series_name(const brisk_table *t, size_t k)
{
    const brisk_table_column *c = &t->cols[t->chart.value_cols[k]];
    for (size_t m = 0; m < t->chart.nvalues; m++)
        if (m != k && c->group && strcmp(t->cols[t->chart.value_cols[m]].header, c->header) == 0)
            return c->group;
    return c->header;
}

/* Everything the drawing needs: the plot area, in viewBox units. */
typedef struct chart_box {
    double width, height;
    double x0, x1, y0, y1;     /* the plot area */
    double band;               /* a category's share of the category axis */
    bool slanted;              /* column chart labels written at a slant */
    double legend_y;
    size_t longest;            /* the longest category label, in characters */
} chart_box;

static size_t longest_label(const brisk_table *t, const brisk_rendered *r)
{
    size_t longest = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        size_t w = brisk_utf8_width(r->cells[i * t->ncols + t->chart.category_col]);
        longest = w > longest ? w : longest;
    }
    return longest > LABEL_MAX ? LABEL_MAX : longest;
}

/* The legend's rows: each entry a swatch and its name, wrapped at the
 * width.  Returns the number of rows (0 with one series: no legend). */
static size_t legend_rows(const brisk_table *t, double width)
{
    if (t->chart.nvalues < 2)
        return 0;
    size_t rows = 1;
    double x = 16;
    for (size_t k = 0; k < t->chart.nvalues; k++) {
        double w = 34 + CHAR_W * (double)brisk_utf8_width(series_name(t, k));
        if (x + w > width - 16 && x > 16) {
            rows++;
            x = 16;
        }
        x += w;
    }
    return rows;
}

/* Bars of about 12 units and 8 between categories, so none is a sliver;
 * room for the longest label, the tick labels and the axis title. */
static void layout(const brisk_table *t, const brisk_rendered *r, const axis *ax, chart_box *b)
{
    size_t ns = t->chart.nvalues, nc = t->nrows;
    double band = (double)ns * 12 + 8;
    b->longest = longest_label(t, r);
    double ticks_w = CHAR_W * (double)widest_tick(ax);
    if (horizontal(t)) {
        b->band = band < 20 ? 20 : band;
        b->x0 = 16 + CHAR_W * (double)b->longest;
        b->width = b->x0 + 320 < MIN_WIDTH ? MIN_WIDTH : b->x0 + 320;
        b->x1 = b->width - 16 - ticks_w / 2;
        b->y0 = TITLE_H;
        b->y1 = b->y0 + b->band * (double)nc;
        b->legend_y = b->y1 + 48;   /* tick labels and the axis title */
    } else {
        b->x0 = 34 + ticks_w + 8;
        double plot = MIN_WIDTH - b->x0 - 16;
        b->band = plot / (double)nc > band ? plot / (double)nc : band;
        b->x1 = b->x0 + b->band * (double)nc;
        b->width = b->x1 + 16;
        b->slanted = CHAR_W * (double)b->longest > b->band - 4;
        /* Slanted at 40 degrees, a label takes cos 40 of its length to the
         * left of its category and sin 40 of it below the plot: the first
         * one must not run off the left edge. */
        double reach = CHAR_W * (double)b->longest * 0.766 - b->band / 2 + 8;
        if (b->slanted && reach > b->x0) {
            b->x1 += reach - b->x0;
            b->width += reach - b->x0;
            b->x0 = reach;
        }
        b->y0 = TITLE_H;
        b->y1 = b->y0 + 240;
        b->legend_y = b->y1 + (b->slanted ? CHAR_W * (double)b->longest * 0.643 + 30 : 44);
    }
    b->height = b->legend_y + 18.0 * (double)legend_rows(t, b->width) + 8;
}

/* Grid lines and tick labels of the value axis, and the zero line. */
static void draw_value_axis(FILE *f, const brisk_table *t, const axis *ax, const chart_box *b)
{
    bool bar = horizontal(t);
    double first;
    size_t n = tick_count(ax, &first);
    fputs("<g class=\"grid\" stroke=\"#d9d9d9\">", f);
    for (size_t i = 0; i < n; i++) {
        double v = first + (double)i * ax->step;
        double p = bar ? scale(ax, v, b->x0, b->x1) : scale(ax, v, b->y1, b->y0);
        fputs("<line", f);
        attr(f, "x1", bar ? p : b->x0);
        attr(f, "x2", bar ? p : b->x1);
        attr(f, "y1", bar ? b->y0 : p);
        attr(f, "y2", bar ? b->y1 : p);
        fputs("/>", f);
    }
    fputs("</g>\n<g class=\"ticks\"", f);
    fputs(bar ? " text-anchor=\"middle\">" : " text-anchor=\"end\">", f);
    for (size_t i = 0; i < n; i++) {
        double v = first + (double)i * ax->step;
        double p = bar ? scale(ax, v, b->x0, b->x1) : scale(ax, v, b->y1, b->y0);
        fputs("<text", f);
        attr(f, "x", bar ? p : b->x0 - 6);
        attr(f, "y", bar ? b->y1 + 16 : p + 4);
        fputc('>', f);
        tick_label(f, ax, v);
        fputs("</text>", f);
    }
    fputs("</g>\n", f);
    double zero = bar ? scale(ax, 0, b->x0, b->x1) : scale(ax, 0, b->y1, b->y0);
    fputs("<line stroke=\"#000\"", f);
    attr(f, "x1", bar ? zero : b->x0);
    attr(f, "x2", bar ? zero : b->x1);
    attr(f, "y1", bar ? b->y0 : zero);
    attr(f, "y2", bar ? b->y1 : zero);
    fputs("/>\n", f);
}

/* The value axis's title: under a bar chart, beside a column chart. */
static void draw_axis_title(FILE *f, const brisk_table *t, const chart_box *b)
{
    const char *s = t->chart.axis_title;
    if (!s || !s[0])
        return;
    if (horizontal(t)) {
        fputs("<text text-anchor=\"middle\"", f);
        attr(f, "x", (b->x0 + b->x1) / 2);
        attr(f, "y", b->y1 + 36);
    } else {
        double y = (b->y0 + b->y1) / 2;
        fprintf(f, "<text text-anchor=\"middle\" transform=\"translate(16 %.1f) rotate(-90)\"",
                isfinite(y) ? y : 0.0);
    }
    fputc('>', f);
    html_text(f, s);
    fputs("</text>\n", f);
}

/* The category labels: left of the bars, or under the columns (at a
 * slant when they do not fit across). */
static void draw_categories(FILE *f, const brisk_table *t, const brisk_rendered *r,
                            const chart_box *b)
{
    bool bar = horizontal(t);
    fprintf(f, "<g class=\"categories\" text-anchor=\"%s\">",
            bar || b->slanted ? "end" : "middle");
    for (size_t i = 0; i < t->nrows; i++) {
        const char *label = r->cells[i * t->ncols + t->chart.category_col];
        double mid = (bar ? b->y0 : b->x0) + b->band * ((double)i + 0.5);
        if (bar) {
            fputs("<text", f);
            attr(f, "x", b->x0 - 6);
            attr(f, "y", mid + 4);
        } else if (b->slanted) {
            double y = b->y1 + 12;
            fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-40)\"",
                    isfinite(mid) ? mid + 4 : 0.0, isfinite(y) ? y : 0.0);
        } else {
            fputs("<text", f);
            attr(f, "x", mid);
            attr(f, "y", b->y1 + 16);
        }
        fputc('>', f);
        html_text_cut(f, label, LABEL_MAX);
        fputs("</text>", f);
    }
    fputs("</g>\n", f);
}

/* One bar per series and category with a value; a missing or infinite
 * value has no bar (and no NaN reaches the SVG).  Each bar's title says
 * what it shows, as the table does. */
static void draw_bars(FILE *f, const brisk_table *t, const brisk_rendered *r, const axis *ax,
                      const chart_box *b)
{
    bool bar = horizontal(t);
    size_t ns = t->chart.nvalues;
    double thick = b->band * 0.8 / (double)ns;
    for (size_t k = 0; k < ns; k++) {
        fprintf(f, "<g fill=\"%s\">", palette[k % NPALETTE]);
        for (size_t i = 0; i < t->nrows; i++) {
            double v;
            if (!chart_value(t, i, k, &v))
                continue;
            double at = (bar ? b->y0 : b->x0) + b->band * ((double)i + 0.1) + thick * (double)k;
            double p0 = bar ? scale(ax, 0, b->x0, b->x1) : scale(ax, 0, b->y1, b->y0);
            double p1 = bar ? scale(ax, v, b->x0, b->x1) : scale(ax, v, b->y1, b->y0);
            double from = p0 < p1 ? p0 : p1, len = fabs(p1 - p0);
            fputs("<rect", f);
            attr(f, "x", bar ? from : at);
            attr(f, "y", bar ? at : from);
            attr(f, "width", bar ? len : thick);
            attr(f, "height", bar ? thick : len);
            fputs("><title>", f);
            html_text(f, series_name(t, k));
            fputs(", ", f);
            html_text(f, r->cells[i * t->ncols + t->chart.category_col]);
            fputs(": ", f);
            html_text(f, r->cells[i * t->ncols + t->chart.value_cols[k]]);
            fputs("</title></rect>", f);
        }
        fputs("</g>\n", f);
    }
}

/* A forest plot: per series and row with its interval, a line from its
 * lower to its upper bound and a point at its value (zero's line behind
 * them, from the value axis); the title says what they show. */
static void draw_intervals(FILE *f, const brisk_table *t, const brisk_rendered *r, const axis *ax,
                           const chart_box *b)
{
    size_t ns = t->chart.nvalues;
    double thick = b->band * 0.8 / (double)ns;
    for (size_t k = 0; k < ns; k++) {
        fprintf(f, "<g stroke=\"%s\" fill=\"%s\" stroke-width=\"2\">", palette[k % NPALETTE],
                palette[k % NPALETTE]);
        for (size_t i = 0; i < t->nrows; i++) {
            double v, lo, hi;
            if (!chart_interval(t, i, k, &v, &lo, &hi))
                continue;
            double y = b->y0 + b->band * ((double)i + 0.1) + thick * ((double)k + 0.5);
            fputs("<g><title>", f);
            html_text(f, series_name(t, k));
            fputs(", ", f);
            html_text(f, r->cells[i * t->ncols + t->chart.category_col]);
            fputs(": ", f);
            html_text(f, r->cells[i * t->ncols + t->chart.value_cols[k]]);
            fputs(" [", f);
            html_text(f, r->cells[i * t->ncols + t->chart.lower_cols[k]]);
            fputs(", ", f);
            html_text(f, r->cells[i * t->ncols + t->chart.upper_cols[k]]);
            fputs("]</title><line", f);
            attr(f, "x1", scale(ax, lo, b->x0, b->x1));
            attr(f, "x2", scale(ax, hi, b->x0, b->x1));
            attr(f, "y1", y);
            attr(f, "y2", y);
            fputs("/><circle r=\"3.5\"", f);
            attr(f, "cx", scale(ax, v, b->x0, b->x1));
            attr(f, "cy", y);
            fputs("/></g>", f);
        }
        fputs("</g>\n", f);
    }
}

/* The legend under the plot, wrapped as legend_rows counted. */
static void draw_legend(FILE *f, const brisk_table *t, const chart_box *b)
{
    if (t->chart.nvalues < 2)
        return;
    double x = 16, y = b->legend_y;
    fputs("<g class=\"legend\">", f);
    for (size_t k = 0; k < t->chart.nvalues; k++) {
        const char *name = series_name(t, k);
        double w = 34 + CHAR_W * (double)brisk_utf8_width(name);
        if (x + w > b->width - 16 && x > 16) {
            x = 16;
            y += 18;
        }
        fprintf(f, "<rect width=\"12\" height=\"12\" fill=\"%s\"", palette[k % NPALETTE]);
        attr(f, "x", x);
        attr(f, "y", y - 10);
        fputs("/><text", f);
        attr(f, "x", x + 16);
        attr(f, "y", y);
        fputc('>', f);
        html_text(f, name);
        fputs("</text>", f);
        x += w;
    }
    fputs("</g>\n", f);
}

static bool chart_drawable(const brisk_table *t)
{
    const brisk_table_chart *c = &t->chart;
    bool forest = c->type == BRISK_CHART_FOREST;
    if ((c->type != BRISK_CHART_BAR && c->type != BRISK_CHART_COLUMN && !forest) ||
        !c->value_cols || c->nvalues == 0 || t->nrows == 0 || c->category_col >= t->ncols ||
        (forest && (!c->lower_cols || !c->upper_cols)))
        return false;
    for (size_t k = 0; k < c->nvalues; k++)
        if (c->value_cols[k] >= t->ncols ||
            (forest && (c->lower_cols[k] >= t->ncols || c->upper_cols[k] >= t->ncols)))
            return false;
    return true;
}

/* The table's chart as an inline SVG figure after it, sized in viewBox
 * units so that it scales to the page.  n numbers the figure's ids. */
static void write_chart(FILE *f, const brisk_table *t, const brisk_rendered *r, size_t n)
{
    axis ax;
    if (!chart_drawable(t) || !value_axis(t, &ax))
        return;
    chart_box b = {0};
    layout(t, r, &ax, &b);
    const char *title = t->chart.title && t->chart.title[0] ? t->chart.title : t->title;
    fputs("<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"", f);
    fprintf(f, " viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\"", b.width, b.height,
            b.width, b.height);
    fprintf(f, " role=\"img\" aria-labelledby=\"chart%zu\" font-family=\"sans-serif\""
            " font-size=\"12\" fill=\"#222\">\n<title id=\"chart%zu\">", n, n);
    html_text(f, title);
    fputs("</title>\n<text class=\"title\" text-anchor=\"middle\" font-size=\"14\""
          " font-weight=\"bold\"", f);
    attr(f, "x", b.width / 2);
    attr(f, "y", 20);
    fputc('>', f);
    html_text(f, title);
    fputs("</text>\n", f);
    draw_value_axis(f, t, &ax, &b);
    if (t->chart.type == BRISK_CHART_FOREST)
        draw_intervals(f, t, r, &ax, &b);
    else
        draw_bars(f, t, r, &ax, &b);
    draw_categories(f, t, r, &b);
    draw_axis_title(f, t, &b);
    draw_legend(f, t, &b);
    fputs("</svg>\n</figure>\n", f);
}

/* ------------------------------------------------------------ the page */

static brisk_status write_table(FILE *f, const brisk_table *t, size_t n)
{
    brisk_rendered r;
    if (brisk_render_table(t, &r) != BRISK_OK)
        return BRISK_ERR_NOMEM;
    if (t->ncols) {
        fputs("<div class=\"wrap\">\n<table>\n", f);
        fprintf(f, "<caption><span class=\"num\">Table %zu</span>", n);
        if (t->title[0]) {
            fputs(" <span class=\"title\">", f);
            html_text(f, t->title);
            fputs("</span>", f);
        }
        fputs("</caption>\n", f);
        write_head(f, t);
        write_body(f, t, &r);
        fputs("</table>\n</div>\n", f);
    } else if (t->title[0]) {
        fputs("<p class=\"caption\">", f);
        html_text(f, t->title);
        fputs("</p>\n", f);
    }
    write_notes(f, t);
    write_chart(f, t, &r, n);
    brisk_rendered_free(&r);
    return BRISK_OK;
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;"
    "line-height:1.45;color:#111;background:#fff;max-width:68rem;margin:0 auto;padding:1rem}\n"
    "h1{font-size:1.6rem;margin:.5rem 0 1rem}\n"
    "h2{font-size:1.3rem;margin:2.5rem 0 .75rem;padding-bottom:.2rem;border-bottom:1px solid #bbb}\n"
    "nav ol{padding-left:1.5rem}\n"
    ".warnings{border-left:4px solid #D55E00;background:#fdf3ec;padding:.25rem 1rem;margin:1rem 0}\n"
    ".warnings h2{border:0;margin-top:.5rem}\n"
    ".wrap{overflow-x:auto;margin:1.25rem 0 .25rem}\n"
    "table{border-collapse:collapse;border-top:2px solid #000;border-bottom:2px solid #000;"
    "font-variant-numeric:tabular-nums lining-nums;font-size:.9rem}\n"
    "caption{caption-side:top;text-align:left;padding-bottom:.5rem}\n"
    "caption .num{display:block;font-weight:bold}\n"
    "caption .title,p.caption{font-style:italic}\n"
    "th,td{padding:.25rem .6rem;text-align:left;vertical-align:top;font-weight:normal}\n"
    "thead tr:last-child th,thead tr:last-child td{border-bottom:1px solid #000}\n"
    "th.group{text-align:center;padding-bottom:0}\n"
    "th.group span{display:block;border-bottom:1px solid #000;padding-bottom:.15rem}\n"
    ".n{text-align:right;white-space:nowrap}\n"
    "p.note{font-size:.85rem;margin:.25rem 0 1.5rem}\n"
    "figure.chart{margin:1rem 0 2rem}\n"
    "figure.chart svg{max-width:100%;height:auto}\n"
    "@media (max-width:40rem){body{padding:.5rem}table{font-size:.8rem}"
    "th,td{padding:.2rem .4rem}}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    ".wrap{overflow:visible}"
    "tr,th,td{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}"
    "figure,svg{break-inside:avoid;page-break-inside:avoid}"
    "h2,caption{break-after:avoid;page-break-after:avoid}"
    "a{color:inherit;text-decoration:none}}\n";

/* The page's title: the document's (a report's survey), else the first
 * table's sheet, or a plain one. */
static const char *page_title(const brisk_table_list *list)
{
    if (list->title && list->title[0])
        return list->title;
    if (list->count && list->tables[0]->sheet && list->tables[0]->sheet[0])
        return list->tables[0]->sheet;
    return "brisk results";
}

static void write_head_element(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n", f);
    fprintf(f, "<meta name=\"generator\" content=\"brisk %s\"/>\n<title>", BRISK_VERSION);
    html_text(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    html_text(f, title);
    fputs("</h1>\n", f);
}

static void write_warnings(FILE *f, const brisk_table_list *list)
{
    if (!list->nwarnings)
        return;
    fputs("<section class=\"warnings\" id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n", f);
    for (size_t k = 0; k < list->nwarnings; k++) {
        fputs("<li>", f);
        html_text(f, list->warnings[k]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
}

/* The contents: a link to each section, named by its first table. */
static void write_contents(FILE *f, const brisk_table_list *list, const size_t *of, size_t nsec)
{
    if (nsec < 2)
        return;
    fputs("<nav>\n<h2>Contents</h2>\n<ol>\n", f);
    for (size_t s = 0, k = 0; s < nsec; s++) {
        while (of[k] != s)
            k++;
        fprintf(f, "<li><a href=\"#sec%zu\">", s + 1);
        section_name(f, list->tables[k], k + 1);
        fputs("</a></li>\n", f);
    }
    fputs("</ol>\n</nav>\n", f);
}

static brisk_status write_section(FILE *f, const brisk_table_list *list, const size_t *of,
                                  size_t s)
{
    bool open = false;
    for (size_t k = 0; k < list->count; k++) {
        if (of[k] != s)
            continue;
        if (!open) {
            fprintf(f, "<section id=\"sec%zu\">\n<h2>", s + 1);
            section_name(f, list->tables[k], k + 1);
            fputs("</h2>\n", f);
            open = true;
        }
        brisk_status st = write_table(f, list->tables[k], k + 1);
        if (st != BRISK_OK)
            return st;
    }
    fputs("</section>\n", f);
    return BRISK_OK;
}

brisk_status brisk_write_html(FILE *f, const brisk_table_list *list)
{
    size_t *of = malloc((list->count ? list->count : 1) * sizeof *of);
    if (!of)
        return BRISK_ERR_NOMEM;
    size_t nsec = assign_sections(list, of);
    write_head_element(f, page_title(list));
    write_warnings(f, list);
    write_contents(f, list, of, nsec);
    brisk_status st = BRISK_OK;
    for (size_t s = 0; s < nsec && st == BRISK_OK; s++)
        st = write_section(f, list, of, s);
    free(of);
    if (st != BRISK_OK)
        return st;
    fputs("</body>\n</html>\n", f);
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
