/*
 * Interrupts: the CLINT timer (mtime/mtimecmp) and software interrupt (msip); mip/mie;
 * WFI waking with and without global enable; priority of MSI over MTI; vectored delivery;
 * supervisor interrupts delegated through mideleg: STIP written by M-mode, SSIP written
 * by S-mode, U-mode always interruptible by S interrupts, M interrupts always taken in S;
 * and the firmware-style flow where M-mode turns its timer interrupt into an S timer
 * interrupt and S-mode asks M-mode (ecall) to re-arm or clear it.
 *
 * No times or interrupted pcs are printed: only causes, counts and modes.
 */
#include "nucleo.h"

#define MIP_SSIP (1UL << 1)
#define MIP_MSIP (1UL << 3)
#define MIP_STIP (1UL << 5)
#define MIP_MTIP (1UL << 7)
#define IRQ_SSI 0x8000000000000001ULL
#define IRQ_MSI 0x8000000000000003ULL
#define IRQ_STI 0x8000000000000005ULL
#define IRQ_MTI 0x8000000000000007ULL
#define ECALL_TIMER 0x54494d45          /* "TIME": a0 = delay in ticks, or -1 to clear STIP */
#define SPIN_LIMIT 2000000
#define TAKE_LIMIT 100000       /* instructions an enabled, pending interrupt may take */

struct irq_entry {
    uint64_t cause, status, vec;
    char mode;
};
static volatile struct irq_entry irq_log[16];
static volatile int irq_count;
static volatile int mti_to_sti;        /* M timer handler raises STIP */

/*
 * WFI with the global enable off, then a one-instruction window to take what woke us.
 * Enabling first and then WFI would race: an interrupt taken between the loop's check and
 * the WFI leaves the WFI waiting for one that already happened.
 */
static void wait_then_take_m(void)
{
    __asm__ volatile("wfi");
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
}

static void wait_then_take_s(void)
{
    __asm__ volatile("wfi");
    csr_set(sstatus, MSTATUS_SIE);
    csr_clear(sstatus, MSTATUS_SIE);
}

static void log_irq(char mode, struct trap_frame *f)
{
    int n = irq_count;
    if (n < 16) {
        irq_log[n].cause = f->cause;
        irq_log[n].status = f->status;
        irq_log[n].vec = f->x[0];
        irq_log[n].mode = mode;
    }
    irq_count = n + 1;
}

/* Spins until irq_count reaches n (an enabled pending interrupt need not be taken at the
   very next instruction, only soon). */
static void wait_irqs(int n)
{
    for (int i = 0; i < TAKE_LIMIT && irq_count < n; i++) {
        __asm__ volatile("nop");
    }
}

static void clear_log(void)
{
    irq_count = 0;
    for (int i = 0; i < 16; i++) {
        irq_log[i].cause = 0;
        irq_log[i].mode = '-';
    }
}

static int m_hook(struct trap_frame *f)
{
    if (f->cause == IRQ_MTI) {
        MMIO64(CLINT_MTIMECMP) = ~0ULL;
        log_irq('M', f);
        if (mti_to_sti) {
            csr_set(mip, MIP_STIP);
        }
        return 1;
    }
    if (f->cause == IRQ_MSI) {
        MMIO32(CLINT_MSIP) = 0;
        log_irq('M', f);
        return 1;
    }
    if (f->cause == 9 && f->x[17] == ECALL_TIMER) {
        csr_clear(mip, MIP_STIP);
        if (f->x[10] != ~0ULL) {
            MMIO64(CLINT_MTIMECMP) = clint_mtime() + f->x[10];
            csr_set(mie, MIP_MTIP);
        }
        f->epc += 4;
        return 1;
    }
    return 0;
}

static void s_ecall_timer(uint64_t arg)
{
    register uint64_t a0 __asm__("a0") = arg;
    register uint64_t a7 __asm__("a7") = ECALL_TIMER;
    __asm__ volatile(".option push\n.option norvc\necall\n.option pop" : "+r"(a0) : "r"(a7) : "memory");
}

static volatile int sti_via_ecall;

static int s_hook(struct trap_frame *f)
{
    if (f->cause == IRQ_STI) {
        log_irq('S', f);
        if (sti_via_ecall) {
            s_ecall_timer(~0ULL);
        } else {
            csr_clear(sie, MIP_STIP);
        }
        return 1;
    }
    if (f->cause == IRQ_SSI) {
        csr_clear(sip, MIP_SSIP);
        log_irq('S', f);
        return 1;
    }
    return 0;
}

static void check_log(const char *what, int count, uint64_t cause0, char mode0)
{
    pr("%s: count=%d cause=%016lx mode=%c", what, irq_count, irq_log[0].cause, irq_log[0].mode);
    if (irq_count == count && (count == 0 || (irq_log[0].cause == cause0 && irq_log[0].mode == mode0))) {
        pr(" ok\n");
    } else {
        pr(" FAIL expected count=%d cause=%016lx mode=%c\n", count, cause0, mode0);
        check_failures++;
    }
}

/* ---------------------------------------------------------------- M-mode */

