/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the readers of coded interviews (lib/qual/).
 *
 * The first byte chooses the reader, the rest is the file:
 *   even ('0'): a REFI-QDA file read from memory
 *         (brisk_qual_read_refi_buffer) as "fuzz.qde", so that the content
 *         decides: a zip is read as a .qdpx (its .qde, its sources/), else
 *         the bytes as a project or codebook XML;
 *   odd ('1'):  a segments CSV (brisk_qual_read_segments), written to a
 *         file in the harness's private folder (fuzz_tmpdir), since the
 *         reader takes a path, and removed after each input.
 * A project that is read is then checked: every index it holds must be in
 * range, every coding's positions in order and within its source's text,
 * and a coding's text, when its source has one, as long as its selection.  A project that breaks
 * one of these aborts, which libFuzzer reports as a crash. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/qual.h"
#include "qual/qual_internal.h"
#include "fuzz.h"

static void require(int ok)
{
    if (!ok)
        abort();
}

static void check_codings(const brisk_qual_project *p)
{
    for (size_t i = 0; i < p->ncodings; i++) {
        const brisk_qual_coding *c = &p->codings[i];
        require(c->source < p->nsources && c->code < p->ncodes);
        require(c->user == BRISK_QUAL_NONE || c->user < p->nusers);
        require(c->start <= c->end);
        /* A coding of a whole source or of a region has no text. */
        const brisk_qual_source *s = &p->sources[c->source];
        if (s->text)
            require(c->end <= s->length);
        if (s->text && c->text)
            require(brisk_qual_utf8_length(c->text, strlen(c->text)) == c->end - c->start);
    }
}

static void check_project(const brisk_qual_project *p)
{
    require(p->name != NULL);
    for (size_t i = 0; i < p->ncodes; i++)   /* a parent comes before its children */
        require(p->codes[i].name && (p->codes[i].parent == BRISK_QUAL_NONE ||
                                     p->codes[i].parent < i));
    for (size_t i = 0; i < p->nsources; i++)
        require(!p->sources[i].text ||
                brisk_qual_utf8_length(p->sources[i].text, strlen(p->sources[i].text)) ==
                    p->sources[i].length);
    check_codings(p);
    for (size_t i = 0; i < p->ncases; i++) {
        require(p->cases[i].name != NULL);
        for (size_t k = 0; k < p->cases[i].nsources; k++)
            require(p->cases[i].sources[k] < p->nsources);
    }
    for (size_t i = 0; i < p->nassignments; i++)
        require(p->assignments[i].source < p->nsources && p->assignments[i].user < p->nusers);
    for (size_t i = 0; i < p->ncodes; i++)
        require(brisk_qual_find_code(p, p->codes[i].name) <= i);
    for (size_t i = 0; i < p->nsources; i++) {
        size_t c = brisk_qual_case_of_source(p, i);
        require(c == BRISK_QUAL_NONE || c < p->ncases);
    }
}

static void read_segments(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_tmpdir();
    char path[600];
    if (!dir)
        return;
    snprintf(path, sizeof path, "%s/fuzz.csv", dir);
    if (!fuzz_write_file(path, data, size)) {
        remove(path);
        return;
    }
    brisk_qual_project *p = NULL;
    brisk_error err;
    if (brisk_qual_read_segments(path, &p, &err) == BRISK_OK)
        check_project(p);
    brisk_qual_project_free(p);
    remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2) {
        read_segments(data + 1, size - 1);
        return 0;
    }
    brisk_qual_project *p = NULL;
    brisk_error err;
    if (brisk_qual_read_refi_buffer(data + 1, size - 1, "fuzz.qde", &p, &err) == BRISK_OK)
        check_project(p);
    brisk_qual_project_free(p);
    return 0;
}
