#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Command-line tests of the files people have: an .xlsx workbook and a
# European CSV (';', decimal comma) of a bundled survey's data give the
# same results as its CSV, byte for byte; header rows and sheets.  TAP.
# Run by `make check` with top_srcdir and top_builddir set; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/files.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
surveys="$top_srcdir/surveys"
data="$top_srcdir/tests/data"
same() {    # same COMMAND-ARGS...: output of the copy equals the original's (file names aside)
    "$brisk" "$@" >"$tmp/copy.out" 2>&1
}

# The rongcheng survey reading its data from another file ($1), with more
# [survey] keys ($2, one per line).
copy_survey() {
    sed "s|^data *= rongcheng.csv|data = $1${2:+\\
$2}|" "$surveys/rongcheng/rongcheng.survey" >"$tmp/$3.survey"
}

# The same output for the survey and its copy, for each command.
identical() {   # identical COPY-NAME
    for c in "describe|" "fit|" "reliability|" "regress|--formula tg1~age+gender" \
             "compare-items|pb1_{b} pr1_{b}"; do
        set -f
        # shellcheck disable=SC2086
        "$brisk" ${c%%|*} "$surveys/rongcheng/rongcheng.survey" ${c#*|} -f csv >"$tmp/a.csv" 2>"$tmp/a.err" &&
        "$brisk" ${c%%|*} "$tmp/$1.survey" ${c#*|} -f csv >"$tmp/b.csv" 2>"$tmp/b.err" || {
            set +f; echo "brisk $c failed" >&2; cat "$tmp/a.err" "$tmp/b.err" >&2; return 1; }
        set +f
        cmp "$tmp/a.csv" "$tmp/b.csv" || { echo "brisk $c differs" >&2; return 1; }
        [ "$(wc -l <"$tmp/a.csv")" -gt 3 ] || { echo "brisk $c wrote little" >&2; return 1; }
    done
}

t_xlsx_survey() {
    cp "$data/xlsx/rongcheng_data.xlsx" "$tmp/" &&
    copy_survey rongcheng_data.xlsx "" xlsx && identical xlsx &&
    copy_survey rongcheng_data.xlsx "sheet = RONGCHENG" xlsx-sheet && identical xlsx-sheet
}

# A European copy: ';' between fields, ',' before decimals.
european() {
    tr ',' ';' <"$surveys/rongcheng/rongcheng.csv" | sed 's/\([0-9]\)\.\([0-9]\)/\1,\2/g' >"$tmp/eu.csv"
}
t_european_survey() {
    european && has '1;4;4;4;3;4;4;4;5;3;1;3;3;4;4;3;5;4;4;4;5;4;5;5;5;4;4;5;4;4;4;3;3;2;4;3;2;3;2;2;5;4;2;4;4;4;4;4;4;2;3;2;4;4;4;4;4;4;2;0,7436' "$tmp/eu.csv" &&
    copy_survey eu.csv "decimal = ," eu && identical eu &&
    copy_survey eu.csv "" eu-plain && run 2 describe "$tmp/eu-plain.survey" &&
    has "weight 'weight' is text" "$tmp/err" && has "add 'decimal = ,' to [survey]" "$tmp/err"
}

# --data: the same regression from the CSV, the xlsx and the European CSV.
t_data_options() {
    european && cp "$data/xlsx/rongcheng_data.xlsx" "$tmp/" &&
    run 0 regress --data "$surveys/rongcheng/rongcheng.csv" --formula 'acc1_crime ~ age + tg1' -f csv &&
    cp "$tmp/out" "$tmp/a.csv" &&
    run 0 regress --data "$tmp/rongcheng_data.xlsx" --formula 'acc1_crime ~ age + tg1' -f csv &&
    cmp "$tmp/a.csv" "$tmp/out" &&
    run 0 regress --data "$tmp/eu.csv" --decimal , --formula 'acc1_crime ~ age + tg1' -f csv &&
    cmp "$tmp/a.csv" "$tmp/out" &&
    has "tg1,0.050097293970231" "$tmp/out" &&
    run 0 fit --data "$data/hs.csv" --model "$top_srcdir/doc/examples/hs.lav" -f csv &&
    cp "$tmp/out" "$tmp/hs.csv" &&
    { printf 'Holzinger and Swineford (1939)\n\n'; cat "$data/hs.csv"; } >"$tmp/hs-preamble.csv" &&
    run 0 fit --data "$tmp/hs-preamble.csv" --skip 2 --model "$top_srcdir/doc/examples/hs.lav" -f csv &&
    cmp "$tmp/hs.csv" "$tmp/out" &&
    run 1 describe --sheet x "$surveys/rongcheng/rongcheng.survey" &&
    run 1 fit --decimal , "$surveys/rongcheng/rongcheng.survey" && has "--decimal goes with --data" "$tmp/err"
}

t_import_xlsx() {
    run 0 import "$data/xlsx/types.xlsx" --sheet Data -f csv &&
    has "asked,numeric,,,4,1,0,0,0," "$tmp/out" && has "mixed,string,,,4,1,0,0,0," "$tmp/out" &&
    has "column 'asked' holds dates, read as Excel's serial day numbers" "$tmp/err" &&
    run 0 import "$data/xlsx/types.xlsx" --sheet Data -o "$tmp/types.csv" -q &&
    has "101,Rongcheng,4.25,1,43587,12,1,," "$tmp/types.csv" &&
    run 0 import "$data/xlsx/inline.xlsx" --skip 1 --header-rows 3 -f csv &&
    has "trust,numeric,,How much do you trust the city?,2,1,0,0,0," "$tmp/out" &&
    run 2 import "$data/xlsx/types.xlsx" --sheet Wave &&
    has "no sheet 'Wave' in the workbook; its sheets are 'Notes', 'Data'" "$tmp/err"
}

t_qualtrics() {
    { printf 'id,q1,q2\n'
      printf 'Response ID,"How much do you trust the city, overall?",Age\n'
      printf '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n'
      printf 'R_1,4,37\nR_2,2,\nR_3,5,61\nR_4,3,45\nR_5,4,29\n'; } >"$tmp/qualtrics.csv" &&
    run 0 import "$tmp/qualtrics.csv" --header-rows 3 -f csv &&
    has 'q1,numeric,,"How much do you trust the city, overall?",5,0,0,0,0,' "$tmp/out" &&
    has 'q2,numeric,,Age,4,1,0,0,0,' "$tmp/out" &&
    run 0 regress --data "$tmp/qualtrics.csv" --header-rows 3 --formula 'q1 ~ q2' -f csv &&
    has "q2" "$tmp/out"
}

# A workbook libxlsxwriter wrote (brisk's own table writer: a title row,
# styles, frozen panes, shared strings) read back; libxlsxwriter writes
# 16 significant digits, which the first columns' values fit in.
t_libxlsxwriter() {
    run 0 regress --data "$data/hs.csv" --formula 'x1 ~ x2' -o "$tmp/coef.xlsx" &&
    run 0 import "$tmp/coef.xlsx" --skip 1 -o "$tmp/coef.csv" -q &&
    has 'Term,Estimate,SE,t,p,CI lower,CI upper' "$tmp/coef.csv" &&
    has '(Intercept),3.140921011396671,0.3394515205330323,9.252929568453723,4.3272294584225e-18' "$tmp/coef.csv" &&
    has 'x2,0.2948155209493031,0.05474596337385298,5.385155412026394,1.466963084025278e-07' "$tmp/coef.csv" &&
    run 2 import "$tmp/coef.xlsx" && has "sheet 'Coefficients', cell B2: a value in a column with no name" "$tmp/err" &&
    run 1 import "$data/hs.csv" --sheet Data && has "not an .xlsx workbook" "$tmp/err" &&
    run 1 import "$data/iris.sav" --header-rows 2 && has "not SPSS .sav files" "$tmp/err"
}

echo "1..7"
ok "an .xlsx of the rongcheng data: describe, fit, reliability, regress, compare-items as from the CSV" t_xlsx_survey
ok "a European CSV (decimal = ,) of the rongcheng data: the same; without it the weight error says to add it" t_european_survey
ok "--data with --decimal, --skip and an .xlsx: the same numbers as from the CSV" t_data_options
ok "import reads an .xlsx: a sheet by name, dates with a note, header rows as labels" t_import_xlsx
ok "a Qualtrics export: three header rows, the second the labels" t_qualtrics
ok "a workbook written by libxlsxwriter reads back; --sheet and --header-rows where they do not apply are errors" t_libxlsxwriter
n=$((n + 1)); echo "ok $n - reached the end"
[ "$failed" -eq 0 ]
