#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk interviews from the command line, printed as TAP: real REFI-QDA
# exports no one here wrote (tests/data/qdpx, counted by hand in
# EXPECTED.md), agreement on categories against SAS's and R's kappas, the
# segments CSV, the survey's [interviews], every writer, and errors.  The
# numbers of the bundled projects are checked against an independent R
# implementation by interviews_reference.sh.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS
qdpx="$top_srcdir/tests/data/qdpx"
ahmed="$top_srcdir/surveys/ahmed2017/ahmed2017.qdpx"

# csv_value TABLE ROWKEY COLUMN: from $tmp/out (brisk -f csv), the cell of
# the row whose first field is ROWKEY in the column named COLUMN of TABLE
csv_value() {
    awk -F, -v table="# $1:" -v row="$2" -v col="$3" '
        index($0, table) == 1 { inside = 1; header = 1; next }
        /^# / { inside = 0 }
        inside && header { for (i = 1; i <= NF; i++) if ($i == col) c = i; header = 0; next }
        inside && $1 == row && c { print $c; exit }' "$tmp/out"
}
# near GOT WANT TOL WHAT
near() {
    awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }' ||
        { echo "$4: brisk '$1', expected $2" >&2; return 1; }
}

# expected FILE WHAT: the hand count of tests/data/qdpx/expected.csv
expected() { awk -F, -v f="$1" -v w="$2" '$1 == f && $2 == w { print $3 }' "$qdpx/expected.csv"; }

t_public_exports() {
    for f in refi_annex_atlas8.qdpx qc_demo.qdpx nvivo15_mac.qdpx atlas23_codes.qdpx; do
        run 0 interviews "$qdpx/$f" -f csv --no-quotes || return 1
        for pair in Users:users Sources:sources Codes:codes Codings:codings; do
            got=$(csv_value interviews.overview "${pair%%:*}" value)
            want=$(expected "$f" "${pair#*:}")
            [ -n "$want" ] && [ "$got" = "$want" ] ||
                { echo "$f: ${pair%%:*} brisk '$got', counted '$want'" >&2; return 1; }
        done
    done
}
t_public_code_counts() {
    # qc_demo: codings of three codes, counted by hand (leaves: segments = codings)
    run 0 interviews "$qdpx/qc_demo.qdpx" -f csv --no-quotes &&
    for code in rq1_definition/rationales/equity rq1_definition/practices/computational_thinking \
                rq2_curriculum_and_instruction/pedagogy/fun; do
        want=$(expected qc_demo.qdpx "code:$code:codings")
        got=$(csv_value interviews.themes "$(echo "$code" | sed 's| */ *| / |g')" segments)
        [ "$got" = "$want" ] || { echo "$code: brisk '$got', counted '$want'" >&2; return 1; }
    done &&
    # two selections' text, sliced by hand by code point
    run 0 interviews "$qdpx/qc_demo.qdpx" -f csv &&
    has ',320,400,"This district goal is engage every student in joyful, purposeful learning that' "$tmp/out" &&
    # the annex: 16 codings, of which 9 in text selections have a position
    run 0 interviews "$qdpx/refi_annex_atlas8.qdpx" -f csv &&
    [ "$(csv_value interviews.overview Participants value)" = 12 ] &&
    # a project of codes only (no sources) is listed as a codebook
    run 0 interviews "$qdpx/atlas23_codes.qdpx" &&
    has "Codebook" "$tmp/out" && has "Commits" "$tmp/out"
}

