/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bootstrap against lavaan (tests/reference/bootstrap/), its
 * determinism across threads, and its accounting of failed draws. */
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
#include "sem/resample.h"

#define BOOT TEST_SRCDIR "/tests/reference/bootstrap/"
#define DATA TEST_SRCDIR "/tests/data/"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The row of params.csv with this lhs, op, rhs. */
static size_t ref_row(const brisk_dataset *ref, const char *lhs, const char *op, const char *rhs)
{
    const brisk_column *l = brisk_dataset_find(ref, "lhs"), *o = brisk_dataset_find(ref, "op"),
                       *r = brisk_dataset_find(ref, "rhs");
    for (size_t i = 0; i < ref->nrows; i++)
        if (strcmp(l->str[i], lhs) == 0 && strcmp(o->str[i], op) == 0 &&
            strcmp(brisk_is_missing(r, i) ? "" : r->str[i], rhs) == 0)
            return i;
    fail_msg("no reference row %s %s %s", lhs, op, rhs);
    return 0;
}

/* Moments from draw counts equal the moments of the resample written out
 * row by row: a row drawn three times, rows not drawn, an incomplete row
 * (left out and counted as dropped), and a last block of fewer than four
 * rows. */
static void test_moments_from_counts(void **state)
{
    (void)state;
    enum { N = 7, P = 3 };
    static const double x[N][P] = {{1, 2, 3}, {2, 1, 0}, {4, 4, 1}, {0, NAN, 2},
                                   {3, 5, 2}, {1, 1, 1}, {2, 3, 5}};
    static const unsigned count[N] = {3, 0, 1, 2, 1, 0, 2};
    brisk_dataset *ds = brisk_dataset_new(N);
    const char *const names[P] = {"a", "b", "c"};
    brisk_error err;
    for (size_t j = 0; j < P; j++) {
        size_t at;
        assert_int_equal(brisk_dataset_add_column(ds, names[j], BRISK_NUMERIC, &at, &err), BRISK_OK);
        for (size_t i = 0; i < N; i++)
            if (!isnan(x[i][j]))
                brisk_column_set_number(&ds->cols[at], i, x[i][j]);
    }
    brisk_syntax *syn = NULL;
    brisk_model *m = NULL;
    assert_int_equal(brisk_syntax_parse("f =~ a + b + c", "m.lav", 1, &syn, &err), BRISK_OK);
    assert_int_equal(brisk_model_new(syn, names, P, &(brisk_model_options){0}, &m, &err), BRISK_OK);
    resample_data d;
    assert_true(brisk_resample_data(m, ds, (const size_t[]){0, 1, 2, 3, 4, 5, 6}, N, false, &d));
    double mean[P], cov[P * P];
    brisk_moments mom = {.p = P, .mean = mean, .cov = cov};
    brisk_resample_moments(&d, count, &mom);
    /* the resample written out: complete rows, each as often as drawn */
    double sum[P] = {0}, cp[P][P] = {{0}};
    size_t n = 0;
    for (size_t i = 0; i < N; i++)
        for (unsigned t = 0; t < count[i] && !isnan(x[i][1]); t++, n++)
            for (size_t j = 0; j < P; j++) {
                sum[j] += x[i][j];
                for (size_t k = 0; k < P; k++)
                    cp[j][k] += x[i][j] * x[i][k];
            }
    assert_int_equal(mom.n, n);
    assert_int_equal(mom.n, 7);
    assert_int_equal(mom.n_dropped, 2);
    for (size_t j = 0; j < P; j++) {
        assert_true(fabs(mean[j] - sum[j] / n) < 1e-12);
        for (size_t k = 0; k < P; k++)
            assert_true(fabs(cov[j * P + k] - (cp[j][k] / n - sum[j] * sum[k] / n / n)) < 1e-12);
    }
    brisk_resample_data_free(&d);
    brisk_model_free(m);
    brisk_syntax_free(syn);
    brisk_dataset_free(ds);
}

/* Our percentile rule and standard error on lavaan's own draws give
 * lavaan's interval and SE. */
