/*
 * shared-steps.c - put, take, inc, lock and unlock on a blocking vehicle.
 *
 * Every wait follows one pattern, under the region's mutex: try first (a
 * task that need not wait emits no BLOCK); otherwise join the object's FIFO
 * wait list, let the vehicle say BLOCK (and drop the GIL), sleep on the
 * list's condition variable until it is at the head and the object allows
 * it, then leave the list and, with the mutex released, let the vehicle
 * say WAKE and RUN. A newcomer never overtakes a waiter, so items and the
 * lock go to waiters in the order they arrived.
 *
 * A wait ends early when the run stops (the task is cancelled) or when a
 * stall is declared while it waited (the task fails, saying why it would
 * have waited forever). The timed sleep is only there to notice a stop:
 * every state change that can end a wait broadcasts, and also tells the
 * vehicle's `ready` hook, which is how coroutines (which sleep by giving
 * their loop back, not on a condition variable) are woken.
 *
 * `inc` is deliberately not atomic: see inc_once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "shared/shared-internal.h"

/* How long a waiter may take to notice ctx->stop. */
#define WAIT_POLL_NS 20000000ull

typedef bool (*ready_fn)(const sl_shared *sh, uint32_t obj);

/* One kind of wait: which list, which condition, when it is over. */
typedef struct wait_on {
    sl__sh_list *list;
    pthread_cond_t *cv;
    ready_fn ready;
    uint32_t obj;
    sl_wait_reason reason;
    uint16_t id; /* SL__SH_LIST of `list` */
} wait_on;

static uint32_t list_len(sl_shared *sh, const sl__sh_list *l)
{
    uint32_t n = 0;
    for (uint32_t t = l->first; t != SL__SH_NONE && n < sh->n_tasks; t = sl__sh_tasks(sh)[t].next)
        n++;
    return n;
}

/* With the mutex held: tells the trace queue qi's fill and how many wait
 * to put and to take, as `task` left it (the views draw the queue). */
static void say_queue(sl_shared *sh, uint32_t qi, uint32_t task)
{
    sl__sh_queue *q = &sh->queues[qi];
    sl_hook_emit(SL_EV_OBJECT, task, SL_OBJECT_REF(SL_OBJ_QUEUE, qi),
                 SL_OBJECT_QUEUE_ARG(q->count, q->capacity, list_len(sh, &q->putters),
                                     list_len(sh, &q->takers)));
}

/* With the mutex held: returns 0 once `task` may go on (mutex still held),
 * SL_EINTR on a stop, SL_ESTATE on a stall (*doomed: its kind + 1).
 * *waited tells whether it blocked (the caller then owes the vehicle its
 * wake hook). */
static int await(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, const wait_on *w,
                 const sl_shared_hooks *h, bool *waited, uint32_t *doomed)
{
    *waited = false;
    if (w->list->first == SL__SH_NONE && w->ready(sh, w->obj))
        return 0;
    sl__sh_task *me = &sl__sh_tasks(sh)[task];
    sl__sh_list_push(sh, w->list, task);
    me->state = SL__SH_BLOCKED;
    me->reason = (uint16_t)w->reason;
    me->list = w->id;
    sh->blocked++;
    if (w->id >> 8 < 2)
        say_queue(sh, w->obj, task);
    int err = 0;
    if (sl__sh_stall_check(sh, h)) {
        /* Waiting would be forever: fail now, without a BLOCK. */
        err = SL_ESTATE;
    } else {
        h->block(h->arg, task, w->reason);
        *waited = true;
        for (;;) {
            if (h->sleep != NULL)
                h->sleep(h->arg, sh, task);
            else
                sl__sh_wait(sh, w->cv, WAIT_POLL_NS);
            if (me->doomed != 0) {
                err = SL_ESTATE;
                break;
            }
            if (w->list->first == task && w->ready(sh, w->obj))
                break;
            if (sl_stopped(ctx)) {
                err = SL_EINTR;
                break;
            }
            /* A vehicle told to wake too early says it waits again. */
            if (h->sleep != NULL)
                h->block(h->arg, task, w->reason);
        }
    }
    /* a run being stopped is not stalled: its tasks are cancelled */
    if (err == SL_ESTATE && sl_stopped(ctx))
        err = SL_EINTR;
    *doomed = me->doomed;
    me->doomed = 0;
    sl__sh_list_remove(sh, w->list, task);
    me->state = SL__SH_RUNNING;
    sh->blocked--;
    /* The next in line may be able to go now (or after this one gave up). */
    if (w->list->first != SL__SH_NONE)
        pthread_cond_broadcast(w->cv);
    if (err != 0)
        sl__sh_notify_heads(sh, h);
    return err;
}

