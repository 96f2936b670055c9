# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- bootstrap reference values for brisk, from lavaan.
#
# Run from the top of the source tree (takes about 4.5 minutes):
#
#     Rscript tests/reference/bootstrap/make_reference.R
#
# Needs R with lavaan 0.6-14.  `make check` does not need R: everything
# this script writes is committed.  It writes, in tests/reference/bootstrap/:
#
#   hs_boot.lav        the model, with the lavaan call in a comment
#   params.csv         one row per parameterEstimates() row of the fit below:
#                      est, bootstrap SE, percentile and bca.simple CIs,
#                      std.all with standardizedSolution()'s SE and CI,
#                      percentile CIs of std.all from the same draws, and
#                      the Monte Carlo SD of each percentile endpoint (the
#                      last two are computed here, not by lavaan)
#   draws.csv          lavaan's 2,000 bootstrap draws (lavInspect(fit,
#                      "boot")) of speed =~ x9, a, b, c and of ind = c*b
#   replicates.csv     SEs and percentile CIs of the same fit with seeds
#                      20261121 and 20261124..20261127, and the runtimes
#   boot.csv           measure,value: draws, failed draws, runtimes, seeds,
#                      and the same for the timing scenario
#   bench.lav          the timing scenario (14 items, 4 constructs,
#                      N = 2000, 1,000 draws): population and fitted model
#                      (its simulated data are not committed)
#   the headline numbers in README.md (between markers)
#
# The fits:
#
#   hs_boot   set.seed(20261121)
#             sem(model, data = hs, se = "bootstrap", bootstrap = 2000)
#             hs = tests/data/hs.csv (lavaan::HolzingerSwineford1939)
#             visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
#             speed =~ x7 + x8 + x9; speed ~ a*visual + b*textual;
#             textual ~ c*visual; ind := c*b
#   bench     data: simulateData(pop_model, sample.nobs = 2000,
#             seed = 20261122, standardized = TRUE) (pop_model below)
#             set.seed(20261123)
#             sem(model, data = bench, se = "bootstrap", bootstrap = 1000)
#
# lavaan's defaults are used: ordinary (nonparametric) bootstrap,
# parallel = "no" (one core), check.post = TRUE.

suppressPackageStartupMessages({
  library(lavaan)
})

stopifnot(file.exists("tests/reference/bootstrap/make_reference.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6-14; this is ",
          packageVersion("lavaan"))

ref_dir <- "tests/reference/bootstrap"
hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)
stopifnot(nrow(hs) == 301)

# lavaan's percentile interpolation, copied from parameterEstimates()
# (lavaan 0.6-14, lav_object_methods.R; it is boot:::norm.inter).
# Returns the interpolated order statistics for probabilities alpha.
norm.inter <- function(t, alpha) {
  t <- t[is.finite(t)]
  R <- length(t)
  rk <- (R + 1) * alpha
  if (!all(rk > 1 & rk < R))
    warning("extreme order statistics used as endpoints")
  k <- trunc(rk)
  inds <- seq_along(k)
  out <- inds
  kvs <- k[k > 0 & k < R]
  tstar <- sort(t, partial = sort(union(c(1, R), c(kvs, kvs + 1))))
  ints <- (k == rk)
  if (any(ints)) out[inds[ints]] <- tstar[k[inds[ints]]]
  out[k == 0] <- tstar[1L]
  out[k == R] <- tstar[R]
  not <- function(v) xor(rep(TRUE, length(v)), v)
  temp <- inds[not(ints) & k != 0 & k != R]
  temp1 <- qnorm(alpha[temp])
  temp2 <- qnorm(k[temp] / (R + 1))
  temp3 <- qnorm((k[temp] + 1) / (R + 1))
  tk <- tstar[k[temp]]
  tk1 <- tstar[k[temp] + 1L]
  out[temp] <- tk + (temp1 - temp2) / (temp3 - temp2) * (tk1 - tk)
  out
}

## ------------------------------------------------------------ hs_boot ----

model_lines <- c("visual  =~ x1 + x2 + x3",
                 "textual =~ x4 + x5 + x6",
                 "speed   =~ x7 + x8 + x9",
                 "speed   ~ a*visual + b*textual",
                 "textual ~ c*visual",
                 "ind := c*b")
