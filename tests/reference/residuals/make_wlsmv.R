# SPDX-License-Identifier: GPL-3.0-or-later
# make_wlsmv.R -- residuals of WLSMV fits (ordered items) from lavaan 0.6.14's
# lavResiduals(), for `brisk fit --residuals`.  Run from the top of the
# source tree:
#
#     Rscript tests/reference/residuals/make_wlsmv.R
#
# `make check` does not need R: the CSVs are committed and
# tests/cli/sem_reference.sh compares brisk's "fit.residuals" and
# "fit.residual_summary" tables to them, as make.R's.
#
# lavaan's residuals of a categorical fit are those of its sample
# statistics (lav_residuals with lav_object_inspect_sampstat): the
# thresholds, the correlations of the latent responses (with ordered items
# alone the diagonal is 1 on both sides) and, with continuous items beside
# ordered ones, their means and variances too.  The Bentler and Bollen
# kinds rescale the covariances and means as in the continuous case (an
# ordered item's variance is 1) and leave the thresholds alone.  SEs, z and
# the summaries lavaan gives for ordered items alone: the residuals' ACOV
# is Q NACOV Q' / N (N every group's respondents), Q = I - N_g/N Delta
# A0^-1 Delta' W (W = diag(NACOV)^-1, A0 = sum_g N_g/N Delta' W Delta).
#
# NAME.csv: a row per statistic: with continuous items the means (op "~1"),
# then the thresholds (op "|", rhs t1, t2, ...), then the covariances column
# by column of the lower triangle (lav_matrix_vech), group by group; the
# columns as make.R's (raw_z residuals(fit, type = "standardized"), the
# others lavResiduals(fit, type = kind)'s cov.z), a threshold's th, th.se
# and th.z (or the standardized residuals' th) in every kind (lavaan
# rescales no threshold).
# NAME.summary.csv: lavResiduals()$summary (srmr) and
# lavResiduals(type = "cor.bollen")$summary (crmr), columns cov (lavaan's
# cor), th (thresholds) and total; none with continuous items (lavaan gives
# none).
#
#   hs_ord          cfa(hs model on u1..u9, data = hs_cat, ordered = TRUE)
#   hs_ord_group    the same, group = "school"
#   hs_ord_equal    the same, group.equal = c("thresholds", "loadings")
#   hs_ord_theta    hs_ord with parameterization = "theta"
#   bfi_ord         two bfi factors, ordered, listwise
#   bfi_ord_pairwise  the same, missing = "pairwise"
#   hs_mixed        wlsmv_more/hs_mixed.lav (u2, u3, u6, u7, u9 ordered):
#                   residuals alone
#   rongcheng_crime rongcheng.survey's model for crime, every item ordered,
#                   unweighted: `brisk fit rongcheng -b crime --unweighted
#                   --estimator wlsmv`
# hs_cat = tests/data/hs_cat.csv, bfi = tests/data/bfi.csv as it is.
suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/residuals/make_wlsmv.R"))
if (packageVersion("lavaan") != "0.6.14")
  warning("the references were made with lavaan 0.6.14")
out <- "tests/reference/residuals"
hs_cat <- read.csv("tests/data/hs_cat.csv", stringsAsFactors = FALSE)
bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)
source("tests/reference/wlsmv_more/rongcheng_data.R")
keys <- c("rms", "rms.se", "rms.exactfit.z", "rms.exactfit.pvalue", "urms", "urms.se",
          "urms.ci.lower", "urms.ci.upper", "urms.closefit.z", "urms.closefit.pvalue")
vech <- function(x) x[lower.tri(x, diag = TRUE)]
or_na <- function(x, n) if (is.null(x)) rep(NA, n) else x

