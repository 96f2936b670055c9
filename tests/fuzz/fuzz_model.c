/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the lavaan model syntax parser (lib/sem/syntax.c),
 * the model builder (lib/sem/model.c) and the evaluation of defined
 * parameters (":=", lib/sem/defined.c), without data and without a fit.
 *
 * The input is a model file (an input with a NUL byte is skipped: the
 * program refuses it before the library sees it).  Every name the syntax
 * uses that is not a latent variable is offered as an observed column, so
 * that the builder gets past the names; the model is built with three
 * sets of options (lavaan's sem() defaults; std.lv with means in two
 * groups and group.equal; ordered items as WLSMV with the measurement
 * part only), and every ":=" row is evaluated at the starting values. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include "brisk/model.h"
#include "brisk/syntax.h"
#include "sem/sem_fit.h"
#include "fuzz.h"

/* A value for every row: its start (the fixed value when fixed), or a
 * number of its own when the start is not known. */
static double value_of(const brisk_model *m, size_t row, const void *ctx)
{
    (void)ctx;
    double v = brisk_model_param(m, row)->start;
    return isfinite(v) ? v : 0.25 + 0.125 * (double)(row % 7);
}

static void build(const brisk_syntax *syntax, const char *const *names, size_t n,
                  const brisk_model_options *opt)
{
    brisk_model *m = NULL;
    brisk_error err;
    if (brisk_model_new(syntax, names, n, opt, &m, &err) != BRISK_OK)
        return;
    for (size_t r = 0; r < brisk_model_nparams(m); r++) {
        const brisk_param *p = brisk_model_param(m, r);
        double v;
        if (p->op == BRISK_OP_DEFINE && p->expr)
            brisk_sem_eval_expr(m, p->expr, value_of, NULL, 0, &v, &err);
    }
    brisk_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    brisk_syntax *syntax = NULL;
    brisk_error err;
    const char **vars = NULL, **observed = NULL;
    if (brisk_syntax_parse(text, "fuzz.lav", 1, &syntax, &err) != BRISK_OK)
        goto cleanup;
    size_t nvars = brisk_syntax_variables(syntax, &vars), nobs = 0;
    observed = malloc((nvars ? nvars : 1) * sizeof *observed);
    if (!observed)
        goto cleanup;
    for (size_t i = 0; i < nvars; i++) {
        brisk_syntax_is_covariate(syntax, vars[i]);
        if (!brisk_syntax_is_latent(syntax, vars[i]))
            observed[nobs++] = vars[i];
    }
    build(syntax, observed, nobs, &(brisk_model_options){.name = "fuzz.lav"});
    build(syntax, observed, nobs,
          &(brisk_model_options){.name = "fuzz.lav", .std_lv = true, .meanstructure = true,
                                 .ngroups = 2,
                                 .group_equal = BRISK_EQUAL_LOADINGS | BRISK_EQUAL_INTERCEPTS |
                                                BRISK_EQUAL_REGRESSIONS,
                                 .fiml = true, .values_as_start = true});
    build(syntax, observed, nobs,
          &(brisk_model_options){.name = "fuzz.lav", .estimator = BRISK_ESTIMATOR_WLSMV,
                                 .ordered = true, .measurement_only = true,
                                 .no_fixed_x = true, .ngroups = 2,
                                 .group_equal = BRISK_EQUAL_THRESHOLDS});
cleanup:
    free(observed);
    free(vars);
    brisk_syntax_free(syntax);
    free(text);
    return 0;
}
