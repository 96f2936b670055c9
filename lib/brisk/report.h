/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the report: every result of a survey as one list of tables,
 * ready for a workbook (xlsx), Markdown or LaTeX. */
#ifndef BRISK_REPORT_H
#define BRISK_REPORT_H

#include "error.h"
#include "model.h"
#include "survey.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct brisk_report_options {
    brisk_model_options model;   /* how the survey's model is fitted */
    const char *date;            /* shown in the overview (NULL: today) */
    /* The Comparison and Indirect effects sheets come from this bootstrap
     * (draws 0: no such sheets); see brisk_compare_behaviours. */
    brisk_bootstrap_options boot;
} brisk_report_options;

/* Describe the survey, fit its model per behaviour, and add the report's
 * tables to out, sheet by sheet: Overview, Items, Demographics, Agreement
 * (with a chart), Measurement, Reliability (as brisk_reliability_survey),
 * Structural (with a chart), Fit, and with a bootstrap Comparison (two or
 * more behaviours) and Indirect effects (a model with :=); with
 * [interviews], Themes, Co-occurrence, Coder agreement and Quotes (as brisk
 * interviews) and, with its link, the Joint display.  Fails like
 * brisk_fit_survey when a behaviour's model cannot be estimated. */
brisk_status brisk_report(const brisk_survey *s, const brisk_survey_data *d,
                          const brisk_report_options *opt, brisk_table_list *out,
                          brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
