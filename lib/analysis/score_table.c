/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The score tests of a fit's equality constraints as a table (brisk fit
 * --score-tests), and the "release first" suggestions of brisk
 * invariance: lavaan's lavTestScore(), named by parameter and groups. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "export/json.h"

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} columns[] = {
    {"parameter", "Parameter", BRISK_CELL_TEXT}, {"groups", "Groups", BRISK_CELL_TEXT},
    {"x2", "X2", BRISK_CELL_NUMBER}, {"df", "df", BRISK_CELL_INT},
    {"pvalue", "p", BRISK_CELL_PVALUE}, {"epc", "EPC", BRISK_CELL_NUMBER},
    {"cumulative_x2", "Cumulative X2", BRISK_CELL_NUMBER},
    {"cumulative_df", "Cumulative df", BRISK_CELL_INT},
    {"cumulative_pvalue", "Cumulative p", BRISK_CELL_PVALUE},
};

/* The columns without the cumulative tests. */
#define NPLAIN 6

void brisk_score_parameter_text(const brisk_score_test *t, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", t->lhs, brisk_op_text(t->op), t->rhs);
}

brisk_table *brisk_score_table_new(const char *name, const char *title, const char *first,
                                   const char *first_header, bool cumulative)
{
    brisk_table *t = brisk_table_new(name, title);
    if (t && first &&
        brisk_table_add_column(t, first, first_header, BRISK_CELL_TEXT, 0) == (size_t)-1)
        goto fail;
    size_t ncolumns = cumulative ? sizeof columns / sizeof columns[0] : NPLAIN;
    for (size_t k = 0; t && k < ncolumns; k++)
        if (brisk_table_add_column(t, columns[k].key, columns[k].header, columns[k].kind, 3) ==
            (size_t)-1)
            goto fail;
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

brisk_status brisk_score_table_row(brisk_table *t, const char *first, const brisk_fitted *fd,
                                   const brisk_score_test *s)
{
    char param[600], groups[600];
    brisk_score_parameter_text(s, param, sizeof param);
    snprintf(groups, sizeof groups, "%s = %s", fd->group_labels[s->ref_group],
             fd->group_labels[s->group]);
    size_t row = brisk_table_add_row(t), c = first ? 1 : 0;
    if (row == (size_t)-1 || (first && brisk_table_set_text(t, row, 0, first)) ||
        brisk_table_set_text(t, row, c, param) || brisk_table_set_text(t, row, c + 1, groups))
        return BRISK_ERR_NOMEM;
    double v[] = {s->x2, 1, s->pvalue, s->epc, s->cumulative_x2, (double)s->cumulative_df,
                  s->cumulative_pvalue};
    for (size_t k = 0; k < sizeof v / sizeof v[0] && c + 2 + k < t->ncols; k++)
        brisk_table_set_num(t, row, c + 2 + k, v[k]);
    return BRISK_OK;
}

/* One fit's rows and its total test's note. */
static brisk_status fit_rows(brisk_table *t, const brisk_fit_result *r, bool first,
                             brisk_error *err)
{
    if (!r->fit || !r->fitted)
        return BRISK_OK;   /* not estimated: the fit's tables say so */
    const char *name = r->group ? (r->label ? r->label : r->group) : NULL;
    brisk_score_tests s;
    brisk_status st = brisk_score_tests_equal(r->fitted, &s, err);
    if (st != BRISK_OK) {
        if (err)
            brisk_name_behaviour(err, r->group);
        return st;
    }
    for (size_t k = 0; k < s.n && st == BRISK_OK; k++)
        st = brisk_score_table_row(t, first ? name : NULL, r->fitted, &s.tests[k]);
    size_t row = st == BRISK_OK ? brisk_table_add_row(t) : (size_t)-1, c = first ? 1 : 0;
    if (row == (size_t)-1 || (first && brisk_table_set_text(t, row, 0, name)) ||
        brisk_table_set_text(t, row, c, "(total)") ||
        brisk_table_set_text(t, row, c + 1, "every constraint"))
        st = BRISK_ERR_NOMEM;
    else {
        brisk_table_set_num(t, row, c + 2, s.x2);
        brisk_table_set_num(t, row, c + 3, (double)s.df);
        brisk_table_set_num(t, row, c + 4, s.pvalue);
    }
    brisk_score_tests_free(&s);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

brisk_status brisk_score_tests_table(const brisk_fit_result *results, size_t n,
                                     brisk_table_list *out, brisk_error *err)
{
    bool first = n && results[0].group;
    brisk_table *t = brisk_score_table_new("fit.score_tests", "Score tests of the equality "
                                           "constraints", first ? "behaviour" : NULL,
                                           "Behaviour", true);
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = BRISK_OK;
    for (size_t g = 0; g < n && st == BRISK_OK; g++)
        st = fit_rows(t, &results[g], first, err);
    bool robust = false;
    for (size_t g = 0; g < n; g++)
        robust = robust || (results[g].fit && results[g].fit->fit.scaled);
    if (st == BRISK_OK &&
        brisk_table_add_note(t, "Score tests as lavaan's lavTestScore(fit, cumulative = TRUE, "
                             "epc = TRUE): each constraint holding a parameter of one group "
                             "equal to the first group's, released alone (X2 on 1 df, expected "
                             "information), largest first; Cumulative releases it with every "
                             "one above it; (total) releases them all; EPC is the parameter's expected change with every "
                             "constraint released. Release the largest first and refit with "
                             "--group-partial 'PARAMETER'."))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && robust &&
        brisk_table_add_note(t, "The tests are the standard (ML) score tests, as lavaan "
                             "0.6-14 gives them for a robust fit: it has no robust version."))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st != BRISK_OK) {
        brisk_table_free(t);
        return st;
    }
    return brisk_table_list_add(out, t) == BRISK_OK
               ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

static void json_number(FILE *f, const char *key, double x)
{
    fprintf(f, ", \"%s\": ", key);
    brisk_json_number(f, x);
}

void brisk_json_score_tests(FILE *f, const brisk_fit_result *r)
{
    brisk_score_tests s;
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_score_tests_equal(r->fitted, &s, &err) != BRISK_OK)
        return;   /* the tables have failed already */
    const char *const *labels = (const char *const *)r->fitted->group_labels;
    fputs("      \"score_tests\": {\"total\": {\"x2\": ", f);
    brisk_json_number(f, s.x2);
    fprintf(f, ", \"df\": %zu", s.df);
    json_number(f, "pvalue", s.pvalue);
    fputs("}, \"constraints\": [", f);
    for (size_t k = 0; k < s.n; k++) {
        const brisk_score_test *t = &s.tests[k];
        char param[600];
        brisk_score_parameter_text(t, param, sizeof param);
        fputs(k ? ",\n        {\"parameter\": " : "\n        {\"parameter\": ", f);
        brisk_json_string(f, param);
        fputs(", \"lhs\": ", f);
        brisk_json_string(f, t->lhs);
        fprintf(f, ", \"op\": \"%s\", \"rhs\": ", brisk_op_text(t->op));
        brisk_json_string(f, t->rhs);
        fputs(", \"group\": ", f);
        brisk_json_string(f, labels[t->group]);
        fputs(", \"equal_to_group\": ", f);
        brisk_json_string(f, labels[t->ref_group]);
        json_number(f, "x2", t->x2);
        fputs(", \"df\": 1", f);
        json_number(f, "pvalue", t->pvalue);
        json_number(f, "epc", t->epc);
        json_number(f, "cumulative_x2", t->cumulative_x2);
        fprintf(f, ", \"cumulative_df\": %zu", t->cumulative_df);
        json_number(f, "cumulative_pvalue", t->cumulative_pvalue);
        fputc('}', f);
    }
    fputs(s.n ? "\n      ]},\n" : "]},\n", f);
    brisk_score_tests_free(&s);
}
