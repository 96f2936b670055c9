/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — simulated data from a population model written in lavaan syntax
 * (as lavaan's simulateData), and Monte Carlo power (as simsem).
 *
 * A population model is lavaan model syntax whose parameters carry their
 * population values ("benefit =~ 0.8*pb1 + 0.7*pb2"; "accept ~ 0.4*benefit").
 * It is read as simulateData reads it: std.lv = TRUE (every latent
 * variable's variance, or residual variance, is 1 unless written), no
 * marker loadings, fixed.x = FALSE (an observed predictor is an ordinary
 * variable of variance 1); a parameter without a value is 1 when it is a
 * loading (0.7 with standardized) or a variance, and 0 otherwise (a
 * regression coefficient left out is a warning).  With standardized, the
 * residual variances of the endogenous latent variables and of the
 * observed variables that are not pure predictors are set so that their
 * variances are 1 (simulateData(standardized = TRUE)).  The data are
 * multivariate normal with the implied means and covariances; a variable
 * with thresholds ("y | -1.5*t1 + 0*t2 + 1.5*t3") is cut into categories
 * 1 .. K (category k when t_{k-1} < y <= t_k), as simulateData cuts it.
 *
 * Drawing is deterministic: replication `stream` of `seed` always gives
 * the same numbers (xoshiro256** seeded from seed and stream; GSL's
 * ziggurat normal deviates, one per observed variable per respondent, in
 * row order), whatever thread draws it.  The library never prints and
 * never exits; GSL's error handler must be off (gsl_set_error_handler_off). */
#ifndef BRISK_SIM_H
#define BRISK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "model.h"
#include "syntax.h"
#include "dataset.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct brisk_population_options {
    bool standardized;     /* variances of 1 through the residual variances */
    const char *name;      /* the model's file, for messages (NULL: "model") */
    long first_line;       /* line of the text's first line there (0 or 1: 1) */
} brisk_population_options;

typedef struct brisk_population brisk_population;

/* Read a population model.  Errors: the syntax (BRISK_ERR_FORMAT, with
 * line and column), a threshold without its value, a covariance matrix
 * that is not positive definite (BRISK_ERR_MODEL). */
brisk_status brisk_population_new(const char *text, const brisk_population_options *opt,
                                  brisk_population **out, brisk_error *err);
void brisk_population_free(brisk_population *pop);

/* The observed variables (the data's columns, in the model's order). */
size_t brisk_population_nvars(const brisk_population *pop);
const char *brisk_population_var(const brisk_population *pop, size_t i);

/* Their implied covariance matrix (nvars x nvars) and means, before any
 * cutting. */
const double *brisk_population_cov(const brisk_population *pop);
const double *brisk_population_mean(const brisk_population *pop);

/* The parameter table (lavaan's order) and each row's population value. */
const brisk_model *brisk_population_model(const brisk_population *pop);
double brisk_population_value(const brisk_population *pop, size_t row);

/* The model's syntax as read (thresholds included). */
const brisk_syntax *brisk_population_syntax(const brisk_population *pop);

/* What reading the model noted (a regression coefficient left at 0...). */
size_t brisk_population_nwarnings(const brisk_population *pop);
const char *brisk_population_warning(const brisk_population *pop, size_t i);

/* Categories of variable var (0: continuous). */
size_t brisk_population_categories(const brisk_population *pop, size_t var);

/* Cut variable var into count + 1 categories at the thresholds sd z[j]
 * (sd its implied standard deviation; z increasing): around 0, not the
 * variable's mean, so an intercept moves its answers up the scale.  A
 * variable with thresholds of its own ("y | ...") keeps them. */
brisk_status brisk_population_set_cuts(brisk_population *pop, size_t var, const double *z,
                                       size_t count, brisk_error *err);

/* The same with k >= 2 categories spanning +-2 SD evenly: z_j = (j - k/2)
 * 4/k, j = 1 .. k-1 (11.5%, 22.9%, 31.1%, 22.9%, 11.5% for k = 5 and a
 * variable of mean 0). */
brisk_status brisk_population_set_likert(brisk_population *pop, size_t var, unsigned k,
                                         brisk_error *err);

/* Draw n respondents of replication stream of seed into out (n x nvars,
 * row-major): categories 1 .. K as numbers for cut variables. */
brisk_status brisk_population_draw(const brisk_population *pop, size_t n, uint64_t seed,
                                   uint64_t stream, double *out, brisk_error *err);

/* ---- data sets ---- */

typedef struct brisk_simulate_options {
    size_t n;              /* respondents */
    uint64_t seed;
    unsigned likert;       /* 0, or cut every variable without thresholds into
                              this many categories (brisk_population_set_likert) */
    const double *cuts;    /* or at these thresholds (brisk_population_set_cuts) */
    size_t ncuts;
    double missing;        /* share of cells left missing at random (items only
                              with a survey), drawn from the seed's stream 1 */
    int digits;            /* decimals of continuous values, or -1: all */
} brisk_simulate_options;

/* A data set of n respondents: one column per observed variable. */
brisk_status brisk_simulate(brisk_population *pop, const brisk_simulate_options *opt,
                            brisk_dataset **out, brisk_error *err);

struct brisk_survey;

/* The same shaped as the survey's data file: the population (expanded with
 * brisk_survey_population_text) must have a variable for every item (wide
 * name: pb1_crime); items are cut to the survey's scale (likert, or the
 * count of cuts, must then match it; an item's own thresholds must not make
 * more answers than it has) and written on it (category 1 = the scale's
 * minimum), reverse-keyed items reversed as a raw answer is; a survey
 * without a scale has its items cut as likert or cuts say, or left
 * continuous (digits decimals); a missing answer is
 * written as the survey's first missing code, or left empty; the id column
 * numbers the respondents 1..n; in the long layout each respondent has a
 * row per behaviour (the behaviour column holds its key).  Other variables
 * (demographics, weight) are written as drawn (digits decimals).  Errors
 * name the missing item (BRISK_ERR_COLUMN, at model_path). */
brisk_status brisk_simulate_survey(const struct brisk_survey *s, brisk_population *pop,
                                   const brisk_simulate_options *opt, const char *model_path,
                                   brisk_dataset **out, brisk_error *err);

/* ---- Monte Carlo power ---- */

typedef struct brisk_power_options {
    const size_t *n;       /* sample sizes, nn of them */
    size_t nn;
    size_t reps;           /* data sets per sample size */
    uint64_t seed;         /* replication r of sample size k is stream k reps + r */
    unsigned threads;      /* the output is the same for any number */
    double alpha;          /* significance level (0: .05) */
    void (*progress)(size_t done, size_t total, void *ctx);
    void *progress_ctx;
} brisk_power_options;

/* For each sample size, reps data sets drawn from the population, each
 * fitted by ML with the analysis model (text, lavaan syntax with lavaan's
 * sem() defaults; NULL: the population's own model with its values free,
 * the latent variances that identify it fixed at their population values).
 * Adds "power.convergence" (per N: replications, converged fits, rate) and
 * "power.parameters" (per N and estimated parameter: population value,
 * mean estimate, bias, relative bias, SD of the estimates, mean SE,
 * relative SE bias, coverage of the 1 - alpha interval, power), as
 * simsem's summary gives them; a parameter the population does not have has
 * no population value.  A replication whose fit fails is left out and
 * counted (a warning when any is); BRISK_ERR_CONVERGENCE when none
 * converges at any N.  The analysis text's start() values are honoured;
 * other parameters start at the population's value when the analysis is
 * the population's own model, at lavaan's starting values otherwise. */
brisk_status brisk_power(const brisk_population *pop, const char *analysis, const char *source,
                         const brisk_power_options *opt, brisk_table_list *out, brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
