/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk power: Monte Carlo power and bias of a model's estimates. */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_power = {
    .name = "power",
    .summary = "Monte Carlo power and bias of a model's estimates at several sample sizes",
    .usage =
        "Usage: brisk power --model POP.lav --n N1,N2,... [OPTION]...\n"
        "For each sample size, draw data sets from the population model (as brisk\n"
        "simulate does), fit each by ML, and report per parameter: the population\n"
        "value, the mean estimate, its bias and relative bias, the SD of the\n"
        "estimates, the mean SE and its relative bias, the coverage of the interval\n"
        "of level 1 - alpha (95%) and the power (share of p < alpha = .05), with the\n"
        "convergence rate per N (as simsem).  The analysis model is the population's\n"
        "own with its values free (the latent variances that set the scales fixed),\n"
        "unless --analysis gives one.  The same seed gives the same numbers, whatever\n"
        "--threads.\n\n"
        "Options:\n"
        "  -m, --model FILE      the population model (lavaan syntax with values)\n"
        "  -a, --analysis FILE   the model fitted to each data set (lavaan syntax, sem()\n"
        "                        defaults); population values are matched by lhs op rhs\n"
        "  -n, --n LIST          sample sizes, comma-separated (required)\n"
        "      --reps R          data sets per sample size (default 1000)\n"
        "      --seed S          seed (default 1)\n"
        "      --threads T       fits in T threads (default: the number of processors)\n"
        "      --standardized    population residual variances giving variances of 1\n"
        "      --likert K        cut every variable without thresholds into K categories\n"
        "      --alpha A         significance level, and 1 - A the intervals' level\n"
        "                        (default 0.05)\n"
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html or docx\n"
        "  -o, --output FILE     write to FILE (format from its extension)\n"
        "  -q, --quiet           no progress bar nor warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Example:\n"
        "  brisk power --model doc/examples/pop.lav --n 200,400,800 --reps 1000\n",
    .run = run,
};

enum { OPT_REPS = 1000, OPT_SEED, OPT_THREADS, OPT_STANDARDIZED, OPT_LIKERT, OPT_ALPHA };

typedef struct power_options {
    cli_common common;
    const char *model, *analysis;
    size_t n[64];
    brisk_power_options power;
    bool standardized;
    unsigned likert;
} power_options;

static int parse_sizes(power_options *o, const char *arg)
{
    char *copy = strdup(arg), *save = NULL;
    bool ok = copy != NULL;
    o->power.nn = 0;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && ok;
         t = strtok_r(NULL, ",", &save)) {
        unsigned long long v;
        ok = o->power.nn < 64 && cli_parse_count(t, 2, 10000000, &v);
        if (ok)
            o->n[o->power.nn++] = (size_t)v;
    }
    free(copy);
    if (!ok || !o->power.nn)
        return cli_usage_error(&cmd_power, "--n takes sample sizes from 2 to 10000000 separated "
                               "by commas (at most 64), not '%s'", arg);
    o->power.n = o->n;
    return -1;
}

static int option_value(power_options *o, int opt, const char *arg)
{
    unsigned long long k;
    double v;
    switch (opt) {
    case 'n': return parse_sizes(o, arg);
    case OPT_REPS:
        if (!cli_parse_count(arg, 2, 10000000, &k))
            return cli_usage_error(&cmd_power, "--reps takes 2 to 10000000, not '%s'", arg);
        o->power.reps = (size_t)k;
        return -1;
    case OPT_SEED:
        if (!cli_parse_count(arg, 0, UINT64_MAX, &k))
            return cli_usage_error(&cmd_power, "--seed takes a whole number, not '%s'", arg);
        o->power.seed = k;
        return -1;
    case OPT_THREADS:
        if (!cli_parse_count(arg, 1, 256, &k))
            return cli_usage_error(&cmd_power, "--threads takes 1 to 256, not '%s'", arg);
        o->power.threads = (unsigned)k;
        return -1;
    case OPT_LIKERT:
        if (!cli_parse_count(arg, 2, 100, &k))
            return cli_usage_error(&cmd_power, "--likert takes 2 to 100 categories, not '%s'",
                                   arg);
        o->likert = (unsigned)k;
        return -1;
    default:   /* OPT_ALPHA */
        if (!cli_parse_number(arg, 1e-6, 0.5, &v))
            return cli_usage_error(&cmd_power, "--alpha takes a level between 0 and 0.5, not "
                                   "'%s'", arg);
        o->power.alpha = v;
        return -1;
    }
}

