/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Starting values, by lavaan's rules (its lav_start, start = "default"),
 * so that brisk sets out where lavaan does and, on data with more than one
 * optimum, tends to end where lavaan ends:
 *  - loadings: per factor measured by observed items, from the covariances
 *    of its items (lavaan's lav_cfa_1fac_fabin): with four items or more
 *    Hagglund's fabin3 instrumental-variable estimates relative to the
 *    first, with fewer the closed form of a three-item factor (two items
 *    padded to three), both bounded by a reliability of the first item of
 *    at least 0.1; all 1 (0.7 with a unit variance) when the three
 *    covariances have a negative product; with a factor variance fixed at 1
 *    scaled by the factor's standard deviation.  Otherwise 1 (0.7 for
 *    ordered items);
 *  - variances of latent variables 0.05, except an exogenous factor with a
 *    single indicator: the indicator's variance less its residual variance;
 *  - residual variances of observed variables half their sample variances;
 *  - intercepts the sample means; regressions and covariances 0, except in
 *    a model of observed variables only, whose regressions start at their
 *    least-squares values (and residual variances, when plausible);
 *  - start(value) where given. */
#include <config.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_ml.h"

#define MAX_INDICATORS 256

/* The rows of factor f's loadings in a group, in table order; false when
 * one of its indicators is itself latent (a second-order factor). */
static bool loading_rows(const brisk_model *m, int f, size_t group, size_t *rows, size_t *n)
{
    *n = 0;
    for (size_t r = 0; r < m->nparams; r++) {
        const sem_pos *pos = &m->pos[r];
        if (m->params[r].op != BRISK_OP_MEASURE || m->params[r].group != group ||
            pos->col != f)
            continue;
        if (pos->row >= (int)m->p || *n == MAX_INDICATORS)
            return false;
        rows[(*n)++] = r;
    }
    return *n > 0;
}

/* Whether factor f's variance in a group is fixed at 1 (std.lv). */
static bool unit_variance(const brisk_model *m, int f, size_t group)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        if (par->op == BRISK_OP_COVARY && par->group == group && m->pos[r].row == f &&
            m->pos[r].col == f)
            return !par->free && par->start == 1;
    }
    return false;
}

/* The closed-form solution of a factor with three items (two padded to
 * three as lavaan pads them), bounded; *psi its variance.  False when the
 * covariances' product is negative (an inconsistent triad). */
static bool three_items(const double *S, size_t k, bool bounded, double *lambda, double *psi)
{
    double s[3][3];
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
            s[a][b] = a < k && b < k ? S[a * k + b] : 0;
    if (k == 1) {
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++)
                s[a][b] = 1;
    } else if (k == 2) {
        /* a third item whose covariance with the first is the mean
         * variance and with the second the pair's covariance */
        double mean_var = (s[0][0] + s[1][1]) / 2, max_var = fmax(s[0][0], s[1][1]);
        s[2][0] = s[0][2] = mean_var;
        s[2][1] = s[1][2] = s[1][0];
        s[2][2] = max_var;
    }
    double s21 = s[1][0], s31 = s[2][0], s32 = s[2][1], s11 = s[0][0];
    bool negative_triad = s21 * s31 * s32 < 0;
    double p = s21 * s31 / s32, l2 = s32 / s31, l3 = s32 / s21;
    double lower = 0.1 * s11;   /* the first item's reliability at least 0.1 */
    if (bounded) {
        p = fmin(fmax(p, lower), s11);
        double b2 = sqrt(s[1][1] / lower), b3 = sqrt(s[2][2] / lower);
        l2 = fmin(fmax(-b2, l2), b2);
        l3 = fmin(fmax(-b3, l3), b3);
    }
    double l[3] = {1, l2, l3};
    for (size_t j = 0; j < k; j++)
        lambda[j] = l[j];
    *psi = p;
    return !negative_triad;
}

/* fabin3 loadings of four or more items relative to the first, bounded,
 * and the factor's variance from them (lavaan's lav_cfa_1fac_fabin). */
