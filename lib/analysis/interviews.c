/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk interviews: themes, co-occurrence, agreement between coders and
 * quotes of a coded-interview project, and the joint display with the
 * survey its participants answered.
 *
 * Participants are the project's cases (a source in no case is a
 * participant of its own; without cases each source is one).  A code
 * counts for its parent codes too: a participant raised "Perceived risk"
 * when a coder applied it or any code under it. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/analysis.h"
#include "brisk/stats.h"
#include "core/util.h"
#include "interviews.h"
#include "stats/fisher.h"

#define Z95 1.959963984540054

/* ------------------------------------------------------------ the project's iv_shape */


void iv_shape_free(iv_shape *s)
{
    if (s->path)
        for (size_t c = 0; c < s->p->ncodes; c++)
            free(s->path[c]);
    free(s->path);
    free(s->part_name);
    free(s->case_of_part);
    free(s->part_of_source);
    free(s->part_of_coding);
    free(s->parts_start);
    free(s->parts);
    free(s->order);
    free(s->depth);
}

brisk_status iv_check_size(size_t a, size_t b, size_t c, brisk_error *err)
{
    if (a && (b > IV_MAX_CELLS / a || (b && c > IV_MAX_CELLS / a / b)))
        return brisk_error_set(err, BRISK_ERR_LIMIT,
                               "the project is too large to analyse: %zu x %zu x %zu cells (codes, "
                               "participants or units, coders) exceed %llu",
                               a, b, c, (unsigned long long)IV_MAX_CELLS);
    return BRISK_OK;
}

brisk_status iv_nomem(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

/* Every participant of each source: its cases (a focus group's source
 * has several), or the participant the source is. */
static brisk_status source_participants(iv_shape *s, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t ns = p->nsources, total = 0;
    s->parts_start = calloc(ns + 1, sizeof *s->parts_start);
    if (!s->parts_start)
        return iv_nomem(err);
    for (size_t c = 0; c < p->ncases; c++)
        for (size_t k = 0; k < p->cases[c].nsources; k++)
            s->parts_start[p->cases[c].sources[k] + 1]++;
    for (size_t src = 0; src < ns; src++) {
        if (s->parts_start[src + 1] == 0) /* a source in no case: itself */
            s->parts_start[src + 1] = 1;
        s->shared += s->parts_start[src + 1] > 1;
        total += s->parts_start[src + 1];
        s->parts_start[src + 1] += s->parts_start[src];
    }
    s->parts = malloc((total ? total : 1) * sizeof *s->parts);
    size_t *fill = calloc(ns + 1, sizeof *fill);
    if (!s->parts || !fill) {
        free(fill);
        return iv_nomem(err);
    }
    for (size_t c = 0; c < p->ncases; c++)
        for (size_t k = 0; k < p->cases[c].nsources; k++) {
            size_t src = p->cases[c].sources[k];
            s->parts[s->parts_start[src] + fill[src]++] = c;
        }
    for (size_t src = 0; src < ns; src++)
        if (fill[src] == 0)
            s->parts[s->parts_start[src]] = s->part_of_source[src];
    free(fill);
    return BRISK_OK;
}

static size_t overlap(const brisk_qual_span *span, const brisk_qual_coding *c)
{
    size_t lo = span->start > c->start ? span->start : c->start;
    size_t hi = span->end < c->end ? span->end : c->end;
    return hi > lo ? hi - lo : 0;
}

/* Each coding's participant.  In a source several cases share, the case
 * whose spans overlap the coding most (the first case when none does). */
static brisk_status attribute_codings(iv_shape *s, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    s->part_of_coding = malloc((p->ncodings ? p->ncodings : 1) * sizeof *s->part_of_coding);
    if (!s->part_of_coding)
        return iv_nomem(err);
    for (size_t i = 0; i < p->ncodings; i++) {
        const brisk_qual_coding *cd = &p->codings[i];
        size_t src = cd->source, first = s->parts_start[src], n = s->parts_start[src + 1] - first;
        s->part_of_coding[i] = s->part_of_source[src];
        if (n < 2)
            continue;
        size_t best = 0;
        for (size_t k = 0; k < n; k++) {
            const brisk_qual_case *kase = &p->cases[s->parts[first + k]];
            for (size_t j = 0; j < kase->nspans; j++)
                if (kase->spans[j].source == src && overlap(&kase->spans[j], cd) > best) {
                    best = overlap(&kase->spans[j], cd);
                    s->part_of_coding[i] = s->parts[first + k];
                }
        }
        if (best == 0 && s->unattributed++ == 0)
            s->shared_example = src;
    }
    return BRISK_OK;
}

static brisk_status build_participants(iv_shape *s, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t cap = p->ncases + p->nsources;
    s->part_name = calloc(cap ? cap : 1, sizeof *s->part_name);
    s->case_of_part = calloc(cap ? cap : 1, sizeof *s->case_of_part);
    s->part_of_source = calloc(p->nsources ? p->nsources : 1, sizeof *s->part_of_source);
    if (!s->part_name || !s->case_of_part || !s->part_of_source)
        return iv_nomem(err);
    for (size_t c = 0; c < p->ncases; c++) {
        s->part_name[s->nparts] = p->cases[c].name;
        s->case_of_part[s->nparts++] = c;
    }
    for (size_t src = 0; src < p->nsources; src++) {
        size_t c = p->ncases ? brisk_qual_case_of_source(p, src) : BRISK_QUAL_NONE;
        if (c != BRISK_QUAL_NONE) {
            s->part_of_source[src] = c;
            continue;
        }
        s->orphans += p->ncases > 0;
        s->part_name[s->nparts] = p->sources[src].name;
        s->case_of_part[s->nparts] = BRISK_QUAL_NONE;
        s->part_of_source[src] = s->nparts++;
    }
    brisk_status st = source_participants(s, err);
    return st == BRISK_OK ? attribute_codings(s, err) : st;
}

/* Codes depth first: a code's children follow it, in the file's order. */
static brisk_status build_code_order(iv_shape *s, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t n = p->ncodes;
    s->order = malloc((n ? n : 1) * sizeof *s->order);
    s->depth = calloc(n ? n : 1, sizeof *s->depth);
    s->path = calloc(n ? n : 1, sizeof *s->path);
    size_t *stack = malloc((n ? n : 1) * sizeof *stack);
    if (!s->order || !s->depth || !s->path || !stack) {
        free(stack);
        return iv_nomem(err);
    }
    size_t done = 0, top = 0;
    for (size_t root = n; root-- > 0;)
        if (p->codes[root].parent == BRISK_QUAL_NONE)
            stack[top++] = root;
    while (top > 0) {
        size_t c = stack[--top];
        s->order[done++] = c;
        size_t parent = p->codes[c].parent;
        s->depth[c] = parent == BRISK_QUAL_NONE ? 0 : s->depth[parent] + 1;
        if (parent == BRISK_QUAL_NONE)
            s->path[c] = brisk_strdup(p->codes[c].name);
        else if (asprintf(&s->path[c], "%s / %s", s->path[parent], p->codes[c].name) < 0)
            s->path[c] = NULL;
        if (!s->path[c]) {
            free(stack);
            return iv_nomem(err);
        }
        for (size_t k = n; k-- > 0;)
            if (p->codes[k].parent == c && top < n)
                stack[top++] = k;
    }
    free(stack);
    if (done != n) /* the readers refuse cycles; a caller's project might not */
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "the codes' parents form a cycle");
    return BRISK_OK;
}

