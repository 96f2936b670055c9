#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk fit --scores: every factor score brisk writes against lavaan's
# lavPredict (tests/reference/predict, made by make.R there: no R here),
# the data formats, and bad input, printed as TAP.
# By hand: top_srcdir=. top_builddir=build sh tests/cli/predict.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/predict"
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS

# same_scores BRISK.csv LAVAAN.csv [KEY]: the same rows and ids, the same
# empty cells, every score within 1e-5 of lavaan's (brisk's and lavaan's
# estimates differ by about 1e-6, their optimisers' tolerance; at the same
# estimates the scores agree to 1e-14).  KEY: brisk's columns are NAME_KEY.
same_scores() {
    python3 - "$@" <<'PY'
import csv, sys
a = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
b = list(csv.reader(open(sys.argv[2], encoding="utf-8")))
key = sys.argv[3] if len(sys.argv) > 3 else ""
want = [h if j == 0 or not key else h + "_" + key for j, h in enumerate(b[0])]
if a[0] != want:
    sys.exit("columns %s, lavaan's %s" % (a[0], want))
if len(a) != len(b):
    sys.exit("%d rows, lavaan %d" % (len(a) - 1, len(b) - 1))
worst = 0.0
for ra, rb in zip(a[1:], b[1:]):
    if ra[0] != rb[0]:
        sys.exit("row %s, lavaan's %s" % (ra[0], rb[0]))
    for j in range(1, len(want)):
        if (ra[j] == "") != (rb[j] == ""):
            sys.exit("row %s %s: '%s', lavaan '%s'" % (ra[0], want[j], ra[j], rb[j]))
        if ra[j]:
            worst = max(worst, abs(float(ra[j]) - float(rb[j])))
if worst > 1e-5:
    sys.exit("largest difference %g" % worst)
PY
}

# scored NAME [KEY] FIT-ARGUMENTS...: brisk's scores of a case against lavaan's.
scored() {
    case_=$1; key=$2; shift 2
    "$brisk" fit "$@" --scores "$tmp/$case_.csv" -q >/dev/null && \
        same_scores "$tmp/$case_.csv" "$ref/$case_.csv" $key
}

# status WANT COMMAND...: the command exits WANT.
status() {
    want=$1; shift
    "$@"; got=$?
    [ "$got" -eq "$want" ] || { echo "exit $got, not $want" >&2; return 1; }
}

HS="--data $data/hs.csv --model $top_srcdir/doc/examples/hs.lav"
PD="--data $data/pd.csv --model $top_srcdir/tests/reference/sem/pd_sem.lav"
BFI="--data $data/bfi.csv --model $ref/bfi.lav"

echo "1..31"
ok "HS regression scores = lavPredict" scored hs_regression "" $HS
ok "HS Bartlett scores = lavPredict" scored hs_bartlett "" $HS --score-method bartlett
ok "HS mean structure, regression" scored hs_ms_regression "" $HS --meanstructure
ok "HS mean structure, Bartlett (method in any case)" \
    scored hs_ms_bartlett "" $HS --meanstructure --score-method Bartlett
ok "HS MLR: the estimates' scores" scored hs_mlr_regression "" $HS --estimator mlr
ok "a second-order factor, regression" \
    scored hs_second_regression "" --data "$data/hs.csv" --model "$top_srcdir/doc/examples/second.lav"
ok "Political Democracy SEM, regression" scored pd_regression "" $PD
ok "Political Democracy SEM, Bartlett" scored pd_bartlett "" $PD --score-method bartlett
ok "bfi FIML: each row from its answers (regression)" \
    scored bfi_fiml_regression "" $BFI --missing fiml
ok "bfi FIML, Bartlett: NA where a factor has no answer" \
    scored bfi_fiml_bartlett "" $BFI --missing fiml --score-method bartlett
ok "bfi listwise: empty cells for incomplete rows" scored bfi_listwise_regression "" $BFI
ok "rongcheng crime (weights, -99, reversed pr3), regression" \
    scored rongcheng_crime_regression crime rongcheng -b crime
ok "rongcheng crime, Bartlett" \
    scored rongcheng_crime_bartlett crime rongcheng -b crime --score-method bartlett

# --id names the rows by a column; every behaviour gets its columns.
ok "--id COL names the rows" sh -c '
    "$1" fit $2 --scores "$3/id.csv" --id id -q >/dev/null &&
    head -2 "$3/id.csv" | tr "\n" " " | grep -q "^id,visual,textual,speed 1,-0.81767"' \
    sh "$brisk" "$HS" "$tmp"
