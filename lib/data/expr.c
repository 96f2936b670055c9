/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expressions over a dataset's rows (brisk/expr.h): a recursive-descent
 * parser into a small tree, names bound to columns by index, and an
 * evaluator with R's missing-value logic. */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/expr.h"
#include "core/util.h"

#define MAX_TEXT (64u * 1024u)
#define MAX_DEPTH 100
#define MAX_ARGS 1000
#define MAX_OPERATORS 5000   /* bounds the tree's depth, and so the recursion */

typedef enum node_kind {
    N_NUMBER, N_TEXT, N_COLUMN, N_NEGATE, N_NOT, N_BINARY, N_CALL
} node_kind;

typedef enum op {
    OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW
} op;

typedef enum func {
    F_MEAN, F_SUM, F_MIN, F_MAX, F_MISSING, F_ABS, F_SQRT, F_EXP, F_LOG, F_LOG10
} func;

typedef struct node node;
struct node {
    node_kind kind;
    size_t pos;          /* 1-based character of text where it starts */
    double number;       /* N_NUMBER; N_TEXT bound to a numeric column: its code */
    char *text;          /* N_TEXT: the value; N_COLUMN, N_CALL: the name */
    size_t column;       /* N_COLUMN, once bound */
    bool is_text;        /* the node's value is text (a text column, a quoted value) */
    op op;               /* N_BINARY */
    func func;           /* N_CALL */
    size_t min_valid;    /* N_CALL of mean/sum/min/max: answers needed (0: all) */
    node **args;         /* N_BINARY: 2; N_NEGATE, N_NOT: 1; N_CALL: nargs */
    size_t nargs;
};

struct brisk_expr {
    char *text;
    node *root;
};

typedef struct parser {
    const char *s;
    size_t i;
    int depth;
    size_t operators;    /* binary operators so far: a chain of them nests the tree */
    brisk_error *err;
} parser;

/* ------------------------------------------------------------ tree */

static void node_free(node *n)
{
    if (!n)
        return;
    for (size_t k = 0; k < n->nargs; k++)
        node_free(n->args[k]);
    free(n->args);
    free(n->text);
    free(n);
}

void brisk_expr_free(brisk_expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    free(e->text);
    free(e);
}

static node *new_node(node_kind kind, size_t pos)
{
    node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->pos = pos;
    }
    return n;
}

static bool add_arg(node *n, node *arg)
{
    node **grown = realloc(n->args, (n->nargs + 1) * sizeof *grown);
    if (!grown)
        return false;
    n->args = grown;
    n->args[n->nargs++] = arg;
    return true;
}

/* ------------------------------------------------------------ parser */

static brisk_status fail_at(parser *p, size_t at, brisk_status st, const char *fmt,
                            const char *a)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a);
    brisk_error_set(p->err, st, "%s (character %zu of '%.120s')", msg, at + 1, p->s);
    brisk_error_at(p->err, NULL, 0, (long)at + 1);
    return st;
}

static void skip_blanks(parser *p)
{
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' ||
           p->s[p->i] == '\n')
        p->i++;
}

