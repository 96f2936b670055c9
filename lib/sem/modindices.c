/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Modification indices, as lavaan's modindices() (lavaan 0.6-14).
 *
 * Every parameter the model fixes (a marker loading, a covariate's
 * moment, a value written in the syntax) and every one it leaves out that
 * lavaan's lav_partable_full lists (loadings of every factor on every
 * indicator that takes no part in a regression, covariances among
 * indicators, among covariates and among factors, regressions among the
 * variables of the regressions, intercepts with a mean structure) is freed
 * in an extended model evaluated at the estimates, the added parameters at
 * 0.  With g the gradient of the log-likelihood per respondent and I the
 * expected information per respondent of that model (the model's own
 * parameters M, the added ones E), the score test of parameter k is
 *     MI_k = N g_k^2 / V_k,   V = I_EE - I_EM I_MM^-1 I_ME,
 * its expected change EPC_k = g_k / V_k, and V_k below cbrt(DBL_EPSILON)
 * (a parameter the model cannot identify) has no index.  The standardized
 * changes follow lav_standardize_lv / _all / _all_nox with cov.std: a
 * covariance over the square roots of the two variances' estimates.
 *
 * With fixed covariates lavaan's information leaves out the covariates'
 * own moments (mask_covariates).  The estimates are first taken to the
 * optimum by Newton steps (polish): where the search stopped, an index
 * would still be up to 1e-4 from the optimum's.
 *
 * The extended model is the model's own RAM form with more free rows, so
 * the derivatives and the information are ml.c's.
 *
 * A WLSMV fit (ordered items) has lavaan's DWLS score tests: g the
 * negative gradient of the DWLS discrepancy, sum_g (N_g - 1) / N J_g' W_g
 * r_g, and I the expected information sum_g N_g / N J_g' W_g J_g (J the
 * Jacobian of the thresholds, slopes and correlations, W_g = diag(Gamma_g)^-1,
 * r the residuals), the thresholds and scale factors the fit estimates
 * among the model's parameters (wlsmv.c).  The candidates add, with the
 * delta parameterization and the thresholds free, every item's scale
 * factor (~*~, fixed at 1); with covariates (lavaan's conditional.x) the
 * list is lav_partable_full's strict.exo one.  The estimates are polished
 * by Gauss-Newton steps on the DWLS statistic. */
#include <config.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/dense.h"
#include "sem_fit.h"
#include "sem_wls.h"

/* A parameter of the extended model that the model does not estimate. */
typedef struct candidate {
    const char *lhs, *rhs;
    brisk_op op;
    size_t group;
    sem_pos pos;
    double value;       /* its value at the estimates (0 when added) */
    bool exo;           /* a covariate's fixed moment (lavaan's exo) */
    long row;           /* the model's fixed row it frees, or -1: added */
} candidate;

typedef struct candidates {
    candidate *c;
    size_t n, cap;
} candidates;

/* What lavaan's lav_partable_vnames says of each variable (observed...,
 * latent...), from the first group's rows (every group has the same). */
typedef struct roles {
    bool *indicator;    /* observed, right of =~ (ov.ind) */
    bool *in_eqs;       /* in a regression, either side (eqs.y, eqs.x) */
    bool *x;            /* a fixed covariate (ov.x) */
    int *eqs;           /* eqs.y then eqs.x, each once, in order of appearance */
    size_t neqs;
} roles;

static void roles_free(roles *r)
{
    free(r->indicator);
    free(r->in_eqs);
    free(r->x);
    free(r->eqs);
}

static void add_eqs(roles *r, int v)
{
    if (v >= 0 && !r->in_eqs[v]) {
        r->in_eqs[v] = true;
        r->eqs[r->neqs++] = v;
    }
}

static bool find_roles(const brisk_model *m, roles *r)
{
    size_t n = m->p + m->m;
    r->indicator = calloc(n + 1, sizeof *r->indicator);
    r->in_eqs = calloc(n + 1, sizeof *r->in_eqs);
    r->x = calloc(n + 1, sizeof *r->x);
    r->eqs = calloc(n + 1, sizeof *r->eqs);
    if (!r->indicator || !r->in_eqs || !r->x || !r->eqs)
        return false;
    for (size_t i = 0; i < m->p; i++)
        r->x[i] = brisk_sem_is_fixed_x(m, i);
    for (size_t k = 0; k < m->nparams; k++) {
        const brisk_param *p = &m->params[k];
        if (p->group != 0)
            continue;
        if (p->op == BRISK_OP_MEASURE && m->pos[k].row >= 0 && (size_t)m->pos[k].row < m->p)
            r->indicator[m->pos[k].row] = true;
    }
    /* unique(lhs of ~), then the right-hand sides not yet listed */
    for (int side = 0; side < 2; side++)
        for (size_t k = 0; k < m->nparams; k++) {
            const brisk_param *p = &m->params[k];
            if (p->group == 0 && p->op == BRISK_OP_REGRESS)
                add_eqs(r, side == 0 ? m->pos[k].row : m->pos[k].col);
        }
    return true;
}

static const char *var_name(const brisk_model *m, size_t v)
{
    return v < m->p ? m->ov[v] : m->lv[v - m->p];
}

static bool in_model(const brisk_model *m, size_t group, brisk_op op, const char *lhs,
                     const char *rhs)
{
    for (size_t k = 0; k < m->nparams; k++) {
        const brisk_param *p = &m->params[k];
        if (p->group == group && p->op == op && strcmp(p->lhs, lhs) == 0 &&
            strcmp(p->rhs, rhs) == 0)
            return true;
    }
    return false;
}

static bool push(candidates *cs, candidate c)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? 2 * cs->cap : 64;
        candidate *grown = realloc(cs->c, cap * sizeof *grown);
        if (!grown)
            return false;
        cs->c = grown;
        cs->cap = cap;
    }
    cs->c[cs->n++] = c;
    return true;
}