brisk_status iv_shape_build(iv_shape *s, const brisk_qual_project *p, brisk_error *err)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    brisk_status st = build_participants(s, err);
    return st == BRISK_OK ? build_code_order(s, err) : st;
}

static bool is_within(const brisk_qual_project *p, size_t code, size_t ancestor)
{
    for (size_t c = code, steps = 0; c != BRISK_QUAL_NONE && steps <= p->ncodes;
         c = p->codes[c].parent, steps++)
        if (c == ancestor)
            return true;
    return false;
}

/* Words of a text: runs of non-blank characters, and each CJK character
 * by itself (Chinese and Japanese are written without spaces). */
static size_t count_words(const char *text)
{
    size_t words = 0;
    bool in_word = false;
    for (const unsigned char *t = (const unsigned char *)text; t && *t;) {
        unsigned cp = *t;
        size_t len = 1;
        if (cp >= 0xF0 && t[1] && t[2] && t[3]) {
            cp = ((cp & 7u) << 18) | ((t[1] & 63u) << 12) | ((t[2] & 63u) << 6) | (t[3] & 63u);
            len = 4;
        } else if (cp >= 0xE0 && t[1] && t[2]) {
            cp = ((cp & 15u) << 12) | ((t[1] & 63u) << 6) | (t[2] & 63u);
            len = 3;
        } else if (cp >= 0xC0 && t[1]) {
            cp = ((cp & 31u) << 6) | (t[1] & 63u);
            len = 2;
        }
        bool cjk = (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x9FFF) ||
                   (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
        /* blanks, and the CJK and fullwidth punctuation that stands
         * between words */
        bool blank = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
                     (cp >= 0x3000 && cp <= 0x3003) || (cp >= 0x3008 && cp <= 0x3011) ||
                     cp == 0x30FB || (cp >= 0xFF01 && cp <= 0xFF0F) ||
                     (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
                     (cp >= 0xFF5B && cp <= 0xFF65);
        cjk = cjk && !blank;
        if (cjk) {
            words++;
            in_word = false;
        } else if (blank) {
            in_word = false;
        } else if (!in_word) {
            words++;
            in_word = true;
        }
        t += len;
    }
    return words;
}

static const char *user_name(const brisk_qual_project *p, size_t user)
{
    return user == BRISK_QUAL_NONE ? NULL : p->users[user].name;
}

/* The codings that count: every coder's, or one coder's. */
bool iv_counted(const brisk_qual_coding *c, size_t coder)
{
    return coder == BRISK_QUAL_NONE || c->user == coder;
}

/* ------------------------------------------------------------ small table helpers */

brisk_table *iv_table(const char *id, const char *title, const char *sheet)
{
    brisk_table *t = brisk_table_new(id, title);
    if (t && sheet && brisk_table_set_sheet(t, sheet) != BRISK_OK) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

bool iv_columns(brisk_table *t, const char *const *spec, size_t n)
{
    /* spec: key, header, kind letter (t text, i int, n number, % percent, p p-value) */
    for (size_t i = 0; i < n; i++) {
        const char *key = spec[3 * i], *header = spec[3 * i + 1];
        brisk_cell_kind kind = BRISK_CELL_TEXT;
        int decimals = 0;
        switch (spec[3 * i + 2][0]) {
        case 'i': kind = BRISK_CELL_INT; break;
        case 'n': kind = BRISK_CELL_NUMBER; decimals = 3; break;
        case '2': kind = BRISK_CELL_NUMBER; decimals = 2; break;
        case '%': kind = BRISK_CELL_PERCENT; decimals = 1; break;
        case 'p': kind = BRISK_CELL_PVALUE; break;
        default: break;
        }
        if (brisk_table_add_column(t, key, header, kind, decimals) == (size_t)-1)
            return false;
    }
    return true;
}

brisk_status iv_finish(brisk_table *t, brisk_table_list *out, bool ok, brisk_error *err)
{
    if (!ok) {
        brisk_table_free(t);
        return iv_nomem(err);
    }
    return brisk_table_list_add(out, t) == BRISK_OK ? BRISK_OK : iv_nomem(err);
}

/* ------------------------------------------------------------ overview, codebook */

static size_t coders_in_use(const brisk_qual_project *p, bool *used)
{
    size_t n = 0;
    for (size_t u = 0; u < p->nusers; u++)
        used[u] = false;
    for (size_t a = 0; a < p->nassignments; a++)
        if (!used[p->assignments[a].user]) {
            used[p->assignments[a].user] = true;
            n++;
        }
    return n;
}

static bool overview_row(brisk_table *t, const char *what, const char *text, double num)
{
    size_t r = brisk_table_add_row(t);
    if (r == (size_t)-1 || brisk_table_set_text(t, r, 0, what) != BRISK_OK)
        return false;
    if (text)
        return brisk_table_set_text(t, r, 1, text) == BRISK_OK;
    char buf[32];
    snprintf(buf, sizeof buf, "%.0f", num);
    return brisk_table_set_text(t, r, 1, buf) == BRISK_OK;
}

static brisk_status overview(const iv_shape *s, brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    brisk_table *t = iv_table("interviews.overview", "Interview project", "Themes");
    if (!t)
        return iv_nomem(err);
    static const char *const cols[] = {"item", "Item", "t", "value", "Value", "t"};
    bool *used = calloc(p->nusers ? p->nusers : 1, sizeof *used);
    bool ok = used && iv_columns(t, cols, 2);
    size_t ncoders = used ? coders_in_use(p, used) : 0;
    ok = ok && overview_row(t, "Project", p->name ? p->name : "", 0) &&
         (!p->origin || overview_row(t, "Exported by", p->origin, 0)) &&
         overview_row(t, "Participants", NULL, (double)s->nparts) &&
         overview_row(t, "Sources", NULL, (double)p->nsources) &&
         overview_row(t, "Users", NULL, (double)p->nusers) &&
         overview_row(t, "Coders (users who coded)", NULL, (double)ncoders) &&
         overview_row(t, "Codes", NULL, (double)p->ncodes) &&
         overview_row(t, "Codings", NULL, (double)p->ncodings) &&
         overview_row(t, "Case variables", NULL, (double)p->nvariables);
    if (ok && s->orphans)
        ok = brisk_table_add_note(t, "%zu source%s in no case: each counted as a participant "
                                     "of its own.", s->orphans, s->orphans == 1 ? " is" : "s are")
             == BRISK_OK;
    if (ok && ncoders < 2 && p->nsources)
        ok = brisk_table_add_note(t, "Agreement between coders needs two coders who coded the "
                                     "same material; this project has %zu.", ncoders) == BRISK_OK;
    free(used);
    return iv_finish(t, out, ok, err);
}

static brisk_status codebook(const iv_shape *s, brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    brisk_table *t = iv_table("interviews.codebook", "Codebook", "Codebook");
    static const char *const cols[] = {"code", "Code", "t", "level", "Level", "i",
                                       "color", "Colour", "t", "codable", "Codable", "t",
                                       "description", "Description", "t"};
    bool ok = t && iv_columns(t, cols, 5);
    for (size_t i = 0; ok && i < p->ncodes; i++) {
        size_t c = s->order[i], r = brisk_table_add_row(t);
        const brisk_qual_code *code = &p->codes[c];
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK &&
             brisk_table_set_text(t, r, 2, code->color) == BRISK_OK &&
             brisk_table_set_text(t, r, 3, code->codable ? "yes" : "no") == BRISK_OK &&
             brisk_table_set_text(t, r, 4, code->description) == BRISK_OK;
        if (ok)
            brisk_table_set_num(t, r, 1, (double)s->depth[c] + 1);
    }
    if (!t)
        return iv_nomem(err);
    return iv_finish(t, out, ok, err);
}

/* ------------------------------------------------------------ themes */


void iv_theme_counts_free(iv_counts *tc)
{
    free(tc->raised);
    free(tc->coded);
    free(tc->segments);
    free(tc->words);
}

brisk_status iv_count_themes(const iv_shape *s, size_t coder, iv_counts *tc,
                                 brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t nc = p->ncodes ? p->ncodes : 1, np = s->nparts ? s->nparts : 1;
    memset(tc, 0, sizeof *tc);
    brisk_status st = iv_check_size(nc, np, 1, err);
    if (st != BRISK_OK)
        return st;
    tc->raised = calloc(nc * np, 1);
    tc->coded = calloc(np, sizeof *tc->coded);
    tc->segments = calloc(nc, sizeof *tc->segments);
    tc->words = calloc(nc, sizeof *tc->words);
    if (!tc->raised || !tc->coded || !tc->segments || !tc->words)
        return iv_nomem(err);
    /* who coded whom: the assignments (a coder may code a participant and
     * apply no code) */
    for (size_t a = 0; a < p->nassignments; a++) {
        size_t src = p->assignments[a].source;
        if (coder != BRISK_QUAL_NONE && p->assignments[a].user != coder)
            continue;
        for (size_t k = s->parts_start[src]; k < s->parts_start[src + 1]; k++)
            if (!tc->coded[s->parts[k]]) {
                tc->coded[s->parts[k]] = true;
                tc->ncoded++;
            }
    }
    for (size_t i = 0; i < p->ncodings; i++) {
        const brisk_qual_coding *cd = &p->codings[i];
        if (!iv_counted(cd, coder))
            continue;
        size_t part = s->part_of_coding[i];
        size_t words = count_words(cd->text);
        for (size_t c = cd->code, steps = 0; c != BRISK_QUAL_NONE && steps <= p->ncodes;
             c = p->codes[c].parent, steps++) {
            tc->raised[c * s->nparts + part] = 1;
            tc->segments[c]++;
            tc->words[c] += words;
        }
    }
    return BRISK_OK;
}

static size_t raised_count(const iv_shape *s, const iv_counts *tc, size_t code)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nparts; i++)
        n += tc->raised[code * s->nparts + i];
    return n;
}

static brisk_status themes(const iv_shape *s, size_t coder, const iv_counts *tc,
                           brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    brisk_table *t = iv_table("interviews.themes", "Themes: participants raising each code",
                               "Themes");
    static const char *const cols[] = {
        "code", "Code", "t", "level", "Level", "i", "participants", "Participants", "i",
        "of", "Of", "i", "percent", "%", "%", "ci_lower", "95% CI lower", "%",
        "ci_upper", "95% CI upper", "%", "segments", "Segments", "i", "words", "Words", "i"};
    if (!t)
        return iv_nomem(err);
    bool ok = iv_columns(t, cols, 9);
    /* Without a coder every participant is counted; one coder's share is
     * of the participants that coder coded. */
    double total = coder == BRISK_QUAL_NONE ? (double)s->nparts : (double)tc->ncoded;
    for (size_t i = 0; ok && i < p->ncodes; i++) {
        size_t c = s->order[i], r = brisk_table_add_row(t);
        double n = (double)raised_count(s, tc, c), lo = NAN, hi = NAN;
        if (total > 0)
            brisk_wilson_ci(n / total, total, Z95, &lo, &hi);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK;
        if (!ok)
            break;
        brisk_table_set_num(t, r, 1, (double)s->depth[c] + 1);
        brisk_table_set_num(t, r, 2, n);
        brisk_table_set_num(t, r, 3, total);
        brisk_table_set_num(t, r, 4, total > 0 ? 100 * n / total : NAN);
        brisk_table_set_num(t, r, 5, 100 * lo);
        brisk_table_set_num(t, r, 6, 100 * hi);
        brisk_table_set_num(t, r, 7, (double)tc->segments[c]);
        brisk_table_set_num(t, r, 8, (double)tc->words[c]);
    }
    if (ok && coder != BRISK_QUAL_NONE)
        ok = brisk_table_add_note(t, "Codings of %s only; shares are of the %zu participants "
                                     "%s coded.", p->users[coder].name, tc->ncoded,
                                  p->users[coder].name) == BRISK_OK;
    else if (ok)
        ok = brisk_table_add_note(t, "A participant raised a code when any coder applied it "
                                     "(or a code under it) anywhere in the participant's "
                                     "sources; shares are of all %zu participants.",
                                  s->nparts) == BRISK_OK;
    ok = ok && brisk_table_add_note(t, "Wilson 95%% intervals. Segments and words are summed "
                                       "over the coders' codings, a parent's including its "
                                       "children's; words count blank-separated words and "
                                       "each CJK character.") == BRISK_OK;
    return iv_finish(t, out, ok, err);
}

/* ------------------------------------------------------------ themes by a case variable */

static int compare_levels(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    double u, v;
    bool nu = brisk_parse_number(x, strlen(x), &u), nv = brisk_parse_number(y, strlen(y), &v);
    if (nu && nv)
        return (u > v) - (u < v);
    if (nu != nv)
        return nu ? -1 : 1;
    return strcmp(x, y);
}

#define MAX_LEVELS 50
#define EXACT_WORK 2000000ULL   /* about 50 ms of the exact test per code */
#define FISHER_DRAWS 2000       /* fisher.test's default B */

/* The levels of variable v among the participants (sorted: numbers by
 * value, then text), and each participant's level (or NONE). */
static brisk_status variable_levels(const iv_shape *s, size_t v, const char **levels,
                                    size_t *nlevels, size_t *level_of, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    *nlevels = 0;
    for (size_t i = 0; i < s->nparts; i++) {
        size_t c = s->case_of_part[i];
        const char *value = c == BRISK_QUAL_NONE ? NULL : p->cases[c].values[v];
        if (!value || !*value)
            continue;
        bool seen = false;
        for (size_t k = 0; k < *nlevels && !seen; k++)
            seen = strcmp(levels[k], value) == 0;
        if (seen)
            continue;
        if (*nlevels == MAX_LEVELS)
            return brisk_error_set(err, BRISK_ERR_DATA,
                                   "case variable '%s' has more than %d values: compare "
                                   "participants by a variable with a few levels",
                                   p->variables[v].name, MAX_LEVELS);
        levels[(*nlevels)++] = value;
    }
    qsort(levels, *nlevels, sizeof *levels, compare_levels);
    for (size_t i = 0; i < s->nparts; i++) {
        size_t c = s->case_of_part[i];
        const char *value = c == BRISK_QUAL_NONE ? NULL : p->cases[c].values[v];
        level_of[i] = BRISK_QUAL_NONE;
        for (size_t k = 0; value && k < *nlevels; k++)
            if (strcmp(levels[k], value) == 0)
                level_of[i] = k;
    }
    return BRISK_OK;
}

static brisk_status themes_by(const iv_shape *s, size_t coder, const iv_counts *tc, size_t v,
                              brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    const char *levels[MAX_LEVELS];
    size_t nlevels = 0, *level_of = malloc((s->nparts ? s->nparts : 1) * sizeof *level_of);
    if (!level_of)
        return iv_nomem(err);
    brisk_status st = variable_levels(s, v, levels, &nlevels, level_of, err);
    if (st != BRISK_OK) {
        free(level_of);
        return st;
    }
    size_t size[MAX_LEVELS] = {0}, unknown = 0;
    for (size_t i = 0; i < s->nparts; i++) {
        bool counts = coder == BRISK_QUAL_NONE || tc->coded[i];
        if (counts && level_of[i] != BRISK_QUAL_NONE)
            size[level_of[i]]++;
        else if (counts)
            unknown++;
    }
    char id[300], title[300];
    snprintf(id, sizeof id, "interviews.themes_by.%.200s", p->variables[v].name);
    snprintf(title, sizeof title, "Themes by %.200s", p->variables[v].name);
    brisk_table *t = iv_table(id, title, "Themes");
    bool ok = t && brisk_table_add_column(t, "code", "Code", BRISK_CELL_TEXT, 0) != (size_t)-1;
    for (size_t k = 0; ok && k < nlevels; k++) {
        char key[300], group[300];
        snprintf(key, sizeof key, "n_%.200s", levels[k]);
        snprintf(group, sizeof group, "%.200s (N = %zu)", levels[k], size[k]);
        size_t col = brisk_table_add_column(t, key, "n", BRISK_CELL_INT, 0);
        snprintf(key, sizeof key, "percent_%.200s", levels[k]);
        size_t pct = brisk_table_add_column(t, key, "%", BRISK_CELL_PERCENT, 1);
        ok = col != (size_t)-1 && pct != (size_t)-1 &&
             brisk_table_set_group(t, col, group) == BRISK_OK &&
             brisk_table_set_group(t, pct, group) == BRISK_OK;
    }
    size_t pcol = ok ? brisk_table_add_column(t, "p", "Fisher p", BRISK_CELL_PVALUE, 0)
                     : (size_t)-1;
    ok = ok && pcol != (size_t)-1;
    size_t simulated = 0;
    double *table = calloc(2 * (nlevels ? nlevels : 1), sizeof *table);
    ok = ok && table;
    for (size_t i = 0; ok && i < p->ncodes; i++) {
        size_t c = s->order[i], r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK;
        for (size_t k = 0; k < nlevels; k++)
            table[k] = 0, table[nlevels + k] = (double)size[k];
        for (size_t part = 0; ok && part < s->nparts; part++)
            if (level_of[part] != BRISK_QUAL_NONE && tc->raised[c * s->nparts + part] &&
                (coder == BRISK_QUAL_NONE || tc->coded[part])) {
                table[level_of[part]]++;
                table[nlevels + level_of[part]]--;
            }
        for (size_t k = 0; ok && k < nlevels; k++) {
            brisk_table_set_num(t, r, 1 + 2 * k, table[k]);
            brisk_table_set_num(t, r, 2 + 2 * k, size[k] ? 100 * table[k] / size[k] : NAN);
        }
        double pv = NAN;
        brisk_error ferr;
        if (ok && nlevels >= 2) {
            /* exact within a fraction of a second, else simulated as
             * fisher.test(simulate.p.value = TRUE) */
            brisk_status fs = brisk_fisher_exact_within(table, 2, nlevels, EXACT_WORK, &pv, &ferr);
            if (fs == BRISK_ERR_LIMIT) {
                simulated++;
                fs = brisk_fisher_simulated(table, 2, nlevels, FISHER_DRAWS, 1, &pv, &ferr);
            }
            if (fs == BRISK_ERR_NOMEM)
                ok = false;
            else if (fs != BRISK_OK)
                pv = NAN;
        }
        if (ok)
            brisk_table_set_num(t, r, pcol, pv);
    }
    free(table);
    free(level_of);
    if (!t)
        return iv_nomem(err);
    ok = ok && brisk_table_add_note(t, "Participants who raised each code, by %s; p: Fisher's "
                                       "exact test of raised or not by the %zu levels (as R's "
                                       "fisher.test).", p->variables[v].name, nlevels) ==
                   BRISK_OK;
    if (ok && nlevels < 2)
        ok = brisk_table_add_note(t, "%s has fewer than two values among the participants: no "
                                     "test.", p->variables[v].name) == BRISK_OK;
    if (ok && unknown)
        ok = brisk_table_add_note(t, "%zu participant%s without a value of %s left out.",
                                  unknown, unknown == 1 ? "" : "s", p->variables[v].name) ==
             BRISK_OK;
    if (ok && simulated)
        ok = brisk_table_add_note(t, "%zu code%s: the table is too large for the exact test; p "
                                     "simulated from %d tables with its margins (as fisher.test's "
                                     "simulate.p.value, seed 1).", simulated,
                                  simulated == 1 ? "" : "s", FISHER_DRAWS) == BRISK_OK;
    return iv_finish(t, out, ok, err);
}

/* ------------------------------------------------------------ co-occurrence */

static int by_source_start(const void *a, const void *b, void *ctx)
{
    const brisk_qual_coding *codings = ctx;
    const brisk_qual_coding *x = &codings[*(const size_t *)a], *y = &codings[*(const size_t *)b];
    if (x->source != y->source)
        return (x->source > y->source) - (x->source < y->source);
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end > y->end) - (x->end < y->end);
}

