/*
 * trace.c - the trace object: a time-ordered, append-only event array.
 *
 * While a run is live, the collector is the only writer and appends batches
 * under the write lock; readers open a view (sl_trace_read) under the read
 * lock. The lock lives beside the trace, out of the door's reach, so no
 * reader outside this module holds it by hand. The array only grows
 * (except for the rare late insertion, which bumps `generation` so that a
 * consumer caching a fold knows to redo it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/error.h"
#include "trace-internal.h"

static char *dup_name(const char *name, uint32_t i)
{
    if (name != NULL)
        return strdup(name);
    char buf[24];
    snprintf(buf, sizeof(buf), "task-%u", i);
    return strdup(buf);
}

int sl_trace_new(sl_trace **out, const sl_trace_meta *meta, const char *const *task_names)
{
    *out = NULL;
    sl_trace *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return SL_ENOMEM;
    t->guard = malloc(sizeof(*t->guard));
    if (t->guard == NULL) {
        free(t);
        return SL_ENOMEM;
    }
    if (meta != NULL)
        t->meta = *meta;
    /* Fixed-size strings from a caller: make sure they end. */
    t->meta.scenario[sizeof(t->meta.scenario) - 1] = '\0';
    t->meta.title[sizeof(t->meta.title) - 1] = '\0';
    t->meta.strategy[sizeof(t->meta.strategy) - 1] = '\0';
    t->meta.machine[sizeof(t->meta.machine) - 1] = '\0';
    if (pthread_rwlock_init(&t->guard->lock, NULL) != 0) {
        free(t->guard);
        free(t);
        return SL_ENOMEM;
    }
    if (t->meta.n_tasks > 0) {
        t->task_names = calloc(t->meta.n_tasks, sizeof(char *));
        if (t->task_names == NULL) {
            sl_trace_free(t);
            return SL_ENOMEM;
        }
        for (uint32_t i = 0; i < t->meta.n_tasks; i++) {
            t->task_names[i] = dup_name(task_names ? task_names[i] : NULL, i);
            if (t->task_names[i] == NULL) {
                sl_trace_free(t);
                return SL_ENOMEM;
            }
        }
    }
    *out = t;
    return 0;
}

void sl_trace_free(sl_trace *t)
{
    if (t == NULL)
        return;
    if (t->task_names != NULL) {
        for (uint32_t i = 0; i < t->meta.n_tasks; i++)
            free(t->task_names[i]);
        free(t->task_names);
    }
    free(t->events);
    pthread_rwlock_destroy(&t->guard->lock);
    free(t->guard);
    free(t);
}

int sl__trace_reserve(sl_trace *t, size_t extra)
{
    if (extra > SIZE_MAX / sizeof(sl_event) - t->count)
        return SL_ENOMEM;
    size_t need = t->count + extra;
    if (need <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / sizeof(sl_event) / 2 ? need : cap * 2;
    sl_event *ev = realloc(t->events, cap * sizeof(sl_event));
    if (ev == NULL)
        return SL_ENOMEM;
    t->events = ev;
    t->cap = cap;
    return 0;
}

int sl_trace_reserve(sl_trace *t, size_t n)
{
    sl__trace_write_lock(t);
    int err = sl__trace_reserve(t, n);
    /* Writing is what makes a page resident (on a VM, advice is not enough).
     * Huge pages first: a playback frame reads thousands of events, and on
     * a VM small pages of them are what it waits for (huge-pages.c). Not
     * where the collector grows a live trace: a huge page can stall its
     * fault on compaction, and the rings overflow meanwhile. */
    if (err == 0) {
        sl_huge_pages(t->events + t->count, (t->cap - t->count) * sizeof(sl_event));
        memset(t->events + t->count, 0, (t->cap - t->count) * sizeof(sl_event));
    }
    sl__trace_unlock(t);
    return err;
}

int sl_trace_append(sl_trace *t, const sl_event *ev, size_t n)
{
    if (n == 0)
        return 0;
    if (ev == NULL)
        return SL_EINVAL;
    sl__trace_write_lock(t);
    uint64_t last = t->count ? t->events[t->count - 1].t_ns : 0;
    int err = 0;
    for (size_t i = 0; i < n && err == 0; i++) {
        if (ev[i].t_ns < last)
            err = SL_EINVAL;
        last = ev[i].t_ns;
    }
    if (err == 0)
        err = sl__trace_reserve(t, n);
    if (err == 0) {
        memcpy(t->events + t->count, ev, n * sizeof(*ev));
        t->count += n;
    }
    sl__trace_unlock(t);
    return err;
}

const char *sl_trace_task_name(const sl_trace *t, uint32_t i)
{
    if (i < t->meta.n_tasks && t->task_names != NULL && t->task_names[i] != NULL)
        return t->task_names[i];
    static _Thread_local char buf[24];
    snprintf(buf, sizeof(buf), "task-%u", i);
    return buf;
}

uint64_t sl_trace_end_ns(const sl_trace *t)
{
    sl__trace_read_lock(t);
    uint64_t end = t->count ? t->events[t->count - 1].t_ns : 0;
    sl__trace_unlock(t);
    return end;
}

static void fill(const sl_trace *t, sl_trace_view *v)
{
    v->count = t->count;
    v->generation = t->generation;
    v->finished = t->finished;
    v->dropped = t->dropped;
    v->late = t->late;
    v->trace_ = t;
}

void sl_trace_read(const sl_trace *t, sl_trace_view *v)
{
    sl__trace_read_lock(t);
    fill(t, v);
    v->events = t->events;
}

void sl_trace_read_end(sl_trace_view *v)
{
    if (v->trace_ == NULL)
        return;
    sl__trace_unlock(v->trace_);
    v->trace_ = NULL;
    v->events = NULL;
}

void sl_trace_peek(const sl_trace *t, sl_trace_view *v)
{
    sl__trace_read_lock(t);
    fill(t, v);
    sl__trace_unlock(t);
    v->events = NULL;
    v->trace_ = NULL;
}
