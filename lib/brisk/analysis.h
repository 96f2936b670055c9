/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the analyses: what each command computes from a survey (or data
 * and a model) as tables.  They are built on the SEM engine (model.h), the
 * statistical building blocks (stats.h, regress.h) and the survey
 * (survey.h); every result is a list of tables (table.h) that any writer
 * can write.  The report (report.h) composes them. */
#ifndef BRISK_ANALYSIS_H
#define BRISK_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "dataset.h"
#include "error.h"
#include "model.h"
#include "predict.h"
#include "qual.h"
#include "regress.h"
#include "survey.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- describing items ---- */

/* brisk describe: per behaviour and item n, mean, sd, median, counts and %
 * per scale point, % agreeing with a Wilson 95% CI (weighted when the
 * survey has a weight); frequencies of the demographics.  Tables are added
 * to out: "describe.items", "describe.counts", "describe.demographics",
 * "describe.demographics_numeric". */
brisk_status brisk_describe(const brisk_survey_data *data, brisk_table_list *out,
                            brisk_error *err);

/* brisk describe --by: for every item of the survey (per behaviour) and
 * every demographic column in by, the share approving (an answer in the
 * survey's agree range; weighted with the survey's weight) per level, and
 * the test that approval does not depend on the level: Pearson's
 * chi-square without continuity correction and Cramér's V (as
 * chisq.test(correct = FALSE)), or, with a weight, the Rao-Scott
 * second-order F of svychisq on the weighted table (and the weighted
 * Pearson chi-square it corrects).  Adds "describe.by_group" and
 * "describe.by_group_tests".  Errors: no agree range (BRISK_ERR_ARGUMENT),
 * an unknown column (BRISK_ERR_COLUMN). */
brisk_status brisk_approval_by_group(const brisk_survey_data *data, const char *const *by,
                                     size_t nby, brisk_table_list *out, brisk_error *err);

/* brisk compare-items: paired comparisons of items answered by the same
 * respondents (policies, or one question before and after information).
 * For every pair of items (a before b in the order given), on the rows
 * with both answered: the % approving each (an answer within
 * [agree_min, agree_max]) and their difference with a Wald interval for
 * paired proportions, McNemar's test (continuity-corrected, as R's
 * mcnemar.test), the paired t test (t.test(paired = TRUE)) and the
 * Wilcoxon signed-rank test (wilcox.test(paired = TRUE, exact = FALSE):
 * zero differences dropped, average ranks, tie and continuity
 * corrections).  With group, the same within each of its levels.  Adds
 * "items.pairs".  Errors name the column (BRISK_ERR_COLUMN, unknown;
 * BRISK_ERR_DATA, text). */
typedef struct brisk_compare_items_options {
    bool has_agree;              /* without: no % approving and no McNemar */
    double agree_min, agree_max;
    const char *group;           /* a column, or NULL */
    double ci_level;             /* 0: 0.95 */
    const char *source;          /* the data's name in messages */
} brisk_compare_items_options;

brisk_status brisk_compare_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                                 const brisk_compare_items_options *opt, brisk_table_list *out,
                                 brisk_error *err);

/* brisk compare-items SURVEY: the same, one row per respondent, as the
 * survey's layout has the answers.  An item named with {b} ("acc1_{b}")
 * is compared per behaviour (a first column "behaviour" holds the key):
 * the wide layout's columns (acc1_crime), or the long layout's column
 * (acc1) on the behaviour's rows, paired with the other items by
 * respondent id.  A behaviour's item named by its wide name (acc1_crime)
 * is that behaviour's answer in either layout, so items of different
 * behaviours pair by respondent in the long layout too.  Items asked once,
 * other columns and the group come from each respondent's (first) row.
 * The table names items by their wide names.  In the long layout, a
 * per-behaviour item's bare column name (acc1) is refused
 * (BRISK_ERR_ARGUMENT), as is {b} in a survey without behaviours. */
brisk_status brisk_compare_items_survey(const brisk_survey_data *data, const char *const *items,
                                        size_t nitems, const brisk_compare_items_options *opt,
                                        brisk_table_list *out, brisk_error *err);

