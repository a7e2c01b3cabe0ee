/*
 * steal-body.c - inside a task's coroutine: its steps, on whichever worker
 * runs it at the moment.
 *
 *   cpu          inline on the worker: this worker is busy, the others go on
 *   io, get      BLOCK(io), then the worker hands it to the poller
 *   sleep        BLOCK(sleep), the same with a poller timer
 *   yield        YIELD, back to the tail of its worker's queue
 *   put, take,   the run's shared objects: a wait parks the coroutine, the
 *   lock, unlock task whose step lets it go on WAKEs it into its own
 *   inc          worker's run-next slot; an inc's window is real, so two
 *                workers can lose updates, as goroutines without a mutex
 *
 * A coroutine never makes itself visible to another thread: it says what
 * should happen (t->after) and yields; its worker does it once the
 * coroutine is off its stack. Code here may resume on another thread than
 * the one it yielded on, so nothing thread-local is kept across a yield.
 */
#include <stdio.h>

#include "schedlab/error.h"
#include "schedlab/work.h"
#include "steal/steal-internal.h"

static bool keep_going(void *arg)
{
    return !sl_stopped(arg);
}

/* Gives the worker back; `after` says what it does with this coroutine. */
static void yield_for(ws_task *t, ws_after after)
{
    t->after = after;
    sl_coro_yield(t->co);
}

static int step_poll(ws_task *t, const sl_step *step)
{
    ws_sched *s = t->s;
    const sl_run_ctx *ctx = s->ctx;
    if (step->kind == SL_STEP_SLEEP) {
        t->wait = SL_WAIT_SLEEP;
        t->wait_ns = step->ns;
        ws_emit(SL_EV_BLOCK, t->task, SL_WAIT_SLEEP, step->ns);
        yield_for(t, WS_AFTER_POLL);
        return 0;
    }
    if (step->kind == SL_STEP_GET) {
        t->url = step->url;
    } else {
        sl_net_io_url_for(t->io_url, sizeof(t->io_url), ctx->net_port, t->task, step->ns, step->n);
        t->url = t->io_url;
    }
    if (s->poller.net == NULL) {
        snprintf(t->why, sizeof(t->why), "GET %.90s: %.60s", t->url, s->poller.net_why);
        return SL_ENET;
    }
    t->wait = SL_WAIT_IO;
    t->wait_status = 0;
    ws_emit(SL_EV_BLOCK, t->task, SL_WAIT_IO, step->kind == SL_STEP_IO ? step->ns : 0);
    yield_for(t, WS_AFTER_POLL);
    if (t->wait_status < 0) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", t->url,
                 t->wait_why[0] ? t->wait_why : sl_strerror(t->wait_status));
        return t->wait_status;
    }
    return 0;
}

/* ---- the shared objects' hooks ---- */

typedef struct ws_hooks {
    ws_sched *s;
    ws_task *t;    /* the coroutine running the step; NULL at a task's end */
    ws_worker *by; /* at a task's end: the worker ending it (NULL: the run thread) */
} ws_hooks;

static void h_block(void *arg, uint32_t task, sl_wait_reason reason)
{
    ws_hooks *h = arg;
    ws_emit(SL_EV_BLOCK, task, reason, 0);
    h->t->waiting = true;
}

/* WAKE came from the task that let this one go, RUN from its next resume. */
static void h_wake(void *arg, uint32_t task, sl_wait_reason reason) {}

static bool h_poll(void *arg)
{
    ws_hooks *h = arg;
    return !sl_stopped(h->s->ctx);
}

/* Called with the region's mutex held, returns with it held; in between
 * the worker parks the coroutine (see WS_SH_* for a wake that comes
 * first). */
static void h_sleep(void *arg, sl_shared *sh, uint32_t task)
{
    ws_hooks *h = arg;
    sl_shared_leave(sh);
    yield_for(h->t, WS_AFTER_SHARED);
    sl_shared_enter(sh);
}