static bool name_char(unsigned char c, bool first)
{
    if (c >= 0x80 || c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return !first && c >= '0' && c <= '9';
}

/* Does the text at p->i start with tok (and, for a word, end there)? */
static bool take(parser *p, const char *tok)
{
    skip_blanks(p);
    size_t n = strlen(tok);
    if (strncmp(p->s + p->i, tok, n) != 0)
        return false;
    p->i += n;
    return true;
}

static brisk_status parse_or(parser *p, node **out);

static brisk_status binary(parser *p, op o, size_t pos, node *left, node *right, node **out)
{
    if (++p->operators > MAX_OPERATORS) {
        node_free(left);
        node_free(right);
        *out = NULL;
        return fail_at(p, pos - 1, BRISK_ERR_LIMIT, "%s", "more than 5000 operators in one "
                       "expression");
    }
    node *n = new_node(N_BINARY, pos);
    node **args = n ? malloc(2 * sizeof *args) : NULL;
    if (!args) {
        free(n);
        node_free(left);
        node_free(right);
        *out = NULL;
        return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
    }
    args[0] = left;
    args[1] = right;
    n->args = args;
    n->nargs = 2;
    n->op = o;
    *out = n;
    return BRISK_OK;
}

static const struct { const char *name; func f; bool counts; } functions[] = {
    {"mean", F_MEAN, true}, {"sum", F_SUM, true}, {"min", F_MIN, true},
    {"max", F_MAX, true}, {"missing", F_MISSING, false}, {"is.na", F_MISSING, false},
    {"abs", F_ABS, false}, {"sqrt", F_SQRT, false}, {"exp", F_EXP, false},
    {"log", F_LOG, false}, {"log10", F_LOG10, false},
};

/* "mean.2" -> mean with at least 2 answers. */
static bool find_function(const char *name, func *f, size_t *min_valid)
{
    for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++) {
        size_t n = strlen(functions[k].name);
        if (strncmp(name, functions[k].name, n) != 0)
            continue;
        if (name[n] == '\0') {
            *f = functions[k].f;
            *min_valid = 0;
            return true;
        }
        if (functions[k].counts && name[n] == '.' && name[n + 1] >= '1' && name[n + 1] <= '9' &&
            strspn(name + n + 1, "0123456789") == strlen(name + n + 1) &&
            strlen(name + n + 1) < 5) {
            *f = functions[k].f;
            *min_valid = (size_t)strtoul(name + n + 1, NULL, 10);
            return true;
        }
    }
    return false;
}

static brisk_status parse_call(parser *p, char *name, size_t pos, node **out)
{
    func f;
    size_t min_valid;
    if (!find_function(name, &f, &min_valid)) {
        brisk_status st = fail_at(p, pos - 1, BRISK_ERR_FORMAT,
                                  "unknown function '%s' (known: mean sum min max, each also "
                                  "as mean.N: at least N answers; missing is.na abs sqrt exp "
                                  "log log10)", name);
        free(name);
        return st;
    }
    node *n = new_node(N_CALL, pos);
    if (!n) {
        free(name);
        return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
    }
    n->text = name;
    n->func = f;
    n->min_valid = min_valid;
    if (!take(p, ")")) {
        do {
            node *arg = NULL;
            brisk_status st = n->nargs == MAX_ARGS
                                  ? fail_at(p, p->i, BRISK_ERR_LIMIT, "more than 1000 "
                                            "arguments to %s()", n->text)
                                  : parse_or(p, &arg);
            if (st == BRISK_OK && !add_arg(n, arg)) {
                node_free(arg);
                st = brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
            }
            if (st != BRISK_OK) {
                node_free(n);
                return st;
            }
        } while (take(p, ","));
        if (!take(p, ")")) {
            brisk_status st = fail_at(p, p->i, BRISK_ERR_FORMAT, "expected ',' or ')' in the "
                                      "call of %s()", n->text);
            node_free(n);   /* frees the name the message quoted */
            return st;
        }
    }
    bool counts = f == F_MEAN || f == F_SUM || f == F_MIN || f == F_MAX;
    if (n->nargs == 0 || (!counts && n->nargs != 1)) {
        brisk_status st = fail_at(p, pos - 1, BRISK_ERR_FORMAT,
                                  counts ? "%s() needs at least one argument"
                                         : "%s() takes one argument", n->text);
        node_free(n);
        return st;
    }
    if (n->min_valid > n->nargs) {
        char msg[96];
        snprintf(msg, sizeof msg, "%%s() asks for %zu answers of %zu arguments", n->min_valid,
                 n->nargs);
        brisk_status st = fail_at(p, pos - 1, BRISK_ERR_FORMAT, msg, n->text);
        node_free(n);
        return st;
    }
    *out = n;
    return BRISK_OK;
}

