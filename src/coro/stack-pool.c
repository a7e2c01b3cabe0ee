/*
 * stack-pool.c - coroutine stacks: guarded ones while the kernel's mapping
 * budget allows, red-zoned slab stacks beyond, all kept for reuse.
 *
 * A guarded stack is one anonymous mapping whose lowest page is PROT_NONE,
 * so running off the bottom faults (SIGSEGV) instead of scribbling over a
 * neighbour. But the guard splits the mapping in two, and a process may hold
 * only vm.max_map_count mappings (65530 by default, a sysctl only an
 * administrator can raise): guarded stacks stop near 32,000 coroutines.
 * Beyond a budget of half the map count (keeping the other half for malloc,
 * libraries and sockets), stacks are carved from slabs of SLAB_STACKS
 * stacks, one mapping per slab. Their lowest page is a red zone instead of
 * a guard: never touched by a stack that fits, so never resident. A stack
 * coming back is checked with mincore(2); a resident red zone means the
 * coroutine went past its stack, and the process stops with a sentence
 * saying so (sl__stack_overflowed), as it would have faulted on a guard.
 * The red zone is as deep as the guard, so the check sees any overflow that
 * did not jump a whole page (a frame of more than a page of locals can).
 *
 * mmap + mprotect + munmap cost microseconds, far more than a switch, so a
 * finished coroutine's stack goes to a free list keyed by mapping size and
 * the next creation of the same size pops it. The lock is uncontended in
 * practice (one scheduler thread creates its coroutines) and keeps the pool
 * correct when coroutines are created on several threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coro/coro-internal.h"
#include "schedlab/error.h"

#ifdef SL__CORO_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Distinct stack sizes pooled at once; other sizes are mapped each time. */
#define POOL_CLASSES 8
/* Guarded stacks kept per size: bounds the address space a burst leaves
 * behind. Slab stacks are all kept: a slab is unmapped whole. */
#define POOL_MAX_PER_CLASS 4096
/* Larger requests are refused as a runaway size, not an allocation. */
#define STACK_MAX ((size_t)1 << 30)
/* Stacks per slab: 256 stacks of 68 KiB are a 17 MiB mapping. */
#define SLAB_STACKS 256

typedef struct pool_class {
    size_t map_size;
    sl__stack *head; /* guarded */
    size_t count;
    sl__stack *slab_head; /* carved from slabs */
    size_t slab_count;
    size_t slab_total; /* stacks carved for this size: the class stays its */
} pool_class;

typedef struct slab {
    char *base;
    size_t size;
    struct slab *next;
} slab;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_class pool[POOL_CLASSES];
static slab *slabs;
static size_t slab_out;        /* slab stacks handed out and not back */
static size_t guarded_mapped;  /* guarded stacks mapped, pooled or not */
static long guard_budget = -1; /* -1: not read yet */

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE); /* glibc reads it from auxv: no syscall */
}

/* The class of `map_size`, or a free one claimed for it; NULL if all eight
 * hold other sizes. Called with the lock held. */
static pool_class *class_for(size_t map_size)
{
    pool_class *empty = NULL;
    for (int i = 0; i < POOL_CLASSES; i++) {
        if (pool[i].map_size == map_size)
            return &pool[i];
        if (!empty && pool[i].count == 0 && pool[i].slab_total == 0)
            empty = &pool[i];
    }
    if (empty)
        empty->map_size = map_size;
    return empty;
}

static sl__stack *pool_pop(size_t map_size)
{
    sl__stack *s = NULL;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_CLASSES && !s; i++) {
        pool_class *c = &pool[i];
        if (c->map_size != map_size)
            continue;
        if (c->head) {
            s = c->head;
            c->head = s->next;
            c->count--;
        } else if (c->slab_head) {
            s = c->slab_head;
            c->slab_head = s->next;
            c->slab_count--;
            slab_out++;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return s;
}

/* Half of vm.max_map_count, less a margin: what guarded stacks may take. */
static long read_guard_budget(void)
{
    long max = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1)
            max = 65530;
        fclose(f);
    }
    long budget = (max - 16384) / 2;
    return budget > 0 ? budget : 0;
}

/* Takes a place for one more guarded stack, if the budget has one. */
static bool guard_place(void)
{
    pthread_mutex_lock(&pool_lock);
    if (guard_budget < 0)
        guard_budget = read_guard_budget();
    bool ok = guarded_mapped < (size_t)guard_budget;
    if (ok)
        guarded_mapped++;
    pthread_mutex_unlock(&pool_lock);
    return ok;
}

static void guard_unplace(void)
{
    pthread_mutex_lock(&pool_lock);
    guarded_mapped--;
    pthread_mutex_unlock(&pool_lock);
}

static int map_stack(size_t map_size, sl__stack **out)
{
    size_t page = page_size();
    char *base = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return SL_ENOMEM;
    if (mprotect(base, page, PROT_NONE) != 0) {
        munmap(base, map_size);
        return SL_ELIMIT;
    }
    sl__stack *s = (sl__stack *)(base + map_size - sizeof(sl__stack));
    s->next = NULL;
    s->map_size = map_size;
    s->lo = base + page;
    s->guarded = true;
    *out = s;
    return 0;
}

