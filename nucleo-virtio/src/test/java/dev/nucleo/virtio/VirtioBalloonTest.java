package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** virtio-balloon: target and actual, pages really released, statistics, and hostile PFN lists. */
class VirtioBalloonTest {
    static final long BASE = 0x8000_0000L;
    static final long SIZE = 32L << 20;
    static final long INFLATE_RINGS = BASE + 0x1_0000;
    static final long DEFLATE_RINGS = BASE + 0x1_4000;
    static final long STATS_RINGS = BASE + 0x1_8000;
    static final long PFN_LIST = BASE + 0x2_0000;
    static final long STATS_BUF = BASE + 0x3_0000;
    static final long FILLED = BASE + (8L << 20); // 8 MiB of guest data that the balloon takes
    static final int FILLED_PAGES = 2048;

    GuestRam ram;
    VirtioBalloon balloon;
    TestDriver driver;
    DriverQueue inflate;
    DriverQueue deflate;
    DriverQueue stats;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(BASE, SIZE);
        balloon = new VirtioBalloon();
        driver = new TestDriver(ram, balloon, INFLATE_RINGS);
        assertEquals(5, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        inflate = new DriverQueue(driver, VirtioBalloon.INFLATE_QUEUE, 16, INFLATE_RINGS);
        deflate = new DriverQueue(driver, VirtioBalloon.DEFLATE_QUEUE, 16, DEFLATE_RINGS);
        stats = new DriverQueue(driver, VirtioBalloon.STATS_QUEUE, 4, STATS_RINGS);
        driver.driverOk();
        byte[] data = new byte[FILLED_PAGES * 4096];
        Arrays.fill(data, (byte) 0x77);
        ram.load(FILLED, data);
    }

    @AfterEach
    void tearDown() {
        balloon.close();
        ram.close();
    }

    @Test
    void offersStatsQueue() {
        assertNotEquals(0, driver.deviceFeatures() & VirtioBalloon.F_STATS_VQ);
    }

