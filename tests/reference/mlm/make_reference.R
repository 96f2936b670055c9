# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for brisk's estimator MLM, from
# lavaan 0.6-14 (estimator = "MLM": ML estimates on complete data,
# se = "robust.sem", test = "satorra.bentler").
#
# Run from the top of the source tree (about 3 s):
#
#     Rscript tests/reference/mlm/make_reference.R
#
# make check does not need R: everything written here is committed.
# Writes, for each case NAME:
#   NAME.lav          the model (a comment header names the lavaan call)
#   NAME.params.csv   parameterEstimates(fit, standardized = TRUE): group,
#                     lhs, op, rhs, label, free, est, se, z, pvalue, std_lv,
#                     std_all (group 1 without groups)
#   NAME.fit.csv      measure,value: every fitMeasures(fit), "." -> "_"
#   NAME.std.csv      standardizedSolution(fit): group, lhs, op, rhs, std_all
#                     and its delta-method SE (from the robust.sem vcov)
# and hs_mlm_invariance.csv: HS by school at four levels of equality
# (configural, metric, scalar, strict) with lavTestLRT's differences, whose
# default for MLM is Satorra and Bentler's (2001) scaled difference.
#
# The cases:
#   hs_mlm        cfa(model, data = hs, estimator = "MLM")
#   pd_mlm        sem(model, data = pd, estimator = "MLM")  (lavaan's tutorial
#                 Political Democracy model)
#   hs_mlm_group  cfa(model, data = hs, group = "school", estimator = "MLM")
#   hs_mlm_metric the same with group.equal = "loadings"
#   path_mlm      sem(model, data = path, estimator = "MLM"): observed
#                 covariates (fixed.x), tests/reference/sem/path_fixedx.lav
#   hs_mlm_equal  cfa(model, data = hs, estimator = "MLM") of
#                 tests/reference/constraints/hs_equal.lav (a1 == a2: the
#                 sandwich and the trace in the reduced parameters)

suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/mlm/make_reference.R"))
if (as.character(packageVersion("lavaan")) != "0.6.14")
    warning("these references were made with lavaan 0.6-14, not ", packageVersion("lavaan"))
out <- "tests/reference/mlm"

write_case <- function(name, call, model, fit) {
    writeLines(c(paste0("# ", name, ": lavaan ", call), model),
               file.path(out, paste0(name, ".lav")))
    pe <- parameterEstimates(fit, standardized = TRUE)
    if (is.null(pe$group)) pe$group <- 1L
    if (is.null(pe$label)) pe$label <- ""
    pe$free <- pe$se > 0 & pe$op != ":="
    pe <- pe[pe$op != "==", c("group", "lhs", "op", "rhs", "label", "free", "est", "se", "z",
                              "pvalue", "std.lv", "std.all")]
    names(pe) <- sub(".", "_", names(pe), fixed = TRUE)
    write.csv(pe, file.path(out, paste0(name, ".params.csv")), row.names = FALSE, na = "")
    ss <- standardizedSolution(fit)
    if (is.null(ss$group)) ss$group <- 1L
    ss <- ss[ss$op != "==", c("group", "lhs", "op", "rhs", "est.std", "se")]
    names(ss) <- c("group", "lhs", "op", "rhs", "std_all", "std_all_se")
    write.csv(ss, file.path(out, paste0(name, ".std.csv")), row.names = FALSE, na = "")
    fm <- fitMeasures(fit)
    write.csv(data.frame(measure = gsub(".", "_", names(fm), fixed = TRUE),
                         value = unname(as.numeric(fm))),
              file.path(out, paste0(name, ".fit.csv")), row.names = FALSE, na = "")
    stopifnot(lavInspect(fit, "options")$se == "robust.sem",
              lavInspect(fit, "options")$test == "satorra.bentler")
    cat(sprintf("%-14s chisq %.4f scaled %.4f c %.5f cfi.robust %.5f rmsea.robust %.5f\n", name,
                fm["chisq"], fm["chisq.scaled"], fm["chisq.scaling.factor"],
                fm["cfi.robust"], fm["rmsea.robust"]))
}

hs <- read.csv("tests/data/hs.csv")
pd <- read.csv("tests/data/pd.csv")
path <- read.csv("tests/data/path.csv")
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
pd_model <- paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4",
                  "dem65 =~ y5 + y6 + y7 + y8", "dem60 ~ ind60", "dem65 ~ ind60 + dem60",
                  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
path_model <- paste(grep("^#", readLines("tests/reference/sem/path_fixedx.lav"), value = TRUE,
                         invert = TRUE), collapse = "\n")

write_case("hs_mlm", 'cfa(model, data = hs, estimator = "MLM")', hs_model,
           cfa(hs_model, data = hs, estimator = "MLM"))
write_case("pd_mlm", 'sem(model, data = pd, estimator = "MLM")', pd_model,
           sem(pd_model, data = pd, estimator = "MLM"))
write_case("hs_mlm_group", 'cfa(model, data = hs, group = "school", estimator = "MLM")',
           hs_model, cfa(hs_model, data = hs, group = "school", estimator = "MLM"))
write_case("hs_mlm_metric", paste('cfa(model, data = hs, group = "school",',
                                  'group.equal = "loadings", estimator = "MLM")'),
           hs_model, cfa(hs_model, data = hs, group = "school", group.equal = "loadings",
                         estimator = "MLM"))
write_case("path_mlm", 'sem(model, data = path, estimator = "MLM")', path_model,
           sem(path_model, data = path, estimator = "MLM"))

equal_model <- paste(grep("^#", readLines("tests/reference/constraints/hs_equal.lav"),
                          value = TRUE, invert = TRUE), collapse = "\n")
write_case("hs_mlm_equal", 'cfa(model, data = hs, estimator = "MLM")', equal_model,
           cfa(equal_model, data = hs, estimator = "MLM"))

# invariance: the levels of brisk invariance, compared by lavTestLRT
levels <- list(configural = "", metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
fits <- lapply(levels, function(eq)
    cfa(hs_model, data = hs, group = "school", group.equal = eq, estimator = "MLM"))
lrt <- do.call(lavTestLRT, unname(fits))
stopifnot(grepl("satorra.bentler.2001", attr(lrt, "heading"), fixed = TRUE))
tab <- do.call(rbind, lapply(names(fits), function(k) {
    fm <- fitMeasures(fits[[k]])
    data.frame(model = k, npar = fm[["npar"]], chisq = fm[["chisq"]], df = fm[["df"]],
               chisq_scaled = fm[["chisq.scaled"]],
               scaling_factor = fm[["chisq.scaling.factor"]],
               cfi = fm[["cfi"]], tli = fm[["tli"]], rmsea = fm[["rmsea"]], srmr = fm[["srmr"]],
               cfi_scaled = fm[["cfi.scaled"]], tli_scaled = fm[["tli.scaled"]],
               rmsea_scaled = fm[["rmsea.scaled"]], cfi_robust = fm[["cfi.robust"]],
               tli_robust = fm[["tli.robust"]], rmsea_robust = fm[["rmsea.robust"]],
               aic = fm[["aic"]], bic = fm[["bic"]], stringsAsFactors = FALSE)
}))
tab$chisq_diff <- lrt[["Chisq diff"]]
tab$df_diff <- lrt[["Df diff"]]
tab$pvalue <- lrt[["Pr(>Chisq)"]]
write.csv(tab, file.path(out, "hs_mlm_invariance.csv"), row.names = FALSE, na = "")
print(tab[, c("model", "chisq", "df", "chisq_scaled", "scaling_factor", "chisq_diff",
              "pvalue")])
