# SPDX-License-Identifier: GPL-3.0-or-later
# make_mixed.R -- lavaan 0.6-14's WLSMV with ordered and continuous
# indicators together (ordered = some of the model's items): polyserial
# and Pearson correlations beside the polychoric ones, the continuous
# items' means and variances among the statistics.  Run from the top of
# the source tree:
#
#     Rscript tests/reference/wlsmv_more/make_mixed.R
#
# `make check` does not need R: tests/cli/wlsmv_more.sh reads what this
# writes, per case NAME, in make_reference.R's format (NAME.lav,
# NAME.params.csv, NAME.fit.csv); fit measures lavaan leaves NA (its
# robust CFI/TLI/RMSEA, which it does not compute with continuous items)
# are left out.  The data: tests/data/hs_cat.csv (HS's x1..x9 and the same
# cut at their quartiles as u1..u9; see make_reference.R).
suppressMessages(library(lavaan))
if (packageVersion("lavaan") != "0.6.14") warning("made with lavaan 0.6-14")
out <- "tests/reference/wlsmv_more"
hs_cat <- read.csv("tests/data/hs_cat.csv", stringsAsFactors = FALSE)

# rongcheng.survey's [model] for behaviour crime with its acceptance items
# declared ordered (ordered = acc1_{b} acc2_{b} acc3_{b}), the other 15
# continuous: -99 -> NA, pr3_crime reversed (6 - x), complete cases (358 of
# 600), as brisk's survey fit takes them (make_reference.R's rc)
source("tests/reference/wlsmv_more/rongcheng_data.R")
rc_model <- rongcheng_model("crime")
rc_items <- rongcheng_items(rc_model)
rc <- rongcheng_answers("crime", rc_items)
rc <- rc[complete.cases(rc), ]
stopifnot(length(rc_items) == 18, nrow(rc) == 358)

bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconscientious =~ C1 + C2 + C3 + C4 + C5\n"
cfa3 <- "visual =~ x1 + u2 + u3\ntextual =~ x4 + x5 + u6\nspeed =~ u7 + x8 + u9\n"
sem3 <- paste0(cfa3, "speed ~ visual + textual\n")
cov2 <- "visual =~ x1 + u2 + u3\ntextual =~ x4 + x5 + u6\nvisual ~ x7 + x9\ntextual ~ x7\n"
two <- "visual =~ x1 + x2 + u3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + u8 + x9\n"
cases <- list(
  list(name = "hs_mixed", model = cfa3, group = NULL, ordered = c("u2", "u3", "u6", "u7", "u9")),
  list(name = "hs_mixed_sem", model = sem3, group = NULL, ordered = c("u2", "u3", "u6", "u7", "u9")),
  list(name = "hs_mixed_group", model = cfa3, group = "school",
       ordered = c("u2", "u3", "u6", "u7", "u9")),
  list(name = "hs_mixed_two", model = two, group = NULL, ordered = c("u3", "u8")),
  # the theta parameterization: the ordered items' scale factors derived,
  # the continuous items' not rescaled
  list(name = "hs_mixed_theta", model = sem3, group = NULL,
       ordered = c("u2", "u3", "u6", "u7", "u9"), args = list(parameterization = "theta")),
  list(name = "hs_mixed_theta_group", model = cfa3, group = "school",
       ordered = c("u2", "u3", "u6", "u7", "u9"), args = list(parameterization = "theta")),
  # thresholds held equal across groups (delta): the later groups' scale
  # factors of the ordered items free, none for the continuous ones, whose
  # intercepts lavaan holds equal with the thresholds (the same fit as
  # group.equal = c("loadings", "thresholds", "intercepts"))
  list(name = "hs_mixed_equal", model = cfa3, group = "school",
       ordered = c("u2", "u3", "u6", "u7", "u9"),
       args = list(group.equal = c("loadings", "thresholds"))),
  # covariates (lavaan's conditional.x): each item's regression on them
  # (probit or linear), the correlations of what they leave
  list(name = "hs_mixed_cov", model = cov2, group = NULL, ordered = c("u2", "u3", "u6")),
  list(name = "hs_mixed_cov_group", model = cov2, group = "school",
       ordered = c("u2", "u3", "u6")),
  # bfi's agreeableness items ordered, its conscientiousness items taken as
  # continuous: listwise (2,632 rows) and pairwise (every row with an
  # answer: the continuous items' moments from their answers, the Pearson
  # correlations the bivariate normal's ML over those who answered both)
  list(name = "bfi_mixed", model = bfi_model, data = "bfi", group = NULL,
       ordered = paste0("A", 1:5)),
  list(name = "bfi_mixed_pairwise", model = bfi_model, data = "bfi", group = NULL,
       ordered = paste0("A", 1:5), args = list(missing = "pairwise")),
  list(name = "bfi_mixed_pairwise_group", model = bfi_model, data = "bfi", group = "gender",
       ordered = paste0("A", 1:5), args = list(missing = "pairwise")),
  # the survey's fit names its one group by the behaviour: group 1
  list(name = "rongcheng_mixed", model = rc_model, data = "rc", group = NULL, label = 1,
       ordered = c("acc1_crime", "acc2_crime", "acc3_crime"))
)
measures <- c("ntotal", "npar", "chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi", "tli",
              "rmsea", "srmr", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust",
              "tli.robust", "rmsea.robust", "baseline.chisq", "baseline.chisq.scaled")
