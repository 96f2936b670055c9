/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — a coded-interview project: building it, freeing it, finding its
 * codes, users, variables and cases, choosing a reader by the file's name,
 * and text measured and cut in code points (what REFI-QDA's positions
 * count). */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "qual_internal.h"

/* ------------------------------------------------------------ freeing */

static void free_cases(brisk_qual_case *cases, size_t ncases, size_t nvariables)
{
    for (size_t i = 0; i < ncases; i++) {
        free(cases[i].guid);
        free(cases[i].name);
        free(cases[i].sources);
        free(cases[i].spans);
        for (size_t v = 0; cases[i].values && v < nvariables; v++)
            free(cases[i].values[v]);
        free(cases[i].values);
    }
    free(cases);
}

void brisk_qual_project_free(brisk_qual_project *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ncodes; i++) {
        free(p->codes[i].guid);
        free(p->codes[i].name);
        free(p->codes[i].color);
        free(p->codes[i].description);
    }
    for (size_t i = 0; i < p->nusers; i++) {
        free(p->users[i].guid);
        free(p->users[i].name);
    }
    for (size_t i = 0; i < p->nsources; i++) {
        free(p->sources[i].guid);
        free(p->sources[i].name);
        free(p->sources[i].text);
        free(p->sources[i].text_path);
    }
    for (size_t i = 0; i < p->ncodings; i++)
        free(p->codings[i].text);
    for (size_t i = 0; i < p->nvariables; i++) {
        free(p->variables[i].guid);
        free(p->variables[i].name);
    }
    free_cases(p->cases, p->ncases, p->nvariables);
    free(p->codes);
    free(p->users);
    free(p->sources);
    free(p->codings);
    free(p->variables);
    free(p->assignments);
    free(p->name);
    free(p->origin);
    free(p);
}

/* ------------------------------------------------------------ building */

brisk_status brisk_qual_builder_init(brisk_qual_builder *b, const char *name, brisk_error *err)
{
    memset(b, 0, sizeof *b);
    b->p = calloc(1, sizeof *b->p);
    if (!b->p || !brisk_qual_set_string(&b->p->name, name)) {
        free(b->p);
        b->p = NULL;
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    return BRISK_OK;
}

brisk_qual_project *brisk_qual_builder_finish(brisk_qual_builder *b)
{
    brisk_qual_project *p = b->p;
    brisk_lookup_free(&b->assigned);
    memset(b, 0, sizeof *b);
    return p;
}

void brisk_qual_builder_discard(brisk_qual_builder *b)
{
    brisk_qual_project_free(brisk_qual_builder_finish(b));
}

bool brisk_qual_set_string(char **field, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = brisk_strdup(value)))
        return false;
    free(*field);
    *field = copy;
    return true;
}

/* Copies of guid (may be NULL) and name, both or neither. */
static bool copy_pair(const char *guid, const char *name, char **guid_copy, char **name_copy)
{
    *guid_copy = brisk_strdup(guid);
    *name_copy = brisk_strdup(name);
    if ((guid && !*guid_copy) || (name && !*name_copy)) {
        free(*guid_copy);
        free(*name_copy);
        return false;
    }
    return true;
}

bool brisk_qual_add_code(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t parent, size_t *index)
{
    brisk_qual_project *p = b->p;
    char *g, *n;
    if (!brisk_grow((void **)&p->codes, &b->cap_codes, p->ncodes + 1, sizeof *p->codes) ||
        !copy_pair(guid, name, &g, &n))
        return false;
    p->codes[p->ncodes] = (brisk_qual_code){.guid = g, .name = n, .parent = parent,
                                            .codable = true};
    *index = p->ncodes++;
    return true;
}

bool brisk_qual_add_user(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t *index)
{
    brisk_qual_project *p = b->p;
    char *g, *n;
    if (!brisk_grow((void **)&p->users, &b->cap_users, p->nusers + 1, sizeof *p->users) ||
        !copy_pair(guid, name, &g, &n))
        return false;
    p->users[p->nusers] = (brisk_qual_user){.guid = g, .name = n};
    *index = p->nusers++;
    return true;
}

