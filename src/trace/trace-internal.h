/*
 * trace-internal.h - helpers shared by the trace module's files only.
 *
 * Not a public contract: the collector and the trace-file loader both grow an
 * sl_trace's event array, and the file format needs a CRC32.
 */
#ifndef SCHEDLAB_TRACE_INTERNAL_H
#define SCHEDLAB_TRACE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "schedlab/trace.h"

/* The one lock of a trace: the collector publishes under it as writer,
 * views read under it. Only this module takes it. */
struct sl_trace_guard {
    pthread_rwlock_t lock;
};

static inline void sl__trace_write_lock(sl_trace *t)
{
    pthread_rwlock_wrlock(&t->guard->lock);
}

static inline void sl__trace_read_lock(const sl_trace *t)
{
    pthread_rwlock_rdlock(&t->guard->lock);
}

static inline void sl__trace_unlock(const sl_trace *t)
{
    pthread_rwlock_unlock(&t->guard->lock);
}

/* Makes room for `extra` more events (caller holds the write lock, or owns
 * the trace alone). 0 or SL_ENOMEM. */
int sl__trace_reserve(sl_trace *t, size_t extra);

/* CRC-32 (IEEE 802.3, reflected, as zlib computes it), continued from `crc`
 * (start with 0). */
uint32_t sl__crc32(uint32_t crc, const void *data, size_t size);

#endif
