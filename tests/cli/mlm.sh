#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --estimator mlm (lavaan's estimator = "MLM") from the command line:
# brisk fit's csv output against lavaan 0.6-14 (tests/reference/mlm/, made
# by make_reference.R): every estimate, SE and z, and the scaled and robust
# measures, to 1e-4 (relative beyond 1); brisk invariance's scaled
# differences; lavaan's se/test names; and what MLM does not go with,
# refused (exit status 1, saying what to use, nothing on standard output).
# TAP.  Run by `make check`; by hand:
#   top_srcdir=. top_builddir=. sh tests/cli/mlm.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/mlm"
echo "1..8"

# matches NAME DATA [OPTIONS...]: brisk fit --estimator mlm of NAME.lav on
# DATA against NAME.params.csv (rows in order: est, se, z) and NAME.fit.csv
matches() {
    case_name=$1 file=$2
    shift 2
    "$brisk" fit --data "$data/$file" --model "$ref/$case_name.lav" --estimator mlm -f csv -q \
        "$@" >"$tmp/$case_name.csv" || return 1
    awk -F, '
        function unq(s) { gsub(/"/, "", s); return s }
        function near(a, b, what) {
            tol = 1e-4 * (b > 1 ? b : b < -1 ? -b : 1)
            if ((a - b) > tol || (b - a) > tol) { printf "%s: brisk %s, lavaan %s\n", what, a, b; bad = 1 }
        }
        FILENAME ~ /params.csv$/ { if (FNR > 1) { nref++; rl[nref] = unq($2) unq($3) unq($4); re[nref] = $7; rs[nref] = $8; rz[nref] = $9 } next }
        FILENAME ~ /fit.csv$/ { if (FNR > 1) fm[unq($1)] = $2; next }
        /^# / { section = $0; next }
        section ~ /fit.parameters/ && $1 == "group" { shift = 1 }
        section ~ /fit.parameters/ && $1 != "lhs" && $1 != "group" && NF > 5 {
            if (shift) { for (i = 1; i < NF; i++) $i = $(i + 1); NF-- }
            np++
            if (rl[np] != $1 $2 $3) { printf "row %d: brisk %s%s%s, lavaan %s\n", np, $1, $2, $3, rl[np]; bad = 1 }
            near($6, re[np], "est " $1 $2 $3); near($7, rs[np], "se " $1 $2 $3)
            if (rz[np] != "") near($8, rz[np], "z " $1 $2 $3)
        }
        section ~ /fit.measures/ {
            key = $1 == "Chi-square" ? "chisq" : $1 == "Degrees of freedom" ? "df" : \
                  $1 == "Chi-square (scaled)" ? "chisq_scaled" : \
                  $1 == "p (scaled chi-square)" ? "pvalue_scaled" : \
                  $1 == "Scaling factor" ? "chisq_scaling_factor" : \
                  $1 == "Baseline chi-square (scaled)" ? "baseline_chisq_scaled" : \
                  $1 == "Baseline scaling factor" ? "baseline_chisq_scaling_factor" : \
                  $1 == "CFI (scaled)" ? "cfi_scaled" : $1 == "TLI (scaled)" ? "tli_scaled" : \
                  $1 == "CFI (robust)" ? "cfi_robust" : $1 == "TLI (robust)" ? "tli_robust" : \
                  $1 == "RMSEA (scaled)" ? "rmsea_scaled" : \
                  $1 == "RMSEA (scaled) 90% CI lower" ? "rmsea_ci_lower_scaled" : \
                  $1 == "RMSEA (scaled) 90% CI upper" ? "rmsea_ci_upper_scaled" : \
                  $1 == "RMSEA (robust)" ? "rmsea_robust" : \
                  $1 == "RMSEA (robust) 90% CI lower" ? "rmsea_ci_lower_robust" : \
                  $1 == "RMSEA (robust) 90% CI upper" ? "rmsea_ci_upper_robust" : ""
            if (key != "") { near($2, fm[key], key); seen++ }
        }
        END {
            if (np != nref) { printf "%d rows, lavaan %d\n", np, nref; bad = 1 }
            if (seen != 17) { printf "%d measures compared, not 17\n", seen; bad = 1 }
            exit bad
        }' "$ref/$case_name.params.csv" "$ref/$case_name.fit.csv" "$tmp/$case_name.csv"
}

ok "Holzinger-Swineford CFA by MLM as lavaan's" matches hs_mlm hs.csv
ok "Political Democracy SEM by MLM as lavaan's" matches pd_mlm pd.csv
groups() {
    matches hs_mlm_group hs.csv --group school &&
    matches hs_mlm_metric hs.csv --group school --group-equal loadings
}
ok "HS by school, configural and equal loadings, by MLM as lavaan's" groups

# brisk invariance: every level's scaled chi-square and lavTestLRT's
# Satorra-Bentler (2001) difference
invariance() {
    run 0 invariance --data "$data/hs.csv" --model "$top_srcdir/doc/examples/hs.lav" \
        --group school --estimator mlm -f csv -q &&
    awk -F, '
        function near(a, b, what) {
            tol = 1e-4 * (b > 1 ? b : 1)
            if ((a - b) > tol || (b - a) > tol) { printf "%s: brisk %s, lavaan %s\n", what, a, b; bad = 1 }
        }
        FILENAME ~ /invariance.csv$/ { if (FNR > 1) { n++; sc[n] = $5; cd[n] = $19; pv[n] = $21 } next }
        /^# / { fit = $0 ~ /^# invariance\.fit/; next }   # its table only, not invariance.release
        fit && $1 != "level" && NF > 1 { k++; near($5, sc[k], "chisq_scaled " k)
                  if (k > 1) { near($16, cd[k], "chisq_diff " k); near($18, pv[k], "pvalue " k) } }
        END { if (k != 4) { print k " levels"; bad = 1 } exit bad }' \
        "$ref/hs_mlm_invariance.csv" "$tmp/out"
}
ok "invariance by MLM: scaled differences as lavTestLRT's" invariance

# lavaan's names of MLM's SEs and test are accepted, others refused
names() {
    hs="--data $data/hs.csv --model $top_srcdir/doc/examples/hs.lav"
    run 0 fit $hs --estimator mlm --se robust.sem --test satorra.bentler -q &&
    run 0 fit $hs --estimator mlm --se robust -q &&
    run 1 fit $hs --estimator mlm --se robust.huber.white &&
    has 'this MLM fit'"'"'s standard errors are lavaan'"'"'s se = "robust.sem"' "$tmp/err" &&
    run 1 fit $hs --estimator mlm --test yuan.bentler.mplus &&
    has 'satorra.bentler (--estimator mlm)' "$tmp/err" &&
    run 1 fit $hs --se robust.sem && has "--estimator mlm" "$tmp/err" &&
    run 1 fit $hs --test satorra.bentler && has "satorra.bentler (--estimator mlm)" "$tmp/err" &&
    run 0 fit $hs --estimator mlm -f json -q && has '"estimator": "MLM"' "$tmp/out" &&
    run 1 fit --estimator nosuch $hs && has "--estimator takes ml, mlr, mlm, wlsmv" "$tmp/err"
}
ok "--se robust.sem and --test satorra.bentler name MLM's" names

# refused: exit 1, a message saying what to use, nothing on standard output
refused() {   # refused MESSAGE ARGS...
    message=$1
    shift
    run 1 "$@" && has "$message" "$tmp/err" && [ ! -s "$tmp/out" ]
}
bad_input() {
    hs="--data $data/hs.csv --model $top_srcdir/doc/examples/hs.lav"
    refused "MLM does not go with full-information ML (--missing fiml)" fit $hs --estimator mlm \
        --missing fiml &&
    has "use --estimator mlr --missing fiml" "$tmp/err" &&
    refused "MLM does not take sampling weights ('ageyr')" fit $hs --estimator mlm --weight ageyr &&
    has "(--estimator mlr" "$tmp/err" &&
    refused "MLM does not take clusters ('school')" fit $hs --estimator mlm --cluster school &&
    refused "MLM does not take sampling weights ('weight')" fit rongcheng -b crime --estimator mlm &&
    has "(--unweighted)" "$tmp/err" &&
    refused "MLM does not go with full-information ML" invariance $hs --group school \
        --estimator mlm --missing fiml &&
    refused "--estimator mlm (robust SEs) needs the raw data" fit \
        --cov "$top_srcdir/tests/reference/covinput/hs.cov.csv" --n 301 \
        --model "$top_srcdir/doc/examples/hs.lav" --estimator mlm
}
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS
ok "MLM refused with FIML, weights, clusters, a matrix" bad_input

# a survey's ordered items under --estimator mlm are numbers, as under ml
# and mlr (the estimator given holds for every item)
ordered() {
    survey="$top_srcdir/surveys/rongcheng/rongcheng.survey"
    sed -e "s|^data     = rongcheng.csv|data = $top_srcdir/surveys/rongcheng/rongcheng.csv|" \
        -e "s|^project *=.*|project = $top_srcdir/surveys/rongcheng/interviews.qdpx|" \
        -e 's/^agree    = 4..5/agree = 4..5\nordered = all/' -e 's/^weight/; weight/' "$survey" \
        >"$tmp/ordered.survey" &&
    run 0 fit "$tmp/ordered.survey" -b crime --estimator mlm -q &&
    lacks "Shift parameter" "$tmp/out" && has "Satorra-Bentler" "$tmp/out"
}
ok "a survey's ordered items by --estimator mlm: fitted as numbers" ordered

# the report names the estimator
report() {
    run 0 report rongcheng --unweighted --estimator mlm --bootstrap 0 --format md -q &&
    has "MLM (ML estimates; robust standard errors, Satorra-Bentler scaled chi-square)" "$tmp/out"
}
ok "brisk report --estimator mlm" report

[ "$failed" -eq 0 ]
