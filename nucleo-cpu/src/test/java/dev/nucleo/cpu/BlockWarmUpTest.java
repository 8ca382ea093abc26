package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The warm-up calls that make HotSpot compile a new warm block leave the guest alone. */
class BlockWarmUpTest {
    private static final long RAM_BASE = ProgramHart.RAM_BASE;

    @Test
    void warmingUpAWarmBlockChangesNeitherTheHartNorTheBlocksRunCount() {
        Asm a = new Asm();
        a.emit(addi(10, 10, 5));
        a.emit(s(0, 10, 11, 3));                      // sd a0, 0(a1): a store, so an MMU call
        a.emit(addi(12, 12, 1));
        a.emit(WFI);
        int[] program = a.words();
        MemorySegment ram = Arena.ofAuto().allocate(1 << 16, 8);
        Hart hart = ProgramHart.load(ram, program, Engine.INTERPRETER);
        hart.setRegister(11, RAM_BASE + 0x1000);

        Block block = BlockDecoder.decode(ram, RAM_BASE, hart.mmu.fetchRamPage(RAM_BASE));
        ChainedBlock compiled = new BlockCompiler(hart).compileFirst(block, 7);   // warms up a copy

        assertEquals(7, compiled.runsToPromotion, "the copy's calls must not count as the block's runs");
        assertEquals(RAM_BASE, hart.pc());
        assertEquals(0, hart.register(10));
        assertEquals(0, hart.register(12));
        assertEquals(0, hart.instructionsRetired());
        assertEquals(0, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x1000));

        compiled.run(hart);
        assertEquals(6, compiled.runsToPromotion);
        assertEquals(5, hart.register(10));
        assertEquals(5, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x1000));
        assertEquals(1, hart.register(12));
        assertEquals(RAM_BASE + 12, hart.pc());
    }
}
