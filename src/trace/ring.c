/*
 * ring.c - the shared-memory region and its single-producer rings.
 *
 * One memfd holds everything a run's producers write, so a worker process
 * only needs the fd to join, and whatever a producer published survives its
 * crash (the memory belongs to the file, not to the process):
 *
 *   page 0          region header: magic, version, geometry, epoch, claim counter
 *   control array   one 3-cache-line block per ring: read-only geometry,
 *                   producer line (head, cached tail, dropped), consumer line
 *                   (tail, cached head) - so producer and consumer never
 *                   write the same line
 *   slot arrays     one page-aligned power-of-two array of events per ring
 *   blob            bytes the run shares with its workers
 *
 * The file is sized with ftruncate and never written up front: its pages are
 * allocated only when first touched, so a big capacity costs address space,
 * not memory. Offsets inside the region are relative because every process
 * maps it at a different address.
 *
 * The memfd is created WITHOUT close-on-exec: a process strategy can hand it
 * to a worker by number (or dup2 it to a fixed number) across exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"
#include "trace/ring-layout.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "ring counters must be lock-free");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the claim counter must be lock-free");

#define REGION_MAGIC UINT64_C(0x31474e49524c5353) /* "SSLRING1" little-endian */
#define REGION_VERSION 2u
#define PAGE 4096u
#define MAX_RINGS (1u << 20)
#define MAX_CAPACITY (1u << 26)

typedef struct region_hdr {
    uint64_t magic;
    uint32_t version;
    uint32_t n_rings;
    uint32_t capacity; /* events per ring, a power of two */
    uint32_t reserved;
    uint64_t epoch_ns;
    uint64_t ctl_off;      /* control array */
    uint64_t slots_off;    /* ring 0's slots */
    uint64_t slots_stride; /* bytes between two rings' slots */
    uint64_t blob_off;
    uint64_t blob_size;
    uint64_t total_size;
    alignas(64) atomic_uint claimed; /* rings handed out by sl_rings_claim */
    alignas(64) sl__cclock clock;    /* the hooks' counter-to-ns conversion */
} region_hdr;

struct sl_rings {
    char *base;
    size_t size;
    int fd;
    bool owner; /* created (not attached): closes the fd */
    region_hdr *hdr;
};

static uint64_t round_page(uint64_t n)
{
    return (n + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static uint32_t round_pow2(uint32_t n)
{
    uint32_t p = 2;
    while (p < n)
        p <<= 1;
    return p;
}

static sl_ring *ring_ctl(const sl_rings *r, uint32_t i)
{
    return (sl_ring *)(r->base + r->hdr->ctl_off) + i;
}

int sl_rings_create(sl_rings **out, uint32_t n_rings, uint32_t capacity, uint64_t epoch_ns,
                    size_t blob_size)
{
    *out = NULL;
    if (n_rings == 0 || n_rings > MAX_RINGS || capacity == 0 || capacity > MAX_CAPACITY)
        return SL_EINVAL;
    capacity = round_pow2(capacity);

    uint64_t ctl_off = PAGE;
    uint64_t slots_off = ctl_off + round_page((uint64_t)n_rings * sizeof(sl_ring));
    uint64_t stride = round_page((uint64_t)capacity * sizeof(sl_event));
    uint64_t blob_off, total;
    if (__builtin_mul_overflow(stride, (uint64_t)n_rings, &blob_off) ||
        __builtin_add_overflow(blob_off, slots_off, &blob_off) ||
        __builtin_add_overflow(blob_off, round_page(blob_size), &total) ||
        total > (uint64_t)SIZE_MAX / 2)
        return SL_ELIMIT;

    sl_rings *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return SL_ENOMEM;
    r->fd = memfd_create("schedlab-rings", 0);
    if (r->fd < 0) {
        free(r);
        return errno == EMFILE || errno == ENFILE ? SL_ELIMIT : SL_ENOTSUP;
    }
    if (ftruncate(r->fd, (off_t)total) != 0) {
        close(r->fd);
        free(r);
        return SL_ELIMIT;
    }
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
    if (base == MAP_FAILED) {
        close(r->fd);
        free(r);
        return SL_ENOMEM;
    }
    r->base = base;
    r->size = total;
    r->owner = true;
    r->hdr = base;

    region_hdr *h = r->hdr;
    h->magic = REGION_MAGIC;
    h->version = REGION_VERSION;
    h->n_rings = n_rings;
    h->capacity = capacity;
    h->epoch_ns = epoch_ns;
    h->ctl_off = ctl_off;
    h->slots_off = slots_off;
    h->slots_stride = stride;
    h->blob_off = blob_off;
    h->blob_size = blob_size;
    h->total_size = total;
    atomic_init(&h->claimed, 0);
    sl__cclock_init(&h->clock);
    for (uint32_t i = 0; i < n_rings; i++) {
        sl_ring *ring = ring_ctl(r, i);
        ring->mask = capacity - 1;
        ring->slots_rel = (int64_t)(slots_off + i * stride) - (int64_t)((char *)ring - r->base);
        ring->clock_rel = (int64_t)((char *)&h->clock - (char *)ring);
        atomic_init(&ring->head, 0);
        atomic_init(&ring->tail, 0);
        atomic_init(&ring->dropped, 0);
    }
    *out = r;
    return 0;
}

int sl_rings_fd(const sl_rings *r)
{
    return r->fd;
}

/* A region mapped from an fd was written by another process: check its
 * geometry against the file before trusting any offset in it. */
static bool geometry_ok(const region_hdr *h, uint64_t file_size)
{
    if (h->magic != REGION_MAGIC || h->version != REGION_VERSION)
        return false;
    if (h->total_size != file_size || h->n_rings == 0 || h->n_rings > MAX_RINGS)
        return false;
    if (h->capacity < 2 || h->capacity > MAX_CAPACITY || (h->capacity & (h->capacity - 1)))
        return false;
    uint64_t ctl_end = h->ctl_off + (uint64_t)h->n_rings * sizeof(sl_ring);
    uint64_t slots_end = h->slots_off + (uint64_t)h->n_rings * h->slots_stride;
    return h->ctl_off >= PAGE && ctl_end <= h->slots_off &&
           h->slots_stride >= (uint64_t)h->capacity * sizeof(sl_event) &&
           slots_end <= h->blob_off && h->blob_off + h->blob_size <= file_size;
}

int sl_rings_attach(sl_rings **out, int fd)
{
    *out = NULL;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)PAGE)
        return SL_EINVAL;
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        return SL_ENOMEM;
    if (!geometry_ok(base, (uint64_t)st.st_size)) {
        munmap(base, (size_t)st.st_size);
        return SL_ECORRUPT;
    }
    sl_rings *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        munmap(base, (size_t)st.st_size);
        return SL_ENOMEM;
    }
    r->base = base;
    r->size = (size_t)st.st_size;
    r->fd = fd;
    r->hdr = base;
    *out = r;
    return 0;
}

