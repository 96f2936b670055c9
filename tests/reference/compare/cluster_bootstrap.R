# SPDX-License-Identifier: GPL-3.0-or-later
# cluster_bootstrap.R -- an independent R check of brisk compare's cluster
# bootstrap, with lavaan.
#
# Run from the top of the source tree (about 10-20 minutes):
#
#     brisk compare tests/data/rongcheng_city.survey --bootstrap 2000 --seed 7 \
#         -f csv -o /tmp/cmp.csv                          # optional
#     Rscript tests/reference/compare/cluster_bootstrap.R [/tmp/cmp.csv]
#
# Needs R with lavaan 0.6-14.  `make check` does not need R.
#
# The survey tests/data/rongcheng_city.survey is the bundled (synthetic)
# Rongcheng survey with a cluster column `city` = (id * 37) %% 30 + 1: 30
# synthetic clusters of 20 respondents (tests/data/README.md).  brisk
# compare's bootstrap then resamples the clusters: each draw takes 30 of the
# 30 cities with replacement, every respondent of a city drawn k times
# counts k times (keeping their weight), and every behaviour is refitted on
# that same draw.  This script does the same by hand, with R's random
# numbers (set.seed(2026)), so the two agree within Monte Carlo error only.
#
# As tests/reference/compare/make_reference.R: -99 is missing, pr3_* is
# reverse-keyed (6 - x), each behaviour's model is the survey's [model] with
# {b} replaced, fitted by sem() with sampling.weights = "weight" (listwise
# deletion per behaviour, lavaan's normalisation of the weights), each
# draw's refit starting from the full-sample estimates.  Unlike
# make_reference.R, and as brisk compare does by default, a draw is left out
# only when some behaviour's refit fails or does not converge; converged
# inadmissible draws (a negative variance, ...) are kept and counted.
# The refits leave out cluster = "city": lavaan's cluster= changes the
# standard errors and the test, not the estimates (checked below on the
# full sample), and only the estimates are bootstrapped.
#
# Writes tests/reference/compare/cluster_bootstrap.csv, one row per free
# regression path and behaviour (kind = path) and per path and pair of
# behaviours a, b in the survey's order (kind = difference, a minus b):
#
#   kind       path | difference
#   label      the path as brisk labels it ("benefit ~ trust")
#   behaviour  the behaviour's key (crime), or the pair "a - b" (crime - fees)
#   se_r       SD (divisor n - 1) of the draws used
#   mc_se      its Monte Carlo SE, se_r / sqrt(2 (draws_ok - 1)) (normal)
#   draws_ok   draws used
#   se_brisk   brisk compare's bootstrap SE of the same row, read from the
#              CSV given as argument (empty without one)
#
# The draw counts, the seed and the elapsed time are printed at the end.
# BRISK_CLUSTER_B (default 2000) sets the draws, BRISK_CLUSTER_CORES
# (default 1) fits them in that many processes (the same numbers).

suppressPackageStartupMessages(library(lavaan))

