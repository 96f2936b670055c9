/* brisk compare-items: every pair of items answered by the same
 * respondents compared (stats/paired.c), overall or within groups, as one
 * table. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "stats/design.h"
#include "stats/paired.h"

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
    paired_rule rule = {opt->has_agree, opt->agree_min, opt->agree_max, opt->ci_level};
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
                brisk_paired_compare(cols[i], cols[j], rows, n, &rule, d, &res);
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
