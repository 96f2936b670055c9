/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interrupted runs leave no temporary files: SIGINT, SIGTERM and SIGHUP
 * remove the temporary files of the outputs being written (the library
 * reports them through brisk_output_watch), then end the program as the
 * signal would.  SIGKILL cannot be caught: it may leave a FILE.tmpXXXXXX
 * beside the output, never a partial file under the output's name. */
#include <config.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "brisk/table.h"
#include "cli.h"

/* A few outputs are open at once at most (import: the data and its value
 * labels); a slot holds a path or NULL, written whole before it is seen. */
#define MAX_LIVE 8
static char *volatile live[MAX_LIVE];

static void watch(const char *temp, bool exists)
{
    for (size_t k = 0; k < MAX_LIVE; k++) {
        if (exists && !live[k]) {
            live[k] = strdup(temp);   /* NULL when out of memory: not watched */
            return;
        }
        if (!exists && live[k] && strcmp(live[k], temp) == 0) {
            char *path = live[k];
            live[k] = NULL;
            free(path);
            return;
        }
    }
}

/* Only async-signal-safe calls: unlink, signal, raise. */
static void interrupted(int sig)
{
    for (size_t k = 0; k < MAX_LIVE; k++)
        if (live[k])
            unlink(live[k]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_clean_up_on_signals(void)
{
    brisk_output_watch(watch);
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = interrupted;
        sigemptyset(&sa.sa_mask);
        sigaction(signals[k], &sa, NULL);
    }
}
