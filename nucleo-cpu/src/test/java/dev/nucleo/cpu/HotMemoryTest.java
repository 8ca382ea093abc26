package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** Hot blocks reach RAM by address, so only native RAM will do. */
class HotMemoryTest {
    @Test
    void nativeRamGivesItsAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(4096, 4096);
            assertEquals(ram.address(), HotMemory.ramAddress(ram));
        }
    }

    @Test
    void heapRamIsRefused() {
        MemorySegment ram = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IllegalArgumentException.class, () -> HotMemory.ramAddress(ram));
    }
}
