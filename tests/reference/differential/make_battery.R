#!/usr/bin/env Rscript
# SPDX-License-Identifier: GPL-3.0-or-later
# The differential battery: models and data that nobody here wrote by hand,
# fitted by lavaan; tests/unit/test_differential.c fits each with brisk and
# compares every estimate, standard error, std.all and fit measure.
#
#   Rscript tests/reference/differential/make_battery.R      (from the top)
#
# Writes, in this folder:
#   cases.csv    one row per case: its options and how lavaan ended (trusted
#                FALSE where lavaan's own arithmetic failed, NaNs in its
#                probit regressions: such a case asserts only that brisk ends)
#   params.csv   parameterEstimates(fit, standardized = TRUE) of every case
#                lavaan estimated
#   fit.csv      fitMeasures(fit) of those cases
#   models/NNN.lav, data/NNN.csv
#
# Three kinds of case:
#   - named cases: one per bug found (or class of syntax), each with a note
#     saying what it keeps closed;
#   - generated cases: a seeded grammar draws a model (factors, indicators,
#     cross-loadings written on their own lines, residual covariances,
#     regressions among factors with labels and :=, observed covariates with
#     and without written moments, fixed values, intercepts), a population
#     (sometimes weakly determined: low loadings, factors correlated near 1,
#     small N; sometimes Heywood-prone), the way the model is written (split
#     over lines, continued lines, ';', comments, several left-hand sides),
#     the data (continuous, or cut into 2 to 7 categories; complete, MCAR or
#     MAR) and the options (ML, MLR, WLSMV; FIML; std.lv; groups with
#     group.equal);
#   - a sweep of 120 weakly determined two-factor CFAs (60 by ML, 60 by
#     WLSMV) on about 90 respondents, where lavaan often fails: brisk must
#     converge wherever lavaan does;
#   - ordered items in two groups with group.equal (loadings; loadings and
#     thresholds, which frees the scale factors and latent means after the
#     first group), from populations whose groups differ in latent means
#     and variances.
#
# lavaan 0.6-14 (Debian's r-cran-lavaan) made the committed values.

suppressPackageStartupMessages(library(lavaan))

here <- "tests/reference/differential"
if (!dir.exists(here)) stop("run from the top of the source tree")
dir.create(file.path(here, "models"), showWarnings = FALSE)
dir.create(file.path(here, "data"), showWarnings = FALSE)
unlink(file.path(here, "models", "*.lav"))
unlink(file.path(here, "data", "*.csv"))

hs <- read.csv("tests/data/hs.csv")

# ------------------------------------------------------------------ fitting

# Fit one case with lavaan, keeping its warnings; returns the row of
# cases.csv and the parameter and fit tables.
fit_case <- function(id, model, data, opt, note, kind) {
    warnings <- character(0)
    args <- list(model = model, data = data, estimator = opt$estimator,
                 std.lv = opt$std_lv)
    if (opt$missing == "ml") args$missing <- "ml"
    if (nchar(opt$group)) args$group <- opt$group
    if (nchar(opt$group_equal))
        args$group.equal <- strsplit(opt$group_equal, ",", fixed = TRUE)[[1]]
    if (opt$ordered) {
        ord <- setdiff(names(data), c(opt$group, strsplit(opt$covariates, " ")[[1]]))
        args$ordered <- ord
    }
    error <- ""
    fit <- withCallingHandlers(
        tryCatch(do.call("sem", args), error = function(e) { error <<- conditionMessage(e); NULL }),
        warning = function(w) {
            warnings <<- c(warnings, conditionMessage(w))
            invokeRestart("muffleWarning")
        })
    converged <- !is.null(fit) && lavInspect(fit, "converged")
    se_ok <- FALSE
    params <- NULL
    fitm <- NULL
    if (converged) {
        pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE,
                                 remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
        free <- lavInspect(fit, "free")
        se_ok <- all(is.finite(pe$se[pe$op != "~*~"]))
        group <- if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group
        glabels <- lavInspect(fit, "group.label")
        if (length(glabels) == 0) glabels <- ""
        params <- data.frame(
            id = id, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
            group = ifelse(pe$op == ":=", "", glabels[pmax(group, 1L)]),
            label = if (is.null(pe$label)) "" else pe$label, est = pe$est, se = pe$se, std_all = pe$std.all,
            stringsAsFactors = FALSE)
        fm <- tryCatch(fitMeasures(fit), error = function(e) NULL)
        if (!is.null(fm))
            fitm <- data.frame(id = id, measure = names(fm), value = unname(as.numeric(fm)),
                               stringsAsFactors = FALSE)
    }
    flat <- function(x) gsub("[\r\n\"]+", " ", paste(x, collapse = " | "))
    row <- data.frame(
        id = id, kind = kind, estimator = opt$estimator, missing = opt$missing,
        std_lv = opt$std_lv, group = opt$group, group_equal = opt$group_equal,
        ordered = opt$ordered, covariates = opt$covariates, nrow = nrow(data),
        converged = converged, se_ok = se_ok,
        admissible = converged && !any(grepl("negative|not positive definite",
                                             warnings)),
        # lavaan's own arithmetic failed (NaNs in its probit regressions):
        # its numbers are not a reference
        trusted = !any(grepl("NaNs produced|trouble constructing W", warnings)),
        note = note, lavaan_error = flat(error), lavaan_warnings = flat(unique(warnings)),
        stringsAsFactors = FALSE)
    list(row = row, params = params, fit = fitm)
}

