/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Paths compared between behaviours answered by the same respondents:
 * one bootstrap resample of respondents per draw, every behaviour refitted
 * on it, differences judged by their bootstrap distribution. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis_internal.h"
#include "brisk/analysis.h"
#include "brisk/stats.h"
#include "brisk/survey.h"
#include "sem/resample.h"
#include "stats/sampling.h"

/* Everything a draw needs, and what draws leave behind. */
typedef struct compare_run {
    const brisk_survey_fits *fits;
    const brisk_survey_data *d;
    size_t K;                    /* behaviours */
    refit_kind *kind;            /* per behaviour: how a draw is refitted */
    resample_data *data;         /* per behaviour, one row per respondent (ML, MLR) */
    size_t R;                    /* respondents */
    /* With clusters or strata in the survey's design: its PSUs are drawn,
     * within strata, each respondent counting as often as its PSU is
     * drawn (first_psu[h]: stratum h's first PSU; they are consecutive). */
    const sampling_design *design;
    size_t *first_psu;
    unsigned **psu_count;        /* per thread */
    double **scoring;            /* per behaviour: the full sample's inverse information */
    const size_t *rows;          /* compared parameter-table rows (same in every behaviour) */
    size_t nrows;
    uint64_t seed;
    double *est, *std;           /* draws x K x nrows */
    bool *ok;                    /* per draw: kept */
    bool *inadmissible;          /* per draw: converged, inadmissible in some behaviour */
    bool exclude_inadmissible;   /* leave those out */
    brisk_moments *mom;          /* per thread */
    unsigned **count;            /* per thread: times each respondent is drawn */
    size_t **drawn;              /* per thread: a behaviour's rows drawn (FIML, WLSMV) */
    size_t draws, failed, ninadmissible;
    size_t left_out;             /* draws not used: failed, or inadmissible and excluded */
    unsigned nthreads;
    bool defined_only;           /* bootstrap only the := rows */
    double *scratch;             /* draws + 1 values, for summaries */
} compare_run;

/* How often each respondent is in draw r: a resample of respondents, or
 * (a clustered or stratified design) of each stratum's n_h PSUs drawn
 * with replacement from its n_h, every respondent of a PSU with it (the
 * bootstrap of Rao and Wu with n_h draws; with one PSU per respondent and
 * one stratum the same draws as the respondents'). */
static void draw_counts(const compare_run *run, brisk_rng *r, size_t thread, unsigned *count)
{
    const sampling_design *d = run->design;
    if (!run->first_psu) {
        brisk_resample_counts(r, run->R, count);
        return;
    }
    unsigned *times = run->psu_count[thread];
    memset(times, 0, d->npsu * sizeof *times);
    for (size_t h = 0; h < d->nstrata; h++) {
        size_t first = run->first_psu[h], n = run->first_psu[h + 1] - first;
        for (size_t k = 0; k < n; k++)
            times[first + brisk_rng_index(r, n)]++;
    }
    for (size_t i = 0; i < run->R; i++)
        count[i] = times[d->psu[i]];
}

static void compare_job(size_t i, size_t thread, void *ctx)
{
    compare_run *run = ctx;
    brisk_rng r;   /* draw i's numbers depend on the seed and i alone */
    brisk_rng_seed(&r, run->seed, i);
    unsigned *count = run->count[thread];
    draw_counts(run, &r, thread, count);
    run->ok[i] = true;
    run->inadmissible[i] = false;
    for (size_t b = 0; run->ok[i] && b < run->K; b++) {
        const brisk_fitted *f = &run->fits->fitted[b];
        brisk_moments drawn_mom = {0}, *mom = &run->mom[thread];
        if (run->kind[b] == REFIT_MOMENTS) {
            brisk_resample_moments(&run->data[b], count, mom);
        } else {   /* the behaviour's rows of the respondents drawn, as often as drawn */
            size_t n = 0, *rows = run->drawn[thread];
            for (size_t who = 0; who < run->R; who++)
                for (unsigned c = 0;
                     c < count[who] && run->d->respondent_row[b][who] != (size_t)-1; c++)
                    rows[n++] = run->d->respondent_row[b][who];
            mom = &drawn_mom;
            if (!brisk_refit_moments(run->kind[b], f->model, run->d->ds, rows, n, mom)) {
                brisk_moments_free(mom);
                run->ok[i] = false;
                break;
            }
        }
        brisk_fit *fit = NULL;
        run->ok[i] = brisk_refit(run->kind[b], f->model, mom, f->fit->theta, run->scoring[b],
                                 &fit) == BRISK_OK;
        if (mom == &drawn_mom)
            brisk_moments_free(mom);
        if (run->ok[i] && !fit->admissible && f->fit->admissible) {
            /* kept, as lavaan keeps converged draws, unless asked not to */
            run->inadmissible[i] = true;
            run->ok[i] = !run->exclude_inadmissible;
        }
        for (size_t j = 0; run->ok[i] && j < run->nrows; j++) {
            size_t at = (i * run->K + b) * run->nrows + j;
            run->est[at] = fit->rows[run->rows[j]].est;
            run->std[at] = fit->rows[run->rows[j]].std_all;
        }
        brisk_fit_free(fit);
    }
}

