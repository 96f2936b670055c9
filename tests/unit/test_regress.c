/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk_regress against R: ordinal::clm, MASS::polr with frequency weights,
 * lm with sandwich's HC1 and HC3, glm's logit, and the survey package's
 * svyglm and svyolr with sampling weights (tests/reference/regress/). */
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

#define REF TEST_SRCDIR "/tests/reference/regress/"
#define DATA TEST_SRCDIR "/tests/data/"

static double num_cell(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    return c->num[i];
}

static double cell(const brisk_table *t, size_t row, const char *key)
{
    size_t c = brisk_table_find_column(t, key);
    assert_true(c != (size_t)-1);
    return brisk_table_cell(t, row, c)->num;
}

static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: brisk %.10g, R %.10g (tolerance %g)", what, got, want, tol);
}

/* The fit measures R writes, by the label brisk gives them. */
static const char *const measures[][2] = {
    {"logLik", "Log-likelihood"}, {"AIC", "AIC"}, {"BIC", "BIC"},
    {"n", "Observations used"}, {"n_dropped", "Left out (missing values)"},
    {"logLik_null", "Log-likelihood (null model)"}, {"mcfadden", "McFadden R-squared"},
    {"nagelkerke", "Nagelkerke R-squared"}, {"r2", "R-squared"},
    {"adj_r2", "Adjusted R-squared"}, {"sigma", "Residual SE"}, {"df_resid", "Residual df"},
    {"F", "F"},
};

static double fit_value(const brisk_table *t, const char *label)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(brisk_table_cell(t, r, 0)->text, label) == 0)
            return brisk_table_cell(t, r, 1)->num;
    fail_msg("no fit measure '%s'", label);
    return NAN;
}

typedef struct model_case {
    const char *name, *data, *formula;
    brisk_regress_options opt;
    const char *se_column;     /* the reference's SE column to compare with */
    bool frequency;            /* "n" is the sum of the weights */
    double tol;                /* of estimates and SEs, relative (0: 1e-6) */
} model_case;

static void check_model(const model_case *mc)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DATA, mc->data);
    brisk_dataset *ds = read_csv(path);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_regress(ds, mc->formula, &mc->opt, list, &err) != BRISK_OK)
        fail_msg("%s: %s", mc->name, err.message);
    const brisk_table *coef = table(list, "regress.coefficients");
    snprintf(path, sizeof path, "%s%s.coef.csv", REF, mc->name);
    brisk_dataset *ref = read_csv(path);
    assert_int_equal(coef->nrows, ref->nrows);
    for (size_t i = 0; i < ref->nrows; i++) {
        char what[300];
        const char *term = ref_text(ref, "term", i);
        snprintf(what, sizeof what, "%s %s", mc->name, term);
        assert_string_equal(brisk_table_cell(coef, i, 0)->text, term);
        double se = num_cell(ref, mc->se_column ? mc->se_column : "se", i);
        double tol = mc->tol > 0 ? mc->tol : 1e-6;
        near(cell(coef, i, "est"), num_cell(ref, "est", i), tol * fmax(1, fabs(se)), what);
        near(cell(coef, i, "se"), se, tol * fmax(1, se), what);
        if (!mc->se_column) {
            near(cell(coef, i, "stat"), num_cell(ref, "stat", i), 1e-3, what);
            near(cell(coef, i, "pvalue"), num_cell(ref, "p", i), 1e-4, what);
        }
    }
    const brisk_table *fit = table(list, "regress.fit");
    snprintf(path, sizeof path, "%s%s.fit.csv", REF, mc->name);
    brisk_dataset *rfit = read_csv(path);
    for (size_t i = 0; i < rfit->nrows; i++) {
        const char *m = ref_text(rfit, "measure", i);
        if (strcmp(m, "deviance") == 0 || strcmp(m, "null_deviance") == 0 ||
            (mc->se_column && strcmp(m, "F") == 0))
            continue;
        const char *label = NULL;
        for (size_t k = 0; k < sizeof measures / sizeof measures[0] && !label; k++)
            if (strcmp(measures[k][0], m) == 0)
                label = measures[k][1];
        if (mc->frequency && strcmp(m, "n") == 0)
            label = "Cases (sum of frequency weights)";
        assert_non_null(label);
        char what[300];
        snprintf(what, sizeof what, "%s %s", mc->name, m);
        near(fit_value(fit, label), num_cell(rfit, "value", i), 1e-6 * fmax(1, fabs(num_cell(rfit, "value", i))), what);
    }
    brisk_dataset_free(rfit);
    brisk_dataset_free(ref);
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

static const char *const education_levels[] = {"1", "2", "3", "4"};
static const brisk_levels education = {"education", education_levels, 4};

static void test_clm_wine(void **state)
{
    (void)state;
    model_case logit = {"wine_clm", "wine.csv", "rating ~ temp + contact",
                        {.family = BRISK_FAMILY_ORDINAL}, NULL, false, 0};
    check_model(&logit);
    model_case probit = {"wine_clm_probit", "wine.csv", "rating ~ temp + contact",
                         {.family = BRISK_FAMILY_ORDINAL, .link = BRISK_LINK_PROBIT}, NULL,
                         false, 0};
    check_model(&probit);
}