/* With the mutex held: a waiter may go on. It goes to the run-next slot of
 * the worker whose task let it go, as Go's ready() does. */
static void h_ready(void *arg, uint32_t task, sl_wait_reason reason)
{
    ws_hooks *h = arg;
    ws_sched *s = h->s;
    if (task >= s->ctx->sc->n_tasks || sl_stopped(s->ctx))
        return;
    ws_task *w = &s->tasks[task];
    if (!w->waiting || w->finished)
        return;
    w->waiting = false;
    ws_emit(SL_EV_WAKE, task, reason, 0);
    for (;;) {
        unsigned parked = WS_SH_PARKED, running = WS_SH_RUNNING;
        if (atomic_compare_exchange_strong(&w->parking, &parked, WS_SH_RUNNING))
            break; /* off its stack: queue it here */
        if (atomic_compare_exchange_strong(&w->parking, &running, WS_SH_WOKEN))
            return; /* still on its worker, which queues it */
    }
    ws_worker *by = h->t != NULL ? &s->workers[h->t->worker] : h->by;
    sl__ws_ready(s, w, by, by != NULL, true);
}

static sl_shared_hooks hooks_for(ws_hooks *h)
{
    return (sl_shared_hooks){.block = h_block,
                             .wake = h_wake,
                             .poll = h_poll,
                             .sleep = h_sleep,
                             .ready = h_ready,
                             .arg = h};
}

void sl__ws_shared_end(ws_sched *s, ws_task *t, ws_worker *by)
{
    ws_hooks h = {.s = s, .t = NULL, .by = by};
    sl_shared_hooks hooks = hooks_for(&h);
    sl_shared_task_end_with(s->ctx->shared, t->task, &hooks);
}

static int step_exec(ws_task *t, uint32_t index, const sl_step *step)
{
    const sl_run_ctx *ctx = t->s->ctx;
    ws_emit(SL_EV_STEP, t->task, step->kind, index);
    switch (step->kind) {
    case SL_STEP_CPU:
    case SL_STEP_CPU_SUMSQ: {
        uint64_t amount = step->kind == SL_STEP_CPU ? step->ns : step->n, sum;
        bool done =
            sl_work_run(step->kind, amount, SL_STOP_SLICE_NS, keep_going, (void *)ctx, &sum);
        return done ? 0 : SL_EINTR;
    }
    case SL_STEP_IO:
    case SL_STEP_GET:
    case SL_STEP_SLEEP:
        return step_poll(t, step);
    case SL_STEP_YIELD:
        ws_emit(SL_EV_YIELD, t->task, 0, 0);
        yield_for(t, WS_AFTER_YIELD);
        return 0;
    case SL_STEP_PUT:
    case SL_STEP_TAKE:
    case SL_STEP_INC:
    case SL_STEP_LOCK:
    case SL_STEP_UNLOCK: {
        ws_hooks h = {.s = t->s, .t = t};
        sl_shared_hooks hooks = hooks_for(&h);
        return sl_shared_step(ctx->shared, ctx, t->task, step, &hooks, t->why, sizeof(t->why));
    }
    default:
        snprintf(t->why, sizeof(t->why), "unknown step kind %u (scenario line %u)", step->kind,
                 step->line);
        return SL_EINVAL;
    }
}

void sl__ws_body(sl_coro *co, void *arg)
{
    ws_task *t = arg;
    const sl_run_ctx *ctx = t->s->ctx;
    const sl_step *steps = sl_task_steps(ctx->sc, t->task);
    uint32_t n = ctx->sc->tasks[t->task].n_steps;
    sl_shared_task_start(ctx->shared, t->task);
    for (uint32_t i = 0; i < n && t->err == 0; i++) {
        if (sl_stopped(ctx)) {
            t->err = SL_EINTR;
            break;
        }
        t->step = i;
        t->err = step_exec(t, i, &steps[i]);
    }
}
