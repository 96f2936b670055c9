# SPDX-License-Identifier: GPL-3.0-or-later
# rongcheng_data.R -- rongcheng.survey's model and answers as brisk's survey
# fit takes them, for make_reference.R and make_mixed.R (sourced from the
# top of the source tree).

# The survey's [model] for behaviour b, comments and blank lines out.
rongcheng_model <- function(b) {
  lines <- readLines("surveys/rongcheng/rongcheng.survey")
  at <- which(lines == "[model]")
  end <- at + which(grepl("^\\[", lines[-(1:at)]))[1] - 1
  model <- gsub("{b}", b, lines[(at + 1):end], fixed = TRUE)
  paste0(paste(model[!grepl("^#", model) & nzchar(model)], collapse = "\n"), "\n")
}

# The indicators of a model's =~ statements, in order.
rongcheng_items <- function(model) {
  unlist(lapply(strsplit(sub("^.*=~", "", grep("=~", strsplit(model, "\n")[[1]], value = TRUE)),
                         "+", fixed = TRUE), trimws))
}

# Behaviour b's answers to items (and the columns extra): -99 -> NA, the
# reverse-keyed pr3_b reversed (6 - x).
rongcheng_answers <- function(b, items, extra = character(0)) {
  d <- read.csv("surveys/rongcheng/rongcheng.csv", stringsAsFactors = FALSE)[, c(items, extra)]
  d[d == -99] <- NA
  pr3 <- paste0("pr3_", b)
  d[[pr3]] <- 6 - d[[pr3]]
  d
}
