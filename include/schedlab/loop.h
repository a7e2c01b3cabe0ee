/*
 * Loop.h - the door of src/loop/: coroutines on one event loop.
 */
#ifndef SCHEDLAB_LOOP_H
#define SCHEDLAB_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "schedlab/coro.h"
#include "schedlab/trace.h"
#include "schedlab/net.h"
#include "schedlab/shared.h"

/*
 * The asyncio-like coroutine scheduler, shared by the
 * coroutines strategy and the three hybrids built on it.
 *
 * One libuv loop on the calling thread, one stackful coroutine per task, a
 * FIFO ready queue, io through the event-loop HTTP client, sleep through uv
 * timers. What differs between the strategies is only where a cpu step
 * runs (inline on the loop, on an executor thread, in a child process) and
 * which tasks the loop owns (all of them, or one worker process's share):
 * both are options, so the loop itself exists once.
 *
 * A cpu offloader runs inside the coroutine: it starts the work, calls
 * sl_sched_block (BLOCK(child)) then sl_sched_suspend and, when a loop callback learns the
 * work ended, sl_sched_wake puts the coroutine back in line.
 */
/* Vehicle ids of coroutines: apart from pids and tids. A task index is
 * unique across processes too, so async+procs keeps the same numbering. */
#define SL_CORO_VEHICLE SL_VEHICLE_COROUTINE

typedef struct sl_sched sl_sched;

typedef struct sl_co_task {
    sl_sched *s;
    sl_coro *co;             /* NULL before creation and after its exit */
    uint32_t task;           /* index in the scenario */
    uint32_t step;           /* step being executed (RUN's arg) */
    struct sl_co_task *next; /* ready-queue link */
    bool finished;           /* EXIT emitted */
    bool waiting;            /* awaiting io, a timer or an offload: a callback will queue it */
    bool timer_used;         /* `timer` was initialised and must be closed */
    uv_timer_t timer;        /* sleep steps */
    int err;                 /* task outcome: 0, SL_EINTR (cancelled) or SL_E* */
    char why[160];           /* failure sentence */
    int wait_status;         /* io: transfer outcome */
    char wait_why[128];      /* io: the client's sentence on failure */
} sl_co_task;

/* Runs a cpu step of t (step `index`) from inside its coroutine. Returns 0,
 * SL_EINTR when a stop cut it short, or SL_E* with a sentence in t->why. */
typedef int (*sl_sched_cpu_fn)(sl_co_task *t, uint32_t index, const sl_step *step);
/* A hook on the whole scheduler (see sl_sched_opts). */
typedef void (*sl_sched_fn)(sl_sched *s);

typedef struct sl_sched_opts {
    const uint32_t *tasks;   /* the tasks this loop runs, in queue order; NULL: all */
    uint32_t n_tasks;        /* entries of `tasks` */
    bool no_spawn;           /* SPAWN was already emitted (by a parent process) */
    uint32_t switch_vehicle; /* vehicle of SWITCH events; 0: the coroutine's own */
    sl_sched_cpu_fn cpu;     /* where cpu steps run; NULL: inline, holding the loop */
    sl_sched_cpu_fn wait;    /* where io, get and sleep steps run; NULL: awaited on the loop */
    sl_sched_fn start;       /* once the loop exists, before any coroutine runs */
    /* On stop, before pending tasks are cancelled: ends every offloaded
     * piece of work (its events must precede the tasks' EXIT). */
    sl_sched_fn drain;
    sl_sched_fn close;              /* closes the offloader's handles (loop still open) */
    void *user;                     /* the offloader's state */
    _Atomic uint32_t *done_states;  /* if set: SL_TASK_DONE stored after each EXIT */
    _Atomic uint32_t *running_slot; /* if set: the task on the loop now, or SL_NO_TASK */
} sl_sched_opts;

struct sl_sched {
    sl_run_ctx *ctx;
    const sl_sched_opts *o;
    uv_loop_t loop;
    sl_net_loop_client *net; /* NULL if no step needs it or it failed */
    char net_why[128];       /* why there is no client */
    sl_co_task *tasks;       /* indexed by task; only the owned ones are used */
    uint32_t *order;         /* owned task indices */
    uint32_t n_owned;
    sl_co_task *head, *tail; /* the ready queue, FIFO */
    uint32_t live;           /* owned tasks not yet exited */
    uint32_t last;           /* task resumed last, for SWITCH's from */
    uv_timer_t stop_watch;   /* wakes an idle loop so a stop is seen */
    void *user;              /* o->user */
};

/* Runs the owned tasks on a loop on the calling thread, which must already
 * be bound to a ring (sl_hook_bind). Fills ctx->result with outcomes, the
 * loop thread's CPU time and switches, coroutines created. 0 or SL_E*. */
/* Binds the calling thread, the loop's, to a ring of its own (a scheduler is
 * one producer). The thread stays bound afterwards: it remains the ring's
 * only producer, so the runner's closing marks may land there too. 0, or
 * SL_ELIMIT when no ring is left (every task then counts as cancelled). */
int sl_sched_bind_ring(sl_run_ctx *ctx);
int sl_sched_run(sl_run_ctx *ctx, const sl_sched_opts *o);

/* Inside a coroutine: emits BLOCK(reason, arg = expected ns) and marks it
 * waiting. Start the work it waits for only after this, so that a vehicle
 * on another core never reports it running before it blocked. */
void sl_sched_block(sl_co_task *t, sl_wait_reason reason, uint64_t expected_ns);
/* Inside a coroutine: gives the loop back until sl_sched_wake queues it. */
void sl_sched_suspend(sl_co_task *t);

/* From a loop callback: a wait ended. Emits WAKE(reason) if `emit_wake`
 * (false when the vehicle that did the work already emitted it), then
 * READY(loop) and queues the coroutine. A task cancelled meanwhile is left
 * alone. */
void sl_sched_wake(sl_co_task *t, sl_wait_reason reason, bool emit_wake);

/* True once the run was asked to stop. */
bool sl_sched_stopped(const sl_sched *s);

/* The vehicle id of a task's coroutine. */
static inline uint32_t sl_coro_vehicle(uint32_t task)
{
    return SL_CORO_VEHICLE | task;
}

#endif
