/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers of the libFuzzer harnesses (see fuzz.h). */
#include <config.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "fuzz.h"

/* Called once by libFuzzer before the first input: the library expects
 * its program to turn GSL's aborting error handler off (tools/brisk.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gsl_set_error_handler_off();
    return 0;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return NULL;
    char *text = malloc(size + 1);
    if (!text)
        return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

bool fuzz_split(const uint8_t *data, size_t size, const uint8_t **first, size_t *first_len,
                const uint8_t **second, size_t *second_len)
{
    const size_t seplen = sizeof FUZZ_SEPARATOR - 1;
    *first = data;
    *first_len = size;
    *second = data + size;
    *second_len = 0;
    const uint8_t *sep = size >= seplen ? memmem(data, size, FUZZ_SEPARATOR, seplen) : NULL;
    if (!sep)
        return false;
    *first_len = (size_t)(sep - data) + 1;   /* keep the line's newline */
    *second = sep + seplen;
    *second_len = size - (size_t)(*second - data);
    return true;
}

FILE *fuzz_null(void)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    return null;
}

static char tmpdir[4096];

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char path[sizeof tmpdir + 256];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

const char *fuzz_tmpdir(void)
{
    if (tmpdir[0])
        return tmpdir;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/brisk-fuzz-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        tmpdir[0] = '\0';
        return NULL;
    }
    atexit(remove_tmpdir);
    return tmpdir;
}

bool fuzz_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}
