/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Full-information ML (lavaan's missing = "ml"): every respondent who
 * answered at least one of the model's variables counts with the
 * variables answered.  Respondents are grouped by the pattern of their
 * answers, so that each evaluation costs one small factorization per
 * pattern, not per respondent: with a pattern's n_k respondents, observed
 * variables o, their mean m_k and covariance S_k,
 *     -2 log L = sum_k n_k [p_k log 2 pi + log|Sigma_oo| + tr(Sigma_oo^-1 M_k)],
 *     M_k = S_k + (m_k - mu_o)(m_k - mu_o)'.
 * The saturated model (for the chi-square) is fitted by EM.  With sampling
 * weights (lavaan's sampling.weights) n_k is the pattern's weights' sum
 * and m_k, S_k its weighted moments: the weighted log-likelihood. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_internal.h"

#define EM_MAX_ITER 100000

/* ------------------------------------------------------------ patterns */

static bool present(const brisk_column *c, size_t r)
{
    return !brisk_is_missing(c, r) && !isnan(c->num[r]);
}

typedef struct row_mask {
    size_t row;
    unsigned char *mask;
    size_t p;
} row_mask;

static int compare_masks(const void *a, const void *b)
{
    const row_mask *x = a, *y = b;
    int c = memcmp(y->mask, x->mask, x->p);   /* fuller patterns first */
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Sufficient statistics of pattern k from its rows of data (n x p) and
 * their weights (NULL: 1 each); a pattern whose weights are all zero
 * keeps its unweighted moments (it has no part in the likelihood). */
static bool pattern_moments(brisk_pattern *pat, const double *data, const double *weight,
                            size_t p)
{
    size_t q = pat->nobs, n = pat->n;
    pat->mean = calloc(q + 1, sizeof *pat->mean);
    pat->cov = calloc(q * q + 1, sizeof *pat->cov);
    if (!pat->mean || !pat->cov)
        return false;
    pat->weight = 0;
    for (size_t i = 0; i < n; i++)
        pat->weight += weight ? weight[i] : 1;
    bool by_weight = pat->weight > 0;
    double total = by_weight ? pat->weight : (double)n;
    for (size_t i = 0; i < n; i++) {
        double w = by_weight && weight ? weight[i] : 1;
        for (size_t a = 0; a < q; a++)
            pat->mean[a] += w * data[i * p + pat->obs[a]] / total;
    }
    for (size_t i = 0; i < n; i++) {
        double w = by_weight && weight ? weight[i] : 1;
        for (size_t a = 0; a < q; a++) {
            double da = w * (data[i * p + pat->obs[a]] - pat->mean[a]);
            for (size_t b = 0; b <= a; b++)
                pat->cov[a * q + b] += da * (data[i * p + pat->obs[b]] - pat->mean[b]) / total;
        }
    }
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < a; b++)
            pat->cov[b * q + a] = pat->cov[a * q + b];
    return true;
}

/* The rows (answering at least one variable) ordered by pattern, with
 * their sampling weights (wcol, or NULL) normalised to sum to their number,
 * and the patterns. */
static brisk_status build_patterns(const brisk_column *const *cols, size_t p, const size_t *rows,
                                   size_t nrows, const brisk_column *wcol, brisk_moments *out,
                                   brisk_error *err)
{
    row_mask *rm = calloc(nrows + 1, sizeof *rm);
    unsigned char *masks = calloc(nrows * p + 1, 1);
    brisk_status st = rm && masks ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; st == BRISK_OK && i < nrows; i++) {
        size_t r = rows ? rows[i] : i, answered = 0;
        for (size_t j = 0; j < p; j++)
            answered += masks[n * p + j] = present(cols[j], r);
        if (answered)
            rm[n] = (row_mask){.row = r, .mask = masks + n * p, .p = p}, n++;
    }
    if (st == BRISK_OK)
        qsort(rm, n, sizeof *rm, compare_masks);
    out->n = n;
    out->n_dropped = nrows - n;
    out->data = malloc((n * p + 1) * sizeof *out->data);
    out->patterns = calloc(n + 1, sizeof *out->patterns);
    if (wcol)
        out->weight = malloc((n + 1) * sizeof *out->weight);
    if (st == BRISK_OK && (!out->data || !out->patterns || (wcol && !out->weight)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    out->size = (double)n;
    out->weight_sum = 0;
    for (size_t i = 0; st == BRISK_OK && wcol && i < n; i++)
        out->weight_sum += wcol->num[rm[i].row];
    if (st == BRISK_OK && wcol && !(out->weight_sum > 0) && n)
        st = brisk_error_set(err, BRISK_ERR_DATA, "the sampling weights ('%s') of the %zu "
                             "respondents who answered are all zero", wcol->name, n);
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        for (size_t j = 0; j < p; j++)
            out->data[i * p + j] = rm[i].mask[j] ? cols[j]->num[rm[i].row] : NAN;
        if (wcol)
            out->weight[i] = wcol->num[rm[i].row] * (double)n / out->weight_sum;
        if (i == 0 || memcmp(rm[i].mask, rm[i - 1].mask, p) != 0) {
            brisk_pattern *pat = &out->patterns[out->npatterns++];
            pat->obs = malloc((p + 1) * sizeof *pat->obs);
            if (!pat->obs) {
                st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
                break;
            }
            for (size_t j = 0; j < p; j++)
                if (rm[i].mask[j])
                    pat->obs[pat->nobs++] = j;
        }
        out->patterns[out->npatterns - 1].n++;
    }
    for (size_t k = 0, first = 0; st == BRISK_OK && k < out->npatterns; k++) {
        if (!pattern_moments(&out->patterns[k], out->data + first * p,
                             out->weight ? out->weight + first : NULL, p))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        first += out->patterns[k].n;
    }
    free(rm);
    free(masks);
    return st;
}

void brisk_patterns_free(brisk_moments *mom)
{
    for (size_t k = 0; mom->patterns && k < mom->npatterns; k++) {
        free(mom->patterns[k].obs);
        free(mom->patterns[k].mean);
        free(mom->patterns[k].cov);
    }
    free(mom->patterns);
    mom->patterns = NULL;
    mom->npatterns = 0;
}

/* ------------------------------------------------------------ discrepancy */

/* Sigma_oo, its inverse and log-determinant for a pattern; false when not
 * positive definite. */
static bool pattern_inverse(const brisk_pattern *pat, const double *sigma, size_t p, double *soo,
                            double *inv, double *chol, double *logdet)
{
    size_t q = pat->nobs;
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++)
            soo[a * q + b] = sigma[pat->obs[a] * p + pat->obs[b]];
    return brisk_dense_spd_invert(soo, inv, chol, q, logdet);
}

double brisk_fiml_discrepancy(const brisk_moments *mom, const double *sigma, const double *mu,
                              double *scratch, double *inverses, bool *ok)
{
    size_t p = mom->p;
    double *soo = scratch, *chol = soo + p * p, *d = chol + p * p;
    double total = 0;
    *ok = true;
    for (size_t k = 0; k < mom->npatterns; k++) {
        const brisk_pattern *pat = &mom->patterns[k];
        size_t q = pat->nobs;
        double logdet, *inv = inverses;
        inverses += q * q;   /* kept for brisk_fiml_weights at the same point */
        if (!pattern_inverse(pat, sigma, p, soo, inv, chol, &logdet)) {
            *ok = false;
            return INFINITY;
        }
        for (size_t a = 0; a < q; a++)
            d[a] = pat->mean[a] - mu[pat->obs[a]];
        double tr = 0;
        for (size_t a = 0; a < q; a++) {
            double row = 0;
            for (size_t b = 0; b < q; b++)
                row += inv[a * q + b] * ((pat->n > 1 ? pat->cov[b * q + a] : 0) + d[b] * d[a]);
            tr += row;
        }
        total += pat->weight * (logdet + tr);
    }
    return total / brisk_moments_size(mom);
}

void brisk_fiml_weights(const brisk_moments *mom, const double *mu, const double *inverses,
                        double *W, double *sd, double *scratch)
{
    size_t p = mom->p;
    double *d = scratch, *t = d + p, *u = t + p * p;
    memset(W, 0, p * p * sizeof *W);
    memset(sd, 0, p * sizeof *sd);
    for (size_t k = 0; k < mom->npatterns; k++) {
        const brisk_pattern *pat = &mom->patterns[k];
        size_t q = pat->nobs;
        double wk = pat->weight / brisk_moments_size(mom);
        const double *inv = inverses;
        inverses += q * q;
        for (size_t a = 0; a < q; a++)
            d[a] = pat->mean[a] - mu[pat->obs[a]];
        /* W_k = inv - inv S_k inv - u u', u = inv d; a pattern of one
         * respondent has S_k = 0 and skips the cubic part */
        for (size_t a = 0; a < q; a++) {
            u[a] = 0;
            for (size_t c = 0; c < q; c++)
                u[a] += inv[a * q + c] * d[c];
            sd[pat->obs[a]] += wk * u[a];
        }
        bool spread = pat->n > 1;
        for (size_t a = 0; spread && a < q; a++)   /* t = inv S_k */
            for (size_t b = 0; b < q; b++) {
                double v = 0;
                for (size_t c = 0; c < q; c++)
                    v += inv[a * q + c] * pat->cov[c * q + b];
                t[a * q + b] = v;
            }
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) {
                double v = inv[a * q + b] - u[a] * u[b];
                for (size_t c = 0; spread && c < q; c++)
                    v -= t[a * q + c] * inv[c * q + b];
                W[pat->obs[a] * p + pat->obs[b]] += wk * v;
            }
    }
}

