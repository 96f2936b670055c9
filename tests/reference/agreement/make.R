# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference values for inter-coder agreement statistics
# (Krippendorff's alpha, Fleiss' kappa, Cohen's kappa and weighted kappa).
#
# Run from the top of the source tree (takes a second):
#
#     Rscript tests/reference/agreement/make.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and psych 2.2.9.  `make
# check` does not need R: everything this script writes is committed.  It
# reads the committed data files
#
#   tests/data/agreement/krippendorff.csv        unit,coder,value (long)
#   tests/data/agreement/krippendorff_wide.csv   unit,A,B,C,D (empty = NA)
#   tests/data/agreement/diagnoses.csv           patient,rater1..rater6
#   tests/data/agreement/sas_kappa.csv           rater1,rater2,count
#
# and writes tests/reference/agreement/values.csv with the columns
# dataset,statistic,level,value (value with %.15g; nothing is quoted).
#
# The formulas are written out below; the R package irr is not needed.
# They are checked against the published values (to 5e-4) and against the
# output of irr 0.84.1's own functions, run once by hand (README.md), to
# 1e-12.  psych::cohen.kappa is used, if installed, as a second check of
# the Cohen's kappa standard errors and confidence limits.

stopifnot(file.exists("tests/reference/agreement/make.R"))  # run from the top
data_dir <- "tests/data/agreement"
out_path <- "tests/reference/agreement/values.csv"

near <- function(x, y, tol) all(abs(x - y) <= tol * pmax(1, abs(y)))

## ------------------------------------------------ Krippendorff's alpha ----

# x: coders x units matrix of numeric values, NA = missing.
# Coincidence matrix o[c,k]: every ordered pair of values (i != j) within a
# unit u with m_u >= 2 values adds 1/(m_u - 1).  n_c = rowSums(o), n = sum.
# alpha = 1 - (n - 1) * sum(o * d2) / sum(n_c n_k d2), with the squared
# difference d2 of the level of measurement (Krippendorff 2011):
#   nominal  [c != k]
#   ordinal  (sum_{g=c..k} n_g - (n_c + n_k)/2)^2
#   interval (c - k)^2
#   ratio    ((c - k)/(c + k))^2
# irr_quirk = TRUE reproduces irr 0.84.1's kripp.alpha: when the matrix has
# no NA at all, irr adds 1 (not 1/(m_u - 1)) per pair, which changes alpha.
kripp_alpha <- function(x, method, irr_quirk = FALSE) {
  vals <- sort(unique(x[!is.na(x)]))
  K <- length(vals)
  o <- matrix(0, K, K)
  for (u in seq_len(ncol(x))) {
    v <- match(x[!is.na(x[, u]), u], vals)
    mu <- length(v)
    if (mu < 2) next
    w <- if (irr_quirk && !anyNA(x)) 1 else 1 / (mu - 1)
    for (i in seq_len(mu)) for (j in seq_len(mu))
      if (i != j) o[v[i], v[j]] <- o[v[i], v[j]] + w
  }
  nc <- rowSums(o)
  n <- sum(nc)
  cs <- cumsum(nc)
  d2 <- switch(method,
    nominal  = 1 * outer(vals, vals, "!="),
    ordinal  = outer(1:K, 1:K, function(c, k) {
                 lo <- pmin(c, k); hi <- pmax(c, k)
                 (cs[hi] - cs[lo] + nc[lo] - (nc[c] + nc[k]) / 2)^2 }),
    interval = outer(vals, vals, "-")^2,
    ratio    = (outer(vals, vals, "-") / outer(vals, vals, "+"))^2)
  list(alpha = 1 - (n - 1) * sum(o * d2) / sum(outer(nc, nc) * d2), n = n)
}

## ------------------------------------------------------- Fleiss' kappa ----

