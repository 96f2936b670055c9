/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xoshiro256** and its seeding; see rng.h. */
#include <config.h>
#include "core/rng.h"

/* splitmix64's output function: a bijection of 64-bit words that mixes
 * every bit into every other. */
static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t brisk_rng_stream_seed(uint64_t seed, uint64_t stream)
{
    return mix(seed) + stream;   /* distinct streams of a seed: distinct words */
}

static void seed_from(brisk_rng *r, uint64_t z)
{
    for (int k = 0; k < 4; k++) {
        z = mix(z);
        r->s[k] = z;
    }
}

void brisk_rng_seed(brisk_rng *r, uint64_t seed, uint64_t stream)
{
    seed_from(r, brisk_rng_stream_seed(seed, stream));
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t brisk_rng_next(brisk_rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Words below 2^64 mod n are rejected, so no value is favoured. */
size_t brisk_rng_index(brisk_rng *r, size_t n)
{
    uint64_t m = (uint64_t)n, threshold = (0 - m) % m, x;
    do
        x = brisk_rng_next(r);
    while (x < threshold);
    return (size_t)(x % m);
}

/* ---- the GSL face ---- */

static void gsl_set(void *state, unsigned long s)
{
    seed_from(state, (uint64_t)s);
}

static unsigned long gsl_get(void *state)
{
    return (unsigned long)(brisk_rng_next(state) >> 32);   /* 32 bits, as max says */
}

static double gsl_get_double(void *state)
{
    return (double)(brisk_rng_next(state) >> 11) * 0x1.0p-53;   /* [0, 1) */
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", 0xffffffffUL, 0, sizeof(brisk_rng), gsl_set, gsl_get, gsl_get_double,
};

const gsl_rng_type *brisk_gsl_rng = &xoshiro_type;
