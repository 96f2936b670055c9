/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Simulation from a population model in lavaan syntax: the population
 * moments against lavaan's simulateData (tests/reference/simulate/), the
 * recovery of every parameter from 200,000 draws, cutting, determinism. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk.h"
#include "ref_helpers.h"

#define REF TEST_SRCDIR "/tests/reference/simulate/"


static brisk_population *population(const char *text, bool standardized)
{
    brisk_population *pop = NULL;
    brisk_error err;
    brisk_population_options opt = {.standardized = standardized, .name = "pop.lav"};
    if (brisk_population_new(text, &opt, &pop, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    return pop;
}

static size_t var(const brisk_population *pop, const char *name)
{
    for (size_t j = 0; j < brisk_population_nvars(pop); j++)
        if (strcmp(brisk_population_var(pop, j), name) == 0)
            return j;
    fail_msg("no variable %s", name);
    return 0;
}

/* The implied covariances and means of four models equal lavaan's. */
static void test_moments_match_simulatedata(void **state)
{
    (void)state;
    brisk_dataset *ref = read_csv(REF "implied.csv");
    const brisk_column *model = brisk_dataset_find(ref, "model"),
                       *stdz = brisk_dataset_find(ref, "standardized"),
                       *row = brisk_dataset_find(ref, "row"), *col = brisk_dataset_find(ref, "col"),
                       *value = brisk_dataset_find(ref, "value");
    const char *names[] = {"defaults", "standardized", "predictors", "thresholds"};
    size_t checked = 0;
    for (size_t k = 0; k < 4; k++) {
        char path[512];
        snprintf(path, sizeof path, REF "%s.lav", names[k]);
        bool standardized = strcmp(names[k], "standardized") == 0;
        brisk_population *pop = population(slurp(path), standardized);
        size_t p = brisk_population_nvars(pop);
        for (size_t i = 0; i < ref->nrows; i++) {
            if (strcmp(model->str[i], names[k]) != 0)
                continue;
            assert_true((stdz->type == BRISK_STRING ? strcmp(stdz->str[i], "TRUE") == 0
                                                    : stdz->num[i] != 0) == standardized);
            size_t a = var(pop, row->str[i]);
            bool mean = brisk_is_missing(col, i) || !col->str[i][0];
            double got = mean ? brisk_population_mean(pop)[a]
                              : brisk_population_cov(pop)[a * p + var(pop, col->str[i])];
            if (fabs(got - value->num[i]) > 1e-12)
                fail_msg("%s %s %s: brisk %.15g, lavaan %.15g", names[k], row->str[i],
                         mean ? "mean" : col->str[i], got, value->num[i]);
            checked++;
        }
        brisk_population_free(pop);
    }
    assert_true(checked > 100);
    brisk_dataset_free(ref);
}

static const char recovery_pop[] =
    "trust   =~ 0.8*t1 + 0.7*t2 + 0.6*t3\n"
    "benefit =~ 0.8*b1 + 0.7*b2 + 0.7*b3\n"
    "accept  =~ 0.8*a1 + 0.7*a2 + 0.6*a3\n"
    "benefit ~ 0.5*trust\n"
    "accept  ~ 0.4*benefit + 0.2*trust\n"
    "t1 ~~ 0.36*t1\nt2 ~~ 0.51*t2\nt3 ~~ 0.64*t3\n"
    "b1 ~~ 0.36*b1\nb2 ~~ 0.51*b2\nb3 ~~ 0.51*b3\n"
    "a1 ~~ 0.36*a1\na2 ~~ 0.51*a2\na3 ~~ 0.64*a3\n";

static const char recovery_fit[] =
    "trust   =~ t1 + t2 + t3\n"
    "benefit =~ b1 + b2 + b3\n"
    "accept  =~ a1 + a2 + a3\n"
    "benefit ~ trust\n"
    "accept  ~ benefit + trust\n";

/* 200,000 draws, fitted with the population's identification (std.lv):
 * every estimate within 0.02 of its population value. */
static void test_recovery(void **state)
{
    (void)state;
    brisk_population *pop = population(recovery_pop, false);
    brisk_simulate_options opt = {.n = 200000, .seed = 2026, .digits = -1};
    brisk_dataset *ds = NULL;
    brisk_error err;
    assert_int_equal(brisk_simulate(pop, &opt, &ds, &err), BRISK_OK);
    assert_int_equal(ds->nrows, 200000);
    brisk_model_options mopt = {.std_lv = true};
    brisk_fitted f;
    if (brisk_fit_text(recovery_fit, "fit.lav", 1, ds, NULL, 0, NULL, &mopt, &f, &err))
        fail_msg("%s", err.message);
    const brisk_model *pm = brisk_population_model(pop);
    size_t compared = 0;
    for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
        const brisk_param *p = brisk_model_param(f.model, r);
        for (size_t q = 0; q < brisk_model_nparams(pm); q++) {
            const brisk_param *pp = brisk_model_param(pm, q);
            if (pp->op != p->op || strcmp(pp->lhs, p->lhs) || strcmp(pp->rhs, p->rhs))
                continue;
            double truth = brisk_population_value(pop, q), est = f.fit->rows[r].est;
            if (fabs(est - truth) > 0.02)
                fail_msg("%s %s %s: estimate %.4f, population %.4f", p->lhs,
                         brisk_op_text(p->op), p->rhs, est, truth);
            compared++;
        }
    }
    assert_true(compared >= 20);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
    brisk_population_free(pop);
}

/* Thresholds cut y* (variance 1) at the given values: category shares are
 * the normal probabilities between them; --likert cuts at +-2 SD evenly. */
static void test_cutting(void **state)
{
    (void)state;
    brisk_population *pop = population("f =~ 0.8*u1 + 0.7*u2 + 0.6*x3\n"
                                       "u1 | -1*t1 + 0*t2 + 1*t3\n", false);
    size_t u1 = var(pop, "u1"), x3 = var(pop, "x3"), p = brisk_population_nvars(pop);
    assert_int_equal(brisk_population_categories(pop, u1), 4);
    brisk_error err;
    assert_int_equal(brisk_population_set_likert(pop, x3, 5, &err), BRISK_OK);
    assert_int_equal(brisk_population_set_likert(pop, u1, 7, &err), BRISK_OK);
    assert_int_equal(brisk_population_categories(pop, u1), 4);   /* its own thresholds win */
    size_t n = 100000;
    double *x = malloc(n * p * sizeof *x);
    assert_int_equal(brisk_population_draw(pop, n, 5, 0, x, &err), BRISK_OK);
    double count[2][6] = {{0}};
    for (size_t i = 0; i < n; i++) {
        count[0][(int)x[i * p + u1]]++;
        count[1][(int)x[i * p + x3]]++;
    }
    const double cuts[] = {-1, 0, 1};
    for (int k = 1; k <= 4; k++) {
        double lo = k == 1 ? 0 : gsl_cdf_ugaussian_P(cuts[k - 2]);
        double hi = k == 4 ? 1 : gsl_cdf_ugaussian_P(cuts[k - 1]);
        assert_true(fabs(count[0][k] / (double)n - (hi - lo)) < 0.005);
    }
    for (int k = 1; k <= 5; k++) {
        double lo = k == 1 ? 0 : gsl_cdf_ugaussian_P((k - 1 - 2.5) * 0.8);
        double hi = k == 5 ? 1 : gsl_cdf_ugaussian_P((k - 2.5) * 0.8);
        assert_true(fabs(count[1][k] / (double)n - (hi - lo)) < 0.005);
    }
    free(x);
    brisk_population_free(pop);
}

/* The same seed and stream give the same numbers; another stream others. */
static void test_deterministic(void **state)
{
    (void)state;
    brisk_population *pop = population(recovery_pop, false);
    size_t p = brisk_population_nvars(pop), n = 50;
    double *a = malloc(n * p * sizeof *a), *b = malloc(n * p * sizeof *b);
    brisk_error err;
    assert_int_equal(brisk_population_draw(pop, n, 9, 3, a, &err), BRISK_OK);
    assert_int_equal(brisk_population_draw(pop, n, 9, 3, b, &err), BRISK_OK);
    assert_memory_equal(a, b, n * p * sizeof *a);
    assert_int_equal(brisk_population_draw(pop, n, 9, 4, b, &err), BRISK_OK);
    assert_true(memcmp(a, b, n * p * sizeof *a) != 0);
    free(a);
    free(b);
    brisk_population_free(pop);
}

/* What a population model must not be. */
static void test_errors(void **state)
{
    (void)state;
    brisk_population *pop = NULL;
    brisk_error err;
    brisk_population_options opt = {.name = "pop.lav"};
    assert_int_equal(brisk_population_new("f =~ x1 + x2\nx1 | t1\n", &opt, &pop, &err),
                     BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "needs its value"));
    assert_int_equal(err.line, 2);
    assert_int_equal(brisk_population_new("y ~ x\nx ~~ 2*z\n", &opt, &pop, &err),
                     BRISK_ERR_MODEL);
    assert_non_null(strstr(err.message, "not positive definite"));
    assert_int_equal(brisk_population_new("f =~ 0.8*x1 + $\n", &opt, &pop, &err),
                     BRISK_ERR_FORMAT);
    /* a regression left without a value is 0, with a warning */
    assert_int_equal(brisk_population_new("y ~ x\n", &opt, &pop, &err), BRISK_OK);
    assert_int_equal(brisk_population_nwarnings(pop), 1);
    assert_true(fabs(brisk_population_cov(pop)[1]) < 1e-15);
    brisk_population_free(pop);
}

