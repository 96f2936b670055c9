/* make-rongcheng — write the bundled SYNTHETIC Rongcheng survey data.
 *
 * The data imitate the design of Zhang & Aoki's Rongcheng survey (one
 * sample rating four behaviours the social credit system scores) but come
 * entirely from the population model below, drawn with libbrisk's
 * simulator.  They are not Zhang & Aoki's data and no number computed from
 * them is a finding of any study.  surveys/rongcheng/README.md lists every
 * value of the model; `make-rongcheng --describe` prints them from this
 * file, so the two can be checked against each other.
 *
 * Usage: make-rongcheng [-o FILE] [--describe] [--help]
 *
 * The output is reproducible bit for bit: fixed seeds, integers for the
 * answers, four fixed decimals for the weight, '\n' line ends. */
#include <config.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include "brisk/sim.h"

/* ================================================================ the population
 *
 * Every number that shapes the data is in this section.  Latent variables
 * are standardized: each has variance 1 in the population, the residual
 * variances being whatever the paths leave over (standardize_latents()),
 * so path coefficients and loadings read as standardized values. */

#define RESPONDENTS 600
#define MODEL_SEED 20190501u     /* answers: the simulator's stream */
#define MISSING_SEED 20190502u   /* missingness: a stream of its own */

#define N_BEHAVIOURS 4
#define N_PER_ITEMS 12           /* items asked once per behaviour */
#define N_DEMOGRAPHICS 4
#define N_ONCE_ITEMS 6           /* tg1-3, pc1-3 */
#define N_COLUMNS (N_DEMOGRAPHICS + N_ONCE_ITEMS + N_BEHAVIOURS * N_PER_ITEMS)

/* Five answer categories from four cut points on an item's standardized
 * scale.  With intercept 0 they give 3.6%, 12.3%, 22.3%, 43.4%, 18.4%:
 * the mild lean to agreement that attitude items usually show. */
static const double likert_thresholds[4] = {-1.80, -1.00, -0.30, 0.90};

/* Demographics: exogenous standard-normal latents, each measured without
 * error and then cut or transformed. */
static const double corr_age_education = -0.30;
static const double corr_age_income = -0.05;
static const double corr_education_income = 0.45;
static const double gender_threshold[1] = {0.05};      /* 52% female (1) */
/* Sample shares 15/35/28/22% for primary, secondary, vocational/college,
 * university: the sample leans young and educated, as convenience samples
 * do, which the weights then correct. */
static const double education_thresholds[3] = {-1.036, 0.000, 0.772};
static const double income_thresholds[4] = {-0.842, -0.253, 0.253, 0.842};
/* Age = 18 + floor(58 q), q the Beta(a, b) quantile of the age latent's
 * normal probability: bounded 18..75, skewed young (mean about 42). */
static const double age_beta_a = 1.3, age_beta_b = 1.8;

/* Trust in government (asked once), shifted a little by age and education. */
static const double trust_on_age = 0.15;
static const double trust_on_education = 0.10;
static const double corr_trust_privacy = -0.30;   /* residual covariance */
static const double corr_trust_morality = 0.25;   /* with general morality */

/* Residual correlation of one construct between any two behaviours
 * (benefit, risk, acceptance): a respondent who sees more benefit in
 * scoring one behaviour tends to see more in scoring the others, beyond
 * what trust and morality explain.  Morality is tied across behaviours
 * through general morality instead. */
static const double residual_corr_between_behaviours = 0.35;

/* Loadings of items 1..3 of each construct (standardized: error variance
 * = 1 - loading^2). */
static const double loadings_trust[3] = {0.80, 0.75, 0.70};
static const double loadings_privacy[3] = {0.78, 0.72, 0.66};
static const double loadings_morality[3] = {0.80, 0.74, 0.68};
static const double loadings_benefit[3] = {0.84, 0.78, 0.72};
static const double loadings_risk[3] = {0.80, 0.74, 0.66};
static const double loadings_accept[3] = {0.85, 0.80, 0.76};
static const double intercept_trust = 0.35;
static const double intercept_privacy = -0.10;

