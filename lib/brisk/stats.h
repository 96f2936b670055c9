/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — statistical building blocks: summaries, intervals, Cronbach's
 * alpha, Holm's adjustment.  The analyses built on them (describe,
 * compare-items, ...) are in analysis.h. */
#ifndef BRISK_STATS_H
#define BRISK_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include "dataset.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Summary of valid values x[0..n-1] with weights w (NULL: all 1).
 *  mean   = sum(w x) / sum(w)
 *  sd     = sqrt(sum(w (x - mean)^2) / sum(w) * n / (n - 1)), which is the
 *           ordinary sample SD without weights and survey::svyvar's
 *           estimate with sampling weights;
 *  median = the 50% point of the weighted distribution, averaging the two
 *           middle values when the cumulative weight hits exactly one half
 *           (R's median() without weights);
 *  n_eff  = Kish's effective sample size, sum(w)^2 / sum(w^2). */
typedef struct brisk_summary {
    size_t n;
    double sum_w;
    double n_eff;
    double mean, sd, median, min, max;
} brisk_summary;

/* x and w are reordered (sorted by x) in place. */
brisk_status brisk_summarize(double *x, double *w, size_t n, brisk_summary *out);

/* Wilson score interval for a proportion p observed on n (effective)
 * observations, at the normal quantile z (1.959964 for 95%); the interval
 * of prop.test(x, n, correct = FALSE). */
void brisk_wilson_ci(double p, double n, double z, double *lo, double *hi);

/* Cronbach's alpha of k items, as psych::alpha computes it on the
 * respondents who answered every item (complete cases).  With sampling
 * weights everything comes from the weighted means and covariances (the
 * divisor as brisk_summarize's SD: sum w (n - 1) / n), and the interval
 * and SE count Kish's effective n, (sum w)^2 / sum w^2. */
typedef struct brisk_alpha {
    size_t n, k;             /* complete respondents, items */
    double n_effective;      /* n, or with weights Kish's effective n */
    double raw;              /* (1 - tr C / 1'C1) k / (k - 1), C the covariance */
    double std;              /* the same on the correlations */
    double ci_lower, ci_upper;  /* Feldt's 95% interval (psych's alpha.ci) */
    double se;               /* Duhachek's asymptotic SE (psych's ase) */
    double mean_r;           /* average inter-item correlation */
    /* per item, k each: */
    double *mean, *sd;
    double *item_total_r;    /* r with the total score (psych's raw.r) */
    double *corrected_r;     /* r with the total of the other items (r.drop) */
    double *alpha_if_deleted, *std_alpha_if_deleted;   /* NaN with 2 items */
    /* psych::alpha's check of the keying: each item's loading on the first
     * principal component of the items' correlations, signed so that the
     * loadings sum to a positive number (psych::principal); an item below
     * 0 "was negatively correlated with the total scale and probably should
     * be reversed" (psych's warning). */
    double *pc1_loading;
    size_t nnegative;        /* items with a negative loading */
} brisk_alpha;

/* Alpha of the columns items[0..k) over rows (NULL: all) of ds, weighted
 * by column weight (NULL: unweighted; the caller has checked its values:
 * numeric, finite, not negative).  Errors: a column that is missing or
 * holds text (BRISK_ERR_COLUMN), fewer than 2 items or fewer than 2
 * complete respondents (or weights all zero), an item with no variance
 * among them (BRISK_ERR_DATA, naming the item). */
brisk_status brisk_alpha_compute(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, const char *weight,
                                 brisk_alpha *out, brisk_error *err);
void brisk_alpha_free(brisk_alpha *a);

/* Ordinal alpha (Zumbo, Gadermann & Zeisser, 2007) of k ordered items:
 * standardized alpha, k / (k - 1) (1 - k / 1'R1), of their polychoric
 * correlations R, as psych::alpha(psych::polychoric(x)$rho) computes it on
 * the respondents who answered every item: each item's thresholds from its
 * own shares of answers (psych's global thresholds), each pair's
 * correlation by maximum likelihood given them (lavaan's two-step
 * estimate; psych's optimize() finds the same maximum to about 1e-4). */
typedef struct brisk_ordinal_alpha {
    size_t n, k;             /* complete respondents, items */
    double alpha;
    double mean_r;           /* average polychoric correlation */
    bool positive_definite;  /* R is; psych::polychoric would smooth it if not */
} brisk_ordinal_alpha;

/* Errors as brisk_alpha_compute's, and BRISK_ERR_DATA naming the item or
 * pair: an item with more than 64 different answers (not ordered
 * categories), a pair whose correlation has no maximum inside (-1, 1). */
brisk_status brisk_alpha_ordinal(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, brisk_ordinal_alpha *out,
                                 brisk_error *err);

/* Holm's step-down adjustment of p[0..n) into adjusted[0..n) (may be p),
 * as R's p.adjust(p, "holm"): a non-finite p is not a test, so it is not
 * counted and its adjusted value is NaN.  False when out of memory. */
bool brisk_holm(const double *p, size_t n, double *adjusted);

#ifdef __cplusplus
}
#endif
#endif
