/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The LaTeX writer: booktabs floats with siunitx S columns. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "tap_skip.h"
#include "brisk.h"

static void add_column(brisk_table *t, const char *key, const char *header,
                       brisk_cell_kind kind, int decimals)
{
    assert_int_not_equal(brisk_table_add_column(t, key, header, kind, decimals), (size_t)-1);
}

static brisk_table_list *list_of(brisk_table *t)
{
    brisk_table_list *list = brisk_table_list_new();
    assert_non_null(list);
    assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
    return list;
}

/* The list written as LaTeX; frees the list. */
static char *render(brisk_table_list *list)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, BRISK_OUT_TEX, list, &err), BRISK_OK);
    assert_int_equal(fclose(f), 0);
    brisk_table_list_free(list);
    return buf;
}

static void assert_has(const char *out, const char *fragment)
{
    if (!strstr(out, fragment))
        fail_msg("missing:\n%s\nin:\n%s", fragment, out);
}

/* The sample of the other writers' tests: every kind, a group, a note. */
static brisk_table_list *sample_list(void)
{
    brisk_table *t = brisk_table_new("demo.paths", "Paths, by \"behaviour\"");
    add_column(t, "path", "Path", BRISK_CELL_TEXT, 0);
    add_column(t, "n", "n", BRISK_CELL_INT, 0);
    add_column(t, "est", "Estimate", BRISK_CELL_NUMBER, 3);
    add_column(t, "pct", "%", BRISK_CELL_PERCENT, 1);
    add_column(t, "p", "p", BRISK_CELL_PVALUE, 0);
    assert_int_equal(brisk_table_set_group(t, 2, "crime"), BRISK_OK);
    assert_int_equal(brisk_table_set_group(t, 3, "crime"), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "accept ~ benefit");
    brisk_table_set_num(t, r, 1, 601);
    brisk_table_set_num(t, r, 2, 0.38549);
    brisk_table_set_num(t, r, 3, 57.25);
    brisk_table_set_num(t, r, 4, 0.0004);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "risk, trust|x");
    brisk_table_set_num(t, r, 1, 598);
    brisk_table_set_num(t, r, 2, -0.0001);
    brisk_table_set_num(t, r, 3, NAN);
    brisk_table_set_num(t, r, 4, 0.0342);
    assert_int_equal(brisk_table_add_note(t, "Listwise n = %d.", 598), BRISK_OK);
    brisk_table_list *list = list_of(t);
    assert_int_equal(brisk_table_list_warn(list, "item %s is constant", "pb2_fees"), BRISK_OK);
    return list;
}

static void test_whole_output(void **state)
{
    (void)state;
    char *out = render(sample_list());
    assert_string_equal(out,
        "% brisk " BRISK_VERSION ": needs \\usepackage{booktabs,siunitx}\n"
        "\\begin{table}[htbp]\n"
        "\\centering\n"
        "\\caption{Paths, by \"behaviour\"}\n"
        "\\label{tab:demo-paths}\n"
        "\\sbox0{\\begin{tabular}{lS[table-format=3]S[table-format=1.3]S[table-format=2.1]r}\n"
        "\\toprule\n"
        "& & \\multicolumn{2}{c}{crime} & \\\\\n"
        "\\cmidrule(lr){3-4}\n"
        "Path & {n} & {Estimate} & {\\%} & p \\\\\n"
        "\\midrule\n"
        "accept \\textasciitilde{} benefit & 601 & 0.385 & 57.2 & \\textless{} .001 \\\\\n"
        "risk, trust\\textbar{}x & 598 & 0.000 & & .034 \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}}\\usebox0\n"
        "\\par\\smallskip\\parbox{\\wd0}{\\footnotesize\\raggedright\\emph{Note.} "
        "Listwise n = 598.}\n"
        "\\end{table}\n"
        "% warning: item pb2_fees is constant\n");
    free(out);
}

