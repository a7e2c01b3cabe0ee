/*
 * steal-poller.c - the one poller of the run, as Go's netpoller: its own
 * thread running a libuv loop with libcurl's multi-socket client and the
 * sleep timers of every task.
 *
 * A worker hands over a coroutine that BLOCKed on io or sleep (after it is
 * off the coroutine's stack) through a locked list and a uv_async; the
 * poller starts the transfer or the timer. When one ends, the poller emits
 * WAKE from its own ring and puts the task in the queue of the worker it
 * last ran on, waking a parked worker: the task may well be stolen from
 * there and resume on another thread.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "steal/steal-internal.h"

static void wake(ws_task *t, sl_wait_reason reason)
{
    ws_emit(SL_EV_WAKE, t->task, reason, 0);
    sl__ws_ready(t->s, t, NULL, false, true);
}

static void io_done(void *arg, int status, uint64_t bytes, const char *why)
{
    ws_task *t = arg;
    t->wait_status = status;
    snprintf(t->wait_why, sizeof(t->wait_why), "%s", why ? why : "");
    wake(t, SL_WAIT_IO);
}

static void sleep_done(uv_timer_t *timer)
{
    wake(timer->data, SL_WAIT_SLEEP);
}

static void start(ws_poller *p, ws_task *t)
{
    if (t->wait == SL_WAIT_SLEEP) {
        if (!t->timer_used) {
            uv_timer_init(&p->loop, &t->timer);
            t->timer.data = t;
            t->timer_used = true;
        }
        /* libuv timers tick in ms; round up so a sleep never ends early */
        uv_timer_start(&t->timer, sleep_done, (t->wait_ns + 999999) / 1000000, 0);
        return;
    }
    int err = sl_net_loop_get(p->net, t->url, io_done, t);
    if (err < 0)
        io_done(t, err, 0, sl_strerror(err));
}

static void shut(ws_sched *s)
{
    ws_poller *p = &s->poller;
    /* transfers still in flight exist only after a stop: abandoned */
    if (p->net != NULL)
        sl_net_loop_client_free(p->net);
    p->net = NULL;
    for (uint32_t i = 0; i < s->ctx->sc->n_tasks; i++)
        if (s->tasks[i].timer_used)
            uv_close((uv_handle_t *)&s->tasks[i].timer, NULL);
    uv_close((uv_handle_t *)&p->async, NULL);
}

static void on_async(uv_async_t *async)
{
    ws_sched *s = async->data;
    ws_poller *p = &s->poller;
    pthread_mutex_lock(&p->lock);
    ws_task *list = p->head;
    bool quit = p->quit;
    p->head = p->tail = NULL;
    pthread_mutex_unlock(&p->lock);
    if (quit) {
        shut(s);
        return;
    }
    while (list != NULL) {
        ws_task *t = list;
        list = t->poll_next;
        start(p, t);
    }
}

static void *poller_main(void *arg)
{
    ws_sched *s = arg;
    ws_poller *p = &s->poller;
    const sl_run_ctx *ctx = s->ctx;
    pid_t tid = gettid();
    sl_hook_bind(p->ring, (uint32_t)tid, ctx->epoch_ns);
    if (ctx->sampler != NULL)
        sl_os_sampler_add(ctx->sampler, getpid(), tid, SL_NO_TASK);
    uv_run(&p->loop, UV_RUN_DEFAULT);
    sl_usage_account(ctx->result, NULL);
    if (ctx->sampler != NULL)
        sl_os_sampler_remove(ctx->sampler, tid);
    sl_hook_unbind();
    return NULL;
}

int sl__ws_poller_start(ws_sched *s)
{
    ws_poller *p = &s->poller;
    sl_run_ctx *ctx = s->ctx;
    p->ring = sl_rings_claim(ctx->rings);
    if (p->ring == NULL) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "no trace ring left for the poller");
        return SL_ELIMIT;
    }
    if (uv_loop_init(&p->loop) != 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error),
                 "cannot set up the poller's event loop");
        return SL_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    uv_async_init(&p->loop, &p->async, on_async);
    p->async.data = s;
    if (sl_needs_net(ctx->sc, SL_NO_TASK)) {
        int err = sl_net_loop_client_new(&p->net, &p->loop);
        if (err < 0) {
            p->net = NULL;
            snprintf(p->net_why, sizeof(p->net_why), "no event-loop HTTP client: %s",
                     sl_strerror(err));
        }
    } else {
        snprintf(p->net_why, sizeof(p->net_why), "no HTTP client");
    }
    if (pthread_create(&p->thread, NULL, poller_main, s) != 0) {
        snprintf(ctx->result->error, sizeof(ctx->result->error), "cannot start the poller thread");
        shut(s);
        uv_run(&p->loop, UV_RUN_DEFAULT);
        uv_loop_close(&p->loop);
        pthread_mutex_destroy(&p->lock);
        return SL_ELIMIT;
    }
    p->started = true;
    return 0;
}

void sl__ws_poller_submit(ws_sched *s, ws_task *t)
{
    ws_poller *p = &s->poller;
    t->poll_next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail != NULL)
        p->tail->poll_next = t;
    else
        p->head = t;
    p->tail = t;
    pthread_mutex_unlock(&p->lock);
    uv_async_send(&p->async);
}

void sl__ws_poller_stop(ws_sched *s)
{
    ws_poller *p = &s->poller;
    if (!p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_mutex_unlock(&p->lock);
    uv_async_send(&p->async);
    pthread_join(p->thread, NULL);
    uv_loop_close(&p->loop);
    pthread_mutex_destroy(&p->lock);
    p->started = false;
}
