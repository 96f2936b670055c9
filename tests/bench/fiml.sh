#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Full-information ML benchmark: the 14-item trust/benefit/risk/acceptance
# model of fit.sh on N = 2,000 simulated respondents with 10% of the
# answers deleted at random, lavaan's sem(missing = "ml") against
# brisk fit --missing fiml on the same file.
#
#   bash tests/bench/fiml.sh [N] [RUNS] [REPS]     (from a configured build tree)
#
# lavaan is timed inside a warm R session (median of REPS sem() calls, the
# fit with its standard errors and test); brisk as the whole process
# (median of RUNS).  The two chi-squares must agree to 1e-3.  Needs
# Rscript with lavaan; without them it says so and exits 0.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=${1:-2000}
runs=${2:-20}
reps=${3:-5}
bench=fiml.sh
. "$(dirname "$0")/common.sh"

# 10% of the cells missing completely at random (seed fixed)
Rscript - "$tmp" <<'RCODE' >/dev/null
a <- commandArgs(TRUE)
d <- read.csv(file.path(a[1], "data.csv"))
set.seed(20261121)
d[matrix(runif(nrow(d) * ncol(d)) < 0.10, nrow(d))] <- NA
write.csv(d, file.path(a[1], "missing.csv"), row.names = FALSE, na = "")
RCODE
echo "data: N = $n, 14 items, 10% of the answers missing at random; model: df = 72"

Rscript - "$tmp" "$reps" <<'RCODE' >"$tmp/lavaan.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(file.path(a[1], "missing.csv"))
m <- paste(readLines(file.path(a[1], "model.lav")), collapse = "\n")
f <- sem(m, d, missing = "ml")
t <- replicate(as.integer(a[2]), system.time(sem(m, d, missing = "ml"))[["elapsed"]])
cat(median(t), fitMeasures(f, "chisq"), "\n")
RCODE
read -r lav_t lav_chisq <"$tmp/lavaan.out"
b=$(median_process "brisk fit --missing fiml" "$runs" "$brisk" fit --data "$tmp/missing.csv" \
    --model "$tmp/model.lav" --missing fiml -q)
chisq=$("$brisk" fit --data "$tmp/missing.csv" --model "$tmp/model.lav" --missing fiml \
    --format csv -q | sed -n 's/^Chi-square,//p')
against_lavaan "chi-square" "$lav_t" "$lav_chisq" "$b" "$chisq" "lavaan sem(missing = \"ml\")" \
    "brisk fit --missing fiml"
