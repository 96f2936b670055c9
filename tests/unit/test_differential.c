/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The differential battery (tests/reference/differential/): every case
 * that lavaan estimated is fitted by brisk with the same options, and every
 * estimate, standard error, std.all, threshold and fit measure is compared
 * with lavaan's (in the second set, set2/, also every modification index
 * lavaan lists).  One test per case; the last one counts convergence and
 * prints the largest differences by kind of case.
 *
 * Tolerances: TOL (1e-3 in the first set, 1e-4 in the second), relative
 * above 1 (estimates, SEs, std.all, indices, fit measures).  A case
 * lavaan could not give standard errors for may also be refused by brisk
 * as not identified. */
#include <config.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "brisk.h"
#include "ref_helpers.h"

/* The first set (make_battery.R) to 1e-3; the second (make_battery2.R,
 * built as test_differential2 with DIFFERENTIAL_SET2: MLM, the least-squares
 * estimators, modification indices, group.partial) to 1e-4. */
#ifdef DIFFERENTIAL_SET2
#define DIR TEST_SRCDIR "/tests/reference/differential/set2/"
#define TOL 1e-4
#else
#define DIR TEST_SRCDIR "/tests/reference/differential/"
#define TOL 1e-3
#endif
#define MAX_REPORTED 12

typedef struct battery {
    brisk_dataset *cases, *params, *fit;
    size_t lavaan_converged, brisk_converged, brisk_refused_unidentified;
    size_t lavaan_failed, brisk_on_lavaan_failed;
    size_t indeterminate;        /* solutions the data do not determine */
    size_t untrusted;            /* cases where lavaan's own arithmetic failed */
    size_t lower_optimum;        /* brisk found a lower chi-square than lavaan's */
    brisk_dataset *known;        /* known.csv: where brisk stops short of lavaan */
    size_t known_differences;
    brisk_dataset *mi;           /* mi.csv (second set): lavaan's modindices() */
    brisk_dataset *tolerances;   /* tolerances.csv (second set): a case's looser
                                    tolerance for its indices, with the reason */
    size_t mi_compared;          /* indices compared */
    /* the largest difference seen (relative above 1, as compared), by the
     * cases' kind and what was compared */
    struct {
        char kind[32];
        double d[5];             /* est, se, std.all, fit measures, indices */
    } largest[16];
    size_t nkinds;
} battery;

static battery B;

typedef struct case_state {
    size_t row;            /* in cases.csv */
    char name[160];
} case_state;

/* A cell as text, empty where missing ("001" read as a number is "001"
 * again in an id column). */
static const char *cell(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    if (!c)
        fail_msg("no column %s in the reference", col);
    static char buf[64];
    if (c->type == BRISK_STRING)
        return c->str[i] ? c->str[i] : "";
    if (brisk_is_missing(c, i))
        return "";
    snprintf(buf, sizeof buf, strcmp(col, "id") == 0 ? "%03.0f" : "%g", c->num[i]);
    return buf;
}

/* A cell of a column the first set's cases.csv does not have: "" there. */
static const char *optional_cell(const brisk_dataset *d, const char *col, size_t i)
{
    return brisk_dataset_find(d, col) ? cell(d, col, i) : "";
}

static bool is_true(const brisk_dataset *d, const char *col, size_t i)
{
    return strcmp(cell(d, col, i), "TRUE") == 0;
}

static double ref_num(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    if (!c)
        fail_msg("no column %s", col);
    if (c->type == BRISK_STRING)
        return c->str[i] && c->str[i][0] ? strtod(c->str[i], NULL) : NAN;
    return brisk_is_missing(c, i) ? NAN : c->num[i];
}

/* ------------------------------------------------------------ options */

static unsigned group_equal_flags(const char *list)
{
    static const struct { const char *name; unsigned flag; } map[] = {
        {"loadings", BRISK_EQUAL_LOADINGS}, {"intercepts", BRISK_EQUAL_INTERCEPTS},
        {"residuals", BRISK_EQUAL_RESIDUALS}, {"lv.variances", BRISK_EQUAL_LV_VARIANCES},
        {"regressions", BRISK_EQUAL_REGRESSIONS}, {"means", BRISK_EQUAL_MEANS},
        {"thresholds", BRISK_EQUAL_THRESHOLDS},
    };
    unsigned flags = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        bool known = false;
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
            if (strcmp(tok, map[k].name) == 0) {
                flags |= map[k].flag;
                known = true;
            }
        if (!known)
            fail_msg("group.equal '%s' has no brisk flag", tok);
    }
    return flags;
}

