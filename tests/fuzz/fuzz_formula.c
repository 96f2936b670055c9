/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the regression formula parser (lib/stats/design.c)
 * and the regressions it feeds (lib/stats/regress.c, brisk regress).
 *
 * The input is an R formula ("agree ~ x1 * sex + region - 1"; an input
 * with a NUL byte is skipped).  It is fitted to a fixed data set of 40
 * rows made here (continuous, ordinal, binary, text and labelled
 * columns, a weight and a cluster id) three ways: OLS with HC3 standard
 * errors, a weighted logit of agreement (4..5), and an ordered probit
 * clustered by id with the levels of 'sex' given.  Tables are written to
 * /dev/null. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include "brisk/analysis.h"
#include "brisk/dataset.h"
#include "brisk/regress.h"
#include "brisk/table.h"
#include "fuzz.h"

#define ROWS 40

static brisk_dataset *make_data(void)
{
    static const char *const names[] = {"y", "agree", "yes", "x1", "x2", "sex", "region",
                                        "w", "id"};
    brisk_dataset *ds = brisk_dataset_new(ROWS);
    size_t col[sizeof names / sizeof names[0]];
    for (size_t j = 0; ds && j < sizeof names / sizeof names[0]; j++)
        if (brisk_dataset_add_column(ds, names[j], j == 5 ? BRISK_STRING : BRISK_NUMERIC,
                                     &col[j], NULL) != BRISK_OK) {
            brisk_dataset_free(ds);
            return NULL;
        }
    for (size_t i = 0; ds && i < ROWS; i++) {
        double x1 = sin(1.7 * (double)i) * 2.385, x2 = cos(0.9 * (double)i + 0.3);
        double y = 0.8 * x1 - 0.45 * x2 + sin(5.1 * (double)i);
        brisk_column_set_number(&ds->cols[col[0]], i, y);
        brisk_column_set_number(&ds->cols[col[1]], i, 1 + (double)((i * 7 + (size_t)(y > 0)) % 5));
        brisk_column_set_number(&ds->cols[col[2]], i, (double)(y + 0.3 * x2 > 0.1));
        brisk_column_set_number(&ds->cols[col[3]], i, x1);
        if (i % 11 != 4)
            brisk_column_set_number(&ds->cols[col[4]], i, x2);
        brisk_column_set_string(&ds->cols[col[5]], i, i % 3 ? "f" : "m");
        brisk_column_set_number(&ds->cols[col[6]], i, (double)(1 + i % 4));
        brisk_column_set_number(&ds->cols[col[7]], i, 0.5 + (double)(i % 5) * 0.375);
        brisk_column_set_number(&ds->cols[col[8]], i, (double)(i / 2));
    }
    if (ds && (brisk_column_add_label(&ds->cols[col[6]], 1, NULL, "north") != BRISK_OK ||
               brisk_column_add_label(&ds->cols[col[6]], 2, NULL, "south") != BRISK_OK ||
               brisk_column_add_label(&ds->cols[col[6]], 3, NULL, "east") != BRISK_OK ||
               brisk_column_add_label(&ds->cols[col[6]], 4, NULL, "west") != BRISK_OK)) {
        brisk_dataset_free(ds);
        return NULL;
    }
    return ds;
}

static void regress(const brisk_dataset *ds, const char *formula,
                    const brisk_regress_options *opt)
{
    brisk_table_list *tables = brisk_table_list_new();
    brisk_error err;
    if (tables && brisk_regress(ds, formula, opt, tables, &err) == BRISK_OK)
        brisk_write_tables(fuzz_null(), BRISK_OUT_TEXT, tables, &err);
    brisk_table_list_free(tables);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static brisk_dataset *ds;
    if (!ds && !(ds = make_data()))
        return 0;
    char *formula = fuzz_text(data, size);
    if (!formula)
        return 0;
    static const char *const sex_levels[] = {"m", "f"};
    static const brisk_levels levels = {.column = "sex", .levels = sex_levels, .n = 2};
    regress(ds, formula, &(brisk_regress_options){.family = BRISK_FAMILY_OLS,
                                                  .robust = BRISK_ROBUST_HC3,
                                                  .source = "fuzz.csv"});
    regress(ds, formula, &(brisk_regress_options){.family = BRISK_FAMILY_LOGIT, .weight = "w",
                                                  .has_event = true, .event_min = 4,
                                                  .event_max = 5, .source = "fuzz.csv"});
    regress(ds, formula, &(brisk_regress_options){.family = BRISK_FAMILY_ORDINAL,
                                                  .link = BRISK_LINK_PROBIT, .cluster = "id",
                                                  .levels = &levels, .nlevels = 1,
                                                  .source = "fuzz.csv"});
    free(formula);
    return 0;
}
