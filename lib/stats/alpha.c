/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cronbach's alpha with psych::alpha's companions: Feldt's interval,
 * Duhachek's standard error, alpha if an item is deleted and item-total
 * correlations.  Everything follows from the items' covariance matrix on
 * complete cases (alpha does not depend on its divisor), weighted when
 * there are sampling weights. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/stats.h"
#include "core/dense.h"
#include "polychoric.h"

/* Complete-case means and covariances of the columns, weighted by wcol
 * (NULL: 1): divisor sum w (n - 1) / n, n - 1 without weights.  *n_eff
 * gets Kish's effective n, (sum w)^2 / sum w^2 (n without weights). */
static size_t complete_moments(const brisk_column *const *cols, size_t k, const brisk_dataset *ds,
                               const size_t *rows, size_t nrows, const brisk_column *wcol,
                               double *mean, double *cov, double *n_eff)
{
    size_t n = 0;
    double sw = 0, sw2 = 0;
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
            double w = wcol ? wcol->num[r] : 1;
            n++;
            if (!pass)
                sw += w, sw2 += w * w;
            for (size_t j = 0; j < k; j++) {
                double dj = cols[j]->num[r] - (pass ? mean[j] : 0);
                if (!pass) {
                    mean[j] += w * dj;
                    continue;
                }
                for (size_t l = 0; l <= j; l++)
                    cov[j * k + l] += w * dj * (cols[l]->num[r] - mean[l]);
            }
        }
        for (size_t j = 0; !pass && sw > 0 && j < k; j++)
            mean[j] /= sw;
    }
    double divisor = n > 1 && sw > 0 ? sw * (double)(n - 1) / (double)n : NAN;
    for (size_t j = 0; j < k; j++)
        for (size_t l = 0; l <= j; l++)
            cov[j * k + l] = cov[l * k + j] = cov[j * k + l] / divisor;
    *n_eff = sw2 > 0 ? sw * sw / sw2 : 0;
    return sw > 0 ? n : 0;
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
                         &a->alpha_if_deleted, &a->std_alpha_if_deleted, &a->pc1_loading};
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

/* psych::alpha's check of the keying: the loadings of the items on the
 * first principal component of their correlations (eigenvector times the
 * root of the largest eigenvalue), signed so that they sum to a positive
 * number, as psych::principal signs them.  False when out of memory or
 * the eigensolver fails. */
static bool first_component(brisk_alpha *a, const double *C)
{
    size_t k = a->k;
    gsl_matrix *R = gsl_matrix_alloc(k, k), *V = gsl_matrix_alloc(k, k);
    gsl_vector *ev = gsl_vector_alloc(k);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
    bool ok = R && V && ev && ws;
    for (size_t i = 0; ok && i < k; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(R, i, j, C[i * k + j] / sqrt(C[i * k + i] * C[j * k + j]));
    ok = ok && gsl_eigen_symmv(R, ev, V, ws) == GSL_SUCCESS &&
         gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC) == GSL_SUCCESS;
    double sum = 0, root = ok ? sqrt(fmax(gsl_vector_get(ev, 0), 0)) : 0;
    for (size_t i = 0; ok && i < k; i++)
        sum += a->pc1_loading[i] = gsl_matrix_get(V, i, 0) * root;
    a->nnegative = 0;
    for (size_t i = 0; ok && i < k; i++) {
        if (sum < 0)
            a->pc1_loading[i] = -a->pc1_loading[i];
        a->nnegative += a->pc1_loading[i] < 0;
    }
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(V);
    gsl_matrix_free(R);
    return ok;
}

