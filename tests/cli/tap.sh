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
