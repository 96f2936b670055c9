#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# brisk fit --cov/--cor: a published matrix from the command line, what it
# refuses (options that need the raw data) and its bad input (exit 2, the
# file and line named, nothing written).  The numbers against lavaan are
# tests/unit/test_covinput.c's.  TAP.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
ref="$top_srcdir/tests/reference/covinput"
wheaton="$top_srcdir/tests/data/wheaton.cov"
echo "1..11"

test_wheaton() {
    run 0 fit --cov "$wheaton" --model "$ref/wheaton.lav" &&
        has "Chi-square                        4.735" "$tmp/out" &&
        has "Degrees of freedom                    4" "$tmp/out" &&
        has "Fitted from the covariance matrix in $wheaton (N = 932)" "$tmp/out"
}

# correlations with the SDs and means on the command line; N by --n
test_lists() {
    grep -v '^sd' "$ref/wheaton_cor.csv" >"$tmp/cor.csv" &&
        run 0 fit --cor "$tmp/cor.csv" --n 932 --sd "3.440,3.060,3.540,3.160,3.100,21.220" \
            --model "$ref/wheaton.lav" -f csv -o "$tmp/a.csv" &&
        run 0 fit --cor "$ref/wheaton_cor.csv" --n 932 --model "$ref/wheaton.lav" -f csv \
            -o "$tmp/b.csv" &&
        cmp "$tmp/a.csv" "$tmp/b.csv" &&
        run 0 fit --cov "$wheaton" --means "13.61 14.67 14.13 14.90 10.90 37.49" \
            --model "$ref/wheaton.lav" &&
        has "anomia67     ~1" "$tmp/out" && has "(N = 932, with means)" "$tmp/out"
}

# write.csv(cov(x)) of R, with --n; a mean structure without means warned
test_write_csv() {
    run 0 fit --cov "$ref/hs.cov.csv" --n 301 --model "$ref/hs.lav" &&
        grep -q "^Chi-square  *85.306$" "$tmp/out" &&
        run 0 fit --cov "$ref/hs.cov.csv" --n 301 --model "$ref/hs.lav" --meanstructure &&
        has "a mean structure without the means" "$tmp/err"
}

# everything that needs the respondents' rows: exit 1, said so
test_needs_raw_data() {
    for opt in "--bootstrap 100" "--estimator mlr" "--estimator wlsmv" "--missing fiml" \
               "--where x>1" "--weight w" "--cluster c" "--group g" "--se robust.sem" \
               "--data $wheaton" "--seed 3" "--ci bca"; do
        # shellcheck disable=SC2086
        run 1 fit --cov "$wheaton" --model "$ref/wheaton.lav" $opt &&
            has "needs the raw data" "$tmp/err" || return 1
    done
}

test_usage() {
    run 1 fit --n 932 --data x.csv --model m.lav && has "--n goes with --cov FILE" "$tmp/err" &&
        run 1 fit --cov "$wheaton" && has "needs --model FILE" "$tmp/err" &&
        run 1 fit --cov "$wheaton" --sd 1,2 --model "$ref/wheaton.lav" &&
        has "--sd goes with --cor" "$tmp/err" &&
        run 1 fit --cor "$wheaton" --sd 1,x --model "$ref/wheaton.lav" &&
        has "--sd takes numbers" "$tmp/err" &&
        run 1 fit --cov "$wheaton" --n 100 --model "$ref/wheaton.lav" &&
        has "give one" "$tmp/err" &&
        run 1 fit --cov "$wheaton" -b crime --model "$ref/wheaton.lav" &&
        has "--behaviour goes with a survey" "$tmp/err" &&
        run 1 fit --cov "$wheaton" --group-equal loadings --model "$ref/wheaton.lav" &&
        has "--group-equal goes with" "$tmp/err"
}

# bad FILE CONTENT STATUS FRAGMENT [OPTIONS...]: the matrix (--cov, or
# $kind) fitted; nothing written, the message names the file and the fragment
bad() {
    file=$tmp/$1 text=$2 status=$3 fragment=$4
    shift 4
    printf '%b' "$text" >"$file"
    run "$status" fit "${kind:---cov}" "$file" --model "$tmp/m.lav" -o "$tmp/out.csv" "$@" &&
        has "$fragment" "$tmp/err" && has "$file" "$tmp/err" &&
        { [ ! -e "$tmp/out.csv" ] || { echo "$tmp/out.csv written" >&2; return 1; }; }
}

test_bad_input() {
    printf 'f =~ a + b + c\n' >"$tmp/m.lav"
    bad sym.cov 'a b c\n1 .5 .4\n.5 1 .3\n.4 .2 1\nn 50\n' 2 "sym.cov:4: the matrix is not symmetric" &&
        bad pd.cov 'a b c\n1\n0 1\n1 1 2\nn 50\n' 2 "pd.cov:4: the matrix of the model's variables is not positive definite" &&
        bad row.cov 'a b c\n1\n.5 1 .3\n.4 .2 1\nn 50\n' 2 "row.cov:3: row 2 of the matrix has 3 entries" &&
        bad num.cov 'a b c\n1\n.5 1\n.4 .2x 1\nn 50\n' 2 "num.cov:4: entry 2 of row 3 of the matrix, '.2x', is not a number" &&
        bad non.cov 'a b c\n1\n.5 1\n.4 .2 1\n' 2 "non.cov: no N" &&
        bad one.cov 'a b c\n1\n.5 1\n.4 .2 1\nn 1\n' 2 "one.cov:5: N is 1" &&
        bad names.cov 'a b d\n1\n.5 1\n.4 .2 1\nn 50\n' 2 "'c' is neither a latent variable (left of =~) nor a variable of the matrix in $tmp/names.cov (its variables: a, b, d)" &&
        kind=--cor bad sds.cov 'a b c\n1\n.5 1\n.4 .2 1\nn 50\nsd 1 2\n' 2 "sds.cov:6: the file's row gives 2 sds for the 3 variables" &&
        kind=--cor bad sdo.cov 'a b c\n1\n.5 1\n.4 .2 1\nn 50\n' 2 "sdo.cov: --sd gives 4 sds for the 3 variables" --sd 1,2,3,4
}

