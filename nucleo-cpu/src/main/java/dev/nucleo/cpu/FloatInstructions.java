package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;

/**
 * The F and D instructions: register moves, NaN-boxing, rounding-mode resolution and
 * dispatch to {@link Fpu} for the arithmetic. Single-precision values live NaN-boxed in the
 * 64-bit f registers: a single that is not properly boxed reads as the canonical NaN.
 */
final class FloatInstructions {
    private static final long BOX = 0xffff_ffff_0000_0000L;
    private static final int CANONICAL_NAN_S = 0x7fc0_0000;

    private final Hart hart;
    private final long[] f;
    private final Fpu fpu;

    FloatInstructions(Hart hart) {
        this.hart = hart;
        this.f = hart.f;
        this.fpu = hart.fpu;
    }

    void execute(int inst, int raw) {
        requireEnabled(hart, raw);
        switch (opcode(inst)) {
            case 0x07 -> load(inst, raw);
            case 0x27 -> store(inst, raw);
            case 0x53 -> operation(inst, raw);
            default -> fusedMultiplyAdd(inst, raw);
        }
        hart.csr.markFpDirty();
    }

    private int single(int reg) {
        long v = f[reg];
        return (v & BOX) == BOX ? (int) v : CANONICAL_NAN_S;
    }

    private void setSingle(int reg, int bits) {
        f[reg] = box(bits);
    }

    /** A single as an f register holds it: NaN-boxed (also called by translated flw). */
    static long box(long bits) {
        return BOX | (bits & 0xffff_ffffL);
    }

    /**
     * Any F or D instruction with mstatus.FS off is illegal; raw is its encoding (also called
     * by translated FP loads and stores).
     */
    static void requireEnabled(Hart hart, int raw) {
        if (!hart.csr.fpEnabled()) {
            throw Trap.illegal(raw);
        }
    }

    private void setX(int rd, long value) {
        if (rd != 0) {
            hart.x[rd] = value;
        }
    }

    private int roundingMode(int inst, int raw) {
        int rm = funct3(inst);
        if (rm == 7) {
            rm = hart.csr.frm;
        }
        if (rm > 4) {
            throw Trap.illegal(raw);
        }
        return rm;
    }

    private void load(int inst, int raw) {
        long address = hart.x[rs1(inst)] + immI(inst);
        switch (funct3(inst)) {
            case 2 -> setSingle(rd(inst), (int) hart.mmu.load32(address));
            case 3 -> f[rd(inst)] = hart.mmu.load64(address);
            default -> throw Trap.illegal(raw);
        }
    }

    private void store(int inst, int raw) {
        long address = hart.x[rs1(inst)] + immS(inst);
        switch (funct3(inst)) {
            case 2 -> hart.mmu.store32(address, f[rs2(inst)]);
            case 3 -> hart.mmu.store64(address, f[rs2(inst)]);
            default -> throw Trap.illegal(raw);
        }
    }

    private void fusedMultiplyAdd(int inst, int raw) {
        int format = (inst >>> 25) & 3;
        int rm = roundingMode(inst, raw);
        int op = opcode(inst);
        if (format == 0) {
            int a = single(rs1(inst));
            int b = single(rs2(inst));
            int c = single(rs3(inst));
            setSingle(rd(inst), switch (op) {
                case 0x43 -> fpu.fmaddS(a, b, c, rm);
                case 0x47 -> fpu.fmsubS(a, b, c, rm);
                case 0x4b -> fpu.fnmsubS(a, b, c, rm);
                default -> fpu.fnmaddS(a, b, c, rm);
            });
        } else if (format == 1) {
            long a = f[rs1(inst)];
            long b = f[rs2(inst)];
            long c = f[rs3(inst)];
            f[rd(inst)] = switch (op) {
                case 0x43 -> fpu.fmaddD(a, b, c, rm);
                case 0x47 -> fpu.fmsubD(a, b, c, rm);
                case 0x4b -> fpu.fnmsubD(a, b, c, rm);
                default -> fpu.fnmaddD(a, b, c, rm);
            };
        } else {
            throw Trap.illegal(raw);
        }
    }

