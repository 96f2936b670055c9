# SPDX-License-Identifier: GPL-3.0-or-later
# make_clustered.R -- reference values for `brisk regress` on a survey's
# behaviours: one model per behaviour ({b} in the formula) and a model
# pooled over the rows of every behaviour of a long-layout survey, with
# standard errors clustered by respondent, from R's survey package.
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/regress/make_clustered.R
#
# Made with R 4.2.2 and survey 4.1-1 (Debian r-cran-survey), as
# make_reference.R.  `make check` does not need R: everything this script
# writes is committed.  It writes tests/reference/regress/NAME.coef.csv
# (term,est,se,stat,p) and NAME.fit.csv (measure,value) as make_reference.R
# does; README.md lists the models.
#
# The data are the bundled Rongcheng survey (surveys/rongcheng/), with the
# survey's rules applied by hand: -99 is missing, pr3_* is reversed as
# 6 - x.  Its long layout (one row per respondent and behaviour, a column
# 'behaviour' holding crime, fees, internet or litter, the items without
# their _crime ... suffix, the items asked once and the demographics
# repeated on every row) is made here from the wide file, as the command
# line tests and the unit tests make it.

suppressPackageStartupMessages(library(survey))
stopifnot(file.exists("tests/reference/regress/make_clustered.R"))  # run from the top
cat("survey", as.character(packageVersion("survey")), "\n")
invisible(Sys.setlocale("LC_COLLATE", "C"))  # brisk orders text levels bytewise
ref_dir <- "tests/reference/regress"

wide <- read.csv("surveys/rongcheng/rongcheng.csv")
for (v in names(wide)) wide[[v]][!is.na(wide[[v]]) & wide[[v]] == -99] <- NA
for (v in grep("^pr3_", names(wide), value = TRUE)) wide[[v]] <- 6 - wide[[v]]
keys <- c("crime", "fees", "internet", "litter")
per <- grep(paste0("_(", paste(keys, collapse = "|"), ")$"), names(wide), value = TRUE)
stems <- unique(sub("_[a-z]+$", "", per))
once <- setdiff(names(wide), per)
long <- do.call(rbind, lapply(keys, function(b) {
  part <- wide[, once]
  part$behaviour <- b
  for (s in stems) part[[s]] <- wide[[paste0(s, "_", b)]]
  part
}))
long$behaviour <- factor(long$behaviour, levels = sort(keys))
stopifnot(nrow(long) == 4 * nrow(wide))

fmt <- function(df) {
  for (v in names(df)) if (is.numeric(df[[v]])) df[[v]] <- sprintf("%.10g", df[[v]])
  df
}
write_coef <- function(name, term, est, se) {
  out <- data.frame(term = term, est = est, se = se, stat = est / se, p = NA_real_,
                    stringsAsFactors = FALSE)
  write.csv(fmt(out), file.path(ref_dir, paste0(name, ".coef.csv")), row.names = FALSE,
            quote = FALSE)
  out
}
write_fit <- function(name, values) {
  stopifnot(!anyNA(values))
  write.csv(data.frame(measure = names(values), value = sprintf("%.10g", unname(values))),
            file.path(ref_dir, paste0(name, ".fit.csv")), row.names = FALSE, quote = FALSE)
}
# R's names to brisk's: behaviourfees -> behaviour=fees; the wide names of
# a behaviour's items are kept (brisk shows pb1_crime in both layouts)
rename <- function(nm) sub("^behaviour", "behaviour=", nm)
complete <- function(data, vars) data[complete.cases(data[vars]), , drop = FALSE]

