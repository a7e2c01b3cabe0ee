/*
 * columns.c - what one column of a timeline shows, from the spans.
 *
 * A column covers dt of time. It shows the state that held longest in it,
 * by time, summed over the tasks of its lane: a column that ran 1% and
 * waited 99% is waiting, at any zoom. A column painted by whatever state
 * happened in it, as the terminal once did, draws a ticker that slept 99%
 * of the time as running, and the picture flips when one zooms in. A run
 * too short to take its column is not lost: the column carries a mark
 * (SL_COL_BRIEF_RUN), so a lone 1 ms run in a 50 ms column still shows. A
 * task's own lane can also mark the column where its coroutine resumed on
 * another work-stealing worker (SL_COL_MIGRATED, sl_spans_worker_moves).
 *
 * Time no span covers (before a task's first event) counts as "new"; a
 * task's final state, once it has ended, lasts for ever. Ties go to the
 * state that tells more (running over failed, cancelled, starting, ready,
 * waiting, queued, done, new), so two equal halves draw the run. Starting
 * (a process being created) is a state of its own like the others: a
 * column where start-up held longest draws start-up, so a process that
 * costs more to start than its work shows it at any zoom.
 *
 * Cost: O(spans of the lane + columns x states), whatever the zoom: each
 * span adds its partial first and last columns directly and the columns it
 * covers whole through a difference array.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

/* How much a state tells when two hold a column equally long. */
static const uint8_t tells[SL_ST__COUNT] = {
    [SL_ST_NEW] = 0,       [SL_ST_DONE] = 1,   [SL_ST_QUEUED] = 2,
    [SL_ST_WAITING] = 3,   [SL_ST_READY] = 4,  [SL_ST_STARTING] = 5,
    [SL_ST_CANCELLED] = 6, [SL_ST_FAILED] = 7, [SL_ST_RUNNING] = 8,
};

bool sl__state_ended(uint8_t st)
{
    return st == SL_ST_DONE || st == SL_ST_FAILED || st == SL_ST_CANCELLED;
}

uint8_t sl__column_pick(uint64_t ns[SL_ST__COUNT], uint64_t covered, uint64_t whole)
{
    ns[SL_ST_NEW] = whole > covered ? whole - covered : 0;
    uint8_t best = SL_ST_NEW;
    for (int st = 0; st < SL_ST__COUNT; st++)
        if (ns[st] > ns[best] || (ns[st] == ns[best] && tells[st] > tells[best]))
            best = (uint8_t)st;
    bool brief = best != SL_ST_RUNNING && ns[SL_ST_RUNNING] > 0;
    return (uint8_t)(best | (brief ? SL_COL_BRIEF_RUN : 0));
}

/* Column of time t (t >= t0). */
static uint64_t col_of(uint64_t t, uint64_t t0, uint64_t dt)
{
    return (t - t0) / dt;
}

typedef struct acc {
    int n;
    uint64_t t0, dt, limit;
    uint64_t *part; /* SL_ST__COUNT x n: ns of partly covered columns */
    int64_t *whole; /* SL_ST__COUNT x (n + 1): difference array of whole columns */
} acc;

/* End (exclusive) of column c, clipped to the limit. */
static uint64_t col_end(const acc *a, uint64_t c)
{
    uint64_t e = a->t0 + (c + 1) * a->dt;
    return e < a->limit ? e : a->limit;
}

static void add(acc *a, uint8_t st, uint64_t s, uint64_t e)
{
    if (s < a->t0)
        s = a->t0;
    uint64_t right = a->t0 + (uint64_t)a->n * a->dt;
    if (e > right)
        e = right;
    if (e > a->limit)
        e = a->limit;
    if (e <= s)
        return;
    uint64_t lo = col_of(s, a->t0, a->dt), hi = col_of(e - 1, a->t0, a->dt);
    uint64_t *part = a->part + (size_t)st * (size_t)a->n;
    if (lo == hi) {
        part[lo] += e - s;
        return;
    }
    part[lo] += col_end(a, lo) - s;
    part[hi] += e - (a->t0 + hi * a->dt);
    if (hi > lo + 1) {
        int64_t *whole = a->whole + (size_t)st * (size_t)(a->n + 1);
        whole[lo + 1]++;
        whole[hi]--;
    }
}

