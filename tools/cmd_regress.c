/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk regress: OLS, logit and ordered logit/probit regressions of a
 * survey's or a data file's columns. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_regress = {
    .name = "regress",
    .summary = "OLS, logit and ordered logit/probit regressions, weighted",
    .usage =
        "Usage: brisk regress [OPTION]... SURVEY --formula 'y ~ x1 + x2'\n"
        "       brisk regress [OPTION]... --data FILE --formula 'y ~ x1 + x2'\n"
        "Regress a column on others (an R formula: '+' adds a term, 'a:b' is an\n"
        "interaction, 'a*b' is a + b + a:b, '- 1' drops the intercept; I(age^2),\n"
        "I(income/1000), log(), log10(), sqrt(), exp() and scale() of numeric columns;\n"
        "`Trust 1` names a column with blanks).  Text columns,\n"
        "columns with value labels and columns given --levels are categorical: a\n"
        "dummy per level but the first (the reference), named column=level.\n"
        "Rows missing any variable of the model are left out and counted.\n"
        "Output: the coefficients (estimate, SE, t or z, p, Wald interval; odds\n"
        "ratios for logit models; thresholds first for ordinal models, as\n"
        "ordinal::clm) and the fit (n used and left out, R-squared or McFadden's\n"
        "and Nagelkerke's pseudo-R-squared, log-likelihood, AIC, BIC).\n"
        "With a survey, its weight (weight = in [survey]) is a sampling weight, and\n"
        "a logit of one of its items models agreeing (its agree = range) or not.\n"
        "{b} in the formula ('acc1_{b} ~ age + pb1_{b}') fits one model per behaviour,\n"
        "in either layout.  Without {b}, a long-layout survey's model pools the rows\n"
        "of every behaviour, with standard errors clustered by respondent (its id).\n\n"
        "Options:\n"
        "  -d, --data FILE       data file (CSV, xlsx, SPSS, Stata, SAS), no survey\n"
        CLI_READ_HELP
        "  -F, --formula F       the model, 'outcome ~ predictors' (required)\n"
        "      --family NAME     ols (default), logit (two outcome values: the second\n"
        "                        is the event) or ordinal (proportional odds)\n"
        "      --link NAME       ordinal: logit (default) or probit\n"
        "      --robust TYPE     OLS: hc1 or hc3 heteroskedasticity-robust SEs\n"
        "  -w, --weight COL      weight column (default: the survey's weight)\n"
        "      --weight-type T   sampling (default: sandwich SEs, as R's survey package)\n"
        "                        or frequency (whole numbers counting cases)\n"
        "      --unweighted      ignore the survey's weight\n"
        "      --cluster COL     primary sampling units: design-based SEs clustered by\n"
        "                        COL (default: the survey's cluster =; a long survey's\n"
        "                        id for a pooled model)\n"
        "      --strata COL      strata of the design (default: the survey's strata =)\n"
        "      --fpc COL         finite population correction per stratum: population\n"
        "                        PSUs or sampling fraction (default: the survey's fpc =)\n"
        "      --levels COL=a,b  order of COL's levels, first the reference (or, for\n"
        "                        an ordinal outcome, lowest to highest); repeatable\n"
        "      --ci-level L      level of the intervals (default 0.95)\n"
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Examples:\n"
        "  brisk regress surveys/kostka2019/kostka2019.survey --family ordinal \\\n"
        "      --formula 'approve ~ age + education + income + urban'\n"
        "  brisk regress surveys/rongcheng/rongcheng.survey --family ordinal \\\n"
        "      --formula 'acc1_{b} ~ age + tg1'\n"
        "  brisk regress --data tests/data/housing.csv --family ordinal --weight Freq \\\n"
        "      --weight-type frequency --formula 'Sat ~ Infl + Type + Cont'\n",
    .run = run,
};

enum {
    OPT_FAMILY = 1000, OPT_LINK, OPT_ROBUST, OPT_WEIGHT_TYPE, OPT_UNWEIGHTED, OPT_LEVELS,
    OPT_CI_LEVEL, OPT_CLUSTER, OPT_STRATA, OPT_FPC
};

#define MAX_LEVEL_OPTIONS 32
#define MAX_LEVELS 256

