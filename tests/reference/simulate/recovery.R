# SPDX-License-Identifier: GPL-3.0-or-later
# recovery.R -- does lavaan, fitting data that brisk simulate drew, find
# the population's values?  An outside check of the draws (the unit tests
# check their moments against simulateData's and brisk's own recovery).
#
# Run from the top of the source tree after building (a minute):
#
#     Rscript tests/reference/simulate/recovery.R path/to/brisk
#
# It draws 200,000 respondents from standardized.lav with
# `brisk simulate --standardized --seed 7`, fits the model with its values
# left free by lavaan's sem(), and writes recovery.csv: for every
# parameter of the standardized solution, the population value (the
# population is standardized, so its values are its std.all; taken from
# simulateData's own population fit), lavaan's std.all estimate and SE,
# and z = (estimate - population) / SE.  Sampling error alone gives |z|
# below 3 or so; a bias in the draws would give large z.

suppressPackageStartupMessages(library(lavaan))
stopifnot(file.exists("tests/reference/simulate/recovery.R"))
args <- commandArgs(trailingOnly = TRUE)
brisk <- if (length(args)) args[1] else "build/tools/brisk"
ref_dir <- "tests/reference/simulate"
model <- paste(readLines(file.path(ref_dir, "standardized.lav")), collapse = "\n")

csv <- tempfile(fileext = ".csv")
status <- system2(brisk, c("simulate", "--model", file.path(ref_dir, "standardized.lav"),
                           "--standardized", "--n", "200000", "--seed", "7", "-o", csv))
stopifnot(status == 0)
d <- read.csv(csv)

# the population values: simulateData's population fit of the same model
pop <- simulateData(model, sample.nobs = 10, standardized = TRUE, return.fit = TRUE)
truth <- standardizedSolution(attr(pop, "fit"))
names(truth)[names(truth) == "est.std"] <- "est"
free <- gsub("-?[0-9.]+\\*", "", model)        # the same model, values free
fit <- sem(free, data = d)
est <- standardizedSolution(fit)
names(est)[names(est) == "est.std"] <- "est"
est <- est[est$se > 0, c("lhs", "op", "rhs", "est", "se")]
key <- function(x) paste(x$lhs, x$op, x$rhs)
est$population <- truth$est[match(key(est), key(truth))]
est$z <- (est$est - est$population) / est$se
out <- est[, c("lhs", "op", "rhs", "population", "est", "se", "z")]
for (v in c("population", "est", "se", "z")) out[[v]] <- sprintf("%.6f", out[[v]])
write.csv(out, file.path(ref_dir, "recovery.csv"), row.names = FALSE)
cat(sprintf("%d parameters, largest |z| %.2f, largest |est - population| %.4f\n",
            nrow(est), max(abs(est$z)), max(abs(est$est - est$population))))
