#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --estimator gls, uls, wls, dwls from the command line: the fit measures
# as lavaan 0.6-14 reports them (tests/reference/least_squares/, made by
# make_reference.R; every estimate and SE is compared to 1e-4 by
# tests/unit/test_least_squares), no likelihood rows, the JSON's
# estimator; and what they refuse (exit 1, the message, nothing written).
# TAP.  Run by `make check`; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/least_squares.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/least_squares"

# The measures of brisk's csv output against lavaan's NAME.fit.csv (the
# csv keeps every digit).
measures() {   # measures NAME ESTIMATOR [OPTIONS...]
    case_=$1 est=$2
    shift 2
    "$brisk" fit --data "$data/hs.csv" --model "$ref/hs.lav" --estimator "$est" -f csv "$@" \
        >"$tmp/$case_.csv" 2>"$tmp/$case_.err" || { cat "$tmp/$case_.err" >&2; return 1; }
    awk -F, '
        function unq(s) { gsub(/"/, "", s); return s }
        FILENAME ~ /fit.csv$/ { if (FNR > 1) fm[unq($1)] = $2; next }
        /^# / { section = $0; next }
        section ~ /fit.measures/ {
            key = $1 == "Chi-square" ? "chisq" : $1 == "Degrees of freedom" ? "df" : \
                  $1 == "Baseline chi-square" ? "baseline_chisq" : $1 == "CFI" ? "cfi" : \
                  $1 == "TLI" ? "tli" : $1 == "RMSEA" ? "rmsea" : $1 == "SRMR" ? "srmr" : ""
            if ($1 ~ /Log-likelihood|AIC|BIC/) { printf "%s shown\n", $1; bad = 1 }
            if (key == "") next
            seen++
            d = $2 - fm[key]
            if (d > 1e-4 || d < -1e-4) { printf "%s: brisk %s, lavaan %s\n", key, $2, fm[key]; bad = 1 }
        }
        END { if (seen != 7) { printf "%d measures\n", seen; bad = 1 } exit bad }' \
        "$ref/$case_.fit.csv" "$tmp/$case_.csv"
}

for e in gls uls wls dwls; do
    ok "hs by $e: the fit measures as lavaan's, no likelihood" measures "hs_$e" "$e"
done
ok "hs by school, gls: the fit measures as lavaan's" measures hs_school_gls gls --group school

# Factor scores of a DWLS fit as lavPredict's (regression and Bartlett).
scores() {   # scores METHOD
    "$brisk" fit --data "$data/hs.csv" --model "$ref/hs.lav" --estimator dwls \
        --scores "$tmp/s_$1.csv" --score-method "$1" >/dev/null || return 1
    awk -F, -v method="$1" '
        FILENAME ~ /scores.csv$/ { if (FNR > 1 && $2 == "\"" method "\"") for (k = 3; k <= 5; k++) want[$1, k] = $k; next }
        FNR > 1 { n++; for (k = 2; k <= 4; k++) { d = $k - want[$1, k + 1]; if (d > 1e-4 || d < -1e-4) { printf "row %s: brisk %s, lavaan %s\n", $1, $k, want[$1, k + 1]; bad = 1 } } }
        END { if (n != 301) { printf "%d rows\n", n; bad = 1 } exit bad }' \
        "$ref/hs_dwls.scores.csv" "$tmp/s_$1.csv"
}
ok "DWLS factor scores (regression) as lavPredict's" scores regression
ok "DWLS factor scores (Bartlett) as lavPredict's" scores bartlett

uls_json() {
    run 0 fit --data "$data/hs.csv" --model "$ref/hs.lav" --estimator uls -f json &&
        has '"estimator": "ULS"' "$tmp/out"
}
ok "the JSON names the estimator" uls_json

# A refusal: exit 1, the message, nothing on standard output.
refused() {   # refused MESSAGE OPTIONS...
    msg=$1
    shift
    run 1 fit "$@" && has "$msg" "$tmp/err" && [ ! -s "$tmp/out" ]
}
hs="--data $data/hs.csv --model $ref/hs.lav"
# shellcheck disable=SC2086
{
ok "with --missing fiml: refused" refused "does not go with full-information ML" $hs --estimator gls --missing fiml
ok "with a weight: refused" refused "does not go with sampling weights" $hs --estimator uls --weight x1
ok "with --bootstrap: refused" refused "--bootstrap (its draws are refitted by ML) is not available" $hs --estimator wls --bootstrap 10
ok "with --modindices: refused" refused "--modindices (ML's score tests) is not available" $hs --estimator dwls --modindices
ok "with --score-tests: refused" refused "--score-tests (ML's score tests) is not available" $hs --estimator uls --group school --group-equal loadings --score-tests
ok "--se robust.sem: refused" refused "se = \"standard\"" $hs --estimator dwls --se robust.sem
ok "an unknown estimator names the known ones" refused "ml, mlr, mlm, wlsmv, gls, uls, wls or dwls" $hs --estimator adx
}
matrix() { run 1 fit --cov "$data/wheaton.cov" --model "$top_srcdir/doc/examples/wheaton.lav" --estimator gls && has "needs the raw data" "$tmp/err"; }
ok "from a matrix: refused" matrix
ordered_survey() {
    sed "s#^data  = ../../tests/data/bfi.csv#data  = $data/bfi.csv\nordered = all#" \
        "$top_srcdir/doc/examples/bfi_two.survey" >"$tmp/o.survey"
    run 1 fit "$tmp/o.survey" --estimator uls && has "ordered items are fitted by WLSMV" "$tmp/err" &&
        [ ! -s "$tmp/out" ]
}
ok "a survey's ordered items: refused" ordered_survey
elsewhere() { run 1 invariance --estimator gls x.survey && has "is fitted by brisk fit only" "$tmp/err"; }
ok "not in brisk invariance" elsewhere

echo "1..$n"
exit $((failed > 0))