void sl_rings_destroy(sl_rings *r)
{
    if (r == NULL)
        return;
    munmap(r->base, r->size);
    if (r->owner)
        close(r->fd);
    free(r);
}

uint32_t sl_rings_count(const sl_rings *r)
{
    return r->hdr->n_rings;
}

uint32_t sl_rings_capacity(const sl_rings *r)
{
    return r->hdr->capacity;
}

uint64_t sl_rings_epoch(const sl_rings *r)
{
    return r->hdr->epoch_ns;
}

void *sl_rings_blob(sl_rings *r, size_t *size)
{
    if (size != NULL)
        *size = r->hdr->blob_size;
    return r->hdr->blob_size ? r->base + r->hdr->blob_off : NULL;
}

sl_ring *sl_rings_at(sl_rings *r, uint32_t i)
{
    return i < r->hdr->n_rings ? ring_ctl(r, i) : NULL;
}

/* A compare-and-swap loop rather than a bare fetch-add so the counter never
 * passes n_rings: sl_rings_claimed() stays exact after a refused claim. */
sl_ring *sl_rings_claim(sl_rings *r)
{
    unsigned n = atomic_load_explicit(&r->hdr->claimed, memory_order_relaxed);
    while (n < r->hdr->n_rings) {
        if (atomic_compare_exchange_weak_explicit(&r->hdr->claimed, &n, n + 1, memory_order_acq_rel,
                                                  memory_order_relaxed))
            return ring_ctl(r, n);
    }
    return NULL;
}

uint32_t sl_rings_claimed(const sl_rings *r)
{
    return atomic_load_explicit(&r->hdr->claimed, memory_order_acquire);
}

bool sl_ring_push(sl_ring *ring, const sl_event *ev)
{
    return sl__ring_push(ring, ev);
}

sl__cclock *sl__rings_clock(sl_rings *r)
{
    return &r->hdr->clock;
}

size_t sl_ring_pop(sl_ring *ring, sl_event *out, size_t max)
{
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    uint64_t avail = ring->cached_head - tail;
    if (avail == 0 || avail > ring->mask + 1) {
        ring->cached_head = atomic_load_explicit(&ring->head, memory_order_acquire);
        avail = ring->cached_head - tail;
        /* A producer in another process may have died mid-way or scribbled
         * over its head: never read more than one ring's worth. */
        if (avail > ring->mask + 1)
            avail = ring->mask + 1;
    }
    size_t n = avail < max ? (size_t)avail : max;
    if (n == 0)
        return 0;
    const sl_event *slots = sl__ring_slots(ring);
    size_t at = (size_t)(tail & ring->mask);
    size_t first = n < ring->mask + 1 - at ? n : (size_t)(ring->mask + 1 - at);
    memcpy(out, slots + at, first * sizeof(sl_event));
    memcpy(out + first, slots, (n - first) * sizeof(sl_event));
    atomic_store_explicit(&ring->tail, tail + n, memory_order_release);
    return n;
}

size_t sl_ring_pending(sl_ring *ring)
{
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    uint64_t n = head - tail;
    return n > ring->mask + 1 ? (size_t)(ring->mask + 1) : (size_t)n;
}

uint64_t sl_ring_dropped(const sl_ring *ring)
{
    return atomic_load_explicit(&((sl_ring *)ring)->dropped, memory_order_relaxed);
}

uint64_t sl_ring_written(const sl_ring *ring)
{
    return atomic_load_explicit(&((sl_ring *)ring)->head, memory_order_acquire);
}

bool sl_ring_holds(const sl_ring *ring, uint64_t from, sl_event_kind kind, uint32_t task)
{
    uint64_t head = sl_ring_written(ring);
    /* Older slots were overwritten; a scribbled head cannot make this scan more than a ring. */
    if (head - from > ring->mask + 1)
        from = head - (ring->mask + 1);
    const sl_event *slots = sl__ring_slots((sl_ring *)ring);
    for (uint64_t pos = head; pos > from; pos--) {
        const sl_event *e = &slots[(pos - 1) & ring->mask];
        if (e->kind == kind && e->task == task)
            return true;
    }
    return false;
}
