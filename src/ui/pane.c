/*
 * pane.c - one run as the views see it: trace, model at the playhead, spans.
 *
 * The spans (each task's history as intervals) are rebuilt only when the
 * trace has grown or its history changed since the last build, so a paused
 * or replayed run costs nothing per frame but the fold.
 */
#include <string.h>

#include "schedlab/error.h"
#include "ui/view.h"

int sl__pane_open(sl_pane *p, sl_trace *trace, bool owned, bool live)
{
    memset(p, 0, sizeof *p);
    uint32_t cores = trace->meta.cores ? trace->meta.cores : 1;
    if (cores > 64)
        cores = 64;
    int rc = sl_model_init(&p->model, trace->meta.n_tasks, cores);
    if (rc < 0)
        return rc;
    p->trace = trace;
    p->owned = owned;
    p->live = live;
    return 0;
}

void sl__pane_close(sl_pane *p)
{
    if (!p->trace)
        return;
    if (p->have_spans)
        sl_spans_free(&p->spans);
    sl_model_free(&p->model);
    if (p->owned)
        sl_trace_free(p->trace);
    memset(p, 0, sizeof *p);
}

static void refresh_spans(sl_pane *p)
{
    pthread_rwlock_rdlock(&p->trace->lock);
    size_t count = p->trace->count;
    uint32_t gen = p->trace->generation;
    p->finished = p->trace->finished;
    p->dropped = p->trace->dropped;
    pthread_rwlock_unlock(&p->trace->lock);
    if (p->have_spans && count == p->spans_count && gen == p->spans_gen)
        return;
    sl_spans fresh;
    if (sl_spans_build(p->trace, &fresh) < 0)
        return;
    if (p->have_spans)
        sl_spans_free(&p->spans);
    p->spans = fresh;
    p->have_spans = true;
    p->spans_count = count;
    p->spans_gen = gen;
}

void sl__pane_seek(sl_pane *p, uint64_t t_ns)
{
    if (!p->trace)
        return;
    sl_model_seek(&p->model, p->trace, t_ns);
    refresh_spans(p);
}

uint64_t sl__pane_end(const sl_pane *p)
{
    if (!p->trace)
        return 0;
    pthread_rwlock_rdlock(&p->trace->lock);
    uint64_t end = p->trace->count ? p->trace->events[p->trace->count - 1].t_ns : 0;
    pthread_rwlock_unlock(&p->trace->lock);
    return end;
}
