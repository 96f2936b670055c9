/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk fit: a structural equation model by maximum likelihood, once per
 * behaviour of a survey or once on a data file. */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_fit = {
    .name = "fit",
    .summary = "fit the structural equation model (each behaviour of a survey): ML, MLR, MLM, FIML, "
               "WLSMV",
    .usage =
        "Usage: brisk fit [OPTION]... SURVEY\n"
        "       brisk fit [OPTION]... --data FILE --model FILE\n"
        "       brisk fit [OPTION]... --cov FILE --n N --model FILE\n"
        "Fit a structural equation model written in lavaan syntax by maximum\n"
        "likelihood, with lavaan's defaults and numbers: estimates, standard errors\n"
        "(expected information), z, p, 95% CIs, standardized solutions (std.lv,\n"
        "std.all), R-squared, defined parameters (:=) with delta-method SEs, and\n"
        "the fit measures (chi-square, CFI, TLI, RMSEA with 90% CI, SRMR, AIC, BIC).\n"
        "Linear constraints in the model (a1 == a2, b1 + b2 == 2, a > 0, a1 < a2) are\n"
        "fitted as lavaan's: equalities by reparameterisation (one df each),\n"
        "inequalities by an active set.\n"
        "A survey's [model] is fitted once per behaviour, {b} standing for the\n"
        "behaviour's key; respondents with a missing answer on the model's items are\n"
        "left out of that behaviour's fit (listwise deletion).\n\n"
        "Options:\n"
        "  -d, --data FILE       data file (.csv .xlsx .sav .dta ...) without a survey\n"
        CLI_READ_HELP
        "  -m, --model FILE      model file in lavaan syntax, with --data, --cov or --cor\n"
        "      --cov FILE        fit a published covariance matrix instead of data\n"
        "                        (lavaan's sample.cov): a lower triangle or the full\n"
        "                        matrix, a row per line, blanks or commas between\n"
        "                        entries, the variables' names on the first line (or\n"
        "                        starting each row); optional rows 'sd', 'mean', 'n'\n"
        "      --cor FILE        the same for a correlation matrix, with the SDs\n"
        "      --n N             the number of respondents (lavaan's sample.nobs)\n"
        "      --sd LIST         with --cor: the SDs, in the matrix's order\n"
        "      --means LIST      the means (a mean structure, as sample.mean)\n"
        "                        Fitted by ML only: what needs the respondents' rows\n"
        "                        (bootstrap, MLR, MLM, FIML, WLSMV, weights, --where)\n"
        "                        is refused\n"
        "  -b, --behaviour B     fit only this behaviour, by its key or its label (in\n"
        "                        any case); repeatable\n"
        "  -g, --group COL       fit the model jointly in the groups COL defines\n"
        "                        (lavaan's multi-group model: every parameter free in\n"
        "                        each group, a mean structure; chi-square summed)\n"
        "      --group-equal LIST  with --group: hold these equal across groups, a\n"
        "                        comma-separated list of loadings, intercepts,\n"
        "                        residuals, lv.variances, lv.covariances,\n"
        "                        residual.covariances, regressions, means,\n"
        "                        thresholds (ordered items)\n"
        "      --group-partial LIST  with --group-equal: leave these parameters free\n"
        "                        across groups (lavaan's group.partial), the rest of\n"
        "                        their class held equal: 'visual =~ x2, x3 ~ 1'\n"
        "                        (commas or newlines between them; 'x3 | t2' an\n"
        "                        ordered item's threshold)\n"
        "      --score-tests     with --group-equal: lavaan's lavTestScore() of the\n"
        "                        equality constraints across groups: each one's\n"
        "                        univariate score test (X2, df 1, p), largest first,\n"
        "                        the cumulative tests and the total (ML and MLR)\n"
        "      --bootstrap N     N bootstrap draws: standard errors and 95% intervals\n"
        "                        of every parameter, std.all and := from resampled\n"
        "                        respondents (each draw refitted from the estimates)\n"
        "      --ci TYPE         perc (default) or bca (bias-corrected and\n"
        "                        accelerated, with a jackknife)\n"
        "      --seed S          seed of the draws (default 1): draw i depends only on\n"
        "                        S and i, so the output is the same for any --threads\n"
        "      --threads T       draws in T threads (default: the number of cores)\n"
        "      --exclude-inadmissible  leave out draws with a negative variance or a\n"
        "                        correlation beyond 1 (by default they are kept, as\n"
        "                        lavaan keeps every converged draw, and counted)\n"
        "      --std-lv          identify factors by unit variances instead of fixing\n"
        "                        each first loading to 1\n"
        "      --meanstructure   estimate intercepts and latent means as well\n"
        "      --se SE           lavaan's se = name of this fit's standard errors:\n"
        "                        standard (ML, GLS, ULS, WLS, DWLS), robust.huber.white\n"
        "                        (MLR or weighted),\n"
        "                        robust.cluster (clustered), robust.sem or robust\n"
        "                        (MLM, WLSMV); another is an error saying what gives\n"
        "                        it;\n"
        "                        bootstrap: --bootstrap 1000 unless --bootstrap N\n"
        "      --test T          lavaan's test = name of this fit's test: standard\n"
        "                        (ML and the least-squares estimators),\n"
        "                        yuan.bentler.mplus (MLR, weighted or clustered),\n"
        "                        satorra.bentler (MLM) or scaled.shifted (WLSMV);\n"
        "                        another is an error\n"
        "      --standardized    the standardized solution as lavaan's\n"
        "                        standardizedSolution(): std.all with delta-method\n"
        "                        SE, z, p and 95% CI (and std.lv with its SE), := rows\n"
        "                        too, from this fit's SEs (ML, MLR, FIML, WLSMV);\n"
        "                        std.lv and std.all are always in the estimates\n"
        "      --residuals       the residuals as lavaan's lavResiduals(): raw (with\n"
        "                        SE and standardized z), Bentler's and Bollen's\n"
        "                        correlation residuals, and the SRMR and CRMR with\n"
        "                        their SEs and tests (SEs and z: ML, MLR, MLM, FIML;\n"
        "                        not with weights, clusters or fixed covariates)\n"
        "      --scores FILE     write factor scores (lavaan's lavPredict) to the data\n"
        "                        file FILE (.csv .tsv .xlsx .sav .dta): the id, then\n"
        "                        a column per latent variable (LATENT_KEY per\n"
        "                        behaviour), empty for rows the fit left out\n"
        "      --score-method M  regression (default, lavaan's) or bartlett\n"
        "      --id COL          with --data: name the score rows by column COL, not\n"
        "                        by their row numbers\n"
        "      --modindices      add lavaan's modification indices (modindices()):\n"
        "                        MI, EPC, sepc.lv, sepc.all, sepc.nox of every fixed\n"
        "                        or omitted loading, covariance and regression,\n"
        "                        largest first (ML, MLR, FIML, WLSMV)\n"
        "      --mi-min X        with --modindices: only MI > X (default 3.84, the\n"
        "                        5% critical value of chi-square on 1 df; 0: all)\n"
        "      --ordered ITEMS   with --data: these items (x1,x2,...) are ordered, the\n"
        "                        model's other indicators continuous, fitted by WLSMV\n"
        "                        (lavaan's ordered =): polyserial and Pearson\n"
        "                        correlations beside the polychoric ones; without it\n"
        "                        --estimator wlsmv makes every indicator ordered\n"
        "      --parameterization P  ordered items (WLSMV): delta (default) or theta\n"
        "                        (lavaan's parameterization =): with theta the latent\n"
        "                        responses' residual variances are 1 and the scale\n"
        "                        factors (~*~) derived\n"
        CLI_ESTIMATION_HELP
        "  -f, --format FMT      text (default), csv, md, tex, json, xlsx, html, docx,\n"
        "                        or dot (a Graphviz path diagram per behaviour)\n"
        "  -o, --output FILE     write to FILE (format from its extension unless\n"
        "                        --format); FILE.svg, .png or .pdf renders the path\n"
        "                        diagram with Graphviz's dot (one file per behaviour:\n"
        "                        FILE_KEY.svg)\n"
        "      --where COND      only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet           no warnings on standard error\n"
        "  -h, --help            show this help\n"
        "  -V, --version         show the version\n\n"
        "Exit status 3: the model could not be estimated (not identified, no\n"
        "convergence, a singular covariance matrix); the message says why.\n\n"
        "Examples:\n"
        "  brisk fit surveys/rongcheng/rongcheng.survey\n"
        "  brisk fit --data tests/data/hs.csv --model doc/examples/hs.lav \\\n"
        "      --format json -o hs.json\n"
        "  brisk fit --cov tests/data/wheaton.cov --model doc/examples/wheaton.lav\n",
    .run = run,
};

