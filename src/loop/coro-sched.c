/*
 * coro-sched.c - the coroutine scheduler: stackful coroutines on one libuv
 * loop, as asyncio runs tasks (see schedlab/loop.h for who uses it).
 *
 *   io, get      the event-loop HTTP client (libcurl multi on this loop):
 *                BLOCK(io), yield to the scheduler; the transfer's done
 *                callback WAKEs it and queues it again
 *   sleep        a uv timer: BLOCK(sleep) .. WAKE
 *   yield        YIELD, back to the end of the ready queue
 *   put, take,   the run's shared objects (coro-shared.h): a wait parks the
 *   lock, unlock coroutine in the object's wait list, BLOCK(queue / lock),
 *   inc          and the coroutine that lets it go on WAKEs it; an inc
 *                never yields, so no update is lost
 *   cpu          the strategy's offloader if it has one; otherwise inline,
 *                holding the whole loop as in asyncio: no other coroutine
 *                runs until the step ends
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

#include "schedlab/error.h"
#include "schedlab/work.h"
#include "schedlab/loop.h"
#include "loop/coro-shared.h"
#include "loop/loop-internal.h"

/* How long a stop may go unnoticed while every coroutine waits. */
#define STOP_WATCH_MS 20

static sl_co_task *ready_pop(sl_sched *s)
{
    sl_co_task *t = s->head;
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
    return !sl_stopped(arg);
}

static void io_done(void *arg, int status, uint64_t bytes, const char *why)
{
    sl_co_task *t = arg;
    t->wait_status = status;
    snprintf(t->wait_why, sizeof(t->wait_why), "%s", why ? why : "");
    sl_sched_wake(t, SL_WAIT_IO, true);
}

static void sleep_done(uv_timer_t *timer)
{
    sl_sched_wake(timer->data, SL_WAIT_SLEEP, true);
}

static int step_get(sl_co_task *t, const char *url, uint64_t expected_ns)
{
    sl_sched *s = t->s;
    if (!s->net) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url, s->net_why);
        return SL_ENET;
    }
    int err = sl_net_loop_get(s->net, url, io_done, t);
    if (err < 0) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url, sl_strerror(err));
        return err;
    }
    sl_sched_block(t, SL_WAIT_IO, expected_ns);
    sl_sched_suspend(t);
    if (t->wait_status < 0) {
        snprintf(t->why, sizeof(t->why), "GET %s: %s", url,
                 t->wait_why[0] ? t->wait_why : sl_strerror(t->wait_status));
        return t->wait_status;
    }
    return 0;
}

static int step_sleep(sl_co_task *t, uint64_t ns)
{
    sl_sched *s = t->s;
    if (!t->timer_used) {
        uv_timer_init(&s->loop, &t->timer);
        t->timer.data = t;
        t->timer_used = true;
    }
    /* libuv timers tick in ms; round up so a sleep never ends early. */
    uv_timer_start(&t->timer, sleep_done, (ns + 999999) / 1000000, 0);
    sl_sched_block(t, SL_WAIT_SLEEP, ns);
    sl_sched_suspend(t);
    return 0;
}