static void forever(sl_shared *sh, uint32_t doomed, const char *what, char *why, size_t why_size)
{
    char reason[160];
    snprintf(why, why_size, "%s would wait forever: %s", what,
             sl__sh_stall_reason(sh, doomed, reason, sizeof(reason)));
}

static int put_one(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, uint32_t qi,
                   const sl_shared_hooks *h, char *why, size_t why_size)
{
    sl__sh_queue *q = &sh->queues[qi];
    wait_on w = {&q->putters, &q->can_put, sl__sh_has_room, qi, SL_WAIT_QUEUE, SL__SH_LIST(0, qi)};
    bool waited;
    uint32_t doomed;
    sl__sh_enter(sh);
    int err = await(sh, ctx, task, &w, h, &waited, &doomed);
    if (err == 0) {
        sl__sh_items(sh, q)[(q->head + q->count) % q->capacity] = task;
        q->count++;
        pthread_cond_broadcast(&q->can_take);
        sl__sh_notify_heads(sh, h);
    } else if (err == SL_ESTATE) {
        char what[128];
        snprintf(what, sizeof(what), "put to full queue '%s' (capacity %u)", q->name, q->capacity);
        forever(sh, doomed, what, why, why_size);
    }
    say_queue(sh, qi, task);
    sl__sh_leave(sh);
    if (waited)
        h->wake(h->arg, task, SL_WAIT_QUEUE);
    return err;
}

static int take_one(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, uint32_t qi,
                    const sl_shared_hooks *h, char *why, size_t why_size)
{
    sl__sh_queue *q = &sh->queues[qi];
    wait_on w = {&q->takers, &q->can_take, sl__sh_has_item, qi, SL_WAIT_QUEUE, SL__SH_LIST(1, qi)};
    bool waited;
    uint32_t doomed;
    sl__sh_enter(sh);
    int err = await(sh, ctx, task, &w, h, &waited, &doomed);
    if (err == 0) {
        q->head = (q->head + 1) % q->capacity;
        q->count--;
        pthread_cond_broadcast(&q->can_put);
        sl__sh_notify_heads(sh, h);
    } else if (err == SL_ESTATE) {
        char what[128];
        snprintf(what, sizeof(what), "take from empty queue '%s'", q->name);
        forever(sh, doomed, what, why, why_size);
    }
    say_queue(sh, qi, task);
    sl__sh_leave(sh);
    if (waited)
        h->wake(h->arg, task, SL_WAIT_QUEUE);
    return err;
}

static int lock(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, uint32_t li,
                const sl_shared_hooks *h, char *why, size_t why_size)
{
    sl__sh_lock *l = &sh->locks[li];
    wait_on w = {&l->waiters, &l->freed, sl__sh_is_free, li, SL_WAIT_LOCK, SL__SH_LIST(2, li)};
    bool waited;
    uint32_t doomed;
    sl__sh_enter(sh);
    uint32_t holder = l->holder;
    int err = await(sh, ctx, task, &w, h, &waited, &doomed);
    if (err == 0) {
        l->holder = task;
        sl__sh_notify_heads(sh, h);
    } else if (err == SL_ESTATE) {
        char what[128];
        if (holder < ctx->sc->n_tasks)
            snprintf(what, sizeof(what), "lock '%s' (held by task %s)", l->name,
                     ctx->sc->tasks[holder].name);
        else
            snprintf(what, sizeof(what), "lock '%s'", l->name);
        forever(sh, doomed, what, why, why_size);
    }
    sl__sh_leave(sh);
    if (waited)
        h->wake(h->arg, task, SL_WAIT_LOCK);
    return err;
}

