/*
 * stack-pool.c - guarded coroutine stacks, kept for reuse.
 *
 * A stack is one anonymous mapping whose lowest page is PROT_NONE, so running
 * off the bottom faults (SIGSEGV) instead of scribbling over a neighbour.
 * mmap + mprotect + munmap cost microseconds, far more than a switch, so a
 * finished coroutine's stack goes to a free list keyed by mapping size and the
 * next creation of the same size pops it. The lock is uncontended in practice
 * (one scheduler thread creates its coroutines) and keeps the pool correct
 * when coroutines are created on several threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coro/coro-internal.h"
#include "schedlab/error.h"

#ifdef SL__CORO_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Distinct stack sizes pooled at once; other sizes are mapped each time. */
#define POOL_CLASSES 8
/* Stacks kept per size: bounds the address space a burst leaves behind. */
#define POOL_MAX_PER_CLASS 4096
/* Larger requests are refused as a runaway size, not an allocation. */
#define STACK_MAX ((size_t)1 << 30)

typedef struct pool_class {
    size_t map_size;
    sl__stack *head;
    size_t count;
} pool_class;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_class pool[POOL_CLASSES];

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE); /* glibc reads it from auxv: no syscall */
}

static sl__stack *pool_pop(size_t map_size)
{
    sl__stack *s = NULL;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_CLASSES; i++) {
        if (pool[i].map_size == map_size && pool[i].head) {
            s = pool[i].head;
            pool[i].head = s->next;
            pool[i].count--;
            break;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return s;
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
    *out = s;
    return 0;
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
    return map_stack(map_size, out);
}

void sl__stack_put(sl__stack *s)
{
#ifdef SL__CORO_ASAN
    /* A coroutine destroyed while suspended leaves its frames' redzones
     * poisoned; the next owner must start from clean shadow memory. */
    ASAN_UNPOISON_MEMORY_REGION(s->lo, (size_t)((char *)s - s->lo));
#endif
    pthread_mutex_lock(&pool_lock);
    pool_class *slot = NULL;
    for (int i = 0; i < POOL_CLASSES; i++) {
        if (pool[i].map_size == s->map_size) {
            slot = &pool[i];
            break;
        }
        if (!slot && pool[i].count == 0)
            slot = &pool[i];
    }
    if (slot && slot->count < POOL_MAX_PER_CLASS) {
        slot->map_size = s->map_size;
        s->next = slot->head;
        slot->head = s;
        slot->count++;
        s = NULL;
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
        }
        pool[i].count = 0;
    }
    pthread_mutex_unlock(&pool_lock);
}

size_t sl__stack_pooled(void)
{
    size_t n = 0;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < POOL_CLASSES; i++)
        n += pool[i].count;
    pthread_mutex_unlock(&pool_lock);
    return n;
}