/* A parameter lav_partable_full lists, unless the model has it (lavaan's
 * lav_partable_merge drops duplicates by lhs, op, rhs and group). */
static bool add_new(const brisk_model *m, candidates *cs, size_t group, brisk_op op, size_t lhs,
                    size_t rhs)
{
    const char *l = var_name(m, lhs), *r = op == BRISK_OP_INTERCEPT ? "" : var_name(m, rhs);
    if (in_model(m, group, op, l, r))
        return true;
    sem_pos pos = {SEM_NONE, 0, 0};
    switch (op) {
    case BRISK_OP_MEASURE: pos = (sem_pos){SEM_A, (int)rhs, (int)lhs}; break;
    case BRISK_OP_REGRESS: pos = (sem_pos){SEM_A, (int)lhs, (int)rhs}; break;
    case BRISK_OP_COVARY: pos = (sem_pos){SEM_S, (int)lhs, (int)rhs}; break;
    default: pos = (sem_pos){SEM_M, (int)lhs, 0}; break;
    }
    return push(cs, (candidate){l, r, op, group, pos, 0.0, false, -1});
}

/* Pairs (a, b), a before or at b, of the variables keep selects, in
 * lavaan's order (lower.tri by column). */
static bool add_pairs(const brisk_model *m, candidates *cs, size_t group, const bool *keep,
                      size_t from, size_t to)
{
    for (size_t a = from; a < to; a++)
        for (size_t b = a; keep[a] && b < to; b++)
            if (keep[b] && !add_new(m, cs, group, BRISK_OP_COVARY, a, b))
                return false;
    return true;
}

/* lav_partable_full for one group.  strict (lavaan's strict.exo, a WLSMV
 * fit with covariates: conditional.x) leaves out the covariances among
 * the covariates, the regressions of a covariate and its intercept. */
