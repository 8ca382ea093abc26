package dev.nucleo.cpu;

import static dev.nucleo.cpu.Csr.*;

/**
 * The control and status registers of one hart, with each register's WARL rules and the
 * privilege checks of CSR instructions. State that other parts need on every instruction
 * (privilege, mstatus, satp) lives here and is read by the hart directly.
 */
final class CsrFile {
    private static final long DELEGABLE_EXCEPTIONS = 0xb3ffL;   // all but ecall-from-M and reserved
    private static final long DELEGABLE_INTERRUPTS = 0x222L;    // SSI, STI, SEI
    private static final long MIE_WRITABLE = 0xaaaL;
    private static final long MIP_WRITABLE = 0x222L;            // SSIP, STIP, SEIP (software part)
    private static final int PMP_ENTRIES = 16;
    /** menvcfg.STCE: stimecmp is enabled and drives STIP (Sstc). */
    static final long STCE_BIT = 1L << 63;
    private static final long MENVCFG_FIOM = 1;
    private static final long STIP_BIT = 1L << Interrupts.STIP;
    private static final long MCOUNTEREN_TM = 1L << 1;

    private final Hart hart;
    private final long hartId;

    int privilege = Mmu.PRIV_M;
    long mstatus = UXL_SXL_64;
    long medeleg;
    long mideleg;
    long mie;
    long mipSoftware;          // SSIP, STIP and the software-written SEIP
    long mtvec;
    long mcounteren;
    long menvcfg;
    long mcountinhibit;
    long mscratch;
    long mepc;
    long mcause;
    long mtval;
    long stvec;
    long scounteren;
    long senvcfg;
    long sscratch;
    long sepc;
    long scause;
    long stval;
    long satp;
    long stimecmp = -1;        // all ones: no supervisor timer interrupt until programmed
    /**
     * Which mip bits come from the software-written register and which from the interrupt
     * lines: with menvcfg.STCE set, STIP is the stimecmp comparator's line and not writable.
     */
    long mipSoftwareMask = -1;
    long mipLineMask = ~STIP_BIT;
    int frm;
    final long[] pmpcfg = new long[2];
    final long[] pmpaddr = new long[PMP_ENTRIES];

    CsrFile(Hart hart, long hartId) {
        this.hart = hart;
        this.hartId = hartId;
    }

    long hartId() {
        return hartId;
    }

    boolean fpEnabled() {
        return (mstatus & FS_MASK) != 0;
    }

    void markFpDirty() {
        mstatus |= FS_MASK;
    }

    /** Reads a CSR on behalf of a CSR instruction, with its privilege check. */
    long read(int csr, int instruction) {
        checkAccess(csr, false, instruction);
        return switch (csr) {
            case FFLAGS -> fpCsr(instruction, hart.fpu.flags);
            case FRM -> fpCsr(instruction, frm);
            case FCSR -> fpCsr(instruction, (frm << 5) | hart.fpu.flags);
            case CYCLE, INSTRET -> counter(csr, instruction, hart.instret);
            case TIME -> counter(csr, instruction, hart.time.mtime());
            case SSTATUS -> sstatus();
            case SIE -> mie & mideleg;
            case STVEC -> stvec;
            case SCOUNTEREN -> scounteren;
            case SENVCFG -> senvcfg;
            case SSCRATCH -> sscratch;
            case SEPC -> sepc;
            case SCAUSE -> scause;
            case STVAL -> stval;
            case SIP -> hart.pendingInterrupts() & mideleg;
            case STIMECMP -> stimecmp;
            case SATP -> satp;
            case MVENDORID, MARCHID, MIMPID, MCONFIGPTR -> 0;
            case MHARTID -> hartId;
            case MSTATUS -> mstatusWithSd();
            case MISA -> MISA_VALUE;
            case MEDELEG -> medeleg;
            case MIDELEG -> mideleg;
            case MIE -> mie;
            case MTVEC -> mtvec;
            case MCOUNTEREN -> mcounteren;
            case MENVCFG -> menvcfg;
            case MCOUNTINHIBIT -> mcountinhibit;
            case MSCRATCH -> mscratch;
            case MEPC -> mepc;
            case MCAUSE -> mcause;
            case MTVAL -> mtval;
            case MIP -> hart.pendingInterrupts();
            case MCYCLE, MINSTRET -> hart.instret;
            default -> readOther(csr, instruction);
        };
    }

