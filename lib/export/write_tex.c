/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LaTeX: a booktabs table float per table, numbers aligned by siunitx.
 *
 * The output is a fragment to \input into a document that loads booktabs
 * and siunitx.  Counts, numbers and percentages go in siunitx S columns
 * whose table-format is computed from the cells as shown; p-values
 * (".034", "< .001", always three decimals) in right-aligned r columns;
 * text and yes/no in l columns. */
#include <config.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/version.h"
#include "export_internal.h"

/* s with LaTeX's special characters escaped.  < > | are written as
 * commands too: in the default OT1 font encoding they print as other
 * glyphs.  Line breaks and tabs become spaces, other control characters
 * are dropped; UTF-8 passes through. */
static void tex_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\\': fputs("\\textbackslash{}", f); break;
        case '~': fputs("\\textasciitilde{}", f); break;
        case '^': fputs("\\textasciicircum{}", f); break;
        case '<': fputs("\\textless{}", f); break;
        case '>': fputs("\\textgreater{}", f); break;
        case '|': fputs("\\textbar{}", f); break;
        case '&': case '%': case '$': case '#': case '_': case '{': case '}':
            fputc('\\', f);
            fputc(*p, f);
            break;
        case '\n': case '\r': case '\t': fputc(' ', f); break;
        default:
            if (*p >= 0x20 && *p != 0x7f)
                fputc(*p, f);
            break;
        }
    }
}

/* A cell of an l or r column.  A leading [ or * would be taken as the
 * optional argument of the \\ or rule before it: an empty group stops that. */
static void tex_cell(FILE *f, const char *s)
{
    if (s[0] == '[' || s[0] == '*')
        fputs("{}", f);
    tex_text(f, s);
}

/* Counts, numbers and percentages are aligned on the decimal point. */
static bool is_s_column(const brisk_table_column *c)
{
    return c->kind == BRISK_CELL_INT || c->kind == BRISK_CELL_NUMBER ||
           c->kind == BRISK_CELL_PERCENT;
}

/* The shape of a shown number: sign, digits before and after the point. */
typedef struct num_shape {
    bool sign;
    size_t ints, decimals;
} num_shape;

/* Is s a plain number, -?[0-9]+(.[0-9]+)?, the way numeric cells are shown?
 * Anything else in an S column (a text in place of a value) is braced so
 * that siunitx leaves it alone. */
static bool parse_number(const char *s, num_shape *shape)
{
    static const char digits[] = "0123456789";
    num_shape n = {.sign = s[0] == '-'};
    const char *p = s + n.sign;
    n.ints = strspn(p, digits);
    if (n.ints == 0)
        return false;
    p += n.ints;
    if (*p == '.') {
        n.decimals = strspn(p + 1, digits);
        if (n.decimals == 0)
            return false;
        p += 1 + n.decimals;
    }
    if (*p)
        return false;
    *shape = n;
    return true;
}

/* siunitx's table-format of column j: the widest integer part, the most
 * decimals and a sign if any cell has one, e.g. "-1.3". */
static void write_table_format(FILE *f, const brisk_table *t, const brisk_rendered *r, size_t j)
{
    const brisk_table_column *c = &t->cols[j];
    num_shape widest = {.ints = 1,
                        .decimals = c->kind == BRISK_CELL_INT || c->decimals < 0
                                        ? 0 : (size_t)c->decimals};
    bool any = false;
    for (size_t i = 0; i < t->nrows; i++) {
        num_shape n;
        if (!parse_number(r->cells[i * t->ncols + j], &n))
            continue;
        if (!any)
            widest.decimals = 0;
        any = true;
        widest.sign |= n.sign;
        if (n.ints > widest.ints)
            widest.ints = n.ints;
        if (n.decimals > widest.decimals)
            widest.decimals = n.decimals;
    }
    fprintf(f, "S[table-format=%s%zu", widest.sign ? "-" : "", widest.ints);
    if (widest.decimals)
        fprintf(f, ".%zu", widest.decimals);
    fputc(']', f);
}

static void write_colspec(FILE *f, const brisk_table *t, const brisk_rendered *r)
{
    fputs("\\begin{tabular}{", f);
    for (size_t j = 0; j < t->ncols; j++) {
        if (is_s_column(&t->cols[j]))
            write_table_format(f, t, r, j);
        else
            fputc(t->cols[j].kind == BRISK_CELL_PVALUE ? 'r' : 'l', f);
    }
    fputs("}\n", f);
}

static bool same_group(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The end of the run of adjacent columns with the group of column j. */
static size_t group_end(const brisk_table *t, size_t j)
{
    size_t k = j + 1;
    while (k < t->ncols && same_group(t->cols[j].group, t->cols[k].group))
        k++;
    return k;
}

/* Start cell j of a row: cells are joined by " & ", but an empty cell
 * adds no blanks ("a & & b \\", "& c \\").  *started: is anything on the
 * line yet? */
static void begin_cell(FILE *f, size_t j, bool empty, bool *started)
{
    if (j) {
        fputs(*started ? " &" : "&", f);
        if (!empty)
            fputc(' ', f);
    }
    *started |= j || !empty;
}

/* The spanning headers, each over its run of columns and underlined. */
static void write_groups(FILE *f, const brisk_table *t)
{
    bool any = false;
    for (size_t j = 0; j < t->ncols; j++)
        any |= t->cols[j].group != NULL;
    if (!any)
        return;
    bool started = false;
    for (size_t j = 0, k; j < t->ncols; j = k) {
        k = group_end(t, j);
        const char *g = t->cols[j].group;
        if (!g) {
            for (size_t m = j; m < k; m++)
                begin_cell(f, m, true, &started);
            continue;
        }
        begin_cell(f, j, false, &started);
        fprintf(f, "\\multicolumn{%zu}{c}{", k - j);
        tex_text(f, g);
        fputc('}', f);
    }
    fputs(" \\\\\n", f);
    const char *sep = "";
    for (size_t j = 0, k; j < t->ncols; j = k) {
        k = group_end(t, j);
        if (t->cols[j].group) {
            fprintf(f, "%s\\cmidrule(lr){%zu-%zu}", sep, j + 1, k);
            sep = " ";
        }
    }
    fputc('\n', f);
}

/* Headers of S columns are braced, as siunitx wants text there. */
static void write_headers(FILE *f, const brisk_table *t)
{
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputs(" & ", f);
        if (is_s_column(&t->cols[j])) {
            fputc('{', f);
            tex_text(f, t->cols[j].header);
            fputc('}', f);
        } else {
            tex_cell(f, t->cols[j].header);
        }
    }
    fputs(" \\\\\n", f);
}

