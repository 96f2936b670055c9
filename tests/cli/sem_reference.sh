#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk fit's standardized solution and residuals against lavaan 0.6.14
# (tests/reference/standardized/make.R, tests/reference/residuals/make.R ->
# their CSVs), printed as TAP.  Needs no R: the CSVs are committed.  Run by
# `make check` with top_srcdir and top_builddir set; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/sem_reference.sh
#
# Each reference CSV holds a table's rows in brisk's (lavaan's) order with
# its key columns first; every numeric column it shares with brisk's table
# (by name) is compared to 1e-4 (relative beyond 1, and 1e-3 absolute at
# most: lavaan's estimates of pd_labels move a z of 20 by 3e-4), a
# residual's z (columns *_z) to 1e-3 (a ratio of small numbers: see
# tests/reference/residuals/make.R; 1e-4 for the MLR and MLM fits, ztol),
# NA matching an empty cell.
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
: "${AWK:=awk}"
brisk="$top_builddir/tools/brisk"
data="$top_srcdir/tests/data"
sem="$top_srcdir/tests/reference/sem"
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL
n=0
fails=0
ztol=1e-3

# compare TABLE REF NKEYS < brisk's CSV: every value of REF (after its first
# NKEYS text columns, which must match brisk's same-named ones) against
# brisk's column of that name in TABLE, row by row.
compare() {
    "$AWK" -F, -v table="$1" -v ref="$2" -v nkeys="$3" -v tol=1e-4 -v ztol="$ztol" '
    function isna(x) { return x == "" || x == "NA" || x == "nan" || x == "NaN" }
    BEGIN {
        while ((getline line < ref) > 0) {
            nr++
            nf = split(line, f, ",")
            for (i = 1; i <= nf; i++) r[nr, i] = f[i]
            if (nr == 1) rnf = nf
        }
    }
    $0 == "# " table || index($0, "# " table ":") == 1 { on = 1; header = 1; next }
    on && /^$/ { on = 0 }
    !on { next }
    header { for (i = 1; i <= NF; i++) col[$i] = i; header = 0; next }
    {
        b++
        if (b + 1 > nr) { print "extra row in brisk: " $0; bad++; next }
        for (i = 1; i <= rnf; i++) {
            name = r[1, i]
            if (!(name in col)) continue
            want = r[b + 1, i]; got = $(col[name])
            if (i <= nkeys) {
                if (want != got) { print "row " b ": " name " " got " (lavaan: " want ")"; bad++ }
                continue
            }
            if (isna(want) && isna(got)) continue
            d = got - want; d = d < 0 ? -d : d
            w = want < 0 ? -want : want
            limit = name ~ /^(raw|cor_bentler|cor_bollen)_z$/ ? ztol : tol * (w > 1 ? w : 1)
            if (isna(want) != isna(got) || d > limit || d > 1e-3) {
                print "row " b " (" r[b + 1, 1] " " r[b + 1, 2] " " r[b + 1, 3] "): " name " " \
                      got " (lavaan: " want ")"
                bad++
            }
            checked++
        }
    }
    END {
        if (b + 1 != nr) { print "brisk has " b " rows, lavaan " nr - 1; bad++ }
        if (!checked) { print "nothing compared"; bad++ }
        exit bad > 0
    }'
}

# check NAME TABLE REF NKEYS ARGS...: one TAP line.
check() {
    title=$1 table=$2 ref=$3 nkeys=$4
    shift 4
    n=$((n + 1))
    if "$brisk" fit -q -f csv "$@" >"$tmp/out" 2>"$tmp/err" &&
        compare "$table" "$ref" "$nkeys" <"$tmp/out" >"$tmp/diff"; then
        echo "ok $n - $title"
    else
        echo "not ok $n - $title"
        sed 's/^/# /' "$tmp/err" "$tmp/diff" | head -20
        fails=$((fails + 1))
    fi
}

std="$top_srcdir/tests/reference/standardized"
echo "1..53"
check "standardized: hs_cfa (ML)" fit.standardized "$std/hs_cfa.csv" 3 \
    --standardized --data "$data/hs.csv" --model "$sem/hs_cfa.lav"
check "standardized: pd_labels (ML, :=)" fit.standardized "$std/pd_labels.csv" 3 \
    --standardized --data "$data/pd.csv" --model "$sem/pd_labels.lav"
check "standardized: hs_regress (ML, :=)" fit.standardized "$std/hs_regress.csv" 3 \
    --standardized --data "$data/hs.csv" --model "$sem/hs_regress.lav"
check "standardized: hs_mlr (MLR)" fit.standardized "$std/hs_mlr.csv" 3 \
    --standardized --data "$data/hs.csv" --estimator mlr \
    --model "$top_srcdir/tests/reference/robust/hs_mlr.lav"
check "standardized: hs_group (two groups, equal loadings)" fit.standardized \
    "$std/hs_group.csv" 3 --standardized --data "$data/hs.csv" --group school \
    --group-equal loadings --model "$sem/hs_cfa.lav"
check "standardized: bfi_wlsmv (WLSMV)" fit.standardized "$std/bfi_wlsmv.csv" 3 \
    --standardized --data "$data/bfi.csv" --estimator wlsmv \
    --model "$top_srcdir/tests/reference/robust/bfi_wlsmv.lav"
