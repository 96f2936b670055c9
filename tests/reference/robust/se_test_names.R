# SPDX-License-Identifier: GPL-3.0-or-later
# lavaan's se= and test= names beside the estimators brisk has: which
# combinations are the fits brisk computes (brisk fit --se/--test accept
# those), and which are not (refused, tools/cli.c cli_check_se_test).
# Holzinger-Swineford's three-factor CFA on tests/data/hs.csv.
#   Rscript tests/reference/robust/se_test_names.R > tests/reference/robust/se_test_names.csv
suppressMessages(library(lavaan))
hs <- read.csv("tests/data/hs.csv")
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fits <- list(
  ml           = list(estimator = "ML"),
  ml_standard  = list(estimator = "ML", se = "standard", test = "standard"),
  mlr          = list(estimator = "MLR"),
  mlr_named    = list(estimator = "MLR", se = "robust.huber.white", test = "yuan.bentler.mplus"),
  ml_robust    = list(estimator = "ML", se = "robust"),
  mlr_robust   = list(estimator = "MLR", se = "robust"),
  mlr_yb       = list(estimator = "MLR", test = "yuan.bentler"),
  ml_ybm       = list(estimator = "ML", test = "yuan.bentler.mplus"))
cat("case,se,test,information,x2_loading_se,chisq,chisq_scaled,scaling_factor\n")
for (k in names(fits)) {
  args <- paste(sprintf('%s = "%s"', names(fits[[k]]), unlist(fits[[k]])), collapse = ", ")
  f <- suppressWarnings(eval(parse(text = paste0("cfa(m, data = hs, ", args, ")"))))
  pe <- parameterEstimates(f)
  fm <- fitMeasures(f)
  sc <- if ("chisq.scaled" %in% names(fm)) fm[["chisq.scaled"]] else NA
  sf <- if ("chisq.scaling.factor" %in% names(fm)) fm[["chisq.scaling.factor"]] else NA
  cat(sprintf("%s,%s,%s,%s,%.6f,%.6f,%.6f,%.6f\n", k, f@Options$se,
              paste(f@Options$test, collapse = "+"), f@Options$information[1],
              pe$se[pe$lhs == "visual" & pe$rhs == "x2"], fm[["chisq"]], sc, sf))
}
