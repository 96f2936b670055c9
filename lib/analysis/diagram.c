/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Path diagrams in Graphviz's dot language. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "brisk/analysis.h"

/* A dot identifier in double quotes (names may hold dots and braces). */
static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static const char *stars(double p)
{
    return !(p < 0.05) ? "" : p < 0.001 ? "***" : p < 0.01 ? "**" : "*";
}

/* ".82***": two decimals, no leading zero, as in published diagrams. */
static void coefficient(char *buf, size_t size, const brisk_estimate *e)
{
    char num[32];
    snprintf(num, sizeof num, "%.2f", e->std_all);
    const char *text = num;
    if (strncmp(num, "0.", 2) == 0)
        text = num + 1;
    else if (strncmp(num, "-0.", 3) == 0) {
        num[1] = '-';
        text = num + 1;
    }
    snprintf(buf, size, "%s%s", text, stars(e->pvalue));
}

static void nodes(FILE *f, const brisk_model *m)
{
    for (size_t i = 0; i < brisk_model_nlatent(m); i++) {
        fputs("  ", f);
        quoted(f, brisk_model_latent(m, i));
        fputs(" [shape=ellipse];\n", f);
    }
    for (size_t i = 0; i < brisk_model_nobserved(m); i++) {
        fputs("  ", f);
        quoted(f, brisk_model_observed(m, i));
        fputs(" [shape=box];\n", f);
    }
}

static void edge(FILE *f, const char *from, const char *to, const char *label, bool two_headed)
{
    fputs("  ", f);
    quoted(f, from);
    fputs(" -> ", f);
    quoted(f, to);
    fputs(" [label=", f);
    quoted(f, label);
    fputs(two_headed ? ", dir=both, style=dashed, constraint=false];\n" : "];\n", f);
}

static void edges(FILE *f, const brisk_model *m, const brisk_fit *fit)
{
    for (size_t r = 0; r < brisk_model_nparams(m); r++) {
        const brisk_param *p = brisk_model_param(m, r);
        char label[48];
        coefficient(label, sizeof label, &fit->rows[r]);
        if (p->op == BRISK_OP_MEASURE)
            edge(f, p->lhs, p->rhs, label, false);
        else if (p->op == BRISK_OP_REGRESS)
            edge(f, p->rhs, p->lhs, label, false);
        else if (p->op == BRISK_OP_COVARY && strcmp(p->lhs, p->rhs) != 0 && !p->fixed_x)
            edge(f, p->lhs, p->rhs, label, true);
    }
}

brisk_status brisk_write_fit_dot(FILE *f, const brisk_fit *fit, const char *name,
                                 const char *title, brisk_error *err)
{
    const brisk_model *m = fit->model;
    fputs("digraph ", f);
    quoted(f, name ? name : "model");
    fputs(" {\n  rankdir=LR;\n  fontname=\"Helvetica\";\n  node [fontname=\"Helvetica\"];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10];\n", f);
    if (title) {
        fputs("  labelloc=t;\n  label=", f);
        quoted(f, title);
        fputs(";\n", f);
    }
    nodes(f, m);
    edges(f, m, fit);
    fputs("}\n", f);
    return ferror(f) ? brisk_error_set(err, BRISK_ERR_WRITE, "write failed") : BRISK_OK;
}