bool brisk_qual_add_source(brisk_qual_builder *b, const char *guid, const char *name,
                           size_t *index)
{
    brisk_qual_project *p = b->p;
    char *g, *n;
    if (!brisk_grow((void **)&p->sources, &b->cap_sources, p->nsources + 1,
                    sizeof *p->sources) ||
        !copy_pair(guid, name, &g, &n))
        return false;
    p->sources[p->nsources] = (brisk_qual_source){.guid = g, .name = n};
    *index = p->nsources++;
    return true;
}

bool brisk_qual_add_variable(brisk_qual_builder *b, const char *guid, const char *name,
                             brisk_qual_variable_type type, size_t *index)
{
    brisk_qual_project *p = b->p;
    char *g, *n;
    if (p->ncases > 0)   /* the cases' values would be one short */
        return false;
    if (!brisk_grow((void **)&p->variables, &b->cap_variables, p->nvariables + 1,
                    sizeof *p->variables) ||
        !copy_pair(guid, name, &g, &n))
        return false;
    p->variables[p->nvariables] = (brisk_qual_variable){.guid = g, .name = n, .type = type};
    *index = p->nvariables++;
    return true;
}

bool brisk_qual_add_case(brisk_qual_builder *b, const char *guid, const char *name,
                         size_t *index)
{
    brisk_qual_project *p = b->p;
    char **values = NULL;
    char *g, *n;
    if (!brisk_grow((void **)&p->cases, &b->cap_cases, p->ncases + 1, sizeof *p->cases))
        return false;
    if (p->nvariables > 0 && !(values = calloc(p->nvariables, sizeof *values)))
        return false;
    if (!copy_pair(guid, name, &g, &n)) {
        free(values);
        return false;
    }
    p->cases[p->ncases] = (brisk_qual_case){.guid = g, .name = n, .values = values};
    *index = p->ncases++;
    return true;
}

bool brisk_qual_case_add_span(brisk_qual_case *c, size_t source, size_t start, size_t end)
{
    if (end <= start)
        return true; /* no position: the source alone says it */
    brisk_qual_span *grown = realloc(c->spans, (c->nspans + 1) * sizeof *grown);
    if (!grown)
        return false;
    grown[c->nspans++] = (brisk_qual_span){source, start, end};
    c->spans = grown;
    return true;
}

bool brisk_qual_case_add_source(brisk_qual_case *c, size_t source)
{
    for (size_t i = 0; i < c->nsources; i++)
        if (c->sources[i] == source)
            return true;
    /* Cases hold few sources: grow one at a time, no capacity to keep. */
    size_t *grown = realloc(c->sources, (c->nsources + 1) * sizeof *grown);
    if (!grown)
        return false;
    grown[c->nsources++] = source;
    c->sources = grown;
    return true;
}

static uint64_t pair_hash(size_t source, size_t user)
{
    uint64_t h = BRISK_HASH_START;
    h = (h ^ (uint64_t)source) * UINT64_C(1099511628211);
    return (h ^ (uint64_t)user) * UINT64_C(1099511628211);
}

bool brisk_qual_add_assignment(brisk_qual_builder *b, size_t source, size_t user)
{
    brisk_qual_project *p = b->p;
    if (user == BRISK_QUAL_NONE)
        return true;
    uint64_t h = pair_hash(source, user);
    size_t at = BRISK_LOOKUP_NONE;
    for (size_t i; (i = brisk_lookup_next(&b->assigned, h, &at)) != BRISK_LOOKUP_NONE;)
        if (p->assignments[i].source == source && p->assignments[i].user == user)
            return true;
    if (!brisk_grow((void **)&p->assignments, &b->cap_assignments, p->nassignments + 1,
                    sizeof *p->assignments) ||
        !brisk_lookup_add(&b->assigned, h, p->nassignments))
        return false;
    p->assignments[p->nassignments++] = (brisk_qual_assignment){.source = source, .user = user};
    return true;
}

