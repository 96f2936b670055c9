# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference p-values for Fisher's exact test of an r x c table
# (stats/fisher.c), from R's fisher.test and from a plain enumeration.
#
# Run from the top of the source tree (takes a few seconds):
#
#     Rscript tests/reference/fisher/make.R
#
# Made with R 4.2.2 Patched (2022-11-10 r83330), no packages.  `make check`
# does not need R: the values.csv this script writes is committed, with
# the columns
#
#   table     a name
#   rows,cols the dimensions
#   counts    the counts, row-major, separated by spaces
#   fisher_p  fisher.test(x, workspace = 2e6)$p.value (two-sided; the
#             default workspace, 2e5, is too small for t2x6_n300: "FEXACT
#             error 7"; a larger one gives the same p to all digits)
#   exact_p   the same p by enumerating every table with the margins
#             (empty when there are too many to enumerate here)
#
# (numbers with %.15g; nothing is quoted).
#
# fisher.test's p: for a 2 x 2 table the sum of the hypergeometric
# probabilities d with d <= d_obs * (1 + 1e-7); for any other table
# FEXACT's network algorithm, which counts a table when its
# log-probability is at most the observed's + tol, tol = 3.45254e-7, but
# which also merges partial paths whose log-probabilities are within tol
# of each other, so that its p is approximate (here to about 1e-12
# relative; 1e-10 on some larger tables).  exact_p applies the same rule
# to every table exactly.  (On some large sparse tables FEXACT is wrong:
# for the 2 x 30 table with n = 200
#   5 4 7 2 3 1 3 4 8 2 2 1 3 5 2 3 4 2 1 10 4 5 6 3 3 5 1 7 3 5
#   4 3 1 3 5 1 3 3 2 2 5 4 1 3 2 0 5 3 6 4 5 3 3 1 1 3 1 3 1 5
# fisher.test(x, workspace = 2e8) gives 0.1243, where a simulated p,
# B = 2e5, gives 0.604 and brisk 0.60514.)  fisher.test
# needs at least 2 rows and 2 columns; rows and columns with a zero total
# change nothing (FEXACT gives 1 when fewer than two are non-empty), and
# every count zero is an error ("FEXACT error 3").

stopifnot(file.exists("tests/reference/fisher/make.R"))  # run from the top
out_path <- "tests/reference/fisher/values.csv"

# Every table with the margins of x, a column at a time: the rows of st
# are the partial tables' row totals left, s their sum of -log n_ij!.
# NA when a column would leave more than max_states partial tables.
exact_p <- function(x, max_states = 2e6) {
  tol <- if (all(dim(x) == 2)) log1p(1e-7) else 3.45254e-7  # by the dimensions given
  x <- x[rowSums(x) > 0, colSums(x) > 0, drop = FALSE]
  if (nrow(x) < 2 || ncol(x) < 2) return(1)
  if (nrow(x) > ncol(x)) x <- t(x)                # split columns among fewer rows
  R <- rowSums(x); C <- colSums(x); N <- sum(x)
  logk <- sum(lfactorial(R)) + sum(lfactorial(C)) - lfactorial(N)
  s_obs <- -sum(lfactorial(x))
  st <- matrix(R, 1); s <- 0
  for (j in seq_len(ncol(x) - 1)) {
    comps <- as.matrix(expand.grid(rep(list(0:C[j]), nrow(x))))
    comps <- comps[rowSums(comps) == C[j], , drop = FALSE]
    tst <- t(st)
    count <- 0
    for (k in seq_len(nrow(comps))) {
      count <- count + sum(colSums(tst >= comps[k, ]) == nrow(x))
      if (count > max_states) return(NA)
    }
    nst <- list(); ns <- list()
    for (k in seq_len(nrow(comps))) {
      v <- comps[k, ]
      ok <- colSums(tst >= v) == nrow(x)
      if (!any(ok)) next
      nst[[length(nst) + 1]] <- sweep(st[ok, , drop = FALSE], 2, v)
      ns[[length(ns) + 1]] <- s[ok] - sum(lfactorial(v))
    }
    st <- do.call(rbind, nst); s <- unlist(ns)
  }
  s <- s - rowSums(lfactorial(st))               # the last column: what is left
  sum(exp(logk + s[s <= s_obs + tol]))
}

