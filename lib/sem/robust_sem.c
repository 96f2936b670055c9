/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MLM (lavaan's estimator = "MLM" on complete data): ML estimates with
 * the robust.sem standard errors and the Satorra-Bentler scaled
 * chi-square, with the scaled and robust CFI, TLI and RMSEA of lavaan's
 * fitMeasures.
 *
 * Everything comes from Gamma, the ADF covariance of the sample moments
 * (lavaan's lav_samplestats_Gamma, divisor N): the mean over respondents
 * of z_i z_i', z_i = (m_i, vech C_i) with m_i = e_i and C_i = e_i e_i' - S,
 * e_i = x_i - xbar.  With fixed covariates (fixed.x) lavaan takes out what
 * the covariates predict: with yhat_i the covariates' least-squares fit of
 * e_i (e_i itself for a covariate), m_i = e_i - yhat_i and C_i = e_i e_i'
 * - yhat_i yhat_i' less its mean, so the covariates' moments have no
 * variance.  Gamma is never formed: A1 (the expected information of the
 * saturated model at the implied moments, lavaan's WLS.V with
 * h1.information "structured") applied to z_i and then Delta' gives the
 * row's "score"
 *     s_k = dmu_k' Sigma^-1 m_i + tr(Sigma^-1 dSigma_k Sigma^-1 C_i) / 2,
 * so that Delta' A1 Gamma A1 Delta = mean_i s_i s_i' (B), and
 *   vcov = E^-1 (sum_g N_g/N B_g) E^-1 / N      (lavaan's robust.sem),
 *   tr(U Gamma) = sum_g [tr(A1_g Gamma_g) - N_g/N tr(B_g E^-1)]
 * (lav_test_satorra_bentler), tr(A1 Gamma) being the mean over rows of
 * m' Sigma^-1 m + tr((Sigma^-1 C)^2) / 2.  The independence model's
 * A1 is that of its diagonal Sigma (the covariates' block as sampled), so
 * U only drops its free moments (the variables' variances and means):
 * its tr(U Gamma) is tr(A1 Gamma) less their terms. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"
#include "sem_internal.h"

/* What one group's rows of Gamma need: the covariates' fit of each
 * deviation (yhat = fit e; NULL without covariates) and the mean of
 * e e' - yhat yhat' (S without covariates). */
typedef struct gamma_rows {
    const brisk_moments *mom;
    size_t p;
    double *fit;      /* p x p, or NULL */
    double *centre;   /* p x p */
} gamma_rows;

static void gamma_rows_free(gamma_rows *g)
{
    free(g->fit);
    free(g->centre);
}

/* Row i's m (p) and C (p x p); yhat is scratch of p. */
static void gamma_row(const gamma_rows *g, size_t i, double *m, double *C, double *yhat)
{
    size_t p = g->p;
    const double *x = g->mom->data + i * p;
    for (size_t a = 0; a < p; a++)
        m[a] = x[a] - g->mom->mean[a];
    for (size_t a = 0; a < p; a++) {
        yhat[a] = 0;
        for (size_t b = 0; g->fit && b < p; b++)
            yhat[a] += g->fit[a * p + b] * m[b];
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            C[a * p + b] = m[a] * m[b] - yhat[a] * yhat[b] - g->centre[a * p + b];
    for (size_t a = 0; a < p; a++)
        m[a] -= yhat[a];
}

/* The covariates' least-squares fit: row a of fit is S_ax S_xx^-1 over
 * the covariates x (the unit row for a covariate).  False when out of
 * memory or S_xx is singular. */
static bool covariates_fit(const brisk_model *m, gamma_rows *g)
{
    size_t p = g->p, nx = 0;
    size_t *x = malloc((p + 1) * sizeof *x);
    double *sxx = malloc((p * p + 1) * sizeof *sxx), *inv = malloc((p * p + 1) * sizeof *inv);
    double *work = malloc((p * p + 1) * sizeof *work);
    g->fit = calloc(p * p + 1, sizeof *g->fit);
    bool ok = x && sxx && inv && work && g->fit;
    for (size_t a = 0; ok && a < p; a++)
        if (brisk_sem_is_fixed_x(m, a))
            x[nx++] = a;
    for (size_t i = 0; ok && i < nx; i++)
        for (size_t j = 0; j < nx; j++)
            sxx[i * nx + j] = g->mom->cov[x[i] * p + x[j]];
    ok = ok && brisk_dense_spd_invert(sxx, inv, work, nx, &(double){0});
    for (size_t a = 0; ok && a < p; a++)
        for (size_t j = 0; j < nx; j++) {
            double v = 0;
            for (size_t i = 0; i < nx; i++)
                v += g->mom->cov[a * p + x[i]] * inv[i * nx + j];
            g->fit[a * p + x[j]] = brisk_sem_is_fixed_x(m, a) ? (a == x[j]) : v;
        }
    free(x), free(sxx), free(inv), free(work);
    return ok;
}

static bool gamma_rows_init(const brisk_model *m, const brisk_moments *mom, gamma_rows *g)
{
    size_t p = mom->p;
    *g = (gamma_rows){.mom = mom, .p = p};
    if (!(g->centre = calloc(p * p + 1, sizeof *g->centre)))
        return false;
    if (!brisk_model_nexogenous(m)) {
        memcpy(g->centre, mom->cov, p * p * sizeof *g->centre);
        return true;
    }
    if (!covariates_fit(m, g))
        return false;
    /* the centre: the mean of e e' - yhat yhat', from rows centred at 0 */
    double *mm = malloc((p + 1) * sizeof *mm), *C = malloc((p * p + 1) * sizeof *C);
    double *yhat = malloc((p + 1) * sizeof *yhat), *sum = calloc(p * p + 1, sizeof *sum);
    bool ok = mm && C && yhat && sum;
    for (size_t i = 0; ok && i < mom->n; i++) {
        gamma_row(g, i, mm, C, yhat);
        for (size_t k = 0; k < p * p; k++)
            sum[k] += C[k] / (double)mom->n;
    }
    if (ok)
        memcpy(g->centre, sum, p * p * sizeof *sum);
    free(mm), free(C), free(yhat), free(sum);
    return ok;
}

/* tr(X Y) of two symmetric p x p matrices. */
static double trace_sym(const double *X, const double *Y, size_t p)
{
    double t = 0;
    for (size_t k = 0; k < p * p; k++)
        t += X[k] * Y[k];
    return t;
}

/* The independence model's Sigma^-1: 1 / s_aa on the diagonal, the
 * covariates' block inverted (their moments fixed as sampled). */
static bool baseline_inverse(const brisk_model *m, const brisk_moments *mom, double *vb)
{
    size_t p = mom->p;
    double *cov = malloc((p * p + 1) * sizeof *cov), *work = malloc((p * p + 1) * sizeof *work);
    bool ok = cov && work;
    for (size_t a = 0; ok && a < p; a++)
        for (size_t b = 0; b < p; b++)
            cov[a * p + b] = a == b || (brisk_sem_is_fixed_x(m, a) && brisk_sem_is_fixed_x(m, b))
                                 ? mom->cov[a * p + b]
                                 : 0;
    ok = ok && brisk_dense_spd_invert(cov, vb, work, p, &(double){0});
    free(cov), free(work);
    return ok;
}

/* One group's B (q x q, w->q), tr(A1 Gamma) and the independence model's
 * tr(U Gamma).  False when out of memory or a matrix is singular. */
static bool group_traces(const brisk_model *m, const sem_work *w, double *b,
                         double *trace_h1, double *trace_base)
{
    size_t p = w->p, q = w->q, n = w->mom->n;
    bool means = m->meanstructure;
    gamma_rows g;
    bool ok = gamma_rows_init(m, w->mom, &g);
    double *W = malloc((q * p * p + 1) * sizeof *W), *vmu = malloc((q * p + 1) * sizeof *vmu);
    double *tmp = malloc((p * p + 1) * sizeof *tmp), *vb = malloc((p * p + 1) * sizeof *vb);
    double *mv = malloc((p + 1) * sizeof *mv), *C = malloc((p * p + 1) * sizeof *C);
    double *yhat = malloc((p + 1) * sizeof *yhat), *s = malloc((q + 1) * sizeof *s);
    double *G = malloc((p * p + 1) * sizeof *G);
    ok = ok && W && vmu && tmp && vb && mv && C && yhat && s && G &&
         baseline_inverse(m, w->mom, vb);
    /* W_k = Sigma^-1 dSigma_k Sigma^-1, vmu_k = Sigma^-1 dmu_k */
    for (size_t k = 0; ok && k < q; k++) {
        brisk_dense_mul(w->Sinv, w->dSigma + k * p * p, tmp, p);
        brisk_dense_mul(tmp, w->Sinv, W + k * p * p, p);
        for (size_t a = 0; a < p; a++) {
            vmu[k * p + a] = 0;
            for (size_t c = 0; means && c < p; c++)
                vmu[k * p + a] += w->Sinv[a * p + c] * w->dmu[k * p + c];
        }
    }
    if (ok)
        memset(b, 0, q * q * sizeof *b);
    double h1 = 0, base = 0;
    for (size_t i = 0; ok && i < n; i++) {
        gamma_row(&g, i, mv, C, yhat);
        for (size_t k = 0; k < q; k++) {
            double lin = 0;
            for (size_t a = 0; means && a < p; a++)
                lin += vmu[k * p + a] * mv[a];
            s[k] = lin + trace_sym(W + k * p * p, C, p) / 2;
        }
        for (size_t k = 0; k < q; k++)
            for (size_t l = 0; l < q; l++)
                b[k * q + l] += s[k] * s[l] / (double)n;
        double quad = 0;
        for (size_t a = 0; means && a < p; a++)
            for (size_t c = 0; c < p; c++)
                quad += mv[a] * w->Sinv[a * p + c] * mv[c];
        brisk_dense_mul(w->Sinv, C, G, p);
        brisk_dense_mul(G, G, tmp, p);
        double tr = 0, trb = 0, free_terms = 0;
        for (size_t a = 0; a < p; a++)
            tr += tmp[a * p + a];
        brisk_dense_mul(vb, C, G, p);
        brisk_dense_mul(G, G, tmp, p);
        for (size_t a = 0; a < p; a++) {
            trb += tmp[a * p + a];
            /* a variance the independence model estimates (its mean too,
             * whose term m_a^2 / s_aa the mean part would add and U drop) */
            if (!brisk_sem_is_fixed_x(m, a))
                free_terms += C[a * p + a] * C[a * p + a] * vb[a * p + a] * vb[a * p + a];
        }
        h1 += ((means ? quad : 0) + tr / 2) / (double)n;
        base += (trb - free_terms) / 2 / (double)n;
    }
    *trace_h1 = h1;
    *trace_base = base;
    gamma_rows_free(&g);
    free(W), free(vmu), free(tmp), free(vb), free(mv), free(C), free(yhat), free(s), free(G);
    return ok;
}

bool brisk_sem_adf_gamma(const brisk_model *m, const brisk_moments *mom, double *gamma)
{
    size_t p = mom->p, off = m->meanstructure ? p : 0, d = off + p * (p + 1) / 2, n = mom->n;
    gamma_rows g;
    bool ok = gamma_rows_init(m, mom, &g);
    double *mv = malloc((p + 1) * sizeof *mv), *C = malloc((p * p + 1) * sizeof *C);
    double *yhat = malloc((p + 1) * sizeof *yhat), *z = malloc((d + 1) * sizeof *z);
    ok = ok && mv && C && yhat && z;
    if (ok)
        memset(gamma, 0, d * d * sizeof *gamma);
    for (size_t i = 0; ok && i < n; i++) {
        gamma_row(&g, i, mv, C, yhat);
        memcpy(z, mv, off * sizeof *z);
        for (size_t b = 0, k = off; b < p; b++)   /* vech, column by column */
            for (size_t a = b; a < p; a++)
                z[k++] = C[a * p + b];
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b <= a; b++)
                gamma[a * d + b] += z[a] * z[b] / (double)n;
    }
    for (size_t a = 0; ok && a < d; a++)
        for (size_t b = 0; b < a; b++)
            gamma[b * d + a] = gamma[a * d + b];
    gamma_rows_free(&g);
    free(mv), free(C), free(yhat), free(z);
    return ok;
}

brisk_status brisk_sem_robust_sem(const brisk_model *m, sem_fitter *fitter, brisk_fit *fit,
                                  brisk_error *err)
{
    size_t q = fitter->q, nq = m->nfree > q ? m->nfree : q;
    double n = (double)fitter->ntotal;
    for (size_t g = 0; g < fitter->ngroups; g++)
        if (!fitter->works[g]->mom->data || fitter->works[g]->mom->npatterns ||
            fitter->works[g]->mom->weight || fitter->works[g]->mom->cluster)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "MLM needs the complete, unweighted "
                                   "rows of the data, not only their moments");
    double *einv = malloc((q * q + 1) * sizeof *einv), *b = calloc(q * q + 1, sizeof *b);
    double *bg = malloc((nq * nq + 1) * sizeof *bg), *tmp = malloc((q * q + 1) * sizeof *tmp);
    if (!einv || !b || !bg || !tmp) {
        free(einv), free(b), free(bg), free(tmp);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    /* the classical vcov is (N E)^-1, E the expected information */
    for (size_t i = 0; i < q * q; i++)
        einv[i] = fit->vcov[i] * n;
    brisk_status st = BRISK_OK;
    double trace_ug = 0, trace_ug_b = 0;
    for (size_t g = 0; st == BRISK_OK && g < fitter->ngroups; g++) {
        double h1, base, fg = fitter->weight[g];
        if (!group_traces(m, fitter->works[g], bg, &h1, &base) ||
            (m->K && !brisk_sem_project(m, bg))) {
            st = brisk_error_set(err, BRISK_ERR_DATA, "the covariances of the covariates or of "
                                 "the variables are singular: the robust (MLM) standard errors "
                                 "cannot be computed");
            break;
        }
        for (size_t i = 0; i < q * q; i++)
            b[i] += fg * bg[i];
        trace_ug += h1 - fg * brisk_sem_trace_product(bg, einv, q);
        trace_ug_b += base;
    }
    if (st == BRISK_OK) {
        brisk_dense_mul(einv, b, tmp, q);
        brisk_dense_mul(tmp, einv, fit->vcov, q);
        for (size_t i = 0; i < q * q; i++)
            fit->vcov[i] /= n;
        brisk_sem_scaled_measures(&fit->fit, trace_ug, trace_ug_b, n, (double)fitter->ngroups);
        fit->fit.estimator = BRISK_ESTIMATOR_MLM;
        if (fit->fit.df > 0 && !(trace_ug > 0) &&
            brisk_fit_warn(fit, "the Satorra-Bentler test is undefined: the trace of U Gamma "
                           "is %.4g, not positive, so there is no scaled chi-square nor robust "
                           "CFI, TLI or RMSEA (lavaan reports them NA too); the standard "
                           "errors stand", trace_ug) != BRISK_OK)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    free(einv), free(b), free(bg), free(tmp);
    return st;
}
