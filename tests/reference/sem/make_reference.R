# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for brisk's SEM engine, from lavaan.
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/sem/make_reference.R
#
# Needs R with lavaan 0.6-14 and jsonlite.  `make check` does not need R:
# everything this script writes is committed.  It writes
#
#   tests/data/hs.csv            lavaan::HolzingerSwineford1939, all columns
#   tests/data/pd.csv            lavaan::PoliticalDemocracy, all columns
#   tests/reference/sem/rongcheng_<b>.lav   the [model] section of
#                                surveys/rongcheng/rongcheng.survey with {b}
#                                replaced (the other .lav files are written
#                                by hand and only read here)
#   tests/reference/sem/NAME.json   one per model (structure: README.md)
#   the headline table in tests/reference/sem/README.md (between markers)
#
# The models and the exact lavaan calls (the model text is in NAME.lav):
#
#   hs_cfa           cfa(model, data = HolzingerSwineford1939)
#                    visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
#                    speed =~ x7 + x8 + x9
#   hs_stdlv         cfa(model, data = HolzingerSwineford1939, std.lv = TRUE)
#                    (model as hs_cfa)
#   hs_meanstructure cfa(model, data = HolzingerSwineford1939, meanstructure = TRUE)
#                    (model as hs_cfa)
#   hs_fixed         cfa(model, data = HolzingerSwineford1939)
#                    visual =~ x1 + 0.6*x2 + x3; textual =~ NA*x4 + x5 + x6;
#                    textual ~~ 1*textual; speed =~ x7 + x8 + x9; x7 ~~ x8
#   hs_regress       sem(model, data = HolzingerSwineford1939)
#                    hs_cfa's measurement model; speed ~ a*visual + b*textual;
#                    textual ~ c*visual; ind := c*b; total := a + c*b
#   pd_sem           sem(model, data = PoliticalDemocracy)
#                    ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4;
#                    dem65 =~ y5 + y6 + y7 + y8; dem60 ~ ind60;
#                    dem65 ~ ind60 + dem60; y1 ~~ y5; y2 ~~ y4 + y6;
#                    y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
#   pd_labels        sem(model, data = PoliticalDemocracy)
#                    pd_sem with dem60 =~ y1 + a*y2 + b*y3 + c*y4;
#                    dem65 =~ y5 + a*y6 + b*y7 + c*y8; dem60 ~ p1*ind60;
#                    dem65 ~ p2*ind60 + p3*dem60; ind := p1*p3;
#                    total := p2 + p1*p3
#   heywood          cfa(model, data = HolzingerSwineford1939)
#                    visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
#                    speed =~ x7 + x8     (x8 ~~ x8 is estimated negative)
#   rongcheng_<b>    sem(model, data = rongcheng), b in crime, fees,
#                    internet, litter; rongcheng = rongcheng.csv with -99 ->
#                    NA and pr3_* -> 6 - pr3_*, no weights; lavaan's default
#                    missing = "listwise" drops the rows with a missing
#                    value in one of the model's variables.

suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

stopifnot(file.exists("tests/reference/sem/make_reference.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6-14; this is ",
          packageVersion("lavaan"))

ref_dir  <- "tests/reference/sem"
data_dir <- "tests/data"

## ---------------------------------------------------------------- data ----

# Shortest decimal representation (15, 16 or 17 significant digits) that
# reads back as exactly the same double.
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
  # no value contains a comma or a quote, so nothing needs quoting
  stopifnot(!any(grepl("[,\"]", unlist(out)), na.rm = TRUE))
  write.csv(out, path, row.names = FALSE, na = "", quote = FALSE)
  back <- read.csv(path, stringsAsFactors = FALSE)
  for (v in names(df)) {
    a <- df[[v]]; b <- back[[v]]
    if (is.factor(a)) a <- as.character(a)
    if (!identical(is.na(a), is.na(b)) ||
        !all(a[!is.na(a)] == b[!is.na(b)]))
      stop(path, ": column ", v, " does not read back exactly")
  }
  invisible(back)
}

