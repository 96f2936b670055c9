# SPDX-License-Identifier: GPL-3.0-or-later
# make_reference.R -- reference values for brisk's robust estimators (MLR,
# FIML, WLSMV), from lavaan.
#
# Run from the top of the source tree:
#
#     Rscript tests/reference/robust/make_reference.R
#
# Needs R with lavaan 0.6-14 and psych (made with R 4.2.2 Patched
# (2022-11-10 r83330), Debian r-cran-lavaan 0.6.14-1, r-cran-psych 2.2.9-1).
# `make check` does not need R: everything this script writes is committed.
# It reads tests/data/hs.csv, tests/data/bfi.csv (with the reverse keys of
# tests/data/bfi.survey) and surveys/rongcheng/rongcheng.csv (with the rules
# of rongcheng.survey), writes no data file, and writes
#
#   NAME.lav           the model, lavaan syntax (written here, then read back)
#   NAME.params.csv    one row per parameterEstimates(fit, standardized = TRUE)
#                      row: the columns of tests/reference/sem/*.params.csv,
#                      then ci_lower, ci_upper
#   NAME.fit.csv       measure,value: every fitMeasures(fit), "." -> "_"
#   NAME.r2.csv        variable,r2 (lavInspect(fit, "r2"); NA rows left out)
#   NAME.options.csv   measure,value: lavInspect(fit, "options") that matter,
#                      nobs / ntotal / norig (and npatterns with missing data)
#   NAME.extra.csv     quantity,row,col,value: intermediate quantities for
#                      debugging (MLR: Yuan-Bentler traces, information,
#                      first-order and h1 matrices, vcov; FIML: missing-data
#                      patterns, coverage, EM moments, H1 logl; WLSMV:
#                      thresholds, polychorics, weights, scaling and shift)
#   rongcheng_polychoric.csv   var1,var2,rho  from lavCor(data, ordered = TRUE)
#   rongcheng_thresholds.csv   var,threshold,value  from the same lavCor fit
#   the tables in README.md between the <!-- ... --> markers
#
# The cases and the exact lavaan calls (the model text is in NAME.lav):
#
#   hs_mlr           cfa(model, data = hs, estimator = "MLR")
#                    visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
#                    speed =~ x7 + x8 + x9
#   hs_mlr_sem       sem(model, data = hs, estimator = "MLR")
#                    hs_mlr's measurement model; speed ~ a*visual + b*textual;
#                    textual ~ c*visual; ind := c*b; total := a + c*b
#                    (the structural part is saturated, so the fit equals
#                    hs_mlr's; the SEs of the regressions and := rows are new)
#   bfi_fiml         cfa(model, data = bfi, missing = "ml")   (estimator ML)
#                    agree =~ A1 + A2 + A3 + A4 + A5;
#                    conscientious =~ C1 + C2 + C3 + C4 + C5
#                    bfi = tests/data/bfi.csv, all 2,800 rows, with A1, C4,
#                    C5 reversed as 7 - x (bfi.survey: scale 1..6, [reverse])
#   bfi_fiml_mlr     cfa(model, data = bfi, missing = "ml", estimator = "MLR")
#   bfi_fiml_mlr_group  cfa(model, data = bfi, missing = "ml", estimator = "MLR",
#                    group = "gender"): its FIML-corrected robust indices
#                    stack the groups (weights N_g / N)
#   bfi_fiml_x       sem(model, data = bfi, missing = "ml")
#                    bfi_fiml's factors regressed on the fixed covariates
#                    age, gender and education (agree ~ age + gender +
#                    education; conscientious ~ age + education); education
#                    is missing in 223 rows, which lavaan deletes ("cases
#                    were deleted due to missing values in exogenous
#                    variable(s), while fixed.x = TRUE"): 2,577 rows
#   bfi_fiml_x_mlr   sem(model, data = bfi, missing = "ml", estimator = "MLR")
#                    (its FIML-corrected robust CFI/TLI/RMSEA leave out the
#                    covariates' moments, as lavaan zeroes their information)
#   rongcheng_wlsmv  cfa(model, data = rc, ordered = TRUE, estimator = "WLSMV")
#                    the =~ lines of rongcheng.survey's [model] with {b} =
#                    crime (six correlated factors, 18 items); rc = the 18
#                    items of rongcheng.csv with -99 -> NA, pr3_crime ->
#                    6 - pr3_crime, complete cases only (358 of 600), no
#                    weights
#   bfi_wlsmv        cfa(model, data = bfi, ordered = TRUE, estimator = "WLSMV")
#                    bfi_fiml's model on its six-point items; lavaan's
#                    default for ordered data is listwise deletion
#   bfi_wlsmv_group  cfa(model, data = bfi, ordered = TRUE, estimator = "WLSMV",
#                        group = "gender")
#                    the same by gender (1, 2: lavaan's order, first seen
#                    first); configural: thresholds and loadings free in
#                    each group, the latent-response scales fixed at 1
#                    (params.csv gets a group column)
#   bfi_wlsmv_scalar the same with group.equal = c("loadings", "thresholds"):
#                    the thresholds estimated, equal across groups, and in
#                    the second group the scale factors (~*~) and latent
#                    means free
#   bfi_wlsmv_x      sem(model, data = bfi, ordered = bfi_items, estimator = "WLSMV")
#                    bfi_fiml_x's model (the factors on age, gender,
#                    education) on the ordered items: lavaan's default
#                    conditional.x = TRUE (each item's probit slopes on the
#                    covariates, polychorics given them); listwise: 2,418
#   bfi_wlsmv_x_group  sem(model, data = bfi, ordered = bfi_items,
#                    estimator = "WLSMV", group = "gender"): the factors on
#                    age in each gender group
#   kostka_wlsmv     sem(model, data = kostka, ordered = "approve",
#                    estimator = "WLSMV"): approve ~ age + education +
#                    income + urban (kostka2019.survey's [model]), an
#                    ordered probit regression (saturated: df 0); kostka =
#                    surveys/kostka2019/kostka2019.csv, every row (no
#                    missing values, weights not used)
#   rongcheng_weighted  sem(model, data = rcw, sampling.weights = "weight")
#                    rongcheng.survey's whole [model] with {b} = crime (its
#                    regressions, labels and := effects); rcw = rc's rules
#                    on every item of that model plus weight and gender,
#                    lavaan's listwise deletion; sampling weights make
#                    lavaan's ML robust (Huber-White SEs from the weighted
#                    scores, the Yuan-Bentler test)
#   rongcheng_weighted_group  cfa(model, data = rcw, sampling.weights = "weight",
#                    group = "gender", group.equal = c("loadings", "intercepts"))
#                    the measurement part by gender, the weights normalised
#                    over both groups (lavaan's "total")
#   rongcheng_weighted_fiml  sem(model, data = rcw, sampling.weights = "weight",
#                    missing = "ml"): rongcheng_weighted with every
#                    respondent who answered an item (600), the patterns
#                    and the EM saturated model weighted
#   kostka_weighted  sem(model, data = kostka, sampling.weights = "weight")
#                    kostka_wlsmv's regression with approve continuous, on
#                    fixed covariates, weighted

suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
})

stopifnot(file.exists("tests/reference/robust/make_reference.R"))  # run from the top
if (packageVersion("lavaan") != "0.6.14")
  warning("these references were made with lavaan 0.6-14; this is ",
          packageVersion("lavaan"))

ref_dir <- "tests/reference/robust"

## ------------------------------------------------------------- surveys ----

# The lines of section [name] of a .survey file, comments (# or ;) and
# blank lines removed.
survey_section <- function(path, name) {
  lines <- readLines(path)
  start <- which(trimws(lines) == paste0("[", name, "]"))
  stopifnot(length(start) == 1)
  rest <- lines[-seq_len(start)]
  end <- which(grepl("^\\s*\\[", rest))
  if (length(end)) rest <- rest[seq_len(end[1] - 1)]
  rest <- trimws(sub("[;#].*$", "", rest))
  rest[nzchar(rest)]
}
survey_setting <- function(path, key) {
  s <- survey_section(path, "survey")
  hit <- grep(paste0("^", key, "\\s*="), s, value = TRUE)
  stopifnot(length(hit) == 1)
  trimws(sub("^[^=]*=", "", hit))
}
survey_scale <- function(path) {
  as.numeric(strsplit(survey_setting(path, "scale"), "..", fixed = TRUE)[[1]])
}
survey_reverse <- function(path) {
  unlist(strsplit(survey_section(path, "reverse"), "\\s+"))
}

## ---------------------------------------------------------------- data ----

hs <- read.csv("tests/data/hs.csv", stringsAsFactors = FALSE)
path <- read.csv("tests/data/path.csv", stringsAsFactors = FALSE)

bfi_survey <- "tests/data/bfi.survey"
bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)
bfi_scale <- survey_scale(bfi_survey)                       # 1 6
bfi_items <- c(paste0("A", 1:5), paste0("C", 1:5))
bfi_rev <- intersect(survey_reverse(bfi_survey), bfi_items)  # A1 C4 C5
stopifnot(identical(bfi_scale, c(1, 6)), identical(bfi_rev, c("A1", "C4", "C5")))
for (v in bfi_items)
  stopifnot(all(is.na(bfi[[v]]) | bfi[[v]] %in% bfi_scale[1]:bfi_scale[2]))
for (v in bfi_rev) bfi[[v]] <- sum(bfi_scale) - bfi[[v]]    # 7 - x

rc_survey <- "surveys/rongcheng/rongcheng.survey"
rc_scale <- survey_scale(rc_survey)                         # 1 5
rc_missing <- as.numeric(survey_setting(rc_survey, "missing"))  # -99
b <- "crime"
rc_model <- gsub("{b}", b, grep("=~", survey_section(rc_survey, "model"), value = TRUE),
                 fixed = TRUE)
rc_items <- unlist(lapply(strsplit(sub("^.*=~", "", rc_model), "+", fixed = TRUE), trimws))
rc_rev <- gsub("{b}", b, survey_reverse(rc_survey), fixed = TRUE)   # pr3_crime
stopifnot(identical(rc_scale, c(1, 5)), rc_missing == -99, length(rc_items) == 18,
          identical(rc_rev, "pr3_crime"))
kostka_survey <- "surveys/kostka2019/kostka2019.survey"
kostka_model <- survey_section(kostka_survey, "model")
kostka <- read.csv("surveys/kostka2019/kostka2019.csv", stringsAsFactors = FALSE)
stopifnot(identical(kostka_model, "approve ~ age + education + income + urban"),
          all(complete.cases(kostka)), all(kostka$approve %in% 1:5))

rc_raw <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)
rc_all <- rc_raw[, rc_items]
for (v in rc_items) {
  x <- rc_all[[v]]
  x[!is.na(x) & x == rc_missing] <- NA
  stopifnot(all(is.na(x) | x %in% rc_scale[1]:rc_scale[2]))
  rc_all[[v]] <- x
}
for (v in rc_rev) rc_all[[v]] <- sum(rc_scale) - rc_all[[v]]   # 6 - x
# the whole model of behaviour crime, weighted (the weights are synthetic:
# surveys/rongcheng/README.md)
rc_full_model <- gsub("{b}", b, survey_section(rc_survey, "model"), fixed = TRUE)
stopifnot(survey_setting(rc_survey, "weight") == "weight", length(rc_full_model) == 14)
rcw <- rc_all
rcw$weight <- rc_raw$weight
rcw$gender <- rc_raw$gender
stopifnot(all(rcw$weight > 0), all(rcw$gender %in% 1:2))
rc <- rc_all[complete.cases(rc_all), , drop = FALSE]
rownames(rc) <- NULL
# every item uses all five categories in the complete cases
stopifnot(all(vapply(rc, function(x) length(unique(x)) == 5, logical(1))))

## -------------------------------------------------------------- models ----

hs_meas <- c("visual  =~ x1 + x2 + x3",
             "textual =~ x4 + x5 + x6",
             "speed   =~ x7 + x8 + x9")