static brisk_model_options case_options(size_t i)
{
    brisk_model_options opt = {0};
    static const struct { const char *name; brisk_estimator e; } estimators[] = {
        {"ML", BRISK_ESTIMATOR_ML},     {"MLR", BRISK_ESTIMATOR_MLR},
        {"MLM", BRISK_ESTIMATOR_MLM},   {"WLSMV", BRISK_ESTIMATOR_WLSMV},
        {"GLS", BRISK_ESTIMATOR_GLS},   {"ULS", BRISK_ESTIMATOR_ULS},
        {"WLS", BRISK_ESTIMATOR_WLS},   {"DWLS", BRISK_ESTIMATOR_DWLS},
    };
    const char *est = cell(B.cases, "estimator", i);
    bool known = false;
    for (size_t k = 0; k < sizeof estimators / sizeof estimators[0]; k++)
        if (strcmp(est, estimators[k].name) == 0) {
            opt.estimator = estimators[k].e;
            known = true;
        }
    if (!known)
        fail_msg("estimator '%s' has no brisk estimator", est);
    opt.fiml = strcmp(cell(B.cases, "missing", i), "ml") == 0;
    opt.std_lv = is_true(B.cases, "std_lv", i);
    opt.group_equal = group_equal_flags(cell(B.cases, "group_equal", i));
    const char *partial = optional_cell(B.cases, "group_partial", i);
    opt.group_partial = partial[0] ? partial : NULL;
    return opt;
}

/* ------------------------------------------------------------ comparing */

typedef struct report {
    size_t mismatches;
    const char *id;
    const char *kind;     /* the case's kind (cases.csv), for the largest differences */
} report;

enum { D_EST, D_SE, D_STD, D_FIT, D_MI };

/* Keep the largest difference of its kind and class. */
static void note_difference(const report *r, int what, double got, double want)
{
    if (!isfinite(got) || !isfinite(want))
        return;
    size_t k = 0;
    while (k < B.nkinds && strcmp(B.largest[k].kind, r->kind) != 0)
        k++;
    if (k == B.nkinds) {
        if (B.nkinds == sizeof B.largest / sizeof B.largest[0])
            return;
        snprintf(B.largest[B.nkinds++].kind, sizeof B.largest[0].kind, "%s", r->kind);
    }
    double d = fabs(got - want) / fmax(1, fabs(want));
    if (d > B.largest[k].d[what])
        B.largest[k].d[what] = d;
}

static void mismatch(report *r, const char *fmt, ...)
{
    if (r->mismatches++ >= MAX_REPORTED)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    print_error("case %s: %s\n", r->id, text);
}

/* Within TOL, relative above 1 (a chi-square, an estimate in its units,
 * or a fit index as far from its range as a TLI of -118); relative is kept
 * for the callers' clarity. */
static bool close_to(double got, double want, bool relative)
{
    (void)relative;
    if (isnan(want))
        return true;
    if (!isfinite(got))
        return false;
    return fabs(got - want) <= TOL * fmax(1, fabs(want));
}

static size_t group_of(const brisk_fitted *f, const char *label)
{
    if (f->ngroups <= 1 || !label[0])
        return 0;
    for (size_t g = 0; g < f->ngroups; g++)
        if (strcmp(f->group_labels[g], label) == 0)
            return g;
    return (size_t)-1;
}

/* The brisk row of a lavaan row (lhs op rhs in a group), or -1. */
static long find_row(const brisk_fitted *f, const char *lhs, const char *op, const char *rhs,
                     size_t group)
{
    const brisk_model *m = f->model;
    for (size_t r = 0; r < brisk_model_nparams(m); r++) {
        const brisk_param *p = brisk_model_param(m, r);
        const char *pop = brisk_op_text(p->op);
        if (strcmp(pop, op) != 0)
            continue;
        if (p->op == BRISK_OP_DEFINE) {
            if (strcmp(p->lhs, lhs) == 0)
                return (long)r;
            continue;
        }
        if (p->group != group)
            continue;
        if (strcmp(p->lhs, lhs) == 0 && strcmp(p->rhs, rhs) == 0)
            return (long)r;
        if (p->op == BRISK_OP_COVARY && strcmp(p->lhs, rhs) == 0 && strcmp(p->rhs, lhs) == 0)
            return (long)r;
    }
    return -1;
}