static void fabin3(const double *S, size_t k, bool bounded, double *lambda, double *psi)
{
    size_t nz = k - 2;
    double *Szz = malloc(nz * nz * sizeof *Szz), *szr = malloc(nz * sizeof *szr),
           *x = malloc(nz * sizeof *x), *theta = malloc(k * sizeof *theta),
           *A = malloc(k * k * sizeof *A);
    lambda[0] = 1;
    for (size_t i = 1; i < k; i++) {
        size_t z[MAX_INDICATORS], n = 0;
        for (size_t j = 1; j < k; j++)
            if (j != i)
                z[n++] = j;
        bool solved = Szz && szr && x;
        for (size_t a = 0; solved && a < n; a++) {
            szr[a] = S[z[a] * k];
            for (size_t b = 0; b < n; b++)
                Szz[a * n + b] = S[z[a] * k + z[b]];
        }
        if (solved) {
            gsl_matrix_view M = gsl_matrix_view_array(Szz, n, n);
            gsl_vector_view bv = gsl_vector_view_array(szr, n), xv = gsl_vector_view_array(x, n);
            gsl_permutation *perm = gsl_permutation_alloc(n);
            int sign;
            solved = perm && gsl_linalg_LU_decomp(&M.matrix, perm, &sign) == GSL_SUCCESS &&
                     gsl_linalg_LU_solve(&M.matrix, perm, &bv.vector, &xv.vector) ==
                         GSL_SUCCESS;
            gsl_permutation_free(perm);
        }
        double num = 0, den = 0;
        for (size_t a = 0; a < n; a++) {
            double w = solved && isfinite(x[a]) ? x[a] : S[z[a] * k];
            num += S[i * k + z[a]] * w;
            den += S[z[a] * k] * w;
        }
        lambda[i] = den != 0 ? num / den : 1;
        if (!isfinite(lambda[i]))
            lambda[i] = 1;
        double bound = sqrt(S[i * k + i] / (0.1 * S[0]));
        if (bounded)
            lambda[i] = fmin(fmax(-bound, lambda[i]), bound);
    }
    /* psi from the residual variances that D = l l' / l'l leaves */
    *psi = NAN;
    if (theta && A) {
        double l2 = 0;
        for (size_t j = 0; j < k; j++)
            l2 += lambda[j] * lambda[j];
        /* theta solves (I - D*D) theta = diag(S - D S D) */
        for (size_t a = 0; a < k; a++) {
            double dsd = 0;
            for (size_t b = 0; b < k; b++)
                for (size_t c = 0; c < k; c++)
                    dsd += lambda[a] * lambda[b] / l2 * S[b * k + c] * lambda[c] * lambda[a] / l2;
            theta[a] = S[a * k + a] - dsd;
            for (size_t b = 0; b < k; b++) {
                double d = lambda[a] * lambda[b] / l2;
                A[a * k + b] = (a == b) - d * d;
            }
        }
        gsl_matrix_view M = gsl_matrix_view_array(A, k, k);
        gsl_vector_view tv = gsl_vector_view_array(theta, k);
        gsl_permutation *perm = gsl_permutation_alloc(k);
        int sign;
        if (perm && gsl_linalg_LU_decomp(&M.matrix, perm, &sign) == GSL_SUCCESS &&
            gsl_linalg_LU_svx(&M.matrix, perm, &tv.vector) == GSL_SUCCESS) {
            double s = 0;
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    s += lambda[a] * (S[a * k + b] - (a == b ? theta[a] : 0)) * lambda[b];
            *psi = s / (l2 * l2);
        }
        gsl_permutation_free(perm);
    }
    free(Szz), free(szr), free(x), free(theta), free(A);
}

/* Starts of factor f's loadings in a group from the group's moments
 * (alternative: the estimates as they come, unbounded, a triad of
 * inconsistent signs included). */
static void start_loadings(const brisk_model *m, const brisk_moments *mom, int f, size_t group,
                           bool alternative, double *start)
{
    size_t rows[MAX_INDICATORS], k;
    if (!loading_rows(m, f, group, rows, &k))
        return;
    double *S = malloc(k * k * sizeof *S), lambda[MAX_INDICATORS], psi = NAN;
    if (!S)
        return;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            S[a * k + b] = mom->cov[m->pos[rows[a]].row * mom->p + m->pos[rows[b]].row];
    bool std_lv = unit_variance(m, f, group), usable = S[0] > 0, consistent = true;
    if (usable && k < 4)
        consistent = three_items(S, k, !alternative, lambda, &psi) || alternative;
    else if (usable)
        fabin3(S, k, !alternative, lambda, &psi);
    if (usable && std_lv && isfinite(psi))   /* the factor's scale onto the loadings */
        for (size_t j = 0; j < k; j++)
            lambda[j] *= copysign(sqrt(fabs(psi)), psi);
    for (size_t j = 0; !consistent && j < k; j++)
        lambda[j] = std_lv ? 0.7 : 1.0;   /* an inconsistent triad */
    for (size_t j = 0; usable && j < k; j++)
        if (isfinite(lambda[j]))
            start[rows[j]] = lambda[j];
    free(S);
}

/* An exogenous factor measured by one item: the item's variance less its
 * (fixed) residual variance, at least 0.05 (lavaan's rule 6b). */
