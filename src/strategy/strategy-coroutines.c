/*
 * strategy-coroutines.c - every task a stackful coroutine on one libuv loop
 * (Python: asyncio.gather). One thread, one loop, one coroutine running at
 * a time; a task gives up the thread only where it awaits:
 *
 *   io, get      the event-loop HTTP client (libcurl multi on this loop):
 *                BLOCK(io), yield to the scheduler; the transfer's done
 *                callback WAKEs it and queues it again
 *   sleep        a uv timer: BLOCK(sleep) .. WAKE
 *   yield        YIELD, back to the end of the ready queue
 *   cpu          runs inline and holds the whole loop, as in asyncio: no
 *                other coroutine runs until the step ends
 *
 * The scheduler is asyncio's loop iteration: resume the coroutines that were
 * ready when the iteration began (SWITCH + RUN each), then poll the loop,
 * without blocking if something is still ready. A coroutine that yields in
 * that batch waits for the next iteration, behind any io completion.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "coro/coro.h"
#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/work.h"
#include "strategy/blocking.h"

/* Vehicle ids of coroutines: apart from pids and tids. */
#define CORO_VEHICLE 0x40000000u
/* How long a stop may go unnoticed while every coroutine waits. */
#define STOP_WATCH_MS 20

typedef struct sched sched;

typedef struct co_task {
    sched *s;
    sl_coro *co;          /* NULL before creation and after its exit */
    uint32_t task;        /* index in the scenario */
    uint32_t step;        /* step being executed (RUN's arg) */
    struct co_task *next; /* ready-queue link */
    bool finished;        /* EXIT emitted */
    bool waiting;         /* awaiting io or a timer: a callback will queue it */
    bool timer_used;      /* `timer` was initialised and must be closed */
    uv_timer_t timer;     /* sleep steps */
    int err;              /* task outcome: 0, SL_EINTR (cancelled) or SL_E* */
    char why[160];        /* failure sentence */
    int wait_status;      /* io: transfer outcome */
    char wait_why[128];   /* io: the client's sentence on failure */
} co_task;

struct sched {
    sl_run_ctx *ctx;
    uv_loop_t loop;
    sl_net_loop_client *net; /* NULL if no step needs it or it failed */
    char net_why[128];       /* why there is no client */
    co_task *tasks;
    co_task *head, *tail;  /* the ready queue, FIFO */
    uint32_t live;         /* tasks not yet exited */
    uint32_t last;         /* task resumed last, for SWITCH's from */
    uv_timer_t stop_watch; /* wakes an idle loop so a stop is seen */
};

static inline uint32_t vehicle_of(uint32_t task)
{
    return CORO_VEHICLE | task;
}

static void emit(sl_event_kind kind, uint32_t task, uint32_t reason, uint64_t arg)
{
    sl_hook_emit_v(kind, task, vehicle_of(task), reason, arg);
}

static void ready_push(sched *s, co_task *t)
{
    t->next = NULL;
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    emit(SL_EV_READY, t->task, SL_READY_LOOP, 0);
}

static co_task *ready_pop(sched *s)
{
    co_task *t = s->head;
    if (t) {
        s->head = t->next;
        if (!s->head)
            s->tail = NULL;
    }
    return t;
}

/* ---- inside a coroutine ---- */

static bool keep_going(void *arg)
{
    return !sl__stopped(arg);
}

/* A wait ended (called from a loop callback): WAKE, then back in line. */
static void wake(co_task *t, sl_wait_reason reason)
{
    t->waiting = false;
    if (t->finished)
        return; /* cancelled by a stop while it waited */
    emit(SL_EV_WAKE, t->task, reason, 0);
    ready_push(t->s, t);
}

static void io_done(void *arg, int status, uint64_t bytes, const char *why)
{
    co_task *t = arg;
    t->wait_status = status;
    snprintf(t->wait_why, sizeof(t->wait_why), "%s", why ? why : "");
    wake(t, SL_WAIT_IO);
}

static void sleep_done(uv_timer_t *timer)
{
    wake(timer->data, SL_WAIT_SLEEP);
}

static int step_get(co_task *t, const char *url, uint64_t expected_ns)
{
    sched *s = t->s;
    if (!s->net) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url, s->net_why);
        return SL_ENET;
    }
    int err = sl_net_loop_get(s->net, url, io_done, t);
    if (err < 0) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url, sl_strerror(err));
        return err;
    }
    emit(SL_EV_BLOCK, t->task, SL_WAIT_IO, expected_ns);
    t->waiting = true;
    sl_coro_yield(t->co);
    if (t->wait_status < 0) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url,
                 t->wait_why[0] ? t->wait_why : sl_strerror(t->wait_status));
        return t->wait_status;
    }
    return 0;
}