static bool full_table(const brisk_model *m, const roles *r, size_t group, bool strict,
                       candidates *cs)
{
    size_t p = m->p, n = p + m->m;
    bool *keep = calloc(n + 1, sizeof *keep);
    bool ok = keep != NULL;
    /* loadings: every factor on every observed non-covariate outside the regressions */
    for (size_t f = p; ok && f < n; f++)
        for (size_t v = 0; ok && v < p; v++)
            if (!r->x[v] && !r->in_eqs[v])
                ok = add_new(m, cs, group, BRISK_OP_MEASURE, f, v);
    /* covariances among the indicators (the non-covariates that are indicators) */
    for (size_t v = 0; ok && v < p; v++)
        keep[v] = !r->x[v] && r->indicator[v];
    ok = ok && add_pairs(m, cs, group, keep, 0, p);
    for (size_t v = 0; ok && v < p; v++)   /* among the covariates */
        keep[v] = r->x[v] && !strict;
    ok = ok && add_pairs(m, cs, group, keep, 0, p);
    for (size_t v = p; ok && v < n; v++)   /* among the factors */
        keep[v] = true;
    ok = ok && add_pairs(m, cs, group, keep, p, n);
    /* regressions among the variables of the regressions, but not an
     * indicator on a factor (that is a loading) */
    for (size_t i = 0; ok && i < r->neqs; i++)
        for (size_t j = 0; ok && j < r->neqs; j++) {
            size_t y = (size_t)r->eqs[i], x = (size_t)r->eqs[j];
            if (y != x && !(y < p && r->indicator[y] && x >= p) && !(strict && r->x[y]))
                ok = add_new(m, cs, group, BRISK_OP_REGRESS, y, x);
        }
    for (size_t v = 0; ok && m->meanstructure && v < n; v++)
        if (!(strict && r->x[v]))
            ok = add_new(m, cs, group, BRISK_OP_INTERCEPT, v, 0);
    free(keep);
    return ok;
}

/* The value of a fixed row: written in the syntax, or a covariate's sample
 * moment (as brisk_sem_work_new). */
static double fixed_value(const brisk_model *m, size_t row, const brisk_moments *mom)
{
    const brisk_param *par = &m->params[row];
    const sem_pos *pos = &m->pos[row];
    const brisk_moments *g = &mom[par->group];
    if (par->fixed_x && pos->mat == SEM_S)
        return g->cov[pos->row * m->p + pos->col];
    if (par->fixed_x && pos->mat == SEM_M)
        return g->mean[pos->row];
    return par->start;
}

/* Every candidate in lavaan's order: the model's fixed rows (all.free),
 * then lav_partable_full's rows the model lacks, group by group.  A WLSMV
 * fit's fixed rows take the fit's values (the delta parameterization's
 * residual variances of the items are 1 less what the model explains). */
static bool list_candidates(const brisk_model *m, const brisk_moments *mom,
                            const brisk_fit *wlsmv, candidates *cs)
{
    roles r = {0};
    bool ok = find_roles(m, &r);
    for (size_t k = 0; ok && k < m->nparams; k++) {
        const brisk_param *par = &m->params[k];
        /* (WLSMV conditions on the covariates: their moments are no
         * parameters of its model) */
        if (par->free || m->pos[k].mat == SEM_NONE || (wlsmv && par->fixed_x))
            continue;
        double value = wlsmv ? wlsmv->rows[k].est : fixed_value(m, k, mom);
        ok = push(cs, (candidate){par->lhs, par->rhs, par->op, par->group, m->pos[k], value,
                                  par->fixed_x, (long)k});
    }
    /* the delta parameterization's scale factors (~*~), fixed at 1 where
     * the thresholds are free (lavaan's rows of every ordered item) */
    bool scales = wlsmv && !m->theta && !(m->ngroups > 1 && m->equal_thresholds);
    for (size_t g = 0; ok && scales && g < m->ngroups; g++)
        for (size_t v = 0; ok && v < m->p; v++)
            ok = push(cs, (candidate){m->ov[v], m->ov[v], BRISK_OP_SCALE, g,
                                      (sem_pos){SEM_NONE, 0, 0}, 1, false, -1});
    for (size_t g = 0; ok && g < m->ngroups; g++)
        ok = full_table(m, &r, g, wlsmv && brisk_model_nexogenous(m), cs);
    roles_free(&r);
    return ok;
}

/* ------------------------------------------------------------ the score test */

/* The model with its fixed rows freed and the candidates added, sharing
 * the model's names and lookups (the caller frees its params and pos
 * arrays, nothing else).  Free parameter q + k is candidate k. */
