#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The C programs of examples/, built by `make check` against libbrisk, run
# and their numbers checked against the references of tests/reference/
# (lavaan's, and R's survey package's).  Prints TAP (run by `make check`
# with top_srcdir and top_builddir set), or by hand:
#
#   top_srcdir=. top_builddir=/tmp/build sh tests/examples.sh

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ex="$top_builddir/examples"
ref="$top_srcdir/tests/reference"

for p in fit_hs describe_survey; do
    if [ ! -x "$ex/$p" ]; then
        echo "Bail out! $ex/$p is not built (make check builds it)"
        exit 1
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/brisk-examples.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

echo "1..5"
t=0
check() {   # check NAME COMMAND...: ok when the command succeeds
    name=$1; shift
    t=$((t + 1))
    if "$@" >"$tmp/why" 2>&1; then
        echo "ok $t - $name"
    else
        echo "not ok $t - $name"
        sed 's/^/#   /' "$tmp/why"
    fi
}

# fit_hs prints "lhs op rhs est se" per parameter (6 decimals): each one
# lavaan's cfa() estimate and standard error (tests/reference/sem).
fit_matches_lavaan() {
    "$ex/fit_hs" "$top_srcdir/tests/data/hs.csv" >"$tmp/fit" || return 1
    awk -F, 'FNR == NR {
                 if (FNR == 1) next
                 gsub(/"/, ""); want[$1 " " $2 " " $3] = $6 " " $7; next
             }
             FNR == 1 { next }
             {
                 key = $1 " " $2 " " $3; seen++
                 if (!(key in want)) { print "not in lavaan: " key; bad++; next }
                 split(want[key], w, " ")
                 if (($4 - w[1])^2 > 1e-10 || ($5 - w[2])^2 > 1e-10) {
                     print key ": " $4 " " $5 ", lavaan " w[1] " " w[2]; bad++
                 }
                 delete want[key]
             }
             END {
                 for (k in want) { print "missing: " k; bad++ }
                 if (seen != 24) { print seen " parameters, not 24"; bad++ }
                 exit bad > 0
             }' "$ref/sem/hs_cfa.params.csv" FS=' ' "$tmp/fit"
}
check "examples/fit_hs: the 24 estimates and SEs of the Holzinger-Swineford CFA are lavaan's (1e-5)" \
    fit_matches_lavaan

# Its first line: the chi-square and fit indices, lavaan's to 3 decimals.
fit_measures() {
    head -n 1 "$tmp/fit" | grep -qxF "ML, N = 301: chi-square 85.306, df 24, CFI 0.931, RMSEA 0.092" ||
        { head -n 1 "$tmp/fit"; return 1; }
}
check "examples/fit_hs: chi-square 85.306 on 24 df, CFI .931, RMSEA .092 (lavaan)" fit_measures

# describe_survey writes brisk describe's tables as CSV: every item's n,
# weighted mean and weighted % agreeing of the bundled Rongcheng survey are
# those of R's survey package (tests/reference/describe.R).
describe_matches_r() {
    "$ex/describe_survey" "$top_srcdir/surveys/rongcheng/rongcheng.survey" >"$tmp/describe" ||
        return 1
    awk -F, 'FNR == NR {
                 if (FNR == 1) { for (i = 1; i <= NF; i++) rc[$i] = i; next }
                 want[$1] = $rc["n"] " " $rc["w_mean"] " " $rc["w_agree_pct"]; next
             }
             /^# / { items = /^# describe[.]items:/; header = 1; next }
             !items || $0 == "" { next }
             header { for (i = 1; i <= NF; i++) c[$i] = i; header = 0; next }
             {
                 item = $c["item"]; seen++
                 if (!(item in want)) { print "not in R: " item; bad++; next }
                 split(want[item], w, " ")
                 if ($c["n"] != w[1] || ($c["mean"] - w[2])^2 > 1e-18 ||
                     ($c["agree_pct"] - w[3])^2 > 1e-18) {
                     print item ": " $c["n"] " " $c["mean"] " " $c["agree_pct"] ", R " want[item]; bad++
                 }
             }
             END {
                 if (seen != 54) { print seen " items, not 54"; bad++ }
                 exit bad > 0
             }' "$ref/describe_rongcheng.csv" "$tmp/describe"
}
check "examples/describe_survey: n, weighted mean and % agreeing of Rongcheng's 54 items are R survey's (1e-9)" \
    describe_matches_r

# Errors: the library's message with its file, a failing status, no output
# and (in a sanitizer build) no sanitizer report: nothing leaks on the way out.
fit_error() {
    ! "$ex/fit_hs" "$tmp/none.csv" >"$tmp/out" 2>"$tmp/err" &&
        grep -qF "fit_hs: $tmp/none.csv: " "$tmp/err" && [ ! -s "$tmp/out" ] &&
        ! grep -q 'Sanitizer\|runtime error:' "$tmp/err" ||
        { cat "$tmp/err"; return 1; }
}
check "examples/fit_hs: a missing data file is an error naming it" fit_error

survey_error() {
    printf '[survey]\ndata = none.csv\ncolour = red\n' >"$tmp/bad.survey"
    ! "$ex/describe_survey" "$tmp/bad.survey" >"$tmp/out" 2>"$tmp/err" &&
        grep -qF "describe_survey: $tmp/bad.survey:3:" "$tmp/err" && [ ! -s "$tmp/out" ] &&
        ! grep -q 'Sanitizer\|runtime error:' "$tmp/err" ||
        { cat "$tmp/err"; return 1; }
}
check "examples/describe_survey: an unknown key is an error naming the survey's line" survey_error
