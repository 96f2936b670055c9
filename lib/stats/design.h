/* The design of a regression (internal): an R formula read, and the
 * outcome, model matrix and weights of the rows it uses. */
#ifndef BRISK_STATS_DESIGN_H
#define BRISK_STATS_DESIGN_H

#include "brisk/regress.h"

typedef struct design {
    size_t n;             /* rows used */
    size_t k;             /* columns of the model matrix */
    double *x;            /* n x k, row-major */
    double *y;            /* n outcomes (ordinal and logit: level index 0..) */
    double *w;            /* n weights (1 without a weight) */
    char **terms;         /* k column names */
    bool intercept;
    size_t n_dropped;     /* rows left out for a missing value */
    char *outcome;        /* the outcome's name */
    char **levels;        /* logit and ordinal: the outcome's levels, low to high */
    size_t nlevels;
} design;

/* Build the design of formula on ds (levels and weight from opt);
 * categorical outcomes for logit and ordinal families. */
brisk_status brisk_design_build(const brisk_dataset *ds, const char *formula,
                                const brisk_regress_options *opt, design *d, brisk_error *err);
void brisk_design_free(design *d);

#endif
