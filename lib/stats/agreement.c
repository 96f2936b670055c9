/* Agreement between coders: Krippendorff's alpha, Fleiss' and Cohen's
 * kappa, percent agreement (see agreement.h). */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agreement.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct codes of x[0..n) (NaN left out), sorted, into *codes (to
 * free); their number, or (size_t)-1 when out of memory. */
static size_t distinct_codes(const double *x, size_t n, double **codes)
{
    double *c = malloc((n + 1) * sizeof *c);
    if (!c)
        return (size_t)-1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            c[m++] = x[i];
    qsort(c, m, sizeof *c, compare_doubles);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || c[i] != c[k - 1])
            c[k++] = c[i];
    *codes = c;
    return k;
}

static size_t code_index(const double *codes, size_t k, double v)
{
    const double *hit = bsearch(&v, codes, k, sizeof *codes, compare_doubles);
    return hit ? (size_t)(hit - codes) : (size_t)-1;
}

/* The metric's squared difference of categories c and k (values vc, vk),
 * with n the categories' pairable counts (ordinal). */
static double delta2(agreement_metric metric, const double *codes, const double *n, size_t c,
                     size_t k)
{
    if (c == k)
        return 0;
    switch (metric) {
    case AGREEMENT_NOMINAL:
        return 1;
    case AGREEMENT_INTERVAL:
        return (codes[c] - codes[k]) * (codes[c] - codes[k]);
    case AGREEMENT_RATIO: {
        double d = (codes[c] - codes[k]) / (codes[c] + codes[k]);
        return d * d;
    }
    default: {   /* ordinal: the counts between them, half each end */
        size_t lo = c < k ? c : k, hi = c < k ? k : c;
        double s = 0;
        for (size_t g = lo; g <= hi; g++)
            s += n[g];
        s -= (n[lo] + n[hi]) / 2;
        return s * s;
    }
    }
}

double brisk_agreement_krippendorff(const double *x, size_t nunits, size_t ncoders,
                              agreement_metric metric, size_t *pairable)
{
    *pairable = 0;
    double *codes;
    size_t K = distinct_codes(x, nunits * ncoders, &codes);
    if (K == (size_t)-1)
        return NAN;
    double *o = calloc(K * K + 1, sizeof *o), *n = calloc(K + 1, sizeof *n);
    size_t *unit = malloc((ncoders + 1) * sizeof *unit);
    double alpha = NAN;
    if (!o || !n || !unit)
        goto done;
    /* coincidences: each ordered pair of values within a unit, over m_u - 1 */
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0;
        for (size_t j = 0; j < ncoders; j++)
            if (!isnan(x[u * ncoders + j]))
                unit[m++] = code_index(codes, K, x[u * ncoders + j]);
        if (m < 2)
            continue;
        *pairable += m;
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                if (a != b)
                    o[unit[a] * K + unit[b]] += 1.0 / (double)(m - 1);
    }
    double total = 0;
    for (size_t c = 0; c < K; c++) {
        for (size_t k = 0; k < K; k++)
            n[c] += o[c * K + k];
        total += n[c];
    }
    double observed = 0, expected = 0;
    for (size_t c = 0; c < K; c++)
        for (size_t k = 0; k < K; k++) {
            double d = delta2(metric, codes, n, c, k);
            observed += o[c * K + k] * d;
            expected += n[c] * n[k] * d;
        }
    if (total >= 2 && expected > 0)
        alpha = 1 - (total - 1) * observed / expected;
done:
    free(codes), free(o), free(n), free(unit);
    return alpha;
}

fleiss_result brisk_agreement_fleiss(const double *x, size_t nunits, size_t ncoders)
{
    fleiss_result r = {NAN, NAN, NAN, NAN, 0};
    double *codes;
    size_t K = distinct_codes(x, nunits * ncoders, &codes);
    if (K == (size_t)-1)
        return r;
    double *p = calloc(K + 1, sizeof *p), *count = calloc(K + 1, sizeof *count);
    double pbar = 0, m = (double)ncoders;
    for (size_t u = 0; p && count && u < nunits; u++) {
        bool complete = true;
        for (size_t j = 0; j < ncoders; j++)
            complete &= !isnan(x[u * ncoders + j]);
        if (!complete)
            continue;
        memset(count, 0, K * sizeof *count);
        for (size_t j = 0; j < ncoders; j++)
            count[code_index(codes, K, x[u * ncoders + j])]++;
        double agree = 0;
        for (size_t c = 0; c < K; c++) {
            p[c] += count[c];
            agree += count[c] * (count[c] - 1);
        }
        pbar += agree / (m * (m - 1));
        r.used++;
    }
    if (p && count && r.used > 0 && ncoders >= 2) {
        double N = (double)r.used, pe = 0, pq = 0, pqqp = 0;
        pbar /= N;
        for (size_t c = 0; c < K; c++) {
            p[c] /= N * m;
            double q = 1 - p[c];
            pe += p[c] * p[c];
            pq += p[c] * q;
            pqqp += p[c] * q * (q - p[c]);
        }
        r.kappa = pe < 1 ? (pbar - pe) / (1 - pe) : NAN;
        r.se = pq > 0 ? sqrt(2.0) / (pq * sqrt(N * m * (m - 1))) * sqrt(pq * pq - pqqp) : NAN;
        r.z = r.kappa / r.se;
        r.p = 2 * gsl_cdf_ugaussian_Q(fabs(r.z));
    }
    free(codes), free(p), free(count);
    return r;
}

