/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Maximum likelihood estimation by Fisher scoring from sufficient statistics.
 *
 * The discrepancy is lavaan's
 *   F = log|Sigma| + tr(S Sigma^-1) - log|S| - p  [+ (m - mu)' Sigma^-1 (m - mu)]
 * (the mean term only with a mean structure), chi-square = N F.  Its
 * gradient and expected information are analytic: in the RAM form every
 * derivative of Sigma is a sum of rank-two terms g h' + h g'. */
#include <config.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "core/dense.h"
#include "sem_ml.h"

/* ------------------------------------------------------------ workspace */

void brisk_sem_work_free(sem_work *w)
{
    if (!w)
        return;
    free(w->dSigma);
    free(w->dmu);
    free(w->V);
    free(w->block);
    gsl_permutation_free(w->perm);
    free(w);
}

sem_work *brisk_sem_work_new(const brisk_model *m, const brisk_moments *mom, size_t group)
{
    sem_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t p = m->p, n = m->p + m->m, q = m->nfree;
    w->model = m;
    w->mom = mom;
    w->group = group;
    w->p = p;
    w->n = n;
    w->q = q;
    /* The per-parameter matrices of the information (dSigma, dmu, V) are
     * allocated only when the information is asked for: a bootstrap draw
     * iterates on the gradient alone. */
    size_t sizes[] = {n * n, n * n, n, n * n, n * n, n * n, n, p * p, p * p, p, p, p * p,
                      q * q, q, q, q, p * p, p * p, m->nparams,
                      p * n, p * n, n * n, n * n, n, p, brisk_fiml_scratch_size(p),
                      brisk_fiml_inverses_size(mom)};
    double **slots[] = {&w->A, &w->S, &w->M, &w->IA, &w->E, &w->Sfull, &w->mfull, &w->Sigma,
                        &w->Sinv, &w->mu, &w->d, &w->W, &w->info,
                        &w->grad, &w->step, &w->theta_try, &w->tmp1, &w->tmp2, &w->fixed,
                        &w->WH, &w->WG, &w->MA, &w->MS, &w->v, &w->sd, &w->scratch,
                        &w->fiml_inv};
    size_t total = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        total += sizes[k] ? sizes[k] : 1;
    w->block = calloc(total, sizeof(double));
    w->perm = gsl_permutation_alloc(n ? n : 1);
    if (!w->block || !w->perm) {
        brisk_sem_work_free(w);
        return NULL;
    }
    double *at = w->block;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        *slots[k] = at;
        at += sizes[k] ? sizes[k] : 1;
    }
    /* Fixed rows: the table's value, or the sample moment for fixed.x. */
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        const sem_pos *pos = &m->pos[r];
        w->fixed[r] = par->start;
        if (par->fixed_x && pos->mat == SEM_S)
            w->fixed[r] = mom->cov[pos->row * p + pos->col];
        else if (par->fixed_x && pos->mat == SEM_M)
            w->fixed[r] = mom->mean[pos->row];
    }
    return w;
}

/* ------------------------------------------------------------ implied moments */

void brisk_sem_fill(const brisk_model *m, size_t group, const double *theta, const double *fixed,
                    double *A, double *S, double *M)
{
    size_t n = m->p + m->m;
    memset(A, 0, n * n * sizeof *A);
    memset(S, 0, n * n * sizeof *S);
    memset(M, 0, n * sizeof *M);
    for (size_t i = 0; i < m->nparams; i++) {
        const sem_pos *pos = &m->pos[i];
        const brisk_param *par = &m->params[i];
        if (par->group != group)
            continue;
        double v = par->free ? theta[par->free - 1] : fixed[i];
        switch (pos->mat) {
        case SEM_A: A[pos->row * n + pos->col] = v; break;
        case SEM_S:
            S[pos->row * n + pos->col] = v;
            S[pos->col * n + pos->row] = v;
            break;
        case SEM_M: M[pos->row] = v; break;
        default: break;
        }
    }
}

/* E = (I - A)^-1, Sfull = E S E', mfull = E M; Sigma and mu their observed
 * part.  Fails when I - A is singular (a non-recursive model gone wrong). */
