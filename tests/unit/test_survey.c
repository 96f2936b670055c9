/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Survey definitions: parsing, templates, and the checks on the data. */
#include <config.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "brisk.h"

static char tmpdir[] = "/tmp/brisk-survey-XXXXXX";

static const char wide_csv[] =
    "id,w,age,tg1,pb1_crime,pb1_fees,pr3_crime,pr3_fees\n"
    "101,1.5,34,4,5,2,1,-99\n"
    "102,0.5,61,2,,3,4,5\n"
    "103,1.0,27,5,4,4,2,2\n";

static const char long_csv[] =
    "id,beh,tg1,pb1,pr3\n"
    "101,crime,4,5,1\n"
    "101,fees,4,2,-99\n"
    "102,crime,2,,4\n"
    "102,fees,2,3,5\n"
    "103,fees,5,4,2\n";

static int write_fixtures(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    char path[256];
    snprintf(path, sizeof path, "%s/wide.csv", tmpdir);
    FILE *f = fopen(path, "w");
    fputs(wide_csv, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/long.csv", tmpdir);
    f = fopen(path, "w");
    fputs(long_csv, f);
    fclose(f);
    return 0;
}

static int remove_fixtures(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/wide.csv", tmpdir);
    remove(path);
    snprintf(path, sizeof path, "%s/long.csv", tmpdir);
    remove(path);
    return rmdir(tmpdir);
}

/* A survey whose text is given, placed in the fixture folder. */
static brisk_status parse(const char *text, brisk_survey **s, brisk_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s/t.survey", tmpdir);
    brisk_error_clear(err);
    return brisk_survey_parse(text, strlen(text), path, s, err);
}

static const char wide_survey[] =
    "\xEF\xBB\xBF# a comment\n"
    "[survey]\n"
    "title = Test ; inline comment\n"
    "data = wide.csv\n"
    "id = id\n"
    "weight = w\n"
    "scale = 1..5\n"
    "agree = 4 .. 5\n"
    "missing = -99, 98\n"
    "[behaviours]\n"
    "crime = Criminal records\n"
    "fees = Payment of fees\n"
    "[items]\n"
    "tg1 = I trust the government\n"
    "pb1_{b} = Scoring {behaviour} makes life safer\n"
    "pr3_{b} = Scoring {behaviour} is harmless\n"
    "[reverse]\n"
    "pr3_{b}\n"
    "[model]\n"
    "benefit =~ pb1_{b} ; risk =~ pr3_{b}  # lavaan comment\n"
    "benefit ~ tg1\n"
    "[demographics]\n"
    "age\n";

static void test_parse_wide(void **state)
{
    (void)state;
    brisk_survey *s;
    brisk_error err;
    assert_int_equal(parse(wide_survey, &s, &err), BRISK_OK);
    assert_string_equal(s->title, "Test");
    assert_non_null(strstr(s->data_path, "/wide.csv"));
    assert_int_equal(s->data_line, 4);
    assert_true(s->has_scale && s->scale_min == 1 && s->scale_max == 5);
    assert_true(s->agree_min == 4 && s->agree_max == 5);
    assert_int_equal(s->nmissing, 2);
    assert_true(s->missing[0] == -99 && s->missing[1] == 98);
    assert_int_equal(s->nbehaviours, 2);
    assert_string_equal(s->behaviours[1].value, "Payment of fees");
    assert_int_equal(s->nitems, 3);
    assert_int_equal(s->items[1].line, 15);
    assert_int_equal(s->nreverse, 1);
    assert_int_equal(s->model_line, 20);
    assert_int_equal(s->model_syntax->n, 3);
    assert_int_equal(s->model_syntax->stmts[1].line, 20);
    assert_int_equal(s->ndemographics, 1);
    char *name = brisk_survey_column_name(s, "pb1_{b}", 1);
    assert_string_equal(name, "pb1_fees");
    free(name);
    char *text = brisk_survey_wording(s, s->items[1].value, 0);
    assert_string_equal(text, "Scoring criminal records makes life safer");
    free(text);
    assert_int_equal(brisk_survey_nblocks(s), 2);
    brisk_survey_free(s);
}

/* Names with blanks in backticks, Chinese names bare, in every list. */
static void test_quoted_names(void **state)
{
    (void)state;
    brisk_survey *s;
    brisk_error err;
    static const char text[] =
        "[survey]\ndata = wide.csv\nid = id\nscale = 1..5\nordered = `Trust 1`\n"
        "[items]\n`Trust 1` = I trust = the government\n信任2 = 我信任政府\n`a,b`\n"
        "[reverse]\n`Trust 1`, 信任2\n"
        "[model]\ntrust =~ `Trust 1` + 信任2 + `a,b`\n"
        "[demographics]\n`monthly income`,年龄 `x`\n";
    assert_int_equal(parse(text, &s, &err), BRISK_OK);
    assert_int_equal(s->nitems, 3);
    assert_string_equal(s->items[0].key, "Trust 1");
    assert_string_equal(s->items[0].value, "I trust = the government");
    assert_string_equal(s->items[1].key, "信任2");
    assert_string_equal(s->items[2].key, "a,b");
    assert_int_equal(s->nreverse, 2);
    assert_string_equal(s->reverse[0].key, "Trust 1");
    assert_string_equal(s->reverse[1].key, "信任2");
    assert_int_equal(s->nordered, 1);
    assert_string_equal(s->ordered_items[0].key, "Trust 1");
    assert_int_equal(s->ndemographics, 3);
    assert_string_equal(s->demographics[0].key, "monthly income");
    assert_string_equal(s->demographics[1].key, "年龄");
    assert_string_equal(s->demographics[2].key, "x");
    assert_string_equal(s->model_syntax->stmts[0].rhs[0].name, "Trust 1");
    brisk_survey_free(s);
    static const char open_list[] = "[survey]\ndata = wide.csv\nid = id\n[items]\ntg1\n"
                                    "[demographics]\nage `monthly income\n";
    assert_int_equal(parse(open_list, &s, &err), BRISK_ERR_FORMAT);
    assert_int_equal(err.line, 7);
    assert_non_null(strstr(err.message, "a backtick in [demographics] is not closed"));
    static const char open_item[] = "[survey]\ndata = wide.csv\nid = id\n[items]\n`tg1 = x\n";
    assert_int_equal(parse(open_item, &s, &err), BRISK_ERR_FORMAT);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.message, "item '`tg1': a backtick is not closed"));
}

