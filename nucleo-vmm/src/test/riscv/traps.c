/*
 * CSRs, privilege levels and traps: identification CSRs, mstatus fields, the CSR
 * instructions, mtvec direct and vectored mode, ecall from M/S/U, illegal instructions
 * (mtval = the instruction bits), ebreak, delegation to S-mode through medeleg (stvec,
 * scause, sepc, stval), mret/sret and the MPP/SPP/MIE/SIE/MPIE/SPIE bits, TSR/TW/TVM,
 * counters and counter enables, and the sstatus/sie/sip views.
 *
 * Addresses are printed relative to labels in the code so the output does not depend on
 * the link layout.
 */
#include "nucleo.h"

#define ILLEGAL_INSN 0x00007003u     /* LOAD with funct3=7: reserved in RV64 */
#define MSTATUS_MPP_GET(s) (((s) >> 11) & 3)

static volatile uint64_t expect_pc;

/* ---------------------------------------------------------------- identification */

static void identification(void)
{
    pr("-- identification\n");
    uint64_t misa = csr_read(misa);
    check("misa.MXL", misa >> 62, 2);
    const char *ext = "IMAFDCSU";
    for (const char *p = ext; *p; p++) {
        pr("misa has %c", *p);
        check_true("", (misa >> (*p - 'A')) & 1);
    }
    check("mhartid", csr_read(mhartid), 0);
    check("a0 at entry = mhartid", boot_hartid, 0);
    trap_arm();
    uint64_t v = csr_read(mvendorid) | csr_read(marchid) | csr_read(mimpid);
    (void)v;
    trap_disarm();
    check("mvendorid/marchid/mimpid readable", trap_rec.count, 0);

    uint64_t ms = csr_read(mstatus);
    check("mstatus.UXL", (ms >> 32) & 3, 2);
    check("mstatus.SXL", (ms >> 34) & 3, 2);
    check("mstatus.MIE at start", (ms >> 3) & 1, 0);
    check("mstatus.MPRV at start", (ms >> 17) & 1, 0);
    check("sstatus.UXL", (csr_read(sstatus) >> 32) & 3, 2);
}

/* ---------------------------------------------------------------- CSR instructions */

static void csr_instructions(void)
{
    pr("-- CSR instructions\n");
    uint64_t saved = csr_read(mscratch);
    uint64_t old, v;
    csr_write(mscratch, 0x1234);
    __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0f0ULL));
    check("csrrw returns old", old, 0x1234);
    __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x000fULL));
    check("csrrs returns old", old, 0xf0f0);
    check("csrrs set bits", csr_read(mscratch), 0xf0ff);
    __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x00f0ULL));
    check("csrrc returns old", old, 0xf0ff);
    check("csrrc cleared bits", csr_read(mscratch), 0xf00f);
    __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
    check("csrrwi returns old", old, 0xf00f);
    check("csrrwi wrote", csr_read(mscratch), 31);
    __asm__ volatile("csrrci %0, mscratch, 1" : "=r"(old));
    __asm__ volatile("csrrsi %0, mscratch, 0x10" : "=r"(v));
    check("csrrci then csrrsi", v, 30);
    check("csrrsi wrote", csr_read(mscratch), 30);
    csr_write(mscratch, -1);
    check("mscratch holds 64 bits", csr_read(mscratch), 0xffffffffffffffffULL);
    csr_write(mscratch, saved);

    /* Reading a read-only CSR with csrrs/csrrc x0 or an immediate 0 is fine. */
    trap_arm();
    __asm__ volatile("csrrs %0, mhartid, x0\n\tcsrrc %0, mhartid, x0\n\tcsrrsi %0, mhartid, 0" : "=r"(v));
    trap_disarm();
    check("read-only CSR read with rs1=x0/imm 0: no trap", trap_rec.count, 0);

    /* Writing one is an illegal instruction with mtval = the instruction. */
    trap_arm();
    __asm__ volatile("lla t0, 1f\n\tsd t0, %0\n1:\tcsrw mvendorid, zero" : "=m"(expect_pc) :: "t0");
    trap_disarm();
    check("csrw mvendorid traps", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    check("  mtval = instruction", trap_rec.tval, 0xf1101073);
    trap_arm();
    __asm__ volatile("csrrsi x0, mhartid, 1");
    trap_disarm();
    check("csrrsi mhartid, 1 traps", trap_rec.count, 1);
    check("  mtval = instruction", trap_rec.tval, 0xf140e073);
    trap_arm();
    __asm__ volatile(".option push\n.option norvc\nunimp\n.option pop");
    trap_disarm();
    check("unimp (csrrw x0, cycle, x0) traps", trap_rec.count, 1);
    check("  mtval = instruction", trap_rec.tval, 0xc0001073);

    /* mtvec holds direct and vectored bases. */
    uint64_t tv = csr_read(mtvec);
    csr_write(mtvec, (uint64_t)(uintptr_t)m_vector_table | 1);
    check("mtvec vectored readback", csr_read(mtvec) - ((uint64_t)(uintptr_t)m_vector_table | 1), 0);
    csr_write(mtvec, tv);
    check("mtvec direct readback", csr_read(mtvec) - (uint64_t)(uintptr_t)m_trap_entry, 0);

    /* mie has the standard M and S interrupt enables. */
    csr_write(mie, 0xaaa);
    check("mie MEIE|SEIE|MTIE|STIE|MSIE|SSIE", csr_read(mie) & 0xaaa, 0xaaa);
    csr_write(mie, 0);
    csr_write(medeleg, 0x100);
    check("medeleg bit 8 writable", csr_read(medeleg) & 0x100, 0x100);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0x222);
    check("mideleg SEI|STI|SSI writable", csr_read(mideleg) & 0x222, 0x222);
    csr_write(mideleg, 0);
}

