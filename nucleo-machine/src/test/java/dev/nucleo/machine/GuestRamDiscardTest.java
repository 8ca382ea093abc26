package dev.nucleo.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Giving pages back to the host: they read as zero and stop being resident. */
class GuestRamDiscardTest {
    private static final long BASE = 0x8000_0000L;
    private static final long MIB = 1 << 20;

    @Test
    void discardedPagesReadAsZeroAndLeaveTheHost() {
        try (GuestRam ram = new GuestRam(BASE, 64 * MIB)) {
            assertTrue(ram.isLazilyMapped(), "this test needs mmap'd RAM (Linux)");
            long untouched = ram.residentBytes();
            byte[] ones = new byte[(int) MIB];
            Arrays.fill(ones, (byte) 0x5a);
            for (long mb = 0; mb < 32; mb++) {
                ram.load(BASE + mb * MIB, ones);
            }
            long touched = ram.residentBytes();
            assertTrue(touched - untouched >= 32 * MIB, "filled 32 MiB, resident grew by " + (touched - untouched));

            ram.discard(BASE + 4 * MIB, 24 * MIB);
            long after = ram.residentBytes();
            assertTrue(touched - after >= 24 * MIB, "discarded 24 MiB, resident fell by " + (touched - after));
            assertArrayEquals(new byte[4096], ram.read(BASE + 4 * MIB, 4096));
            assertArrayEquals(new byte[4096], ram.read(BASE + 28 * MIB - 4096, 4096));
            assertEquals(0x5a, ram.read(BASE + 4 * MIB - 1, 1)[0], "the page before is kept");
            assertEquals(0x5a, ram.read(BASE + 28 * MIB, 1)[0], "the page after is kept");
        }
    }

    @Test
    void discardChecksItsRange() {
        try (GuestRam ram = new GuestRam(BASE, 4 * MIB)) {
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE - 4096, 4096));
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE + 4 * MIB, 4096));
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE + 4 * MIB - 4096, 8192));
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE + 100, 4096));
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE, 100));
            assertThrows(IllegalArgumentException.class, () -> ram.discard(BASE, Long.MAX_VALUE));
            ram.discard(BASE, 0);
        }
    }
}
