# SPDX-License-Identifier: GPL-3.0-or-later
# The differential battery's continuous cases (tests/reference/differential:
# models and data from a seeded grammar and lavaan::simulateData, not written
# by hand) with a random sampling weight added, fitted by lavaan 0.6-14 with
# sampling.weights and by brisk --weight; prints the largest differences.
# Run from a build tree after make (about 4 minutes):
#     Rscript ../tests/bench/weights_battery.R
# It writes the weighted data files to a temporary folder.
suppressPackageStartupMessages(library(lavaan))
top <- normalizePath(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), "../.."))
dir <- file.path(top, "tests/reference/differential")
brisk <- Sys.getenv("BRISK", "tools/brisk")
tmp <- tempfile("weights_battery"); dir.create(tmp)
cases <- read.csv(file.path(dir, "cases.csv"), colClasses = c(id = "character"))
cases <- cases[cases$trusted & !cases$ordered & cases$estimator %in% c("ML", "MLR"), ]
set.seed(20261207)
out <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- read.csv(file.path(dir, "data", paste0(cs$id, ".csv")))
  d$w_ <- round(runif(nrow(d), 0.3, 2.5), 4)
  f <- file.path(tmp, paste0(cs$id, ".csv"))
  write.csv(d, f, row.names = FALSE, na = "")
  model <- paste(readLines(file.path(dir, "models", paste0(cs$id, ".lav"))), collapse = "\n")
  args <- list(model = model, data = d, sampling.weights = "w_",
               missing = cs$missing, std.lv = cs$std_lv)
  if (nzchar(cs$group)) args$group <- cs$group
  if (nzchar(cs$group_equal)) args$group.equal <- strsplit(cs$group_equal, ",")[[1]]
  fit <- tryCatch(suppressWarnings(sem(model, data = d, sampling.weights = "w_",
                     missing = cs$missing, std.lv = cs$std_lv,
                     group = if (nzchar(cs$group)) cs$group else NULL,
                     group.equal = if (nzchar(cs$group_equal)) strsplit(cs$group_equal, ",")[[1]] else "")),
                  error = function(e) { message(cs$id, ": ", conditionMessage(e)); NULL })
  if (is.null(fit) || !lavInspect(fit, "converged")) next
  cmd <- c("fit", "--data", f, "--model", file.path(dir, "models", paste0(cs$id, ".lav")),
           "--weight", "w_", "--format", "csv", "-q", "--time-limit", "60")
  if (cs$missing == "ml") cmd <- c(cmd, "--missing", "fiml")
  if (cs$std_lv) cmd <- c(cmd, "--std-lv")
  if (nzchar(cs$group)) cmd <- c(cmd, "--group", cs$group)
  if (nzchar(cs$group_equal)) cmd <- c(cmd, "--group-equal", cs$group_equal)
  txt <- suppressWarnings(system2(brisk, cmd, stdout = TRUE, stderr = FALSE))
  status <- attr(txt, "status"); if (is.null(status)) status <- 0
  if (status != 0) { out[[length(out) + 1]] <- data.frame(id = cs$id, status = status, dchisq = NA, dscaled = NA, dest = NA, dse = NA, unmatched = NA); next }
  fm <- fitMeasures(fit)
  if (!"chisq.scaled" %in% names(fm)) fm[["chisq.scaled"]] <- NA
  get <- function(key) as.numeric(sub("^[^,]*,", "", grep(paste0("^", key, ","), txt, value = TRUE)[1]))
  pstart <- grep("^(group,)?lhs,op,rhs", txt)[1]
  pend <- c(which(txt == "" | grepl("^# ", txt))[which(txt == "" | grepl("^# ", txt)) > pstart], length(txt) + 1)[1]
  pb <- read.csv(text = txt[pstart:(pend - 1)], stringsAsFactors = FALSE)
  pe <- parameterEstimates(fit)
  keyb <- paste(pb$lhs, pb$op, pb$rhs, if (is.null(pb$group)) "" else pb$group)
  keyl <- paste(pe$lhs, pe$op, pe$rhs,
                if (is.null(pe$group)) "" else lavInspect(fit, "group.label")[pe$group])
  m <- match(keyl, keyb)
  if (all(is.na(m))) message(cs$id, ": no rows matched; brisk keys ", keyb[1], " lavaan ", keyl[1])
  out[[length(out) + 1]] <- data.frame(id = cs$id, status = 0,
    dchisq = abs(get("Chi-square") - fm[["chisq"]]),
    dscaled = abs(get("Chi-square \\(scaled\\)") - fm[["chisq.scaled"]]),
    dest = max(abs(pb$est[m] - pe$est), na.rm = TRUE),
    dse = max(abs(pb$se[m] - pe$se), na.rm = TRUE), unmatched = sum(is.na(m)))
}
r <- do.call(rbind, out)
print(nrow(r)); print(summary(r[, c("dchisq", "dscaled", "dest", "dse")]))
print(r[is.na(r$dchisq) | r$dchisq > 1e-3 | r$dse > 1e-3 | r$dest > 1e-3 | r$dscaled > 1e-3, ])