/* ---------------------------------------------------------------- M-mode exceptions */

static void m_exceptions(void)
{
    pr("-- exceptions in M-mode, direct mtvec\n");
    trap_arm();
    __asm__ volatile("lla t0, 1f\n\tsd t0, %0\n1:\tecall" : "=m"(expect_pc) :: "t0", "a7");
    trap_disarm();
    check("ecall from M: count", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 11);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    check("  mtval", trap_rec.tval, 0);
    check("  mstatus.MPP = M", MSTATUS_MPP_GET(trap_rec.status), 3);
    check("  mstatus.MIE cleared", (trap_rec.status >> 3) & 1, 0);
    check("  entered through the base", trap_rec.vec, 0);
    check("mcause CSR afterwards", csr_read(mcause), 11);

    trap_arm();
    __asm__ volatile(".option push\n.option norvc\nlla t0, 1f\n\tsd t0, %0\n1:\tebreak\n.option pop"
                     : "=m"(expect_pc) :: "t0");
    trap_disarm();
    check("ebreak: count", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 3);
    check("  mepc", trap_rec.epc - expect_pc, 0);

    trap_arm();
    __asm__ volatile("lla t0, 1f\n\tsd t0, %0\n1:\t.word " STR(ILLEGAL_INSN) : "=m"(expect_pc) :: "t0");
    trap_disarm();
    check("reserved LOAD encoding: count", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    check("  mtval = instruction", trap_rec.tval, ILLEGAL_INSN);

    /* MIE=1 before the trap: MPIE records it. */
    csr_set(mstatus, MSTATUS_MIE);
    trap_arm();
    __asm__ volatile("ecall" ::: "a7");
    trap_disarm();
    check("trap with MIE=1: MPIE", (trap_rec.status >> 7) & 1, 1);
    check("  MIE in the handler", (trap_rec.status >> 3) & 1, 0);
    check("  MIE restored by mret", (csr_read(mstatus) >> 3) & 1, 1);
    csr_clear(mstatus, MSTATUS_MIE);

    pr("-- vectored mtvec: exceptions use the base\n");
    uint64_t tv = csr_swap(mtvec, (uint64_t)(uintptr_t)m_vector_table | 1);
    trap_arm();
    __asm__ volatile("ecall" ::: "a7");
    trap_disarm();
    check("ecall with vectored mtvec: vector slot", trap_rec.vec, 0);
    check("  mcause", trap_rec.cause, 11);
    pr("-- vectored mtvec: machine software interrupt uses base + 4*3\n");
    MMIO32(CLINT_MSIP) = 1;
    trap_arm();
    csr_write(mie, 0x8);
    csr_set(mstatus, MSTATUS_MIE);
    for (int i = 0; i < 100000 && trap_rec.count == 0; i++) {
        __asm__ volatile("nop");
    }
    csr_clear(mstatus, MSTATUS_MIE);
    trap_disarm();
    csr_write(mie, 0);
    check("MSI taken once", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 0x8000000000000003ULL);
    check("  vector slot", trap_rec.vec, 3);
    csr_write(mtvec, tv);
}

/* The vectored MSI above must clear its source, or it would fire forever. */
static int clear_msip_hook(struct trap_frame *f)
{
    if (f->cause == 0x8000000000000003ULL) {
        MMIO32(CLINT_MSIP) = 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- lower privilege */

static uint64_t do_ecall(uint64_t arg)
{
    __asm__ volatile("lla t0, 1f\n\tsd t0, %0\n1:\tecall" : "=m"(expect_pc) : "r"(arg) : "t0", "a7");
    return arg + 1;
}

static uint64_t do_illegal(uint64_t arg)
{
    __asm__ volatile("lla t0, 1f\n\tsd t0, %0\n1:\t.word " STR(ILLEGAL_INSN) : "=m"(expect_pc) :: "t0");
    return arg;
}

static uint64_t do_ebreak(uint64_t arg)
{
    __asm__ volatile(".option push\n.option norvc\nlla t0, 1f\n\tsd t0, %0\n1:\tebreak\n.option pop"
                     : "=m"(expect_pc) :: "t0");
    return arg;
}

static uint64_t do_mret(uint64_t arg)
{
    __asm__ volatile("mret");
    return arg;
}

static uint64_t do_sret(uint64_t arg)
{
    __asm__ volatile("sret");
    return arg;
}

static uint64_t do_read_mstatus(uint64_t arg)
{
    (void)arg;
    return csr_read(mstatus);
}

static uint64_t do_read_sstatus(uint64_t arg)
{
    (void)arg;
    return csr_read(sstatus);
}

static uint64_t do_read_satp(uint64_t arg)
{
    (void)arg;
    return csr_read(satp);
}

static uint64_t do_sfence(uint64_t arg)
{
    __asm__ volatile("sfence.vma" ::: "memory");
    return arg;
}

static uint64_t do_wfi(uint64_t arg)
{
    __asm__ volatile("wfi");
    return arg;
}

static uint64_t do_rdcycle(uint64_t arg)
{
    (void)arg;
    uint64_t a, b;
    __asm__ volatile("rdcycle %0" : "=r"(a));
    __asm__ volatile("rdinstret %0" : "=r"(b));
    return a + b;
}

static uint64_t do_rdinstret(uint64_t arg)
{
    (void)arg;
    uint64_t b;
    __asm__ volatile("rdinstret %0" : "=r"(b));
    return b;
}

static uint64_t do_nothing(uint64_t arg)
{
    return arg * 3;
}

/* In S-mode: sret to a label in S-mode, then report sstatus as seen there. */
static uint64_t do_sret_to_s(uint64_t arg)
{
    (void)arg;
    uint64_t st;
    __asm__ volatile(
        "li t0, %1\n\tcsrc sstatus, t0\n\t"          /* SIE=0 */
        "li t0, %2\n\tcsrs sstatus, t0\n\t"          /* SPP=S, SPIE=1 */
        "lla t0, 1f\n\tcsrw sepc, t0\n\t"
        "sret\n"
        "1:\tcsrr %0, sstatus\n\t"
        "li t0, %1\n\tcsrc sstatus, t0"
        : "=r"(st) : "i"(MSTATUS_SIE), "i"(MSTATUS_SPP | MSTATUS_SPIE) : "t0", "memory");
    return st;
}

/* In S-mode: sret to U-mode code that makes an ecall (recorded by M) and then exits. */
static uint64_t do_sret_to_u(uint64_t arg)
{
    (void)arg;
    __asm__ volatile(
        "li t0, %0\n\tcsrc sstatus, t0\n\t"          /* SPP=U */
        "lla t0, 1f\n\tcsrw sepc, t0\n\t"
        "sret\n"
        "1:\tecall\n\t"
        "li a0, 77\n\t"
        "li a7, %1\n\t"
        "ecall\n"
        "2:\tj 2b"
        :: "i"(MSTATUS_SPP), "i"(ECALL_EXIT_MAGIC) : "t0", "a0", "a7", "memory");
    return 0;
}

static void lower_privilege(void)
{
    pr("-- ecall from S and U (handled in M)\n");
    trap_arm();
    uint64_t r = RUN_IN_MODE(PRV_S, do_ecall, 41);
    trap_disarm();
    check("S function returned", r, 42);
    check("ecall from S: count", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 9);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    check("  MPP = S", MSTATUS_MPP_GET(trap_rec.status), 1);
    trap_arm();
    r = RUN_IN_MODE(PRV_U, do_ecall, 9);
    trap_disarm();
    check("U function returned", r, 10);
    check("ecall from U: count", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 8);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    check("  MPP = U", MSTATUS_MPP_GET(trap_rec.status), 0);

    pr("-- privileged instructions and CSRs from lower modes\n");
    trap_arm();
    RUN_IN_MODE(PRV_S, do_illegal, 0);
    trap_disarm();
    check("illegal in S: mcause", trap_rec.cause, 2);
    check("  mtval", trap_rec.tval, ILLEGAL_INSN);
    check("  mepc", trap_rec.epc - expect_pc, 0);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_read_mstatus, 0);
    trap_disarm();
    check("csrr mstatus in S traps", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    trap_arm();
    RUN_IN_MODE(PRV_U, do_read_sstatus, 0);
    trap_disarm();
    check("csrr sstatus in U traps", trap_rec.count, 1);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_mret, 0);
    trap_disarm();
    check("mret in S traps", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    check("  mtval", trap_rec.tval, 0x30200073);
    trap_arm();
    RUN_IN_MODE(PRV_U, do_sret, 0);
    trap_disarm();
    check("sret in U traps", trap_rec.count, 1);
    check("  mtval", trap_rec.tval, 0x10200073);
    trap_arm();
    r = RUN_IN_MODE(PRV_S, do_read_sstatus, 0);
    trap_disarm();
    check("csrr sstatus in S: no trap", trap_rec.count, 0);
    check("  sstatus.SPP as seen in S", (r >> 8) & 1, 0);

    pr("-- TSR, TVM, TW\n");
    csr_set(mstatus, MSTATUS_TSR);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_sret, 0);
    trap_disarm();
    csr_clear(mstatus, MSTATUS_TSR);
    check("TSR=1: sret in S traps", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    csr_set(mstatus, MSTATUS_TVM);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_read_satp, 0);
    trap_disarm();
    check("TVM=1: satp access in S traps", trap_rec.count, 1);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_sfence, 0);
    trap_disarm();
    check("TVM=1: sfence.vma in S traps", trap_rec.count, 1);
    csr_clear(mstatus, MSTATUS_TVM);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_read_satp, 0);
    RUN_IN_MODE(PRV_S, do_sfence, 0);
    trap_disarm();
    check("TVM=0: satp and sfence.vma in S: no trap", trap_rec.count, 0);
    csr_set(mstatus, MSTATUS_TW);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_wfi, 0);
    trap_disarm();
    csr_clear(mstatus, MSTATUS_TW);
    check("TW=1: wfi in S traps", trap_rec.count, 1);
    check("  mcause", trap_rec.cause, 2);
    check("  mtval", trap_rec.tval, 0x10500073);

    pr("-- counters\n");
    uint64_t c0, c1, i0, i1;
    __asm__ volatile("rdcycle %0\n\trdinstret %1" : "=r"(c0), "=r"(i0));
    for (volatile int i = 0; i < 100; i++) {
    }
    __asm__ volatile("rdcycle %0\n\trdinstret %1" : "=r"(c1), "=r"(i1));
    check_true("cycle increases", c1 > c0);
    check_true("instret increases", i1 > i0);
    check_true("instret grew by at least 100", i1 - i0 >= 100);
    check_true("mcycle/minstret readable", csr_read(mcycle) != 0 && csr_read(minstret) != 0);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_rdcycle, 0);
    trap_disarm();
    check("mcounteren=0: rdcycle in S traps", trap_rec.count >= 1, 1);
    check("  mcause", trap_rec.cause, 2);
    csr_write(mcounteren, 5);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_rdcycle, 0);
    trap_disarm();
    check("mcounteren=CY|IR: rdcycle/rdinstret in S work", trap_rec.count, 0);
    trap_arm();
    RUN_IN_MODE(PRV_U, do_rdinstret, 0);
    trap_disarm();
    check("scounteren=0: rdinstret in U traps", trap_rec.count, 1);
    csr_write(scounteren, 4);
    trap_arm();
    r = RUN_IN_MODE(PRV_U, do_rdinstret, 0);
    trap_disarm();
    check("scounteren=IR: rdinstret in U works", trap_rec.count, 0);
    check_true("  and is nonzero", r != 0);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
}