write_residuals <- function(name, fit) {
  G <- lavInspect(fit, "ngroups")
  mixed <- length(unlist(fit@Model@num.idx)) > 0
  kinds <- list(raw = lavResiduals(fit, type = "raw", se = TRUE),
                std = if (!mixed) residuals(fit, type = "standardized"),
                bentler = lavResiduals(fit), bollen = lavResiduals(fit, type = "cor.bollen"))
  rows <- NULL
  summ <- NULL
  for (g in seq_len(G)) {
    pick <- function(x) if (G == 1) x else x[[g]]
    r <- pick(kinds$raw); b <- pick(kinds$bentler); o <- pick(kinds$bollen)
    s <- if (!mixed) pick(kinds$std)
    names <- rownames(r$cov)
    p <- length(names)
    idx <- which(lower.tri(r$cov, diag = TRUE), arr.ind = TRUE)
    idx <- idx[order(idx[, 2], idx[, 1]), , drop = FALSE]
    np <- nrow(idx)
    block <- data.frame(lhs = names[idx[, 1]], op = "~~", rhs = names[idx[, 2]],
                        raw = vech(r$cov), raw_se = or_na(if (!mixed) vech(r$cov.se), np),
                        raw_z = or_na(if (!mixed) vech(s$cov), np),
                        cor_bentler = vech(b$cov), cor_bentler_z = or_na(if (!mixed) vech(b$cov.z), np),
                        cor_bollen = vech(o$cov), cor_bollen_z = or_na(if (!mixed) vech(o$cov.z), np))
    th <- names(r$th)
    nt <- length(th)
    ths <- data.frame(lhs = sub("\\|.*", "", th), op = "|", rhs = sub(".*\\|", "", th),
                      raw = r$th, raw_se = or_na(if (!mixed) r$th.se, nt),
                      raw_z = or_na(if (!mixed) s$th, nt), cor_bentler = b$th,
                      cor_bentler_z = or_na(if (!mixed) b$th.z, nt), cor_bollen = o$th,
                      cor_bollen_z = or_na(if (!mixed) o$th.z, nt))
    block <- rbind(ths, block)
    if (mixed) {
      means <- data.frame(lhs = names, op = "~1", rhs = "", raw = r$mean, raw_se = NA,
                          raw_z = NA, cor_bentler = b$mean, cor_bentler_z = NA,
                          cor_bollen = o$mean, cor_bollen_z = NA)
      block <- rbind(means, block)
    }
    rows <- rbind(rows, cbind(group_number = g, block))
    for (kind in c("srmr", "crmr")) {
      if (mixed) break
      tab <- as.data.frame(if (kind == "srmr") b$summary else o$summary)
      tab <- tab[-9, , drop = FALSE]   # the close-fit test's h0 value
      names(tab) <- c("cov", "th", "total")
      k <- sub("^u?rms", "", keys)
      key <- paste0(ifelse(substr(keys, 1, 1) == "u", "u", ""), kind, k)
      summ <- rbind(summ, data.frame(group_number = g, key = key, tab, row.names = NULL))
    }
  }
  if (G == 1) {
    rows$group_number <- NULL
    if (!is.null(summ)) summ$group_number <- NULL
  }
  write.csv(rows, file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = FALSE,
            na = "NA")
  if (!is.null(summ))
    write.csv(summ, file.path(out, paste0(name, ".summary.csv")), row.names = FALSE,
              quote = FALSE, na = "NA")
}

hs_model <- "visual =~ u1 + u2 + u3\ntextual =~ u4 + u5 + u6\nspeed =~ u7 + u8 + u9\n"
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconscientious =~ C1 + C2 + C3 + C4 + C5\n"
bfi_items <- c(paste0("A", 1:5), paste0("C", 1:5))
hs_items <- paste0("u", 1:9)
wlsmv <- function(model, data, ordered, ...)
  cfa(model, data = data, ordered = ordered, estimator = "WLSMV", ...)
write_residuals("hs_ord", wlsmv(hs_model, hs_cat, hs_items))
write_residuals("hs_ord_group", wlsmv(hs_model, hs_cat, hs_items, group = "school"))
write_residuals("hs_ord_equal", wlsmv(hs_model, hs_cat, hs_items, group = "school",
                                     group.equal = c("thresholds", "loadings")))
write_residuals("hs_ord_theta", wlsmv(hs_model, hs_cat, hs_items, parameterization = "theta"))
write_residuals("bfi_ord", wlsmv(bfi_model, bfi, bfi_items))
write_residuals("bfi_ord_pairwise", wlsmv(bfi_model, bfi, bfi_items, missing = "pairwise"))
write_residuals("hs_mixed", wlsmv("visual =~ x1 + u2 + u3\ntextual =~ x4 + x5 + u6\nspeed =~ u7 + x8 + u9\n",
                                  hs_cat, c("u2", "u3", "u6", "u7", "u9")))
rc_model <- rongcheng_model("crime")
rc_items <- rongcheng_items(rc_model)
rc <- rongcheng_answers("crime", rc_items)
rc <- rc[complete.cases(rc), ]
write_residuals("rongcheng_crime_wlsmv",
                sem(rc_model, data = rc, ordered = rc_items, estimator = "WLSMV"))
