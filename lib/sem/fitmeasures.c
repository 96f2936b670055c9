/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fit measures, as lavaan 0.6 computes them for ML. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* P(X <= x) for X ~ chi-square(df, ncp): a Poisson(ncp/2) mixture of central
 * chi-squares, summed outward from the Poisson mode for stability.  Only the
 * mode's terms are computed directly; the others follow by recurrence
 * (w_{j+1} = w_j l / (j + 1) for the Poisson weights, and for the central
 * chi-squares P(a + 1, h) = P(a, h) - t_a with t_a = h^a e^-h / G(a + 1),
 * t_{a+1} = t_a h / (a + 1), in the incomplete gamma of shape a = df/2 + j
 * at h = x/2), so a call costs a few hundred multiplications. */
double brisk_ncchisq_cdf(double x, double df, double ncp)
{
    if (x <= 0)
        return 0;
    if (ncp <= 0)
        return gsl_cdf_chisq_P(x, df);
    double lambda = ncp / 2, h = x / 2;
    long mode = (long)floor(lambda);
    double a0 = df / 2 + (double)mode;
    double w0 = exp(-lambda + (double)mode * log(lambda) - gsl_sf_lngamma((double)mode + 1));
    double p0 = gsl_cdf_chisq_P(x, 2 * a0);
    double t0 = exp(a0 * log(h) - h - gsl_sf_lngamma(a0 + 1));
    double sum = w0 * p0;
    /* downward: j = mode - 1, ..., 0 */
    double w = w0, p = p0, t = t0;
    for (long j = mode; j > 0; j--) {
        double a = df / 2 + (double)j;      /* shape of term j */
        t = t * a / h;                      /* t_{a-1} */
        p = fmin(1, p + t);                 /* P(a - 1, h) */
        w = w * (double)j / lambda;         /* w_{j-1} */
        sum += w * p;
        if (w < 1e-17 && j < mode - 10)
            break;
    }
    /* upward: j = mode + 1, ... */
    w = w0;
    p = p0;
    t = t0;
    for (long j = mode + 1;; j++) {
        double a = df / 2 + (double)(j - 1);   /* shape of term j - 1 */
        p = fmax(0, p - t);                    /* P(a + 1, h) */
        t = t * h / (a + 1);
        w = w * lambda / (double)j;
        sum += w * p;
        if ((w < 1e-17 || p == 0) && j > mode + 10)
            break;
    }
    return sum > 1 ? 1 : sum;
}

/* The noncentrality at which P(X <= chisq) = prob, by bisection (the
 * distribution function falls as ncp grows). */
