/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Robust ML (lavaan's estimator = "MLR" on complete data): Huber-White
 * sandwich standard errors and the Yuan-Bentler scaled chi-square in its
 * Mplus variant (lavaan's test = "yuan.bentler.mplus"), with the scaled
 * and robust CFI, TLI and RMSEA that lavaan's fitMeasures reports.
 *
 * Everything comes from the respondents' casewise scores.  For one
 * respondent with u = Sigma^-1 (x - mu), the score of the normal
 * log-likelihood for a free parameter k is
 *     s_k = u' dmu_k + (u' dSigma_k u - tr(Sigma^-1 dSigma_k)) / 2,
 * so no vech or duplication matrices are needed:
 *   B0 = sum_g (N_g/N) mean_i s_i s_i' (at the estimates),
 *   (with sampling weights N_g is the group's weights' sum and the mean
 *   sum_i w_i^2 s_i s_i' / N_g, lavaan's design-weighted scores),
 *   vcov = E^-1 B0 E^-1 / N, E the observed information per respondent
 *   (lavaan's default for MLR: information = "observed"),
 *   trace(U Gamma) = sum_g [trace(B1_g A1_g^-1) - (N_g/N) trace(B0_g E^-1)],
 * where A1 and B1 are the expected and first-order information of the
 * saturated model at the sample moments, whose trace is the mean over
 * respondents of e' S^-1 e (with a mean structure) plus
 * tr((S^-1 (e e' - S))^2) / 2, e = x - xbar. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"

void brisk_cluster_outer(const brisk_moments *mom, const double *totals, size_t dim,
                         double *out)
{
    size_t C = mom->nclusters;
    double scale = (C > 1 ? (double)C / (double)(C - 1) : 1) / brisk_moments_size(mom);
    for (size_t c = 0; c < C; c++) {
        const double *t = totals + c * dim;
        for (size_t k = 0; k < dim; k++)
            for (size_t l = 0; l < dim; l++)
                out[k * dim + l] += scale * t[k] * t[l];
    }
}

/* trace(B1 A1^-1) with clusters: each cluster's weighted totals of e and
 * of e e' - S (their scores are linear in them), so that the trace is
 * C / (C - 1) / N times the sum over clusters of E' S^-1 E (with a mean
 * structure) plus tr((S^-1 M)^2) / 2.  NaN when out of memory. */
static double trace_h1_clustered(const brisk_moments *mom, bool meanstructure,
                                 const double *sinv, double *e)
{
    size_t p = mom->p, n = mom->n, C = mom->nclusters;
    double *E = calloc(C * p + 1, sizeof *E), *M = calloc(C * p * p + 1, sizeof *M);
    double *u = malloc((p * p + 1) * sizeof *u);
    if (!E || !M || !u) {
        free(E), free(M), free(u);
        return NAN;
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = mom->data + i * p;
        double w = brisk_moments_weight(mom, i);
        double *Ec = E + mom->cluster[i] * p, *Mc = M + mom->cluster[i] * p * p;
        for (size_t a = 0; a < p; a++)
            e[a] = x[a] - mom->mean[a];
        for (size_t a = 0; a < p; a++) {
            Ec[a] += w * e[a];
            for (size_t b = 0; b < p; b++)
                Mc[a * p + b] += w * (e[a] * e[b] - mom->cov[a * p + b]);
        }
    }
    double total = 0, scale = (C > 1 ? (double)C / (double)(C - 1) : 1) / brisk_moments_size(mom);
    for (size_t c = 0; c < C; c++) {
        const double *Ec = E + c * p, *Mc = M + c * p * p;
        double quad = 0, tr = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                quad += Ec[a] * sinv[a * p + b] * Ec[b];
                double v = 0;   /* (S^-1 M)_ab */
                for (size_t k = 0; k < p; k++)
                    v += sinv[a * p + k] * Mc[k * p + b];
                u[a * p + b] = v;
            }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                tr += u[a * p + b] * u[b * p + a];
        total += scale * ((meanstructure ? quad : 0) + tr / 2);
    }
    free(E), free(M), free(u);
    return total;
}

/* trace(B1 A1^-1) of one group: the saturated model's part. */
static double trace_h1(const brisk_moments *mom, bool meanstructure, const double *sinv,
                       double *e, double *u, double *m)
{
    if (mom->cluster)
        return trace_h1_clustered(mom, meanstructure, sinv, e);
    size_t p = mom->p, n = mom->n;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = mom->data + i * p;
        for (size_t a = 0; a < p; a++)
            e[a] = x[a] - mom->mean[a];
        double quad = 0;
        for (size_t a = 0; a < p; a++) {
            u[a] = 0;
            for (size_t b = 0; b < p; b++)
                u[a] += sinv[a * p + b] * e[b];
            quad += u[a] * e[a];
        }
        /* S^-1 (e e' - S) = u e' - I; the trace of its square */
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                m[a * p + b] = u[a] * e[b] - (a == b);
        double tr = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                tr += m[a * p + b] * m[b * p + a];
        total += brisk_score_share(mom, i) * ((meanstructure ? quad : 0) + tr / 2);
    }
    return total;
}

/* B0 of one group: the mean outer product of the casewise scores (with
 * clusters, of their weighted sums within clusters).  False when out of
 * memory. */
static bool first_order(const sem_work *w, double *b0, double *e, double *u, double *s,
                        double *trace_sd)
{
    size_t p = w->p, q = w->q, n = w->mom->n;
    double *totals = w->mom->cluster ? calloc(w->mom->nclusters * q + 1, sizeof *totals) : NULL;
    if (w->mom->cluster && !totals)
        return false;
    const double *mu = w->model->meanstructure ? w->mu : w->mom->mean;
    memset(b0, 0, q * q * sizeof *b0);
    /* tr(Sigma^-1 dSigma_k), the same for every respondent */
    for (size_t k = 0; k < q; k++) {
        const double *D = w->dSigma + k * p * p;
        trace_sd[k] = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                trace_sd[k] += w->Sinv[a * p + b] * D[b * p + a];
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = w->mom->data + i * p;
        for (size_t a = 0; a < p; a++)
            e[a] = x[a] - mu[a];
        for (size_t a = 0; a < p; a++) {
            u[a] = 0;
            for (size_t b = 0; b < p; b++)
                u[a] += w->Sinv[a * p + b] * e[b];
        }
        for (size_t k = 0; k < q; k++) {
            const double *D = w->dSigma + k * p * p, *dm = w->dmu + k * p;
            double quad = 0, lin = 0;
            for (size_t a = 0; a < p; a++) {
                double row = 0;
                for (size_t b = 0; b < p; b++)
                    row += D[a * p + b] * u[b];
                quad += u[a] * row;
                lin += u[a] * dm[a];
            }
            s[k] = (w->model->meanstructure ? lin : 0) + (quad - trace_sd[k]) / 2;
        }
        if (totals) {
            double wi = brisk_moments_weight(w->mom, i);
            for (size_t k = 0; k < q; k++)
                totals[w->mom->cluster[i] * q + k] += wi * s[k];
            continue;
        }
        double w2 = brisk_score_share(w->mom, i);
        for (size_t k = 0; k < q; k++)
            for (size_t l = 0; l < q; l++)
                b0[k * q + l] += w2 * s[k] * s[l];
    }
    if (totals)
        brisk_cluster_outer(w->mom, totals, q, b0);
    free(totals);
    return true;
}

/* lavaan leaves the fixed covariates' means and covariances out of the
 * saturated model's information before inverting it: mask marks those
 * moments (means first, then vech(Sigma) row by row), skip the covariates
 * themselves.  Without covariates both stay NULL. */
static bool covariate_masks(const brisk_model *m, size_t p, bool **mask, bool **skip)
{
    *mask = *skip = NULL;
    if (!brisk_model_nexogenous(m))
        return true;
    size_t d = p + p * (p + 1) / 2;
    *mask = calloc(d + 1, sizeof **mask);
    *skip = calloc(p + 1, sizeof **skip);
    if (!*mask || !*skip)
        return false;
    for (size_t a = 0; a < p; a++) {
        (*skip)[a] = brisk_sem_is_fixed_x(m, a);
        (*mask)[a] = !m->meanstructure || (*skip)[a];
        for (size_t b = 0; b <= a; b++)
            (*mask)[p + a * (a + 1) / 2 + b] = (*skip)[a] && (*skip)[b];
    }
    return true;
}

/* The saturated model's trace term of one group, from its missing-data
 * patterns, or for complete data from a single pattern of every variable
 * (explicit coordinates, so that covariates can be masked).  The saturated
 * model is left in *h1 (to free). */
static bool saturated_trace(const brisk_moments *mom, const bool *mask, brisk_fiml_h1 *h1,
                            double *trace)
{
    size_t p = mom->p;
    size_t *obs = mom->npatterns ? NULL : malloc((p + 1) * sizeof *obs);
    bool ok = mom->npatterns || obs;
    brisk_moments one = *mom;
    brisk_pattern all = {.n = mom->n, .weight = brisk_moments_size(mom), .nobs = p, .obs = obs,
                         .mean = mom->mean, .cov = mom->cov};
    if (!mom->npatterns && obs) {
        for (size_t a = 0; a < p; a++)
            obs[a] = a;
        one.patterns = &all;
        one.npatterns = 1;
    }
    ok = ok && brisk_fiml_h1_init(&one, h1);
    *trace = ok ? brisk_fiml_h1_trace(h1, mask, &ok) : NAN;
    free(obs);
    return ok;
}

double brisk_sem_trace_product(const double *a, const double *b, size_t q)
{
    double t = 0;
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++)
            t += a[i * q + j] * b[j * q + i];
    return t;
}

void brisk_sem_scaled_measures(brisk_fit_measures *f, double trace_ug, double trace_ug_b,
                               double n, double groups)
{
    f->robust = f->scaled = true;
    /* a saturated model (df 0) has no scaling: its statistic stands
     * unscaled, and the indices that divide by c are undefined (lavaan) */
    bool saturated = !(f->df > 0);
    f->scaling_factor = saturated ? NAN : trace_ug / f->df;
    f->chisq_scaled = saturated ? f->chisq : f->chisq / f->scaling_factor;
    f->pvalue_scaled = f->df > 0 ? gsl_cdf_chisq_Q(f->chisq_scaled, f->df) : NAN;
    f->baseline_scaling_factor = trace_ug_b / f->baseline_df;
    f->baseline_chisq_scaled = f->baseline_chisq / f->baseline_scaling_factor;
    f->baseline_pvalue_scaled = gsl_cdf_chisq_Q(f->baseline_chisq_scaled, f->baseline_df);
    brisk_sem_cfi_tli(f->chisq_scaled, f->df, f->baseline_chisq_scaled, f->baseline_df, 1, 1,
            &f->cfi_scaled, &f->tli_scaled);
    brisk_sem_cfi_tli(f->chisq, f->df, f->baseline_chisq, f->baseline_df, f->scaling_factor,
            f->baseline_scaling_factor, &f->cfi_robust, &f->tli_robust);
    /* RMSEA: "scaled" takes df = trace(U Gamma), "robust" divides the
     * noncentrality by c (lavaan's fitMeasures) */
    brisk_sem_rmsea(f->chisq, trace_ug, n, groups, 1, &f->rmsea_scaled,
                    &f->rmsea_ci_lower_scaled, &f->rmsea_ci_upper_scaled);
    brisk_sem_rmsea_robust(f->chisq, f->df, n, groups, f->scaling_factor, &f->rmsea_robust,
                           &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust);
    if (saturated) {
        f->cfi_robust = f->tli_robust = NAN;
        f->rmsea_scaled = f->rmsea_ci_lower_scaled = f->rmsea_ci_upper_scaled = NAN;
        f->rmsea_robust = f->rmsea_ci_lower_robust = f->rmsea_ci_upper_robust = 0;
    } else if (!(trace_ug > 0)) {
        /* tr(U Gamma) not positive (clustered scores can make it so): no
         * scaling exists; lavaan reports NA for everything scaled and
         * robust (and an RMSEA (scaled) of 0, which brisk leaves NaN too) */
        f->scaling_factor = f->chisq_scaled = f->pvalue_scaled = NAN;
        f->cfi_scaled = f->tli_scaled = f->cfi_robust = f->tli_robust = NAN;
        f->rmsea_scaled = f->rmsea_ci_lower_scaled = f->rmsea_ci_upper_scaled = NAN;
        f->rmsea_robust = f->rmsea_ci_lower_robust = f->rmsea_ci_upper_robust = NAN;
    }
}

/* With missing values lavaan's robust CFI, TLI and RMSEA come from its
 * FIML-corrected statistic (where it cannot be computed, the scaled
 * measures only). */
static void fiml_corrected_measures(const sem_fitter *fitter, const brisk_fiml_h1 *h1,
                                    const bool *mask, const bool *skip, brisk_fit_measures *f)
{
    double x3, c3, xb, cb, G = (double)fitter->ngroups;
    f->robust = f->df > 0 && brisk_fiml_corrected(fitter->works, h1, fitter->ngroups,
                                                  fitter->ntotal, mask, skip, f->df,
                                                  f->baseline_df, &x3, &c3, &xb, &cb);
    if (!f->robust)
        return;
    brisk_sem_cfi_tli(x3, f->df, xb, f->baseline_df, c3, cb, &f->cfi_robust, &f->tli_robust);
    brisk_sem_rmsea_robust(x3, f->df, (double)fitter->ntotal, G, c3, &f->rmsea_robust,
                           &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust);
}

/* The structured "h1" observed information of one group (lavaan's
 * observed.information = "h1", which its ML fits with clusters use in the
 * scaled test): Delta' A1 Delta with A1 the observed information of the
 * normal likelihood at the implied moments (mu, Sigma) given the sample's
 * (ybar, S), so that for free parameters k, l, with d = ybar - mu,
 * W = S + d d' and B = Sigma^-1 (2 W - Sigma) Sigma^-1:
 *   dmu_k' Sigma^-1 dmu_l + d' Sigma^-1 (dSigma_l Sigma^-1 dmu_k +
 *   dSigma_k Sigma^-1 dmu_l) + tr(dSigma_k B dSigma_l Sigma^-1) / 2.
 * Added to info (q x q) times fg.  False when out of memory. */
static bool h1_information(const sem_work *w, double fg, double *info)
{
    size_t p = w->p, q = w->q;
    const double *si = w->Sinv, *mu = w->model->meanstructure ? w->mu : w->mom->mean;
    double *P = malloc((q * p * p + 1) * sizeof *P), *Q = malloc((q * p * p + 1) * sizeof *Q);
    double *B = malloc((p * p + 1) * sizeof *B), *T = malloc((p * p + 1) * sizeof *T);
    double *d = malloc((p + 1) * sizeof *d), *v = malloc((p + 1) * sizeof *v);
    bool ok = P && Q && B && T && d && v;
    for (size_t a = 0; ok && a < p; a++)
        d[a] = w->mom->mean[a] - mu[a];
    /* T = 2 W - Sigma, B = Sigma^-1 T Sigma^-1, v = Sigma^-1 d */
    for (size_t a = 0; ok && a < p; a++)
        for (size_t b = 0; b < p; b++)
            T[a * p + b] = 2 * (w->mom->cov[a * p + b] + d[a] * d[b]) - w->Sigma[a * p + b];
    if (ok) {
        brisk_dense_mul(si, T, B, p);
        brisk_dense_mul(B, si, T, p);
        memcpy(B, T, p * p * sizeof *B);
    }
    for (size_t a = 0; ok && a < p; a++) {
        v[a] = 0;
        for (size_t b = 0; b < p; b++)
            v[a] += si[a * p + b] * d[b];
    }
    /* P_k = Sigma^-1 dSigma_k, Q_k = B dSigma_k */
    for (size_t k = 0; ok && k < q; k++) {
        brisk_dense_mul(si, w->dSigma + k * p * p, P + k * p * p, p);
        brisk_dense_mul(B, w->dSigma + k * p * p, Q + k * p * p, p);
    }
    for (size_t k = 0; ok && k < q; k++) {
        const double *mk = w->dmu + k * p, *Pk = P + k * p * p;
        for (size_t l = 0; l < q; l++) {
            const double *ml = w->dmu + l * p, *Pl = P + l * p * p, *Ql = Q + l * p * p;
            double mean = 0, cross = 0, cov = 0;
            for (size_t a = 0; w->model->meanstructure && a < p; a++) {
                double sk = 0, pl = 0, pk = 0;   /* (Sigma^-1 dmu_k)_a, (P_l v)_a, (P_k v)_a */
                for (size_t b = 0; b < p; b++) {
                    sk += si[a * p + b] * mk[b];
                    pl += Pl[a * p + b] * v[b];
                    pk += Pk[a * p + b] * v[b];
                }
                mean += sk * ml[a];
                /* d' Sigma^-1 dSigma_l Sigma^-1 dmu_k = dmu_k' P_l' v... symmetric forms */
                cross += mk[a] * pl + ml[a] * pk;
            }
            for (size_t a = 0; a < p; a++)
                for (size_t b = 0; b < p; b++)
                    cov += Ql[a * p + b] * Pk[b * p + a];
            info[k * q + l] += fg * (mean + cross + cov / 2);
        }
    }
    free(P), free(Q), free(B), free(T), free(d), free(v);
    return ok;
}

brisk_status brisk_sem_robust(const brisk_model *m, sem_fitter *fitter, brisk_fit *fit,
                              bool test_h1, brisk_error *err)
{
    /* with equality constraints q is beta's: each group's matrices over
     * the model's nfree parameters are projected (K' B K) */
    size_t q = fitter->q, pmax = 1, nq = m->nfree > q ? m->nfree : q;
    double n = (double)fitter->ntotal;
    for (size_t g = 0; g < fitter->ngroups; g++) {
        if (!fitter->works[g]->mom->data)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "robust ML needs the data, not "
                                   "only their moments");
        pmax = fitter->works[g]->p > pmax ? fitter->works[g]->p : pmax;
    }
    bool *mask, *skip;
    bool fixed_x = brisk_model_nexogenous(m) > 0, masks_ok = covariate_masks(m, m->p, &mask, &skip);
    double *einv = malloc((q * q + 1) * sizeof *einv), *b0 = calloc(q * q + 1, sizeof *b0);
    double *b0g = malloc((nq * nq + 1) * sizeof *b0g), *tmp = malloc((q * q + 1) * sizeof *tmp);
    double *s = malloc((nq + 1) * sizeof *s), *tsd = malloc((nq + 1) * sizeof *tsd);
    double *e = malloc(pmax * sizeof *e), *u = malloc(pmax * sizeof *u);
    double *mm = malloc(pmax * pmax * sizeof *mm), *sinv = malloc(pmax * pmax * sizeof *sinv);
    double *chol = malloc(pmax * pmax * sizeof *chol);
    brisk_status st = einv && b0 && b0g && tmp && s && tsd && e && u && mm && sinv && chol &&
                              masks_ok
                          ? BRISK_OK
                          : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* E: the observed information per respondent, as lavaan's MLR; with
     * missing values the classical vcov is already (N E)^-1 */
    bool missing = fitter->works[0]->mom->npatterns > 0;
    for (size_t i = 0; st == BRISK_OK && missing && i < q * q; i++)
        einv[i] = fit->vcov[i] * n;
    if (st == BRISK_OK && !missing &&
        (!brisk_sem_observed_information(fitter, fit->theta, tmp) ||
         !brisk_dense_spd_invert(tmp, einv, b0g, q, &(double){0})))
        st = brisk_error_set(err, BRISK_ERR_MODEL, "the observed information matrix is not "
                             "positive definite at the estimates: robust standard errors "
                             "cannot be computed (is the model identified?)");
    /* the information of the test's trace: E, or (lavaan's ML with
     * clusters, observed.information = "h1") the structured h1 one */
    double *e2inv = einv, *e2 = NULL;
    if (st == BRISK_OK && test_h1) {
        e2 = calloc(nq * nq + 1, sizeof *e2);
        e2inv = malloc((q * q + 1) * sizeof *e2inv);
        bool ok = e2 && e2inv;
        for (size_t g = 0; ok && g < fitter->ngroups; g++)
            ok = h1_information(fitter->works[g], fitter->weight[g], e2);
        if (ok && m->K)
            ok = brisk_sem_project(m, e2);
        if (!ok)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        else if (!brisk_dense_spd_invert(e2, e2inv, b0g, q, &(double){0}))
            st = brisk_error_set(err, BRISK_ERR_MODEL, "the h1 information matrix is not "
                                 "positive definite at the estimates: the scaled test cannot be "
                                 "computed (is the model identified?)");
    }
    double trace_ug = 0, trace_ug_b = 0;
    /* with missing values, each group's saturated model, kept for the
     * corrected indices */
    brisk_fiml_h1 *saturated = calloc(fitter->ngroups, sizeof *saturated);
    if (!saturated)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t g = 0; st == BRISK_OK && g < fitter->ngroups; g++) {
        const sem_work *w = fitter->works[g];
        double logdet, h1, h0b;
        if (fixed_x || w->mom->npatterns) {
            /* missing values (full-information ML), or the saturated model
             * less what the fixed covariates fix */
            if (!saturated_trace(w->mom, mask, &saturated[g], &h1)) {
                st = brisk_error_set(err, BRISK_ERR_DATA, "the saturated model's information "
                                     "is not positive definite");
                break;
            }
            if (!w->mom->npatterns)
                brisk_fiml_h1_free(&saturated[g]);
            if (w->mom->npatterns)
                brisk_fiml_first_order(w, b0g, u, s, tsd);
            else if (!first_order(w, b0g, e, u, s, tsd)) {
                st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
                break;
            }
            h0b = brisk_fiml_trace_h0_baseline(w->mom, m->meanstructure, skip);
        } else {
            if (!brisk_dense_spd_invert(w->mom->cov, sinv, chol, w->p, &logdet)) {
                st = brisk_error_set(err, BRISK_ERR_DATA, "the sample covariance matrix is not "
                                     "positive definite");
                break;
            }
            h1 = trace_h1(w->mom, m->meanstructure, sinv, e, u, mm);
            if (isnan(h1) || !first_order(w, b0g, e, u, s, tsd)) {
                st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
                break;
            }
            h0b = brisk_fiml_trace_h0_baseline(w->mom, m->meanstructure, NULL);
        }
        if (m->K && !brisk_sem_project(m, b0g)) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        double fg = fitter->weight[g];
        for (size_t i = 0; i < q * q; i++)
            b0[i] += fg * b0g[i];
        if (isnan(h0b)) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        trace_ug += h1 - fg * brisk_sem_trace_product(b0g, e2inv, q);
        trace_ug_b += h1 - h0b;
    }
    if (st == BRISK_OK) {
        brisk_dense_mul(einv, b0, tmp, q);
        brisk_dense_mul(tmp, einv, fit->vcov, q);
        for (size_t i = 0; i < q * q; i++)
            fit->vcov[i] /= n;
        brisk_sem_scaled_measures(&fit->fit, trace_ug, trace_ug_b, n, (double)fitter->ngroups);
        if (fit->fit.df > 0 && !(trace_ug > 0) &&
            brisk_fit_warn(fit, "the scaled test is undefined: the trace of U Gamma is %.4g, "
                           "not positive (with %s), so there is no scaled chi-square nor "
                           "robust CFI, TLI or RMSEA (lavaan reports them NA too); the "
                           "standard errors stand", trace_ug,
                           fitter->works[0]->mom->cluster ? "clusters" : "these data") != BRISK_OK)
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        if (missing)   /* the fitter is at the estimates, with its derivatives */
            fiml_corrected_measures(fitter, saturated, mask, skip, &fit->fit);
    }
    for (size_t g = 0; saturated && g < fitter->ngroups; g++)
        brisk_fiml_h1_free(&saturated[g]);
    free(saturated);
    if (e2inv != einv)
        free(e2inv);
    free(e2);
    free(einv), free(b0), free(b0g), free(tmp), free(s), free(tsd), free(e), free(u), free(mm);
    free(sinv), free(chol), free(mask), free(skip);
    return st;
}
