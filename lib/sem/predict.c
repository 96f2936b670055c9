/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Factor scores of a fitted model, as lavaan 0.6's lavPredict(type = "lv")
 * computes them for continuous items (lav_predict_eta_normal and
 * lav_predict_eta_bartlett): every row's answers y_o, centred at their
 * expected values, times a coefficient matrix built from the implied
 * moments of the variables the row answered,
 *   regression: C = Cov(eta, y_o) Sigma_oo^-1,
 *   Bartlett:   C = (L_o' Sigma_oo^-1 L_o)^-1 L_o' Sigma_oo^-1,
 * plus E(eta).  (lavaan's Bartlett weights by Sigma^-1, not Theta^-1: the
 * same scores when Theta is invertible, and defined when it is not.) */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "brisk/predict.h"
#include "core/dense.h"
#include "sem_ml.h"

bool brisk_score_method_parse(const char *name, brisk_score_method *out)
{
    if (strcasecmp(name, "regression") == 0)
        *out = BRISK_SCORES_REGRESSION;
    else if (strcasecmp(name, "bartlett") == 0)
        *out = BRISK_SCORES_BARTLETT;
    else
        return false;
    return true;
}

/* What one evaluation of the scores needs: the implied moments at the
 * estimate, the expected values, and scratch for one answer pattern. */
typedef struct predictor {
    const brisk_model *model;
    brisk_score_method method;
    sem_work *work;               /* implied moments at the estimate */
    const double *ey;             /* E(y): p */
    double *eeta;                 /* E(eta): m */
    size_t p, m, n;
    bool *pattern;                /* the answered variables of the coefficients in coef */
    bool have_pattern;
    double *coef;                 /* m x q: the coefficients of the pattern */
    bool *defined;                /* m: the pattern identifies factor k (Bartlett) */
    double *sub, *inv, *chol;     /* q x q */
    double *lt, *ltinv;           /* m x q: L_o' and L_o' Sigma_oo^-1 */
    double *info, *info_inv;      /* m x m */
    size_t *obs;                  /* the answered variables' indices */
    size_t *fac;                  /* m: the factors Bartlett's scores identify */
    const brisk_column **cols;
} predictor;

/* Factor scores need the model's observed variables to be indicators
 * only: lavaan turns any other into a "dummy" factor whose score is the
 * answer itself, and its Bartlett scores then depend on that device. */
static brisk_status check_model(const brisk_fitted *f, brisk_score_method method,
                                brisk_error *err)
{
    const brisk_model *m = f->model;
    if (m->ordered || f->fit->nthresholds)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "factor scores of ordered items (WLSMV) are not available: "
                               "lavaan's are empirical Bayes modal scores, which brisk does "
                               "not compute; fit the items as continuous (--estimator ml or "
                               "mlr) for regression or Bartlett scores");
    if (m->ngroups > 1)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "factor scores of a multi-group fit (--group) are not "
                               "available yet; fit each group on its own (--where)");
    for (size_t r = 0; r < m->nparams; r++) {
        const sem_pos *pos = &m->pos[r];
        const brisk_param *par = &m->params[r];
        if (pos->mat != SEM_A)
            continue;
        bool observed_outcome = pos->row < (int)m->p && par->op != BRISK_OP_MEASURE;
        if (!observed_outcome && pos->col >= (int)m->p)
            continue;
        const char *name = pos->col < (int)m->p ? par->rhs : par->lhs;
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "factor scores need a model whose observed variables are only "
                               "indicators of factors; '%s' is in the regression '%s %s %s' "
                               "(lavaan scores it as a factor of its own): leave it out of "
                               "the model to score the factors", name, par->lhs,
                               brisk_op_text(par->op), par->rhs);
    }
    for (size_t k = 0; method == BRISK_SCORES_BARTLETT && k < m->m; k++) {
        bool indicated = false;
        for (size_t r = 0; r < m->nparams && !indicated; r++)
            indicated = m->pos[r].mat == SEM_A && m->pos[r].col == (int)(m->p + k) &&
                        m->pos[r].row < (int)m->p;
        if (!indicated)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                                   "Bartlett scores need every factor to have observed "
                                   "indicators; '%s' has none (a higher-order factor): use "
                                   "--score-method regression", m->lv[k]);
    }
    return BRISK_OK;
}

static void predictor_free(predictor *pr)
{
    brisk_sem_work_free(pr->work);
    free(pr->eeta);
    free(pr->pattern);
    free(pr->coef);
    free(pr->defined);
    free(pr->sub);
    free(pr->inv);
    free(pr->chol);
    free(pr->lt);
    free(pr->ltinv);
    free(pr->info);
    free(pr->info_inv);
    free(pr->obs);
    free(pr->fac);
    free(pr->cols);
}

