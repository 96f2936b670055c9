#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Command-line tests of brisk, printed as TAP.  Run by `make check` with
# top_srcdir and top_builddir set; by hand: top_srcdir=. top_builddir=. sh tests/cli/cli.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
survey="$top_srcdir/surveys/rongcheng/rongcheng.survey"
data="$top_srcdir/tests/data"

t_help() {
    run 0 --help && has "describe" "$tmp/out" && has "import" "$tmp/out" &&
    run 0 --version && has "brisk 0.1.0" "$tmp/out" &&
    run 0 describe --help && has "Usage: brisk describe" "$tmp/out" &&
    run 0 import --help && has "Usage: brisk import" "$tmp/out"
}
t_usage_errors() {
    run 1 frobnicate && has "unknown command 'frobnicate'" "$tmp/err" &&
    run 1 && run 1 describe && has "a survey is required" "$tmp/err" &&
    run 1 describe "$survey" --format xls && has "unknown format 'xls'" "$tmp/err" &&
    run 1 describe "$survey" -o "$tmp/x.xyz" && has "cannot tell the format" "$tmp/err" &&
    run 1 describe --bogus "$survey" && has "Try 'brisk describe --help'" "$tmp/err" &&
    run 1 import "$data/iris.sav" --labels && has "--labels goes with -o" "$tmp/err" &&
    run 1 import "$data/iris.sav" --delimiter x && has "delimiter must be" "$tmp/err"
}
t_describe_text() {
    run 0 describe "$survey" && has "Items by behaviour" "$tmp/out" &&
    has "% agree" "$tmp/out" && has "pb1_internet" "$tmp/out" &&
    has "Demographics: frequencies" "$tmp/out" && has "Weighted by 'weight'" "$tmp/out"
}
t_describe_by_name() {
    BRISK_SURVEYS="$top_srcdir/surveys" "$brisk" describe rongcheng --format csv >"$tmp/by-name.csv" &&
    "$brisk" describe "$survey" --format csv >"$tmp/by-path.csv" &&
    cmp "$tmp/by-name.csv" "$tmp/by-path.csv" &&
    has "behaviour,construct,item,n,missing,mean,sd,median,pct_1" "$tmp/by-name.csv" &&
    run 2 describe no-such-survey && has "neither a survey file nor a bundled survey" "$tmp/err"
}
t_describe_json() {
    run 0 describe "$survey" --format json &&
    has '"brisk": "0.1.0"' "$tmp/out" && has '"id": "describe.items"' "$tmp/out" &&
    has '"behaviour": "Payment of fees", "construct": "benefit", "item": "pb2_fees"' "$tmp/out" &&
    lacks 'nan' "$tmp/out" && lacks 'inf' "$tmp/out" &&
    { ! command -v python3 >/dev/null || python3 -m json.tool "$tmp/out" >/dev/null; }
}
t_describe_output_file() {
    run 0 describe "$survey" -o "$tmp/items.md" && [ ! -s "$tmp/out" ] &&
    has "### Items by behaviour" "$tmp/items.md" && has "| :--- |" "$tmp/items.md" &&
    [ -z "$(ls "$tmp" | grep tmp)" ]
}
t_describe_unwritable() {
    run 4 describe "$survey" -o "$tmp/no/such/dir/x.json" && has "cannot create output file" "$tmp/err" &&
    [ ! -e "$tmp/no" ]
}
t_import_spss_labels() {
    run 0 import "$data/electric.sav" && has "DAYOFWK" "$tmp/out" &&
    has "DAY OF DEATH" "$tmp/out" && has "Value labels" "$tmp/out" &&
    has "SUDDEN  DEATH" "$tmp/out" &&
    run 0 import "$data/electric.sav" --format json &&
    has '"name": "DAYOFWK", "type": "numeric", "measure": null, "label": "DAY OF DEATH", "valid": 110, "missing_system": 0, "missing_user": 130, "missing_tagged": 0, "value_labels": 8, "missing_codes": "9"' "$tmp/out"
}
t_import_converts() {
    run 0 import "$data/electric.sav" -o "$tmp/electric.csv" --quiet && [ ! -s "$tmp/out" ] &&
    has "CASEID,FIRSTCHD,AGE" "$tmp/electric.csv" &&
    [ "$(wc -l <"$tmp/electric.csv")" -eq 241 ] &&
    has "FIRSTCHD,3,NONFATALMI,false" "$tmp/electric.csv.labels.csv" &&
    run 0 import "$data/electric.sav" -o "$tmp/labelled.tsv" --labels --quiet &&
    has "NONFATALMI" "$tmp/labelled.tsv" && [ ! -e "$tmp/labelled.tsv.labels.csv" ]
}
t_import_csv_round_trip() {
    run 0 import "$top_srcdir/surveys/rongcheng/rongcheng.csv" -o "$tmp/round.csv" &&
    has "Variables of" "$tmp/out" &&
    run 0 import "$tmp/round.csv" -o "$tmp/round2.csv" -q &&
    cmp "$tmp/round.csv" "$tmp/round2.csv" &&
    [ "$(wc -l <"$tmp/round.csv")" -eq "$(wc -l <"$top_srcdir/surveys/rongcheng/rongcheng.csv")" ] &&
    has "2,4,4,3,3,1,5,4,5,4,5,4,5,4,4,5,5,-99,5," "$tmp/round.csv" && has ",2,0.7436" "$tmp/round.csv"
}
t_import_tagged_missing() {
    run 0 import "$data/labelled.dta" --format csv &&
    has "trust,.a,.a: Refused,true" "$tmp/out" && lacks "nan" "$tmp/out" &&
    run 0 import "$data/labelled.dta" -o "$tmp/l.csv" -q &&
    has "trust,.b,.b: Don't know,true" "$tmp/l.csv.labels.csv"
}
t_import_stata_sas() {
    for f in iris.dta iris.sas7bdat; do
        run 0 import "$data/$f" --format csv || return 1
        grep -qi "sepal" "$tmp/out" || { echo "no sepal in $f" >&2; return 1; }
    done
}

t_fit_data_model() {
    printf 'visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n' >"$tmp/hs.lav" &&
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --format json &&
    has '"chisq": 85.3055' "$tmp/out" && has '"df": 24' "$tmp/out" &&
    has '"group": null' "$tmp/out" && has '"estimator": "ML"' "$tmp/out" &&
    has '{"lhs": "visual", "op": "=~", "rhs": "x2", "label": "", "free": true, "est": 0.5535' "$tmp/out" &&
    { ! command -v python3 >/dev/null || python3 -m json.tool "$tmp/out" >/dev/null; } &&
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" &&
    has "Chi-square                      85.306" "$tmp/out" && has "RMSEA 90% CI upper" "$tmp/out" &&
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" -o "$tmp/hs.csv" &&
    has "lhs,op,rhs,label,free,est,se,z,pvalue,ci_lower,ci_upper,std_lv,std_all" "$tmp/hs.csv"
}
t_fit_survey() {
    run 0 fit "$survey" -q && has "Criminal records  Payment of fees  Internet use  Littering of garbage" "$tmp/out" &&
    has "358 of 600 respondents used" "$tmp/out" &&
    run 0 fit "$survey" -b fees -b litter --format json &&
    has '"group": "fees"' "$tmp/out" && lacks '"group": "crime"' "$tmp/out" &&
    lacks "weight is not used" "$tmp/err" && has '"warnings": []' "$tmp/out" &&
    has '"weight": "weight", "cluster": null, "nobs": 351' "$tmp/out" &&
    run 0 fit "$survey" -b fees &&
    has "Payment of fees: weighted by 'weight' (lavaan's sampling.weights; 351 weights" "$tmp/out" &&
    run 0 fit "$survey" -b fees --unweighted -f csv && lacks "weighted by" "$tmp/out" &&
    lacks "Chi-square (scaled)" "$tmp/out" &&
    run 1 fit "$survey" --weight weight --unweighted && has "not both" "$tmp/err" &&
    run 2 fit "$survey" -b fees --weight nosuch && has "weight 'nosuch' is not a column" "$tmp/err" &&
    run 1 fit "$survey" -b nosuch && has "no behaviour 'nosuch'" "$tmp/err" &&
    run 1 fit "$survey" --data "$data/hs.csv" && has "not both" "$tmp/err"
}

t_fit_diagram() {
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --format dot &&
    has 'digraph "model" {' "$tmp/out" && has '"visual" -> "x2" [label=".42***"];' "$tmp/out" &&
    has '"visual" -> "textual" [label=".46***", dir=both, style=dashed' "$tmp/out" &&
    run 0 fit "$survey" -q -o "$tmp/d.dot" && has 'digraph "litter"' "$tmp/d.dot" &&
    if command -v dot >/dev/null; then
        run 0 fit "$survey" -q -o "$tmp/p.svg" && [ -s "$tmp/p_crime.svg" ] && [ -s "$tmp/p_litter.svg" ] &&
        has "<svg" "$tmp/p_fees.svg"
    else
        run 4 fit "$survey" -q -o "$tmp/p.svg" && has "sudo apt-get install graphviz" "$tmp/err" &&
        [ ! -e "$tmp/p_crime.svg" ]
    fi
}
t_report() {
    run 0 report "$survey" -q --bootstrap 100 -o "$tmp/r.md" && has "### Overview" "$tmp/r.md" &&
    has "### Structural paths by behaviour" "$tmp/r.md" && has "### Model fit by behaviour" "$tmp/r.md" &&
    has "| accept ~ benefit |" "$tmp/r.md" &&
    run 0 report "$survey" -q --bootstrap 0 --format json && has '"id": "report.agreement"' "$tmp/out" &&
    has '"id": "report.loadings"' "$tmp/out" &&
    run 3 report "$top_srcdir/tests/bad/fit-report-not-identified.survey" -q -o "$tmp/bad.md" &&
    [ ! -e "$tmp/bad.md" ] && [ -z "$(ls "$tmp" | grep tmp)" ]
}

t_report_print() {
    # each sheet prints landscape, one page wide, its header rows on every
    # page, a footer with the sheet and page; a note wraps in cells merged
    # over its table; the survey's item wordings lead the Items sheet
    run 0 report "$survey" -q --bootstrap 0 -o "$tmp/p.xlsx" &&
    if command -v unzip >/dev/null; then
        unzip -p "$tmp/p.xlsx" xl/worksheets/sheet2.xml >"$tmp/items.xml" &&
        has '<pageSetup fitToHeight="0" orientation="landscape"/>' "$tmp/items.xml" &&
        has '<pageSetUpPr fitToPage="1"/>' "$tmp/items.xml" &&
        has '<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>' "$tmp/items.xml" &&
        grep -q '<mergeCell ref="A[0-9]*:[B-Z][0-9]*"/>' "$tmp/items.xml" &&
        unzip -p "$tmp/p.xlsx" xl/workbook.xml >"$tmp/wb.xml" &&
        has "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"1\">Items!\$1:\$2</definedName>" "$tmp/wb.xml" &&
        unzip -p "$tmp/p.xlsx" xl/sharedStrings.xml >"$tmp/ss.xml" &&
        has "I trust the city government to handle my personal data properly" "$tmp/ss.xml"
    else
        echo "# no unzip: the workbook is not read back"
    fi &&
    run 0 report "$survey" -q --bootstrap 0 -o "$tmp/p.md" && has "### Item wordings" "$tmp/p.md" &&
    has "| pm1_{b} | morality | Conduct regarding {behaviour} reflects a person's moral character |" "$tmp/p.md"
}