static bool compute_implied(sem_work *w)
{
    size_t n = w->n, p = w->p;
    for (size_t i = 0; i < n * n; i++)
        w->IA[i] = -w->A[i];
    for (size_t i = 0; i < n; i++)
        w->IA[i * n + i] += 1.0;
    if (!brisk_dense_invert(w->IA, w->E, n))
        return false;
    /* Sfull = E S E' through a scratch n x n product held in IA. */
    brisk_dense_mul(w->E, w->S, w->IA, n);
    brisk_dense_mul_bt(w->IA, w->E, w->Sfull, n);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += w->E[i * n + j] * w->M[j];
        w->mfull[i] = s;
    }
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < p; j++)
            w->Sigma[i * p + j] = w->Sfull[i * n + j];
        w->mu[i] = w->mfull[i];
    }
    return true;
}

/* Sinv and log|Sigma|; false when Sigma is not positive definite (an
 * infeasible point, not an error). */
static bool invert_sigma(sem_work *w, double *logdet)
{
    return brisk_dense_spd_invert(w->Sigma, w->Sinv, w->tmp2, w->p, logdet);
}

bool brisk_sem_objective(sem_work *w, const double *theta, double *f)
{
    const brisk_moments *mom = w->mom;
    size_t p = w->p;
    brisk_sem_fill(w->model, w->group, theta, w->fixed, w->A, w->S, w->M);
    double logdet;
    if (!compute_implied(w) || !invert_sigma(w, &logdet))
        return false;
    if (mom->npatterns) {   /* full-information ML: over the answer patterns */
        bool ok;
        double d = brisk_fiml_discrepancy(mom, w->Sigma, w->mu, w->scratch, w->fiml_inv, &ok);
        *f = w->f = d - mom->fiml_h1;
        return ok && isfinite(*f);
    }
    double trace = 0;
    for (size_t i = 0; i < p * p; i++)
        trace += mom->cov[i] * w->Sinv[i];   /* both symmetric: tr(S Sinv) */
    double quad = 0;
    for (size_t i = 0; i < p; i++)
        w->d[i] = w->model->meanstructure ? mom->mean[i] - w->mu[i] : 0.0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            quad += w->d[i] * w->Sinv[i * p + j] * w->d[j];
    *f = w->f = logdet + trace - w->logdet_s - (double)p + quad;
    return isfinite(*f);
}

/* ------------------------------------------------------------ derivatives */

/* dSigma_k and dmu_k for every free parameter at the current point. */
static void compute_derivatives(sem_work *w)
{
    const brisk_model *m = w->model;
    size_t p = w->p, n = w->n, q = w->q;
    memset(w->dSigma, 0, q * p * p * sizeof *w->dSigma);
    memset(w->dmu, 0, q * p * sizeof *w->dmu);
    for (size_t r = 0; r < m->nparams; r++) {
        int k = m->params[r].free - 1;
        const sem_pos *pos = &m->pos[r];
        if (k < 0 || pos->mat == SEM_NONE || m->params[r].group != w->group)
            continue;
        double *D = w->dSigma + (size_t)k * p * p, *dm = w->dmu + (size_t)k * p;
        size_t i = (size_t)pos->row, j = (size_t)pos->col;
        /* g_i = E[ov, i]; for A: h_j = Sfull[ov, j]; for S: g_j. */
        for (size_t a = 0; a < p; a++) {
            double gi_a = w->E[a * n + i];
            if (pos->mat == SEM_M) {
                dm[a] += gi_a;
                continue;
            }
            for (size_t b = 0; b < p; b++) {
                double gi_b = w->E[b * n + i];
                if (pos->mat == SEM_A) {
                    D[a * p + b] += gi_a * w->Sfull[b * n + j] + w->Sfull[a * n + j] * gi_b;
                } else if (i == j) {
                    D[a * p + b] += gi_a * gi_b;
                } else {
                    D[a * p + b] += gi_a * w->E[b * n + j] + w->E[a * n + j] * gi_b;
                }
            }
            if (pos->mat == SEM_A)
                dm[a] += gi_a * w->mfull[j];
        }
    }
}

/* Gradient of F: tr(W dSigma_k) - 2 dmu_k' Sinv d, with
 * W = Sinv - Sinv (S + d d') Sinv.  With G = E[ov, .] and H = Sfull[ov, .],
 * a loading or path A_ij contributes 2 (G'WH)_ij - 2 m_j (G'Sinv d)_i, a
 * (co)variance S_ij contributes (2 -) (G'WG)_ij, an intercept M_i
 * -2 (G'Sinv d)_i: two n x n products serve every parameter. */
