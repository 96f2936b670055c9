/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk interviews: agreement between coders on the same material, per
 * code (applied or not) and on one variable whose categories are the
 * children of a code, at the unit the user chooses (participant, source
 * or segment).  The coefficients are stats/agreement.c's. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "interviews.h"
#include "stats/agreement.h"

#define DEFAULT_DRAWS 1000

/* ------------------------------------------------------------ agreement */

/* The units of agreement: each counted coding's unit, and which coders
 * coded each unit at all (a coder who coded nothing in a unit's sources
 * did not code it: missing, not "absent"). */
typedef struct units {
    size_t n;
    size_t *of_coding;           /* per coding: its unit, or NONE (not a unit) */
    unsigned char *coded;        /* n x ncoders */
    size_t ncoders;
    size_t *coder_of_user;       /* per user: its column, or NONE */
    size_t *user_of_coder;
    size_t unplaced;             /* codings in no unit (no position, no user) */
} units;

static void units_free(units *u)
{
    free(u->of_coding);
    free(u->coded);
    free(u->coder_of_user);
    free(u->user_of_coder);
}

/* Segments: in each source, selections (of any coder and code) that
 * overlap, directly or through another, form one unit. */
static brisk_status segment_units(const brisk_qual_project *p, units *u, brisk_error *err)
{
    size_t npos = 0, *pos = iv_positioned(p, BRISK_QUAL_NONE, &npos);
    if (!pos)
        return iv_nomem(err);
    size_t end = 0, source = BRISK_QUAL_NONE;
    for (size_t i = 0; i < npos; i++) {
        const brisk_qual_coding *c = &p->codings[pos[i]];
        if (c->source != source || c->start >= end) {
            u->n++;
            source = c->source;
            end = c->end;
        } else if (c->end > end) {
            end = c->end;
        }
        u->of_coding[pos[i]] = u->n - 1;
    }
    free(pos);
    return BRISK_OK;
}

static brisk_status build_units(const iv_shape *s, brisk_interview_unit kind, units *u,
                                brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    memset(u, 0, sizeof *u);
    size_t nusers = p->nusers ? p->nusers : 1;
    u->of_coding = malloc((p->ncodings ? p->ncodings : 1) * sizeof *u->of_coding);
    u->coder_of_user = malloc(nusers * sizeof *u->coder_of_user);
    u->user_of_coder = malloc(nusers * sizeof *u->user_of_coder);
    if (!u->of_coding || !u->coder_of_user || !u->user_of_coder)
        return iv_nomem(err);
    /* the coders: users who coded a source, in the project's order */
    bool *coder = calloc(nusers, sizeof *coder);
    if (!coder)
        return iv_nomem(err);
    for (size_t a = 0; a < p->nassignments; a++)
        coder[p->assignments[a].user] = true;
    for (size_t k = 0; k < p->nusers; k++) {
        u->coder_of_user[k] = coder[k] ? u->ncoders : BRISK_QUAL_NONE;
        if (coder[k])
            u->user_of_coder[u->ncoders++] = k;
    }
    free(coder);
    for (size_t i = 0; i < p->ncodings; i++)
        u->of_coding[i] = BRISK_QUAL_NONE;
    brisk_status st = BRISK_OK;
    if (kind == BRISK_UNIT_SEGMENT)
        st = segment_units(p, u, err);
    else {
        u->n = kind == BRISK_UNIT_PARTICIPANT ? s->nparts : p->nsources;
        for (size_t i = 0; i < p->ncodings; i++)
            u->of_coding[i] = kind == BRISK_UNIT_PARTICIPANT
                                  ? s->part_of_coding[i]
                                  : p->codings[i].source;
    }
    if (st != BRISK_OK)
        return st;
    u->coded = calloc((u->n ? u->n : 1) * (u->ncoders ? u->ncoders : 1), 1);
    if (!u->coded)
        return iv_nomem(err);
    /* Who coded what comes from the project's assignments (a segments
     * CSV's rows with present = 0 among them): a participant or source
     * when the coder coded it, a segment when the coder coded its source. */
    size_t K = u->ncoders;
    unsigned char *in_source = calloc((p->nsources ? p->nsources : 1) * (K ? K : 1), 1);
    if (!in_source)
        return iv_nomem(err);
    for (size_t a = 0; a < p->nassignments; a++) {
        size_t src = p->assignments[a].source, k = u->coder_of_user[p->assignments[a].user];
        in_source[src * K + k] = 1;
        if (kind == BRISK_UNIT_SOURCE)
            u->coded[src * K + k] = 1;
        for (size_t j = s->parts_start[src];
             kind == BRISK_UNIT_PARTICIPANT && j < s->parts_start[src + 1]; j++)
            u->coded[s->parts[j] * K + k] = 1;
    }
    for (size_t i = 0; i < p->ncodings; i++) {
        const brisk_qual_coding *c = &p->codings[i];
        size_t unit = u->of_coding[i];
        if (c->user == BRISK_QUAL_NONE || unit == BRISK_QUAL_NONE) {
            u->unplaced++;
            continue;
        }
        for (size_t k = 0; kind == BRISK_UNIT_SEGMENT && k < K; k++)
            if (in_source[c->source * K + k])
                u->coded[unit * K + k] = 1;
    }
    free(in_source);
    return BRISK_OK;
}

