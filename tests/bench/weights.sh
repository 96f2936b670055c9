#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sampling weights in the structural equation models: the bundled
# Rongcheng survey's model (46 parameters, four behaviours, 332 to 374
# respondents each) fitted with and without its weight, by brisk and by
# lavaan (sem(sampling.weights = "weight"), which is robust ML as brisk's
# weighted fit is).
#
#   bash tests/bench/weights.sh [RUNS]     (from a build tree; default 20)
#
# brisk is timed as whole processes (`brisk fit SURVEY`, the four
# behaviours, tables to /dev/null), median of RUNS; lavaan inside one R
# session, the four sem() calls with fitMeasures() and
# parameterEstimates(), median of RUNS / 4 after a warm-up.  It also
# checks that the weighted chi-squares agree to 1e-3.
# BRISK=path overrides tools/brisk; without Rscript and lavaan it times
# brisk only.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
runs=${1:-20}
brisk=${BRISK:-tools/brisk}
top=$(cd "$(dirname "$0")/../.." && pwd)
survey=$top/surveys/rongcheng/rongcheng.survey
[ -x "$brisk" ] || { echo "weights.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
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

"$brisk" fit "$survey" -q -f csv >"$tmp/brisk.csv"
b_chisq=$(awk -F, '$1 == "Chi-square" { print $2; exit }' "$tmp/brisk.csv")
b_unw=$(median_run "$brisk" fit "$survey" --unweighted -q)
b_mlr=$(median_run "$brisk" fit "$survey" --unweighted --estimator mlr -q)
b_w=$(median_run "$brisk" fit "$survey" -q)

r_unw=n/a r_w=n/a r_chisq=n/a
if command -v Rscript >/dev/null 2>&1 &&
    Rscript -e 'quit(status = !requireNamespace("lavaan", quietly = TRUE))' >/dev/null 2>&1; then
    Rscript - "$top" "$(( (runs + 3) / 4 ))" <<'EOF' >"$tmp/r.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
rc <- read.csv(file.path(a[1], "surveys/rongcheng/rongcheng.csv"))
for (v in names(rc)) rc[[v]][!is.na(rc[[v]]) & rc[[v]] == -99] <- NA
for (v in grep("^pr3_", names(rc), value = TRUE)) rc[[v]] <- 6 - rc[[v]]
lines <- readLines(file.path(a[1], "surveys/rongcheng/rongcheng.survey"))
start <- which(trimws(lines) == "[model]")
rest <- lines[(start + 1):length(lines)]
rest <- rest[seq_len(which(grepl("^\\s*\\[", rest))[1] - 1)]
rest <- rest[!grepl("^\\s*#", rest) & nzchar(trimws(rest))]
models <- lapply(c("crime", "fees", "internet", "litter"),
                 function(b) paste(gsub("{b}", b, rest, fixed = TRUE), collapse = "\n"))
all4 <- function(...) lapply(models, function(m) {
    f <- sem(m, data = rc, ...)
    list(fitMeasures(f), parameterEstimates(f, standardized = TRUE, rsquare = TRUE))
})
timed <- function(...) {
    all4(...)   # warm-up
    t <- numeric(as.integer(a[2]))
    for (i in seq_along(t)) t[i] <- system.time(all4(...))[["elapsed"]]
    median(t)
}
chisq <- fitMeasures(sem(models[[1]], data = rc, sampling.weights = "weight"), "chisq")
cat(sprintf("%.3f %.3f %.6f\n", timed(), timed(sampling.weights = "weight"), chisq))
EOF
    read -r r_unw r_w r_chisq <"$tmp/r.out"
    awk -v a="$b_chisq" -v b="$r_chisq" 'BEGIN { d = a - b; if (d < 0) d = -d;
        if (d > 1e-3) { print "weights.sh: chi-squares differ: brisk " a ", lavaan " b; exit 1 } }'
fi

echo "Rongcheng survey, four behaviours; crime's weighted chi-square: brisk $b_chisq, lavaan $r_chisq"
echo "| fit | brisk (whole process, median of $runs) | lavaan (4 sem() + fitMeasures + parameterEstimates) |"
echo "|---|---:|---:|"
echo "| unweighted ML | $b_unw s | $r_unw s |"
echo "| unweighted MLR | $b_mlr s | |"
echo "| weighted (robust ML) | $b_w s | $r_w s |"
awk -v w="$b_w" -v u="$b_unw" 'BEGIN { printf "brisk weighted / unweighted: %.2f\n", w / u }'
