# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- measurement invariance by MLR, with full-information
# ML and by WLSMV, as lavaan 0.6-14's lavTestLRT compares the levels.
#
#     Rscript tests/reference/invariance/make_reference.R     (from the top)
#
# Writes, for each case NAME, NAME.csv: one row per level (configural,
# metric, scalar, strict) with npar, chisq, df, the scaled chi-square and
# its scaling factor (robust estimators), CFI, TLI, RMSEA, SRMR, their
# robust versions, and lavTestLRT's difference to the level before it:
# chisq_diff, df_diff, pvalue (for MLR the Satorra-Bentler 2001 scaled
# difference, lavaan's default for MLR).  make check does not need R.
#
#   hs_mlr       HS three factors by school, estimator = "MLR"
#   bfi_fiml     two bfi factors (10 items, A1 C4 C5 reversed) by gender,
#                missing = "ml"
#   bfi_fiml_mlr the same, estimator = "MLR"
#   bfi_wlsmv    the same two factors on the ordered items by gender,
#                estimator = "WLSMV" (listwise): configural, metric, and
#                scalar as group.equal = c("loadings", "thresholds") (the
#                scale factors and latent means free after the first group;
#                no strict level for ordered items); the difference is
#                lavTestLRT's default for WLSMV, Satorra's (2000)
#                scaled-shifted test (method = "satorra.2000")
#   bfi_wlsmv_tied  the same with two loadings of agree labelled alike in
#                every group (a within-model equality that ties the groups
#                at every level, the configural included)
#   demo_cluster(_sw)  see the end of this script
#   rongcheng_weighted  the measurement part of surveys/rongcheng's [model]
#                for behaviour crime (-99 missing, pr3_crime reversed as
#                6 - x) by gender, sampling.weights = "weight" (the survey's
#                weight: lavaan's robust ML, Satorra-Bentler 2001
#                differences), listwise

suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/invariance/make_reference.R"))
out <- "tests/reference/invariance"

levels <- list(configural = "", metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))

ordered_levels <- list(configural = "", metric = "loadings",
                       scalar = c("loadings", "thresholds"))

run <- function(name, model, data, group, ..., levels_used = levels) {
    fits <- lapply(levels_used, function(eq)
        cfa(model, data = data, group = group, group.equal = eq, ...))
    lrt <- do.call(lavTestLRT, unname(fits))
    rows <- lapply(names(fits), function(k) {
        f <- fits[[k]]
        fm <- fitMeasures(f)
        get <- function(m) if (m %in% names(fm)) unname(fm[m]) else NA
        data.frame(model = k, npar = get("npar"), chisq = get("chisq"), df = get("df"),
                   chisq_scaled = get("chisq.scaled"),
                   scaling_factor = get("chisq.scaling.factor"),
                   cfi = get("cfi"), tli = get("tli"), rmsea = get("rmsea"), srmr = get("srmr"),
                   cfi_scaled = get("cfi.scaled"), tli_scaled = get("tli.scaled"),
                   rmsea_scaled = get("rmsea.scaled"),
                   cfi_robust = get("cfi.robust"), tli_robust = get("tli.robust"),
                   rmsea_robust = get("rmsea.robust"), aic = get("aic"), bic = get("bic"),
                   stringsAsFactors = FALSE)
    })
    tab <- do.call(rbind, rows)
    # lavTestLRT orders the models by df: the same order here
    tab$chisq_diff <- lrt[["Chisq diff"]]
    tab$df_diff <- lrt[["Df diff"]]
    tab$pvalue <- lrt[["Pr(>Chisq)"]]
    write.csv(tab, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
    print(tab[, c("model", "chisq", "df", "chisq_scaled", "chisq_diff", "pvalue")])
}

hs <- read.csv("tests/data/hs.csv")
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
run("hs_mlr", hs_model, hs, "school", estimator = "MLR")

bfi <- read.csv("tests/data/bfi.csv")
for (v in c("A1", "C4", "C5")) bfi[[v]] <- 7 - bfi[[v]]
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
bfi <- bfi[!is.na(bfi$gender), ]
run("bfi_fiml", bfi_model, bfi, "gender", missing = "ml")
run("bfi_fiml_mlr", bfi_model, bfi, "gender", missing = "ml", estimator = "MLR")

bfi_items <- c("A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5")
run("bfi_wlsmv", bfi_model, bfi, "gender", ordered = bfi_items, estimator = "WLSMV",
    levels_used = ordered_levels)
bfi_tied <- "agree =~ A1 + a*A2 + a*A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
run("bfi_wlsmv_tied", bfi_tied, bfi, "gender", ordered = bfi_items, estimator = "WLSMV",
    levels_used = ordered_levels)

rc <- read.csv("surveys/rongcheng/rongcheng.csv")
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
rc$pr3_crime <- 6 - rc$pr3_crime
rc_model <- paste("trust =~ tg1 + tg2 + tg3", "privacy =~ pc1 + pc2 + pc3",
                  "morality =~ pm1_crime + pm2_crime + pm3_crime",
                  "benefit =~ pb1_crime + pb2_crime + pb3_crime",
                  "risk =~ pr1_crime + pr2_crime + pr3_crime",
                  "accept =~ acc1_crime + acc2_crime + acc3_crime", sep = "\n")
run("rongcheng_weighted", rc_model, rc, "gender", sampling.weights = "weight")

# demo_cluster, demo_cluster_sw: lavaan's Demo.twolevel (with the
# synthetic weight sw) in two groups of clusters (tests/reference/cluster),
# a single-level model with cluster = "cluster" (robust.cluster SEs, the
# scaled tests and their Satorra-Bentler 2001 differences), without and
# with sampling.weights
dg <- read.csv("tests/reference/cluster/demo_groups.csv")
dg_model <- "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ f1 + x1"
run("demo_cluster", dg_model, dg, "g", cluster = "cluster")
run("demo_cluster_sw", dg_model, dg, "g", cluster = "cluster", sampling.weights = "sw")
