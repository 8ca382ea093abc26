/*
 * RV64I + M: every integer instruction on edge-case operands.
 *
 * Each line shows the instruction, its operands and the result in hex, followed by "ok"
 * or "FAIL expected ...". The expected values are C expressions on constants that the
 * compiler folds at build time, so they do not depend on the CPU under test.
 */
#include "nucleo.h"

#define INLINE static inline __attribute__((always_inline))

typedef unsigned __int128 u128;
typedef __int128 s128;

/* ------------------------------------------------------------------ reference semantics */

INLINE uint64_t sx32(uint64_t x) { return (uint64_t)(int64_t)(int32_t)(uint32_t)x; }
INLINE int64_t s64(uint64_t x) { return (int64_t)x; }
INLINE int32_t s32(uint64_t x) { return (int32_t)(uint32_t)x; }

INLINE uint64_t e_add(uint64_t a, uint64_t b) { return a + b; }
INLINE uint64_t e_sub(uint64_t a, uint64_t b) { return a - b; }
INLINE uint64_t e_sll(uint64_t a, uint64_t b) { return a << (b & 63); }
INLINE uint64_t e_srl(uint64_t a, uint64_t b) { return a >> (b & 63); }
INLINE uint64_t e_sra(uint64_t a, uint64_t b) { return (uint64_t)(s64(a) >> (b & 63)); }
INLINE uint64_t e_slt(uint64_t a, uint64_t b) { return s64(a) < s64(b); }
INLINE uint64_t e_sltu(uint64_t a, uint64_t b) { return a < b; }
INLINE uint64_t e_xor(uint64_t a, uint64_t b) { return a ^ b; }
INLINE uint64_t e_or(uint64_t a, uint64_t b) { return a | b; }
INLINE uint64_t e_and(uint64_t a, uint64_t b) { return a & b; }
INLINE uint64_t e_addw(uint64_t a, uint64_t b) { return sx32(a + b); }
INLINE uint64_t e_subw(uint64_t a, uint64_t b) { return sx32(a - b); }
INLINE uint64_t e_sllw(uint64_t a, uint64_t b) { return sx32((uint32_t)a << (b & 31)); }
INLINE uint64_t e_srlw(uint64_t a, uint64_t b) { return sx32((uint32_t)a >> (b & 31)); }
INLINE uint64_t e_sraw(uint64_t a, uint64_t b) { return (uint64_t)(int64_t)(s32(a) >> (b & 31)); }

INLINE uint64_t e_mul(uint64_t a, uint64_t b) { return a * b; }
INLINE uint64_t e_mulh(uint64_t a, uint64_t b) { return (uint64_t)(((s128)s64(a) * (s128)s64(b)) >> 64); }
INLINE uint64_t e_mulhsu(uint64_t a, uint64_t b) { return (uint64_t)(((s128)s64(a) * (s128)b) >> 64); }
INLINE uint64_t e_mulhu(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a * (u128)b) >> 64); }
INLINE uint64_t e_mulw(uint64_t a, uint64_t b) { return sx32(a * b); }

INLINE uint64_t e_div(uint64_t a, uint64_t b)
{
    if (b == 0) return ~0ULL;
    if (a == 0x8000000000000000ULL && b == ~0ULL) return a;
    return (uint64_t)(s64(a) / s64(b));
}
INLINE uint64_t e_divu(uint64_t a, uint64_t b) { return b == 0 ? ~0ULL : a / b; }
INLINE uint64_t e_rem(uint64_t a, uint64_t b)
{
    if (b == 0) return a;
    if (a == 0x8000000000000000ULL && b == ~0ULL) return 0;
    return (uint64_t)(s64(a) % s64(b));
}
INLINE uint64_t e_remu(uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }
INLINE uint64_t e_divw(uint64_t a, uint64_t b)
{
    int32_t x = s32(a), y = s32(b);
    if (y == 0) return ~0ULL;
    if (x == INT32_MIN && y == -1) return sx32((uint32_t)x);
    return (uint64_t)(int64_t)(x / y);
}
INLINE uint64_t e_divuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return y == 0 ? ~0ULL : sx32(x / y);
}
INLINE uint64_t e_remw(uint64_t a, uint64_t b)
{
    int32_t x = s32(a), y = s32(b);
    if (y == 0) return sx32((uint32_t)x);
    if (x == INT32_MIN && y == -1) return 0;
    return (uint64_t)(int64_t)(x % y);
}
INLINE uint64_t e_remuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return y == 0 ? sx32(x) : sx32(x % y);
}

