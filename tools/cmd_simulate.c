/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk simulate: data from a population model in lavaan syntax. */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_simulate = {
    .name = "simulate",
    .summary = "draw data from a population model (lavaan syntax with values)",
    .usage =
        "Usage: brisk simulate --model POP.lav --n N [OPTION]... -o FILE\n"
        "Draw N respondents from a population model written in lavaan syntax with\n"
        "the population values (\"benefit =~ 0.8*pb1 + 0.7*pb2\"; \"accept ~ 0.4*benefit\"),\n"
        "as lavaan's simulateData: every latent variance (or residual variance) 1\n"
        "unless written, observed predictors ordinary variables of variance 1; a\n"
        "value left out is 1 for a loading or a variance and 0 otherwise.  The data\n"
        "are normal; \"y | -1*t1 + 0*t2 + 1*t3\" cuts y (scaled to variance 1) into\n"
        "categories 1..4.  The same seed gives the same file.\n\n"
        "Options:\n"
        "  -m, --model FILE      the population model (required)\n"
        "  -n, --n N             respondents (required)\n"
        "      --seed S          seed of the draws (default 1)\n"
        "      --standardized    residual variances set so that every variable has\n"
        "                        variance 1 (loadings left out are then 0.7)\n"
        "      --likert K        cut every variable without thresholds of its own into\n"
        "                        K categories spanning +-2 SD evenly (with --survey:\n"
        "                        its items, when it has no scale to set K)\n"
        "      --thresholds T1,T2,...  or at T1 SD, T2 SD, ... (around 0: an intercept\n"
        "                        moves the answers up)\n"
        "      --missing P       leave each cell (each item's, with --survey) missing\n"
        "                        with probability P (completely at random)\n"
        "      --digits D        round continuous values to D decimals\n"
        "      --survey FILE     shape the data as the survey's data file: lines of the\n"
        "                        model with {b} are repeated per behaviour (c(v1,...)\n"
        "                        giving one value per behaviour), items are cut to the\n"
        "                        survey's scale, reverse-keyed items reversed, an id\n"
        "                        column added, the long layout written as it is\n"
        "  -o, --output FILE     the data file to write (.csv or .tsv; required)\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Example:\n"
        "  brisk simulate --model doc/examples/pop.lav --n 500 --seed 7 --likert 5 \\\n"
        "      -o sim.csv\n",
    .run = run,
};

enum {
    OPT_SEED = 1000, OPT_STANDARDIZED, OPT_LIKERT, OPT_THRESHOLDS, OPT_MISSING, OPT_DIGITS,
    OPT_SURVEY
};

typedef struct sim_options {
    cli_common common;
    const char *model, *survey;
    brisk_simulate_options sim;
    double cuts[64];
    bool standardized, have_n;
} sim_options;

static int option_value(sim_options *o, int opt, const char *arg)
{
    double v;
    unsigned long long k;
    switch (opt) {
    case 'n':
        if (!cli_parse_count(arg, 1, 100000000, &k))
            return cli_usage_error(&cmd_simulate, "--n takes a number of respondents from 1 "
                                   "to 100000000, not '%s'", arg);
        o->sim.n = (size_t)k;
        o->have_n = true;
        return -1;
    case OPT_SEED:
        if (!cli_parse_count(arg, 0, UINT64_MAX, &k))
            return cli_usage_error(&cmd_simulate, "--seed takes a whole number, not '%s'", arg);
        o->sim.seed = k;
        return -1;
    case OPT_LIKERT:
        if (!cli_parse_count(arg, 2, 100, &k))
            return cli_usage_error(&cmd_simulate, "--likert takes a number of categories from "
                                   "2 to 100, not '%s'", arg);
        o->sim.likert = (unsigned)k;
        return -1;
    case OPT_MISSING:
        if (!cli_parse_number(arg, 0, 0.99, &v))
            return cli_usage_error(&cmd_simulate, "--missing takes a share from 0 to 0.99, "
                                   "not '%s'", arg);
        o->sim.missing = v;
        return -1;
    case OPT_THRESHOLDS: {
        char *copy = strdup(arg), *save = NULL;
        size_t count = 0;
        bool ok = copy != NULL;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && ok;
             t = strtok_r(NULL, ",", &save))
            ok = count < 63 && cli_parse_number(t, -10, 10, &o->cuts[count++]);
        for (size_t j = 1; ok && j < count; j++)
            ok = o->cuts[j] > o->cuts[j - 1];
        free(copy);
        if (!ok || count == 0)
            return cli_usage_error(&cmd_simulate, "--thresholds takes increasing numbers "
                                   "between -10 and 10, separated by commas, not '%s'", arg);
        o->sim.cuts = o->cuts;
        o->sim.ncuts = count;
        return -1;
    }
    default:   /* OPT_DIGITS */
        if (!cli_parse_count(arg, 0, 15, &k))
            return cli_usage_error(&cmd_simulate, "--digits takes 0 to 15, not '%s'", arg);
        o->sim.digits = (int)k;
        return -1;
    }
}

