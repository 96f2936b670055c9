/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — what the readers of coded-interview projects share: a project
 * under construction (its arrays and their capacities), and text measured
 * and cut in code points.  Not installed. */
#ifndef BRISK_QUAL_INTERNAL_H
#define BRISK_QUAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/qual.h"
#include "core/util.h"

/* ------------------------------------------------------------ building */

/* A project being read.  The add functions copy the strings they are
 * given and return false only when memory is exhausted (the project is
 * then unchanged).  Variables must all be added before the first case,
 * because a case holds one value per variable. */
typedef struct brisk_qual_builder {
    brisk_qual_project *p;
    size_t cap_codes, cap_users, cap_sources, cap_codings, cap_variables, cap_cases;
    size_t cap_assignments;
    brisk_lookup assigned;   /* the pairs already in p->assignments */
} brisk_qual_builder;

/* Start an empty project named name (copied; NULL for none). */
brisk_status brisk_qual_builder_init(brisk_qual_builder *b, const char *name, brisk_error *err);
/* The finished project, which the caller now owns; b is emptied. */
brisk_qual_project *brisk_qual_builder_finish(brisk_qual_builder *b);
/* Free what b holds (after a failure). */
void brisk_qual_builder_discard(brisk_qual_builder *b);

bool brisk_qual_add_code(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t parent, size_t *index);
bool brisk_qual_add_user(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t *index);
bool brisk_qual_add_source(brisk_qual_builder *b, const char *guid, const char *name,
                           size_t *index);
bool brisk_qual_add_variable(brisk_qual_builder *b, const char *guid, const char *name,
                             brisk_qual_variable_type type, size_t *index);
bool brisk_qual_add_case(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t *index);
/* Add source to a case's sources unless it is there already. */
bool brisk_qual_case_add_source(brisk_qual_case *c, size_t source);
/* Add a span of a source to a case (nothing when end <= start); false
 * when out of memory. */
bool brisk_qual_case_add_span(brisk_qual_case *c, size_t source, size_t start, size_t end);
/* Append a coding; text (may be NULL) is taken over, not copied, and is
 * freed on failure.  Also records (source, user) as an assignment. */
bool brisk_qual_add_coding(brisk_qual_builder *b, size_t source, size_t code, size_t user,
                           size_t start, size_t end, char *text);
/* Record that user coded source (once; BRISK_QUAL_NONE users are ignored). */
bool brisk_qual_add_assignment(brisk_qual_builder *b, size_t source, size_t user);

/* Set *field to a copy of value (NULL stays NULL), freeing what was there. */
bool brisk_qual_set_string(char **field, const char *value);

/* The name a project gets from its file: the path's last component
 * without its extension (malloc'd; NULL when memory is exhausted). */
char *brisk_qual_base_name(const char *path);

/* ------------------------------------------------------------ text */

/* A UTF-8 text with a byte offset kept every BRISK_QUAL_TEXT_STEP code
 * points, so that cutting selections out of it never scans it from the
 * start: a source with many codings costs linear time, not quadratic. */
#define BRISK_QUAL_TEXT_STEP 256

typedef struct brisk_qual_text {
    const char *s;       /* borrowed */
    size_t bytes;
    size_t length;       /* code points */
    size_t *marks;       /* byte offset of code point k * STEP; NULL for ASCII */
} brisk_qual_text;

/* Measure s (valid UTF-8, bytes long).  False when memory is exhausted. */
bool brisk_qual_text_init(brisk_qual_text *t, const char *s, size_t bytes);
void brisk_qual_text_free(brisk_qual_text *t);
/* Byte offset of code point cp (at most t->length). */
size_t brisk_qual_text_offset(const brisk_qual_text *t, size_t cp);
/* The code points [start, end) as a new string (end <= t->length), or NULL
 * when memory is exhausted. */
char *brisk_qual_text_slice(const brisk_qual_text *t, size_t start, size_t end);

/* Code points in bytes bytes of valid UTF-8. */
size_t brisk_qual_utf8_length(const char *s, size_t bytes);

#endif
