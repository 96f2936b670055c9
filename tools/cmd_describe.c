/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk describe SURVEY: items per behaviour, agreement, demographics. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        "Kish's effective n.\n"
        "With --by, approval by group: per item and demographic, the % approving in\n"
        "each level and a test that it does not differ (Pearson's chi-square and\n"
        "Cramér's V; with a weight, the Rao-Scott F of R's svychisq).\n\n"
        "SURVEY is a .survey file or the name of a bundled survey (rongcheng).\n\n"
        "Options:\n"
        "      --by COL,...   approval by these demographics (or 'demographics': all\n"
        "                     of the survey's [demographics])\n"
        "  -f, --format FMT   text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE  write to FILE (format from its extension unless --format)\n"
        "      --where COND   only the rows where COND holds ('age >= 18 & aware == 1')\n"
        "  -q, --quiet        no warnings on standard error\n"
        "  -h, --help         show this help\n"
        "  -V, --version      show the version\n\n"
        "Examples:\n"
        "  brisk describe surveys/rongcheng/rongcheng.survey --format json -o items.json\n"
        "  brisk describe surveys/kostka2019/kostka2019.survey --by age,education,urban\n",
    .run = run,
};

#define MAX_BY 64

typedef struct describe_options {
    cli_common common;
    char *by_text;                 /* the --by list, split in place */
    const char *by[MAX_BY];
    size_t nby;
    bool all_demographics;
} describe_options;

static brisk_status describe(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                             brisk_error *err)
{
    const describe_options *o = ctx;
    brisk_status st = brisk_describe(cs->data, out, err);
    const brisk_survey *s = cs->survey;
    const char *all[MAX_BY];
    const char *const *by = o->by;
    size_t nby = o->nby;
    if (o->all_demographics) {   /* the survey's [demographics] */
        nby = s->ndemographics < MAX_BY ? s->ndemographics : MAX_BY;
        for (size_t i = 0; i < nby; i++)
            all[i] = s->demographics[i].key;
        by = all;
    }
    if (st == BRISK_OK && nby)
        st = brisk_approval_by_group(cs->data, by, nby, out, err);
    return st;
}

static int parse_by(describe_options *o, const char *arg)
{
    free(o->by_text);
    o->by_text = strdup(arg);
    o->nby = 0;
    char *save = NULL;
    for (char *t = o->by_text ? strtok_r(o->by_text, ",", &save) : NULL; t;
         t = strtok_r(NULL, ",", &save)) {
        if (o->nby == MAX_BY)
            return cli_usage_error(&cmd_describe, "--by takes at most %d columns", MAX_BY);
        o->by[o->nby++] = t;
    }
    o->all_demographics = o->nby == 1 && strcmp(o->by[0], "demographics") == 0;
    if (!o->nby)
        return cli_usage_error(&cmd_describe, "--by takes column names separated by commas");
    return -1;
}

static int parse_options(describe_options *o, int argc, char **argv)
{
    enum { OPT_BY = 1000 };
    static const struct option options[] = {{"by", required_argument, NULL, OPT_BY},
                                            CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        status = opt == OPT_BY ? parse_by(o, optarg)
                               : cli_common_option(&o->common, opt, &cmd_describe);
        if (status >= 0)
            return status;
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_describe, optind >= argc ? "a survey is required"
                                                             : "one survey at a time");
    return cli_resolve_format(&o->common, &cmd_describe);
}

static int run(int argc, char **argv)
{
    describe_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status < 0)
        status = cli_run_survey_tables(&o.common, argv[optind], describe, &o);
    free(o.by_text);
    return status;
}
