/*
 * shared-objects.c - the shared-objects region: layout, lifetime, task
 * accounting and stall detection (the steps are in shared-steps.c).
 *
 * A stall is judged, under the one mutex, each time a task starts to wait
 * or ends: the tasks still able to run are those on a vehicle, plus those
 * in a backlog while a vehicle is free; if every one of them waits, and no
 * waiter at the head of its list could go on, nothing will ever wake them.
 * The count is exact because every way a task ends (done, failed,
 * cancelled, its worker process killed) goes through sl_shared_task_end.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedlab/error.h"
#include "shared/shared-internal.h"

_Static_assert(SL_RESULT_COUNTERS >= SL_SCENARIO_MAX_COUNTERS,
               "the race report must have room for every counter a scenario may declare");

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static bool has_objects(const sl_scenario *sc)
{
    return sc->n_queues + sc->n_counters + sc->n_locks > 0;
}

size_t sl_shared_size(const sl_scenario *sc)
{
    if (!has_objects(sc))
        return 0;
    size_t items = 0;
    for (uint32_t i = 0; i < sc->n_queues; i++)
        items += align64((size_t)sc->queues[i].capacity * sizeof(uint32_t));
    return align64(sizeof(sl_shared)) + align64((size_t)sc->n_tasks * sizeof(sl__sh_task)) + items;
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, SL__SH_NAME, "%s", src);
}

/* Process-shared, robust: a worker killed inside the lock cannot hang the run. */
static int init_mutex(pthread_mutex_t *mu)
{
    pthread_mutexattr_t a;
    if (pthread_mutexattr_init(&a) != 0)
        return SL_ENOMEM;
    int err = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (err == 0)
        err = pthread_mutex_init(mu, &a);
    pthread_mutexattr_destroy(&a);
    return err == 0 ? 0 : SL_ENOMEM;
}

static int init_conds(pthread_cond_t **cvs, uint32_t n)
{
    pthread_condattr_t a;
    if (pthread_condattr_init(&a) != 0)
        return SL_ENOMEM;
    int err = pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    /* timed waits on the monotonic clock, like every other wait of a run */
    if (err == 0)
        err = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    for (uint32_t i = 0; i < n && err == 0; i++)
        err = pthread_cond_init(cvs[i], &a);
    pthread_condattr_destroy(&a);
    return err == 0 ? 0 : SL_ENOMEM;
}

int sl_shared_init(void *mem, size_t size, const sl_scenario *sc, uint32_t slots,
                   sl_shared_mode mode, sl_shared **out)
{
    *out = NULL;
    size_t need = sl_shared_size(sc);
    if (mem == NULL || need == 0 || size < need || ((uintptr_t)mem & 63) != 0)
        return SL_EINVAL;
    memset(mem, 0, need);
    sl_shared *sh = mem;
    sh->magic = SL__SH_MAGIC;
    sh->n_tasks = sc->n_tasks;
    sh->size = need;
    sh->mode = mode;
    sh->slots = slots > 0 ? slots : 1;
    sh->unfinished = sc->n_tasks;
    sh->n_queues = sc->n_queues;
    sh->n_counters = sc->n_counters;
    sh->n_locks = sc->n_locks;
    sh->tasks_off = align64(sizeof(*sh));
    sl__sh_task *ts = sl__sh_tasks(sh);
    for (uint32_t t = 0; t < sc->n_tasks; t++)
        ts[t] = (sl__sh_task){.next = SL__SH_NONE, .state = SL__SH_NEW};

    pthread_cond_t *cvs[2 * SL_SCENARIO_MAX_QUEUES + SL_SCENARIO_MAX_LOCKS];
    uint32_t n_cvs = 0;
    uint64_t off = sh->tasks_off + align64((size_t)sc->n_tasks * sizeof(sl__sh_task));
    for (uint32_t i = 0; i < sc->n_queues; i++) {
        sl__sh_queue *q = &sh->queues[i];
        q->putters = q->takers = (sl__sh_list){SL__SH_NONE, SL__SH_NONE};
        q->capacity = sc->queues[i].capacity;
        q->items_off = off;
        off += align64((size_t)q->capacity * sizeof(uint32_t));
        copy_name(q->name, sc->queues[i].name);
        cvs[n_cvs++] = &q->can_put;
        cvs[n_cvs++] = &q->can_take;
    }
    for (uint32_t i = 0; i < sc->n_counters; i++) {
        sl__sh_counter *c = &sh->counters[i];
        atomic_init(&c->value, 0);
        atomic_init(&c->done, 0);
        atomic_init(&c->copies, 0);
        atomic_init(&c->copies_done, 0);
        atomic_init(&c->copies_sum, 0);
        atomic_init(&c->copies_min, UINT64_MAX);
        atomic_init(&c->copies_max, 0);
        c->window_ns = sc->counters[i].window_ns;
        c->shared = sc->counters[i].shared;
        copy_name(c->name, sc->counters[i].name);
    }
    for (uint32_t i = 0; i < sc->n_locks; i++) {
        sl__sh_lock *l = &sh->locks[i];
        l->waiters = (sl__sh_list){SL__SH_NONE, SL__SH_NONE};
        l->holder = SL__SH_NONE;
        copy_name(l->name, sc->locks[i].name);
        cvs[n_cvs++] = &l->freed;
    }
    int err = init_mutex(&sh->mu);
    if (err == 0)
        err = init_conds(cvs, n_cvs);
    if (err < 0)
        return err;
    *out = sh;
    return 0;
}