static void test_percentile_rule_on_lavaan_draws(void **state)
{
    (void)state;
    brisk_dataset *draws = read_csv(BOOT "draws.csv"), *ref = read_csv(BOOT "params.csv");
    static const char *const rows[][4] = {
        {"speed=~x9", "speed", "=~", "x9"}, {"speed~visual", "speed", "~", "visual"},
        {"speed~textual", "speed", "~", "textual"}, {"textual~visual", "textual", "~", "visual"},
        {"ind", "ind", ":=", "c*b"}};
    double *v = malloc(draws->nrows * sizeof *v);
    for (size_t k = 0; k < 5; k++) {
        const brisk_column *c = brisk_dataset_find(draws, rows[k][0]);
        assert_non_null(c);
        size_t n = 0;
        for (size_t i = 0; i < draws->nrows; i++)
            if (!brisk_is_missing(c, i))
                v[n++] = c->num[i];
        qsort(v, n, sizeof *v, by_value);
        size_t r = ref_row(ref, rows[k][1], rows[k][2], rows[k][3]);
        double lo = brisk_dataset_find(ref, "perc_lower")->num[r];
        double hi = brisk_dataset_find(ref, "perc_upper")->num[r];
        /* the draws are stored at 10 significant digits */
        double se = brisk_dataset_find(ref, "se")->num[r];
        assert_true(fabs(brisk_bootstrap_se(v, n, k == 4) - se) < 1e-8 * se);
        assert_true(fabs(brisk_quantile_sorted(v, n, 0.025) - lo) < 1e-8 * fmax(1, fabs(lo)));
        assert_true(fabs(brisk_quantile_sorted(v, n, 0.975) - hi) < 1e-8 * fmax(1, fabs(hi)));
    }
    free(v);
    brisk_dataset_free(draws);
    brisk_dataset_free(ref);
}

/* Our BCa pieces on lavaan's draws and lavaan's jackknife give the boot
 * package's BCa interval (boot.ci(type = "bca") with the jackknife's
 * influence values; tests/reference/bootstrap/make_bca.R). */
static void test_bca_on_lavaan_draws(void **state)
{
    (void)state;
    brisk_dataset *draws = read_csv(BOOT "draws.csv"), *jack = read_csv(BOOT "jack.csv"),
                  *ref = read_csv(BOOT "bca.csv");
    double *v = malloc((draws->nrows + jack->nrows) * sizeof *v);
    for (size_t k = 0; k < ref->nrows; k++) {
        const char *name = brisk_dataset_find(ref, "quantity")->str[k];
        const brisk_column *j = brisk_dataset_find(jack, name), *d = brisk_dataset_find(draws, name);
        assert_non_null(j);
        assert_non_null(d);
        double l3 = 0, l2 = 0;
        brisk_jackknife_sums(j->num, jack->nrows, &l3, &l2);
        double a = brisk_bca_acceleration(l3, l2);
        double want_a = brisk_dataset_find(ref, "acceleration")->num[k];
        if (fabs(a - want_a) > 1e-10)
            fail_msg("%s: acceleration %.12g, boot %.12g", name, a, want_a);
        size_t n = 0;
        for (size_t i = 0; i < draws->nrows; i++)
            if (!brisk_is_missing(d, i))
                v[n++] = d->num[i];
        qsort(v, n, sizeof *v, by_value);
        double lo, hi, est = brisk_dataset_find(ref, "est")->num[k];
        brisk_bca_interval(v, n, est, a, &lo, &hi);
        double want_lo = brisk_dataset_find(ref, "bca_lower")->num[k];
        double want_hi = brisk_dataset_find(ref, "bca_upper")->num[k];
        /* the draws are stored at 10 significant digits */
        if (fabs(lo - want_lo) > 1e-8 * fmax(1, fabs(want_lo)) ||
            fabs(hi - want_hi) > 1e-8 * fmax(1, fabs(want_hi)))
            fail_msg("%s: brisk BCa [%.10g, %.10g], boot [%.10g, %.10g]", name, lo, hi, want_lo,
                     want_hi);
    }
    free(v);
    brisk_dataset_free(draws);
    brisk_dataset_free(jack);
    brisk_dataset_free(ref);
}

static brisk_fitted fit_hs(const brisk_dataset *ds, const char *model, const size_t *rows,
                           size_t nrows)
{
    brisk_fitted f;
    brisk_error err;
    if (brisk_fit_text(model, "hs_boot.lav", 1, ds, rows, nrows, NULL, NULL, &f, &err) != BRISK_OK)
        fail_msg("%s", err.message);
    return f;
}

/* Our own 2,000 draws against lavaan's 2,000: the intervals agree within
 * Monte Carlo error (max(0.02, 4 sqrt(2) x the endpoint's Monte Carlo SD)),
 * the standard errors within 15%; the std.all intervals within 0.03. */
