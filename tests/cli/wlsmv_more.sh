#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# WLSMV beyond the delta parameterization on complete rows, against
# lavaan 0.6-14 (tests/reference/wlsmv_more/make_reference.R -> its CSVs):
# the theta parameterization (--parameterization theta) and missing =
# "pairwise" (--missing pairwise): every estimate and SE, the thresholds
# and scale factors (~*~) among them, the respondents used and the fit
# measures, to 1e-4 (relative beyond 1); and their bad input.  TAP.  By hand:
#   top_srcdir=. top_builddir=. sh tests/cli/wlsmv_more.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
data="$top_srcdir/tests/data"
ref="$top_srcdir/tests/reference/wlsmv_more"
echo "1..39"

# matches NAME DATA ARGS...: brisk's fit of NAME.lav to DATA (or, DATA
# "survey", of the survey ARGS) against NAME's CSVs
matches() {
    case_=$1 file=$2
    shift 2
    if [ "$file" = survey ]; then
        "$brisk" fit --estimator wlsmv "$@" -f csv -q >"$tmp/$case_.csv" || return 1
    else
        "$brisk" fit --data "$data/$file" --model "$ref/$case_.lav" --estimator wlsmv "$@" \
            -f csv -q >"$tmp/$case_.csv" || return 1
    fi
    awk -F, '
        function near(a, b, what) {
            d = a - b; d = d < 0 ? -d : d; w = b < 0 ? -b : b
            if (d > 1e-4 * (w > 1 ? w : 1)) { print what ": brisk " a ", lavaan " b; bad = 1 }
            checked++ }
        BEGIN { m["ntotal"] = "Observations"; m["npar"] = "Free parameters"; m["chisq"] = "Chi-square"
                m["df"] = "Degrees of freedom"; m["chisq.scaled"] = "Chi-square (scaled)"
                m["chisq.scaling.factor"] = "Scaling factor"; m["cfi"] = "CFI"; m["tli"] = "TLI"
                m["rmsea"] = "RMSEA"; m["srmr"] = "SRMR"; m["cfi.scaled"] = "CFI (scaled)"
                m["tli.scaled"] = "TLI (scaled)"; m["rmsea.scaled"] = "RMSEA (scaled)"
                m["cfi.robust"] = "CFI (robust)"; m["tli.robust"] = "TLI (robust)"
                m["rmsea.robust"] = "RMSEA (robust)"; m["baseline.chisq"] = "Baseline chi-square"
                m["baseline.chisq.scaled"] = "Baseline chi-square (scaled)" }
        FILENAME ~ /params.csv$/ { if (FNR > 1) { k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
                                                   est[k] = $5; se[k] = $6; nref++ } next }
        FILENAME ~ /fit.csv$/ { if (FNR > 1) { fm[m[$1]] = $2; nfmref++ } next }
        /^# / { section = $0; header = 1; next }
        header { grouped = $1 == "group"; header = 0; next }
        section ~ /fit.measures/ && ($1 in fm) { near($2, fm[$1], $1); nfm++ }
        section ~ /fit.parameters/ && NF > 8 {
            g = 0
            if (grouped) { if (!($1 in gs)) gs[$1] = ++ng; g = gs[$1]; $0 = substr($0, index($0, ",") + 1) }
            if ($2 == ":=") gsub(/ /, "", $3)
            k = g SUBSEP $1 SUBSEP $2 SUBSEP $3
            if ($2 == "~1" && $6 == 0 && $7 == 0) next
            if (!(k in est)) { print "no lavaan row " g " " $1 " " $2 " " $3; bad = 1; next }
            seen++; near($6, est[k], "est " g " " $1 $2 $3); near($7, se[k], "se " g " " $1 $2 $3)
        }
        END { if (seen != nref) { print "brisk has " seen " rows, lavaan " nref; bad = 1 }
              if (nfm != nfmref) { print nfm " fit measures compared, not " nfmref; bad = 1 }
              exit bad }' \
        "$ref/$case_.params.csv" "$ref/$case_.fit.csv" "$tmp/$case_.csv"
}
ok "theta: bfi's two factors, every estimate, SE, threshold, scale factor and fit measure as lavaan's" \
    matches bfi_theta bfi.csv --parameterization theta
ok "theta by gender (configural): as lavaan's" \
    matches bfi_theta_group bfi.csv --parameterization theta --group gender
ok "theta: HS items cut at their quartiles (hs_cat.csv), three factors: as lavaan's" \
    matches hs_theta hs_cat.csv --parameterization theta
ok "theta: the same with regressions among the factors: as lavaan's" \
    matches hs_theta_sem hs_cat.csv --parameterization theta
ok "theta: rongcheng.survey's model of behaviour crime (18 items, regressions, := effects): as lavaan's" \
    matches rongcheng_theta survey "$top_srcdir/surveys/rongcheng/rongcheng.survey" -b crime \
    --unweighted --parameterization theta