t_report_tex() {
    # the report as a LaTeX document that compiles by itself: pdflatex for
    # Latin text, xelatex with xeCJK where a label is Chinese (the bundled
    # survey's interview codes); other commands keep writing a fragment
    run 0 report "$survey" -q --bootstrap 0 -o "$tmp/r.tex" &&
    has '% brisk ' "$tmp/r.tex" && has 'a whole document; compile with xelatex' "$tmp/r.tex" &&
    has '\documentclass[10pt]{article}' "$tmp/r.tex" && has '\usepackage{xeCJK}' "$tmp/r.tex" &&
    has '\section{Overview}' "$tmp/r.tex" && has '\section{Items}' "$tmp/r.tex" &&
    has "Cohen's \ensuremath{\kappa}" "$tmp/r.tex" && has '\end{document}' "$tmp/r.tex" &&
    [ "$(grep -c '^\\section{Items}' "$tmp/r.tex")" -eq 1 ] &&
    run 0 report "$top_srcdir/doc/examples/study.survey" -q --bootstrap 0 -o "$tmp/s.tex" &&
    has 'compile with pdflatex (or xelatex)' "$tmp/s.tex" && lacks 'xeCJK' "$tmp/s.tex" &&
    has '\usepackage[T1]{fontenc}' "$tmp/s.tex" &&
    run 0 fit "$survey" -q -b crime -o "$tmp/f.tex" && lacks '\documentclass' "$tmp/f.tex" &&
    has 'needs \usepackage{booktabs,siunitx}' "$tmp/f.tex" &&
    if command -v pdflatex >/dev/null && kpsewhich siunitx.sty >/dev/null 2>&1; then
        (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error s.tex >/dev/null) &&
        [ -s "$tmp/s.pdf" ]
    else
        echo "# no pdflatex with siunitx: the Latin report is not compiled"
    fi &&
    if command -v xelatex >/dev/null && kpsewhich xeCJK.sty >/dev/null 2>&1 &&
        kpsewhich FandolSong-Regular.otf >/dev/null 2>&1; then
        (cd "$tmp" && xelatex -interaction=nonstopmode -halt-on-error r.tex >/dev/null) &&
        [ -s "$tmp/r.pdf" ] && ! grep -q 'Missing character' "$tmp/r.log"
    else
        echo "# no xelatex with xeCJK and the Fandol fonts: the Chinese report is not compiled"
    fi
}

t_report_xlsx() {
    run 0 report "$survey" -q --bootstrap 100 -o "$tmp/r.xlsx" && [ -s "$tmp/r.xlsx" ] &&
    run 0 fit "$survey" -q --format json -o "$tmp/r.json" &&
    run 0 compare "$survey" -q --bootstrap 100 --adjust holm --format json -o "$tmp/c.json" &&
    run 0 reliability "$survey" -q --format json -o "$tmp/rel.json" &&
    if command -v python3 >/dev/null; then
        python3 "$top_srcdir/tests/cli/check_workbook.py" "$tmp/r.xlsx" "$tmp/r.json" "$tmp/c.json" \
            "$tmp/rel.json"
    elif command -v unzip >/dev/null; then
        unzip -p "$tmp/r.xlsx" xl/workbook.xml | grep -q 'name="Structural"' &&
        unzip -l "$tmp/r.xlsx" | grep -q 'xl/charts/chart2.xml' &&
        ! unzip -p "$tmp/r.xlsx" 'xl/worksheets/*.xml' | grep -qi '<v>nan'
    else
        echo "# neither python3 nor unzip: the workbook is not read back"
    fi &&
    run 4 report "$survey" -q --bootstrap 0 -o "$tmp/none/r.xlsx" && has "r.xlsx" "$tmp/err" && [ ! -e "$tmp/none" ] &&
    run 1 report "$survey" -q --format xlsx && has "needs a file" "$tmp/err" &&
    run 0 describe "$survey" -q -o "$tmp/d.xlsx" && [ -s "$tmp/d.xlsx" ] &&
    run 0 describe "$survey" -q -o "$tmp/d.tex" && has '\begin{tabular}' "$tmp/d.tex" &&
    [ -z "$(ls "$tmp" | grep tmp)" ]
}

