# SPDX-License-Identifier: GPL-3.0-or-later
# make_formula.R -- reference values for the functions and quoted names of
# `brisk regress` formulas, from R.
#
# Run from the top of the source tree, in a UTF-8 locale (a second):
#
#     LANG=C.UTF-8 Rscript tests/reference/regress/make_formula.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330), ordinal 2022.11-16 and
# survey 4.1-1 (Debian r-cran-* packages).  `make check` does not need R:
# what this script writes is committed.  It writes
#
#   tests/data/formula.csv    a synthetic survey of 300 (seed 20261207) whose
#                             headers have a space (`Trust 1`) and Chinese
#                             letters (满意度 satisfaction, 年龄 age, 城市 city)
#   tests/reference/regress/formula_NAME.coef.csv   term,est,se,stat,p
#   tests/reference/regress/formula_NAME.fit.csv    measure,value
#   tests/reference/regress/rc_b_fn_KEY.{coef,fit}.csv   the same, per behaviour
#                             of the bundled Rongcheng survey
#
# Term names are brisk's (README.md, "Term names"): R's for I(), log(),
# scale() and the other functions (`scale(`Trust 1`)`, backticks where R
# writes them), a column by its name without backticks (`Trust 1` is
# `Trust 1` here, R's "`Trust 1`"), and the dummy of level L of a
# categorical column C as `C=L`.

suppressPackageStartupMessages({
  library(ordinal)
  library(survey)
})

stopifnot(file.exists("tests/reference/regress/make_formula.R"),  # run from the top
          l10n_info()$`UTF-8`)                                    # Chinese names parse
invisible(Sys.setlocale("LC_COLLATE", "C"))  # brisk orders text levels bytewise

ref_dir  <- "tests/reference/regress"
data_path <- "tests/data/formula.csv"

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

## ---------------------------------------------------------------- data ----

set.seed(20261207)
n <- 300
city <- sample(c("北京", "上海", "荣成"), n, replace = TRUE, prob = c(0.4, 0.35, 0.25))
age <- sample(18:80, n, replace = TRUE)
income <- round(exp(8.3 + 0.01 * (age - 45) + rnorm(n, 0, 0.6)))          # yuan a month, > 0
trust <- as.integer(pmin(5, pmax(1, round(3 + rnorm(n, 0, 1.1)))))
eff <- c(北京 = 0, 上海 = 0.5, 荣成 = -0.4)[city]
sat <- 2 + 0.05 * age - 0.0004 * age^2 + 0.5 * log(income) + 0.4 * (trust - 3) +
  unname(eff) + c(北京 = 0, 上海 = 0.25, 荣成 = -0.3)[city] * (trust - 3) + rnorm(n, 0, 0.8)
sat <- round(unname(sat), 2)
eta <- -6 + 1.2 * log10(income) + 0.15 * sqrt(age) + 0.35 * trust + unname(eff)
approve01 <- rbinom(n, 1, plogis(eta))
latent <- 0.02 * age + 0.6 * log(income) + 0.45 * trust + unname(eff) + rlogis(n)
approval <- as.integer(cut(latent, quantile(latent, c(0, 0.2, 0.45, 0.7, 0.9, 1)),
                           include.lowest = TRUE))
w <- round(exp(c(北京 = -0.2, 上海 = 0.1, 荣成 = 0.3)[city] + rnorm(n, 0, 0.3)), 4)
w <- unname(w)
# missing answers: the outcome of 10 rows (so scale() sees more rows than a
# model uses), trust in 8, age in 6
sat[sample(n, 10)] <- NA
trust[sample(n, 8)] <- NA
age[sample(n, 6)] <- NA
d <- data.frame(满意度 = sat, `Trust 1` = trust, 年龄 = age, 城市 = city, income = income,
                approve01 = approve01, approval = approval, w = w,
                check.names = FALSE, stringsAsFactors = FALSE)
