/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — expressions over a dataset's rows: the conditions of --where and
 * a survey's filter =, and the construct scores of [scores].
 *
 * The language is R's and SPSS's everyday arithmetic and logic:
 *
 *     aware == 1 & age >= 18
 *     !(region == 'west') | income > 3
 *     mean(acc1_crime, acc2_crime, acc3_crime)
 *     mean.2(tg1, tg2, tg3)        at least 2 answers, as SPSS's MEAN.2
 *
 * numbers, 'text' or "text" (compared with a text column, or with the
 * value labels of a numeric one), column names (letters of any script,
 * digits, '_' and '.', not starting with a digit; any other name in
 * backticks: `Trust 1`), + - * / ^, comparisons == != < <= > >=, ! & |
 * (&& and || too), parentheses, and the functions mean, sum, min, max (all
 * arguments answered, or with .N at least N of them: mean.2), missing(x)
 * (is.na(x)), abs, sqrt, exp, log (natural), log10.
 *
 * A missing value is missing in arithmetic and comparisons, and logic is
 * R's three-valued logic (FALSE & NA is FALSE, TRUE | NA is TRUE); x^0 is
 * 1 for any x, as in R; what R makes Inf or NaN (x/0, log(0), sqrt(-1))
 * is missing; a row
 * whose condition is missing is left out, as R's subset() and SPSS's
 * SELECT IF leave it out. */
#ifndef BRISK_EXPR_H
#define BRISK_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include "dataset.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct brisk_expr brisk_expr;

/* Parse text (at most 64 KiB, nesting at most 100 deep).  On an error
 * err->column is the character of text where it is. */
brisk_status brisk_expr_parse(const char *text, brisk_expr **out, brisk_error *err);
void brisk_expr_free(brisk_expr *e);

/* Resolve the names against ds's columns (BRISK_ERR_COLUMN naming an
 * unknown one) and check the types: text only compared with text, a
 * quoted value compared with a numeric column only when it is one of the
 * column's value labels.  Columns may be added to ds afterwards. */
brisk_status brisk_expr_bind(brisk_expr *e, const brisk_dataset *ds, brisk_error *err);

/* Is the expression a condition (a comparison, !, &, |, missing())? */
bool brisk_expr_is_condition(const brisk_expr *e);

/* The value for a row of the dataset it was bound to: NaN when missing;
 * conditions are 1 or 0. */
double brisk_expr_value(const brisk_expr *e, const brisk_dataset *ds, size_t row);

/* The text as parsed (for notes). */
const char *brisk_expr_text(const brisk_expr *e);

/* Keep the rows of ds where the condition text holds (rows where it is
 * false or missing are removed); *kept gets their number.  Errors name
 * the condition's column of text; a condition that keeps no row is an
 * error (BRISK_ERR_VALUE); ds is unchanged on failure. */
brisk_status brisk_dataset_filter(brisk_dataset *ds, const char *text, size_t *kept,
                                  brisk_error *err);

/* The note of every table of a filtered analysis:
 * "Rows where COND: KEPT of the data's TOTAL (N left out)." */
void brisk_filter_note(char *buf, size_t size, const char *cond, size_t kept, size_t total);

#ifdef __cplusplus
}
#endif
#endif
