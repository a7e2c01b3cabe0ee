/*
 * huge-pages.c - asks the kernel to back the big arrays with huge pages:
 * the trace's events, and the model's tables that grow with tasks or spans.
 *
 * A million-task fold writes several hundred MB of fresh memory (task
 * tables, pending and closed spans, their index) before the TUI's first
 * frame. On the VMs this was measured on, writing a fresh 4 KiB page costs
 * about 10 us (2.8 ms a MB: the fault, not the write, which runs at 25 GB/s),
 * so that first touch was most of the first frame. Where transparent huge
 * pages are enabled in `madvise` mode (Debian's default), advising these
 * arrays takes one fault per 2 MiB instead of 512 (1.1-1.9 ms a MB there).
 * The advice is only a hint: where huge pages are off or none is free, the
 * arrays are ordinary pages, as before.
 *
 * The events are read more than written, but on these VMs reading a 4 KiB
 * page is not always cheap either: now and then, for a stretch of frames,
 * each new page of events a playback frame reads cost about 5 us (a fold of
 * 10,000 events took 0.45-0.5 ms instead of 75 us, in about 1 frame in 90).
 * With the events on huge pages, no such frame was seen in 3,600. That is
 * for a trace reserved whole or loaded from a file; a live trace grown by
 * the collector keeps small pages, since a huge page's fault may stall on
 * compaction while the rings fill (a stress test dropped 100,000 events).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "schedlab/trace.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

void sl_huge_pages(void *p, size_t bytes)
{
    /* Below a few huge pages the hint saves nothing worth a system call. */
    if (p == NULL || bytes < 4 * HUGE_PAGE)
        return;
    uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t to = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
    if (to > from)
        madvise((void *)from, to - from, MADV_HUGEPAGE);
}