/* Weight of agreement between category ranks i and j of K. */
static double kappa_weight(kappa_weights w, size_t i, size_t j, size_t K)
{
    if (w == KAPPA_UNWEIGHTED || K < 2)
        return i == j;
    double d = fabs((double)i - (double)j) / (double)(K - 1);
    return w == KAPPA_LINEAR ? 1 - d : 1 - d * d;
}

cohen_result brisk_agreement_cohen(const double *a, const double *b, size_t n, kappa_weights weights)
{
    cohen_result r = {NAN, NAN, NAN, NAN, 0};
    double *both = malloc((2 * n + 1) * sizeof *both), *codes = NULL;
    if (!both)
        return r;
    for (size_t i = 0; i < n; i++) {
        bool pair = !isnan(a[i]) && !isnan(b[i]);
        both[2 * i] = pair ? a[i] : NAN;
        both[2 * i + 1] = pair ? b[i] : NAN;
        r.used += pair;
    }
    size_t K = distinct_codes(both, 2 * n, &codes);
    double *p = K != (size_t)-1 ? calloc(K * K + 1, sizeof *p) : NULL;
    double *row = p ? calloc(K + 1, sizeof *row) : NULL, *col = row ? calloc(K + 1, sizeof *col) : NULL;
    double *wr = col ? calloc(K + 1, sizeof *wr) : NULL, *wc = wr ? calloc(K + 1, sizeof *wc) : NULL;
    if (wc && r.used > 0) {
        double N = (double)r.used;
        /* counts first, divided once: adding 1/N N times leaves a single
         * category's share short of 1, and pe < 1 would pass */
        for (size_t i = 0; i < n; i++)
            if (!isnan(both[2 * i])) {
                size_t x = code_index(codes, K, both[2 * i]), y = code_index(codes, K, both[2 * i + 1]);
                p[x * K + y] += 1;
            }
        for (size_t i = 0; i < K * K; i++)
            p[i] /= N;
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < K; j++) {
                row[i] += p[i * K + j];
                col[j] += p[i * K + j];
            }
        double po = 0, pe = 0;
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < K; j++) {
                double w = kappa_weight(weights, i, j, K);
                po += w * p[i * K + j];
                pe += w * row[i] * col[j];
            }
        r.observed = po, r.expected = pe;
        /* one category only: chance agreement is certain, kappa undefined
         * (psych::cohen.kappa gives NA) */
        r.kappa = K >= 2 && pe < 1 ? (po - pe) / (1 - pe) : NAN;
        /* Fleiss, Cohen and Everitt (1969): the weighted marginal means */
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < K; j++) {
                double w = kappa_weight(weights, i, j, K);
                wr[i] += col[j] * w;
                wc[j] += row[i] * w;
            }
        double s = 0, k = r.kappa;
        for (size_t i = 0; i < K; i++)
            for (size_t j = 0; j < K; j++) {
                double d = kappa_weight(weights, i, j, K) - (wr[i] + wc[j]) * (1 - k);
                s += p[i * K + j] * d * d;
            }
        double c = k - pe * (1 - k);
        /* at perfect agreement s - c^2 is 0 up to rounding: clamp, as psych */
        double v = s - c * c;
        r.se = isnan(r.kappa) ? NAN : sqrt((v > 0 ? v : 0) / ((1 - pe) * (1 - pe) * N));
    }
    free(both), free(codes), free(p), free(row), free(col), free(wr), free(wc);
    return r;
}

double brisk_agreement_percent(const double *x, size_t nunits, size_t ncoders, size_t *used)
{
    size_t same = 0;
    *used = 0;
    for (size_t u = 0; u < nunits; u++) {
        bool complete = true, equal = true;
        for (size_t j = 0; j < ncoders; j++) {
            double v = x[u * ncoders + j];
            complete &= !isnan(v);
            equal &= isnan(v) || v == x[u * ncoders];
        }
        if (!complete)
            continue;
        (*used)++;
        same += equal;
    }
    return *used ? (double)same / (double)*used : NAN;
}