static void test_polr_frequency_weights(void **state)
{
    (void)state;
    model_case mc = {"housing_polr", "housing.csv", "Sat ~ Infl + Type + Cont",
                     {.family = BRISK_FAMILY_ORDINAL, .weight = "Freq",
                      .weight_type = BRISK_WEIGHT_FREQUENCY},
                     NULL, true, 1e-4};   /* polr's BFGS stops 2.5e-5 short of the optimum */
    check_model(&mc);
}

static void test_clm_own_data(void **state)
{
    (void)state;
    model_case mc = {"regress_clm", "regress.csv", "approval ~ age + income + region + education",
                     {.family = BRISK_FAMILY_ORDINAL, .levels = &education, .nlevels = 1}, NULL,
                     false, 0};
    check_model(&mc);
}

static void test_ols_classical_hc1_hc3(void **state)
{
    (void)state;
    const char *f = "y ~ age + income + region + education + age:region";
    model_case mc = {"regress_ols", "regress.csv", f, {.levels = &education, .nlevels = 1}, NULL,
                     false, 0};
    check_model(&mc);
    mc.opt.robust = BRISK_ROBUST_HC1;
    mc.se_column = "se_hc1";
    check_model(&mc);
    mc.opt.robust = BRISK_ROBUST_HC3;
    mc.se_column = "se_hc3";
    check_model(&mc);
}

static void test_ols_frequency_weights(void **state)
{
    (void)state;
    model_case mc = {"regress_ols_freq", "regress.csv", "y ~ age + income + region",
                     {.weight = "fw", .weight_type = BRISK_WEIGHT_FREQUENCY}, NULL, true, 0};
    check_model(&mc);
}

static void test_logit(void **state)
{
    (void)state;
    model_case mc = {"regress_logit", "regress.csv", "approve01 ~ age + income + region",
                     {.family = BRISK_FAMILY_LOGIT}, NULL, false, 0};
    check_model(&mc);
}

static void test_sampling_weights(void **state)
{
    (void)state;
    model_case ols = {"regress_svyglm", "regress.csv", "y ~ age + income + region",
                      {.weight = "w"}, NULL, false, 0};
    check_model(&ols);
    model_case logit = {"regress_svyglm_logit", "regress.csv", "approve01 ~ age + income + region",
                        {.family = BRISK_FAMILY_LOGIT, .weight = "w"}, NULL, false, 0};
    check_model(&logit);
    model_case olr = {"regress_svyolr", "regress.csv", "approval ~ age + income + region",
                      {.family = BRISK_FAMILY_ORDINAL, .weight = "w"}, NULL, false,
                      1e-4};   /* svyolr optimizes as polr does (1.7e-6 short) and
                                  differentiates its Hessian numerically (SEs 7e-5 off) */
    check_model(&olr);
}

/* ------------------------------------------------------------ a survey's behaviours */

/* What the tables call a Rongcheng behaviour: its label. */
static const char *rongcheng_label(const char *key)
{
    static const char *const pairs[][2] = {{"crime", "Criminal records"},
        {"fees", "Payment of fees"}, {"internet", "Internet use"},
        {"litter", "Littering of garbage"}};
    for (size_t k = 0; k < 4; k++)
        if (strcmp(pairs[k][0], key) == 0)
            return pairs[k][1];
    return key;
}

/* The rows of R's model name (key: the rows of that behaviour, NULL: all)
 * in the tables of list, and its fit measures in the column key (or
 * "value"), to tol (relative to the SE for estimates). */
static void check_survey_model(const brisk_table_list *list, const char *name, const char *key,
                               double tol)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s.coef.csv", REF, name);
    brisk_dataset *ref = read_csv(path);
    const brisk_table *coef = table(list, "regress.coefficients");
    size_t bcol = brisk_table_find_column(coef, "behaviour");
    assert_true((bcol != (size_t)-1) == (key != NULL));
    size_t i = 0, tcol = brisk_table_find_column(coef, "term");
    for (size_t row = 0; row < coef->nrows; row++) {
        if (key && strcmp(brisk_table_cell(coef, row, bcol)->text, rongcheng_label(key)) != 0)
            continue;
        assert_true(i < ref->nrows);
        char what[300];
        const char *term = ref_text(ref, "term", i);
        snprintf(what, sizeof what, "%s %s", name, term);
        assert_string_equal(brisk_table_cell(coef, row, tcol)->text, term);
        double se = num_cell(ref, "se", i);
        near(cell(coef, row, "est"), num_cell(ref, "est", i), tol * fmax(1, fabs(se)), what);
        near(cell(coef, row, "se"), se, tol * fmax(1, se), what);
        near(cell(coef, row, "stat"), num_cell(ref, "stat", i), 1e-3, what);
        near(cell(coef, row, "pvalue"), num_cell(ref, "p", i), 1e-4, what);
        i++;
    }
    assert_int_equal(i, ref->nrows);
    const brisk_table *fit = table(list, "regress.fit");
    size_t vcol = brisk_table_find_column(fit, key ? key : "value");
    assert_true(vcol != (size_t)-1);
    snprintf(path, sizeof path, "%s%s.fit.csv", REF, name);
    brisk_dataset *rfit = read_csv(path);
    static const char *const labels[][2] = {
        {"n", "Observations used"}, {"n_dropped", "Left out (missing values)"},
        {"df_resid", "Residual df"}, {"clusters", "Clusters (PSUs)"}};
    size_t checked = 0;
    for (size_t k = 0; k < rfit->nrows; k++) {
        const char *m = ref_text(rfit, "measure", k);
        if (key && strcmp(m, "clusters") == 0)
            continue;   /* a behaviour's respondents are not clustered */
        for (size_t l = 0; l < 4; l++)
            for (size_t r = 0; strcmp(labels[l][0], m) == 0 && r < fit->nrows; r++)
                if (strcmp(brisk_table_cell(fit, r, 0)->text, labels[l][1]) == 0) {
                    near(brisk_table_cell(fit, r, vcol)->num, num_cell(rfit, "value", k), 0, m);
                    checked++;
                }
    }
    assert_int_equal(checked, rfit->nrows - (key ? 1 : 0));
    brisk_dataset_free(rfit);
    brisk_dataset_free(ref);
}

