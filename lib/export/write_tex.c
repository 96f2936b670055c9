/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LaTeX: a booktabs table float per table, numbers aligned by siunitx.
 *
 * The output is a fragment to \input into a document that loads booktabs
 * and siunitx; for a whole document (brisk report: the list's document
 * title) it is a document that compiles by itself, a section per sheet,
 * each table scaled down to the page where it is wider or taller, by
 * pdflatex, or by xelatex (with xeCJK for Chinese, Japanese or Korean)
 * where a text needs more than Latin-1 and the symbols mapped below.
 * Counts, numbers and percentages go in siunitx S columns
 * whose table-format is computed from the cells as shown; p-values
 * (".034", "< .001", always three decimals) in right-aligned r columns;
 * text and yes/no in l columns. */
#include <config.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/version.h"
#include "export_internal.h"

/* Characters beyond Latin-1 that statistics writes (Cronbach's alpha,
 * Cohen's kappa, chi-square, +-, dashes), as commands that every engine
 * and font set prints. */
static const struct {
    unsigned code;
    const char *tex;
} symbols[] = {
    {0x00b1, "\\ensuremath{\\pm}"}, {0x00b2, "\\textsuperscript{2}"},
    {0x00b3, "\\textsuperscript{3}"}, {0x00b7, "\\ensuremath{\\cdot}"},
    {0x00d7, "\\ensuremath{\\times}"}, {0x0394, "\\ensuremath{\\Delta}"},
    {0x03a3, "\\ensuremath{\\Sigma}"}, {0x03a9, "\\ensuremath{\\Omega}"},
    {0x03b1, "\\ensuremath{\\alpha}"}, {0x03b2, "\\ensuremath{\\beta}"},
    {0x03b3, "\\ensuremath{\\gamma}"}, {0x03b4, "\\ensuremath{\\delta}"},
    {0x03b5, "\\ensuremath{\\varepsilon}"}, {0x03b7, "\\ensuremath{\\eta}"},
    {0x03b8, "\\ensuremath{\\theta}"}, {0x03ba, "\\ensuremath{\\kappa}"},
    {0x03bb, "\\ensuremath{\\lambda}"}, {0x03bc, "\\ensuremath{\\mu}"},
    {0x03c0, "\\ensuremath{\\pi}"}, {0x03c1, "\\ensuremath{\\rho}"},
    {0x03c3, "\\ensuremath{\\sigma}"}, {0x03c4, "\\ensuremath{\\tau}"},
    {0x03c6, "\\ensuremath{\\phi}"}, {0x03c7, "\\ensuremath{\\chi}"},
    {0x03c8, "\\ensuremath{\\psi}"}, {0x03c9, "\\ensuremath{\\omega}"},
    {0x2013, "--"}, {0x2014, "---"}, {0x2018, "`"}, {0x2019, "'"}, {0x201c, "``"},
    {0x201d, "''"}, {0x2026, "\\ldots{}"}, {0x2192, "\\ensuremath{\\rightarrow}"},
    {0x2194, "\\ensuremath{\\leftrightarrow}"}, {0x2212, "\\ensuremath{-}"},
    {0x221a, "\\ensuremath{\\surd}"}, {0x221e, "\\ensuremath{\\infty}"},
    {0x2248, "\\ensuremath{\\approx}"}, {0x2260, "\\ensuremath{\\neq}"},
    {0x2264, "\\ensuremath{\\leq}"}, {0x2265, "\\ensuremath{\\geq}"},
};

/* The code point of the UTF-8 sequence at p and its length (*len); 0 with
 * length 1 for a byte that starts no valid sequence. */
static unsigned utf8_code(const unsigned char *p, size_t *len)
{
    unsigned c = p[0];
    size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
    if (n == 1 || c >= 0xf5) {
        *len = 1;
        return c < 0x80 ? c : 0;
    }
    unsigned code = c & (0x7f >> n);
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80) {
            *len = 1;
            return 0;
        }
        code = code << 6 | (p[k] & 0x3f);
    }
    *len = n;
    return code;
}

static const char *symbol_of(unsigned code)
{
    for (size_t k = 0; k < sizeof symbols / sizeof symbols[0]; k++)
        if (symbols[k].code == code)
            return symbols[k].tex;
    return NULL;
}

