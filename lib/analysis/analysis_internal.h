/* What the survey-level analyses share (internal). */
#ifndef BRISK_ANALYSIS_INTERNAL_H
#define BRISK_ANALYSIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/error.h"
#include "brisk/model.h"

/* Whether a survey's behaviour is among only[0..nonly) (none: all; a
 * survey without behaviours has the key NULL, always selected). */
bool brisk_behaviour_selected(const char *key, const char *const *only, size_t nonly);

/* Prefix an error with the behaviour it happened in ("behaviour 'crime': "). */
void brisk_name_behaviour(brisk_error *err, const char *key);

/* How a fitted model was estimated, in words for notes: "WLSMV", "MLR",
 * "ML", with ", full information" for FIML. */
const char *brisk_fitted_estimator(const brisk_fitted *f);

#endif
