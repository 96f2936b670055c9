/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk reliability against psych 2.2.9 and semTools 0.5-6
 * (tests/reference/reliability/): Holzinger-Swineford, psych's bfi survey
 * (missing answers, reverse-keyed items) and the bundled Rongcheng survey
 * per behaviour. */
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

#define REF TEST_SRCDIR "/tests/reference/reliability/"
#define DATA TEST_SRCDIR "/tests/data/"

/* Alpha and its companions are closed-form: to 1e-9.  The CFA measures
 * depend on the estimates, converged to a gradient of 1e-9 here as in
 * lavaan: to 1e-5. */
#define EXACT 1e-9
#define CFA 1e-5

static const char *text_at(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    return c->type == BRISK_STRING && !brisk_is_missing(c, i) ? c->str[i] : "";
}

static double num_at(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    assert_non_null(c);
    return c->num[i];
}

/* The row whose text cells in columns keys[0..n) are want[0..n). */
static size_t find_row(const brisk_table *t, const char *const *keys, const char *const *want,
                       size_t n)
{
    for (size_t r = 0; r < t->nrows; r++) {
        bool same = true;
        for (size_t k = 0; k < n && same; k++) {
            size_t c = brisk_table_find_column(t, keys[k]);
            same = c != (size_t)-1 && strcmp(brisk_table_cell(t, r, c)->text, want[k]) == 0;
        }
        if (same)
            return r;
    }
    fail_msg("%s: no row %s %s %s", t->id, want[0], n > 1 ? want[1] : "", n > 2 ? want[2] : "");
    return 0;
}

static double cell(const brisk_table *t, size_t row, const char *key)
{
    size_t c = brisk_table_find_column(t, key);
    if (c == (size_t)-1)
        fail_msg("%s has no column %s", t->id, key);
    return brisk_table_cell(t, row, c)->num;
}

static void near(double got, double want, double tol, const char *what, const char *where)
{
    if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol * fmax(1, fabs(want))))
        fail_msg("%s %s: brisk %.10g, R %.10g", where, what, got, want);
}

/* Tables of one data set, as the reference names it ("hs", "bfi",
 * "rongcheng"), with the original HTMT too. */
typedef struct result {
    brisk_table_list *list, *original;
    bool by_behaviour;
    bool long_names;        /* items named as the long layout names them (pb1, not pb1_crime) */
} result;

/* "pb1_crime" -> "pb1" when the long layout names it so, else name. */
static const char *item_name(const result *r, const char *name)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s", name);
    for (size_t b = 0; r->long_names && b < 4; b++) {
        size_t n = strlen(buf), m = strlen(rongcheng_key(b));
        if (n > m + 1 && buf[n - m - 1] == '_' && strcmp(buf + n - m, rongcheng_key(b)) == 0)
            buf[n - m - 1] = '\0';
    }
    return buf;
}

