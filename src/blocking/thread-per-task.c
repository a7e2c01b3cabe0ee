/*
 * thread-per-task.c - one pthread per task, the launcher of the threads and
 * gil strategies, and the threads strategy itself (sl_threads_run).
 *
 * Each thread binds its own ring, registers with the kernel sampler and
 * runs its task through the caller's body. Stacks are small (128 KiB) so
 * that ten thousand threads fit in address space; when the OS refuses a
 * thread (RLIMIT_NPROC, threads-max, memory) the run stops creating, says
 * which thread failed and why, cancels the rest and lets the created ones
 * finish: the lesson is the limit itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/net.h"
#include "schedlab/blocking.h"
#include "schedlab/net.h"

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
    sl_task_body body;
    void *arg;
    uint64_t created_ns; /* when the runner asked for the thread */
} vehicle;

int sl_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
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
    sl_net_client *client = sl_vehicle_client(ctx->sc, v->task);
    v->body(ctx, v->task, client, v->arg);
    if (client != NULL)
        sl_net_client_free(client);
    sl_thread_vehicle_end(ctx, tid);
    return NULL;
}

static void creation_failed(sl_run_ctx *ctx, uint32_t task, int err)
{
    char buf[96];
    const char *msg = strerror_r(err, buf, sizeof(buf));
    snprintf(ctx->result->error, sizeof(ctx->result->error), "cannot create thread %u: %s%s",
             task + 1, msg, err == EAGAIN ? " (RLIMIT_NPROC / threads-max)" : "");
}

int sl_thread_per_task(sl_run_ctx *ctx, sl_task_body body, void *arg)
{
    uint32_t n = ctx->sc->n_tasks;
    vehicle *vs = calloc(n ? n : 1, sizeof(*vs));
    pthread_t *threads = calloc(n ? n : 1, sizeof(*threads));
    if (vs == NULL || threads == NULL) {
        free(vs);
        free(threads);
        sl_tasks_cancel(ctx, 0, n);
        return SL_ENOMEM;
    }
    int err = 0;
    uint32_t created = 0;
    while (created < n && !sl_stopped(ctx)) {
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
        int e = sl_thread_start(&threads[i], vehicle_main, &vs[i]);
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
    sl_tasks_cancel(ctx, created, n);
    for (uint32_t i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    free(vs);
    free(threads);
    return err;
}

/* A thread of the threads (or gil) strategy: its task under the run's GIL
 * (`arg`), or none. */
static int thread_body(const sl_run_ctx *ctx, uint32_t task, sl_net_client *client, void *arg)
{
    return sl_gil_task_exec(ctx, task, arg, client);
}

int sl_threads_run(sl_run_ctx *ctx, bool force_gil)
{
    sl_gil gil;
    bool with_gil = force_gil || ctx->gil == SL_GIL_ON;
    if (with_gil && sl_gil_init(&gil, ctx->gil_interval_ns) < 0) {
        sl_tasks_cancel(ctx, 0, ctx->sc->n_tasks);
        return SL_ENOMEM;
    }
    int err = sl_shared_create(ctx, ctx->sc->n_tasks, SL_SHARED_PER_TASK);
    if (err == 0) {
        /* It cancels what it could not start itself. */
        err = sl_thread_per_task(ctx, thread_body, with_gil ? &gil : NULL);
        sl_shared_free(ctx);
    } else {
        sl_tasks_cancel(ctx, 0, ctx->sc->n_tasks);
    }
    if (with_gil)
        sl_gil_destroy(&gil);
    return err;
}
