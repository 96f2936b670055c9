#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every example of the documentation, run as a test (as jq runs its
# manual's examples).  The examples are read from the documents
# themselves, so a document and its test cannot drift apart.  Prints TAP;
# run by `make check` with top_srcdir and top_builddir set, or by hand:
#
#   top_srcdir=. top_builddir=/tmp/build sh tests/docs.sh
#
# BRISK=/path/to/brisk overrides the program; DOCS="doc/brisk-fit.1 README"
# checks only those documents (paths from the top of the source tree).
#
# THE CONVENTION (doc/architecture.md, "A documented example").  The
# documents are README, doc/*.md, doc/*.1 and doc/examples/README.md.  In
# their display blocks (Markdown: fenced blocks and blocks indented by four
# spaces; README: indented blocks; man pages: .nf/.fi and .EX/.EE), a line
# that starts with "$ " is a command, and the lines after it, up to the
# next "$ " line or the end of the block, are its output:
#
#   $ brisk fit --data tests/data/hs.csv --model doc/examples/hs.lav
#   Model fit
#   ...
#
# - The command is run by sh from a directory that looks like the top of
#   the source tree (doc/ and tests/ are links to it, surveys/ a copy of
#   it; tools/brisk and `brisk` are the program built), with BRISK_SURVEYS
#   naming the bundled surveys, as after `make install`.  The examples of one document
#   run in order in the same directory, so a file one example writes the
#   next can read; files written there vanish with it.
# - A command goes on over the next line when its line ends in a
#   backslash or when it leaves a quote open.  In man pages the roff
#   escapes (\-, \e, \(aq, \&, \[uXXXX] ...) are undone first.
# - It must exit with status 0, unless it ends in a comment
#   "# exit status N".
# - Output shown is checked against what the command prints: its standard
#   output followed by its standard error.  Lines are compared exactly
#   (blanks at the end of a line, and empty lines at the end of the
#   output, aside), except that a line holding only
#   "..." stands for any number of lines, none included, and "..." within
#   a line (with the blanks around it) for any text.  So a document shows a
#   whole output exactly, or the lines it cares about in order with "..."
#   where it leaves lines or columns out.
# - A command shown without output is run, and only its exit status is
#   checked ("run only" in the TAP output).  Every command runs as the
#   document writes it, never with fewer draws or replications: the
#   documents keep their examples cheap (the dearest, 2,000 bootstrap
#   draws of the Rongcheng survey, takes a few seconds).  A sanitizer's
#   report on standard error fails an example whatever its status.
# - A command that needs a program that is not installed (jq, python3,
#   Rscript; Graphviz's dot for -o *.svg, *.png, *.pdf) is skipped.
#
# Besides, for each document: a display-block line that starts with
# `brisk` or `tools/brisk` but is not marked with "$ " fails, so every
# command the documents show is run; and at the end no example may have
# written into the source tree.

examples_name=docs
. "$(cd "$(dirname "$0")" && pwd)/examples_env.sh"

