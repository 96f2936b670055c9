/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — regressions of approval studies: OLS (classical, HC1 and HC3
 * standard errors), binary logit, and proportional-odds ordered logit or
 * probit (as ordinal::clm), unweighted, with frequency weights (case
 * counts, as MASS::polr's weights) or with sampling weights (sandwich
 * standard errors as the R survey package computes them for independent
 * sampling: svyglm, svyolr), and with standard errors clustered by a
 * column (a respondent's rows of a long survey: svydesign(ids = ~id), with
 * or without sampling weights).
 *
 * The model is an R formula: "y ~ x1 + x2 + x1:x2", "y ~ a*b" (a + b +
 * a:b), "- 1" or "0 +" for no intercept.  A string column, a numeric column
 * with value labels, or a column named in levels is categorical: one dummy
 * per level but the first (the reference), named "column=level" (every
 * level in an interaction whose other part is no term of its own, as R's
 * model.matrix codes "y ~ region + age:region").  Levels
 * come in the order levels gives, else by the value labels' codes, else
 * sorted (strings byte by byte, as R sorts in the C locale; numbers by
 * value).  A term may also be a function of numeric columns, named as R
 * deparses it: I() with + - * / ^, parentheses and numbers, log(),
 * log10(), sqrt(), exp(), and scale() (centred and divided by the SD over
 * the rows in scope where its argument is present, unweighted, as in R's
 * model frame); so may an OLS outcome (log(income) ~ age).  A value
 * where a function is undefined in a row used is
 * BRISK_ERR_VALUE naming the row.  `Trust 1` names a column with blanks;
 * non-ASCII letters need no backticks.  Rows missing any variable of the
 * model are left out and counted.  The library never prints and never
 * exits.
 *
 * This header holds the regression's options; brisk_regress (analysis.h)
 * fits a formula and makes its tables. */
#ifndef BRISK_REGRESS_H
#define BRISK_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include "dataset.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_family {
    BRISK_FAMILY_OLS = 0,
    BRISK_FAMILY_LOGIT,     /* binary outcome: its second level is the event */
    BRISK_FAMILY_ORDINAL    /* ordered outcome: P(y <= j) = F(theta_j - x'b) */
} brisk_family;

typedef enum brisk_link { BRISK_LINK_LOGIT = 0, BRISK_LINK_PROBIT } brisk_link;

typedef enum brisk_weight_type {
    BRISK_WEIGHT_SAMPLING = 0,   /* inverse selection probabilities */
    BRISK_WEIGHT_FREQUENCY       /* whole numbers: how many cases a row stands for */
} brisk_weight_type;

typedef enum brisk_robust { BRISK_ROBUST_NONE = 0, BRISK_ROBUST_HC1, BRISK_ROBUST_HC3 } brisk_robust;

/* The order of a categorical column's levels (the first is the reference;
 * for an ordinal outcome, lowest to highest), as written ("a,b,c"): text,
 * or for a numeric column its codes or value labels. */
typedef struct brisk_levels {
    const char *column;
    const char *const *levels;
    size_t n;
} brisk_levels;

typedef struct brisk_regress_options {
    brisk_family family;
    brisk_link link;             /* ordinal (and logit: only the logit link) */
    brisk_robust robust;         /* OLS without sampling weights */
    const char *weight;          /* weight column, or NULL */
    brisk_weight_type weight_type;
    const brisk_levels *levels;
    size_t nlevels;
    bool has_event;              /* logit: the event is a numeric outcome within */
    double event_min, event_max; /* [event_min, event_max] (a survey's agree range) */
    double ci_level;             /* 0: 0.95 */
    const char *source;          /* the data's name in messages */
    const size_t *rows;          /* the rows to fit (NULL: every row of the data) */
    size_t nrows;
    /* A one-stage sampling design, as svydesign(ids = ~cluster, strata =
     * ~strata, fpc = ~fpc, weights = ~weight, nest = TRUE) with svyglm or
     * svyolr: the sandwich sums the rows' scores within PSUs (the rows
     * sharing a cluster value within a stratum; each row its own without a
     * cluster), centres the PSU totals within strata and weights each
     * stratum by (1 - f) n_h / (n_h - 1); t tests have PSUs - strata + 1 - p
     * degrees of freedom.  A row whose cluster value is missing is a PSU
     * of its own; a stratum with one PSU is an error.  Not with frequency
     * weights or robust. */
    const char *cluster;
    const char *strata;
    const char *fpc;
    /* Weights calibrated to margins (a survey's raking; stats/sampling.h),
     * per data row, or NULL: the scores' residuals on the margins enter the
     * variance, as svyglm on a raked design.  brisk_regress_survey sets it
     * for the survey's own weight. */
    const struct sampling_calibration *calibration;
} brisk_regress_options;

#ifdef __cplusplus
}
#endif
#endif
