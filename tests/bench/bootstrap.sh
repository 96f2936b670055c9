#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Bootstrap benchmark: 1,000 bootstrap draws of the 14-item trust/benefit/
# risk/acceptance model of fit.sh on N = 2,000 simulated respondents, with
# an indirect effect, lavaan 0.6 against brisk on the same data and machine.
#
#   bash tests/bench/bootstrap.sh [N] [DRAWS] [RUNS]   (from a build tree)
#
#   N      respondents drawn (default 2000)
#   DRAWS  bootstrap draws (default 1000)
#   RUNS   runs of each brisk process (default 5); lavaan runs once each
#
# It measures the whole process, reading the CSV to printing the intervals:
#   (a) Rscript: sem(se = "bootstrap", bootstrap = DRAWS), then
#       parameterEstimates(boot.ci.type = "perc", standardized = TRUE);
#   (b) the same with parallel = "multicore", ncpus = 2 (lavaan's own
#       parallel bootstrap, forked R processes);
#   (c) brisk fit --bootstrap DRAWS --threads 1 and --threads 2 (percentile
#       intervals of every parameter, std.all and :=).
# Then it checks that the two programs' bootstrap SEs of the indirect
# effect agree within Monte Carlo error (10%: their resamples differ).
# Needs Rscript with lavaan; without them it says so and exits 0.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=${1:-2000}
draws=${2:-1000}
runs=${3:-5}
bench=bootstrap.sh
. "$(dirname "$0")/common.sh"

# fit.sh's model with the paths labelled and the indirect effect of trust
# on acceptance through benefit defined
cat >"$tmp/boot.lav" <<'EOF'
trust   =~ t1 + t2 + t3
benefit =~ b1 + b2 + b3 + b4
risk    =~ r1 + r2 + r3
accept  =~ a1 + a2 + a3 + a4
benefit ~ a*trust
risk    ~ trust
accept  ~ b*benefit + risk + trust
ind := a*b
EOF
echo "data: N = $n, 14 items (lavaan::simulateData, seed $seed); model: 4 factors, 5 paths, 1 :=; $draws draws"

lavaan_run() {  # NCPUS: prints seconds, then the bootstrap SE of ind
    Rscript - "$tmp" "$draws" "$1" <<'EOF'
a <- commandArgs(TRUE)
t0 <- Sys.time()
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines(file.path(a[1], "boot.lav")), collapse = "\n")
d <- read.csv(file.path(a[1], "data.csv"))
ncpus <- as.integer(a[3])
set.seed(1)
fit <- sem(model, data = d, se = "bootstrap", bootstrap = as.integer(a[2]),
           parallel = if (ncpus > 1) "multicore" else "no", ncpus = ncpus)
pe <- parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
invisible(capture.output(print(pe)))
cat(sprintf("%.3f", as.numeric(Sys.time() - t0, units = "secs")),
    sprintf("%.6f", pe$se[pe$label == "ind" & pe$op == ":="]),
    as.character(packageVersion("lavaan")), "\n")
EOF
}
# The R process is timed from its own start; R's startup (about 0.2 s) is
# added by timing the whole Rscript command from outside.
lavaan_whole() {  # NCPUS
    stamp; t0=$us
    lavaan_run "$1" >"$tmp/lav.out"
    stamp
    read -r _ se version <"$tmp/lav.out"
    echo "$(awk -v d=$((us - t0)) 'BEGIN { printf "%.3f", d / 1e6 }') $se $version"
}
read -r lav1 lav_se lav_version < <(lavaan_whole 1)
read -r lav2 _ _ < <(lavaan_whole 2)

b1=$(median_process "brisk fit --bootstrap --threads 1" "$runs" "$brisk" fit --data "$tmp/data.csv" \
    --model "$tmp/boot.lav" --bootstrap "$draws" --seed 1 --threads 1 --quiet)
b2=$(median_process "brisk fit --bootstrap --threads 2" "$runs" "$brisk" fit --data "$tmp/data.csv" \
    --model "$tmp/boot.lav" --bootstrap "$draws" --seed 1 --threads 2 --quiet)
plain=$(median_process "brisk fit" "$runs" "$brisk" fit --data "$tmp/data.csv" --model "$tmp/boot.lav")

"$brisk" fit --data "$tmp/data.csv" --model "$tmp/boot.lav" --bootstrap "$draws" --seed 1 \
    --format csv --quiet >"$tmp/boot.csv"
brisk_se=$(awk -F, '/^lhs,op,/ { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["lhs"] == "ind" && $c["op"] == ":=" { print $c["se"] }' "$tmp/boot.csv")
failed=$("$brisk" fit --data "$tmp/data.csv" --model "$tmp/boot.lav" --bootstrap "$draws" --seed 1 \
    --format json --quiet | sed -n 's/.*"failed": *\([0-9]*\).*/\1/p' | head -n 1)

echo "brisk: $brisk; timer: $timer; $(nproc) processors"
awk -v l1="$lav1" -v l2="$lav2" -v b1="$b1" -v b2="$b2" -v p="$plain" -v runs="$runs" \
    -v lv="$lav_version" -v k="$draws" 'BEGIN {
    printf "\n%-60s %10s %10s\n", "whole process, " k " bootstrap draws", "time", "vs brisk -T2"
    printf "%-60s %10s %10s\n", "------------------------------------------------------------", "----------", "----------"
    printf "%-60s %8.2f s %9.0fx\n", "lavaan " lv ", Rscript, serial (1 run)", l1, l1 / b2
    printf "%-60s %8.2f s %9.0fx\n", "lavaan " lv ", Rscript, parallel multicore, 2 cpus (1 run)", l2, l2 / b2
    printf "%-60s %8.2f s %9.1fx\n", "brisk fit --bootstrap --threads 1 (median of " runs ")", b1, b1 / b2
    printf "%-60s %8.2f s %9s\n", "brisk fit --bootstrap --threads 2 (median of " runs ")", b2, "1x"
    printf "%-60s %8.3f s\n", "brisk fit without bootstrap, for scale", p
    printf "\nlavaan serial / brisk 1 thread: %.0fx; lavaan serial / brisk 2 threads: %.0fx\n", l1 / b1, l1 / b2
}'

echo "bootstrap SE of ind: lavaan $lav_se, brisk $brisk_se; brisk's failed draws: $failed"
if awk -v a="$lav_se" -v b="$brisk_se" 'BEGIN { r = a / b; exit !(r > 0.9 && r < 1.1) }'; then
    echo "the two bootstrap SEs agree within 10% (Monte Carlo error)"
else
    echo "$bench: the bootstrap SEs differ by more than 10%" >&2
    exit 1
fi