static void delegation(void)
{
    pr("-- delegation to S-mode (medeleg)\n");
    csr_write(medeleg, (1 << 8) | (1 << 2) | (1 << 3));
    trap_arm();
    uint64_t r = RUN_IN_MODE(PRV_U, do_ecall, 1);
    trap_disarm();
    check("U returned", r, 2);
    check("ecall from U delegated: handler", trap_rec.mode, 'S');
    check("  scause", trap_rec.cause, 8);
    check("  sepc", trap_rec.epc - expect_pc, 0);
    check("  stval", trap_rec.tval, 0);
    check("  sstatus.SPP = U", (trap_rec.status >> 8) & 1, 0);
    /* The last delegated trap was the exit ecall of mode_exit_trampoline. */
    check("scause CSR afterwards", csr_read(scause), 8);
    check_true("sepc CSR afterwards = the exit ecall",
               csr_read(sepc) - (uint64_t)(uintptr_t)mode_exit_trampoline < 16);

    trap_arm();
    RUN_IN_MODE(PRV_U, do_illegal, 0);
    trap_disarm();
    check("illegal in U delegated: handler", trap_rec.mode, 'S');
    check("  scause", trap_rec.cause, 2);
    check("  stval = instruction", trap_rec.tval, ILLEGAL_INSN);
    check("  sepc", trap_rec.epc - expect_pc, 0);

    trap_arm();
    RUN_IN_MODE(PRV_S, do_ebreak, 0);
    trap_disarm();
    check("ebreak in S delegated: handler", trap_rec.mode, 'S');
    check("  scause", trap_rec.cause, 3);
    check("  sepc", trap_rec.epc - expect_pc, 0);
    check("  sstatus.SPP = S", (trap_rec.status >> 8) & 1, 1);

    trap_arm();
    RUN_IN_MODE(PRV_S, do_ecall, 0);
    trap_disarm();
    check("ecall from S (not delegated): handler", trap_rec.mode, 'M');
    check("  mcause", trap_rec.cause, 9);

    trap_arm();
    __asm__ volatile(".word " STR(ILLEGAL_INSN));
    trap_disarm();
    check("illegal in M is never delegated: handler", trap_rec.mode, 'M');
    check("  mcause", trap_rec.cause, 2);

    /* SIE=1 in S before the trap: SPIE records it, SIE cleared in the handler. */
    csr_set(sstatus, MSTATUS_SIE);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_ebreak, 0);
    trap_disarm();
    csr_clear(sstatus, MSTATUS_SIE);
    check("S trap with SIE=1: SPIE", (trap_rec.status >> 5) & 1, 1);
    check("  SIE in the handler", (trap_rec.status >> 1) & 1, 0);
    csr_write(medeleg, 0);

    /* stvec direct: check what the S handler address is. */
    check("stvec points at the S handler", csr_read(stvec) - (uint64_t)(uintptr_t)s_trap_entry, 0);
}

