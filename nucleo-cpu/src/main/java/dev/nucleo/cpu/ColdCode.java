package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;

import jdk.internal.misc.Unsafe;

/**
 * A block's instructions decoded once more for the interpreter that runs the block while it
 * is cold (its first thousand runs or so): each instruction becomes one operation number with
 * its registers and a precomputed operand (an immediate, a branch's target, auipc's result), so
 * running it is one table jump and no field extraction. {@link Hart#execute} decodes every
 * field on every run through two or three nested switches; a boot's cold blocks run about
 * 90 million instructions that way.
 *
 * <p>The M extension's operations whose RISC-V results differ from Java's (division by zero,
 * mulhsu) come from {@link TranslatedOps}, as in compiled blocks; {@code Hart.execute} keeps its
 * own, so the lockstep tests still compare two implementations.
 *
 * <p>Control is explicit: an instruction either goes on to the next one of the block or
 * leaves it (a branch taken, a jalr, the end). The hart's pc and instret are written only
 * where the block is left, before an instruction the {@link Hart} carries out itself, and
 * when a {@link Trap} comes out of an instruction (then they name that instruction, as the
 * interpreter's would).
 */
final class ColdCode {
    // Operation numbers: dense from 0, so the switch in run() compiles to one table jump.
    private static final int NOP = 0;           // no effect: an integer op writing x0
    private static final int BY_HART = 1;       // left to Hart.execute (atomics, fences, F loads and stores)
    private static final int CONSTANT = 2;      // lui, auipc, li: rd = operand
    private static final int JAL = 3;           // rd = operand (the link); the block goes on at its target
    private static final int JALR = 4;
    private static final int BEQ = 5, BNE = 6, BLT = 7, BGE = 8, BLTU = 9, BGEU = 10;
    private static final int LB = 11, LH = 12, LW = 13, LD = 14, LBU = 15, LHU = 16, LWU = 17;
    private static final int SB = 18, SH = 19, SW = 20, SD = 21;
    private static final int ADDI = 22, SLTI = 23, SLTIU = 24, XORI = 25, ORI = 26, ANDI = 27;
    private static final int SLLI = 28, SRLI = 29, SRAI = 30;
    private static final int ADDIW = 31, SLLIW = 32, SRLIW = 33, SRAIW = 34;
    private static final int ADD = 35, SUB = 36, SLL = 37, SLT = 38, SLTU = 39, XOR = 40, SRL = 41, SRA = 42;
    private static final int OR = 43, AND = 44;
    private static final int MUL = 45, MULH = 46, MULHSU = 47, MULHU = 48, DIV = 49, DIVU = 50, REM = 51, REMU = 52;
    private static final int ADDW = 53, SUBW = 54, SLLW = 55, SRLW = 56, SRAW = 57;
    private static final int MULW = 58, DIVW = 59, DIVUW = 60, REMW = 61, REMUW = 62;
    private static final int MV = 63;           // addi rd, rs1, 0
    /** Bytes each load (LB..LWU) and store (SB..SD) accesses. */
    private static final int[] LOAD_SIZE = {1, 2, 4, 8, 1, 2, 4};
    private static final int[] STORE_SIZE = {1, 2, 4, 8};
    private static final Unsafe UNSAFE = HotMemory.unsafe();

    private ColdCode() {
    }

    /**
     * Decodes a block's instructions (the 32-bit forms; only what {@link BlockDecoder#translatable}
     * accepts) into one array, so a cold run touches one object beside the block: for
     * instruction i, [2i] its operation | rd << 8 | rs1 << 13 | rs2 << 18 and [2i + 1] its
     * operand (an immediate, a branch's target, a constant or a link value); then the pc after
     * the last instruction if control reaches the end (its jal's target, or the next pc), and
     * the pc after the last instruction in memory (a final jalr's link value).
     */
    static long[] decode(int[] instructions, byte[] lengths, long[] pcs) {
        int n = instructions.length;
        long[] code = new long[2 * n + 2];
        for (int i = 0; i < n; i++) {
            int inst = instructions[i];
            long pc = pcs[i];
            long link = pc + lengths[i];
            int op = operation(inst);
            long operand = switch (op) {
                case CONSTANT -> opcode(inst) == 0x37 ? immU(inst) : opcode(inst) == 0x17 ? pc + immU(inst) : immI(inst);
                case JAL -> link;
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> pc + immB(inst);
                case SB, SH, SW, SD -> immS(inst);
                case SLLI, SRLI, SRAI -> immI(inst) & 63;
                case SLLIW, SRLIW, SRAIW -> rs2(inst);
                default -> immI(inst);
            };
            if (rd(inst) == 0 && writesOnlyRd(op)) {
                op = NOP;
            }
            code[2 * i] = op | rd(inst) << 8 | rs1(inst) << 13 | rs2(inst) << 18;
            code[2 * i + 1] = operand;
        }
        if (n > 0) {
            int last = n - 1;
            long endPc = pcs[last] + lengths[last];
            code[2 * n] = opcode(instructions[last]) == 0x6f ? pcs[last] + immJ(instructions[last]) : endPc;
            code[2 * n + 1] = endPc;
        }
        return code;
    }

