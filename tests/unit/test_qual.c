/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of the readers of coded interviews (lib/qual): REFI-QDA
 * projects (.qdpx, .qde, .qdc) and CSVs of coded segments.
 *
 * The valid projects are committed fixtures (tests/data/qual, written by
 * make-fixtures.py; tests/data/qdpx, real exports whose facts
 * tests/data/qdpx/EXPECTED.md counted by hand).  The broken ones are built
 * here, in memory, with libzip: a project with one thing wrong, a zip bomb
 * (honest, and one whose header lies), names that leave the archive. */
#include <config.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zip.h>
#include "brisk/qual.h"
#include "qual/qual_internal.h"

#define NONE BRISK_QUAL_NONE
#define MEM "mem.qdpx"

/* ------------------------------------------------------------ helpers */

static char *data_path(const char *folder, const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/%s/%s", TEST_SRCDIR, folder, name);
    return path;
}

static brisk_qual_project *read_ok(const char *path)
{
    brisk_qual_project *p = NULL;
    brisk_error err;
    brisk_status st = brisk_qual_read(path, &p, &err);
    if (st != BRISK_OK) {
        char buf[1200];
        fail_msg("%s: unexpected failure: %s", path, brisk_error_format(&err, buf, sizeof buf));
    }
    assert_non_null(p);
    return p;
}

/* The error must have status and contain every fragment (NULL-ended)
 * in its message or its file. */
static void check_error(brisk_status got, const brisk_error *err, const brisk_qual_project *p,
                        brisk_status status, const char *file, const char *const *fragments)
{
    char buf[1200];
    brisk_error_format(err, buf, sizeof buf);
    assert_null(p);
    if (got != status)
        fail_msg("status %d (%s), expected %d", (int)got, buf, (int)status);
    assert_int_equal(err->status, status);
    if (file && strcmp(err->file, file) != 0)
        fail_msg("file '%s', expected '%s' (%s)", err->file, file, buf);
    for (const char *const *f = fragments; *f; f++)
        if (!strstr(buf, *f))
            fail_msg("message lacks '%s': %s", *f, buf);
}

#define FRAGMENTS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_buffer_error(const void *data, size_t size, const char *name,
                                brisk_status status, const char *file,
                                const char *const *fragments, brisk_error *err)
{
    brisk_qual_project *p = (brisk_qual_project *)&p;   /* must be reset */
    brisk_status st = brisk_qual_read_refi_buffer(data, size, name, &p, err);
    check_error(st, err, p, status, file, fragments);
}

static void expect_file_error(const char *path, brisk_status status, const char *file,
                              const char *const *fragments, brisk_error *err)
{
    brisk_qual_project *p = (brisk_qual_project *)&p;
    brisk_status st = brisk_qual_read(path, &p, err);
    check_error(st, err, p, status, file, fragments);
}

static size_t code_named(const brisk_qual_project *p, const char *name)
{
    size_t i = brisk_qual_find_code(p, name);
    if (i == NONE)
        fail_msg("no code '%s'", name);
    return i;
}

/* ------------------------------------------------------------ zips in memory */

typedef struct entry {
    const char *name;
    const void *data;
    size_t size;         /* 0: strlen(data) */
    int level;           /* deflate level; 0: the default */
} entry;

/* A zip of the entries, as bytes (malloc'd). */
static unsigned char *zip_bytes(const entry *e, size_t n, size_t *size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *archive = zip_source_buffer_create(NULL, 0, 0, &ze);
    assert_non_null(archive);
    zip_t *z = zip_open_from_source(archive, ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    zip_source_keep(archive);
    for (size_t i = 0; i < n; i++) {
        size_t len = e[i].size ? e[i].size : strlen(e[i].data);
        zip_source_t *s = zip_source_buffer(z, e[i].data, len, 0);
        assert_non_null(s);
        zip_int64_t at = zip_file_add(z, e[i].name, s, ZIP_FL_ENC_UTF_8);
        assert_true(at >= 0);
        if (e[i].level)
            assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)at, ZIP_CM_DEFLATE,
                                                      (zip_uint32_t)e[i].level), 0);
    }
    assert_int_equal(zip_close(z), 0);
    zip_stat_t st;
    assert_int_equal(zip_source_open(archive), 0);
    assert_int_equal(zip_source_stat(archive, &st), 0);
    unsigned char *bytes = malloc(st.size);
    assert_non_null(bytes);
    assert_int_equal(zip_source_read(archive, bytes, st.size), (zip_int64_t)st.size);
    zip_source_close(archive);
    zip_source_free(archive);
    *size = st.size;
    return bytes;
}

/* Users, codes and a source with one text file, around the body given. */
#define USER_LI "5A3E61B0-7C1D-4E2F-9A8B-1C2D3E4F5A01"
#define CODE_TRUST "6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B01"
#define SOURCE_1 "9E72A5F4-B051-4263-DECF-5A6B7C8D9E01"

static char *project(const char *sources, const char *after)
{
    static char xml[8192];
    snprintf(xml, sizeof xml,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"t\">\n"
             "<Users><User guid=\"" USER_LI "\" name=\"Li Wei\"/></Users>\n"
             "<CodeBook><Codes><Code guid=\"" CODE_TRUST "\" name=\"Trust\" isCodable=\"true\"/>"
             "</Codes></CodeBook>\n"
             "<Variables><Variable guid=\"V1\" name=\"age\" typeOfVariable=\"Integer\"/></Variables>\n"
             "%s"
             "<Sources>\n%s</Sources>\n</Project>\n",
             after ? after : "", sources);
    return xml;
}

/* A text source reading sources/x.txt with one selection [start, end)
 * coded Trust; extra goes inside the selection. */
