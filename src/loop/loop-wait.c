/*
 * loop-wait.c - a coroutine's waits on its loop: the ready queue's tail,
 * BLOCK, giving the loop back, and the WAKE that queues it again; and the
 * loop thread's own ring.
 *
 * These are the primitives both the scheduler (coro-sched.c) and the
 * shared objects' coroutine hooks (coro-shared.c) build on, so neither has
 * to reach into the other.
 */
#include <stdio.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/loop.h"
#include "loop/loop-internal.h"

bool sl_sched_stopped(const sl_sched *s)
{
    return sl_stopped(s->ctx);
}

void sl__sched_ready_push(sl_sched *s, sl_co_task *t)
{
    t->next = NULL;
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    emit(SL_EV_READY, t->task, SL_READY_LOOP, 0);
}

void sl_sched_block(sl_co_task *t, sl_wait_reason reason, uint64_t expected_ns)
{
    emit(SL_EV_BLOCK, t->task, reason, expected_ns);
    t->waiting = true;
}

void sl_sched_suspend(sl_co_task *t)
{
    sl_coro_yield(t->co);
}

void sl_sched_wake(sl_co_task *t, sl_wait_reason reason, bool emit_wake)
{
    t->waiting = false;
    if (t->finished)
        return; /* cancelled by a stop while it waited */
    if (emit_wake)
        emit(SL_EV_WAKE, t->task, reason, 0);
    sl__sched_ready_push(t->s, t);
}

int sl_sched_bind_ring(sl_run_ctx *ctx)
{
    sl_ring *ring = sl_rings_claim(ctx->rings);
    if (!ring) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "no trace ring left for the coroutine scheduler");
        __atomic_fetch_add(&ctx->result->cancelled, ctx->sc->n_tasks, __ATOMIC_RELAXED);
        return SL_ELIMIT;
    }
    sl_hook_bind(ring, (uint32_t)getpid(), ctx->epoch_ns);
    return 0;
}
