# SPDX-License-Identifier: GPL-3.0-or-later
# make_robust.R -- bootstrap references for full-information ML and
# WLSMV fits, from lavaan.
#
# Run from the top of the source tree (takes about 5 minutes):
#
#     Rscript tests/reference/bootstrap/make_robust.R
#
# Needs R with lavaan 0.6-14.  `make check` does not need R: what this
# script writes is committed.  It writes, in tests/reference/bootstrap/:
#
#   robust_boot.csv   case,lhs,op,rhs,est,se,perc_lower,perc_upper: the
#                     free parameters' estimates, bootstrap SEs and 95%
#                     percentile intervals (parameterEstimates(fit,
#                     boot.ci.type = "perc")), and per case a row
#                     "draws", "failed" and "seconds" in lhs (value in est)
#   robust_boot.lav   the model
#
# The data: tests/data/bfi.csv with A1, C4, C5 reversed (7 - x), as
# tests/reference/robust/make_reference.R reads it.
#
#   fiml    the first 500 rows, missing answers kept:
#           set.seed(20261121)
#           cfa(model, data = bfi500, missing = "ml", se = "bootstrap",
#               bootstrap = 1000)
#   dwls    the first 800 rows (lavaan drops the incomplete ones):
#           set.seed(20261122)
#           cfa(model, data = bfi800, ordered = TRUE, estimator = "DWLS",
#               se = "bootstrap", bootstrap = 1000)
#           lavaan 0.6-14 refuses se = "bootstrap" with estimator = "WLSMV"
#           ("use (D)WLS estimator for bootstrap"); DWLS gives the same
#           estimates, which is what a draw refits.

suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/bootstrap/make_robust.R"))
ref_dir <- "tests/reference/bootstrap"

bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)
for (v in c("A1", "C4", "C5")) bfi[[v]] <- 7 - bfi[[v]]
model <- c("agree         =~ A1 + A2 + A3 + A4 + A5",
           "conscientious =~ C1 + C2 + C3 + C4 + C5")
writeLines(c("# robust_boot: two bfi factors (see make_robust.R for the lavaan calls)", model),
           file.path(ref_dir, "robust_boot.lav"))
model <- paste(model, collapse = "\n")

cases <- list(
  fiml = list(seed = 20261121, data = bfi[1:500, ],
              args = list(missing = "ml")),
  dwls = list(seed = 20261122, data = bfi[1:800, ],
              args = list(ordered = TRUE, estimator = "DWLS")))

out <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  set.seed(cs$seed)
  t0 <- proc.time()[["elapsed"]]
  fit <- do.call("cfa", c(list(model = model, data = cs$data, se = "bootstrap",
                             bootstrap = 1000), cs$args))
  secs <- proc.time()[["elapsed"]] - t0
  boot <- lavInspect(fit, "boot")
  pe <- parameterEstimates(fit, boot.ci.type = "perc")
  pe <- pe[pe$op %in% c("=~", "~~"), ]
  pt <- parTable(fit)
  free <- pt$free[match(paste(pe$lhs, pe$op, pe$rhs), paste(pt$lhs, pt$op, pt$rhs))] > 0
  pe <- pe[free, ]
  out[[name]] <- rbind(
    data.frame(case = name, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
               perc_lower = pe$ci.lower, perc_upper = pe$ci.upper),
    data.frame(case = name, lhs = c("draws", "failed", "seconds"), op = "", rhs = "",
               est = c(1000, 1000 - nrow(boot), secs), se = NA, perc_lower = NA,
               perc_upper = NA))
  cat(name, ": ", nrow(boot), " draws kept, ", round(secs, 1), " s\n", sep = "")
}
write.csv(do.call(rbind, out), file.path(ref_dir, "robust_boot.csv"), row.names = FALSE,
          na = "")
