/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Agreement between coders (stats/agreement.c) against the published and
 * R-computed values of tests/reference/agreement/values.csv:
 * Krippendorff's reliability data (alpha, four metrics), Fleiss' (1971)
 * diagnoses (Fleiss' kappa, Cohen's kappa of raters 1 and 2 unweighted,
 * linear and squared, Krippendorff's nominal alpha, percent agreement),
 * and SAS's skin-condition table (Cohen's kappa, categories in the data's
 * order). */
#include <config.h>
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
#include "core/rng.h"
#include "stats/agreement.h"

#define DATA TEST_SRCDIR "/tests/data/agreement/"

static brisk_dataset *values;

static double value(const char *dataset, const char *statistic, const char *level)
{
    for (size_t i = 0; i < values->nrows; i++)
        if (strcmp(ref_text(values, "dataset", i), dataset) == 0 &&
            strcmp(ref_text(values, "statistic", i), statistic) == 0 &&
            strcmp(ref_text(values, "level", i), level) == 0)
            return brisk_dataset_find(values, "value")->num[i];
    fail_msg("no reference %s %s %s", dataset, statistic, level);
    return NAN;
}

static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: brisk %.12g, R %.12g", what, got, want);
}

/* Cohen's kappa of coders a and b, unweighted, linear and squared, and
 * their SEs against the dataset's reference values. */
static void check_cohen(const char *dataset, const double *a, const double *b, size_t n)
{
    static const struct { kappa_weights w; const char *suffix; } kinds[] = {
        {KAPPA_UNWEIGHTED, ""}, {KAPPA_LINEAR, "_linear"}, {KAPPA_SQUARED, "_squared"}};
    for (size_t k = 0; k < 3; k++) {
        cohen_result c = brisk_agreement_cohen(a, b, n, kinds[k].w);
        char key[64];
        snprintf(key, sizeof key, "cohen_kappa%s", kinds[k].suffix);
        near(c.kappa, value(dataset, key, "1-2"), 1e-12, key);
        snprintf(key, sizeof key, "cohen_se%s", kinds[k].suffix);
        near(c.se, value(dataset, key, "1-2"), 1e-10, key);
    }
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The bootstrap written plainly: draw the rows (the same streams), alpha
 * of each resample, R's type-7 quantiles */
static void naive_interval(const double *x, size_t n, size_t ncoders, agreement_metric metric,
                           size_t draws, uint64_t seed, double *lo, double *hi)
{
    double *resample = malloc(n * ncoders * sizeof *resample), *alphas = malloc(draws * sizeof *alphas);
    size_t ok = 0, pairable;
    for (size_t d = 0; d < draws; d++) {
        brisk_rng rng;
        brisk_rng_seed(&rng, seed, d);
        for (size_t i = 0; i < n; i++)
            memcpy(resample + i * ncoders, x + brisk_rng_index(&rng, n) * ncoders,
                   ncoders * sizeof *x);
        double a = brisk_agreement_krippendorff(resample, n, ncoders, metric, &pairable);
        if (isfinite(a))
            alphas[ok++] = a;
    }
    qsort(alphas, ok, sizeof *alphas, by_value);
    double h[2] = {0.025 * (double)(ok - 1), 0.975 * (double)(ok - 1)};
    double *out[2] = {lo, hi};
    for (int e = 0; e < 2; e++) {
        size_t l = (size_t)h[e], u = l + 1 < ok ? l + 1 : l;
        *out[e] = alphas[l] + (h[e] - (double)l) * (alphas[u] - alphas[l]);
    }
    free(resample), free(alphas);
}

static void test_krippendorff(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "krippendorff_wide.csv");
    size_t n = ds->nrows;
    double *x = malloc(n * 4 * sizeof *x);
    static const char *const coders[] = {"A", "B", "C", "D"};
    for (size_t j = 0; j < 4; j++) {
        const brisk_column *c = brisk_dataset_find(ds, coders[j]);
        for (size_t u = 0; u < n; u++)
            x[u * 4 + j] = brisk_is_missing(c, u) ? NAN : c->num[u];
    }
    static const char *const metric[] = {"nominal", "ordinal", "interval", "ratio"};
    for (int m = 0; m < 4; m++) {
        size_t pairable;
        near(brisk_agreement_krippendorff(x, n, 4, (agreement_metric)m, &pairable),
             value("krippendorff", "krippendorff_alpha", metric[m]), 1e-12, metric[m]);
        assert_int_equal(pairable, 40);
        /* the interval's alpha is the same; its bootstrap, summed over the
         * units' patterns, gives what resampling the rows themselves gives */
        double lo, hi, naive_lo, naive_hi;
        double a = brisk_agreement_krippendorff_interval(x, n, 4, (agreement_metric)m, 200, 9,
                                                         0.95, &lo, &hi);
        near(a, value("krippendorff", "krippendorff_alpha", metric[m]), 1e-12, metric[m]);
        naive_interval(x, n, 4, (agreement_metric)m, 200, 9, &naive_lo, &naive_hi);
        near(lo, naive_lo, 1e-12, "lower limit");
        near(hi, naive_hi, 1e-12, "upper limit");
        assert_true(lo < a && a < hi);
    }
    free(x);
    brisk_dataset_free(ds);
}

