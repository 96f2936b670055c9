#!/usr/bin/env Rscript
# SPDX-License-Identifier: GPL-3.0-or-later
# The differential battery, second set: the estimators and tests added
# after the first set was drawn -- MLM (Satorra-Bentler), GLS, ULS, WLS
# (ADF) and DWLS on continuous items, modification indices (modindices():
# MI, EPC, sepc.lv, sepc.all, sepc.nox) under ML, MLR, MLM, full-information
# ML and with == constraints, and group.partial in two groups under
# group.equal -- on models and data nobody here wrote, drawn by the same
# grammar as make_battery.R with a seed of its own.  The first set
# (make_battery.R, its files) is untouched.
#
#   Rscript tests/reference/differential/make_battery2.R     (from the top; ~4 minutes)
#
# Writes, in tests/reference/differential/set2/:
#   cases.csv    one row per case: its options (estimator, missing, std_lv,
#                group, group_equal, group_partial, covariates, modindices)
#                and how lavaan ended (as make_battery.R), with polished
#                (how, below), baseline_converged (FALSE where lavaan warned
#                that its baseline model did not converge: its baseline
#                chi-square, CFI and TLI are no reference) and mi_trusted
#                (FALSE where modindices() changed the estimates it starts
#                from: see fit_case)
#   params.csv   parameterEstimates(fit, standardized = TRUE)
#   fit.csv      fitMeasures(fit)
#   mi.csv       modindices(fit, minimum.value = 0) of the cases with
#                modindices TRUE, the rows with MI > 0 (group as its label)
#   models/NNN.lav, data/NNN.csv
# (set2/known.csv and set2/tolerances.csv are written by hand: a case's
# recorded difference, or its looser tolerance, each with its reason.)
#
# Every fit lavaan converged on is polished before its numbers are written
# (as tests/reference/modindices/make.R does): refitted from its estimates
# by lavaan's Gauss-Newton (optim.method = "GN", tolerance 1e-12), or BFGS
# with reltol 1e-15, and once more with the call as written from there
# (it stops at once).  lavaan's default search stops where the gradient is
# about 1e-6, where a modification index can still move by 1e-3; the
# polished fit is kept only if it is no worse and within 1e-3 of the
# default's estimates (cases.csv's polished says whether).  Convergence
# and warnings are the default fit's.
#
# lavaan 0.6-14 (Debian's r-cran-lavaan) made the committed values.

suppressPackageStartupMessages(library(lavaan))

here <- "tests/reference/differential/set2"
if (!dir.exists("tests/reference/differential")) stop("run from the top of the source tree")
dir.create(file.path(here, "models"), showWarnings = FALSE, recursive = TRUE)
dir.create(file.path(here, "data"), showWarnings = FALSE)
unlink(file.path(here, "models", "*.lav"))
unlink(file.path(here, "data", "*.csv"))

# ------------------------------------------------------------------ fitting

lavaan_args <- function(model, data, opt) {
    args <- list(model = model, data = data, estimator = opt$estimator, std.lv = opt$std_lv)
    if (opt$missing == "ml") args$missing <- "ml"
    if (nchar(opt$group)) args$group <- opt$group
    if (nchar(opt$group_equal))
        args$group.equal <- strsplit(opt$group_equal, ",", fixed = TRUE)[[1]]
    if (nchar(opt$group_partial))
        args$group.partial <- gsub(" ", "", strsplit(opt$group_partial, ", ", fixed = TRUE)[[1]])
    args
}

# The largest difference between two fits' estimates.
distance <- function(a, b) {
    ea <- parameterEstimates(a, remove.eq = TRUE, remove.def = TRUE)
    eb <- parameterEstimates(b, remove.eq = TRUE, remove.def = TRUE)
    key <- function(e) paste(if (is.null(e$group)) 1 else e$group, e$lhs, e$op, e$rhs)
    at <- match(key(ea), key(eb))
    if (anyNA(at)) return(Inf)
    max(abs(ea$est - eb$est[at]))
}

opt_ml <- function(args) args$estimator %in% c("ML", "MLR", "MLM")

