# SPDX-License-Identifier: GPL-3.0-or-later
# qdpx.awk: the awk functions shared by the generators of brisk's synthetic
# REFI-QDA projects (surveys/ahmed2017/ahmed2017.awk,
# surveys/rongcheng/interviews.awk).  A library: no patterns, no actions;
# it is loaded before a study's generator, which holds the rules:
#
#   LC_ALL=C awk -v dir=STAGE -f surveys/qdpx.awk -f surveys/<study>/<gen>.awk INPUT...
#
# It provides
#   qdpx_init(prog)         check -v dir and build the byte table (call in BEGIN)
#   project_directive(f, n) the directives every project has: @project,
#                           @created, @description, @user, @variable, @code
#   open_source(name, case), add_line(line), close_source()
#                           one transcript, with its [[CODE|CODERS]] ... [[/]]
#                           markup turned into selections
#   add_selection(...)      record a selection of the open transcript
#   u8len(s)                a UTF-8 string's length in code points
#   guid(name)              a GUID derived from a name (no rand(), no clock)
#   xml(s)                  s escaped for an XML attribute or element
#   write_project()         STAGE/project.qde and STAGE/sources/GUID.txt
#   die(msg)                an error on stderr, exit status 2
#
# State (globals, shared with the generator): PROJECT, CREATED, DESCRIPTION;
# USER_ID/USER_NAME/USER_OF (nusers), VAR_NAME/VAR_TYPE/VAR_OF (nvars),
# CODE_* (ncodes), CASE_NAME/CASE_VALUE/CASE_NSRC/CASE_SRC (ncases),
# SRC_* (nsources), SEL_* (nsel); while a transcript is open TEXT (its
# bytes so far), POS (its length in code points), BYTES, NLINES and the
# LINE_* offsets of its lines.  die() sets `failed`; a generator's END
# must first `if (failed) exit 2`, and may set in_end = 1 so that errors
# no longer name an input line.
#
# Settings a generator may change (all 0 unless it sets them):
#   UNCODED_SPANS   1: a span without coders ([[CODE]]) is the first
#                   coder's, its selections marked SEL_DERIVED (for the
#                   generator to derive another coder's from); 0: an error
#   SINGLE_CODED    1: the open transcript is coded by the first coder
#                   alone, and spans naming other coders add nothing
#   DEDUP_CODINGS   1: a coder's same coding (code and offsets) made twice
#                   is written once; 0: an error
#
# Deterministic: GUIDs are hashes of names, so the same input gives the
# same bytes under mawk, gawk or the one true awk.  Run with LC_ALL=C:
# strings are then handled as bytes, and the offsets of the selections are
# counted in code points here (UTF-8 bytes that are not 0x80-0xBF), as
# REFI-QDA asks, whatever the awk's own idea of characters.

# ---------------------------------------------------------------- setup
# prog names the generator in error messages.  ORD maps a byte to its
# value: awk has no ord(), and u8len() and hash32() need one.
function qdpx_init(prog,    i) {
    PROG = prog
    if (dir == "") die("set the output directory with -v dir=STAGING")
    for (i = 1; i < 256; i++) ORD[sprintf("%c", i)] = i
}

function die(msg) {
    if (in_end) printf "%s: %s\n", PROG, msg > "/dev/stderr"
    else printf "%s: %s:%d: %s\n", PROG, FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 2
}

# ---------------------------------------------------------------- directives
# f[1..n]: a directive line split at " | ".  Returns 1 if it was one of
# the directives every project has, 0 to leave it to the generator.
function project_directive(f, n) {
    if (f[1] == "@project" && n == 2) PROJECT = f[2]
    else if (f[1] == "@created" && n == 2) CREATED = f[2]
    else if (f[1] == "@description" && n == 2) DESCRIPTION = f[2]
    else if (f[1] == "@user" && n == 3) {
        USER_ID[++nusers] = f[2]; USER_NAME[nusers] = f[3]; USER_OF[f[2]] = nusers
    } else if (f[1] == "@variable" && n == 3) {
        if (f[3] != "Text" && f[3] != "Integer") die("type " f[3] " (Text or Integer)")
        VAR_NAME[++nvars] = f[2]; VAR_TYPE[nvars] = f[3]; VAR_OF[f[2]] = nvars
    } else if (f[1] == "@code" && n == 5) {
        add_code(f[2], f[3], f[4], f[5])
    } else return 0
    return 1
}

