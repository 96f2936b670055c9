/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Monte Carlo power, as simsem computes it: for each sample size, many
 * data sets drawn from the population, each fitted by ML with the
 * analysis model; per parameter the share of significant estimates, the
 * mean estimate and its bias, the standard errors against the spread of
 * the estimates, and the coverage of the 95% interval. */
#include <config.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brisk/sim.h"
#include "core/util.h"
#include "sem/resample.h"
#include "sem/sem_internal.h"

typedef struct power_run {
    const brisk_population *pop;
    const brisk_model *m;          /* the analysis model */
    const brisk_power_options *opt;
    size_t n, nindex;              /* this sample size and its place in opt->n */
    size_t *column;                /* analysis observed variable -> population column */
    size_t nrows;                  /* analysis parameter-table rows */
    double *est, *se, *p;          /* reps x nrows */
    bool *ok;
    double **data;                 /* per thread: n x population variables */
    brisk_moments *mom;            /* per thread */
} power_run;

/* Moments (divisor n, as ML uses) of the analysis variables. */
static void moments(const power_run *run, const double *x, brisk_moments *mom)
{
    size_t p = run->m->p, q = brisk_population_nvars(run->pop), n = run->n;
    memset(mom->mean, 0, p * sizeof *mom->mean);
    memset(mom->cov, 0, p * p * sizeof *mom->cov);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            mom->mean[j] += x[i * q + run->column[j]] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) {
            double dj = x[i * q + run->column[j]] - mom->mean[j];
            for (size_t k = 0; k <= j; k++)
                mom->cov[j * p + k] += dj * (x[i * q + run->column[k]] - mom->mean[k]) / (double)n;
        }
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < j; k++)
            mom->cov[k * p + j] = mom->cov[j * p + k];
    mom->n = n;
}

static void power_job(size_t rep, size_t thread, void *ctx)
{
    power_run *run = ctx;
    double *x = run->data[thread];
    brisk_moments *mom = &run->mom[thread];
    run->ok[rep] = false;
    /* replication rep of sample size k: stream k * reps + rep of the seed */
    if (brisk_population_draw(run->pop, run->n, run->opt->seed,
                              run->nindex * run->opt->reps + rep, x, NULL) != BRISK_OK)
        return;
    moments(run, x, mom);
    brisk_fit *fit = NULL;
    if (brisk_fit_ml(run->m, mom, NULL, &fit, NULL) == BRISK_OK && fit->vcov_valid) {
        run->ok[rep] = true;
        for (size_t r = 0; r < run->nrows; r++) {
            run->est[rep * run->nrows + r] = fit->rows[r].est;
            run->se[rep * run->nrows + r] = fit->rows[r].se;
            run->p[rep * run->nrows + r] = fit->rows[r].pvalue;
        }
    }
    brisk_fit_free(fit);
}

/* ------------------------------------------------------------ models */

/* The population value of the parameter lhs op rhs, or NaN. */
static double truth_of(const brisk_population *pop, const brisk_param *a)
{
    const brisk_model *pm = brisk_population_model(pop);
    for (size_t r = 0; r < pm->nparams; r++) {
        const brisk_param *p = &pm->params[r];
        if (p->op == a->op && strcmp(p->lhs, a->lhs) == 0 && strcmp(p->rhs, a->rhs) == 0)
            return brisk_population_value(pop, r);
    }
    return NAN;
}

/* The analysis model: the given text with lavaan's sem() defaults (and
 * its start() values; lavaan's starting values otherwise), or the
 * population's own model started at the population's values, with the
 * variances that identify it (latent variances, with std.lv) fixed at
 * their population values, so that its estimates estimate the
 * population's values. */
static brisk_status analysis_model(const brisk_population *pop, const char *text,
                                   const char *source, brisk_syntax **syn, brisk_model **m,
                                   brisk_error *err)
{
    const brisk_model *pm = brisk_population_model(pop);
    const char **names = malloc((brisk_population_nvars(pop) + 1) * sizeof *names);
    if (!names)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < brisk_population_nvars(pop); j++)
        names[j] = brisk_population_var(pop, j);
    brisk_model_options mopt = {.name = source, .skip_thresholds = true};
    if (!text) {
        mopt.std_lv = true;
        mopt.values_as_start = true;
        mopt.no_fixed_x = pm->no_fixed_x;
    }
    brisk_status st = text ? brisk_syntax_parse(text, source, 1, syn, err) : BRISK_OK;
    if (st == BRISK_OK)
        st = brisk_model_new(text ? *syn : brisk_population_syntax(pop), names,
                             brisk_population_nvars(pop), &mopt, m, err);
    free(names);
    for (size_t r = 0; st == BRISK_OK && !text && r < (*m)->nparams; r++) {
        brisk_param *p = &(*m)->params[r];
        bool latent_variance = p->op == BRISK_OP_COVARY && !p->free &&
                               strcmp(p->lhs, p->rhs) == 0 && brisk_sem_var_index(*m, p->lhs) >=
                                                                  (int)(*m)->p;
        double truth = truth_of(pop, p);
        if (latent_variance || (p->free && isnan(p->start) && isfinite(truth)))
            p->start = truth;
    }
    return st;
}