for (cs in cases) {
  d <- if (is.null(cs$data)) hs_cat else get(cs$data)
  fit <- do.call("sem", c(list(model = cs$model, data = d, ordered = cs$ordered,
                             estimator = "WLSMV"),
                        if (is.null(cs$group)) list() else list(group = cs$group), cs$args))
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- if (is.null(cs$label)) 0 else cs$label
  pe <- pe[!(pe$op == "~1" & pe$se == 0 & pe$est == 0), ]
  # the delta parameterization's scale factors are 1 (brisk lists none)
  # unless thresholds are held equal (the later groups' are free)
  if (!identical(cs$args$parameterization, "theta") &&
      !("thresholds" %in% cs$args$group.equal)) pe <- pe[pe$op != "~*~", ]
  writeLines(c(sprintf("# %s: ordered = %s %s", cs$name, paste(cs$ordered, collapse = ","),
                       if (is.null(cs$args)) "" else deparse(cs$args)),
               sub("\n$", "", cs$model)), file.path(out, paste0(cs$name, ".lav")))
  write.csv(data.frame(group = pe$group, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                       est = sprintf("%.10g", pe$est), se = sprintf("%.10g", pe$se)),
            file.path(out, paste0(cs$name, ".params.csv")), row.names = FALSE, quote = FALSE)
  fm <- fitMeasures(fit, measures)
  fm <- fm[!is.na(fm)]
  write.csv(data.frame(measure = names(fm), value = sprintf("%.10g", unname(fm))),
            file.path(out, paste0(cs$name, ".fit.csv")), row.names = FALSE, quote = FALSE)
  cat(cs$name, "chisq", fm[["chisq"]], "scaled", fm[["chisq.scaled"]], "\n")
}

## brisk invariance of a mixed model: rongcheng.survey's behaviour fees
## with its acceptance items ordered, by urban, configural, metric and
## scalar (thresholds, which hold the continuous items' intercepts equal
## too), with lavTestLRT's scaled-shifted differences
## (rongcheng_mixed_invariance.csv; tests/cli/wlsmv_more.sh)
fees_model <- rongcheng_model("fees")
fees <- rongcheng_answers("fees", sub("crime", "fees", rc_items), "urban")
fees <- fees[complete.cases(fees), ]
levels <- list("", "loadings", c("loadings", "thresholds"))
inv <- lapply(levels, function(eq)
  sem(fees_model, data = fees, group = "urban", ordered = c("acc1_fees", "acc2_fees", "acc3_fees"),
      estimator = "WLSMV", group.equal = eq))
lrt <- lavTestLRT(inv[[1]], inv[[2]], inv[[3]])
fm <- t(sapply(inv, fitMeasures, c("npar", "chisq", "df", "chisq.scaled")))
write.csv(data.frame(level = c("Configural", "Metric", "Scalar"),
                     npar = fm[, "npar"], chisq = sprintf("%.10g", fm[, "chisq"]),
                     df = fm[, "df"], chisq_scaled = sprintf("%.10g", fm[, "chisq.scaled"]),
                     chisq_diff = sprintf("%.10g", lrt[["Chisq diff"]]),
                     df_diff = lrt[["Df diff"]],
                     pvalue_diff = sprintf("%.10g", lrt[["Pr(>Chisq)"]])),
          file.path(out, "rongcheng_mixed_invariance.csv"), row.names = FALSE, quote = FALSE)
cat("invariance rows", nrow(fees), "\n")

## modification indices of a mixed fit (hs_mixed): every row lavaan's
## modindices() lists, MI, EPC and sepc.all (hs_mixed.mi.csv)
fit <- sem(cfa3, data = hs_cat, ordered = c("u2", "u3", "u6", "u7", "u9"), estimator = "WLSMV")
mi <- modindices(fit)
write.csv(data.frame(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, mi = sprintf("%.10g", mi$mi),
                     epc = sprintf("%.10g", mi$epc), sepc_all = sprintf("%.10g", mi$sepc.all)),
          file.path(out, "hs_mixed.mi.csv"), row.names = FALSE, quote = FALSE)
