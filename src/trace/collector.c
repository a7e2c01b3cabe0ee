/*
 * collector.c - drains every ring into the trace, keeping it time-ordered.
 *
 * Each ring is filled by one producer reading one monotonic clock, so what a
 * ring yields is already sorted; the trace is their merge. The collector
 * keeps one staging run per ring, and every period:
 *
 *   1. pops each ring onto the end of its run (a ring found out of order,
 *      e.g. a producer stamping events itself, gets its run stable-sorted);
 *   2. k-way merges the runs' events older than the horizon - 20 ms before
 *      the newest time seen (the newest drained event, or the clock if that
 *      is later, so a quiet run still flows) - through a heap of run heads,
 *      copying whole stretches of one run between heap operations;
 *   3. writes the merge straight into the trace's array under the write
 *      lock (one copy per event; a view waits at most one period's merge).
 *
 * Ties are broken by (ring index, position in ring), which is arrival order
 * within a drain. An event can only be older than the newest published one
 * if its producer was stalled for more than the horizon between its clock
 * read and its push: it is then inserted at its sorted place (a backward
 * merge, cheap because it lands near the end) and `late` and `generation`
 * are bumped so that consumers refold.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedlab/error.h"
#include "trace-internal.h"
#include "trace/ring-layout.h"

#define HORIZON_NS 20000000u
#define DEFAULT_PERIOD_US 1000u
#define MAX_DRAIN_PASSES 8

typedef struct run_head {
    uint64_t t_ns; /* time of the run's first pending event */
    uint32_t ring;
} run_head;

typedef struct run_buf {
    sl_event *ev; /* pending events are ev[off .. len) */
    size_t off, len, cap;
} run_buf;

struct sl_collector {
    sl_rings *rings;
    sl_trace *trace;
    uint32_t n;
    uint64_t period_ns;
    uint64_t epoch_ns;
    uint64_t newest; /* newest event time drained so far */
    run_buf *runs;   /* one per ring */
    run_head *heap;  /* runs to merge, a min-heap on (head time, ring) */
    sl_event *out;   /* late events, while they are moved into place */
    size_t out_cap;
    sl_event *scratch; /* merge-sort buffer for an out-of-order run */
    size_t scratch_cap;
    pthread_mutex_t mu; /* one drain at a time: the thread or sl_collector_drain */
    pthread_mutex_t wake_mu;
    pthread_cond_t wake;
    bool stopping;
    pthread_t thread;
};

static int grow(sl_event **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    sl_event *p = realloc(*buf, c * sizeof(sl_event));
    if (p == NULL)
        return SL_ENOMEM;
    *buf = p;
    *cap = c;
    return 0;
}

/* Stable bottom-up merge sort by time (only for a run that broke order). */
static int sort_run(sl_collector *c, sl_event *ev, size_t n)
{
    if (grow(&c->scratch, &c->scratch_cap, n) < 0)
        return SL_ENOMEM;
    sl_event *a = ev, *b = c->scratch;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = a[j].t_ns < a[i].t_ns ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        sl_event *t = a;
        a = b;
        b = t;
    }
    if (a != ev)
        memcpy(ev, a, n * sizeof(*ev));
    return 0;
}

/* Pops ring i onto its run. Returns events moved, or a negative SL_E*. */
static long drain_ring(sl_collector *c, uint32_t i)
{
    sl_ring *ring = sl_rings_at(c->rings, i);
    size_t pending = sl_ring_pending(ring);
    if (pending == 0)
        return 0;
    run_buf *r = &c->runs[i];
    if (r->off == r->len) {
        r->off = r->len = 0;
    } else if (r->off > r->len / 2) {
        memmove(r->ev, r->ev + r->off, (r->len - r->off) * sizeof(sl_event));
        r->len -= r->off;
        r->off = 0;
    }
    if (grow(&r->ev, &r->cap, r->len + pending) < 0)
        return SL_ENOMEM;
    size_t start = r->len;
    size_t n = sl_ring_pop(ring, r->ev + start, pending);
    r->len += n;
    bool sorted = true;
    for (size_t k = start > r->off ? start : r->off + 1; k < r->len && sorted; k++)
        sorted = r->ev[k - 1].t_ns <= r->ev[k].t_ns;
    if (!sorted && sort_run(c, r->ev + r->off, r->len - r->off) < 0)
        return SL_ENOMEM;
    if (r->len > r->off && r->ev[r->len - 1].t_ns > c->newest)
        c->newest = r->ev[r->len - 1].t_ns;
    return (long)n;
}

