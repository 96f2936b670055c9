/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lavaan model syntax: statements, modifiers, errors with positions. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk/syntax.h"

static brisk_syntax *parse_ok(const char *text)
{
    brisk_syntax *syn = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status st = brisk_syntax_parse(text, "m.lav", 1, &syn, &err);
    if (st != BRISK_OK)
        fail_msg("unexpected error: %s", err.message);
    return syn;
}

static brisk_error parse_bad(const char *text, long first_line)
{
    brisk_syntax *syn = NULL;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_syntax_parse(text, "m.lav", first_line, &syn, &err),
                     BRISK_ERR_FORMAT);
    assert_null(syn);
    assert_string_equal(err.file, "m.lav");
    return err;
}

static void test_holzinger_swineford(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("# three factors\n"
                                 "visual  =~ x1 + x2 + x3\n"
                                 "textual =~ x4 + x5 + x6\n"
                                 "speed   =~ x7 + x8 + x9\n");
    assert_int_equal(syn->n, 3);
    assert_string_equal(syn->stmts[1].lhs, "textual");
    assert_int_equal(syn->stmts[1].op, BRISK_OP_MEASURE);
    assert_int_equal(syn->stmts[1].nrhs, 3);
    assert_string_equal(syn->stmts[1].rhs[2].name, "x6");
    assert_int_equal(syn->stmts[2].line, 4);
    assert_int_equal(syn->stmts[2].rhs[1].column, 17);
    assert_true(brisk_syntax_is_latent(syn, "speed"));
    assert_false(brisk_syntax_is_latent(syn, "x7"));
    const char **names;
    size_t n = brisk_syntax_variables(syn, &names);
    assert_int_equal(n, 12);
    assert_string_equal(names[0], "visual");
    assert_string_equal(names[1], "x1");
    assert_string_equal(names[11], "x9");
    free(names);
    brisk_syntax_free(syn);
}

static void test_modifiers(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("f =~ NA*x1 + 0.785*x2 + a*x3 + start(-0.25)*x4 + "
                                 "c(b1, NA, 2.5)*x5 + label(\"lam\")*x6 + -1.5e-1*x7\n");
    const brisk_statement *st = &syn->stmts[0];
    assert_int_equal(st->nrhs, 7);
    assert_true(st->rhs[0].mods[0].is_free);
    assert_true(st->rhs[1].mods[0].is_fixed);
    assert_true(fabs(st->rhs[1].mods[0].value - 0.785) < 1e-15);
    assert_string_equal(st->rhs[2].mods[0].label, "a");
    assert_true(st->rhs[3].has_start);
    assert_true(fabs(st->rhs[3].start + 0.25) < 1e-15);
    assert_int_equal(st->rhs[3].nmods, 0);
    assert_int_equal(st->rhs[4].nmods, 3);
    assert_string_equal(st->rhs[4].mods[0].label, "b1");
    assert_true(st->rhs[4].mods[1].is_free);
    assert_true(fabs(st->rhs[4].mods[2].value - 2.5) < 1e-15);
    assert_string_equal(st->rhs[5].mods[0].label, "lam");
    assert_true(fabs(st->rhs[6].mods[0].value + 0.15) < 1e-15);
    brisk_syntax_free(syn);

    /* a label and a value on one term join (lavaan 0.6-14 would keep the
     * label and drop the value) */
    syn = parse_ok("y ~ a*0.4*x1 + 0.5*b*x2 + 0.6*label(\"c\")*x3\n");
    for (size_t k = 0; k < 3; k++) {
        const brisk_term *t = &syn->stmts[0].rhs[k];
        assert_int_equal(t->nmods, 1);
        assert_true(t->mods[0].is_fixed);
        assert_true(fabs(t->mods[0].value - 0.4 - 0.1 * (double)k) < 1e-15);
        assert_string_equal(t->mods[0].label, k == 0 ? "a" : k == 1 ? "b" : "c");
    }
    brisk_syntax_free(syn);
}

/* A term written twice in one statement is one parameter with both
 * modifiers, the first value, label and start() holding, as lavaan 0.6-14
 * reads "f =~ NA*x1 + a1*x1" (checked with lavaanify). */