static void run_survey(const char *path, result *r)
{
    brisk_survey *s = NULL;
    brisk_survey_data *d = NULL;
    brisk_error err;
    if (brisk_survey_load(path, &s, &err) || brisk_survey_read_data(s, &d, &err))
        fail_msg("%s: %s", path, err.message);
    r->list = brisk_table_list_new();
    r->original = brisk_table_list_new();
    brisk_reliability_options geo = {0}, arith = {.htmt_arithmetic = true};
    if (brisk_reliability_survey(s, d, NULL, 0, &geo, r->list, &err) ||
        brisk_reliability_survey(s, d, NULL, 0, &arith, r->original, &err))
        fail_msg("%s: %s", path, err.message);
    r->by_behaviour = s->nbehaviours > 0;
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

/* The survey at path, edited, with its data in memory (ds, taken). */
static void run_survey_data(const char *path, const char *const (*edits)[2], size_t nedits,
                            brisk_dataset *ds, result *r)
{
    brisk_survey *s;
    brisk_survey_data *d = survey_with_data(path, edits, nedits, ds, &s);
    brisk_error err;
    r->list = brisk_table_list_new();
    r->original = brisk_table_list_new();
    brisk_reliability_options geo = {0}, arith = {.htmt_arithmetic = true};
    if (brisk_reliability_survey(s, d, NULL, 0, &geo, r->list, &err) ||
        brisk_reliability_survey(s, d, NULL, 0, &arith, r->original, &err))
        fail_msg("%s: %s", path, err.message);
    r->by_behaviour = s->nbehaviours > 0;
    r->long_names = s->layout == BRISK_LAYOUT_LONG;
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

static const char *const long_layout[][2] = {
    {"layout   = wide", "layout = long\nbehaviour = behaviour"}};

static void run_hs(result *r)
{
    static const char model[] = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                                "speed =~ x7 + x8 + x9\n";
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    brisk_error err;
    r->list = brisk_table_list_new();
    r->original = brisk_table_list_new();
    brisk_reliability_options geo = {0}, arith = {.htmt_arithmetic = true};
    if (brisk_reliability(model, "hs.lav", 1, ds, NULL, 0, &geo, r->list, &err) ||
        brisk_reliability(model, "hs.lav", 1, ds, NULL, 0, &arith, r->original, &err))
        fail_msg("hs: %s", err.message);
    brisk_dataset_free(ds);
}

static void result_free(result *r)
{
    brisk_table_list_free(r->list);
    brisk_table_list_free(r->original);
}

/* Checks every reference row of data set name against r. */
static void check(const char *name, const result *r)
{
    size_t checked = 0;
    /* alpha */
    brisk_dataset *ref = read_csv(REF "alpha.csv");
    const brisk_table *t = table(r->list, "reliability.alpha");
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(text_at(ref, "data", i), name) != 0)
            continue;
        const char *keys[] = {"construct", "behaviour"};
        const char *want[] = {text_at(ref, "construct", i), text_at(ref, "behaviour", i)};
        size_t row = find_row(t, keys, want, r->by_behaviour ? 2 : 1);
        static const char *const pairs[][2] = {
            {"n", "n"}, {"items", "k"}, {"alpha", "raw_alpha"}, {"alpha_std", "std_alpha"},
            {"ci_lower", "feldt_lower"}, {"ci_upper", "feldt_upper"}, {"se", "ase"},
            {"mean_r", "average_r"}};
        for (size_t k = 0; k < 8; k++, checked++)
            near(cell(t, row, pairs[k][0]), num_at(ref, pairs[k][1], i), EXACT, pairs[k][0],
                 want[0]);
    }
    brisk_dataset_free(ref);
    /* items */
    ref = read_csv(REF "items.csv");
    t = table(r->list, "reliability.items");
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(text_at(ref, "data", i), name) != 0)
            continue;
        const char *keys[] = {"item", "construct", "behaviour"};
        const char *want[] = {item_name(r, text_at(ref, "item", i)), text_at(ref, "construct", i),
                              text_at(ref, "behaviour", i)};
        size_t row = find_row(t, keys, want, r->by_behaviour ? 3 : 2);
        static const char *const pairs[][2] = {
            {"mean", "mean"}, {"sd", "sd"}, {"item_total_r", "raw_r"}, {"corrected_r", "r_drop"},
            {"alpha_if_deleted", "drop_raw"}, {"std_alpha_if_deleted", "drop_std"}};
        for (size_t k = 0; k < 6; k++, checked++)
            near(cell(t, row, pairs[k][0]), num_at(ref, pairs[k][1], i), EXACT, pairs[k][0],
                 want[0]);
    }
    brisk_dataset_free(ref);
    /* omega, CR, AVE */
    ref = read_csv(REF "composite.csv");
    t = table(r->list, "reliability.composite");
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(text_at(ref, "data", i), name) != 0)
            continue;
        const char *keys[] = {"construct", "behaviour"};
        const char *want[] = {text_at(ref, "construct", i), text_at(ref, "behaviour", i)};
        size_t row = find_row(t, keys, want, r->by_behaviour ? 2 : 1);
        near(cell(t, row, "n"), num_at(ref, "n", i), 0, "n", want[0]);
        near(cell(t, row, "omega"), num_at(ref, "omega", i), CFA, "omega", want[0]);
        near(cell(t, row, "cr"), num_at(ref, "cr", i), CFA, "CR", want[0]);
        near(cell(t, row, "ave"), num_at(ref, "ave", i), CFA, "AVE", want[0]);
        checked += 4;
    }
    brisk_dataset_free(ref);
    /* HTMT2, HTMT and the latent correlations: row a, column b */
    ref = read_csv(REF "pairs.csv");
    const brisk_table *h2 = table(r->list, "reliability.htmt"),
                      *h1 = table(r->original, "reliability.htmt"),
                      *fl = table(r->list, "reliability.fornell_larcker");
    for (size_t i = 0; i < ref->nrows; i++) {
        if (strcmp(text_at(ref, "data", i), name) != 0)
            continue;
        const char *keys[] = {"construct", "behaviour"};
        const char *want[] = {text_at(ref, "a", i), text_at(ref, "behaviour", i)};
        const char *b = text_at(ref, "b", i);
        size_t n = r->by_behaviour ? 2 : 1;
        near(cell(h2, find_row(h2, keys, want, n), b), num_at(ref, "htmt2", i), EXACT, "HTMT2", b);
        near(cell(h1, find_row(h1, keys, want, n), b), num_at(ref, "htmt", i), EXACT, "HTMT", b);
        near(cell(fl, find_row(fl, keys, want, n), b), num_at(ref, "cor_lv", i), CFA,
             "latent correlation", b);
        checked += 3;
    }
    brisk_dataset_free(ref);
    assert_true(checked > 20);
}

