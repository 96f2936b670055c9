/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A published matrix fitted as lavaan's sample.cov / sample.nobs
 * (tests/reference/covinput/, made by make.R), and the reader's faults. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "brisk.h"
#include "ref_helpers.h"

#define REF TEST_SRCDIR "/tests/reference/covinput/"
#define TOL 1e-4

static double worst_param, worst_fit;   /* the largest differences seen, printed */

static void near(double mine, double theirs, double tol, const char *what, const char *name,
                 double *worst)
{
    if (isnan(theirs) && isnan(mine))
        return;
    double d = fabs(mine - theirs);
    if (!(d <= tol))
        fail_msg("%s %s: brisk %.10g, lavaan %.10g", name, what, mine, theirs);
    if (d > *worst)
        *worst = d;
}

static double num_at(const brisk_dataset *ds, const char *col, size_t row)
{
    const brisk_column *c = brisk_dataset_find(ds, col);
    return brisk_is_missing(c, row) ? NAN : c->num[row];
}

static brisk_dataset *reference(const char *name, const char *part)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s.%s.csv", name, part);
    return read_csv(path);
}

static void compare_parameters(const char *name, const brisk_fit *fit)
{
    brisk_dataset *ref = reference(name, "params");
    assert_int_equal(brisk_model_nparams(fit->model), ref->nrows);
    static const char *const cols[] = {"est", "se", "z", "std_lv", "std_all", "ci_lower",
                                       "ci_upper"};
    for (size_t i = 0; i < ref->nrows; i++) {
        const brisk_param *p = brisk_model_param(fit->model, i);
        assert_string_equal(p->lhs, ref_text(ref, "lhs", i));
        assert_string_equal(p->rhs, brisk_is_missing(brisk_dataset_find(ref, "rhs"), i)
                                        ? "" : ref_text(ref, "rhs", i));
        const brisk_estimate *e = &fit->rows[i];
        double mine[] = {e->est, e->se, e->z, e->std_lv, e->std_all, e->ci_lower, e->ci_upper};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            char what[160];
            snprintf(what, sizeof what, "row %zu %s %s %s: %s", i + 1, p->lhs,
                     brisk_op_text(p->op), p->rhs, cols[k]);
            double want = num_at(ref, cols[k], i);
            if (k == 2 && isnan(want))
                continue;   /* a fixed row's z */
            near(mine[k], want, fmax(TOL, 1e-7 * fabs(want)), what, name, &worst_param);
        }
    }
    brisk_dataset_free(ref);
}

static void compare_fit(const char *name, const brisk_fit *fit)
{
    static const char *const keys[] = {
        "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "rmsea",
        "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "srmr", "logl",
        "unrestricted_logl", "aic", "bic", "bic2",
    };
    brisk_dataset *ref = reference(name, "fit");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t i = 0;
        while (i < ref->nrows && strcmp(ref_text(ref, "measure", i), keys[k]) != 0)
            i++;
        if (i == ref->nrows)
            fail_msg("%s: no %s in the reference", name, keys[k]);
        double want = num_at(ref, "value", i);
        double mine = ref_fit_measure(&fit->fit, keys[k]);
        near(mine, want, fmax(TOL, 1e-8 * fabs(want)), keys[k], name, &worst_fit);
    }
    brisk_dataset_free(ref);
    ref = reference(name, "r2");
    for (size_t i = 0; i < ref->nrows; i++) {
        size_t k = 0;
        while (k < fit->nr2 && strcmp(fit->r2_names[k], ref_text(ref, "variable", i)) != 0)
            k++;
        assert_true(k < fit->nr2);
        near(fit->r2[k], num_at(ref, "r2", i), TOL, fit->r2_names[k], name, &worst_param);
    }
    brisk_dataset_free(ref);
}

