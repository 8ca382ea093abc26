package dev.nucleo.cpu;

/**
 * Expands 16-bit RVC instructions (the C extension as present in RV64GC) into their canonical
 * 32-bit equivalents, so the interpreter decodes a single instruction format.
 *
 * <p>Pure and stateless. HINT encodings expand to instructions with no architectural effect
 * (they write x0 or shift by zero); reserved encodings expand to 0.
 */
public final class CompressedExpander {

    private CompressedExpander() {}

    // 32-bit major opcodes used by the expansions.
    private static final int LOAD = 0x03, LOAD_FP = 0x07, OP_IMM = 0x13, OP_IMM_32 = 0x1B,
            STORE = 0x23, STORE_FP = 0x27, OP = 0x33, LUI = 0x37, OP_32 = 0x3B,
            BRANCH = 0x63, JALR = 0x67, JAL = 0x6F;
    private static final int EBREAK = 0x0010_0073;
    private static final int RA = 1, SP = 2;

    /**
     * Expands a 16-bit RVC instruction (low 16 bits of parcel; bits[1:0] != 0b11) to the
     * equivalent 32-bit instruction, or returns 0 when it is illegal/reserved (the hart then
     * raises illegal-instruction with the original 16 bits as tval).
     */
    public static int expand(int parcel) {
        int p = parcel & 0xFFFF;
        int funct3 = p >>> 13;
        return switch (p & 3) {
            case 0 -> quadrant0(p, funct3);
            case 1 -> quadrant1(p, funct3);
            case 2 -> quadrant2(p, funct3);
            default -> 0; // 0b11 is a 32-bit instruction, not RVC
        };
    }

    /** Quadrant 0: ADDI4SPN and register-based loads/stores with 3-bit register fields. */
    private static int quadrant0(int p, int funct3) {
        int rdRs2 = 8 + bits(p, 4, 2); // rd' for loads, rs2' for stores
        int rs1 = 8 + bits(p, 9, 7);
        int offD = bits(p, 12, 10) << 3 | bits(p, 6, 5) << 6;                  // doubleword scaled
        int offW = bits(p, 12, 10) << 3 | bit(p, 6) << 2 | bit(p, 5) << 6;     // word scaled
        return switch (funct3) {
            case 0 -> { // C.ADDI4SPN; nzuimm == 0 is reserved (this also covers the all-zero parcel)
                int imm = bits(p, 12, 11) << 4 | bits(p, 10, 7) << 6 | bit(p, 6) << 2 | bit(p, 5) << 3;
                yield imm == 0 ? 0 : iType(OP_IMM, 0, rdRs2, SP, imm);
            }
            case 1 -> iType(LOAD_FP, 3, rdRs2, rs1, offD); // C.FLD
            case 2 -> iType(LOAD, 2, rdRs2, rs1, offW);    // C.LW
            case 3 -> iType(LOAD, 3, rdRs2, rs1, offD);    // C.LD (RV64; C.FLW on RV32)
            case 5 -> sType(STORE_FP, 3, rs1, rdRs2, offD); // C.FSD
            case 6 -> sType(STORE, 2, rs1, rdRs2, offW);    // C.SW
            case 7 -> sType(STORE, 3, rs1, rdRs2, offD);    // C.SD (RV64; C.FSW on RV32)
            default -> 0; // funct3 100 is reserved without Zcb
        };
    }

