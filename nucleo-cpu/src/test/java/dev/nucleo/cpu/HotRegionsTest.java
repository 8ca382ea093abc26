package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A hot region's code as {@link BlockCompiler} makes it. */
class HotRegionsTest {
    private static final long RAM_BASE = ProgramHart.RAM_BASE;
    private static final int BLOCKS = 4;

    @Test
    void aRegionTooLargeForOneMethodLosesBlocksFromItsEndAndStillRunsRight() {
        // Four blocks of 64 stores each (the decoder's longest block), one after the other:
        // one method for all of them would be far over HotSpot's 8000 bytes of bytecode.
        Asm a = new Asm();
        for (int i = 0; i < BLOCKS * 64; i++) {
            a.emit(s(8 * (i % 256), 10, 11, 3));       // sd a0, 8i(a1)
        }
        a.emit(WFI);
        MemorySegment ram = Arena.ofAuto().allocate(1 << 16, 8);
        Hart hart = ProgramHart.load(ram, a.words(), Engine.INTERPRETER);
        hart.setRegister(10, 0x5a5a);
        hart.setRegister(11, RAM_BASE + 0x8000);
        List<Block> region = new ArrayList<>();
        for (int k = 0; k < BLOCKS; k++) {
            long pc = RAM_BASE + 256L * k;
            region.add(BlockDecoder.decode(ram, pc, hart.mmu.fetchRamPage(pc) + (pc & 0xfff)));
            assertEquals(64, region.get(k).length());
        }

        ChainedBlock hot = new BlockCompiler(hart).compileHot(region);
        int blocksKept = 1 + hot.inlined.size();
        assertTrue(blocksKept < BLOCKS, "the region kept all " + BLOCKS + " blocks");
        hot.run(hart);

        assertEquals(RAM_BASE + 256L * blocksKept, hart.pc, "the region left where its last block ends");
        assertEquals(64L * blocksKept, hart.instructionsRetired());
        for (int i = 0; i < 256; i++) {
            long expected = i < 64 * blocksKept ? 0x5a5a : 0;
            assertEquals(expected, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x8000 + 8L * i), "store " + i);
        }
    }
}