/* ------------------------------------------------------------ setup */

/* Structural paths and defined parameters: what behaviours are compared on
 * (only the defined ones when defined_only). */
static size_t compared_rows(const brisk_model *m, bool defined_only, size_t *rows)
{
    size_t n = 0;
    for (size_t r = 0; r < brisk_model_nparams(m); r++) {
        const brisk_param *p = brisk_model_param(m, r);
        if ((p->op == BRISK_OP_REGRESS && p->free && !defined_only) || p->op == BRISK_OP_DEFINE)
            rows[n++] = r;
    }
    return n;
}

static void run_free(compare_run *run)
{
    unsigned nthreads = run->nthreads;
    for (size_t b = 0; run->data && b < run->K; b++)
        brisk_resample_data_free(&run->data[b]);
    for (size_t b = 0; run->scoring && b < run->K; b++)
        free(run->scoring[b]);
    for (unsigned t = 0; run->mom && t < nthreads; t++)
        brisk_moments_free(&run->mom[t]);
    for (unsigned t = 0; run->count && t < nthreads; t++)
        free(run->count[t]);
    for (unsigned t = 0; run->drawn && t < nthreads; t++)
        free(run->drawn[t]);
    free(run->drawn);
    free(run->kind);
    free(run->data);
    free(run->scoring);
    free(run->mom);
    free(run->count);
    free(run->est);
    free(run->std);
    free(run->ok);
    free(run->inadmissible);
    free(run->scratch);
    free((void *)run->rows);
    for (unsigned t = 0; run->psu_count && t < nthreads; t++)
        free(run->psu_count[t]);
    free(run->psu_count);
    free(run->first_psu);
}

/* What a draw resamples, as the notes say it: "the 600 respondents", or
 * the design's PSUs within its strata. */
static void draws_of(const compare_run *run, char *buf, size_t size)
{
    const brisk_survey *s = run->d->survey;
    if (!run->first_psu) {
        snprintf(buf, size, "the %zu respondents", run->R);
        return;
    }
    char strata[160] = "";
    if (s->strata)
        snprintf(strata, sizeof strata, " within each of the %zu strata of '%.100s'",
                 run->design->nstrata, s->strata);
    if (s->cluster)
        snprintf(buf, size, "the %zu clusters of '%.100s'%s (each stratum's clusters drawn as "
                 "many times as it has, with replacement; a respondent counts as often as "
                 "its cluster)", run->design->npsu, s->cluster, strata);
    else
        snprintf(buf, size, "the %zu respondents%s (each stratum's respondents drawn as many "
                 "times as it has, with replacement)", run->R, strata);
}

