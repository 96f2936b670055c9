# SPDX-License-Identifier: GPL-3.0-or-later
# check_formulas.R -- recompute lavaan's numbers from the reference JSON
# files with the formulas of FORMULAS.md, without calling lavaan.
#
#     Rscript tests/reference/sem/check_formulas.R      (from the top)
#
# Needs only jsonlite.  For every NAME.json it rebuilds, from the parameter
# rows and the sample moments stored in the file: the model-implied
# covariance matrix (and means), F_ML, chisq, p-value, df, the baseline chisq,
# CFI, TLI, RMSEA with its 90% CI and p-value, SRMR (Bentler, with and
# without means), CRMR, RMR, logL, unrestricted logL, AIC, BIC, SABIC, SEs
# from vcov, z, p, Wald CIs, the delta-method SEs of ':=' rows, std.lv,
# std.all, R^2 and lavaan's starting values -- and stops if anything
# differs from what lavaan wrote.
# It is a check on FORMULAS.md: a C engine that follows the document
# reproduces these numbers.

suppressPackageStartupMessages(library(jsonlite))
ref_dir <- "tests/reference/sem"
stopifnot(dir.exists(ref_dir))

near <- function(a, b, tol, what, model) {
  a <- as.numeric(a); b <- as.numeric(b)
  ok <- (is.na(a) & is.na(b)) | (!is.na(a) & !is.na(b) & abs(a - b) <= tol * pmax(1, abs(b)))
  if (!all(ok)) stop(model, ": ", what, ": computed ", paste(format(a[!ok], digits = 15), collapse = " "),
                     " but lavaan has ", paste(format(b[!ok], digits = 15), collapse = " "))
  invisible(TRUE)
}
mat <- function(m) {
  x <- do.call(rbind, lapply(m$rows, as.numeric))
  dimnames(x) <- list(unlist(m$names), unlist(m$names)); x
}
vech <- function(m, diag = TRUE) m[lower.tri(m, diag = diag)]
null_na <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

