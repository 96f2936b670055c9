#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Command-line tests of the Word writer (-o FILE.docx): a valid package
# with well-formed parts, the report's sections and numbers, APA tables,
# the same bytes on every run, refused on standard output, exit 4 and
# nothing left for an unwritable path, text escaped.  TAP.
# Run by `make check` with top_srcdir and top_builddir set; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/docx.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS
echo "1..16"

parts='[Content_Types].xml _rels/.rels docProps/app.xml docProps/core.xml
word/_rels/document.xml.rels word/styles.xml word/document.xml'

# part DOCX NAME: one part of the package on standard output (unzip takes
# [] as a pattern: escaped)
part() {
    unzip -p "$1" "$(printf '%s' "$2" | sed 's/\[/\\[/g; s/\]/\\]/g')"
}

# The checker of well-formed XML this machine has, if any.
# wellformed FILE: true when it is, or when nothing here can tell.
checker=yes
if command -v xmllint >/dev/null 2>&1; then
    wellformed() { xmllint --noout "$1"; }
elif command -v python3 >/dev/null 2>&1; then
    wellformed() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"; }
else
    checker=no
    wellformed() { :; }
fi

# inxml TEXT FILE: like has, for one-line XML files (says less when not)
inxml() { grep -qF -- "$1" "$2" || { echo "'$1' not in $2" >&2; return 1; }; }
notinxml() { ! grep -qF -- "$1" "$2" || { echo "'$1' unexpectedly in $2" >&2; return 1; }; }

# text as it stands escaped in the document
xml_escape() {
    sed "s/&/\\&amp;/g; s/</\\&lt;/g; s/>/\\&gt;/g; s/\"/\\&quot;/g; s/'/\\&apos;/g"
}

# The paragraphs of one style, one a line (their text as written).
paragraphs() {   # paragraphs STYLE < document.xml
    sed 's/<w:p>/\n&/g' | grep "<w:pStyle w:val=\"$1\"/>" |
        sed 's/<w:t xml:space="preserve">//g; s/<\/w:t>//g; s/<[^>]*>//g'
}

# The report of the bundled survey, as Word, Markdown and a workbook.
"$brisk" report rongcheng -o "$tmp/r.docx" --bootstrap 0 >"$tmp/r.out" 2>"$tmp/r.err"
status=$?
"$brisk" report rongcheng -o "$tmp/r.md" --bootstrap 0 2>/dev/null
"$brisk" report rongcheng -o "$tmp/r.xlsx" --bootstrap 0 2>/dev/null
part "$tmp/r.docx" word/document.xml >"$tmp/doc.xml" 2>/dev/null

t_report() {
    [ "$status" -eq 0 ] && [ -s "$tmp/r.docx" ] && [ ! -s "$tmp/r.out" ] &&
    [ -z "$(find "$tmp" -name 'r.docx?*')" ]   # no temporary file left
}
ok "report -o r.docx: exit 0, the file and nothing else" t_report

t_package() {
    unzip -t "$tmp/r.docx" >"$tmp/unzip.out" && has "No errors detected" "$tmp/unzip.out" &&
    for p in $parts; do
        part "$tmp/r.docx" "$p" >"$tmp/part" && [ -s "$tmp/part" ] ||
            { echo "no part $p" >&2; return 1; }
    done &&
    # [Content_Types].xml first, as Office writes it
    unzip -Z1 "$tmp/r.docx" | head -1 | grep -qxF '[Content_Types].xml'
}
ok "unzip -t passes; every part of the package is there" t_package

t_wellformed() {
    for p in $parts; do
        part "$tmp/r.docx" "$p" >"$tmp/part.xml" && wellformed "$tmp/part.xml" ||
            { echo "$p is not well-formed XML" >&2; return 1; }
    done
}
if [ "$checker" = yes ]; then
    ok "every part is well-formed XML" t_wellformed
else
    skip "every part is well-formed XML" "neither xmllint nor python3 is installed"
fi

t_properties() {
    part "$tmp/r.docx" docProps/core.xml >"$tmp/core.xml" &&
    has "<dc:creator>brisk " "$tmp/core.xml" &&
    has "<dc:title>Public acceptance of the social credit system, Rongcheng (synthetic sample)</dc:title>" "$tmp/core.xml" &&
    paragraphs Title <"$tmp/doc.xml" >"$tmp/title" &&
    [ "$(cat "$tmp/title")" = "Public acceptance of the social credit system, Rongcheng (synthetic sample)" ]
}
ok "the survey's title is the document's title and property; creator brisk" t_properties

# Every sheet of the workbook is a Heading 1 of the document, in order.
t_sections() {
    unzip -p "$tmp/r.xlsx" xl/workbook.xml | grep -o '<sheet name="[^"]*"' |
        sed 's/<sheet name="//; s/"$//' >"$tmp/sheets" &&
    paragraphs Heading1 <"$tmp/doc.xml" | sed 's/&apos;/'"'"'/g; s/&amp;/\&/g' >"$tmp/headings" &&
    [ "$(wc -l <"$tmp/sheets")" -ge 8 ] && diff "$tmp/sheets" "$tmp/headings" >&2 &&
    has "Structural" "$tmp/headings" && has "Fit" "$tmp/headings"
}
ok "a Heading 1 per section of the report, as the workbook's sheets" t_sections

