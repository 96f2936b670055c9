# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference values for design-based survey statistics, from R's
# survey package, on the California API samples in tests/data/api/.
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/design/make.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and survey 4.1-1 (Debian
# r-cran-survey 4.1-1-1).  `make check` does not need R: everything this
# script writes is committed.  It reads the CSV files written by
# tests/data/api/make_api.R (not data(api)), so brisk and R see the same
# doubles.  The files it writes are described in README.md.  Numbers are
# written with %.15g; nothing is quoted.

suppressPackageStartupMessages(library(survey))

stopifnot(file.exists("tests/reference/design/make.R"))  # run from the top
if (packageVersion("survey") != "4.1.1")
  warning("these references were made with survey 4.1.1; this is ", packageVersion("survey"))
options(survey.lonely.psu = "fail")  # the default, stated

ref_dir <- "tests/reference/design"
rd <- function(f) read.csv(file.path("tests/data/api", f), stringsAsFactors = FALSE,
                           na.strings = "")
apistrat <- rd("apistrat.csv")
apiclus1 <- rd("apiclus1.csv")
apiclus2 <- rd("apiclus2.csv")

fmt <- function(df) {
  for (v in names(df)) if (is.numeric(df[[v]])) df[[v]] <- sprintf("%.15g", df[[v]])
  df
}
put <- function(df, file) {
  stopifnot(!any(grepl("[,\"]", unlist(df[!vapply(df, is.numeric, TRUE)]))))
  write.csv(fmt(df), file.path(ref_dir, file), row.names = FALSE, quote = FALSE, na = "NA")
  invisible(df)
}

## ------------------------------------------------------------- designs ----

designs <- list(
  strat       = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  strat_nofpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
  clus1       = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = apiclus1),
  clus2_first = svydesign(id = ~dnum, weights = ~pw, data = apiclus2),
  strat_clus  = svydesign(id = ~dnum, strata = ~stype, weights = ~pw, nest = TRUE,
                          data = apistrat)
)
# strat_clus must have at least two PSUs (districts) in every stratum.
psus <- tapply(apistrat$dnum, apistrat$stype, function(x) length(unique(x)))
stopifnot(all(psus >= 2))  # E 75, H 42, M 45 districts

# Published values (survey's own examples / Lumley 2010).
chk <- function(x, want, tol) if (abs(x - want) > tol) stop("got ", x, ", want ", want)
m <- svymean(~api00, designs$strat)
chk(coef(m), 662.287, 5e-4); chk(SE(m), 9.409, 5e-4)
m <- svymean(~api00, designs$clus1)
chk(coef(m), 644.169, 5e-4); chk(SE(m), 23.542, 5e-4)

## ---------------------------------------------------- (a) means, deff ----
# deff = "replace": Var(design) / Var(SRS with replacement, n draws), the
# SRS variance being svyvar(x)/n.  means_deff_wor.csv has deff = TRUE for
# contrast: the SRS variance there is (1 - n/N̂) svyvar(x)/n, N̂ = Σw.

vars <- c("api00", "api99", "ell", "meals", "enroll", "wide")
rows <- list(); rows_wor <- list()
for (dn in names(designs)) for (v in vars) {
  f <- as.formula(paste0("~", v))
  m <- svymean(f, designs[[dn]], na.rm = TRUE, deff = "replace")
  m2 <- svymean(f, designs[[dn]], na.rm = TRUE, deff = TRUE)
  stopifnot(coef(m) == coef(m2), SE(m) == SE(m2))
  rows[[length(rows) + 1]] <- data.frame(design = dn, variable = v, mean = unname(coef(m)),
                                         se = unname(SE(m)), deff = unname(deff(m)))
  rows_wor[[length(rows_wor) + 1]] <- data.frame(design = dn, variable = v,
                                                 deff = unname(deff(m2)))
}
put(do.call(rbind, rows), "means.csv")
put(do.call(rbind, rows_wor), "means_deff_wor.csv")

