# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- lavaan reference values for single-level SEMs fitted on
# clustered data (cluster-robust SEs and tests) and with sampling weights.
#
# Run from the top of the source tree (about ten seconds):
#
#     Rscript tests/reference/cluster/make.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and lavaan 0.6-14 (Debian
# r-cran-lavaan 0.6.14-1).  `make check` does not need R: everything this
# script writes is committed.  It writes
#
#   tests/data/demo_twolevel.csv      lavaan's Demo.twolevel + a weight `sw`
#   tests/reference/cluster/MODEL_CASE.csv       lhs,op,rhs,est,se
#   tests/reference/cluster/MODEL_CASE_fit.csv   measure,value
#   tests/reference/cluster/options.csv          the options lavaan chose
#
# MODEL is M1 or M2, CASE is cluster, cluster_sw or sw (README.md).  The
# models are fitted on the data read back from the CSV file.  Numbers in
# the references are written with %.15g; nothing is quoted; NA is "NA".

suppressPackageStartupMessages(library(lavaan))

stopifnot(file.exists("tests/reference/cluster/make.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6.14; this is ", packageVersion("lavaan"))

ref_dir <- "tests/reference/cluster"
data_path <- "tests/data/demo_twolevel.csv"

## ---------------------------------------------------------------- data ----

fmt_num <- function(x) {
  out <- rep(NA_character_, length(x))
  todo <- which(!is.na(x))
  for (d in 15:17) {
    if (length(todo) == 0) break
    s <- sprintf(paste0("%.", d, "g"), x[todo])
    ok <- as.numeric(s) == x[todo]
    if (d == 17) ok[] <- TRUE
    out[todo[ok]] <- s[ok]
    todo <- todo[!ok]
  }
  out
}

src <- lavaan::Demo.twolevel
set.seed(18)
src$sw <- round(runif(nrow(src), 0.5, 2), 4)
out <- as.data.frame(lapply(src, fmt_num), stringsAsFactors = FALSE)
write.csv(out, data_path, row.names = FALSE, na = "", quote = FALSE)
d <- read.csv(data_path)
stopifnot(identical(names(d), names(src)), nrow(d) == nrow(src))
for (v in names(src)) if (!isTRUE(all(d[[v]] == src[[v]]))) stop(v, " does not read back exactly")

## -------------------------------------------------------------- models ----

models <- list(
  M1 = "f =~ y1 + y2 + y3\n f ~ x1 + x2",
  M2 = "f1 =~ y1 + y2 + y3\n f2 =~ y4 + y5 + y6\n f2 ~ f1 + x1")
cases <- list(
  cluster    = function(m) sem(m, data = d, cluster = "cluster"),
  cluster_sw = function(m) sem(m, data = d, cluster = "cluster", sampling.weights = "sw"),
  sw         = function(m) sem(m, data = d, sampling.weights = "sw"))
measures <- c("chisq", "df", "pvalue", "chisq.scaled", "chisq.scaling.factor",
              "pvalue.scaled", "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled",
              "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "srmr",
              "logl", "aic", "bic")

fmt <- function(df) {
  for (v in names(df)) if (is.numeric(df[[v]])) df[[v]] <- sprintf("%.15g", df[[v]])
  df
}
put <- function(df, file)
  write.csv(fmt(df), file.path(ref_dir, file), row.names = FALSE, quote = FALSE, na = "NA")

opts <- list()
for (mn in names(models)) for (cn in names(cases)) {
  # lavaan warns, for the cluster-only case, that observed.information
  # for all test statistics is set to "h1"; that is its documented choice.
  fit <- suppressWarnings(cases[[cn]](models[[mn]]))
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit)
  put(pe[, c("lhs", "op", "rhs", "est", "se")], paste0(mn, "_", cn, ".csv"))
  fm <- fitMeasures(fit)
  val <- vapply(measures, function(m) if (m %in% names(fm)) unname(fm[[m]]) else NA_real_, 0)
  put(data.frame(measure = measures, value = val), paste0(mn, "_", cn, "_fit.csv"))
  o <- lavInspect(fit, "options")
  opts[[length(opts) + 1]] <- data.frame(
    model = mn, case = cn, estimator = o$estimator, se = o$se,
    test = paste(o$test, collapse = "+"),
    information = paste(unique(o$information), collapse = "+"),
    observed_information = paste(o$observed.information, collapse = "+"),
    sampling_weights_normalization = o$sampling.weights.normalization,
    nobs = lavInspect(fit, "nobs"),
    clusters = if (cn == "sw") NA_integer_ else fit@Data@Lp[[1]]$nclusters[[2]])
}
put(do.call(rbind, opts), "options.csv")
cat("lavaan", as.character(packageVersion("lavaan")), "- wrote",
    length(list.files(ref_dir, "\\.csv$")), "files in", ref_dir, "\n")

