/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk invariance: configural, metric, scalar and strict invariance of a
 * model across the groups of a column. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_invariance = {
    .name = "invariance",
    .summary = "measurement invariance across groups: configural, metric, scalar, strict",
    .usage =
        "Usage: brisk invariance [OPTION]... SURVEY --group COL\n"
        "       brisk invariance [OPTION]... --data FILE --model FILE --group COL\n"
        "Fit the model jointly in the groups that COL defines at four levels of\n"
        "equality, each adding constraints to the one before: configural (same\n"
        "form), metric (loadings equal), scalar (and intercepts equal; latent means\n"
        "free after the first group), strict (and residual variances equal).  For\n"
        "each level: npar, chi-square, df, CFI, TLI, RMSEA, SRMR, AIC, BIC, and the\n"
        "chi-square difference test against the level before (as lavaan's\n"
        "lavTestLRT) with Delta CFI and Delta RMSEA.  With MLR or MLM the table adds\n"
        "the scaled chi-square and the robust CFI, TLI and RMSEA, and the difference\n"
        "is Satorra and Bentler's (2001) scaled difference, lavTestLRT's for them.  A\n"
        "survey's model is tested for each behaviour.  Under a level the difference\n"
        "test rejects (p < .05), a second table lists the constraints that level\n"
        "adds, the five largest univariate score tests first (lavaan's\n"
        "lavTestScore): the parameters to release first with --group-partial.\n\n"
        "Options:\n"
        "  -g, --group COL       the column whose values define the groups\n"
        "  -d, --data FILE       data file, with --model\n"
        CLI_READ_HELP
        "  -m, --model FILE      model file in lavaan syntax, with --data\n"
        "  -b, --behaviour B     test only this behaviour, by its key or its label (in\n"
        "                        any case); repeatable\n"
        "      --std-lv          identify factors by unit variances\n"
        "      --group-partial LIST  leave these parameters free across groups at\n"
        "                        the levels that hold their class equal (lavaan's\n"
        "                        group.partial): 'x3 ~ 1, x7 ~ 1' (commas or newlines)\n"
        CLI_ESTIMATION_HELP
        "      --se SE, --test T lavaan's names of the fits' standard errors and test,\n"
        "                        accepted where they are the fits' own (see brisk fit\n"
        "                        --help); another is an error saying what gives it\n"
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Example:\n"
        "  brisk invariance --data tests/data/hs.csv --model doc/examples/hs.lav \\\n"
        "      --group school\n",
    .run = run,
};

enum { OPT_STD_LV = 1000, OPT_SE, OPT_TEST, OPT_GROUP_PARTIAL };

typedef struct inv_options {
    cli_common common;
    const char *data, *model, *survey, *group;
    const char *se, *test;        /* lavaan's names, checked against the fits */
    const char *behaviours[64];
    size_t nbehaviours;
    brisk_model_options model_opt;
} inv_options;

static int parse_options(inv_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"group", required_argument, NULL, 'g'}, {"data", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'}, {"behaviour", required_argument, NULL, 'b'},
        {"std-lv", no_argument, NULL, OPT_STD_LV}, CLI_ESTIMATION_OPTIONS, CLI_READ_OPTIONS,
        CLI_COMMON_OPTIONS,
        {"se", required_argument, NULL, OPT_SE}, {"test", required_argument, NULL, OPT_TEST},
        {"group-partial", required_argument, NULL, OPT_GROUP_PARTIAL}, {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    cli_estimation_defaults(&o->model_opt);
    while ((opt = getopt_long(argc, argv, "g:d:m:b:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'g': o->group = optarg; break;
        case 'd': o->data = optarg; break;
        case 'm': o->model = optarg; break;
        case 'b':
            if (o->nbehaviours == 64)
                return cli_usage_error(&cmd_invariance, "at most 64 --behaviour options");
            o->behaviours[o->nbehaviours++] = optarg;
            break;
        case OPT_STD_LV: o->model_opt.std_lv = true; break;
        case OPT_SE: o->se = optarg; break;
        case OPT_TEST: o->test = optarg; break;
        case OPT_GROUP_PARTIAL: o->model_opt.group_partial = optarg; break;
        case CLI_OPT_ESTIMATOR:
        case CLI_OPT_MISSING:
        case CLI_OPT_WEIGHT:
        case CLI_OPT_UNWEIGHTED:
        case CLI_OPT_CLUSTER:
        case CLI_OPT_UNCLUSTERED:
        case CLI_OPT_TIME_LIMIT:
            if ((status = cli_estimation_option(&cmd_invariance, opt, optarg, &o->model_opt)) >=
                0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_invariance)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        o->survey = argv[optind++];
    if (optind < argc)
        return cli_usage_error(&cmd_invariance, "unexpected argument '%s'", argv[optind]);
    if (!o->group)
        return cli_usage_error(&cmd_invariance, "--group COL is required");
    if (o->survey ? (o->data || o->model) : (!o->data || !o->model))
        return cli_usage_error(&cmd_invariance, "give a survey, or both --data FILE and "
                               "--model FILE");
    if ((status = cli_check_read_options(&o->common, o->data, &cmd_invariance)) >= 0)
        return status;
    if (o->nbehaviours && !o->survey)
        return cli_usage_error(&cmd_invariance, "--behaviour goes with a survey");
    if (o->se && strcmp(o->se, "bootstrap") == 0)
        return cli_usage_error(&cmd_invariance, "--se bootstrap: the invariance tests have no "
                               "bootstrap (brisk fit --group COL --bootstrap N has)");
    if (o->data && (status = cli_check_se_test(&cmd_invariance, o->se, o->test, &o->model_opt,
                                               o->model_opt.weight, o->model_opt.cluster,
                                               false)) >= 0)
        return status;
    return cli_resolve_format(&o->common, &cmd_invariance);
}

static brisk_status survey_invariance(const cli_survey *cs, const void *ctx,
                                      brisk_table_list *out, brisk_error *err)
{
    const inv_options *o = ctx;
    return brisk_invariance_survey(cs->survey, cs->data, o->behaviours, o->nbehaviours, o->group,
                                   &o->model_opt, out, err);
}

static brisk_status data_invariance(const char *text, const char *model_path,
                                    const brisk_dataset *ds, const void *ctx,
                                    brisk_table_list *out, brisk_error *err)
{
    const inv_options *o = ctx;
    return brisk_invariance(text, model_path, 1, ds, NULL, 0, o->group, &o->model_opt, out, err);
}

static int run(int argc, char **argv)
{
    inv_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    if (o.survey &&
        (status = cli_check_behaviours(&cmd_invariance, o.survey, o.behaviours, o.nbehaviours)) >= 0)
        return status;
    if (o.survey && (status = cli_check_se_test_survey(&cmd_invariance, o.survey, o.se, o.test,
                                                       &o.model_opt)) >= 0)
        return status;
    if (o.survey)
        return cli_run_survey_tables(&o.common, o.survey, survey_invariance, &o);
    return cli_run_data_tables(&o.common, o.data, o.model, data_invariance, &o);
}