static bool extended_model(const brisk_model *m, const candidates *cs, brisk_model *ext)
{
    size_t q = m->nfree, rows = m->nparams;
    *ext = *m;
    ext->params = calloc(rows + cs->n + 1, sizeof *ext->params);
    ext->pos = calloc(rows + cs->n + 1, sizeof *ext->pos);
    if (!ext->params || !ext->pos)
        return false;
    memcpy(ext->params, m->params, rows * sizeof *ext->params);
    memcpy(ext->pos, m->pos, rows * sizeof *ext->pos);
    size_t added = rows;
    for (size_t k = 0; k < cs->n; k++) {
        const candidate *c = &cs->c[k];
        if (c->row >= 0) {   /* a fixed row freed */
            ext->params[c->row].free = (int)(q + k + 1);
            ext->params[c->row].fixed_x = false;
            continue;
        }
        ext->params[added] = (brisk_param){.lhs = (char *)c->lhs, .rhs = (char *)c->rhs,
                                           .op = c->op, .label = (char *)"", .free = (int)(q + k + 1),
                                           .group = c->group};
        ext->pos[added++] = c->pos;
    }
    ext->nparams = ext->cap = added;
    ext->nfree = ext->nreduced = ext->npar = q + cs->n;
    /* the extended model is unconstrained: score_variances applies the
     * model's equalities to the information */
    ext->K = ext->k0 = ext->A = ext->c = NULL;
    ext->nconstraints = ext->ninequalities = 0;
    return true;
}

/* diag(V) = diag(I_EE - I_EM I_MM^-1 I_ME) from the extended information
 * (q + e square); false when I_MM is singular.  With equality constraints
 * (theta = K beta + k0) I_MM^-1 is the constrained inverse
 * K (K' I_MM K)^-1 K', as lavaan's (lav_model_information_augment_invert). */
static bool score_variances(const brisk_model *m, const double *info, size_t q, size_t e,
                            double *v)
{
    size_t t = q + e, r = m->K ? m->nreduced : q;
    double *imm = malloc((q * q + 1) * sizeof *imm), *inv = malloc((q * q + 1) * sizeof *inv),
           *work = malloc((q * q + 1) * sizeof *work), *ime = malloc((q * e + 1) * sizeof *ime),
           *x = malloc((q * e + 1) * sizeof *x);
    double logdet;
    bool ok = imm && inv && work && ime && x;
    for (size_t a = 0; ok && a < q; a++) {
        memcpy(imm + a * q, info + a * t, q * sizeof *imm);
        memcpy(ime + a * e, info + a * t + q, e * sizeof *ime);
    }
    if (ok && m->K) {   /* K' I_MM K and K' I_ME */
        ok = brisk_sem_project(m, imm);
        for (size_t a = 0; ok && a < r; a++)
            for (size_t k = 0; k < e; k++) {
                double s = 0;
                for (size_t b = 0; b < q; b++)
                    s += m->K[b * r + a] * info[b * t + q + k];
                x[a * e + k] = s;
            }
        if (ok)
            memcpy(ime, x, r * e * sizeof *ime);
    }
    ok = ok && (r == 0 || brisk_dense_spd_invert(imm, inv, work, r, &logdet));
    if (ok) {
        if (r)
            brisk_dense_mul_rect(inv, ime, x, r, r, e);   /* I_MM^-1 I_ME */
        for (size_t k = 0; k < e; k++) {
            double s = info[(q + k) * t + q + k];
            for (size_t a = 0; a < r; a++)
                s -= ime[a * e + k] * x[a * e + k];
            v[k] = s;
        }
    }
    free(imm);
    free(inv);
    free(work);
    free(ime);
    free(x);
    return ok;
}

/* The estimates to the optimum by Newton steps on the observed
 * information.  The search stops where the gradient is about 1e-9, some
 * 1e-8 from the optimum; an index, N times a score squared, moves with the
 * estimates some thousand times as fast, by up to 1e-4.  These steps take
 * the estimates to the optimum (as lavaan's to its own tolerance), so that
 * the indices are the optimum's, not the stopping point's.  Only small
 * steps that do not raise F are taken; otherwise theta stays. */
