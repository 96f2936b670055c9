# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for brisk's paired comparisons of
# items and its approval-by-group tables, from R's stats and survey.
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/items/make_reference.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330) and the Debian package
# survey 4.1-1.  `make check` does not need R: everything this script
# writes is committed.
#
# The data are the bundled synthetic surveys, read as brisk reads them:
# empty cells are missing (neither survey declares missing codes, and
# neither has an empty cell today), the items on their 1..5 scale, and an
# answer "approves" when it is in the survey's agree range 4..5.  The items
# and demographics are taken from the .survey files, in their order.
#
# It writes, in tests/reference/items/ (README.md gives every formula):
#
#   pairs.csv           rieger2020, every pair (a, b) of its five items, a
#                       before b in the survey's order, on the respondents
#                       who answered both: n, % approving a and b and their
#                       difference with its 95% Wald interval for paired
#                       proportions, the discordant counts n10 and n01,
#                       mcnemar.test(correct = TRUE), t.test(paired = TRUE),
#                       wilcox.test(paired = TRUE, exact = FALSE,
#                       correct = TRUE) with its normal deviate and the
#                       number of non-zero differences
#   pairs_by_group.csv  the same for (pol_privileges, pol_informed) within
#                       each country (column group)
#   by_group.csv        % approving per level of each demographic,
#                       unweighted: rieger2020's pol_privileges, kostka2019's
#                       approve
#   by_group_tests.csv  chisq.test(correct = FALSE) of approves yes/no by
#                       demographic, and Cramer's V
#   by_group_weighted.csv        kostka2019 with its design: clusters and
#                       the weight raked to its [margins] (svydesign(ids =
#                       ~city, weights = ~weight), rake()): weighted %
#                       approving per level, svyby(svymean)
#   by_group_weighted_tests.csv  svychisq(~approve01 + demographic): the
#                       weighted Pearson X^2 (table scaled to n), the
#                       Rao-Scott first-order (statistic = "Chisq") and
#                       second-order (statistic = "F", the default) tests,
#                       and the design-effect eigenvalue summaries

suppressPackageStartupMessages(library(survey))

stopifnot(file.exists("tests/reference/items/make_reference.R"))  # run from the top
if (packageVersion("survey") != "4.1.1")
  warning("these references were made with survey 4.1-1; this is ",
          packageVersion("survey"))
ref_dir <- "tests/reference/items"

## ---------------------------------------------------------------------------
## Reading a survey as brisk does

