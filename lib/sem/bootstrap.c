/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bootstrap of a fitted model: resampled complete cases, refits from
 * the full-sample estimates, and bootstrap standard errors and intervals. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "resample.h"
#include "sem_fit.h"
#include "sem_wls.h"

/* What a thread needs of its own: moments per group and index buffers. */
typedef struct scratch {
    brisk_moments *mom;
    unsigned *count;           /* times each case is drawn */
    unsigned *times;           /* with clusters: times each cluster is drawn */
    size_t *drawn;             /* full-information ML and WLSMV: the rows drawn */
} scratch;

typedef struct boot_run {
    const brisk_model *m;
    refit_kind kind;
    const resample_data *data;   /* REFIT_MOMENTS, per group: complete cases */
    const brisk_dataset *ds;     /* otherwise: the data set's rows */
    size_t **cases;              /* per group: its cases' rows in ds */
    const size_t *ncases;        /* per group: cases (either way) */
    size_t ngroups;
    const double *theta_hat;
    const double *scoring;       /* the full sample's inverse information per case */
    uint64_t seed;
    size_t nrows;                /* parameter-table rows */
    bool exclude_inadmissible;   /* leave out inadmissible draws */
    bool jackknife;              /* job j leaves out case j instead of resampling */
    /* With clusters (lavaan's cluster=): per group the moments' cluster of
     * each complete case, NULL without; the draws resample clusters (the
     * jackknife leaves one cluster out) and a case counts as often as its
     * cluster. */
    const brisk_moments *moments;
    double *est, *std;           /* jobs x nrows */
    bool *ok;                    /* per draw: kept */
    bool *inadmissible;          /* per draw: converged with an inadmissible solution */
    scratch *scratch;            /* per thread */
} boot_run;

static void scratch_free(scratch *s, size_t ngroups)
{
    for (size_t g = 0; s->mom && g < ngroups; g++)
        brisk_moments_free(&s->mom[g]);
    free(s->mom);
    free(s->count);
    free(s->times);
    free(s->drawn);
}

static bool scratch_init(scratch *s, const boot_run *run, size_t maxn)
{
    size_t p = run->m->p;
    s->mom = calloc(run->ngroups, sizeof *s->mom);
    s->count = malloc((maxn ? maxn : 1) * sizeof *s->count);
    s->times = malloc((maxn ? maxn : 1) * sizeof *s->times);
    if (!s->times)
        return false;
    s->drawn = malloc((maxn ? maxn : 1) * sizeof *s->drawn);
    if (run->kind != REFIT_MOMENTS)   /* the moments are built per draw */
        return s->mom && s->count && s->drawn;
    for (size_t g = 0; s->mom && g < run->ngroups; g++) {
        s->mom[g].p = p;
        s->mom[g].cov = malloc((p ? p * p : 1) * sizeof(double));
        s->mom[g].mean = malloc((p ? p : 1) * sizeof(double));
        if (!s->mom[g].cov || !s->mom[g].mean)
            return false;
    }
    return s->mom && s->count && s->drawn;
}

/* Group g's counts in job i: a resample (r), or (jackknife) every case
 * but the one *rest counts down to across groups; with clusters, of the
 * group's clusters, each case as often as its cluster. */
static void job_counts(const boot_run *run, brisk_rng *r, size_t g, size_t *rest,
                       unsigned *count, unsigned *times)
{
    size_t n = run->ncases[g];
    const size_t *cluster = run->moments ? run->moments[g].cluster : NULL;
    if (cluster) {
        size_t C = run->moments[g].nclusters;
        if (!run->jackknife) {
            brisk_resample_counts(r, C, times);
        } else {
            for (size_t c = 0; c < C; c++)
                times[c] = c != *rest;
            *rest = *rest < C ? (size_t)-1 : *rest - C;
        }
        for (size_t j = 0; j < n; j++)
            count[j] = times[cluster[j]];
        return;
    }
    if (!run->jackknife) {
        brisk_resample_counts(r, n, count);
        return;
    }
    for (size_t j = 0; j < n; j++)
        count[j] = j != *rest;
    *rest = *rest < n ? (size_t)-1 : *rest - n;
}

/* The sample of job i as every group's moments: from the sufficient
 * statistics, or (full-information ML, WLSMV) from the rows drawn. */