bool iv_has_position(const brisk_qual_coding *c)
{
    return c->end > c->start;
}

/* The counted codings with a position, by source and start. */
size_t *iv_positioned(const brisk_qual_project *p, size_t coder, size_t *n)
{
    size_t *idx = malloc((p->ncodings ? p->ncodings : 1) * sizeof *idx);
    *n = 0;
    if (!idx)
        return NULL;
    for (size_t i = 0; i < p->ncodings; i++)
        if (iv_counted(&p->codings[i], coder) && iv_has_position(&p->codings[i]))
            idx[(*n)++] = i;
    qsort_r(idx, *n, sizeof *idx, by_source_start, (void *)p->codings);
    return idx;
}

typedef struct pair_row {
    size_t a, b, segments, both, either;
} pair_row;

static int by_cooccurrence(const void *x, const void *y)
{
    const pair_row *a = x, *b = y;
    if (a->both != b->both)
        return a->both < b->both ? 1 : -1;
    double ja = (double)a->both / (double)a->either, jb = (double)b->both / (double)b->either;
    if (ja != jb)
        return ja < jb ? 1 : -1;
    if (a->segments != b->segments)
        return a->segments < b->segments ? 1 : -1;
    return a->a != b->a ? (a->a > b->a) - (a->a < b->a) : (a->b > b->b) - (a->b < b->b);
}

