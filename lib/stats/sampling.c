/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A one-stage sampling design and its linearised variance (R's survey
 * package, svyrecvar with one stage; see sampling.h). */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sampling.h"

/* The columns a design reads, found once. */
typedef struct design_columns {
    const brisk_column *strata, *cluster, *fpc;
    const sampling_spec *spec;
    const brisk_dataset *ds;
} design_columns;

static size_t data_row(const sampling_spec *spec, size_t i)
{
    return spec->rows ? spec->rows[i] : i;
}

/* Order of two cells of a column: missing last, numbers by value, text
 * byte by byte. */
static int compare_cells(const brisk_column *c, size_t a, size_t b)
{
    int ma = brisk_is_missing(c, a), mb = brisk_is_missing(c, b);
    if (ma || mb)
        return ma - mb;
    if (c->type == BRISK_STRING)
        return strcmp(c->str[a], c->str[b]);
    return (c->num[a] > c->num[b]) - (c->num[a] < c->num[b]);
}

/* The column that makes a row's PSU: the cluster, else the unit. */
static const brisk_column *psu_column(const design_columns *dc)
{
    return dc->cluster ? dc->cluster : dc->spec->unit;
}

static bool same_psu(const design_columns *dc, size_t a, size_t b)
{
    const brisk_column *c = psu_column(dc);
    if (!c)
        return false;       /* every row its own PSU */
    if (brisk_is_missing(c, a) || brisk_is_missing(c, b))
        return false;       /* a row without a cluster value is a PSU of its own */
    return compare_cells(c, a, b) == 0;
}

/* qsort_r: data rows by stratum, then PSU, then row. */
static int compare_rows(const void *pa, const void *pb, void *arg)
{
    const design_columns *dc = arg;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int cmp = dc->strata ? compare_cells(dc->strata, a, b) : 0;
    if (!cmp && psu_column(dc))
        cmp = compare_cells(psu_column(dc), a, b);
    return cmp ? cmp : (a > b) - (a < b);
}

static brisk_status value_error(brisk_error *err, const brisk_column *c, const char *fmt,
                                const char *a, const char *b)
{
    brisk_error_set(err, BRISK_ERR_VALUE, fmt, c->name, a, b);
    brisk_error_variable(err, c->name);
    return BRISK_ERR_VALUE;
}

static brisk_status find_columns(const brisk_dataset *ds, const sampling_spec *spec,
                                 design_columns *dc, brisk_error *err)
{
    *dc = (design_columns){.spec = spec, .ds = ds};
    const char *names[3] = {spec->strata, spec->cluster, spec->fpc};
    const brisk_column **cols[3] = {&dc->strata, &dc->cluster, &dc->fpc};
    static const char *const roles[3] = {"strata", "cluster", "fpc"};
    for (int k = 0; k < 3; k++) {
        if (!names[k])
            continue;
        *cols[k] = brisk_dataset_find(ds, names[k]);
        if (!*cols[k]) {
            char near[300];
            brisk_error_variable(err, names[k]);
            return brisk_error_set(err, BRISK_ERR_COLUMN, "%s '%s' is not a column of %s%s",
                                   roles[k], names[k], spec->source ? spec->source : "the data",
                                   brisk_dataset_did_you_mean(ds, names[k], near, sizeof near));
        }
    }
    if (dc->fpc && dc->fpc->type == BRISK_STRING)
        return value_error(err, dc->fpc, "fpc '%s' holds text%s%s; it needs the population's "
                           "number of PSUs or the sampling fraction of each stratum", "", "");
    return BRISK_OK;
}

/* A stratum's name for errors: its value, or "the design" without strata. */
static void stratum_name(const design_columns *dc, size_t row, char *buf, size_t size)
{
    if (!dc->strata) {
        snprintf(buf, size, "the design");
        return;
    }
    char value[80];
    brisk_cell_text(dc->strata, row, 60, value, sizeof value);
    snprintf(buf, size, "stratum '%s' of '%s'", value, dc->strata->name);
}

/* 1 - f of the stratum whose rows are sorted[first .. last), with npsu PSUs. */
static brisk_status stratum_fpc(const design_columns *dc, const size_t *sorted, size_t first,
                                size_t last, size_t npsu, double *out, brisk_error *err)
{
    *out = 1;
    if (!dc->fpc)
        return BRISK_OK;
    const brisk_column *f = dc->fpc;
    char where[128], value[40];
    stratum_name(dc, sorted[first], where, sizeof where);
    for (size_t i = first; i < last; i++) {
        size_t r = sorted[i];
        if (brisk_is_missing(f, r) || !isfinite(f->num[r]) || f->num[r] <= 0) {
            snprintf(value, sizeof value, "data row %zu", r + 1);
            return value_error(err, f, "fpc '%s' is missing or not positive in %s (%s); give "
                               "each stratum its population size or sampling fraction",
                               value, where);
        }
        if (f->num[r] != f->num[sorted[first]])
            return value_error(err, f, "fpc '%s' differs within %s (data row %s); it is one "
                               "number per stratum", where,
                               (snprintf(value, sizeof value, "%zu", r + 1), value));
    }
    double v = f->num[sorted[first]];
    double fraction = v > 1 ? (double)npsu / v : v;
    if (fraction > 1) {
        snprintf(value, sizeof value, "%.15g", v);
        return value_error(err, f, "fpc '%s' gives %s PSUs in the population of %s, fewer "
                           "than were sampled", value, where);
    }
    *out = 1 - fraction;
    return BRISK_OK;
}

