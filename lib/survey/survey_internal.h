/* Internal pieces of the survey module. */
#ifndef BRISK_SURVEY_INTERNAL_H
#define BRISK_SURVEY_INTERNAL_H

#include "brisk/survey.h"

/* Set err's location to the survey file and line (column optional). */
brisk_status brisk_survey_error(brisk_error *err, const brisk_survey *s, long line,
                                long column, brisk_status status, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