enum { OPT_STD_LV = 1000, OPT_MEANSTRUCTURE, OPT_GROUP_EQUAL, OPT_BOOTSTRAP, OPT_CI, OPT_SEED,
       OPT_THREADS, OPT_EXCLUDE_INADMISSIBLE, OPT_SE, OPT_TEST,
       OPT_STANDARDIZED, OPT_SCORES, OPT_SCORE_METHOD, OPT_ID, OPT_COV, OPT_COR, OPT_N, OPT_SD,
       OPT_MEANS, OPT_RESIDUALS, OPT_MODINDICES, OPT_MI_MIN, OPT_PARAMETERIZATION,
       OPT_GROUP_PARTIAL, OPT_SCORE_TESTS, OPT_ORDERED };

typedef struct fit_options {
    cli_common common;
    const char *diagram;          /* "dot", or a format dot renders: svg png pdf */
    const char *data, *model, *survey, *group;
    const char *se, *test;        /* lavaan's names, checked against the fit */
    bool modindices;              /* add the modification indices */
    bool score_tests;             /* add the score tests of the equality constraints */
    double mi_minimum;            /* ...above this MI */
    const char *mi_min_text;      /* --mi-min as given, or NULL */
    const char *behaviours[64];
    size_t nbehaviours;
    const char *ordered[256];     /* --ordered: the ordered items (the others continuous) */
    size_t nordered;
    brisk_model_options model_opt;
    brisk_bootstrap_options boot;
    const char *scores, *id;      /* --scores FILE, --id COL */
    const char *score_method_name;
    brisk_score_method score_method;
    /* a published matrix (--cov or --cor) instead of data */
    const char *matrix;
    brisk_sample_matrix_options matrix_opt;
    double sd[BRISK_MATRIX_MAX_VARIABLES], means[BRISK_MATRIX_MAX_VARIABLES];
    const char *list_option;      /* the first of --n, --sd, --means given */
    bool standardized;            /* the standardized solution's table */
    bool residuals;               /* the residuals' tables */
} fit_options;

