/*
 * os-switches.h - the kernel's context switches, as perf_event records.
 *
 * Where the kernel permits it (CAP_PERFMON or CAP_SYS_ADMIN, or
 * perf_event_paranoid <= 0), one perf event per CPU reports every context
 * switch on that CPU with its time, its CPU, the task going out and whether
 * it was preempted (still runnable: an involuntary switch) or gave the CPU
 * up (a voluntary one). The kernel sampler (os-sampler.c) uses them to
 * count each vehicle's switches exactly and to know its core; without them
 * it falls back to getrusage counts and /proc reads, and the report names
 * which source it used.
 */
#ifndef SL_TRACE_OS_SWITCHES_H
#define SL_TRACE_OS_SWITCHES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sl__switches sl__switches;

/* One context switch as one task saw it. */
typedef struct sl__switch {
    uint64_t t_ns; /* CLOCK_MONOTONIC */
    int tid;       /* the task switched in or out */
    uint16_t cpu;
    bool out;     /* switched out (else in) */
    bool preempt; /* out while still runnable: involuntary */
} sl__switch;

typedef void (*sl__switch_fn)(void *arg, const sl__switch *sw);

/* Opens one switch event per online CPU. 0, or SL_ENOTSUP when the kernel
 * refuses (not permitted, or no perf events), SL_ENOMEM. */
int sl__switches_open(sl__switches **out);
/* Calls fn for every switch recorded since the last drain, CPU by CPU.
 * Not thread-safe: one drainer. */
void sl__switches_drain(sl__switches *w, sl__switch_fn fn, void *arg);
void sl__switches_close(sl__switches *w);

#endif
