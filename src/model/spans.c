/*
 * spans.c - every task's history as intervals of one shown state.
 *
 * The timeline, the SVG and the Perfetto exporters draw intervals, not
 * events. A span is a stretch where what a view shows for the task (its
 * shown state, the wait reason or ready cause, the core when running) stays
 * the same; a kernel sample that shows a running task waiting for a core
 * opens a ready span. A span of zero length (two changes at one instant) is
 * dropped, and the spans around it merge when they show the same thing.
 *
 * The fold grows with the trace: each published event is applied once, and
 * a span, once closed, is appended and never revisited. Each task holds back
 * its last closed span (a zero-length change may still reopen it) and its
 * open one. Reading the spans out is a counting sort of the closed ones by
 * task plus the two held per task: O(spans), no event folded again. A fold
 * done growing gives its closed spans away, sorted in place
 * (sl_span_fold_take_spans), rather than copying them.
 *
 * A finished trace folded at once is written task by task into regions
 * sized beforehand instead (span-regions.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

typedef struct sl_span_pending pending;

/* Room for `more` closed spans past the n kept. An event closes at most one
 * span, so a grow reserves one per event it will fold, at once: the spans of
 * one grow are then one allocation, never moved, and a live trace's grow at
 * least twofold. The pages are written only as spans are closed. */
static int reserve(sl_span_fold *f, size_t more)
{
    if (f->cap - f->n >= more)
        return 0;
    size_t cap = f->n + more > 2 * f->cap ? f->n + more : 2 * f->cap;
    cap = cap > 4096 ? cap : 4096;
    sl_span *v = realloc(f->closed, cap * sizeof *v);
    if (!v)
        return SL_ENOMEM;
    f->closed = v;
    f->cap = cap;
    sl_huge_pages(v, cap * sizeof *v);
    return 0;
}

static int emit(sl_span_fold *f, const sl_span *s)
{
    if (f->n == f->cap && reserve(f, 1) < 0)
        return SL_ENOMEM;
    f->closed[f->n++] = *s;
    f->n_closed[s->task]++;
    return 0;
}

static sl_span key_of(const sl_model *m, uint32_t i)
{
    const sl_task_now *k = &m->tasks[i];
    sl_span s = {.task = i, .state = (uint8_t)sl__shown_state(k)};

    if (s.state == SL_ST_READY)
        s.reason = k->state == SL_ST_RUNNING ? SL_READY_CPU : k->reason;
    else if (s.state == SL_ST_WAITING)
        s.reason = k->reason;
    else if (s.state == SL_ST_RUNNING) {
        s.core = k->core;
        s.reason = k->worker; /* a coroutine's worker: a MIGRATE shows between two */
    }
    return s;
}

static int change(sl_span_fold *f, sl_span key, uint64_t t)
{
    if (f->slot && sl__regions_change(f, key, t) == 0)
        return 0;
    pending *p = &f->pen[key.task];

    if (p->has_open) {
        p->open.end_ns = t;
        if (p->open.end_ns > p->open.start_ns) {
            if (p->has_last && emit(f, &p->last) < 0)
                return SL_ENOMEM;
            p->last = p->open;
            p->has_last = true;
        }
    }
    if (p->has_last && sl__span_same_key(&p->last, &key) && p->last.end_ns == t) {
        p->open = p->last;
        p->has_last = false;
    } else {
        key.start_ns = t;
        p->open = key;
    }
    p->has_open = true;
    return 0;
}

int sl_span_fold_init(sl_span_fold *f, uint32_t n_tasks, uint32_t n_cores)
{
    memset(f, 0, sizeof *f);
    int rc = sl_model_init(&f->model, n_tasks, n_cores);
    if (rc < 0)
        return rc;
    f->pen = calloc((size_t)n_tasks + 1, sizeof *f->pen);
    f->n_closed = calloc((size_t)n_tasks + 1, sizeof *f->n_closed);
    if (!f->pen || !f->n_closed) {
        sl_span_fold_free(f);
        return SL_ENOMEM;
    }
    sl_huge_pages(f->pen, ((size_t)n_tasks + 1) * sizeof *f->pen);
    sl_huge_pages(f->n_closed, ((size_t)n_tasks + 1) * sizeof *f->n_closed);
    return 0;
}

