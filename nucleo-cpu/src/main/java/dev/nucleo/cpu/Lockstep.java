package dev.nucleo.cpu;

/**
 * Runs two harts over identical machines in lockstep: one with the translator, one with the
 * interpreter (the reference). Each {@link #step} runs one translator unit (a block, or one
 * interpreted instruction), brings the reference to the same point, and compares the whole
 * architectural state: pc, x and f registers, fcsr, privilege, the trap CSRs, satp, instret.
 */
public final class Lockstep {
    /** The first difference after the block that started at blockPc. */
    public record Divergence(long blockPc, String register, long reference, long translated) {
        @Override
        public String toString() {
            return String.format("after the block at 0x%x: %s is 0x%x in the interpreter but 0x%x with the translator",
                    blockPc, register, reference, translated);
        }
    }

    private final Hart reference;
    private final Hart translated;

    public Lockstep(Hart reference, Hart translated) {
        if (reference.engine() != Engine.INTERPRETER || translated.engine() != Engine.TRANSLATOR) {
            throw new IllegalArgumentException("want an interpreter hart and a translator hart");
        }
        this.reference = reference;
        this.translated = translated;
    }

    /** One block on both; returns the first difference, or null when the states agree. */
    public Divergence step() {
        long blockPc = translated.pc;
        translated.stepBlock();
        // Retire as many instructions and enter as many traps on the reference (a trap
        // retires nothing, so instret alone cannot say whether the handler was entered).
        while ((reference.instret < translated.instret || reference.trapsTaken < translated.trapsTaken)
                && reference.crashReason() == null && !reference.waitingForInterrupt()) {
            reference.stepBlock();
        }
        return compare(blockPc);
    }

    /** Whether both harts stopped making progress (WFI with nothing pending, or a crash). */
    public boolean finished() {
        return (translated.waitingForInterrupt() || translated.crashReason() != null)
                && (reference.waitingForInterrupt() || reference.crashReason() != null);
    }

    private Divergence compare(long blockPc) {
        Divergence d = differs(blockPc, "pc", reference.pc, translated.pc);
        if (d != null) {
            return d;
        }
        for (int i = 1; i < 32; i++) {
            d = differs(blockPc, "x" + i, reference.x[i], translated.x[i]);
            if (d != null) {
                return d;
            }
        }
        for (int i = 0; i < 32; i++) {
            d = differs(blockPc, "f" + i, reference.f[i], translated.f[i]);
            if (d != null) {
                return d;
            }
        }
        CsrFile a = reference.csr;
        CsrFile b = translated.csr;
        long[][] pairs = {
            {reference.instret, translated.instret},
            {reference.trapsTaken, translated.trapsTaken},
            {a.privilege, b.privilege},
            {reference.fpu.flags, translated.fpu.flags},
            {a.frm, b.frm},
            {a.mstatus, b.mstatus},
            {a.mepc, b.mepc},
            {a.mcause, b.mcause},
            {a.mtval, b.mtval},
            {a.sepc, b.sepc},
            {a.scause, b.scause},
            {a.stval, b.stval},
            {a.satp, b.satp},
        };
        String[] names = {"instret", "traps taken", "privilege", "fflags", "frm", "mstatus", "mepc", "mcause", "mtval",
            "sepc", "scause", "stval", "satp"};
        for (int i = 0; i < pairs.length; i++) {
            d = differs(blockPc, names[i], pairs[i][0], pairs[i][1]);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static Divergence differs(long blockPc, String register, long reference, long translated) {
        return reference == translated ? null : new Divergence(blockPc, register, reference, translated);
    }
}