static brisk_status predictor_init(predictor *pr, const brisk_fitted *f, const brisk_dataset *ds,
                                   brisk_score_method method, brisk_error *err)
{
    const brisk_model *m = f->model;
    size_t p = m->p, k = m->m, p1 = p ? p : 1, k1 = k ? k : 1;
    pr->model = m;
    pr->method = method;
    pr->p = p;
    pr->m = k;
    pr->n = p + k;
    pr->work = brisk_sem_work_new(m, &f->moments[0], 0);
    pr->eeta = calloc(k1, sizeof *pr->eeta);
    pr->pattern = calloc(p1, sizeof *pr->pattern);
    pr->coef = calloc(k1 * p1, sizeof *pr->coef);
    pr->defined = calloc(k1, sizeof *pr->defined);
    pr->sub = calloc(p1 * p1, sizeof *pr->sub);
    pr->inv = calloc(p1 * p1, sizeof *pr->inv);
    pr->chol = calloc(p1 * p1, sizeof *pr->chol);
    pr->lt = calloc(k1 * p1, sizeof *pr->lt);
    pr->ltinv = calloc(k1 * p1, sizeof *pr->ltinv);
    pr->info = calloc(k1 * k1, sizeof *pr->info);
    pr->info_inv = calloc(k1 * k1, sizeof *pr->info_inv);
    pr->obs = calloc(p1, sizeof *pr->obs);
    pr->fac = calloc(k1, sizeof *pr->fac);
    pr->cols = calloc(p1, sizeof *pr->cols);
    if (!pr->work || !pr->eeta || !pr->pattern || !pr->coef || !pr->defined || !pr->sub ||
        !pr->inv || !pr->chol || !pr->lt || !pr->ltinv || !pr->info || !pr->info_inv ||
        !pr->obs || !pr->fac || !pr->cols)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    double value;
    if (!brisk_sem_objective(pr->work, f->fit->theta, &value))
        return brisk_error_set(err, BRISK_ERR_MODEL, "the implied covariance matrix of the "
                               "estimates is not positive definite: no factor scores");
    for (size_t j = 0; j < p; j++) {
        pr->cols[j] = brisk_dataset_find(ds, m->ov[j]);
        if (!pr->cols[j] || pr->cols[j]->type != BRISK_NUMERIC)
            return brisk_error_set(err, BRISK_ERR_COLUMN, "'%s' is not a numeric column of "
                                   "the data the model was fitted to", m->ov[j]);
    }
    /* lavaan: without a mean structure E(y) is the sample mean and E(eta) 0. */
    pr->ey = m->meanstructure ? pr->work->mu : f->moments[0].mean;
    for (size_t j = 0; m->meanstructure && j < k; j++)
        pr->eeta[j] = pr->work->mfull[p + j];
    return BRISK_OK;
}

/* The answered variables of a row into pr->obs; their count. */
static size_t row_pattern(const predictor *pr, size_t row, bool *answered)
{
    size_t q = 0;
    for (size_t j = 0; j < pr->p; j++) {
        answered[j] = !isnan(pr->cols[j]->num[row]);
        if (answered[j])
            pr->obs[q++] = j;
    }
    return q;
}

/* Regression: Cov(eta, y_o) Sigma_oo^-1 (lavaan's VETA L_o' Sigma_oo^-1). */
static void regression_coefficients(predictor *pr, size_t q)
{
    const double *Sfull = pr->work->Sfull;
    for (size_t k = 0; k < pr->m; k++) {
        pr->defined[k] = true;
        for (size_t a = 0; a < q; a++)
            pr->lt[k * q + a] = Sfull[(pr->p + k) * pr->n + pr->obs[a]];
    }
    brisk_dense_mul_rect(pr->lt, pr->inv, pr->coef, pr->m, q, q);
}

/* Bartlett: (L_o' Sigma_oo^-1 L_o)^-1 L_o' Sigma_oo^-1 over the factors the
 * answered items indicate (lavaan's generalised inverse leaves the others
 * zero, and their scores NA). */