/* ---------------------------------------------------------------- mret / sret */

static void returns(void)
{
    pr("-- mret within M-mode\n");
    uint64_t st;
    __asm__ volatile(
        "li t0, %1\n\tcsrs mstatus, t0\n\t"          /* MPP=M, MPIE=1 */
        "li t0, %2\n\tcsrc mstatus, t0\n\t"          /* MIE=0 */
        "lla t0, 1f\n\tcsrw mepc, t0\n\t"
        "mret\n"
        "1:\tcsrr %0, mstatus\n\t"
        "li t0, %2\n\tcsrc mstatus, t0"
        : "=r"(st) : "i"(MSTATUS_MPP | MSTATUS_MPIE), "i"(MSTATUS_MIE) : "t0", "memory");
    check("after mret: MIE = old MPIE", (st >> 3) & 1, 1);
    check("  MPIE = 1", (st >> 7) & 1, 1);
    check("  MPP = U (least privileged)", MSTATUS_MPP_GET(st), 0);

    pr("-- mret to S with MPIE=1 and MPIE=0\n");
    csr_set(mstatus, MSTATUS_MPIE);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_ecall, 0);
    trap_disarm();
    check("MPIE=1 -> MIE=1 in S -> at the next trap MPIE", (trap_rec.status >> 7) & 1, 1);
    check("  MPP", MSTATUS_MPP_GET(trap_rec.status), 1);
    csr_clear(mstatus, MSTATUS_MPIE);
    trap_arm();
    RUN_IN_MODE(PRV_S, do_ecall, 0);
    trap_disarm();
    check("MPIE=0 -> MIE=0 in S -> at the next trap MPIE", (trap_rec.status >> 7) & 1, 0);

    pr("-- sret within S-mode and to U-mode\n");
    trap_arm();
    st = RUN_IN_MODE(PRV_S, do_sret_to_s, 0);
    trap_disarm();
    check("sret to S: no trap", trap_rec.count, 0);
    check("  SIE = old SPIE", (st >> 1) & 1, 1);
    check("  SPIE = 1", (st >> 5) & 1, 1);
    check("  SPP = U", (st >> 8) & 1, 0);
    trap_arm();
    uint64_t r = RUN_IN_MODE(PRV_S, do_sret_to_u, 0);
    trap_disarm();
    check("sret to U: came back", r, 77);
    check("  the ecall came from U", trap_rec.cause, 8);

    pr("-- sstatus, sie, sip are views\n");
    csr_set(sstatus, MSTATUS_SIE);
    check("sstatus.SIE writes mstatus.SIE", (csr_read(mstatus) >> 1) & 1, 1);
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(mstatus, MSTATUS_MIE);
    check("mstatus.MIE is not in sstatus", (csr_read(sstatus) >> 3) & 1, 0);
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPP);
    csr_set(mstatus, MSTATUS_MPP);
    check("mstatus.MPP is not in sstatus", (csr_read(sstatus) >> 11) & 3, 0);
    csr_write(mideleg, 0x222);
    csr_write(sie, 0x222);
    check("sie (delegated) writes mie", csr_read(mie) & 0x222, 0x222);
    check("sie reads back", csr_read(sie) & 0x222, 0x222);
    csr_write(mie, 0x8);
    check("mie.MSIE is not in sie", csr_read(sie) & 0x8, 0);
    csr_write(mie, 0);
    csr_write(mideleg, 0);
    csr_write(mie, 0x222);
    check("sie reads 0 for undelegated interrupts", csr_read(sie) & 0x222, 0);
    csr_write(mie, 0);
    csr_write(mideleg, 0x2);
    csr_write(sip, 0x2);
    check("sip.SSIP writable when delegated", csr_read(mip) & 0x2, 0x2);
    csr_write(sip, 0);
    check("sip.SSIP cleared", csr_read(mip) & 0x2, 0);
    csr_write(mideleg, 0);
}

int main(void)
{
    pr("traps: CSRs, privilege levels and traps\n");
    m_trap_hook = clear_msip_hook;
    identification();
    csr_instructions();
    m_exceptions();
    lower_privilege();
    delegation();
    returns();
    check("S function ran", RUN_IN_MODE(PRV_S, do_nothing, 5), 15);
    return finish("traps");
}
