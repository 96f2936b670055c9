/* Unit tests of the simulation model (lib/sim/sim.c): determinism, recovery
 * of the model-implied moments, Likert cutting, reverse-keying, and every
 * argument error. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include "brisk/sim.h"

#define N_LARGE 200000

/* ------------------------------------------------------------ helpers */

static void assert_ok(brisk_status st, const brisk_error *err)
{
    if (st != BRISK_OK)
        print_error("unexpected failure: %s\n", err->message);
    assert_int_equal(st, BRISK_OK);
}

/* A failing call must return the status and say why in its message. */
static void assert_fails(brisk_status st, const brisk_error *err,
                         brisk_status expected, const char *fragment)
{
    assert_int_equal(st, expected);
    assert_int_equal(err->status, expected);
    if (!strstr(err->message, fragment))
        print_error("message '%s' lacks '%s'\n", err->message, fragment);
    assert_non_null(strstr(err->message, fragment));
}

static double *draw_or_fail(const brisk_sim_model *m, size_t n, uint32_t seed)
{
    brisk_error err = {0};
    double *out = malloc(n * brisk_sim_n_indicators(m) * sizeof *out);
    assert_non_null(out);
    assert_ok(brisk_sim_draw(m, n, seed, out, &err), &err);
    return out;
}

static double column_mean(const double *x, size_t n, size_t ncol, size_t c)
{
    double s = 0;
    for (size_t r = 0; r < n; r++)
        s += x[r * ncol + c];
    return s / (double)n;
}

static double column_cov(const double *x, size_t n, size_t ncol, size_t a,
                         size_t b)
{
    double ma = column_mean(x, n, ncol, a), mb = column_mean(x, n, ncol, b);
    double s = 0;
    for (size_t r = 0; r < n; r++)
        s += (x[r * ncol + a] - ma) * (x[r * ncol + b] - mb);
    return s / (double)(n - 1);
}

/* ------------------------------------------------------------ the recovery model
 *
 *   xi1, xi2 exogenous: var 1.385, 0.742, cov -0.318
 *   eta  = 0.615 xi1 - 0.427 xi2 + zeta1,   var(zeta1) = 0.563
 *   eta2 = 0.538 eta + zeta2,               var(zeta2) = 0.291
 *   x1 = 2.137 + 0.835 xi1 + e (0.412)      x2 = -0.583 + 1.214 xi2 + e (0.287)
 *   y1 = 0.763 eta + e (0.355)              y2 = 0.918 eta2 + e (0.468)
 *   z1 = -0.652 xi1 (no error: an observed covariate)
 */
enum { XI1, XI2, ETA, ETA2, N_LAT };
enum { X1, X2, Y1, Y2, Z1, N_IND };

static const double v1 = 1.385, v2 = 0.742, c12 = -0.318;
static const double g1 = 0.615, g2 = -0.427, psi1 = 0.563;
static const double b21 = 0.538, psi2 = 0.291;
static const size_t ind_latent[N_IND] = {XI1, XI2, ETA, ETA2, XI1};
static const double loading[N_IND] = {0.835, 1.214, 0.763, 0.918, -0.652};
static const double theta[N_IND] = {0.412, 0.287, 0.355, 0.468, 0.0};
static const double intercept[N_IND] = {2.137, -0.583, 0.0, 0.0, 0.0};