size_t brisk_fiml_scratch_size(size_t p)
{
    return 4 * p * p + 2 * p + 1;
}

size_t brisk_fiml_inverses_size(const brisk_moments *mom)
{
    size_t total = 0;
    for (size_t k = 0; k < mom->npatterns; k++)
        total += mom->patterns[k].nobs * mom->patterns[k].nobs;
    return total;
}

/* ------------------------------------------------------------ EM */

/* One EM step from (mu, sigma) into (mu1, sigma1): the expected sums of
 * x and x x' given each respondent's answers. */
static bool em_step(const brisk_moments *mom, const double *mu, const double *sigma, double *mu1,
                    double *sigma1, double *scratch, size_t *m_idx, bool *observed)
{
    size_t p = mom->p;
    double *soo = scratch, *inv = soo + p * p, *chol = inv + p * p, *B = chol + p * p;
    double *abar = B + p * p, *xhat = abar + p;
    memset(mu1, 0, p * sizeof *mu1);
    memset(sigma1, 0, p * p * sizeof *sigma1);
    for (size_t k = 0; k < mom->npatterns; k++) {
        const brisk_pattern *pat = &mom->patterns[k];
        size_t q = pat->nobs, nm = 0;
        double nk = pat->weight, logdet;
        memset(observed, 0, p * sizeof *observed);
        for (size_t a = 0; a < q; a++)
            observed[pat->obs[a]] = true;
        for (size_t j = 0; j < p; j++)
            if (!observed[j])
                m_idx[nm++] = j;
        if (!pattern_inverse(pat, sigma, p, soo, inv, chol, &logdet))
            return false;
        /* B = Sigma_mo Sigma_oo^-1 (nm x q) */
        for (size_t i = 0; i < nm; i++)
            for (size_t a = 0; a < q; a++) {
                double s = 0;
                for (size_t c = 0; c < q; c++)
                    s += sigma[m_idx[i] * p + pat->obs[c]] * inv[c * q + a];
                B[i * q + a] = s;
            }
        for (size_t a = 0; a < q; a++)
            abar[a] = pat->mean[a] - mu[pat->obs[a]];
        /* sums over the pattern's respondents: x_o, x_o x_o' */
        for (size_t a = 0; a < q; a++) {
            mu1[pat->obs[a]] += nk * pat->mean[a];
            for (size_t b = 0; b < q; b++)
                sigma1[pat->obs[a] * p + pat->obs[b]] +=
                    nk * (pat->cov[a * q + b] + pat->mean[a] * pat->mean[b]);
        }
        /* xhat_m = mu_m + B (xbar_o - mu_o): its mean over the respondents */
        for (size_t i = 0; i < nm; i++) {
            double s = mu[m_idx[i]];
            for (size_t a = 0; a < q; a++)
                s += B[i * q + a] * abar[a];
            xhat[i] = s;
            mu1[m_idx[i]] += nk * s;
        }
        /* sum x_m x_o' = sum (mu_m + B a_i) x_o' = n (xhat_m xbar_o' + B S_k) */
        for (size_t i = 0; i < nm; i++)
            for (size_t a = 0; a < q; a++) {
                double bs = 0;
                for (size_t c = 0; c < q; c++)
                    bs += B[i * q + c] * pat->cov[c * q + a];
                double v = nk * (xhat[i] * pat->mean[a] + bs);
                sigma1[m_idx[i] * p + pat->obs[a]] += v;
                sigma1[pat->obs[a] * p + m_idx[i]] += v;
            }
        /* sum x_m x_m' = n (xhat xhat' + B S_k B' + Sigma_mm - B Sigma_om) */
        for (size_t i = 0; i < nm; i++)
            for (size_t j = 0; j < nm; j++) {
                double bsb = 0, bso = 0;
                for (size_t a = 0; a < q; a++) {
                    double sb = 0;
                    for (size_t c = 0; c < q; c++)
                        sb += pat->cov[a * q + c] * B[j * q + c];
                    bsb += B[i * q + a] * sb;
                    bso += B[i * q + a] * sigma[pat->obs[a] * p + m_idx[j]];
                }
                sigma1[m_idx[i] * p + m_idx[j]] +=
                    nk * (xhat[i] * xhat[j] + bsb + sigma[m_idx[i] * p + m_idx[j]] - bso);
            }
    }
    double n = brisk_moments_size(mom);
    for (size_t j = 0; j < p; j++)
        mu1[j] /= n;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            sigma1[a * p + b] = sigma1[a * p + b] / n - mu1[a] * mu1[b];
    return true;
}