# The fit taken to the optimum by lavaan itself (see the header), or the
# default fit where that does not work.
polish <- function(args, first) {
    tries <- list(
        list(optim.method = "GN", optim.gn.tol.x = 1e-12, optim.gn.iter.max = 500L),
        list(optim.method = "BFGS", control = list(reltol = 1e-15, maxit = 5000L)),
        list(optim.method = "nlminb", control = list(rel.tol = 1e-15, x.tol = 1e-12)))
    for (how in tries) {
        better <- tryCatch({
            # (lavaan's Gauss-Newton prints its matrices: kept quiet)
            invisible(capture.output(
                b <- suppressWarnings(do.call("sem", c(args, list(start = first), how)))))
            b
        }, error = function(e) NULL)
        if (is.null(better) || !lavInspect(better, "converged") ||
            better@optim$fx > first@optim$fx + 1e-12 || distance(better, first) > 1e-3)
            next
        again <- tryCatch(suppressWarnings(do.call("sem", c(args, list(start = better)))),
                          error = function(e) NULL)
        if (is.null(again) || !lavInspect(again, "converged") || distance(again, better) > 1e-8)
            next
        # a fit started from another keeps its free parameters: lavaan's
        # Gauss-Newton frees fixed covariates' moments, so the fit must be
        # the call's (its parameters, df and likelihood) to stand
        same <- function(m) isTRUE(all.equal(unname(fitMeasures(again, m)),
                                             unname(fitMeasures(first, m)), tolerance = 1e-6))
        if (!same(c("npar", "df")) || (opt_ml(args) && !same("logl")))
            next
        return(list(fit = again, how = how$optim.method))
    }
    list(fit = first, how = "default")
}

fit_case <- function(id, model, data, opt, note, kind) {
    warnings <- character(0)
    args <- lavaan_args(model, data, opt)
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
    mi <- NULL
    polished <- "no"
    baseline_ok <- TRUE
    mi_trusted <- TRUE
    if (converged) {
        p <- polish(args, fit)
        polished <- p$how
        fit <- p$fit
        pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE,
                                 remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
        se_ok <- all(is.finite(pe$se[pe$op != "~*~"]))
        group <- if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group
        glabels <- lavInspect(fit, "group.label")
        if (length(glabels) == 0) glabels <- ""
        params <- data.frame(
            id = id, lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
            group = ifelse(pe$op %in% c(":=", "=="), "", glabels[pmax(group, 1L)]),
            label = if (is.null(pe$label)) "" else pe$label, est = pe$est, se = pe$se,
            std_all = pe$std.all, stringsAsFactors = FALSE)
        # (lavaan warns here when its baseline model did not converge: its
        # baseline chi-square, CFI and TLI are then no reference)
        fm <- withCallingHandlers(
            tryCatch(fitMeasures(fit), error = function(e) NULL),
            warning = function(w) {
                if (grepl("baseline model did not converge", conditionMessage(w)))
                    baseline_ok <<- FALSE
                invokeRestart("muffleWarning")
            })
        if (!is.null(fm))
            fitm <- data.frame(id = id, measure = names(fm), value = unname(as.numeric(fm)),
                               stringsAsFactors = FALSE)
        if (opt$modindices) {
            # lavaan's modindices() builds the model with every fixed
            # parameter freed, started from the estimates; where those
            # imply a correlation beyond 1 or NaN (a negative variance,
            # a Heywood case) lav_start_check_cov changes them (variances
            # to 1, the covariance to 0, or rescaled) and warns: the
            # indices are then not the estimates' (mi_trusted FALSE)
            m <- withCallingHandlers(
                tryCatch(modindices(fit, sort. = TRUE, minimum.value = 0),
                         error = function(e) NULL),
                warning = function(w) {
                    if (grepl("starting values imply", conditionMessage(w)))
                        mi_trusted <<- FALSE
                    invokeRestart("muffleWarning")
                })
            if (!is.null(m)) {
                m <- m[is.finite(m$mi) & m$mi > 0, ]
                mg <- if (is.null(m$group)) rep(1L, nrow(m)) else m$group
                mi <- data.frame(id = id, lhs = m$lhs, op = m$op, rhs = m$rhs,
                                 group = glabels[pmax(mg, 1L)], mi = m$mi, epc = m$epc,
                                 sepc_lv = m$sepc.lv, sepc_all = m$sepc.all,
                                 sepc_nox = m$sepc.nox, stringsAsFactors = FALSE)
            }
        }
    }
    flat <- function(x) gsub("[\r\n\"]+", " ", paste(x, collapse = " | "))
    row <- data.frame(
        id = id, kind = kind, estimator = opt$estimator, missing = opt$missing,
        std_lv = opt$std_lv, group = opt$group, group_equal = opt$group_equal,
        group_partial = opt$group_partial, modindices = opt$modindices,
        ordered = FALSE, covariates = opt$covariates, nrow = nrow(data),
        converged = converged, se_ok = se_ok,
        admissible = converged && !any(grepl("negative|not positive definite", warnings)),
        trusted = TRUE, polished = polished, baseline_converged = baseline_ok,
        mi_trusted = mi_trusted,
        note = note, lavaan_error = flat(error), lavaan_warnings = flat(unique(warnings)),
        stringsAsFactors = FALSE)
    list(row = row, params = params, fit = fitm, mi = mi)
}

