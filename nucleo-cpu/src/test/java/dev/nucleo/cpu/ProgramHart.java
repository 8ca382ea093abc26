package dev.nucleo.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test support: a hart with nothing but RAM, about to run a program copied to RAM's start. */
final class ProgramHart {
    static final long RAM_BASE = 0x8000_0000L;

    private ProgramHart() {
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
