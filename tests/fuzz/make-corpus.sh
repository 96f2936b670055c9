#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Write the seed corpora of the fuzz harnesses (tests/fuzz/corpus/NAME/)
# from files of the source tree: the bad-input corpus (tests/bad), the
# public data (tests/data), the bundled surveys, the documentation's
# examples and the reference models (tests/reference).  Large data files
# are cut to their first rows, so the committed corpus stays small.
# Run from anywhere: sh tests/fuzz/make-corpus.sh [TOP_SRCDIR]
# The corpus is committed; run this again when the tree's inputs change,
# and keep the inputs libFuzzer found worth adding (see README.md).
set -eu
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$top/tests/fuzz/corpus
sep='#@data'
rows=30

fresh() { rm -rf "${out:?}/$1" && mkdir -p "$out/$1"; }
# head of a text data file: the header and the first $rows rows
head_rows() { head -n $((rows + 1)) "$1"; }

# ---- fuzz_csv: delimited text
fresh fuzz_csv
for f in "$top"/tests/bad/*.csv "$top"/tests/bad/*.tsv "$top"/tests/bad/*.txt \
         "$top"/tests/data/*.csv "$top"/doc/examples/*.csv; do
    [ -f "$f" ] || continue
    d=${f%/*}; d=${d##*/}
    head_rows "$f" >"$out/fuzz_csv/$d-${f##*/}"
done

# ---- fuzz_readstat: one byte of format (0 sav/zsav, 1 por, 2 dta,
# 3 sas7bdat, 4 xpt), then the file
fresh fuzz_readstat
for f in "$top"/tests/data/* "$top"/tests/bad/*; do
    case $f in
        *.sav|*.zsav) b='\000' ;;
        *.por) b='\001' ;;
        *.dta) b='\002' ;;
        *.sas7bdat) b='\003' ;;
        *.xpt) b='\004' ;;
        *) continue ;;
    esac
    d=${f%/*}; d=${d##*/}
    { printf "$b"; cat "$f"; } >"$out/fuzz_readstat/$d-${f##*/}"
done

# ---- fuzz_survey: a survey, "#@data", the data it names (data = NAME,
# its first rows)
fresh fuzz_survey
for f in "$top"/tests/bad/*.survey "$top"/surveys/*/*.survey "$top"/doc/examples/*.survey \
         "$top"/tests/data/*.survey; do
    dir=${f%/*}
    d=${dir##*/}
    data=$(sed -n 's/^data[ \t]*=[ \t]*\([^ \t;#]*\).*/\1/p' "$f" | head -n 1)
    target=$out/fuzz_survey/$d-${f##*/}
    if [ -n "$data" ] && [ -f "$dir/$data" ]; then
        sed "s|^\(data[ \t]*=[ \t]*\)[^ \t;#]*|\1${data##*/}|" "$f" >"$target"
        printf '\n%s\n' "$sep" >>"$target"
        case $data in
            *.csv|*.tsv|*.txt) head_rows "$dir/$data" >>"$target" ;;
            *) cat "$dir/$data" >>"$target" ;;
        esac
    else
        cp "$f" "$target"
    fi
done

# ---- fuzz_model: model files
fresh fuzz_model
for f in "$top"/doc/examples/*.lav "$top"/tests/bad/*.lav "$top"/surveys/*/population.lav \
         "$top"/tests/reference/multigroup/*.lav "$top"/tests/reference/simulate/*.lav \
         "$top"/tests/reference/sem/*.lav "$top"/tests/reference/robust/*.lav; do
    [ -f "$f" ] || continue
    d=${f%/*}; d=${d##*/}
    cp "$f" "$out/fuzz_model/$d-${f##*/}"
done
# every 24th model of the differential battery
for f in "$top"/tests/reference/differential/models/*.lav; do
    n=${f##*/}; n=${n%.lav}
    [ $(( $(echo "$n" | sed 's/^0*//') % 24 )) -eq 1 ] || continue
    cp "$f" "$out/fuzz_model/differential-$n.lav"
done

