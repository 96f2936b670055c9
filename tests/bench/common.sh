# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by fit.sh and bootstrap.sh (sourced, not run): finds the brisk
# program to time, checks that R and lavaan are there, draws the benchmark
# data set with lavaan::simulateData, and times processes (timing.sh).
#
# Expects: bench (the script's name, for messages), n (respondents); sets
# brisk, seed, tmp (a temporary folder removed on exit), timer; writes
# $tmp/model.lav (the model fitted), $tmp/population.lav and $tmp/data.csv.
. "$(dirname "$0")/timing.sh"
seed=20261121

if ! command -v Rscript >/dev/null 2>&1; then
    echo "$bench: skipped: Rscript is not installed (the data are drawn with lavaan::simulateData)"
    exit 0
fi
if ! Rscript -e 'quit(status = !requireNamespace("lavaan", quietly = TRUE))' >/dev/null 2>&1; then
    echo "$bench: skipped: the R package lavaan is not installed"
    exit 0
fi

# The model brisk and lavaan fit (lavaan's defaults: markers, free residual
# and latent variances; trust is the only exogenous latent).
cat >"$tmp/model.lav" <<'EOF'
trust   =~ t1 + t2 + t3
benefit =~ b1 + b2 + b3 + b4
risk    =~ r1 + r2 + r3
accept  =~ a1 + a2 + a3 + a4
benefit ~ trust
risk    ~ trust
accept  ~ benefit + risk + trust
EOF

# The population: standardized loadings .6-.8, every latent of variance 1
# (the residual variances of benefit, risk and accept are 1 minus their
# explained variance), every item of variance 1.
cat >"$tmp/population.lav" <<'EOF'
trust   =~ 0.8*t1 + 0.7*t2 + 0.6*t3
benefit =~ 0.8*b1 + 0.7*b2 + 0.7*b3 + 0.6*b4
risk    =~ 0.8*r1 + 0.7*r2 + 0.6*r3
accept  =~ 0.8*a1 + 0.8*a2 + 0.7*a3 + 0.6*a4
benefit ~ 0.5*trust
risk    ~ -0.4*trust
accept  ~ 0.4*benefit + -0.3*risk + 0.2*trust
trust   ~~ 1*trust
benefit ~~ 0.75*benefit
risk    ~~ 0.84*risk
accept  ~~ 0.534*accept
t1 ~~ 0.36*t1
t2 ~~ 0.51*t2
t3 ~~ 0.64*t3
b1 ~~ 0.36*b1
b2 ~~ 0.51*b2
b3 ~~ 0.51*b3
b4 ~~ 0.64*b4
r1 ~~ 0.36*r1
r2 ~~ 0.51*r2
r3 ~~ 0.64*r3
a1 ~~ 0.36*a1
a2 ~~ 0.36*a2
a3 ~~ 0.51*a3
a4 ~~ 0.64*a4
EOF

Rscript - "$tmp" "$n" "$seed" <<'EOF' >/dev/null
a <- commandArgs(TRUE)
suppressPackageStartupMessages(library(lavaan))
pop <- paste(readLines(file.path(a[1], "population.lav")), collapse = "\n")
d <- simulateData(pop, sample.nobs = as.integer(a[2]), seed = as.integer(a[3]))
d <- d[, c("t1", "t2", "t3", "b1", "b2", "b3", "b4", "r1", "r2", "r3",
           "a1", "a2", "a3", "a4")]
# R's own CSV, as a user would have it (15 significant digits); both
# programs read this file, so they fit the same numbers
write.csv(d, file.path(a[1], "data.csv"), row.names = FALSE)
EOF
# against_lavaan WHAT LAV_SECONDS LAV_VALUE BRISK_SECONDS BRISK_VALUE
#     LAV_LABEL BRISK_LABEL: check that the two programs' WHAT agree to 1e-3
#     (exit 1 if not), then print both times and their ratio.
against_lavaan() {
    awk -v a="$5" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-3) }' ||
        { echo "$bench: ${1}s differ: brisk $5, lavaan $3" >&2; exit 1; }
    echo "$6 in a warm R session: $2 s (median of $reps)"
    echo "$7, whole process: $4 s (median of $runs)"
    echo "$1: brisk $5, lavaan $3"
    awk -v r="$2" -v b="$4" 'BEGIN { printf "lavaan / brisk: %.0fx\n", r / b }'
}
