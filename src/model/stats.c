/*
 * stats.c - one run's numbers for the comparison table.
 *
 * The statistics are the model folded over the whole trace, plus the
 * kernel's measurements the runner stored beside the events. States still
 * open at the end of a live trace count up to its last event, so a table
 * drawn mid-run shows the run so far rather than only what has finished.
 */
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

static void from_model(const sl_model *m, uint64_t end, uint32_t cores, sl_stats *out)
{
    uint64_t io_ns = m->io_wait_ns;
    uint64_t io_union = m->io_union_ns;

    for (uint32_t i = 0; i < m->n_tasks; i++) {
        const sl_task_now *k = &m->tasks[i];
        out->run_ns += sl_model_task_run_ns(m, i);
        out->wait_ns += k->wait_ns;
        if (k->state == SL_ST_WAITING)
            out->wait_ns += sl__since(end, k->since_ns);
        if (k->state == SL_ST_STARTING)
            out->starting_ns += sl__since(end, k->since_ns);
        if (k->state == SL_ST_WAITING && (k->reason == SL_WAIT_IO || k->reason == SL_WAIT_SLEEP))
            io_ns += sl__since(end, k->since_ns);
    }
    /* A pool's workers' start-up counts as start-up too, though no task
     * is starting: its tasks wait queued. */
    out->starting_ns += m->starting_ns + m->worker_starting_ns;
    for (uint32_t k = 0; k < SL_MODEL_WORKERS && m->workers_starting > 0; k++)
        if (m->worker_since_ns[k] != 0)
            out->starting_ns += sl__since(end, m->worker_since_ns[k]);
    if (m->io_waiting > 0)
        io_union += sl__since(end, m->io_union_since_ns);
    if (m->events > 0)
        out->wall_ns = sl__since(m->last_end_ns ? m->last_end_ns : end, m->first_ns);
    out->completed = m->count[SL_ST_DONE];
    out->failed = m->count[SL_ST_FAILED];
    out->cancelled = m->count[SL_ST_CANCELLED];
    out->max_cores = m->max_on_cpu;
    if (cores > 0 && out->max_cores > cores)
        out->max_cores = cores;
    if (out->wall_ns > 0)
        out->mean_cores = (double)out->run_ns / (double)out->wall_ns;
    if (cores > 0 && out->mean_cores > cores)
        out->mean_cores = cores;
    if (m->ready_lat_count > 0)
        out->ready_ms_mean = (double)m->ready_lat_sum_ns / (double)m->ready_lat_count / 1e6;
    out->ready_ms_max = (double)m->ready_lat_max_ns / 1e6;
    out->switches_coroutine = m->coroutine_switches;
    out->switches_gil = m->gil_handoffs;
    out->steals = m->steal.steals;
    out->stolen = m->steal.stolen;
    out->parks = m->steal.parks;
    out->migrations = m->steal.migrations;
    out->gil_wait_ns = m->gil_wait_ns;
    out->io_ns = io_ns;
    out->io_overlap = io_ns > 0 ? 1.0 - (double)io_union / (double)io_ns : 0.0;
    out->io_waits = m->io_waits;
    for (uint32_t k = 0; k < m->n_objects; k++) {
        const sl_object_now *o = &m->objects[k];
        if (SL_OBJECT_KIND(o->ref) != SL_OBJ_COUNTER)
            continue;
        uint64_t value = SL_OBJECT_FIELD(o->arg, 0, 32), done = SL_OBJECT_FIELD(o->arg, 1, 32);
        out->increments += done;
        if (done > value) {
            out->lost_updates += done - value;
            out->racy_increments += done;
        }
    }
}

/* The numbers of a model folded over all `v`'s events of `trace`. */
static void from_fold(const sl_model *m, const sl_trace *trace, const sl_trace_view *v,
                      uint64_t end, sl_stats *out)
{
    memset(out, 0, sizeof *out);
    from_model(m, end, trace->meta.cores, out);
    out->tasks = trace->meta.n_tasks;
    uint32_t ended = out->completed + out->failed + out->cancelled;
    out->not_started = out->tasks > ended ? out->tasks - ended : 0;
    out->cpu_ns = trace->os.cpu_ns;
    out->switches_voluntary = trace->os.voluntary;
    out->switches_involuntary = trace->os.involuntary;
    out->peak_rss_kb = trace->os.peak_rss_kb;
    out->vehicle_mem_kb = trace->os.vehicle_mem_kb;
    out->events = v->count;
    out->dropped = v->dropped;
}

int sl_stats_compute(sl_trace *trace, sl_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!trace)
        return SL_EINVAL;
    sl_span_fold f;
    int rc = sl_span_fold_trace(&f, trace);
    if (rc < 0)
        return rc;
    rc = sl_stats_of_fold(&f, trace, out);
    sl_span_fold_free(&f);
    return rc;
}

int sl_stats_of_fold(const sl_span_fold *f, sl_trace *trace, sl_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!f || !trace)
        return SL_EINVAL;
    sl_trace_view v;
    sl_trace_peek(trace, &v);
    if (v.generation != f->generation || v.count != f->next)
        return SL_EINVAL; /* the fold is behind the trace: its numbers would be stale */
    from_fold(&f->model, trace, &v, f->end_ns, out);
    return 0;
}
