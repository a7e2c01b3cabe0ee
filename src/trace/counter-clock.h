/*
 * counter-clock.h - CLOCK_MONOTONIC nanoseconds from the CPU's own counter.
 *
 * A hook's timestamp is one counter read (rdtsc on x86-64, cntvct_el0 on
 * aarch64) and one multiply: ns = ns0 + (counter - cyc0) * mult / 2^32. The
 * parameters live in the run's shared memory (the ring region's header), so
 * a worker process converts exactly as the parent does, and one writer (the
 * collector) keeps them on CLOCK_MONOTONIC:
 *
 *   start    the rate comes from the perf_event mmap page (time_mult and
 *            time_shift, where the kernel sets cap_user_time_zero), else
 *            from a calibration against clock_gettime; the offset from a
 *            tight (counter, clock, counter) bracket.
 *   refresh  every drain the writer reads the clock again, measures how far
 *            the conversion has drifted and slews it back: the line keeps
 *            its value at the refresh point (so it never jumps backwards)
 *            and changes its slope to absorb the error over the next few ms.
 *            The slope is the long-run rate measured since the start.
 *   end      the worst drift seen is reported.
 *
 * Where the counter is not invariant (no constant, non-stop TSC) the clock
 * falls back to clock_gettime itself, so the hooks' times stay CLOCK_MONOTONIC
 * like the kernel's perf switch records (os-switches.c, use_clockid) and the
 * sampler's /proc reads: one time base for the whole trace.
 */
#ifndef SL_TRACE_COUNTER_CLOCK_H
#define SL_TRACE_COUNTER_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedlab/trace.h"

/* Where the conversion's rate came from. */
typedef enum sl__cclock_source {
    SL__CCLOCK_GETTIME = 0, /* no invariant counter: every read is clock_gettime */
    SL__CCLOCK_PERF_PAGE,   /* the kernel's time_mult/time_shift */
    SL__CCLOCK_CALIBRATED,  /* measured against clock_gettime */
} sl__cclock_source;

/* Shared between processes (no pointers). A seqlock guards the conversion:
 * odd `seq` means the writer is mid-update. */
typedef struct sl__cclock {
    atomic_uint seq;
    uint32_t source;    /* sl__cclock_source, fixed at init */
    atomic_ullong cyc0; /* counter value of the current anchor */
    atomic_ullong ns0;  /* CLOCK_MONOTONIC ns the conversion gives at cyc0 */
    atomic_ullong mult; /* ns per count, in 2^-32 units */
    /* writer's own state (one writer: no lock) */
    uint64_t first_cyc, first_ns; /* the first anchor: the long-run rate's base */
    uint64_t rate;                /* best rate estimate, 2^-32 ns per count */
    int64_t last_err_ns;          /* clock minus conversion at the last refresh */
    uint64_t max_err_ns;          /* worst |clock - conversion| seen at a refresh */
    uint64_t refreshes;           /* refreshes done */
} sl__cclock;

/* Sets k up for this machine (the calibration, when needed, is done once per
 * process and takes about 10 ms). */
void sl__cclock_init(sl__cclock *k);
/* Re-measures against clock_gettime and slews the conversion; one caller at
 * a time. Records the error seen in last_err_ns / max_err_ns. */
void sl__cclock_refresh(sl__cclock *k);
/* "perf-page", "calibrated" or "clock_gettime". */
const char *sl__cclock_source_name(const sl__cclock *k);

/* The line through (cyc0, ns0) with slope mult, for a counter on either side. */
static inline uint64_t sl__cclock_convert(uint64_t c, uint64_t cyc0, uint64_t ns0, uint64_t mult)
{
    int64_t d = (int64_t)(c - cyc0);
    __int128 off = ((__int128)d * (__int128)mult) >> 32;
    return ns0 + (uint64_t)(int64_t)off;
}

uint64_t sl__cclock_gettime(void);

/* CLOCK_MONOTONIC ns, from the counter where it can be trusted. */
static inline uint64_t sl__cclock_now(const sl__cclock *k)
{
    if (__builtin_expect(k->source == SL__CCLOCK_GETTIME, 0))
        return sl__cclock_gettime();
    sl__cclock *w = (sl__cclock *)k;
    for (;;) {
        unsigned s = atomic_load_explicit(&w->seq, memory_order_acquire);
        uint64_t c = sl_counter_read();
        uint64_t cyc0 = atomic_load_explicit(&w->cyc0, memory_order_relaxed);
        uint64_t ns0 = atomic_load_explicit(&w->ns0, memory_order_relaxed);
        uint64_t mult = atomic_load_explicit(&w->mult, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (!(s & 1) && atomic_load_explicit(&w->seq, memory_order_relaxed) == s)
            return sl__cclock_convert(c, cyc0, ns0, mult);
    }
}

#endif
