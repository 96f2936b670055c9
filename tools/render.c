/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rendering Graphviz source with the dot program, atomically. */
#include <config.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

extern char **environ;

/* Run dot -T<format> on source_path into out_path; returns dot's exit
 * status, 127 when dot could not be started. */
static int run_dot(const char *format, const char *source_path, const char *out_path)
{
    char type[32];
    snprintf(type, sizeof type, "-T%s", format);
    char *argv[] = {"dot", type, "-o", (char *)out_path, (char *)source_path, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0)
        return 127;
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return 126;
    return WEXITSTATUS(status);
}

int cli_render_dot(const char *source, size_t size, const char *format, const char *path)
{
    brisk_error err;
    brisk_error_clear(&err);
    char source_path[] = "/tmp/brisk-dot-XXXXXX";
    int fd = mkstemp(source_path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool written = f && fwrite(source, 1, size, f) == size;
    if (f)
        written = fclose(f) == 0 && written;
    else if (fd >= 0)
        close(fd);
    if (!written) {
        if (fd >= 0)
            unlink(source_path);
        fprintf(stderr, "%s: cannot write a temporary file for dot: %s\n", cli_prefix(),
                strerror(errno));
        return EXIT_OUTPUT;
    }
    brisk_output out;
    brisk_status st = brisk_output_open_path(&out, path, &err);
    int code = st == BRISK_OK ? run_dot(format, source_path, out.temp) : -1;
    unlink(source_path);
    if (st != BRISK_OK)
        return cli_fail(&err);
    if (code != 0) {
        brisk_output_abort(&out);
        if (code == 127)
            fprintf(stderr, "%s: %s: rendering a diagram needs Graphviz's dot program, which "
                    "is not installed; install it (Debian: sudo apt-get install graphviz) or "
                    "write the diagram's source with -o FILE.dot\n", cli_prefix(), path);
        else
            fprintf(stderr, "%s: %s: dot failed (exit status %d)\n", cli_prefix(), path, code);
        return EXIT_OUTPUT;
    }
    return brisk_output_commit(&out, &err) == BRISK_OK ? EXIT_DONE : cli_fail(&err);
}