static brisk_sim_model *recovery_model(void)
{
    static const char *const lat_names[N_LAT] = {"xi1", "xi2", "eta", "eta2"};
    static const double lat_var[N_LAT] = {1.385, 0.742, 0.563, 0.291};
    static const char *const ind_names[N_IND] = {"x1", "x2", "y1", "y2", "z1"};
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_non_null(m);
    for (size_t j = 0; j < N_LAT; j++) {
        size_t index = 99;
        assert_ok(brisk_sim_add_latent(m, lat_names[j], lat_var[j], &index, &err), &err);
        assert_int_equal(index, j);
    }
    assert_ok(brisk_sim_set_covariance(m, XI2, XI1, c12, &err), &err);
    assert_ok(brisk_sim_add_path(m, XI1, ETA, g1, &err), &err);
    assert_ok(brisk_sim_add_path(m, XI2, ETA, g2, &err), &err);
    assert_ok(brisk_sim_add_path(m, ETA, ETA2, b21, &err), &err);
    for (size_t p = 0; p < N_IND; p++) {
        size_t index = 99;
        assert_ok(brisk_sim_add_indicator(m, ind_names[p], ind_latent[p],
                                          loading[p], theta[p], &index, &err), &err);
        assert_int_equal(index, p);
        if (intercept[p] != 0)
            assert_ok(brisk_sim_set_intercept(m, p, intercept[p], &err), &err);
    }
    return m;
}

/* The latent covariance matrix worked out by hand from the parameters. */
static void hand_latent_cov(double s[N_LAT][N_LAT])
{
    double eta_xi1 = g1 * v1 + g2 * c12;
    double eta_xi2 = g1 * c12 + g2 * v2;
    double eta_var = g1 * g1 * v1 + g2 * g2 * v2 + 2 * g1 * g2 * c12 + psi1;
    s[XI1][XI1] = v1;
    s[XI2][XI2] = v2;
    s[XI2][XI1] = c12;
    s[ETA][XI1] = eta_xi1;
    s[ETA][XI2] = eta_xi2;
    s[ETA][ETA] = eta_var;
    s[ETA2][XI1] = b21 * eta_xi1;
    s[ETA2][XI2] = b21 * eta_xi2;
    s[ETA2][ETA] = b21 * eta_var;
    s[ETA2][ETA2] = b21 * b21 * eta_var + psi2;
    for (size_t j = 0; j < N_LAT; j++)
        for (size_t k = j + 1; k < N_LAT; k++)
            s[j][k] = s[k][j];
}

static void hand_indicator_cov(double c[N_IND][N_IND])
{
    double s[N_LAT][N_LAT];
    hand_latent_cov(s);
    for (size_t p = 0; p < N_IND; p++)
        for (size_t q = 0; q < N_IND; q++)
            c[p][q] = loading[p] * loading[q] * s[ind_latent[p]][ind_latent[q]]
                      + (p == q ? theta[p] : 0.0);
}

/* ------------------------------------------------------------ determinism */

static void test_same_seed_same_data(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    double *a = draw_or_fail(m, 1234, 20190501u);
    double *b = draw_or_fail(m, 1234, 20190501u);
    assert_memory_equal(a, b, 1234 * N_IND * sizeof *a);
    free(a);
    free(b);
    brisk_sim_model_free(m);
}

static void test_different_seed_different_data(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    double *a = draw_or_fail(m, 500, 7919u);
    double *b = draw_or_fail(m, 500, 7920u);
    size_t same = 0;
    for (size_t i = 0; i < 500 * N_IND; i++)
        same += a[i] == b[i];
    /* Only the error-free covariate can coincide, and only by accident. */
    assert_true(same < 5);
    free(a);
    free(b);
    brisk_sim_model_free(m);
}

/* Drawing a prefix gives the prefix: respondents are drawn one after the
 * other from one stream, as the header promises. */
static void test_prefix_is_stable(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    double *a = draw_or_fail(m, 40, 31337u);
    double *b = draw_or_fail(m, 17, 31337u);
    assert_memory_equal(a, b, 17 * N_IND * sizeof *a);
    free(a);
    free(b);
    brisk_sim_model_free(m);
}

/* ------------------------------------------------------------ recovery */

