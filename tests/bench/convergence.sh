#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Convergence on weakly determined data: the differential battery's sweep
# (tests/reference/differential, kind "sweep": 120 two-factor CFAs with
# loadings .25 to .35, factors correlated .90 to .97, 80 to 100
# respondents; 60 fitted by ML, 60 by WLSMV on items cut into 3 to 5
# categories).  Counts the data sets each program solves, and where both
# solve one whether brisk's chi-square is lavaan's (within 1e-3, relative)
# or lower; times both over the whole sweep.
#
#   bash tests/bench/convergence.sh        (from a configured build tree)
#
# lavaan's convergence is read from the battery (cases.csv, written by
# make_battery.R with lavaan 0.6-14); with Rscript and lavaan present the
# sweep is also refitted in one warm R session to time it.  brisk is timed
# as one process per data set, as a user runs it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
brisk=${BRISK:-tools/brisk}
here=$(cd "$(dirname "$0")/../reference/differential" && pwd)
if [ ! -x "$brisk" ]; then
    echo "convergence.sh: $brisk not found: run from a configured build tree after 'make', or set BRISK" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# id, estimator, lavaan converged, lavaan's chi-square (CSV fields quoted
# by R's write.csv)
awk -F, 'NR > 1 && $2 == "\"sweep\"" { gsub(/"/, ""); print $1, $3, $11 }' \
    "$here/cases.csv" >"$tmp/cases"
awk -F, '$2 == "\"chisq\"" { gsub(/"/, ""); print $1, $3 }' "$here/fit.csv" >"$tmp/chisq"

start=$(date +%s.%N)
while read -r id est lavaan; do
    opt=
    [ "$est" = WLSMV ] && opt="--estimator wlsmv"
    if "$brisk" fit --data "$here/data/$id.csv" --model "$here/models/$id.lav" $opt -q \
           -f json -o "$tmp/$id.json" 2>/dev/null; then
        chisq=$(grep -o '"chisq": *[-0-9.e+]*' "$tmp/$id.json" | head -n 1 | sed 's/.*: *//')
        echo "$id $est $lavaan yes $chisq"
    else
        echo "$id $est $lavaan no NA"
    fi
done <"$tmp/cases" >"$tmp/brisk"
end=$(date +%s.%N)

# Every case of the sweep, with lavaan's chi-square where it has one.
awk 'NR == FNR { lavchisq[$1] = $2; next }
     { print $0, ($1 in lavchisq) ? lavchisq[$1] : "NA" }' "$tmp/chisq" "$tmp/brisk" |
awk -v secs="$(echo "$end - $start" | bc)" '
{
    est = $2; n[est]++
    if ($3 == "TRUE") lav[est]++
    if ($4 == "yes") br[est]++
    if ($3 == "TRUE" && $4 == "yes") {
        both[est]++
        d = $5 - $6; tol = 1e-3 * ($6 > 1 ? $6 : 1)
        if (d < -tol) lower[est]++
        else if (d <= tol) same[est]++
        else higher[est]++
    }
    if ($3 != "TRUE" && $4 == "yes") only[est]++
}
END {
    for (e in n)
        printf "%-5s %d data sets: lavaan solved %d, brisk %d; of lavaan'"'"'s %d brisk solved %d: " \
               "chi-square the same %d, lower %d, higher %d; brisk alone %d\n",
               e, n[e], lav[e], br[e], lav[e], both[e], same[e] + 0, lower[e] + 0,
               higher[e] + 0, only[e] + 0
    printf "brisk: %.1f s for the sweep (one process per data set)\n", secs
}'

if command -v Rscript >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !requireNamespace("lavaan", quietly = TRUE))' >/dev/null 2>&1; then
    Rscript - "$here" "$tmp/cases" <<'RCODE'
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
cases <- read.table(a[2], col.names = c("id", "estimator", "converged"),
                    colClasses = "character")
t <- system.time(for (i in seq_len(nrow(cases))) {
    d <- read.csv(file.path(a[1], "data", paste0(cases$id[i], ".csv")))
    m <- paste(readLines(file.path(a[1], "models", paste0(cases$id[i], ".lav"))), collapse = "\n")
    wl <- cases$estimator[i] == "WLSMV"
    try(suppressWarnings(cfa(m, d, estimator = cases$estimator[i],
                             ordered = if (wl) names(d) else NULL)), silent = TRUE)
})[["elapsed"]]
cat(sprintf("lavaan: %.1f s for the sweep (one warm R session)\n", t))
RCODE
else
    echo "lavaan: not timed (Rscript with lavaan is not installed)"
fi