bfi_meas <- c("agree         =~ A1 + A2 + A3 + A4 + A5",
              "conscientious =~ C1 + C2 + C3 + C4 + C5")

cases <- list(
  list(name = "hs_mlr", fun = "cfa", data = "hs",
       args = list(estimator = "MLR"),
       call = "cfa(model, data = hs, estimator = \"MLR\")",
       about = "Holzinger & Swineford (1939) three-factor CFA, robust ML (MLR)",
       model = hs_meas),
  list(name = "hs_mlr_sem", fun = "sem", data = "hs",
       args = list(estimator = "MLR"),
       call = "sem(model, data = hs, estimator = \"MLR\")",
       about = paste("the HS factors with latent regressions and defined effects, MLR",
                     "(saturated structure: same fit as hs_mlr)"),
       model = c(hs_meas, "speed   ~ a*visual + b*textual", "textual ~ c*visual",
                 "ind   := c*b", "total := a + c*b")),
  list(name = "path_mlr", fun = "sem", data = "path",
       args = list(estimator = "MLR"),
       call = "sem(model, data = path, estimator = \"MLR\")",
       about = paste("observed covariates under fixed.x (x1, x2), latent and observed",
                     "outcomes, MLR (the model of tests/reference/sem/path_fixedx)"),
       model = c("y1 ~ x1 + x2", "y2 ~ x1", "y3 ~ y1 + y2", "f =~ y4 + y5 + y6",
                 "g =~ y7", "f ~ x2", "g ~ x1"),
       extra = FALSE),
  list(name = "bfi_fiml", fun = "cfa", data = "bfi",
       args = list(missing = "ml"),
       call = "cfa(model, data = bfi, missing = \"ml\")",
       about = "two bfi factors, full-information ML on all 2,800 rows (estimator ML)",
       model = bfi_meas),
  list(name = "bfi_fiml_mlr", fun = "cfa", data = "bfi",
       args = list(missing = "ml", estimator = "MLR"),
       call = "cfa(model, data = bfi, missing = \"ml\", estimator = \"MLR\")",
       about = "bfi_fiml with robust SEs and the Yuan-Bentler (Mplus) test (MLR)",
       model = bfi_meas),
  list(name = "bfi_fiml_mlr_group", fun = "cfa", data = "bfi",
       args = list(missing = "ml", estimator = "MLR", group = "gender"),
       call = "cfa(model, data = bfi, missing = \"ml\", estimator = \"MLR\", group = \"gender\")",
       about = "bfi_fiml_mlr by gender (configural)",
       model = bfi_meas, extra = FALSE),
  list(name = "bfi_fiml_x", fun = "sem", data = "bfi",
       args = list(missing = "ml"),
       call = "sem(model, data = bfi, missing = \"ml\")",
       about = paste("bfi_fiml's factors on fixed covariates, full-information ML",
                     "(rows missing a covariate deleted, as lavaan's fixed.x)"),
       model = c(bfi_meas, "agree         ~ age + gender + education",
                 "conscientious ~ age + education")),
  list(name = "bfi_fiml_x_mlr", fun = "sem", data = "bfi",
       args = list(missing = "ml", estimator = "MLR"),
       call = "sem(model, data = bfi, missing = \"ml\", estimator = \"MLR\")",
       about = "bfi_fiml_x with robust SEs, the Yuan-Bentler test and FIML-corrected indices",
       model = c(bfi_meas, "agree         ~ age + gender + education",
                 "conscientious ~ age + education"),
       extra = FALSE),
  list(name = "rongcheng_wlsmv", fun = "cfa", data = "rc",
       args = list(ordered = TRUE, estimator = "WLSMV"),
       call = "cfa(model, data = rc, ordered = TRUE, estimator = \"WLSMV\")",
       about = paste("measurement model of rongcheng.survey's [model], {b} = crime,",
                     "all items ordered, WLSMV"),
       model = rc_model),
  list(name = "bfi_wlsmv", fun = "cfa", data = "bfi",
       args = list(ordered = TRUE, estimator = "WLSMV"),
       call = "cfa(model, data = bfi, ordered = TRUE, estimator = \"WLSMV\")",
       about = "two bfi factors on the six-point items as ordered, WLSMV (listwise)",
       model = bfi_meas),
  list(name = "bfi_wlsmv_x", fun = "sem", data = "bfi",
       args = list(ordered = bfi_items, estimator = "WLSMV"),
       call = "sem(model, data = bfi, ordered = bfi_items, estimator = \"WLSMV\")",
       about = "bfi_fiml_x's model on the ordered items, WLSMV given the covariates (listwise)",
       model = c(bfi_meas, "agree         ~ age + gender + education",
                 "conscientious ~ age + education")),
  list(name = "bfi_wlsmv_x_group", fun = "sem", data = "bfi",
       args = list(ordered = bfi_items, estimator = "WLSMV", group = "gender"),
       call = paste("sem(model, data = bfi, ordered = bfi_items, estimator = \"WLSMV\",",
                    "group = \"gender\")"),
       about = "the bfi factors on age by gender, WLSMV given the covariate (listwise)",
       model = c(bfi_meas, "agree         ~ age", "conscientious ~ age")),
  list(name = "kostka_wlsmv", fun = "sem", data = "kostka",
       args = list(ordered = "approve", estimator = "WLSMV"),
       call = "sem(model, data = kostka, ordered = \"approve\", estimator = \"WLSMV\")",
       about = "kostka2019.survey's [model]: approval's ordered probit on the demographics",
       model = kostka_model),
  list(name = "rongcheng_weighted", fun = "sem", data = "rcw",
       args = list(sampling.weights = "weight"),
       call = "sem(model, data = rcw, sampling.weights = \"weight\")",
       about = "rongcheng.survey's [model], {b} = crime, with its sampling weights",
       model = rc_full_model),
  list(name = "rongcheng_weighted_group", fun = "cfa", data = "rcw",
       args = list(sampling.weights = "weight", group = "gender",
                   group.equal = c("loadings", "intercepts")),
       call = paste("cfa(model, data = rcw, sampling.weights = \"weight\", group = \"gender\",",
                    "group.equal = c(\"loadings\", \"intercepts\"))"),
       about = paste("the measurement part of rongcheng.survey's [model], {b} = crime,",
                     "by gender (scalar), weighted"),
       model = rc_model),
  list(name = "rongcheng_weighted_fiml", fun = "sem", data = "rcw",
       args = list(sampling.weights = "weight", missing = "ml"),
       call = "sem(model, data = rcw, sampling.weights = \"weight\", missing = \"ml\")",
       about = paste("rongcheng.survey's [model], {b} = crime, with its sampling weights,",
                     "full-information ML"),
       model = rc_full_model, extra = FALSE),
  list(name = "kostka_weighted", fun = "sem", data = "kostka",
       args = list(sampling.weights = "weight"),
       call = "sem(model, data = kostka, sampling.weights = \"weight\")",
       about = "kostka2019.survey's [model] (approve continuous), with its sampling weights",
       model = kostka_model),
  list(name = "bfi_wlsmv_group", fun = "cfa", data = "bfi",
       args = list(ordered = TRUE, estimator = "WLSMV", group = "gender"),
       call = paste("cfa(model, data = bfi, ordered = TRUE, estimator = \"WLSMV\",",
                    "group = \"gender\")"),
       about = "bfi_wlsmv by gender (configural), WLSMV (listwise)",
       model = bfi_meas),
  list(name = "bfi_wlsmv_scalar", fun = "cfa", data = "bfi",
       args = list(ordered = TRUE, estimator = "WLSMV", group = "gender",
                   group.equal = c("loadings", "thresholds")),
       call = paste("cfa(model, data = bfi, ordered = TRUE, estimator = \"WLSMV\",",
                    "group = \"gender\", group.equal = c(\"loadings\", \"thresholds\"))"),
       about = "bfi_wlsmv by gender, loadings and thresholds equal (scalar), WLSMV (listwise)",
       model = bfi_meas)
)

