#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Building large models: brisk's parameter table (names, rows and equality
# names by hash) against lavaan's lavaanify() on the same syntax.
#
#   bash tests/bench/model_build.sh [K]      (from a build tree; default 1000)
#
# Two models over K observed variables: one factor with K indicators, and
# K/2 regressions y ~ x (K/2 covariates, whose fixed.x variances and
# covariances make K/2 (K/2 + 1) / 2 rows).  brisk is timed as
# `brisk fit`, which reads a CSV of K + 100 rows, builds the table and
# then refuses the fit by its memory bound (exit 2): so its time is an
# upper bound on the building.  R times lavaanify() alone.
# BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
k=${1:-1000}
brisk=${BRISK:-tools/brisk}
[ -x "$brisk" ] || { echo "model_build.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v k="$k" 'BEGIN {
    srand(20261206)
    for (j = 0; j < k; j++) printf "%sv%d", j ? "," : "", j; print ""
    for (i = 0; i < k + 100; i++) {
        for (j = 0; j < k; j++) printf "%s%d", j ? "," : "", 1 + int(5 * rand()); print ""
    }
}' >"$tmp/data.csv"
awk -v k="$k" 'BEGIN { printf "f =~ v0"; for (j = 1; j < k; j++) printf " + v%d", j; print "" }' >"$tmp/factor.lav"
awk -v k="$k" 'BEGIN { for (j = 0; j < k; j += 2) printf "v%d ~ v%d\n", j, j + 1 }' >"$tmp/regressions.lav"

seconds() {  # seconds COMMAND...: wall time of one run
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

echo "K = $k observed variables"
echo "| model | brisk fit (read + build + refuse) | lavaanify() |"
echo "|---|---:|---:|"
for model in factor regressions; do
    b=$(seconds "$brisk" fit --data "$tmp/data.csv" --model "$tmp/$model.lav")
    r=n/a
    if command -v Rscript >/dev/null 2>&1; then
        r=$(Rscript -e "suppressPackageStartupMessages(library(lavaan))
            m <- paste(readLines('$tmp/$model.lav'), collapse = '\n')
            t <- system.time(pt <- lavaanify(m, auto = TRUE, fixed.x = TRUE, meanstructure = FALSE))
            cat(sprintf('%.2f s (%d rows)', t[['elapsed']], nrow(pt)))" 2>/dev/null || echo failed)
    fi
    echo "| $model | $b s | $r |"
done
