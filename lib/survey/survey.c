/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .survey file: an INI-style definition of an instrument. */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "brisk/expr.h"
#include "core/util.h"
#include "survey_internal.h"

#define MAX_SURVEY_BYTES (16u << 20)
#define MAX_BEHAVIOURS 200
#define MAX_BEHAVIOURS_TEXT "200"

typedef enum {
    SEC_NONE, SEC_SURVEY, SEC_BEHAVIOURS, SEC_ITEMS, SEC_REVERSE, SEC_MODEL,
    SEC_DEMOGRAPHICS, SEC_MARGINS, SEC_INTERVIEWS, SEC_SCORES, SEC_RECODE
} section;

static const char *const section_names[] = {
    "", "survey", "behaviours", "items", "reverse", "model", "demographics", "margins",
    "interviews", "scores", "recode"
};

#define MAX_MARGINS 32
#define MAX_MARGIN_CODES 1000
#define RAKED_WEIGHT "raked_weight"

typedef struct survey_parser {
    brisk_survey *s;
    section sec;
    long line;
    brisk_buf model;
    brisk_error *err;
} survey_parser;

brisk_status brisk_survey_error(brisk_error *err, const brisk_survey *s, long line,
                                long column, brisk_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->status = status;
    brisk_error_at(err, s->path, line, column);
    return status;
}

static void entries_free(brisk_survey_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        free(e[i].value);
    }
    free(e);
}

void brisk_survey_free(brisk_survey *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->title);
    free(s->data);
    free(s->data_path);
    free(s->matrix);
    free(s->matrix_path);
    free(s->id);
    free(s->weight);
    for (size_t i = 0; i < s->nmargins; i++) {
        for (size_t k = 0; k < s->margins[i].ncodes; k++)
            free(s->margins[i].codes[k]);
        free(s->margins[i].codes);
        free(s->margins[i].shares);
        free(s->margins[i].variable);
    }
    free(s->margins);
    free(s->interviews);
    free(s->interviews_path);
    free(s->interviews_link);
    free(s->strata);
    free(s->cluster);
    free(s->fpc);
    free(s->behaviour_column);
    free(s->encoding);
    free(s->sheet);
    free(s->missing);
    free(s->filter);
    free(s->where);
    entries_free(s->scores, s->nscores);
    entries_free(s->recodes, s->nrecodes);
    entries_free(s->behaviours, s->nbehaviours);
    entries_free(s->items, s->nitems);
    entries_free(s->reverse, s->nreverse);
    entries_free(s->ordered_items, s->nordered);
    entries_free(s->demographics, s->ndemographics);
    free(s->model);
    brisk_syntax_free(s->model_syntax);
    free(s);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* An inline comment starts at ';' or '#' after white space. */
static void strip_comment(char *line)
{
    if (line[0] == '\0')
        return;
    if (line[0] == ';' || line[0] == '#') {
        line[0] = '\0';
        return;
    }
    for (char *p = line + 1; *p; p++) {
        if ((*p == ';' || *p == '#') && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

static brisk_status nomem(survey_parser *p)
{
    return brisk_error_set(p->err, BRISK_ERR_NOMEM, "out of memory");
}

static brisk_status add_entry(survey_parser *p, brisk_survey_entry **list, size_t *n,
                              const char *key, const char *value)
{
    size_t cap = *n;
    if (!brisk_grow((void **)list, &cap, *n + 1, sizeof **list))
        return nomem(p);
    brisk_survey_entry *e = &(*list)[*n];
    e->key = brisk_strdup(key);
    e->value = brisk_strdup(value);
    e->line = p->line;
    if (!e->key || (value && !e->value)) {
        free(e->key);
        free(e->value);
        return nomem(p);
    }
    (*n)++;
    return BRISK_OK;
}

static const brisk_survey_entry *find_entry(const brisk_survey_entry *list, size_t n,
                                            const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].key, key) == 0)
            return &list[i];
    return NULL;
}

static brisk_status fail(survey_parser *p, const char *fmt, const char *a, const char *b)
{
    return brisk_survey_error(p->err, p->s, p->line, 0, BRISK_ERR_FORMAT, fmt, a, b);
}

/* "1..5" or "1 .. 5" */
static brisk_status parse_range(survey_parser *p, const char *key, const char *v,
                                double *lo, double *hi)
{
    const char *dots = strstr(v, "..");
    if (!dots || !brisk_parse_number(v, (size_t)(dots - v), lo) ||
        !brisk_parse_number(dots + 2, strlen(dots + 2), hi) || !(*lo < *hi))
        return fail(p, "'%s = %s': expected a range such as 1..5 (low..high)", key, v);
    return BRISK_OK;
}

static brisk_status parse_codes(survey_parser *p, const char *v)
{
    char *copy = brisk_strdup(v);
    if (!copy)
        return nomem(p);
    brisk_status st = BRISK_OK;
    size_t cap = p->s->nmissing;
    for (char *save = NULL, *tok = strtok_r(copy, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save)) {
        double x;
        if (!brisk_parse_number(tok, strlen(tok), &x)) {
            st = fail(p, "missing code '%s' is not a number%s", tok, "");
            break;
        }
        if (!brisk_grow((void **)&p->s->missing, &cap, p->s->nmissing + 1, sizeof(double))) {
            st = nomem(p);
            break;
        }
        p->s->missing[p->s->nmissing++] = x;
    }
    free(copy);
    return st;
}

static brisk_status set_string(survey_parser *p, const char *key, char **field, long *line,
                               const char *v)
{
    if (*field) {
        char first[48] = "";
        if (*line)
            snprintf(first, sizeof first, " (first on line %ld)", *line);
        return fail(p, p->sec == SEC_INTERVIEWS ? "'%s' is given twice in [interviews]%s"
                                                : "'%s' is given twice in [survey]%s", key, first);
    }
    if (!*v)
        return fail(p, "a value is needed after '='%s%s", "", "");
    if (!(*field = brisk_strdup(v)))
        return nomem(p);
    *line = p->line;
    return BRISK_OK;
}

