# SPDX-License-Identifier: GPL-3.0-or-later
# interviews.awk: writes the synthetic REFI-QDA project interviews.qdpx:
# 20 interviews with residents who are respondents of the synthetic survey
# rongcheng.csv, composed from the bank of invented answers interviews.txt
# (README.md).  `make surveys` runs
#
#   mkdir -p STAGE/sources
#   LC_ALL=C awk -v dir=STAGE -f surveys/qdpx.awk -f interviews.awk \
#     rongcheng.csv interviews.txt
#
# which writes STAGE/project.qde and STAGE/sources/GUID.txt, then zips them.
# The markup, the GUIDs and the XML are surveys/qdpx.awk's; this file holds
# what is the interviews' own: the sample, the composition of each
# transcript, and the second coder.
#
# Deterministic: every choice is integer arithmetic on the respondent's id
# and answers (no rand(), no clock), and qdpx.awk's GUIDs are hashes of
# names, so the same input gives the same bytes under mawk, gawk or the one
# true awk.

BEGIN {
    qdpx_init("interviews.awk")
    # The snippets' spans mostly name no coder: they are the first coder's,
    # and derive_second() makes the second coder's from them.  A derived
    # coding could coincide with one a snippet gives the second coder
    # ([[CODE|B]]); it then counts once (none does in the present bank).
    UNCODED_SPANS = 1; DEDUP_CODINGS = 1
    FS = ","
    nusers = nvars = ncodes = ncases = nsources = nsel = nbeh = nsnip = 0
    NB = split("crime fees internet litter", BKEY, " ")
    # the sample: 7 residents of low trust, 6 of middling, 7 of high trust
    QUOTA["low"] = 7; QUOTA["mid"] = 6; QUOTA["high"] = 7
    # the transcripts (in order of id) that both coders code
    split("1 4 7 10 13 16", d, " "); for (i in d) DOUBLE[d[i]] = 1
    DISTRICTS = split("Yatou Chengxi Ningjin Gangwan Dongshan", DISTRICT, " ")
    split("18 30 45 60", AGE_LO, " "); split("29 44 59 75", AGE_HI, " ")
}

# ---------------------------------------------------------------- the survey
FILENAME ~ /\.csv$/ {
    if (FNR == 1) { for (i = 1; i <= NF; i++) COL[$i] = i; next }
    respondent()
    next
}

# The scores the rules use: means of the answered items (missing: -99 or
# empty).  pr3 is written reverse-keyed and is turned back (6 - x).  Only
# residents who answered every trust and privacy item are sampled.
function respondent(    id, b, k) {
    id = $COL["id"]
    for (k = 1; k <= 3; k++) if (ans("tg" k) == "" || ans("pc" k) == "") return
    ELIGIBLE[id] = 1
    TRUST[id] = item_mean("tg1 tg2 tg3"); PRIV[id] = item_mean("pc1 pc2 pc3")
    for (b = 1; b <= NB; b++) {
        ACC[id, b] = item_mean("acc1_# acc2_# acc3_#", BKEY[b])
        BEN[id, b] = item_mean("pb1_# pb2_# pb3_#", BKEY[b])
        OWN[id, b] = item_mean("pb3_#", BKEY[b])
        RISK[id, b] = item_mean("pr1_# pr2_# ~pr3_#", BKEY[b])
        PUN[id, b] = item_mean("pr1_#", BKEY[b])
        MOR[id, b] = item_mean("pm1_# pm2_# pm3_#", BKEY[b])
    }
    AGEGROUP[id] = $COL["age"]; GENDER[id] = $COL["gender"] == 1 ? "female" : "male"
}

function ans(name,    v) {
    if (!(name in COL)) die("rongcheng.csv has no column " name)
    v = $COL[name]
    return (v == "-99" || v == "") ? "" : v + 0
}

