/*
 * pane.c - one run as the views see it: trace, model at the playhead, spans.
 *
 * The spans (each task's history as intervals) grow with the pane's span
 * fold: each event published is applied once, and the spans are read out
 * of the fold only when the trace has grown or its history changed, so a
 * paused or replayed run costs nothing per frame but the playhead's fold.
 * The end-of-run statistics come from the same fold. Each read-out also
 * indexes the spans by time (sl_span_index), so that the column under a
 * moving playhead costs the spans overlapping it, not all of them.
 *
 * A finished run is folded when the pane opens: the fold, done growing,
 * gives the playhead its task tables (sl_model_take), so a million tasks
 * cost one table, filled once, not two.
 *
 * Stepping back refolds from the model's latest snapshot before the
 * playhead. The model's default budget (64 MiB) holds no snapshot at all
 * once a task table passes it (a million tasks: ~110 MiB each), and such a
 * pane takes none: a step back refolds from zero. Measured at a million
 * tasks, three snapshots cost more than they save: taking them on the
 * first step back wrote 330 MB of fresh memory (1.7 s on the VM this was
 * measured on, where a first touch costs ~5 ms a MB), while folding 6 M
 * events from zero takes 0.12 s, and a later step back from one (copying a
 * 110 MB table, then folding up to a few million events) saved little.
 */
#include <string.h>

#include "schedlab/error.h"
#include "ui/view.h"

/* The playhead's core count: the trace's, within what the views draw. */
static uint32_t model_cores(const sl_trace *trace)
{
    uint32_t cores = trace->meta.cores ? trace->meta.cores : 1;
    return cores > 64 ? 64 : cores;
}

static void refresh_spans(sl_pane *p);

/* A finished run's numbers, once: the end-of-run takeaway reads them. */
static void numbers(sl_pane *p)
{
    if (p->finished && !p->have_stats)
        p->have_stats = sl_stats_of_fold(&p->fold, p->trace, &p->stats) == 0 ||
                        sl_stats_compute(p->trace, &p->stats) == 0;
}

int sl_pane_open(sl_pane *p, sl_trace *trace, bool owned, bool live)
{
    memset(p, 0, sizeof *p);
    /* The fold sees the trace's own core count, as every exporter's does. */
    int rc = sl_span_fold_init(&p->fold, trace->meta.n_tasks, trace->meta.cores);
    if (rc < 0)
        return rc;
    p->trace = trace;
    p->owned = owned;
    p->live = live;
    /* A finished run is folded now, and its fold, done growing, has no more
     * use for its task tables: the playhead takes them (a million tasks:
     * 110 MB neither filled nor copied a second time), on the last event.
     * A live run is folded as it grows, from the first seek on. */
    sl_trace_view v;
    sl_trace_peek(trace, &v);
    if (v.finished)
        refresh_spans(p);
    if (p->have_spans && p->fold.taken && p->fold.model.n_cores == model_cores(trace)) {
        numbers(p);
        sl_model_take(&p->model, &p->fold.model, trace, p->fold.generation, p->fold.next);
        return 0;
    }
    rc = sl_model_init(&p->model, trace->meta.n_tasks, model_cores(trace));
    if (rc < 0) {
        p->owned = false; /* the caller keeps a trace it could not open */
        sl_pane_close(p);
        return rc;
    }
    return 0;
}

void sl_pane_close(sl_pane *p)
{
    if (!p->trace)
        return;
    sl__pane_index_join(p); /* its thread reads the spans */
    if (p->have_spans)
        sl_spans_free(&p->spans);
    if (p->lanes_free)
        p->lanes_free(p->lanes);
    if (p->cores_free)
        p->cores_free(p->cores);
    sl_span_index_free(&p->index);
    sl_model_free(&p->model);
    sl_span_fold_free(&p->fold);
    if (p->owned)
        sl_trace_free(p->trace);
    memset(p, 0, sizeof *p);
}

size_t sl_ui_main_events(sl_ui *ui)
{
    if (!ui->has_main)
        return 0;
    sl_trace_view v;
    sl_trace_peek(ui->main.trace, &v);
    return v.count;
}

