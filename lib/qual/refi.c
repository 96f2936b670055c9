/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the REFI-QDA reader (www.qdasoftware.org): a project exchange
 * file (.qdpx: a zip holding one *.qde and its sources/), a bare project
 * (.qde) or a codebook (.qdc).
 *
 * The zip is read with libzip from the file or from memory and nothing is
 * extracted: only the .qde and the plain-text files its selections point
 * into are read, each bounded (BRISK_QUAL_MAX_ENTRY, and every byte read
 * counted against BRISK_QUAL_MAX_TOTAL), and an entry that inflates to
 * more than its header declares is refused as it is read.  The XML is
 * parsed by libxml2 without network, without loading any DTD and without
 * expanding entities; a file that declares entities is refused.
 *
 * Lenient where exporters differ (ATLAS.ti, MAXQDA, NVivo, QualCoder,
 * Quirkos): elements and attributes are matched by local name, in the
 * QDA-XML namespaces or none; GUIDs compare without case and braces; the
 * .qde may have any name and sit in a folder, and "sources/" any case;
 * optional attributes may be missing (isCodable means true, no
 * creatingUser means no user); a UTF-8 BOM at the start of a text file is
 * dropped; a Case without a name takes its first source's; a Code whose
 * GUID is a Case's (how NVivo exports case nodes) is not a code, and its
 * codings put their source in that case; variable values given on a
 * source (MAXQDA's document variables) go to the cases holding it, a case
 * made for the source when none does.
 *
 * Strict where a file is corrupt: a reference (CodeRef, SourceRef,
 * SelectionRef, VariableRef, creatingUser) to a GUID the file does not
 * define, a GUID defined twice, a selection outside its source's text, a
 * text that is not UTF-8, a path out of the archive, are errors naming
 * the element and its line.
 *
 * Positions count the code points of the text as it is: a CR LF counts
 * two, as NVivo and QualCoder count it (ATLAS.ti counts one; its
 * positions drift by a line's worth on CR LF text).  Inline text
 * (PlainTextContent) is what XML delivers: line ends already LF. */
#include <config.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <zip.h>
#include "brisk/io.h"
#include "qual_internal.h"

/* ------------------------------------------------------------ GUIDs */

typedef enum guid_kind {
    GUID_USER,
    GUID_CODE,
    GUID_SOURCE,
    GUID_SELECTION,
    GUID_VARIABLE,
    GUID_CASE,
    GUID_SPAN    /* a text selection's GUID: its index in refi_reader.spans */
} guid_kind;

typedef struct guid_entry {
    char *key;           /* lower case, without braces and blanks */
    guid_kind kind;
    size_t value;        /* index of what the GUID names (a selection: its source) */
    long line;
} guid_entry;

typedef struct guid_table {
    guid_entry *entries;
    size_t n, cap;
    brisk_lookup lookup;
} guid_table;

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Exporters write GUIDs in upper or lower case, some in braces. */
static char *guid_key(const char *guid)
{
    while (*guid == ' ' || *guid == '\t' || *guid == '{')
        guid++;
    size_t n = strlen(guid);
    while (n > 0 && (guid[n - 1] == ' ' || guid[n - 1] == '\t' || guid[n - 1] == '}'))
        n--;
    char *key = brisk_strndup(guid, n);
    for (size_t i = 0; key && i < n; i++)
        key[i] = ascii_lower(key[i]);
    return key;
}

static uint64_t guid_hash(guid_kind kind, const char *key)
{
    const char tag[2] = {(char)('a' + (int)kind), '\0'};
    return brisk_hash_text(brisk_hash_text(BRISK_HASH_START, tag), key);
}

/* The entry for guid of that kind, or NULL.  *nomem is set when the key
 * could not be made. */
static const guid_entry *guid_entry_of(const guid_table *t, guid_kind kind, const char *guid,
                                       bool *nomem)
{
    char *key = guid_key(guid);
    const guid_entry *found = NULL;
    if (!key) {
        *nomem = true;
        return NULL;
    }
    uint64_t h = guid_hash(kind, key);
    size_t at = BRISK_LOOKUP_NONE;
    for (size_t i; !found && (i = brisk_lookup_next(&t->lookup, h, &at)) != BRISK_LOOKUP_NONE;)
        if (t->entries[i].kind == kind && strcmp(t->entries[i].key, key) == 0)
            found = &t->entries[i];
    free(key);
    return found;
}

static bool guid_add(guid_table *t, guid_kind kind, const char *guid, size_t value, long line)
{
    char *key = guid_key(guid);
    if (!key || !brisk_grow((void **)&t->entries, &t->cap, t->n + 1, sizeof *t->entries) ||
        !brisk_lookup_add(&t->lookup, guid_hash(kind, key), t->n)) {
        free(key);
        return false;
    }
    t->entries[t->n++] = (guid_entry){.key = key, .kind = kind, .value = value, .line = line};
    return true;
}

static void guid_table_free(guid_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->entries[i].key);
    free(t->entries);
    brisk_lookup_free(&t->lookup);
}

/* ------------------------------------------------------------ the zip's names */

/* The archive's file names ('\' read as '/'), found without case: NVivo
 * writes "Sources/", others "sources/". */
typedef struct zip_names {
    char **names;
    zip_uint64_t *index;
    size_t n, cap, cap_index;
    brisk_lookup lookup;
} zip_names;

static uint64_t hash_lower(const char *s)
{
    uint64_t h = BRISK_HASH_START;
    for (; *s; s++)
        h = (h ^ (unsigned char)ascii_lower(*s)) * UINT64_C(1099511628211);
    return h;
}

static bool names_add(zip_names *z, char *name, zip_uint64_t index)
{
    if (!brisk_grow((void **)&z->names, &z->cap, z->n + 1, sizeof *z->names) ||
        !brisk_grow((void **)&z->index, &z->cap_index, z->n + 1, sizeof *z->index) ||
        !brisk_lookup_add(&z->lookup, hash_lower(name), z->n))
        return false;
    z->names[z->n] = name;
    z->index[z->n++] = index;
    return true;
}

/* The position in z of name: spelled exactly if there is such an entry,
 * else in any case; BRISK_LOOKUP_NONE when there is none. */
static size_t names_find(const zip_names *z, const char *name)
{
    size_t at = BRISK_LOOKUP_NONE, any = BRISK_LOOKUP_NONE;
    for (size_t i; (i = brisk_lookup_next(&z->lookup, hash_lower(name), &at)) !=
                   BRISK_LOOKUP_NONE;) {
        if (strcmp(z->names[i], name) == 0)
            return i;
        if (any == BRISK_LOOKUP_NONE && strcasecmp(z->names[i], name) == 0)
            any = i;
    }
    return any;
}

static void names_free(zip_names *z)
{
    for (size_t i = 0; i < z->n; i++)
        free(z->names[i]);
    free(z->names);
    free(z->index);
    brisk_lookup_free(&z->lookup);
}

/* A path that leaves the folder it is read in: absolute (/x, C:x, //host)
 * or with a ".." component. */
static bool leaves_folder(const char *path)
{
    if (path[0] == '/' || (path[0] && path[1] == ':'))
        return true;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        if (*p == '/')
            p++;
    }
    return false;
}

/* ------------------------------------------------------------ the reader */

typedef struct refi_reader {
    const char *path;        /* the input as the caller named it */
    char *where;             /* the file messages about the XML name: path or path:entry */
    brisk_error *err;
    zip_t *zip;              /* NULL: a bare .qde or .qdc */
    zip_names names;
    char *qde_dir;           /* folder of the .qde in the zip: "" or ending in '/' */
    unsigned long long total;   /* uncompressed bytes read from the zip */
    xmlDoc *doc;
    brisk_qual_builder b;
    guid_table guids;
    xmlNode **source_nodes;  /* the element each source was read from */
    size_t cap_source_nodes;
    brisk_qual_span *spans;  /* the text selections, for the cases' SelectionRefs */
    size_t nspans, cap_spans;
} refi_reader;