    private void operation(int inst, int raw) {
        int funct7 = funct7(inst);
        if ((funct7 & 1) == 0) {
            singleOperation(inst, raw, funct7);
        } else {
            doubleOperation(inst, raw, funct7);
        }
    }

    private void singleOperation(int inst, int raw, int funct7) {
        int rd = rd(inst);
        int rs1 = rs1(inst);
        int rs2 = rs2(inst);
        int funct3 = funct3(inst);
        switch (funct7) {
            case 0x00 -> setSingle(rd, fpu.addS(single(rs1), single(rs2), roundingMode(inst, raw)));
            case 0x04 -> setSingle(rd, fpu.subS(single(rs1), single(rs2), roundingMode(inst, raw)));
            case 0x08 -> setSingle(rd, fpu.mulS(single(rs1), single(rs2), roundingMode(inst, raw)));
            case 0x0c -> setSingle(rd, fpu.divS(single(rs1), single(rs2), roundingMode(inst, raw)));
            case 0x2c -> {
                requireRs2(rs2, 0, raw);
                setSingle(rd, fpu.sqrtS(single(rs1), roundingMode(inst, raw)));
            }
            case 0x10 -> setSingle(rd, signInject32(single(rs1), single(rs2), funct3, raw));
            case 0x14 -> setSingle(rd, switch (funct3) {
                case 0 -> fpu.minS(single(rs1), single(rs2));
                case 1 -> fpu.maxS(single(rs1), single(rs2));
                default -> throw Trap.illegal(raw);
            });
            case 0x20 -> {
                requireRs2(rs2, 1, raw);
                setSingle(rd, fpu.cvtSD(f[rs1], roundingMode(inst, raw)));
            }
            case 0x50 -> setX(rd, switch (funct3) {
                case 0 -> fpu.fleS(single(rs1), single(rs2));
                case 1 -> fpu.fltS(single(rs1), single(rs2));
                case 2 -> fpu.feqS(single(rs1), single(rs2));
                default -> throw Trap.illegal(raw);
            });
            case 0x60 -> {
                int rm = roundingMode(inst, raw);
                int a = single(rs1);
                setX(rd, switch (rs2) {
                    case 0 -> fpu.cvtWS(a, rm);
                    case 1 -> fpu.cvtWuS(a, rm);
                    case 2 -> fpu.cvtLS(a, rm);
                    case 3 -> fpu.cvtLuS(a, rm);
                    default -> throw Trap.illegal(raw);
                });
            }
            case 0x68 -> {
                int rm = roundingMode(inst, raw);
                long a = hart.x[rs1];
                setSingle(rd, switch (rs2) {
                    case 0 -> fpu.cvtSW(a, rm);
                    case 1 -> fpu.cvtSWu(a, rm);
                    case 2 -> fpu.cvtSL(a, rm);
                    case 3 -> fpu.cvtSLu(a, rm);
                    default -> throw Trap.illegal(raw);
                });
            }
            case 0x70 -> {
                requireRs2(rs2, 0, raw);
                setX(rd, switch (funct3) {
                    case 0 -> (int) f[rs1];                               // fmv.x.w: raw low bits
                    case 1 -> Fpu.classS(single(rs1));
                    default -> throw Trap.illegal(raw);
                });
            }
            case 0x78 -> {
                requireRs2(rs2, 0, raw);
                if (funct3 != 0) {
                    throw Trap.illegal(raw);
                }
                setSingle(rd, (int) hart.x[rs1]);
            }
            default -> throw Trap.illegal(raw);
        }
    }

