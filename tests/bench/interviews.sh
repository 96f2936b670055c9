#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Coded interviews: `brisk interviews` on a large study's segments CSV
# against R doing the same work on the same file (tests/bench/interviews.R).
#
#   bash tests/bench/interviews.sh [RUNS] [DRAWS]   (from a build tree; default 5, 1000)
#
# The study, generated here with awk (integer hashes, no rand(): the same
# file on every machine): 200 participants, each interviewed once and
# coded by two coders; 12 to 15 passages per transcript, each about one
# of 30 codes under 6 parents (a participant's group favours two of the
# parents), 20% with a second code; a coder passes a passage over 5% of
# the time, gives it another code 10% of the time (mostly a sibling), and
# trims up to two words at either end, so the two coders' selections
# overlap without matching.  About 15 codings per participant and coder,
# 5,944 in all; the attribute group has three levels.
#
# Timed, each a whole process:
#   brisk interviews FILE --no-quotes --by group -f csv -o /dev/null
#       --unit participant, and --unit segment: median of RUNS, with the
#       default 1,000 bootstrap draws of alpha per code, and with 100 (the
#       fewest brisk takes), which shows what the draws cost;
#   Rscript interviews.R FILE UNIT DRAWS: the same tables (themes with
#       prop.test's Wilson interval, fisher.test by group, co-occurrence,
#       agreement per code: % agreement, psych::cohen.kappa, Fleiss' kappa,
#       Krippendorff's alpha) and DRAWS bootstrap draws of alpha per code,
#       once per unit.  With DRAWS below 1,000 the bootstrap's time is
#       scaled to 1,000 draws (linearly) and the line says so.
# It checks that every value both programs compute agrees to 1e-6, bar
# alpha's interval (Monte Carlo: the largest difference is printed), and
# exits 1 if one does not.  Without Rscript or psych it times brisk
# alone.  BRISK=path overrides tools/brisk.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
export LC_ALL=C
runs=${1:-5}
draws=${2:-1000}
bench=interviews.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/timing.sh"
csv=$tmp/segments.csv

# ------------------------------------------------------------ the study
cat >"$tmp/segments.awk" <<'EOF'
# u(n, a, b, c, d): an integer in [0, n) from four small integers.  Each
# round is nonlinear modulo the prime 4294967291; the products stay below
# 2^53, so every awk computes them exactly.
function mix(h) {
    h = (h * 1000003 + 12345) % 4294967291
    return (h * (h % 65521 + 7) + 1) % 4294967291
}
function u(n, a, b, c, d) { return mix(mix(mix(mix(mix(20261207 + a) + b) + c) + d)) % n }