/* ---- regression ---- */

/* Fit formula to ds.  Adds "regress.coefficients" (term, estimate, SE,
 * t or z, p, confidence interval, and for logit and ordinal models the
 * odds ratio with its interval; thresholds first for ordinal models, as
 * clm lists them) and "regress.fit" (n used and dropped, log-likelihood,
 * AIC, BIC, R² or pseudo-R²...).  Errors (BRISK_ERR_MODEL, naming the
 * term or variable): a constant predictor, an empty category, fewer cases
 * than parameters, collinear predictors, perfect separation; an unknown
 * column (BRISK_ERR_COLUMN); a formula that cannot be read
 * (BRISK_ERR_FORMAT); an outcome of the wrong kind (BRISK_ERR_DATA). */
brisk_status brisk_regress(const brisk_dataset *ds, const char *formula,
                           const brisk_regress_options *opt, brisk_table_list *out,
                           brisk_error *err);

/* brisk regress SURVEY: formula fitted to a survey's data as its
 * declarations say (opt's weight and family as given; its rows, cluster
 * and source are set here):
 *  - with {b} in the formula ("acc1_{b} ~ age + pb1_{b}"), one model per
 *    behaviour, {b} expanded for it: in the wide layout its columns
 *    (acc1_crime), in the long layout the columns without {b} (acc1) on
 *    the behaviour's rows.  "regress.coefficients" gets a first column
 *    "behaviour" (the key), "regress.fit" a value column per behaviour
 *    (keyed by its key); terms are named by their wide names in both
 *    layouts (pb1_crime), so the tables of the two layouts read the same;
 *    an error names the behaviour;
 *  - without {b}, one model: in the wide layout over every row, in the
 *    long layout over the rows of every behaviour with standard errors
 *    clustered by the survey's id (svydesign(ids = ~id)), unless
 *    opt->cluster names another column; "regress.fit" then counts the
 *    clusters.
 * A logit whose outcome is one of the survey's items models agreeing (its
 * agree range); reverse-keyed items of the formula are named in a note.
 * Errors as brisk_regress's, and BRISK_ERR_ARGUMENT for {b} in a survey
 * without behaviours. */
brisk_status brisk_regress_survey(const brisk_survey_data *data, const char *formula,
                                  const brisk_regress_options *opt, brisk_table_list *out,
                                  brisk_error *err);

/* ---- importing ---- */

/* brisk import: one row per variable of a dataset (name, type, label, valid
 * n, missing n by kind, user-missing codes, value labels); table
 * "import.variables". */
brisk_status brisk_inspect(const brisk_dataset *ds, brisk_table_list *out, brisk_error *err);

/* ---- a survey's model, behaviour by behaviour ---- */

/* A survey's [model] fitted once per behaviour (or once, without
 * behaviours).  only lists the behaviour keys to fit (NULL: all).  Fails on
 * the first behaviour that cannot be fitted, naming it. */
typedef struct brisk_survey_fits {
    size_t n;
    brisk_fitted *fitted;
    const char **groups;          /* the behaviours' keys (borrowed), or NULL */
    const char **labels;          /* their labels, as tables show them (borrowed) */
} brisk_survey_fits;

/* A survey declaring strata or an fpc: the warning (once per list) that
 * the structural models do not use them (they take its cluster). */
brisk_status brisk_survey_warn_design(const brisk_survey *s, brisk_table_list *out);

brisk_status brisk_fit_survey(const brisk_survey *s, const brisk_survey_data *d,
                              const char *const *only, size_t nonly, const char *group_column,
                              const brisk_model_options *opt, brisk_survey_fits *out,
                              brisk_error *err);
void brisk_survey_fits_free(brisk_survey_fits *f);

/* How a fitted model was estimated, in words for notes: "WLSMV", "MLR",
 * "ML", with ", full information" after FIML. */
const char *brisk_fitted_estimator(const brisk_fitted *f);

/* ---- factor scores of fits, as a data file ---- */

