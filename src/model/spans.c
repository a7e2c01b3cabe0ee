/*
 * spans.c - every task's history as intervals of one shown state.
 *
 * The timeline, the SVG and the Perfetto exporters draw intervals, not
 * events. A span is a stretch where what a view shows for the task (its
 * shown state, the wait reason or ready cause, the core when running) stays
 * the same; a kernel sample that shows a running task waiting for a core
 * opens a ready span. Two folds over the trace: the first counts each task's
 * spans, the second writes them in place, so nothing grows while folding.
 * A span of zero length (two changes at one instant) is dropped, and the
 * spans around it merge when they show the same thing.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

typedef struct pending {
    sl_span open; /* the span still growing */
    sl_span last; /* the one closed before it, held back in case it reopens */
    bool has_open, has_last;
} pending;

typedef struct pass {
    pending *p;
    size_t *count;  /* counting pass: spans per task */
    size_t *cursor; /* filling pass: where task i's next span goes */
    sl_span *v;
} pass;

static void emit(pass *ps, const sl_span *s)
{
    if (ps->v)
        ps->v[ps->cursor[s->task]++] = *s;
    else
        ps->count[s->task]++;
}

static sl_span key_of(const sl_model *m, uint32_t i)
{
    const sl_task_now *k = &m->tasks[i];
    sl_span s = {.task = i, .state = (uint8_t)sl_model_shown_state(m, i)};

    if (s.state == SL_ST_READY)
        s.reason = k->state == SL_ST_RUNNING ? SL_READY_CPU : k->reason;
    else if (s.state == SL_ST_WAITING)
        s.reason = k->reason;
    else if (s.state == SL_ST_RUNNING)
        s.core = k->core;
    return s;
}

static bool same_key(const sl_span *a, const sl_span *b)
{
    return a->state == b->state && a->reason == b->reason && a->core == b->core;
}

static void change(pass *ps, sl_span key, uint64_t t)
{
    pending *p = &ps->p[key.task];

    if (p->has_open) {
        p->open.end_ns = t;
        if (p->open.end_ns > p->open.start_ns) {
            if (p->has_last)
                emit(ps, &p->last);
            p->last = p->open;
            p->has_last = true;
        }
    }
    if (p->has_last && same_key(&p->last, &key) && p->last.end_ns == t) {
        p->open = p->last;
        p->has_last = false;
    } else {
        key.start_ns = t;
        p->open = key;
    }
    p->has_open = true;
}

static void fold(sl_model *m, const sl_trace *trace, pass *ps, uint64_t end)
{
    sl_model_reset(m);
    memset(ps->p, 0, m->n_tasks * sizeof *ps->p);
    for (size_t e = 0; e < trace->count; e++) {
        const sl_event *ev = &trace->events[e];
        uint32_t i = ev->task;
        if (i >= m->n_tasks) {
            sl_model_apply(m, ev);
            continue;
        }
        sl_span before = key_of(m, i);
        sl_model_apply(m, ev);
        sl_span after = key_of(m, i);
        if (!same_key(&before, &after))
            change(ps, after, ev->t_ns);
    }
    for (uint32_t i = 0; i < m->n_tasks; i++) {
        pending *p = &ps->p[i];
        if (p->has_last)
            emit(ps, &p->last);
        if (p->has_open) {
            p->open.end_ns = end > p->open.start_ns ? end : p->open.start_ns;
            emit(ps, &p->open);
        }
    }
}

static int build_locked(const sl_trace *trace, sl_spans *out)
{
    uint32_t n = trace->meta.n_tasks;
    uint64_t end = trace->count ? trace->events[trace->count - 1].t_ns : 0;
    sl_model m;
    pass ps = {0};
    int rc = sl_model_init(&m, n, trace->meta.cores);

    if (rc < 0)
        return rc;
    ps.p = malloc(((size_t)n + 1) * sizeof *ps.p);
    ps.count = calloc((size_t)n + 1, sizeof *ps.count);
    ps.cursor = malloc(((size_t)n + 1) * sizeof *ps.cursor);
    out->first = malloc(((size_t)n + 1) * sizeof *out->first);
    if (!ps.p || !ps.count || !ps.cursor || !out->first) {
        rc = SL_ENOMEM;
        goto done;
    }
    fold(&m, trace, &ps, end);
    out->first[0] = 0;
    for (uint32_t i = 0; i < n; i++)
        out->first[i + 1] = out->first[i] + ps.count[i];
    out->n = out->first[n];
    out->n_tasks = n;
    out->v = malloc((out->n ? out->n : 1) * sizeof *out->v);
    if (!out->v) {
        rc = SL_ENOMEM;
        goto done;
    }
    memcpy(ps.cursor, out->first, ((size_t)n + 1) * sizeof *ps.cursor);
    ps.v = out->v;
    fold(&m, trace, &ps, end);
done:
    free(ps.p);
    free(ps.count);
    free(ps.cursor);
    sl_model_free(&m);
    if (rc < 0)
        sl_spans_free(out);
    return rc;
}

int sl_spans_build(sl_trace *trace, sl_spans *out)
{
    memset(out, 0, sizeof *out);
    if (!trace)
        return SL_EINVAL;
    pthread_rwlock_rdlock(&trace->lock);
    int rc = build_locked(trace, out);
    pthread_rwlock_unlock(&trace->lock);
    return rc;
}

void sl_spans_free(sl_spans *s)
{
    free(s->v);
    free(s->first);
    memset(s, 0, sizeof *s);
}