# Every table of the Markdown report, numbered, its title in italics.
t_titles() {
    sed -n 's/^### //p' "$tmp/r.md" | xml_escape >"$tmp/md_titles" &&
    paragraphs TableTitle <"$tmp/doc.xml" >"$tmp/titles" &&
    [ "$(wc -l <"$tmp/md_titles")" -gt 10 ] && diff "$tmp/md_titles" "$tmp/titles" >&2 &&
    count=$(wc -l <"$tmp/titles") &&
    paragraphs Caption <"$tmp/doc.xml" >"$tmp/captions" &&
    [ "$(sed -n '1p' "$tmp/captions")" = "Table 1" ] &&
    [ "$(sed -n '$p' "$tmp/captions")" = "Table $count" ] &&
    [ "$(grep -o '<w:tbl>' "$tmp/doc.xml" | wc -l)" -eq "$count" ] &&
    # the number in bold, the title in italics
    part "$tmp/r.docx" word/styles.xml | sed 's/<w:style /\n&/g' >"$tmp/styles" &&
    grep 'w:styleId="Caption"' "$tmp/styles" | grep -qF '<w:rPr><w:b/></w:rPr>' &&
    grep 'w:styleId="TableTitle"' "$tmp/styles" | grep -qF '<w:rPr><w:i/></w:rPr>'
}
ok "every table of the Markdown report, as Table 1..N with its title in italics" t_titles

# Cells of the Markdown report's fit table (first behaviour) in the document.
t_numbers() {
    row=$(sed -n '/^### Model fit by behaviour/,/^###/{/^| Criminal records/p;}' "$tmp/r.md" |
          head -1) &&
    [ -n "$row" ] &&
    for f in 3 4 6 7 9 13; do   # n, chi-square, p, CFI, RMSEA, AIC
        v=$(printf '%s\n' "$row" | awk -F'|' -v f="$f" '{ gsub(/ /, "", $f); print $f }') &&
        [ -n "$v" ] && inxml ">$v<" "$tmp/doc.xml" || { echo "cell $f ($v) missing" >&2; return 1; }
    done &&
    # the notes' significance legend, escaped
    grep -qF '*** p < .001' "$tmp/r.md" && inxml '*** p &lt; .001' "$tmp/doc.xml"
}
ok "numbers of the Markdown report's fit table are in the document" t_numbers

t_apa() {
    # header rows repeated on each page; no row split; the behaviours'
    # spanning headers; numbers right-aligned; full width; no vertical rules
    inxml '<w:tblHeader/>' "$tmp/doc.xml" && inxml '<w:cantSplit/>' "$tmp/doc.xml" &&
    inxml '<w:gridSpan w:val="4"/>' "$tmp/doc.xml" && inxml '<w:jc w:val="right"/>' "$tmp/doc.xml" &&
    inxml '<w:tblW w:w="5000" w:type="pct"/>' "$tmp/doc.xml" &&
    inxml '<w:insideV w:val="nil"/>' "$tmp/doc.xml" && notinxml '<w:insideV w:val="single"' "$tmp/doc.xml" &&
    notinxml '<w:left w:val="single"' "$tmp/doc.xml" &&
    # notes: a paragraph starting "Note." in italics
    inxml '<w:pStyle w:val="Note"/></w:pPr><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">Note.</w:t>' "$tmp/doc.xml" &&
    part "$tmp/r.docx" word/styles.xml >"$tmp/styles.xml" &&
    for s in Title Heading1 Heading2 Caption TableTitle TableText TableText8 Note APATable; do
        has "w:styleId=\"$s\"" "$tmp/styles.xml" || return 1
    done &&
    inxml '<w:sz w:val="20"/>' "$tmp/styles.xml" &&   # tables at 10 points
    # the wide sheets (Items, Fit) in landscape, the others portrait
    inxml '<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>' "$tmp/doc.xml" &&
    inxml '<w:pgSz w:w="11906" w:h="16838"/>' "$tmp/doc.xml"
}
ok "APA tables: repeated header, spanning groups, right-aligned numbers, rules, notes, styles" t_apa

t_deterministic() {
    "$brisk" report rongcheng -o "$tmp/r2.docx" --bootstrap 0 2>/dev/null &&
    cmp "$tmp/r.docx" "$tmp/r2.docx"
}
ok "two runs give byte-identical files" t_deterministic

t_stdout() {
    run 1 report rongcheng -f docx --bootstrap 0 &&
    has "brisk report: a Word document needs a file: give -o FILE.docx" "$tmp/err" &&
    [ ! -s "$tmp/out" ] &&
    run 1 describe rongcheng -f docx -o - && has "a Word document needs a file" "$tmp/err"
}
ok "-f docx to standard output is refused (exit 1)" t_stdout

