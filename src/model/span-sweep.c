/*
 * span-sweep.c - the column under a moving playhead, summed as it moves.
 *
 * A column's state is a sum over time: each state's time in [cs, limit).
 * Sums split at any instant, so the column cut at this frame's playhead is
 * the column cut at the last frame's, plus [last, now). A sweep keeps that
 * sum and asks the span index only for the spans that overlap the part
 * added: during playback, about the spans that changed since the previous
 * frame, whatever the number of tasks. A task's last span in a final state
 * lasts for ever: the sweep counts those that began before the part it adds
 * (the caller's sl_spans_ended_before() at the column's start, then each
 * one the sweep meets), as the full pass counts them over the column.
 *
 * The sums are the same integers sl_spans_columns() and
 * sl_spans_core_columns() add up, and the choice is the same function
 * (sl__column_pick, sl__core_pick): a swept column draws exactly what the
 * full pass draws. test-model-span-index.c checks it on random spans, step
 * by random step, backwards too.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

void sl_lane_sweep_free(sl_lane_sweep *w)
{
    free(w->ns);
    free(w->ended);
    free(w->ended0);
    memset(w, 0, sizeof *w);
}

int sl_lane_sweep_start(sl_lane_sweep *w, uint32_t first, uint32_t k, int rows, uint64_t cs,
                        uint64_t dt, const uint32_t *ended)
{
    if (rows < 0 || k == 0 || dt == 0)
        return SL_EINVAL;
    if (rows > w->cap || !w->ns) {
        size_t n = rows ? (size_t)rows : 1;
        uint64_t *ns = realloc(w->ns, n * SL_ST__COUNT * sizeof *ns);
        if (ns)
            w->ns = ns;
        uint32_t *e = realloc(w->ended, n * 3 * sizeof *e);
        if (e)
            w->ended = e;
        uint32_t *e0 = realloc(w->ended0, n * 3 * sizeof *e0);
        if (e0)
            w->ended0 = e0;
        if (!ns || !e || !e0)
            return SL_ENOMEM;
        w->cap = (int)n;
    }
    w->first = first, w->k = k, w->rows = rows, w->cs = w->at = cs, w->dt = dt;
    memset(w->ns, 0, (size_t)rows * SL_ST__COUNT * sizeof *w->ns);
    memcpy(w->ended, ended, (size_t)rows * 3 * sizeof *w->ended);
    memcpy(w->ended0, ended, (size_t)rows * 3 * sizeof *w->ended0);
    return 0;
}

int sl_lane_sweep_to(sl_lane_sweep *w, const sl_span_index *ix, const sl_spans *s, uint64_t limit,
                     uint8_t *out)
{
    uint64_t end = w->cs + w->dt < limit ? w->cs + w->dt : limit;
    if (end < w->at) {
        /* Back: the column over again. */
        memset(w->ns, 0, (size_t)w->rows * SL_ST__COUNT * sizeof *w->ns);
        memcpy(w->ended, w->ended0, (size_t)w->rows * 3 * sizeof *w->ended);
        w->at = w->cs;
    }
    if (end > w->at) {
        /* The tasks that ended before `at` hold their final state over the
         * whole step; those that end inside it are met below. */
        for (int r = 0; r < w->rows; r++)
            for (int e = 0; e < 3; e++)
                w->ns[(size_t)r * SL_ST__COUNT + SL_ST_DONE + (size_t)e] +=
                    (uint64_t)w->ended[(size_t)r * 3 + (size_t)e] * (end - w->at);
        size_t lo, hi;
        sl__span_index_range(ix, w->at, end, &lo, &hi);
        for (size_t p = lo; p < hi; p++) {
            if (p + SL__PREFETCH_AHEAD < hi)
                __builtin_prefetch(&s->v[ix->idx[p + SL__PREFETCH_AHEAD] & SL__SPAN_NUMBER]);
            uint32_t e = ix->idx[p];
            const sl_span *sp = &s->v[e & SL__SPAN_NUMBER];
            if (sp->task < w->first)
                continue;
            uint32_t r = (sp->task - w->first) / w->k;
            if (r >= (uint32_t)w->rows)
                continue;
            uint64_t ns = sl__span_overlap(sp, e, w->at, end);
            w->ns[(size_t)r * SL_ST__COUNT + sp->state] += ns;
            if ((e & SL__SPAN_FOREVER) && sp->start_ns >= w->at && sp->start_ns < end)
                w->ended[(size_t)r * 3 + (size_t)(sp->state - SL_ST_DONE)]++;
        }
        w->at = end;
    }
    uint64_t len = w->at - w->cs;
    for (int r = 0; r < w->rows; r++) {
        uint64_t a = (uint64_t)w->first + (uint64_t)r * w->k, b = a + w->k;
        b = b < s->n_tasks ? b : s->n_tasks;
        uint64_t ns[SL_ST__COUNT], covered = 0;
        memcpy(ns, w->ns + (size_t)r * SL_ST__COUNT, sizeof ns);
        for (int st = 0; st < SL_ST__COUNT; st++)
            covered += ns[st];
        out[r] = sl__column_pick(ns, covered, (b > a ? b - a : 0) * len);
    }
    return 0;
}