static bool job_moments(const boot_run *run, size_t i, scratch *s)
{
    brisk_rng r;   /* draw i's numbers depend on the seed and i alone */
    brisk_rng_seed(&r, run->seed, i);
    size_t rest = run->jackknife ? i : (size_t)-1;   /* the case left out, across groups */
    bool ok = true;
    for (size_t g = 0; g < run->ngroups; g++) {
        job_counts(run, &r, g, &rest, s->count, s->times);
        if (run->kind == REFIT_MOMENTS) {
            brisk_resample_moments(&run->data[g], s->count, &s->mom[g]);
            continue;
        }
        size_t n = 0;
        for (size_t j = 0; j < run->ncases[g]; j++)
            for (unsigned c = 0; c < s->count[j]; c++)
                s->drawn[n++] = run->cases[g][j];
        ok = ok && brisk_refit_moments(run->kind, run->m, run->ds, s->drawn, n, &s->mom[g]);
    }
    if (ok && run->m->weight)
        brisk_moments_normalise_weights(s->mom, run->ngroups);
    return ok;
}

static void boot_job(size_t i, size_t thread, void *ctx)
{
    boot_run *run = ctx;
    scratch *s = &run->scratch[thread];
    run->ok[i] = run->inadmissible[i] = false;
    brisk_fit *fit = NULL;
    if (job_moments(run, i, s) &&
        brisk_refit(run->kind, run->m, s->mom, run->theta_hat, run->scoring, &fit) == BRISK_OK)
        run->inadmissible[i] = !fit->admissible;
    if (fit && !(run->inadmissible[i] && run->exclude_inadmissible)) {
        for (size_t r = 0; r < run->nrows; r++) {
            run->est[i * run->nrows + r] = fit->rows[r].est;
            run->std[i * run->nrows + r] = fit->rows[r].std_all;
        }
        run->ok[i] = true;
    }
    brisk_fit_free(fit);
    for (size_t g = 0; run->kind != REFIT_MOMENTS && g < run->ngroups; g++)
        brisk_moments_free(&s->mom[g]);
}

/* ------------------------------------------------------------ summaries */

/* Values of row r over the successful jobs, sorted; returns the count. */
static size_t collect(const double *values, const bool *ok, size_t njobs, size_t nrows, size_t r,
                      double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < njobs; i++)
        if (ok[i] && isfinite(values[i * nrows + r]))
            out[n++] = values[i * nrows + r];
    brisk_sort_draws(out, n);
    return n;
}

/* Acceleration of BCa from the jackknife values (jack->est or jack->std)
 * of row r, the influence values taken within each case's group (jobs
 * are the cases of group 0, then of group 1, ...); failed jobs are left
 * out. */
static double acceleration(const boot_run *jack, const double *values, size_t r, double *buf)
{
    double l3 = 0, l2 = 0;
    for (size_t g = 0, first = 0; g < jack->ngroups; first += jack->ncases[g++]) {
        size_t n = 0;
        for (size_t i = first; i < first + jack->ncases[g]; i++)
            if (jack->ok[i] && isfinite(values[i * jack->nrows + r]))
                buf[n++] = values[i * jack->nrows + r];
        brisk_jackknife_sums(buf, n, &l3, &l2);
    }
    return brisk_bca_acceleration(l3, l2);
}

/* The 95% interval: percentile, or BCa with acceleration a. */
static void interval(const double *sorted, size_t n, double theta, brisk_ci_type ci,
                     double a, double *lo, double *hi)
{
    if (ci == BRISK_CI_BCA) {
        brisk_bca_interval(sorted, n, theta, a, lo, hi);
        return;
    }
    *lo = brisk_quantile_sorted(sorted, n, 0.025);
    *hi = brisk_quantile_sorted(sorted, n, 0.975);
}

/* Rows whose estimate varies from draw to draw... */
static bool varies(const brisk_param *p)
{
    return p->free > 0 || p->op == BRISK_OP_DEFINE;
}

/* ...and whose std.all does: also a fixed loading (a marker), not a
 * covariate's fixed moments. */
static bool std_varies(const brisk_param *p)
{
    return !p->fixed_x;
}

