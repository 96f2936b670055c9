/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A survey's model fitted behaviour by behaviour: each behaviour's model
 * text, the estimator its ordered items call for, and the fit. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "core/util.h"

void brisk_survey_fits_free(brisk_survey_fits *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        brisk_fitted_free(&f->fitted[i]);
    free(f->fitted);
    free(f->groups);
    free(f->labels);
    memset(f, 0, sizeof *f);
}

bool brisk_behaviour_selected(const char *key, const char *const *only, size_t nonly)
{
    if (!only || !nonly || !key)
        return true;
    for (size_t i = 0; i < nonly; i++)
        if (strcmp(only[i], key) == 0)
            return true;
    return false;
}

const char *brisk_fitted_estimator(const brisk_fitted *f)
{
    bool fiml = f->moments && f->moments[0].npatterns;
    if (f->fit && f->fit->nthresholds)
        return "WLSMV";
    if (f->fit && f->fit->fit.estimator == BRISK_ESTIMATOR_MLM)
        return "MLM";
    if (f->fit && brisk_estimator_least_squares(f->fit->fit.estimator)) {
        static const char *const names[] = {"GLS", "ULS", "WLS", "DWLS"};
        return names[f->fit->fit.estimator - BRISK_ESTIMATOR_GLS];
    }
    if (f->fit && f->fit->fit.robust)
        return fiml ? "MLR, full information" : "MLR";
    return fiml ? "ML, full information" : "ML";
}

const char *brisk_behaviour_label(const brisk_survey *s, size_t b)
{
    return s->behaviours[b].value && s->behaviours[b].value[0] ? s->behaviours[b].value
                                                               : s->behaviours[b].key;
}

void brisk_name_behaviour(brisk_error *err, const char *key)
{
    if (!err || !key)
        return;
    char reason[sizeof err->message];
    snprintf(reason, sizeof reason, "%s", err->message);
    brisk_error_set(err, err->status, "behaviour '%s': %s", key, reason);
}

/* The estimator of behaviour b when the survey declares ordered items:
 * WLSMV when any observed variable of the model (text) but the covariates
 * is ordered (with continuous ones beside them, the ordered ones listed in
 * out->model.ordered_items, lavaan's ordered =), the given one when none
 * is. */
