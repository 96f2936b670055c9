#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Model-fitting benchmark: one ML fit of a 14-item, 4-construct
# trust/benefit/risk/acceptance model on N = 2,000 simulated respondents,
# lavaan 0.6 against brisk on the same data and machine.
#
#   bash tests/bench/fit.sh [N] [RUNS] [REPS]     (from a configured build tree)
#
#   N     respondents drawn (default 2000)
#   RUNS  runs of each brisk process, and of the R process / 4 (default 20)
#   REPS  sem() calls timed inside one R session (default 10)
#
# It measures
#   (a) lavaan inside R (median of REPS, after one warm-up call): the sem()
#       call alone, and sem() with fitMeasures() and parameterEstimates(
#       standardized, rsquare), the numbers brisk reports; and the whole
#       `Rscript` process that reads the CSV, fits and prints
#       summary(fit, fit.measures, standardized, rsquare);
#   (b) the whole `brisk fit --data CSV --model LAV` process (text tables
#       on standard output, sent to /dev/null);
#   (c) the same with --format json;
#   (d) for scale: `brisk import CSV` (reading the file alone) and
#       `brisk --version` (starting the program).
# Process times are medians of RUNS: hyperfine's when it is installed,
# else bash's $EPOCHREALTIME around each run (no timer process of its own).
# It also checks that the two chi-squares agree to 1e-3.
# Needs Rscript with lavaan (the data are drawn by lavaan::simulateData);
# without them it says so and exits 0.  BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
n=${1:-2000}
runs=${2:-20}
reps=${3:-10}
bench=fit.sh
. "$(dirname "$0")/common.sh"
echo "data: N = $n, 14 items (lavaan::simulateData, seed $seed); model: 4 factors, 5 paths, df = 72"

# (a) lavaan inside R: sem() alone, then with the numbers brisk reports
Rscript - "$tmp" "$reps" <<'EOF' >"$tmp/lavaan.out"
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines(file.path(a[1], "model.lav")), collapse = "\n")
d <- read.csv(file.path(a[1], "data.csv"))
fit <- sem(model, data = d)                      # warm-up: loads lavaan's code
fm <- fitMeasures(fit)
pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
times <- all <- numeric(as.integer(a[2]))
for (i in seq_along(times)) {
    t0 <- Sys.time()
    fit <- sem(model, data = d)
    times[i] <- as.numeric(Sys.time() - t0, units = "secs")
}
for (i in seq_along(all)) {
    t0 <- Sys.time()
    fit <- sem(model, data = d)
    fm <- fitMeasures(fit)
    pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
    all[i] <- as.numeric(Sys.time() - t0, units = "secs")
}
cat(sprintf("%.9f", median(times)), sprintf("%.9f", min(times)), sprintf("%.9f", median(all)),
    sprintf("%.10f", fitMeasures(fit, "chisq")), lavInspect(fit, "iterations"),
    as.character(packageVersion("lavaan")), "\n")
EOF
read -r lav_fit lav_fit_min lav_all lav_chisq lav_iter lav_version <"$tmp/lavaan.out"

cat >"$tmp/whole.R" <<EOF
suppressPackageStartupMessages(library(lavaan))
model <- paste(readLines("$tmp/model.lav"), collapse = "\n")
fit <- sem(model, data = read.csv("$tmp/data.csv"))
summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)
EOF

r_runs=$(( (runs + 3) / 4 ))
lav_whole=$(median_process "Rscript" "$r_runs" Rscript "$tmp/whole.R")
brisk_text=$(median_process "brisk fit" "$runs" "$brisk" fit --data "$tmp/data.csv" --model "$tmp/model.lav")
brisk_json=$(median_process "brisk fit --format json" "$runs" "$brisk" fit --data "$tmp/data.csv" \
    --model "$tmp/model.lav" --format json)
brisk_read=$(median_process "brisk import" "$runs" "$brisk" import "$tmp/data.csv" --quiet)
brisk_start=$(median_process "brisk --version" "$runs" "$brisk" --version)

"$brisk" fit --data "$tmp/data.csv" --model "$tmp/model.lav" --format json >"$tmp/fit.json"
brisk_chisq=$(sed -n 's/.*"chisq": *\([0-9.eE+-]*\).*/\1/p' "$tmp/fit.json" | head -n 1)
brisk_iter=$(sed -n 's/.*"iterations": *\([0-9]*\).*/\1/p' "$tmp/fit.json" | head -n 1)

echo "brisk: $brisk; timer: $timer"
awk -v lf="$lav_fit" -v lfm="$lav_fit_min" -v la="$lav_all" -v lw="$lav_whole" -v bt="$brisk_text" -v bj="$brisk_json" \
    -v br="$brisk_read" -v bs="$brisk_start" \
    -v reps="$reps" -v rr="$r_runs" -v runs="$runs" -v lv="$lav_version" 'BEGIN {
    printf "\n%-44s %12s %10s\n", "what is timed", "median", "vs brisk"
    printf "%-44s %12s %10s\n", "--------------------------------------------", "------------", "--------"
    printf "%-44s %9.1f ms %9.0fx\n", "lavaan " lv " sem() call in R (" reps " calls)", lf * 1000, lf / bt
    printf "%-44s %9.1f ms\n", "  (fastest of the " reps " calls)", lfm * 1000
    printf "%-44s %9.1f ms %9.0fx\n", "  + fitMeasures(), parameterEstimates(std)", la * 1000, la / bt
    printf "%-44s %9.1f ms %9.0fx\n", "Rscript process: read, sem(), summary() (" rr ")", lw * 1000, lw / bt
    printf "%-44s %9.1f ms %9s\n", "brisk fit process, text (" runs ")", bt * 1000, "1x"
    printf "%-44s %9.1f ms %9.1fx\n", "brisk fit process, --format json (" runs ")", bj * 1000, bj / bt
    printf "%-44s %9.1f ms %8.0f%%\n", "brisk import process: reading the CSV (" runs ")", br * 1000, 100 * br / bt
    printf "%-44s %9.1f ms %8.0f%%\n", "brisk --version process: starting (" runs ")", bs * 1000, 100 * bs / bt
}'

echo
echo "chi-square: lavaan $lav_chisq ($lav_iter iterations), brisk $brisk_chisq ($brisk_iter iterations)"
if awk -v a="$lav_chisq" -v b="$brisk_chisq" 'BEGIN { d = a - b; exit !(d < 1e-3 && d > -1e-3) }'; then
    echo "chi-square agrees to 1e-3"
else
    echo "fit.sh: chi-square differs by more than 1e-3" >&2
    exit 1
fi
