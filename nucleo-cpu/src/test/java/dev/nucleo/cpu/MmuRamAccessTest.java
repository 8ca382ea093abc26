package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The MMU's loads and stores reach RAM by address once a page is in the fast TLB: the same
 * bytes as the segment, at every size and page offset, and never past RAM's end.
 */
class MmuRamAccessTest {
    private static final long BASE = 0x8000_0000L;
    /** Four whole pages and a part of a fifth: the part must never enter the fast TLB. */
    private static final long SIZE = 4 * 4096 + 100;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment ram = arena.allocate(SIZE, 4096);
    private final Mmu mmu = new Mmu(ram, BASE, EmptyBus.INSTANCE);   // M-mode: no translation

    @Test
    void heapRamIsRefused() {
        MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IllegalArgumentException.class, () -> new Mmu(heap, BASE, EmptyBus.INSTANCE));
    }

    @Test
    void everySizeReadsAndWritesTheSegmentsBytes() {
        long[] offsets = {0, 8, 0x7f9, 0x1000 - 8, 0x1000 - 4, 0x1000 - 2, 0x1000 - 1, 0x2abc, 3 * 4096 + 4088};
        for (long offset : offsets) {
            for (int round = 0; round < 2; round++) {           // a miss that fills the fast TLB, then a hit
                long va = BASE + offset;
                long value = 0x8877_6655_4433_2211L + offset + round;

                mmu.store64(va, value);
                assertEquals(value, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, offset), "store64 at " + offset);
                assertEquals(value, mmu.load64(va), "load64 at " + offset);
                assertEquals((long) (int) value, mmu.load32(va), "load32 at " + offset);
                assertEquals((long) (short) value, mmu.load16(va), "load16 at " + offset);
                assertEquals((long) (byte) value, mmu.load8(va), "load8 at " + offset);

                mmu.store32(va, 0xa1b2_c3d4L);
                assertEquals(0xa1b2_c3d4, ram.get(ValueLayout.JAVA_INT_UNALIGNED, offset));
                mmu.store16(va, 0xe5f6L);
                assertEquals((short) 0xe5f6, ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
                mmu.store8(va, 0x97L);
                assertEquals((byte) 0x97, ram.get(ValueLayout.JAVA_BYTE, offset));
                assertEquals((long) (byte) 0x97, mmu.load8(va));
            }
        }
    }

    @Test
    void thePartialLastPageIsReachedOnlyWithinRam() {
        long last = SIZE - 8;                                   // in the fifth, partial page
        mmu.store64(BASE + last, 42);
        assertEquals(42, mmu.load64(BASE + last));
        assertEquals(42, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, last));
        Trap load = assertThrows(Trap.class, () -> mmu.load64(BASE + SIZE - 4));   // straddles the end
        assertEquals(Trap.LOAD_ACCESS_FAULT, load.cause);
        Trap store = assertThrows(Trap.class, () -> mmu.store8(BASE + SIZE, 1));
        assertEquals(Trap.STORE_ACCESS_FAULT, store.cause);
    }
}
