/*
 * takeaway.c - the end of a run in one line a class can repeat.
 *
 * The line is derived from what the run measured, never written per
 * lesson: the same rules read any trace. The yardstick is "one after
 * another": the run's own running and waiting time summed, which is what a
 * plain loop over the same tasks would take; the ratio to the wall time
 * says how much the strategy overlapped. The first rule that applies wins:
 * failed tasks, lost updates on a shared counter, an event loop held by a
 * cpu step, the GIL serialising computation, waits overlapped (or not),
 * then cores at once.
 */
#include <stdio.h>

#include "model-internal.h"

/* A ready task waiting this long for the loop means a cpu step held it. */
#define LOOP_HELD_MS 50.0

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void sl_takeaway(const sl_stats *st, const sl_trace_meta *meta, char *buf, size_t size)
{
    const char *s = meta->strategy[0] ? meta->strategy : "this run";
    uint64_t serial = st->run_ns + st->io_ns;
    double x = st->wall_ns > 0 ? (double)serial / (double)st->wall_ns : 0.0;
    char a[32], b[32];

    if (st->failed > 0 && st->completed == 0) {
        snprintf(buf, size,
                 "%s could not run this lesson: all %u tasks failed (Enter on one says why)", s,
                 st->failed);
    } else if (st->failed > 0) {
        snprintf(buf, size, "%s finished %u of %u tasks; %u failed (Enter on one says why)", s,
                 st->completed, st->tasks, st->failed);
    } else if (st->lost_updates > 0) {
        snprintf(buf, size,
                 "%s lost %llu of %llu increments: two vehicles read the same value and one "
                 "write erased the other",
                 s, (unsigned long long)st->lost_updates, (unsigned long long)st->racy_increments);
    } else if (st->increments > 0) {
        snprintf(buf, size, "%s lost none of %llu increments: no two of them overlapped", s,
                 (unsigned long long)st->increments);
    } else if (st->switches_coroutine > 0 && st->ready_ms_max >= LOOP_HELD_MS &&
               st->ready_ms_max > 5 * st->ready_ms_mean) {
        snprintf(buf, size,
                 "under %s a cpu step held the event loop: a ready task waited up to %.0f ms "
                 "(mean %.1f ms)",
                 s, st->ready_ms_max, st->ready_ms_mean);
    } else if (st->switches_gil > 0 && st->gil_wait_ns > st->run_ns / 4) {
        sl__fmt_ms(st->gil_wait_ns, a, sizeof a);
        snprintf(buf, size,
                 "%s computed one thread at a time: %s queued for the GIL, %llu hand-offs, %.1fx "
                 "against one after another",
                 s, a, (unsigned long long)st->switches_gil, x);
    } else if (st->io_waits > 0 && x >= 1.5) {
        sl__fmt_ms(serial, a, sizeof a);
        sl__fmt_ms(st->wall_ns, b, sizeof b);
        snprintf(buf, size,
                 "%s overlapped %llu %s: %.1fx faster than one after another (%s of work and "
                 "waits in %s)",
                 s, (unsigned long long)st->io_waits, plural(st->io_waits, "wait", "waits"), x, a,
                 b);
    } else if (st->io_ns > st->run_ns && st->io_waits > 0) {
        sl__fmt_ms(serial, a, sizeof a);
        sl__fmt_ms(st->wall_ns, b, sizeof b);
        snprintf(buf, size, "%s waited %llu %s one after another: %s of work and waits took %s", s,
                 (unsigned long long)st->io_waits, plural(st->io_waits, "time", "times"), a, b);
    } else if (st->mean_cores >= 1.3) {
        snprintf(buf, size, "%s computed on %u cores at once: %.1fx faster than one after another",
                 s, st->max_cores, x);
    } else {
        snprintf(buf, size, "%s computed on one core at a time: %.1fx against one after another", s,
                 x);
    }
}
