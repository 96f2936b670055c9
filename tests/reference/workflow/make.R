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
  acc <- d[, paste0(c("acc1_", "acc2_", "acc3_"), k)]
  d[[paste0("accept_", k)]] <- rowMeans(acc)              # every answer needed
}
tg <- d[, c("tg1", "tg2", "tg3")]
d$trust <- ifelse(rowSums(!is.na(tg)) >= 2, rowMeans(tg, na.rm = TRUE), NA)   # mean.2

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
put("or.trust", "rows", "n", nrow(d[keep(d$income > 3 | d$urban == 1), ]))

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
