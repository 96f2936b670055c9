# SPDX-License-Identifier: GPL-3.0-or-later
# make_ordinal.R -- reference values for brisk reliability on ordered items
# and for its check of negatively correlated items, from psych 2.2.9 (and
# lavaan 0.6-14 for a second opinion on the polychoric correlations).
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/reliability/make_ordinal.R
#
# `make check` does not need R: the files below are committed.
#
#   ordinal.csv   data, behaviour, construct, n, k: ordinal alpha (Zumbo,
#                 Gadermann & Zeisser 2007) as psych computes it,
#                 psych::alpha(psych::polychoric(x)$rho)$total$raw_alpha
#                 (ordinal_alpha), on the respondents complete on the
#                 construct's items; and the same alpha from lavaan's
#                 two-step polychoric correlations, lavCor(x, ordered =
#                 names(x)) (ordinal_alpha_lavaan).  psych's correlations
#                 come from optimize() with its default tolerance (about
#                 1e-4 in rho), lavaan's from a converged Newton step; the
#                 two agree to about 1e-5 in alpha here.
#   negative.csv  data, behaviour, construct, item: the loading of each item
#                 on the first principal component of the construct's
#                 items (psych::principal(x)$loadings[, 1], signed so that
#                 the loadings sum to a positive number) and whether
#                 psych::alpha(x) names the item in its warning "Some items
#                 ( ... ) were negatively correlated with the total scale and
#                 probably should be reversed" (negative: a loading below 0).
#
# The data sets:
#
#   rongcheng  surveys/rongcheng/rongcheng.csv with the survey's rules
#              applied by hand (-99 missing, pr3_* reversed as 6 - x), as in
#              make_reference.R: the constructs asked once (trust, privacy)
#              on all respondents, behaviour "all behaviours", the others
#              per behaviour (a survey declaring 'ordered = all')
#   bfi        tests/data/bfi.csv as it is, without psych's keys: A1, C4,
#              C5, E1, E2, O2 and O5 are worded against their scales
#   rongcheng_raw  the Rongcheng risk items per behaviour with pr3_* NOT
#              reversed (the survey without its [reverse] section)

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
})
stopifnot(file.exists("tests/reference/reliability/make_ordinal.R"))  # run from the top
for (p in c("psych", "lavaan"))
  cat(p, as.character(packageVersion(p)), "\n")
ref_dir <- "tests/reference/reliability"

raw <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)
for (v in names(raw)) raw[[v]][!is.na(raw[[v]]) & raw[[v]] == -99] <- NA
rc <- raw
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]
bfi <- read.csv("tests/data/bfi.csv")

behaviours <- c(crime = "Criminal records", fees = "Payment of fees",
                internet = "Internet use", litter = "Littering of garbage")
once <- list(trust = c("tg1", "tg2", "tg3"), privacy = c("pc1", "pc2", "pc3"))
per <- list(morality = "pm%d_%s", benefit = "pb%d_%s", risk = "pr%d_%s",
            accept = "acc%d_%s")

complete <- function(x) x[stats::complete.cases(x), , drop = FALSE]

ordinal_row <- function(data_name, behaviour, construct, x) {
  x <- complete(x)
  rho <- psych::polychoric(x)$rho
  lav <- unclass(lavaan::lavCor(x, ordered = names(x)))
  data.frame(data = data_name, behaviour = behaviour, construct = construct,
             n = nrow(x), k = ncol(x),
             ordinal_alpha = psych::alpha(rho, warnings = FALSE)$total$raw_alpha,
             ordinal_alpha_lavaan = psych::alpha(lav, warnings = FALSE)$total$raw_alpha,
             stringsAsFactors = FALSE)
}

negative_rows <- function(data_name, behaviour, construct, x) {
  x <- complete(x)
  loadings <- psych::principal(x)$loadings[, 1]
  # what psych::alpha names in its warning (captured, not printed)
  said <- paste(utils::capture.output(suppressWarnings(psych::alpha(x))), collapse = " ")
  named <- regmatches(said, regexpr("Some items \\([^)]*\\)", said))
  named <- if (length(named)) strsplit(trimws(gsub("Some items \\(|\\)", "", named)), " +")[[1]]
           else character(0)
  stopifnot(identical(sort(named), sort(names(x)[loadings < 0])))
  data.frame(data = data_name, behaviour = behaviour, construct = construct,
             item = names(x), loading = as.numeric(loadings), negative = loadings < 0,
             stringsAsFactors = FALSE)
}

ordinal <- list(); negative <- list()
for (f in names(once))
  ordinal[[length(ordinal) + 1]] <- ordinal_row("rongcheng", "all behaviours", f, rc[, once[[f]]])
for (b in names(behaviours))
  for (f in names(per)) {
    items <- sprintf(per[[f]], 1:3, b)
    ordinal[[length(ordinal) + 1]] <- ordinal_row("rongcheng", behaviours[[b]], f, rc[, items])
  }

bfi_scales <- list(agree = "A", conscientious = "C", extraversion = "E",
                   neuroticism = "N", openness = "O")
for (f in names(bfi_scales))
  negative[[length(negative) + 1]] <- negative_rows("bfi", "", f,
                                                    bfi[, paste0(bfi_scales[[f]], 1:5)])
for (b in names(behaviours))
  negative[[length(negative) + 1]] <- negative_rows("rongcheng_raw", behaviours[[b]], "risk",
                                                    raw[, sprintf("pr%d_%s", 1:3, b)])

digits <- function(df) {
  for (v in names(df)) if (is.double(df[[v]])) df[[v]] <- sprintf("%.12g", df[[v]])
  df
}
ord <- do.call(rbind, ordinal)
neg <- do.call(rbind, negative)
stopifnot(max(abs(ord$ordinal_alpha - ord$ordinal_alpha_lavaan)) < 1e-3,
          identical(neg$item[neg$data == "bfi" & neg$negative],
                    c("A1", "C4", "C5", "E1", "E2", "O2", "O5")))
write.csv(digits(ord), file.path(ref_dir, "ordinal.csv"), row.names = FALSE)
write.csv(digits(neg), file.path(ref_dir, "negative.csv"), row.names = FALSE)
print(ord)
print(neg[neg$negative, ])
cat("done\n")