/* The cell of a power table for parameter lhs op rhs at sample size n. */
static double power_cell(const brisk_table *t, size_t n, const char *lhs, const char *op,
                         const char *rhs, const char *key)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (brisk_table_cell(t, r, 0)->num == (double)n &&
            strcmp(brisk_table_cell(t, r, 1)->text, lhs) == 0 &&
            strcmp(brisk_table_cell(t, r, 2)->text, op) == 0 &&
            strcmp(brisk_table_cell(t, r, 3)->text, rhs) == 0)
            return brisk_table_cell(t, r, brisk_table_find_column(t, key))->num;
    fail_msg("no row %zu %s %s %s", n, lhs, op, rhs);
    return NAN;
}

/* y = 0.3 x + e, var x = var e = 1: the z test of the slope has power
 * Phi(0.3 sqrt(N) - 1.96) + Phi(-0.3 sqrt(N) - 1.96); 2,000 replications
 * estimate it with a Monte Carlo SD of at most 0.011. */
static void test_power_matches_analytic(void **state)
{
    (void)state;
    brisk_population *pop = population("y ~ 0.3*x\n", false);
    size_t sizes[] = {50, 100, 200};
    brisk_power_options opt = {.n = sizes, .nn = 3, .reps = 2000, .seed = 11, .threads = 2};
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    assert_int_equal(brisk_power(pop, NULL, "reg.lav", &opt, list, &err), BRISK_OK);
    const brisk_table *t = table(list, "power.parameters");
    for (size_t k = 0; k < 3; k++) {
        double z = 0.3 * sqrt((double)sizes[k]);
        double analytic = gsl_cdf_ugaussian_P(z - 1.959964) + gsl_cdf_ugaussian_P(-z - 1.959964);
        double got = power_cell(t, sizes[k], "y", "~", "x", "power");
        if (fabs(got - analytic) > 0.04)
            fail_msg("N = %zu: power %.4f, analytic %.4f", sizes[k], got, analytic);
        assert_true(fabs(power_cell(t, sizes[k], "y", "~", "x", "coverage") - 0.95) < 0.02);
        assert_true(fabs(power_cell(t, sizes[k], "y", "~", "x", "bias")) < 0.01);
    }
    const brisk_table *conv = table(list, "power.convergence");
    assert_int_equal(conv->nrows, 3);
    assert_true(brisk_table_cell(conv, 0, 3)->num == 1);
    brisk_table_list_free(list);
    brisk_population_free(pop);
}