/* ------------------------------------------------------------------ instruction wrappers */

#define RR(op, a, b) ({ uint64_t _r; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); _r; })
#define RI(op, a, imm) ({ uint64_t _r; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"((uint64_t)(a)), "i"(imm)); _r; })

static void line(const char *op, uint64_t a, uint64_t b, uint64_t got, uint64_t exp)
{
    pr("%s %016lx %016lx -> %016lx", op, a, b, got);
    if (got == exp) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected %016lx\n", exp);
        check_failures++;
    }
}

static void line_imm(const char *op, uint64_t a, int64_t imm, uint64_t got, uint64_t exp)
{
    pr("%s %016lx imm=%ld -> %016lx", op, a, imm, got);
    if (got == exp) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected %016lx\n", exp);
        check_failures++;
    }
}

#define T_RR(op, fn, a, b) line(op, (uint64_t)(a), (uint64_t)(b), RR(op, a, b), fn((uint64_t)(a), (uint64_t)(b)));
#define T_RI(op, fn, a, imm) line_imm(op, (uint64_t)(a), imm, RI(op, a, imm), fn((uint64_t)(a), (uint64_t)(int64_t)(imm)));

/* Operand pairs for arithmetic, logic, comparison, multiply and divide. */
#define PAIRS(X, op, fn) \
    X(op, fn, 0, 0) \
    X(op, fn, 1, 1) \
    X(op, fn, 7, 3) \
    X(op, fn, -7, 3) \
    X(op, fn, 7, -3) \
    X(op, fn, -7, -3) \
    X(op, fn, 5, 0) \
    X(op, fn, -5, 0) \
    X(op, fn, 0x7fffffffffffffffULL, 1) \
    X(op, fn, 0x7fffffffffffffffULL, 0x7fffffffffffffffULL) \
    X(op, fn, 0x8000000000000000ULL, -1) \
    X(op, fn, 0x8000000000000000ULL, 1) \
    X(op, fn, 0x8000000000000000ULL, 0x8000000000000000ULL) \
    X(op, fn, -1, -1) \
    X(op, fn, 0x123456789abcdef0ULL, 0x0fedcba987654321ULL) \
    X(op, fn, 0xfedcba9876543210ULL, 0x00000000ffff0001ULL) \
    X(op, fn, 0x00000000ffffffffULL, 0x00000000ffffffffULL) \
    X(op, fn, 0x0000000080000000ULL, -1) \
    X(op, fn, 0xffffffff80000000ULL, -1) \
    X(op, fn, 0x1234567880000000ULL, 0xabcdef01ffffffffULL) \
    X(op, fn, 0x000000007fffffffULL, 0x000000007fffffffULL) \
    X(op, fn, 0x0000000100000005ULL, 0x0000000100000000ULL) \
    X(op, fn, 0xdeadbeefcafef00dULL, 0x0000000000010001ULL)

/* Operand pairs for shifts: amounts beyond the width use only the low bits. */
#define SHIFTS(X, op, fn) \
    X(op, fn, 0x8000000000000001ULL, 0) \
    X(op, fn, 0x8000000000000001ULL, 1) \
    X(op, fn, 0x8000000000000001ULL, 31) \
    X(op, fn, 0x8000000000000001ULL, 32) \
    X(op, fn, 0x8000000000000001ULL, 33) \
    X(op, fn, 0x8000000000000001ULL, 63) \
    X(op, fn, 0x8000000000000001ULL, 64) \
    X(op, fn, 0x8000000000000001ULL, 65) \
    X(op, fn, 0x123456789abcdef0ULL, 4) \
    X(op, fn, 0x123456789abcdef0ULL, 36) \
    X(op, fn, 0x123456789abcdef0ULL, -1) \
    X(op, fn, 0xffffffff80000000ULL, 31) \
    X(op, fn, 0x0000000080000000ULL, 1) \
    X(op, fn, 0x0000000080000000ULL, 32) \
    X(op, fn, 0xffffffff7fffffffULL, 16) \
    X(op, fn, 0x00000000c0000000ULL, 63) \
    X(op, fn, 0x00000000c0000000ULL, 0xffffffe1ULL)