cases <- list()
add_case <- function(model, data, note, kind, estimator = "ML", missing = "listwise",
                     std_lv = FALSE, group = "", group_equal = "", group_partial = "",
                     modindices = FALSE, covariates = "") {
    id <- sprintf("%03d", length(cases) + 1L)
    opt <- list(estimator = estimator, missing = missing, std_lv = std_lv, group = group,
                group_equal = group_equal, group_partial = group_partial,
                modindices = modindices, covariates = covariates)
    writeLines(model, file.path(here, "models", paste0(id, ".lav")))
    write.csv(data, file.path(here, "data", paste0(id, ".csv")), row.names = FALSE, na = "")
    cases[[length(cases) + 1L]] <<- fit_case(id, model, data, opt, note, kind)
    invisible(id)
}

# ------------------------------------------------------------------ grammar
# (as make_battery.R's: a population, a sample, the model as a user writes it)

fnames <- c("f1", "f2", "f3", "f4")

draw_spec <- function(weak, max_factors = 4) {
    nf <- sample(1:max_factors, 1, prob = c(0.15, 0.35, 0.3, 0.2)[1:max_factors])
    k <- sample(2:5, nf, replace = TRUE, prob = c(0.15, 0.4, 0.3, 0.15))
    if (nf == 1) k <- max(k, 4)
    items <- list()
    v <- 0
    for (f in seq_len(nf)) {
        items[[f]] <- paste0("y", v + seq_len(k[f]))
        v <- v + k[f]
    }
    lo <- if (weak) 0.25 else 0.45
    hi <- if (weak) 0.45 else 0.9
    lambda <- lapply(k, function(n) round(runif(n, lo, hi), 2))
    list(nf = nf, items = items, lambda = lambda, structural = nf >= 2 && runif(1) < 0.4,
         weak = weak)
}

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