bool brisk_qual_add_coding(brisk_qual_builder *b, size_t source, size_t code, size_t user,
                           size_t start, size_t end, char *text)
{
    brisk_qual_project *p = b->p;
    if (!brisk_grow((void **)&p->codings, &b->cap_codings, p->ncodings + 1,
                    sizeof *p->codings) ||
        !brisk_qual_add_assignment(b, source, user)) {
        free(text);
        return false;
    }
    p->codings[p->ncodings++] = (brisk_qual_coding){.source = source, .code = code,
                                                    .user = user, .start = start,
                                                    .end = end, .text = text};
    return true;
}

char *brisk_qual_base_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return brisk_strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* ------------------------------------------------------------ finding */

size_t brisk_qual_find_code(const brisk_qual_project *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->ncodes; i++)
        if (strcmp(p->codes[i].name, name) == 0)
            return i;
    return BRISK_QUAL_NONE;
}

size_t brisk_qual_find_user(const brisk_qual_project *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->nusers; i++)
        if (strcmp(p->users[i].name, name) == 0)
            return i;
    return BRISK_QUAL_NONE;
}

size_t brisk_qual_find_variable(const brisk_qual_project *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->nvariables; i++)
        if (strcmp(p->variables[i].name, name) == 0)
            return i;
    return BRISK_QUAL_NONE;
}

size_t brisk_qual_case_of_source(const brisk_qual_project *p, size_t source)
{
    for (size_t i = 0; p && i < p->ncases; i++)
        for (size_t k = 0; k < p->cases[i].nsources; k++)
            if (p->cases[i].sources[k] == source)
                return i;
    return BRISK_QUAL_NONE;
}

/* ------------------------------------------------------------ dispatch */

brisk_status brisk_qual_read(const char *path, brisk_qual_project **out, brisk_error *err)
{
    if (path && (brisk_ends_with_ci(path, ".csv") || brisk_ends_with_ci(path, ".tsv")))
        return brisk_qual_read_segments(path, out, err);
    return brisk_qual_read_refi(path, out, err);
}

/* ------------------------------------------------------------ text */

static bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t brisk_qual_utf8_length(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += !is_continuation((unsigned char)s[i]);
    return n;
}

bool brisk_qual_text_init(brisk_qual_text *t, const char *s, size_t bytes)
{
    *t = (brisk_qual_text){.s = s, .bytes = bytes, .length = brisk_qual_utf8_length(s, bytes)};
    if (t->length == bytes)   /* ASCII: a code point is a byte */
        return true;
    t->marks = malloc((t->length / BRISK_QUAL_TEXT_STEP + 1) * sizeof *t->marks);
    if (!t->marks)
        return false;
    size_t cp = 0;
    for (size_t i = 0; i < bytes; i++) {
        if (is_continuation((unsigned char)s[i]))
            continue;
        if (cp % BRISK_QUAL_TEXT_STEP == 0)
            t->marks[cp / BRISK_QUAL_TEXT_STEP] = i;
        cp++;
    }
    return true;
}

void brisk_qual_text_free(brisk_qual_text *t)
{
    free(t->marks);
    t->marks = NULL;
}

size_t brisk_qual_text_offset(const brisk_qual_text *t, size_t cp)
{
    if (cp >= t->length)
        return t->bytes;
    if (!t->marks)
        return cp;
    size_t i = t->marks[cp / BRISK_QUAL_TEXT_STEP];
    for (size_t k = cp % BRISK_QUAL_TEXT_STEP; k > 0; k--)
        do
            i++;
        while (i < t->bytes && is_continuation((unsigned char)t->s[i]));
    return i;
}

char *brisk_qual_text_slice(const brisk_qual_text *t, size_t start, size_t end)
{
    size_t from = brisk_qual_text_offset(t, start);
    size_t to = brisk_qual_text_offset(t, end);
    return brisk_strndup(t->s + from, to > from ? to - from : 0);
}
