# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for brisk's least-squares estimators
# on continuous items (--estimator gls, uls, wls, dwls), from lavaan.
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/least_squares/make_reference.R
#
# Needs R with lavaan 0.6-14.  `make check` does not need R: everything this
# script writes is committed.  It reads tests/data/hs.csv and
# tests/data/pd.csv and writes, for each case NAME,
#
#   NAME.params.csv   lhs,op,rhs,group,est,se,std_all: parameterEstimates(fit,
#                     standardized = TRUE), every row in lavaan's order
#   NAME.fit.csv      measure,value: npar, fmin, chisq, df, pvalue,
#                     baseline_chisq, baseline_df, cfi, tli, rmsea,
#                     rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr
#                     (fitMeasures; NA where lavaan reports none: ULS's p)
#
# The cases (E = GLS, ULS, WLS, DWLS; lavaan's defaults for each estimator:
# se = "standard", test = "standard", fixed.x = FALSE, sample.cov.rescale =
# FALSE):
#
#   hs_E         cfa(HS, data = hs, estimator = E)
#   pd_E         sem(PD, data = pd, estimator = E)
#   hs_ms_E      cfa(HS, data = hs, estimator = E, meanstructure = TRUE)
#                (E = WLS, DWLS: the means among the statistics)
#   hs_school_E  cfa(HS, data = hs, estimator = E, group = "school")
#
# HS = visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9
# PD = tests/reference/sem/pd_sem.lav (Bollen's political democracy model).
library(lavaan)
stopifnot(packageVersion("lavaan") == "0.6.14")
out <- "tests/reference/least_squares"
hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
PD <- paste(readLines("tests/reference/sem/pd_sem.lav"), collapse = "\n")
writeLines(HS, file.path(out, "hs.lav"))

write_case <- function(name, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  write.csv(data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group,
                       est = pe$est, se = pe$se, std_all = pe$std.all),
            file.path(out, paste0(name, ".params.csv")), row.names = FALSE)
  keys <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
            "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr")
  fm <- fitMeasures(fit, keys)
  write.csv(data.frame(measure = gsub(".", "_", keys, fixed = TRUE), value = unname(fm[keys])),
            file.path(out, paste0(name, ".fit.csv")), row.names = FALSE)
}

for (e in c("GLS", "ULS", "WLS", "DWLS")) {
  k <- tolower(e)
  write_case(paste0("hs_", k), cfa(HS, data = hs, estimator = e))
  write_case(paste0("pd_", k), sem(PD, data = pd, estimator = e))
  write_case(paste0("hs_school_", k), cfa(HS, data = hs, estimator = e, group = "school"))
  if (e %in% c("WLS", "DWLS"))
    write_case(paste0("hs_ms_", k), cfa(HS, data = hs, estimator = e, meanstructure = TRUE))
}
