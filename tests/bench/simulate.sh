#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Simulation and power benchmark: brisk simulate and brisk power against
# lavaan::simulateData and the loop a user writes in R without simsem
# (simulateData, then sem() on each data set), on the same population
# model: trust -> benefit, risk -> acceptance, 12 items.
#
#   bash tests/bench/simulate.sh [N] [REPS]   (from a build tree; default 100000 1000)
#
# N is the size of the one large data set drawn; REPS the replications per
# sample size of the power run (N = 200 and 400).  R runs only 50
# replications (its loop takes about 0.1 s per fit): its time per fit is
# what is compared.  Needs Rscript with lavaan for the R side; without it
# brisk is timed alone.  BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=${1:-100000}
reps=${2:-1000}
rreps=50
brisk=${BRISK:-tools/brisk}
[ -x "$brisk" ] || { echo "simulate.sh: $brisk not found: run from a build tree after make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/pop.lav" <<'EOF'
trust   =~ 0.80*tg1 + 0.75*tg2 + 0.70*tg3
benefit =~ 0.84*pb1 + 0.78*pb2 + 0.72*pb3
risk    =~ 0.80*pr1 + 0.74*pr2 + 0.66*pr3
accept  =~ 0.85*ac1 + 0.80*ac2 + 0.75*ac3
benefit ~ 0.40*trust
risk    ~ -0.30*trust
accept  ~ 0.45*benefit + -0.25*risk + 0.15*trust
EOF

# wall time of a command, in seconds
wall() {
    /usr/bin/time -f "%e" -o "$tmp/t" "$@" >/dev/null 2>&1
    cat "$tmp/t"
}

b1=$(wall "$brisk" simulate --model "$tmp/pop.lav" --n "$n" --seed 1 --digits 4 -o "$tmp/b.csv")
echo "brisk simulate, N = $n, written as CSV: $b1 s"
b2=$(wall "$brisk" power --model "$tmp/pop.lav" --n 200,400 --reps "$reps" --seed 1 -q)
b1t=$(wall "$brisk" power --model "$tmp/pop.lav" --n 200,400 --reps "$reps" --seed 1 -q --threads 1)
echo "brisk power, N = 200 and 400, $reps replications each: $b2 s (all cores), $b1t s (one thread)"
awk -v t="$b1t" -v k="$((2 * reps))" 'BEGIN { printf "brisk: %.2f ms per draw and fit (one thread)\n", 1000 * t / k }'

if command -v Rscript >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !requireNamespace("lavaan", quietly = TRUE))' >/dev/null 2>&1; then
    cat >"$tmp/sim.R" <<EOF
suppressPackageStartupMessages(library(lavaan))
pop <- paste(readLines("$tmp/pop.lav"), collapse = "\n")
d <- simulateData(pop, sample.nobs = $n, seed = 1)
write.csv(round(d, 4), "$tmp/r.csv", row.names = FALSE)
EOF
    cat >"$tmp/power.R" <<EOF
suppressPackageStartupMessages(library(lavaan))
pop <- paste(readLines("$tmp/pop.lav"), collapse = "\n")
set.seed(1)
t0 <- proc.time()[["elapsed"]]
for (nn in c(200, 400)) for (r in seq_len($rreps)) {
  d <- simulateData(pop, sample.nobs = nn)
  f <- sem(pop, data = d, std.lv = TRUE)
  pe <- parameterEstimates(f)
}
cat((proc.time()[["elapsed"]] - t0) / (2 * $rreps), "\n")
EOF
    r1=$(wall Rscript "$tmp/sim.R")
    echo "Rscript: lavaan::simulateData, N = $n, write.csv: $r1 s"
    per=$(Rscript "$tmp/power.R" 2>/dev/null)
    awk -v p="$per" 'BEGIN { printf "R: %.1f ms per simulateData + sem() + parameterEstimates() (in a warm session)\n", 1000 * p }'
    awk -v p="$per" -v t="$b1t" -v k="$((2 * reps))" \
        'BEGIN { printf "R / brisk per replication (one thread): %.0fx\n", p / (t / k) }'
else
    echo "simulate.sh: R with lavaan is not installed: brisk timed alone"
fi
