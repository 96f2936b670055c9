# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for `brisk compare`, from lavaan.
#
# Run from the top of the source tree (takes about 10 minutes):
#
#     Rscript tests/reference/compare/make_reference.R
#
# Needs R with lavaan 0.6-14.  `make check` does not need R: everything
# this script writes is committed.
#
# No R package compares behaviours answered by the same respondents, so
# this script does by hand, with lavaan, what brisk compare does: fit the
# bundled Rongcheng survey's model once per behaviour, weighted by the
# survey's sampling weight (sampling.weights = "weight", as brisk uses a
# survey's weight), then, 2,000 times, draw 600 respondents with
# replacement, each with their weight, and refit every behaviour on that
# same resample (lavaan's own listwise deletion per behaviour and
# normalisation of the weights, starting from the full-sample estimates).  A draw counts only when every
# behaviour's fit converges and passes lavaan's post-estimation check
# (no negative variance, positive definite matrices), which is brisk's
# rule when the full-sample fits are admissible.  From the draws:
#
#   paths.csv   behaviour, lhs, op, rhs: every free regression path and
#               every := of every behaviour: est and std_all (the full
#               sample), se (SD of the draws), perc_lower, perc_upper
#               (95% percentile interval by lavaan's rule, boot's
#               norm.inter), the same of std.all (std_se, std_lower,
#               std_upper), and the Monte Carlo SE of each endpoint
#               (lower_mcse, upper_mcse, std_lower_mcse, std_upper_mcse)
#   diffs.csv   lhs, op, rhs, a, b: behaviour a minus behaviour b, for
#               every pair in the survey's order: diff, se, perc_lower,
#               perc_upper, std_diff, std_lower, std_upper, and the
#               endpoints' Monte Carlo SEs as in paths.csv
#   wald.csv    lhs, op, rhs: the Wald statistic that the parameter is
#               equal in all four behaviours, d' V^-1 d with d the three
#               differences from the first behaviour and V their
#               bootstrap covariance (divisor n - 1); df = 3
#   boot.csv    measure,value: draws, failed draws, seed, elapsed time
#   holm.csv    p, holm: p.adjust(p, "holm") of a fixed set of p-values
#               with ties, values that cap at 1 and a missing one
#
# The resamples are R's, not brisk's (the two programs' random numbers
# differ), so brisk's numbers agree with these within Monte Carlo error:
# tests/unit/test_bootstrap.c says how close.

suppressPackageStartupMessages(library(lavaan))

stopifnot(file.exists("tests/reference/compare/make_reference.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6-14; this is ",
          packageVersion("lavaan"))
ref_dir <- "tests/reference/compare"

# The survey's rules applied by hand (as tests/reference/sem does):
# -99 is missing, pr3_* is reverse-keyed on the 1..5 scale.
rc <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]
stopifnot(nrow(rc) == 600)