hs <- write_data(lavaan::HolzingerSwineford1939, file.path(data_dir, "hs.csv"))
pd <- write_data(lavaan::PoliticalDemocracy, file.path(data_dir, "pd.csv"))

# A small synthetic data set for a path model with observed covariates
# (made here, seed 3; not from any study).
set.seed(3)
path_df <- data.frame(matrix(rnorm(300 * 9), 300))
names(path_df) <- c("x1", "x2", "y1", "y2", "y3", "y4", "y5", "y6", "y7")
path_df$y1 <- path_df$y1 + path_df$x1
path_df$y3 <- path_df$y3 + path_df$y1
path_df$y4 <- path_df$y4 + path_df$x2
path_df$y5 <- path_df$y5 + path_df$x2
path_df$y6 <- path_df$y6 + path_df$y4
path_data <- write_data(path_df, file.path(data_dir, "path.csv"))

# Rongcheng: the survey rules applied by hand
rc_raw <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)
rc <- rc_raw
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
item_cols <- grep("^(tg|pc|pm|pb|pr|acc)[0-9]", names(rc), value = TRUE)
for (v in item_cols) {
  x <- rc[[v]]
  if (any(!is.na(x) & !(x %in% 1:5))) stop("rongcheng: ", v, " out of scale 1..5")
}
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]