static void test_implied_covariance_matches_hand(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    brisk_error err = {0};
    double lat[N_LAT * N_LAT], ind[N_IND * N_IND];
    double s[N_LAT][N_LAT], c[N_IND][N_IND];
    hand_latent_cov(s);
    hand_indicator_cov(c);
    assert_ok(brisk_sim_implied_covariance(m, lat, ind, &err), &err);
    for (size_t j = 0; j < N_LAT; j++)
        for (size_t k = 0; k < N_LAT; k++)
            assert_true(fabs(lat[j * N_LAT + k] - s[j][k]) < 1e-12);
    for (size_t p = 0; p < N_IND; p++)
        for (size_t q = 0; q < N_IND; q++)
            assert_true(fabs(ind[p * N_IND + q] - c[p][q]) < 1e-12);
    /* Either output may be left out. */
    assert_ok(brisk_sim_implied_covariance(m, NULL, ind, &err), &err);
    assert_ok(brisk_sim_implied_covariance(m, lat, NULL, &err), &err);
    brisk_sim_model_free(m);
}

static void test_large_sample_recovers_moments(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    double c[N_IND][N_IND];
    hand_indicator_cov(c);
    double *x = draw_or_fail(m, N_LARGE, 4242u);
    for (size_t p = 0; p < N_IND; p++) {
        double mean = column_mean(x, N_LARGE, N_IND, p);
        assert_true(fabs(mean - intercept[p]) < 0.02);
        for (size_t q = p; q < N_IND; q++) {
            double cov = column_cov(x, N_LARGE, N_IND, p, q);
            if (fabs(cov - c[p][q]) >= 0.02)
                print_error("cov(%zu,%zu) = %.4f, model %.4f\n", p, q, cov, c[p][q]);
            assert_true(fabs(cov - c[p][q]) < 0.02);
        }
    }
    /* The error-free covariate is exactly -0.652 times xi1: rescaled, its
     * sample variance estimates xi1's variance with no error added. */
    double z_var = column_cov(x, N_LARGE, N_IND, Z1, Z1) / (0.652 * 0.652);
    assert_true(fabs(z_var - v1) < 0.02);
    free(x);
    brisk_sim_model_free(m);
}

/* ------------------------------------------------------------ Likert */

static void test_likert_proportions(void **state)
{
    (void)state;
    static const double t[4] = {-1.385, -0.412, 0.274, 1.093};
    const double mu = 0.127;
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "attitude", 1.0, NULL, &err), &err);
    /* loading^2 + error variance = 1: the item has unit variance. */
    assert_ok(brisk_sim_add_indicator(m, "item", 0, 0.8, 0.36, NULL, &err), &err);
    assert_ok(brisk_sim_set_intercept(m, 0, mu, &err), &err);
    assert_ok(brisk_sim_set_thresholds(m, 0, t, 4, &err), &err);
    double *x = draw_or_fail(m, N_LARGE, 1618u);
    size_t count[6] = {0};
    for (size_t r = 0; r < N_LARGE; r++) {
        double v = x[r];
        assert_true(v == floor(v) && v >= 1 && v <= 5);
        count[(size_t)v]++;
    }
    for (size_t k = 1; k <= 5; k++) {
        double lo = k == 1 ? 0.0 : gsl_cdf_ugaussian_P(t[k - 2] - mu);
        double hi = k == 5 ? 1.0 : gsl_cdf_ugaussian_P(t[k - 1] - mu);
        double share = (double)count[k] / N_LARGE;
        if (fabs(share - (hi - lo)) >= 0.005)
            print_error("category %zu: %.4f, expected %.4f\n", k, share, hi - lo);
        assert_true(fabs(share - (hi - lo)) < 0.005);
    }
    free(x);
    brisk_sim_model_free(m);
}

/* A value equal to a threshold belongs to the category below it. */
static void test_value_on_threshold_goes_below(void **state)
{
    (void)state;
    static const double t[2] = {-0.412, 0.274};
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "f", 0.731, NULL, &err), &err);
    assert_ok(brisk_sim_add_indicator(m, "exact", 0, 0.0, 0.0, NULL, &err), &err);
    assert_ok(brisk_sim_set_intercept(m, 0, 0.274, &err), &err);
    assert_ok(brisk_sim_set_thresholds(m, 0, t, 2, &err), &err);
    double *x = draw_or_fail(m, 25, 99u);
    for (size_t r = 0; r < 25; r++)
        assert_true(x[r] == 2.0);
    free(x);
    brisk_sim_model_free(m);
}