    /** Whether an operation's only effect is its write of rd (so with rd = x0 it does nothing). */
    private static boolean writesOnlyRd(int op) {
        return op == CONSTANT || op == MV || (op >= ADDI && op <= REMUW);
    }

    private static int operation(int inst) {
        int funct3 = funct3(inst);
        int funct7 = funct7(inst);
        return switch (opcode(inst)) {
            case 0x37, 0x17 -> CONSTANT;
            case 0x6f -> JAL;
            case 0x67 -> JALR;
            case 0x63 -> BEQ + switch (funct3) {
                case 0 -> 0;
                case 1 -> 1;
                default -> funct3 - 2;                      // 4..7: blt, bge, bltu, bgeu
            };
            case 0x03 -> LB + funct3;
            case 0x23 -> SB + funct3;
            case 0x13 -> switch (funct3) {
                case 0 -> rs1(inst) == 0 ? CONSTANT : immI(inst) == 0 ? MV : ADDI;
                case 1 -> SLLI;
                case 2 -> SLTI;
                case 3 -> SLTIU;
                case 4 -> XORI;
                case 5 -> (inst >>> 26) == 0 ? SRLI : SRAI;
                case 6 -> ORI;
                default -> ANDI;
            };
            case 0x1b -> switch (funct3) {
                case 0 -> ADDIW;
                case 1 -> SLLIW;
                default -> funct7 == 0 ? SRLIW : SRAIW;
            };
            case 0x33 -> funct7 == 0x01 ? MUL + funct3
                    : funct7 == 0x20 ? (funct3 == 0 ? SUB : SRA)
                    : switch (funct3) {
                        case 0 -> ADD;
                        case 1 -> SLL;
                        case 2 -> SLT;
                        case 3 -> SLTU;
                        case 4 -> XOR;
                        case 5 -> SRL;
                        case 6 -> OR;
                        default -> AND;
                    };
            case 0x3b -> funct7 == 0x01 ? switch (funct3) {
                case 0 -> MULW;
                case 4 -> DIVW;
                case 5 -> DIVUW;
                case 6 -> REMW;
                default -> REMUW;
            } : funct7 == 0x20 ? (funct3 == 0 ? SUBW : SRAW)
                    : switch (funct3) {
                        case 0 -> ADDW;
                        case 1 -> SLLW;
                        default -> SRLW;
                    };
            default -> BY_HART;
        };
    }

    /**
     * Runs the block from its first instruction until control leaves it or a store changes its
     * code; leaves hart.pc and hart.instret as the interpreter would; returns the instructions run.
     * The instructions that need no call run in {@link #runWithoutCalls}; the others (a load or
     * store the fast TLB misses, an instruction handed to the hart) one at a time in
     * {@link #runWithCalls}.
     */
    static int run(Hart hart, Block block) {
        long[] code = block.cold;
        int n = code.length / 2 - 1;
        long before = hart.instret;
        int i = 0;
        try {
            while (true) {
                int stop = runWithoutCalls(hart, code, n, i, before);
                if (stop < 0) {
                    return -stop;                   // control left the block
                }
                i = stop;
                if (i == n) {
                    break;
                }
                int left = runWithCalls(hart, block, code, i, before);
                if (left > 0) {
                    return left;
                }
                i++;
            }
        } catch (Trap t) {
            hart.pc = block.pcs[i];                 // the instruction that trapped, not retired
            hart.instret = before + i;
            throw t;
        }
        hart.pc = code[2 * n];
        hart.instret = before + n;
        return n;
    }

