# SPDX-License-Identifier: GPL-3.0-or-later
# Flatten the lavaan reference documents (NAME.json, written by
# make_reference.R) into CSV files that the C test-suite reads with brisk's
# own CSV reader:  NAME.params.csv (one row per parameterEstimates() row),
# NAME.fit.csv (measure,value) and NAME.r2.csv (variable,r2).
#   Rscript tests/reference/sem/to_csv.R      (from the top of the tree)
library(jsonlite)
num <- function(x) ifelse(is.null(x), NA, x)
for (path in Sys.glob("tests/reference/sem/*.json")) {
  r <- fromJSON(path, simplifyVector = FALSE)
  base <- sub("\\.json$", "", path)
  p <- do.call(rbind, lapply(r$parameters, function(x) data.frame(
    lhs = x$lhs, op = x$op, rhs = x$rhs, label = x$label, free = isTRUE(x$free),
    est = num(x$est), se = num(x$se), z = num(x$z), pvalue = num(x$pvalue),
    std_lv = num(x$std_lv), std_all = num(x$std_all))))
  write.csv(p, paste0(base, ".params.csv"), row.names = FALSE, na = "")
  f <- r$fit
  keep <- c("npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli",
            "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "srmr", "logl",
            "unrestricted_logl", "aic", "bic", "bic2")
  keep <- keep[keep %in% names(f)]
  write.csv(data.frame(measure = keep, value = sapply(keep, function(k) num(f[[k]]))),
            paste0(base, ".fit.csv"), row.names = FALSE, na = "")
  r2 <- Filter(Negate(is.null), r$r2)
  write.csv(data.frame(variable = names(r2), r2 = unlist(r2)),
            paste0(base, ".r2.csv"), row.names = FALSE, na = "")
}
