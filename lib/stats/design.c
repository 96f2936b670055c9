/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An R formula read into the model matrix of the rows it can use:
 * numeric predictors as they are, categorical ones as treatment dummies
 * (the first level the reference), interactions as products, rows with a
 * missing value left out and counted. */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "design.h"

#define MAX_VARS 64
#define MAX_TERMS 256
#define MAX_ORDER 8
#define MAX_NODES 512
#define MAX_DEPTH 64

/* A node of an arithmetic expression: what I() and the functions hold. */
typedef enum node_kind {
    NODE_NUMBER, NODE_COLUMN, NODE_MINUS, NODE_PLUS, NODE_PAREN,
    NODE_ADD, NODE_SUB, NODE_MUL, NODE_DIV, NODE_POW,
    NODE_I, NODE_LOG, NODE_LOG10, NODE_SQRT, NODE_EXP, NODE_SCALE
} node_kind;

/* The functions of a formula, in the order of their node kinds from NODE_I. */
static const char *const functions[] = {"I", "log", "log10", "sqrt", "exp", "scale"};
#define KNOWN_FUNCTIONS "I(), log(), log10(), sqrt(), exp(), scale()"

typedef struct node {
    node_kind kind;
    size_t a, b;                 /* operands (a: a sign's, a call's or a parenthesis') */
    double number;
    const brisk_column *col;
    double mean, sd;             /* scale(): its argument's over the rows in scope */
    const char *at;              /* where the formula writes it */
} node;

/* A variable of the formula and how it enters the model: a column, or an
 * expression of columns (always numeric). */
typedef struct variable {
    const brisk_column *col;     /* NULL for an expression */
    size_t root;                 /* an expression's node */
    char *name;                  /* an expression's name, as R deparses it */
    double *values;              /* an expression's value in each used row of the data */
    bool categorical;
    char **levels;        /* categorical: level names in order */
    double *codes;        /* numeric categorical: each level's code */
    size_t nlevels;
} variable;

/* A term: the product of up to MAX_ORDER variables, in the order written. */
typedef struct term {
    size_t var[MAX_ORDER];
    size_t order;
} term;

typedef struct builder {
    const brisk_dataset *ds;
    const brisk_regress_options *opt;
    brisk_error *err;
    const char *formula;
    variable vars[MAX_VARS];
    size_t nvars;
    term terms[MAX_TERMS];
    size_t nterms;
    node nodes[MAX_NODES];
    size_t nnodes;
    size_t depth;         /* of the expression being read */
    bool intercept;
    size_t outcome;       /* index into vars */
} builder;

static const char *var_name(const variable *v)
{
    return v->col ? v->col->name : v->name;
}

/* ------------------------------------------------------------ formula */

/* The column (in characters, from 1) of at in the formula. */
static size_t column_at(const char *formula, const char *at)
{
    size_t column = 1;
    for (const char *p = formula; p < at && *p; p++)
        column += ((unsigned char)*p & 0xC0) != 0x80;
    return column;
}

static brisk_status formula_message(builder *b, brisk_status status, const char *at,
                                    const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static brisk_status formula_message(builder *b, brisk_status status, const char *at,
                                    const char *fmt, va_list ap)
{
    char what[400];
    vsnprintf(what, sizeof what, fmt, ap);
    return brisk_error_set(b->err, status, "formula '%s', column %zu: %s", b->formula,
                           column_at(b->formula, at), what);
}

/* An error of the formula's text at a column (exit 2, as a bad file). */
static brisk_status formula_error(builder *b, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static brisk_status formula_error(builder *b, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    brisk_status st = formula_message(b, BRISK_ERR_FORMAT, at, fmt, ap);
    va_end(ap);
    return st;
}

/* A problem of the data under a part of the formula (log of 0, ...). */
static brisk_status formula_problem(builder *b, brisk_status status, const char *at,
                                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static brisk_status formula_problem(builder *b, brisk_status status, const char *at,
                                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    brisk_status st = formula_message(b, status, at, fmt, ap);
    va_end(ap);
    return st;
}

/* Letters (any byte of a UTF-8 letter), digits, '_' and '.', as R's names. */
static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || ((unsigned char)c & 0x80);
}

static void skip_blanks(const char **pp)
{
    while (**pp == ' ' || **pp == '\t')
        (*pp)++;
}

/* A name at *pp: bare (letters, digits, '_', '.'; not a number) or in
 * backticks (`Trust 1`).  *name and *len delimit it, *pp moves past it;
 * false when there is none (a backtick's end is checked beforehand). */
static bool read_name(const char **pp, const char **name, size_t *len, bool *quoted)
{
    const char *p = *pp;
    *quoted = *p == '`';
    if (*quoted) {
        const char *close = strchr(p + 1, '`');
        if (!close || close == p + 1)
            return false;
        *name = p + 1;
        *len = (size_t)(close - p - 1);
        *pp = close + 1;
        return true;
    }
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])))
        return false;
    while (is_name_char(*p))
        p++;
    if (p == *pp)
        return false;
    *name = *pp;
    *len = (size_t)(p - *pp);
    *pp = p;
    return true;
}

/* The column named name, or an error naming it. */
static brisk_status find_column(builder *b, const char *name, size_t len,
                                const brisk_column **out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < 255 ? len : 255), name);
    *out = NULL;
    for (size_t c = 0; c < b->ds->ncols && !*out; c++)
        if (strcmp(b->ds->cols[c].name, buf) == 0)
            *out = &b->ds->cols[c];
    if (*out)
        return BRISK_OK;
    char near[300];
    brisk_error_variable(b->err, buf);
    return brisk_error_set(b->err, BRISK_ERR_COLUMN, "'%s' in the formula is not a column "
                           "of %s%s", buf, b->opt->source ? b->opt->source : "the data",
                           brisk_dataset_did_you_mean(b->ds, buf, near, sizeof near));
}

static brisk_status add_variable(builder *b, variable v, size_t *out)
{
    if (b->nvars == MAX_VARS) {
        free(v.name);
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "a formula may name at most %d "
                               "variables", MAX_VARS);
    }
    b->vars[b->nvars] = v;
    *out = b->nvars++;
    return BRISK_OK;
}

/* The variable of column name (added when new). */
static brisk_status variable_of(builder *b, const char *name, size_t len, size_t *out)
{
    for (size_t i = 0; i < b->nvars; i++)
        if (b->vars[i].col && strlen(b->vars[i].col->name) == len &&
            strncmp(b->vars[i].col->name, name, len) == 0) {
            *out = i;
            return BRISK_OK;
        }
    const brisk_column *col;
    brisk_status st = find_column(b, name, len, &col);
    return st == BRISK_OK ? add_variable(b, (variable){.col = col}, out) : st;
}

/* -------------------------------------------- expressions: I(), log(), ... */