## =====================================================================
## Extra cases (appended section): multiple groups, missing data, and a
## model without covariates, all with clusters.  Everything above is
## unchanged and runs first; this section writes only new files:
##
##   tests/reference/cluster/demo_groups.csv   demo_twolevel.csv + text column g
##   tests/reference/cluster/demo_missing.csv  demo_twolevel.csv, ~5% of y1..y6 NA
##   tests/reference/cluster/{M2g,M2m,M3}_{cluster,cluster_sw}.csv
##   tests/reference/cluster/{M2g,M2m,M3}_{cluster,cluster_sw}_fit.csv
##   tests/reference/cluster/options_extra.csv
##
## M2g tables have an extra first column `group` (the group label, not
## lavaan's group number).  The *_fit.csv files of this section also hold
## baseline.chisq, baseline.df, baseline.chisq.scaled and
## baseline.chisq.scaling.factor.  Missing cells in the data files are
## empty; in the references NA is "NA", as above.
## =====================================================================

write_data <- function(df, file) {
  out <- as.data.frame(lapply(df, function(x) if (is.numeric(x)) fmt_num(x) else x),
                       stringsAsFactors = FALSE)
  path <- file.path(ref_dir, file)
  write.csv(out, path, row.names = FALSE, na = "", quote = FALSE)
  back <- read.csv(path, stringsAsFactors = FALSE)
  stopifnot(identical(names(back), names(df)), nrow(back) == nrow(df))
  for (v in names(df))
    if (!identical(is.na(back[[v]]), is.na(df[[v]])) ||
        !isTRUE(all(back[[v]] == df[[v]], na.rm = TRUE)))
      stop(file, ": ", v, " does not read back exactly")
  back
}

# groups: clusters with an even number are "even", the others "odd".
# lavaan numbers the groups in order of first appearance; row 1 is in
# cluster 1, so group 1 is "odd" and group 2 is "even".
dg <- d
dg$g <- ifelse(dg$cluster %% 2 == 0, "even", "odd")
dg <- write_data(dg, "demo_groups.csv")

# missing: each cell of y1..y6 is NA with probability 0.05 (one runif per
# cell, column by column: all of y1, then y2, ...).
dm <- d
set.seed(7)
miss <- matrix(runif(nrow(dm) * 6) < 0.05, nrow(dm), 6)
for (j in 1:6) dm[[paste0("y", j)]][miss[, j]] <- NA
stopifnot(all(rowSums(miss) < 6))  # no row loses every indicator
dm <- write_data(dm, "demo_missing.csv")

models_x <- list(
  M2 = models$M2,
  M3 = "f1 =~ y1 + y2 + y3 + y4 + y5 + y6")
cases_x <- list(
  M2g_cluster    = list(model = "M2", data = "dg", args = list(group = "g", cluster = "cluster")),
  M2g_cluster_sw = list(model = "M2", data = "dg", args = list(group = "g", cluster = "cluster",
                                                              sampling.weights = "sw")),
  M2m_cluster    = list(model = "M2", data = "dm", args = list(cluster = "cluster", missing = "ml")),
  M2m_cluster_sw = list(model = "M2", data = "dm", args = list(cluster = "cluster", missing = "ml",
                                                              sampling.weights = "sw")),
  M3_cluster     = list(model = "M3", data = "d",  args = list(cluster = "cluster")),
  M3_cluster_sw  = list(model = "M3", data = "d",  args = list(cluster = "cluster",
                                                              sampling.weights = "sw")))
measures_x <- c(measures, "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
                "baseline.chisq.scaling.factor")

opts_x <- list()
for (cn in names(cases_x)) {
  cs <- cases_x[[cn]]
  # the only warning expected is the one about observed.information (see
  # above); anything else stops the script.
  fit <- withCallingHandlers(
    do.call("sem", c(list(models_x[[cs$model]], data = get(cs$data)), cs$args)),
    warning = function(w) {
      if (!grepl("observed.information for ALL test statistics is set to h1",
                 conditionMessage(w), fixed = TRUE)) stop(cn, ": ", conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit)
  tab <- pe[, c("lhs", "op", "rhs", "est", "se")]
  labels <- lavInspect(fit, "group.label")
  if (length(labels) > 0) {
    stopifnot(all(pe$group >= 1))
    tab <- cbind(group = labels[pe$group], tab, stringsAsFactors = FALSE)
  }
  put(tab, paste0(cn, ".csv"))
  fm <- fitMeasures(fit)
  val <- vapply(measures_x, function(m) if (m %in% names(fm)) unname(fm[[m]]) else NA_real_, 0)
  put(data.frame(measure = measures_x, value = val), paste0(cn, "_fit.csv"))
  o <- lavInspect(fit, "options")
  ngroups <- lavInspect(fit, "ngroups")
  opts_x[[length(opts_x) + 1]] <- data.frame(
    case = cn, estimator = o$estimator, se = o$se,
    test = paste(o$test, collapse = "+"),
    information = paste(o$information, collapse = "+"),
    observed_information = paste(o$observed.information, collapse = "+"),
    h1_information = paste(o$h1.information, collapse = "+"),
    meanstructure = o$meanstructure, missing = o$missing,
    sampling_weights_normalization = o$sampling.weights.normalization,
    groups = if (length(labels) > 0) paste(labels, collapse = "+") else "",
    nobs = paste(lavInspect(fit, "nobs"), collapse = "+"),
    clusters = paste(vapply(seq_len(ngroups), function(g) fit@Data@Lp[[g]]$nclusters[[2]], 0L),
                     collapse = "+"))
}
put(do.call(rbind, opts_x), "options_extra.csv")
cat("extra cases: wrote", 2 * length(cases_x) + 3, "files in", ref_dir, "\n")
