#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk interviews against an independent reference computed in R
# (tests/reference/interviews/make.R -> values.csv), printed as TAP.  Needs
# no R: values.csv is committed.  Run by `make check` with top_srcdir and
# top_builddir set; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/interviews_reference.sh
#
# For each bundled project, brisk's CSV output (--unit participant, source
# and segment; --by the project's case variable; the rongcheng survey for
# the joint display) is turned into project,table,code,key,value rows as
# make.R writes them, and every reference value is compared with brisk's
# to 1e-6 absolute.  One TAP line per project x table x unit.
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
: "${AWK:=awk}"
brisk="$top_builddir/tools/brisk"
ref="$top_srcdir/tests/reference/interviews/values.csv"
tol=1e-6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL
n=0

# long PROJECT UNIT < brisk's CSV: table<TAB>code<TAB>key<TAB>value rows.
# Agreement keys get UNIT. as prefix; a co-occurrence pair is "A|B"; a
# joint-display key is construct.[behaviour.]statistic.
long() {
    "$AWK" -v project="$1" -v unit="$2" '
    function parse(line, f,    n, i, c, q, field) {
        n = 0; field = ""; q = 0
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (q) {
                if (c == "\"") {
                    if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
                    else q = 0
                } else field = field c
            } else if (c == "\"") q = 1
            else if (c == ",") { f[++n] = field; field = "" }
            else field = field c
        }
        f[++n] = field
        return n
    }
    { sub(/\r$/, "") }
    /^# interviews\./ { table = $2; sub(/^interviews\./, "", table); sub(/:$/, "", table)
                        header = 1; next }
    /^$/ { table = ""; next }
    table == "" { next }
    header { nh = parse($0, h); header = 0; next }
    {
        nf = parse($0, f)
        if (table == "themes" || table ~ /^themes_by\./) { code = f[1]; first = 2; prefix = "" }
        else if (table == "cooccurrence") { code = f[1] "|" f[2]; first = 3; prefix = "" }
        else if (table == "agreement") { code = f[1]; first = 2; prefix = unit "." }
        else if (table == "joint") {
            code = f[1]; first = 4
            prefix = f[2] "." (f[3] != "" ? f[3] "." : "")
        } else next
        for (i = first; i <= nf && i <= nh; i++)
            printf "%s\t%s\t%s%s\t%s\n", table, code, prefix, h[i], f[i]
    }'
}

# compare PROJECT TABLE UNIT BRISK_LONG: one TAP line.  The reference rows
# are values.csv's rows of PROJECT and TABLE (for agreement, keys starting
# with UNIT.).  brisk lists only the pairs of codes that co-occur: a pair
# it leaves out must have 0 participants and 0 overlapping segments.
compare() {
    project=$1 table=$2 unit=$3 got=$4
    n=$((n + 1))
    name="$project $table${unit:+ ($unit)}"
    if "$AWK" -F , -v project="$project" -v table="$table" -v unit="$unit" -v tol="$tol" \
            -v gotfile="$got" '
    function isna(v) { return v == "" || v == "NA" || tolower(v) ~ /^-?nan$/ }
    function abs(x) { return x < 0 ? -x : x }
    function bad(msg) { if (++mismatches <= 10) print "# " msg }
    BEGIN {
        while ((getline line < gotfile) > 0) {
            split(line, g, "\t")
            if (g[1] != table) continue
            got[g[2] SUBSEP g[3]] = g[4]; seen[g[2]] = 1
        }
    }
    FNR == 1 { next }   # the header
    {
        # project,table,code,key,value (no field holds a comma)
        if ($1 != project || $2 != table) next
        if (unit != "" && index($4, unit ".") != 1) next
        code = $3; key = $4; want = $5
        refcode[code] = 1
        k = code SUBSEP key
        if (!(k in got) && table == "cooccurrence") {
            split(code, ab, "|"); swapped = ab[2] "|" ab[1]
            if ((swapped SUBSEP key) in got) { k = swapped SUBSEP key; refcode[swapped] = 1 }
        }
        compared++
        if (!(k in got)) {
            if (table == "cooccurrence" && (isna(want) || want + 0 == 0)) { absent++; next }
            bad("missing in brisk: " code " " key " (R: " want ")"); next
        }
        v = got[k]
        if (isna(want) || isna(v)) {
            if (!(isna(want) && isna(v))) bad(code " " key ": brisk " v ", R " want)
            next
        }
        d = abs(v - want)
        if (d > maxd) { maxd = d; where = code " " key }
        if (d > tol) bad(code " " key ": brisk " v ", R " want " (|diff| " d ")")
    }
    END {
        for (c in seen) if (!(c in refcode)) bad("brisk has a row the reference lacks: " c)
        if (!compared) bad("no reference values for " project " " table)
        printf "# %d values compared (%d of them of pairs brisk does not list, 0 in R), max |diff| %.3g%s\n",
            compared, absent, maxd, where != "" ? " (" where ")" : ""
        if (mismatches > 10) print "# ... " mismatches " mismatches in all"
        exit mismatches > 0
    }' "$ref" >"$tmp/report"; then
        echo "ok $n - R reference: $name"
    else
        echo "not ok $n - R reference: $name"
    fi
    cat "$tmp/report"
}

# run OUT ARGS...: brisk interviews ARGS --format csv --no-quotes > OUT
run() {
    out=$1; shift
    if ! BRISK_SURVEYS="$top_srcdir/surveys" "$brisk" interviews "$@" --format csv --no-quotes \
            >"$out" 2>"$tmp/err"; then
        echo "# brisk interviews $* failed:"
        sed 's/^/#   /' "$tmp/err" | head -10
        : >"$out"
    fi
}

echo "1..13"
for spec in "ahmed2017 surveys/ahmed2017/ahmed2017.qdpx user" \
            "rongcheng surveys/rongcheng/interviews.qdpx district"; do
    set -- $spec
    project=$1 file="$top_srcdir/$2" by=$3
    for unit in participant source segment; do
        run "$tmp/$project.$unit.csv" "$file" --by "$by" --unit "$unit"
        long "$project" "$unit" <"$tmp/$project.$unit.csv" >"$tmp/$project.$unit.long"
    done
    compare "$project" themes "" "$tmp/$project.participant.long"
    compare "$project" "themes_by.$by" "" "$tmp/$project.participant.long"
    compare "$project" cooccurrence "" "$tmp/$project.participant.long"
    for unit in participant source segment; do
        compare "$project" agreement "$unit" "$tmp/$project.$unit.long"
    done
done
# the joint display: the survey whose [interviews] names the project
run "$tmp/joint.csv" rongcheng
long rongcheng "" <"$tmp/joint.csv" >"$tmp/joint.long"
compare rongcheng joint "" "$tmp/joint.long"
exit 0
