/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lavaan model syntax: a tokenizer and a statement parser. */
#include <config.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/syntax.h"
#include "core/util.h"

/* ------------------------------------------------------------ tokens */

typedef enum {
    TOK_IDENT, TOK_NUMBER, TOK_STRING, TOK_OP, TOK_END_STATEMENT, TOK_EOF
} token_kind;

typedef struct token {
    token_kind kind;
    char text[256];
    long line, column;
} token;

typedef struct lexer {
    const char *text;
    size_t pos;
    long line, column;
    token *toks;
    size_t ntoks, cap;
    const char *name;
} lexer;

/* Longest first where one begins another.  "<~", "~*~" and "?" are
 * lavaan's; "?" is read, the other two refused by name. */
static const char *const operators[] = {
    "~*~", "<~", "=~", "~~", ":=", "==", "~", "<", ">", "|", "+", "*", "(", ")", ",", "-", "/",
    "^", "=", "?"
};

static brisk_status syntax_error(brisk_error *err, const char *name, long line, long column,
                                 const char *what)
{
    brisk_error_at(err, name, line, column);
    return brisk_error_set(err, BRISK_ERR_FORMAT, "model syntax: %s", what);
}

static void advance(lexer *lx, size_t n)
{
    while (n-- && lx->text[lx->pos]) {
        if (lx->text[lx->pos] == '\n') {
            lx->line++;
            lx->column = 1;
        } else if (((unsigned char)lx->text[lx->pos] & 0xC0) != 0x80) {
            lx->column++;
        }
        lx->pos++;
    }
}

static bool push_token(lexer *lx, token_kind kind, const char *s, size_t n, long line,
                       long column)
{
    if (!brisk_grow((void **)&lx->toks, &lx->cap, lx->ntoks + 1, sizeof *lx->toks))
        return false;
    token *t = &lx->toks[lx->ntoks++];
    t->kind = kind;
    if (n >= sizeof t->text)
        n = sizeof t->text - 1;
    memcpy(t->text, s, n);
    t->text[n] = '\0';
    t->line = line;
    t->column = column;
    return true;
}

static bool is_ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == '.' || ((unsigned char)c & 0x80);
}

/* Braces belong to names so that a survey's templates such as pb1_{b}
 * parse as one name, with positions that point into the survey file. */
static bool is_ident_char(char c)
{
    return is_ident_start(c) || isdigit((unsigned char)c) || c == '{' || c == '}';
}

