# SPDX-License-Identifier: GPL-3.0-or-later
# Partial invariance (lavaan's group.partial) and the score tests of the
# equality constraints (lavTestScore), lavaan 0.6-14: the references of
# tests/cli/partial.sh.
#
#     Rscript tests/reference/partial/make_reference.R   (from the top)
#
# Fits (NAME.lav; NAME.params.csv group,lhs,op,rhs,est,se: every
# parameterEstimates() row but := and ==; NAME.fit.csv npar, chisq, df):
#   hs_scalar_partial  HS by school, group.equal = c("loadings", "intercepts"),
#                      group.partial = c("x3~1", "x7~1")
#   hs_residual_partial  HS by school, group.equal = c("loadings", "residuals"),
#                      group.partial = c("visual=~x2", "x1~~x1")
#   bfi_wlsmv_partial  bfi's A and C items, ordered (WLSMV), by gender,
#                      group.equal = c("loadings", "thresholds"),
#                      group.partial = c("A=~A3", "C=~C2") (and chisq.scaled)
#   bfi_wlsmv_tau      the same with group.partial = c("A3|t2", "C2|t1"): two
#                      thresholds released; and bfi_wlsmv_tau.lrt.csv, lavTestLRT
#                      of the metric model (loadings) against it
# Score tests (NAME.score.csv: each == constraint as the parameter of its
# right-hand side, "visual=~x2", and that row's group (its label), its
# univariate X2 and p, and epc, the row's expected change (epc = TRUE);
# NAME.cumulative.csv: lavTestScore's cumulative table in its order,
# parameter, group, X2, df; NAME.total.csv: the total test X2, df, p):
#   hs_scalar    HS by school, group.equal = c("loadings", "intercepts")
#   hs_scalar_partial  the partial fit above (the constraints it keeps)
#   bfi_educ     bfi's A and C items by education (5 groups, listwise),
#                group.equal = "loadings"
#
# A score test moves with the estimates (lavaan's stop where nlminb's
# relative tolerance is met; brisk's are taken to the optimum): the tests
# of many constraints together (cumulative, total) agree to about 1e-4.
library(lavaan)
out <- "tests/reference/partial"
hs <- read.csv("tests/data/hs.csv")
base <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
num <- function(x) sprintf("%.10g", x)

write_fit <- function(name, fit, model, equal, partial, measures = c("npar", "chisq", "df")) {
    writeLines(c(sprintf("# cfa(model, group.equal = c(%s), group.partial = c(%s))",
                         paste0('"', equal, '"', collapse = ", "),
                         paste0('"', partial, '"', collapse = ", ")), model),
               file.path(out, paste0(name, ".lav")))
    p <- parameterEstimates(fit)
    p <- p[!p$op %in% c(":=", "=="), ]
    write.csv(data.frame(group = p$group, lhs = p$lhs, op = p$op, rhs = p$rhs,
                         est = num(p$est), se = num(p$se)),
              file.path(out, paste0(name, ".params.csv")), row.names = FALSE, quote = FALSE)
    f <- fitMeasures(fit, measures)
    write.csv(data.frame(measure = names(f), value = num(unclass(f))),
              file.path(out, paste0(name, ".fit.csv")), row.names = FALSE, quote = FALSE)
}

write_score <- function(name, fit) {
    s <- lavTestScore(fit, cumulative = TRUE, epc = TRUE)
    pt <- parTable(fit)
    row_of <- function(label) match(label, pt$plabel)
    param <- function(r) paste0(pt$lhs[r], pt$op[r], pt$rhs[r])
    lab <- lavInspect(fit, "group.label")
    u <- s$uni
    r <- row_of(u$rhs)
    e <- s$epc
    epc <- e$epc[match(paste(pt$lhs[r], pt$op[r], pt$rhs[r], pt$group[r]),
                       paste(e$lhs, e$op, e$rhs, e$group))]
    write.csv(data.frame(parameter = param(r), group = lab[pt$group[r]],
                         ref_group = lab[pt$group[row_of(u$lhs)]], x2 = num(u$X2),
                         pvalue = num(u$p.value), epc = num(epc)),
              file.path(out, paste0(name, ".score.csv")), row.names = FALSE, quote = FALSE)
    cu <- s$cumulative
    rc <- row_of(cu$rhs)
    write.csv(data.frame(parameter = param(rc), group = lab[pt$group[rc]], x2 = num(cu$X2),
                         df = cu$df),
              file.path(out, paste0(name, ".cumulative.csv")), row.names = FALSE, quote = FALSE)
    write.csv(data.frame(x2 = num(s$test$X2), df = s$test$df, pvalue = num(s$test$p.value)),
              file.path(out, paste0(name, ".total.csv")), row.names = FALSE, quote = FALSE)
}

cases <- list(
    hs_scalar_partial = list(equal = c("loadings", "intercepts"), partial = c("x3~1", "x7~1")),
    hs_residual_partial = list(equal = c("loadings", "residuals"),
                               partial = c("visual=~x2", "x1~~x1")))
for (name in names(cases)) {
    k <- cases[[name]]
    fit <- cfa(base, data = hs, group = "school", group.equal = k$equal,
               group.partial = k$partial)
    write_fit(name, fit, base, k$equal, k$partial)
    if (name == "hs_scalar_partial")
        write_score(name, fit)
}
write_score("hs_scalar", cfa(base, data = hs, group = "school",
                             group.equal = c("loadings", "intercepts")))

bfi <- read.csv("tests/data/bfi.csv")
bfi <- bfi[!is.na(bfi$education), ]
bmodel <- "A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4\n"
bfi_all <- read.csv("tests/data/bfi.csv")
k <- list(equal = c("loadings", "thresholds"), partial = c("A=~A3", "C=~C2"))
write_fit("bfi_wlsmv_partial",
          cfa(bmodel, data = bfi_all, group = "gender", ordered = TRUE, group.equal = k$equal,
              group.partial = k$partial),
          bmodel, k$equal, k$partial, c("npar", "chisq", "df", "chisq.scaled"))
k$partial <- c("A3|t2", "C2|t1")
tau <- cfa(bmodel, data = bfi_all, group = "gender", ordered = TRUE, group.equal = k$equal,
           group.partial = k$partial)
write_fit("bfi_wlsmv_tau", tau, bmodel, k$equal, k$partial,
          c("npar", "chisq", "df", "chisq.scaled"))
metric <- cfa(bmodel, data = bfi_all, group = "gender", ordered = TRUE, group.equal = "loadings")
lrt <- lavTestLRT(metric, tau)
write.csv(data.frame(chisq_diff = num(lrt[2, "Chisq diff"]), df_diff = lrt[2, "Df diff"]),
          file.path(out, "bfi_wlsmv_tau.lrt.csv"), row.names = FALSE, quote = FALSE)
write_score("bfi_educ", cfa(bmodel, data = bfi, group = "education",
                            group.equal = "loadings"))
