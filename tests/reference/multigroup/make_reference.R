# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- multi-group reference values for brisk, from lavaan.
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/multigroup/make_reference.R
#
# Needs R with lavaan 0.6-14 and semTools (only to cross-check the fit
# differences).  `make check` does not need R: everything this script
# writes is committed.  It reads tests/data/hs.csv (written by
# tests/reference/sem/make_reference.R from lavaan::HolzingerSwineford1939)
# and writes, in tests/reference/multigroup/:
#
#   NAME.lav           the model, with the lavaan call in a comment
#   NAME.params.csv    every row of parameterEstimates(fit, standardized =
#                      TRUE), with its group number, in lavaan's order
#   NAME.partable.csv  every row of parTable(fit), including the "=="
#                      rows parameterEstimates() hides, with lavaan's
#                      starting values
#   NAME.fit.csv       measure,value: fitMeasures() and per-group values
#   groups.csv         group number, group label, N
#   compare.csv        lavTestLRT(configural, metric, scalar, strict)
#                      plus CFI/RMSEA and their differences
#   the headline table in README.md (between markers)
#
# The models (group = "school"; group 1 is Pasteur, group 2 Grant-White,
# the order in which the labels first appear in the data):
#
#   hs_configural  cfa(model, data = hs, group = "school")
#   hs_metric      ... group.equal = "loadings"
#   hs_scalar      ... group.equal = c("loadings", "intercepts")
#   hs_strict      ... group.equal = c("loadings", "intercepts", "residuals")
#                  model: visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
#                         speed =~ x7 + x8 + x9
#   hs_mg_label    cfa(model, data = hs, group = "school")
#                  model: visual =~ x1 + c(l1, l1)*x2 + x3;
#                         textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9
#                  (the x2 loading equal across groups, all else free)
#   hs_metric_stdlv  ... group.equal = "loadings", std.lv = TRUE: factor
#                  variances fixed to 1 in group 1 only (lavaan frees them
#                  in group 2 once the loadings are equal)
#   hs_means       ... group.equal = c("loadings", "intercepts", "means"):
#                  latent means equal, so fixed to 0 in both groups
#   hs_stdlv_lvvar ... c("loadings", "lv.variances"), std.lv = TRUE: factor
#                  variances 1 in both groups
#   hs_label_override  visual =~ x1 + c(l1, l2)*x2 + x3 with
#                  group.equal = "loadings": the user's labels win, the x2
#                  loadings are free in each group
#   hs_fixed_in_group  visual =~ x1 + c(NA, 0.5)*x2 + x3 with "loadings":
#                  the equality set holds a fixed value, so both are 0.5
#
# It stops if a published number differs (configural 115.851/48, CFI .923;
# metric 124.044/54; scalar 164.103/60), and it recomputes chisq, the
# baseline, RMSEA, SRMR, logL, AIC/BIC and the SEs with the formulas of
# FORMULAS.md and stops if they differ from lavaan's.

suppressPackageStartupMessages({
  library(lavaan)
})

stopifnot(file.exists("tests/reference/multigroup/make_reference.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6-14; this is ",
          packageVersion("lavaan"))

ref_dir <- "tests/reference/multigroup"
hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)
stopifnot(nrow(hs) == 301)

## -------------------------------------------------------------- models ----

hs_model <- c("visual  =~ x1 + x2 + x3",
              "textual =~ x4 + x5 + x6",
              "speed   =~ x7 + x8 + x9")
label_model <- c("visual  =~ x1 + c(l1, l1)*x2 + x3",
                 "textual =~ x4 + x5 + x6",
                 "speed   =~ x7 + x8 + x9")

# group.equal meets the user's own labels and fixed values
own_label_model <- c("visual  =~ x1 + c(l1, l2)*x2 + x3",
                     "textual =~ x4 + x5 + x6",
                     "speed   =~ x7 + x8 + x9")
fixed_group_model <- c("visual  =~ x1 + c(NA, 0.5)*x2 + x3",
                       "textual =~ x4 + x5 + x6",
                       "speed   =~ x7 + x8 + x9")

