/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Paired comparisons of items answered by the same respondents: the
 * difference in % approving with McNemar's test, the paired t test and
 * the Wilcoxon signed-rank test, as R's mcnemar.test, t.test and
 * wilcox.test compute them. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paired.h"

static int compare_abs(const void *a, const void *b)
{
    double x = fabs(*(const double *)a), y = fabs(*(const double *)b);
    return (x > y) - (x < y);
}

/* wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE) of the
 * differences d[0..n) (sorted in place by |d|). */
static void signed_rank(double *d, size_t n, pair_result *r)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0)
            d[m++] = d[i];   /* zero differences carry no sign: dropped, as R */
    qsort(d, m, sizeof *d, compare_abs);
    double v = 0, ties = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && fabs(d[j]) == fabs(d[i]))
            j++;
        double rank = (double)(i + j + 1) / 2, t = (double)(j - i);   /* average rank */
        for (size_t k = i; k < j; k++)
            v += d[k] > 0 ? rank : 0;
        ties += t * t * t - t;
        i = j;
    }
    double nn = (double)m, z = v - nn * (nn + 1) / 4;
    double sigma = sqrt(nn * (nn + 1) * (2 * nn + 1) / 24 - ties / 48);
    double correction = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
    r->wilcox_n = m;
    r->wilcox_v = v;
    r->wilcox_z = sigma > 0 ? (z - correction) / sigma : NAN;
    r->wilcox_p = sigma > 0 ? 2 * fmin(gsl_cdf_ugaussian_P(r->wilcox_z),
                                       gsl_cdf_ugaussian_Q(r->wilcox_z))
                            : NAN;
    r->wilcox_p = fmin(r->wilcox_p, 1);
}

void brisk_paired_compare(const brisk_column *a, const brisk_column *b, const size_t *rows,
                          size_t n, const paired_rule *opt, double *d, pair_result *r)
{
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    double za = gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    *r = (pair_result){.n = n};
    double yes_a = 0, yes_b = 0, sum_a = 0, sum_b = 0, sum_d = 0, sum_d2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a->num[rows[i]], y = b->num[rows[i]];
        bool ax = opt->has_agree && x >= opt->agree_min && x <= opt->agree_max;
        bool by = opt->has_agree && y >= opt->agree_min && y <= opt->agree_max;
        yes_a += ax;
        yes_b += by;
        r->n10 += ax && !by;
        r->n01 += !ax && by;
        sum_a += x;
        sum_b += y;
        d[i] = x - y;
        sum_d += d[i];
    }
    double nn = (double)n, mean_d = sum_d / nn;
    for (size_t i = 0; i < n; i++)
        sum_d2 += (d[i] - mean_d) * (d[i] - mean_d);
    if (opt->has_agree) {
        double n10 = (double)r->n10, n01 = (double)r->n01, disc = n10 + n01;
        r->approve_a = 100 * yes_a / nn;
        r->approve_b = 100 * yes_b / nn;
        r->diff = 100 * (n10 - n01) / nn;
        double se = 100 * sqrt(fmax(disc - (n10 - n01) * (n10 - n01) / nn, 0)) / nn;
        r->diff_lower = r->diff - za * se;
        r->diff_upper = r->diff + za * se;
        /* continuity-corrected, as R, which leaves the correction out when
         * the discordant counts are equal (the statistic is then 0) */
        double num = fabs(n10 - n01) - (n10 != n01 ? 1 : 0);
        r->mcnemar = disc > 0 ? num * num / disc : NAN;
        r->mcnemar_p = disc > 0 ? gsl_cdf_chisq_Q(r->mcnemar, 1) : NAN;
    } else {
        r->approve_a = r->approve_b = r->diff = r->diff_lower = r->diff_upper = NAN;
        r->mcnemar = r->mcnemar_p = NAN;
    }
    r->mean_a = sum_a / nn;
    r->mean_b = sum_b / nn;
    r->mean_diff = mean_d;
    double se = sqrt(sum_d2 / (nn - 1) / nn);
    r->t_df = nn - 1;
    r->t = se > 0 ? mean_d / se : NAN;
    r->t_p = se > 0 ? 2 * gsl_cdf_tdist_Q(fabs(r->t), r->t_df) : NAN;
    double q = n > 1 ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, r->t_df) : NAN;
    r->t_lower = mean_d - q * se;
    r->t_upper = mean_d + q * se;
    signed_rank(d, n, r);
}
