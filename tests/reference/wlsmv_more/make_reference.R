# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- lavaan 0.6-14's WLSMV beyond the delta
# parameterization on complete ordered items: the theta parameterization
# (parameterization = "theta").  Run from the top of the source tree:
#
#     Rscript tests/reference/wlsmv_more/make_reference.R
#
# `make check` does not need R: what this writes is committed and read by
# tests/cli/wlsmv_more.sh.  It writes tests/data/hs_cat.csv (HS's x1..x9
# cut into four categories at their quartiles, as u1..u9) and, per case
# NAME,
#   NAME.lav          the model
#   NAME.params.csv   group,lhs,op,rhs,est,se: every parameterEstimates() row
#                     (group 0 without groups; ~1 rows of 0 left out, and
#                     the delta parameterization's ~*~ rows, all 1)
#   NAME.fit.csv      measure,value: fitMeasures() that brisk prints (ntotal:
#                     the respondents used, every group's)
suppressMessages(library(lavaan))
if (packageVersion("lavaan") != "0.6.14") warning("made with lavaan 0.6-14")
out <- "tests/reference/wlsmv_more"

hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)
hs_cat <- data.frame(id = hs$id, school = hs$school)
for (i in 1:9) {
  x <- hs[[paste0("x", i)]]
  hs_cat[[paste0("u", i)]] <- cut(x, breaks = quantile(x, c(0, .25, .5, .75, 1)),
                                  include.lowest = TRUE, labels = FALSE)
}
for (i in 1:9) hs_cat[[paste0("x", i)]] <- hs[[paste0("x", i)]]
write.csv(hs_cat, "tests/data/hs_cat.csv", row.names = FALSE, quote = FALSE)
hs_cat <- read.csv("tests/data/hs_cat.csv", stringsAsFactors = FALSE)
bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)

# rongcheng.survey's [model] for behaviour crime (every item ordered, no
# weights): its 18 items with -99 -> NA, pr3_crime reversed (6 - x),
# complete cases (358 of 600), as brisk's survey fit takes them
source("tests/reference/wlsmv_more/rongcheng_data.R")
rc_model <- rongcheng_model("crime")
rc_items <- rongcheng_items(rc_model)
rc <- rongcheng_answers("crime", rc_items)
rc_all <- rc[rowSums(!is.na(rc)) > 0, ]   # pairwise: every row with an answer
rc <- rc[complete.cases(rc), ]
stopifnot(length(rc_items) == 18, nrow(rc) == 358)

bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconscientious =~ C1 + C2 + C3 + C4 + C5\n"
hs_model <- "visual =~ u1 + u2 + u3\ntextual =~ u4 + u5 + u6\nspeed =~ u7 + u8 + u9\n"
hs_sem <- "visual =~ u1 + u2 + u3\ntextual =~ u4 + u5 + u6\nspeed =~ u7 + u8 + u9\nspeed ~ visual + textual\n"
cases <- list(
  list(name = "bfi_theta", model = bfi_model, data = "bfi", group = NULL,
       ordered = c(paste0("A", 1:5), paste0("C", 1:5)), args = list(parameterization = "theta")),
  list(name = "bfi_theta_group", model = bfi_model, data = "bfi", group = "gender",
       ordered = c(paste0("A", 1:5), paste0("C", 1:5)), args = list(parameterization = "theta")),
  list(name = "hs_theta", model = hs_model, data = "hs_cat", group = NULL,
       ordered = paste0("u", 1:9), args = list(parameterization = "theta")),
  list(name = "hs_theta_sem", model = hs_sem, data = "hs_cat", group = NULL,
       ordered = paste0("u", 1:9), args = list(parameterization = "theta")),
  # the survey's fit names its one group by the behaviour: group 1
  list(name = "rongcheng_theta", model = rc_model, data = "rc", group = NULL, label = 1,
       ordered = rc_items, args = list(parameterization = "theta")),
  # missing = "pairwise": thresholds from each item's answers, polychorics
  # from each pair's, every row with an answer (lavaan's default is listwise)
  list(name = "bfi_pairwise", model = bfi_model, data = "bfi", group = NULL,
       ordered = c(paste0("A", 1:5), paste0("C", 1:5)), args = list(missing = "pairwise")),
  list(name = "bfi_pairwise_group", model = bfi_model, data = "bfi", group = "gender",
       ordered = c(paste0("A", 1:5), paste0("C", 1:5)), args = list(missing = "pairwise")),
  list(name = "bfi_pairwise_theta", model = bfi_model, data = "bfi", group = NULL,
       ordered = c(paste0("A", 1:5), paste0("C", 1:5)),
       args = list(missing = "pairwise", parameterization = "theta")),
  list(name = "rongcheng_pairwise", model = rc_model, data = "rc_all", group = NULL, label = 1,
       ordered = rc_items, args = list(missing = "pairwise"))
)

