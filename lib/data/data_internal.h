/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — what the data readers share: a cell's text read as missing or
 * as a number, the same way in CSV and in an xlsx's text cells, so that a
 * column numeric in one is numeric in the other. */
#ifndef BRISK_DATA_INTERNAL_H
#define BRISK_DATA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* "", blanks, "NA", "." or one of na_tokens (NULL-terminated, may be NULL);
 * blanks around the text are ignored. */
bool brisk_data_missing_token(const char *text, size_t len, const char *const *na_tokens);

/* The text as a number with decimal mark '.' (decimal 0 or '.') or ','.
 * With ',' a text holding '.' is not a number (as R's read.csv2). */
bool brisk_data_number(const char *text, size_t len, char decimal, double *out);

#endif