tables <- list(
  tea            = matrix(c(3, 1, 1, 3), 2, byrow = TRUE),        # Agresti (1990), ?fisher.test
  convictions    = matrix(c(2, 10, 15, 3), 2, byrow = TRUE),      # ?fisher.test
  zeros_2x2      = matrix(c(5, 0, 0, 5), 2, byrow = TRUE),
  zero_cell_2x2  = matrix(c(0, 7, 4, 3), 2, byrow = TRUE),
  one_tail_2x2   = matrix(c(0, 6, 12, 5), 2, byrow = TRUE),       # nothing as unlikely on the other side
  ties_2x2       = matrix(c(2, 3, 3, 2), 2, byrow = TRUE),        # its mirror image ties with it
  large_2x2      = matrix(c(40, 110, 70, 80), 2, byrow = TRUE),   # n = 300
  t2x3           = matrix(c(3, 5, 2, 7, 1, 6), 2, byrow = TRUE),
  t2x4           = matrix(c(2, 3, 6, 1, 4, 1, 2, 8), 2, byrow = TRUE),
  t3x3           = matrix(c(1, 2, 5, 3, 1, 0, 2, 4, 1), 3, byrow = TRUE),
  t3x4           = matrix(c(4, 2, 0, 6, 1, 5, 3, 2, 7, 1, 4, 3), 3, byrow = TRUE),
  job            = matrix(c(1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11),
                          4, byrow = TRUE),                      # Agresti (2002, p. 57), ?fisher.test
  zero_row_3x3   = matrix(c(3, 5, 2, 0, 0, 0, 7, 1, 6), 3, byrow = TRUE),   # = t2x3
  zero_col_2x3   = matrix(c(3, 0, 1, 1, 0, 4), 2, byrow = TRUE),            # FEXACT's tol
  one_row_2x3    = matrix(c(3, 1, 2, 0, 0, 0), 2, byrow = TRUE),            # p = 1
  t2x5_n150      = matrix(c(12, 20, 8, 15, 5, 18, 22, 30, 10, 10), 2, byrow = TRUE),
  t5x2_n150      = t(matrix(c(12, 20, 8, 15, 5, 18, 22, 30, 10, 10), 2, byrow = TRUE)),
  t2x6_n300      = matrix(c(20, 35, 12, 28, 9, 16, 30, 40, 45, 25, 18, 22), 2, byrow = TRUE)
)

rows <- list()
for (name in names(tables)) {
  x <- tables[[name]]
  fp <- fisher.test(x, workspace = 2e6)$p.value
  ep <- exact_p(x)
  stopifnot(is.na(ep) || abs(ep - fp) <= 1e-6 * max(fp, 1e-3))
  rows[[name]] <- data.frame(table = name, rows = nrow(x), cols = ncol(x),
                             counts = paste(t(x), collapse = " "),
                             fisher_p = sprintf("%.15g", fp),
                             exact_p = if (is.na(ep)) "" else sprintf("%.15g", ep))
}
stopifnot(abs(as.numeric(rows$tea$fisher_p) - 0.4857) < 5e-5,          # ?fisher.test
          abs(as.numeric(rows$convictions$fisher_p) - 0.0005367) < 5e-8,
          abs(as.numeric(rows$job$fisher_p) - 0.7827) < 5e-5,
          rows$zero_row_3x3$fisher_p == rows$t2x3$fisher_p,
          rows$one_row_2x3$fisher_p == "1")
# fisher.test fails on fewer than 2 rows or columns and on an all-zero table
stopifnot(inherits(try(fisher.test(matrix(1:3, 1)), silent = TRUE), "try-error"),
          inherits(try(fisher.test(matrix(0, 2, 3)), silent = TRUE), "try-error"))

v <- do.call(rbind, rows)
write.table(v, out_path, sep = ",", quote = FALSE, row.names = FALSE, eol = "\n")
cat("wrote", out_path, "(", nrow(v), "rows )\n")
