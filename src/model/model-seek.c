/*
 * model-seek.c - moving the playhead over a trace, backwards too.
 *
 * A fold cannot run backwards, so going back means folding again from an
 * earlier state. As seeks fold forward, the model snapshots itself every K
 * events (a copy of the task table, its links and counters); a step back then
 * costs one copy plus at most K events instead of the whole trace. K starts
 * at two events per task (at least 64 Ki), so a snapshot costs little next
 * to the folding between two. All snapshots together stay within a memory
 * budget: when it is full, K doubles and every other snapshot goes.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

#define EVERY_MIN ((size_t)65536)
#define EVERY_PER_TASK ((size_t)2)
#define BUDGET_BYTES ((size_t)64 << 20)
#define MAX_SNAPSHOTS ((size_t)256)

typedef struct snapshot {
    sl_model head; /* the model's counters when taken (its pointers are not used) */
    sl_task_now *tasks;
    uint32_t *link;
} snapshot;

struct sl_checkpoints {
    const sl_trace *trace; /* the trace and generation the snapshots fold */
    uint32_t generation;
    size_t every;      /* K: snapshots sit at multiples of K folded events */
    size_t every_init; /* K after a clear */
    size_t n, max;
    snapshot *v; /* max slots, n used, in event order; unused slots keep their buffers */
};

static void clear(struct sl_checkpoints *c, const sl_trace *trace, uint32_t generation)
{
    c->n = 0;
    c->every = c->every_init;
    c->trace = trace;
    c->generation = generation;
}

static void checkpoints_free(sl_model *m)
{
    struct sl_checkpoints *c = m->checkpoints;

    if (!c)
        return;
    for (size_t i = 0; i < c->max; i++) {
        free(c->v[i].tasks);
        free(c->v[i].link);
    }
    free(c->v);
    free(c);
    m->checkpoints = NULL;
}

int sl_model_checkpoints(sl_model *m, size_t every, size_t budget_bytes)
{
    size_t per =
        (size_t)m->n_tasks * (sizeof(sl_task_now) + 2 * sizeof(uint32_t)) + sizeof(snapshot);
    size_t max = budget_bytes / per;

    checkpoints_free(m);
    /* Too many tasks for even a few snapshots: going back refolds from zero. */
    if (max < 2)
        max = 0;
    if (max > MAX_SNAPSHOTS)
        max = MAX_SNAPSHOTS;
    struct sl_checkpoints *c = calloc(1, sizeof *c);
    if (!c || (max > 0 && !(c->v = calloc(max, sizeof *c->v)))) {
        free(c);
        return SL_ENOMEM;
    }
    if (every == 0) {
        every = EVERY_PER_TASK * m->n_tasks;
        if (every < EVERY_MIN)
            every = EVERY_MIN;
    }
    c->max = max;
    c->every_init = every;
    clear(c, m->trace, m->generation);
    m->checkpoints = c;
    m->checkpoints_free = checkpoints_free;
    return 0;
}

static void take(sl_model *m, struct sl_checkpoints *c)
{
    if (c->n == c->max) {
        size_t kept = 0;
        c->every *= 2;
        for (size_t i = 0; i < c->n; i++) {
            if (c->v[i].head.next % c->every != 0)
                continue;
            snapshot s = c->v[kept];
            c->v[kept++] = c->v[i];
            c->v[i] = s;
        }
        c->n = kept;
        if (m->next % c->every != 0 || c->n == c->max)
            return;
    }
    snapshot *s = &c->v[c->n];
    if (!s->tasks && m->n_tasks > 0) {
        s->tasks = malloc(m->n_tasks * sizeof *s->tasks);
        s->link = malloc(2 * (size_t)m->n_tasks * sizeof *s->link);
        /* No memory for a snapshot costs only speed. */
        if (!s->tasks || !s->link) {
            free(s->tasks);
            free(s->link);
            s->tasks = NULL;
            s->link = NULL;
            return;
        }
    }
    s->head = *m;
    if (m->n_tasks > 0) {
        memcpy(s->tasks, m->tasks, m->n_tasks * sizeof *s->tasks);
        memcpy(s->link, m->link, 2 * (size_t)m->n_tasks * sizeof *s->link);
    }
    c->n++;
}