static const char *extension_of(const char *path)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    return dot && (!slash || dot > slash) ? dot + 1 : NULL;
}

/* A path diagram is asked for by --format dot or by -o FILE.dot/.svg/.png/.pdf. */
static const char *diagram_format(const cli_common *c)
{
    static const char *const rendered[] = {"dot", "svg", "png", "pdf"};
    if (c->format_name)
        return strcmp(c->format_name, "dot") == 0 ? "dot" : NULL;
    const char *ext = c->output ? extension_of(c->output) : NULL;
    for (size_t i = 0; ext && i < sizeof rendered / sizeof rendered[0]; i++)
        if (strcasecmp(ext, rendered[i]) == 0)
            return rendered[i];
    return NULL;
}

/* --scores FILE [--score-method M] [--id COL]; -1 or a usage error's status. */
static int check_score_options(fit_options *o)
{
    if (o->score_method_name &&
        !brisk_score_method_parse(o->score_method_name, &o->score_method))
        return cli_usage_error(&cmd_fit, "--score-method is regression or bartlett, not '%s'",
                               o->score_method_name);
    if ((o->score_method_name || o->id) && !o->scores)
        return cli_usage_error(&cmd_fit, "--score-method and --id go with --scores FILE");
    if (o->scores && !cli_data_output_supported(o->scores))
        return cli_usage_error(&cmd_fit, "--scores writes a .csv .tsv .xlsx .sav or .dta "
                               "file, not '%s'", o->scores);
    if (o->id && !o->data)
        return cli_usage_error(&cmd_fit, "--id goes with --data: a survey's scores carry its "
                               "id column");
    if (o->scores && o->group)
        return cli_usage_error(&cmd_fit, "--scores of a multi-group fit (--group) are not "
                               "available yet");
    if (o->scores && o->data && o->common.where && !o->id)
        return cli_usage_error(&cmd_fit, "--scores with --where and --data needs --id COL: "
                               "the rows' numbers would be those after the filter");
    return -1;
}

/* ------------------------------------------------------------ a published matrix */

/* --sd and --means: numbers separated by commas or blanks. */
static bool parse_list(const char *arg, double *out, size_t *n)
{
    *n = 0;
    const char *s = arg;
    while (*s) {
        s += strspn(s, " \t,");
        if (!*s)
            break;
        size_t len = strcspn(s, " \t,");
        char tok[64];
        if (len >= sizeof tok || *n == BRISK_MATRIX_MAX_VARIABLES)
            return false;
        memcpy(tok, s, len);
        tok[len] = '\0';
        if (!cli_parse_number(tok, -1e300, 1e300, &out[(*n)++]))
            return false;
        s += len;
    }
    return *n > 0;
}

static int matrix_option(fit_options *o, int opt, const char *arg)
{
    if (opt == OPT_COV || opt == OPT_COR) {
        if (o->matrix)
            return cli_usage_error(&cmd_fit, "give one matrix: --cov FILE or --cor FILE");
        o->matrix = arg;
        o->matrix_opt.correlations = opt == OPT_COR;
        return -1;
    }
    if (!o->list_option)
        o->list_option = opt == OPT_N ? "--n" : opt == OPT_SD ? "--sd" : "--means";
    if (opt == OPT_N) {
        if (!cli_parse_number(arg, 1, 1e15, &o->matrix_opt.n))
            return cli_usage_error(&cmd_fit, "--n takes the number of respondents, not '%s'",
                                   arg);
        return -1;
    }
    double *to = opt == OPT_SD ? o->sd : o->means;
    size_t *n = opt == OPT_SD ? &o->matrix_opt.nsd : &o->matrix_opt.nmean;
    if (!parse_list(arg, to, n))
        return cli_usage_error(&cmd_fit, "%s takes numbers separated by commas or blanks "
                               "(at most %d), not '%s'", opt == OPT_SD ? "--sd" : "--means",
                               BRISK_MATRIX_MAX_VARIABLES, arg);
    if (opt == OPT_SD)
        o->matrix_opt.sd = o->sd;
    else
        o->matrix_opt.mean = o->means;
    return -1;
}

/* The first option given that needs the respondents' rows, or NULL. */
static const char *needs_rows(const fit_options *o)
{
    const brisk_model_options *m = &o->model_opt;
    return o->group ? "--group (several groups' matrices are not read yet)"
                      : o->scores ? "--scores (factor scores are the respondents')"
                      : o->boot.draws ? "--bootstrap"
                      : m->estimator == BRISK_ESTIMATOR_MLR ? "--estimator mlr (robust SEs)"
                      : m->estimator == BRISK_ESTIMATOR_MLM ? "--estimator mlm (robust SEs)"
                      : m->estimator == BRISK_ESTIMATOR_WLSMV ? "--estimator wlsmv"
                      : brisk_estimator_least_squares(m->estimator)
                          ? "--estimator gls, uls, wls or dwls"
                      : m->fiml ? "--missing fiml"
                      : m->weight ? "--weight"
                      : m->cluster ? "--cluster"
                      : o->common.where ? "--where"
                      : o->common.read_option ? o->common.read_option
                      : o->se && strcmp(o->se, "standard") != 0 ? "--se other than standard"
                      : o->test && strcmp(o->test, "standard") != 0 ? "--test other than "
                                                                       "standard"
                                                                     : NULL;
}

