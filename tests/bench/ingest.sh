#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Ingest benchmark: time and peak memory of `brisk import` on a generated
# CSV of N respondents x K five-point items (default 1,000,000 x 60), and of
# R's read.csv on the same file when Rscript is installed.
#   sh tests/bench/ingest.sh [N] [K]       (from a configured build tree)
set -eu
n=${1:-1000000}
k=${2:-60}
brisk=${BRISK:-tools/brisk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" -v k="$k" 'BEGIN {
    srand(20261121);
    printf "id"; for (j = 1; j <= k; j++) printf ",q%d", j; printf "\n";
    for (i = 1; i <= n; i++) {
        printf "%d", i;
        for (j = 1; j <= k; j++) printf ",%d", 1 + int(rand() * 5);
        printf "\n";
    }
}' >"$tmp/big.csv"
size=$(stat -c %s "$tmp/big.csv")
echo "data: $n rows x $((k + 1)) columns, $((size / 1048576)) MiB"
measure() {  # label command...
    label=$1; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; return 1; }
    read -r secs kib <"$tmp/time"
    echo "$label: ${secs} s, peak $((kib / 1024)) MiB ($(awk -v m="$kib" -v s="$size" 'BEGIN {printf "%.1f", m * 1024 / s}') x the file)"
}
measure "brisk import" "$brisk" import "$tmp/big.csv" --quiet
if command -v Rscript >/dev/null; then
    measure "R read.csv" Rscript -e "d <- read.csv('$tmp/big.csv')"
fi