#define IMMS(X, op, fn) \
    X(op, fn, 0, 0) \
    X(op, fn, 1, -1) \
    X(op, fn, -1, 1) \
    X(op, fn, 0x7fffffffffffffffULL, 1) \
    X(op, fn, 0x8000000000000000ULL, -1) \
    X(op, fn, 0x123456789abcdef0ULL, 2047) \
    X(op, fn, 0x123456789abcdef0ULL, -2048) \
    X(op, fn, 0x000000007fffffffULL, 1) \
    X(op, fn, 0x00000000fffff800ULL, 0x555) \
    X(op, fn, 0xffffffff80000000ULL, -1) \
    X(op, fn, 2047, 2047) \
    X(op, fn, -2049, -2048)

#define SHIFT_IMMS64(X, op, fn) \
    X(op, fn, 0x8000000000000001ULL, 0) \
    X(op, fn, 0x8000000000000001ULL, 1) \
    X(op, fn, 0x8000000000000001ULL, 31) \
    X(op, fn, 0x8000000000000001ULL, 32) \
    X(op, fn, 0x8000000000000001ULL, 63) \
    X(op, fn, 0x123456789abcdef0ULL, 12) \
    X(op, fn, 0x00000000c0000000ULL, 33)

#define SHIFT_IMMS32(X, op, fn) \
    X(op, fn, 0x8000000000000001ULL, 0) \
    X(op, fn, 0x8000000000000001ULL, 1) \
    X(op, fn, 0x0000000080000001ULL, 31) \
    X(op, fn, 0x123456789abcdef0ULL, 12) \
    X(op, fn, 0x00000000c0000000ULL, 1) \
    X(op, fn, 0xffffffff7fffffffULL, 4)

/* ------------------------------------------------------------------ groups */

static void arith(void)
{
    pr("-- register-register\n");
    PAIRS(T_RR, "add", e_add)
    PAIRS(T_RR, "sub", e_sub)
    PAIRS(T_RR, "slt", e_slt)
    PAIRS(T_RR, "sltu", e_sltu)
    PAIRS(T_RR, "xor", e_xor)
    PAIRS(T_RR, "or", e_or)
    PAIRS(T_RR, "and", e_and)
    PAIRS(T_RR, "addw", e_addw)
    PAIRS(T_RR, "subw", e_subw)
    pr("-- register shifts\n");
    SHIFTS(T_RR, "sll", e_sll)
    SHIFTS(T_RR, "srl", e_srl)
    SHIFTS(T_RR, "sra", e_sra)
    SHIFTS(T_RR, "sllw", e_sllw)
    SHIFTS(T_RR, "srlw", e_srlw)
    SHIFTS(T_RR, "sraw", e_sraw)
    pr("-- immediates\n");
    IMMS(T_RI, "addi", e_add)
    IMMS(T_RI, "slti", e_slt)
    IMMS(T_RI, "sltiu", e_sltu)
    IMMS(T_RI, "xori", e_xor)
    IMMS(T_RI, "ori", e_or)
    IMMS(T_RI, "andi", e_and)
    IMMS(T_RI, "addiw", e_addw)
    SHIFT_IMMS64(T_RI, "slli", e_sll)
    SHIFT_IMMS64(T_RI, "srli", e_srl)
    SHIFT_IMMS64(T_RI, "srai", e_sra)
    SHIFT_IMMS32(T_RI, "slliw", e_sllw)
    SHIFT_IMMS32(T_RI, "srliw", e_srlw)
    SHIFT_IMMS32(T_RI, "sraiw", e_sraw)
}

