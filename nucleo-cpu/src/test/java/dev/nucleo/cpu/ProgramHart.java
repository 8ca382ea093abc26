package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test support: a hart with nothing but RAM, about to run a program copied to RAM's start. */
final class ProgramHart {
    static final long RAM_BASE = 0x8000_0000L;

    private ProgramHart() {
    }

    /**
     * A counting loop: a0 = 3 x iterations, added by a 3-instruction loop whose block starts at
     * RAM_BASE + 8 (a1 counts down), then WFI.
     */
    static int[] addLoop(int iterations) {
        Asm a = new Asm();
        a.emit(Asm.addi(11, 0, iterations)).emit(Asm.addi(10, 0, 0));
        int loop = a.here();
        a.emit(Asm.addi(10, 10, 3));
        a.emit(Asm.addi(11, 11, -1));
        a.emit(Asm.b(loop - a.here(), 0, 11, 1));     // bne a1, zero, loop
        a.emit(Asm.WFI);
        return a.words();
    }

    /** Copies program to the start of ram and returns a hart 0 in M-mode at its first instruction. */
    static Hart load(MemorySegment ram, int[] program, Engine engine) {
        MemorySegment.copy(program, 0, ram, ValueLayout.JAVA_INT_UNALIGNED, 0, program.length);
        Hart hart = new Hart(0, ram, RAM_BASE, EmptyBus.INSTANCE, () -> 0);
        hart.setPc(RAM_BASE);
        hart.setEngine(engine);
        return hart;
    }
}