/* diagnoses: each label's leading number is its code (the labels' order) */
static double *diagnoses(size_t *n)
{
    brisk_dataset *ds = read_csv(DATA "diagnoses.csv");
    *n = ds->nrows;
    double *x = malloc(*n * 6 * sizeof *x);
    for (size_t j = 0; j < 6; j++) {
        char name[16];
        snprintf(name, sizeof name, "rater%zu", j + 1);
        const brisk_column *c = brisk_dataset_find(ds, name);
        for (size_t u = 0; u < *n; u++)
            x[u * 6 + j] = atof(c->str[u]);
    }
    brisk_dataset_free(ds);
    return x;
}

static void test_fleiss_and_cohen_diagnoses(void **state)
{
    (void)state;
    size_t n;
    double *x = diagnoses(&n);
    fleiss_result f = brisk_agreement_fleiss(x, n, 6);
    assert_int_equal(f.used, 30);
    near(f.kappa, value("diagnoses", "fleiss_kappa", "all"), 1e-12, "Fleiss kappa");
    near(f.se, value("diagnoses", "fleiss_se0", "all"), 1e-12, "Fleiss SE");
    near(f.z, value("diagnoses", "fleiss_z", "all"), 1e-9, "Fleiss z");
    size_t pairable, used;
    near(brisk_agreement_krippendorff(x, n, 6, AGREEMENT_NOMINAL, &pairable),
         value("diagnoses", "krippendorff_alpha", "nominal"), 1e-12, "alpha, diagnoses");
    near(100 * brisk_agreement_percent(x, n, 6, &used),
         value("diagnoses", "percent_agreement", "all"), 1e-12, "agreement");
    double a[30], b[30];
    for (size_t u = 0; u < n; u++)
        a[u] = x[u * 6], b[u] = x[u * 6 + 1];
    check_cohen("diagnoses", a, b, n);
    free(x);
}

/* SAS's skin-condition table: 88 cases from cell counts, the categories
 * coded in the order the data give them (SAS's ORDER=DATA) */
static void test_cohen_sas(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "sas_kappa.csv");
    static const char *const order[] = {"terrible", "poor", "marginal", "clear"};
    double a[100], b[100];
    size_t n = 0;
    const brisk_column *r1 = brisk_dataset_find(ds, "rater1"), *r2 = brisk_dataset_find(ds, "rater2");
    const brisk_column *count = brisk_dataset_find(ds, "count");
    for (size_t i = 0; i < ds->nrows; i++) {
        double c1 = NAN, c2 = NAN;
        for (size_t k = 0; k < 4; k++) {
            if (strcmp(r1->str[i], order[k]) == 0)
                c1 = (double)k;
            if (strcmp(r2->str[i], order[k]) == 0)
                c2 = (double)k;
        }
        for (int t = 0; t < (int)count->num[i]; t++, n++)
            a[n] = c1, b[n] = c2;
    }
    assert_int_equal(n, 88);
    check_cohen("sas_skin", a, b, n);
    brisk_dataset_free(ds);
}

/* Degenerate data: no variation, nothing pairable, a single coder. */
static void test_agreement_edges(void **state)
{
    (void)state;
    double same[] = {1, 1, 1, 1, 1, 1};
    size_t pairable, used;
    assert_true(isnan(brisk_agreement_krippendorff(same, 3, 2, AGREEMENT_NOMINAL, &pairable)));
    assert_int_equal(pairable, 6);
    near(brisk_agreement_percent(same, 3, 2, &used), 1, 0, "all agree");
    double lonely[] = {1, NAN, NAN, 2, 3, NAN};
    assert_true(isnan(brisk_agreement_krippendorff(lonely, 3, 2, AGREEMENT_NOMINAL, &pairable)));
    assert_int_equal(pairable, 0);
    assert_true(isnan(brisk_agreement_percent(lonely, 3, 2, &used)));
    assert_int_equal(used, 0);
    fleiss_result f = brisk_agreement_fleiss(same, 6, 1);
    assert_true(isnan(f.kappa));
    /* Cohen's kappa of one category is undefined (psych: NA), whatever N:
     * shares summed as 1/N fell short of 1 and gave 0.5 at N = 6 */
    double ones[40];
    for (size_t i = 0; i < 40; i++)
        ones[i] = 1;
    for (size_t n = 1; n <= 40; n++) {
        cohen_result c = brisk_agreement_cohen(ones, ones, n, KAPPA_UNWEIGHTED);
        assert_true(isnan(c.kappa));
        assert_true(isnan(c.se));
    }
    /* perfect agreement on two categories: kappa 1 and SE 0, not NaN */
    double two[] = {0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1};
    for (kappa_weights w = KAPPA_UNWEIGHTED; w <= KAPPA_SQUARED; w++) {
        cohen_result c = brisk_agreement_cohen(two, two, sizeof two / sizeof two[0], w);
        near(c.kappa, 1, 1e-14, "perfect agreement");
        near(c.se, 0, 1e-7, "its SE");
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    values = read_csv(TEST_SRCDIR "/tests/reference/agreement/values.csv");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_krippendorff),
        cmocka_unit_test(test_fleiss_and_cohen_diagnoses),
        cmocka_unit_test(test_cohen_sas),
        cmocka_unit_test(test_agreement_edges),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    brisk_dataset_free(values);
    return failed;
}