/* The behaviours differ on purpose, so that comparing them finds
 * something: morality carries most weight for criminal records and fees,
 * privacy concern drives the risk of internet use, littering is weaker
 * throughout. */
typedef struct behaviour_params {
    const char *key;
    double morality_on_general;     /* morality_b ~ general morality */
    double benefit_on_trust, benefit_on_morality;
    double risk_on_trust, risk_on_privacy;
    double accept_on_benefit, accept_on_risk, accept_on_trust;
    /* Item intercepts per construct: where on the scale answers sit. */
    double intercept_morality, intercept_benefit, intercept_risk,
        intercept_accept;
} behaviour_params;

static const behaviour_params behaviours[N_BEHAVIOURS] = {
    {"crime", 0.75, 0.30, 0.45, -0.25, 0.20, 0.50, -0.20, 0.20,
     0.50, 0.45, -0.75, 0.45},
    {"fees", 0.70, 0.30, 0.40, -0.25, 0.30, 0.45, -0.25, 0.20,
     0.35, 0.30, -0.60, 0.35},
    {"internet", 0.55, 0.35, 0.15, -0.20, 0.50, 0.40, -0.35, 0.15,
     -0.10, 0.00, -0.30, -0.15},
    {"litter", 0.65, 0.25, 0.25, -0.15, 0.20, 0.35, -0.15, 0.10,
     0.30, 0.25, -0.70, 0.25},
};

/* Missing answers, drawn independently for every cell (MCAR): the share
 * left empty and the share coded -99 ("refused"). */
typedef struct missing_rates {
    double empty, refused;
} missing_rates;

static const missing_rates missing_age = {0.010, 0.0};
static const missing_rates missing_gender = {0.005, 0.0};
static const missing_rates missing_education = {0.010, 0.0};
static const missing_rates missing_income = {0.010, 0.030};
static const missing_rates missing_item = {0.020, 0.005};
#define REFUSED_CODE (-99)

/* Weights: raking to margins of an imagined target population (these are
 * made-up illustrative shares, not census figures for Rongcheng), then
 * trimming to [WEIGHT_MIN, WEIGHT_MAX], mean 1. */
#define WEIGHT_MIN 0.4
#define WEIGHT_MAX 2.5
static const double target_gender[2] = {0.49, 0.51};
static const double target_age_group[4] = {0.19, 0.27, 0.31, 0.23};
static const double target_education[4] = {0.24, 0.42, 0.20, 0.14};
static const int age_group_lower[4] = {18, 30, 45, 60};

/* ================================================================ building the model */

/* Indices the program needs after building. */
typedef struct rongcheng_model {
    brisk_sim_model *sim;
    double psi[64];               /* residual variances, after standardizing */
    bool endogenous[64];
    /* Per behaviour, the latents benefit, risk, accept. */
    size_t per_behaviour[N_BEHAVIOURS][3];
    size_t age, gender, education, income;     /* indicator columns */
} rongcheng_model;

/* A builder with a sticky status: after the first failure every step is
 * skipped, so the building code reads as the model and is checked once. */
typedef struct builder {
    rongcheng_model *rm;
    brisk_error err;
    brisk_status st;
} builder;

static size_t add_latent(builder *b, const char *name)
{
    size_t index = 0;
    if (b->st == BRISK_OK)
        b->st = brisk_sim_add_latent(b->rm->sim, name, 1.0, &index, &b->err);
    if (b->st == BRISK_OK) {
        if (index >= sizeof b->rm->psi / sizeof b->rm->psi[0])
            b->st = brisk_error_set(&b->err, BRISK_ERR_LIMIT, "too many latents");
        else
            b->rm->psi[index] = 1.0;
    }
    return index;
}

static void add_path(builder *b, size_t from, size_t to, double coefficient)
{
    if (b->st == BRISK_OK)
        b->st = brisk_sim_add_path(b->rm->sim, from, to, coefficient, &b->err);
    if (b->st == BRISK_OK)
        b->rm->endogenous[to] = true;
}