/* The factor scores (brisk_fitted_scores) of a survey's fits as a dataset
 * of one row per respondent: the survey's id column, then for each fit one
 * column per latent variable, named LATENT_KEY with the behaviour's key
 * (LATENT for a survey without behaviours), empty where the fit did not use
 * the respondent.  A survey without 'id =' is BRISK_ERR_ARGUMENT. */
brisk_status brisk_survey_fit_scores(const brisk_survey *s, const brisk_survey_data *d,
                                     const brisk_survey_fits *fits, brisk_score_method method,
                                     brisk_dataset **out, brisk_error *err);
/* The same for a fit of a data file: a row per data row, named by the
 * column id (copied) or, when id is NULL, by its number from 1 in a column
 * "row"; then one column per latent variable. */
brisk_status brisk_data_fit_scores(const brisk_fitted *f, const brisk_dataset *ds,
                                   const char *id, brisk_score_method method,
                                   brisk_dataset **out, brisk_error *err);

/* ---- comparing behaviours rated by the same respondents ---- */

typedef struct brisk_compare_options {
    brisk_bootstrap_options boot;  /* draws (0: 1000), seed, threads, progress */
    brisk_model_options model;
    bool holm;                     /* Holm-adjusted p-values of the differences */
    bool omit_fit_warnings;        /* the caller reports the fits' warnings itself */
} brisk_compare_options;

/* Fit the survey's model for every behaviour, then bootstrap respondents
 * once per draw and refit every behaviour on the same resample, so that
 * differences between behaviours get standard errors that respect the
 * respondents' answering them all.  Adds "compare.paths" (every structural
 * path and := by behaviour, with an omnibus Wald test of equality across
 * behaviours from the bootstrap covariance) and "compare.differences"
 * (every pair of behaviours: difference, bootstrap SE, percentile 95%
 * interval, z, p, and Holm's adjusted p) and "compare.effects" (every :=
 * of every behaviour with its bootstrap SE and intervals) to out. */
brisk_status brisk_compare_behaviours(const brisk_survey *s,
                                      const brisk_survey_data *d,
                                      const brisk_compare_options *opt, brisk_table_list *out,
                                      brisk_error *err);

/* The same bootstrap for a survey with any number of behaviours (none: one
 * fit), keeping only "compare.effects": every := of every behaviour with
 * its bootstrap SE and percentile intervals.  A model without := adds
 * nothing. */
brisk_status brisk_bootstrap_effects(const brisk_survey *s,
                                     const brisk_survey_data *d,
                                     const brisk_compare_options *opt, brisk_table_list *out,
                                     brisk_error *err);

/* ---- measurement invariance ---- */

/* The model fitted in the groups of group_column at four levels —
 * configural, metric (loadings equal), scalar (and intercepts), strict (and
 * residual variances) — and compared level by level as lavaan's
 * lavTestLRT does (chi-square difference), with the changes in CFI and
 * RMSEA.  Adds the table "invariance.fit" to out (a note gives the groups
 * and their sizes) and the fits' warnings; a level that cannot be
 * estimated stops it (err names the level). */
brisk_status brisk_invariance(const char *text, const char *source, long first_line,
                              const brisk_dataset *ds, const size_t *rows, size_t nrows,
                              const char *group_column, const brisk_model_options *opt,
                              brisk_table_list *out, brisk_error *err);

/* The same for a survey's model, each behaviour (or those in only[0..nonly))
 * in turn: one "invariance.fit" table whose first column, "behaviour",
 * names the behaviour of each row (no such column without behaviours);
 * errors name the behaviour. */
brisk_status brisk_invariance_survey(const brisk_survey *s,
                                     const brisk_survey_data *d,
                                     const char *const *only, size_t nonly,
                                     const char *group_column, const brisk_model_options *opt,
                                     brisk_table_list *out, brisk_error *err);

/* ---- reliability and validity ---- */

/* The latent variables measured by two observed items or more: the
 * constructs that have a reliability. */
size_t brisk_model_nscales(const brisk_model *m);

