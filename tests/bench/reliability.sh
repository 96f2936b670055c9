#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Reliability benchmark: alpha, omega, CR, AVE, HTMT and the latent
# correlations of psych's bfi data (2,800 respondents, 25 items, five
# constructs; tests/data/bfi.survey), brisk against R doing the same with
# psych and semTools, whole processes.
#
#   bash tests/bench/reliability.sh [RUNS]      (from a build tree; default 10)
#
# Needs Rscript with psych, semTools and lavaan for the R side; without them
# it times brisk alone.  BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
runs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
brisk=${BRISK:-tools/brisk}
[ -x "$brisk" ] || { echo "reliability.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/bfi.R" <<EOF
suppressPackageStartupMessages({library(lavaan); library(semTools); library(psych)})
d <- read.csv("$top/tests/data/bfi.csv")
for (v in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) d[[v]] <- 7 - d[[v]]
keys <- lapply(c("A", "C", "E", "N", "O"), function(l) paste0(l, 1:5))
m <- paste(sprintf("%s =~ %s", c("agree", "conscientious", "extraversion", "neuroticism",
                                  "openness"), sapply(keys, paste, collapse = " + ")),
           collapse = "\n")
for (k in keys) print(psych::alpha(d[complete.cases(d[, k]), k], warnings = FALSE))
f <- cfa(m, data = d)
print(compRelSEM(f)); print(compRelSEM(f, obs.var = FALSE)); print(AVE(f))
print(htmt(m, data = d)); print(lavInspect(f, "cor.lv"))
EOF

# median wall time of RUNS runs of a command, in seconds
median_time() {
    local k=$1
    shift
    for _ in $(seq "$k"); do
        /usr/bin/time -f "%e" -o "$tmp/t" "$@" >/dev/null 2>&1
        cat "$tmp/t"
    done | sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

b=$(median_time "$runs" "$brisk" reliability "$top/tests/data/bfi.survey" -q)
echo "brisk reliability tests/data/bfi.survey: $b s (median of $runs)"
if command -v Rscript >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !all(sapply(c("psych", "semTools", "lavaan"), requireNamespace, quietly = TRUE)))' >/dev/null 2>&1; then
    r=$(median_time 3 Rscript "$tmp/bfi.R")
    echo "Rscript with psych::alpha, lavaan::cfa, semTools compRelSEM, AVE, htmt: $r s (median of 3)"
    awk -v r="$r" -v b="$b" 'BEGIN { printf "R / brisk: %.0fx\n", r / b }'
else
    echo "reliability.sh: R with psych, semTools and lavaan is not installed: brisk timed alone"
fi