/* Read a matrix file, fit the model, compare with lavaan. */
static void check_case(const char *name, const char *matrix, const char *model,
                       brisk_sample_matrix_options opt)
{
    brisk_error err;
    brisk_error_clear(&err);
    brisk_io io;
    brisk_sample_matrix sm;
    brisk_fitted fitted;
    assert_int_equal(brisk_io_open_file(&io, matrix, &err), BRISK_OK);
    brisk_status st = brisk_sample_matrix_read(&io, &opt, &sm, &err);
    brisk_io_close(&io);
    if (st != BRISK_OK)
        fail_msg("%s: %s (line %ld)", matrix, err.message, err.line);
    char path[512];
    snprintf(path, sizeof path, REF "%s", model);
    brisk_model_options mopt = {0};
    st = brisk_fit_matrix_text(slurp(path), model, 1, &sm, &mopt, &fitted, &err);
    if (st != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    assert_true(fitted.fit->converged);
    compare_parameters(name, fitted.fit);
    compare_fit(name, fitted.fit);
    brisk_fitted_free(&fitted);
    brisk_sample_matrix_free(&sm);
}

/* lavaan's tutorial: chi-square 4.735 on 4 df. */
static void test_wheaton(void **state)
{
    (void)state;
    check_case("wheaton", TEST_SRCDIR "/tests/data/wheaton.cov", "wheaton.lav",
               (brisk_sample_matrix_options){0});
}

/* Correlations with an SD row, N from the options (--n). */
static void test_wheaton_correlations(void **state)
{
    (void)state;
    check_case("wheaton_cor", REF "wheaton_cor.csv", "wheaton.lav",
               (brisk_sample_matrix_options){.correlations = true, .n = 932});
}

/* write.csv(cov(HS)): the fit equals the raw data's. */
static void test_holzinger_swineford_full(void **state)
{
    (void)state;
    check_case("hs", REF "hs.cov.csv", "hs.lav", (brisk_sample_matrix_options){.n = 301});
}

/* A mean row: a mean structure, as the raw data's with meanstructure. */
static void test_holzinger_swineford_means(void **state)
{
    (void)state;
    check_case("hs_means", REF "hs_means.txt", "hs.lav", (brisk_sample_matrix_options){0});
}

/* The same numbers given by options instead of rows: SDs and means. */
static void test_lists_from_options(void **state)
{
    (void)state;
    const char *text = "a b\n1\n0.5 1\n";
    double sd[] = {2, 3}, mean[] = {1, 2};
    brisk_sample_matrix_options opt = {.correlations = true, .sd = sd, .nsd = 2,
                                       .mean = mean, .nmean = 2, .n = 10};
    brisk_io io;
    brisk_sample_matrix sm;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_io_memory(&io, text, strlen(text), "m.txt"), BRISK_OK);
    assert_int_equal(brisk_sample_matrix_read(&io, &opt, &sm, &err), BRISK_OK);
    brisk_io_close(&io);
    assert_int_equal(sm.p, 2);
    assert_int_equal(sm.n, 10);
    assert_true(fabs(sm.cov[0] - 4) < 1e-12 && fabs(sm.cov[1] - 3) < 1e-12 &&
                fabs(sm.cov[2] - 3) < 1e-12 && fabs(sm.cov[3] - 9) < 1e-12);
    assert_true(sm.mean && sm.mean[1] == 2);
    brisk_sample_matrix_free(&sm);
}

/* Each fault: its status, its line, a fragment of its message. */
static void bad(const char *text, brisk_sample_matrix_options opt, brisk_status want,
                long line, const char *fragment)
{
    brisk_io io;
    brisk_sample_matrix sm;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_io_memory(&io, text, strlen(text), "bad.cov"), BRISK_OK);
    brisk_status st = brisk_sample_matrix_read(&io, &opt, &sm, &err);
    brisk_io_close(&io);
    if (st != want || err.line != line || !strstr(err.message, fragment))
        fail_msg("'%s': status %d line %ld '%s'; expected %d line %ld '%s'", text, st,
                 err.line, err.message, want, line, fragment);
    assert_string_equal(err.file, "bad.cov");
    assert_null(sm.names);
    assert_null(sm.cov);
}