/* Bootstrap SEs and intervals into the fit's rows. */
static bool summarise(const boot_run *run, const boot_run *jack, size_t draws, size_t njack,
                      brisk_ci_type ci, brisk_fit *fit)
{
    double *v = malloc((draws > njack ? draws : njack) * sizeof *v + sizeof *v);
    if (!v)
        return false;
    for (size_t r = 0; r < run->nrows; r++) {
        const brisk_param *p = &run->m->params[r];
        brisk_estimate *e = &fit->rows[r];
        bool bca = ci == BRISK_CI_BCA;
        if (varies(p)) {
            double a = bca ? acceleration(jack, jack->est, r, v) : 0;
            size_t n = collect(run->est, run->ok, draws, run->nrows, r, v);
            e->se = brisk_bootstrap_se(v, n, p->op == BRISK_OP_DEFINE);
            interval(v, n, e->est, ci, a, &e->ci_lower, &e->ci_upper);
            e->z = e->se > 0 ? e->est / e->se : NAN;
            e->pvalue = e->se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(e->z)) : NAN;
        }
        if (std_varies(p)) {
            double a = bca ? acceleration(jack, jack->std, r, v) : 0;
            size_t n = collect(run->std, run->ok, draws, run->nrows, r, v);
            e->std_se = brisk_draws_sd(v, n);
            interval(v, n, e->std_all, ci, a, &e->std_ci_lower, &e->std_ci_upper);
        }
    }
    free(v);
    return true;
}

/* ------------------------------------------------------------ the run */

static void run_free(boot_run *run, size_t nthreads)
{
    for (size_t t = 0; run->scratch && t < nthreads; t++)
        scratch_free(&run->scratch[t], run->ngroups);
    free(run->scratch);
    free(run->est);
    free(run->std);
    free(run->ok);
    free(run->inadmissible);
}

static bool run_init(boot_run *run, size_t njobs, size_t nthreads)
{
    size_t maxn = 0;
    for (size_t g = 0; g < run->ngroups; g++)
        maxn = run->ncases[g] > maxn ? run->ncases[g] : maxn;
    run->est = malloc((njobs ? njobs : 1) * run->nrows * sizeof *run->est + sizeof(double));
    run->std = malloc((njobs ? njobs : 1) * run->nrows * sizeof *run->std + sizeof(double));
    run->ok = calloc(njobs ? njobs : 1, sizeof *run->ok);
    run->inadmissible = calloc(njobs ? njobs : 1, sizeof *run->inadmissible);
    run->scratch = calloc(nthreads, sizeof *run->scratch);
    bool ok = run->est && run->std && run->ok && run->inadmissible && run->scratch;
    for (size_t t = 0; ok && t < nthreads; t++)
        ok = scratch_init(&run->scratch[t], run, maxn);
    return ok;
}

/* The rows of a group a full-information ML fit uses (at least one
 * answer, every fixed covariate), a pairwise WLSMV fit (at least one
 * answer) or a listwise WLSMV fit (every answer: every), as lavaan
 * resamples them. */
static size_t *case_rows(const brisk_model *m, const brisk_dataset *ds, const size_t *rows,
                         size_t nrows, bool every, size_t *n)
{
    size_t *out = malloc((nrows ? nrows : 1) * sizeof *out);
    const brisk_column **cols = malloc((m->p ? m->p : 1) * sizeof *cols);
    *n = 0;
    for (size_t j = 0; cols && j < m->p; j++)
        cols[j] = brisk_dataset_find(ds, m->ov[j]);
    for (size_t i = 0; out && cols && i < nrows; i++) {
        size_t answered = 0;
        bool covariates = true;   /* full-information ML needs them (moments.c) */
        for (size_t j = 0; j < m->p; j++) {
            bool present = cols[j] && !brisk_is_missing(cols[j], rows[i]) &&
                           !isnan(cols[j]->num[rows[i]]);
            answered += present;
            covariates = covariates && (present || !brisk_sem_is_fixed_x(m, j));
        }
        if (every ? answered == m->p : answered > 0 && covariates)
            out[(*n)++] = rows[i];
    }
    if (!cols) {
        free(out);
        out = NULL;
    }
    free(cols);
    return out;
}

/* What became of the draws that did not converge or were inadmissible. */
static brisk_status draws_warning(brisk_fit *fit, const brisk_bootstrap_info *info,
                                  brisk_error *err)
{
    brisk_status st = BRISK_OK;
    if (info->failed)
        st = brisk_fit_warn(fit, "%zu of %zu bootstrap draws did not converge and were left "
                            "out", info->failed, info->draws);
    if (st == BRISK_OK && info->inadmissible)
        st = brisk_fit_warn(fit, "%zu of %zu bootstrap draws had an inadmissible solution (a "
                            "negative variance or a correlation beyond 1) and were %s",
                            info->inadmissible, info->draws,
                            info->excluded ? "left out (--exclude-inadmissible)"
                                           : "kept, as lavaan keeps them");
    return st == BRISK_OK ? BRISK_OK : brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
}