static brisk_status new_node(builder *b, node n, size_t *out)
{
    if (b->nnodes == MAX_NODES)
        return formula_error(b, n.at, "the expressions of a formula may have at most %d parts",
                             MAX_NODES);
    b->nodes[b->nnodes] = n;
    *out = b->nnodes++;
    return BRISK_OK;
}

static brisk_status parse_sum(builder *b, const char **pp, size_t *out);

/* The function called at name, or -1 (an unknown one is an error). */
static int function_of(const char *name, size_t len)
{
    for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++)
        if (strlen(functions[k]) == len && strncmp(functions[k], name, len) == 0)
            return (int)k;
    return -1;
}

/* name( expression ), *pp just past the '('. */
static brisk_status parse_call(builder *b, const char *name, size_t len, const char **pp,
                               size_t *out)
{
    int f = function_of(name, len);
    if (f < 0)
        return formula_error(b, name, "unknown function '%.*s' in the formula; brisk knows "
                             KNOWN_FUNCTIONS, (int)(len < 64 ? len : 64), name);
    size_t arg;
    brisk_status st = parse_sum(b, pp, &arg);
    if (st != BRISK_OK)
        return st;
    skip_blanks(pp);
    if (**pp == ',')
        return formula_error(b, *pp, "%s() takes one argument here", functions[f]);
    if (**pp != ')')
        return formula_error(b, *pp, "expected ')' to close %s(", functions[f]);
    (*pp)++;
    return new_node(b, (node){.kind = (node_kind)(NODE_I + f), .a = arg, .at = name}, out);
}

/* A number, a column, a call or a parenthesis. */
static brisk_status parse_primary(builder *b, const char **pp, size_t *out)
{
    skip_blanks(pp);
    const char *at = *pp, *name;
    size_t len;
    bool quoted;
    if (isdigit((unsigned char)*at) || (*at == '.' && isdigit((unsigned char)at[1]))) {
        char *end;
        double x = strtod(at, &end);
        *pp = end;
        return new_node(b, (node){.kind = NODE_NUMBER, .number = x, .at = at}, out);
    }
    if (*at == '(') {
        (*pp)++;
        size_t inner;
        brisk_status st = parse_sum(b, pp, &inner);
        if (st != BRISK_OK)
            return st;
        skip_blanks(pp);
        if (**pp != ')')
            return formula_error(b, *pp, "expected ')'");
        (*pp)++;
        return new_node(b, (node){.kind = NODE_PAREN, .a = inner, .at = at}, out);
    }
    if (!read_name(pp, &name, &len, &quoted))
        return formula_error(b, at, "expected a number, a variable name or a function");
    const char *after = *pp;
    skip_blanks(&after);
    if (!quoted && *after == '(') {
        *pp = after + 1;
        return parse_call(b, name, len, pp, out);
    }
    const brisk_column *col;
    brisk_status st = find_column(b, name, len, &col);
    if (st == BRISK_OK && col->type == BRISK_STRING) {
        brisk_error_variable(b->err, col->name);
        return formula_error(b, at, "'%s' holds text; arithmetic and functions need numbers",
                             col->name);
    }
    return st == BRISK_OK ? new_node(b, (node){.kind = NODE_COLUMN, .col = col, .at = at}, out)
                          : st;
}

/* A sign, then a power: R's -x^2 is -(x^2). */
static brisk_status parse_unary(builder *b, const char **pp, size_t *out)
{
    skip_blanks(pp);
    const char *at = *pp;
    if (++b->depth > MAX_DEPTH)
        return formula_error(b, at, "expression nested more than %d deep", MAX_DEPTH);
    brisk_status st;
    if (*at == '-' || *at == '+') {
        (*pp)++;
        size_t a;
        st = parse_unary(b, pp, &a);
        if (st == BRISK_OK)
            st = new_node(b, (node){.kind = *at == '-' ? NODE_MINUS : NODE_PLUS, .a = a,
                                    .at = at}, out);
    } else {
        size_t base;
        st = parse_primary(b, pp, &base);
        const char *op = *pp;
        skip_blanks(&op);
        if (st == BRISK_OK && *op == '^') {
            *pp = op + 1;
            size_t power;
            st = parse_unary(b, pp, &power);   /* right-associative: 2^3^2 is 2^9 */
            if (st == BRISK_OK)
                st = new_node(b, (node){.kind = NODE_POW, .a = base, .b = power, .at = op},
                              out);
        } else {
            *out = base;
        }
    }
    b->depth--;
    return st;
}

static brisk_status parse_product(builder *b, const char **pp, size_t *out)
{
    brisk_status st = parse_unary(b, pp, out);
    for (;;) {
        const char *op = *pp;
        skip_blanks(&op);
        if (st != BRISK_OK || (*op != '*' && *op != '/'))
            return st;
        *pp = op + 1;
        size_t right;
        st = parse_unary(b, pp, &right);
        if (st == BRISK_OK)
            st = new_node(b, (node){.kind = *op == '*' ? NODE_MUL : NODE_DIV, .a = *out,
                                    .b = right, .at = op}, out);
    }
}

static brisk_status parse_sum(builder *b, const char **pp, size_t *out)
{
    brisk_status st = parse_product(b, pp, out);
    for (;;) {
        const char *op = *pp;
        skip_blanks(&op);
        if (st != BRISK_OK || (*op != '+' && *op != '-'))
            return st;
        *pp = op + 1;
        size_t right;
        st = parse_product(b, pp, &right);
        if (st == BRISK_OK)
            st = new_node(b, (node){.kind = *op == '+' ? NODE_ADD : NODE_SUB, .a = *out,
                                    .b = right, .at = op}, out);
    }
}

/* A number as R deparses it: the fewest significant digits (at most 15)
 * that give it, fixed notation unless scientific is shorter. */
static void r_number(double x, char *buf, size_t size)
{
    char want[40], sci[40], fixed[64];
    if (!isfinite(x)) {   /* 1e720 in a formula: R writes Inf */
        snprintf(buf, size, "%s", isnan(x) ? "NaN" : x > 0 ? "Inf" : "-Inf");
        return;
    }
    snprintf(want, sizeof want, "%.14e", x);
    int digits = 1;
    for (; digits < 15; digits++) {
        snprintf(sci, sizeof sci, "%.*e", digits - 1, x);
        if (strtod(sci, NULL) == strtod(want, NULL))
            break;
    }
    snprintf(sci, sizeof sci, "%.*e", digits - 1, x);
    int exponent = atoi(strchr(sci, 'e') + 1);
    int decimals = digits - 1 - exponent;
    snprintf(fixed, sizeof fixed, "%.*f", decimals > 0 ? decimals : 0, x);
    snprintf(buf, size, "%s", strlen(fixed) <= strlen(sci) ? fixed : sci);
}

