# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the .xlsx fixtures of tests/data/xlsx with openxlsx (Debian:
# r-cran-openxlsx) and prints what readxl (r-cran-readxl) reads from them,
# the values tests/unit/test_csv.c asserts.  Run from tests/data/xlsx:
#   Rscript make_xlsx.R
# The data are made up; they describe no real respondents.
suppressPackageStartupMessages({ library(openxlsx); library(readxl) })

# ---- types.xlsx: every kind of cell, two sheets --------------------------
wb <- createWorkbook()
addWorksheet(wb, "Notes")
writeData(wb, "Notes", data.frame(note = c("read the sheet 'Data'", "not this one")))
addWorksheet(wb, "Data")
d <- data.frame(
  id      = c(101, 102, 103, 104, 105),
  city    = c("Rongcheng", "Jinan", "Weihai", NA, "Yantai"),
  trust   = c(4.25, 2.5, NA, 3.75, 1.125),
  agreed  = c(TRUE, FALSE, TRUE, NA, FALSE),
  asked   = as.Date(c("2019-05-02", "2019-05-03", NA, "2019-05-31", "2020-01-01")),
  code    = c("12", "7.5", "NA", "", "3"),       # numbers written as text
  mixed   = c("1", "2", "three", "4", NA),
  stringsAsFactors = FALSE)
writeData(wb, "Data", d, keepNA = FALSE)
# a gap: column I (9) has a name but only one value, column H none at all
writeData(wb, "Data", data.frame(sparse = c(NA, NA, 8.875, NA, NA)), startCol = 9)
writeData(wb, "Data", "label-less", startCol = 8, startRow = 1)
saveWorkbook(wb, "types.xlsx", overwrite = TRUE)

x <- read_excel("types.xlsx", sheet = "Data")
print(as.data.frame(x))
cat("asked as serial numbers:", as.numeric(as.Date(d$asked) - as.Date("1899-12-30")), "\n")

# ---- rongcheng_data.xlsx: the bundled rongcheng survey's data ----------------
r <- read.csv("../../../surveys/rongcheng/rongcheng.csv")
write.xlsx(r, "rongcheng_data.xlsx", sheetName = "rongcheng", keepNA = FALSE)
y <- read_excel("rongcheng_data.xlsx")
stopifnot(nrow(y) == nrow(r), isTRUE(all.equal(as.data.frame(y), r, check.attributes = FALSE)))
cat("rongcheng_data.xlsx:", nrow(y), "rows,", ncol(y), "columns; weight[2] =", y$weight[2], "\n")
