/* SPDX-License-Identifier: GPL-3.0-or-later */
/* JSON pieces reused by every JSON document brisk writes: the table
 * writer's and the fit's (analysis/fit_tables.c). */
#ifndef BRISK_EXPORT_JSON_H
#define BRISK_EXPORT_JSON_H

#include <stdio.h>
#include "brisk/table.h"

void brisk_json_string(FILE *f, const char *s);
/* A finite number at full precision, or null. */
void brisk_json_number(FILE *f, double x);
/* A cell as its column's JSON type. */
void brisk_json_cell(FILE *f, const brisk_table_column *col, const brisk_cell *cell);

#endif