    /** Quadrant 1: immediates, LUI/ADDI16SP, register-register ALU ops, jumps and branches. */
    private static int quadrant1(int p, int funct3) {
        int rd = bits(p, 11, 7);
        int imm6 = signExtend(bit(p, 12) << 5 | bits(p, 6, 2), 6);
        int rdp = 8 + bits(p, 9, 7); // rd'/rs1' of the ALU and branch forms
        return switch (funct3) {
            case 0 -> iType(OP_IMM, 0, rd, rd, imm6); // C.ADDI; rd=0 (C.NOP) and imm=0 are HINTs
            case 1 -> rd == 0 ? 0 : iType(OP_IMM_32, 0, rd, rd, imm6); // C.ADDIW; rd=0 reserved
            case 2 -> iType(OP_IMM, 0, rd, 0, imm6); // C.LI; rd=0 is a HINT
            case 3 -> {
                if (rd == SP) { // C.ADDI16SP; nzimm == 0 reserved
                    int imm = signExtend(bit(p, 12) << 9 | bit(p, 6) << 4 | bit(p, 5) << 6
                            | bits(p, 4, 3) << 7 | bit(p, 2) << 5, 10);
                    yield imm == 0 ? 0 : iType(OP_IMM, 0, SP, SP, imm);
                }
                // C.LUI: nzimm[17:12] sign-extends into the 20-bit U immediate; 0 reserved, rd=0 HINT
                yield imm6 == 0 ? 0 : imm6 << 12 | rd << 7 | LUI;
            }
            case 4 -> aluGroup(p, rdp, imm6);
            case 5 -> { // C.J -> jal x0; offset[11|4|9:8|10|6|7|3:1|5] = inst[12|11|10:9|8|7|6|5:3|2]
                int off = bit(p, 12) << 11 | bit(p, 11) << 4 | bits(p, 10, 9) << 8 | bit(p, 8) << 10
                        | bit(p, 7) << 6 | bit(p, 6) << 7 | bits(p, 5, 3) << 1 | bit(p, 2) << 5;
                yield jType(0, signExtend(off, 12));
            }
            default -> { // C.BEQZ / C.BNEZ; offset[8|4:3] = inst[12:10], offset[7:6|2:1|5] = inst[6:2]
                int off = bit(p, 12) << 8 | bits(p, 11, 10) << 3 | bits(p, 6, 5) << 6
                        | bits(p, 4, 3) << 1 | bit(p, 2) << 5;
                yield bType(funct3 & 1, rdp, 0, signExtend(off, 9)); // funct3 110 -> BEQ, 111 -> BNE
            }
        };
    }

    /** Quadrant 1, funct3 100: SRLI/SRAI/ANDI and the SUB..AND / SUBW/ADDW register group. */
    private static int aluGroup(int p, int rdp, int imm6) {
        int shamt = imm6 & 0x3F; // shamt 0 is a HINT; shift by 0 is harmless
        return switch (bits(p, 11, 10)) {
            case 0 -> iType(OP_IMM, 5, rdp, rdp, shamt);         // C.SRLI
            case 1 -> iType(OP_IMM, 5, rdp, rdp, 0x400 | shamt); // C.SRAI (imm[10] selects arithmetic)
            case 2 -> iType(OP_IMM, 7, rdp, rdp, imm6);          // C.ANDI
            default -> {
                int rs2 = 8 + bits(p, 4, 2);
                int op = bits(p, 6, 5);
                if (bit(p, 12) == 0) {
                    yield switch (op) {
                        case 0 -> rType(OP, 0x20, 0, rdp, rdp, rs2); // C.SUB
                        case 1 -> rType(OP, 0, 4, rdp, rdp, rs2);    // C.XOR
                        case 2 -> rType(OP, 0, 6, rdp, rdp, rs2);    // C.OR
                        default -> rType(OP, 0, 7, rdp, rdp, rs2);   // C.AND
                    };
                }
                yield switch (op) {
                    case 0 -> rType(OP_32, 0x20, 0, rdp, rdp, rs2); // C.SUBW
                    case 1 -> rType(OP_32, 0, 0, rdp, rdp, rs2);    // C.ADDW
                    default -> 0; // reserved on RV64GC (Zcb uses these slots)
                };
            }
        };
    }

