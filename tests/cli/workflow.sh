#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The data steps of a survey against R (tests/reference/workflow/make.R ->
# values.csv): construct scores ([scores]), --where and filter = with R's
# missing-value logic, and the regressions and fits on the rows kept; and
# [recode] (answers written as text) against the same answers as codes.
# Prints TAP.  Needs no R.  By hand:
#   top_srcdir=. top_builddir=. sh tests/cli/workflow.sh
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
: "${AWK:=awk}"
brisk="$top_builddir/tools/brisk"
src=$(cd "$top_srcdir" && pwd)
ref="$src/tests/reference/workflow/values.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL BRISK_SURVEYS="$src/surveys"
n=0
echo "1..13"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -f "$tmp/why" ] && sed 's/^/# /' "$tmp/why"; }

# rows CASE < brisk's regression CSV: case,term,key,value (est and se);
# with a behaviour column (its label), the case is CASE.key.
rows() {
    "$AWK" -F, -v c="$1" '
    BEGIN { key["Criminal records"] = "crime"; key["Payment of fees"] = "fees"
            key["Internet use"] = "internet"; key["Littering of garbage"] = "litter" }
    /^# regress\.coefficients/ { on = 1; head = 1; next }
    /^#/ || /^$/ { on = 0; next }
    on && head { by = ($1 == "behaviour"); head = 0; next }
    on { t = by ? $2 : $1; k = by ? c "." key[$1] : c
         print k "," t ",est," (by ? $3 : $2); print k "," t ",se," (by ? $4 : $3) }'
}

# wide CASE < brisk's regression CSV: the same rows from the table a
# paper prints (regress.by_behaviour: KEY_est, KEY_se columns per
# behaviour), the case CASE.KEY.
wide() {
    "$AWK" -F, -v c="$1" '
    /^# regress\.by_behaviour/ { on = 1; head = 1; next }
    /^#/ || /^$/ { on = 0; next }
    on && head { for (i = 2; i <= NF; i++) col[i] = $i; head = 0; next }
    on && $1 != "Observations used" {
        for (i = 2; i <= NF; i++) {
            k = col[i]; what = k; sub(/.*_/, "", what); sub(/_[a-z]+$/, "", k)
            if (what == "est" || what == "se") print c "." k "," $1 "," what "," $i
        } }'
}

# compare CASE-PREFIX FILE: every reference value of the cases starting
# with the prefix is in FILE and equal to 1e-6.
compare() {
    "$AWK" -F, -v p="$1" -v tol="${3:-1e-6}" '
    NR == FNR { got[$1 "," $2 "," $3] = $4; next }
    FNR == 1 { next }
    index($1, p) == 1 && $3 != "rows" {
        k = $1 "," $2 "," $3; checked++
        if (!(k in got)) { print "missing " k; bad++; next }
        d = got[k] - $4; if (d < 0) d = -d
        if (d > tol) { print k ": brisk " got[k] ", R " $4; bad++ }
    }
    END { if (!checked) print "no reference value for " p; exit (bad || !checked) }' \
        "$2" "$ref" > "$tmp/why" 2>&1
}

check() {  # NAME PREFIX FILE [TOLERANCE]
    if compare "$2" "$3" "$4"; then ok "$1"; else not_ok "$1"; fi
}

"$brisk" describe rongcheng --format csv | "$AWK" -F, '
    /^# describe\.scores/ { on = 1; getline; next }
    /^$/ { on = 0 }
    on { print "describe," $3 ",n," $4; print "describe," $3 ",mean," $6
         print "describe," $3 ",sd," $7 }' > "$tmp/describe.csv"
check "describe: the [scores] table (n, weighted mean and SD)" describe "$tmp/describe.csv"

"$brisk" regress rongcheng --formula 'accept_{b} ~ age + gender + education + urban' \
    --format csv | rows scores > "$tmp/scores.csv"
check "[scores] accept_{b} = mean(...) in a regression per behaviour (svyglm)" scores. \
    "$tmp/scores.csv"

"$brisk" regress rongcheng --formula 'accept_{b} ~ age + gender + education + urban' \
    --format csv | wide scores > "$tmp/scores_wide.csv"
check "the same in the paper's table, one column per behaviour (regress.by_behaviour)" \
    scores. "$tmp/scores_wide.csv"

"$brisk" regress rongcheng --formula 'accept_{b} ~ age + gender + education + urban' \
    --where 'age >= 2 & income != 1' --format csv > "$tmp/where.out"
rows where < "$tmp/where.out" > "$tmp/where.csv"
check "--where 'age >= 2 & income != 1' on a survey (subset, then svydesign)" where. \
    "$tmp/where.csv"
