/* test_fpu.c - the MXCSR control bits (SSE rounding mode, flush-to-zero) and the x87 control
 * word are callee-saved in the SysV ABI, so every coroutine keeps its own across switches:
 * one coroutine's fesetround must not leak into another or into main. (libco's coctx_swap
 * saves neither: its issue #84.) */
#include <fenv.h>
#include <stdint.h>

#include "co_routine.h"
#include "test.h"

static uint32_t get_mxcsr(void) {
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}
static void set_mxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }
static uint16_t get_x87cw(void) {
    uint16_t v;
    __asm__ volatile("fnstcw %0" : "=m"(v));
    return v;
}
static void set_x87cw(uint16_t v) { __asm__ volatile("fldcw %0" : : "m"(v)); }

#define MXCSR_RC_MASK 0x6000u /* rounding control */
#define MXCSR_FTZ 0x8000u
#define X87_RC_MASK 0x0C00u
#define X87_PC_MASK 0x0300u

/* 1/3 in float, computed with SSE under the current rounding mode. Inline asm, because the
 * compiler may otherwise move a plain division across fesetround (or across a switch). */
static float third(void) {
    float q = 1.0f, three = 3.0f;
    __asm__ volatile("divss %1, %0" : "+x"(q) : "x"(three));
    return q;
}

struct fp_wish {
    int sse_round;    /* FE_* for fesetround (sets MXCSR and the x87 word) */
    uint16_t x87_pc;  /* x87 precision control bits */
    int ftz;
};

static void *keeper(void *arg) {
    const struct fp_wish *w = arg;
    fesetround(w->sse_round);
    set_mxcsr(w->ftz ? (get_mxcsr() | MXCSR_FTZ) : (get_mxcsr() & ~MXCSR_FTZ));
    set_x87cw((uint16_t)((get_x87cw() & ~X87_PC_MASK) | w->x87_pc));
    uint32_t my_mxcsr = get_mxcsr() & (MXCSR_RC_MASK | MXCSR_FTZ);
    uint16_t my_x87 = get_x87cw() & (X87_RC_MASK | X87_PC_MASK);
    float my_third = third();
    for (int i = 0; i < 1000; i++) {
        co_yield_ct();
        CHECK_EQ(fegetround(), w->sse_round);
        CHECK_EQ(get_mxcsr() & (MXCSR_RC_MASK | MXCSR_FTZ), my_mxcsr);
        CHECK_EQ(get_x87cw() & (X87_RC_MASK | X87_PC_MASK), my_x87);
        CHECK(third() == my_third);
    }
    return NULL;
}

int main(void) {
    struct fp_wish wishes[] = {
        {FE_UPWARD, 0x0000, 1},     /* x87 single precision */
        {FE_DOWNWARD, 0x0200, 0},   /* x87 double precision */
        {FE_TOWARDZERO, 0x0300, 1}, /* x87 extended precision */
    };
    stCoRoutine_t *cos[3];
    for (int i = 0; i < 3; i++)
        CHECK_EQ(co_create(&cos[i], NULL, keeper, &wishes[i]), 0);
    CHECK_EQ(fegetround(), FE_TONEAREST);
    uint32_t main_mxcsr = get_mxcsr() & (MXCSR_RC_MASK | MXCSR_FTZ);
    uint16_t main_x87 = get_x87cw() & (X87_RC_MASK | X87_PC_MASK);
    float main_third = third();
    for (int round = 0; round <= 1000; round++) {
        for (int i = 0; i < 3; i++) {
            co_resume(cos[(i + round) % 3]); /* vary the order */
            CHECK_EQ(fegetround(), FE_TONEAREST);
            CHECK_EQ(get_mxcsr() & (MXCSR_RC_MASK | MXCSR_FTZ), main_mxcsr);
            CHECK_EQ(get_x87cw() & (X87_RC_MASK | X87_PC_MASK), main_x87);
            CHECK(third() == main_third);
        }
    }
    /* the rounding modes really differed: upward and downward thirds are distinct */
    fesetround(FE_UPWARD);
    float up = third();
    fesetround(FE_DOWNWARD);
    float down = third();
    fesetround(FE_TONEAREST);
    CHECK(up != down);

    /* a new coroutine starts with its creator's control state, as a new thread would */
    fesetround(FE_DOWNWARD);
    stCoRoutine_t *child;
    static struct fp_wish inherit = {FE_DOWNWARD, 0x0300, 0};
    CHECK_EQ(co_create(&child, NULL, keeper, &inherit), 0);
    fesetround(FE_TONEAREST);
    co_resume(child);
    CHECK_EQ(fegetround(), FE_TONEAREST);
    for (int i = 0; i < 3; i++)
        co_release(cos[i]);
    co_release(child);
    PASS("MXCSR and x87 control word are per coroutine");
    return 0;
}
