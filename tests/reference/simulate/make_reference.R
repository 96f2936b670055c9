# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- population moments of brisk simulate's models, from
# lavaan's simulateData (lavaan 0.6-14).
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/simulate/make_reference.R
#
# For each model below, simulateData(model, return.fit = TRUE) builds the
# population exactly as brisk simulate must (std.lv = TRUE, fixed.x =
# FALSE, values left out set to 1 for loadings and variances and 0
# otherwise, standardized residual variances, ordinal variables scaled to
# variance 1), and lavInspect(fit, "implied") gives its covariances and
# means.  It writes, in tests/reference/simulate/:
#
#   NAME.lav       the population model (brisk reads the same file)
#   implied.csv    model, standardized, row, col, cov (every pair, both
#                  orders), and mean rows (col empty)

suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/simulate/make_reference.R"))
ref_dir <- "tests/reference/simulate"

models <- list(
  defaults = c("# values left out: loadings 1, variances 1",
               "f1 =~ 0.8*x1 + 0.7*x2 + x3",
               "f2 =~ x4 + 0.5*x5 + 0.6*x6",
               "f2 ~ 0.4*f1",
               "x1 ~~ 0.3*x1"),
  standardized = c("# simulateData(standardized = TRUE): every variance 1",
                   "f1 =~ 0.8*x1 + 0.7*x2 + 0.6*x3",
                   "f2 =~ 0.7*x4 + 0.5*x5 + 0.6*x6",
                   "f3 =~ 0.6*x7 + 0.6*x8",
                   "f2 ~ 0.4*f1",
                   "f3 ~ 0.3*f1 + -0.2*f2"),
  predictors = c("# observed predictors are ordinary variables (fixed.x = FALSE)",
                 "y ~ 0.3*x + 0.2*z",
                 "x ~~ 0.5*z",
                 "y ~ 2*1",
                 "x ~ 1*1"),
  thresholds = c("# ordinal variables: y* scaled to variance 1 (delta parameterization)",
                 "f =~ 0.8*u1 + 0.7*u2 + 0.6*x3",
                 "u1 | -1*t1 + 0*t2 + 1*t3",
                 "u2 | 0.5*t1"))
rows <- list()
for (name in names(models)) {
  for (std in c(FALSE, TRUE)) {
    if (std && name %in% c("predictors", "thresholds", "defaults")) next
    if (!std && name == "standardized") next
    text <- paste(models[[name]], collapse = "\n")
    writeLines(models[[name]], file.path(ref_dir, paste0(name, ".lav")))
    d <- suppressWarnings(simulateData(text, sample.nobs = 10, seed = 1,
                                       standardized = std, return.fit = TRUE))
    imp <- lavInspect(attr(d, "fit"), "implied")
    S <- imp$cov
    v <- rownames(S)
    for (i in v) for (j in v)
      rows[[length(rows) + 1]] <- data.frame(model = name, standardized = std, row = i,
                                             col = j, value = S[i, j])
    mu <- if (is.null(imp$mean)) setNames(rep(0, length(v)), v) else imp$mean
    for (i in v)
      rows[[length(rows) + 1]] <- data.frame(model = name, standardized = std, row = i,
                                             col = "", value = mu[[i]])
  }
}
out <- do.call(rbind, rows)
out$value <- sprintf("%.15g", out$value)
write.csv(out, file.path(ref_dir, "implied.csv"), row.names = FALSE)
cat("done\n")