static void test_escaping(void **state)
{
    (void)state;
    const char *specials = "a\\b&c%d$e#f_g{h}i~j^k";
    const char *escaped = "a\\textbackslash{}b\\&c\\%d\\$e\\#f\\_g\\{h\\}i"
                          "\\textasciitilde{}j\\textasciicircum{}k";
    brisk_table *t = brisk_table_new("x", specials);
    add_column(t, "s", specials, BRISK_CELL_TEXT, 0);
    add_column(t, "v", specials, BRISK_CELL_NUMBER, 2);
    assert_int_equal(brisk_table_set_group(t, 1, specials), BRISK_OK);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, specials);
    brisk_table_set_text(t, r, 1, specials);  /* a text in place of a number */
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "Zürich — 荣成, line\nbreak, <5 >2 |");
    brisk_table_set_text(t, r, 1, "[1]");
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "[a] starts with a bracket");
    brisk_table_set_text(t, r, 1, "n/a");
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "*starred");
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "Cronbach's α ≥ .70, χ²");
    brisk_table_add_note(t, "%s", specials);
    brisk_table_list *list = list_of(t);
    brisk_table_list_warn(list, "two\nlines & 100%%");
    char *out = render(list);
    char want[512];
    snprintf(want, sizeof want, "\\caption{%s}\n", escaped);
    assert_has(out, want);
    snprintf(want, sizeof want, "& \\multicolumn{1}{c}{%s} \\\\\n\\cmidrule(lr){2-2}\n", escaped);
    assert_has(out, want);
    snprintf(want, sizeof want, "\n%s & {%s} \\\\\n\\midrule\n", escaped, escaped);
    assert_has(out, want);
    snprintf(want, sizeof want, "\\midrule\n%s & {%s} \\\\\n", escaped, escaped);
    assert_has(out, want);
    snprintf(want, sizeof want, "\\raggedright\\emph{Note.} %s}\n", escaped);
    assert_has(out, want);
    /* UTF-8 passes through but for the dashes and statistics' symbols;
     * line breaks become blanks; < > | as commands. */
    assert_has(out, "\nZürich --- 荣成, line break, \\textless{}5 \\textgreater{}2 \\textbar{} & {[1]} \\\\\n");
    assert_has(out, "\nCronbach's \\ensuremath{\\alpha} \\ensuremath{\\geq} .70, \\ensuremath{\\chi}\\textsuperscript{2} & \\\\\n");
    /* A leading [ or * would be read as an option of the \\ before it. */
    assert_has(out, "\n{}[a] starts with a bracket & {n/a} \\\\\n");
    assert_has(out, "\n{}*starred & \\\\\n");
    /* Comments stay on one line and need no escaping. */
    assert_has(out, "\n% warning: two lines & 100%\n");
    free(out);
}

/* The table-format of an S column: widest integer part, decimals, sign. */
static void test_table_format(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("fmt", "Formats");
    add_column(t, "signed", "Signed", BRISK_CELL_NUMBER, 3);
    add_column(t, "unsigned", "Unsigned", BRISK_CELL_NUMBER, 2);
    add_column(t, "count", "Count", BRISK_CELL_INT, 0);
    add_column(t, "pct", "Percent", BRISK_CELL_PERCENT, 1);
    add_column(t, "zero", "Rounds to zero", BRISK_CELL_NUMBER, 3);
    add_column(t, "empty", "Empty", BRISK_CELL_NUMBER, 2);
    add_column(t, "wide", "Wide", BRISK_CELL_NUMBER, 0);
    add_column(t, "texts", "With text", BRISK_CELL_NUMBER, 1);
    double rows[][8] = {
        {-0.385, 123.456, 601, 57.25, -0.0001, NAN, -12345, 2.25},
        {1.5, 4, 12, 100, 0.0002, NAN, 7, NAN},
    };
    for (size_t i = 0; i < 2; i++) {
        size_t r = brisk_table_add_row(t);
        for (size_t j = 0; j < 8; j++)
            brisk_table_set_num(t, r, j, rows[i][j]);
    }
    brisk_table_set_text(t, 1, 7, "-1234567 (fixed)");  /* not a number: ignored */
    char *out = render(list_of(t));
    assert_has(out, "\\begin{tabular}{S[table-format=-1.3]S[table-format=3.2]S[table-format=3]"
                    "S[table-format=3.1]S[table-format=1.3]S[table-format=1.2]"
                    "S[table-format=-5]S[table-format=1.1]}\n");
    assert_has(out, "\n-0.385 & 123.46 & 601 & 57.2 & 0.000 & & -12345 & 2.2 \\\\\n");
    assert_has(out, "\n1.500 & 4.00 & 12 & 100.0 & 0.000 & & 7 & {-1234567 (fixed)} \\\\\n");
    free(out);
}

static void test_s_headers_braced(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("h", "Headers");
    add_column(t, "item", "Item", BRISK_CELL_TEXT, 0);
    add_column(t, "agree", "% agree", BRISK_CELL_PERCENT, 1);
    add_column(t, "ok", "Valid", BRISK_CELL_BOOL, 0);
    add_column(t, "p", "p", BRISK_CELL_PVALUE, 0);
    add_column(t, "m", "M_1", BRISK_CELL_NUMBER, 2);
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "pb1");
    brisk_table_set_num(t, r, 1, 61.04);
    brisk_table_set_num(t, r, 2, 1);
    brisk_table_set_num(t, r, 3, 0.5);
    brisk_table_set_num(t, r, 4, 3.14159);
    char *out = render(list_of(t));
    assert_has(out, "{lS[table-format=2.1]lrS[table-format=1.2]}\n");
    /* No groups: the headers follow the top rule. */
    assert_has(out, "\\toprule\nItem & {\\% agree} & Valid & p & {M\\_1} \\\\\n\\midrule\n");
    assert_has(out, "\npb1 & 61.0 & yes & .500 & 3.14 \\\\\n");
    assert_null(strstr(out, "multicolumn"));
    assert_null(strstr(out, "cmidrule"));
    assert_null(strstr(out, "Note."));
    assert_null(strstr(out, "sbox"));   /* no notes: nothing to measure */
    free(out);
}