void brisk_sem_polish(const brisk_model *m, const brisk_moments *mom, double *theta)
{
    sem_fitter *f = brisk_sem_fitter_new(m, mom);
    size_t q = f ? f->q : 0;   /* with == constraints, the reduced parameters */
    double *h = malloc((q * q + 1) * sizeof *h), *inv = malloc((q * q + 1) * sizeof *inv),
           *work = malloc((q * q + 1) * sizeof *work), *next = malloc((q + 1) * sizeof *next),
           *beta = malloc((q + 1) * sizeof *beta);
    double value, tried, logdet;
    if (beta && m->K)
        brisk_sem_reduce(m, theta, beta);
    else if (beta)
        memcpy(beta, theta, q * sizeof *beta);
    bool moved = false;
    for (int it = 0; f && h && inv && work && next && beta && q && it < 3; it++) {
        if (!brisk_sem_fitter_objective(f, beta, &value) ||
            !brisk_sem_observed_information(f, beta, h) ||
            !brisk_dense_spd_invert(h, inv, work, q, &logdet))
            break;
        double largest = 0;
        for (size_t a = 0; a < q; a++) {   /* Newton: (2 h)^-1 grad F */
            double step = 0;
            for (size_t b = 0; b < q; b++)
                step += inv[a * q + b] * f->grad[b] / 2;
            next[a] = beta[a] - step;
            largest = fmax(largest, fabs(step));
        }
        if (!(largest < 1e-4) || !brisk_sem_fitter_objective(f, next, &tried) ||
            tried > value + 1e-14 * fabs(value))
            break;
        memcpy(beta, next, q * sizeof *beta);
        moved = true;
        if (largest < 1e-13)
            break;
    }
    if (moved && m->K)
        brisk_sem_expand(m, beta, theta);
    else if (moved)
        memcpy(theta, beta, q * sizeof *theta);
    free(h);
    free(inv);
    free(work);
    free(next);
    free(beta);
    brisk_sem_fitter_free(f);
}

/* lavaan's expected information with fixed covariates (fixed.x): the h1
 * information of their own moments (variances, covariances and means of
 * the covariates among themselves) is 0 (lav_mvnorm_information_expected
 * with x.idx), as if those entries of every derivative of Sigma and mu
 * were 0.  The model's parameters never move them, but a regression added
 * on a covariate does. */
bool brisk_sem_mask_covariates(sem_fitter *f, const bool *x)
{
    size_t q = f->q;
    memset(f->info, 0, q * q * sizeof *f->info);
    for (size_t g = 0; g < f->ngroups; g++) {
        sem_work *w = f->works[g];
        size_t p = w->p;
        for (size_t k = 0; k < q; k++) {
            double *d = w->dSigma + k * p * p, *dm = w->dmu + k * p;
            for (size_t a = 0; a < p; a++) {
                for (size_t b = 0; x[a] && b < p; b++)
                    if (x[b])
                        d[a * p + b] = 0;
                if (x[a])
                    dm[a] = 0;
            }
        }
        if (!brisk_sem_information(w))
            return false;
        for (size_t k = 0; k < q * q; k++)
            f->info[k] += f->weight[g] * w->info[k];
    }
    return true;
}

/* ------------------------------------------------------------ standardizing */

/* What standardizing reads of one group at the estimates (lavaan's
 * computeVETA and computeVY, and the variance rows cov.std divides by),
 * per variable (observed..., latent...). */
typedef struct scales {
    double *sd;         /* sqrt of the implied variance (NaN when negative) */
    double *var;        /* the implied variance (NaN when about 0, observed) */
    double *rv;         /* sqrt(|the variance row's EPC for cov.std|), or NaN */
} scales;

static void scales_free(scales *s)
{
    free(s->sd);
    free(s->var);
    free(s->rv);
}

/* lavaan's small.idx: a variance's EPC for cov.std under sqrt(DBL_EPSILON)
 * is NA. */
static double small_to_nan(double x)
{
    return fabs(x) < sqrt(DBL_EPSILON) ? NAN : x;
}

/* A candidate's EPC as cov.std reads it: a variance (not a covariate's)
 * takes its value at the estimates, anything else its EPC. */
static double cov_std_epc(const candidate *c, double epc)
{
    bool variance = c->op == BRISK_OP_COVARY && c->pos.row == c->pos.col;
    return variance ? small_to_nan(c->exo ? epc : c->value) : epc;
}

static bool group_scales(const sem_work *w, const brisk_model *ext, size_t q,
                         const double *theta, const candidates *cs, const double *epc,
                         scales *s)
{
    size_t p = w->p, n = w->n;
    s->sd = malloc((n + 1) * sizeof *s->sd);
    s->var = malloc((n + 1) * sizeof *s->var);
    s->rv = malloc((n + 1) * sizeof *s->rv);
    if (!s->sd || !s->var || !s->rv)
        return false;
    for (size_t v = 0; v < n; v++) {
        double var = w->Sfull[v * n + v];
        s->var[v] = v < p && fabs(var) < DBL_EPSILON ? NAN : var;
        s->sd[v] = s->var[v] < 0 ? NAN : sqrt(s->var[v]);
        s->rv[v] = NAN;
    }
    for (size_t k = 0; k < ext->nparams; k++) {
        const brisk_param *par = &ext->params[k];
        const sem_pos *pos = &ext->pos[k];
        if (par->group != w->group || pos->mat != SEM_S || pos->row != pos->col || !par->free)
            continue;
        size_t f = (size_t)par->free - 1;
        double value = f < q ? small_to_nan(theta[f]) : cov_std_epc(&cs->c[f - q], epc[f - q]);
        s->rv[pos->row] = sqrt(fabs(value));
    }
    return true;
}