static void restore(sl_model *m, const snapshot *s)
{
    sl_model keep = *m;

    *m = s->head;
    m->tasks = keep.tasks;
    m->link = keep.link;
    m->checkpoints = keep.checkpoints;
    m->checkpoints_free = keep.checkpoints_free;
    m->trace = keep.trace;
    m->generation = keep.generation;
    if (m->n_tasks > 0) {
        memcpy(m->tasks, s->tasks, m->n_tasks * sizeof *s->tasks);
        memcpy(m->link, s->link, 2 * (size_t)m->n_tasks * sizeof *s->link);
    }
}

/* Back to the latest snapshot holding only events at or before t, or to zero. */
static void rewind_to(sl_model *m, const sl_trace_view *v, uint64_t t)
{
    struct sl_checkpoints *c = m->checkpoints;

    for (size_t i = c ? c->n : 0; i-- > 0;) {
        size_t next = c->v[i].head.next;
        if (next <= v->count && v->events[next - 1].t_ns <= t) {
            restore(m, &c->v[i]);
            return;
        }
    }
    sl_model_reset(m);
}

void sl_model_seek(sl_model *m, sl_trace *trace, uint64_t t_ns)
{
    sl_trace_view v;
    sl_trace_read(trace, &v);
    if (!m->checkpoints)
        sl_model_checkpoints(m, 0, BUDGET_BYTES);
    struct sl_checkpoints *c = m->checkpoints && m->checkpoints->max > 0 ? m->checkpoints : NULL;
    bool changed = trace != m->trace || v.generation != m->generation || m->next > v.count;

    if (changed) {
        m->trace = trace;
        m->generation = v.generation;
        sl_model_reset(m);
    } else if (t_ns < m->t_ns && m->next > 0 && v.events[m->next - 1].t_ns > t_ns) {
        rewind_to(m, &v, t_ns);
    }
    if (c && (c->trace != trace || c->generation != v.generation))
        clear(c, trace, v.generation);
    while (m->next < v.count && v.events[m->next].t_ns <= t_ns) {
        /* In runs that end where a snapshot is due. */
        size_t stop = c ? (m->next / c->every + 1) * c->every : v.count;
        sl__model_fold_to(m, v.events, stop < v.count ? stop : v.count, t_ns);
        if (c && m->next % c->every == 0 && (c->n == 0 || c->v[c->n - 1].head.next < m->next))
            take(m, c);
    }
    m->t_ns = t_ns;
    sl_trace_read_end(&v);
}

void sl_model_take(sl_model *m, sl_model *src, sl_trace *trace, uint32_t generation, size_t next)
{
    sl_trace_view v;
    sl_trace_read(trace, &v);
    uint64_t t_ns = next > 0 && next <= v.count ? v.events[next - 1].t_ns : 0;
    sl_trace_read_end(&v);
    *m = *src;
    m->checkpoints = NULL;
    m->checkpoints_free = NULL;
    m->trace = trace;
    m->generation = generation;
    m->next = next;
    m->t_ns = t_ns;
    src->tasks = NULL;
    src->link = NULL;
}

bool sl_model_adopt(sl_model *m, const sl_model *src, sl_trace *trace, uint32_t generation,
                    size_t next, uint64_t t_ns)
{
    /* src's tables may have gone to another playhead (sl_model_take) */
    if (src->n_tasks != m->n_tasks || src->n_cores != m->n_cores || (!src->tasks && src->n_tasks))
        return false;
    sl_trace_view v;
    sl_trace_read(trace, &v);
    bool same = v.generation == generation && v.count == next &&
                (next == 0 || v.events[next - 1].t_ns <= t_ns);
    size_t ahead = trace == m->trace && v.generation == m->generation && m->next <= next
                       ? next - m->next
                       : next;
    sl_trace_read_end(&v);
    /* Copying a task table costs about what folding as many events does. */
    if (!same || ahead <= (size_t)m->n_tasks + 1024)
        return false;
    sl_model keep = *m;
    *m = *src;
    m->tasks = keep.tasks;
    m->link = keep.link;
    m->checkpoints = keep.checkpoints;
    m->checkpoints_free = keep.checkpoints_free;
    m->trace = trace;
    m->generation = generation;
    m->next = next;
    m->t_ns = t_ns;
    if (m->n_tasks > 0) {
        memcpy(m->tasks, src->tasks, m->n_tasks * sizeof *m->tasks);
        memcpy(m->link, src->link, 2 * (size_t)m->n_tasks * sizeof *m->link);
    }
    return true;
}