brisk_status brisk_alpha_compute(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, const char *weight,
                                 brisk_alpha *out, brisk_error *err)
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
    const brisk_column *wcol = weight ? brisk_dataset_find(ds, weight) : NULL;
    if (st == BRISK_OK && weight && (!wcol || wcol->type != BRISK_NUMERIC)) {
        brisk_error_variable(err, weight);
        st = brisk_error_set(err, BRISK_ERR_COLUMN, "weight '%s' is %s", weight,
                             wcol ? "not numeric" : "not a column of the data");
    }
    if (st == BRISK_OK) {
        out->k = k;
        out->n = complete_moments(cols, k, ds, rows, nrows, wcol, mean, C, &out->n_effective);
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
        double n = out->n_effective, kk = (double)k;
        alpha_of(C, k, (size_t)-1, &out->raw, &out->std);
        /* standardized alpha is k r / (1 + (k - 1) r) in the mean correlation r */
        out->mean_r = out->std / (kk - out->std * (kk - 1));
        out->ci_lower = 1 - (1 - out->raw) * gsl_cdf_fdist_Pinv(0.975, n - 1, (n - 1) * (kk - 1));
        out->ci_upper = 1 - (1 - out->raw) * gsl_cdf_fdist_Pinv(0.025, n - 1, (n - 1) * (kk - 1));
        out->se = sqrt(duhachek_q(C, k) / n);
        item_statistics(out, C, mean);
        if (!first_component(out, C))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
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
    free(a->pc1_loading);
    memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------ ordinal alpha */

/* The complete rows of the items: those with every item answered. */
static size_t complete_rows(const brisk_column *const *cols, size_t k, const brisk_dataset *ds,
                            const size_t *rows, size_t nrows, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < (rows ? nrows : ds->nrows); i++) {
        size_t r = rows ? rows[i] : i;
        bool complete = true;
        for (size_t j = 0; j < k && complete; j++)
            complete = !brisk_is_missing(cols[j], r);
        if (complete)
            out[n++] = r;
    }
    return n;
}

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* An item's answers as categories 0.. (its distinct values in order), and
 * its thresholds from their shares.  False when it has more categories
 * than the polychoric code takes. */
static bool categorize(const brisk_column *c, const size_t *rows, size_t n, size_t *cat,
                       double *tau, size_t *ncat, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = c->num[rows[i]];
    qsort(scratch, n, sizeof *scratch, compare_doubles);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || scratch[i] != scratch[m - 1])
            scratch[m++] = scratch[i];
    *ncat = m;
    if (m > BRISK_POLYCHORIC_MAX_CATEGORIES)
        return false;
    double counts[BRISK_POLYCHORIC_MAX_CATEGORIES] = {0};
    for (size_t i = 0; i < n; i++) {
        const double *at = bsearch(&c->num[rows[i]], scratch, m, sizeof *scratch,
                                   compare_doubles);
        cat[i] = (size_t)(at - scratch);
        counts[cat[i]]++;
    }
    brisk_thresholds(counts, m, tau);
    return true;
}

typedef struct ordinal_items {
    size_t n, k;
    size_t *cat;          /* k x n categories */
    size_t *ncat;         /* k */
    double *tau;          /* k x (max categories - 1) */
} ordinal_items;

#define TAU_STRIDE BRISK_POLYCHORIC_MAX_CATEGORIES

/* The polychoric correlation of items a and b. */
static bool pair_correlation(const ordinal_items *o, size_t a, size_t b, double *table,
                             double *rho)
{
    size_t ka = o->ncat[a], kb = o->ncat[b];
    memset(table, 0, ka * kb * sizeof *table);
    for (size_t i = 0; i < o->n; i++)
        table[o->cat[a * o->n + i] * kb + o->cat[b * o->n + i]]++;
    return brisk_polychoric(table, ka, kb, o->tau + a * TAU_STRIDE, o->tau + b * TAU_STRIDE, rho);
}