static brisk_status vfail(refi_reader *r, brisk_status st, const char *file, long line,
                          long column, const char *fmt, va_list ap)
{
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    brisk_error_set(r->err, st, "%s", message);
    brisk_error_at(r->err, file, line, column);
    return st;
}

/* An error about the input as a whole (the zip, its entries). */
__attribute__((format(printf, 3, 4)))
static brisk_status fail(refi_reader *r, brisk_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, st, r->path, 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

/* An error about an element of the XML, at its line. */
__attribute__((format(printf, 4, 5)))
static brisk_status fail_at(refi_reader *r, const xmlNode *n, brisk_status st,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, st, r->where, n ? xmlGetLineNo(n) : 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

static brisk_status nomem(refi_reader *r)
{
    return brisk_error_set(r->err, BRISK_ERR_NOMEM, "out of memory");
}

/* "path:entry", the name of an entry of the input in messages. */
static char *entry_label(const refi_reader *r, const char *entry)
{
    brisk_buf b = {0};
    if (!brisk_buf_printf(&b, "%s:%s", r->path, entry)) {
        brisk_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ------------------------------------------------------------ XML helpers */

static bool is_named(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

/* n or its first following sibling named local (any namespace). */
static xmlNode *next_named(xmlNode *n, const char *local)
{
    while (n && !is_named(n, local))
        n = n->next;
    return n;
}

static xmlNode *child_named(const xmlNode *n, const char *local)
{
    return n ? next_named(n->children, local) : NULL;
}

#define EACH_CHILD(c, parent, local) \
    for (xmlNode *c = child_named(parent, local); c; c = next_named(c->next, local))

/* An attribute by local name (in a namespace or none), copied; NULL when
 * absent. */
static char *attr(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *copy = brisk_strdup((const char *)v);
    xmlFree(v);
    return copy;
}

/* The text of an element, copied ("" when empty). */
static char *text_of(const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *copy = brisk_strdup(v ? (const char *)v : "");
    xmlFree(v);
    return copy;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s without its surrounding blanks, in place; NULL when nothing is left. */
static char *trimmed_or_null(char *s)
{
    if (!s)
        return NULL;
    size_t from = 0, n = strlen(s);
    while (from < n && is_blank(s[from]))
        from++;
    while (n > from && is_blank(s[n - 1]))
        n--;
    if (n == from) {
        free(s);
        return NULL;
    }
    memmove(s, s + from, n - from);
    s[n - from] = '\0';
    return s;
}

/* ------------------------------------------------------------ references */

/* Define a GUID; a second definition of one GUID is an error. */
static brisk_status define_guid(refi_reader *r, const xmlNode *n, guid_kind kind,
                                const char *guid, size_t value)
{
    bool oom = false;
    const guid_entry *e = guid_entry_of(&r->guids, kind, guid, &oom);
    if (oom)
        return nomem(r);
    /* ATLAS.ti gives a PDFSelection the GUID of the PlainTextSelection of
     * the same PDF's text: one selection, seen twice. */
    if (e && kind == GUID_SELECTION && e->value == value)
        return BRISK_OK;
    if (e)
        return fail_at(r, n, BRISK_ERR_FORMAT,
                       "%s guid=%.100s repeats a GUID already defined on line %ld",
                       (const char *)n->name, guid, e->line);
    return guid_add(&r->guids, kind, guid, value, xmlGetLineNo(n)) ? BRISK_OK : nomem(r);
}

/* What a GUID of that kind names, or BRISK_QUAL_NONE (also when memory is
 * exhausted: *st says which). */
static size_t lookup_guid(refi_reader *r, guid_kind kind, const char *guid, brisk_status *st)
{
    bool oom = false;
    const guid_entry *e = guid_entry_of(&r->guids, kind, guid, &oom);
    *st = oom ? nomem(r) : BRISK_OK;
    return e ? e->value : BRISK_QUAL_NONE;
}

/* The required guid attribute of n, or an error naming the element. */
static brisk_status required_guid(refi_reader *r, const xmlNode *n, char **guid)
{
    *guid = trimmed_or_null(attr(n, "guid"));
    if (!*guid)
        return fail_at(r, n, BRISK_ERR_FORMAT, "%s has no guid", (const char *)n->name);
    return BRISK_OK;
}

/* The user n's creatingUser names, or fallback when n has none. */
static brisk_status creating_user(refi_reader *r, const xmlNode *n, size_t fallback,
                                  size_t *user)
{
    char *guid = trimmed_or_null(attr(n, "creatingUser"));
    char *own = attr(n, "guid");
    brisk_status st = BRISK_OK;
    *user = fallback;
    if (guid) {
        *user = lookup_guid(r, GUID_USER, guid, &st);
        if (st == BRISK_OK && *user == BRISK_QUAL_NONE)
            st = fail_at(r, n, BRISK_ERR_FORMAT,
                         "%s guid=%.100s: creatingUser %.100s is not one of the project's "
                         "Users", (const char *)n->name, own ? own : "?", guid);
    }
    free(guid);
    free(own);
    return st;
}

/* ------------------------------------------------------------ users, variables */

static brisk_status read_user(refi_reader *r, const xmlNode *n)
{
    char *guid = NULL, *name = NULL;
    size_t index;
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    name = trimmed_or_null(attr(n, "name"));
    if (!name)   /* the schema makes the name optional: then the id, or the GUID */
        name = trimmed_or_null(attr(n, "id"));
    if (!brisk_qual_add_user(&r->b, guid, name ? name : guid, &index))
        st = nomem(r);
    else
        st = define_guid(r, n, GUID_USER, guid, index);
    free(guid);
    free(name);
    return st;
}

static brisk_qual_variable_type variable_type(const char *s)
{
    static const struct {
        const char *name;
        brisk_qual_variable_type type;
    } types[] = {{"Boolean", BRISK_QUAL_BOOLEAN}, {"Integer", BRISK_QUAL_INTEGER},
                 {"Float", BRISK_QUAL_FLOAT},     {"Date", BRISK_QUAL_DATE},
                 {"DateTime", BRISK_QUAL_DATETIME}};
    for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(s, types[i].name) == 0)
            return types[i].type;
    return BRISK_QUAL_TEXT;   /* "Text", and what an exporter spells otherwise */
}

static brisk_status read_variable(refi_reader *r, const xmlNode *n)
{
    char *guid = NULL, *name = NULL, *type = NULL;
    size_t index;
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    name = trimmed_or_null(attr(n, "name"));
    type = attr(n, "typeOfVariable");
    if (!name)
        st = fail_at(r, n, BRISK_ERR_FORMAT, "Variable guid=%.100s has no name", guid);
    else if (!brisk_qual_add_variable(&r->b, guid, name, variable_type(type), &index))
        st = nomem(r);
    else
        st = define_guid(r, n, GUID_VARIABLE, guid, index);
    free(guid);
    free(name);
    free(type);
    return st;
}

/* ------------------------------------------------------------ codes */

static brisk_status read_codes(refi_reader *r, const xmlNode *parent_el, size_t parent,
                               int depth);

static void describe_code(refi_reader *r, const xmlNode *n, size_t index)
{
    brisk_qual_code *c = &r->b.p->codes[index];
    char *codable = trimmed_or_null(attr(n, "isCodable"));
    char *color = trimmed_or_null(attr(n, "color"));
    const xmlNode *d = child_named(n, "Description");
    char *description = d ? trimmed_or_null(text_of(d)) : NULL;
    /* isCodable is required by the schema; missing, it means a code. */
    c->codable = !(codable && (strcasecmp(codable, "false") == 0 || strcmp(codable, "0") == 0));
    c->color = color;
    c->description = description;
    free(codable);
}

static brisk_status read_code(refi_reader *r, const xmlNode *n, size_t parent, int depth)
{
    char *guid = NULL, *name = NULL;
    size_t index;
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    /* NVivo exports each case as a code with the case's GUID too: it is
     * not a theme.  Its children, if any, hang from its parent. */
    if (lookup_guid(r, GUID_CASE, guid, &st) != BRISK_QUAL_NONE || st != BRISK_OK) {
        free(guid);
        return st != BRISK_OK ? st : read_codes(r, n, parent, depth + 1);
    }
    name = trimmed_or_null(attr(n, "name"));
    if (!name)
        st = fail_at(r, n, BRISK_ERR_FORMAT, "Code guid=%.100s has no name", guid);
    else if (!brisk_qual_add_code(&r->b, guid, name, parent, &index))
        st = nomem(r);
    else if ((st = define_guid(r, n, GUID_CODE, guid, index)) == BRISK_OK) {
        describe_code(r, n, index);
        st = read_codes(r, n, index, depth + 1);
    }
    free(guid);
    free(name);
    return st;
}

/* The Code children of parent_el, at nesting depth (1 for the top). */
static brisk_status read_codes(refi_reader *r, const xmlNode *parent_el, size_t parent,
                               int depth)
{
    EACH_CHILD(c, parent_el, "Code") {
        if (depth > BRISK_QUAL_MAX_DEPTH)
            return fail_at(r, c, BRISK_ERR_LIMIT, "codes are nested more than %d deep",
                           BRISK_QUAL_MAX_DEPTH);
        brisk_status st = read_code(r, c, parent, depth);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status read_codebook(refi_reader *r, const xmlNode *codebook)
{
    return read_codes(r, child_named(codebook, "Codes"), BRISK_QUAL_NONE, 1);
}

/* ------------------------------------------------------------ entries of the zip */

/* The uncompressed size an entry declares, checked against the bounds
 * before anything is allocated from it (*known false: libzip does not
 * know it, and the bound stands for it). */
static brisk_status declared_size(refi_reader *r, size_t which, zip_uint64_t *size,
                                  bool *known)
{
    const char *name = r->names.names[which];
    zip_stat_t sb;
    zip_stat_init(&sb);
    if (zip_stat_index(r->zip, r->names.index[which], 0, &sb) != 0)
        return fail(r, BRISK_ERR_FORMAT, "cannot read entry '%s': %s", name,
                    zip_strerror(r->zip));
    *known = (sb.valid & ZIP_STAT_SIZE) != 0;
    *size = *known ? sb.size : BRISK_QUAL_MAX_ENTRY;
    if (*size > BRISK_QUAL_MAX_ENTRY)
        return fail(r, BRISK_ERR_LIMIT,
                    "entry '%s' is %llu bytes uncompressed, more than the %u MiB brisk "
                    "reads from one entry", name, (unsigned long long)*size,
                    BRISK_QUAL_MAX_ENTRY >> 20);
    if (r->total + *size > BRISK_QUAL_MAX_TOTAL)
        return fail(r, BRISK_ERR_LIMIT,
                    "entry '%s' (%llu bytes uncompressed) would take what brisk reads "
                    "from the archive past %u MiB", name, (unsigned long long)*size,
                    BRISK_QUAL_MAX_TOTAL >> 20);
    return BRISK_OK;
}

/* Inflate an open entry into buf (size + 1 bytes), counting: one byte
 * more than declared is asked for, and an entry that gives it is a zip
 * bomb (or corrupt), stopped there. */
static brisk_status inflate_entry(refi_reader *r, const char *name, zip_file_t *f, char *buf,
                                  zip_uint64_t size, size_t *got)
{
    *got = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf + *got, size + 1 - *got);
        if (n < 0)
            return fail(r, BRISK_ERR_FORMAT, "cannot read entry '%s': %s", name,
                        zip_file_strerror(f));
        if (n == 0)
            return BRISK_OK;
        if ((*got += (size_t)n) > size)
            return fail(r, BRISK_ERR_LIMIT,
                        "entry '%s' inflates to more than the %llu bytes its header "
                        "declares: a corrupt or hostile zip (a zip bomb?)", name,
                        (unsigned long long)size);
    }
}

/* Read a whole entry into memory (NUL-terminated), within the bounds. */
static brisk_status read_entry(refi_reader *r, size_t which, char **data, size_t *len)
{
    const char *name = r->names.names[which];
    zip_uint64_t size = 0;
    bool known = false;
    size_t got = 0;
    brisk_status st = declared_size(r, which, &size, &known);
    if (st != BRISK_OK)
        return st;
    zip_file_t *f = zip_fopen_index(r->zip, r->names.index[which], 0);
    if (!f)
        return fail(r, BRISK_ERR_FORMAT, "cannot open entry '%s': %s", name,
                    zip_strerror(r->zip));
    char *buf = malloc((size_t)size + 1);
    st = buf ? inflate_entry(r, name, f, buf, size, &got) : nomem(r);
    zip_fclose(f);
    if (st == BRISK_OK && known && got < size)
        st = fail(r, BRISK_ERR_FORMAT, "entry '%s' ends after %zu of the %llu bytes its "
                  "header declares", name, got, (unsigned long long)size);
    if (st != BRISK_OK) {
        free(buf);
        return st;
    }
    buf[got] = '\0';
    r->total += got;
    *data = buf;
    *len = got;
    return BRISK_OK;
}

/* A name of the archive that no exporter writes and an extractor would
 * write outside its folder. */
static brisk_status check_entry_name(refi_reader *r, const char *name)
{
    if (leaves_folder(name))
        return fail(r, BRISK_ERR_FORMAT,
                    "entry '%s' has a path outside the archive (absolute, or with '..'): "
                    "a corrupt or hostile .qdpx", name);
    return BRISK_OK;
}

static brisk_status index_entries(refi_reader *r)
{
    zip_int64_t count = zip_get_num_entries(r->zip, 0);
    for (zip_int64_t i = 0; i < count; i++) {
        const char *raw = zip_get_name(r->zip, (zip_uint64_t)i, 0);
        if (!raw)
            return fail(r, BRISK_ERR_FORMAT, "entry %lld has no name: %s", (long long)i,
                        zip_strerror(r->zip));
        char *name = brisk_strdup(raw);
        if (!name)
            return nomem(r);
        for (char *p = name; *p; p++)
            if (*p == '\\')   /* some Windows zippers */
                *p = '/';
        brisk_status st = check_entry_name(r, name);
        /* Folders, and macOS's resource forks (__MACOSX/._project.qde), are
         * not files of the project. */
        bool skip = name[0] == '\0' || name[strlen(name) - 1] == '/' ||
                    strncmp(name, "__MACOSX/", 9) == 0;
        if (st != BRISK_OK || skip) {
            free(name);
            if (st != BRISK_OK)
                return st;
            continue;
        }
        if (!names_add(&r->names, name, (zip_uint64_t)i)) {
            free(name);
            return nomem(r);
        }
    }
    return BRISK_OK;
}

/* The one *.qde of the archive, at any depth. */
static brisk_status find_project_entry(refi_reader *r, size_t *which)
{
    size_t found = BRISK_LOOKUP_NONE;
    for (size_t i = 0; i < r->names.n; i++) {
        if (!brisk_ends_with_ci(r->names.names[i], ".qde"))
            continue;
        if (found != BRISK_LOOKUP_NONE)
            return fail(r, BRISK_ERR_FORMAT,
                        "the .qdpx holds two project files, '%s' and '%s': it must hold one",
                        r->names.names[found], r->names.names[i]);
        found = i;
    }
    if (found == BRISK_LOOKUP_NONE)
        return fail(r, BRISK_ERR_FORMAT,
                    "the .qdpx holds no project file (*.qde): a .qdpx is a zip holding "
                    "one project.qde and its sources/");
    *which = found;
    return BRISK_OK;
}

/* ------------------------------------------------------------ source texts */

typedef enum path_kind { PATH_INSIDE, PATH_EXTERNAL } path_kind;

static bool has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Where a plainTextPath points: into the .qdpx (internal://x, or a name
 * without a scheme, as qc writes), or to a file outside it (relative://,
 * absolute://, file:// and other schemes).  *inner is the name inside. */
static path_kind classify_path(const char *path, const char **inner)
{
    if (has_prefix_ci(path, "internal://")) {
        path += strlen("internal://");
        while (*path == '/')   /* "internal:///x.txt": still the archive's own */
            path++;
    } else if (strstr(path, "://") || has_prefix_ci(path, "file:")) {
        return PATH_EXTERNAL;
    }
    *inner = path;
    return PATH_INSIDE;
}

/* The entry holding a source file: sources/NAME beside the .qde (the
 * standard), else NAME beside it. */
static size_t find_source_entry(refi_reader *r, const char *inner, brisk_status *st)
{
    static const char *const folders[] = {"sources/", ""};
    size_t found = BRISK_LOOKUP_NONE;
    *st = BRISK_OK;
    for (size_t i = 0; i < 2 && found == BRISK_LOOKUP_NONE; i++) {
        brisk_buf b = {0};
        if (!brisk_buf_printf(&b, "%s%s%s", r->qde_dir, folders[i], inner)) {
            brisk_buf_free(&b);
            *st = nomem(r);
            return BRISK_LOOKUP_NONE;
        }
        found = names_find(&r->names, b.data);
        brisk_buf_free(&b);
    }
    return found;
}

/* An error about a source's text file, naming path:entry. */
__attribute__((format(printf, 4, 5)))
static brisk_status fail_in_entry(refi_reader *r, const char *entry, brisk_status st,
                                  const char *fmt, ...)
{
    char *label = entry_label(r, entry);
    va_list ap;
    va_start(ap, fmt);
    vfail(r, st, label ? label : r->path, 0, 0, fmt, ap);
    va_end(ap);
    free(label);
    return st;
}

/* Check a text file's bytes and make them the source's text (data is
 * taken over). */
static brisk_status take_text(refi_reader *r, size_t s, const char *entry, char *data,
                              size_t len)
{
    brisk_qual_source *src = &r->b.p->sources[s];
    if (len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 || memcmp(data, "\xFE\xFF", 2) == 0)) {
        free(data);
        return fail_in_entry(r, entry, BRISK_ERR_FORMAT,
                             "the text of source '%s' is UTF-16; brisk reads UTF-8 text",
                             src->name);
    }
    /* The UTF-8 BOM some exporters write is no part of the text. */
    size_t skipped = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    memmove(data, data + skipped, len - skipped + 1);
    len -= skipped;
    /* A NUL byte is UTF-8 but no text: C strings would end there. */
    const char *nul = memchr(data, '\0', len);
    size_t bad = brisk_utf8_invalid_at(data, len);
    bool at_nul = nul && (bad == (size_t)-1 || (size_t)(nul - data) < bad);
    if (at_nul || bad != (size_t)-1) {
        size_t offset = (at_nul ? (size_t)(nul - data) : bad) + skipped;
        free(data);
        return fail_in_entry(r, entry, BRISK_ERR_FORMAT,
                             "the text of source '%s' %s at byte offset %zu", src->name,
                             at_nul ? "holds a NUL byte" : "is not valid UTF-8 text", offset);
    }
    src->text = data;
    src->length = brisk_qual_utf8_length(data, len);
    return BRISK_OK;
}

static brisk_status read_inner_file(refi_reader *r, const xmlNode *n, size_t s,
                                    const char *path, const char *inner);

/* Read a source's text file named by plainTextPath.  A file that the
 * archive lacks is no error (the standard's own example project ships
 * none): the source keeps the path and no text, and its codings keep
 * their positions without text. */
static brisk_status read_text_file(refi_reader *r, const xmlNode *n, size_t s,
                                   const char *path)
{
    const char *name = r->b.p->sources[s].name, *inner = NULL;
    if (classify_path(path, &inner) == PATH_EXTERNAL)
        return fail_at(r, n, BRISK_ERR_FORMAT,
                       "source '%s' is stored outside the project (%s): brisk reads only "
                       "sources inside the .qdpx", name, path);
    char *norm = brisk_strdup(inner);
    if (!norm)
        return nomem(r);
    for (char *c = norm; *c; c++)
        if (*c == '\\')   /* a Windows path: its separators */
            *c = '/';
    brisk_status st = leaves_folder(norm) ? fail_at(r, n, BRISK_ERR_FORMAT,
                                                    "source '%s': plainTextPath '%s' points "
                                                    "outside the .qdpx", name, path)
                                          : read_inner_file(r, n, s, path, norm);
    free(norm);
    return st;
}

/* The text file inner (normalised) of the archive, named path in the XML. */
static brisk_status read_inner_file(refi_reader *r, const xmlNode *n, size_t s,
                                    const char *path, const char *inner)
{
    if (!r->zip)
        return fail_at(r, n, BRISK_ERR_FORMAT,
                       "source '%s' keeps its text in a file (%s), which only a .qdpx "
                       "carries: read the .qdpx, or export the text inline (PlainTextContent)",
                       r->b.p->sources[s].name, path);
    brisk_status st;
    size_t which = find_source_entry(r, inner, &st);
    if (st != BRISK_OK)
        return st;
    if (!brisk_qual_set_string(&r->b.p->sources[s].text_path, path))
        return nomem(r);
    if (which == BRISK_LOOKUP_NONE)
        return BRISK_OK;
    char *data;
    size_t len;
    if ((st = read_entry(r, which, &data, &len)) != BRISK_OK)
        return st;
    return take_text(r, s, r->names.names[which], data, len);
}

/* ------------------------------------------------------------ codings */

/* A whole number >= 0 from an attribute; false when it is not one. */
static bool parse_position(const char *s, size_t *out)
{
    size_t v = 0;
    while (is_blank(*s))
        s++;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    while (is_blank(*s))
        s++;
    *out = v;
    return *s == '\0';
}

/* The selection a coding applies its code to. */
typedef struct selection {
    size_t source;
    size_t start, end;          /* 0, 0 without positions */
    const brisk_qual_text *text;   /* the source's text, or NULL: no text */
    size_t user;                /* the selection's creatingUser, or NONE */
} selection;

/* The code a Coding's CodeRef names; a Case's GUID (NVivo's case nodes)
 * puts the selection's source in that case instead (*code NONE). */
static brisk_status coding_code(refi_reader *r, const xmlNode *coding, const char *cguid,
                                const selection *sel, size_t *code)
{
    const xmlNode *ref = child_named(coding, "CodeRef");
    char *target = ref ? trimmed_or_null(attr(ref, "targetGUID")) : NULL;
    brisk_status st = BRISK_OK;
    size_t c = BRISK_QUAL_NONE;
    *code = BRISK_QUAL_NONE;
    if (!target) {
        st = fail_at(r, ref ? ref : coding, BRISK_ERR_FORMAT,
                     "Coding guid=%.100s has no CodeRef with a targetGUID", cguid);
    } else if ((*code = lookup_guid(r, GUID_CODE, target, &st)) == BRISK_QUAL_NONE &&
               st == BRISK_OK) {
        c = lookup_guid(r, GUID_CASE, target, &st);
        if (st == BRISK_OK && c == BRISK_QUAL_NONE)
            st = fail_at(r, ref, BRISK_ERR_FORMAT,
                         "Coding guid=%.100s refers to code %.100s that the CodeBook does "
                         "not define", cguid, target);
        else if (st == BRISK_OK &&
                 (!brisk_qual_case_add_source(&r->b.p->cases[c], sel->source) ||
                  !brisk_qual_case_add_span(&r->b.p->cases[c], sel->source, sel->start, sel->end)))
            st = nomem(r);
    }
    free(target);
    return st;
}

static brisk_status read_coding(refi_reader *r, const xmlNode *n, const selection *sel)
{
    char *cguid = attr(n, "guid");
    size_t code, user;
    brisk_status st = creating_user(r, n, sel->user, &user);
    if (st == BRISK_OK)
        st = coding_code(r, n, cguid ? cguid : "?", sel, &code);
    free(cguid);
    if (st != BRISK_OK || code == BRISK_QUAL_NONE)
        return st;
    char *text = NULL;
    if (sel->text && !(text = brisk_qual_text_slice(sel->text, sel->start, sel->end)))
        return nomem(r);
    if (!brisk_qual_add_coding(&r->b, sel->source, code, user, sel->start, sel->end, text))
        return nomem(r);
    return BRISK_OK;
}

static brisk_status read_codings(refi_reader *r, const xmlNode *parent, const selection *sel)
{
    EACH_CHILD(c, parent, "Coding") {
        brisk_status st = read_coding(r, c, sel);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* A selection of a picture, a PDF page, audio, video or a transcript: its
 * codings have no positions and no text. */
static brisk_status read_region(refi_reader *r, const xmlNode *n, size_t source)
{
    char *guid = NULL;
    selection sel = {.source = source};
    brisk_status st = required_guid(r, n, &guid);
    if (st == BRISK_OK)
        st = define_guid(r, n, GUID_SELECTION, guid, source);
    if (st == BRISK_OK)
        st = creating_user(r, n, BRISK_QUAL_NONE, &sel.user);
    if (st == BRISK_OK)
        st = read_codings(r, n, &sel);
    free(guid);
    return st;
}

static brisk_status read_regions(refi_reader *r, const xmlNode *parent, const char *local,
                                 size_t source)
{
    EACH_CHILD(c, parent, local) {
        brisk_status st = read_region(r, c, source);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static brisk_status selection_position(refi_reader *r, const xmlNode *n, const char *guid,
                                       const char *which, size_t *out)
{
    char *v = attr(n, which);
    bool ok = v && parse_position(v, out);
    brisk_status st = BRISK_OK;
    if (!v)
        st = fail_at(r, n, BRISK_ERR_FORMAT, "PlainTextSelection guid=%.100s has no %s",
                     guid, which);
    else if (!ok)
        st = fail_at(r, n, BRISK_ERR_FORMAT,
                     "PlainTextSelection guid=%.100s: %s '%.40s' is not a whole number",
                     guid, which, v);
    free(v);
    return st;
}

/* Positions within the source's text.  Without a text file the positions
 * stand unchecked; without even a path to one, a coded selection of a
 * text source has nothing to select from. */
static brisk_status check_selection(refi_reader *r, const xmlNode *n, const char *guid,
                                    const selection *sel)
{
    const char *name = r->b.p->sources[sel->source].name;
    if (sel->start > sel->end)
        return fail_at(r, n, BRISK_ERR_VALUE,
                       "PlainTextSelection guid=%.100s of source '%s': startPosition %zu is "
                       "after endPosition %zu", guid, name, sel->start, sel->end);
    if (sel->text && sel->end > sel->text->length)
        return fail_at(r, n, BRISK_ERR_VALUE,
                       "PlainTextSelection guid=%.100s of source '%s': endPosition %zu is "
                       "beyond the end of the source's text (%zu characters)", guid, name,
                       sel->end, sel->text->length);
    if (!sel->text && !r->b.p->sources[sel->source].text_path && child_named(n, "Coding"))
        return fail_at(r, n, BRISK_ERR_FORMAT,
                       "PlainTextSelection guid=%.100s is coded, but source '%s' has no "
                       "text to select from: neither PlainTextContent nor a plainTextPath",
                       guid, name);
    return BRISK_OK;
}

/* A text selection's span, found by its GUID when a case names it. */
static brisk_status remember_span(refi_reader *r, const char *guid, const selection *sel)
{
    if (!brisk_grow((void **)&r->spans, &r->cap_spans, r->nspans + 1, sizeof *r->spans))
        return nomem(r);
    r->spans[r->nspans] = (brisk_qual_span){sel->source, sel->start, sel->end};
    return guid_add(&r->guids, GUID_SPAN, guid, r->nspans++, 0) ? BRISK_OK : nomem(r);
}

static brisk_status read_text_selection(refi_reader *r, const xmlNode *n, size_t source,
                                        const brisk_qual_text *text)
{
    char *guid = NULL;
    selection sel = {.source = source, .text = text};
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    if ((st = define_guid(r, n, GUID_SELECTION, guid, source)) == BRISK_OK &&
        (st = selection_position(r, n, guid, "startPosition", &sel.start)) == BRISK_OK &&
        (st = selection_position(r, n, guid, "endPosition", &sel.end)) == BRISK_OK &&
        (st = check_selection(r, n, guid, &sel)) == BRISK_OK &&
        (st = creating_user(r, n, BRISK_QUAL_NONE, &sel.user)) == BRISK_OK &&
        (st = remember_span(r, guid, &sel)) == BRISK_OK)
        st = read_codings(r, n, &sel);
    free(guid);
    return st;
}

/* ------------------------------------------------------------ sources */

/* The text of a TextSource (or of a PDF's Representation), inline or in
 * the archive, and its PlainTextSelections. */
static brisk_status read_text(refi_reader *r, const xmlNode *n, size_t s)
{
    const xmlNode *content = child_named(n, "PlainTextContent");
    char *path = content ? NULL : trimmed_or_null(attr(n, "plainTextPath"));
    brisk_status st = BRISK_OK;
    if (content) {
        char *text = text_of(content);   /* libxml2 gives UTF-8 */
        if (!text)
            return nomem(r);
        r->b.p->sources[s].text = text;
        r->b.p->sources[s].length = brisk_qual_utf8_length(text, strlen(text));
    } else if (path) {
        st = read_text_file(r, n, s, path);
    }
    free(path);
    if (st != BRISK_OK)
        return st;
    const char *text = r->b.p->sources[s].text;
    brisk_qual_text t;
    if (text && !brisk_qual_text_init(&t, text, strlen(text)))
        return nomem(r);
    EACH_CHILD(c, n, "PlainTextSelection") {
        if ((st = read_text_selection(r, c, s, text ? &t : NULL)) != BRISK_OK)
            break;
    }
    if (text)
        brisk_qual_text_free(&t);
    return st;
}

/* The parts of each kind of source that hold codings. */
static brisk_status read_source_parts(refi_reader *r, const xmlNode *n, size_t s)
{
    brisk_status st = BRISK_OK;
    const xmlNode *rep;
    if (is_named(n, "TextSource"))
        return read_text(r, n, s);
    if (is_named(n, "PDFSource")) {
        /* Text selections are made in the PDF's plain-text representation. */
        if ((rep = child_named(n, "Representation")) != NULL &&
            ((st = read_text(r, rep, s)) != BRISK_OK ||
             (st = read_codings(r, rep, &(selection){.source = s, .user = BRISK_QUAL_NONE})) !=
                 BRISK_OK))
            return st;
        return read_regions(r, n, "PDFSelection", s);
    }
    if (is_named(n, "PictureSource"))
        return read_regions(r, n, "PictureSelection", s);
    const char *local = is_named(n, "AudioSource") ? "AudioSelection" : "VideoSelection";
    if ((st = read_regions(r, n, local, s)) != BRISK_OK)
        return st;
    EACH_CHILD(t, n, "Transcript") {
        if ((st = read_regions(r, t, "TranscriptSelection", s)) != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

static bool is_source_element(const xmlNode *n)
{
    return is_named(n, "TextSource") || is_named(n, "PDFSource") ||
           is_named(n, "PictureSource") || is_named(n, "AudioSource") ||
           is_named(n, "VideoSource");
}

/* A name for a source the file leaves unnamed (qc writes none, ATLAS.ti
 * leaves media names empty): the file name of its text or media, or NULL. */
static char *fallback_name(const xmlNode *n)
{
    static const char *const attrs[] = {"plainTextPath", "path", "richTextPath"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        char *v = trimmed_or_null(attr(n, attrs[i]));
        const char *base = v ? strrchr(v, '/') : NULL;
        base = base ? base + 1 : v;
        char *name = base && *base ? brisk_strdup(base) : NULL;
        free(v);
        if (name)
            return name;
    }
    return NULL;
}

static brisk_status read_source(refi_reader *r, xmlNode *n)
{
    char *guid = NULL, *name = NULL;
    size_t s;
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    name = trimmed_or_null(attr(n, "name"));
    if (!name)
        name = fallback_name(n);
    if (!brisk_qual_add_source(&r->b, guid, name ? name : guid, &s) ||
        !brisk_grow((void **)&r->source_nodes, &r->cap_source_nodes, s + 1,
                    sizeof *r->source_nodes))
        st = nomem(r);
    else if ((st = define_guid(r, n, GUID_SOURCE, guid, s)) == BRISK_OK &&
             (st = read_source_parts(r, n, s)) == BRISK_OK)
        /* Codings of the source as a whole. */
        st = read_codings(r, n, &(selection){.source = s, .user = BRISK_QUAL_NONE});
    if (st == BRISK_OK)
        r->source_nodes[s] = n;
    free(guid);
    free(name);
    return st;
}

static brisk_status read_sources(refi_reader *r, const xmlNode *sources)
{
    for (xmlNode *c = sources ? sources->children : NULL; c; c = c->next) {
        if (!is_source_element(c))
            continue;
        brisk_status st = read_source(r, c);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ cases */

/* Cases are made before the codebook is read (a Code with a Case's GUID
 * is NVivo's case node) and filled once the sources are known. */
static brisk_status declare_case(refi_reader *r, const xmlNode *n)
{
    char *guid = NULL, *name = NULL;
    size_t index;
    brisk_status st = required_guid(r, n, &guid);
    if (st != BRISK_OK)
        return st;
    name = trimmed_or_null(attr(n, "name"));   /* MAXQDA and Quirkos leave it out */
    if (!brisk_qual_add_case(&r->b, guid, name, &index))
        st = nomem(r);
    else
        st = define_guid(r, n, GUID_CASE, guid, index);
    free(guid);
    free(name);
    return st;
}

/* A VariableValue: the variable and its value as text (NULL when empty). */
static brisk_status variable_value(refi_reader *r, const xmlNode *n, const char *owner,
                                   size_t *var, char **value)
{
    const xmlNode *ref = child_named(n, "VariableRef");
    char *target = ref ? trimmed_or_null(attr(ref, "targetGUID")) : NULL;
    brisk_status st = BRISK_OK;
    *value = NULL;
    if (!target)
        return fail_at(r, n, BRISK_ERR_FORMAT, "VariableValue of %s has no VariableRef "
                       "with a targetGUID", owner);
    *var = lookup_guid(r, GUID_VARIABLE, target, &st);
    if (st == BRISK_OK && *var == BRISK_QUAL_NONE)
        st = fail_at(r, ref, BRISK_ERR_FORMAT, "VariableValue of %s refers to variable "
                     "%.100s that Variables does not define", owner, target);
    free(target);
    /* TextValue, BooleanValue, IntegerValue, FloatValue, DateValue or
     * DateTimeValue: whichever the file gives. */
    for (xmlNode *c = n->children; st == BRISK_OK && c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !is_named(c, "VariableRef") &&
            brisk_ends_with_ci((const char *)c->name, "Value")) {
            if (!(*value = text_of(c)))
                return nomem(r);
            *value = trimmed_or_null(*value);
            break;
        }
    return st;
}

/* "Case 'P01' (guid=...)", or "Case guid=..." for a case without a name. */
static void case_label(const brisk_qual_case *kase, char *buf, size_t size)
{
    if (kase->name)
        snprintf(buf, size, "Case '%.100s' (guid=%.100s)", kase->name, kase->guid);
    else
        snprintf(buf, size, "Case guid=%.100s", kase->guid);
}

static brisk_status case_value(refi_reader *r, const xmlNode *n, size_t c)
{
    brisk_qual_case *kase = &r->b.p->cases[c];
    char owner[240];
    size_t var;
    char *value;
    case_label(kase, owner, sizeof owner);
    brisk_status st = variable_value(r, n, owner, &var, &value);
    if (st != BRISK_OK || !value)
        return st;
    char *old = kase->values[var];
    if (old && strcmp(old, value) != 0)
        st = fail_at(r, n, BRISK_ERR_VALUE, "%s gives variable '%s' two values, '%s' and "
                     "'%s'", owner, r->b.p->variables[var].name, old, value);
    if (old)
        free(value);
    else
        kase->values[var] = value;
    return st;
}

/* The sources a SourceRef or SelectionRef of case c names. */
static brisk_status case_ref(refi_reader *r, const xmlNode *n, size_t c, bool add)
{
    bool by_selection = is_named(n, "SelectionRef");
    char *target = trimmed_or_null(attr(n, "targetGUID"));
    char owner[240];
    brisk_status st = BRISK_OK;
    size_t s = BRISK_QUAL_NONE;
    case_label(&r->b.p->cases[c], owner, sizeof owner);
    if (!target)
        return fail_at(r, n, BRISK_ERR_FORMAT, "%s of %s has no targetGUID",
                       (const char *)n->name, owner);
    s = lookup_guid(r, by_selection ? GUID_SELECTION : GUID_SOURCE, target, &st);
    if (st == BRISK_OK && s == BRISK_QUAL_NONE)
        st = fail_at(r, n, BRISK_ERR_FORMAT, "%s refers to %s %.100s that the project does "
                     "not define (%s)", owner, by_selection ? "selection" : "source", target,
                     (const char *)n->name);
    else if (st == BRISK_OK && add && !brisk_qual_case_add_source(&r->b.p->cases[c], s))
        st = nomem(r);
    if (st == BRISK_OK && by_selection) { /* the case's part of a shared source */
        size_t k = lookup_guid(r, GUID_SPAN, target, &st);
        if (st == BRISK_OK && k != BRISK_QUAL_NONE &&
            !brisk_qual_case_add_span(&r->b.p->cases[c], r->spans[k].source, r->spans[k].start,
                                      r->spans[k].end))
            st = nomem(r);
    }
    free(target);
    return st;
}

static brisk_status fill_case(refi_reader *r, const xmlNode *n, size_t c)
{
    /* SelectionRefs give the case's sources only when no SourceRef does. */
    bool by_selection = child_named(n, "SourceRef") == NULL;
    brisk_status st = BRISK_OK;
    for (xmlNode *e = n->children; st == BRISK_OK && e; e = e->next) {
        if (is_named(e, "SourceRef"))
            st = case_ref(r, e, c, true);
        else if (is_named(e, "SelectionRef"))
            st = case_ref(r, e, c, by_selection);
        else if (is_named(e, "VariableValue"))
            st = case_value(r, e, c);
    }
    return st;
}

static brisk_status fill_cases(refi_reader *r, const xmlNode *cases)
{
    size_t c = 0;
    EACH_CHILD(e, cases, "Case") {
        brisk_status st = fill_case(r, e, c++);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* A source's own VariableValue (MAXQDA's document variables) is the value
 * of every case holding the source that has none of its own; a source in
 * no case becomes a case of its own. */
static brisk_status source_value(refi_reader *r, const xmlNode *n, size_t s)
{
    brisk_qual_project *p = r->b.p;
    char owner[160];
    size_t var, c;
    char *value;
    snprintf(owner, sizeof owner, "source '%.100s'", p->sources[s].name);
    brisk_status st = variable_value(r, n, owner, &var, &value);
    if (st != BRISK_OK || !value)
        return st;
    if (brisk_qual_case_of_source(p, s) == BRISK_QUAL_NONE &&
        (!brisk_qual_add_case(&r->b, NULL, p->sources[s].name, &c) ||
         !brisk_qual_case_add_source(&r->b.p->cases[c], s))) {
        free(value);
        return nomem(r);
    }
    p = r->b.p;
    for (c = 0; c < p->ncases && st == BRISK_OK; c++)
        for (size_t k = 0; k < p->cases[c].nsources; k++)
            if (p->cases[c].sources[k] == s && !p->cases[c].values[var] &&
                !(p->cases[c].values[var] = brisk_strdup(value)))
                st = nomem(r);
    free(value);
    return st;
}

static brisk_status source_values(refi_reader *r)
{
    for (size_t s = 0; s < r->b.p->nsources; s++) {
        EACH_CHILD(v, r->source_nodes[s], "VariableValue") {
            brisk_status st = source_value(r, v, s);
            if (st != BRISK_OK)
                return st;
        }
    }
    return BRISK_OK;
}

/* A case the file left unnamed is called after its first source. */
static brisk_status name_cases(refi_reader *r)
{
    brisk_qual_project *p = r->b.p;
    for (size_t c = 0; c < p->ncases; c++) {
        brisk_qual_case *k = &p->cases[c];
        if (!k->name && !brisk_qual_set_string(&k->name, k->nsources
                                                             ? p->sources[k->sources[0]].name
                                                             : k->guid))
            return nomem(r);
    }
    return BRISK_OK;
}

/* ------------------------------------------------------------ the document */

static brisk_status read_project(refi_reader *r, const xmlNode *root)
{
    char *name = trimmed_or_null(attr(root, "name"));
    char *origin = trimmed_or_null(attr(root, "origin"));
    brisk_status st = BRISK_OK;
    if ((name && !brisk_qual_set_string(&r->b.p->name, name)) ||
        !brisk_qual_set_string(&r->b.p->origin, origin))
        st = nomem(r);
    free(name);
    free(origin);
    const xmlNode *cases = child_named(root, "Cases");
    EACH_CHILD(u, child_named(root, "Users"), "User") {
        if (st == BRISK_OK)
            st = read_user(r, u);
    }
    EACH_CHILD(v, child_named(root, "Variables"), "Variable") {
        if (st == BRISK_OK)
            st = read_variable(r, v);
    }
    EACH_CHILD(c, cases, "Case") {
        if (st == BRISK_OK)
            st = declare_case(r, c);
    }
    if (st == BRISK_OK)
        st = read_codebook(r, child_named(root, "CodeBook"));
    if (st == BRISK_OK)
        st = read_sources(r, child_named(root, "Sources"));
    if (st == BRISK_OK)
        st = fill_cases(r, cases);
    if (st == BRISK_OK)
        st = source_values(r);
    return st == BRISK_OK ? name_cases(r) : st;
}

static brisk_status read_codebook_file(refi_reader *r, const xmlNode *root)
{
    char *origin = trimmed_or_null(attr(root, "origin"));
    bool ok = brisk_qual_set_string(&r->b.p->origin, origin);
    free(origin);
    return ok ? read_codebook(r, root) : nomem(r);
}

/* The first fault libxml2 meets (the later ones follow from it), kept by
 * the parser context's own handler: nothing is printed, and no global
 * handler is touched. */
typedef struct xml_fault {
    bool seen;
    int line, column;
    char message[300];
} xml_fault;

/* libxml2 2.12 passes the error as const. */
#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif

static void keep_first_fault(void *ctx, XML_ERROR_CONST xmlError *e)
{
    xml_fault *f = ((xmlParserCtxt *)ctx)->_private;
    if (f->seen || !e || e->level < XML_ERR_ERROR)
        return;
    f->seen = true;
    f->line = e->line;
    f->column = e->int2;
    snprintf(f->message, sizeof f->message, "%s", e->message ? e->message : "");
    size_t n = strlen(f->message);
    while (n > 0 && is_blank(f->message[n - 1]))
        f->message[--n] = '\0';
    for (char *c = f->message; *c; c++)   /* "... encoding !\nBytes: 0xE9": one line */
        if (*c == '\n')
            *c = ' ';
}

static brisk_status xml_error(refi_reader *r, const xml_fault *f)
{
    if (!f->seen || !f->message[0])
        return fail_at(r, NULL, BRISK_ERR_FORMAT, "not well-formed XML");
    brisk_error_set(r->err, BRISK_ERR_FORMAT, "not well-formed XML: %s", f->message);
    brisk_error_at(r->err, r->where, f->line, f->column);
    return BRISK_ERR_FORMAT;
}

/* Entity declarations could make the text grow without bound or name
 * files: REFI-QDA files have none, so a file that has them is refused. */
static bool declares_entities(const xmlDoc *doc)
{
    const xmlDtd *dtds[] = {doc->intSubset, doc->extSubset};
    for (size_t i = 0; i < 2; i++)
        if (dtds[i] && (dtds[i]->entities || dtds[i]->pentities))
            return true;
    return false;
}

static brisk_status read_document(refi_reader *r, const char *data, size_t len)
{
    if (len > INT_MAX)
        return fail(r, BRISK_ERR_LIMIT, "the project file is larger than libxml2 reads");
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    xml_fault fault = {0};
    if (!ctxt)
        return nomem(r);
    ctxt->_private = &fault;
    ctxt->sax->serror = keep_first_fault;
    /* No network, no DTD loaded, no entity expanded, no size beyond
     * libxml2's defaults, nothing printed. */
    r->doc = xmlCtxtReadMemory(ctxt, data, (int)len, r->where, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                   XML_PARSE_BIG_LINES);
    brisk_status st = r->doc ? BRISK_OK : xml_error(r, &fault);
    xmlFreeParserCtxt(ctxt);
    if (st != BRISK_OK)
        return st;
    const xmlNode *root = xmlDocGetRootElement(r->doc);
    if (declares_entities(r->doc))
        return fail_at(r, root, BRISK_ERR_FORMAT,
                       "the file declares entities in a DTD, which REFI-QDA files do not "
                       "have and brisk does not expand");
    if (is_named(root, "Project"))
        return read_project(r, root);
    if (is_named(root, "CodeBook"))
        return read_codebook_file(r, root);
    return fail_at(r, root, BRISK_ERR_FORMAT,
                   "the root element is <%.60s>, not a REFI-QDA <Project> or <CodeBook>",
                   root ? (const char *)root->name : "?");
}

/* ------------------------------------------------------------ the input */

static bool is_zip(const void *data, size_t size)
{
    const unsigned char *b = data;
    return size >= 4 && b[0] == 'P' && b[1] == 'K' &&
           ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6) || (b[2] == 7 && b[3] == 8));
}

static brisk_status zip_failure(refi_reader *r, zip_error_t *ze)
{
    int code = zip_error_code_zip(ze);
    brisk_status st = code == ZIP_ER_OPEN || code == ZIP_ER_READ ? BRISK_ERR_OPEN
                      : code == ZIP_ER_MEMORY                     ? BRISK_ERR_NOMEM
                                                                  : BRISK_ERR_FORMAT;
    fail(r, st, "not a readable zip archive (%s): a .qdpx is a zip holding one "
         "project.qde and its sources/", zip_error_strerror(ze));
    zip_error_fini(ze);
    return st;
}

/* The .qdpx, once its zip is open: index it, find the .qde, read it. */
static brisk_status read_qdpx(refi_reader *r)
{
    size_t which = 0;
    char *data = NULL;
    size_t len;
    brisk_status st = index_entries(r);
    if (st == BRISK_OK)
        st = find_project_entry(r, &which);
    if (st != BRISK_OK)
        return st;
    const char *entry = r->names.names[which];
    const char *slash = strrchr(entry, '/');
    free(r->where);
    r->where = entry_label(r, entry);
    r->qde_dir = brisk_strndup(entry, slash ? (size_t)(slash - entry) + 1 : 0);
    if (!r->where || !r->qde_dir)
        return nomem(r);
    if ((st = read_entry(r, which, &data, &len)) == BRISK_OK)
        st = read_document(r, data, len);
    free(data);
    return st;
}

static brisk_status read_zip_buffer(refi_reader *r, const void *data, size_t size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    if (src && (r->zip = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL)
        zip_source_free(src);
    return r->zip ? read_qdpx(r) : zip_failure(r, &ze);
}

static brisk_status read_zip_file(refi_reader *r)
{
    int code = 0;
    r->zip = zip_open(r->path, ZIP_RDONLY, &code);
    if (r->zip)
        return read_qdpx(r);
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    return zip_failure(r, &ze);
}

static brisk_status reader_init(refi_reader *r, const char *path, brisk_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->err = err;
    char *name = brisk_qual_base_name(path);
    r->where = brisk_strdup(path);
    brisk_status st = name && r->where ? brisk_qual_builder_init(&r->b, name, err)
                                       : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    free(name);
    return st;
}

/* Hand the project over, or free it; free everything else. */
static brisk_status reader_finish(refi_reader *r, brisk_status st, brisk_qual_project **out)
{
    if (st == BRISK_OK)
        *out = brisk_qual_builder_finish(&r->b);
    else
        brisk_qual_builder_discard(&r->b);
    if (r->doc)
        xmlFreeDoc(r->doc);
    if (r->zip)
        zip_discard(r->zip);
    names_free(&r->names);
    guid_table_free(&r->guids);
    free(r->source_nodes);
    free(r->spans);
    free(r->qde_dir);
    free(r->where);
    if (st != BRISK_OK && r->err && r->err->file[0] == '\0')
        brisk_error_at(r->err, r->path, 0, 0);
    return st;
}

brisk_status brisk_qual_read_refi_buffer(const void *data, size_t size, const char *name,
                                         brisk_qual_project **out, brisk_error *err)
{
    brisk_error_clear(err);
    if (out)
        *out = NULL;
    if (!out || (!data && size > 0))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_qual_read_refi_buffer: data and out are required");
    refi_reader r;
    brisk_status st = reader_init(&r, name ? name : "<memory>", err);
    if (st != BRISK_OK)
        return st;
    if (is_zip(data, size))
        st = read_zip_buffer(&r, data, size);
    else if (brisk_ends_with_ci(r.path, ".qdpx"))
        st = fail(&r, BRISK_ERR_FORMAT, "not a zip archive: a .qdpx is a zip holding one "
                  "project.qde and its sources/");
    else if (size > BRISK_QUAL_MAX_ENTRY)
        st = fail(&r, BRISK_ERR_LIMIT, "the project file is larger than %u MiB",
                  BRISK_QUAL_MAX_ENTRY >> 20);
    else
        st = read_document(&r, size ? data : "", size);
    return reader_finish(&r, st, out);
}

static brisk_status read_failed(const char *path, brisk_buf *b, brisk_error *err)
{
    brisk_buf_free(b);
    brisk_error_at(err, path, 0, 0);
    return brisk_error_set(err, BRISK_ERR_OPEN, "cannot read the file");
}

/* Read from io into b, up to bytes in all (at most BRISK_QUAL_MAX_ENTRY). */
static brisk_status read_into(brisk_io *io, const char *path, brisk_buf *b, size_t bytes,
                              brisk_error *err)
{
    char chunk[65536];
    while (b->len < bytes) {
        size_t want = bytes - b->len < sizeof chunk ? bytes - b->len : sizeof chunk;
        ssize_t n = io->read(io->ctx, chunk, want);
        if (n < 0)
            return read_failed(path, b, err);
        if (n == 0)
            break;
        if (b->len + (size_t)n > BRISK_QUAL_MAX_ENTRY) {
            brisk_buf_free(b);
            brisk_error_at(err, path, 0, 0);
            return brisk_error_set(err, BRISK_ERR_LIMIT, "the project file is larger than "
                                   "%u MiB", BRISK_QUAL_MAX_ENTRY >> 20);
        }
        if (!brisk_buf_append(b, chunk, (size_t)n)) {
            brisk_buf_free(b);
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        }
    }
    return BRISK_OK;
}

/* The file's first bytes; unless they open a zip (which libzip then reads
 * itself, so that a project's media never pass through memory), the whole
 * file for the XML parser. */
static brisk_status read_whole_or_head(brisk_io *io, const char *path, char **data,
                                       size_t *len, brisk_error *err)
{
    brisk_buf b = {0};
    long long size = io->size ? io->size(io->ctx) : -1;
    brisk_status st = read_into(io, path, &b, 4, err);
    if (st == BRISK_OK && !is_zip(b.data, b.len) && size > (long long)BRISK_QUAL_MAX_ENTRY) {
        brisk_buf_free(&b);
        brisk_error_at(err, path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_LIMIT, "the project file is larger than %u MiB",
                               BRISK_QUAL_MAX_ENTRY >> 20);
    }
    if (st == BRISK_OK && !is_zip(b.data, b.len))
        st = read_into(io, path, &b, (size_t)BRISK_QUAL_MAX_ENTRY + 1, err);
    if (st != BRISK_OK)
        return st;
    *data = b.data;
    *len = b.len;
    return BRISK_OK;
}

brisk_status brisk_qual_read_refi(const char *path, brisk_qual_project **out, brisk_error *err)
{
    brisk_error_clear(err);
    if (out)
        *out = NULL;
    if (!path || !out)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT,
                               "brisk_qual_read_refi: path and out are required");
    brisk_io io;
    char *data = NULL;
    size_t len = 0;
    brisk_status st = brisk_io_open_file(&io, path, err);
    if (st != BRISK_OK)
        return st;
    st = read_whole_or_head(&io, path, &data, &len, err);
    brisk_io_close(&io);
    if (st != BRISK_OK)
        return st;
    refi_reader r;
    if ((st = reader_init(&r, path, err)) != BRISK_OK) {
        free(data);
        return st;
    }
    if (is_zip(data, len))
        st = read_zip_file(&r);   /* libzip reads the file itself: media stay on disk */
    else if (brisk_ends_with_ci(path, ".qdpx"))
        st = fail(&r, BRISK_ERR_FORMAT, "not a zip archive: a .qdpx is a zip holding one "
                  "project.qde and its sources/");
    else
        st = read_document(&r, data ? data : "", len);
    free(data);
    return reader_finish(&r, st, out);
}