void sl_span_fold_free(sl_span_fold *f)
{
    sl__regions_filled(f);
    sl_model_free(&f->model);
    free(f->pen);
    free(f->n_closed);
    free(f->closed);
    free(f->slot);
    free(f->held);
    memset(f, 0, sizeof *f);
}

static int restart(sl_span_fold *f, uint32_t generation)
{
    uint32_t n = f->model.n_tasks;
    /* Its tables were given to a playhead (sl_model_take): new ones. */
    if (!f->model.tasks && n > 0) {
        sl_model m;
        if (sl_model_init(&m, n, f->model.n_cores) < 0)
            return SL_ENOMEM;
        f->model = m;
    }
    sl__regions_filled(f);
    sl_model_reset(&f->model);
    memset(f->pen, 0, ((size_t)n + 1) * sizeof *f->pen);
    memset(f->n_closed, 0, ((size_t)n + 1) * sizeof *f->n_closed);
    free(f->slot);
    free(f->held);
    f->slot = NULL;
    f->held = NULL;
    f->n = 0;
    f->next = 0;
    f->end_ns = 0;
    f->generation = generation;
    f->taken = false;
    return 0;
}

int sl_span_fold_grow(sl_span_fold *f, const sl_trace_view *v, sl_span_fold_cb cb, void *arg)
{
    if ((v->generation != f->generation || v->count < f->next || f->taken) &&
        restart(f, v->generation) < 0)
        return SL_ENOMEM;
    sl_model *m = &f->model;
    /* a finished trace in regions; one that grows after all, appended */
    if (f->slot && v->count > f->next)
        sl__regions_close(f);
    if (f->next == 0 && f->n == 0 && v->finished && v->count > 0)
        (void)sl__regions_open(f, v);
    /* Where the room cannot be had at once, emit asks for it span by span. */
    if (!f->slot && v->count > f->next)
        (void)reserve(f, v->count - f->next);
    for (size_t e = f->next; e < v->count; e++) {
        const sl_event *ev = &v->events[e];
        uint32_t i = ev->task;
        if (i >= m->n_tasks) {
            sl_model_apply(m, ev);
        } else {
            sl_span before = key_of(m, i);
            sl_model_apply(m, ev);
            sl_span after = key_of(m, i);
            if (!sl__span_same_key(&before, &after) && change(f, after, ev->t_ns) < 0) {
                /* The span could not be kept: start over on the next grow. */
                sl__regions_filled(f);
                f->next = SIZE_MAX;
                return SL_ENOMEM;
            }
        }
        f->end_ns = ev->t_ns;
        f->next = e + 1;
        if (cb)
            cb(m, v, e, arg);
    }
    sl__regions_filled(f);
    return 0;
}

/* Spans task i's fold holds back: the one it may reopen, the open one. */
static size_t held(const sl_span_fold *f, uint32_t i)
{
    return f->slot ? sl__regions_held(f, i)
                   : (size_t)f->pen[i].has_last + (size_t)f->pen[i].has_open;
}

/* Sizes `out` for every span (`v`: room for them, unless the caller brings
 * its own array) and lays out first[]: first[i + 1] holds where task i's
 * spans start, a write cursor for the caller, which ends as its end. */
static int layout(const sl_span_fold *f, sl_spans *out, bool v, size_t *total)
{
    uint32_t n = f->model.n_tasks;
    *total = f->n;
    for (uint32_t i = 0; i < n; i++)
        *total += held(f, i);
    if (!out->first || out->n_tasks != n) {
        size_t *first = realloc(out->first, ((size_t)n + 1) * sizeof *first);
        if (!first)
            return SL_ENOMEM;
        out->first = first;
        sl_huge_pages(first, ((size_t)n + 1) * sizeof *first);
    }
    if (v && (*total > out->n || !out->v)) {
        sl_span *sv = realloc(out->v, (*total ? *total : 1) * sizeof *sv);
        if (!sv)
            return SL_ENOMEM;
        out->v = sv;
        sl_huge_pages(sv, *total * sizeof *sv);
    }
    out->n_tasks = n;
    out->first[0] = 0;
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        out->first[i + 1] = at;
        at += f->n_closed[i] + held(f, i);
    }
    return 0;
}

