/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A one-stage sampling design (internal): strata, primary sampling units
 * (PSUs) and finite population corrections over some rows of a data set,
 * and the Taylor-linearised (sandwich) variance of any estimator whose
 * rows' influence values are known, as R's survey package computes it for
 * svydesign(ids = ~cluster, strata = ~strata, fpc = ~fpc, nest = TRUE)
 * (svyrecvar with one stage). */
#ifndef BRISK_STATS_SAMPLING_H
#define BRISK_STATS_SAMPLING_H

#include <stdbool.h>
#include <stddef.h>
#include "brisk/dataset.h"
#include "brisk/error.h"

/* Weights calibrated to population margins (raking, or with one margin
 * post-stratification), per data row, for the variance: the survey
 * package's svyrecvar first replaces the influence values by their
 * residuals on the margins' categories (rake: ten cycles of
 * x - w ave(x / w) within each margin's categories; postStratify: x - w
 * times the category's sum of x w0 / w over its sum of w0). */
typedef struct sampling_calibration {
    size_t nmargins;
    const size_t *const *category;  /* per margin, per data row: its category */
    const size_t *ncategories;      /* per margin */
    const double *weight;           /* per data row: the calibrated weight */
    const double *base;             /* per data row: the weight before calibration */
} sampling_calibration;

/* What a design is built from: column names (NULL: not declared). */
typedef struct sampling_spec {
    const char *strata;     /* stratum of each row */
    const char *cluster;    /* PSU of each row (within its stratum: nested) */
    const char *fpc;        /* per stratum: the population's number of PSUs (> 1) or the
                               sampling fraction (<= 1), the same on every row of it */
    /* Without a cluster, the rows sharing a value of unit are one PSU (a
     * long survey's respondent id); NULL: every row is its own PSU. */
    const brisk_column *unit;
    const size_t *rows;     /* the rows in the design, in order (NULL: every row) */
    const sampling_calibration *calibration;   /* or NULL */
    size_t nrows;
    const char *source;     /* the data, as errors name it */
} sampling_spec;

typedef struct sampling_design {
    size_t n;               /* rows in the design */
    size_t *psu;            /* per design row: its PSU, 0 .. npsu - 1 */
    size_t npsu;
    size_t *psu_stratum;    /* per PSU: its stratum, 0 .. nstrata - 1 */
    size_t nstrata;
    double *scale;          /* per stratum: (1 - f) n_h / (n_h - 1) for its n_h PSUs */
    bool stratified, clustered, has_fpc;
    /* Calibration, per design row (NULL without): each margin's category
     * (nmargins x n), the calibrated and the base weights. */
    size_t nmargins, *category, *ncategories;
    double *cal_weight, *cal_base;
} sampling_design;

/* Build the design.  Errors (BRISK_ERR_COLUMN for an absent column,
 * BRISK_ERR_VALUE for its values) name the variable and, where it is one
 * row's fault, the data row: a missing stratum, a stratum with one PSU
 * (R's survey package stops there too under its default
 * options(survey.lonely.psu = "fail")), an fpc that is missing, not
 * positive, differs within a stratum or is smaller than the PSUs sampled.
 * A row whose cluster value is missing is a PSU of its own. */
brisk_status brisk_sampling_build(const brisk_dataset *ds, const sampling_spec *spec,
                                  sampling_design *d, brisk_error *err);
void brisk_sampling_free(sampling_design *d);

/* V (p x p) = (with a calibration, after U's residuals on its margins)
 * sum over strata h of scale_h sum over its PSUs i of
 * (z_i - zbar_h)(z_i - zbar_h)', z_i the sum of the influence values U
 * (n x p, one row per design row) of PSU i.  Rows outside a domain carry
 * zeros: a domain's variance is taken over the whole design.  False when
 * memory is exhausted. */
bool brisk_sampling_vcov(const sampling_design *d, const double *U, size_t p, double *V);

/* The design's degrees of freedom, as survey's degf: PSUs minus strata. */
static inline double brisk_sampling_df(const sampling_design *d)
{
    return (double)d->npsu - (double)d->nstrata;
}

#endif
