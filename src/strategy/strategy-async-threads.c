/*
 * strategy-async-threads.c - coroutines on one loop, blocking work handed
 * to an executor of N threads (Python: asyncio + loop.run_in_executor with
 * a ThreadPoolExecutor). The run's `offload` says which steps go:
 *   cpu   cpu steps; io and sleep are awaited on the loop as under
 *         `coroutines`;
 *   io    the blocking calls (io, get, sleep), as the notes'
 *         run_in_executor(pool, blocking_download): N downloads at once,
 *         so the loop behaves like a pool of N; cpu steps hold the loop;
 *   all   both (the default).
 * The executor threads are threads of the loop's interpreter: with the
 * run's GIL on they share one GIL for their cpu steps (gil-task.c), so
 * offloaded cpu steps take turns on one core, as under CPython; with it
 * off N of them compute at once on N cores. (The loop's own bytecode
 * between steps is not charged to the GIL: it is tiny beside the steps.)
 *
 * The executor is our own, not libuv's thread pool: uv_queue_work's pool
 * size is read from UV_THREADPOOL_SIZE once per process, so a second run
 * with another pool size would silently keep the first. N = ctx->workers
 * pthreads share a FIFO of jobs under a mutex and signal the loop with a
 * uv_async, as call_soon_threadsafe does for a finished future.
 *
 * Hooks of one offloaded cpu step (vehicle in brackets):
 *   loop      STEP(cpu), BLOCK(child, expected ns)   "awaiting the executor"
 *   executor  [READY(GIL), GIL_TAKE]   [its tid]     with the GIL on
 *   executor  RUN(step index)          [its tid]     computing on its core
 *   executor  [GIL_DROP(done)]         [its tid]
 *   executor  WAKE(child)              [its tid]     the future is resolved
 *   loop      READY(loop)                            the done callback queued it
 *   loop      SWITCH + RUN                           the coroutine continues
 * and of an offloaded wait: the loop's STEP and BLOCK(child), then the
 * executor's BLOCK(io or sleep) .. WAKE as the blocking call runs there.
 * A job waiting for a free executor thread stays waiting(child). Each
 * executor thread has its own ring, is registered with the kernel sampler
 * carrying the task of its current job, and adds its CPU time to the result.
 *
 * Stop: jobs not started are dropped, running ones end at their next slice,
 * the threads are joined, then the scheduler cancels every pending task.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/strategy.h"
#include "schedlab/error.h"
#include "schedlab/work.h"
#include "schedlab/blocking.h"
#include "schedlab/loop.h"
#include "schedlab/net.h"

typedef struct job {
    sl_co_task *t;
    uint32_t index;      /* step index (RUN's arg) */
    const sl_step *step; /* a cpu step, or a wait (io, get, sleep) */
    int err;             /* 0, SL_EINTR if a stop cut it short, or SL_E* with why */
    char why[160];       /* a failed wait's sentence */
    struct job *next;
} job;

typedef struct executor executor;

typedef struct exec_thread {
    executor *x;
    pthread_t thread;
    sl_ring *ring;
    uint64_t asked_ns;     /* when the loop asked for the thread */
    sl_net_client *client; /* its own HTTP client for offloaded io (or NULL) */
} exec_thread;

struct executor {
    sl_run_ctx *ctx;
    job *jobs; /* one per task: a coroutine awaits one step at a time */
    exec_thread *th;
    uint32_t n_threads; /* started */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *todo, *todo_tail; /* submitted, not started (FIFO) */
    job *done;             /* finished, not yet seen by the loop */
    bool quit;
    bool async_used;
    uv_async_t async;
    char why[160]; /* why no thread could be started */
    sl_gil *gil;   /* the interpreter's GIL, or NULL when the run has none */
};

static uint32_t pool_size(const sl_run_ctx *ctx)
{
    return ctx->workers > 0 ? ctx->workers : 1;
}

static bool keep_going(void *arg)
{
    return !sl_stopped(arg);
}

static bool is_cpu(const sl_step *step)
{
    return step->kind == SL_STEP_CPU || step->kind == SL_STEP_CPU_SUMSQ;
}

static bool offloads_cpu(const sl_run_ctx *ctx)
{
    return ctx->offload != SL_OFFLOAD_IO;
}

static bool offloads_waits(const sl_run_ctx *ctx)
{
    return ctx->offload == SL_OFFLOAD_IO || ctx->offload == SL_OFFLOAD_ALL;
}