    private void doubleOperation(int inst, int raw, int funct7) {
        int rd = rd(inst);
        int rs1 = rs1(inst);
        int rs2 = rs2(inst);
        int funct3 = funct3(inst);
        switch (funct7) {
            case 0x01 -> f[rd] = fpu.addD(f[rs1], f[rs2], roundingMode(inst, raw));
            case 0x05 -> f[rd] = fpu.subD(f[rs1], f[rs2], roundingMode(inst, raw));
            case 0x09 -> f[rd] = fpu.mulD(f[rs1], f[rs2], roundingMode(inst, raw));
            case 0x0d -> f[rd] = fpu.divD(f[rs1], f[rs2], roundingMode(inst, raw));
            case 0x2d -> {
                requireRs2(rs2, 0, raw);
                f[rd] = fpu.sqrtD(f[rs1], roundingMode(inst, raw));
            }
            case 0x11 -> f[rd] = signInject64(f[rs1], f[rs2], funct3, raw);
            case 0x15 -> f[rd] = switch (funct3) {
                case 0 -> fpu.minD(f[rs1], f[rs2]);
                case 1 -> fpu.maxD(f[rs1], f[rs2]);
                default -> throw Trap.illegal(raw);
            };
            case 0x21 -> {
                requireRs2(rs2, 0, raw);
                roundingMode(inst, raw);                                   // validated though exact
                f[rd] = fpu.cvtDS(single(rs1));
            }
            case 0x51 -> setX(rd, switch (funct3) {
                case 0 -> fpu.fleD(f[rs1], f[rs2]);
                case 1 -> fpu.fltD(f[rs1], f[rs2]);
                case 2 -> fpu.feqD(f[rs1], f[rs2]);
                default -> throw Trap.illegal(raw);
            });
            case 0x61 -> {
                int rm = roundingMode(inst, raw);
                long a = f[rs1];
                setX(rd, switch (rs2) {
                    case 0 -> fpu.cvtWD(a, rm);
                    case 1 -> fpu.cvtWuD(a, rm);
                    case 2 -> fpu.cvtLD(a, rm);
                    case 3 -> fpu.cvtLuD(a, rm);
                    default -> throw Trap.illegal(raw);
                });
            }
            case 0x69 -> {
                int rm = roundingMode(inst, raw);
                long a = hart.x[rs1];
                f[rd] = switch (rs2) {
                    case 0 -> fpu.cvtDW(a, rm);
                    case 1 -> fpu.cvtDWu(a, rm);
                    case 2 -> fpu.cvtDL(a, rm);
                    case 3 -> fpu.cvtDLu(a, rm);
                    default -> throw Trap.illegal(raw);
                };
            }
            case 0x71 -> {
                requireRs2(rs2, 0, raw);
                setX(rd, switch (funct3) {
                    case 0 -> f[rs1];
                    case 1 -> Fpu.classD(f[rs1]);
                    default -> throw Trap.illegal(raw);
                });
            }
            case 0x79 -> {
                requireRs2(rs2, 0, raw);
                if (funct3 != 0) {
                    throw Trap.illegal(raw);
                }
                f[rd] = hart.x[rs1];
            }
            default -> throw Trap.illegal(raw);
        }
    }

    private static void requireRs2(int rs2, int expected, int raw) {
        if (rs2 != expected) {
            throw Trap.illegal(raw);
        }
    }

    private static int signInject32(int a, int b, int funct3, int raw) {
        int magnitude = a & 0x7fff_ffff;
        return switch (funct3) {
            case 0 -> magnitude | (b & 0x8000_0000);
            case 1 -> magnitude | (~b & 0x8000_0000);
            case 2 -> a ^ (b & 0x8000_0000);
            default -> throw Trap.illegal(raw);
        };
    }

    private static long signInject64(long a, long b, int funct3, int raw) {
        long magnitude = a & Long.MAX_VALUE;
        return switch (funct3) {
            case 0 -> magnitude | (b & Long.MIN_VALUE);
            case 1 -> magnitude | (~b & Long.MIN_VALUE);
            case 2 -> a ^ (b & Long.MIN_VALUE);
            default -> throw Trap.illegal(raw);
        };
    }
}