static bool bartlett_coefficients(predictor *pr, size_t q)
{
    const double *A = pr->work->A;
    size_t d = 0, *fac = pr->fac;   /* the factors with an answered indicator */
    for (size_t k = 0; k < pr->m; k++) {
        bool any = false;
        for (size_t a = 0; a < q; a++)
            any = any || A[pr->obs[a] * pr->n + pr->p + k] != 0;
        pr->defined[k] = any;
        if (any)
            fac[d++] = k;
    }
    for (size_t i = 0; i < d; i++)
        for (size_t a = 0; a < q; a++)
            pr->lt[i * q + a] = A[pr->obs[a] * pr->n + pr->p + fac[i]];
    brisk_dense_mul_rect(pr->lt, pr->inv, pr->ltinv, d, q, q);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t a = 0; a < q; a++)
                s += pr->ltinv[i * q + a] * pr->lt[j * q + a];
            pr->info[i * d + j] = s;
        }
    if (!brisk_dense_invert(pr->info, pr->info_inv, d))
        return false;
    memset(pr->coef, 0, pr->m * q * sizeof *pr->coef);
    for (size_t i = 0; i < d; i++)
        for (size_t a = 0; a < q; a++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += pr->info_inv[i * d + j] * pr->ltinv[j * q + a];
            pr->coef[fac[i] * q + a] = s;
        }
    return true;
}

/* The coefficients of the answered variables pr->obs[0 .. q). */
static bool pattern_coefficients(predictor *pr, size_t q)
{
    const double *Sigma = pr->work->Sigma;
    double logdet;
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++)
            pr->sub[a * q + b] = Sigma[pr->obs[a] * pr->p + pr->obs[b]];
    if (!brisk_dense_spd_invert(pr->sub, pr->inv, pr->chol, q, &logdet))
        return false;
    if (pr->method == BRISK_SCORES_BARTLETT)
        return bartlett_coefficients(pr, q);
    regression_coefficients(pr, q);
    return true;
}

static void score_row(const predictor *pr, size_t row, size_t q, double *out)
{
    for (size_t k = 0; k < pr->m; k++) {
        double s = pr->eeta[k];
        for (size_t a = 0; a < q; a++) {
            size_t j = pr->obs[a];
            s += pr->coef[k * q + a] * (pr->cols[j]->num[row] - pr->ey[j]);
        }
        out[k] = pr->defined[k] ? s : NAN;
    }
}

/* Every offered row's scores; the rows the fit used are counted in *used. */
static brisk_status score_rows(predictor *pr, const brisk_fitted *f, double *scores,
                               size_t *used, brisk_error *err)
{
    bool fiml = f->moments[0].npatterns > 0;
    bool *answered = malloc((pr->p ? pr->p : 1) * sizeof *answered);
    if (!answered)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = BRISK_OK;
    *used = 0;
    for (size_t i = 0; i < f->ngroup_rows[0] && st == BRISK_OK; i++) {
        size_t row = f->group_rows[0][i], q = row_pattern(pr, row, answered);
        double *out = scores + i * pr->m;
        if (q == 0 || (!fiml && q < pr->p)) {
            for (size_t k = 0; k < pr->m; k++)
                out[k] = NAN;
            continue;
        }
        if (!pr->have_pattern || memcmp(answered, pr->pattern, pr->p * sizeof *answered)) {
            if (!pattern_coefficients(pr, q)) {
                st = brisk_error_set(err, BRISK_ERR_MODEL, "the factor scores' weights of "
                                     "data row %zu's answers cannot be computed (a singular "
                                     "matrix)", row + 1);
                break;
            }
            memcpy(pr->pattern, answered, pr->p * sizeof *answered);
            pr->have_pattern = true;
        }
        score_row(pr, row, q, out);
        (*used)++;
    }
    free(answered);
    return st;
}

brisk_status brisk_fitted_scores(const brisk_fitted *f, const brisk_dataset *ds,
                                 brisk_score_method method, double **scores, brisk_error *err)
{
    *scores = NULL;
    brisk_status st = check_model(f, method, err);
    if (st != BRISK_OK)
        return st;
    predictor pr = {0};
    size_t m = f->model->m, nrows = f->ngroup_rows[0], used = 0;
    double *out = malloc((nrows * m > 0 ? nrows * m : 1) * sizeof *out);
    st = out ? predictor_init(&pr, f, ds, method, err)
             : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = score_rows(&pr, f, out, &used, err);
    /* The rows scored are the rows fitted (a guard on the two rules). */
    if (st == BRISK_OK && used != f->moments[0].n)
        st = brisk_error_set(err, BRISK_ERR_DATA, "internal error: %zu rows scored, %zu "
                             "fitted", used, f->moments[0].n);
    predictor_free(&pr);
    if (st != BRISK_OK) {
        free(out);
        return st;
    }
    *scores = out;
    return BRISK_OK;
}