static void test_reverse_keying_mirrors(void **state)
{
    (void)state;
    static const double t[4] = {-1.137, -0.281, 0.394, 1.206};
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "risk", 0.947, NULL, &err), &err);
    /* Two error-free copies of one latent: the same answer, one mirrored. */
    assert_ok(brisk_sim_add_indicator(m, "plain", 0, 0.873, 0.0, NULL, &err), &err);
    assert_ok(brisk_sim_add_indicator(m, "mirror", 0, 0.873, 0.0, NULL, &err), &err);
    for (size_t p = 0; p < 2; p++)
        assert_ok(brisk_sim_set_thresholds(m, p, t, 4, &err), &err);
    assert_ok(brisk_sim_set_reverse(m, 1, true, &err), &err);
    double *x = draw_or_fail(m, 3000, 2718u);
    size_t seen[6] = {0};
    for (size_t r = 0; r < 3000; r++) {
        assert_true(x[2 * r + 1] == 6.0 - x[2 * r]);
        seen[(size_t)x[2 * r]]++;
    }
    for (size_t k = 1; k <= 5; k++)
        assert_true(seen[k] > 0);
    /* Undoing it makes the two identical again. */
    assert_ok(brisk_sim_set_reverse(m, 1, false, &err), &err);
    free(x);
    x = draw_or_fail(m, 300, 2718u);
    for (size_t r = 0; r < 300; r++)
        assert_true(x[2 * r + 1] == x[2 * r]);
    free(x);
    brisk_sim_model_free(m);
}

/* ------------------------------------------------------------ inspecting */

static void test_names_and_counts(void **state)
{
    (void)state;
    brisk_sim_model *m = recovery_model();
    assert_int_equal(brisk_sim_n_latents(m), N_LAT);
    assert_int_equal(brisk_sim_n_indicators(m), N_IND);
    assert_string_equal(brisk_sim_latent_name(m, ETA2), "eta2");
    assert_string_equal(brisk_sim_indicator_name(m, Y1), "y1");
    assert_null(brisk_sim_latent_name(m, N_LAT));
    assert_null(brisk_sim_indicator_name(m, N_IND));
    assert_int_equal(brisk_sim_n_latents(NULL), 0);
    assert_int_equal(brisk_sim_n_indicators(NULL), 0);
    assert_null(brisk_sim_latent_name(NULL, 0));
    brisk_sim_model_free(m);
    brisk_sim_model_free(NULL);
}

/* ------------------------------------------------------------ errors */