/* sepc.lv, sepc.all and sepc.nox of candidate c (lav_standardize_lv,
 * _all and _all_nox on |EPC|, times the EPC's sign). */
static void standardize(const brisk_model *m, const scales *s, const bool *x,
                        const candidate *c, double epc, brisk_modindex *out)
{
    size_t p = m->p;
    int i = c->op == BRISK_OP_MEASURE ? c->pos.col : c->pos.row;
    int j = c->op == BRISK_OP_MEASURE ? c->pos.row : c->pos.col;
    bool lv_i = i >= (int)p, lv_j = j >= (int)p;
    bool x_i = !lv_i && x[i], x_j = !lv_j && x[j];
    double sign = epc > 0 ? 1 : epc < 0 ? -1 : 0;
    double e = cov_std_epc(c, epc);
    if (c->op == BRISK_OP_COVARY && i == j && isnan(e)) {
        out->sepc_lv = out->sepc_all = out->sepc_nox = 0;   /* lavaan sets these to 0 */
        return;
    }
    e = fabs(e);
    double lv, all, nox;
    switch (c->op) {
    case BRISK_OP_MEASURE:   /* factor i, indicator j */
        lv = e * s->sd[i] / (lv_j ? s->sd[j] : 1);
        all = nox = lv_j ? lv : lv / s->sd[j];
        break;
    case BRISK_OP_REGRESS:   /* outcome i, predictor j */
        lv = e / (lv_i ? s->sd[i] : 1) * (lv_j ? s->sd[j] : 1);
        all = lv / (lv_i ? 1 : s->sd[i]) * (lv_j ? 1 : s->sd[j]);
        nox = lv / (lv_i ? 1 : s->sd[i]) * (lv_j || x_j ? 1 : s->sd[j]);
        break;
    case BRISK_OP_COVARY:
        if (i == j) {
            lv = lv_i ? e / (s->sd[i] * s->sd[i]) : e;
            all = lv_i ? lv : lv / s->var[i];
            nox = lv_i || x_i ? lv : lv / s->var[i];
        } else {
            lv = e / (lv_i ? s->rv[i] : 1) / (lv_j ? s->rv[j] : 1);
            all = lv / (lv_i ? 1 : s->rv[i]) / (lv_j ? 1 : s->rv[j]);
            nox = lv / (lv_i || x_i ? 1 : s->rv[i]) / (lv_j || x_j ? 1 : s->rv[j]);
        }
        break;
    case BRISK_OP_SCALE:   /* lavaan's std.all of a scale factor is 1 */
        lv = e;
        all = nox = 1;
        break;
    default:   /* an intercept */
        lv = lv_i ? e / s->sd[i] : e;
        all = lv_i ? lv : lv / s->sd[i];
        nox = lv_i || x_i ? lv : lv / s->sd[i];
        break;
    }
    out->sepc_lv = sign * lv;
    out->sepc_all = sign * all;
    out->sepc_nox = sign * nox;
}

/* ------------------------------------------------------------ the whole */

static bool fiml(const brisk_fitted *fd)
{
    for (size_t g = 0; g < fd->ngroups; g++)
        if (fd->moments[g].npatterns)
            return true;
    return false;
}

/* A WLSMV fit (ordered items). */
static bool wlsmv(const brisk_fitted *fd)
{
    return fd->fit->nthresholds || fd->model->ordered;
}

