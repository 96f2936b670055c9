/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From model text and data to a fit. */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/model.h"
#include "sem_internal.h"
#include "sem_fit.h"
#include "sem_wls.h"

void brisk_fitted_free(brisk_fitted *f)
{
    if (!f)
        return;
    brisk_fit_free(f->fit);
    for (size_t g = 0; f->moments && g < f->ngroups; g++)
        brisk_moments_free(&f->moments[g]);
    free(f->moments);
    for (size_t g = 0; f->group_labels && g < f->ngroups; g++)
        free(f->group_labels[g]);
    free(f->group_labels);
    for (size_t g = 0; f->group_rows && g < f->ngroups; g++)
        free(f->group_rows[g]);
    free(f->group_rows);
    free(f->ngroup_rows);
    brisk_model_free(f->model);
    brisk_syntax_free(f->syntax);
    memset(f, 0, sizeof *f);
}

/* The moments of every group; the rows of group g are those whose level
 * is g.  With fiml each group's EM may take time_limit seconds. */
static brisk_status group_moments(brisk_fitted *out, const brisk_dataset *ds, const size_t *rows,
                                  size_t nrows, const size_t *level, bool fiml, bool pairs,
                                  double time_limit, brisk_error *err)
{
    out->group_rows = calloc(out->ngroups, sizeof *out->group_rows);
    out->ngroup_rows = calloc(out->ngroups, sizeof *out->ngroup_rows);
    if (!out->group_rows || !out->ngroup_rows)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_status st = BRISK_OK;
    size_t used = 0;
    for (size_t g = 0; st == BRISK_OK && g < out->ngroups; g++) {
        size_t *mine = out->group_rows[g] = malloc((nrows ? nrows : 1) * sizeof *mine), n = 0;
        if (!mine)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < nrows; i++)
            if (!level || level[i] == g)
                mine[n++] = rows ? rows[i] : i;
        out->ngroup_rows[g] = n;
        st = fiml ? brisk_moments_from_data_fiml(out->model, ds, mine, n, time_limit,
                                                 &out->moments[g], err)
                  : pairs ? brisk_moments_from_data_pairwise(out->model, ds, mine, n,
                                                             &out->moments[g], err)
                          : brisk_moments_from_data(out->model, ds, mine, n, &out->moments[g], err);
        if (out->ngroups > 1)
            out->moments[g].group = out->group_labels[g];
        if (st != BRISK_OK && out->ngroups > 1 && err) {
            char reason[sizeof err->message];
            snprintf(reason, sizeof reason, "%s", err->message);
            brisk_error_set(err, st, "group '%s': %s", out->group_labels[g], reason);
        }
        used += out->moments[g].n;
    }
    if (st == BRISK_OK && out->model->weight)
        brisk_moments_normalise_weights(out->moments, out->ngroups);
    out->n_dropped = nrows - used;
    return st;
}

static brisk_status prepare_groups(brisk_fitted *out, const brisk_dataset *ds, const size_t *rows,
                                   size_t nrows, const char *group_column, size_t **level,
                                   brisk_error *err)
{
    *level = NULL;
    out->ngroups = 1;
    if (group_column) {
        brisk_status st = brisk_group_levels(ds, group_column, rows, nrows, &out->group_labels,
                                             &out->ngroups, level, err);
        if (st != BRISK_OK)
            return st;
        if (out->ngroups < 2) {
            brisk_error_variable(err, group_column);
            return brisk_error_set(err, BRISK_ERR_DATA, "group column '%s' has %zu value%s in "
                                   "the data: a multi-group model needs at least two",
                                   group_column, out->ngroups, out->ngroups == 1 ? "" : "s");
        }
    }
    out->moments = calloc(out->ngroups, sizeof *out->moments);
    return out->moments ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

/* MLM is for complete, unweighted, unclustered continuous data (as
 * lavaan's estimator = "MLM"): what it does not go with, refused saying
 * what to use instead. */
static brisk_status check_mlm(const brisk_model_options *opt, brisk_error *err)
{
    if (opt->estimator != BRISK_ESTIMATOR_MLM)
        return BRISK_OK;
    if (opt->fiml)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "MLM does not go with full-information "
                               "ML (--missing fiml): its Satorra-Bentler test needs complete "
                               "data (lavaan refuses missing = \"ml\" with MLM too); use "
                               "--estimator mlr --missing fiml, or MLM on the complete answers "
                               "(--missing listwise)");
    if (opt->ordered)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "MLM is for continuous variables, not "
                               "ordered items; fit ordered items by --estimator wlsmv");
    if (opt->weight)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "MLM does not take sampling weights "
                               "('%s'); weighted fits are robust ML with the Yuan-Bentler "
                               "test (--estimator mlr, as lavaan's sampling.weights), or fit "
                               "MLM without the weights (--unweighted)", opt->weight);
    if (opt->cluster)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "MLM does not take clusters ('%s'); "
                               "clustered fits take cluster-robust SEs (--estimator ml or mlr "
                               "with --cluster, as lavaan's cluster=), or fit MLM without them "
                               "(--unclustered)", opt->cluster);
    return BRISK_OK;
}

