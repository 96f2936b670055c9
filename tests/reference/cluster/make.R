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