/* s with LaTeX's special characters escaped.  < > | are written as
 * commands too: in the default OT1 font encoding they print as other
 * glyphs.  Line breaks and tabs become spaces, other control characters
 * are dropped; the symbols above become commands; other UTF-8 passes
 * through. */
static void tex_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            size_t len;
            const char *tex = symbol_of(utf8_code(p, &len));
            if (tex)
                fputs(tex, f);
            else
                fwrite(p, 1, len, f);
            p += len - 1;
            continue;
        }
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
 * as wide as the table: the table is set in box 0 to measure it (in a
 * whole document, in \\briskbox, scaled to the page; there the notes of
 * a narrow table take at least .6 of the line, not a tall column). */
static void write_notes(FILE *f, const brisk_table *t, bool boxed, bool document)
{
    if (!t->nnotes)
        return;
    fprintf(f, "\\par\\smallskip%s{\\footnotesize%s\\emph{Note.}",
            !boxed     ? ""
            : document ? "\\parbox{\\ifdim\\wd\\briskbox<.6\\linewidth.6\\linewidth"
                         "\\else\\wd\\briskbox\\fi}"
                       : "\\parbox{\\wd0}",
            boxed ? "\\raggedright" : "");
    for (size_t k = 0; k < t->nnotes; k++) {
        fputc(' ', f);
        tex_text(f, t->notes[k]);
    }
    fputs(boxed ? "}\n" : "\\par}\n", f);
}