/* Is name one R writes without backticks? */
static bool is_syntactic(const char *name)
{
    static const char *const reserved[] = {"if", "else", "repeat", "while", "function", "for",
                                           "next", "break", "TRUE", "FALSE", "NULL", "Inf",
                                           "NaN", "NA", "in"};
    if (!*name || isdigit((unsigned char)*name) || *name == '_' ||
        (*name == '.' && isdigit((unsigned char)name[1])))
        return false;
    for (const char *p = name; *p; p++)
        if (!is_name_char(*p))
            return false;
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        if (strcmp(name, reserved[k]) == 0)
            return false;
    return true;
}

/* The expression at node i as R deparses it: blanks around + - *, none
 * around / ^, non-syntactic names in backticks. */
static bool deparse(const builder *b, size_t i, brisk_buf *out)
{
    const node *n = &b->nodes[i];
    static const char *const ops[] = {[NODE_ADD] = " + ", [NODE_SUB] = " - ", [NODE_MUL] = " * ",
                                      [NODE_DIV] = "/", [NODE_POW] = "^"};
    char num[64];
    switch (n->kind) {
    case NODE_NUMBER:
        r_number(n->number, num, sizeof num);
        return brisk_buf_puts(out, num);
    case NODE_COLUMN:
        return is_syntactic(n->col->name) ? brisk_buf_puts(out, n->col->name)
                                          : brisk_buf_printf(out, "`%s`", n->col->name);
    case NODE_MINUS:
    case NODE_PLUS:
        return brisk_buf_puts(out, n->kind == NODE_MINUS ? "-" : "+") && deparse(b, n->a, out);
    case NODE_PAREN:
        return brisk_buf_puts(out, "(") && deparse(b, n->a, out) && brisk_buf_puts(out, ")");
    case NODE_ADD:
    case NODE_SUB:
    case NODE_MUL:
    case NODE_DIV:
    case NODE_POW:
        return deparse(b, n->a, out) && brisk_buf_puts(out, ops[n->kind]) &&
               deparse(b, n->b, out);
    default:
        return brisk_buf_printf(out, "%s(", functions[n->kind - NODE_I]) &&
               deparse(b, n->a, out) && brisk_buf_puts(out, ")");
    }
}

/* The variable of the expression at node root, named as R names it (one
 * variable however often the formula writes it). */
static brisk_status expression_variable(builder *b, size_t root, size_t *out)
{
    brisk_buf name = {0};
    if (!deparse(b, root, &name) || !name.data) {
        brisk_buf_free(&name);
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < b->nvars; i++)
        if (!b->vars[i].col && strcmp(b->vars[i].name, name.data) == 0) {
            brisk_buf_free(&name);
            *out = i;
            return BRISK_OK;
        }
    return add_variable(b, (variable){.root = root, .name = name.data}, out);
}

/* ------------------------------------------------------------ terms */

static bool same_term(const term *a, const term *c)
{
    if (a->order != c->order)
        return false;
    for (size_t i = 0; i < a->order; i++) {
        bool found = false;
        for (size_t j = 0; j < c->order && !found; j++)
            found = a->var[i] == c->var[j];
        if (!found)
            return false;
    }
    return true;
}

static brisk_status add_term(builder *b, const term *t)
{
    for (size_t i = 0; i < b->nterms; i++)
        if (same_term(&b->terms[i], t))
            return BRISK_OK;
    if (b->nterms == MAX_TERMS)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "a formula may have at most %d terms",
                               MAX_TERMS);
    b->terms[b->nterms++] = *t;
    return BRISK_OK;
}

/* One factor of a term: a column (bare or in backticks) or a function of
 * columns (I(age^2), log(income), scale(age)). */
static brisk_status parse_factor(builder *b, const char **pp, size_t *out)
{
    skip_blanks(pp);
    const char *at = *pp, *name;
    size_t len;
    bool quoted;
    if (*at == '(')
        return formula_error(b, at, "parentheses group terms only inside a function: write "
                             "I(...) for arithmetic");
    if (!read_name(pp, &name, &len, &quoted))
        return formula_error(b, at, "expected a variable name");
    const char *after = *pp;
    skip_blanks(&after);
    if (quoted || *after != '(')
        return variable_of(b, name, len, out);
    *pp = after + 1;
    size_t root;
    brisk_status st = parse_call(b, name, len, pp, &root);
    return st == BRISK_OK ? expression_variable(b, root, out) : st;
}

/* One summand: groups of ':'-joined factors separated by '*'; a*b stands
 * for a + b + a:b, so every non-empty subset of the groups is a term. */
static brisk_status parse_summand(builder *b, const char **pp)
{
    term groups[MAX_ORDER];
    size_t ngroups = 0;
    const char *p = *pp;
    term cur = {0};
    for (;;) {
        skip_blanks(&p);
        const char *start = p;
        size_t v;
        brisk_status st = parse_factor(b, &p, &v);
        if (st != BRISK_OK)
            return st;
        if (cur.order == MAX_ORDER)
            return formula_error(b, start, "too many variables in one interaction");
        cur.var[cur.order++] = v;
        skip_blanks(&p);
        if (*p == '^')
            return formula_error(b, p, "a power is written inside I(), as I(age^2)");
        if (*p == ':') {
            p++;
            continue;
        }
        if (ngroups == MAX_ORDER)
            return formula_error(b, p, "too many '*' in one term");
        groups[ngroups++] = cur;
        cur = (term){0};
        if (*p != '*')
            break;
        p++;
    }
    *pp = p;
    /* subsets by size, so that main effects come before interactions */
    for (size_t size = 1; size <= ngroups; size++)
        for (unsigned mask = 1; mask < (1u << ngroups); mask++) {
            if ((size_t)__builtin_popcount(mask) != size)
                continue;
            term t = {0};
            for (size_t g = 0; g < ngroups; g++)
                for (size_t i = 0; (mask >> g & 1) && i < groups[g].order; i++) {
                    if (t.order == MAX_ORDER)
                        return formula_error(b, *pp, "interaction of too high order");
                    t.var[t.order++] = groups[g].var[i];
                }
            brisk_status st = add_term(b, &t);
            if (st != BRISK_OK)
                return st;
        }
    return BRISK_OK;
}

/* An intercept switch: "1" keeps it, "0" (or "- 1") drops it. */
static bool parse_constant(const char **pp, bool minus, bool *intercept)
{
    const char *p = *pp;
    if ((*p != '0' && *p != '1') || is_name_char(p[1]))
        return false;
    *intercept = minus ? *p == '0' : *p == '1';
    *pp = p + 1;
    return true;
}

/* Terms in the order R's terms() gives them: by order, then as written. */
static void order_terms(builder *b)
{
    term sorted[MAX_TERMS];
    size_t k = 0;
    for (size_t order = 1; order <= MAX_ORDER; order++)
        for (size_t i = 0; i < b->nterms; i++)
            if (b->terms[i].order == order)
                sorted[k++] = b->terms[i];
    memcpy(b->terms, sorted, k * sizeof *sorted);
}