static brisk_table_list *regress_survey(const brisk_survey_data *d, const char *formula,
                                        const brisk_regress_options *opt)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_regress_survey(d, formula, opt, list, &err) != BRISK_OK)
        fail_msg("%s: %s", formula, err.message);
    return list;
}

#define RONGCHENG TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey"

static const char *const long_layout[][2] = {
    {"layout   = wide", "layout = long\nbehaviour = behaviour"}};

/* {b} in the formula: one model per behaviour, as svyglm and svyolr fit
 * each behaviour's respondents with the survey's weight, in the wide and
 * the long layout alike (the long layout's terms shown by wide names). */
static void test_model_per_behaviour(void **state)
{
    (void)state;
    for (int layout = 0; layout < 2; layout++) {
        brisk_survey *s;
        brisk_survey_data *d = layout ? survey_with_data(RONGCHENG, long_layout, 1,
                                                         rongcheng_long(), &s)
                                      : survey_with_data(RONGCHENG, NULL, 0,
                                                         read_csv(TEST_SRCDIR
                                                                  "/surveys/rongcheng/rongcheng.csv"),
                                                         &s);
        brisk_regress_options ols = {.weight = "weight"};
        brisk_table_list *list = regress_survey(d, "acc1_{b} ~ age + gender + tg1 + pb1_{b}", &ols);
        brisk_regress_options olr = {.family = BRISK_FAMILY_ORDINAL, .weight = "weight"};
        brisk_table_list *ordinal = regress_survey(d, "acc1_{b} ~ age + pb1_{b} + pr3_{b}", &olr);
        for (size_t b = 0; b < 4; b++) {
            char name[64];
            snprintf(name, sizeof name, "rc_b_ols_%s", rongcheng_key(b));
            check_survey_model(list, name, rongcheng_key(b), 1e-6);
            snprintf(name, sizeof name, "rc_b_olr_%s", rongcheng_key(b));
            check_survey_model(ordinal, name, rongcheng_key(b), 1e-4);   /* svyolr's optimizer */
        }
        /* functions of a behaviour's items (make_formula.R): scale() over the
         * behaviour's respondents, the long layout's terms by wide names */
        brisk_table_list *fn = regress_survey(d, "acc1_{b} ~ scale(age) + log(pb1_{b}) + "
                                                 "I(tg1^2) + scale(`pb2_{b}`):gender", &ols);
        for (size_t b = 0; b < 4; b++) {
            char name[64];
            snprintf(name, sizeof name, "rc_b_fn_%s", rongcheng_key(b));
            check_survey_model(fn, name, rongcheng_key(b), 1e-6);
        }
        brisk_table_list_free(fn);
        /* pr3 is reverse-keyed: the note says so */
        const brisk_table *t = table(ordinal, "regress.coefficients");
        bool said = false;
        for (size_t k = 0; k < t->nnotes; k++)
            said |= strstr(t->notes[k], "Reverse-keyed (the survey's [reverse]): pr3_{b}.") != NULL;
        assert_true(said);
        assert_null(strstr(table(list, "regress.coefficients")->notes[0], "Reverse"));
        brisk_table_list_free(list);
        brisk_table_list_free(ordinal);
        brisk_survey_data_free(d);
        brisk_survey_free(s);
    }
}

/* Without {b}, a long survey's model pools every behaviour's rows with
 * standard errors clustered by respondent (svydesign(ids = ~id)). */