data_notes <- list(
  hs = "hs = tests/data/hs.csv (lavaan's HolzingerSwineford1939); complete data",
  path = "path = tests/data/path.csv (simulated, see tests/reference/sem); complete data",
  bfi = paste0("bfi = tests/data/bfi.csv, all rows; A1, C4, C5 reversed as 7 - x ",
               "(tests/data/bfi.survey); missing answers left missing"),
  kostka = paste0("kostka = surveys/kostka2019/kostka2019.csv, all 2,209 rows (complete); ",
                  "weights only where sampling.weights says so"),
  rcw = paste0("rcw = rongcheng.csv's items of behaviour crime (-99 -> NA, pr3_crime -> ",
               "6 - pr3_crime), weight and gender; lavaan's listwise deletion"),
  rc = paste0("rc = the 18 items of surveys/rongcheng/rongcheng.csv; -99 -> NA; ",
              "pr3_crime -> 6 - pr3_crime; complete cases (358 rows); no weights"))
data_sets <- list(hs = hs, bfi = bfi, rc = rc, path = path, kostka = kostka, rcw = rcw)

for (cs in cases)
  writeLines(c(paste0("# ", cs$name, ": ", cs$about),
               paste0("# lavaan call: ", cs$call, "   (written by make_reference.R)"),
               paste0("# ", data_notes[[cs$data]]),
               cs$model),
             file.path(ref_dir, paste0(cs$name, ".lav")))

read_lav <- function(name) {
  paste(readLines(file.path(ref_dir, paste0(name, ".lav"))), collapse = "\n")
}

## ------------------------------------------------------------- writers ----

csv_out <- function(df, name, part) {
  write.csv(df, file.path(ref_dir, paste0(name, ".", part, ".csv")),
            row.names = FALSE, na = "")
}

# free parameters in free-index order, named lhs op rhs without blanks
free_names <- function(fit) {
  pt <- parTable(fit)
  f <- pt[pt$free > 0, ]
  f <- f[order(f$free), ]
  paste0(f$lhs, f$op, f$rhs)
}

write_params <- function(fit, name) {
  pt <- parTable(fit)
  pe <- parameterEstimates(fit, standardized = TRUE)
  key_pt <- paste(pt$lhs, pt$op, pt$rhs, if (is.null(pe$group)) "" else pt$group)
  key_pe <- paste(pe$lhs, pe$op, pe$rhs, if (is.null(pe$group)) "" else pe$group)
  stopifnot(!anyDuplicated(key_pt), all(key_pe %in% key_pt))
  row <- match(key_pe, key_pt)
  lab <- if (is.null(pe$label)) rep("", nrow(pe)) else pe$label
  p <- data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = lab,
                  free = pt$free[row] != 0,
                  group = if (is.null(pe$group)) 1L else pe$group,
                  est = pe$est, se = pe$se, z = pe$z, pvalue = pe$pvalue,
                  std_lv = pe$std.lv, std_all = pe$std.all,
                  ci_lower = pe$ci.lower, ci_upper = pe$ci.upper,
                  stringsAsFactors = FALSE)
  if (lavInspect(fit, "ngroups") == 1) p$group <- NULL
  csv_out(p, name, "params")
  p
}

write_fit <- function(fit, name) {
  fm <- fitMeasures(fit)
  d <- data.frame(measure = gsub(".", "_", names(fm), fixed = TRUE),
                  value = unname(as.numeric(fm)), stringsAsFactors = FALSE)
  stopifnot(!anyDuplicated(d$measure))
  csv_out(d, name, "fit")
  fm
}

write_r2 <- function(fit, name) {
  r2 <- lavInspect(fit, "r2")
  r2 <- r2[!is.na(r2)]
  csv_out(data.frame(variable = names(r2), r2 = unname(r2)), name, "r2")
}

option_names <- c("estimator", "likelihood", "se", "test", "scaled.test",
                  "information", "h1.information", "observed.information",
                  "meanstructure", "missing", "model.type", "std.lv", "fixed.x",
                  "conditional.x", "mimic")