# "Parent > Child": the parent must come first; a code is named by its own
# (last) name in the markup, so names are unique.
function add_code(path, color, codable, description,    n, p, name, parent) {
    n = split(path, p, / > /)
    name = p[n]; parent = 0
    if (n > 2) die("codes nest two levels here: " path)
    if (n == 2) {
        if (!(p[1] in CODE_OF)) die("parent code not defined yet: " p[1])
        parent = CODE_OF[p[1]]
    }
    if (name in CODE_OF) die("code defined twice: " name)
    if (color !~ /^#[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]$/) die("colour " color)
    if (codable != "codable" && codable != "folder") die("codable or folder: " codable)
    CODE_NAME[++ncodes] = name; CODE_OF[name] = ncodes; CODE_PARENT[ncodes] = parent
    CODE_COLOR[ncodes] = color; CODE_CODABLE[ncodes] = (codable == "codable")
    CODE_DESC[ncodes] = description
}

# ---------------------------------------------------------------- transcripts
# Start the text of a new source, the transcript of case c.
function open_source(name, c) {
    SRC_NAME[++nsources] = name; SRC_CASE[nsources] = c
    CASE_SRC[c, ++CASE_NSRC[c]] = nsources
    TEXT = ""; POS = 0; BYTES = 0; NLINES = 0; nopen = 0
}

# One line of the transcript: its text is kept, its [[...]] tags are not.
# [[SPEC]] opens a span, [[/]] closes the one opened last, [[/SPEC]] the
# one named, so spans may overlap.  Each line's offsets are kept (LINE_POS
# to LINE_END in code points, LINE_BYTE to LINE_BEND in bytes) for a
# generator that derives selections from them.
function add_line(line,    p, q, tag) {
    if (NLINES > 0) emit("\n")
    NLINES++; LINE_POS[NLINES] = POS; LINE_BYTE[NLINES] = BYTES
    while ((p = index(line, "[[")) > 0) {
        emit(substr(line, 1, p - 1))
        q = index(substr(line, p + 2), "]]")
        if (q == 0) die("[[ without ]]")
        tag = substr(line, p + 2, q - 1)
        line = substr(line, p + q + 3)
        if (tag == "/") close_span(nopen)
        else if (substr(tag, 1, 1) == "/") close_span(find_open(substr(tag, 2)))
        else { OPEN_TAG[++nopen] = tag; OPEN_POS[nopen] = POS; OPEN_BYTE[nopen] = BYTES }
    }
    emit(line)
    LINE_END[NLINES] = POS; LINE_BEND[NLINES] = BYTES
}

# The offsets are kept both in code points (POS, what REFI-QDA counts) and
# in bytes (BYTES, what substr() counts under LC_ALL=C).
function emit(s) { TEXT = TEXT s; POS += u8len(s); BYTES += length(s) }

function find_open(tag,    k) {
    for (k = nopen; k > 0; k--) if (OPEN_TAG[k] == tag) return k
    die("no open span [[" tag "]]")
}

# Close open span k, "CODE+CODE|CODER,CODER": one selection per code and
# coder (see UNCODED_SPANS and SINGLE_CODED above).
function close_span(k,    spec, derived, p, codes, coders, nc, nu, a, b, text, s) {
    if (k < 1) die("[[/]] with no open span")
    spec = OPEN_TAG[k]
    derived = (index(spec, "|") == 0)
    if (derived && !UNCODED_SPANS) die("span without coders: " spec)
    if (derived) spec = spec "|" USER_ID[1]
    p = index(spec, "|")
    nc = split(substr(spec, 1, p - 1), codes, /\+/)
    nu = split(substr(spec, p + 1), coders, /,/)
    if (OPEN_POS[k] >= POS) die("empty span: " spec)
    text = substr(TEXT, OPEN_BYTE[k] + 1, BYTES - OPEN_BYTE[k])
    for (a = 1; a <= nc; a++) for (b = 1; b <= nu; b++) {
        check_coding(codes[a], coders[b])
        if (SINGLE_CODED && coders[b] != USER_ID[1]) continue
        s = add_selection(CODE_OF[codes[a]], USER_OF[coders[b]], OPEN_POS[k], POS, text)
        SEL_DERIVED[s] = derived; SEL_LINE[s] = NLINES; SEL_BYTE[s] = OPEN_BYTE[k]
    }
    pop_span(k)
}

function check_coding(code, coder) {
    if (!(code in CODE_OF)) die("unknown code " code)
    if (!CODE_CODABLE[CODE_OF[code]]) die("code not codable: " code)
    if (!(coder in USER_OF)) die("unknown coder " coder)
}

# Remove span k from the open ones, keeping the others in order.
function pop_span(k,    j) {
    for (j = k; j < nopen; j++) {
        OPEN_TAG[j] = OPEN_TAG[j + 1]; OPEN_POS[j] = OPEN_POS[j + 1]
        OPEN_BYTE[j] = OPEN_BYTE[j + 1]
    }
    nopen--
}

# A selection of the open source: code and user are indices (CODE_NAME,
# USER_ID), from and to offsets in code points.  Returns its index.
function add_selection(code, user, from, to, text) {
    SEL_SRC[++nsel] = nsources; SEL_CODE[nsel] = code; SEL_USER[nsel] = user
    SEL_START[nsel] = from; SEL_END[nsel] = to; SEL_TEXT[nsel] = text
    return nsel
}

# The source's text ends with a newline, as a text file does.
function close_source() {
    if (nopen > 0) die("span left open: [[" OPEN_TAG[nopen] "]]")
    SRC_TEXT[nsources] = TEXT "\n"
}

# ---------------------------------------------------------------- helpers
# Length in code points of a UTF-8 string held as bytes.
function u8len(s,    i, n, c) {
    n = 0
    for (i = 1; i <= length(s); i++) {
        c = ORD[substr(s, i, 1)]
        if (c < 128 || c >= 192) n++
    }
    return n
}

# A hash of a string's bytes below 2^32: polynomial modulo the prime
# 4294967291, then three more rounds so that names differing in their last
# byte differ in every digit (every product stays below 2^53: exact).
function hash32(s, mult, seed,    i, h) {
    h = seed
    for (i = 1; i <= length(s); i++) h = (h * mult + ORD[substr(s, i, 1)]) % 4294967291
    for (i = 1; i <= 3; i++) h = (h * mult + 1) % 4294967291
    return h
}

# A GUID derived from a name: four hashes, version 8 (custom) and variant
# 10 set as RFC 9562 asks.  A collision is an error.
function guid(name,    h1, h2, h3, h4, g) {
    name = PROJECT "\034" name
    h1 = hash32(name, 1000003, 7); h2 = hash32(name, 1000033, 11)
    h3 = hash32(name, 1000037, 13); h4 = hash32(name, 1000039, 17)
    g = sprintf("%08X-%04X-%04X-%04X-%04X%08X", h1, int(h2 / 65536),
                32768 + h2 % 4096, 32768 + h3 % 16384, int(h3 / 65536), h4)
    if (g in GUID_USED && GUID_USED[g] != name) die("GUID collision: " name)
    GUID_USED[g] = name
    return g
}

# Escaped for an attribute or element; a newline becomes a space, since
# the selections' names (their text) are attributes.
function xml(s) {
    gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s); gsub(/\n/, " ", s)
    return s
}

