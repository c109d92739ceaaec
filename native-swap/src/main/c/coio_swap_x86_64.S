/*
 * coio_swap_x86_64.S - the context switch of coio native-swap (x86-64, System V ABI, GNU as, ELF).
 *
 * A context is a stack pointer; everything else lives on that stack. Frame left by coio_swap
 * (and built for a fresh coroutine by coio_frame_init in coio_ctx.h):
 *
 *            +--------------------------+
 *   sp+0x40  |  caller's frame ...      |  (top of stack for a fresh coroutine, 16-aligned)
 *            +--------------------------+
 *   sp+0x38  |  return address          |  fresh: coio_trampoline
 *   sp+0x30  |  rbp                     |  fresh: 0 (ends frame-pointer chains)
 *   sp+0x28  |  rbx                     |
 *   sp+0x20  |  r12                     |  fresh: entry function
 *   sp+0x18  |  r13                     |  fresh: entry argument
 *   sp+0x10  |  r14                     |
 *   sp+0x08  |  r15                     |
 *   sp+0x04  |  x87 CW  |   (unused)    |
 *   sp+0x00  |  MXCSR                   |
 *            +--------------------------+
 *
 * Saved is exactly what the ABI makes callee-saved: rbx, rbp, r12-r15, rsp, the MXCSR control
 * bits and the x87 control word (MXCSR is saved whole; its sticky status flags thus stay with the
 * coroutine that raised them). Caller-saved registers (rax, rcx, rdx, rsi, rdi, r8-r11, xmm*)
 * are dead across a call, so the compiler already spilled whatever it needed: saving them, as
 * libco's coctx_swap does, only costs time.
 *
 * The return address is popped and jumped to rather than `ret`urned to: the return-stack
 * predictor would always be wrong here (we return into another stack), while the indirect-jump
 * predictor learns the switching pattern (ping-pong on the build machine: 6 ns per switch
 * instead of 13). co_routine.c calls it in tail position for the same reason.
 *
 * Cost note: on AMD Zen 3 STMXCSR alone takes ~4.7 ns (microcoded), half the switch; it stays,
 * because the ABI makes the MXCSR control bits callee-saved (libco's issue #84).
 *
 * Signals are safe at every instruction: below rsp there is never live data.
 */
#include "coio_ctx.h"

    .text

/* void *coio_swap(void **save_sp, void *next_sp, void *value)
 *   rdi = where to store the stack pointer of the context we leave
 *   rsi = stack pointer of the context to continue
 *   rdx = value handed over: returned from that context's coio_swap (or given to its entry) */
    .globl  coio_swap
    .hidden coio_swap
    .type   coio_swap, @function
    .p2align 4
coio_swap:
    .cfi_startproc
    pushq   %rbp                        /* save rbp ... */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    pushq   %rbx                        /* ... rbx ... */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    pushq   %r12                        /* ... r12 ... */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    pushq   %r13                        /* ... r13 ... */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    pushq   %r14                        /* ... r14 ... */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    pushq   %r15                        /* ... and r15 on the stack we leave */
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0
    subq    $8, %rsp                    /* room for the floating-point control state */
    .cfi_adjust_cfa_offset 8
    stmxcsr COIO_FRAME_MXCSR(%rsp)      /* save MXCSR (SSE rounding, exception masks, DAZ/FTZ) */
    fnstcw  COIO_FRAME_X87CW(%rsp)      /* save the x87 control word (precision, rounding) */
    movq    %rsp, (%rdi)                /* publish the left context: its frame is complete */

    movq    %rsi, %rsp                  /* switch stacks; the frame there has the same layout, */
                                        /* so the CFI above describes it as well */
    ldmxcsr COIO_FRAME_MXCSR(%rsp)      /* restore its MXCSR */
    fldcw   COIO_FRAME_X87CW(%rsp)      /* restore its x87 control word */
    addq    $8, %rsp                    /* drop the floating-point slot */
    .cfi_adjust_cfa_offset -8
    popq    %r15                        /* restore r15 ... */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    popq    %r14                        /* ... r14 ... */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    popq    %r13                        /* ... r13 ... */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    popq    %r12                        /* ... r12 ... */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    popq    %rbx                        /* ... rbx ... */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    popq    %rbp                        /* ... and rbp */
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    popq    %rcx                        /* take the return address (rcx is caller-saved) */
    .cfi_adjust_cfa_offset -8
    .cfi_register %rip, %rcx
    movq    %rdx, %rax                  /* the handed-over value becomes coio_swap's result */
    jmp     *%rcx                       /* continue there; rsp is now as after a `ret` */
    .cfi_endproc
    .size   coio_swap, .-coio_swap

/* coio_trampoline: where a fresh context starts (its frame's return address). On entry
 * r12 = entry function, r13 = its argument, rax = value of the switch that started it, and
 * rsp = the 16-aligned stack top, so the call below gives the entry an ABI-aligned stack.
 * The CFI marks the return address undefined: unwinders and debuggers end the backtrace here
 * instead of walking into whatever lies above the stack. */
    .globl  coio_trampoline
    .hidden coio_trampoline
    .type   coio_trampoline, @function
    .p2align 4
coio_trampoline:
    .cfi_startproc
    .cfi_undefined %rip                 /* outermost frame of the coroutine */
    movq    %r13, %rdi                  /* first argument: the entry's argument */
    movq    %rax, %rsi                  /* second argument: the first value handed over */
    callq   *%r12                       /* run the entry; it switches away and never returns */
    ud2                                 /* if it ever returned, fault here, loudly */
    .cfi_endproc
    .size   coio_trampoline, .-coio_trampoline

    .section .note.GNU-stack,"",@progbits   /* the stack need not be executable */