models <- list(
  list(name = "hs_configural", lines = hs_model, group.equal = "",
       call = 'cfa(model, data = hs, group = "school")'),
  list(name = "hs_metric", lines = hs_model, group.equal = "loadings",
       call = 'cfa(model, data = hs, group = "school", group.equal = "loadings")'),
  list(name = "hs_scalar", lines = hs_model,
       group.equal = c("loadings", "intercepts"),
       call = paste0('cfa(model, data = hs, group = "school", ',
                     'group.equal = c("loadings", "intercepts"))')),
  list(name = "hs_strict", lines = hs_model,
       group.equal = c("loadings", "intercepts", "residuals"),
       call = paste0('cfa(model, data = hs, group = "school", ',
                     'group.equal = c("loadings", "intercepts", "residuals"))')),
  list(name = "hs_mg_label", lines = label_model, group.equal = "",
       call = 'cfa(model, data = hs, group = "school")'),
  list(name = "hs_metric_stdlv", lines = hs_model, group.equal = "loadings", std.lv = TRUE,
       call = paste0('cfa(model, data = hs, group = "school", group.equal = "loadings", ',
                     'std.lv = TRUE)')),
  list(name = "hs_means", lines = hs_model,
       group.equal = c("loadings", "intercepts", "means"),
       call = paste0('cfa(model, data = hs, group = "school", ',
                     'group.equal = c("loadings", "intercepts", "means"))')),
  list(name = "hs_stdlv_lvvar", lines = hs_model, group.equal = c("loadings", "lv.variances"),
       std.lv = TRUE,
       call = paste0('cfa(model, data = hs, group = "school", ',
                     'group.equal = c("loadings", "lv.variances"), std.lv = TRUE)')),
  list(name = "hs_label_override", lines = own_label_model, group.equal = "loadings",
       call = 'cfa(model, data = hs, group = "school", group.equal = "loadings")'),
  list(name = "hs_fixed_in_group", lines = fixed_group_model, group.equal = "loadings",
       call = 'cfa(model, data = hs, group = "school", group.equal = "loadings")')
)

## ---------------------------------------------------------- extraction ----

fit_names <- c("npar", "fmin", "chisq", "df", "pvalue",
               "baseline.chisq", "baseline.df", "baseline.pvalue",
               "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
               "rmsea.pvalue", "srmr", "srmr_bentler_nomean", "logl",
               "unrestricted.logl", "aic", "bic", "bic2", "ntotal")

na_blank <- function(x) ifelse(is.na(x), NA, x)

