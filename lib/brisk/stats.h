/* brisk — descriptive statistics and the analyses built on them. */
#ifndef BRISK_STATS_H
#define BRISK_STATS_H

#include <stddef.h>
#include "dataset.h"
#include "error.h"
#include "survey.h"
#include "table.h"

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
 * respondents who answered every item (complete cases). */
typedef struct brisk_alpha {
    size_t n, k;             /* complete respondents, items */
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
} brisk_alpha;

/* Alpha of the columns items[0..k) over rows (NULL: all) of ds.  Errors:
 * a column that is missing or holds text (BRISK_ERR_COLUMN), fewer than
 * 2 items or fewer than 2 complete respondents, an item with no variance
 * among them (BRISK_ERR_DATA, naming the item). */
brisk_status brisk_alpha_compute(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, brisk_alpha *out,
                                 brisk_error *err);
void brisk_alpha_free(brisk_alpha *a);

/* Holm's step-down adjustment of p[0..n) into adjusted[0..n) (may be p),
 * as R's p.adjust(p, "holm"): a non-finite p is not a test, so it is not
 * counted and its adjusted value is NaN.  False when out of memory. */
bool brisk_holm(const double *p, size_t n, double *adjusted);

/* brisk describe: per behaviour and item n, mean, sd, median, counts and %
 * per scale point, % agreeing with a Wilson 95% CI (weighted when the
 * survey has a weight); frequencies of the demographics.  Tables are added
 * to out: "describe.items", "describe.counts", "describe.demographics",
 * "describe.demographics_numeric". */
brisk_status brisk_describe(const brisk_survey_data *data, brisk_table_list *out,
                            brisk_error *err);

/* brisk describe --by: for every item of the survey (per behaviour) and
 * every demographic column in by, the share approving (an answer in the
 * survey's agree range; weighted with the survey's weight) per level, and
 * the test that approval does not depend on the level: Pearson's
 * chi-square without continuity correction and Cramér's V (as
 * chisq.test(correct = FALSE)), or, with a weight, the Rao-Scott
 * second-order F of svychisq on the weighted table (and the weighted
 * Pearson chi-square it corrects).  Adds "describe.by_group" and
 * "describe.by_group_tests".  Errors: no agree range (BRISK_ERR_ARGUMENT),
 * an unknown column (BRISK_ERR_COLUMN). */
brisk_status brisk_approval_by_group(const brisk_survey_data *data, const char *const *by,
                                     size_t nby, brisk_table_list *out, brisk_error *err);

/* brisk compare-items: paired comparisons of items answered by the same
 * respondents (policies, or one question before and after information).
 * For every pair of items (a before b in the order given), on the rows
 * with both answered: the % approving each (an answer within
 * [agree_min, agree_max]) and their difference with a Wald interval for
 * paired proportions, McNemar's test (continuity-corrected, as R's
 * mcnemar.test), the paired t test (t.test(paired = TRUE)) and the
 * Wilcoxon signed-rank test (wilcox.test(paired = TRUE, exact = FALSE):
 * zero differences dropped, average ranks, tie and continuity
 * corrections).  With group, the same within each of its levels.  Adds
 * "items.pairs".  Errors name the column (BRISK_ERR_COLUMN, unknown;
 * BRISK_ERR_DATA, text). */
typedef struct brisk_compare_items_options {
    bool has_agree;              /* without: no % approving and no McNemar */
    double agree_min, agree_max;
    const char *group;           /* a column, or NULL */
    double ci_level;             /* 0: 0.95 */
    const char *source;          /* the data's name in messages */
} brisk_compare_items_options;

brisk_status brisk_compare_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                                 const brisk_compare_items_options *opt, brisk_table_list *out,
                                 brisk_error *err);

/* brisk import: one row per variable of a dataset (name, type, label, valid
 * n, missing n by kind, user-missing codes, value labels); table
 * "import.variables". */
brisk_status brisk_inspect(const brisk_dataset *ds, brisk_table_list *out, brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