static double single_indicator_variance(const brisk_model *m, const brisk_moments *mom, int f,
                                        size_t group)
{
    size_t rows[MAX_INDICATORS], k;
    if (!loading_rows(m, f, group, rows, &k) || k != 1)
        return NAN;
    for (size_t r = 0; r < m->nparams; r++)
        if (m->params[r].op == BRISK_OP_REGRESS && m->params[r].group == group &&
            m->pos[r].row == f)
            return NAN;   /* an outcome: not exogenous */
    int item = m->pos[rows[0]].row;
    double residual = 1;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        if (par->op == BRISK_OP_COVARY && par->group == group && m->pos[r].row == item &&
            m->pos[r].col == item) {
            residual = par->free ? 1 : par->start;
            break;
        }
    }
    double var = mom->cov[item * mom->p + item];
    double v = (1 - residual / var) * var;
    return isfinite(v) && v >= 0.05 ? v : 0.05;
}

/* A model of observed variables only: each outcome's regressions start at
 * their least-squares values, its residual variance at the residual
 * variance when that lies within 1% and 99% of its variance. */
static void start_regressions(const brisk_model *m, const brisk_moments *mom, size_t group,
                              double *start)
{
    size_t p = m->p, rows[MAX_INDICATORS];
    for (size_t y = 0; y < p; y++) {
        size_t k = 0;
        for (size_t r = 0; r < m->nparams && k < MAX_INDICATORS; r++)
            if (m->params[r].op == BRISK_OP_REGRESS && m->params[r].group == group &&
                m->pos[r].row == (int)y)
                rows[k++] = r;
        if (k == 0)
            continue;
        double *Sxx = malloc(k * k * sizeof *Sxx), *b = malloc(k * sizeof *b);
        bool ok = Sxx && b;
        for (size_t a = 0; ok && a < k; a++) {
            int xa = m->pos[rows[a]].col;
            b[a] = mom->cov[xa * p + y];
            for (size_t c = 0; c < k; c++)
                Sxx[a * k + c] = mom->cov[xa * p + m->pos[rows[c]].col];
        }
        if (ok) {
            gsl_matrix_view M = gsl_matrix_view_array(Sxx, k, k);
            gsl_vector_view bv = gsl_vector_view_array(b, k);
            gsl_permutation *perm = gsl_permutation_alloc(k);
            int sign;
            ok = perm && gsl_linalg_LU_decomp(&M.matrix, perm, &sign) == GSL_SUCCESS &&
                 gsl_linalg_LU_svx(&M.matrix, perm, &bv.vector) == GSL_SUCCESS;
            gsl_permutation_free(perm);
        }
        double explained = 0;
        for (size_t a = 0; ok && a < k; a++) {
            start[rows[a]] = b[a];
            explained += b[a] * mom->cov[m->pos[rows[a]].col * p + y];
        }
        double var = mom->cov[y * p + y], res = var - explained;
        for (size_t r = 0; ok && r < m->nparams; r++)
            if (m->params[r].op == BRISK_OP_COVARY && m->params[r].group == group &&
                m->pos[r].row == (int)y && m->pos[r].col == (int)y && res > 0.01 * var &&
                res < 0.99 * var)
                start[r] = res;
        free(Sxx);
        free(b);
    }
}

/* A factor's variance from its items' covariances and their start
 * loadings, mean(s_ab / (l_a l_b)), at least 0.05. */
static double variance_from_items(const brisk_model *m, const brisk_moments *mom, int f,
                                  size_t group, const double *start)
{
    size_t rows[MAX_INDICATORS], k;
    if (!loading_rows(m, f, group, rows, &k) || k < 2)
        return NAN;
    double psi = 0;
    size_t pairs = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++, pairs++) {
            double la = m->params[rows[a]].free ? start[rows[a]] : m->params[rows[a]].start;
            double lb = m->params[rows[b]].free ? start[rows[b]] : m->params[rows[b]].start;
            psi += mom->cov[m->pos[rows[a]].row * mom->p + m->pos[rows[b]].row] / (la * lb);
        }
    psi /= (double)pairs;
    return isfinite(psi) && psi > 0.05 ? psi : 0.05;
}

typedef enum {
    START_LAVAAN,       /* lavaan's rules */
    START_FABIN,        /* fabin3 as it comes, factor variances from their items */
    START_SIMPLE        /* every loading 1 (0.7 with ordered items or a unit factor
                           variance), every factor variance 1 */
} start_kind;

