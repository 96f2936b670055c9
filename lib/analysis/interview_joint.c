/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk interviews: the joint display of a mixed-methods study, the
 * participants' themes beside the construct scores of their survey
 * answers, matched by the case variable [interviews] names as link. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/util.h"
#include "interviews.h"

/* ------------------------------------------------------------ joint display */

/* A construct of the survey's model: a latent variable and its items. */
typedef struct construct {
    const char *name;
    const char *items[64];
    size_t nitems;
    bool per_behaviour;
} construct;

#define MAX_CONSTRUCTS 64

static size_t survey_constructs(const brisk_survey *s, construct *cons)
{
    const brisk_syntax *syn = s->model_syntax;
    size_t n = 0;
    for (size_t i = 0; syn && i < syn->n; i++) {
        const brisk_statement *st = &syn->stmts[i];
        if (st->op != BRISK_OP_MEASURE)
            continue;
        size_t k = 0;
        while (k < n && strcmp(cons[k].name, st->lhs) != 0)
            k++;
        if (k == n) {
            if (n == MAX_CONSTRUCTS)
                continue;
            cons[n++] = (construct){.name = st->lhs};
        }
        for (size_t j = 0; j < st->nrhs; j++) {
            const char *item = st->rhs[j].name;
            if (brisk_syntax_is_latent(syn, item) || cons[k].nitems == 64)
                continue;
            cons[k].items[cons[k].nitems++] = item;
            cons[k].per_behaviour = cons[k].per_behaviour || brisk_template_is_per_behaviour(item);
        }
    }
    return n;
}

/* score[r]: respondent r's mean of the construct's answered items in block
 * b (NaN: none answered). */
static brisk_status construct_scores(const brisk_survey_data *d, const construct *con, size_t b,
                                     double *score, brisk_error *err)
{
    const brisk_survey *s = d->survey;
    const brisk_column *cols[64];
    for (size_t i = 0; i < con->nitems; i++) {
        char *name = brisk_survey_column_name(s, con->items[i], b);
        if (!name)
            return iv_nomem(err);
        cols[i] = brisk_dataset_find(d->ds, name);
        free(name);
    }
    for (size_t r = 0; r < d->nrespondents; r++) {
        size_t row = d->respondent_row[b][r];
        double sum = 0;
        size_t n = 0;
        for (size_t i = 0; row != (size_t)-1 && i < con->nitems; i++)
            if (cols[i] && cols[i]->type == BRISK_NUMERIC && !brisk_is_missing(cols[i], row)) {
                sum += cols[i]->num[row];
                n++;
            }
        score[r] = n ? sum / (double)n : NAN;
    }
    return BRISK_OK;
}

static void normalise_id(const char *text, char *buf, size_t size)
{
    double x;
    if (brisk_parse_number(text, strlen(text), &x))
        brisk_format_double(x, buf);
    else
        snprintf(buf, size, "%s", text);
}

typedef struct link_keys {
    char (*key)[128];
} link_keys;

static const char *link_key(size_t part, const void *ctx)
{
    const link_keys *k = ctx;
    return k->key[part][0] ? k->key[part] : NULL;
}

