# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for `brisk regress`, from R.
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/regress/make_reference.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and the Debian packages
# ordinal 2022.11-16, MASS 7.3-58.2, sandwich 3.0-2, survey 4.1-1 (lmtest
# 0.9-40 is installed but not needed).  `make check` does not need R:
# everything this script writes is committed.  It writes
#
#   tests/data/wine.csv       ordinal::wine (72 rows)
#   tests/data/housing.csv    MASS::housing (72 cells of a 1,681-person table)
#   tests/data/regress.csv    a synthetic survey of 400 (seed 20261121)
#   tests/reference/regress/NAME.coef.csv   term,est,se,stat,p
#                             (regress_ols adds se_hc1,se_hc3)
#   tests/reference/regress/NAME.fit.csv    measure,value
#
# The models are listed in README.md.  Every model is fitted on the data
# read back from tests/data, so brisk and R start from the same doubles.
#
# brisk names terms its own way, and this script renames R's to match:
# `(Intercept)`; a numeric predictor by its column; the dummy of level L of
# categorical C as `C=L`, the first level the reference; an interaction's
# parts joined by `:`; thresholds `a|b` by the outcome's values, listed
# before the coefficients.  Text categories are ordered as sort() orders
# them in the C locale and numeric codes by value, so the references below
# are not always R's default (housing's Infl, Type and Cont have High,
# Apartment and High as reference levels here, not Low, Tower and Low).

suppressPackageStartupMessages({
  library(ordinal)
  library(MASS)
  library(sandwich)
  library(survey)
})

stopifnot(file.exists("tests/reference/regress/make_reference.R"))  # run from the top
made_with <- c(ordinal = "2022.11.16", MASS = "7.3.58.2", sandwich = "3.0.2", survey = "4.1.1")
for (p in names(made_with))
  if (packageVersion(p) != made_with[[p]])
    warning("these references were made with ", p, " ", made_with[[p]], "; this is ",
            packageVersion(p))
invisible(Sys.setlocale("LC_COLLATE", "C"))  # brisk orders text levels bytewise

ref_dir  <- "tests/reference/regress"
data_dir <- "tests/data"

## ---------------------------------------------------------------- data ----

# Shortest decimal representation (15, 16 or 17 significant digits) that
# reads back as exactly the same double (as tests/reference/sem does).
fmt_num <- function(x) {
  out <- rep(NA_character_, length(x))
  todo <- which(!is.na(x))
  for (d in 15:17) {
    if (length(todo) == 0) break
    s <- sprintf(paste0("%.", d, "g"), x[todo])
    ok <- as.numeric(s) == x[todo]
    if (d == 17) ok[] <- TRUE
    out[todo[ok]] <- s[ok]
    todo <- todo[!ok]
  }
  out
}

write_data <- function(df, path) {
  out <- as.data.frame(lapply(df, function(col) {
    if (is.numeric(col)) fmt_num(col) else as.character(col)
  }), stringsAsFactors = FALSE)
  names(out) <- names(df)
  # no value contains a comma or a quote, so nothing needs quoting
  stopifnot(!any(grepl("[,\"]", unlist(out)), na.rm = TRUE))
  write.csv(out, path, row.names = FALSE, na = "", quote = FALSE)
  back <- read.csv(path, stringsAsFactors = FALSE)
  for (v in names(df)) {
    a <- df[[v]]; b <- back[[v]]
    if (is.factor(a)) a <- as.character(a)
    if (is.character(a)) b <- as.character(b)  # text codes such as judge read back as numbers
    if (!identical(is.na(a), is.na(b)) || !all(a[!is.na(a)] == b[!is.na(b)]))
      stop(path, ": column ", v, " does not read back exactly")
  }
  invisible(back)
}

# A categorical column as brisk sees it: levels sorted (C locale for text,
# by value for numeric codes).
categorical <- function(x) factor(x, levels = sort(unique(x[!is.na(x)])))

