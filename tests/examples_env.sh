# SPDX-License-Identifier: GPL-3.0-or-later
# examples_env.sh: sourced by tests/docs.sh and tests/help_examples.sh,
# which run the commands that the documents and --help texts show.  Sets
# LC_ALL, top_srcdir and top_builddir (absolute), brisk (the program),
# limit (a timeout prefix, or empty), work (a temporary directory removed
# at exit, named after $examples_name), stamp (a file older than anything
# an example writes) and $work/bin/brisk (the program as `brisk` on the
# PATH).
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
case $top_srcdir in /*) ;; *) top_srcdir=$(cd "$top_srcdir" && pwd) ;; esac
case $top_builddir in /*) ;; *) top_builddir=$(cd "$top_builddir" && pwd) ;; esac
brisk="${BRISK:-$top_builddir/tools/brisk}"
case $brisk in /*) ;; *) brisk="$(pwd)/$brisk" ;; esac

if [ ! -x "$brisk" ]; then
    echo "Bail out! no brisk program at $brisk (set top_builddir or BRISK)"
    exit 1
fi
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 300"
else
    limit=
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/brisk-$examples_name.XXXXXX") || {
    echo "Bail out! cannot create a temporary directory"
    exit 1
}
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
stamp="$work/stamp"
: >"$stamp"

mkdir "$work/bin" || exit 1
printf '#!/bin/sh\nexec "%s" "$@"\n' "$brisk" >"$work/bin/brisk"
chmod +x "$work/bin/brisk"

# The last test of both: nothing written into the source tree through the
# links (with the caller's tap).
source_untouched_test() {
    written=$(find "$top_srcdir/doc" "$top_srcdir/surveys" "$top_srcdir/tests/data" \
        "$top_srcdir/tests/reference" -newer "$stamp" \( -type f -o -type d \) 2>/dev/null |
        head -n 5)
    if [ -z "$written" ]; then
        tap ok "the examples wrote nothing into the source tree"
    else
        tap not-ok "the examples wrote nothing into the source tree"
        echo "$written" | sed 's/^/#   written: /'
    fi
}
