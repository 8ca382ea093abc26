package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TierStatsTest {
    private static final long RAM_BASE = ProgramHart.RAM_BASE;

    @Test
    void countsEveryRetiredInstructionInTheTierThatRanIt() {
        // A 3-instruction loop, 1000 times: interpreted for its first 4 runs, then warm code
        // (a self-loop: each run iterates many times), then after 2 warm runs hot code.
        int[] program = ProgramHart.addLoop(1000);
        Hart hart = ProgramHart.load(Arena.ofAuto().allocate(1 << 16, 8), program, Engine.TRANSLATOR);
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