    private long readOther(int csr, int instruction) {
        if (csr >= HPMCOUNTER3 && csr <= HPMCOUNTER31) {
            return counter(csr, instruction, 0);
        }
        if ((csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31) || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
            return 0;
        }
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            int index = csr - PMPCFG0;
            if ((index & 1) != 0) {
                throw Trap.illegal(instruction);    // odd pmpcfg registers do not exist on RV64
            }
            return index / 2 < pmpcfg.length ? pmpcfg[index / 2] : 0;
        }
        if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int index = csr - PMPADDR0;
            return index < PMP_ENTRIES ? pmpaddr[index] : 0;
        }
        throw Trap.illegal(instruction);
    }

    /**
     * The value a set/clear CSR instruction modifies. Reads of mip show SEIP as the OR of
     * the software bit and the PLIC's line, but only the software bit may be written back:
     * otherwise firmware setting STIP or SSIP would latch a passing external interrupt forever.
     */
    long valueForUpdate(int csr, long readValue) {
        if (csr == MIP) {
            long seip = 1L << Interrupts.SEIP;
            return (readValue & ~seip) | (mipSoftware & seip);
        }
        return readValue;
    }

    /** Writes a CSR on behalf of a CSR instruction (after {@link #read} checked access). */
    void write(int csr, long value, int instruction) {
        checkAccess(csr, true, instruction);
        switch (csr) {
            case FFLAGS -> {
                hart.fpu.flags = (int) value & 0x1f;
                markFpDirty();
            }
            case FRM -> {
                frm = (int) value & 7;
                markFpDirty();
            }
            case FCSR -> {
                hart.fpu.flags = (int) value & 0x1f;
                frm = (int) (value >>> 5) & 7;
                markFpDirty();
            }
            case SSTATUS -> writeMstatus((mstatus & ~SSTATUS_WRITABLE) | (value & SSTATUS_WRITABLE));
            case SIE -> mie = (mie & ~mideleg) | (value & mideleg & MIE_WRITABLE);
            case STVEC -> stvec = legalTvec(value);
            case SCOUNTEREN -> scounteren = value & 0xffff_ffffL;
            case SENVCFG -> senvcfg = value & 1;
            case SSCRATCH -> sscratch = value;
            case SEPC -> sepc = value & ~1L;
            case SCAUSE -> scause = value;
            case STVAL -> stval = value;
            case SIP -> {
                long mask = mideleg & (1L << Interrupts.SSIP);
                mipSoftware = (mipSoftware & ~mask) | (value & mask);
            }
            case STIMECMP -> {
                stimecmp = value;
                hart.supervisorCompareChanged();
            }
            case SATP -> writeSatp(value);
            case MSTATUS -> writeMstatus((mstatus & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE));
            case MISA, MCYCLE, MINSTRET -> {
                // misa is fixed; counters are derived from the retired-instruction count
            }
            case MEDELEG -> medeleg = value & DELEGABLE_EXCEPTIONS;
            case MIDELEG -> mideleg = value & DELEGABLE_INTERRUPTS;
            case MIE -> mie = value & MIE_WRITABLE;
            case MTVEC -> mtvec = legalTvec(value);
            case MCOUNTEREN -> mcounteren = value & 0xffff_ffffL;
            case MENVCFG -> {
                menvcfg = value & (hart.hasSstc() ? MENVCFG_FIOM | STCE_BIT : MENVCFG_FIOM);
                updateInterruptSources();
            }
            case MCOUNTINHIBIT -> mcountinhibit = value & 0xffff_fffdL;
            case MSCRATCH -> mscratch = value;
            case MEPC -> mepc = value & ~1L;
            case MCAUSE -> mcause = value;
            case MTVAL -> mtval = value;
            case MIP -> mipSoftware = (mipSoftware & ~MIP_WRITABLE) | (value & MIP_WRITABLE);
            default -> writeOther(csr, value);
        }
        hart.stateChanged();
    }

    private void writeOther(int csr, long value) {
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            int index = (csr - PMPCFG0) / 2;
            if (index < pmpcfg.length) {
                pmpcfg[index] = keepLockedPmpBytes(pmpcfg[index], value);
            }
        } else if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int index = csr - PMPADDR0;
            if (index < PMP_ENTRIES && !pmpLocked(index)) {
                pmpaddr[index] = value & ((1L << 54) - 1);
            }
        }
        // hpm counters and events are read-only zero
    }

    /** Takes STIP from the stimecmp comparator when menvcfg.STCE is set, else from software. */
    void updateInterruptSources() {
        boolean fromTimer = (menvcfg & STCE_BIT) != 0;
        mipSoftwareMask = fromTimer ? ~STIP_BIT : -1;
        mipLineMask = fromTimer ? -1 : ~STIP_BIT;
    }

    /** PMP is recorded for firmware that configures it; accesses are not checked against it. */
    private static long keepLockedPmpBytes(long old, long value) {
        long result = 0;
        for (int i = 0; i < 8; i++) {
            long oldByte = (old >>> (8 * i)) & 0xff;
            long newByte = (value >>> (8 * i)) & 0xff;
            if ((newByte & 0x60) != 0) {
                newByte &= ~0x60L;             // reserved bits read as zero
            }
            if ((newByte & 3) == 2) {
                newByte &= ~3L;                // R=0,W=1 is reserved: make it no access
            }
            result |= ((oldByte & 0x80) != 0 ? oldByte : newByte) << (8 * i);
        }
        return result;
    }

    private boolean pmpLocked(int index) {
        long cfg = (pmpcfg[index / 8] >>> (8 * (index % 8))) & 0xff;
        return (cfg & 0x80) != 0;
    }

    private void writeMstatus(long value) {
        long mpp = (value & MPP_MASK) >>> MPP_SHIFT;
        if (mpp == 2) {
            value &= ~MPP_MASK;                // reserved privilege: fall back to U
        }
        mstatus = (value & ~(SD_BIT | (0xfL << 32))) | UXL_SXL_64;
    }

    private void writeSatp(long value) {
        long mode = value >>> 60;
        if (mode != 0 && mode != 8 && mode != 9) {
            return;                            // unsupported mode: the write has no effect
        }
        satp = value & ~(0xffffL << 44);       // no ASIDs: the ASID field reads as zero
    }

    private static long legalTvec(long value) {
        return (value & 3) >= 2 ? value & ~3L : value;
    }

    long sstatus() {
        return mstatusWithSd() & SSTATUS_VISIBLE;
    }

    long mstatusWithSd() {
        return (mstatus & FS_MASK) == FS_MASK ? mstatus | SD_BIT : mstatus;
    }

    private long fpCsr(int instruction, long value) {
        if (!fpEnabled()) {
            throw Trap.illegal(instruction);
        }
        return value;
    }

    /** cycle/time/instret and hpmcounters in S and U mode are gated by m/scounteren. */
    private long counter(int csr, int instruction, long value) {
        long bit = 1L << (csr - CYCLE);
        if (privilege < Mmu.PRIV_M && (mcounteren & bit) == 0) {
            throw Trap.illegal(instruction);
        }
        if (privilege == Mmu.PRIV_U && (scounteren & bit) == 0) {
            throw Trap.illegal(instruction);
        }
        return value;
    }

    private void checkAccess(int csr, boolean write, int instruction) {
        int required = (csr >>> 8) & 3;
        if (privilege < required || (write && (csr >>> 10) == 3)) {
            throw Trap.illegal(instruction);
        }
        if (csr == SATP && privilege == Mmu.PRIV_S && (mstatus & TVM_BIT) != 0) {
            throw Trap.illegal(instruction);
        }
        if (csr == STIMECMP && (!hart.hasSstc() || privilege < Mmu.PRIV_M
                && ((menvcfg & STCE_BIT) == 0 || (mcounteren & MCOUNTEREN_TM) == 0))) {
            throw Trap.illegal(instruction);   // Sstc: S-mode needs menvcfg.STCE and mcounteren.TM
        }
        if (write && (csr == FFLAGS || csr == FRM || csr == FCSR) && !fpEnabled()) {
            throw Trap.illegal(instruction);
        }
    }
}