static int step_exec(sl_co_task *t, uint32_t index, const sl_step *step)
{
    const sl_sched *s = t->s;
    const sl_run_ctx *ctx = s->ctx;
    emit(SL_EV_STEP, t->task, step->kind, index);
    switch (step->kind) {
    case SL_STEP_CPU:
    case SL_STEP_CPU_SUMSQ: {
        if (s->o->cpu != NULL)
            return s->o->cpu(t, index, step);
        uint64_t amount = step->kind == SL_STEP_CPU ? step->ns : step->n, sum;
        bool done =
            sl_work_run(step->kind, amount, SL_STOP_SLICE_NS, keep_going, (void *)ctx, &sum);
        return done ? 0 : SL_EINTR;
    }
    case SL_STEP_IO:
    case SL_STEP_GET:
    case SL_STEP_SLEEP:
        if (s->o->wait != NULL)
            return s->o->wait(t, index, step);
        if (step->kind == SL_STEP_SLEEP)
            return step_sleep(t, step->ns);
        if (step->kind == SL_STEP_GET)
            return step_get(t, step->url, 0);
        char url[128];
        sl_net_io_url_for(url, sizeof(url), ctx->net_port, t->task, step->ns, step->n);
        return step_get(t, url, step->ns);
    case SL_STEP_YIELD:
        emit(SL_EV_YIELD, t->task, 0, 0);
        sl__sched_ready_push(t->s, t);
        sl_coro_yield(t->co);
        return 0;
    case SL_STEP_PUT:
    case SL_STEP_TAKE:
    case SL_STEP_INC:
    case SL_STEP_LOCK:
    case SL_STEP_UNLOCK:
        return sl__co_shared_step(t, index, step);
    default:
        snprintf(t->why, sizeof(t->why), "unknown step kind %u (scenario line %u)", step->kind,
                 step->line);
        return SL_EINVAL;
    }
}

static void task_body(sl_coro *co, void *arg)
{
    sl_co_task *t = arg;
    const sl_run_ctx *ctx = t->s->ctx;
    const sl_step *steps = sl_task_steps(ctx->sc, t->task);
    uint32_t n = ctx->sc->tasks[t->task].n_steps;
    sl__co_shared_start(t);
    for (uint32_t i = 0; i < n && t->err == 0; i++) {
        if (sl_stopped(ctx)) {
            t->err = SL_EINTR;
            break;
        }
        t->step = i;
        t->err = step_exec(t, i, &steps[i]);
    }
}

/* ---- the scheduler ---- */

/* EXIT once, count the outcome, give the stack back. */
static void task_exit(sl_sched *s, sl_co_task *t, int err)
{
    sl_run_result *res = s->ctx->result;
    t->finished = true;
    s->live--;
    /* before the EXIT: the waiters its end lets go on are woken first */
    sl__co_shared_end(t);
    if (err == 0) {
        emit(SL_EV_EXIT, t->task, SL_EXIT_OK, 0);
        __atomic_fetch_add(&res->completed, 1, __ATOMIC_RELAXED);
    } else if (err == SL_EINTR) {
        emit(SL_EV_EXIT, t->task, SL_EXIT_CANCELLED, 0);
        __atomic_fetch_add(&res->cancelled, 1, __ATOMIC_RELAXED);
    } else {
        emit(SL_EV_EXIT, t->task, SL_EXIT_FAILED, (uint64_t)(int64_t)err);
        __atomic_fetch_add(&res->failed, 1, __ATOMIC_RELAXED);
        sl_result_failure(res, "task %s: %s", s->ctx->sc->tasks[t->task].name,
                          t->why[0] ? t->why : sl_strerror(err));
    }
    /* After the EXIT, so a parent never sees DONE for a task without one. */
    if (s->o->done_states != NULL)
        atomic_store(&s->o->done_states[t->task], SL_TASK_DONE);
    if (t->co) {
        sl_coro_destroy(t->co);
        t->co = NULL;
        sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, sl_coro_vehicle(t->task), SL_MARK_VEHICLE_EXIT, 0);
    }
}

static void resume(sl_sched *s, sl_co_task *t)
{
    /* Cancelled before its first step: it exits without running. */
    if (!sl_task_claim(s->ctx, t->task)) {
        task_exit(s, t, SL_EINTR);
        return;
    }
    uint32_t sv = s->o->switch_vehicle ? s->o->switch_vehicle : sl_coro_vehicle(t->task);
    sl_hook_emit_v(SL_EV_SWITCH, t->task, sv, 0, s->last);
    emit(SL_EV_RUN, t->task, 0, t->step);
    s->last = t->task;
    if (s->o->running_slot != NULL)
        atomic_store(s->o->running_slot, t->task);
    sl_coro_resume(t->co);
    if (s->o->running_slot != NULL)
        atomic_store(s->o->running_slot, SL_NO_TASK);
    if (sl_coro_status_of(t->co) == SL_CORO_DEAD)
        task_exit(s, t, t->err);
}

