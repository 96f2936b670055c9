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
#include "brisk/stats.h"
#include "core/util.h"
#include "design.h"

typedef struct pair_result {
    size_t n, n10, n01;
    double approve_a, approve_b, diff, diff_lower, diff_upper, mcnemar, mcnemar_p;
    double mean_a, mean_b, mean_diff, t, t_df, t_p, t_lower, t_upper;
    double wilcox_v, wilcox_z, wilcox_p;
    size_t wilcox_n;
} pair_result;

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

/* Everything about one pair over the rows listed. */
static void compare_pair(const brisk_column *a, const brisk_column *b, const size_t *rows,
                         size_t n, const brisk_compare_items_options *opt, double *d,
                         pair_result *r)
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

/* ------------------------------------------------------------ table */

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} columns[] = {
    {"group", "Group", BRISK_CELL_TEXT}, {"item_a", "Item A", BRISK_CELL_TEXT},
    {"item_b", "Item B", BRISK_CELL_TEXT}, {"n", "n", BRISK_CELL_INT},
    {"approve_a", "% A", BRISK_CELL_PERCENT}, {"approve_b", "% B", BRISK_CELL_PERCENT},
    {"diff", "Diff. (points)", BRISK_CELL_NUMBER}, {"diff_lower", "CI lower", BRISK_CELL_NUMBER},
    {"diff_upper", "CI upper", BRISK_CELL_NUMBER}, {"n10", "A only", BRISK_CELL_INT},
    {"n01", "B only", BRISK_CELL_INT}, {"mcnemar", "McNemar chi2", BRISK_CELL_NUMBER},
    {"mcnemar_p", "p", BRISK_CELL_PVALUE}, {"mean_a", "Mean A", BRISK_CELL_NUMBER},
    {"mean_b", "Mean B", BRISK_CELL_NUMBER}, {"mean_diff", "Mean diff.", BRISK_CELL_NUMBER},
    {"t", "t", BRISK_CELL_NUMBER}, {"t_df", "df", BRISK_CELL_INT},
    {"t_p", "p (t)", BRISK_CELL_PVALUE}, {"t_lower", "CI lower (t)", BRISK_CELL_NUMBER},
    {"t_upper", "CI upper (t)", BRISK_CELL_NUMBER}, {"wilcox_v", "Wilcoxon V", BRISK_CELL_NUMBER}, {"wilcox_n", "Non-zero", BRISK_CELL_INT},
    {"wilcox_z", "z", BRISK_CELL_NUMBER}, {"wilcox_p", "p (Wilcoxon)", BRISK_CELL_PVALUE},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static brisk_table *pairs_table(bool grouped)
{
    brisk_table *t = brisk_table_new("items.pairs", "Paired comparisons of items");
    for (size_t c = grouped ? 0 : 1; t && c < NCOLUMNS; c++)
        if (brisk_table_add_column(t, columns[c].key, columns[c].header, columns[c].kind,
                                   columns[c].kind == BRISK_CELL_PERCENT ? 1 : 3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    return t;
}

static brisk_status add_row(brisk_table *t, const char *group, const char *a, const char *b,
                            const pair_result *r)
{
    size_t row = brisk_table_add_row(t), c0 = group ? 1 : 0;
    if (row == (size_t)-1 || (group && brisk_table_set_text(t, row, 0, group)) ||
        brisk_table_set_text(t, row, c0, a) || brisk_table_set_text(t, row, c0 + 1, b))
        return BRISK_ERR_NOMEM;
    double v[] = {(double)r->n, r->approve_a, r->approve_b, r->diff, r->diff_lower, r->diff_upper,
                  (double)r->n10, (double)r->n01, r->mcnemar, r->mcnemar_p, r->mean_a, r->mean_b,
                  r->mean_diff, r->t, r->t_df, r->t_p, r->t_lower, r->t_upper, r->wilcox_v,
                  (double)r->wilcox_n, r->wilcox_z, r->wilcox_p};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        brisk_table_set_num(t, row, c0 + 2 + k, v[k]);
    return BRISK_OK;
}

/* ------------------------------------------------------------ the run */

static brisk_status find_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                               const brisk_compare_items_options *opt,
                               const brisk_column **cols, brisk_error *err)
{
    if (nitems < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "compare at least two items");
    for (size_t i = 0; i < nitems; i++) {
        cols[i] = brisk_dataset_find(ds, items[i]);
        brisk_error_variable(err, items[i]);
        if (!cols[i])
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a column of %s", items[i],
                                   opt->source ? opt->source : "the data");
        if (cols[i]->type != BRISK_NUMERIC)
            return brisk_error_set(err, BRISK_ERR_DATA, "'%s' holds text, not answers on a "
                                   "scale", items[i]);
    }
    return BRISK_OK;
}

static bool present(const brisk_column *c, size_t r)
{
    return c->miss[r] == BRISK_MISS_NONE && !isnan(c->num[r]);
}

brisk_status brisk_compare_items(const brisk_dataset *ds, const char *const *items, size_t nitems,
                                 const brisk_compare_items_options *opt, brisk_table_list *out,
                                 brisk_error *err)
{
    const brisk_column **cols = calloc(nitems + 1, sizeof *cols);
    size_t *rows = malloc((ds->nrows + 1) * sizeof *rows);
    double *d = malloc((ds->nrows + 1) * sizeof *d);
    design_levels lv = {0};
    const brisk_column *group = opt->group ? brisk_dataset_find(ds, opt->group) : NULL;
    brisk_status st = cols && rows && d ? BRISK_OK
                                        : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = find_items(ds, items, nitems, opt, cols, err);
    if (st == BRISK_OK && opt->group && !group) {
        brisk_error_variable(err, opt->group);
        st = brisk_error_set(err, BRISK_ERR_COLUMN, "group '%s' is not a column of %s",
                             opt->group, opt->source ? opt->source : "the data");
    }
    if (st == BRISK_OK && group)
        st = brisk_design_group_levels(ds, group, &lv, err);
    brisk_table *t = st == BRISK_OK ? pairs_table(group != NULL) : NULL;
    if (st == BRISK_OK && !t)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t ngroups = group ? lv.n : 1;
    for (size_t g = 0; st == BRISK_OK && g < ngroups; g++)
        for (size_t i = 0; st == BRISK_OK && i < nitems; i++)
            for (size_t j = i + 1; st == BRISK_OK && j < nitems; j++) {
                size_t n = 0;
                for (size_t r = 0; r < ds->nrows; r++)
                    if (present(cols[i], r) && present(cols[j], r) &&
                        (!group || brisk_design_level_of(group, &lv, r) == g))
                        rows[n++] = r;
                if (n < 2)
                    continue;   /* nothing to compare in this group */
                pair_result res;
                compare_pair(cols[i], cols[j], rows, n, opt, d, &res);
                if (add_row(t, group ? lv.names[g] : NULL, items[i], items[j], &res))
                    st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            }
    double level = opt->ci_level > 0 ? opt->ci_level : 0.95;
    if (st == BRISK_OK &&
        brisk_table_add_note(t, "Respondents who answered both items%s. %% A, %% B: share "
                             "approving (answers %g to %g); difference in points with a %.4g%% "
                             "Wald interval for paired proportions; McNemar's test with "
                             "continuity correction; paired t test; Wilcoxon signed-rank test "
                             "(normal approximation, tie and continuity corrections; zero "
                             "differences dropped). Unweighted.",
                             group ? " within each group" : "", opt->agree_min, opt->agree_max,
                             100 * level))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = brisk_table_list_add(out, t);
    else
        brisk_table_free(t);
    brisk_design_levels_free(&lv);
    free(cols);
    free(rows);
    free(d);
    return st;
}