test_help() {
    run 0 fit --help && has "--cov FILE" "$tmp/out" && has "--cor FILE" "$tmp/out" &&
        has "--means LIST" "$tmp/out"
}

# the rows of a matrix R's write.csv wrote, names leading each row
test_labelled_rows() {
    printf 'a,b,c\na,1\nb,.5,1\nc,.4,.2,1\nsd,1,2,3\nmean,0,1,2\nn,40\n' >"$tmp/l.csv" &&
        printf 'f =~ a + b + c\n' >"$tmp/m.lav" &&
        run 0 fit --cor "$tmp/l.csv" --model "$tmp/m.lav" && has "(N = 40, with means)" "$tmp/out"
}

# a study declared by its matrix in the survey file
test_survey() {
    run 0 fit "$top_srcdir/doc/examples/wheaton.survey" &&
        grep -q "^Chi-square  *4.735$" "$tmp/out" &&
        run 1 describe "$top_srcdir/doc/examples/wheaton.survey" &&
        has "wheaton.survey:5: this study has no data, only its published covariance matrix" "$tmp/err" &&
        has "needs the raw data" "$tmp/err" &&
        run 1 reliability "$top_srcdir/doc/examples/wheaton.survey" &&
        run 1 fit "$top_srcdir/doc/examples/wheaton.survey" --estimator mlr &&
        has "needs the raw data" "$tmp/err" &&
        mkdir -p "$tmp/s" && grep -v '^n ' "$wheaton" >"$tmp/s/w.cov" &&
        printf '[survey]\ncov = w.cov\nn = 932\n[model]\n' >"$tmp/s/w.survey" &&
        grep -v '^#' "$ref/wheaton.lav" >>"$tmp/s/w.survey" &&
        run 0 fit "$tmp/s/w.survey" && grep -q "^Chi-square  *4.735$" "$tmp/out" &&
        printf '[survey]\ncov = ../w.cov\nn = 932\n[model]\nf =~ a + b + c\n' >"$tmp/s/n2.survey" &&
        cp "$wheaton" "$tmp/w.cov" &&
        run 1 fit "$tmp/s/n2.survey" && has "the file gives N and the survey's n = does too" "$tmp/err" &&
        printf '[survey]\ndata = x.csv\ncov = w.cov\n[model]\nf =~ a + b + c\n' >"$tmp/s/d.survey" &&
        run 2 fit "$tmp/s/d.survey" && has "d.survey:2: a study declared by its matrix (cov = FILE) has no respondents' rows, so it cannot have data = FILE" "$tmp/err" &&
        printf '[survey]\ncov = w.cov\nweight = w\n[model]\nf =~ a + b + c\n' >"$tmp/s/w2.survey" &&
        run 2 fit "$tmp/s/w2.survey" && has "w2.survey:3:" "$tmp/err" && has "cannot have a weight" "$tmp/err" &&
        printf '[survey]\ndata = x.csv\nn = 10\n[model]\nf =~ a + b + c\n' >"$tmp/s/n.survey" &&
        run 2 fit "$tmp/s/n.survey" && has "n.survey:3: 'n' is the number of respondents of a published matrix" "$tmp/err" &&
        printf '[survey]\ncov = w.cov\nn = 1.5\n[model]\nf =~ a + b + c\n' >"$tmp/s/n3.survey" &&
        run 2 fit "$tmp/s/n3.survey" && has "n3.survey:3: 'n = 1.5'" "$tmp/err"
}

ok "Wheaton's matrix: chi-square 4.735 on 4 df" test_wheaton
# modification indices of a matrix fit: lavaan 0.6-14's modindices() of
# sem(model, sample.cov = S, sample.nobs = 932), the three largest
test_wheaton_mi() {
    "$brisk" fit --cov "$top_srcdir/tests/data/wheaton.cov" \
        --model "$top_srcdir/doc/examples/wheaton.lav" --modindices --mi-min 0 -f csv -q |
    awk -F, 'function near(x, w) { return x - w < 1e-4 && w - x < 1e-4 }
        $1 == "sei" && $3 == "powerless67" { a = near($4, 3.308631) && near($5, 2.468279) }
        $1 == "education" && $3 == "powerless67" { b = near($4, 2.266398) && near($5, -0.337501) }
        $1 == "sei" && $3 == "anomia67" { c = near($4, 2.193363) && near($5, -2.128095) }
        END { exit !(a && b && c) }'
}
ok "Wheaton's matrix: modification indices as lavaan's" test_wheaton_mi
ok "SDs and means on the command line" test_lists
ok "R's write.csv(cov(x))" test_write_csv
ok "options that need the raw data are refused" test_needs_raw_data
ok "usage errors" test_usage
ok "bad matrices: exit 2, file and line, nothing written" test_bad_input
ok "--help documents the options" test_help
ok "rows led by their names, sd/mean/n rows" test_labelled_rows
ok "a survey declaring its matrix: fit, and the other commands refused" test_survey
n=$((n + 1))
if [ -x "$brisk" ]; then echo "ok $n - brisk built"; else echo "not ok $n - brisk built"; failed=$((failed + 1)); fi
[ "$failed" -eq 0 ]
