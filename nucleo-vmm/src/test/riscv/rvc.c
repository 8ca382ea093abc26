/*
 * Compressed instructions: the explicit c.* sequence in rvc_ops.S, c.ebreak and the
 * all-zero illegal instruction, and some ordinary C code, which the compiler builds
 * mostly out of compressed instructions (sorting, a sieve, recursion, string work).
 */
#include "nucleo.h"

void rvc_run(uint64_t *out);

static const struct {
    const char *what;
    uint64_t expected;
} slots[] = {
    {"c.li -32", 0xffffffffffffffe0ULL},
    {"c.li 31", 31},
    {"c.lui 0x1f", 0x1f000},
    {"c.lui 0xfffe0", 0xfffffffffffe0000ULL},
    {"c.addi 5-6", 0xffffffffffffffffULL},
    {"c.addiw 0x7fffffff+1", 0xffffffff80000000ULL},
    {"c.addiw x,0 (sext.w)", 0x7fffffff},
    {"c.addi16sp -32", 32},
    {"c.addi4spn 40", 40},
    {"c.slli 63", 0x8000000000000000ULL},
    {"c.srli 63", 1},
    {"c.srai 60", 0xfffffffffffffff8ULL},
    {"c.andi -16", 0xf0},
    {"c.mv/c.add", 60},
    {"c.sub", 40},
    {"c.xor", 0xcc},
    {"c.or", 0xfc},
    {"c.and", 0x30},
    {"c.subw 0-0x80000000", 0xffffffff80000000ULL},
    {"c.addw 0x7fffffff+1", 0xffffffff80000000ULL},
    {"c.lw (sign-extends)", 0xffffffff88776655ULL},
    {"c.ld", 0x400921fb54442d18ULL},
    {"c.sdsp/c.ldsp", 0x400921fb54442d18ULL},
    {"c.swsp/c.lwsp", 0x0000000054442d18ULL},
    {"c.sd/c.sw", 0xaabbccdd11111111ULL},
    {"c.fld", 0x400921fb54442d18ULL},
    {"c.fsdsp/c.fldsp/c.fsd", 0x400921fb54442d18ULL},
    {"c.j skips", 0},
    {"c.jr skips", 0},
    {"c.jalr link - next", 0},
    {"c.beqz/c.bnez taken mask", 6},
    {"c.bnez loop sum 1..100", 5050},
    {"32-bit insn at 2 mod 4", 123},
    {"beq to 2-byte aligned target", 2},
    {"c.mv/c.add other regs", 2000},
};

static uint64_t out[sizeof(slots) / sizeof(slots[0])];

static void explicit_rvc(void)
{
    pr("-- explicit c.* instructions\n");
    rvc_run(out);
    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        check(slots[i].what, out[i], slots[i].expected);
    }
}

static void rvc_traps(void)
{
    pr("-- compressed traps\n");
    uint64_t at;
    trap_arm();
    __asm__ volatile(".option push\n.option rvc\n"
                     "lla %0, 1f\n1:\tc.ebreak\n\tc.nop\n.option pop" : "=r"(at));
    trap_disarm();
    check("c.ebreak traps once", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 3);
    check("  mepc = the c.ebreak", trap_rec.epc - at, 0);
    trap_arm();
    __asm__ volatile(".option push\n.option rvc\n"
                     "lla %0, 1f\n1:\t.hword 0\n\tc.nop\n.option pop" : "=r"(at));
    trap_disarm();
    check("16-bit all-zero instruction traps once", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    check("  mepc", trap_rec.epc - at, 0);
    check("  mtval (0 either way)", trap_rec.tval, 0);
}

/* ---- compiled code */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void quicksort(int32_t *a, int lo, int hi)
{
    while (lo < hi) {
        int32_t pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                int32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int32_t arr[2000];
static uint8_t sieve[10000];

static void compiled(void)
{
    pr("-- compiled C (mostly compressed instructions)\n");
    uint64_t sum_before = 0, sum_after = 0;
    for (int i = 0; i < 2000; i++) {
        arr[i] = (int32_t)rng();
        sum_before += (uint32_t)arr[i];
    }
    quicksort(arr, 0, 1999);
    int sorted = 1;
    for (int i = 0; i < 2000; i++) {
        sum_after += (uint32_t)arr[i];
        if (i > 0 && arr[i - 1] > arr[i]) sorted = 0;
    }
    check_true("quicksort sorted 2000 numbers", sorted);
    check("  same multiset (sum)", sum_after, sum_before);
    pr("  min %d max %d median %d\n", arr[0], arr[1999], arr[1000]);

    int primes = 0;
    for (int i = 2; i < 10000; i++) {
        if (!sieve[i]) {
            primes++;
            for (int j = i * 2; j < 10000; j += i) sieve[j] = 1;
        }
    }
    check("primes below 10000", primes, 1229);
    check("fib(20)", fib(20), 6765);

    char s[] = "compressed instructions";
    int n = 0;
    while (s[n]) n++;
    for (int i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
    pr("  reversed: %s\n", s);
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    pr("  fnv1a32 of it: %08x\n", h);
}

int main(void)
{
    pr("rvc: compressed instructions\n");
    explicit_rvc();
    rvc_traps();
    compiled();
    return finish("rvc");
}
