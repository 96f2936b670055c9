/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the tests against R's reference files share: reading a reference
 * CSV or a model file, and finding a table of an analysis by its id.
 * Include after <cmocka.h> and "brisk.h". */
#ifndef BRISK_REF_HELPERS_H
#define BRISK_REF_HELPERS_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small text file (a model), in a buffer reused by the next call. */
static inline char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("%s: cannot open", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static inline brisk_dataset *read_csv(const char *path)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    return ds;
}

/* tests/data/bfi.csv with the items psych's bfi.keys reverses among the
 * reference models' (A1, C4, C5) recoded 7 - x, as the reference scripts
 * read it. */
static inline brisk_dataset *read_bfi_reversed(void)
{
    brisk_dataset *ds = read_csv(TEST_SRCDIR "/tests/data/bfi.csv");
    const char *reversed[] = {"A1", "C4", "C5"};
    for (size_t k = 0; k < 3; k++) {
        brisk_column *c = brisk_dataset_find(ds, reversed[k]);
        for (size_t i = 0; i < ds->nrows; i++)
            if (!brisk_is_missing(c, i))
                c->num[i] = 7 - c->num[i];
    }
    return ds;
}

/* The bundled Rongcheng survey and its data, prepared as brisk fit
 * prepares them (missing codes, reverse keys). */
static inline brisk_survey_data *load_rongcheng(brisk_survey **s)
{
    brisk_survey_data *d = NULL;
    brisk_error err;
    if (brisk_survey_load(TEST_SRCDIR "/surveys/rongcheng/rongcheng.survey", s, &err) != BRISK_OK ||
        brisk_survey_read_data(*s, &d, &err) != BRISK_OK)
        fail_msg("rongcheng.survey: %s", err.message);
    return d;
}

/* Cell i of a reference column as text (a number as %g, so that codes
 * read as numbers compare with level names). */
static inline const char *ref_text(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    if (!c)
        fail_msg("no column %s in the reference", col);
    static char buf[64];
    if (c->type == BRISK_STRING)
        return c->str[i];
    snprintf(buf, sizeof buf, "%g", c->num[i]);
    return buf;
}

static inline const brisk_table *table(const brisk_table_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->tables[i]->id, id) == 0)
            return list->tables[i];
    fail_msg("no table %s", id);
    return NULL;
}

/* The bundled Rongcheng survey's behaviour keys, in its order. */
static inline const char *rongcheng_key(size_t b)
{
    static const char *const keys[] = {"crime", "fees", "internet", "litter"};
    return keys[b];
}

/* The bundled Rongcheng data (wide) in the long layout: a row per
 * respondent and behaviour, behaviours in reverse order so that rows are
 * matched by id, the items asked once repeated on every row. */
static inline brisk_dataset *rongcheng_long(void)
{
    brisk_dataset *wide = read_csv(TEST_SRCDIR "/surveys/rongcheng/rongcheng.csv");
    size_t n = wide->nrows, nb = 4;
    brisk_dataset *ds = brisk_dataset_new(n * nb);
    brisk_error err;
    size_t beh;
    assert_int_equal(brisk_dataset_add_column(ds, "behaviour", BRISK_STRING, &beh, &err), BRISK_OK);
    for (size_t j = 0; j < wide->ncols; j++) {
        const brisk_column *c = &wide->cols[j];
        char stem[64];
        snprintf(stem, sizeof stem, "%s", c->name);
        size_t b = nb;
        for (size_t k = 0; k < nb && b == nb; k++) {
            size_t len = strlen(stem), m = strlen(rongcheng_key(k));
            if (len > m + 1 && strcmp(stem + len - m, rongcheng_key(k)) == 0) {
                stem[len - m - 1] = '\0';
                b = k;
            }
        }
        size_t to = brisk_dataset_index(ds, stem);
        if (to == (size_t)-1)
            assert_int_equal(brisk_dataset_add_column(ds, stem, BRISK_NUMERIC, &to, &err),
                             BRISK_OK);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < nb; k++) {
                if (b != nb && b != k)
                    continue;
                size_t row = i * nb + (nb - 1 - k);
                if (brisk_is_missing(c, i))
                    brisk_column_set_missing(&ds->cols[to], row, c->miss[i]);
                else
                    brisk_column_set_number(&ds->cols[to], row, c->num[i]);
            }
    }
    for (size_t i = 0; i < n * nb; i++)
        brisk_column_set_string(&ds->cols[beh], i, rongcheng_key(nb - 1 - i % nb));
    brisk_dataset_free(wide);
    return ds;
}