# Mean of the answered items of a list ("#" stands for the behaviour b,
# "~" reverses an item); 3, the scale's midpoint, when none is answered.
function item_mean(list, b,    it, n, k, s, m, v, rev) {
    n = split(list, it, " "); s = m = 0
    for (k = 1; k <= n; k++) {
        rev = sub(/^~/, "", it[k]); sub(/#/, b, it[k])
        v = ans(it[k])
        if (v != "") { s += rev ? 6 - v : v; m++ }
    }
    return m ? s / m : 3
}

# ---------------------------------------------------------------- the bank
/^#/ || /^[ \t]*$/ { next }
/^@/ { directive($0); next }
{
    if (nsnip == 0) die("text before any @snippet")
    SNIP[nsnip] = SNIP[nsnip] (SNIP[nsnip] == "" ? "" : "\n") $0
}

function directive(line,    f, n) {
    n = split(line, f, / \| /)
    if (project_directive(f, n)) return
    if (f[1] == "@behaviour" && n == 4) {
        BEH_PHRASE[f[2]] = f[3]; BEH_CODE[f[2]] = f[4]; nbeh++
    } else if (f[1] == "@snippet" && n == 2) {
        SNIP[++nsnip] = ""; NVARIANT[f[2]]++; VARIANT[f[2], NVARIANT[f[2]]] = nsnip
    } else die("malformed directive")
}

# ---------------------------------------------------------------- the sample
# Residents are grouped by their mean trust (low: 3 or less; high: 4.5 or
# more; middling between) and taken in the order of id * 97 mod 601 (a
# permutation of the ids 1..600) until each group's quota is filled: a
# purposive sample that varies in trust, as a follow-up to a survey would
# choose its interviewees.
function draw_sample(    k, id, g, n, j, t) {
    for (id in ELIGIBLE) ORDER[(id * 97) % 601] = id
    n = 0
    for (k = 0; k < 601; k++) {
        if (!(k in ORDER)) continue
        id = ORDER[k]
        g = TRUST[id] <= 3 ? "low" : TRUST[id] >= 4.5 ? "high" : "mid"
        if (TAKEN[g] >= QUOTA[g]) continue
        TAKEN[g]++; SAMPLE[++n] = id + 0
    }
    for (g in QUOTA) if (TAKEN[g] < QUOTA[g]) die("too few residents of " g " trust")
    for (k = 2; k <= n; k++)                 # in order of id
        for (j = k; j > 1 && SAMPLE[j - 1] > SAMPLE[j]; j--) {
            t = SAMPLE[j]; SAMPLE[j] = SAMPLE[j - 1]; SAMPLE[j - 1] = t
        }
    return n
}

# The behaviour with the highest (sign 1) or lowest (sign -1) score of a
# resident, ties broken from the id; skip: a behaviour not to choose.
function pick(score, id, sign, skip,    k, b, best, v, bv) {
    best = 0
    for (k = 0; k < NB; k++) {
        b = 1 + (id + k) % NB
        if (b == skip) continue
        v = sign * score[id, b]
        if (best == 0 || v > bv) { best = b; bv = v }
    }
    return best
}

# ---------------------------------------------------------------- the transcripts
# The mean of a resident's score over the four behaviours.
function mean4(score, id,    a, b) {
    a = 0
    for (b = 1; b <= NB; b++) a += score[id, b] / NB
    return a
}

# Which exchanges a resident's interview holds follows the resident's
# answers (means of items, 1..5; "the behaviour" is the one with the
# highest or lowest score):
#   stance       accept if acceptance (all behaviours) >= 3.9, reject if < 3,
#                else conditional
#   trust        high if trust >= 4.5, low if <= 3, else middling
#   benefit      of the behaviour of highest benefit, if that is >= 3.5
#   perks        if "benefits me and my family" (pb3, all behaviours) >= 4.25
#   privacy      if privacy concern >= trust + 1 or >= 4.5 (the behaviour of
#                highest risk)
#   punishment   if pr1 ("punished unfairly") >= 4 for a behaviour (another
#                than privacy's); no risk at all: nothing to fear
#   moral/unfair if a behaviour's morality is >= 4 / <= 2.5
#   reject_b/accept_b  if a behaviour's acceptance is < 3 / >= 4.5
function compose(id,    a, b, bp) {
    a = mean4(ACC, id)
    NX = 0; KINDS = ""
    exchange(a >= 3.9 ? "accept" : a < 3 ? "reject" : "conditional", 0, id)
    exchange(TRUST[id] >= 4.5 ? "trust_high" : TRUST[id] <= 3 ? "trust_low" : "trust_mid", 0, id)
    b = pick(BEN, id, 1)
    exchange(BEN[id, b] >= 3.5 ? "benefit_" BKEY[b] : "benefit_none", BEN[id, b] >= 3.5 ? b : 0, id)
    if (mean4(OWN, id) >= 4.25) exchange("perks", 0, id)
    bp = 0
    if (PRIV[id] - TRUST[id] >= 1 || PRIV[id] >= 4.5) { bp = pick(RISK, id, 1); exchange("privacy", bp, id) }
    b = pick(PUN, id, 1, bp)
    if (PUN[id, b] >= 4) exchange("punishment", b, id)
    else if (bp == 0) exchange("risk_none", 0, id)
    b = pick(MOR, id, 1)
    if (MOR[id, b] >= 4) exchange("moral", b, id)
    b = pick(MOR, id, -1)
    if (MOR[id, b] <= 2.5) exchange("unfair", b, id)
    b = pick(ACC, id, -1)
    if (ACC[id, b] < 3) exchange("reject_b", b, id)
    b = pick(ACC, id, 1)
    if (ACC[id, b] >= 4.5) exchange("accept_b", b, id)
}

# One exchange: a variant of the kind chosen from the id and the exchange's
# place, its placeholders filled in with behaviour b.
function exchange(kind, b, id,    s, n, k, line) {
    if (!(kind in NVARIANT)) die("the bank has no @snippet | " kind)
    NX++
    KINDS = KINDS " " kind (b ? "(" BKEY[b] ")" : "")
    s = SNIP[VARIANT[kind, 1 + (id * 7 + NX * 3) % NVARIANT[kind]]]
    if (b) { s = replace(s, "{behaviour}", BEH_PHRASE[BKEY[b]]); s = replace(s, "{bcode}", BEH_CODE[BKEY[b]]) }
    if (index(s, "{")) die("placeholder left in @snippet | " kind)
    n = split(s, line, "\n")
    for (k = 1; k <= n; k++) add_line(line[k])
}

function replace(s, from, to,    p, out) {
    out = ""
    while ((p = index(s, from)) > 0) { out = out substr(s, 1, p - 1) to; s = substr(s, p + length(from)) }
    return out s
}

# A transcript double coded (both coders) or coded by the first alone.
function begin_source(name, c, double) {
    open_source(name, c)
    SINGLE_CODED = !double; first_sel = nsel + 1
}

function end_source(id) {
    close_source()
    if (!SINGLE_CODED) derive_second(id)
}

# The second coder in a double-coded transcript: for the j-th of the first
# coder's spans, h = (id * 131 + j * 71) mod 100 decides: below 12 the
# second coder misses it; below 26 codes a span of another length (only
# its first sentence, or the whole answer after "P: " when the span is one
# sentence); below 34 codes the parent code instead of a child (when the
# parent is codable); otherwise codes the same span.
function derive_second(id,    k, last, j, h, n, p, code, s, e, bs, be) {
    last = nsel; j = 0
    for (k = first_sel; k <= last; k++) {
        if (!SEL_DERIVED[k]) continue
        h = (id * 131 + (++j) * 71) % 100
        if (h < 12) continue
        code = SEL_CODE[k]; s = SEL_START[k]; e = SEL_END[k]; bs = SEL_BYTE[k]; be = bs + length(SEL_TEXT[k])
        n = SEL_LINE[k]
        if (h < 26) {
            p = index(SEL_TEXT[k], ". ")
            if (p > 0) { e = s + u8len(substr(SEL_TEXT[k], 1, p)); be = bs + p }
            else if (substr(TEXT, LINE_BYTE[n] + 1, 3) == "P: ") {
                s = LINE_POS[n] + 3; e = LINE_END[n]; bs = LINE_BYTE[n] + 3; be = LINE_BEND[n]
            }
        } else if (h < 34 && CODE_PARENT[code] && CODE_CODABLE[CODE_PARENT[code]]) code = CODE_PARENT[code]
        add_selection(code, USER_OF[USER_ID[2]], s, e, substr(TEXT, bs + 1, be - bs))
    }
}

# ---------------------------------------------------------------- output
END {
    if (failed) exit 2
    in_end = 1
    if (nbeh != NB) die("interviews.txt must give the four @behaviour lines")
    n = draw_sample()
    for (r = 1; r <= n; r++) {
        id = SAMPLE[r]; name = sprintf("R%02d", r)
        CASE_NAME[++ncases] = name; CASE_NSRC[ncases] = 0
        CASE_VALUE[ncases, VAR_OF["respondent"]] = id
        CASE_VALUE[ncases, VAR_OF["district"]] = DISTRICT[1 + (id * 3) % DISTRICTS]
        g = AGEGROUP[id]
        CASE_VALUE[ncases, VAR_OF["age"]] = AGE_LO[g] + (id * 7) % (AGE_HI[g] - AGE_LO[g] + 1)
        CASE_VALUE[ncases, VAR_OF["gender"]] = GENDER[id]
        begin_source(name " interview", ncases, r in DOUBLE)
        add_line("Synthetic interview, invented for brisk; not a resident's words.")
        compose(id)
        end_source(id)
        if (report)                          # -v report=1: the sample on stderr
            printf "%s id=%d trust=%.2f privacy=%.2f accept=%.2f:%s\n", name, id,
                TRUST[id], PRIV[id], mean4(ACC, id), KINDS > "/dev/stderr"
    }
    write_project()
}