# Ordinal outcomes are written as their integer codes, so the thresholds
# are named by codes (`1|2`), as brisk names them.
wine_src <- ordinal::wine
wine <- write_data(data.frame(response = wine_src$response,
                              rating = as.integer(wine_src$rating),
                              temp = as.character(wine_src$temp),
                              contact = as.character(wine_src$contact),
                              bottle = as.character(wine_src$bottle),
                              judge = as.character(wine_src$judge),
                              stringsAsFactors = FALSE),
                   file.path(data_dir, "wine.csv"))

housing_src <- MASS::housing
housing <- write_data(data.frame(Sat = as.integer(housing_src$Sat),  # Low < Medium < High
                                 Infl = as.character(housing_src$Infl),
                                 Type = as.character(housing_src$Type),
                                 Cont = as.character(housing_src$Cont),
                                 Freq = housing_src$Freq,
                                 stringsAsFactors = FALSE),
                      file.path(data_dir, "housing.csv"))

# The synthetic survey.  Every outcome follows a known model, so the
# estimates are far from zero; the draws are made in a fixed order, so
# the file depends on the seed and R's default generators only.
set.seed(20261121)
n <- 400
region <- sample(c("east", "west", "central"), n, replace = TRUE, prob = c(0.45, 0.33, 0.22))
age <- sample(18:75, n, replace = TRUE)
income <- as.integer(pmin(5, pmax(1, round(2.6 + 0.025 * (age - 45) + rnorm(n, 0, 1.1)))))
education <- sample(1:4, n, replace = TRUE, prob = c(0.2, 0.35, 0.3, 0.15))
# y: linear, with an age slope that differs by region (central is the reference)
y <- 3 + 0.04 * age + 0.6 * income + c(central = 0, east = 0.8, west = -0.6)[region] +
  c(central = 0, east = -0.02, west = 0.03)[region] * age +
  c(0, 0.4, 0.9, 1.5)[education] + rnorm(n, 0, 1.5)
y <- round(unname(y), 2)
# approve01: logit; the probabilities stay well inside (0, 1), so no separation
eta <- -3 + 0.04 * age + 0.35 * income + c(central = 0, east = 0.7, west = -0.5)[region]
approve01 <- rbinom(n, 1, plogis(unname(eta)))
# approval: proportional odds (logistic latent variable cut at four points)
latent <- 0.03 * age + 0.45 * income + c(central = 0, east = 0.6, west = -0.4)[region] +
  c(0, 0.3, 0.7, 1.1)[education] + rlogis(n)
approval <- as.integer(cut(unname(latent), c(-Inf, 1.6, 2.8, 3.9, 5.0, Inf)))
# w: a sampling weight that also varies with region, scaled to mean about 1
w <- exp(c(central = 0.3, east = -0.1, west = 0.2)[region] + rnorm(n, 0, 0.4))
w <- round(unname(w / mean(w)), 4)
fw <- sample(1:4, n, replace = TRUE)
y[sample(n, 12)] <- NA
income[sample(n, 12)] <- NA
regress <- write_data(data.frame(y, approve01, approval, age, income, region, education, w, fw,
                                 stringsAsFactors = FALSE),
                      file.path(data_dir, "regress.csv"))

# the first look at the data is made on what was written
wine$rating <- factor(wine$rating, levels = 1:5, ordered = TRUE)
for (v in c("temp", "contact")) wine[[v]] <- categorical(wine[[v]])
housing$Sat <- factor(housing$Sat, levels = 1:3, ordered = TRUE)
for (v in c("Infl", "Type", "Cont")) housing[[v]] <- categorical(housing[[v]])
regress$region <- categorical(regress$region)
stopifnot(levels(regress$region) == c("central", "east", "west"),
          levels(housing$Infl) == c("High", "Low", "Medium"),
          levels(housing$Type) == c("Apartment", "Atrium", "Terrace", "Tower"),
          all(table(regress$approve01, regress$region) > 20),  # no separation by region
          all(table(regress$approval) >= 30))

## ---------------------------------------------------------- renaming ----