static void set_covariance(builder *b, size_t x, size_t y, double covariance)
{
    if (b->st == BRISK_OK)
        b->st = brisk_sim_set_covariance(b->rm->sim, x, y, covariance, &b->err);
}

/* An error-free measure of a latent, cut by thresholds when given. */
static size_t add_observed(builder *b, const char *name, size_t latent,
                           const double *thresholds, size_t count)
{
    size_t index = 0;
    if (b->st == BRISK_OK)
        b->st = brisk_sim_add_indicator(b->rm->sim, name, latent, 1.0, 0.0,
                                        &index, &b->err);
    if (b->st == BRISK_OK && thresholds)
        b->st = brisk_sim_set_thresholds(b->rm->sim, index, thresholds, count,
                                         &b->err);
    return index;
}

/* Three Likert items prefix1..3 (with "_key" after each when key is not
 * NULL) measuring latent; the third is reverse-keyed when asked. */
static void add_items(builder *b, const char *prefix, const char *key,
                      size_t latent, const double loadings[3],
                      double intercept, bool reverse_third)
{
    for (int i = 0; i < 3 && b->st == BRISK_OK; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%d%s%s", prefix, i + 1, key ? "_" : "",
                 key ? key : "");
        size_t index = 0;
        brisk_sim_model *m = b->rm->sim;
        b->st = brisk_sim_add_indicator(m, name, latent, loadings[i],
                                        1.0 - loadings[i] * loadings[i],
                                        &index, &b->err);
        if (b->st == BRISK_OK)
            b->st = brisk_sim_set_intercept(m, index, intercept, &b->err);
        if (b->st == BRISK_OK)
            b->st = brisk_sim_set_thresholds(m, index, likert_thresholds, 4,
                                             &b->err);
        if (b->st == BRISK_OK && reverse_third && i == 2)
            b->st = brisk_sim_set_reverse(m, index, true, &b->err);
    }
}

/* The latents asked about once: demographics, trust, privacy, and the
 * general morality that ties the four behaviours' moralities together. */
typedef struct person_latents {
    size_t age, gender, education, income, privacy, morality, trust;
} person_latents;

static person_latents add_person_latents(builder *b)
{
    person_latents p;
    p.age = add_latent(b, "age");
    p.gender = add_latent(b, "gender");
    p.education = add_latent(b, "education");
    p.income = add_latent(b, "income");
    p.privacy = add_latent(b, "privacy");
    p.morality = add_latent(b, "general_morality");
    p.trust = add_latent(b, "trust");
    set_covariance(b, p.age, p.education, corr_age_education);
    set_covariance(b, p.age, p.income, corr_age_income);
    set_covariance(b, p.education, p.income, corr_education_income);
    add_path(b, p.age, p.trust, trust_on_age);
    add_path(b, p.education, p.trust, trust_on_education);
    /* Privacy and general morality are exogenous and uncorrelated with
     * the demographics, so these residual covariances are the
     * correlations themselves once trust is standardized. */
    set_covariance(b, p.trust, p.privacy, corr_trust_privacy);
    set_covariance(b, p.trust, p.morality, corr_trust_morality);
    return p;
}

static void add_behaviour(builder *b, const person_latents *p,
                          const behaviour_params *bp, size_t latents[3])
{
    char name[64];
    snprintf(name, sizeof name, "morality_%s", bp->key);
    size_t morality = add_latent(b, name);
    snprintf(name, sizeof name, "benefit_%s", bp->key);
    size_t benefit = add_latent(b, name);
    snprintf(name, sizeof name, "risk_%s", bp->key);
    size_t risk = add_latent(b, name);
    snprintf(name, sizeof name, "accept_%s", bp->key);
    size_t accept = add_latent(b, name);
    latents[0] = benefit;
    latents[1] = risk;
    latents[2] = accept;
    add_path(b, p->morality, morality, bp->morality_on_general);
    add_path(b, p->trust, benefit, bp->benefit_on_trust);
    add_path(b, morality, benefit, bp->benefit_on_morality);
    add_path(b, p->trust, risk, bp->risk_on_trust);
    add_path(b, p->privacy, risk, bp->risk_on_privacy);
    add_path(b, benefit, accept, bp->accept_on_benefit);
    add_path(b, risk, accept, bp->accept_on_risk);
    add_path(b, p->trust, accept, bp->accept_on_trust);
    add_items(b, "pm", bp->key, morality, loadings_morality,
              bp->intercept_morality, false);
    add_items(b, "pb", bp->key, benefit, loadings_benefit,
              bp->intercept_benefit, false);
    /* pr3 is negatively worded: the raw answer runs against risk. */
    add_items(b, "pr", bp->key, risk, loadings_risk, bp->intercept_risk, true);
    add_items(b, "acc", bp->key, accept, loadings_accept,
              bp->intercept_accept, false);
}

