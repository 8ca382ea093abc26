package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** virtio-rng: buffers come back full of random bytes, bounded; odd chains never hurt the host. */
class VirtioRngTest {
    static final long RINGS = RAM_BASE + 0x1_0000;
    static final long DATA = RAM_BASE + 0x2_0000;

    GuestRam ram;
    VirtioRng rng;
    TestDriver driver;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
        rng = new VirtioRng();
        driver = new TestDriver(ram, rng, RINGS);
    }

    @AfterEach
    void tearDown() {
        rng.close();
        ram.close();
    }

    @Test
    void identifiesAsEntropyDevice() {
        assertEquals(4, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
    }

    @Test
    void fillsWritableBuffersWithRandomBytes() {
        driver.start(8);
        // two buffers in one chain: 64 bytes, then 4096 bytes
        driver.descriptor(0, DATA, 64, DESC_F_WRITE | DESC_F_NEXT, 1);
        driver.descriptor(1, DATA + 0x1000, 4096, DESC_F_WRITE, 0);
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(0, driver.usedId(0));
        assertEquals(64 + 4096, driver.usedLen(0));
        byte[] first = ram.read(DATA, 64);
        byte[] second = ram.read(DATA + 0x1000, 4096);
        assertFalse(Arrays.equals(new byte[64], first), "first buffer filled");
        assertTrue(distinctValues(second) > 200, "4096 random bytes take most of the 256 values");
        assertArrayEquals(new byte[64], ram.read(DATA + 64, 64), "nothing written past the first buffer");

        driver.descriptor(2, DATA + 0x3000, 64, DESC_F_WRITE, 0);
        driver.offer(2);
        driver.awaitUsed(2);
        assertNotEquals(Arrays.toString(first), Arrays.toString(ram.read(DATA + 0x3000, 64)), "fresh bytes each time");
        // The device writes the used ring, then interrupts: wait for it, as a driver would.
        TestDriver.await(() -> driver.irqRaises.get() >= 1, "used-buffer interrupt");
    }

    @Test
    void hugeRequestIsFilledOnlyUpToTheBound() {
        driver.start(8);
        long big = 2L << 20; // 2 MiB buffer
        driver.descriptor(0, DATA, big, DESC_F_WRITE, 0);
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(VirtioRng.MAX_BYTES_PER_REQUEST, driver.usedLen(0));
        assertArrayEquals(new byte[4096], ram.read(DATA + VirtioRng.MAX_BYTES_PER_REQUEST, 4096),
                "bytes beyond the bound untouched");
        assertFalse(driver.needsReset());
    }

    @Test
    void readOnlyBufferIsReturnedEmptyAndUntouched() {
        driver.start(8);
        ram.load(DATA, new byte[] {1, 2, 3, 4});
        driver.descriptor(0, DATA, 4, 0, 0); // device-readable: the wrong direction
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(0, driver.usedLen(0));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, ram.read(DATA, 4));
        assertFalse(driver.needsReset());
    }

    @Test
    void bufferOutsideRamNeedsResetAndResetRecovers() {
        driver.start(8);
        driver.descriptor(0, RAM_BASE + RAM_SIZE - 16, 4096, DESC_F_WRITE, 0); // runs off the end of RAM
        driver.offer(0);
        driver.awaitNeedsReset();
        assertEquals(0, driver.usedIdx(), "nothing completed");

        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        driver.start(8);
        driver.descriptor(0, DATA, 32, DESC_F_WRITE, 0);
        driver.offer(0);
        driver.awaitUsed(1);
        assertEquals(32, driver.usedLen(0));
    }

    private static int distinctValues(byte[] data) {
        boolean[] seen = new boolean[256];
        int n = 0;
        for (byte b : data) {
            if (!seen[b & 0xff]) {
                seen[b & 0xff] = true;
                n++;
            }
        }
        return n;
    }
}