static int parse_options(power_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'}, {"analysis", required_argument, NULL, 'a'},
        {"n", required_argument, NULL, 'n'}, {"reps", required_argument, NULL, OPT_REPS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"standardized", no_argument, NULL, OPT_STANDARDIZED},
        {"likert", required_argument, NULL, OPT_LIKERT},
        {"alpha", required_argument, NULL, OPT_ALPHA}, CLI_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->power = (brisk_power_options){.reps = 1000, .seed = 1, .alpha = 0.05,
                                     .threads = cores < 1 ? 1 : cores > 256 ? 256 : (unsigned)cores};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "m:a:n:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'm': o->model = optarg; break;
        case 'a': o->analysis = optarg; break;
        case OPT_STANDARDIZED: o->standardized = true; break;
        case 'n':
        case OPT_REPS:
        case OPT_SEED:
        case OPT_THREADS:
        case OPT_LIKERT:
        case OPT_ALPHA:
            if ((status = option_value(o, opt, optarg)) >= 0)
                return status;
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_power)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_power, "unexpected argument '%s'", argv[optind]);
    if (!o->model || !o->power.nn)
        return cli_usage_error(&cmd_power, "--model FILE and --n N1,N2,... are required");
    return cli_resolve_format(&o->common, &cmd_power);
}

static brisk_status power(const power_options *o, brisk_table_list *tables, brisk_error *err)
{
    static const char *const expand = "power takes no survey; write the lines out for "
                                      "each behaviour";
    char *text = cli_read_text_file(o->model, err);
    char *analysis = text && o->analysis ? cli_read_text_file(o->analysis, err) : NULL;
    brisk_status st = !text || (o->analysis && !analysis) ? err->status : BRISK_OK;
    if (st == BRISK_OK && (cli_refuse_templates(o->model, text, expand, err) ||
                           (analysis && cli_refuse_templates(o->analysis, analysis, expand, err))))
        st = err->status;
    brisk_population_options popt = {.standardized = o->standardized, .name = o->model};
    brisk_population *pop = NULL;
    if (st == BRISK_OK)
        st = brisk_population_new(text, &popt, &pop, err);
    for (size_t j = 0; st == BRISK_OK && o->likert && j < brisk_population_nvars(pop); j++)
        st = brisk_population_set_likert(pop, j, o->likert, err);
    for (size_t i = 0; st == BRISK_OK && i < brisk_population_nwarnings(pop); i++)
        st = brisk_table_list_warn(tables, "%s: %s", o->model, brisk_population_warning(pop, i));
    brisk_power_options popt2 = o->power;
    popt2.progress = cli_progress(&o->common, "power", &popt2.progress_ctx);
    if (st == BRISK_OK)
        st = brisk_power(pop, analysis, o->analysis ? o->analysis : o->model, &popt2, tables,
                         err);
    cli_progress_end(popt2.progress_ctx);
    brisk_population_free(pop);
    free(analysis);
    free(text);
    return st;
}

static int run(int argc, char **argv)
{
    power_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_table_list *tables = brisk_table_list_new();
    brisk_status st = tables ? power(&o, tables, &err)
                             : brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        cli_print_warnings(&o.common, tables);
    status = st == BRISK_OK ? cli_write_tables(&o.common, tables) : cli_fail(&err);
    brisk_table_list_free(tables);
    return status;
}