# the code a coder gives a passage about theme t: t 90% of the time, else
# a sibling (8%) or any code (2%)
function coded(t, p, k, c, s,    r) {
    r = u(100, p, k, c, s)
    if (r < 90) return t
    if (r < 98) return 5 * int((t - 1) / 5) + 1 + ((t - 1) % 5 + 1 + u(4, p, k, c, s + 100)) % 5
    return 1 + u(30, p, k, c, s + 200)
}
function emit(p, c, t, start, text, g) {
    printf "P%03d,%s,%s/%s,%d,%d,\"%s\",%s\n", p, coder[c], parent[int((t - 1) / 5) + 1],
           child[t], start, start + length(text), text, level[g]
}
BEGIN {
    split("Trust in the system;Fairness;Privacy;Benefits;Comprehension;Social effects", parent, ";")
    split("Trust in government;Trust in companies;Distrust of data use;Reliability of scores;" \
          "Transparency;Unequal treatment;Punishment too harsh;Rewards deserved;" \
          "Appeals process;Discrimination;Data collection;Surveillance;Data sharing;Consent;" \
          "Security of data;Convenience;Lower deposits;Better behaviour;Access to loans;" \
          "Public order;Unclear scoring;Unaware of the system;Misinformation;" \
          "Learned from media;Learned from officials;Shaming;Peer pressure;" \
          "Neighbourhood cohesion;Fear of blacklisting;Family effects", child, ";")
    nv = split("I think the score is fair but nobody explained how it works to me and my " \
               "neighbours worry that the data goes to companies we never agreed with so " \
               "people behave better when they know someone is watching yet it feels like " \
               "punishment for small things the bank gave me a loan faster because of it",
               vocab, " ")
    split("resident business official", level, " ")
    split("Coder A;Coder B", coder, ";")
    print "participant,coder,code,start,end,text,group"
    for (p = 1; p <= 200; p++) {
        g = 1 + u(3, p, 0, 0, 1)
        passages = 12 + u(4, p, 0, 0, 2)
        pos = u(400, p, 0, 0, 3)                      # where the passage starts
        for (k = 1; k <= passages; k++) {
            # its theme: one of the group's two parents 40% of the time
            par = u(10, p, k, 0, 4) < 4 ? 2 * g - 1 + u(2, p, k, 0, 5) : 1 + u(6, p, k, 0, 6)
            theme = 5 * (par - 1) + 1 + u(5, p, k, 0, 7)
            second = u(5, p, k, 0, 8) == 0 ? 1 + u(30, p, k, 0, 9) : 0
            nw = 15 + u(40, p, k, 0, 10)               # its words, and their offsets
            off[1] = 0
            for (i = 1; i <= nw; i++) {
                w[i] = vocab[1 + u(nv, p, k, i, 11)]
                off[i + 1] = off[i] + length(w[i]) + 1
            }
            for (c = 1; c <= 2; c++) {
                if (u(20, p, k, c, 12) == 0)
                    continue                            # passed over
                i0 = 1 + u(3, p, k, c, 13)
                i1 = nw - u(3, p, k, c, 14)
                text = w[i0]
                for (i = i0 + 1; i <= i1; i++)
                    text = text " " w[i]
                emit(p, c, coded(theme, p, k, c, 15), pos + off[i0], text, g)
                if (second && second != theme && u(20, p, k, c, 16) < 17)
                    emit(p, c, coded(second, p, k, c, 17), pos + off[i0], text, g)
            }
            pos += off[nw + 1] + 50 + u(400, p, k, 0, 18)
        }
    }
}
EOF
awk -f "$tmp/segments.awk" >"$csv"
codings=$(($(wc -l <"$csv") - 1))
echo "segments CSV: 200 participants x 2 coders, 30 codes under 6 parents," \
    "$codings codings, $(($(wc -c <"$csv") / 1024)) KiB"

# ------------------------------------------------------------ brisk
units="participant segment"
declare -A b b100 r rboot
for unit in $units; do
    "$brisk" interviews "$csv" --no-quotes --by group --unit "$unit" -q -f csv \
        -o "$tmp/brisk_$unit.csv"
    b[$unit]=$(median_process "brisk interviews --unit $unit" "$runs" "$brisk" interviews \
        "$csv" --no-quotes --by group --unit "$unit" -f csv -o /dev/null)
    b100[$unit]=$(median_process "brisk interviews --unit $unit --bootstrap 100" "$runs" \
        "$brisk" interviews "$csv" --no-quotes --by group --unit "$unit" --bootstrap 100 \
        -f csv -o /dev/null)
done

# ------------------------------------------------------------ R
# brisk's CSV tables as lines table,code,key,value (a pair of codes as
# a|b, both ways round, as the R side writes one of them)
brisk_values() {
    awk -F, '/^# interviews\./ {
            table = $0; sub(/^# interviews\./, "", table); sub(/:.*/, "", table); head = 1; next
        }
        /^$/ { table = ""; next }
        table == "" { next }
        head { for (i = 1; i <= NF; i++) col[i] = $i; head = 0; next }
        table == "cooccurrence" {
            for (i = 3; i <= NF; i++) {
                print table "," $1 "|" $2 "," col[i] "," $i
                print table "," $2 "|" $1 "," col[i] "," $i
            }
            next
        }
        { for (i = 2; i <= NF; i++) print table "," $1 "," col[i] "," $i }' "$1"
}
# compare BRISK_VALUES R_VALUES: "values compared, largest difference,
# largest difference of alpha's interval", or exit 1.  The pairs of codes
# that never co-occur (no participant, no segment) brisk leaves out.
compare() {
    awk -F, 'function differ(k, x, y) {
            print "interviews.sh: " k ": brisk " x ", R " y > "/dev/stderr"; bad = 1
        }
        NR == FNR { v[$1 "," $2 "," $3] = $4; next }
        FNR == 1 { next }
        {
            k = $1 "," $2 "," $3
            if (!(k in v)) {   # brisk lists the pairs of codes that co-occur
                if ($1 == "cooccurrence" && ($4 == 0 || $4 == "NA")) next
                print "interviews.sh: brisk has no " k > "/dev/stderr"; bad = 1; next
            }
            x = v[k] == "" ? "NA" : v[k]
            if (x == "NA" || $4 == "NA") {
                if (x != $4) differ(k, x, $4)
                next
            }
            d = x - $4; if (d < 0) d = -d
            if ($3 ~ /^alpha_(lower|upper)$/) { if (d > ci) ci = d; next }
            n++; if (d > worst) worst = d
            if (d > 1e-6) differ(k, x, $4)
        }
        END { printf "%d %.2g %.3f\n", n, worst, ci; exit bad }' "$1" "$2"
}

