# SPDX-License-Identifier: GPL-3.0-or-later
# make_api.R -- tests/data/api/{apistrat,apiclus1,apiclus2}.csv from the
# R package survey's data set `api` (California Academic Performance Index).
#
# Run from the top of the source tree:
#
#     Rscript tests/data/api/make_api.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and survey 4.1-1 (Debian
# r-cran-survey 4.1-1-1).  The files are read by
# tests/reference/design/make.R, so brisk and R start from the same doubles.
#
# Kept columns, with every '.' in a name turned into '_':
#   snum dnum stype api00 api99 ell meals mobility enroll sch_wide both pw
#   fpc (apistrat, apiclus1) or fpc1 fpc2 (apiclus2)
# and three derived numeric columns:
#   band    cut(api00, c(-Inf, 550, 650, 750, Inf), labels = FALSE): 1..4,
#           intervals closed on the right (api00 = 550 is band 1)
#   wide    1 if sch_wide == "Yes", else 0
#   stratum 1, 2, 3 for stype E, H, M
# Factors are written as their labels (stype E/H/M; sch_wide, both Yes/No).
# Numbers are written with the fewest significant digits (15, 16 or 17)
# that read back as the same double; missing values are empty cells;
# nothing is quoted.  The script reads every file back and stops unless
# each value is identical.

suppressPackageStartupMessages(library(survey))
stopifnot(file.exists("tests/data/api/make_api.R"))  # run from the top
if (packageVersion("survey") != "4.1.1")
  warning("these files were made with survey 4.1.1; this is ", packageVersion("survey"))

data(api, package = "survey")

fmt_num <- function(x) {
  out <- rep(NA_character_, length(x))
  todo <- which(!is.na(x))
  for (d in 15:17) {
    if (length(todo) == 0) break
    s <- sprintf(paste0("%.", d, "g"), x[todo])
    ok <- as.numeric(s) == x[todo]
    if (d == 17) ok[] <- TRUE
    out[todo[ok]] <- s[ok]
    todo <- todo[!ok]
  }
  out
}

write_data <- function(df, path) {
  out <- as.data.frame(lapply(df, function(col) {
    if (is.numeric(col)) fmt_num(col) else as.character(col)
  }), stringsAsFactors = FALSE)
  names(out) <- names(df)
  stopifnot(!any(grepl("[,\"]", unlist(out)), na.rm = TRUE))
  write.csv(out, path, row.names = FALSE, na = "", quote = FALSE)
  back <- read.csv(path, stringsAsFactors = FALSE, na.strings = "")
  stopifnot(identical(names(back), names(df)), nrow(back) == nrow(df))
  for (v in names(df)) {
    a <- df[[v]]; b <- back[[v]]
    if (!identical(is.na(a), is.na(b)) || !all(a[!is.na(a)] == b[!is.na(b)]))
      stop(path, ": column ", v, " does not read back exactly")
  }
  invisible(back)
}

keep <- function(d, fpc) {
  cols <- c("snum", "dnum", "stype", "api00", "api99", "ell", "meals", "mobility",
            "enroll", "sch.wide", "both", "pw", fpc)
  out <- d[, cols]
  names(out) <- gsub(".", "_", names(out), fixed = TRUE)
  for (v in names(out)) {
    if (is.factor(out[[v]])) out[[v]] <- as.character(out[[v]])
    out[[v]] <- as.vector(out[[v]])  # apiclus2$fpc2 is a 1-d table named by dnum
  }
  out$band <- cut(d$api00, c(-Inf, 550, 650, 750, Inf), labels = FALSE)
  out$wide <- as.integer(out$sch_wide == "Yes")
  out$stratum <- match(out$stype, c("E", "H", "M"))
  stopifnot(!anyNA(out$stratum), !anyNA(out$wide), !anyNA(out$band))
  rownames(out) <- NULL
  out
}

write_data(keep(apistrat, "fpc"), "tests/data/api/apistrat.csv")
write_data(keep(apiclus1, "fpc"), "tests/data/api/apiclus1.csv")
write_data(keep(apiclus2, c("fpc1", "fpc2")), "tests/data/api/apiclus2.csv")