/* One pass over every ring; returns the events moved to the runs. */
static size_t drain_pass(sl_collector *c)
{
    size_t total = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        long n = drain_ring(c, i);
        /* Out of memory: the events stay in the ring (and count as dropped
         * once it fills), which is the only honest thing left to do. */
        if (n > 0)
            total += (size_t)n;
    }
    return total;
}

static bool head_less(run_head a, run_head b)
{
    return a.t_ns < b.t_ns || (a.t_ns == b.t_ns && a.ring < b.ring);
}

static void sift_down(run_head *h, size_t n, size_t at)
{
    for (;;) {
        size_t l = 2 * at + 1, best = at;
        if (l < n && head_less(h[l], h[best]))
            best = l;
        if (l + 1 < n && head_less(h[l + 1], h[best]))
            best = l + 1;
        if (best == at)
            return;
        run_head t = h[at];
        h[at] = h[best];
        h[best] = t;
        at = best;
    }
}

/* Puts the runs holding events with t_ns <= cutoff in the heap; returns how
 * many events they hold (an upper bound on what the merge will take). */
static size_t heap_init(sl_collector *c, uint64_t cutoff, size_t *n_heap)
{
    size_t n = 0, total = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        run_buf *r = &c->runs[i];
        if (r->off < r->len && r->ev[r->off].t_ns <= cutoff) {
            c->heap[n++] = (run_head){.t_ns = r->ev[r->off].t_ns, .ring = i};
            total += r->len - r->off;
        }
    }
    for (size_t k = n / 2; k-- > 0;)
        sift_down(c->heap, n, k);
    *n_heap = n;
    return total;
}

/* Merges the heap's runs' events with t_ns <= cutoff into dst; returns how many. */
static size_t merge_runs(sl_collector *c, uint64_t cutoff, size_t n, sl_event *dst)
{
    run_head *h = c->heap;
    sl_event *out = dst;
    while (n > 0) {
        run_buf *r = &c->runs[h[0].ring];
        /* Take the whole stretch that sorts before every other run's head
         * (the root's smaller child); the first event always qualifies. */
        uint64_t bound = cutoff;
        bool incl = true;
        if (n > 1) {
            run_head next = n > 2 && head_less(h[2], h[1]) ? h[2] : h[1];
            bound = next.t_ns;
            incl = h[0].ring < next.ring;
        }
        const sl_event *src = r->ev + r->off, *end = r->ev + r->len;
        do
            *out++ = *src++;
        while (src < end && (src->t_ns < bound || (incl && src->t_ns == bound)));
        r->off = (size_t)(src - r->ev);
        if (src == end || src->t_ns > cutoff)
            h[0] = h[--n];
        else
            h[0].t_ns = src->t_ns;
        sift_down(h, n, 0);
    }
    return (size_t)(out - dst);
}

/* Moves the m events just merged at the end of the trace to their sorted
 * places among the published ones (late events). Returns how many were late. */
static size_t insert_late(sl_collector *c, size_t m)
{
    sl_trace *t = c->trace;
    sl_event *ev = t->events;
    uint64_t last = ev[t->count - 1].t_ns;
    if (m == 0 || ev[t->count].t_ns >= last)
        return 0;
    if (grow(&c->out, &c->out_cap, m) < 0)
        return 0; /* out of memory: leave them out of order rather than lose them */
    memcpy(c->out, ev + t->count, m * sizeof(sl_event));
    ptrdiff_t i = (ptrdiff_t)t->count - 1, j = (ptrdiff_t)m - 1, k = (ptrdiff_t)(t->count + m) - 1;
    /* Strictly greater: a late event goes after published events of the
     * same time, which arrived before it. */
    while (j >= 0) {
        if (i >= 0 && ev[i].t_ns > c->out[j].t_ns)
            ev[k--] = ev[i--];
        else
            ev[k--] = c->out[j--];
    }
    size_t late = 0;
    while (late < m && c->out[late].t_ns < last)
        late++;
    return late;
}

static uint64_t total_dropped(sl_collector *c)
{
    uint64_t d = 0;
    for (uint32_t i = 0; i < c->n; i++)
        d += sl_ring_dropped(sl_rings_at(c->rings, i));
    return d;
}

