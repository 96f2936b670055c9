#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# WLSMV benchmark: the 14-item model of fit.sh on N = 2,000 simulated
# respondents, every item cut into five ordered categories, lavaan's
# sem(ordered = TRUE, estimator = "WLSMV") against brisk fit --estimator
# wlsmv on the same file.
#
#   bash tests/bench/wlsmv.sh [N] [RUNS] [REPS]     (from a configured build tree)
#
# lavaan is timed inside a warm R session (median of REPS sem() calls);
# brisk as the whole process (median of RUNS).  The two scaled
# chi-squares must agree to 1e-3.  Needs Rscript with lavaan; without them
# it says so and exits 0.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=${1:-2000}
runs=${2:-20}
reps=${3:-5}
bench=wlsmv.sh
. "$(dirname "$0")/common.sh"

# five categories from the normal answers (cut at -1.5, -0.5, 0.5, 1.5)
Rscript - "$tmp" <<'RCODE' >/dev/null
a <- commandArgs(TRUE)
d <- read.csv(file.path(a[1], "data.csv"))
d[] <- lapply(d, function(x) as.integer(cut(x, c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf))))
write.csv(d, file.path(a[1], "ordered.csv"), row.names = FALSE)
RCODE
echo "data: N = $n, 14 items in 5 ordered categories; model: 4 factors, 5 paths"

Rscript - "$tmp" "$reps" <<'RCODE' >"$tmp/lavaan.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
d <- read.csv(file.path(a[1], "ordered.csv"))
m <- paste(readLines(file.path(a[1], "model.lav")), collapse = "\n")
f <- sem(m, d, ordered = TRUE, estimator = "WLSMV")
t <- replicate(as.integer(a[2]),
               system.time(sem(m, d, ordered = TRUE, estimator = "WLSMV"))[["elapsed"]])
cat(median(t), fitMeasures(f, "chisq.scaled"), "\n")
RCODE
read -r lav_t lav_chisq <"$tmp/lavaan.out"
b=$(median_process "brisk fit --estimator wlsmv" "$runs" "$brisk" fit --data "$tmp/ordered.csv" \
    --model "$tmp/model.lav" --estimator wlsmv -q)
chisq=$("$brisk" fit --data "$tmp/ordered.csv" --model "$tmp/model.lav" --estimator wlsmv \
    --format csv -q | sed -n 's/^Chi-square (scaled),//p')
against_lavaan "scaled chi-square" "$lav_t" "$lav_chisq" "$b" "$chisq" "lavaan sem(ordered = TRUE, estimator = \"WLSMV\")" \
    "brisk fit --estimator wlsmv"