static void test_prepare_wide(void **state)
{
    (void)state;
    brisk_survey *s;
    brisk_survey_data *d;
    brisk_error err;
    assert_int_equal(parse(wide_survey, &s, &err), BRISK_OK);
    assert_int_equal(brisk_survey_read_data(s, &d, &err), BRISK_OK);
    const brisk_column *pr3 = brisk_dataset_find(d->ds, "pr3_fees");
    /* -99 is user-missing; the others are reversed: 6 - x */
    assert_int_equal(pr3->miss[0], BRISK_MISS_USER);
    assert_true(pr3->num[1] == 1 && pr3->num[2] == 4);
    assert_true(brisk_dataset_find(d->ds, "pr3_crime")->num[0] == 5);
    assert_int_equal(brisk_dataset_find(d->ds, "pb1_crime")->miss[1], BRISK_MISS_SYSTEM);
    assert_non_null(d->weight);
    assert_int_equal(d->nrows[0], 3);
    assert_int_equal(d->nrespondents, 3);
    brisk_survey_data_free(d);
    brisk_survey_free(s);
}

static brisk_error prepare_fails(const char *text, brisk_status expected)
{
    brisk_survey *s;
    brisk_survey_data *d = NULL;
    brisk_error err;
    assert_int_equal(parse(text, &s, &err), BRISK_OK);
    assert_int_equal(brisk_survey_read_data(s, &d, &err), expected);
    assert_null(d);
    brisk_survey_free(s);
    return err;
}

static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void test_unknown_columns(void **state)
{
    (void)state;
    char *text = replace(wide_survey, "pb1_{b} = Scoring", "pb9_{b} = Scoring");
    brisk_error err = prepare_fails(text, BRISK_ERR_COLUMN);
    assert_int_equal(err.line, 15);
    assert_string_equal(err.variable, "pb9_crime");
    assert_non_null(strstr(err.message, "item 'pb9_crime' is not a column"));
    assert_non_null(strstr(err.message, "did you mean 'pb1_crime'"));
    assert_non_null(strstr(err.file, "t.survey"));
    free(text);

    text = replace(wide_survey, "benefit ~ tg1", "benefit ~ tg2");
    err = prepare_fails(text, BRISK_ERR_COLUMN);
    assert_int_equal(err.line, 21);
    assert_int_equal(err.column, 11);
    assert_non_null(strstr(err.message, "model variable 'tg2'"));
    free(text);

    text = replace(wide_survey, "weight = w", "weight = wt");
    err = prepare_fails(text, BRISK_ERR_COLUMN);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.message, "weight column 'wt'"));
    free(text);

    text = replace(wide_survey, "age\n", "age sex\n");
    err = prepare_fails(text, BRISK_ERR_COLUMN);
    assert_non_null(strstr(err.message, "demographic 'sex'"));
    free(text);

    text = replace(wide_survey, "data = wide.csv", "data = nowhere.csv");
    err = prepare_fails(text, BRISK_ERR_OPEN);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "nowhere.csv"));
    free(text);
}

