/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The test that approval does not depend on a grouping (internal): a
 * 2 x L table of approving by level, tested by Pearson's chi-square
 * (chisq.test(correct = FALSE)) with Cramer's V, or with weights by the
 * Rao-Scott second-order F of R's svychisq. */
#ifndef BRISK_STATS_CROSSTAB_H
#define BRISK_STATS_CROSSTAB_H

#include <stdbool.h>
#include <stddef.h>

/* One item by one demographic over some rows: per level the count, the
 * weight and the weighted count approving. */
typedef struct crosstab {
    size_t nlevels;
    double *n, *yes, *w, *wyes;     /* per level */
    size_t *level;                  /* per row used: its level */
    double *weight;                 /* per row used */
    bool *approve;                  /* per row used */
    size_t nrows;
    /* With a design: its rows, and each row used's design row; the cell
     * proportions' covariance is then the design's (stats/sampling.h, rows
     * not used contributing zeros, as svymean with na.rm), and the F's
     * denominator df its degrees of freedom (svychisq's nu).  NULL: each
     * row its own PSU among the rows used. */
    const struct sampling_design *design;
    size_t *unit;
} crosstab;

typedef struct test_result {
    double n, chisq, df, p, v;            /* unweighted: Pearson */
    double f, ndf, ddf;                   /* weighted: Rao-Scott */
} test_result;

/* The test of ct: Pearson's (weighted false) or Rao-Scott's; NaN
 * statistics when fewer than two levels have respondents. */
test_result brisk_crosstab_test(const crosstab *ct, bool weighted);

#endif