model <- paste(model_lines, collapse = "\n")
seed <- 20261121L
R <- 2000L
writeLines(c("# hs_boot (written by make_reference.R)",
             paste0("# lavaan call: set.seed(", seed, "); sem(model, data = hs, ",
                    "se = \"bootstrap\", bootstrap = ", R, ")"),
             "# hs = tests/data/hs.csv",
             model_lines),
           file.path(ref_dir, "hs_boot.lav"))

cat("bootstrapping hs_boot,", R, "draws\n")
warnings <- character()
set.seed(seed)
timing <- system.time(fit <- withCallingHandlers(
  sem(model, data = hs, se = "bootstrap", bootstrap = R),
  warning = function(w) {
    warnings <<- c(warnings, gsub("\\s+", " ", conditionMessage(w)))
    invokeRestart("muffleWarning")
  }))
stopifnot(lavInspect(fit, "converged"))
cat("  elapsed", timing[["elapsed"]], "s\n")

# the same model with standard SEs, for comparison and to time one fit
timing_one <- system.time(for (i in 1:20) fit_ml <- sem(model, data = hs))
stopifnot(max(abs(coef(fit_ml) - coef(fit))) < 1e-12)

BOOT <- lavInspect(fit, "boot")
error.idx <- attr(BOOT, "error.idx")
nonadm <- attr(BOOT, "nonadmissible")
n_na_rows <- sum(apply(BOOT, 1, function(r) any(is.na(r))))
stopifnot(nrow(BOOT) == R, n_na_rows == length(error.idx))
ok <- if (length(error.idx)) BOOT[-error.idx, , drop = FALSE] else BOOT
nboot <- nrow(ok)

pe_perc <- parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
pe_bca  <- parameterEstimates(fit, boot.ci.type = "bca.simple")
stopifnot(identical(pe_perc[, 1:3], pe_bca[, 1:3]))
pt <- parTable(fit)
key_pt <- paste(pt$lhs, pt$op, pt$rhs)
row <- match(paste(pe_perc$lhs, pe_perc$op, pe_perc$rhs), key_pt)
stopifnot(!anyNA(row))

# bootstrap SE = SD of the successful draws with divisor nboot (not nboot-1)
free_rows <- which(pt$free > 0)
se_boot <- sqrt(apply(ok, 2, function(v) mean((v - mean(v))^2)))
stopifnot(max(abs(se_boot[pt$free[free_rows]] - pt$se[free_rows])) < 1e-12)
# ... but the SE of a ":=" row is sd() of its draws, divisor nboot - 1
# (lav_model_vcov_se uses cov() of the defined parameters over all draws)
ind_draws <- apply(ok, 1, fit@Model@def.function)
def_row <- which(pt$op == ":=")
stopifnot(abs(sd(ind_draws) - pt$se[def_row]) < 1e-12)

# percentile CIs recomputed with the copy of norm.inter above
alpha <- c(0.025, 0.975)
perc <- t(apply(ok, 2, norm.inter, alpha))
for (i in free_rows) {
  j <- which(row == i)
  stopifnot(max(abs(perc[pt$free[i], ] - c(pe_perc$ci.lower[j], pe_perc$ci.upper[j]))) < 1e-12)
}
j <- which(row == def_row)
stopifnot(max(abs(norm.inter(ind_draws, alpha) -
                  c(pe_perc$ci.lower[j], pe_perc$ci.upper[j]))) < 1e-12)
# bca.simple (no acceleration): alpha' = pnorm(2 w + z_alpha),
# w = qnorm(#{draws < est} / nboot)
bca_simple <- function(t, t0) {
  w <- qnorm(sum(t < t0) / length(t))
  norm.inter(t, pnorm(w + (w + qnorm(alpha))))
}
for (i in free_rows) {
  j <- which(row == i)
  stopifnot(max(abs(bca_simple(ok[, pt$free[i]], pt$est[i]) -
                    c(pe_bca$ci.lower[j], pe_bca$ci.upper[j]))) < 1e-12)
}

