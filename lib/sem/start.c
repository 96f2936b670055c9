/* Starting values, after lavaan's defaults: loadings by fabin3 (an
 * instrumental-variable estimate from the factor's other indicators),
 * residual variances half the observed variances, latent variances
 * estimated from their indicators (lavaan: 0.05),
 * regressions and covariances 0, intercepts the sample means. */
#include <config.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_ml.h"

/* Indicators (observed, by index) of latent variable f, in table order
 * (the first is the scaling indicator); every group has the same. */
static size_t indicators_of(const brisk_model *m, int f, int *idx)
{
    size_t k = 0;
    for (size_t r = 0; r < m->nparams; r++) {
        const sem_pos *pos = &m->pos[r];
        if (m->params[r].op == BRISK_OP_MEASURE && m->params[r].group == 0 && pos->col == f &&
            pos->row < (int)m->p)
            idx[k++] = pos->row;
    }
    return k;
}

/* fabin3: lambda_j = s_jZ S_ZZ^-1 s_Zr / s_rZ S_ZZ^-1 s_Zr, with r the
 * scaling indicator and Z the factor's remaining indicators. */
static double fabin3(const brisk_moments *mom, const int *ind, size_t k, size_t j)
{
    size_t p = mom->p, nz = 0;
    int r = ind[0], z[64];
    for (size_t i = 1; i < k && nz < 64; i++)
        if (i != j)
            z[nz++] = ind[i];
    if (nz == 0)
        return 1.0;
    double *Szz = malloc(nz * nz * sizeof *Szz), *szr = malloc(nz * sizeof *szr),
           *x = malloc(nz * sizeof *x);
    double lambda = 1.0;
    if (!Szz || !szr || !x)
        goto done;
    for (size_t a = 0; a < nz; a++) {
        szr[a] = mom->cov[z[a] * p + r];
        for (size_t b = 0; b < nz; b++)
            Szz[a * nz + b] = mom->cov[z[a] * p + z[b]];
    }
    gsl_matrix_view A = gsl_matrix_view_array(Szz, nz, nz);
    gsl_vector_view bvec = gsl_vector_view_array(szr, nz), xv = gsl_vector_view_array(x, nz);
    if (gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(&A.matrix, &bvec.vector, &xv.vector) != GSL_SUCCESS)
        goto done;
    double num = 0, den = 0;
    for (size_t a = 0; a < nz; a++) {
        num += mom->cov[ind[j] * p + z[a]] * x[a];
        den += mom->cov[r * p + z[a]] * x[a];
    }
    if (fabs(den) > 1e-12 && isfinite(num / den))
        lambda = num / den;
done:
    free(Szz);
    free(szr);
    free(x);
    return lambda;
}

/* The loading of the factor's first indicator: its fixed value, or 1. */
static double first_loading(const brisk_model *m, int f, int indicator)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        if (par->op == BRISK_OP_MEASURE && par->group == 0 && m->pos[r].col == f &&
            m->pos[r].row == indicator)
            return par->free || isnan(par->start) || par->start == 0 ? 1.0 : par->start;
    }
    return 1.0;
}

/* Loadings of factor f (fabin3, relative to the first indicator and scaled
 * by its loading) and the factor's variance, estimated from the indicators'
 * covariances as mean(s_jk / (l_j l_k)).  lavaan starts every latent
 * variance at 0.05; an estimate keeps the first scoring steps from
 * overshooting when a marker is fixed at another value than 1.  With
 * std_lv the loadings carry the factor's scale instead. */
static void start_factor(const brisk_model *m, const brisk_moments *mom, int f,
                         double *lambda_of_ov, double *latent_var)
{
    int ind[256];
    size_t k = indicators_of(m, f, ind);
    if (k > 256)
        k = 256;
    double *lam = calloc(k ? k : 1, sizeof *lam);
    if (!lam || k == 0) {
        free(lam);
        return;
    }
    double c = m->std_lv ? 1.0 : first_loading(m, f, ind[0]);
    lam[0] = c;
    for (size_t j = 1; j < k; j++)
        lam[j] = c * fabin3(mom, ind, k, j);
    double psi = 0;
    size_t pairs = 0;
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++, pairs++)
            psi += mom->cov[ind[a] * mom->p + ind[b]] / (lam[a] * lam[b]);
    psi = pairs && isfinite(psi) && psi / (double)pairs > 0.05 ? psi / (double)pairs : 0.05;
    double scale = m->std_lv ? sqrt(psi) : 1.0;
    for (size_t j = 0; j < k; j++)
        lambda_of_ov[ind[j]] = lam[j] * scale;
    latent_var[f - (int)m->p] = m->std_lv ? 1.0 : psi;
    free(lam);
}

static double start_of(const brisk_model *m, const brisk_moments *mom, size_t r,
                       const double *lambda_of_ov, const double *latent_var)
{
    const brisk_param *par = &m->params[r];
    const sem_pos *pos = &m->pos[r];
    if (!isnan(par->start))
        return par->start;        /* start(value) */
    size_t p = m->p;
    switch (par->op) {
    case BRISK_OP_MEASURE:
        return pos->row < (int)p ? lambda_of_ov[pos->row] : 1.0;
    case BRISK_OP_COVARY:
        if (pos->row != pos->col)
            return 0.0;
        return pos->row < (int)p ? 0.5 * mom->cov[pos->row * p + pos->row]
                                 : latent_var[pos->row - (int)p];
    case BRISK_OP_INTERCEPT:
        return pos->row < (int)p ? mom->mean[pos->row] : 0.0;
    default:
        return 0.0;
    }
}

/* Starts of one group's rows from its moments; a parameter shared with an
 * earlier group keeps that group's start. */
static void start_group(const brisk_model *m, const brisk_moments *mom, size_t group,
                        double *theta, bool *done, double *lambda_of_ov, double *latent_var)
{
    for (size_t i = 0; i < m->p; i++)
        lambda_of_ov[i] = 1.0;
    for (size_t f = 0; f < m->m; f++)
        latent_var[f] = 0.05;
    for (size_t f = 0; f < m->m; f++)
        start_factor(m, mom, (int)(m->p + f), lambda_of_ov, latent_var);
    for (size_t r = 0; r < m->nparams; r++) {
        int k = m->params[r].free - 1;
        if (k < 0 || done[k] || m->params[r].group != group)
            continue;
        theta[k] = start_of(m, mom, r, lambda_of_ov, latent_var);
        done[k] = true;
    }
}

void brisk_sem_start(const brisk_model *m, const brisk_moments *mom, double *theta)
{
    double *lambda_of_ov = malloc((m->p ? m->p : 1) * sizeof *lambda_of_ov);
    double *latent_var = malloc((m->m ? m->m : 1) * sizeof *latent_var);
    bool *done = calloc(m->nfree ? m->nfree : 1, sizeof *done);
    for (size_t k = 0; k < m->nfree; k++)
        theta[k] = 0;
    for (size_t g = 0; lambda_of_ov && latent_var && done && g < m->ngroups; g++)
        start_group(m, &mom[g], g, theta, done, lambda_of_ov, latent_var);
    free(done);
    free(lambda_of_ov);
    free(latent_var);
}
