/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The brisk program: what every subcommand shares. */
#ifndef BRISK_CLI_H
#define BRISK_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include "brisk.h"

/* Exit statuses (DESIGN.md). */
enum {
    EXIT_DONE = 0,
    EXIT_USAGE = 1,
    EXIT_INPUT = 2,
    EXIT_MODEL = 3,
    EXIT_OUTPUT = 4
};

/* What --version prints: the version and the licence (COPYING), GNU style. */
#define CLI_VERSION_TEXT \
    "brisk " BRISK_VERSION "\n" \
    "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n" \
    "This is free software: you are free to change and redistribute it.\n" \
    "There is NO WARRANTY, to the extent permitted by law.\n"

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;   /* full --help text */
    int (*run)(int argc, char **argv);
} cli_command;

/* Options every command takes. */
typedef struct cli_common {
    const char *format_name;
    const char *output;
    bool quiet;
    brisk_output_format format;
} cli_common;

/* Long options of cli_common, to splice into a command's option table. */
#define CLI_COMMON_OPTIONS                              \
    {"format", required_argument, NULL, 'f'},           \
    {"output", required_argument, NULL, 'o'},           \
    {"quiet", no_argument, NULL, 'q'},                  \
    {"help", no_argument, NULL, 'h'},                   \
    {"version", no_argument, NULL, 'V'}
#define CLI_COMMON_SHORT "f:o:qhV"

/* Handle one of the common options.  Returns -1 when the option was
 * handled and the command goes on, or an exit status to return now
 * (--help, --version, an unknown option). */
int cli_common_option(cli_common *c, int opt, const cli_command *cmd);

/* Settle the output format from --format or -o's extension (text by
 * default); returns -1 or an exit status. */
int cli_resolve_format(cli_common *c, const cli_command *cmd);

/* Write to -o (atomically) or standard output with a writer; returns an
 * exit status. */
typedef brisk_status (*cli_writer)(FILE *f, const void *ctx, brisk_error *err);
int cli_write_output(const cli_common *c, cli_writer write, const void *ctx);

/* Write tables to -o (atomically) or standard output; returns an exit
 * status. */
int cli_write_tables(const cli_common *c, const brisk_table_list *tables);

/* Print warnings of a run to standard error (unless quiet). */
void cli_print_warnings(const cli_common *c, const brisk_table_list *tables);

/* Report an error on standard error, with the offending line and a caret
 * when the error points into a text file; returns the exit status of its
 * status. */
int cli_fail(const brisk_error *err);
int cli_exit_status(brisk_status status);

/* A usage error: message, then "Try 'brisk CMD --help'". */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A survey and its prepared data, loaded from a path or a bundled name. */
typedef struct cli_survey {
    char *path;
    brisk_survey *survey;
    brisk_survey_data *data;
} cli_survey;

brisk_status cli_survey_open(cli_survey *cs, const char *arg, brisk_error *err);
void cli_survey_close(cli_survey *cs);

/* Run an analysis of a model file on a data file (--data, --model): read
 * both (model NULL: the data only, text NULL), print the analysis's
 * warnings and write its tables; returns the exit status. */
typedef brisk_status (*cli_model_analysis)(const char *text, const char *model_path,
                                           const brisk_dataset *ds, const void *ctx,
                                           brisk_table_list *out, brisk_error *err);
int cli_run_data_tables(const cli_common *c, const char *data, const char *model,
                        cli_model_analysis analysis, const void *ctx);

/* Checks --behaviour keys against the survey (read without its data);
 * returns -1 when every key is one of its behaviours, else the exit
 * status of the error it printed. */
int cli_check_behaviours(const cli_command *cmd, const char *arg, const char *const *keys,
                         size_t n);

/* Run an analysis that turns a survey's data into tables, print its
 * warnings and write the tables; returns the exit status. */
typedef brisk_status (*cli_analysis)(const cli_survey *cs, const void *ctx,
                                     brisk_table_list *out, brisk_error *err);
int cli_run_survey_tables(const cli_common *c, const char *arg, cli_analysis analysis,
                          const void *ctx);

/* Find a survey given as a path or as the name of a bundled survey
 * ("rongcheng").  Returns a malloc'd path or NULL (with err set). */
char *cli_find_survey(const char *arg, brisk_error *err);

/* Render Graphviz source to path with `dot -T<format>` (svg, png, pdf),
 * through a temporary file renamed on success; says how to install dot
 * when it is missing.  Returns an exit status. */
int cli_render_dot(const char *source, size_t size, const char *format, const char *path);

/* "loadings,intercepts" to BRISK_EQUAL_* flags; false for an unknown word. */
bool cli_parse_group_equal(const char *list, unsigned *flags);

/* A model file's text (at most 16 MiB); NULL with err set when it cannot be
 * read. */
char *cli_read_text_file(const char *path, brisk_error *err);

/* text to f with control bytes and invalid UTF-8 shown as \xNN (messages
 * may quote a file's bytes). */
void cli_print_clean(FILE *f, const char *text);

/* SIGINT, SIGTERM and SIGHUP remove the temporary files of the outputs
 * being written before the program ends (signals.c). */
void cli_clean_up_on_signals(void);

/* True, with err set (naming path and the line), when a model's text has
 * {b} outside a comment and no survey is there to expand it; what_to_do
 * ends the message. */
bool cli_refuse_templates(const char *path, const char *text, const char *what_to_do,
                          brisk_error *err);

/* A whole number from min to max written in decimal digits (no sign), or a
 * finite number from min to max; false otherwise. */