# The lines of section [name] of a .survey file, comments (# or ;) removed.
section <- function(lines, name) {
  start <- which(trimws(lines) == paste0("[", name, "]"))
  stopifnot(length(start) == 1)
  rest <- lines[-seq_len(start)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest <- trimws(sub("[#;].*$", "", rest))
  rest[nzchar(rest)]
}
keyval <- function(x) {
  k <- trimws(sub("=.*$", "", x))
  setNames(trimws(sub("^[^=]*=", "", x)), k)
}
read_survey <- function(path) {
  lines <- readLines(path)
  s <- keyval(section(lines, "survey"))
  items <- names(keyval(section(lines, "items")))
  demo <- unlist(strsplit(section(lines, "demographics"), "\\s+"))
  agree <- as.numeric(strsplit(s[["agree"]], "..", fixed = TRUE)[[1]])
  data <- read.csv(file.path(dirname(path), s[["data"]]), na.strings = c("", "NA"),
                   stringsAsFactors = FALSE)
  stopifnot(all(c(items, demo) %in% names(data)))
  # [margins]: "variable = code:share ..." (raking targets), if any
  margins <- list()
  if (any(trimws(lines) == "[margins]"))
    for (x in section(lines, "margins")) {
      kv <- keyval(x)
      parts <- strsplit(strsplit(kv[[1]], "[ ,\t]+")[[1]], ":", fixed = TRUE)
      margins[[names(kv)]] <- setNames(as.numeric(sapply(parts, `[`, 2)),
                                       sapply(parts, `[`, 1))
    }
  list(data = data, items = items, demographics = demo, agree = agree,
       weight = if ("weight" %in% names(s)) s[["weight"]] else NULL,
       cluster = if ("cluster" %in% names(s)) s[["cluster"]] else NULL,
       margins = margins)
}

rieger <- read_survey("surveys/rieger2020/rieger2020.survey")
kostka <- read_survey("surveys/kostka2019/kostka2019.survey")
stopifnot(nrow(rieger$data) == 550, nrow(kostka$data) == 2209,
          identical(rieger$items, c("pol_traffic", "pol_privileges", "pol_loans",
                                    "pol_court", "pol_informed")),
          identical(rieger$demographics, c("country", "age", "gender")),
          identical(kostka$items, "approve"),
          all(c("age", "gender", "education", "income", "urban", "region") %in%
              kostka$demographics),
          identical(rieger$agree, c(4, 5)), identical(kostka$agree, c(4, 5)),
          identical(kostka$weight, "weight"))

# 1 if x approves (in the agree range), 0 if not, NA if missing.
approves <- function(x, agree) as.integer(x >= agree[1] & x <= agree[2])

fmt <- function(df) {
  for (v in names(df)) if (is.double(df[[v]])) df[[v]] <- sprintf("%.10g", df[[v]])
  df
}
write_ref <- function(df, name)
  write.csv(fmt(df), file.path(ref_dir, name), row.names = FALSE, quote = FALSE, na = "")

## ---------------------------------------------------------------------------
## Paired comparisons

# The normal deviate of wilcox.test(x, y, paired = TRUE, exact = FALSE,
# correct = TRUE), step by step as stats:::wilcox.test.default computes it.
wilcox_z <- function(x, y) {
  d <- x - y
  d <- d[d != 0]                          # zero differences dropped first
  n <- length(d)
  r <- rank(abs(d))                       # mid-ranks of |d| among the rest
  V <- sum(r[d > 0])
  z <- V - n * (n + 1) / 4
  ties <- table(r)
  sigma <- sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(ties^3 - ties) / 48)
  c(V = V, z = (z - sign(z) * 0.5) / sigma, n = n)
}

paired <- function(x, y, agree) {
  ok <- !is.na(x) & !is.na(y)
  x <- x[ok]; y <- y[ok]
  n <- length(x)
  ax <- approves(x, agree); ay <- approves(y, agree)
  n10 <- sum(ax == 1 & ay == 0)
  n01 <- sum(ax == 0 & ay == 1)
  d <- (n10 - n01) / n
  se <- sqrt((n10 + n01) - (n10 - n01)^2 / n) / n
  zq <- qnorm(0.975)
  tab <- table(factor(ax, levels = 0:1), factor(ay, levels = 0:1))
  stopifnot(tab[2, 1] == n10, tab[1, 2] == n01)
  mc <- mcnemar.test(tab, correct = TRUE)
  tt <- t.test(x, y, paired = TRUE)
  wt <- wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE)
  wz <- wilcox_z(x, y)
  stopifnot(all.equal(unname(wz["V"]), unname(wt$statistic), tolerance = 1e-14),
            all.equal(2 * pnorm(-abs(wz[["z"]])), wt$p.value, tolerance = 1e-12))
  # McNemar by hand: (|n10 - n01| - 1)^2 / (n10 + n01), uncorrected if n10 == n01
  mc_hand <- if (n10 != n01) (abs(n10 - n01) - 1)^2 / (n10 + n01) else 0
  stopifnot(all.equal(mc_hand, unname(mc$statistic), tolerance = 1e-14))
  data.frame(n = n,
             approve_a = 100 * mean(ax), approve_b = 100 * mean(ay),
             diff = 100 * d, diff_lower = 100 * (d - zq * se),
             diff_upper = 100 * (d + zq * se),
             n10 = n10, n01 = n01,
             mcnemar_chisq = unname(mc$statistic), mcnemar_p = mc$p.value,
             mean_a = mean(x), mean_b = mean(y), mean_diff = unname(tt$estimate),
             t = unname(tt$statistic), t_df = unname(tt$parameter), t_p = tt$p.value,
             t_lower = tt$conf.int[1], t_upper = tt$conf.int[2],
             wilcox_v = unname(wt$statistic), wilcox_p = wt$p.value,
             wilcox_z = wz[["z"]], wilcox_n = as.integer(wz[["n"]]))
}