static void muldiv(void)
{
    pr("-- multiply\n");
    PAIRS(T_RR, "mul", e_mul)
    PAIRS(T_RR, "mulh", e_mulh)
    PAIRS(T_RR, "mulhsu", e_mulhsu)
    PAIRS(T_RR, "mulhu", e_mulhu)
    PAIRS(T_RR, "mulw", e_mulw)
    pr("-- divide\n");
    PAIRS(T_RR, "div", e_div)
    PAIRS(T_RR, "divu", e_divu)
    PAIRS(T_RR, "rem", e_rem)
    PAIRS(T_RR, "remu", e_remu)
    PAIRS(T_RR, "divw", e_divw)
    PAIRS(T_RR, "divuw", e_divuw)
    PAIRS(T_RR, "remw", e_remw)
    PAIRS(T_RR, "remuw", e_remuw)
}

#define BR(op, a, b) ({ uint64_t _r; __asm__ volatile( \
    "li %0, 1\n\t" op " %1, %2, 1f\n\tli %0, 0\n1:" \
    : "=&r"(_r) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); _r; })

#define T_BR(op, cmp, a, b) do { \
    uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); \
    uint64_t _t = BR(op, a, b); \
    pr("%s %016lx %016lx taken=%lu", op, _a, _b, _t); \
    if (_t == (uint64_t)(cmp)) pr(" ok\n"); else { pr(" FAIL\n"); check_failures++; } \
} while (0)

#define BRANCH_CASES(a, b) \
    T_BR("beq", (a) == (b), a, b); \
    T_BR("bne", (a) != (b), a, b); \
    T_BR("blt", (int64_t)(a) < (int64_t)(b), a, b); \
    T_BR("bge", (int64_t)(a) >= (int64_t)(b), a, b); \
    T_BR("bltu", (uint64_t)(a) < (uint64_t)(b), a, b); \
    T_BR("bgeu", (uint64_t)(a) >= (uint64_t)(b), a, b);

static void branches(void)
{
    pr("-- branches\n");
    BRANCH_CASES(0ULL, 0ULL)
    BRANCH_CASES(1ULL, 2ULL)
    BRANCH_CASES(2ULL, 1ULL)
    BRANCH_CASES(0xffffffffffffffffULL, 1ULL)
    BRANCH_CASES(1ULL, 0xffffffffffffffffULL)
    BRANCH_CASES(0x8000000000000000ULL, 0x7fffffffffffffffULL)
    BRANCH_CASES(0x0000000100000000ULL, 0x00000000ffffffffULL)
    BRANCH_CASES(0xffffffff00000000ULL, 0xffffffff00000000ULL)

    /* A backward branch loop: sum 1..10 with bnez. */
    uint64_t sum, n;
    __asm__ volatile(
        "li %0, 0\n\tli %1, 10\n"
        "1:\tadd %0, %0, %1\n\taddi %1, %1, -1\n\tbnez %1, 1b"
        : "=&r"(sum), "=&r"(n));
    check("backward loop sum(1..10)", sum, 55);
}

static uint8_t mem[32] __attribute__((aligned(16))) = {
    0x80, 0x01, 0xff, 0x7f, 0x34, 0x12, 0xcd, 0xab,
    0xef, 0xbe, 0xad, 0xde, 0x78, 0x56, 0x34, 0x12,
};

#define LD(op, base, off) ({ uint64_t _r; \
    __asm__ volatile(op " %0, %2(%1)" : "=r"(_r) : "r"(base), "i"(off) : "memory"); _r; })
#define ST(op, base, off, v) \
    __asm__ volatile(op " %1, %2(%0)" :: "r"(base), "r"((uint64_t)(v)), "i"(off) : "memory")