/* Backticks and parentheses that close, checked before anything is read;
 * the '~' outside backticks returned in *tilde (NULL: none). */
static brisk_status check_balance(builder *b, const char **tilde)
{
    const char *open[MAX_DEPTH];
    size_t depth = 0;
    *tilde = NULL;
    for (const char *p = b->formula; *p; p++) {
        if (*p == '`') {
            const char *close = strchr(p + 1, '`');
            if (!close)
                return formula_error(b, p, "the backtick opened here is not closed");
            if (close == p + 1)
                return formula_error(b, p, "empty name ``");
            p = close;
        } else if (*p == '(') {
            if (depth == MAX_DEPTH)
                return formula_error(b, p, "parentheses nested more than %d deep", MAX_DEPTH);
            open[depth++] = p;
        } else if (*p == ')') {
            if (!depth)
                return formula_error(b, p, "')' without an opening '('");
            depth--;
        } else if (*p == '~' && !*tilde) {
            *tilde = p;
        }
    }
    return depth ? formula_error(b, open[depth - 1], "the '(' opened here is not closed")
                 : BRISK_OK;
}

static brisk_status parse_formula(builder *b)
{
    const char *formula = b->formula, *tilde;
    brisk_status st = check_balance(b, &tilde);
    if (st != BRISK_OK)
        return st;
    if (!tilde)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': no '~' between the "
                               "outcome and the predictors (write 'y ~ x1 + x2')", formula);
    const char *p = formula;
    skip_blanks(&p);
    const char *start = p;
    /* a column, or (OLS) a function of columns: log(income) */
    if (p == tilde)
        return formula_error(b, p, "no outcome before '~'");
    if ((st = parse_factor(b, &p, &b->outcome)) != BRISK_OK)
        return st;
    skip_blanks(&p);
    if (p != tilde)
        return formula_error(b, start, "the outcome must be a single column name or a "
                             "function of columns, such as log(income)");
    if (!b->vars[b->outcome].col && b->opt->family != BRISK_FAMILY_OLS)
        return formula_error(b, start, "a function of the outcome goes with --family ols; "
                             "a logit or ordinal outcome is a column");
    b->intercept = true;
    p = tilde + 1;
    bool minus = false, first = true;
    while (st == BRISK_OK) {
        skip_blanks(&p);
        if (!*p)
            return formula_error(b, p, first ? "expected predictors after '~'"
                                             : "expected a variable name");
        if (!parse_constant(&p, minus, &b->intercept)) {
            if (minus)
                return formula_error(b, p, "only '- 1' can be taken away");
            st = parse_summand(b, &p);
        }
        skip_blanks(&p);
        if (st != BRISK_OK || !*p)
            break;
        if (*p != '+' && *p != '-')
            return formula_error(b, p, "expected '+', '-', ':' or '*'");
        minus = *p == '-';
        first = false;
        p++;
    }
    for (size_t i = 0; st == BRISK_OK && i < b->nterms; i++)
        for (size_t j = 0; j < b->terms[i].order; j++)
            if (b->terms[i].var[j] == b->outcome)
                return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': the outcome "
                                       "'%s' is also a predictor", formula,
                                       var_name(&b->vars[b->outcome]));
    if (st == BRISK_OK && b->nterms == 0 && !b->intercept)
        return brisk_error_set(b->err, BRISK_ERR_FORMAT, "formula '%s': no predictor and no "
                               "intercept", formula);
    order_terms(b);
    return st;
}

/* ------------------------------------------------------------ levels */

static const brisk_levels *levels_given(const builder *b, const char *column)
{
    for (size_t i = 0; i < b->opt->nlevels; i++)
        if (strcmp(b->opt->levels[i].column, column) == 0)
            return &b->opt->levels[i];
    return NULL;
}

/* A numeric value's name: its value label, else the number. */
static char *code_name(const brisk_column *c, double v)
{
    for (size_t i = 0; i < c->n_labels; i++)
        if (c->labels[i].value == v && c->labels[i].label)
            return brisk_strdup(c->labels[i].label);
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", v);
    return brisk_strdup(buf);
}

static int compare_doubles(const void *a, const void *c)
{
    double x = *(const double *)a, y = *(const double *)c;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *c)
{
    return strcmp(*(char *const *)a, *(char *const *)c);
}

static bool is_missing(const brisk_column *c, size_t row)
{
    return c->miss[row] != BRISK_MISS_NONE || (c->type == BRISK_NUMERIC && isnan(c->num[row]));
}

/* The distinct values of column c in the rows used, sorted. */
static brisk_status distinct_values(builder *b, const variable *v, const bool *used,
                                    void **values, size_t *count)
{
    const brisk_column *c = v->col;
    size_t n = b->ds->nrows, k = 0;
    bool text = c->type == BRISK_STRING;
    void *all = malloc((n + 1) * (text ? sizeof(char *) : sizeof(double)));
    if (!all)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < n; r++)
        if (used[r]) {
            if (text)
                ((char **)all)[k++] = c->str[r];
            else
                ((double *)all)[k++] = c->num[r];
        }
    qsort(all, k, text ? sizeof(char *) : sizeof(double), text ? compare_strings : compare_doubles);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        bool same = i > 0 && (text ? strcmp(((char **)all)[i], ((char **)all)[m - 1]) == 0
                                   : ((double *)all)[i] == ((double *)all)[m - 1]);
        if (same)
            continue;
        if (text)
            ((char **)all)[m++] = ((char **)all)[i];
        else
            ((double *)all)[m++] = ((double *)all)[i];
    }
    *values = all;
    *count = m;
    return BRISK_OK;
}

/* Does the written level name the value (text, code, or value label)? */
static bool level_matches(const brisk_column *c, const char *written, const char *text, double v)
{
    if (c->type == BRISK_STRING)
        return strcmp(written, text) == 0;
    char *end;
    double x = strtod(written, &end);
    if (end != written && !*end && x == v)
        return true;
    for (size_t i = 0; i < c->n_labels; i++)
        if (c->labels[i].value == v && c->labels[i].label && strcmp(c->labels[i].label, written) == 0)
            return true;
    return false;
}

/* Order the distinct values as --levels says: every value must be listed,
 * every listed level must occur. */