# standardized solution: lavaan 0.6-14 has no bootstrap CI for it.
# standardizedSolution() gives est.std +- 1.96 se, se by the delta method
# from the bootstrap VCOV.  Percentile CIs of std.all from the same draws
# are computed here (not lavaan output) with lavaan's own standardizer.
ss <- standardizedSolution(fit)
stopifnot(identical(ss[, 1:3], pe_perc[, 1:3]))
std_draw <- function(x) {
  GLIST <- lavaan:::lav_model_x2GLIST(fit@Model, x)
  est <- lavaan:::lav_model_get_parameters(fit@Model, GLIST = GLIST,
                                           type = "user", extra = TRUE)
  lavaan:::lav_standardize_all(fit, est = est, GLIST = GLIST)
}
stopifnot(max(abs(std_draw(lavaan:::lav_model_get_parameters(fit@Model)) -
                  pe_perc$std.all[order(row)])) < 1e-12)
STD <- t(apply(ok, 1, std_draw))               # nboot x parTable rows
std_perc <- t(apply(STD, 2, function(v)
  if (var(v) == 0) c(v[1], v[1]) else norm.inter(v, alpha)))

# Monte Carlo error of each percentile endpoint (not lavaan output): the
# SD of the endpoint over 1,000 resamples of the successful draws
# (set.seed(1)).  Two independent runs of 2,000 draws differ by about
# sqrt(2) times this.
set.seed(1)
mc_sd <- function(v) {
  if (var(v) == 0) return(c(0, 0))
  idx <- replicate(1000, sample.int(length(v), replace = TRUE))
  e <- apply(idx, 2, function(i) norm.inter(v[i], alpha))
  apply(e, 1, sd)
}
MCSD <- matrix(0, nrow(pe_perc), 2)
for (i in free_rows) MCSD[which(row == i), ] <- mc_sd(ok[, pt$free[i]])
MCSD[which(row == def_row), ] <- mc_sd(ind_draws)

params <- data.frame(
  lhs = pe_perc$lhs, op = pe_perc$op, rhs = pe_perc$rhs,
  label = pe_perc$label, free = pt$free[row] > 0,
  est = pe_perc$est, se = pe_perc$se, z = pe_perc$z, pvalue = pe_perc$pvalue,
  perc_lower = pe_perc$ci.lower, perc_upper = pe_perc$ci.upper,
  bca_lower = pe_bca$ci.lower, bca_upper = pe_bca$ci.upper,
  std_all = pe_perc$std.all,
  std_se_delta = ss$se, std_ci_lower_delta = ss$ci.lower,
  std_ci_upper_delta = ss$ci.upper,
  std_perc_lower = std_perc[row, 1], std_perc_upper = std_perc[row, 2],
  ml_se = parameterEstimates(fit_ml)$se,
  perc_lower_mcsd = MCSD[, 1], perc_upper_mcsd = MCSD[, 2],
  stringsAsFactors = FALSE)
write.csv(params, file.path(ref_dir, "params.csv"), row.names = FALSE, na = "")

# Some of the draws, as lavaan stores them, with 10 significant digits
# (enough to recompute lavaan's intervals to 1e-8; checked below): the
# skewed loading speed =~ x9, the paths a, b, c and ind = c*b.
vn <- paste0(pt$lhs, pt$op, pt$rhs)
keep <- c("speed=~x9", "speed~visual", "speed~textual", "textual~visual")
kidx <- pt$free[match(keep, vn)]
draws <- as.data.frame(lapply(kidx, function(k) sprintf("%.10g", BOOT[, k])))
names(draws) <- keep
draws$ind <- sprintf("%.10g", apply(BOOT, 1, fit@Model@def.function))
draws[is.na(BOOT[, 1]), ] <- ""
write.csv(draws, file.path(ref_dir, "draws.csv"), row.names = FALSE,
          quote = FALSE, na = "")
back <- read.csv(file.path(ref_dir, "draws.csv"), check.names = FALSE)
stopifnot(identical(names(back), c(keep, "ind")), nrow(back) == R)
for (k in c(keep, "ind")) {
  j <- which(paste0(pe_perc$lhs, pe_perc$op, pe_perc$rhs) == k |
             (k == "ind" & pe_perc$op == ":="))
  v <- back[[k]][!is.na(back[[k]])]
  stopifnot(max(abs(norm.inter(v, alpha) -
                    c(pe_perc$ci.lower[j], pe_perc$ci.upper[j]))) < 1e-8,
            max(abs(bca_simple(v, pe_perc$est[j]) -
                    c(pe_bca$ci.lower[j], pe_bca$ci.upper[j]))) < 1e-8)
}