t_bootstrap_threads() {
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --bootstrap 200 --seed 42 --threads 1 --format json &&
    cp "$tmp/out" "$tmp/b1.json" &&
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --bootstrap 200 --seed 42 --threads 2 --format json &&
    cmp "$tmp/b1.json" "$tmp/out" &&
    grep -Eq '"bootstrap": \{"draws": 200, "failed": [0-9]+, "inadmissible": [0-9]+, "inadmissible_excluded": false, "seed": 42, "ci": "perc"\}' "$tmp/out" &&
    has '"std_ci_lower"' "$tmp/out" &&
    run 0 compare "$survey" --bootstrap 60 --seed 9 --threads 1 --format csv -q && cp "$tmp/out" "$tmp/c1.csv" &&
    run 0 compare "$survey" --bootstrap 60 --seed 9 --threads 2 --format csv -q && cmp "$tmp/c1.csv" "$tmp/out" &&
    run 1 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --bootstrap 1 && has "from 2 to" "$tmp/err" &&
    run 1 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --bootstrap 10 --ci bogus && has "perc or bca" "$tmp/err"
}
t_compare() {
    run 0 compare "$survey" --bootstrap 100 --adjust holm -q &&
    has "Paths by behaviour (same respondents)" "$tmp/out" &&
    has "Differences between behaviours (same respondents)" "$tmp/out" &&
    has "Defined effects by behaviour" "$tmp/out" && has "p (Holm)" "$tmp/out" &&
    run 3 compare "$top_srcdir/tests/bad/not-identified.survey" --bootstrap 10 -q &&
    has "behaviour 'crime': the model is not identified" "$tmp/err" &&
    # the estimator and missing-data options mean what they mean to fit
    run 0 compare "$survey" --bootstrap 20 --missing fiml -q &&
    has "each behaviour refitted (MLR, full information; the respondents drawn keep their weights, 'weight') on the same resample" "$tmp/out" &&
    run 0 compare "$survey" --unweighted --bootstrap 20 --estimator wlsmv -q &&
    has "each behaviour refitted (WLSMV) on the same resample" "$tmp/out" &&
    run 1 compare "$survey" --unweighted --bootstrap 20 --estimator wlsmv --missing fiml -q &&
    has "does not go with WLSMV" "$tmp/err" &&
    run 1 fit "$survey" --unweighted --estimator wlsmv --missing fiml && has "does not go with WLSMV" "$tmp/err" &&
    # a weight that WLSMV or FIML cannot use is refused, not ignored
    run 1 compare "$survey" --bootstrap 20 --estimator wlsmv -q &&
    has "sampling weights ('weight') with ordered items (WLSMV) are not available" "$tmp/err" &&
    # full-information ML takes the weight, as lavaan's
    run 0 fit "$survey" --missing fiml -b crime &&
    has "600 of 600 respondents used by full-information ML" "$tmp/out" &&
    has "Criminal records: weighted by 'weight' (lavaan's sampling.weights; 600 weights" "$tmp/out"
}
t_groups_and_invariance() {
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --group school --format json &&
    has '"chisq": 115.8513' "$tmp/out" && has '{"label": "Pasteur", "nobs": 156}' "$tmp/out" &&
    has '"group": "Grant-White", "lhs": "visual"' "$tmp/out" &&
    run 0 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --group school --group-equal loadings &&
    grep -q "^Chi-square  *124.044$" "$tmp/out" &&
    run 0 invariance --data "$data/hs.csv" --model "$tmp/hs.lav" --group school --format csv &&
    has "Scalar (+ intercepts),48,164.10283" "$tmp/out" &&
    run 1 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --group-equal loadings && has "goes with --group" "$tmp/err" &&
    run 2 fit --data "$data/hs.csv" --model "$tmp/hs.lav" --group nosuch && has "group column 'nosuch'" "$tmp/err" &&
    run 0 invariance "$survey" --group gender -b crime -b litter -f csv &&
    has "behaviour,level,npar,chisq" "$tmp/out" && has "Criminal records,Configural (with the model's equalities),121," "$tmp/out" &&
    has "Littering of garbage,Strict (+ residual variances)," "$tmp/out" &&
    lacks "weight is not used" "$tmp/err" &&
    run 0 invariance "$survey" --group gender -b crime &&
    has "Criminal records: 2 groups of 'gender': 2 (173), 1 (185)." "$tmp/out"
}
t_report_one_behaviour() {
    # the bundled survey cut to one behaviour: no comparison, but the
    # defined effects still get their bootstrap intervals
    sed -e "s|^data *=.*|data = $top_srcdir/surveys/rongcheng/rongcheng.csv|" \
        -e "s|^project *=.*|project = $top_srcdir/surveys/rongcheng/interviews.qdpx|" \
        -e '/^fees *=/d' -e '/^internet *=/d' -e '/^litter *=/d' "$survey" >"$tmp/one.survey" &&
    run 0 report "$tmp/one.survey" -q --bootstrap 50 -o "$tmp/one.md" &&
    has "### Defined effects by behaviour" "$tmp/one.md" &&
    has "| ind_trust_benefit := a1*c1 | Criminal records |" "$tmp/one.md" &&
    lacks "Differences between behaviours" "$tmp/one.md" &&
    run 0 report "$tmp/one.survey" -q --bootstrap 0 -o "$tmp/none.md" &&
    lacks "Defined effects by behaviour" "$tmp/none.md" &&
    run 2 compare "$tmp/one.survey" -q && has "at least two [behaviours]" "$tmp/err" &&
    # a measurement model only: nothing to compare, and the report says nothing of it
    sed -e "s|^data *=.*|data = $top_srcdir/surveys/rongcheng/rongcheng.csv|" \
        -e "s|^project *=.*|project = $top_srcdir/surveys/rongcheng/interviews.qdpx|" \
        -e '/ ~ /d' -e '/:=/d' "$survey" >"$tmp/cfa.survey" &&
    run 0 report "$tmp/cfa.survey" -q --bootstrap 20 -o "$tmp/cfa.md" &&
    lacks "Paths by behaviour" "$tmp/cfa.md" && lacks "Bootstrap" "$tmp/cfa.md" &&
    run 2 compare "$tmp/cfa.survey" -q --bootstrap 20 && has "nothing to compare" "$tmp/err"
}
# make_long: the bundled wide data rewritten in the long layout
# ($tmp/long.csv, $tmp/long.survey), one row per respondent and behaviour
# (behaviours in reverse order, so rows are matched by id, not position)
make_long() {
    awk -F, -v OFS=, 'NR == 1 {
            n = split("crime fees internet litter", key, " ")
            m = split("pm1 pm2 pm3 pb1 pb2 pb3 pr1 pr2 pr3 acc1 acc2 acc3", item, " ")
            for (j = 1; j <= NF; j++) col[$j] = j
            header = "id,behaviour"
            for (j = 2; j <= NF; j++)
                if ($j !~ /_(crime|fees|internet|litter)$/) { once[++nonce] = j; header = header OFS $j }
            for (i = 1; i <= m; i++) header = header OFS item[i]
            print header
            next
        }
        {
            for (k = n; k >= 1; k--) {
                line = $1 OFS key[k]
                for (j = 1; j <= nonce; j++) line = line OFS $(once[j])
                for (i = 1; i <= m; i++) line = line OFS $(col[item[i] "_" key[k]])
                print line
            }
        }' "$top_srcdir/surveys/rongcheng/rongcheng.csv" >"$tmp/long.csv" &&
    sed -e "s|^data *=.*|data = $tmp/long.csv|" -e 's|^layout *=.*|layout = long|' \
        -e "s|^project *=.*|project = $top_srcdir/surveys/rongcheng/interviews.qdpx|" \
        -e 's|^id *=.*|id = id\
behaviour = behaviour|' "$survey" >"$tmp/long.survey"
}
t_compare_clusters() {
    # a survey's clusters: each draw resamples the 30 cities; brisk's
    # bootstrap SEs (400 draws) against a hand-written cluster bootstrap in
    # R with lavaan (2,000 draws, tests/reference/compare/cluster_bootstrap.R):
    # every path's and difference's SE within 4 Monte Carlo SEs
    run 0 compare "$data/rongcheng_city.survey" --bootstrap 20 -q &&
    has "draws of the 30 clusters of 'city'" "$tmp/out" &&
    run 0 compare "$data/rongcheng_city.survey" --bootstrap 400 --seed 7 --format csv -q &&
    awk -F, -v ref="$top_srcdir/tests/reference/compare/cluster_bootstrap.csv" '
        BEGIN {
            key["Criminal records"] = "crime"; key["Payment of fees"] = "fees"
            key["Internet use"] = "internet"; key["Littering of garbage"] = "litter"
            while ((getline line < ref) > 0) {
                split(line, f, ",")
                if (f[1] == "kind") continue
                se[f[2] "|" f[3]] = f[4]; mc[f[2] "|" f[3]] = f[5]
            }
        }
        /^# / { table = $0; next }
        $1 ~ /:=/ { next }   # the defined effects: R bootstrapped the paths only
        table ~ /compare.paths/ && $1 != "path" && NF > 1 {
            for (j = 0; j < 4; j++) {
                b = j == 0 ? "crime" : j == 1 ? "fees" : j == 2 ? "internet" : "litter"
                check($1 "|" b, $(3 + 3 * j))
            }
        }
        table ~ /compare.differences/ && $1 != "path" && NF > 1 {
            check($1 "|" key[$2] " - " key[$3], $5)
        }
        function check(k, mine,   d, sd) {
            if (!(k in se)) { print "no reference for " k > "/dev/stderr"; bad++; return }
            sd = sqrt(mc[k] ^ 2 + (mine / sqrt(2 * 399)) ^ 2)
            d = (mine - se[k]) / sd
            if (d > 4 || d < -4) { print k ": brisk " mine ", R " se[k] > "/dev/stderr"; bad++ }
            n++
        }
        END { if (n != 70) print n " SEs compared, not 70" > "/dev/stderr"; exit bad || n != 70 }
    ' "$tmp/out"
}
t_compare_long_layout() {
    # compare must print the same bytes in both layouts
    make_long &&
    run 0 compare "$survey" --bootstrap 40 --seed 3 -q -f csv && cp "$tmp/out" "$tmp/wide.csv" &&
    run 0 compare "$tmp/long.survey" --bootstrap 40 --seed 3 -q -f csv &&
    cmp "$tmp/wide.csv" "$tmp/out"
}
t_regress_behaviours() {
    # {b}: one model per behaviour, the same tables in both layouts
    make_long &&
    f='acc1_{b} ~ age + gender + tg1 + pb1_{b}' &&
    run 0 regress "$survey" --formula "$f" -q -f csv && cp "$tmp/out" "$tmp/rw.csv" &&
    run 0 regress "$tmp/long.survey" --formula "$f" -q -f csv && cmp "$tmp/rw.csv" "$tmp/out" &&
    has "behaviour,term,est,se,stat,pvalue" "$tmp/out" &&
    has "Criminal records,pb1_crime,0.30956388" "$tmp/out" &&
    has "Littering of garbage,pb1_litter,0.255" "$tmp/out" &&
    has "measure,crime,fees,internet,litter" "$tmp/out" &&
    has "Observations used,556,553,554,554" "$tmp/out" &&
    # functions of a behaviour's items: the same in both layouts, named by the wide names
    f='acc1_{b} ~ scale(age) + log(pb1_{b}) + I(tg1^2) + scale(`pb2_{b}`):gender' &&
    run 0 regress "$survey" --formula "$f" -q -f csv && cp "$tmp/out" "$tmp/rw.csv" &&
    run 0 regress "$tmp/long.survey" --formula "$f" -q -f csv && cmp "$tmp/rw.csv" "$tmp/out" &&
    has "Criminal records,log(pb1_crime),0.76574771" "$tmp/out" && has "Littering of garbage,scale(pb2_litter):gender" "$tmp/out" &&
    # with --where, scale() over the rows kept, functions of a score (svyglm on
    # subset(); tests/reference/regress/rc_where_fn_crime.coef.csv)
    run 0 regress "$survey" --formula 'accept_{b} ~ scale(age) + log(trust) + urban' \
        --where 'education > 1' -q -f csv &&
    has "Criminal records,scale(age),0.01751657" "$tmp/out" && has ",0.034111159" "$tmp/out" &&
    has "Criminal records,log(trust),1.01345502" "$tmp/out" && has "Observations used,471," "$tmp/out" &&
    run 0 regress "$tmp/long.survey" --formula "$f" -q && has "one model per behaviour" "$tmp/out" &&
    # an ordered regression of a reverse-keyed item says it was reversed
    run 0 regress "$survey" --family ordinal --formula 'pr3_{b} ~ age' -q &&
    has "Reverse-keyed (the survey's [reverse]): pr3_{b}." "$tmp/out" &&
    # pooled over a long survey's rows: clustered by respondent (svyglm's numbers)
    run 0 regress "$tmp/long.survey" --formula 'acc1 ~ age + gender + behaviour + pb1' -q -f csv &&
    has "behaviour=internet,-0.44197919" "$tmp/out" && has "Clusters (PSUs),600" "$tmp/out" &&
    has "Residual df,593" "$tmp/out" &&
    run 0 regress "$tmp/long.survey" --formula 'acc1 ~ age + behaviour' -q &&
    has "clustered by 'id' (600 respondents)" "$tmp/out" &&
    run 0 regress --data "$tmp/long.csv" --cluster id --formula 'tg1 ~ age' -q &&
    has "clustered by 'id' (600 clusters), one stage, as svydesign(ids = ~id)" "$tmp/out" &&
    run 1 regress "$tmp/long.survey" --formula 'acc1 ~ age' --cluster id --robust hc1 &&
    has "--cluster and --robust" "$tmp/err" &&
    run 1 regress "$tmp/long.survey" --formula 'acc1 ~ age' --unweighted --robust hc1 &&
    has "clustered by 'id' do not go together" "$tmp/err" &&
    run 1 regress "$top_srcdir/surveys/kostka2019/kostka2019.survey" --formula 'approve_{b} ~ age' &&
    has "uses {b}, but the survey" "$tmp/err" &&
    # a wide name in a pooled long formula: what to write instead
    run 2 regress "$tmp/long.survey" --formula 'acc1_crime ~ age' &&
    has "'acc1_crime' is item acc1_{b} of behaviour 'crime', but in the long layout" "$tmp/err" &&
    has "write 'acc1_{b}' for a model per behaviour" "$tmp/err"
}
t_quoted_names() {
    # column names with a blank (in backticks) and Chinese letters: import,
    # describe, reliability, fit and regress give what the same data under
    # ASCII names give
    q="$top_srcdir/doc/examples/quoted" &&
    mkdir -p "$tmp/ascii" &&
    fwd='s/Trust \([123]\)/t\1/g; s/收益/b/g; s/接受/a/g; s/年龄/age/g; s/性别/sex/g; s/monthly income/inc/g; s/`//g' &&
    sed "$fwd" "$q.survey" >"$tmp/ascii/quoted.survey" && sed "$fwd" "$q.csv" >"$tmp/ascii/quoted.csv" &&
    run 0 import "$q.csv" && has "monthly income" "$tmp/out" && has "收益1" "$tmp/out" &&
    for c in describe reliability fit; do
        run 0 "$c" "$q.survey" -q -f csv && sed "$fwd" "$tmp/out" >"$tmp/quoted.csv" &&
        run 0 "$c" "$tmp/ascii/quoted.survey" -q -f csv && cmp "$tmp/quoted.csv" "$tmp/out" || return 1
    done &&
    run 0 fit "$q.survey" -q -f csv && has "trust,=~,Trust 1" "$tmp/out" && has "accept,~,benefit" "$tmp/out" &&
    run 0 regress "$q.survey" -q -f csv \
        --formula '接受1 ~ `Trust 1` + log(收益1) + scale(`monthly income`) + 年龄' &&
    has "scale(\`monthly income\`)," "$tmp/out" && has "log(收益1)," "$tmp/out" &&
    sed "$fwd" "$tmp/out" >"$tmp/quoted.csv" &&
    run 0 regress "$tmp/ascii/quoted.survey" -q -f csv --formula 'a1 ~ t1 + log(b1) + scale(inc) + age' &&
    cmp "$tmp/quoted.csv" "$tmp/out" &&
    # the model's backticks and the survey's: unclosed is an error at its line
    sed 's/^`Trust 2` = /`Trust 2 = /' "$q.survey" >"$tmp/ascii/bad.survey" &&
    cp "$q.csv" "$tmp/ascii/quoted.csv" &&
    run 2 describe "$tmp/ascii/bad.survey" && has "bad.survey:17:" "$tmp/err" &&
    has "a backtick is not closed" "$tmp/err"
}
t_compare_items_behaviours() {
    # {b}: one comparison per behaviour; wide names pair behaviours by
    # respondent; the same numbers in both layouts
    make_long &&
    run 0 compare-items "$survey" 'acc1_{b}' 'acc2_{b}' tg1 -q -f csv && cp "$tmp/out" "$tmp/iw.csv" &&
    run 0 compare-items "$tmp/long.survey" 'acc1_{b}' 'acc2_{b}' tg1 -q -f csv &&
    cmp "$tmp/iw.csv" "$tmp/out" && has "Criminal records,acc1_crime,acc2_crime,571," "$tmp/out" &&
    has "Littering of garbage,acc2_litter,tg1," "$tmp/out" &&
    run 0 compare-items "$survey" acc1_crime acc1_litter -q -f csv && cp "$tmp/out" "$tmp/iw.csv" &&
    run 0 compare-items "$tmp/long.survey" acc1_crime acc1_litter -q -f csv &&
    cmp "$tmp/iw.csv" "$tmp/out" && has "acc1_crime,acc1_litter,575,77.565" "$tmp/out" &&
    run 0 compare-items "$tmp/long.survey" acc1_crime acc1_litter -q &&
    has "paired by id across the rows" "$tmp/out" &&
    run 1 compare-items "$tmp/long.survey" acc1 acc2 && has "name it acc1_{b}" "$tmp/err"
}
t_survey_without_items() {
    # without [items] the model's indicators are the items: the bundled
    # survey (whose [items] list them in the model's order) with its
    # [items] section dropped describes, checks and reverses the same
    awk -v data="$top_srcdir/surveys/rongcheng/rongcheng.csv" \
        -v project="$top_srcdir/surveys/rongcheng/interviews.qdpx" '
        /^data *=/ { print "data = " data; next }
        /^project *=/ { print "project = " project; next }
        /^\[items\]/ { skip = 1; next }
        /^\[/ { skip = 0 }
        !skip' "$survey" >"$tmp/noitems.survey" &&
    ! grep -q '^\[items\]' "$tmp/noitems.survey" && grep -q '^pr3_{b}' "$tmp/noitems.survey" &&
    run 0 describe "$survey" -q -f csv && cp "$tmp/out" "$tmp/items.csv" &&
    run 0 describe "$tmp/noitems.survey" -q -f csv && cmp "$tmp/items.csv" "$tmp/out" &&
    has ",benefit,pb1_crime," "$tmp/out" &&
    run 0 reliability "$survey" -q -f csv && cp "$tmp/out" "$tmp/rel.csv" &&
    run 0 reliability "$tmp/noitems.survey" -q -f csv && cmp "$tmp/rel.csv" "$tmp/out" &&
    # the same report but for the item wordings, which [items] held
    run 0 report "$survey" -q --bootstrap 0 -f csv && has "# report.wordings: Item wordings" "$tmp/out" &&
    grep -v '^Survey file,' "$tmp/out" |
        awk '/^# report.wordings:/ { skip = 1 } skip && /^$/ { skip = 0; next } !skip' >"$tmp/rep.csv" &&
    run 0 report "$tmp/noitems.survey" -q --bootstrap 0 -f csv && lacks "report.wordings" "$tmp/out" &&
    grep -v '^Survey file,' "$tmp/out" | cmp "$tmp/rep.csv" - &&
    # an out-of-scale answer points at the item's line in the model
    sed 's/^missing *=.*//' "$tmp/noitems.survey" >"$tmp/nomissing.survey" &&
    run 2 describe "$tmp/nomissing.survey" && has "nomissing.survey:" "$tmp/err" &&
    has "value -99 of item" "$tmp/err" &&
    # nothing to describe: no [items] and no model
    printf '[survey]\ndata = %s\n[demographics]\nage\n' \
        "$top_srcdir/surveys/rongcheng/rongcheng.csv" >"$tmp/nothing.survey" &&
    run 2 describe "$tmp/nothing.survey" && has "nothing.survey: the survey names no items" "$tmp/err"
}
t_reliability_long_layout() {
    # per-behaviour constructs per behaviour in the long layout too: the
    # same numbers as wide (item names are the layout's: pb1, not pb1_crime)
    make_long &&
    run 0 reliability "$survey" -q -f csv &&
    sed -E 's/_(crime|fees|internet|litter)([,]|$)/\2/g' "$tmp/out" >"$tmp/wide-rel.csv" &&
    run 0 reliability "$tmp/long.survey" -q -f csv && cmp "$tmp/wide-rel.csv" "$tmp/out" &&
    has "Criminal records,benefit,3,547,0.77211116" "$tmp/out" &&
    has "all behaviours,trust,3,552," "$tmp/out" &&
    # the report's Reliability sheet likewise
    run 0 report "$tmp/long.survey" -q --bootstrap 0 -f csv &&
    has "Littering of garbage,accept,3,549,0.8098720" "$tmp/out" &&
    # ordered items: an ordinal alpha column, and a note on the CFA measures
    sed 's/^agree *=.*/agree = 4..5\
ordered = all/' "$tmp/long.survey" >"$tmp/ordered-long.survey" &&
    run 0 reliability "$tmp/ordered-long.survey" -q &&
    has "Ordinal alpha" "$tmp/out" && has "computed on the raw scores" "$tmp/out" &&
    grep -q "^Criminal records  *benefit .* 0.816$" "$tmp/out" &&
    # without [reverse]: psych's warning names the reverse-worded item
    sed '/^\[reverse\]/,/^pr3_{b}/d' "$tmp/long.survey" >"$tmp/norev.survey" &&
    run 0 reliability "$tmp/norev.survey" -b crime &&
    has "negatively correlated with the total scale and probably should be reversed: Criminal records: risk (pr3)" "$tmp/err"
}
t_reliability() {
    run 0 reliability "$survey" &&
    has "Cronbach's alpha" "$tmp/out" && has "all behaviours        trust" "$tmp/out" &&
    has "Heterotrait-monotrait ratios (HTMT2)" "$tmp/out" && lacks "weight is not used" "$tmp/err" &&
    has "Weighted by 'weight' (sampling weights): alpha" "$tmp/out" &&
    has "The CFA is weighted by 'weight' (lavaan's sampling.weights)" "$tmp/out" &&
    run 0 reliability "$survey" --unweighted -b crime -q -f csv &&
    has "Criminal records,benefit,3,547,0.76875576" "$tmp/out" && lacks "Weighted by" "$tmp/out" &&
    run 0 reliability "$survey" -b litter -q --format csv &&
    has "Littering of garbage,accept,3," "$tmp/out" && lacks "Criminal records" "$tmp/out" &&
    run 0 reliability --data "$data/hs.csv" --model "$tmp/hs.lav" --format json &&
    has '"id": "reliability.fornell_larcker"' "$tmp/out" &&
    run 0 reliability --data "$data/hs.csv" --model "$tmp/hs.lav" --htmt original --format csv &&
    grep -q '^textual,0.4243230' "$tmp/out" &&
    run 0 reliability "$top_srcdir/tests/data/bfi.survey" -q &&
    has "Alpha below .70: openness 0.603." "$tmp/out" &&
    # a path model of observed items: reliability refuses it, the report
    # leaves its Reliability sheet out
    awk -v data="$top_srcdir/surveys/rongcheng/rongcheng.csv" \
        -v project="$top_srcdir/surveys/rongcheng/interviews.qdpx" '
        /^data *=/ { print "data = " data; next }
        /^project *=/ { print "project = " project; next }
        /^\[model\]/ { print; print "acc1_{b} ~ tg1 + pb1_{b}"; print ""; skip = 1; next }
        /^\[/ { skip = 0 }
        !skip' "$survey" >"$tmp/path.survey" &&
    run 2 reliability "$tmp/path.survey" -q && has "no construct measured by two items" "$tmp/err" &&
    run 0 report "$tmp/path.survey" -q --bootstrap 0 -o "$tmp/path.md" &&
    lacks "Cronbach" "$tmp/path.md" && has "### Structural paths by behaviour" "$tmp/path.md"
}
t_surveys() {
    # every bundled instrument is found by name, described and fitted
    for bundled in rongcheng kostka2019 rieger2020 siegrist; do
        BRISK_SURVEYS="$top_srcdir/surveys" "$brisk" describe "$bundled" -q >"$tmp/out" 2>"$tmp/err" &&
        has "Items by behaviour" "$tmp/out" &&
        BRISK_SURVEYS="$top_srcdir/surveys" "$brisk" fit "$bundled" -q >"$tmp/out" 2>"$tmp/err" &&
        has "Chi-square" "$tmp/out" || { echo "# $bundled failed" >&2; cat "$tmp/err" >&2; return 1; }
    done &&
    run 0 describe "$top_srcdir/surveys/kostka2019/kostka2019.survey" --format csv -q &&
    grep -q '^,,approve,2209,0,' "$tmp/out" &&
    # the published model's shape, weighted (raked) and clustered by city:
    # approval rises with all four
    run 0 regress "$top_srcdir/surveys/kostka2019/kostka2019.survey" --family ordinal \
        --formula 'approve ~ age + education + income + urban' --format csv -q &&
    awk -F, '$1 ~ /^(age|education|income|urban)$/ && $2 > 0 && $5 < .05 { k++ }
             END { exit k != 4 }' "$tmp/out" &&
    # a logit of an item: agreeing or not
    run 0 regress "$top_srcdir/surveys/kostka2019/kostka2019.survey" --family logit \
        --formula 'approve ~ age + education' -q && has "approve = 4..5" "$tmp/out"
}
t_simulate() {
    printf 'f =~ 0.8*x1 + 0.7*x2 + 0.6*x3\ny ~ 0.3*f\n' >"$tmp/pop.lav" &&
    run 0 simulate --model "$tmp/pop.lav" --n 50 --seed 4 --likert 5 -o "$tmp/sim.csv" &&
    head -n 1 "$tmp/sim.csv" | grep -q '^x1,x2,x3,y$' && [ "$(wc -l <"$tmp/sim.csv")" -eq 51 ] &&
    run 0 simulate --model "$tmp/pop.lav" --n 50 --seed 4 --likert 5 -o "$tmp/sim2.csv" &&
    cmp "$tmp/sim.csv" "$tmp/sim2.csv" &&
    run 0 simulate --model "$tmp/pop.lav" --n 20 --digits 2 -o "$tmp/sim.tsv" &&
    grep -q "$(printf 'x1\tx2')" "$tmp/sim.tsv" &&
    # the bundled survey drawn again equals the committed file
    run 0 simulate --survey "$survey" --model "$top_srcdir/surveys/rongcheng/population.lav" \
        --n 600 --seed 20190501 --thresholds=-1.8,-1.0,-0.3,0.9 --missing 0.03 --digits 4 \
        -o "$tmp/rc.csv" &&
    "${AWK:-awk}" -f "$top_srcdir/surveys/rongcheng/urban.awk" "$tmp/rc.csv" >"$tmp/rcu.csv" &&
    cmp "$tmp/rcu.csv" "$top_srcdir/surveys/rongcheng/rongcheng.csv" &&
    # a survey without a scale: its items stay continuous, rounded by --digits
    printf '[survey]\ndata = d.csv\n\n[items]\nx1 = one\nx2 = two\nx3 = three\n' \
        >"$tmp/noscale.survey" &&
    run 0 simulate --survey "$tmp/noscale.survey" --model "$tmp/pop.lav" --n 30 --digits 2 \
        -o "$tmp/ns.csv" && head -n 1 "$tmp/ns.csv" | grep -q '^x1,x2,x3,y$' &&
    ! tail -n +2 "$tmp/ns.csv" | tr ',' '\n' | grep -v -q -E '^-?[0-9]+(\.[0-9]{1,2})?$' &&
    # values rounding to zero are written 0, never -0
    printf 'y ~ 0.01*x\n' >"$tmp/small.lav" &&
    run 0 simulate --model "$tmp/small.lav" --n 200 --digits 0 -o "$tmp/small.csv" &&
    grep -q '^0,\|,0$' "$tmp/small.csv" && ! grep -q -e '^-0,' -e ',-0$' "$tmp/small.csv" &&
    run 1 simulate --model "$tmp/pop.lav" --n 10 && has "-o FILE is required" "$tmp/err" &&
    run 1 simulate --model "$tmp/pop.lav" --n 10 --likert 5 --thresholds=0 -o "$tmp/x.csv" &&
    has "not both" "$tmp/err" && [ ! -e "$tmp/x.csv" ]
}
t_simulate_recovery() {
    # lavaan fitted brisk's draws (tests/reference/simulate/recovery.R): the
    # same seed draws the same data, and brisk's std.all on it is lavaan's
    ref="$top_srcdir/tests/reference/simulate"
    sed 's/-\{0,1\}[0-9.]*\*//g' "$ref/standardized.lav" >"$tmp/free.lav" &&
    run 0 simulate --model "$ref/standardized.lav" --standardized --n 200000 --seed 7 \
        -o "$tmp/rec.csv" &&
    run 0 fit --data "$tmp/rec.csv" --model "$tmp/free.lav" --format csv -q &&
    awk -F, 'NR == FNR { gsub(/"/, ""); if (FNR > 1) want[$1 $2 $3] = $5; next }
             /^# / { table = $0; next }
             table ~ /fit[.]parameters/ && ($1 $2 $3) in want {
                 d = $13 - want[$1 $2 $3]; if (d < 0) d = -d
                 if (d > 2e-6) { print "std.all of " $1 $2 $3 ": " $13 ", lavaan " want[$1 $2 $3]; bad = 1 }
                 seen++ }
             END { if (seen != 21) { print seen " of 21 parameters"; bad = 1 }; exit bad }' \
        "$ref/recovery.csv" "$tmp/out" >&2
}
t_regress() {
    data="$top_srcdir/tests/data"
    run 0 regress --data "$data/wine.csv" --family ordinal --formula 'rating ~ temp + contact' \
        --format csv && has "temp=warm,2.5031" "$tmp/out" && has "1|2,-1.3443" "$tmp/out" &&
    run 0 regress --data "$data/housing.csv" --family ordinal --weight Freq \
        --weight-type frequency --levels Infl=Low,Medium,High --formula 'Sat ~ Infl + Type + Cont' &&
    has "Infl=High" "$tmp/out" && has "-1739.575" "$tmp/out" && has "1681" "$tmp/out" &&
    # SPSS value labels make dummies (R: foreign::read.spss(to.data.frame = TRUE) + lm)
    run 0 regress --data "$data/electric.sav" --formula 'CHOL58 ~ AGE + VITAL10' --format csv &&
    has "VITAL10=DEAD,-3.287049" "$tmp/out" &&
    run 0 regress "$survey" --formula 'acc1_crime ~ tg1 + pb1_crime' -q &&
    has "weighted by weight" "$tmp/out" &&
    run 1 regress --data "$data/wine.csv" && has "--formula" "$tmp/err" &&
    run 1 regress --data "$data/wine.csv" --formula 'rating ~ temp' --family poisson &&
    has "ols, logit or ordinal" "$tmp/err" &&
    run 2 regress --data "$data/wine.csv" --formula 'rating ~ tmp' && has "'tmp'" "$tmp/err" &&
    run 3 regress --data "$data/wine.csv" --formula 'rating ~ temp + contact' --family ordinal \
        --levels contact=no,yes,maybe && has "empty category" "$tmp/err"
}
t_compare_items() {
    rieger="$top_srcdir/surveys/rieger2020/rieger2020.survey"
    run 0 compare-items "$rieger" pol_traffic pol_privileges --format csv &&
    has "pol_traffic,pol_privileges,550,54.54545" "$tmp/out" &&
    run 0 compare-items --data "$top_srcdir/surveys/rieger2020/rieger2020.csv" --agree 4..5 \
        --group country pol_privileges pol_informed &&
    has "Paired comparisons of items" "$tmp/out" && has "McNemar" "$tmp/out" &&
    run 1 compare-items "$rieger" pol_traffic && has "at least two items" "$tmp/err" &&
    run 1 compare-items --data x.csv --agree 4 a b && has "--agree takes LO..HI" "$tmp/err" &&
    run 2 compare-items "$rieger" pol_traffic pol_nope && has "'pol_nope'" "$tmp/err"
}
t_describe_by() {
    kostka="$top_srcdir/surveys/kostka2019/kostka2019.survey" &&
    run 0 describe "$kostka" --by education,urban --format csv -q &&
    has "# describe.by_group_tests:" "$tmp/out" && has ",approve,education,2209,38.91" "$tmp/out" &&
    # the design's denominator df: 60 cities less one stratum
    has ",approve,urban,2209,26.79832246990761,1,13.35145485041303,1,59," "$tmp/out" &&
    run 0 describe "$kostka" --by demographics -q && has "Rao-Scott F" "$tmp/out" &&
    run 2 describe "$kostka" --by nation && has "'nation' is not a column" "$tmp/err"
}
t_fit_mlr() {
    run 0 fit --data "$top_srcdir/tests/data/hs.csv" \
        --model "$top_srcdir/tests/reference/robust/hs_mlr.lav" --estimator mlr --format csv -q &&
    has "Chi-square (scaled),87.13" "$tmp/out" &&
    has "CFI (robust),0.9298" "$tmp/out" &&
    run 0 fit "$survey" --estimator mlr -b crime -q && has "RMSEA (robust)" "$tmp/out" &&
    run 1 fit "$survey" --estimator bayes && has "--estimator takes ml, mlr" "$tmp/err" &&
    # WLSMV: every item ordered; thresholds among the parameters
    run 0 fit "$survey" --unweighted --estimator wlsmv -b crime --format csv -q &&
    has "tg1,|,t1," "$tmp/out" && has "Shift parameter," "$tmp/out" && lacks "AIC," "$tmp/out" &&
    # in JSON as in every other format, thresholds carry z, p, the interval and std.all
    run 0 fit "$survey" --unweighted --estimator wlsmv -b crime --format json -q &&
    grep -q '"lhs": "tg1", "op": "|", "rhs": "t1", "label": "", "free": true, "est": [-0-9.e]*, "se": [0-9.e-]*, "z": [-0-9.e]*, "pvalue": [0-9.e-]*, "ci_lower": [-0-9.e]*, "ci_upper": [-0-9.e]*, "std_lv": [-0-9.e]*, "std_all": [-0-9.e]*}' "$tmp/out" &&
    has '"rmsea_pvalue": 0.999999998' "$tmp/out" &&
    # a survey whose items are declared ordered is fitted by WLSMV
    sed -e "s|^data     = rongcheng.csv|data = $top_srcdir/surveys/rongcheng/rongcheng.csv|" \
        -e "s|^project *=.*|project = $top_srcdir/surveys/rongcheng/interviews.qdpx|" \
        -e 's/^agree    = 4..5/agree = 4..5\nordered = all/' -e 's/^weight/; weight/' "$survey" \
        >"$tmp/ordered.survey" &&
    run 0 fit "$tmp/ordered.survey" -b crime -q && has "Shift parameter" "$tmp/out" &&
    run 0 fit "$tmp/ordered.survey" -b crime --estimator ml -q && lacks "Shift parameter" "$tmp/out" &&
    # or a list of them: every observed variable listed -> WLSMV; a mix too,
    # the listed items ordered and the others continuous
    items="tg1 tg2 tg3 pc1 pc2 pc3 pm1_{b} pm2_{b} pm3_{b} pb1_{b} pb2_{b} pb3_{b}" &&
    sed "s/^ordered = all/ordered = $items pr1_{b} pr2_{b} pr3_{b} acc1_{b} acc2_{b} acc3_{b}/" \
        "$tmp/ordered.survey" >"$tmp/list.survey" &&
    run 0 fit "$tmp/list.survey" -b crime -q && has "Shift parameter" "$tmp/out" &&
    sed "s/^ordered = all/ordered = $items/" "$tmp/ordered.survey" >"$tmp/mixed.survey" &&
    run 0 fit "$tmp/mixed.survey" -b crime -f csv -q && has "Shift parameter" "$tmp/out" &&
    has "tg1,|,t1" "$tmp/out" && lacks "pr1_crime,|,t1" "$tmp/out" &&
    has "pr1_crime,~1,,,true" "$tmp/out" &&
    run 0 fit "$tmp/mixed.survey" -b crime --estimator ml -q &&
    sed "s/^ordered = all/ordered = tg1 nosuch/" "$tmp/ordered.survey" >"$tmp/bad.survey" &&
    run 2 fit "$tmp/bad.survey" -b crime && has "ordered item 'nosuch' is not listed" "$tmp/err" &&
    run 0 fit --data "$top_srcdir/tests/data/path.csv" \
        --model "$top_srcdir/tests/reference/sem/path_fixedx.lav" --estimator mlr --format csv &&
    has "Scaling factor,1.0077" "$tmp/out" &&
    # full-information ML keeps the respondents with missing answers
    run 0 fit "$survey" --missing fiml -b crime -q &&
    has "600 of 600 respondents used by full-information ML" "$tmp/out" &&
    has "242 of them with missing answers kept." "$tmp/out" && lacks "left out" "$tmp/out" &&
    has "observed information" "$tmp/out" &&
    run 0 report "$survey" --missing fiml --bootstrap 0 --format md -q &&
    has "| Used in the model: Criminal records | 600 (incomplete answers kept: full-information ML) |" \
        "$tmp/out" && lacks "left out: incomplete" "$tmp/out" &&
    # ... and leaves out only respondents with no answer, or a missing covariate
    awk -F, -v OFS=, 'NR == 2 || NR == 3 { for (i = 2; i <= 10; i++) $i = "" }
        NR == 4 { $11 = "" } { print }' "$top_srcdir/doc/examples/study.csv" >"$tmp/study.csv" &&
    sed 's/^accept  ~ benefit + trust$/& + age/' "$top_srcdir/doc/examples/study.survey" \
        >"$tmp/study_x.survey" &&
    cp "$top_srcdir/doc/examples/study.survey" "$tmp/study.survey" &&
    run 0 fit "$tmp/study.survey" --missing fiml -q &&
    has "298 of 300 respondents used by full-information ML, 0 of them with missing answers kept (2 left out: no answer)." "$tmp/out" &&
    run 0 report "$tmp/study.survey" --missing fiml --bootstrap 0 --format md -q &&
    has "| 298 (incomplete answers kept: full-information ML; 2 left out: no answer) |" "$tmp/out" &&
    run 0 fit "$tmp/study_x.survey" --missing fiml -q &&
    has "299 of 300 respondents used by full-information ML, 2 of them with missing answers kept." "$tmp/out" &&
    has "1 left out for a missing covariate" "$tmp/out" &&
    run 0 report "$tmp/study_x.survey" --missing fiml --bootstrap 0 --format md -q &&
    has "| 299 (incomplete answers kept: full-information ML; 1 left out: a missing covariate) |" "$tmp/out" &&
    run 1 fit "$survey" --missing available && has "--missing takes listwise, fiml or pairwise" "$tmp/err" &&
    # the bootstrap refits a draw by the same estimator
    run 0 fit "$survey" --missing fiml --bootstrap 20 --threads 1 -b crime -q &&
    has "from 20 bootstrap draws" "$tmp/out" &&
    run 0 fit "$survey" --unweighted --estimator wlsmv --bootstrap 20 --threads 1 -b crime -q &&
    has "from 20 bootstrap draws" "$tmp/out" && has "CFI (robust)" "$tmp/out" &&
    # WLSMV with groups: a group without one of an item's answers is refused
    run 3 fit "$survey" --unweighted --estimator wlsmv --group gender -b crime &&
    has "has no answer" "$tmp/err" && has "in group '" "$tmp/err" &&
    run 1 fit "$survey" --unweighted --estimator wlsmv --group gender --group-equal intercepts -b crime &&
    has "--group-equal intercepts with ordered items (WLSMV)" "$tmp/err" &&
    run 0 report "$survey" --estimator mlr --bootstrap 0 --format md -q &&
    has "| MLR (ML estimates" "$tmp/out" && has "Robust CFI" "$tmp/out" &&
    run 0 fit "$survey" --missing fiml --estimator mlr -b crime -q &&
    has "Chi-square (scaled)" "$tmp/out" && has "CFI (robust)" "$tmp/out" &&
    # covariates: WLSMV conditions on them (an ordered probit for Kostka's
    # approval), MLR with full-information ML keeps them fixed
    kostka="$top_srcdir/surveys/kostka2019/kostka2019.survey" &&
    run 0 fit "$kostka" --unweighted --unclustered --estimator wlsmv --format csv -q &&
    has "approve,~,age,,true,0.09864" "$tmp/out" && has "approve,|,t4,,true,1.7855" "$tmp/out" &&
    sed -e "s|^data     = kostka2019.csv|data = $top_srcdir/surveys/kostka2019/kostka2019.csv|" \
        -e 's/^agree    = 4..5.*/agree = 4..5\nordered = approve/' -e 's/^weight/; weight/' \
        -e 's/^cluster/; cluster/' -e '/^\[margins\]/,$d' "$kostka" >"$tmp/k.survey" &&
    run 0 fit "$tmp/k.survey" -q && has "approve    |   t1" "$tmp/out" &&
    run 3 fit "$kostka" --unweighted --unclustered --estimator wlsmv --group urban &&
    has "group '2': covariate 'urban' is constant" "$tmp/err" &&
    run 1 fit "$kostka" --estimator mlr --missing fiml && has "--unclustered" "$tmp/err" &&
    run 0 fit "$kostka" --estimator mlr --missing fiml --unclustered -q &&
    has "Chi-square (scaled)" "$tmp/out"
}
t_time_limit() {
    # FIML on 24 rows: lavaan's solution, a Heywood case, is found first
    # (in milliseconds); the searches from the other starts stall (1.3 s in
    # a release build), so half a second stops them even on a loaded
    # machine or under the sanitizers.  A limit that stops them
    # keeps that solution and says so; a limit reached before any solution,
    # or before the saturated model's EM has converged, is a convergence
    # error (exit 3) naming it.
    diff="$top_srcdir/tests/reference/differential"
    head -25 "$diff/data/037.csv" >"$tmp/few.csv" &&
    run 0 fit --data "$tmp/few.csv" --model "$diff/models/037.lav" --missing fiml \
        --time-limit 0.5 --format csv &&
    has "the time limit of 0.5 s stopped the search for other optima" "$tmp/err" &&
    has "y5,~~,y5,,true,-0.1627442" "$tmp/out" &&
    run 3 fit --data "$tmp/few.csv" --model "$diff/models/037.lav" --time-limit 1e-9 &&
    has "037.lav: no convergence within the time limit of 1e-09 s" "$tmp/err" &&
    run 3 fit --data "$tmp/few.csv" --model "$diff/models/037.lav" --missing fiml \
        --time-limit 1e-9 &&
    has "few.csv: the saturated model of the data with their missing values (EM) did not \
converge within the time limit of 1e-09 s (stopped after iteration 1)" "$tmp/err" &&
    run 1 fit --data "$tmp/few.csv" --model "$diff/models/037.lav" --time-limit -1 &&
    has "--time-limit takes seconds from 0 (no limit)" "$tmp/err" &&
    for cmd in fit compare invariance reliability report; do
        run 0 "$cmd" --help && has "--time-limit S" "$tmp/out" || return 1
    done
}
t_power() {
    printf 'y ~ 0.3*x\n' >"$tmp/reg.lav" &&
    run 0 power --model "$tmp/reg.lav" --n 100 --reps 300 --seed 2 --threads 1 --format csv -q &&
    cp "$tmp/out" "$tmp/p1.csv" && has "power.parameters" "$tmp/out" &&
    run 0 power --model "$tmp/reg.lav" --n 100 --reps 300 --seed 2 --threads 2 --format csv -q &&
    cmp "$tmp/p1.csv" "$tmp/out" &&
    printf 'y ~ x\n' >"$tmp/ana.lav" &&
    run 0 power --model "$tmp/reg.lav" --analysis "$tmp/ana.lav" --n 60,120 --reps 100 -q &&
    has "Power and bias by parameter" "$tmp/out" &&
    run 1 power --model "$tmp/reg.lav" && has "--n N1,N2" "$tmp/err"
}

t_interrupted_output() {
    # SIGTERM while import -o writes: the temporary file is removed, the
    # output never appears, the exit status is the signal's (128 + 15)
    awk 'BEGIN { print "id,a,b,c"; for (i = 0; i < 2000000; i++) printf "%d,%d,%d,%d\n", i, i % 5, i % 7, i % 3 }' >"$tmp/big.csv" &&
    "$brisk" import "$tmp/big.csv" -o "$tmp/killed.csv" -q &
    pid=$!
    waited=0
    until ls "$tmp"/killed.csv.tmp* >/dev/null 2>&1 || [ $waited -ge 600 ]; do
        sleep 0.05; waited=$((waited + 1))
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    status=$?
    rm -f "$tmp/big.csv"
    [ "$status" -eq 143 ] || { echo "exit $status, expected 143 (SIGTERM)" >&2; return 1; }
    ! ls "$tmp"/killed.csv* >/dev/null 2>&1 || { echo "left: $(ls "$tmp"/killed.csv*)" >&2; return 1; }
}

t_write_faults() {
    # a write that fails half-way (a file-size limit stands in for a full
    # disk: SIGXFSZ ignored, write() returns EFBIG) exits 4 naming the
    # output, and leaves neither it nor a temporary file
    awk 'BEGIN { print "id,a,b"; for (i = 0; i < 100000; i++) printf "%d,%d,%d\n", i, i % 5, i % 7 }' >"$tmp/mid.csv" &&
    mkdir "$tmp/faults" &&
    (trap '' XFSZ; ulimit -f 64; "$brisk" import "$tmp/mid.csv" -o "$tmp/faults/out.csv" -q) 2>"$tmp/err"
    [ $? -eq 4 ] || { echo "import: exit $?, expected 4" >&2; return 1; }
    has "out.csv: write failed" "$tmp/err" &&
    (trap '' XFSZ; ulimit -f 16; "$brisk" report "$survey" -o "$tmp/faults/r.xlsx" -q) 2>"$tmp/err"
    [ $? -eq 4 ] || { echo "report: exit $?, expected 4" >&2; return 1; }
    has "r.xlsx: cannot write the workbook" "$tmp/err" &&
    [ -z "$(ls "$tmp/faults")" ] || { echo "left: $(ls "$tmp/faults")" >&2; return 1; }
    if [ -w /dev/full ]; then
        run 4 describe "$survey" -o /dev/full --format md && has "/dev/full: write failed" "$tmp/err" &&
        "$brisk" describe "$survey" >/dev/full 2>"$tmp/err"
        [ $? -eq 4 ] && has "standard output: write failed" "$tmp/err"
    fi
}

t_unwritable_folder() {
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro" &&
    run 4 describe "$survey" -o "$tmp/ro/x.md" && has "$tmp/ro/x.md: cannot create output file" "$tmp/err" &&
    [ -z "$(ls "$tmp/ro")" ]
}

# Whether file $1 is either the old output ($2) or the whole new one ($3).
old_or_whole() {
    [ ! -e "$1" ] || cmp -s "$1" "$2" || cmp -s "$1" "$3" ||
        { echo "$1 is neither the old file nor the whole new one ($(wc -c <"$1") bytes)" >&2; return 1; }
}

now() { date +%s.%N; }

# kill_at FRACTION SECONDS OUT ARGS...: run brisk ARGS, writing OUT (which
# holds "old" first), and kill -9 it at FRACTION of SECONDS
kill_at() {
    delay=$(echo "$1 $2" | awk '{ printf "%.3f", $1 * $2 }'); out=$3; shift 3
    echo old >"$out"
    "$brisk" "$@" & pid=$!
    sleep "$delay"; kill -KILL $pid 2>/dev/null; wait $pid
}

t_killed_output() {
    # kill -9 at moments spread over the whole run of import -o and report
    # -o (most near the end, where the output is written): the final name
    # holds the old file or the whole new one, never a part (the temporary
    # file kill -9 leaves is removed by hand, as documented)
    awk 'BEGIN { print "id,a,b,c"; for (i = 0; i < 400000; i++) printf "%d,%d,%d,%d\n", i, i % 5, i % 7, i % 3 }' >"$tmp/k.csv" &&
    echo old >"$tmp/old" || return 1
    t0=$(now); "$brisk" import "$tmp/k.csv" -o "$tmp/whole.csv" -q || return 1
    t1=$(now); "$brisk" report "$survey" -o "$tmp/whole.md" -q || return 1
    t2=$(now)
    import_s=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
    report_s=$(echo "$t1 $t2" | awk '{ print $2 - $1 }')
    for f in 0 0.3 0.6 0.85 0.95 1.0; do
        kill_at $f "$import_s" "$tmp/k.out.csv" import "$tmp/k.csv" -o "$tmp/k.out.csv" -q
        old_or_whole "$tmp/k.out.csv" "$tmp/old" "$tmp/whole.csv" || return 1
        kill_at $f "$report_s" "$tmp/k.out.md" report "$survey" -o "$tmp/k.out.md" -q
        old_or_whole "$tmp/k.out.md" "$tmp/old" "$tmp/whole.md" || return 1
        # a workbook carries its time of creation: whole means a sound zip
        kill_at $f "$report_s" "$tmp/k.out.xlsx" report "$survey" -o "$tmp/k.out.xlsx" -q
        cmp -s "$tmp/k.out.xlsx" "$tmp/old" || unzip -tq "$tmp/k.out.xlsx" >/dev/null ||
            { echo "k.out.xlsx is neither the old file nor a whole workbook" >&2; return 1; }
        rm -f "$tmp"/k.out.*.tmp*
    done
    rm -f "$tmp/k.csv" "$tmp/whole.csv"
}

t_concurrent_output() {
    # two processes writing the same -o path at once: each writes its own
    # temporary file and renames it, so the path ends as one whole file
    awk 'BEGIN { print "id,a"; for (i = 0; i < 300000; i++) printf "%d,%d\n", i, i % 5 }' >"$tmp/c1.csv" &&
    awk 'BEGIN { print "id,b"; for (i = 0; i < 300000; i++) printf "%d,%d\n", i, i % 7 }' >"$tmp/c2.csv" &&
    "$brisk" import "$tmp/c1.csv" -o "$tmp/w1.csv" -q && "$brisk" import "$tmp/c2.csv" -o "$tmp/w2.csv" -q &&
    mkdir "$tmp/same" || return 1
    "$brisk" import "$tmp/c1.csv" -o "$tmp/same/out.csv" -q & p1=$!
    "$brisk" import "$tmp/c2.csv" -o "$tmp/same/out.csv" -q & p2=$!
    wait $p1 && wait $p2 || { echo "an import failed" >&2; return 1; }
    { cmp -s "$tmp/same/out.csv" "$tmp/w1.csv" || cmp -s "$tmp/same/out.csv" "$tmp/w2.csv"; } ||
        { echo "out.csv is neither whole output" >&2; return 1; }
    [ "$(ls "$tmp/same")" = out.csv ] || { echo "left: $(ls "$tmp/same")" >&2; return 1; }
    rm -f "$tmp"/c?.csv "$tmp"/w?.csv
}

# ---------------------------------------------------------------- option parsing, one vocabulary
hs() { echo --data "$data/hs.csv" --model "$top_srcdir/doc/examples/hs.lav"; }
t_full_option_names() {
    # getopt_long would read --std as --std-lv and --se as --seed: refused
    run 1 fit "$survey" --std &&
    has "brisk fit: unknown option '--std' (options are written in full: did you mean --std-lv?)" "$tmp/err" &&
    has "Try 'brisk fit --help'." "$tmp/err" &&
    run 1 fit $(hs) --bootstrap 20 --sed 3 && has "unknown option '--sed'; did you mean --seed?" "$tmp/err" &&
    run 1 fit $(hs) --boot 20 && has "(options are written in full: did you mean --bootstrap?)" "$tmp/err" &&
    run 1 fit $(hs) --s 1 && has "did you mean --std-lv, --seed or another?" "$tmp/err" &&
    run 1 fit $(hs) --bootstrap && has "brisk fit: option '--bootstrap' needs a value" "$tmp/err" &&
    run 1 fit $(hs) --quiet=yes && has "option '--quiet' takes no value" "$tmp/err" &&
    run 1 fit $(hs) -x && has "brisk fit: unknown option '-x'" "$tmp/err" &&
    run 1 import --enc latin1 "$data/hs.csv" &&
    has "brisk import: unknown option '--enc' (options are written in full: did you mean --encoding?)" "$tmp/err" &&
    run 1 describe "$survey" --by=gender --form csv && has "did you mean --format?" "$tmp/err" &&
    run 0 fit $(hs) --std-lv --format=csv -q && has "visual,=~,x1,,true,0.89961959" "$tmp/out" &&
    # another command's option on the wrong command says whose it is
    run 1 compare "$survey" --se robust &&
    has "unknown option '--se' (--se is an option of brisk fit and brisk invariance, not of brisk compare)" "$tmp/err" &&
    run 1 fit "$survey" --formula 'a ~ b' &&
    has "(--formula is an option of brisk regress, not of brisk fit)" "$tmp/err"
}
t_standardized_residuals() {
    # the values are compared with lavaan's by tests/cli/sem_reference.sh; here
    # what goes with what, and the notes
    run 0 fit $(hs) --standardized --estimator mlr &&
    has "Standardized solution" "$tmp/out" && has "(MLR: Huber-White" "$tmp/out" &&
    run 0 fit $(hs) --residuals -f json &&
    has '"residuals": [' "$tmp/out" && has '"srmr": {"cov": 0.0652050' "$tmp/out" &&
    run 0 fit $(hs) --standardized -f json &&
    has '"std_all_se": 0.0549727' "$tmp/out" && lacks '"residuals"' "$tmp/out" &&
    run 1 fit $(hs) --residuals -f dot && has "--residuals gives a table" "$tmp/err" &&
    run 1 fit $(hs) --standardized -o "$tmp/x.svg" && has "--standardized gives a table" "$tmp/err" &&
    test ! -e "$tmp/x.svg" &&
    # per behaviour; a weighted fit has no z (said); WLSMV's thresholds and
    # correlations (lavaan's values: sem_reference.sh); with covariates none (said)
    run 0 fit "$survey" -b crime --residuals -q && has "Residuals (sample less implied)" "$tmp/out" &&
    has "Criminal records  pr1_crime" "$tmp/out" && has "SEs and z only for ML, MLR, MLM and FIML fits without" "$tmp/out" &&
    run 0 fit "$survey" -b crime --estimator mlr --residuals -q &&
    has "SEs and z only for ML, MLR, MLM and FIML fits without" "$tmp/out" &&
    run 0 fit "$survey" -b crime --unweighted --estimator mlm --residuals -q &&
    lacks "SEs and z only" "$tmp/out" &&
    run 0 fit "$survey" -b crime --unweighted --estimator wlsmv --residuals -q &&
    has "WLSMV: the latent responses' correlations and the thresholds" "$tmp/out" &&
    grep -q "pr1_crime  *|  *t1  *0.000  0.000   0.000" "$tmp/out" && lacks "SEs and z only" "$tmp/out" &&
    printf 'agree =~ A1 + A2 + A3\nagree ~ age\n' >"$tmp/x.lav" &&
    run 0 fit --data "$data/bfi.csv" --model "$tmp/x.lav" --estimator wlsmv --residuals -q &&
    has "residuals of a WLSMV fit with covariates (lavaan's res.cov, res.th and res.slopes) are not computed by brisk yet" "$tmp/out"
}
t_lavaan_se_test() {
    # lavaan's se= and test= names: the fit's own are accepted and change nothing
    run 0 fit $(hs) -f csv && cp "$tmp/out" "$tmp/ml.csv" &&
    run 0 fit $(hs) --se standard --test standard -f csv && cmp "$tmp/ml.csv" "$tmp/out" &&
    # --standardized adds the standardized solution's table, nothing else
    run 0 fit $(hs) --standardized -f csv && has "# fit.standardized:" "$tmp/out" &&
    sed '/^# fit.standardized:/,$d' "$tmp/out" | sed '$d' | cmp - "$tmp/ml.csv" &&
    run 1 fit $(hs) --standardized --bootstrap 10 && has "leave one out" "$tmp/err" &&
    run 0 fit $(hs) --estimator mlr -f csv && cp "$tmp/out" "$tmp/mlr.csv" &&
    run 0 fit $(hs) --estimator mlr --se robust.huber.white --test yuan.bentler.mplus -f csv &&
    cmp "$tmp/mlr.csv" "$tmp/out" && has "Chi-square (scaled),87.1315" "$tmp/out" &&
    # lavaan's SE of x2's loading: 0.099665 (se = "standard"), 0.132078 (MLR's
    # robust.huber.white); tests/reference/robust/se_test_names.csv
    grep -q '^visual,=~,x2,,true,0\.55350018[0-9]*,0\.099665' "$tmp/ml.csv" &&
    grep -q '^visual,=~,x2,,true,0\.55350018[0-9]*,0\.132077' "$tmp/out" &&
    # others are refused, saying what brisk computes (lavaan 0.6: se = "robust"
    # is robust.sem, MLM's; yuan.bentler is not MLR's 87.132 but 81.956)
    run 1 fit $(hs) --se robust &&
    has "--se robust is lavaan's robust.sem, the standard errors of --estimator mlm" "$tmp/err" &&
    has "--estimator mlr gives Huber-White standard errors" "$tmp/err" &&
    run 1 fit $(hs) --estimator mlr --se robust && has "robust.sem" "$tmp/err" &&
    run 1 fit $(hs) --se robust.huber.white &&
    has "this ML fit's standard errors are lavaan's se = \"standard\", not 'robust.huber.white'" "$tmp/err" &&
    run 1 fit $(hs) --estimator mlr --test yuan.bentler &&
    has "this MLR fit's test is lavaan's test = \"yuan.bentler.mplus\", not 'yuan.bentler'" "$tmp/err" &&
    run 1 fit $(hs) --test satorra.bentler && has "satorra.bentler (--estimator mlm)" "$tmp/err" &&
    has "yuan.bentler, mean.var.adjusted and bollen.stine are not in brisk" "$tmp/err" &&
    run 1 fit "$survey" -b fees --se standard &&
    has "this weighted ML fit's standard errors are lavaan's se = \"robust.huber.white\"" "$tmp/err" &&
    # se = "bootstrap": lavaan's 1000 draws
    run 0 fit $(hs) --se bootstrap --threads 2 -f json -q && cp "$tmp/out" "$tmp/seboot.json" &&
    has '"draws": 1000' "$tmp/out" &&
    run 0 fit $(hs) --bootstrap 1000 --threads 2 -f json -q && cmp "$tmp/seboot.json" "$tmp/out" &&
    run 0 fit $(hs) --se bootstrap --bootstrap 30 -f json -q && has '"draws": 30' "$tmp/out" &&
    # invariance takes them too, and has no bootstrap
    run 0 invariance $(hs) --group school --estimator mlr -f csv -q && cp "$tmp/out" "$tmp/inv.csv" &&
    run 0 invariance $(hs) --group school --estimator mlr --se robust.huber.white \
        --test yuan.bentler.mplus -f csv -q && cmp "$tmp/inv.csv" "$tmp/out" &&
    has "Configural,60,115.851343" "$tmp/out" &&
    run 1 invariance $(hs) --group school --se bootstrap && has "have no bootstrap" "$tmp/err" &&
    run 1 invariance "$survey" --group gender -b crime --test standard &&
    has "brisk invariance: this weighted ML fit's test is lavaan's test = \"yuan.bentler.mplus\"" "$tmp/err"
}
t_behaviour_labels() {
    # -b takes a label in any case; tables call behaviours by their labels
    run 0 fit "$survey" -b 'payment of FEES' -f json -q && has '"group": "fees"' "$tmp/out" &&
    lacks '"group": "crime"' "$tmp/out" &&
    run 0 fit "$survey" -b 'Criminal records' -q && has "Measure                       Criminal records" "$tmp/out" &&
    has "Behaviour         lhs" "$tmp/out" && has "Criminal records  trust                 =~  tg1" "$tmp/out" &&
    ! grep -q '^crime ' "$tmp/out" &&
    run 1 fit "$survey" -b paying &&
    has "brisk fit: the survey has no behaviour 'paying': give a key or a label of crime (Criminal records), fees (Payment of fees), internet (Internet use), litter (Littering of garbage)" "$tmp/err" &&
    run 0 reliability "$survey" -b 'internet use' -q -f csv && has "Internet use,benefit" "$tmp/out" &&
    lacks "Criminal records" "$tmp/out"
}
t_column_did_you_mean() {
    run 2 fit $(hs) --group schol &&
    has "brisk fit: " "$tmp/err" && has "group column 'schol' is not a column of" "$tmp/err" &&
    has "(did you mean 'school'?)" "$tmp/err" &&
    run 2 invariance $(hs) --group shcool && has "(did you mean 'school'?)" "$tmp/err" &&
    run 2 describe "$survey" --by gendr && has "brisk describe: 'gendr' is not a column" "$tmp/err" &&
    has "(did you mean 'gender'?)" "$tmp/err" &&
    run 2 compare-items "$survey" --group gendr tg1 tg2 && has "(did you mean 'gender'?)" "$tmp/err" &&
    run 2 fit "$survey" -b fees --weight wieght && has "(did you mean 'weight'?)" "$tmp/err" &&
    run 2 regress "$survey" --formula 'tg1 ~ age' --cluster ag && has "(did you mean 'age'?)" "$tmp/err" &&
    run 2 fit $(hs) --group zzzzzz && lacks "did you mean" "$tmp/err"
}
t_one_prefix_and_warnings_once() {
    # every message begins "brisk COMMAND: "
    run 2 fit --data "$tmp/nosuch.csv" --model "$top_srcdir/doc/examples/hs.lav" &&
    has "brisk fit: " "$tmp/err" && lacks "brisk: " "$tmp/err" &&
    run 2 describe no-such-survey && has "brisk describe: 'no-such-survey' is neither" "$tmp/err" &&
    run 1 describe "$survey" -f xlsx && has "brisk describe: an xlsx workbook needs a file" "$tmp/err" &&
    run 1 frobnicate && has "brisk: unknown command 'frobnicate'" "$tmp/err" &&
    lacks "did you mean" "$tmp/err" &&
    run 1 fitt && has "brisk: unknown command 'fitt'; did you mean 'fit'?" "$tmp/err" &&
    run 2 regress "$survey" --formula 'tg1 ~ agee' && has "'agee' in the formula is not a column" "$tmp/err" &&
    has "(did you mean 'age'?)" "$tmp/err" &&
    # a warning on standard error and in the output, but once where both go to one place
    run 0 compare-items "$survey" acc1_crime acc2_crime &&
    [ "$(grep -c "weight 'weight' is not used" "$tmp/err")" -eq 1 ] &&
    has "brisk compare-items: warning: the survey's weight 'weight' is not used" "$tmp/err" &&
    [ "$(grep -c "weight 'weight' is not used" "$tmp/out")" -eq 1 ] &&
    "$brisk" compare-items "$survey" acc1_crime acc2_crime >"$tmp/both" 2>&1 &&
    [ "$(grep -c "weight 'weight' is not used" "$tmp/both")" -eq 1 ] &&
    "$brisk" compare-items "$survey" acc1_crime acc2_crime -f csv >"$tmp/both" 2>&1 &&
    [ "$(grep -c "weight 'weight' is not used" "$tmp/both")" -eq 1 ] &&
    # the weight the behaviours share: one note, each behaviour's weights in it
    run 0 fit "$survey" -q && [ "$(grep -c "eighted by 'weight'" "$tmp/out")" -eq 1 ] &&
    has "each behaviour's weights normalised to their number: Criminal records 358 from 0.326 to 1.7, Kish's design effect 1.063; Payment of fees 351" "$tmp/out" &&
    run 0 fit "$survey" --unweighted --estimator mlr -q &&
    [ "$(grep -c "Robust ML (MLR): Huber-White" "$tmp/out")" -eq 1 ] && lacks "Criminal records: Robust ML" "$tmp/out"
}

# --modindices: lavaan's table (HS's headline indices), per behaviour,
# --mi-min, JSON, WLSMV (--estimator wlsmv, a survey's ordered items); bad
# values and what it does not go with refused with exit status 1 and
# nothing written.
t_fit_modindices() {
    hs="--data $data/hs.csv --model $top_srcdir/doc/examples/hs.lav"
    run 0 fit $hs --modindices --format csv &&
    has "visual,=~,x9,36.411" "$tmp/out" && has "x7,~~,x8,34.145" "$tmp/out" &&
    [ "$(sed -n '/^# fit.modindices/,/^$/p' "$tmp/out" | grep -c '^[a-z0-9]*,[=~]')" -eq 18 ] &&
    run 0 fit $hs --modindices --mi-min 0 --format csv &&
    [ "$(sed -n '/^# fit.modindices/,/^$/p' "$tmp/out" | grep -c '^[a-z0-9]*,[=~]')" -eq 54 ] &&
    run 0 fit $hs --modindices --mi-min 30 --format json &&
    has '"modindices": [' "$tmp/out" && has '"lhs": "x7", "op": "~~", "rhs": "x8", "mi": 34.145' "$tmp/out" &&
    lacks '"rhs": "x7", "mi"' "$tmp/out" &&
    run 0 fit "$survey" -b fees -b crime --modindices && has "Modification indices" "$tmp/out" &&
    grep -Eq "^Payment of fees +pb3_fees +~~ +acc2_fees +11\.579 " "$tmp/out" &&
    run 0 fit "$survey" -b crime --modindices --mi-min 100 &&
    has "Criminal records: no modification index above the minimum." "$tmp/out" &&
    run 1 fit $hs --modindices --mi-min -1 -o "$tmp/mi.csv" &&
    has "--mi-min takes a number 0 or above (an MI, such as 3.84), not '-1'" "$tmp/err" &&
    run 1 fit $hs --modindices --mi-min 3.8x && has "not '3.8x'" "$tmp/err" &&
    run 1 fit $hs --modindices --mi-min nan && has "not 'nan'" "$tmp/err" &&
    run 1 fit $hs --mi-min 2 && has "--mi-min goes with --modindices" "$tmp/err" &&
    run 0 fit "$survey" -b crime --estimator wlsmv --unweighted --modindices &&
    grep -Eq "^Criminal records +risk +~ +accept +21\.415 +0\.290 +0\.334 " "$tmp/out" &&
    run 0 fit "$survey" -b crime --missing fiml --modindices --mi-min 10 &&
    grep -Eq "^Criminal records +pm2_crime +~~ +pb3_crime +13\.496 " "$tmp/out" &&
    printf 'visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na > b\n' >"$tmp/ineq.lav" &&
    run 1 fit --data "$data/hs.csv" --model "$tmp/ineq.lav" --modindices -o "$tmp/mi.csv" &&
    has "ineq.lav:3: modification indices are not available" "$tmp/err" &&
    has "not available for a model with inequality constraints" "$tmp/err" &&
    run 1 fit $hs --modindices -o "$tmp/mi.svg" && has "does not go with a path diagram" "$tmp/err" &&
    [ ! -e "$tmp/mi.csv" ] && [ ! -e "$tmp/mi.svg" ] &&
    mkdir -p "$tmp/ordered" && cp "$top_srcdir/surveys/rongcheng/rongcheng.csv" "$tmp/ordered/" &&
    sed 's/^weight   = weight/ordered  = all/' "$survey" >"$tmp/ordered/o.survey" &&
    run 0 fit "$tmp/ordered/o.survey" -b crime --modindices --mi-min 15 --format csv &&
    has "Criminal records,risk,~,accept,21.415" "$tmp/out" &&
    has "Criminal records,benefit,~~,risk,15.398" "$tmp/out" &&
    [ "$(sed -n '/^# fit.modindices/,/^$/p' "$tmp/out" | grep -c '^Criminal')" -eq 3 ]
}

echo "1..53"
ok "help and version" t_help
ok "usage errors exit 1" t_usage_errors
ok "describe prints the tables" t_describe_text
ok "describe finds a bundled survey by name" t_describe_by_name
ok "describe --format json is valid JSON with item rows" t_describe_json
ok "describe -o infers the format and writes atomically" t_describe_output_file
ok "describe to an unwritable path exits 4 and leaves nothing" t_describe_unwritable
ok "import shows SPSS value labels and user-missing codes" t_import_spss_labels
ok "import -o converts data and writes the labels file" t_import_converts
ok "import of a CSV converts it losslessly (a second pass changes nothing)" t_import_csv_round_trip
ok "import reads Stata and SAS files" t_import_stata_sas
ok "import shows Stata tagged missing labels by tag" t_import_tagged_missing
ok "fit --data --model reproduces lavaan in json, text and csv" t_fit_data_model
ok "fit SURVEY fits each behaviour; --behaviour selects" t_fit_survey
ok "fit draws path diagrams (dot, and svg through Graphviz)" t_fit_diagram
ok "report writes every sheet; a failing model writes nothing" t_report
ok "report -o x.xlsx: the workbook holds the fit's numbers and its charts" t_report_xlsx
ok "report -o x.xlsx: every sheet prints landscape, one page wide, headers repeated; item wordings" t_report_print
ok "report -o x.tex: a LaTeX document that compiles (pdflatex, or xelatex with xeCJK)" t_report_tex
ok "bootstrap and compare print the same bytes for any --threads" t_bootstrap_threads
ok "compare prints paths, differences and effects by behaviour" t_compare
ok "compare with a survey's clusters: the bootstrap of clusters agrees with R's within Monte Carlo error" t_compare_clusters
ok "fit --group and invariance reproduce lavaan's multi-group numbers" t_groups_and_invariance
ok "compare in the long layout matches respondents by id: same output as wide" t_compare_long_layout
ok "reliability in the long layout: per-behaviour constructs per behaviour, as wide; ordinal alpha; items to reverse" t_reliability_long_layout
ok "regress: {b} fits one model per behaviour (both layouts alike); pooled long rows clustered by respondent" t_regress_behaviours
ok "compare-items: {b} per behaviour, wide names pair behaviours by respondent, both layouts alike" t_compare_items_behaviours
ok "names with blanks (in backticks) and Chinese letters: import, describe, fit, regress as under ASCII names" t_quoted_names
ok "report without comparison: one behaviour (defined effects only), no paths (nothing)" t_report_one_behaviour
ok "reliability per construct and behaviour: alpha, omega, AVE, HTMT, Fornell-Larcker" t_reliability
ok "the bundled surveys are found by name, described and fitted" t_surveys
ok "simulate draws the same file for a seed; the bundled data bit for bit" t_simulate
ok "simulate's draws fitted by lavaan and by brisk give the same std.all" t_simulate_recovery
ok "--time-limit stops stalled searches: the first solution stands, none is exit 3" t_time_limit
ok "power: the same numbers for any --threads; an analysis model" t_power
ok "regress: ordinal, frequency weights, a survey's weight, errors by exit status" t_regress
ok "compare-items: McNemar, t and Wilcoxon per pair, by group; errors" t_compare_items
ok "describe --by: approval by group with Rao-Scott tests for a weighted survey" t_describe_by
ok "fit --estimator mlr|wlsmv and --missing fiml: lavaan's measures, with covariates; what is not there yet refused" t_fit_mlr
ok "a survey without [items]: the model's indicators are the items; nothing to describe is an error" t_survey_without_items
ok "an output interrupted by SIGTERM leaves no temporary file" t_interrupted_output
ok "a write failing half-way (full disk, /dev/full) exits 4 naming the output, leaving nothing" t_write_faults
if [ "$(id -u)" -eq 0 ]; then
    skip "a read-only folder exits 4 naming the output" "root writes into read-only folders"
else
    ok "a read-only folder exits 4 naming the output" t_unwritable_folder
fi
ok "kill -9 during import -o and report -o (text and xlsx) leaves the old file or the whole new one" t_killed_output
ok "two processes writing the same -o path end with one whole file" t_concurrent_output
ok "options are written in full: abbreviations refused with the options they begin" t_full_option_names
ok "fit --standardized and --residuals: tables, JSON, notes; refused with a diagram" t_standardized_residuals
ok "lavaan's --se and --test: the fit's own names accepted, others refused saying what brisk has; --se bootstrap" t_lavaan_se_test
ok "-b by label; behaviours by label in the fit's tables" t_behaviour_labels
ok "an unknown --group, --by, --weight or --cluster column: did you mean the nearest" t_column_did_you_mean
ok "messages begin 'brisk COMMAND: '; a warning is said once" t_one_prefix_and_warnings_once
ok "fit --modindices: lavaan's indices, per behaviour, --mi-min, JSON, WLSMV; bad values and inequalities refused" t_fit_modindices
ok "describe --quiet still writes the tables" sh -c "'$brisk' describe '$survey' --quiet --format md | grep -q '### Items'"
exit 0