static brisk_status order_by_given(builder *b, variable *v, const brisk_levels *given,
                                   void *values, size_t count, size_t *order)
{
    const brisk_column *c = v->col;
    bool text = c->type == BRISK_STRING;
    for (size_t i = 0; i < count; i++) {
        const char *s = text ? ((char **)values)[i] : NULL;
        double x = text ? 0 : ((double *)values)[i];
        size_t at = (size_t)-1;
        for (size_t j = 0; j < given->n && at == (size_t)-1; j++)
            if (level_matches(c, given->levels[j], s, x))
                at = j;
        if (at == (size_t)-1) {
            char *name = text ? brisk_strdup(s) : code_name(c, x);
            brisk_error_variable(b->err, c->name);
            brisk_error_set(b->err, BRISK_ERR_DATA, "'%s' of column '%s' is not among the "
                            "levels given for it; list every level", name ? name : "?", c->name);
            free(name);
            return BRISK_ERR_DATA;
        }
        order[i] = at;
    }
    for (size_t j = 0; j < given->n; j++) {
        bool found = false;
        for (size_t i = 0; i < count && !found; i++)
            found = order[i] == j;
        if (!found) {
            brisk_error_variable(b->err, c->name);
            return brisk_error_set(b->err, BRISK_ERR_MODEL, "empty category: level '%s' of "
                                   "'%s' has no respondents among the rows used; drop it from "
                                   "the levels or merge it with another", given->levels[j],
                                   c->name);
        }
    }
    return BRISK_OK;
}

/* The levels of a categorical variable (or outcome), in their order. */
static brisk_status find_levels(builder *b, variable *v, const bool *used)
{
    void *values = NULL;
    size_t count = 0;
    brisk_status st = distinct_values(b, v, used, &values, &count);
    if (st != BRISK_OK)
        return st;
    const brisk_column *c = v->col;
    bool text = c->type == BRISK_STRING;
    size_t *order = malloc((count + 1) * sizeof *order);
    v->levels = calloc(count + 1, sizeof *v->levels);
    v->codes = calloc(count + 1, sizeof *v->codes);
    if (!order || !v->levels || !v->codes)
        st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    const brisk_levels *given = levels_given(b, c->name);
    for (size_t i = 0; st == BRISK_OK && i < count; i++)
        order[i] = i;   /* sorted: numbers by value (so codes), text byte by byte */
    if (st == BRISK_OK && given)
        st = order_by_given(b, v, given, values, count, order);
    size_t n = given ? given->n : count;
    for (size_t i = 0; st == BRISK_OK && i < count; i++) {
        size_t at = order[i];
        v->codes[at] = text ? (double)i : ((double *)values)[i];
        v->levels[at] = text ? brisk_strdup(((char **)values)[i]) : code_name(c, ((double *)values)[i]);
        if (!v->levels[at])
            st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    v->nlevels = st == BRISK_OK ? n : 0;
    free(order);
    free(values);
    return st;
}

/* The level index of row r of a categorical variable. */
static size_t level_of(const variable *v, size_t r)
{
    const brisk_column *c = v->col;
    for (size_t i = 0; i < v->nlevels; i++)
        if (c->type == BRISK_STRING ? strcmp(c->str[r], v->levels[i]) == 0 : c->num[r] == v->codes[i])
            return i;
    return 0;
}

static bool is_categorical(const builder *b, const brisk_column *c)
{
    return c->type == BRISK_STRING || c->n_labels > 0 || levels_given(b, c->name) != NULL;
}

brisk_status brisk_design_group_levels(const brisk_dataset *ds, const brisk_column *c,
                                       design_levels *out, brisk_error *err)
{
    static const brisk_regress_options none = {0};
    memset(out, 0, sizeof *out);
    builder *b = calloc(1, sizeof *b);
    bool *used = calloc(ds->nrows + 1, sizeof *used);
    brisk_status st = b && used ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    variable v = {.col = c, .categorical = true};
    if (st == BRISK_OK) {
        *b = (builder){.ds = ds, .opt = &none, .err = err};
        for (size_t r = 0; r < ds->nrows; r++)
            used[r] = !is_missing(c, r);
        st = find_levels(b, &v, used);
    }
    *out = (design_levels){.names = v.levels, .codes = v.codes, .n = v.nlevels};
    if (st != BRISK_OK)
        brisk_design_levels_free(out);
    free(b);
    free(used);
    return st;
}

size_t brisk_design_level_of(const brisk_column *c, const design_levels *lv, size_t row)
{
    if (is_missing(c, row))
        return (size_t)-1;
    variable v = {.col = c, .levels = lv->names, .codes = lv->codes, .nlevels = lv->n};
    return level_of(&v, row);
}

void brisk_design_levels_free(design_levels *lv)
{
    for (size_t i = 0; lv->names && i < lv->n; i++)
        free(lv->names[i]);
    free(lv->names);
    free(lv->codes);
    memset(lv, 0, sizeof *lv);
}

/* ------------------------------------------------------------ expressions */

static bool is_binary(node_kind k)
{
    return k >= NODE_ADD && k <= NODE_POW;
}

/* Are the columns of the expression at node i present in row r? */
static bool expression_present(const builder *b, size_t i, size_t r)
{
    const node *n = &b->nodes[i];
    if (n->kind == NODE_NUMBER)
        return true;
    if (n->kind == NODE_COLUMN)
        return !is_missing(n->col, r);
    return expression_present(b, n->a, r) && (!is_binary(n->kind) || expression_present(b, n->b, r));
}

/* The first column of the expression at node i (for the message). */
static const brisk_column *first_column(const builder *b, size_t i)
{
    const node *n = &b->nodes[i];
    if (n->kind == NODE_COLUMN)
        return n->col;
    if (n->kind == NODE_NUMBER)
        return NULL;
    const brisk_column *c = first_column(b, n->a);
    return c || !is_binary(n->kind) ? c : first_column(b, n->b);
}

/* Row r's value of an expression that is not defined there (log of 0, a
 * division by 0, ...): an error naming the part, the row and the value. */
static brisk_status undefined(builder *b, size_t i, size_t r, double x, const char *why)
{
    const node *n = &b->nodes[i];
    size_t arg = n->kind == NODE_DIV ? n->b : n->a;
    brisk_buf part = {0}, operand = {0};
    char value[64];
    r_number(x, value, sizeof value);
    const brisk_column *c = first_column(b, arg);
    if (c)
        brisk_error_variable(b->err, c->name);
    brisk_status st;
    if (!deparse(b, i, &part) || !deparse(b, arg, &operand))
        st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    else if (why)
        st = formula_problem(b, BRISK_ERR_VALUE, n->at, "%s in data row %zu: %s is %s, and %s",
                             part.data, r + 1, operand.data, value, why);
    else
        st = formula_problem(b, BRISK_ERR_VALUE, n->at, "%s is not a finite number in data row "
                             "%zu", part.data, r + 1);
    brisk_buf_free(&part);
    brisk_buf_free(&operand);
    return st;
}

/* The value of the expression at node i in row r (its columns present). */
static brisk_status evaluate(builder *b, size_t i, size_t r, double *out)
{
    const node *n = &b->nodes[i];
    if (n->kind == NODE_NUMBER || n->kind == NODE_COLUMN) {
        *out = n->kind == NODE_NUMBER ? n->number : n->col->num[r];
        return BRISK_OK;
    }
    double x, y = 0, v;
    brisk_status st = evaluate(b, n->a, r, &x);
    if (st == BRISK_OK && is_binary(n->kind))
        st = evaluate(b, n->b, r, &y);
    if (st != BRISK_OK)
        return st;
    switch (n->kind) {
    case NODE_MINUS: v = -x; break;
    case NODE_ADD: v = x + y; break;
    case NODE_SUB: v = x - y; break;
    case NODE_MUL: v = x * y; break;
    case NODE_DIV:
        if (y == 0)
            return undefined(b, i, r, y, "a division by 0 is not a number");
        v = x / y;
        break;
    case NODE_POW: v = pow(x, y); break;
    case NODE_LOG:
    case NODE_LOG10:
        if (!(x > 0))
            return undefined(b, i, r, x, "a logarithm needs a value above 0 (R's lm would "
                                          "drop the row or fail)");
        v = n->kind == NODE_LOG ? log(x) : log10(x);
        break;
    case NODE_SQRT:
        if (x < 0)
            return undefined(b, i, r, x, "a square root needs a value of 0 or more");
        v = sqrt(x);
        break;
    case NODE_EXP: v = exp(x); break;
    case NODE_SCALE: v = (x - n->mean) / n->sd; break;
    default: v = x; break;   /* +x, (x), I(x) */
    }
    if (!isfinite(v))
        return undefined(b, i, r, x, NULL);
    *out = v;
    return BRISK_OK;
}

/* scale()'s centre and SD, as R's scale() takes them inside lm: over the
 * rows in scope where its argument is present, whatever the model's other
 * variables, unweighted.  Inner calls come first (their nodes do). */
static brisk_status scale_statistics(builder *b, const bool *scope)
{
    for (size_t i = 0; i < b->nnodes; i++) {
        node *n = &b->nodes[i];
        if (n->kind != NODE_SCALE)
            continue;
        double sum = 0, squares = 0, x;
        size_t count = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t r = 0; r < b->ds->nrows; r++) {
                if (!scope[r] || !expression_present(b, n->a, r))
                    continue;
                brisk_status st = evaluate(b, n->a, r, &x);
                if (st != BRISK_OK)
                    return st;
                sum += pass == 0 ? x : 0;
                count += pass == 0;
                squares += pass == 1 ? (x - n->mean) * (x - n->mean) : 0;
            }
            n->mean = count ? sum / (double)count : NAN;
        }
        n->sd = count > 1 ? sqrt(squares / (double)(count - 1)) : NAN;
        if (!(n->sd > 0)) {
            brisk_buf arg = {0};
            brisk_status st = deparse(b, n->a, &arg)
                                  ? formula_problem(b, BRISK_ERR_MODEL, n->at, "scale(%s): %s "
                                                    "takes %s value in the rows in scope; "
                                                    "there is nothing to scale", arg.data,
                                                    arg.data, count ? "one" : "no")
                                  : brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
            brisk_buf_free(&arg);
            return st;
        }
    }
    return BRISK_OK;
}

