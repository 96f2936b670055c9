/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Equality constraints ("a1 == a2", "b1 + b2 + b3 == 3") as lavaan fits
 * linear ones: by reparameterisation.  The constraints A theta = c leave
 * the free parameters theta = K beta + k0, K a basis of A's null space
 * (identity on the parameters no constraint names), so the fit runs over
 * beta; the vcov of theta is K (K' I K)^-1 K' and each independent
 * constraint adds a degree of freedom (lavaan's ceq.linear with its K
 * matrix). */
#include <config.h>
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* The constraints' values at point x of the free parameters; touched
 * (when not NULL) marks the free parameters an evaluation reads. */
typedef struct point {
    const double *x;
    bool *touched;
} point;

static double value_at(const brisk_model *m, size_t row, const void *ctx)
{
    const brisk_param *p = &m->params[row];
    const point *pt = ctx;
    if (p->free && pt->touched)
        pt->touched[p->free - 1] = true;
    return p->free ? pt->x[p->free - 1] : p->start;
}

static brisk_status constraint_error(const brisk_model *m, const brisk_statement *s,
                                     brisk_error *err, const char *what)
{
    brisk_error_at(err, m->source, s->line, s->column);
    return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: the constraint '%s %s %s' %s",
                           s->lhs, brisk_op_text(s->op), s->expr, what);
}

/* lhs - rhs of an == statement at x; false (err set) on an unknown label. */
static bool difference(const brisk_model *m, const brisk_statement *s, const double *x,
                       bool *touched, double *d, brisk_error *err)
{
    point pt = {x, touched};
    double l, r;
    if (!brisk_sem_eval_expr(m, s->lhs, value_at, &pt, 0, &l, err) ||
        !brisk_sem_eval_expr(m, s->expr, value_at, &pt, 0, &r, err)) {
        /* the evaluator speaks of defined parameters: say which constraint */
        char why[sizeof err->message];
        const char *msg = err ? err->message : "";
        const char *prefix = "in a defined parameter: ";
        snprintf(why, sizeof why, "%s", strncmp(msg, prefix, strlen(prefix)) == 0
                                            ? msg + strlen(prefix) : msg);
        brisk_error_at(err, m->source, s->line, s->column);
        brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: in the constraint '%s %s %s': %s",
                        s->lhs, brisk_op_text(s->op), s->expr, why);
        return false;
    }
    *d = s->op == BRISK_OP_LESS ? r - l : l - r;   /* an inequality: *d >= 0 */
    return true;
}

/* Row a (nfree, zero on entry) and constant c of one constraint
 * a' theta = c, found by evaluating it at 0 and at the unit vector of each
 * free parameter it reads (so its cost grows with its labels, not with
 * the model), then checked at two other points: a constraint that is not
 * linear is refused. */
static brisk_status linear_form(const brisk_model *m, const brisk_statement *s, double *x,
                                bool *touched, double *a, double *c, brisk_error *err)
{
    size_t q = m->nfree;
    double d0, d;
    memset(x, 0, q * sizeof *x);
    memset(touched, 0, q * sizeof *touched);
    if (!difference(m, s, x, touched, &d0, err))
        return BRISK_ERR_FORMAT;
    bool any = false;
    for (size_t k = 0; k < q; k++) {
        if (!touched[k])
            continue;
        x[k] = 1;
        if (!difference(m, s, x, NULL, &d, err))
            return BRISK_ERR_FORMAT;
        x[k] = 0;
        a[k] = d - d0;
        any |= a[k] != 0;
    }
    *c = -d0;
    bool linear = isfinite(d0);
    for (int trial = 1; linear && trial <= 2; trial++) {
        double want = d0;
        for (size_t k = 0; k < q; k++) {
            x[k] = touched[k] ? trial * (0.37 + 0.61 * (double)((k * 7 + 3) % 11) / 11) : 0;
            want += a[k] * x[k];
        }
        linear = difference(m, s, x, NULL, &d, err) && isfinite(d) &&
                 fabs(d - want) <= 1e-9 * (1 + fabs(want));
        if (!linear && !isfinite(d0 + d))
            break;
    }
    if (!linear)
        return constraint_error(m, s, err, "is not linear in the parameters: brisk fits linear "
                                "constraints ('a1 == a2', 'a1 == 2*a2', 'a + b == 1', "
                                "'a == 0.5', 'a > 0', 'a1 < a2'); write it so, or leave it out");
    if (!any)
        return constraint_error(m, s, err, "names no free parameter (a fixed parameter's label "
                                "stands for its value): constrain a free parameter's label");
    return BRISK_OK;
}

/* Eigenvectors of A_J' A_J over the parameters J the constraints name:
 * those of eigenvalue 0 span the null space; the others give the
 * least-squares particular solution.  Returns the rank (-1 out of memory). */
