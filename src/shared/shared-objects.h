/*
 * shared-objects.h - the queues, counters and locks a run's tasks share,
 * laid out in one flat region that threads and worker processes map alike.
 *
 * One implementation serves every blocking vehicle: the region holds a
 * process-shared, robust mutex, a process-shared condition variable per
 * wait list and plain offsets instead of pointers, so it works the same in
 * a malloc'd block (threads) and in the run's memfd blob (processes), and
 * a worker killed while holding the mutex cannot hang the others.
 *
 *   queue     bounded FIFO of items (an item is the producing task's index);
 *             put waits while it is full, take while it is empty
 *   counter   a uint64 incremented WITHOUT synchronisation: read, spend the
 *             counter's window busy, write back read + 1, so parallel
 *             vehicles lose updates for real
 *   lock      held by a task; lock waits while another task holds it
 *
 * Waiters are served in FIFO order (a newcomer never overtakes a waiter),
 * and the region counts the tasks running and waiting, so a run where every
 * task that could make progress waits on a queue or lock is a stall: the
 * waiting tasks fail with a sentence instead of hanging the run.
 */
#ifndef SL_STRATEGY_SHARED_OBJECTS_H
#define SL_STRATEGY_SHARED_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/event.h"
#include "schedlab/scenario.h"
#include "schedlab/strategy.h"

typedef struct sl__shared sl__shared;

/* How the run's vehicles take tasks: decides what a stall means and how the
 * failure sentence explains it. */
typedef enum sl__shared_mode {
    SL__SHARED_SEQUENTIAL = 0, /* one task at a time: any wait is forever */
    SL__SHARED_POOL,           /* `slots` vehicles take tasks from a backlog */
    SL__SHARED_PER_TASK,       /* every task has (or will have) its own vehicle */
} sl__shared_mode;

/* What a vehicle does around a wait and during an inc's window. */
typedef struct sl__shared_hooks {
    /* The task must wait: emit BLOCK(reason) (the GIL is released here).
     * Called with the region's mutex held: take no lock but the GIL's. */
    void (*block)(void *arg, uint32_t task, sl_wait_reason reason);
    /* The wait is over (served, stalled or stopped): emit WAKE and RUN (the
     * GIL strategy queues for the GIL first). Called without the mutex. */
    void (*wake)(void *arg, uint32_t task, sl_wait_reason reason);
    /* Polled while an inc spends its window and between increments (the GIL
     * strategy lets a waiter have the GIL here); false stops the step. */
    bool (*poll)(void *arg);
    /* Optional, for vehicles that cannot sleep on a condition variable
     * (coroutines): gives the vehicle up until `ready` names this task;
     * called and returns with the mutex held. NULL: a timed condition wait. */
    void (*sleep)(void *arg, sl__shared *sh, uint32_t task);
    /* Optional: waiting task `task` may go on now (its turn came, or a stall
     * doomed it). Called with the mutex held, possibly for a task of another
     * vehicle of the same scheduler, or for one not asleep yet. */
    void (*ready)(void *arg, uint32_t task, sl_wait_reason reason);
    void *arg;
} sl__shared_hooks;

/* Bytes of the region for `sc`; 0 when it declares no queue, counter or lock. */
size_t sl__shared_size(const sl_scenario *sc);

/* Lays the region out in mem[size] (64-byte aligned) for sc's objects and
 * tasks, `slots` vehicles taking tasks in `mode`. 0 or SL_EINVAL (too small)
 * or SL_ENOMEM (a mutex or condition variable could not be set up). */
int sl__shared_init(void *mem, size_t size, const sl_scenario *sc, uint32_t slots,
                    sl__shared_mode mode, sl__shared **out);
/* Changes how many vehicles take tasks, and how (before any task starts). */
void sl__shared_set_slots(sl__shared *sh, uint32_t slots, sl__shared_mode mode);
/* Marks a region whose coroutine waiters may be in several processes'
 * loops (async+procs): they poll instead of waiting to be told. */
void sl__shared_set_polled(sl__shared *sh);
/* Checks a region found by a worker process: 0 or SL_ECORRUPT. */
int sl__shared_check(const void *mem, size_t size);
/* Destroys the mutex and condition variables (every vehicle is gone). */
void sl__shared_destroy(sl__shared *sh);

/* For the strategies whose vehicles are threads: a malloc'd region set as
 * ctx->shared (left NULL when the scenario needs none). 0 or SL_ENOMEM. */
int sl__shared_create(sl_run_ctx *ctx, uint32_t slots, sl__shared_mode mode);
/* Reports the counters into ctx->result, destroys and frees the region of
 * sl__shared_create. */
void sl__shared_free(sl_run_ctx *ctx);

/* Copies every counter's name, increments performed and final value into
 * res (the race report). */
void sl__shared_report(sl__shared *sh, sl_run_result *res);

/* A task starts running on a vehicle (after its first RUN). */
void sl__shared_task_start(sl__shared *sh, uint32_t task);
/* A task ends, however (done, failed, cancelled, its worker died): releases
 * the locks it still holds, leaves any wait list, and fails the waiters if
 * nothing else can now make progress. */
void sl__shared_task_end(sl__shared *sh, uint32_t task);
/* Same, telling `h->ready` about the waiters the end lets go on. */
void sl__shared_task_end_with(sl__shared *sh, uint32_t task, const sl__shared_hooks *h);

/* Executes a put, take, inc, lock or unlock step of `task`. The caller has
 * emitted STEP. Returns 0; SL_EINTR when ctx->stop cut it short; SL_ESTATE
 * with a sentence in why when the wait could never end (a stall) or the
 * step is impossible. */
int sl__shared_step(sl__shared *sh, const sl_run_ctx *ctx, uint32_t task, const sl_step *step,
                    const sl__shared_hooks *h, char *why, size_t why_size);

/* Counter i's value and increments performed so far (tests, reports). */
uint64_t sl__shared_counter(sl__shared *sh, uint32_t i, uint64_t *done);

#endif