# r: subjects x raters character matrix, no missing values.  n_ij = number
# of raters putting subject i in category j; p_j = sum_i n_ij / (N m).
# P_o = mean_i (sum_j n_ij^2 - m) / (m (m - 1)), P_e = sum_j p_j^2.
# SE under H0 (Fleiss, Levin & Paik 2003, as irr):
#   sqrt(2 / (N m (m - 1))) * sqrt((sum p q)^2 - sum p q (q - p)) / sum p q.
# Conger's (1980) "exact" kappa subtracts from P_e the sum over categories of
# the (population) variance across raters of the raters' proportions / (m-1).
# Category kappa_j = (p_jj - p_j)/(1 - p_j), p_jj = (sum_i n_ij^2 - N m p_j)
# / (N m (m - 1) p_j), with SE under H0 sqrt(2 / (N m (m - 1))).
fleiss_kappa <- function(r) {
  lev <- sort(unique(as.vector(r)))
  N <- nrow(r); m <- ncol(r)
  tab <- t(apply(r, 1, function(x) table(factor(x, levels = lev))))
  Po <- mean((rowSums(tab^2) - m) / (m * (m - 1)))
  p <- colSums(tab) / (N * m); q <- 1 - p
  Pe <- sum(p^2)
  kappa <- (Po - Pe) / (1 - Pe)
  se <- sqrt(2 / (N * m * (m - 1))) * sqrt(sum(p * q)^2 - sum(p * q * (q - p))) / sum(p * q)
  rp <- t(apply(r, 2, function(x) table(factor(x, levels = lev)))) / N  # raters x categories
  Pe_c <- Pe - sum(apply(rp, 2, function(z) mean((z - mean(z))^2))) / (m - 1)
  pjj <- (colSums(tab^2) - N * m * p) / (N * m * (m - 1) * p)
  kj <- (pjj - p) / (1 - p)
  list(kappa = kappa, se0 = se, z = kappa / se, p = 2 * pnorm(-abs(kappa / se)),
       exact = (Po - Pe_c) / (1 - Pe_c), categories = lev, kappa_cat = kj,
       z_cat = kj / sqrt(2 / (N * m * (m - 1))))
}

# irr::agree: percentage of subjects on whom all raters agree.
percent_agreement <- function(r) 100 * mean(apply(r, 1, function(x) all(x == x[1])))

## ------------------------------------------------------- Cohen's kappa ----

