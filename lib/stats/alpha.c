/* Cronbach's alpha with psych::alpha's companions: Feldt's interval,
 * Duhachek's standard error, alpha if an item is deleted and item-total
 * correlations.  Everything follows from the items' covariance matrix on
 * complete cases (alpha does not depend on its divisor). */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/stats.h"

/* Complete-case means and covariances (divisor n - 1) of the columns. */
static size_t complete_moments(const brisk_column *const *cols, size_t k, const brisk_dataset *ds,
                               const size_t *rows, size_t nrows, double *mean, double *cov)
{
    size_t n = 0;
    memset(mean, 0, k * sizeof *mean);
    memset(cov, 0, k * k * sizeof *cov);
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        for (size_t i = 0; i < (rows ? nrows : ds->nrows); i++) {
            size_t r = rows ? rows[i] : i;
            bool complete = true;
            for (size_t j = 0; j < k && complete; j++)
                complete = !brisk_is_missing(cols[j], r);
            if (!complete)
                continue;
            n++;
            for (size_t j = 0; j < k; j++) {
                double dj = cols[j]->num[r] - (pass ? mean[j] : 0);
                if (!pass) {
                    mean[j] += dj;
                    continue;
                }
                for (size_t l = 0; l <= j; l++)
                    cov[j * k + l] += dj * (cols[l]->num[r] - mean[l]);
            }
        }
        for (size_t j = 0; !pass && n && j < k; j++)
            mean[j] /= (double)n;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t l = 0; l <= j; l++)
            cov[j * k + l] = cov[l * k + j] = n > 1 ? cov[j * k + l] / (double)(n - 1) : NAN;
    return n;
}

/* Raw and standardized alpha of the items not equal to skip. */
static void alpha_of(const double *C, size_t k, size_t skip, double *raw, double *std)
{
    double trace = 0, sum = 0, sum_r = 0;
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (i == skip)
            continue;
        m++;
        trace += C[i * k + i];
        for (size_t j = 0; j < k; j++)
            if (j != skip) {
                sum += C[i * k + j];
                sum_r += C[i * k + j] / sqrt(C[i * k + i] * C[j * k + j]);
            }
    }
    double factor = (double)m / ((double)m - 1);
    *raw = m > 1 ? (1 - trace / sum) * factor : NAN;
    *std = m > 1 ? (1 - (double)m / sum_r) * factor : NAN;
}

/* Duhachek & Iacobucci's asymptotic variance of alpha (psych's Q):
 * 2 k^2 / ((k-1)^2 (1'C1)^3) (1'C1 (tr C^2 + (tr C)^2) - 2 tr C 1'C^2 1). */
static double duhachek_q(const double *C, size_t k)
{
    double trace = 0, sum = 0, trace2 = 0, sum2 = 0;
    for (size_t i = 0; i < k; i++) {
        trace += C[i * k + i];
        double row = 0;   /* (C 1)_i */
        for (size_t j = 0; j < k; j++) {
            sum += C[i * k + j];
            trace2 += C[i * k + j] * C[j * k + i];
            row += C[i * k + j];
        }
        sum2 += row * row;   /* 1'C^2 1 = |C 1|^2 */
    }
    double kk = (double)k;
    return 2 * kk * kk / ((kk - 1) * (kk - 1) * sum * sum * sum) *
           (sum * (trace2 + trace * trace) - 2 * trace * sum2);
}

static bool allocate_items(brisk_alpha *a, size_t k)
{
    double **arrays[] = {&a->mean, &a->sd, &a->item_total_r, &a->corrected_r,
                         &a->alpha_if_deleted, &a->std_alpha_if_deleted};
    bool ok = true;
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        ok &= (*arrays[i] = calloc(k, sizeof(double))) != NULL;
    return ok;
}

