#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --group-equal on covariances, as lavaan's group.equal "lv.covariances"
# and "residual.covariances": every estimate and SE, the free parameters,
# chi-square and df against lavaan 0.6-14
# (tests/reference/multigroup/make_covequal.R).  TAP.  By hand:
#   top_srcdir=. top_builddir=. sh tests/cli/group_equal.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/multigroup"
echo "1..4"

# matches NAME EQUAL: brisk's fit of NAME.lav by school against NAME's CSVs
matches() {
    "$brisk" fit --data "$data/hs.csv" --model "$ref/$1.lav" --group school \
        --group-equal "$2" -f csv -q >"$tmp/$1.csv" &&
    lavaan_matches "$ref/$1" "$tmp/$1.csv"
}
ok "lv.covariances (with loadings): estimates, SEs, chi-square and df as lavaan's" \
    matches hs_lvcov loadings,lv.covariances
ok "residual.covariances (with loadings): as lavaan's" \
    matches hs_rescov loadings,residual.covariances
# WLSMV (bfi's A and C items by gender, ordered): lavaan's npar 61,
# chi-square 225.883 and scaled 243.083 with loadings, thresholds and
# lv.covariances equal
wlsmv() {
    printf 'A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4\n' >"$tmp/ord.lav" &&
    run 0 fit --data "$data/bfi.csv" --model "$tmp/ord.lav" --group gender \
        --estimator wlsmv --group-equal loadings,thresholds,lv.covariances -f csv -q &&
    awk -F, 'function near(a, b) { return a - b < 5e-4 && b - a < 5e-4 }
        $1 == "Free parameters" { n = $2 == 61 }
        $1 == "Chi-square" { c = near($2, 225.883) }
        $1 == "Chi-square (scaled)" { s = near($2, 243.083) }
        END { exit !(n && c && s) }' "$tmp/out"
}
ok "lv.covariances with WLSMV: as lavaan's" wlsmv

refused() {
    run 1 fit --data "$data/hs.csv" --model "$ref/hs_lvcov.lav" --group school \
        --group-equal lv.covariance &&
    has "lv.covariances, residual.covariances" "$tmp/err"
}
ok "an unknown word is refused (exit 1), naming the words" refused
exit $((failed > 0))