static void test_value_checks(void **state)
{
    (void)state;
    char *text = replace(wide_survey, "missing = -99, 98", "missing = 98");
    brisk_error err = prepare_fails(text, BRISK_ERR_VALUE);
    assert_string_equal(err.variable, "pr3_fees");
    assert_non_null(strstr(err.message, "value -99 of item 'pr3_fees' in data row 1 (id 101)"));
    assert_non_null(strstr(err.message, "outside the scale 1..5"));
    assert_non_null(strstr(err.message, "add it to 'missing ='"));
    free(text);

    text = replace(wide_survey, "tg1 = I trust", "id = I trust");
    err = prepare_fails(text, BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "value 101 of item 'id'"));
    assert_int_equal(err.line, 14);
    free(text);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *from, *to, *fragment; long line; } cases[] = {
        {"fees = Payment of fees", "crime = Again", "defined twice (first on line 11)", 12},
        {"[items]", "[itemz]", "unknown section [itemz]", 13},
        {"id = id", "idd = id", "unknown key 'idd'", 5},
        {"scale = 1..5", "scale = 5..1", "expected a range", 7},
        {"scale = 1..5", "scale = 1-5", "expected a range", 7},
        {"missing = -99, 98", "missing = -99 n/a", "'n/a' is not a number", 9},
        {"data = wide.csv\n", "", "must name the data file", 0},
        {"scale = 1..5\n", "", "needs the item range", 17},
        {"pr3_{b}\n[model]", "pr4_{b}\n[model]", "'pr4_{b}' is not listed in [items]", 18},
        {"crime = Criminal records", "crime-x = C", "only letters, digits and '_'", 11},
        {"# a comment\n[survey]", "title = x\n[survey]", "before the first section", 1},
        {"layout", "", "", 0},
        {"benefit ~ tg1", "benefit ~ ~ tg1", "model syntax", 21},
        {"Test ; inline", "Te\xff", "invalid UTF-8", 3},
        {"title = Test", "title =", "a value is needed", 3},
        {"id = id", "id = id\nid = x", "given twice", 6},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (!cases[k].fragment[0])
            continue;
        char *text = replace(wide_survey, cases[k].from, cases[k].to);
        brisk_survey *s = NULL;
        brisk_error err;
        brisk_status st = parse(text, &s, &err);
        if (st == BRISK_OK)
            fail_msg("case %zu parsed", k);
        assert_int_equal(st, BRISK_ERR_FORMAT);
        assert_null(s);
        if (!strstr(err.message, cases[k].fragment))
            fail_msg("case %zu: '%s' lacks '%s'", k, err.message, cases[k].fragment);
        assert_int_equal(err.line, cases[k].line);
        free(text);
    }
    /* {b} without behaviours */
    brisk_survey *s = NULL;
    brisk_error err;
    assert_int_equal(parse("[survey]\ndata = x.csv\n[items]\nq_{b} = x\n", &s, &err),
                     BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "uses {b}, but the survey has no [behaviours]"));
    assert_int_equal(err.line, 4);
}

static const char long_survey[] =
    "[survey]\n"
    "data = long.csv\n"
    "id = id\n"
    "layout = long\n"
    "behaviour = beh\n"
    "scale = 1..5\n"
    "missing = -99\n"
    "[behaviours]\n"
    "crime = Criminal records\n"
    "fees = Payment of fees\n"
    "[items]\n"
    "tg1\n"
    "pb1_{b}\n"
    "pr3_{b}\n"
    "[reverse]\n"
    "pr3_{b}\n";

