/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the survey-level analyses share (internal). */
#ifndef BRISK_ANALYSIS_INTERNAL_H
#define BRISK_ANALYSIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/error.h"
#include "brisk/model.h"
#include "brisk/survey.h"

/* Whether a survey's behaviour is among only[0..nonly) (none: all; a
 * survey without behaviours has the key NULL, always selected). */
bool brisk_behaviour_selected(const char *key, const char *const *only, size_t nonly);

/* What tables call behaviour b of s: its label, else its key. */
const char *brisk_behaviour_label(const brisk_survey *s, size_t b);

/* Prefix an error with the behaviour it happened in ("behaviour 'crime': "). */
void brisk_name_behaviour(brisk_error *err, const char *key);

/* The sampling weights' column a survey's analyses use under opt: the one
 * opt names, none with opt->unweighted, else the survey's weight. */
const char *brisk_survey_weight_of(const brisk_survey *s, const brisk_model_options *opt);
/* The clusters a survey's models are fitted with: the option's, else the
 * survey's cluster (or NULL). */
const char *brisk_survey_cluster_of(const brisk_survey *s, const brisk_model_options *opt);
/* Each data row's respondent (its row in the survey's design, d->design),
 * or (size_t)-1; NULL when out of memory.  Free it. */
size_t *brisk_respondent_index(const brisk_survey_data *d);

/* The options behaviour b of survey s is fitted with (its model text):
 * opt, and WLSMV where the survey declares items of the model ordered and
 * opt->survey_ordered (lavaan's default for ordered items) or opt asks
 * for WLSMV; a model that mixes ordered and continuous items has its
 * ordered ones in model.ordered_items (lavaan's ordered =), kept in
 * ordered.  Free with brisk_behaviour_options_free. */
typedef struct brisk_behaviour_fit_options {
    brisk_model_options model;
    char **ordered;               /* model.ordered_items' names (owned), or NULL */
    size_t nordered;
} brisk_behaviour_fit_options;
brisk_status brisk_behaviour_options(const brisk_survey *s, size_t b, const char *text,
                                     const brisk_model_options *opt,
                                     brisk_behaviour_fit_options *out, brisk_error *err);
void brisk_behaviour_options_free(brisk_behaviour_fit_options *o);

/* Score tests' tables (score_table.c): a constraint's parameter as lavaan
 * writes it ("visual=~x2", "x3~1"); a table of them, first (a column
 * key, or NULL) naming a first text column, with the cumulative tests or
 * not; a row. */
#include "brisk/analysis.h"
#include "brisk/table.h"
void brisk_score_parameter_text(const brisk_score_test *t, char *buf, size_t size);
brisk_table *brisk_score_table_new(const char *name, const char *title, const char *first,
                                   const char *first_header, bool cumulative);
brisk_status brisk_score_table_row(brisk_table *t, const char *first, const brisk_fitted *fd,
                                   const brisk_score_test *s);
/* "score_tests" of a fit's JSON object (nothing when they fail: the
 * tables, made first, have said why). */
#include <stdio.h>
void brisk_json_score_tests(FILE *f, const brisk_fit_result *r);

#endif