# na.rm = TRUE keeps the whole design and gives the incomplete rows no
# weight (domain estimation, as subset() does).  In apiclus2, 6 schools miss
# enroll and they are all the sampled schools of districts 228 and 452, so
# those 2 PSUs contribute zero scores but still count: the variance uses
# 40 PSUs (n/(n-1) = 40/39).  A design built on the 120 complete rows has
# 38 PSUs, so its SE differs.  na_rm.csv records both.
cc <- apiclus2[!is.na(apiclus2$enroll), ]
cc_design <- svydesign(id = ~dnum, weights = ~pw, data = cc)
rows <- list()
for (v in c("mean", "total")) {
  fn <- if (v == "mean") svymean else svytotal
  a <- fn(~enroll, designs$clus2_first, na.rm = TRUE)
  b <- fn(~enroll, cc_design)
  stopifnot(abs(coef(a) - coef(b)) < 1e-9 * abs(coef(a)))
  rows[[length(rows) + 1]] <- data.frame(
    design = "clus2_first", variable = "enroll", statistic = v,
    method = c("na_rm", "complete_rows_design"), estimate = c(coef(a), coef(b)),
    se = c(SE(a), SE(b)), n_rows = c(sum(!is.na(apiclus2$enroll)), nrow(cc)),
    n_psu = c(length(unique(apiclus2$dnum)), length(unique(cc$dnum))))
}
put(do.call(rbind, rows), "na_rm.csv")

## ---------------------------------------------------------- (b) totals ----

rows <- list()
for (dn in names(designs)) for (v in c("api00", "enroll")) {
  t <- svytotal(as.formula(paste0("~", v)), designs[[dn]], na.rm = TRUE)
  rows[[length(rows) + 1]] <- data.frame(design = dn, variable = v, total = unname(coef(t)),
                                         se = unname(SE(t)))
}
put(do.call(rbind, rows), "totals.csv")

## --------------------------------------------------------- (c) domains ----

rows <- list()
for (dn in names(designs)) for (v in c("api00", "wide")) {
  b <- svyby(as.formula(paste0("~", v)), ~stype, designs[[dn]], svymean)
  rows[[length(rows) + 1]] <- data.frame(design = dn, variable = v, by = "stype",
                                         level = as.character(b$stype),
                                         mean = unname(coef(b)), se = unname(SE(b)))
}
put(do.call(rbind, rows), "domains.csv")

## ------------------------------------------------------------- (d) glm ----
# se = sqrt(diag(vcov(fit))), the sandwich summary() reports.
# df_resid = df.residual(fit) = degf(design) + 1 - p.

rows <- list()
for (dn in names(designs)) {
  fits <- list(
    linear = svyglm(api00 ~ ell + meals + mobility, designs[[dn]]),
    logit  = svyglm(wide ~ ell + meals, designs[[dn]], family = quasibinomial()))
  for (mn in names(fits)) {
    f <- fits[[mn]]
    stopifnot(f$converged, df.residual(f) == degf(designs[[dn]]) + 1 - length(coef(f)))
    rows[[length(rows) + 1]] <- data.frame(design = dn, model = mn, term = names(coef(f)),
                                           estimate = unname(coef(f)),
                                           se = unname(sqrt(diag(vcov(f)))),
                                           df_resid = df.residual(f))
  }
}
put(do.call(rbind, rows), "glm.csv")

## ------------------------------------------------------------- (e) olr ----
# svyolr maximises with optim(BFGS).  At optim's default reltol it stops a
# little short of the maximum, so it is called with a tight tolerance; the
# SEs come from its numerically differentiated Hessian.

rows <- list()
for (dn in c("strat", "clus1", "clus1_nofpc")) {
  f <- svyolr(factor(band) ~ ell + meals, designs[[dn]],
              control = list(reltol = 1e-14, maxit = 10000))
  est <- coef(f)  # the slopes, then the thresholds (zeta)
  stopifnot(identical(names(est), c(names(f$coefficients), names(f$zeta))))
  se <- sqrt(diag(vcov(f)))[names(est)]
  stopifnot(!anyNA(se))
  rows[[length(rows) + 1]] <- data.frame(design = dn, term = names(est),
                                         estimate = unname(est), se = unname(se))
}
put(do.call(rbind, rows), "olr.csv")

## ----------------------------------------------------------- (f) chisq ----
# Rao-Scott second-order correction as an F statistic with the Satterthwaite
# ndf and ddf = ndf * degf(design).

rows <- list()
for (dn in names(designs)) {
  x <- svychisq(~wide + stype, designs[[dn]], statistic = "F")
  rows[[length(rows) + 1]] <- data.frame(design = dn, statistic = unname(x$statistic),
                                         ndf = unname(x$parameter["ndf"]),
                                         ddf = unname(x$parameter["ddf"]),
                                         p = unname(x$p.value))
}
put(do.call(rbind, rows), "chisq.csv")