static void test_holzinger_swineford(void **state)
{
    (void)state;
    result r = {0};
    run_hs(&r);
    check("hs", &r);
    /* the published numbers */
    const brisk_table *t = table(r.list, "reliability.alpha");
    assert_true(fabs(cell(t, 0, "alpha") - 0.626) < 5e-4);
    t = table(r.list, "reliability.composite");
    assert_true(fabs(cell(t, 1, "omega") - 0.885) < 5e-4);
    assert_true(fabs(cell(t, 2, "ave") - 0.424) < 5e-4);
    result_free(&r);
}

static void test_bfi_survey(void **state)
{
    (void)state;
    result r = {0};
    run_survey(DATA "bfi.survey", &r);
    check("bfi", &r);
    result_free(&r);
}

static void test_rongcheng_per_behaviour(void **state)
{
    (void)state;
    result r = {0};
    run_survey(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", &r);
    check("rongcheng", &r);
    /* trust and privacy are asked once: one alpha each, on every respondent */
    const brisk_table *t = table(r.list, "reliability.alpha");
    size_t once = 0;
    for (size_t row = 0; row < t->nrows; row++)
        once += strcmp(brisk_table_cell(t, row, 0)->text, "all behaviours") == 0;
    assert_int_equal(once, 2);
    assert_int_equal(t->nrows, 2 + 4 * 4);
    /* weighted by the survey's weight (the numbers above are weighted), and
     * the notes say so */
    for (size_t i = 0; i < r.list->nwarnings; i++)
        assert_null(strstr(r.list->warnings[i], "weight"));
    bool said = false;
    for (size_t i = 0; i < t->nnotes; i++)
        said |= strstr(t->notes[i], "Weighted by 'weight'") != NULL;
    assert_true(said);
    result_free(&r);
}

/* The long layout: every construct asked per behaviour has its alpha per
 * behaviour on that behaviour's rows, those asked once once on every
 * respondent; the numbers are psych's per behaviour, as in the wide layout. */
static void test_rongcheng_long_layout(void **state)
{
    (void)state;
    result r = {0};
    run_survey_data(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", long_layout, 1,
                    rongcheng_long(), &r);
    assert_true(r.long_names);
    check("rongcheng", &r);
    const brisk_table *t = table(r.list, "reliability.alpha");
    size_t once = 0;
    for (size_t row = 0; row < t->nrows; row++)
        once += strcmp(brisk_table_cell(t, row, 0)->text, "all behaviours") == 0;
    assert_int_equal(once, 2);
    assert_int_equal(t->nrows, 2 + 4 * 4);
    /* the items table names the long layout's columns */
    t = table(r.list, "reliability.items");
    const char *keys[] = {"item", "behaviour"}, *want[] = {"pb1", "Payment of fees"};
    find_row(t, keys, want, 2);
    result_free(&r);
}

/* ordered = all: ordinal alpha per construct (and behaviour) as psych's
 * alpha of polychoric correlations; the same in the long layout. */
static void check_ordinal(const result *r)
{
    brisk_dataset *ref = read_csv(REF "ordinal.csv");
    const brisk_table *t = table(r->list, "reliability.alpha");
    size_t checked = 0;
    for (size_t i = 0; i < ref->nrows; i++) {
        const char *keys[] = {"construct", "behaviour"};
        const char *want[] = {text_at(ref, "construct", i), text_at(ref, "behaviour", i)};
        size_t row = find_row(t, keys, want, 2);
        near(cell(t, row, "n"), num_at(ref, "n", i), 0, "n", want[0]);
        /* psych's optimize() stops within about 1e-4 of the maximum in
         * rho; lavaan's Newton steps at it */
        near(cell(t, row, "ordinal_alpha"), num_at(ref, "ordinal_alpha", i), 1e-4,
             "ordinal alpha (psych)", want[1]);
        near(cell(t, row, "ordinal_alpha"), num_at(ref, "ordinal_alpha_lavaan", i), 1e-6,
             "ordinal alpha (lavaan's polychorics)", want[1]);
        checked++;
    }
    assert_int_equal(checked, 18);
    brisk_dataset_free(ref);
}

static void test_ordinal_alpha(void **state)
{
    (void)state;
    static const char *const ordered[][2] = {{"agree    = 4..5", "agree = 4..5\nordered = all"}};
    static const char *const ordered_long[][2] = {
        {"agree    = 4..5", "agree = 4..5\nordered = all"},
        {"layout   = wide", "layout = long\nbehaviour = behaviour"}};
    result r = {0};
    run_survey_data(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", ordered, 1,
                    read_csv(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv"), &r);
    check("rongcheng", &r);    /* the raw-score columns are unchanged */
    check_ordinal(&r);
    const brisk_table *t = table(r.list, "reliability.composite");
    bool said = false;
    for (size_t k = 0; k < t->nnotes; k++)
        said |= strstr(t->notes[k], "computed on the raw scores") != NULL;
    assert_true(said);
    result_free(&r);

    run_survey_data(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", ordered_long, 2,
                    rongcheng_long(), &r);
    check_ordinal(&r);
    result_free(&r);

    /* a list naming some items: only constructs wholly ordered get one */
    static const char *const some[][2] = {
        {"agree    = 4..5", "agree = 4..5\nordered = tg1 tg2 tg3 pc1 acc1_{b} acc2_{b} acc3_{b}"}};
    run_survey_data(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", some, 1,
                    read_csv(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv"), &r);
    t = table(r.list, "reliability.alpha");
    const char *keys[] = {"construct", "behaviour"};
    const char *trust[] = {"trust", "all behaviours"}, *privacy[] = {"privacy", "all behaviours"};
    const char *accept[] = {"accept", "Internet use"}, *risk[] = {"risk", "Internet use"};
    near(cell(t, find_row(t, keys, trust, 2), "ordinal_alpha"), 0.785786406397, 1e-6,
         "ordinal alpha", "trust");
    near(cell(t, find_row(t, keys, accept, 2), "ordinal_alpha"), 0.8485303, 1e-6,
         "ordinal alpha", "accept");
    assert_true(isnan(cell(t, find_row(t, keys, privacy, 2), "ordinal_alpha")));
    assert_true(isnan(cell(t, find_row(t, keys, risk, 2), "ordinal_alpha")));
    said = false;
    for (size_t k = 0; k < t->nnotes; k++)
        said |= strstr(t->notes[k], "No ordinal alpha: all behaviours: privacy (some of its "
                                    "items are not declared ordered)") != NULL;
    assert_true(said);
    result_free(&r);
}

/* psych::alpha's check of the keying: the loadings on the first principal
 * component, and the items it would ask to reverse (bfi as it is). */
static void test_negative_items(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "bfi.csv");
    brisk_dataset *ref = read_csv(REF "negative.csv");
    brisk_error err;
    size_t checked = 0, flagged = 0;
    for (size_t i = 0; i < ref->nrows;) {
        if (strcmp(text_at(ref, "data", i), "bfi") != 0) {
            i++;
            continue;
        }
        const char *items[5];
        for (size_t j = 0; j < 5; j++)
            items[j] = strdup(text_at(ref, "item", i + j));
        brisk_alpha a;
        assert_int_equal(brisk_alpha_compute(ds, NULL, 0, items, 5, NULL, &a, &err), BRISK_OK);
        size_t negative = 0;
        for (size_t j = 0; j < 5; j++, checked++) {
            near(a.pc1_loading[j], num_at(ref, "loading", i + j), 1e-9, "loading", items[j]);
            negative += a.pc1_loading[j] < 0;
            assert_int_equal(a.pc1_loading[j] < 0, strcmp(text_at(ref, "negative", i + j), "TRUE") == 0);
        }
        assert_int_equal(a.nnegative, negative);
        flagged += negative;
        brisk_alpha_free(&a);
        for (size_t j = 0; j < 5; j++)
            free((char *)items[j]);
        i += 5;
    }
    assert_int_equal(checked, 25);
    assert_int_equal(flagged, 7);   /* A1 C4 C5 E1 E2 O2 O5 */
    brisk_dataset_free(ref);
    brisk_dataset_free(ds);

    /* the survey without its [reverse]: the warning names pr3 of every behaviour */
    static const char *const no_reverse[][2] = {{"[reverse]\npr3_{b}", ""}};
    result r = {0};
    run_survey_data(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", no_reverse, 1,
                    read_csv(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv"), &r);
    bool warned = false;
    for (size_t k = 0; k < r.list->nwarnings; k++)
        warned |= strstr(r.list->warnings[k], "negatively correlated with the total scale and "
                                              "probably should be reversed: Criminal records: "
                                              "risk (pr3_crime); Payment of fees: risk "
                                              "(pr3_fees); Internet use: risk (pr3_internet); "
                                              "Littering of garbage: risk (pr3_litter)") != NULL;
    assert_true(warned);
    result_free(&r);
}

/* Alpha's errors name the item. */
static void test_alpha_errors(void **state)
{
    (void)state;
    brisk_dataset *ds = read_csv(DATA "hs.csv");
    brisk_alpha a;
    brisk_error err;
    const char *one[] = {"x1"}, *bad[] = {"x1", "nosuch"}, *text[] = {"x1", "school"};
    assert_int_equal(brisk_alpha_compute(ds, NULL, 0, one, 1, NULL, &a, &err), BRISK_ERR_DATA);
    assert_int_equal(brisk_alpha_compute(ds, NULL, 0, bad, 2, NULL, &a, &err), BRISK_ERR_COLUMN);
    assert_string_equal(err.variable, "nosuch");
    assert_int_equal(brisk_alpha_compute(ds, NULL, 0, text, 2, NULL, &a, &err), BRISK_ERR_COLUMN);
    size_t rows[] = {0};
    const char *two[] = {"x1", "x2"};
    assert_int_equal(brisk_alpha_compute(ds, rows, 1, two, 2, NULL, &a, &err), BRISK_ERR_DATA);
    assert_non_null(strstr(err.message, "only 1 respondents"));
    brisk_dataset_free(ds);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holzinger_swineford),
        cmocka_unit_test(test_bfi_survey),
        cmocka_unit_test(test_rongcheng_per_behaviour),
        cmocka_unit_test(test_rongcheng_long_layout),
        cmocka_unit_test(test_ordinal_alpha),
        cmocka_unit_test(test_negative_items),
        cmocka_unit_test(test_alpha_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