typedef struct brisk_reliability_options {
    brisk_model_options model;
    bool htmt_arithmetic;    /* Henseler's HTMT with arithmetic means of the item
                                correlations, not semTools' default HTMT2 (geometric) */
} brisk_reliability_options;

/* For every construct (latent variable) of a model's measurement part:
 * Cronbach's alpha with Feldt's interval and Duhachek's SE, and per item
 * the item-total correlations and alpha if deleted, on the respondents who
 * answered all the construct's items (psych::alpha on complete cases); and
 * from the CFA of the =~ and ~~ statements (every factor correlated,
 * complete cases) omega and composite reliability (semTools compRelSEM with
 * obs.var TRUE and FALSE), AVE (semTools AVE), the HTMT ratios (semTools
 * htmt) and the Fornell-Larcker table.  Adds the tables
 * "reliability.alpha", "reliability.items", "reliability.composite",
 * "reliability.htmt" and "reliability.fornell_larcker" to out, with notes
 * naming the constructs below the usual thresholds. */
brisk_status brisk_reliability(const char *text, const char *source, long first_line,
                               const brisk_dataset *ds, const size_t *rows, size_t nrows,
                               const brisk_reliability_options *opt, brisk_table_list *out,
                               brisk_error *err);

/* The same for a survey, behaviour by behaviour (all, or those in
 * only[0..nonly)): a first column names the behaviour; a construct whose
 * items are the same in every behaviour (asked once) has its alpha once,
 * on every respondent ("all behaviours"). */
brisk_status brisk_reliability_survey(const brisk_survey *s,
                                      const brisk_survey_data *d,
                                      const char *const *only, size_t nonly,
                                      const brisk_reliability_options *opt,
                                      brisk_table_list *out, brisk_error *err);

/* ---- a fit's tables, path diagram and JSON ---- */

/* One fitted model and what it was fitted on, for the reports. */
typedef struct brisk_fit_result {
    const char *group;            /* the behaviour's key, or NULL */
    const char *label;            /* its label, which tables show; NULL: the key */
    const brisk_fit *fit;         /* NULL when the fit failed */
    const brisk_fitted *fitted;   /* moments and group labels, or NULL */
    const char *error;            /* why it failed, when fit is NULL */
    const struct brisk_bootstrap_info *bootstrap;   /* or NULL */
    bool standardized;            /* add "fit.standardized": the standardized solution
                                     with delta-method SEs (lavaan's standardizedSolution) */
    bool residuals;               /* add the residuals' tables (lavaan's lavResiduals) */
    bool modindices;              /* add lavaan's modification indices: the table
                                     "fit.modindices" and "modindices" in JSON */
    double mi_minimum;            /* ...those with MI above this (0: all) */
    bool score_tests;             /* add the score tests of the equality constraints:
                                     the table "fit.score_tests" */
} brisk_fit_result;

/* Tables of one or more fits: "fit.measures" (a column per group),
 * "fit.parameters" (parameterEstimates() rows, all groups stacked),
 * "fit.r2"; warnings go to the list's warnings. */
brisk_status brisk_fit_tables(const brisk_fit_result *results, size_t n,
                              brisk_table_list *out, brisk_error *err);

/* The table "fit.modindices": lavaan's modindices() of every fit
 * (brisk_modindices), MI decreasing, those with MI above minimum (lavaan's
 * minimum.value; 0: all), at most top per fit (0: all); a first column
 * names the behaviour (and a multi-group fit's group).  A fit whose indices
 * cannot be computed (WLSMV, full-information ML) fails it, naming the
 * behaviour, unless lenient: then a note says why it has none. */
brisk_status brisk_modindices_table(const brisk_fit_result *results, size_t n, double minimum,
                                    size_t top, bool lenient, brisk_table_list *out,
                                    brisk_error *err);

/* The table "fit.score_tests": lavaan's lavTestScore() of every fit's
 * equality constraints (brisk_score_tests_equal), each named by its
 * parameter ("visual=~x2") and groups ("Pasteur = Grant-White"), largest
 * X2 first, with the cumulative tests and EPC; the total test in a note.
 * A fit they are not computed for fails it, naming the behaviour. */
