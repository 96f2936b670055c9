/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resampling respondents and refitting in threads. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "resample.h"
#include "sem_internal.h"
#include "sem_wls.h"

static bool row_complete(const double *row, size_t p)
{
    for (size_t j = 0; j < p; j++)
        if (isnan(row[j]))
            return false;
    return true;
}

/* Centre the columns on the complete rows' means: the one-pass sums of
 * brisk_resample_moments then lose no precision. */
static void centre(resample_data *d)
{
    size_t p = d->p, n = 0;
    for (size_t i = 0; i < d->n; i++) {
        const double *row = d->x + i * p;
        if (!row_complete(row, p))
            continue;
        n++;
        for (size_t j = 0; j < p; j++)
            d->shift[j] += row[j];
    }
    for (size_t j = 0; j < p && n; j++)
        d->shift[j] /= (double)n;
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < p; j++)
            d->x[i * p + j] -= d->shift[j];
}

bool brisk_resample_data(const brisk_model *m, const brisk_dataset *ds, const size_t *rows,
                         size_t n, bool complete_only, resample_data *out)
{
    size_t p = m->p;
    const brisk_column **cols = malloc((p ? p : 1) * sizeof *cols);
    *out = (resample_data){.p = p};
    out->x = malloc((n ? n : 1) * (p ? p : 1) * sizeof *out->x);
    out->shift = calloc(p ? p : 1, sizeof *out->shift);
    if (!cols || !out->x || !out->shift) {
        free(cols);
        brisk_resample_data_free(out);
        return false;
    }
    for (size_t j = 0; j < p; j++)
        cols[j] = brisk_dataset_find(ds, m->ov[j]);
    /* the fit has checked the weights of these rows */
    const brisk_column *wcol = m->weight ? brisk_dataset_find(ds, m->weight) : NULL;
    if (wcol && !(out->w = malloc((n ? n : 1) * sizeof *out->w))) {
        free(cols);
        brisk_resample_data_free(out);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        double *row = out->x + out->n * p;
        for (size_t j = 0; j < p; j++)
            row[j] = rows[i] == (size_t)-1 ? NAN : cols[j]->num[rows[i]];
        bool complete = rows[i] != (size_t)-1 && row_complete(row, p);
        out->has_missing |= !complete;
        if (wcol)
            out->w[out->n] = complete ? wcol->num[rows[i]] : 0;
        if (complete || !complete_only)
            out->n++;
    }
    if (complete_only)
        out->has_missing = false;
    free(cols);
    centre(out);
    return true;
}

void brisk_resample_data_free(resample_data *d)
{
    free(d->x);
    free(d->shift);
    free(d->w);
    memset(d, 0, sizeof *d);
}

/* Adds four weighted rows and their cross-products (lower triangle) to
 * sum and cp at once: each element of cp is loaded and stored once per
 * four rows instead of once per row, which is what bounds this loop. */
static void accumulate_rows(const double *const r[4], const double w[4], size_t p,
                            double *restrict sum, double *restrict cp)
{
    const double *restrict r0 = r[0], *restrict r1 = r[1], *restrict r2 = r[2],
                           *restrict r3 = r[3];
    for (size_t j = 0; j < p; j++) {
        double a0 = w[0] * r0[j], a1 = w[1] * r1[j], a2 = w[2] * r2[j], a3 = w[3] * r3[j];
        double *restrict cj = cp + j * p;
        sum[j] += (a0 + a1) + (a2 + a3);
        for (size_t k = 0; k <= j; k++)
            cj[k] += (a0 * r0[k] + a1 * r1[k]) + (a2 * r2[k] + a3 * r3[k]);
    }
}

/* One sequential pass over the (centred) rows, each weighted by the times
 * it was drawn: a bootstrap resample touches about 63% of the rows, in
 * memory order, four at a time (a short last block repeats a row with
 * weight 0). */
