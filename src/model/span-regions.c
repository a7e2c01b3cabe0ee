/*
 * span-regions.c - the span fold of a finished trace, task by task in
 * regions sized before the first event.
 *
 * A trace that has ended (a replay, a run that is over, every exporter) is
 * folded in one go, and its events can be counted per task first. A task
 * never has more spans than events that can change what a view shows of it
 * (each span begins at one), so that count is a region of the closed-span
 * array big enough for all of the task's spans, the two the fold holds back
 * included (the one it may still reopen, and the open one):
 *
 *   region of task i:  closed spans ... | held back | open | unused
 *
 * A span is written once, where it will stay, and nothing is held per task
 * but two bits. Reading the spans out slides each region left over the
 * unused tail of the ones before it: one streaming pass. The appending fold
 * (spans.c) instead keeps the held-back spans apart (56 bytes a task) and
 * groups the closed ones by task when read out; at a million tasks that
 * grouping moved nine million spans each to a random place (0.6 s), and the
 * held-back spans were 56 MB more of fresh memory.
 *
 * Should a region be too small (not possible by the count above) or the
 * trace grow after all, sl__regions_close turns the fold into an appending
 * one, which goes on from there.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"

#define HELD_LAST 1u /* the region holds a span held back after its closed ones */
#define HELD_OPEN 2u /* and then the open one */

/* Whether event `ev` may begin a span of its task: SWITCH, the kind an
 * event loop emits most, changes nothing a view shows of the task. */
static bool may_begin_span(const sl_event *ev, uint32_t n_tasks)
{
    return ev->task < n_tasks && ev->kind != SL_EV_SWITCH;
}

bool sl__regions_open(sl_span_fold *f, const sl_trace_view *v)
{
    sl__regions_filled(f);
    uint32_t n = f->model.n_tasks;
    size_t *slot = calloc((size_t)n + 1, sizeof *slot);
    uint8_t *held = calloc((size_t)n + 1, 1);
    if (!slot || !held) {
        free(slot);
        free(held);
        return false;
    }
    sl_huge_pages(slot, ((size_t)n + 1) * sizeof *slot);
    for (size_t e = 0; e < v->count; e++)
        if (may_begin_span(&v->events[e], n))
            slot[v->events[e].task + 1]++;
    /* counts to starts: slot[i + 1] holds task i's count until step i */
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t count = slot[i + 1];
        slot[i] = at;
        at += count;
    }
    slot[n] = at;
    sl_span *closed = malloc((at ? at : 1) * sizeof *closed);
    if (!closed) {
        free(slot);
        free(held);
        return false;
    }
    sl_huge_pages(closed, at * sizeof *closed);
    free(f->closed);
    f->closed = closed;
    /* The regions are filled roughly in task order, as tasks come and go:
     * a thread makes them resident ahead of the fold (prefault.c). */
    f->prefault = sl_prefault_start(closed, at * sizeof *closed);
    f->cap = at;
    f->slot = slot;
    f->held = held;
    return true;
}

void sl__regions_filled(sl_span_fold *f)
{
    sl_prefault_stop(f->prefault);
    f->prefault = NULL;
}

size_t sl__regions_held(const sl_span_fold *f, uint32_t i)
{
    return (size_t)(f->held[i] & HELD_LAST ? 1 : 0) + (size_t)(f->held[i] & HELD_OPEN ? 1 : 0);
}

void sl__regions_close(sl_span_fold *f)
{
    sl__regions_filled(f);
    size_t at = 0;
    for (uint32_t i = 0; i < f->model.n_tasks; i++) {
        const sl_span *r = f->closed + f->slot[i];
        size_t k = f->n_closed[i];
        struct sl_span_pending *p = &f->pen[i];
        p->has_last = f->held[i] & HELD_LAST;
        p->has_open = f->held[i] & HELD_OPEN;
        if (p->has_last)
            p->last = r[k];
        if (p->has_open)
            p->open = r[k + p->has_last];
        if (at != f->slot[i] && k > 0)
            memmove(f->closed + at, r, k * sizeof *r);
        at += k;
    }
    free(f->slot);
    free(f->held);
    f->slot = NULL;
    f->held = NULL;
}

int sl__regions_change(sl_span_fold *f, sl_span key, uint64_t t)
{
    uint32_t i = key.task;
    sl_span *r = f->closed + f->slot[i];
    size_t k = f->n_closed[i], room = f->slot[i + 1] - f->slot[i];
    bool has_last = f->held[i] & HELD_LAST, has_open = f->held[i] & HELD_OPEN;
    /* The open span ends at t; if it lasted, the span held back before it
     * is closed for good and the open one is held back in its turn: both
     * already where they belong. */
    bool lasted = has_open && t > r[k + has_last].start_ns;
    size_t k2 = k + (lasted && has_last);
    bool last2 = lasted || has_last;
    /* The new key reopens the held-back span when it shows the same thing
     * and ended just now; else it opens a span after it. */
    bool reopen = last2 && sl__span_same_key(&r[k2], &key) && (lasted || r[k2].end_ns == t);
    size_t at = reopen ? k2 : k2 + last2;
    if (at >= room) {
        sl__regions_close(f);
        return 1;
    }
    if (has_open)
        r[k + has_last].end_ns = t;
    f->n += k2 - k;
    f->n_closed[i] = k2;
    if (!reopen) {
        key.start_ns = t;
        r[at] = key;
    }
    f->held[i] = (uint8_t)((last2 && !reopen ? HELD_LAST : 0) | HELD_OPEN);
    return 0;
}

/* Task i's spans in its region: the open one, if any, is the last. */
static size_t region_spans(const sl_span_fold *f, uint32_t i, sl_span **first)
{
    *first = f->closed + f->slot[i];
    return f->n_closed[i] + sl__regions_held(f, i);
}

/* A read-out shows the open span ending at the last event. */
static void end_open(const sl_span_fold *f, uint32_t i, sl_span *last_of_task)
{
    if (f->held[i] & HELD_OPEN)
        last_of_task->end_ns =
            f->end_ns > last_of_task->start_ns ? f->end_ns : last_of_task->start_ns;
}

void sl__regions_copy(const sl_span_fold *f, sl_spans *out)
{
    for (uint32_t i = 0; i < f->model.n_tasks; i++) {
        sl_span *r;
        size_t n = region_spans(f, i, &r);
        memcpy(out->v + out->first[i + 1], r, n * sizeof *r);
        out->first[i + 1] += n;
        if (n > 0)
            end_open(f, i, &out->v[out->first[i + 1] - 1]);
    }
}

void sl__regions_take(sl_span_fold *f, sl_spans *out, size_t total)
{
    sl_span *v = f->closed;
    for (uint32_t i = 0; i < f->model.n_tasks; i++) {
        sl_span *r;
        size_t n = region_spans(f, i, &r), at = out->first[i + 1];
        if (n == 0)
            continue;
        end_open(f, i, &r[n - 1]);
        /* at <= slot[i]: the tasks before used no more than their regions */
        if (v + at != r)
            memmove(v + at, r, n * sizeof *r);
        out->first[i + 1] = at + n;
    }
    free(out->v);
    sl_span *shrunk = realloc(v, (total ? total : 1) * sizeof *v);
    out->v = shrunk ? shrunk : v;
    out->n = total;
    free(f->slot);
    free(f->held);
    f->slot = NULL;
    f->held = NULL;
    f->closed = NULL;
}
