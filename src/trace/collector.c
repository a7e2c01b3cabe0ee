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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "schedlab/error.h"
#include "trace-internal.h"
#include "trace/ring-layout.h"

#define HORIZON_NS 20000000u
#define DEFAULT_PERIOD_US 1000u
#define MAX_DRAIN_PASSES 8
/* Events popped from one ring per round: a round's runs stay in the cache
 * (16,384 x 32 bytes = 512 KiB per ring) and are reused, so a backlog of
 * millions is merged at memory speed instead of through fresh pages. */
#define CHUNK 16384u
/* Rounds one periodic drain may take (a ring's worth of CHUNKs). */
#define MAX_ROUNDS 4096
/* Up to this many runs, a tree of branch-free two-way merges beats a heap. */
#define TREE_MAX_RUNS 8

typedef struct run_head {
    uint64_t t_ns; /* time of the run's first pending event */
    uint32_t ring;
} run_head;

typedef struct run_buf {
    sl_event *ev; /* pending events are ev[off .. len) */
    size_t off, len, cap;
    bool more; /* the ring held more than the last round popped */
} run_buf;

/* Part of a run (or of a merge level) about to be merged. */
typedef struct slice {
    const sl_event *ev;
    size_t n;
} slice;

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
    sl_event *level[2]; /* the merge tree's inner levels */
    size_t level_cap[2];
    const sl_event *pf_base; /* the trace's array when pf_upto was measured */
    size_t pf_upto;          /* events of it known to be faulted in */
    pthread_mutex_t mu;      /* one drain at a time: the thread or sl_collector_drain */
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
    run_buf *r = &c->runs[i];
    r->more = pending > CHUNK;
    if (pending == 0)
        return 0;
    if (r->more)
        pending = CHUNK;
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

/* One round over every ring (at most CHUNK each); returns the events moved
 * to the runs. */
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

/* Merges two sorted slices into dst, a's events first on equal times (a
 * holds the lower ring numbers). The pick is a select, not a branch: on
 * interleaved input a branch would be mispredicted every other event. */
static sl_event *merge2(slice a, slice b, sl_event *dst)
{
    const sl_event *pa = a.ev, *ea = a.ev + a.n, *pb = b.ev, *eb = b.ev + b.n;
    while (pa < ea && pb < eb) {
        bool take_b = pb->t_ns < pa->t_ns;
        *dst++ = *(take_b ? pb : pa);
        pb += take_b;
        pa += !take_b;
    }
    /* An empty slice may have no events pointer at all: memcpy wants one. */
    if (pa < ea)
        memcpy(dst, pa, (size_t)(ea - pa) * sizeof(sl_event));
    dst += ea - pa;
    if (pb < eb)
        memcpy(dst, pb, (size_t)(eb - pb) * sizeof(sl_event));
    return dst + (eb - pb);
}

/* Merges n (<= TREE_MAX_RUNS) slices in ring order into dst, pairwise, level
 * by level; the last level writes dst. Returns the events written, or 0 (and
 * merges nothing) when out of memory. */
static size_t merge_tree(sl_collector *c, slice *s, uint32_t n, size_t total, sl_event *dst)
{
    for (int b = 0; b < 2; b++)
        if (n > 2 && grow(&c->level[b], &c->level_cap[b], total) < 0)
            return 0;
    int b = 0;
    while (n > 2) {
        sl_event *out = c->level[b];
        uint32_t m = 0;
        for (uint32_t k = 0; k < n; k += 2) {
            sl_event *end = k + 1 < n ? merge2(s[k], s[k + 1], out) : merge2(s[k], (slice){0}, out);
            s[m++] = (slice){out, (size_t)(end - out)};
            out = end;
        }
        n = m;
        b ^= 1;
    }
    sl_event *end = merge2(s[0], n > 1 ? s[1] : (slice){0}, dst);
    return (size_t)(end - dst);
}

/* How many of a run's pending events have t_ns <= limit (a run is sorted). */
static size_t count_upto(const run_buf *r, uint64_t limit)
{
    size_t lo = r->off, hi = r->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ev[mid].t_ns <= limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - r->off;
}

/* Faults in the trace's pages for events [.., upto) with one madvise before
 * the merge writes them. On a virtual machine a page fault costs
 * microseconds, and a 4 KiB page holds only 128 events: one fault per page
 * cost more than the merge itself. MADV_POPULATE_WRITE (Linux 5.14) makes
 * it one call per publish; where it is refused, the writes fault as before. */
