/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal structures of the SEM engine. */
#ifndef BRISK_SEM_INTERNAL_H
#define BRISK_SEM_INTERNAL_H

#include "brisk/model.h"
#include "core/util.h"

/* The model in RAM form over all variables v = (observed, latent):
 *   v = A v + u,  Cov(u) = S,  E(u) = M,
 * so the implied moments of the observed part are
 *   Sigma = F (I - A)^-1 S (I - A)^-T F',  mu = F (I - A)^-1 M. */
typedef enum { SEM_A, SEM_S, SEM_M, SEM_NONE } sem_matrix;

typedef struct sem_pos {
    sem_matrix mat;
    int row, col;     /* indices into (observed..., latent...) */
} sem_pos;

struct brisk_model {
    brisk_param *params;
    sem_pos *pos;             /* one per params row */
    size_t nparams, cap;
    char **ov;                /* observed variables, in model order */
    size_t p;
    char **lv;                /* latent variables */
    size_t m;
    brisk_lookup vars;         /* observed variable i as 2i, latent j as 2j + 1, by name */
    size_t nfree;
    bool meanstructure;
    bool std_lv;
    bool std_se;              /* fits compute the standardized solution's SEs */
    bool ordered;             /* every observed variable but the covariates an
                                 ordered item (WLSMV): moments are polychorics */
    bool *continuous;         /* ordered, per observed variable: a continuous indicator
                                 (not an ordered item, not a covariate); NULL: none */
    bool theta;               /* ordered, the theta parameterization (lavaan's
                                 parameterization = "theta") */
    bool pairwise;            /* ordered, missing = "pairwise" (the moments' rows
                                 keep their missing answers) */
    bool equal_thresholds;    /* ordered items' thresholds equal across groups
                                 (lavaan's group.equal = "thresholds") */
    size_t *tau_item, *tau_number;   /* ...but these (group.partial "x3|t2"): the
                                 item (observed index) and its threshold (0-based) */
    size_t ntau_released;
    bool no_fixed_x;          /* observed predictors are not fixed covariates */
    bool *fixed_x;            /* per observed variable: a fixed covariate (made once) */
    size_t ngroups;           /* the table holds every row once per group */
    size_t building_group;    /* while building: the group rows are added to */
    char *source;             /* name for messages */
    char *weight;             /* sampling weights' column (its moments weighted), or NULL */
    char *cluster;            /* clusters' column (its scores summed within them), or NULL */
    char **warnings;          /* what building the model had to say (every fit of it
                                 repeats them) */
    size_t nwarnings;
    /* Linear equality constraints (==, constraints.c): theta = K beta + k0
     * over the nreduced free parameters beta (K nfree x nreduced); K and
     * k0 NULL and nreduced = nfree without constraints. */
    size_t nconstraints;      /* == statements */
    size_t nreduced;
    double *K, *k0;
    long constraint_line;     /* the first constraint's line, for messages */
    /* Linear inequalities (a > 0, a1 < a2): fitted by an active set
     * (estimate.c), each active one an equality.  A and c hold every
     * constraint as a row a' theta = c (the == first), an inequality
     * meaning a' theta - c >= 0. */
    size_t ninequalities;
    double *A, *c;
    size_t npar;              /* lavaan's npar, for the df: nfree less the
                                 independent equalities (inequalities take
                                 none away) */
};

/* The reparameterisation of a set of linear equalities. */
typedef struct sem_basis {
    double *K, *k0;           /* nfree x nred, nfree; NULL: none (nred = nfree) */
    size_t nred;
} sem_basis;

/* The basis of the equalities and the inequalities active[i] (as
 * equalities); an inconsistent set is an error. */
brisk_status brisk_sem_active_basis(const brisk_model *m, const bool *active, sem_basis *b,
                                    brisk_error *err);

/* a' theta - c of inequality i (>= 0 when it holds). */
double brisk_sem_inequality(const brisk_model *m, size_t i, const double *theta);