brisk_status brisk_bootstrap_fit(brisk_fitted *fitted, const brisk_dataset *ds,
                                 const brisk_bootstrap_options *opt,
                                 brisk_bootstrap_info *info, brisk_error *err)
{
    const brisk_model *m = fitted->model;
    size_t G = fitted->ngroups, draws = opt->draws;
    unsigned nthreads = opt->threads ? opt->threads : 1;
    if (fitted->fit && brisk_estimator_least_squares(fitted->fit->fit.estimator))
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "the bootstrap of a least-squares fit "
                               "(--estimator %s) is not available: its draws are refitted "
                               "by ML", brisk_estimator_key(fitted->fit->fit.estimator));
    /* ML and MLR (the same estimates) refit a draw's moments; full-
     * information ML and WLSMV their own from the rows drawn */
    refit_kind kind = brisk_refit_kind(fitted);
    resample_data *data = calloc(G, sizeof *data);
    size_t **cases = calloc(G, sizeof *cases), *ncases = calloc(G, sizeof *ncases);
    size_t q = m->nfree, ntotal = 0;
    for (size_t g = 0; g < G; g++)
        ntotal += fitted->moments[g].n;
    double *scoring = malloc((q ? q * q : 1) * sizeof *scoring);
    for (size_t k = 0; scoring && k < q * q; k++)
        scoring[k] = (double)ntotal * fitted->fit->vcov[k];
    boot_run run = {.m = m, .kind = kind, .data = data, .ds = ds, .cases = cases,
                    .ncases = ncases, .ngroups = G, .theta_hat = fitted->fit->theta,
                    .scoring = scoring, .seed = opt->seed, .nrows = m->nparams,
                    .exclude_inadmissible = opt->exclude_inadmissible &&
                                            fitted->fit->admissible,
                    .moments = fitted->moments};
    boot_run jack = run;
    jack.jackknife = true;
    brisk_status st = data && cases && ncases && scoring ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t g = 0; st == BRISK_OK && g < G; g++) {
        if (kind == REFIT_MOMENTS) {
            if (!brisk_resample_data(m, ds, fitted->group_rows[g], fitted->ngroup_rows[g], true,
                                     &data[g]))
                st = BRISK_ERR_NOMEM;
            ncases[g] = data[g].n;
        } else if (!(cases[g] = case_rows(m, ds, fitted->group_rows[g], fitted->ngroup_rows[g],
                                          kind == REFIT_WLSMV && !brisk_model_pairwise(m),
                                          &ncases[g]))) {
            st = BRISK_ERR_NOMEM;
        }
    }
    /* with clusters the jackknife leaves out a cluster at a time */
    size_t units = 0;
    for (size_t g = 0; g < G; g++)
        units += fitted->moments[g].cluster ? fitted->moments[g].nclusters : ncases[g];
    size_t njack = opt->ci == BRISK_CI_BCA && st == BRISK_OK ? units : 0;
    if (st == BRISK_OK && (!run_init(&run, draws, nthreads) ||
                           (njack && !run_init(&jack, njack, nthreads))))
        st = BRISK_ERR_NOMEM;
    if (st == BRISK_OK &&
        (!brisk_run_parallel(draws, nthreads, boot_job, &run, opt->progress, opt->progress_ctx) ||
         (njack && !brisk_run_parallel(njack, nthreads, boot_job, &jack, NULL, NULL)) ||
         !summarise(&run, &jack, draws, njack, opt->ci, fitted->fit)))
        st = BRISK_ERR_NOMEM;
    if (st == BRISK_OK) {
        *info = (brisk_bootstrap_info){.draws = draws, .seed = opt->seed, .ci = opt->ci,
                                       .excluded = run.exclude_inadmissible};
        size_t kept = 0;
        for (size_t i = 0; i < draws; i++) {
            kept += run.ok[i];
            info->inadmissible += run.inadmissible[i];
            info->failed += !run.ok[i] && !run.inadmissible[i];
        }
        if (kept == 0)
            st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "none of the %zu bootstrap "
                                 "draws could be used (%zu did not converge, %zu were "
                                 "inadmissible); the model is too fragile for these data",
                                 draws, info->failed, info->inadmissible);
        else
            st = draws_warning(fitted->fit, info, err);
    } else {
        brisk_error_set(err, st, "out of memory");
    }
    run_free(&run, nthreads);
    if (njack)
        run_free(&jack, nthreads);
    for (size_t g = 0; data && g < G; g++)
        brisk_resample_data_free(&data[g]);
    for (size_t g = 0; cases && g < G; g++)
        free(cases[g]);
    free(data);
    free(cases);
    free(ncases);
    free(scoring);
    return st;
}