static void test_long_layout(void **state)
{
    (void)state;
    brisk_survey *s;
    brisk_survey_data *d;
    brisk_error err;
    assert_int_equal(parse(long_survey, &s, &err), BRISK_OK);
    char *name = brisk_survey_column_name(s, "pb1_{b}", 1);
    assert_string_equal(name, "pb1");
    free(name);
    name = brisk_survey_column_name(s, "{b}.x", 0);
    assert_string_equal(name, "x");
    free(name);
    assert_int_equal(brisk_survey_read_data(s, &d, &err), BRISK_OK);
    assert_int_equal(d->nrows[0], 2);   /* crime: rows 0 and 2 */
    assert_int_equal(d->rows[0][1], 2);
    assert_int_equal(d->nrows[1], 3);   /* fees: rows 1, 3, 4 */
    assert_int_equal(d->rows[1][2], 4);
    assert_int_equal(d->nrespondents, 3); /* first row of 101, 102, 103 */
    assert_int_equal(d->respondent_rows[0], 0);
    assert_int_equal(d->respondent_rows[1], 2);
    assert_int_equal(d->respondent_rows[2], 4);
    /* each respondent's row per behaviour, matched by id: 103 has no crime row */
    assert_int_equal(d->respondent_row[0][0], 0);
    assert_int_equal(d->respondent_row[0][1], 2);
    assert_int_equal(d->respondent_row[0][2], (size_t)-1);
    assert_int_equal(d->respondent_row[1][0], 1);
    assert_int_equal(d->respondent_row[1][1], 3);
    assert_int_equal(d->respondent_row[1][2], 4);
    assert_true(brisk_dataset_find(d->ds, "pr3")->num[0] == 5);
    brisk_survey_data_free(d);
    brisk_survey_free(s);

    char *text = replace(long_survey, "fees = Payment of fees", "fees = Payment\nweb = Internet");
    brisk_error e = prepare_fails(text, BRISK_ERR_VALUE);
    assert_non_null(strstr(e.message, "no row of"));
    assert_non_null(strstr(e.message, "behaviour 'web'"));
    free(text);

    text = replace(long_survey, "behaviour = beh\n", "");
    assert_int_equal(parse(text, &s, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "needs 'behaviour = COLUMN'"));
    free(text);
    text = replace(long_survey, "id = id\n", "");
    assert_int_equal(parse(text, &s, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "needs 'id = COLUMN'"));
    free(text);
}

static void test_weight_and_text_checks(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(2);
    brisk_dataset_add_column(ds, "w", BRISK_NUMERIC, NULL, NULL);
    brisk_dataset_add_column(ds, "q", BRISK_STRING, NULL, NULL);
    brisk_dataset_add_column(ds, "x", BRISK_NUMERIC, NULL, NULL);
    brisk_column_set_number(&ds->cols[0], 0, 1.25);
    brisk_column_set_number(&ds->cols[0], 1, -0.5);
    brisk_column_set_string(&ds->cols[1], 0, "agree");
    brisk_survey *s;
    brisk_survey_data *d = NULL;
    brisk_error err;
    assert_int_equal(parse("[survey]\ndata = x.csv\nweight = w\n[items]\nx\n", &s, &err),
                     BRISK_OK);
    assert_int_equal(brisk_survey_prepare(s, ds, &d, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "weight 'w' is negative in data row 2"));
    assert_int_equal(err.line, 3);
    brisk_survey_free(s);

    ds = brisk_dataset_new(1);
    brisk_dataset_add_column(ds, "q", BRISK_STRING, NULL, NULL);
    brisk_column_set_string(&ds->cols[0], 0, "agree");
    assert_int_equal(parse("[survey]\ndata = x.csv\n[items]\nq = Q\n", &s, &err), BRISK_OK);
    assert_int_equal(brisk_survey_prepare(s, ds, &d, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "item 'q' holds text ('agree' in data row 1)"));
    assert_int_equal(err.line, 4);
    brisk_survey_free(s);
}

/* An id that repeats: an error naming the ids and their data rows, in the
 * wide layout anywhere, in the long layout within one behaviour. */