static brisk_status name_list(survey_parser *p, char *line, brisk_survey_entry **list,
                              size_t *n, const char *what);

/* How the data file is laid out: decimal = , and skip / header_rows = N. */
static brisk_status read_layout_key(survey_parser *p, const char *key, const char *v)
{
    brisk_survey *s = p->s;
    bool decimal = key[0] == 'd';
    long *line = decimal ? &s->decimal_line : key[0] == 's' ? &s->skip_line
                                                            : &s->header_rows_line;
    if (*line)
        return fail(p, "'%s' is given twice in [survey]%s", key, "");
    *line = p->line;
    if (decimal) {
        if (strcmp(v, ",") != 0 && strcmp(v, ".") != 0)
            return fail(p, "decimal must be '.' or ',', not '%s'%s", v, "");
        s->decimal = v[0];
        return BRISK_OK;
    }
    char *end = NULL;
    unsigned long n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
    if (!end || *end || n > BRISK_MAX_HEADER_ROWS || (key[0] == 'h' && n < 1))
        return fail(p, key[0] == 's' ? "'%s = %s': expected a number of lines from 0 to 100"
                                     : "'%s = %s': expected a number of rows from 1 to 100",
                    key, v);
    if (key[0] == 's')
        s->skip = (unsigned)n;
    else
        s->header_rows = (unsigned)n;
    return BRISK_OK;
}

/* n = N: the number of respondents of a published matrix. */
static brisk_status read_matrix_n(survey_parser *p, const char *v)
{
    brisk_survey *s = p->s;
    if (s->n_line) {
        char first[48];
        snprintf(first, sizeof first, " (first on line %ld)", s->n_line);
        return fail(p, "'%s' is given twice in [survey]%s", "n", first);
    }
    double n;
    if (!brisk_parse_number(v, strlen(v), &n) || n < 2 || n != floor(n) || n > 1e15)
        return fail(p, "'n = %s': the number of respondents of the matrix is a whole number of "
                    "at least 2%s", v, "");
    s->matrix_n = n;
    s->n_line = p->line;
    return BRISK_OK;
}

static brisk_status survey_key(survey_parser *p, const char *key, const char *v)
{
    brisk_survey *s = p->s;
    if (strcmp(key, "title") == 0)
        return set_string(p, key, &s->title, &s->title_line, v);
    if (strcmp(key, "data") == 0)
        return set_string(p, key, &s->data, &s->data_line, v);
    if (strcmp(key, "cov") == 0 || strcmp(key, "cor") == 0) {
        if (s->matrix)
            return fail(p, "'%s' and '%s' both given: a study's matrix holds covariances (cov) "
                        "or correlations (cor)", key, key[2] == 'v' ? "cor" : "cov");
        s->matrix_correlations = key[2] == 'r';
        return set_string(p, key, &s->matrix, &s->matrix_line, v);
    }
    if (strcmp(key, "n") == 0)
        return read_matrix_n(p, v);
    if (strcmp(key, "id") == 0)
        return set_string(p, key, &s->id, &s->id_line, v);
    if (strcmp(key, "weight") == 0)
        return set_string(p, key, &s->weight, &s->weight_line, v);
    if (strcmp(key, "strata") == 0)
        return set_string(p, key, &s->strata, &s->strata_line, v);
    if (strcmp(key, "cluster") == 0)
        return set_string(p, key, &s->cluster, &s->cluster_line, v);
    if (strcmp(key, "fpc") == 0)
        return set_string(p, key, &s->fpc, &s->fpc_line, v);
    if (strcmp(key, "behaviour") == 0)
        return set_string(p, key, &s->behaviour_column, &s->behaviour_line, v);
    if (strcmp(key, "encoding") == 0)
        return set_string(p, key, &s->encoding, &s->encoding_line, v);
    if (strcmp(key, "sheet") == 0)
        return set_string(p, key, &s->sheet, &s->sheet_line, v);
    if (strcmp(key, "decimal") == 0 || strcmp(key, "skip") == 0 ||
        strcmp(key, "header_rows") == 0)
        return read_layout_key(p, key, v);
    if (strcmp(key, "missing") == 0)
        return parse_codes(p, v);
    if (strcmp(key, "filter") == 0)
        return set_string(p, key, &s->filter, &s->filter_line, v);
    if (strcmp(key, "scale") == 0) {
        s->has_scale = true;
        s->scale_line = p->line;
        return parse_range(p, key, v, &s->scale_min, &s->scale_max);
    }
    if (strcmp(key, "agree") == 0) {
        s->has_agree = true;
        s->agree_line = p->line;
        return parse_range(p, key, v, &s->agree_min, &s->agree_max);
    }
    if (strcmp(key, "ordered") == 0) {
        if (s->ordered_line)
            return fail(p, "'ordered' is set twice in [survey]%s%s", "", "");
        s->ordered_line = p->line;
        if (strcmp(v, "all") == 0 || strcmp(v, "none") == 0) {
            s->ordered = v[0] == 'a';
            return BRISK_OK;
        }
        if (!*v)
            return fail(p, "ordered takes 'all', 'none' or a list of items%s%s", "", "");
        /* a list of items (checked against [items] once they are read) */
        char *copy = brisk_strdup(v);
        brisk_status st = copy ? name_list(p, copy, &s->ordered_items, &s->nordered, "survey")
                               : nomem(p);
        free(copy);
        return st;
    }
    if (strcmp(key, "layout") == 0) {
        if (strcmp(v, "wide") == 0 || strcmp(v, "long") == 0) {
            s->layout = v[0] == 'w' ? BRISK_LAYOUT_WIDE : BRISK_LAYOUT_LONG;
            return BRISK_OK;
        }
        return fail(p, "layout must be 'wide' or 'long', not '%s'%s", v, "");
    }
    return fail(p, "unknown key '%s' in [survey] (known: title data id layout behaviour "
                   "weight strata cluster fpc scale agree missing encoding ordered filter "
                   "sheet decimal skip header_rows)%s", key, "");
}

/* [interviews]: the coded-interview project of a mixed-methods study and
 * the case variable that holds a participant's survey id. */
