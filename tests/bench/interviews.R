# SPDX-License-Identifier: GPL-3.0-or-later
# interviews.R -- the work of `brisk interviews SEGMENTS.csv --no-quotes
# --by group --unit UNIT` done in R, for tests/bench/interviews.sh to time.
#
#     Rscript tests/bench/interviews.R SEGMENTS.csv UNIT DRAWS VALUES.csv
#
# UNIT is participant or segment; DRAWS the bootstrap draws of
# Krippendorff's alpha per code (brisk's default is 1,000).  Writes the
# values brisk also reports to VALUES.csv (table,code,key,value; codes
# named as brisk prints them, `Parent / Child`) and prints the seconds
# each part took, `part SECONDS` per line.
#
# The definitions and formulas are those of tests/reference/interviews/make.R
# (doc/interviews.md): prop.test's Wilson interval, fisher.test by the
# attribute, co-occurrence of the codes themselves, and per code the
# units x coders matrix of 1 (applied it or a code under it), 0 (coded
# the unit, not with it) and NA (did not code the unit), with irr's %
# agreement and Fleiss' kappa written out, psych::cohen.kappa, and
# Krippendorff's alpha (nominal) from the coincidences.  make.R loops
# over codings and units, which is fine for 20 participants; here the same
# quantities are computed with vectorized R (tables, merges, rowSums), as
# one would for a study of this size, so that R is not timed at its worst.
# Alpha's interval: DRAWS resamples of the units with replacement (all the
# units, as brisk draws them), alpha of each, R's type-7 2.5% and 97.5%
# quantiles.
suppressPackageStartupMessages(library(psych))
a <- commandArgs(TRUE)
unit <- a[2]
draws <- as.integer(a[3])
stopifnot(unit %in% c("participant", "segment"), draws >= 1)
clock <- proc.time()[["elapsed"]]
lap <- function(part) {
    now <- proc.time()[["elapsed"]]
    cat(part, sprintf("%.3f", now - clock), "\n")
    clock <<- now
}

## ---------------------------------------------------------- reading ----

cd <- read.csv(a[1], stringsAsFactors = FALSE)
parts <- unique(cd$participant)
cd$part <- match(cd$participant, parts)    # one transcript per participant
coders <- unique(cd$coder)
cd$k <- match(cd$coder, coders)
# the codes: every path and its ancestors (`A/B` is B under A), parents first
steps <- strsplit(cd$code, "/", fixed = TRUE)
prefixes <- function(s) vapply(seq_along(s), function(i) paste(s[1:i], collapse = " / "), "")
codes <- unique(unlist(lapply(unique(steps), prefixes)))
lineage <- lapply(strsplit(codes, " / ", fixed = TRUE), function(s) match(prefixes(s), codes))
cd$code_i <- match(vapply(steps, paste, "", collapse = " / "), codes)
nc <- length(codes)
np <- length(parts)
# under[i, c]: coding i's code is c or lies under c
under <- matrix(FALSE, nrow(cd), nc)
for (c in seq_len(nc)) under[, c] <- vapply(lineage, function(l) c %in% l, TRUE)[cd$code_i]
# words: runs of non-blank characters (the texts here are ASCII)
cd$words <- lengths(regmatches(cd$text, gregexpr("[^ \t\r\n]+", cd$text)))
group <- tapply(cd$group, cd$part, function(g) { stopifnot(length(unique(g)) == 1); g[1] })
lap("read")

out <- list()
emit <- function(table, code, key, value)
    out[[length(out) + 1]] <<- data.frame(table = table, code = code, key = key,
                                          value = as.numeric(value))

## ----------------------------------------------------------- themes ----

raised <- matrix(FALSE, np, nc)   # raised[p, c]: any coder, the code or one under it
for (c in seq_len(nc)) raised[unique(cd$part[under[, c]]), c] <- TRUE
x <- colSums(raised)
ci <- 100 * vapply(x, function(k) suppressWarnings(prop.test(k, np, correct = FALSE))$conf.int,
                   numeric(2))
emit("themes", codes, "participants", x)
emit("themes", codes, "percent", 100 * x / np)
emit("themes", codes, "ci_lower", ci[1, ])
emit("themes", codes, "ci_upper", ci[2, ])
emit("themes", codes, "segments", colSums(under))
emit("themes", codes, "words", colSums(under * cd$words))
lap("themes")

levs <- sort(unique(group))
g <- factor(group, levs)
yes <- apply(raised, 2, function(r) tapply(r, g, sum))   # levels x codes
size <- as.vector(table(g))
for (l in seq_along(levs)) emit("themes_by.group", codes, paste0("n_", levs[l]), yes[l, ])
emit("themes_by.group", codes, "p",
     apply(yes, 2, function(y) fisher.test(rbind(y, size - y))$p.value))
lap("fisher")

## ---------------------------------------------------- co-occurrence ----