static void test_pooled_long_clustered(void **state)
{
    (void)state;
    brisk_survey *s;
    brisk_survey_data *d = survey_with_data(RONGCHENG, long_layout, 1, rongcheng_long(), &s);
    const char *formula = "acc1 ~ age + gender + behaviour + pb1";
    brisk_regress_options ols = {.weight = "weight"}, unweighted = {0};
    brisk_regress_options logit = {.family = BRISK_FAMILY_LOGIT, .weight = "weight"};
    brisk_regress_options olr = {.family = BRISK_FAMILY_ORDINAL, .weight = "weight"};
    brisk_table_list *list = regress_survey(d, formula, &ols);
    check_survey_model(list, "rc_pooled_ols", NULL, 1e-6);
    const brisk_table *t = table(list, "regress.coefficients");
    assert_non_null(strstr(t->notes[1], "clustered by 'id' (600 respondents)"));
    assert_non_null(strstr(t->notes[1], "593 degrees of freedom"));
    brisk_table_list_free(list);
    list = regress_survey(d, formula, &unweighted);
    check_survey_model(list, "rc_pooled_ols_unweighted", NULL, 1e-6);
    brisk_table_list_free(list);
    list = regress_survey(d, "acc1 ~ age + gender + behaviour", &logit);   /* agree = 4..5 */
    check_survey_model(list, "rc_pooled_logit", NULL, 1e-6);
    assert_non_null(strstr(table(list, "regress.coefficients")->notes[0], "acc1 = 4..5"));
    brisk_table_list_free(list);
    list = regress_survey(d, formula, &olr);
    check_survey_model(list, "rc_pooled_olr", NULL, 1e-4);
    brisk_table_list_free(list);
    /* {b} needs behaviours; clustering refuses frequency weights and HC */
    brisk_table_list *none = brisk_table_list_new();
    brisk_error err;
    brisk_regress_options freq = {.weight = "weight", .weight_type = BRISK_WEIGHT_FREQUENCY};
    assert_int_equal(brisk_regress_survey(d, formula, &freq, none, &err), BRISK_ERR_ARGUMENT);
    assert_non_null(strstr(err.message, "frequency weights and standard errors clustered by 'id'"));
    brisk_regress_options hc1 = {.robust = BRISK_ROBUST_HC1};
    assert_int_equal(brisk_regress_survey(d, formula, &hc1, none, &err), BRISK_ERR_ARGUMENT);
    assert_int_equal(none->count, 0);
    brisk_table_list_free(none);
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* An ordered regression of a reverse-keyed item labels its thresholds by
 * what was fitted: code x carries the label code 1 + 5 - x had. */
static void test_reversed_item_labels(void **state)
{
    (void)state;
    static const char *const labels[] = {"Strongly disagree", "Disagree", "Neither", "Agree",
                                         "Strongly agree"};
    size_t n = 60;
    brisk_dataset *ds = brisk_dataset_new(n);
    size_t id, q, x;
    assert_int_equal(brisk_dataset_add_column(ds, "id", BRISK_NUMERIC, &id, NULL), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "q", BRISK_NUMERIC, &q, NULL), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "x", BRISK_NUMERIC, &x, NULL), BRISK_OK);
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(brisk_column_add_label(&ds->cols[q], (double)k + 1, NULL, labels[k]),
                         BRISK_OK);
    assert_int_equal(brisk_column_add_label(&ds->cols[q], -9, NULL, "Refused"), BRISK_OK);
    for (size_t i = 0; i < n; i++) {
        brisk_column_set_number(&ds->cols[id], i, 1000 + (double)i);
        brisk_column_set_number(&ds->cols[x], i, (double)(i % 7) * 0.5 + (double)(i % 3));
        brisk_column_set_number(&ds->cols[q], i, i == 7 ? -9 : (double)(1 + (i * 7 + i / 5) % 5));
    }
    brisk_survey *s;
    brisk_survey_data *d = NULL;
    brisk_error err;
    static const char text[] = "[survey]\ndata = q.csv\nid = id\nscale = 1..5\nmissing = -9\n"
                               "[items]\nq = The system is harmless\n[reverse]\nq\n";
    assert_int_equal(brisk_survey_parse(text, strlen(text), "q.survey", &s, &err), BRISK_OK);
    assert_int_equal(brisk_survey_prepare(s, ds, &d, &err), BRISK_OK);
    const brisk_column *c = brisk_dataset_find(d->ds, "q");
    assert_string_equal(brisk_column_label_of(c, 1), "Strongly agree");
    assert_string_equal(brisk_column_label_of(c, 2), "Agree");
    assert_string_equal(brisk_column_label_of(c, 5), "Strongly disagree");
    assert_string_equal(brisk_column_label_of(c, -9), "Refused");
    brisk_regress_options olr = {.family = BRISK_FAMILY_ORDINAL};
    brisk_table_list *list = regress_survey(d, "q ~ x", &olr);
    const brisk_table *t = table(list, "regress.coefficients");
    assert_string_equal(brisk_table_cell(t, 0, 0)->text, "Strongly agree|Agree");
    assert_string_equal(brisk_table_cell(t, 3, 0)->text, "Disagree|Strongly disagree");
    bool said = false;
    for (size_t k = 0; k < t->nnotes; k++)
        said |= strstr(t->notes[k], "Reverse-keyed (the survey's [reverse]): q. Fitted on the "
                                    "recoded answers, 1 + 5 - x") != NULL;
    assert_true(said);
    brisk_table_list_free(list);
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* A small data set: y (numeric), a binary b, x (numeric), c a constant,
 * g text with levels a/b, x2 = 2x, t text outcome; n rows. */
static brisk_dataset *small_data(size_t n)
{
    brisk_dataset *ds = brisk_dataset_new(n);
    const char *names[] = {"y", "b", "x", "c", "x2"};
    size_t at;
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(brisk_dataset_add_column(ds, names[k], BRISK_NUMERIC, &at, NULL), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "g", BRISK_STRING, &at, NULL), BRISK_OK);
    assert_int_equal(brisk_dataset_add_column(ds, "t", BRISK_STRING, &at, NULL), BRISK_OK);
    for (size_t i = 0; i < n; i++) {
        double x = (double)(i % 7) - 3 + 0.1 * (double)(i % 3);
        brisk_column_set_number(&ds->cols[0], i, x + (double)(i % 5));
        brisk_column_set_number(&ds->cols[1], i, x > 0);   /* separated by x */
        brisk_column_set_number(&ds->cols[2], i, x);
        brisk_column_set_number(&ds->cols[3], i, 3);
        brisk_column_set_number(&ds->cols[4], i, 2 * x);
        assert_int_equal(brisk_column_set_string(&ds->cols[5], i, i % 2 ? "a" : "b"), BRISK_OK);
        assert_int_equal(brisk_column_set_string(&ds->cols[6], i, i % 3 ? "low" : "high"), BRISK_OK);
    }
    return ds;
}

