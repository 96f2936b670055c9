#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regression benchmark: the weighted ordered logit of approval in the
# bundled kostka2019 survey (2,209 respondents; approve ~ age + education +
# income + urban, sampling weights), brisk regress against R's
# survey::svyolr and the unweighted ordinal::clm, whole processes.
#
#   bash tests/bench/regress.sh [RUNS]      (from a build tree; default 10)
#
# Needs Rscript with survey and ordinal for the R side; without them it
# times brisk alone.  BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
runs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
brisk=${BRISK:-tools/brisk}
[ -x "$brisk" ] || { echo "regress.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
survey="$top/surveys/kostka2019/kostka2019.survey"
formula='approve ~ age + education + income + urban'

cat >"$tmp/svyolr.R" <<RCODE
suppressPackageStartupMessages({library(survey); library(ordinal)})
d <- read.csv("$top/surveys/kostka2019/kostka2019.csv")
des <- svydesign(ids = ~1, weights = ~weight, data = d)
print(summary(svyolr(factor(approve) ~ age + education + income + urban, des)))
print(summary(clm(factor(approve, ordered = TRUE) ~ age + education + income + urban, data = d)))
RCODE

# median wall time of RUNS runs of a command, in seconds
median_time() {
    local k=$1
    shift
    for _ in $(seq "$k"); do
        /usr/bin/time -f "%e" -o "$tmp/t" "$@" >/dev/null 2>&1
        cat "$tmp/t"
    done | sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

b=$(median_time "$runs" "$brisk" regress "$survey" --family ordinal --formula "$formula" -q)
u=$(median_time "$runs" "$brisk" regress "$survey" --family ordinal --unweighted --formula "$formula" -q)
echo "brisk regress, weighted (svyolr's SEs): $b s; unweighted (clm's): $u s (medians of $runs)"
if command -v Rscript >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !all(sapply(c("survey", "ordinal"), requireNamespace, quietly = TRUE)))' >/dev/null 2>&1; then
    r=$(median_time 3 Rscript "$tmp/svyolr.R")
    echo "Rscript: read.csv, svyolr and clm with summaries: $r s (median of 3)"
    awk -v r="$r" -v b="$b" -v u="$u" 'BEGIN { printf "R / brisk (both brisk runs together): %.0fx\n", r / (b + u) }'
else
    echo "regress.sh: R with survey and ordinal is not installed: brisk timed alone"
fi
