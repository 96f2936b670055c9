/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk interviews: themes, co-occurrence, agreement between coders and
 * quotes of a coded-interview project (REFI-QDA or a segments CSV), and
 * with a survey's [interviews] the joint display beside its answers. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_interviews = {
    .name = "interviews",
    .summary = "coded interviews: themes, co-occurrence, agreement between coders, quotes",
    .usage =
        "Usage: brisk interviews [OPTION]... PROJECT.qdpx|SEGMENTS.csv|SURVEY\n"
        "Reads a coded-interview project: a REFI-QDA project exchange file (.qdpx,\n"
        "as NVivo, ATLAS.ti, MAXQDA and QualCoder export it; also a bare .qde), a\n"
        "REFI-QDA codebook (.qdc: the codebook only), a CSV of coded segments\n"
        "(doc/interviews.md), or the project a survey names in [interviews].\n"
        "Participants are the project's cases (a source in no case counts as one).\n"
        "Tables:\n"
        "  themes          per code and parent code: participants who raised it, their\n"
        "                  share with a Wilson 95% CI, segments and words coded\n"
        "  themes by VAR   (--by) participants per level of a case variable, with\n"
        "                  Fisher's exact test (as R's fisher.test)\n"
        "  co-occurrence   pairs of codes: overlapping segments, participants with\n"
        "                  both, Jaccard\n"
        "  agreement       per code between the coders: % agreement, Cohen's kappa\n"
        "                  (two coders), Fleiss' kappa, Krippendorff's alpha with a\n"
        "                  bootstrap 95% CI, at the --unit chosen\n"
        "  quotes          every coded segment's text with participant and coder\n"
        "  joint display   (a survey whose [interviews] has link =) per code and\n"
        "                  construct: mean score of the participants who raised it\n"
        "                  and of those who did not\n\n"
        "Options:\n"
        "      --coder NAME      themes, co-occurrence and quotes of one coder only\n"
        "      --by VAR          themes by a case variable (repeatable)\n"
        "      --unit UNIT       unit of agreement: participant (default), source or\n"
        "                        segment (overlapping selections form one unit)\n"
        "      --categories CODE agreement on one variable whose categories are the\n"
        "                        codes under CODE (matched by label): Cohen's kappa\n"
        "                        unweighted, linear and squared, Fleiss' kappa, alpha\n"
        "      --level LEVEL     alpha's metric for --categories: nominal (default),\n"
        "                        ordinal, interval or ratio\n"
        "      --bootstrap N     draws for alpha's CI (default 1000)\n"
        "      --seed S          seed of those draws (default 1)\n"
        "      --no-quotes       leave the quotes out\n"
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the survey's respondents where COND holds (the\n"
        "                        joint display)\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Examples:\n"
        "  brisk interviews surveys/ahmed2017/ahmed2017.qdpx --by user\n"
        "  brisk interviews surveys/rongcheng/rongcheng.survey --unit source -o interviews.xlsx\n",
    .run = run,
};

enum {
    OPT_CODER = 1000, OPT_BY, OPT_UNIT, OPT_CATEGORIES, OPT_LEVEL, OPT_BOOTSTRAP, OPT_SEED,
    OPT_NO_QUOTES
};

#define MAX_BY 16

typedef struct iv_options {
    cli_common common;
    const char *input;
    const char *by[MAX_BY];
    brisk_interviews_options iv;
} iv_options;

static int parse_word(const char *opt, const char *arg, const char *const *words, size_t n,
                      int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arg, words[i]) == 0) {
            *out = (int)i;
            return -1;
        }
    char list[200] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i ? (i + 1 == n ? " or " : ", ") : "", words[i]);
    return cli_usage_error(&cmd_interviews, "%s takes %s, not '%s'", opt, list, arg);
}

