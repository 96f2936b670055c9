/* brisk describe SURVEY: items per behaviour, agreement, demographics. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_describe = {
    .name = "describe",
    .summary = "items per behaviour: n, mean, sd, answers, % agreeing with 95% CI",
    .usage =
        "Usage: brisk describe [OPTION]... SURVEY\n"
        "Describe the items of a survey, behaviour by behaviour: n, missing, mean, SD,\n"
        "median, % per scale point, % agreeing (the survey's 'agree' range) with a\n"
        "95% Wilson interval, and the answers per scale point; then the demographics.\n"
        "With a weight in the survey, statistics are weighted and intervals use\n"
        "Kish's effective n.\n\n"
        "SURVEY is a .survey file or the name of a bundled survey (rongcheng).\n\n"
        "Options:\n"
        "  -f, --format FMT   text (default), csv, md, tex, json or xlsx\n"
        "  -o, --output FILE  write to FILE (format from its extension unless --format)\n"
        "  -q, --quiet        no warnings on standard error\n"
        "  -h, --help         show this help\n"
        "  -V, --version      show the version\n\n"
        "Example:\n"
        "  brisk describe rongcheng --format json -o items.json\n",
    .run = run,
};

static brisk_status describe(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                             brisk_error *err)
{
    (void)ctx;
    return brisk_describe(cs->data, out, err);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    cli_common common = {0};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        int status = cli_common_option(&common, opt, &cmd_describe);
        if (status >= 0)
            return status;
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_describe, optind >= argc ? "a survey is required"
                                                             : "one survey at a time");
    int status = cli_resolve_format(&common, &cmd_describe);
    if (status >= 0)
        return status;

    return cli_run_survey_tables(&common, argv[optind], describe, NULL);
}