t_unwritable() {
    run 4 report rongcheng -o /nonexistent/d/r.docx --bootstrap 0 &&
    has "/nonexistent/d/r.docx" "$tmp/err" && [ ! -e /nonexistent/d ] &&
    # a folder where the file should be: exit 4, nothing left beside it
    mkdir "$tmp/dir" "$tmp/dir/r.docx" &&
    run 4 describe rongcheng -o "$tmp/dir/r.docx" && has "$tmp/dir/r.docx" "$tmp/err" &&
    [ "$(ls "$tmp/dir")" = "r.docx" ] && [ -z "$(ls "$tmp/dir/r.docx")" ]
}
ok "an unwritable path: exit 4, the path named, nothing left" t_unwritable

# A tiny survey whose labels hold XML's special characters.
cat >"$tmp/esc.survey" <<'EOF'
[survey]
title = Escapes <&> "double" 'single'
data  = esc.csv
id    = id
scale = 1..5
agree = 4..5

[behaviours]
a = Fees <&> "tax"
b = Plain

[items]
q1_{b} = First item
q2_{b} = Second item

[demographics]
city
EOF
printf 'id,q1_a,q2_a,q1_b,q2_b,city\n1,4,5,3,2,Tab\tand\001bell\n2,2,3,4,4,Q\n3,5,5,1,2,Tab\tand\001bell\n4,3,4,2,3,Q\n5,1,2,5,5,Q\n6,4,4,4,3,Q\n' \
    | sed 's/Tab\tand/"Tab\tand/; s/bell$/bell"/' >"$tmp/esc.csv"

t_escaped() {
    run 0 describe "$tmp/esc.survey" -o "$tmp/esc.docx" &&
    part "$tmp/esc.docx" word/document.xml >"$tmp/esc.xml" &&
    wellformed "$tmp/esc.xml" &&
    inxml '>Fees &lt;&amp;&gt; &quot;tax&quot;<' "$tmp/esc.xml" &&
    notinxml 'Fees <&>' "$tmp/esc.xml" &&
    # a tab is Word's tab; the control character is dropped
    inxml '>Tab</w:t><w:tab/><w:t xml:space="preserve">andbell<' "$tmp/esc.xml" &&
    ! LC_ALL=C grep -q "$(printf '\001')" "$tmp/esc.xml"
}
ok "labels with <&>\" are escaped; tab kept as w:tab, control characters dropped" t_escaped

t_other_commands() {
    run 0 fit rongcheng -b fees -o "$tmp/fit.docx" &&
    part "$tmp/fit.docx" word/document.xml >"$tmp/fit.xml" &&
    wellformed "$tmp/fit.xml" &&
    "$brisk" fit rongcheng -b fees -f md >"$tmp/fit.md" 2>/dev/null &&
    sed -n 's/^### //p' "$tmp/fit.md" | xml_escape >"$tmp/fit_md_titles" &&
    paragraphs TableTitle <"$tmp/fit.xml" >"$tmp/fit_titles" &&
    diff "$tmp/fit_md_titles" "$tmp/fit_titles" >&2 &&
    # --format docx with a file name of another extension
    run 0 reliability rongcheng -f docx -o "$tmp/rel.out" && unzip -t "$tmp/rel.out" >/dev/null
}
ok "fit and reliability write Word documents too (-o .docx, -f docx)" t_other_commands

t_warnings() {
    run 0 compare-items rongcheng acc1_crime acc2_crime -o "$tmp/ci.docx" &&
    part "$tmp/ci.docx" word/document.xml >"$tmp/ci.xml" &&
    paragraphs Heading1 <"$tmp/ci.xml" | head -1 | grep -qx "Warnings" &&
    inxml "weight &apos;weight&apos; is not used" "$tmp/ci.xml"
}
ok "the run's warnings under a heading of their own, first" t_warnings

t_title_fallback() {
    # a command's tables without a document title: the first table's
    part "$tmp/esc.docx" docProps/core.xml >"$tmp/esc_core.xml" &&
    has "<dc:title>Items by behaviour</dc:title>" "$tmp/esc_core.xml"
}
ok "without a survey report, the first table's title is the document's" t_title_fallback

t_libreoffice() {
    (cd "$tmp" && HOME="$tmp" soffice --headless --convert-to pdf --outdir "$tmp" r.docx \
        >/dev/null 2>&1) &&
    pdftotext "$tmp/r.pdf" "$tmp/r.txt" && has "Model fit by behaviour" "$tmp/r.txt" &&
    has "Structural" "$tmp/r.txt" && has "Table 1" "$tmp/r.txt" && has "Note." "$tmp/r.txt" &&
    chisq=$(sed -n '/^### Model fit by behaviour/,/^###/{/^| Criminal records/p;}' "$tmp/r.md" |
            head -1 | awk -F'|' '{ gsub(/ /, "", $4); print $4 }') &&
    [ -n "$chisq" ] && has "$chisq" "$tmp/r.txt"
}
if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
    ok "LibreOffice converts the report to PDF with its text" t_libreoffice
else
    skip "LibreOffice converts the report to PDF with its text" "soffice or pdftotext is not installed"
fi

[ "$failed" -eq 0 ]
