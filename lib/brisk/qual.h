/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — coded interviews: a REFI-QDA project (.qdpx), codebook (.qdc)
 * or a CSV of coded segments, read into one plain value.
 *
 * A project has codes (a tree), users (the coders), sources (transcripts),
 * codings (one code applied by one user to one selection of a source) and
 * cases (participants) with their variables.  Every reference inside is an
 * index into the project's own arrays: the readers resolve the file's
 * GUIDs or names and refuse a reference to something the file does not
 * define.  Offsets are 0-based code points, half-open [start, end). */
#ifndef BRISK_QUAL_H
#define BRISK_QUAL_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRISK_QUAL_NONE ((size_t)-1)

typedef struct brisk_qual_code {
    char *guid;          /* the file's GUID, or NULL (CSV input) */
    char *name;
    char *color;         /* "#RRGGBB" as the file gives it, or NULL */
    char *description;   /* or NULL */
    size_t parent;       /* index of the parent code, or BRISK_QUAL_NONE */
    bool codable;        /* isCodable (a folder-like code is false) */
} brisk_qual_code;

typedef struct brisk_qual_user {
    char *guid;          /* or NULL */
    char *name;
} brisk_qual_user;

typedef struct brisk_qual_source {
    char *guid;          /* or NULL */
    char *name;
    char *text;          /* the plain text, UTF-8, or NULL (not a text source) */
    size_t length;       /* the text's length in code points */
    char *text_path;     /* the file the project names for the text (its
                            plainTextPath, as written), or NULL: inline text,
                            not a text source, CSV input.  With text NULL the
                            archive lacks that file: the source's codings keep
                            their positions but have no text. */
} brisk_qual_source;

typedef struct brisk_qual_coding {
    size_t source;       /* index into sources */
    size_t code;         /* index into codes */
    size_t user;         /* index into users, or BRISK_QUAL_NONE: not recorded */
    size_t start, end;   /* code points of the selection, half-open; both 0
                            when the coding has no position (CSV 0/1 rows,
                            non-text sources) */
    char *text;          /* the selected text (UTF-8), or NULL */
} brisk_qual_coding;

typedef enum brisk_qual_variable_type {
    BRISK_QUAL_TEXT = 0,
    BRISK_QUAL_BOOLEAN,
    BRISK_QUAL_INTEGER,
    BRISK_QUAL_FLOAT,
    BRISK_QUAL_DATE,
    BRISK_QUAL_DATETIME
} brisk_qual_variable_type;

typedef struct brisk_qual_variable {
    char *guid;          /* or NULL */
    char *name;
    brisk_qual_variable_type type;
} brisk_qual_variable;

/* A stretch of a source's text (code points, half-open). */
typedef struct brisk_qual_span {
    size_t source, start, end;
} brisk_qual_span;

typedef struct brisk_qual_case {
    char *guid;          /* or NULL */
    char *name;
    size_t *sources;     /* indices of the sources that belong to the case */
    size_t nsources;
    char **values;       /* one per project variable, as text; NULL: no value */
    /* The text selections the case names (its SelectionRefs, NVivo's
     * codings with the case's node): in a source several cases share (a
     * focus group), a coding belongs to the case whose spans it overlaps. */
    brisk_qual_span *spans;
    size_t nspans;
} brisk_qual_case;

/* That a user coded a source, whether or not they applied any code to it. */
typedef struct brisk_qual_assignment {
    size_t source;       /* index into sources */
    size_t user;         /* index into users */
} brisk_qual_assignment;

typedef struct brisk_qual_project {
    char *name;          /* the project's name, or the file's base name */
    char *origin;        /* the exporting software (Project/@origin), or NULL */
    brisk_qual_code *codes;         size_t ncodes;
    brisk_qual_user *users;         size_t nusers;
    brisk_qual_source *sources;     size_t nsources;
    brisk_qual_coding *codings;     size_t ncodings;
    brisk_qual_variable *variables; size_t nvariables;
    brisk_qual_case *cases;         size_t ncases;
    /* Who coded which source, each pair once.  The segments CSV lists
     * every coder with a row for the participant, rows with present = 0
     * included: so a coder who applied no code to a participant still
     * coded it.  A REFI file does not record this: there the pairs are the
     * (source, user) of its codings.  A coding whose user is not recorded
     * makes no pair. */
    brisk_qual_assignment *assignments; size_t nassignments;
} brisk_qual_project;

/* Limits on what a file may ask for (bad input gets BRISK_ERR_LIMIT). */
#define BRISK_QUAL_MAX_ENTRY   (256u << 20)  /* uncompressed bytes of one zip entry */
#define BRISK_QUAL_MAX_TOTAL   (1024u << 20) /* uncompressed bytes of all entries read */
#define BRISK_QUAL_MAX_DEPTH   64            /* nesting of codes */

/* Read a REFI-QDA project exchange file (.qdpx: a zip holding one *.qde
 * project and its sources/), a bare project (.qde) or a codebook (.qdc:
 * codes only), chosen by the file's content, not only its name.  Nothing
 * is extracted to disk.  On failure err names the file and the element.
 *
 * Positions count the code points of a text file as it is: a CR LF is
 * two (as NVivo and QualCoder count; ATLAS.ti counts one), a leading
 * UTF-8 BOM none.  A text file the archive lacks is no error: the source
 * keeps its text_path and no text, and its codings their positions
 * without text.  A bare .qde must carry its texts inline; a text stored
 * outside the project (relative://, absolute://) is an error. */
brisk_status brisk_qual_read_refi(const char *path, brisk_qual_project **out,
                                  brisk_error *err);

/* The same from a file's bytes in memory (name is used in messages and
 * to tell .qdpx from .qde/.qdc when the content does not). */
brisk_status brisk_qual_read_refi_buffer(const void *data, size_t size, const char *name,
                                         brisk_qual_project **out, brisk_error *err);

/* Read a CSV of coded segments: columns participant, code, and optionally
 * coder, start, end, text, source; or participant, code, present (0/1)
 * with optional coder.  Other columns are participant attributes (one
 * value per participant).  doc/interviews.md gives the format. */
brisk_status brisk_qual_read_segments(const char *path, brisk_qual_project **out,
                                      brisk_error *err);

/* Read either, by the file's extension (.csv/.tsv: segments; else REFI). */
brisk_status brisk_qual_read(const char *path, brisk_qual_project **out,
                             brisk_error *err);

void brisk_qual_project_free(brisk_qual_project *p);

/* Index of a code, user or variable by name (exact, UTF-8), or
 * BRISK_QUAL_NONE. */
size_t brisk_qual_find_code(const brisk_qual_project *p, const char *name);
size_t brisk_qual_find_user(const brisk_qual_project *p, const char *name);
size_t brisk_qual_find_variable(const brisk_qual_project *p, const char *name);

/* The case (participant) a source belongs to, or BRISK_QUAL_NONE. */
size_t brisk_qual_case_of_source(const brisk_qual_project *p, size_t source);

#ifdef __cplusplus
}
#endif
#endif