static brisk_status interviews_key(survey_parser *p, const char *key, const char *v)
{
    brisk_survey *s = p->s;
    if (!v)
        return fail(p, "expected 'key = value' in [interviews], found '%s'%s", key, "");
    if (strcmp(key, "project") == 0)
        return set_string(p, key, &s->interviews, &s->interviews_line, v);
    if (strcmp(key, "link") == 0)
        return set_string(p, key, &s->interviews_link, &s->interviews_link_line, v);
    return fail(p, "unknown key '%s' in [interviews] (known: project link)%s", key, "");
}

/* The next name of a list at *pp: up to a blank or comma, or in backticks
 * (`Trust 1`, a column whose name has a blank); NULL at the end, or with
 * *pp NULL when a backtick is not closed. */
static char *next_name(char **pp)
{
    char *p = *pp + strspn(*pp, " \t,"), *end;
    if (!*p)
        return NULL;
    if (*p == '`') {
        if (!(end = strchr(p + 1, '`')) || end == p + 1) {
            *pp = NULL;
            return NULL;
        }
        p++;
    } else {
        end = p + strcspn(p, " \t,");
    }
    *pp = end + (*end != '\0');
    *end = '\0';
    return p;
}

/* Names separated by blanks or commas, as in [reverse] and [demographics]. */
static brisk_status name_list(survey_parser *p, char *line, brisk_survey_entry **list,
                              size_t *n, const char *what)
{
    char *rest = line;
    for (char *tok = next_name(&rest); tok || !rest; tok = next_name(&rest)) {
        if (!rest)
            return fail(p, "a backtick in [%s] is not closed (a name with blanks is written "
                           "`Trust 1`)%s", what, "");
        if (find_entry(*list, *n, tok))
            return fail(p, "'%s' is listed twice in [%s]", tok, what);
        brisk_status st = add_entry(p, list, n, tok, NULL);
        if (st != BRISK_OK)
            return st;
    }
    return BRISK_OK;
}

/* "gender = 1:0.49 2:0.51": a variable's categories and population
 * shares (blanks or commas between them), summing to 1. */
static brisk_status margin_line(survey_parser *p, const char *key, char *value)
{
    brisk_survey *s = p->s;
    for (size_t i = 0; i < s->nmargins; i++)
        if (strcmp(s->margins[i].variable, key) == 0)
            return fail(p, "'%s' is given twice in [margins]%s", key, "");
    if (s->nmargins == MAX_MARGINS)
        return fail(p, "more than 32 variables in [margins]%s%s", "", "");
    if (!value || !*value)
        return fail(p, "[margins] expects 'variable = category:share ...', e.g. 'gender = "
                       "1:0.49 2:0.51'%s%s", "", "");
    brisk_survey_margin *grown = realloc(s->margins, (s->nmargins + 1) * sizeof *grown);
    if (!grown)
        return nomem(p);
    s->margins = grown;
    brisk_survey_margin *m = &s->margins[s->nmargins++];
    *m = (brisk_survey_margin){.variable = brisk_strdup(key), .line = p->line};
    if (!m->variable)
        return nomem(p);
    double total = 0;
    for (char *save = NULL, *tok = strtok_r(value, " \t,", &save); tok;
         tok = strtok_r(NULL, " \t,", &save)) {
        char *colon = strrchr(tok, ':');
        double share;
        if (!colon || colon == tok ||
            !brisk_parse_number(colon + 1, strlen(colon + 1), &share))
            return fail(p, "'%s' in [margins]: expected category:share, such as 1:0.49%s", tok,
                        "");
        *colon = '\0';
        if (!(share > 0 && share <= 1))
            return fail(p, "the share of '%s' in [margins] must be above 0 and at most 1 (a "
                           "category with no one in the population has no place in the "
                           "margins)%s", tok, "");
        for (size_t k = 0; k < m->ncodes; k++)
            if (strcmp(m->codes[k], tok) == 0)
                return fail(p, "category '%s' of '%s' is given twice in [margins]", tok, key);
        if (m->ncodes == MAX_MARGIN_CODES)
            return fail(p, "more than 1000 categories of '%s' in [margins]%s", key, "");
        char **codes = realloc(m->codes, (m->ncodes + 1) * sizeof *codes);
        double *shares = codes ? realloc(m->shares, (m->ncodes + 1) * sizeof *shares) : NULL;
        if (codes)
            m->codes = codes;
        if (shares)
            m->shares = shares;
        if (!codes || !shares || !(m->codes[m->ncodes] = brisk_strdup(tok)))
            return nomem(p);
        m->shares[m->ncodes++] = share;
        total += share;
    }
    if (m->ncodes < 2)
        return fail(p, "'%s' in [margins] needs at least two categories%s", key, "");
    if (fabs(total - 1) > 1e-6) {
        char sum[32];
        snprintf(sum, sizeof sum, "%.6g", total);
        return fail(p, "the shares of '%s' in [margins] sum to %s, not 1: give the population "
                       "proportions of its categories", key, sum);
    }
    return BRISK_OK;
}

/* [scores]: "accept_{b} = mean(acc1_{b}, acc2_{b}, acc3_{b})", a construct
 * score computed as a column of its own (checked once the behaviours are
 * known: check_scores). */
static brisk_status score_line(survey_parser *p, const char *key, const char *value)
{
    brisk_survey *s = p->s;
    if (!value || !*value)
        return fail(p, "[scores] expects 'name = expression', e.g. 'accept_{b} = "
                       "mean(acc1_{b}, acc2_{b}, acc3_{b})'%s%s", "", "");
    const brisk_survey_entry *dup = find_entry(s->scores, s->nscores, key);
    if (dup) {
        char first[32];
        snprintf(first, sizeof first, "%ld", dup->line);
        return fail(p, "score '%s' is defined twice (first on line %s)", key, first);
    }
    return add_entry(p, &s->scores, &s->nscores, key, value);
}

