/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Standardized solutions (lavaan's std.lv and std.all with cov.std = TRUE),
 * R-squared, and the admissibility checks. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* What standardizing needs about every variable (observed..., latent...). */
typedef struct scales {
    double *total_sd;    /* sqrt of the implied variance */
    double *resid_var;   /* the variance parameter (residual for endogenous) */
    size_t p, n;
} scales;

static double sd_lv(const scales *s, int v)
{
    return v >= (int)s->p ? s->total_sd[v] : 1.0;   /* std_lv scales latents only */
}

static void standardize_row(const brisk_model *m, const scales *s, size_t r, brisk_estimate *e)
{
    const sem_pos *pos = &m->pos[r];
    double x = e->est;
    int i = pos->row, j = pos->col;
    switch (m->params[r].op) {
    case BRISK_OP_MEASURE:     /* A[indicator][factor] */
    case BRISK_OP_REGRESS:     /* A[outcome][predictor] */
        e->std_lv = x * sd_lv(s, j) / sd_lv(s, i);
        e->std_all = x * s->total_sd[j] / s->total_sd[i];
        break;
    case BRISK_OP_COVARY:
        if (i == j) {
            e->std_lv = i >= (int)s->p ? x / (s->total_sd[i] * s->total_sd[i]) : x;
            e->std_all = x / (s->total_sd[i] * s->total_sd[i]);
        } else {
            /* Covariances of residuals become correlations of residuals; the
             * absolute values keep a Heywood case from giving NaN (lavaan). */
            double sd_i = sqrt(fabs(s->resid_var[i])), sd_j = sqrt(fabs(s->resid_var[j]));
            /* std_lv scales only the latent side of a covariance */
            e->std_lv = x / (i >= (int)s->p ? sd_i : 1) / (j >= (int)s->p ? sd_j : 1);
            e->std_all = x / (sd_i * sd_j);
        }
        break;
    case BRISK_OP_INTERCEPT:
        e->std_lv = x / sd_lv(s, i);
        e->std_all = x / s->total_sd[i];
        break;
    default:
        break;
    }
}

static double std_all_of(const brisk_model *m, size_t row, const void *ctx)
{
    (void)m;
    return ((const brisk_fit *)ctx)->rows[row].std_all;
}

static double std_lv_of(const brisk_model *m, size_t row, const void *ctx)
{
    (void)m;
    return ((const brisk_fit *)ctx)->rows[row].std_lv;
}

/* Scales of one group's variables at the estimate. */
static bool group_scales(const sem_work *w, scales *s)
{
    size_t n = w->n;
    s->n = n;
    s->p = w->p;
    s->total_sd = malloc(n * sizeof(double));
    s->resid_var = malloc(n * sizeof(double));
    if (!s->total_sd || !s->resid_var)
        return false;
    for (size_t v = 0; v < n; v++) {
        s->total_sd[v] = sqrt(w->Sfull[v * n + v]);
        s->resid_var[v] = w->S[v * n + v];
    }
    return true;
}

static void scales_free(scales *s)
{
    free(s->total_sd);
    free(s->resid_var);
}

/* R^2 of every variable with a residual (observed indicators and outcomes,
 * latent outcomes), group by group. */
static brisk_status r_squared(const brisk_model *m, const scales *s, size_t group,
                              brisk_fit *fit)
{
    size_t n = s->n;
    bool *endogenous = calloc(n ? n : 1, sizeof *endogenous);
    if (!endogenous)
        return BRISK_ERR_NOMEM;
    for (size_t r = 0; r < m->nparams; r++)
        if (m->pos[r].mat == SEM_A && m->params[r].group == group)
            endogenous[m->pos[r].row] = true;
    for (size_t v = 0; v < n; v++) {
        if (!endogenous[v])
            continue;
        /* A negative residual variance (Heywood case) has no R-squared; lavaan
         * reports NA there too. */
        double r2 = 1 - s->resid_var[v] / (s->total_sd[v] * s->total_sd[v]);
        fit->r2_names[fit->nr2] = v < m->p ? m->ov[v] : m->lv[v - m->p];
        fit->r2_group[fit->nr2] = group;
        fit->r2[fit->nr2++] = s->resid_var[v] < 0 ? NAN : r2;
    }
    free(endogenous);
    return BRISK_OK;
}

static brisk_status standardize_defined(const brisk_model *m, brisk_fit *fit, brisk_error *err)
{
    for (size_t r = 0; r < m->nparams; r++) {
        if (m->params[r].op != BRISK_OP_DEFINE)
            continue;
        brisk_estimate *e = &fit->rows[r];
        if (!brisk_sem_eval_expr(m, m->params[r].expr, std_all_of, fit, 0, &e->std_all, err) ||
            !brisk_sem_eval_expr(m, m->params[r].expr, std_lv_of, fit, 0, &e->std_lv, err))
            return err ? err->status : BRISK_ERR_FORMAT;
    }
    return BRISK_OK;
}

brisk_status brisk_sem_standardize(const brisk_model *m, sem_fitter *f, brisk_fit *fit,
                                   brisk_error *err)
{
    size_t cap = (m->p + m->m) * f->ngroups + 1;
    fit->r2 = calloc(cap, sizeof *fit->r2);
    fit->r2_names = calloc(cap, sizeof *fit->r2_names);
    fit->r2_group = calloc(cap, sizeof *fit->r2_group);
    brisk_status st = fit->r2 && fit->r2_names && fit->r2_group ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t g = 0; st == BRISK_OK && g < f->ngroups; g++) {
        scales s = {0};
        if (!group_scales(f->works[g], &s)) {
            st = BRISK_ERR_NOMEM;
        } else {
            for (size_t r = 0; r < m->nparams; r++)
                if (m->params[r].group == g && m->params[r].op != BRISK_OP_DEFINE)
                    standardize_row(m, &s, r, &fit->rows[r]);
            st = r_squared(m, &s, g, fit);
        }
        scales_free(&s);
    }
    if (st == BRISK_OK)
        st = standardize_defined(m, fit, err);
    if (st == BRISK_ERR_NOMEM)
        brisk_error_set(err, st, "out of memory");
    return st;
}

