package dev.nucleo.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The small integer program the hart benchmarks run, as little-endian machine code: an endless
 * loop of 14 instructions (ALU ops, a store and a load, two compressed adds, the jump back)
 * with a running checksum in a0, so neither engine can skip work.
 */
final class Program {
    /** Instructions executed per trip round the loop. */
    static final int LOOP_INSTRUCTIONS = 14;

    static final int SP = 2;
    static final int A0 = 10;
    private static final int T0 = 5, T1 = 6, T2 = 7, A1 = 11, T3 = 28, T4 = 29, T5 = 30, T6 = 31;

    private Program() {
    }

    /** The code; the caller points sp at 8 bytes of scratch RAM (the load and store go there). */
    static byte[] code() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        int loop = 0;
        b.putInt(addi(T0, T0, 1));                  // t0++
        b.putInt(r(0, T0, T2, 4, T2, 0x33));        // t2 ^= t0
        b.putInt(i(3, T0, 1, T3, 0x13));            // t3 = t0 << 3
        b.putInt(r(0, T3, T1, 0, T1, 0x33));        // t1 += t3
        b.putInt(r(0x20, T2, T1, 0, T1, 0x33));     // t1 -= t2
        b.putInt(i(255, T1, 7, T4, 0x13));          // t4 = t1 & 255
        b.putInt(s(0, T1, SP, 3));                  // sd t1, 0(sp)
        b.putInt(i(0, SP, 3, T5, 0x03));            // ld t5, 0(sp)
        b.putInt(r(0, T4, T0, 3, T6, 0x33));        // t6 = t4 <u t0
        b.putInt(r(0, T6, A0, 0, A0, 0x33));        // a0 += t6
        b.putShort((short) 0x0585);                 // c.addi a1, 1
        b.putShort((short) 0x0585);                 // c.addi a1, 1
        b.putInt(r(0, T5, A0, 4, A0, 0x33));        // a0 ^= t5
        b.putInt(jal(0, loop - b.position()));      // j loop
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /**
     * A ring of small blocks for the dispatch benchmarks: block k adds k to a0, folds a0 into
     * t1 and branches to block k+1 over one unused instruction (so the branch's two ways lead
     * to different pcs); the last block branches back to the first.
     */
    static byte[] blockRing(int blocks) {
        ByteBuffer b = ByteBuffer.allocate(16 * blocks).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < blocks; k++) {
            b.putInt(addi(A0, A0, k + 1));                          // a0 += k + 1
            b.putInt(r(0, A0, T1, 4, T1, 0x33));                    // t1 ^= a0
            if (k < blocks - 1) {
                b.putInt(branch(8, 0, A0, 1));                      // bne a0, zero, next block
                b.putInt(addi(T2, T2, 1));                          // (only if a0 is 0)
            } else {
                b.putInt(branch(-b.position(), 0, 0, 0));           // beq zero, zero, first block
                b.putInt(addi(T2, T2, 1));
            }
        }
        return b.array();
    }

    /** Instructions per trip round {@link #blockRing} (while a0 stays non-zero). */
    static int blockRingInstructions(int blocks) {
        return 3 * blocks;
    }

    static int branch(int offset, int rs2, int rs1, int funct3) {
        return ((offset >> 12) & 1) << 31 | ((offset >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15
                | funct3 << 12 | ((offset >> 1) & 0xf) << 8 | ((offset >> 11) & 1) << 7 | 0x63;
    }

    static int r(int funct7, int rs2, int rs1, int funct3, int rd, int opcode) {
        return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    static int i(int imm, int rs1, int funct3, int rd, int opcode) {
        return (imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    static int s(int imm, int rs2, int rs1, int funct3) {
        return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1f) << 7 | 0x23;
    }

    static int addi(int rd, int rs1, int imm) {
        return i(imm, rs1, 0, rd, 0x13);
    }

    static int jal(int rd, int offset) {
        return ((offset >> 20) & 1) << 31 | ((offset >> 1) & 0x3ff) << 21 | ((offset >> 11) & 1) << 20
                | ((offset >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }
}
