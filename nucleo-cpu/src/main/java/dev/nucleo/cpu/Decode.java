package dev.nucleo.cpu;

/** Field and immediate extraction from 32-bit RISC-V instruction words (unprivileged spec 2.3). */
final class Decode {
    private Decode() {
    }

    static int opcode(int inst) {
        return inst & 0x7f;
    }

    static int rd(int inst) {
        return (inst >>> 7) & 31;
    }

    static int rs1(int inst) {
        return (inst >>> 15) & 31;
    }

    static int rs2(int inst) {
        return (inst >>> 20) & 31;
    }

    static int rs3(int inst) {
        return inst >>> 27;
    }

    static int funct3(int inst) {
        return (inst >>> 12) & 7;
    }

    static int funct7(int inst) {
        return inst >>> 25;
    }

    static long immI(int inst) {
        return inst >> 20;
    }

    static long immS(int inst) {
        return ((inst >> 25) << 5) | ((inst >>> 7) & 0x1f);
    }

    static long immB(int inst) {
        return ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5)
                | (((inst >>> 8) & 0xf) << 1);
    }

    static long immU(int inst) {
        return inst & 0xfffff000;
    }

    static long immJ(int inst) {
        return ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >>> 20) & 1) << 11)
                | (((inst >>> 21) & 0x3ff) << 1);
    }
}
