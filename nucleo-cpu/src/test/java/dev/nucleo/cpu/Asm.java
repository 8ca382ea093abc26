package dev.nucleo.cpu;

import java.util.ArrayList;
import java.util.List;

/** A tiny RV64 assembler for tests: 32-bit encodings appended in order, labels by index. */
final class Asm {
    private final List<Integer> words = new ArrayList<>();

    /** Byte offset of the next instruction. */
    int here() {
        return words.size() * 4;
    }

    Asm emit(int word) {
        words.add(word);
        return this;
    }

    int[] words() {
        return words.stream().mapToInt(Integer::intValue).toArray();
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

    static int b(int offset, int rs2, int rs1, int funct3) {
        return ((offset >> 12) & 1) << 31 | ((offset >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12
                | ((offset >> 1) & 0xf) << 8 | ((offset >> 11) & 1) << 7 | 0x63;
    }

    static int jal(int rd, int offset) {
        return ((offset >> 20) & 1) << 31 | ((offset >> 1) & 0x3ff) << 21 | ((offset >> 11) & 1) << 20
                | ((offset >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }

    static int addi(int rd, int rs1, int imm) {
        return i(imm, rs1, 0, rd, 0x13);
    }

    static int lui(int rd, int upper20) {
        return upper20 << 12 | rd << 7 | 0x37;
    }

    static int auipc(int rd, int upper20) {
        return upper20 << 12 | rd << 7 | 0x17;
    }

    static int csrrw(int rd, int csr, int rs1) {
        return i(csr, rs1, 1, rd, 0x73);
    }

    static int csrrs(int rd, int csr, int rs1) {
        return i(csr, rs1, 2, rd, 0x73);
    }

    /** An A-extension instruction: funct5 (lr 2, sc 3, amoadd 0, ...), funct3 2 (.w) or 3 (.d). */
    static int amo(int funct5, int rs2, int rs1, int funct3, int rd) {
        return funct5 << 27 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x2f;
    }

    static final int FENCE = 0x0ff0000f;
    static final int MRET = 0x30200073;
    static final int WFI = 0x10500073;
    static final int FENCE_I = 0x0000100f;
}