# tab: k x k table of counts (rows rater 1, columns rater 2, both in the
# category order that defines the weights).  W: agreement weights,
#   unweighted  W = I
#   linear      W = 1 - |i - j| / (k - 1)      (irr "equal", SAS Cicchetti-Allison)
#   squared     W = 1 - (i - j)^2 / (k - 1)^2  (irr "squared", psych's default)
# kappa_w = (P_o - P_e)/(1 - P_e), P_o = sum W p_ij, P_e = sum W p_i. p_.j.
# Variances of Fleiss, Cohen & Everitt (1969), with wr_i = sum_j p_.j w_ij
# and wc_j = sum_i p_i. w_ij:
#   non-null (psych, SAS's ASE):
#     [sum p_ij (w_ij - (wr_i + wc_j)(1 - kappa))^2 - (kappa - P_e (1 - kappa))^2] / (n (1 - P_e)^2)
#   under H0 (irr's z test, SAS's "ASE under H0"):
#     [sum p_i. p_.j (w_ij - (wr_i + wc_j))^2 - P_e^2] / (n (1 - P_e)^2)
# Confidence limits: kappa -/+ qnorm(0.975) * SE (as psych).
cohen_kappa <- function(tab, W) {
  n <- sum(tab); p <- tab / n
  r <- rowSums(p); c <- colSums(p)
  Po <- sum(W * p); Pe <- sum(W * outer(r, c))
  k <- (Po - Pe) / (1 - Pe)
  wr <- as.vector(W %*% c); wc <- as.vector(t(W) %*% r)
  S <- outer(wr, wc, "+")
  v1 <- (sum(p * (W - S * (1 - k))^2) - (k - Pe * (1 - k))^2) / (n * (1 - Pe)^2)
  v0 <- (sum(outer(r, c) * (W - S)^2) - Pe^2) / (n * (1 - Pe)^2)
  zq <- qnorm(0.975)
  list(kappa = k, se = sqrt(v1), se0 = sqrt(v0), z = k / sqrt(v0),
       p = 2 * pnorm(-abs(k / sqrt(v0))),
       lower = k - zq * sqrt(v1), upper = k + zq * sqrt(v1), po = Po)
}
# psych 2.2.9's cohen.kappa uses the same non-null formula, but for weighted
# kappa it builds wc_j as p_j. * sum_k w_jk (rowSums(w * rs)) instead of
# sum_i p_i. w_ij, so its weighted SE and confidence limits differ (they are
# right for W = I).  Written out here only to record psych's numbers; the
# cohen_* values above agree with the delta method and with SAS's formula.
psych_weighted_se <- function(tab, W) {
  n <- sum(tab); p <- tab / n; rs <- rowSums(p); cs <- colSums(p)
  Po <- sum(W * p); Pe <- sum(W * outer(rs, cs))
  colw <- colSums(W * cs); roww <- rowSums(W * rs)          # roww: psych's slip
  sqrt((sum(p * (W * (1 - Pe) - outer(colw, roww, "+") * (1 - Po))^2) -
        (Po * Pe - 2 * Pe + Po)^2) / (n * (1 - Pe)^4))
}
weights <- function(k, type) switch(type,
  unweighted = diag(k),
  linear     = 1 - abs(outer(1:k, 1:k, "-")) / (k - 1),
  squared    = 1 - outer(1:k, 1:k, "-")^2 / (k - 1)^2)

# Delta-method SE of kappa_w for a multinomial table (numerical gradient),
# used below to check cohen_kappa()'s non-null SE.
delta_se <- function(tab, W) {
  kw <- function(q) { q <- q / sum(q); r <- rowSums(q); c <- colSums(q)
                      Pe <- sum(W * outer(r, c)); (sum(W * q) - Pe) / (1 - Pe) }
  n <- sum(tab); p <- unclass(tab) / n; g <- numeric(length(p)); h <- 1e-6
  for (i in seq_along(p)) { a <- b <- p; a[i] <- a[i] + h; b[i] <- b[i] - h
                            g[i] <- (kw(a) - kw(b)) / (2 * h) }
  sqrt((sum(p * g^2) - sum(p * g)^2) / n)
}

## ---------------------------------------------------------- collecting ----

rows <- list()
add <- function(dataset, statistic, level, value)
  rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, statistic = statistic,
                                          level = level, value = value)
add_cohen <- function(dataset, level, tab) {
  for (type in c("unweighted", "linear", "squared")) {
    ck <- cohen_kappa(tab, weights(nrow(tab), type))
    sfx <- if (type == "unweighted") "" else paste0("_", type)
    for (s in c("kappa", "se", "se0", "z", "p", "lower", "upper")) {
      name <- switch(s, kappa = "cohen_kappa", lower = "cohen_ci_lower",
                     upper = "cohen_ci_upper", paste0("cohen_", s))
      add(dataset, paste0(name, sfx), level, ck[[s]])
    }
  }
  W <- weights(nrow(tab), "squared")                 # psych's default weights
  ck <- cohen_kappa(tab, W); se <- psych_weighted_se(tab, W)
  add(dataset, "psych_cohen_se_squared", level, se)
  add(dataset, "psych_cohen_ci_lower_squared", level, ck$kappa - qnorm(0.975) * se)
  add(dataset, "psych_cohen_ci_upper_squared", level, ck$kappa + qnorm(0.975) * se)
}

## ---------------------------------------------- Krippendorff's example ----

kl <- read.csv(file.path(data_dir, "krippendorff.csv"), colClasses = c("integer", "character", "numeric"))
kw <- read.csv(file.path(data_dir, "krippendorff_wide.csv"), na.strings = "",
               colClasses = c("integer", rep("numeric", 4)))
