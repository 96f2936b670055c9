#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk import -o .sav/.dta/.xlsx, printed as TAP.  brisk writes each test
# file of tests/data as .sav and .dta and reads them back; what it reads
# must equal what it read from the original and what haven read from the
# same files (tests/reference/import, made by make_reference.R there: no R
# here).  By hand: top_srcdir=. top_builddir=build sh tests/cli/import_write.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/import"
same() { cmp -s "$1" "$2" || { echo "$1 and $2 differ:" >&2; diff "$1" "$2" | head -10 >&2; return 1; }; }

# name,label,missing_codes of brisk's listing (CSV), as the R script writes them.
project() {
    python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["name", "label", "missing_codes"])
start = next(k for k, r in enumerate(rows) if r[:2] == ["name", "type"]) + 1
for r in rows[start:]:
    if not r: break
    out.writerow([r[0], r[3], r[9]])
' "$1"
}
# Labels CSV in a stable order (haven sorts labels, brisk keeps the file's).
sorted_labels() {
    if [ -f "$1" ]; then LC_ALL=C sort "$1"; else echo "variable,value,label,user_missing"; fi
}

# write SRC EXT: brisk writes tests/data/SRC as EXT and reads it back; the
# data, the variables and the value labels equal haven's view of the file.
write_and_compare() {
    src=$1 ext=$2
    stem=$(echo "$src" | sed 's/\./_/')
    w="$tmp/$stem.$ext"
    "$brisk" import -q "$data/$src" -o "$w" || return 1
    "$brisk" import -q "$w" -o "$tmp/back.csv" || return 1
    same "$tmp/back.csv" "$ref/$stem.$ext.values.csv" || return 1
    # brisk-read(written) == brisk-read(original): the data
    "$brisk" import -q "$data/$src" -o "$tmp/orig.csv" || return 1
    same "$tmp/back.csv" "$tmp/orig.csv" || return 1
    sorted_labels "$tmp/back.csv.labels.csv" >"$tmp/labels.brisk"
    sorted_labels "$ref/$stem.$ext.labels.csv" >"$tmp/labels.haven"
    same "$tmp/labels.brisk" "$tmp/labels.haven" || return 1
    if command -v python3 >/dev/null; then
        "$brisk" import "$w" --format csv >"$tmp/listing.csv" || return 1
        project "$tmp/listing.csv" >"$tmp/vars.brisk"
        same "$tmp/vars.brisk" "$ref/$stem.$ext.vars.csv" || return 1
    fi
    rm -f "$tmp/back.csv.labels.csv" "$tmp/orig.csv.labels.csv"
}

for pair in electric.sav:sav electric.sav:dta foreign_testdata.sav:sav foreign_testdata.sav:dta \
            labelled.sav:sav labelled.sav:dta labelled.zsav:sav labelled.zsav:dta \
            labelled.por:sav labelled.por:dta labelled.dta:sav labelled.dta:dta \
            iris.sav:sav iris.dta:sav iris.dta:dta iris.sas7bdat:sav iris.sas7bdat:dta \
            labelled.xpt:sav labelled.xpt:dta hmisc_test.xpt:sav hmisc_test.xpt:dta; do
    ok "${pair%:*} as .${pair#*:}: brisk's and haven's re-read agree" \
        write_and_compare "${pair%:*}" "${pair#*:}"
done

# The same format back: everything brisk lists is as it was (the source's
# name aside), user-missing and tagged cells included.
listing_round_trip() {
    "$brisk" import -q "$data/$1" -o "$tmp/rt.$2" || return 1
    "$brisk" import "$data/$1" --format csv | sed 1d >"$tmp/l1" &&
    "$brisk" import "$tmp/rt.$2" --format csv | sed 1d >"$tmp/l2" &&
    same "$tmp/l1" "$tmp/l2"
}
ok "electric.sav -> .sav lists the same (DAYOFWK's 130 cells of 9 user-missing)" \
    listing_round_trip electric.sav sav
ok "labelled.dta -> .dta lists the same (tags .a .b .c kept)" listing_round_trip labelled.dta dta
ok "iris.dta -> .dta lists the same" listing_round_trip iris.dta dta

# Asserted values: what is kept, what is told.
kept_values() {
    "$brisk" import -q "$data/electric.sav" -o "$tmp/e.sav" &&
    "$brisk" import "$tmp/e.sav" --format csv >"$tmp/e.txt" &&
    has 'DAYOFWK,numeric,,DAY OF DEATH,110,0,130,0,8,9' "$tmp/e.txt" &&
    has 'DAYOFWK,9,MISSING,true' "$tmp/e.txt" && has 'FAMHXCVR,Y,YES,false' "$tmp/e.txt" &&
    has 'FIRSTCHD,2,SUDDEN  DEATH,false' "$tmp/e.txt" &&
    "$brisk" import -q "$data/labelled.dta" -o "$tmp/l.dta" &&
    "$brisk" import "$tmp/l.dta" --format csv >"$tmp/l.txt" &&
    has 'trust,numeric,,I trust the city government with my data,6,1,0,3,7,' "$tmp/l.txt" &&
    has 'trust,.b,.b: Don'"'"'t know,true' "$tmp/l.txt"
}
ok "kept: user-missing 9 in 130 cells, string labels, tags, labels with blanks" kept_values

