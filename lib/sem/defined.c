/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Defined parameters (:=): a small expression evaluator and the delta
 * method for their standard errors. */
#include <config.h>
#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

/* Bounds on what a model file controls, so that no input grows the stack
 * without limit: how deep := names may refer to := names (a chain longer
 * than the model's := statements is a circle), and how deeply one
 * expression may nest parentheses, signs, powers and functions. */
#define MAX_DEPTH 256
#define MAX_NESTING 256

typedef struct expr_parser {
    const char *s;
    const brisk_model *m;
    brisk_sem_value_fn value_of;
    const void *ctx;
    size_t depth;
    size_t nesting;               /* open parentheses, signs, powers, calls */
    brisk_error *err;
    bool failed;
} expr_parser;

static double parse_sum(expr_parser *e);
static double parse_unary(expr_parser *e);

static void skip_blanks(expr_parser *e)
{
    while (*e->s == ' ' || *e->s == '\t')
        e->s++;
}

static double fail(expr_parser *e, const char *what, const char *name)
{
    if (!e->failed)
        brisk_error_set(e->err, BRISK_ERR_FORMAT, "in a defined parameter: %s%s%s%s", what,
                        name ? " '" : "", name ? name : "", name ? "'" : "");
    e->failed = true;
    return NAN;
}

/* The value of a label: a labelled parameter, or an earlier := name. */
static double label_value(expr_parser *e, const char *name)
{
    const brisk_model *m = e->m;
    for (size_t r = 0; r < m->nparams; r++)
        if (m->params[r].op != BRISK_OP_DEFINE && strcmp(m->params[r].label, name) == 0)
            return e->value_of(m, r, e->ctx);
    for (size_t r = 0; r < m->nparams; r++) {
        if (m->params[r].op == BRISK_OP_DEFINE && strcmp(m->params[r].lhs, name) == 0) {
            double v;
            size_t defined = 0;
            for (size_t d = 0; d < m->nparams; d++)
                defined += m->params[d].op == BRISK_OP_DEFINE;
            if (e->depth >= defined)
                return fail(e, "definitions refer to each other in a circle at", name);
            if (e->depth >= MAX_DEPTH)
                return fail(e, "definitions refer to definitions more than 256 deep at", name);
            if (!brisk_sem_eval_expr(m, m->params[r].expr, e->value_of, e->ctx, e->depth + 1,
                                     &v, e->err))
                e->failed = true;
            return v;
        }
    }
    return fail(e, "no parameter has the label", name);
}

static double apply_function(expr_parser *e, const char *name, double x)
{
    if (strcmp(name, "sqrt") == 0)
        return sqrt(x);
    if (strcmp(name, "exp") == 0)
        return exp(x);
    if (strcmp(name, "log") == 0)
        return log(x);
    if (strcmp(name, "abs") == 0)
        return fabs(x);
    return fail(e, "unknown function (known: sqrt exp log abs)", name);
}

static double parse_primary(expr_parser *e)
{
    skip_blanks(e);
    if (*e->s == '(') {
        e->s++;
        double v = parse_sum(e);
        skip_blanks(e);
        if (*e->s != ')')
            return fail(e, "expected ')'", NULL);
        e->s++;
        return v;
    }
    if (isdigit((unsigned char)*e->s) || *e->s == '.') {
        char *end;
        double v = strtod(e->s, &end);
        e->s = end;
        return v;
    }
    if (isalpha((unsigned char)*e->s) || *e->s == '_') {
        char name[256];
        size_t n = 0;
        while ((isalnum((unsigned char)*e->s) || *e->s == '_' || *e->s == '.') && n < 255)
            name[n++] = *e->s++;
        name[n] = '\0';
        skip_blanks(e);
        if (*e->s == '(')   /* its parenthesis counts towards the nesting */
            return apply_function(e, name, parse_primary(e));
        return label_value(e, name);
    }
    return fail(e, "unexpected text", e->s);
}

static double parse_power(expr_parser *e)
{
    double base = parse_primary(e);
    skip_blanks(e);
    if (*e->s == '^') {
        e->s++;
        return pow(base, parse_unary(e));   /* lavaan's (R's) -x^-y: the exponent may be signed */
    }
    return base;
}

static double parse_signed(expr_parser *e)
{
    skip_blanks(e);
    if (*e->s == '-') {
        e->s++;
        return -parse_unary(e);
    }
    if (*e->s == '+') {
        e->s++;
        return parse_unary(e);
    }
    return parse_power(e);
}

