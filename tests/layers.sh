#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The layers of lib/ include only downward (doc/architecture.md): every
# '#include "..."' (and <brisk...>) of a file under lib/<layer>/ must name a header of a
# layer that <layer> may use.  Prints TAP (run by 'make check').
#
#   top_srcdir=/path/to/src sh tests/layers.sh
#
# A header is placed in a layer by its folder ("sem/resample.h" is sem's;
# a name without a folder is the including file's own folder's), and a
# public header (lib/brisk/NAME.h, included as "brisk/NAME.h" or, from
# another public header, "NAME.h") by the table below.  The umbrella
# "brisk.h" is for programs, not for the library.

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"

# What each layer may include, lowest first.  An entry is a layer or one
# header ("brisk/syntax.h": the survey parses its [model] section with the
# SEM engine's syntax parser and uses nothing else of sem).
allowed() {
    case $1 in
    core)     echo "core" ;;
    data)     echo "core data" ;;
    export)   echo "core export" ;;
    stats)    echo "core data stats" ;;
    sem)      echo "core data stats sem" ;;
    qual)     echo "core data qual" ;;
    survey)   echo "core data stats survey brisk/syntax.h" ;;
    sim)      echo "core data stats sem survey export sim" ;;
    analysis) echo "core data stats sem survey qual export analysis" ;;
    report)   echo "core data stats sem survey qual export analysis report" ;;
    *)        echo "" ;;
    esac
}

# The layer of a public header.
public_layer() {
    case $1 in
    error.h | io.h | version.h) echo core ;;
    dataset.h | expr.h) echo data ;;
    table.h) echo export ;;
    stats.h | regress.h) echo stats ;;
    syntax.h | model.h | predict.h) echo sem ;;
    survey.h) echo survey ;;
    qual.h) echo qual ;;
    sim.h) echo sim ;;
    analysis.h) echo analysis ;;
    report.h) echo report ;;
    *) echo unknown ;;
    esac
}

layers="core data export stats sem qual survey sim analysis report"

# check_files ROOT LAYER FILES...: prints a diagnostic line per forbidden
# include ("file:line: ...") of the files, which belong to LAYER.
check_files() {
    root=$1 layer=$2
    shift 2
    ok_list=$(allowed "$layer")
    for file in "$@"; do
        folder=$(basename "$(dirname "$file")")
        grep -n -e '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
                -e '^[[:space:]]*#[[:space:]]*include[[:space:]]*<brisk' "$file" |
        sed 's/^\([0-9]*\):[^"<]*["<]\([^">]*\)[">].*/\1 \2/' |
        while read -r line header; do
            case $header in
            brisk.h) target=umbrella ;;
            brisk/*) target=$(public_layer "${header#brisk/}") ;;
            */*) target=${header%%/*} ;;
            *) if [ "$folder" = brisk ]; then
                   target=$(public_layer "$header")
                   header=brisk/$header
               else
                   target=$folder
               fi ;;
            esac
            allowed_here=no
            for a in $ok_list; do
                if [ "$a" = "$target" ] || [ "$a" = "$header" ]; then
                    allowed_here=yes
                fi
            done
            if [ $allowed_here = no ]; then
                echo "${file#"$root"/}:$line: includes \"$header\" ($target), but $layer may include only: $ok_list"
            fi
        done
    done
}

# check_tree ROOT: every layer's files, and each public header as part of
# its own layer.  Prints TAP lines from number $2 on; returns the count of
# failed layers.
check_tree() {
    root=$1 n=$2 failed=0
    for layer in $layers; do
        n=$((n + 1))
        files=$(ls "$root/lib/$layer"/*.c "$root/lib/$layer"/*.h 2>/dev/null)
        for h in "$root"/lib/brisk/*.h; do
            [ -e "$h" ] || continue
            [ "$(public_layer "$(basename "$h")")" = "$layer" ] && files="$files $h"
        done
        # shellcheck disable=SC2086
        problems=$(check_files "$root" "$layer" $files)
        if [ -n "$problems" ]; then
            echo "not ok $n - lib/$layer includes only downward"
            echo "$problems" | sed 's/^/# /'
            failed=$((failed + 1))
        else
            echo "ok $n - lib/$layer includes only downward"
        fi
    done
    return $failed
}

# Every folder of lib/ and every public header has a place in the table.
unplaced=""
for dir in "$top_srcdir"/lib/*/; do
    name=$(basename "$dir")
    [ "$name" = brisk ] && continue
    case " $layers " in *" $name "*) ;; *) unplaced="$unplaced lib/$name/" ;; esac
done
for h in "$top_srcdir"/lib/brisk/*.h; do
    [ "$(public_layer "$(basename "$h")")" = unknown ] && unplaced="$unplaced ${h#"$top_srcdir"/}"
done

nlayers=$(echo $layers | wc -w)
echo "1..$((nlayers + 2))"
check_tree "$top_srcdir" 0
if [ -z "$unplaced" ]; then
    echo "ok $((nlayers + 1)) - every folder of lib/ and every public header has a layer"
else
    echo "not ok $((nlayers + 1)) - every folder of lib/ and every public header has a layer"
    echo "# not in tests/layers.sh:$unplaced"
fi

# The check itself: a tree with an upward include (stats -> sem, through
# a public header and through a folder) must fail, naming file and line.
work=$(mktemp -d "${TMPDIR:-/tmp}/brisk-layers.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib/stats" "$work/lib/brisk"
printf '#include <math.h>\n#include "brisk/model.h"\n#include "sem/sem_ml.h"\n#include <brisk/survey.h>\n' \
    >"$work/lib/stats/bad.c"
caught=$(check_tree "$work" 0 | grep -c '^# lib/stats/bad.c:[234]: includes')
if [ "$caught" -eq 3 ]; then
    echo "ok $((nlayers + 2)) - an upward include is caught and named by file and line"
else
    echo "not ok $((nlayers + 2)) - an upward include is caught and named by file and line"
    echo "# expected 3 diagnostics for lib/stats/bad.c, got $caught"
fi