static void expect_error(const brisk_dataset *ds, const char *formula,
                         const brisk_regress_options *opt, brisk_status want, const char *text)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_error_clear(&err);
    brisk_status got = brisk_regress(ds, formula, opt, list, &err);
    if (got != want || !strstr(err.message, text))
        fail_msg("%s: status %d (want %d), message '%s' (want '%s')", formula, got, want,
                 err.message, text);
    assert_int_equal(list->count, 0);
    brisk_table_list_free(list);
}

/* Functions and quoted names in formulas (tests/reference/regress/
 * make_formula.R): I() with powers and arithmetic, log(), log10(), sqrt(),
 * exp(), scale() over the rows where its argument is present, backticked
 * and Chinese column names, against lm, glm, ordinal::clm and svyglm. */
static void test_formula_functions(void **state)
{
    (void)state;
    model_case ols = {"formula_ols", "formula.csv",
                      "满意度 ~ 年龄 + I(年龄^2) + log(income) + scale(`Trust 1`) * 城市 + "
                      "I(income/1000)", {0}, NULL, false, 0};
    check_model(&ols);
    model_case ols_log = {"formula_ols_log", "formula.csv",
                          "log(income) ~ 年龄 + I(年龄^2) + sqrt(`Trust 1`) + 城市", {0}, NULL,
                          false, 0};
    check_model(&ols_log);
    model_case nested = {"formula_nested", "formula.csv",
                         "满意度 ~ scale(`Trust 1`):城市 + 年龄 + 城市", {0}, NULL, false, 0};
    check_model(&nested);
    model_case logit = {"formula_logit", "formula.csv",
                        "approve01 ~ log10(income) + sqrt(年龄) + exp(`Trust 1`/5) + `城市`",
                        {.family = BRISK_FAMILY_LOGIT}, NULL, false, 0};
    check_model(&logit);
    model_case clm = {"formula_clm", "formula.csv",
                      "approval ~ scale(年龄) + I(-income / 1000 + 2) + `Trust 1`",
                      {.family = BRISK_FAMILY_ORDINAL}, NULL, false, 0};
    check_model(&clm);
    model_case svy = {"formula_svyglm", "formula.csv", "满意度 ~ scale(年龄) + log(income) + 城市",
                      {.weight = "w"}, NULL, false, 0};
    check_model(&svy);
}