static long null_space(const double *A, size_t ncon, size_t q, const size_t *J, size_t nj,
                       double *vec, double *val)
{
    double *ata = calloc(nj * nj + 1, sizeof *ata);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(nj);
    if (!ata || !ws) {
        free(ata);
        gsl_eigen_symmv_free(ws);
        return -1;
    }
    for (size_t i = 0; i < nj; i++)
        for (size_t j = 0; j < nj; j++)
            for (size_t r = 0; r < ncon; r++)
                ata[i * nj + j] += A[r * q + J[i]] * A[r * q + J[j]];
    gsl_matrix_view M = gsl_matrix_view_array(ata, nj, nj), V = gsl_matrix_view_array(vec, nj, nj);
    gsl_vector_view ev = gsl_vector_view_array(val, nj);
    gsl_eigen_symmv(&M.matrix, &ev.vector, &V.matrix, ws);
    gsl_eigen_symmv_sort(&ev.vector, &V.matrix, GSL_EIGEN_SORT_VAL_DESC);
    gsl_eigen_symmv_free(ws);
    free(ata);
    long rank = 0;
    for (size_t i = 0; i < nj; i++)
        rank += val[i] > 1e-10 * val[0];
    return rank;
}

/* K, k0 and nred of b from A theta = c (ncon rows); an inconsistent set
 * (a == 1 and a == 2) is an error naming the first constraint that the
 * others contradict (stmts[r]; with stmts NULL, the model's constraints
 * as a whole). */
static brisk_status reparameterise(const brisk_model *m, const brisk_statement *const *stmts,
                                   size_t ncon, const double *A, const double *c,
                                   sem_basis *b, brisk_error *err)
{
    size_t q = m->nfree, nj = 0;
    size_t *J = calloc(q + 1, sizeof *J);
    bool *named = calloc(q + 1, sizeof *named);
    double *vec = calloc(q * q + 1, sizeof *vec), *val = calloc(q + 1, sizeof *val);
    brisk_status st = BRISK_ERR_NOMEM;
    long rank = -1;
    if (!J || !named || !vec || !val)
        goto done;
    for (size_t k = 0; k < q; k++)
        for (size_t r = 0; r < ncon && !named[k]; r++)
            named[k] = A[r * q + k] != 0;
    for (size_t k = 0; k < q; k++)
        if (named[k])
            J[nj++] = k;
    if ((rank = null_space(A, ncon, q, J, nj, vec, val)) < 0)
        goto done;
    /* k0 = (A_J' A_J)^+ A_J' c on J, 0 elsewhere */
    if (!(b->k0 = calloc(q + 1, sizeof *b->k0)) ||
        !(b->K = calloc(q * (q - (size_t)rank) + 1, sizeof *b->K)))
        goto done;
    for (size_t e = 0; e < (size_t)rank; e++) {
        double proj = 0;
        for (size_t i = 0; i < nj; i++) {
            double atc = 0;
            for (size_t r = 0; r < ncon; r++)
                atc += A[r * q + J[i]] * c[r];
            proj += vec[i * nj + e] * atc;
        }
        for (size_t i = 0; i < nj; i++)
            b->k0[J[i]] += vec[i * nj + e] * proj / val[e];
    }
    for (size_t r = 0; r < ncon; r++) {
        double lhs = 0, scale = fabs(c[r]);
        for (size_t k = 0; k < q; k++) {
            lhs += A[r * q + k] * b->k0[k];
            scale += fabs(A[r * q + k] * b->k0[k]);
        }
        if (fabs(lhs - c[r]) > 1e-8 * (1 + scale)) {
            if (stmts)
                st = constraint_error(m, stmts[r], err, "contradicts the other constraints (no "
                                      "value of the parameters meets them all): leave one out");
            else {
                brisk_error_at(err, m->source, m->constraint_line, 0);
                st = brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: the inequality "
                                     "constraints contradict each other or the equalities (no "
                                     "value of the parameters meets them all)");
            }
            goto done;
        }
    }
    /* columns: each parameter no constraint names, then the null space on J */
    size_t nred = q - (size_t)rank, col = 0;
    for (size_t k = 0; k < q; k++)
        if (!named[k])
            b->K[k * nred + col++] = 1;
    /* rounding left in an eigenvector is cut, so that a parameter the
     * constraints pin (a == 0.5) has an SE of exactly 0, as lavaan's */
    for (size_t e = (size_t)rank; e < nj; e++, col++)
        for (size_t i = 0; i < nj; i++)
            b->K[J[i] * nred + col] = fabs(vec[i * nj + e]) < 1e-12 ? 0 : vec[i * nj + e];
    b->nred = nred;
    st = BRISK_OK;
done:
    if (st != BRISK_OK) {
        free(b->K);
        free(b->k0);
        b->K = b->k0 = NULL;
    }
    free(J);
    free(named);
    free(vec);
    free(val);
    return st == BRISK_ERR_NOMEM ? brisk_error_set(err, st, "out of memory") : st;
}

static bool is_constraint(brisk_op op)
{
    return op == BRISK_OP_EQUAL || op == BRISK_OP_LESS || op == BRISK_OP_GREATER;
}