# ---- fuzz_population: population models
fresh fuzz_population
for f in "$top"/surveys/*/population.lav "$top"/tests/reference/simulate/*.lav \
         "$top"/doc/examples/pop.lav "$top"/doc/examples/x.lav "$top"/doc/examples/reg.lav \
         "$top"/doc/examples/indirect_pop.lav "$top"/doc/examples/study_population.lav \
         "$top"/tests/bad/pop-*.lav; do
    [ -f "$f" ] || continue
    d=${f%/*}; d=${d##*/}
    cp "$f" "$out/fuzz_population/$d-${f##*/}"
done

# ---- fuzz_formula: formulas over the harness's own columns (y agree yes
# x1 x2 sex region w id), and some the command-line tests use
fresh fuzz_formula
i=0
while IFS= read -r formula; do
    i=$((i + 1))
    printf '%s' "$formula" >"$out/fuzz_formula/formula-$i"
done <<'FORMULAS'
y ~ x1 + x2
y ~ x1 * x2
y ~ x1 * sex + region
y ~ x1:x2 + sex:region - 1
y ~ 0 + x1 + x2
agree ~ x1 + x2 + sex
agree ~ region + x1:sex
yes ~ x1 + x2
yes ~ sex * region
y ~ x1 + x1 + x1:x1
y ~ .
y ~ 1
y~x1+x2-x2
y ~ x1 * x2 * sex * region
acc1_{b} ~ age + gender + tg1 + pb1_{b}
approve ~ age + education + income + urban
rating ~ temp + contact
Sat ~ Infl + Type + Cont
y ~ (x1 + x2)^2
y ~ x1 + tmp
y ~ I(x1^2) + log(x2 + 10) + scale(x1):sex + sqrt(exp(x1/4))
agree ~ `x1` * I(-(x2 - 1e-04)/2) + log10(`w`)
FORMULAS

# ---- fuzz_fit: one byte of options, the model, "#@data", 40 rows of the
# data (every 5th) (the harness skips more than 60 rows or 8 columns).
# Options: '0' ML, '1' MLR, '2' WLSMV, '3' ML with FIML, +4 std.lv, +8 a
# mean structure; '@' and on: the same by groups of the column g.
fresh fuzz_fit
fit_seed() {  # name options model data [columns]
    { printf '%s\n' "$2"; cat "$3"; printf '%s\n' "$sep"
      awk 'NR == 1 || NR % 5 == 0' "$4" | head -n 41 | awk -F, -v keep="${5:-}" '
          NR == 1 { n = split(keep, k, " ")
                    for (i = 1; i <= NF; i++) for (j = 1; j <= n; j++) if ($i == k[j]) use[i] = 1 }
          { if (keep == "") { print; next }
            line = ""
            for (i = 1; i <= NF; i++) if (use[i]) line = line (line == "" ? "" : ",") $i
            print line }'
    } >"$out/fuzz_fit/$1"
}
hs=$top/tests/data/hs.csv
ex=$top/doc/examples
fit_seed path-ml 0 "$ex/path.lav" "$hs" "x1 x2 x7 x9"
fit_seed mimic-mlr 1 "$ex/mimic.lav" "$hs" "x1 x2 x3 ageyr grade"
fit_seed mimic-means-ml 8 "$ex/mimic.lav" "$hs" "x1 x2 x3 ageyr grade"
fit_seed single-stdlv 4 "$ex/single.lav" "$hs" "x1 x2 x3 x4 x5 x6 x9"
fit_seed constant-item-ml 0 "$top/tests/bad/fit-constant-item.lav" \
    "$top/tests/bad/fit-constant-item.csv"
fit_seed not-identified-ml 0 "$top/tests/bad/fit-not-identified.lav" "$hs" "x1 x2 x3 x4 x5 x6"
# Cases of the differential battery with their settings: of every 4th
# case, those of 8 columns at most that the fuzzing build fits in under
# about a second from these 40 rows (037, 057, 081, 241, 277, 293 and
# fit-heywood.lav took 5 to over 30 seconds: see crashes/README.md)
for id in 017 025 053 061 069 077 097 109 113 125 129 141 169 177 197 217 221 229 \
          245 297 301 305 309 325 333 345 349; do
    line=$(grep "^\"$id\"," "$top/tests/reference/differential/cases.csv" | tr -d '"')
    est=$(echo "$line" | cut -d, -f3) missing=$(echo "$line" | cut -d, -f4)
    stdlv=$(echo "$line" | cut -d, -f5) group=$(echo "$line" | cut -d, -f6)
    case $est in ML) o=0 ;; MLR) o=1 ;; WLSMV) o=2 ;; *) continue ;; esac
    [ "$missing" = ml ] && o=3
    [ "$stdlv" = TRUE ] && o=$((o + 4))
    if [ "$group" = g ]; then o=$((o + 64)); else o=$((o + 48)); fi
    fit_seed "differential-$id" "$(printf "\\$(printf '%03o' $o)")" \
        "$top/tests/reference/differential/models/$id.lav" \
        "$top/tests/reference/differential/data/$id.csv"