# SAS's skin-condition ratings (tests/data/agreement/sas_kappa.csv, 88
# patients) as a 0/1 segments CSV: each rater's category a code under
# "Condition", listed first in the scale's order
skin_csv() {
    awk -F, 'NR == 1 { print "participant,coder,code,present"; next }
             NR <= 5 { order[++k] = $2 }
             { for (i = 0; i < $3; i++) { id++; a[id] = $1; b[id] = $2 } }
             END {
                 for (i = 1; i <= id; i++) {
                     printf "U%d,Rater 1,Condition/%s,1\n", i, a[i]
                     printf "U%d,Rater 2,Condition/%s,1\n", i, b[i]
                 }
             }' "$top_srcdir/tests/data/agreement/sas_kappa.csv" >"$tmp/skin.csv"
}
reference() {  # reference STATISTIC: tests/reference/agreement/values.csv, SAS's skin data
    awk -F, -v s="$1" '$1 == "sas_skin" && $2 == s { print $4 }' \
        "$top_srcdir/tests/reference/agreement/values.csv"
}
t_categories_kappa() {
    skin_csv &&
    # the categories' order: first seen, so terrible poor marginal clear
    # must be how the file lists them (its first four rows)
    head -n 9 "$tmp/skin.csv" | grep -q 'Condition/terrible' &&
    run 0 interviews "$tmp/skin.csv" --categories Condition --level ordinal -f csv &&
    near "$(csv_value interviews.agreement_categories "Cohen's κ" value)" "$(reference cohen_kappa)" 1e-9 kappa &&
    near "$(csv_value interviews.agreement_categories "Cohen's κ" se)" "$(reference cohen_se)" 1e-9 se &&
    near "$(csv_value interviews.agreement_categories "Cohen's κ (linear weights)" value)" \
         "$(reference cohen_kappa_linear)" 1e-9 linear &&
    near "$(csv_value interviews.agreement_categories "Cohen's κ (squared weights)" value)" \
         "$(reference cohen_kappa_squared)" 1e-9 squared &&
    near "$(csv_value interviews.agreement_categories "Cohen's κ (squared weights)" se)" \
         "$(reference cohen_se_squared)" 1e-9 squared_se &&
    near "$(csv_value interviews.agreement_categories "% agreement" value)" \
         "$(reference percent_agreement)" 1e-9 percent &&
    [ "$(csv_value interviews.agreement_categories "% agreement" units)" = 88 ]
}
t_categories_by_label() {
    # the same ratings with the rows in another order: categories are
    # matched by label, so the kappas are the same
    skin_csv && { head -n 1 "$tmp/skin.csv"; tail -n +2 "$tmp/skin.csv" | sort -r; } >"$tmp/shuffled.csv" &&
    sed 's/Rater 1/Rater X/' "$tmp/shuffled.csv" >"$tmp/renamed.csv" &&
    run 0 interviews "$tmp/skin.csv" --categories Condition -f csv --no-quotes &&
    csv_value interviews.agreement_categories "Cohen's κ" value >"$tmp/k1" &&
    head -n 9 "$tmp/skin.csv" >/dev/null &&
    run 0 interviews "$tmp/renamed.csv" --categories Condition -f csv --no-quotes &&
    csv_value interviews.agreement_categories "Cohen's κ" value >"$tmp/k2" &&
    near "$(cat "$tmp/k1")" "$(reference cohen_kappa)" 1e-9 first &&
    near "$(cat "$tmp/k2")" "$(reference cohen_kappa)" 1e-9 shuffled
}
t_matrix_zeros() {
    # 40 participants, two coders; the code is present for 3: the rows with
    # present = 0 say the coders coded the other 37 (units 40, not 3)
    { echo "participant,coder,code,present"
      i=1; while [ $i -le 40 ]; do
          v=0; [ $i -le 3 ] && v=1
          echo "P$i,A,Privacy,$v"; echo "P$i,B,Privacy,$v"; i=$((i + 1))
      done; } >"$tmp/matrix.csv" &&
    run 0 interviews "$tmp/matrix.csv" -f csv &&
    [ "$(csv_value interviews.agreement Privacy units)" = 40 ] &&
    [ "$(csv_value interviews.agreement Privacy percent)" = 100 ] &&
    [ "$(csv_value interviews.themes Privacy participants)" = 3 ] &&
    [ "$(csv_value interviews.themes Privacy of)" = 40 ]
}
t_coder_and_by() {
    run 0 interviews "$ahmed" --coder "Coder B" --by user --by gender -f csv --no-quotes &&
    has "# interviews.themes_by.user:" "$tmp/out" && has "# interviews.themes_by.gender:" "$tmp/out" &&
    run 0 interviews "$ahmed" --coder "Coder B" --no-quotes &&
    has "Codings of Coder B only; shares are of the 7 participants Coder B coded." "$tmp/out" &&
    run 2 interviews "$ahmed" --coder "Coder C" &&
    has "'Coder C': the project has no such coder (its coders: 'Coder A', 'Coder B')" "$tmp/err" &&
    run 2 interviews "$ahmed" --by nosuch &&
    has "--by 'nosuch': the project has no such case variable (its variables: 'user', 'age', 'gender')" "$tmp/err" &&
    run 2 interviews "$ahmed" --categories nosuch &&
    has "--categories 'nosuch'" "$tmp/err" &&
    # qc's codebook names two codes 'fun': the path tells them apart
    run 2 interviews "$qdpx/qc_demo.qdpx" --categories fun &&
    has "--categories 'fun': 2 codes have this name; give its path" "$tmp/err" &&
    run 0 interviews "$qdpx/qc_demo.qdpx" --categories "rq2_curriculum_and_instruction / pedagogy / fun"
}
t_usage_errors() {
    run 0 interviews --help && has "Usage: brisk interviews" "$tmp/out" &&
    run 1 interviews && has "give a project" "$tmp/err" &&
    run 1 interviews "$ahmed" --unit word && has "--unit takes participant, source or segment" "$tmp/err" &&
    run 1 interviews "$ahmed" --level ordinal && has "--level goes with --categories" "$tmp/err" &&
    run 1 interviews "$ahmed" --bootstrap 5 && has "--bootstrap takes" "$tmp/err" &&
    run 1 interviews "$ahmed" extra && has "unexpected argument 'extra'" "$tmp/err"
}
t_survey() {
    # the survey's [interviews]: the project and the joint display
    run 0 interviews rongcheng -f csv --no-quotes &&
    has "# interviews.joint:" "$tmp/out" &&
    near "$(csv_value interviews.joint "Perceived risk / Privacy" raised_mean)" 2.6666666667 1e-9 joint &&
    # a survey without [interviews] says how to add it
    run 2 interviews siegrist && has "no [interviews] section" "$tmp/err" &&
    # [interviews] errors name the survey's line
    sed 's/^link .*/link = nosuch/' "$top_srcdir/surveys/rongcheng/rongcheng.survey" \
        >"$tmp/rc.survey" && cp "$top_srcdir/surveys/rongcheng/rongcheng.csv" \
        "$top_srcdir/surveys/rongcheng/interviews.qdpx" "$tmp/" &&
    run 2 interviews "$tmp/rc.survey" && has "link 'nosuch': the project has no such case variable" "$tmp/err" &&
    printf '[survey]\ndata = rongcheng.csv\n[items]\ntg1\n[interviews]\nlink = respondent\n' \
        >"$tmp/nolink.survey" &&
    run 2 interviews "$tmp/nolink.survey" && has "nolink.survey:6:" "$tmp/err" &&
    has "names a link but no project" "$tmp/err" &&
    printf '[survey]\ndata = rongcheng.csv\n[items]\ntg1\n[interviews]\nproject = x.qdpx\nunit = segment\n' \
        >"$tmp/badkey.survey" &&
    run 2 interviews "$tmp/badkey.survey" && has "badkey.survey:7:" "$tmp/err" &&
    has "unknown key 'unit' in [interviews]" "$tmp/err"
}
t_joint_edges() {
    # a segments CSV as the survey's project: respondents 1 to 4 of the
    # Rongcheng data; coder A coded 1 and 2, coder B 3 and 4
    cp "$top_srcdir/surveys/rongcheng/rongcheng.csv" "$tmp/" &&
    printf '%s\n' participant,coder,code,present,respondent P1,A,Privacy,1,1 P2,A,Privacy,0,2 \
        P3,B,Privacy,1,3 P4,B,Privacy,1,4 >"$tmp/mixed.csv" &&
    sed -e "s|^project *=.*|project = mixed.csv|" "$top_srcdir/surveys/rongcheng/rongcheng.survey" \
        >"$tmp/mixed.survey" &&
    run 0 interviews "$tmp/mixed.survey" -f csv --no-quotes &&
    [ "$(csv_value interviews.joint Privacy raised_n)" = 3 ] &&
    [ "$(csv_value interviews.joint Privacy other_n)" = 1 ] &&
    # --coder A: only the participants A coded, B's are not "did not"
    run 0 interviews "$tmp/mixed.survey" --coder A -f csv --no-quotes &&
    [ "$(csv_value interviews.joint Privacy raised_n)" = 1 ] &&
    [ "$(csv_value interviews.joint Privacy other_n)" = 1 ] &&
    # two participants cannot be one respondent
    printf '%s\n' participant,coder,code,present,respondent P1,A,Privacy,1,7 P2,A,Privacy,0,7 \
        >"$tmp/mixed.csv" &&
    run 2 interviews "$tmp/mixed.survey" &&
    has "participants 'P1' and 'P2' have the same respondent, '7'" "$tmp/err"
}
t_fisher_fallback() {
    # 600 participants over 40 levels: beyond the exact test's quick bound,
    # the p is simulated as fisher.test(simulate.p.value = TRUE) and said so
    awk 'BEGIN { print "participant,coder,code,present,level"; h = 7
                 for (i = 1; i <= 600; i++) {
                     h = (h * 1103515245 + 12345) % 2147483648
                     printf "P%d,A,Theme,%d,L%02d\n", i, h % 100 < 40, i % 40
                 } }' >"$tmp/levels.csv" &&
    run 0 interviews "$tmp/levels.csv" --by level --no-quotes &&
    has "p simulated from 2000 tables with its margins" "$tmp/out"
}
t_focus_group() {
    # one transcript, two cases (SelectionRefs): each coding belongs to the
    # case whose selection it overlaps: Ann raised Privacy, Bob Trust
    run 0 interviews "$top_srcdir/tests/data/qual/focus_group.qde" --by gender -f csv &&
    [ "$(csv_value interviews.themes_by.gender Privacy n_f)" = 1 ] &&
    [ "$(csv_value interviews.themes_by.gender Privacy n_m)" = 0 ] &&
    [ "$(csv_value interviews.themes_by.gender Trust n_f)" = 0 ] &&
    [ "$(csv_value interviews.themes_by.gender Trust n_m)" = 1 ] &&
    has "Privacy,Ann,Focus group,A,5,27," "$tmp/out" &&
    has "Trust,Bob,Focus group,A,33,50," "$tmp/out" &&
    [ ! -s "$tmp/err" ]
}
t_writers() {
    for fmt in text csv md tex json; do
        run 0 interviews "$ahmed" --by user -f $fmt || return 1
        [ -s "$tmp/out" ] || { echo "$fmt: empty" >&2; return 1; }
    done &&
    run 0 interviews "$ahmed" -o "$tmp/iv.xlsx" && [ -s "$tmp/iv.xlsx" ] &&
    unzip -p "$tmp/iv.xlsx" xl/workbook.xml >"$tmp/wb.xml" &&
    has 'name="Themes"' "$tmp/wb.xml" && has 'name="Coder agreement"' "$tmp/wb.xml" &&
    has 'name="Quotes"' "$tmp/wb.xml" && has 'name="Co-occurrence"' "$tmp/wb.xml" &&
    if command -v jq >/dev/null 2>&1; then
        run 0 interviews "$ahmed" -f json &&
        [ "$(jq -r '.tables[] | select(.id == "interviews.themes") | .rows[0].participants' "$tmp/out")" = 7 ]
    fi
}
t_report() {
    run 0 report rongcheng --bootstrap 0 -o "$tmp/r.xlsx" &&
    unzip -p "$tmp/r.xlsx" xl/workbook.xml >"$tmp/wb.xml" &&
    has 'name="Themes"' "$tmp/wb.xml" && has 'name="Joint display"' "$tmp/wb.xml" &&
    has 'name="Agreement"' "$tmp/wb.xml" && has 'name="Coder agreement"' "$tmp/wb.xml"
}
t_seed() {
    # alpha's bootstrap: the same seed the same bytes, another seed another CI
    run 0 interviews "$ahmed" --no-quotes --seed 7 -f csv && cp "$tmp/out" "$tmp/s7" &&
    run 0 interviews "$ahmed" --no-quotes --seed 7 -f csv && cmp -s "$tmp/out" "$tmp/s7" &&
    run 0 interviews "$ahmed" --no-quotes --seed 8 -f csv && ! cmp -s "$tmp/out" "$tmp/s7"
}

echo "1..14"
ok "public REFI-QDA exports (ATLAS.ti 8 and 23, NVivo 15, qc): counts as counted by hand" t_public_exports
ok "qc's demo project: codings of named codes and a selection's text by code point" t_public_code_counts
ok "--categories: SAS's skin ratings give PROC FREQ's kappas (unweighted, linear, squared)" t_categories_kappa
ok "--categories matches categories by label, whatever the rows' order or coder names" t_categories_by_label
ok "segments CSV with present = 0: coders coded every participant" t_matrix_zeros
ok "--coder, --by, and unknown coder, variable or code" t_coder_and_by
ok "usage errors" t_usage_errors
ok "a survey's [interviews]: the joint display; errors name the survey's line" t_survey
ok "joint display: --coder keeps to that coder's participants; one respondent, two participants refused" t_joint_edges
ok "Fisher's test past its quick bound: fisher.test's simulated p, said in the note" t_fisher_fallback
ok "a focus group: codings of a shared transcript go to the case whose selection they overlap" t_focus_group
ok "every writer; the workbook's sheets" t_writers
ok "report adds the interview sheets beside the survey's" t_report
ok "alpha's bootstrap CI: the same seed gives the same bytes" t_seed
