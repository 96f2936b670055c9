/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small dense matrices in plain loops. */
#include <config.h>
#include <math.h>
#include <string.h>
#include "core/dense.h"

static void swap_rows(double *m, size_t n, size_t i, size_t j)
{
    for (size_t k = 0; k < n; k++) {
        double t = m[i * n + k];
        m[i * n + k] = m[j * n + k];
        m[j * n + k] = t;
    }
}

bool brisk_dense_invert(double *a, double *inv, size_t n)
{
    double scale = 0;
    for (size_t i = 0; i < n * n; i++)
        scale = fmax(scale, fabs(a[i]));
    memset(inv, 0, n * n * sizeof *inv);
    for (size_t i = 0; i < n; i++)
        inv[i * n + i] = 1;
    for (size_t c = 0; c < n; c++) {
        size_t pivot = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(a[r * n + c]) > fabs(a[pivot * n + c]))
                pivot = r;
        if (!(fabs(a[pivot * n + c]) > 1e-12 * scale))
            return false;
        if (pivot != c) {
            swap_rows(a, n, pivot, c);
            swap_rows(inv, n, pivot, c);
        }
        double d = 1 / a[c * n + c];
        for (size_t k = 0; k < n; k++) {
            a[c * n + k] *= d;
            inv[c * n + k] *= d;
        }
        for (size_t r = 0; r < n; r++) {
            double f = a[r * n + c];
            if (r == c || f == 0)
                continue;
            for (size_t k = 0; k < n; k++) {
                a[r * n + k] -= f * a[c * n + k];
                inv[r * n + k] -= f * inv[c * n + k];
            }
        }
    }
    return true;
}

bool brisk_dense_spd_invert(const double *a, double *inv, double *work, size_t n, double *logdet)
{
    double *L = work, ld = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= i; j++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= L[i * n + k] * L[j * n + k];
            if (i == j) {
                if (!(s > 0))
                    return false;
                L[i * n + i] = sqrt(s);
                ld += log(s);
            } else {
                L[i * n + j] = s / L[j * n + j];
            }
        }
    }
    /* L^-1 in the upper triangle of inv's scratch: column by column. */
    memset(inv, 0, n * n * sizeof *inv);
    for (size_t j = 0; j < n; j++) {          /* solve L y = e_j, y stored in column j */
        for (size_t i = j; i < n; i++) {
            double s = i == j ? 1 : 0;
            for (size_t k = j; k < i; k++)
                s -= L[i * n + k] * inv[k * n + j];
            inv[i * n + j] = s / L[i * n + i];
        }
    }
    /* a^-1 = L^-T L^-1: with M = L^-1 (lower), (M'M)_ij = sum_k M_ki M_kj. */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t k = i; k < n; k++)
                s += inv[k * n + i] * inv[k * n + j];
            work[i * n + j] = s;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            inv[i * n + j] = inv[j * n + i] = work[i * n + j];
    *logdet = ld;
    return true;
}

void brisk_dense_mul(const double *a, const double *b, double *c, size_t n)
{
    memset(c, 0, n * n * sizeof *c);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) {
            double f = a[i * n + k];
            if (f == 0)
                continue;   /* RAM matrices are sparse */
            for (size_t j = 0; j < n; j++)
                c[i * n + j] += f * b[k * n + j];
        }
}

void brisk_dense_mul_bt(const double *a, const double *b, double *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < n; k++)
                s += a[i * n + k] * b[j * n + k];
            c[i * n + j] = s;
        }
}

void brisk_dense_mul_rect(const double *a, const double *b, double *c, size_t m, size_t k,
                          size_t n)
{
    memset(c, 0, m * n * sizeof *c);
    for (size_t i = 0; i < m; i++)
        for (size_t l = 0; l < k; l++) {
            double f = a[i * k + l];
            for (size_t j = 0; j < n; j++)
                c[i * n + j] += f * b[l * n + j];
        }
}

void brisk_dense_mul_at(const double *a, const double *b, double *c, size_t m, size_t k,
                        size_t n)
{
    memset(c, 0, m * n * sizeof *c);
    for (size_t l = 0; l < k; l++)
        for (size_t i = 0; i < m; i++) {
            double f = a[l * m + i];
            for (size_t j = 0; j < n; j++)
                c[i * n + j] += f * b[l * n + j];
        }
}

bool brisk_dense_damped_solve(const double *h, const double *g, size_t n, double ridge,
                              double *a, double *inv, double *work, double *step)
{
    double mean_diag = 0, logdet;
    for (size_t k = 0; k < n; k++)
        mean_diag += h[k * n + k] / (double)n;
    memcpy(a, h, n * n * sizeof *a);
    for (size_t k = 0; k < n; k++)
        a[k * n + k] += ridge * (mean_diag > 0 ? mean_diag : 1);
    if (!brisk_dense_spd_invert(a, inv, work, n, &logdet))
        return false;
    for (size_t k = 0; k < n; k++) {
        double v = 0;
        for (size_t l = 0; l < n; l++)
            v += inv[k * n + l] * g[l];
        step[k] = v;
    }
    return true;
}