typedef struct regress_options {
    cli_common common;
    const char *data, *survey, *formula;
    bool unweighted;
    brisk_regress_options reg;
    brisk_levels levels[MAX_LEVEL_OPTIONS];
    char *level_text[MAX_LEVEL_OPTIONS];            /* copies the levels point into */
    const char *level_names[MAX_LEVEL_OPTIONS][MAX_LEVELS];
} regress_options;

static void free_options(regress_options *o)
{
    for (size_t i = 0; i < o->reg.nlevels; i++)
        free(o->level_text[i]);
}

/* --levels COL=a,b,c */
static int parse_levels(regress_options *o, const char *arg)
{
    size_t i = o->reg.nlevels;
    const char *eq = strchr(arg, '=');
    if (i == MAX_LEVEL_OPTIONS)
        return cli_usage_error(&cmd_regress, "at most %d --levels options", MAX_LEVEL_OPTIONS);
    if (!eq || eq == arg || !eq[1])
        return cli_usage_error(&cmd_regress, "--levels takes COLUMN=level1,level2,..., not "
                               "'%s'", arg);
    char *copy = strdup(arg);
    if (!copy)
        return cli_usage_error(&cmd_regress, "out of memory");
    o->level_text[i] = copy;
    copy[eq - arg] = '\0';
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy + (eq - arg) + 1, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == MAX_LEVELS)
            return cli_usage_error(&cmd_regress, "--levels takes at most %d levels", MAX_LEVELS);
        o->level_names[i][n++] = t;
    }
    o->levels[i] = (brisk_levels){.column = copy, .levels = o->level_names[i], .n = n};
    o->reg.nlevels = i + 1;
    o->reg.levels = o->levels;
    return -1;
}

static int parse_choice(const char *arg, const char *what, const char *const *names, size_t n,
                        int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arg, names[i]) == 0) {
            *out = (int)i;
            return -1;
        }
    return cli_usage_error(&cmd_regress, "%s takes %s, not '%s'", what,
                           n == 3 ? "ols, logit or ordinal"
                           : strcmp(what, "--robust") == 0 ? "hc1 or hc3"
                           : strcmp(what, "--link") == 0   ? "logit or probit"
                                                           : "sampling or frequency",
                           arg);
}

static int option_value(regress_options *o, int opt, const char *arg)
{
    static const char *const families[] = {"ols", "logit", "ordinal"};
    static const char *const links[] = {"logit", "probit"};
    static const char *const robust[] = {"hc1", "hc3"};
    static const char *const types[] = {"sampling", "frequency"};
    int v = 0, status;
    double level;
    switch (opt) {
    case OPT_FAMILY:
        status = parse_choice(arg, "--family", families, 3, &v);
        o->reg.family = (brisk_family)v;
        return status;
    case OPT_LINK:
        status = parse_choice(arg, "--link", links, 2, &v);
        o->reg.link = (brisk_link)v;
        return status;
    case OPT_ROBUST:
        status = parse_choice(arg, "--robust", robust, 2, &v);
        o->reg.robust = (brisk_robust)(v + 1);
        return status;
    case OPT_WEIGHT_TYPE:
        status = parse_choice(arg, "--weight-type", types, 2, &v);
        o->reg.weight_type = (brisk_weight_type)v;
        return status;
    case OPT_LEVELS: return parse_levels(o, arg);
    default:   /* OPT_CI_LEVEL */
        if (!cli_parse_number(arg, 0.5, 0.9999, &level))
            return cli_usage_error(&cmd_regress, "--ci-level takes a level between 0.5 and "
                                   "0.9999, not '%s'", arg);
        o->reg.ci_level = level;
        return -1;
    }
}