/* [recode]: "Strongly disagree = 1", an answer's text and its code. */
static brisk_status recode_line(survey_parser *p, const char *key, const char *value)
{
    brisk_survey *s = p->s;
    double code;
    if (!value || !brisk_parse_number(value, strlen(value), &code) || !isfinite(code))
        return fail(p, "[recode] expects 'answer text = code', e.g. 'Strongly disagree = 1', "
                       "not '%s = %s'", key, value ? value : "");
    for (size_t i = 0; i < s->nrecodes; i++)
        if (strcasecmp(s->recodes[i].key, key) == 0) {
            char first[32];
            snprintf(first, sizeof first, "%ld", s->recodes[i].line);
            return fail(p, "answer '%s' is recoded twice in [recode] (first on line %s)", key,
                        first);
        }
    return add_entry(p, &s->recodes, &s->nrecodes, key, value);
}

static brisk_status key_value_line(survey_parser *p, char *line)
{
    char *eq = strchr(line, '=');
    char *key = line, *value = NULL;
    if (eq) {
        *eq = '\0';
        value = trim(eq + 1);
    }
    key = trim(key);
    if (!*key)
        return fail(p, "expected 'name = value'%s%s", "", "");
    brisk_survey *s = p->s;
    switch (p->sec) {
    case SEC_SURVEY:
        if (!value)
            return fail(p, "expected 'key = value' in [survey], found '%s'%s", key, "");
        return survey_key(p, key, value);
    case SEC_BEHAVIOURS: {
        const brisk_survey_entry *dup = find_entry(s->behaviours, s->nbehaviours, key);
        if (dup) {
            char first[32];
            snprintf(first, sizeof first, "%ld", dup->line);
            return fail(p, "behaviour key '%s' is defined twice (first on line %s)", key, first);
        }
        if (strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            strlen(key))
            return fail(p, "behaviour key '%s' may hold only letters, digits and '_'%s", key, "");
        /* every analysis runs once per behaviour: their number is bounded
         * (10,000 made a report run for minutes and take gigabytes) */
        if (s->nbehaviours == MAX_BEHAVIOURS)
            return fail(p, "more than %s behaviours%s: a survey compares a few behaviours (a "
                        "column of many values is a variable, not [behaviours])",
                        MAX_BEHAVIOURS_TEXT, "");
        return add_entry(p, &s->behaviours, &s->nbehaviours, key, value && *value ? value : key);
    }
    case SEC_MARGINS:
        return margin_line(p, key, value);
    case SEC_INTERVIEWS:
        return interviews_key(p, key, value);
    case SEC_SCORES:
        return score_line(p, key, value);
    case SEC_RECODE:
        return recode_line(p, key, value);
    default: /* SEC_ITEMS */
        if (key[0] == '`' && (strlen(key) < 3 || key[strlen(key) - 1] != '`'))
            return fail(p, "item '%s': a backtick is not closed (a name with blanks is "
                           "written `Trust 1`)%s", key, "");
        if (key[0] == '`') {   /* `Trust 1` = ... */
            key[strlen(key) - 1] = '\0';
            key++;
        }
        if (find_entry(s->items, s->nitems, key))
            return fail(p, "item '%s' is defined twice in [items]%s", key, "");
        return add_entry(p, &s->items, &s->nitems, key, value ? value : "");
    }
}

static brisk_status section_header(survey_parser *p, char *line)
{
    char *close = strchr(line, ']');
    if (!close)
        return fail(p, "section header without ']'%s%s", "", "");
    *close = '\0';
    char *name = trim(line + 1);
    for (size_t k = 1; k < sizeof section_names / sizeof section_names[0]; k++) {
        if (strcmp(name, section_names[k]) == 0) {
            p->sec = (section)k;
            if (p->sec == SEC_MODEL) {
                if (p->s->model_line)
                    return fail(p, "[model] appears twice%s%s", "", "");
                p->s->model_line = p->line + 1;
            }
            return BRISK_OK;
        }
    }
    return fail(p, "unknown section [%s] (known: survey behaviours items reverse model "
                   "demographics margins interviews scores recode)%s", name, "");
}

static brisk_status one_line(survey_parser *p, char *raw)
{
    char *t = trim(raw);
    if (t[0] == '[')
        return section_header(p, t);
    if (p->sec == SEC_MODEL) /* kept verbatim: lavaan has its own comments */
        return brisk_buf_puts(&p->model, raw) && brisk_buf_puts(&p->model, "\n")
                   ? BRISK_OK : nomem(p);
    strip_comment(t);
    t = trim(t);
    if (!*t)
        return BRISK_OK;
    switch (p->sec) {
    case SEC_NONE:
        return fail(p, "text before the first section; start with [survey]%s%s", "", "");
    case SEC_REVERSE:
        return name_list(p, t, &p->s->reverse, &p->s->nreverse, "reverse");
    case SEC_DEMOGRAPHICS:
        return name_list(p, t, &p->s->demographics, &p->s->ndemographics, "demographics");
    default:
        return key_value_line(p, t);
    }
}

static brisk_status split_lines(survey_parser *p, const char *text, size_t size)
{
    size_t start = 0;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    while (start < size) {
        const char *nl = memchr(text + start, '\n', size - start);
        size_t len = nl ? (size_t)(nl - text - start) : size - start;
        p->line++;
        if (memchr(text + start, '\0', len))
            return fail(p, "NUL byte: this is not a text file%s%s", "", "");
        if (brisk_utf8_invalid_at(text + start, len) != (size_t)-1)
            return fail(p, "invalid UTF-8: save the survey file as UTF-8%s%s", "", "");
        char *line = brisk_strndup(text + start, len);
        if (!line)
            return nomem(p);
        brisk_status st = one_line(p, line);
        free(line);
        if (st != BRISK_OK)
            return st;
        start += len + 1;
    }
    return BRISK_OK;
}

/* A file the survey names, relative to the survey's folder. */
static brisk_status resolve_path(survey_parser *p, const char *name, char **out)
{
    brisk_survey *s = p->s;
    if (name[0] == '/') {
        *out = brisk_strdup(name);
    } else {
        char *copy = brisk_strdup(s->path);
        if (!copy)
            return nomem(p);
        const char *dir = dirname(copy);
        if (asprintf(out, "%s/%s", dir, name) < 0)
            *out = NULL;
        free(copy);
    }
    return *out ? BRISK_OK : nomem(p);
}

