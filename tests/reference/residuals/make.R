# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- residuals of fitted models from lavaan 0.6.14 (lavResiduals()
# and residuals()), for `brisk fit --residuals`.  Run from the top of the
# source tree:
#
#     Rscript tests/reference/residuals/make.R
#
# `make check` does not need R: the CSVs it writes are committed and
# tests/cli/sem_reference.sh compares brisk's "fit.residuals" and
# "fit.residual_summary" tables to them (every value, tolerance 1e-4; the
# z of a residual 1e-3: lavaan's default convergence leaves the estimates
# some 1e-7 from the optimum, which moves a residual with an SE of 0.001
# to 0.006 by 5e-4 of its SE; lavaan's own z with rel.tol = 1e-12 differ
# from its default ones by as much).
#
# NAME.csv: a row per sample moment in lavaan's order (with a mean
# structure the means first, op "~1"; then the covariances column by column
# of the lower triangle, lav_matrix_vech), group by group:
#   raw            residuals(fit, type = "raw")
#   raw_se         lavResiduals(fit, type = "raw", se = TRUE)$cov.se
#   raw_z          residuals(fit, type = "standardized")
#   cor_bentler    lavResiduals(fit)$cov (type = "cor.bentler", the default)
#   cor_bentler_z  lavResiduals(fit)$cov.z
#   cor_bollen     lavResiduals(fit, type = "cor.bollen")$cov
#   cor_bollen_z   lavResiduals(fit, type = "cor.bollen")$cov.z
# NAME.summary.csv: lavResiduals(fit)$summary (srmr rows) and
# lavResiduals(fit, type = "cor.bollen")$summary (crmr rows), columns cov
# (and mean, total with a mean structure), without the h0 value row (.05);
# keys as brisk names them (lavaan 0.6.14 spells one "ucrmr.cilupper").
#
#   hs_cfa            cfa(tests/reference/sem/hs_cfa.lav, data = hs)
#   hs_meanstructure  cfa(same model, data = hs, meanstructure = TRUE)
#   pd_sem            sem(tests/reference/sem/pd_sem.lav, data = pd)
#   hs_group          cfa(hs_cfa.lav, data = hs, group = "school")
# and the robust estimators, whose residuals' ACOV lav_residuals_acov forms
# from the ADF Gamma (lav_model_h1_acov with se "robust.huber.white" or
# "robust.sem") and, for MLR, the observed h1 information (structured):
#   hs_mlr, hs_mlm                    cfa(hs_cfa.lav, data = hs, estimator = E)
#   hs_meanstructure_mlr, _mlm        the same, meanstructure = TRUE
#   hs_group_mlr, hs_group_mlm        the same, group = "school"
#   hs_group_equal_mlr                MLR, group = "school",
#                                     group.equal = "loadings"
# and full-information ML, whose residuals are the EM moments' less the
# implied ones, their ACOV from the saturated model's observed information
# and (MLR) its casewise scores at the EM estimates:
#   bfi_fiml, bfi_fiml_mlr            cfa(robust/bfi_fiml.lav, data = bfi,
#                                     missing = "ml", estimator = "ML"/"MLR")
# and a survey's:
#   rongcheng_crime_mlr, _mlm         sem(sem/rongcheng_crime.lav, data = rc,
#                                     estimator = E): `brisk fit rongcheng -b crime
#                                     --unweighted --estimator E` (rc:
#                                     surveys/rongcheng's rows, -99 missing,
#                                     pr3_crime reversed as 6 - x, listwise)
# bfi = tests/data/bfi.csv as it is (no item reversed); the EM estimates
# to 1e-12 (em.h1.tol; its default 1e-5 moves the z of the means, ratios of
# residuals near 1e-4, by 2e-4).
# hs = tests/data/hs.csv, pd = tests/data/pd.csv.
suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/residuals/make.R"))
if (packageVersion("lavaan") != "0.6.14")
  warning("the references were made with lavaan 0.6.14")
hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
lav <- function(path) paste(readLines(path), collapse = "\n")
keys <- c("rms", "rms.se", "rms.exactfit.z", "rms.exactfit.pvalue", "urms", "urms.se",
          "urms.ci.lower", "urms.ci.upper", "urms.closefit.z", "urms.closefit.pvalue")
vech <- function(x) x[lower.tri(x, diag = TRUE)]