# ---------------------------------------------------------------- output
# The whole project, from the state above: call once, in END.
function write_project() {
    out = dir "/project.qde"
    printf "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" > out
    printf "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"%s\" origin=\"brisk synthetic generator\" creationDateTime=\"%s\">\n", xml(PROJECT), CREATED > out
    write_users(); write_codes(); write_variables(); write_cases(); write_sources()
    printf "  <Description>%s</Description>\n", xml(DESCRIPTION) > out
    printf "</Project>\n" > out
    close(out)
}

function write_users(    u) {
    printf "  <Users>\n" > out
    for (u = 1; u <= nusers; u++)
        printf "    <User guid=\"%s\" name=\"%s\"/>\n", guid("user " USER_ID[u]), xml(USER_NAME[u]) > out
    printf "  </Users>\n" > out
}

function write_codes(    c) {
    printf "  <CodeBook>\n    <Codes>\n" > out
    for (c = 1; c <= ncodes; c++) if (CODE_PARENT[c] == 0) write_code(c, "      ")
    printf "    </Codes>\n  </CodeBook>\n" > out
}

# Code c, then its children nested inside it.
function write_code(c, indent,    k) {
    printf "%s<Code guid=\"%s\" name=\"%s\" isCodable=\"%s\" color=\"%s\">\n", indent,
        code_guid(c), xml(CODE_NAME[c]), CODE_CODABLE[c] ? "true" : "false", CODE_COLOR[c] > out
    printf "%s  <Description>%s</Description>\n", indent, xml(CODE_DESC[c]) > out
    for (k = 1; k <= ncodes; k++) if (CODE_PARENT[k] == c) write_code(k, indent "  ")
    printf "%s</Code>\n", indent > out
}

function code_guid(c) { return guid("code " CODE_NAME[c]) }