coders <- c("A", "B", "C", "D")
km <- matrix(NA_real_, 4, 12, dimnames = list(coders, NULL))
km[cbind(match(kl$coder, coders), kl$unit)] <- kl$value
stopifnot(identical(unname(km), unname(t(as.matrix(kw[, coders])))), identical(kw$unit, 1:12))

published <- c(nominal = 0.743, ordinal = 0.815, interval = 0.849, ratio = 0.797)  # Krippendorff (2011)
irr_out <- c(nominal = 0.743421052631579, ordinal = 0.815387503754881,      # irr::kripp.alpha(nmm, .)
             interval = 0.849107142857143, ratio = 0.797402774711612)
for (method in names(published)) {
  ka <- kripp_alpha(km, method)
  stopifnot(near(ka$alpha, published[[method]], 5e-4), near(ka$alpha, irr_out[[method]], 1e-12),
            near(kripp_alpha(km, method, irr_quirk = TRUE)$alpha, ka$alpha, 0))  # has NAs: no quirk
  add("krippendorff", "krippendorff_alpha", method, ka$alpha)
}
add("krippendorff", "krippendorff_n_pairable", "all", kripp_alpha(km, "nominal")$n)

## ------------------------------------------------ Fleiss' diagnoses ----

dg <- read.csv(file.path(data_dir, "diagnoses.csv"), colClasses = c("integer", rep("character", 6)))
r <- as.matrix(dg[, paste0("rater", 1:6)])
stopifnot(nrow(r) == 30, !anyNA(r), all(r != ""))

fk <- fleiss_kappa(r)
stopifnot(near(fk$kappa, 0.430, 5e-4),                      # Fleiss (1971), irr's ?kappam.fleiss
          near(fk$kappa, 0.430244520060141, 1e-12),         # irr::kappam.fleiss(diagnoses)
          near(fk$z, 17.6518305829914, 1e-12),
          near(fk$exact, 0.441808540329333, 1e-12))         # irr::kappam.fleiss(diagnoses, exact = TRUE)
add("diagnoses", "fleiss_kappa", "all", fk$kappa)
add("diagnoses", "fleiss_se0", "all", fk$se0)
add("diagnoses", "fleiss_z", "all", fk$z)
add("diagnoses", "fleiss_p", "all", fk$p)       # irr prints 0 (2 * (1 - pnorm(z)) underflows)
add("diagnoses", "fleiss_kappa_exact", "all", fk$exact)
for (j in seq_along(fk$categories)) {
  add("diagnoses", "fleiss_kappa_category", fk$categories[j], fk$kappa_cat[j])
  add("diagnoses", "fleiss_z_category", fk$categories[j], fk$z_cat[j])
}
stopifnot(near(percent_agreement(r), 16.6666666666667, 1e-12),        # irr::agree(diagnoses)
          near(percent_agreement(r[, 1:2]), 73.3333333333333, 1e-12))
add("diagnoses", "percent_agreement", "all", percent_agreement(r))
add("diagnoses", "percent_agreement", "1-2", percent_agreement(r[, 1:2]))

# Raters 1 and 2.  The category order for the weights is irr's factor-level
# order: the sorted labels, "1. Depression" ... "5. Other" (both raters use
# all five categories).
lev <- sort(unique(as.vector(r[, 1:2])))
tab12 <- table(factor(r[, 1], levels = lev), factor(r[, 2], levels = lev))
add_cohen("diagnoses", "1-2", tab12)
irr_kappa2 <- list(unweighted = c(0.651162790697674, 6.99647076978209),   # irr::kappa2(diagnoses[, 1:2], .)
                   linear     = c(0.633093525179856, 5.43361728758834),   #   value, z
                   squared    = c(0.655462184873949, 3.90634210329729))