boot_info <- c(
  draws = R, failed = length(error.idx), successful = nboot,
  nonadmissible = length(nonadm),
  na_rows = n_na_rows,
  elapsed_seconds = timing[["elapsed"]],
  user_seconds = timing[["user.self"]],
  one_fit_seconds = timing_one[["elapsed"]] / 20,
  seed = seed, iseed = attr(BOOT, "seed"))

## --------------------------------------------------------- replicates ----

# The same fit with four other seeds: how far apart two honest runs of
# 2,000 draws are (what brisk, with its own RNG, will see), and how much
# lavaan's runtime varies.
rep_seeds <- 20261124:20261127
reps <- list()
for (s in rep_seeds) {
  cat("replicate, seed", s, "\n")
  set.seed(s)
  tm <- system.time(f <- suppressWarnings(
    sem(model, data = hs, se = "bootstrap", bootstrap = R)))
  p <- parameterEstimates(f, boot.ci.type = "perc")
  stopifnot(identical(p[, 1:3], pe_perc[, 1:3]))
  reps[[length(reps) + 1]] <- data.frame(
    seed = s, lhs = p$lhs, op = p$op, rhs = p$rhs, se = p$se,
    perc_lower = p$ci.lower, perc_upper = p$ci.upper,
    failed = length(attr(lavInspect(f, "boot"), "error.idx")),
    elapsed_seconds = tm[["elapsed"]], stringsAsFactors = FALSE)
}
reps <- rbind(data.frame(seed = seed, lhs = pe_perc$lhs, op = pe_perc$op,
                         rhs = pe_perc$rhs, se = pe_perc$se,
                         perc_lower = pe_perc$ci.lower,
                         perc_upper = pe_perc$ci.upper,
                         failed = length(error.idx),
                         elapsed_seconds = timing[["elapsed"]],
                         stringsAsFactors = FALSE),
              do.call(rbind, reps))
write.csv(reps, file.path(ref_dir, "replicates.csv"), row.names = FALSE, na = "")
# largest distance of a replicate's endpoint from the reference run
main <- reps[reps$seed == seed, ]
other <- reps[reps$seed != seed, ]
k <- match(paste(other$lhs, other$op, other$rhs), paste(main$lhs, main$op, main$rhs))
dist <- pmax(abs(other$perc_lower - main$perc_lower[k]),
             abs(other$perc_upper - main$perc_upper[k]))
rep_max <- tapply(dist, paste(other$lhs, other$op, other$rhs), max)

## -------------------------------------------------------------- bench ----

pop_model <- c(
  "trust   =~ 0.8*tr1 + 0.7*tr2 + 0.75*tr3",
  "benefit =~ 0.8*pb1 + 0.75*pb2 + 0.7*pb3 + 0.65*pb4",
  "risk    =~ 0.8*pr1 + 0.7*pr2 + 0.75*pr3",
  "accept  =~ 0.8*ac1 + 0.75*ac2 + 0.7*ac3 + 0.7*ac4",
  "benefit ~ 0.5*trust",
  "risk    ~ -0.4*trust",
  "accept  ~ 0.4*benefit + -0.3*risk + 0.2*trust")
bench_lines <- c(
  "trust   =~ tr1 + tr2 + tr3",
  "benefit =~ pb1 + pb2 + pb3 + pb4",
  "risk    =~ pr1 + pr2 + pr3",
  "accept  =~ ac1 + ac2 + ac3 + ac4",
  "benefit ~ trust",
  "risk    ~ trust",
  "accept  ~ benefit + risk + trust")
RB <- 1000L
bench <- simulateData(paste(pop_model, collapse = "\n"), sample.nobs = 2000L,
                      seed = 20261122, standardized = TRUE)
writeLines(c("# bench (written by make_reference.R): the timing scenario",
             "# data (not committed; made by the script): simulateData(pop_model,",
             "#   sample.nobs = 2000, seed = 20261122, standardized = TRUE)",
             paste0("# pop_model: ", pop_model),
             "# lavaan call: set.seed(20261123); sem(model, data = bench, se = \"bootstrap\", bootstrap = 1000)",
             bench_lines),
           file.path(ref_dir, "bench.lav"))