static void publish(sl_collector *c, bool all)
{
    uint64_t cutoff = UINT64_MAX;
    if (!all) {
        uint64_t now = sl_clock_ns();
        uint64_t ref = now > c->epoch_ns ? now - c->epoch_ns : 0;
        if (c->newest > ref)
            ref = c->newest;
        cutoff = ref > HORIZON_NS ? ref - HORIZON_NS : 0;
    }
    size_t n_heap;
    size_t bound = heap_init(c, cutoff, &n_heap);
    uint64_t dropped = total_dropped(c);
    sl_trace *t = c->trace;
    pthread_rwlock_wrlock(&t->lock);
    t->dropped = dropped;
    if (n_heap > 0 && sl__trace_reserve(t, bound) == 0) {
        size_t m = merge_runs(c, cutoff, n_heap, t->events + t->count);
        size_t late = t->count > 0 ? insert_late(c, m) : 0;
        if (late > 0) {
            t->late += late;
            t->generation++;
        }
        t->count += m;
    }
    pthread_rwlock_unlock(&t->lock);
}

static void *collector_main(void *arg)
{
    sl_collector *c = arg;
    pthread_mutex_lock(&c->wake_mu);
    while (!c->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t ns = (uint64_t)ts.tv_nsec + c->period_ns;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        int rc = pthread_cond_timedwait(&c->wake, &c->wake_mu, &ts);
        if (c->stopping || (rc != 0 && rc != ETIMEDOUT))
            break;
        pthread_mutex_unlock(&c->wake_mu);
        pthread_mutex_lock(&c->mu);
        sl__cclock_refresh(sl__rings_clock(c->rings));
        drain_pass(c);
        publish(c, false);
        pthread_mutex_unlock(&c->mu);
        pthread_mutex_lock(&c->wake_mu);
    }
    pthread_mutex_unlock(&c->wake_mu);
    return NULL;
}

static void collector_free(sl_collector *c)
{
    for (uint32_t i = 0; i < c->n; i++)
        free(c->runs[i].ev);
    free(c->runs);
    free(c->heap);
    free(c->out);
    free(c->scratch);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->wake_mu);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int sl_collector_start(sl_collector **out, sl_rings *rings, sl_trace *trace, uint32_t period_us)
{
    *out = NULL;
    if (rings == NULL || trace == NULL)
        return SL_EINVAL;
    sl_collector *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return SL_ENOMEM;
    c->rings = rings;
    c->trace = trace;
    c->n = sl_rings_count(rings);
    c->period_ns = (uint64_t)(period_us ? period_us : DEFAULT_PERIOD_US) * 1000u;
    c->epoch_ns = sl_rings_epoch(rings);
    c->runs = calloc(c->n, sizeof(*c->runs));
    c->heap = calloc(c->n, sizeof(*c->heap));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&c->wake_mu, NULL);
    pthread_mutex_init(&c->mu, NULL);
    if (c->runs == NULL || c->heap == NULL) {
        collector_free(c);
        return SL_ENOMEM;
    }
    if (pthread_create(&c->thread, NULL, collector_main, c) != 0) {
        collector_free(c);
        return SL_ELIMIT;
    }
    *out = c;
    return 0;
}

size_t sl_collector_drain(sl_collector *c)
{
    pthread_mutex_lock(&c->mu);
    size_t total = 0, n;
    /* A second pass catches what was pushed during the first; the cap keeps
     * a producer that never stops from holding the caller forever. */
    for (int pass = 0; pass < MAX_DRAIN_PASSES && (n = drain_pass(c)) > 0; pass++)
        total += n;
    publish(c, true);
    pthread_mutex_unlock(&c->mu);
    return total;
}

int sl_collector_stop(sl_collector *c)
{
    if (c == NULL)
        return SL_EINVAL;
    pthread_mutex_lock(&c->wake_mu);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->wake_mu);
    pthread_join(c->thread, NULL);

    sl_collector_drain(c);
    /* The end's check: how far the hooks' clock strayed from the kernel's. */
    sl__cclock *k = sl__rings_clock(c->rings);
    sl__cclock_refresh(k);
    pthread_rwlock_wrlock(&c->trace->lock);
    snprintf(c->trace->os.clock_source, sizeof(c->trace->os.clock_source), "%s",
             sl__cclock_source_name(k));
    c->trace->os.clock_drift_ns = k->max_err_ns;
    c->trace->finished = true;
    pthread_rwlock_unlock(&c->trace->lock);
    collector_free(c);
    return 0;
}
