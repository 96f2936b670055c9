#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bad-input corpus: run brisk on every case of tests/bad/EXPECTED and
# check its exit status, its message, that it did not crash or trip a
# sanitizer, and that it left no output or temporary file behind.
# Prints TAP (run by 'make check' through automake's tap-driver).
#
#   top_builddir=/path/to/build top_srcdir=/path/to/src sh tests/bad/bad.sh
#
# Both variables default to two levels above this script (an in-tree
# build).  BRISK=/path/to/brisk overrides the program.  See README.md.

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
bad="$top_srcdir/tests/bad"
manifest="$bad/EXPECTED"
brisk="${BRISK:-$top_builddir/tools/brisk}"

if [ ! -r "$manifest" ]; then
    echo "1..0 # SKIP no manifest at $manifest"
    exit 0
fi
if [ ! -x "$brisk" ]; then
    echo "Bail out! no brisk program at $brisk (set top_builddir or BRISK)"
    exit 1
fi
case $brisk in /*) ;; *) brisk="$(pwd)/$brisk" ;; esac

# Guard against a case that hangs the reader.
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 20"
else
    limit=
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/brisk-bad.XXXXXX") || {
    echo "Bail out! cannot create a temporary directory"
    exit 1
}
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
gen="$work/gen"      # inputs generated at test time (too big to commit)
log="$work/log"      # standard output and error of the case being run
mkdir "$gen" "$log" || exit 1

# ------------------------------------------------------------ generated inputs
# Each is made only when a case names it.

repeat_x() {    # $1 bytes of 'x'
    head -c "$1" /dev/zero | tr '\0' x
}

le16() {        # a number as 2 bytes, least significant first
    printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))"
}
le32() {
    le16 $(($1 & 65535))
    le16 $((($1 >> 16) & 65535))
}

# A zip bomb: one entry, project.qde, of 300 MiB of zeros, deflated to
# about 300 KB.  gzip's deflate stream and CRC go into zip's headers.
zip_bomb() {    # zip_bomb PATH
    size=314572800
    head -c $size /dev/zero | gzip -9 -n >"$1.gz" || return 1
    comp=$(($(wc -c <"$1.gz") - 18))   # less gzip's 10-byte header, 8-byte trailer
    {
        printf 'PK\003\004'; le16 20; le16 0; le16 8; le16 0; le16 33   # 1980-01-01
        tail -c 8 "$1.gz" | head -c 4; le32 $comp; le32 $size; le16 11; le16 0
        printf project.qde
        tail -c +11 "$1.gz" | head -c $comp
        printf 'PK\001\002'; le16 20; le16 20; le16 0; le16 8; le16 0; le16 33
        tail -c 8 "$1.gz" | head -c 4; le32 $comp; le32 $size; le16 11; le16 0; le16 0
        le16 0; le16 0; le32 0; le32 0; printf project.qde
        printf 'PK\005\006'; le16 0; le16 0; le16 1; le16 1; le32 57; le32 $((41 + comp))
        le16 0
    } >"$1"
    rm -f "$1.gz"
}

generate() {    # generate FILE NAME into $gen; false when unknown
    case $1 in
    big-field.csv)          # one 5 MB unquoted field (limit: 1 MiB)
        { printf 'id,comment,tg1\n1,'; repeat_x 5000000; printf ',4\n'; } >"$gen/$1" ;;
    big-quoted-field.csv)   # a quote opened and never closed, 5 MB on
        { printf 'id,comment,tg1\n1,"'; repeat_x 5000000; printf ',4\n2,ok,3\n'; } >"$gen/$1" ;;
    many-columns.csv)       # 100,001 columns (limit: 100,000)
        awk 'BEGIN { for (j = 1; j <= 100001; j++) printf "%sv%d", (j > 1 ? "," : ""), j;
                     printf "\n" }' >"$gen/$1" ;;
    late-ragged.csv)        # a short row on line 30002, far past the first 64 KiB chunk
        awk 'BEGIN { print "id,age,tg1,comment";
                     for (i = 1; i <= 30000; i++) printf "%d,%d,%d,\"row %d\"\n", i, 18 + i % 60, 1 + i % 5, i;
                     print "30001,44,\"3\"" }' >"$gen/$1" ;;
    deep-parentheses.lav)   # := nested 50,000 parentheses deep (limit: 256)
        { printf 'f =~ x1 + a*x2 + b*x3\nd := '; repeat_x 50000 | tr x '(';
          printf 'a'; repeat_x 50000 | tr x ')'; printf '\n'; } >"$gen/$1" ;;
    many-minuses.lav)       # := with a million unary minuses
        { printf 'f =~ x1 + a*x2 + b*x3\nd := '; repeat_x 1000000 | tr x -;
          printf 'a\n'; } >"$gen/$1" ;;
    power-chain.lav)        # := a^a^a^... 100,000 long
        { printf 'f =~ x1 + a*x2 + b*x3\nd := a'; repeat_x 100000 | sed 's/x/^a/g';
          printf '\n'; } >"$gen/$1" ;;
    huge-model.lav)         # 17 MiB of model text (limit: 16 MiB)
        { printf 'f =~ x1 + x2 + x3\n'; repeat_x 17000000 | tr x ' '; printf '\n'; } >"$gen/$1" ;;
    many-behaviours.survey) # 201 behaviours (limit: 200)
        { printf '[survey]\ndata = base.csv\nid = id\n\n[behaviours]\n';
          awk 'BEGIN { for (i = 1; i <= 201; i++) printf "b%d = Behaviour %d\n", i, i }'
          printf '\n[items]\ntg1 = Trust\n'; } >"$gen/$1" ;;
    zero-stream.csv)        # an endless stream of NUL bytes as the data
        ln -s /dev/zero "$gen/$1" ;;
    full-device.csv | full-device.xlsx | full-device.sav)   # output to a full device (renaming over it
        ln -s /dev/full "$gen/$1" ;;       # would replace the link: written directly)
    folder.csv | folder.survey)     # a folder where a file is expected
        mkdir "$gen/$1" ;;
    interviews/zip-bomb.qdpx)   # 300 MiB in one entry (limit: 256 MiB), from a 300 KB file
        mkdir -p "$gen/interviews" && zip_bomb "$gen/$1" ;;
    unreadable.csv)         # no read permission
        printf 'id,age\n1,34\n' >"$gen/$1" && chmod 000 "$gen/$1" ;;
    *)
        return 1 ;;
    esac
}

# The path of a case's file: committed in tests/bad, or generated.
case_file() {
    if [ -z "$1" ]; then
        echo "$bad/.missing-file"
    elif [ -e "$bad/$1" ]; then
        echo "$bad/$1"
    elif [ -e "$gen/$1" ] || generate "$1"; then
        echo "$gen/$1"
    else
        echo "$bad/$1"     # a case about a missing file
    fi
}

# ------------------------------------------------------------ checks

# Output paths a command names with -o/--output (one per line).
output_paths() {
    prev=
    for a in "$@"; do
        case $prev in -o|--output) echo "$a" ;; esac
        case $a in
        --output=*) echo "${a#--output=}" ;;
        -o?*) echo "${a#-o}" ;;
        esac
        prev=$a
    done
}

# What a case left behind: files in its working directory, and outputs
# (or their temporaries and label companions) it names elsewhere.
leftovers() {   # leftovers RUNDIR ARGS...
    dir=$1
    shift
    (cd "$dir" && ls -A) | sed 's|^|./|'
    output_paths "$@" | while IFS= read -r out; do
        case $out in
        /*) ;;
        *) continue ;;     # relative: inside the working directory, seen above
        esac
        # (a folder, or a device such as /dev/full, was there before)
        [ -d "$out" ] || [ -c "$out" ] || { [ -e "$out" ] && echo "$out"; }
        for f in "$out".tmp* "$out".labels.csv*; do
            [ -e "$f" ] && echo "$f"
        done
    done
}

sanitizer_report() {    # the first line of stderr that shows a crash
    grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation|core dumped|Aborted' "$1" | head -n 1
}

short() {       # stderr of a case on one line, shortened
    tr '\n' ' ' <"$1" | cut -c 1-400
}

# ------------------------------------------------------------ run

ncases=$(grep -cv -e '^#' -e '^[[:space:]]*$' "$manifest")
echo "1..$ncases"
k=0
failed=0
uid=$(id -u 2>/dev/null || echo 1)

while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    k=$((k + 1))
    name=${line%%|*};   rest=${line#*|}
    status=${rest%%|*}; rest=${rest#*|}
    fragments=${rest%%|*}
    command=${rest#*|}
    file=${name%%#*}

    if [ "$file" = unreadable.csv ] && [ "$uid" = 0 ]; then
        echo "ok $k - $name # SKIP running as root: permissions are not enforced"
        continue
    fi

    # The command is split like shell words (quotes work) but must not do
    # anything else: no pipes, lists, redirections or expansions.
    case $command in
    *[\;\&\|\<\>\$\`]*)
        failed=$((failed + 1))
        echo "not ok $k - $name # the command may hold only words and quotes: $command"
        continue ;;
    esac

    path=$(case_file "$file")
    # {} stands for "$f"; the shell then splits the line as it would.
    f=$path
    cmd=$(printf '%s\n' "$command" | sed -e 's/{}/"$f"/g' -e 's/{bad}/"$bad"/g')
    eval "set -- $cmd"

    run="$work/run.$k"
    mkdir "$run"
    # The outer subshell catches the shell's own "Segmentation fault".
    ( (cd "$run" && $limit "$brisk" "$@") >"$log/out" 2>"$log/err" </dev/null ) 2>"$log/shell"
    got=$?
    cat "$log/shell" >>"$log/err"

    problem=
    crash=$(sanitizer_report "$log/err")
    if [ -n "$crash" ]; then
        problem="crashed or sanitizer report: $crash"
    elif [ "$got" = 124 ]; then
        problem="timed out"
    elif [ "$got" -gt 128 ]; then
        problem="killed by signal $((got - 128))"
    elif [ "$got" != "$status" ]; then
        problem="expected status $status"
    else
        # All fragments (separated by ' && ') must appear, as fixed
        # strings; a fragment starting with '!' must not.
        rest=$fragments
        while [ -n "$rest" ]; do
            frag=${rest%% && *}
            case $rest in *' && '*) rest=${rest#* && } ;; *) rest= ;; esac
            case $frag in
            '') ;;
            '!'*)
                if grep -qF -e "${frag#!}" "$log/err"; then
                    problem="stderr should not say '${frag#!}'"
                    break
                fi ;;
            *)
                if ! grep -qF -e "$frag" "$log/err"; then
                    problem="stderr lacks '$frag'"
                    break
                fi ;;
            esac
        done
    fi
    if [ -z "$problem" ]; then
        left=$(leftovers "$run" "$@" | tr '\n' ' ')
        [ -n "$left" ] && problem="left files behind: $left"
    fi

    if [ -z "$problem" ]; then
        echo "ok $k - $name"
    else
        failed=$((failed + 1))
        echo "not ok $k - $name # got status $got, $problem; stderr: $(short "$log/err")"
        echo "#   command: brisk $command"
    fi
    rm -rf "$run"
done <"$manifest"

[ "$k" = "$ncases" ] || echo "# counted $ncases cases but ran $k"
echo "# $failed of $k cases failed (program: $brisk)"
exit 0