# One population's data: loadings, cross-loadings, a residual covariance,
# paths or correlations among factors, covariates; scaled as real items.
draw_data <- function(s, n, covariates, ngroups, shift) {
    nf <- s$nf
    cross <- list()
    if (nf >= 2 && runif(1) < 0.3) {
        f <- sample(nf, 1)
        other <- sample(setdiff(seq_len(nf), f), 1)
        if (length(s$items[[other]]) > 1)
            cross[[1]] <- list(f = fnames[f], item = sample(s$items[[other]][-1], 1), value = 0.3)
    }
    all_items <- unlist(s$items)
    rescov <- list()
    if (runif(1) < 0.3 && length(all_items) >= 4) {
        pair <- sample(all_items, 2)
        rescov[[1]] <- list(a = pair[1], b = pair[2], value = 0.2)
    }
    paths <- list()
    cov_lv <- list()
    if (s$structural) {
        for (to in 2:nf) {
            from <- sample(seq_len(to - 1), sample(1:min(2, to - 1), 1))
            for (fr in from)
                paths[[length(paths) + 1L]] <- list(from = fnames[fr], to = fnames[to],
                                                    value = round(runif(1, 0.2, 0.5), 2))
        }
    } else if (nf >= 2) {
        r <- if (s$weak) runif(1, 0.85, 0.95) else runif(1, 0.1, 0.6)
        for (a in 1:(nf - 1)) for (b in (a + 1):nf)
            cov_lv[[length(cov_lv) + 1L]] <- list(a = fnames[a], b = fnames[b], value = round(r, 2))
    }
    gamma <- lapply(covariates, function(z) list(f = fnames[sample(nf, 1)],
                                                 value = round(runif(1, 0.2, 0.4), 2)))
    pop <- function(g) {
        lines <- character(0)
        for (f in seq_len(nf)) {
            lam <- s$lambda[[f]]
            # the second group differs a little in one loading (what
            # group.partial is for)
            if (g == 2 && length(lam) >= 3) lam[3] <- round(min(0.95, lam[3] + shift), 2)
            lines <- c(lines, paste0(fnames[f], " =~ ",
                                     paste0(lam, "*", s$items[[f]], collapse = " + ")))
        }
        for (c in cross) lines <- c(lines, paste0(c$f, " =~ ", c$value, "*", c$item))
        for (r in rescov) lines <- c(lines, paste0(r$a, " ~~ ", r$value, "*", r$b))
        for (p in paths) lines <- c(lines, paste0(p$to, " ~ ", p$value, "*", p$from))
        for (c in cov_lv) lines <- c(lines, paste0(c$a, " ~~ ", c$value, "*", c$b))
        for (i in seq_along(covariates))
            lines <- c(lines, paste0(gamma[[i]]$f, " ~ ", gamma[[i]]$value, "*", covariates[i]))
        paste(lines, collapse = "\n")
    }
    per <- if (ngroups == 2) c(n %/% 2, n - n %/% 2) else n
    parts <- list()
    for (g in seq_len(ngroups)) {
        d <- tryCatch(simulateData(pop(g), sample.nobs = per[g], standardized = TRUE),
                      error = function(e) NULL, warning = function(w) NULL)
        if (is.null(d)) return(NULL)
        if (ngroups == 2) d$g <- c("a", "b")[g]
        parts[[g]] <- d
    }
    data <- do.call(rbind, parts)
    scale <- runif(length(all_items), 0.6, 2.5)
    loc <- runif(length(all_items), 1, 4)
    for (i in seq_along(all_items)) {
        v <- all_items[i]
        # an intercept shifted in the second group (group.partial of ~1)
        extra <- if (ngroups == 2 && i == 2) (data$g == "b") * shift * 2 else 0
        data[[v]] <- round((data[[v]] + extra) * scale[i] + loc[i], 3)
    }
    for (z in covariates) data[[z]] <- round(data[[z]] * runif(1, 0.5, 10) + runif(1, 0, 40), 3)
    list(data = data, cross = cross, rescov = rescov, paths = paths, gamma = gamma)
}