notices() {
    "$brisk" import "$data/labelled.sav" -o "$tmp/n.dta" >/dev/null 2>"$tmp/n.err" &&
    has "warning: Stata has no user-missing codes: trust's are not declared" "$tmp/n.err" &&
    has "warning: city: 2 user-missing cells written as empty text" "$tmp/n.err" &&
    "$brisk" import "$data/labelled.sav" -o "$tmp/n.sav" >/dev/null 2>"$tmp/n.err" &&
    lacks "trust:" "$tmp/n.err" &&   # each user-missing cell keeps its code in a .sav
    "$brisk" import "$data/labelled.dta" -o "$tmp/n2.sav" >/dev/null 2>"$tmp/n.err" &&
    has "trust: 2 value labels not written (SPSS has no tagged missing values)" "$tmp/n.err" &&
    has "income: 2 tagged missing cells written as system missing" "$tmp/n.err" &&
    "$brisk" import -q "$data/electric.sav" -o "$tmp/n.dta" 2>"$tmp/n.err" && [ ! -s "$tmp/n.err" ]
}
ok "what a format cannot hold is a warning naming the variable (none with -q)" notices

refused() {
    "$brisk" import -q "$data/iris.sav" -o "$tmp/iris.dta" 2>"$tmp/r.err"
    [ $? -eq 2 ] && has "'Sepal.Length'" "$tmp/r.err" && has "renames nothing" "$tmp/r.err" &&
    [ -z "$(ls "$tmp" | grep 'iris\.dta')" ]
}
ok "iris.sav -> .dta: Sepal.Length refused (exit 2), nothing left" refused

unwritable() {
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro" || return 1
    if [ -w "$tmp/ro" ]; then echo "# running as root: the folder stays writable" >&2; return 0; fi
    for x in sav dta xlsx; do
        "$brisk" import -q "$data/labelled.sav" -o "$tmp/ro/out.$x" 2>"$tmp/u.err"
        [ $? -eq 4 ] && has "$tmp/ro/out.$x: " "$tmp/u.err" || return 1
    done
    [ -z "$(ls -A "$tmp/ro")" ]
}
ok "unwritable folder: exit 4 for .sav .dta .xlsx, nothing left" unwritable

# The workbook of labelled.sav: its sheets as openxlsx read them.
xlsx_sheets() {
    "$brisk" import -q "$data/labelled.sav" -o "$tmp/l.xlsx" || return 1
    python3 - "$tmp/l.xlsx" "$tmp" <<'EOF' || return 1
import re, sys, zipfile, xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
z = zipfile.ZipFile(sys.argv[1])
book = ET.fromstring(z.read("xl/workbook.xml"))
names = [s.get("name") for s in book.find("m:sheets", ns)]
assert names == ["Data", "Variables", "Labels"], names
def num(v):
    x = float(v)
    for p in (15, 16, 17):
        s = "%.*g" % (p, x)
        if float(s) == x: return s
    return s
def field(s):
    if re.search(r'[,"\r\n]', s) or s[:1] in (" ", "#"):
        return '"' + s.replace('"', '""') + '"'
    return s
for k, name in enumerate(names, 1):
    sheet = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % k))
    rows = []
    for row in sheet.iter("{%s}row" % ns["m"]):
        cells = {}
        for c in row.findall("m:c", ns):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            idx = 0
            for ch in col: idx = idx * 26 + ord(ch) - 64
            if c.get("t") == "inlineStr":
                cells[idx] = field("".join(t.text or "" for t in c.iter("{%s}t" % ns["m"])))
            else:
                cells[idx] = num(c.find("m:v", ns).text)
        rows.append(cells)
    width = max(rows[0])
    with open("%s/%s.csv" % (sys.argv[2], name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(",".join(r.get(i, "") for i in range(1, width + 1)) + "\n")
EOF
    for s in Data Variables Labels; do
        same "$tmp/$s.csv" "$ref/labelled_sav.xlsx.$s.csv" || return 1
    done
    unzip -p "$tmp/l.xlsx" xl/worksheets/sheet1.xml | grep -q 'state="frozen"'
}
if command -v python3 >/dev/null && command -v unzip >/dev/null; then
    ok "labelled.sav -> .xlsx: Data, Variables, Labels as openxlsx reads them; header frozen" \
        xlsx_sheets
else
    n=$((n + 1)); echo "ok $n - xlsx sheets # SKIP no python3 or unzip"
fi

xlsx_labels_as_text() {
    "$brisk" import -q "$data/electric.sav" -o "$tmp/e.xlsx" --labels &&
    unzip -p "$tmp/e.xlsx" xl/worksheets/sheet1.xml >"$tmp/e.xml" &&
    has '<t>WEDNSDAY</t>' "$tmp/e.xml" && has '<t>SUDDEN  DEATH</t>' "$tmp/e.xml"
}
if command -v unzip >/dev/null; then
    ok "--labels in a workbook: labelled values as their labels" xlsx_labels_as_text
else
    n=$((n + 1)); echo "ok $n - xlsx --labels # SKIP no unzip"
fi

echo "1..30"
[ "$n" -eq 30 ] && [ "$failed" -eq 0 ]