/* One (core, task)'s running time in the column so far. */
struct sl_span_slot {
    uint64_t key; /* core << 32 | task */
    uint64_t ns;
    uint32_t stamp; /* the column it belongs to: older slots are free */
    bool moved;     /* one of its runs came from another core */
};

void sl_core_sweep_free(sl_core_sweep *w)
{
    free(w->by_task);
    free(w->slots);
    memset(w, 0, sizeof *w);
}

int sl_core_sweep_start(sl_core_sweep *w, uint32_t n_cores, uint64_t cs, uint64_t dt)
{
    if (dt == 0 || n_cores > SL_MODEL_CORES)
        return SL_EINVAL;
    w->n_cores = n_cores, w->cs = w->at = cs, w->dt = dt, w->used = 0;
    for (uint32_t c = 0; c < n_cores; c++) {
        w->busy[c] = w->best_ns[c] = 0;
        w->best[c] = SL_NO_TASK;
        w->best_moved[c] = false;
    }
    /* A new stamp frees every slot without touching them. */
    if (++w->stamp == 0) {
        if (w->slots)
            memset(w->slots, 0, w->slots_cap * sizeof *w->slots);
        if (w->by_task)
            memset(w->by_task, 0, w->by_task_n * sizeof *w->by_task);
        w->stamp = 1;
    }
    return 0;
}

/* Where `key`'s search starts among the slots. */
static size_t home(const sl_core_sweep *w, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 24) & (w->slots_cap - 1);
}

/* The slot of `key` in this column: its own, or the free one it would take. */
static struct sl_span_slot *find(const sl_core_sweep *w, uint64_t key)
{
    size_t mask = w->slots_cap - 1;
    size_t h = home(w, key);
    while (w->slots[h].stamp == w->stamp && w->slots[h].key != key)
        h = (h + 1) & mask;
    return &w->slots[h];
}

static int grow(sl_core_sweep *w);

/* Asks for the slot a running span will look up first. */
static void prefetch_slot(const sl_core_sweep *w, const sl_span *sp)
{
    if (sp->state != SL_ST_RUNNING)
        return;
    if (sp->task < w->by_task_n)
        __builtin_prefetch(&w->by_task[sp->task], 1);
    else if (w->slots)
        __builtin_prefetch(&w->slots[home(w, (uint64_t)sp->core << 32 | sp->task)], 1);
}

/* A table of one slot per task, for the spans' tasks, made before the
 * first sweep (a new one starts the column over). Without the memory, the
 * shared slots do. Most tasks run on one core within a column, and the
 * tasks of an event loop come and go roughly in number order: the task's
 * own slot is then a lookup that stays near the last one, where a hash
 * would land each at random in a table as big as the column's tasks. */
static void own_slots(sl_core_sweep *w, uint32_t n_tasks)
{
    if (w->by_task_n >= n_tasks)
        return;
    free(w->by_task);
    w->by_task = calloc(n_tasks, sizeof *w->by_task);
    w->by_task_n = w->by_task ? n_tasks : 0;
    sl_huge_pages(w->by_task, (size_t)w->by_task_n * sizeof *w->by_task);
    sl_core_sweep_start(w, w->n_cores, w->cs, w->dt);
}

