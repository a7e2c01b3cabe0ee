/*
 * steal-internal.h - what the files of src/steal/ share: the scheduler, its
 * workers, its tasks and the poller, and the calls between them.
 *
 *   steal-sched.c   the run: spawn, workers' find-work loop, resume, exit
 *   steal-wake.c    putting a task in a queue, parking and waking workers
 *   steal-global.c  the global queue
 *   steal-body.c    inside a coroutine: the steps, shared-object hooks
 *   steal-poller.c  the one poller thread: io and timers on a libuv loop
 */
#ifndef SL_STEAL_INTERNAL_H
#define SL_STEAL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "schedlab/coro.h"
#include "schedlab/net.h"
#include "schedlab/shared.h"
#include "schedlab/steal.h"
#include "schedlab/trace.h"

/* What a worker does with a coroutine once it is off the coroutine's
 * stack: only then may another thread see it (Go's gopark unlockf). */
typedef enum ws_after {
    WS_AFTER_NONE = 0, /* it ran to its end, or a step failed before waiting */
    WS_AFTER_YIELD,    /* `yield`: back to the tail of this worker's queue */
    WS_AFTER_POLL,     /* io or sleep: hand it to the poller */
    WS_AFTER_SHARED,   /* waits on a shared object: park it, unless woken meanwhile */
} ws_after;

/* A coroutine waiting on a shared object lets the region's mutex go itself
 * (the mutex belongs to whoever locked it), so a waker may find it woken
 * before it is off its stack. Who queues it is settled by one CAS: */
enum {
    WS_SH_RUNNING = 0, /* on its worker (or queued): nothing to settle */
    WS_SH_PARKED,      /* off its stack, waiting: the waker queues it */
    WS_SH_WOKEN,       /* woken before it was off its stack: its worker queues it */
};

typedef struct ws_sched ws_sched;

typedef struct ws_task {
    ws_sched *s;
    sl_coro *co;               /* created when first run, destroyed at exit */
    uint32_t task;             /* index in the scenario */
    uint32_t step;             /* step being executed (RUN's arg) */
    uint32_t worker;           /* worker running it, or that ran it last; SL_NO_TASK before */
    atomic_bool resumed;       /* on a worker now: a second resume is a scheduler bug */
    bool finished;             /* EXIT emitted */
    bool waiting;              /* asleep on a shared object (under the region's mutex) */
    atomic_uint parking;       /* WS_SH_*: whether the waker or the worker queues it */
    ws_after after;            /* set by the coroutine before it yields */
    sl_wait_reason wait;       /* io or sleep, for the poller */
    uint64_t wait_ns;          /* sleep length */
    const char *url;           /* io or get: what the poller fetches */
    char io_url[128];          /* an io step's URL (url points here) */
    struct ws_task *poll_next; /* the poller's submission list */
    bool timer_used;           /* poller thread only */
    uv_timer_t timer;
    int err;         /* outcome: 0, SL_EINTR or SL_E* */
    char why[160];   /* failure sentence */
    int wait_status; /* io: the transfer's outcome */
    char wait_why[128];
} ws_task;

typedef struct ws_worker {
    ws_sched *s;
    uint32_t id;
    pthread_t thread;
    bool started;
    sl_ring *ring;
    sl_runq q;
    pthread_cond_t wake; /* waited on with s->idle_lock */
    bool parked;         /* under s->idle_lock */
    uint32_t last;       /* task resumed last: SWITCH's from */
    uint32_t tick;       /* tasks scheduled: every 61st looks at the global queue first */
    uint64_t seed;       /* victim order */
    uint32_t buf[SL_RUNQ_CAP];
} ws_worker;

typedef struct ws_global {
    pthread_mutex_t lock;
    uint32_t *slot; /* a ring of n_tasks: a task is in at most one queue */
    uint32_t cap, head, tail;
    atomic_uint size;
} ws_global;

typedef struct ws_poller {
    uv_loop_t loop;
    uv_async_t async;
    pthread_t thread;
    bool started;
    sl_ring *ring;
    pthread_mutex_t lock; /* guards the list and quit */
    ws_task *head, *tail;
    bool quit;
    sl_net_loop_client *net; /* NULL when no step needs it or it failed */
    char net_why[128];
} ws_poller;

struct ws_sched {
    sl_run_ctx *ctx;
    uint32_t n_workers;
    ws_worker *workers;
    ws_task *tasks;
    ws_global global;
    pthread_mutex_t idle_lock;
    atomic_uint n_idle;
    atomic_uint live; /* tasks not exited */
    atomic_bool done; /* every task exited */
    ws_poller poller;
    atomic_uint double_resumes;
};

static inline void ws_emit(sl_event_kind kind, uint32_t task, uint32_t reason, uint64_t arg)
{
    sl_hook_emit_v(kind, task, SL_VEHICLE_COROUTINE | task, reason, arg);
}


/* steal-global.c */
int sl__ws_global_init(ws_global *g, uint32_t cap);
void sl__ws_global_free(ws_global *g);
/* Queues task at the tail with READY(loop, global), under the lock. */
void sl__ws_global_push(ws_sched *s, uint32_t task);
/* Takes Go's share for worker w: up to len / workers + 1 (at most max),
 * the first returned to run now, the rest moved to w's queue with
 * READY(loop, w). SL_NO_TASK when empty. */
uint32_t sl__ws_global_take(ws_sched *s, ws_worker *w, uint32_t max);

/* steal-wake.c */
/* True once every task exited or the run was asked to stop. */
bool sl__ws_over(ws_sched *s);
/* A task may run again: into by's queue (run-next slot if `next`), or,
 * from the poller (by NULL), into the queue of the worker it last ran on;
 * the global queue when that is full or it never ran. Then a parked worker
 * is woken if `wake`. */
void sl__ws_ready(ws_sched *s, ws_task *t, ws_worker *by, bool next, bool wake);
/* Steals half of another worker's queue into w's; the task to run now or
 * SL_NO_TASK. */
uint32_t sl__ws_steal(ws_sched *s, ws_worker *w);
/* Parks w until work appears somewhere, the run ends, or a short timeout
 * (a stop is noticed). PARK .. UNPARK. */
void sl__ws_park(ws_sched *s, ws_worker *w);
/* Wakes every parked worker (the run is over). */
void sl__ws_wake_all(ws_sched *s);

/* steal-body.c */
void sl__ws_body(sl_coro *co, void *arg);
/* Task t is ending, from worker `by` (NULL: the run thread): frees its
 * shared objects and readies the waiters that lets go on. */
void sl__ws_shared_end(ws_sched *s, ws_task *t, ws_worker *by);

/* steal-poller.c */
int sl__ws_poller_start(ws_sched *s);
void sl__ws_poller_submit(ws_sched *s, ws_task *t);
/* Abandons transfers and timers in flight, joins the thread. */
void sl__ws_poller_stop(ws_sched *s);

#endif