static size_t match_number(const char *s)
{
    size_t i = 0;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    if (i > 0 && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return (i == 1 && s[0] == '.') ? 0 : i;
}

static size_t match_operator(const char *s)
{
    for (size_t k = 0; k < sizeof operators / sizeof operators[0]; k++) {
        size_t n = strlen(operators[k]);
        if (strncmp(s, operators[k], n) == 0)
            return n;
    }
    return 0;
}

/* One token at lx->pos; returns a status for unknown characters. */
static brisk_status lex_one(lexer *lx, brisk_error *err)
{
    const char *s = lx->text + lx->pos;
    long line = lx->line, column = lx->column;
    size_t n;
    token_kind kind;
    if (*s == '\n' || *s == ';') {
        n = 1;
        kind = TOK_END_STATEMENT;
    } else if ((n = match_number(s)) > 0 && !(s[0] == '.' && is_ident_char(s[n]))) {
        kind = TOK_NUMBER;
    } else if (is_ident_start(*s) || *s == '{') {
        n = 0;
        while (is_ident_char(s[n]))
            n++;
        kind = TOK_IDENT;
    } else if (*s == '`') {
        /* brisk's extension: `Trust 1` is one name (lavaan has no backticks) */
        const char *close = strchr(s + 1, '`');
        if (!close || memchr(s + 1, '\n', (size_t)(close - s - 1)))
            return syntax_error(err, lx->name, line, column, "the backtick opened here is not "
                                "closed on its line (`Trust 1` is one name)");
        if (close == s + 1 || close - s - 1 >= 256)
            return syntax_error(err, lx->name, line, column, close == s + 1
                                ? "empty name ``" : "name longer than 255 bytes");
        if (!push_token(lx, TOK_IDENT, s + 1, (size_t)(close - s - 1), line, column))
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        advance(lx, (size_t)(close - s + 1));
        return BRISK_OK;
    } else if (*s == '"' || *s == '\'') {
        const char *close = strchr(s + 1, *s);
        if (!close || memchr(s + 1, '\n', (size_t)(close - s - 1)))
            return syntax_error(err, lx->name, line, column, "unterminated string");
        if (!push_token(lx, TOK_STRING, s + 1, (size_t)(close - s - 1), line, column))
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        advance(lx, (size_t)(close - s + 1));
        return BRISK_OK;
    } else if ((n = match_operator(s)) > 0) {
        kind = TOK_OP;
    } else if (*s == ':') {
        return syntax_error(err, lx->name, line, column,
                            "group blocks ('group: 1') are not supported; give one value per "
                            "group with c(...), e.g. c(a1, a2)*x");
    } else {
        char what[64];
        snprintf(what, sizeof what, "unexpected character '%c'", *s);
        return syntax_error(err, lx->name, line, column, what);
    }
    if (kind != TOK_END_STATEMENT && n >= 256)
        return syntax_error(err, lx->name, line, column, "name longer than 255 bytes");
    if (!push_token(lx, kind, s, n, line, column))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (kind == TOK_END_STATEMENT)
        lx->toks[lx->ntoks - 1].text[0] = *s;
    advance(lx, n);
    return BRISK_OK;
}

static brisk_status lex_all(lexer *lx, brisk_error *err)
{
    while (lx->text[lx->pos]) {
        char c = lx->text[lx->pos];
        if (c == '#' || c == '!') {
            while (lx->text[lx->pos] && lx->text[lx->pos] != '\n')
                advance(lx, 1);
        } else if (c == ' ' || c == '\t' || c == '\r') {
            advance(lx, 1);
        } else {
            brisk_status s = lex_one(lx, err);
            if (s != BRISK_OK)
                return s;
        }
    }
    /* The final end is a ";": it always ends the last statement. */
    if (!push_token(lx, TOK_END_STATEMENT, ";", 1, lx->line, lx->column) ||
        !push_token(lx, TOK_EOF, "", 0, lx->line, lx->column))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return BRISK_OK;
}

static bool is_op(const token *t, const char *op)
{
    return t->kind == TOK_OP && strcmp(t->text, op) == 0;
}

/* A line break does not end a statement when the line ends in an operator
 * (other than ')') or the next line starts with '+' or '*'. */
static void join_continued_lines(lexer *lx)
{
    size_t out = 0;
    for (size_t i = 0; i < lx->ntoks; i++) {
        token *t = &lx->toks[i];
        if (t->kind == TOK_END_STATEMENT && t->text[0] == '\n') {
            const token *prev = out ? &lx->toks[out - 1] : NULL;
            size_t j = i + 1;
            while (lx->toks[j].kind == TOK_END_STATEMENT && lx->toks[j].text[0] == '\n')
                j++;
            const token *next = &lx->toks[j];
            bool continues = (prev && prev->kind == TOK_OP && !is_op(prev, ")")) ||
                             is_op(next, "+") || is_op(next, "*");
            if (continues)
                continue;
        }
        lx->toks[out++] = *t;
    }
    lx->ntoks = out;
}

/* ------------------------------------------------------------ statements */

typedef struct parser {
    const token *t;
    size_t pos;
    const char *name;
    brisk_error *err;
} parser;

static const token *peek(const parser *p)
{
    return &p->t[p->pos];
}

/* An error at the end of a statement points just past its last token,
 * which is where something is missing. */
static brisk_status fail_at(parser *p, const token *t, const char *what)
{
    long line = t->line, column = t->column;
    if (t->kind == TOK_END_STATEMENT && t > p->t) {
        const token *prev = t - 1;
        line = prev->line;
        column = prev->column + (long)strlen(prev->text);
        if (prev->kind == TOK_STRING)
            column += 2;
    }
    return syntax_error(p->err, p->name, line, column, what);
}

static void term_free(brisk_term *term)
{
    free(term->name);
    for (size_t k = 0; k < term->nmods; k++)
        free(term->mods[k].label);
    free(term->mods);
}

static void statement_free(brisk_statement *s)
{
    free(s->lhs);
    for (size_t k = 0; k < s->nrhs; k++)
        term_free(&s->rhs[k]);
    free(s->rhs);
    free(s->expr);
}

void brisk_syntax_free(brisk_syntax *syntax)
{
    if (!syntax)
        return;
    for (size_t i = 0; i < syntax->n; i++)
        statement_free(&syntax->stmts[i]);
    free(syntax->stmts);
    free(syntax);
}

static bool parse_signed_number(parser *p, double *value)
{
    double sign = 1;
    size_t save = p->pos;
    if (is_op(peek(p), "-") || is_op(peek(p), "+")) {
        sign = is_op(peek(p), "-") ? -1 : 1;
        p->pos++;
    }
    if (peek(p)->kind != TOK_NUMBER) {
        p->pos = save;
        return false;
    }
    *value = sign * strtod(peek(p)->text, NULL);
    p->pos++;
    return true;
}

/* One value of a modifier: number, NA, label, or "label". */
static brisk_status parse_modifier_value(parser *p, brisk_modifier *m)
{
    memset(m, 0, sizeof *m);
    const token *t = peek(p);
    if (parse_signed_number(p, &m->value)) {
        m->is_fixed = true;
        return BRISK_OK;
    }
    if (t->kind == TOK_IDENT && strcmp(t->text, "NA") == 0) {
        m->is_free = true;
        p->pos++;
        return BRISK_OK;
    }
    if (t->kind == TOK_IDENT || t->kind == TOK_STRING) {
        m->label = brisk_strdup(t->text);
        p->pos++;
        return m->label ? BRISK_OK : BRISK_ERR_NOMEM;
    }
    if (t->kind == TOK_END_STATEMENT)
        return fail_at(p, t, "expected a variable name");
    char what[400];
    snprintf(what, sizeof what, "expected a variable name (or a modifier such as 0.5*, NA* "
             "or a label*), found '%s'", t->text);
    return fail_at(p, t, what);
}

static brisk_status add_modifier(brisk_term *term, const brisk_modifier *m)
{
    size_t cap = term->nmods;
    if (!brisk_grow((void **)&term->mods, &cap, term->nmods + 1, sizeof *term->mods))
        return BRISK_ERR_NOMEM;
    term->mods[term->nmods++] = *m;
    return BRISK_OK;
}

/* A modifier after another ("a*0.4*x": label a, fixed at 0.4) joins it,
 * as in lavaan; two values or two labels for one term are an error. */
static brisk_status merge_modifier(parser *p, const token *at, brisk_term *term,
                                   const brisk_modifier *m)
{
    if (term->nmods == 0)
        return add_modifier(term, m);
    brisk_modifier *old = &term->mods[0];
    bool has_value = old->is_fixed || old->is_free, adds_value = m->is_fixed || m->is_free;
    if (term->nmods > 1 || (has_value && adds_value) || (old->label && m->label))
        return fail_at(p, at, term->nmods > 1 ? "a modifier after c(...): give each group's "
                                                "values in one c(...)"
                                              : has_value && adds_value
                                                    ? "two values for one parameter"
                                                    : "two labels for one parameter");
    if (adds_value) {
        old->is_fixed = m->is_fixed;
        old->is_free = m->is_free;
        old->value = m->value;
    } else {
        old->label = m->label;
        old->is_equal = m->is_equal;
    }
    return BRISK_OK;
}

/* c(v1, v2, ...): one value per group. */
static brisk_status parse_value_list(parser *p, brisk_term *term)
{
    p->pos += 2; /* c ( */
    for (;;) {
        brisk_modifier m;
        brisk_status s = parse_modifier_value(p, &m);
        if (s == BRISK_OK && (s = add_modifier(term, &m)) != BRISK_OK)
            free(m.label);
        if (s != BRISK_OK)
            return s;
        if (is_op(peek(p), ")")) {
            p->pos++;
            return BRISK_OK;
        }
        if (!is_op(peek(p), ","))
            return fail_at(p, peek(p), "expected ',' or ')' in c(...)");
        p->pos++;
    }
}

/* start(v), label("x"), equal("x"): modifiers written as functions. */
static brisk_status parse_function_modifier(parser *p, brisk_term *term)
{
    const token *fn = peek(p);
    p->pos += 2;
    brisk_status s = BRISK_OK;
    if (strcmp(fn->text, "start") == 0) {
        if (!parse_signed_number(p, &term->start))
            return fail_at(p, peek(p), "start() takes a number");
        term->has_start = true;
    } else {
        const token *arg = peek(p);
        if (arg->kind != TOK_STRING && arg->kind != TOK_IDENT)
            return fail_at(p, arg, "expected a label in quotes");
        brisk_modifier m = {.label = brisk_strdup(arg->text),
                            .is_equal = strcmp(fn->text, "equal") == 0};
        if (!m.label)
            return BRISK_ERR_NOMEM;
        if ((s = merge_modifier(p, fn, term, &m)) != BRISK_OK) {
            free(m.label);
            return s;
        }
        p->pos++;
    }
    if (!is_op(peek(p), ")"))
        return fail_at(p, peek(p), "expected ')'");
    p->pos++;
    return s;
}

static bool is_function_modifier(const parser *p)
{
    const token *t = peek(p);
    return t->kind == TOK_IDENT && is_op(&p->t[p->pos + 1], "(") &&
           (strcmp(t->text, "start") == 0 || strcmp(t->text, "label") == 0 ||
            strcmp(t->text, "equal") == 0 || strcmp(t->text, "c") == 0);
}

/* A modifier lavaan has and brisk does not: refused by name, never
 * ignored. */
static brisk_status unsupported_modifier(parser *p, const token *fn)
{
    static const struct {
        const char *name, *why;
    } known[] = {
        {"lower", "bounds on a parameter (lower(), upper()) are not supported; fix the "
                  "parameter or leave it free"},
        {"upper", "bounds on a parameter (lower(), upper()) are not supported; fix the "
                  "parameter or leave it free"},
        {"prior", "priors (prior()) belong to Bayesian estimation (blavaan) and are not "
                  "supported"},
        {"efa", "EFA blocks (efa()) are not supported; write the factors' loadings out"},
        {"rv", "random slopes (rv()) are not supported"},
    };
    char what[400];
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strcmp(fn->text, known[k].name) == 0)
            return fail_at(p, fn, known[k].why);
    snprintf(what, sizeof what, "unknown modifier '%s()'; brisk knows start(), label(), "
             "equal() and c()", fn->text);
    return fail_at(p, fn, what);
}

