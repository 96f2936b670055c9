/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk report SURVEY -o FILE: every result of a survey in one document. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_report = {
    .name = "report",
    .summary = "all results of a survey in one workbook (xlsx), web page, Word, Markdown or "
               "LaTeX document",
    .usage =
        "Usage: brisk report [OPTION]... SURVEY -o FILE\n"
        "Describe the survey, fit its model once per behaviour, and write every\n"
        "result into one document, sheet by sheet (or section by section):\n"
        "  Overview      survey, data, respondents used per behaviour, estimator,\n"
        "                brisk version, date, warnings\n"
        "  Items         item wordings, item statistics per behaviour and answers\n"
        "                per scale point\n"
        "  Demographics  frequencies and summaries\n"
        "  Agreement     % agreeing by construct and behaviour, with a bar chart\n"
        "  Measurement   standardized loadings, behaviours side by side\n"
        "  Structural    every path and defined effect by behaviour (estimate, SE,\n"
        "                std.all, significance stars), R-squared, with a chart\n"
        "  Fit           one row per behaviour\n"
        "  Comparison    every path by behaviour with bootstrap SEs and a test of\n"
        "                equality, and every pairwise difference (as brisk compare)\n"
        "  Indirect effects  every := by behaviour with bootstrap 95% intervals\n"
        "The format comes from FILE's extension: .xlsx (Excel workbook with native\n"
        "charts, set up to print), .html (one self-contained page, charts as SVG),\n"
        ".docx (Word, APA tables), .md, .tex (a LaTeX document: pdflatex, or\n"
        "xelatex for CJK labels), .json, .csv, .txt; or from --format.\n"
        "Nothing is written when any behaviour's model cannot be estimated.\n\n"
        "Options:\n"
        "  -o, --output FILE   the document to write\n"
        "  -f, --format FMT    xlsx, html, docx, md, tex, json, csv or text\n"
        "      --bootstrap N   bootstrap draws of respondents for the Comparison and\n"
        "                      Indirect effects sheets (default 1000; 0 leaves them out)\n"
        "      --seed S        seed of the draws (default 1)\n"
        "      --threads T     draws in T threads (default: the number of cores)\n"
        "      --exclude-inadmissible  leave out draws with a negative variance or a\n"
        "                      correlation beyond 1 (kept by default, as lavaan does)\n"
        "      --std-lv        identify factors by unit variances\n"
        CLI_ESTIMATION_HELP
        "      --where COND    only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet         no warnings on standard error\n"
        "  -h, --help          show this help\n"
        "  -V, --version       show the version\n\n"
        "Example:\n"
        "  brisk report surveys/rongcheng/rongcheng.survey -o rongcheng.xlsx\n",
    .run = run,
};

enum { OPT_BOOTSTRAP = 1000, OPT_CI, OPT_SEED, OPT_THREADS, OPT_STD_LV,
       OPT_EXCLUDE_INADMISSIBLE };

static brisk_status report(const cli_survey *cs, const void *ctx, brisk_table_list *out,
                           brisk_error *err)
{
    return brisk_report(cs->survey, cs->data, ctx, out, err);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"std-lv", no_argument, NULL, OPT_STD_LV},
        {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"exclude-inadmissible", no_argument, NULL, OPT_EXCLUDE_INADMISSIBLE},
        CLI_ESTIMATION_OPTIONS, CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    cli_common common = {0};
    brisk_report_options ropt = {0};
    int opt, status;
    optind = 1;
    cli_bootstrap_defaults(&ropt.boot, 1000);
    cli_estimation_defaults(&ropt.model);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, options, NULL)) != -1) {
        if (opt == OPT_STD_LV) {
            ropt.model.std_lv = true;
        } else if (opt == OPT_EXCLUDE_INADMISSIBLE) {
            ropt.boot.exclude_inadmissible = true;
        } else if (CLI_IS_ESTIMATION_OPTION(opt)) {
            if ((status = cli_estimation_option(&cmd_report, opt, optarg, &ropt.model)) >= 0)
                return status;
        } else if (opt == OPT_BOOTSTRAP && *optarg && strspn(optarg, "0") == strlen(optarg)) {
            ropt.boot.draws = 0;
        } else if (opt >= OPT_BOOTSTRAP && opt <= OPT_THREADS) {
            if ((status = cli_bootstrap_option(&cmd_report, opt - OPT_BOOTSTRAP, optarg,
                                               &ropt.boot)) >= 0)
                return status;
        } else if ((status = cli_common_option(&common, opt, &cmd_report)) >= 0) {
            return status;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_report, optind >= argc ? "a survey is required"
                                                           : "one survey at a time");
    if ((status = cli_resolve_format(&common, &cmd_report)) >= 0)
        return status;
    ropt.boot.progress = cli_progress(&common, "bootstrap", &ropt.boot.progress_ctx);
    status = cli_run_survey_tables(&common, argv[optind], report, &ropt);
    cli_progress_end(ropt.boot.progress_ctx);
    return status;
}
