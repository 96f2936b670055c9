#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --group-partial (lavaan's group.partial) and --score-tests (lavaan's
# lavTestScore of the equality constraints) against lavaan 0.6-14
# (tests/reference/partial/make_reference.R): every estimate and SE,
# chi-square and df of the partial fits; every constraint's X2, p and EPC,
# the cumulative tests in lavaan's order and the total test; brisk
# invariance's suggestions; bad input.  TAP.  By hand:
#   top_srcdir=. top_builddir=. sh tests/cli/partial.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/partial"
hs="$top_srcdir/doc/examples/hs.lav"
echo "1..16"

# fits NAME DATA GROUP ARGS...: brisk's fit of NAME.lav against NAME's CSVs
fits() {
    case_=$1 file=$2 group=$3; shift 3
    "$brisk" fit --data "$data/$file" --model "$ref/$case_.lav" --group "$group" "$@" \
        -f csv -q >"$tmp/$case_.csv" &&
    lavaan_matches "$ref/$case_" "$tmp/$case_.csv"
}
ok "scalar with x3~1 and x7~1 released: estimates, SEs, chi-square, df as lavaan's" \
    fits hs_scalar_partial hs.csv school --group-equal loadings,intercepts \
        --group-partial "x3 ~ 1, x7~1"
# newline-separated, a variance and a loading
ok "loadings and residuals with visual=~x2 and x1~~x1 released: as lavaan's" \
    fits hs_residual_partial hs.csv school --group-equal loadings,residuals \
        --group-partial "visual =~ x2
x1 ~~ x1"
ok "ordered items (WLSMV), two loadings released: as lavaan's, scaled chi-square too" \
    fits bfi_wlsmv_partial bfi.csv gender --estimator wlsmv \
        --group-equal loadings,thresholds --group-partial "A=~A3, C=~C2"
ok "ordered items, two thresholds released (A3|t2, C2|t1): as lavaan's" \
    fits bfi_wlsmv_tau bfi.csv gender --estimator wlsmv \
        --group-equal loadings,thresholds --group-partial "A3 | t2, C2|t1"
# the scaled-shifted difference of the metric and the partial scalar levels
ordered_invariance() {
    run 0 invariance --data "$data/bfi.csv" --model "$ref/bfi_wlsmv_tau.lav" --group gender \
        --estimator wlsmv --group-partial "A3|t2, C2|t1" -f csv &&
    awk -F, 'FILENAME ~ /lrt.csv$/ { if (FNR > 1) { want = $1; wdf = $2 } next }
             $1 == "level" { for (i = 1; i <= NF; i++) col[$i] = i; next }
             $1 ~ /^Scalar/ { got = $col["chisq_diff"]; df = $col["df_diff"] }
             END { d = got - want; exit !(got != "" && d < 1e-4 && d > -1e-4 && df == wdf) }' \
        "$ref/bfi_wlsmv_tau.lrt.csv" "$tmp/out"
}
ok "invariance with ordered items and released thresholds: lavTestLRT's difference" \
    ordered_invariance

# scores NAME DATA MODEL GROUP ARGS...: brisk's --score-tests against
# NAME.score.csv (each constraint by parameter and group: X2, p, EPC),
# NAME.cumulative.csv (the cumulative tests row by row) and NAME.total.csv
scores() {
    case_=$1 file=$2 model=$3 group=$4; shift 4
    "$brisk" fit --data "$data/$file" --model "$model" --group "$group" --score-tests "$@" \
        -f csv -q >"$tmp/$case_.csv" &&
    awk -F, '
        function near(a, b, what) {
            d = a - b; if (d > 1e-4 || d < -1e-4) { print what ": brisk " a ", lavaan " b; bad = 1 } }
        FILENAME ~ /score.csv$/ { if (FNR > 1) { k = $1 SUBSEP $2; x2[k] = $4; p[k] = $5
                                                  epc[k] = $6; nref++ } next }
        FILENAME ~ /cumulative.csv$/ { if (FNR > 1) { cp[FNR - 1] = $1 " " $2; cx[FNR - 1] = $3
                                                       cdf[FNR - 1] = $4 } next }
        FILENAME ~ /total.csv$/ { if (FNR > 1) { tx = $1; tdf = $2; tp = $3 } next }
        /^# / { section = $0; next }
        section ~ /fit.score_tests/ && $1 == "(total)" {
            near($3, tx, "total X2"); near($4, tdf, "total df"); near($5, tp, "total p"); total++
            next }
        section ~ /fit.score_tests/ && $1 != "parameter" && NF > 8 {
            split($2, gr, " = "); k = $1 SUBSEP gr[2]; r++
            if (!(k in x2)) { print "no lavaan constraint " $1 " " gr[2]; bad = 1; next }
            seen++; near($3, x2[k], "X2 " $1 " " gr[2]); near($5, p[k], "p " $1 " " gr[2])
            near($6, epc[k], "epc " $1 " " gr[2])
            near($7, cx[r], "cumulative X2 " r); near($8, cdf[r], "cumulative df " r)
            if (cp[r] != $1 " " gr[2]) { print "cumulative " r ": brisk " $1 " " gr[2] ", lavaan " cp[r]; bad = 1 }
        }
        END { if (seen != nref || total != 1) { print seen " constraints, lavaan " nref; bad = 1 }
              exit bad }' \
        "$ref/$case_.score.csv" "$ref/$case_.cumulative.csv" "$ref/$case_.total.csv" \
        "$tmp/$case_.csv"
}
ok "score tests of loadings and intercepts: X2, p, EPC, cumulative, total as lavaan's" \
    scores hs_scalar hs.csv "$hs" school --group-equal loadings,intercepts