#define MAX_PAIR_CODES 2000

static brisk_status cooccurrence(const iv_shape *s, size_t coder, brisk_table_list *out,
                                 brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    brisk_status st = BRISK_OK;
    size_t nc = p->ncodes, np = s->nparts;
    if (nc > MAX_PAIR_CODES)
        return brisk_table_list_warn(out, "the co-occurrence table is left out: %zu codes make "
                                          "more than %d x %d pairs", nc, MAX_PAIR_CODES,
                                     MAX_PAIR_CODES) == BRISK_OK ? BRISK_OK : iv_nomem(err);
    if (nc < 2 || (st = iv_check_size(nc, np, 1, err)) != BRISK_OK)
        return st;
    /* direct[c * np + i]: code c itself applied to participant i */
    unsigned char *direct = calloc(nc * (np ? np : 1), 1);
    size_t *overlap = calloc(nc * nc, sizeof *overlap), npos = 0;
    size_t *pos = iv_positioned(p, coder, &npos);
    pair_row *rows = malloc(nc * (nc - 1) / 2 * sizeof *rows);
    if (!direct || !overlap || !pos || !rows) {
        free(direct), free(overlap), free(pos), free(rows);
        return iv_nomem(err);
    }
    for (size_t i = 0; i < p->ncodings; i++)
        if (iv_counted(&p->codings[i], coder))
            direct[p->codings[i].code * np + s->part_of_coding[i]] = 1;
    /* overlapping selections of two codes in one source (a sweep over
     * the codings by start) */
    for (size_t i = 0; i < npos; i++) {
        const brisk_qual_coding *a = &p->codings[pos[i]];
        for (size_t j = i + 1; j < npos; j++) {
            const brisk_qual_coding *b = &p->codings[pos[j]];
            if (b->source != a->source || b->start >= a->end)
                break;
            /* one coder's selections: two coders marking one passage
             * are not four co-occurrences */
            if (a->code != b->code && a->user == b->user)
                overlap[a->code * nc + b->code]++, overlap[b->code * nc + a->code]++;
        }
    }
    size_t nrows = 0, npairs = 0;
    for (size_t a = 0; a < nc; a++)
        for (size_t b = a + 1; b < nc; b++) {
            if (is_within(p, a, b) || is_within(p, b, a))
                continue; /* a code always co-occurs with its parent */
            npairs++;
            pair_row row = {a, b, overlap[a * nc + b], 0, 0};
            for (size_t i = 0; i < np; i++) {
                row.both += direct[a * np + i] && direct[b * np + i];
                row.either += direct[a * np + i] || direct[b * np + i];
            }
            if (row.both || row.segments)
                rows[nrows++] = row;
        }
    free(direct), free(overlap), free(pos);
    qsort(rows, nrows, sizeof *rows, by_cooccurrence);
    brisk_table *t = iv_table("interviews.cooccurrence", "Co-occurrence of codes",
                               "Co-occurrence");
    static const char *const cols[] = {
        "code_a", "Code", "t", "code_b", "Code", "t", "segments", "Overlapping segments", "i",
        "participants", "Participants with both", "i", "jaccard", "Jaccard", "n"};
    bool ok = t && iv_columns(t, cols, 5);
    for (size_t i = 0; ok && i < nrows; i++) {
        size_t r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[rows[i].a]) == BRISK_OK &&
             brisk_table_set_text(t, r, 1, s->path[rows[i].b]) == BRISK_OK;
        if (ok) {
            brisk_table_set_num(t, r, 2, (double)rows[i].segments);
            brisk_table_set_num(t, r, 3, (double)rows[i].both);
            brisk_table_set_num(t, r, 4, rows[i].either
                                             ? (double)rows[i].both / (double)rows[i].either
                                             : NAN);
        }
    }
    free(rows);
    if (!t)
        return iv_nomem(err);
    ok = ok && brisk_table_add_note(t, "Pairs of codes applied together: overlapping segments "
                                       "counts pairs of overlapping selections by one coder in "
                                       "one source; "
                                       "Jaccard is participants with both / participants with "
                                       "either. Codes as applied (not their children); a code "
                                       "and its parent are not paired. %zu of %zu pairs "
                                       "co-occur.", nrows, npairs) == BRISK_OK;
    return iv_finish(t, out, ok, err);
}