/* applied[(c * nunits + u) * ncoders + k]: coder k applied code c (or one
 * under it) in unit u. */
static unsigned char *applied_codes(const brisk_qual_project *p, const units *u)
{
    size_t cells = p->ncodes * u->n * u->ncoders;
    unsigned char *applied = calloc(cells ? cells : 1, 1);
    for (size_t i = 0; applied && i < p->ncodings; i++) {
        const brisk_qual_coding *cd = &p->codings[i];
        if (cd->user == BRISK_QUAL_NONE || u->of_coding[i] == BRISK_QUAL_NONE)
            continue;
        size_t k = u->coder_of_user[cd->user];
        for (size_t c = cd->code, steps = 0; c != BRISK_QUAL_NONE && steps <= p->ncodes;
             c = p->codes[c].parent, steps++)
            applied[(c * u->n + u->of_coding[i]) * u->ncoders + k] = 1;
    }
    return applied;
}

static const char *unit_words(brisk_interview_unit unit)
{
    switch (unit) {
    case BRISK_UNIT_SOURCE:
        return "sources (transcripts): whether a coder applied the code anywhere in the "
               "source; a coder with no coding in a source did not code it";
    case BRISK_UNIT_SEGMENT:
        return "segments: selections of any coder that overlap in one source form one unit; "
               "a coder with no coding in the unit's source did not code it";
    default:
        return "participants: whether a coder applied the code anywhere in the participant's "
               "sources; a coder with no coding for a participant did not code the participant";
    }
}

static bool coder_list_note(brisk_table *t, const brisk_qual_project *p, const units *u)
{
    brisk_buf names = {0};
    bool ok = true;
    for (size_t k = 0; ok && k < u->ncoders; k++)
        ok = brisk_buf_printf(&names, "%s%s", k ? ", " : "", p->users[u->user_of_coder[k]].name);
    ok = ok && brisk_table_add_note(t, "Coders: %s.", names.data ? names.data : "") == BRISK_OK;
    brisk_buf_free(&names);
    return ok;
}

typedef struct agreement_stats {
    size_t units, positive;
    double percent, cohen, cohen_se, fleiss, alpha, alpha_lo, alpha_hi;
} agreement_stats;

/* The coefficients of reliability data x; alpha (with its bootstrap) only
 * when with_alpha. */
static agreement_stats agreement_of(const double *x, size_t nunits, size_t ncoders,
                                    agreement_metric metric, kappa_weights weights,
                                    bool with_alpha, const brisk_interviews_options *opt,
                                    double *a, double *b)
{
    agreement_stats r = {.cohen = NAN, .cohen_se = NAN, .alpha_lo = NAN, .alpha_hi = NAN};
    size_t used = 0;
    r.percent = 100 * brisk_agreement_percent(x, nunits, ncoders, &used);
    if (ncoders == 2) {
        for (size_t i = 0; i < nunits; i++)
            a[i] = x[2 * i], b[i] = x[2 * i + 1];
        cohen_result c = brisk_agreement_cohen(a, b, nunits, weights);
        r.cohen = c.kappa;
        r.cohen_se = c.se;
    }
    r.fleiss = brisk_agreement_fleiss(x, nunits, ncoders).kappa;
    r.alpha = NAN;
    if (with_alpha)
        r.alpha = brisk_agreement_krippendorff_interval(
            x, nunits, ncoders, metric, opt->bootstrap ? opt->bootstrap : DEFAULT_DRAWS,
            opt->seed, 0.95, &r.alpha_lo, &r.alpha_hi);
    for (size_t i = 0; i < nunits; i++) {
        size_t coded = 0;
        for (size_t k = 0; k < ncoders; k++)
            coded += !isnan(x[i * ncoders + k]);
        r.units += coded >= 2;
    }
    return r;
}