static void compute_w(sem_work *w)
{
    size_t p = w->p;
    if (w->mom->npatterns) {
        brisk_fiml_weights(w->mom, w->mu, w->fiml_inv, w->W, w->sd, w->scratch);
        return;
    }
    for (size_t a = 0; a < p; a++) {
        double u = 0;
        for (size_t b = 0; b < p; b++)
            u += w->Sinv[a * p + b] * w->d[b];
        w->sd[a] = u;
    }
    const double *S = w->mom->cov;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            w->tmp1[a * p + b] = S[a * p + b] + w->d[a] * w->d[b];
    gsl_matrix_view Si = gsl_matrix_view_array(w->Sinv, p, p);
    gsl_matrix_view T1 = gsl_matrix_view_array(w->tmp1, p, p);
    gsl_matrix_view T2 = gsl_matrix_view_array(w->tmp2, p, p);
    gsl_matrix_view Wm = gsl_matrix_view_array(w->W, p, p);
    gsl_blas_dsymm(CblasLeft, CblasUpper, 1.0, &Si.matrix, &T1.matrix, 0.0, &T2.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, &T2.matrix, &Si.matrix, 0.0, &Wm.matrix);
    for (size_t i = 0; i < p * p; i++)
        w->W[i] += w->Sinv[i];
}

void brisk_sem_gradient(sem_work *w)
{
    const brisk_model *m = w->model;
    size_t p = w->p, n = w->n;
    compute_w(w);
    /* Top p rows of E and Sfull are G and H (row-major, contiguous):
     * WH = W H, WG = W G (p x n), MA = G' WH, MS = G' WG (n x n). */
    const double *G = w->E, *H = w->Sfull;
    memset(w->WH, 0, p * n * sizeof *w->WH);
    memset(w->WG, 0, p * n * sizeof *w->WG);
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            double wab = w->W[a * p + b];
            for (size_t j = 0; j < n; j++) {
                w->WH[a * n + j] += wab * H[b * n + j];
                w->WG[a * n + j] += wab * G[b * n + j];
            }
        }
    memset(w->MA, 0, n * n * sizeof *w->MA);
    memset(w->MS, 0, n * n * sizeof *w->MS);
    for (size_t a = 0; a < p; a++)
        for (size_t i = 0; i < n; i++) {
            double gai = G[a * n + i];
            if (gai == 0)
                continue;   /* E is sparse */
            for (size_t j = 0; j < n; j++) {
                w->MA[i * n + j] += gai * w->WH[a * n + j];
                w->MS[i * n + j] += gai * w->WG[a * n + j];
            }
        }
    for (size_t i = 0; i < n; i++) {   /* v = G' Sinv d */
        double s = 0;
        for (size_t a = 0; a < p; a++)
            s += w->E[a * n + i] * w->sd[a];
        w->v[i] = s;
    }
    memset(w->grad, 0, w->q * sizeof *w->grad);
    for (size_t r = 0; r < m->nparams; r++) {
        int k = m->params[r].free - 1;
        const sem_pos *pos = &m->pos[r];
        if (k < 0 || pos->mat == SEM_NONE || m->params[r].group != w->group)
            continue;
        size_t i = (size_t)pos->row, j = (size_t)pos->col;
        double g;
        if (pos->mat == SEM_A)
            g = 2 * w->MA[i * n + j] - 2 * w->mfull[j] * w->v[i];
        else if (pos->mat == SEM_S)
            g = (i == j ? 1 : 2) * w->MS[i * n + j];
        else
            g = -2 * w->v[i];
        w->grad[k] += g;
    }
}

/* Expected information per respondent:
 * i_kl = tr(Sinv dSigma_k Sinv dSigma_l) / 2 + dmu_k' Sinv dmu_l. */