static void test_bootstrap_matches_lavaan(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv"), *ref = read_csv(BOOT "params.csv");
    brisk_fitted f = fit_hs(ds, slurp(BOOT "hs_boot.lav"), NULL, 0);
    brisk_bootstrap_options opt = {.draws = 2000, .seed = 20261121, .threads = 2};
    brisk_bootstrap_info info;
    brisk_error err;
    assert_int_equal(brisk_bootstrap_fit(&f, ds, &opt, &info, &err), BRISK_OK);
    assert_int_equal(info.draws, 2000);
    assert_true(info.failed < 100);
    const brisk_model *m = f.model;
    for (size_t r = 0; r < brisk_model_nparams(m); r++) {
        const brisk_param *p = brisk_model_param(m, r);
        size_t i = ref_row(ref, p->lhs, brisk_op_text(p->op), p->rhs);
        const brisk_estimate *e = &f.fit->rows[r];
        /* std.all varies from draw to draw also for a fixed (marker)
         * loading: its percentile interval, from lavaan's draws, within
         * 0.03 (4 Monte Carlo SDs of the difference of two endpoints) */
        double slo = brisk_dataset_find(ref, "std_perc_lower")->num[i];
        double shi = brisk_dataset_find(ref, "std_perc_upper")->num[i];
        if (isfinite(slo) && slo != shi &&
            (fabs(e->std_ci_lower - slo) > 0.03 || fabs(e->std_ci_upper - shi) > 0.03))
            fail_msg("%s %s %s std.all: brisk [%.4f, %.4f]; lavaan's draws [%.4f, %.4f]", p->lhs,
                     brisk_op_text(p->op), p->rhs, e->std_ci_lower, e->std_ci_upper, slo, shi);
        if (!p->free && p->op != BRISK_OP_DEFINE)
            continue;
        double lo = brisk_dataset_find(ref, "perc_lower")->num[i];
        double hi = brisk_dataset_find(ref, "perc_upper")->num[i];
        double tol_lo = fmax(0.02, 4 * sqrt(2) * brisk_dataset_find(ref, "perc_lower_mcsd")->num[i]);
        double tol_hi = fmax(0.02, 4 * sqrt(2) * brisk_dataset_find(ref, "perc_upper_mcsd")->num[i]);
        double se = brisk_dataset_find(ref, "se")->num[i];
        if (fabs(e->ci_lower - lo) > tol_lo || fabs(e->ci_upper - hi) > tol_hi ||
            fabs(e->se - se) > 0.15 * se)
            fail_msg("%s %s %s: brisk [%.4f, %.4f] se %.4f; lavaan [%.4f, %.4f] se %.4f",
                     p->lhs, brisk_op_text(p->op), p->rhs, e->ci_lower, e->ci_upper, e->se, lo,
                     hi, se);
    }
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
    brisk_dataset_free(ref);
}

/* Our own BCa run (2,000 draws, our jackknife) against boot's BCa on
 * lavaan's draws: within Monte Carlo error, taken as max(0.025, 6 x the
 * percentile endpoint's Monte Carlo SD). */
static void test_bca_matches_boot(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv"), *ref = read_csv(BOOT "bca.csv"),
                  *params = read_csv(BOOT "params.csv");
    brisk_fitted f = fit_hs(ds, slurp(BOOT "hs_boot.lav"), NULL, 0);
    brisk_bootstrap_options opt = {.draws = 2000, .seed = 99, .threads = 2, .ci = BRISK_CI_BCA};
    brisk_bootstrap_info info;
    brisk_error err;
    assert_int_equal(brisk_bootstrap_fit(&f, ds, &opt, &info, &err), BRISK_OK);
    static const char *const rows[][4] = {
        {"speed=~x9", "speed", "=~", "x9"}, {"speed~visual", "speed", "~", "visual"},
        {"speed~textual", "speed", "~", "textual"}, {"textual~visual", "textual", "~", "visual"},
        {"ind", "ind", ":=", "c*b"}};
    for (size_t k = 0; k < 5; k++) {
        size_t pr = ref_row(params, rows[k][1], rows[k][2], rows[k][3]);
        const brisk_estimate *e = NULL;
        for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
            const brisk_param *p = brisk_model_param(f.model, r);
            if (strcmp(p->lhs, rows[k][1]) == 0 && strcmp(brisk_op_text(p->op), rows[k][2]) == 0 &&
                strcmp(p->op == BRISK_OP_DEFINE ? p->expr : p->rhs, rows[k][3]) == 0)
                e = &f.fit->rows[r];
        }
        assert_non_null(e);
        double lo = brisk_dataset_find(ref, "bca_lower")->num[k];
        double hi = brisk_dataset_find(ref, "bca_upper")->num[k];
        double tlo = fmax(0.025, 6 * brisk_dataset_find(params, "perc_lower_mcsd")->num[pr]);
        double thi = fmax(0.025, 6 * brisk_dataset_find(params, "perc_upper_mcsd")->num[pr]);
        if (fabs(e->ci_lower - lo) > tlo || fabs(e->ci_upper - hi) > thi)
            fail_msg("%s: brisk BCa [%.4f, %.4f], boot on lavaan's draws [%.4f, %.4f]",
                     rows[k][0], e->ci_lower, e->ci_upper, lo, hi);
    }
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
    brisk_dataset_free(ref);
    brisk_dataset_free(params);
}