out <- as.data.frame(lapply(d, function(col) if (is.numeric(col)) fmt_num(col) else col),
                     stringsAsFactors = FALSE, check.names = FALSE)
stopifnot(!any(grepl("[,\"]", unlist(out)), na.rm = TRUE))
write.csv(out, data_path, row.names = FALSE, na = "", quote = FALSE, fileEncoding = "UTF-8")
d <- read.csv(data_path, check.names = FALSE, stringsAsFactors = FALSE, encoding = "UTF-8")
stopifnot(names(d)[1:4] == c("满意度", "Trust 1", "年龄", "城市"), nrow(d) == n)
d$城市 <- factor(d$城市, levels = sort(unique(d$城市)))
stopifnot(levels(d$城市) == c("上海", "北京", "荣成"))   # bytewise order

## ---------------------------------------------------------- renaming ----

# R's "城市北京" is brisk's "城市=北京", its "`Trust 1`" (a whole column)
# brisk's "Trust 1"; names inside a function stay as R writes them.
rename_terms <- function(nm) {
  one <- function(part) {
    for (lev in levels(d$城市))
      if (part == paste0("城市", lev)) return(paste0("城市=", lev))
    if (part == "`Trust 1`") return("Trust 1")
    part
  }
  vapply(nm, function(x) paste(vapply(strsplit(x, ":", fixed = TRUE)[[1]], one, ""),
                               collapse = ":"), "", USE.NAMES = FALSE)
}

fmt <- function(df) {
  for (v in names(df)) if (is.numeric(df[[v]])) df[[v]] <- sprintf("%.10g", df[[v]])
  df
}
write_coef <- function(name, term, est, se, stat, p) {
  out <- data.frame(term = term, est = est, se = se, stat = stat, p = p,
                    stringsAsFactors = FALSE)
  stopifnot(!anyNA(out), !any(grepl(",", out$term)))
  write.csv(fmt(out), file.path(ref_dir, paste0(name, ".coef.csv")),
            row.names = FALSE, quote = FALSE, fileEncoding = "UTF-8")
}
write_fit <- function(name, values) {
  stopifnot(!anyNA(values))
  write.csv(data.frame(measure = names(values), value = sprintf("%.10g", unname(values))),
            file.path(ref_dir, paste0(name, ".fit.csv")), row.names = FALSE, quote = FALSE)
}
pseudo_r2 <- function(ll, ll0, n)
  c(mcfadden = 1 - ll / ll0,
    nagelkerke = (1 - exp(2 * (ll0 - ll) / n)) / (1 - exp(2 * ll0 / n)))
normal_p <- function(z) 2 * pnorm(-abs(z))

## ------------------------------------------------------------ models ----

