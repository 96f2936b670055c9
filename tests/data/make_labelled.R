# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the small labelled test files of tests/data with haven
# (Debian: r-cran-haven).  Run from tests/data:  Rscript make_labelled.R
# The data are made up for the tests; they describe no real respondents.
suppressPackageStartupMessages(library(haven))

likert <- c("Strongly disagree" = 1, "Disagree" = 2, "Neither" = 3,
            "Agree" = 4, "Strongly agree" = 5)

# ---- SPSS: value labels and user-defined missing codes ------------------
sav <- data.frame(id = c(101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112))
# Discrete user-missing codes 98 and 99, both labelled.
sav$trust <- labelled_spss(
  c(4, 2, 5, 98, 3, 1, 99, 4, NA, 2, 98, 3),
  labels = c(likert, "Don't know" = 98, "Refused" = 99),
  na_values = c(98, 99),
  label = "I trust the city government with my data")
# A user-missing range: any negative code up to -1 is missing.
sav$income <- labelled_spss(
  c(2350.75, -9, 4120.5, 1875.25, -1, NA, 3310.125, 2999.99, -5, 5210.4, 1420.8, 2675.6),
  na_range = c(-9, -1),
  label = "Monthly household income (yuan)")
# A range together with a discrete code (what SPSS allows at most).
sav$approve <- labelled_spss(
  c(1, 5, 7, 4, 0, 2, 8, 3, 5, 9, 1, 4),
  labels = c(likert, "Not asked" = 0),
  na_values = 0, na_range = c(7, 9),
  label = "Approval of the scoring system")
# A string variable with UTF-8 text and a user-missing string code.
sav$city <- labelled_spss(
  c("Rongcheng", "\u8363\u6210", "", "Weihai", "NA", "Jinan",
    "Qingdao", "\u8363\u6210", "Yantai", "NA", "Weifang", "Z\u00fcrich"),
  na_values = "NA",
  label = "City of residence")
write_sav(sav, "labelled.sav")
write_sav(sav, "labelled.zsav", compress = TRUE)

# ---- Stata: value labels and tagged missing values (.a .b .c) -----------
dta <- data.frame(id = c(201, 202, 203, 204, 205, 206, 207, 208, 209, 210))
dta$trust <- labelled(
  c(4, tagged_na("a"), 2, 5, tagged_na("b"), NA, 3, tagged_na("a"), 1, 4),
  labels = c(likert, "Refused" = tagged_na("a"), "Don't know" = tagged_na("b")),
  label = "I trust the city government with my data")
dta$income <- c(2350.75, 4120.5, tagged_na("c"), 1875.25, 3310.125,
                NA, 2999.99, 5210.4, tagged_na("a"), 1420.8)
attr(dta$income, "label") <- "Monthly household income (yuan)"
dta$region <- c("east", "west", "", "north", "south", "east", "", "west", "north", "south")
attr(dta, "label") <- "brisk labelled test data"
write_dta(dta, "labelled.dta", version = 14, label = attr(dta, "label"))
