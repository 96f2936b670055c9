/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk reliability: alpha, omega, CR, AVE, HTMT and Fornell-Larcker per
 * construct (and behaviour). */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_reliability = {
    .name = "reliability",
    .summary = "reliability and validity per construct: alpha, omega, CR, AVE, HTMT",
    .usage =
        "Usage: brisk reliability [OPTION]... SURVEY\n"
        "       brisk reliability [OPTION]... --data FILE --model FILE\n"
        "For every construct of the model (a latent variable and its =~ items) and,\n"
        "in a survey, every behaviour whose items carry {b}:\n"
        "  Cronbach's alpha, raw and standardized, with Feldt's 95% interval and\n"
        "  Duhachek's SE, and per item the item-total correlations and alpha if\n"
        "  deleted, on the respondents who answered all the construct's items (as\n"
        "  psych::alpha on complete cases; reverse-keyed items already reversed);\n"
        "  from the CFA of the measurement model (the =~ and ~~ statements, every\n"
        "  factor correlated): McDonald's omega and composite reliability\n"
        "  (semTools compRelSEM), AVE (semTools AVE), the HTMT ratios (semTools\n"
        "  htmt) and the Fornell-Larcker table (sqrt(AVE) against the latent\n"
        "  correlations).\n"
        "Notes name the constructs with alpha or omega below .70, AVE below .50,\n"
        "HTMT above .85, a latent correlation not below both sqrt(AVE).\n\n"
        "Options:\n"
        "  -d, --data FILE       data file, with --model\n"
        CLI_READ_HELP
        "  -m, --model FILE      model file in lavaan syntax, with --data\n"
        "  -b, --behaviour B     only this behaviour, by its key or its label (in any\n"
        "                        case); repeatable\n"
        "      --htmt TYPE       htmt2 (default, geometric means: semTools' default)\n"
        "                        or original (Henseler et al.'s arithmetic means)\n"
        "      --weight COL      sampling weights (default: the survey's weight): alpha\n"
        "                        and the item statistics from the weighted covariances,\n"
        "                        the CFA as lavaan's sampling.weights\n"
        "      --unweighted      leave the survey's weight out\n"
        "      --cluster COL     clusters (default: the survey's cluster): the CFA's\n"
        "                        SEs as lavaan's cluster=\n"
        "      --unclustered     leave the survey's cluster out\n"
        CLI_TIME_LIMIT_HELP
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Example:\n"
        "  brisk reliability surveys/rongcheng/rongcheng.survey\n",
    .run = run,
};

enum { OPT_HTMT = 1000 };

typedef struct rel_options {
    cli_common common;
    const char *data, *model, *survey;
    const char *behaviours[64];
    size_t nbehaviours;
    brisk_reliability_options rel;
} rel_options;

static int parse_options(rel_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'}, {"model", required_argument, NULL, 'm'},
        {"behaviour", required_argument, NULL, 'b'}, {"htmt", required_argument, NULL, OPT_HTMT},
        {"weight", required_argument, NULL, CLI_OPT_WEIGHT},
        {"unweighted", no_argument, NULL, CLI_OPT_UNWEIGHTED},
        {"cluster", required_argument, NULL, CLI_OPT_CLUSTER},
        {"unclustered", no_argument, NULL, CLI_OPT_UNCLUSTERED}, CLI_TIME_LIMIT_OPTION,
        CLI_READ_OPTIONS, CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:m:b:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'd': o->data = optarg; break;
        case 'm': o->model = optarg; break;
        case 'b':
            if (o->nbehaviours == 64)
                return cli_usage_error(&cmd_reliability, "at most 64 --behaviour options");
            o->behaviours[o->nbehaviours++] = optarg;
            break;
        case OPT_HTMT:
            if (strcmp(optarg, "htmt2") != 0 && strcmp(optarg, "original") != 0)
                return cli_usage_error(&cmd_reliability, "--htmt takes htmt2 or original, not "
                                       "'%s'", optarg);
            o->rel.htmt_arithmetic = strcmp(optarg, "original") == 0;
            break;
        case CLI_OPT_WEIGHT:
        case CLI_OPT_UNWEIGHTED:
        case CLI_OPT_CLUSTER:
        case CLI_OPT_UNCLUSTERED:
        case CLI_OPT_TIME_LIMIT:
            if ((status = cli_estimation_option(&cmd_reliability, opt, optarg,
                                                &o->rel.model)) >= 0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_reliability)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        o->survey = argv[optind++];
    if (optind < argc)
        return cli_usage_error(&cmd_reliability, "unexpected argument '%s'", argv[optind]);
    if (o->survey ? (o->data || o->model) : (!o->data || !o->model))
        return cli_usage_error(&cmd_reliability, "give a survey, or both --data FILE and "
                               "--model FILE");
    if ((status = cli_check_read_options(&o->common, o->data, &cmd_reliability)) >= 0)
        return status;
    if (o->nbehaviours && !o->survey)
        return cli_usage_error(&cmd_reliability, "--behaviour goes with a survey");
    return cli_resolve_format(&o->common, &cmd_reliability);
}

static brisk_status survey_reliability(const cli_survey *cs, const void *ctx,
                                       brisk_table_list *out, brisk_error *err)
{
    const rel_options *o = ctx;
    return brisk_reliability_survey(cs->survey, cs->data, o->behaviours, o->nbehaviours, &o->rel,
                                    out, err);
}

static brisk_status data_reliability(const char *text, const char *model_path,
                                     const brisk_dataset *ds, const void *ctx,
                                     brisk_table_list *out, brisk_error *err)
{
    const rel_options *o = ctx;
    return brisk_reliability(text, model_path, 1, ds, NULL, 0, &o->rel, out, err);
}

static int run(int argc, char **argv)
{
    rel_options o = {.rel.model.time_limit = CLI_DEFAULT_TIME_LIMIT};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    if (o.survey &&
        (status = cli_check_behaviours(&cmd_reliability, o.survey, o.behaviours, o.nbehaviours)) >=
            0)
        return status;
    if (o.survey)
        return cli_run_survey_tables(&o.common, o.survey, survey_reliability, &o);
    return cli_run_data_tables(&o.common, o.data, o.model, data_reliability, &o);
}