static bool set_agreement_row(brisk_table *t, size_t r, size_t first, const agreement_stats *a)
{
    const double v[] = {(double)a->units, a->percent, a->cohen, a->cohen_se, a->fleiss,
                        a->alpha, a->alpha_lo, a->alpha_hi};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        brisk_table_set_num(t, r, first + i, v[i]);
    return true;
}

static const char *const agreement_cols[] = {
    "units", "Units", "i", "percent", "% agreement", "%", "cohen_kappa", "Cohen's κ", "n",
    "cohen_se", "SE", "n", "fleiss_kappa", "Fleiss' κ", "n", "alpha", "Krippendorff's α", "n",
    "alpha_lower", "α 95% CI lower", "n", "alpha_upper", "α 95% CI upper", "n"};

static bool agreement_notes(brisk_table *t, const brisk_qual_project *p, const units *u,
                            const brisk_interviews_options *opt, const char *metric)
{
    size_t draws = opt->bootstrap ? opt->bootstrap : DEFAULT_DRAWS;
    bool ok = brisk_table_add_note(t, "Unit: %s.", unit_words(opt->unit)) == BRISK_OK &&
              (opt->unit != BRISK_UNIT_SEGMENT ||
               brisk_table_add_note(t, "%zu segment units in %zu sources (overlaps chain: a "
                                       "densely coded source may be one unit).", u->n,
                                    p->nsources) == BRISK_OK) &&
              coder_list_note(t, p, u) &&
              brisk_table_add_note(t, "Units: coded by at least two coders. %% agreement "
                                      "and Fleiss' κ on the units every coder coded; Cohen's κ "
                                      "(with its asymptotic SE) with exactly two coders; "
                                      "Krippendorff's α (%s) on every pairable value, its "
                                      "95%% CI from %zu bootstrap draws of the units (seed "
                                      "%llu).", metric, draws, opt->seed) ==
                  BRISK_OK;
    if (ok && u->unplaced)
        ok = brisk_table_add_note(t, "%zu coding%s without a coder%s left out.", u->unplaced,
                                  u->unplaced == 1 ? "" : "s",
                                  opt->unit == BRISK_UNIT_SEGMENT ? " or a position" : "") ==
             BRISK_OK;
    return ok;
}

static brisk_status agreement_by_code(const iv_shape *s, const units *u,
                                      const brisk_interviews_options *opt,
                                      brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    brisk_status big = iv_check_size(p->ncodes, u->n, u->ncoders, err);
    if (big != BRISK_OK)
        return big;
    unsigned char *applied = applied_codes(p, u);
    size_t nu = u->n ? u->n : 1;
    double *x = malloc(nu * u->ncoders * sizeof *x), *a = malloc(nu * sizeof *a),
           *b = malloc(nu * sizeof *b);
    brisk_table *t = iv_table("interviews.agreement", "Agreement between coders, per code",
                               "Coder agreement");
    bool ok = applied && x && a && b && t &&
              brisk_table_add_column(t, "code", "Code", BRISK_CELL_TEXT, 0) != (size_t)-1 &&
              brisk_table_add_column(t, "applied", "Applied", BRISK_CELL_INT, 0) != (size_t)-1 &&
              iv_columns(t, agreement_cols, 8);
    for (size_t i = 0; ok && i < p->ncodes; i++) {
        size_t c = s->order[i], positive = 0;
        for (size_t unit = 0; unit < u->n; unit++) {
            bool any = false;
            for (size_t k = 0; k < u->ncoders; k++) {
                size_t cell = unit * u->ncoders + k;
                bool yes = applied[(c * u->n + unit) * u->ncoders + k];
                x[cell] = u->coded[cell] ? (yes ? 1 : 0) : NAN;
                any = any || yes;
            }
            positive += any;
        }
        agreement_stats st = agreement_of(x, u->n, u->ncoders, AGREEMENT_NOMINAL,
                                          KAPPA_UNWEIGHTED, true, opt, a, b);
        size_t r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK;
        if (ok) {
            brisk_table_set_num(t, r, 1, (double)positive);
            set_agreement_row(t, r, 2, &st);
        }
    }
    free(applied), free(x), free(a), free(b);
    if (!t)
        return iv_nomem(err);
    ok = ok && brisk_table_add_note(t, "Per code, whether each coder applied it (or a code "
                                       "under it): 1 or 0. Applied: units where any coder "
                                       "did.") == BRISK_OK &&
         agreement_notes(t, p, u, opt, "nominal");
    return iv_finish(t, out, ok, err);
}