static int refuse_rows(const char *raw, const char *matrix)
{
    return cli_usage_error(&cmd_fit, "%s needs the raw data; a model fitted from a matrix "
                           "(%s) is fitted by ML with standard errors from the expected "
                           "information", raw, matrix);
}

/* What a matrix cannot give: everything that needs the respondents' rows. */
static int check_matrix_options(const fit_options *o, bool boot_detail)
{
    if (!o->matrix)
        return o->list_option ? cli_usage_error(&cmd_fit, "%s goes with --cov FILE or --cor "
                                                "FILE", o->list_option)
                              : -1;
    const char *raw = o->survey || o->data ? "a survey or --data"
                      : boot_detail ? "--ci, --seed or --exclude-inadmissible (the bootstrap)"
                                    : needs_rows(o);
    if (raw)
        return refuse_rows(raw, o->matrix_opt.correlations ? "--cor" : "--cov");
    if (o->nbehaviours || o->model_opt.group_equal)
        return cli_usage_error(&cmd_fit, "%s goes with a survey%s", o->nbehaviours
                               ? "--behaviour" : "--group-equal", o->nbehaviours ? ""
                               : "'s or a data file's groups (--group)");
    if (!o->model)
        return cli_usage_error(&cmd_fit, "%s FILE needs --model FILE",
                               o->matrix_opt.correlations ? "--cor" : "--cov");
    if (o->matrix_opt.sd && !o->matrix_opt.correlations)
        return cli_usage_error(&cmd_fit, "--sd goes with --cor; a covariance matrix has the "
                               "variances on its diagonal");
    return -2;
}

/* --mi-min: a finite number, 0 or above. */
static bool parse_minimum(const char *text, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(x) || x < 0)
        return false;
    *out = x;
    return true;
}

/* --modindices with what it does not go with, refused before any work. */
static int check_modindices(const fit_options *o)
{
    if (o->mi_min_text && !o->modindices)
        return cli_usage_error(&cmd_fit, "--mi-min goes with --modindices");
    if (!o->modindices)
        return -1;
    if (o->diagram)
        return cli_usage_error(&cmd_fit, "--modindices does not go with a path diagram; "
                               "choose a table format (text, csv, md, tex, json, xlsx, html, docx)");
    return -1;
}

/* What the least-squares estimators do not go with, refused before any
 * work: what brisk computes for ML only. */
static int check_least_squares(const fit_options *o)
{
    const brisk_model_options *m = &o->model_opt;
    if (m->survey_ordered || !brisk_estimator_least_squares(m->estimator))
        return -1;
    const char *what = o->boot.draws ? "--bootstrap (its draws are refitted by ML)"
                       : o->modindices ? "--modindices (ML's score tests)"
                       : o->score_tests ? "--score-tests (ML's score tests)"
                       : o->residuals ? "--residuals (their SEs are ML's)"
                                      : NULL;
    if (!what)
        return -1;
    return cli_usage_error(&cmd_fit, "%s is not available with --estimator %s; fit by ML "
                           "(or MLR) for it", what, brisk_estimator_key(m->estimator));
}

/* --ordered a,b,c: lavaan's ordered = c("a", "b", "c"); WLSMV unless
 * another estimator is given (then the check after parsing refuses it). */