/* [interviews] needs its project; a link needs the survey's id. */
static brisk_status check_interviews(survey_parser *p)
{
    brisk_survey *s = p->s;
    if (!s->interviews && s->interviews_link) {
        p->line = s->interviews_link_line;
        return fail(p, "[interviews] names a link but no project: add 'project = FILE' (a "
                       "REFI-QDA .qdpx or a segments CSV)%s%s", "", "");
    }
    if (s->interviews_link && !s->id) {
        p->line = s->interviews_link_line;
        return fail(p, "'link = %s' in [interviews] matches interviews to respondents by the "
                       "survey's id, but [survey] names none: add 'id = COLUMN'%s",
                    s->interviews_link, "");
    }
    p->line = 0;
    return s->interviews ? resolve_path(p, s->interviews, &s->interviews_path) : BRISK_OK;
}

/* A condition or score expression of line, for behaviour b: it must
 * parse ({b} expanded as in column names). */
static brisk_status check_expression(survey_parser *p, const char *what, const char *text,
                                     size_t b, long line)
{
    char *expanded = brisk_survey_column_name(p->s, text, b);
    if (!expanded)
        return nomem(p);
    brisk_expr *e = NULL;
    brisk_status st = brisk_expr_parse(expanded, &e, p->err);
    brisk_expr_free(e);
    free(expanded);
    if (st != BRISK_OK && p->err) {
        char msg[sizeof p->err->message];
        snprintf(msg, sizeof msg, "%s", p->err->message);
        brisk_survey_error(p->err, p->s, line, 0, st, "%s: %s", what, msg);
        p->err->column = 0;   /* the message names the character of the expression */
    }
    return st;
}

/* filter = and [scores]: expressions that parse, {b} only where there are
 * behaviours, and a per-behaviour expression only for a per-behaviour
 * score. */
static brisk_status check_scores(survey_parser *p)
{
    brisk_survey *s = p->s;
    if (s->filter) {
        p->line = s->filter_line;
        if (brisk_template_is_per_behaviour(s->filter))
            return fail(p, "filter = keeps or leaves out whole rows: it cannot use {b} (a "
                           "condition on one behaviour's answers names its columns)%s%s", "",
                        "");
        brisk_status st = check_expression(p, "filter", s->filter, 0, s->filter_line);
        if (st != BRISK_OK)
            return st;
    }
    for (size_t i = 0; i < s->nscores; i++) {
        const brisk_survey_entry *e = &s->scores[i];
        p->line = e->line;
        bool per_name = brisk_template_is_per_behaviour(e->key);
        if ((per_name || brisk_template_is_per_behaviour(e->value)) && !s->nbehaviours)
            return fail(p, "score '%s' uses {b}, but the survey has no [behaviours]%s", e->key,
                        "");
        if (!per_name && brisk_template_is_per_behaviour(e->value))
            return fail(p, "score '%s' is computed from per-behaviour items ({b}) but is one "
                           "column: name it per behaviour too (%s_{b})", e->key, e->key);
        if (strchr(e->key, ' ') || strchr(e->key, '\t') || strchr(e->key, '`'))
            return fail(p, "score name '%s' may not hold blanks or backticks%s", e->key, "");
        if (find_entry(s->items, s->nitems, e->key))
            return fail(p, "score '%s' has the name of an item%s", e->key, "");
        char what[300];
        snprintf(what, sizeof what, "score '%.200s'", e->key);
        brisk_status st = check_expression(p, what, e->value, 0, e->line);
        if (st != BRISK_OK)
            return st;
    }
    p->line = 0;
    return BRISK_OK;
}

brisk_status brisk_survey_set_where(brisk_survey *s, const char *condition, brisk_error *err)
{
    brisk_expr *e = NULL;
    brisk_status st = brisk_expr_parse(condition, &e, err);
    if (st != BRISK_OK) {
        brisk_error_prefix(err, "--where: ");
        return st;
    }
    brisk_expr_free(e);
    free(s->where);
    if (!(s->where = brisk_strdup(condition)))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return BRISK_OK;
}

/* A study declared by its published matrix: no data, so nothing that
 * describes or selects respondents. */