# R names the dummy of level L of factor v `vL` (or `factor(v)L`); brisk
# names it `v=L`.  Each part of an interaction is renamed on its own.
rename_terms <- function(nm, data) {
  facs <- names(data)[vapply(data, function(x) is.factor(x) || is.character(x), TRUE)]
  facs <- c(facs, "education")  # used through factor(education)
  one <- function(part) {
    for (v in facs) {
      levs <- as.character(sort(unique(data[[v]][!is.na(data[[v]])])))
      for (prefix in c(v, paste0("factor(", v, ")")))
        if (part %in% paste0(prefix, levs))
          return(paste0(v, "=", substring(part, nchar(prefix) + 1)))
    }
    part
  }
  vapply(nm, function(x) paste(vapply(strsplit(x, ":", fixed = TRUE)[[1]], one, ""),
                               collapse = ":"), "", USE.NAMES = FALSE)
}

fmt <- function(df) {
  for (v in names(df)) if (is.numeric(df[[v]])) df[[v]] <- sprintf("%.10g", df[[v]])
  df
}

write_coef <- function(name, term, est, se, stat, p, extra = NULL) {
  out <- data.frame(term = term, est = est, se = se, stat = stat, p = p,
                    stringsAsFactors = FALSE)
  if (!is.null(extra)) out <- cbind(out, extra)
  stopifnot(!anyNA(out), !any(grepl(",", out$term)))
  write.csv(fmt(out), file.path(ref_dir, paste0(name, ".coef.csv")),
            row.names = FALSE, quote = FALSE)
  invisible(out)
}

write_fit <- function(name, values) {
  stopifnot(!anyNA(values))
  write.csv(data.frame(measure = names(values), value = sprintf("%.10g", unname(values))),
            file.path(ref_dir, paste0(name, ".fit.csv")), row.names = FALSE, quote = FALSE)
  invisible(values)
}

# Pseudo-R² against the thresholds-only (or intercept-only) model fitted on
# the same cases, n the number of cases (the sum of frequency weights):
#   McFadden    1 - LL / LL0
#   Nagelkerke  (1 - exp(2 (LL0 - LL) / n)) / (1 - exp(2 LL0 / n))
pseudo_r2 <- function(ll, ll0, n)
  c(mcfadden = 1 - ll / ll0,
    nagelkerke = (1 - exp(2 * (ll0 - ll) / n)) / (1 - exp(2 * ll0 / n)))

# Complete cases of the variables a model uses (R's na.omit, made explicit
# so the survey designs hold exactly the fitted rows).
complete <- function(data, vars) data[complete.cases(data[vars]), , drop = FALSE]

## ------------------------------------------------------------ models ----

normal_p <- function(z) 2 * pnorm(-abs(z))
summary_line <- character()
note <- function(...) summary_line <<- c(summary_line, paste0(...))

# clm: thresholds come first in coef(), as brisk lists them.
clm_ref <- function(name, fit, null, data, n_all = NULL) {
  est <- coef(fit); se <- sqrt(diag(vcov(fit)))[names(est)]
  write_coef(name, rename_terms(names(est), data), est, se, est / se, normal_p(est / se))
  ll <- as.numeric(logLik(fit)); ll0 <- as.numeric(logLik(null)); n <- nobs(fit)
  vals <- c(logLik = ll, AIC = AIC(fit), BIC = BIC(fit), n = n)
  if (!is.null(n_all)) vals <- c(vals, n_dropped = n_all - n)
  write_fit(name, c(vals, logLik_null = ll0, pseudo_r2(ll, ll0, n)))
  note(sprintf("%-22s n %d, logLik %.4f, %s %.4f (SE %.4f)", name, n, ll,
               rename_terms(names(est), data)[length(est)], est[length(est)], se[length(se)]))
  invisible(fit)
}

# 1-2. wine: cumulative logit and probit
wine_clm <- clm_ref("wine_clm", clm(rating ~ temp + contact, data = wine),
                    clm(rating ~ 1, data = wine), wine)