/* Every expression's value in the used rows. */
static brisk_status expression_values(builder *b, const bool *scope, const bool *used)
{
    brisk_status st = scale_statistics(b, scope);
    for (size_t i = 0; st == BRISK_OK && i < b->nvars; i++) {
        variable *v = &b->vars[i];
        if (v->col)
            continue;
        if (!(v->values = malloc((b->ds->nrows + 1) * sizeof *v->values)))
            return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t r = 0; st == BRISK_OK && r < b->ds->nrows; r++)
            v->values[r] = NAN;
        for (size_t r = 0; st == BRISK_OK && r < b->ds->nrows; r++)
            if (used[r])
                st = evaluate(b, v->root, r, &v->values[r]);
    }
    return st;
}

/* ------------------------------------------------------------ rows */

static brisk_status weight_column(builder *b, const brisk_column **out)
{
    *out = NULL;
    if (!b->opt->weight)
        return BRISK_OK;
    for (size_t c = 0; c < b->ds->ncols; c++)
        if (strcmp(b->ds->cols[c].name, b->opt->weight) == 0)
            *out = &b->ds->cols[c];
    brisk_error_variable(b->err, b->opt->weight);
    char near[300];
    if (!*out)
        return brisk_error_set(b->err, BRISK_ERR_COLUMN, "weight '%s' is not a column of %s%s",
                               b->opt->weight, b->opt->source ? b->opt->source : "the data",
                               brisk_dataset_did_you_mean(b->ds, b->opt->weight, near,
                                                          sizeof near));
    if ((*out)->type != BRISK_NUMERIC)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "weight '%s' holds text, not numbers%s",
                               b->opt->weight, brisk_column_decimal_hint(*out, b->ds->nrows));
    return BRISK_OK;
}

/* Rows with every variable present (among opt's rows, if it lists them:
 * the scope);
 * a weight must be present, >= 0 (and whole for frequency weights) in
 * every one of them. */
static brisk_status used_rows(builder *b, const brisk_column *wc, bool *scope, bool *used,
                              size_t *n)
{
    *n = 0;
    const brisk_regress_options *o = b->opt;
    for (size_t r = 0; r < b->ds->nrows; r++)
        scope[r] = !o->rows;   /* first: the rows the options list */
    for (size_t i = 0; o->rows && i < o->nrows; i++)
        if (o->rows[i] < b->ds->nrows)
            scope[o->rows[i]] = true;
    for (size_t r = 0; r < b->ds->nrows; r++) {
        if (!(used[r] = scope[r]))
            continue;
        for (size_t i = 0; i < b->nvars && used[r]; i++)
            used[r] = b->vars[i].col ? !is_missing(b->vars[i].col, r)
                                     : expression_present(b, b->vars[i].root, r);
        if (!used[r] || !wc)
            continue;
        double w = wc->num[r];
        bool whole = b->opt->weight_type != BRISK_WEIGHT_FREQUENCY || w == floor(w);
        if (is_missing(wc, r) || !(w >= 0) || !isfinite(w) || !whole) {
            brisk_error_variable(b->err, wc->name);
            return brisk_error_set(b->err, BRISK_ERR_DATA, "weight '%s' in data row %zu is %s; "
                                   "%s", wc->name, r + 1,
                                   is_missing(wc, r) ? "missing" : !whole ? "not a whole number"
                                                                         : "negative",
                                   !whole ? "frequency weights count cases"
                                          : "every row used needs a weight of 0 or more");
        }
    }
    for (size_t r = 0; r < b->ds->nrows; r++)
        *n += used[r];
    return BRISK_OK;
}

/* ------------------------------------------------------------ columns */

/* Does term u hold every variable of t but its i-th? */
static bool holds_all_but(const term *u, const term *t, size_t i)
{
    for (size_t j = 0; j < t->order; j++) {
        bool found = j == i;
        for (size_t k = 0; k < u->order && !found; k++)
            found = u->var[k] == t->var[j];
        if (!found)
            return false;
    }
    return true;
}