static void loads_stores(void)
{
    pr("-- loads\n");
    uint8_t *m = mem;
    uint8_t *m16 = mem + 16;
    check("lb  0", LD("lb", m, 0), 0xffffffffffffff80ULL);
    check("lbu 0", LD("lbu", m, 0), 0x80);
    check("lb  1", LD("lb", m, 1), 0x01);
    check("lb  2", LD("lb", m, 2), 0xffffffffffffffffULL);
    check("lbu 2", LD("lbu", m, 2), 0xff);
    check("lb  3", LD("lb", m, 3), 0x7f);
    check("lh  0", LD("lh", m, 0), 0x0180);
    check("lh  2", LD("lh", m, 2), 0x7fff);
    check("lh  6", LD("lh", m, 6), 0xffffffffffffabcdULL);
    check("lhu 6", LD("lhu", m, 6), 0xabcd);
    check("lw  0", LD("lw", m, 0), 0x7fff0180);
    check("lw  4", LD("lw", m, 4), 0xffffffffabcd1234ULL);
    check("lwu 4", LD("lwu", m, 4), 0xabcd1234);
    check("lw  8", LD("lw", m, 8), 0xffffffffdeadbeefULL);
    check("lwu 8", LD("lwu", m, 8), 0xdeadbeef);
    check("lw  12", LD("lw", m, 12), 0x12345678);
    check("ld  0", LD("ld", m, 0), 0xabcd12347fff0180ULL);
    check("ld  8", LD("ld", m, 8), 0x12345678deadbeefULL);
    check("lb  -16", LD("lb", m16, -16), 0xffffffffffffff80ULL);
    check("lhu -10", LD("lhu", m16, -10), 0xabcd);
    check("lw  -8", LD("lw", m16, -8), 0xffffffffdeadbeefULL);
    check("ld  -16", LD("ld", m16, -16), 0xabcd12347fff0180ULL);

    pr("-- stores\n");
    uint8_t *s = mem + 16;
    ST("sd", s, 0, 0);
    ST("sb", s, 1, 0x1122334455667788ULL);
    check("sb then ld", LD("ld", s, 0), 0x0000000000008800ULL);
    ST("sh", s, 2, 0x1122334455667788ULL);
    check("sh then ld", LD("ld", s, 0), 0x0000000077888800ULL);
    ST("sw", s, 4, 0x1122334455667788ULL);
    check("sw then ld", LD("ld", s, 0), 0x5566778877888800ULL);
    ST("sd", s, 8, 0x1122334455667788ULL);
    check("sd then ld", LD("ld", s, 8), 0x1122334455667788ULL);
    ST("sw", s + 8, -8, 0xfffffffff00dfeedULL);
    check("sw -8 then ld", LD("ld", s, 0), 0x55667788f00dfeedULL);
    ST("sh", s + 8, -1, 0xaaaa);
    check("sh -1 then ld", LD("ld", s, 0), 0xaa667788f00dfeedULL);
    check("sh -1 then lbu 8", LD("lbu", s, 8), 0xaa);

    /* rd == rs1 for a load, and x0 as a load destination. */
    uint64_t p = (uint64_t)(uintptr_t)mem;
    __asm__ volatile("ld %0, 8(%0)" : "+r"(p) :: "memory");
    check("ld rd==rs1", p, 0x12345678deadbeefULL);
    uint64_t z;
    __asm__ volatile("lw x0, 0(%1)\n\tmv %0, x0" : "=r"(z) : "r"(mem) : "memory");
    check("lw x0 leaves x0 zero", z, 0);
    __asm__ volatile("li t0, 5\n\tadd x0, t0, t0\n\tmv %0, x0" : "=r"(z) :: "t0");
    check("add x0 leaves x0 zero", z, 0);
}