/* Give every endogenous latent the residual variance that makes its
 * total variance 1.  In index order, because a latent's variance depends
 * only on the latents before it. */
static void standardize_latents(builder *b)
{
    size_t n = brisk_sim_n_latents(b->rm->sim);
    double *cov = malloc(n * n * sizeof *cov);
    if (!cov && b->st == BRISK_OK)
        b->st = brisk_error_set(&b->err, BRISK_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < n && b->st == BRISK_OK; j++) {
        if (!b->rm->endogenous[j])
            continue;
        b->st = brisk_sim_implied_covariance(b->rm->sim, cov, NULL, &b->err);
        if (b->st != BRISK_OK)
            break;
        double psi = b->rm->psi[j] + 1.0 - cov[j * n + j];
        b->st = brisk_sim_set_variance(b->rm->sim, j, psi, &b->err);
        b->rm->psi[j] = psi;
    }
    free(cov);
}

/* Correlate the residuals of each construct across behaviours.  Set after
 * standardizing because the covariance is the correlation times the two
 * residual standard deviations; no within-behaviour variance depends on
 * these covariances, so the standardization stays exact. */
static void correlate_behaviours(builder *b)
{
    rongcheng_model *rm = b->rm;
    for (size_t c = 0; c < 3; c++)
        for (size_t x = 0; x < N_BEHAVIOURS; x++)
            for (size_t y = x + 1; y < N_BEHAVIOURS; y++) {
                size_t i = rm->per_behaviour[x][c], j = rm->per_behaviour[y][c];
                set_covariance(b, i, j, residual_corr_between_behaviours
                                            * sqrt(rm->psi[i] * rm->psi[j]));
            }
}

static brisk_status build_model(rongcheng_model *rm, brisk_error *err)
{
    builder b = {.rm = rm, .st = BRISK_OK};
    rm->sim = brisk_sim_model_new();
    if (!rm->sim)
        return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    person_latents p = add_person_latents(&b);
    /* Column order of the CSV: demographics, trust, privacy, then the
     * behaviours' items. */
    rm->age = add_observed(&b, "age", p.age, NULL, 0);
    rm->gender = add_observed(&b, "gender", p.gender, gender_threshold, 1);
    rm->education = add_observed(&b, "education", p.education,
                                 education_thresholds, 3);
    rm->income = add_observed(&b, "income", p.income, income_thresholds, 4);
    add_items(&b, "tg", NULL, p.trust, loadings_trust, intercept_trust, false);
    add_items(&b, "pc", NULL, p.privacy, loadings_privacy, intercept_privacy,
              false);
    for (size_t k = 0; k < N_BEHAVIOURS; k++)
        add_behaviour(&b, &p, &behaviours[k], rm->per_behaviour[k]);
    standardize_latents(&b);
    correlate_behaviours(&b);
    if (b.st == BRISK_OK && brisk_sim_n_indicators(rm->sim) != N_COLUMNS)
        b.st = brisk_error_set(&b.err, BRISK_ERR_ARGUMENT,
                               "the model has %zu columns, not %d",
                               brisk_sim_n_indicators(rm->sim), N_COLUMNS);
    if (b.st == BRISK_OK)
        b.st = brisk_sim_check(rm->sim, &b.err);
    if (b.st != BRISK_OK && err)
        *err = b.err;
    return b.st;
}