/* Threshold t<k> of item lhs in group: its index in the fit's arrays. */
static long find_threshold(const brisk_fitted *f, const char *lhs, const char *rhs, size_t group)
{
    const brisk_fit *fit = f->fit;
    long want = rhs[0] == 't' ? strtol(rhs + 1, NULL, 10) : 0, seen = 0;
    for (size_t k = 0; k < fit->nthresholds; k++) {
        if (fit->threshold_group[k] != group ||
            strcmp(brisk_model_observed(f->model, fit->threshold_item[k]), lhs) != 0)
            continue;
        if (++seen == want)
            return (long)k;
    }
    return -1;
}

/* Item lhs's scale factor in group: its index in the fit's arrays. */
static long find_scale(const brisk_fitted *f, const char *lhs, size_t group)
{
    const brisk_fit *fit = f->fit;
    for (size_t k = 0; k < fit->nscales; k++)
        if (fit->scale_group[k] == group &&
            strcmp(brisk_model_observed(f->model, fit->scale_item[k]), lhs) == 0)
            return (long)k;
    return -1;
}

static void compare_value(report *r, const char *what, const char *row, double got, double want)
{
    note_difference(r, strcmp(what, "se") == 0 ? D_SE : strcmp(what, "est") == 0 ? D_EST : D_STD,
                    got, want);
    if (!close_to(got, want, true))
        mismatch(r, "%s %s: brisk %.6g, lavaan %.6g", row, what, got, want);
}

/* Factors whose sign lavaan settled the other way.  A factor scaled by its
 * variance can be reflected without changing the fit; brisk orients it by
 * its first loading (lib/sem/orient.c), lavaan by its optimizer's path.
 * Such a factor's first loading has the opposite sign in the two: then
 * every row that involves it once is compared negated, and := rows (whose
 * sign depends on the expression) are not compared. */
typedef struct reflection {
    char lv[64][64];
    char group[64][32];
    size_t n;
} reflection;

static bool reflected(const reflection *rf, const char *name, const char *group)
{
    for (size_t k = 0; k < rf->n; k++)
        if (strcmp(rf->lv[k], name) == 0 && strcmp(rf->group[k], group) == 0)
            return true;
    return false;
}

static void find_reflections(const brisk_fitted *f, size_t first, size_t last, reflection *rf)
{
    rf->n = 0;
    for (size_t i = first; i < last && rf->n < 64; i++) {
        const char *op = cell(B.params, "op", i);
        if (strcmp(op, "=~") != 0)
            continue;
        char lhs[64], glabel[32];
        snprintf(lhs, sizeof lhs, "%s", cell(B.params, "lhs", i));
        snprintf(glabel, sizeof glabel, "%s", cell(B.params, "group", i));
        bool seen = false;   /* only the factor's first loading decides */
        for (size_t j = first; j < i && !seen; j++)
            seen = strcmp(cell(B.params, "op", j), "=~") == 0 &&
                   strcmp(cell(B.params, "lhs", j), lhs) == 0 &&
                   strcmp(cell(B.params, "group", j), glabel) == 0;
        if (seen)
            continue;
        size_t g = group_of(f, glabel);
        char rhs[64];
        snprintf(rhs, sizeof rhs, "%s", cell(B.params, "rhs", i));
        long row = g == (size_t)-1 ? -1 : find_row(f, lhs, "=~", rhs, g);
        double want = ref_num(B.params, "est", i);
        if (row >= 0 && fabs(want) > 1e-6 && f->fit->rows[row].est * want < 0) {
            snprintf(rf->lv[rf->n], sizeof rf->lv[0], "%s", lhs);
            snprintf(rf->group[rf->n], sizeof rf->group[0], "%s", glabel);
            rf->n++;
        }
    }
}

