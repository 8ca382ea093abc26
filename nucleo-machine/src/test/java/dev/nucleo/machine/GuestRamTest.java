package dev.nucleo.machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GuestRamTest {
    private static final long BASE = 0x8000_0000L;
    private static final long MIB = 1 << 20;

    @Test
    void startsZeroedAndReportsItsRange() {
        try (GuestRam ram = new GuestRam(BASE, 16 * MIB)) {
            assertEquals(BASE, ram.base());
            assertEquals(16 * MIB, ram.size());
            assertEquals(BASE + 16 * MIB, ram.end());
            assertEquals(16 * MIB, ram.segment().byteSize());
            assertEquals(0, ram.readLong(BASE));
            assertEquals(0, ram.readLong(BASE + 16 * MIB - 8));
        }
    }

    @Test
    void usesLazyMmapOnLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase().startsWith("linux"));
        try (GuestRam ram = new GuestRam(BASE, 16 * MIB)) {
            assertTrue(ram.isLazilyMapped());
        }
    }

    @Test
    void hugeReservationCostsNothingUntilTouched() {
        assumeTrue(System.getProperty("os.name").toLowerCase().startsWith("linux"));
        // 64 GiB would be refused or take ages if it were committed or zeroed eagerly.
        try (GuestRam ram = new GuestRam(BASE, 64L << 30)) {
            assumeTrue(ram.isLazilyMapped());
            ram.writeLong(BASE + (63L << 30), 0x1122_3344_5566_7788L);
            assertEquals(0x1122_3344_5566_7788L, ram.readLong(BASE + (63L << 30)));
        }
    }

    @Test
    void containsIsExactAtTheEdgesAndOverflowSafe() {
        try (GuestRam ram = new GuestRam(BASE, 4096)) {
            assertTrue(ram.contains(BASE, 4096));
            assertTrue(ram.contains(BASE + 4095, 1));
            assertTrue(ram.contains(BASE + 4096, 0));
            assertFalse(ram.contains(BASE + 4095, 2));
            assertFalse(ram.contains(BASE - 1, 1));
            assertFalse(ram.contains(BASE, -1));
            assertFalse(ram.contains(BASE + 8, Long.MAX_VALUE));
            assertFalse(ram.contains(-1L, 2));
            assertFalse(ram.contains(0, 1));
        }
    }

    @Test
    void littleEndianHelpers() {
        try (GuestRam ram = new GuestRam(BASE, 4096)) {
            ram.writeLong(BASE + 3, 0x0102_0304_0506_0708L); // unaligned on purpose
            assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, ram.read(BASE + 3, 8));
            ram.writeInt(BASE + 100, 0xcafe_babe);
            assertEquals(0xcafe_babe, ram.readInt(BASE + 100));
            assertEquals((byte) 0xbe, ram.read(BASE + 100, 1)[0]);
        }
    }

    @Test
    void loadsBytesBuffersAndFiles(@TempDir Path dir) throws Exception {
        try (GuestRam ram = new GuestRam(BASE, 8192)) {
            ram.load(BASE + 10, new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, ram.read(BASE + 10, 3));

            ram.load(BASE + 20, new byte[] {9, 8, 7, 6}, 1, 2);
            assertArrayEquals(new byte[] {8, 7, 0}, ram.read(BASE + 20, 3));

            ByteBuffer buffer = ByteBuffer.wrap(new byte[] {5, 6, 7, 8});
            buffer.position(1);
            ram.load(BASE + 30, buffer);
            assertEquals(0, buffer.remaining());
            assertArrayEquals(new byte[] {6, 7, 8}, ram.read(BASE + 30, 3));

            byte[] content = new byte[5000];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) (i * 7);
            }
            Path file = dir.resolve("blob");
            Files.write(file, content);
            assertEquals(5000, ram.load(BASE + 3000, file));
            assertArrayEquals(content, ram.read(BASE + 3000, 5000));

            Path empty = dir.resolve("empty");
            Files.write(empty, new byte[0]);
            assertEquals(0, ram.load(BASE + 8192, empty));
        }
    }

    @Test
    void outOfBoundsLoadsAreRejectedWithAClearMessage(@TempDir Path dir) throws Exception {
        try (GuestRam ram = new GuestRam(BASE, 4096)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ram.load(BASE + 4090, new byte[7]));
            assertTrue(e.getMessage().contains("0x80000ffa"), e.getMessage());
            assertTrue(e.getMessage().contains("[0x80000000, 0x80001000)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ram.load(BASE - 1, new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> ram.readLong(BASE + 4089));
            assertThrows(IllegalArgumentException.class, () -> ram.zero(BASE, 4097));

            Path file = dir.resolve("big");
            Files.write(file, new byte[4097]);
            IllegalArgumentException fe = assertThrows(IllegalArgumentException.class, () -> ram.load(BASE, file));
            assertTrue(fe.getMessage().contains("big"), fe.getMessage());
            assertEquals(0, ram.readLong(BASE)); // nothing partially written
        }
    }

    @Test
    void rejectsBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new GuestRam(BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> new GuestRam(BASE, 1000));
        assertThrows(IllegalArgumentException.class, () -> new GuestRam(BASE + 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> new GuestRam(-4096L, 8192));
    }

    @Test
    void closeFreesAndLaterAccessFailsSafely() {
        GuestRam ram = new GuestRam(BASE, 4096);
        ram.writeLong(BASE, 1);
        ram.close();
        ram.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> ram.readLong(BASE));
    }

    @Test
    void zeroClearsARange() {
        try (GuestRam ram = new GuestRam(BASE, 4096)) {
            ram.writeLong(BASE, -1L);
            ram.writeLong(BASE + 8, -1L);
            ram.zero(BASE + 4, 8);
            assertEquals(0x0000_0000_ffff_ffffL, ram.readLong(BASE));
            assertEquals(0xffff_ffff_0000_0000L, ram.readLong(BASE + 8));
        }
    }
}