/* ------------------------------------------------------------ quotes */

static int by_participant_start(const void *a, const void *b, void *ctx)
{
    const iv_shape *s = ctx;
    const brisk_qual_coding *x = &s->p->codings[*(const size_t *)a],
                            *y = &s->p->codings[*(const size_t *)b];
    size_t px = s->part_of_coding[*(const size_t *)a], py = s->part_of_coding[*(const size_t *)b];
    if (px != py)
        return (px > py) - (px < py);
    if (x->source != y->source)
        return (x->source > y->source) - (x->source < y->source);
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->user > y->user) - (x->user < y->user);
}

static brisk_status quotes(const iv_shape *s, size_t coder, brisk_table_list *out,
                           brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t *idx = malloc((p->ncodings ? p->ncodings : 1) * sizeof *idx);
    brisk_table *t = iv_table("interviews.quotes", "Quotes", "Quotes");
    static const char *const cols[] = {"code", "Code", "t", "participant", "Participant", "t",
                                       "source", "Source", "t", "coder", "Coder", "t",
                                       "start", "Start", "i", "end", "End", "i",
                                       "text", "Text", "t"};
    bool ok = idx && t && iv_columns(t, cols, 7);
    size_t total = 0;
    for (size_t i = 0; ok && i < p->ncodes; i++) {
        size_t c = s->order[i], n = 0;
        for (size_t k = 0; k < p->ncodings; k++)
            if (p->codings[k].code == c && p->codings[k].text && iv_counted(&p->codings[k], coder))
                idx[n++] = k;
        qsort_r(idx, n, sizeof *idx, by_participant_start, (void *)s);
        for (size_t k = 0; ok && k < n; k++) {
            const brisk_qual_coding *cd = &p->codings[idx[k]];
            size_t r = brisk_table_add_row(t);
            ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK &&
                 brisk_table_set_text(t, r, 1, s->part_name[s->part_of_coding[idx[k]]]) ==
                     BRISK_OK &&
                 brisk_table_set_text(t, r, 2, p->sources[cd->source].name) == BRISK_OK &&
                 brisk_table_set_text(t, r, 3, user_name(p, cd->user)) == BRISK_OK &&
                 brisk_table_set_text(t, r, 6, cd->text) == BRISK_OK;
            if (ok && iv_has_position(cd)) {
                brisk_table_set_num(t, r, 4, (double)cd->start);
                brisk_table_set_num(t, r, 5, (double)cd->end);
            }
            total++;
        }
    }
    free(idx);
    if (!t)
        return iv_nomem(err);
    ok = ok && brisk_table_add_note(t, "Every coded segment with its text, by code (as applied), "
                                       "participant and position; start and end are 0-based "
                                       "character offsets (end exclusive). %zu segments.",
                                    total) == BRISK_OK;
    return iv_finish(t, out, ok, err);
}

