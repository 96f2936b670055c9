# SPDX-License-Identifier: GPL-3.0-or-later
# ahmed2017.awk: writes the synthetic REFI-QDA project ahmed2017.qdpx from
# transcripts.txt (whose header gives the markup).  Every text is invented
# (README.md).  `make surveys` runs
#
#   mkdir -p STAGE/sources
#   LC_ALL=C awk -v dir=STAGE -f surveys/qdpx.awk -f ahmed2017.awk transcripts.txt
#
# which writes STAGE/project.qde and STAGE/sources/GUID.txt, then zips them.
# The markup, the GUIDs and the XML are surveys/qdpx.awk's (its header says
# why the output is the same bytes under any awk); this file holds only
# what is ahmed2017's: the @case and @source directives, and transcripts
# given whole, every span naming its coders.

BEGIN {
    qdpx_init("ahmed2017.awk")
    nusers = nvars = ncodes = ncases = nsources = nsel = 0
    insource = 0
}

# ---------------------------------------------------------------- input
insource && $0 == "@end" { close_source(); insource = 0; next }
insource { add_line($0); next }
/^#/ || /^[ \t]*$/ { next }
/^@/ { directive($0); next }
{ die("text outside a transcript") }

function directive(line,    f, n) {
    n = split(line, f, / \| /)
    if (project_directive(f, n)) return
    if (f[1] == "@case" && n >= 2) add_case(f, n)
    else if (f[1] == "@source" && n == 2) {
        if (ncases == 0) die("@source before any @case")
        open_source(f[2], ncases); insource = 1
    } else die("malformed directive")
}

# @case | NAME | VARIABLE = VALUE | ...: f[1..n] split at " | ".
function add_case(f, n,    k, name) {
    CASE_NAME[++ncases] = f[2]; CASE_NSRC[ncases] = 0
    for (k = 3; k <= n; k++) {
        if (!match(f[k], / = /)) die("expected VARIABLE = VALUE: " f[k])
        name = substr(f[k], 1, RSTART - 1)
        if (!(name in VAR_OF)) die("unknown variable " name)
        CASE_VALUE[ncases, VAR_OF[name]] = substr(f[k], RSTART + 3)
    }
}

# ---------------------------------------------------------------- output
END {
    if (failed) exit 2
    if (insource) die("transcript without @end")
    write_project()
}
