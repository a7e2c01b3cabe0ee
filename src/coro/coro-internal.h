/*
 * coro-internal.h - what the coroutine files share and nothing else sees.
 *
 * A coroutine lives entirely inside its stack mapping, so creating one costs
 * a pool pop and a few stores, no malloc:
 *
 *   high  [sl__stack: pool header]
 *         [sl_coro]
 *         [ucontext pair, ucontext backend only]
 *         [stack, grows down ...................]
 *   low   [guard page, PROT_NONE; or a red zone (stack-pool.c)]
 *
 * Two switch backends coexist in one build (so both are tested): the
 * hand-written assembly (x86-64, aarch64) and ucontext. Each coroutine
 * remembers which one it was created with.
 */
#ifndef SL_CORO_INTERNAL_H
#define SL_CORO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "schedlab/coro.h"

#if !defined(SL_CORO_UCONTEXT) && (defined(__x86_64__) || defined(__aarch64__))
#define SL__CORO_HAVE_ASM 1
#endif

#if defined(SL_SANITIZED) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL__CORO_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define SL__CORO_TSAN 1
#endif
#endif
#if defined(SL_SANITIZED) && defined(__SANITIZE_ADDRESS__)
#define SL__CORO_ASAN 1
#endif
#if defined(SL_SANITIZED) && defined(__SANITIZE_THREAD__)
#define SL__CORO_TSAN 1
#endif

/* One pooled stack; the header sits at its top. */
typedef struct sl__stack {
    struct sl__stack *next; /* pool free-list link */
    size_t map_size;        /* whole stack, guard page or red zone included */
    char *lo;               /* lowest usable byte (just above the guard) */
    bool guarded;           /* own mapping and guard page; else slab + red zone */
} sl__stack;

/* Gets a stack whose usable bytes below the header are at least `usable`. */
int sl__stack_get(size_t usable, sl__stack **out);
/* Returns a stack to the pool (or unmaps it when the pool is full). */
void sl__stack_put(sl__stack *s);
/* Unmaps every pooled stack. */
void sl__stack_trim(void);
/* Stacks waiting in the pool. */
size_t sl__stack_pooled(void);
/* How many guarded stacks may be mapped at once (<0: half of
 * vm.max_map_count less a margin, the default). */
void sl__stack_set_guard_budget(long n);
/* Reports that a red-zoned stack overflowed, and stops the process. */
_Noreturn void sl__stack_overflowed(const sl__stack *s);

struct sl_coro {
    void *sp;              /* asm: the coroutine's saved stack pointer */
    void *caller_sp;       /* asm: the resumer's saved stack pointer */
    struct sl__uctx *uctx; /* ucontext backend state, or NULL for asm */
    sl_coro_fn fn;         /* body */
    void *arg;             /* its argument */
    sl_coro_status status; /* suspended / running / dead */
    sl__stack *stack;      /* the mapping that holds all of this */
    char *stack_lo;        /* usable stack: [stack_lo, stack_hi) */
    char *stack_hi;
#ifdef SL__CORO_ASAN
    void *fake_self;       /* ASan fake stack of the coroutine while away */
    void *fake_caller;     /* ASan fake stack of the resumer while away */
    const void *caller_lo; /* the resumer's stack bounds, told by ASan */
    size_t caller_size;
#endif
#ifdef SL__CORO_TSAN
    void *fiber;        /* TSan fiber of the coroutine */
    void *caller_fiber; /* TSan fiber of the resumer */
#endif
};

/* Runs the body and leaves for good; every backend enters coroutines here. */
_Noreturn void sl__coro_main(sl_coro *co);

/* ---- asm backend (switch-<arch>.S) ---- */
#ifdef SL__CORO_HAVE_ASM
/* Saves callee-saved state on the current stack, stores the stack pointer in
 * *save_sp, loads `load_sp` and restores the state found there. */
void sl__coro_switch(void **save_sp, void *load_sp);
/* Lays out a first frame below `top` so that switching to the returned
 * stack pointer calls entry(co). */
void *sl__coro_prepare(void *top, sl_coro *co, void (*entry)(sl_coro *));
#endif

/* ---- ucontext backend (coro-ucontext.c) ---- */
/* Bytes the backend needs in the mapping's top region. */
size_t sl__uctx_size(void);
/* Builds the context at `mem` so that the first switch_in runs entry(co)
 * (sl__coro_main). */
int sl__uctx_init(sl_coro *co, void *mem, void (*entry)(sl_coro *co));
void sl__uctx_switch_in(sl_coro *co);
void sl__uctx_switch_out(sl_coro *co);

#endif