/* A modifier before '*', or the term's variable name. */
static brisk_status parse_term(parser *p, brisk_term *term)
{
    memset(term, 0, sizeof *term);
    term->line = peek(p)->line;
    term->column = peek(p)->column;
    for (;;) {
        brisk_status s;
        const token *t = peek(p);
        size_t save = p->pos;
        double start;
        if (parse_signed_number(p, &start) && is_op(peek(p), "?")) {
            term->has_start = true;   /* lavaan's "0.5?x": start(0.5)*x */
            term->start = start;
            p->pos++;
            continue;
        }
        p->pos = save;
        if (is_function_modifier(p)) {
            s = strcmp(t->text, "c") == 0 ? parse_value_list(p, term)
                                          : parse_function_modifier(p, term);
        } else if (t->kind == TOK_IDENT && is_op(&p->t[p->pos + 1], "(")) {
            return unsupported_modifier(p, t);
        } else if ((t->kind == TOK_IDENT || t->kind == TOK_NUMBER) &&
                   !is_op(&p->t[p->pos + 1], "*")) {
            term->name = brisk_strdup(t->text);
            p->pos++;
            return term->name ? BRISK_OK : BRISK_ERR_NOMEM;
        } else {
            brisk_modifier m;
            s = parse_modifier_value(p, &m);
            if (s == BRISK_OK && (s = merge_modifier(p, t, term, &m)) != BRISK_OK)
                free(m.label);
        }
        if (s != BRISK_OK)
            return s;
        if (!is_op(peek(p), "*"))
            return fail_at(p, peek(p), "expected '*' and a variable name after a modifier");
        p->pos++;
    }
}

