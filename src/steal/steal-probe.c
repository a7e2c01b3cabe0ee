/*
 * steal-probe.c - what a cross-worker wake-up costs, measured on the
 * scheduler's own code (for `schedlab bench`): worker 1 is parked (PARK
 * as in a run: idle count, condition variable); another thread queues a
 * task for it with sl__ws_ready, which wakes it; the time runs until
 * worker 1 has popped the task from its queue.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "schedlab/error.h"
#include "steal/steal-internal.h"

typedef struct probe {
    ws_sched *s;
    atomic_ullong got_ns; /* when worker 1 popped the task; 0: not yet */
} probe;

static void *parked_worker(void *arg)
{
    probe *p = arg;
    ws_sched *s = p->s;
    ws_worker *w = &s->workers[1];
    while (!atomic_load(&s->done)) {
        uint32_t task = sl_runq_pop(&w->q);
        if (task == SL_NO_TASK) {
            sl__ws_park(s, w);
            continue;
        }
        atomic_store(&p->got_ns, sl_clock_ns());
    }
    return NULL;
}

double sl_steal_bench_wake_ns(uint32_t rounds)
{
    /* the probe has no run: a scenario with one task is all the queues use */
    static sl_run_result res;
    static sl_scenario sc = {.n_tasks = 1};
    atomic_int stop = 0;
    sl_run_ctx ctx = {.sc = &sc, .workers = 2, .stop = &stop, .result = &res};
    ws_sched s = {.ctx = &ctx, .n_workers = 2};
    ws_worker workers[2] = {0};
    ws_task task = {.s = &s, .task = 0, .worker = SL_NO_TASK};
    s.workers = workers;
    s.tasks = &task;
    if (sl__ws_global_init(&s.global, 1) < 0)
        return -1;
    pthread_mutex_init(&s.idle_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (uint32_t k = 0; k < 2; k++) {
        workers[k] = (ws_worker){.s = &s, .id = k, .last = SL_NO_TASK};
        sl_runq_init(&workers[k].q);
        pthread_cond_init(&workers[k].wake, &attr);
    }
    pthread_condattr_destroy(&attr);
    probe p = {.s = &s};
    pthread_t th;
    double result = -1;
    if (pthread_create(&th, NULL, parked_worker, &p) == 0) {
        uint64_t sum = 0;
        for (uint32_t r = 0; r < rounds; r++) {
            /* wait until worker 1 sleeps again */
            for (;;) {
                pthread_mutex_lock(&s.idle_lock);
                bool parked = workers[1].parked;
                pthread_mutex_unlock(&s.idle_lock);
                if (parked)
                    break;
                sched_yield();
            }
            atomic_store(&p.got_ns, 0);
            task.worker = 1;
            uint64_t t0 = sl_clock_ns();
            sl__ws_ready(&s, &task, NULL, false, true);
            uint64_t t1;
            while ((t1 = atomic_load(&p.got_ns)) == 0)
                sched_yield();
            sum += t1 - t0;
        }
        atomic_store(&s.done, true);
        sl__ws_wake_all(&s);
        pthread_join(th, NULL);
        result = rounds ? (double)sum / rounds : 0;
    }
    for (uint32_t k = 0; k < 2; k++) {
        sl_runq_destroy(&workers[k].q);
        pthread_cond_destroy(&workers[k].wake);
    }
    pthread_mutex_destroy(&s.idle_lock);
    sl__ws_global_free(&s.global);
    return result;
}