write_residuals <- function(name, fit) {
  G <- lavInspect(fit, "ngroups")
  raw <- residuals(fit, type = "raw")
  std <- residuals(fit, type = "standardized")
  rse <- lavResiduals(fit, type = "raw", se = TRUE)
  ben <- lavResiduals(fit)
  bol <- lavResiduals(fit, type = "cor.bollen")
  rows <- NULL
  summ <- NULL
  for (g in seq_len(G)) {
    pick <- function(x) if (G == 1) x else x[[g]]
    r <- pick(raw); s <- pick(std); e <- pick(rse); b <- pick(ben); o <- pick(bol)
    names <- rownames(r$cov)
    p <- length(names)
    idx <- which(lower.tri(r$cov, diag = TRUE), arr.ind = TRUE)
    idx <- idx[order(idx[, 2], idx[, 1]), , drop = FALSE]
    block <- data.frame(group_number = g, lhs = names[idx[, 1]], op = "~~",
                        rhs = names[idx[, 2]], raw = vech(r$cov), raw_se = vech(e$cov.se),
                        raw_z = vech(s$cov), cor_bentler = vech(b$cov),
                        cor_bentler_z = vech(b$cov.z), cor_bollen = vech(o$cov),
                        cor_bollen_z = vech(o$cov.z))
    if (!is.null(r$mean)) {
      means <- data.frame(group_number = g, lhs = names, op = "~1", rhs = "",
                          raw = r$mean, raw_se = e$mean.se, raw_z = s$mean,
                          cor_bentler = b$mean, cor_bentler_z = b$mean.z,
                          cor_bollen = o$mean, cor_bollen_z = o$mean.z)
      block <- rbind(means, block)
    }
    rows <- rbind(rows, block)
    for (kind in c("srmr", "crmr")) {
      tab <- as.data.frame(if (kind == "srmr") b$summary else o$summary)
      tab <- tab[-9, , drop = FALSE]   # the close-fit test's h0 value
      k <- sub("^u?rms", "", keys)
      key <- paste0(ifelse(substr(keys, 1, 1) == "u", "u", ""), kind, k)
      summ <- rbind(summ, data.frame(group_number = g, key = key, tab, row.names = NULL))
    }
  }
  if (G == 1) {
    rows$group_number <- NULL
    summ$group_number <- NULL
  }
  write.csv(rows, sprintf("tests/reference/residuals/%s.csv", name), row.names = FALSE,
            quote = FALSE, na = "NA")
  write.csv(summ, sprintf("tests/reference/residuals/%s.summary.csv", name),
            row.names = FALSE, quote = FALSE, na = "NA")
}

write_residuals("hs_cfa", cfa(lav("tests/reference/sem/hs_cfa.lav"), data = hs))
write_residuals("hs_meanstructure", cfa(lav("tests/reference/sem/hs_cfa.lav"), data = hs,
                                        meanstructure = TRUE))
write_residuals("pd_sem", sem(lav("tests/reference/sem/pd_sem.lav"), data = pd))
write_residuals("hs_group", cfa(lav("tests/reference/sem/hs_cfa.lav"), data = hs,
                                group = "school"))

# The robust cases' z are compared to 1e-4: lavaan's default convergence
# leaves its estimates of the two-group model some 1e-5 from the optimum,
# which moves a z by 3e-4, so their fits are first taken to the optimum by
# Newton steps on lavaan's own objective (its gradient and Hessian), the
# residuals then computed by lavaan at those estimates (do.fit = FALSE).
# (With group.equal the steps are in lavaan's reduced parameters, x = K
# x_red, eq.constraints.K.)
polished <- function(args, steps = 3, fun = "cfa") {
  fit <- do.call(fun, args)
  for (s in seq_len(steps)) {
    x <- lav_model_get_parameters(fit@Model)
    g <- lavaan:::lav_model_gradient(lavmodel = fit@Model, lavsamplestats = fit@SampleStats,
                                     lavdata = fit@Data)
    opt <- modifyList(fit@Options, list(information = c("observed", "observed"),
                                        observed.information = c("hessian", "hessian")))
    H <- lavaan:::lav_model_information(lavmodel = fit@Model,
                                        lavsamplestats = fit@SampleStats,
                                        lavdata = fit@Data, lavoptions = opt)
    K <- if (fit@Model@eq.constraints) fit@Model@eq.constraints.K else diag(length(x))
    x <- x - K %*% solve(t(K) %*% H %*% K, t(K) %*% g)
    pt <- parTable(fit)
    pt$est[pt$free > 0] <- x[pt$free[pt$free > 0]]
    fit <- do.call(fun, c(args, list(start = pt, do.fit = FALSE, se = fit@Options$se)))
  }
  g <- lavaan:::lav_model_gradient(lavmodel = fit@Model, lavsamplestats = fit@SampleStats,
                                   lavdata = fit@Data)
  stopifnot(max(abs(t(K) %*% g)) < 1e-10)
  fit
}
hs_model <- lav("tests/reference/sem/hs_cfa.lav")
for (est in c("MLR", "MLM")) {
  e <- tolower(est)
  args <- list(model = hs_model, data = hs, estimator = est)
  write_residuals(paste0("hs_", e), polished(args))
  write_residuals(paste0("hs_meanstructure_", e), polished(c(args, meanstructure = TRUE)))
  write_residuals(paste0("hs_group_", e), polished(c(args, group = "school")))
}
bfi <- read.csv("tests/data/bfi.csv")
for (est in c("ML", "MLR"))
  write_residuals(if (est == "ML") "bfi_fiml" else "bfi_fiml_mlr",
                  polished(list(model = lav("tests/reference/robust/bfi_fiml.lav"), data = bfi,
                                estimator = est, missing = "ml", em.h1.tol = 1e-12,
                                em.h1.iter.max = 100000L)))
rc_model <- lav("tests/reference/sem/rongcheng_crime.lav")
rc <- read.csv("surveys/rongcheng/rongcheng.csv")[, lavNames(rc_model, "ov")]
rc[!is.na(rc) & rc == -99] <- NA
rc$pr3_crime <- 6 - rc$pr3_crime
for (est in c("MLR", "MLM"))
  write_residuals(paste0("rongcheng_crime_", tolower(est)),
                  polished(list(model = rc_model, data = rc, estimator = est), fun = "sem"))
write_residuals("hs_group_equal_mlr",
                polished(list(model = hs_model, data = hs, estimator = "MLR", group = "school",
                              group.equal = "loadings")))
