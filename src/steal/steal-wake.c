/*
 * steal-wake.c - where a runnable task goes, how an idle worker finds work
 * in another's queue, and how workers sleep and wake.
 *
 * Parking cannot lose a wake-up: a worker first counts itself idle, then
 * looks at every queue once more before it sleeps; whoever queues a task
 * first publishes it, then reads the idle count (both sequentially
 * consistent). Either the parking worker sees the task, or the one who
 * queued it sees the idle worker and wakes it. A parked worker also looks
 * again every PARK_CHECK_MS, which is how it notices a stop.
 */
#include <time.h>

#include "steal/steal-internal.h"

#define PARK_CHECK_MS 10

bool sl__ws_over(ws_sched *s)
{
    return atomic_load(&s->done) || sl_stopped(s->ctx);
}

/* READY(loop, w) for a task that entered w's queue. */
static void note_local(void *arg, const uint32_t *tasks, uint32_t n)
{
    const ws_worker *w = arg;
    for (uint32_t k = 0; k < n; k++)
        ws_emit(SL_EV_READY, tasks[k], SL_READY_LOOP, SL_READY_AT_WORKER(w->id));
}

/* Wakes w if it is parked; true if it was. */
static bool unpark(ws_sched *s, ws_worker *w)
{
    pthread_mutex_lock(&s->idle_lock);
    bool was = w->parked;
    if (was) {
        w->parked = false;
        atomic_fetch_sub(&s->n_idle, 1);
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&s->idle_lock);
    return was;
}

/* Wakes one parked worker, preferring `first`. */
static void wake_one(ws_sched *s, ws_worker *first)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(&s->n_idle) == 0)
        return;
    if (first != NULL && unpark(s, first))
        return;
    for (uint32_t k = 0; k < s->n_workers; k++)
        if (unpark(s, &s->workers[k]))
            return;
}

void sl__ws_ready(ws_sched *s, ws_task *t, ws_worker *by, bool next, bool wake)
{
    ws_worker *to = by;
    if (to == NULL && t->worker != SL_NO_TASK)
        to = &s->workers[t->worker];
    bool queued = false;
    if (to != NULL && next) {
        uint32_t spilled = sl_runq_put_next(&to->q, t->task, note_local, to);
        if (spilled != SL_NO_TASK)
            sl__ws_global_push(s, spilled);
        queued = true;
    } else if (to != NULL) {
        queued = sl_runq_push(&to->q, t->task, note_local, to);
    }
    if (!queued) {
        sl__ws_global_push(s, t->task);
        to = NULL;
    }
    if (wake)
        wake_one(s, to);
}

typedef struct steal_note {
    const ws_worker *thief, *victim;
} steal_note;

/* Under the victim's lock: STEAL, then READY(loop, thief) for each task. */
static void note_steal(void *arg, const uint32_t *tasks, uint32_t n)
{
    const steal_note *sn = arg;
    sl_hook_emit(SL_EV_STEAL, SL_NO_TASK, sn->victim->id, SL_STEAL_ARG(sn->thief->id, n));
    note_local((void *)sn->thief, tasks, n);
}

uint32_t sl__ws_steal(ws_sched *s, ws_worker *w)
{
    /* xorshift: a different victim order each time, as Go's randomOrder */
    w->seed ^= w->seed << 13;
    w->seed ^= w->seed >> 7;
    w->seed ^= w->seed << 17;
    uint32_t start = (uint32_t)(w->seed % s->n_workers);
    for (uint32_t k = 0; k < s->n_workers; k++) {
        ws_worker *v = &s->workers[(start + k) % s->n_workers];
        if (v == w || sl_runq_len(&v->q) == 0)
            continue;
        steal_note sn = {.thief = w, .victim = v};
        uint32_t n = sl_runq_take_half(&v->q, w->buf, note_steal, &sn);
        if (n == 0)
            continue;
        /* the first runs now; the rest wait in w's queue (their READY(w)
         * is emitted already; w's own queue is empty, so they fit) */
        for (uint32_t j = 1; j < n; j++)
            if (!sl_runq_push(&w->q, w->buf[j], NULL, NULL))
                sl__ws_global_push(s, w->buf[j]);
        return w->buf[0];
    }
    return SL_NO_TASK;
}

static bool any_work(ws_sched *s)
{
    if (atomic_load(&s->global.size) > 0)
        return true;
    for (uint32_t k = 0; k < s->n_workers; k++)
        if (sl_runq_len(&s->workers[k].q) > 0)
            return true;
    return false;
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ms * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void sl__ws_park(ws_sched *s, ws_worker *w)
{
    pthread_mutex_lock(&s->idle_lock);
    w->parked = true;
    atomic_fetch_add(&s->n_idle, 1);
    pthread_mutex_unlock(&s->idle_lock);
    sl_hook_emit(SL_EV_PARK, SL_NO_TASK, w->id, 0);
    for (;;) {
        if (any_work(s) || sl__ws_over(s)) {
            unpark(s, w);
            break;
        }
        pthread_mutex_lock(&s->idle_lock);
        if (w->parked) {
            struct timespec until;
            deadline_in(&until, PARK_CHECK_MS);
            pthread_cond_timedwait(&w->wake, &s->idle_lock, &until);
        }
        bool woken = !w->parked;
        pthread_mutex_unlock(&s->idle_lock);
        if (woken)
            break;
    }
    sl_hook_emit(SL_EV_UNPARK, SL_NO_TASK, w->id, 0);
}

void sl__ws_wake_all(ws_sched *s)
{
    for (uint32_t k = 0; k < s->n_workers; k++)
        unpark(s, &s->workers[k]);
}