/* Draw i depends on the seed and i only: one thread or three, the same
 * numbers to the last bit. */
static void test_same_for_any_thread_count(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    brisk_fitted a = fit_hs(ds, slurp(BOOT "hs_boot.lav"), NULL, 0);
    brisk_fitted b = fit_hs(ds, slurp(BOOT "hs_boot.lav"), NULL, 0);
    brisk_bootstrap_options o1 = {.draws = 200, .seed = 385, .threads = 1};
    brisk_bootstrap_options o3 = {.draws = 200, .seed = 385, .threads = 3, .ci = BRISK_CI_BCA};
    o1.ci = BRISK_CI_BCA;
    brisk_bootstrap_info i1, i3;
    brisk_error err;
    assert_int_equal(brisk_bootstrap_fit(&a, ds, &o1, &i1, &err), BRISK_OK);
    assert_int_equal(brisk_bootstrap_fit(&b, ds, &o3, &i3, &err), BRISK_OK);
    assert_int_equal(i1.failed, i3.failed);
    assert_memory_equal(a.fit->rows, b.fit->rows,
                        brisk_model_nparams(a.model) * sizeof *a.fit->rows);
    brisk_fitted_free(&a);
    brisk_fitted_free(&b);
    brisk_dataset_free(ds);
}

/* A small sample on which some draws cannot be estimated: they are
 * counted, left out, and the rest still give intervals. */
/* On 60 respondents (an admissible solution) half the draws end in a
 * Heywood case: lavaan keeps every converged draw, and so does brisk by
 * default, counting the inadmissible ones; --exclude-inadmissible leaves
 * them out, and the SEs change. */
static bool has_warning(const brisk_fit *fit, const char *text)
{
    for (size_t w = 0; w < fit->nwarnings; w++)
        if (strcmp(fit->warnings[w], text) == 0)
            return true;
    return false;
}

static void test_failed_draws_are_counted(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    size_t rows[60];
    for (size_t i = 0; i < 60; i++)
        rows[i] = 3 * i;
    const char *model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                        "speed =~ x7 + x8 + x9\n";
    brisk_fitted kept = fit_hs(ds, model, rows, 60), left = fit_hs(ds, model, rows, 60);
    assert_true(kept.fit->admissible);
    brisk_bootstrap_options opt = {.draws = 300, .seed = 7, .threads = 2};
    brisk_bootstrap_info info, info_left;
    brisk_error err;
    assert_int_equal(brisk_bootstrap_fit(&kept, ds, &opt, &info, &err), BRISK_OK);
    if (!(info.inadmissible > 0 && info.inadmissible < opt.draws))
        fail_msg("expected some inadmissible draws, got %zu of %zu", info.inadmissible,
                 opt.draws);
    assert_false(info.excluded);
    char warning[200];
    snprintf(warning, sizeof warning, "%zu of 300 bootstrap draws had an inadmissible solution "
             "(a negative variance or a correlation beyond 1) and were kept, as lavaan keeps "
             "them", info.inadmissible);
    assert_true(has_warning(kept.fit, warning));
    opt.exclude_inadmissible = true;
    assert_int_equal(brisk_bootstrap_fit(&left, ds, &opt, &info_left, &err), BRISK_OK);
    assert_true(info_left.excluded);
    assert_int_equal(info_left.inadmissible, info.inadmissible);
    snprintf(warning, sizeof warning, "%zu of 300 bootstrap draws had an inadmissible solution "
             "(a negative variance or a correlation beyond 1) and were left out "
             "(--exclude-inadmissible)", info.inadmissible);
    assert_true(has_warning(left.fit, warning));
    bool differs = false;
    for (size_t r = 0; r < brisk_model_nparams(kept.model); r++)
        if (brisk_model_param(kept.model, r)->free) {
            assert_true(isfinite(kept.fit->rows[r].se) && isfinite(kept.fit->rows[r].ci_lower));
            assert_true(isfinite(left.fit->rows[r].se));
            differs |= kept.fit->rows[r].se != left.fit->rows[r].se;
        }
    assert_true(differs);
    brisk_fitted_free(&kept);
    brisk_fitted_free(&left);
    brisk_dataset_free(ds);
}