"$brisk" regress rongcheng --formula 'accept_{b} ~ age' --where 'age >= 2 & income != 1' \
    > "$tmp/where.txt"
if grep -q 'Rows where age >= 2 & income != 1: 340 of the data.s 600 (260 left out)' \
    "$tmp/where.txt"; then ok "the note gives the rows kept and left out"
else echo "no note" > "$tmp/why"; not_ok "the note gives the rows kept and left out"; fi

"$brisk" regress rongcheng --formula 'trust ~ age + education' \
    --where 'income > 3 | urban == 1' --format csv | rows or.trust > "$tmp/or.csv"
check "mean.2 and NA | TRUE kept, as R's subset()" or.trust "$tmp/or.csv"

# filter = in the survey: the same as --where
sed -e "s|^data .*|data = $src/surveys/rongcheng/rongcheng.csv|" \
    -e 's|^missing .*|&\nfilter = !(education <= 2) \& gender == 1|' \
    -e '/^\[interviews\]/,$d' "$src/surveys/rongcheng/rongcheng.survey" > "$tmp/f.survey"
"$brisk" regress "$tmp/f.survey" --formula 'trust ~ age + income' --format csv |
    rows not.trust > "$tmp/not.csv"
check "filter = in [survey], with ! and &" not.trust "$tmp/not.csv"

"$brisk" regress --data "$src/tests/data/hs.csv" --formula 'x1 ~ x2 + x3' \
    --where 'school == "Pasteur" & ageyr >= 13' --format csv | rows data.lm > "$tmp/lm.csv"
check "--where on --data: a text column and a number (lm)" data.lm "$tmp/lm.csv"

"$brisk" fit --data "$src/tests/data/hs.csv" --model "$src/doc/examples/hs.lav" \
    --where 'school == "Pasteur" & ageyr >= 13' --format csv |
"$AWK" -F, '/^Chi-square,/ { print "data.cfa,fit,chisq," $2 }
            /^Observations,/ { print "data.cfa,fit,ntotal," $2 }
            $2 == "=~" { print "data.cfa," $1 "=~" $3 ",est," $6 }' > "$tmp/cfa.csv"
# lavaan's own optimizer stops within about 1e-6 of the optimum
check "fit --where: lavaan's CFA on the rows kept" data.cfa "$tmp/cfa.csv" 1e-4

# [recode]: answers written as text give what their codes give
"$AWK" -F, -v OFS=, '
    BEGIN { split("Strongly disagree,Disagree,Neither agree nor disagree,Agree,Strongly agree", L, ",") }
    NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^acc[123]_/) acc[i] = 1; print; next }
    { for (i in acc) if ($i >= 1 && $i <= 5) $i = L[$i]; print }' \
    "$src/surveys/rongcheng/rongcheng.csv" > "$tmp/text.csv"
sed -e "s|^data .*|data = $tmp/text.csv|" -e '/^\[interviews\]/,$d' \
    "$src/surveys/rongcheng/rongcheng.survey" > "$tmp/text.survey"
cat >> "$tmp/text.survey" <<'RECODE'

[recode]
Strongly disagree = 1
disagree = 2          ; matched in any case
Neither agree nor disagree = 3
Agree = 4
Strongly agree = 5
RECODE
sed -e "s|^data .*|data = $src/surveys/rongcheng/rongcheng.csv|" -e '/^\[interviews\]/,$d' \
    "$src/surveys/rongcheng/rongcheng.survey" > "$tmp/codes.survey"
for cmd in "describe" "regress --formula accept_{b}~age+urban" "reliability"; do
    # shellcheck disable=SC2086
    "$brisk" $cmd "$tmp/text.survey" --format csv > "$tmp/a.csv" 2>&1
    # shellcheck disable=SC2086
    "$brisk" $cmd "$tmp/codes.survey" --format csv > "$tmp/b.csv" 2>&1
    if cmp -s "$tmp/a.csv" "$tmp/b.csv" && [ -s "$tmp/a.csv" ]; then ok "[recode]: $cmd the same"
    else diff "$tmp/a.csv" "$tmp/b.csv" | head -5 > "$tmp/why"; not_ok "[recode]: $cmd the same"; fi
done

# bad input: an answer [recode] does not code, named with its row
sed 's/^Agree = 4$//' "$tmp/text.survey" > "$tmp/bad.survey"
"$brisk" describe "$tmp/bad.survey" > /dev/null 2> "$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "holds 'Agree' in data row .*add a line 'Agree = CODE' to \[recode\]" "$tmp/err"
then ok "an answer [recode] does not code: exit 2 naming it"
else cp "$tmp/err" "$tmp/why"; not_ok "an answer [recode] does not code: exit 2 naming it"; fi
