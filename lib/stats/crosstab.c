/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Approval by level of a grouping: Pearson's chi-square with Cramer's V,
 * or with weights the Rao-Scott second-order F of R's svychisq. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "crosstab.h"
#include "sampling.h"

/* Pearson's X^2 of the 2 x L table of counts yes/no by level (levels with
 * no respondent left out). */
static double pearson(const double *yes, const double *n, size_t L, size_t *used_levels)
{
    double total = 0, total_yes = 0;
    for (size_t l = 0; l < L; l++) {
        total += n[l];
        total_yes += yes[l];
    }
    double x2 = 0;
    *used_levels = 0;
    for (size_t l = 0; l < L; l++) {
        if (n[l] <= 0)
            continue;
        ++*used_levels;
        double e1 = n[l] * total_yes / total, e0 = n[l] - e1;
        x2 += (yes[l] - e1) * (yes[l] - e1) / e1 + (n[l] - yes[l] - e0) * (n[l] - yes[l] - e0) / e0;
    }
    return x2;
}

/* svychisq's design effects: with the cells ordered approve fastest
 * (2 levels x L), C the interaction columns of the saturated model made
 * orthogonal to the main effects, D = diag(p), V the covariance of the
 * cell proportions, Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C.  Sets
 * tr(Delta) and tr(Delta^2). */
static bool design_effects(const crosstab *ct, const size_t *levels, size_t L, double *tr,
                           double *tr2)
{
    size_t cells = 2 * L, main = L + 1, q = L - 1;   /* main effects: 1 + 1 + (L - 1) */
    double *x1 = calloc(cells * main, sizeof *x1), *c = calloc(cells * q, sizeof *c);
    double *xtx = calloc(main * main, sizeof *xtx), *inv = calloc(main * main, sizeof *inv);
    double *p = calloc(cells, sizeof *p), *v = calloc(cells * cells, sizeof *v);
    double *z = calloc(cells, sizeof *z), *den = calloc(q * q, sizeof *den);
    double *num = calloc(q * q, sizeof *num), *dinv = calloc(q * q, sizeof *dinv);
    double *delta = calloc(q * q, sizeof *delta), *dc = calloc(cells * q, sizeof *dc);
    bool ok = x1 && c && xtx && inv && p && v && z && den && num && dinv && delta && dc;
    for (size_t l = 0; ok && l < L; l++)
        for (size_t a = 0; a < 2; a++) {
            size_t cell = a + 2 * l;
            x1[cell * main] = 1;
            x1[cell * main + 1] = a;
            if (l > 0) {
                x1[cell * main + 1 + l] = 1;
                c[cell * q + l - 1] = a;          /* approve x level l */
            }
        }
    /* C's residuals on the main effects: C - X1 (X1'X1)^-1 X1' C */
    for (size_t i = 0; ok && i < main; i++)
        for (size_t j = 0; j < main; j++)
            for (size_t k = 0; k < cells; k++)
                xtx[i * main + j] += x1[k * main + i] * x1[k * main + j];
    ok = ok && brisk_dense_invert(xtx, inv, main);
    for (size_t j = 0; ok && j < q; j++) {
        double *beta = z;                       /* scratch: main <= cells */
        for (size_t i = 0; i < main; i++) {
            double s = 0;
            for (size_t k = 0; k < cells; k++) {
                double proj = 0;
                for (size_t m = 0; m < main; m++)
                    proj += inv[i * main + m] * x1[k * main + m];
                s += proj * c[k * q + j];
            }
            beta[i] = s;
        }
        for (size_t k = 0; k < cells; k++) {
            double fitted = 0;
            for (size_t i = 0; i < main; i++)
                fitted += x1[k * main + i] * beta[i];
            dc[k * q + j] = c[k * q + j] - fitted;
        }
    }
    memcpy(c, dc, cells * q * sizeof *c);
    /* cell proportions and their covariance, as svymean with ids = ~1 */
    double wsum = 0, N = (double)ct->nrows;
    for (size_t r = 0; ok && r < ct->nrows; r++)
        wsum += ct->weight[r];
    for (size_t r = 0; ok && r < ct->nrows; r++)
        p[(size_t)ct->approve[r] + 2 * levels[ct->level[r]]] += ct->weight[r] / wsum;
    double *Z = ok && ct->design ? calloc(ct->design->n * cells + 1, sizeof *Z) : NULL;
    ok = ok && (!ct->design || Z);
    for (size_t r = 0; ok && r < ct->nrows; r++) {
        size_t cell = (size_t)ct->approve[r] + 2 * levels[ct->level[r]];
        for (size_t k = 0; k < cells; k++)
            z[k] = ct->weight[r] * ((k == cell) - p[k]) / wsum;
        if (Z) {   /* the design's variance: each row's influence at its design row */
            for (size_t k = 0; k < cells; k++)
                Z[ct->unit[r] * cells + k] += z[k];
            continue;
        }
        for (size_t i = 0; i < cells; i++)
            for (size_t j = 0; j < cells; j++)
                v[i * cells + j] += N / (N - 1) * z[i] * z[j];
    }
    if (ok && Z)
        ok = brisk_sampling_vcov(ct->design, Z, cells, v);
    free(Z);
    for (size_t i = 0; ok && i < q; i++)
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k < cells; k++) {
                double ik = p[k] > 0 ? c[k * q + i] / p[k] : 0;
                den[i * q + j] += ik * c[k * q + j] / N;
                for (size_t m = 0; m < cells; m++) {
                    double jm = p[m] > 0 ? c[m * q + j] / p[m] : 0;
                    num[i * q + j] += ik * v[k * cells + m] * jm;
                }
            }
    ok = ok && brisk_dense_invert(den, dinv, q);
    for (size_t i = 0; ok && i < q; i++)
        for (size_t j = 0; j < q; j++)
            for (size_t k = 0; k < q; k++)
                delta[i * q + j] += dinv[i * q + k] * num[k * q + j];
    *tr = *tr2 = 0;
    for (size_t i = 0; ok && i < q; i++) {
        *tr += delta[i * q + i];
        for (size_t j = 0; j < q; j++)
            *tr2 += delta[i * q + j] * delta[j * q + i];
    }
    free(x1), free(c), free(xtx), free(inv), free(p), free(v), free(z), free(den), free(num);
    free(dinv), free(delta), free(dc);
    return ok;
}

