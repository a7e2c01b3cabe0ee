/*
 * coro.c - create / resume / yield / status / destroy, backend-neutral.
 *
 * The switch itself is the assembly in switch-<arch>.S or, for coroutines
 * created on the "ucontext" backend, coro-ucontext.c. This file owns what is
 * common: the layout inside the stack mapping, status transitions, and the
 * sanitizer fiber annotations, which must bracket every switch whatever does
 * it (ASan must learn which stack is live; TSan which fiber runs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coro/coro-internal.h"
#include "schedlab/error.h"

#ifdef SL__CORO_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef SL__CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#define DEFAULT_STACK ((size_t)64 * 1024)
/* Below this a coroutine cannot even run the switch and a small body. */
#define MIN_STACK ((size_t)16 * 1024)

/* ---- sanitizer annotations (no-ops in normal builds) ---- */

/* Called in the resumer just before it switches into `co`. */
static inline void san_enter_before(sl_coro *co)
{
#ifdef SL__CORO_ASAN
    __sanitizer_start_switch_fiber(&co->fake_caller, co->stack_lo,
                                   (size_t)(co->stack_hi - co->stack_lo));
#endif
#ifdef SL__CORO_TSAN
    co->caller_fiber = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(co->fiber, 0);
#endif
}

/* Called in the resumer once `co` has switched back. */
static inline void san_enter_after(sl_coro *co)
{
#ifdef SL__CORO_ASAN
    __sanitizer_finish_switch_fiber(co->fake_caller, NULL, NULL);
#endif
}

/* Called in `co` just before it switches back to its resumer; a dying
 * coroutine passes no save slot so ASan frees its fake stack. */
static inline void san_leave_before(sl_coro *co, int dying)
{
#ifdef SL__CORO_ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &co->fake_self, co->caller_lo, co->caller_size);
#endif
#ifdef SL__CORO_TSAN
    __tsan_switch_to_fiber(co->caller_fiber, 0);
#endif
}

/* Called in `co` each time it starts running (first entry or after yield):
 * ASan tells us the resumer's stack, which may differ from the last time. */
static inline void san_leave_after(sl_coro *co)
{
#ifdef SL__CORO_ASAN
    __sanitizer_finish_switch_fiber(co->fake_self, &co->caller_lo, &co->caller_size);
#endif
}

/* ---- switching ---- */

static inline void switch_in(sl_coro *co)
{
#ifdef SL__CORO_HAVE_ASM
    if (!co->uctx) {
        sl__coro_switch(&co->caller_sp, co->sp);
        return;
    }
#endif
    sl__uctx_switch_in(co);
}

static inline void switch_out(sl_coro *co)
{
#ifdef SL__CORO_HAVE_ASM
    if (!co->uctx) {
        sl__coro_switch(&co->sp, co->caller_sp);
        return;
    }
#endif
    sl__uctx_switch_out(co);
}

_Noreturn void sl__coro_main(sl_coro *co)
{
    san_leave_after(co);
    co->fn(co, co->arg);
    co->status = SL_CORO_DEAD;
    san_leave_before(co, 1);
    switch_out(co);
    /* A dead coroutine is never resumed (resume checks the status). */
    abort();
}

static int backend_is_ucontext(const char *backend, int *out)
{
#ifdef SL__CORO_HAVE_ASM
    if (!backend || strcmp(backend, sl_coro_backend()) == 0) {
        *out = 0;
        return 0;
    }
#else
    if (!backend) {
        *out = 1;
        return 0;
    }
#endif
    if (strcmp(backend, "ucontext") == 0) {
        *out = 1;
        return 0;
    }
    return SL_ENOTSUP;
}