static void upper_jumps(void)
{
    pr("-- lui/auipc\n");
    uint64_t r, r2;
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    check("lui 0x80000", r, 0xffffffff80000000ULL);
    __asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
    check("lui 0x7ffff", r, 0x7ffff000);
    __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
    check("lui 0xfffff", r, 0xfffffffffffff000ULL);
    __asm__ volatile("lui %0, 0x12345\n\taddiw %0, %0, 0x678" : "=r"(r));
    check("lui+addiw", r, 0x12345678);
    __asm__ volatile(".option push\n.option norvc\n1:\tauipc %0, 0x10\n\tlla %1, 1b\n.option pop" : "=r"(r), "=r"(r2));
    check("auipc 0x10 - pc", r - r2, 0x10000);
    __asm__ volatile(".option push\n.option norvc\n1:\tauipc %0, 0\n\tlla %1, 1b\n.option pop" : "=r"(r), "=r"(r2));
    check("auipc 0 - pc", r - r2, 0);
    __asm__ volatile(".option push\n.option norvc\n1:\tauipc %0, 0xfffff\n\tlla %1, 1b\n.option pop" : "=r"(r), "=r"(r2));
    check("auipc 0xfffff - pc", r - r2, 0xfffffffffffff000ULL);
    __asm__ volatile(".option push\n.option norvc\n1:\tauipc %0, 0x80000\n\tlla %1, 1b\n.option pop" : "=r"(r), "=r"(r2));
    check("auipc 0x80000 - pc", r - r2, 0xffffffff80000000ULL);

    pr("-- jal/jalr\n");
    uint64_t link, expect, marker;
    __asm__ volatile(
        ".option push\n.option norvc\n"
        "li %2, 0\n\t"
        "lla %1, 2f\n\t"
        "jal %0, 1f\n"
        "2:\tli %2, 1\n"
        "1:\n"
        ".option pop"
        : "=&r"(link), "=&r"(expect), "=&r"(marker));
    check("jal link = next insn", link - expect, 0);
    check("jal skipped the fall-through", marker, 0);

    __asm__ volatile(
        ".option push\n.option norvc\n"
        "li %2, 0\n\t"
        "lla t0, 3f\n\t"
        "addi t0, t0, 1\n\t"          /* odd target: bit 0 is cleared */
        "lla %1, 2f\n\t"
        "jalr %0, 0(t0)\n"
        "2:\tli %2, 1\n"
        "3:\n"
        ".option pop"
        : "=&r"(link), "=&r"(expect), "=&r"(marker) :: "t0");
    check("jalr odd target: link", link - expect, 0);
    check("jalr odd target: skipped", marker, 0);

    __asm__ volatile(
        ".option push\n.option norvc\n"
        "li %2, 0\n\t"
        "lla t0, 3f\n\t"
        "addi t0, t0, 12\n\t"
        "lla %1, 2f\n\t"
        "jalr %0, -12(t0)\n"
        "2:\tli %2, 1\n"
        "3:\n"
        ".option pop"
        : "=&r"(link), "=&r"(expect), "=&r"(marker) :: "t0");
    check("jalr negative offset: link", link - expect, 0);
    check("jalr negative offset: skipped", marker, 0);

    __asm__ volatile(
        ".option push\n.option norvc\n"
        "li %1, 0\n\t"
        "lla t0, 3f\n\t"
        "jalr t0, 0(t0)\n"            /* rd == rs1: target uses the old value */
        "2:\tli %1, 1\n"
        "3:\tlla %0, 2b\n\t"
        "sub %0, t0, %0\n"
        ".option pop"
        : "=&r"(link), "=&r"(marker) :: "t0");
    check("jalr rd==rs1: link - next", link, 0);
    check("jalr rd==rs1: skipped", marker, 0);

    /* A real call through jal ra / ret. */
    __asm__ volatile(
        ".option push\n.option norvc\n"
        "mv t1, ra\n\t"
        "li %0, 0\n\t"
        "jal ra, 1f\n\t"
        "j 2f\n"
        "1:\taddi %0, %0, 7\n\t"
        "ret\n"
        "2:\tmv ra, t1\n"
        ".option pop"
        : "=&r"(r) :: "t1", "ra");
    check("jal ra / ret round trip", r, 7);
}

static uint32_t code_buf[4] __attribute__((aligned(16)));

static void self_modifying(void)
{
    pr("-- fence.i\n");
    uint64_t (*fn)(void) = (uint64_t (*)(void))(uintptr_t)code_buf;
    code_buf[0] = 0x02a00513;       /* addi a0, x0, 42 */
    code_buf[1] = 0x00008067;       /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    check("generated code returns", fn(), 42);
    code_buf[0] = 0x02b00513;       /* addi a0, x0, 43 */
    __asm__ volatile("fence.i" ::: "memory");
    check("rewritten code returns", fn(), 43);
    __asm__ volatile("fence\n\tfence rw, rw\n\tfence iorw, iorw\n\tfence.tso" ::: "memory");
    check_true("fence variants execute", 1);
}

int main(void)
{
    pr("rv64im: integer instructions\n");
    arith();
    muldiv();
    branches();
    loads_stores();
    upper_jumps();
    self_modifying();
    return finish("rv64im");
}