static int ordered_option(fit_options *o, char *arg)
{
    char *save = NULL;
    for (char *t = strtok_r(arg, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (o->nordered == sizeof o->ordered / sizeof o->ordered[0])
            return cli_usage_error(&cmd_fit, "--ordered takes at most %zu items",
                                   sizeof o->ordered / sizeof o->ordered[0]);
        o->ordered[o->nordered++] = t;
    }
    if (!o->nordered)
        return cli_usage_error(&cmd_fit, "--ordered takes a list of items (x1,x2,x3)");
    if (o->model_opt.survey_ordered) {   /* no --estimator yet: WLSMV */
        o->model_opt.estimator = BRISK_ESTIMATOR_WLSMV;
        o->model_opt.survey_ordered = false;
    }
    o->model_opt.ordered_items = o->ordered;
    o->model_opt.nordered_items = o->nordered;
    return -1;
}

static int parse_options(fit_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'}, {"model", required_argument, NULL, 'm'},
        {"behaviour", required_argument, NULL, 'b'}, {"group", required_argument, NULL, 'g'},
        {"std-lv", no_argument, NULL, OPT_STD_LV},
        {"meanstructure", no_argument, NULL, OPT_MEANSTRUCTURE}, CLI_ESTIMATION_OPTIONS,
        {"group-equal", required_argument, NULL, OPT_GROUP_EQUAL},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"ci", required_argument, NULL, OPT_CI}, {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"exclude-inadmissible", no_argument, NULL, OPT_EXCLUDE_INADMISSIBLE},
        {"se", required_argument, NULL, OPT_SE}, {"test", required_argument, NULL, OPT_TEST},
        {"standardized", no_argument, NULL, OPT_STANDARDIZED},
        {"scores", required_argument, NULL, OPT_SCORES},
        {"score-method", required_argument, NULL, OPT_SCORE_METHOD},
        {"id", required_argument, NULL, OPT_ID},
        {"cov", required_argument, NULL, OPT_COV}, {"cor", required_argument, NULL, OPT_COR},
        {"n", required_argument, NULL, OPT_N}, {"sd", required_argument, NULL, OPT_SD},
        {"means", required_argument, NULL, OPT_MEANS},
        {"residuals", no_argument, NULL, OPT_RESIDUALS},
        {"modindices", no_argument, NULL, OPT_MODINDICES},
        {"mi-min", required_argument, NULL, OPT_MI_MIN},
        {"parameterization", required_argument, NULL, OPT_PARAMETERIZATION},
        {"group-partial", required_argument, NULL, OPT_GROUP_PARTIAL},
        {"score-tests", no_argument, NULL, OPT_SCORE_TESTS},
        {"ordered", required_argument, NULL, OPT_ORDERED},
        CLI_READ_OPTIONS, CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt, status;
    bool boot_detail = false;   /* --ci, --seed or --exclude-inadmissible given */
    optind = 1;
    cli_bootstrap_defaults(&o->boot, 0);
    cli_estimation_defaults(&o->model_opt);
    o->mi_minimum = 3.84;
    while ((opt = getopt_long(argc, argv, "d:m:b:g:" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'g': o->group = optarg; break;
        case 'd': o->data = optarg; break;
        case 'm': o->model = optarg; break;
        case 'b':
            if (o->nbehaviours == 64)
                return cli_usage_error(&cmd_fit, "at most 64 --behaviour options");
            o->behaviours[o->nbehaviours++] = optarg;
            break;
        case OPT_STD_LV: o->model_opt.std_lv = true; break;
        case OPT_SE: o->se = optarg; break;
        case OPT_TEST: o->test = optarg; break;
        case OPT_STANDARDIZED: o->standardized = o->model_opt.std_se = true; break;
        case OPT_RESIDUALS: o->residuals = true; break;
        case OPT_SCORES: o->scores = optarg; break;
        case OPT_SCORE_METHOD: o->score_method_name = optarg; break;
        case OPT_ID: o->id = optarg; break;
        case OPT_MODINDICES: o->modindices = true; break;
        case OPT_GROUP_PARTIAL: o->model_opt.group_partial = optarg; break;
        case OPT_SCORE_TESTS: o->score_tests = true; break;
        case OPT_ORDERED:
            if ((status = ordered_option(o, optarg)) >= 0)
                return status;
            break;
        case OPT_MI_MIN:
            if (!parse_minimum(optarg, &o->mi_minimum))
                return cli_usage_error(&cmd_fit, "--mi-min takes a number 0 or above (an MI, "
                                       "such as 3.84), not '%s'", optarg);
            o->mi_min_text = optarg;
            break;
        case OPT_MEANSTRUCTURE: o->model_opt.meanstructure = true; break;
        case OPT_PARAMETERIZATION:
            if (strcmp(optarg, "delta") != 0 && strcmp(optarg, "theta") != 0)
                return cli_usage_error(&cmd_fit, "--parameterization takes delta or theta, "
                                       "not '%s'", optarg);
            o->model_opt.theta = optarg[0] == 't';
            break;
        case OPT_COV:
        case OPT_COR:
        case OPT_N:
        case OPT_SD:
        case OPT_MEANS:
            if ((status = matrix_option(o, opt, optarg)) >= 0)
                return status;
            break;
        case CLI_OPT_ESTIMATOR:
        case CLI_OPT_MISSING:
        case CLI_OPT_WEIGHT:
        case CLI_OPT_UNWEIGHTED:
        case CLI_OPT_CLUSTER:
        case CLI_OPT_UNCLUSTERED:
        case CLI_OPT_TIME_LIMIT:
            if ((status = cli_estimation_option(&cmd_fit, opt, optarg, &o->model_opt)) >= 0)
                return status;
            break;
        case OPT_EXCLUDE_INADMISSIBLE:
            o->boot.exclude_inadmissible = boot_detail = true;
            break;
        case OPT_CI:
        case OPT_SEED:
            boot_detail = true;
            /* fall through */
        case OPT_BOOTSTRAP:
        case OPT_THREADS:
            if ((status = cli_bootstrap_option(&cmd_fit, opt - OPT_BOOTSTRAP, optarg, &o->boot)) >= 0)
                return status;
            break;
        case OPT_GROUP_EQUAL:
            if (!cli_parse_group_equal(optarg, &o->model_opt.group_equal))
                return cli_usage_error(&cmd_fit, "--group-equal takes loadings, intercepts, "
                                       "residuals, lv.variances, lv.covariances, "
                                       "residual.covariances, regressions, means, "
                                       "thresholds; not '%s'",
                                       optarg);
            break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_fit)) >= 0)
                return status;
        }
    }
    if (optind < argc)
        o->survey = argv[optind++];
    if (optind < argc)
        return cli_usage_error(&cmd_fit, "unexpected argument '%s'", argv[optind]);
    if ((status = check_matrix_options(o, boot_detail)) >= 0)
        return status;
    if (status == -2) {   /* a matrix: the rest concerns data */
        o->diagram = diagram_format(&o->common);
        return o->diagram ? -1 : cli_resolve_format(&o->common, &cmd_fit);
    }
    if (o->survey && (o->data || o->model))
        return cli_usage_error(&cmd_fit, "give a survey or --data and --model, not both");
    if (!o->survey && (!o->data || !o->model))
        return cli_usage_error(&cmd_fit, "give a survey, or both --data FILE and --model FILE");
    if ((status = cli_check_read_options(&o->common, o->data, &cmd_fit)) >= 0)
        return status;
    if (o->nbehaviours && !o->survey)
        return cli_usage_error(&cmd_fit, "--behaviour goes with a survey");
    if (o->nordered && !o->data)
        return cli_usage_error(&cmd_fit, "--ordered goes with --data and --model; a survey "
                               "declares its ordered items itself (ordered = in [items])");
    if (o->nordered && (o->model_opt.survey_ordered ||
                        o->model_opt.estimator != BRISK_ESTIMATOR_WLSMV))
        return cli_usage_error(&cmd_fit, "--ordered items are fitted by WLSMV (lavaan's default "
                               "with ordered =): give --estimator wlsmv, or leave --estimator "
                               "out");
    if (o->model_opt.group_equal && !o->group)
        return cli_usage_error(&cmd_fit, "--group-equal goes with --group");
    if ((o->model_opt.group_partial || o->score_tests) && !o->model_opt.group_equal)
        return cli_usage_error(&cmd_fit, "%s goes with --group and --group-equal",
                               o->score_tests ? "--score-tests" : "--group-partial");
    if (o->score_tests && o->model_opt.estimator == BRISK_ESTIMATOR_WLSMV &&
        !o->model_opt.survey_ordered)
        return cli_usage_error(&cmd_fit, "--score-tests is not available with --estimator "
                               "wlsmv (lavaan 0.6-14 has no score test to match); use ml or "
                               "mlr");
    if (o->score_tests && o->model_opt.fiml)
        return cli_usage_error(&cmd_fit, "--score-tests is not available with --missing fiml; "
                               "the tests are computed on complete cases (listwise)");
    if (o->score_tests && (o->diagram = diagram_format(&o->common)) != NULL)
        return cli_usage_error(&cmd_fit, "--score-tests does not go with a path diagram; "
                               "choose a table format (text, csv, md, tex, json, xlsx, html, docx)");
    if (o->se && strcmp(o->se, "bootstrap") == 0 && !o->boot.draws)
        o->boot.draws = 1000;   /* lavaan's bootstrap = 1000L */
    if (o->data && (status = cli_check_se_test(&cmd_fit, o->se, o->test, &o->model_opt,
                                               o->model_opt.weight, o->model_opt.cluster,
                                               false)) >= 0)
        return status;
    if (o->standardized && o->boot.draws)
        return cli_usage_error(&cmd_fit, "--standardized gives delta-method standard errors of "
                               "the standardized values; with --bootstrap the parameter table "
                               "has the bootstrap's (Std.all SE and interval): leave one out");
    if (boot_detail && !o->boot.draws)
        return cli_usage_error(&cmd_fit, "--ci, --seed and --exclude-inadmissible go with "
                               "--bootstrap N");
    if ((status = check_score_options(o)) >= 0)
        return status;
    o->boot.progress = cli_progress(&o->common, "bootstrap", &o->boot.progress_ctx);
    o->diagram = diagram_format(&o->common);
    if (o->diagram && (o->standardized || o->residuals))
        return cli_usage_error(&cmd_fit, "%s gives a table; a path diagram has none: leave "
                               "it out or choose a table format",
                               o->standardized ? "--standardized" : "--residuals");
    if ((status = check_modindices(o)) >= 0)
        return status;
    if ((status = check_least_squares(o)) >= 0)
        return status;
    return o->diagram ? -1 : cli_resolve_format(&o->common, &cmd_fit);
}

