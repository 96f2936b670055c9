#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every example of `brisk COMMAND --help`, run as a test, so that the
# examples a user copies from the help work.  Prints TAP; run by
# `make check` with top_srcdir and top_builddir set, or by hand:
#
#   top_srcdir=. top_builddir=/tmp/build sh tests/help_examples.sh
#
# BRISK=/path/to/brisk overrides the program; COMMANDS="fit regress"
# checks only those commands.
#
# THE CONVENTION.  A command's --help ends in a block headed "Example:" or
# "Examples:"; every line of it, indented by two spaces, is a command
# that starts with `brisk`, and a line ending in a backslash goes on over
# the next.  The files it names are named by their path from the top of
# the source tree (tests/data/, doc/examples/, surveys/<name>/), never by
# a bundled survey's name, which works only after `make install`.
#
# - Each example runs with sh in a directory of its own that looks like
#   the top of the source tree (doc/, tests/ and surveys/ are links to
#   it; `brisk` on the PATH is the program built), with BRISK_SURVEYS
#   unset.  A relative output (-o FILE) lands in that directory and
#   vanishes with it.
# - It must exit with status 0, within 300 seconds, with no sanitizer
#   report on standard error; a file it names with -o/--output must then
#   exist and not be empty.  A failure names the command, the line of its
#   --help and the example.
# - Every command listed by `brisk --help` must show at least one example.
# - An example that writes a picture (-o *.svg, *.png, *.pdf) is skipped
#   when Graphviz's dot is not installed.
# - At the end no example may have written into the source tree.

unset BRISK_SURVEYS
examples_name=help
. "$(cd "$(dirname "$0")" && pwd)/examples_env.sh"

# extract.awk reads a --help text and writes, for its k-th example, k.cmd
# (the command, its continuation lines joined) and k.line (the line of
# the help where it starts); it prints the number of examples.
cat >"$work/extract.awk" <<'EOF'
function finish() {
    if (cmd == "") return
    n++
    printf "%s\n", cmd > (dir "/" n ".cmd"); close(dir "/" n ".cmd")
    printf "%s\n", where > (dir "/" n ".line"); close(dir "/" n ".line")
    cmd = ""
}
/^Examples?:[ \t]*$/ { inex = 1; next }
inex && /^  / {
    t = $0; sub(/^ +/, "", t)
    if (cmd == "") where = NR
    else t = " " t
    goes_on = sub(/[ \t]*\\$/, "", t)
    cmd = cmd t
    if (!goes_on) finish()
    next
}
inex { finish(); inex = 0 }
END { finish(); print n + 0 }
EOF

# output.awk prints the files an example names with -o FILE, -oFILE,
# --output FILE or --output=FILE (a word quoted as a whole is unquoted).
cat >"$work/output.awk" <<'EOF'
function unq(w) { if (w ~ /^'.*'$/ || w ~ /^".*"$/) w = substr(w, 2, length(w) - 2); return w }
{
    for (i = 1; i <= NF; i++) {
        if (($i == "-o" || $i == "--output") && i < NF) print unq($(i + 1))
        else if ($i ~ /^--output=/) print unq(substr($i, 10))
        else if ($i ~ /^-o[^-]/) print unq(substr($i, 3))
    }
}
EOF

t=0
failed=0
nrun=0
nskip=0

tap() {     # tap ok|not-ok NAME [DIRECTIVE]
    t=$((t + 1))
    if [ "$1" = ok ]; then
        echo "ok $t - $2${3:+ # $3}"
    else
        failed=$((failed + 1))
        echo "not ok $t - $2"
    fi
}

# The commands, as `brisk --help` lists them.
if [ -n "${COMMANDS:-}" ]; then
    commands=$COMMANDS
else
    commands=$("$brisk" --help | awk '/^Commands:/ { on = 1; next }
        on && /^[ \t]*$/ { exit }
        on && /^  [a-z]/ { print $1 }')
fi
if [ -z "$commands" ]; then
    echo "Bail out! 'brisk --help' lists no commands"
    exit 1
fi

for c in $commands; do
    d="$work/$c"
    mkdir "$d" || exit 1
    if ! "$brisk" "$c" --help >"$d/help" 2>"$d/help.err"; then
        tap not-ok "$c --help exits with status 0"
        sed -n '1,5s/^/#   /p' "$d/help.err"
        continue
    fi
    count=$(awk -v dir="$d" -f "$work/extract.awk" "$d/help")
    if [ "$count" -gt 0 ]; then
        tap ok "$c --help shows examples ($count)"
    else
        tap not-ok "$c --help shows examples"
        echo "#   no 'Example:' or 'Examples:' block with an indented command"
        continue
    fi

    k=1
    while [ "$k" -le "$count" ]; do
        e="$d/$k"
        k=$((k + 1))
        cmd=$(cat "$e.cmd")
        # a '#' of the command could pass for a TAP directive: escape it
        name="brisk $c --help, line $(cat "$e.line"): $(echo "$cmd" | cut -c 1-100 | sed 's/#/\\#/g')"
        case $cmd in
        brisk\ *) ;;
        *)
            tap not-ok "$name"
            echo "#   an example must be a brisk command"
            continue ;;
        esac
        outputs=$(awk -f "$work/output.awk" "$e.cmd")
        if echo "$outputs" | grep -Eq '\.(svg|png|pdf)$' && ! command -v dot >/dev/null 2>&1; then
            nskip=$((nskip + 1))
            tap ok "$name" "SKIP needs dot (Graphviz)"
            continue
        fi
        tree="$e.tree"
        mkdir "$tree" || exit 1
        for f in doc tests surveys; do ln -s "$top_srcdir/$f" "$tree/$f"; done
        (cd "$tree" && PATH="$work/bin:$PATH" $limit sh "$e.cmd") \
            >"$e.out" 2>"$e.err" </dev/null
        got=$?
        nrun=$((nrun + 1))
        problem=
        crash=$(grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$e.err" | head -n 1)
        if [ -n "$crash" ]; then
            problem="sanitizer report: $crash"
        elif [ "$got" = 124 ] && [ -n "$limit" ]; then
            problem="timed out"
        elif [ "$got" != 0 ]; then
            problem="exit status $got, expected 0"
        else
            for o in $outputs; do
                case $o in -) continue ;; /*) p=$o ;; *) p=$tree/$o ;; esac
                if [ ! -s "$p" ]; then
                    problem="it wrote no output file $o"
                    break
                fi
            done
        fi
        if [ -z "$problem" ]; then
            tap ok "$name"
        else
            tap not-ok "$name"
            echo "#   $problem; the command, run from the top of the source tree:"
            echo "#     $cmd"
            sed -n '1,20s/^/#   /p' "$e.err"
        fi
    done
done

source_untouched_test

echo "1..$t"
echo "# examples: $((nrun + nskip)): $nrun run, $nskip skipped"
echo "# $failed of $t tests failed (program: $brisk)"
exit 0