/* What lavaan's modindices does not do as brisk fits, refused by name. */
static brisk_status check_fit(const brisk_fitted *fd, brisk_error *err)
{
    const brisk_model *m = fd->model;
    if (!fd->fit || !m || !fd->moments)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "modification indices need a fitted "
                               "model");
    if (wlsmv(fd))   /* (constraints and fixed.x = FALSE are not fitted by WLSMV) */
        return BRISK_OK;
    if (brisk_estimator_least_squares(fd->fit->fit.estimator))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "modification indices are ML's score "
                               "tests: not available for a least-squares fit (--estimator %s)",
                               brisk_estimator_key(fd->fit->fit.estimator));
    if (fiml(fd) && brisk_model_nexogenous(m))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "modification indices are not "
                               "available with full-information ML (--missing fiml) and "
                               "fixed covariates; fit the model listwise (--missing "
                               "listwise) to see them");
    if (m->no_fixed_x)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "modification indices are not "
                               "available with fixed.x = FALSE");
    if (m->ninequalities) {
        brisk_error_set(err, BRISK_ERR_ARGUMENT, "modification indices are not available for "
                        "a model with inequality constraints (< or >); with equalities (==) "
                        "they are");
        brisk_error_at(err, m->source, m->constraint_line, 0);
        return BRISK_ERR_ARGUMENT;
    }
    return BRISK_OK;
}

/* MI decreasing; ties keep lavaan's order (R's order() is stable). */
static int by_mi(const void *a, const void *b)
{
    const brisk_modindex *x = a, *y = b;
    if (x->mi != y->mi)
        return x->mi > y->mi ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Full-information ML: lavaan's modindices() take the expected
 * information of the missing-data patterns, not of complete data. */
static bool fiml_information(sem_fitter *f)
{
    size_t q = f->q;
    double *info = malloc((q * q + 1) * sizeof *info);
    bool ok = info != NULL;
    memset(f->info, 0, q * q * sizeof *f->info);
    for (size_t g = 0; ok && g < f->ngroups; g++) {
        ok = brisk_fiml_expected_information(f->works[g], info);
        for (size_t k = 0; ok && k < q * q; k++)
            f->info[k] += f->weight[g] * info[k];
    }
    free(info);
    return ok;
}

static brisk_status implied_not_pd(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_MODEL, "could not compute modification indices: the "
                           "implied covariance matrix is not positive definite at the "
                           "estimates");
}

static brisk_status singular(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_MODEL, "could not compute modification indices: the "
                           "information matrix is singular");
}

/* ML's scores of the e candidates per respondent (d log L / d theta) into
 * g and diag(V) into v, from the fitter f of the extended model at the
 * estimates. */
static brisk_status ml_scores(const brisk_fitted *fd, sem_fitter *f, const roles *r, size_t e,
                              double *g, double *v, brisk_error *err)
{
    const brisk_model *m = fd->model;
    size_t q = m->nfree;
    if (!brisk_sem_fitter_derivatives(f) ||
        (brisk_model_nexogenous(m) && !brisk_sem_mask_covariates(f, r->x)))
        return implied_not_pd(err);
    if (fiml(fd) && !fiml_information(f))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!score_variances(m, f->info, q, e, v))
        return singular(err);
    for (size_t k = 0; k < e; k++)
        g[k] = -f->grad[q + k] / 2;
    return BRISK_OK;
}

/* WLSMV's (theta's model parameters polished to the optimum first):
 * lavaan's score is the DWLS discrepancy's gradient (with its
 * sign: g is its negative), its information Delta' W Delta (W the
 * diagonal of the weight matrix), the thresholds and scale factors among
 * the model's parameters. */
static brisk_status wlsmv_scores(const brisk_fitted *fd, const brisk_model *ext,
                                 double *theta, size_t e, double *g, double *v,
                                 brisk_error *err)
{
    const brisk_model *m = fd->model;
    double *score, *info;
    size_t extra, qm = m->nfree;
    brisk_status st = brisk_wlsmv_score_parts(m, ext, fd->fit, fd->moments, theta, &score,
                                              &info, &extra, err);
    if (st != BRISK_OK)
        return st;
    if (!score_variances(m, info, qm + extra, e, v))
        st = singular(err);
    for (size_t k = 0; k < e; k++)
        g[k] = -score[qm + extra + k];
    free(score);
    free(info);
    return st;
}

/* Score tests of the candidates at theta (q model parameters first; a
 * WLSMV fit's polished to the optimum). */
