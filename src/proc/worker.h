/*
 * worker.h - what the roles of `schedlab __worker` share (worker.c parses
 * the arguments and dispatches; worker-cpu.c is the cpu role).
 */
#ifndef SL_STRATEGY_WORKER_H
#define SL_STRATEGY_WORKER_H

#include <stdatomic.h>
#include <stdint.h>

enum { WORKER_OK = 0, WORKER_USAGE = 2, WORKER_SETUP = 3 };

typedef struct sl__worker_args {
    int fd;           /* the rings' memfd */
    const char *role; /* task, pool, loop or cpu */
    long index;       /* task (task, cpu) or worker slot (pool, loop) */
    long parent;      /* the parent's pid, checked against getppid; 0: unchecked */
    long ring;        /* ring to produce into; -1: claim one */
    long step;        /* cpu: step index (RUN's arg) */
    long kind;        /* cpu: SL_STEP_CPU or SL_STEP_CPU_SUMSQ */
    uint64_t amount;  /* cpu: ns (cpu) or n (cpu-sumsq); UINT64_MAX: not given */
    double rate;      /* cpu: the parent's calibration; 0: calibrate here */
} sl__worker_args;

/* Set by SIGTERM: the worker's ctx->stop. */
extern atomic_int sl__worker_stop;

/* The cpu role: RUN for the task on ring R, the whole computation (a stop
 * kills it: SIGTERM keeps its default action), then one line on stdout,
 * "sum=S cpu_ns=C rss_kb=R vol=V invol=I" (its own usage; RSS is VmHWM).
 * Returns the exit code: WORKER_OK or WORKER_SETUP. */
int sl__worker_cpu(const sl__worker_args *a);

#endif
