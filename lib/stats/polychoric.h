/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Thresholds and polychoric correlations of ordered items (internal), as
 * lavaan's two-step estimates (lavCor(ordered = TRUE)): each item's
 * thresholds from its marginal proportions, then each pair's correlation
 * by maximum likelihood with the thresholds held at those values. */
#ifndef BRISK_STATS_POLYCHORIC_H
#define BRISK_STATS_POLYCHORIC_H

#include <stdbool.h>
#include <stddef.h>

/* P(X <= h, Y <= k) for standard normals of correlation r (|r| < 1);
 * h or k may be infinite. */
double brisk_bvn_cdf(double h, double k, double r);

/* The same for many (h, k) at one r: the quadrature rule of r, made once. */
typedef struct brisk_bvn_rule {
    double r;
    int n;                                      /* nodes */
    double sin_t[320], inv_2cos2[320], weight[320];
} brisk_bvn_rule;
void brisk_bvn_rule_init(brisk_bvn_rule *rule, double r);
double brisk_bvn_cdf_rule(const brisk_bvn_rule *rule, double h, double k);

/* The bivariate normal density at (h, k) with correlation r (0 when h or
 * k is infinite). */
double brisk_bvn_pdf(double h, double k, double r);

/* Thresholds of an item whose answers fall into ncat categories with the
 * given counts: tau[c] = Phi^-1(share of answers in categories 0..c),
 * c = 0 .. ncat - 2. */
void brisk_thresholds(const double *counts, size_t ncat, double *tau);

/* The most categories an ordered item may have. */
#define BRISK_POLYCHORIC_MAX_CATEGORIES 64

/* The polychoric correlation of a ka x kb table of counts (row-major)
 * given both items' thresholds; false when the likelihood has no maximum
 * inside (-1, 1) (an empty table, or a pattern only +-1 explains), or an
 * item has more than 64 categories. */
bool brisk_polychoric(const double *table, size_t ka, size_t kb, const double *ta,
                      const double *tb, double *rho);

#endif