stopifnot(file.exists("tests/reference/compare/cluster_bootstrap.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("written for lavaan 0.6-14; this is ", packageVersion("lavaan"))
args <- commandArgs(trailingOnly = TRUE)
brisk_csv <- if (length(args)) args[1] else NA
out_file <- "tests/reference/compare/cluster_bootstrap.csv"
B <- as.integer(Sys.getenv("BRISK_CLUSTER_B", "2000"))
cores <- as.integer(Sys.getenv("BRISK_CLUSTER_CORES", "1"))

survey_file <- "tests/data/rongcheng_city.survey"
rc <- read.csv("tests/data/rongcheng_city.csv", stringsAsFactors = FALSE)
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]
stopifnot(nrow(rc) == 600, all(rc$city == (rc$id * 37) %% 30 + 1))

survey_model <- function(path) {
  lines <- readLines(path)
  start <- which(trimws(lines) == "[model]")
  rest <- lines[(start + 1):length(lines)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest[!grepl("^\\s*#", rest) & nzchar(trimws(rest))]
}
model_lines <- survey_model(survey_file)
behaviours <- c("crime", "fees", "internet", "litter")
names_long <- c(crime = "Criminal records", fees = "Payment of fees",
                internet = "Internet use", litter = "Littering of garbage")
models <- lapply(behaviours, function(b) paste(gsub("{b}", b, model_lines, fixed = TRUE),
                                               collapse = "\n"))
names(models) <- behaviours

# The free regression paths, in the parameter table's order.
paths_of <- function(f) {
  pt <- parTable(f)
  keep <- pt$op == "~" & pt$free > 0
  data.frame(label = paste(pt$lhs, pt$op, pt$rhs)[keep], est = pt$est[keep],
             stringsAsFactors = FALSE)
}

full <- lapply(models, function(m) sem(m, data = rc, sampling.weights = "weight"))
stopifnot(all(sapply(full, lavInspect, "converged")))
rows <- lapply(full, paths_of)
P <- nrow(rows[[1]])
for (b in behaviours) stopifnot(identical(rows[[b]]$label, rows[[1]]$label))
labels <- rows[[1]]$label
# cluster = "city" leaves the estimates as they are
for (b in behaviours) {
  # (suppressWarnings: 30 clusters, more free parameters, a singular vcov)
  fc <- suppressWarnings(sem(models[[b]], data = rc, sampling.weights = "weight",
                             cluster = "city"))
  stopifnot(max(abs(paths_of(fc)$est - rows[[b]]$est)) < 1e-8)
}

# The draws: C of the C cities with replacement, all drawn before any fit so
# that they do not depend on the fits (or on BRISK_CLUSTER_CORES).
cities <- sort(unique(rc$city))
C <- length(cities)
by_city <- split(seq_len(nrow(rc)), rc$city)[as.character(cities)]
set.seed(2026)
draws <- lapply(seq_len(B), function(i) sample(cities, C, replace = TRUE))

# One draw: every behaviour refitted on the same resample.  Returns a K x P
# matrix, NA when some refit fails; attribute inadmissible.
refit <- function(drawn) {
  d <- rc[unlist(by_city[as.character(drawn)], use.names = FALSE), ]
  est <- matrix(NA_real_, length(behaviours), P)
  inadm <- FALSE
  for (k in seq_along(behaviours)) {
    b <- behaviours[k]
    f <- tryCatch(suppressWarnings(sem(models[[b]], data = d, start = full[[b]],
                                       sampling.weights = "weight", se = "none",
                                       test = "none")),
                  error = function(e) NULL)
    if (is.null(f) || !lavInspect(f, "converged")) {
      est[] <- NA
      break
    }
    if (!suppressWarnings(lavInspect(f, "post.check"))) inadm <- TRUE
    est[k, ] <- paths_of(f)$est
  }
  attr(est, "inadmissible") <- inadm && !anyNA(est)
  est
}

elapsed <- system.time({
  res <- if (cores > 1) parallel::mclapply(draws, refit, mc.cores = cores)
         else lapply(seq_along(draws), function(i) {
           r <- refit(draws[[i]])
           if (i %% 200 == 0) cat(i, "draws\n")
           r
         })
})[["elapsed"]]
ok <- !sapply(res, function(r) anyNA(r))
inadmissible <- sum(sapply(res[ok], attr, "inadmissible"))
est <- array(NA_real_, c(sum(ok), length(behaviours), P))
for (i in seq_len(sum(ok))) est[i, , ] <- res[ok][[i]]
n_ok <- sum(ok)
mc <- function(s) s / sqrt(2 * (n_ok - 1))

# brisk's SEs, if its CSV output is given.
brisk_path <- brisk_diff <- NULL
if (!is.na(brisk_csv)) {
  lines <- readLines(brisk_csv)
  section <- function(tag) {
    at <- grep(paste0("^# compare\\.", tag, ":"), lines)
    stopifnot(length(at) == 1)
    rest <- lines[(at + 1):length(lines)]
    stop_at <- which(!nzchar(rest) | grepl("^#", rest))
    if (length(stop_at)) rest <- rest[seq_len(stop_at[1] - 1)]
    read.csv(text = rest, stringsAsFactors = FALSE, check.names = FALSE)
  }
  brisk_path <- section("paths")
  brisk_diff <- section("differences")
}
brisk_se_path <- function(label, b) {
  if (is.null(brisk_path)) return(NA_real_)
  v <- brisk_path[[paste0(b, "_se")]][brisk_path$path == label]
  stopifnot(length(v) == 1)
  v
}
brisk_se_diff <- function(label, a, b) {
  if (is.null(brisk_diff)) return(NA_real_)
  v <- brisk_diff$se[brisk_diff$path == label & brisk_diff$behaviour_a == names_long[[a]] &
                     brisk_diff$behaviour_b == names_long[[b]]]
  stopifnot(length(v) == 1)
  v
}
if (!is.null(brisk_path))   # the same full-sample estimates
  for (k in seq_along(behaviours)) {
    be <- brisk_path[[paste0(behaviours[k], "_est")]][match(labels, brisk_path$path)]
    stopifnot(max(abs(be - rows[[k]]$est)) < 1e-4)
  }

out <- list()
for (k in seq_along(behaviours))
  for (j in seq_len(P)) {
    s <- sd(est[, k, j])
    out[[length(out) + 1]] <- data.frame(kind = "path", label = labels[j],
      behaviour = behaviours[k], se_r = s, mc_se = mc(s), draws_ok = n_ok,
      se_brisk = brisk_se_path(labels[j], behaviours[k]), stringsAsFactors = FALSE)
  }
pairs <- combn(seq_along(behaviours), 2)
for (j in seq_len(P))
  for (p in seq_len(ncol(pairs))) {
    a <- behaviours[pairs[1, p]]; b <- behaviours[pairs[2, p]]
    s <- sd(est[, pairs[1, p], j] - est[, pairs[2, p], j])
    out[[length(out) + 1]] <- data.frame(kind = "difference", label = labels[j],
      behaviour = paste(a, "-", b), se_r = s, mc_se = mc(s), draws_ok = n_ok,
      se_brisk = brisk_se_diff(labels[j], a, b), stringsAsFactors = FALSE)
  }
out <- do.call(rbind, out)
for (v in c("se_r", "mc_se", "se_brisk"))
  out[[v]] <- ifelse(is.na(out[[v]]), "", sprintf("%.10g", out[[v]]))
write.csv(out, out_file, row.names = FALSE, quote = FALSE)
cat("done:", B, "draws of", C, "clusters,", B - n_ok, "failed,", inadmissible,
    "inadmissible (kept), seed 2026,", round(elapsed), "s\n")