static int parse_options(iv_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"coder", required_argument, NULL, OPT_CODER}, {"by", required_argument, NULL, OPT_BY},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"categories", required_argument, NULL, OPT_CATEGORIES},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"seed", required_argument, NULL, OPT_SEED},
        {"no-quotes", no_argument, NULL, OPT_NO_QUOTES}, CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    static const char *const units[] = {"participant", "source", "segment"};
    static const char *const levels[] = {"nominal", "ordinal", "interval", "ratio"};
    int opt, status, word = 0;
    unsigned long long n;
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case OPT_CODER: o->iv.coder = optarg; break;
        case OPT_CATEGORIES: o->iv.categories = optarg; break;
        case OPT_NO_QUOTES: o->iv.no_quotes = true; break;
        case OPT_BY:
            if (o->iv.nby == MAX_BY)
                return cli_usage_error(&cmd_interviews, "at most %d --by options", MAX_BY);
            o->by[o->iv.nby++] = optarg;
            break;
        case OPT_UNIT:
            if ((status = parse_word("--unit", optarg, units, 3, &word)) >= 0)
                return status;
            o->iv.unit = (brisk_interview_unit)word;
            break;
        case OPT_LEVEL:
            if ((status = parse_word("--level", optarg, levels, 4, &word)) >= 0)
                return status;
            o->iv.level = (brisk_interview_level)word;
            break;
        case OPT_BOOTSTRAP:
            if (!cli_parse_count(optarg, 100, 1000000, &n))
                return cli_usage_error(&cmd_interviews, "--bootstrap takes a number of draws "
                                       "from 100 to 1000000, not '%s'", optarg);
            o->iv.bootstrap = (size_t)n;
            break;
        case OPT_SEED:
            if (!cli_parse_count(optarg, 0, UINT64_MAX, &n))
                return cli_usage_error(&cmd_interviews, "--seed takes a non-negative whole "
                                       "number, not '%s'", optarg);
            o->iv.seed = n;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_interviews)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        o->input = argv[optind++];
    if (optind < argc)
        return cli_usage_error(&cmd_interviews, "unexpected argument '%s'", argv[optind]);
    if (!o->input)
        return cli_usage_error(&cmd_interviews, "give a project (.qdpx, .qde, .qdc), a "
                               "segments CSV or a survey with [interviews]");
    if (o->iv.level != BRISK_LEVEL_NOMINAL && !o->iv.categories)
        return cli_usage_error(&cmd_interviews, "--level goes with --categories");
    o->iv.by = o->by;
    return cli_resolve_format(&o->common, &cmd_interviews);
}

static bool is_project_file(const char *path)
{
    static const char *const ext[] = {".qdpx", ".qde", ".qdc", ".csv", ".tsv"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strlen(path) >= strlen(ext[i]) &&
            strcasecmp(path + strlen(path) - strlen(ext[i]), ext[i]) == 0)
            return true;
    return false;
}

/* The project a survey's [interviews] names, and the joint display when
 * it links participants to respondents. */
static brisk_status survey_interviews(const iv_options *o, brisk_table_list *out,
                                      brisk_error *err)
{
    cli_survey cs;
    brisk_status st = cli_survey_open(&cs, o->input, o->common.where, err);
    if (st != BRISK_OK) {
        cli_survey_close(&cs);
        return st;
    }
    brisk_qual_project *p = NULL;
    if (!cs.survey->interviews) {
        st = brisk_error_set(err, BRISK_ERR_FORMAT,
                             "the survey has no [interviews] section naming a project: add "
                             "'[interviews]' with 'project = FILE' (doc/survey-format.md), or "
                             "give the project file itself");
        brisk_error_at(err, cs.survey->path, 0, 0);
    } else {
        st = brisk_qual_read(cs.survey->interviews_path, &p, err);
    }
    if (st == BRISK_OK)
        st = brisk_interviews(p, &o->iv, out, err);
    if (st == BRISK_OK && cs.survey->interviews_link) {
        size_t before = out->count;
        st = brisk_interviews_joint(p, cs.survey->interviews_link, cs.data, &o->iv, out, err);
        if (st != BRISK_OK && !err->file[0])
            brisk_error_at(err, cs.survey->path, cs.survey->interviews_link_line, 0);
        /* a filter selects survey respondents: only the joint display uses them */
        char note[1024];
        brisk_survey_filter_note(cs.data, note, sizeof note);
        for (size_t k = before; st == BRISK_OK && note[0] && k < out->count; k++)
            st = brisk_table_add_note(out->tables[k], "Survey %c%s", note[0] + 32, note + 1);
    }
    brisk_qual_project_free(p);
    cli_survey_close(&cs);
    return st;
}

static int run(int argc, char **argv)
{
    iv_options o = {.iv.seed = 1};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_table_list *tables = brisk_table_list_new();
    brisk_status st;
    if (!tables) {
        st = brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    } else if (is_project_file(o.input) && o.common.where) {
        brisk_table_list_free(tables);
        return cli_usage_error(&cmd_interviews, "--where selects survey respondents for the "
                               "joint display: give the survey with [interviews], not the "
                               "project");
    } else if (is_project_file(o.input)) {
        brisk_qual_project *p = NULL;
        st = brisk_qual_read(o.input, &p, &err);
        if (st == BRISK_OK)
            st = brisk_interviews(p, &o.iv, tables, &err);
        brisk_qual_project_free(p);
    } else {
        st = survey_interviews(&o, tables, &err);
    }
    if (st == BRISK_OK) {
        cli_print_warnings(&o.common, tables);
        status = cli_write_tables(&o.common, tables);
    } else {
        status = cli_fail(&err);
    }
    brisk_table_list_free(tables);
    return status;
}
