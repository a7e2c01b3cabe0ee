/*
 * coro-shared.c - the shared-objects region driven by coroutines (see
 * coro-shared.h).
 *
 * The region's wait logic is the one threads use (shared-steps.c); only the
 * hooks differ. Sleeping is sl_sched_suspend with the region's mutex let
 * go (a coroutine destroyed by a stop while it waits holds nothing), and
 * waking is the `ready` hook: whenever a change lets the head of a wait
 * list go on, or a stall dooms a waiter, the region names the task and it
 * goes to the loop's ready queue with WAKE. The scheduler's resume then
 * emits its RUN, so a coroutine's wait reads BLOCK .. WAKE, READY, RUN.
 *
 * All the coroutines of a loop run on its one thread, so the mutex is only
 * contended when loops in several processes share the region (async+procs).
 * There the task that lets a waiter go on may run in another process, whose
 * `ready` hook cannot reach this loop: a waiter then also polls the region
 * every POLL_MS on its own timer, and queues itself once it may go on.
 */
#include <stdio.h>

#include <uv.h>

#include "schedlab/error.h"
#include "loop/coro-shared.h"
#include "schedlab/shared.h"

/* How often a waiter looks at a region shared with other processes. */
#define POLL_MS 2

/* What the hooks need: the scheduler, and the coroutine that runs the step
 * (NULL when the scheduler itself ends a task). */
typedef struct co_hooks {
    sl_sched *s;
    sl_co_task *t;
} co_hooks;

static void co_block(void *arg, uint32_t task, sl_wait_reason reason)
{
    co_hooks *c = arg;
    sl_sched_block(c->t, reason, 0);
}

/* WAKE came from the coroutine that let this one go, RUN from the resume. */
static void co_wake(void *arg, uint32_t task, sl_wait_reason reason) {}

static bool co_poll(void *arg)
{
    co_hooks *c = arg;
    return !sl_sched_stopped(c->s);
}

/* A waiter's poll of a region shared across processes. */
static void on_poll(uv_timer_t *timer)
{
    sl_co_task *t = timer->data;
    sl_shared *sh = t->s->ctx->shared;
    sl_wait_reason reason;
    sl_shared_enter(sh);
    bool go = sl_shared_may_go(sh, t->task, &reason) || sl_sched_stopped(t->s);
    sl_shared_leave(sh);
    if (go && t->waiting && !t->finished) {
        uv_timer_stop(timer);
        sl_sched_wake(t, reason, true);
    }
}

static void co_sleep(void *arg, sl_shared *sh, uint32_t task)
{
    co_hooks *c = arg;
    sl_co_task *t = c->t;
    bool poll = sl_shared_polled(sh);
    if (poll) {
        /* the sleep steps' timer: a coroutine waits on one thing at a time */
        if (!t->timer_used) {
            uv_timer_init(&c->s->loop, &t->timer);
            t->timer_used = true;
        }
        t->timer.data = t;
        uv_timer_start(&t->timer, on_poll, POLL_MS, POLL_MS);
    }
    sl_shared_leave(sh);
    sl_sched_suspend(t);
    if (poll)
        uv_timer_stop(&t->timer);
    sl_shared_enter(sh);
}

/* Queues a waiting coroutine of this loop; others (not asleep yet, already
 * woken, owned by another loop) are left alone. */
static void co_ready(void *arg, uint32_t task, sl_wait_reason reason)
{
    co_hooks *c = arg;
    /* a stopping loop cancels its waiters where they stand */
    if (task >= c->s->ctx->sc->n_tasks || sl_sched_stopped(c->s))
        return;
    sl_co_task *w = &c->s->tasks[task];
    if (w->s != c->s || !w->waiting || w->finished)
        return;
    sl_sched_wake(w, reason, true);
}

static sl_shared_hooks hooks_for(co_hooks *c)
{
    return (sl_shared_hooks){.block = co_block,
                             .wake = co_wake,
                             .poll = co_poll,
                             .sleep = co_sleep,
                             .ready = co_ready,
                             .arg = c};
}

int sl__co_shared_open(sl_run_ctx *ctx, uint32_t n_tasks, bool *owned)
{
    *owned = false;
    if (ctx->shared != NULL)
        return 0;
    int err = sl_shared_create(ctx, n_tasks, SL_SHARED_PER_TASK);
    *owned = err == 0 && ctx->shared != NULL;
    return err;
}

void sl__co_shared_close(sl_run_ctx *ctx, bool owned)
{
    if (owned)
        sl_shared_free(ctx);
}

void sl__co_shared_start(sl_co_task *t)
{
    sl_shared_task_start(t->s->ctx->shared, t->task);
}

void sl__co_shared_end(sl_co_task *t)
{
    co_hooks c = {.s = t->s, .t = NULL};
    sl_shared_hooks h = hooks_for(&c);
    sl_shared_task_end_with(t->s->ctx->shared, t->task, &h);
}

int sl__co_shared_step(sl_co_task *t, uint32_t index, const sl_step *step)
{
    co_hooks c = {.s = t->s, .t = t};
    sl_shared_hooks h = hooks_for(&c);
    return sl_shared_step(t->s->ctx->shared, t->s->ctx, t->task, step, &h, t->why, sizeof(t->why));
}
