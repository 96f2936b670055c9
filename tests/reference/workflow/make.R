# SPDX-License-Identifier: GPL-3.0-or-later
# Reference values for brisk's data steps (issue [workflow]): construct
# scores ([scores]: mean, mean.N), filters (--where, filter =) with R's
# missing-value logic, and the regressions and fits on what they leave.
# Run from the top of the source tree:
#   Rscript tests/reference/workflow/make.R
# Writes tests/reference/workflow/values.csv (case,term,key,value), which
# tests/cli/workflow.sh compares with brisk's output to 1e-6.
suppressPackageStartupMessages({ library(survey); library(lavaan) })
out <- list()
put <- function(case, term, key, value)
  out[[length(out) + 1]] <<- data.frame(case = case, term = term, key = key,
                                        value = sprintf("%.12g", value))

# The bundled Rongcheng survey as brisk reads it: -99 is missing in items
# and demographics, pr3 is reverse-keyed on 1..5.
d <- read.csv("surveys/rongcheng/rongcheng.csv")
d[d == -99] <- NA
b <- c("crime", "fees", "internet", "litter")
for (k in b) {
  d[[paste0("pr3_", k)]] <- 6 - d[[paste0("pr3_", k)]]
  for (sc in list(c("accept_", "acc"), c("benefit_", "pb"), c("risk_", "pr")))
    d[[paste0(sc[1], k)]] <- rowMeans(d[, paste0(sc[2], 1:3, "_", k)])   # every answer
}
tg <- d[, c("tg1", "tg2", "tg3")]
d$trust <- ifelse(rowSums(!is.na(tg)) >= 2, rowMeans(tg, na.rm = TRUE), NA)   # mean.2

# brisk describe's Scores table: n, the weighted mean and SD (svyvar's)
for (v in c(paste0(rep(c("accept_", "benefit_", "risk_"), each = 4), b), "trust")) {
  x <- d[[v]]
  ok <- !is.na(x); w <- d$weight[ok]; x <- x[ok]
  m <- sum(w * x) / sum(w)
  put("describe", v, "n", length(x)); put("describe", v, "mean", m)
  put("describe", v, "sd", sqrt(sum(w * (x - m)^2) / sum(w) * length(x) / (length(x) - 1)))
}

coefs <- function(case, fit) {
  s <- summary(fit)$coefficients
  for (t in rownames(s)) {
    put(case, t, "est", s[t, 1]); put(case, t, "se", s[t, 2])
  }
}
svy <- function(data, f) {
  des <- svydesign(ids = ~1, weights = ~weight, data = data)
  svyglm(f, design = des)
}
# R's subset(): a row whose condition is NA is left out
keep <- function(cond) !is.na(cond) & cond

for (k in b) {
  f <- as.formula(paste0("accept_", k, " ~ age + gender + education + urban"))
  coefs(paste0("scores.", k), svy(d, f))
  w <- d[keep(d$age >= 2 & d$income != 1), ]
  coefs(paste0("where.", k), svy(w, f))
}
# three-valued logic: NA | TRUE is TRUE, NA & FALSE is FALSE
w <- d[keep(d$income > 3 | d$urban == 1), ]
coefs("or.trust", svy(w, trust ~ age + education))
w <- d[keep(!(d$education <= 2) & d$gender == 1), ]
coefs("not.trust", svy(w, trust ~ age + income))
put("or.trust", "rows", "rows", nrow(d[keep(d$income > 3 | d$urban == 1), ]))

# --data with --where: an unweighted lm, and a lavaan CFA on the rows kept
hs <- read.csv("tests/data/hs.csv")
hsw <- hs[keep(hs$school == "Pasteur" & hs$ageyr >= 13), ]
coefs("data.lm", lm(x1 ~ x2 + x3, data = hsw))
fit <- cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
           data = hsw)
put("data.cfa", "fit", "chisq", fitMeasures(fit, "chisq"))
put("data.cfa", "fit", "ntotal", nobs(fit))
pe <- parameterEstimates(fit)
for (i in which(pe$op == "=~"))
  put("data.cfa", paste0(pe$lhs[i], "=~", pe$rhs[i]), "est", pe$est[i])

write.csv(do.call(rbind, out), "tests/reference/workflow/values.csv", row.names = FALSE,
          quote = FALSE)