static void prefault(sl_collector *c, sl_trace *t, size_t upto)
{
    if (t->events != c->pf_base) { /* moved: only what was copied is resident */
        c->pf_base = t->events;
        c->pf_upto = t->count;
    }
    if (upto <= c->pf_upto)
        return;
    const uintptr_t page = 4096;
    uintptr_t base = (uintptr_t)t->events;
    uintptr_t lo = (base + c->pf_upto * sizeof(sl_event)) & ~(page - 1);
    uintptr_t hi = (base + upto * sizeof(sl_event) + page - 1) & ~(page - 1);
    uintptr_t end = (base + t->cap * sizeof(sl_event)) & ~(page - 1);
    if (hi > end)
        hi = end;
    if (hi > lo + page)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
    c->pf_upto = upto;
}

/* Publishes the runs' events up to `limit` (inclusive): an event of a ring
 * that still holds unpopped events may only go out once that ring's next
 * event cannot sort before it, hence the limit. */
static void publish(sl_collector *c, uint64_t limit)
{
    slice s[TREE_MAX_RUNS];
    uint32_t ring_of[TREE_MAX_RUNS]; /* s[k] is a prefix of ring ring_of[k]'s run */
    uint32_t n_slices = 0;
    size_t total = 0;
    for (uint32_t i = 0; i < c->n && n_slices <= TREE_MAX_RUNS; i++) {
        run_buf *r = &c->runs[i];
        if (r->off == r->len || r->ev[r->off].t_ns > limit)
            continue;
        size_t k = count_upto(r, limit);
        if (n_slices < TREE_MAX_RUNS) {
            s[n_slices] = (slice){r->ev + r->off, k};
            ring_of[n_slices] = i;
        }
        n_slices++;
        total += k;
    }
    bool tree = n_slices <= TREE_MAX_RUNS;
    size_t n_heap = 0;
    if (!tree)
        total = heap_init(c, limit, &n_heap);
    uint64_t dropped = total_dropped(c);
    sl_trace *t = c->trace;
    sl__trace_write_lock(t);
    t->dropped = dropped;
    if (total > 0 && sl__trace_reserve(t, total) == 0) {
        prefault(c, t, t->count + total);
        size_t m;
        if (tree) {
            size_t take[TREE_MAX_RUNS];
            for (uint32_t k = 0; k < n_slices; k++)
                take[k] = s[k].n;
            m = merge_tree(c, s, n_slices, total, t->events + t->count);
            for (uint32_t k = 0; m == total && k < n_slices; k++)
                c->runs[ring_of[k]].off += take[k];
        } else {
            m = merge_runs(c, limit, n_heap, t->events + t->count);
        }
        size_t late = t->count > 0 ? insert_late(c, m) : 0;
        if (late > 0) {
            t->late += late;
            t->generation++;
        }
        t->count += m;
    }
    sl__trace_unlock(t);
}

/* Events older than the horizon, or everything when `all`. */
static uint64_t horizon_cutoff(sl_collector *c, bool all)
{
    if (all)
        return UINT64_MAX;
    uint64_t now = sl_clock_ns();
    uint64_t ref = now > c->epoch_ns ? now - c->epoch_ns : 0;
    if (c->newest > ref)
        ref = c->newest;
    return ref > HORIZON_NS ? ref - HORIZON_NS : 0;
}

/* Rounds of (pop a chunk of every ring, publish what is safe) until no ring
 * holds more than a round took, at most `rounds`. Returns events popped. */
static size_t drain_rounds(sl_collector *c, bool all, int rounds)
{
    size_t total = 0;
    for (int round = 0; round < rounds; round++) {
        size_t n = drain_pass(c);
        total += n;
        uint64_t limit = horizon_cutoff(c, all);
        bool more = false;
        for (uint32_t i = 0; i < c->n; i++) {
            run_buf *r = &c->runs[i];
            if (r->more) {
                /* Strictly before the ring's last popped time: its next
                 * event may share that time and must keep its place. */
                uint64_t last = r->ev[r->len - 1].t_ns;
                more = true;
                if (last == 0)
                    limit = 0;
                else if (last - 1 < limit)
                    limit = last - 1;
            }
        }
        publish(c, limit);
        if (!more)
            break;
    }
    return total;
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
        drain_rounds(c, false, MAX_ROUNDS);
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
    free(c->level[0]);
    free(c->level[1]);
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
    for (int pass = 0; pass < MAX_DRAIN_PASSES && (n = drain_rounds(c, true, MAX_ROUNDS)) > 0;
         pass++)
        total += n;
    publish(c, UINT64_MAX);
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
    sl__trace_write_lock(c->trace);
    snprintf(c->trace->os.clock_source, sizeof(c->trace->os.clock_source), "%s",
             sl__cclock_source_name(k));
    c->trace->os.clock_drift_ns = k->max_err_ns;
    c->trace->finished = true;
    sl__trace_unlock(c->trace);
    collector_free(c);
    return 0;
}
