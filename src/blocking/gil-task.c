/*
 * gil-task.c - a task on a thread of an interpreter with a GIL: what the
 * `gil` strategy does, and what threads, threadpool and async+threads'
 * executor do when the run's GIL is on (runtime.h).
 *
 * Per task, the GIL is needed only for cpu steps, as CPython releases it in
 * blocking calls:
 *   cpu step      take it if not held (READY(GIL) .. GIL_TAKE, RUN); every
 *                 slice of about 50 µs checks the drop request, and when a
 *                 waiter asked: GIL_DROP(interval), wait until it has been
 *                 taken, queue again;
 *   after it      keep it if the next step is cpu; keep it into an io/sleep
 *                 step, which drops it as GIL_DROP(block) just before
 *                 blocking; otherwise GIL_DROP(done);
 *   io / sleep    run without the GIL; after WAKE a task whose next step is
 *                 cpu queues for the GIL instead of running.
 *   put, take,    Python code too, so they run holding the GIL; a wait
 *   lock, unlock  drops it (GIL_DROP(block), BLOCK) and the WAKE queues for
 *                 it again, as CPython releases the GIL in a blocking
 *                 queue.get or lock.acquire;
 *   inc           holds the GIL, but its window polls the drop request like
 *                 a cpu step: a forced switch between the read and the
 *                 write loses updates, as `counter += 1` does in CPython.
 * So cpu-bound tasks take turns on one core while io waits still overlap.
 */
#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/shared.h"

/* Work between two polls of the drop request (CPython polls its eval
 * breaker every few bytecodes: far finer than the switch interval). */
#define GIL_SLICE_NS 50000ull

typedef struct gil_slice {
    const sl_run_ctx *ctx;
    sl_gil *gil;
    uint32_t task, index;
} gil_slice;

static bool is_cpu(const sl_step *s)
{
    return s->kind == SL_STEP_CPU || s->kind == SL_STEP_CPU_SUMSQ;
}

static bool is_wait(const sl_step *s)
{
    return s->kind == SL_STEP_IO || s->kind == SL_STEP_GET || s->kind == SL_STEP_SLEEP;
}

/* Steps that execute Python code: they need the GIL. */
static bool needs_gil(const sl_step *s)
{
    return is_cpu(s) || (s->kind >= SL_STEP_PUT && s->kind <= SL_STEP_UNLOCK);
}

/* The eval breaker: between slices, give the GIL away if asked. */
static bool between_slices(void *arg)
{
    gil_slice *s = arg;
    if (sl_stopped(s->ctx))
        return false;
    if (sl_gil_drop_requested(s->gil)) {
        sl_gil_yield(s->gil, s->task);
        sl_hook_emit(SL_EV_RUN, s->task, 0, s->index);
    }
    return true;
}

/* A shared-object step's waits: the GIL goes while blocked. */
typedef struct gil_wait {
    gil_slice slice;
    bool *held;
} gil_wait;

static void wait_block(void *arg, uint32_t task, sl_wait_reason reason)
{
    gil_wait *w = arg;
    if (*w->held) {
        sl_gil_drop(w->slice.gil, task, SL_GIL_DROP_BLOCK);
        *w->held = false;
    }
    sl_hook_emit(SL_EV_BLOCK, task, reason, 0);
}

static void wait_wake(void *arg, uint32_t task, sl_wait_reason reason)
{
    gil_wait *w = arg;
    sl_hook_emit(SL_EV_WAKE, task, reason, 0);
    sl_gil_take(w->slice.gil, task);
    *w->held = true;
    sl_hook_emit(SL_EV_RUN, task, 0, w->slice.index);
}

static bool wait_poll(void *arg)
{
    gil_wait *w = arg;
    return between_slices(&w->slice);
}

/* Runs put/take/inc/lock/unlock step `index`; the caller has emitted STEP
 * and holds the GIL (*held), which a wait gives up and takes back. */
static int shared_step(const sl_run_ctx *ctx, sl_gil *gil, uint32_t task, uint32_t index,
                       const sl_step *step, bool *held, char *why, size_t why_size)
{
    gil_wait w = {.slice = {.ctx = ctx, .gil = gil, .task = task, .index = index}, .held = held};
    sl_shared_hooks h = {.block = wait_block, .wake = wait_wake, .poll = wait_poll, .arg = &w};
    return sl_shared_step(ctx->shared, ctx, task, step, &h, why, why_size);
}

/* Runs cpu step `index`; the caller has emitted STEP and holds the GIL. */
static int cpu_step(const sl_run_ctx *ctx, sl_gil *gil, uint32_t task, uint32_t index,
                    const sl_step *step)
{
    gil_slice s = {.ctx = ctx, .gil = gil, .task = task, .index = index};
    uint64_t amount = step->kind == SL_STEP_CPU ? step->ns : step->n;
    uint64_t sum;
    return sl_work_run(step->kind, amount, GIL_SLICE_NS, between_slices, &s, &sum) ? 0 : SL_EINTR;
}

int sl_gil_task_exec(const sl_run_ctx *ctx, uint32_t task, sl_gil *gil,
                     struct sl_net_client *client)
{
    if (gil == NULL)
        return sl_task_exec_blocking(ctx, task, client);
    const sl_step *steps = sl_task_steps(ctx->sc, task);
    uint32_t n = ctx->sc->tasks[task].n_steps;
    char why[160] = "";
    if (sl_stopped(ctx) || !sl_task_claim(ctx, task))
        return sl_task_finish(ctx, task, SL_EINTR, why);
    sl_shared_task_start(ctx->shared, task);
    if (n == 0 || !needs_gil(&steps[0]))
        sl_hook_emit(SL_EV_RUN, task, 0, 0);

    int err = 0;
    bool held = false;
    for (uint32_t i = 0; i < n && err == 0; i++) {
        const sl_step *step = &steps[i];
        const sl_step *next = i + 1 < n ? &steps[i + 1] : NULL;
        if (!needs_gil(step)) {
            if (held) {
                sl_gil_drop(gil, task, SL_GIL_DROP_BLOCK);
                held = false;
            }
            err = sl_step_exec(ctx, task, i, step, client, next == NULL || !needs_gil(next), why,
                               sizeof(why));
            continue;
        }
        if (sl_stopped(ctx)) {
            err = SL_EINTR;
            break;
        }
        sl_hook_emit(SL_EV_STEP, task, step->kind, i);
        if (!held) {
            sl_gil_take(gil, task);
            sl_hook_emit(SL_EV_RUN, task, 0, i);
            held = true;
        }
        if (is_cpu(step))
            err = cpu_step(ctx, gil, task, i, step);
        else
            err = shared_step(ctx, gil, task, i, step, &held, why, sizeof(why));
        if (err == 0 && next != NULL && (needs_gil(next) || is_wait(next)))
            continue;
        if (held)
            sl_gil_drop(gil, task, SL_GIL_DROP_DONE);
        held = false;
    }
    /* A stop seen between two cpu steps leaves it held. */
    if (held)
        sl_gil_drop(gil, task, SL_GIL_DROP_DONE);
    return sl_task_finish(ctx, task, err, why);
}

int sl_gil_cpu_exec(const sl_run_ctx *ctx, sl_gil *gil, uint32_t task, uint32_t index,
                    const sl_step *step)
{
    sl_gil_take(gil, task);
    sl_hook_emit(SL_EV_RUN, task, 0, index);
    int err = cpu_step(ctx, gil, task, index, step);
    sl_gil_drop(gil, task, SL_GIL_DROP_DONE);
    return err;
}