static bool run_init(compare_run *run, const brisk_survey_data *d)
{
    size_t draws = run->draws;
    unsigned nthreads = run->nthreads;
    const brisk_model *m0 = run->fits->fitted[0].model;
    size_t K = run->K, R = run->R, p = brisk_model_nobserved(m0), q = brisk_model_nfree(m0);
    size_t *rows = malloc((brisk_model_nparams(m0) + 1) * sizeof *rows);
    run->rows = rows;
    run->data = calloc(K, sizeof *run->data);
    run->scoring = calloc(K, sizeof *run->scoring);
    run->mom = calloc(nthreads, sizeof *run->mom);
    run->count = calloc(nthreads, sizeof *run->count);
    run->drawn = calloc(nthreads, sizeof *run->drawn);
    run->kind = calloc(K + 1, sizeof *run->kind);
    bool ok = rows && run->data && run->scoring && run->mom && run->count && run->drawn &&
              run->kind;
    run->nrows = ok ? compared_rows(m0, run->defined_only, rows) : 0;
    run->est = malloc((draws * K * run->nrows + 1) * sizeof *run->est);
    run->std = malloc((draws * K * run->nrows + 1) * sizeof *run->std);
    run->ok = calloc(draws + 1, sizeof *run->ok);
    run->inadmissible = calloc(draws + 1, sizeof *run->inadmissible);
    run->scratch = malloc((draws + 1) * sizeof *run->scratch);
    ok = ok && run->est && run->std && run->ok && run->scratch;
    for (size_t b = 0; ok && b < K; b++) {
        const brisk_fitted *f = &run->fits->fitted[b];
        size_t ntotal = f->moments[0].n;
        run->kind[b] = brisk_refit_kind(f);
        ok = (run->kind[b] != REFIT_MOMENTS ||
              brisk_resample_data(f->model, d->ds, d->respondent_row[b], R, false,
                                  &run->data[b])) &&
             (run->scoring[b] = malloc((q ? q * q : 1) * sizeof(double))) != NULL;
        for (size_t k = 0; ok && k < q * q; k++)
            run->scoring[b][k] = (double)ntotal * f->fit->vcov[k];
    }
    const sampling_design *sd = d->design;
    if (ok && sd && (sd->clustered || sd->stratified)) {
        run->design = sd;
        run->first_psu = calloc(sd->nstrata + 2, sizeof *run->first_psu);
        run->psu_count = calloc(nthreads, sizeof *run->psu_count);
        ok = run->first_psu && run->psu_count;
        for (size_t c = 0; ok && c < sd->npsu; c++)    /* strata's PSUs are consecutive */
            run->first_psu[sd->psu_stratum[c] + 1] = c + 1;
        for (unsigned t = 0; ok && t < nthreads; t++)
            ok = (run->psu_count[t] = malloc((sd->npsu + 1) * sizeof **run->psu_count)) != NULL;
    }
    for (unsigned t = 0; ok && t < nthreads; t++) {
        run->mom[t] = (brisk_moments){.p = p, .cov = malloc((p * p + 1) * sizeof(double)),
                                      .mean = malloc((p + 1) * sizeof(double))};
        run->count[t] = malloc((R + 1) * sizeof **run->count);
        run->drawn[t] = malloc((R + 1) * sizeof **run->drawn);
        ok = run->mom[t].cov && run->mom[t].mean && run->count[t] && run->drawn[t];
    }
    return ok;
}

/* ------------------------------------------------------------ summaries */

typedef struct summary {
    double se, lo, hi;
} summary;

/* SD and percentile interval of values[0..n) (reordered). */
static summary summarise(double *values, size_t n)
{
    summary s = {NAN, NAN, NAN};
    if (n < 2)
        return s;
    s.se = brisk_draws_sd(values, n);
    brisk_sort_draws(values, n);
    s.lo = brisk_quantile_sorted(values, n, 0.025);
    s.hi = brisk_quantile_sorted(values, n, 0.975);
    return s;
}

/* Draw values of a x (behaviour b, compared row j) minus those of (c, j)
 * (c == K: no subtraction), over the successful draws where it is finite. */
static size_t draw_values(const compare_run *run, const double *source, size_t b, size_t c,
                          size_t j)
{
    double *out = run->scratch;
    size_t n = 0;
    for (size_t i = 0; i < run->draws; i++) {
        if (!run->ok[i])
            continue;
        double v = source[(i * run->K + b) * run->nrows + j];
        if (c < run->K)
            v -= source[(i * run->K + c) * run->nrows + j];
        if (isfinite(v))   /* a std.all can be undefined in an inadmissible draw */
            out[n++] = v;
    }
    return n;
}

