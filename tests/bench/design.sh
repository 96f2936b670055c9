#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A survey's design: the bundled kostka2019 survey (2,209 respondents; a
# weight raked to three [margins]; 60 cities as clusters) by brisk and by
# R (the survey package and lavaan) on the same file:
#
#   describe  brisk describe (rake, then the item's design-based mean, SE,
#             deff and % agree interval, the demographics) against R's
#             svydesign + rake + svymean(deff) + svyciprop;
#   regress   brisk regress --family ordinal against svyolr on the raked,
#             clustered design;
#   fit       brisk fit (lavaan's sampling.weights with the raked weights
#             and cluster =) against lavaan's sem(cluster =, sampling.weights =).
#
#   bash tests/bench/design.sh [RUNS]     (from a build tree; default 20)
#
# brisk is timed as whole processes (median of RUNS); R inside one session
# after a warm-up (median of RUNS), without R's start-up and package
# loading.  It also checks that the mean's SE and svyolr's age
# coefficient agree to 1e-6.  BRISK=path overrides tools/brisk; without
# Rscript it times brisk only.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
runs=${1:-20}
brisk=${BRISK:-tools/brisk}
top=$(cd "$(dirname "$0")/../.." && pwd)
survey=$top/surveys/kostka2019/kostka2019.survey
[ -x "$brisk" ] || { echo "design.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median_run() {  # median_run COMMAND...: median wall seconds of $runs runs
    local i t0 t1
    : >"$tmp/times"
    for ((i = 0; i < runs; i++)); do
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>&1
        t1=$EPOCHREALTIME
        echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }' >>"$tmp/times"
    done
    sort -n "$tmp/times" | awk '{ t[NR] = $1 }
        END { printf "%.3f", NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

formula='approve ~ age + education + income + urban'
"$brisk" describe "$survey" -q -f csv >"$tmp/d.csv"
b_se=$(awk -F, '$3 == "approve" { print $(NF - 2); exit }' "$tmp/d.csv")
"$brisk" regress "$survey" --family ordinal --formula "$formula" -q -f csv >"$tmp/r.csv"
b_age=$(awk -F, '$1 == "age" { print $2; exit }' "$tmp/r.csv")
b_desc=$(median_run "$brisk" describe "$survey" -q)
b_reg=$(median_run "$brisk" regress "$survey" --family ordinal --formula "$formula" -q)
b_fit=$(median_run "$brisk" fit "$survey" -q)

r_desc=n/a r_reg=n/a r_fit=n/a r_se=n/a r_age=n/a
if command -v Rscript >/dev/null 2>&1 &&
    Rscript -e 'quit(status = !(requireNamespace("survey", quietly = TRUE) &&
                                requireNamespace("lavaan", quietly = TRUE)))' >/dev/null 2>&1; then
    Rscript - "$top" "$runs" <<'EOF' >"$tmp/r.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages({ library(survey); library(lavaan) })
k <- read.csv(file.path(a[1], "surveys/kostka2019/kostka2019.csv"))
runs <- as.integer(a[2])
W <- sum(k$weight)
margins <- list(gender = c(0.51, 0.49), age = c(0.20, 0.25, 0.25, 0.17, 0.13),
                education = c(0.20, 0.30, 0.30, 0.15, 0.05))
pop <- lapply(names(margins), function(v)
  setNames(data.frame(seq_along(margins[[v]]), margins[[v]] * W), c(v, "Freq")))
raked <- function() rake(svydesign(ids = ~city, weights = ~weight, data = k),
                         lapply(names(margins), function(v) as.formula(paste0("~", v))), pop,
                         control = list(maxit = 1000, epsilon = 1e-13))
describe <- function() {
  d <- update(raked(), agree = as.numeric(approve >= 4))
  list(svymean(~approve, d, deff = "replace"), svyciprop(~agree, d, method = "logit"),
       lapply(c("gender", "age", "education", "income", "urban", "region"),
              function(v) svymean(as.formula(paste0("~factor(", v, ")")), d)))
}
regress <- function() {
  d <- update(raked(), approve = factor(approve))
  svyolr(approve ~ age + education + income + urban, d)
}
model <- "approve ~ age + education + income + urban"
fit <- function() {
  k$raked <- weights(raked())
  f <- sem(model, data = k, cluster = "city", sampling.weights = "raked")
  list(fitMeasures(f), parameterEstimates(f))
}
time <- function(f) {
  f()
  t <- replicate(runs, system.time(f())[["elapsed"]])
  median(t)
}
m <- describe()[[1]]
o <- regress()
cat(sprintf("%.3f %.3f %.3f %.10g %.10g\n", time(describe), time(regress), time(fit),
            SE(m)[[1]], coef(o)[["age"]]))
EOF
    read -r r_desc r_reg r_fit r_se r_age <"$tmp/r.out"
    awk -v a="$b_se" -v b="$r_se" 'BEGIN { d = a - b; if (d < 0) d = -d
        if (d > 1e-6) { print "design.sh: the SE of the mean differs: brisk " a ", R " b > "/dev/stderr"; exit 1 } }'
    awk -v a="$b_age" -v b="$r_age" 'BEGIN { d = a - b; if (d < 0) d = -d
        if (d > 1e-4) { print "design.sh: svyolr age differs: brisk " a ", R " b > "/dev/stderr"; exit 1 } }'
fi

printf '%-58s %8s %8s\n' "kostka2019 (2,209 rows, raked, 60 clusters), seconds" brisk R
printf '%-58s %8s %8s\n' "describe (rake + svymean/svyciprop + demographics)" "$b_desc" "$r_desc"
printf '%-58s %8s %8s\n' "regress --family ordinal (svyolr)" "$b_reg" "$r_reg"
printf '%-58s %8s %8s\n' "fit (lavaan cluster= + sampling.weights)" "$b_fit" "$r_fit"
printf 'SE of the mean: brisk %s, R %s; svyolr age: brisk %s, R %s\n' "$b_se" "$r_se" \
    "$b_age" "$r_age"