/* ================================================================ respondents */

typedef struct respondent_table {
    double *answers;          /* RESPONDENTS x N_COLUMNS; NaN when empty */
    int age[RESPONDENTS];     /* complete demographics, before deletion */
    int gender[RESPONDENTS];
    int education[RESPONDENTS];
    double weight[RESPONDENTS];
} respondent_table;

/* Age in whole years from the age latent: a monotone map, so age keeps
 * the latent's correlations in rank. */
static int age_in_years(double z)
{
    double q = gsl_cdf_beta_Pinv(gsl_cdf_ugaussian_P(z), age_beta_a, age_beta_b);
    int age = 18 + (int)floor(58.0 * q);
    return age < 18 ? 18 : age > 75 ? 75 : age;
}

static void convert_ages(const rongcheng_model *rm, respondent_table *t)
{
    for (size_t r = 0; r < RESPONDENTS; r++) {
        double *row = t->answers + r * N_COLUMNS;
        row[rm->age] = age_in_years(row[rm->age]);
        t->age[r] = (int)row[rm->age];
        t->gender[r] = (int)row[rm->gender];
        t->education[r] = (int)row[rm->education];
    }
}

static const missing_rates *rates_of_column(const rongcheng_model *rm,
                                            size_t c)
{
    if (c == rm->age)
        return &missing_age;
    if (c == rm->gender)
        return &missing_gender;
    if (c == rm->education)
        return &missing_education;
    if (c == rm->income)
        return &missing_income;
    return &missing_item;
}

/* One uniform per cell, row by row and column by column, whatever the
 * rates, so changing one rate moves no other cell's fate. */
static void delete_answers(const rongcheng_model *rm, respondent_table *t,
                           gsl_rng *rng)
{
    for (size_t r = 0; r < RESPONDENTS; r++)
        for (size_t c = 0; c < N_COLUMNS; c++) {
            const missing_rates *rate = rates_of_column(rm, c);
            double u = gsl_rng_uniform(rng);
            double *cell = &t->answers[r * N_COLUMNS + c];
            if (u < rate->empty)
                *cell = NAN;
            else if (u < rate->empty + rate->refused)
                *cell = REFUSED_CODE;
        }
}

static int age_group(int age)
{
    int g = 0;
    while (g < 3 && age >= age_group_lower[g + 1])
        g++;
    return g;
}

/* Scale the weights so that their shares over the categories of one
 * variable match the target shares. */
static void rake_margin(double *w, const int *category, int offset,
                        const double *target, int ncat)
{
    double sum[8] = {0}, total = 0;
    for (size_t r = 0; r < RESPONDENTS; r++) {
        int k = category[r] - offset;
        if (k >= 0 && k < ncat)
            sum[k] += w[r];
        total += w[r];
    }
    for (size_t r = 0; r < RESPONDENTS; r++) {
        int k = category[r] - offset;
        if (k >= 0 && k < ncat && sum[k] > 0)
            w[r] *= target[k] * total / sum[k];
    }
}

/* Bring the weights into [WEIGHT_MIN, WEIGHT_MAX] with mean 1: weights
 * beyond a bound are fixed at it and the others rescaled to keep the mean,
 * until no free weight crosses a bound.  Each round fixes at least one
 * more weight, so RESPONDENTS rounds always suffice. */
static void trim_weights(double *w)
{
    bool fixed[RESPONDENTS] = {false};
    for (int round = 0; round < RESPONDENTS; round++) {
        double sum_free = 0, sum_fixed = 0;
        for (size_t r = 0; r < RESPONDENTS; r++) {
            if (fixed[r])
                sum_fixed += w[r];
            else
                sum_free += w[r];
        }
        if (sum_free <= 0)
            return;
        double scale = (RESPONDENTS - sum_fixed) / sum_free;
        bool crossed = false;
        for (size_t r = 0; r < RESPONDENTS; r++) {
            if (fixed[r])
                continue;
            w[r] *= scale;
            if (w[r] > WEIGHT_MAX || w[r] < WEIGHT_MIN) {
                w[r] = w[r] > WEIGHT_MAX ? WEIGHT_MAX : WEIGHT_MIN;
                fixed[r] = true;
                crossed = true;
            }
        }
        if (!crossed)
            return;
    }
}

