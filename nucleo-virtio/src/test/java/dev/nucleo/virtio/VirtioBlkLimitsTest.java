package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static dev.nucleo.virtio.VirtioBlkTest.DATA;
import static dev.nucleo.virtio.VirtioBlkTest.HEADER;
import static dev.nucleo.virtio.VirtioBlkTest.RINGS;
import static dev.nucleo.virtio.VirtioBlkTest.STATUS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk under IOPS and bandwidth limits, driven through its rings on the real clock. */
class VirtioBlkLimitsTest {
    @TempDir
    Path dir;
    GuestRam ram;
    VirtioBlk blk;
    TestDriver driver;

    @BeforeEach
    void setUp() throws IOException {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
        Path image = dir.resolve("disk.img");
        Files.write(image, new byte[1 << 20]);
        blk = VirtioBlk.open(image, false);
        driver = new TestDriver(ram, blk, RINGS).start(16);
    }

    @AfterEach
    void tearDown() {
        blk.close();
        ram.close();
    }

    /** Offers a read of {@code bytes} at sector 0; returns the used index to wait for. */
    private int offerRead(long bytes) {
        ram.writeInt(HEADER, VirtioBlk.T_IN);
        ram.writeLong(HEADER + 8, 0);
        int used = driver.usedIdx();
        driver.descriptor(0, HEADER, 16, DESC_F_NEXT, 1);
        driver.descriptor(1, DATA, bytes, DESC_F_NEXT | DESC_F_WRITE, 2);
        driver.descriptor(2, STATUS, 1, DESC_F_WRITE, 0);
        driver.offer(0);
        return used + 1;
    }

    private void read(long bytes) {
        driver.awaitUsed(offerRead(bytes));
        assertEquals(VirtioBlk.S_OK, ram.read(STATUS, 1)[0]);
    }

    @Test
    void iopsLimitSlowsRequestsDownToTheRate() {
        blk.setLimits(new IoLimits(20, 0));
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            read(4096);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // 21 start at once (a second's burst and one into debt); the other 29 come at 20/s
        assertTrue(seconds >= 29 / 20.0 * 0.98, "50 requests at 20 IOPS took only " + seconds + " s");
    }

    @Test
    void bandwidthLimitSlowsBytesDownToTheRate() {
        blk.setLimits(new IoLimits(0, 256 << 10));
        long start = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            read(64 << 10); // 768 KiB at 256 KiB/s, 256 KiB of burst
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= (12 - 5) * 0.25 * 0.98, "768 KiB at 256 KiB/s took only " + seconds + " s");
    }

    @Test
    void closeEndsAWaitForTokens() {
        blk.setLimits(new IoLimits(0, 512)); // one 64 KiB read puts the disk two minutes in debt
        read(64 << 10);
        offerRead(4096);
        long start = System.nanoTime();
        blk.close();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 2, "close took " + seconds + " s");
    }

    @Test
    void liftingTheLimitReleasesAWaitingRequest() {
        blk.setLimits(new IoLimits(0, 512));
        read(64 << 10);
        int next = offerRead(4096);
        blk.setLimits(IoLimits.NONE);
        driver.awaitUsed(next); // within TestDriver's 10 s, not the two minutes the debt needed
        assertEquals(VirtioBlk.S_OK, ram.read(STATUS, 1)[0]);
    }
}
