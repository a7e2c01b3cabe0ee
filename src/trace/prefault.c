/*
 * prefault.c - fresh memory made resident by a thread beside its writer.
 *
 * A million-task fold writes about 200 MB of spans into memory that was
 * never touched, and on the VMs this runs on the kernel's zeroing of each
 * fresh page (1.1-1.9 ms a MB with huge pages) costs about as much as the
 * fold's own work. Where the fold will write is known when it starts (its
 * regions, laid out by task, filled roughly in order), so a thread asks the
 * kernel to populate them from the start (MADV_POPULATE_WRITE, Linux 5.14),
 * a few MB at a time, while the fold runs on another core. Populating
 * changes no byte of the memory: the writer and the thread never race on
 * content, and a page the writer reaches first is just faulted by it, as
 * without the thread. Where the advice is unknown the thread stops at once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "schedlab/trace.h"

#define CHUNK ((uintptr_t)4 << 20)
#define PAGE ((uintptr_t)4096)

struct sl_prefault {
    pthread_t thread;
    uintptr_t from, to;
    atomic_bool stop;
};

static void *populate(void *arg)
{
    sl_prefault *pf = arg;
    for (uintptr_t a = pf->from; a < pf->to; a += CHUNK) {
        if (atomic_load_explicit(&pf->stop, memory_order_relaxed))
            break;
        size_t n = pf->to - a < CHUNK ? pf->to - a : CHUNK;
        if (madvise((void *)a, n, MADV_POPULATE_WRITE) != 0)
            break;
    }
    return NULL;
}

sl_prefault *sl_prefault_start(void *p, size_t bytes)
{
    /* Small arrays fault in less time than a thread takes to start. */
    if (p == NULL || bytes < 4 * CHUNK)
        return NULL;
    sl_prefault *pf = calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    pf->from = ((uintptr_t)p + PAGE - 1) & ~(PAGE - 1);
    pf->to = ((uintptr_t)p + bytes) & ~(PAGE - 1);
    if (pthread_create(&pf->thread, NULL, populate, pf) != 0) {
        free(pf);
        return NULL;
    }
    return pf;
}

void sl_prefault_stop(sl_prefault *pf)
{
    if (!pf)
        return;
    atomic_store_explicit(&pf->stop, true, memory_order_relaxed);
    pthread_join(pf->thread, NULL);
    free(pf);
}
