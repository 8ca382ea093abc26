package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_INDIRECT;
import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static dev.nucleo.virtio.VirtioMmioTransport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that breaks the rules, through rings written straight into guest memory and
 * registers written in the wrong order. Each case must end with the device in
 * DEVICE_NEEDS_RESET (or the write ignored), no exception, the disk file and its neighbours
 * untouched, and the device usable again after a reset; a second device keeps working.
 */
class HostileGuestTest {
    static final long RINGS = RAM_BASE + 0x1_0000;
    static final long OTHER_RINGS = RAM_BASE + 0x8_0000;
    static final long HEADER = RAM_BASE + 0x2_0000;
    static final long STATUS = RAM_BASE + 0x2_1000;
    static final long INDIRECT = RAM_BASE + 0x2_2000;
    static final long DATA = RAM_BASE + 0x3_0000;

    @TempDir
    Path dir;
    GuestRam ram;
    Path image;
    Path neighbour;
    byte[] imageBytes;
    byte[] neighbourBytes;
    VirtioBlk blk;
    TestDriver driver;

    @BeforeEach
    void setUp() throws IOException {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
        imageBytes = new byte[32 * 512];
        Arrays.fill(imageBytes, (byte) 0x11);
        image = Files.write(dir.resolve("disk.img"), imageBytes);
        neighbourBytes = "a host file next to the disk\n".getBytes();
        neighbour = Files.write(dir.resolve("neighbour.txt"), neighbourBytes);
        blk = VirtioBlk.open(image, false);
        driver = new TestDriver(ram, blk, RINGS);
    }

    @AfterEach
    void tearDown() throws IOException {
        assertArrayEquals(neighbourBytes, Files.readAllBytes(neighbour), "neighbouring host file untouched");
        blk.close();
        ram.close();
    }

    void header(int type, long sector) {
        ram.writeInt(HEADER, type);
        ram.writeInt(HEADER + 4, 0);
        ram.writeLong(HEADER + 8, sector);
    }

    /** Offers a chain written by {@code chain}, expects DEVICE_NEEDS_RESET, then checks recovery. */
    void expectDeviceError(Consumer<TestDriver> chain) throws IOException {
        driver.start(16);
        header(VirtioBlk.T_OUT, 0);
        chain.accept(driver);
        driver.awaitNeedsReset();
        assertEquals(0, driver.usedIdx(), "nothing was completed");
        assertTrue((driver.interruptStatus() & Virtio.INTERRUPT_CONFIG_CHANGE) != 0, "driver told by config interrupt");
        assertTrue(driver.irqLevel.get());
        assertArrayEquals(imageBytes, Files.readAllBytes(image), "disk untouched");
        // Notifying a broken device does nothing, and does not throw.
        driver.write(REG_QUEUE_NOTIFY, 0);
        assertEquals(0, driver.usedIdx());
        recoversAfterReset();
    }

    /** After a reset and a clean initialisation the same device serves a request. */
    void recoversAfterReset() {
        driver.write(REG_STATUS, 0);
        assertFalse(driver.needsReset());
        driver.start(16);
        header(VirtioBlk.T_IN, 0);
        driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
        driver.descriptor(1, DATA, 512, DESC_F_NEXT | DESC_F_WRITE, 2);
        driver.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(VirtioBlk.S_OK, ram.read(STATUS, 1)[0]);
        assertEquals(0x11, ram.read(DATA, 1)[0]);
    }