static void write_row(FILE *f, const brisk_table *t, char *const *cells)
{
    bool started = false;
    for (size_t j = 0; j < t->ncols; j++) {
        begin_cell(f, j, !cells[j][0], &started);
        num_shape n;
        if (!is_s_column(&t->cols[j]))
            tex_cell(f, cells[j]);
        else if (!cells[j][0] || parse_number(cells[j], &n))
            fputs(cells[j], f);
        else {
            fputc('{', f);
            tex_text(f, cells[j]);
            fputc('}', f);
        }
    }
    fputs(" \\\\\n", f);
}

/* The notes as one APA "Note." paragraph under the table, flush left and
 * as wide as the table: the table is set in box 0 to measure it. */
static void write_notes(FILE *f, const brisk_table *t, bool boxed)
{
    if (!t->nnotes)
        return;
    fprintf(f, "\\par\\smallskip%s{\\footnotesize%s\\emph{Note.}",
            boxed ? "\\parbox{\\wd0}" : "", boxed ? "\\raggedright" : "");
    for (size_t k = 0; k < t->nnotes; k++) {
        fputc(' ', f);
        tex_text(f, t->notes[k]);
    }
    fputs(boxed ? "}\n" : "\\par}\n", f);
}

static void write_table(FILE *f, const brisk_table *t, const char *label,
                        const brisk_rendered *r)
{
    fputs("\\begin{table}[htbp]\n\\centering\n\\caption{", f);
    tex_text(f, t->title);
    fprintf(f, "}\n\\label{%s}\n", label);
    bool boxed = t->ncols && t->nnotes;
    if (t->ncols) {
        if (boxed)
            fputs("\\sbox0{", f);
        write_colspec(f, t, r);
        fputs("\\toprule\n", f);
        write_groups(f, t);
        write_headers(f, t);
        fputs("\\midrule\n", f);
        for (size_t i = 0; i < t->nrows; i++)
            write_row(f, t, r->cells + i * t->ncols);
        fputs(boxed ? "\\bottomrule\n\\end{tabular}}\\usebox0\n"
                    : "\\bottomrule\n\\end{tabular}\n", f);
    }
    write_notes(f, t, boxed);
    fputs("\\end{table}\n", f);
}

/* "tab:" and the id with every character but ASCII letters and digits
 * (a UTF-8 sequence counting as one) replaced by '-'; "tab:table" for an
 * empty id.  Labels must be unique in a document: a label already used by
 * an earlier table of the list gets "-2", "-3", ... */
static char *make_label(const char *id, char *const *earlier, size_t nearlier)
{
    size_t n = strlen(id);
    char *label = malloc(n + 32);
    if (!label)
        return NULL;
    char *out = label + sprintf(label, "tab:%s", id[0] ? "" : "table");
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue;
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9');
        *out++ = alnum ? (char)*p : '-';
    }
    *out = '\0';
    size_t base = (size_t)(out - label);
    for (unsigned suffix = 2;; suffix++) {
        bool taken = false;
        for (size_t k = 0; k < nearlier && !taken; k++)
            taken = strcmp(earlier[k], label) == 0;
        if (!taken)
            return label;
        snprintf(label + base, n + 32 - base, "-%u", suffix);
    }
}

static void free_labels(char **labels, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(labels[k]);
    free(labels);
}

/* Warnings as comment lines, each kept on one line. */
static void write_warnings(FILE *f, const brisk_table_list *list)
{
    for (size_t k = 0; k < list->nwarnings; k++) {
        fputs("% warning: ", f);
        for (const char *p = list->warnings[k]; *p; p++)
            fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
        fputc('\n', f);
    }
}

brisk_status brisk_write_tex(FILE *f, const brisk_table_list *list)
{
    char **labels = calloc(list->count ? list->count : 1, sizeof *labels);
    if (!labels)
        return BRISK_ERR_NOMEM;
    for (size_t k = 0; k < list->count; k++) {
        labels[k] = make_label(list->tables[k]->id, labels, k);
        if (!labels[k]) {
            free_labels(labels, k);
            return BRISK_ERR_NOMEM;
        }
    }
    fprintf(f, "%% brisk %s: needs \\usepackage{booktabs,siunitx}\n", BRISK_VERSION);
    brisk_status s = BRISK_OK;
    for (size_t k = 0; k < list->count && s == BRISK_OK; k++) {
        brisk_rendered r;
        if ((s = brisk_render_table(list->tables[k], &r)) != BRISK_OK)
            break;
        if (k)
            fputc('\n', f);
        write_table(f, list->tables[k], labels[k], &r);
        brisk_rendered_free(&r);
    }
    free_labels(labels, list->count);
    if (s != BRISK_OK)
        return s;
    write_warnings(f, list);
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
