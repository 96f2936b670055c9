/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The design of a regression (internal): an R formula read, and the
 * outcome, model matrix and weights of the rows it uses. */
#ifndef BRISK_STATS_DESIGN_H
#define BRISK_STATS_DESIGN_H

#include "brisk/regress.h"
#include "sampling.h"

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
    bool sampled;         /* design-based SEs: sampling weights or a declared design */
    sampling_design sampling;   /* then: its strata and PSUs over the rows in scope */
    size_t *at;           /* then: each used row's design row */
    double degf;          /* then: PSUs less strata of the rows used (survey's degf) */
} design;

/* Design-based SEs (R's survey package): sampling weights, or a design. */
static inline bool brisk_design_based(const brisk_regress_options *opt)
{
    return (opt->weight && opt->weight_type == BRISK_WEIGHT_SAMPLING) || opt->cluster ||
           opt->strata || opt->fpc;
}

/* Build the design of formula on ds (levels and weight from opt);
 * categorical outcomes for logit and ordinal families. */
brisk_status brisk_design_build(const brisk_dataset *ds, const char *formula,
                                const brisk_regress_options *opt, design *d, brisk_error *err);
void brisk_design_free(design *d);

/* The sum of the design's weights (its n without a weight). */
double brisk_design_total_weight(const design *d);

/* The levels of a grouping column over the rows where it is present, in
 * the order regressions use (numbers by value, named by their value
 * labels; text byte by byte). */
typedef struct design_levels {
    char **names;
    double *codes;
    size_t n;
} design_levels;

brisk_status brisk_design_group_levels(const brisk_dataset *ds, const brisk_column *c,
                                       design_levels *out, brisk_error *err);
/* The level of row (or (size_t)-1 when it is missing). */
size_t brisk_design_level_of(const brisk_column *c, const design_levels *lv, size_t row);
void brisk_design_levels_free(design_levels *lv);

#endif