/* The survey at path with its data already in memory (ds, taken), its
 * text edited first: every edits[k][0] replaced by edits[k][1].  *s gets
 * the survey, which the caller frees after the data. */
static inline brisk_survey_data *survey_with_data(const char *path, const char *const (*edits)[2],
                                                  size_t nedits, brisk_dataset *ds,
                                                  brisk_survey **s)
{
    char *text = strdup(slurp(path));
    for (size_t k = 0; k < nedits; k++) {
        char *at = strstr(text, edits[k][0]);
        if (!at)
            fail_msg("%s: no '%s'", path, edits[k][0]);
        size_t n = strlen(text) - strlen(edits[k][0]) + strlen(edits[k][1]) + 1;
        char *next = malloc(n);
        snprintf(next, n, "%.*s%s%s", (int)(at - text), text, edits[k][1],
                 at + strlen(edits[k][0]));
        free(text);
        text = next;
    }
    brisk_survey_data *d = NULL;
    brisk_error err;
    *s = NULL;
    if (brisk_survey_parse(text, strlen(text), path, s, &err) ||
        brisk_survey_prepare(*s, ds, &d, &err))
        fail_msg("%s: %s", path, err.message);
    free(text);
    return d;
}

/* A fit measure by its name in the references (lavaan's fitMeasures()
 * names, with _ for .): chisq, df, pvalue, baseline_chisq, baseline_df,
 * cfi, tli, rmsea and its interval and p, srmr, logl, unrestricted_logl,
 * aic, bic, bic2, npar. */
static inline double ref_fit_measure(const brisk_fit_measures *f, const char *key)
{
    static const struct { const char *key; size_t offset; } map[] = {
        {"chisq", offsetof(brisk_fit_measures, chisq)}, {"df", offsetof(brisk_fit_measures, df)},
        {"pvalue", offsetof(brisk_fit_measures, pvalue)},
        {"baseline_chisq", offsetof(brisk_fit_measures, baseline_chisq)},
        {"baseline_df", offsetof(brisk_fit_measures, baseline_df)},
        {"cfi", offsetof(brisk_fit_measures, cfi)}, {"tli", offsetof(brisk_fit_measures, tli)},
        {"rmsea", offsetof(brisk_fit_measures, rmsea)},
        {"rmsea_ci_lower", offsetof(brisk_fit_measures, rmsea_ci_lower)},
        {"rmsea_ci_upper", offsetof(brisk_fit_measures, rmsea_ci_upper)},
        {"rmsea_pvalue", offsetof(brisk_fit_measures, rmsea_pvalue)},
        {"srmr", offsetof(brisk_fit_measures, srmr)},
        {"logl", offsetof(brisk_fit_measures, loglik)},
        {"unrestricted_logl", offsetof(brisk_fit_measures, unrestricted_loglik)},
        {"aic", offsetof(brisk_fit_measures, aic)}, {"bic", offsetof(brisk_fit_measures, bic)},
        {"bic2", offsetof(brisk_fit_measures, sabic)},
    };
    if (strcmp(key, "npar") == 0)
        return (double)f->npar;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(map[k].key, key) == 0)
            return *(const double *)((const char *)f + map[k].offset);
    fail_msg("unknown fit measure %s", key);
    return NAN;
}

#endif