/* ------------------------------------------------------------ the analysis */

brisk_status iv_find_coder(const brisk_qual_project *p, const char *name, size_t *coder,
                               brisk_error *err)
{
    *coder = BRISK_QUAL_NONE;
    if (!name)
        return BRISK_OK;
    if ((*coder = brisk_qual_find_user(p, name)) != BRISK_QUAL_NONE)
        return BRISK_OK;
    brisk_buf names = {0};
    for (size_t u = 0; u < p->nusers; u++)
        brisk_buf_printf(&names, "%s'%s'", u ? ", " : "", p->users[u].name);
    brisk_error_set(err, BRISK_ERR_VALUE, "--coder '%s': the project has no such coder "
                                             "(its coders: %s)", name,
                    names.data ? names.data : "none");
    brisk_buf_free(&names);
    return BRISK_ERR_VALUE;
}

brisk_status iv_find_variable(const brisk_qual_project *p, const char *name, size_t *v,
                                  brisk_status status, const char *what, brisk_error *err)
{
    if ((*v = brisk_qual_find_variable(p, name)) != BRISK_QUAL_NONE)
        return BRISK_OK;
    brisk_buf names = {0};
    for (size_t i = 0; i < p->nvariables; i++)
        brisk_buf_printf(&names, "%s'%s'", i ? ", " : "", p->variables[i].name);
    brisk_error_set(err, status, "%s '%s': the project has no such case variable (its "
                                 "variables: %s)", what, name, names.data ? names.data : "none");
    brisk_error_variable(err, name);
    brisk_buf_free(&names);
    return status;
}