/* Number the PSUs and strata of the sorted rows and check each stratum. */
static brisk_status number_units(const design_columns *dc, const size_t *sorted,
                                 const size_t *position, sampling_design *d, brisk_error *err)
{
    size_t first = 0;
    while (first < d->n) {
        size_t last = first + 1, npsu = 1;
        for (; last < d->n; last++) {
            if (dc->strata && compare_cells(dc->strata, sorted[first], sorted[last]) != 0)
                break;
            if (!same_psu(dc, sorted[last - 1], sorted[last]))
                npsu++;
        }
        size_t h = d->nstrata++;
        for (size_t i = first; i < last; i++) {
            if (i == first || !same_psu(dc, sorted[i - 1], sorted[i])) {
                d->psu_stratum[d->npsu] = h;
                d->npsu++;
            }
            d->psu[position[i]] = d->npsu - 1;
        }
        char where[128];
        if (npsu < 2 && !dc->strata && !dc->cluster && !dc->fpc) {
            d->scale[h] = NAN;  /* weights alone, one respondent: no variance, no error */
            first = last;
            continue;
        }
        if (npsu < 2) {
            stratum_name(dc, sorted[first], where, sizeof where);
            brisk_error_set(err, BRISK_ERR_VALUE, "%s has one primary sampling unit; a variance "
                            "needs at least two in every stratum (R's survey package stops too, "
                            "under options(survey.lonely.psu = \"fail\")): merge the stratum "
                            "with a neighbouring one", where);
            brisk_error_variable(err, dc->strata ? dc->strata->name
                                     : psu_column(dc) ? psu_column(dc)->name : "");
            return BRISK_ERR_VALUE;
        }
        double keep;
        brisk_status st = stratum_fpc(dc, sorted, first, last, npsu, &keep, err);
        if (st != BRISK_OK)
            return st;
        d->scale[h] = keep * (double)npsu / (double)(npsu - 1);
        first = last;
    }
    return BRISK_OK;
}

static brisk_status check_strata(const design_columns *dc, brisk_error *err)
{
    const sampling_spec *spec = dc->spec;
    size_t n = spec->rows ? spec->nrows : dc->ds->nrows;
    for (size_t i = 0; dc->strata && i < n; i++) {
        size_t r = data_row(spec, i);
        if (brisk_is_missing(dc->strata, r)) {
            char row[32];
            snprintf(row, sizeof row, "%zu", r + 1);
            return value_error(err, dc->strata, "strata '%s' is missing in data row %s%s; "
                               "every respondent belongs to a stratum", row, "");
        }
    }
    return BRISK_OK;
}

/* The calibration of the design's rows. */
static bool copy_calibration(const sampling_spec *spec, sampling_design *d)
{
    const sampling_calibration *c = spec->calibration;
    size_t M = c->nmargins, n = d->n;
    d->category = malloc((M * n + 1) * sizeof *d->category);
    d->ncategories = malloc((M + 1) * sizeof *d->ncategories);
    d->cal_weight = malloc((n + 1) * sizeof *d->cal_weight);
    d->cal_base = malloc((n + 1) * sizeof *d->cal_base);
    if (!d->category || !d->ncategories || !d->cal_weight || !d->cal_base)
        return false;
    d->nmargins = M;
    for (size_t m = 0; m < M; m++) {
        d->ncategories[m] = c->ncategories[m];
        for (size_t i = 0; i < n; i++)
            d->category[m * n + i] = c->category[m][data_row(spec, i)];
    }
    for (size_t i = 0; i < n; i++) {
        d->cal_weight[i] = c->weight[data_row(spec, i)];
        d->cal_base[i] = c->base[data_row(spec, i)];
    }
    return true;
}

