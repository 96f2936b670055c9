/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk: the command-line program.  A thin dispatcher; each subcommand
 * lives in a file of its own and the statistics in libbrisk. */
#include <config.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

const cli_command *const cli_commands[] = {
    &cmd_import,
    &cmd_describe,
    &cmd_fit,
    &cmd_compare,
    &cmd_invariance,
    &cmd_reliability,
    &cmd_regress,
    &cmd_compare_items,
    &cmd_interviews,
    &cmd_simulate,
    &cmd_power,
    &cmd_report,
};
#define NCOMMANDS (sizeof cli_commands / sizeof cli_commands[0])
const size_t cli_ncommands = NCOMMANDS;
#define commands cli_commands

static void usage(FILE *f)
{
    fputs("Usage: brisk COMMAND [OPTION]... [ARGUMENT]...\n"
          "Public-acceptance survey research: from the raw data file to finished tables.\n\n"
          "Commands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nEvery command takes --help and --version; commands that print tables take\n"
          "--format text|csv|md|json, -o FILE (format from its extension) and --quiet.\n"
          "A survey is a .survey file, or the name of a bundled survey (rongcheng).\n"
          "Exit status: 0 done, 1 usage error, 2 input error, 3 model could not be\n"
          "estimated, 4 output could not be written.\n\n"
          "'brisk COMMAND --help' describes a command; 'man brisk' the whole program.\n", f);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; the library checks every status. */
    gsl_set_error_handler_off();
    cli_clean_up_on_signals();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        fputs(CLI_VERSION_TEXT, stdout);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i]->name) == 0) {
            cli_set_command(commands[i]);   /* messages begin "brisk NAME: " */
            return commands[i]->run(argc - 1, argv + 1);
        }
    const char *near = NULL;   /* "did you mean": the nearest within two edits */
    size_t best = 3;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        size_t d = brisk_edit_distance(name, commands[i]->name);
        if (d < best) {
            best = d;
            near = commands[i]->name;
        }
    }
    fprintf(stderr, "brisk: unknown command '%s'%s%s%s\n\n", name, near ? "; did you mean '" : "",
            near ? near : "", near ? "'?" : "");
    usage(stderr);
    return EXIT_USAGE;
}