static brisk_status add_term(brisk_statement *st, const brisk_term *term)
{
    size_t cap = st->nrhs;
    if (!brisk_grow((void **)&st->rhs, &cap, st->nrhs + 1, sizeof *st->rhs))
        return BRISK_ERR_NOMEM;
    st->rhs[st->nrhs++] = *term;
    return BRISK_OK;
}

static brisk_status parse_terms(parser *p, brisk_statement *st)
{
    for (;;) {
        brisk_term term;
        brisk_status s = parse_term(p, &term);
        if (s == BRISK_OK && (s = add_term(st, &term)) != BRISK_OK)
            s = brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
        if (s != BRISK_OK) {
            term_free(&term);
            return s;
        }
        if (!is_op(peek(p), "+"))
            break;
        p->pos++;
    }
    if (peek(p)->kind != TOK_END_STATEMENT)
        return fail_at(p, peek(p), "expected '+' or the end of the statement");
    return BRISK_OK;
}

/* The text of tokens [from, to) joined, for expressions kept verbatim. */
static char *join_tokens(const parser *p, size_t from, size_t to)
{
    brisk_buf b = {0};
    for (size_t i = from; i < to; i++) {
        if (p->t[i].kind == TOK_STRING) {
            if (!brisk_buf_printf(&b, "\"%s\"", p->t[i].text))
                goto fail;
        } else if (!brisk_buf_puts(&b, p->t[i].text)) {
            goto fail;
        }
    }
    if (!b.data && !brisk_buf_puts(&b, ""))
        goto fail;
    return b.data;
fail:
    brisk_buf_free(&b);
    return NULL;
}