brisk_status brisk_score_tests_table(const brisk_fit_result *results, size_t n,
                                     brisk_table_list *out, brisk_error *err);

/* A Graphviz path diagram of one fit: latent variables as ellipses,
 * observed ones as boxes, standardized coefficients (std.all) with
 * significance stars on the arrows, covariances as dashed two-headed
 * arrows.  title labels the graph (a behaviour), may be NULL. */
brisk_status brisk_write_fit_dot(FILE *stream, const brisk_fit *fit, const char *name,
                                 const char *title, brisk_error *err);

/* The JSON document of DESIGN.md ("brisk", "fits": [...]). */
brisk_status brisk_write_fit_json(FILE *stream, const brisk_fit_result *results, size_t n,
                                  brisk_error *err);

/* ---- coded interviews ---- */

/* What a unit of agreement between coders is (--unit). */
typedef enum brisk_interview_unit {
    BRISK_UNIT_PARTICIPANT = 0,  /* did the coder apply the code to the participant? */
    BRISK_UNIT_SOURCE,           /* ... to the transcript (source)? */
    BRISK_UNIT_SEGMENT           /* ... to a segment: overlapping selections of any
                                    coder in one source form one unit */
} brisk_interview_unit;

/* The metric of Krippendorff's alpha for --categories. */
typedef enum brisk_interview_level {
    BRISK_LEVEL_NOMINAL = 0, BRISK_LEVEL_ORDINAL, BRISK_LEVEL_INTERVAL, BRISK_LEVEL_RATIO
} brisk_interview_level;

typedef struct brisk_interviews_options {
    const char *coder;            /* themes, co-occurrence and quotes of this coder
                                     only; NULL: every coder's codings */
    const char *const *by;        /* case variables to compare participants by */
    size_t nby;
    brisk_interview_unit unit;
    const char *categories;       /* a code whose children are the categories of one
                                     variable, for agreement on it; or NULL */
    brisk_interview_level level;  /* Krippendorff's metric on those categories */
    size_t bootstrap;             /* draws for alpha's CI; 0: 1000 */
    unsigned long long seed;      /* of those draws (brisk interviews: 1 by default) */
    bool no_quotes;               /* leave the quotes out */
} brisk_interviews_options;

/* brisk interviews: from a coded-interview project, the tables
 * "interviews.overview", "interviews.codebook" (a .qdc: nothing else),
 * "interviews.themes" (per code and parent: participants raising it, of
 * how many, the share with a Wilson 95% CI, segments, words coded),
 * "interviews.themes_by.VAR" per case variable in opt->by (participants
 * per level and Fisher's exact test), "interviews.cooccurrence" (pairs of
 * codes: overlapping segments, participants with both, Jaccard),
 * "interviews.agreement" (per code between the coders: percent agreement,
 * Cohen's kappa of two, Fleiss' kappa, Krippendorff's alpha with a
 * bootstrap CI, at opt->unit), "interviews.agreement_categories" (with
 * opt->categories) and "interviews.quotes".  Participants are the
 * project's cases; a source in no case is a participant of its own.
 * Errors: an unknown coder or --categories code (BRISK_ERR_VALUE), an
 * unknown case variable (BRISK_ERR_COLUMN). */
brisk_status brisk_interviews(const brisk_qual_project *p, const brisk_interviews_options *opt,
                              brisk_table_list *out, brisk_error *err);

/* The joint display of a mixed-methods study: for the participants whose
 * case variable link holds a survey respondent's id, per code and
 * construct (the mean of a construct's items, per behaviour) the mean and
 * SD of those who raised the code and of those who did not
 * ("interviews.joint").  Errors: link is no case variable
 * (BRISK_ERR_COLUMN); no participant matches a respondent (BRISK_ERR_DATA). */
brisk_status brisk_interviews_joint(const brisk_qual_project *p, const char *link,
                                    const brisk_survey_data *data,
                                    const brisk_interviews_options *opt,
                                    brisk_table_list *out, brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