/* The bootstrap summary of behaviour b's compared row j (c == K), or of
 * its difference from behaviour c's. */
static summary draw_summary(const compare_run *run, const double *source, size_t b, size_t c,
                            size_t j)
{
    return summarise(run->scratch, draw_values(run, source, b, c, j));
}

/* Wald test that a path is equal in all K behaviours: the K-1 differences
 * from the first behaviour, with their bootstrap covariance. */
static void omnibus(const compare_run *run, size_t j, double *chisq, double *df, double *p)
{
    size_t draws = run->draws;
    size_t K = run->K, d = K - 1, n = 0;
    *chisq = *df = *p = NAN;
    if (d == 0)
        return;
    double *mean = calloc(d, sizeof *mean), *cov = calloc(d * d, sizeof *cov),
           *diff = calloc(d, sizeof *diff), *x = calloc(d, sizeof *x);
    for (size_t i = 0; mean && cov && diff && x && i < draws; i++) {
        if (!run->ok[i])
            continue;
        const double *e = run->est + i * K * run->nrows;
        bool finite = true;
        for (size_t a = 0; a < d; a++) {
            diff[a] = e[(a + 1) * run->nrows + j] - e[j];
            finite &= isfinite(diff[a]) != 0;
        }
        if (!finite)
            continue;
        n++;
        for (size_t a = 0; a < d; a++) {
            mean[a] += diff[a];
            for (size_t c = 0; c < d; c++)
                cov[a * d + c] += diff[a] * diff[c];
        }
    }
    if (n > d + 1 && mean && cov && diff && x) {
        for (size_t a = 0; a < d; a++)
            mean[a] /= (double)n;
        for (size_t a = 0; a < d; a++)
            for (size_t c = 0; c < d; c++)
                cov[a * d + c] = (cov[a * d + c] - (double)n * mean[a] * mean[c]) / (double)(n - 1);
        for (size_t a = 0; a < d; a++)
            diff[a] = run->fits->fitted[a + 1].fit->rows[run->rows[j]].est -
                      run->fits->fitted[0].fit->rows[run->rows[j]].est;
        gsl_matrix_view C = gsl_matrix_view_array(cov, d, d);
        gsl_vector_view b = gsl_vector_view_array(diff, d), xv = gsl_vector_view_array(x, d);
        if (gsl_linalg_cholesky_decomp1(&C.matrix) == GSL_SUCCESS &&
            gsl_linalg_cholesky_solve(&C.matrix, &b.vector, &xv.vector) == GSL_SUCCESS) {
            double w = 0;
            for (size_t a = 0; a < d; a++)
                w += diff[a] * x[a];
            *chisq = w;
            *df = (double)d;
            *p = gsl_cdf_chisq_Q(w, (double)d);
        }
    }
    free(mean);
    free(cov);
    free(diff);
    free(x);
}

/* ------------------------------------------------------------ tables */

/* A behaviour's label; a survey without behaviours has one fit, of all
 * respondents. */
static const char *behaviour_label(const brisk_survey *s, const char *key)
{
    if (!key)
        return "all respondents";
    for (size_t b = 0; b < s->nbehaviours; b++)
        if (strcmp(s->behaviours[b].key, key) == 0)
            return s->behaviours[b].value;
    return key;
}

static void path_text(const brisk_param *p, char *buf, size_t size)
{
    if (p->op == BRISK_OP_DEFINE)
        snprintf(buf, size, "%s := %s", p->lhs, p->expr);
    else
        snprintf(buf, size, "%s ~ %s", p->lhs, p->rhs);
}

static brisk_status add_col(brisk_table *t, const char *key, const char *header,
                            brisk_cell_kind kind, const char *group)
{
    size_t j = brisk_table_add_column(t, key, header, kind, 3);
    if (j == (size_t)-1)
        return BRISK_ERR_NOMEM;
    return group ? brisk_table_set_group(t, j, group) : BRISK_OK;
}

/* The sampling weights' column of the fits, or NULL. */
static const char *weight_of(const compare_run *run)
{
    return run->fits->n ? brisk_model_weight(run->fits->fitted[0].model) : NULL;
}