# The analysis model as a user writes it; labels (loading labels "a1",
# "a2", ... on the second and third items of the first factors, residual
# variances "v1", "v2") when asked for, for == constraints.
write_model <- function(s, d, covariates, std_lv, labels = FALSE) {
    style <- sample(c("compact", "split", "continued", "leading", "semicolons"), 1)
    lines <- character(0)
    tails <- character(0)
    labelled <- character(0)
    for (f in seq_len(s$nf)) {
        terms <- s$items[[f]]
        if (std_lv && runif(1) < 0.5) terms[1] <- paste0("NA*", terms[1])
        if (labels && length(terms) >= 3 && length(labelled) < 4) {
            for (j in 2:3) {
                lab <- paste0("a", length(labelled) + 1L)
                terms[j] <- paste0(lab, "*", terms[j])
                labelled <- c(labelled, lab)
            }
        }
        w <- write_measurement(fnames[f], terms, if (style == "semicolons") "compact" else style)
        lines <- c(lines, w$head)
        if (!is.null(w$tail)) tails <- c(tails, w$tail)
    }
    for (c in d$cross) tails <- c(tails, paste0(c$f, " =~ ", c$item))
    for (r in d$rescov) {
        pair <- if (runif(1) < 0.5) c(r$a, r$b) else c(r$b, r$a)
        tails <- c(tails, paste0(pair[1], " ~~ ", pair[2]))
    }
    defined <- character(0)
    if (length(d$paths)) {
        lab <- paste0("b", seq_along(d$paths))
        tos <- sapply(d$paths, `[[`, "to")
        use_labels <- runif(1) < 0.5
        for (to in unique(tos)) {
            idx <- which(tos == to)
            terms <- sapply(idx, function(i) write_term(d$paths[[i]]$from,
                                                        if (use_labels) lab[i] else ""))
            if (length(terms) > 1 && runif(1) < 0.3) {
                for (t in terms) lines <- c(lines, paste0(to, " ~ ", t))
            } else {
                lines <- c(lines, paste0(to, " ~ ", paste(terms, collapse = " + ")))
            }
        }
        if (use_labels)
            for (i in seq_along(d$paths)) for (j in seq_along(d$paths))
                if (d$paths[[i]]$to == d$paths[[j]]$from && length(defined) < 2)
                    defined <- c(defined, paste0("ind", length(defined) + 1L, " := ", lab[i],
                                                 "*", lab[j]))
    }
    for (i in seq_along(covariates))
        lines <- c(lines, paste0(d$gamma[[i]]$f, " ~ ", covariates[i]))
    resid_labels <- character(0)
    if (labels && runif(1) < 0.4) {
        items <- sample(unlist(s$items), 2)
        resid_labels <- c("v1", "v2")
        tails <- c(tails, paste0(items, " ~~ ", resid_labels, "*", items))
    }
    list(body = c(lines, tails), defined = defined, style = style, labelled = labelled,
         resid_labels = resid_labels)
}

assemble <- function(w, extra = character(0)) {
    body <- c(w$body, w$defined, extra)
    if (w$style == "semicolons") return(paste(body, collapse = "; "))
    if (runif(1) < 0.3) body <- c("# drawn by make_battery2.R", body)
    paste(body, collapse = "\n")
}

# Missing values, MCAR or MAR on the first item (as make_battery.R).
punch_holes <- function(data, items) {
    n <- nrow(data)
    rate <- runif(1, 0.03, 0.12)
    mar <- runif(1) < 0.5
    for (v in items) {
        p <- if (mar && v != items[1]) plogis(qlogis(rate) + 0.8 * scale(data[[items[1]]])) else rate
        data[[v]][runif(n) < p] <- NA
    }
    data
}

describe <- function(s, d, w, covariates, extra) {
    paste0(s$nf, " factor", if (s$nf > 1) "s", ", ", length(unlist(s$items)), " items",
           if (s$weak) ", weakly determined", if (length(d$cross)) ", cross-loading",
           if (length(d$rescov)) ", residual covariance",
           if (length(d$paths)) ", structural", if (length(w$defined)) ", :=",
           if (length(covariates)) paste0(", ", length(covariates), " covariate(s)"),
           extra, ", written ", w$style)
}

# ------------------------------------------------------------------ estimators
# MLM and the least-squares estimators on one group or two (group.equal
# sometimes), complete data or listwise deletion, covariates sometimes;
# a few MLM fits with their modification indices too.
estimator_case <- function(estimator) {
    weak <- runif(1) < 0.2
    s <- draw_spec(weak)
    p <- length(unlist(s$items))
    if (estimator == "WLS" && p > 10) return(FALSE)
    # WLS needs far more respondents than statistics (its weights are the
    # inverse of the fourth moments)
    n <- if (estimator == "WLS") sample(max(250, 4 * p * (p + 1) / 2):max(500, 5 * p * (p + 1) / 2), 1)
         else if (weak) sample(80:150, 1) else sample(150:500, 1)
    grouped <- !weak && estimator != "WLS" && runif(1) < 0.25
    ncov <- if (!grouped && runif(1) < 0.25) sample(1:2, 1) else 0
    covariates <- if (ncov) paste0("z", seq_len(ncov)) else character(0)
    d <- draw_data(s, n, covariates, if (grouped) 2 else 1, 0)
    if (is.null(d)) return(FALSE)
    data <- d$data
    listwise <- runif(1) < 0.15
    if (listwise) data <- punch_holes(data, unlist(s$items))
    std_lv <- runif(1) < 0.25
    w <- write_model(s, d, covariates, std_lv)
    group_equal <- if (grouped) sample(c("", "loadings", "loadings,intercepts",
                                         "loadings,intercepts,residuals"), 1) else ""
    mi <- estimator == "MLM" && runif(1) < 0.35
    add_case(assemble(w), data,
             describe(s, d, w, covariates,
                      paste0(if (listwise) ", listwise", if (grouped) ", 2 groups",
                             if (nchar(group_equal)) paste0(" (", group_equal, " equal)"),
                             ", ", estimator, if (mi) ", modindices")),
             kind = tolower(estimator), estimator = estimator, std_lv = std_lv,
             group = if (grouped) "g" else "", group_equal = group_equal, modindices = mi,
             covariates = paste(covariates, collapse = " "))
    TRUE
}