for (type in names(irr_kappa2)) {
  ck <- cohen_kappa(tab12, weights(5, type))
  stopifnot(near(c(ck$kappa, ck$z), irr_kappa2[[type]], 1e-12))
}
stopifnot(near(cohen_kappa(tab12, diag(5))$kappa, 0.651, 5e-4))
# psych::cohen.kappa(diagnoses[, 1:2]) (weights "squared"), run by hand:
stopifnot(near(unlist(cohen_kappa(tab12, diag(5))[c("lower", "upper")]),
               c(0.455788374805688, 0.84653720658966), 1e-12),
          near(cohen_kappa(tab12, weights(5, "squared"))$kappa - qnorm(0.975) *
               psych_weighted_se(tab12, weights(5, "squared")), 0.540722651742589, 1e-12))

# Krippendorff's alpha (nominal) on the 6 raters, values = category codes 1-5
codes <- matrix(as.numeric(substr(r, 1, 1)), nrow(r))
stopifnot(all(codes == match(r, lev)))
ka <- kripp_alpha(t(codes), "nominal")
kq <- kripp_alpha(t(codes), "nominal", irr_quirk = TRUE)
stopifnot(near(kq$alpha, 0.430877581704519, 1e-12))  # irr::kripp.alpha(t(codes)) -- see README
add("diagnoses", "krippendorff_alpha", "nominal", ka$alpha)
add("diagnoses", "krippendorff_alpha_irr", "nominal", kq$alpha)

## ------------------------------------------------ SAS SkinCondition ----

sk <- read.csv(file.path(data_dir, "sas_kappa.csv"), colClasses = c("character", "character", "numeric"))
slev <- unique(sk$rater1)             # SAS ORDER=DATA: terrible, poor, marginal, clear
stab <- xtabs(count ~ factor(rater1, levels = slev) + factor(rater2, levels = slev), sk)
stopifnot(sum(stab) == 88)
add_cohen("sas_skin", "1-2", stab)
add("sas_skin", "percent_agreement", "1-2", 100 * sum(diag(stab)) / sum(stab))
irr_sas <- list(unweighted = c(0.344875346260388, 5.63662547078635),   # irr::kappa2 on the 88 rows
                linear     = c(0.508160071540353, 6.87663036853767),
                squared    = c(0.660722891566265, 6.20425148072924))
for (type in names(irr_sas))
  stopifnot(near(unlist(cohen_kappa(stab, weights(4, type))[c("kappa", "z")]), irr_sas[[type]], 1e-12))

## -------------------------------- delta method, then psych as a check ----

for (tb in list(tab12, stab)) for (type in c("unweighted", "linear", "squared")) {
  W <- weights(nrow(tb), type)
  stopifnot(near(cohen_kappa(tb, W)$se, delta_se(tb, W), 1e-7))
}

if (requireNamespace("psych", quietly = TRUE)) {
  for (tb in list(tab12, stab)) for (type in c("linear", "squared")) {
    W <- weights(nrow(tb), type)
    pk <- psych::cohen.kappa(unclass(tb), w = W)
    cu <- cohen_kappa(tb, diag(nrow(tb))); cw <- cohen_kappa(tb, W)
    sw <- psych_weighted_se(tb, W)
    stopifnot(near(c(cu$kappa, cu$se, cw$kappa, sw),
                   c(pk$kappa, sqrt(pk$var.kappa), pk$weighted.kappa, sqrt(pk$var.weighted)), 1e-12),
              near(c(cu$lower, cu$upper), pk$confid[1, c(1, 3)], 1e-12))
  }
} else message("psych not installed: skipped the second check")

## -------------------------------------------------------------- write ----

v <- do.call(rbind, rows)
stopifnot(!anyNA(v$value), !any(grepl(",", v$level)))
v$value <- sprintf("%.15g", v$value)
write.table(v, out_path, sep = ",", quote = FALSE, row.names = FALSE, eol = "\n")
cat("wrote", out_path, "(", nrow(v), "rows )\n")