cases <- list()
add_case <- function(model, data, note, kind = "named", estimator = "ML", missing = "listwise",
                     std_lv = FALSE, group = "", group_equal = "", ordered = FALSE,
                     covariates = "") {
    id <- sprintf("%03d", length(cases) + 1L)
    opt <- list(estimator = estimator, missing = missing, std_lv = std_lv, group = group,
                group_equal = group_equal, ordered = ordered, covariates = covariates)
    writeLines(model, file.path(here, "models", paste0(id, ".lav")))
    write.csv(data, file.path(here, "data", paste0(id, ".csv")), row.names = FALSE,
              na = "")
    cases[[length(cases) + 1L]] <<- fit_case(id, model, data, opt, note, kind)
    invisible(id)
}

# ------------------------------------------------------------------ named cases

hs9 <- hs[, c("school", paste0("x", 1:9))]

add_case('visual  =~ x1 + x2
textual =~ x4 + x5 + x6
visual  =~ x3', hs9,
"a factor defined over two =~ statements: only its first indicator overall is fixed")

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
visual  =~ x9', hs9,
"HS with a cross-loading on its own line")

add_case('visual  =~ x1 + x2 + x3
y ~ x4 + x5
x4 ~~ x5', transform(hs9, y = x6),
"written covariance of two predictors: they are random (lavaan's ov.x), df 9")

add_case('y ~ x1 + x2 + x3
x1 ~~ x1', transform(hs9, y = x6),
"written variance of one predictor of three: it is random, the others fixed")

add_case('y ~ x1 + x2
x1 ~ 1', transform(hs9, y = x6),
"written intercept of a predictor: random, and a mean structure")

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
x1 ~ 0*1', hs9,
"an intercept fixed far from the mean (lavaan: chi-square 909.6 on 9 df)")

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9', hs9,
"HS by school, loadings equal", group = "school", group_equal = "loadings")

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9', hs9,
"HS with std.lv", std_lv = TRUE)

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + equal("textual=~x5")*x9', hs9,
"equal(\"textual=~x5\"): a loading held equal to another by its lhs op rhs")

add_case('visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
x7 + x8 ~ visual + textual', hs9,
"several left-hand sides: x7 + x8 ~ visual + textual")

add_case('visual  =~ x1 + 0.5?x2 + x3
textual =~ x4 + x5 + 1.2?x6', hs9,
"lavaan\'s start values written 0.5?x2")

add_case('visual  =~ x1 + a*x2 + x3
textual =~ x4 + x5 + x6', hs9,
"a single label in two groups holds the loading equal across groups (lavaan warns)",
group = "school")

add_case('visual  =~ x1 + c(a1, a2)*x2 + x3
textual =~ x4 + x5 + c(b1, b2)*x6
diff := a1 - a2', hs9,
"labels per group with c(), and := of them", group = "school")

bfi <- read.csv("tests/data/bfi.csv")
add_case('agree =~ A1 + A2
consc =~ C1 + C2', bfi[1:814, c("A1", "A2", "C1", "C2")],
"two correlated two-item factors, A1 not reversed: lavaan reaches a Heywood case")

add_case('agree =~ A2 + A3
consc =~ C1 + C2', bfi[1:900, c("A2", "A3", "C1", "C2")],
"WLSMV with two-item factors (the starting values once made this 'not identified')",
estimator = "WLSMV", ordered = TRUE)