stopifnot(abs(coef(wine_clm) - c(-1.3444, 1.2508, 3.4669, 5.0064, 2.5031, 1.5278)) < 1e-4,
          abs(sqrt(diag(vcov(wine_clm)))[5:6] - c(0.5287, 0.4766)) < 1e-4,
          abs(logLik(wine_clm) + 86.4919) < 1e-4)
clm_ref("wine_clm_probit", clm(rating ~ temp + contact, data = wine, link = "probit"),
        clm(rating ~ 1, data = wine, link = "probit"), wine)

# 3. housing: polr with frequency weights.  polr puts zeta after the
# coefficients and names thresholds by level; here they come first.
housing_polr <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE)
housing_null <- polr(Sat ~ 1, weights = Freq, data = housing, Hess = TRUE)
local({
  fit <- housing_polr
  stopifnot(abs(logLik(fit) + 1739.575) < 1e-3)  # MASS's book value
  est <- c(fit$zeta, coef(fit))
  stopifnot(names(fit$zeta) == c("1|2", "2|3"))
  se <- sqrt(diag(vcov(fit)))[names(est)]
  write_coef("housing_polr", rename_terms(names(est), housing), est, se, est / se,
             normal_p(est / se))
  ll <- as.numeric(logLik(fit)); ll0 <- as.numeric(logLik(housing_null))
  n <- sum(housing$Freq)
  stopifnot(nobs(fit) == n)  # so BIC's log n counts people, not table cells
  write_fit("housing_polr", c(logLik = ll, AIC = AIC(fit), BIC = BIC(fit), n = n,
                              logLik_null = ll0, pseudo_r2(ll, ll0, n)))
  note(sprintf("%-22s logLik %.4f, n %d, InflLow %.4f (SE %.4f)", "housing_polr", ll, n,
               est[["InflLow"]], se[["InflLow"]]))
})

# 4. OLS with an interaction; HC1 and HC3 sandwich SEs beside the classical ones
ols_fit <- function(f, data) {
  s <- summary(f)
  ll <- as.numeric(logLik(f))
  c(r2 = s$r.squared, adj_r2 = s$adj.r.squared, sigma = s$sigma, df_resid = f$df.residual,
    F = unname(s$fstatistic["value"]), logLik = ll, AIC = AIC(f), BIC = BIC(f))
}

local({
  vars <- c("y", "age", "income", "region", "education")
  d <- complete(regress, vars)
  f <- lm(y ~ age + income + region + factor(education) + age:region, data = d)
  stopifnot(nobs(lm(y ~ age + income + region + factor(education) + age:region,
                    data = regress)) == nrow(d))
  ct <- coef(summary(f))
  write_coef("regress_ols", rename_terms(rownames(ct), regress), ct[, 1], ct[, 2], ct[, 3], ct[, 4],
             extra = data.frame(se_hc1 = sqrt(diag(vcovHC(f, type = "HC1"))),
                                se_hc3 = sqrt(diag(vcovHC(f, type = "HC3")))))
  write_fit("regress_ols", c(n = nrow(d), n_dropped = nrow(regress) - nrow(d), ols_fit(f, d)))
  note(sprintf("%-22s n %d, R2 %.4f, age %.4f (SE %.4f)", "regress_ols", nrow(d),
               summary(f)$r.squared, coef(f)[["age"]], ct["age", 2]))
})