static bool compute_information(sem_work *w)
{
    size_t p = w->p, q = w->q, pp = p * p;
    double *VL = w->V, *VR = w->V + q * pp;
    gsl_matrix_view Si = gsl_matrix_view_array(w->Sinv, p, p);
    /* tr(Sinv D_k Sinv D_l) = sum_ab (Sinv D_k)[a,b] (Sinv D_l)[b,a], and
     * (Sinv D_l)' = D_l Sinv: with both products stored, the sum runs over
     * two contiguous arrays. */
    for (size_t k = 0; k < q; k++) {
        gsl_matrix_view D = gsl_matrix_view_array(w->dSigma + k * pp, p, p);
        gsl_matrix_view L = gsl_matrix_view_array(VL + k * pp, p, p);
        gsl_blas_dsymm(CblasLeft, CblasUpper, 1.0, &Si.matrix, &D.matrix, 0.0, &L.matrix);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                VR[k * pp + b * p + a] = VL[k * pp + a * p + b];
    }
    for (size_t k = 0; k < q; k++) {
        const double *Lk = VL + k * pp;
        for (size_t l = 0; l <= k; l++) {
            const double *Rl = VR + l * pp;
            double t = 0;
            for (size_t i = 0; i < pp; i++)
                t += Lk[i] * Rl[i];
            w->info[k * q + l] = w->info[l * q + k] = 0.5 * t;
        }
    }
    if (!w->model->meanstructure)
        return true;
    /* + dmu_k' Sinv dmu_l, through u_l = Sinv dmu_l. */
    for (size_t l = 0; l < q; l++) {
        const double *ml = w->dmu + l * p;
        for (size_t a = 0; a < p; a++) {
            double u = 0;
            for (size_t b = 0; b < p; b++)
                u += w->Sinv[a * p + b] * ml[b];
            w->tmp2[a] = u;
        }
        for (size_t k = l; k < q; k++) {
            const double *mk = w->dmu + k * p;
            double mm = 0;
            for (size_t a = 0; a < p; a++)
                mm += mk[a] * w->tmp2[a];
            w->info[k * q + l] += mm;
            if (k != l)
                w->info[l * q + k] += mm;
        }
    }
    return true;
}

/* The per-parameter matrices, allocated at the first need. */
static bool allocate_derivatives(sem_work *w)
{
    size_t p = w->p, q = w->q ? w->q : 1;
    if (w->have_derivatives)
        return true;
    w->dSigma = malloc(q * p * p * sizeof *w->dSigma);
    w->dmu = malloc(q * p * sizeof *w->dmu);
    w->V = malloc(2 * q * p * p * sizeof *w->V);
    w->have_derivatives = w->dSigma && w->dmu && w->V;
    return w->have_derivatives;
}

bool brisk_sem_implied(sem_work *w, const double *theta)
{
    brisk_sem_fill(w->model, w->group, theta, w->fixed, w->A, w->S, w->M);
    return compute_implied(w);
}

bool brisk_sem_implied_derivatives(sem_work *w)
{
    if (!allocate_derivatives(w))
        return false;
    compute_derivatives(w);
    return true;
}

bool brisk_sem_information(sem_work *w)
{
    return w->have_derivatives && compute_information(w);
}

bool brisk_sem_derivatives(sem_work *w)
{
    if (!allocate_derivatives(w))
        return false;
    compute_derivatives(w);
    brisk_sem_gradient(w);
    return compute_information(w);
}

double brisk_sem_logdet(const double *cov, size_t p, bool *ok)
{
    double *c = malloc((p ? p : 1) * p * sizeof *c);
    *ok = false;
    if (!c)
        return NAN;
    memcpy(c, cov, p * p * sizeof *c);
    gsl_matrix_view L = gsl_matrix_view_array(c, p, p);
    double ld = 0;
    if (gsl_linalg_cholesky_decomp1(&L.matrix) == GSL_SUCCESS) {
        *ok = true;
        for (size_t i = 0; i < p; i++)
            ld += 2 * log(c[i * p + i]);
    }
    free(c);
    return ld;
}

/* ------------------------------------------------------------ groups */

void brisk_sem_fitter_free(sem_fitter *f)
{
    if (!f)
        return;
    for (size_t g = 0; f->works && g < f->ngroups; g++)
        brisk_sem_work_free(f->works[g]);
    free(f->works);
    free(f->weight);
    free(f->grad);
    free(f->info);
    free(f->step);
    free(f->theta_try);
    free(f->chol);
    free(f->aux);
    free(f->full);
    free(f->gfull);
    free(f->ifull);
    free(f);
}