static const struct {
    const char *text;
    brisk_op op;
} statement_ops[] = {
    {"=~", BRISK_OP_MEASURE}, {"~~", BRISK_OP_COVARY}, {"~", BRISK_OP_REGRESS},
    {"|", BRISK_OP_THRESHOLD}, {":=", BRISK_OP_DEFINE}, {"==", BRISK_OP_EQUAL},
    {"<", BRISK_OP_LESS}, {">", BRISK_OP_GREATER},
};

static bool find_statement_op(const token *t, brisk_op *op)
{
    if (t->kind != TOK_OP)
        return false;
    for (size_t k = 0; k < sizeof statement_ops / sizeof statement_ops[0]; k++) {
        if (strcmp(t->text, statement_ops[k].text) == 0) {
            *op = statement_ops[k].op;
            return true;
        }
    }
    return false;
}

const char *brisk_op_text(brisk_op op)
{
    if (op == BRISK_OP_INTERCEPT)
        return "~1";
    if (op == BRISK_OP_SCALE)
        return "~*~";
    for (size_t k = 0; k < sizeof statement_ops / sizeof statement_ops[0]; k++)
        if (statement_ops[k].op == op)
            return statement_ops[k].text;
    return "?";
}

static size_t find_end(const parser *p)
{
    size_t i = p->pos;
    while (p->t[i].kind != TOK_END_STATEMENT)
        i++;
    return i;
}

static brisk_status parse_expression_statement(parser *p, brisk_statement *st,
                                               size_t lhs_from, size_t op_at)
{
    size_t end = find_end(p);
    if (end == op_at + 1)
        return fail_at(p, &p->t[end], "expected an expression after the operator");
    st->lhs = join_tokens(p, lhs_from, op_at);
    st->expr = join_tokens(p, op_at + 1, end);
    p->pos = end;
    return st->lhs && st->expr ? BRISK_OK : BRISK_ERR_NOMEM;
}

/* "y ~ 1" is an intercept statement; a "1" among other regressors
 * ("y ~ 1 + x") stays a term of the regression and stands for the
 * intercept of y there. */
static brisk_status classify_intercept(parser *p, brisk_statement *st)
{
    for (size_t k = 0; k < st->nrhs; k++) {
        bool one = strcmp(st->rhs[k].name, "1") == 0;
        if (one && st->nrhs == 1)
            st->op = BRISK_OP_INTERCEPT;
        if (one)
            continue;
        if (isdigit((unsigned char)st->rhs[k].name[0]) || st->rhs[k].name[0] == '.') {
            brisk_error_at(p->err, p->name, st->rhs[k].line, st->rhs[k].column);
            return brisk_error_set(p->err, BRISK_ERR_FORMAT,
                                   "model syntax: expected a variable name, found '%s'",
                                   st->rhs[k].name);
        }
    }
    return BRISK_OK;
}

/* The terms of "=~" and "~~" are variables: a number there ("x1 ~~ 1", a
 * slip for an intercept) is refused, not read as one. */
static brisk_status variables_only(parser *p, brisk_statement *st)
{
    for (size_t k = 0; k < st->nrhs; k++) {
        const char *name = st->rhs[k].name;
        if (!isdigit((unsigned char)name[0]) && name[0] != '.')
            continue;
        brisk_error_at(p->err, p->name, st->rhs[k].line, st->rhs[k].column);
        return brisk_error_set(p->err, BRISK_ERR_FORMAT,
                               "model syntax: expected a variable name after '%s', found '%s'%s",
                               brisk_op_text(st->op), name,
                               strcmp(name, "1") == 0 ? "; an intercept is written 'x ~ 1'" : "");
    }
    return BRISK_OK;
}