done
# ---- fuzz_qual: one byte choosing the reader ('0' REFI-QDA from memory,
# '1' a segments CSV), then the file; the tree's projects of at most 20 KB
fresh fuzz_qual
for f in "$top"/tests/data/qual/* "$top"/tests/bad/interviews/* "$top"/tests/data/qdpx/*.qdpx \
         "$top"/surveys/*/*.qdpx; do
    case $f in
        *.qdpx|*.qde|*.qdc) b=0 ;;
        *.csv) b=1 ;;
        *) continue ;;
    esac
    [ "$(wc -c <"$f")" -le 20000 ] || continue
    d=${f%/*}; d=${d##*/}
    { printf '%s' "$b"; cat "$f"; } >"$out/fuzz_qual/$d-${f##*/}"
done
# ---- fuzz_xlsx: one byte of mode, then a workbook (even modes) or a
# sheet's XML, a line #@data and the shared strings' XML (odd modes)
fresh fuzz_xlsx
for f in "$top"/tests/data/xlsx/*.xlsx "$top"/tests/bad/xlsx-*.xlsx; do
    [ "$(wc -c <"$f")" -le 20000 ] || continue
    d=${f%/*}; d=${d##*/}
    { printf '\000'; cat "$f"; } >"$out/fuzz_xlsx/$d-${f##*/}"
done
for f in "$top"/tests/data/xlsx/types.xlsx "$top"/tests/data/xlsx/inline.xlsx; do
    sheet=$(unzip -Z1 "$f" | grep -m 1 '^xl/worksheets/.*\.xml$')
    for mode in '\001' '\017'; do
        { printf "$mode"; unzip -p "$f" "$sheet"; printf '\n#@data\n'
          unzip -p "$f" xl/sharedStrings.xml 2>/dev/null || true; } \
            >"$out/fuzz_xlsx/sheet$(printf "$mode" | od -An -tu1 | tr -d ' ')-${f##*/}.xml"
    done
done
# ---- fuzz_matrix: a byte of options, a matrix file, #@data, a model
fresh fuzz_matrix
cov=$top/tests/reference/covinput
matrix_seed() {  # matrix_seed NAME OPTION-BYTE MATRIX [MODEL]
    { printf "$2"; cat "$3"; if [ -n "${4-}" ]; then printf '\n%s\n' "$sep"; cat "$4"; fi; } \
        >"$out/fuzz_matrix/$1"
}
matrix_seed wheaton '\000' "$top/tests/data/wheaton.cov" "$top/doc/examples/wheaton.lav"
matrix_seed wheaton_cor '\003' "$cov/wheaton_cor.csv" "$cov/wheaton.lav"
matrix_seed hs_csv '\002' "$cov/hs.cov.csv" "$cov/hs.lav"
matrix_seed hs_means '\000' "$cov/hs_means.txt" "$cov/hs.lav"
matrix_seed wheaton_only '\000' "$top/tests/data/wheaton.cov"
printf '\007a b\n1\n.5 1\n' >"$out/fuzz_matrix/sd_option"
printf '\000a,b,c\na,1\nb,.5,1\nc,.4,.2,1\nmean,0,1,2\nn,40\n%s\nf =~ a + b + c\n' "$sep" \
    >"$out/fuzz_matrix/labelled"
printf '\002x y\n1 .3\n.3 1\n%s\ny ~ x\n' "$sep" >"$out/fuzz_matrix/full"

for h in fuzz_csv fuzz_readstat fuzz_survey fuzz_model fuzz_population fuzz_formula fuzz_fit \
         fuzz_qual fuzz_xlsx fuzz_matrix; do
    printf '%-16s %4d files %6d KB\n' "$h" "$(ls "$out/$h" | wc -l)" "$(du -sk "$out/$h" | cut -f1)"
done