add_case('agree =~ A2 + A3 + A4
consc =~ C1 + C2 + C3', bfi[1:600, c("A2", "A3", "A4", "C1", "C2", "C3")],
"WLSMV with std.lv: the factors' signs", estimator = "WLSMV", ordered = TRUE, std_lv = TRUE)

# ------------------------------------------------------------------ grammar

# A population and an analysis model, drawn.
draw_spec <- function(weak) {
    nf <- sample(1:4, 1, prob = c(0.15, 0.35, 0.3, 0.2))
    k <- sample(2:5, nf, replace = TRUE, prob = c(0.2, 0.4, 0.3, 0.1))
    if (nf == 1) k <- max(k, 3)
    items <- list()
    v <- 0
    for (f in seq_len(nf)) {
        items[[f]] <- paste0("y", v + seq_len(k[f]))
        v <- v + k[f]
    }
    lo <- if (weak) 0.25 else 0.45
    hi <- if (weak) 0.45 else 0.9
    lambda <- lapply(k, function(n) round(runif(n, lo, hi), 2))
    structural <- nf >= 2 && runif(1) < 0.5
    list(nf = nf, items = items, lambda = lambda, structural = structural,
         weak = weak)
}

fnames <- c("f1", "f2", "f3", "f4")

# The population model in lavaan syntax with values (standardized).
population_text <- function(s, cross, rescov, paths, cov_lv, covariates, gamma) {
    lines <- character(0)
    for (f in seq_len(s$nf))
        lines <- c(lines, paste0(fnames[f], " =~ ",
                                 paste0(s$lambda[[f]], "*", s$items[[f]], collapse = " + ")))
    for (c in cross) lines <- c(lines, paste0(c$f, " =~ ", c$value, "*", c$item))
    for (r in rescov) lines <- c(lines, paste0(r$a, " ~~ ", r$value, "*", r$b))
    for (p in paths) lines <- c(lines, paste0(p$to, " ~ ", p$value, "*", p$from))
    for (c in cov_lv) lines <- c(lines, paste0(c$a, " ~~ ", c$value, "*", c$b))
    for (i in seq_along(covariates))
        lines <- c(lines, paste0(gamma[[i]]$f, " ~ ", gamma[[i]]$value, "*", covariates[i]))
    paste(lines, collapse = "\n")
}

# The same model as a user writes it, in one of several styles.
write_term <- function(name, mod) if (is.null(mod) || mod == "") name else paste0(mod, "*", name)

write_measurement <- function(f, terms, style) {
    if (style == "split" && length(terms) >= 3) {
        cut <- sample(2:(length(terms) - 1), 1)
        return(list(head = paste0(f, " =~ ", paste(terms[1:cut], collapse = " + ")),
                    tail = paste0(f, " =~ ", paste(terms[(cut + 1):length(terms)],
                                                   collapse = " + "))))
    }
    if (style == "continued" && length(terms) >= 3)
        return(list(head = paste0(f, " =~ ", paste(terms, collapse = " +\n      "))))
    if (style == "leading" && length(terms) >= 3)
        return(list(head = paste0(f, " =~ ", terms[1], "\n      + ",
                                  paste(terms[-1], collapse = " + "))))
    list(head = paste0(f, " =~ ", paste(terms, collapse = " + ")))
}

