/*
 * model-lists.c - the ordered lists of tasks the views show.
 *
 * Each task is in at most one list at a time (see model-internal.h), so two
 * links per task are enough; a finished task stays in the done list, which
 * is thus in completion order. The public list functions walk a list from its
 * head and stop at `max`: a frame asks for what fits on screen, so the cost
 * is the screen's size, not the number of tasks.
 */
#include "model-internal.h"

#define PREV(m, i) SL__PREV(m, i)
#define NEXT(m, i) SL__NEXT(m, i)

void sl__model_lists_clear(sl_model *m)
{
    for (int l = 0; l < SL_LIST_COUNT; l++)
        m->head[l] = m->tail[l] = SL__NIL;
    if (m->link)
        for (size_t i = 0; i < 2 * (size_t)m->n_tasks; i++)
            m->link[i] = SL__NIL;
}

static size_t list_copy(const sl_model *m, int list, uint32_t *out, size_t n, size_t max)
{
    for (uint32_t i = m->head[list]; i != SL__NIL && n < max; i = NEXT(m, i))
        out[n++] = i;
    return n;
}

static size_t list_copy_from(const sl_model *m, uint32_t i, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (; i != SL__NIL && n < max; i = NEXT(m, i))
        out[n++] = i;
    return n;
}

size_t sl_model_running(const sl_model *m, uint32_t *out, size_t max)
{
    size_t n = 0;

    for (int c = 0; c < SL_MODEL_CORES && n < max; c++)
        n = list_copy(m, SL_LIST_CORE0 + c, out, n, max);
    return n;
}

size_t sl_model_ready(const sl_model *m, uint32_t *out, size_t max)
{
    return list_copy(m, SL_LIST_READY, out, 0, max);
}

size_t sl_model_waiting(const sl_model *m, uint32_t *out, size_t max)
{
    return list_copy(m, SL_LIST_WAITING, out, 0, max);
}

size_t sl_model_queued(const sl_model *m, uint32_t *out, size_t max)
{
    return list_copy(m, SL_LIST_QUEUED, out, 0, max);
}

size_t sl_model_starting(const sl_model *m, uint32_t *out, size_t max)
{
    return list_copy(m, SL_LIST_STARTING, out, 0, max);
}

size_t sl_model_completed(const sl_model *m, uint32_t *out, size_t max)
{
    /* Back from the newest by at most max, then forward: O(max). */
    uint32_t first = m->tail[SL_LIST_DONE];
    size_t n = first == SL__NIL || max == 0 ? 0 : 1;
    while (n > 0 && n < max && PREV(m, first) != SL__NIL) {
        first = PREV(m, first);
        n++;
    }
    return n > 0 ? list_copy_from(m, first, out, max) : 0;
}

uint32_t sl_model_finished(const sl_model *m)
{
    return m->count[SL_ST_DONE] + m->count[SL_ST_FAILED] + m->count[SL_ST_CANCELLED];
}

sl_state sl_model_shown_state(const sl_model *m, uint32_t task)
{
    if (task >= m->n_tasks)
        return SL_ST_NEW;
    return sl__shown_state(&m->tasks[task]);
}

uint64_t sl_model_task_run_ns(const sl_model *m, uint32_t task)
{
    if (task >= m->n_tasks)
        return 0;
    const sl_task_now *t = &m->tasks[task];
    if (t->state == SL_ST_RUNNING)
        return t->run_ns + sl__since(m->t_ns, t->since_ns);
    return t->run_ns;
}

uint32_t sl_model_on_cpu(const sl_model *m)
{
    return sl__on_cpu(m);
}