static void machine_timer(void)
{
    pr("-- mtime and mtimecmp\n");
    uint64_t t0 = clint_mtime();
    for (volatile int i = 0; i < 10000; i++) {
    }
    uint64_t t1 = clint_mtime();
    check_true("mtime advances", t1 > t0);

    MMIO64(CLINT_MTIMECMP) = ~0ULL;
    check("MTIP clear with mtimecmp = max", csr_read(mip) & MIP_MTIP, 0);
    MMIO64(CLINT_MTIMECMP) = clint_mtime();
    int spins = 0;
    while (!(csr_read(mip) & MIP_MTIP) && spins < SPIN_LIMIT) {
        spins++;
    }
    check("MTIP pending once mtime >= mtimecmp", csr_read(mip) & MIP_MTIP, MIP_MTIP);
    csr_clear(mip, MIP_MTIP);
    check("MTIP is read-only in mip", csr_read(mip) & MIP_MTIP, MIP_MTIP);
    check("no trap while disabled", irq_count, 0);
    MMIO64(CLINT_MTIMECMP) = ~0ULL;
    check("MTIP clears when mtimecmp moves ahead", csr_read(mip) & MIP_MTIP, 0);

    pr("-- timer interrupt through WFI\n");
    clear_log();
    uint64_t target = clint_mtime() + 2000;     /* 200 us */
    MMIO64(CLINT_MTIMECMP) = target;
    csr_write(mie, MIP_MTIP);
    for (spins = 0; irq_count == 0 && spins < SPIN_LIMIT; spins++) {
        wait_then_take_m();
    }
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    check_log("machine timer interrupt", 1, IRQ_MTI, 'M');
    check_true("  taken no earlier than mtimecmp", clint_mtime() >= target);
    check("  mstatus.MPP in the handler", (irq_log[0].status >> 11) & 3, 3);
    check("  mstatus.MPIE in the handler", (irq_log[0].status >> 7) & 1, 1);
    check("  mcause CSR", csr_read(mcause), IRQ_MTI);

    pr("-- WFI wakes on a pending interrupt even with MIE=0\n");
    clear_log();
    MMIO64(CLINT_MTIMECMP) = clint_mtime() + 1000;
    csr_write(mie, MIP_MTIP);
    for (spins = 0; !(csr_read(mip) & MIP_MTIP) && spins < SPIN_LIMIT; spins++) {
        __asm__ volatile("wfi");
    }
    check("WFI returned with MTIP pending", csr_read(mip) & MIP_MTIP, MIP_MTIP);
    check("  no trap taken", irq_count, 0);
    csr_write(mie, 0);
    MMIO64(CLINT_MTIMECMP) = ~0ULL;

    pr("-- vectored timer interrupt\n");
    clear_log();
    uint64_t tv = csr_swap(mtvec, (uint64_t)(uintptr_t)m_vector_table | 1);
    MMIO64(CLINT_MTIMECMP) = clint_mtime() + 500;
    csr_write(mie, MIP_MTIP);
    for (spins = 0; irq_count == 0 && spins < SPIN_LIMIT; spins++) {
        wait_then_take_m();
    }
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    csr_write(mtvec, tv);
    check_log("vectored machine timer interrupt", 1, IRQ_MTI, 'M');
    check("  vector slot", irq_log[0].vec, 7);
}

static void machine_software(void)
{
    pr("-- machine software interrupt (msip)\n");
    clear_log();
    check("MSIP clear at start", csr_read(mip) & MIP_MSIP, 0);
    csr_set(mip, MIP_MSIP);
    check("MSIP is read-only in mip", csr_read(mip) & MIP_MSIP, 0);
    MMIO32(CLINT_MSIP) = 1;
    check("msip register reads 1", MMIO32(CLINT_MSIP), 1);
    check("MSIP pending", csr_read(mip) & MIP_MSIP, MIP_MSIP);
    csr_write(mie, MIP_MSIP);
    check("not taken while MIE=0", irq_count, 0);
    csr_set(mstatus, MSTATUS_MIE);
    wait_irqs(1);
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    check_log("software interrupt", 1, IRQ_MSI, 'M');
    check("MSIP clear after the handler wrote msip=0", csr_read(mip) & MIP_MSIP, 0);

    pr("-- priority: MSI before MTI\n");
    clear_log();
    MMIO64(CLINT_MTIMECMP) = 0;
    MMIO32(CLINT_MSIP) = 1;
    int spins = 0;
    while (!(csr_read(mip) & MIP_MTIP) && spins < SPIN_LIMIT) {
        spins++;
    }
    csr_write(mie, MIP_MSIP | MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_irqs(2);
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    check("two interrupts taken", irq_count, 2);
    check("  first", irq_log[0].cause, IRQ_MSI);
    check("  second", irq_log[1].cause, IRQ_MTI);
}

/* ---------------------------------------------------------------- lower modes */

static uint64_t s_wait_sti(uint64_t arg)
{
    (void)arg;
    csr_set(sie, MIP_STIP);
    csr_set(sstatus, MSTATUS_SIE);
    wait_irqs(1);
    csr_clear(sstatus, MSTATUS_SIE);
    return irq_count;
}

static uint64_t s_wfi_pending(uint64_t arg)
{
    (void)arg;
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(sie, MIP_STIP);
    __asm__ volatile("wfi");
    uint64_t p = csr_read(sip) & MIP_STIP;
    csr_clear(sie, MIP_STIP);
    return p;
}

static uint64_t u_spin(uint64_t arg)
{
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < arg; i++) {
        x += i;
    }
    return x;
}