/* Runs one job on the executor thread `th`; emits the events that end it. */
static void run_job(exec_thread *th, job *j)
{
    executor *x = th->x;
    const sl_run_ctx *ctx = x->ctx;
    uint32_t task = j->t->task;
    if (!is_cpu(j->step)) {
        /* The blocking call itself: BLOCK(io|sleep) .. WAKE on this thread,
         * without the GIL (CPython releases it in blocking calls). */
        j->err =
            sl_step_wait(ctx, task, j->index, j->step, th->client, false, j->why, sizeof(j->why));
        return;
    }
    if (x->gil != NULL) {
        j->err = sl_gil_cpu_exec(ctx, x->gil, task, j->index, j->step);
    } else {
        sl_hook_emit(SL_EV_RUN, task, 0, j->index);
        uint64_t sum, amount = j->step->kind == SL_STEP_CPU ? j->step->ns : j->step->n;
        bool whole =
            sl_work_run(j->step->kind, amount, SL_STOP_SLICE_NS, keep_going, (void *)ctx, &sum);
        j->err = whole ? 0 : SL_EINTR;
    }
    sl_hook_emit(SL_EV_WAKE, task, SL_WAIT_CHILD, 0);
}

static void *exec_main(void *arg)
{
    exec_thread *th = arg;
    executor *x = th->x;
    sl_run_ctx *ctx = x->ctx;
    pid_t tid = gettid();
    sl_hook_bind(th->ring, (uint32_t)tid, ctx->epoch_ns);
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_VEHICLE_START, sl_clock_ns() - th->asked_ns);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, SL_NO_TASK);
    if (offloads_waits(ctx))
        th->client = sl_vehicle_client(ctx->sc, SL_NO_TASK);
    pthread_mutex_lock(&x->mu);
    for (;;) {
        while (x->todo == NULL && !x->quit)
            pthread_cond_wait(&x->cv, &x->mu);
        if (x->todo == NULL)
            break;
        job *j = x->todo;
        x->todo = j->next;
        if (x->todo == NULL)
            x->todo_tail = NULL;
        pthread_mutex_unlock(&x->mu);

        uint32_t task = j->t->task;
        if (ctx->sampler != NULL)
            sl_os_sampler_set_task(ctx->sampler, tid, task);
        run_job(th, j);
        if (ctx->sampler != NULL)
            sl_os_sampler_set_task(ctx->sampler, tid, SL_NO_TASK);

        pthread_mutex_lock(&x->mu);
        j->next = x->done;
        x->done = j;
        uv_async_send(&x->async);
    }
    pthread_mutex_unlock(&x->mu);
    if (th->client != NULL)
        sl_net_client_free(th->client);
    sl_thread_vehicle_end(ctx, tid);
    return NULL;
}

/* On the loop: finished jobs give their coroutines back to the ready queue. */
static void on_done(uv_async_t *async)
{
    executor *x = async->data;
    pthread_mutex_lock(&x->mu);
    job *list = x->done;
    x->done = NULL;
    pthread_mutex_unlock(&x->mu);
    /* The list is newest first; queue in completion order. */
    job *fifo = NULL;
    while (list != NULL) {
        job *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
    }
    for (job *j = fifo; j != NULL;) {
        job *next = j->next;
        /* The executor emitted the WAKE (child, or the wait's own). */
        sl_sched_wake(j->t, is_cpu(j->step) ? SL_WAIT_CHILD : SL_WAIT_IO, false);
        j = next;
    }
}

/* Inside a coroutine: hand the step over and await it. */
static int offload(sl_co_task *t, uint32_t index, const sl_step *step)
{
    executor *x = t->s->user;
    if (x->n_threads == 0) {
        snprintf(t->why, sizeof(t->why), "%s", x->why);
        return SL_ELIMIT;
    }
    job *j = &x->jobs[t->task];
    *j = (job){.t = t, .index = index, .step = step};
    sl_sched_block(t, SL_WAIT_CHILD, step->kind == SL_STEP_CPU_SUMSQ ? 0 : step->ns);
    pthread_mutex_lock(&x->mu);
    if (x->todo_tail)
        x->todo_tail->next = j;
    else
        x->todo = j;
    x->todo_tail = j;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
    sl_sched_suspend(t);
    if (j->err != 0 && j->err != SL_EINTR)
        snprintf(t->why, sizeof(t->why), "%s", j->why);
    return j->err;
}

/* True if some step will go to the executor. */
static bool has_offloaded_steps(const sl_run_ctx *ctx)
{
    const sl_scenario *sc = ctx->sc;
    for (size_t i = 0; i < sc->n_steps; i++) {
        uint8_t k = sc->steps[i].kind;
        if ((k == SL_STEP_CPU || k == SL_STEP_CPU_SUMSQ)
                ? offloads_cpu(ctx)
                : (k == SL_STEP_IO || k == SL_STEP_GET || k == SL_STEP_SLEEP) &&
                      offloads_waits(ctx))
            return true;
    }
    return false;
}

