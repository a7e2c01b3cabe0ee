/*
 * work.h - the real computation that cpu steps perform.
 *
 * `cpu <duration>` burns a dependency chain of integer arithmetic whose
 * iteration rate is calibrated once at start-up; `cpu-sumsq <n>` computes
 * exactly sum(i*i for i in range(n)). Both run in chunks so that a GIL
 * holder can check, between chunks, whether it must let go (CPython's eval
 * breaker), and neither can be folded into a closed form by the compiler.
 */
#ifndef SCHEDLAB_WORK_H
#define SCHEDLAB_WORK_H

#include <stdbool.h>
#include <stdint.h>

/* Measures iterations per microsecond of sl_work_burn (about 50 ms of
 * thread CPU time), and the sum of squares' rate used to slice cpu-sumsq
 * steps (10 ms more). Idempotent and thread-safe: later calls return the
 * first result, or the value set by sl_work_set_iters_per_us before. */
double sl_work_calibrate(void);
/* The calibration, or 0 before sl_work_calibrate(). */
double sl_work_iters_per_us(void);
/* Sets the calibration (a worker process inherits its parent's). */
void sl_work_set_iters_per_us(double v);
/* Iterations that take `ns` on this machine. */
uint64_t sl_work_iters_for_ns(uint64_t ns);

/* Runs `iters` iterations of the burn loop starting from `seed`; returns a
 * value that depends on every iteration. */
uint64_t sl_work_burn(uint64_t iters, uint64_t seed);

/* Resumable sum of squares: adds i*i for i in [from, to) to *acc (mod 2^128
 * is not needed: the lessons' n keep the sum within 2^64 up to n = 2.6e6;
 * beyond that it wraps, as the value is only a checksum). */
void sl_work_sumsq(uint64_t from, uint64_t to, uint64_t *acc);

/* A cpu step split into slices: calls `keep_going(arg)` between slices of
 * about `slice_ns`; stops early (returns false) if it returns false.
 * `kind` is SL_STEP_CPU (amount = ns) or SL_STEP_CPU_SUMSQ (amount = n). */
typedef bool (*sl_work_check_fn)(void *arg);
bool sl_work_run(int kind, uint64_t amount, uint64_t slice_ns, sl_work_check_fn keep_going,
                 void *arg, uint64_t *result);

#endif
