# SPDX-License-Identifier: GPL-3.0-or-later
# Reference values for `brisk describe` on the bundled Rongcheng survey.
#
#   Rscript tests/reference/describe.R     (from the top of the source tree)
#
# Needs r-base-core and r-cran-survey (Debian).  Writes
# tests/reference/describe_rongcheng.csv, which tests/unit/test_stats.c
# compares with brisk's own numbers; `make check` does not need R.
#
# What the survey says is applied here by hand, independently of brisk:
# -99 is missing, pr3_* is reverse-keyed (6 - x), agreement is 4..5.
suppressPackageStartupMessages(library(survey))

d <- read.csv("surveys/rongcheng/rongcheng.csv")
items <- grep("^(tg|pc|pm|pb|pr|acc)[0-9]", names(d), value = TRUE)
for (v in items) {
  d[[v]][d[[v]] == -99] <- NA
  if (grepl("^pr3_", v)) d[[v]] <- 6 - d[[v]]
}
des <- svydesign(ids = ~1, weights = ~weight, data = d)

rows <- lapply(items, function(v) {
  x <- d[[v]]
  ok <- !is.na(x)
  n <- sum(ok)
  agree <- sum(x[ok] >= 4)
  ci <- prop.test(agree, n, correct = FALSE)$conf.int   # Wilson score interval
  pct <- sapply(1:5, function(k) 100 * mean(x[ok] == k))
  # Weighted: survey::svymean / svyvar on the respondents who answered.
  sub <- subset(des, !is.na(d[[v]]))
  f <- as.formula(paste0("~", v))
  wmean <- coef(svymean(f, sub))
  wvar <- coef(svyvar(f, sub))
  w <- d$weight[ok]
  wpct <- sapply(1:5, function(k) 100 * sum(w[x[ok] == k]) / sum(w))
  p <- sum(w[x[ok] >= 4]) / sum(w)
  neff <- sum(w)^2 / sum(w^2)
  # Design-based (brisk describe with a weight): the mean's SE and deff
  # ("replace"), and % agree's logit interval (svyciprop) with the whole
  # design's degrees of freedom; the subset keeps the design's 600 PSUs.
  m <- svymean(f, sub, deff = "replace")
  sub <- update(sub, agree = as.numeric(d[[v]][!is.na(d[[v]])] >= 4))
  wci <- svyciprop(~agree, sub, method = "logit", df = degf(des))
  pm <- svymean(~agree, sub)
  c(n = n, mean = mean(x[ok]), sd = sd(x[ok]), median = median(x[ok]),
    setNames(pct, paste0("pct_", 1:5)),
    agree_pct = 100 * agree / n, agree_ci_lower = 100 * ci[1], agree_ci_upper = 100 * ci[2],
    w_mean = unname(wmean), w_sd = sqrt(unname(wvar)),
    setNames(wpct, paste0("w_pct_", 1:5)),
    w_agree_pct = 100 * p, w_agree_ci_lower = 100 * confint(wci)[1],
    w_agree_ci_upper = 100 * confint(wci)[2], n_eff = neff,
    w_mean_se = unname(SE(m)), w_deff = unname(deff(m)), w_agree_se = 100 * unname(SE(pm)))
})
out <- data.frame(item = items, do.call(rbind, rows))
write.csv(out, "tests/reference/describe_rongcheng.csv", row.names = FALSE, quote = FALSE)
cat("wrote", nrow(out), "items\n")