# participants: the codes themselves, not the codes under them
direct <- matrix(FALSE, np, nc)
direct[cbind(cd$part, cd$code_i)] <- TRUE
both <- crossprod(direct)
either <- outer(colSums(direct), colSums(direct), "+") - both
# segments: pairs of overlapping selections in one transcript, one with each code
sel <- cd[cd$end > cd$start, c("part", "code_i", "start", "end")]
m <- merge(sel, sel, by = "part")
m <- m[m$code_i.x < m$code_i.y & m$start.x < m$end.y & m$start.y < m$end.x, ]
overlaps <- table(factor(m$code_i.x, seq_len(nc)), factor(m$code_i.y, seq_len(nc)))
ij <- which(upper.tri(both), arr.ind = TRUE)
ij <- ij[order(ij[, 1], ij[, 2]), , drop = FALSE]
related <- mapply(function(i, j) i %in% lineage[[j]] || j %in% lineage[[i]], ij[, 1], ij[, 2])
ij <- ij[!related, , drop = FALSE]   # a code and its parent are not paired
key <- paste0(codes[ij[, 1]], "|", codes[ij[, 2]])
emit("cooccurrence", key, "segments", overlaps[ij])
emit("cooccurrence", key, "participants", both[ij])
emit("cooccurrence", key, "jaccard", ifelse(either[ij] > 0, both[ij] / either[ij], NA))
lap("cooccurrence")

## -------------------------------------------------------- agreement ----

# the units: unit_of[i] is coding i's; coded[u, k]: coder k coded unit u
if (unit == "participant") {
    unit_of <- cd$part
    coded <- matrix(FALSE, np, length(coders))
    coded[cbind(cd$part, cd$k)] <- TRUE
} else {
    # overlapping selections in one transcript, directly or through another
    o <- order(cd$part, cd$start, cd$end)
    reach <- ave(cd$end[o], cd$part[o], FUN = function(e) c(-1, head(cummax(e), -1)))
    first <- !duplicated(cd$part[o])
    unit_of <- integer(nrow(cd))
    unit_of[o] <- cumsum(first | cd$start[o] >= reach)
    # a coder coded a segment when the coder has any coding in its transcript
    in_part <- matrix(FALSE, np, length(coders))
    in_part[cbind(cd$part, cd$k)] <- TRUE
    coded <- in_part[tapply(cd$part, unit_of, `[`, 1), , drop = FALSE]
}
nu <- nrow(coded)
lap("units")

# irr::agree 0.84.1 (R/agree.R), tolerance 0, on the units every coder coded
irr_agree <- function(x) {
    x <- x[complete.cases(x), , drop = FALSE]
    100 * mean(apply(x, 1, max) == apply(x, 1, min))
}
# irr::kappam.fleiss 0.84.1 (R/kappam.fleiss.R), the value, on complete units
irr_kappam_fleiss <- function(x) {
    x <- x[complete.cases(x), , drop = FALSE]
    ns <- nrow(x); nr <- ncol(x)
    ttab <- vapply(sort(unique(c(x))), function(v) rowSums(x == v), numeric(ns))
    agreeP <- sum((rowSums(ttab^2) - nr) / (nr * (nr - 1)) / ns)
    chanceP <- sum(colSums(ttab)^2) / (ns * nr)^2
    (agreeP - chanceP) / (1 - chanceP)
}
# Krippendorff's alpha, nominal (Krippendorff 2011): in each unit with m_u
# >= 2 values the coincidences off the diagonal sum to (m_u^2 - sum_c
# n_uc^2) / (m_u - 1); alpha = 1 - (n - 1) sum_{c != k} o_ck / sum_{c != k}
# n_c n_k, NA when only one value occurs.
kripp_alpha <- function(x) {
    counts <- vapply(sort(unique(x[!is.na(x)])), function(v) rowSums(x == v, na.rm = TRUE),
                     numeric(nrow(x)))
    counts <- counts[rowSums(counts) >= 2, , drop = FALSE]
    mu <- rowSums(counts)
    nc <- colSums(counts)
    n <- sum(nc)
    expected <- n^2 - sum(nc^2)
    if (length(nc) < 2 || expected == 0) return(NA)
    1 - (n - 1) * sum((mu^2 - rowSums(counts^2)) / (mu - 1)) / expected
}

X <- vector("list", nc)   # each code's units x coders matrix
for (c in seq_len(nc)) {
    x <- ifelse(coded, 0, NA)
    x[cbind(unit_of, cd$k)[under[, c], , drop = FALSE]] <- 1
    X[[c]] <- x
    pair <- x[complete.cases(x), , drop = FALSE]
    stopifnot(nrow(pair) != 2)   # psych reads a 2 x 2 matrix as a table
    ck <- suppressWarnings(suppressMessages(psych::cohen.kappa(pair)))
    emit("agreement", codes[c],
         c("applied", "units", "percent", "cohen_kappa", "cohen_se", "fleiss_kappa", "alpha"),
         c(sum(rowSums(x == 1, na.rm = TRUE) > 0), sum(rowSums(!is.na(x)) >= 2), irr_agree(x),
           ck$kappa, if (is.na(ck$kappa)) NA else sqrt(ck$var.kappa), irr_kappam_fleiss(x),
           kripp_alpha(x)))
}
lap("agreement")

set.seed(1)
for (c in seq_len(nc)) {
    alphas <- replicate(draws,
                        kripp_alpha(X[[c]][sample.int(nu, nu, replace = TRUE), , drop = FALSE]))
    ci <- quantile(alphas, c(0.025, 0.975), na.rm = TRUE, names = FALSE)
    emit("agreement", codes[c], c("alpha_lower", "alpha_upper"), ci)
}
lap("bootstrap")

out <- do.call(rbind, out)
stopifnot(!any(grepl(",", out$code)))   # written unquoted
write.csv(out, a[4], row.names = FALSE, quote = FALSE)