static int step_sleep(co_task *t, uint64_t ns)
{
    sched *s = t->s;
    if (!t->timer_used) {
        uv_timer_init(&s->loop, &t->timer);
        t->timer.data = t;
        t->timer_used = true;
    }
    /* libuv timers tick in ms; round up so a sleep never ends early. */
    uv_timer_start(&t->timer, sleep_done, (ns + 999999) / 1000000, 0);
    emit(SL_EV_BLOCK, t->task, SL_WAIT_SLEEP, ns);
    t->waiting = true;
    sl_coro_yield(t->co);
    return 0;
}

static int step_exec(co_task *t, uint32_t index, const sl_step *step)
{
    const sl_run_ctx *ctx = t->s->ctx;
    emit(SL_EV_STEP, t->task, step->kind, index);
    switch (step->kind) {
    case SL_STEP_CPU:
    case SL_STEP_CPU_SUMSQ: {
        uint64_t amount = step->kind == SL_STEP_CPU ? step->ns : step->n, sum;
        bool done =
            sl_work_run(step->kind, amount, SL__STOP_SLICE_NS, keep_going, (void *)ctx, &sum);
        return done ? 0 : SL_EINTR;
    }
    case SL_STEP_IO: {
        char url[128];
        sl_net_io_url(url, sizeof(url), ctx->net_port, step->ns, step->n);
        return step_get(t, url, step->ns);
    }
    case SL_STEP_GET:
        return step_get(t, step->url, 0);
    case SL_STEP_SLEEP:
        return step_sleep(t, step->ns);
    case SL_STEP_YIELD:
        emit(SL_EV_YIELD, t->task, 0, 0);
        ready_push(t->s, t);
        sl_coro_yield(t->co);
        return 0;
    default:
        snprintf(t->why, sizeof(t->why), "unknown step kind %u (scenario line %u)", step->kind,
                 step->line);
        return SL_EINVAL;
    }
}

static void task_body(sl_coro *co, void *arg)
{
    co_task *t = arg;
    const sl_run_ctx *ctx = t->s->ctx;
    const sl_step *steps = sl_task_steps(ctx->sc, t->task);
    uint32_t n = ctx->sc->tasks[t->task].n_steps;
    for (uint32_t i = 0; i < n && t->err == 0; i++) {
        if (sl__stopped(ctx)) {
            t->err = SL_EINTR;
            break;
        }
        t->step = i;
        t->err = step_exec(t, i, &steps[i]);
    }
}

/* ---- the scheduler ---- */

/* EXIT once, count the outcome, give the stack back. */
static void task_exit(sched *s, co_task *t, int err)
{
    sl_run_result *res = s->ctx->result;
    t->finished = true;
    s->live--;
    if (err == 0) {
        emit(SL_EV_EXIT, t->task, SL_EXIT_OK, 0);
        __atomic_fetch_add(&res->completed, 1, __ATOMIC_RELAXED);
    } else if (err == SL_EINTR) {
        emit(SL_EV_EXIT, t->task, SL_EXIT_CANCELLED, 0);
        __atomic_fetch_add(&res->cancelled, 1, __ATOMIC_RELAXED);
    } else {
        emit(SL_EV_EXIT, t->task, SL_EXIT_FAILED, (uint64_t)(int64_t)err);
        __atomic_fetch_add(&res->failed, 1, __ATOMIC_RELAXED);
        sl__result_failure(res, "task %s: %s", s->ctx->sc->tasks[t->task].name,
                           t->why[0] ? t->why : sl_strerror(err));
    }
    if (t->co) {
        sl_coro_destroy(t->co);
        t->co = NULL;
        sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, vehicle_of(t->task), SL_MARK_VEHICLE_EXIT, 0);
    }
}

static void resume(sched *s, co_task *t)
{
    sl_hook_emit_v(SL_EV_SWITCH, t->task, vehicle_of(t->task), 0, s->last);
    emit(SL_EV_RUN, t->task, 0, t->step);
    s->last = t->task;
    sl_coro_resume(t->co);
    if (sl_coro_status_of(t->co) == SL_CORO_DEAD)
        task_exit(s, t, t->err);
}

/* Does nothing: returning from uv_run is enough for the stop check. */
static void on_stop_watch(uv_timer_t *timer) {}

/* One loop iteration: the coroutines ready now, then the loop's callbacks. */
static void iterate(sched *s)
{
    co_task *batch_end = s->tail;
    while (s->head && !sl__stopped(s->ctx)) {
        co_task *t = ready_pop(s);
        resume(s, t);
        if (t == batch_end)
            break;
    }
    uv_run(&s->loop, s->head || sl__stopped(s->ctx) ? UV_RUN_NOWAIT : UV_RUN_ONCE);
}