generate_case <- function() {
    weak <- runif(1) < 0.2
    s <- draw_spec(weak)
    nf <- s$nf
    estimator <- sample(c("ML", "MLR", "WLSMV"), 1, prob = c(0.55, 0.25, 0.2))
    ordered <- estimator == "WLSMV"
    missing <- if (!ordered && runif(1) < 0.2) "ml" else "listwise"
    std_lv <- runif(1) < 0.25
    grouped <- !weak && runif(1) < 0.2
    n <- if (weak) sample(80:120, 1) else sample(c(150, 200, 300, 500, 800), 1)
    if (grouped) n <- n + 200

    # extras
    cross <- list()
    if (nf >= 2 && runif(1) < 0.25) {
        f <- sample(nf, 1)
        other <- sample(setdiff(seq_len(nf), f), 1)
        item <- sample(s$items[[other]][-1], 1)
        if (length(s$items[[other]]) > 1)
            cross[[1]] <- list(f = fnames[f], item = item, value = 0.3)
    }
    all_items <- unlist(s$items)
    rescov <- list()
    if (runif(1) < 0.25 && length(all_items) >= 4) {
        pair <- sample(all_items, 2)
        rescov[[1]] <- list(a = pair[1], b = pair[2], value = 0.15)
    }
    paths <- list()
    cov_lv <- list()
    labels <- character(0)
    if (s$structural) {
        for (to in 2:nf) {
            from <- sample(seq_len(to - 1), sample(1:min(2, to - 1), 1))
            for (fr in from)
                paths[[length(paths) + 1L]] <- list(from = fnames[fr], to = fnames[to],
                                                    value = round(runif(1, 0.2, 0.5), 2))
        }
    } else if (nf >= 2) {
        r <- if (weak) runif(1, 0.85, 0.95) else runif(1, 0.1, 0.6)
        for (a in 1:(nf - 1)) for (b in (a + 1):nf)
            cov_lv[[length(cov_lv) + 1L]] <- list(a = fnames[a], b = fnames[b],
                                                  value = round(r, 2))
    }
    ncov <- if (!grouped && runif(1) < 0.25) sample(1:2, 1) else 0
    covariates <- if (ncov) paste0("z", seq_len(ncov)) else character(0)
    gamma <- lapply(covariates, function(z) list(f = fnames[sample(nf, 1)],
                                                 value = round(runif(1, 0.2, 0.4), 2)))
    pop <- population_text(s, cross, rescov, paths, cov_lv, covariates, gamma)

    data <- tryCatch(simulateData(pop, sample.nobs = n, standardized = TRUE),
                     error = function(e) NULL, warning = function(w) NULL)
    if (is.null(data)) return(FALSE)   # no such population: draw again
    # scales and means as real items have them
    for (v in all_items) data[[v]] <- round(data[[v]] * runif(1, 0.6, 2.5) + runif(1, 1, 4), 3)
    for (z in covariates) data[[z]] <- round(data[[z]] * runif(1, 0.5, 10) + runif(1, 0, 40), 3)
    if (ordered) {
        for (v in all_items) {
            ncat <- sample(2:7, 1)
            probs <- sort(runif(ncat - 1, 0.1, 0.9))
            cuts <- unique(quantile(data[[v]], probs))
            data[[v]] <- as.integer(cut(data[[v]], c(-Inf, cuts, Inf))) 
        }
    }
    if (grouped) data$g <- sample(c(1L, 2L), n, replace = TRUE)
    if (missing == "ml" || (!ordered && runif(1) < 0.1)) {
        rate <- runif(1, 0.03, 0.15)
        mar <- runif(1) < 0.5
        for (v in all_items) {
            p <- if (mar) plogis(qlogis(rate) + 0.8 * scale(data[[all_items[1]]])) else rate
            if (v == all_items[1]) p <- rate
            data[[v]][runif(n) < p] <- NA
        }
    }

    # how the analysis model is written
    style <- sample(c("compact", "split", "continued", "leading", "semicolons"), 1)
    lines <- character(0)
    tails <- character(0)
    for (f in seq_len(nf)) {
        terms <- s$items[[f]]
        if (std_lv && runif(1) < 0.5) terms[1] <- paste0("NA*", terms[1])
        if (!std_lv && runif(1) < 0.1 && length(terms) >= 3)
            terms[2] <- paste0("start(0.8)*", terms[2])
        w <- write_measurement(fnames[f], terms, if (style == "semicolons") "compact" else style)
        lines <- c(lines, w$head)
        if (!is.null(w$tail)) tails <- c(tails, w$tail)
    }
    for (c in cross) tails <- c(tails, paste0(c$f, " =~ ", c$item))
    for (r in rescov) {
        pair <- if (runif(1) < 0.5) c(r$a, r$b) else c(r$b, r$a)
        tails <- c(tails, paste0(pair[1], " ~~ ", pair[2]))
    }
    defined <- character(0)
    if (length(paths)) {
        lab <- paste0("b", seq_along(paths))
        tos <- sapply(paths, `[[`, "to")
        use_labels <- runif(1) < 0.6
        for (to in unique(tos)) {
            idx <- which(tos == to)
            terms <- sapply(idx, function(i) write_term(paths[[i]]$from,
                                                        if (use_labels) lab[i] else ""))
            if (length(terms) > 1 && runif(1) < 0.3) {
                for (t in terms) lines <- c(lines, paste0(to, " ~ ", t))
            } else {
                lines <- c(lines, paste0(to, " ~ ", paste(terms, collapse = " + ")))
            }
        }
        if (use_labels) {
            # an indirect effect along a chain a -> b -> c, when there is one
            for (i in seq_along(paths)) for (j in seq_along(paths))
                if (paths[[i]]$to == paths[[j]]$from && length(defined) < 2)
                    defined <- c(defined, paste0("ind", length(defined) + 1L, " := ", lab[i],
                                                 "*", lab[j]))
        }
    }
    written_moments <- FALSE
    if (length(covariates)) {
        for (i in seq_along(covariates))
            lines <- c(lines, paste0(gamma[[i]]$f, " ~ ", covariates[i]))
        if (!ordered && runif(1) < 0.3) {
            # (with ordered items a covariate with written moments is a
            # continuous variable among ordered ones: a mixed model, refused)
            written_moments <- TRUE
            tails <- c(tails, if (length(covariates) == 2 && runif(1) < 0.5)
                                  "z1 ~~ z2" else paste0(covariates[1], " ~~ ", covariates[1]))
        }
    }
    if (!ordered && missing != "ml" && runif(1) < 0.1)
        tails <- c(tails, paste0(all_items[1], " ~ 1"))
    body <- c(lines, tails, defined)
    if (style == "semicolons") {
        text <- paste(body, collapse = "; ")
    } else {
        if (runif(1) < 0.3) body <- c("# measurement", body)
        text <- paste(body, collapse = "\n")
    }
    group_equal <- ""
    if (grouped && !ordered)
        group_equal <- sample(c("", "loadings", "loadings,intercepts",
                                "loadings,intercepts,residuals"), 1)
    note <- paste0(nf, " factor", if (nf > 1) "s", ", ", length(all_items), " items",
                   if (weak) ", weakly determined", if (length(cross)) ", cross-loading",
                   if (length(rescov)) ", residual covariance",
                   if (length(paths)) ", structural", if (length(defined)) ", :=",
                   if (length(covariates)) paste0(", ", length(covariates), " covariate(s)"),
                   if (written_moments) " with written moments",
                   if (ordered) ", ordered", if (missing == "ml") ", FIML",
                   if (grouped) ", 2 groups", ", written ", style)
    add_case(text, data, note, kind = "generated", estimator = estimator, missing = missing,
             std_lv = std_lv, group = if (grouped) "g" else "", group_equal = group_equal,
             ordered = ordered, covariates = paste(covariates, collapse = " "))
    TRUE
}

