/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Agreement between coders (internal): Krippendorff's alpha, Fleiss' kappa,
 * Cohen's kappa (unweighted, linear and squared weights) and percent
 * agreement, on reliability data: nunits x ncoders category codes
 * (row-major, NaN where a coder did not code the unit).  The categories
 * are the distinct codes present; the caller maps labels to codes (by
 * label, never by position), in the order the ordinal, interval and
 * weighted statistics take as the scale's. */
#ifndef BRISK_STATS_AGREEMENT_H
#define BRISK_STATS_AGREEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum agreement_metric {
    AGREEMENT_NOMINAL,
    AGREEMENT_ORDINAL,
    AGREEMENT_INTERVAL,
    AGREEMENT_RATIO
} agreement_metric;

/* Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability"): from the coincidences of the values within each
 * unit coded at least twice, 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck
 * with the metric's squared difference d.  *pairable gets n, the values
 * in units coded at least twice.  NaN when there is no variation (or
 * fewer than two pairable values), or when out of memory. */
double brisk_agreement_krippendorff(const double *x, size_t nunits, size_t ncoders,
                              agreement_metric metric, size_t *pairable);

/* Alpha as above, and the percentile interval at level (0.95) of draws
 * bootstrap resamples of the units (nunits drawn with replacement; draw d
 * from stream d of seed, so the interval does not depend on the order of
 * the work), into *lo and *hi: NaN when fewer than half the draws give an
 * alpha.  The resamples' coincidences are summed over the units' distinct
 * patterns of values, so a draw costs the units, not their values. */
double brisk_agreement_krippendorff_interval(const double *x, size_t nunits, size_t ncoders,
                                             agreement_metric metric, size_t draws,
                                             uint64_t seed, double level, double *lo,
                                             double *hi);

/* Fleiss' kappa for units each coded by every coder (a unit with a
 * missing code is left out; *used gets the units used), with the
 * standard error under no agreement beyond chance of Fleiss, Nee and
 * Landis (1979), as irr::kappam.fleiss gives z = kappa / se. */
typedef struct fleiss_result {
    double kappa, se, z, p;
    size_t used;
} fleiss_result;
fleiss_result brisk_agreement_fleiss(const double *x, size_t nunits, size_t ncoders);

/* Cohen's kappa of two coders a and b over the units both coded: weights
 * none (1 on the diagonal), linear (1 - |i - j| / (K - 1)) or squared
 * (1 - (i - j)^2 / (K - 1)^2) of the categories' ranks among the K codes
 * either coder used; with its asymptotic SE (Fleiss, Cohen and Everitt
 * 1969; SAS PROC FREQ's ASE; psych::cohen.kappa's var.kappa). */
typedef enum kappa_weights { KAPPA_UNWEIGHTED, KAPPA_LINEAR, KAPPA_SQUARED } kappa_weights;
typedef struct cohen_result {
    double kappa, se, observed, expected;   /* observed, expected: weighted agreement */
    size_t used;
} cohen_result;
cohen_result brisk_agreement_cohen(const double *a, const double *b, size_t n, kappa_weights weights);

/* Percent agreement as irr::agree (tolerance 0): the share of the units
 * every coder coded on which all gave the same code; *used gets those
 * units.  NaN without such a unit. */
double brisk_agreement_percent(const double *x, size_t nunits, size_t ncoders, size_t *used);

#endif