test_result brisk_crosstab_test(const crosstab *ct, bool weighted)
{
    test_result t = {.n = (double)ct->nrows, .f = NAN, .ndf = NAN, .ddf = NAN};
    size_t L = 0, *levels = calloc(ct->nlevels + 1, sizeof *levels);
    for (size_t l = 0; levels && l < ct->nlevels; l++)
        levels[l] = ct->n[l] > 0 ? L++ : (size_t)-1;   /* the levels present, renumbered */
    if (!levels || L < 2) {
        free(levels);
        t.chisq = t.df = t.p = t.v = NAN;
        return t;
    }
    size_t used;
    if (!weighted) {
        t.chisq = pearson(ct->yes, ct->n, ct->nlevels, &used);
        t.df = (double)(used - 1);
        t.p = gsl_cdf_chisq_Q(t.chisq, t.df);
        t.v = sqrt(t.chisq / t.n);            /* min(2, L) - 1 = 1 */
        free(levels);
        return t;
    }
    /* the weighted table rescaled to the number of respondents */
    double wsum = 0, *n = calloc(ct->nlevels + 1, sizeof *n), *yes = calloc(ct->nlevels + 1, sizeof *yes);
    for (size_t l = 0; l < ct->nlevels; l++)
        wsum += ct->w[l];
    for (size_t l = 0; n && yes && l < ct->nlevels; l++) {
        n[l] = ct->w[l] * t.n / wsum;
        yes[l] = ct->wyes[l] * t.n / wsum;
    }
    double tr = NAN, tr2 = NAN;
    t.chisq = n && yes ? pearson(yes, n, ct->nlevels, &used) : NAN;
    t.df = (double)(L - 1);
    t.v = sqrt(t.chisq / t.n);
    if (n && yes && design_effects(ct, levels, L, &tr, &tr2) && tr > 0) {
        t.f = t.chisq / tr;
        t.ndf = tr * tr / tr2;
        t.ddf = t.ndf * (ct->design ? brisk_sampling_df(ct->design) : t.n - 1);
        t.p = gsl_cdf_fdist_Q(t.f, t.ndf, t.ddf);
    } else {
        t.p = NAN;
    }
    free(n);
    free(yes);
    free(levels);
    return t;
}
