/*
 * caption.c - one plain-language sentence about the playhead.
 *
 * A lecturer projects the screen and talks over it; the caption says what
 * the picture shows in words a student can repeat ("3 tasks run on 2 cores,
 * 5 wait in the ready list, 12 wait for io (longest 430ms)."). Counts come
 * from the model's counters, the longest wait from the head of the waiting
 * list, so a caption costs the same with ten tasks or a million.
 */
#include <stdarg.h>
#include <stdio.h>

#include "model-internal.h"

/* What a waiting task waits for, as the end of "wait for …". */
static const char *const wait_words[SL_WAIT__COUNT] = {
    [SL_WAIT_NONE] = "an event", [SL_WAIT_IO] = "io",         [SL_WAIT_SLEEP] = "sleep",
    [SL_WAIT_LOCK] = "a lock",   [SL_WAIT_QUEUE] = "a queue", [SL_WAIT_CHILD] = "a child",
};

const char *sl__model_task_name(const sl_model *m, uint32_t task, char *buf, size_t size)
{
    if (m->trace && task < m->trace->meta.n_tasks)
        return sl_trace_task_name(m->trace, task);
    snprintf(buf, size, "task-%u", task);
    return buf;
}

void sl__fmt_ms(uint64_t ns, char *buf, size_t size)
{
    sl_fmt_duration(buf, size, ns, false);
}

/* Appends to buf at *len, never past size. */
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;

    if (*len >= size)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

static void caption_finished(const sl_model *m, char *buf, size_t size)
{
    uint32_t done = m->count[SL_ST_DONE], failed = m->count[SL_ST_FAILED];
    uint32_t cancelled = m->count[SL_ST_CANCELLED];
    /* From the run's start, as the header's clock and the lists count. */
    char s[32];
    sl_fmt_duration(s, sizeof s, m->last_end_ns, false);
    size_t len = 0;

    if (failed == 0 && cancelled == 0) {
        if (m->n_tasks == 1)
            put(buf, size, &len, "The task is done in %s.", s);
        else
            put(buf, size, &len, "All %u tasks done in %s.", m->n_tasks, s);
        return;
    }
    put(buf, size, &len, "All %u tasks finished in %s: %u done", m->n_tasks, s, done);
    if (failed)
        put(buf, size, &len, ", %u failed", failed);
    if (cancelled)
        put(buf, size, &len, ", %u cancelled", cancelled);
    put(buf, size, &len, ".");
}

/* Queued tasks of a pool wait for a worker; a run without workers
 * (sequential) has none: they wait their turn, not yet started. */
static bool queued_for_workers(const sl_model *m, const sl_trace *trace)
{
    if (trace == NULL)
        trace = m->trace;
    return trace == NULL || trace->meta.workers > 0;
}

static void caption_now(const sl_model *m, const sl_trace *trace, char *buf, size_t size)
{
    uint32_t on_cpu = sl_model_on_cpu(m), cores = 0;
    uint32_t ready = m->count[SL_ST_READY] + m->preempted;
    uint32_t queued = m->count[SL_ST_QUEUED];
    uint32_t finished = m->count[SL_ST_DONE] + m->count[SL_ST_FAILED] + m->count[SL_ST_CANCELLED];
    size_t len = 0;

    for (int c = 0; c < SL_MODEL_CORES; c++)
        cores += m->head[SL_LIST_CORE0 + c] != SL__NIL;
    if (on_cpu == 0)
        put(buf, size, &len, "No task runs");
    else
        put(buf, size, &len, "%u %s on %u %s", on_cpu, on_cpu == 1 ? "task runs" : "tasks run",
            cores, cores == 1 ? "core" : "cores");
    if (ready)
        put(buf, size, &len, ", %u %s in the ready list", ready, ready == 1 ? "waits" : "wait");
    if (queued && queued_for_workers(m, trace))
        put(buf, size, &len, ", %u %s queued for a worker", queued, queued == 1 ? "is" : "are");
    else if (queued)
        put(buf, size, &len, ", %u %s their turn (not started)", queued,
            queued == 1 ? "waits" : "wait");
    bool first = true;
    for (int r = 0; r < SL_WAIT__COUNT; r++) {
        uint32_t n = m->waiting_by_reason[r];
        if (n == 0)
            continue;
        if (first)
            put(buf, size, &len, ", %u %s for %s", n, n == 1 ? "waits" : "wait", wait_words[r]);
        else
            put(buf, size, &len, ", %u for %s", n, wait_words[r]);
        first = false;
    }
    if (!first) {
        char ms[32];
        uint32_t head = m->head[SL_LIST_WAITING];
        sl__fmt_ms(sl__since(m->t_ns, m->tasks[head].since_ns), ms, sizeof ms);
        put(buf, size, &len, " (longest %s)", ms);
    }
    if (finished)
        put(buf, size, &len, ", %u finished", finished);
    put(buf, size, &len, ".");
}

void sl_model_caption(const sl_model *m, sl_trace *trace, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    uint32_t finished = m->count[SL_ST_DONE] + m->count[SL_ST_FAILED] + m->count[SL_ST_CANCELLED];
    if (m->n_tasks > 0 && finished == m->n_tasks) {
        caption_finished(m, buf, size);
        return;
    }
    if (m->events == 0) {
        bool over = false;
        if (trace) {
            sl_trace_view v;
            sl_trace_peek(trace, &v);
            over = v.finished && v.count == 0;
        }
        if (over)
            snprintf(buf, size, "The run recorded no events.");
        else
            snprintf(buf, size, "Nothing has happened yet: %u tasks wait to start.", m->n_tasks);
        return;
    }
    caption_now(m, trace, buf, size);
}
