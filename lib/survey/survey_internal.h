/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal pieces of the survey module. */
#ifndef BRISK_SURVEY_INTERNAL_H
#define BRISK_SURVEY_INTERNAL_H

#include "brisk/survey.h"

/* Set err's location to the survey file and line (column optional). */
brisk_status brisk_survey_error(brisk_error *err, const brisk_survey *s, long line,
                                long column, brisk_status status, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Rake the respondents' weights to the survey's [margins] (rake.c): the
 * weight column rewritten, the calibration kept in d->raking.  Errors name
 * the margin's line and the variable (exit 2). */
typedef struct brisk_survey_raking brisk_survey_raking;
brisk_status brisk_survey_rake(brisk_survey_data *d, brisk_error *err);
void brisk_survey_raking_free(brisk_survey_raking *r);

#endif