/* Raking with trimming, repeated until the weights stop changing.  The
 * weights use the demographics as drawn, before any were deleted, so
 * every respondent has one. */
static void compute_weights(respondent_table *t)
{
    int group[RESPONDENTS];
    double previous[RESPONDENTS];
    for (size_t r = 0; r < RESPONDENTS; r++) {
        group[r] = age_group(t->age[r]);
        t->weight[r] = 1.0;
    }
    for (int iteration = 0; iteration < 1000; iteration++) {
        memcpy(previous, t->weight, sizeof previous);
        rake_margin(t->weight, t->gender, 1, target_gender, 2);
        rake_margin(t->weight, group, 0, target_age_group, 4);
        rake_margin(t->weight, t->education, 1, target_education, 4);
        trim_weights(t->weight);
        double change = 0;
        for (size_t r = 0; r < RESPONDENTS; r++)
            change = fmax(change, fabs(t->weight[r] - previous[r]));
        if (change < 1e-12)
            break;
    }
}

static brisk_status draw_respondents(const rongcheng_model *rm,
                                     respondent_table *t, brisk_error *err)
{
    t->answers = malloc((size_t)RESPONDENTS * N_COLUMNS * sizeof *t->answers);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    brisk_status st = BRISK_OK;
    if (!t->answers || !rng) {
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    st = brisk_sim_draw(rm->sim, RESPONDENTS, MODEL_SEED, t->answers, err);
    if (st != BRISK_OK)
        goto cleanup;
    convert_ages(rm, t);
    compute_weights(t);
    gsl_rng_set(rng, MISSING_SEED);
    delete_answers(rm, t, rng);
cleanup:
    gsl_rng_free(rng);
    return st;
}

/* ================================================================ writing */

static void write_header(FILE *f, const rongcheng_model *rm)
{
    fputs("id,weight", f);
    for (size_t c = 0; c < N_COLUMNS; c++)
        fprintf(f, ",%s", brisk_sim_indicator_name(rm->sim, c));
    fputc('\n', f);
}

static void write_rows(FILE *f, const respondent_table *t)
{
    for (size_t r = 0; r < RESPONDENTS; r++) {
        fprintf(f, "%zu,%.4f", r + 1, t->weight[r]);
        for (size_t c = 0; c < N_COLUMNS; c++) {
            double v = t->answers[r * N_COLUMNS + c];
            if (isnan(v))
                fputc(',', f);
            else
                fprintf(f, ",%d", (int)v);
        }
        fputc('\n', f);
    }
}

/* Write to a temporary file beside the target and rename it into place,
 * so a failure never leaves a partial file under the target's name. */
static int write_csv(const char *path, const rongcheng_model *rm,
                     const respondent_table *t)
{
    if (!path) {
        write_header(stdout, rm);
        write_rows(stdout, t);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "make-rongcheng: cannot write standard output: %s\n",
                    strerror(errno));
            return 4;
        }
        return 0;
    }
    size_t len = strlen(path);
    char *tmp = malloc(len + sizeof ".tmpXXXXXX");
    if (!tmp) {
        fprintf(stderr, "make-rongcheng: out of memory\n");
        return 4;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    int status = 4;
    FILE *f = NULL;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "make-rongcheng: cannot write %s (creating %s): %s\n",
                path, tmp, strerror(errno));
        free(tmp);
        return 4;
    }
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        goto cleanup;
    }
    write_header(f, rm);
    write_rows(f, t);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed)
        goto cleanup;
    f = NULL;
    /* mkstemp creates the file 0600; give it the mode a plain fopen()
     * would have (0666 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    if (chmod(tmp, 0666 & ~mask) != 0 || rename(tmp, path) != 0)
        goto cleanup;
    status = 0;
cleanup:
    if (status != 0) {
        fprintf(stderr, "make-rongcheng: cannot write %s: %s\n", path,
                strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return status;
}

/* ================================================================ --describe */