check "standardized: bfi_wlsmv_x (WLSMV, covariates)" fit.standardized \
    "$std/bfi_wlsmv_x.csv" 3 --standardized --data "$data/bfi.csv" --estimator wlsmv \
    --model "$top_srcdir/tests/reference/robust/bfi_wlsmv_x.lav"
check "standardized: bfi_fiml (FIML)" fit.standardized "$std/bfi_fiml.csv" 3 \
    --standardized --data "$data/bfi.csv" --missing fiml \
    --model "$top_srcdir/tests/reference/robust/bfi_fiml.lav"
res="$top_srcdir/tests/reference/residuals"
for name in hs_cfa hs_meanstructure pd_sem hs_group; do
    set -- --data "$data/hs.csv" --model "$sem/hs_cfa.lav"
    case $name in
    hs_meanstructure) set -- "$@" --meanstructure ;;
    pd_sem) set -- --data "$data/pd.csv" --model "$sem/pd_sem.lav" ;;
    hs_group) set -- "$@" --group school ;;
    esac
    check "residuals: $name" fit.residuals "$res/$name.csv" 3 --residuals "$@"
    check "residual summaries: $name" fit.residual_summary "$res/$name.summary.csv" 1 \
        --residuals "$@"
done
# MLR and MLM: every residual, SE and z to 1e-4
ztol=1e-4
for name in hs_mlr hs_mlm hs_meanstructure_mlr hs_meanstructure_mlm hs_group_mlr hs_group_mlm \
    hs_group_equal_mlr; do
    set -- --data "$data/hs.csv" --model "$sem/hs_cfa.lav" --estimator "${name##*_}"
    case $name in
    hs_meanstructure_*) set -- "$@" --meanstructure ;;
    hs_group_equal_*) set -- "$@" --group school --group-equal loadings ;;
    hs_group_*) set -- "$@" --group school ;;
    esac
    check "residuals: $name" fit.residuals "$res/$name.csv" 3 --residuals "$@"
    check "residual summaries: $name" fit.residual_summary "$res/$name.summary.csv" 1 \
        --residuals "$@"
done
# a survey's behaviour, unweighted (its weights would leave the SEs out)
for est in mlr mlm; do
    set -- rongcheng -b crime --unweighted --estimator $est
    check "residuals: rongcheng_crime_$est" fit.residuals "$res/rongcheng_crime_$est.csv" 3 \
        --residuals "$@"
    check "residual summaries: rongcheng_crime_$est" fit.residual_summary \
        "$res/rongcheng_crime_$est.summary.csv" 1 --residuals "$@"
done
# full-information ML, ML and MLR
for est in ml mlr; do
    name=bfi_fiml$([ $est = ml ] || echo _mlr)
    set -- --data "$data/bfi.csv" --missing fiml --estimator $est \
        --model "$top_srcdir/tests/reference/robust/bfi_fiml.lav"
    check "residuals: $name" fit.residuals "$res/$name.csv" 3 --residuals "$@"
    check "residual summaries: $name" fit.residual_summary "$res/$name.summary.csv" 1 \
        --residuals "$@"
done
# WLSMV (tests/reference/residuals/make_wlsmv.R): ordered items alone, with
# groups, thresholds held equal, the theta parameterization, pairwise
# missing; residuals alone with continuous items beside ordered ones; a
# survey's behaviour
ztol=1e-3
for name in hs_ord hs_ord_group hs_ord_equal hs_ord_theta bfi_ord bfi_ord_pairwise hs_mixed \
    rongcheng_crime_wlsmv; do
    set -- --data "$data/hs_cat.csv" --model "$tmp/hs_ord.lav" --estimator wlsmv
    case $name in
    hs_ord_group) set -- "$@" --group school ;;
    hs_ord_equal) set -- "$@" --group school --group-equal thresholds,loadings ;;
    hs_ord_theta) set -- "$@" --parameterization theta ;;
    bfi_ord*) set -- --data "$data/bfi.csv" --model "$tmp/bfi_ord.lav" --estimator wlsmv ;;
    hs_mixed) set -- --data "$data/hs_cat.csv" --ordered u2,u3,u6,u7,u9 \
        --model "$top_srcdir/tests/reference/wlsmv_more/hs_mixed.lav" ;;
    rongcheng_crime_wlsmv) set -- rongcheng -b crime --unweighted --estimator wlsmv ;;
    esac
    [ $name = bfi_ord_pairwise ] && set -- "$@" --missing pairwise
    printf 'visual =~ u1 + u2 + u3\ntextual =~ u4 + u5 + u6\nspeed =~ u7 + u8 + u9\n' \
        >"$tmp/hs_ord.lav"
    printf 'agree =~ A1 + A2 + A3 + A4 + A5\nconscientious =~ C1 + C2 + C3 + C4 + C5\n' \
        >"$tmp/bfi_ord.lav"
    check "residuals: $name (WLSMV)" fit.residuals "$res/$name.csv" 3 --residuals "$@"
    [ $name = hs_mixed ] ||
        check "residual summaries: $name (WLSMV)" fit.residual_summary \
            "$res/$name.summary.csv" 1 --residuals "$@"
done
exit $((fails > 0))