static const char *level_name(brisk_interview_level level)
{
    static const char *const names[] = {"nominal", "ordinal", "interval", "ratio"};
    return names[level];
}

brisk_status iv_find_code(const iv_shape *s, const char *name, size_t *code, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t named = 0;
    *code = BRISK_QUAL_NONE;
    for (size_t c = 0; c < p->ncodes; c++) {
        if (strcmp(s->path[c], name) == 0) {
            *code = c;
            return BRISK_OK;
        }
        if (strcmp(p->codes[c].name, name) == 0 && named++ == 0)
            *code = c;
    }
    if (named == 1)
        return BRISK_OK;
    *code = BRISK_QUAL_NONE;
    if (named == 0)
        return brisk_error_set(err, BRISK_ERR_VALUE,
                               "--categories '%s': the project has no such code", name);
    return brisk_error_set(err, BRISK_ERR_VALUE,
                           "--categories '%s': %zu codes have this name; give its path as the "
                           "themes table shows it ('Parent / %s')", name, named, name);
}

/* Agreement on one variable whose categories are the children of a code:
 * each coder's category in a unit, matched by the category's code (its
 * label), ranked in the codebook's order. */
static brisk_status agreement_categories(const iv_shape *s, const units *u,
                                         const brisk_interviews_options *opt,
                                         brisk_table_list *out, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    size_t parent;
    brisk_status found = iv_find_code(s, opt->categories, &parent, err);
    if (found != BRISK_OK)
        return found;
    /* each category's value: its number when every child is named by a
     * number, else its rank among the children in the codebook's order */
    size_t ncat = 0;
    bool numeric = true;
    double *value_of = malloc((p->ncodes ? p->ncodes : 1) * sizeof *value_of);
    if (!value_of)
        return iv_nomem(err);
    for (size_t i = 0; i < p->ncodes; i++) {
        size_t c = s->order[i];
        value_of[c] = NAN;
        if (p->codes[c].parent != parent)
            continue;
        double v;
        numeric = numeric && brisk_parse_number(p->codes[c].name, strlen(p->codes[c].name), &v);
        value_of[c] = (double)++ncat;
    }
    if (ncat < 2) {
        free(value_of);
        return brisk_error_set(err, BRISK_ERR_VALUE,
                               "--categories '%s': the code needs two or more codes under it, "
                               "one per category", opt->categories);
    }
    for (size_t c = 0; numeric && c < p->ncodes; c++)
        if (p->codes[c].parent == parent)
            brisk_parse_number(p->codes[c].name, strlen(p->codes[c].name), &value_of[c]);
    size_t nu = u->n ? u->n : 1, conflicts = 0;
    double *x = malloc(nu * u->ncoders * sizeof *x), *a = malloc(nu * sizeof *a),
           *b = malloc(nu * sizeof *b);
    if (!x || !a || !b) {
        free(value_of), free(x), free(a), free(b);
        return iv_nomem(err);
    }
    for (size_t i = 0; i < nu * u->ncoders; i++)
        x[i] = NAN;
    unsigned char *conflict = calloc(nu * u->ncoders, 1);
    for (size_t i = 0; conflict && i < p->ncodings; i++) {
        const brisk_qual_coding *cd = &p->codings[i];
        if (cd->user == BRISK_QUAL_NONE || u->of_coding[i] == BRISK_QUAL_NONE)
            continue;
        size_t c = cd->code, steps = 0;
        while (c != BRISK_QUAL_NONE && p->codes[c].parent != parent && steps++ <= p->ncodes)
            c = p->codes[c].parent;
        if (c == BRISK_QUAL_NONE || p->codes[c].parent != parent)
            continue;
        size_t cell = u->of_coding[i] * u->ncoders + u->coder_of_user[cd->user];
        if (!isnan(x[cell]) && x[cell] != value_of[c])
            conflict[cell] = 1;
        x[cell] = value_of[c];
    }
    for (size_t i = 0; conflict && i < nu * u->ncoders; i++)
        if (conflict[i]) {
            x[i] = NAN;
            conflicts++;
        }
    brisk_table *t = iv_table("interviews.agreement_categories", "Agreement between coders",
                               "Coder agreement");
    static const char *const cols[] = {"statistic", "Statistic", "t", "value", "Value", "n",
                                       "se", "SE", "n", "ci_lower", "95% CI lower", "n",
                                       "ci_upper", "95% CI upper", "n", "units", "Units", "i"};
    bool ok = conflict && t && iv_columns(t, cols, 6);
    static const agreement_metric metrics[] = {AGREEMENT_NOMINAL, AGREEMENT_ORDINAL,
                                               AGREEMENT_INTERVAL, AGREEMENT_RATIO};
    static const kappa_weights weights[] = {KAPPA_UNWEIGHTED, KAPPA_LINEAR, KAPPA_SQUARED};
    static const char *const kappa_names[] = {"Cohen's κ", "Cohen's κ (linear weights)",
                                              "Cohen's κ (squared weights)"};
    /* weighted kappas weigh the categories' distances: not for nominal ones */
    size_t nweights = opt->level == BRISK_LEVEL_NOMINAL ? 1 : 3;
    agreement_stats st = agreement_of(x, u->n, u->ncoders, metrics[opt->level],
                                      KAPPA_UNWEIGHTED, true, opt, a, b);
    for (size_t w = 0; ok && u->ncoders == 2 && w < nweights; w++) {
        agreement_stats k = w == 0 ? st : agreement_of(x, u->n, u->ncoders, metrics[opt->level],
                                                       weights[w], false, opt, a, b);
        size_t r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, kappa_names[w]) == BRISK_OK;
        if (ok) {
            brisk_table_set_num(t, r, 1, k.cohen);
            brisk_table_set_num(t, r, 2, k.cohen_se);
            brisk_table_set_num(t, r, 5, (double)k.units);
        }
    }
    char alpha_name[64];
    snprintf(alpha_name, sizeof alpha_name, "Krippendorff's α (%s)", level_name(opt->level));
    const char *names[] = {"% agreement", "Fleiss' κ", alpha_name};
    const double values[] = {st.percent, st.fleiss, st.alpha};
    for (size_t i = 0; ok && i < 3; i++) {
        size_t r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, names[i]) == BRISK_OK;
        if (ok) {
            brisk_table_set_num(t, r, 1, values[i]);
            brisk_table_set_num(t, r, 5, (double)st.units);
            if (i == 2) {
                brisk_table_set_num(t, r, 3, st.alpha_lo);
                brisk_table_set_num(t, r, 4, st.alpha_hi);
            }
        }
    }
    free(value_of), free(x), free(a), free(b), free(conflict);
    if (!t)
        return iv_nomem(err);
    ok = ok && brisk_table_add_note(t, "The categories of %s: the %zu codes under it, %s; each "
                                       "coder's category in a unit matched by its code.",
                                    opt->categories, ncat,
                                    numeric ? "valued by their names (numbers)"
                                            : "ranked in the codebook's order") == BRISK_OK &&
         agreement_notes(t, p, u, opt, level_name(opt->level));
    if (ok && conflicts)
        ok = brisk_table_add_note(t, "%zu coder-unit%s with two different categories: left "
                                     "out (missing).", conflicts, conflicts == 1 ? "" : "s") ==
             BRISK_OK;
    return iv_finish(t, out, ok, err);
}

brisk_status iv_agreement(const iv_shape *s, const brisk_interviews_options *opt,
                              brisk_table_list *out, brisk_error *err)
{
    units u;
    brisk_status st = build_units(s, opt->unit, &u, err);
    if (st == BRISK_OK && u.ncoders < 2) { /* the overview says so */
        units_free(&u);
        return BRISK_OK;
    }
    if (st == BRISK_OK)
        st = agreement_by_code(s, &u, opt, out, err);
    if (st == BRISK_OK && opt->categories)
        st = agreement_categories(s, &u, opt, out, err);
    units_free(&u);
    return st;
}