static void test_faults(void **state)
{
    (void)state;
    brisk_sample_matrix_options n10 = {.n = 10}, none = {0};
    bad("a b\n1 2\n3 1\n", n10, BRISK_ERR_VALUE, 3, "not symmetric");
    bad("a b c\n1\n2 3 4\n", n10, BRISK_ERR_FORMAT, 3, "row 2 of the matrix has 3 entries");
    bad("a b\n1\n0.5 x\n", n10, BRISK_ERR_VALUE, 3, "'x', is not a number");
    bad("a b\n1\n0.5 1\n", none, BRISK_ERR_FORMAT, 0, "no N");
    bad("a b\n1\n0.5 1\nn 1\n", none, BRISK_ERR_VALUE, 4, "at least 2");
    bad("a b\n1\n0.5 1\nn 10\n", n10, BRISK_ERR_ARGUMENT, 4, "give one");
    bad("1\n0.5 1\n", n10, BRISK_ERR_FORMAT, 1, "no names");
    bad("a b\n1\n0.5 1\n0.2 0.3 1\n", n10, BRISK_ERR_FORMAT, 4, "a matrix row too many");
    bad("a b c\n1\n0.5 1\n", n10, BRISK_ERR_FORMAT, 3, "ends after 2 rows");
    bad("a b\n1\n0.5 1\nsd 1 2 3\n", (brisk_sample_matrix_options){.n = 10,
        .correlations = true}, BRISK_ERR_VALUE, 4, "3 sds for the 2 variables");
    bad("a b\n1\n0.5 1\n", (brisk_sample_matrix_options){.n = 10, .correlations = true},
        BRISK_ERR_FORMAT, 0, "needs the standard deviations");
    bad("a b\n1\n0.5 2\nsd 1 1\n", (brisk_sample_matrix_options){.n = 10,
        .correlations = true}, BRISK_ERR_VALUE, 3, "diagonal of a correlation");
    bad("a a\n1\n0.5 1\n", n10, BRISK_ERR_FORMAT, 1, "named twice");
    bad("a b\nb 1\n", n10, BRISK_ERR_FORMAT, 2, "row 1 is named 'b'");
    bad("a b\n-1\n0.5 1\n", n10, BRISK_ERR_VALUE, 2, "variance of 'a' is -1");
    bad("", n10, BRISK_ERR_FORMAT, 0, "no matrix");
}

/* Not positive definite, and the model's variables not in the matrix:
 * found when the model is known. */
static void test_model_faults(void **state)
{
    (void)state;
    const char *text = "# three variables, c = a + b\na b c\n1\n0 1\n1 1 2\nn 50\n";
    brisk_io io;
    brisk_sample_matrix sm;
    brisk_fitted fitted;
    brisk_error err;
    brisk_error_clear(&err);
    assert_int_equal(brisk_io_memory(&io, text, strlen(text), "pd.cov"), BRISK_OK);
    assert_int_equal(brisk_sample_matrix_read(&io, NULL, &sm, &err), BRISK_OK);
    brisk_io_close(&io);
    brisk_status st = brisk_fit_matrix_text("f =~ a + b + c", "m.lav", 1, &sm, NULL, &fitted,
                                            &err);
    assert_int_equal(st, BRISK_ERR_VALUE);
    assert_string_equal(err.file, "pd.cov");
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.message, "not positive definite"));
    assert_string_equal(err.variable, "c");
    /* a model on a and b only fits: the matrix's other rows do not matter */
    brisk_error_clear(&err);
    st = brisk_fit_matrix_text("a ~ b", "m.lav", 1, &sm, NULL, &fitted, &err);
    assert_int_equal(st, BRISK_OK);
    brisk_fitted_free(&fitted);
    brisk_error_clear(&err);
    st = brisk_fit_matrix_text("f =~ a + b + d", "m.lav", 1, &sm, NULL, &fitted, &err);
    assert_int_equal(st, BRISK_ERR_COLUMN);
    assert_non_null(strstr(err.message, "'d' is neither a latent variable (left of =~) nor a "
                                        "variable of the matrix in pd.cov (its variables: "
                                        "a, b, c)"));
    assert_string_equal(err.file, "m.lav");
    assert_string_equal(err.variable, "d");
    /* what needs the rows */
    brisk_error_clear(&err);
    st = brisk_fit_matrix_text("a ~ b", "m.lav", 1, &sm,
                               &(brisk_model_options){.estimator = BRISK_ESTIMATOR_MLR},
                               &fitted, &err);
    assert_int_equal(st, BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "need the raw data"));
    brisk_sample_matrix_free(&sm);
}

static int print_worst(void **state)
{
    (void)state;
    printf("# largest differences from lavaan: parameters %.2g, fit measures %.2g\n",
           worst_param, worst_fit);
    return 0;
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wheaton),
        cmocka_unit_test(test_wheaton_correlations),
        cmocka_unit_test(test_holzinger_swineford_full),
        cmocka_unit_test(test_holzinger_swineford_means),
        cmocka_unit_test(test_lists_from_options),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_model_faults),
    };
    return cmocka_run_group_tests(tests, NULL, print_worst);
}