    /**
     * Runs the block's instructions from i on as long as none needs a call: integer operations,
     * branches, jumps, and loads and stores that hit the MMU's fast TLB ({@link HotMemory}'s test
     * and RAM access, as in hot blocks; a store entry never
     * names a page holding translated code, so no such store can change this block). Returns
     * the index of the first instruction left to {@link #runWithCalls} (n: the block's end),
     * or, if control left the block, minus the instructions run, with hart.pc and instret set.
     *
     * <p>Kept apart from the calls on purpose: HotSpot's compiled code keeps no value in a
     * register across a call, and with the calls in the same loop C2 spilled and reloaded this
     * loop's state at every instruction. It is too large for C2 to inline into {@link #run}.
     */
    private static int runWithoutCalls(Hart hart, long[] code, int n, int i, long before) {
        long[] x = hart.x;
        Mmu mmu = hart.mmu;
        long[] readTag = mmu.readTag;
        long[] readOffset = mmu.readOffset;
        long[] writeTag = mmu.writeTag;
        long[] writeOffset = mmu.writeOffset;
        long context = mmu.dataContext;
        long ram = mmu.ramAddress();
        for (; i < n; i++) {
            int word = (int) code[2 * i];
            long operand = code[2 * i + 1];
            int rd = (word >>> 8) & 31;
            int rs1 = (word >>> 13) & 31;
            int rs2 = (word >>> 18) & 31;
            int op = word & 0xff;
            if (op >= LB && op <= SD) {
                long va = x[rs1] + operand;
                if (op <= LWU) {
                    if (!HotMemory.hit(readTag, va, LOAD_SIZE[op - LB], context)) {
                        return i;
                    }
                    long address = ram + HotMemory.offset(readOffset, va);
                    long value = switch (op) {
                        case LB -> UNSAFE.getByte(null, address);
                        case LH -> UNSAFE.getShortUnaligned(null, address);
                        case LW -> UNSAFE.getIntUnaligned(null, address);
                        case LD -> UNSAFE.getLongUnaligned(null, address);
                        case LBU -> UNSAFE.getByte(null, address) & 0xffL;
                        case LHU -> UNSAFE.getShortUnaligned(null, address) & 0xffffL;
                        default -> UNSAFE.getIntUnaligned(null, address) & 0xffff_ffffL;
                    };
                    load(x, rd, value);
                } else {
                    if (!HotMemory.hit(writeTag, va, STORE_SIZE[op - SB], context)) {
                        return i;
                    }
                    long address = ram + HotMemory.offset(writeOffset, va);
                    long value = x[rs2];
                    switch (op) {
                        case SB -> UNSAFE.putByte(null, address, (byte) value);
                        case SH -> UNSAFE.putShortUnaligned(null, address, (short) value);
                        case SW -> UNSAFE.putIntUnaligned(null, address, (int) value);
                        default -> UNSAFE.putLongUnaligned(null, address, value);
                    }
                }
                continue;
            }
            switch (op) {
                case NOP -> { }
                case BY_HART -> {
                    return i;
                }
                case CONSTANT -> x[rd] = operand;
                case JAL -> {
                    if (rd != 0) {
                        x[rd] = operand;
                    }
                }
                case JALR -> {
                    long target = (x[rs1] + operand) & ~1L;
                    if (rd != 0) {
                        x[rd] = code[2 * n + 1];
                    }
                    return -leave(hart, before, i, target);
                }
                case BEQ -> {
                    if (x[rs1] == x[rs2]) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case BNE -> {
                    if (x[rs1] != x[rs2]) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case BLT -> {
                    if (x[rs1] < x[rs2]) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case BGE -> {
                    if (x[rs1] >= x[rs2]) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case BLTU -> {
                    if (Long.compareUnsigned(x[rs1], x[rs2]) < 0) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case BGEU -> {
                    if (Long.compareUnsigned(x[rs1], x[rs2]) >= 0) {
                        return -leave(hart, before, i, operand);
                    }
                }
                case MV -> x[rd] = x[rs1];
                case ADDI -> x[rd] = x[rs1] + operand;
                case SLTI -> x[rd] = x[rs1] < operand ? 1 : 0;
                case SLTIU -> x[rd] = Long.compareUnsigned(x[rs1], operand) < 0 ? 1 : 0;
                case XORI -> x[rd] = x[rs1] ^ operand;
                case ORI -> x[rd] = x[rs1] | operand;
                case ANDI -> x[rd] = x[rs1] & operand;
                case SLLI -> x[rd] = x[rs1] << operand;
                case SRLI -> x[rd] = x[rs1] >>> operand;
                case SRAI -> x[rd] = x[rs1] >> operand;
                case ADDIW -> x[rd] = (int) (x[rs1] + operand);
                case SLLIW -> x[rd] = (int) x[rs1] << operand;
                case SRLIW -> x[rd] = (int) x[rs1] >>> operand;
                case SRAIW -> x[rd] = (int) x[rs1] >> operand;
                case ADD -> x[rd] = x[rs1] + x[rs2];
                case SUB -> x[rd] = x[rs1] - x[rs2];
                case SLL -> x[rd] = x[rs1] << x[rs2];
                case SLT -> x[rd] = x[rs1] < x[rs2] ? 1 : 0;
                case SLTU -> x[rd] = Long.compareUnsigned(x[rs1], x[rs2]) < 0 ? 1 : 0;
                case XOR -> x[rd] = x[rs1] ^ x[rs2];
                case SRL -> x[rd] = x[rs1] >>> x[rs2];
                case SRA -> x[rd] = x[rs1] >> x[rs2];
                case OR -> x[rd] = x[rs1] | x[rs2];
                case AND -> x[rd] = x[rs1] & x[rs2];
                case MUL -> x[rd] = x[rs1] * x[rs2];
                case MULH -> x[rd] = Math.multiplyHigh(x[rs1], x[rs2]);
                case MULHSU -> x[rd] = TranslatedOps.mulhsu(x[rs1], x[rs2]);
                case MULHU -> x[rd] = Math.unsignedMultiplyHigh(x[rs1], x[rs2]);
                case DIV -> x[rd] = TranslatedOps.div(x[rs1], x[rs2]);
                case DIVU -> x[rd] = TranslatedOps.divu(x[rs1], x[rs2]);
                case REM -> x[rd] = TranslatedOps.rem(x[rs1], x[rs2]);
                case REMU -> x[rd] = TranslatedOps.remu(x[rs1], x[rs2]);
                case ADDW -> x[rd] = (int) x[rs1] + (int) x[rs2];
                case SUBW -> x[rd] = (int) x[rs1] - (int) x[rs2];
                case SLLW -> x[rd] = (int) x[rs1] << x[rs2];
                case SRLW -> x[rd] = (int) x[rs1] >>> x[rs2];
                case SRAW -> x[rd] = (int) x[rs1] >> x[rs2];
                case MULW -> x[rd] = (int) x[rs1] * (int) x[rs2];
                case DIVW -> x[rd] = TranslatedOps.divw(x[rs1], x[rs2]);
                case DIVUW -> x[rd] = TranslatedOps.divuw(x[rs1], x[rs2]);
                case REMW -> x[rd] = TranslatedOps.remw(x[rs1], x[rs2]);
                case REMUW -> x[rd] = TranslatedOps.remuw(x[rs1], x[rs2]);
                default -> throw new IllegalStateException("operation " + op);
            }
        }
        return n;
    }

    /**
     * Runs instruction i, which {@link #runWithoutCalls} left: a load or store through the MMU's
     * full path (which may trap, or find that the store wrote this block's code), or an
     * instruction handed to the hart. Returns 0 to go on with the block, else the instructions
     * run when control leaves it (hart.pc and instret then set).
     */
    private static int runWithCalls(Hart hart, Block block, long[] code, int i, long before) {
        long[] x = hart.x;
        Mmu mmu = hart.mmu;
        int word = (int) code[2 * i];
        long operand = code[2 * i + 1];
        int rd = (word >>> 8) & 31;
        int rs1 = (word >>> 13) & 31;
        int rs2 = (word >>> 18) & 31;
        switch (word & 0xff) {
            case BY_HART -> {
                hart.pc = block.pcs[i];
                hart.instret = before + i;
                int inst = block.instructions[i];
                hart.executeDecoded(inst, block.lengths[i] == 4 ? inst : block.encoding(i, block.pcs[i]),
                        block.lengths[i]);
                if (!block.valid) {
                    return leave(hart, before, i, hart.pc);
                }
            }
            case LB -> load(x, rd, mmu.load8(x[rs1] + operand));
            case LH -> load(x, rd, mmu.load16(x[rs1] + operand));
            case LW -> load(x, rd, mmu.load32(x[rs1] + operand));
            case LD -> load(x, rd, mmu.load64(x[rs1] + operand));
            case LBU -> load(x, rd, mmu.load8(x[rs1] + operand) & 0xffL);
            case LHU -> load(x, rd, mmu.load16(x[rs1] + operand) & 0xffffL);
            case LWU -> load(x, rd, mmu.load32(x[rs1] + operand) & 0xffff_ffffL);
            case SB, SH, SW, SD -> {
                long address = x[rs1] + operand;
                long value = x[rs2];
                switch (word & 0xff) {
                    case SB -> mmu.store8(address, value);
                    case SH -> mmu.store16(address, value);
                    case SW -> mmu.store32(address, value);
                    default -> mmu.store64(address, value);
                }
                if (!block.valid) {                 // it wrote this block's code
                    return leave(hart, before, i, block.pcs[i] + block.lengths[i]);
                }
            }
            default -> throw new IllegalStateException("operation " + (word & 0xff) + " needs no call");
        }
        return 0;
    }

    /** Control leaves the block after instruction i, for target. */
    private static int leave(Hart hart, long before, int i, long target) {
        hart.pc = target;
        hart.instret = before + i + 1;
        return i + 1;
    }

    private static void load(long[] x, int rd, long value) {
        if (rd != 0) {
            x[rd] = value;
        }
    }
}
