package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Only blocks that reach the compile threshold fast enough are compiled; slower ones count again. */
class CompileRateTest {
    private static final long SECOND = 1_000_000_000L;

    private static Block aBlock() {
        MemorySegment ram = Arena.ofAuto().allocate(1 << 16, 8);
        Hart hart = ProgramHart.load(ram, new Asm().emit(addi(10, 10, 1)).emit(WFI).words(), Engine.INTERPRETER);
        return BlockDecoder.decode(ram, ProgramHart.RAM_BASE, hart.mmu.fetchRamPage(ProgramHart.RAM_BASE));
    }

    @Test
    void aBlockWithinTheLimitIsWorthCompilingAndKeepsItsCount() {
        Block block = aBlock();
        block.countingSince = 0;
        block.executions = 1000;
        assertTrue(new CompileRate(2 * SECOND, () -> 2 * SECOND).fastEnough(block));
        assertEquals(1000, block.executions);
        assertEquals(0, block.countingSince);
    }

    @Test
    void aSlowerBlockCountsAgainFromNow() {
        Block block = aBlock();
        block.countingSince = 0;
        block.executions = 1000;
        assertFalse(new CompileRate(2 * SECOND, () -> 2 * SECOND + 1).fastEnough(block));
        assertEquals(0, block.executions);
        assertEquals(2 * SECOND + 1, block.countingSince);
    }

    @Test
    void withoutALimitEveryBlockIsWorthCompiling() {
        Block block = aBlock();
        block.countingSince = 0;
        assertTrue(new CompileRate(0, () -> 100 * SECOND).fastEnough(block));
    }

    /** A 3-instruction loop run 100 times, its block compiled at its 5th run if fast enough. */
    private static Hart runLoop(long withinNanos) {
        Hart hart = ProgramHart.load(Arena.ofAuto().allocate(1 << 16, 8), ProgramHart.addLoop(100), Engine.TRANSLATOR);
        hart.compileSynchronously(5);
        // Each look at the clock finds a minute gone by since the last: every count is too slow.
        AtomicLong clock = new AtomicLong(System.nanoTime());
        hart.compileOnlyWithin(withinNanos, () -> clock.addAndGet(60 * SECOND));
        TierStats stats = hart.collectTierStats();
        while (!hart.waitingForInterrupt()) {
            hart.stepBlock();
        }
        assertEquals(300, hart.register(10));
        assertEquals(hart.instructionsRetired(), stats.coldInstructions() + stats.warmInstructions()
                + stats.hotInstructions() + stats.oneAtATimeInstructions());
        return hart;
    }

    @Test
    void aLoopTooSlowToReachTheThresholdStaysInterpretedAndComputesTheSame() {
        Hart hart = runLoop(2 * SECOND);
        assertEquals(0, hart.compiledBlocks(), "no block reached the threshold within the limit");
    }

    @Test
    void theSameLoopWithoutTheLimitIsCompiled() {
        Hart hart = runLoop(0);
        assertTrue(hart.compiledBlocks() > 0);
    }
}