static brisk_status parse_quoted(parser *p, char quote, node_kind kind, node **out)
{
    size_t start = p->i++;
    const char *close = strchr(p->s + p->i, quote);
    if (!close)
        return fail_at(p, start, BRISK_ERR_FORMAT, kind == N_TEXT ? "%s: no closing quote"
                                                                  : "%s: no closing backtick",
                       "unbalanced quotes");
    size_t len = (size_t)(close - (p->s + p->i));
    if (kind == N_COLUMN && len == 0)
        return fail_at(p, start, BRISK_ERR_FORMAT, "%s", "empty name in backticks");
    node *n = new_node(kind, start + 1);
    if (!n || !(n->text = brisk_strndup(p->s + p->i, len))) {
        node_free(n);
        return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
    }
    n->is_text = kind == N_TEXT;
    p->i += len + 1;
    *out = n;
    return BRISK_OK;
}

static brisk_status parse_primary(parser *p, node **out)
{
    skip_blanks(p);
    size_t start = p->i;
    unsigned char c = (unsigned char)p->s[p->i];
    if (c == '(') {
        p->i++;
        brisk_status st = parse_or(p, out);
        if (st == BRISK_OK && !take(p, ")")) {
            node_free(*out);
            *out = NULL;
            return fail_at(p, start, BRISK_ERR_FORMAT, "%s", "unbalanced parentheses: this "
                           "'(' is not closed");
        }
        return st;
    }
    if (c == '\'' || c == '"')
        return parse_quoted(p, (char)c, N_TEXT, out);
    if (c == '`')
        return parse_quoted(p, '`', N_COLUMN, out);
    if ((c >= '0' && c <= '9') || (c == '.' && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9')) {
        /* digits, a point, digits, an exponent: read whatever the locale */
        size_t j = p->i + strspn(p->s + p->i, "0123456789");
        if (p->s[j] == '.')
            j += 1 + strspn(p->s + j + 1, "0123456789");
        if ((p->s[j] == 'e' || p->s[j] == 'E') &&
            (isdigit((unsigned char)p->s[j + 1]) ||
             ((p->s[j + 1] == '-' || p->s[j + 1] == '+') && isdigit((unsigned char)p->s[j + 2]))))
            j += 2 + strspn(p->s + j + 2, "0123456789");
        double x;
        if (!brisk_parse_number(p->s + p->i, j - p->i, &x))
            return fail_at(p, start, BRISK_ERR_FORMAT, "%s", "not a number");
        node *n = new_node(N_NUMBER, start + 1);
        if (!n)
            return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        n->number = x;
        p->i = j;
        *out = n;
        return BRISK_OK;
    }
    if (name_char(c, true)) {
        size_t j = p->i;
        while (name_char((unsigned char)p->s[j], false))
            j++;
        char *name = brisk_strndup(p->s + p->i, j - p->i);
        if (!name)
            return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        p->i = j;
        if (take(p, "("))
            return parse_call(p, name, start + 1, out);
        node *n = new_node(N_COLUMN, start + 1);
        if (!n) {
            free(name);
            return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        }
        n->text = name;
        *out = n;
        return BRISK_OK;
    }
    if (c == '\0')
        return fail_at(p, start, BRISK_ERR_FORMAT, "%s", "the expression ends where a value "
                       "is expected");
    char what[8] = {(char)c, 0};
    if (c == '{')
        return fail_at(p, start, BRISK_ERR_FORMAT, "unexpected '%s': {b} stands for a "
                       "behaviour only in a survey with [behaviours]", what);
    return fail_at(p, start, BRISK_ERR_FORMAT, "unexpected '%s' where a value is expected",
                   what);
}

static brisk_status parse_unary(parser *p, node **out);

/* a ^ b ^ c is a ^ (b ^ c); -2^2 is -(2^2), as in R */
static brisk_status parse_power(parser *p, node **out)
{
    brisk_status st = parse_primary(p, out);
    size_t at = p->i;
    if (st != BRISK_OK || !take(p, "^"))
        return st;
    node *right = NULL;
    if (++p->depth > MAX_DEPTH)
        st = fail_at(p, at, BRISK_ERR_LIMIT, "%s", "the expression nests too deep");
    else
        st = parse_unary(p, &right);
    p->depth--;
    if (st != BRISK_OK) {
        node_free(*out);
        *out = NULL;
        return st;
    }
    return binary(p, OP_POW, at + 1, *out, right, out);
}

static brisk_status parse_unary(parser *p, node **out)
{
    skip_blanks(p);
    size_t at = p->i;
    if (p->s[p->i] == '-' || p->s[p->i] == '+') {
        bool minus = p->s[p->i] == '-';
        p->i++;
        if (++p->depth > MAX_DEPTH)
            return fail_at(p, at, BRISK_ERR_LIMIT, "%s", "the expression nests too deep");
        node *arg = NULL;
        brisk_status st = parse_unary(p, &arg);
        p->depth--;
        if (st != BRISK_OK || !minus) {
            *out = arg;
            return st;
        }
        node *n = new_node(N_NEGATE, at + 1);
        if (!n || !add_arg(n, arg)) {
            node_free(n);
            node_free(arg);
            return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        }
        *out = n;
        return BRISK_OK;
    }
    return parse_power(p, out);
}

/* One level of left-associative operators: operand (op operand)*. */
typedef brisk_status (*operand_fn)(parser *p, node **out);

static brisk_status parse_left(parser *p, node **out, operand_fn operand, const char *ops,
                               const op *codes)
{
    brisk_status st = operand(p, out);
    for (;;) {
        if (st != BRISK_OK)
            return st;
        skip_blanks(p);
        size_t at = p->i;
        const char *hit = p->s[p->i] ? strchr(ops, p->s[p->i]) : NULL;
        if (!hit)
            return BRISK_OK;
        p->i++;
        node *right = NULL;
        st = operand(p, &right);
        if (st != BRISK_OK) {
            node_free(*out);
            *out = NULL;
            return st;
        }
        st = binary(p, codes[hit - ops], at + 1, *out, right, out);
    }
}

static brisk_status parse_product(parser *p, node **out)
{
    static const op codes[] = {OP_MUL, OP_DIV};
    return parse_left(p, out, parse_unary, "*/", codes);
}

static brisk_status parse_sum(parser *p, node **out)
{
    static const op codes[] = {OP_ADD, OP_SUB};
    return parse_left(p, out, parse_product, "+-", codes);
}

static brisk_status parse_comparison(parser *p, node **out)
{
    brisk_status st = parse_sum(p, out);
    if (st != BRISK_OK)
        return st;
    skip_blanks(p);
    size_t at = p->i;
    static const struct { const char *tok; op o; } ops[] = {
        {"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT},
    };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (!take(p, ops[k].tok))
            continue;
        node *right = NULL;
        st = parse_sum(p, &right);
        if (st != BRISK_OK) {
            node_free(*out);
            *out = NULL;
            return st;
        }
        return binary(p, ops[k].o, at + 1, *out, right, out);
    }
    if (p->s[p->i] == '=') {
        node_free(*out);
        *out = NULL;
        return fail_at(p, at, BRISK_ERR_FORMAT, "%s", "'=' is not a comparison: write '==' "
                       "(or != < <= > >=)");
    }
    return BRISK_OK;
}

static brisk_status parse_not(parser *p, node **out)
{
    skip_blanks(p);
    size_t at = p->i;
    if (p->s[p->i] == '!' && p->s[p->i + 1] != '=') {
        p->i++;
        if (++p->depth > MAX_DEPTH)
            return fail_at(p, at, BRISK_ERR_LIMIT, "%s", "the expression nests too deep");
        node *arg = NULL;
        brisk_status st = parse_not(p, &arg);
        p->depth--;
        if (st != BRISK_OK)
            return st;
        node *n = new_node(N_NOT, at + 1);
        if (!n || !add_arg(n, arg)) {
            node_free(n);
            node_free(arg);
            return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        }
        *out = n;
        return BRISK_OK;
    }
    return parse_comparison(p, out);
}

static brisk_status parse_logic(parser *p, node **out, bool is_or)
{
    brisk_status st = is_or ? parse_logic(p, out, false) : parse_not(p, out);
    for (;;) {
        if (st != BRISK_OK)
            return st;
        skip_blanks(p);
        size_t at = p->i;
        if (!(is_or ? take(p, "||") || take(p, "|") : take(p, "&&") || take(p, "&")))
            return BRISK_OK;
        node *right = NULL;
        st = is_or ? parse_logic(p, &right, false) : parse_not(p, &right);
        if (st != BRISK_OK) {
            node_free(*out);
            *out = NULL;
            return st;
        }
        st = binary(p, is_or ? OP_OR : OP_AND, at + 1, *out, right, out);
    }
}

static brisk_status parse_or(parser *p, node **out)
{
    *out = NULL;
    if (++p->depth > MAX_DEPTH)
        return fail_at(p, p->i, BRISK_ERR_LIMIT, "%s", "the expression nests too deep (more "
                       "than 100 levels)");
    brisk_status st = parse_logic(p, out, true);
    p->depth--;
    return st;
}

brisk_status brisk_expr_parse(const char *text, brisk_expr **out, brisk_error *err)
{
    *out = NULL;
    if (!text)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "brisk_expr_parse: no text");
    if (strlen(text) > MAX_TEXT)
        return brisk_error_set(err, BRISK_ERR_LIMIT, "an expression of more than 64 KiB");
    brisk_expr *e = calloc(1, sizeof *e);
    if (!e || !(e->text = brisk_strdup(text))) {
        free(e);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    parser p = {.s = e->text, .err = err};
    skip_blanks(&p);
    brisk_status st = p.s[p.i] ? parse_or(&p, &e->root)
                               : fail_at(&p, 0, BRISK_ERR_FORMAT, "%s", "the expression is "
                                         "empty");
    skip_blanks(&p);
    if (st == BRISK_OK && p.s[p.i]) {
        char what[8] = {p.s[p.i], 0};
        st = fail_at(&p, p.i, BRISK_ERR_FORMAT,
                     p.s[p.i] == ')' ? "unbalanced parentheses: '%s' closes nothing"
                     : p.s[p.i] == '{' ? "unexpected '%s': {b} stands for a behaviour only "
                                         "in a survey with [behaviours]"
                                       : "unexpected '%s' after a complete expression", what);
    }
    if (st != BRISK_OK) {
        brisk_expr_free(e);
        return st;
    }
    *out = e;
    return BRISK_OK;
}

const char *brisk_expr_text(const brisk_expr *e)
{
    return e->text;
}

/* ------------------------------------------------------------ binding */

static bool is_condition(const node *n)
{
    return n->kind == N_NOT || (n->kind == N_BINARY && n->op <= OP_GE) ||
           (n->kind == N_CALL && n->func == F_MISSING);
}

bool brisk_expr_is_condition(const brisk_expr *e)
{
    return is_condition(e->root);
}

static brisk_status bind_error(const brisk_expr *e, const node *n, brisk_status st,
                               brisk_error *err, const char *fmt, const char *a, const char *b)
{
    char msg[320];
    snprintf(msg, sizeof msg, fmt, a, b);
    brisk_error_set(err, st, "%s (character %zu of '%.120s')", msg, n->pos, e->text);
    brisk_error_at(err, NULL, 0, (long)n->pos);
    return st;
}

/* The quoted value t compared with numeric column c: the code whose value
 * label it is. */
static brisk_status bind_label(const brisk_expr *e, node *t, const brisk_column *c,
                               brisk_error *err)
{
    for (size_t k = 0; k < c->n_labels; k++)
        if (!c->labels[k].string_value && strcmp(c->labels[k].label, t->text) == 0) {
            t->number = c->labels[k].value;
            t->is_text = false;
            return BRISK_OK;
        }
    return bind_error(e, t, BRISK_ERR_VALUE, err,
                      c->n_labels ? "'%s' is not a value label of '%s': compare a numeric "
                                    "column with a number, or with one of its labels"
                                  : "'%s' is text but '%s' is a numeric column: compare it "
                                    "with a number", t->text, c->name);
}

static brisk_status bind_node(const brisk_expr *e, node *n, const brisk_dataset *ds,
                              brisk_error *err)
{
    for (size_t k = 0; k < n->nargs; k++) {
        brisk_status st = bind_node(e, n->args[k], ds, err);
        if (st != BRISK_OK)
            return st;
    }
    switch (n->kind) {
    case N_COLUMN: {
        size_t j = brisk_dataset_index(ds, n->text);
        if (j == (size_t)-1) {
            bind_error(e, n, BRISK_ERR_COLUMN, err, "'%s' is not a column of %s", n->text,
                       ds->source ? ds->source : "the data");
            brisk_error_variable(err, n->text);
            return BRISK_ERR_COLUMN;
        }
        n->column = j;
        n->is_text = ds->cols[j].type == BRISK_STRING;
        return BRISK_OK;
    }
    case N_BINARY: {
        node *a = n->args[0], *b = n->args[1];
        if (n->op >= OP_EQ && n->op <= OP_GE && a->is_text != b->is_text) {
            node *t = a->is_text ? a : b, *other = a->is_text ? b : a;
            if (t->kind == N_TEXT && other->kind == N_COLUMN)
                return bind_label(e, t, &ds->cols[other->column], err);
            if (t->kind == N_COLUMN)
                return bind_error(e, t, BRISK_ERR_VALUE, err, "'%s' is a text column: compare "
                                  "it with a quoted value ('...')%s", t->text, "");
            return bind_error(e, t, BRISK_ERR_VALUE, err, "text ('%s') can only be compared "
                              "with a column%s", t->text, "");
        }
        if ((n->op < OP_EQ || n->op > OP_GE) && (a->is_text || b->is_text)) {
            node *t = a->is_text ? a : b;
            return bind_error(e, t, BRISK_ERR_VALUE, err, "'%s' is text: only == != < <= > >= "
                              "take text%s", t->text, "");
        }
        return BRISK_OK;
    }
    case N_TEXT:
        return BRISK_OK;   /* checked by its comparison; alone it is refused below */
    default:
        for (size_t k = 0; k < n->nargs; k++)
            if (n->args[k]->is_text && !(n->kind == N_CALL && n->func == F_MISSING))
                return bind_error(e, n->args[k], BRISK_ERR_VALUE, err, "'%s' is text: "
                                  "arithmetic and logic take numbers%s", n->args[k]->text, "");
        return BRISK_OK;
    }
}

brisk_status brisk_expr_bind(brisk_expr *e, const brisk_dataset *ds, brisk_error *err)
{
    brisk_status st = bind_node(e, e->root, ds, err);
    if (st == BRISK_OK && e->root->is_text)
        st = bind_error(e, e->root, BRISK_ERR_VALUE, err, "'%s' is text, not a number or a "
                        "condition%s", e->root->text, "");
    return st;
}

/* ------------------------------------------------------------ evaluation */

static const char *text_of(const node *n, const brisk_dataset *ds, size_t row)
{
    if (n->kind == N_TEXT)
        return n->text;
    const brisk_column *c = &ds->cols[n->column];
    return brisk_is_missing(c, row) ? NULL : c->str[row];
}

static double eval(const node *n, const brisk_dataset *ds, size_t row);

static double compare(op o, double d)
{
    switch (o) {
    case OP_EQ: return d == 0;
    case OP_NE: return d != 0;
    case OP_LT: return d < 0;
    case OP_LE: return d <= 0;
    case OP_GT: return d > 0;
    default: return d >= 0;
    }
}

static double eval_binary(const node *n, const brisk_dataset *ds, size_t row)
{
    if (n->op == OP_AND || n->op == OP_OR) {
        double a = eval(n->args[0], ds, row);
        bool decided = n->op == OP_AND ? a == 0 : (!isnan(a) && a != 0);
        if (decided)
            return n->op == OP_OR;
        double b = eval(n->args[1], ds, row);
        if (n->op == OP_AND ? b == 0 : (!isnan(b) && b != 0))
            return n->op == OP_OR;
        return isnan(a) || isnan(b) ? NAN : n->op == OP_AND;
    }
    if (n->op <= OP_GE && n->args[0]->is_text) {
        const char *a = text_of(n->args[0], ds, row), *b = text_of(n->args[1], ds, row);
        return a && b ? compare(n->op, strcmp(a, b)) : NAN;
    }
    double a = eval(n->args[0], ds, row), b = eval(n->args[1], ds, row);
    if (n->op == OP_POW)
        return pow(a, b);   /* as R: NA^0 and 1^NA are 1 */
    if (isnan(a) || isnan(b))
        return NAN;
    switch (n->op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return b == 0 ? NAN : a / b;
    default: return compare(n->op, a < b ? -1 : a > b ? 1 : 0);
    }
}

static double eval_call(const node *n, const brisk_dataset *ds, size_t row)
{
    if (n->func == F_MISSING) {
        const node *a = n->args[0];
        return a->is_text ? text_of(a, ds, row) == NULL : isnan(eval(a, ds, row));
    }
    if (n->nargs == 1 && n->func >= F_ABS) {
        double x = eval(n->args[0], ds, row);
        switch (n->func) {
        case F_ABS: return fabs(x);
        case F_SQRT: return x >= 0 ? sqrt(x) : NAN;
        case F_EXP: return exp(x);
        case F_LOG: return x > 0 ? log(x) : NAN;
        default: return x > 0 ? log10(x) : NAN;
        }
    }
    size_t valid = 0;
    double acc = n->func == F_MIN ? INFINITY : n->func == F_MAX ? -INFINITY : 0;
    for (size_t k = 0; k < n->nargs; k++) {
        double x = eval(n->args[k], ds, row);
        if (isnan(x))
            continue;
        valid++;
        if (n->func == F_MIN)
            acc = fmin(acc, x);
        else if (n->func == F_MAX)
            acc = fmax(acc, x);
        else
            acc += x;
    }
    size_t need = n->min_valid ? n->min_valid : n->nargs;
    if (valid < need)
        return NAN;
    return n->func == F_MEAN ? acc / (double)valid : acc;
}

static double eval(const node *n, const brisk_dataset *ds, size_t row)
{
    switch (n->kind) {
    case N_NUMBER:
    case N_TEXT:   /* a label bound to its code */
        return n->number;
    case N_COLUMN: {
        const brisk_column *c = &ds->cols[n->column];
        return brisk_is_missing(c, row) ? NAN : c->num[row];
    }
    case N_NEGATE:
        return -eval(n->args[0], ds, row);
    case N_NOT: {
        double a = eval(n->args[0], ds, row);
        return isnan(a) ? NAN : a == 0;
    }
    case N_BINARY:
        return eval_binary(n, ds, row);
    default:
        return eval_call(n, ds, row);
    }
}

double brisk_expr_value(const brisk_expr *e, const brisk_dataset *ds, size_t row)
{
    double x = eval(e->root, ds, row);
    return isfinite(x) ? x : NAN;
}

/* ------------------------------------------------------------ filtering */

brisk_status brisk_dataset_filter(brisk_dataset *ds, const char *text, size_t *kept,
                                  brisk_error *err)
{
    brisk_expr *e = NULL;
    brisk_status st = brisk_expr_parse(text, &e, err);
    if (st == BRISK_OK)
        st = brisk_expr_bind(e, ds, err);
    if (st == BRISK_OK && !brisk_expr_is_condition(e))
        st = brisk_error_set(err, BRISK_ERR_FORMAT, "'%.120s' is not a condition: compare "
                             "(age >= 18), combine with & | !, or test missing(x)", text);
    bool *keep = st == BRISK_OK ? malloc((ds->nrows ? ds->nrows : 1) * sizeof *keep) : NULL;
    if (st == BRISK_OK && !keep)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; st == BRISK_OK && i < ds->nrows; i++) {
        double v = brisk_expr_value(e, ds, i);
        keep[i] = !isnan(v) && v != 0;
        n += keep[i];
    }
    if (st == BRISK_OK && n == 0)
        st = brisk_error_set(err, BRISK_ERR_VALUE, "'%.120s' keeps none of the %zu rows of %s",
                             text, ds->nrows, ds->source ? ds->source : "the data");
    if (st == BRISK_OK)
        st = brisk_dataset_keep_rows(ds, keep, err);
    if (st == BRISK_OK && kept)
        *kept = n;
    free(keep);
    brisk_expr_free(e);
    return st;
}

void brisk_filter_note(char *buf, size_t size, const char *cond, size_t kept, size_t total)
{
    if (size)
        snprintf(buf, size, "Rows where %s: %zu of the data's %zu (%zu left out).", cond, kept,
                 total, total - kept);
}
