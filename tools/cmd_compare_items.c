/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk compare-items: paired comparisons of items rated by the same
 * respondents. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_compare_items = {
    .name = "compare-items",
    .summary = "paired comparisons of items: % approving (McNemar), Wilcoxon, paired t",
    .usage =
        "Usage: brisk compare-items [OPTION]... SURVEY ITEM ITEM...\n"
        "       brisk compare-items [OPTION]... --data FILE --agree LO..HI ITEM ITEM...\n"
        "Compare items answered by the same respondents (policies, or one question\n"
        "before and after information), every pair in the order given, on the\n"
        "respondents who answered both: the % approving each and the difference in\n"
        "points with its interval and McNemar's test (as R's mcnemar.test); the mean\n"
        "difference with the paired t test; the Wilcoxon signed-rank test (as R's\n"
        "wilcox.test(paired = TRUE, exact = FALSE)).  With a survey, approving is an\n"
        "answer in its agree = range.  The tests are unweighted.  With a survey, an\n"
        "item with {b} (acc1_{b}) is compared per behaviour; a behaviour's item named\n"
        "by its wide name (acc1_crime) is that behaviour's answer; in the long layout\n"
        "answers are paired by respondent id across the behaviours' rows.\n\n"
        "Options:\n"
        "  -d, --data FILE       data file (CSV, xlsx, SPSS, Stata, SAS), no survey\n"
        CLI_READ_HELP
        "      --agree LO..HI    answers that count as approving (with --data; a\n"
        "                        survey's agree = by default)\n"
        "  -g, --group COL       the same within each level of COL\n"
        "      --ci-level L      level of the intervals (default 0.95)\n"
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Examples:\n"
        "  brisk compare-items surveys/rieger2020/rieger2020.survey pol_privileges \\\n"
        "      pol_informed --group country\n"
        "  brisk compare-items surveys/rongcheng/rongcheng.survey acc1_{b} acc2_{b}\n"
        "  brisk compare-items surveys/rongcheng/rongcheng.survey acc1_crime acc1_litter\n",
    .run = run,
};

enum { OPT_AGREE = 1000, OPT_CI_LEVEL };

typedef struct items_options {
    cli_common common;
    const char *data, *survey;
    char **items;
    size_t nitems;
    brisk_compare_items_options cmp;
} items_options;

/* "4..5" */
static bool parse_range(const char *arg, double *lo, double *hi)
{
    const char *dots = strstr(arg, "..");
    if (!dots || dots == arg)
        return false;
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)(dots - arg < 63 ? dots - arg : 63), arg);
    return cli_parse_number(first, -1e15, 1e15, lo) && cli_parse_number(dots + 2, *lo, 1e15, hi);
}

static int parse_options(items_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'}, {"agree", required_argument, NULL, OPT_AGREE},
        {"group", required_argument, NULL, 'g'},
        {"ci-level", required_argument, NULL, OPT_CI_LEVEL}, CLI_READ_OPTIONS, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:g:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'd': o->data = optarg; break;
        case 'g': o->cmp.group = optarg; break;
        case OPT_AGREE:
            if (!parse_range(optarg, &o->cmp.agree_min, &o->cmp.agree_max))
                return cli_usage_error(&cmd_compare_items, "--agree takes LO..HI (4..5), not "
                                       "'%s'", optarg);
            o->cmp.has_agree = true;
            break;
        case OPT_CI_LEVEL:
            if (!cli_parse_number(optarg, 0.5, 0.9999, &o->cmp.ci_level))
                return cli_usage_error(&cmd_compare_items, "--ci-level takes a level between "
                                       "0.5 and 0.9999, not '%s'", optarg);
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_compare_items)) >= 0)
                return status;
        }
    }
    if (!o->data && optind < argc)
        o->survey = argv[optind++];
    o->items = argv + optind;
    o->nitems = (size_t)(argc - optind);
    if (!o->data && !o->survey)
        return cli_usage_error(&cmd_compare_items, "give a survey or --data FILE, then the items");
    if ((status = cli_check_read_options(&o->common, o->data, &cmd_compare_items)) >= 0)
        return status;
    if (o->nitems < 2)
        return cli_usage_error(&cmd_compare_items, "name at least two items to compare");
    return cli_resolve_format(&o->common, &cmd_compare_items);
}

static brisk_status survey_items(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                                 brisk_error *err)
{
    const items_options *o = ctx;
    brisk_compare_items_options cmp = o->cmp;
    const brisk_survey *s = cs->survey;
    if (!cmp.has_agree && s->has_agree) {
        cmp.has_agree = true;
        cmp.agree_min = s->agree_min;
        cmp.agree_max = s->agree_max;
    }
    cmp.source = s->data_path ? s->data_path : cs->path;
    brisk_status st = brisk_compare_items_survey(cs->data, (const char *const *)o->items,
                                                 o->nitems, &cmp, out, err);
    if (st == BRISK_OK && s->weight)
        st = brisk_table_list_warn(out, "the survey's weight '%s' is not used: the paired tests "
                                   "are unweighted", s->weight);
    return st;
}

static brisk_status data_items(const char *text, const char *model_path, const brisk_dataset *ds,
                               const void *ctx, brisk_table_list *out, brisk_error *err)
{
    (void)text;
    (void)model_path;
    const items_options *o = ctx;
    brisk_compare_items_options cmp = o->cmp;
    cmp.source = o->data;
    return brisk_compare_items(ds, (const char *const *)o->items, o->nitems, &cmp, out, err);
}

static int run(int argc, char **argv)
{
    items_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    return o.survey ? cli_run_survey_tables(&o.common, o.survey, survey_items, &o)
                    : cli_run_data_tables(&o.common, o.data, NULL, data_items, &o);
}