static char *text_source(const char *path, long start, long end, const char *coding)
{
    static char xml[4096];
    snprintf(xml, sizeof xml,
             "<TextSource guid=\"" SOURCE_1 "\" name=\"P01\" plainTextPath=\"%s\">\n"
             "<PlainTextSelection guid=\"S1\" startPosition=\"%ld\" endPosition=\"%ld\">\n"
             "%s\n"
             "</PlainTextSelection>\n</TextSource>\n",
             path, start, end,
             coding ? coding
                    : "<Coding guid=\"C1\" creatingUser=\"" USER_LI "\">"
                      "<CodeRef targetGUID=\"" CODE_TRUST "\"/></Coding>");
    return xml;
}

/* Read a project.qde with one text file, expecting an error. */
static void expect_project_error(const char *qde, const char *text, brisk_status status,
                                 const char *file, const char *const *fragments)
{
    entry e[] = {{.name = "project.qde", .data = qde},
                 {.name = "sources/x.txt", .data = text ? text : "unused"}};
    size_t size;
    unsigned char *zip = zip_bytes(e, 2, &size);
    brisk_error err;
    expect_buffer_error(zip, size, MEM, status, file, fragments, &err);
    free(zip);
}

static brisk_qual_project *read_project_ok(const char *qde, const char *text)
{
    entry e[] = {{.name = "project.qde", .data = qde},
                 {.name = "sources/x.txt", .data = text ? text : "unused"}};
    size_t size;
    unsigned char *zip = zip_bytes(e, 2, &size);
    brisk_qual_project *p = NULL;
    brisk_error err;
    brisk_status st = brisk_qual_read_refi_buffer(zip, size, MEM, &p, &err);
    free(zip);
    if (st != BRISK_OK) {
        char buf[1200];
        fail_msg("unexpected failure: %s", brisk_error_format(&err, buf, sizeof buf));
    }
    return p;
}

/* ------------------------------------------------------------ a valid project */

/* tests/data/qual/interviews.qdpx: see make-fixtures.py. */
static void check_interviews(const brisk_qual_project *p)
{
    assert_string_equal(p->name, "Rongcheng interviews");
    assert_string_equal(p->origin, "brisk fixture 1.0");
    assert_int_equal(p->ncodes, 5);   /* the code "P05" is NVivo's node of case P05 */
    assert_int_equal(p->nusers, 2);
    assert_int_equal(p->nsources, 5);
    assert_int_equal(p->ncodings, 9);
    assert_int_equal(p->nvariables, 3);
    assert_int_equal(p->ncases, 5);

    /* The hierarchy, colours, descriptions, isCodable. */
    size_t trust = code_named(p, "Trust"), gov = code_named(p, "Trust in government");
    size_t distrust = code_named(p, "Distrust"), privacy = code_named(p, "Privacy");
    size_t benefits = code_named(p, "Benefits");
    assert_int_equal(p->codes[trust].parent, NONE);
    assert_int_equal(p->codes[gov].parent, trust);
    assert_int_equal(p->codes[distrust].parent, trust);
    assert_int_equal(p->codes[privacy].parent, NONE);
    assert_false(p->codes[trust].codable);
    assert_true(p->codes[gov].codable);
    assert_true(p->codes[privacy].codable);   /* isCodable absent */
    assert_string_equal(p->codes[trust].color, "#1F77B4");
    assert_null(p->codes[benefits].color);
    assert_string_equal(p->codes[trust].description, "Trust in institutions");
    assert_string_equal(p->codes[gov].guid, "6B4F72C1-8D2E-4F30-AB9C-2D3E4F5A6B02");
    assert_int_equal(brisk_qual_find_code(p, "P05"), NONE);

    size_t li = brisk_qual_find_user(p, "Li Wei"), anna = brisk_qual_find_user(p, "Anna");
    assert_int_equal(li, 0);
    assert_int_equal(anna, 1);
    assert_int_equal(brisk_qual_find_user(p, "Nobody"), NONE);

    /* Source 0: Chinese, a BOM (dropped) and CRLF line ends (kept, two
     * code points each): 39 code points, 105 bytes. */
    const brisk_qual_source *s0 = &p->sources[0];
    assert_string_equal(s0->name, "P01 interview");
    assert_int_equal(s0->length, 39);
    assert_int_equal(strlen(s0->text), 105);
    assert_memory_equal(s0->text, "\xE8\xAE\xBF", 3);   /* 访, not the BOM */
    assert_string_equal(s0->text_path, "internal://9E72A5F4-B051-4263-DECF-5A6B7C8D9E01.txt");

    const brisk_qual_coding *c = p->codings;
    /* Coding@creatingUser in lower case and braces is Li Wei. */
    assert_int_equal(c[0].source, 0);
    assert_int_equal(c[0].code, gov);
    assert_int_equal(c[0].user, li);
    assert_int_equal(c[0].start, 12);
    assert_int_equal(c[0].end, 18);
    assert_string_equal(c[0].text, "社会信用体系");
    /* No Coding@creatingUser: the selection's (Anna). */
    assert_int_equal(c[1].code, privacy);
    assert_int_equal(c[1].user, anna);
    assert_string_equal(c[1].text, "我担心个人隐私");
    assert_int_equal(c[2].code, distrust);
    assert_int_equal(c[2].user, li);
    assert_int_equal(c[2].start, 29);
    assert_int_equal(c[2].end, 36);
    /* A whole line, its CR LF included. */
    assert_int_equal(c[3].start, 9);
    assert_int_equal(c[3].end, 27);
    assert_string_equal(c[3].text, "我觉得社会信用体系让城市更安全。\r\n");

    /* Source 1, inline text; a coding with no user anywhere; a coding of
     * the whole source. */
    assert_int_equal(p->sources[1].length, 68);
    assert_null(p->sources[1].text_path);
    assert_int_equal(c[4].source, 1);
    assert_int_equal(c[4].user, NONE);
    assert_string_equal(c[4].text, "Littering scores are fair.");
    assert_int_equal(c[5].code, privacy);
    assert_int_equal(c[5].start, 0);
    assert_int_equal(c[5].end, 0);
    assert_null(c[5].text);

    /* Source 2, a PDF: its text representation (named internal:///x.TXT
     * for the entry Sources/X.txt), then a region of a page. */
    assert_string_equal(p->sources[2].name, "Fees leaflet.pdf");
    assert_int_equal(p->sources[2].length, 35);
    assert_int_equal(c[6].source, 2);
    assert_string_equal(c[6].text, "paying on time");
    assert_int_equal(c[7].source, 2);
    assert_int_equal(c[7].user, anna);
    assert_null(c[7].text);
    /* Source 3, audio: no text, a coding without position. */
    assert_null(p->sources[3].text);
    assert_int_equal(c[8].source, 3);
    assert_int_equal(c[8].code, distrust);
    assert_int_equal(c[8].end, 0);

    /* Cases and variables. */
    size_t age = brisk_qual_find_variable(p, "age"), gender = brisk_qual_find_variable(p, "gender");
    assert_int_equal(p->variables[age].type, BRISK_QUAL_INTEGER);
    assert_int_equal(p->variables[brisk_qual_find_variable(p, "urban")].type,
                     BRISK_QUAL_BOOLEAN);
    assert_int_equal(brisk_qual_find_variable(p, "income"), NONE);
    const brisk_qual_case *k = p->cases;
    assert_string_equal(k[0].name, "P01");
    assert_string_equal(k[0].values[age], "34");
    assert_string_equal(k[0].values[gender], "女");   /* blanks around it dropped */
    assert_int_equal(k[0].nsources, 1);
    assert_int_equal(k[0].sources[0], 0);
    /* P02 has only a SelectionRef: the selection's source. */
    assert_string_equal(k[1].name, "P02");
    assert_int_equal(k[1].sources[0], 1);
    assert_null(k[1].values[gender]);
    /* A case without a name takes its source's. */
    assert_string_equal(k[2].name, "Fees leaflet.pdf");
    assert_int_equal(k[2].sources[0], 2);
    /* P05 gets its source through a coding of its case node. */
    assert_string_equal(k[3].name, "P05");
    assert_int_equal(k[3].nsources, 1);
    assert_int_equal(k[3].sources[0], 4);
    /* The audio's own VariableValue makes a case of it. */
    assert_string_equal(k[4].name, "P04 audio");
    assert_null(k[4].guid);
    assert_string_equal(k[4].values[gender], "male");
    assert_int_equal(brisk_qual_case_of_source(p, 3), 4);
    assert_int_equal(brisk_qual_case_of_source(p, 0), 0);
    assert_int_equal(brisk_qual_case_of_source(p, 99), NONE);

    /* Who coded what: the (source, user) pairs of the codings. */
    assert_int_equal(p->nassignments, 6);
    assert_int_equal(p->assignments[0].source, 0);
    assert_int_equal(p->assignments[0].user, li);
    assert_int_equal(p->assignments[1].user, anna);
}