/* The independence model: each variable's mean and variance over the
 * respondents who answered it (its likelihood factors by variable),
 * weighted by their sampling weights when there are any. */
double brisk_fiml_available_moments(const brisk_moments *mom, size_t j, double *mean,
                                    double *var)
{
    size_t p = mom->p, n = mom->n;
    double sum = 0, sum2 = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(mom->data[i * p + j])) {
            double w = brisk_moments_weight(mom, i);
            sum += w * mom->data[i * p + j], total += w;
        }
    *mean = sum / total;
    for (size_t i = 0; i < n; i++)
        if (!isnan(mom->data[i * p + j])) {
            double e = mom->data[i * p + j] - *mean;
            sum2 += brisk_moments_weight(mom, i) * e * e;
        }
    *var = sum2 / total;
    return total;
}

static double baseline_discrepancy(const brisk_moments *mom)
{
    double total = 0, mean, var;
    for (size_t j = 0; j < mom->p; j++) {
        double k = brisk_fiml_available_moments(mom, j, &mean, &var);
        total += k * (log(var) + 1);
    }
    return total / brisk_moments_size(mom);
}

brisk_status brisk_moments_fiml(const brisk_column *const *cols, size_t p, const size_t *rows,
                                size_t nrows, const brisk_column *wcol, double time_limit,
                                brisk_moments *out, brisk_error *err)
{
    double deadline = time_limit > 0 ? brisk_monotonic_seconds() + time_limit : 0;
    brisk_status st = build_patterns(cols, p, rows, nrows, wcol, out, err);
    size_t ss = brisk_fiml_scratch_size(p) + 2 * p * p + 4 * p;
    double *scratch = malloc(ss * sizeof *scratch), *mu1 = malloc((p + 1) * sizeof *mu1);
    double *sigma1 = malloc((p * p + 1) * sizeof *sigma1);
    size_t *m_idx = malloc((p + 1) * sizeof *m_idx);
    bool *observed = malloc((p + 1) * sizeof *observed);
    double *inverses = malloc((brisk_fiml_inverses_size(out) + 1) * sizeof *inverses);
    if (st == BRISK_OK && (!scratch || !mu1 || !sigma1 || !m_idx || !observed || !inverses))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* start: available-case means and variances, no covariances */
    for (size_t j = 0; st == BRISK_OK && j < p; j++) {
        brisk_fiml_available_moments(out, j, &out->mean[j], &out->cov[j * p + j]);
        if (!(out->cov[j * p + j] > 0)) {
            brisk_error_variable(err, cols[j]->name);
            st = brisk_error_set(err, BRISK_ERR_DATA, "item '%s' has no variance among the "
                                 "respondents who answered it (every answer the same): drop "
                                 "it from the model", cols[j]->name);
        }
    }
    bool ok = st == BRISK_OK;
    double f = ok ? brisk_fiml_discrepancy(out, out->cov, out->mean, scratch, inverses, &ok) : 0;
    bool converged = false;
    int it = 0;
    for (; ok && it < EM_MAX_ITER; it++) {
        if (!em_step(out, out->mean, out->cov, mu1, sigma1, scratch, m_idx, observed)) {
            ok = false;
            break;
        }
        double f1 = brisk_fiml_discrepancy(out, sigma1, mu1, scratch, inverses, &ok);
        memcpy(out->mean, mu1, p * sizeof *mu1);
        memcpy(out->cov, sigma1, p * p * sizeof *sigma1);
        converged = ok && f - f1 < 1e-14 * (1 + fabs(f1));
        f = f1;
        if (converged || (deadline > 0 && brisk_monotonic_seconds() > deadline))
            break;
    }
    if (st == BRISK_OK && !ok)
        st = brisk_error_set(err, BRISK_ERR_DATA, "the saturated model of the data with their "
                             "missing values (EM) has a covariance matrix that is not positive "
                             "definite");
    /* Its log-likelihood is the chi-square's reference: an EM stopped short
     * would give a wrong test, so it is an error, not a warning. */
    else if (st == BRISK_OK && !converged && it < EM_MAX_ITER)
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the saturated model of the data with "
                             "their missing values (EM) did not converge within the time "
                             "limit of %g s (stopped after iteration %d); raise the limit "
                             "(--time-limit) or use fewer variables", time_limit, it + 1);
    else if (st == BRISK_OK && !converged)
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "the saturated model of the data with "
                             "their missing values (EM) did not converge in %d iterations; "
                             "use fewer variables or listwise deletion", EM_MAX_ITER);
    if (st == BRISK_OK) {
        double pk = 0;
        for (size_t k = 0; k < out->npatterns; k++)
            pk += out->patterns[k].weight * (double)out->patterns[k].nobs;
        out->fiml_h1 = f;
        out->fiml_baseline = baseline_discrepancy(out);
        out->fiml_constant = pk / brisk_moments_size(out) * log(2 * M_PI);
    }
    free(scratch);
    free(mu1);
    free(sigma1);
    free(m_idx);
    free(observed);
    free(inverses);
    return st;
}