static uint64_t s_spin(uint64_t arg)
{
    csr_clear(sstatus, MSTATUS_SIE);
    return u_spin(arg);
}

static uint64_t s_self_ssi(uint64_t arg)
{
    (void)arg;
    csr_set(sie, MIP_SSIP);
    csr_set(sip, MIP_SSIP);
    uint64_t pending = csr_read(sip) & MIP_SSIP;
    csr_set(sstatus, MSTATUS_SIE);
    wait_irqs(1);
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sie, MIP_SSIP);
    return pending;
}

static uint64_t s_timer_via_m(uint64_t arg)
{
    csr_set(sie, MIP_STIP);
    s_ecall_timer(arg);
    for (int i = 0; i < SPIN_LIMIT && irq_count < 2; i++) {
        wait_then_take_s();
    }
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sie, MIP_STIP);
    return csr_read(sip) & MIP_STIP;
}

static void supervisor(void)
{
    pr("-- supervisor timer interrupt from mip.STIP (delegated)\n");
    csr_write(mideleg, MIP_STIP | MIP_SSIP);
    clear_log();
    csr_set(mip, MIP_STIP);
    check("M-mode can set STIP", csr_read(mip) & MIP_STIP, MIP_STIP);
    check("sip shows STIP", csr_read(sip) & MIP_STIP, MIP_STIP);
    csr_set(mie, MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    __asm__ volatile("nop\n\tnop");
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    check("delegated interrupt not taken in M-mode", irq_count, 0);
    uint64_t n = RUN_IN_MODE(PRV_S, s_wait_sti, 0);
    check_log("S-mode with SIE=1", 1, IRQ_STI, 'S');
    check("  seen by the S code", n, 1);
    check("  sstatus.SPP", (irq_log[0].status >> 8) & 1, 1);
    check("  scause CSR", csr_read(scause), IRQ_STI);
    check("STIP still pending (only M clears it)", csr_read(mip) & MIP_STIP, MIP_STIP);

    pr("-- WFI in S-mode returns with an interrupt pending and SIE=0\n");
    clear_log();
    n = RUN_IN_MODE(PRV_S, s_wfi_pending, 0);
    check("sip.STIP after WFI", n, MIP_STIP);
    check("  no trap", irq_count, 0);

    pr("-- U-mode is always interruptible by S interrupts\n");
    clear_log();
    csr_set(mie, MIP_STIP);
    csr_clear(mstatus, MSTATUS_SIE);
    RUN_IN_MODE(PRV_U, u_spin, 20000);
    check_log("STI taken from U with SIE=0", 1, IRQ_STI, 'S');
    check("  sstatus.SPP", (irq_log[0].status >> 8) & 1, 0);
    csr_clear(mip, MIP_STIP);
    check("M-mode clears STIP", csr_read(mip) & MIP_STIP, 0);

    pr("-- supervisor software interrupt\n");
    clear_log();
    n = RUN_IN_MODE(PRV_S, s_self_ssi, 0);
    check("S-mode set sip.SSIP", n, MIP_SSIP);
    check_log("SSI taken", 1, IRQ_SSI, 'S');

    pr("-- M interrupts are taken in S-mode even with MIE=0\n");
    clear_log();
    csr_write(mie, MIP_MSIP);
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPIE);
    MMIO32(CLINT_MSIP) = 1;
    RUN_IN_MODE(PRV_S, s_spin, 20000);
    csr_write(mie, 0);
    check_log("MSI while in S", 1, IRQ_MSI, 'M');
    check("  mstatus.MPP", (irq_log[0].status >> 11) & 3, 1);

    pr("-- firmware-style S timer: M timer -> STIP, S asks M to clear it\n");
    clear_log();
    mti_to_sti = 1;
    sti_via_ecall = 1;
    csr_write(mie, 0);
    n = RUN_IN_MODE(PRV_S, s_timer_via_m, 1000);
    mti_to_sti = 0;
    sti_via_ecall = 0;
    csr_write(mie, 0);
    check("interrupts taken", irq_count, 2);
    check("  first: machine timer in M", irq_log[0].cause, IRQ_MTI);
    check("  ... interrupted S", (irq_log[0].status >> 11) & 3, 1);
    check("  second: supervisor timer in S", irq_log[1].cause, IRQ_STI);
    check_true("  modes M then S", irq_log[0].mode == 'M' && irq_log[1].mode == 'S');
    check("STIP clear at the end", n, 0);
    csr_write(mideleg, 0);
}

int main(void)
{
    pr("irq: interrupts\n");
    m_trap_hook = m_hook;
    s_trap_hook = s_hook;
    machine_timer();
    machine_software();
    supervisor();
    MMIO64(CLINT_MTIMECMP) = ~0ULL;
    return finish("irq");
}