ok "pairwise: bfi with its missing answers, all 2,800 rows, as lavaan's missing = \"pairwise\"" \
    matches bfi_pairwise bfi.csv --missing pairwise
ok "pairwise by gender: as lavaan's" \
    matches bfi_pairwise_group bfi.csv --missing pairwise --group gender

# Ordered and continuous indicators together (--ordered: lavaan's ordered =
# some of the items; make_mixed.R): polyserial, Pearson and polychoric
# correlations, the continuous items' means and variances (lavaan leaves the
# robust CFI/TLI/RMSEA out then, and so does brisk)
mixed_ordered=u2,u3,u6,u7,u9
ok "mixed: HS three factors, five items ordered and four continuous, every estimate, SE and fit measure as lavaan's" \
    matches hs_mixed hs_cat.csv --ordered $mixed_ordered
ok "mixed: the same with regressions among the factors" \
    matches hs_mixed_sem hs_cat.csv --ordered $mixed_ordered
ok "mixed by school (two groups): as lavaan's" \
    matches hs_mixed_group hs_cat.csv --ordered $mixed_ordered --group school
ok "mixed: two ordered items among nine (Pearson correlations mostly)" \
    matches hs_mixed_two hs_cat.csv --ordered u3,u8
ok "mixed with the theta parameterization: the ordered items' scale factors derived, as lavaan's" \
    matches hs_mixed_theta hs_cat.csv --ordered $mixed_ordered --parameterization theta
ok "mixed, theta, by school: as lavaan's" \
    matches hs_mixed_theta_group hs_cat.csv --ordered $mixed_ordered --parameterization theta \
    --group school
ok "mixed with covariates (conditional.x): probit and linear regressions on them, every estimate, SE and fit measure as lavaan's" \
    matches hs_mixed_cov hs_cat.csv --ordered u2,u3,u6
ok "mixed with covariates by school: as lavaan's" \
    matches hs_mixed_cov_group hs_cat.csv --ordered u2,u3,u6 --group school
ok "mixed: bfi's agreeableness items ordered, conscientiousness continuous, listwise: as lavaan's" \
    matches bfi_mixed bfi.csv --ordered A1,A2,A3,A4,A5
ok "mixed, --missing pairwise: all 2,800 rows, each continuous item's moments from its answers, as lavaan's" \
    matches bfi_mixed_pairwise bfi.csv --ordered A1,A2,A3,A4,A5 --missing pairwise
ok "mixed, pairwise, by gender: as lavaan's" \
    matches bfi_mixed_pairwise_group bfi.csv --ordered A1,A2,A3,A4,A5 --missing pairwise \
    --group gender
ok "mixed with loadings and thresholds equal by school: the ordered items' scale factors, the continuous items' intercepts held equal, as lavaan's" \
    matches hs_mixed_equal hs_cat.csv --ordered $mixed_ordered --group school \
    --group-equal loadings,thresholds