/* ------------------------------------------------------------ output */

typedef struct output_job {
    const brisk_fit_result *results;
    size_t n;
} output_job;

static brisk_status write_json(FILE *f, const void *ctx, brisk_error *err)
{
    const output_job *job = ctx;
    return brisk_write_fit_json(f, job->results, job->n, err);
}

/* ------------------------------------------------------------ diagrams */

static brisk_status write_dots(FILE *f, const brisk_fit_result *results, size_t n,
                               brisk_error *err)
{
    brisk_status st = BRISK_OK;
    for (size_t g = 0; g < n && st == BRISK_OK; g++)
        st = brisk_write_fit_dot(f, results[g].fit, results[g].group,
                                 results[g].label ? results[g].label : results[g].group, err);
    return st;
}

static brisk_status write_dots_job(FILE *f, const void *ctx, brisk_error *err)
{
    const output_job *job = ctx;
    return write_dots(f, job->results, job->n, err);
}

/* FILE.svg for one fit; FILE_KEY.svg for each behaviour. */
static char *diagram_path(const char *output, const char *group, size_t n)
{
    char *path = NULL;
    const char *ext = extension_of(output);
    int stem = (int)(ext - output - 1);
    if (n == 1 || !group)
        return strdup(output);
    if (asprintf(&path, "%.*s_%s.%s", stem, output, group, ext) < 0)
        return NULL;
    return path;
}