brisk_status brisk_sem_check_admissible(const brisk_model *m, sem_fitter *f, brisk_fit *fit)
{
    size_t n = f->works[0]->n, before = fit->nwarnings;
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *par = &m->params[r];
        const sem_pos *pos = &m->pos[r];
        if (par->op != BRISK_OP_COVARY)
            continue;
        const double *S = f->works[par->group]->S;
        double x = fit->rows[r].est;
        brisk_status st = BRISK_OK;
        if (pos->row == pos->col && x < 0)
            st = brisk_fit_warn(fit, "Heywood case: the variance '%s ~~ %s' is negative (%.3f)",
                                par->lhs, par->rhs, x);
        else if (pos->row != pos->col) {
            double v1 = S[pos->row * n + pos->row], v2 = S[pos->col * n + pos->col];
            if (v1 > 0 && v2 > 0 && fabs(x) / sqrt(v1 * v2) > 1)
                st = brisk_fit_warn(fit, "Heywood case: the correlation of '%s' and '%s' is "
                                    "%.3f, beyond +-1", par->lhs, par->rhs, x / sqrt(v1 * v2));
        }
        if (st != BRISK_OK)
            return st;
    }
    fit->admissible = fit->nwarnings == before;
    return BRISK_OK;
}

typedef struct std_arrays {
    const double *values;
} std_arrays;

static double array_value(const brisk_model *m, size_t row, const void *ctx)
{
    (void)m;
    return ((const std_arrays *)ctx)->values[row];
}

bool brisk_sem_std_values(const brisk_model *m, sem_fitter *f, const double *theta, double *lv,
                          double *all, brisk_error *err)
{
    double value;
    if (!brisk_sem_fitter_objective_full(f, theta, &value))
        return false;
    for (size_t g = 0; g < f->ngroups; g++) {
        scales s = {0};
        bool ok = group_scales(f->works[g], &s);
        for (size_t r = 0; ok && r < m->nparams; r++) {
            const brisk_param *par = &m->params[r];
            if (par->group != g || par->op == BRISK_OP_DEFINE)
                continue;
            brisk_estimate e = {.est = par->free ? theta[par->free - 1] : f->works[g]->fixed[r],
                                .std_lv = NAN, .std_all = NAN};
            standardize_row(m, &s, r, &e);
            lv[r] = e.std_lv;
            all[r] = e.std_all;
        }
        scales_free(&s);
        if (!ok) {
            brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            return false;
        }
    }
    for (size_t r = 0; r < m->nparams; r++) {
        if (m->params[r].op != BRISK_OP_DEFINE)
            continue;
        std_arrays a_lv = {lv}, a_all = {all};
        if (!brisk_sem_eval_expr(m, m->params[r].expr, array_value, &a_all, 0, &all[r], err) ||
            !brisk_sem_eval_expr(m, m->params[r].expr, array_value, &a_lv, 0, &lv[r], err))
            return false;
    }
    return true;
}