/* The columns of the items: numeric, present. */
static brisk_status find_items(const brisk_dataset *ds, const char *const *items, size_t k,
                               const brisk_column **cols, brisk_error *err)
{
    for (size_t j = 0; j < k; j++) {
        cols[j] = brisk_dataset_find(ds, items[j]);
        if (!cols[j] || cols[j]->type != BRISK_NUMERIC) {
            brisk_error_variable(err, items[j]);
            return brisk_error_set(err, BRISK_ERR_COLUMN, "item '%s' is %s", items[j],
                                   cols[j] ? "not numeric" : "not a column of the data");
        }
    }
    return BRISK_OK;
}

static void item_statistics(brisk_alpha *a, const double *C, const double *mean)
{
    size_t k = a->k;
    double total = 0;
    for (size_t i = 0; i < k * k; i++)
        total += C[i];
    for (size_t i = 0; i < k; i++) {
        double with_all = 0;   /* cov(item, sum of items) */
        for (size_t j = 0; j < k; j++)
            with_all += C[i * k + j];
        double cii = C[i * k + i], rest = total - 2 * with_all + cii;
        a->mean[i] = mean[i];
        a->sd[i] = sqrt(cii);
        a->item_total_r[i] = with_all / sqrt(cii * total);
        a->corrected_r[i] = (with_all - cii) / sqrt(cii * rest);
        if (k > 2)
            alpha_of(C, k, i, &a->alpha_if_deleted[i], &a->std_alpha_if_deleted[i]);
        else
            a->alpha_if_deleted[i] = a->std_alpha_if_deleted[i] = NAN;
    }
}

brisk_status brisk_alpha_compute(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, brisk_alpha *out,
                                 brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (k < 2)
        return brisk_error_set(err, BRISK_ERR_DATA, "alpha needs at least two items, not %zu",
                               k);
    const brisk_column **cols = malloc(k * sizeof *cols);
    double *mean = malloc(k * sizeof *mean), *C = malloc(k * k * sizeof *C);
    brisk_status st = cols && mean && C && allocate_items(out, k)
                          ? find_items(ds, items, k, cols, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        out->k = k;
        out->n = complete_moments(cols, k, ds, rows, nrows, mean, C);
        if (out->n < 2)
            st = brisk_error_set(err, BRISK_ERR_DATA, "only %zu respondents answered all %zu "
                                 "items of the construct (%s, ...): alpha needs at least two",
                                 out->n, k, items[0]);
    }
    for (size_t j = 0; st == BRISK_OK && j < k; j++)
        if (!(C[j * k + j] > 0)) {
            brisk_error_variable(err, items[j]);
            st = brisk_error_set(err, BRISK_ERR_DATA, "item '%s' is constant in the %zu "
                                 "respondents who answered all the construct's items (every "
                                 "answer is %g); drop it", items[j], out->n, mean[j]);
        }
    if (st == BRISK_OK) {
        double n = (double)out->n, kk = (double)k;
        alpha_of(C, k, (size_t)-1, &out->raw, &out->std);
        /* standardized alpha is k r / (1 + (k - 1) r) in the mean correlation r */
        out->mean_r = out->std / (kk - out->std * (kk - 1));
        out->ci_lower = 1 - (1 - out->raw) * gsl_cdf_fdist_Pinv(0.975, n - 1, (n - 1) * (kk - 1));
        out->ci_upper = 1 - (1 - out->raw) * gsl_cdf_fdist_Pinv(0.025, n - 1, (n - 1) * (kk - 1));
        out->se = sqrt(duhachek_q(C, k) / n);
        item_statistics(out, C, mean);
    }
    free(cols);
    free(mean);
    free(C);
    if (st != BRISK_OK)
        brisk_alpha_free(out);
    return st;
}

void brisk_alpha_free(brisk_alpha *a)
{
    if (!a)
        return;
    free(a->mean);
    free(a->sd);
    free(a->item_total_r);
    free(a->corrected_r);
    free(a->alpha_if_deleted);
    free(a->std_alpha_if_deleted);
    memset(a, 0, sizeof *a);
}
