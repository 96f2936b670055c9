/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Agreement between coders: Krippendorff's alpha, Fleiss' and Cohen's
 * kappa, percent agreement (see agreement.h). */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agreement.h"
#include "core/rng.h"
#include "core/util.h"

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

/* Alpha from the coincidence matrix o (K x K, of codes), with n the
 * values' pairable counts (the margins of o). */
static double alpha_of(const double *o, size_t K, const double *codes, agreement_metric metric,
                       double *n)
{
    double total = 0;
    for (size_t c = 0; c < K; c++) {
        n[c] = 0;
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
    return total >= 2 && expected > 0 ? 1 - (total - 1) * observed / expected : NAN;
}

/* One unit's values as counts per code (count[K]); its number of values. */
static size_t unit_counts(const double *row, size_t ncoders, const double *codes, size_t K,
                          double *count)
{
    size_t m = 0;
    memset(count, 0, K * sizeof *count);
    for (size_t j = 0; j < ncoders; j++)
        if (!isnan(row[j])) {
            count[code_index(codes, K, row[j])]++;
            m++;
        }
    return m;
}

/* Add a unit's coincidences, each ordered pair of its values over m - 1,
 * times weight, to o. */
static void add_coincidences(double *o, const double *count, size_t K, size_t m, double weight)
{
    for (size_t c = 0; c < K; c++)
        for (size_t k = 0; k < K; k++)
            o[c * K + k] += weight * count[c] * (count[k] - (c == k)) / (double)(m - 1);
}

double brisk_agreement_krippendorff(const double *x, size_t nunits, size_t ncoders,
                              agreement_metric metric, size_t *pairable)
{
    *pairable = 0;
    double *codes;
    size_t K = distinct_codes(x, nunits * ncoders, &codes);
    if (K == (size_t)-1)
        return NAN;
    double *o = calloc(K * K + 1, sizeof *o), *n = calloc(K + 1, sizeof *n),
           *count = calloc(K + 1, sizeof *count);
    double alpha = NAN;
    for (size_t u = 0; o && n && count && u < nunits; u++) {
        size_t m = unit_counts(x + u * ncoders, ncoders, codes, K, count);
        if (m < 2)
            continue;
        *pairable += m;
        add_coincidences(o, count, K, m, 1);
    }
    if (o && n && count)
        alpha = alpha_of(o, K, codes, metric, n);
    free(codes), free(o), free(n), free(count);
    return alpha;
}

static int compare_alphas(const void *a, const void *b)
{
    return compare_doubles(a, b);
}

/* The distinct patterns of the pairable units (their counts per code),
 * each with its coincidences: a resample's coincidences are the patterns'
 * weighted by how often the resample drew them, so a draw costs the units
 * drawn and the patterns, not the units' values.  pattern_of[u] is NONE
 * for a unit with fewer than two values. */
typedef struct alpha_patterns {
    size_t K, np;
    double *codes;
    double *o;            /* np x K x K */
    size_t *pattern_of;   /* per unit */
} alpha_patterns;

#define NO_PATTERN ((size_t)-1)

static bool build_patterns(const double *x, size_t nunits, size_t ncoders, alpha_patterns *ap)
{
    memset(ap, 0, sizeof *ap);
    size_t K = distinct_codes(x, nunits * ncoders, &ap->codes);
    if (K == (size_t)-1)
        return false;
    ap->K = K;
    double *seen = malloc((nunits + 1) * (K + 1) * sizeof *seen), *count = seen;
    ap->pattern_of = malloc((nunits + 1) * sizeof *ap->pattern_of);
    size_t cap = 0;
    if (!seen || !ap->pattern_of) {
        free(seen);
        return false;
    }
    for (size_t u = 0; u < nunits; u++) {
        count = seen + ap->np * (K + 1);
        size_t m = unit_counts(x + u * ncoders, ncoders, ap->codes, K, count);
        ap->pattern_of[u] = NO_PATTERN;
        if (m < 2)
            continue;
        count[K] = (double)m;
        size_t p = 0;
        while (p < ap->np && memcmp(seen + p * (K + 1), count, (K + 1) * sizeof *count) != 0)
            p++;
        if (p == ap->np) { /* a new pattern, its coincidences */
            if (!brisk_grow((void **)&ap->o, &cap, (ap->np + 1) * K * K, sizeof *ap->o)) {
                free(seen);
                return false;
            }
            memset(ap->o + ap->np * K * K, 0, K * K * sizeof *ap->o);
            add_coincidences(ap->o + ap->np++ * K * K, count, K, m, 1);
        }
        ap->pattern_of[u] = p;
    }
    free(seen);
    return true;
}

static void free_patterns(alpha_patterns *ap)
{
    free(ap->codes), free(ap->o), free(ap->pattern_of);
}

/* Alpha of the units drawn[p] times each pattern p (o, n: workspace). */
static double alpha_with(const alpha_patterns *ap, const double *drawn, agreement_metric metric,
                         double *o, double *n)
{
    size_t K = ap->K;
    memset(o, 0, K * K * sizeof *o);
    for (size_t p = 0; p < ap->np; p++)
        for (size_t i = 0; drawn[p] > 0 && i < K * K; i++)
            o[i] += drawn[p] * ap->o[p * K * K + i];
    return alpha_of(o, K, ap->codes, metric, n);
}

double brisk_agreement_krippendorff_interval(const double *x, size_t nunits, size_t ncoders,
                                             agreement_metric metric, size_t draws,
                                             uint64_t seed, double level, double *lo,
                                             double *hi)
{
    *lo = *hi = NAN;
    alpha_patterns ap;
    bool ok = build_patterns(x, nunits, ncoders, &ap);
    size_t K = ap.K;
    double *o = ok ? calloc(K * K + 1, sizeof *o) : NULL, *n = o ? calloc(K + 1, sizeof *n) : NULL;
    double *drawn = n ? calloc(ap.np + 1, sizeof *drawn) : NULL;
    double *alphas = drawn ? malloc((draws + 1) * sizeof *alphas) : NULL;
    double alpha = NAN;
    if (alphas) { /* the sample itself: every unit once */
        for (size_t u = 0; u < nunits; u++)
            if (ap.pattern_of[u] != NO_PATTERN)
                drawn[ap.pattern_of[u]]++;
        alpha = alpha_with(&ap, drawn, metric, o, n);
    }
    size_t finite = 0;
    for (size_t d = 0; isfinite(alpha) && nunits >= 2 && d < draws; d++) {
        brisk_rng rng;
        brisk_rng_seed(&rng, seed, d);
        memset(drawn, 0, ap.np * sizeof *drawn);
        for (size_t i = 0; i < nunits; i++) {
            size_t p = ap.pattern_of[brisk_rng_index(&rng, nunits)];
            if (p != NO_PATTERN)
                drawn[p]++;
        }
        double a = alpha_with(&ap, drawn, metric, o, n);
        if (isfinite(a))
            alphas[finite++] = a;
    }
    /* the (1 - level)/2 and (1 + level)/2 quantiles (R's type 7), when
     * at least half the draws give an alpha */
    if (finite >= 2 && finite >= draws / 2) {
        qsort(alphas, finite, sizeof *alphas, compare_alphas);
        double h[2] = {(1 - level) / 2 * (double)(finite - 1), (1 + level) / 2 * (double)(finite - 1)};
        double *out[2] = {lo, hi};
        for (size_t e = 0; e < 2; e++) {
            size_t l = (size_t)h[e], u = l + 1 < finite ? l + 1 : l;
            *out[e] = alphas[l] + (h[e] - (double)l) * (alphas[u] - alphas[l]);
        }
    }
    free_patterns(&ap);
    free(o), free(n), free(drawn), free(alphas);
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
