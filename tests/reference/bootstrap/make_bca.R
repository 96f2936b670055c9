# SPDX-License-Identifier: GPL-3.0-or-later
# make_bca.R -- reference values for brisk's BCa intervals, from the boot
# package, on lavaan's own bootstrap draws.
#
# Run from the top of the source tree, after make_reference.R (it reads
# draws.csv; about 20 seconds):
#
#     Rscript tests/reference/bootstrap/make_bca.R
#
# lavaan 0.6-14 offers only "bca.simple" (no acceleration). The full BCa
# interval (Efron 1987) needs the acceleration, which the boot package
# computes from empirical influence values; here they are the jackknife's:
# the model of hs_boot.lav refitted by lavaan without each of the 301
# respondents in turn, L_i = (n - 1)(mean of the 301 values - value i).
# boot.ci(type = "bca", L = L) then gives the interval from lavaan's 2,000
# draws (draws.csv). It writes, in tests/reference/bootstrap/:
#
#   jack.csv   the 301 leave-one-out estimates of the five quantities of
#              draws.csv (speed =~ x9, a, b, c and ind = c*b), 15 digits
#   bca.csv    quantity, est, z0, acceleration, bca_lower, bca_upper (95%)

suppressPackageStartupMessages({
  library(lavaan)
  library(boot)
})
stopifnot(file.exists("tests/reference/bootstrap/make_bca.R"))  # run from the top
ref_dir <- "tests/reference/bootstrap"
hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)
lines <- readLines(file.path(ref_dir, "hs_boot.lav"))
model <- paste(lines[!grepl("^#", lines)], collapse = "\n")
draws <- read.csv(file.path(ref_dir, "draws.csv"), check.names = FALSE)
quantities <- names(draws)          # speed=~x9, speed~visual, speed~textual, textual~visual, ind

values <- function(fit) {
  pe <- parameterEstimates(fit)
  key <- paste0(pe$lhs, pe$op, pe$rhs)
  key[pe$op == ":="] <- pe$lhs[pe$op == ":="]
  pe$est[match(quantities, key)]
}
full <- sem(model, data = hs)
t0 <- values(full)
n <- nrow(hs)
jack <- t(sapply(seq_len(n), function(i) values(sem(model, data = hs[-i, ]))))
colnames(jack) <- quantities
digits15 <- function(df) {
  for (v in names(df)) if (is.double(df[[v]])) df[[v]] <- sprintf("%.15g", df[[v]])
  df
}
write.csv(digits15(as.data.frame(jack)), file.path(ref_dir, "jack.csv"),
          row.names = FALSE, quote = FALSE)
jack <- as.matrix(read.csv(file.path(ref_dir, "jack.csv"), check.names = FALSE))

# A boot object around lavaan's draws, so that boot.ci does the rest.
ok <- stats::complete.cases(draws)
bo <- structure(list(t0 = t0, t = as.matrix(draws[ok, ]), R = sum(ok), data = hs,
                     seed = NULL, statistic = function(d, i) NULL, sim = "ordinary",
                     stype = "i", call = quote(boot(data = hs)),
                     strata = rep(1, n), weights = rep(1 / n, n)),
                class = "boot")
out <- do.call(rbind, lapply(seq_along(quantities), function(k) {
  L <- (n - 1) * (mean(jack[, k]) - jack[, k])
  ci <- boot.ci(bo, conf = 0.95, type = "bca", index = k, L = L)$bca
  data.frame(quantity = quantities[k], est = t0[k],
             z0 = qnorm(sum(bo$t[, k] < t0[k]) / bo$R),
             acceleration = sum(L^3) / (6 * sum(L^2)^1.5),
             bca_lower = ci[4], bca_upper = ci[5], stringsAsFactors = FALSE)
}))
write.csv(digits15(out), file.path(ref_dir, "bca.csv"), row.names = FALSE, quote = FALSE)
print(out)
