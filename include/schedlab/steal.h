/*
 * steal.h - the door of src/steal/: coroutines on N worker threads with
 * work stealing, as Go's scheduler and tokio's multi-threaded runtime run
 * them.
 *
 * Every worker thread has a bounded local ready queue and a run-next slot
 * (the task it just woke runs next); a global queue takes the spawns and
 * what a full local queue spills. A worker with nothing to run takes from
 * its run-next slot, its queue, the global queue (a batch, Go's share:
 * len / workers + 1), steals half of another worker's queue, and only then
 * parks; a parked worker is woken when work appears. A coroutine resumes on
 * whichever worker took it (a migration when that is not the one it last
 * ran on). io and sleep steps go through one shared poller thread (libcurl
 * multi and uv timers on its own libuv loop, as Go's netpoller), which hands
 * each woken task back to the queue of the worker it last ran on.
 *
 * No GIL: the runtime modelled is Go's or tokio's, not CPython's.
 */
#ifndef SCHEDLAB_STEAL_H
#define SCHEDLAB_STEAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedlab/shared.h"

/* Tasks a worker's local ready queue holds (Go: 256); more spill to the
 * global queue. */
#define SL_RUNQ_CAP 256u
/* Most worker threads of one run. */
#define SL_STEAL_MAX_WORKERS 64u

/* A worker's local ready queue: a ring of task indices plus the run-next
 * slot. Any thread may touch it under its mutex (owner, thieves, the
 * poller); `size` lets a thief or a parking worker look without the lock. */
typedef struct sl_runq {
    pthread_mutex_t lock;
    uint32_t head, tail; /* [head, tail) queued, modulo SL_RUNQ_CAP */
    uint32_t next;       /* run-next slot, or SL_NO_TASK */
    _Atomic uint32_t size;
    uint32_t slot[SL_RUNQ_CAP];
} sl_runq;

/* Called under the queue's lock, so that what it emits is in the trace
 * before anyone can take the tasks again: `task` entered the queue, or
 * tasks[0..n) left it for a thief. May be NULL. */
typedef void (*sl_runq_note)(void *arg, const uint32_t *tasks, uint32_t n);

void sl_runq_init(sl_runq *q);
void sl_runq_destroy(sl_runq *q);
/* Queues `task` at the tail; false (nothing changed) when the ring is full. */
bool sl_runq_push(sl_runq *q, uint32_t task, sl_runq_note note, void *arg);
/* Puts `task` in the run-next slot; the task it displaced goes to the tail
 * of the ring, or, when the ring is full, is returned (else SL_NO_TASK) for
 * the caller to queue elsewhere. */
uint32_t sl_runq_put_next(sl_runq *q, uint32_t task, sl_runq_note note, void *arg);
/* The run-next task, else the head of the ring, else SL_NO_TASK. */
uint32_t sl_runq_pop(sl_runq *q);
/* Takes the older half (rounded up) of the ring into out[] (SL_RUNQ_CAP
 * entries), or the run-next task when the ring is empty; returns how many. */
uint32_t sl_runq_take_half(sl_runq *q, uint32_t *out, sl_runq_note note, void *arg);
/* Tasks in the ring and the slot (a lock-free peek). */
uint32_t sl_runq_len(sl_runq *q);

/* Runs every task of ctx->sc as a coroutine on ctx->workers worker threads
 * (0: one per core) with their own rings, plus one poller thread with its
 * ring; the calling thread (bound to a ring already) spawns, waits and
 * cancels what a stop leaves. Fills ctx->result. 0 or SL_E*. */
int sl_steal_run(sl_run_ctx *ctx);
/* For `schedlab bench`: the mean ns from queueing a task for a parked
 * worker (sl_runq push and its wake-up) to that worker popping it, over
 * `rounds`, on the scheduler's own park and wake code; -1 if no thread. */
double sl_steal_bench_wake_ns(uint32_t rounds);
/* The worker threads sl_steal_run starts for ctx. */
uint32_t sl_steal_workers(const sl_run_ctx *ctx);

#endif
