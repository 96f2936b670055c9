/* SPDX-License-Identifier: GPL-3.0-or-later */
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
    const brisk_moments *mom;      /* this group's moments */
    size_t group;                  /* the group whose rows this work evaluates */
    size_t p, n, q;
    double logdet_s;
    double f;                      /* F of the last objective evaluation */
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
    double *WH, *WG, *MA, *MS, *v; /* the gradient's products, see compute_gradient */
    double *sd;                    /* Sinv d (FIML: its pattern-weighted sum) */
    double *scratch;               /* FIML: brisk_fiml_scratch_size(p) */
    double *fiml_inv;              /* FIML: each pattern's Sigma_oo^-1 at the last point */
    bool have_derivatives;         /* dSigma, dmu, V allocated (information needed) */
    double *block;
    gsl_permutation *perm;
} sem_work;

sem_work *brisk_sem_work_new(const brisk_model *m, const brisk_moments *mom, size_t group);
void brisk_sem_work_free(sem_work *w);

/* RAM matrices of one group at theta; fixed rows take their value from
 * fixed[row]. */
void brisk_sem_fill(const brisk_model *m, size_t group, const double *theta, const double *fixed,
                    double *A, double *S, double *M);

/* F at theta; false when Sigma is not positive definite there.  Leaves
 * the implied moments and Sinv of theta in w. */
bool brisk_sem_objective(sem_work *w, const double *theta, double *f);

/* Gradient and expected information (over all free parameters; those of
 * other groups get 0) at the point of the last successful
 * brisk_sem_objective call. */
bool brisk_sem_derivatives(sem_work *w);

/* The expected information again from the derivatives in w (dSigma, dmu)
 * after brisk_sem_derivatives, once the caller has changed them. */
bool brisk_sem_information(sem_work *w);

/* The implied moments alone (Sigma and mu, whether or not Sigma is
 * positive definite: the least-squares estimators need no inverse), and
 * then their derivatives dSigma and dmu at that point (least_squares.c).
 * False when I - A is singular, or out of memory. */
bool brisk_sem_implied(sem_work *w, const double *theta);
bool brisk_sem_implied_derivatives(sem_work *w);

/* The gradient alone: a few matrix products, no per-parameter matrices. */
void brisk_sem_gradient(sem_work *w);

/* All groups at once: F = sum_g (N_g / N) F_g, and its gradient and
 * information likewise weighted (so N F is the chi-square). */
typedef struct sem_fitter {
    const brisk_model *model;
    size_t ngroups, q, ntotal;
    sem_work **works;              /* one per group */
    double *weight;                /* N_g / N */
    double *grad, *info, *step, *theta_try, *chol;
    double *aux;                   /* 3 q scratch of the quasi-Newton steps */
    /* With equality constraints the fitter's q parameters are the model's
     * beta (theta = K beta + k0): the works see theta, the fitter's
     * gradient and information are K' g and K' I K. */
    double *full, *gfull, *ifull;  /* theta, its gradient, its information */
    double deadline;               /* brisk_monotonic_seconds() after which the searches
                                      stop (0: none) */
    bool timed_out;                /* a search stopped at the deadline */
} sem_fitter;

/* mom holds one entry per group.  q is the model's nreduced. */
sem_fitter *brisk_sem_fitter_new(const brisk_model *m, const brisk_moments *mom);
void brisk_sem_fitter_free(sem_fitter *f);
bool brisk_sem_fitter_objective(sem_fitter *f, const double *theta, double *value);
/* The same at every free parameter (nfree values, as a fit's theta holds
 * them once estimated): with == constraints the objective above takes
 * the reduced parameters beta, this one the whole theta. */
bool brisk_sem_fitter_objective_full(sem_fitter *f, const double *theta, double *value);
bool brisk_sem_fitter_derivatives(sem_fitter *f);
void brisk_sem_fitter_gradient(sem_fitter *f);

/* log-determinant of a covariance matrix; ok false when not positive
 * definite. */
double brisk_sem_logdet(const double *cov, size_t p, bool *ok);

/* Starting values of the free parameters by lavaan's rules (start.c),
 * each group's rows from its own moments (mom has one entry per group). */
void brisk_sem_start(const brisk_model *m, const brisk_moments *mom, double *theta);

/* Other starts, for where lavaan's lead the search astray on data with
 * several optima: which 0, fabin3's loadings unbounded and as their signs
 * come, factor variances from their items; which 1, lavaan's "simple"
 * start (loadings 1, or 0.7 with ordered items or unit factor variances,
 * factor variances 1); which 2, 3, ..., lavaan's start with the
 * free loadings of the first, second, ... factor negated.  False when there
 * is no such start. */
bool brisk_sem_start_other(const brisk_model *m, const brisk_moments *mom, int which,
                           double *theta);

#endif