/* The start of every row of one group. */
static void start_rows(const brisk_model *m, const brisk_moments *mom, size_t group,
                       bool ordered, start_kind kind, double *start)
{
    bool alternative = kind == START_FABIN;
    size_t p = m->p;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        const sem_pos *pos = &m->pos[r];
        if (par->group != group)
            continue;
        double v = 0;
        switch (par->op) {
        case BRISK_OP_MEASURE:
            v = ordered ? 0.7 : 1.0;
            break;
        case BRISK_OP_COVARY:
            if (pos->row != pos->col)
                v = pos->row < (int)p && pos->col < (int)p && par->fixed_x
                        ? mom->cov[pos->row * p + pos->col]
                        : 0;
            else if (pos->row >= (int)p)
                v = 0.05;
            else
                v = (par->fixed_x ? 1.0 : 0.5) * mom->cov[pos->row * p + pos->row];
            break;
        case BRISK_OP_INTERCEPT:
            v = pos->row < (int)p ? mom->mean[pos->row] : 0;
            break;
        default:
            v = 0;
        }
        start[r] = v;
    }
    for (size_t f = 0; f < m->m && kind == START_SIMPLE; f++) {
        int lv = (int)(p + f);
        bool unit = unit_variance(m, lv, group);
        for (size_t r = 0; r < m->nparams; r++) {
            const brisk_param *par = &m->params[r];
            if (par->group != group)
                continue;
            if (par->op == BRISK_OP_MEASURE && m->pos[r].col == lv)
                start[r] = ordered || unit ? 0.7 : 1.0;
            if (par->op == BRISK_OP_COVARY && m->pos[r].row == lv && m->pos[r].col == lv)
                start[r] = 1.0;
        }
    }
    for (size_t f = 0; f < m->m && kind != START_SIMPLE; f++) {
        int lv = (int)(p + f);
        start_loadings(m, mom, lv, group, alternative, start);
        double single = single_indicator_variance(m, mom, lv, group);
        if (alternative && !isfinite(single))
            single = variance_from_items(m, mom, lv, group, start);
        for (size_t r = 0; isfinite(single) && r < m->nparams; r++)
            if (m->params[r].op == BRISK_OP_COVARY && m->params[r].group == group &&
                m->pos[r].row == lv && m->pos[r].col == lv)
                start[r] = single;
    }
    if (m->m == 0 && kind != START_SIMPLE)
        start_regressions(m, mom, group, start);
}

static void start_values(const brisk_model *m, const brisk_moments *mom, start_kind kind,
                         double *theta)
{
    double *start = malloc((m->nparams ? m->nparams : 1) * sizeof *start);
    bool *done = calloc(m->nfree ? m->nfree : 1, sizeof *done);
    for (size_t k = 0; k < m->nfree; k++)
        theta[k] = 0;
    for (size_t g = 0; start && done && g < m->ngroups; g++) {
        start_rows(m, &mom[g], g, m->ordered, kind, start);
        /* a parameter shared with an earlier group keeps that group's start */
        for (size_t r = 0; r < m->nparams; r++) {
            int k = m->params[r].free - 1;
            if (k < 0 || done[k] || m->params[r].group != g)
                continue;
            theta[k] = isnan(m->params[r].start) ? start[r] : m->params[r].start;
            done[k] = true;
        }
    }
    free(done);
    free(start);
}

void brisk_sem_start(const brisk_model *m, const brisk_moments *mom, double *theta)
{
    start_values(m, mom, START_LAVAAN, theta);
}

/* The row of the n-th factor (in the order of its first free loading)
 * with free loadings that the user did not start, or -1. */
static long nth_free_factor(const brisk_model *m, int n)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->op != BRISK_OP_MEASURE || p->free <= 0 || !isnan(p->start))
            continue;
        bool seen = false;
        for (size_t e = 0; e < r && !seen; e++)
            seen = m->params[e].op == BRISK_OP_MEASURE && m->params[e].free > 0 &&
                   isnan(m->params[e].start) && strcmp(m->params[e].lhs, p->lhs) == 0;
        if (!seen && n-- == 0)
            return (long)r;
    }
    return -1;
}

bool brisk_sem_start_other(const brisk_model *m, const brisk_moments *mom, int which,
                           double *theta)
{
    if (which < 0)
        return false;
    if (which <= 1) {
        start_values(m, mom, which == 0 ? START_FABIN : START_SIMPLE, theta);
        return true;
    }
    long first = nth_free_factor(m, which - 2);
    if (first < 0)
        return false;
    /* lavaan's start with this factor's free loadings negated: a factor
     * with two items, or weak ones, has optima on either side of a
     * loading of zero that no search crosses (the path there runs through
     * a variance of infinity) */
    start_values(m, mom, START_LAVAAN, theta);
    const char *factor = m->params[first].lhs;
    for (size_t r = (size_t)first; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->op != BRISK_OP_MEASURE || p->free <= 0 || strcmp(p->lhs, factor) != 0)
            continue;
        bool shared = false;   /* an equality: the estimate is negated once */
        for (size_t e = (size_t)first; e < r && !shared; e++)
            shared = m->params[e].free == p->free;
        if (!shared)
            theta[p->free - 1] = -theta[p->free - 1];
    }
    return true;
}
