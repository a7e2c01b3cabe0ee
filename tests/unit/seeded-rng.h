/*
 * seeded-rng.h - the random numbers of the property tests: xorshift64*, so
 * a seed gives the same cases on every machine and a failure names a case
 * that can be run again.
 */
#ifndef SCHEDLAB_TEST_SEEDED_RNG_H
#define SCHEDLAB_TEST_SEEDED_RNG_H

#include <stdint.h>

/* The generator's state: a test sets it to its seed. */
static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

/* A number in [0, n), 0 when n is 0. */
static inline uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0;
}

#endif
