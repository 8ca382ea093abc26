package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_INDIRECT;
import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk requests from a well-behaved driver: every request type, read-only disks, limits. */
class VirtioBlkTest {
    static final long RINGS = RAM_BASE + 0x1_0000;
    static final long HEADER = RAM_BASE + 0x2_0000;
    static final long DATA = RAM_BASE + 0x3_0000;
    static final long STATUS = RAM_BASE + 0x2_1000;
    static final long INDIRECT = RAM_BASE + 0x2_2000;
    static final int DISK_SECTORS = 64;

    @TempDir
    Path dir;
    GuestRam ram;
    VirtioBlk blk;
    TestDriver driver;
    Path image;
    byte[] original;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
    }

    @AfterEach
    void tearDown() {
        if (blk != null) {
            blk.close();
        }
        ram.close();
    }

    /** A disk image whose byte i is (i * 7 + i / 512) & 0xff, so every sector differs. */
    Path makeImage(String name, int sectors) throws IOException {
        byte[] data = new byte[sectors * 512];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + i / 512);
        }
        Path file = dir.resolve(name);
        Files.write(file, data);
        return file;
    }

    TestDriver startDisk(boolean readOnly) throws IOException {
        image = makeImage("disk.img", DISK_SECTORS);
        original = Files.readAllBytes(image);
        blk = VirtioBlk.open(image, readOnly);
        driver = new TestDriver(ram, blk, RINGS).start(16);
        return driver;
    }

    void header(int type, long sector) {
        ram.writeInt(HEADER, type);
        ram.writeInt(HEADER + 4, 0);
        ram.writeLong(HEADER + 8, sector);
        ram.load(STATUS, new byte[] {(byte) 0xee});
    }

    /** header -> data (readable or writable) -> status, as descriptors 0, 1, 2; returns the status. */
    int request(int type, long sector, long dataLen, boolean deviceWrites) {
        header(type, sector);
        int used = driver.usedIdx();
        if (dataLen > 0) {
            driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
            driver.descriptor(1, DATA, dataLen, DESC_F_NEXT | (deviceWrites ? DESC_F_WRITE : 0), 2);
            driver.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
        } else {
            driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 2);
            driver.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
        }
        driver.offer(0);
        driver.awaitUsed(used + 1);
        assertEquals(0, driver.usedId(used), "used id is the chain head");
        return ram.read(STATUS, 1)[0];
    }

    @Test
    void readsSectorsIntoGuestMemory() throws IOException {
        startDisk(false);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 3, 1024, true));
        assertArrayEquals(Arrays.copyOfRange(original, 3 * 512, 5 * 512), ram.read(DATA, 1024));
        assertEquals(1025, driver.usedLen(0), "data plus status byte written");
        // The device writes the used ring, then interrupts: wait for it, as a driver would.
        TestDriver.await(driver.irqLevel::get, "completion raised the interrupt");
        assertEquals(Virtio.INTERRUPT_USED_BUFFER, driver.interruptStatus());
        driver.write(VirtioMmioTransport.REG_INTERRUPT_ACK, Virtio.INTERRUPT_USED_BUFFER);
        assertFalse(driver.irqLevel.get(), "acknowledged interrupt lowers the line");
    }

    @Test
    void writesSectorsAndFlushes() throws IOException {
        startDisk(false);
        byte[] pattern = new byte[512];
        Arrays.fill(pattern, (byte) 0x5a);
        ram.load(DATA, pattern);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_OUT, 10, 512, false));
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_FLUSH, 0, 0, false));
        byte[] after = Files.readAllBytes(image);
        byte[] expected = original.clone();
        System.arraycopy(pattern, 0, expected, 10 * 512, 512);
        assertArrayEquals(expected, after, "only sector 10 changed");
    }

    @Test
    void capacityComesFromTheFileSize() throws IOException {
        startDisk(false);
        long capacity = driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET, 8);
        assertEquals(DISK_SECTORS, capacity);
        assertEquals(DISK_SECTORS, driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET, 4), "32-bit read");
        assertEquals(512, driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET + 20, 4), "blk_size");
        assertEquals(0, driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET + 0x400, 4), "beyond config");
    }

    @Test
    void partialTrailingSectorIsNotPartOfTheDisk() throws IOException {
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[3 * 512 + 100]);
        try (VirtioBlk device = VirtioBlk.open(odd, true)) {
            assertEquals(3, device.disk().sectors());
        }
    }

    @Test
    void requestsBeyondCapacityFailAndTouchNothing() throws IOException {
        startDisk(false);
        ram.load(DATA, new byte[1024]);
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, DISK_SECTORS - 1, 1024, false));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, DISK_SECTORS, 512, false));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, -1L, 512, false), "sector 2^64-1");
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_IN, Long.MAX_VALUE / 256, 512, true));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, 0, 100, false), "not whole sectors");
        assertArrayEquals(original, Files.readAllBytes(image));
        assertEquals(original.length, Files.size(image), "file did not grow");
        assertFalse(driver.needsReset(), "a bad request is an I/O error, not a device error");
    }

    @Test
    void readOnlyDiskRefusesWrites() throws IOException {
        startDisk(true);
        assertTrue((driver.deviceFeatures() & VirtioBlk.F_RO) != 0, "F_RO offered");
        assertEquals(0, driver.deviceFeatures() & (VirtioBlk.F_DISCARD | VirtioBlk.F_WRITE_ZEROES));
        ram.load(DATA, new byte[512]);
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, 0, 512, false));
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, 512, true), "reads still work");
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_FLUSH, 0, 0, false));
        assertArrayEquals(original, Files.readAllBytes(image));
    }

    @Test
    void getIdReturnsTheSerial() throws IOException {
        startDisk(false);
        ram.load(DATA, new byte[20]);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_GET_ID, 0, 20, true));
        assertEquals("disk.img", new String(ram.read(DATA, 8), StandardCharsets.US_ASCII));
        assertEquals(0, ram.read(DATA + 8, 1)[0]);
    }

    @Test
    void unknownRequestTypeIsUnsupported() throws IOException {
        startDisk(false);
        assertEquals(VirtioBlk.S_UNSUPP, request(99, 0, 0, false));
        assertFalse(driver.needsReset());
    }

    @Test
    void writeZeroesAndDiscardZeroTheirRanges() throws IOException {
        startDisk(false);
        writeSegments(new long[] {2, 3, 0}, new long[] {20, 1, 1}); // flags: 0, then UNMAP
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_WRITE_ZEROES, 0, 32, false));
        writeSegments(new long[] {40, 8, 0});
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_DISCARD, 0, 16, false));
        byte[] expected = original.clone();
        Arrays.fill(expected, 2 * 512, 5 * 512, (byte) 0);
        Arrays.fill(expected, 20 * 512, 21 * 512, (byte) 0);
        Arrays.fill(expected, 40 * 512, 48 * 512, (byte) 0);
        assertArrayEquals(expected, Files.readAllBytes(image));
    }

    @Test
    void zeroingRequestsCheckEverySegmentFirst() throws IOException {
        startDisk(false);
        writeSegments(new long[] {0, 1, 0}, new long[] {DISK_SECTORS - 1, 2, 0});
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_WRITE_ZEROES, 0, 32, false));
        writeSegments(new long[] {0, 1, 1}); // unmap flag on discard
        assertEquals(VirtioBlk.S_UNSUPP, request(VirtioBlk.T_DISCARD, 0, 16, false));
        writeSegments(new long[] {0, 1, 4}); // unknown flag
        assertEquals(VirtioBlk.S_UNSUPP, request(VirtioBlk.T_WRITE_ZEROES, 0, 16, false));
        assertArrayEquals(original, Files.readAllBytes(image), "no segment applied");
    }

    @Test
    void zeroingNeedsItsFeature() throws IOException {
        image = makeImage("disk.img", DISK_SECTORS);
        original = Files.readAllBytes(image);
        blk = VirtioBlk.open(image, false);
        driver = new TestDriver(ram, blk, RINGS);
        assertTrue(driver.negotiate(Virtio.F_VERSION_1)); // nothing else
        driver.setUpQueue(16);
        driver.driverOk();
        writeSegments(new long[] {0, 1, 0});
        assertEquals(VirtioBlk.S_UNSUPP, request(VirtioBlk.T_WRITE_ZEROES, 0, 16, false));
        assertArrayEquals(original, Files.readAllBytes(image));
    }

    @Test
    void servesIndirectChains() throws IOException {
        startDisk(false);
        header(VirtioBlk.T_IN, 5);
        driver.descriptor(INDIRECT, 0, HEADER, 16, DESC_F_NEXT, 1);
        driver.descriptor(INDIRECT, 1, DATA, 256, DESC_F_NEXT | DESC_F_WRITE, 2);
        driver.descriptor(INDIRECT, 2, DATA + 0x1000, 256, DESC_F_NEXT | DESC_F_WRITE, 3);
        driver.descriptor(INDIRECT, 3, STATUS, 1, DESC_F_WRITE, 0);
        driver.descriptor(7, INDIRECT, 4 * 16, DESC_F_INDIRECT, 0);
        driver.offer(7);
        driver.awaitUsed(1);
        assertEquals(7, driver.usedId(0));
        assertEquals(VirtioBlk.S_OK, ram.read(STATUS, 1)[0]);
        assertArrayEquals(Arrays.copyOfRange(original, 5 * 512, 5 * 512 + 256), ram.read(DATA, 256));
        assertArrayEquals(Arrays.copyOfRange(original, 5 * 512 + 256, 6 * 512), ram.read(DATA + 0x1000, 256));
    }

    @Test
    void headerSplitAcrossBuffersIsAccepted() throws IOException {
        startDisk(false);
        header(VirtioBlk.T_IN, 1);
        driver.descriptor(0, HEADER, 4, DESC_F_NEXT, 1);
        driver.descriptor(1, HEADER + 4, 12, DESC_F_NEXT, 2);
        driver.descriptor(2, DATA, 512, DESC_F_NEXT | DESC_F_WRITE, 3);
        driver.descriptor(3, STATUS, 1, DESC_F_WRITE, 0);
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(VirtioBlk.S_OK, ram.read(STATUS, 1)[0]);
        assertArrayEquals(Arrays.copyOfRange(original, 512, 1024), ram.read(DATA, 512));
    }

    @Test
    void eventIndexSuppressesInterruptsUntilUsedEventIsCrossed() throws IOException {
        startDisk(false);
        driver.setUsedEvent(5); // "interrupt me when used entry 5 is added"
        for (int i = 0; i < 5; i++) {
            request(VirtioBlk.T_FLUSH, 0, 0, false);
        }
        assertEquals(0, driver.irqRaises.get(), "entries 0..4 need no interrupt");
        request(VirtioBlk.T_FLUSH, 0, 0, false);
        TestDriver.await(() -> driver.irqRaises.get() == 1, "interrupt for entry 5");
        assertEquals(6, driver.availEvent(), "device asks to be kicked at the next buffer");
    }

    @Test
    void withoutEventIndexNoInterruptFlagIsHonoured() throws IOException {
        image = makeImage("disk.img", DISK_SECTORS);
        blk = VirtioBlk.open(image, false);
        driver = new TestDriver(ram, blk, RINGS);
        assertTrue(driver.negotiate(Virtio.F_VERSION_1));
        driver.setUpQueue(16);
        driver.driverOk();
        driver.setAvailFlags(1);
        request(VirtioBlk.T_FLUSH, 0, 0, false);
        assertEquals(0, driver.irqRaises.get());
        driver.setAvailFlags(0);
        request(VirtioBlk.T_FLUSH, 0, 0, false);
        TestDriver.await(() -> driver.irqRaises.get() == 1, "interrupt");
    }

    @Test
    void resetThenReinitialiseWorksAgain() throws IOException {
        startDisk(false);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, 512, true));
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        assertEquals(0, driver.read(VirtioMmioTransport.REG_STATUS));
        assertEquals(0, driver.read(VirtioMmioTransport.REG_QUEUE_READY));
        assertFalse(driver.irqLevel.get(), "reset lowers the interrupt");
        driver.start(8);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 1, 512, true));
        assertArrayEquals(Arrays.copyOfRange(original, 512, 1024), ram.read(DATA, 512));
    }

    /** Writes discard/write-zeroes segments {sector, count, flags} at DATA. */
    private void writeSegments(long[]... segments) {
        ByteBuffer b = ByteBuffer.allocate(16 * segments.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] s : segments) {
            b.putLong(s[0]).putInt((int) s[1]).putInt((int) s[2]);
        }
        ram.load(DATA, b.array());
    }
}