bool cli_parse_count(const char *arg, unsigned long long min, unsigned long long max,
                     unsigned long long *out);
bool cli_parse_number(const char *arg, double min, double max, double *out);

/* The estimation options of every command that fits a model, with one
 * meaning everywhere: --estimator ml|mlr|wlsmv, --missing listwise|fiml,
 * --weight COL or --unweighted, --cluster COL, and --time-limit SECONDS (also alone:
 * reliability's CFA is ML).  Without --estimator a survey's ordered items
 * are fitted by WLSMV (lavaan's default for them), others by ML; without
 * --unweighted a survey's weight is a sampling weight. */
enum { CLI_OPT_ESTIMATOR = 900, CLI_OPT_MISSING, CLI_OPT_TIME_LIMIT, CLI_OPT_WEIGHT,
       CLI_OPT_UNWEIGHTED, CLI_OPT_CLUSTER, CLI_OPT_UNCLUSTERED };
#define CLI_DEFAULT_TIME_LIMIT 300.0
#define CLI_TIME_LIMIT_OPTION {"time-limit", required_argument, NULL, CLI_OPT_TIME_LIMIT}
#define CLI_ESTIMATION_OPTIONS                                  \
    {"estimator", required_argument, NULL, CLI_OPT_ESTIMATOR},  \
    {"missing", required_argument, NULL, CLI_OPT_MISSING},      \
    {"weight", required_argument, NULL, CLI_OPT_WEIGHT},        \
    {"unweighted", no_argument, NULL, CLI_OPT_UNWEIGHTED},      \
    {"cluster", required_argument, NULL, CLI_OPT_CLUSTER},      \
    {"unclustered", no_argument, NULL, CLI_OPT_UNCLUSTERED}, CLI_TIME_LIMIT_OPTION
#define CLI_TIME_LIMIT_HELP                                                          \
    "      --time-limit S    seconds an ML fit may search before it gives up\n"      \
    "                        (default 300; 0: no limit); a fit stopped without a\n"  \
    "                        solution is an error (exit 3)\n"
#define CLI_ESTIMATION_HELP                                                          \
    "      --estimator E     ml (default), mlr (Huber-White SEs, the Yuan-Bentler\n"  \
    "                        scaled chi-square, robust CFI, TLI and RMSEA) or wlsmv\n" \
    "                        (ordered items: polychorics, DWLS, robust SEs, the\n"    \
    "                        scaled-shifted chi-square), as lavaan's; without it a\n"  \
    "                        survey's ordered items (ordered =) are fitted by WLSMV\n" \
    "      --missing M       listwise (default) or fiml: every respondent with the\n"  \
    "                        answers given (full-information ML, lavaan's missing =\n" \
    "                        \"ml\"; not with WLSMV)\n"                              \
    "      --weight COL      sampling weights (default: the survey's weight), as\n"  \
    "                        lavaan's sampling.weights: weighted moments, robust\n"   \
    "                        SEs and the scaled chi-square (not with WLSMV)\n"       \
    "      --unweighted      leave the survey's weight out\n"                        \
    "      --cluster COL     clusters (default: the survey's cluster), as lavaan's\n" \
    "                        cluster=: SEs and the scaled test from the scores\n"   \
    "                        summed within clusters (complete data; not WLSMV)\n"   \
    "      --unclustered     leave the survey's cluster out\n"                       \
    CLI_TIME_LIMIT_HELP

/* Before the command line: ML, listwise, a survey's ordered items by WLSMV,
 * the default time limit. */
void cli_estimation_defaults(brisk_model_options *opt);

/* Is opt one of CLI_ESTIMATION_OPTIONS? */
#define CLI_IS_ESTIMATION_OPTION(opt) ((opt) >= CLI_OPT_ESTIMATOR && (opt) <= CLI_OPT_UNCLUSTERED)

/* --estimator (opt CLI_OPT_ESTIMATOR), --missing, --weight, --unweighted
 * or --time-limit into m; an estimator given overrides the survey's
 * ordered items.  Returns -1, or a usage error's exit status. */
int cli_estimation_option(const cli_command *cmd, int opt, const char *arg,
                          brisk_model_options *m);

/* The bootstrap options before the command line: draws (0: no bootstrap),
 * seed 1, one thread per processor. */
void cli_bootstrap_defaults(brisk_bootstrap_options *opt, size_t draws);

/* --bootstrap N (which 0), --ci TYPE (1), --seed S (2), --threads T (3) into
 * opt; returns -1, or a usage error's exit status. */
int cli_bootstrap_option(const cli_command *cmd, int which, const char *arg,
                         brisk_bootstrap_options *opt);

/* A progress reporter for long work: on standard error when it is a
 * terminal and not --quiet, else NULL.  cli_progress_end ends the line. */
typedef void (*cli_progress_fn)(size_t done, size_t total, void *ctx);
cli_progress_fn cli_progress(const cli_common *c, const char *what, void **ctx);
void cli_progress_end(void *ctx);

/* The subcommands. */
extern const cli_command cmd_import;
extern const cli_command cmd_describe;
extern const cli_command cmd_fit;
extern const cli_command cmd_report;
extern const cli_command cmd_invariance;
extern const cli_command cmd_reliability;
extern const cli_command cmd_regress;
extern const cli_command cmd_compare_items;
extern const cli_command cmd_interviews;
extern const cli_command cmd_simulate;
extern const cli_command cmd_power;
extern const cli_command cmd_compare;

#endif