/* respondent_of[i]: the survey respondent participant i is, or NONE. */
static brisk_status match_participants(const iv_shape *s, size_t v, const brisk_survey_data *d,
                                       size_t *respondent_of, size_t *matched,
                                       size_t *unmatched, brisk_error *err)
{
    const brisk_qual_project *p = s->p;
    const brisk_column *id = brisk_dataset_find(d->ds, d->survey->id);
    link_keys keys = {calloc(s->nparts ? s->nparts : 1, sizeof *keys.key)};
    brisk_lookup lookup = {0};
    if (!keys.key)
        return iv_nomem(err);
    bool ok = true;
    for (size_t i = 0; ok && i < s->nparts; i++) {
        size_t c = s->case_of_part[i];
        const char *value = c == BRISK_QUAL_NONE ? NULL : p->cases[c].values[v];
        respondent_of[i] = BRISK_QUAL_NONE;
        if (!value || !*value)
            continue;
        normalise_id(value, keys.key[i], sizeof keys.key[i]);
        /* two participants cannot be one respondent */
        size_t twin = brisk_lookup_find_name(&lookup, keys.key[i], link_key, &keys);
        if (twin != BRISK_LOOKUP_NONE) {
            brisk_lookup_free(&lookup);
            free(keys.key);
            brisk_error_set(err, BRISK_ERR_VALUE, "participants '%s' and '%s' have the same %s, "
                                                  "'%s': each participant links to one "
                                                  "respondent", s->part_name[twin],
                            s->part_name[i], p->variables[v].name, value);
            brisk_error_variable(err, p->variables[v].name);
            return BRISK_ERR_VALUE;
        }
        ok = brisk_lookup_add_name(&lookup, keys.key[i], i);
    }
    *matched = *unmatched = 0;
    for (size_t r = 0; ok && id && r < d->nrespondents; r++) {
        char text[128], buf[128];
        brisk_cell_text(id, d->respondent_rows[r], 120, text, sizeof text);
        normalise_id(text, buf, sizeof buf);
        size_t part = brisk_lookup_find_name(&lookup, buf, link_key, &keys);
        if (part != BRISK_LOOKUP_NONE && respondent_of[part] == BRISK_QUAL_NONE) {
            respondent_of[part] = r;
            (*matched)++;
        }
    }
    for (size_t i = 0; i < s->nparts; i++)
        *unmatched += keys.key[i][0] && respondent_of[i] == BRISK_QUAL_NONE;
    brisk_lookup_free(&lookup);
    free(keys.key);
    return ok ? BRISK_OK : iv_nomem(err);
}

typedef struct group_stats {
    double n, mean, sd;
} group_stats;

static group_stats group_of(const double *x, size_t n)
{
    group_stats g = {0, NAN, NAN};
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    g.n = (double)n;
    if (n) {
        g.mean = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (x[i] - g.mean) * (x[i] - g.mean);
        g.sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
    }
    return g;
}

/* With --coder, only the participants that coder coded: the others'
 * silence says nothing. */
static bool joint_rows(brisk_table *t, const iv_shape *s, const iv_counts *tc, size_t coder,
                       const size_t *respondent_of, const double *score, const char *name,
                       const char *behaviour, double *a, double *b)
{
    bool ok = true;
    for (size_t i = 0; ok && i < s->p->ncodes; i++) {
        size_t c = s->order[i], na = 0, nb = 0;
        for (size_t part = 0; part < s->nparts; part++) {
            if (respondent_of[part] == BRISK_QUAL_NONE || isnan(score[respondent_of[part]]) ||
                (coder != BRISK_QUAL_NONE && !tc->coded[part]))
                continue;
            double x = score[respondent_of[part]];
            if (tc->raised[c * s->nparts + part])
                a[na++] = x;
            else
                b[nb++] = x;
        }
        group_stats yes = group_of(a, na), no = group_of(b, nb);
        size_t r = brisk_table_add_row(t);
        ok = r != (size_t)-1 && brisk_table_set_text(t, r, 0, s->path[c]) == BRISK_OK &&
             brisk_table_set_text(t, r, 1, name) == BRISK_OK &&
             brisk_table_set_text(t, r, 2, behaviour) == BRISK_OK;
        const double v[] = {yes.n, yes.mean, yes.sd, no.n, no.mean, no.sd, yes.mean - no.mean};
        for (size_t k = 0; ok && k < 7; k++)
            brisk_table_set_num(t, r, 3 + k, v[k]);
    }
    return ok;
}