/* Appends each task's held-back spans after its closed ones. */
static void put_pending(const sl_span_fold *f, sl_spans *out)
{
    for (uint32_t i = 0; i < f->model.n_tasks; i++) {
        const pending *p = &f->pen[i];
        if (p->has_last)
            out->v[out->first[i + 1]++] = p->last;
        if (p->has_open) {
            sl_span s = p->open;
            s.end_ns = f->end_ns > s.start_ns ? f->end_ns : s.start_ns;
            out->v[out->first[i + 1]++] = s;
        }
    }
}

int sl_span_fold_spans(const sl_span_fold *f, sl_spans *out)
{
    size_t total;
    if (f->taken)
        return SL_ESTATE;
    int rc = layout(f, out, true, &total);
    if (rc < 0)
        return rc;
    out->n = total;
    if (f->slot) {
        sl__regions_copy(f, out);
        return 0;
    }
    for (size_t k = 0; k < f->n; k++) {
        const sl_span *s = &f->closed[k];
        out->v[out->first[s->task + 1]++] = *s;
    }
    put_pending(f, out);
    return 0;
}

int sl_span_fold_take_spans(sl_span_fold *f, sl_spans *out)
{
    size_t total;
    if (f->taken)
        return SL_ESTATE;
    if (f->slot) {
        int rc = layout(f, out, false, &total);
        if (rc < 0)
            return rc;
        sl__regions_take(f, out, total);
        f->n = f->cap = 0;
        f->taken = true;
        return 0;
    }
    if (f->n > UINT32_MAX)
        return sl_span_fold_spans(f, out);
    int rc = layout(f, out, false, &total);
    uint32_t *dest = rc < 0 ? NULL : malloc((f->n ? f->n : 1) * sizeof *dest);
    uint64_t *moved = dest ? calloc(f->n / 64 + 1, sizeof *moved) : NULL;
    sl_span *v = moved ? realloc(f->closed, (total ? total : 1) * sizeof *v) : NULL;
    if (!v) {
        free(dest);
        free(moved);
        return rc < 0 ? rc : SL_ENOMEM;
    }
    sl_huge_pages(dest, f->n * sizeof *dest);
    sl_huge_pages(v, total * sizeof *v);
    f->closed = v;
    f->cap = total > f->cap ? total : f->cap;
    for (size_t k = 0; k < f->n; k++)
        dest[k] = (uint32_t)out->first[v[k].task + 1]++;
    /* Each span moves once, along the chain of the places it frees: a
     * place is free when its own span was picked up, or past the closed
     * ones (where no span was, and the held-back spans go after). */
    for (size_t k = 0; k < f->n; k++) {
        if (moved[k / 64] >> (k % 64) & 1)
            continue;
        moved[k / 64] |= UINT64_C(1) << (k % 64);
        sl_span cur = v[k];
        size_t at = dest[k];
        while (at < f->n && !(moved[at / 64] >> (at % 64) & 1)) {
            moved[at / 64] |= UINT64_C(1) << (at % 64);
            sl_span next = v[at];
            v[at] = cur;
            cur = next;
            at = dest[at];
        }
        v[at] = cur;
    }
    free(dest);
    free(moved);
    /* first[i + 1] now ends task i's closed spans: its held-back ones follow. */
    free(out->v);
    out->v = v;
    out->n = total;
    put_pending(f, out);
    f->closed = NULL;
    f->n = f->cap = 0;
    f->taken = true;
    return 0;
}

int sl_span_fold_trace(sl_span_fold *f, sl_trace *trace)
{
    int rc = sl_span_fold_init(f, trace->meta.n_tasks, trace->meta.cores);
    if (rc < 0)
        return rc;
    sl_trace_view v;
    sl_trace_read(trace, &v);
    rc = sl_span_fold_grow(f, &v, NULL, NULL);
    sl_trace_read_end(&v);
    if (rc < 0)
        sl_span_fold_free(f);
    return rc;
}

int sl_spans_build(sl_trace *trace, sl_spans *out)
{
    memset(out, 0, sizeof *out);
    if (!trace)
        return SL_EINVAL;
    sl_span_fold f;
    int rc = sl_span_fold_trace(&f, trace);
    if (rc < 0)
        return rc;
    rc = sl_span_fold_spans(&f, out);
    sl_span_fold_free(&f);
    if (rc < 0)
        sl_spans_free(out);
    return rc;
}

void sl_spans_free(sl_spans *s)
{
    free(s->v);
    free(s->first);
    memset(s, 0, sizeof *s);
}
