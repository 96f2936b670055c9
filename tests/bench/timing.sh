# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the benchmarks that time brisk processes (sourced, not run):
# finds the brisk program to time, makes a temporary folder and times
# processes.  common.sh sources it; a script that needs neither R nor
# lavaan to make its data (interviews.sh) sources it alone.
#
# Expects: bench (the script's name, for messages); sets brisk, tmp (a
# temporary folder removed on exit), timer; defines stamp and
# median_process.
brisk=${BRISK:-tools/brisk}

if [ ! -x "$brisk" ]; then
    echo "$bench: $brisk not found: run from a configured build tree after 'make', or set BRISK" >&2
    exit 1
fi
# In a build tree tools/brisk is libtool's wrapper script, which costs about
# 10 ms a run by itself: time the program it wraps, as installed.
if head -n 3 "$brisk" | grep -q 'libtool\|wrapper script'; then
    real=$(dirname "$brisk")/.libs/$(basename "$brisk")
    libs=$(cd "$(dirname "$brisk")/.." && pwd)/lib/.libs
    if [ -x "$real" ] && [ -d "$libs" ]; then
        brisk=$real
        LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        export LD_LIBRARY_PATH
    fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Microseconds now, in $us: bash 5's $EPOCHREALTIME costs nothing; date
# is a process of its own (about 1 ms, counted in every run).
stamp() {
    if [ -n "${EPOCHREALTIME:-}" ]; then
        us=${EPOCHREALTIME/./}
    else
        us=$(($(date +%s%N) / 1000))
    fi
}
if command -v hyperfine >/dev/null 2>&1; then
    timer=hyperfine
elif [ -n "${EPOCHREALTIME:-}" ]; then
    timer="bash \$EPOCHREALTIME"
else
    timer="date +%s%N"
fi

# median_process LABEL RUNS COMMAND...: median wall time of RUNS runs, in s
median_process() {
    label=$1 k=$2
    shift 2
    "$@" >/dev/null 2>"$tmp/err" || { echo "$bench: $label failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    if [ "$timer" = hyperfine ]; then
        hyperfine --runs "$k" --warmup 1 --export-json "$tmp/hf.json" --style none \
            "$(printf '%s ' "$@")" >/dev/null 2>&1
        sed -n 's/.*"median": *\([0-9.eE+-]*\).*/\1/p' "$tmp/hf.json" | head -n 1
        return
    fi
    : >"$tmp/times"
    i=0
    while [ "$i" -lt "$k" ]; do
        stamp
        t0=$us
        "$@" >/dev/null 2>&1
        stamp
        echo $((us - t0)) >>"$tmp/times"
        i=$((i + 1))
    done
    sort -n "$tmp/times" | awk '{ t[NR] = $1 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.6f\n", m / 1e6 }'
}