option_names_ordered <- c("parameterization", "zero.add", "zero.keep.margins")
write_options <- function(fit, name, spec) {
  o <- lavInspect(fit, "options")
  rows <- list()
  add <- function(k, v) rows[[length(rows) + 1]] <<- data.frame(measure = k,
                                                                  value = as.character(v))
  add("estimator_requested", if (is.null(spec$args$estimator)) "ML (default)" else
        spec$args$estimator)
  ord <- lavNames(fit, "ov.ord")
  for (k in c(option_names, if (length(ord)) option_names_ordered)) {
    v <- o[[k]]
    if (is.null(v)) next
    if (is.logical(v)) v <- ifelse(v, "TRUE", "FALSE")
    # lavaan 0.6: information, h1.information, observed.information and
    # zero.add have two elements: [1] for the standard errors (zero.add: 2x2
    # tables), [2] for the test statistic (zero.add: larger tables)
    if (length(v) == 2 && k == "zero.add") {
      add("zero.add", v[1]); add("zero.add.larger", v[2])
    } else if (length(v) == 2) {
      add(k, v[1]); add(paste0(k, ".test"), v[2])
    } else add(k, paste(v, collapse = " "))
  }
  add("ordered", paste(ord, collapse = " "))
  add("ngroups", lavInspect(fit, "ngroups"))
  add("nobs", paste(lavInspect(fit, "nobs"), collapse = " "))
  add("ntotal", lavInspect(fit, "ntotal"))
  add("norig", lavInspect(fit, "norig"))
  if (o$missing %in% c("ml", "ml.x"))
    add("npatterns", fit@Data@Mp[[1]]$npatterns)
  add("npar", fitMeasures(fit, "npar"))
  add("converged", lavInspect(fit, "converged"))
  d <- do.call(rbind, rows)
  d$value[d$value == ""] <- NA
  csv_out(d, name, "options")
  d
}

## extra.csv: long format quantity,row,col,value
xs <- function(quantity, value, row = "", col = "")
  data.frame(quantity = quantity, row = row, col = col, value = as.numeric(value),
             stringsAsFactors = FALSE)
xvec <- function(quantity, v, names_ = names(v)) xs(quantity, unname(v), names_)
# lower triangle incl. the diagonal (row >= col), column by column
xlower <- function(quantity, m, names_ = rownames(m), diag = TRUE) {
  m <- as.matrix(m)
  idx <- which(if (diag) lower.tri(m, diag = TRUE) else lower.tri(m), arr.ind = TRUE)
  idx <- idx[order(idx[, 2], idx[, 1]), , drop = FALSE]
  xs(quantity, m[idx], names_[idx[, 1]], names_[idx[, 2]])
}
# names of the h1 (saturated) sample statistics, in lavaan's order:
# means (if any), then vech(cov) column by column
h1_names <- function(vars, means) {
  p <- length(vars)
  idx <- which(lower.tri(diag(p), diag = TRUE), arr.ind = TRUE)
  idx <- idx[order(idx[, 2], idx[, 1]), , drop = FALSE]
  c(if (means) paste0(vars, "~1"), paste0(vars[idx[, 2]], "~~", vars[idx[, 1]]))
}

# Yuan-Bentler (Mplus variant) pieces, recomputed with lavaan's internals
# exactly as lav_test_yuan_bentler() does, and checked against fit@test.
yb_mplus_parts <- function(fit) {
  lm <- fit@Model
  opt <- fit@Options
  h1opt <- opt; h1opt$h1.information <- "unstructured"
  args <- list(lavmodel = lm, lavsamplestats = fit@SampleStats, lavdata = fit@Data,
               lavimplied = fit@implied, lavh1 = fit@h1, lavoptions = h1opt)
  A1 <- do.call(lavaan:::lav_model_h1_information, args)[[1]]
  B1 <- do.call(lavaan:::lav_model_h1_information_firstorder, args)[[1]]
  B0 <- lavaan:::lav_model_information_firstorder(lavmodel = lm,
          lavsamplestats = fit@SampleStats, lavdata = fit@Data, lavh1 = fit@h1,
          lavoptions = opt, extra = TRUE, check.pd = FALSE, augmented = FALSE,
          inverted = FALSE)
  B0 <- attr(B0, "B0.group")[[1]]
  E <- lavaan:::lav_model_information(lavmodel = lm, lavsamplestats = fit@SampleStats,
         lavdata = fit@Data, lavimplied = fit@implied, lavh1 = fit@h1,
         lavoptions = opt, extra = FALSE, augmented = FALSE, inverted = FALSE)
  stopifnot(!lm@eq.constraints, all(diag(A1) != 0))
  E.inv <- solve(E)
  trace.h1 <- sum(B1 * t(solve(A1)))
  trace.h0 <- sum(B0 * t(E.inv))
  tst <- fit@test$yuan.bentler.mplus
  stopifnot(abs(trace.h1 - attr(tst$stat, "h1")) < 1e-8 * trace.h1,
            abs(trace.h0 - attr(tst$stat, "h0")) < 1e-8 * trace.h0,
            abs((trace.h1 - trace.h0) - tst$trace.UGamma) < 1e-8 * trace.h1)
  # the sandwich: vcov = E^-1 B0 E^-1 / N  (E, B0 per observation)
  V <- E.inv %*% B0 %*% E.inv / lavInspect(fit, "ntotal")
  stopifnot(max(abs(V - unname(vcov(fit)))) < 1e-8 * max(abs(V)))
  # lavInspect's "information" and "first.order" are the same matrices
  stopifnot(max(abs(unname(lavInspect(fit, "information")) - E)) < 1e-10 * max(abs(E)),
            max(abs(unname(lavInspect(fit, "first.order")) - B0)) < 1e-10 * max(abs(B0)))
  list(A1 = A1, B1 = B1, B0 = B0, E = E, V = V, trace.h1 = trace.h1,
       trace.h0 = trace.h0, h1.ndat = ncol(A1))
}

