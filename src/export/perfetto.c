/*
 * perfetto.c - a run as Chrome trace event JSON, opened by ui.perfetto.dev.
 *
 * The lesson becomes one process (pid 1) named "<scenario> · <strategy>",
 * each task a thread (tid = task + 1) whose slices are the model's spans:
 * the same intervals the terminal timeline draws, so both pictures agree.
 * Around them:
 *   - counters (ph C) for the ready, waiting and queued lists and for each
 *     core's occupancy, sampled after every instant at which they change,
 *     written during the very fold that grows the spans (the one the views
 *     use), so the events are folded once; the slices follow it;
 *   - instants (ph i, thread scope) for scheduler switches and GIL takes;
 *   - a flow (ph s/f) from each WAKE to the task's next RUN, so the wake-up
 *     latency is an arrow a student can follow;
 *   - for work-stealing, a track per worker (tid = tasks + 1 + worker) with
 *     its parked stretches and its steals: a flow from the victim's track
 *     to the thief's, and a counter per worker queue and the global one.
 * Times are µs with three decimals, printed from integer ns. Every string
 * goes through the JSON escaper, so the file always parses.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/export.h"
#include "schedlab/error.h"

typedef struct writer {
    FILE *out;
    bool first;
} writer;

/* Opens one event object: the separator, then the fields every event has. */
static void begin(writer *w, const char *ph, uint32_t tid, uint64_t t_ns)
{
    fputs(w->first ? "\n" : ",\n", w->out);
    w->first = false;
    fprintf(w->out, "{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":", ph, tid);
    sl_print_us(w->out, t_ns);
}

static void metadata(writer *w, const sl_trace *t)
{
    char name[128];
    snprintf(name, sizeof name, "%s \xc2\xb7 %s", t->meta.scenario, t->meta.strategy);
    begin(w, "M", 0, 0);
    fputs(",\"name\":\"process_name\",\"args\":{\"name\":", w->out);
    sl_json_string(w->out, name);
    fputs("}}", w->out);
    for (uint32_t i = 0; i < t->meta.n_tasks; i++) {
        begin(w, "M", i + 1, 0);
        fputs(",\"name\":\"thread_name\",\"args\":{\"name\":", w->out);
        sl_json_string(w->out, sl_trace_task_name(t, i));
        fputs("}}", w->out);
        begin(w, "M", i + 1, 0);
        fprintf(w->out, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}", i + 1);
    }
}

/* Workers of a work-stealing run: the highest one its events name + 1. */
static uint32_t count_workers(const sl_trace_view *v)
{
    uint32_t n = 0;
    for (size_t e = 0; e < v->count; e++) {
        const sl_event *ev = &v->events[e];
        uint32_t k = 0;
        if (ev->kind == SL_EV_PARK || ev->kind == SL_EV_UNPARK)
            k = ev->reason + 1;
        else if (ev->kind == SL_EV_STEAL)
            k = (ev->reason > SL_STEAL_THIEF(ev->arg) ? ev->reason : SL_STEAL_THIEF(ev->arg)) + 1;
        else if (ev->kind == SL_EV_RUN)
            k = ev->reason;
        if (k > n && k <= SL_MODEL_WORKERS)
            n = k;
    }
    return n;
}

static void worker_tracks(writer *w, const sl_trace *t, uint32_t workers)
{
    for (uint32_t k = 0; k < workers; k++) {
        uint32_t tid = t->meta.n_tasks + 1 + k;
        char name[32];
        snprintf(name, sizeof name, "worker %u", k);
        begin(w, "M", tid, 0);
        fputs(",\"name\":\"thread_name\",\"args\":{\"name\":", w->out);
        sl_json_string(w->out, name);
        fputs("}}", w->out);
        begin(w, "M", tid, 0);
        fprintf(w->out, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}", tid);
    }
}

/* A steal: a 1 µs slice on the victim's and the thief's tracks, and a flow
 * between them; a park: a slice from PARK to UNPARK. */
static void worker_event(writer *w, const sl_trace *t, const sl_event *ev, uint64_t *parked,
                         uint32_t workers, uint64_t *flow_id)
{
    uint32_t base = t->meta.n_tasks + 1;
    if (ev->kind == SL_EV_STEAL) {
        uint32_t from = ev->reason, to = SL_STEAL_THIEF(ev->arg), n = SL_STEAL_COUNT(ev->arg);
        if (from >= workers || to >= workers)
            return;
        ++*flow_id;
        const char *side[2] = {"stolen from", "stole"};
        uint32_t tid[2] = {base + from, base + to}, other[2] = {to, from};
        for (int k = 0; k < 2; k++) {
            begin(w, "X", tid[k], ev->t_ns);
            fprintf(w->out,
                    ",\"dur\":1.000,\"cat\":\"steal\",\"name\":\"%s %u: %u task%s\","
                    "\"args\":{\"tasks\":%u}}",
                    side[k], other[k], n, n == 1 ? "" : "s", n);
            begin(w, k == 0 ? "s" : "f", tid[k], ev->t_ns);
            fprintf(w->out, ",\"cat\":\"steal\",\"name\":\"steal\",\"id\":%llu,\"bp\":\"e\"}",
                    (unsigned long long)(1000000000ull + *flow_id));
        }
    } else if (ev->reason < workers) {
        if (ev->kind == SL_EV_PARK) {
            parked[ev->reason] = ev->t_ns;
        } else if (parked[ev->reason] != UINT64_MAX) {
            begin(w, "X", base + ev->reason, parked[ev->reason]);
            fputs(",\"dur\":", w->out);
            sl_print_us(w->out, ev->t_ns - parked[ev->reason]);
            fputs(",\"cat\":\"park\",\"name\":\"parked\",\"args\":{}}", w->out);
            parked[ev->reason] = UINT64_MAX;
        }
    }
}

static void slices(writer *w, const sl_spans *s)
{
    for (size_t k = 0; k < s->n; k++) {
        const sl_span *sp = &s->v[k];
        const char *reason = sl_span_reason(sp);
        bool named_reason =
            sp->state == SL_ST_WAITING || (sp->state == SL_ST_READY && sp->reason != SL_READY_CPU);
        begin(w, "X", sp->task + 1, sp->start_ns);
        fputs(",\"dur\":", w->out);
        sl_print_us(w->out, sp->end_ns - sp->start_ns);
        fprintf(w->out, ",\"cat\":\"state\",\"name\":\"%s%s%s\",\"args\":{",
                sl_state_name(sp->state), named_reason ? ": " : "", named_reason ? reason : "");
        if (sp->state == SL_ST_RUNNING)
            fprintf(w->out, "\"core\":%u", sp->core);
        else if (reason[0] != '\0')
            fprintf(w->out, "\"reason\":\"%s\"", reason);
        fputs("}}", w->out);
    }
}

/* List lengths and core occupancy: what the counters show. */
typedef struct counters {
    uint32_t ready, waiting, queued, starting;
    uint32_t workers_starting;                /* a pool's worker processes being created */
    uint32_t global, local[SL_MODEL_WORKERS]; /* work-stealing queues */
    uint8_t core_busy[SL_MODEL_CORES];
} counters;

static void read_counters(const sl_model *m, uint32_t n_cores, counters *c)
{
    memset(c, 0, sizeof *c);
    /* A task the kernel shows waiting for a core sits in the ready list. */
    c->ready = m->count[SL_ST_READY] + m->preempted;
    c->waiting = m->count[SL_ST_WAITING];
    c->queued = m->count[SL_ST_QUEUED];
    c->starting = m->count[SL_ST_STARTING];
    c->workers_starting = m->workers_starting;
    for (uint32_t k = 0; k < n_cores; k++)
        c->core_busy[k] = m->core_task[k] != SL_NO_TASK;
    c->global = m->steal.global;
    memcpy(c->local, m->steal.local, sizeof c->local);
}

static void counter(writer *w, uint64_t t, const char *name, uint32_t value)
{
    begin(w, "C", 0, t);
    fprintf(w->out, ",\"name\":\"%s\",\"args\":{\"%s\":%u}}", name, name, value);
}

/* Emits the counters that differ from `last` (all of them when `all`). The
 * queued, starting and workers-starting counters appear only once a pool
 * backlog exists or a process starts, so runs without either do not carry a flat track of
 * zeros. */
static void emit_counters(writer *w, uint64_t t, const counters *now, const counters *last,
                          uint32_t n_cores, uint32_t workers, bool all)
{
    if (workers > 0 && (all || now->global != last->global))
        counter(w, t, "global queue", now->global);
    for (uint32_t k = 0; k < workers; k++)
        if (all || now->local[k] != last->local[k]) {
            char name[32];
            snprintf(name, sizeof name, "queue w%u", k);
            counter(w, t, name, now->local[k]);
        }
    if (all || now->ready != last->ready)
        counter(w, t, "ready", now->ready);
    if (all || now->waiting != last->waiting)
        counter(w, t, "waiting", now->waiting);
    if (now->queued != last->queued)
        counter(w, t, "queued", now->queued);
    if (now->starting != last->starting)
        counter(w, t, "starting", now->starting);
    if (now->workers_starting != last->workers_starting)
        counter(w, t, "workers starting", now->workers_starting);
    if (all || memcmp(now->core_busy, last->core_busy, n_cores) != 0) {
        begin(w, "C", 0, t);
        fputs(",\"name\":\"cores busy\",\"args\":{", w->out);
        for (uint32_t k = 0; k < n_cores; k++)
            fprintf(w->out, "%s\"cpu%u\":%u", k ? "," : "", k, now->core_busy[k]);
        fputs("}}", w->out);
    }
}

static void instant(writer *w, const sl_trace *t, const sl_event *ev)
{
    uint32_t n = t->meta.n_tasks;

    if (ev->kind == SL_EV_SWITCH) {
        uint32_t from = ev->arg < n ? (uint32_t)ev->arg : SL_NO_TASK;
        uint32_t to = ev->task < n ? ev->task : SL_NO_TASK;
        /* A switch to no task (the scheduler idles) marks the whole process. */
        begin(w, "i", to != SL_NO_TASK ? to + 1 : 0, ev->t_ns);
        fprintf(w->out, ",\"s\":\"%s\",\"cat\":\"sched\",\"name\":\"switch\",\"args\":{\"from\":",
                to != SL_NO_TASK ? "t" : "p");
        if (from != SL_NO_TASK)
            sl_json_string(w->out, sl_trace_task_name(t, from));
        else
            fputs("null", w->out);
        fputs(",\"to\":", w->out);
        if (to != SL_NO_TASK)
            sl_json_string(w->out, sl_trace_task_name(t, to));
        else
            fputs("null", w->out);
        fputs("}}", w->out);
    } else if (ev->kind == SL_EV_GIL_TAKE && ev->task < n) {
        begin(w, "i", ev->task + 1, ev->t_ns);
        fputs(",\"s\":\"t\",\"cat\":\"gil\",\"name\":\"gil-take\",\"args\":{\"wait_us\":", w->out);
        sl_print_us(w->out, ev->arg);
        fputs("}}", w->out);
    }
}

static void flow(writer *w, const char *ph, uint64_t id, uint32_t task, uint64_t t)
{
    begin(w, ph, task + 1, t);
    fprintf(w->out, ",\"cat\":\"wake\",\"name\":\"wake\",\"id\":%llu,\"bp\":\"e\"}",
            (unsigned long long)id);
}

/* What the fold's callback carries from one event to the next. */
typedef struct marks {
    writer *w;
    const sl_trace *t;
    uint32_t n_cores;
    uint32_t workers;                  /* work-stealing workers (0 for other strategies) */
    uint64_t parked[SL_MODEL_WORKERS]; /* per worker: when it parked, or UINT64_MAX */
    uint64_t *woke;                    /* per task: time of a WAKE not yet followed by its RUN */
    uint64_t flow_id;
    counters last;
} marks;

/* After each event the span fold applies: instants, wake flows, counters. */
static void mark(const sl_model *m, const sl_trace_view *v, size_t e, void *arg)
{
    marks *k = arg;
    const sl_event *ev = &v->events[e];
    uint32_t n = k->t->meta.n_tasks;

    instant(k->w, k->t, ev);
    if (ev->kind == SL_EV_STEAL || ev->kind == SL_EV_PARK || ev->kind == SL_EV_UNPARK)
        worker_event(k->w, k->t, ev, k->parked, k->workers, &k->flow_id);
    if (ev->task < n && ev->kind == SL_EV_WAKE && k->woke[ev->task] == UINT64_MAX)
        k->woke[ev->task] = ev->t_ns;
    if (ev->task < n && ev->kind == SL_EV_RUN && k->woke[ev->task] != UINT64_MAX) {
        flow(k->w, "s", ++k->flow_id, ev->task, k->woke[ev->task]);
        flow(k->w, "f", k->flow_id, ev->task, ev->t_ns);
        k->woke[ev->task] = UINT64_MAX;
    }
    /* Counters after the last event of an instant: no blips in between. */
    if (e + 1 < v->count && v->events[e + 1].t_ns == ev->t_ns)
        return;
    counters now;
    read_counters(m, k->n_cores, &now);
    emit_counters(k->w, ev->t_ns, &now, &k->last, k->n_cores, k->workers,
                  ev->t_ns == v->events[0].t_ns);
    k->last = now;
}

/* The one fold over the events: it grows the spans and, on the way,
 * writes the counters, instants and wake flows. */
static int fold(writer *w, const sl_trace *t, const sl_trace_view *v, sl_spans *s, uint32_t workers)
{
    uint32_t n = t->meta.n_tasks;
    marks k = {.w = w, .t = t, .n_cores = t->meta.cores, .workers = workers};
    sl_span_fold f;
    int rc = sl_span_fold_init(&f, n, t->meta.cores);

    if (rc < 0)
        return rc;
    k.woke = malloc(((size_t)n + 1) * sizeof *k.woke);
    if (!k.woke) {
        sl_span_fold_free(&f);
        return SL_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        k.woke[i] = UINT64_MAX;
    for (uint32_t i = 0; i < SL_MODEL_WORKERS; i++)
        k.parked[i] = UINT64_MAX;
    for (size_t e = 0; e < v->count; e++)
        if (v->events[e].kind == SL_EV_RUN && v->events[e].core >= k.n_cores)
            k.n_cores = v->events[e].core + 1u;
    if (k.n_cores > SL_MODEL_CORES)
        k.n_cores = SL_MODEL_CORES;
    rc = sl_span_fold_grow(&f, v, mark, &k);
    if (rc == 0)
        rc = sl_span_fold_spans(&f, s);
    free(k.woke);
    sl_span_fold_free(&f);
    return rc;
}

static void other_data(FILE *out, const sl_trace *t, const sl_trace_view *v)
{
    fputs("\"otherData\":{\"scenario\":", out);
    sl_json_string(out, t->meta.scenario);
    fputs(",\"title\":", out);
    sl_json_string(out, t->meta.title);
    fputs(",\"strategy\":", out);
    sl_json_string(out, t->meta.strategy);
    fputs(",\"runtime\":", out);
    sl_json_string(out, sl_gil_runtime(t->meta.gil));
    fputs(",\"machine\":", out);
    sl_json_string(out, t->meta.machine);
    fprintf(out, ",\"tasks\":%u,\"workers\":%u,\"cores\":%u,\"events\":%llu,\"dropped\":%llu},\n",
            t->meta.n_tasks, t->meta.workers, t->meta.cores, (unsigned long long)v->count,
            (unsigned long long)v->dropped);
}

int sl_export_perfetto(sl_trace *trace, FILE *out)
{
    sl_spans s = {0};
    writer w = {.out = out, .first = true};
    sl_trace_view v;

    fputs("{\"displayTimeUnit\":\"ms\",\n", out);
    sl_trace_read(trace, &v);
    other_data(out, trace, &v);
    fputs("\"traceEvents\":[", out);
    metadata(&w, trace);
    uint32_t workers = count_workers(&v);
    worker_tracks(&w, trace, workers);
    int rc = fold(&w, trace, &v, &s, workers);
    sl_trace_read_end(&v);
    if (rc == 0)
        slices(&w, &s);
    fputs("\n]}\n", out);
    sl_spans_free(&s);
    if (rc < 0)
        return rc;
    return ferror(out) ? SL_EIO : 0;
}