static void test_duplicate_ids(void **state)
{
    (void)state;
    brisk_dataset *ds = brisk_dataset_new(5);
    brisk_dataset_add_column(ds, "id", BRISK_STRING, NULL, NULL);
    brisk_dataset_add_column(ds, "q", BRISK_NUMERIC, NULL, NULL);
    const char *ids[] = {"r7", "r3", "r7", "r9", "r3"};
    for (size_t i = 0; i < 5; i++) {
        brisk_column_set_string(&ds->cols[0], i, ids[i]);
        brisk_column_set_number(&ds->cols[1], i, 2.5 + (double)i);
    }
    brisk_survey *s;
    brisk_survey_data *d = NULL;
    brisk_error err;
    assert_int_equal(parse("[survey]\ndata = x.csv\nid = id\n[items]\nq = Q\n", &s, &err),
                     BRISK_OK);
    assert_int_equal(brisk_survey_prepare(s, ds, &d, &err), BRISK_ERR_VALUE);
    assert_null(d);
    assert_non_null(strstr(err.message, "id column 'id' of "));
    assert_non_null(strstr(err.message, "is not unique: id r3 on data rows 2 and 5; "
                                        "id r7 on data rows 1 and 3;"));
    assert_string_equal(err.variable, "id");
    assert_int_equal(err.line, 3);
    brisk_survey_free(s);

    /* long: r7 answers crime twice (rows 1 and 3); fees once each */
    ds = brisk_dataset_new(5);
    brisk_dataset_add_column(ds, "id", BRISK_STRING, NULL, NULL);
    brisk_dataset_add_column(ds, "beh", BRISK_STRING, NULL, NULL);
    brisk_dataset_add_column(ds, "q", BRISK_NUMERIC, NULL, NULL);
    const char *beh[] = {"crime", "crime", "crime", "fees", "fees"};
    for (size_t i = 0; i < 5; i++) {
        brisk_column_set_string(&ds->cols[0], i, ids[i]);
        brisk_column_set_string(&ds->cols[1], i, beh[i]);
        brisk_column_set_number(&ds->cols[2], i, 1.5 + (double)i);
    }
    assert_int_equal(parse("[survey]\ndata = x.csv\nid = id\nlayout = long\nbehaviour = beh\n"
                           "[behaviours]\ncrime\nfees\n[items]\nq_{b} = Q\n", &s, &err),
                     BRISK_OK);
    assert_int_equal(brisk_survey_prepare(s, ds, &d, &err), BRISK_ERR_VALUE);
    assert_non_null(strstr(err.message, "behaviour 'crime' appears twice for one respondent"));
    assert_non_null(strstr(err.message, "id r7 on data rows 1 and 3"));
    assert_null(strstr(err.message, "r3"));
    assert_int_equal(err.line, 7);
    brisk_survey_free(s);
}

/* Without [items], the model's observed indicators are the items: [reverse]
 * and 'ordered' may name them, the data checks and the recoding apply. */
static void test_items_from_model(void **state)
{
    (void)state;
    static const char text[] =
        "[survey]\n"
        "data = wide.csv\n"
        "id = id\n"
        "scale = 1..5\n"
        "missing = -99\n"
        "ordered = pr3_{b}\n"
        "[behaviours]\n"
        "crime\n"
        "fees\n"
        "[reverse]\n"
        "pr3_{b}\n"
        "[model]\n"
        "risk =~ pb1_{b} + pr3_{b}\n"
        "benefit =~ tg1 +\n"
        "   pb1_{b}\n"
        "risk ~ benefit + age\n";
    brisk_survey *s;
    brisk_survey_data *d;
    brisk_error err;
    assert_int_equal(parse(text, &s, &err), BRISK_OK);
    assert_true(s->items_from_model);
    assert_int_equal(s->nitems, 3);   /* pb1_{b} once; age is no indicator */
    assert_string_equal(s->items[0].key, "pb1_{b}");
    assert_string_equal(s->items[1].key, "pr3_{b}");
    assert_string_equal(s->items[2].key, "tg1");
    assert_int_equal(s->items[2].line, 14);
    assert_string_equal(s->items[2].value, "");
    assert_int_equal(brisk_survey_read_data(s, &d, &err), BRISK_OK);
    const brisk_column *pr3 = brisk_dataset_find(d->ds, "pr3_fees");
    assert_int_equal(pr3->miss[0], BRISK_MISS_USER);
    assert_true(pr3->num[1] == 1 && pr3->num[2] == 4);   /* reversed: 6 - x */
    brisk_survey_data_free(d);
    brisk_survey_free(s);

    /* reverse-keying a name that is no indicator */
    char *bad = replace(text, "[reverse]\npr3_{b}", "[reverse]\nage");
    assert_int_equal(parse(bad, &s, &err), BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "reverse-keyed item 'age' is not among the model's "
                                        "indicators"));
    assert_int_equal(err.line, 11);
    free(bad);

    /* nothing to describe: no [items] and no model, or a model without =~ */
    assert_int_equal(parse("[survey]\ndata = x.csv\n[demographics]\nage\n", &s, &err),
                     BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "the survey names no items"));
    assert_non_null(strstr(err.file, "t.survey"));
    assert_int_equal(err.line, 0);
    assert_int_equal(parse("[survey]\ndata = x.csv\n[model]\ny ~ x\n", &s, &err),
                     BRISK_ERR_FORMAT);
    assert_non_null(strstr(err.message, "the survey names no items"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_wide),
        cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_prepare_wide),
        cmocka_unit_test(test_unknown_columns),
        cmocka_unit_test(test_value_checks),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_long_layout),
        cmocka_unit_test(test_weight_and_text_checks),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_items_from_model),
    };
    return cmocka_run_group_tests(tests, write_fixtures, remove_fixtures);
}