extra_mlr <- function(fit, fm, h1_matrices = TRUE) {
  tst <- fit@test$yuan.bentler.mplus
  btst <- fit@baseline$test$yuan.bentler.mplus
  yb <- yb_mplus_parts(fit)
  pn <- free_names(fit)
  vars <- lavNames(fit, "ov")
  hn <- h1_names(vars, lavInspect(fit, "meanstructure"))
  stopifnot(length(hn) == ncol(yb$A1))
  ug <- lavInspect(fit, "UGamma")
  rbind(
    xs("nobs", lavInspect(fit, "nobs")),
    xs("chisq", fm[["chisq"]]), xs("df", fm[["df"]]),
    xs("chisq.scaled", tst$stat), xs("chisq.scaling.factor", tst$scaling.factor),
    xs("trace.UGamma", tst$trace.UGamma),
    xs("trace.h1", yb$trace.h1), xs("trace.h0", yb$trace.h0), xs("h1.ndat", yb$h1.ndat),
    xs("scaling.factor.h1", tst$scaling.factor.h1),
    xs("scaling.factor.h0", tst$scaling.factor.h0),
    xs("baseline.chisq", fit@baseline$test$standard$stat),
    xs("baseline.df", fit@baseline$test$standard$df),
    xs("baseline.chisq.scaled", btst$stat),
    xs("baseline.chisq.scaling.factor", btst$scaling.factor),
    xs("baseline.trace.UGamma", btst$trace.UGamma),
    xs("baseline.trace.h0", attr(btst$stat, "h0")),
    xs("lavInspect.UGamma.trace", sum(diag(ug))),
    xs("lavInspect.UGamma.trace2", sum(ug * t(ug))),
    xlower("information", yb$E, pn),
    xlower("first.order", yb$B0, pn),
    xlower("vcov", yb$V, pn),
    if (h1_matrices) xlower("h1.information", yb$A1, hn),
    if (h1_matrices) xlower("h1.first.order", yb$B1, hn))
}

extra_missing <- function(fit) {
  mp <- fit@Data@Mp[[1]]
  vars <- lavNames(fit, "ov")
  pat <- apply(mp$pat, 1, function(r) paste(as.integer(r), collapse = ""))
  h1 <- lavInspect(fit, "sampstat.h1")
  # robust RMSEA / CFI / TLI under FIML: lavaan's FIML-corrected statistic
  # (Zhang & Savalei), version "V6" after ML, "V3" after MLR -- as in
  # lav_fit_rmsea_lavobject() and lav_fit_cfi_lavobject()
  version <- if (length(fit@test) > 1) "V3" else "V6"
  fc <- lavaan:::lav_fit_fiml_corrected(fit, version = version)
  N <- lavInspect(fit, "ntotal")
  stopifnot(abs(lavaan:::lav_fit_rmsea(X2 = fc$XX3, df = fc$df3, N = N, c.hat = fc$c.hat3) -
                fitMeasures(fit, "rmsea.robust")) < 1e-12)
  rbind(
    xs("nobs", lavInspect(fit, "nobs")),
    xs("norig", lavInspect(fit, "norig")),
    xs("nrows_incomplete", sum(!complete.cases(fit@Data@X[[1]]))),
    xs("npatterns", mp$npatterns),
    xs("h1.logl", fitMeasures(fit, "unrestricted.logl")),
    xs("h0.logl", fitMeasures(fit, "logl")),
    xs(paste0("fiml.corrected.", names(fc)), unlist(fc), version),
    xs("pattern", mp$freq, pat, paste(vars, collapse = " ")),
    xlower("coverage", lavInspect(fit, "coverage")),
    xvec("h1.mean", h1$mean),
    xlower("h1.cov", h1$cov))
}

# DWLS pieces: the polychoric sample statistics and the weights
extra_wlsmv <- function(fit, fm) {
  tst <- fit@test$scaled.shifted
  btst <- fit@baseline$test$scaled.shifted
  if (is.null(btst)) btst <- list()   # no baseline test (kostka_wlsmv: no correlation)
  nz <- function(x) if (is.null(x)) NA else x
  tests <- rbind(
    xs("nobs", lavInspect(fit, "ntotal")),
    xs("chisq", fm[["chisq"]]), xs("df", fm[["df"]]),
    xs("chisq.scaled", nz(tst$stat)), xs("pvalue.scaled", nz(tst$pvalue)),
    xs("chisq.scaling.factor", nz(tst$scaling.factor)),
    xs("shift.parameter", sum(nz(tst$shift.parameter))),
    xs("trace.UGamma", nz(tst$trace.UGamma)), xs("trace.UGamma2", nz(tst$trace.UGamma2)),
    xs("baseline.chisq", nz(fit@baseline$test$standard$stat)),
    xs("baseline.df", nz(fit@baseline$test$standard$df)),
    xs("baseline.chisq.scaled", nz(btst$stat)),
    xs("baseline.chisq.scaling.factor", nz(btst$scaling.factor)),
    xs("baseline.shift.parameter", sum(nz(btst$shift.parameter))),
    xs("baseline.trace.UGamma", nz(btst$trace.UGamma)),
    xs("baseline.trace.UGamma2", nz(btst$trace.UGamma2)))
  if (lavInspect(fit, "ngroups") > 1) return(tests)
  if (lavInspect(fit, "options")$conditional.x) {
    # each item's probit thresholds and slopes, the polychorics given the
    # covariates
    s <- lavInspect(fit, "sampstat")
    sl <- s$res.slopes
    idx <- expand.grid(i = seq_len(nrow(sl)), j = seq_len(ncol(sl)))
    return(rbind(tests, xvec("threshold", s$res.th),
                 xs("slope", sl[cbind(idx$i, idx$j)], rownames(sl)[idx$i], colnames(sl)[idx$j]),
                 if (nrow(s$res.cov) > 1) xlower("polychoric", s$res.cov, diag = FALSE)))
  }
  s <- lavInspect(fit, "sampstat")
  vars <- lavNames(fit, "ov")
  p <- length(vars)
  idx <- which(lower.tri(diag(p)), arr.ind = TRUE)
  idx <- idx[order(idx[, 2], idx[, 1]), , drop = FALSE]
  stat_names <- c(names(s$th), paste0(vars[idx[, 2]], "~~", vars[idx[, 1]]))
  W <- lavInspect(fit, "wls.v")
  G <- lavInspect(fit, "gamma")
  stopifnot(length(stat_names) == ncol(W), ncol(G) == ncol(W))
  # DWLS weights = 1 / diag(Gamma)
  stopifnot(max(abs(diag(W) * diag(G) - 1)) < 1e-10)
  ug <- lavInspect(fit, "UGamma")
  stopifnot(abs(sum(diag(ug)) - tst$trace.UGamma) < 1e-8 * tst$trace.UGamma)
  rbind(
    tests,
    xvec("threshold", s$th),
    xlower("polychoric", s$cov, diag = FALSE),
    xvec("wls.v.diag", diag(W), stat_names),
    xvec("gamma.diag", diag(G), stat_names))
}