static brisk_status survey_estimator(const brisk_survey *s, size_t b, const char *text,
                                     brisk_behaviour_fit_options *out, brisk_error *err)
{
    brisk_model_options *opt = &out->model;
    brisk_syntax *syn = NULL;
    brisk_status st = brisk_syntax_parse(text, s->path, s->model_line, &syn, err);
    const char **names = NULL;
    size_t n = st == BRISK_OK ? brisk_syntax_variables(syn, &names) : 0;
    if (st == BRISK_OK && n && !names)
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK && !(out->ordered = calloc(n + 1, sizeof *out->ordered)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    bool continuous = false;
    for (size_t i = 0; st == BRISK_OK && i < n; i++) {
        if (brisk_syntax_is_latent(syn, names[i]) || brisk_syntax_is_covariate(syn, names[i]))
            continue;   /* covariates stay continuous: WLSMV conditions on them */
        if (!brisk_survey_is_ordered(s, names[i], b))
            continuous = true;
        else if (!(out->ordered[out->nordered++] = brisk_strdup(names[i])))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK && out->nordered && opt->fiml) {
        brisk_error_at(err, s->path, s->ordered_line, 0);
        st = brisk_error_set(err, BRISK_ERR_ARGUMENT, "the survey declares items ordered "
                             "(ordered =), so they are fitted by WLSMV, and full-information "
                             "ML (--missing fiml) does not go with WLSMV (lavaan refuses it "
                             "too); drop --missing fiml, or fit the items as continuous with "
                             "--estimator mlr --missing fiml");
    } else if (st == BRISK_OK && out->nordered) {
        opt->estimator = BRISK_ESTIMATOR_WLSMV;
        if (continuous) {   /* lavaan's ordered = the ordered ones */
            opt->ordered_items = (const char *const *)out->ordered;
            opt->nordered_items = out->nordered;
        }
    }
    free(names);
    brisk_syntax_free(syn);
    return st;
}

void brisk_behaviour_options_free(brisk_behaviour_fit_options *o)
{
    for (size_t i = 0; o->ordered && i < o->nordered; i++)
        free(o->ordered[i]);
    free(o->ordered);
    o->ordered = NULL;
    o->nordered = 0;
}

const char *brisk_survey_weight_of(const brisk_survey *s, const brisk_model_options *opt)
{
    return opt && (opt->weight || opt->unweighted) ? opt->weight : s->weight;
}

brisk_status brisk_survey_warn_design(const brisk_survey *s, brisk_table_list *out)
{
    if (!s->strata && !s->fpc)
        return BRISK_OK;
    char what[600];
    snprintf(what, sizeof what, "the survey's %s%.100s%s%s%s%.100s%s is not used by the structural models "
             "and their reliability (lavaan has no strata or fpc; its cluster= is: they take the "
             "survey's cluster, if any); describe and regress use the whole design",
             s->strata ? "strata '" : "", s->strata ? s->strata : "", s->strata ? "'" : "",
             s->strata && s->fpc ? " and " : "", s->fpc ? "fpc '" : "", s->fpc ? s->fpc : "",
             s->fpc ? "'" : "");
    for (size_t k = 0; k < out->nwarnings; k++)
        if (strcmp(out->warnings[k], what) == 0)
            return BRISK_OK;    /* said once per run */
    return brisk_table_list_warn(out, "%s", what);
}

const char *brisk_survey_cluster_of(const brisk_survey *s, const brisk_model_options *opt)
{
    return opt && (opt->cluster || opt->unclustered) ? opt->cluster : s->cluster;
}

brisk_status brisk_behaviour_options(const brisk_survey *s, size_t b, const char *text,
                                     const brisk_model_options *opt,
                                     brisk_behaviour_fit_options *fo, brisk_error *err)
{
    *fo = (brisk_behaviour_fit_options){.model = opt ? *opt : (brisk_model_options){0}};
    brisk_model_options *out = &fo->model;
    out->weight = brisk_survey_weight_of(s, opt);
    out->cluster = brisk_survey_cluster_of(s, opt);
    bool declared = s->ordered || s->nordered;
    if (declared && (out->survey_ordered || out->estimator == BRISK_ESTIMATOR_WLSMV))
        return survey_estimator(s, b, text, fo, err);
    brisk_estimator asked = out->estimator;
    if (brisk_estimator_least_squares(asked) && (s->ordered || s->nordered)) {
        /* least squares fits continuous items: ordered ones are WLSMV's */
        brisk_status st = survey_estimator(s, b, text, fo, err);
        if (st == BRISK_OK && out->estimator != asked) {
            out->estimator = asked;
            brisk_error_at(err, s->path, s->ordered_line, 0);
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--estimator %s fits continuous "
                                   "items, and the survey declares these ordered (ordered =): "
                                   "ordered items are fitted by WLSMV; leave --estimator out "
                                   "or give --estimator wlsmv", brisk_estimator_key(asked));
        }
        return st;
    }
    return BRISK_OK;
}

brisk_status brisk_fit_survey(const brisk_survey *s, const brisk_survey_data *d,
                              const char *const *only, size_t nonly, const char *group_column,
                              const brisk_model_options *opt, brisk_survey_fits *out,
                              brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s->model) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "the survey has no [model] section; add "
                               "the model in lavaan syntax");
    }
    brisk_status checked = opt ? brisk_check_estimation(opt, err) : BRISK_OK;
    if (checked != BRISK_OK)
        return checked;
    size_t nb = brisk_survey_nblocks(s);
    out->fitted = calloc(nb, sizeof *out->fitted);
    out->groups = calloc(nb, sizeof *out->groups);
    out->labels = calloc(nb, sizeof *out->labels);
    if (!out->fitted || !out->groups || !out->labels) {
        brisk_survey_fits_free(out);
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    brisk_status st = BRISK_OK;
    for (size_t b = 0; b < nb && st == BRISK_OK; b++) {
        const char *key = s->nbehaviours ? s->behaviours[b].key : NULL;
        if (!brisk_behaviour_selected(key, only, nonly))
            continue;
        char *text = brisk_survey_model_text(s, b);
        brisk_behaviour_fit_options bopt = {0};
        st = text ? brisk_behaviour_options(s, b, text, opt, &bopt, err)
                  : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        if (st == BRISK_OK)
            st = brisk_fit_text(text, s->path, s->model_line, d->ds, d->rows[b], d->nrows[b],
                                group_column, &bopt.model, &out->fitted[out->n], err);
        brisk_behaviour_options_free(&bopt);
        free(text);
        if (st != BRISK_OK)
            brisk_name_behaviour(err, key);
        else {
            out->labels[out->n] = key && s->behaviours[b].value ? s->behaviours[b].value : key;
            out->groups[out->n++] = key;
        }
    }
    if (st != BRISK_OK)
        brisk_survey_fits_free(out);
    return st;
}
