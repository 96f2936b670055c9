# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference values for `brisk fit --cov/--cor` (a published
# matrix fitted as lavaan's sample.cov / sample.nobs / sample.mean).
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/covinput/make.R
#
# Needs R with lavaan 0.6 (0.6-14 wrote the committed files).  `make check`
# does not need R.  It writes the matrix files brisk reads and, per case,
# NAME.params.csv (parameterEstimates(fit, standardized = TRUE)),
# NAME.fit.csv (every fitMeasures, "." -> "_") and NAME.r2.csv:
#
#   wheaton     tests/data/wheaton.cov: the lower triangle of lavaan's
#               tutorial (https://lavaan.ugent.be/tutorial/cov.html), names
#               on the first line, an n row;
#               sem(wheaton.lav, sample.cov = getCov(lower, names),
#                   sample.nobs = 932)                    chi-square 4.735, df 4
#   wheaton_cor wheaton_cor.csv: the same matrix as correlations printed to 3
#               decimals, comma separated, each row led by its name, with an
#               sd row (3 decimals) and no N (brisk: --n 932);
#               sem(..., sample.cov = cor2cov(R, sd), sample.nobs = 932)
#   hs          hs.cov.csv: the full matrix cov(HolzingerSwineford1939[, 7:15])
#               as write.csv(cov(...)) writes it (a "" corner, row names;
#               15 digits); brisk: --n 301.  The reference is the raw-data fit
#               cfa(hs.lav, data = HolzingerSwineford1939), and this script
#               stops unless the sample.cov fit equals it.
#   hs_means    hs_means.txt: the lower triangle of that matrix with a mean
#               row and an n row (blanks between entries); the reference is
#               cfa(hs.lav, data = HolzingerSwineford1939, meanstructure =
#               TRUE), equal to the fit with sample.mean (checked).
suppressPackageStartupMessages(library(lavaan))
ref_dir <- "tests/reference/covinput"
stopifnot(dir.exists(ref_dir))

csv_out <- function(df, name, part) {
  write.csv(df, file.path(ref_dir, paste0(name, ".", part, ".csv")),
            row.names = FALSE, na = "")
}

write_reference <- function(fit, name) {
  pt <- parTable(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  row <- match(paste(pe$lhs, pe$op, pe$rhs), paste(pt$lhs, pt$op, pt$rhs))
  csv_out(data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = if (is.null(pe$label)) "" else pe$label,
                     free = pt$free[row] != 0, est = pe$est, se = pe$se, z = pe$z,
                     pvalue = pe$pvalue, std_lv = pe$std.lv, std_all = pe$std.all,
                     ci_lower = pe$ci.lower, ci_upper = pe$ci.upper,
                     stringsAsFactors = FALSE), name, "params")
  fm <- fitMeasures(fit)
  csv_out(data.frame(measure = gsub(".", "_", names(fm), fixed = TRUE),
                     value = unname(as.numeric(fm))), name, "fit")
  r2 <- lavInspect(fit, "r2")
  r2 <- r2[!is.na(r2)]
  csv_out(data.frame(variable = names(r2), r2 = unname(r2)), name, "r2")
}

same_fit <- function(a, b, what) {
  pa <- parameterEstimates(a, standardized = TRUE)
  pb <- parameterEstimates(b, standardized = TRUE)
  cols <- c("est", "se", "std.lv", "std.all")
  d <- max(abs(as.matrix(pa[, cols]) - as.matrix(pb[, cols])), na.rm = TRUE)
  fa <- fitMeasures(a); fb <- fitMeasures(b)
  df <- max(abs(fa - fb) / pmax(1, abs(fb)), na.rm = TRUE)
  if (d > 1e-6 || df > 1e-6) stop(what, ": the matrix's fit differs from the data's by ", d,
                                  " (parameters) and ", df, " (fit measures)")
}

read_lav <- function(name) paste(readLines(file.path(ref_dir, name)), collapse = "\n")

## Wheaton (1977), lavaan's tutorial ------------------------------------------
lower <- '
 11.834
  6.947   9.364
  6.819   5.091  12.532
  4.783   5.028   7.495   9.986
 -3.839  -3.889  -3.841  -3.625  9.610
-21.899 -18.831 -21.748 -18.775 35.522 450.288 '
wnames <- c("anomia67", "powerless67", "anomia71", "powerless71", "education", "sei")
wheaton.cov <- getCov(lower, names = wnames)
writeLines(c("# Wheaton, Muthen, Alwin and Summers (1977): alienation, 932 respondents.",
             "# The lower triangle of covariances printed in lavaan's tutorial",
             "# (https://lavaan.ugent.be/tutorial/cov.html); see tests/data/README.md.",
             paste(wnames, collapse = " "),
             strsplit(trimws(lower), "\n")[[1]],
             "n 932"), "tests/data/wheaton.cov")
wmodel <- read_lav("wheaton.lav")
fit <- sem(wmodel, sample.cov = wheaton.cov, sample.nobs = 932)
stopifnot(abs(fitMeasures(fit, "chisq") - 4.735) < 5e-4, fitMeasures(fit, "df") == 4)
write_reference(fit, "wheaton")

## the same as published correlations and SDs -----------------------------------
sds <- round(sqrt(diag(wheaton.cov)), 3)
R <- round(cov2cor(wheaton.cov), 3)
con <- file(file.path(ref_dir, "wheaton_cor.csv"), "w")
writeLines("# Wheaton (1977) as correlations and SDs to 3 decimals; N given by --n", con)
for (i in seq_along(wnames))
  writeLines(paste(c(wnames[i], sprintf("%.3f", R[i, 1:i])), collapse = ","), con)
writeLines(paste(c("sd", sprintf("%.3f", sds)), collapse = ","), con)
close(con)
fit <- sem(wmodel, sample.cov = cor2cov(R, sds), sample.nobs = 932)
write_reference(fit, "wheaton_cor")

## Holzinger and Swineford: the matrix's fit is the data's ---------------------------
hs <- HolzingerSwineford1939[, 7:15]
hmodel <- read_lav("hs.lav")
S <- cov(hs)
write.csv(S, file.path(ref_dir, "hs.cov.csv"))
S_read <- as.matrix(read.csv(file.path(ref_dir, "hs.cov.csv"), row.names = 1))
raw <- cfa(hmodel, data = HolzingerSwineford1939)
same_fit(cfa(hmodel, sample.cov = S_read, sample.nobs = 301), raw, "hs")
write_reference(raw, "hs")

means <- colMeans(hs)
con <- file(file.path(ref_dir, "hs_means.txt"), "w")
writeLines(c("# cov(HolzingerSwineford1939[, 7:15]): lower triangle, means, N",
             paste(colnames(hs), collapse = " ")), con)
for (i in 1:9) writeLines(paste(sprintf("%.17g", S[i, 1:i]), collapse = " "), con)
writeLines(c(paste(c("mean", sprintf("%.17g", means)), collapse = " "), "n 301"), con)
close(con)
raw <- cfa(hmodel, data = HolzingerSwineford1939, meanstructure = TRUE)
same_fit(cfa(hmodel, sample.cov = S, sample.mean = means, sample.nobs = 301), raw, "hs_means")
write_reference(raw, "hs_means")