static void expect_terms(const brisk_dataset *ds, const char *formula, const char *const *want,
                         size_t n)
{
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_regress_options ols = {0};
    if (brisk_regress(ds, formula, &ols, list, &err) != BRISK_OK)
        fail_msg("%s: %s", formula, err.message);
    const brisk_table *t = table(list, "regress.coefficients");
    assert_int_equal(t->nrows, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(brisk_table_cell(t, i, 0)->text, want[i]);
    brisk_table_list_free(list);
}

/* Expressions are named as R deparses them, numbers as R prints them; a
 * category in an interaction whose other part is not a term of its own is
 * coded by all its levels, as R's model.matrix codes it. */
static void test_formula_names(void **state)
{
    (void)state;
    brisk_dataset *ds = small_data(60);
    const char *deparsed[] = {"(Intercept)", "I(x * 2 + 1e+05)", "I((x - 1e-04)^3)",
                              "I(x^2/-123456)", "I(2^-x)"};
    expect_terms(ds, "y ~ I(x*2+1e5) + I( (x - 0.0001)^3 ) + I(x^2/-123456) + I(2^-x)", deparsed,
                 5);
    const char *slopes[] = {"(Intercept)", "exp(x/4):g=a", "exp(x/4):g=b"};
    expect_terms(ds, "y ~ exp(x / 4):g", slopes, 3);
    const char *nested[] = {"(Intercept)", "g=b", "x:g=a", "x:g=b"};
    expect_terms(ds, "y ~ g + x:g", nested, 4);
    const char *crossed[] = {"(Intercept)", "x", "g=b", "x:g=b"};
    expect_terms(ds, "y ~ x*g", crossed, 4);
    brisk_dataset_free(ds);
}

/* Bad models stop with a message naming the term or variable. */
static void test_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = small_data(40);
    brisk_regress_options ols = {0}, logit = {.family = BRISK_FAMILY_LOGIT};
    brisk_regress_options ordinal = {.family = BRISK_FAMILY_ORDINAL};
    expect_error(ds, "y ~ x + c", &ols, BRISK_ERR_MODEL, "constant predictor: 'c'");
    expect_error(ds, "y ~ x + x2", &ols, BRISK_ERR_MODEL, "collinear predictors: 'x2'");
    expect_error(ds, "b ~ x", &logit, BRISK_ERR_MODEL, "perfect separation: 'x'");
    expect_error(ds, "t ~ x", &ordinal, BRISK_ERR_DATA, "--levels t=");
    expect_error(ds, "y ~ x + nope", &ols, BRISK_ERR_COLUMN, "'nope' in the formula");
    expect_error(ds, "y x", &ols, BRISK_ERR_FORMAT, "no '~'");
    expect_error(ds, "y ~ x +", &ols, BRISK_ERR_FORMAT, "expected a variable name");
    expect_error(ds, "y ~ x + y", &ols, BRISK_ERR_FORMAT, "also a predictor");
    expect_error(ds, "y ~ foo(x)", &ols, BRISK_ERR_FORMAT, "column 5: unknown function 'foo' "
                 "in the formula; brisk knows I(), log(), log10(), sqrt(), exp(), scale()");
    expect_error(ds, "y ~ I((x + 1)", &ols, BRISK_ERR_FORMAT, "column 6: the '(' opened here");
    expect_error(ds, "y ~ x) + 1", &ols, BRISK_ERR_FORMAT, "column 6: ')' without an opening");
    expect_error(ds, "y ~ `x + 1", &ols, BRISK_ERR_FORMAT, "column 5: the backtick opened");
    expect_error(ds, "y ~ I(g^2)", &ols, BRISK_ERR_FORMAT, "column 7: 'g' holds text");
    expect_error(ds, "y ~ x^2", &ols, BRISK_ERR_FORMAT, "column 6: a power is written inside I()");
    expect_error(ds, "y ~ log(x)", &ols, BRISK_ERR_VALUE, "log(x) in data row 1: x is -3, and a "
                 "logarithm needs a value above 0");
    expect_error(ds, "y ~ log10(x + 3)", &ols, BRISK_ERR_VALUE, "x + 3 is 0");
    expect_error(ds, "y ~ sqrt(x)", &ols, BRISK_ERR_VALUE, "sqrt(x) in data row 1");
    expect_error(ds, "y ~ I(1/(x + 3))", &ols, BRISK_ERR_VALUE, "division by 0");
    expect_error(ds, "y ~ exp(1000 * x2)", &ols, BRISK_ERR_VALUE, "is not a finite number in "
                 "data row 5");
    expect_error(ds, "y ~ scale(c)", &ols, BRISK_ERR_MODEL, "scale(c): c takes one value");
    expect_error(ds, "y ~ log(x, 2)", &ols, BRISK_ERR_FORMAT, "log() takes one argument");
    expect_error(ds, "y ~ (x + x2):g", &ols, BRISK_ERR_FORMAT, "parentheses group terms only");
    expect_error(ds, "y ~ log(nope)", &ols, BRISK_ERR_COLUMN, "'nope' in the formula");
    expect_error(ds, "log(b) ~ x", &logit, BRISK_ERR_FORMAT, "column 1: a function of the "
                 "outcome goes with --family ols");
    expect_error(ds, " ~ x", &ols, BRISK_ERR_FORMAT, "column 2: no outcome before '~'");
    expect_error(ds, "y + x ~ x2", &ols, BRISK_ERR_FORMAT, "the outcome must be a single column");
    expect_error(ds, "y ~ x", &logit, BRISK_ERR_DATA, "a logit needs two");
    const char *const three[] = {"a", "b", "c"};
    brisk_levels g = {"g", three, 3};
    brisk_regress_options with_levels = {.levels = &g, .nlevels = 1};
    expect_error(ds, "y ~ x + g", &with_levels, BRISK_ERR_MODEL, "empty category: level 'c'");
    const char *const one[] = {"a"};
    brisk_levels g1 = {"g", one, 1};
    with_levels.levels = &g1;
    expect_error(ds, "y ~ x + g", &with_levels, BRISK_ERR_DATA, "'b' of column 'g' is not among");
    brisk_dataset_free(ds);
    ds = small_data(3);
    expect_error(ds, "y ~ x + g + x:g", &ols, BRISK_ERR_MODEL, "fewer cases than parameters");
    brisk_dataset_free(ds);
}

/* a*b expands to a + b + a:b; categorical levels name their dummies; a
 * text outcome's levels come from --levels. */