/* Maps a slab of SLAB_STACKS stacks of `map_size`, hands out the first and
 * pools the rest. Writing a stack's header touches only its top page. */
static int map_slab(size_t map_size, sl__stack **out)
{
    size_t page = page_size();
    size_t size = map_size * SLAB_STACKS;
    slab *sb = malloc(sizeof(*sb));
    if (sb == NULL)
        return SL_ENOMEM;
    char *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        free(sb);
        return SL_ENOMEM;
    }
    /* A huge page would make one touched stack resident with its
     * neighbours' red zones, and the red-zone check meaningless. */
    madvise(base, size, MADV_NOHUGEPAGE);
    sb->base = base;
    sb->size = size;

    sl__stack *first = NULL;
    pthread_mutex_lock(&pool_lock);
    pool_class *c = class_for(map_size);
    if (c == NULL) {
        pthread_mutex_unlock(&pool_lock);
        munmap(base, size);
        free(sb);
        return SL_ELIMIT;
    }
    sb->next = slabs;
    slabs = sb;
    c->slab_total += SLAB_STACKS;
    for (size_t k = SLAB_STACKS; k-- > 0;) {
        char *lo = base + k * map_size;
        sl__stack *s = (sl__stack *)(lo + map_size - sizeof(sl__stack));
        s->map_size = map_size;
        s->lo = lo + page;
        s->guarded = false;
        if (k == 0) {
            first = s;
            continue;
        }
        s->next = c->slab_head;
        c->slab_head = s;
        c->slab_count++;
    }
    first->next = NULL;
    slab_out++;
    pthread_mutex_unlock(&pool_lock);
    *out = first;
    return 0;
}

/* True if the red zone below a slab stack was ever written. */
static bool red_zone_touched(const sl__stack *s)
{
    size_t page = page_size();
    unsigned char resident = 0;
    if (mincore(s->lo - page, page, &resident) != 0)
        return false;
    return (resident & 1) != 0;
}

_Noreturn void sl__stack_overflowed(const sl__stack *s)
{
    fprintf(stderr,
            "schedlab: a coroutine ran past the bottom of its %zu KiB stack (beyond %ld "
            "coroutines, stacks have a red zone instead of a guard page: see "
            "vm.max_map_count); stopping\n",
            (s->map_size - page_size()) / 1024, guard_budget);
    abort();
}

static void unmap_stack(sl__stack *s)
{
    munmap(s->lo - page_size(), s->map_size);
}

int sl__stack_get(size_t usable, sl__stack **out)
{
    if (usable > STACK_MAX)
        return SL_ELIMIT;
    size_t page = page_size();
    size_t body = (usable + sizeof(sl__stack) + page - 1) & ~(page - 1);
    size_t map_size = body + page;
    sl__stack *s = pool_pop(map_size);
    if (s) {
        *out = s;
        return 0;
    }
    if (guard_place()) {
        int rc = map_stack(map_size, out);
        if (rc == 0)
            return 0;
        guard_unplace();
    }
    return map_slab(map_size, out);
}

void sl__stack_put(sl__stack *s)
{
    if (!s->guarded && red_zone_touched(s))
        sl__stack_overflowed(s);
#ifdef SL__CORO_ASAN
    /* A coroutine destroyed while suspended leaves its frames' redzones
     * poisoned; the next owner must start from clean shadow memory. */
    ASAN_UNPOISON_MEMORY_REGION(s->lo, (size_t)((char *)s - s->lo));
#endif
    pthread_mutex_lock(&pool_lock);
    pool_class *c = class_for(s->map_size);
    if (!s->guarded) {
        /* Its size's class exists: the slab's stacks hold it. */
        s->next = c->slab_head;
        c->slab_head = s;
        c->slab_count++;
        slab_out--;
        s = NULL;
    } else if (c && c->count < POOL_MAX_PER_CLASS) {
        s->next = c->head;
        c->head = s;
        c->count++;
        s = NULL;
    } else {
        guarded_mapped--;
    }
    pthread_mutex_unlock(&pool_lock);
    if (s)
        unmap_stack(s);
}

void sl__stack_trim(void)
{
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_CLASSES; i++) {
        while (pool[i].head) {
            sl__stack *s = pool[i].head;
            pool[i].head = s->next;
            unmap_stack(s);
            guarded_mapped--;
        }
        pool[i].count = 0;
    }
    /* Slabs go only when none of their stacks is in use. */
    if (slab_out == 0) {
        while (slabs) {
            slab *sb = slabs;
            slabs = sb->next;
            munmap(sb->base, sb->size);
            free(sb);
        }
        for (int i = 0; i < POOL_CLASSES; i++) {
            pool[i].slab_head = NULL;
            pool[i].slab_count = 0;
            pool[i].slab_total = 0;
        }
    }
    pthread_mutex_unlock(&pool_lock);
}

size_t sl__stack_pooled(void)
{
    size_t n = 0;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_CLASSES; i++)
        n += pool[i].count + pool[i].slab_count;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

void sl__stack_set_guard_budget(long n)
{
    pthread_mutex_lock(&pool_lock);
    guard_budget = n < 0 ? read_guard_budget() : n;
    pthread_mutex_unlock(&pool_lock);
}