int sl_coro_create_on(sl_coro **out, sl_coro_fn fn, void *arg, size_t stack_size,
                      const char *backend)
{
    int ucontext, rc;
    if (!out || !fn)
        return SL_EINVAL;
    if ((rc = backend_is_ucontext(backend, &ucontext)) != 0)
        return rc;
    if (stack_size == 0)
        stack_size = DEFAULT_STACK;
    if (stack_size < MIN_STACK)
        stack_size = MIN_STACK;

    /* Everything above the stack top, rounded so the top stays 64-aligned. */
    size_t co_size = (sizeof(sl_coro) + 63) & ~(size_t)63;
    size_t top_region = co_size + (ucontext ? (sl__uctx_size() + 63) & ~(size_t)63 : 0);

    sl__stack *stack;
    if ((rc = sl__stack_get(stack_size + top_region + 64, &stack)) != 0)
        return rc;
    /* The header ends the mapping; the coroutine sits just below it. */
    char *hi = (char *)((uintptr_t)stack & ~(uintptr_t)63);
    sl_coro *co = (sl_coro *)(hi - co_size);
    memset(co, 0, sizeof(*co));
    co->fn = fn;
    co->arg = arg;
    co->status = SL_CORO_SUSPENDED;
    co->stack = stack;
    co->stack_lo = stack->lo;
    co->stack_hi = hi - top_region;

    if (ucontext) {
        if ((rc = sl__uctx_init(co, co->stack_hi, sl__coro_main)) != 0) {
            sl__stack_put(stack);
            return rc;
        }
    } else {
#ifdef SL__CORO_HAVE_ASM
        co->sp = sl__coro_prepare(co->stack_hi, co, sl__coro_main);
#endif
    }
#ifdef SL__CORO_TSAN
    co->fiber = __tsan_create_fiber(0);
#endif
    *out = co;
    return 0;
}

int sl_coro_create(sl_coro **out, sl_coro_fn fn, void *arg, size_t stack_size)
{
    return sl_coro_create_on(out, fn, arg, stack_size, NULL);
}

int sl_coro_resume(sl_coro *co)
{
    if (!co)
        return SL_EINVAL;
    if (co->status != SL_CORO_SUSPENDED)
        return SL_ESTATE;
    co->status = SL_CORO_RUNNING;
    san_enter_before(co);
    switch_in(co);
    san_enter_after(co);
    return 0;
}

void sl_coro_yield(sl_coro *co)
{
    /* A red-zoned stack cannot fault when it overflows: a yield from below
     * its bottom is caught here, a deeper call that came back by the red
     * zone check when the stack returns to the pool. */
    if (!co->stack->guarded && (char *)__builtin_frame_address(0) < co->stack_lo)
        sl__stack_overflowed(co->stack);
    co->status = SL_CORO_SUSPENDED;
    san_leave_before(co, 0);
    switch_out(co);
    san_leave_after(co);
}

sl_coro_status sl_coro_status_of(const sl_coro *co)
{
    return co->status;
}

void sl_coro_destroy(sl_coro *co)
{
    if (!co || co->status == SL_CORO_RUNNING)
        return;
#ifdef SL__CORO_TSAN
    __tsan_destroy_fiber(co->fiber);
#endif
    sl__stack_put(co->stack);
}

void *sl_coro_arg(const sl_coro *co)
{
    return co->arg;
}

const char *sl_coro_backend(void)
{
#if defined(SL__CORO_HAVE_ASM) && defined(__x86_64__)
    return "x86_64-asm";
#elif defined(SL__CORO_HAVE_ASM) && defined(__aarch64__)
    return "aarch64-asm";
#else
    return "ucontext";
#endif
}

const char *sl_coro_backend_of(const sl_coro *co)
{
    return co->uctx ? "ucontext" : sl_coro_backend();
}

void sl_coro_stack(const sl_coro *co, void **lo, size_t *size)
{
    *lo = co->stack_lo;
    *size = (size_t)(co->stack_hi - co->stack_lo);
}

size_t sl_coro_pool_count(void)
{
    return sl__stack_pooled();
}

void sl_coro_pool_trim(void)
{
    sl__stack_trim();
}

bool sl_coro_guarded(const sl_coro *co)
{
    return co->stack->guarded;
}

void sl_coro_set_guard_budget(long n)
{
    sl__stack_set_guard_budget(n);
}
