/*
 * runq.c - a worker's local ready queue: a bounded ring and a run-next slot.
 *
 * Go keeps the ring lock-free (the owner writes the tail, thieves CAS the
 * head); here a mutex guards it, since the poller and the shared objects'
 * wakers push into it from other threads too, and it lets the caller's
 * note emit its events while nobody else can move the tasks, so the trace
 * never shows a task leaving a queue before it entered. `schedlab bench`
 * measures what a steal costs with it.
 */
#include <string.h>

#include "schedlab/steal.h"

void sl_runq_init(sl_runq *q)
{
    memset(q, 0, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    q->next = SL_NO_TASK;
}

void sl_runq_destroy(sl_runq *q)
{
    pthread_mutex_destroy(&q->lock);
}

static void publish_size(sl_runq *q)
{
    atomic_store(&q->size, q->tail - q->head + (q->next != SL_NO_TASK));
}

static bool ring_put(sl_runq *q, uint32_t task)
{
    if (q->tail - q->head >= SL_RUNQ_CAP)
        return false;
    q->slot[q->tail++ % SL_RUNQ_CAP] = task;
    return true;
}

bool sl_runq_push(sl_runq *q, uint32_t task, sl_runq_note note, void *arg)
{
    pthread_mutex_lock(&q->lock);
    bool room = ring_put(q, task);
    if (room) {
        publish_size(q);
        if (note != NULL)
            note(arg, &task, 1);
    }
    pthread_mutex_unlock(&q->lock);
    return room;
}

uint32_t sl_runq_put_next(sl_runq *q, uint32_t task, sl_runq_note note, void *arg)
{
    pthread_mutex_lock(&q->lock);
    uint32_t old = q->next;
    q->next = task;
    if (old != SL_NO_TASK && ring_put(q, old))
        old = SL_NO_TASK;
    publish_size(q);
    if (note != NULL)
        note(arg, &task, 1);
    pthread_mutex_unlock(&q->lock);
    return old;
}

uint32_t sl_runq_pop(sl_runq *q)
{
    pthread_mutex_lock(&q->lock);
    uint32_t task = q->next;
    if (task != SL_NO_TASK)
        q->next = SL_NO_TASK;
    else if (q->head != q->tail)
        task = q->slot[q->head++ % SL_RUNQ_CAP];
    publish_size(q);
    pthread_mutex_unlock(&q->lock);
    return task;
}

uint32_t sl_runq_take_half(sl_runq *q, uint32_t *out, sl_runq_note note, void *arg)
{
    pthread_mutex_lock(&q->lock);
    uint32_t len = q->tail - q->head;
    uint32_t n = len - len / 2;
    for (uint32_t k = 0; k < n; k++)
        out[k] = q->slot[q->head++ % SL_RUNQ_CAP];
    if (n == 0 && q->next != SL_NO_TASK) {
        /* Go's runqsteal takes the run-next task too once the ring is
         * empty: a busy owner would otherwise sit on it */
        out[n++] = q->next;
        q->next = SL_NO_TASK;
    }
    publish_size(q);
    if (n > 0 && note != NULL)
        note(arg, out, n);
    pthread_mutex_unlock(&q->lock);
    return n;
}

uint32_t sl_runq_len(sl_runq *q)
{
    return atomic_load(&q->size);
}