fit_one <- function(spec) {
  model <- paste(spec$lines, collapse = "\n")
  writeLines(c(paste0("# ", spec$name, " (written by make_reference.R)"),
               paste0("# lavaan call: ", spec$call),
               "# hs = tests/data/hs.csv; group 1 = Pasteur, group 2 = Grant-White",
               spec$lines),
             file.path(ref_dir, paste0(spec$name, ".lav")))
  warnings <- character()
  fit <- withCallingHandlers(
    cfa(model, data = hs, group = "school", group.equal = spec$group.equal,
        std.lv = isTRUE(spec$std.lv)),
    warning = function(w) {
      warnings <<- c(warnings, gsub("\\s+", " ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  stopifnot(lavInspect(fit, "converged"))
  stopifnot(identical(lavInspect(fit, "group.label"), c("Pasteur", "Grant-White")))

  pe <- parameterEstimates(fit, standardized = TRUE)
  pt <- parTable(fit)
  # match each parameterEstimates() row to its parTable row
  key_pt <- paste(pt$lhs, pt$op, pt$rhs, pt$group)
  key_pe <- paste(pe$lhs, pe$op, pe$rhs, pe$group)
  stopifnot(!anyDuplicated(key_pt), all(key_pe %in% key_pt))
  row <- match(key_pe, key_pt)
  stopifnot(all(diff(row) > 0))   # same order as the parameter table
  lab <- if (is.null(pe$label)) rep("", nrow(pe)) else pe$label

  params <- data.frame(
    group = pe$group, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = lab,
    free = pt$free[row] != 0, est = pe$est, se = pe$se, z = pe$z,
    pvalue = pe$pvalue, std_lv = pe$std.lv, std_all = pe$std.all,
    stringsAsFactors = FALSE)
  write.csv(params, file.path(ref_dir, paste0(spec$name, ".params.csv")),
            row.names = FALSE, na = "")

  partable <- data.frame(
    id = pt$id, group = pt$group, lhs = pt$lhs, op = pt$op, rhs = pt$rhs,
    user = pt$user, free = pt$free, ustart = pt$ustart, exo = pt$exo,
    label = pt$label, plabel = pt$plabel, start = pt$start, est = pt$est,
    se = pt$se, stringsAsFactors = FALSE)
  write.csv(partable, file.path(ref_dir, paste0(spec$name, ".partable.csv")),
            row.names = FALSE, na = "")

  fm <- fitMeasures(fit, fit_names)
  G <- lavInspect(fit, "ngroups")
  test <- fit@test[[1]]
  loglik <- fit@loglik
  nobs <- unlist(lavInspect(fit, "nobs"))
  res <- lavResiduals(fit)          # per-group SRMR (Bentler, with means)
  srmr_g <- sapply(res, function(r) r$summary["srmr", "total"])
  h1_logl_g <- fit@h1$loglik.group
  extra <- c(
    setNames(nobs, paste0("nobs_group", 1:G)),
    setNames(test$stat.group, paste0("chisq_group", 1:G)),
    setNames(loglik$loglik.group, paste0("logl_group", 1:G)),
    setNames(h1_logl_g, paste0("unrestricted_logl_group", 1:G)),
    setNames(srmr_g, paste0("srmr_group", 1:G)),
    ngroups = G, nfree = max(pt$free),
    iterations = lavInspect(fit, "iterations"))
  keep <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
            "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
            "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic",
            "bic2", "fmin", "ntotal", "baseline.pvalue", "srmr_bentler_nomean")
  vals <- c(fm[keep], extra)
  write.csv(data.frame(measure = gsub(".", "_", names(vals), fixed = TRUE),
                       value = unname(vals)),
            file.path(ref_dir, paste0(spec$name, ".fit.csv")),
            row.names = FALSE, na = "")

  list(fit = fit, fm = fm, extra = extra, warnings = warnings, pe = pe, pt = pt)
}

results <- list()
for (spec in models) {
  cat("fitting", spec$name, "\n")
  results[[spec$name]] <- fit_one(spec)
}

conf <- results$hs_configural$fit
write.csv(data.frame(group = 1:2, label = lavInspect(conf, "group.label"),
                     nobs = unlist(lavInspect(conf, "nobs"))),
          file.path(ref_dir, "groups.csv"), row.names = FALSE)

## ------------------------------------------------------------- compare ----

lrt <- lavTestLRT(results$hs_configural$fit, results$hs_metric$fit,
                  results$hs_scalar$fit, results$hs_strict$fit,
                  model.names = c("configural", "metric", "scalar", "strict"))
lv <- c("configural", "metric", "scalar", "strict")
stopifnot(identical(rownames(lrt), lv))   # lavTestLRT sorts by df
fmc <- sapply(paste0("hs_", lv), function(n) results[[n]]$fm)
cfi <- fmc["cfi", ]; rmsea <- fmc["rmsea", ]
compare <- data.frame(
  model = lv, df = lrt$Df, aic = lrt$AIC, bic = lrt$BIC, chisq = lrt$Chisq,
  chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
  pvalue = lrt[["Pr(>Chisq)"]], rmsea_diff = lrt$RMSEA,
  cfi = unname(cfi), rmsea = unname(rmsea),
  delta_cfi = c(NA, diff(unname(cfi))), delta_rmsea = c(NA, diff(unname(rmsea))),
  stringsAsFactors = FALSE)
write.csv(compare, file.path(ref_dir, "compare.csv"), row.names = FALSE, na = "")

# cross-check the hand-computed differences with semTools::compareFit
if (requireNamespace("semTools", quietly = TRUE)) {
  cf <- suppressMessages(semTools::compareFit(
    configural = results$hs_configural$fit, metric = results$hs_metric$fit,
    scalar = results$hs_scalar$fit, strict = results$hs_strict$fit))
  fd <- cf@fit.diff
  stopifnot(max(abs(fd[, "cfi"] - compare$delta_cfi[-1])) < 1e-12,
            max(abs(fd[, "rmsea"] - compare$delta_rmsea[-1])) < 1e-12)
  cat("semTools::compareFit agrees on delta CFI and delta RMSEA\n")
} else {
  warning("semTools not installed: delta CFI/RMSEA not cross-checked")
}

## -------------------------------------------------------------- checks ----

check <- function(model, what, expected, digits) {
  got <- unname(results[[model]]$fm[what])
  if (round(got, digits) != expected)
    stop(model, ": ", what, " = ", got, ", expected ", expected)
}
check("hs_configural", "chisq", 115.851, 3); check("hs_configural", "df", 48, 0)
check("hs_configural", "cfi", 0.923, 3)
check("hs_metric", "chisq", 124.044, 3);     check("hs_metric", "df", 54, 0)
check("hs_scalar", "chisq", 164.103, 3);     check("hs_scalar", "df", 60, 0)
check("hs_mg_label", "df", 49, 0)
check("hs_metric_stdlv", "chisq", 124.044, 3); check("hs_metric_stdlv", "df", 54, 0)

near <- function(a, b, tol, what) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (length(a) != length(b) || any(abs(a - b) > tol * pmax(1, abs(b))))
    stop(what, ": computed ", paste(format(a, digits = 15), collapse = " "),
         " but lavaan has ", paste(format(b, digits = 15), collapse = " "))
}

# FORMULAS.md, recomputed from lavaan's sample and implied moments
check_formulas <- function(name) {
  r <- results[[name]]; fit <- r$fit; fm <- r$fm
  G <- lavInspect(fit, "ngroups")
  ng <- unlist(lavInspect(fit, "nobs")); N <- sum(ng)
  samp <- lavInspect(fit, "sampstat"); imp <- lavInspect(fit, "implied")
  npar <- fm[["npar"]]; df <- fm[["df"]]; X2 <- fm[["chisq"]]
  Fg <- logl <- logl1 <- base <- srmr <- numeric(G)
  for (g in 1:G) {
    S <- samp[[g]]$cov; m <- samp[[g]]$mean
    Sig <- imp[[g]]$cov; mu <- imp[[g]]$mean; p <- ncol(S)
    Si <- solve(Sig); d <- m - mu
    Fg[g] <- log(det(Sig)) + sum(diag(S %*% Si)) - log(det(S)) - p +
             sum(d * (Si %*% d))
    logl[g] <- -ng[g] / 2 * (p * log(2 * pi) + log(det(Sig)) +
                             sum(diag(S %*% Si)) + sum(d * (Si %*% d)))
    logl1[g] <- -ng[g] / 2 * (p * log(2 * pi) + log(det(S)) + p)
    base[g] <- ng[g] * (sum(log(diag(S))) - log(det(S)))
    sd <- sqrt(diag(S))
    R <- (S - Sig) / outer(sd, sd)
    srmr[g] <- sqrt((sum(R[lower.tri(R, diag = TRUE)]^2) + sum((d / sd)^2)) /
                    (p * (p + 1) / 2 + p))
  }
  near(ng * Fg, r$extra[paste0("chisq_group", 1:G)], 1e-8, paste(name, "chisq_g"))
  near(sum(ng * Fg), X2, 1e-8, paste(name, "chisq"))
  near(sum(ng / N * Fg) / 2, fm[["fmin"]], 1e-8, paste(name, "fmin"))
  near(G * (p * (p + 1) / 2 + p) - npar, df, 0, paste(name, "df"))
  near(sum(base), fm[["baseline.chisq"]], 1e-8, paste(name, "baseline"))
  near(G * p * (p - 1) / 2, fm[["baseline.df"]], 0, paste(name, "baseline df"))
  T0 <- sum(base); df0 <- G * p * (p - 1) / 2
  near(1 - max(X2 - df, 0) / max(X2 - df, T0 - df0, 0), fm[["cfi"]], 1e-10,
       paste(name, "cfi"))
  near(1 - ((X2 - df) * df0) / ((T0 - df0) * df), fm[["tli"]], 1e-10,
       paste(name, "tli"))
  near(sqrt(max((X2 / N) / df - 1 / N, 0)) * sqrt(G), fm[["rmsea"]], 1e-10,
       paste(name, "rmsea"))
  near(1 - pchisq(X2, df, ncp = N * df * 0.05^2 / G), fm[["rmsea.pvalue"]],
       1e-8, paste(name, "rmsea.pvalue"))
  lo <- uniroot(function(l) pchisq(X2, df, ncp = l) - 0.95, c(0, X2))$root
  hi <- uniroot(function(l) pchisq(X2, df, ncp = l) - 0.05,
                c(0, max(N, 4 * X2)))$root
  near(sqrt(lo / (N * df)) * sqrt(G), fm[["rmsea.ci.lower"]], 1e-10,
       paste(name, "rmsea lower"))
  near(sqrt(hi / (N * df)) * sqrt(G), fm[["rmsea.ci.upper"]], 1e-10,
       paste(name, "rmsea upper"))
  near(srmr, r$extra[paste0("srmr_group", 1:G)], 1e-10, paste(name, "srmr_g"))
  near(sum(ng / N * srmr), fm[["srmr"]], 1e-10, paste(name, "srmr"))
  near(sum(logl), fm[["logl"]], 1e-10, paste(name, "logl"))
  near(sum(logl1), fm[["unrestricted.logl"]], 1e-10, paste(name, "h1 logl"))
  near(-2 * sum(logl) + 2 * npar, fm[["aic"]], 1e-10, paste(name, "aic"))
  near(-2 * sum(logl) + npar * log(N), fm[["bic"]], 1e-10, paste(name, "bic"))
  near(-2 * sum(logl) + npar * log((N + 2) / 24), fm[["bic2"]], 1e-10,
       paste(name, "bic2"))

  # VCOV = (1/N) K (K' I K)^-1 K',  I = sum_g (N_g/N) Delta_g' A1_g Delta_g
  lm <- fit@Model
  Dl <- lavaan:::computeDelta(lm)
  I <- 0
  for (g in 1:G) {
    Si <- solve(imp[[g]]$cov)
    A1 <- lavaan:::lav_matrix_bdiag(
      Si, 0.5 * lavaan:::lav_matrix_duplication_pre_post(Si %x% Si))
    I <- I + ng[g] / N * crossprod(Dl[[g]], A1 %*% Dl[[g]])
  }
  K <- if (lm@eq.constraints) lm@eq.constraints.K else diag(ncol(I))
  V <- K %*% solve(crossprod(K, I %*% K)) %*% t(K) / N
  near(V, unname(vcov(fit)), 1e-9, paste(name, "vcov"))
  # npar = free parameters - equality constraints
  near(max(r$pt$free) - sum(r$pt$op == "=="), npar, 0, paste(name, "npar"))
  invisible(TRUE)
}
for (n in names(results)) check_formulas(n)
# the baseline does not depend on group.equal
for (n in names(results))
  near(results[[n]]$fm["baseline.chisq"], results$hs_configural$fm["baseline.chisq"],
       1e-8, paste(n, "baseline differs from configural"))
cat("FORMULAS.md checks passed\n")

## ------------------------------------------------ distance to optimum ----

# Exact ML optimum (not lavaan output): multi-group Fisher scoring from
# lavaan's estimates in the space of the unique parameters, until the
# largest step is below 1e-12.  Reported in README.md to set tolerances.
polish <- function(fit, maxit = 200) {
  lm <- fit@Model
  x <- lavaan:::lav_model_get_parameters(lm)
  if (lm@eq.constraints) {
    K <- lm@eq.constraints.K; k0 <- lm@eq.constraints.k0
  } else {
    K <- diag(length(x)); k0 <- rep(0, length(x))
  }
  z <- as.numeric((x - k0) %*% K)
  G <- lm@ngroups
  ng <- unlist(fit@SampleStats@nobs); N <- sum(ng)
  for (it in seq_len(maxit)) {
    x <- as.numeric(K %*% z) + k0
    lm2 <- lavaan:::lav_model_set_parameters(lm, x)
    imp <- lavaan:::lav_model_implied(lm2)
    D <- lavaan:::computeDelta(lm2)
    A <- 0; b <- 0
    for (g in 1:G) {
      S <- fit@SampleStats@cov[[g]]; mbar <- fit@SampleStats@mean[[g]]
      Sig <- imp$cov[[g]]; Si <- solve(Sig)
      d <- mbar - as.numeric(imp$mean[[g]])
      r <- c(d, lavaan:::lav_matrix_vech(S + tcrossprod(d) - Sig))
      W <- lavaan:::lav_matrix_bdiag(
        Si, 0.5 * lavaan:::lav_matrix_duplication_pre_post(Si %x% Si))
      DK <- D[[g]] %*% K
      A <- A + ng[g] / N * crossprod(DK, W %*% DK)
      b <- b + ng[g] / N * crossprod(DK, W %*% r)
    }
    step <- as.numeric(solve(A, b))
    z <- z + step
    if (max(abs(step)) < 1e-12) break
  }
  x <- as.numeric(K %*% z) + k0
  lm2 <- lavaan:::lav_model_set_parameters(lm, x)
  imp <- lavaan:::lav_model_implied(lm2)
  X2 <- 0
  for (g in 1:G) {
    S <- fit@SampleStats@cov[[g]]; mbar <- fit@SampleStats@mean[[g]]
    Sig <- imp$cov[[g]]; d <- mbar - as.numeric(imp$mean[[g]])
    X2 <- X2 + ng[g] * (log(det(Sig)) + sum(diag(S %*% solve(Sig))) -
                        log(det(S)) - ncol(S) + sum(d * solve(Sig, d)))
  }
  x0 <- lavaan:::lav_model_get_parameters(lm)
  list(iterations = it, max_abs_est_diff = max(abs(x - x0)),
       chisq_diff = X2 - fitMeasures(fit, "chisq"))
}
polished <- lapply(results, function(r) polish(r$fit))

## ------------------------------------------------------ headline table ----

f3 <- function(x) formatC(x, format = "f", digits = 3)
tab <- c(paste("| model | npar | chisq | df | chisq Pasteur | chisq Grant-White |",
               "CFI | TLI | RMSEA [90% CI] | SRMR | logL | AIC | BIC |",
               "max abs est - exact | iter |"),
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (r in names(results)) {
  fm <- results[[r]]$fm; ex <- results[[r]]$extra
  tab <- c(tab, sprintf("| %s | %d | %s | %d | %s | %s | %s | %s | %s [%s, %s] | %s | %s | %s | %s | %.1e | %d |",
    r, as.integer(fm["npar"]), f3(fm["chisq"]), as.integer(fm["df"]),
    f3(ex["chisq_group1"]), f3(ex["chisq_group2"]), f3(fm["cfi"]),
    f3(fm["tli"]), f3(fm["rmsea"]), f3(fm["rmsea.ci.lower"]),
    f3(fm["rmsea.ci.upper"]), f3(fm["srmr"]), f3(fm["logl"]), f3(fm["aic"]),
    f3(fm["bic"]), polished[[r]]$max_abs_est_diff, as.integer(ex["iterations"])))
}
tab <- c(tab, "",
         "| comparison | chisq diff | df diff | p | RMSEA (lavTestLRT) | delta CFI | delta RMSEA |",
         "|---|---|---|---|---|---|---|")
for (i in 2:4)
  tab <- c(tab, sprintf("| %s vs %s | %s | %d | %s | %s | %s | %s |",
    compare$model[i], compare$model[i - 1], f3(compare$chisq_diff[i]),
    as.integer(compare$df_diff[i]), formatC(compare$pvalue[i], format = "g", digits = 4),
    f3(compare$rmsea_diff[i]), f3(compare$delta_cfi[i]), f3(compare$delta_rmsea[i])))
cat(tab, sep = "\n")
for (r in names(results))
  if (length(results[[r]]$warnings))
    cat(r, "warnings:", results[[r]]$warnings, sep = "\n  ")
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