# ------------------------------------------------------------ extraction
# extract.awk reads one document and writes, for its k-th example,
# k.cmd (the command), k.line (its line in the document) and, when the
# document shows output, k.exp; unmarked command lines go to "lint".
cat >"$work/extract.awk" <<'EOF'
function repl(s, from, to,    i, r) {
    r = ""
    while ((i = index(s, from)) > 0) {
        r = r substr(s, 1, i - 1) to
        s = substr(s, i + length(from))
    }
    return r s
}
function utf8(n) {                # the UTF-8 bytes of code point n
    if (n < 128) return sprintf("%c", n)
    if (n < 2048) return sprintf("%c%c", 192 + int(n / 64), 128 + n % 64)
    if (n < 65536)
        return sprintf("%c%c%c", 224 + int(n / 4096), 128 + int(n / 64) % 64, 128 + n % 64)
    return sprintf("%c%c%c%c", 240 + int(n / 262144), 128 + int(n / 4096) % 64,
                   128 + int(n / 64) % 64, 128 + n % 64)
}
function unicode(s,    i, r, h, n, k) {    # \[uXXXX] escapes
    r = ""
    while ((i = index(s, "\\[u")) > 0) {
        h = substr(s, i + 3); k = index(h, "]")
        if (k < 5 || k > 7) { r = r substr(s, 1, i + 2); s = substr(s, i + 3); continue }
        n = 0; h = toupper(substr(h, 1, k - 1))
        while (h != "") { n = n * 16 + index("0123456789ABCDEF", substr(h, 1, 1)) - 1; h = substr(h, 2) }
        r = r substr(s, 1, i - 1) utf8(n)
        s = substr(s, i + 3 + k)
    }
    return r s
}
function unroff(s) {
    s = unicode(s)
    s = repl(s, "\\e", "\001")
    s = repl(s, "\\-", "-");   s = repl(s, "\\&", "")
    s = repl(s, "\\(aq", "'"); s = repl(s, "\\(dq", "\"")
    s = repl(s, "\\(ga", "`"); s = repl(s, "\\(ha", "^")
    s = repl(s, "\\(ti", "~"); s = repl(s, "\\(en", "\342\200\223")
    s = repl(s, "\\(em", "\342\200\224"); s = repl(s, "\\ ", " ")
    s = repl(s, "\\['e]", "\303\251"); s = repl(s, "\\('e", "\303\251")
    s = repl(s, "\\fB", "");   s = repl(s, "\\fI", "")
    s = repl(s, "\\fR", "");   s = repl(s, "\\fP", "")
    return repl(s, "\001", "\\")
}
function goes_on(c,    i, ch, sq, dq, prev) {   # a quote open, or a backslash at the end
    sq = dq = 0; prev = "\n"
    for (i = 1; i <= length(c); i++) {
        ch = substr(c, i, 1)
        if (sq) { if (ch == "'") sq = 0 }
        else if (ch == "\\") { i++; ch = substr(c, i, 1); if (ch == "") return 1 }
        else if (dq) { if (ch == "\"") dq = 0 }
        else if (ch == "'") sq = 1
        else if (ch == "\"") dq = 1
        else if (ch == "#" && prev ~ /[ \t\n;|&(]/) {     # a comment, to the end of the line
            while (i < length(c) && substr(c, i + 1, 1) != "\n") i++
        }
        prev = ch
    }
    return sq || dq
}
function finish(    i, f) {
    if (!inex) return
    while (nout > 0 && out[nout] ~ /^[ \t]*$/) nout--
    n++
    f = dir "/" n
    printf "%s\n", cmd > (f ".cmd"); close(f ".cmd")
    printf "%s\n", where > (f ".line"); close(f ".line")
    if (nout > 0) {
        for (i = 1; i <= nout; i++) printf "%s\n", out[i] > (f ".exp")
        close(f ".exp")
    }
    inex = 0; nout = 0
}
function line(text, lineno) {
    if (incmd) {
        cmd = cmd "\n" text
        incmd = goes_on(cmd)
        return
    }
    if (text ~ /^\$ /) {
        finish()
        inex = 1; nout = 0; where = lineno
        cmd = substr(text, 3)
        incmd = goes_on(cmd)
        return
    }
    if (inex) { out[++nout] = text; return }
    # (a message, "brisk fit: ...", is output, not a command)
    if (text ~ /^[ \t]*([A-Za-z_][A-Za-z0-9_]*=[^ ]* +)*(tools\/)?brisk( |$)/ &&
        text !~ /^[ \t]*brisk [a-z-]+: /)
        printf "%s:%d: %s\n", doc, lineno, text >> (dir "/lint")
}
function end_block() { finish(); incmd = 0; inblock = 0 }
function indented(    i, t) {    # a block indented by four spaces (README, Markdown)
    if ($0 ~ /^(    |\t)/) {
        if (blanks && inblock) for (i = 0; i < blanks; i++) line("", blankline + i)
        blanks = 0; inblock = 1
        t = $0; sub(/^(    |\t)/, "", t)
        line(t, FNR)
    } else if ($0 ~ /^[ \t]*$/) {
        if (inblock && blanks++ == 0) blankline = FNR
    } else {
        if (inblock) end_block()
        blanks = 0
    }
}

kind == "md" {
    if (!fenced && match($0, /^ *(```|~~~)/)) {
        if (inblock) end_block()
        blanks = 0
        fenced = inblock = 1; indent = RLENGTH - 3; fence = substr($0, RSTART + indent, 3)
        next
    }
    if (fenced && $0 ~ "^ *" fence) { end_block(); fenced = 0; next }
    if (fenced) {
        t = $0
        for (i = 0; i < indent && substr(t, 1, 1) == " "; i++) t = substr(t, 2)
        line(t, FNR)
    } else
        indented()
    next
}
kind == "man" {
    if ($0 ~ /^\.(nf|EX)( |$)/) { inblock = 1; next }
    if ($0 ~ /^\.(fi|EE)( |$)/) { end_block(); next }
    if (inblock && $0 !~ /^[.']/) line(unroff($0), FNR)
    next
}
kind == "text" { indented(); next }     # README
END { end_block(); print n + 0 }
EOF

# ------------------------------------------------------------ comparison
# match.awk EXPECTED ACTUAL: exit 0 when ACTUAL is what EXPECTED shows.
cat >"$work/match.awk" <<'EOF'
function trim_end(s) { sub(/[ \t\r]+$/, "", s); return s }
function one(p, a,    k, i, pieces, first, last, pos) {
    if (index(p, "...") == 0) return p == a
    k = split(p, pieces, /[ \t]*\.\.\.[ \t]*/)
    first = pieces[1]; last = pieces[k]
    if (substr(a, 1, length(first)) != first) return 0
    a = substr(a, length(first) + 1)
    for (i = 2; i < k; i++) {
        if (pieces[i] == "") continue
        pos = index(a, pieces[i])
        if (pos == 0) return 0
        a = substr(a, pos + length(pieces[i]))
    }
    return k == 1 || last == "" || (length(a) >= length(last) &&
        substr(a, length(a) - length(last) + 1) == last)
}
function key(s) { sub(/^[ \t]+/, "", s); return substr(s, 1, 12) }
FNR == NR { e[++m] = trim_end($0); next }
{ g[++n] = trim_end($0) }
END {
    while (n > 0 && g[n] == "") n--          # blank lines at the end do not count
    i = 1; j = 1; star = 0; far = 1
    while (j <= n) {
        if (i <= m && e[i] ~ /^[ \t]*\.\.\.[ \t]*$/) { star = i; mark = j; i++; if (i > far) far = i; continue }
        if (i <= m && one(e[i], g[j])) { i++; j++; if (i > far) far = i; continue }
        if (star) { i = star + 1; j = ++mark; continue }
        break
    }
    while (i <= m && e[i] ~ /^[ \t]*\.\.\.[ \t]*$/) i++
    if (j > n && i > m) exit 0
    # Say which line of the document was not found, and what is like it.
    if (far > m) printf "#   the output goes on after the document's last line\n"
    else {
        printf "#   %s:%d is not in the output where the document puts it:\n#     %s\n", doc, base + far, e[far]
        for (j = 1; j <= n; j++)
            if (key(g[j]) == key(e[far]) && key(g[j]) != "") { printf "#   the output has:\n#     %s\n", g[j]; break }
    }
    exit 1
}
EOF

# ------------------------------------------------------------ run
t=0
failed=0
nout=0
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

needs() {   # needs CMDFILE: the first program the example needs and lacks
    if grep -Eq -- '(-o|--output)[ =][^ ]*\.(svg|png|pdf)( |$)' "$1" &&
        ! command -v dot >/dev/null 2>&1; then
        echo "dot (Graphviz)"
        return
    fi
    for p in jq python3 Rscript; do
        if grep -Eq "(^|[|;&(] *)$p( |\$)" "$1" && ! command -v "$p" >/dev/null 2>&1; then
            echo "$p"
            return
        fi
    done
}

documents=${DOCS:-"README $(cd "$top_srcdir" && echo doc/*.1 doc/*.md doc/examples/*.md)"}
for doc in $documents; do
    case $doc in
    *.md) kind=md ;;
    *.[1-8]) kind=man ;;
    *) kind=text ;;
    esac
    d="$work/$(echo "$doc" | tr / _)"
    mkdir "$d" "$d/tree" "$d/tree/tools" || exit 1
    count=$(awk -v kind="$kind" -v doc="$doc" -v dir="$d" -f "$work/extract.awk" "$top_srcdir/$doc")
    if [ -s "$d/lint" ]; then
        tap not-ok "$doc: every brisk command shown is an example marked '\$ '"
        sed 's/^/#   unmarked: /' "$d/lint"
    elif [ "$count" -gt 0 ]; then
        tap ok "$doc: every brisk command shown is an example marked '\$ '"
    fi
    [ "$count" -gt 0 ] || continue

    # doc/ and tests/ are read through links; surveys/ is a copy the
    # examples may change (a copy of a read-only tree, made writable)
    for f in doc tests; do ln -s "$top_srcdir/$f" "$d/tree/$f"; done
    cp -R "$top_srcdir/surveys" "$d/tree/surveys" && chmod -R u+w "$d/tree/surveys" || exit 1
    cp "$work/bin/brisk" "$d/tree/tools/brisk"

    k=1
    while [ "$k" -le "$count" ]; do
        e="$d/$k"
        k=$((k + 1))
        # a '#' of the command could pass for a TAP directive: escape it
        first=$(head -n 1 "$e.cmd" | cut -c 1-90 | sed 's/#/\\#/g')
        name="$doc:$(cat "$e.line"): $first"
        lacking=$(needs "$e.cmd")
        if [ -n "$lacking" ]; then
            nskip=$((nskip + 1))
            tap ok "$name" "SKIP needs $lacking"
            continue
        fi
        want=$(sed -n 's/.*# exit status \([0-9][0-9]*\)[ \t]*$/\1/p' "$e.cmd" | tail -n 1)
        (cd "$d/tree" && PATH="$work/bin:$PATH" BRISK_SURVEYS="$top_srcdir/surveys" \
            $limit sh "$e.cmd") >"$e.out" 2>"$e.err" </dev/null
        got=$?
        cat "$e.out" "$e.err" >"$e.all"
        problem=
        crash=$(grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$e.err" | head -n 1)
        if [ -n "$crash" ]; then
            problem="sanitizer report: $crash"
        elif [ "$got" = 124 ] && [ -n "$limit" ]; then
            problem="timed out"
        elif [ "$got" != "${want:-0}" ]; then
            problem="exit status $got, expected ${want:-0}"
        elif [ -f "$e.exp" ] && ! awk -v doc="$doc" -v base="$(($(cat "$e.line") + $(wc -l <"$e.cmd") - 1))" \
                -f "$work/match.awk" "$e.exp" "$e.all" >"$e.why"; then
            problem="the output differs from the document's"
        fi
        if [ -f "$e.exp" ]; then
            nout=$((nout + 1)); what="output checked"
        else
            nrun=$((nrun + 1)); what="run only"
        fi
        if [ -z "$problem" ]; then
            tap ok "$name ($what)"
        else
            tap not-ok "$name ($what)"
            echo "#   $problem; the command:"
            sed 's/^/#     /' "$e.cmd"
            if [ -s "$e.why" ]; then
                cat "$e.why"
            else
                sed -n '1,20s/^/#   /p' "$e.err"
            fi
        fi
    done
done

source_untouched_test

echo "1..$t"
echo "# examples: $((nout + nrun + nskip)): $nout with their output checked, $nrun run only (exit status), $nskip skipped"
echo "# $failed of $t tests failed (program: $brisk)"
exit 0