static brisk_status score_tests(const brisk_fitted *fd, const brisk_model *ext,
                                const candidates *cs, double *theta, brisk_modindex *mi,
                                size_t *count, brisk_error *err)
{
    const brisk_model *m = fd->model;
    size_t q = m->nfree, e = cs->n;
    sem_fitter *f = brisk_sem_fitter_new(ext, fd->moments);
    double *v = malloc((e + 1) * sizeof *v), *epc = malloc((e + 1) * sizeof *epc), value;
    double *score = malloc((e + 1) * sizeof *score);
    scales *sc = calloc(m->ngroups, sizeof *sc);
    roles r = {0};
    brisk_status st = BRISK_OK;
    if (!f || !v || !epc || !sc || !score || !find_roles(m, &r)) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (wlsmv(fd) && (st = wlsmv_scores(fd, ext, theta, e, score, v, err)) != BRISK_OK)
        goto cleanup;
    /* a WLSMV fit's fixed rows (the covariates' moments among them) as the
     * fit has them, for the standardized changes */
    for (size_t g = 0; wlsmv(fd) && g < f->ngroups; g++)
        for (size_t k = 0; k < m->nparams; k++)
            if (!ext->params[k].free)
                f->works[g]->fixed[k] = fd->fit->rows[k].est;
    if (!brisk_sem_fitter_objective(f, theta, &value)) {
        st = implied_not_pd(err);
        goto cleanup;
    }
    if (!wlsmv(fd) && (st = ml_scores(fd, f, &r, e, score, v, err)) != BRISK_OK)
        goto cleanup;
    double n = (double)f->ntotal;
    for (size_t k = 0; k < e; k++) {
        double g = score[k];
        double index = v[k] < cbrt(DBL_EPSILON) ? NAN : n * g * g / v[k];
        double d = fabs(n * g) < 1e-15 ? 1 : n * g;   /* as lavaan */
        mi[k] = (brisk_modindex){.lhs = cs->c[k].lhs, .rhs = cs->c[k].rhs, .op = cs->c[k].op,
                                 .group = cs->c[k].group, .mi = index, .epc = index / d,
                                 .order = k};
        epc[k] = mi[k].epc;
    }
    for (size_t g = 0; g < m->ngroups; g++)
        if (!group_scales(f->works[g], ext, q, theta, cs, epc, &sc[g])) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    *count = 0;
    for (size_t k = 0; k < e; k++) {
        if (isnan(mi[k].mi))
            continue;   /* lavaan's na.remove */
        standardize(m, &sc[cs->c[k].group], r.x, &cs->c[k], mi[k].epc, &mi[k]);
        mi[(*count)++] = mi[k];
    }
    qsort(mi, *count, sizeof *mi, by_mi);
cleanup:
    for (size_t g = 0; sc && g < m->ngroups; g++)
        scales_free(&sc[g]);
    free(sc);
    roles_free(&r);
    free(v);
    free(epc);
    free(score);
    brisk_sem_fitter_free(f);
    return st;
}

brisk_status brisk_modindices(const brisk_fitted *fd, brisk_modindex **out, size_t *n,
                              brisk_error *err)
{
    *out = NULL;
    *n = 0;
    brisk_status st = check_fit(fd, err);
    if (st != BRISK_OK)
        return st;
    const brisk_model *m = fd->model;
    candidates cs = {0};
    brisk_model ext = {0};
    double *theta = NULL;
    brisk_modindex *mi = NULL;
    if (!list_candidates(m, fd->moments, wlsmv(fd) ? fd->fit : NULL, &cs) || !extended_model(m, &cs, &ext)) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((st = brisk_sem_check_size(&ext, err)) != BRISK_OK)
        goto cleanup;
    size_t q = m->nfree;
    theta = malloc((q + cs.n + 1) * sizeof *theta);
    mi = calloc(cs.n + 1, sizeof *mi);
    if (!theta || !mi) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(theta, fd->fit->theta, q * sizeof *theta);
    if (!wlsmv(fd))
        brisk_sem_polish(m, fd->moments, theta);
    for (size_t k = 0; k < cs.n; k++)
        theta[q + k] = cs.c[k].value;
    size_t count = 0;
    st = score_tests(fd, &ext, &cs, theta, mi, &count, err);
    if (st == BRISK_OK) {
        *out = mi;
        *n = count;
        mi = NULL;
    }
cleanup:
    free(mi);
    free(theta);
    free(ext.params);
    free(ext.pos);
    free(cs.c);
    return st;
}