/* lavaan's operators that brisk does not have, refused by name. */
static brisk_status refuse_operator(parser *p, size_t end)
{
    for (size_t i = p->pos; i < end; i++) {
        if (is_op(&p->t[i], "<~"))
            return fail_at(p, &p->t[i], "'<~' (a formative or composite construct) is not "
                           "supported by brisk's covariance-based engine; write the construct "
                           "with =~ (reflective)");
        if (is_op(&p->t[i], "~*~"))
            return fail_at(p, &p->t[i], "'~*~' (scale factors of ordered items) is not "
                           "supported");
    }
    return BRISK_OK;
}

static brisk_status copy_term(const brisk_term *from, brisk_term *to)
{
    *to = *from;
    to->name = brisk_strdup(from->name);
    to->mods = from->nmods ? calloc(from->nmods, sizeof *to->mods) : NULL;
    if (!to->name || (from->nmods && !to->mods))
        return BRISK_ERR_NOMEM;
    for (size_t k = 0; k < from->nmods; k++) {
        to->mods[k] = from->mods[k];
        if (from->mods[k].label && !(to->mods[k].label = brisk_strdup(from->mods[k].label)))
            return BRISK_ERR_NOMEM;
    }
    return BRISK_OK;
}

/* The same statement for another left-hand side ("y1 + y2 ~ x": y2's). */
static brisk_status copy_statement(const brisk_statement *from, const token *lhs,
                                   brisk_statement *to)
{
    memset(to, 0, sizeof *to);
    to->op = from->op;
    to->line = lhs->line;
    to->column = lhs->column;
    to->lhs = brisk_strdup(lhs->text);
    to->rhs = calloc(from->nrhs ? from->nrhs : 1, sizeof *to->rhs);
    if (!to->lhs || !to->rhs)
        return BRISK_ERR_NOMEM;
    for (size_t k = 0; k < from->nrhs; k++, to->nrhs++)
        if (copy_term(&from->rhs[k], &to->rhs[k]) != BRISK_OK) {
            to->nrhs++;
            return BRISK_ERR_NOMEM;
        }
    return BRISK_OK;
}

static brisk_status add_statement(brisk_syntax *syn, const brisk_statement *st)
{
    if (!brisk_grow((void **)&syn->stmts, &syn->cap, syn->n + 1, sizeof *syn->stmts))
        return BRISK_ERR_NOMEM;
    syn->stmts[syn->n++] = *st;
    return BRISK_OK;
}

/* The left-hand side: one name, or several joined by '+' (lavaan's
 * "y1 + y2 ~ x"); *n gets how many, their tokens at p->t[from + 2 k]. */
static brisk_status left_hand_side(parser *p, size_t from, size_t op_at, bool several,
                                   size_t *n)
{
    *n = 0;
    for (size_t i = from; i < op_at; i += 2) {
        const token *name = &p->t[i];
        if (name->kind == TOK_IDENT && i + 1 < op_at && is_op(&p->t[i + 1], "("))
            return unsupported_modifier(p, name);   /* efa("block")*f =~ ... */
        if (name->kind != TOK_IDENT)
            return fail_at(p, name, name->kind == TOK_NUMBER || is_op(name, "*")
                                        ? "a modifier on the left of the operator (write it "
                                          "on the right)"
                                        : "expected a name before the operator");
        ++*n;
        if (i + 1 < op_at && is_op(&p->t[i + 1], "*"))
            return fail_at(p, name, "a modifier on the left of the operator (write it on the "
                           "right)");
        if (i + 1 < op_at && (!several || !is_op(&p->t[i + 1], "+")))
            return fail_at(p, &p->t[i + 1], several ? "expected '+' between the names before "
                                                      "the operator"
                                                    : "expected a single name before the "
                                                      "operator");
        if (i + 1 < op_at && i + 2 == op_at)
            return fail_at(p, &p->t[op_at], "expected a name after '+'");
    }
    return BRISK_OK;
}

/* One statement of the syntax into syn: several with several left-hand
 * sides. */
/* Join modifier b into a as lavaan joins a term written twice: the first
 * value (a number or NA) and the first label hold. */