void brisk_resample_moments(const resample_data *d, const unsigned *count, brisk_moments *mom)
{
    size_t p = d->p, n = 0, dropped = 0, nb = 0;
    double *sum = mom->mean, *cp = mom->cov, w[4], total = 0;
    const double *rows[4];
    memset(sum, 0, p * sizeof *sum);
    memset(cp, 0, p * p * sizeof *cp);
    for (size_t i = 0; i < d->n; i++) {
        if (!count[i])
            continue;
        const double *row = d->x + i * p;
        if (d->has_missing && !row_complete(row, p)) {
            dropped += count[i];
            continue;
        }
        n += count[i];
        rows[nb] = row;
        w[nb] = (double)count[i] * (d->w ? d->w[i] : 1);
        total += w[nb++];
        if (nb == 4) {
            accumulate_rows(rows, w, p, sum, cp);
            nb = 0;
        }
    }
    if (nb) {
        for (size_t b = nb; b < 4; b++) {
            rows[b] = rows[0];
            w[b] = 0.0;
        }
        accumulate_rows(rows, w, p, sum, cp);
    }
    double inv = n ? 1.0 / total : NAN;
    for (size_t j = 0; j < p; j++)
        sum[j] *= inv;
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k <= j; k++)
            cp[j * p + k] = cp[k * p + j] = cp[j * p + k] * inv - sum[j] * sum[k];
    for (size_t j = 0; j < p; j++)
        sum[j] += d->shift[j];
    mom->n = n;
    mom->n_dropped = dropped;
    mom->size = (double)n;
    mom->weight_sum = total;
}

void brisk_resample_counts(brisk_rng *r, size_t n, unsigned *count)
{
    memset(count, 0, n * sizeof *count);
    for (size_t k = 0; k < n; k++)
        count[brisk_rng_index(r, n)]++;
}

typedef struct parallel_run {
    size_t n;
    unsigned nthreads;
    resample_job job;
    void *ctx;
    atomic_size_t next, done;
} parallel_run;

typedef struct worker {
    parallel_run *run;
    size_t thread;
    void (*progress)(size_t, size_t, void *);
    void *progress_ctx;
} worker;

/* Jobs are taken one by one from a shared counter: which thread runs a job
 * changes nothing in its result, only the load balance. */
static void *work(void *arg)
{
    worker *w = arg;
    parallel_run *run = w->run;
    for (;;) {
        size_t i = atomic_fetch_add(&run->next, 1);
        if (i >= run->n)
            break;
        run->job(i, w->thread, run->ctx);
        size_t done = atomic_fetch_add(&run->done, 1) + 1;
        if (w->progress)
            w->progress(done, run->n, w->progress_ctx);
    }
    return NULL;
}

bool brisk_run_parallel(size_t n, unsigned nthreads, resample_job job, void *ctx,
                        void (*progress)(size_t, size_t, void *), void *progress_ctx)
{
    if (nthreads < 1)
        nthreads = 1;
    parallel_run run = {.n = n, .nthreads = nthreads, .job = job, .ctx = ctx};
    atomic_init(&run.next, 0);
    atomic_init(&run.done, 0);
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    worker *workers = calloc(nthreads, sizeof *workers);
    if (!threads || !workers) {
        free(threads);
        free(workers);
        return false;
    }
    size_t started = 1;
    for (unsigned t = 0; t < nthreads; t++)
        workers[t] = (worker){.run = &run, .thread = t, .progress = t == 0 ? progress : NULL,
                              .progress_ctx = progress_ctx};
    for (unsigned t = 1; t < nthreads; t++, started++)
        if (pthread_create(&threads[t], NULL, work, &workers[t]) != 0)
            break;
    work(&workers[0]);
    for (size_t t = 1; t < started; t++)
        pthread_join(threads[t], NULL);
    if (progress)   /* thread 0 may finish before the last job of another */
        progress(n, n, progress_ctx);
    free(threads);
    free(workers);
    return true;
}

