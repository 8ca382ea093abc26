package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class TierStatsTest {
    private static final long RAM_BASE = 0x8000_0000L;

    @Test
    void countsEveryRetiredInstructionInTheTierThatRanIt() {
        // A 3-instruction loop, 1000 times: interpreted for its first 4 runs, then warm code
        // (a self-loop: each run iterates many times), then after 2 warm runs hot code.
        Asm a = new Asm();
        a.emit(addi(11, 0, 1000)).emit(addi(10, 0, 0));
        int loop = a.here();
        a.emit(addi(10, 10, 3));
        a.emit(addi(11, 11, -1));
        a.emit(b(loop - a.here(), 0, 11, 1));         // bne a1, zero, loop
        a.emit(WFI);
        int[] program = a.words();
        MemorySegment ram = Arena.ofAuto().allocate(1 << 16, 8);
        MemorySegment.copy(program, 0, ram, ValueLayout.JAVA_INT_UNALIGNED, 0, program.length);
        Hart hart = new Hart(0, ram, RAM_BASE, EmptyBus.INSTANCE, () -> 0);
        hart.setPc(RAM_BASE);
        hart.setEngine(Engine.TRANSLATOR);
        hart.compileSynchronously(5);
        hart.promoteAfter(2);
        TierStats stats = hart.collectTierStats();
        while (!hart.waitingForInterrupt()) {
            hart.stepBlock();
        }
        assertEquals(3000, hart.register(10));

        long counted = stats.coldInstructions() + stats.warmInstructions() + stats.hotInstructions()
                + stats.oneAtATimeInstructions();
        String report = stats.report("hart 0");
        assertEquals(hart.instructionsRetired(), counted, report);
        assertTrue(stats.coldInstructions() >= 4 * 3, report);
        assertTrue(stats.warmInstructions() > 0, report);
        assertTrue(stats.hotInstructions() > 0, report);
        assertTrue(report.startsWith("hart 0: 0.0 M guest instructions: cold "), report);
        assertTrue(report.contains(String.format("%016x", RAM_BASE + 8)), "the loop's block is not listed:\n" + report);
    }
}