int sl_spans_columns(const sl_spans *s, uint32_t a, uint32_t b, uint64_t t0, uint64_t dt,
                     uint64_t limit, int n, uint8_t *out)
{
    if (n <= 0)
        return 0;
    if (dt == 0 || a > b || b > s->n_tasks)
        return SL_EINVAL;
    acc ac = {.n = n, .t0 = t0, .dt = dt, .limit = limit};
    ac.part = calloc((size_t)SL_ST__COUNT * (size_t)n, sizeof *ac.part);
    ac.whole = calloc((size_t)SL_ST__COUNT * (size_t)(n + 1), sizeof *ac.whole);
    if (!ac.part || !ac.whole) {
        free(ac.part);
        free(ac.whole);
        return SL_ENOMEM;
    }
    for (uint32_t t = a; t < b; t++) {
        size_t last = s->first[t + 1];
        for (size_t q = s->first[t]; q < last; q++) {
            const sl_span *v = &s->v[q];
            if (v->state >= SL_ST__COUNT || v->state == SL_ST_NEW)
                continue;
            bool forever = q + 1 == last && sl__state_ended(v->state);
            add(&ac, v->state, v->start_ns, forever ? UINT64_MAX : v->end_ns);
        }
    }
    int64_t cover[SL_ST__COUNT] = {0};
    uint64_t tasks = b - a;
    for (int c = 0; c < n; c++) {
        uint64_t start = t0 + (uint64_t)c * dt, end = col_end(&ac, (uint64_t)c);
        uint64_t len = end > start ? end - start : 0;
        uint64_t ns[SL_ST__COUNT], covered = 0;
        for (int st = 0; st < SL_ST__COUNT; st++) {
            cover[st] += ac.whole[(size_t)st * (size_t)(n + 1) + (size_t)c];
            ns[st] = (uint64_t)cover[st] * len + ac.part[(size_t)st * (size_t)n + (size_t)c];
            covered += ns[st];
        }
        out[c] = sl__column_pick(ns, covered, tasks * len);
    }
    free(ac.part);
    free(ac.whole);
    return 0;
}

/* One core column being summed: the task that held it longest so far, and
 * the task whose spans are being added now (a task's spans come in one go). */
typedef struct core_acc {
    uint64_t best_ns, cur_ns, busy_ns;
    uint32_t best, cur;
    bool best_moved, cur_moved;
} core_acc;

static void core_add(core_acc *k, uint32_t task, uint64_t ns, bool moved)
{
    if (k->cur != task) {
        k->cur = task;
        k->cur_ns = 0;
        k->cur_moved = false;
    }
    k->cur_ns += ns;
    k->cur_moved |= moved;
    k->busy_ns += ns;
    if (k->cur_ns > k->best_ns) {
        k->best_ns = k->cur_ns;
        k->best = task;
        k->best_moved = k->cur_moved;
    }
}

sl_core_cell sl__core_pick(uint32_t best, uint64_t best_ns, bool best_moved, uint64_t busy_ns,
                           uint64_t len)
{
    uint64_t idle = len > busy_ns ? len - busy_ns : 0;
    /* Idle wins only when it held longer than the tasks together: a core
     * that the GIL hands between ten threads is busy, as its meter says,
     * though no one thread held it longest. */
    bool idle_wins = best == SL_NO_TASK || idle > busy_ns;
    return (sl_core_cell){.task = idle_wins ? SL_NO_TASK : best,
                          .migrated = !idle_wins && best_moved,
                          .brief_run = idle_wins ? busy_ns > 0 : busy_ns > best_ns};
}