## ------------------------------------------------------------ (g) degf ----

put(data.frame(design = names(designs), degf = vapply(designs, degf, 0)), "degf.csv")

## ---------------------------------------------------------- (h) lonely ----
# apistrat with stratum H cut down to its first row, id = ~1.

one_h <- apistrat[apistrat$stype != "H" | seq_len(nrow(apistrat)) == which(apistrat$stype == "H")[1], ]
lonely <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = one_h)
err <- tryCatch({ svymean(~api00, lonely); NA_character_ },
                error = function(e) conditionMessage(e))
stopifnot(!is.na(err))
writeLines(c(
  "survey 4.1-1, options(survey.lonely.psu = \"fail\") (the default).",
  "Design: svydesign(id = ~1, strata = ~stype, weights = ~pw, data = d), d = apistrat",
  sprintf("with stratum H cut to its first row (snum %d): E 100 rows, H 1, M 50.", one_h$snum[one_h$stype == "H"]),
  "svydesign() accepts the design; svymean(~api00, d) stops with the error:",
  "",
  err,
  "",
  "(The call shown by R is onestrat(...), inside svyrecvar.)",
  "lonely.csv has svymean(~api00) on the same design under each other option."),
  file.path(ref_dir, "lonely.txt"))

rows <- list()
for (opt in c("remove", "adjust", "average", "certainty")) {
  old <- options(survey.lonely.psu = opt)
  m <- svymean(~api00, lonely)
  options(old)
  rows[[length(rows) + 1]] <- data.frame(option = opt, mean = unname(coef(m)), se = unname(SE(m)))
}
put(do.call(rbind, rows), "lonely.csv")

## ------------------------------------------------------------ (i) rake ----
# rake()'s loop, copied so the number of passes can be counted.  A pass
# post-stratifies on each margin in turn; rake stops after the first pass
# whose joint table (~stype + sch_wide) moved less than epsilon in every
# cell, an absolute amount if epsilon >= 1 and epsilon * Σ(sampling
# weights) if epsilon < 1.  The defaults are maxit = 10, epsilon = 1.
rake_passes <- function(design, sample.margins, population.margins, maxit = 10, epsilon = 1) {
  if (epsilon < 1) epsilon <- epsilon * sum(weights(design, "sampling"))
  strata <- lapply(sample.margins, function(m)
    model.frame(m, data = design$variables, na.action = na.fail))
  ff <- formula(paste("~", paste(unlist(lapply(sample.margins, all.vars)), collapse = "+")))
  oldtable <- svytable(ff, design)
  iter <- 0
  while (iter < maxit) {
    design$postStrata <- NULL
    for (i in seq_along(strata))
      design <- postStratify(design, strata[[i]], population.margins[[i]], compress = FALSE)
    newtable <- svytable(ff, design)
    delta <- max(abs(oldtable - newtable))
    if (delta < epsilon) return(list(passes = iter + 1, converged = TRUE, delta = delta,
                                     w = weights(design)))
    oldtable <- newtable
    iter <- iter + 1
  }
  list(passes = iter, converged = FALSE, delta = delta, w = weights(design))
}

base <- designs$strat_nofpc
pop_stype <- c(4421, 755, 1018)
pop_wide <- c(1072, 5122)
margins <- function(scale) list(
  data.frame(stype = c("E", "H", "M"), Freq = pop_stype / scale, stringsAsFactors = FALSE),
  data.frame(sch_wide = c("No", "Yes"), Freq = pop_wide / scale, stringsAsFactors = FALSE))
cases <- list(
  counts                = list(scale = 1,    control = list(maxit = 10, epsilon = 1)),
  proportions           = list(scale = 6194, control = list(maxit = 10, epsilon = 1)),
  counts_converged      = list(scale = 1,    control = list(maxit = 1000, epsilon = 1e-13)),
  proportions_converged = list(scale = 6194, control = list(maxit = 1000, epsilon = 1e-13)))