static int render_diagrams(const fit_options *o, const brisk_fit_result *results, size_t n)
{
    int status = EXIT_DONE;
    for (size_t g = 0; g < n && status == EXIT_DONE; g++) {
        char *text = NULL, *path = diagram_path(o->common.output, results[g].group, n);
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        brisk_error err;
        brisk_error_clear(&err);
        if (!m || !path || write_dots(m, &results[g], 1, &err) != BRISK_OK) {
            status = EXIT_OUTPUT;
            fprintf(stderr, "%s: out of memory\n", cli_prefix());
        }
        if (m)
            fclose(m);
        if (status == EXIT_DONE)
            status = cli_render_dot(text, size, o->diagram, path);
        free(text);
        free(path);
    }
    return status;
}

static int write_diagrams(const fit_options *o, const brisk_fit_result *results, size_t n)
{
    output_job job = {results, n};
    if (strcmp(o->diagram, "dot") == 0)
        return cli_write_output(&o->common, write_dots_job, &job);
    return render_diagrams(o, results, n);
}

/* One fit's result with the tables the options ask for. */
static brisk_fit_result result_of(const fit_options *o, brisk_fitted *fitted,
                                  brisk_bootstrap_info *bootstrap)
{
    return (brisk_fit_result){.fit = fitted->fit, .fitted = fitted, .bootstrap = bootstrap,
                              .standardized = o->standardized, .residuals = o->residuals,
                              .modindices = o->modindices, .mi_minimum = o->mi_minimum,
                              .score_tests = o->score_tests};
}

static int write_results(const fit_options *o, const brisk_fit_result *results, size_t n,
                         const brisk_survey *survey, const char *rows_note)
{
    if (o->diagram)
        return write_diagrams(o, results, n);
    brisk_error err;
    brisk_error_clear(&err);
    brisk_table_list *tables = brisk_table_list_new();
    brisk_status st = tables ? brisk_fit_tables(results, n, tables, &err) : BRISK_ERR_NOMEM;
    if (st == BRISK_OK && survey)
        st = brisk_survey_warn_design(survey, tables);
    if (st == BRISK_OK)
        st = cli_note_rows(tables, rows_note);
    int status;
    if (st != BRISK_OK) {
        status = cli_fail(&err);
    } else {
        cli_print_warnings(&o->common, tables);
        output_job job = {results, n};
        status = o->common.format == BRISK_OUT_JSON ? cli_write_output(&o->common, write_json, &job)
                                                    : cli_write_tables(&o->common, tables);
    }
    brisk_table_list_free(tables);
    return status;
}

/* ------------------------------------------------------------ modes */

static int fit_data_file(const fit_options *o)
{
    brisk_error err;
    brisk_error_clear(&err);
    brisk_dataset *ds = NULL;
    brisk_fitted fitted = {0};
    char *text = cli_read_text_file(o->model, &err);
    char note[1024] = "";
    brisk_status st = text ? brisk_read_file(o->data, &o->common.read, &ds, &err) : err.status;
    if (st == BRISK_OK)
        cli_print_data_notes(&o->common, ds);
    if (st == BRISK_OK)
        st = cli_filter_data(ds, o->common.where, note, sizeof note, &err);
    if (st == BRISK_OK)
        st = brisk_fit_text(text, o->model, 1, ds, NULL, 0, o->group, &o->model_opt, &fitted,
                            &err);
    brisk_bootstrap_info info;
    if (st == BRISK_OK && o->boot.draws)
        st = brisk_bootstrap_fit(&fitted, ds, &o->boot, &info, &err);
    cli_progress_end(o->boot.progress_ctx);
    brisk_dataset *scores = NULL;
    if (st == BRISK_OK && o->scores)
        st = brisk_data_fit_scores(&fitted, ds, o->id, o->score_method, &scores, &err);
    if (st == BRISK_OK && o->scores)
        st = cli_write_dataset(o->scores, scores, o->common.quiet, &err);
    brisk_dataset_free(scores);
    int status;
    if (st != BRISK_OK) {
        status = cli_fail(&err);
    } else {
        brisk_fit_result r = result_of(o, &fitted, o->boot.draws ? &info : NULL);
        status = write_results(o, &r, 1, NULL, note);
    }
    brisk_fitted_free(&fitted);
    brisk_dataset_free(ds);
    free(text);
    return status;
}

/* The matrix file read and the model (text, from source's first_line)
 * fitted to it; shown names the matrix in the output's note. */
static int fit_matrix_text(const fit_options *o, const char *matrix, const char *shown,
                           const brisk_sample_matrix_options *mopt, const char *text,
                           const char *source, long first_line, brisk_error *err)
{
    brisk_fitted fitted = {0};
    brisk_sample_matrix sm = {0};
    brisk_io io = {0};
    brisk_status st = brisk_io_open_file(&io, matrix, err);
    if (st == BRISK_OK) {
        st = brisk_sample_matrix_read(&io, mopt, &sm, err);
        brisk_io_close(&io);
    }
    if (st == BRISK_OK)
        st = brisk_fit_matrix_text(text, source, first_line, &sm, &o->model_opt, &fitted, err);
    int status;
    if (st != BRISK_OK) {
        status = cli_fail(err);
    } else {
        char note[1024];
        snprintf(note, sizeof note, "Fitted from the %s matrix in %s (N = %zu%s), as lavaan's "
                 "sample.cov and sample.nobs.", mopt->correlations ? "correlation"
                 : "covariance", shown, sm.n, sm.mean ? ", with means" : "");
        brisk_fit_result r = result_of(o, &fitted, NULL);
        status = write_results(o, &r, 1, NULL, note);
    }
    brisk_fitted_free(&fitted);
    brisk_sample_matrix_free(&sm);
    return status;
}