/* Once the loop exists: the async handle, then the threads. A thread that
 * cannot be created leaves a smaller pool (none at all fails cpu steps). */
static void exec_start(sl_sched *s)
{
    executor *x = s->user;
    uv_async_init(&s->loop, &x->async, on_done);
    x->async.data = x;
    x->async_used = true;
    if (!has_offloaded_steps(x->ctx))
        return;
    uint32_t n = pool_size(x->ctx);
    for (uint32_t i = 0; i < n; i++) {
        exec_thread *th = &x->th[i];
        th->x = x;
        th->ring = sl_rings_claim(x->ctx->rings);
        if (th->ring == NULL) {
            snprintf(x->why, sizeof(x->why), "no trace ring left for executor thread %u", i + 1);
            break;
        }
        th->asked_ns = sl_clock_ns();
        int rc = pthread_create(&th->thread, NULL, exec_main, th);
        if (rc != 0) {
            char buf[96];
            snprintf(x->why, sizeof(x->why), "cannot create executor thread %u: %s", i + 1,
                     strerror_r(rc, buf, sizeof(buf)));
            break;
        }
        __atomic_fetch_add(&x->ctx->result->vehicle_create_ns, sl_clock_ns() - th->asked_ns,
                           __ATOMIC_RELAXED);
        __atomic_fetch_add(&x->ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
        x->n_threads++;
    }
    if (x->n_threads < n)
        sl_result_failure(x->ctx->result, "executor: %s", x->why);
}

/* After the loop (done or stopped): drop jobs not started, join the threads.
 * Their WAKEs precede the EXITs the scheduler emits next. */
static void exec_drain(sl_sched *s)
{
    executor *x = s->user;
    pthread_mutex_lock(&x->mu);
    x->quit = true;
    x->todo = x->todo_tail = NULL;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    for (uint32_t i = 0; i < x->n_threads; i++)
        pthread_join(x->th[i].thread, NULL);
    x->n_threads = 0;
    x->done = NULL;
}

static void exec_close(sl_sched *s)
{
    executor *x = s->user;
    if (x->async_used)
        uv_close((uv_handle_t *)&x->async, NULL);
}

static int async_threads_run(sl_run_ctx *ctx)
{
    int err = sl_sched_bind_ring(ctx);
    if (err < 0)
        return err;
    executor x = {.ctx = ctx};
    x.jobs = calloc(ctx->sc->n_tasks ? ctx->sc->n_tasks : 1, sizeof(*x.jobs));
    x.th = calloc(pool_size(ctx), sizeof(*x.th));
    if (x.jobs == NULL || x.th == NULL) {
        free(x.jobs);
        free(x.th);
        __atomic_fetch_add(&ctx->result->cancelled, ctx->sc->n_tasks, __ATOMIC_RELAXED);
        return SL_ENOMEM;
    }
    sl_gil gil;
    if (ctx->gil == SL_GIL_ON && offloads_cpu(ctx)) {
        if (sl_gil_init(&gil, ctx->gil_interval_ns) < 0) {
            free(x.jobs);
            free(x.th);
            __atomic_fetch_add(&ctx->result->cancelled, ctx->sc->n_tasks, __ATOMIC_RELAXED);
            return SL_ENOMEM;
        }
        x.gil = &gil;
    }
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    sl_sched_opts o = {.switch_vehicle = (uint32_t)getpid(),
                       .cpu = offloads_cpu(ctx) ? offload : NULL,
                       .wait = offloads_waits(ctx) ? offload : NULL,
                       .start = exec_start,
                       .drain = exec_drain,
                       .close = exec_close,
                       .user = &x};
    err = sl_sched_run(ctx, &o);
    pthread_cond_destroy(&x.cv);
    pthread_mutex_destroy(&x.mu);
    if (x.gil != NULL)
        sl_gil_destroy(x.gil);
    free(x.jobs);
    free(x.th);
    return err;
}

static uint32_t async_threads_rings(const sl_run_ctx *ctx)
{
    return 1 + pool_size(ctx);
}

const sl_strategy sl_strategy_async_threads = {
    .name = "async+threads",
    .summary = "coroutines on one loop; blocking steps go to an executor of N threads",
    .python = "asyncio + loop.run_in_executor(ThreadPoolExecutor)",
    .uses_workers = true,
    .rings_needed = async_threads_rings,
    .run = async_threads_run,
    .event_loop_io = true,
    .gil = SL_GIL_SCOPE_RUN,
};
