package dev.nucleo.cpu;

/**
 * RV64M operations with RISC-V semantics that differ from the JVM's (division by zero,
 * mulhsu), and the FP state checks of FP loads and stores, called from translated code;
 * HotSpot inlines them.
 */
final class TranslatedOps {
    private TranslatedOps() {
    }

    static long mulhsu(long a, long b) {
        return Math.multiplyHigh(a, b) + (b < 0 ? a : 0);
    }

    static long div(long a, long b) {
        return b == 0 ? -1 : a / b;
    }

    static long divu(long a, long b) {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    static long rem(long a, long b) {
        return b == 0 ? a : a % b;
    }

    static long remu(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    static long divw(long a, long b) {
        int x = (int) a;
        int y = (int) b;
        return y == 0 ? -1 : x / y;
    }

    static long divuw(long a, long b) {
        int x = (int) a;
        int y = (int) b;
        return y == 0 ? -1 : Integer.divideUnsigned(x, y);
    }

    static long remw(long a, long b) {
        int x = (int) a;
        int y = (int) b;
        return y == 0 ? x : x % y;
    }

    static long remuw(long a, long b) {
        int x = (int) a;
        int y = (int) b;
        return y == 0 ? x : Integer.remainderUnsigned(x, y);
    }

    /** An FP load or store with mstatus.FS off is an illegal instruction (encoding: its raw bits). */
    static void requireFp(Hart hart, int encoding) {
        if (!hart.csr.fpEnabled()) {
            throw Trap.illegal(encoding);
        }
    }

    /** After an FP load or store, as the interpreter does after every FP instruction. */
    static void markFpDirty(Hart hart) {
        hart.csr.markFpDirty();
    }

    /** A single loaded into an f register: NaN-boxed. */
    static long boxSingle(long bits) {
        return 0xffff_ffff_0000_0000L | (bits & 0xffff_ffffL);
    }
}