/* The same numbers for any number of threads. */
static void test_power_threads(void **state)
{
    (void)state;
    brisk_population *pop = population(recovery_pop, false);
    size_t sizes[] = {150};
    brisk_power_options o1 = {.n = sizes, .nn = 1, .reps = 40, .seed = 3, .threads = 1};
    brisk_power_options o3 = o1;
    o3.threads = 3;
    brisk_table_list *a = brisk_table_list_new(), *b = brisk_table_list_new();
    brisk_error err;
    assert_int_equal(brisk_power(pop, NULL, "pop.lav", &o1, a, &err), BRISK_OK);
    assert_int_equal(brisk_power(pop, NULL, "pop.lav", &o3, b, &err), BRISK_OK);
    const brisk_table *ta = table(a, "power.parameters"), *tb = table(b, "power.parameters");
    assert_int_equal(ta->nrows, tb->nrows);
    for (size_t r = 0; r < ta->nrows; r++)
        for (size_t c = 4; c < ta->ncols; c++) {
            double x = brisk_table_cell(ta, r, c)->num, y = brisk_table_cell(tb, r, c)->num;
            assert_true((isnan(x) && isnan(y)) || x == y);
        }
    brisk_table_list_free(a);
    brisk_table_list_free(b);
    brisk_population_free(pop);
}