    @Test
    void bufferOutsideRam() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
            d.descriptor(1, RAM_BASE + RAM_SIZE - 256, 512, DESC_F_NEXT, 2); // runs past the end
            d.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
            d.offer(0);
        });
    }

    @Test
    void bufferBelowRam() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, 0x1000, 16, DESC_F_NEXT, 2); // MMIO space, not RAM
            d.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
            d.offer(0);
        });
    }

    @Test
    void absurdLength() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
            d.descriptor(1, DATA, 0xffff_ffffL, DESC_F_NEXT, 2);
            d.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
            d.offer(0);
        });
    }

    @Test
    void addressThatWrapsAround() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, -16L, 32, DESC_F_NEXT, 2);
            d.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
            d.offer(0);
        });
    }

    @Test
    void loopingChain() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
            d.descriptor(1, DATA, 512, DESC_F_NEXT, 0); // back to the head
            d.offer(0);
        });
    }

    @Test
    void selfLoop() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(3, HEADER, 16, DESC_F_NEXT, 3);
            d.offer(3);
        });
    }

    @Test
    void nextIndexOutsideTable() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, DESC_F_NEXT, 16); // the queue has 16 entries
            d.offer(0);
        });
    }

    @Test
    void headIndexOutsideTable() throws IOException {
        expectDeviceError(d -> d.offer(0xffff));
    }

    @Test
    void availableIndexJumpsPastQueueSize() throws IOException {
        expectDeviceError(d -> d.bumpAvailIdx(17));
    }

    @Test
    void readableAfterWritable() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
            d.descriptor(1, STATUS, 1, DESC_F_NEXT | DESC_F_WRITE, 2);
            d.descriptor(2, DATA, 512, 0, 0);
            d.offer(0);
        });
    }

    @Test
    void requestWithoutStatusByte() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(0, HEADER, 16, 0, 0);
            d.offer(0);
        });
    }

    @Test
    void nestedIndirectTable() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(INDIRECT, 0, INDIRECT + 0x100, 32, DESC_F_INDIRECT, 0);
            d.descriptor(5, INDIRECT, 16, DESC_F_INDIRECT, 0);
            d.offer(5);
        });
    }

    @Test
    void indirectTableOfBadLength() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(5, INDIRECT, 24, DESC_F_INDIRECT, 0);
            d.offer(5);
        });
    }

    @Test
    void indirectTableOutsideRam() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(5, RAM_BASE + RAM_SIZE - 16, 64, DESC_F_INDIRECT, 0);
            d.offer(5);
        });
    }

    @Test
    void loopInsideIndirectTable() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(INDIRECT, 0, HEADER, 16, DESC_F_NEXT, 1);
            d.descriptor(INDIRECT, 1, DATA, 16, DESC_F_NEXT, 0);
            d.descriptor(5, INDIRECT, 32, DESC_F_INDIRECT, 0);
            d.offer(5);
        });
    }

    @Test
    void indirectWithNextFlag() throws IOException {
        expectDeviceError(d -> {
            d.descriptor(INDIRECT, 0, HEADER, 16, 0, 0);
            d.descriptor(5, INDIRECT, 16, DESC_F_INDIRECT | DESC_F_NEXT, 6);
            d.descriptor(6, STATUS, 1, DESC_F_WRITE, 0);
            d.offer(5);
        });
    }

    @Test
    void indirectWithoutTheFeature() throws IOException {
        assertTrue(driver.negotiate(Virtio.F_VERSION_1));
        driver.setUpQueue(16);
        driver.driverOk();
        driver.descriptor(INDIRECT, 0, HEADER, 16, 0, 0);
        driver.descriptor(5, INDIRECT, 16, DESC_F_INDIRECT, 0);
        driver.offer(5);
        driver.awaitNeedsReset();
        recoversAfterReset();
    }

    @Test
    void badQueueSizes() {
        for (long size : new long[] {0, 3, 100, 512, 1L << 31, 0xffff_ffffL}) {
            driver.write(REG_STATUS, 0);
            assertTrue(driver.negotiate(driver.deviceFeatures()));
            driver.write(REG_QUEUE_SEL, 0);
            driver.write(REG_QUEUE_NUM, size);
            assertTrue(driver.needsReset(), "queue size " + size);
            assertEquals(0, driver.interruptStatus(), "no interrupt before DRIVER_OK");
        }
        driver.write(REG_STATUS, 0);
        driver.start(256); // the maximum is fine
    }

    @Test
    void queueReadyWithoutSize() {
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        driver.write(REG_QUEUE_SEL, 0);
        driver.write(REG_QUEUE_READY, 1);
        assertTrue(driver.needsReset());
        assertEquals(0, driver.read(REG_QUEUE_READY));
    }

    @Test
    void queueReadyWithRingsOutsideRam() {
        for (long[] rings : new long[][] {
                {0x1000, RINGS + 0x2000, RINGS + 0x3000},
                {RINGS, RAM_BASE + RAM_SIZE - 8, RINGS + 0x3000},
                {RINGS, RINGS + 0x2000, RAM_BASE + RAM_SIZE - 64},
                {RINGS + 8, RINGS + 0x2000, RINGS + 0x3000}, // descriptor table misaligned
        }) {
            driver.write(REG_STATUS, 0);
            assertTrue(driver.negotiate(driver.deviceFeatures()));
            driver.write(REG_QUEUE_SEL, 0);
            driver.write(REG_QUEUE_NUM, 16);
            writeAddress(REG_QUEUE_DESC_LOW, rings[0]);
            writeAddress(REG_QUEUE_DRIVER_LOW, rings[1]);
            writeAddress(REG_QUEUE_DEVICE_LOW, rings[2]);
            driver.write(REG_QUEUE_READY, 1);
            assertTrue(driver.needsReset(), Arrays.toString(rings));
            assertEquals(0, driver.read(REG_QUEUE_READY));
        }
    }

    private void writeAddress(int lowReg, long address) {
        driver.write(lowReg, address & 0xffff_ffffL);
        driver.write(lowReg + 4, address >>> 32);
    }

    @Test
    void queueSetupAfterDriverOk() {
        driver.start(16);
        driver.write(REG_QUEUE_SEL, 0);
        driver.write(REG_QUEUE_DESC_LOW, 0x1234_0000L);
        assertTrue(driver.needsReset());
        assertEquals(Virtio.INTERRUPT_CONFIG_CHANGE, driver.interruptStatus());
        assertEquals(RINGS, driver.transport.read(REG_QUEUE_DESC_LOW, 4), "address not changed");
        recoversAfterReset();
    }

    @Test
    void queueSetupBeforeFeaturesOk() {
        driver.write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER);
        driver.write(REG_QUEUE_NUM, 16);
        assertTrue(driver.needsReset());
    }

    @Test
    void driverOkWithoutFeaturesOk() {
        driver.write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_DRIVER_OK);
        assertTrue(driver.needsReset());
        assertEquals(0, driver.read(REG_STATUS) & Virtio.STATUS_DRIVER_OK);
    }

    @Test
    void featuresTheDeviceDidNotOfferAreRefused() {
        assertFalse(driver.negotiate(driver.deviceFeatures() | (1L << 40)), "unoffered bit");
        driver.write(REG_STATUS, 0);
        assertFalse(driver.negotiate(driver.deviceFeatures() & ~Virtio.F_VERSION_1), "legacy driver");
        assertFalse(driver.needsReset(), "refusal is not an error");
    }

    @Test
    void featuresCannotChangeAfterFeaturesOk() {
        assertTrue(driver.negotiate(Virtio.F_VERSION_1));
        driver.write(REG_DRIVER_FEATURES_SEL, 0);
        driver.write(REG_DRIVER_FEATURES, 0xffff_ffffL);
        assertEquals(Virtio.F_VERSION_1, driver.transport.negotiatedFeatures());
    }

    @Test
    void statusBitsAreNotClearedExceptByReset() {
        driver.start(16);
        driver.write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE);
        assertEquals(Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK
                | Virtio.STATUS_DRIVER_OK, driver.read(REG_STATUS));
    }

    @Test
    void oddAccessesAreIgnored() {
        assertEquals(0, driver.transport.read(REG_MAGIC, 1), "byte read of a register");
        assertEquals(0, driver.transport.read(REG_MAGIC + 2, 4), "misaligned read");
        assertEquals(0, driver.transport.read(0x0f0, 4), "unknown register");
        assertEquals(MAGIC, driver.read(REG_MAGIC));
        assertEquals(VERSION, driver.read(REG_VERSION));
        assertEquals(VirtioBlk.DEVICE_ID, driver.read(REG_DEVICE_ID));
        driver.transport.write(REG_STATUS, 1, 0xff);
        driver.transport.write(REG_MAGIC, 4, 0);
        driver.transport.write(0xff8, 8, -1L);
        assertEquals(0, driver.read(REG_STATUS));
        driver.write(REG_QUEUE_SEL, 7); // no such queue
        assertEquals(0, driver.read(REG_QUEUE_NUM_MAX));
        driver.write(REG_QUEUE_NUM, 16);
        driver.write(REG_QUEUE_READY, 1);
        driver.write(REG_QUEUE_NOTIFY, 7);
        driver.write(REG_QUEUE_NOTIFY, 0xffff_ffffL);
        assertFalse(driver.needsReset());
        driver.start(16);
    }

    @Test
    void notifyBeforeDriverOkTakesNothing() {
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        driver.setUpQueue(16);
        header(VirtioBlk.T_FLUSH, 0);
        driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
        driver.descriptor(1, STATUS, 1, DESC_F_WRITE, 0);
        driver.offer(0);
        assertEquals(0, driver.usedIdx());
        driver.driverOk(); // buffers already offered are served now
        driver.awaitUsed(1);
    }

    @Test
    void otherDevicesKeepWorkingWhileOneIsBroken() throws IOException {
        Path otherImage = Files.write(dir.resolve("other.img"), new byte[8 * 512]);
        try (VirtioBlk otherBlk = VirtioBlk.open(otherImage, false)) {
            TestDriver other = new TestDriver(ram, otherBlk, OTHER_RINGS).start(16);
            driver.start(16);
            driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 0);
            driver.offer(0);
            driver.awaitNeedsReset();

            long otherHeader = RAM_BASE + 0x9_0000;
            ram.writeInt(otherHeader, VirtioBlk.T_OUT);
            ram.writeLong(otherHeader + 8, 1);
            byte[] pattern = new byte[512];
            Arrays.fill(pattern, (byte) 0x77);
            ram.load(otherHeader + 0x100, pattern);
            other.descriptor(0, otherHeader, 16, DESC_F_NEXT, 1);
            other.descriptor(1, otherHeader + 0x100, 512, DESC_F_NEXT, 2);
            other.descriptor(2, otherHeader + 0x80, 1, DESC_F_WRITE, 0);
            other.offer(0);
            other.awaitUsed(1);
            assertEquals(VirtioBlk.S_OK, ram.read(otherHeader + 0x80, 1)[0]);
            assertFalse(other.needsReset());
            byte[] expected = new byte[8 * 512];
            Arrays.fill(expected, 512, 1024, (byte) 0x77);
            assertArrayEquals(expected, Files.readAllBytes(otherImage));
            assertTrue(driver.needsReset(), "the broken one stays broken until reset");
        }
    }
}