static int unlock(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, uint32_t li,
                  const sl_shared_hooks *h, char *why, size_t why_size)
{
    sl__sh_lock *l = &sh->locks[li];
    sl__sh_enter(sh);
    uint32_t holder = l->holder;
    if (holder == task) {
        l->holder = SL__SH_NONE;
        pthread_cond_broadcast(&l->freed);
        sl__sh_notify_heads(sh, h);
    }
    sl__sh_leave(sh);
    if (holder == task)
        return 0;
    if (holder < ctx->sc->n_tasks)
        snprintf(why, why_size, "unlock '%s', which task %s holds", l->name,
                 ctx->sc->tasks[holder].name);
    else
        snprintf(why, why_size, "unlock '%s', which no task holds", l->name);
    return SL_ESTATE;
}

/* Spends ns busy, polling the vehicle; false if it asked to stop. */
static bool spend(uint64_t ns, const sl_shared_hooks *h)
{
    uint64_t end = sl_clock_ns() + ns;
    while (sl_clock_ns() < end)
        if (!h->poll(h->arg))
            return false;
    return true;
}

/* One increment, written the way `counter += 1` runs in Python: a load, the
 * counter's window, a store of what was loaded plus one. Another vehicle's
 * store landing inside the window is overwritten: a lost update, which is
 * the lesson. The load and the store are relaxed atomics on purpose: each
 * is whole (no torn 64-bit value) and ThreadSanitizer knows the race is
 * intended, yet together they are no atomic read-modify-write, so the
 * window stays as real as with plain accesses. */
static bool inc_once(_Atomic uint64_t *value, _Atomic uint64_t *done, uint64_t window_ns,
                     uint32_t ci, uint32_t task, const sl_shared_hooks *h)
{
    uint64_t v = atomic_load_explicit(value, memory_order_relaxed);
    if (window_ns > 0 && !spend(window_ns, h))
        return false;
    atomic_store_explicit(value, v + 1, memory_order_relaxed);
    uint64_t d = atomic_fetch_add_explicit(done, 1, memory_order_relaxed) + 1;
    /* What this task wrote against what should be there by now: the
     * views count lost updates from it (for a process's own copy, against
     * the increments made on that copy). */
    sl_hook_emit(SL_EV_OBJECT, task, SL_OBJECT_REF(SL_OBJ_COUNTER, ci),
                 SL_OBJECT_COUNTER_ARG(v + 1, d));
    return true;
}

/* Copies of the plain counters. A worker process, like a Python worker
 * process, has its own copy of every global: all its threads count on the
 * process's copies. A worker of `interpreters`, like a subinterpreter, has
 * its own globals too: its thread counts on copies of its own. The parent's
 * vehicles (threads, coroutines) share its memory and so the region's
 * counters. Copies start at 0, the value the scenario declares, and are
 * atomics for the same reason as the region's (the threads of one process,
 * if any, share them and race on them). */
typedef struct copies {
    _Atomic uint64_t value[SL_SCENARIO_MAX_COUNTERS];
    _Atomic uint64_t done[SL_SCENARIO_MAX_COUNTERS];
} copies;

static copies process_copies;
static bool process_copies_on;
static _Thread_local copies *interpreter_copies;

void sl_shared_own_copies(void)
{
    process_copies_on = true;
}

static copies *own_copies(void)
{
    if (interpreter_copies != NULL)
        return interpreter_copies;
    return process_copies_on ? &process_copies : NULL;
}