survey_model <- function(path) {
  lines <- readLines(path)
  start <- which(trimws(lines) == "[model]")
  rest <- lines[(start + 1):length(lines)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest[!grepl("^\\s*#", rest) & nzchar(trimws(rest))]
}
model_lines <- survey_model("surveys/rongcheng/rongcheng.survey")
behaviours <- c("crime", "fees", "internet", "litter")
models <- lapply(behaviours, function(b) paste(gsub("{b}", b, model_lines, fixed = TRUE),
                                               collapse = "\n"))
names(models) <- behaviours

# boot's norm.inter: the (R + 1) alpha-th order statistic, interpolated on
# the normal quantile scale (lavaan's percentile rule).
norm.inter <- function(t, alpha) {
  t <- sort(t[is.finite(t)])
  R <- length(t)
  sapply(alpha, function(a) {
    rk <- (R + 1) * a
    k <- trunc(rk)
    if (k == rk) return(t[k])
    if (k == 0) return(t[1])
    if (k >= R) return(t[R])
    z <- qnorm(a); z1 <- qnorm(k / (R + 1)); z2 <- qnorm((k + 1) / (R + 1))
    t[k] + (z - z1) / (z2 - z1) * (t[k + 1] - t[k])
  })
}

# The Monte Carlo SE of a percentile endpoint: sqrt(a (1 - a) / R) times
# the sparsity 1 / f(q), estimated from the quantiles at a -+ 0.01
# (Siddiqui's estimator).  A skewed statistic (a product of two small
# paths) has a sparse tail, and its endpoints vary far more between
# bootstraps than a normal one's; the tests scale their tolerance by this.
endpoint_mcse <- function(t, a, h = 0.01) {
  t <- t[is.finite(t)]
  q <- quantile(t, c(a - h, a + h), names = FALSE)
  sqrt(a * (1 - a) / length(t)) * (q[2] - q[1]) / (2 * h)
}
mcse <- function(t) c(endpoint_mcse(t, 0.025), endpoint_mcse(t, 0.975))

## Holm's adjustment, as R's p.adjust does it (no bootstrap involved)
holm_p <- c(0.01, 0.04, 0.03, 0.04, 0.2, NA, 0.0001, 0.5, 0.012, 0.9, 0.04, 0.0002)
write.csv(data.frame(p = holm_p, holm = p.adjust(holm_p, "holm")),
          file.path(ref_dir, "holm.csv"), row.names = FALSE, na = "")

# The compared rows of a fit, in the parameter table's order: every free
# regression path and every :=, with est and std.all.
compared <- function(f) {
  pt <- parTable(f)
  keep <- (pt$op == "~" & pt$free > 0) | pt$op == ":="
  std <- standardizedSolution(f, se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
  key <- paste(pt$lhs, pt$op, pt$rhs)[keep]
  data.frame(lhs = pt$lhs[keep], op = pt$op[keep], rhs = pt$rhs[keep], est = pt$est[keep],
             std_all = std$est.std[match(key, paste(std$lhs, std$op, std$rhs))],
             stringsAsFactors = FALSE)
}

full <- lapply(models, function(m) sem(m, data = rc, sampling.weights = "weight"))
stopifnot(all(sapply(full, lavInspect, "converged")))
stopifnot(all(sapply(full, function(f) suppressWarnings(lavInspect(f, "post.check")))))
rows <- lapply(full, compared)
P <- nrow(rows[[1]])
for (b in behaviours) stopifnot(identical(rows[[b]][, 1:3], rows[[1]][, 1:3]))

# One draw: every behaviour refitted on the same resample; NULL if any fails.
refit <- function(idx) {
  d <- rc[idx, ]
  out <- list()
  for (b in behaviours) {
    f <- tryCatch(suppressWarnings(sem(models[[b]], data = d, start = full[[b]],
                                       sampling.weights = "weight", se = "none",
                                       test = "none")),
                  error = function(e) NULL)
    if (is.null(f) || !lavInspect(f, "converged") ||
        !suppressWarnings(lavInspect(f, "post.check")))
      return(NULL)
    r <- compared(f)
    out[[b]] <- cbind(est = r$est, std = r$std_all)
  }
  out
}

seed <- 20261128L
R <- 2000L
set.seed(seed)
est <- array(NA_real_, c(R, length(behaviours), P))
std <- array(NA_real_, c(R, length(behaviours), P))
failed <- 0L
elapsed <- system.time(for (i in seq_len(R)) {
  draw <- refit(sample.int(nrow(rc), nrow(rc), replace = TRUE))
  if (is.null(draw)) {
    failed <- failed + 1L
    next
  }
  for (k in seq_along(behaviours)) {
    est[i, k, ] <- draw[[k]][, "est"]
    std[i, k, ] <- draw[[k]][, "std"]
  }
  if (i %% 200 == 0) cat(i, "draws\n")
})[["elapsed"]]
ok <- !is.na(est[, 1, 1])
est <- est[ok, , , drop = FALSE]
std <- std[ok, , , drop = FALSE]

fmt <- function(df) {
  for (v in names(df)) if (is.double(df[[v]])) df[[v]] <- sprintf("%.10g", df[[v]])
  df
}

paths <- do.call(rbind, lapply(seq_along(behaviours), function(k) {
  r <- rows[[k]]
  ci <- t(sapply(seq_len(P), function(j) norm.inter(est[, k, j], c(0.025, 0.975))))
  sci <- t(sapply(seq_len(P), function(j) norm.inter(std[, k, j], c(0.025, 0.975))))
  mc <- t(sapply(seq_len(P), function(j) mcse(est[, k, j])))
  smc <- t(sapply(seq_len(P), function(j) mcse(std[, k, j])))
  data.frame(behaviour = behaviours[k], r[, 1:3], est = r$est,
             se = apply(est[, k, ], 2, sd), perc_lower = ci[, 1], perc_upper = ci[, 2],
             std_all = r$std_all, std_se = apply(std[, k, ], 2, sd),
             std_lower = sci[, 1], std_upper = sci[, 2],
             lower_mcse = mc[, 1], upper_mcse = mc[, 2],
             std_lower_mcse = smc[, 1], std_upper_mcse = smc[, 2], stringsAsFactors = FALSE)
}))
write.csv(fmt(paths), file.path(ref_dir, "paths.csv"), row.names = FALSE)

pairs <- combn(seq_along(behaviours), 2)
diffs <- do.call(rbind, lapply(seq_len(P), function(j) {
  do.call(rbind, lapply(seq_len(ncol(pairs)), function(p) {
    a <- pairs[1, p]; b <- pairs[2, p]
    d <- est[, a, j] - est[, b, j]
    s <- std[, a, j] - std[, b, j]
    ci <- norm.inter(d, c(0.025, 0.975))
    sci <- norm.inter(s, c(0.025, 0.975))
    data.frame(rows[[1]][j, 1:3], a = behaviours[a], b = behaviours[b],
               diff = rows[[a]]$est[j] - rows[[b]]$est[j], se = sd(d),
               perc_lower = ci[1], perc_upper = ci[2],
               std_diff = rows[[a]]$std_all[j] - rows[[b]]$std_all[j],
               std_lower = sci[1], std_upper = sci[2],
               lower_mcse = mcse(d)[1], upper_mcse = mcse(d)[2],
               std_lower_mcse = mcse(s)[1], std_upper_mcse = mcse(s)[2],
               stringsAsFactors = FALSE)
  }))
}))
write.csv(fmt(diffs), file.path(ref_dir, "diffs.csv"), row.names = FALSE)

wald <- do.call(rbind, lapply(seq_len(P), function(j) {
  D <- sapply(2:length(behaviours), function(k) est[, k, j] - est[, 1, j])
  d <- sapply(2:length(behaviours), function(k) rows[[k]]$est[j] - rows[[1]]$est[j])
  data.frame(rows[[1]][j, 1:3], chisq = drop(t(d) %*% solve(cov(D), d)),
             df = length(behaviours) - 1L, stringsAsFactors = FALSE)
}))
write.csv(fmt(wald), file.path(ref_dir, "wald.csv"), row.names = FALSE)

write.csv(data.frame(measure = c("draws", "failed", "seed", "elapsed_seconds"),
                     value = c(R, failed, seed, round(elapsed, 1))),
          file.path(ref_dir, "boot.csv"), row.names = FALSE)
cat("done:", R, "draws,", failed, "failed,", round(elapsed), "s\n")