static brisk_table *paths_table(const compare_run *run, const brisk_survey *s)
{
    char what[600];
    draws_of(run, what, sizeof what);
    brisk_table *t = brisk_table_new("compare.paths", "Paths by behaviour (same respondents)");
    brisk_status st = t ? add_col(t, "path", "Path", BRISK_CELL_TEXT, NULL) : BRISK_ERR_NOMEM;
    for (size_t b = 0; !st && b < run->K; b++) {
        const char *key = run->fits->groups[b], *label = behaviour_label(s, key);
        char k1[96], k2[96], k3[96];
        snprintf(k1, sizeof k1, "%s_est", key);
        snprintf(k2, sizeof k2, "%s_se", key);
        snprintf(k3, sizeof k3, "%s_std", key);
        st = add_col(t, k1, "Est.", BRISK_CELL_NUMBER, label);
        if (!st)
            st = add_col(t, k2, "SE", BRISK_CELL_NUMBER, label);
        if (!st)
            st = add_col(t, k3, "Std.", BRISK_CELL_NUMBER, label);
    }
    if (!st && (st = add_col(t, "wald_chisq", "Wald chi-square", BRISK_CELL_NUMBER, "Equal in all")) == BRISK_OK &&
        (st = add_col(t, "wald_df", "df", BRISK_CELL_INT, "Equal in all")) == BRISK_OK)
        st = add_col(t, "wald_p", "p", BRISK_CELL_PVALUE, "Equal in all");
    for (size_t j = 0; !st && j < run->nrows; j++) {
        const brisk_model *m0 = run->fits->fitted[0].model;
        char text[400];
        path_text(brisk_model_param(m0, run->rows[j]), text, sizeof text);
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, text)) {
            st = BRISK_ERR_NOMEM;
            break;
        }
        for (size_t b = 0; b < run->K; b++) {
            const brisk_estimate *e = &run->fits->fitted[b].fit->rows[run->rows[j]];
            brisk_table_set_num(t, row, 1 + 3 * b, e->est);
            brisk_table_set_num(t, row, 2 + 3 * b, draw_summary(run, run->est, b, run->K, j).se);
            brisk_table_set_num(t, row, 3 + 3 * b, e->std_all);
        }
        double chisq, df, p;
        omnibus(run, j, &chisq, &df, &p);
        brisk_table_set_num(t, row, 1 + 3 * run->K, chisq);
        brisk_table_set_num(t, row, 2 + 3 * run->K, df);
        brisk_table_set_num(t, row, 3 + 3 * run->K, p);
    }
    if (!st)
        st = brisk_table_add_note(t, "SE: bootstrap standard error from %zu draws of %s "
                                  "(seed %llu; %zu draw%s left out), each "
                                  "behaviour refitted (%s%s%s%s) on the same resample. Wald "
                                  "test that the path is equal in all behaviours, with the "
                                  "bootstrap covariance of the differences.", run->draws, what,
                                  (unsigned long long)run->seed, run->left_out,
                                  run->left_out == 1 ? "" : "s",
                                  brisk_fitted_estimator(&run->fits->fitted[0]),
                                  weight_of(run) ? "; the respondents drawn keep their weights, '"
                                                 : "",
                                  weight_of(run) ? weight_of(run) : "",
                                  weight_of(run) ? "'" : "");
    if (st) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

static const struct {
    const char *key, *header;
    brisk_cell_kind kind;
} diff_columns[] = {
    {"path", "Path", BRISK_CELL_TEXT}, {"behaviour_a", "Behaviour", BRISK_CELL_TEXT},
    {"behaviour_b", "minus", BRISK_CELL_TEXT}, {"diff", "Difference", BRISK_CELL_NUMBER},
    {"se", "SE", BRISK_CELL_NUMBER}, {"ci_lower", "CI lower", BRISK_CELL_NUMBER},
    {"ci_upper", "CI upper", BRISK_CELL_NUMBER}, {"z", "z", BRISK_CELL_NUMBER},
    {"pvalue", "p", BRISK_CELL_PVALUE}, {"pvalue_holm", "p (Holm)", BRISK_CELL_PVALUE},
    {"diff_std", "Std. difference", BRISK_CELL_NUMBER}, {"std_ci_lower", "Std. CI lower", BRISK_CELL_NUMBER},
    {"std_ci_upper", "Std. CI upper", BRISK_CELL_NUMBER},
};
enum { DIFF_P = 8, DIFF_HOLM = 9 };   /* the p columns of diff_columns */