# 1. OLS: a power, a logarithm, a rescaled income, scale() of a backticked
# column and its interaction with a Chinese-named category.  scale() is
# evaluated in the model frame before na.omit, on every row where `Trust 1`
# is present, as brisk takes it; the check below says so.
f_ols <- 满意度 ~ 年龄 + I(年龄^2) + log(income) + scale(`Trust 1`) * 城市 + I(income/1000)
ols <- lm(f_ols, data = d)
local({
  t1 <- d$`Trust 1`
  z <- (t1 - mean(t1, na.rm = TRUE)) / sd(t1, na.rm = TRUE)
  used <- as.integer(rownames(model.frame(ols)))
  stopifnot(length(used) < sum(!is.na(t1)),
            abs(model.matrix(ols)[, "scale(`Trust 1`)"] - z[used]) < 1e-12)
  ct <- coef(summary(ols)); s <- summary(ols)
  write_coef("formula_ols", rename_terms(rownames(ct)), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit("formula_ols", c(n = nobs(ols), n_dropped = n - nobs(ols), r2 = s$r.squared,
                             adj_r2 = s$adj.r.squared, sigma = s$sigma,
                             df_resid = ols$df.residual, F = unname(s$fstatistic["value"]),
                             logLik = as.numeric(logLik(ols)), AIC = AIC(ols), BIC = BIC(ols)))
})

# 1b. OLS of a function of the outcome
ols_log <- lm(log(income) ~ 年龄 + I(年龄^2) + sqrt(`Trust 1`) + 城市, data = d)
local({
  ct <- coef(summary(ols_log)); s <- summary(ols_log)
  write_coef("formula_ols_log", rename_terms(rownames(ct)), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit("formula_ols_log", c(n = nobs(ols_log), n_dropped = n - nobs(ols_log),
                                 r2 = s$r.squared, adj_r2 = s$adj.r.squared, sigma = s$sigma,
                                 df_resid = ols_log$df.residual,
                                 F = unname(s$fstatistic["value"]),
                                 logLik = as.numeric(logLik(ols_log)), AIC = AIC(ols_log),
                                 BIC = BIC(ols_log)))
})

# 1c. OLS with a slope per city: scale(`Trust 1`):城市 without the main
# effect of scale(`Trust 1`) codes 城市 by all its levels (R's TermCode)
ols_nested <- lm(满意度 ~ scale(`Trust 1`):城市 + 年龄 + 城市, data = d)
local({
  ct <- coef(summary(ols_nested)); s <- summary(ols_nested)
  stopifnot(nrow(ct) == 1 + 1 + 2 + 3)
  write_coef("formula_nested", rename_terms(rownames(ct)), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit("formula_nested", c(n = nobs(ols_nested), n_dropped = n - nobs(ols_nested),
                                r2 = s$r.squared, adj_r2 = s$adj.r.squared, sigma = s$sigma,
                                df_resid = ols_nested$df.residual,
                                F = unname(s$fstatistic["value"]),
                                logLik = as.numeric(logLik(ols_nested)),
                                AIC = AIC(ols_nested), BIC = BIC(ols_nested)))
})

# 2. logit: log10(), sqrt(), exp() of arithmetic on a backticked column
f_logit <- approve01 ~ log10(income) + sqrt(年龄) + exp(`Trust 1`/5) + 城市
logit <- glm(f_logit, family = binomial, data = d,
             control = glm.control(epsilon = 1e-14, maxit = 100))  # SEs to 1e-6 (the default
                                                                    # stops 4.5e-6 short)
local({
  stopifnot(logit$converged)
  ct <- coef(summary(logit))
  write_coef("formula_logit", rename_terms(rownames(ct)), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  ll <- as.numeric(logLik(logit)); ll0 <- -logit$null.deviance / 2
  write_fit("formula_logit", c(n = nobs(logit), n_dropped = n - nobs(logit), logLik = ll,
                               AIC = AIC(logit), BIC = BIC(logit), logLik_null = ll0,
                               pseudo_r2(ll, ll0, nobs(logit))))
})

# 3. ordinal::clm: scale(), a negated rescaled income plus a constant, a
# bare backticked column
f_clm <- factor(approval, ordered = TRUE) ~ scale(年龄) + I(-income/1000 + 2) + `Trust 1`
clm_fit <- clm(f_clm, data = d)
local({
  used <- complete.cases(d[c("approval", "年龄", "income", "Trust 1")])
  dd <- d
  dd$s_age <- (d$年龄 - mean(d$年龄, na.rm = TRUE)) / sd(d$年龄, na.rm = TRUE)
  null <- clm(factor(approval, ordered = TRUE) ~ 1, data = dd[used, ])
  est <- coef(clm_fit); se <- sqrt(diag(vcov(clm_fit)))[names(est)]
  write_coef("formula_clm", rename_terms(names(est)), est, se, est / se, normal_p(est / se))
  ll <- as.numeric(logLik(clm_fit)); ll0 <- as.numeric(logLik(null)); nn <- nobs(clm_fit)
  write_fit("formula_clm", c(logLik = ll, AIC = AIC(clm_fit), BIC = BIC(clm_fit), n = nn,
                             n_dropped = n - nn, logLik_null = ll0, pseudo_r2(ll, ll0, nn)))
})

# 4. svyglm with sampling weights: scale() stays unweighted (the model
# frame's scale(), not a weighted one), over every row where 年龄 is present
des <- svydesign(ids = ~1, weights = ~w, data = d)
f_svy <- 满意度 ~ scale(年龄) + log(income) + 城市
svy <- svyglm(f_svy, design = des)
local({
  ct <- coef(summary(svy))
  write_coef("formula_svyglm", rename_terms(rownames(ct)), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  nn <- nrow(model.matrix(svy))
  write_fit("formula_svyglm", c(n = nn, n_dropped = n - nn, df_resid = svy$df.residual))
})

# 5. A survey's behaviours: the bundled Rongcheng survey (-99 missing; no
# reversed item used), svyglm per behaviour of
#   brisk regress rongcheng --formula
#     'acc1_{b} ~ scale(age) + log(pb1_{b}) + I(tg1^2) + scale(`pb2_{b}`):gender'
# scale() over the respondents where its column is present
rc <- read.csv("surveys/rongcheng/rongcheng.csv")
rc[rc == -99] <- NA
rc_des <- svydesign(ids = ~1, weights = ~weight, data = rc)
for (b in c("crime", "fees", "internet", "litter")) {
  f <- as.formula(sprintf("acc1_%s ~ scale(age) + log(pb1_%s) + I(tg1^2) + scale(pb2_%s):gender",
                          b, b, b))
  fit <- svyglm(f, design = rc_des)
  ct <- coef(summary(fit))
  nn <- nrow(model.matrix(fit))
  write_coef(paste0("rc_b_fn_", b), rownames(ct), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit(paste0("rc_b_fn_", b), c(n = nn, n_dropped = nrow(rc) - nn,
                                     df_resid = fit$df.residual, clusters = nn))
}

# 6. With --where: the acceptance score of crime ([scores]: the mean of
# acc1..acc3; trust the mean of at least 2 of tg1..tg3) on the respondents
# with education > 1, as svydesign(data = subset(...)): scale() over the
# rows kept.  tests/cli/cli.sh (t_regress_behaviours) asserts these values.
local({
  d <- rc
  d$accept_crime <- rowMeans(d[c("acc1_crime", "acc2_crime", "acc3_crime")])
  tg <- d[c("tg1", "tg2", "tg3")]
  d$trust <- ifelse(rowSums(!is.na(tg)) >= 2, rowMeans(tg, na.rm = TRUE), NA)
  s <- subset(d, education > 1)
  fit <- svyglm(accept_crime ~ scale(age) + log(trust) + urban,
                design = svydesign(ids = ~1, weights = ~weight, data = s))
  ct <- coef(summary(fit))
  nn <- nrow(model.matrix(fit))
  write_coef("rc_where_fn_crime", rownames(ct), ct[, 1], ct[, 2], ct[, 3], ct[, 4])
  write_fit("rc_where_fn_crime", c(n = nn, n_dropped = nrow(s) - nn,
                                   df_resid = fit$df.residual))
})

cat(sprintf("formula_ols    n %d, R2 %.4f, I(年龄^2) %.6f\n", nobs(ols), summary(ols)$r.squared,
            coef(ols)[["I(年龄^2)"]]))
cat(sprintf("formula_logit  n %d, logLik %.4f\n", nobs(logit), as.numeric(logLik(logit))))
cat(sprintf("formula_clm    n %d, logLik %.4f\n", nobs(clm_fit), as.numeric(logLik(clm_fit))))
cat(sprintf("formula_svyglm df %d, log(income) %.4f\n", svy$df.residual,
            coef(svy)[["log(income)"]]))