static void compare_params(report *r, const brisk_fitted *f, size_t first, size_t last,
                           bool se_ok, reflection *rfp)
{
    reflection rf;
    find_reflections(f, first, last, &rf);
    *rfp = rf;
    for (size_t i = first; i < last; i++) {
        const char *lhs = cell(B.params, "lhs", i), *op = cell(B.params, "op", i);
        char rhs[256], where[600];
        snprintf(rhs, sizeof rhs, "%s", cell(B.params, "rhs", i));
        const char *glabel = cell(B.params, "group", i);
        if (strcmp(op, "==") == 0 || (strcmp(op, "~*~") == 0 && !f->fit->nscales))
            continue;   /* constraints; scale factors where they are fixed at 1 */
        size_t g = group_of(f, glabel);
        snprintf(where, sizeof where, "%s %s %s%s%s", lhs, op, rhs, glabel[0] ? " group " : "",
                 glabel);
        if (g == (size_t)-1) {
            mismatch(r, "%s: no such group in brisk's fit", where);
            continue;
        }
        double est = ref_num(B.params, "est", i), se = ref_num(B.params, "se", i);
        double std = ref_num(B.params, "std_all", i);
        if (strcmp(op, "~*~") == 0) {   /* estimated after the first group */
            long k = find_scale(f, lhs, g);
            if (k < 0) {
                mismatch(r, "%s: no such scale factor in brisk's fit", where);
                continue;
            }
            compare_value(r, "est", where, f->fit->scales[k], est);
            if (se_ok)
                compare_value(r, "se", where, f->fit->scale_se[k], se);
            continue;
        }
        if (strcmp(op, "|") == 0) {
            long k = find_threshold(f, lhs, rhs, g);
            if (k < 0) {
                mismatch(r, "%s: no such threshold in brisk's fit", where);
                continue;
            }
            compare_value(r, "est", where, f->fit->thresholds[k], est);
            if (se_ok)
                compare_value(r, "se", where, f->fit->threshold_se[k], se);
            compare_value(r, "std.all", where, f->fit->threshold_std[k], std);
            continue;
        }
        long row = find_row(f, lhs, op, rhs, g);
        if (row < 0) {
            mismatch(r, "%s: no such parameter in brisk's fit", where);
            continue;
        }
        if (strcmp(op, ":=") == 0 && rf.n)
            continue;   /* its sign under a reflection depends on the expression */
        bool a = reflected(&rf, lhs, glabel), b = reflected(&rf, rhs, glabel);
        if (a != b && strcmp(op, "~1") != 0) {
            est = -est;
            std = -std;
        } else if (a && strcmp(op, "~1") == 0) {
            est = -est;
            std = -std;
        }
        const brisk_estimate *e = &f->fit->rows[row];
        compare_value(r, "est", where, e->est, est);
        if (se_ok)
            compare_value(r, "se", where, e->se, se);
        compare_value(r, "std.all", where, e->std_all, std);
    }
}

/* lavaan's fit measures and where brisk keeps each; kind: 'r' relative,
 * 'a' absolute; only: 0 always, 's' with a scaled test, 'r' with robust
 * indices. */
static const struct {
    const char *name;
    size_t offset;
    char kind, only;
} measures[] = {
#define M(n, field, kind, only) {n, offsetof(brisk_fit_measures, field), kind, only}
    M("chisq", chisq, 'r', 0), M("df", df, 'a', 0), M("pvalue", pvalue, 'a', 0),
    M("baseline.chisq", baseline_chisq, 'r', 0), M("baseline.df", baseline_df, 'a', 0),
    M("cfi", cfi, 'a', 0), M("tli", tli, 'a', 0), M("rmsea", rmsea, 'a', 0),
    M("rmsea.ci.lower", rmsea_ci_lower, 'a', 0), M("rmsea.ci.upper", rmsea_ci_upper, 'a', 0),
    M("rmsea.pvalue", rmsea_pvalue, 'a', 0), M("srmr", srmr, 'a', 0),
    M("logl", loglik, 'r', 0), M("unrestricted.logl", unrestricted_loglik, 'r', 0),
    M("aic", aic, 'r', 0), M("bic", bic, 'r', 0),
    M("chisq.scaled", chisq_scaled, 'r', 's'), M("pvalue.scaled", pvalue_scaled, 'a', 's'),
    M("chisq.scaling.factor", scaling_factor, 'a', 's'),
    M("baseline.chisq.scaled", baseline_chisq_scaled, 'r', 's'),
    M("cfi.scaled", cfi_scaled, 'a', 's'), M("tli.scaled", tli_scaled, 'a', 's'),
    M("rmsea.scaled", rmsea_scaled, 'a', 's'),
    M("cfi.robust", cfi_robust, 'a', 'r'), M("tli.robust", tli_robust, 'a', 'r'),
    M("rmsea.robust", rmsea_robust, 'a', 'r'),
    M("rmsea.ci.lower.robust", rmsea_ci_lower_robust, 'a', 'r'),
    M("rmsea.ci.upper.robust", rmsea_ci_upper_robust, 'a', 'r'),
#undef M
};