/* The slot that sums (core, task) in this column, claimed if new; NULL
 * without memory. */
static struct sl_span_slot *slot_of(sl_core_sweep *w, uint32_t core, uint32_t task)
{
    uint64_t key = (uint64_t)core << 32 | task;
    if (task < w->by_task_n) {
        struct sl_span_slot *x = &w->by_task[task];
        if (x->stamp != w->stamp) {
            *x = (struct sl_span_slot){.key = key, .stamp = w->stamp};
            return x;
        }
        if (x->key == key)
            return x;
        /* It ran on another core first in this column: a shared slot. */
    }
    struct sl_span_slot *x = w->slots ? find(w, key) : NULL;
    if (!x || x->stamp != w->stamp) {
        if (2 * (w->used + 1) > w->slots_cap && grow(w) < 0)
            return NULL;
        x = find(w, key);
        *x = (struct sl_span_slot){.key = key, .stamp = w->stamp};
        w->used++;
    }
    return x;
}

/* Doubles the slots (4096 at first), keeping this column's: they grow with
 * the tasks a column holds, never with the spans scanned. */
static int grow(sl_core_sweep *w)
{
    size_t cap = w->slots_cap ? 2 * w->slots_cap : 4096, old_cap = w->slots_cap;
    struct sl_span_slot *old = w->slots, *v = calloc(cap, sizeof *v);
    if (!v)
        return SL_ENOMEM;
    w->slots = v;
    w->slots_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].stamp == w->stamp)
            *find(w, old[i].key) = old[i];
    free(old);
    return 0;
}

int sl_core_sweep_to(sl_core_sweep *w, const sl_span_index *ix, const sl_spans *s, uint64_t limit,
                     sl_core_cell *out, uint64_t *busy)
{
    uint64_t end = w->cs + w->dt < limit ? w->cs + w->dt : limit;
    own_slots(w, s->n_tasks);
    if (end < w->at)
        sl_core_sweep_start(w, w->n_cores, w->cs, w->dt);
    if (end > w->at && w->n_cores > 0) {
        size_t lo, hi;
        sl__span_index_range(ix, w->at, end, &lo, &hi);
        for (size_t p = lo; p < hi; p++) {
            /* Two stages ahead: the span, then (once it is near) its slot. */
            if (p + 2 * SL__PREFETCH_AHEAD < hi)
                __builtin_prefetch(&s->v[ix->idx[p + 2 * SL__PREFETCH_AHEAD] & SL__SPAN_NUMBER]);
            if (p + SL__PREFETCH_AHEAD < hi)
                prefetch_slot(w, &s->v[ix->idx[p + SL__PREFETCH_AHEAD] & SL__SPAN_NUMBER]);
            uint32_t e = ix->idx[p];
            const sl_span *sp = &s->v[e & SL__SPAN_NUMBER];
            if (sp->state != SL_ST_RUNNING || sp->core >= w->n_cores)
                continue;
            uint64_t ns = sl__span_overlap(sp, e, w->at, end);
            if (ns == 0)
                continue;
            struct sl_span_slot *x = slot_of(w, sp->core, sp->task);
            if (!x)
                return SL_ENOMEM;
            x->ns += ns;
            x->moved |= (e & SL__SPAN_MOVED) && sp->start_ns >= w->cs;
            w->busy[sp->core] += ns;
            /* The longest-running task leads, the first by number on a
             * tie, as the full pass meets them task by task. */
            uint32_t c = sp->core;
            if (x->ns > w->best_ns[c] || (x->ns == w->best_ns[c] && sp->task < w->best[c]) ||
                w->best[c] == sp->task) {
                w->best[c] = sp->task;
                w->best_ns[c] = x->ns;
                w->best_moved[c] = x->moved;
            }
        }
        w->at = end;
    }
    for (uint32_t c = 0; c < w->n_cores; c++) {
        out[c] =
            sl__core_pick(w->best[c], w->best_ns[c], w->best_moved[c], w->busy[c], w->at - w->cs);
        if (busy)
            busy[c] = w->busy[c];
    }
    return 0;
}
