/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fisher's exact test of independence for an r x c table of counts
 * (internal), as R's fisher.test(x) gives its two-sided p-value: the sum
 * of the probabilities, given both margins (the multivariate
 * hypergeometric), of every table with the observed margins that is no
 * more probable than the observed one.  "No more probable" carries R's
 * relative tolerance: a 2 x 2 table counts when its probability is at
 * most the observed's times 1 + 1e-7 (fisher.test's relErr), a larger one
 * when its log-probability is at most the observed's + 3.45254e-7
 * (FEXACT's tol), so that tables tied with the observed count. */
#ifndef BRISK_STATS_FISHER_H
#define BRISK_STATS_FISHER_H

#include <stddef.h>
#include <stdint.h>
#include "brisk/error.h"

/* The bound on the work (partial tables extended, paths carried, tables
 * listed): beyond it the call fails with BRISK_ERR_LIMIT, after a few
 * seconds at most, and the caller falls back (chi-square or a simulated
 * p).  The largest total count, and the most cells once empty rows and
 * columns are left out: beyond them BRISK_ERR_LIMIT at once. */
#define BRISK_FISHER_MAX_NODES 50000000ULL
#define BRISK_FISHER_MAX_TOTAL 1000000L
#define BRISK_FISHER_MAX_CELLS 4096

/* counts: rows x cols, row-major, non-negative whole numbers (as doubles).
 * Rows and columns whose total is zero are left out, as they change
 * nothing; with fewer than two non-empty rows or columns only the
 * observed table has its margins and *p = 1 (as R).  Mehta and Patel's
 * network algorithm with exact bounds for two rows, each table counted by
 * its own probability (FEXACT's merging of paths within 3.45e-7 makes R's
 * p approximate, to about 1e-10 relative here and, on some large sparse
 * tables, wrong): the p agrees with a plain enumeration to about 1e-13.
 * Within the bound: 2 x k with n up to a few hundred (2 x 10 with n = 330
 * takes about a second), 3 x 3 with n = 600, 4 x 4 with n = 100,
 * 6 x 6 with n = 60, as a rule.
 *
 * Errors: BRISK_ERR_ARGUMENT (NULL, fewer than 2 rows or columns, as R),
 * BRISK_ERR_VALUE (a count negative, fractional or not finite),
 * BRISK_ERR_DATA (every count zero: R fails too), BRISK_ERR_LIMIT (too
 * large for the exact test, see above), BRISK_ERR_NOMEM.  *p is NaN on
 * failure. */
brisk_status brisk_fisher_exact(const double *counts, size_t rows, size_t cols, double *p,
                                brisk_error *err);
/* The same with a smaller bound on the work (for a caller that falls back
 * to the simulated p at once rather than spend seconds per table). */
brisk_status brisk_fisher_exact_within(const double *counts, size_t rows, size_t cols,
                                       unsigned long long max_work, double *p, brisk_error *err);

/* The p-value simulated as fisher.test(simulate.p.value = TRUE, B = draws)
 * computes it: draws tables with the observed margins (draw d from stream
 * d of seed), p = (1 + the tables no more probable than the observed) /
 * (draws + 1).  Errors as brisk_fisher_exact's, but no limit. */
brisk_status brisk_fisher_simulated(const double *counts, size_t rows, size_t cols, size_t draws,
                                    uint64_t seed, double *p, brisk_error *err);

#endif