static void test_latent_errors(void **state)
{
    (void)state;
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_fails(brisk_sim_add_latent(m, "trust", 0.0, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "variance must be positive");
    assert_fails(brisk_sim_add_latent(m, "trust", -0.385, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "not -0.385");
    assert_fails(brisk_sim_add_latent(m, "trust", NAN, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "variance must be positive");
    assert_fails(brisk_sim_add_latent(m, "trust", INFINITY, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "finite");
    assert_fails(brisk_sim_add_latent(m, "", 0.385, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "latent name must not be empty");
    assert_fails(brisk_sim_add_latent(m, NULL, 0.385, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "latent name must not be empty");
    assert_ok(brisk_sim_add_latent(m, "trust", 0.385, NULL, &err), &err);
    assert_fails(brisk_sim_add_latent(m, "trust", 0.385, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "latent name 'trust' is used twice");
    assert_string_equal(err.variable, "trust");
    assert_fails(brisk_sim_set_variance(m, 1, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "latent index 1 out of range (the model has 1 latent)");
    assert_fails(brisk_sim_set_variance(m, 0, -2.5, &err), &err,
                 BRISK_ERR_ARGUMENT, "variance must be positive");
    assert_int_equal(brisk_sim_n_latents(m), 1);
    assert_ok(brisk_sim_set_variance(m, 0, 0.926, &err), &err);
    brisk_sim_model_free(m);
}

static void test_path_errors(void **state)
{
    (void)state;
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "trust", 1.0, NULL, &err), &err);
    assert_ok(brisk_sim_add_latent(m, "benefit", 0.64, NULL, &err), &err);
    assert_fails(brisk_sim_add_path(m, 0, 2, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "path target: latent index 2 out of range");
    assert_fails(brisk_sim_add_path(m, 7, 1, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "path origin: latent index 7 out of range");
    assert_fails(brisk_sim_add_path(m, 1, 0, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "benefit -> trust is not recursive");
    assert_fails(brisk_sim_add_path(m, 1, 1, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "not recursive");
    assert_fails(brisk_sim_add_path(m, 0, 1, NAN, &err), &err,
                 BRISK_ERR_ARGUMENT, "path coefficient must be finite");
    assert_ok(brisk_sim_add_path(m, 0, 1, 0.385, &err), &err);
    assert_fails(brisk_sim_add_path(m, 0, 1, 0.412, &err), &err,
                 BRISK_ERR_ARGUMENT, "trust -> benefit is added twice");
    brisk_sim_model_free(m);
}

static void test_covariance_errors(void **state)
{
    (void)state;
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "trust", 1.0, NULL, &err), &err);
    assert_ok(brisk_sim_add_latent(m, "privacy", 1.0, NULL, &err), &err);
    assert_fails(brisk_sim_set_covariance(m, 0, 3, -0.3, &err), &err,
                 BRISK_ERR_ARGUMENT, "residual covariance: latent index 3 out of range");
    assert_fails(brisk_sim_set_covariance(m, 1, 1, -0.3, &err), &err,
                 BRISK_ERR_ARGUMENT, "privacy with itself");
    assert_fails(brisk_sim_set_covariance(m, 0, 1, INFINITY, &err), &err,
                 BRISK_ERR_ARGUMENT, "residual covariance must be finite");
    brisk_sim_model_free(m);
}

static void test_indicator_errors(void **state)
{
    (void)state;
    static const double rising[3] = {-0.674, 0.125, 0.931};
    static const double flat[3] = {-0.674, 0.125, 0.125};
    static const double falling[3] = {0.931, 0.125, -0.674};
    static const double infinite[2] = {-0.674, INFINITY};
    brisk_error err = {0};
    brisk_sim_model *m = brisk_sim_model_new();
    assert_ok(brisk_sim_add_latent(m, "accept", 1.0, NULL, &err), &err);
    assert_fails(brisk_sim_add_indicator(m, "acc1", 1, 0.8, 0.36, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "indicator: latent index 1 out of range");
    assert_fails(brisk_sim_add_indicator(m, "acc1", 0, 0.8, -0.36, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "indicator acc1: error variance must be finite and not negative");
    assert_fails(brisk_sim_add_indicator(m, "acc1", 0, NAN, 0.36, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "loading must be finite");
    assert_fails(brisk_sim_add_indicator(m, "", 0, 0.8, 0.36, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "indicator name must not be empty");
    assert_ok(brisk_sim_add_indicator(m, "acc1", 0, 0.8, 0.36, NULL, &err), &err);
    assert_fails(brisk_sim_add_indicator(m, "acc1", 0, 0.7, 0.51, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "indicator name 'acc1' is used twice");
    assert_fails(brisk_sim_set_intercept(m, 1, 0.385, &err), &err,
                 BRISK_ERR_ARGUMENT, "intercept: indicator index 1 out of range (the model has 1 indicator)");
    assert_fails(brisk_sim_set_intercept(m, 0, NAN, &err), &err,
                 BRISK_ERR_ARGUMENT, "intercept must be finite");
    assert_fails(brisk_sim_set_thresholds(m, 1, rising, 3, &err), &err,
                 BRISK_ERR_ARGUMENT, "thresholds: indicator index 1 out of range");
    assert_fails(brisk_sim_set_thresholds(m, 0, rising, 0, &err), &err,
                 BRISK_ERR_ARGUMENT, "at least one threshold");
    assert_fails(brisk_sim_set_thresholds(m, 0, NULL, 3, &err), &err,
                 BRISK_ERR_ARGUMENT, "at least one threshold");
    assert_fails(brisk_sim_set_thresholds(m, 0, flat, 3, &err), &err,
                 BRISK_ERR_ARGUMENT, "strictly increasing (threshold 3 = 0.125 follows 0.125)");
    assert_fails(brisk_sim_set_thresholds(m, 0, falling, 3, &err), &err,
                 BRISK_ERR_ARGUMENT, "strictly increasing (threshold 2");
    assert_fails(brisk_sim_set_thresholds(m, 0, infinite, 2, &err), &err,
                 BRISK_ERR_ARGUMENT, "threshold 2 must be finite");
    assert_fails(brisk_sim_set_reverse(m, 0, true, &err), &err,
                 BRISK_ERR_ARGUMENT, "indicator acc1: reverse-keying needs thresholds");
    assert_fails(brisk_sim_set_reverse(m, 4, true, &err), &err,
                 BRISK_ERR_ARGUMENT, "reverse-keying: indicator index 4 out of range");
    assert_ok(brisk_sim_set_thresholds(m, 0, rising, 3, &err), &err);
    assert_ok(brisk_sim_set_reverse(m, 0, true, &err), &err);
    brisk_sim_model_free(m);
}

static void test_not_positive_definite(void **state)
{
    (void)state;
    brisk_error err = {0};
    double cov[9];
    double *out = malloc(10 * 3 * sizeof *out);
    brisk_sim_model *m = brisk_sim_model_new();
    const char *names[3] = {"trust", "privacy", "morality"};
    for (size_t j = 0; j < 3; j++) {
        assert_ok(brisk_sim_add_latent(m, names[j], 1.0, NULL, &err), &err);
        assert_ok(brisk_sim_add_indicator(m, names[j], j, 0.8, 0.36, NULL, &err), &err);
    }
    /* Every pair is admissible on its own (|r| < 1), the triple is not:
     * 1 - 3(0.9^2) + 2(0.9)(0.9)(-0.9) < 0. */
    assert_ok(brisk_sim_set_covariance(m, 0, 1, 0.9, &err), &err);
    assert_ok(brisk_sim_set_covariance(m, 0, 2, 0.9, &err), &err);
    assert_ok(brisk_sim_set_covariance(m, 1, 2, -0.9, &err), &err);
    for (size_t i = 0; i < 30; i++)
        out[i] = 0.385;
    assert_fails(brisk_sim_check(m, &err), &err, BRISK_ERR_ARGUMENT,
                 "not positive definite");
    assert_fails(brisk_sim_draw(m, 10, 12345u, out, &err), &err,
                 BRISK_ERR_ARGUMENT, "residual covariance matrix of the latent variables is not positive definite");
    for (size_t i = 0; i < 30; i++)
        assert_true(out[i] == 0.385);  /* untouched */
    assert_fails(brisk_sim_implied_covariance(m, cov, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "not positive definite");
    /* Setting the pair again replaces it and repairs the model. */
    assert_ok(brisk_sim_set_covariance(m, 2, 1, 0.81, &err), &err);
    assert_ok(brisk_sim_check(m, &err), &err);
    assert_ok(brisk_sim_implied_covariance(m, cov, NULL, &err), &err);
    assert_true(fabs(cov[1 * 3 + 2] - 0.81) < 1e-15);
    free(out);
    brisk_sim_model_free(m);
}

static void test_draw_errors(void **state)
{
    (void)state;
    brisk_error err = {0};
    double out[8];
    brisk_sim_model *m = brisk_sim_model_new();
    assert_fails(brisk_sim_check(m, &err), &err, BRISK_ERR_ARGUMENT,
                 "has no indicators");
    assert_ok(brisk_sim_add_latent(m, "trust", 1.0, NULL, &err), &err);
    assert_fails(brisk_sim_draw(m, 4, 20190501u, out, &err), &err,
                 BRISK_ERR_ARGUMENT, "has no indicators");
    assert_fails(brisk_sim_implied_covariance(m, out, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "has no indicators");
    assert_ok(brisk_sim_add_indicator(m, "tg1", 0, 0.8, 0.36, NULL, &err), &err);
    assert_fails(brisk_sim_draw(m, 4, 0u, out, &err), &err,
                 BRISK_ERR_ARGUMENT, "seed 0 is not allowed");
    assert_fails(brisk_sim_draw(m, 4, 20190501u, NULL, &err), &err,
                 BRISK_ERR_ARGUMENT, "no output array for 4 draws");
    assert_fails(brisk_sim_draw(m, SIZE_MAX / 2, 20190501u, out, &err), &err,
                 BRISK_ERR_ARGUMENT, "do not fit in memory");
    assert_fails(brisk_sim_draw(NULL, 4, 20190501u, out, &err), &err,
                 BRISK_ERR_ARGUMENT, "simulation model is NULL");
    assert_ok(brisk_sim_draw(m, 0, 20190501u, NULL, &err), &err);
    assert_ok(brisk_sim_draw(m, 8, UINT32_MAX, out, &err), &err);
    brisk_sim_model_free(m);
}

static void test_null_model_everywhere(void **state)
{
    (void)state;
    static const double t[1] = {0.385};
    brisk_error err = {0};
    const char *what = "simulation model is NULL";
    assert_fails(brisk_sim_add_latent(NULL, "x", 1.0, NULL, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_set_variance(NULL, 0, 1.0, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_add_path(NULL, 0, 1, 0.5, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_set_covariance(NULL, 0, 1, 0.5, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_add_indicator(NULL, "x", 0, 1.0, 0.5, NULL, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_set_intercept(NULL, 0, 0.5, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_set_thresholds(NULL, 0, t, 1, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_set_reverse(NULL, 0, true, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_check(NULL, &err), &err, BRISK_ERR_ARGUMENT, what);
    assert_fails(brisk_sim_implied_covariance(NULL, NULL, NULL, &err), &err, BRISK_ERR_ARGUMENT, what);
}

/* The error record is optional: failing without one must be safe. */
static void test_errors_without_record(void **state)
{
    (void)state;
    brisk_sim_model *m = brisk_sim_model_new();
    assert_int_equal(brisk_sim_add_latent(m, "x", -1.0, NULL, NULL), BRISK_ERR_ARGUMENT);
    assert_int_equal(brisk_sim_add_latent(m, "x", 1.0, NULL, NULL), BRISK_OK);
    assert_int_equal(brisk_sim_add_latent(m, "x", 1.0, NULL, NULL), BRISK_ERR_ARGUMENT);
    assert_int_equal(brisk_sim_draw(m, 1, 0u, NULL, NULL), BRISK_ERR_ARGUMENT);
    brisk_sim_model_free(m);
}

int main(void)
{
    /* As the programs do: GSL must report, not abort. */
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_data),
        cmocka_unit_test(test_different_seed_different_data),
        cmocka_unit_test(test_prefix_is_stable),
        cmocka_unit_test(test_implied_covariance_matches_hand),
        cmocka_unit_test(test_large_sample_recovers_moments),
        cmocka_unit_test(test_likert_proportions),
        cmocka_unit_test(test_value_on_threshold_goes_below),
        cmocka_unit_test(test_reverse_keying_mirrors),
        cmocka_unit_test(test_names_and_counts),
        cmocka_unit_test(test_latent_errors),
        cmocka_unit_test(test_path_errors),
        cmocka_unit_test(test_covariance_errors),
        cmocka_unit_test(test_indicator_errors),
        cmocka_unit_test(test_not_positive_definite),
        cmocka_unit_test(test_draw_errors),
        cmocka_unit_test(test_null_model_everywhere),
        cmocka_unit_test(test_errors_without_record),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