static brisk_table *joint_table(void)
{
    brisk_table *t = iv_table("interviews.joint", "Joint display: themes and survey scores",
                               "Joint display");
    static const char *const cols[] = {
        "code", "Code", "t", "construct", "Construct", "t", "behaviour", "Behaviour", "t",
        "raised_n", "n", "i", "raised_mean", "M", "2", "raised_sd", "SD", "2",
        "other_n", "n", "i", "other_mean", "M", "2", "other_sd", "SD", "2",
        "difference", "Difference", "2"};
    if (!t || !iv_columns(t, cols, 10) ||
        brisk_table_set_group(t, 3, "Raised the code") != BRISK_OK ||
        brisk_table_set_group(t, 4, "Raised the code") != BRISK_OK ||
        brisk_table_set_group(t, 5, "Raised the code") != BRISK_OK ||
        brisk_table_set_group(t, 6, "Did not") != BRISK_OK ||
        brisk_table_set_group(t, 7, "Did not") != BRISK_OK ||
        brisk_table_set_group(t, 8, "Did not") != BRISK_OK) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

brisk_status brisk_interviews_joint(const brisk_qual_project *p, const char *link,
                                    const brisk_survey_data *data,
                                    const brisk_interviews_options *opt,
                                    brisk_table_list *out, brisk_error *err)
{
    static const brisk_interviews_options defaults = {0};
    if (!opt)
        opt = &defaults;
    const brisk_survey *sv = data->survey;
    if (!sv->id)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "the joint display matches participants "
                                                        "to respondents by the survey's id: "
                                                        "[survey] names none");
    size_t v, coder;
    brisk_status st = iv_find_variable(p, link, &v, BRISK_ERR_COLUMN, "link", err);
    if (st == BRISK_OK)
        st = iv_find_coder(p, opt->coder, &coder, err);
    if (st != BRISK_OK)
        return st;
    construct cons[MAX_CONSTRUCTS];
    size_t ncons = survey_constructs(sv, cons);
    iv_shape s;
    iv_counts tc = {0};
    size_t np = 0, *respondent_of = NULL, matched = 0, unmatched = 0;
    double *score = NULL, *a = NULL, *b = NULL;
    brisk_table *t = NULL;
    st = iv_shape_build(&s, p, err);
    if (st == BRISK_OK)
        st = iv_count_themes(&s, coder, &tc, err);
    if (st == BRISK_OK) {
        np = s.nparts ? s.nparts : 1;
        respondent_of = malloc(np * sizeof *respondent_of);
        score = malloc((data->nrespondents ? data->nrespondents : 1) * sizeof *score);
        a = malloc(np * sizeof *a), b = malloc(np * sizeof *b);
        t = joint_table();
        if (!respondent_of || !score || !a || !b || !t)
            st = iv_nomem(err);
    }
    if (st == BRISK_OK)
        st = match_participants(&s, v, data, respondent_of, &matched, &unmatched, err);
    if (st == BRISK_OK && matched == 0)
        st = brisk_error_set(err, BRISK_ERR_DATA, "no participant's '%s' is the id of a survey "
                                                  "respondent ('%s' in %s): check link = in "
                                                  "[interviews]", link, sv->id, sv->data);
    size_t nblocks = brisk_survey_nblocks(sv);
    bool ok = true;
    for (size_t b0 = 0; st == BRISK_OK && ok && b0 < nblocks; b0++)
        for (size_t k = 0; st == BRISK_OK && ok && k < ncons; k++) {
            if (!cons[k].per_behaviour && b0 > 0)
                continue;
            st = construct_scores(data, &cons[k], b0, score, err);
            const char *label = cons[k].per_behaviour && sv->nbehaviours ? sv->behaviours[b0].value
                                                                         : "";
            if (st == BRISK_OK)
                ok = joint_rows(t, &s, &tc, coder, respondent_of, score, cons[k].name, label, a, b);
        }
    if (st == BRISK_OK && !ok)
        st = iv_nomem(err);
    if (st == BRISK_OK &&
        (brisk_table_add_note(t, "%zu participants matched to survey respondents by '%s' = "
                                 "'%s'; a construct's score is the mean of its answered items "
                                 "(reverse-keyed items reversed). Descriptive: no test.",
                              matched, link, sv->id) != BRISK_OK ||
         (unmatched && brisk_table_list_warn(out, "the %s of %zu participant%s matches no "
                                                  "survey respondent: left out of the joint "
                                                  "display", link, unmatched,
                                             unmatched == 1 ? "" : "s") !=
                           BRISK_OK)))
        st = iv_nomem(err);
    if (st == BRISK_OK && ncons == 0)
        st = brisk_table_add_note(t, "The survey's model names no construct (=~): nothing to "
                                     "show beside the themes.") == BRISK_OK ? BRISK_OK
                                                                           : iv_nomem(err);
    if (st == BRISK_OK) {
        st = brisk_table_list_add(out, t) == BRISK_OK ? BRISK_OK : iv_nomem(err);
        t = NULL;
    }
    brisk_table_free(t);
    free(respondent_of), free(score), free(a), free(b);
    iv_theme_counts_free(&tc);
    iv_shape_free(&s);
    return st;
}
