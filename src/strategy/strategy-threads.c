/*
 * strategy-threads.c - a pthread per task (Python: threading.Thread).
 *
 * The runner creates one thread per task, emitting SPAWN as it does; each
 * thread binds its own ring, registers with the kernel sampler and runs its
 * task with blocking calls, so the OS scheduler decides everything: the
 * ready list is the kernel's run queue, seen through OS_SAMPLE events.
 *
 * Stacks are small (128 KiB) so that ten thousand threads fit in address
 * space; when the OS refuses a thread (RLIMIT_NPROC, threads-max, memory)
 * the run stops creating, says which thread failed and why, cancels the
 * rest and lets the created ones finish: the lesson is the limit itself.
 *
 * The launcher is shared with the gil strategy, which differs only in what
 * a thread does with its task.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "blocking/blocking.h"
#include "shared/shared-objects.h"

/* Sanitizers need far more stack than the task code itself. */
#ifdef SL_SANITIZED
#define THREAD_STACK (1024u * 1024u)
#else
#define THREAD_STACK (128u * 1024u)
#endif

typedef struct vehicle {
    sl_run_ctx *ctx;
    uint32_t task;
    sl_ring *ring;
    sl__task_body body;
    void *arg;
    uint64_t created_ns; /* when the runner asked for the thread */
} vehicle;

int sl__thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err != 0)
        return err;
    err = pthread_attr_setstacksize(&attr, THREAD_STACK);
    if (err == 0)
        err = pthread_create(t, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return err;
}

static void *vehicle_main(void *p)
{
    vehicle *v = p;
    const sl_run_ctx *ctx = v->ctx;
    pid_t tid = gettid();
    sl_hook_bind(v->ring, (uint32_t)tid, ctx->epoch_ns);
    /* The cost the task sees: from the runner's request to running here. */
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_VEHICLE_START, sl_clock_ns() - v->created_ns);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, v->task);
    v->body(ctx, v->task, v->arg);
    sl__usage_account(ctx->result, NULL);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, tid);
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, SL_MARK_VEHICLE_EXIT, 0);
    sl_hook_unbind();
    return NULL;
}

static void creation_failed(sl_run_ctx *ctx, uint32_t task, int err)
{
    char buf[96];
    const char *msg = strerror_r(err, buf, sizeof(buf));
    snprintf(ctx->result->error, sizeof(ctx->result->error), "cannot create thread %u: %s%s",
             task + 1, msg, err == EAGAIN ? " (RLIMIT_NPROC / threads-max)" : "");
}

int sl__thread_per_task(sl_run_ctx *ctx, sl__task_body body, void *arg)
{
    uint32_t n = ctx->sc->n_tasks;
    vehicle *vs = calloc(n ? n : 1, sizeof(*vs));
    pthread_t *threads = calloc(n ? n : 1, sizeof(*threads));
    if (vs == NULL || threads == NULL) {
        free(vs);
        free(threads);
        sl__tasks_cancel(ctx, 0, n);
        return SL_ENOMEM;
    }
    int err = 0;
    uint32_t created = 0;
    while (created < n && !sl__stopped(ctx)) {
        uint32_t i = created;
        sl_ring *ring = sl_rings_claim(ctx->rings);
        if (ring == NULL) {
            snprintf(ctx->result->error, sizeof(ctx->result->error),
                     "no trace ring left for thread %u", i + 1);
            err = SL_ELIMIT;
            break;
        }
        vs[i] = (vehicle){.ctx = ctx, .task = i, .ring = ring, .body = body, .arg = arg};
        sl_hook_emit(SL_EV_SPAWN, i, 0, 0);
        vs[i].created_ns = sl_clock_ns();
        int e = sl__thread_start(&threads[i], vehicle_main, &vs[i]);
        uint64_t cost = sl_clock_ns() - vs[i].created_ns;
        if (e != 0) {
            creation_failed(ctx, i, e);
            err = SL_ELIMIT;
            break;
        }
        __atomic_fetch_add(&ctx->result->vehicle_create_ns, cost, __ATOMIC_RELAXED);
        __atomic_fetch_add(&ctx->result->n_vehicles, 1, __ATOMIC_RELAXED);
        created++;
    }
    /* Tasks never given a thread: stopped early or refused by the OS. */
    sl__tasks_cancel(ctx, created, n);
    for (uint32_t i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    free(vs);
    free(threads);
    return err;
}

static int thread_body(const sl_run_ctx *ctx, uint32_t task, void *arg)
{
    sl_net_client *client = sl__vehicle_client(ctx->sc, task);
    int status = sl_task_exec_blocking(ctx, task, client);
    if (client != NULL)
        sl_net_client_free(client);
    return status;
}

static uint32_t rings_needed(const sl_run_ctx *ctx)
{
    return ctx->sc->n_tasks + 2;
}

static int run(sl_run_ctx *ctx)
{
    int err = sl__shared_create(ctx, ctx->sc->n_tasks, SL__SHARED_PER_TASK);
    if (err < 0) {
        sl__tasks_cancel(ctx, 0, ctx->sc->n_tasks);
        return err;
    }
    err = sl__thread_per_task(ctx, thread_body, NULL);
    sl__shared_free(ctx);
    return err;
}

const sl_strategy sl_strategy_threads = {
    .name = "threads",
    .summary = "one OS thread per task; the kernel schedules them on every core",
    .python = "threading.Thread per task",
    .uses_workers = false,
    .rings_needed = rings_needed,
    .run = run,
};