check_model <- function(file) {
  J <- fromJSON(file, simplifyVector = FALSE)
  name <- J$model
  P <- J$parameters
  col <- function(f) sapply(P, function(r) if (is.null(r[[f]])) NA else r[[f]])
  lhs <- col("lhs"); op <- col("op"); rhs <- col("rhs"); est <- as.numeric(col("est"))
  se <- as.numeric(col("se")); free <- as.logical(col("free"))
  S <- mat(J$sample_cov); ov <- rownames(S); p <- length(ov)
  N <- J$nobs; npar <- J$npar
  meanstructure <- any(op == "~1")
  mbar <- if (meanstructure) unlist(J$sample_mean)[ov] else NULL

  ## 1. model-implied moments (LISREL "all-y" form)
  lv <- unique(lhs[op == "=~"]); m <- length(lv)
  L <- matrix(0, p, m, dimnames = list(ov, lv))
  B <- matrix(0, m, m, dimnames = list(lv, lv))
  Psi <- B; Th <- matrix(0, p, p, dimnames = list(ov, ov))
  nu <- setNames(rep(0, p), ov); alpha <- setNames(rep(0, m), lv)
  for (i in seq_along(P)) {
    if (op[i] == "=~") L[rhs[i], lhs[i]] <- est[i]
    if (op[i] == "~")  B[lhs[i], rhs[i]] <- est[i]
    if (op[i] == "~~" && lhs[i] %in% lv) { Psi[lhs[i], rhs[i]] <- est[i]; Psi[rhs[i], lhs[i]] <- est[i] }
    if (op[i] == "~~" && lhs[i] %in% ov) { Th[lhs[i], rhs[i]] <- est[i]; Th[rhs[i], lhs[i]] <- est[i] }
    if (op[i] == "~1") { if (lhs[i] %in% ov) nu[lhs[i]] <- est[i] else alpha[lhs[i]] <- est[i] }
  }
  IB <- solve(diag(m) - B)
  VETA <- IB %*% Psi %*% t(IB)
  Sigma <- L %*% VETA %*% t(L) + Th
  near(Sigma, mat(J$implied_cov), 1e-6, "implied cov", name)
  Sigma <- mat(J$implied_cov)            # lavaan's, at full precision
  mu <- if (meanstructure) as.numeric(nu + L %*% IB %*% alpha) else mbar
  if (meanstructure) near(mu, unlist(J$implied_mean)[ov], 1e-6, "implied mean", name)

  ## 2. discrepancy, chisq, df
  Si <- solve(Sigma)
  ld <- function(A) as.numeric(determinant(A, logarithm = TRUE)$modulus)
  Fml <- ld(Sigma) + sum(S * Si) - ld(S) - p
  if (meanstructure) { d <- mbar - mu; Fml <- Fml + sum(d * (Si %*% d)) }
  fit <- J$fit
  near(Fml / 2, fit$fmin, 1e-9, "fmin", name)
  chisq <- N * Fml
  near(chisq, fit$chisq, 1e-8, "chisq", name)
  df <- p * (p + 1) / 2 + (if (meanstructure) p else 0) - npar
  near(df, fit$df, 0, "df", name)
  near(1 - pchisq(chisq, df), fit$pvalue, 1e-8, "pvalue", name)

  ## 3. baseline (independence) model
  bchisq <- N * (sum(log(diag(S))) - ld(S))
  bdf <- p * (p - 1) / 2
  near(bchisq, fit$baseline_chisq, 1e-8, "baseline chisq", name)
  near(bdf, fit$baseline_df, 0, "baseline df", name)
  t1 <- max(chisq - df, 0); t2 <- max(chisq - df, bchisq - bdf, 0)
  near(if (t1 == 0 && t2 == 0) 1 else 1 - t1 / t2, fit$cfi, 1e-8, "cfi", name)
  near(1 - ((chisq - df) * bdf) / ((bchisq - bdf) * df), fit$tli, 1e-8, "tli", name)

  ## 4. RMSEA
  near(sqrt(max((chisq / N) / df - 1 / N, 0)), fit$rmsea, 1e-8, "rmsea", name)
  f_l <- function(l) pchisq(chisq, df, ncp = l) - 0.95
  f_u <- function(l) pchisq(chisq, df, ncp = l) - 0.05
  lo <- if (f_l(0) < 0) 0 else sqrt(uniroot(f_l, c(0, chisq))$root / (N * df))
  NR <- max(N, 4 * chisq)
  up <- if (f_u(NR) > 0 || f_u(0) < 0) 0 else sqrt(uniroot(f_u, c(0, NR))$root / (N * df))
  near(lo, fit$rmsea_ci_lower, 1e-10, "rmsea ci lower", name)   # same uniroot call: same digits
  near(up, fit$rmsea_ci_upper, 1e-10, "rmsea ci upper", name)
  near(J$exact$rmsea_ci_lower, fit$rmsea_ci_lower, 1e-5, "rmsea ci lower (exact root)", name)
  near(J$exact$rmsea_ci_upper, fit$rmsea_ci_upper, 1e-5, "rmsea ci upper (exact root)", name)
  near(1 - pchisq(chisq, df, ncp = N * df * 0.05^2), fit$rmsea_pvalue, 1e-8, "rmsea pvalue", name)

  ## 5. SRMR family (lav_residuals_rescale leaves |elements| < 1e-5 unscaled;
  ##    no element here is that small)
  sc <- 1 / sqrt(diag(S))
  Rb <- (S - Sigma) * tcrossprod(sc)                       # Bentler: both scaled by sample SDs
  Rc <- cov2cor(S) - cov2cor(Sigma)                        # Bollen: correlations
  srmr_nomean <- sqrt(sum(vech(Rb)^2) / (p * (p + 1) / 2))
  crmr_nomean <- sqrt(sum(vech(Rc, FALSE)^2) / (p * (p - 1) / 2))
  rmr_nomean  <- sqrt(sum(vech(S - Sigma)^2) / (p * (p + 1) / 2))
  if (meanstructure) {
    dm <- mbar - mu
    srmr <- sqrt((sum(vech(Rb)^2) + sum((dm * sc)^2)) / (p * (p + 1) / 2 + p))
    crmr <- sqrt((sum(vech(Rc, FALSE)^2) + sum((dm * sc)^2)) / (p * (p - 1) / 2 + p))
    rmr  <- sqrt((sum(vech(S - Sigma)^2) + sum(dm^2)) / (p * (p + 1) / 2 + p))
  } else { srmr <- srmr_nomean; crmr <- crmr_nomean; rmr <- rmr_nomean }
  near(srmr, fit$srmr, 1e-8, "srmr", name)
  near(srmr, fit$srmr_bentler, 1e-8, "srmr_bentler", name)
  near(srmr_nomean, fit$srmr_bentler_nomean, 1e-8, "srmr_bentler_nomean", name)
  near(crmr, fit$crmr, 1e-8, "crmr", name)
  near(crmr_nomean, fit$crmr_nomean, 1e-8, "crmr_nomean", name)
  near(rmr, fit$rmr, 1e-8, "rmr", name)
  near(rmr_nomean, fit$rmr_nomean, 1e-8, "rmr_nomean", name)

  ## 6. log-likelihoods and information criteria
  logl <- -N / 2 * (p * log(2 * pi) + ld(Sigma) + sum(S * Si) +
                    (if (meanstructure) sum(d * (Si %*% d)) else 0))
  h1 <- -N / 2 * (p * log(2 * pi) + ld(S) + p)
  near(logl, fit$logl, 1e-10, "logl", name)
  near(h1, fit$unrestricted_logl, 1e-10, "unrestricted logl", name)
  near(-2 * (logl - h1), chisq, 1e-7, "chisq = -2(logl - h1)", name)
  near(-2 * logl + 2 * npar, fit$aic, 1e-10, "aic", name)
  near(-2 * logl + npar * log(N), fit$bic, 1e-10, "bic", name)
  near(-2 * logl + npar * log((N + 2) / 24), fit$bic2, 1e-10, "bic2", name)

  ## 7. SEs, z, p, CI
  V <- mat(J$vcov)
  fi <- as.integer(col("free_index"))
  near(se[fi > 0], sqrt(diag(V))[fi[fi > 0]], 1e-8, "se", name)
  near(se[!free & op != ":="], 0, 0, "se of fixed", name)
  z <- ifelse(se < sqrt(.Machine$double.eps), NA, est / se)
  near(z, as.numeric(col("z")), 1e-8, "z", name)
  near(2 * (1 - pnorm(abs(z))), as.numeric(col("pvalue")), 1e-8, "pvalue", name)
  near(est + qnorm(0.025) * se, as.numeric(col("ci_lower")), 1e-8, "ci lower", name)
  near(est + qnorm(0.975) * se, as.numeric(col("ci_upper")), 1e-8, "ci upper", name)

  ## 8. defined parameters: delta method
  labs <- unlist(J$vcov$labels)
  def <- which(op == ":=")
  if (length(def)) {
    xfree <- sapply(seq_len(nrow(V)), function(k) est[which(fi == k)[1]])
    value_of <- function(x) {
      env <- new.env()
      for (k in seq_along(labs)) if (!exists(labs[k], envir = env, inherits = FALSE)) assign(labs[k], x[k], envir = env)
      sapply(def, function(i) eval(parse(text = rhs[i]), env))
    }
    near(value_of(xfree), est[def], 1e-8, ":= estimates", name)
    h <- 1e-6
    Jac <- sapply(seq_along(xfree), function(k) {
      e <- replace(numeric(length(xfree)), k, h)
      (value_of(xfree + e) - value_of(xfree - e)) / (2 * h)
    })
    Jac <- matrix(Jac, nrow = length(def))
    near(sqrt(diag(Jac %*% V %*% t(Jac))), se[def], 1e-6, ":= se (delta method)", name)
  }

  ## 9. standardized solutions and R^2
  sd_lv <- sqrt(diag(VETA)); sd_ov <- sqrt(diag(Sigma))
  std_lv <- est; std_all <- est
  for (i in seq_along(P)) {
    a <- lhs[i]; b <- rhs[i]
    if (op[i] == "=~") { std_lv[i] <- est[i] * sd_lv[a]; std_all[i] <- std_lv[i] / sd_ov[b] }
    if (op[i] == "~")  { std_lv[i] <- est[i] * sd_lv[b] / sd_lv[a]; std_all[i] <- std_lv[i] }
    if (op[i] == "~~" && a %in% lv) {
      std_lv[i] <- if (a == b) est[i] / sd_lv[a]^2 else
        est[i] / sqrt(abs(Psi[a, a] * Psi[b, b]))           # residual correlation
      std_all[i] <- std_lv[i]
    }
    if (op[i] == "~~" && a %in% ov) {
      std_lv[i] <- est[i]
      std_all[i] <- if (a == b) est[i] / sd_ov[a]^2 else est[i] / sqrt(abs(Th[a, a] * Th[b, b]))
    }
    if (op[i] == "~1") {
      if (a %in% lv) { std_lv[i] <- est[i] / sd_lv[a]; std_all[i] <- std_lv[i] }
      else { std_lv[i] <- est[i]; std_all[i] <- est[i] / sd_ov[a] }
    }
  }
  if (length(def)) {   # ':=' rows: the function applied to standardized values
    for (what in c("std_lv", "std_all")) {
      v <- if (what == "std_lv") std_lv else std_all
      xs <- sapply(seq_len(nrow(V)), function(k) v[which(fi == k)[1]])
      v[def] <- value_of(xs)
      if (what == "std_lv") std_lv <- v else std_all <- v
    }
  }
  near(std_lv, as.numeric(col("std_lv")), 1e-6, "std.lv", name)
  near(std_all, as.numeric(col("std_all")), 1e-6, "std.all", name)
  r2 <- J$r2
  for (v in names(r2)) {
    i <- which(op == "~~" & lhs == v & rhs == v)
    val <- 1 - std_all[i]
    near(if (val > 1) NA else val, null_na(r2[[v]]), 1e-6, paste("r2", v), name)
  }
  ## 10. starting values (lav_start, start = "default", mimic = "lavaan")
  st <- J$start
  sg <- function(k) sapply(st, function(r) if (is.null(r[[k]])) NA else r[[k]])
  s_lhs <- sg("lhs"); s_op <- sg("op"); s_rhs <- sg("rhs")
  s_start <- as.numeric(sg("start")); s_free <- as.numeric(sg("free"))
  s_ustart <- as.numeric(sg("ustart"))
  expect <- rep(NA_real_, length(st))
  for (f in lv) {
    idx <- which(s_lhs == f & s_op == "=~"); ind <- s_rhs[idx]
    vi <- which(s_op == "~~" & s_lhs == f & s_rhs == f)
    stdlv <- s_free[vi] == 0 && isTRUE(s_ustart[vi] == 1)
    fb <- start_fabin(S[ind, ind, drop = FALSE], std.lv = stdlv)
    expect[idx] <- fb
  }
  for (i in seq_along(st)) {
    if (s_op[i] == "~~" && s_lhs[i] == s_rhs[i])
      expect[i] <- if (s_lhs[i] %in% lv) 0.05 else 0.5 * S[s_lhs[i], s_lhs[i]]
    if (s_op[i] %in% c("~", "~~") && s_lhs[i] != s_rhs[i]) expect[i] <- 0
    if (s_op[i] == "~1") expect[i] <- if (s_lhs[i] %in% lv) 0 else mbar[[s_lhs[i]]]
    if (s_op[i] %in% c(":=", "==")) expect[i] <- 0
    if (!is.na(s_ustart[i])) expect[i] <- s_ustart[i]
  }
  near(expect, s_start, 1e-10, "starting values", name)

  cat(sprintf("%-20s ok\n", name))
}