/* One row of the differences: behaviour a minus b on compared row j; the
 * Holm column (when there is one) is filled later. */
static brisk_status difference_row(brisk_table *t, const compare_run *run, const brisk_survey *s,
                                   size_t j, size_t a, size_t b, bool adjust)
{
    const brisk_model *m0 = run->fits->fitted[0].model;
    size_t r = run->rows[j];
    char text[400];
    path_text(brisk_model_param(m0, r), text, sizeof text);
    size_t row = brisk_table_add_row(t);
    if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, text) ||
        brisk_table_set_text(t, row, 1, behaviour_label(s, run->fits->groups[a])) ||
        brisk_table_set_text(t, row, 2, behaviour_label(s, run->fits->groups[b])))
        return BRISK_ERR_NOMEM;
    const brisk_estimate *ea = &run->fits->fitted[a].fit->rows[r];
    const brisk_estimate *eb = &run->fits->fitted[b].fit->rows[r];
    double diff = ea->est - eb->est;
    summary sm = draw_summary(run, run->est, a, b, j);
    summary ss = draw_summary(run, run->std, a, b, j);
    double z = sm.se > 0 ? diff / sm.se : NAN;
    double v[] = {diff, sm.se, sm.lo, sm.hi, z, isfinite(z) ? 2 * gsl_cdf_ugaussian_Q(fabs(z)) : NAN,
                  NAN, ea->std_all - eb->std_all, ss.lo, ss.hi};
    for (size_t k = 0, col = 3; k < sizeof v / sizeof v[0]; k++)
        if (k + 3 != DIFF_HOLM || adjust)   /* without Holm, no column for it */
            brisk_table_set_num(t, row, col++, v[k]);
    return BRISK_OK;
}

/* Holm's adjustment over every p-value of the column (a row without one
 * is not a test). */
static brisk_status holm(brisk_table *t, size_t pcol, size_t outcol)
{
    double *p = malloc((t->nrows + 1) * sizeof *p);
    if (!p)
        return BRISK_ERR_NOMEM;
    for (size_t i = 0; i < t->nrows; i++)
        p[i] = brisk_table_cell(t, i, pcol)->num;
    bool ok = brisk_holm(p, t->nrows, p);
    for (size_t i = 0; ok && i < t->nrows; i++)
        brisk_table_set_num(t, i, outcol, p[i]);
    free(p);
    return ok ? BRISK_OK : BRISK_ERR_NOMEM;
}

static brisk_table *differences_table(const compare_run *run, const brisk_survey *s, bool adjust)
{
    brisk_table *t = brisk_table_new("compare.differences",
                                     "Differences between behaviours (same respondents)");
    brisk_status st = t ? BRISK_OK : BRISK_ERR_NOMEM;
    for (size_t k = 0; !st && k < sizeof diff_columns / sizeof diff_columns[0]; k++)
        if ((k != DIFF_HOLM || adjust) &&
            brisk_table_add_column(t, diff_columns[k].key, diff_columns[k].header,
                                   diff_columns[k].kind, 3) == (size_t)-1)
            st = BRISK_ERR_NOMEM;
    for (size_t j = 0; !st && j < run->nrows; j++)
        for (size_t a = 0; !st && a < run->K; a++)
            for (size_t b = a + 1; !st && b < run->K; b++)
                st = difference_row(t, run, s, j, a, b, adjust);
    if (!st && adjust)
        st = holm(t, DIFF_P, DIFF_HOLM);
    if (!st)
        st = brisk_table_add_note(t, "Difference of unstandardized estimates, first behaviour "
                                  "minus second; SE and 95%% percentile interval from the same "
                                  "bootstrap; p from z = difference / SE%s.",
                                  adjust ? "; p (Holm): adjusted over every test of the table" : "");
    if (st) {
        brisk_table_free(t);
        return NULL;
    }
    return t;
}

/* Defined effects (indirect, total) of every behaviour with their
 * bootstrap intervals, from the same draws. */