/* Does nothing: returning from uv_run is enough for the stop check. */
static void on_stop_watch(uv_timer_t *timer) {}

/* One loop iteration: the coroutines ready now, then the loop's callbacks. */
static void iterate(sl_sched *s)
{
    sl_co_task *batch_end = s->tail;
    while (s->head && !sl_stopped(s->ctx)) {
        sl_co_task *t = ready_pop(s);
        resume(s, t);
        if (t == batch_end)
            break;
    }
    uv_run(&s->loop, s->head || sl_stopped(s->ctx) ? UV_RUN_NOWAIT : UV_RUN_ONCE);
}

/* Stop: every task not yet exited is cancelled where it stands. Its timer is
 * stopped here; a transfer in flight is abandoned when the client is freed,
 * and io_done leaves a finished task alone should it still fire. */
static void cancel_pending(sl_sched *s)
{
    s->head = s->tail = NULL;
    for (uint32_t k = 0; k < s->n_owned; k++) {
        sl_co_task *t = &s->tasks[s->order[k]];
        if (t->finished)
            continue;
        if (t->timer_used)
            uv_timer_stop(&t->timer);
        task_exit(s, t, SL_EINTR);
    }
}

/* A number from a one-line /proc file, or 0. */
static long proc_number(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

/* Mappings of this process: the lines of /proc/self/maps. */
static long map_count(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;
    if (f == NULL)
        return 0;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Says which limit stopped coroutine k. Stacks past half of
 * vm.max_map_count share slab mappings, so the map count stops a run only
 * if something else used the mappings up; memory is the usual limit. */
static void creation_failed(sl_run_ctx *ctx, uint32_t k, uint32_t n, int err)
{
    long max = proc_number("/proc/sys/vm/max_map_count");
    long maps = map_count();
    if (max > 0 && maps + 16 >= max)
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "cannot create coroutine %u of %u: vm.max_map_count (%ld) reached", k + 1, n, max);
    else
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "cannot create coroutine %u of %u: %s (each needs about 5 KiB of memory and "
                 "68 KiB of address space)",
                 k + 1, n, sl_strerror(err));
}

static int create_all(sl_sched *s)
{
    sl_run_ctx *ctx = s->ctx;
    for (uint32_t k = 0; k < s->n_owned; k++) {
        uint32_t i = s->order[k];
        sl_co_task *t = &s->tasks[i];
        uint64_t t0 = sl_clock_ns();
        int err = sl_coro_create(&t->co, task_body, t, 0);
        uint64_t cost = sl_clock_ns() - t0;
        if (err < 0) {
            creation_failed(ctx, k, s->n_owned, err);
            return err;
        }
        __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
        __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
        sl_hook_emit_v(SL_EV_MARK, SL_NO_TASK, sl_coro_vehicle(i), SL_MARK_VEHICLE_START, cost);
        sl__sched_ready_push(s, t);
    }
    return 0;
}

