# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference factor scores for brisk fit --scores, from lavaan's
# lavPredict (type = "lv").
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/predict/make.R
#
# Needs R with lavaan 0.6-14.  `make check` does not need R: the CSV files
# this script writes are committed, and tests/cli/predict.sh compares every
# score brisk writes with them.  Each CSV has the column brisk names the rows
# by (row: the data row's number from 1; id: the survey's id), then one
# column per latent variable, in lavaan's order; a row the fit did not use
# has empty cells.  The cases (NAME.csv: data, model, lavaan call, method):
#
#   hs_regression     tests/data/hs.csv, doc/examples/hs.lav,
#                     cfa(model, data), lavPredict(fit)   (method "regression")
#   hs_bartlett       the same, lavPredict(fit, method = "Bartlett")
#   hs_ms_regression  cfa(model, data, meanstructure = TRUE), regression
#   hs_ms_bartlett    the same, Bartlett
#   hs_mlr_regression cfa(model, data, estimator = "MLR"), regression
#   hs_second_regression  doc/examples/second.lav (a second-order factor
#                     over the three), cfa(model, data), regression
#   pd_regression     tests/data/pd.csv, tests/reference/sem/pd_sem.lav,
#                     sem(model, data), regression
#   pd_bartlett       the same, Bartlett
#   bfi_fiml_regression  tests/data/bfi.csv as read (no item reversed),
#                     two factors (below), cfa(model, data, missing = "ml"):
#                     each row scored from the answers it gave
#   bfi_fiml_bartlett the same, Bartlett
#   bfi_listwise_regression  the same model, cfa(model, data) (listwise)
#   rongcheng_crime_regression  surveys/rongcheng: the data with -99 made
#                     missing and pr3_crime reversed (6 - x), the model of
#                     tests/reference/sem/rongcheng_crime.lav,
#                     sem(model, data, sampling.weights = "weight"), by id
#   rongcheng_crime_bartlett    the same, Bartlett
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")

out_dir <- "tests/reference/predict"
read_model <- function(path) paste(readLines(path), collapse = "\n")
hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
bfi <- read.csv("tests/data/bfi.csv")
hs_model <- read_model("doc/examples/hs.lav")
pd_model <- read_model("tests/reference/sem/pd_sem.lav")
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5
conscientious =~ C1 + C2 + C3 + C4 + C5"
writeLines(bfi_model, file.path(out_dir, "bfi.lav"))

# lavPredict's rows are the fit's cases; put them back in the data's rows,
# named by ids.
write_scores <- function(name, fit, ids, id_name, method) {
  fs <- lavPredict(fit, method = method)
  full <- matrix(NA_real_, length(ids), ncol(fs), dimnames = list(NULL, colnames(fs)))
  full[lavInspect(fit, "case.idx"), ] <- fs
  df <- data.frame(ids, full, check.names = FALSE)
  names(df)[1] <- id_name
  write.csv(format(df, digits = 15), file.path(out_dir, paste0(name, ".csv")),
            row.names = FALSE, quote = FALSE, na = "")
  # format() writes NA as "NA" text: blank it
  lines <- readLines(file.path(out_dir, paste0(name, ".csv")))
  lines <- gsub("(^|,) *NA(?=,|$)", "\\1", lines, perl = TRUE)
  lines <- gsub(" ", "", lines)
  writeLines(lines, file.path(out_dir, paste0(name, ".csv")))
}

rows <- function(d) seq_len(nrow(d))

fit <- cfa(hs_model, data = hs)
write_scores("hs_regression", fit, rows(hs), "row", "regression")
write_scores("hs_bartlett", fit, rows(hs), "row", "Bartlett")
fit <- cfa(hs_model, data = hs, meanstructure = TRUE)
write_scores("hs_ms_regression", fit, rows(hs), "row", "regression")
write_scores("hs_ms_bartlett", fit, rows(hs), "row", "Bartlett")
fit <- cfa(hs_model, data = hs, estimator = "MLR")
write_scores("hs_mlr_regression", fit, rows(hs), "row", "regression")

fit <- cfa(read_model("doc/examples/second.lav"), data = hs)
write_scores("hs_second_regression", fit, rows(hs), "row", "regression")

fit <- sem(pd_model, data = pd)
write_scores("pd_regression", fit, rows(pd), "row", "regression")
write_scores("pd_bartlett", fit, rows(pd), "row", "Bartlett")

fit <- cfa(bfi_model, data = bfi, missing = "ml")
write_scores("bfi_fiml_regression", fit, rows(bfi), "row", "regression")
write_scores("bfi_fiml_bartlett", fit, rows(bfi), "row", "Bartlett")
fit <- cfa(bfi_model, data = bfi)
write_scores("bfi_listwise_regression", fit, rows(bfi), "row", "regression")

rc <- read.csv("surveys/rongcheng/rongcheng.csv")
rc[rc == -99] <- NA
rc$pr3_crime <- 6 - rc$pr3_crime
rc_model <- read_model("tests/reference/sem/rongcheng_crime.lav")
fit <- sem(rc_model, data = rc, sampling.weights = "weight")
write_scores("rongcheng_crime_regression", fit, rc$id, "id", "regression")
write_scores("rongcheng_crime_bartlett", fit, rc$id, "id", "Bartlett")