const char *brisk_estimator_key(brisk_estimator e)
{
    switch (e) {
    case BRISK_ESTIMATOR_MLR: return "mlr";
    case BRISK_ESTIMATOR_MLM: return "mlm";
    case BRISK_ESTIMATOR_WLSMV: return "wlsmv";
    case BRISK_ESTIMATOR_GLS: return "gls";
    case BRISK_ESTIMATOR_ULS: return "uls";
    case BRISK_ESTIMATOR_WLS: return "wls";
    case BRISK_ESTIMATOR_DWLS: return "dwls";
    default: return "ml";
    }
}

brisk_status brisk_check_estimation(const brisk_model_options *opt, brisk_error *err)
{
    brisk_status mlm = check_mlm(opt, err);
    if (mlm != BRISK_OK)
        return mlm;
    if ((opt->ordered || opt->estimator == BRISK_ESTIMATOR_WLSMV) && opt->weight)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "sampling weights ('%s') with ordered "
                               "items (WLSMV) are not available: lavaan weights their "
                               "thresholds and polychoric correlations, brisk does not yet; "
                               "fit the items as continuous (--estimator mlr) with the "
                               "weights, or by WLSMV without them (--unweighted)", opt->weight);
    if (opt->cluster && (opt->ordered || opt->estimator == BRISK_ESTIMATOR_WLSMV))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "clusters ('%s') with ordered items "
                               "(WLSMV) are not available yet; fit the items as continuous "
                               "(--estimator mlr) with the clusters, or by WLSMV without them "
                               "(--unclustered)", opt->cluster);
    if (opt->cluster && opt->fiml)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "clusters ('%s') with full-information "
                               "ML (--missing fiml) are not available yet; fit the complete "
                               "answers (listwise) with the clusters, or by full-information "
                               "ML without them (--unclustered)", opt->cluster);
    if (brisk_estimator_least_squares(opt->estimator)) {
        const char *what = opt->ordered ? "ordered items (they are fitted by WLSMV: "
                                          "--estimator wlsmv)"
                           : opt->fiml ? "full-information ML (--missing fiml: lavaan's "
                                         "missing = \"ml\" needs ML)"
                           : opt->weight ? "sampling weights (lavaan's sampling.weights need "
                                           "ML or MLR; a survey's weight is left out with "
                                           "--unweighted)"
                           : opt->cluster ? "clusters (lavaan's cluster= needs ML or MLR; a "
                                            "survey's cluster is left out with --unclustered)"
                                          : NULL;
        if (what)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--estimator %s does not go with "
                                   "%s; drop one of them",
                                   brisk_estimator_key(opt->estimator), what);
    }
    if ((opt->ordered || opt->estimator == BRISK_ESTIMATOR_WLSMV) && opt->fiml)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "full-information ML (--missing fiml) "
                               "does not go with WLSMV: ordered items are fitted on the "
                               "respondents who answered them all (lavaan refuses missing = "
                               "\"ml\" for them too); drop --missing fiml, or fit the items as "
                               "continuous with --estimator mlr --missing fiml");
    return BRISK_OK;
}

/* The equalities across groups that ordered items (WLSMV, the delta
 * parameterization) can take: those of the structural part, and their
 * thresholds (which frees the scale factors and latent means after the
 * first group, as lavaan's group.equal = "thresholds").  Their intercepts
 * are 0 and their residual variances 1 less what is explained, not
 * parameters. */
static brisk_status ordered_equalities(const brisk_model_options *opt, brisk_error *err)
{
    if (!opt->ordered) {
        if (opt->group_equal & BRISK_EQUAL_THRESHOLDS)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--group-equal thresholds: "
                                   "thresholds belong to ordered items; fit them with "
                                   "--estimator wlsmv, or hold intercepts equal");
        return BRISK_OK;
    }
    static const struct {
        unsigned flag;
        const char *name, *why;
    } refused[] = {
        {BRISK_EQUAL_INTERCEPTS, "intercepts",
         "an ordered item's intercept is 0 and its thresholds place it; hold the thresholds "
         "equal (--group-equal thresholds)"},
        {BRISK_EQUAL_RESIDUALS, "residuals",
         "an ordered item's residual variance is 1 less what the model explains (the delta "
         "parameterization), not a parameter"},
        {BRISK_EQUAL_MEANS, "means",
         "the latent means are 0 in every group unless the thresholds are held equal, and "
         "holding them equal as well is not supported"},
    };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
        if (opt->group_equal & refused[k].flag)
            return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--group-equal %s with ordered items "
                                   "(WLSMV): %s; hold loadings, thresholds, regressions or "
                                   "lv.variances equal, or fit the items as continuous "
                                   "(--estimator mlr)", refused[k].name, refused[k].why);
    return BRISK_OK;
}