static brisk_table *effects_table(const compare_run *run, const brisk_survey *s)
{
    char what[600];
    draws_of(run, what, sizeof what);
    static const struct { const char *key, *header; brisk_cell_kind kind; } cols[] = {
        {"effect", "Effect", BRISK_CELL_TEXT}, {"behaviour", "Behaviour", BRISK_CELL_TEXT},
        {"est", "Estimate", BRISK_CELL_NUMBER}, {"se", "SE", BRISK_CELL_NUMBER},
        {"ci_lower", "CI lower", BRISK_CELL_NUMBER}, {"ci_upper", "CI upper", BRISK_CELL_NUMBER},
        {"std_all", "Std.all", BRISK_CELL_NUMBER}, {"std_ci_lower", "Std. CI lower", BRISK_CELL_NUMBER},
        {"std_ci_upper", "Std. CI upper", BRISK_CELL_NUMBER},
    };
    brisk_table *t = brisk_table_new("compare.effects", "Defined effects by behaviour");
    for (size_t k = 0; t && k < sizeof cols / sizeof cols[0]; k++)
        if (brisk_table_add_column(t, cols[k].key, cols[k].header, cols[k].kind, 3) == (size_t)-1)
            goto fail;
    const brisk_model *m0 = run->fits->fitted[0].model;
    for (size_t j = 0; t && j < run->nrows; j++) {
        const brisk_param *p = brisk_model_param(m0, run->rows[j]);
        if (p->op != BRISK_OP_DEFINE)
            continue;
        for (size_t b = 0; b < run->K; b++) {
            char text[400];
            path_text(p, text, sizeof text);
            size_t row = brisk_table_add_row(t);
            if (row == (size_t)-1 || brisk_table_set_text(t, row, 0, text) ||
                brisk_table_set_text(t, row, 1, behaviour_label(s, run->fits->groups[b])))
                goto fail;
            const brisk_estimate *e = &run->fits->fitted[b].fit->rows[run->rows[j]];
            summary se = draw_summary(run, run->est, b, run->K, j);
            summary ss = draw_summary(run, run->std, b, run->K, j);
            double v[] = {e->est, se.se, se.lo, se.hi, e->std_all, ss.lo, ss.hi};
            for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
                brisk_table_set_num(t, row, 2 + k, v[k]);
        }
    }
    if (t && t->nrows &&
        brisk_table_add_note(t, "Bootstrap standard errors and 95%% percentile intervals (of the "
                             "estimate and of std.all) from %zu draws of %s "
                             "(seed %llu; %zu draw%s left out).", run->draws, what,
                             (unsigned long long)run->seed, run->left_out,
                             run->left_out == 1 ? "" : "s") != BRISK_OK)
        goto fail;
    return t;
fail:
    brisk_table_free(t);
    return NULL;
}

/* Every fit's warnings, prefixed with its behaviour. */
static brisk_status fit_warnings(const brisk_survey *s, const brisk_survey_fits *fits,
                                 brisk_table_list *out)
{
    brisk_status st = BRISK_OK;
    for (size_t b = 0; st == BRISK_OK && b < fits->n; b++) {
        const brisk_fit *f = fits->fitted[b].fit;
        for (size_t w = 0; st == BRISK_OK && w < f->nwarnings; w++)
            st = brisk_table_list_warn(out, "%s: %s", behaviour_label(s, fits->groups[b]),
                                       f->warnings[w]);
    }
    return st;
}

/* Fit every behaviour and run the draws; run and fits are freed by
 * run_end whatever this returns.  A model with nothing to bootstrap
 * (run->nrows 0) runs no draws. */
