/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — lavaan model syntax, parsed into statements.
 *
 *     visual  =~ x1 + a*x2 + NA*x3      measurement
 *     y       ~  b*x + start(0.3)*z     regression
 *     x1     ~~  x2                     (co)variance
 *     y       ~  1                      intercept
 *     ind    :=  a*b                    defined parameter
 *     a       == b                      constraint (also < and >)
 *     u       |  t1 + t2                thresholds
 *
 * Comments start with '#' or '!'; statements end at a newline or ';' and
 * continue onto the next line when a line ends in an operator or '+', or
 * the next line starts with '+'.  Several left-hand sides ("y1 + y2 ~ x")
 * make one statement each, as lavaan's; "0.5?x" is start(0.5)*x.  What
 * lavaan has and brisk does not (bounds, priors, EFA blocks, formative
 * "<~", scale factors "~*~", group blocks "group:") is refused by name.
 * The parser checks syntax only; what the names mean is decided when a
 * model is built from the statements. */
#ifndef BRISK_SYNTAX_H
#define BRISK_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_op {
    BRISK_OP_MEASURE = 0,  /* =~ */
    BRISK_OP_REGRESS,      /* ~  */
    BRISK_OP_COVARY,       /* ~~ */
    BRISK_OP_INTERCEPT,    /* ~ 1 */
    BRISK_OP_THRESHOLD,    /* |  */
    BRISK_OP_DEFINE,       /* := */
    BRISK_OP_EQUAL,        /* == */
    BRISK_OP_LESS,         /* <  */
    BRISK_OP_GREATER,      /* >  */
    BRISK_OP_SCALE         /* ~*~: an ordered item's scale factor (in fits only, not
                              in syntax) */
} brisk_op;

/* lavaan's spelling of an operator ("=~", "~1" is "~1"). */
const char *brisk_op_text(brisk_op op);

/* One modifier value; a model with groups may give one per group with c(). */
typedef struct brisk_modifier {
    bool is_fixed;        /* a number: the parameter is fixed to value */
    bool is_free;         /* NA: the parameter is freed (e.g. a first loading) */
    double value;
    char *label;          /* a label (equal labels = equal parameters), or NULL */
    bool is_equal;        /* the label came from equal("..."): it names another
                             parameter (its label, or its "lhs op rhs"), which
                             must exist */
} brisk_modifier;

typedef struct brisk_term {
    char *name;                 /* variable or threshold name; "1" for intercepts */
    brisk_modifier *mods;       /* nmods modifier values (c(...) gives several) */
    size_t nmods;
    bool has_start;
    double start;               /* start(value) */
    long line, column;          /* where the term starts */
} brisk_term;

typedef struct brisk_statement {
    char *lhs;                  /* left-hand side name; the expression for constraints */
    brisk_op op;
    brisk_term *rhs;            /* for =~ ~ ~~ ~1 | */
    size_t nrhs;
    char *expr;                 /* right-hand expression for := == < > */
    long line, column;          /* where the statement starts */
} brisk_statement;

typedef struct brisk_syntax {
    brisk_statement *stmts;
    size_t n;
    size_t cap;
} brisk_syntax;

/* Parse model text.  name is used in errors (a file name); first_line is
 * the line number of the text's first line in that file (1 for a file of
 * its own; the line after "[model]" in a survey). */
brisk_status brisk_syntax_parse(const char *text, const char *name, long first_line,
                                brisk_syntax **out, brisk_error *err);
void brisk_syntax_free(brisk_syntax *syntax);

/* Every distinct identifier that names a variable in the statements, in
 * order of first appearance: left and right sides of =~ ~ ~~ ~1 |, not
 * labels, thresholds or defined parameters.  Returns a count; *names is a
 * borrowed array the caller frees (not its strings). */
size_t brisk_syntax_variables(const brisk_syntax *syntax, const char ***names);

/* Is name on the left of =~ (a latent variable)? */
bool brisk_syntax_is_latent(const brisk_syntax *syntax, const char *name);

/* Whether name appears only as a predictor (right of ~), with no variance,
 * covariance or intercept written for it: an observed covariate, which a
 * model keeps fixed (lavaan's fixed.x). */
bool brisk_syntax_is_covariate(const brisk_syntax *syntax, const char *name);

#ifdef __cplusplus
}
#endif
#endif