/* A draw of a full-information ML or WLSMV fit is refitted by the same
 * estimator from the rows drawn (lavaan's se = "bootstrap" with missing =
 * "ml", and with estimator = "DWLS": WLSMV's estimates): 1,000 draws of
 * ours against lavaan's 1,000 (tests/reference/bootstrap/robust_boot.csv),
 * SEs within 15%, percentile endpoints within 0.4 SE (about 3 Monte Carlo
 * SDs of the difference of two runs' endpoints). */
static void check_robust_boot(const char *name, size_t nrows, brisk_model_options opt)
{
    brisk_dataset *ds = read_bfi_reversed(), *ref = read_csv(BOOT "robust_boot.csv");
    size_t *rows = malloc(nrows * sizeof *rows);
    for (size_t i = 0; i < nrows; i++)
        rows[i] = i;
    brisk_fitted f;
    brisk_error err;
    if (brisk_fit_text(slurp(BOOT "robust_boot.lav"), "robust_boot.lav", 1, ds, rows, nrows,
                       NULL, &opt, &f, &err) != BRISK_OK)
        fail_msg("%s: %s", name, err.message);
    brisk_bootstrap_options bo = {.draws = 1000, .seed = 20261121, .threads = 2};
    brisk_bootstrap_info info;
    assert_int_equal(brisk_bootstrap_fit(&f, ds, &bo, &info, &err), BRISK_OK);
    assert_int_equal(info.failed, 0);
    size_t compared = 0, wanted = 0;   /* loadings and (co)variances: lavaan's rows */
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(ref_text(ref, "case", i), name) || !*ref_text(ref, "op", i))
            continue;
        wanted++;
        for (size_t r = 0; r < brisk_model_nparams(f.model); r++) {
            const brisk_param *p = brisk_model_param(f.model, r);
            if (strcmp(p->lhs, ref_text(ref, "lhs", i)) || strcmp(p->rhs, ref_text(ref, "rhs", i)) ||
                strcmp(brisk_op_text(p->op), ref_text(ref, "op", i)))
                continue;
            const brisk_estimate *e = &f.fit->rows[r];
            double est = brisk_dataset_find(ref, "est")->num[i];
            double se = brisk_dataset_find(ref, "se")->num[i];
            double lo = brisk_dataset_find(ref, "perc_lower")->num[i];
            double hi = brisk_dataset_find(ref, "perc_upper")->num[i];
            if (fabs(e->est - est) > 1e-4 || fabs(e->se - se) > 0.15 * se ||
                fabs(e->ci_lower - lo) > 0.4 * se || fabs(e->ci_upper - hi) > 0.4 * se)
                fail_msg("%s %s %s %s: brisk %.4f se %.4f [%.4f, %.4f]; lavaan %.4f se %.4f "
                         "[%.4f, %.4f]", name, p->lhs, brisk_op_text(p->op), p->rhs, e->est, e->se,
                         e->ci_lower, e->ci_upper, est, se, lo, hi);
            compared++;
        }
    }
    assert_int_equal(compared, wanted);
    free(rows);
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
    brisk_dataset_free(ref);
}

static void test_bootstrap_fiml(void **state)
{
    (void)state;
    check_robust_boot("fiml", 500, (brisk_model_options){.fiml = true});
}

static void test_bootstrap_wlsmv(void **state)
{
    (void)state;
    check_robust_boot("dwls", 800, (brisk_model_options){.estimator = BRISK_ESTIMATOR_WLSMV});
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_from_counts),
        cmocka_unit_test(test_percentile_rule_on_lavaan_draws),
        cmocka_unit_test(test_bca_on_lavaan_draws),
        cmocka_unit_test(test_bootstrap_matches_lavaan),
        cmocka_unit_test(test_bca_matches_boot),
        cmocka_unit_test(test_same_for_any_thread_count),
        cmocka_unit_test(test_failed_draws_are_counted),
        cmocka_unit_test(test_bootstrap_fiml),
        cmocka_unit_test(test_bootstrap_wlsmv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