static int fit_matrix(const fit_options *o)
{
    brisk_error err;
    brisk_error_clear(&err);
    char *text = cli_read_text_file(o->model, &err);
    int status = text ? fit_matrix_text(o, o->matrix, o->matrix, &o->matrix_opt, text, o->model, 1, &err)
                      : cli_fail(&err);
    free(text);
    return status;
}

/* A survey that declares its matrix (cov = FILE, n = N) instead of data:
 * its [model] fitted to the matrix; -1 when the survey has data. */
static int fit_survey_matrix(const fit_options *o)
{
    brisk_error err;
    brisk_error_clear(&err);
    brisk_survey *s = NULL;
    char *path = cli_find_survey(o->survey, &err);
    if (!path || brisk_survey_load(path, &s, &err) != BRISK_OK) {
        free(path);
        return cli_fail(&err);
    }
    int status = -1;
    const char *raw = needs_rows(o);
    if (s->matrix && raw)
        status = refuse_rows(raw, "the survey's cov = or cor =");
    else if (s->matrix && o->nbehaviours)
        status = cli_usage_error(&cmd_fit, "--behaviour: %s has no behaviours, only its matrix",
                                 path);
    else if (s->matrix && !s->model)
        status = cli_usage_error(&cmd_fit, "%s declares a matrix but has no [model] to fit",
                                 path);
    else if (s->matrix)
        status = fit_matrix_text(o, s->matrix_path, s->matrix,
                                 &(brisk_sample_matrix_options){
                                     .correlations = s->matrix_correlations, .n = s->matrix_n,
                                     .n_source = "the survey's n ="},
                                 s->model, s->path, s->model_line, &err);
    brisk_survey_free(s);
    free(path);
    return status;
}

static int fit_behaviours(const fit_options *o, const brisk_survey *s, const brisk_survey_data *d)
{
    brisk_error err;
    brisk_error_clear(&err);
    brisk_survey_fits fits;
    brisk_status st = brisk_fit_survey(s, d, o->nbehaviours ? o->behaviours : NULL,
                                       o->nbehaviours, o->group, &o->model_opt, &fits, &err);
    if (st != BRISK_OK)
        return cli_fail(&err);
    brisk_fit_result *results = calloc(fits.n ? fits.n : 1, sizeof *results);
    brisk_bootstrap_info *info = calloc(fits.n ? fits.n : 1, sizeof *info);
    st = results && info ? BRISK_OK : brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == BRISK_OK && o->boot.draws && i < fits.n; i++)
        st = brisk_bootstrap_fit(&fits.fitted[i], d->ds, &o->boot, &info[i], &err);
    cli_progress_end(o->boot.progress_ctx);
    brisk_dataset *scores = NULL;
    if (st == BRISK_OK && o->scores)
        st = brisk_survey_fit_scores(s, d, &fits, o->score_method, &scores, &err);
    if (st == BRISK_OK && o->scores)
        st = cli_write_dataset(o->scores, scores, o->common.quiet, &err);
    brisk_dataset_free(scores);
    int status;
    if (st == BRISK_OK) {
        for (size_t i = 0; i < fits.n; i++) {
            results[i] = result_of(o, &fits.fitted[i], o->boot.draws ? &info[i] : NULL);
            results[i].group = fits.groups[i];
            results[i].label = fits.labels[i];
        }
        char note[1024];
        brisk_survey_filter_note(d, note, sizeof note);
        status = write_results(o, results, fits.n, s, note);
    } else {
        status = cli_fail(&err);
    }
    free(results);
    free(info);
    brisk_survey_fits_free(&fits);
    return status;
}

static int fit_survey(fit_options *o)
{
    int status = fit_survey_matrix(o);
    if (status >= 0)
        return status;
    status = cli_check_behaviours(&cmd_fit, o->survey, o->behaviours, o->nbehaviours);
    if (status < 0)
        status = cli_check_se_test_survey(&cmd_fit, o->survey, o->se, o->test, &o->model_opt);
    if (status >= 0)
        return status;
    brisk_error err;
    brisk_error_clear(&err);
    cli_survey cs = {0};
    brisk_status st = cli_survey_open(&cs, o->survey, o->common.where, &err);
    if (st == BRISK_OK)
        cli_print_data_notes(&o->common, cs.data->ds);
    status = st == BRISK_OK ? fit_behaviours(o, cs.survey, cs.data) : cli_fail(&err);
    cli_survey_close(&cs);
    return status;
}

static int run(int argc, char **argv)
{
    fit_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    return o.matrix ? fit_matrix(&o) : o.survey ? fit_survey(&o) : fit_data_file(&o);
}