static double ncp_for(double chisq, double df, double prob)
{
    double lo = 0, hi = chisq > 1 ? chisq : 1;
    while (brisk_ncchisq_cdf(chisq, df, hi) > prob && hi < 1e7)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + hi); i++) {
        double mid = (lo + hi) / 2;
        if (brisk_ncchisq_cdf(chisq, df, mid) > prob)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

void brisk_sem_cfi_tli(double x2, double df, double xb, double dfb, double c, double cb,
                       double *cfi, double *tli)
{
    if (!(df > 0)) {   /* a saturated model fits perfectly, whatever the rounding */
        *cfi = *tli = 1;
        return;
    }
    bool weighted = c != 1 && cb != 1;
    double cm = weighted ? c : 1, cbm = weighted ? cb : 1;
    double t1 = fmax(x2 - cm * df, 0), t2 = fmax(fmax(x2 - cm * df, xb - cbm * dfb), 0);
    *cfi = t1 == 0 && t2 == 0 ? 1 : 1 - t1 / t2;
    double u1 = (x2 - cm * df) * dfb, u2 = (xb - cbm * dfb) * df;
    *tli = fabs(u2) > 0 ? 1 - u1 / u2 : 1;
}

void brisk_sem_rmsea(double x2, double df, double n, double groups, double c, double *value,
                     double *lower, double *upper)
{
    if (!(df > 0)) {
        *value = *lower = *upper = 0;
        return;
    }
    double g = sqrt(groups);
    *value = g * sqrt(fmax(x2 / (n * df) - c / n, 0));
    *lower = gsl_cdf_chisq_P(x2, df) < 0.95 ? 0 : g * sqrt(c * ncp_for(x2, df, 0.95) / (n * df));
    *upper = gsl_cdf_chisq_P(x2, df) < 0.05 ? 0 : g * sqrt(c * ncp_for(x2, df, 0.05) / (n * df));
}

void brisk_sem_rmsea_robust(double x2, double df, double n, double groups, double c,
                            double *value, double *lower, double *upper)
{
    double ignored;
    brisk_sem_rmsea(x2 / c, df, n, groups, c, &ignored, lower, upper);
    *value = df > 0 ? sqrt(groups) * sqrt(fmax(x2 / (n * df) - c / n, 0)) : 0;
}

double brisk_sem_rmsea_pvalue(double x2, double df, double n, double groups)
{
    /* p(RMSEA <= .05): the noncentrality of RMSEA .05 over G groups */
    return df > 0 ? 1 - brisk_ncchisq_cdf(x2, df, n * df * 0.05 * 0.05 / groups) : NAN;
}

static void rmsea(brisk_fit_measures *f, double n, double groups)
{
    brisk_sem_rmsea(f->chisq, f->df, n, groups, 1, &f->rmsea, &f->rmsea_ci_lower,
                    &f->rmsea_ci_upper);
    f->rmsea_pvalue = brisk_sem_rmsea_pvalue(f->chisq, f->df, n, groups);
}

/* Bentler's SRMR: residual correlations, standardized by the sample
 * standard deviations, over the p(p+1)/2 distinct elements (plus the
 * standardized mean residuals with a mean structure). */
static double srmr(const brisk_model *m, const brisk_moments *mom, const sem_work *w)
{
    size_t p = mom->p, count = 0;
    double ss = 0;
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j <= i; j++) {
            double sd = sqrt(mom->cov[i * p + i] * mom->cov[j * p + j]);
            double r = (mom->cov[i * p + j] - w->Sigma[i * p + j]) / sd;
            ss += r * r;
            count++;
        }
    }
    if (m->meanstructure) {
        for (size_t i = 0; i < p; i++) {
            double r = (mom->mean[i] - w->mu[i]) / sqrt(mom->cov[i * p + i]);
            ss += r * r;
            count++;
        }
    }
    return sqrt(ss / (double)count);
}

double brisk_sem_srmr(const brisk_model *m, const brisk_moments *mom, const sem_work *w)
{
    return srmr(m, mom, w);
}

/* log|S_xx| of the fixed covariates (0 when there are none). */
static double logdet_covariates(const brisk_model *m, const brisk_moments *mom)
{
    size_t p = mom->p, k = 0;
    double *sxx = malloc((p ? p * p : 1) * sizeof *sxx);
    size_t *x = malloc((p ? p : 1) * sizeof *x);
    double ld = NAN;
    if (sxx && x) {
        for (size_t i = 0; i < p; i++)
            if (brisk_sem_is_fixed_x(m, i))
                x[k++] = i;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                sxx[a * k + b] = mom->cov[x[a] * p + x[b]];
        bool ok = true;
        ld = k ? brisk_sem_logdet(sxx, k, &ok) : 0;
        if (!ok)
            ld = NAN;
    }
    free(sxx);
    free(x);
    return ld;
}

/* With full-information ML the fixed covariates are observed in every row
 * kept (moments.c), so the independence model's saturated covariate block
 * changes its discrepancy from that of independent variables by
 * log|S_xx| - sum log s_xx. */
static double covariates_dependence(const brisk_model *m, const brisk_moments *mom)
{
    double d = logdet_covariates(m, mom);
    for (size_t i = 0; i < mom->p; i++)
        if (brisk_sem_is_fixed_x(m, i))
            d -= log(mom->cov[i * mom->p + i]);
    return d;
}

