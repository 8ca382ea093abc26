/* Runtime for the Nucleo ISA test programs (see nucleo.h). */
#include <stdarg.h>
#include "nucleo.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void putch(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART0_BASE;
    while ((uart[UART_LSR] & UART_LSR_THRE) == 0) {
    }
    uart[UART_THR] = (uint8_t)c;
}

void putstr(const char *s)
{
    while (*s) {
        putch(*s++);
    }
}

static void put_unsigned(uint64_t v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    while (n < width) {
        buf[n++] = pad;
    }
    while (n > 0) {
        putch(buf[--n]);
    }
}

void pr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            putch(*p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0;
        int is_long = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p - '0');
            p++;
        }
        while (*p == 'l') {
            is_long = 1;
            p++;
        }
        switch (*p) {
        case 'd': {
            int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                putch('-');
                put_unsigned(-(uint64_t)v, 10, width > 0 ? width - 1 : 0, pad);
            } else {
                put_unsigned((uint64_t)v, 10, width, pad);
            }
            break;
        }
        case 'u':
            put_unsigned(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_unsigned(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'c':
            putch((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            putstr(s ? s : "(null)");
            break;
        }
        case '%':
            putch('%');
            break;
        case 0:
            p--;
            break;
        default:
            putch('%');
            putch(*p);
            break;
        }
    }
    va_end(ap);
}

void exit_with(int code)
{
    uint32_t v = code == 0 ? 0x5555 : (0x3333 | ((uint32_t)(code & 0xffff) << 16));
    MMIO32(FINISHER_BASE) = v;
    for (;;) {
        __asm__ volatile("wfi");
    }
}

int check_failures;

void check(const char *what, uint64_t got, uint64_t expected)
{
    pr("%s = %016lx", what, got);
    if (got == expected) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected %016lx\n", expected);
        check_failures++;
    }
}

void check32(const char *what, uint32_t got, uint32_t expected)
{
    pr("%s = %08x", what, got);
    if (got == expected) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected %08x\n", expected);
        check_failures++;
    }
}

void check_true(const char *what, int cond)
{
    pr("%s: %s\n", what, cond ? "ok" : "FAIL");
    if (!cond) {
        check_failures++;
    }
}

int finish(const char *name)
{
    if (check_failures == 0) {
        pr("PASS %s\n", name);
        return 0;
    }
    pr("FAIL %s: %d check(s) failed\n", name, check_failures);
    return 1;
}

/* ---- traps */

volatile trap_hook_t m_trap_hook, s_trap_hook;
volatile struct trap_record trap_rec;
static volatile int trap_armed;

void trap_arm(void)
{
    trap_rec.count = 0;
    trap_rec.mode = '-';
    trap_rec.cause = trap_rec.epc = trap_rec.tval = trap_rec.status = trap_rec.vec = 0;
    __asm__ volatile("" ::: "memory");
    trap_armed = 1;
    __asm__ volatile("" ::: "memory");
}

void trap_disarm(void)
{
    __asm__ volatile("" ::: "memory");
    trap_armed = 0;
    __asm__ volatile("" ::: "memory");
}

unsigned insn_len_at(uint64_t pc)
{
    if (pc < RAM_BASE || pc >= RAM_BASE + 0x10000000UL || (pc & 1)) {
        return 4;
    }
    uint16_t h = *(volatile uint16_t *)(uintptr_t)pc;
    return (h & 3) == 3 ? 4 : 2;
}

void mode_resume(uint64_t result) __attribute__((noreturn));

static void record_and_resume(char mode, struct trap_frame *f)
{
    trap_rec.mode = mode;
    trap_rec.cause = f->cause;
    trap_rec.epc = f->epc;
    trap_rec.tval = f->tval;
    trap_rec.status = f->status;
    trap_rec.vec = f->x[0];
    trap_rec.count++;
    if ((int64_t)f->cause < 0) {
        return;                         /* interrupt: resume where it hit */
    }
    if (f->cause == 0 || f->cause == 1 || f->cause == 12) {
        f->epc = f->x[1];               /* fetch fault: return to the caller */
    } else {
        f->epc += insn_len_at(f->epc);
    }
}

static void unexpected(char mode, struct trap_frame *f) __attribute__((noreturn));
static void unexpected(char mode, struct trap_frame *f)
{
    pr("\nUNEXPECTED TRAP in %c-mode handler: cause=%016lx epc=%016lx tval=%016lx status=%016lx\n",
       mode, f->cause, f->epc, f->tval, f->status);
    exit_with(99);
}

void m_trap_dispatch(struct trap_frame *f)
{
    uint64_t c = f->cause;
    if ((c == 8 || c == 9 || c == 11) && f->x[17] == ECALL_EXIT_MAGIC) {
        mode_resume(f->x[10]);
    }
    trap_hook_t hook = m_trap_hook;
    if (hook && hook(f)) {
        return;
    }
    if (trap_armed) {
        record_and_resume('M', f);
        return;
    }
    unexpected('M', f);
}

void s_trap_dispatch(struct trap_frame *f)
{
    if (f->cause == 8 && f->x[17] == ECALL_EXIT_MAGIC) {
        /* ecall from U delegated to S: pass the exit on to M-mode. */
        register uint64_t a0 __asm__("a0") = f->x[10];
        register uint64_t a7 __asm__("a7") = ECALL_EXIT_MAGIC;
        __asm__ volatile("ecall" :: "r"(a0), "r"(a7) : "memory");
        for (;;) {
        }
    }
    trap_hook_t hook = s_trap_hook;
    if (hook && hook(f)) {
        return;
    }
    if (trap_armed) {
        record_and_resume('S', f);
        return;
    }
    unexpected('S', f);
}

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}
