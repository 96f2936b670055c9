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

/* Every command, in the order --help lists them (brisk.c). */
extern const cli_command *const cli_commands[];
extern const size_t cli_ncommands;

/* The command being run (brisk.c sets it before the command's run), and
 * the prefix of every message: "brisk fit" ("brisk" before a command). */
void cli_set_command(const cli_command *cmd);
const char *cli_prefix(void);

/* getopt_long, with every long option written in full: glibc takes any
 * unambiguous prefix (--se for --seed), so a lavaan reflex could turn into
 * another option.  An abbreviated or unknown option is a usage error
 * naming it, with the nearest option ("did you mean --seed?"); the command
 * sees '?' and says how to get help.  Every command's getopt_long is this
 * one. */
int cli_getopt_long(int argc, char *const argv[], const char *shortopts,
                    const struct option *longopts, int *longindex);
#define getopt_long cli_getopt_long

/* Options every command takes. */
typedef struct cli_common {
    const char *format_name;
    const char *output;
    const char *where;    /* --where CONDITION: the rows analysed, or NULL */
    bool quiet;
    brisk_output_format format;
    brisk_read_options read;     /* CLI_READ_OPTIONS: how --data (import's FILE) is read */
    const char *read_option;     /* the first of them given, for messages; NULL: none */
} cli_common;

/* Long options of cli_common, to splice into a command's option table. */
enum { CLI_OPT_WHERE = 890 };
#define CLI_COMMON_OPTIONS                              \
    {"where", required_argument, NULL, CLI_OPT_WHERE},  \
    {"format", required_argument, NULL, 'f'},           \
    {"output", required_argument, NULL, 'o'},           \
    {"quiet", no_argument, NULL, 'q'},                  \
    {"help", no_argument, NULL, 'h'},                   \
    {"version", no_argument, NULL, 'V'}
#define CLI_COMMON_SHORT "f:o:qhV"

/* How a data file is read, on the commands that take --data and on
 * import (cli_common_option handles them): --sheet NAME (xlsx),
 * --decimal C ('.' or ','), --skip N (lines before the header),
 * --header-rows N (the second is the columns' labels). */
enum { CLI_OPT_SHEET = 950, CLI_OPT_DECIMAL, CLI_OPT_SKIP, CLI_OPT_HEADER_ROWS };
#define CLI_READ_OPTIONS                                          \
    {"sheet", required_argument, NULL, CLI_OPT_SHEET},            \
    {"decimal", required_argument, NULL, CLI_OPT_DECIMAL},        \
    {"skip", required_argument, NULL, CLI_OPT_SKIP},              \
    {"header-rows", required_argument, NULL, CLI_OPT_HEADER_ROWS}
#define CLI_READ_HELP                                                                  \
    "      --sheet NAME      with --data: the sheet of an .xlsx workbook (default:\n"  \
    "                        the first)\n"                                            \
    "      --decimal C       with --data: the decimal mark of a text file, .\n"       \
    "                        (default) or , (then ; or a tab is the delimiter)\n"    \
    "      --skip N          with --data: lines (xlsx: rows) before the header row\n" \
    "      --header-rows N   with --data: rows of header (Qualtrics: 3); the second\n" \
    "                        row gives the columns' labels\n"

/* A usage error when one of CLI_READ_OPTIONS was given without --data
 * (a survey says how its data are read); -1 otherwise. */
int cli_check_read_options(const cli_common *c, const char *data, const cli_command *cmd);

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

/* where (--where, or NULL) is added to the survey's filter =. */
brisk_status cli_survey_open(cli_survey *cs, const char *arg, const char *where,
                             brisk_error *err);

/* The note of a filter (--where, a survey's filter =) under every table:
 * which rows were analysed, how many kept and left out. */
brisk_status cli_note_rows(brisk_table_list *tables, const char *note);

/* --where on data read from a file (--data): the rows kept, and the note
 * for the tables in note (empty without --where). */
brisk_status cli_filter_data(brisk_dataset *ds, const char *where, char *note, size_t size,
                             brisk_error *err);
void cli_survey_close(cli_survey *cs);