void sl_shared_set_slots(sl_shared *sh, uint32_t slots, sl_shared_mode mode)
{
    if (sh == NULL)
        return;
    sl__sh_enter(sh);
    sh->slots = slots > 0 ? slots : 1;
    sh->mode = mode;
    sl__sh_leave(sh);
}

void sl_shared_set_polled(sl_shared *sh)
{
    if (sh != NULL)
        sh->polled = 1;
}

int sl_shared_check(const void *mem, size_t size)
{
    const sl_shared *sh = mem;
    if (sh == NULL || size < sizeof(*sh) || sh->magic != SL__SH_MAGIC || sh->size > size ||
        sh->n_queues > SL_SCENARIO_MAX_QUEUES || sh->n_counters > SL_SCENARIO_MAX_COUNTERS ||
        sh->n_locks > SL_SCENARIO_MAX_LOCKS ||
        sh->tasks_off + (uint64_t)sh->n_tasks * sizeof(sl__sh_task) > sh->size)
        return SL_ECORRUPT;
    for (uint32_t i = 0; i < sh->n_queues; i++)
        if (sh->queues[i].items_off + (uint64_t)sh->queues[i].capacity * sizeof(uint32_t) >
            sh->size)
            return SL_ECORRUPT;
    return 0;
}

void sl_shared_destroy(sl_shared *sh)
{
    if (sh == NULL)
        return;
    for (uint32_t i = 0; i < sh->n_queues; i++) {
        pthread_cond_destroy(&sh->queues[i].can_put);
        pthread_cond_destroy(&sh->queues[i].can_take);
    }
    for (uint32_t i = 0; i < sh->n_locks; i++)
        pthread_cond_destroy(&sh->locks[i].freed);
    pthread_mutex_destroy(&sh->mu);
}

int sl_shared_create(sl_run_ctx *ctx, uint32_t slots, sl_shared_mode mode)
{
    ctx->shared = NULL;
    size_t size = sl_shared_size(ctx->sc);
    if (size == 0)
        return 0;
    void *mem = aligned_alloc(64, align64(size));
    if (mem == NULL)
        return SL_ENOMEM;
    int err = sl_shared_init(mem, size, ctx->sc, slots, mode, &ctx->shared);
    if (err < 0)
        free(mem);
    return err;
}

void sl_shared_free(sl_run_ctx *ctx)
{
    if (ctx->shared == NULL)
        return;
    sl_shared_report(ctx->shared, ctx->result);
    sl_shared_destroy(ctx->shared);
    free(ctx->shared);
    ctx->shared = NULL;
}

uint64_t sl_shared_counter(sl_shared *sh, uint32_t i, uint64_t *done)
{
    if (done != NULL)
        *done = atomic_load(&sh->counters[i].done);
    return atomic_load(&sh->counters[i].value);
}

void sl_shared_report(sl_shared *sh, sl_run_result *res)
{
    if (sh == NULL)
        return;
    uint32_t n = sh->n_counters < SL_RESULT_COUNTERS ? sh->n_counters : SL_RESULT_COUNTERS;
    res->n_counters = n;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(res->counter_names[i], sizeof(res->counter_names[i]), "%s", sh->counters[i].name);
        res->counter_actual[i] = sl_shared_counter(sh, i, &res->counter_expected[i]);
        res->counter_shared[i] = sh->counters[i].shared != 0;
        const sl__sh_counter *c = &sh->counters[i];
        sl_counter_copies *k = &res->counter_copies[i];
        *k = (sl_counter_copies){.n = atomic_load(&c->copies),
                                 .done = atomic_load(&c->copies_done),
                                 .sum = atomic_load(&c->copies_sum),
                                 .max = atomic_load(&c->copies_max)};
        k->min = k->n > 0 ? atomic_load(&c->copies_min) : 0;
        res->counter_expected[i] += k->done;
    }
}