# fabin3 loadings for one factor (lav_cfa_1fac_fabin / lav_cfa_1fac_3ind),
# first indicator = 1, bounds on; with std.lv rescaled by sqrt(|psi|)
start_fabin <- function(S, std.lv = FALSE) {
  nv <- ncol(S)
  if (nv < 4) {
    if (nv == 1) S <- matrix(1, 3, 3)
    if (nv == 2) {
      ex <- c(mean(diag(S)), S[2, 1])
      S <- rbind(cbind(S, ex, deparse.level = 0), c(ex, max(diag(S))))
    }
    s11 <- S[1, 1]; s22 <- S[2, 2]; s33 <- S[3, 3]
    s21 <- S[2, 1]; s31 <- S[3, 1]; s32 <- S[3, 2]
    psi <- s21 * s31 / s32; l2 <- s32 / s31; l3 <- s32 / s21
    lower.psi <- 0.1 * s11
    psi <- min(max(psi, lower.psi), s11)
    l2 <- min(max(-sqrt(s22 / lower.psi), l2), sqrt(s22 / lower.psi))
    l3 <- min(max(-sqrt(s33 / lower.psi), l3), sqrt(s33 / lower.psi))
    lambda <- c(1, l2, l3)[seq_len(nv)]
    if (nv == 2) psi <- psi / 2
    if (s21 * s31 * s32 < 0) return(rep(if (std.lv) 0.7 else 1, nv))  # negative triad
    if (std.lv) lambda <- lambda * sign(psi) * sqrt(abs(psi))
    return(lambda)
  }
  lambda <- numeric(nv); lambda[1] <- 1
  for (i in 2:nv) {
    idx3 <- (1:nv)[-c(i, 1)]
    tmp <- solve(S[idx3, idx3], S[idx3, 1])
    lambda[i] <- sum(S[i, idx3] * tmp) / sum(S[idx3, 1] * tmp)
  }
  lower.psi <- 0.1 * S[1, 1]
  for (i in 2:nv) {
    b <- sqrt(S[i, i] / lower.psi); lambda[i] <- min(max(-b, lambda[i]), b)
  }
  if (std.lv) {
    D <- tcrossprod(lambda) / sum(lambda^2)
    theta <- solve(diag(nv) - D * D, diag(S - D %*% S %*% D))
    S1 <- S - diag(theta)
    psi <- sum(colSums(lambda * S1) * lambda) / sum(lambda^2)^2
    lambda <- lambda * sign(psi) * sqrt(abs(psi))
  }
  lambda
}

for (f in sort(list.files(ref_dir, pattern = "\\.json$", full.names = TRUE))) check_model(f)
cat("all formulas reproduce lavaan's numbers\n")
