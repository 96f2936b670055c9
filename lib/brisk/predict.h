/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — factor scores of a fitted model (lavaan's lavPredict, type "lv"). */
#ifndef BRISK_PREDICT_H
#define BRISK_PREDICT_H

#include "dataset.h"
#include "error.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum brisk_score_method {
    BRISK_SCORES_REGRESSION = 0,  /* lavaan's default for continuous items ("regression",
                                     Thurstone's): E(eta) + Cov(eta, y) Sigma^-1 (y - E(y)) */
    BRISK_SCORES_BARTLETT         /* (L' Sigma^-1 L)^-1 L' Sigma^-1 (y - E(y)) + E(eta), as
                                     lavaan computes Bartlett's scores */
} brisk_score_method;

/* The method named "regression" or "bartlett" (lavaan's names; any case);
 * false for another name. */
bool brisk_score_method_parse(const char *name, brisk_score_method *out);

/* The factor scores of a fitted model (one group, continuous items: ML or
 * MLR, listwise or full-information) for the data rows it was offered
 * (f->group_rows[0], in that order), every latent variable in the model's
 * order (brisk_model_latent): scores[i * nlatent + k].  A row the fit did
 * not use (a missing answer with listwise deletion, no answer at all with
 * full information) gets NaN; with full information a row's score uses the
 * answers it gave (the implied moments of its observed variables), as
 * lavPredict does, and a Bartlett score of a factor none of whose items was
 * answered is NaN.  E(y) and E(eta) are the implied means with a mean
 * structure; without one, the sample means and 0 (lavaan).  *scores is
 * the caller's (free it).  Refused (BRISK_ERR_ARGUMENT, saying why): ordered
 * items (lavaan's empirical Bayes modal scores), several groups, an
 * observed variable that is not only an indicator of factors (in a
 * regression or regressed on), and for Bartlett a factor with no observed
 * indicator. */
brisk_status brisk_fitted_scores(const brisk_fitted *f, const brisk_dataset *ds,
                                 brisk_score_method method, double **scores,
                                 brisk_error *err);

#ifdef __cplusplus
}
#endif
#endif