# lavaan's modindices() of the mixed fit: every row it lists, MI and EPC to
# 1e-3 (relative beyond 1: lavaan's estimates stop short of the optimum
# brisk polishes to), sepc.all too
mixed_modindices() {
    "$brisk" fit --data "$data/hs_cat.csv" --model "$ref/hs_mixed.lav" --ordered $mixed_ordered \
        --modindices --mi-min 0 -f csv -q >"$tmp/mi.csv" || return 1
    awk -F, '
        function near(a, b, what) {
            d = a - b; d = d < 0 ? -d : d; w = b < 0 ? -b : b
            if (d > 1e-3 * (w > 1 ? w : 1)) { print what ": brisk " a ", lavaan " b; bad = 1 } }
        FILENAME ~ /mi.csv$/ && FILENAME ~ /reference/ {
            if (FNR > 1) { k = $1 SUBSEP $2 SUBSEP $3; mi[k] = $4; epc[k] = $5; sa[k] = $6; n++ }
            next }
        /^# / { section = $0; next }
        section ~ /modindices/ && $1 != "lhs" && NF > 5 {
            k = $1 SUBSEP $2 SUBSEP $3
            if (!(k in mi)) { if ($4 > 1e-3) { print "not in lavaan: " $1 $2 $3; bad = 1 } next }
            seen++; near($4, mi[k], "mi " $1 $2 $3); near($5, epc[k], "epc " $1 $2 $3)
            near($7, sa[k], "sepc.all " $1 $2 $3) }
        END { if (seen != n) { print "brisk lists " seen " of lavaan'"'"'s " n; bad = 1 }
              exit bad }' "$ref/hs_mixed.mi.csv" "$tmp/mi.csv"
}
ok "mixed: modification indices, every row lavaan lists, as lavaan's" mixed_modindices
mixed_survey() {   # rongcheng.survey with its acceptance items declared ordered
    sed -e "s|^data *=.*|data = $(cd "$top_srcdir/surveys/rongcheng" && pwd)/rongcheng.csv|" \
        -e 's|^missing *=.*|&\nordered = acc1_{b} acc2_{b} acc3_{b}|' \
        "$top_srcdir/surveys/rongcheng/rongcheng.survey" >"$tmp/mixed.survey"
}
survey_mixed() {
    mixed_survey && matches rongcheng_mixed survey "$tmp/mixed.survey" -b crime --unweighted &&
    "$brisk" fit "$tmp/mixed.survey" -b crime --unweighted -f csv -q >"$tmp/default.csv" &&
    cmp "$tmp/default.csv" "$tmp/rongcheng_mixed.csv"
}
ok "mixed in a survey: ordered = its acceptance items, the other 15 continuous (crime), as lavaan's; the same without --estimator" \
    survey_mixed
no_robust_mixed() {
    run 0 fit --data "$data/hs_cat.csv" --model "$ref/hs_mixed.lav" --ordered $mixed_ordered \
        -f csv -q && lacks "CFI (robust)" "$tmp/out" && has "x1,~1,,,true,4.93" "$tmp/out"
}
ok "mixed: no robust CFI (lavaan computes none with continuous items); a continuous item's intercept is its mean" \
    no_robust_mixed

# brisk invariance --missing pairwise: each level's chi-squares and
# lavTestLRT's scaled-shifted difference (bfi_pairwise_invariance.csv),
# columns matched by name
# invariance_matches REF ARGS...: brisk invariance ARGS against REF's levels
# and lavTestLRT's differences (columns matched by name)
invariance_matches() {
    want_=$1
    shift
    "$brisk" invariance "$@" -f csv -q >"$tmp/inv.csv" || return 1
    awk -F, '
        function near(a, b, what) {
            if (b == "NA") { if (a != "") { print what ": brisk " a ", lavaan NA"; bad = 1 } return }
            d = a - b; d = d < 0 ? -d : d; w = b < 0 ? -b : b
            if (a == "" || d > 1e-4 * (w > 1 ? w : 1)) { print what ": brisk " a ", lavaan " b; bad = 1 }
            checked++ }
        BEGIN { fit = 1 }   # one table: no "# invariance.fit" line above it
        FILENAME ~ /invariance.csv$/ {
            if (FNR == 1) { for (i = 1; i <= NF; i++) rcol[$i] = i; next }
            nref++; for (c in rcol) want[nref, c] = $rcol[c]; next }
        /^# / { fit = $0 ~ /^# invariance\.fit/; header = 1; next }
        fit && (header || FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; header = 0; next }
        fit && NF > 1 { k++
            for (c in rcol) if (c != "level" && c != "npar" && c != "df" && c != "df_diff")
                near($col[c], want[k, c], $col["level"] " " c) }
        END { if (k != 3 || checked != 10) { print k " levels, " checked " values"; bad = 1 }
              exit bad }' "$ref/$want_" "$tmp/inv.csv"
}
pairwise_invariance() {
    invariance_matches bfi_pairwise_invariance.csv --data "$data/bfi.csv" \
        --model "$ref/bfi_pairwise_group.lav" --group gender --estimator wlsmv --missing pairwise
}
mixed_invariance() {
    mixed_survey &&
    invariance_matches rongcheng_mixed_invariance.csv "$tmp/mixed.survey" -b fees --unweighted \
        --group urban
}
ok "mixed in brisk invariance: rongcheng's fees by urban, each level and lavTestLRT's differences as lavaan's" \
    mixed_invariance
ok "pairwise in brisk invariance: each level and lavTestLRT's differences as lavaan's" \
    pairwise_invariance

# the bootstrap of a pairwise fit draws from every respondent who answered
# and refits each draw pairwise: its SE of trust =~ tg2 near the robust one
# (0.069), not the listwise draws' (0.097, what the draws gave when they
# were refitted listwise)
pairwise_bootstrap() {
    "$brisk" fit "$top_srcdir/surveys/rongcheng/rongcheng.survey" -b crime --estimator wlsmv \
        --unweighted --missing pairwise --bootstrap 200 --seed 2 -q -f csv >"$tmp/boot.csv" &&
    awk -F, '$2 == "trust" && $3 == "=~" && $4 == "tg2" { found = 1; ok = $8 > 0.06 && $8 < 0.08 }
             END { exit !(found && ok) }' "$tmp/boot.csv"
}
ok "pairwise under --bootstrap: every draw refitted pairwise" pairwise_bootstrap
ok "pairwise with the theta parameterization: as lavaan's" \
    matches bfi_pairwise_theta bfi.csv --missing pairwise --parameterization theta
ok "pairwise: rongcheng's crime model, all 600 respondents: as lavaan's" \
    matches rongcheng_pairwise survey "$top_srcdir/surveys/rongcheng/rongcheng.survey" -b crime \
    --unweighted --missing pairwise

refused() {   # refused STATUS TEXT ARGS...: brisk fit exits STATUS saying TEXT, no output
    want=$1 text=$2
    shift 2
    run "$want" fit --data "$data/hs_cat.csv" --model "$ref/hs_theta.lav" "$@" &&
        has "$text" "$tmp/err" && [ ! -s "$tmp/out" ]
}
refused_mixed() {   # refused_mixed TEXT ARGS...: the mixed HS model refused, exit 1
    text=$1
    shift
    run 1 fit --data "$data/hs_cat.csv" --model "$ref/hs_mixed.lav" "$@" &&
        has "$text" "$tmp/err" && [ ! -s "$tmp/out" ]
}
ok "--ordered naming a variable the model does not use: exit 1, naming it" \
    refused_mixed "--ordered names 'nosuch', which is not an observed variable of the model" \
    --ordered u2,u3,nosuch
ordered_elsewhere() {
    refused_mixed "--ordered items are fitted by WLSMV" --ordered u2 --estimator ml &&
    run 1 fit "$top_srcdir/surveys/rongcheng/rongcheng.survey" --ordered tg1 &&
    has "--ordered goes with --data and --model" "$tmp/err" && [ ! -s "$tmp/out" ]
}
ok "--ordered with another estimator, or with a survey: exit 1, saying why" ordered_elsewhere
ok "--parameterization other than delta or theta: exit 1, naming it" \
    refused 1 "--parameterization takes delta or theta, not 'gamma'" --estimator wlsmv \
    --parameterization gamma
ok "theta without ordered items (ML): exit 1, saying so" \
    refused 1 "the theta parameterization is for ordered items" --parameterization theta
ok "theta with thresholds held equal across groups: refused plainly" \
    refused 1 "with the theta parameterization are not supported" --estimator wlsmv \
    --parameterization theta --group school --group-equal loadings,thresholds
ok "--missing pairwise without WLSMV: exit 1, saying so" \
    refused 1 "--missing pairwise is WLSMV's" --missing pairwise
ok "--missing other than listwise, fiml or pairwise: exit 1, naming it" \
    refused 1 "--missing takes listwise, fiml or pairwise, not 'available'" --missing available
pairwise_covariates() {
    printf 'f =~ A1 + A2 + A3\nf ~ age\n' >"$tmp/x.lav" &&
    run 1 fit --data "$data/bfi.csv" --model "$tmp/x.lav" --estimator wlsmv --missing pairwise &&
    has "--missing pairwise with covariates in the model is not supported yet" "$tmp/err" &&
    [ ! -s "$tmp/out" ]
}
ok "--missing pairwise with covariates: refused plainly" pairwise_covariates
ok "listwise stays WLSMV's default (lavaan's): 2,632 of bfi's 2,800 rows" \
    sh -c '"$1" fit --data "$2" --model "$3" --estimator wlsmv -f csv -q | grep -q "^Observations,2632$"' \
    sh "$brisk" "$data/bfi.csv" "$ref/bfi_theta.lav"
ok "delta stays the default: --parameterization delta is the fit without it" \
    sh -c '"$1" fit --data "$2" --model "$3" --estimator wlsmv -f csv -q >"$4/a" &&
           "$1" fit --data "$2" --model "$3" --estimator wlsmv --parameterization delta -f csv -q >"$4/b" &&
           cmp "$4/a" "$4/b"' sh "$brisk" "$data/hs_cat.csv" "$ref/hs_theta.lav" "$tmp"
# bfi.survey's agree and conscientious factors (its 25 items take long)
survey_theta() {
    sed -e "s|^data *=.*|data = $(cd "$data" && pwd)/bfi.csv|" -e '/^extraversion\|^neuroticism\|^openness/d' \
        "$data/bfi.survey" >"$tmp/two.survey" &&
    run 0 fit "$tmp/two.survey" --estimator wlsmv --parameterization theta -f csv -q &&
    has "A1,~*~,A1" "$tmp/out" && has "A1,~~,A1,,false,1,0" "$tmp/out"
}
ok "theta with a survey: the latent responses' variances 1, the scale factors derived" survey_theta
says_so() {
    run 0 fit --data "$data/bfi.csv" --model "$ref/bfi_theta.lav" --estimator wlsmv \
        --parameterization theta --missing pairwise &&
    has "The theta parameterization (lavaan's parameterization = \"theta\")" "$tmp/out" &&
    has "Missing answers pairwise (lavaan's missing = \"pairwise\")" "$tmp/out" &&
    has "Observations                       2800" "$tmp/out"
}
ok "the fit's notes say theta and pairwise" says_so
exit $((failed > 0))