/* ---- the mutex and wait lists ------------------------------------------- */

void sl__sh_enter(sl_shared *sh)
{
    if (pthread_mutex_lock(&sh->mu) == EOWNERDEAD)
        pthread_mutex_consistent(&sh->mu);
}

void sl__sh_leave(sl_shared *sh)
{
    pthread_mutex_unlock(&sh->mu);
}

void sl__sh_wait(sl_shared *sh, pthread_cond_t *cv, uint64_t ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns;
    ts = (struct timespec){.tv_sec = (time_t)(t / 1000000000ull),
                           .tv_nsec = (long)(t % 1000000000ull)};
    if (pthread_cond_timedwait(cv, &sh->mu, &ts) == EOWNERDEAD)
        pthread_mutex_consistent(&sh->mu);
}

void sl__sh_list_push(sl_shared *sh, sl__sh_list *l, uint32_t task)
{
    sl__sh_task *ts = sl__sh_tasks(sh);
    ts[task].next = SL__SH_NONE;
    if (l->last == SL__SH_NONE)
        l->first = task;
    else
        ts[l->last].next = task;
    l->last = task;
}

bool sl__sh_list_remove(sl_shared *sh, sl__sh_list *l, uint32_t task)
{
    sl__sh_task *ts = sl__sh_tasks(sh);
    uint32_t prev = SL__SH_NONE;
    for (uint32_t t = l->first; t != SL__SH_NONE; prev = t, t = ts[t].next) {
        if (t != task)
            continue;
        if (prev == SL__SH_NONE)
            l->first = ts[t].next;
        else
            ts[prev].next = ts[t].next;
        if (l->last == task)
            l->last = prev;
        ts[t].next = SL__SH_NONE;
        return true;
    }
    return false;
}

/* ---- stalls ------------------------------------------------------------- */

/* Waiters at the head of a list whose wait is already over: they are about
 * to wake, so they still count as able to run. */
static uint32_t heads_ready(const sl_shared *sh)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < sh->n_queues; i++) {
        const sl__sh_queue *q = &sh->queues[i];
        n += q->putters.first != SL__SH_NONE && sl__sh_has_room(sh, i);
        n += q->takers.first != SL__SH_NONE && sl__sh_has_item(sh, i);
    }
    for (uint32_t i = 0; i < sh->n_locks; i++)
        n += sh->locks[i].waiters.first != SL__SH_NONE && sl__sh_is_free(sh, i);
    return n;
}

bool sl__sh_may_go(sl_shared *sh, uint32_t task)
{
    if (task >= sh->n_tasks)
        return false;
    const sl__sh_task *t = &sl__sh_tasks(sh)[task];
    if (t->doomed != 0)
        return true;
    if (t->state != SL__SH_BLOCKED)
        return false;
    uint32_t kind = t->list >> 8, i = t->list & 0xff;
    if (kind == 0 && i < sh->n_queues)
        return sh->queues[i].putters.first == task && sl__sh_has_room(sh, i);
    if (kind == 1 && i < sh->n_queues)
        return sh->queues[i].takers.first == task && sl__sh_has_item(sh, i);
    if (kind == 2 && i < sh->n_locks)
        return sh->locks[i].waiters.first == task && sl__sh_is_free(sh, i);
    return false;
}

void sl__sh_notify_heads(sl_shared *sh, const sl_shared_hooks *h)
{
    if (h == NULL || h->ready == NULL)
        return;
    for (uint32_t i = 0; i < sh->n_queues; i++) {
        const sl__sh_queue *q = &sh->queues[i];
        if (q->putters.first != SL__SH_NONE && sl__sh_has_room(sh, i))
            h->ready(h->arg, q->putters.first, SL_WAIT_QUEUE);
        if (q->takers.first != SL__SH_NONE && sl__sh_has_item(sh, i))
            h->ready(h->arg, q->takers.first, SL_WAIT_QUEUE);
    }
    for (uint32_t i = 0; i < sh->n_locks; i++)
        if (sh->locks[i].waiters.first != SL__SH_NONE && sl__sh_is_free(sh, i))
            h->ready(h->arg, sh->locks[i].waiters.first, SL_WAIT_LOCK);
}

static void wake_all(sl_shared *sh)
{
    for (uint32_t i = 0; i < sh->n_queues; i++) {
        pthread_cond_broadcast(&sh->queues[i].can_put);
        pthread_cond_broadcast(&sh->queues[i].can_take);
    }
    for (uint32_t i = 0; i < sh->n_locks; i++)
        pthread_cond_broadcast(&sh->locks[i].freed);
}