/* Whether a fit measure is the baseline model's or made from it. */
static bool of_baseline(const char *name)
{
    return strncmp(name, "baseline", 8) == 0 || strncmp(name, "cfi", 3) == 0 ||
           strncmp(name, "tli", 3) == 0;
}

/* baseline_ok false: lavaan warned that its baseline model did not
 * converge (second set, cases.csv's baseline_converged), so its baseline
 * chi-square, CFI and TLI are no reference. */
static void compare_fit(report *r, const brisk_fitted *f, size_t first, size_t last,
                        bool baseline_ok)
{
    const brisk_fit_measures *fm = &f->fit->fit;
    for (size_t i = first; i < last; i++) {
        const char *name = cell(B.fit, "measure", i);
        if (!baseline_ok && of_baseline(name))
            continue;
        for (size_t k = 0; k < sizeof measures / sizeof measures[0]; k++) {
            if (strcmp(measures[k].name, name) != 0)
                continue;
            if ((measures[k].only == 's' && !fm->scaled) ||
                (measures[k].only == 'r' && !fm->robust))
                continue;
            double want = ref_num(B.fit, "value", i);
            double got = *(const double *)((const char *)fm + measures[k].offset);
            note_difference(r, D_FIT, got, want);
            if (!close_to(got, want, measures[k].kind == 'r'))
                mismatch(r, "fit measure %s: brisk %.6g, lavaan %.6g", name, got, want);
        }
    }
}

/* Whether the data do not determine the estimates: a solution on a valley
 * that falls ever more slowly towards infinity (a Heywood case), where
 * lavaan stops at one point and brisk at another, both within lavaan's
 * gradient tolerance.  brisk says so (a flat optimum, or an information
 * singular at the solution); lavaan has no standard errors, or some far
 * larger than the estimate's scale.  Then only the chi-square compares:
 * brisk's may be lower (further down the valley), not higher. */
static bool indeterminate(const brisk_fitted *f, size_t first, size_t last, bool se_ok)
{
    for (size_t w = 0; w < f->fit->nwarnings; w++)
        if (strstr(f->fit->warnings[w], "optimum is flat") ||
            strstr(f->fit->warnings[w], "empirically not identified"))
            return true;
    if (!se_ok)
        return true;
    for (size_t i = first; i < last; i++) {
        double est = ref_num(B.params, "est", i), se = ref_num(B.params, "se", i);
        if (isfinite(se) && se > 10 * fmax(1, fabs(est)))
            return true;
    }
    return false;
}

static void compare_chisq(report *r, const brisk_fitted *f, size_t first, size_t last)
{
    const brisk_fit_measures *fm = &f->fit->fit;
    for (size_t i = first; i < last; i++) {
        const char *name = cell(B.fit, "measure", i);
        double want = ref_num(B.fit, "value", i);
        if (strcmp(name, "df") == 0 && !close_to(fm->df, want, false))
            mismatch(r, "df: brisk %g, lavaan %g", fm->df, want);
        if (strcmp(name, "chisq") == 0 && !(fm->chisq <= want + TOL * fmax(1, want)))
            mismatch(r, "chi-square of a flat optimum: brisk %.6g above lavaan's %.6g",
                     fm->chisq, want);
    }
}

/* The rows [first, last) of a reference table that belong to case id. */
static void rows_of(const brisk_dataset *d, const char *id, size_t *first, size_t *last)
{
    *first = *last = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        if (strcmp(cell(d, "id", i), id) != 0)
            continue;
        if (*last == 0)
            *first = i;
        *last = i + 1;
    }
}

