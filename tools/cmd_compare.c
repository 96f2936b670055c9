/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk compare SURVEY: paths compared between behaviours rated by the same
 * respondents. */
#include <config.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_compare = {
    .name = "compare",
    .summary = "paths compared between behaviours rated by the same respondents",
    .usage =
        "Usage: brisk compare [OPTION]... SURVEY\n"
        "Fit the survey's model for every behaviour and compare the structural paths\n"
        "and defined effects (:=) between behaviours.  Because the same respondents\n"
        "rated every behaviour, the estimates are not independent: each bootstrap\n"
        "draw resamples respondents once and refits every behaviour on that sample,\n"
        "so the differences' standard errors and intervals respect the pairing.\n"
        "Output: every path by behaviour (estimate, bootstrap SE, std.all) with a\n"
        "Wald test that it is equal in all behaviours; and every pair of behaviours:\n"
        "difference, SE, 95% percentile interval, z, p (and Holm's p).  In the long\n"
        "layout respondents are matched across behaviours by id.\n\n"
        "Options:\n"
        "      --bootstrap N     bootstrap draws (default 1000)\n"
        "      --seed S          seed of the draws (default 1)\n"
        "      --threads T       draws in T threads (default: the number of cores);\n"
        "                        the output is the same for any T\n"
        "      --exclude-inadmissible  leave out draws with a negative variance or a\n"
        "                        correlation beyond 1 in some behaviour (by default\n"
        "                        they are kept, as lavaan keeps them, and counted)\n"
        "      --adjust METHOD   holm, or none (default): adjusted p-values of the\n"
        "                        differences\n"
        "      --std-lv          identify factors by unit variances\n"
        CLI_ESTIMATION_HELP
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no progress bar nor warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Example:\n"
        "  brisk compare surveys/rongcheng/rongcheng.survey --bootstrap 2000 \\\n"
        "      --adjust holm\n",
    .run = run,
};

enum { OPT_BOOTSTRAP = 1000, OPT_CI, OPT_SEED, OPT_THREADS, OPT_ADJUST, OPT_STD_LV,
       OPT_EXCLUDE_INADMISSIBLE };

static brisk_status compare(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                            brisk_error *err)
{
    return brisk_compare_behaviours(cs->survey, cs->data, ctx, out, err);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"adjust", required_argument, NULL, OPT_ADJUST},
        {"exclude-inadmissible", no_argument, NULL, OPT_EXCLUDE_INADMISSIBLE},
        {"std-lv", no_argument, NULL, OPT_STD_LV}, CLI_ESTIMATION_OPTIONS, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    cli_common common = {0};
    brisk_compare_options copt = {0};
    int opt, status;
    optind = 1;
    cli_bootstrap_defaults(&copt.boot, 1000);
    cli_estimation_defaults(&copt.model);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case OPT_BOOTSTRAP:
        case OPT_SEED:
        case OPT_THREADS:
            if ((status = cli_bootstrap_option(&cmd_compare, opt - OPT_BOOTSTRAP, optarg,
                                               &copt.boot)) >= 0)
                return status;
            break;
        case OPT_ADJUST:
            if (strcmp(optarg, "holm") != 0 && strcmp(optarg, "none") != 0)
                return cli_usage_error(&cmd_compare, "--adjust takes holm or none, not '%s'",
                                       optarg);
            copt.holm = strcmp(optarg, "holm") == 0;
            break;
        case OPT_STD_LV: copt.model.std_lv = true; break;
        case OPT_EXCLUDE_INADMISSIBLE: copt.boot.exclude_inadmissible = true; break;
        case CLI_OPT_ESTIMATOR:
        case CLI_OPT_MISSING:
        case CLI_OPT_WEIGHT:
        case CLI_OPT_UNWEIGHTED:
        case CLI_OPT_CLUSTER:
        case CLI_OPT_UNCLUSTERED:
        case CLI_OPT_TIME_LIMIT:
            if ((status = cli_estimation_option(&cmd_compare, opt, optarg, &copt.model)) >= 0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&common, opt, &cmd_compare)) >= 0)
                return status;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_compare, optind >= argc ? "a survey is required"
                                                            : "one survey at a time");
    if ((status = cli_resolve_format(&common, &cmd_compare)) >= 0)
        return status;
    copt.boot.progress = cli_progress(&common, "bootstrap", &copt.boot.progress_ctx);
    status = cli_run_survey_tables(&common, argv[optind], compare, &copt);
    cli_progress_end(copt.boot.progress_ctx);
    return status;
}
