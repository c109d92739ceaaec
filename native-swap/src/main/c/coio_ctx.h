/*
 * coio_ctx.h - the saved-context frame shared by coio_swap_x86_64.S and the C code that builds
 * the first frame of a new coroutine. Internal: not installed, not part of the API.
 *
 * A suspended context is nothing but a stack pointer. coio_swap pushes the callee-saved state
 * onto the stack it leaves, so the frame sits at that stack pointer (offsets from it):
 *
 *   sp + 0x38   return address (where the suspended side continues)
 *   sp + 0x30   rbp
 *   sp + 0x28   rbx
 *   sp + 0x20   r12   \  a fresh frame: r12 = entry function, r13 = its argument,
 *   sp + 0x18   r13   /  rbp = 0, return address = coio_trampoline
 *   sp + 0x10   r14
 *   sp + 0x08   r15
 *   sp + 0x04   x87 control word (16 bits, then 16 unused bits)
 *   sp + 0x00   MXCSR (32 bits)
 *
 * The file is included by the assembler too (it is preprocessed: .S), hence the guards.
 */
#ifndef COIO_CTX_H
#define COIO_CTX_H

#define COIO_FRAME_MXCSR 0x00
#define COIO_FRAME_X87CW 0x04
#define COIO_FRAME_R15   0x08
#define COIO_FRAME_R14   0x10
#define COIO_FRAME_R13   0x18
#define COIO_FRAME_R12   0x20
#define COIO_FRAME_RBX   0x28
#define COIO_FRAME_RBP   0x30
#define COIO_FRAME_RIP   0x38
#define COIO_FRAME_SIZE  0x40   /* a multiple of 16: a fresh frame at a 16-aligned top stays aligned */

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * Saves the caller's context on its own stack, stores that stack pointer in *save_sp, and
 * continues the context whose stack pointer is next_sp. Returns (in the saved context, when
 * something later switches back to it) the `value` that switch passed. A fresh context receives
 * the value as the second argument of its entry function.
 */
void *coio_swap(void **save_sp, void *next_sp, void *value) __attribute__((visibility("hidden")));

/* First "return address" of every fresh context: calls r12(r13, value). Never called directly. */
void coio_trampoline(void) __attribute__((visibility("hidden")));

typedef void (*coio_entry_fn)(void *arg, void *first_value);

/* Builds a fresh frame below the 16-aligned `top`; returns the stack pointer to switch to. */
static inline void *coio_frame_init(char *top, coio_entry_fn entry, void *arg,
                                    uint32_t mxcsr, uint16_t x87cw) {
    char *sp = top - COIO_FRAME_SIZE;
    *(uint32_t *)(sp + COIO_FRAME_MXCSR) = mxcsr;
    *(uint32_t *)(sp + COIO_FRAME_X87CW) = x87cw;
    *(uint64_t *)(sp + COIO_FRAME_R15) = 0;
    *(uint64_t *)(sp + COIO_FRAME_R14) = 0;
    *(uint64_t *)(sp + COIO_FRAME_R13) = (uint64_t)(uintptr_t)arg;
    *(uint64_t *)(sp + COIO_FRAME_R12) = (uint64_t)(uintptr_t)entry;
    *(uint64_t *)(sp + COIO_FRAME_RBX) = 0;
    *(uint64_t *)(sp + COIO_FRAME_RBP) = 0;  /* ends frame-pointer chains at the trampoline */
    *(uint64_t *)(sp + COIO_FRAME_RIP) = (uint64_t)(uintptr_t)coio_trampoline;
    return sp;
}

/* The floating-point control state a new coroutine starts with: its creator's, as a new thread. */
static inline void coio_fp_control_get(uint32_t *mxcsr, uint16_t *x87cw) {
    __asm__ volatile("stmxcsr %0" : "=m"(*mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(*x87cw));
}
#endif /* __ASSEMBLER__ */
#endif /* COIO_CTX_H */