/* Run an analysis of a model file on a data file (--data, --model): read
 * both (model NULL: the data only, text NULL), print the analysis's
 * warnings and write its tables; returns the exit status. */
typedef brisk_status (*cli_model_analysis)(const char *text, const char *model_path,
                                           const brisk_dataset *ds, const void *ctx,
                                           brisk_table_list *out, brisk_error *err);
int cli_run_data_tables(const cli_common *c, const char *data, const char *model,
                        cli_model_analysis analysis, const void *ctx);

/* The reader's notes on a data file (an xlsx's dates) as warnings of the
 * tables. */
brisk_status cli_add_data_notes(brisk_table_list *tables, const brisk_dataset *ds,
                                brisk_error *err);
/* The same on standard error (unless --quiet), where no tables carry them. */
void cli_print_data_notes(const cli_common *c, const brisk_dataset *ds);

/* Checks --behaviour arguments against the survey (read without its data):
 * each is a behaviour's key, or its label in any case ("criminal records"),
 * which is replaced by the key.  Returns -1 when every one names a
 * behaviour, else the exit status of the error it printed (which lists
 * the keys and labels). */
#define CLI_MAX_BEHAVIOURS 64
int cli_check_behaviours(const cli_command *cmd, const char *arg, const char **keys, size_t n);

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
 * meaning everywhere: --estimator ml|mlr|wlsmv|gls|uls|wls|dwls, --missing listwise|fiml,
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
    "                        scaled chi-square, robust CFI, TLI and RMSEA), mlm\n"    \
    "                        (complete data: robust.sem SEs, the Satorra-Bentler\n"  \
    "                        scaled chi-square, robust CFI, TLI and RMSEA), wlsmv\n"  \
    "                        (ordered items: polychorics, DWLS, robust SEs, the\n"    \
    "                        scaled-shifted chi-square), or least squares on\n"      \
    "                        continuous items: gls, uls, wls (ADF) or dwls (their\n"  \
    "                        standard SEs and test; complete rows, no weights;\n"    \
    "                        brisk fit only), as lavaan's; without it a survey's\n"  \
    "                        ordered items (ordered =) are fitted by WLSMV\n"        \
    "      --missing M       listwise (default) or fiml: every respondent with the\n"  \
    "                        answers given (full-information ML, lavaan's missing =\n" \
    "                        \"ml\"; not with WLSMV); or pairwise (WLSMV only):\n"     \
    "                        thresholds from each item's answers, polychorics from\n" \
    "                        each pair's, as lavaan's missing = \"pairwise\"\n"        \
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

/* lavaan's se= and test= (--se, --test) held against the fit brisk makes:
 * each brisk estimator has one kind of standard errors and one test, which
 * lavaan names (ML: standard and standard; MLR, or ML with sampling
 * weights: robust.huber.white and yuan.bentler.mplus; with clusters:
 * robust.cluster; WLSMV: robust.sem, which lavaan's "robust" is, and
 * scaled.shifted).  A name that is the fit's own is accepted (se may also
 * be "bootstrap", which the caller turns into its draws); any other is a
 * usage error that says what brisk computes instead.  Returns -1 or the
 * exit status. */
int cli_check_se_test(const cli_command *cmd, const char *se, const char *test,
                      const brisk_model_options *m, bool weighted, bool clustered,
                      bool survey_ordered);

/* The same for a survey given as arg (read without its data): its weight
 * and cluster unless m says otherwise, its ordered items. */
int cli_check_se_test_survey(const cli_command *cmd, const char *arg, const char *se,
                             const char *test, const brisk_model_options *m);

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

/* Whether a dataset can be written to path: its extension is .csv, .tsv,
 * .xlsx, .sav or .dta. */
bool cli_data_output_supported(const char *path);
/* Write a dataset to path by its extension (as brisk import -o does, without
 * a labels file), atomically: a failure leaves nothing.  What a .sav/.dta
 * cannot carry is a warning on standard error unless quiet. */
brisk_status cli_write_dataset(const char *path, const brisk_dataset *ds, bool quiet,
                               brisk_error *err);

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