ok "score tests of the constraints a partial fit keeps: as lavaan's" \
    scores hs_scalar_partial hs.csv "$hs" school --group-equal loadings,intercepts \
        --group-partial "x3~1, x7~1"
printf 'A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4\n' >"$tmp/bfi.lav"
ok "score tests in five groups (each tied to the first): as lavaan's" \
    scores bfi_educ bfi.csv "$tmp/bfi.lav" education --group-equal loadings
# lavaan 0.6-14 gives MLR fits the standard test, as ML's (same estimates)
mlr() {
    scores hs_scalar hs.csv "$hs" school --group-equal loadings,intercepts --estimator mlr &&
    run 0 fit --data "$data/hs.csv" --model "$hs" --group school --estimator mlr \
        --group-equal loadings,intercepts --score-tests &&
    has "it has no robust version" "$tmp/out"
}
ok "score tests of an MLR fit: the standard tests, as lavaan's, said so" mlr

# brisk invariance: the partial levels and the suggestions under a rejected level
invariance() {
    run 0 invariance --data "$data/hs.csv" --model "$hs" --group school -f csv &&
    awk -F, '/^# invariance.release/ { s = 1; next } s && $1 == "scalar" { n++
                 if (n == 1 && ($2 != "x3~1" || $4 - 19.1925 > 1e-3 || 19.1925 - $4 > 1e-3)) bad = 1 }
             s && $1 == "metric" { bad = 1 }
             END { exit bad || n != 5 }' "$tmp/out" &&
    run 0 invariance --data "$data/hs.csv" --model "$hs" --group school \
        --group-partial "x3~1, x7~1" -f csv &&
    awk -F, '$1 ~ /^Scalar/ { found = 1; if ($2 != 50 || $3 - 129.4225 > 1e-3 ||
                                             129.4225 - $3 > 1e-3) bad = 1 }
             END { exit bad || !found }' "$tmp/out" &&
    lacks "scalar," "$tmp/out"
}
ok "invariance: the scalar level's constraints to release, and the partial scalar level" \
    invariance

# bad input: exit status 1, the message naming it, nothing written
refused() {
    want=$1; shift
    run 1 fit --data "$data/hs.csv" --model "$hs" --group school -o "$tmp/none.txt" "$@" &&
    has "$want" "$tmp/err" && [ ! -e "$tmp/none.txt" ]
}
ok "an unknown parameter is refused, named" \
    refused "'visual=~x10' is not a parameter" --group-equal loadings --group-partial visual=~x10
ok "a parameter whose class is not held equal is refused, named" \
    refused "'x3~1' is among the intercepts" --group-equal loadings --group-partial "x3 ~ 1"
ok "malformed text is refused, quoted" \
    refused "'x3+1' is not a parameter written as lhs op rhs" --group-equal loadings \
        --group-partial "x3 + 1"
thresholds_refused() {
    run 1 fit --data "$data/bfi.csv" --model "$ref/bfi_wlsmv_tau.lav" --group gender \
        --estimator wlsmv --group-equal loadings,thresholds --group-partial "A3|t9" &&
    has "'A3|t9' is not a threshold of the model: 'A3' has 5" "$tmp/err" &&
    refused "'x1|t1' is a threshold: thresholds belong to ordered items" \
        --group-equal loadings --group-partial "x1|t1"
}
ok "a threshold the item does not have, or of a continuous item, is refused" \
    thresholds_refused
ok "--group-partial and --score-tests without --group-equal are refused" \
    sh -c '"$0" fit --data "$1" --model "$2" --group school --group-partial x3~1 \
               -o "$3" 2>"$3.err"; [ $? -eq 1 ] && grep -q "goes with --group and --group-equal" "$3.err" &&
           "$0" fit --data "$1" --model "$2" --group school --score-tests 2>"$3.err"
           [ $? -eq 1 ] && [ ! -e "$3" ]' "$brisk" "$data/hs.csv" "$hs" "$tmp/none2.txt"
ok "an invariance's parameter no level holds equal is refused, named" \
    sh -c '"$0" invariance --data "$1" --model "$2" --group school \
               --group-partial "visual ~~ textual" >/dev/null 2>"$3"; [ $? -eq 1 ] &&
           grep -q "among the lv.covariances" "$3"' "$brisk" "$data/hs.csv" "$hs" "$tmp/inv.err"
exit $((failed > 0))
