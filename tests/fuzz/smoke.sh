#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make fuzz-smoke: run each libFuzzer harness over its seed corpus, then
# mutate until FUZZ_SECONDS have passed (default 60); fail on any crash,
# sanitizer report, leak, timeout (FUZZ_TIMEOUT seconds for one input,
# default 30) or memory beyond 2 GB.  One line per harness, as automake's
# test driver writes them, and its summary:
#
#     PASS: fuzz_csv (61432 runs in 60 s; cov 1903, ft 5472; corpus 212)
#     # TOTAL: 7
#     # PASS:  7
#     # FAIL:  0
#
# Usage: smoke.sh SRCDIR_OF_TESTS_FUZZ BUILDDIR_OF_TESTS_FUZZ HARNESS...
# Each run starts from the committed corpus (SRC/corpus/NAME, with
# SRC/dict/NAME.dict when there is one); what it adds goes to
# BUILD/smoke-corpus/NAME (emptied first), a crashing input to
# BUILD/smoke-artifacts/, the fuzzer's output to BUILD/smoke-logs/NAME.log.
set -u
src=$1 build=$2
shift 2
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-30}
case $seconds in ''|*[!0-9]*) echo "FUZZ_SECONDS must be a number of seconds, not '$seconds'" >&2; exit 1;; esac
case $timeout in ''|*[!0-9]*) echo "FUZZ_TIMEOUT must be a number of seconds, not '$timeout'" >&2; exit 1;; esac

UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export UBSAN_OPTIONS
mkdir -p "$build/smoke-artifacts" "$build/smoke-logs" || exit 1

total=0 pass=0 fail=0
for harness in "$@"; do
    name=${harness##*/}
    total=$((total + 1))
    work=$build/smoke-corpus/$name
    log=$build/smoke-logs/$name.log
    rm -rf "$work" && mkdir -p "$work" || exit 1
    # (the loop's list was expanded when it began: reusing "$@" here is safe)
    set -- -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/smoke-artifacts/$name-"
    [ -f "$src/dict/$name.dict" ] && set -- "$@" -dict="$src/dict/$name.dict"
    seeds=$src/corpus/$name
    [ -d "$seeds" ] || seeds=
    "$harness" "$@" "$work" ${seeds:+"$seeds"} >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corpus=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    line="${runs:-?} runs in ${time:-?} s; cov ${cov:-?}, ft ${ft:-?}; corpus ${corpus:-?}"
    if [ $status -eq 0 ] && ! grep -qE '^==[0-9]+==ERROR|runtime error:|^ERROR: libFuzzer' "$log"; then
        pass=$((pass + 1))
        echo "PASS: $name ($line)"
    else
        fail=$((fail + 1))
        echo "FAIL: $name (exit status $status; $line; log $log)"
        grep -E 'ERROR|runtime error:|SUMMARY|Test unit written|^    #[0-9]' "$log" | head -n 30 | sed 's/^/    /'
    fi
done
echo "# TOTAL: $total"
echo "# PASS:  $pass"
echo "# FAIL:  $fail"
[ $fail -eq 0 ]
