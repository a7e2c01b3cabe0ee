/*
 * switch-aarch64.S - coroutine context switch for aarch64, AAPCS64.
 *
 * Implements (see coro-internal.h):
 *   void  sl__coro_switch(void **save_sp, void *load_sp);
 *   void *sl__coro_prepare(void *top, sl_coro *co, void (*entry)(sl_coro *));
 *
 * ABI assumed: AAPCS64 (Linux). Arguments in x0-x2. Callee-saved: x19-x28,
 * the frame pointer x29, sp, and the low 64 bits of v8-v15 (d8-d15). The link
 * register x30 holds the return address, so saving it is what makes the
 * switch return into the other context. x18 is the platform register and is
 * left alone; FPCR is not switched (coroutines share the thread's modes).
 * sp is always 16-byte aligned. A saved context is this 160-byte frame at the
 * saved stack pointer:
 *
 *   +0 x19 x20  +16 x21 x22  +32 x23 x24  +48 x25 x26  +64 x27 x28
 *   +80 x29 x30  +96 d8 d9  +112 d10 d11  +128 d12 d13  +144 d14 d15
 *
 * A new coroutine's frame returns into sl__coro_trampoline with x19 = co and
 * x20 = entry; the trampoline calls entry(co), which never returns.
 */
#if defined(__aarch64__) && !defined(SL_CORO_UCONTEXT)

    .text

    .globl sl__coro_switch
    .hidden sl__coro_switch
    .type sl__coro_switch, %function
    .p2align 4
sl__coro_switch:
    .cfi_startproc
    sub sp, sp, #160
    .cfi_adjust_cfa_offset 160
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #160
    .cfi_adjust_cfa_offset -160
    ret
    .cfi_endproc
    .size sl__coro_switch, .-sl__coro_switch

    .globl sl__coro_prepare
    .hidden sl__coro_prepare
    .type sl__coro_prepare, %function
    .p2align 4
sl__coro_prepare:
    .cfi_startproc
    and x0, x0, #~15
    sub x0, x0, #160
    stp x1, x2, [x0, #0]
    stp xzr, xzr, [x0, #16]
    stp xzr, xzr, [x0, #32]
    stp xzr, xzr, [x0, #48]
    stp xzr, xzr, [x0, #64]
    adr x9, sl__coro_trampoline
    stp xzr, x9, [x0, #80]
    stp xzr, xzr, [x0, #96]
    stp xzr, xzr, [x0, #112]
    stp xzr, xzr, [x0, #128]
    stp xzr, xzr, [x0, #144]
    ret
    .cfi_endproc
    .size sl__coro_prepare, .-sl__coro_prepare

    .type sl__coro_trampoline, %function
    .p2align 4
sl__coro_trampoline:
    .cfi_startproc
    /* Outermost frame of the coroutine: unwinders stop here. */
    .cfi_undefined x30
    mov x0, x19
    blr x20
    brk #1
    .cfi_endproc
    .size sl__coro_trampoline, .-sl__coro_trampoline

#endif

    .section .note.GNU-stack,"",@progbits