/* The analysis model: the population's own keeps the latent variance that
 * sets its scale (written as 2) fixed, and a mediation's := has the
 * population's value (0.4 * 0.5); an analysis model with a parameter the
 * population lacks starts it at lavaan's values and converges; one that
 * cannot be identified converges nowhere, an error. */
static void test_power_analysis_models(void **state)
{
    (void)state;
    brisk_population *pop = population("f =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nf ~~ 2*f\n"
                                       "m ~ a*0.4*f\ny ~ b*0.5*m\nind := a*b\n", false);
    size_t sizes[] = {300};
    brisk_power_options opt = {.n = sizes, .nn = 1, .reps = 200, .seed = 5, .threads = 2};
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    assert_int_equal(brisk_power(pop, NULL, "pop.lav", &opt, list, &err), BRISK_OK);
    const brisk_table *conv = table(list, "power.convergence");
    assert_true(brisk_table_cell(conv, 0, 3)->num == 1);
    const brisk_table *t = table(list, "power.parameters");
    assert_true(fabs(power_cell(t, 300, "ind", ":=", "a*b", "population") - 0.2) < 1e-12);
    assert_true(fabs(power_cell(t, 300, "ind", ":=", "a*b", "bias")) < 0.01);
    assert_true(fabs(power_cell(t, 300, "f", "=~", "x1", "bias")) < 0.02);
    brisk_table_list_free(list);

    list = brisk_table_list_new();
    const char *extra = "f =~ x1 + x2 + x3\nm ~ f\ny ~ m + f\n";   /* y ~ f: not in it */
    assert_int_equal(brisk_power(pop, extra, "ana.lav", &opt, list, &err), BRISK_OK);
    assert_true(brisk_table_cell(table(list, "power.convergence"), 0, 3)->num == 1);
    t = table(list, "power.parameters");
    assert_true(isnan(power_cell(t, 300, "y", "~", "f", "population")));
    assert_true(fabs(power_cell(t, 300, "y", "~", "f", "mean")) < 0.03);
    brisk_table_list_free(list);

    list = brisk_table_list_new();
    const char *unidentified = "f =~ NA*x1 + x2 + x3\nm ~ f\n";   /* no scale for f */
    assert_int_equal(brisk_power(pop, unidentified, "bad.lav", &opt, list, &err),
                     BRISK_ERR_CONVERGENCE);
    assert_non_null(strstr(err.message, "converged"));
    brisk_table_list_free(list);
    brisk_population_free(pop);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_match_simulatedata),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_cutting),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_power_matches_analytic),
        cmocka_unit_test(test_power_threads),
        cmocka_unit_test(test_power_analysis_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