brisk_status brisk_fitted_difference(const brisk_fitted *less, const brisk_fitted *more,
                                     double *chisq, double *df, brisk_error *err)
{
    const brisk_fit_measures *f1 = &less->fit->fit, *f0 = &more->fit->fit;
    *df = f0->df - f1->df;
    *chisq = f0->chisq - f1->chisq;
    if (!f0->scaled || *df <= 0)
        return BRISK_OK;
    if (more->model->ordered)
        return brisk_wlsmv_difference(less->model, less->fit, more->model, more->fit,
                                      less->moments, *chisq, *df, chisq, err);
    /* Satorra and Bentler (2001): (T0 - T1) / cd, cd = (df0 c0 - df1 c1) /
     * (df0 - df1), undefined when cd < 0 */
    double c1 = f1->df > 0 ? f1->scaling_factor : 1;
    double cd = (f0->df * f0->scaling_factor - f1->df * c1) / *df;
    *chisq = cd > 0 ? *chisq / cd : NAN;
    return BRISK_OK;
}

brisk_status brisk_fit_text(const char *text, const char *source, long first_line,
                            const brisk_dataset *ds, const size_t *rows, size_t nrows,
                            const char *group_column, const brisk_model_options *opt,
                            brisk_fitted *out, brisk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!rows)
        nrows = ds->nrows;
    brisk_model_options mopt = opt ? *opt : (brisk_model_options){0};
    mopt.name = source;
    if (mopt.estimator == BRISK_ESTIMATOR_WLSMV)
        mopt.ordered = true;   /* every observed variable an ordered item */
    if (brisk_estimator_least_squares(mopt.estimator))
        mopt.random_x = !mopt.no_fixed_x;   /* lavaan's fixed.x default for them */
    if (mopt.pairwise && !mopt.ordered)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "--missing pairwise is WLSMV's (ordered "
                               "items), as lavaan's missing = \"pairwise\": fit with "
                               "--estimator wlsmv, or use --missing listwise or fiml");
    if (mopt.theta && !mopt.ordered)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "the theta parameterization is for "
                               "ordered items (WLSMV), and '%s' has none: fit with --estimator "
                               "wlsmv, or leave out --parameterization theta",
                               source ? source : "the model");
    brisk_status checked = brisk_check_estimation(&mopt, err), st_equal;
    if (checked != BRISK_OK)
        return checked;
    st_equal = ordered_equalities(&mopt, err);
    if (st_equal != BRISK_OK)
        return st_equal;
    size_t *level = NULL;
    const char **names = malloc((ds->ncols ? ds->ncols : 1) * sizeof *names);
    for (size_t j = 0; names && j < ds->ncols; j++)
        names[j] = ds->cols[j].name;
    brisk_status st = names ? prepare_groups(out, ds, rows, nrows, group_column, &level, err)
                            : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    mopt.ngroups = out->ngroups;
    mopt.rows_available = nrows;
    if (st == BRISK_OK)
        st = brisk_syntax_parse(text, source, first_line, &out->syntax, err);
    if (st == BRISK_OK)
        st = brisk_model_new(out->syntax, names, ds->ncols, &mopt, &out->model, err);
    if (st == BRISK_OK && mopt.estimator != BRISK_ESTIMATOR_WLSMV)
        st = brisk_sem_check_size(out->model, err);
    bool of_data = false;   /* the error is the data's moments' (an EM out of time too) */
    if (st == BRISK_OK) {
        st = group_moments(out, ds, rows, nrows, level, mopt.fiml, mopt.pairwise,
                           mopt.time_limit, err);
        of_data = st != BRISK_OK;
    }
    if (st == BRISK_OK && mopt.estimator == BRISK_ESTIMATOR_WLSMV)
        st = brisk_fit_wlsmv(out->model, out->moments, &out->fit, err);
    else if (st == BRISK_OK && brisk_estimator_least_squares(mopt.estimator))
        st = brisk_fit_least_squares(out->model, out->moments, mopt.estimator, mopt.time_limit,
                                     &out->fit, err);
    else if (st == BRISK_OK)
        st = brisk_fit_ml(out->model, out->moments,
                          &(brisk_fit_options){.robust = mopt.estimator == BRISK_ESTIMATOR_MLR,
                                               .robust_sem = mopt.estimator ==
                                                             BRISK_ESTIMATOR_MLM,
                                               .time_limit = mopt.time_limit},
                          &out->fit, err);
    /* Problems of the data (a constant item, its saturated model) name the
     * data file; problems of the model (identification, convergence) the
     * model's file. */
    if (st != BRISK_OK && err && !err->file[0])
        brisk_error_at(err, (st == BRISK_ERR_DATA || of_data) && ds->source ? ds->source : source,
                       0, 0);
    free(names);
    free(level);
    if (st != BRISK_OK)
        brisk_fitted_free(out);
    return st;
}