static void join_modifier(brisk_modifier *a, brisk_modifier *b)
{
    if (!a->is_fixed && !a->is_free && (b->is_fixed || b->is_free)) {
        a->is_fixed = b->is_fixed;
        a->is_free = b->is_free;
        a->value = b->value;
    }
    if (!a->label && b->label) {
        a->label = b->label;
        a->is_equal = b->is_equal;
        b->label = NULL;
    }
}

/* A term written twice in one statement is one parameter with the
 * modifiers of both, as lavaan reads it: "f =~ NA*x1 + a1*x1" (its
 * tutorial's free and labelled first loading) is x1 free, labelled a1;
 * the first value, label and start() hold.  (In two statements it is an
 * error, there as here.) */
static brisk_status join_repeated_terms(parser *p, brisk_statement *st)
{
    for (size_t k = 1; k < st->nrhs; k++) {
        size_t j = 0;
        while (j < k && strcmp(st->rhs[j].name, st->rhs[k].name) != 0)
            j++;
        if (j == k)
            continue;
        brisk_term *keep = &st->rhs[j], *again = &st->rhs[k];
        if (keep->nmods && again->nmods && keep->nmods != again->nmods) {
            brisk_error_at(p->err, p->name, again->line, again->column);
            return brisk_error_set(p->err, BRISK_ERR_FORMAT, "model syntax: '%s' is written "
                                   "twice with a different number of c(...) values",
                                   again->name);
        }
        if (!keep->nmods) {
            keep->mods = again->mods;
            keep->nmods = again->nmods;
            again->mods = NULL;
            again->nmods = 0;
        }
        for (size_t g = 0; g < again->nmods; g++)
            join_modifier(&keep->mods[g], &again->mods[g]);
        if (!keep->has_start && again->has_start) {
            keep->has_start = true;
            keep->start = again->start;
        }
        term_free(again);
        memmove(again, again + 1, (st->nrhs - k - 1) * sizeof *again);
        st->nrhs--;
        k--;
    }
    return BRISK_OK;
}

static brisk_status parse_statement(parser *p, brisk_syntax *syn)
{
    brisk_statement st = {0};
    const token *first = peek(p);
    st.line = first->line;
    st.column = first->column;
    size_t end = find_end(p), op_at = end, from = p->pos, nlhs = 0;
    brisk_status s = refuse_operator(p, end);
    for (size_t i = p->pos; s == BRISK_OK && i < end && op_at == end; i++)
        if (find_statement_op(&p->t[i], &st.op))
            op_at = i;
    if (s == BRISK_OK && op_at == end)
        return fail_at(p, first, "no operator (=~ ~ ~~ := == < > |) in this statement");
    if (s == BRISK_OK && op_at == p->pos)
        return fail_at(p, first, "expected a name before the operator");
    if (s == BRISK_OK &&
        (st.op == BRISK_OP_EQUAL || st.op == BRISK_OP_LESS || st.op == BRISK_OP_GREATER)) {
        s = parse_expression_statement(p, &st, p->pos, op_at);
        goto done;
    }
    if (s == BRISK_OK)
        s = left_hand_side(p, from, op_at, st.op != BRISK_OP_DEFINE, &nlhs);
    if (s == BRISK_OK && st.op == BRISK_OP_DEFINE) {
        s = parse_expression_statement(p, &st, p->pos, op_at);
        goto done;
    }
    if (s != BRISK_OK)
        return s;
    if (!(st.lhs = brisk_strdup(first->text)))
        return BRISK_ERR_NOMEM;
    p->pos = op_at + 1;
    if (peek(p)->kind == TOK_END_STATEMENT) {
        s = fail_at(p, peek(p), "expected a term after the operator");
        goto done;
    }
    s = parse_terms(p, &st);
    if (s == BRISK_OK && st.op != BRISK_OP_THRESHOLD)
        s = join_repeated_terms(p, &st);
    if (s == BRISK_OK && st.op == BRISK_OP_REGRESS)
        s = classify_intercept(p, &st);
    else if (s == BRISK_OK && (st.op == BRISK_OP_MEASURE || st.op == BRISK_OP_COVARY))
        s = variables_only(p, &st);
done:
    if (s == BRISK_OK && (s = add_statement(syn, &st)) == BRISK_OK) {
        size_t original = syn->n - 1;
        for (size_t k = 1; s == BRISK_OK && k < nlhs; k++) {
            brisk_statement more;
            s = copy_statement(&syn->stmts[original], &p->t[from + 2 * k], &more);
            if (s == BRISK_OK)
                s = add_statement(syn, &more);
            if (s != BRISK_OK)
                statement_free(&more);
        }
        return s;
    }
    statement_free(&st);
    return s;
}