static brisk_status run_draws(const brisk_survey *s, const brisk_survey_data *d,
                              const brisk_compare_options *opt, bool defined_only,
                              compare_run *run, brisk_survey_fits *fits, brisk_table_list *out,
                              brisk_error *err)
{
    *run = (compare_run){.draws = opt->boot.draws ? opt->boot.draws : 1000,
                         .nthreads = opt->boot.threads ? opt->boot.threads : 1,
                         .defined_only = defined_only,
                         .exclude_inadmissible = opt->boot.exclude_inadmissible};
    brisk_status st = brisk_fit_survey(s, d, NULL, 0, NULL, &opt->model, fits, err);
    if (st != BRISK_OK)
        return st;
    run->fits = fits;
    run->d = d;
    run->K = fits->n;
    run->R = d->nrespondents;
    run->seed = opt->boot.seed;
    if ((!opt->omit_fit_warnings && fit_warnings(s, fits, out) != BRISK_OK) ||
        !run_init(run, d))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!run->nrows)
        return BRISK_OK;
    if (!brisk_run_parallel(run->draws, run->nthreads, compare_job, run, opt->boot.progress,
                            opt->boot.progress_ctx))
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < run->draws; i++) {
        kept += run->ok[i];
        run->ninadmissible += run->inadmissible[i];
        run->failed += !run->ok[i] && !run->inadmissible[i];
    }
    run->left_out = run->draws - kept;
    if (kept == 0) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_CONVERGENCE, "none of the %zu bootstrap draws "
                               "could be used (%zu did not converge in some behaviour, %zu "
                               "were inadmissible); the model is too fragile for these data",
                               run->draws, run->failed, run->ninadmissible);
    }
    if (run->failed &&
        brisk_table_list_warn(out, "%zu of %zu bootstrap draws did not converge in some "
                              "behaviour and were left out", run->failed,
                              run->draws) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (run->ninadmissible &&
        brisk_table_list_warn(out, "%zu of %zu bootstrap draws had an inadmissible solution "
                              "(a negative variance or a correlation beyond 1) in some "
                              "behaviour and were %s", run->ninadmissible, run->draws,
                              run->exclude_inadmissible ? "left out (--exclude-inadmissible)"
                                                        : "kept, as lavaan keeps them") !=
            BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return BRISK_OK;
}

static void run_end(compare_run *run, brisk_survey_fits *fits)
{
    run_free(run);
    if (run->fits)
        brisk_survey_fits_free(fits);
}

/* Adds t to out (NULL: out of memory); an empty table is dropped. */
static brisk_status add_table(brisk_table_list *out, brisk_table *t, brisk_error *err)
{
    if (!t)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (!t->nrows) {
        brisk_table_free(t);
        return BRISK_OK;
    }
    brisk_status st = brisk_table_list_add(out, t);
    return st == BRISK_OK ? st : brisk_error_set(err, st, "out of memory");
}

brisk_status brisk_compare_behaviours(const brisk_survey *s, const brisk_survey_data *d,
                                      const brisk_compare_options *opt, brisk_table_list *out,
                                      brisk_error *err)
{
    if (brisk_survey_warn_design(s, out) != BRISK_OK)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (s->nbehaviours < 2) {
        brisk_error_at(err, s->path, 0, 0);
        return brisk_error_set(err, BRISK_ERR_FORMAT, "comparing behaviours needs a survey with at "
                               "least two [behaviours]");
    }
    compare_run run;
    brisk_survey_fits fits;
    brisk_status st = run_draws(s, d, opt, false, &run, &fits, out, err);
    if (st == BRISK_OK && !run.nrows) {
        brisk_error_at(err, s->path, s->model_line, 0);
        st = brisk_error_set(err, BRISK_ERR_FORMAT, "the model has no free regression path (~) "
                             "and no defined parameter (:=): there is nothing to compare "
                             "between behaviours");
    }
    if (st == BRISK_OK)
        st = add_table(out, paths_table(&run, s), err);
    if (st == BRISK_OK)
        st = add_table(out, differences_table(&run, s, opt->holm), err);
    if (st == BRISK_OK)
        st = add_table(out, effects_table(&run, s), err);
    run_end(&run, &fits);
    return st;
}

brisk_status brisk_bootstrap_effects(const brisk_survey *s, const brisk_survey_data *d,
                                     const brisk_compare_options *opt, brisk_table_list *out,
                                     brisk_error *err)
{
    compare_run run;
    brisk_survey_fits fits;
    brisk_status st = run_draws(s, d, opt, true, &run, &fits, out, err);
    if (st == BRISK_OK && run.nrows)
        st = add_table(out, effects_table(&run, s), err);
    run_end(&run, &fits);
    return st;
}
