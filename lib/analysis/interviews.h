/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the three files of brisk interviews share (internal):
 * interviews.c (themes, co-occurrence, quotes), interview_agreement.c
 * (agreement between coders) and interview_joint.c (the joint display). */
#ifndef BRISK_ANALYSIS_INTERVIEWS_H
#define BRISK_ANALYSIS_INTERVIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "brisk/analysis.h"

/* The project's participants and codes in the order tables show them. */
typedef struct iv_shape {
    const brisk_qual_project *p;
    size_t nparts;
    const char **part_name;      /* borrowed names */
    size_t *case_of_part;        /* the case, or NONE (a source of its own) */
    size_t *part_of_source;      /* the source's participant (its first case) */
    size_t *part_of_coding;      /* the coding's: in a source several cases share, the
                                    case whose selections (spans) it overlaps most */
    size_t *parts_start, *parts; /* the participants of source src are
                                    parts[parts_start[src] .. parts_start[src + 1]) */
    size_t *order;               /* codes depth first, in the file's order */
    size_t *depth;
    char **path;                 /* "Parent / Child" */
    size_t orphans;              /* sources in no case (with cases) */
    size_t shared;               /* sources in two or more cases */
    size_t unattributed;         /* codings there that overlap no case's span: the
                                    source's first case has them */
    size_t shared_example;       /* a source of such a coding */
} iv_shape;

brisk_status iv_shape_build(iv_shape *s, const brisk_qual_project *p, brisk_error *err);
void iv_shape_free(iv_shape *s);

/* raised[c * nparts + i]: participant i raised code c (or a code under it)
 * in the counted codings; coded[i]: participant i has a counted coding. */
typedef struct iv_counts {
    unsigned char *raised;
    bool *coded;
    size_t *segments;
    size_t *words;
    size_t ncoded;               /* participants with a counted coding */
} iv_counts;

brisk_status iv_count_themes(const iv_shape *s, size_t coder, iv_counts *tc, brisk_error *err);
void iv_theme_counts_free(iv_counts *tc);

/* The codings that count: every coder's (coder NONE), or one coder's. */
bool iv_counted(const brisk_qual_coding *c, size_t coder);
bool iv_has_position(const brisk_qual_coding *c);
/* The counted codings with a position, by source and start; NULL when out
 * of memory.  Free it. */
size_t *iv_positioned(const brisk_qual_project *p, size_t coder, size_t *n);

/* A coder or case variable by name, or an error listing the project's. */
brisk_status iv_find_coder(const brisk_qual_project *p, const char *name, size_t *coder,
                           brisk_error *err);
brisk_status iv_find_variable(const brisk_qual_project *p, const char *name, size_t *v,
                              brisk_status status, const char *what, brisk_error *err);

/* Tables: a new one on a sheet; columns from (key, header, kind) triples,
 * kind a letter: t text, i count, n 3 decimals, 2 two, % percent, p
 * p-value; finish adds t to out (or frees it when !ok). */
brisk_status iv_nomem(brisk_error *err);
/* Tables of a x b x c cells (codes, participants or units, coders) sized
 * from a file are bounded: BRISK_ERR_LIMIT beyond IV_MAX_CELLS. */
#define IV_MAX_CELLS (UINT64_C(1) << 28)
brisk_status iv_check_size(size_t a, size_t b, size_t c, brisk_error *err);
brisk_table *iv_table(const char *id, const char *title, const char *sheet);
bool iv_columns(brisk_table *t, const char *const *spec, size_t n);
brisk_status iv_finish(brisk_table *t, brisk_table_list *out, bool ok, brisk_error *err);

/* A code by its path as the tables show it ("Parent / Child"), or by a
 * name only one code has (interview_agreement.c). */
brisk_status iv_find_code(const iv_shape *s, const char *name, size_t *code, brisk_error *err);

/* Agreement between coders at opt->unit, per code and on opt->categories
 * (interview_agreement.c). */
brisk_status iv_agreement(const iv_shape *s, const brisk_interviews_options *opt,
                          brisk_table_list *out, brisk_error *err);

#endif