static void test_term_twice(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("f =~ NA*x1 + a1*x1 + x2\n"
                                 "y ~ 0.5*x + NA*x\n"
                                 "z ~ NA*w + 0.7*w + start(0.2)*w + b*w + c*w\n"
                                 "u ~~ v + v\n");
    const brisk_statement *st = &syn->stmts[0];
    assert_int_equal(st->nrhs, 2);
    assert_string_equal(st->rhs[0].name, "x1");
    assert_true(st->rhs[0].mods[0].is_free && !st->rhs[0].mods[0].is_fixed);
    assert_string_equal(st->rhs[0].mods[0].label, "a1");
    assert_string_equal(st->rhs[1].name, "x2");
    st = &syn->stmts[1];
    assert_int_equal(st->nrhs, 1);
    assert_true(st->rhs[0].mods[0].is_fixed && !st->rhs[0].mods[0].is_free);
    assert_true(st->rhs[0].mods[0].value == 0.5);
    st = &syn->stmts[2];
    assert_int_equal(st->nrhs, 1);
    assert_true(st->rhs[0].mods[0].is_free && !st->rhs[0].mods[0].is_fixed);
    assert_string_equal(st->rhs[0].mods[0].label, "b");
    assert_true(st->rhs[0].has_start && st->rhs[0].start == 0.2);
    assert_int_equal(syn->stmts[3].nrhs, 1);
    brisk_syntax_free(syn);
}

static void test_operators(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("y ~ b1*x + z; y ~ 1\n"
                                 "x ~~ z\n"
                                 "ind := b1 * b2\n"
                                 "b1 == 2*b2\n"
                                 "b2 > 0.1\n"
                                 "u | t1 + t2\n");
    assert_int_equal(syn->n, 7);
    assert_int_equal(syn->stmts[0].op, BRISK_OP_REGRESS);
    assert_int_equal(syn->stmts[1].op, BRISK_OP_INTERCEPT);
    assert_string_equal(brisk_op_text(syn->stmts[1].op), "~1");
    assert_int_equal(syn->stmts[1].line, 1);
    assert_int_equal(syn->stmts[2].op, BRISK_OP_COVARY);
    assert_int_equal(syn->stmts[3].op, BRISK_OP_DEFINE);
    assert_string_equal(syn->stmts[3].lhs, "ind");
    assert_string_equal(syn->stmts[3].expr, "b1*b2");
    assert_int_equal(syn->stmts[4].op, BRISK_OP_EQUAL);
    assert_string_equal(syn->stmts[4].lhs, "b1");
    assert_string_equal(syn->stmts[4].expr, "2*b2");
    assert_int_equal(syn->stmts[5].op, BRISK_OP_GREATER);
    assert_int_equal(syn->stmts[6].op, BRISK_OP_THRESHOLD);
    assert_string_equal(syn->stmts[6].rhs[1].name, "t2");
    /* Thresholds and defined names are not variables. */
    const char **names;
    size_t n = brisk_syntax_variables(syn, &names);
    assert_int_equal(n, 4);
    assert_string_equal(names[3], "u");
    free(names);
    brisk_syntax_free(syn);
}

static void test_continuation_lines(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("f =~ x1 + x2 +\n"
                                 "      x3\n"
                                 "   + x4   ! a comment\n"
                                 "g =~\n  y1 + y2\n");
    assert_int_equal(syn->n, 2);
    assert_int_equal(syn->stmts[0].nrhs, 4);
    assert_string_equal(syn->stmts[0].rhs[3].name, "x4");
    assert_int_equal(syn->stmts[0].rhs[3].line, 3);
    assert_int_equal(syn->stmts[1].nrhs, 2);
    assert_int_equal(syn->stmts[1].line, 4);
    brisk_syntax_free(syn);
}