static void test_groups(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("g", "Groups");
    const char *groups[] = {NULL, "Benefit", "Benefit", "Risk", NULL, NULL, "Trust", "Trust"};
    for (size_t j = 0; j < 8; j++) {
        char key[8];
        snprintf(key, sizeof key, "c%zu", j);
        add_column(t, key, key, j ? BRISK_CELL_NUMBER : BRISK_CELL_TEXT, 1);
        if (groups[j])
            assert_int_equal(brisk_table_set_group(t, j, groups[j]), BRISK_OK);
    }
    brisk_table_add_row(t);
    char *out = render(list_of(t));
    assert_has(out, "\\toprule\n"
                    "& \\multicolumn{2}{c}{Benefit} & \\multicolumn{1}{c}{Risk} & & & "
                    "\\multicolumn{2}{c}{Trust} \\\\\n"
                    "\\cmidrule(lr){2-3} \\cmidrule(lr){4-4} \\cmidrule(lr){7-8}\n"
                    "c0 & {c1} & {c2}");
    /* An empty row: every cell empty. */
    assert_has(out, "\\midrule\n& & & & & & & \\\\\n\\bottomrule\n");
    free(out);

    /* A group from the first column on, and two runs of one name. */
    t = brisk_table_new("g2", "Groups");
    add_column(t, "a", "A", BRISK_CELL_TEXT, 0);
    add_column(t, "b", "B", BRISK_CELL_TEXT, 0);
    add_column(t, "c", "C", BRISK_CELL_TEXT, 0);
    add_column(t, "d", "D", BRISK_CELL_TEXT, 0);
    brisk_table_set_group(t, 0, "x");
    brisk_table_set_group(t, 1, "x");
    brisk_table_set_group(t, 3, "x");
    out = render(list_of(t));
    assert_has(out, "\\toprule\n\\multicolumn{2}{c}{x} & & \\multicolumn{1}{c}{x} \\\\\n"
                    "\\cmidrule(lr){1-2} \\cmidrule(lr){4-4}\nA & B & C & D \\\\\n");
    free(out);
}

static void test_notes(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("n", "Notes");
    add_column(t, "a", "A", BRISK_CELL_TEXT, 0);
    brisk_table_add_note(t, "Weighted by %s; 95%% CI.", "w_post");
    brisk_table_add_note(t, "Agree = 4 or 5.");
    char *out = render(list_of(t));
    /* Set to the width of the table, measured in box 0. */
    assert_has(out, "\\label{tab:n}\n\\sbox0{\\begin{tabular}{l}\n\\toprule\n");
    assert_has(out, "\\end{tabular}}\\usebox0\n"
                    "\\par\\smallskip\\parbox{\\wd0}{\\footnotesize\\raggedright"
                    "\\emph{Note.} Weighted by w\\_post; 95\\% CI. Agree = 4 or 5.}\n"
                    "\\end{table}\n");
    free(out);

    /* No table to measure: a plain paragraph. */
    t = brisk_table_new("n", "Notes");
    brisk_table_add_note(t, "Nothing to show.");
    out = render(list_of(t));
    assert_has(out, "\\label{tab:n}\n"
                    "\\par\\smallskip{\\footnotesize\\emph{Note.} Nothing to show.\\par}\n"
                    "\\end{table}\n");
    free(out);
}

static void test_labels(void **state)
{
    (void)state;
    brisk_table_list *list = brisk_table_list_new();
    const char *ids[] = {"describe.items", "fit/model 1: ü", "", "describe.items",
                         "describe_items", ""};
    for (size_t k = 0; k < 6; k++) {
        brisk_table *t = brisk_table_new(ids[k], "T");
        add_column(t, "a", "A", BRISK_CELL_TEXT, 0);
        assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
    }
    char *out = render(list);
    assert_has(out, "\\label{tab:describe-items}\n");
    assert_has(out, "\\label{tab:fit-model-1---}\n");
    assert_has(out, "\\label{tab:table}\n");
    /* Labels are unique in the output. */
    assert_has(out, "\\label{tab:describe-items-2}\n");
    assert_has(out, "\\label{tab:describe-items-3}\n");
    assert_has(out, "\\label{tab:table-2}\n");
    /* Tables are separated by a blank line. */
    assert_has(out, "\\end{table}\n\n\\begin{table}[htbp]\n");
    free(out);
}