brisk_status brisk_interviews(const brisk_qual_project *p, const brisk_interviews_options *opt,
                              brisk_table_list *out, brisk_error *err)
{
    static const brisk_interviews_options defaults = {0};
    if (!opt)
        opt = &defaults;
    size_t coder;
    brisk_status st = iv_find_coder(p, opt->coder, &coder, err);
    for (size_t i = 0; st == BRISK_OK && i < opt->nby; i++) {
        size_t v;
        st = iv_find_variable(p, opt->by[i], &v, BRISK_ERR_COLUMN, "--by", err);
    }
    if (st != BRISK_OK)
        return st;
    iv_shape s;
    iv_counts tc = {0};
    st = iv_shape_build(&s, p, err);
    size_t categories;
    if (st == BRISK_OK && opt->categories)
        st = iv_find_code(&s, opt->categories, &categories, err);
    if (st == BRISK_OK && s.unattributed &&
        brisk_table_list_warn(out, "%zu coding%s in sources that two or more cases share (such "
                                   "as '%s') overlap%s none of the cases' selections: counted "
                                   "for the source's first case", s.unattributed,
                              s.unattributed == 1 ? "" : "s", p->sources[s.shared_example].name,
                              s.unattributed == 1 ? "s" : "") != BRISK_OK)
        st = iv_nomem(err);
    if (st == BRISK_OK)
        st = overview(&s, out, err);
    if (st == BRISK_OK && p->nsources == 0) { /* a codebook */
        st = codebook(&s, out, err);
        iv_shape_free(&s);
        return st;
    }
    if (st == BRISK_OK)
        st = iv_count_themes(&s, coder, &tc, err);
    if (st == BRISK_OK)
        st = themes(&s, coder, &tc, out, err);
    for (size_t i = 0; st == BRISK_OK && i < opt->nby; i++)
        st = themes_by(&s, coder, &tc, brisk_qual_find_variable(p, opt->by[i]), out, err);
    if (st == BRISK_OK)
        st = cooccurrence(&s, coder, out, err);
    if (st == BRISK_OK)
        st = iv_agreement(&s, opt, out, err);
    if (st == BRISK_OK && !opt->no_quotes)
        st = quotes(&s, coder, out, err);
    iv_theme_counts_free(&tc);
    iv_shape_free(&s);
    return st;
}