    /** Quadrant 2: SLLI, SP-relative loads/stores, JR/MV/EBREAK/JALR/ADD. */
    private static int quadrant2(int p, int funct3) {
        int rd = bits(p, 11, 7); // also rs1 for JR/JALR
        int rs2 = bits(p, 6, 2);
        int offLdsp = bit(p, 12) << 5 | bits(p, 6, 5) << 3 | bits(p, 4, 2) << 6;
        int offSdsp = bits(p, 12, 10) << 3 | bits(p, 9, 7) << 6;
        return switch (funct3) {
            case 0 -> iType(OP_IMM, 1, rd, rd, bit(p, 12) << 5 | rs2); // C.SLLI; rd=0 / shamt=0 HINTs
            case 1 -> iType(LOAD_FP, 3, rd, SP, offLdsp);                // C.FLDSP (f0 is legal)
            case 2 -> rd == 0 ? 0                                        // C.LWSP; rd=0 reserved
                    : iType(LOAD, 2, rd, SP, bit(p, 12) << 5 | bits(p, 6, 4) << 2 | bits(p, 3, 2) << 6);
            case 3 -> rd == 0 ? 0 : iType(LOAD, 3, rd, SP, offLdsp);     // C.LDSP; rd=0 reserved
            case 4 -> {
                if (bit(p, 12) == 0) {
                    if (rs2 == 0) {
                        yield rd == 0 ? 0 : iType(JALR, 0, 0, rd, 0); // C.JR; rs1=0 reserved
                    }
                    yield rType(OP, 0, 0, rd, 0, rs2); // C.MV -> add rd, x0, rs2; rd=0 HINT
                }
                if (rs2 == 0) {
                    yield rd == 0 ? EBREAK : iType(JALR, 0, RA, rd, 0); // C.EBREAK / C.JALR
                }
                yield rType(OP, 0, 0, rd, rd, rs2); // C.ADD; rd=0 HINT
            }
            case 5 -> sType(STORE_FP, 3, SP, rs2, offSdsp); // C.FSDSP
            case 6 -> sType(STORE, 2, SP, rs2, bits(p, 12, 9) << 2 | bits(p, 8, 7) << 6); // C.SWSP
            default -> sType(STORE, 3, SP, rs2, offSdsp);   // C.SDSP
        };
    }

    // ---- field helpers and 32-bit format encoders ----

    private static int bit(int v, int i) {
        return (v >>> i) & 1;
    }

    private static int bits(int v, int hi, int lo) {
        return (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
    }

    private static int signExtend(int v, int width) {
        int shift = 32 - width;
        return (v << shift) >> shift;
    }

    private static int rType(int opcode, int funct7, int funct3, int rd, int rs1, int rs2) {
        return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    private static int iType(int opcode, int funct3, int rd, int rs1, int imm) {
        return (imm & 0xFFF) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    private static int sType(int opcode, int funct3, int rs1, int rs2, int imm) {
        return (imm >> 5 & 0x7F) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1F) << 7 | opcode;
    }

    private static int bType(int funct3, int rs1, int rs2, int imm) {
        return bit(imm, 12) << 31 | bits(imm, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12
                | bits(imm, 4, 1) << 8 | bit(imm, 11) << 7 | BRANCH;
    }

    private static int jType(int rd, int imm) {
        return bit(imm, 20) << 31 | bits(imm, 10, 1) << 21 | bit(imm, 11) << 20 | bits(imm, 19, 12) << 12
                | rd << 7 | JAL;
    }

    /** Every 16-bit parcel expanded once: the interpreter looks compressed instructions up here. */
    private static final int[] EXPANDED = buildTable();

    private static int[] buildTable() {
        int[] table = new int[1 << 16];
        for (int parcel = 0; parcel < table.length; parcel++) {
            table[parcel] = (parcel & 3) == 3 ? 0 : expand(parcel);
        }
        return table;
    }

    /** Same as {@link #expand} through a precomputed table (the hot path of the interpreter). */
    static int lookup(int parcel) {
        return EXPANDED[parcel & 0xffff];
    }
}
