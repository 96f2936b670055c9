#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Constraints ('==', '<', '>' in model syntax) against lavaan 0.6
# (tests/reference/constraints/, made by make.R): every estimate and SE,
# npar, chi-square, df and the other fit measures to 1e-4; and the
# constraints brisk refuses (exit 2, file:line:column, nothing written).
# TAP.  Run by `make check`; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/constraints.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/constraints"

# brisk's csv output of a reference model against lavaan's CSVs: the
# parameter rows in order (lhs, op, rhs, est, se), then the measures.
matches() {   # matches NAME DATA TOLERANCE [OPTIONS...]: NAME_mlr is NAME.lav by MLR (and so on)
    model=$1 file=$2 tol=$3
    shift 3
    case $file in /*) ;; *) file=$data/$file ;; esac
    lav=$model
    case $model in *_mlr | *_weights | *_cluster) lav=${model%_*} ;; esac
    "$brisk" fit --data "$file" --model "$ref/$lav.lav" -f csv "$@" >"$tmp/$model.csv" 2>"$tmp/$model.err" ||
        { cat "$tmp/$model.err" >&2; return 1; }
    awk -F, -v tol="$tol" '
        function unq(s) { gsub(/"/, "", s); return s }
        function near(a, b, what) {
            if ((a - b) > tol || (b - a) > tol) { printf "%s: brisk %s, lavaan %s\n", what, a, b; bad = 1 }
        }
        FILENAME ~ /params.csv$/ { if (FNR > 1) { nref++; rl[nref] = unq($1) unq($2) unq($3); re[nref] = $5; rs[nref] = $6; rz[nref] = $7 } next }
        FILENAME ~ /fit.csv$/ { if (FNR > 1) { fm[unq($1)] = $2; nfm++ } next }
        /^# / { section = $0; next }
        section ~ /fit.parameters/ && $1 == "group" { shift = 1 }   # a column of groups first
        section ~ /fit.parameters/ && $1 != "lhs" && $1 != "group" && NF > 5 {
            if (shift) { for (i = 1; i < NF; i++) $i = $(i + 1); NF-- }
            np++
            if (rl[np] != $1 $2 $3) { printf "row %d: brisk %s%s%s, lavaan %s\n", np, $1, $2, $3, rl[np]; bad = 1 }
            near($6, re[np], "est " $1 $2 $3); near($7, rs[np], "se " $1 $2 $3)
            if ((rz[np] == "NA") != ($8 == "")) { printf "z %s%s%s: brisk \"%s\", lavaan %s\n", $1, $2, $3, $8, rz[np]; bad = 1 }
        }
        section ~ /fit.measures/ {
            key = $1 == "Free parameters" ? "npar" : $1 == "Chi-square" ? "chisq" : \
                  $1 == "Degrees of freedom" ? "df" : $1 == "p (chi-square)" ? "pvalue" : \
                  $1 == "CFI" ? "cfi" : $1 == "TLI" ? "tli" : $1 == "RMSEA" ? "rmsea" : \
                  $1 == "SRMR" ? "srmr" : $1 == "AIC" ? "aic" : $1 == "BIC" ? "bic" : \
                  $1 == "Chi-square (scaled)" ? "chisq.scaled" : \
                  $1 == "Scaling factor" ? "chisq.scaling.factor" : \
                  $1 == "CFI (robust)" ? "cfi.robust" : $1 == "TLI (robust)" ? "tli.robust" : \
                  $1 == "RMSEA (robust)" ? "rmsea.robust" : ""
            if (key != "") { near($2, fm[key], key); seen++ }
        }
        END {
            if (np != nref) { printf "%d rows, lavaan %d\n", np, nref; bad = 1 }
            if (seen != nfm) { printf "%d measures compared, lavaan has %d\n", seen, nfm; bad = 1 }
            exit bad
        }' "$ref/$model.params.csv" "$ref/$model.fit.csv" "$tmp/$model.csv"
}

for m in hs_equal hs_effect hs_linear hs_redundant hs_ineq_active hs_ineq_inactive hs_ineq_bounds; do
    ok "$m: estimates, SEs and fit as lavaan's" matches "$m" hs.csv 1e-4
done
ok "hs_linear by MLR: robust SEs and the scaled test as lavaan's" \
    matches hs_linear_mlr hs.csv 1e-4 --estimator mlr
# make.R's made-up weights
awk -F, 'NR == 1 { print $0 ",w"; next } { print $0 "," (1 + ($1 % 3) / 2) }' "$data/hs.csv" >"$tmp/hsw.csv"
ok "hs_linear with sampling weights as lavaan's" matches hs_linear_weights "$tmp/hsw.csv" 1e-4 --weight w
ok "hs_linear with clusters as lavaan's" matches hs_linear_cluster hs.csv 1e-4 --cluster agemo
ok "hs_groups: a constraint across groups as lavaan's" matches hs_groups hs.csv 1e-4 --group school
ok "bfi_fiml: with missing answers (FIML) as lavaan's" matches bfi_fiml bfi.csv 1e-4 --missing fiml
# lavaan's nlminb stops 1.2e-4 short of this optimum (y2 ~~ y4; its fit
# with shared labels, ../sem/pd_labels, stops at the same point; with
# rel.tol = 1e-11 it comes to brisk's within 4e-6)
ok "pd_equal: estimates, SEs and fit as lavaan's" matches pd_equal pd.csv 2e-4

# '==' fits as the shared label does (the same chi-square, df and SEs)
same_as_labels() {
    printf 'visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n' >"$tmp/lab.lav"
    "$brisk" fit --data "$data/hs.csv" --model "$tmp/lab.lav" -f csv | grep -v '^visual,=~,x[23],' >"$tmp/lab.csv" &&
    "$brisk" fit --data "$data/hs.csv" --model "$ref/hs_equal.lav" -f csv | grep -v '^visual,=~,x[23],' >"$tmp/eq.csv" &&
    awk -F, 'NR == FNR { a[FNR] = $0; next }
             { split(a[FNR], x, ","); for (i = 1; i <= NF; i++) if ($i != x[i] && ($i - x[i] > 1e-6 || x[i] - $i > 1e-6)) { print "line " FNR ": " $0 " vs " a[FNR]; bad = 1 } }
             END { exit bad }' "$tmp/lab.csv" "$tmp/eq.csv"
}
ok "a1 == a2 fits as one shared label" same_as_labels

# A bad model: exit 2, the message (with file:line:column), nothing written.
refused() {   # refused MESSAGE MODEL-TEXT [OPTIONS...]
    want=$1; text=$2; shift 2
    printf 'visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\n%s\n' "$text" >"$tmp/bad.lav"
    rm -f "$tmp/out.csv"
    "$brisk" fit --data "$data/hs.csv" --model "$tmp/bad.lav" -o "$tmp/out.csv" "$@" 2>"$tmp/err"
    got=$?
    [ "$got" -eq 2 ] || { echo "exit $got, expected 2" >&2; cat "$tmp/err" >&2; return 1; }
    grep -qF -- "$want" "$tmp/err" || { echo "'$want' not in:" >&2; cat "$tmp/err" >&2; return 1; }
    grep -qF "bad.lav:3:" "$tmp/err" || { echo "no bad.lav:3: in:" >&2; cat "$tmp/err" >&2; return 1; }
    [ ! -e "$tmp/out.csv" ] || { echo "output written" >&2; return 1; }
}
ok "an unknown label is named" refused "no parameter has the label 'zz'" "a == zz"
ok "a contradictory set is refused" refused "contradicts the other constraints" "a == 1
a == 2"
ok "a dependent, inconsistent set is refused" refused "contradicts the other constraints" "a + b == 1
a == 2 - b"
ok "a constraint of fixed parameters only" refused "names no free parameter" "f7 == 1
speed =~ 1*f7*x7 + x8 + x9"
ok "a nonlinear constraint is refused, by line" refused "is not linear in the parameters" "a*b == 1"
ok "an inequality on a fixed parameter is refused" refused "the constraint 'f7 > 0' names no free parameter" "f7 > 0
speed =~ 1*f7*x7 + x8 + x9"
ok "a nonlinear inequality is refused" refused "the constraint 'a*b > 1' is not linear" "a*b > 1"
ok "contradictory inequalities are refused" refused "the inequality constraints contradict each other" "a > 1
a < 0.5"
ok "an inequality with MLR: refused plainly" refused "inequality constraints ('<', '>') are not fitted with robust" "a > 0.9" --estimator mlr
ok "with WLSMV: refused plainly" refused "are not fitted with WLSMV" "a == b" --estimator wlsmv
ok "an inequality with WLSMV: refused plainly" refused "are not fitted with WLSMV" "a > b" --estimator wlsmv
ok "with MLR and FIML: refused plainly" refused "not fitted with robust standard errors with missing values" "a == b" --estimator mlr --missing fiml
ok "'<~' is refused as a formative construct" refused "'<~' (a formative or composite construct) is not supported" "f <~ x7 + x8"

# lavaan's spelling of a freed, labelled first loading, the term twice
# (NA*x1 + b1*x1), is the same model as brisk's chain NA*b1*x1
lavaan_spelling() {
    sed 's/NA\*b1\*x1/NA*x1 + b1*x1/' "$ref/hs_effect.lav" >"$tmp/twice.lav" &&
    grep -q 'NA\*x1 + b1\*x1' "$tmp/twice.lav" &&
    "$brisk" fit --data "$data/hs.csv" --model "$tmp/twice.lav" -f csv >"$tmp/twice.csv" &&
    "$brisk" fit --data "$data/hs.csv" --model "$ref/hs_effect.lav" -f csv >"$tmp/chain.csv" &&
    sed 's|[^,]*twice.lav|M|; s|[^,]*hs_effect.lav|M|' "$tmp/twice.csv" >"$tmp/a" &&
    sed 's|[^,]*twice.lav|M|; s|[^,]*hs_effect.lav|M|' "$tmp/chain.csv" >"$tmp/b" && cmp "$tmp/a" "$tmp/b"
}
ok "hs_effect as lavaan writes it (NA*x1 + b1*x1): the same fit" lavaan_spelling

# the standardized solution, residuals and modification indices of a
# constrained model: lavaan 0.6-14's standardizedSolution() and
# lavResiduals() of doc/examples/constrain.lav on hs.csv (a merge once
# evaluated them at the wrong parameters), and its modindices() (printed
# to three decimals; tests/unit/test_modindices.c compares such models'
# every index to 1e-4)
with_constraints() {
    "$brisk" fit --data "$data/hs.csv" --model "$top_srcdir/doc/examples/constrain.lav" \
        --standardized --residuals -q -f csv >"$tmp/std.csv" &&
    awk -F, '
        function near(x, want) { d = x - want; return d < 1e-4 && d > -1e-4 }
        /^# fit.standardized/ { t = "std" } /^# fit.residuals/ { t = "res" }
        t == "std" && $1 == "visual" && $3 == "x2" { a = near($5, 0.4836) && near($6, 0.04288) }
        t == "std" && $1 == "visual" && $3 == "x3" { b = near($5, 0.5285) && near($6, 0.04543) }
        t == "res" && $1 == "x2" && $3 == "x1" { c = near($7, -0.0858775) }
        END { exit !(a && b && c) }' "$tmp/std.csv" &&
    "$brisk" fit --data "$data/hs.csv" --model "$top_srcdir/doc/examples/constrain.lav" \
        --modindices -q -f csv >"$tmp/mi.csv" &&
    awk -F, '
        function near(x, want) { d = x - want; return d < 1e-3 && d > -1e-3 }
        $1 == "visual" && $3 == "x9" { a = near($4, 36.381) && near($5, 0.570) }
        $1 == "x7" && $3 == "x8" { b = near($4, 33.982) && near($5, 0.546) }
        END { exit !(a && b) }' "$tmp/mi.csv"
}
ok "--standardized, --residuals and --modindices of a constrained model as lavaan's" \
    with_constraints

echo "1..$n"
exit $((failed > 0))