brisk_status brisk_sampling_build(const brisk_dataset *ds, const sampling_spec *spec,
                                  sampling_design *d, brisk_error *err)
{
    memset(d, 0, sizeof *d);
    design_columns dc;
    brisk_status st = find_columns(ds, spec, &dc, err);
    if (st == BRISK_OK)
        st = check_strata(&dc, err);
    if (st != BRISK_OK)
        return st;
    d->n = spec->rows ? spec->nrows : ds->nrows;
    d->stratified = dc.strata != NULL;
    d->clustered = dc.cluster != NULL;
    d->has_fpc = dc.fpc != NULL;
    size_t *sorted = malloc((d->n + 1) * sizeof *sorted);
    size_t *position = malloc((d->n + 1) * sizeof *position);
    size_t *where = malloc((ds->nrows + 1) * sizeof *where);
    d->psu = malloc((d->n + 1) * sizeof *d->psu);
    d->psu_stratum = malloc((d->n + 1) * sizeof *d->psu_stratum);
    d->scale = malloc((d->n + 1) * sizeof *d->scale);
    if (!sorted || !position || !where || !d->psu || !d->psu_stratum || !d->scale) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    } else {
        /* sort the data rows; position[i]: the design row of sorted[i] */
        for (size_t i = 0; i < d->n; i++) {
            sorted[i] = data_row(spec, i);
            where[sorted[i]] = i;
        }
        qsort_r(sorted, d->n, sizeof *sorted, compare_rows, &dc);
        for (size_t i = 0; i < d->n; i++)
            position[i] = where[sorted[i]];
    }
    free(where);
    if (st == BRISK_OK && d->n == 0)
        st = brisk_error_set(err, BRISK_ERR_DATA, "the design has no rows");
    if (st == BRISK_OK && spec->calibration && !copy_calibration(spec, d))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = number_units(&dc, sorted, position, d, err);
    free(sorted);
    free(position);
    if (st != BRISK_OK)
        brisk_sampling_free(d);
    return st;
}

void brisk_sampling_free(sampling_design *d)
{
    free(d->category);
    free(d->ncategories);
    free(d->cal_weight);
    free(d->cal_base);
    free(d->psu);
    free(d->psu_stratum);
    free(d->scale);
    memset(d, 0, sizeof *d);
}

/* U's residuals on the calibration's margins, in place (svyrecvar): one
 * margin, post-stratification's; more, raking's ten cycles.  Rows of
 * weight 0 carry no influence and take no part.  False when out of
 * memory. */
static bool calibration_residuals(const sampling_design *d, double *U, size_t p)
{
    size_t n = d->n, maxc = 0;
    for (size_t m = 0; m < d->nmargins; m++)
        maxc = d->ncategories[m] > maxc ? d->ncategories[m] : maxc;
    double *sum = malloc((maxc * p + 1) * sizeof *sum), *den = malloc((maxc + 1) * sizeof *den);
    if (!sum || !den) {
        free(sum), free(den);
        return false;
    }
    bool post = d->nmargins == 1;
    for (int cycle = 0; cycle < (post ? 1 : 10); cycle++)
        for (size_t m = 0; m < d->nmargins; m++) {
            const size_t *cat = d->category + m * n;
            size_t C = d->ncategories[m];
            memset(sum, 0, C * p * sizeof *sum);
            memset(den, 0, C * sizeof *den);
            for (size_t i = 0; i < n; i++) {
                double w = d->cal_weight[i];
                if (!(w > 0))
                    continue;
                /* rake: the plain mean of x / w; postStratify: weighted by w0 */
                double f = post ? d->cal_base[i] : 1;
                den[cat[i]] += f;
                for (size_t j = 0; j < p; j++)
                    sum[cat[i] * p + j] += f * U[i * p + j] / w;
            }
            for (size_t i = 0; i < n; i++) {
                double w = d->cal_weight[i];
                if (!(w > 0) || !(den[cat[i]] > 0))
                    continue;
                for (size_t j = 0; j < p; j++)
                    U[i * p + j] -= w * sum[cat[i] * p + j] / den[cat[i]];
            }
        }
    free(sum), free(den);
    return true;
}

bool brisk_sampling_vcov(const sampling_design *d, const double *U, size_t p, double *V)
{
    double *adjusted = NULL;
    if (d->nmargins) {
        if (!(adjusted = malloc((d->n * p + 1) * sizeof *adjusted)))
            return false;
        memcpy(adjusted, U, d->n * p * sizeof *adjusted);
        if (!calibration_residuals(d, adjusted, p)) {
            free(adjusted);
            return false;
        }
        U = adjusted;
    }
    double *total = calloc(d->npsu * p + 1, sizeof *total);
    double *mean = calloc(d->nstrata * p + 1, sizeof *mean);
    size_t *count = calloc(d->nstrata + 1, sizeof *count);
    if (!total || !mean || !count) {
        free(total), free(mean), free(count), free(adjusted);
        return false;
    }
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < p; j++)
            total[d->psu[i] * p + j] += U[i * p + j];
    for (size_t c = 0; c < d->npsu; c++) {
        size_t h = d->psu_stratum[c];
        count[h]++;
        for (size_t j = 0; j < p; j++)
            mean[h * p + j] += total[c * p + j];
    }
    for (size_t h = 0; h < d->nstrata; h++)
        for (size_t j = 0; j < p; j++)
            mean[h * p + j] /= (double)count[h];
    memset(V, 0, p * p * sizeof *V);
    for (size_t c = 0; c < d->npsu; c++) {
        size_t h = d->psu_stratum[c];
        double *z = total + c * p;
        for (size_t j = 0; j < p; j++)
            z[j] -= mean[h * p + j];
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; k < p; k++)
                V[j * p + k] += d->scale[h] * z[j] * z[k];
    }
    free(total), free(mean), free(count), free(adjusted);
    return true;
}