# 5. logit
local({
  d <- complete(regress, c("approve01", "age", "income", "region"))
  f <- glm(approve01 ~ age + income + region, family = binomial, data = d)
  stopifnot(f$converged)
  ct <- coef(summary(f))
  write_coef("regress_logit", rename_terms(rownames(ct), regress), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  ll <- as.numeric(logLik(f)); ll0 <- -f$null.deviance / 2  # 0/1 outcome: deviance = -2 LL
  write_fit("regress_logit", c(n = nrow(d), n_dropped = nrow(regress) - nrow(d), logLik = ll,
                               AIC = AIC(f), BIC = BIC(f), deviance = f$deviance,
                               null_deviance = f$null.deviance, logLik_null = ll0,
                               pseudo_r2(ll, ll0, nrow(d))))
  note(sprintf("%-22s n %d, logLik %.4f, age %.4f (SE %.4f)", "regress_logit", nrow(d), ll,
               coef(f)[["age"]], ct["age", 2]))
})

# 6. OLS with frequency weights.  lm's weights are precision weights (its
# residual df would count rows, not people), so the reference is lm on the
# data with every row repeated fw times.
local({
  d <- complete(regress, c("y", "age", "income", "region", "fw"))
  big <- d[rep(seq_len(nrow(d)), d$fw), ]
  f <- lm(y ~ age + income + region, data = big)
  ct <- coef(summary(f))
  write_coef("regress_ols_freq", rename_terms(rownames(ct), regress), ct[, 1], ct[, 2], ct[, 3],
             ct[, 4])
  # n counts people (sum of fw); n_dropped counts the data rows left out
  write_fit("regress_ols_freq", c(n = nrow(big), n_dropped = nrow(regress) - nrow(d),
                                  ols_fit(f, big)))
  # the same estimates as lm's weighted fit: only the variance differs
  stopifnot(abs(coef(f) - coef(lm(y ~ age + income + region, weights = fw, data = d))) < 1e-10)
  note(sprintf("%-22s n %d (rows %d), age %.4f (SE %.4f)", "regress_ols_freq", nrow(big),
               nrow(d), coef(f)[["age"]], ct["age", 2]))
})

# 7. survey-weighted GLMs: the design on every row, no strata or clusters;
# svyglm leaves out the rows with a missing value as the survey package
# does (a domain: the design keeps their PSUs, with zero scores); summary()'s
# t uses df.residual = degf(design) + 1 - p, degf of the rows used.
svy_glm_ref <- function(name, formula, family, vars) {
  d <- complete(regress, c(vars, "w"))
  des <- svydesign(ids = ~1, weights = ~w, data = regress)
  f <- svyglm(formula, design = des, family = family)
  ct <- coef(summary(f))
  write_coef(name, rename_terms(rownames(ct), regress), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit(name, c(n = nrow(d), n_dropped = nrow(regress) - nrow(d), df_resid = f$df.residual))
  note(sprintf("%-22s n %d, df %d, age %.4f (SE %.4f)", name, nrow(d), f$df.residual,
               coef(f)[["age"]], ct["age", 2]))
}
svy_glm_ref("regress_svyglm", y ~ age + income + region, gaussian(),
            c("y", "age", "income", "region"))
svy_glm_ref("regress_svyglm_logit", approve01 ~ age + income + region, quasibinomial(),
            c("approve01", "age", "income", "region"))

# 8. survey-weighted proportional odds; svyolr also lists thresholds last
local({
  d <- complete(regress, c("approval", "age", "income", "region", "w"))
  des <- svydesign(ids = ~1, weights = ~w, data = regress)
  f <- svyolr(factor(approval) ~ age + income + region, design = des)
  all_est <- coef(f)
  est <- c(all_est[grepl("|", names(all_est), fixed = TRUE)],
           all_est[!grepl("|", names(all_est), fixed = TRUE)])
  stopifnot(names(est)[1:4] == c("1|2", "2|3", "3|4", "4|5"))
  se <- sqrt(diag(vcov(f)))[names(est)]
  write_coef("regress_svyolr", rename_terms(names(est), regress), est, se, est / se,
             normal_p(est / se))
  write_fit("regress_svyolr", c(n = nrow(d), n_dropped = nrow(regress) - nrow(d)))
  note(sprintf("%-22s n %d, 1|2 %.4f, age %.4f (SE %.4f)", "regress_svyolr", nrow(d), est[["1|2"]],
               est[["age"]], se[["age"]]))
})

# the package's own data, unweighted, through ordinal::clm
local({
  d <- complete(regress, c("approval", "age", "income", "region", "education"))
  clm_ref("regress_clm",
          clm(factor(approval, ordered = TRUE) ~ age + income + region + factor(education),
              data = d),
          clm(factor(approval, ordered = TRUE) ~ 1, data = d), regress, n_all = nrow(regress))
})

cat(summary_line, sep = "\n")
