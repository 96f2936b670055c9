# SPDX-License-Identifier: GPL-3.0-or-later
# group.equal on covariances: lavaan 0.6-14's "lv.covariances" and
# "residual.covariances", the references of tests/cli/group_equal.sh.
#
#     Rscript tests/reference/multigroup/make_covequal.R   (from the top)
#
# Writes NAME.lav and NAME.params.csv (group,lhs,op,rhs,est,se: every
# parameterEstimates() row but the := and == ones) and NAME.fit.csv
# (npar, chisq, df) for
#   hs_lvcov   cfa(hs 3-factor, group = "school",
#                  group.equal = c("loadings", "lv.covariances"))
#   hs_rescov  the same model with x7 ~~ x8 and x1 ~~ x4,
#              group.equal = c("loadings", "residual.covariances")
library(lavaan)
hs <- read.csv("tests/data/hs.csv")
base <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
cases <- list(
    hs_lvcov = list(model = base, equal = c("loadings", "lv.covariances")),
    hs_rescov = list(model = paste0(base, "x7 ~~ x8\nx1 ~~ x4\n"),
                     equal = c("loadings", "residual.covariances")))
out <- "tests/reference/multigroup"
for (name in names(cases)) {
    k <- cases[[name]]
    fit <- cfa(k$model, data = hs, group = "school", group.equal = k$equal)
    writeLines(c(sprintf("# cfa(model, data = hs, group = \"school\", group.equal = c(%s))",
                         paste0('"', k$equal, '"', collapse = ", ")), k$model),
               file.path(out, paste0(name, ".lav")))
    p <- parameterEstimates(fit)
    p <- p[!p$op %in% c(":=", "=="), ]
    write.csv(data.frame(group = p$group, lhs = p$lhs, op = p$op, rhs = p$rhs,
                         est = sprintf("%.10g", p$est), se = sprintf("%.10g", p$se)),
              file.path(out, paste0(name, ".params.csv")), row.names = FALSE, quote = FALSE)
    f <- fitMeasures(fit, c("npar", "chisq", "df"))
    write.csv(data.frame(measure = names(f), value = sprintf("%.10g", unclass(f))),
              file.path(out, paste0(name, ".fit.csv")), row.names = FALSE, quote = FALSE)
}