static void test_formula_terms(void **state)
{
    (void)state;
    brisk_dataset *ds = small_data(60);
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_regress_options ols = {0};
    assert_int_equal(brisk_regress(ds, "y ~ x*g", &ols, list, &err), BRISK_OK);
    const brisk_table *t = table(list, "regress.coefficients");
    const char *want[] = {"(Intercept)", "x", "g=b", "x:g=b"};
    assert_int_equal(t->nrows, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(brisk_table_cell(t, i, 0)->text, want[i]);
    brisk_table_list_free(list);
    list = brisk_table_list_new();
    const char *const order[] = {"low", "high"};
    brisk_levels tl = {"t", order, 2};
    brisk_regress_options ordinal = {.family = BRISK_FAMILY_ORDINAL, .levels = &tl, .nlevels = 1};
    assert_int_equal(brisk_regress(ds, "t ~ y + g", &ordinal, list, &err), BRISK_OK);
    assert_string_equal(brisk_table_cell(table(list, "regress.coefficients"), 0, 0)->text,
                        "low|high");
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

/* A logit of "the answer is in 4..5" is the logit of a 0/1 column made so. */
static void test_event_range(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "regress.csv");
    size_t at;
    assert_int_equal(brisk_dataset_add_column(ds, "agree01", BRISK_NUMERIC, &at, NULL), BRISK_OK);
    const brisk_column *approval = brisk_dataset_find(ds, "approval");
    for (size_t i = 0; i < ds->nrows; i++)
        brisk_column_set_number(&ds->cols[at], i, isnan(approval->num[i]) ? NAN
                                                   : approval->num[i] >= 4);
    brisk_table_list *a = brisk_table_list_new(), *b = brisk_table_list_new();
    brisk_error err;
    brisk_regress_options range = {.family = BRISK_FAMILY_LOGIT, .has_event = true,
                                   .event_min = 4, .event_max = 5};
    brisk_regress_options plain = {.family = BRISK_FAMILY_LOGIT};
    assert_int_equal(brisk_regress(ds, "approval ~ age + region", &range, a, &err), BRISK_OK);
    assert_int_equal(brisk_regress(ds, "agree01 ~ age + region", &plain, b, &err), BRISK_OK);
    const brisk_table *ta = table(a, "regress.coefficients"), *tb = table(b, "regress.coefficients");
    assert_int_equal(ta->nrows, tb->nrows);
    for (size_t r = 0; r < ta->nrows; r++) {
        near(cell(ta, r, "est"), cell(tb, r, "est"), 1e-12, "estimate");
        near(cell(ta, r, "se"), cell(tb, r, "se"), 1e-12, "SE");
    }
    assert_non_null(strstr(ta->notes[0], "approval = 4..5"));
    brisk_table_list_free(a);
    brisk_table_list_free(b);
    brisk_dataset_free(ds);
}

/* ------------------------------------------------- sampling designs (api) */

/* The designs of tests/reference/design/make.R on the survey package's api
 * data: one stage, strata, clusters, finite population corrections. */
typedef struct api_design {
    const char *name, *file, *strata, *cluster, *fpc;
} api_design;

static const api_design api_designs[] = {
    {"strat", "apistrat.csv", "stype", NULL, "fpc"},
    {"strat_nofpc", "apistrat.csv", "stype", NULL, NULL},
    {"clus1", "apiclus1.csv", NULL, "dnum", "fpc"},
    {"clus1_nofpc", "apiclus1.csv", NULL, "dnum", NULL},
    {"clus2_first", "apiclus2.csv", NULL, "dnum", NULL},
    {"strat_clus", "apistrat.csv", "stype", "dnum", NULL},
};

static const api_design *api_design_named(const char *name)
{
    for (size_t k = 0; k < sizeof api_designs / sizeof api_designs[0]; k++)
        if (strcmp(api_designs[k].name, name) == 0)
            return &api_designs[k];
    fail_msg("no design %s", name);
    return NULL;
}

/* Every row of the reference file of one model of one design: estimate
 * and SE (and, for svyglm, the residual df) to tol relative. */
static void check_api_model(const char *reffile, const char *design_name, const char *model,
                            brisk_family family, const char *formula, double tol)
{
    const api_design *ad = api_design_named(design_name);
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/api/%s", TEST_SRCDIR, ad->file);
    brisk_dataset *ds = read_csv(path);
    snprintf(path, sizeof path, "%s/tests/reference/design/%s", TEST_SRCDIR, reffile);
    brisk_dataset *ref = read_csv(path);
    brisk_regress_options opt = {.family = family, .weight = "pw", .strata = ad->strata,
                                 .cluster = ad->cluster, .fpc = ad->fpc};
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_regress(ds, formula, &opt, list, &err) != BRISK_OK)
        fail_msg("%s %s: %s", design_name, model, err.message);
    const brisk_table *coef = table(list, "regress.coefficients");
    size_t checked = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(ref_text(ref, "design", i), design_name) != 0 ||
            (model && strcmp(ref_text(ref, "model", i), model) != 0))
            continue;
        const char *term = ref_text(ref, "term", i);
        size_t row = 0;
        while (row < coef->nrows && strcmp(brisk_table_cell(coef, row, 0)->text, term) != 0)
            row++;
        if (row == coef->nrows)
            fail_msg("%s %s: no term %s", design_name, model, term);
        char what[160];
        double est = num_cell(ref, "estimate", i), se = num_cell(ref, "se", i);
        snprintf(what, sizeof what, "%s %s %s estimate", design_name, model ? model : "", term);
        near(cell(coef, row, "est"), est, tol * fmax(1, fabs(est)), what);
        snprintf(what, sizeof what, "%s %s %s SE", design_name, model ? model : "", term);
        near(cell(coef, row, "se"), se, tol * fmax(1e-3, se), what);
        if (brisk_dataset_find(ref, "df_resid"))
            near(fit_value(table(list, "regress.fit"), "Residual df"),
                 num_cell(ref, "df_resid", i), 0, "df");
        checked++;
    }
    assert_true(checked >= 3);
    brisk_table_list_free(list);
    brisk_dataset_free(ref);
    brisk_dataset_free(ds);
}

/* svyglm (linear and quasibinomial) and svyolr with strata, clusters and
 * finite population corrections, against R's survey package. */
static void test_sampling_designs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof api_designs / sizeof api_designs[0]; k++) {
        check_api_model("glm.csv", api_designs[k].name, "linear", BRISK_FAMILY_OLS,
                        "api00 ~ ell + meals + mobility", 1e-7);
        check_api_model("glm.csv", api_designs[k].name, "logit", BRISK_FAMILY_LOGIT,
                        "wide ~ ell + meals", 1e-5);   /* glm's IRLS stops at 1e-8 deviance */
    }
    /* svyolr's SEs come from optim's numerical Hessian: thresholds' SEs agree
     * to 2e-4 relative (1.2e-4 absolute), estimates to 1e-6 */
    static const char *const olr[] = {"strat", "clus1", "clus1_nofpc"};
    for (size_t k = 0; k < 3; k++)
        check_api_model("olr.csv", olr[k], NULL, BRISK_FAMILY_ORDINAL, "band ~ ell + meals",
                        5e-4);
}

/* A design R's survey package cannot estimate a variance from is refused,
 * naming the variable: one PSU in a stratum, a missing stratum, an fpc that
 * varies within a stratum or is smaller than the sample. */