double brisk_bootstrap_se(const double *x, size_t n, bool defined)
{
    double sd = brisk_draws_sd(x, n);
    return defined ? sd : sd * sqrt((double)(n - 1) / (double)n);
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void brisk_sort_draws(double *x, size_t n)
{
    qsort(x, n, sizeof *x, ascending);
}

double brisk_draws_sd(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (double)(n - 1));
}

double brisk_quantile_sorted(const double *x, size_t n, double alpha)
{
    if (n == 0)
        return NAN;
    double rk = (double)(n + 1) * alpha;
    double k = floor(rk);
    if (k <= 0)
        return x[0];
    if (k >= (double)n)
        return x[n - 1];
    size_t i = (size_t)k;          /* order statistic t_(k) is x[k-1] */
    if (k == rk)
        return x[i - 1];
    double lo = gsl_cdf_ugaussian_Pinv(k / (double)(n + 1));
    double hi = gsl_cdf_ugaussian_Pinv((k + 1) / (double)(n + 1));
    double at = gsl_cdf_ugaussian_Pinv(alpha);
    return x[i - 1] + (at - lo) / (hi - lo) * (x[i] - x[i - 1]);
}

void brisk_jackknife_sums(const double *theta, size_t n, double *l3, double *l2)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += theta[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        double l = ((double)n - 1) * (m - theta[i]);
        *l3 += l * l * l;
        *l2 += l * l;
    }
}

double brisk_bca_acceleration(double l3, double l2)
{
    return l2 > 0 ? l3 / (6 * pow(l2, 1.5)) : 0;
}

void brisk_bca_interval(const double *sorted, size_t n, double theta, double a, double *lo,
                        double *hi)
{
    size_t below = 0;
    for (size_t i = 0; i < n; i++)
        below += sorted[i] < theta;
    double share = (double)below / (double)n;
    if (!(share > 0 && share < 1)) {
        *lo = *hi = NAN;
        return;
    }
    double z0 = gsl_cdf_ugaussian_Pinv(share);
    double zl = z0 + gsl_cdf_ugaussian_Pinv(0.025), zh = z0 + gsl_cdf_ugaussian_Pinv(0.975);
    *lo = brisk_quantile_sorted(sorted, n, gsl_cdf_ugaussian_P(z0 + zl / (1 - a * zl)));
    *hi = brisk_quantile_sorted(sorted, n, gsl_cdf_ugaussian_P(z0 + zh / (1 - a * zh)));
}

/* ------------------------------------------------------------ refits */

refit_kind brisk_refit_kind(const brisk_fitted *fitted)
{
    return fitted->moments[0].npatterns                 ? REFIT_FIML
           : fitted->fit && fitted->fit->nthresholds ? REFIT_WLSMV
                                                       : REFIT_MOMENTS;
}

bool brisk_refit_moments(refit_kind kind, const brisk_model *m, const brisk_dataset *ds,
                         const size_t *rows, size_t n, brisk_moments *mom)
{
    if (kind == REFIT_FIML)
        return brisk_moments_from_data_fiml(m, ds, rows, n, 0, mom, NULL) == BRISK_OK;
    if (kind == REFIT_WLSMV && brisk_model_pairwise(m))   /* the draw's answers, pairwise */
        return brisk_moments_from_data_pairwise(m, ds, rows, n, mom, NULL) == BRISK_OK;
    return brisk_moments_from_data(m, ds, rows, n, mom, NULL) == BRISK_OK;
}

brisk_status brisk_refit(refit_kind kind, const brisk_model *m, const brisk_moments *mom,
                         const double *start, const double *scoring, brisk_fit **fit)
{
    if (kind == REFIT_WLSMV)
        return brisk_fit_wlsmv(m, mom, fit, NULL);
    /* A draw's estimates need not be closer than 1e-7 in the gradient: the
     * bootstrap spread is many orders larger. */
    brisk_fit_options o = {.start = start, .scoring = scoring, .estimates_only = true,
                           .tolerance = 1e-7, .orient_like = start};
    return brisk_fit_ml(m, mom, &o, fit, NULL);
}
