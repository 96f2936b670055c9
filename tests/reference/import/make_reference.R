# SPDX-License-Identifier: GPL-3.0-or-later
# What haven (and openxlsx) see in the .sav, .dta and .xlsx files that
# `brisk import FILE -o OUT` writes.  tests/cli/import_write.sh compares
# brisk's own re-read of the files it writes with these.
#
# Run from the top of the source tree after building brisk:
#   BRISK=/path/to/build/tools/brisk Rscript tests/reference/import/make_reference.R
# Written with haven 2.5.1 and openxlsx 4.2.5 (Debian 12).
#
# For each written file W (named <source>_<ext>.<sav|dta>):
#   W.values.csv  the data as read_sav()/read_dta() give them (user-missing
#                 and tagged cells NA), written as brisk writes CSV: numbers
#                 at 15 significant digits (more when needed to round-trip),
#                 missing cells empty
#   W.vars.csv    name,label,missing_codes (user-missing values and ranges
#                 as brisk lists them: "98, 99", "7 thru 9, 0")
#   W.labels.csv  variable,value,label,user_missing: value labels with
#                 read_sav(user_na = TRUE); a tagged value as ".a" with the
#                 label ".a: text", as brisk lists it
# and for labelled.sav's workbook, labelled_sav.xlsx.*.csv: its three sheets
# as openxlsx reads them.
suppressMessages({ library(haven); library(openxlsx) })
brisk <- Sys.getenv("BRISK", "tools/brisk")
data <- "tests/data"
out <- "tests/reference/import"
sources <- c("electric.sav", "foreign_testdata.sav", "labelled.sav", "labelled.zsav",
             "labelled.por", "labelled.dta", "iris.sav", "iris.dta", "iris.sas7bdat",
             "labelled.xpt", "hmisc_test.xpt")
refused <- c("iris.sav.dta")   # Sepal.Length: no Stata name, refused by brisk

num <- function(x) {
  vapply(x, function(v) {
    if (is.na(v)) return("")
    for (p in 15:17) { s <- sprintf("%.*g", p, v); if (as.numeric(s) == v) break }
    s
  }, "")
}
field <- function(s) {
  s[is.na(s)] <- ""
  q <- grepl("[,\"\r\n]", s) | grepl("^[ #]", s)
  s[q] <- paste0("\"", gsub("\"", "\"\"", s[q]), "\"")
  s
}
# SPSS keeps dates as seconds since 1582-10-14; haven makes them Date/POSIXct.
spss_seconds <- function(x) {
  if (inherits(x, "Date")) return(as.numeric(x) * 86400 + 12219379200)
  if (inherits(x, "POSIXct")) return(as.numeric(x) + 12219379200)
  if (inherits(x, "hms")) return(as.numeric(x))
  x
}
write_lines <- function(lines, path) {
  con <- file(path, "wb"); writeLines(enc2utf8(lines), con, useBytes = TRUE); close(con)
}
values_csv <- function(d, path) {
  cols <- lapply(d, function(x) {
    x <- spss_seconds(zap_labels(x))
    if (is.character(x)) field(x) else num(as.numeric(x))
  })
  rows <- if (nrow(d)) do.call(paste, c(cols, sep = ",")) else character()
  write_lines(c(paste(field(names(d)), collapse = ","), rows), path)
}
codes <- function(x) {
  r <- attr(x, "na_range"); v <- attr(x, "na_values")
  parts <- c(if (!is.null(r)) paste(num(r[1]), "thru", num(r[2])),
             if (!is.null(v)) if (is.character(v)) v else num(v))
  paste(parts, collapse = ", ")
}
vars_csv <- function(d, path) {
  lab <- vapply(d, function(x) { l <- attr(x, "label", exact = TRUE); if (is.null(l)) "" else l }, "")
  cod <- vapply(d, codes, "")
  write_lines(c("name,label,missing_codes",
                paste(field(names(d)), field(lab), field(cod), sep = ",")), path)
}
labels_csv <- function(d, path) {
  lines <- "variable,value,label,user_missing"
  for (n in names(d)) {
    x <- d[[n]]; l <- attr(x, "labels")
    if (is.null(l)) next
    r <- attr(x, "na_range"); v <- attr(x, "na_values")
    for (k in seq_along(l)) {
      val <- unname(l[k]); text <- names(l)[k]
      if (is.numeric(val) && is_tagged_na(val)) {
        shown <- paste0(".", na_tag(val)); text <- paste0(shown, ": ", text); miss <- TRUE
      } else {
        shown <- if (is.character(val)) val else num(val)
        miss <- val %in% v || (!is.null(r) && val >= r[1] && val <= r[2])
      }
      lines <- c(lines, paste(field(n), field(shown), field(text),
                              if (miss) "true" else "false", sep = ","))
    }
  }
  write_lines(lines, path)
}

tmp <- tempfile(); dir.create(tmp)
for (src in sources) {
  stem <- sub("\\.", "_", src)
  for (ext in c("sav", "dta")) {
    if (paste0(src, ".", ext) %in% refused) next
    w <- file.path(tmp, paste0(stem, ".", ext))
    status <- system2(brisk, c("import", "-q", file.path(data, src), "-o", w))
    if (status != 0) stop("brisk could not write ", w)
    plain <- if (ext == "sav") read_sav(w) else read_dta(w)
    user <- if (ext == "sav") read_sav(w, user_na = TRUE) else plain
    base <- file.path(out, basename(w))
    values_csv(plain, paste0(base, ".values.csv"))
    vars_csv(user, paste0(base, ".vars.csv"))
    labels_csv(user, paste0(base, ".labels.csv"))
  }
}

# The workbook of labelled.sav, sheet by sheet as openxlsx reads it.
w <- file.path(tmp, "labelled_sav.xlsx")
if (system2(brisk, c("import", "-q", file.path(data, "labelled.sav"), "-o", w)) != 0)
  stop("brisk could not write ", w)
stopifnot(identical(getSheetNames(w), c("Data", "Variables", "Labels")))
for (sheet in getSheetNames(w)) {
  s <- read.xlsx(w, sheet = sheet, colNames = TRUE, skipEmptyRows = FALSE, na.strings = NULL)
  cols <- lapply(s, function(x) if (is.numeric(x)) num(x) else field(x))
  write_lines(c(paste(field(names(s)), collapse = ","), do.call(paste, c(cols, sep = ","))),
              file.path(out, paste0("labelled_sav.xlsx.", sheet, ".csv")))
}
unlink(tmp, recursive = TRUE)
