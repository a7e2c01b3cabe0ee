/*
 * gil.c - the lock behind the gil strategy (see gil.h for the model).
 *
 * Every hook of a hand-off is emitted with the mutex held: the GIL_DROP of
 * the old holder is then always before the GIL_TAKE of the new one in the
 * trace, so the views never see two holders at once.
 */
#include "schedlab/blocking.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"

/* CPython's default sys.getswitchinterval(). */
#define DEFAULT_INTERVAL_NS 5000000ull

int sl_gil_init(sl_gil *g, uint64_t interval_ns)
{
    *g = (sl_gil){
        .holder = SL_NO_TASK,
        .last_holder = SL_NO_TASK,
        .interval_ns = interval_ns ? interval_ns : DEFAULT_INTERVAL_NS,
    };
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return SL_ENOMEM;
    /* Timed waits on the monotonic clock: a wall-clock jump must not cause
     * or suppress a forced switch. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int err = pthread_mutex_init(&g->mu, NULL);
    if (err == 0)
        err = pthread_cond_init(&g->released, &attr);
    if (err == 0)
        err = pthread_cond_init(&g->taken, &attr);
    pthread_condattr_destroy(&attr);
    return err == 0 ? 0 : SL_ENOMEM;
}

void sl_gil_destroy(sl_gil *g)
{
    pthread_cond_destroy(&g->taken);
    pthread_cond_destroy(&g->released);
    pthread_mutex_destroy(&g->mu);
}

static struct timespec monotonic_after(uint64_t ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns;
    return (struct timespec){.tv_sec = (time_t)(t / 1000000000ull),
                             .tv_nsec = (long)(t % 1000000000ull)};
}

/* Waits (mutex held) until the lock is free and takes it; `asked` is when
 * the task started wanting it. */
static void acquire(sl_gil *g, uint32_t task, uint64_t asked)
{
    g->waiters++;
    while (g->locked) {
        uint64_t seen = g->switch_number;
        struct timespec deadline = monotonic_after(g->interval_ns);
        int rc = pthread_cond_timedwait(&g->released, &g->mu, &deadline);
        /* A whole interval passed and nobody switched: ask the holder. */
        if (rc == ETIMEDOUT && g->locked && g->switch_number == seen)
            __atomic_store_n(&g->drop_request, 1, __ATOMIC_RELAXED);
    }
    g->waiters--;
    g->locked = true;
    g->holder = task;
    g->switch_number++;
    if (g->last_holder != SL_NO_TASK && g->last_holder != task)
        g->handoffs++;
    /* The request was for the previous holder; a later waiter renews it. */
    __atomic_store_n(&g->drop_request, 0, __ATOMIC_RELAXED);
    g->taken_at_ns = sl_clock_ns();
    sl_hook_emit(SL_EV_GIL_TAKE, task, 0, g->taken_at_ns - asked);
    pthread_cond_broadcast(&g->taken);
}

/* Lets go (mutex held) and wakes one waiter. */
static void release(sl_gil *g, uint32_t task, sl_gil_drop_cause cause)
{
    sl_hook_emit(SL_EV_GIL_DROP, task, cause, sl_clock_ns() - g->taken_at_ns);
    /* Without the GIL the thread executes nothing until it blocks or exits;
     * saying so before the next holder can RUN keeps one runner at a time
     * in the trace. A forced switch says READY(GIL) itself. */
    if (cause != SL_GIL_DROP_INTERVAL)
        sl_hook_emit(SL_EV_READY, task, SL_READY_CPU, 0);
    g->locked = false;
    g->holder = SL_NO_TASK;
    g->last_holder = task;
    pthread_cond_signal(&g->released);
}

void sl_gil_take(sl_gil *g, uint32_t task)
{
    uint64_t asked = sl_clock_ns();
    sl_hook_emit(SL_EV_READY, task, SL_READY_GIL, 0);
    pthread_mutex_lock(&g->mu);
    acquire(g, task, asked);
    pthread_mutex_unlock(&g->mu);
}

void sl_gil_drop(sl_gil *g, uint32_t task, sl_gil_drop_cause cause)
{
    pthread_mutex_lock(&g->mu);
    release(g, task, cause);
    pthread_mutex_unlock(&g->mu);
}

void sl_gil_yield(sl_gil *g, uint32_t task)
{
    pthread_mutex_lock(&g->mu);
    release(g, task, SL_GIL_DROP_INTERVAL);
    uint64_t asked = sl_clock_ns();
    sl_hook_emit(SL_EV_READY, task, SL_READY_GIL, 0);
    /* Without this wait the holder, already on a core, would usually win
     * the lock straight back from the thread that asked for it. */
    uint64_t seen = g->switch_number;
    while (g->switch_number == seen && g->waiters > 0)
        pthread_cond_wait(&g->taken, &g->mu);
    acquire(g, task, asked);
    pthread_mutex_unlock(&g->mu);
}

bool sl_gil_drop_requested(sl_gil *g)
{
    return __atomic_load_n(&g->drop_request, __ATOMIC_RELAXED) != 0;
}

uint64_t sl_gil_handoffs(sl_gil *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t n = g->handoffs;
    pthread_mutex_unlock(&g->mu);
    return n;
}