static void close_handles(sl_sched *s)
{
    /* Transfers still in flight exist only after a stop (every finished task
     * saw its done callback); the client abandons them without a callback,
     * so a stop does not wait out a slow server. */
    if (s->net)
        sl_net_loop_client_free(s->net);
    if (s->o->close != NULL)
        s->o->close(s);
    for (uint32_t k = 0; k < s->n_owned; k++)
        if (s->tasks[s->order[k]].timer_used)
            uv_close((uv_handle_t *)&s->tasks[s->order[k]].timer, NULL);
    uv_close((uv_handle_t *)&s->stop_watch, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
}

static bool owned_need_net(const sl_sched *s)
{
    if (s->o->tasks == NULL)
        return sl_needs_net(s->ctx->sc, SL_NO_TASK);
    for (uint32_t k = 0; k < s->n_owned; k++)
        if (sl_needs_net(s->ctx->sc, s->order[k]))
            return true;
    return false;
}

/* Everything but the loop; the caller initialises that in place. */
static sl_sched *sched_new(sl_run_ctx *ctx, const sl_sched_opts *o)
{
    uint32_t n = ctx->sc->n_tasks;
    uint32_t owned = o->tasks != NULL ? o->n_tasks : n;
    sl_sched *s = calloc(1, sizeof(*s));
    sl_co_task *tasks = calloc(n ? n : 1, sizeof(*tasks));
    uint32_t *order = malloc((owned ? owned : 1) * sizeof(*order));
    if (!s || !tasks || !order) {
        free(s);
        free(tasks);
        free(order);
        return NULL;
    }
    s->ctx = ctx;
    s->o = o;
    s->user = o->user;
    s->tasks = tasks;
    s->order = order;
    s->n_owned = owned;
    s->live = owned;
    s->last = SL_NO_TASK;
    for (uint32_t k = 0; k < owned; k++)
        order[k] = o->tasks != NULL ? o->tasks[k] : k;
    return s;
}

static void sched_free(sl_sched *s)
{
    free(s->order);
    free(s->tasks);
    free(s);
}

int sl_sched_run(sl_run_ctx *ctx, const sl_sched_opts *o)
{
    sl_sched *s = sched_new(ctx, o);
    uint32_t owned = o->tasks != NULL ? o->n_tasks : ctx->sc->n_tasks;
    if (s == NULL || uv_loop_init(&s->loop) != 0) {
        if (s != NULL)
            sched_free(s);
        snprintf(ctx->result->error, sizeof(ctx->result->error), "cannot set up the event loop");
        __atomic_fetch_add(&ctx->result->cancelled, owned, __ATOMIC_RELAXED);
        return SL_ENOMEM;
    }
    uv_timer_init(&s->loop, &s->stop_watch);
    s->stop_watch.data = s;
    uv_timer_start(&s->stop_watch, on_stop_watch, STOP_WATCH_MS, STOP_WATCH_MS);
    for (uint32_t k = 0; k < s->n_owned; k++) {
        uint32_t i = s->order[k];
        s->tasks[i] = (sl_co_task){.s = s, .task = i};
        if (!o->no_spawn)
            emit(SL_EV_SPAWN, i, SL_READY_LOOP, 0);
    }
    if (owned_need_net(s)) {
        int err = sl_net_loop_client_new(&s->net, &s->loop);
        if (err < 0) {
            s->net = NULL;
            snprintf(s->net_why, sizeof(s->net_why), "no event-loop HTTP client: %s",
                     sl_strerror(err));
        }
    }
    if (o->start != NULL)
        o->start(s);

    /* The loop's thread is the one OS vehicle: the kernel's switch counts
     * and run-queue waits are its. */
    pid_t loop_tid = gettid();
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), loop_tid, SL_NO_TASK);
    sl_usage start;
    sl_usage_now(&start);
    bool own_shared;
    int err = sl__co_shared_open(ctx, s->n_owned, &own_shared);
    if (err < 0)
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "cannot set up the queues, counters and locks: %s", sl_strerror(err));
    else
        err = create_all(s);
    while (err == 0 && s->live > 0 && !sl_stopped(ctx))
        iterate(s);
    if (o->drain != NULL)
        o->drain(s);
    cancel_pending(s);
    sl__co_shared_close(ctx, own_shared);
    close_handles(s);
    sl_usage_account(ctx->result, &start);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, loop_tid);
    /* A big run would otherwise keep thousands of touched stacks mapped. */
    sl_coro_pool_trim();

    int closed = uv_loop_close(&s->loop);
    sched_free(s);
    return err < 0 ? err : closed == 0 ? 0 : SL_ESTATE;
}