survey_model <- function(path) {
  lines <- readLines(path)
  start <- which(trimws(lines) == "[model]")
  stopifnot(length(start) == 1)
  rest <- lines[(start + 1):length(lines)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest <- rest[!grepl("^\\s*#", rest) & nzchar(trimws(rest))]
  rest
}
rc_model_lines <- survey_model("surveys/rongcheng/rongcheng.survey")

## -------------------------------------------------------------- models ----

read_lav <- function(name) {
  paste(readLines(file.path(ref_dir, paste0(name, ".lav"))), collapse = "\n")
}

models <- list(
  list(name = "hs_cfa", fun = "cfa", data = "hs", args = list(),
       call = "cfa(model, data = HolzingerSwineford1939)"),
  list(name = "hs_stdlv", fun = "cfa", data = "hs", args = list(std.lv = TRUE),
       call = "cfa(model, data = HolzingerSwineford1939, std.lv = TRUE)"),
  list(name = "hs_meanstructure", fun = "cfa", data = "hs",
       args = list(meanstructure = TRUE),
       call = "cfa(model, data = HolzingerSwineford1939, meanstructure = TRUE)"),
  list(name = "hs_fixed", fun = "cfa", data = "hs", args = list(),
       call = "cfa(model, data = HolzingerSwineford1939)"),
  list(name = "hs_regress", fun = "sem", data = "hs", args = list(),
       call = "sem(model, data = HolzingerSwineford1939)"),
  list(name = "pd_sem", fun = "sem", data = "pd", args = list(),
       call = "sem(model, data = PoliticalDemocracy)"),
  list(name = "pd_labels", fun = "sem", data = "pd", args = list(),
       call = "sem(model, data = PoliticalDemocracy)"),
  list(name = "heywood", fun = "cfa", data = "hs", args = list(),
       call = "cfa(model, data = HolzingerSwineford1939)"),
  list(name = "path_fixedx", fun = "sem", data = "path", args = list(),
       call = "sem(model, data = path)"),
  list(name = "bfi_cfa", fun = "cfa", data = "bfi", args = list(),
       call = "cfa(model, data = bfi)")
)
for (b in c("crime", "fees", "internet", "litter")) {
  name <- paste0("rongcheng_", b)
  writeLines(c(paste0("# ", name, ": the [model] section of surveys/rongcheng/rongcheng.survey"),
               paste0("# with {b} = ", b, " (written by make_reference.R)"),
               paste0("# lavaan call: sem(model, data = rongcheng)   ",
                      "(-99 -> NA, pr3_* -> 6 - pr3_*, listwise, no weights)"),
               gsub("{b}", b, rc_model_lines, fixed = TRUE)),
             file.path(ref_dir, paste0(name, ".lav")))
  models[[length(models) + 1]] <- list(
    name = name, fun = "sem", data = "rongcheng", args = list(),
    call = "sem(model, data = rongcheng)")
}

data_sets <- list(
  hs = list(df = hs, file = "hs.csv", path = "tests/data/hs.csv"),
  pd = list(df = pd, file = "pd.csv", path = "tests/data/pd.csv"),
  path = list(df = path_data, file = "path.csv", path = "tests/data/path.csv",
              prep = "synthetic, made by make_reference.R with set.seed(3)"),
  bfi = list(df = read.csv("tests/data/bfi.csv"), file = "bfi.csv", path = "tests/data/bfi.csv",
             prep = paste("psych's bfi (written by tests/reference/reliability/make_reference.R);",
                          "listwise deletion on the model's variables")),
  rongcheng = list(df = rc, file = "rongcheng.csv",
                   path = "surveys/rongcheng/rongcheng.csv",
                   prep = paste("-99 -> NA in every column; pr3_* -> 6 - pr3_*;",
                                "no weights; listwise deletion on the model's",
                                "variables (lavaan's default missing = \"listwise\")")))

## ---------------------------------------------------------- extraction ----

fit_names <- c("npar", "fmin", "chisq", "df", "pvalue",
               "baseline.chisq", "baseline.df", "baseline.pvalue",
               "cfi", "tli", "nnfi", "rmsea", "rmsea.ci.lower",
               "rmsea.ci.upper", "rmsea.pvalue", "srmr", "srmr_bentler",
               "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus",
               "srmr_mplus_nomean", "rmr", "rmr_nomean", "logl",
               "unrestricted.logl", "aic", "bic", "bic2", "ntotal")

option_names <- c("model.type", "estimator", "likelihood", "information",
                  "h1.information", "observed.information", "se", "test",
                  "missing", "std.lv", "meanstructure", "int.ov.free",
                  "int.lv.free", "auto.fix.first", "auto.fix.single",
                  "auto.var", "auto.cov.lv.x", "auto.cov.y", "auto.efa",
                  "fixed.x", "conditional.x", "orthogonal", "std.ov",
                  "parameterization", "start", "optim.method",
                  "optim.force.converged", "bounds", "ceq.simple",
                  "sample.cov.rescale", "mimic", "level", "rstarts")

num_or_null <- function(x) if (length(x) == 0 || is.na(x)) NA else unname(x)

# The exact ML optimum, for judging how far lavaan's own stopping point is
# from it.  lavaan stops nlminb at rel.tol = 1e-10 on the objective, which
# leaves the estimates up to ~1e-4 from the optimum in flat directions.
# Here: Fisher scoring, started at lavaan's estimates, in the space of the
# unique parameters (equality constraints through lavaan's own K matrix),
# until the largest step is below 1e-12.  Uses lavaan internals.
polish <- function(fit, maxit = 200) {
  lm <- fit@Model
  x <- lavaan:::lav_model_get_parameters(lm)
  if (lm@eq.constraints) {
    K <- lm@eq.constraints.K; k0 <- lm@eq.constraints.k0
  } else {
    K <- diag(length(x)); k0 <- rep(0, length(x))
  }
  z <- as.numeric((x - k0) %*% K)
  S <- fit@SampleStats@cov[[1]]; mbar <- fit@SampleStats@mean[[1]]
  ms <- lm@meanstructure
  for (it in seq_len(maxit)) {
    x <- as.numeric(K %*% z) + k0
    lm2 <- lavaan:::lav_model_set_parameters(lm, x)
    imp <- lavaan:::lav_model_implied(lm2)
    Sig <- imp$cov[[1]]
    Si <- solve(Sig)
    D <- lavaan:::computeDelta(lm2)[[1]]
    W <- 0.5 * lavaan:::lav_matrix_duplication_pre_post(Si %x% Si)
    if (ms) {
      mu <- as.numeric(imp$mean[[1]]); d <- mbar - mu
      r <- c(d, lavaan:::lav_matrix_vech(S + tcrossprod(d) - Sig))
      W <- lavaan:::lav_matrix_bdiag(Si, W)
    } else {
      r <- lavaan:::lav_matrix_vech(S - Sig)
    }
    DK <- D %*% K
    step <- as.numeric(solve(crossprod(DK, W %*% DK), crossprod(DK, W %*% r)))
    z <- z + step
    if (max(abs(step)) < 1e-12) break
  }
  x <- as.numeric(K %*% z) + k0
  lm2 <- lavaan:::lav_model_set_parameters(lm, x)
  imp <- lavaan:::lav_model_implied(lm2)
  Sig <- imp$cov[[1]]; p <- ncol(S)
  Fml <- log(det(Sig)) + sum(diag(S %*% solve(Sig))) - log(det(S)) - p
  if (ms) { d <- mbar - as.numeric(imp$mean[[1]]); Fml <- Fml + sum(d * solve(Sig, d)) }
  list(x = x, iterations = it, last_step = max(abs(step)), fmin = Fml / 2,
       chisq = lavInspect(fit, "nobs") * Fml)
}

# RMSEA CI with the root found to full precision (lavaan's uniroot() uses
# its default tol = .Machine$double.eps^0.25)
rmsea_ci_exact <- function(X2, df, N, level = 0.90) {
  lo <- (1 - level) / 2; hi <- 1 - lo
  f_l <- function(l) pchisq(X2, df, ncp = l) - hi
  f_u <- function(l) pchisq(X2, df, ncp = l) - lo
  lower <- if (df < 1 || f_l(0) < 0) 0 else
    sqrt(uniroot(f_l, c(0, X2), tol = 1e-14)$root / (N * df))
  NR <- max(N, 4 * X2)
  upper <- if (df < 1 || f_u(NR) > 0 || f_u(0) < 0) 0 else
    sqrt(uniroot(f_u, c(0, NR), tol = 1e-14)$root / (N * df))
  list(rmsea_ci_lower = lower, rmsea_ci_upper = upper)
}

matrix_json <- function(m) {
  m <- as.matrix(m)
  rn <- rownames(m)
  list(names = I(rn), rows = lapply(seq_len(nrow(m)), function(i) I(unname(m[i, ]))))
}

vector_json <- function(v) {
  if (is.null(v)) return(NULL)
  setNames(as.list(unname(v)), names(v))
}

fit_one <- function(spec) {
  model <- read_lav(spec$name)
  ds <- data_sets[[spec$data]]
  warnings <- character()
  fit <- withCallingHandlers(
    do.call(spec$fun, c(list(model = model, data = ds$df), spec$args)),
    warning = function(w) {
      warnings <<- c(warnings, gsub("\\s+", " ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  stopifnot(lavInspect(fit, "converged"))
  # listwise deletion is on the model's observed variables only
  stopifnot(lavInspect(fit, "nobs") ==
            sum(complete.cases(ds$df[, lavNames(fit, "ov"), drop = FALSE])))

  pt <- parTable(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  fitted_ <- fitted(fit)
  samp <- lavInspect(fit, "sampstat")
  key_pt <- paste(pt$lhs, pt$op, pt$rhs)
  key_pe <- paste(pe$lhs, pe$op, pe$rhs)
  stopifnot(!anyDuplicated(key_pt), all(key_pe %in% key_pt))
  row <- match(key_pe, key_pt)
  lab <- if (is.null(pe$label)) rep("", nrow(pe)) else pe$label

  params <- lapply(seq_len(nrow(pe)), function(i) list(
    lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], label = lab[i],
    free = pt$free[row[i]] != 0, free_index = pt$free[row[i]],
    est = pe$est[i], se = pe$se[i], z = num_or_null(pe$z[i]),
    pvalue = num_or_null(pe$pvalue[i]),
    ci_lower = pe$ci.lower[i], ci_upper = pe$ci.upper[i],
    std_lv = pe$std.lv[i], std_all = pe$std.all[i], std_nox = pe$std.nox[i]))

  fm <- fitMeasures(fit, fit_names)
  fit_list <- setNames(as.list(unname(fm)), gsub(".", "_", names(fm), fixed = TRUE))

  neg <- pe[pe$op == "~~" & pe$lhs == pe$rhs & pe$est < 0, ]
  negative <- lapply(seq_len(nrow(neg)), function(i) list(
    lhs = neg$lhs[i], op = "~~", rhs = neg$rhs[i], est = neg$est[i],
    se = neg$se[i], z = neg$z[i]))

  # vcov of the free parameters, in free-index order; "names" are
  # lhs+op+rhs (unique), "labels" what vcov() calls them
  V <- vcov(fit)
  free_rows <- pt[pt$free > 0, ]
  free_rows <- free_rows[order(free_rows$free), ]
  vnames <- paste0(free_rows$lhs, free_rows$op, free_rows$rhs)
  vc <- matrix_json(V); vc$names <- I(vnames); vc$labels <- I(colnames(V))

  start <- lapply(seq_len(nrow(pt)), function(i) list(
    lhs = pt$lhs[i], op = pt$op[i], rhs = pt$rhs[i], label = pt$label[i],
    plabel = pt$plabel[i], user = pt$user[i], free = pt$free[i],
    exo = pt$exo[i], ustart = pt$ustart[i], start = pt$start[i],
    est = pt$est[i]))

  # the same model from lavaan's "simple" starting values: how far apart?
  alt <- suppressWarnings(do.call(spec$fun, c(list(model = model, data = ds$df,
                                                    start = "simple"), spec$args)))
  alt_diff <- max(abs(parTable(alt)$est[pt$free > 0] - pt$est[pt$free > 0]))

  # exact optimum and how far lavaan stopped from it
  pol <- polish(fit)
  exact <- c(list(
    note = paste("Exact ML optimum by Fisher scoring from lavaan's estimates",
                 "(not lavaan output): est in free-index order (vcov names)."),
    iterations = pol$iterations, last_step = pol$last_step,
    max_abs_est_diff = max(abs(pol$x - pt$est[pt$free > 0][order(pt$free[pt$free > 0])])),
    fmin = pol$fmin, chisq = pol$chisq),
    rmsea_ci_exact(fm[["chisq"]], fm[["df"]], lavInspect(fit, "nobs")),
    list(est = I(pol$x)))

  # SEs: vcov == (1/N) * inverse(Delta' A1 Delta), A1 = expected h1
  # information at the model-implied Sigma; checked here when there are no
  # equality constraints
  if (!fit@Model@eq.constraints) {
    Dl <- lavInspect(fit, "delta")
    Si <- solve(fitted_$cov)
    A1 <- 0.5 * lavaan:::lav_matrix_duplication_pre_post(Si %x% Si)
    if (lavInspect(fit, "meanstructure")) A1 <- lavaan:::lav_matrix_bdiag(Si, A1)
    V2 <- solve(crossprod(Dl, A1 %*% Dl)) / lavInspect(fit, "nobs")
    stopifnot(max(abs(V2 - unname(V))) < 1e-10 * max(1, max(abs(V))))
  }

  opts <- lavInspect(fit, "options")[intersect(option_names,
                                               names(lavInspect(fit, "options")))]
  opts <- lapply(opts, function(o) if (length(o) > 1) I(o) else o)

  out <- list(
    model = spec$name,
    data = ds$file,
    data_path = ds$path,
    data_prep = ds$prep,
    call = spec$call,
    model_file = paste0(spec$name, ".lav"),
    model_syntax = model,
    lavaan_version = as.character(packageVersion("lavaan")),
    r_version = R.version.string,
    options = opts,
    nobs = lavInspect(fit, "nobs"),
    norig = lavInspect(fit, "norig"),
    npar = unname(fm["npar"]),
    nfree = max(pt$free),
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    fit = fit_list,
    parameters = params,
    r2 = vector_json(lavInspect(fit, "r2")),
    implied_cov = matrix_json(fitted_$cov),
    implied_mean = vector_json(fitted_$mean),
    sample_cov = matrix_json(samp$cov),
    sample_mean = vector_json(samp$mean),
    vcov = vc,
    start = start,
    negative_variances = negative,
    warnings = I(warnings),
    alt_start_max_abs_diff = alt_diff,
    exact = exact
  )
  out <- out[!vapply(out, is.null, logical(1))]
  json <- toJSON(out, auto_unbox = TRUE, digits = NA, na = "null",
                 null = "null", pretty = TRUE)
  writeLines(json, file.path(ref_dir, paste0(spec$name, ".json")))
  list(fit = fit, fm = fm, negative = neg, warnings = warnings,
       alt_diff = alt_diff)
}

results <- list()
for (spec in models) {
  cat("fitting", spec$name, "\n")
  results[[spec$name]] <- fit_one(spec)
}

## -------------------------------------------------------------- checks ----

check <- function(model, what, expected, digits) {
  got <- unname(results[[model]]$fm[what])
  if (round(got, digits) != expected)
    stop(model, ": ", what, " = ", got, ", expected ", expected)
}
check("hs_cfa", "chisq", 85.306, 3); check("hs_cfa", "df", 24, 0)
check("hs_cfa", "cfi", 0.931, 3);    check("hs_cfa", "tli", 0.896, 3)
check("hs_cfa", "rmsea", 0.092, 3)
check("hs_cfa", "rmsea.ci.lower", 0.071, 3)
check("hs_cfa", "rmsea.ci.upper", 0.114, 3)
check("hs_cfa", "srmr", 0.065, 3)
check("pd_sem", "chisq", 38.125, 3); check("pd_sem", "df", 35, 0)
check("pd_sem", "rmsea", 0.035, 3)
# std.lv and meanstructure do not change the fit of hs_cfa
for (m in c("hs_stdlv", "hs_meanstructure"))
  for (w in c("chisq", "df", "cfi", "tli", "rmsea", "logl"))
    stopifnot(abs(results[[m]]$fm[w] - results$hs_cfa$fm[w]) < 1e-6)
stopifnot(nrow(results$heywood$negative) >= 1)
for (r in names(results))
  if (results[[r]]$alt_diff > 1e-3)
    warning(r, ": estimates from start = \"simple\" differ by ", results[[r]]$alt_diff)

## ------------------------------------------------------ headline table ----

f3 <- function(x) formatC(x, format = "f", digits = 3)
tab <- c("| model | N | npar | chisq | df | p | CFI | TLI | RMSEA [90% CI] | SRMR | logL | AIC | BIC | iter |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (r in names(results)) {
  fm <- results[[r]]$fm
  tab <- c(tab, sprintf("| %s | %d | %d | %s | %d | %s | %s | %s | %s [%s, %s] | %s | %s | %s | %s | %d |",
    r, lavInspect(results[[r]]$fit, "nobs"), as.integer(fm["npar"]), f3(fm["chisq"]),
    as.integer(fm["df"]), f3(fm["pvalue"]), f3(fm["cfi"]), f3(fm["tli"]),
    f3(fm["rmsea"]), f3(fm["rmsea.ci.lower"]), f3(fm["rmsea.ci.upper"]),
    f3(fm["srmr"]), f3(fm["logl"]), f3(fm["aic"]), f3(fm["bic"]),
    as.integer(lavInspect(results[[r]]$fit, "iterations"))))
}
cat(tab, sep = "\n")
readme <- file.path(ref_dir, "README.md")
if (file.exists(readme)) {
  lines <- readLines(readme)
  b <- grep("<!-- headline:begin -->", lines, fixed = TRUE)
  e <- grep("<!-- headline:end -->", lines, fixed = TRUE)
  if (length(b) == 1 && length(e) == 1 && b < e) {
    lines <- c(lines[1:b], tab, lines[e:length(lines)])
    writeLines(lines, readme)
  }
}
cat("done\n")
