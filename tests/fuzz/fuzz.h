/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the libFuzzer harnesses of tests/fuzz share.
 *
 * Each harness is one LLVMFuzzerTestOneInput over one part of libbrisk.
 * The library never prints and never exits, so a harness only calls it:
 * any brisk status other than BRISK_OK is a correct answer to hostile
 * input and the harness returns 0.  What counts as a finding is what the
 * sanitizers and libFuzzer see: a crash, a sanitizer report, a leak, a
 * timeout or memory beyond the limit.  See tests/fuzz/README.md. */
#ifndef BRISK_FUZZ_H
#define BRISK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The separator between the two parts of an input that holds two files
 * (a survey or a model, then a data file): a line of its own. */
#define FUZZ_SEPARATOR "\n#@data\n"

/* The input as a NUL-terminated string (malloc'd), or NULL when it holds
 * a NUL byte: the program refuses such a model file before the library
 * sees it (tools/cli.c), and the library's text interfaces take C
 * strings. */
char *fuzz_text(const uint8_t *data, size_t size);

/* Split data at the first FUZZ_SEPARATOR: the part before it in *first,
 * *first_len, the part after it in *second, *second_len.  Without a
 * separator the whole input is the first part and the second is empty
 * (returns false). */
bool fuzz_split(const uint8_t *data, size_t size, const uint8_t **first, size_t *first_len,
                const uint8_t **second, size_t *second_len);

/* A stream that discards what the writers write (opened once). */
FILE *fuzz_null(void);

/* A private folder under $TMPDIR (or /tmp), made on first use and removed
 * with what is left in it when the process exits normally; for the
 * interfaces that only take a path. */
const char *fuzz_tmpdir(void);

/* Write size bytes to path; false on failure. */
bool fuzz_write_file(const char *path, const void *data, size_t size);

#endif
