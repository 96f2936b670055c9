# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reliability and validity reference values for brisk,
# from psych 2.2.9 and semTools 0.5-6 (with lavaan 0.6-14).
#
# Run from the top of the source tree (about 20 seconds):
#
#     Rscript tests/reference/reliability/make_reference.R
#
# `make check` does not need R: everything this script writes is committed.
# It writes tests/data/bfi.csv (psych's bfi data with an id column) and,
# in tests/reference/reliability/:
#
#   alpha.csv      data, behaviour, construct, n, k: psych::alpha() on the
#                  respondents complete on the construct's items:
#                  raw_alpha, std_alpha, Feldt's 95% interval (feldt_lower,
#                  feldt_upper, psych's alpha.ci), the Duhachek SE (ase),
#                  average_r
#   items.csv      data, behaviour, construct, item: psych::alpha()'s item
#                  statistics (mean, sd, raw_r, r_drop) and alpha if the
#                  item is dropped (drop_raw, drop_std)
#   composite.csv  data, behaviour, construct: semTools::compRelSEM() (omega,
#                  obs.var = TRUE, the default) and compRelSEM(obs.var =
#                  FALSE) (cr), semTools::AVE() (ave), of the CFA below
#   pairs.csv      data, behaviour, a, b: semTools::htmt() with htmt2 = TRUE
#                  (htmt2, the default) and FALSE (htmt), and the CFA's latent
#                  correlation lavInspect(fit, "cor.lv") (cor_lv)
#
# The data sets:
#
#   hs         tests/data/hs.csv, visual =~ x1 + x2 + x3; textual =~ x4 +
#              x5 + x6; speed =~ x7 + x8 + x9 (no behaviours)
#   bfi        psych's bfi: 2,800 respondents, 25 six-point items with
#              missing answers; the items psych's bfi.keys mark with "-"
#              (A1, C4, C5, E1, E2, O2, O5) reversed as 7 - x first, as the
#              survey tests/data/bfi.survey does; five factors
#   rongcheng  surveys/rongcheng/rongcheng.survey with its rules applied by
#              hand (-99 missing, pr3_* reversed as 6 - x): per behaviour, the
#              =~ statements of its [model] (the measurement model); alpha
#              of the constructs asked once (trust, privacy) on all
#              respondents, behaviour "all behaviours"; weighted by the
#              survey's sampling weight, as brisk weights it:
#
# With weights (rongcheng) no R package computes alpha, so this script
# does, from the weighted means m = sum w x / sum w and covariances
# C = sum w (x - m)(x - m)' / (sum w (n - 1) / n) (describe's SD divisor):
# raw alpha of C, standardized alpha of cov2cor(C), Feldt's interval and
# Duhachek's SE (psych's formulas) on Kish's effective n (sum w)^2 / sum
# w^2, and the item statistics of C.  The same function without weights
# is checked against psych::alpha on every data set.  The CFA is lavaan's
# cfa(sampling.weights = "weight"), semTools' measures of that fit, and
# htmt() of the weighted covariance matrix (sample.cov).
#
# The CFA is lavaan::cfa() of the =~ statements (lavaan's defaults: markers,
# every factor covariance free) on the respondents complete on all of its
# items (listwise), and htmt() uses the same respondents (its default,
# missing = "listwise").

suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(psych)
})
stopifnot(file.exists("tests/reference/reliability/make_reference.R"))  # run from the top
for (p in c("psych", "semTools", "lavaan"))
  cat(p, as.character(packageVersion(p)), "\n")
ref_dir <- "tests/reference/reliability"

## ------------------------------------------------------------ the data ----

hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)

data(bfi, package = "psych")
bfi_out <- data.frame(id = as.integer(rownames(bfi)), bfi, check.names = FALSE)
write.csv(bfi_out, "tests/data/bfi.csv", row.names = FALSE, na = "")
bfi_items <- read.csv("tests/data/bfi.csv")
for (v in c("A1", "C4", "C5", "E1", "E2", "O2", "O5"))
  bfi_items[[v]] <- 7 - bfi_items[[v]]

rc <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]

## ------------------------------------------------------------- models ----

hs_model <- c("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6",
              "speed =~ x7 + x8 + x9")
bfi_model <- c("agree =~ A1 + A2 + A3 + A4 + A5",
               "conscientious =~ C1 + C2 + C3 + C4 + C5",
               "extraversion =~ E1 + E2 + E3 + E4 + E5",
               "neuroticism =~ N1 + N2 + N3 + N4 + N5",
               "openness =~ O1 + O2 + O3 + O4 + O5")
