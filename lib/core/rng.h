/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk's random numbers (internal): xoshiro256** (Blackman and Vigna),
 * 256 bits of state seeded from (seed, stream) by splitmix64, so that
 * every stream of a seed is distinct (bootstrap draw i, simulated
 * replication r) and a result depends only on the seed and the stream,
 * never on the thread that computes it.  brisk_gsl_rng is the same
 * generator as a GSL generator type, for GSL's distributions (normal
 * deviates): gsl_rng_set(r, s) seeds it as brisk_rng_seed(., s, 0). */
#ifndef BRISK_CORE_RNG_H
#define BRISK_CORE_RNG_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

typedef struct brisk_rng {
    uint64_t s[4];
} brisk_rng;

void brisk_rng_seed(brisk_rng *r, uint64_t seed, uint64_t stream);
uint64_t brisk_rng_next(brisk_rng *r);
/* A uniform integer in [0, n), n >= 1, every value equally likely. */
size_t brisk_rng_index(brisk_rng *r, size_t n);
/* The seed of stream of seed, as one 64-bit word (for gsl_rng_set). */
uint64_t brisk_rng_stream_seed(uint64_t seed, uint64_t stream);

extern const gsl_rng_type *brisk_gsl_rng;

#endif