set.seed(20261205)
ngenerated <- 220
for (i in seq_len(ngenerated)) while (!generate_case()) {}

# ------------------------------------------------------------------ sweep
# Weakly determined CFAs, as in the report that started this battery:
# two factors of two to four items loading .25 to .35, correlated .90 to
# .97, about 90 respondents; by ML (continuous) and by WLSMV (3 to 5
# categories).  lavaan fails on many of them; brisk must converge wherever
# lavaan does, to lavaan's chi-square.
weak_case <- function(estimator, k) {
    items <- list(paste0("y", 1:k[1]), paste0("y", k[1] + 1:k[2]))
    lam <- lapply(k, function(n) round(runif(n, 0.25, 0.35), 2))
    r <- round(runif(1, 0.90, 0.97), 2)
    pop <- paste(c(paste0("f1 =~ ", paste0(lam[[1]], "*", items[[1]], collapse = " + ")),
                   paste0("f2 =~ ", paste0(lam[[2]], "*", items[[2]], collapse = " + ")),
                   paste0("f1 ~~ ", r, "*f2")), collapse = "\n")
    n <- sample(80:100, 1)
    data <- tryCatch(simulateData(pop, sample.nobs = n, standardized = TRUE),
                     error = function(e) NULL, warning = function(w) NULL)
    if (is.null(data)) return(FALSE)
    ordered <- estimator == "WLSMV"
    for (v in unlist(items)) {
        if (ordered) {
            cuts <- unique(quantile(data[[v]], sort(runif(sample(2:4, 1), 0.15, 0.85))))
            data[[v]] <- as.integer(cut(data[[v]], c(-Inf, cuts, Inf)))
        } else {
            data[[v]] <- round(data[[v]] * runif(1, 0.8, 2) + 3, 3)
        }
    }
    model <- paste0("f1 =~ ", paste(items[[1]], collapse = " + "), "\nf2 =~ ",
                    paste(items[[2]], collapse = " + "))
    add_case(model, data, paste0("sweep: weak two-factor CFA (", paste(k, collapse = "+"),
                                 " items, r = ", r, ", N = ", n, ")",
                                 if (ordered) ", ordered" else ""),
             kind = "sweep", estimator = estimator, ordered = ordered)
    TRUE
}

