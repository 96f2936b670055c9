#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What `make install` put in place, used as a user would: run by `make
# installcheck` (installcheck-local in Makefile.am, so inside `make
# distcheck` too) after `make install`, with or without DESTDIR:
#
#   make install DESTDIR=/tmp/stage && make installcheck DESTDIR=/tmp/stage
#
# Checks that the headers, libbrisk, brisk.pc, the man pages, the surveys
# and the example sources are installed; that `pkg-config --cflags --libs
# brisk gsl` (from the installed brisk.pc; with DESTDIR through
# PKG_CONFIG_SYSROOT_DIR) compiles and links the installed examples, which
# then run on the installed library and print lavaan's estimates; that
# `man brisk-fit` finds the installed page (MANPATH); and that the
# installed brisk describes an installed survey by its name (with DESTDIR
# through BRISK_SURVEYS, since the program looks in its configured
# $(pkgdatadir); without it, in the configured place itself).
#
# The Makefile passes DESTDIR, bindir, libdir, includedir, mandir,
# pkgdatadir, docdir, VERSION, CC, CFLAGS, LDFLAGS (a sanitizer build's
# flags, so that its examples link) and top_srcdir.  Prints one PASS/FAIL/SKIP
# line per check and automake's summary ("# PASS:  N"), which .ci/run
# counts; exits 1 when a check failed.

LC_ALL=C
export LC_ALL
: "${DESTDIR=}" "${CC:=cc}" "${CFLAGS=}" "${LDFLAGS=}" "${PKG_CONFIG:=pkg-config}"
for v in bindir libdir includedir mandir pkgdatadir docdir VERSION top_srcdir; do
    eval "val=\${$v-}"
    if [ -z "$val" ]; then
        echo "installcheck.sh: $v is not set (run it through make installcheck)" >&2
        exit 1
    fi
done
bin=$DESTDIR$bindir lib=$DESTDIR$libdir inc=$DESTDIR$includedir
man=$DESTDIR$mandir data=$DESTDIR$pkgdatadir doc=$DESTDIR$docdir

tmp=$(mktemp -d "${TMPDIR:-/tmp}/brisk-installcheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

npass=0 nfail=0 nskip=0
result() {  # result PASS|FAIL|SKIP NAME [WHY-FILE]
    echo "$1: installcheck: $2"
    case $1 in
    PASS) npass=$((npass + 1)) ;;
    SKIP) nskip=$((nskip + 1)) ;;
    *) nfail=$((nfail + 1)); [ -n "${3-}" ] && sed 's/^/#   /' "$3" ;;
    esac
}
check() {   # check NAME COMMAND...
    name=$1; shift
    if "$@" >"$tmp/why" 2>&1; then result PASS "$name"; else result FAIL "$name" "$tmp/why"; fi
}
exists() {  # exists FILE...: every one installed
    for f in "$@"; do [ -f "$f" ] || { echo "not installed: $f"; return 1; }; done
}

# ------------------------------------------------------------ the files
headers() {
    exists "$inc/brisk.h" || return 1
    # every header the umbrella includes
    for h in $(sed -n 's/^#include "\(brisk\/[a-z_]*\.h\)"$/\1/p' "$inc/brisk.h"); do
        exists "$inc/$h" || return 1
    done
}
check "headers: brisk.h and brisk/*.h in $inc" headers
check "library: libbrisk.so in $lib" exists "$lib/libbrisk.so"
check "pkg-config file: $lib/pkgconfig/brisk.pc" exists "$lib/pkgconfig/brisk.pc"
check "man pages: brisk.1 and brisk-fit.1 in $man/man1" \
    exists "$man/man1/brisk.1" "$man/man1/brisk-fit.1"
check "surveys: rongcheng in $data/surveys" \
    exists "$data/surveys/rongcheng/rongcheng.survey" "$data/surveys/rongcheng/rongcheng.csv"
check "example sources in $doc/examples" \
    exists "$doc/examples/fit_hs.c" "$doc/examples/describe_survey.c"