static void write_table(FILE *f, const brisk_table *t, const char *label,
                        const brisk_rendered *r, bool document)
{
    fputs("\\begin{table}[htbp]\n\\centering\n\\caption{", f);
    tex_text(f, t->title);
    fprintf(f, "}\n\\label{%s}\n", label);
    bool boxed = t->ncols && (t->nnotes || document);
    if (t->ncols) {
        if (boxed)
            fputs(document ? "\\sbox\\briskbox{" : "\\sbox0{", f);
        write_colspec(f, t, r);
        fputs("\\toprule\n", f);
        write_groups(f, t);
        write_headers(f, t);
        fputs("\\midrule\n", f);
        for (size_t i = 0; i < t->nrows; i++)
            write_row(f, t, r->cells + i * t->ncols);
        fputs(document ? "\\bottomrule\n\\end{tabular}}\\brisktable\n"
              : boxed  ? "\\bottomrule\n\\end{tabular}}\\usebox0\n"
                       : "\\bottomrule\n\\end{tabular}\n", f);
    }
    write_notes(f, t, boxed, document);
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

/* ---- a whole document ---- */

/* Does any text of the list need more than pdflatex's Latin-1 and the
 * symbols (*wide), and is any of it Chinese, Japanese or Korean (*cjk)? */
static void scan_text(const char *s, bool *wide, bool *cjk)
{
    for (const unsigned char *p = (const unsigned char *)s; s && *p;) {
        size_t len;
        unsigned c = utf8_code(p, &len);
        p += len;
        if (c <= 0xff || symbol_of(c))
            continue;
        *wide = true;
        *cjk |= (c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
                (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef) ||
                (c >= 0x20000 && c <= 0x2fa1f);
    }
}

static void scan_list(const brisk_table_list *list, const brisk_rendered *r, bool *wide,
                      bool *cjk)
{
    scan_text(list->title, wide, cjk);
    for (size_t k = 0; k < list->nwarnings; k++)
        scan_text(list->warnings[k], wide, cjk);
    for (size_t k = 0; k < list->count; k++) {
        const brisk_table *t = list->tables[k];
        scan_text(t->title, wide, cjk);
        scan_text(t->sheet, wide, cjk);
        for (size_t j = 0; j < t->ncols; j++) {
            scan_text(t->cols[j].header, wide, cjk);
            scan_text(t->cols[j].group, wide, cjk);
        }
        for (size_t n = 0; n < t->nnotes; n++)
            scan_text(t->notes[n], wide, cjk);
        for (size_t c = 0; c < r[k].ncells; c++)
            scan_text(r[k].cells[c], wide, cjk);
    }
}

/* The preamble: A4 landscape; Latin-1 through T1 and inputenc for
 * pdflatex, or fontspec (and xeCJK with the Fandol fonts of TeX Live's
 * Chinese collection) for xelatex; \\brisktable sets \\briskbox scaled
 * down to the text's width and to most of its height. */
static void write_preamble(FILE *f, const brisk_table_list *list, bool wide, bool cjk)
{
    fprintf(f, "%% brisk %s: a whole document; compile with %s\n", BRISK_VERSION,
            wide ? "xelatex" : "pdflatex (or xelatex)");
    fputs("\\documentclass[10pt]{article}\n"
          "\\usepackage[a4paper,landscape,margin=2cm]{geometry}\n", f);
    if (wide)
        fputs("\\usepackage{fontspec}\n", f);
    else
        fputs("\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
              "\\IfFileExists{lmodern.sty}{\\usepackage{lmodern}}{}\n", f);
    if (cjk)
        fputs("\\usepackage{xeCJK}\n\\setCJKmainfont{FandolSong-Regular.otf}"
              "[BoldFont=FandolSong-Bold.otf]\n", f);
    fputs("\\usepackage{booktabs,siunitx,graphicx}\n"
          "\\newsavebox{\\briskbox}\n"
          "\\newcommand{\\brisktable}{%\n"
          "  \\ifdim\\wd\\briskbox>\\linewidth\n"
          "    \\sbox\\briskbox{\\resizebox{\\linewidth}{!}{\\usebox\\briskbox}}\\fi\n"
          "  \\ifdim\\dimexpr\\ht\\briskbox+\\dp\\briskbox\\relax>0.75\\textheight\n"
          "    \\sbox\\briskbox{\\resizebox*{!}{0.75\\textheight}{\\usebox\\briskbox}}\\fi\n"
          "  \\usebox\\briskbox}\n"
          "\\title{", f);
    tex_text(f, list->title);
    fprintf(f, "}\n\\author{brisk %s}\n\\date{}\n\\begin{document}\n\\maketitle\n",
            BRISK_VERSION);
}

/* A section at each new sheet (a table without one is its own). */
static void write_section(FILE *f, const brisk_table_list *list, size_t k)
{
    const brisk_table *t = list->tables[k];
    if (k && brisk_tables_share_sheet(list->tables[k - 1], t))
        return;
    fputs("\\section{", f);
    tex_text(f, brisk_table_sheet_name(t));
    fputs("}\n", f);
}

static void write_document_warnings(FILE *f, const brisk_table_list *list)
{
    if (!list->nwarnings)
        return;
    fputs("\\section{Warnings}\n\\begin{itemize}\n", f);
    for (size_t k = 0; k < list->nwarnings; k++) {
        fputs("\\item ", f);
        tex_text(f, list->warnings[k]);
        fputc('\n', f);
    }
    fputs("\\end{itemize}\n", f);
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
    brisk_rendered *r = calloc(list->count + 1, sizeof *r);
    brisk_status s = r ? BRISK_OK : BRISK_ERR_NOMEM;
    size_t rendered = 0;
    for (; s == BRISK_OK && rendered < list->count; rendered++)
        s = brisk_render_table(list->tables[rendered], &r[rendered]);
    bool document = list->title != NULL, wide = false, cjk = false;
    if (s == BRISK_OK && document) {
        scan_list(list, r, &wide, &cjk);
        write_preamble(f, list, wide, cjk);
    } else if (s == BRISK_OK) {
        fprintf(f, "%% brisk %s: needs \\usepackage{booktabs,siunitx}\n", BRISK_VERSION);
    }
    for (size_t k = 0; k < list->count && s == BRISK_OK; k++) {
        if (k)
            fputc('\n', f);
        if (document)
            write_section(f, list, k);
        write_table(f, list->tables[k], labels[k], &r[k], document);
    }
    for (size_t k = 0; r && k < rendered; k++)
        brisk_rendered_free(&r[k]);
    free(r);
    free_labels(labels, list->count);
    if (s != BRISK_OK)
        return s;
    if (document) {
        write_document_warnings(f, list);
        fputs("\\end{document}\n", f);
    } else {
        write_warnings(f, list);
    }
    return ferror(f) ? BRISK_ERR_WRITE : BRISK_OK;
}