sem_fitter *brisk_sem_fitter_new(const brisk_model *m, const brisk_moments *mom)
{
    sem_fitter *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    size_t q = m->nreduced, G = m->ngroups, nfull = m->nfree;
    f->model = m;
    f->ngroups = G;
    f->q = q;
    f->works = calloc(G, sizeof *f->works);
    f->weight = calloc(G, sizeof *f->weight);
    f->grad = calloc(q ? q : 1, sizeof *f->grad);
    f->info = calloc(q ? q * q : 1, sizeof *f->info);
    f->step = calloc(q ? q : 1, sizeof *f->step);
    f->theta_try = calloc(q ? q : 1, sizeof *f->theta_try);
    f->chol = calloc(q ? q * q : 1, sizeof *f->chol);
    f->aux = calloc(3 * q + 1, sizeof *f->aux);
    if (m->K) {
        f->full = calloc(nfull + 1, sizeof *f->full);
        f->gfull = calloc(nfull + 1, sizeof *f->gfull);
        f->ifull = calloc(nfull * nfull + 1, sizeof *f->ifull);
    }
    bool ok = f->works && f->weight && f->grad && f->info && f->step && f->theta_try && f->chol &&
              f->aux && (!m->K || (f->full && f->gfull && f->ifull));
    for (size_t g = 0; ok && g < G; g++) {
        ok = (f->works[g] = brisk_sem_work_new(m, &mom[g], g)) != NULL;
        f->ntotal += mom[g].n;
    }
    for (size_t g = 0; ok && g < G; g++)
        f->weight[g] = f->ntotal ? brisk_moments_size(&mom[g]) / (double)f->ntotal : 0;
    if (!ok) {
        brisk_sem_fitter_free(f);
        return NULL;
    }
    return f;
}

bool brisk_sem_fitter_objective(sem_fitter *f, const double *theta, double *value)
{
    if (f->full) {
        brisk_sem_expand(f->model, theta, f->full);
        theta = f->full;
    }
    double total = 0;
    for (size_t g = 0; g < f->ngroups; g++) {
        double fg;
        if (!brisk_sem_objective(f->works[g], theta, &fg))
            return false;
        total += f->weight[g] * fg;
    }
    *value = total;
    return true;
}

bool brisk_sem_fitter_objective_full(sem_fitter *f, const double *theta, double *value)
{
    double *full = f->full;
    f->full = NULL;   /* theta is the expansion already */
    bool ok = brisk_sem_fitter_objective(f, theta, value);
    f->full = full;
    return ok;
}

/* With constraints: grad = K' gfull (and info = K' ifull K). */
static void project(sem_fitter *f, bool info)
{
    const brisk_model *m = f->model;
    size_t n = m->nfree, q = f->q;
    for (size_t j = 0; j < q; j++) {
        double v = 0;
        for (size_t k = 0; k < n; k++)
            v += m->K[k * q + j] * f->gfull[k];
        f->grad[j] = v;
    }
    /* gfull, projected already, is the column scratch (chol holds the
     * quasi-Newton's H and must not be touched) */
    if (info)
        brisk_sem_project_to(m, f->ifull, f->info, f->gfull);
}

void brisk_sem_fitter_gradient(sem_fitter *f)
{
    size_t n = f->full ? f->model->nfree : f->q;
    double *grad = f->full ? f->gfull : f->grad;
    memset(grad, 0, n * sizeof *grad);
    for (size_t g = 0; g < f->ngroups; g++) {
        sem_work *w = f->works[g];
        brisk_sem_gradient(w);
        for (size_t k = 0; k < n; k++)
            grad[k] += f->weight[g] * w->grad[k];
    }
    if (f->full)
        project(f, false);
}

bool brisk_sem_fitter_derivatives(sem_fitter *f)
{
    size_t q = f->full ? f->model->nfree : f->q;
    double *grad = f->full ? f->gfull : f->grad, *info = f->full ? f->ifull : f->info;
    memset(grad, 0, q * sizeof *grad);
    memset(info, 0, q * q * sizeof *info);
    for (size_t g = 0; g < f->ngroups; g++) {
        sem_work *w = f->works[g];
        if (!brisk_sem_derivatives(w))
            return false;
        for (size_t k = 0; k < q; k++)
            grad[k] += f->weight[g] * w->grad[k];
        for (size_t k = 0; k < q * q; k++)
            info[k] += f->weight[g] * w->info[k];
    }
    if (f->full)
        project(f, true);
    return true;
}
