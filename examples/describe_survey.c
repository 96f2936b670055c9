/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * describe_survey.c: load a survey with libbrisk, describe its items and
 * write the tables as CSV.
 *
 * A .survey file names the data, the behaviours, the items and their
 * missing codes and reverse keys.  brisk_survey_read_data reads the data
 * and applies all that; brisk_describe makes the tables of `brisk
 * describe` (n, mean, sd, agreement per item and behaviour, weighted when
 * the survey has a weight); brisk_write_tables writes them in any text
 * format.
 *
 *     cc describe_survey.c $(pkg-config --cflags --libs brisk gsl) -o describe_survey
 *     ./describe_survey surveys/rongcheng/rongcheng.survey
 */
#include <stdio.h>
#include <gsl/gsl_errno.h>
#include <brisk.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: describe_survey FILE.survey\n");
        return 1;
    }
    brisk_error err;
    brisk_survey *survey = NULL;
    brisk_survey_data *data = NULL;
    brisk_table_list *tables = NULL;
    int status = 1;

    /* GSL's default error handler aborts; libbrisk checks every status. */
    gsl_set_error_handler_off();
    brisk_error_clear(&err);

    /* The instrument, then its data, checked and prepared. */
    if (brisk_survey_load(argv[1], &survey, &err) != BRISK_OK ||
        brisk_survey_read_data(survey, &data, &err) != BRISK_OK)
        goto cleanup;

    /* Describe the items, then write every table: CSV keeps full precision. */
    tables = brisk_table_list_new();
    if (!tables) {
        brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (brisk_describe(data, tables, &err) != BRISK_OK ||
        brisk_write_tables(stdout, BRISK_OUT_CSV, tables, &err) != BRISK_OK)
        goto cleanup;

    /* Warnings (a weight of zero, a dropped item ...) belong to the run. */
    for (size_t i = 0; i < tables->nwarnings; i++)
        fprintf(stderr, "describe_survey: warning: %s\n", tables->warnings[i]);
    status = 0;

cleanup:
    if (status != 0) {
        /* "file:line:column: message", with what the error knows. */
        char buf[1024];
        fprintf(stderr, "describe_survey: %s\n", brisk_error_format(&err, buf, sizeof buf));
    }
    brisk_table_list_free(tables);
    brisk_survey_data_free(data);
    brisk_survey_free(survey);
    return status;
}