static void describe_latents(const rongcheng_model *rm)
{
    size_t n = brisk_sim_n_latents(rm->sim);
    printf("| latent | residual variance |\n|---|---|\n");
    for (size_t j = 0; j < n; j++)
        printf("| %s | %.4f%s |\n", brisk_sim_latent_name(rm->sim, j),
               rm->psi[j], rm->endogenous[j] ? "" : " (exogenous)");
}

static size_t find_latent(const rongcheng_model *rm, const char *kind,
                          const char *key)
{
    char name[64];
    snprintf(name, sizeof name, "%s_%s", kind, key);
    size_t n = brisk_sim_n_latents(rm->sim);
    for (size_t j = 0; j < n; j++)
        if (strcmp(brisk_sim_latent_name(rm->sim, j), name) == 0)
            return j;
    return n;
}

/* How strongly one respondent's latents hang together across behaviours. */
static void describe_correlations(const rongcheng_model *rm)
{
    static const char *const kinds[] = {"morality", "benefit", "risk", "accept"};
    size_t n = brisk_sim_n_latents(rm->sim);
    double *cov = malloc(n * n * sizeof *cov);
    brisk_error err = {0};
    if (!cov || brisk_sim_implied_covariance(rm->sim, cov, NULL, &err) != BRISK_OK) {
        free(cov);
        return;
    }
    printf("\nImplied correlations between behaviours (population):\n\n");
    for (size_t k = 0; k < 4; k++) {
        printf("- %s:", kinds[k]);
        for (size_t a = 0; a < N_BEHAVIOURS; a++)
            for (size_t b = a + 1; b < N_BEHAVIOURS; b++) {
                size_t i = find_latent(rm, kinds[k], behaviours[a].key);
                size_t j = find_latent(rm, kinds[k], behaviours[b].key);
                if (i < n && j < n)
                    printf(" %s-%s %.3f", behaviours[a].key, behaviours[b].key,
                           cov[i * n + j]);
            }
        printf("\n");
    }
    free(cov);
}

static void describe(const rongcheng_model *rm)
{
    printf("Synthetic Rongcheng population model (make-rongcheng)\n\n");
    printf("N = %d, model seed %u, missingness seed %u\n\n", RESPONDENTS,
           MODEL_SEED, MISSING_SEED);
    describe_latents(rm);
    describe_correlations(rm);
}

/* ================================================================ main */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: make-rongcheng [-o FILE] [--describe]\n"
            "Write the SYNTHETIC Rongcheng survey data (%d respondents, seed %u)\n"
            "as CSV to FILE, or to standard output without -o.\n\n"
            "  -o, --output FILE  write to FILE (through a temporary file)\n"
            "  -d, --describe     print the model's derived values and exit\n"
            "  -h, --help         show this help and exit\n\n"
            "The data are drawn from a made-up population model; they are not\n"
            "Zhang & Aoki's data and nothing computed from them is a finding.\n",
            RESPONDENTS, MODEL_SEED);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"describe", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    bool describe_only = false;
    int c;
    while ((c = getopt_long(argc, argv, "o:dh", options, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'd': describe_only = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "make-rongcheng: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    gsl_set_error_handler_off();

    rongcheng_model rm = {0};
    respondent_table t = {0};
    brisk_error err = {0};
    int status = 0;
    if (build_model(&rm, &err) != BRISK_OK
        || (!describe_only && draw_respondents(&rm, &t, &err) != BRISK_OK)) {
        fprintf(stderr, "make-rongcheng: %s\n", err.message);
        status = 3;
        goto cleanup;
    }
    if (describe_only)
        describe(&rm);
    else
        status = write_csv(output, &rm, &t);
cleanup:
    free(t.answers);
    brisk_sim_model_free(rm.sim);
    return status;
}