rows <- list()
for (cn in names(cases)) {
  cs <- cases[[cn]]
  r <- rake(base, list(~stype, ~sch_wide), margins(cs$scale), control = cs$control)
  p <- rake_passes(base, list(~stype, ~sch_wide), margins(cs$scale),
                   cs$control$maxit, cs$control$epsilon)
  w <- weights(r)
  stopifnot(identical(unname(w), unname(p$w)), p$converged)
  m <- svymean(~api00, r)
  t <- svytotal(~enroll, r)
  n <- length(w)
  v <- c(mean_api00 = coef(m)[[1]], se_api00 = SE(m)[[1]],
         total_enroll = coef(t)[[1]], se_total_enroll = SE(t)[[1]],
         w_min = min(w), w_max = max(w), w_sum = sum(w),
         kish_deff = n * sum(w^2) / sum(w)^2,
         passes = p$passes, last_delta = p$delta,
         epsilon = cs$control$epsilon, maxit = cs$control$maxit)
  rows[[length(rows) + 1]] <- data.frame(case = cn, quantity = names(v), value = unname(v))
}
rk <- do.call(rbind, rows)
put(rk, "rake.csv")

## ------------------------------------------------------- (j) poststrat ----

ps <- postStratify(base, ~stype, data.frame(stype = c("E", "H", "M"), Freq = pop_stype,
                                            stringsAsFactors = FALSE))
m <- svymean(~api00, ps)
t <- svytotal(~enroll, ps)
put(data.frame(design = "strat_nofpc_poststrat", variable = c("api00", "enroll"),
               statistic = c("mean", "total"), estimate = c(coef(m)[[1]], coef(t)[[1]]),
               se = c(SE(m)[[1]], SE(t)[[1]]), w_sum = sum(weights(ps))),
    "poststrat.csv")

## ----------------------------------------------------- (k) svyciprop ----
# A proportion's interval as brisk describe gives % agree under a design:
# svyciprop(method = "logit"), a Wald interval on the logit scale with
# df = degf(design) (the whole design: na.rm keeps every PSU).  The
# proportion: band 3 or 4 (api00 above 650).
rows <- list()
for (dn in names(designs)) {
  d <- update(designs[[dn]], agree = as.numeric(band >= 3))
  ci <- svyciprop(~agree, d, method = "logit")
  m <- svymean(~agree, d, deff = "replace")
  rows[[length(rows) + 1]] <- data.frame(design = dn, variable = "band", p = as.numeric(ci),
                                         se = unname(SE(m)), ci_lower = unname(confint(ci)[1]),
                                         ci_upper = unname(confint(ci)[2]),
                                         deff = unname(deff(m)), df = degf(d))
}
put(do.call(rbind, rows), "ciprop.csv")

## ------------------------------------- (l) calibrated designs in models ----
# svyglm and svymean/svyciprop on the raked (converged) and post-stratified
# designs: brisk describe and regress on tests/data/api/apistrat_raked.survey
# and apistrat_poststrat.survey, whose [margins] are these populations as
# shares.
calibrated <- list(
  raked = rake(base, list(~stype, ~sch_wide), margins(1),
               control = list(maxit = 1000, epsilon = 1e-13)),
  poststrat = postStratify(base, ~stype, data.frame(stype = c("E", "H", "M"),
                                                    Freq = pop_stype,
                                                    stringsAsFactors = FALSE)))
rows <- list(); mrows <- list()
for (cn in names(calibrated)) {
  d <- update(calibrated[[cn]], agree = as.numeric(band >= 3))
  f <- svyglm(api00 ~ ell + meals + mobility, design = d)
  ct <- coef(summary(f))
  rows[[length(rows) + 1]] <- data.frame(design = cn, term = rownames(ct), estimate = ct[, 1],
                                         se = ct[, 2], df_resid = f$df.residual)
  for (v in c("api00", "meals", "enroll")) {
    m <- svymean(as.formula(paste0("~", v)), d, na.rm = TRUE, deff = "replace")
    mrows[[length(mrows) + 1]] <- data.frame(design = cn, variable = v, mean = coef(m)[[1]],
                                             se = SE(m)[[1]], deff = deff(m)[[1]])
  }
  ci <- svyciprop(~agree, d, method = "logit")
  mrows[[length(mrows) + 1]] <- data.frame(design = cn, variable = "agree_band",
                                           mean = as.numeric(ci), se = SE(svymean(~agree, d))[[1]],
                                           deff = NA)
  mrows[[length(mrows) + 1]] <- data.frame(design = cn, variable = "agree_band_ci",
                                           mean = confint(ci)[1], se = confint(ci)[2],
                                           deff = NA)
}
put(do.call(rbind, rows), "calibrated_glm.csv")
put(do.call(rbind, mrows), "calibrated_means.csv")

cat("wrote", length(list.files(ref_dir, "\\.(csv|txt)$")), "files in", ref_dir, "\n")