measures <- c("ntotal", "npar", "chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi", "tli",
              "rmsea", "srmr", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust",
              "tli.robust", "rmsea.robust", "baseline.chisq", "baseline.chisq.scaled")
for (cs in cases) {
  d <- get(cs$data)
  fit <- do.call("sem", c(list(model = cs$model, data = d, ordered = cs$ordered,
                             estimator = "WLSMV"),
                        if (is.null(cs$group)) list() else list(group = cs$group), cs$args))
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- if (is.null(cs$label)) 0 else cs$label
  pe <- pe[!(pe$op == "~1" & pe$se == 0 & pe$est == 0), ]
  # the delta parameterization's scale factors are 1 (brisk lists none)
  if (!identical(cs$args$parameterization, "theta")) pe <- pe[pe$op != "~*~", ]
  writeLines(c(sprintf("# %s: %s", cs$name, deparse(cs$args)), sub("\n$", "", cs$model)),
             file.path(out, paste0(cs$name, ".lav")))
  write.csv(data.frame(group = pe$group, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                       est = sprintf("%.10g", pe$est), se = sprintf("%.10g", pe$se)),
            file.path(out, paste0(cs$name, ".params.csv")), row.names = FALSE, quote = FALSE)
  fm <- fitMeasures(fit, measures)
  write.csv(data.frame(measure = names(fm), value = sprintf("%.10g", unname(fm))),
            file.path(out, paste0(cs$name, ".fit.csv")), row.names = FALSE, quote = FALSE)
  cat(cs$name, "nobs", lavInspect(fit, "nobs"), "chisq", fm[["chisq"]], "\n")
}

## brisk invariance --missing pairwise: bfi by gender, configural, metric
## and equal thresholds, with lavTestLRT's scaled-shifted differences
## (bfi_pairwise_invariance.csv; tests/cli/wlsmv_more.sh)
items <- c(paste0("A", 1:5), paste0("C", 1:5))
levels <- list("", "loadings", c("loadings", "thresholds"))
inv <- lapply(levels, function(eq)
  sem(bfi_model, data = bfi, group = "gender", ordered = items, estimator = "WLSMV",
      missing = "pairwise", group.equal = eq))
lrt <- lavTestLRT(inv[[1]], inv[[2]], inv[[3]])
fm <- t(sapply(inv, fitMeasures, c("npar", "chisq", "df", "chisq.scaled")))
write.csv(data.frame(level = c("Configural", "Metric", "Scalar"),
                     npar = fm[, "npar"], chisq = sprintf("%.10g", fm[, "chisq"]),
                     df = fm[, "df"], chisq_scaled = sprintf("%.10g", fm[, "chisq.scaled"]),
                     chisq_diff = sprintf("%.10g", lrt[["Chisq diff"]]),
                     df_diff = lrt[["Df diff"]],
                     pvalue_diff = sprintf("%.10g", lrt[["Pr(>Chisq)"]])),
          file.path(out, "bfi_pairwise_invariance.csv"), row.names = FALSE, quote = FALSE)