static void test_intercept_among_regressors(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("y ~ 1 + x\n");
    assert_int_equal(syn->stmts[0].op, BRISK_OP_REGRESS);
    assert_int_equal(syn->stmts[0].nrhs, 2);
    const char **names;
    assert_int_equal(brisk_syntax_variables(syn, &names), 2);
    assert_string_equal(names[1], "x");
    free(names);
    brisk_syntax_free(syn);
}

static void test_templates_keep_braces(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("benefit =~ pb1_{b} + pb2_{b}\n");
    assert_string_equal(syn->stmts[0].rhs[0].name, "pb1_{b}");
    brisk_syntax_free(syn);
}

/* brisk's extension: a name in backticks may hold blanks; non-ASCII
 * letters need none (as in lavaan). */
static void test_quoted_names(void **state)
{
    (void)state;
    brisk_syntax *syn = parse_ok("trust =~ `Trust 1` + a*`Trust 2` + 信任3\n"
                                 "`接受 度` ~ trust\n");
    assert_string_equal(syn->stmts[0].rhs[0].name, "Trust 1");
    assert_string_equal(syn->stmts[0].rhs[1].name, "Trust 2");
    assert_string_equal(syn->stmts[0].rhs[1].mods[0].label, "a");
    assert_string_equal(syn->stmts[0].rhs[2].name, "信任3");
    assert_string_equal(syn->stmts[1].lhs, "接受 度");
    brisk_syntax_free(syn);
    brisk_error err = parse_bad("f =~ x1 +\n  `Trust 1 + x2\n", 4);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 3);
    assert_non_null(strstr(err.message, "the backtick opened here is not closed"));
    err = parse_bad("f =~ x1 + `` + x2\n", 1);
    assert_non_null(strstr(err.message, "empty name"));
}

static void test_errors_have_positions(void **state)
{
    (void)state;
    brisk_error err = parse_bad("f =~ x1 + x2\ng =~ y1 + + y2\n", 10);
    assert_int_equal(err.line, 11);
    assert_int_equal(err.column, 11);
    assert_non_null(strstr(err.message, "expected"));

    err = parse_bad("f =~ x1 $ x2\n", 1);
    assert_int_equal(err.column, 9);
    assert_non_null(strstr(err.message, "unexpected character '$'"));

    err = parse_bad("f x1 x2\n", 1);
    assert_non_null(strstr(err.message, "no operator"));

    err = parse_bad("f =~\n", 1);
    assert_non_null(strstr(err.message, "expected a term"));

    err = parse_bad("f g =~ x1\n", 1);
    assert_non_null(strstr(err.message, "expected '+' between the names"));
    err = parse_bad("d e := a*b\n", 1);
    assert_non_null(strstr(err.message, "single name"));
    err = parse_bad("a*y ~ x\n", 1);
    assert_non_null(strstr(err.message, "a modifier on the left"));


    err = parse_bad("f =~ a*\n", 1);
    assert_int_equal(err.line, 1);

    err = parse_bad("f =~ label(\"x)*y\n", 1);
    assert_non_null(strstr(err.message, "unterminated string"));

    err = parse_bad("# only a comment\n\n", 1);
    assert_non_null(strstr(err.message, "no statements"));

    err = parse_bad("f =~ start(a)*x1\n", 1);
    assert_non_null(strstr(err.message, "start() takes a number"));

    err = parse_bad("f =~ c(1 2)*x1\n", 1);
    assert_non_null(strstr(err.message, "c(...)"));

    err = parse_bad("y ~ a*b*x\n", 1);
    assert_int_equal(err.column, 7);
    assert_non_null(strstr(err.message, "two labels for one parameter"));

    err = parse_bad("y ~ 0.1*NA*x\n", 1);
    assert_non_null(strstr(err.message, "two values for one parameter"));

    err = parse_bad("y ~ c(1, 2)*a*x\n", 1);
    assert_non_null(strstr(err.message, "after c(...)"));

    err = parse_bad("y ~ 2\n", 1);
    assert_non_null(strstr(err.message, "variable name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holzinger_swineford),
        cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_term_twice),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_continuation_lines),
        cmocka_unit_test(test_intercept_among_regressors),
        cmocka_unit_test(test_templates_keep_braces),
        cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_errors_have_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