static void test_refi_project(void **state)
{
    (void)state;
    brisk_qual_project *p = read_ok(data_path("qual", "interviews.qdpx"));
    check_interviews(p);
    brisk_qual_project_free(p);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *data = malloc(1 << 20);
    assert_non_null(data);
    *size = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static void test_refi_buffer(void **state)
{
    (void)state;
    size_t size;
    unsigned char *data = slurp(data_path("qual", "interviews.qdpx"), &size);
    brisk_qual_project *p = NULL;
    brisk_error err;
    /* The content decides, not the name. */
    assert_int_equal(brisk_qual_read_refi_buffer(data, size, "x.qde", &p, &err), BRISK_OK);
    check_interviews(p);
    brisk_qual_project_free(p);
    free(data);
}

static void test_bare_project_and_codebook(void **state)
{
    (void)state;
    brisk_qual_project *p = read_ok(data_path("qual", "inline.qde"));
    assert_int_equal(p->ncodes, 1);
    assert_int_equal(p->nsources, 1);
    assert_int_equal(p->ncodings, 1);
    assert_string_equal(p->codings[0].text, "Littering scores are fair.");
    assert_int_equal(p->codings[0].user, 0);
    brisk_qual_project_free(p);

    p = read_ok(data_path("qual", "codebook.qdc"));
    assert_string_equal(p->name, "codebook");   /* the file's name */
    assert_int_equal(p->ncodes, 3);
    assert_int_equal(p->nsources + p->ncodings + p->nusers + p->ncases, 0);
    assert_string_equal(p->codes[0].guid, "{6b4f72c1-8d2e-4f30-ab9c-2d3e4f5a6b01}");
    assert_false(p->codes[0].codable);
    assert_int_equal(p->codes[1].parent, 0);
    assert_string_equal(p->codes[1].color, "#1F77B4");
    assert_string_equal(p->codes[2].description, "Data, surveillance");
    brisk_qual_project_free(p);
}

/* ------------------------------------------------------------ real exports */

/* Facts of tests/data/qdpx/EXPECTED.md. */
static void test_real_exports(void **state)
{
    (void)state;
    if (access(data_path("qdpx", "qc_demo.qdpx"), R_OK) != 0)
        skip();
    brisk_qual_project *p = read_ok(data_path("qdpx", "qc_demo.qdpx"));
    assert_int_equal(p->ncodes, 262);
    assert_int_equal(p->nusers, 1);
    assert_int_equal(p->nsources, 2);
    assert_int_equal(p->ncodings, 205);
    assert_int_equal(p->ncases, 0);
    /* qc names no source: the file's name stands for it. */
    assert_string_equal(p->sources[0].name, "board_2017.txt");
    assert_int_equal(p->sources[0].length, 52543);
    assert_int_equal(p->sources[1].length, 31906);
    size_t found = 0;
    for (size_t i = 0; i < p->ncodings; i++)
        if (p->codings[i].start == 320 && p->codings[i].end == 400) {
            assert_string_equal(p->codings[i].text, "This district goal is engage every student "
                                                    "in joyful, purposeful learning that \n");
            found++;
        }
    assert_int_equal(found, 1);
    brisk_qual_project_free(p);

    /* The standard's example project: every source file is missing, and
     * it still reads, positions without text. */
    p = read_ok(data_path("qdpx", "refi_annex_atlas8.qdpx"));
    assert_int_equal(p->ncodes, 14);
    assert_int_equal(p->nusers, 3);
    assert_int_equal(p->nsources, 12);
    assert_int_equal(p->ncodings, 16);
    size_t cornflakes = code_named(p, "cornflakes"), n = 0;
    for (size_t i = 0; i < p->ncodings; i++)
        n += p->codings[i].code == cornflakes;
    assert_int_equal(n, 5);
    assert_string_equal(p->sources[4].name, "Mabel.txt");
    assert_null(p->sources[4].text);
    assert_non_null(p->sources[4].text_path);
    for (size_t i = 0; i < p->ncodings; i++)
        if (p->codings[i].source == 4) {
            assert_int_equal(p->codings[i].start, 0);
            assert_int_equal(p->codings[i].end, 410);
            assert_null(p->codings[i].text);
        }
    brisk_qual_project_free(p);

    p = read_ok(data_path("qdpx", "nvivo15_mac.qdpx"));
    assert_int_equal(p->ncodes, 262);
    assert_int_equal(p->sources[0].length, 1);
    brisk_qual_project_free(p);
    p = read_ok(data_path("qdpx", "atlas23_codes.qdpx"));
    assert_int_equal(p->ncodes, 3);
    assert_int_equal(p->nsources, 0);
    brisk_qual_project_free(p);
}

/* ------------------------------------------------------------ the archive */

static void test_archive_errors(void **state)
{
    (void)state;
    brisk_error err;
    static const char not_zip[] = "PK\3\4 but the rest is not a zip";
    expect_buffer_error("<Project/>", 10, "p.qdpx", BRISK_ERR_FORMAT, "p.qdpx",
                        FRAGMENTS("not a zip archive"), &err);
    expect_buffer_error(not_zip, sizeof not_zip - 1, "p.qdpx", BRISK_ERR_FORMAT, "p.qdpx",
                        FRAGMENTS("not a readable zip archive"), &err);

    entry none[] = {{.name = "sources/x.txt", .data = "text"}};
    size_t size;
    unsigned char *zip = zip_bytes(none, 1, &size);
    expect_buffer_error(zip, size, MEM, BRISK_ERR_FORMAT, MEM,
                        FRAGMENTS("holds no project file (*.qde)"), &err);
    free(zip);

    entry two[] = {{.name = "a.qde", .data = project("", NULL)},
                   {.name = "old/B.QDE", .data = project("", NULL)}};
    zip = zip_bytes(two, 2, &size);
    expect_buffer_error(zip, size, MEM, BRISK_ERR_FORMAT, MEM,
                        FRAGMENTS("two project files", "'a.qde'", "'old/B.QDE'"), &err);
    free(zip);

    entry escape[] = {{.name = "project.qde", .data = project("", NULL)},
                      {.name = "sources/../../evil.txt", .data = "x"}};
    zip = zip_bytes(escape, 2, &size);
    expect_buffer_error(zip, size, MEM, BRISK_ERR_FORMAT, MEM,
                        FRAGMENTS("'sources/../../evil.txt'", "outside the archive"), &err);
    free(zip);
    entry absolute[] = {{.name = "/etc/project.qde", .data = project("", NULL)}};
    zip = zip_bytes(absolute, 1, &size);
    expect_buffer_error(zip, size, MEM, BRISK_ERR_FORMAT, MEM,
                        FRAGMENTS("'/etc/project.qde'", "outside the archive"), &err);
    free(zip);

    brisk_qual_project *p = (brisk_qual_project *)&p;
    assert_int_equal(brisk_qual_read_refi("/no/such/file.qdpx", &p, &err), BRISK_ERR_OPEN);
    assert_null(p);
    assert_string_equal(err.file, "/no/such/file.qdpx");
    assert_int_equal(brisk_qual_read_refi(NULL, &p, &err), BRISK_ERR_ARGUMENT);
    assert_int_equal(brisk_qual_read_segments(NULL, &p, &err), BRISK_ERR_ARGUMENT);
}

/* A .qde in a folder of the zip, with its sources/ beside it; macOS's
 * resource forks are no second .qde. */
static void test_project_in_a_folder(void **state)
{
    (void)state;
    entry e[] = {{.name = "export/study.qde",
                  .data = project(text_source("internal://x.txt", 0, 5, NULL), NULL)},
                 {.name = "export/sources/x.txt", .data = "Trust me."},
                 {.name = "__MACOSX/export/._study.qde", .data = "fork"}};
    size_t size;
    unsigned char *zip = zip_bytes(e, 3, &size);
    brisk_qual_project *p = NULL;
    brisk_error err;
    assert_int_equal(brisk_qual_read_refi_buffer(zip, size, MEM, &p, &err), BRISK_OK);
    assert_string_equal(p->codings[0].text, "Trust");
    brisk_qual_project_free(p);
    free(zip);
    /* A name without a scheme (as qc writes), with Windows separators. */
    p = read_project_ok(project(text_source("sources\\x.txt", 2, 7, NULL), NULL),
                        "I trust the city.");
    assert_string_equal(p->codings[0].text, "trust");
    assert_string_equal(p->sources[0].text_path, "sources\\x.txt");
    brisk_qual_project_free(p);
}

/* An entry of 300 MiB of zeros, about 300 KB compressed. */
static void test_zip_bomb(void **state)
{
    (void)state;
    size_t big = (size_t)300 << 20, size;
    char *zeros = calloc(big, 1);
    assert_non_null(zeros);
    entry e[] = {{.name = "project.qde", .data = zeros, .size = big, .level = 9}};
    unsigned char *zip = zip_bytes(e, 1, &size);
    free(zeros);
    assert_true(size < ((size_t)1 << 20));
    brisk_error err;
    expect_buffer_error(zip, size, MEM, BRISK_ERR_LIMIT, MEM,
                        FRAGMENTS("entry 'project.qde'", "314572800 bytes", "256 MiB"), &err);
    free(zip);
}

/* Overwrite the uncompressed size of the first entry, in its local header
 * and in the central directory. */
static void patch_size(unsigned char *zip, size_t size, uint32_t declared)
{
    unsigned char le[4] = {(unsigned char)declared, (unsigned char)(declared >> 8),
                           (unsigned char)(declared >> 16), (unsigned char)(declared >> 24)};
    assert_memory_equal(zip, "PK\3\4", 4);
    memcpy(zip + 22, le, 4);
    for (size_t i = 0; i + 4 <= size; i++)
        if (memcmp(zip + i, "PK\1\2", 4) == 0) {
            memcpy(zip + i + 24, le, 4);
            return;
        }
    fail_msg("no central directory");
}

/* A bomb that lies: its header says 100 bytes, it inflates to 64 KiB. */
static void test_zip_bomb_that_lies(void **state)
{
    (void)state;
    static char spaces[65536];
    memset(spaces, ' ', sizeof spaces);
    entry e[] = {{.name = "project.qde", .data = spaces, .size = sizeof spaces, .level = 9}};
    size_t size;
    unsigned char *zip = zip_bytes(e, 1, &size);
    patch_size(zip, size, 100);
    brisk_error err;
    expect_buffer_error(zip, size, MEM, BRISK_ERR_LIMIT, MEM,
                        FRAGMENTS("entry 'project.qde'", "more than the 100 bytes"), &err);
    free(zip);
}

/* ------------------------------------------------------------ the XML */

static void test_malformed_xml(void **state)
{
    (void)state;
    expect_project_error("<?xml version=\"1.0\"?>\n<Project name=\"t\">\n  <Users>\n</Project>\n",
                         NULL, BRISK_ERR_FORMAT, MEM ":project.qde",
                         FRAGMENTS("mem.qdpx:project.qde:4:", "not well-formed XML",
                                   "mismatch"));
    expect_project_error("<CodeBook><Codes/></CodeBook>trailing", NULL, BRISK_ERR_FORMAT,
                         MEM ":project.qde", FRAGMENTS(":1:"));
    expect_project_error("<Survey/>", NULL, BRISK_ERR_FORMAT, MEM ":project.qde",
                         FRAGMENTS("<Survey>", "not a REFI-QDA"));
    /* Entities are neither expanded nor allowed. */
    expect_project_error("<!DOCTYPE Project [<!ENTITY a \"aaaaaaaaaa\">]>\n"
                         "<Project name=\"&a;\"/>",
                         NULL, BRISK_ERR_FORMAT, NULL, FRAGMENTS("declares entities"));
    expect_project_error("<!DOCTYPE Project [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                         "<Project name=\"t\"><Description>&e;</Description></Project>",
                         NULL, BRISK_ERR_FORMAT, NULL, FRAGMENTS("declares entities"));
    brisk_error err;
    expect_buffer_error("", 0, "empty.qde", BRISK_ERR_FORMAT, "empty.qde",
                        FRAGMENTS("not well-formed XML"), &err);
}

static void test_unknown_references(void **state)
{
    (void)state;
    const char *text = "I trust the city.";
    /* A CodeRef to a code the CodeBook lacks, at its line. */
    expect_project_error(project(text_source("internal://x.txt", 2, 7,
                                             "<Coding guid=\"C9\">\n<CodeRef targetGUID="
                                             "\"{0000AAAA-0000-0000-0000-000000000000}\"/>"
                                             "</Coding>"),
                                 NULL),
                         text, BRISK_ERR_FORMAT, MEM ":project.qde",
                         FRAGMENTS(":10:", "Coding guid=C9 refers to code "
                                           "{0000AAAA-0000-0000-0000-000000000000} that the "
                                           "CodeBook does not define"));
    /* A creatingUser that is not a User. */
    expect_project_error(project(text_source("internal://x.txt", 2, 7,
                                             "<Coding guid=\"C2\" creatingUser=\"U-404\">"
                                             "<CodeRef targetGUID=\"" CODE_TRUST "\"/></Coding>"),
                                 NULL),
                         text, BRISK_ERR_FORMAT, MEM ":project.qde",
                         FRAGMENTS("Coding guid=C2: creatingUser U-404 is not one of the "
                                   "project's Users"));
    /* A case's SourceRef, SelectionRef and VariableRef. */
    const char *sources = text_source("internal://x.txt", 2, 7, NULL);
    expect_project_error(project(sources, "<Cases><Case guid=\"K1\" name=\"P01\">"
                                          "<SourceRef targetGUID=\"S-404\"/></Case></Cases>\n"),
                         text, BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("Case 'P01' (guid=K1) refers to source S-404 that the "
                                   "project does not define (SourceRef)"));
    expect_project_error(project(sources, "<Cases><Case guid=\"K1\">"
                                          "<SelectionRef targetGUID=\"SEL-404\"/></Case></Cases>"),
                         text, BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("refers to selection SEL-404", "(SelectionRef)"));
    expect_project_error(project(sources, "<Cases><Case guid=\"K1\"><VariableValue>"
                                          "<VariableRef targetGUID=\"V-404\"/><TextValue>x"
                                          "</TextValue></VariableValue></Case></Cases>"),
                         text, BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("VariableValue of Case guid=K1 refers to variable V-404"));
    /* A GUID defined twice; an element without its GUID. */
    expect_project_error(project(sources, "<Cases><Case guid=\"K1\"/><Case guid=\"k1\"/></Cases>\n"),
                         text, BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("Case guid=k1 repeats a GUID already defined on line 6"));
    expect_project_error(project(sources, "<Cases><Case name=\"P01\"/></Cases>\n"), text,
                         BRISK_ERR_FORMAT, NULL, FRAGMENTS("Case has no guid"));
    /* Two values of one variable. */
    expect_project_error(project(sources, "<Cases><Case guid=\"K1\" name=\"P01\">"
                                          "<VariableValue><VariableRef targetGUID=\"V1\"/>"
                                          "<IntegerValue>34</IntegerValue></VariableValue>"
                                          "<VariableValue><VariableRef targetGUID=\"V1\"/>"
                                          "<IntegerValue>35</IntegerValue></VariableValue>"
                                          "</Case></Cases>"),
                         text, BRISK_ERR_VALUE, NULL,
                         FRAGMENTS("Case 'P01' (guid=K1) gives variable 'age' two values, '34' "
                                   "and '35'"));
}

static void test_codes_nested_too_deep(void **state)
{
    (void)state;
    for (int depth = BRISK_QUAL_MAX_DEPTH; depth <= BRISK_QUAL_MAX_DEPTH + 1; depth++) {
        char *xml = malloc(200 * (size_t)depth + 200);
        assert_non_null(xml);
        char *w = xml + sprintf(xml, "<CodeBook><Codes>");
        for (int i = 0; i < depth; i++)
            w += sprintf(w, "<Code guid=\"G%d\" name=\"c%d\" isCodable=\"true\">", i, i);
        for (int i = 0; i < depth; i++)
            w += sprintf(w, "</Code>");
        sprintf(w, "</Codes></CodeBook>");
        brisk_qual_project *p = NULL;
        brisk_error err;
        brisk_status st = brisk_qual_read_refi_buffer(xml, strlen(xml), "deep.qdc", &p, &err);
        if (depth == BRISK_QUAL_MAX_DEPTH) {
            assert_int_equal(st, BRISK_OK);
            assert_int_equal(p->ncodes, BRISK_QUAL_MAX_DEPTH);
            assert_int_equal(p->codes[63].parent, 62);
            brisk_qual_project_free(p);
        } else {
            check_error(st, &err, p, BRISK_ERR_LIMIT, "deep.qdc",
                        FRAGMENTS("nested more than 64 deep"));
        }
        free(xml);
    }
}

/* ------------------------------------------------------------ source texts */

static void test_selection_outside_the_text(void **state)
{
    (void)state;
    /* 18 code points; 中文 makes the bytes more. */
    const char *text = "中文 trust the city.";
    expect_project_error(project(text_source("internal://x.txt", 2, 19, NULL), NULL), text,
                         BRISK_ERR_VALUE, MEM ":project.qde",
                         FRAGMENTS("PlainTextSelection guid=S1 of source 'P01'",
                                   "endPosition 19 is beyond the end of the source's text "
                                   "(18 characters)"));
    expect_project_error(project(text_source("internal://x.txt", 9, 4, NULL), NULL), text,
                         BRISK_ERR_VALUE, NULL,
                         FRAGMENTS("guid=S1", "startPosition 9 is after endPosition 4"));
    expect_project_error(project(text_source("internal://x.txt", -1, 4, NULL), NULL), text,
                         BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("startPosition '-1' is not a whole number"));
    /* The whole text is a selection: 18 is the end. */
    brisk_qual_project *p = read_project_ok(project(text_source("internal://x.txt", 0, 18, NULL),
                                                    NULL),
                                            text);
    assert_string_equal(p->codings[0].text, text);
    brisk_qual_project_free(p);
}

static void test_text_encoding(void **state)
{
    (void)state;
    const char *qde = project(text_source("internal://x.txt", 0, 2, NULL), NULL);
    expect_project_error(qde, "good\xC3\x28 bad", BRISK_ERR_FORMAT, MEM ":sources/x.txt",
                         FRAGMENTS("source 'P01'", "not valid UTF-8", "byte offset 4"));
    /* Offsets in the file count the BOM. */
    expect_project_error(qde, "\xEF\xBB\xBFok \xFF", BRISK_ERR_FORMAT, MEM ":sources/x.txt",
                         FRAGMENTS("byte offset 6"));
    expect_project_error(qde, "\xFF\xFEx\0y\0", BRISK_ERR_FORMAT, MEM ":sources/x.txt",
                         FRAGMENTS("UTF-16"));
    /* A NUL byte: an entry written with its size, not up to a NUL. */
    entry e[] = {{.name = "project.qde", .data = qde},
                 {.name = "sources/x.txt", .data = "ab\0cd", .size = 5}};
    size_t size;
    unsigned char *zip = zip_bytes(e, 2, &size);
    brisk_error err;
    expect_buffer_error(zip, size, MEM, BRISK_ERR_FORMAT, MEM ":sources/x.txt",
                        FRAGMENTS("holds a NUL byte at byte offset 2"), &err);
    free(zip);
}

static void test_paths_outside_the_archive(void **state)
{
    (void)state;
    const char *text = "I trust the city.";
    expect_project_error(project(text_source("internal://../../etc/passwd", 0, 2, NULL), NULL),
                         text, BRISK_ERR_FORMAT, MEM ":project.qde",
                         FRAGMENTS("source 'P01'", "'internal://../../etc/passwd' points "
                                                   "outside the .qdpx"));
    expect_project_error(project(text_source("/etc/passwd", 0, 2, NULL), NULL), text,
                         BRISK_ERR_FORMAT, NULL, FRAGMENTS("points outside the .qdpx"));
    expect_project_error(project(text_source("internal://..\\..\\x.txt", 0, 2, NULL), NULL),
                         text, BRISK_ERR_FORMAT, NULL, FRAGMENTS("points outside the .qdpx"));
    expect_project_error(project(text_source("relative:///x.txt", 0, 2, NULL), NULL), text,
                         BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("source 'P01' is stored outside the project "
                                   "(relative:///x.txt)", "inside the .qdpx"));
    expect_project_error(project(text_source("file:///etc/passwd", 0, 2, NULL), NULL), text,
                         BRISK_ERR_FORMAT, NULL, FRAGMENTS("stored outside the project"));
    /* A bare .qde carries no files. */
    const char *qde = project(text_source("internal://x.txt", 0, 2, NULL), NULL);
    brisk_error err;
    expect_buffer_error(qde, strlen(qde), "bare.qde", BRISK_ERR_FORMAT, "bare.qde",
                        FRAGMENTS("keeps its text in a file (internal://x.txt)",
                                  "only a .qdpx carries"),
                        &err);
}

static void test_missing_text_file(void **state)
{
    (void)state;
    /* The file is not in the archive: the codings keep their positions,
     * without text; the source says which file it lacks. */
    brisk_qual_project *p =
        read_project_ok(project(text_source("internal://gone.txt", 3, 40, NULL), NULL), NULL);
    assert_int_equal(p->ncodings, 1);
    assert_null(p->sources[0].text);
    assert_string_equal(p->sources[0].text_path, "internal://gone.txt");
    assert_int_equal(p->codings[0].start, 3);
    assert_int_equal(p->codings[0].end, 40);
    assert_null(p->codings[0].text);
    brisk_qual_project_free(p);
    /* No text at all, neither inline nor a path. */
    expect_project_error(project("<TextSource guid=\"T\" name=\"P09\">"
                                 "<PlainTextSelection guid=\"S1\" startPosition=\"0\" "
                                 "endPosition=\"1\"><Coding guid=\"C1\"><CodeRef targetGUID=\""
                                 CODE_TRUST "\"/></Coding></PlainTextSelection></TextSource>",
                                 NULL),
                         NULL, BRISK_ERR_FORMAT, NULL,
                         FRAGMENTS("source 'P09' has no text", "neither PlainTextContent"));
}

/* Cutting by code points, far past the first of the text's marks. */
static void test_text_slices(void **state)
{
    (void)state;
    size_t n = 3 * BRISK_QUAL_TEXT_STEP + 17;
    char *s = malloc(4 * n + 1), *w = s;
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {   /* a, é, 中, 😀 in turn: 1 to 4 bytes */
        static const char *const cps[] = {"a", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80"};
        strcpy(w, cps[i % 4]);
        w += strlen(cps[i % 4]);
    }
    brisk_qual_text t;
    assert_true(brisk_qual_text_init(&t, s, (size_t)(w - s)));
    assert_int_equal(t.length, n);
    assert_int_equal(brisk_qual_text_offset(&t, 4), 10);
    assert_int_equal(brisk_qual_text_offset(&t, 2 * BRISK_QUAL_TEXT_STEP + 2), 1280 + 3);
    char *slice = brisk_qual_text_slice(&t, 2 * BRISK_QUAL_TEXT_STEP + 1, 2 * BRISK_QUAL_TEXT_STEP + 4);
    assert_string_equal(slice, "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
    free(slice);
    slice = brisk_qual_text_slice(&t, n - 5, n);   /* 780 to 784: 4 cycles of 4, then a */
    assert_string_equal(slice, "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80" "a");
    free(slice);
    brisk_qual_text_free(&t);
    free(s);
    assert_int_equal(brisk_qual_utf8_length("中文ab", strlen("中文ab")), 4);
}

/* ------------------------------------------------------------ segments CSV */

static void test_segments(void **state)
{
    (void)state;
    brisk_qual_project *p = read_ok(data_path("qual", "segments.csv"));
    assert_string_equal(p->name, "segments");
    assert_int_equal(p->ncodes, 5);
    assert_int_equal(p->nusers, 2);
    assert_int_equal(p->nsources, 3);
    assert_int_equal(p->ncodings, 6);
    assert_int_equal(p->ncases, 3);
    assert_int_equal(p->nvariables, 2);
    /* Trust/Trust in government makes Trust, a folder until applied. */
    size_t trust = code_named(p, "Trust"), gov = code_named(p, "Trust in government");
    assert_int_equal(p->codes[gov].parent, trust);
    assert_int_equal(p->codes[code_named(p, "Distrust")].parent, trust);
    assert_false(p->codes[trust].codable);
    assert_true(p->codes[gov].codable);
    assert_null(p->codes[gov].guid);
    /* Positions and text as the row gives them; a source has no text. */
    const brisk_qual_coding *c = p->codings;
    assert_int_equal(c[0].start, 12);
    assert_int_equal(c[0].end, 18);
    assert_string_equal(c[0].text, "社会信用体系");
    assert_int_equal(c[0].user, brisk_qual_find_user(p, "Li Wei"));
    assert_string_equal(c[3].text, "Littering scores\nare fair.");
    assert_int_equal(c[3].end, 0);
    assert_null(c[5].text);
    assert_null(p->sources[0].text);
    assert_string_equal(p->sources[0].name, "P01");
    /* One case per participant, the other columns its attributes. */
    size_t age = brisk_qual_find_variable(p, "age"), city = brisk_qual_find_variable(p, "city");
    assert_int_equal(p->variables[age].type, BRISK_QUAL_TEXT);
    assert_string_equal(p->cases[0].name, "P01");
    assert_string_equal(p->cases[0].values[age], "34");
    assert_string_equal(p->cases[0].values[city], "荣成");
    assert_null(p->cases[2].values[city]);
    assert_int_equal(brisk_qual_case_of_source(p, 1), 1);
    assert_int_equal(p->nassignments, 5);
    brisk_qual_project_free(p);
}

static void test_matrix(void **state)
{
    (void)state;
    brisk_qual_project *p = read_ok(data_path("qual", "matrix.csv"));
    assert_int_equal(p->ncodes, 2);
    assert_int_equal(p->nusers, 2);
    assert_int_equal(p->ncodings, 4);   /* the rows with present = 1 */
    assert_int_equal(p->ncases, 2);
    size_t a = brisk_qual_find_user(p, "A");
    /* Coder A coded P02 and applied nothing: an assignment, no coding. */
    assert_int_equal(p->nassignments, 4);
    bool a_coded_p02 = false;
    for (size_t i = 0; i < p->nassignments; i++)
        a_coded_p02 |= p->assignments[i].user == a && p->assignments[i].source == 1;
    assert_true(a_coded_p02);
    for (size_t i = 0; i < p->ncodings; i++)
        assert_false(p->codings[i].source == 1 && p->codings[i].user == a);
    assert_true(p->codes[code_named(p, "Privacy")].codable);
    assert_string_equal(p->cases[1].values[0], "south");
    brisk_qual_project_free(p);
}

/* A CSV in a private temporary file. */
static char *temp_csv(const char *content)
{
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/test_qual_XXXXXX.csv", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void expect_csv_error(const char *content, brisk_status status, long line, long column,
                             const char *const *fragments)
{
    char *path = temp_csv(content);
    brisk_error err;
    expect_file_error(path, status, path, fragments, &err);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    unlink(path);
}

static void test_segments_errors(void **state)
{
    (void)state;
    /* Line 6: after an empty line and a text over two lines. */
    expect_csv_error("participant,code,text,age\nP01,A,x,34\n\nP02,B,\"two\nlines\",51\n"
                     "P01,B,y,35\n",
                     BRISK_ERR_VALUE, 6, 4,
                     FRAGMENTS("participant 'P01' has two values of 'age': '34' and, here, "
                               "'35'"));
    expect_csv_error("participant,code\nP01,A\n,B\n", BRISK_ERR_VALUE, 3, 1,
                     FRAGMENTS("the participant is empty"));
    expect_csv_error("Participant,CODE\nP01,\"  \"\n", BRISK_ERR_VALUE, 2, 2,
                     FRAGMENTS("the CODE is empty"));
    expect_csv_error("participant,code,start,end\nP01,A,7,3\n", BRISK_ERR_VALUE, 2, 3,
                     FRAGMENTS("start 7 is after end 3"));
    expect_csv_error("participant,code,start,end\nP01,A,7,\n", BRISK_ERR_VALUE, 2, 4,
                     FRAGMENTS("'start' is given but 'end' is empty"));
    expect_csv_error("participant,code,start,end\nP01,A,1.5,3\n", BRISK_ERR_VALUE, 2, 3,
                     FRAGMENTS("start is not a whole number"));
    expect_csv_error("participant,code,present\nP01,A,2\n", BRISK_ERR_VALUE, 2, 3,
                     FRAGMENTS("present must be 1"));
    expect_csv_error("participant,code,source\nP01,A,s1\nP02,A,s1\n", BRISK_ERR_VALUE, 3, 3,
                     FRAGMENTS("source 's1' belongs to participant 'P01' and to participant "
                               "'P02'"));
    expect_csv_error("participant,theme\nP01,A\n", BRISK_ERR_COLUMN, 1, 0,
                     FRAGMENTS("no 'code' column"));
    expect_csv_error("participant,code,end\nP01,A,3\n", BRISK_ERR_FORMAT, 1, 0,
                     FRAGMENTS("an 'end' column needs a"));
    expect_csv_error("participant,code,present,text\nP01,A,1,x\n", BRISK_ERR_FORMAT, 1, 0,
                     FRAGMENTS("'present' column makes a matrix"));
    expect_csv_error("participant,code,Code\nP01,A,B\n", BRISK_ERR_FORMAT, 1, 0,
                     FRAGMENTS("columns 'code' and 'Code' both name the code"));
    expect_csv_error("participant,code\nP01, / \n", BRISK_ERR_VALUE, 2, 2,
                     FRAGMENTS("the code has no name"));
}

static void test_read_by_extension(void **state)
{
    (void)state;
    /* .csv and .tsv are segments, anything else REFI-QDA. */
    char *path = temp_csv("participant,code\nP01,A/B\n");
    brisk_qual_project *p = read_ok(path);
    assert_int_equal(p->ncodes, 2);
    assert_int_equal(p->codes[1].parent, 0);
    assert_true(p->codes[1].codable);
    brisk_qual_project_free(p);
    unlink(path);
    brisk_error err;
    expect_file_error(data_path("qual", "make-fixtures.py"), BRISK_ERR_FORMAT, NULL,
                      FRAGMENTS("make-fixtures.py", "not well-formed XML"), &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refi_project),
        cmocka_unit_test(test_refi_buffer),
        cmocka_unit_test(test_bare_project_and_codebook),
        cmocka_unit_test(test_real_exports),
        cmocka_unit_test(test_archive_errors),
        cmocka_unit_test(test_project_in_a_folder),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_zip_bomb_that_lies),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_unknown_references),
        cmocka_unit_test(test_codes_nested_too_deep),
        cmocka_unit_test(test_selection_outside_the_text),
        cmocka_unit_test(test_text_encoding),
        cmocka_unit_test(test_paths_outside_the_archive),
        cmocka_unit_test(test_missing_text_file),
        cmocka_unit_test(test_text_slices),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_segments_errors),
        cmocka_unit_test(test_read_by_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