static brisk_status check_matrix_survey(survey_parser *p)
{
    brisk_survey *s = p->s;
    const struct {
        bool given;
        long line;
        const char *what;
    } rows[] = {
        {s->data != NULL, s->data_line, "data = FILE"},
        {s->weight != NULL, s->weight_line, "a weight"},
        {s->strata != NULL, s->strata_line, "strata"},
        {s->cluster != NULL, s->cluster_line, "clusters"},
        {s->fpc != NULL, s->fpc_line, "a finite population correction"},
        {s->filter != NULL, s->filter_line, "a filter"},
        {s->id != NULL, s->id_line, "an id column"},
        {s->ordered || s->nordered, s->ordered_line, "ordered items (WLSMV)"},
        {s->nbehaviours > 0, 0, "[behaviours] (one matrix per behaviour is not read yet)"},
        {s->nmargins > 0, 0, "[margins]"},
        {s->nscores > 0, 0, "[scores]"},
        {s->nrecodes > 0, 0, "[recode]"},
        {s->interviews != NULL, s->interviews_line, "[interviews]"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (!rows[k].given)
            continue;
        p->line = rows[k].line ? rows[k].line : s->matrix_line;
        return fail(p, "a study declared by its matrix (%s = FILE) has no respondents' rows, "
                       "so it cannot have %s", s->matrix_correlations ? "cor" : "cov",
                    rows[k].what);
    }
    p->line = 0;
    return resolve_path(p, s->matrix, &s->matrix_path);
}

/* Whole-file checks once every section is read. */
static brisk_status check_survey(survey_parser *p)
{
    brisk_survey *s = p->s;
    p->line = 0;
    if (s->matrix)
        return check_matrix_survey(p);
    if (s->n_line) {
        p->line = s->n_line;
        return fail(p, "'n' is the number of respondents of a published matrix: it goes with "
                       "'cov = FILE' or 'cor = FILE'; data give their own%s%s", "", "");
    }
    if (!s->data)
        return fail(p, "[survey] must name the data file: data = FILE (or, for a study "
                       "without microdata, its matrix: cov = FILE)%s%s", "", "");
    if (s->layout == BRISK_LAYOUT_LONG && !s->behaviour_column && s->nbehaviours) {
        p->line = s->data_line;
        return fail(p, "layout = long needs 'behaviour = COLUMN' naming the column that "
                       "holds the behaviour keys%s%s", "", "");
    }
    if (s->layout == BRISK_LAYOUT_LONG && s->behaviour_column && !s->nbehaviours) {
        p->line = s->behaviour_line;
        return fail(p, "'behaviour = %s' names the column of the behaviours, but the survey "
                       "has no [behaviours] listing them: add the section, one 'key = label' "
                       "line per value of '%s'", s->behaviour_column, s->behaviour_column);
    }
    if (s->layout == BRISK_LAYOUT_LONG && !s->id && s->nbehaviours) {
        p->line = s->data_line;
        return fail(p, "layout = long needs 'id = COLUMN' to match a respondent's rows%s%s",
                    "", "");
    }
    for (size_t i = 0; i < s->nitems; i++) {
        if (brisk_template_is_per_behaviour(s->items[i].key) && s->nbehaviours == 0) {
            p->line = s->items[i].line;
            return fail(p, "item '%s' uses {b}, but the survey has no [behaviours]%s",
                        s->items[i].key, "");
        }
    }
    for (size_t i = 0; i < s->ndemographics; i++) {
        p->line = s->demographics[i].line;
        if (brisk_template_is_per_behaviour(s->demographics[i].key))
            return fail(p, "demographic '%s' uses {b}: demographics are asked once per "
                           "respondent; list per-behaviour questions in [items]%s",
                        s->demographics[i].key, "");
    }
    if (s->has_agree && s->has_scale &&
        (s->agree_min < s->scale_min || s->agree_max > s->scale_max)) {
        p->line = s->agree_line;
        char range[64];
        snprintf(range, sizeof range, "%g..%g", s->scale_min, s->scale_max);
        return fail(p, "the 'agree' range lies outside the scale %s%s", range, "");
    }
    if (s->nmargins && !s->weight) {
        /* raking needs a weight to rake: brisk adds the column, from 1 */
        if (!(s->weight = brisk_strdup(RAKED_WEIGHT)))
            return nomem(p);
        s->weight_generated = true;
    }
    p->line = 0;
    brisk_status st = check_scores(p);
    if (st == BRISK_OK)
        st = check_interviews(p);
    return st == BRISK_OK ? resolve_path(p, s->data, &s->data_path) : st;
}

/* The lists that name items, checked once the items are known (from
 * [items], or from the model without it); and there must be items. */
static brisk_status check_item_lists(survey_parser *p)
{
    brisk_survey *s = p->s;
    p->line = 0;
    if (!s->nitems)
        return fail(p, "the survey names no items, so there is nothing to describe or fit: add "
                       "an [items] section, or a [model] whose constructs name them (construct "
                       "=~ item1 + item2)%s%s", "", "");
    const char *listed = s->items_from_model ? "among the model's indicators (=~; the survey "
                                               "has no [items], so they are its items)"
                                             : "listed in [items]";
    for (size_t i = 0; i < s->nordered; i++) {
        p->line = s->ordered_items[i].line;
        if (!find_entry(s->items, s->nitems, s->ordered_items[i].key))
            return fail(p, "ordered item '%s' is not %s (ordered takes 'all', 'none' or a list "
                           "of items)", s->ordered_items[i].key, listed);
    }
    for (size_t i = 0; i < s->nreverse; i++) {
        p->line = s->reverse[i].line;
        if (!find_entry(s->items, s->nitems, s->reverse[i].key))
            return fail(p, "reverse-keyed item '%s' is not %s", s->reverse[i].key, listed);
        if (!s->has_scale)
            return fail(p, "reverse-keying '%s' needs the item range: add 'scale = MIN..MAX' "
                           "to [survey]%s", s->reverse[i].key, "");
    }
    p->line = 0;
    return BRISK_OK;
}

/* Without [items], the model's observed indicators are the items
 * (DESIGN.md): every name on the right of =~ that is not a latent
 * variable, in order of first appearance, with the model line it stands
 * on. */
static brisk_status items_from_model(survey_parser *p)
{
    brisk_survey *s = p->s;
    const brisk_syntax *syn = s->model_syntax;
    if (s->nitems)
        return BRISK_OK;
    for (size_t i = 0; syn && i < syn->n; i++) {
        const brisk_statement *st = &syn->stmts[i];
        for (size_t k = 0; st->op == BRISK_OP_MEASURE && k < st->nrhs; k++) {
            const brisk_term *t = &st->rhs[k];
            if (brisk_syntax_is_latent(syn, t->name) || find_entry(s->items, s->nitems, t->name))
                continue;
            p->line = t->line;
            brisk_status r = add_entry(p, &s->items, &s->nitems, t->name, "");
            if (r != BRISK_OK)
                return r;
        }
    }
    s->items_from_model = s->nitems > 0;
    p->line = 0;
    return BRISK_OK;
}

/* A {b} in the model needs behaviours to stand for. */
static brisk_status check_model_templates(survey_parser *p)
{
    const brisk_syntax *syn = p->s->model_syntax;
    for (size_t i = 0; i < syn->n && p->s->nbehaviours == 0; i++) {
        const brisk_statement *st = &syn->stmts[i];
        const char *name = brisk_template_is_per_behaviour(st->lhs) ? st->lhs : NULL;
        long column = st->column;
        for (size_t k = 0; !name && k < st->nrhs; k++) {
            if (brisk_template_is_per_behaviour(st->rhs[k].name)) {
                name = st->rhs[k].name;
                column = st->rhs[k].column;
            }
        }
        if (name)
            return brisk_survey_error(p->err, p->s, st->line, column, BRISK_ERR_FORMAT,
                                      "model variable '%s' uses {b}, but the survey has no "
                                      "[behaviours]", name);
    }
    return BRISK_OK;
}

static brisk_status parse_model(survey_parser *p)
{
    brisk_survey *s = p->s;
    if (!p->model.data)
        return BRISK_OK;
    s->model = p->model.data;
    p->model.data = NULL;
    brisk_status st = brisk_syntax_parse(s->model, s->path, s->model_line, &s->model_syntax,
                                         p->err);
    return st == BRISK_OK ? check_model_templates(p) : st;
}

brisk_status brisk_survey_parse(const char *text, size_t size, const char *path,
                                brisk_survey **out, brisk_error *err)
{
    *out = NULL;
    brisk_survey *s = calloc(1, sizeof *s);
    survey_parser p = {.s = s, .err = err};
    brisk_status st = BRISK_ERR_NOMEM;
    if (!s || !(s->path = brisk_strdup(path ? path : "<survey>"))) {
        brisk_error_set(err, st, "out of memory");
        goto cleanup;
    }
    st = split_lines(&p, text, size);
    if (st == BRISK_OK)
        st = check_survey(&p);
    if (st == BRISK_OK)
        st = parse_model(&p);
    if (st == BRISK_OK)
        st = items_from_model(&p);
    if (st == BRISK_OK)
        st = check_item_lists(&p);
cleanup:
    brisk_buf_free(&p.model);
    if (st != BRISK_OK)
        brisk_survey_free(s);
    else
        *out = s;
    return st;
}

brisk_status brisk_survey_load(const char *path, brisk_survey **out, brisk_error *err)
{
    *out = NULL;
    brisk_io io;
    brisk_status st = brisk_io_open_file(&io, path, err);
    if (st != BRISK_OK)
        return st;
    long long size = io.size(io.ctx);
    char *text = NULL;
    if (size < 0 || size > MAX_SURVEY_BYTES) {
        brisk_error_at(err, path, 0, 0);
        st = brisk_error_set(err, size < 0 ? BRISK_ERR_OPEN : BRISK_ERR_LIMIT,
                             size < 0 ? "cannot read the survey file"
                                      : "a survey file is at most 16 MiB");
        goto cleanup;
    }
    text = malloc((size_t)size + 1);
    if (!text) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (io.read(io.ctx, text, (size_t)size) != (ssize_t)size) {
        brisk_error_at(err, path, 0, 0);
        st = brisk_error_set(err, BRISK_ERR_OPEN, "cannot read the survey file");
        goto cleanup;
    }
    text[size] = '\0';
    st = brisk_survey_parse(text, (size_t)size, path, out, err);
cleanup:
    free(text);
    brisk_io_close(&io);
    return st;
}

bool brisk_template_is_per_behaviour(const char *tmpl)
{
    return strstr(tmpl, "{b}") || strstr(tmpl, "{behaviour}");
}

size_t brisk_survey_nblocks(const brisk_survey *s)
{
    return s->nbehaviours ? s->nbehaviours : 1;
}

static bool is_separator(char c)
{
    return c == '_' || c == '.' || c == '-';
}

/* Replace every "{b}" and "{behaviour}" in tmpl.  With drop_separator, the
 * placeholder goes with one separator beside it (long layout columns). */
static char *substitute(const char *tmpl, const char *key, const char *label,
                        bool drop_separator)
{
    brisk_buf b = {0};
    bool ok = true;
    for (const char *p = tmpl; *p && ok;) {
        size_t n = strncmp(p, "{b}", 3) == 0 ? 3
                 : strncmp(p, "{behaviour}", 11) == 0 ? 11 : 0;
        if (!n) {
            ok = brisk_buf_append(&b, p++, 1);
            continue;
        }
        const char *with = n == 3 ? key : label;
        if (drop_separator) {
            if (b.len && is_separator(b.data[b.len - 1]))
                b.data[--b.len] = '\0';
            else if (is_separator(p[n]))
                n++;
            with = "";
        }
        ok = brisk_buf_puts(&b, with);
        p += n;
    }
    if (ok && !b.data)
        ok = brisk_buf_puts(&b, "");
    if (!ok)
        brisk_buf_free(&b);
    return b.data;
}

char *brisk_survey_column_name(const brisk_survey *s, const char *tmpl, size_t b)
{
    if (!brisk_template_is_per_behaviour(tmpl) || s->nbehaviours == 0)
        return brisk_strdup(tmpl);
    const brisk_survey_entry *e = &s->behaviours[b < s->nbehaviours ? b : 0];
    return substitute(tmpl, e->key, e->value, s->layout == BRISK_LAYOUT_LONG);
}

char *brisk_survey_wording(const brisk_survey *s, const char *text, size_t b)
{
    if (s->nbehaviours == 0)
        return brisk_strdup(text);
    const brisk_survey_entry *e = &s->behaviours[b < s->nbehaviours ? b : 0];
    char *label = brisk_strdup(e->value);
    if (!label)
        return NULL;
    /* "Scoring {behaviour} ..." reads "Scoring criminal records ...". */
    if (label[0] >= 'A' && label[0] <= 'Z' && !(label[1] >= 'A' && label[1] <= 'Z'))
        label[0] = (char)(label[0] - 'A' + 'a');
    char *out = substitute(text, e->key, label, false);
    free(label);
    return out;
}

char *brisk_survey_model_text(const brisk_survey *s, size_t b)
{
    if (!s->model)
        return NULL;
    if (s->nbehaviours == 0)
        return brisk_strdup(s->model);
    const brisk_survey_entry *e = &s->behaviours[b < s->nbehaviours ? b : 0];
    return substitute(s->model, e->key, e->value, s->layout == BRISK_LAYOUT_LONG);
}

/* The i-th of the comma-separated values of "c(v1, v2, ...)" starting at
 * open (the "c("), appended to b; *end gets the character after ")".
 * False with err set when the list does not have n values. */
static bool pick_value(const char *open, size_t i, size_t n, brisk_buf *b, const char **end,
                       const char *path, long line, brisk_error *err)
{
    const char *p = open + 2, *close = strchr(p, ')');
    size_t count = 1;
    for (const char *q = p; close && q < close; q++)
        count += *q == ',';
    if (!close || count != n) {
        brisk_error_at(err, path, line, 0);
        brisk_error_set(err, BRISK_ERR_FORMAT, "c(...) in a population model gives one value "
                        "per behaviour: %zu behaviours, %s", n,
                        close ? "another count of values" : "no closing ')'");
        return false;
    }
    for (size_t k = 0; k < i; k++)
        p = strchr(p, ',') + 1;
    const char *stop = strchr(p, ',');
    if (!stop || stop > close)
        stop = close;
    while (p < stop && (*p == ' ' || *p == '\t'))
        p++;
    while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
        stop--;
    *end = close + 1;
    return brisk_buf_append(b, p, (size_t)(stop - p));
}

/* One line for behaviour i: {b} and {behaviour} replaced, each c(...)
 * replaced by its i-th value. */
static bool expand_line(const brisk_survey *s, const char *line, size_t i, brisk_buf *out,
                        long lineno, const char *path, brisk_error *err)
{
    char *text = substitute(line, s->behaviours[i].key, s->behaviours[i].value, false);
    if (!text)
        return false;
    bool ok = true;
    for (const char *p = text; *p && ok;) {
        bool starts = p[0] == 'c' && p[1] == '(' &&
                      (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'));
        if (starts) {
            ok = pick_value(p, i, s->nbehaviours, out, &p, path, lineno, err);
            continue;
        }
        ok = brisk_buf_append(out, p++, 1);
    }
    free(text);
    return ok;
}

char *brisk_survey_population_text(const brisk_survey *s, const char *text, const char *path,
                                   brisk_error *err)
{
    brisk_buf out = {0};
    bool ok = true;
    long lineno = 0;
    for (const char *line = text; *line && ok; lineno++) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char *one = malloc(len + 1);
        if (!one) {
            ok = false;
            break;
        }
        memcpy(one, line, len);
        one[len] = '\0';
        /* A line's copies stay on its line, joined by ';', so that the
         * parser's line numbers are the file's; a comment would hide the
         * copies after the first, so it goes. */
        one[strcspn(one, "#!")] = '\0';
        bool templated = strstr(one, "{b}") || strstr(one, "{behaviour}");
        if (!templated)
            memcpy(one, line, len);   /* as written, comment included */
        if (templated && s->nbehaviours == 0) {
            brisk_error_at(err, path, lineno + 1, 0);
            brisk_error_set(err, BRISK_ERR_FORMAT, "{b} in the population model, but the "
                            "survey has no [behaviours]");
            ok = false;
        }
        for (size_t i = 0; ok && templated && i < s->nbehaviours; i++)
            ok = (i == 0 || brisk_buf_puts(&out, "; ")) &&
                 expand_line(s, one, i, &out, lineno + 1, path, err);
        if (ok && !templated)
            ok = brisk_buf_puts(&out, one);
        ok = ok && brisk_buf_puts(&out, "\n");
        free(one);
        line += len + (eol ? 1 : 0);
    }
    if (ok && !out.data)
        ok = brisk_buf_puts(&out, "");
    if (!ok) {
        if (err && err->status == BRISK_OK)
            brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        brisk_buf_free(&out);
        return NULL;
    }
    return out.data;
}

char *brisk_survey_wide_name(const brisk_survey *s, const char *tmpl, size_t b)
{
    if (!brisk_template_is_per_behaviour(tmpl) || s->nbehaviours == 0)
        return brisk_strdup(tmpl);
    const brisk_survey_entry *e = &s->behaviours[b < s->nbehaviours ? b : 0];
    return substitute(tmpl, e->key, e->value, false);
}

bool brisk_survey_is_ordered(const brisk_survey *s, const char *name, size_t b)
{
    if (s->ordered)
        return true;
    bool found = false;
    for (size_t i = 0; i < s->nordered && !found; i++) {
        char *column = brisk_survey_column_name(s, s->ordered_items[i].key, b);
        found = column && strcmp(column, name) == 0;
        free(column);
    }
    return found;
}

bool brisk_survey_is_reversed(const brisk_survey *s, const char *tmpl)
{
    return find_entry(s->reverse, s->nreverse, tmpl) != NULL;
}

/* Does name equal what make(s, tmpl, b) gives? */
static bool names_column(const brisk_survey *s, const char *tmpl, size_t b, const char *name,
                         char *(*make)(const brisk_survey *, const char *, size_t))
{
    char *column = make(s, tmpl, b);
    bool same = column && strcmp(column, name) == 0;
    free(column);
    return same;
}

const brisk_survey_entry *brisk_survey_find_item(const brisk_survey *s, const char *name,
                                                 size_t *b)
{
    *b = (size_t)-1;
    const brisk_survey_entry *e = find_entry(s->items, s->nitems, name);
    if (e)
        return e;
    for (size_t i = 0; i < s->nitems; i++) {
        const char *tmpl = s->items[i].key;
        if (!brisk_template_is_per_behaviour(tmpl))
            continue;
        for (size_t k = 0; k < s->nbehaviours; k++) {
            if (names_column(s, tmpl, k, name, brisk_survey_wide_name)) {
                *b = k;
                return &s->items[i];
            }
            if (names_column(s, tmpl, k, name, brisk_survey_column_name))
                return &s->items[i];   /* long: one column for every behaviour */
        }
    }
    return NULL;
}

const char *brisk_survey_construct_of(const brisk_survey *s, const char *tmpl)
{
    const brisk_syntax *syn = s->model_syntax;
    for (size_t i = 0; syn && i < syn->n; i++) {
        if (syn->stmts[i].op != BRISK_OP_MEASURE)
            continue;
        for (size_t k = 0; k < syn->stmts[i].nrhs; k++)
            if (strcmp(syn->stmts[i].rhs[k].name, tmpl) == 0)
                return syn->stmts[i].lhs;
    }
    return NULL;
}