brisk_status brisk_syntax_parse(const char *text, const char *name, long first_line,
                                brisk_syntax **out, brisk_error *err)
{
    *out = NULL;
    lexer lx = {.text = text, .line = first_line > 0 ? first_line : 1, .column = 1,
                .name = name};
    brisk_syntax *syn = calloc(1, sizeof *syn);
    brisk_status s = syn ? lex_all(&lx, err) : BRISK_ERR_NOMEM;
    if (s != BRISK_OK)
        goto cleanup;
    join_continued_lines(&lx);
    parser p = {.t = lx.toks, .name = name, .err = err};
    while (peek(&p)->kind != TOK_EOF) {
        if (peek(&p)->kind == TOK_END_STATEMENT) {
            p.pos++;
            continue;
        }
        if ((s = parse_statement(&p, syn)) != BRISK_OK)
            goto cleanup;
    }
    if (syn->n == 0)
        s = syntax_error(err, name, first_line, 0, "the model has no statements");
cleanup:
    if (s == BRISK_ERR_NOMEM)
        brisk_error_set(err, s, "out of memory");
    free(lx.toks);
    if (s != BRISK_OK)
        brisk_syntax_free(syn);
    else
        *out = syn;
    return s;
}

bool brisk_syntax_is_latent(const brisk_syntax *syntax, const char *name)
{
    for (size_t i = 0; i < syntax->n; i++)
        if (syntax->stmts[i].op == BRISK_OP_MEASURE && strcmp(syntax->stmts[i].lhs, name) == 0)
            return true;
    return false;
}

bool brisk_syntax_is_covariate(const brisk_syntax *syntax, const char *name)
{
    bool predictor = false;
    for (size_t i = 0; i < syntax->n; i++) {
        const brisk_statement *st = &syntax->stmts[i];
        bool lhs = strcmp(st->lhs, name) == 0;
        if ((st->op == BRISK_OP_MEASURE || st->op == BRISK_OP_REGRESS) && lhs)
            return false;   /* a latent variable, or an outcome */
        if ((st->op == BRISK_OP_COVARY || st->op == BRISK_OP_INTERCEPT) && lhs)
            return false;   /* moments written: a random variable, as lavaan */
        for (size_t k = 0; k < st->nrhs; k++) {
            if (strcmp(st->rhs[k].name, name) != 0)
                continue;
            if (st->op == BRISK_OP_MEASURE || st->op == BRISK_OP_COVARY)
                return false;   /* an indicator, or moments written */
            predictor |= st->op == BRISK_OP_REGRESS;
        }
    }
    return predictor;
}

static bool names_variables(brisk_op op)
{
    return op == BRISK_OP_MEASURE || op == BRISK_OP_REGRESS || op == BRISK_OP_COVARY ||
           op == BRISK_OP_INTERCEPT || op == BRISK_OP_THRESHOLD;
}

static bool add_unique(const char ***names, size_t *n, size_t *cap, const char *name)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp((*names)[k], name) == 0)
            return true;
    if (!brisk_grow((void **)names, cap, *n + 1, sizeof **names))
        return false;
    (*names)[(*n)++] = name;
    return true;
}

size_t brisk_syntax_variables(const brisk_syntax *syntax, const char ***names)
{
    size_t n = 0, cap = 0;
    *names = NULL;
    for (size_t i = 0; i < syntax->n; i++) {
        const brisk_statement *st = &syntax->stmts[i];
        if (!names_variables(st->op))
            continue;
        if (!add_unique(names, &n, &cap, st->lhs))
            goto nomem;
        if (st->op == BRISK_OP_INTERCEPT || st->op == BRISK_OP_THRESHOLD)
            continue;
        for (size_t k = 0; k < st->nrhs; k++)
            if (strcmp(st->rhs[k].name, "1") != 0 && !add_unique(names, &n, &cap, st->rhs[k].name))
                goto nomem;
    }
    return n;
nomem:
    free(*names);
    *names = NULL;
    return 0;
}