/* Stop: every task not yet exited is cancelled where it stands. Its timer is
 * stopped here; a transfer in flight is abandoned when the client is freed,
 * and io_done leaves a finished task alone should it still fire. */
static void cancel_pending(sched *s)
{
    s->head = s->tail = NULL;
    for (uint32_t i = 0; i < s->ctx->sc->n_tasks; i++) {
        co_task *t = &s->tasks[i];
        if (t->finished)
            continue;
        if (t->timer_used)
            uv_timer_stop(&t->timer);
        task_exit(s, t, SL_EINTR);
    }
}

static int create_all(sched *s)
{
    sl_run_ctx *ctx = s->ctx;
    for (uint32_t i = 0; i < ctx->sc->n_tasks; i++) {
        co_task *t = &s->tasks[i];
        uint64_t t0 = sl_clock_ns();
        int err = sl_coro_create(&t->co, task_body, t, 0);
        uint64_t cost = sl_clock_ns() - t0;
        if (err < 0) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "cannot create coroutine %u of %u: %s", i + 1, ctx->sc->n_tasks,
                     sl_strerror(err));
            return err;
        }
        __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
        __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
        sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, vehicle_of(i), SL_MARK_VEHICLE_START, cost);
        ready_push(s, t);
    }
    return 0;
}

static void close_handles(sched *s)
{
    /* Transfers still in flight exist only after a stop (every finished task
     * saw its done callback); the client abandons them without a callback,
     * so a stop does not wait out a slow server. */
    if (s->net)
        sl_net_loop_client_free(s->net);
    for (uint32_t i = 0; i < s->ctx->sc->n_tasks; i++)
        if (s->tasks[i].timer_used)
            uv_close((uv_handle_t *)&s->tasks[i].timer, NULL);
    uv_close((uv_handle_t *)&s->stop_watch, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
}

static int run(sl_run_ctx *ctx)
{
    uint32_t n = ctx->sc->n_tasks;
    sl_ring *ring = sl_rings_claim(ctx->rings);
    if (!ring) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "no trace ring left for the coroutine scheduler");
        __atomic_fetch_add(&ctx->result->cancelled, n, __ATOMIC_RELAXED);
        return SL_ELIMIT;
    }
    /* The thread stays bound to this ring afterwards: it remains the ring's
     * only producer, so the runner's closing marks may land here too. */
    sl_hook_bind(ring, (uint32_t)getpid(), ctx->epoch_ns);

    sched *s = calloc(1, sizeof(*s));
    co_task *tasks = calloc(n ? n : 1, sizeof(*tasks));
    if (!s || !tasks || uv_loop_init(&s->loop) != 0) {
        free(tasks);
        free(s);
        snprintf(ctx->result->error, sizeof(ctx->result->error), "cannot set up the event loop");
        __atomic_fetch_add(&ctx->result->cancelled, n, __ATOMIC_RELAXED);
        return SL_ENOMEM;
    }
    /* Field by field: the initialised loop must not be copied. */
    s->ctx = ctx;
    s->tasks = tasks;
    s->live = n;
    s->last = SL_NO_TASK;
    uv_timer_init(&s->loop, &s->stop_watch);
    s->stop_watch.data = s;
    uv_timer_start(&s->stop_watch, on_stop_watch, STOP_WATCH_MS, STOP_WATCH_MS);
    for (uint32_t i = 0; i < n; i++) {
        tasks[i] = (co_task){.s = s, .task = i};
        emit(SL_EV_SPAWN, i, SL_READY_LOOP, 0);
    }
    if (sl__needs_net(ctx->sc, SL_NO_TASK)) {
        int err = sl_net_loop_client_new(&s->net, &s->loop);
        if (err < 0) {
            s->net = NULL;
            snprintf(s->net_why, sizeof(s->net_why), "no event-loop HTTP client: %s",
                     sl_strerror(err));
        }
    }

    sl__usage start;
    sl__usage_now(&start);
    int err = create_all(s);
    while (err == 0 && s->live > 0 && !sl__stopped(ctx))
        iterate(s);
    cancel_pending(s);
    close_handles(s);
    sl__usage_account(ctx->result, &start);
    /* A big run would otherwise keep thousands of touched stacks mapped. */
    sl_coro_pool_trim();

    int closed = uv_loop_close(&s->loop);
    free(tasks);
    free(s);
    return err < 0 ? err : closed == 0 ? 0 : SL_ESTATE;
}

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return 1;
}

const sl_strategy sl_strategy_coroutines = {
    .name = "coroutines",
    .summary = "stackful coroutines on one libuv event loop: io waits overlap, cpu blocks all",
    .python = "asyncio.gather(*tasks)",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
};