# ------------------------------------------------------------ pkg-config
pc() {      # the installed brisk.pc, as a user's pkg-config reads it
    if [ -n "$DESTDIR" ]; then
        PKG_CONFIG_PATH="$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
            PKG_CONFIG_SYSROOT_DIR="$DESTDIR" "$PKG_CONFIG" "$@"
    else
        PKG_CONFIG_PATH="$lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" "$PKG_CONFIG" "$@"
    fi
}
pc_flags() {
    [ "$(pc --modversion brisk)" = "$VERSION" ] || { echo "version: $(pc --modversion brisk)"; return 1; }
    flags=$(pc --cflags --libs brisk) || return 1
    echo "$flags"
    # the installed folders, unless pkg-config leaves them out as the system's
    case " $flags " in *" -lbrisk "*) ;; *) return 1 ;; esac
    case $inc in /usr/include) ;; *) case " $flags " in *" -I$inc "*) ;; *) return 1 ;; esac ;; esac
    case $lib in /usr/lib*) ;; *) case " $flags " in *" -L$lib "*) ;; *) return 1 ;; esac ;; esac
}
check "pkg-config --modversion brisk is $VERSION; --cflags --libs brisk name the installed folders" \
    pc_flags

# ------------------------------------------------------------ the examples
build() {   # build NAME: compile the installed example with pkg-config's flags
    cp "$doc/examples/$1.c" "$tmp/$1.c" &&
        $CC $CFLAGS -std=c11 -Wall -Wextra -Werror $(pc --cflags brisk gsl) -o "$tmp/$1" \
            "$tmp/$1.c" $LDFLAGS $(pc --libs brisk gsl)
}
check "examples/fit_hs.c compiles and links against the installed libbrisk" build fit_hs
check "examples/describe_survey.c compiles and links against the installed libbrisk" \
    build describe_survey

run_fit() { # the x2 loading of the Holzinger-Swineford CFA, lavaan's 0.553500 (SE 0.099665)
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$tmp/fit_hs" "$top_srcdir/tests/data/hs.csv" >"$tmp/fit" || return 1
    grep -E '^visual +=~ x2 +0\.553500 +0\.099665$' "$tmp/fit" ||
        { cat "$tmp/fit"; return 1; }
    # and it runs on the installed library, not on the build's
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" LD_TRACE_LOADED_OBJECTS=1 \
        "$tmp/fit_hs" | grep -F "$lib/libbrisk.so"
}
check "the installed fit_hs prints lavaan's loading of x2 (0.553500, SE 0.099665)" run_fit

run_describe() {    # tg1 of the installed Rongcheng survey: n 586, weighted mean 3.934398 (R survey)
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$tmp/describe_survey" "$data/surveys/rongcheng/rongcheng.survey" >"$tmp/describe" ||
        return 1
    grep -E '^[^,]*,trust,tg1,586,14,3\.93439830428626' "$tmp/describe" ||
        { head -n 5 "$tmp/describe"; return 1; }
}
check "the installed describe_survey describes the installed rongcheng survey (tg1: n 586, mean 3.934398)" \
    run_describe

# ------------------------------------------------------------ man
man_page() {
    found=$(MANPATH="$man" man -w brisk-fit) || return 1
    [ "$found" = "$man/man1/brisk-fit.1" ] || { echo "man -w brisk-fit: $found"; return 1; }
    MANPATH="$man" MANPAGER=cat MANWIDTH=80 man brisk-fit 2>/dev/null >"$tmp/man" &&
        grep -q 'brisk-fit - fit a structural equation model' "$tmp/man" ||
        { head -n 10 "$tmp/man"; return 1; }
}
if command -v man >/dev/null 2>&1; then
    check "MANPATH=$man man brisk-fit finds and shows the installed page" man_page
else
    result SKIP "man brisk-fit (man is not installed: Debian package man-db)"
fi

# ------------------------------------------------------------ the program
run_brisk() {
    if [ -n "$DESTDIR" ]; then      # staged: the configured $(pkgdatadir) is not there yet
        BRISK_SURVEYS="$data/surveys" LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
            "$bin/brisk" describe rongcheng --format csv >"$tmp/brisk" || return 1
    else                            # installed: found where the program was configured to look
        (unset BRISK_SURVEYS; LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
            "$bin/brisk" describe rongcheng --format csv) >"$tmp/brisk" || return 1
    fi
    grep -E '^[^,]*,trust,tg1,586,14,3\.93439830428626' "$tmp/brisk" || { head -n 5 "$tmp/brisk"; return 1; }
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bin/brisk" --version |
        grep -x "brisk $VERSION"
}
check "the installed brisk describes the installed survey by name: brisk describe rongcheng" run_brisk

echo "# TOTAL: $((npass + nfail + nskip))"
echo "# PASS:  $npass"
echo "# SKIP:  $nskip"
echo "# XFAIL: 0"
echo "# FAIL:  $nfail"
echo "# XPASS: 0"
echo "# ERROR: 0"
[ "$nfail" -eq 0 ]
