/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — survey definitions (.survey files) and the data they describe.
 *
 * A survey names its data file, its items (column-name templates in which
 * {b} stands for a behaviour's key), the behaviours, reverse-keyed items,
 * the model (lavaan syntax, also with {b}) and the demographics.  See
 * doc/survey-format.md. */
#ifndef BRISK_SURVEY_H
#define BRISK_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include "dataset.h"
#include "error.h"
#include "syntax.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_layout { BRISK_LAYOUT_WIDE = 0, BRISK_LAYOUT_LONG } brisk_layout;

/* One "key = value" or one name of a list, with the line it stands on. */
typedef struct brisk_survey_entry {
    char *key;
    char *value;     /* text after '=', or NULL */
    long line;
} brisk_survey_entry;

/* One [margins] line: a variable's population shares, for raking. */
typedef struct brisk_survey_margin {
    char *variable;
    char **codes;            /* the categories as written (numbers or text) */
    double *shares;          /* their population shares, summing to 1 */
    size_t ncodes;
    long line;
} brisk_survey_margin;

typedef struct brisk_survey {
    char *path;              /* the .survey file */
    char *title;
    char *data;              /* the data file as written */
    char *data_path;         /* resolved against the survey's folder */
    /* A study without microdata: its published matrix (cov = FILE or
     * cor = FILE, instead of data) and n = N; only brisk fit uses it. */
    char *matrix;            /* the matrix file as written, or NULL */
    char *matrix_path;       /* resolved against the survey's folder */
    bool matrix_correlations;   /* cor = FILE */
    double matrix_n;         /* n = N, or 0 */
    long matrix_line, n_line;
    char *id;                /* respondent id column, or NULL */
    char *weight;            /* weight column, or NULL */
    char *strata;            /* the sampling design: stratum column, or NULL */
    char *cluster;           /* primary sampling unit (one stage) column, or NULL */
    char *fpc;               /* per stratum: population PSUs or sampling fraction, or NULL */
    char *behaviour_column;  /* long layout: column holding behaviour keys */
    char *encoding;          /* data file encoding, or NULL */
    char *sheet;             /* xlsx data: the sheet, or NULL for the first */
    char decimal;            /* decimal mark of a text data file: 0 ('.') or ',' */
    unsigned skip;           /* lines (xlsx: rows) before the data's header row */
    unsigned header_rows;    /* rows of header, 0: one */
    long sheet_line, decimal_line, skip_line, header_rows_line;
    brisk_layout layout;
    bool has_scale, has_agree;
    bool ordered;            /* ordered = all: every item an ordered category (WLSMV) */
    brisk_survey_entry *ordered_items;  /* ordered = a list: these items (templates) */
    size_t nordered;
    long ordered_line;       /* where 'ordered' was set, 0: not set */
    double scale_min, scale_max;
    double agree_min, agree_max;
    double *missing;         /* extra missing codes */
    size_t nmissing;
    char *filter;            /* filter = CONDITION: the rows analysed (brisk/expr.h), or NULL */
    char *where;             /* a condition the command line adds (brisk_survey_set_where) */
    /* Lines of the [survey] keys, for errors about the data they name. */
    long title_line, data_line, id_line, weight_line, behaviour_line, encoding_line;
    long strata_line, cluster_line, fpc_line;
    long scale_line, agree_line, filter_line;

    brisk_survey_entry *behaviours;   /* key = label */
    size_t nbehaviours;
    brisk_survey_entry *items;        /* template = wording */
    size_t nitems;
    bool items_from_model;            /* no [items]: the items are the model's observed
                                         indicators (=~), each with its model line and no
                                         wording */
    brisk_survey_entry *reverse;      /* templates */
    size_t nreverse;
    brisk_survey_entry *demographics; /* column names */
    size_t ndemographics;
    brisk_survey_entry *scores;       /* [scores]: name template = expression */
    size_t nscores;
    brisk_survey_entry *recodes;      /* [recode]: answer text = code */
    size_t nrecodes;

    brisk_survey_margin *margins;     /* [margins]: the weights are raked to them */
    size_t nmargins;
    bool weight_generated;            /* [margins] without a weight: 'weight' names the
                                         column of the raked weights brisk adds */

    char *interviews;        /* [interviews] project = FILE as written, or NULL */
    char *interviews_path;   /* resolved against the survey's folder */
    char *interviews_link;   /* link = the case variable holding the survey id, or NULL */
    long interviews_line, interviews_link_line;

    char *model;             /* [model] verbatim, or NULL */
    long model_line;         /* line of the model's first line in the file */
    brisk_syntax *model_syntax; /* parsed [model] with templates unexpanded */
} brisk_survey;

/* Parse survey text; path names the file in errors and anchors relative
 * data paths. */
brisk_status brisk_survey_parse(const char *text, size_t size, const char *path,
                                brisk_survey **out, brisk_error *err);
/* Read and parse a .survey file. */
brisk_status brisk_survey_load(const char *path, brisk_survey **out, brisk_error *err);
void brisk_survey_free(brisk_survey *survey);

/* A condition the command line adds to the survey's filter (--where):
 * the rows analysed are those where both hold.  Checked as filter = is;
 * err names the condition. */
brisk_status brisk_survey_set_where(brisk_survey *survey, const char *condition,
                                    brisk_error *err);

/* Does a template name one column per behaviour ({b} or {behaviour})? */
bool brisk_template_is_per_behaviour(const char *tmpl);

/* Expand a template for behaviour b (index into behaviours; ignored when the
 * template has no {b}).  In the long layout a column template drops {b} and
 * one separator next to it ("pb1_{b}" -> "pb1"); in text (item wordings)
 * {behaviour} becomes the behaviour's label in lower case.  Returns a new
 * string, or NULL when out of memory. */
char *brisk_survey_column_name(const brisk_survey *s, const char *tmpl, size_t b);
char *brisk_survey_wording(const brisk_survey *s, const char *text, size_t b);

/* A template's column name in the wide layout (pb1_{b} -> pb1_crime),
 * whatever the survey's layout.  NULL when memory is exhausted. */
char *brisk_survey_wide_name(const brisk_survey *s, const char *tmpl, size_t b);

/* A population model for the survey (brisk simulate --survey): every line
 * with {b} or {behaviour} repeated once per behaviour, on that line (the
 * copies joined by ';', its comment dropped, so that line numbers in the
 * parser's messages are the file's), {b} and {behaviour} replaced by
 * the behaviour's key and label, and every c(v1, ..., vK) on such a line
 * replaced by the behaviour's value (one per behaviour, in the survey's
 * order).  path names the model in errors (a wrong number of values, {b}
 * in a survey without behaviours).  A new string, or NULL with err set. */
char *brisk_survey_population_text(const brisk_survey *s, const char *text, const char *path,
                                   brisk_error *err);

/* Does the survey declare column name (of behaviour b) an ordered item:
 * ordered = all, or a template of its ordered list naming it? */
bool brisk_survey_is_ordered(const brisk_survey *s, const char *name, size_t b);

/* The item a name stands for: an item's template as written in [items]
 * ("pb1_{b}", "tg1"), or one of its columns, named as this layout names
 * it ("pb1_crime" wide, "pb1" long) or by its wide name in any layout
 * ("pb1_crime").  *b gets the behaviour the name picks (the wide name of
 * a template with {b}), or (size_t)-1 (a template, an item asked once, a
 * long column common to every behaviour).  NULL when name is no item. */
const brisk_survey_entry *brisk_survey_find_item(const brisk_survey *s, const char *name,
                                                 size_t *b);

/* The construct whose indicator ([model] =~) template tmpl is, or NULL. */
const char *brisk_survey_construct_of(const brisk_survey *s, const char *tmpl);

/* Is the item of template tmpl reverse-keyed ([reverse])? */
bool brisk_survey_is_reversed(const brisk_survey *s, const char *tmpl);

/* The [model] text for behaviour b: every name template expanded as
 * brisk_survey_column_name expands it.  NULL when there is no model or
 * memory is exhausted. */
char *brisk_survey_model_text(const brisk_survey *s, size_t b);

/* The survey's data, read, checked and prepared:
 *  - every column the survey names exists (else BRISK_ERR_COLUMN naming the
 *    .survey file, line and column);
 *  - the survey's missing codes become user-missing in items and
 *    demographics;
 *  - item values outside scale are an error naming variable and data row;
 *  - answers written as text are coded by [recode];
 *  - reverse-keyed items are recoded to min + max - x;
 *  - the [scores] are computed, as columns of their own;
 *  - the rows where filter = (and --where) does not hold are left out;
 *  - the weight is numeric, finite and non-negative;
 *  - the sampling design (strata, cluster, fpc) is one R's survey package
 *    can estimate variances from (stats/sampling.h: no missing stratum, two
 *    or more PSUs in every stratum, one fpc per stratum). */
typedef struct brisk_survey_data {
    const brisk_survey *survey;  /* borrowed */
    brisk_dataset *ds;           /* owned */
    /* Rows of each behaviour (long layout: the rows whose behaviour column
     * holds its key; wide: every row).  rows[b] has nrows[b] entries. */
    size_t **rows;
    size_t *nrows;
    /* Rows that count once per respondent, for items asked once. */
    size_t *respondent_rows;
    size_t nrespondents;
    /* respondent_row[b][r]: the row of respondent r for behaviour b (wide:
     * respondent_rows[r]; long: the row with the respondent's id, matched
     * by sorting, or (size_t)-1 when there is none). */
    size_t **respondent_row;
    const brisk_column *weight;  /* borrowed, or NULL */
    /* With a weight or a design: the design over the respondents (design
     * row r is respondent r of respondent_rows; without a cluster each
     * respondent is a PSU).  NULL for an unweighted survey without one. */
    struct sampling_design *design;
    /* With [margins]: the raking (its calibration, for the variances), its
     * passes, and the raked weights' range and Kish's design effect. */
    struct brisk_survey_raking *raking;
    size_t raked_passes;
    double raked_min, raked_max, raked_deff;
    /* With filter = or --where: the data file's rows before the filter
     * (ds->nrows after it). */
    size_t rows_read;
} brisk_survey_data;

/* The sentence a table's note gives when the survey's rows are filtered:
 * "Rows where aware == 1 & age >= 18: 512 of the data's 600 (88 left
 * out)."  Empty when nothing is filtered. */
void brisk_survey_filter_note(const brisk_survey_data *d, char *buf, size_t size);

brisk_status brisk_survey_read_data(const brisk_survey *survey, brisk_survey_data **out,
                                    brisk_error *err);
/* The same with data already in memory (takes ownership of ds, also on
 * failure). */
brisk_status brisk_survey_prepare(const brisk_survey *survey, brisk_dataset *ds,
                                  brisk_survey_data **out, brisk_error *err);
void brisk_survey_data_free(brisk_survey_data *data);

/* The calibration of a survey's raked weights (per data row), for a
 * design's variance (stats/sampling.h), or NULL without [margins]. */
const struct sampling_calibration *brisk_survey_calibration(const brisk_survey_data *d);

/* Number of behaviour blocks to describe or fit: the number of behaviours,
 * or 1 for a survey without [behaviours]. */
size_t brisk_survey_nblocks(const brisk_survey *s);

#ifdef __cplusplus
}
#endif
#endif