r <- rieger$data
its <- rieger$items
pairs <- NULL
for (i in seq_along(its)[-length(its)]) for (j in (i + 1):length(its))
  pairs <- rbind(pairs, data.frame(a = its[i], b = its[j],
                                   paired(r[[its[i]]], r[[its[j]]], rieger$agree)))
stopifnot(nrow(pairs) == 10)
write_ref(pairs, "pairs.csv")

pbg <- NULL
for (g in sort(unique(r$country[!is.na(r$country)]))) {
  s <- !is.na(r$country) & r$country == g
  pbg <- rbind(pbg, data.frame(a = "pol_privileges", b = "pol_informed", group = g,
                               paired(r$pol_privileges[s], r$pol_informed[s], rieger$agree)))
}
write_ref(pbg, "pairs_by_group.csv")

## ---------------------------------------------------------------------------
## Approval by group, unweighted

by_group <- NULL
tests <- NULL
for (sv in list(list(name = "rieger2020", s = rieger, item = "pol_privileges"),
                list(name = "kostka2019", s = kostka, item = "approve"))) {
  d <- sv$s$data
  a <- approves(d[[sv$item]], sv$s$agree)
  for (dem in sv$s$demographics) {
    g <- d[[dem]]
    ok <- !is.na(a) & !is.na(g)
    lv <- sort(unique(g[ok]))
    for (l in lv) {
      s <- ok & g == l
      by_group <- rbind(by_group, data.frame(survey = sv$name, item = sv$item,
                                             demographic = dem, level = l, n = sum(s),
                                             approve = 100 * mean(a[s]),
                                             approving = sum(a[s])))
    }
    tab <- table(factor(a[ok], levels = 0:1), factor(g[ok], levels = lv))
    ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
    n <- sum(ok)
    tests <- rbind(tests, data.frame(survey = sv$name, item = sv$item, demographic = dem,
                                     n = n, chisq = unname(ct$statistic),
                                     df = as.integer(ct$parameter), p = ct$p.value,
                                     cramers_v = sqrt(unname(ct$statistic) /
                                                      (n * (min(dim(tab)) - 1)))))
  }
}
write_ref(by_group, "by_group.csv")
write_ref(tests, "by_group_tests.csv")

## ---------------------------------------------------------------------------
## Approval by group, kostka2019 with its sampling weight

k <- kostka$data
k$approve01 <- approves(k$approve, kostka$agree)
# the survey's design: clusters (cluster = city), the weight raked to its
# [margins] (rake to convergence; brisk rakes until every margin is met to
# 1e-12 of the total)
stopifnot(identical(kostka$cluster, "city"), length(kostka$margins) == 3)
design <- svydesign(ids = ~city, weights = ~weight, data = k)
W <- sum(k$weight)
design <- rake(design, lapply(names(kostka$margins), function(v) as.formula(paste0("~", v))),
               lapply(names(kostka$margins), function(v) {
                 m <- kostka$margins[[v]]
                 setNames(data.frame(as.numeric(names(m)), unname(m) * W), c(v, "Freq"))
               }), control = list(maxit = 1000, epsilon = 1e-13))
k$weight <- weights(design)
N <- nrow(k)
nu <- degf(design)