/* The == statements of syn into m's K and k0 (after the free parameters
 * are numbered); an unknown label, a constraint that is not linear or
 * names no free parameter, and a contradictory set are errors. */
brisk_status brisk_sem_constraints(brisk_model *m, const brisk_syntax *syn, brisk_error *err);

/* theta = K beta + k0, and beta = K' (theta - k0) (the nearest point that
 * meets the constraints); only for a model with constraints. */
void brisk_sem_expand(const brisk_model *m, const double *beta, double *theta);
void brisk_sem_reduce(const brisk_model *m, const double *theta, double *beta);
/* K' mat K in place: an nfree x nfree matrix (a first-order sum, an
 * information) as the nreduced x nreduced one of beta, packed at its
 * start.  False when out of memory. */
bool brisk_sem_project(const brisk_model *m, double *mat);
/* The same into out (nreduced x nreduced, not mat), with col (nfree) as
 * scratch: no allocation, for the fitter's every step. */
void brisk_sem_project_to(const brisk_model *m, const double *mat, double *out, double *col);

/* BRISK_ERR_LIMIT when an ML fit of the model would need more memory for
 * its derivatives than brisk's bound (checked before any work on data). */
brisk_status brisk_sem_check_size(const brisk_model *m, brisk_error *err);

/* Copy a model's warnings into a fit's. */
brisk_status brisk_sem_model_warnings(const brisk_model *m, brisk_fit *fit);

/* Index of a variable in (observed..., latent...), or -1. */
int brisk_sem_var_index(const brisk_model *m, const char *name);

/* Is observed variable i a fixed covariate (lavaan's fixed.x)? */
bool brisk_sem_is_fixed_x(const brisk_model *m, size_t i);

/* A row's part in a first-order sum (the casewise scores' outer products):
 * w^2 / N, the design-weighted scores of lavaan's sampling.weights (1 / n
 * without weights). */
static inline double brisk_score_share(const brisk_moments *mom, size_t row)
{
    double w = brisk_moments_weight(mom, row);
    return w * w / brisk_moments_size(mom);
}

/* First-order sums by cluster: cluster c's total of the rows' weighted
 * score vectors (dim each) is totals[c * dim ...]; adds to out (dim x dim)
 * the totals' outer products times C / (C - 1) over the group's size,
 * which without clusters (each row its own) is the sum of w^2 s s' / N. */
void brisk_cluster_outer(const brisk_moments *mom, const double *totals, size_t dim,
                         double *out);

/* Full-information ML (missing.c): the patterns of the rows (weighted by
 * wcol's sampling weights, or NULL) and the saturated model by EM, within
 * time_limit seconds (0: no limit). */
brisk_status brisk_moments_fiml(const brisk_column *const *cols, size_t p, const size_t *rows,
                                size_t nrows, const brisk_column *wcol, double time_limit,
                                brisk_moments *out, brisk_error *err);
void brisk_patterns_free(brisk_moments *mom);
/* -2 log L / n without the 2 pi terms at (sigma, mu); scratch holds
 * brisk_fiml_scratch_size(p) doubles; every pattern's Sigma_oo^-1 is left
 * in inverses (brisk_fiml_inverses_size doubles). */
double brisk_fiml_discrepancy(const brisk_moments *mom, const double *sigma, const double *mu,
                              double *scratch, double *inverses, bool *ok);
/* The gradient's weights at the point of the last discrepancy (its
 * inverses): d/dtheta = tr(W dSigma) - 2 sd' dmu. */
void brisk_fiml_weights(const brisk_moments *mom, const double *mu, const double *inverses,
                        double *W, double *sd, double *scratch);
size_t brisk_fiml_inverses_size(const brisk_moments *mom);
/* Variable j's mean and variance (divisor: the answers' weights) over the
 * respondents who answered it, with missing values NaN in mom->data: the
 * independence model's estimates; returns their weights' sum (without
 * weights, how many answered). */
double brisk_fiml_available_moments(const brisk_moments *mom, size_t j, double *mean,
                                    double *var);
size_t brisk_fiml_scratch_size(size_t p);

#endif