/* The independence model: Sigma = diag(S), mu = the sample means, except
 * that fixed covariates keep their sample covariances (a saturated block). */
static double baseline_discrepancy(const brisk_model *m, const brisk_moments *mom,
                                   double logdet_s)
{
    double ld = logdet_covariates(m, mom);
    for (size_t i = 0; i < mom->p; i++)
        if (!brisk_sem_is_fixed_x(m, i))
            ld += log(mom->cov[i * mom->p + i]);
    return ld - logdet_s;
}

/* lavaan's measures over groups: chi-squares, log-likelihoods and degrees
 * of freedom add up, RMSEA carries a factor sqrt(G), and SRMR is the
 * groups' average weighted by their sizes. */
brisk_status brisk_sem_fit_measures(const brisk_model *m, sem_fitter *fitter, brisk_fit *fit,
                                    brisk_error *err)
{
    (void)err;
    brisk_fit_measures *f = &fit->fit;
    double n = (double)fitter->ntotal, p = (double)m->p, G = (double)fitter->ngroups;
    double moments = (double)brisk_sem_moments_count(m);
    double k = (double)brisk_model_nexogenous(m);
    double log2pi = log(2 * M_PI);
    f->nobs = fitter->ntotal;
    f->npar = m->npar;   /* lavaan's: free less the independent ==; not less the active < > */
    f->chisq = n * fit->fmin;
    f->df = G * moments - (double)m->npar;
    f->pvalue = f->df > 0 ? gsl_cdf_chisq_Q(f->chisq, f->df) : NAN;
    f->baseline_chisq = f->srmr = f->loglik = f->unrestricted_loglik = 0;
    for (size_t g = 0; g < fitter->ngroups; g++) {
        const sem_work *w = fitter->works[g];
        double ng = brisk_moments_size(w->mom);
        f->srmr += fitter->weight[g] * srmr(m, w->mom, w);
        /* With fixed covariates the likelihood is that of the outcomes given
         * the covariates (lavaan's conditional log-likelihood): the
         * covariates' marginal part, reproduced exactly, is taken out. */
        double marginal_x = k > 0 ? -ng / 2 * (k * log2pi + logdet_covariates(m, w->mom) + k) : 0;
        if (w->mom->npatterns) {
            /* full-information ML: the likelihoods over the answer patterns,
             * the saturated model's by EM, the independence model's by
             * variable */
            const brisk_moments *mo = w->mom;
            double x_block = k > 0 ? covariates_dependence(m, mo) : 0;
            f->baseline_chisq += ng * (mo->fiml_baseline + x_block - mo->fiml_h1);
            f->unrestricted_loglik += -ng / 2 * (mo->fiml_h1 + mo->fiml_constant) - marginal_x;
            f->loglik += -ng / 2 * (w->f + mo->fiml_h1 + mo->fiml_constant) - marginal_x;
            continue;
        }
        f->baseline_chisq += ng * baseline_discrepancy(m, w->mom, w->logdet_s);
        f->unrestricted_loglik += -ng / 2 * (p * log2pi + w->logdet_s + p) - marginal_x;
        f->loglik += -ng / 2 * (p * log2pi + w->logdet_s + p + w->f) - marginal_x;
    }
    f->baseline_df = G * (moments - (p - k) - (m->meanstructure ? p - k : 0));
    f->baseline_pvalue = gsl_cdf_chisq_Q(f->baseline_chisq, f->baseline_df);
    brisk_sem_cfi_tli(f->chisq, f->df, f->baseline_chisq, f->baseline_df, 1, 1, &f->cfi, &f->tli);
    rmsea(f, n, G);
    double npar = (double)m->npar;
    f->aic = -2 * f->loglik + 2 * npar;
    f->bic = -2 * f->loglik + npar * log(n);
    f->sabic = -2 * f->loglik + npar * log((n + 2) / 24);
    return BRISK_OK;
}