static void store_min(_Atomic uint64_t *at, uint64_t v)
{
    uint64_t cur = atomic_load(at);
    while (v < cur && !atomic_compare_exchange_weak(at, &cur, v))
        ;
}

static void store_max(_Atomic uint64_t *at, uint64_t v)
{
    uint64_t cur = atomic_load(at);
    while (v > cur && !atomic_compare_exchange_weak(at, &cur, v))
        ;
}

static void publish(sl_shared *sh, copies *own)
{
    for (uint32_t i = 0; i < sh->n_counters; i++) {
        uint64_t done = atomic_load(&own->done[i]), v = atomic_load(&own->value[i]);
        if (sh->counters[i].shared || done == 0)
            continue;
        sl__sh_counter *c = &sh->counters[i];
        atomic_fetch_add(&c->copies, 1);
        atomic_fetch_add(&c->copies_done, done);
        atomic_fetch_add(&c->copies_sum, v);
        store_min(&c->copies_min, v);
        store_max(&c->copies_max, v);
    }
}

void sl_shared_publish_copies(sl_shared *sh)
{
    if (sh != NULL && process_copies_on)
        publish(sh, &process_copies);
}

int sl_shared_interpreter_begin(void)
{
    interpreter_copies = calloc(1, sizeof(*interpreter_copies));
    return interpreter_copies != NULL ? 0 : SL_ENOMEM;
}

void sl_shared_interpreter_end(sl_shared *sh)
{
    if (interpreter_copies == NULL)
        return;
    if (sh != NULL)
        publish(sh, interpreter_copies);
    free(interpreter_copies);
    interpreter_copies = NULL;
}

/* One increment of counter i: of this vehicle's copy, or of the region's. */
static bool inc_counter(sl_shared *sh, uint32_t i, uint32_t task, const sl_shared_hooks *h)
{
    sl__sh_counter *c = &sh->counters[i];
    copies *own = own_copies();
    if (own != NULL && !c->shared)
        return inc_once(&own->value[i], &own->done[i], c->window_ns, i, task, h);
    return inc_once(&c->value, &c->done, c->window_ns, i, task, h);
}

int sl_shared_step(sl_shared *sh, const sl_run_ctx *ctx, uint32_t task, const sl_step *step,
                   const sl_shared_hooks *h, char *why, size_t why_size)
{
    const char *kind = sl_step_kind_name(step->kind);
    uint32_t limit = 0;
    if (sh != NULL)
        limit = step->kind == SL_STEP_INC                                 ? sh->n_counters
                : step->kind == SL_STEP_PUT || step->kind == SL_STEP_TAKE ? sh->n_queues
                                                                          : sh->n_locks;
    if (sh == NULL || task >= sh->n_tasks || step->obj >= limit || step->kind < SL_STEP_PUT ||
        step->kind > SL_STEP_UNLOCK) {
        snprintf(why, why_size, "%s (scenario line %u) names no object this vehicle shares", kind,
                 step->line);
        return SL_EINVAL;
    }
    if (step->kind == SL_STEP_LOCK)
        return lock(sh, ctx, task, step->obj, h, why, why_size);
    if (step->kind == SL_STEP_UNLOCK)
        return unlock(sh, ctx, task, step->obj, h, why, why_size);
    int err = 0;
    for (uint64_t i = 0; i < step->n && err == 0; i++) {
        if (sl_stopped(ctx))
            return SL_EINTR;
        if (step->kind == SL_STEP_PUT)
            err = put_one(sh, ctx, task, step->obj, h, why, why_size);
        else if (step->kind == SL_STEP_TAKE)
            err = take_one(sh, ctx, task, step->obj, h, why, why_size);
        else
            err = h->poll(h->arg) && inc_counter(sh, step->obj, task, h) ? 0 : SL_EINTR;
    }
    return err;
}