static int core_columns(const sl_spans *s, uint32_t n_cores, uint64_t t0, uint64_t dt,
                        uint64_t limit, int n, sl_core_cell *out, uint64_t *busy,
                        uint64_t *busy_cols)
{
    if (n <= 0 || n_cores == 0)
        return 0;
    if (dt == 0)
        return SL_EINVAL;
    size_t cells = (size_t)n_cores * (size_t)n;
    core_acc *k = malloc(cells * sizeof *k);
    if (!k)
        return SL_ENOMEM;
    for (size_t i = 0; i < cells; i++)
        k[i] = (core_acc){.best = SL_NO_TASK, .cur = SL_NO_TASK};
    if (busy)
        memset(busy, 0, n_cores * sizeof *busy);
    uint64_t right = t0 + (uint64_t)n * dt;
    if (right > limit)
        right = limit;
    for (uint32_t task = 0; task < s->n_tasks; task++) {
        int last_core = -1;
        for (size_t i = s->first[task]; i < s->first[task + 1]; i++) {
            const sl_span *sp = &s->v[i];
            if (sp->start_ns >= right)
                break;
            if (sp->state != SL_ST_RUNNING)
                continue;
            bool moved = last_core >= 0 && last_core != sp->core;
            last_core = sp->core;
            uint64_t lo_t = sp->start_ns > t0 ? sp->start_ns : t0;
            uint64_t hi_t = sp->end_ns < right ? sp->end_ns : right;
            if (sp->core >= n_cores || hi_t <= lo_t)
                continue;
            if (busy)
                busy[sp->core] += hi_t - lo_t;
            core_acc *lane = k + (size_t)sp->core * (size_t)n;
            for (uint64_t c = col_of(lo_t, t0, dt); c < (uint64_t)n; c++) {
                uint64_t cs = t0 + c * dt, ce = cs + dt;
                if (cs >= hi_t)
                    break;
                uint64_t a = lo_t > cs ? lo_t : cs, b = hi_t < ce ? hi_t : ce;
                core_add(&lane[c], task, b - a, moved && sp->start_ns >= cs);
            }
        }
    }
    for (uint32_t core = 0; core < n_cores; core++) {
        for (int c = 0; c < n; c++) {
            const core_acc *x = &k[(size_t)core * (size_t)n + (size_t)c];
            uint64_t cs = t0 + (uint64_t)c * dt, ce = cs + dt < limit ? cs + dt : limit;
            out[(size_t)core * (size_t)n + (size_t)c] = sl__core_pick(
                x->best, x->best_ns, x->best_moved, x->busy_ns, ce > cs ? ce - cs : 0);
            if (busy_cols)
                busy_cols[(size_t)core * (size_t)n + (size_t)c] = x->busy_ns;
        }
    }
    free(k);
    return 0;
}

int sl_spans_core_columns(const sl_spans *s, uint32_t n_cores, uint64_t t0, uint64_t dt,
                          uint64_t limit, int n, sl_core_cell *out, uint64_t *busy)
{
    return core_columns(s, n_cores, t0, dt, limit, n, out, busy, NULL);
}

int sl_spans_core_history(const sl_spans *s, uint32_t n_cores, uint64_t t0, uint64_t dt, int n,
                          sl_core_cell *out, uint64_t *busy_cols)
{
    return core_columns(s, n_cores, t0, dt, UINT64_MAX, n, out, NULL, busy_cols);
}

int sl_spans_worker_moves(const sl_spans *s, uint32_t task, uint64_t t0, uint64_t dt,
                          uint64_t limit, int n, uint8_t *cells)
{
    if (dt == 0 || task >= s->n_tasks)
        return SL_EINVAL;
    uint8_t worker = 0;
    for (size_t q = s->first[task]; q < s->first[task + 1]; q++) {
        const sl_span *v = &s->v[q];
        if (v->state != SL_ST_RUNNING || v->reason == 0)
            continue;
        if (worker != 0 && v->reason != worker && v->start_ns >= t0 && v->start_ns < limit &&
            col_of(v->start_ns, t0, dt) < (uint64_t)n)
            cells[col_of(v->start_ns, t0, dt)] |= SL_COL_MIGRATED;
        worker = v->reason;
    }
    return 0;
}