bool sl__sh_stall_check(sl_shared *sh, const sl_shared_hooks *h)
{
    uint32_t ready = heads_ready(sh);
    uint32_t stuck = sh->blocked > ready ? sh->blocked - ready : 0;
    if (sh->running == 0 || stuck < sh->running)
        return false;
    /* Tasks not started yet can still come and make progress, unless
     * every vehicle is taken by a waiting task. */
    bool all_slots = sh->running >= sh->slots;
    if (!all_slots && sh->unfinished > sh->running)
        return false;
    uint16_t why = SL__STALL_ALL_WAIT;
    if (sh->mode == SL_SHARED_SEQUENTIAL)
        why = SL__STALL_SEQUENTIAL;
    else if (all_slots && sh->unfinished > sh->running)
        why = SL__STALL_POOL_FULL;
    sl__sh_task *ts = sl__sh_tasks(sh);
    for (uint32_t t = 0; t < sh->n_tasks; t++)
        if (ts[t].state == SL__SH_BLOCKED)
            ts[t].doomed = why + 1;
    wake_all(sh);
    if (h != NULL && h->ready != NULL)
        for (uint32_t t = 0; t < sh->n_tasks; t++)
            if (ts[t].doomed != 0)
                h->ready(h->arg, t, ts[t].reason);
    return true;
}

const char *sl__sh_stall_reason(const sl_shared *sh, uint32_t doomed, char *buf, size_t size)
{
    switch (doomed - 1) {
    case SL__STALL_SEQUENTIAL:
        snprintf(buf, size, "no other task can run under sequential");
        break;
    case SL__STALL_POOL_FULL:
        snprintf(buf, size,
                 "all %u workers carry tasks that wait on a queue or lock, so the queued "
                 "tasks cannot start",
                 sh->slots);
        break;
    default:
        snprintf(buf, size, "every unfinished task waits on a queue or lock");
        break;
    }
    return buf;
}

/* ---- task accounting ---------------------------------------------------- */

void sl_shared_task_start(sl_shared *sh, uint32_t task)
{
    if (sh == NULL || task >= sh->n_tasks)
        return;
    sl__sh_enter(sh);
    sl__sh_task *t = &sl__sh_tasks(sh)[task];
    if (t->state == SL__SH_NEW) {
        t->state = SL__SH_RUNNING;
        sh->running++;
    }
    sl__sh_leave(sh);
}

/* Takes a task that died waiting out of whichever list holds it. */
static void leave_lists(sl_shared *sh, uint32_t task)
{
    for (uint32_t i = 0; i < sh->n_queues; i++) {
        sl__sh_queue *q = &sh->queues[i];
        if (sl__sh_list_remove(sh, &q->putters, task))
            pthread_cond_broadcast(&q->can_put);
        if (sl__sh_list_remove(sh, &q->takers, task))
            pthread_cond_broadcast(&q->can_take);
    }
    for (uint32_t i = 0; i < sh->n_locks; i++)
        if (sl__sh_list_remove(sh, &sh->locks[i].waiters, task))
            pthread_cond_broadcast(&sh->locks[i].freed);
}

void sl_shared_task_end(sl_shared *sh, uint32_t task)
{
    sl_shared_task_end_with(sh, task, NULL);
}

void sl_shared_task_end_with(sl_shared *sh, uint32_t task, const sl_shared_hooks *h)
{
    if (sh == NULL || task >= sh->n_tasks)
        return;
    sl__sh_enter(sh);
    sl__sh_task *t = &sl__sh_tasks(sh)[task];
    if (t->state != SL__SH_DONE) {
        if (t->state == SL__SH_BLOCKED) {
            leave_lists(sh, task);
            sh->blocked--;
        }
        if (t->state != SL__SH_NEW)
            sh->running--;
        t->state = SL__SH_DONE;
        sh->unfinished--;
        /* like leaving a `with lock:` block on an exception */
        for (uint32_t i = 0; i < sh->n_locks; i++) {
            if (sh->locks[i].holder == task) {
                sh->locks[i].holder = SL__SH_NONE;
                pthread_cond_broadcast(&sh->locks[i].freed);
            }
        }
        if (!sl__sh_stall_check(sh, h))
            sl__sh_notify_heads(sh, h);
    }
    sl__sh_leave(sh);
}

void sl_shared_enter(sl_shared *sh)
{
    sl__sh_enter(sh);
}

void sl_shared_leave(sl_shared *sh)
{
    sl__sh_leave(sh);
}

bool sl_shared_may_go(sl_shared *sh, uint32_t task, sl_wait_reason *reason)
{
    *reason = sl__sh_tasks(sh)[task].reason;
    return sl__sh_may_go(sh, task);
}

bool sl_shared_polled(const sl_shared *sh)
{
    return sh->polled != 0;
}