# ------------------------------------------------------------------ modification indices
# ML, MLR or full-information ML; == constraints among labelled loadings
# (equal, a sum, a multiple) or residual variances.
mi_case <- function(estimator, fiml, constraints) {
    weak <- runif(1) < 0.15
    s <- draw_spec(weak)
    # brisk's full-information searches take their Hessians by differences
    # of gradients over every pattern: larger FIML models take it minutes
    if (fiml && length(unlist(s$items)) > 10) return(FALSE)
    # (brisk does not fit == constraints with MLR's SEs on missing data)
    if (fiml && constraints) estimator <- "ML"
    n <- if (weak) sample(80:150, 1) else sample(120:500, 1)
    # full-information ML with fixed covariates: brisk refuses the indices
    ncov <- if (!fiml && runif(1) < 0.25) sample(1:2, 1) else 0
    covariates <- if (ncov) paste0("z", seq_len(ncov)) else character(0)
    grouped <- !weak && !constraints && runif(1) < 0.2
    d <- draw_data(s, n, covariates, if (grouped) 2 else 1, 0)
    if (is.null(d)) return(FALSE)
    data <- d$data
    if (fiml) data <- punch_holes(data, unlist(s$items))
    std_lv <- runif(1) < 0.25
    w <- write_model(s, d, covariates, std_lv, labels = constraints)
    extra <- character(0)
    if (constraints) {
        if (length(w$labelled) < 2) return(FALSE)
        a <- w$labelled
        form <- sample(c("equal", "sum", "multiple", "linear"), 1)
        extra <- switch(form,
            equal = paste0(a[1], " == ", a[2]),
            sum = paste0(a[1], " + ", a[2], " == ", round(runif(1, 1.2, 2.2), 1)),
            multiple = paste0(a[1], " == ", round(runif(1, 0.7, 1.4), 1), "*", a[2]),
            linear = if (length(a) >= 4) c(paste0(a[1], " == ", a[3]), paste0(a[2], " == ", a[4]))
                     else paste0(a[2], " == ", a[1]))
        if (length(w$resid_labels)) extra <- c(extra, "v1 == v2")
    }
    group_equal <- if (grouped) sample(c("", "loadings", "loadings,intercepts"), 1) else ""
    add_case(assemble(w, extra), data,
             describe(s, d, w, covariates,
                      paste0(if (grouped) ", 2 groups",
                             if (nchar(group_equal)) paste0(" (", group_equal, " equal)"),
                             if (constraints) paste0(", == (", paste(extra, collapse = "; "), ")"),
                             if (fiml) ", FIML", ", ", estimator, ", modindices")),
             kind = "modindices", estimator = estimator, missing = if (fiml) "ml" else "listwise",
             std_lv = std_lv, group = if (grouped) "g" else "", group_equal = group_equal,
             modindices = TRUE, covariates = paste(covariates, collapse = " "))
    TRUE
}