/* How each categorical part of term ti is coded, as R's model.matrix
 * codes it (TermCode): by its levels but the first (contrasts) when the
 * term without it lies within an earlier term (a main effect: always, but
 * for the first categorical main effect of a model without intercept),
 * else by all its levels (scale(age):region without scale(age)). */
static void term_coding(const builder *b, size_t ti, size_t full_at, bool *full)
{
    const term *t = &b->terms[ti];
    for (size_t i = 0; i < t->order; i++) {
        full[i] = t->order == 1 && ti == full_at;
        if (t->order == 1 || !b->vars[t->var[i]].categorical)
            continue;
        full[i] = true;
        for (size_t u = 0; u < ti && full[i]; u++)
            full[i] = !holds_all_but(&b->terms[u], t, i);
    }
}

/* How many model-matrix columns term t gives. */
static size_t term_width(const builder *b, const term *t, const bool *full)
{
    size_t width = 1;
    for (size_t i = 0; i < t->order; i++) {
        const variable *v = &b->vars[t->var[i]];
        if (v->categorical)
            width *= full[i] ? v->nlevels : v->nlevels - 1;
    }
    return width;
}

/* Column j of term t: the level of each categorical part (the first part
 * varying fastest, as R names them) and the column's name. */
static char *term_column(const builder *b, const term *t, size_t j, const bool *full,
                         size_t *level)
{
    brisk_buf name = {0};
    bool ok = true;
    for (size_t i = 0; i < t->order && ok; i++) {
        const variable *v = &b->vars[t->var[i]];
        ok = (i == 0 || brisk_buf_puts(&name, ":")) && brisk_buf_puts(&name, var_name(v));
        if (!v->categorical)
            continue;
        size_t m = full[i] ? v->nlevels : v->nlevels - 1;
        level[i] = j % m + (full[i] ? 0 : 1);
        j /= m;
        ok = ok && brisk_buf_puts(&name, "=") && brisk_buf_puts(&name, v->levels[level[i]]);
    }
    if (!ok) {
        brisk_buf_free(&name);
        return NULL;
    }
    return name.data;
}

static double cell_value(const builder *b, const term *t, const size_t *level, size_t r)
{
    double x = 1;
    for (size_t i = 0; i < t->order; i++) {
        const variable *v = &b->vars[t->var[i]];
        x *= v->categorical ? (double)(level_of(v, r) == level[i])
                            : v->col ? v->col->num[r] : v->values[r];
    }
    return x;
}

static brisk_status fill_matrix(builder *b, const bool *used, design *d)
{
    size_t k = d->intercept ? 1 : 0, full_at = (size_t)-1;
    for (size_t t = 0; t < b->nterms && !d->intercept && full_at == (size_t)-1; t++)
        if (b->terms[t].order == 1 && b->vars[b->terms[t].var[0]].categorical)
            full_at = t;
    bool full[MAX_ORDER];
    for (size_t t = 0; t < b->nterms; t++) {
        term_coding(b, t, full_at, full);
        k += term_width(b, &b->terms[t], full);
    }
    d->k = k;
    d->x = malloc((d->n * k + 1) * sizeof *d->x);
    d->terms = calloc(k + 1, sizeof *d->terms);
    if (!d->x || !d->terms)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    size_t col = 0;
    if (d->intercept) {
        if (!(d->terms[col] = brisk_strdup("(Intercept)")))
            return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < d->n; i++)
            d->x[i * k] = 1;
        col++;
    }
    for (size_t t = 0; t < b->nterms; t++) {
        const term *tm = &b->terms[t];
        term_coding(b, t, full_at, full);
        for (size_t j = 0; j < term_width(b, tm, full); j++, col++) {
            size_t level[MAX_ORDER] = {0};
            if (!(d->terms[col] = term_column(b, tm, j, full, level)))
                return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
            for (size_t r = 0, i = 0; r < b->ds->nrows; r++)
                if (used[r])
                    d->x[i++ * k + col] = cell_value(b, tm, level, r);
        }
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ outcome */

/* A logit of "the answer lies in [event_min, event_max]" (agreement). */
static brisk_status event_outcome(builder *b, const bool *used, const brisk_column *wc, design *d)
{
    const brisk_column *c = b->vars[b->outcome].col;
    const brisk_regress_options *o = b->opt;
    if (c->type == BRISK_STRING)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text, not answers "
                               "on a scale", c->name);
    char range[64];
    snprintf(range, sizeof range, "%g..%g", o->event_min, o->event_max);
    d->levels = calloc(3, sizeof *d->levels);
    if (!d->levels || !(d->levels[0] = brisk_strdup("other")) ||
        !(d->levels[1] = brisk_strdup(range)))
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    d->nlevels = 2;
    size_t events = 0;
    for (size_t r = 0, i = 0; r < b->ds->nrows; r++) {
        if (!used[r])
            continue;
        d->y[i] = c->num[r] >= o->event_min && c->num[r] <= o->event_max;
        events += d->y[i] > 0;
        d->w[i++] = wc ? wc->num[r] : 1;
    }
    if (events == 0 || events == d->n)
        return brisk_error_set(b->err, BRISK_ERR_MODEL, "outcome '%s': %s of the rows used "
                               "answer %s; nothing to explain", c->name,
                               events ? "all" : "none", range);
    return BRISK_OK;
}

static brisk_status fill_outcome(builder *b, const bool *used, const brisk_column *wc, design *d)
{
    variable *v = &b->vars[b->outcome];
    const brisk_column *c = v->col;
    d->outcome = brisk_strdup(var_name(v));
    d->y = malloc((d->n + 1) * sizeof *d->y);
    d->w = malloc((d->n + 1) * sizeof *d->w);
    if (!d->outcome || !d->y || !d->w)
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    brisk_family fam = b->opt->family;
    if (!c) {   /* a function of columns (OLS only: parse_formula) */
        for (size_t r = 0, i = 0; r < b->ds->nrows; r++)
            if (used[r]) {
                d->y[i] = v->values[r];
                d->w[i++] = wc ? wc->num[r] : 1;
            }
        return BRISK_OK;
    }
    brisk_error_variable(b->err, c->name);
    if (fam == BRISK_FAMILY_OLS && c->type == BRISK_STRING)
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text: OLS needs a "
                               "numeric outcome (or use --family logit or ordinal)", c->name);
    if (fam == BRISK_FAMILY_ORDINAL && c->type == BRISK_STRING && !levels_given(b, c->name))
        return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' holds text, whose order "
                               "brisk cannot know: give it with --levels %s=lowest,...,highest",
                               c->name, c->name);
    if (fam == BRISK_FAMILY_LOGIT && b->opt->has_event)
        return event_outcome(b, used, wc, d);
    if (fam != BRISK_FAMILY_OLS) {
        brisk_status st = find_levels(b, v, used);
        if (st != BRISK_OK)
            return st;
        if (fam == BRISK_FAMILY_LOGIT && v->nlevels != 2)
            return brisk_error_set(b->err, BRISK_ERR_DATA, "outcome '%s' has %zu different "
                                   "values among the rows used; a logit needs two (use "
                                   "--family ordinal for more)", c->name, v->nlevels);
        if (v->nlevels < 2)
            return brisk_error_set(b->err, BRISK_ERR_MODEL, "outcome '%s' takes one value in "
                                   "every row used: nothing to explain", c->name);
    }
    for (size_t r = 0, i = 0; r < b->ds->nrows; r++) {
        if (!used[r])
            continue;
        d->y[i] = fam == BRISK_FAMILY_OLS ? c->num[r] : (double)level_of(v, r);
        d->w[i++] = wc ? wc->num[r] : 1;
    }
    if (fam != BRISK_FAMILY_OLS) {
        d->nlevels = v->nlevels;
        d->levels = v->levels;   /* the design owns them now */
        v->levels = NULL;
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ the design */

static void free_variables(builder *b)
{
    for (size_t i = 0; i < b->nvars; i++) {
        for (size_t j = 0; b->vars[i].levels && j < b->vars[i].nlevels; j++)
            free(b->vars[i].levels[j]);
        free(b->vars[i].levels);
        free(b->vars[i].codes);
        free(b->vars[i].name);
        free(b->vars[i].values);
    }
}

double brisk_design_total_weight(const design *d)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += d->w[i];
    return s;
}

