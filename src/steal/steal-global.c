/*
 * steal-global.c - the global ready queue: where spawned tasks start and a
 * full local queue spills, and what an idle worker looks at before it
 * steals. A worker takes Go's share of it at once (globrunqget), so the
 * spawns spread over the workers without each one taking everything.
 */
#include <stdlib.h>

#include "schedlab/error.h"
#include "steal/steal-internal.h"

int sl__ws_global_init(ws_global *g, uint32_t cap)
{
    g->slot = malloc((cap ? cap : 1) * sizeof(*g->slot));
    if (g->slot == NULL)
        return SL_ENOMEM;
    g->cap = cap ? cap : 1;
    g->head = g->tail = 0;
    atomic_store(&g->size, 0);
    pthread_mutex_init(&g->lock, NULL);
    return 0;
}

void sl__ws_global_free(ws_global *g)
{
    pthread_mutex_destroy(&g->lock);
    free(g->slot);
}

void sl__ws_global_push(ws_sched *s, uint32_t task)
{
    ws_global *g = &s->global;
    pthread_mutex_lock(&g->lock);
    /* never full: a task is in one queue at most, and there are cap tasks */
    g->slot[g->tail++ % g->cap] = task;
    atomic_store(&g->size, g->tail - g->head);
    ws_emit(SL_EV_READY, task, SL_READY_LOOP, SL_READY_AT_GLOBAL);
    pthread_mutex_unlock(&g->lock);
}

/* READY(loop, w) for tasks that moved into w's queue. */
static void note_moved(void *arg, const uint32_t *tasks, uint32_t n)
{
    const ws_worker *w = arg;
    for (uint32_t k = 0; k < n; k++)
        ws_emit(SL_EV_READY, tasks[k], SL_READY_LOOP, SL_READY_AT_WORKER(w->id));
}

uint32_t sl__ws_global_take(ws_sched *s, ws_worker *w, uint32_t max)
{
    ws_global *g = &s->global;
    if (atomic_load(&g->size) == 0)
        return SL_NO_TASK;
    pthread_mutex_lock(&g->lock);
    uint32_t len = g->tail - g->head;
    uint32_t n = len / s->n_workers + 1;
    if (n > len)
        n = len;
    if (n > max)
        n = max;
    if (n > SL_RUNQ_CAP / 2)
        n = SL_RUNQ_CAP / 2;
    uint32_t first = SL_NO_TASK;
    if (n > 0)
        first = g->slot[g->head++ % g->cap];
    /* the rest into w's queue while the global lock is held, so their
     * READY(global) is always older than their READY(w) */
    for (uint32_t k = 1; k < n; k++) {
        uint32_t task = g->slot[g->head % g->cap];
        if (!sl_runq_push(&w->q, task, note_moved, w))
            break;
        g->head++;
    }
    atomic_store(&g->size, g->tail - g->head);
    pthread_mutex_unlock(&g->lock);
    return first;
}
