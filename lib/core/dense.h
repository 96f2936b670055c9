/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small dense matrices in plain loops (internal).  The SEM engine inverts
 * matrices of a few dozen rows many thousand times in a bootstrap; for
 * those sizes direct loops are several times faster than general
 * Level-2 BLAS routines. */
#ifndef BRISK_CORE_DENSE_H
#define BRISK_CORE_DENSE_H

#include <stdbool.h>
#include <stddef.h>

/* inv = a^-1 by Gauss-Jordan elimination with partial pivoting; a (n x n,
 * row-major) is overwritten.  False when a is singular. */
bool brisk_dense_invert(double *a, double *inv, size_t n);

/* inv = a^-1 for a symmetric positive definite a, through its Cholesky
 * factor (held in work, n x n); *logdet = log|a|.  False when a is not
 * positive definite. */
bool brisk_dense_spd_invert(const double *a, double *inv, double *work, size_t n, double *logdet);

/* step = (h + ridge m I)^-1 g, m the mean of h's diagonal (1 when it is
 * not positive): a Levenberg-Marquardt step.  a and work are n x n
 * scratch; inv gets the damped inverse.  False when that matrix is not
 * positive definite. */
bool brisk_dense_damped_solve(const double *h, const double *g, size_t n, double ridge,
                              double *a, double *inv, double *work, double *step);

/* c = a b' for n x n matrices (c must not alias a or b), and c = a b. */
void brisk_dense_mul_bt(const double *a, const double *b, double *c, size_t n);
void brisk_dense_mul(const double *a, const double *b, double *c, size_t n);

/* Rectangular products (c must not alias a or b): c = a b for a (m x k)
 * and b (k x n), and c = a' b for a (k x m) and b (k x n); c is m x n. */
void brisk_dense_mul_rect(const double *a, const double *b, double *c, size_t m, size_t k,
                          size_t n);
void brisk_dense_mul_at(const double *a, const double *b, double *c, size_t m, size_t k,
                        size_t n);

#endif