static void test_pvalues(void **state)
{
    (void)state;
    brisk_table *t = brisk_table_new("p", "P values");
    add_column(t, "path", "Path", BRISK_CELL_TEXT, 0);
    add_column(t, "p", "p", BRISK_CELL_PVALUE, 0);
    double ps[] = {0.00001, 0.034, 0.5, 1, NAN};
    for (size_t i = 0; i < 5; i++)
        brisk_table_set_num(t, brisk_table_add_row(t), 1, ps[i]);
    brisk_table_set_text(t, 4, 1, "n/a");
    char *out = render(list_of(t));
    assert_has(out, "\\begin{tabular}{lr}\n");
    assert_has(out, "\\toprule\nPath & p \\\\\n\\midrule\n"
                    "& \\textless{} .001 \\\\\n& .034 \\\\\n& .500 \\\\\n& 1.000 \\\\\n& n/a \\\\\n"
                    "\\bottomrule\n");
    free(out);
}

static void test_empty_list_and_no_columns(void **state)
{
    (void)state;
    char *out = render(brisk_table_list_new());
    assert_string_equal(out, "% brisk " BRISK_VERSION ": needs \\usepackage{booktabs,siunitx}\n");
    free(out);
    out = render(list_of(brisk_table_new("none", "")));
    assert_has(out, "\\caption{}\n\\label{tab:none}\n\\end{table}\n");
    assert_null(strstr(out, "tabular"));
    free(out);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        BRISK_SKIP("/dev/full is not available");
    setvbuf(f, NULL, _IONBF, 0);
    brisk_table_list *list = sample_list();
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, BRISK_OUT_TEX, list, &err), BRISK_ERR_WRITE);
    fclose(f);
    brisk_table_list_free(list);
}

/* The directory of PATH that has an executable name, or NULL. */
static char *find_program(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *copy = strdup(path), *save = NULL;
    char *found = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", dir[0] ? dir : ".", name);
        if (access(full, X_OK) == 0)
            found = strdup(full);
    }
    free(copy);
    return found;
}

/* A document around the output of every test's tables compiles. */
static void test_pdflatex(void **state)
{
    (void)state;
    char *pdflatex = find_program("pdflatex");
    if (!pdflatex)
        BRISK_SKIP("pdflatex is not installed: the LaTeX is not compiled");
    char dir[] = "/tmp/brisk-tex-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/doc.tex", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("\\documentclass{article}\n\\usepackage{booktabs,siunitx}\n"
          "\\begin{document}\nSee Table~\\ref{tab:demo-paths}.\n", f);
    brisk_table_list *list = sample_list();
    brisk_table *t = brisk_table_new("esc", "Specials: \\ & % $ # _ { } ~ ^ < > | \"");
    add_column(t, "s", "Text & more", BRISK_CELL_TEXT, 0);
    add_column(t, "v", "Value_1", BRISK_CELL_NUMBER, 2);
    add_column(t, "q", "q", BRISK_CELL_PVALUE, 0);
    brisk_table_set_group(t, 1, "A ~ B");
    brisk_table_set_group(t, 2, "A ~ B");
    size_t r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "[a] 100% ~ ^ \\ {x}");
    brisk_table_set_num(t, r, 1, -12.345);
    brisk_table_set_num(t, r, 2, 0.00001);
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "*star");
    brisk_table_set_text(t, r, 1, "n/a");
    r = brisk_table_add_row(t);
    brisk_table_set_text(t, r, 0, "Zürich");
    brisk_table_add_note(t, "Specials \\ & %% $ # _ { } ~ ^.");
    assert_int_equal(brisk_table_list_add(list, t), BRISK_OK);
    brisk_error err;
    assert_int_equal(brisk_write_tables(f, BRISK_OUT_TEX, list, &err), BRISK_OK);
    brisk_table_list_free(list);
    fputs("\\end{document}\n", f);
    assert_int_equal(fclose(f), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' -interaction=nonstopmode -halt-on-error doc.tex >/dev/null 2>&1 "
             "&& '%s' -interaction=nonstopmode -halt-on-error doc.tex >/dev/null 2>&1",
             dir, pdflatex, pdflatex);
    int status = system(cmd);
    snprintf(path, sizeof path, "%s/doc.pdf", dir);
    int have_pdf = access(path, F_OK) == 0;
    if (status != 0)
        fprintf(stderr, "# pdflatex failed: see %s/doc.log\n", dir);
    else {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
    free(pdflatex);
    assert_int_equal(status, 0);
    assert_true(have_pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_output),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_table_format),
        cmocka_unit_test(test_s_headers_braced),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_pvalues),
        cmocka_unit_test(test_empty_list_and_no_columns),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_pdflatex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