have_r=no
if ! command -v Rscript >/dev/null 2>&1; then
    echo "R: skipped: Rscript is not installed"
elif ! Rscript -e 'quit(status = !requireNamespace("psych", quietly = TRUE))' >/dev/null 2>&1; then
    echo "R: skipped: the R package psych is not installed"
else
    have_r=yes
    for unit in $units; do
        stamp
        t0=$us
        Rscript "$here/interviews.R" "$csv" "$unit" "$draws" "$tmp/r_$unit.csv" >"$tmp/r_$unit.out"
        stamp
        boot=$(awk '$1 == "bootstrap" { print $2 }' "$tmp/r_$unit.out")
        # the process, with the bootstrap's time scaled to 1,000 draws
        r[$unit]=$(awk -v t=$((us - t0)) -v b="$boot" -v d="$draws" \
            'BEGIN { printf "%.2f", t / 1e6 + b * (1000 / d - 1) }')
        rboot[$unit]=$(awk -v b="$boot" -v d="$draws" 'BEGIN { printf "%.2f", b * 1000 / d }')
        brisk_values "$tmp/brisk_$unit.csv" >"$tmp/bv_$unit.csv"
        compare "$tmp/bv_$unit.csv" "$tmp/r_$unit.csv" >"$tmp/cmp" || {
            echo "$bench: brisk and R differ at --unit $unit" >&2
            exit 1
        }
        read -r n worst ci <"$tmp/cmp"
        echo "--unit $unit: $n values agree (largest difference $worst);" \
            "alpha's 95% CI endpoints differ by at most $ci (Monte Carlo)"
    done
fi

# ------------------------------------------------------------ the table
echo
printf '%-52s %12s %12s\n' "whole process, seconds" participant segment
printf '%-52s %12.3f %12.3f\n' "brisk interviews, 1,000 draws (median of $runs)" \
    "${b[participant]}" "${b[segment]}"
printf '%-52s %12.3f %12.3f\n' "brisk interviews --bootstrap 100 (median of $runs)" \
    "${b100[participant]}" "${b100[segment]}"
if [ "$have_r" = yes ]; then
    scaled=""
    [ "$draws" -eq 1000 ] || scaled=" ($draws draws, scaled)"
    printf '%-52s %12s %12s\n' "Rscript interviews.R, 1,000 draws$scaled" \
        "${r[participant]}" "${r[segment]}"
    printf '%-52s %12s %12s\n' "  of which the bootstrap of alpha" \
        "${rboot[participant]}" "${rboot[segment]}"
    printf '%-52s %11.0fx %11.0fx\n' "R / brisk" \
        "$(awk -v a="${r[participant]}" -v b="${b[participant]}" 'BEGIN { print a / b }')" \
        "$(awk -v a="${r[segment]}" -v b="${b[segment]}" 'BEGIN { print a / b }')"
    echo
    echo "R's parts, seconds (participant, then segment; the bootstrap of $draws draws):"
    paste -d ' ' "$tmp/r_participant.out" "$tmp/r_segment.out" |
        awk '{ printf "  %-14s %8s %8s\n", $1, $2, $4 }'
fi