/* R (k x k) of the items; err names the item or pair that fails. */
static brisk_status polychoric_matrix(const brisk_column *const *cols, const ordinal_items *o,
                                      const size_t *rows, double *R, brisk_error *err)
{
    size_t k = o->k;
    double *scratch = malloc((o->n + 1) * sizeof *scratch);
    double *table = malloc(TAU_STRIDE * TAU_STRIDE * sizeof *table);
    brisk_status st = scratch && table ? BRISK_OK
                                       : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0; st == BRISK_OK && j < k; j++) {
        bool ok = categorize(cols[j], rows, o->n, o->cat + j * o->n, o->tau + j * TAU_STRIDE,
                             &o->ncat[j], scratch);
        if (ok && o->ncat[j] > 1)
            continue;
        brisk_error_variable(err, cols[j]->name);
        st = ok ? brisk_error_set(err, BRISK_ERR_DATA, "item '%s' is constant in the %zu "
                                  "respondents who answered all the construct's items; drop it",
                                  cols[j]->name, o->n)
                : brisk_error_set(err, BRISK_ERR_DATA, "item '%s' has %zu different answers: "
                                  "too many to be ordered categories (at most %d)",
                                  cols[j]->name, o->ncat[j], BRISK_POLYCHORIC_MAX_CATEGORIES);
    }
    for (size_t a = 0; st == BRISK_OK && a < k; a++) {
        R[a * k + a] = 1;
        for (size_t b = 0; st == BRISK_OK && b < a; b++) {
            if (!pair_correlation(o, a, b, table, &R[a * k + b])) {
                brisk_error_variable(err, cols[a]->name);
                st = brisk_error_set(err, BRISK_ERR_DATA, "the polychoric correlation of '%s' "
                                     "and '%s' has no maximum inside (-1, 1): their answers "
                                     "nearly determine each other", cols[a]->name,
                                     cols[b]->name);
            }
            R[b * k + a] = R[a * k + b];
        }
    }
    free(scratch);
    free(table);
    return st;
}

brisk_status brisk_alpha_ordinal(const brisk_dataset *ds, const size_t *rows, size_t nrows,
                                 const char *const *items, size_t k, brisk_ordinal_alpha *out,
                                 brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (k < 2)
        return brisk_error_set(err, BRISK_ERR_DATA, "alpha needs at least two items, not %zu",
                               k);
    size_t total = rows ? nrows : ds->nrows;
    const brisk_column **cols = malloc(k * sizeof *cols);
    size_t *complete = malloc((total + 1) * sizeof *complete);
    ordinal_items o = {.k = k, .cat = malloc((total * k + 1) * sizeof *o.cat),
                       .ncat = calloc(k, sizeof *o.ncat),
                       .tau = malloc(k * TAU_STRIDE * sizeof *o.tau)};
    double *R = malloc(k * k * sizeof *R), *inv = malloc(k * k * sizeof *inv),
           *work = malloc(k * k * sizeof *work);
    brisk_status st = cols && complete && o.cat && o.ncat && o.tau && R && inv && work
                          ? find_items(ds, items, k, cols, err)
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK) {
        o.n = out->n = complete_rows(cols, k, ds, rows, nrows, complete);
        out->k = k;
        if (o.n < 2)
            st = brisk_error_set(err, BRISK_ERR_DATA, "only %zu respondents answered all %zu "
                                 "items of the construct (%s, ...): alpha needs at least two",
                                 o.n, k, items[0]);
    }
    if (st == BRISK_OK)
        st = polychoric_matrix(cols, &o, complete, R, err);
    if (st == BRISK_OK) {
        double sum = 0, kk = (double)k, logdet;
        for (size_t i = 0; i < k * k; i++)
            sum += R[i];
        out->alpha = kk / (kk - 1) * (1 - kk / sum);
        out->mean_r = (sum - kk) / (kk * (kk - 1));
        out->positive_definite = brisk_dense_spd_invert(R, inv, work, k, &logdet);
    }
    free(cols);
    free(complete);
    free(o.cat);
    free(o.ncat);
    free(o.tau);
    free(R);
    free(inv);
    free(work);
    return st;
}