/* ------------------------------------------------------------ summaries */

static const char *const columns[][2] = {
    {"n", "N"}, {"lhs", "lhs"}, {"op", "op"}, {"rhs", "rhs"}, {"population", "Population"},
    {"mean", "Mean estimate"}, {"bias", "Bias"}, {"rel_bias", "Relative bias"},
    {"sd", "SD of estimates"}, {"mean_se", "Mean SE"}, {"se_bias", "Relative SE bias"},
    {"coverage", "Coverage"}, {"power", "Power"},
};

static brisk_table *parameters_table(void)
{
    brisk_table *t = brisk_table_new("power.parameters", "Power and bias by parameter");
    for (size_t k = 0; t && k < sizeof columns / sizeof columns[0]; k++) {
        bool text = k >= 1 && k <= 3;
        if (brisk_table_add_column(t, columns[k][0], columns[k][1],
                                   k == 0 ? BRISK_CELL_INT
                                          : text ? BRISK_CELL_TEXT : BRISK_CELL_NUMBER,
                                   3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* One row per estimated parameter (and :=) of the analysis model. */
static brisk_status summary_rows(const power_run *run, brisk_table *t)
{
    const brisk_model *m = run->m;
    size_t reps = run->opt->reps;
    double alpha = run->opt->alpha > 0 ? run->opt->alpha : 0.05;
    double z = gsl_cdf_ugaussian_Pinv(1 - alpha / 2);
    for (size_t r = 0; r < run->nrows; r++) {
        const brisk_param *p = &m->params[r];
        if (!p->free && p->op != BRISK_OP_DEFINE)
            continue;
        double truth = truth_of(run->pop, p), sum = 0, sum2 = 0, sum_se = 0;
        size_t k = 0, covered = 0, significant = 0;
        for (size_t i = 0; i < reps; i++) {
            double e = run->est[i * run->nrows + r], s = run->se[i * run->nrows + r];
            if (!run->ok[i] || !isfinite(e) || !isfinite(s))
                continue;
            k++;
            sum += e;
            sum2 += e * e;
            sum_se += s;
            covered += fabs(e - truth) <= z * s;
            significant += run->p[i * run->nrows + r] < alpha;
        }
        double mean = k ? sum / (double)k : NAN;
        double sd = k > 1 ? sqrt(fmax(0, (sum2 - (double)k * mean * mean) / (double)(k - 1))) : NAN;
        double mean_se = k ? sum_se / (double)k : NAN;
        size_t row = brisk_table_add_row(t);
        if (row == (size_t)-1 || brisk_table_set_text(t, row, 1, p->lhs) ||
            brisk_table_set_text(t, row, 2, brisk_op_text(p->op)) ||
            brisk_table_set_text(t, row, 3, p->op == BRISK_OP_DEFINE ? p->expr : p->rhs))
            return BRISK_ERR_NOMEM;
        double v[] = {(double)run->n, NAN, NAN, NAN, truth, mean, mean - truth,
                      truth != 0 ? (mean - truth) / truth : NAN, sd, mean_se,
                      sd > 0 ? (mean_se - sd) / sd : NAN,
                      k && isfinite(truth) ? (double)covered / (double)k : NAN,
                      k ? (double)significant / (double)k : NAN};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
            if (c < 1 || c > 3)
                brisk_table_set_num(t, row, c, v[c]);
    }
    return BRISK_OK;
}

static brisk_table *convergence_table(void)
{
    brisk_table *t = brisk_table_new("power.convergence", "Replications and convergence");
    const char *const cols[][2] = {{"n", "N"}, {"reps", "Replications"},
                                   {"converged", "Converged"}, {"rate", "Rate"}};
    for (size_t k = 0; t && k < 4; k++)
        if (brisk_table_add_column(t, cols[k][0], cols[k][1],
                                   k < 3 ? BRISK_CELL_INT : BRISK_CELL_NUMBER, 3) == (size_t)-1) {
            brisk_table_free(t);
            return NULL;
        }
    return t;
}

/* ------------------------------------------------------------ the run */

static void run_free(power_run *run, unsigned nthreads)
{
    for (unsigned t = 0; run->data && t < nthreads; t++)
        free(run->data[t]);
    for (unsigned t = 0; run->mom && t < nthreads; t++)
        brisk_moments_free(&run->mom[t]);
    free(run->data);
    free(run->mom);
    free(run->est);
    free(run->se);
    free(run->p);
    free(run->ok);
    free(run->column);
}

static bool run_init(power_run *run, size_t nmax, unsigned nthreads)
{
    const brisk_model *m = run->m;
    size_t reps = run->opt->reps, q = brisk_population_nvars(run->pop), p = m->p;
    run->nrows = m->nparams;
    run->est = malloc((reps * run->nrows + 1) * sizeof *run->est);
    run->se = malloc((reps * run->nrows + 1) * sizeof *run->se);
    run->p = malloc((reps * run->nrows + 1) * sizeof *run->p);
    run->ok = calloc(reps + 1, sizeof *run->ok);
    run->column = calloc(p + 1, sizeof *run->column);
    run->data = calloc(nthreads, sizeof *run->data);
    run->mom = calloc(nthreads, sizeof *run->mom);
    bool ok = run->est && run->se && run->p && run->ok && run->column && run->data && run->mom;
    for (size_t j = 0; ok && j < p; j++)
        for (size_t c = 0; c < q; c++)
            if (strcmp(m->ov[j], brisk_population_var(run->pop, c)) == 0)
                run->column[j] = c;
    for (unsigned t = 0; ok && t < nthreads; t++) {
        run->data[t] = malloc((nmax * q + 1) * sizeof **run->data);
        run->mom[t] = (brisk_moments){.p = p, .cov = malloc((p * p + 1) * sizeof(double)),
                                      .mean = malloc((p + 1) * sizeof(double))};
        ok = run->data[t] && run->mom[t].cov && run->mom[t].mean;
    }
    return ok;
}

brisk_status brisk_power(const brisk_population *pop, const char *analysis, const char *source,
                         const brisk_power_options *opt, brisk_table_list *out, brisk_error *err)
{
    brisk_syntax *syn = NULL;
    brisk_model *m = NULL;
    brisk_status st = analysis_model(pop, analysis, source, &syn, &m, err);
    unsigned nthreads = opt->threads ? opt->threads : 1;
    size_t nmax = 0, total_converged = 0;
    for (size_t k = 0; k < opt->nn; k++)
        nmax = opt->n[k] > nmax ? opt->n[k] : nmax;
    power_run run = {.pop = pop, .m = m, .opt = opt};
    brisk_table *params = parameters_table(), *conv = convergence_table();
    if (st == BRISK_OK && (!params || !conv || !run_init(&run, nmax, nthreads)))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == BRISK_OK && k < opt->nn; k++) {
        run.n = opt->n[k];
        run.nindex = k;
        if (!brisk_run_parallel(opt->reps, nthreads, power_job, &run, opt->progress,
                                opt->progress_ctx)) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        size_t converged = 0;
        for (size_t i = 0; i < opt->reps; i++)
            converged += run.ok[i];
        size_t row = brisk_table_add_row(conv);
        if (row == (size_t)-1 || summary_rows(&run, params) != BRISK_OK) {
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
            break;
        }
        double v[] = {(double)run.n, (double)opt->reps, (double)converged,
                      (double)converged / (double)opt->reps};
        for (size_t c = 0; c < 4; c++)
            brisk_table_set_num(conv, row, c, v[c]);
        total_converged += converged;
        if (converged < opt->reps &&
            brisk_table_list_warn(out, "N = %zu: %zu of %zu fits did not converge (or gave no "
                                  "standard errors); the summaries use the other %zu",
                                  run.n, opt->reps - converged, opt->reps, converged))
            st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK && total_converged == 0) {
        brisk_error_at(err, source, 0, 0);
        st = brisk_error_set(err, BRISK_ERR_CONVERGENCE, "no fit of the analysis model "
                             "converged at any N: check that it is identified (a scale for "
                             "every latent variable) and that it fits variables the population "
                             "draws; brisk fit on one data set of brisk simulate shows why");
    }
    double alpha = opt->alpha > 0 ? opt->alpha : 0.05;
    if (st == BRISK_OK &&
        brisk_table_add_note(params, "From %zu data sets per N drawn from the population "
                             "(seed %llu), each fitted by ML. Bias: mean estimate minus the "
                             "population value; relative SE bias: (mean SE - SD of the "
                             "estimates) / SD; coverage: share of %.4g%% intervals (estimate "
                             "+- z SE) holding the population value; power: share of p < %.3g.",
                             opt->reps, (unsigned long long)opt->seed, 100 * (1 - alpha), alpha))
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    brisk_table *tables[] = {conv, params};
    for (size_t k = 0; k < 2; k++) {
        if (st == BRISK_OK && (st = brisk_table_list_add(out, tables[k])) != BRISK_OK)
            brisk_error_set(err, st, "out of memory");   /* the list freed the table */
        else if (st != BRISK_OK)
            brisk_table_free(tables[k]);
    }
    run_free(&run, nthreads);
    brisk_model_free(m);
    brisk_syntax_free(syn);
    return st;
}