# ------------------------------------------------------------------ group.partial
# Two groups whose populations differ in one loading and one intercept;
# group.equal of loadings (and intercepts, residuals), group.partial
# releasing one to three of the parameters held equal.
partial_case <- function(estimator) {
    s <- draw_spec(FALSE, max_factors = 3)
    n <- sample(200:500, 1)
    d <- draw_data(s, n, character(0), 2, round(runif(1, 0.15, 0.4), 2))
    if (is.null(d)) return(FALSE)
    data <- d$data
    if (estimator %in% c("ML", "MLR") && runif(1) < 0.2 && length(unlist(s$items)) <= 8) {
        data <- punch_holes(data, unlist(s$items))
        fiml <- TRUE
    } else fiml <- FALSE
    std_lv <- runif(1) < 0.25
    w <- write_model(s, d, character(0), std_lv)
    group_equal <- sample(c("loadings", "loadings,intercepts", "loadings,intercepts,residuals",
                            "loadings,residuals"), 1)
    classes <- strsplit(group_equal, ",")[[1]]
    # the candidates: loadings beyond each factor's marker (every one with
    # std.lv), intercepts and residual variances of items
    cand <- character(0)
    for (f in seq_len(s$nf)) {
        its <- s$items[[f]]
        cand <- c(cand, paste0(fnames[f], " =~ ", if (std_lv) its else its[-1]))
    }
    if ("intercepts" %in% classes) cand <- c(cand, paste0(unlist(s$items), " ~ 1"))
    if ("residuals" %in% classes) {
        its <- unlist(s$items)
        cand <- c(cand, paste0(its, " ~~ ", its))
    }
    # the differing parameters first, as a user who found them would
    first <- c(if (length(s$items[[1]]) >= 3) paste0("f1 =~ ", s$items[[1]][3]),
               if ("intercepts" %in% classes) paste0(unlist(s$items)[2], " ~ 1"))
    k <- sample(1:3, 1)
    partial <- unique(c(first, sample(cand, k)))[seq_len(k)]
    partial <- partial[!is.na(partial)]
    mi <- estimator != "DWLS" && estimator != "GLS" && runif(1) < 0.5
    add_case(assemble(w), data,
             describe(s, d, w, character(0),
                      paste0(", 2 groups (", group_equal, " equal; partial ",
                             paste(partial, collapse = ", "), ")", if (fiml) ", FIML",
                             ", ", estimator, if (mi) ", modindices")),
             kind = "partial", estimator = estimator, missing = if (fiml) "ml" else "listwise",
             std_lv = std_lv, group = "g", group_equal = group_equal,
             group_partial = paste(partial, collapse = ", "), modindices = mi)
    TRUE
}

set.seed(20261207)
for (e in c("MLM", "GLS", "ULS", "WLS", "DWLS"))
    for (i in seq_len(if (e == "MLM") 16 else 9)) while (!estimator_case(e)) {}
for (i in 1:10) while (!mi_case("ML", FALSE, FALSE)) {}
for (i in 1:6) while (!mi_case("MLR", FALSE, FALSE)) {}
for (i in 1:6) while (!mi_case(sample(c("ML", "MLR"), 1), TRUE, FALSE)) {}
for (i in 1:10) while (!mi_case(sample(c("ML", "MLR", "ML"), 1), runif(1) < 0.3, TRUE)) {}
for (e in c("ML", "ML", "MLR", "MLM", "GLS", "DWLS"))
    for (i in 1:2) while (!partial_case(e)) {}
for (i in 1:4) while (!partial_case("ML")) {}

# ------------------------------------------------------------------ output

rows <- do.call(rbind, lapply(cases, `[[`, "row"))
params <- do.call(rbind, lapply(cases, `[[`, "params"))
fits <- do.call(rbind, lapply(cases, `[[`, "fit"))
mis <- do.call(rbind, lapply(cases, `[[`, "mi"))
write.csv(rows, file.path(here, "cases.csv"), row.names = FALSE, na = "")
write.csv(params, file.path(here, "params.csv"), row.names = FALSE, na = "")
write.csv(fits, file.path(here, "fit.csv"), row.names = FALSE, na = "")
write.csv(mis, file.path(here, "mi.csv"), row.names = FALSE, na = "")
cat(sprintf("%d cases, lavaan converged on %d, polished %d; %d modification indices\n",
            nrow(rows), sum(rows$converged), sum(rows$polished %in% c("GN", "BFGS")),
            nrow(mis)))
