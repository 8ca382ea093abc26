package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One RISC-V RV64GC hart: registers, the interpreter loop, traps and interrupts.
 *
 * <p>Instructions are executed straight from their encoding: {@link Decode} extracts fields,
 * {@link #execute} carries them out, compressed instructions are first expanded to their
 * 32-bit form. Memory goes through the {@link Mmu}, CSRs through the {@link CsrFile}, F/D
 * arithmetic through {@link Fpu}. A synchronous exception is a {@link Trap} thrown from
 * wherever it arises; the loop catches it and enters the handler with the faulting pc.
 *
 * <p>Interrupt lines are raised by devices on other threads; the loop looks at them between
 * blocks of instructions and whenever the hart's own state changes.
 */
public final class Hart {
    private static final int BLOCK = 512;
    /**
     * Longest sleep in WFI. Every wake-up source (interrupt lines, pause, stop) unparks the hart,
     * so this is only a safety net; an idle guest wakes the host for its timer ticks alone.
     */
    private static final long WFI_MAX_SLEEP_NANOS = 1_000_000_000;

    /**
     * Zihintpause's {@code pause}, a fence that orders nothing (pred w, succ none): the hint a
     * spin loop gives while it waits for another hart, Linux's {@code cpu_relax()}.
     */
    static final int PAUSE = 0x0100000f;

    final long[] x = new long[32];
    final long[] f = new long[32];
    long pc;
    long instret;
    long trapsTaken;                     // exceptions and interrupts entered (for Lockstep)
    private long spinWaits;              // pauses of the guest's spin loops (spinWait)
    final Fpu fpu = new Fpu();
    final CsrFile csr;
    final Mmu mmu;
    final TimeSource time;
    private SupervisorTimer supervisorTimer;   // null: no Sstc (stimecmp does not exist)
    private final FloatInstructions floats;

    private final AtomicLong lines = new AtomicLong();
    private volatile boolean stopRequested;
    private volatile Thread runner;
    private boolean blockInterrupted;
    private Translator translator;      // null: the interpreter runs everything
    private RunGovernor governor;       // null: runs whenever the host schedules the thread
    boolean waitingForInterrupt;        // package-private for HartState
    // Translated blocks: how many more may run chained in this dispatch, and which ran last
    // (left by which exit).
    int chainBudget;
    ChainedBlock lastBlock;
    int lastExit;
    /** The compiled blocks the dispatcher found last, by pc (see {@link ChainedBlock#next}), or null: off. */
    JumpCache jumpCache = JumpCache.ENABLED ? new JumpCache() : null;
    /** The code this hart's VM has promoted: its own until {@link #sharePromotedCode} joins it to others. */
    PromotedCode promotedCode = new PromotedCode();
    private String crashReason;
    private final HartPause pause = new HartPause();   // Vm.pause(): park between blocks

    public Hart(int hartId, MemorySegment ram, long ramBase, PhysicalBus bus, TimeSource time) {
        this.csr = new CsrFile(this, hartId);
        this.mmu = new Mmu(ram, ramBase, bus);
        this.time = time;
        this.floats = new FloatInstructions(this);
        stateChanged();
    }

    // ---------------------------------------------------------------- control from the host

    public void setPc(long pc) {
        this.pc = pc;
    }

    public long pc() {
        return pc;
    }

    public void setRegister(int index, long value) {
        if (index != 0) {
            x[index] = value;
        }
    }

    public long register(int index) {
        return x[index];
    }

    public int privilege() {
        return csr.privilege;
    }

    public long instructionsRetired() {
        return instret;
    }

    /**
     * Gives the hart the Sstc extension: its stimecmp CSR programs {@code timer}, which drives
     * the STIP line. Call before {@link #run}; without it, stimecmp is an illegal CSR.
     */
    public void connectSupervisorTimer(SupervisorTimer timer) {
        this.supervisorTimer = timer;
        supervisorCompareChanged();
    }

    boolean hasSstc() {
        return supervisorTimer != null;
    }

    /** stimecmp changed (a CSR write or a restored snapshot): re-arm the comparator. */
    void supervisorCompareChanged() {
        if (supervisorTimer != null) {
            supervisorTimer.setSupervisorCompare((int) csr.hartId(), csr.stimecmp);
        }
    }

    /**
     * Lets the harts of one VM (same RAM) know the code any of them promoted to hot, so each
     * promotes it after a short count of its own; call before they run.
     */
    public static void sharePromotedCode(Hart... harts) {
        PromotedCode shared = new PromotedCode();
        for (Hart hart : harts) {
            hart.promotedCode = shared;
        }
    }

    /** Chooses how this hart runs guest code; call before {@link #run}, from the hart's thread. */
    public void setEngine(Engine engine) {
        if (engine == Engine.TRANSLATOR && translator == null) {
            translator = new Translator(this, mmu);
        } else if (engine == Engine.INTERPRETER && translator != null) {
            translator = null;
            mmu.trackCodeWrites(null);
        }
    }

    /**
     * With the translator: compile each block on its n-th execution, on the hart's own thread
     * rather than in the background (for tests: 1 runs nearly everything compiled, at once).
     */
    public void compileSynchronously(int executions) {
        if (translator == null) {
            throw new IllegalStateException("the hart does not use the translator");
        }
        translator.compileSynchronously(executions);
    }

    /** Turns the jump cache off (tests of the links it would otherwise stand in for). */
    void withoutJumpCache() {
        jumpCache = null;
    }

    /** For tests: compile only blocks that reach the threshold within withinNanos by this clock (0: all). */
    void compileOnlyWithin(long withinNanos, LongSupplier clock) {
        translator.compileOnlyWithin(withinNanos, clock);
    }

    /** For tests: compile a warm block hot on its n-th run (0: every block hot at once). */
    void promoteAfter(int runs) {
        translator.promoteAfter(runs);
    }

    /** For tests: a warm block asks to be promoted every earlyRuns runs, and is when compilersHaveRoom says so. */
    void promoteEarly(int earlyRuns, BooleanSupplier compilersHaveRoom) {
        translator.promoteEarly(earlyRuns, compilersHaveRoom);
    }

    /** For tests: how many translated blocks are compiled hot and usable now. */
    int hotBlocks() {
        return translator == null ? 0 : translator.hotBlocks();
    }

    /** For tests: how many blocks' code is inside the code of hot regions, other than their first block's. */
    int blocksInlinedInHotRegions() {
        return translator == null ? 0 : translator.blocksInlinedInHotRegions();
    }

    /** For tests: count this hart's instructions by tier from now on (the hart must use the translator). */
    TierStats collectTierStats() {
        if (translator == null) {
            throw new IllegalStateException("the hart does not use the translator");
        }
        return translator.collectStats();
    }

    /** For tests and tools: how many translated blocks are compiled and usable now. */
    public int compiledBlocks() {
        return translator == null ? 0 : translator.compiledBlocks();
    }

    public Engine engine() {
        return translator != null ? Engine.TRANSLATOR : Engine.INTERPRETER;
    }

    /** Lets {@code governor} decide when the hart runs (null: always); call before {@link #run}. */
    public void setGovernor(RunGovernor governor) {
        this.governor = governor;
    }

    /** Whether {@link #requestStop} was called (for a governor that makes the hart wait). */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Whether the hart sleeps in WFI (for tests and tools). */
    public boolean waitingForInterrupt() {
        return waitingForInterrupt;
    }

    /**
     * Takes a pending interrupt, then runs one unit of the hart's engine: a translated (or
     * cold) block, or one instruction. Returns how many instructions retired (for tests and
     * tools, such as running two engines in lockstep).
     */
    public long stepBlock() {
        long before = instret;
        if (crashReason != null) {
            return 0;
        }
        takePendingInterrupt();
        if (waitingForInterrupt) {
            return 0;
        }
        try {
            if (translator != null) {
                translator.runNext();
            } else {
                executeOne();
            }
        } catch (Trap t) {
            takeTrap(t.cause, t.tval, false);
        }
        return instret - before;
    }

    /** Drives an interrupt input (mip bit); thread-safe, wakes the hart from WFI. */
    public void setInterruptLine(int mipBit, boolean level) {
        long bit = 1L << mipBit;
        long old = level ? lines.getAndUpdate(v -> v | bit) : lines.getAndUpdate(v -> v & ~bit);
        if (level && (old & bit) == 0) {
            Thread t = runner;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** This hart's registers, CSRs and LR reservation, for snapshots (see {@link HartState}). */
    public dev.nucleo.state.Snapshottable state() {
        return new HartState(this);
    }

    /** Asks the hart to park at the next block boundary (or in WFI); thread-safe, idempotent. */
    public void requestPause() {
        pause.request();
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Waits until the hart is parked or not running at all; true if so before the timeout.
     * Call after {@link #requestPause}.
     */
    public boolean awaitPaused(long timeoutNanos) throws InterruptedException {
        return pause.awaitParked(() -> runner == null, timeoutNanos);
    }

    /** Lets a paused hart go on; thread-safe, idempotent. */
    public void resumeFromPause() {
        pause.release();
    }

    /** Makes {@link #run} return soon; thread-safe. */
    public void requestStop() {
        stopRequested = true;
        pause.wake();
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Why the hart gave up, when the guest can make no progress; null otherwise. */
    public String crashReason() {
        return crashReason;
    }

    /** Runs on the calling thread until {@link #requestStop} or until the guest locks up. */
    public void run() {
        runner = Thread.currentThread();
        try {
            while (!stopRequested && crashReason == null) {
                if (pause.requested()) {
                    if (governor != null) {
                        governor.idle();    // a paused hart holds no run slot
                    }
                    pause.park(() -> stopRequested);
                    continue;
                }
                takePendingInterrupt();
                if (waitingForInterrupt) {
                    if (governor != null) {
                        governor.idle();
                    }
                    sleepUntilInterrupt();
                } else if (governor != null && !governor.checkpoint()) {
                    continue; // stopped while waiting for its turn
                } else if (translator != null) {
                    runTranslatedBlock();
                } else {
                    runBlock();
                }
            }
        } finally {
            if (governor != null) {
                governor.idle();
            }
            if (translator != null) {
                translator.writeStats("hart " + csr.hartId());
            }
            runner = null;
            pause.wake();                   // a pauser waiting for this hart sees it is not running
        }
    }

    /** Executes up to n instructions (for tests and tools); returns how many retired. */
    public long step(long n) {
        long before = instret;
        for (long i = 0; i < n && crashReason == null; i++) {
            takePendingInterrupt();
            if (waitingForInterrupt) {
                break;
            }
            try {
                executeOne();
            } catch (Trap t) {
                takeTrap(t.cause, t.tval, false);
            }
        }
        return instret - before;
    }

    private void runBlock() {
        blockInterrupted = false;
        try {
            for (int i = 0; i < BLOCK && !blockInterrupted; i++) {
                executeOne();
            }
        } catch (Trap t) {
            takeTrap(t.cause, t.tval, false);
        }
    }

    /** A warm translated block ran often enough to be compiled again as a hot one. */
    void promote(ChainedBlock block) {
        translator.promote(block);
    }

    /** Like runBlock, but a unit is a whole translated block (the budget counts instructions). */
    private void runTranslatedBlock() {
        blockInterrupted = false;
        Translator translator = this.translator;
        try {
            for (int budget = BLOCK; budget > 0 && !blockInterrupted; ) {
                budget -= translator.runNext();
            }
        } catch (Trap t) {
            takeTrap(t.cause, t.tval, false);
        }
    }

    private void sleepUntilInterrupt() {
        if ((pendingInterrupts() & csr.mie) != 0) {
            waitingForInterrupt = false;
            return;
        }
        LockSupport.parkNanos(this, WFI_MAX_SLEEP_NANOS);
    }

    // ---------------------------------------------------------------- interrupts and traps

    long pendingInterrupts() {
        return (csr.mipSoftware & csr.mipSoftwareMask) | (lines.get() & csr.mipLineMask);
    }

    private void takePendingInterrupt() {
        long pending = pendingInterrupts() & csr.mie;
        if (pending == 0) {
            return;
        }
        waitingForInterrupt = false;        // any pending-and-enabled interrupt ends WFI
        int privilege = csr.privilege;
        long machine = pending & ~csr.mideleg;
        boolean machineEnabled = privilege < Mmu.PRIV_M || (csr.mstatus & Csr.MIE_BIT) != 0;
        if (machine != 0 && machineEnabled) {
            takeTrap(highestPriority(machine), 0, true);
            return;
        }
        long supervisor = pending & csr.mideleg;
        boolean supervisorEnabled = privilege < Mmu.PRIV_S
                || (privilege == Mmu.PRIV_S && (csr.mstatus & Csr.SIE_BIT) != 0);
        if (supervisor != 0 && supervisorEnabled) {
            takeTrap(highestPriority(supervisor), 0, true);
        }
    }

    private static final int[] INTERRUPT_PRIORITY = {
        Interrupts.MEIP, Interrupts.MSIP, Interrupts.MTIP, Interrupts.SEIP, Interrupts.SSIP, Interrupts.STIP
    };

    private static int highestPriority(long pending) {
        for (int bit : INTERRUPT_PRIORITY) {
            if ((pending & (1L << bit)) != 0) {
                return bit;
            }
        }
        return Long.numberOfTrailingZeros(pending);
    }

    private void takeTrap(int cause, long tval, boolean interrupt) {
        trapsTaken++;
        int from = csr.privilege;
        long delegation = interrupt ? csr.mideleg : csr.medeleg;
        boolean toSupervisor = from <= Mmu.PRIV_S && ((delegation >>> cause) & 1) != 0;
        long causeValue = interrupt ? (1L << 63) | cause : cause;
        long faultingPc = pc;
        long status = csr.mstatus;
        if (toSupervisor) {
            csr.scause = causeValue;
            csr.sepc = pc;
            csr.stval = tval;
            status = (status & ~Csr.SPP_BIT) | (from == Mmu.PRIV_S ? Csr.SPP_BIT : 0);
            status = (status & ~Csr.SPIE_BIT) | ((status & Csr.SIE_BIT) != 0 ? Csr.SPIE_BIT : 0);
            status &= ~Csr.SIE_BIT;
            csr.privilege = Mmu.PRIV_S;
            pc = vector(csr.stvec, cause, interrupt);
        } else {
            csr.mcause = causeValue;
            csr.mepc = pc;
            csr.mtval = tval;
            status = (status & ~Csr.MPP_MASK) | ((long) from << Csr.MPP_SHIFT);
            status = (status & ~Csr.MPIE_BIT) | ((status & Csr.MIE_BIT) != 0 ? Csr.MPIE_BIT : 0);
            status &= ~Csr.MIE_BIT;
            csr.privilege = Mmu.PRIV_M;
            pc = vector(csr.mtvec, cause, interrupt);
        }
        csr.mstatus = status;
        stateChanged();
        if (!interrupt && pc == faultingPc && from == csr.privilege) {
            // The handler's first instruction raised this very trap: the hart would trap
            // there forever without retiring anything.
            crashReason = String.format("%s at 0x%x, which is the %s-mode trap handler itself (%s = 0x%x)",
                    Trap.describe(cause), faultingPc, from == Mmu.PRIV_M ? "M" : "S",
                    toSupervisor ? "stvec" : "mtvec", toSupervisor ? csr.stvec : csr.mtvec);
        }
    }

    private static long vector(long tvec, int cause, boolean interrupt) {
        long base = tvec & ~3L;
        return interrupt && (tvec & 3) == 1 ? base + 4L * cause : base;
    }

    /** Privilege, mstatus, satp or interrupt enables changed: refresh the MMU, re-check interrupts. */
    void stateChanged() {
        long status = csr.mstatus;
        int privilege = csr.privilege;
        int dataPrivilege = privilege == Mmu.PRIV_M && (status & Csr.MPRV_BIT) != 0
                ? (int) ((status & Csr.MPP_MASK) >>> Csr.MPP_SHIFT) : privilege;
        mmu.configure(csr.satp, privilege, dataPrivilege, (status & Csr.SUM_BIT) != 0,
                (status & Csr.MXR_BIT) != 0);
        blockInterrupted = true;
    }

    // ---------------------------------------------------------------- the interpreter

    void executeOne() {
        int parcel = mmu.fetch(pc);
        if ((parcel & 3) == 3) {
            execute(parcel, parcel, 4);
        } else {
            int half = parcel & 0xffff;
            int expanded = CompressedExpander.lookup(half);
            if (expanded == 0) {
                throw Trap.illegal(half);
            }
            execute(expanded, half, 2);
        }
        instret++;
    }

    /**
     * Like executeOne for an instruction the translator already fetched and decoded at pc:
     * inst is its 32-bit form, raw its encoding (16 bits if compressed), for traps.
     */
    void executeDecoded(int inst, int raw, int length) {
        execute(inst, raw, length);
        instret++;
    }

    /** Executes one instruction; raw is its original encoding (16 bits if compressed) for traps. */
    private void execute(int inst, int raw, int length) {
        long[] x = this.x;
        long next = pc + length;
        int rd = rd(inst);
        switch (opcode(inst)) {
            case 0x37 -> setX(rd, immU(inst));                                   // lui
            case 0x17 -> setX(rd, pc + immU(inst));                              // auipc
            case 0x6f -> {                                                       // jal
                setX(rd, next);
                next = pc + immJ(inst);
            }
            case 0x67 -> {                                                       // jalr
                if (funct3(inst) != 0) {
                    throw Trap.illegal(raw);
                }
                long target = (x[rs1(inst)] + immI(inst)) & ~1L;
                setX(rd, next);
                next = target;
            }
            case 0x63 -> {
                if (branchTaken(inst, raw)) {
                    next = pc + immB(inst);
                }
            }
            case 0x03 -> setX(rd, load(inst, raw, x[rs1(inst)] + immI(inst)));
            case 0x23 -> store(inst, raw, x[rs1(inst)] + immS(inst), x[rs2(inst)]);
            case 0x13 -> setX(rd, opImm(inst, raw, x[rs1(inst)]));
            case 0x1b -> setX(rd, opImm32(inst, raw, x[rs1(inst)]));
            case 0x33 -> setX(rd, op(inst, raw, x[rs1(inst)], x[rs2(inst)]));
            case 0x3b -> setX(rd, op32(inst, raw, x[rs1(inst)], x[rs2(inst)]));
            case 0x0f -> {
                // fence orders this hart's accesses for the other harts; fence.i also tells
                // the translator (if any) that code in RAM may have changed
                if (funct3(inst) > 1) {
                    throw Trap.illegal(raw);
                }
                if (funct3(inst) == 1 && translator != null) {
                    translator.codeMayHaveChanged();
                }
                if (inst == PAUSE) {
                    spinWait();
                } else {
                    VarHandle.fullFence();
                }
            }
            case 0x2f -> setX(rd, atomic(inst, raw));
            case 0x73 -> next = system(inst, raw, next);
            case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53 -> floats.execute(inst, raw);
            default -> throw Trap.illegal(raw);
        }
        pc = next;
    }

    /**
     * A spin loop's pause: the guest is waiting (for a lock another hart holds, or for time to
     * pass), so this thread offers its host core to another that can use it, the lock's holder
     * perhaps or a compiler, as a CPU's pause-loop exit lets a hypervisor run another vCPU.
     * Called by translated code too.
     */
    void spinWait() {
        spinWaits++;
        Thread.yield();
    }

    /** How many times the guest's spin loops paused on this hart ({@link #spinWait}). */
    long spinWaits() {
        return spinWaits;
    }

    private void setX(int rd, long value) {
        if (rd != 0) {
            x[rd] = value;
        }
    }

    private boolean branchTaken(int inst, int raw) {
        long a = x[rs1(inst)];
        long b = x[rs2(inst)];
        return switch (funct3(inst)) {
            case 0 -> a == b;
            case 1 -> a != b;
            case 4 -> a < b;
            case 5 -> a >= b;
            case 6 -> Long.compareUnsigned(a, b) < 0;
            case 7 -> Long.compareUnsigned(a, b) >= 0;
            default -> throw Trap.illegal(raw);
        };
    }

    private long load(int inst, int raw, long address) {
        return switch (funct3(inst)) {
            case 0 -> mmu.load8(address);
            case 1 -> mmu.load16(address);
            case 2 -> mmu.load32(address);
            case 3 -> mmu.load64(address);
            case 4 -> mmu.load8(address) & 0xffL;
            case 5 -> mmu.load16(address) & 0xffffL;
            case 6 -> mmu.load32(address) & 0xffff_ffffL;
            default -> throw Trap.illegal(raw);
        };
    }

    private void store(int inst, int raw, long address, long value) {
        switch (funct3(inst)) {
            case 0 -> mmu.store8(address, value);
            case 1 -> mmu.store16(address, value);
            case 2 -> mmu.store32(address, value);
            case 3 -> mmu.store64(address, value);
            default -> throw Trap.illegal(raw);
        }
    }

    private static long opImm(int inst, int raw, long a) {
        long imm = immI(inst);
        return switch (funct3(inst)) {
            case 0 -> a + imm;
            case 1 -> {
                if ((inst >>> 26) != 0) {
                    throw Trap.illegal(raw);
                }
                yield a << (imm & 63);
            }
            case 2 -> a < imm ? 1 : 0;
            case 3 -> Long.compareUnsigned(a, imm) < 0 ? 1 : 0;
            case 4 -> a ^ imm;
            case 5 -> switch (inst >>> 26) {
                case 0x00 -> a >>> (imm & 63);
                case 0x10 -> a >> (imm & 63);
                default -> throw Trap.illegal(raw);
            };
            case 6 -> a | imm;
            default -> a & imm;
        };
    }

    private static long opImm32(int inst, int raw, long a) {
        int shamt = rs2(inst);
        int value = (int) a;
        return switch (funct3(inst)) {
            case 0 -> (int) (a + immI(inst));
            case 1 -> {
                if (funct7(inst) != 0) {
                    throw Trap.illegal(raw);
                }
                yield value << shamt;
            }
            case 5 -> switch (funct7(inst)) {
                case 0x00 -> value >>> shamt;
                case 0x20 -> value >> shamt;
                default -> throw Trap.illegal(raw);
            };
            default -> throw Trap.illegal(raw);
        };
    }

    private static long op(int inst, int raw, long a, long b) {
        int funct7 = funct7(inst);
        int funct3 = funct3(inst);
        if (funct7 == 0x01) {
            return multiplyDivide(funct3, a, b);
        }
        if (funct7 == 0x20) {
            return switch (funct3) {
                case 0 -> a - b;
                case 5 -> a >> (b & 63);
                default -> throw Trap.illegal(raw);
            };
        }
        if (funct7 != 0) {
            throw Trap.illegal(raw);
        }
        return switch (funct3) {
            case 0 -> a + b;
            case 1 -> a << (b & 63);
            case 2 -> a < b ? 1 : 0;
            case 3 -> Long.compareUnsigned(a, b) < 0 ? 1 : 0;
            case 4 -> a ^ b;
            case 5 -> a >>> (b & 63);
            case 6 -> a | b;
            default -> a & b;
        };
    }

    private static long multiplyDivide(int funct3, long a, long b) {
        return switch (funct3) {
            case 0 -> a * b;
            case 1 -> Math.multiplyHigh(a, b);
            case 2 -> Math.multiplyHigh(a, b) + (b < 0 ? a : 0);          // mulhsu: b unsigned
            case 3 -> Math.unsignedMultiplyHigh(a, b);
            case 4 -> b == 0 ? -1 : a / b;                                 // MIN / -1 == MIN in Java too
            case 5 -> b == 0 ? -1 : Long.divideUnsigned(a, b);
            case 6 -> b == 0 ? a : a % b;
            default -> b == 0 ? a : Long.remainderUnsigned(a, b);
        };
    }

    private static long op32(int inst, int raw, long a, long b) {
        int funct7 = funct7(inst);
        int funct3 = funct3(inst);
        int x = (int) a;
        int y = (int) b;
        if (funct7 == 0x01) {
            return switch (funct3) {
                case 0 -> x * y;
                case 4 -> y == 0 ? -1 : x / y;
                case 5 -> y == 0 ? -1 : Integer.divideUnsigned(x, y);
                case 6 -> y == 0 ? x : x % y;
                case 7 -> y == 0 ? x : Integer.remainderUnsigned(x, y);
                default -> throw Trap.illegal(raw);
            };
        }
        if (funct7 == 0x20) {
            return switch (funct3) {
                case 0 -> x - y;
                case 5 -> x >> (y & 31);
                default -> throw Trap.illegal(raw);
            };
        }
        if (funct7 != 0) {
            throw Trap.illegal(raw);
        }
        return switch (funct3) {
            case 0 -> x + y;
            case 1 -> x << (y & 31);
            case 5 -> x >>> (y & 31);
            default -> throw Trap.illegal(raw);
        };
    }

    private long atomic(int inst, int raw) {
        int size = switch (funct3(inst)) {
            case 2 -> 4;
            case 3 -> 8;
            default -> throw Trap.illegal(raw);
        };
        long address = x[rs1(inst)];
        long value = x[rs2(inst)];
        int funct5 = inst >>> 27;
        return switch (funct5) {
            case 0x02 -> {
                if (rs2(inst) != 0) {
                    throw Trap.illegal(raw);
                }
                yield mmu.loadReserved(address, size);
            }
            case 0x03 -> mmu.storeConditional(address, size, value);
            case 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c -> mmu.amo(address, size, funct5, value);
            default -> throw Trap.illegal(raw);
        };
    }

    // ---------------------------------------------------------------- SYSTEM

    private long system(int inst, int raw, long next) {
        int funct3 = funct3(inst);
        if (funct3 == 0) {
            return privileged(inst, raw, next);
        }
        if (funct3 == 4) {
            throw Trap.illegal(raw);
        }
        int number = inst >>> 20;
        int source = rs1(inst);
        int rd = rd(inst);
        long operand = funct3 >= 5 ? source : x[source];
        long old;
        switch (funct3 & 3) {
            case 1 -> {                                                   // csrrw, csrrwi
                old = rd != 0 ? csr.read(number, raw) : 0;
                csr.write(number, operand, raw);
            }
            case 2 -> {                                                   // csrrs, csrrsi
                old = csr.read(number, raw);
                if (source != 0) {
                    csr.write(number, csr.valueForUpdate(number, old) | operand, raw);
                }
            }
            default -> {                                                  // csrrc, csrrci
                old = csr.read(number, raw);
                if (source != 0) {
                    csr.write(number, csr.valueForUpdate(number, old) & ~operand, raw);
                }
            }
        }
        setX(rd, old);
        return next;
    }

    private long privileged(int inst, int raw, long next) {
        int privilege = csr.privilege;
        if (funct7(inst) == 0x09 && rd(inst) == 0) {                     // sfence.vma
            if (privilege == Mmu.PRIV_U || (privilege == Mmu.PRIV_S && (csr.mstatus & Csr.TVM_BIT) != 0)) {
                throw Trap.illegal(raw);
            }
            if (rs1(inst) == 0) {
                mmu.flush();
            } else {
                mmu.flushPage(x[rs1(inst)]);    // an ASID in rs2 changes nothing: no ASIDs are kept
            }
            return next;
        }
        switch (inst) {
            case 0x00000073 -> throw new Trap(Trap.ECALL_FROM_U + privilege, 0);
            case 0x00100073 -> throw new Trap(Trap.BREAKPOINT, pc);
            case 0x30200073 -> {
                if (privilege != Mmu.PRIV_M) {
                    throw Trap.illegal(raw);
                }
                return returnFromMachine();
            }
            case 0x10200073 -> {
                if (privilege == Mmu.PRIV_U
                        || (privilege == Mmu.PRIV_S && (csr.mstatus & Csr.TSR_BIT) != 0)) {
                    throw Trap.illegal(raw);
                }
                return returnFromSupervisor();
            }
            case 0x10500073 -> {
                if (privilege == Mmu.PRIV_U
                        || (privilege == Mmu.PRIV_S && (csr.mstatus & Csr.TW_BIT) != 0)) {
                    throw Trap.illegal(raw);
                }
                waitingForInterrupt = true;
                blockInterrupted = true;
                return next;
            }
            default -> throw Trap.illegal(raw);
        }
    }

    private long returnFromMachine() {
        long status = csr.mstatus;
        int target = (int) ((status & Csr.MPP_MASK) >>> Csr.MPP_SHIFT);
        status = (status & ~Csr.MIE_BIT) | ((status & Csr.MPIE_BIT) != 0 ? Csr.MIE_BIT : 0);
        status |= Csr.MPIE_BIT;
        status &= ~Csr.MPP_MASK;
        if (target != Mmu.PRIV_M) {
            status &= ~Csr.MPRV_BIT;
        }
        csr.mstatus = status;
        csr.privilege = target;
        stateChanged();
        return csr.mepc;
    }

    private long returnFromSupervisor() {
        long status = csr.mstatus;
        int target = (status & Csr.SPP_BIT) != 0 ? Mmu.PRIV_S : Mmu.PRIV_U;
        status = (status & ~Csr.SIE_BIT) | ((status & Csr.SPIE_BIT) != 0 ? Csr.SIE_BIT : 0);
        status |= Csr.SPIE_BIT;
        status &= ~Csr.SPP_BIT;
        status &= ~Csr.MPRV_BIT;
        csr.mstatus = status;
        csr.privilege = target;
        stateChanged();
        return csr.sepc;
    }
}