bmodel <- paste(bench_lines, collapse = "\n")
timing_bench_one <- system.time(for (i in 1:5) bfit_ml <- sem(bmodel, data = bench))
cat("bootstrapping bench,", RB, "draws\n")
set.seed(20261123)
timing_bench <- system.time(
  bfit <- sem(bmodel, data = bench, se = "bootstrap", bootstrap = RB))
cat("  elapsed", timing_bench[["elapsed"]], "s\n")
BB <- lavInspect(bfit, "boot")
bench_info <- c(
  bench_n = nrow(bench), bench_items = ncol(bench), bench_npar = fitMeasures(bfit, "npar")[[1]],
  bench_chisq = fitMeasures(bfit, "chisq")[[1]], bench_df = fitMeasures(bfit, "df")[[1]],
  bench_draws = RB, bench_failed = length(attr(BB, "error.idx")),
  bench_nonadmissible = length(attr(BB, "nonadmissible")),
  bench_elapsed_seconds = timing_bench[["elapsed"]],
  bench_user_seconds = timing_bench[["user.self"]],
  bench_one_fit_seconds = timing_bench_one[["elapsed"]] / 5)
rep_info <- c(replicates = length(unique(reps$seed)),
              replicate_elapsed_min = min(reps$elapsed_seconds),
              replicate_elapsed_max = max(reps$elapsed_seconds),
              replicate_max_endpoint_distance = max(dist))
write.csv(data.frame(measure = c(names(boot_info), names(rep_info), names(bench_info)),
                     value = unname(c(boot_info, rep_info, bench_info))),
          file.path(ref_dir, "boot.csv"), row.names = FALSE)

## ------------------------------------------------------ headline table ----

f3 <- function(x) formatC(x, format = "f", digits = 3)
show <- which(params$op %in% c("~", ":=") | (params$op == "=~" & params$free))
tab <- c(sprintf("hs_boot: %d draws, %d failed, %d nonadmissible; lavaan took %.1f s (%.1f to %.1f s over %d runs with other seeds; one ML fit: %.3f s)",
                 R, length(error.idx), length(nonadm), timing[["elapsed"]],
                 min(other$elapsed_seconds), max(other$elapsed_seconds),
                 length(rep_seeds), timing_one[["elapsed"]] / 20),
         "",
         "| parameter | est | boot SE | ML SE | percentile 95% CI | MC SD of the endpoints | max distance, 4 other seeds | bca.simple 95% CI | std.all | std.all percentile CI |",
         "|---|---|---|---|---|---|---|---|---|---|")
for (i in show) {
  key <- paste(params$lhs[i], params$op[i], params$rhs[i])
  tab <- c(tab, sprintf("| %s | %s | %s | %s | [%s, %s] | %s, %s | %s | [%s, %s] | %s | [%s, %s] |",
    key, f3(params$est[i]), f3(params$se[i]),
    f3(params$ml_se[i]), f3(params$perc_lower[i]), f3(params$perc_upper[i]),
    f3(params$perc_lower_mcsd[i]), f3(params$perc_upper_mcsd[i]), f3(rep_max[[key]]),
    f3(params$bca_lower[i]), f3(params$bca_upper[i]), f3(params$std_all[i]),
    f3(params$std_perc_lower[i]), f3(params$std_perc_upper[i])))
}
tab <- c(tab, "",
         sprintf("bench: N = %d, 14 items, %d free parameters, chisq %.3f on %d df; %d draws, %d failed; lavaan took %.1f s (one ML fit: %.3f s)",
                 nrow(bench), as.integer(bench_info["bench_npar"]), bench_info[["bench_chisq"]],
                 as.integer(bench_info["bench_df"]), RB, length(attr(BB, "error.idx")),
                 timing_bench[["elapsed"]], timing_bench_one[["elapsed"]] / 5))
cat(tab, sep = "\n")
if (length(warnings)) cat("hs_boot warnings:", warnings, sep = "\n  ")
readme <- file.path(ref_dir, "README.md")
if (file.exists(readme)) {
  lines <- readLines(readme)
  b <- grep("<!-- headline:begin -->", lines, fixed = TRUE)
  e <- grep("<!-- headline:end -->", lines, fixed = TRUE)
  if (length(b) == 1 && length(e) == 1 && b < e) {
    lines <- c(lines[1:b], tab, lines[e:length(lines)])
    writeLines(lines, readme)
  }
}
cat("done\n")