void brisk_design_free(design *d)
{
    for (size_t j = 0; d->terms && j < d->k; j++)
        free(d->terms[j]);
    for (size_t j = 0; d->levels && j < d->nlevels; j++)
        free(d->levels[j]);
    free(d->terms);
    free(d->levels);
    free(d->x);
    free(d->y);
    free(d->w);
    free(d->outcome);
    brisk_sampling_free(&d->sampling);
    free(d->at);
    memset(d, 0, sizeof *d);
}

/* The sampling design of the rows in scope (the options' rows, or every
 * row): rows left out for a missing value stay in it with zero scores, as
 * R's survey package keeps a subset's PSUs (domain estimation); d->at maps
 * each used row to its design row, and the degrees of freedom count the
 * PSUs and strata of the rows used (survey's degf of the subset). */
static brisk_status find_design(builder *b, const bool *used, design *d)
{
    const brisk_regress_options *o = b->opt;
    size_t nscope = o->rows ? o->nrows : b->ds->nrows;
    size_t *rows = malloc((nscope + 1) * sizeof *rows);
    d->at = malloc((d->n + 1) * sizeof *d->at);
    if (!rows || !d->at) {
        free(rows);
        return brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0, k = 0; i < nscope; i++) {
        rows[i] = o->rows ? o->rows[i] : i;
        if (rows[i] < b->ds->nrows && used[rows[i]])
            d->at[k++] = i;
    }
    sampling_spec spec = {.strata = o->strata, .cluster = o->cluster, .fpc = o->fpc,
                          .rows = rows, .nrows = nscope, .calibration = o->calibration,
                          .source = o->source};
    brisk_status st = brisk_sampling_build(b->ds, &spec, &d->sampling, b->err);
    d->sampled = st == BRISK_OK;
    if (st == BRISK_OK) {
        /* degf of the rows used: their PSUs less their strata */
        const sampling_design *sd = &d->sampling;
        bool *psu = calloc(sd->npsu + 1, sizeof *psu), *stratum = calloc(sd->nstrata + 1, 1);
        if (!psu || !stratum) {
            st = brisk_error_set(b->err, BRISK_ERR_NOMEM, "out of memory");
        } else {
            size_t npsu = 0, nstrata = 0;
            for (size_t i = 0; i < d->n; i++) {
                size_t c = sd->psu[d->at[i]], h = sd->psu_stratum[c];
                npsu += !psu[c], nstrata += !stratum[h];
                psu[c] = stratum[h] = true;
            }
            d->degf = (double)npsu - (double)nstrata;
        }
        free(psu);
        free(stratum);
    }
    free(rows);
    return st;
}

/* Options that do not go together. */
static brisk_status check_options(const brisk_regress_options *opt, brisk_error *err)
{
    const char *declared = opt->cluster ? opt->cluster : opt->strata ? opt->strata : opt->fpc;
    const char *role = opt->cluster ? "clustered by" : opt->strata ? "stratified by"
                     : "with the fpc";
    if (declared && opt->weight && opt->weight_type == BRISK_WEIGHT_FREQUENCY)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "frequency weights and standard errors "
                               "%s '%s' do not go together: a sampling design's rows are not "
                               "copies of one case", role, declared);
    if (declared && opt->robust != BRISK_ROBUST_NONE)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "HC1 or HC3 and standard errors "
                               "%s '%s' do not go together: the design's sandwich is already "
                               "robust", role, declared);
    return BRISK_OK;
}

brisk_status brisk_design_build(const brisk_dataset *ds, const char *formula,
                                const brisk_regress_options *opt, design *d, brisk_error *err)
{
    memset(d, 0, sizeof *d);
    builder *b = calloc(1, sizeof *b);
    bool *used = calloc(ds->nrows + 1, sizeof *used);
    bool *scope = calloc(ds->nrows + 1, sizeof *scope);
    if (!b || !used || !scope) {
        free(b);
        free(used);
        free(scope);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    *b = (builder){.ds = ds, .opt = opt, .err = err, .formula = formula};
    const brisk_column *wc = NULL;
    brisk_status st = check_options(opt, err);
    if (st == BRISK_OK)
        st = parse_formula(b);
    if (st == BRISK_OK)
        st = weight_column(b, &wc);
    if (st == BRISK_OK)
        st = used_rows(b, wc, scope, used, &d->n);
    if (st == BRISK_OK)
        st = expression_values(b, scope, used);
    d->n_dropped = (opt->rows ? opt->nrows : ds->nrows) - d->n;
    if (st == BRISK_OK && brisk_design_based(opt))
        st = find_design(b, used, d);
    d->intercept = b->intercept;
    for (size_t i = 0; st == BRISK_OK && i < b->nvars; i++) {
        variable *v = &b->vars[i];
        v->categorical = i != b->outcome && v->col && is_categorical(b, v->col);
        if (v->categorical)
            st = find_levels(b, v, used);
        if (st == BRISK_OK && v->categorical && v->nlevels < 2) {
            brisk_error_variable(err, v->col->name);
            st = brisk_error_set(err, BRISK_ERR_MODEL, "constant predictor: '%s' takes one "
                                 "value (%s) in every row used", v->col->name,
                                 v->nlevels ? v->levels[0] : "none");
        }
    }
    if (st == BRISK_OK)
        st = fill_outcome(b, used, wc, d);
    if (st == BRISK_OK)
        st = fill_matrix(b, used, d);
    free_variables(b);
    free(b);
    free(used);
    free(scope);
    if (st != BRISK_OK)
        brisk_design_free(d);
    return st;
}
