# SPDX-License-Identifier: GPL-3.0-or-later
# Reference values for constraints (==, <, > in model syntax):
# lavaan 0.6 fits linear equality constraints by reparameterisation (its
# K matrix), reports npar as the free parameters less the independent
# constraints, adds one df per independent constraint, and takes the SEs
# from K (K' I K)^-1 K'.  Inequalities it fits with nlminb.constr; those
# active at the solution (within 1e-5 of their bound) count as equalities
# in the SEs (its augmented information) but not in npar and df.
# Run from the top of the source tree:
#   Rscript tests/reference/constraints/make.R
# Writes NAME.params.csv (every row: lhs, op, rhs, label, est, se) and
# NAME.fit.csv (measure, value) for each NAME.lav here.
suppressMessages(library(lavaan))
if (as.character(packageVersion("lavaan")) != "0.6.14")
    warning("made with lavaan 0.6-14; this is ", packageVersion("lavaan"))
dir <- "tests/reference/constraints"
hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
bfi <- read.csv("tests/data/bfi.csv")
# made-up sampling weights on hs (constraints.sh writes the same column)
hsw <- hs
hsw$w <- 1 + (hs$id %% 3) / 2
# name, data, lavaan's options (NAME_mlr fits NAME.lav by MLR)
models <- list(hs_equal = list(hs), hs_effect = list(hs), hs_linear = list(hs),
               hs_redundant = list(hs), pd_equal = list(pd),
               hs_linear_mlr = list(hs, estimator = "MLR"),
               hs_groups = list(hs, group = "school"),
               bfi_fiml = list(bfi, missing = "ml"),
               hs_ineq_active = list(hs), hs_ineq_inactive = list(hs),
               hs_ineq_bounds = list(hs),
               hs_linear_weights = list(hsw, sampling.weights = "w"),
               hs_linear_cluster = list(hs, cluster = "agemo"))
for (name in names(models)) {
    # NAME_mlr, NAME_weights, NAME_cluster: model NAME.lav with those options
    mlr <- grepl("_(mlr|weights|cluster)$", name)
    text <- paste(readLines(file.path(dir, paste0(sub("_(mlr|weights|cluster)$", "", name),
                                                  ".lav"))), collapse = "\n")
    # lavaan's spelling of a freed and labelled first loading
    text <- gsub("NA*b1*x1", "NA*x1 + b1*x1", text, fixed = TRUE)
    args <- models[[name]]
    fit <- suppressWarnings(do.call("sem", c(list(text, data = args[[1]]), args[-1])))
    pe <- parameterEstimates(fit)
    pe <- pe[pe$op != "==", c("lhs", "op", "rhs", "label", "est", "se", "z")]
    write.csv(pe, file.path(dir, paste0(name, ".params.csv")), row.names = FALSE)
    keys <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
    if (mlr)
        keys <- c(keys, "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
                  "rmsea.robust")
    fm <- fitMeasures(fit, keys)
    write.csv(data.frame(measure = keys, value = unname(fm[keys])),
              file.path(dir, paste0(name, ".fit.csv")), row.names = FALSE)
}
# pd_equal is the fit of the shared labels: check it
labels <- sem(paste(readLines("tests/reference/sem/pd_labels.lav"), collapse = "\n"), data = pd)
eq <- read.csv(file.path(dir, "pd_equal.fit.csv"))
stopifnot(abs(eq$value[eq$measure == "chisq"] - fitMeasures(labels, "chisq")) < 1e-6,
          eq$value[eq$measure == "df"] == fitMeasures(labels, "df"))