# svyglm: t tests on df.residual = degf(design) + 1 - p, which for a
# one-stage design is (clusters - 1) + 1 - p = clusters - p.
# the rows a model uses: complete in its variables
used <- function(formula, design) nrow(model.frame(formula, design$variables))
glm_ref <- function(name, formula, design, family = gaussian(), n_rows, clusters) {
  f <- svyglm(formula, design = design, family = family)
  n <- used(formula, design)
  ct <- coef(summary(f))
  out <- write_coef(name, rename(rownames(ct)), ct[, 1], ct[, 2])
  out$p <- ct[, 4]
  write.csv(fmt(out), file.path(ref_dir, paste0(name, ".coef.csv")), row.names = FALSE,
            quote = FALSE)
  stopifnot(f$df.residual == clusters - length(coef(f)))
  write_fit(name, c(n = n, n_dropped = n_rows - n,
                    df_resid = f$df.residual, clusters = clusters))
  cat(sprintf("%-26s n %d, clusters %d, df %d, %s %.4f (SE %.4f)\n", name,
              n, clusters, f$df.residual, rownames(ct)[2], ct[2, 1],
              ct[2, 2]))
}
# svyolr lists thresholds last; brisk lists them first, as clm; z tests.
# svyolr's BFGS (optim's default reltol 1e-8) stops up to 1.4e-3 short of
# the maximum on these data; its control is passed on to optim, so the
# references are made at reltol 1e-14, where the estimates stop moving.
# The SEs come from optim's Hessian by finite differences (about 1e-4
# relative off the analytic one).
olr_ref <- function(name, formula, design, n_rows, clusters) {
  f <- svyolr(formula, design = design, control = list(reltol = 1e-14, maxit = 10000))
  all <- coef(f)
  est <- c(all[grepl("|", names(all), fixed = TRUE)], all[!grepl("|", names(all), fixed = TRUE)])
  se <- sqrt(diag(vcov(f)))[names(est)]
  out <- write_coef(name, rename(names(est)), est, se)
  out$p <- 2 * pnorm(-abs(est / se))
  write.csv(fmt(out), file.path(ref_dir, paste0(name, ".coef.csv")), row.names = FALSE,
            quote = FALSE)
  n <- used(formula, design)
  write_fit(name, c(n = n, n_dropped = n_rows - n, clusters = clusters))
  cat(sprintf("%-26s n %d, clusters %d, %s %.4f (SE %.4f)\n", name, n,
              clusters, names(est)[1], est[1], se[1]))
}

## ------------------------------------------ one model per behaviour ----
# brisk regress rongcheng --formula 'acc1_{b} ~ age + gender + tg1 + pb1_{b}'
# (the survey's weight; each respondent once per behaviour: ids = ~1)
for (b in keys) {
  y <- paste0("acc1_", b); pb <- paste0("pb1_", b); pr <- paste0("pr3_", b)
  # the design on every respondent: svyglm leaves out those with a missing
  # value as a domain (their PSUs stay, with zero scores)
  d <- complete(wide, c(y, "age", "gender", "tg1", pb, "weight"))
  des <- svydesign(ids = ~1, weights = ~weight, data = wide)
  glm_ref(paste0("rc_b_ols_", b), as.formula(paste(y, "~ age + gender + tg1 +", pb)), des,
          n_rows = nrow(wide), clusters = nrow(d))
  # --family ordinal --formula 'acc1_{b} ~ age + pb1_{b} + pr3_{b}'
  d <- complete(wide, c(y, "age", pb, pr, "weight"))
  w2 <- wide
  w2[[y]] <- factor(w2[[y]], levels = sort(unique(d[[y]])))
  des <- svydesign(ids = ~1, weights = ~weight, data = w2)
  olr_ref(paste0("rc_b_olr_", b), as.formula(paste(y, "~ age +", pb, "+", pr)), des,
          n_rows = nrow(wide), clusters = nrow(d))
}

## ----------------------------------------- pooled over the long rows ----
# brisk regress long.survey --formula 'acc1 ~ age + gender + behaviour + pb1':
# every row of every behaviour, clustered by respondent
pooled <- function(vars, weights = ~weight) {
  d <- complete(long, c(vars, "weight"))
  list(d = d, des = svydesign(ids = ~id, weights = weights, data = long),
       clusters = length(unique(d$id)))
}
p <- pooled(c("acc1", "age", "gender", "behaviour", "pb1"))
glm_ref("rc_pooled_ols", acc1 ~ age + gender + behaviour + pb1, p$des, n_rows = nrow(long),
        clusters = p$clusters)
# --unweighted: the same design with equal weights
long1 <- long
long1$one <- 1
glm_ref("rc_pooled_ols_unweighted", acc1 ~ age + gender + behaviour + pb1,
        svydesign(ids = ~id, weights = ~one, data = long1), n_rows = nrow(long),
        clusters = p$clusters)
# --family logit: agreeing (the survey's agree = 4..5) or not
p <- pooled(c("acc1", "age", "gender", "behaviour"))
p$des <- update(p$des, agree = as.numeric(acc1 >= 4 & acc1 <= 5))
glm_ref("rc_pooled_logit", agree ~ age + gender + behaviour, p$des, quasibinomial(),
        n_rows = nrow(long), clusters = p$clusters)
# --family ordinal
p <- pooled(c("acc1", "age", "gender", "behaviour", "pb1"))
p$des <- update(p$des, acc1 = factor(acc1))
olr_ref("rc_pooled_olr", acc1 ~ age + gender + behaviour + pb1, p$des, n_rows = nrow(long),
        clusters = p$clusters)
cat("done\n")
