/*
 * span-index.c - the spans by the time they start, so that a column costs
 * the spans that overlap it, not all of them.
 *
 * A timeline keeps its columns while the window stays put; under a moving
 * playhead only the column the playhead cuts changes. Summing that column
 * from every span costs a pass over all of them each frame (9 M spans at a
 * million tasks). Here the spans sit in buckets by start time, each bucket
 * knowing the latest end of any span starting in it or before (its reach):
 * the spans that overlap [cs, ce) start in the buckets from the first whose
 * reach passes cs to the one holding ce - 1. A task's last span in a final
 * state lasts for ever and would make every reach endless, so those are
 * left out of the reach: the ones that began before the column come in as
 * counts per lane (sl_spans_ended_before(), which the caller keeps with its
 * columns), the ones that begin inside it are in the buckets.
 *
 * The sweeps over a column (span-sweep.c) read the index.
 */
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"
#include "schedlab/error.h"

#define FOREVER SL__SPAN_FOREVER
#define MOVED SL__SPAN_MOVED
#define NUMBER SL__SPAN_NUMBER
#define PER_BUCKET 8

void sl_span_index_free(sl_span_index *ix)
{
    free(ix->at);
    free(ix->reach);
    free(ix->idx);
    memset(ix, 0, sizeof *ix);
}

static bool indexed(const sl_span *sp)
{
    return sp->state != SL_ST_NEW && sp->state < SL_ST__COUNT;
}

static size_t bucket_of(const sl_span_index *ix, uint64_t t)
{
    size_t b = t < ix->t0 ? 0 : (size_t)((t - ix->t0) / ix->w);
    return b < ix->n_buckets ? b : ix->n_buckets - 1;
}

/* Grows *p to hold n elements of `size` bytes (kept when large enough). */
static int fit(void **p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap && *p)
        return 0;
    void *q = realloc(*p, (n ? n : 1) * size);
    if (!q)
        return SL_ENOMEM;
    *p = q;
    *cap = n;
    sl_huge_pages(q, n * size);
    return 0;
}

int sl_span_index_build(const sl_spans *s, sl_span_index *ix)
{
    if (s->n > NUMBER)
        return SL_ELIMIT;
    size_t n = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t q = 0; q < s->n; q++) {
        const sl_span *sp = &s->v[q];
        if (!indexed(sp))
            continue;
        n++;
        lo = sp->start_ns < lo ? sp->start_ns : lo;
        hi = sp->start_ns > hi ? sp->start_ns : hi;
    }
    ix->n = n;
    ix->n_buckets = 0;
    if (n == 0)
        return 0;
    size_t nb = n / PER_BUCKET + 1;
    if (fit((void **)&ix->at, &ix->at_cap, nb + 1, sizeof *ix->at) < 0 ||
        fit((void **)&ix->reach, &ix->reach_cap, nb, sizeof *ix->reach) < 0 ||
        fit((void **)&ix->idx, &ix->idx_cap, n, sizeof *ix->idx) < 0)
        return SL_ENOMEM;
    ix->t0 = lo;
    ix->w = (hi - lo) / nb + 1;
    ix->n_buckets = nb;
    memset(ix->at, 0, (nb + 1) * sizeof *ix->at);
    for (size_t b = 0; b < nb; b++)
        ix->reach[b] = 0;
    for (size_t q = 0; q < s->n; q++)
        if (indexed(&s->v[q]))
            ix->at[bucket_of(ix, s->v[q].start_ns) + 1]++;
    for (size_t b = 0; b < nb; b++)
        ix->at[b + 1] += ix->at[b];
    /* Task by task, to know each span's place among its task's: at[b] is
     * bucket b's write cursor, so it ends as the start of bucket b + 1. */
    for (uint32_t t = 0; t < s->n_tasks; t++) {
        size_t last = s->first[t + 1];
        int last_core = -1;
        for (size_t q = s->first[t]; q < last; q++) {
            const sl_span *sp = &s->v[q];
            uint32_t flags = 0;
            if (sp->state == SL_ST_RUNNING) {
                if (last_core >= 0 && last_core != sp->core)
                    flags |= MOVED;
                last_core = sp->core;
            }
            if (!indexed(sp))
                continue;
            size_t b = bucket_of(ix, sp->start_ns);
            if (q + 1 == last && sl__state_ended(sp->state))
                flags |= FOREVER;
            else if (sp->end_ns > ix->reach[b])
                ix->reach[b] = sp->end_ns;
            ix->idx[ix->at[b]++] = (uint32_t)q | flags;
        }
    }
    for (size_t b = nb; b > 0; b--)
        ix->at[b] = ix->at[b - 1];
    ix->at[0] = 0;
    for (size_t b = 1; b < nb; b++)
        if (ix->reach[b - 1] > ix->reach[b])
            ix->reach[b] = ix->reach[b - 1];
    return 0;
}

void sl__span_index_range(const sl_span_index *ix, uint64_t cs, uint64_t ce, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    if (ix->n_buckets == 0 || ce <= cs || ce <= ix->t0)
        return;
    size_t a = 0, b = bucket_of(ix, cs);
    /* The first bucket whose reach passes cs; the spans before it end by
     * cs, or last for ever from before it. */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (ix->reach[m] > cs)
            b = m;
        else
            a = m + 1;
    }
    *lo = ix->at[a];
    *hi = ix->at[bucket_of(ix, ce - 1) + 1];
}

uint64_t sl__span_overlap(const sl_span *sp, uint32_t e, uint64_t cs, uint64_t ce)
{
    if (sp->start_ns >= ce)
        return 0;
    uint64_t end;
    if (e & FOREVER) {
        if (sp->start_ns < cs)
            return 0;
        end = ce;
    } else {
        end = sp->end_ns < ce ? sp->end_ns : ce;
    }
    uint64_t start = sp->start_ns > cs ? sp->start_ns : cs;
    return end > start ? end - start : 0;
}

int sl_spans_ended_before(const sl_spans *s, uint32_t a, uint32_t b, uint64_t t0, uint64_t dt,
                          int n, uint32_t *out)
{
    if (n <= 0)
        return 0;
    if (dt == 0 || a > b || b > s->n_tasks)
        return SL_EINVAL;
    memset(out, 0, (size_t)n * 3 * sizeof *out);
    for (uint32_t t = a; t < b; t++) {
        if (s->first[t] == s->first[t + 1])
            continue;
        const sl_span *sp = &s->v[s->first[t + 1] - 1];
        if (!sl__state_ended(sp->state))
            continue;
        /* The first column that starts after it began. */
        uint64_t c = sp->start_ns < t0 ? 0 : (sp->start_ns - t0) / dt + 1;
        if (c < (uint64_t)n)
            out[c * 3 + (uint64_t)(sp->state - SL_ST_DONE)]++;
    }
    for (int c = 1; c < n; c++)
        for (int e = 0; e < 3; e++)
            out[(size_t)c * 3 + (size_t)e] += out[(size_t)(c - 1) * 3 + (size_t)e];
    return 0;
}
