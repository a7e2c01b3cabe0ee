/*
 * coro.h - stackful coroutines: the only door to registers and stacks.
 *
 * Five calls, as in minicoro: create / resume / yield / status / destroy.
 * The context switch is hand-written assembly for x86-64 (System V) and
 * aarch64 (AAPCS64), with a ucontext fallback elsewhere or when
 * SL_CORO_UCONTEXT is defined. Stacks are mmap'd with a PROT_NONE guard page
 * below them (an overflow faults instead of corrupting memory) and are kept
 * in a pool so creating a coroutine usually costs no syscall. Past half of
 * vm.max_map_count, stacks come from slabs with a red zone instead of a
 * guard, so a million coroutines fit; an overflow there is caught when the
 * stack comes back (or at a yield) and stops the process with a sentence.
 */
#ifndef SCHEDLAB_CORO_H
#define SCHEDLAB_CORO_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sl_coro sl_coro;
typedef void (*sl_coro_fn)(sl_coro *co, void *arg);

typedef enum sl_coro_status {
    SL_CORO_SUSPENDED = 0, /* created, or yielded: resume() continues it */
    SL_CORO_RUNNING,       /* executing now */
    SL_CORO_DEAD,          /* its function returned */
} sl_coro_status;

/* Creates a suspended coroutine running fn(co, arg) on a stack of at least
 * `stack_size` bytes (0: 64 KiB). Returns 0 or SL_ENOMEM / SL_ELIMIT. */
int sl_coro_create(sl_coro **out, sl_coro_fn fn, void *arg, size_t stack_size);
/* Switches from the caller into `co` until it yields or returns. */
int sl_coro_resume(sl_coro *co);
/* Switches from `co` (the running coroutine) back to whoever resumed it. */
void sl_coro_yield(sl_coro *co);
sl_coro_status sl_coro_status_of(const sl_coro *co);
/* Frees a coroutine that is not running; its stack returns to the pool. */
void sl_coro_destroy(sl_coro *co);

/* The user argument given at creation. */
void *sl_coro_arg(const sl_coro *co);
/* Which switch implementation was compiled in: "x86_64-asm", "aarch64-asm" or "ucontext". */
const char *sl_coro_backend(void);
/* Releases pooled stacks (tests and exit). */
void sl_coro_pool_trim(void);

/* Same as sl_coro_create on a named backend: NULL (the compiled-in one),
 * sl_coro_backend()'s name, or "ucontext" (always available, so both are
 * tested in one build). SL_ENOTSUP for any other name. */
int sl_coro_create_on(sl_coro **out, sl_coro_fn fn, void *arg, size_t stack_size,
                      const char *backend);
/* The backend `co` was created on. */
const char *sl_coro_backend_of(const sl_coro *co);
/* The usable stack of `co`: [*lo, *lo + *size). The guard page lies just
 * below *lo, so an overflow faults at an address in [*lo - page, *lo). */
void sl_coro_stack(const sl_coro *co, void **lo, size_t *size);
/* Stacks waiting in the pool for reuse. */
size_t sl_coro_pool_count(void);
/* Whether `co`'s stack has a guard page (else a slab stack's red zone). */
bool sl_coro_guarded(const sl_coro *co);
/* How many guarded stacks may be mapped at once; <0 restores the default
 * (half of vm.max_map_count less a margin). For tests and measurements. */
void sl_coro_set_guard_budget(long n);

#endif