static int parse_options(regress_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'}, {"formula", required_argument, NULL, 'F'},
        {"family", required_argument, NULL, OPT_FAMILY}, {"link", required_argument, NULL, OPT_LINK},
        {"robust", required_argument, NULL, OPT_ROBUST}, {"weight", required_argument, NULL, 'w'},
        {"weight-type", required_argument, NULL, OPT_WEIGHT_TYPE},
        {"unweighted", no_argument, NULL, OPT_UNWEIGHTED},
        {"levels", required_argument, NULL, OPT_LEVELS},
        {"ci-level", required_argument, NULL, OPT_CI_LEVEL},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"strata", required_argument, NULL, OPT_STRATA},
        {"fpc", required_argument, NULL, OPT_FPC}, CLI_READ_OPTIONS, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:F:w:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'd': o->data = optarg; break;
        case 'F': o->formula = optarg; break;
        case 'w': o->reg.weight = optarg; break;
        case OPT_UNWEIGHTED: o->unweighted = true; break;
        case OPT_CLUSTER: o->reg.cluster = optarg; break;
        case OPT_STRATA: o->reg.strata = optarg; break;
        case OPT_FPC: o->reg.fpc = optarg; break;
        case OPT_FAMILY:
        case OPT_LINK:
        case OPT_ROBUST:
        case OPT_WEIGHT_TYPE:
        case OPT_LEVELS:
        case OPT_CI_LEVEL:
            if ((status = option_value(o, opt, optarg)) >= 0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_regress)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        o->survey = argv[optind++];
    if (optind < argc)
        return cli_usage_error(&cmd_regress, "unexpected argument '%s'", argv[optind]);
    if (!o->survey == !o->data)
        return cli_usage_error(&cmd_regress, "give a survey or --data FILE");
    if ((status = cli_check_read_options(&o->common, o->data, &cmd_regress)) >= 0)
        return status;
    if (!o->formula)
        return cli_usage_error(&cmd_regress, "--formula 'outcome ~ predictors' is required");
    if (o->reg.robust && o->reg.family != BRISK_FAMILY_OLS)
        return cli_usage_error(&cmd_regress, "--robust goes with --family ols");
    if (o->reg.link == BRISK_LINK_PROBIT && o->reg.family != BRISK_FAMILY_ORDINAL)
        return cli_usage_error(&cmd_regress, "--link probit goes with --family ordinal");
    if (o->unweighted && o->reg.weight)
        return cli_usage_error(&cmd_regress, "give --weight or --unweighted, not both");
    if ((o->reg.cluster || o->reg.strata || o->reg.fpc) && o->reg.robust)
        return cli_usage_error(&cmd_regress, "--%s and --robust do not go together: "
                               "design-based SEs are already robust",
                               o->reg.cluster ? "cluster" : o->reg.strata ? "strata" : "fpc");
    return cli_resolve_format(&o->common, &cmd_regress);
}

static brisk_status survey_regress(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                                   brisk_error *err)
{
    const regress_options *o = ctx;
    brisk_regress_options reg = o->reg;
    if (!reg.weight && !o->unweighted)
        reg.weight = cs->survey->weight;
    /* the survey's design, where the command line does not replace a part */
    if (!reg.cluster)
        reg.cluster = cs->survey->cluster;
    if (!reg.strata)
        reg.strata = cs->survey->strata;
    if (!reg.fpc)
        reg.fpc = cs->survey->fpc;
    reg.source = cs->survey->data_path ? cs->survey->data_path : cs->path;
    if (reg.robust && reg.weight && reg.weight_type == BRISK_WEIGHT_SAMPLING)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--robust and the survey's sampling "
                               "weight '%s' do not go together: sampling weights already get "
                               "sandwich SEs (or add --unweighted)", reg.weight);
    return brisk_regress_survey(cs->data, o->formula, &reg, out, err);
}

static brisk_status data_regress(const char *text, const char *model_path,
                                 const brisk_dataset *ds, const void *ctx, brisk_table_list *out,
                                 brisk_error *err)
{
    (void)text;
    (void)model_path;
    const regress_options *o = ctx;
    brisk_regress_options reg = o->reg;
    reg.source = o->data;
    if (reg.robust && reg.weight && reg.weight_type == BRISK_WEIGHT_SAMPLING)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--robust goes with frequency weights "
                               "or none: sampling weights already get sandwich SEs");
    return brisk_regress(ds, o->formula, &reg, out, err);
}

static int run(int argc, char **argv)
{
    regress_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status < 0)
        status = o.survey ? cli_run_survey_tables(&o.common, o.survey, survey_regress, &o)
                          : cli_run_data_tables(&o.common, o.data, NULL, data_regress, &o);
    free_options(&o);
    return status;
}
