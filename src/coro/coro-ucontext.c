/*
 * coro-ucontext.c - the portable switch: getcontext/makecontext/swapcontext.
 *
 * Used where there is no hand-written switch (architectures other than
 * x86-64 and aarch64, or SL_CORO_UCONTEXT builds) and on request
 * (sl_coro_create_on(..., "ucontext")), so every build tests it. It is
 * slower than the assembly because swapcontext also saves and restores the
 * signal mask with a system call.
 */
#include <stdint.h>
#include <ucontext.h>

#include "coro/coro-internal.h"
#include "schedlab/error.h"

struct sl__uctx {
    ucontext_t self;   /* the coroutine while it is away */
    ucontext_t caller; /* the resumer while the coroutine runs */
};

size_t sl__uctx_size(void)
{
    return sizeof(struct sl__uctx);
}

/* What a new context runs: coro.c's entry, handed over at every init (it is
 * always the same function). */
static void (*coro_entry)(sl_coro *co);

/* makecontext passes only int arguments: the pointer travels in two halves. */
static void uctx_entry(unsigned int hi, unsigned int lo)
{
    uintptr_t p = ((uintptr_t)hi << 16 << 16) | (uintptr_t)lo;
    coro_entry((sl_coro *)p);
}

int sl__uctx_init(sl_coro *co, void *mem, void (*entry)(sl_coro *co))
{
    coro_entry = entry;
    struct sl__uctx *u = mem;
    if (getcontext(&u->self) != 0)
        return SL_ENOTSUP;
    u->self.uc_stack.ss_sp = co->stack_lo;
    u->self.uc_stack.ss_size = (size_t)(co->stack_hi - co->stack_lo);
    u->self.uc_link = NULL;
    uintptr_t p = (uintptr_t)co;
    makecontext(&u->self, (void (*)(void))uctx_entry, 2, (unsigned int)(p >> 16 >> 16),
                (unsigned int)(p & 0xffffffffu));
    co->uctx = u;
    return 0;
}

void sl__uctx_switch_in(sl_coro *co)
{
    swapcontext(&co->uctx->caller, &co->uctx->self);
}

void sl__uctx_switch_out(sl_coro *co)
{
    swapcontext(&co->uctx->self, &co->uctx->caller);
}
