# SPDX-License-Identifier: GPL-3.0-or-later
# What the command-line tests share, sourced by each tests/cli/*.sh after
# it sets `here`: where brisk is, a scratch directory removed at exit, and
# the TAP helpers.  Each script prints its own plan ("1..N").
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
brisk="$top_builddir/tools/brisk"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {  # ok NAME COMMAND...: passes when the command succeeds
    name=$1; shift
    n=$((n + 1))
    if "$@" >"$tmp/last.out" 2>"$tmp/last.err"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        cat "$tmp/last.err" "$tmp/last.out" | sed 's/^/# /' | head -20
        failed=$((failed + 1))
    fi
}

skip() {  # skip NAME REASON: a test this machine cannot run, said so
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# run STATUS ARGS...: run brisk, keep stdout/stderr, check the exit status
run() {
    want=$1; shift
    "$brisk" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || { echo "exit $got, expected $want: brisk $*" >&2; cat "$tmp/err" >&2; return 1; }
}
has() { grep -qF -- "$1" "$2" || { echo "'$1' not in $2:" >&2; head -20 "$2" >&2; return 1; }; }
lacks() { ! grep -qF -- "$1" "$2" || { echo "'$1' unexpectedly in $2" >&2; return 1; }; }

# lavaan_matches PREFIX BRISK_CSV: brisk's `fit -f csv` output against
# lavaan's PREFIX.params.csv (group, lhs, op, rhs, est, se: every row, both
# ways) and PREFIX.fit.csv (npar, chisq, df, and chisq.scaled where lavaan
# has it and brisk prints it), each to 1e-4
lavaan_matches() {
    awk -F, '
        function near(a, b, what) {
            d = a - b; if (d > 1e-4 || d < -1e-4) { print what ": brisk " a ", lavaan " b; bad = 1 } }
        FILENAME ~ /params.csv$/ { if (FNR > 1) { k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
                                                   est[k] = $5; se[k] = $6; nref++ } next }
        FILENAME ~ /fit.csv$/ { if (FNR > 1) fm[$1] = $2; next }
        /^# / { section = $0; next }
        section ~ /fit.parameters/ && $1 != "group" && NF > 8 {
            if (!($1 in g)) g[$1] = ++ng
            k = g[$1] SUBSEP $2 SUBSEP $3 SUBSEP $4
            if (!(k in est)) { print "no lavaan row " $1 " " $2 $3 $4; bad = 1; next }
            seen++; near($7, est[k], "est " $2 $3 $4); near($8, se[k], "se " $2 $3 $4)
        }
        section ~ /fit.measures/ && $1 == "Free parameters" { near($2, fm["npar"], "npar") }
        section ~ /fit.measures/ && $1 == "Chi-square" { near($2, fm["chisq"], "chisq") }
        section ~ /fit.measures/ && $1 == "Chi-square (scaled)" && ("chisq.scaled" in fm) {
            near($2, fm["chisq.scaled"], "chisq.scaled") }
        section ~ /fit.measures/ && $1 == "Degrees of freedom" { near($2, fm["df"], "df") }
        END { if (seen != nref) { print seen " rows, lavaan " nref; bad = 1 } exit bad }' \
        "$1.params.csv" "$1.fit.csv" "$2"
}