static void refresh_spans(sl_pane *p)
{
    sl_trace_view v;
    sl_trace_peek(p->trace, &v);
    p->finished = v.finished;
    p->dropped = v.dropped;
    if (p->have_spans && v.count == p->spans_count && v.generation == p->spans_gen)
        return;
    /* A growing trace is read out at most once per four read-outs' time, so
     * that copying millions of spans never takes over the UI thread; small
     * traces cost microseconds and still follow every frame. */
    uint64_t now = sl_clock_ns();
    if (p->have_spans && !v.finished && v.generation == p->spans_gen &&
        now - p->spans_done_ns < 4 * p->spans_cost_ns)
        return;
    sl__pane_index_join(p); /* the spans are about to change */
    sl_trace_read(p->trace, &v);
    int rc = sl_span_fold_grow(&p->fold, &v, NULL, NULL);
    sl_trace_read_end(&v);
    /* A finished run's fold is done growing: its spans move out, sorted in
     * place, instead of being copied. */
    if (rc == 0)
        rc = v.finished ? sl_span_fold_take_spans(&p->fold, &p->spans)
                        : sl_span_fold_spans(&p->fold, &p->spans);
    if (rc < 0) {
        sl_spans_free(&p->spans);
        p->have_spans = p->have_index = false;
        return;
    }
    /* Without an index the views sum their columns from every span. A
     * finished run's spans stay as they are: its index is built beside the
     * first frame (pane-index.c). */
    if (v.finished)
        sl__pane_index_start(p);
    else
        p->have_index = sl_span_index_build(&p->spans, &p->index) == 0;
    p->spans_done_ns = sl_clock_ns();
    p->spans_cost_ns = p->spans_done_ns - now;
    p->have_spans = true;
    p->states_seen = 0;
    for (size_t i = 0; i < p->spans.n; i++)
        p->states_seen |= 1u << p->spans.v[i].state;
    p->spans_count = v.count;
    p->spans_gen = v.generation;
}

void sl_pane_seek(sl_pane *p, uint64_t t_ns)
{
    if (!p->trace)
        return;
    /* The fold first: at the end of a trace the playhead takes its model
     * instead of folding every event a second time. */
    refresh_spans(p);
    numbers(p);
    /* A step back refolds from a snapshot or from zero, a pause the user
     * asked for: the index being built beside the first frame is waited
     * for there, so that the frames after it cut through the index rather
     * than summing every span. Playing forward never waits. */
    if (p->index_build && t_ns < p->model.t_ns)
        sl__pane_index_join(p);
    if (!(p->have_spans && sl_model_adopt(&p->model, &p->fold.model, p->trace, p->fold.generation,
                                          p->fold.next, t_ns)))
        sl_model_seek(&p->model, p->trace, t_ns);
}

uint64_t sl_pane_end(const sl_pane *p)
{
    if (!p->trace)
        return 0;
    return sl_trace_end_ns(p->trace);
}

uint64_t sl_play_end(const sl_ui *ui)
{
    uint64_t end = 0;
    if (ui->compare) {
        for (uint32_t i = 0; i < ui->n_cmp; i++) {
            uint64_t e = sl_pane_end(&ui->cmp[i]);
            end = e > end ? e : end;
        }
    } else if (ui->has_main) {
        end = sl_pane_end(&ui->main);
    }
    return end;
}

uint64_t sl_play_shown_end(const sl_ui *ui)
{
    if (ui->play != SL_PLAY_PAUSED || ui->held_end == 0)
        return sl_play_end(ui);
    return ui->held_end > ui->t_ns ? ui->held_end : ui->t_ns;
}

bool sl_play_any_live(const sl_ui *ui)
{
    if (ui->compare)
        return ui->cmp_running >= 0;
    return ui->has_main && ui->main.live;
}

void sl_play_fold(sl_ui *ui)
{
    if (ui->compare) {
        for (uint32_t i = 0; i < ui->n_cmp; i++)
            sl_pane_seek(&ui->cmp[i], ui->t_ns);
    } else if (ui->has_main) {
        sl_pane_seek(&ui->main, ui->t_ns);
    }
}
