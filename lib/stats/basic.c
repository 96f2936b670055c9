/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weighted summaries and interval estimates. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/stats.h"

typedef struct weighted_value {
    double x, w;
} weighted_value;

static int by_value(const void *a, const void *b)
{
    double x = ((const weighted_value *)a)->x, y = ((const weighted_value *)b)->x;
    return (x > y) - (x < y);
}

/* Weighted 50% point; with equal weights this is R's median(). */
static double weighted_median(const weighted_value *v, size_t n, double total)
{
    double half = total / 2, cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += v[i].w;
        /* Relative tolerance: sums of weights are not exact. */
        if (fabs(cum - half) <= 1e-12 * total && i + 1 < n)
            return (v[i].x + v[i + 1].x) / 2;
        if (cum > half)
            return v[i].x;
    }
    return v[n - 1].x;
}

brisk_status brisk_summarize(double *x, double *w, size_t n, brisk_summary *out)
{
    *out = (brisk_summary){.n = n, .mean = NAN, .sd = NAN, .median = NAN,
                           .min = NAN, .max = NAN};
    if (n == 0)
        return BRISK_OK;
    weighted_value *v = malloc(n * sizeof *v);
    if (!v)
        return BRISK_ERR_NOMEM;
    double sw = 0, sw2 = 0, swx = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].x = x[i];
        v[i].w = w ? w[i] : 1.0;
        sw += v[i].w;
        sw2 += v[i].w * v[i].w;
        swx += v[i].w * x[i];
    }
    out->sum_w = sw;
    out->n_eff = sw2 > 0 ? sw * sw / sw2 : 0;
    if (sw > 0) {
        out->mean = swx / sw;
        double ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += v[i].w * (v[i].x - out->mean) * (v[i].x - out->mean);
        if (n > 1)
            out->sd = sqrt(ss / sw * (double)n / (double)(n - 1));
    }
    qsort(v, n, sizeof *v, by_value);
    out->min = v[0].x;
    out->max = v[n - 1].x;
    if (sw > 0)
        out->median = weighted_median(v, n, sw);
    for (size_t i = 0; i < n; i++) {
        x[i] = v[i].x;
        if (w)
            w[i] = v[i].w;
    }
    free(v);
    return BRISK_OK;
}

void brisk_wilson_ci(double p, double n, double z, double *lo, double *hi)
{
    if (!(n > 0) || !isfinite(p)) {
        *lo = *hi = NAN;
        return;
    }
    double z2 = z * z;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

/* qsort_r: indices ordered by their p, ties by position (R's order()). */
static int by_p(const void *a, const void *b, void *ctx)
{
    const double *p = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = (p[i] > p[j]) - (p[i] < p[j]);
    return c ? c : (i > j) - (i < j);
}

bool brisk_holm(const double *p, size_t n, double *adjusted)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order), m = 0;
    double *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!order || !copy) {
        free(order);
        free(copy);
        return false;
    }
    memcpy(copy, p, n * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        if (isfinite(copy[i]))
            order[m++] = i;
    qsort_r(order, m, sizeof *order, by_p, copy);
    for (size_t i = 0; i < n; i++)
        adjusted[i] = NAN;
    double running = 0;
    for (size_t k = 0; k < m; k++) {   /* the k-th smallest is multiplied by m - k */
        running = fmax(running, fmin(1, (double)(m - k) * copy[order[k]]));
        adjusted[order[k]] = running;
    }
    free(order);
    free(copy);
    return true;
}