ok "a column per latent variable per behaviour" sh -c '
    "$1" fit rongcheng --scores "$2/all.csv" -q >/dev/null &&
    head -1 "$2/all.csv" | grep -q "^id,trust_crime,.*,accept_crime,trust_fees,.*accept_litter$"' \
    sh "$brisk" "$tmp"

# Other data formats, read back as lavaan's numbers (an .xlsx keeps 15 digits).
for ext in sav dta xlsx; do
    ok "--scores FILE.$ext reads back as the CSV" sh -c '
        "$1" fit rongcheng -b crime --scores "$2/s.$3" -q >/dev/null &&
        "$1" import "$2/s.$3" -o "$2/back_$3.csv" -q' sh "$brisk" "$tmp" "$ext"
    ok "... and holds lavaan's scores" \
        same_scores "$tmp/back_$ext.csv" "$ref/rongcheng_crime_regression.csv" crime
done

# The scores feed regress --data.
ok "regress --data on the scores file" sh -c '
    "$1" regress --data "$2/rongcheng_crime_regression.csv" \
        --formula "accept_crime ~ trust_crime + risk_crime" -q >"$2/reg.txt" &&
    grep -q "trust_crime" "$2/reg.txt"' sh "$brisk" "$tmp"

# Bad input: exit status, message, nothing written.
mkdir "$tmp/bad" "$tmp/bad/dir.csv"
ok "unknown --score-method: exit 1" sh -c '
    "$1" fit $2 --scores "$3/bad/x.csv" --score-method ebm 2>"$3/e1"; [ $? -eq 1 ] &&
    grep -q "regression or bartlett, not .ebm." "$3/e1" && [ ! -e "$3/bad/x.csv" ]' \
    sh "$brisk" "$HS" "$tmp"
ok "--scores to an unknown format: exit 1" sh -c '
    "$1" fit $2 --scores "$3/bad/x.txt" 2>"$3/e2"; [ $? -eq 1 ] &&
    grep -q "csv .tsv .xlsx .sav or .dta" "$3/e2"' sh "$brisk" "$HS" "$tmp"
ok "unwritable --scores (a directory): exit 4, nothing left" sh -c '
    "$1" fit $2 --scores "$3/bad/dir.csv" >/dev/null 2>"$3/e3"; [ $? -eq 4 ] &&
    [ "$(ls -A "$3/bad/dir.csv")" = "" ] && [ "$(ls -A "$3/bad")" = "dir.csv" ]' \
    sh "$brisk" "$HS" "$tmp"
ok "--scores in a missing folder: exit 4" sh -c '
    "$1" fit $2 --scores "$3/none/x.csv" >/dev/null 2>&1; [ $? -eq 4 ]' \
    sh "$brisk" "$HS" "$tmp"
ok "ordered items (WLSMV) refused plainly: exit 1" sh -c '
    "$1" fit rongcheng -b crime --estimator wlsmv --unweighted --scores "$2/bad/w.csv" \
        >/dev/null 2>"$2/e4"; [ $? -eq 1 ] && grep -q "empirical Bayes modal" "$2/e4" &&
    [ ! -e "$2/bad/w.csv" ]' sh "$brisk" "$tmp"
ok "an observed predictor refused: exit 1" sh -c '
    "$1" fit --data "$2/hs.csv" --model "$3/doc/examples/mimic.lav" --scores "$4/bad/m.csv" \
        >/dev/null 2>"$4/e5"; [ $? -eq 1 ] && grep -q "only indicators of factors" "$4/e5"' \
    sh "$brisk" "$data" "$top_srcdir" "$tmp"
ok "Bartlett of a second-order factor refused: exit 1" sh -c '
    "$1" fit --data "$2/hs.csv" --model "$3/doc/examples/second.lav" --scores "$4/bad/s.csv" \
        --score-method bartlett >/dev/null 2>"$4/e6"; [ $? -eq 1 ] &&
    grep -q "has none (a higher-order factor)" "$4/e6" && [ ! -e "$4/bad/s.csv" ]' \
    sh "$brisk" "$data" "$top_srcdir" "$tmp"
grep -v "^id " "$data/bfi.survey" | sed "s|^data .*|data = $(cd "$data" && pwd)/bfi.csv|" >"$tmp/noid.survey"
ok "a survey without id = refused: exit 1" sh -c '
    "$1" fit "$2/noid.survey" --scores "$2/bad/n.csv" >/dev/null 2>"$2/e7"; [ $? -eq 1 ] &&
    grep -q "has no .id =. in \[survey\]" "$2/e7" && [ ! -e "$2/bad/n.csv" ]' sh "$brisk" "$tmp"
ok "--score-method without --scores: exit 1" sh -c '
    "$1" fit $2 --score-method bartlett 2>/dev/null; [ $? -eq 1 ]' sh "$brisk" "$HS"

[ "$failed" -eq 0 ]