static int parse_options(sim_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'}, {"n", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"standardized", no_argument, NULL, OPT_STANDARDIZED},
        {"likert", required_argument, NULL, OPT_LIKERT},
        {"thresholds", required_argument, NULL, OPT_THRESHOLDS},
        {"missing", required_argument, NULL, OPT_MISSING},
        {"digits", required_argument, NULL, OPT_DIGITS},
        {"survey", required_argument, NULL, OPT_SURVEY}, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    int opt, status;
    o->sim = (brisk_simulate_options){.seed = 1, .digits = -1};
    optind = 1;
    while ((opt = getopt_long(argc, argv, "m:n:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'm': o->model = optarg; break;
        case OPT_SURVEY: o->survey = optarg; break;
        case OPT_STANDARDIZED: o->standardized = true; break;
        case 'n':
        case OPT_SEED:
        case OPT_LIKERT:
        case OPT_THRESHOLDS:
        case OPT_MISSING:
        case OPT_DIGITS:
            if ((status = option_value(o, opt, optarg)) >= 0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_simulate)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_simulate, "unexpected argument '%s'", argv[optind]);
    if (o->sim.likert && o->sim.ncuts)
        return cli_usage_error(&cmd_simulate, "give --likert or --thresholds, not both");
    if (!o->model || !o->have_n)
        return cli_usage_error(&cmd_simulate, "--model FILE and --n N are required");
    if (!o->common.output || strcmp(o->common.output, "-") == 0)
        return cli_usage_error(&cmd_simulate, "-o FILE is required: the data file to write");
    const char *ext = strrchr(o->common.output, '.');
    if (!ext || (strcmp(ext, ".csv") != 0 && strcmp(ext, ".tsv") != 0))
        return cli_usage_error(&cmd_simulate, "-o writes a .csv or .tsv data file, not '%s'",
                               o->common.output);
    if (o->common.format_name)
        return cli_usage_error(&cmd_simulate, "--format does not apply: the data file's "
                               "extension (.csv or .tsv) sets its format");
    return -1;
}

/* Line `line` (from 1) of text, and its length; NULL past the end. */
static const char *nth_line(const char *text, long line, size_t *len)
{
    for (long k = 1; k < line && text; k++)
        if ((text = strchr(text, '\n')))
            text++;
    if (!text || !*text)
        return NULL;
    *len = strcspn(text, "\n");
    return text;
}

/* A column in a line that the survey expanded counts the expanded line:
 * under the file's line a caret there would point at the wrong place. */
static void drop_expanded_column(const char *text, const char *expanded, brisk_error *err)
{
    size_t a = 0, b = 0;
    const char *orig = nth_line(text, err->line, &a), *exp = nth_line(expanded, err->line, &b);
    if (err->column > 0 && (!orig || !exp || a != b || memcmp(orig, exp, a) != 0))
        err->column = 0;
}

/* Read the model (expanded for the survey) and build the population. */
static brisk_status population(const sim_options *o, const brisk_survey *s,
                               brisk_population **pop, brisk_error *err)
{
    char *text = cli_read_text_file(o->model, err);
    if (!text)
        return err->status;
    if (!s && cli_refuse_templates(o->model, text, "give the survey with --survey FILE", err)) {
        free(text);
        return err->status;
    }
    char *expanded = s ? brisk_survey_population_text(s, text, o->model, err) : text;
    brisk_status st = expanded ? BRISK_OK : err->status;
    brisk_population_options popt = {.standardized = o->standardized, .name = o->model,
                                     .first_line = 1};
    if (st == BRISK_OK)
        st = brisk_population_new(expanded, &popt, pop, err);
    if (st != BRISK_OK && expanded && expanded != text)
        drop_expanded_column(text, expanded, err);
    if (expanded != text)
        free(expanded);
    free(text);
    return st;
}

typedef struct data_out {
    const brisk_dataset *ds;
    char delimiter;
} data_out;

static brisk_status write_data(FILE *f, const void *ctx, brisk_error *err)
{
    const data_out *d = ctx;
    return brisk_write_dataset_csv(f, d->ds, d->delimiter, false, err);
}

static int run(int argc, char **argv)
{
    sim_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_survey *s = NULL;
    char *path = o.survey ? cli_find_survey(o.survey, &err) : NULL;
    brisk_status st = o.survey && !path ? err.status : BRISK_OK;
    if (st == BRISK_OK && path)
        st = brisk_survey_load(path, &s, &err);
    brisk_population *pop = NULL;
    if (st == BRISK_OK)
        st = population(&o, s, &pop, &err);
    for (size_t i = 0; st == BRISK_OK && !o.common.quiet && i < brisk_population_nwarnings(pop);
         i++)
        fprintf(stderr, "%s: warning: %s: %s\n", cli_prefix(), o.model, brisk_population_warning(pop, i));
    brisk_dataset *ds = NULL;
    if (st == BRISK_OK)
        st = s ? brisk_simulate_survey(s, pop, &o.sim, o.model, &ds, &err)
               : brisk_simulate(pop, &o.sim, &ds, &err);
    data_out d = {.ds = ds,
                  .delimiter = strcmp(strrchr(o.common.output, '.'), ".tsv") == 0 ? '\t' : ','};
    status = st == BRISK_OK ? cli_write_output(&o.common, write_data, &d) : cli_fail(&err);
    brisk_dataset_free(ds);
    brisk_population_free(pop);
    brisk_survey_free(s);
    free(path);
    return status;
}
