/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Paired comparisons of two items answered by the same respondents
 * (internal): the difference in % approving with McNemar's test, the
 * paired t test and the Wilcoxon signed-rank test, as R's mcnemar.test,
 * t.test and wilcox.test compute them. */
#ifndef BRISK_STATS_PAIRED_H
#define BRISK_STATS_PAIRED_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/dataset.h"

/* What counts as approving, and the confidence level. */
typedef struct paired_rule {
    bool has_agree;              /* without: no % approving and no McNemar (NaN) */
    double agree_min, agree_max;
    double ci_level;             /* 0: 0.95 */
} paired_rule;

typedef struct pair_result {
    size_t n, n10, n01;
    double approve_a, approve_b, diff, diff_lower, diff_upper, mcnemar, mcnemar_p;
    double mean_a, mean_b, mean_diff, t, t_df, t_p, t_lower, t_upper;
    double wilcox_v, wilcox_z, wilcox_p;
    size_t wilcox_n;
} pair_result;

/* Everything about one pair over the rows listed (answered in both
 * columns); d is scratch of n doubles. */
void brisk_paired_compare(const brisk_column *a, const brisk_column *b, const size_t *rows,
                          size_t n, const paired_rule *rule, double *d, pair_result *r);

#endif