/* Whether case id is in known.csv. */
static bool known_difference(const char *id)
{
    for (size_t i = 0; B.known && i < B.known->nrows; i++)
        if (strcmp(cell(B.known, "id", i), id) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------ modification indices */

static bool same_index(const brisk_modindex *m, const char *lhs, const char *op, const char *rhs,
                       size_t group)
{
    if (m->group != group || strcmp(brisk_op_text(m->op), op) != 0)
        return false;
    if (strcmp(m->lhs, lhs) == 0 && strcmp(m->rhs, rhs) == 0)
        return true;
    return m->op == BRISK_OP_COVARY && strcmp(m->lhs, rhs) == 0 && strcmp(m->rhs, lhs) == 0;
}

/* Every row of lavaan's modindices() with MI > 0 (mi.csv) in brisk's list
 * with the same MI, EPC, sepc.lv, sepc.all and sepc.nox; no index above
 * 1e-3 in brisk's list that lavaan does not list.  A reflected factor's
 * EPCs are compared negated, as its estimates.  tol: mi_tolerance's. */
static void compare_modindices(report *r, const brisk_fitted *f, const reflection *rf,
                               double tol)
{
    brisk_modindex *mi = NULL;
    size_t n = 0;
    brisk_error err;
    brisk_error_clear(&err);
    if (brisk_modindices(f, &mi, &n, &err) != BRISK_OK) {
        mismatch(r, "modification indices: %s", err.message);
        return;
    }
    size_t first, last;
    rows_of(B.mi, r->id, &first, &last);
    bool *listed = calloc(n ? n : 1, sizeof *listed);
    for (size_t i = first; i < last && listed; i++) {
        char lhs[64], op[8], rhs[64], glabel[32], where[256];
        snprintf(lhs, sizeof lhs, "%s", cell(B.mi, "lhs", i));
        snprintf(op, sizeof op, "%s", cell(B.mi, "op", i));
        snprintf(rhs, sizeof rhs, "%s", cell(B.mi, "rhs", i));
        snprintf(glabel, sizeof glabel, "%s", cell(B.mi, "group", i));
        snprintf(where, sizeof where, "MI of %s %s %s%s%s", lhs, op, rhs,
                 glabel[0] ? " group " : "", glabel);
        size_t g = group_of(f, glabel), k = 0;
        while (k < n && !same_index(&mi[k], lhs, op, rhs, g))
            k++;
        if (k == n) {
            mismatch(r, "%s (lavaan %.6g) is not in brisk's list", where,
                     ref_num(B.mi, "mi", i));
            continue;
        }
        listed[k] = true;
        B.mi_compared++;
        bool a = reflected(rf, lhs, glabel), b = reflected(rf, rhs, glabel);
        double sign = (strcmp(op, "~1") == 0 ? a : a != b) ? -1 : 1;
        static const struct { const char *col; size_t offset; } cols[] = {
            {"mi", offsetof(brisk_modindex, mi)}, {"epc", offsetof(brisk_modindex, epc)},
            {"sepc_lv", offsetof(brisk_modindex, sepc_lv)},
            {"sepc_all", offsetof(brisk_modindex, sepc_all)},
            {"sepc_nox", offsetof(brisk_modindex, sepc_nox)},
        };
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            double want = ref_num(B.mi, cols[c].col, i) * (c ? sign : 1);
            double got = *(const double *)((const char *)&mi[k] + cols[c].offset);
            note_difference(r, D_MI, got, want);
            if (!(isnan(want) || fabs(got - want) <= tol * fmax(1, fabs(want))))
                mismatch(r, "%s %s: brisk %.6g, lavaan %.6g", where, cols[c].col, got, want);
        }
    }
    for (size_t k = 0; k < n && listed; k++)
        if (!listed[k] && mi[k].mi > 1e-3)
            mismatch(r, "MI of %s %s %s (group %zu): brisk %.6g, not in lavaan's list", mi[k].lhs,
                     brisk_op_text(mi[k].op), mi[k].rhs, mi[k].group + 1, mi[k].mi);
    free(listed);
    free(mi);
}

/* The tolerance of case row i's indices: tolerances.csv's for the case
 * (each with its reason there and in the README), else TOL. */
static double mi_tolerance(size_t i)
{
    char id[16];   /* (cell's text of a number is overwritten by the next) */
    snprintf(id, sizeof id, "%s", cell(B.cases, "id", i));
    for (size_t k = 0; B.tolerances && k < B.tolerances->nrows; k++)
        if (strcmp(cell(B.tolerances, "id", k), id) == 0)
            return ref_num(B.tolerances, "tolerance", k);
    return TOL;
}

/* ------------------------------------------------------------ one case */

static void test_case(void **state)
{
    const case_state *cs = *state;
    size_t i = cs->row;

    char id[16], path[512];
    snprintf(id, sizeof id, "%s", cell(B.cases, "id", i));
    bool converged = is_true(B.cases, "converged", i), se_ok = is_true(B.cases, "se_ok", i);
    snprintf(path, sizeof path, DIR "models/%s.lav", id);
    char *text = strdup(slurp(path));
    snprintf(path, sizeof path, DIR "data/%s.csv", id);
    brisk_dataset *ds = read_csv(path);
    const char *group = cell(B.cases, "group", i);
    brisk_model_options opt = case_options(i);
    brisk_fitted f;
    brisk_error err;
    brisk_error_clear(&err);
    snprintf(path, sizeof path, "models/%s.lav", id);
    brisk_status st = brisk_fit_text(text, path, 1, ds, NULL, 0, group[0] ? group : NULL, &opt,
                                     &f, &err);
    free(text);
    if (!converged) {
        /* lavaan gave no solution: brisk may or may not find one */
        B.lavaan_failed++;
        B.brisk_on_lavaan_failed += st == BRISK_OK;
        if (st == BRISK_OK)
            brisk_fitted_free(&f);
        brisk_dataset_free(ds);
        print_message("# lavaan found no solution; brisk %s\n",
                      st == BRISK_OK ? "found one" : "found none either");
        return;
    }
    B.lavaan_converged++;
    if (st != BRISK_OK) {
        brisk_dataset_free(ds);
        if (!se_ok && st == BRISK_ERR_MODEL && strstr(err.message, "not identified")) {
            B.brisk_refused_unidentified++;
            return;   /* lavaan could not invert the information either */
        }
        fail_msg("case %s (%s): lavaan converged, brisk: %s", id,
                 cell(B.cases, "note", i), err.message);
    }
    B.brisk_converged++;
    if (!is_true(B.cases, "trusted", i)) {
        /* lavaan's own arithmetic failed here (NaNs in its probit
         * regressions): its numbers are no reference */
        B.untrusted++;
        print_message("# lavaan's numbers are not a reference here (%s); brisk ended\n",
                      cell(B.cases, "lavaan_warnings", i));
        brisk_fitted_free(&f);
        brisk_dataset_free(ds);
        return;
    }
    char kind[32];
    snprintf(kind, sizeof kind, "%s", cell(B.cases, "kind", i));
    report r = {.id = id, .kind = kind};
    size_t first, last;
    rows_of(B.fit, id, &first, &last);
    double lavaan_chisq = NAN;
    for (size_t k = first; k < last; k++)
        if (strcmp(cell(B.fit, "measure", k), "chisq") == 0)
            lavaan_chisq = ref_num(B.fit, "value", k);
    if (f.fit->fit.chisq < lavaan_chisq - TOL * fmax(1, lavaan_chisq)) {
        /* two optima: lavaan's path stopped at the higher one; the maximum
         * likelihood estimate is brisk's */
        B.lower_optimum++;
        print_message("# brisk found a better optimum than lavaan's: chi-square %.6g against "
                      "%.6g\n", f.fit->fit.chisq, lavaan_chisq);
        brisk_fitted_free(&f);
        brisk_dataset_free(ds);
        return;
    }
    if (known_difference(id)) {
        /* a recorded difference (known.csv): brisk must still end near
         * lavaan's optimum, its chi-square within 5% */
        B.known_differences++;
        double chisq = f.fit->fit.chisq;
        print_message("# case %s: a known difference; chi-square %.6g against lavaan's %.6g\n",
                      id, chisq, lavaan_chisq);
        brisk_fitted_free(&f);
        brisk_dataset_free(ds);
        assert_true(fabs(chisq - lavaan_chisq) <= 0.05 * lavaan_chisq);
        return;
    }
    rows_of(B.params, id, &first, &last);
    if (indeterminate(&f, first, last, se_ok)) {
        B.indeterminate++;
        rows_of(B.fit, id, &first, &last);
        compare_chisq(&r, &f, first, last);
    } else {
        reflection rf;
        compare_params(&r, &f, first, last, se_ok, &rf);
        rows_of(B.fit, id, &first, &last);
        compare_fit(&r, &f, first, last,
                    strcmp(optional_cell(B.cases, "baseline_converged", i), "FALSE") != 0);
        /* where lavaan's modindices() changed the estimates it starts the
         * extended model from (mi_trusted FALSE, make_battery2.R), its
         * indices are no reference */
        if (B.mi && strcmp(optional_cell(B.cases, "modindices", i), "TRUE") == 0 &&
            strcmp(optional_cell(B.cases, "mi_trusted", i), "FALSE") != 0)
            compare_modindices(&r, &f, &rf, mi_tolerance(i));
    }
    brisk_fitted_free(&f);
    brisk_dataset_free(ds);
    if (r.mismatches)
        fail_msg("case %s (%s): %zu values differ from lavaan's", id,
                 cell(B.cases, "note", i), r.mismatches);
}

/* Every case lavaan estimated, brisk estimated too (or, where lavaan could
 * not invert the information, called the model not identified). */
static void test_convergence(void **state)
{
    (void)state;
    print_message("# lavaan converged on %zu of %zu cases; brisk converged on %zu of them "
                  "(%zu with estimates the data do not determine: chi-square compared; %zu "
                  "where lavaan's own arithmetic failed: nothing compared; %zu at a lower "
                  "optimum than lavaan's; %zu known differences, known.csv) and called %zu not "
                  "identified where lavaan had no standard errors; on the %zu cases lavaan "
                  "did not solve brisk converged on %zu\n",
                  B.lavaan_converged, B.lavaan_converged + B.lavaan_failed, B.brisk_converged,
                  B.indeterminate, B.untrusted, B.lower_optimum, B.known_differences,
                  B.brisk_refused_unidentified,
                  B.lavaan_failed,
                  B.brisk_on_lavaan_failed);
    for (size_t k = 0; k < B.nkinds; k++)
        print_message("# %s: largest differences (relative above 1): estimates %.2g, SEs %.2g, "
                      "std.all %.2g, fit measures %.2g, modification indices %.2g\n",
                      B.largest[k].kind, B.largest[k].d[D_EST], B.largest[k].d[D_SE],
                      B.largest[k].d[D_STD], B.largest[k].d[D_FIT], B.largest[k].d[D_MI]);
    if (B.mi)
        print_message("# %zu modification indices compared\n", B.mi_compared);
    assert_int_equal(B.brisk_converged + B.brisk_refused_unidentified, B.lavaan_converged);
}

int main(void)
{
    gsl_set_error_handler_off();
    B.cases = read_csv(DIR "cases.csv");
    B.params = read_csv(DIR "params.csv");
    B.fit = read_csv(DIR "fit.csv");
    /* known.csv may name no case (its header alone) */
    const char *known = strchr(slurp(DIR "known.csv"), '\n');
    B.known = known && known[1] ? read_csv(DIR "known.csv") : NULL;
#ifdef DIFFERENTIAL_SET2
    B.mi = read_csv(DIR "mi.csv");
    B.tolerances = read_csv(DIR "tolerances.csv");
#endif
    size_t n = B.cases->nrows;
    struct CMUnitTest *tests = calloc(n + 1, sizeof *tests);
    case_state *states = calloc(n + 1, sizeof *states);
    if (!tests || !states)
        return 1;
    for (size_t i = 0; i < n; i++) {
        states[i].row = i;
        snprintf(states[i].name, sizeof states[i].name, "case %s: %s",
                 cell(B.cases, "id", i), cell(B.cases, "note", i));
        tests[i] = (struct CMUnitTest){.name = states[i].name, .test_func = test_case,
                                       .initial_state = &states[i]};
    }
    tests[n] = (struct CMUnitTest){.name = "convergence where lavaan converged",
                                   .test_func = test_convergence};
    int failed = _cmocka_run_group_tests(B.mi ? "differential, second set" : "differential",
                                         tests, n + 1, NULL, NULL);
    free(tests);
    free(states);
    brisk_dataset_free(B.cases);
    brisk_dataset_free(B.params);
    brisk_dataset_free(B.fit);
    if (B.known)
        brisk_dataset_free(B.known);
    if (B.mi)
        brisk_dataset_free(B.mi);
    if (B.tolerances)
        brisk_dataset_free(B.tolerances);
    return failed;
}