    @Test
    void targetGoesToConfigWithAConfigInterruptAndActualComesBack() {
        int generation = driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION);
        balloon.setTargetBytes(5L << 20);
        assertEquals(1280, (int) driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET, 4), "num_pages");
        assertNotEquals(0, driver.interruptStatus() & Virtio.INTERRUPT_CONFIG_CHANGE);
        assertNotEquals(generation, driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION));
        assertEquals(5L << 20, balloon.targetBytes());

        driver.transport.write(VirtioMmioTransport.CONFIG_OFFSET, 4, 999); // num_pages is the host's
        assertEquals(1280, (int) driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET, 4));
        driver.transport.write(VirtioMmioTransport.CONFIG_OFFSET + 4, 4, 1000);
        assertEquals(1000L * 4096, balloon.actualBytes());
        assertEquals(1000, (int) driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET + 4, 4));

        balloon.setTargetBytes(1L << 40); // more than RAM: clamped
        assertEquals(SIZE / 4096, balloon.targetBytes() / 4096);
        assertThrows(IllegalArgumentException.class, () -> balloon.setTargetBytes(-1));
    }

    @Test
    void inflatedPagesAreReleasedOnTheHostAndReadAsZero() {
        long before = ram.residentBytes();
        int[] pfns = new int[FILLED_PAGES];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = (int) ((FILLED >>> 12) + (pfns.length - 1 - i)); // descending: order must not matter
        }
        sendPfns(inflate, 0, pfns, 0);
        inflate.awaitUsed(1);
        assertFalse(driver.needsReset());
        long after = ram.residentBytes();
        assertTrue(before - after >= (FILLED_PAGES - 16) * 4096L,
                "resident memory fell by " + (before - after) + " bytes");
        assertArrayEquals(new byte[4096], ram.read(FILLED, 4096));
        assertArrayEquals(new byte[4096], ram.read(FILLED + (FILLED_PAGES - 1) * 4096L, 4096));
        assertEquals(FILLED_PAGES * 4096L, balloon.releasedBytes());

        sendPfns(deflate, 0, new int[] {(int) (FILLED >>> 12)}, 0);
        deflate.awaitUsed(1);
        assertFalse(driver.needsReset());
    }

    @Test
    void pfnOutsideRamNeedsResetAndReleasesNothing() {
        int inside = (int) (FILLED >>> 12);
        int beyond = (int) ((BASE + SIZE) >>> 12);
        sendPfns(inflate, 0, new int[] {inside, beyond}, 0);
        driver.awaitNeedsReset();
        assertEquals(0, inflate.usedIdx());
        assertEquals(0x77, ram.read(FILLED, 1)[0], "the valid PFN was not released either");
        assertEquals(0, balloon.releasedBytes());
    }

    @Test
    void pfnBelowRamNeedsReset() {
        sendPfns(inflate, 0, new int[] {0, 0xffff_ffff}, 0);
        driver.awaitNeedsReset();
        assertEquals(0, balloon.releasedBytes());
    }

    @Test
    void pfnListThatIsNotWholePfnsNeedsReset() {
        writePfns(new int[] {(int) (FILLED >>> 12)});
        inflate.descriptor(0, PFN_LIST, 3, 0, 0);
        inflate.offer(0);
        driver.awaitNeedsReset();
        assertEquals(0x77, ram.read(FILLED, 1)[0]);
    }

    @Test
    void absurdlyLongPfnListNeedsReset() {
        inflate.descriptor(0, BASE, SIZE, 0, 0); // all of RAM as one PFN list
        inflate.offer(0);
        driver.awaitNeedsReset();
        assertEquals(0x77, ram.read(FILLED, 1)[0]);
    }

    @Test
    void pfnListInTheWrongDirectionNeedsReset() {
        sendPfns(deflate, 0, new int[] {(int) (FILLED >>> 12)}, DESC_F_WRITE);
        driver.awaitNeedsReset();
    }

    @Test
    void statsAreReadKeptAndRefreshedOnRequest() {
        assertEquals(0, balloon.stats().updates());
        assertFalse(balloon.requestStats(), "no buffer held yet");
        writeStats(4096L * 100, 4096L * 8000);
        stats.descriptor(0, STATS_BUF, 20, 0, 0);
        stats.offer(0);
        TestDriver.await(() -> balloon.stats().updates() == 1, "first stats");
        assertEquals(4096L * 100, balloon.stats().values().get("free-memory"));
        assertEquals(4096L * 8000, balloon.stats().values().get("total-memory"));
        assertEquals(0, stats.usedIdx(), "the device keeps the buffer");

        assertTrue(balloon.requestStats());
        assertEquals(1, stats.usedIdx(), "buffer returned so the driver refills it");
        writeStats(4096L * 50, 4096L * 8000);
        stats.offer(0);
        TestDriver.await(() -> balloon.stats().updates() == 2, "second stats");
        assertEquals(4096L * 50, balloon.stats().values().get("free-memory"));
    }

    @Test
    void writableStatsBufferNeedsReset() {
        stats.descriptor(0, STATS_BUF, 20, DESC_F_WRITE, 0);
        stats.offer(0);
        driver.awaitNeedsReset();
        assertEquals(0, balloon.stats().updates());
    }

    @Test
    void resetForgetsActualAndWorksAgain() {
        driver.transport.write(VirtioMmioTransport.CONFIG_OFFSET + 4, 4, 7);
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        assertEquals(0, balloon.actualBytes());
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        DriverQueue again = new DriverQueue(driver, VirtioBalloon.INFLATE_QUEUE, 16, INFLATE_RINGS);
        driver.driverOk();
        sendPfns(again, 0, new int[] {(int) (FILLED >>> 12)}, 0);
        again.awaitUsed(1);
        assertArrayEquals(new byte[4096], ram.read(FILLED, 4096));
    }

    /** One chain of two buffers holding {@code pfns}, split in the middle. */
    private void sendPfns(DriverQueue queue, int head, int[] pfns, int extraFlags) {
        writePfns(pfns);
        long half = (pfns.length / 2) * 4L;
        if (half == 0) {
            queue.descriptor(head, PFN_LIST, pfns.length * 4L, extraFlags, 0);
        } else {
            queue.descriptor(head, PFN_LIST, half, DESC_F_NEXT | extraFlags, head + 1);
            queue.descriptor(head + 1, PFN_LIST + half, pfns.length * 4L - half, extraFlags, 0);
        }
        queue.offer(head);
    }

    private void writePfns(int[] pfns) {
        ByteBuffer b = ByteBuffer.allocate(pfns.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int pfn : pfns) {
            b.putInt(pfn);
        }
        ram.load(PFN_LIST, b.array());
    }

    private void writeStats(long free, long total) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 4).putLong(free).putShort((short) 5).putLong(total);
        ram.load(STATS_BUF, b.array());
    }
}
