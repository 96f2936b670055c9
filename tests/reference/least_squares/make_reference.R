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

# More cases, each with one estimator:
#
#   path_gls        sem(path_fixedx.lav, data = path, estimator = "GLS"):
#                   observed predictors, free (fixed.x = FALSE)
#   pd_labels_uls   sem(pd_labels.lav, data = pd, estimator = "ULS"):
#                   shared labels and := rows (delta-method SEs)
#   pd_equal_wls    sem(PD with a1 == a2 constraints, data = pd,
#                   estimator = "WLS") (model pd_equal.lav, written here)
#   hs_metric_dwls  cfa(HS, data = hs, estimator = "DWLS", group = "school",
#                   group.equal = "loadings")
#   hs_std_gls      standardizedSolution(cfa(HS, data = hs, estimator = "GLS")):
#                   hs_std_gls.std.csv  lhs,op,rhs,est_std,se (delta method)
path <- read.csv("tests/data/path.csv")
read_model <- function(f) paste(readLines(f), collapse = "\n")
write_case("path_gls", sem(read_model("tests/reference/sem/path_fixedx.lav"), data = path,
                           estimator = "GLS"))
write_case("pd_labels_uls", sem(read_model("tests/reference/sem/pd_labels.lav"), data = pd,
                                estimator = "ULS"))
PDEQ <- paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + l2*y2 + l3*y3 + y4",
              "dem65 =~ y5 + m2*y6 + m3*y7 + y8", "dem60 ~ ind60", "dem65 ~ ind60 + dem60",
              "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
              "l2 == m2", "l3 == m3", sep = "\n")
writeLines(PDEQ, file.path(out, "pd_equal.lav"))
write_case("pd_equal_wls", sem(PDEQ, data = pd, estimator = "WLS"))
write_case("hs_metric_dwls", cfa(HS, data = hs, estimator = "DWLS", group = "school",
                                 group.equal = "loadings"))
ss <- standardizedSolution(cfa(HS, data = hs, estimator = "GLS"))
write.csv(data.frame(lhs = ss$lhs, op = ss$op, rhs = ss$rhs, est_std = ss$est.std, se = ss$se),
          file.path(out, "hs_std_gls.std.csv"), row.names = FALSE)

# Factor scores of the DWLS fit (lavPredict, regression and Bartlett):
#   hs_dwls.scores.csv   row,method,visual,textual,speed
f <- cfa(HS, data = hs, estimator = "DWLS")
sc <- rbind(data.frame(row = seq_len(nrow(hs)), method = "regression", lavPredict(f)),
            data.frame(row = seq_len(nrow(hs)), method = "bartlett",
                       lavPredict(f, method = "Bartlett")))
write.csv(sc, file.path(out, "hs_dwls.scores.csv"), row.names = FALSE)
