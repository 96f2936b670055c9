#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# WLSMV with covariates (lavaan's conditional.x) on real data: psych's bfi
# (tests/data/bfi.csv), the two factors of tests/reference/robust/
# bfi_wlsmv_x.lav on ten six-point items regressed on age, gender and
# education (2,418 complete rows); lavaan's sem(ordered = items,
# estimator = "WLSMV") against brisk fit --estimator wlsmv on the same
# file.
#
#   bash tests/bench/wlsmv_covariates.sh [RUNS] [REPS]   (from a configured build tree)
#
# lavaan is timed inside a warm R session (median of REPS sem() calls);
# brisk as the whole process (median of RUNS).  The two scaled
# chi-squares must agree to 1e-3.  Needs Rscript with lavaan; without them
# it says so and exits 0.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=200            # common.sh draws its own data set too; not used here
runs=${1:-10}
reps=${2:-3}
bench=wlsmv_covariates.sh
. "$(dirname "$0")/common.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
data=$src/tests/data/bfi.csv
grep -v '^#' "$src/tests/reference/robust/bfi_wlsmv_x.lav" >"$tmp/x.lav"
echo "data: bfi, 10 items in 6 ordered categories, covariates age, gender, education"

Rscript - "$data" "$tmp/x.lav" "$reps" <<'RCODE' >"$tmp/lavaan.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(a[1])
m <- paste(readLines(a[2]), collapse = "\n")
items <- c(paste0("A", 1:5), paste0("C", 1:5))
f <- sem(m, d, ordered = items, estimator = "WLSMV")
stopifnot(lavInspect(f, "options")$conditional.x)
t <- replicate(as.integer(a[3]),
               system.time(sem(m, d, ordered = items, estimator = "WLSMV"))[["elapsed"]])
cat(median(t), fitMeasures(f, "chisq.scaled"), "\n")
RCODE
read -r lav_t lav_chisq <"$tmp/lavaan.out"
b=$(median_process "brisk fit --estimator wlsmv" "$runs" "$brisk" fit --data "$data" \
    --model "$tmp/x.lav" --estimator wlsmv -q)
chisq=$("$brisk" fit --data "$data" --model "$tmp/x.lav" --estimator wlsmv \
    --format csv -q | sed -n 's/^Chi-square (scaled),//p')
against_lavaan "scaled chi-square" "$lav_t" "$lav_chisq" "$b" "$chisq" \
    "lavaan sem(ordered = items, estimator = \"WLSMV\"), conditional.x" \
    "brisk fit --estimator wlsmv (covariates)"
