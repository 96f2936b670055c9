#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Bootstrap of full-information ML and WLSMV fits: the two-factor bfi
# model of tests/reference/bootstrap/make_robust.R, on its first 500 rows
# with their missing answers (FIML) and on its first 800 rows as ordered
# items (WLSMV; lavaan: estimator = "DWLS", which has WLSMV's estimates and
# is the one lavaan bootstraps), lavaan's se = "bootstrap" against brisk
# fit --bootstrap, every draw refitted by the same estimator.
#
#   bash tests/bench/robust_bootstrap.sh [DRAWS] [LAVAAN_DRAWS]   (from a configured build tree)
#
# brisk runs DRAWS draws (default 1000) on one and on two threads; lavaan
# LAVAAN_DRAWS (default 200: its FIML bootstrap takes about a minute per
# 1,000), in one R process; the comparison is per draw.  Needs Rscript
# with lavaan; without them it says so and exits 0.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
draws=${1:-1000}
lav_draws=${2:-200}
n=100   # common.sh draws a data set it needs for nothing here: keep it small
runs=1
bench=robust_bootstrap.sh
. "$(dirname "$0")/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

printf 'agree =~ A1 + A2 + A3 + A4 + A5\nconscientious =~ C1 + C2 + C3 + C4 + C5\n' >"$tmp/bfi.lav"
head -n 501 "$top/tests/data/bfi.csv" >"$tmp/bfi500.csv"
head -n 801 "$top/tests/data/bfi.csv" >"$tmp/bfi800.csv"

Rscript - "$tmp" "$lav_draws" <<'RCODE' >"$tmp/lavaan.out" 2>/dev/null
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
m <- paste(readLines(file.path(a[1], "bfi.lav")), collapse = "\n")
B <- as.integer(a[2])
d5 <- read.csv(file.path(a[1], "bfi500.csv"))
d8 <- read.csv(file.path(a[1], "bfi800.csv"))
set.seed(1)
t1 <- system.time(cfa(m, d5, missing = "ml", se = "bootstrap", bootstrap = B))[["elapsed"]]
t2 <- system.time(cfa(m, d8, ordered = TRUE, estimator = "DWLS", se = "bootstrap",
                      bootstrap = B))[["elapsed"]]
cat(t1 / B, t2 / B, "\n")
RCODE
read -r lav_fiml lav_dwls <"$tmp/lavaan.out"

time_brisk() {   # time_brisk THREADS ARGS...: seconds per draw
    local threads=$1
    shift
    local s
    s=$(median_process "brisk fit --bootstrap" 1 "$brisk" fit --model "$tmp/bfi.lav" "$@" \
        --bootstrap "$draws" --threads "$threads" -q)
    awk -v s="$s" -v d="$draws" 'BEGIN { printf "%.6f", s / d }'
}
f1=$(time_brisk 1 --data "$tmp/bfi500.csv" --missing fiml)
f2=$(time_brisk 2 --data "$tmp/bfi500.csv" --missing fiml)
w1=$(time_brisk 1 --data "$tmp/bfi800.csv" --estimator wlsmv)
w2=$(time_brisk 2 --data "$tmp/bfi800.csv" --estimator wlsmv)
echo "bootstrap, seconds per draw (brisk: $draws draws; lavaan: $lav_draws draws, one process)"
printf '%-28s %10s %10s %10s %8s\n' "" lavaan "brisk x1" "brisk x2" "ratio"
awk -v l="$lav_fiml" -v a="$f1" -v b="$f2" \
    'BEGIN { printf "%-28s %10.5f %10.5f %10.5f %7.0fx\n", "FIML, N = 500", l, a, b, l / b }'
awk -v l="$lav_dwls" -v a="$w1" -v b="$w2" \
    'BEGIN { printf "%-28s %10.5f %10.5f %10.5f %7.0fx\n", "WLSMV (DWLS), N = 800", l, a, b, l / b }'