## ------------------------------------------------------------- fitting ----

results <- list()
for (cs in cases) {
  cat("fitting", cs$name, "\n")
  warnings <- character()
  fit <- withCallingHandlers(
    do.call(cs$fun, c(list(model = read_lav(cs$name), data = data_sets[[cs$data]]),
                      cs$args)),
    warning = function(w) {
      warnings <<- c(warnings, gsub("\\s+", " ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  stopifnot(lavInspect(fit, "converged"))
  if (length(warnings)) cat("  lavaan warned:", warnings, sep = "\n    ")
  p <- write_params(fit, cs$name)
  fm <- write_fit(fit, cs$name)
  write_r2(fit, cs$name)
  o <- write_options(fit, cs$name, cs)
  ex <- NULL
  est <- lavInspect(fit, "options")$estimator
  mis <- lavInspect(fit, "options")$missing
  # the h1 matrices depend on the data only: hs_mlr_sem would repeat hs_mlr's
  # (no extra parts for fixed covariates: yb_mplus_parts assumes none)
  if (identical(cs$args$estimator, "MLR") && !isFALSE(cs$extra))
    ex <- extra_mlr(fit, fm, h1_matrices = cs$name != "hs_mlr_sem")
  if (mis == "ml" && lavInspect(fit, "ngroups") == 1) ex <- rbind(ex, extra_missing(fit))
  if (identical(cs$args$estimator, "WLSMV")) ex <- extra_wlsmv(fit, fm)
  if (!is.null(ex)) {
    ex <- ex[!duplicated(ex[, 1:3]), ]
    csv_out(ex, cs$name, "extra")
  }
  results[[cs$name]] <- list(fit = fit, fm = fm, params = p, warnings = warnings)
}

## -------------------------------------------------- polychoric (lavCor) ----

lc <- lavCor(rc, ordered = TRUE, output = "fit")
R <- lavInspect(lc, "sampstat")$cov
th <- lavInspect(lc, "sampstat")$th
vars <- colnames(R)
idx <- which(upper.tri(R), arr.ind = TRUE)
idx <- idx[order(idx[, 1], idx[, 2]), , drop = FALSE]      # (1,2), (1,3), ...
poly <- data.frame(var1 = vars[idx[, 1]], var2 = vars[idx[, 2]], rho = R[idx],
                   stringsAsFactors = FALSE)
write.csv(poly, file.path(ref_dir, "rongcheng_polychoric.csv"), row.names = FALSE)
thr <- data.frame(var = sub("\\|.*$", "", names(th)), threshold = sub("^.*\\|", "", names(th)),
                  value = unname(th), stringsAsFactors = FALSE)
write.csv(thr, file.path(ref_dir, "rongcheng_thresholds.csv"), row.names = FALSE)
# the same numbers as the WLSMV fit's sample statistics
s_w <- lavInspect(results$rongcheng_wlsmv$fit, "sampstat")
stopifnot(max(abs(s_w$cov - R)) < 1e-12, max(abs(s_w$th - th)) < 1e-12,
          identical(lavCor(rc, ordered = TRUE), lavCor(rc, ordered = TRUE, output = "cor")))

# psych::polychoric (global thresholds, optimize() for rho) on a few pairs,
# and the exact two-step ML rho (the same thresholds, optimize() to 1e-12)
exact_rho <- function(x, y, tx, ty) {
  tab <- table(factor(x, 1:5), factor(y, 1:5))
  bx <- c(-Inf, tx, Inf); by <- c(-Inf, ty, Inf)
  # P(X < a, Y < b) for the standard bivariate normal with correlation r
  cdf <- function(a, b, r) {
    if (a == -Inf || b == -Inf) return(0)
    if (a == Inf) return(pnorm(b))
    if (b == Inf) return(pnorm(a))
    lavaan:::pbinorm(a, b, r)
  }
  negll <- function(r) {
    P <- outer(1:5, 1:5, Vectorize(function(i, j)
      cdf(bx[i + 1], by[j + 1], r) - cdf(bx[i], by[j + 1], r) -
        cdf(bx[i + 1], by[j], r) + cdf(bx[i], by[j], r)))
    -sum(tab * log(P))
  }
  optimize(negll, c(-0.999, 0.999), tol = 1e-12)$minimum
}
psy_pairs <- list(c("tg1", "tg2"), c("tg1", "pc1"), c("pm1_crime", "pm2_crime"),
                  c("pr1_crime", "pr3_crime"), c("pm1_crime", "acc1_crime"))
psy_all <- suppressWarnings(psych::polychoric(rc))
stopifnot(max(abs(t(psy_all$tau) - matrix(th, nrow = 4))) < 1e-12)
psy <- do.call(rbind, lapply(psy_pairs, function(pr) {
  a <- suppressWarnings(psych::polychoric(rc[, pr]))
  zero <- sum(table(factor(rc[[pr[1]]], 1:5), factor(rc[[pr[2]]], 1:5)) == 0)
  ex <- exact_rho(rc[[pr[1]]], rc[[pr[2]]], th[paste0(pr[1], "|t", 1:4)],
                  th[paste0(pr[2], "|t", 1:4)])
  data.frame(pair = paste(pr, collapse = "-"), zero_cells = zero,
             lavaan = R[pr[1], pr[2]], psych = a$rho[1, 2], exact = ex)
}))
psy_maxdiff <- max(abs(psy_all$rho - R))

## -------------------------------------------------------------- checks ----

check <- function(model, what, expected, digits) {
  got <- unname(results[[model]]$fm[what])
  if (round(got, digits) != expected)
    stop(model, ": ", what, " = ", got, ", expected ", expected)
}
check("hs_mlr", "chisq", 85.306, 3)
check("hs_mlr", "chisq.scaled", 87.132, 3)
check("hs_mlr", "chisq.scaling.factor", 0.979, 3)
check("hs_mlr", "cfi.robust", 0.930, 3)
check("hs_mlr", "rmsea.robust", 0.092, 3)
# MLR changes SEs and tests, not the estimates: hs_mlr equals the ML
# reference in tests/reference/sem/hs_cfa.params.csv
ml <- read.csv("tests/reference/sem/hs_cfa.params.csv", stringsAsFactors = FALSE)
stopifnot(identical(paste(ml$lhs, ml$op, ml$rhs),
                    with(results$hs_mlr$params, paste(lhs, op, rhs))),
          max(abs(ml$est - results$hs_mlr$params$est)) < 1e-6)
ml <- read.csv("tests/reference/sem/hs_regress.params.csv", stringsAsFactors = FALSE)
stopifnot(identical(paste(ml$lhs, ml$op, ml$rhs),
                    with(results$hs_mlr_sem$params, paste(lhs, op, rhs))),
          max(abs(ml$est - results$hs_mlr_sem$params$est)) < 1e-6)
# the saturated structural part leaves the fit alone
# (up to where nlminb stopped: the scaled chi-square differs by ~1e-6)
for (w in c("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust"))
  stopifnot(abs(results$hs_mlr_sem$fm[w] - results$hs_mlr$fm[w]) <
            1e-6 * max(1, abs(results$hs_mlr$fm[w])))
# FIML: ML and MLR share estimates, logl and chisq
stopifnot(max(abs(results$bfi_fiml$params$est - results$bfi_fiml_mlr$params$est)) < 1e-8)
for (w in c("chisq", "logl", "unrestricted.logl"))
  stopifnot(abs(results$bfi_fiml$fm[w] - results$bfi_fiml_mlr$fm[w]) < 1e-6)
stopifnot(lavInspect(results$rongcheng_wlsmv$fit, "nobs") == 358)
# WLSMV: scaled-shifted = chisq / scaling factor + shift, where
# 1 / scaling = sqrt(df / tr(UG^2)) and shift = df - tr(UG) / scaling
local({
  t <- results$rongcheng_wlsmv$fit@test$scaled.shifted
  X <- results$rongcheng_wlsmv$fm[["chisq"]]; df <- results$rongcheng_wlsmv$fm[["df"]]
  a <- sqrt(df / t$trace.UGamma2)
  stopifnot(abs(1 / a - t$scaling.factor) < 1e-10,
            abs(df - a * t$trace.UGamma - t$shift.parameter) < 1e-8,
            abs(X * a + t$shift.parameter - t$stat) < 1e-8)
})

## -------------------------------------------------------- README tables ----

f3 <- function(x) ifelse(is.na(x), "–", formatC(x, format = "f", digits = 3))
tab <- c(paste("| case | N | npar | χ² | df | χ² scaled | scaling | shift | CFI |",
               "CFI robust | TLI robust | RMSEA | RMSEA robust [90% CI] | SRMR |"),
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (r in names(results)) {
  fm <- results[[r]]$fm
  fit <- results[[r]]$fit
  shift <- if (length(fit@test$scaled.shifted$shift.parameter))
    sum(fit@test$scaled.shifted$shift.parameter) else NA
  tab <- c(tab, sprintf("| %s | %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s [%s, %s] | %s |",
    r, lavInspect(fit, "ntotal"), as.integer(fm["npar"]), f3(fm["chisq"]), as.integer(fm["df"]),
    f3(fm["chisq.scaled"]), f3(fm["chisq.scaling.factor"]), f3(shift), f3(fm["cfi"]),
    f3(fm["cfi.robust"]), f3(fm["tli.robust"]), f3(fm["rmsea"]), f3(fm["rmsea.robust"]),
    f3(fm["rmsea.ci.lower.robust"]), f3(fm["rmsea.ci.upper.robust"]), f3(fm["srmr"])))
}
f6 <- function(x) formatC(x, format = "f", digits = 7)
ptab <- c("| pair | empty cells | lavaan | psych | exact | lavaan − exact | psych − exact |",
          "|---|---|---|---|---|---|---|",
          sprintf("| %s | %d | %s | %s | %s | %.1e | %.1e |", psy$pair, psy$zero_cells,
                  f6(psy$lavaan), f6(psy$psych), f6(psy$exact),
                  psy$lavaan - psy$exact, psy$psych - psy$exact),
          "",
          sprintf("Over all 153 pairs, max |psych − lavaan| = %.1e.", psy_maxdiff))
cat(tab, sep = "\n"); cat("\n"); cat(ptab, sep = "\n")
replace_block <- function(lines, tag, block) {
  b <- grep(paste0("<!-- ", tag, ":begin -->"), lines, fixed = TRUE)
  e <- grep(paste0("<!-- ", tag, ":end -->"), lines, fixed = TRUE)
  if (length(b) == 1 && length(e) == 1 && b < e)
    lines <- c(lines[1:b], block, lines[e:length(lines)])
  lines
}
readme <- file.path(ref_dir, "README.md")
if (file.exists(readme)) {
  lines <- readLines(readme)
  lines <- replace_block(lines, "headline", tab)
  lines <- replace_block(lines, "polychoric", ptab)
  writeLines(lines, readme)
}
cat("done\n")
