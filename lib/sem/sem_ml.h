/* The ML engine's workspace and steps (internal). */
#ifndef BRISK_SEM_ML_H
#define BRISK_SEM_ML_H

#include <gsl/gsl_permutation.h>
#include <stdbool.h>
#include "sem_internal.h"

/* Everything one evaluation needs, allocated once per fit so that the
 * iterations allocate nothing. */
typedef struct sem_work {
    const brisk_model *model;
    const brisk_moments *mom;
    size_t p, n, q;
    double logdet_s;
    double *A, *S, *M;             /* RAM matrices, n x n, n x n, n */
    double *IA, *E, *Sfull, *mfull;/* I - A scratch, (I - A)^-1, implied over all */
    double *Sigma, *Sinv, *mu, *d; /* observed part, its inverse, mean residual */
    double *W;                     /* gradient weight matrix */
    double *dSigma, *dmu;          /* per free parameter */
    double *V;                     /* per free parameter: Sinv dSigma_k, then its
                                      transposes */
    double *info, *grad, *step, *theta_try;
    double *tmp1, *tmp2;
    double *fixed;                 /* per table row: the value of a fixed row */
    double *block;
    gsl_permutation *perm;
} sem_work;

sem_work *brisk_sem_work_new(const brisk_model *m, const brisk_moments *mom);
void brisk_sem_work_free(sem_work *w);

/* RAM matrices at theta; fixed rows take their value from fixed[row]. */
void brisk_sem_fill(const brisk_model *m, const double *theta, const double *fixed, double *A,
                    double *S, double *M);

/* F at theta; false when Sigma is not positive definite there.  Leaves
 * the implied moments and Sinv of theta in w. */
bool brisk_sem_objective(sem_work *w, const double *theta, double *f);

/* Gradient and expected information at the point of the last successful
 * brisk_sem_objective call. */
bool brisk_sem_derivatives(sem_work *w);

/* log-determinant of a covariance matrix; ok false when not positive
 * definite. */
double brisk_sem_logdet(const double *cov, size_t p, bool *ok);

/* Starting values of the free parameters (lavaan's rules where they
 * matter: fabin3 loadings, half the observed variances, 0.05 for latent
 * variances). */
void brisk_sem_start(const brisk_model *m, const brisk_moments *mom, double *theta);

#endif