wgroup <- NULL
wtests <- NULL
for (dem in kostka$demographics) {
  f <- as.formula(paste0("~", dem))
  by <- svyby(~approve01, f, design, svymean)
  lv <- by[[dem]]
  for (i in seq_along(lv)) {
    s <- k[[dem]] == lv[i]
    # the domain mean by hand: sum(w y) / sum(w) over the level (its SE is
    # the design's: clusters and the raking's calibration)
    m <- sum(k$weight[s] * k$approve01[s]) / sum(k$weight[s])
    stopifnot(all.equal(by$approve01[i], m))
    wgroup <- rbind(wgroup, data.frame(survey = "kostka2019", item = "approve",
                                       demographic = dem, level = lv[i], n = sum(s),
                                       weight_sum = sum(k$weight[s]),
                                       approve = 100 * by$approve01[i],
                                       se = 100 * SE(by)[i]))
  }

  fm <- as.formula(paste0("~approve01 + ", dem))
  rs1 <- svychisq(fm, design, statistic = "Chisq")
  rs2 <- svychisq(fm, design, statistic = "F")

  # What svychisq.survey.design computes, by hand (its code, survey 4.1-1):
  # rows = approve01, cols = the demographic, cells in expand.grid order
  # (row index fastest).
  rows <- sort(unique(k$approve01)); cols <- sort(unique(k[[dem]]))
  nr <- length(rows); nc <- length(cols)
  cell <- interaction(factor(k$approve01, levels = rows), factor(k[[dem]], levels = cols))
  mm <- model.matrix(~cell - 1)
  w <- k$weight
  p <- colSums(w * mm) / sum(w)                      # weighted cell proportions
  V <- attr(svymean(mm, design), "var")              # the design's covariance
  mf1 <- expand.grid(rows = 1:nr, cols = 1:nc)
  X1 <- model.matrix(~factor(rows) + factor(cols), mf1)
  X12 <- model.matrix(~factor(rows) * factor(cols), mf1)
  C <- qr.resid(qr(X1), X12[, -(1:(nr + nc - 1)), drop = FALSE])
  iD <- diag(ifelse(p == 0, 0, 1 / p))
  Delta <- solve(t(C) %*% (iD / N) %*% C, t(C) %*% iD %*% V %*% iD %*% C)
  tr1 <- sum(diag(Delta)); tr2 <- sum(diag(Delta %*% Delta))
  df <- (nr - 1) * (nc - 1)
  wt <- matrix(colSums(w * mm) * N / sum(w), nr, nc)  # weighted table scaled to N
  E <- outer(rowSums(wt), colSums(wt)) / N
  X2 <- sum((wt - E)^2 / E)
  stopifnot(all.equal(X2, unname(rs1$statistic)),       # "Chisq" keeps X^2 itself
            all.equal(unname(rs1$p.value), pchisq(X2 / (tr1 / df), df, lower.tail = FALSE)),
            all.equal(unname(rs2$statistic), X2 / tr1),
            all.equal(unname(rs2$parameter), c(tr1^2 / tr2, tr1^2 / tr2 * nu)),
            all.equal(unname(rs2$p.value), pf(X2 / tr1, tr1^2 / tr2, tr1^2 / tr2 * nu,
                                      lower.tail = FALSE)))
  ev <- eigen(Delta, only.values = TRUE)$values
  wtests <- rbind(wtests, data.frame(
    survey = "kostka2019", item = "approve", demographic = dem, n = N,
    pearson = X2, df = as.integer(df),
    deff_mean = tr1 / df, deff_sq_sum = tr2,
    deff_min = min(Re(ev)), deff_max = max(Re(ev)),
    chisq_rs1 = X2 / (tr1 / df), p_rs1 = rs1$p.value,
    f_rs2 = unname(rs2$statistic), ndf = unname(rs2$parameter[1]),
    ddf = unname(rs2$parameter[2]), p_rs2 = rs2$p.value))
}
write_ref(wgroup, "by_group_weighted.csv")
write_ref(wtests, "by_group_weighted_tests.csv")

cat("wrote", file.path(ref_dir, c("pairs.csv", "pairs_by_group.csv", "by_group.csv",
                                  "by_group_tests.csv", "by_group_weighted.csv",
                                  "by_group_weighted_tests.csv")), sep = "\n  ")
