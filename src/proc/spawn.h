/*
 * spawn.h - starting worker processes and reaping them (process strategies).
 *
 * The start method is posix_spawn of the schedlab binary in worker mode,
 * never fork: the app has a collector thread, the latency server thread and
 * maybe a UI thread, and a forked child of a multi-threaded process may only
 * call async-signal-safe functions. Each child ends up with the rings' memfd
 * on fd 3, every other fd closed, default signal dispositions, an empty
 * signal mask and its own process group (a terminal's Ctrl-C reaches only
 * the app, which then stops its workers itself).
 *
 * Children are watched through pidfds (poll), reaped with wait4 for their
 * rusage, and never left as zombies.
 */
#ifndef SL_STRATEGY_SPAWN_H
#define SL_STRATEGY_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "schedlab/strategy.h"

/* One started worker process. */
typedef struct sl__child {
    pid_t pid;
    int pidfd;    /* -1 if pidfd_open failed: then polled with wait4(WNOHANG) */
    uint32_t tag; /* task (processes) or worker slot (procpool) */
    bool alive;   /* not reaped yet */
    bool termed;  /* sent SIGTERM by a stop */
} sl__child;

/* The children of one run. */
typedef struct sl__children {
    sl__child *v;
    uint32_t n, cap;
    uint32_t live;       /* started and not reaped yet */
    uint64_t kill_at_ns; /* stop: when SIGTERM'd children get SIGKILL (0: none) */
} sl__children;

/* Grace a stopped worker gets between SIGTERM and SIGKILL. */
#define SL__STOP_GRACE_NS 200000000ull

/* Starts `ctx->worker_exe __worker --fd 3 --role ROLE --index K --parent PID
 * [--ring R]` (R < 0: the worker claims a ring). Emits MARK VEHICLE_START
 * (vehicle = pid, arg = creation ns) and adds to n_vehicles and
 * vehicle_create_ns. Returns 0, SL_ELIMIT (the OS refused a process: EAGAIN,
 * ENOMEM, EMFILE…) or SL_ESPAWN, with a sentence in why. */
int sl__worker_spawn(sl_run_ctx *ctx, const char *role, uint32_t index, int ring, pid_t *pid,
                     char *why, size_t why_size);

/* The environment a worker starts with: this process's, plus
 * SL_WORKER_MARK_ENV=<pid> (built once; if memory ran out, `environ`
 * unmarked). */
char **sl__worker_environ(void);

/* Tracks a started child. 0 or SL_ENOMEM (then the child is killed and reaped). */
int sl__children_add(sl__children *cs, pid_t pid, uint32_t tag);

/* Waits up to timeout_ms for a child to end and reaps it: *which is its index
 * in cs->v, *status its wait status. Adds its rusage to ctx->result (cpu_ns,
 * voluntary, involuntary, peak_rss_kb), emits MARK VEHICLE_EXIT and removes
 * it from ctx->sampler. Returns 1 if one was reaped, 0 on timeout. */
int sl__children_wait(sl__children *cs, sl_run_ctx *ctx, int timeout_ms, uint32_t *which,
                      int *status);

/* Stops every live child: SIGTERM now, SIGKILL once the grace has passed.
 * Call it on every loop turn after a stop was requested. */
void sl__children_stop(sl__children *cs);

/* Frees the tracking (every child must have been reaped). */
void sl__children_free(sl__children *cs);

struct sl__worker_slot;
/* Tells the kernel sampler which task each live worker carries now, from
 * the workers' slots in the blob (indexed by child tag); `shown` remembers
 * what it was last told, per slot, so unchanged workers cost nothing. */
void sl__children_show_tasks(const sl__children *cs, sl_os_sampler *sampler,
                             struct sl__worker_slot *slots, uint32_t *shown);

/* "killed by signal 9 (SIGKILL)" or "exited with status 3". */
void sl__status_describe(int status, char *buf, size_t size);

/* Emits the EXIT of a task whose vehicle died without emitting it, on the
 * runner's ring with vehicle = pid, counts it in ctx->result and, when
 * failed, records "task NAME: worker pid P <what>" in result->failures. */
void sl__exit_for_dead(sl_run_ctx *ctx, uint32_t task, pid_t pid, int status, bool stopped);

#endif
