/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_hs.c: fit a structural equation model with libbrisk and print its
 * estimates.
 *
 * The Holzinger & Swineford (1939) three-factor CFA, lavaan's tutorial
 * model, fitted by maximum likelihood as lavaan's cfa() fits it.  The
 * estimates come back as a brisk_table, the type every analysis returns;
 * the program looks its columns up by key and prints one line per
 * parameter.
 *
 *     cc fit_hs.c $(pkg-config --cflags --libs brisk gsl) -o fit_hs
 *     ./fit_hs tests/data/hs.csv
 */
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <brisk.h>

static const char *model =
    "visual  =~ x1 + x2 + x3\n"
    "textual =~ x4 + x5 + x6\n"
    "speed   =~ x7 + x8 + x9\n";

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "hs.csv";
    brisk_error err;
    brisk_dataset *ds = NULL;
    brisk_fitted fitted = {0};
    brisk_table_list *tables = NULL;
    int status = 1;

    /* GSL's default error handler aborts; libbrisk checks every status. */
    gsl_set_error_handler_off();
    brisk_error_clear(&err);

    /* Read the data: CSV here; .sav, .dta, .sas7bdat ... alike. */
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        goto cleanup;

    /* Parse the model, build it over the data's columns, fit it by ML on
     * every row (NULL, 0), in one group (NULL), with lavaan's defaults. */
    brisk_model_options opt = {.name = "fit_hs.c"};
    if (brisk_fit_text(model, "fit_hs.c", 1, ds, NULL, 0, NULL, &opt, &fitted, &err) != BRISK_OK)
        goto cleanup;
    const brisk_fit_measures *m = &fitted.fit->fit;
    printf("ML, N = %zu: chi-square %.3f, df %.0f, CFI %.3f, RMSEA %.3f\n",
           m->nobs, m->chisq, m->df, m->cfi, m->rmsea);

    /* The fit as tables, the same the brisk program writes. */
    brisk_fit_result result = {.fit = fitted.fit, .fitted = &fitted};
    tables = brisk_table_list_new();
    if (!tables) {
        brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (brisk_fit_tables(&result, 1, tables, &err) != BRISK_OK)
        goto cleanup;

    /* Walk the parameter table ("fit.parameters") by its columns' keys. */
    for (size_t i = 0; i < tables->count; i++) {
        const brisk_table *t = tables->tables[i];
        if (strcmp(t->id, "fit.parameters") != 0)
            continue;
        size_t lhs = brisk_table_find_column(t, "lhs"), op = brisk_table_find_column(t, "op");
        size_t rhs = brisk_table_find_column(t, "rhs"), est = brisk_table_find_column(t, "est");
        size_t se = brisk_table_find_column(t, "se");
        for (size_t r = 0; r < t->nrows; r++)
            printf("%-8s %-2s %-8s %10.6f %10.6f\n", brisk_table_cell(t, r, lhs)->text,
                   brisk_table_cell(t, r, op)->text, brisk_table_cell(t, r, rhs)->text,
                   brisk_table_cell(t, r, est)->num, brisk_table_cell(t, r, se)->num);
    }
    status = 0;

cleanup:
    if (status != 0) {
        /* "file:line:column: message", with what the error knows. */
        char buf[1024];
        fprintf(stderr, "fit_hs: %s\n", brisk_error_format(&err, buf, sizeof buf));
    }
    brisk_table_list_free(tables);
    brisk_fitted_free(&fitted);
    brisk_dataset_free(ds);
    return status;
}