function write_variables(    v) {
    printf "  <Variables>\n" > out
    for (v = 1; v <= nvars; v++)
        printf "    <Variable guid=\"%s\" name=\"%s\" typeOfVariable=\"%s\"/>\n",
            guid("variable " VAR_NAME[v]), xml(VAR_NAME[v]), VAR_TYPE[v] > out
    printf "  </Variables>\n" > out
}

function write_cases(    c, v, k, tag, val) {
    printf "  <Cases>\n" > out
    for (c = 1; c <= ncases; c++) {
        printf "    <Case guid=\"%s\" name=\"%s\">\n", guid("case " CASE_NAME[c]), xml(CASE_NAME[c]) > out
        for (v = 1; v <= nvars; v++) {
            if (!((c, v) in CASE_VALUE)) continue
            val = CASE_VALUE[c, v]
            if (VAR_TYPE[v] == "Integer" && val !~ /^-?[0-9]+$/) die("not an integer: " val)
            tag = VAR_TYPE[v] "Value"
            printf "      <VariableValue>\n        <VariableRef targetGUID=\"%s\"/>\n        <%s>%s</%s>\n      </VariableValue>\n",
                guid("variable " VAR_NAME[v]), tag, xml(val), tag > out
        }
        for (k = 1; k <= CASE_NSRC[c]; k++)
            printf "      <SourceRef targetGUID=\"%s\"/>\n", guid("source " SRC_NAME[CASE_SRC[c, k]]) > out
        printf "    </Case>\n" > out
    }
    printf "  </Cases>\n" > out
}

# Each source's text goes to sources/GUID.txt, its selections into
# project.qde; a source's creator is the first coder.
function write_sources(    s, g, n, j, file) {
    printf "  <Sources>\n" > out
    for (s = 1; s <= nsources; s++) {
        g = guid("source " SRC_NAME[s])
        file = dir "/sources/" g ".txt"
        printf "%s", SRC_TEXT[s] > file
        close(file)
        printf "    <TextSource guid=\"%s\" name=\"%s\" plainTextPath=\"internal://%s.txt\" creatingUser=\"%s\" creationDateTime=\"%s\">\n",
            g, xml(SRC_NAME[s]), g, guid("user " USER_ID[1]), CREATED > out
        n = sort_selections(s)
        for (j = 1; j <= n; j++) write_selection(s, SORTED[j])
        printf "    </TextSource>\n" > out
    }
    printf "  </Sources>\n" > out
}

# Source s's selections into SORTED[1..n], in order of position, then
# coder, then code (an insertion sort, stable: awk has no portable sort).
# Returns n.
function sort_selections(s,    n, k, j, key) {
    n = 0
    for (k = 1; k <= nsel; k++) {
        if (SEL_SRC[k] != s) continue
        key = sprintf("%09d %09d %04d %04d", SEL_START[k], SEL_END[k], SEL_USER[k], SEL_CODE[k])
        for (j = n; j > 0 && SORT_KEY[j] > key; j--) { SORT_KEY[j + 1] = SORT_KEY[j]; SORTED[j + 1] = SORTED[j] }
        SORT_KEY[j + 1] = key; SORTED[j + 1] = k; n++
    }
    return n
}

# Selection k of source s with its one coding.  Its GUIDs come from what
# it is (source, coder, code, offsets), so the same coding twice would
# give the same GUIDs (see DEDUP_CODINGS).
function write_selection(s, k,    user, id) {
    user = guid("user " USER_ID[SEL_USER[k]])
    id = SRC_NAME[s] " " USER_ID[SEL_USER[k]] " " CODE_NAME[SEL_CODE[k]] " " SEL_START[k] "-" SEL_END[k]
    if (id in SEL_SEEN) {
        if (!DEDUP_CODINGS) die("the same coding twice: " id)
        return
    }
    SEL_SEEN[id] = 1
    printf "      <PlainTextSelection guid=\"%s\" name=\"%s\" startPosition=\"%d\" endPosition=\"%d\" creatingUser=\"%s\" creationDateTime=\"%s\">\n",
        guid("selection " id), xml(SEL_TEXT[k]), SEL_START[k], SEL_END[k], user, CREATED > out
    printf "        <Coding guid=\"%s\" creatingUser=\"%s\" creationDateTime=\"%s\">\n          <CodeRef targetGUID=\"%s\"/>\n        </Coding>\n",
        guid("coding " id), user, CREATED, code_guid(SEL_CODE[k]) > out
    printf "      </PlainTextSelection>\n" > out
}
