# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- the standardized solution with delta-method standard errors,
# from lavaan 0.6.14's standardizedSolution(), for `brisk fit
# --standardized`.  Run from the top of the source tree:
#
#     Rscript tests/reference/standardized/make.R
#
# `make check` does not need R: the CSVs it writes are committed and
# tests/cli/standardized.sh compares brisk's "fit.standardized" table to
# them (every value, tolerance 1e-4).  One CSV per fit, NAME.csv, a row per
# parameter in lavaan's order: lhs, op, rhs, std_all and its se, z, pvalue,
# ci_lower, ci_upper (standardizedSolution(fit, type = "std.all")), then
# std_lv and std_lv_se (type = "std.lv"); NA where lavaan gives none.
#
#   hs_cfa      cfa(tests/reference/sem/hs_cfa.lav, data = hs)            ML
#   pd_labels   sem(tests/reference/sem/pd_labels.lav, data = pd)         ML, := rows
#   hs_regress  sem(tests/reference/sem/hs_regress.lav, data = hs)        ML, := rows
#   hs_mlr      cfa(tests/reference/robust/hs_mlr.lav, data = hs,
#                   estimator = "MLR")                                   robust SEs
#   hs_group    cfa(tests/reference/sem/hs_cfa.lav, data = hs, group = "school",
#                   group.equal = "loadings")                            two groups
#   bfi_wlsmv   cfa(tests/reference/robust/bfi_wlsmv.lav, data = bfi,
#                   ordered = TRUE, estimator = "WLSMV")                 WLSMV
#   bfi_fiml    cfa(tests/reference/robust/bfi_fiml.lav, data = bfi,
#                   missing = "ml")                                      FIML
#   bfi_wlsmv_x sem(tests/reference/robust/bfi_wlsmv_x.lav, data = bfi, ordered =
#                   the ten items, estimator = "WLSMV")            WLSMV, covariates
# The thresholds (|) and scale factors (~*~) are left out: brisk's table
# has the model's parameter rows only.
# hs = tests/data/hs.csv, pd = tests/data/pd.csv, bfi = tests/data/bfi.csv
# as it is (no item reversed).
suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/standardized/make.R"))
if (packageVersion("lavaan") != "0.6.14")
  warning("the references were made with lavaan 0.6.14")
hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
lav <- function(path) paste(readLines(path), collapse = "\n")

write_std <- function(name, fit) {
  all <- standardizedSolution(fit, type = "std.all")
  lv <- standardizedSolution(fit, type = "std.lv")
  keep <- !all$op %in% c("|", "~*~")   # thresholds, scales: not in brisk's table
  all <- all[keep, ]
  lv <- lv[keep, ]
  out <- data.frame(lhs = all$lhs, op = all$op, rhs = all$rhs,
                    group_number = if (is.null(all$group)) NA else all$group,
                    std_all = all$est.std, std_all_se = all$se, std_all_z = all$z,
                    std_all_pvalue = all$pvalue, std_all_ci_lower = all$ci.lower,
                    std_all_ci_upper = all$ci.upper, std_lv = lv$est.std,
                    std_lv_se = lv$se)
  if (is.null(all$group)) out$group_number <- NULL
  write.csv(out, sprintf("tests/reference/standardized/%s.csv", name),
            row.names = FALSE, quote = FALSE)
}

write_std("hs_cfa", cfa(lav("tests/reference/sem/hs_cfa.lav"), data = hs))
write_std("pd_labels", sem(lav("tests/reference/sem/pd_labels.lav"), data = pd))
write_std("hs_regress", sem(lav("tests/reference/sem/hs_regress.lav"), data = hs))
write_std("hs_mlr", cfa(lav("tests/reference/robust/hs_mlr.lav"), data = hs,
                        estimator = "MLR"))
write_std("hs_group", cfa(lav("tests/reference/sem/hs_cfa.lav"), data = hs, group = "school",
                          group.equal = "loadings"))
bfi <- read.csv("tests/data/bfi.csv")
write_std("bfi_wlsmv", cfa(lav("tests/reference/robust/bfi_wlsmv.lav"), data = bfi,
                           ordered = TRUE, estimator = "WLSMV"))
write_std("bfi_wlsmv_x", sem(lav("tests/reference/robust/bfi_wlsmv_x.lav"), data = bfi,
                             ordered = c(paste0("A", 1:5), paste0("C", 1:5)),
                             estimator = "WLSMV"))
write_std("bfi_fiml", cfa(lav("tests/reference/robust/bfi_fiml.lav"), data = bfi,
                          missing = "ml"))