for (estimator in c("ML", "WLSMV"))
    for (i in 1:60) while (!weak_case(estimator, sample(2:4, 2, replace = TRUE))) {}

# ------------------------------------------------------------------ ordered groups
# Two groups of ordered items under group.equal, as a measurement
# invariance study by WLSMV fits them: one to three factors of three to
# five items, 3 to 6 categories cut at the same points in both groups, the
# second group's factors shifted and rescaled; group.equal "loadings" or
# c("loadings", "thresholds"), with and without std.lv.  (Appended with a
# seed of their own, so that the cases before keep their numbers.)
ordered_group_case <- function() {
    nf <- sample(1:3, 1)
    k <- sample(3:5, nf, replace = TRUE)
    items <- split(paste0("u", seq_len(sum(k))), rep(seq_len(nf), k))
    lam <- lapply(k, function(n) round(runif(n, 0.5, 0.85), 2))
    pop_group <- function(shift, scale) {
        lines <- vapply(seq_len(nf), function(f)
            paste0("f", f, " =~ ", paste0(lam[[f]], "*", items[[f]], collapse = " + ")), "")
        lines <- c(lines, paste0("f", seq_len(nf), " ~ ", shift, "*1"),
                   paste0("f", seq_len(nf), " ~~ ", scale, "*f", seq_len(nf)))
        if (nf > 1)
            for (a in 1:(nf - 1)) for (b in (a + 1):nf)
                lines <- c(lines, paste0("f", a, " ~~ ", round(runif(1, 0.2, 0.5) * scale, 2),
                                         "*f", b))
        paste(lines, collapse = "\n")
    }
    n <- sample(300:600, 2)
    d1 <- simulateData(pop_group(0, 1), sample.nobs = n[1])
    d2 <- simulateData(pop_group(round(runif(1, 0.1, 0.5), 2), round(runif(1, 0.7, 1.3), 2)),
                       sample.nobs = n[2])
    ncat <- sample(3:6, 1)
    cuts <- sort(qnorm(runif(ncat - 1, 0.1, 0.9)))
    data <- rbind(cbind(d1, g = "a"), cbind(d2, g = "b"))
    for (v in unlist(items)) data[[v]] <- as.integer(cut(data[[v]], c(-Inf, cuts, Inf)))
    # every group must use every category (lavaan refuses otherwise)
    for (v in unlist(items))
        if (length(unique(data[[v]][data$g == "a"])) != length(unique(data[[v]])) ||
            length(unique(data[[v]][data$g == "b"])) != length(unique(data[[v]])))
            return(FALSE)
    data <- data[, c(unlist(items), "g")]
    model <- paste(vapply(seq_len(nf), function(f)
        paste0("f", f, " =~ ", paste(items[[f]], collapse = " + ")), ""), collapse = "\n")
    group_equal <- sample(c("loadings", "loadings,thresholds"), 1)
    std_lv <- runif(1) < 0.3
    add_case(model, data, paste0(nf, " factor", if (nf > 1) "s", ", ", sum(k), " items, ",
                                 ncat, " categories, ordered, 2 groups, ", group_equal,
                                 " equal", if (std_lv) ", std.lv"),
             kind = "generated", estimator = "WLSMV", std_lv = std_lv, group = "g",
             group_equal = group_equal, ordered = TRUE)
    TRUE
}

set.seed(20261206)
for (i in 1:12) while (!ordered_group_case()) {}

# ------------------------------------------------------------------ output

rows <- do.call(rbind, lapply(cases, `[[`, "row"))
params <- do.call(rbind, lapply(cases, `[[`, "params"))
fits <- do.call(rbind, lapply(cases, `[[`, "fit"))
write.csv(rows, file.path(here, "cases.csv"), row.names = FALSE, na = "")
write.csv(params, file.path(here, "params.csv"), row.names = FALSE, na = "")
write.csv(fits, file.path(here, "fit.csv"), row.names = FALSE, na = "")
cat(sprintf("%d cases, lavaan converged on %d\n", nrow(rows), sum(rows$converged)))