survey_model <- function(path) {
  lines <- readLines(path)
  start <- which(trimws(lines) == "[model]")
  rest <- lines[(start + 1):length(lines)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest <- rest[!grepl("^\\s*#", rest) & nzchar(trimws(rest))]
  rest[grepl("=~", rest)]
}
rc_template <- survey_model("surveys/rongcheng/rongcheng.survey")

# factor -> items, from =~ lines
indicators <- function(lines) {
  pt <- lavaanify(paste(lines, collapse = "\n"))
  pt <- pt[pt$op == "=~", ]
  split(pt$rhs, factor(pt$lhs, levels = unique(pt$lhs)))
}

## ----------------------------------------------------------- measures ----

# alpha from the (weighted) covariance matrix, by psych's formulas
weighted_alpha <- function(x, w) {
  x <- as.matrix(x); n <- nrow(x); k <- ncol(x); sw <- sum(w)
  m <- colSums(x * w) / sw
  d <- sweep(x, 2, m)
  C <- crossprod(d * sqrt(w)) / (sw * (n - 1) / n)
  R <- cov2cor(C)
  alpha_of <- function(C) (1 - sum(diag(C)) / sum(C)) * ncol(C) / (ncol(C) - 1)
  neff <- sw^2 / sum(w^2)
  raw <- alpha_of(C)
  Q <- 2 * k^2 / ((k - 1)^2 * sum(C)^3) *
       (sum(C) * (sum(diag(C %*% C)) + sum(diag(C))^2) - 2 * sum(diag(C)) * sum(C %*% C))
  total <- sum(C); with_all <- rowSums(C)
  list(raw_alpha = raw, std_alpha = alpha_of(R),
       feldt_lower = 1 - (1 - raw) * qf(0.975, neff - 1, (neff - 1) * (k - 1)),
       feldt_upper = 1 - (1 - raw) * qf(0.025, neff - 1, (neff - 1) * (k - 1)),
       ase = sqrt(Q / neff), average_r = mean(R[lower.tri(R)]),
       mean = m, sd = sqrt(diag(C)), raw_r = with_all / sqrt(diag(C) * total),
       r_drop = (with_all - diag(C)) / sqrt(diag(C) * (total - 2 * with_all + diag(C))),
       drop_raw = if (k > 2) sapply(seq_len(k), function(i) alpha_of(C[-i, -i])) else NA,
       drop_std = if (k > 2) sapply(seq_len(k), function(i) alpha_of(R[-i, -i])) else NA)
}

alpha_rows <- function(data_name, behaviour, construct, x, w = NULL) {
  keep <- stats::complete.cases(x)
  x <- x[keep, , drop = FALSE]
  if (!is.null(w)) {
    wa <- weighted_alpha(x, w[keep])
    return(list(
      alpha = data.frame(data = data_name, behaviour = behaviour, construct = construct,
                         n = nrow(x), k = ncol(x), raw_alpha = wa$raw_alpha,
                         std_alpha = wa$std_alpha, feldt_lower = wa$feldt_lower,
                         feldt_upper = wa$feldt_upper, ase = wa$ase,
                         average_r = wa$average_r, stringsAsFactors = FALSE),
      items = data.frame(data = data_name, behaviour = behaviour, construct = construct,
                         item = colnames(x), mean = wa$mean, sd = wa$sd, raw_r = wa$raw_r,
                         r_drop = wa$r_drop, drop_raw = wa$drop_raw, drop_std = wa$drop_std,
                         stringsAsFactors = FALSE)))
  }
  a <- psych::alpha(x, warnings = FALSE)
  tot <- a$total
  # the weighted formulas with unit weights are psych's
  u <- weighted_alpha(x, rep(1, nrow(x)))
  stopifnot(abs(u$raw_alpha - tot$raw_alpha) < 1e-10, abs(u$std_alpha - tot$std.alpha) < 1e-10,
            abs(u$ase - tot$ase) < 1e-10, abs(u$average_r - tot$average_r) < 1e-10,
            abs(u$feldt_lower - as.numeric(a$feldt$lower.ci)) < 1e-10,
            max(abs(u$sd - a$item.stats$sd)) < 1e-10,
            max(abs(u$r_drop - a$item.stats$r.drop)) < 1e-10,
            ncol(x) < 3 || max(abs(u$drop_raw - a$alpha.drop$raw_alpha)) < 1e-10)
  list(
    alpha = data.frame(data = data_name, behaviour = behaviour, construct = construct,
                       n = nrow(x), k = ncol(x), raw_alpha = tot$raw_alpha,
                       std_alpha = tot$std.alpha, feldt_lower = as.numeric(a$feldt$lower.ci),
                       feldt_upper = as.numeric(a$feldt$upper.ci), ase = tot$ase,
                       average_r = tot$average_r, stringsAsFactors = FALSE),
    items = data.frame(data = data_name, behaviour = behaviour, construct = construct,
                       item = rownames(a$item.stats), mean = a$item.stats$mean,
                       sd = a$item.stats$sd, raw_r = a$item.stats$raw.r,
                       r_drop = a$item.stats$r.drop,
                       drop_raw = if (ncol(x) > 2) a$alpha.drop$raw_alpha else NA,
                       drop_std = if (ncol(x) > 2) a$alpha.drop$std.alpha else NA,
                       stringsAsFactors = FALSE))
}

cfa_rows <- function(data_name, behaviour, lines, data, weight = NULL) {
  model <- paste(lines, collapse = "\n")
  items <- unique(unlist(indicators(lines)))
  complete <- data[stats::complete.cases(data[, items]), c(items, weight)]
  fit <- cfa(model, data = complete, sampling.weights = weight)
  stopifnot(lavInspect(fit, "converged"))
  omega <- compRelSEM(fit)
  cr <- compRelSEM(fit, obs.var = FALSE)
  ave <- AVE(fit)
  facs <- names(omega)
  comp <- data.frame(data = data_name, behaviour = behaviour, construct = facs,
                     n = nrow(complete), omega = as.numeric(omega[facs]),
                     cr = as.numeric(cr[facs]), ave = as.numeric(ave[facs]),
                     stringsAsFactors = FALSE)
  if (is.null(weight)) {
    h2 <- unclass(htmt(model, data = complete, htmt2 = TRUE))
    h1 <- unclass(htmt(model, data = complete, htmt2 = FALSE))
  } else {
    S <- cov.wt(complete[, items], wt = complete[[weight]])$cov
    h2 <- unclass(htmt(model, sample.cov = S, htmt2 = TRUE))
    h1 <- unclass(htmt(model, sample.cov = S, htmt2 = FALSE))
  }
  r <- lavInspect(fit, "cor.lv")
  pairs <- do.call(rbind, lapply(seq_along(facs), function(i) {
    do.call(rbind, lapply(seq_len(i - 1), function(j) {
      data.frame(data = data_name, behaviour = behaviour, a = facs[i], b = facs[j],
                 htmt2 = h2[facs[i], facs[j]], htmt = h1[facs[i], facs[j]],
                 cor_lv = r[facs[i], facs[j]], stringsAsFactors = FALSE)
    }))
  }))
  list(composite = comp, pairs = pairs)
}

alpha_all <- list(); items_all <- list(); comp_all <- list(); pairs_all <- list()
add_alpha <- function(res) {
  alpha_all[[length(alpha_all) + 1]] <<- res$alpha
  items_all[[length(items_all) + 1]] <<- res$items
}
add_cfa <- function(res) {
  comp_all[[length(comp_all) + 1]] <<- res$composite
  pairs_all[[length(pairs_all) + 1]] <<- res$pairs
}

for (set in list(list("hs", hs_model, hs), list("bfi", bfi_model, bfi_items))) {
  ind <- indicators(set[[2]])
  for (f in names(ind)) add_alpha(alpha_rows(set[[1]], "", f, set[[3]][, ind[[f]]]))
  add_cfa(cfa_rows(set[[1]], "", set[[2]], set[[3]]))
}

behaviours <- c(crime = "Criminal records", fees = "Payment of fees",
                internet = "Internet use", litter = "Littering of garbage")
once <- indicators(gsub("{b}", "crime", rc_template, fixed = TRUE))
once <- once[sapply(names(once), function(f) !any(grepl("_crime$", once[[f]])))]
for (f in names(once))
  add_alpha(alpha_rows("rongcheng", "all behaviours", f, rc[, once[[f]]], rc$weight))
for (b in names(behaviours)) {
  lines <- gsub("{b}", b, rc_template, fixed = TRUE)
  ind <- indicators(lines)
  for (f in setdiff(names(ind), names(once)))
    add_alpha(alpha_rows("rongcheng", behaviours[[b]], f, rc[, ind[[f]]], rc$weight))
  add_cfa(cfa_rows("rongcheng", behaviours[[b]], lines, rc, "weight"))
}

digits <- function(df) {
  for (v in names(df)) if (is.double(df[[v]])) df[[v]] <- sprintf("%.12g", df[[v]])
  df
}
write.csv(digits(do.call(rbind, alpha_all)), file.path(ref_dir, "alpha.csv"), row.names = FALSE)
write.csv(digits(do.call(rbind, items_all)), file.path(ref_dir, "items.csv"), row.names = FALSE)
write.csv(digits(do.call(rbind, comp_all)), file.path(ref_dir, "composite.csv"), row.names = FALSE)
write.csv(digits(do.call(rbind, pairs_all)), file.path(ref_dir, "pairs.csv"), row.names = FALSE)

# the issue's published numbers (HS)
a <- do.call(rbind, alpha_all); cm <- do.call(rbind, comp_all); pr <- do.call(rbind, pairs_all)
stopifnot(all.equal(round(a$raw_alpha[a$data == "hs"], 3), c(0.626, 0.883, 0.688)),
          all.equal(round(cm$omega[cm$data == "hs"], 3), c(0.612, 0.885, 0.686)),
          all.equal(round(cm$ave[cm$data == "hs"], 3), c(0.371, 0.721, 0.424)),
          all.equal(round(pr$htmt2[pr$data == "hs"], 3), c(0.384, 0.387, 0.280)))
cat("done\n")
