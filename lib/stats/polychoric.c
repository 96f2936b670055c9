/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Thresholds and polychoric correlations (two-step, as lavaan's lavCor). */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include "polychoric.h"

/* Gauss-Legendre rules on [-1, 1] with 6, 12 and 20 points: the positive
 * nodes and their weights (the rules are symmetric). */
static const double gl6_x[3] = {0.93246951420315205, 0.66120938646626459, 0.23861918608319693};
static const double gl6_w[3] = {0.1713244923791705, 0.36076157304813861, 0.46791393457269104};
static const double gl12_x[6] = {0.98156063424671924, 0.9041172563704748, 0.76990267419430469,
                                 0.58731795428661748, 0.36783149899818018, 0.12523340851146894};
static const double gl12_w[6] = {0.047175336386511835, 0.10693932599531857, 0.16007832854334633,
                                 0.20316742672306584, 0.23349253653835478, 0.24914704581340288};
static const double gl_x[10] = {0.99312859918509488, 0.96397192727791381, 0.91223442825132595,
                                0.83911697182221889, 0.7463319064601508,  0.63605368072651502,
                                0.51086700195082713, 0.37370608871541955, 0.22778585114164507,
                                0.076526521133497338};
static const double gl_w[10] = {0.017614007139152264, 0.04060142980038705, 0.06267204833410904,
                                0.083276741576704741, 0.10193011981724048, 0.11819453196151831,
                                0.1316886384491765,   0.14209610931838215, 0.14917298647260382,
                                0.15275338713072598};

/* Plackett's identity in the angle t = asin(r):
 *   Phi2(h, k; r) = Phi(h) Phi(k)
 *                   + 1/(2 pi) int_0^asin r exp(-(h^2 - 2 h k sin t + k^2) / (2 cos^2 t)) dt,
 * whose integrand is smooth; composite Gauss-Legendre, more pieces as |r|
 * nears 1, where it peaks near the end.  The nodes depend on r alone, so
 * a rule keeps their sines, 1 / (2 cos^2) and weights for every (h, k). */
void brisk_bvn_rule_init(brisk_bvn_rule *rule, double r)
{
    /* as in Genz's bivariate algorithm, fewer points where the interval
     * is short and the integrand flat */
    double a = fabs(r);
    const double *x = a < 0.3 ? gl6_x : a < 0.75 ? gl12_x : gl_x;
    const double *w = a < 0.3 ? gl6_w : a < 0.75 ? gl12_w : gl_w;
    int half_points = a < 0.3 ? 3 : a < 0.75 ? 6 : 10;
    int pieces = a < 0.75 ? 1 : a < 0.95 ? 4 : 16;
    double width = asin(r) / pieces;
    rule->r = r;
    rule->n = 0;
    for (int s = 0; s < pieces; s++) {
        double mid = width * (s + 0.5), half = width / 2;
        for (int i = 0; i < half_points; i++)
            for (int sign = -1; sign <= 1; sign += 2) {
                double t = mid + sign * half * x[i], ct = cos(t);
                rule->sin_t[rule->n] = sin(t);
                rule->inv_2cos2[rule->n] = 1 / (2 * ct * ct);
                rule->weight[rule->n++] = w[i] * half / (2 * M_PI);
            }
    }
}

double brisk_bvn_cdf_rule(const brisk_bvn_rule *rule, double h, double k)
{
    if (h == -INFINITY || k == -INFINITY)
        return 0;
    if (h == INFINITY)
        return gsl_cdf_ugaussian_P(k);
    if (k == INFINITY)
        return gsl_cdf_ugaussian_P(h);
    double sum = 0, hk2 = 2 * h * k, hh = h * h + k * k;
    for (int i = 0; i < rule->n; i++)
        sum += rule->weight[i] * exp(-(hh - hk2 * rule->sin_t[i]) * rule->inv_2cos2[i]);
    return gsl_cdf_ugaussian_P(h) * gsl_cdf_ugaussian_P(k) + sum;
}

double brisk_bvn_cdf(double h, double k, double r)
{
    if (h == -INFINITY || k == -INFINITY)
        return 0;
    if (isinf(h) || isinf(k))
        return gsl_cdf_ugaussian_P(isinf(h) ? k : h);
    brisk_bvn_rule rule;
    brisk_bvn_rule_init(&rule, r);
    return brisk_bvn_cdf_rule(&rule, h, k);
}

double brisk_bvn_pdf(double h, double k, double r)
{
    if (isinf(h) || isinf(k))
        return 0;
    double one = 1 - r * r;
    return exp(-(h * h - 2 * r * h * k + k * k) / (2 * one)) / (2 * M_PI * sqrt(one));
}

void brisk_thresholds(const double *counts, size_t ncat, double *tau)
{
    double total = 0, cum = 0;
    for (size_t c = 0; c < ncat; c++)
        total += counts[c];
    for (size_t c = 0; c + 1 < ncat; c++) {
        cum += counts[c];
        tau[c] = gsl_cdf_ugaussian_Pinv(cum / total);
    }
}

#define MAX_CATEGORIES BRISK_POLYCHORIC_MAX_CATEGORIES

/* The log-likelihood of the table at r, with its first and second
 * derivatives in r (d2 NULL: not wanted).  The distribution function and
 * density are taken once per grid point (threshold pair), not per cell
 * corner. */
static double table_loglik(const double *table, size_t ka, size_t kb, const double *ta,
                           const double *tb, double r, double *d1, double *d2)
{
    double cdf[MAX_CATEGORIES + 1][MAX_CATEGORIES + 1], pdf[MAX_CATEGORIES + 1][MAX_CATEGORIES + 1];
    double dpdf[MAX_CATEGORIES + 1][MAX_CATEGORIES + 1];
    double one = 1 - r * r;
    brisk_bvn_rule rule;
    brisk_bvn_rule_init(&rule, r);
    for (size_t a = 0; a <= ka; a++) {
        double x = a == 0 ? -INFINITY : a == ka ? INFINITY : ta[a - 1];
        for (size_t b = 0; b <= kb; b++) {
            double y = b == 0 ? -INFINITY : b == kb ? INFINITY : tb[b - 1];
            cdf[a][b] = brisk_bvn_cdf_rule(&rule, x, y);
            pdf[a][b] = brisk_bvn_pdf(x, y, r);
            /* d/dr of the density: it times d log density / dr */
            dpdf[a][b] = pdf[a][b] > 0 ? pdf[a][b] * (r / one + (x * y * one -
                                                      r * (x * x - 2 * r * x * y + y * y)) /
                                                     (one * one))
                                       : 0;
        }
    }
    double ll = 0, g = 0, h2 = 0;
    for (size_t a = 0; a < ka; a++)
        for (size_t b = 0; b < kb; b++) {
            double n = table[a * kb + b];
            if (n == 0)
                continue;
            double prob = cdf[a + 1][b + 1] - cdf[a][b + 1] - cdf[a + 1][b] + cdf[a][b];
            double dp = pdf[a + 1][b + 1] - pdf[a][b + 1] - pdf[a + 1][b] + pdf[a][b];
            double ddp = dpdf[a + 1][b + 1] - dpdf[a][b + 1] - dpdf[a + 1][b] + dpdf[a][b];
            if (!(prob > 0))
                return -INFINITY;
            ll += n * log(prob);
            g += n * dp / prob;
            h2 += n * (ddp / prob - (dp / prob) * (dp / prob));
        }
    if (d1)
        *d1 = g;
    if (d2)
        *d2 = h2;
    return ll;
}

bool brisk_polychoric(const double *table, size_t ka, size_t kb, const double *ta,
                      const double *tb, double *rho)
{
    if (ka > MAX_CATEGORIES || kb > MAX_CATEGORIES)
        return false;
    const double limit = 0.9999;
    double r = 0, g, h, ll = table_loglik(table, ka, kb, ta, tb, r, &g, &h);
    if (!isfinite(ll))
        return false;
    for (int it = 0; it < 100; it++) {
        /* Newton on the score where the likelihood is concave, else a step
         * up the score; halved until the likelihood rises */
        double step = h < 0 ? -g / h : (g > 0 ? 0.1 : -0.1);
        double next = r + step, trial = -INFINITY, g1 = 0, h1 = 0;
        for (int half = 0; half < 60; half++, step /= 2, next = r + step) {
            if (fabs(next) >= limit)
                continue;
            /* the derivatives come at no extra cost: kept for the next step */
            trial = table_loglik(table, ka, kb, ta, tb, next, &g1, &h1);
            if (trial >= ll)
                break;
        }
        if (!(trial >= ll))
            break;
        double moved = fabs(next - r);
        r = next;
        ll = trial;
        g = g1;
        h = h1;
        if (moved < 1e-12 || fabs(g) < 1e-10 * (1 + fabs(ll)))
            break;
    }
    *rho = r;
    return fabs(r) < limit && fabs(g) < 1e-6 * (1 + fabs(ll));
}