/* Every recursion of the grammar passes here (a parenthesis through
 * parse_sum, a sign, a power's exponent, a function's argument), which
 * bounds the nesting. */
static double parse_unary(expr_parser *e)
{
    if (e->failed)
        return NAN;
    if (++e->nesting > MAX_NESTING)
        return fail(e, "the expression nests parentheses, signs or powers more than 256 deep",
                    NULL);
    double v = parse_signed(e);
    e->nesting--;
    return v;
}

static double parse_product(expr_parser *e)
{
    double v = parse_unary(e);
    for (;;) {
        skip_blanks(e);
        if (*e->s == '*') {
            e->s++;
            v *= parse_unary(e);
        } else if (*e->s == '/') {
            e->s++;
            v /= parse_unary(e);
        } else {
            return v;
        }
    }
}

static double parse_sum(expr_parser *e)
{
    double v = parse_product(e);
    for (;;) {
        skip_blanks(e);
        if (*e->s == '+') {
            e->s++;
            v += parse_product(e);
        } else if (*e->s == '-') {
            e->s++;
            v -= parse_product(e);
        } else {
            return v;
        }
    }
}

bool brisk_sem_eval_expr(const brisk_model *m, const char *expr, brisk_sem_value_fn value_of,
                         const void *ctx, size_t depth, double *out, brisk_error *err)
{
    expr_parser e = {.s = expr, .m = m, .value_of = value_of, .ctx = ctx, .depth = depth,
                     .err = err};
    *out = parse_sum(&e);
    skip_blanks(&e);
    if (!e.failed && *e.s)
        fail(&e, "unexpected text", e.s);
    return !e.failed;
}

/* ------------------------------------------------------------ delta method */

typedef struct theta_values {
    const double *theta;
} theta_values;

static double estimate_of(const brisk_model *m, size_t row, const void *ctx)
{
    const brisk_param *p = &m->params[row];
    return p->free ? ((const theta_values *)ctx)->theta[p->free - 1] : p->start;
}

/* Central differences: the expressions are smooth and cheap. */
static bool jacobian(const brisk_model *m, const char *expr, double *theta, double *grad,
                     brisk_error *err)
{
    theta_values tv = {theta};
    for (size_t k = 0; k < m->nfree; k++) {
        double keep = theta[k], h = 1e-6 * fmax(1.0, fabs(keep)), up, down;
        theta[k] = keep + h;
        bool ok = brisk_sem_eval_expr(m, expr, estimate_of, &tv, 0, &up, err);
        theta[k] = keep - h;
        ok = ok && brisk_sem_eval_expr(m, expr, estimate_of, &tv, 0, &down, err);
        theta[k] = keep;
        if (!ok)
            return false;
        grad[k] = (up - down) / (2 * h);
    }
    return true;
}

brisk_status brisk_sem_defined(const brisk_model *m, brisk_fit *fit, brisk_error *err)
{
    size_t q = m->nfree;
    double *grad = malloc((q ? q : 1) * sizeof *grad);
    if (!grad)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    theta_values tv = {fit->theta};
    brisk_status st = BRISK_OK;
    for (size_t r = 0; r < m->nparams && st == BRISK_OK; r++) {
        const brisk_param *par = &m->params[r];
        brisk_estimate *e = &fit->rows[r];
        if (par->op != BRISK_OP_DEFINE)
            continue;
        *e = (brisk_estimate){.se = NAN, .z = NAN, .pvalue = NAN, .ci_lower = NAN,
                              .ci_upper = NAN, .std_se = NAN, .std_ci_lower = NAN,
                              .std_ci_upper = NAN, .std_lv_se = NAN, .std_all_se = NAN};
        if (!brisk_sem_eval_expr(m, par->expr, estimate_of, &tv, 0, &e->est, err)) {
            st = BRISK_ERR_FORMAT;
            break;
        }
        if (!fit->vcov_valid)
            continue;   /* an estimates-only fit: the value is all */
        if (!jacobian(m, par->expr, fit->theta, grad, err)) {
            st = BRISK_ERR_FORMAT;
            break;
        }
        double var = 0;
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++)
                var += grad[a] * fit->vcov[a * q + b] * grad[b];
        e->se = sqrt(fmax(var, 0));
        e->z = e->se > 0 ? e->est / e->se : NAN;
        e->pvalue = e->se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(e->z)) : NAN;
        e->ci_lower = e->est - 1.959963984540054 * e->se;
        e->ci_upper = e->est + 1.959963984540054 * e->se;
    }
    free(grad);
    return st;
}