static void test_design_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(TEST_SRCDIR "/tests/data/api/apistrat.csv");
    brisk_column *stype = brisk_dataset_find(ds, "stype");
    brisk_column *fpc = brisk_dataset_find(ds, "fpc");
    brisk_regress_options opt = {.weight = "pw", .strata = "stype", .cluster = "dnum"};
    brisk_table_list *list = brisk_table_list_new();
    brisk_error err;
    /* stratum H down to one district */
    brisk_column *dnum = brisk_dataset_find(ds, "dnum");
    size_t first_h = (size_t)-1;
    for (size_t r = 0; r < ds->nrows; r++)
        if (strcmp(stype->str[r], "H") == 0) {
            first_h = first_h == (size_t)-1 ? r : first_h;
            dnum->num[r] = 9999;
        }
    assert_true(first_h != (size_t)-1);
    brisk_error_clear(&err);
    assert_int_equal(brisk_regress(ds, "api00 ~ ell", &opt, list, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "stratum 'H' of 'stype' has one primary sampling unit"));
    assert_string_equal(err.variable, "stype");
    /* a missing stratum */
    opt.cluster = NULL;
    stype->miss[first_h] = BRISK_MISS_SYSTEM;
    brisk_error_clear(&err);
    assert_int_equal(brisk_regress(ds, "api00 ~ ell", &opt, list, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "strata 'stype' is missing in data row"));
    stype->miss[first_h] = BRISK_MISS_NONE;
    /* an fpc that differs within its stratum, then one below the sample */
    opt.fpc = "fpc";
    double was = fpc->num[first_h];
    fpc->num[first_h] = was + 1;
    brisk_error_clear(&err);
    assert_int_equal(brisk_regress(ds, "api00 ~ ell", &opt, list, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "differs within stratum 'H' of 'stype'"));
    assert_string_equal(err.variable, "fpc");
    for (size_t r = 0; r < ds->nrows; r++)
        if (strcmp(stype->str[r], "H") == 0)
            fpc->num[r] = 3;
    brisk_error_clear(&err);
    assert_int_equal(brisk_regress(ds, "api00 ~ ell", &opt, list, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "fewer than were sampled"));
    /* an absent design column */
    opt.fpc = "nofpc";
    brisk_error_clear(&err);
    assert_int_equal(brisk_regress(ds, "api00 ~ ell", &opt, list, &err), BRISK_ERR_COLUMN);
    assert_string_equal(err.variable, "nofpc");
    brisk_table_list_free(list);
    brisk_dataset_free(ds);
}

/* svyglm on a raked (converged) and on a post-stratified design: the
 * survey's [margins] bring the calibration to the sandwich (the scores'
 * residuals on the margins), against tests/reference/design. */
static void test_calibrated_designs(void **state)
{
    (void)state;
    brisk_dataset *ref = read_csv(TEST_SRCDIR "/tests/reference/design/calibrated_glm.csv");
    static const char *const cases[][2] = {{"raked", "apistrat_raked"},
                                           {"poststrat", "apistrat_poststrat"}};
    for (size_t c = 0; c < 2; c++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/api/%s.survey", TEST_SRCDIR, cases[c][1]);
        brisk_survey *s = NULL;
        brisk_error err;
        assert_int_equal(brisk_survey_load(path, &s, &err), BRISK_OK);
        brisk_survey_data *d = NULL;
        assert_int_equal(brisk_survey_read_data(s, &d, &err), BRISK_OK);
        brisk_regress_options opt = {.weight = s->weight, .strata = s->strata};
        brisk_table_list *list = regress_survey(d, "api00 ~ ell + meals + mobility", &opt);
        const brisk_table *coef = table(list, "regress.coefficients");
        size_t checked = 0;
        for (size_t i = 0; i < ref->nrows; i++) {
            if (strcmp(ref_text(ref, "design", i), cases[c][0]) != 0)
                continue;
            const char *term = ref_text(ref, "term", i);
            size_t row = 0;
            while (row < coef->nrows && strcmp(brisk_table_cell(coef, row, 0)->text, term))
                row++;
            assert_true(row < coef->nrows);
            near(cell(coef, row, "est"), num_cell(ref, "estimate", i), 1e-7, term);
            near(cell(coef, row, "se"), num_cell(ref, "se", i), 1e-7, term);
            near(fit_value(table(list, "regress.fit"), "Residual df"),
                 num_cell(ref, "df_resid", i), 0, "df");
            checked++;
        }
        assert_int_equal(checked, 4);
        brisk_table_list_free(list);
        brisk_survey_data_free(d);
        brisk_survey_free(s);
    }
    brisk_dataset_free(ref);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clm_wine),
        cmocka_unit_test(test_polr_frequency_weights),
        cmocka_unit_test(test_clm_own_data),
        cmocka_unit_test(test_ols_classical_hc1_hc3),
        cmocka_unit_test(test_ols_frequency_weights),
        cmocka_unit_test(test_logit),
        cmocka_unit_test(test_sampling_weights),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_formula_terms),
        cmocka_unit_test(test_formula_functions),
        cmocka_unit_test(test_formula_names),
        cmocka_unit_test(test_event_range),
        cmocka_unit_test(test_model_per_behaviour),
        cmocka_unit_test(test_pooled_long_clustered),
        cmocka_unit_test(test_reversed_item_labels),
        cmocka_unit_test(test_sampling_designs),
        cmocka_unit_test(test_design_errors),
        cmocka_unit_test(test_calibrated_designs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