brisk_status brisk_sem_constraints(brisk_model *m, const brisk_syntax *syn, brisk_error *err)
{
    size_t q = m->nfree, ncon = 0, neq = 0;
    m->nreduced = m->npar = q;
    for (size_t i = 0; i < syn->n; i++) {
        ncon += is_constraint(syn->stmts[i].op);
        neq += syn->stmts[i].op == BRISK_OP_EQUAL;
    }
    if (!ncon)
        return BRISK_OK;
    const brisk_statement **stmts = calloc(ncon, sizeof *stmts);
    double *x = calloc(q + 1, sizeof *x);
    bool *touched = calloc(q + 1, sizeof *touched);
    m->A = calloc(ncon * q + 1, sizeof *m->A);
    m->c = calloc(ncon, sizeof *m->c);
    brisk_status st = stmts && m->A && m->c && x && touched
                          ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    /* the equalities first, then the inequalities, each in the order written */
    for (int pass = 0, r = 0; pass < 2; pass++)
        for (size_t i = 0; st == BRISK_OK && i < syn->n; i++) {
            brisk_op op = syn->stmts[i].op;
            if (!is_constraint(op) || (op == BRISK_OP_EQUAL) != (pass == 0))
                continue;
            stmts[r] = &syn->stmts[i];
            if (!m->constraint_line || syn->stmts[i].line < m->constraint_line)
                m->constraint_line = syn->stmts[i].line;
            st = linear_form(m, stmts[r], x, touched, m->A + (size_t)r * q, &m->c[r], err);
            r++;
        }
    sem_basis basis = {0};
    if (st == BRISK_OK && neq)
        st = reparameterise(m, stmts, neq, m->A, m->c, &basis, err);
    if (st == BRISK_OK && neq) {
        m->K = basis.K;
        m->k0 = basis.k0;
        m->nreduced = m->npar = basis.nred;
    }
    if (st == BRISK_OK) {
        m->nconstraints = neq;
        m->ninequalities = ncon - neq;
    }
    free(stmts);
    free(x);
    free(touched);
    return st;
}

brisk_status brisk_sem_active_basis(const brisk_model *m, const bool *active, sem_basis *b,
                                    brisk_error *err)
{
    size_t q = m->nfree, n = 0, all = m->nconstraints + m->ninequalities;
    memset(b, 0, sizeof *b);
    b->nred = q;
    double *A = calloc(all * q + 1, sizeof *A), *c = calloc(all + 1, sizeof *c);
    if (!A || !c) {
        free(A);
        free(c);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < all; r++) {
        if (r >= m->nconstraints && !active[r - m->nconstraints])
            continue;
        memcpy(A + n * q, m->A + r * q, q * sizeof *A);
        c[n++] = m->c[r];
    }
    brisk_status st = n ? reparameterise(m, NULL, n, A, c, b, err) : BRISK_OK;
    free(A);
    free(c);
    return st;
}

double brisk_sem_inequality(const brisk_model *m, size_t i, const double *theta)
{
    size_t q = m->nfree, r = m->nconstraints + i;
    double v = -m->c[r];
    for (size_t k = 0; k < q; k++)
        v += m->A[r * q + k] * theta[k];
    return v;
}

void brisk_sem_expand(const brisk_model *m, const double *beta, double *theta)
{
    size_t q = m->nfree, r = m->nreduced;
    for (size_t k = 0; k < q; k++) {
        double v = m->k0[k];
        for (size_t j = 0; j < r; j++)
            v += m->K[k * r + j] * beta[j];
        theta[k] = v;
    }
}

void brisk_sem_reduce(const brisk_model *m, const double *theta, double *beta)
{
    /* K has orthonormal columns: beta = K' (theta - k0), the nearest point
     * that meets the constraints */
    size_t q = m->nfree, r = m->nreduced;
    for (size_t j = 0; j < r; j++) {
        double v = 0;
        for (size_t k = 0; k < q; k++)
            v += m->K[k * r + j] * (theta[k] - m->k0[k]);
        beta[j] = v;
    }
}

void brisk_sem_project_to(const brisk_model *m, const double *mat, double *out, double *col)
{
    size_t n = m->nfree, r = m->nreduced;
    const double *K = m->K;
    for (size_t j = 0; j < r; j++) {   /* a column of mat K, then of K' (mat K) */
        for (size_t k = 0; k < n; k++) {
            double v = 0;
            for (size_t l = 0; l < n; l++)
                v += mat[k * n + l] * K[l * r + j];
            col[k] = v;
        }
        for (size_t i = 0; i < r; i++) {
            double v = 0;
            for (size_t k = 0; k < n; k++)
                v += K[k * r + i] * col[k];
            out[i * r + j] = v;
        }
    }
}

bool brisk_sem_project(const brisk_model *m, double *mat)
{
    size_t n = m->nfree, r = m->nreduced;
    double *out = malloc((r * r + 1) * sizeof *out), *col = malloc((n + 1) * sizeof *col);
    bool ok = out && col;
    if (ok) {
        brisk_sem_project_to(m, mat, out, col);
        memcpy(mat, out, r * r * sizeof *mat);
    }
    free(out);
    free(col);
    return ok;
}
