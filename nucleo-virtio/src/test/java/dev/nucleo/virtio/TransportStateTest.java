package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A suspended transport serves nothing; its saved state (registers, queues, device) loads into a
 * fresh transport, which goes on serving the same rings where the first one stopped.
 */
class TransportStateTest {
    static final long RINGS = RAM_BASE + 0x1_0000;
    static final long DATA = RAM_BASE + 0x2_0000;

    GuestRam ram;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    private static byte[] save(VirtioMmioTransport t) {
        StateWriter out = new StateWriter();
        t.save(out);
        return out.toByteArray();
    }

    @Test
    void aSuspendedDeviceServesNothingUntilUnsuspended() throws Exception {
        VirtioRng rng = new VirtioRng();
        try (rng) {
            TestDriver driver = new TestDriver(ram, rng, RINGS).start(8);
            driver.transport.suspend();
            driver.descriptor(0, DATA, 64, DESC_F_WRITE, 0);
            driver.offer(0);
            Thread.sleep(300);
            assertEquals(0, driver.usedIdx(), "nothing served while suspended");
            driver.transport.unsuspend();
            driver.awaitUsed(1);
        }
    }

    @Test
    void aRestoredTransportServesWhatWasQueuedWhileSuspended() throws Exception {
        VirtioRng first = new VirtioRng();
        VirtioRng second = new VirtioRng();
        try (first; second) {
            TestDriver driver = new TestDriver(ram, first, RINGS).start(8);
            driver.descriptor(0, DATA, 64, DESC_F_WRITE, 0);
            driver.offer(0);
            driver.awaitUsed(1);
            driver.transport.suspend();
            driver.descriptor(1, DATA + 0x1000, 32, DESC_F_WRITE, 0);
            driver.offer(1);
            byte[] state = save(driver.transport);

            boolean[] irq = new boolean[1];
            VirtioMmioTransport restored = new VirtioMmioTransport(second, ram, level -> irq[0] = level);
            restored.load(new StateReader("virtio.0", state));
            assertEquals(driver.transport.status(), restored.status());
            assertEquals(driver.transport.negotiatedFeatures(), restored.negotiatedFeatures());
            assertEquals(1, restored.read(VirtioMmioTransport.REG_QUEUE_READY, 4));
            TestDriver.await(() -> driver.usedIdx() == 2, "the restored device to serve the queued buffer");
            assertEquals(1, driver.usedId(1));
            assertEquals(32, driver.usedLen(1));
            assertTrue(irq[0] || restored.read(VirtioMmioTransport.REG_INTERRUPT_STATUS, 4) != 0);
        }
    }

    @Test
    void stateOfAnotherDeviceOrDiskSizeIsRefused(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.img");
        Path big = dir.resolve("big.img");
        Files.write(small, new byte[1 << 20]);
        Files.write(big, new byte[2 << 20]);
        VirtioBlk a = VirtioBlk.open(small, false);
        VirtioBlk b = VirtioBlk.open(big, false);
        VirtioRng rng = new VirtioRng();
        try (a; b; rng) {
            TestDriver driver = new TestDriver(ram, a, RINGS).start(8);
            byte[] state = save(driver.transport);
            VirtioMmioTransport bigger = new VirtioMmioTransport(b, ram, level -> { });
            StateException e = assertThrows(StateException.class,
                    () -> bigger.load(new StateReader("virtio.0", state)));
            assertTrue(e.getMessage().contains("sectors"), e.getMessage());
            VirtioMmioTransport other = new VirtioMmioTransport(rng, ram, level -> { });
            e = assertThrows(StateException.class, () -> other.load(new StateReader("virtio.0", state)));
            assertTrue(e.getMessage().contains("device id"), e.getMessage());
        }
    }

    @Test
    void aBalloonKeepsItsTargetAndActualSize() throws Exception {
        VirtioBalloon a = new VirtioBalloon();
        VirtioBalloon b = new VirtioBalloon();
        try (a; b) {
            TestDriver driver = new TestDriver(ram, a, RINGS).start(8);
            a.setTargetBytes(2L << 20);
            driver.transport.write(VirtioMmioTransport.CONFIG_OFFSET + 4, 4, 1024); // actual, in pages
            driver.transport.suspend();
            byte[] state = save(driver.transport);
            VirtioMmioTransport restored = new VirtioMmioTransport(b, ram, level -> { });
            restored.load(new StateReader("virtio.0", state));
            assertEquals(2L << 20, b.targetBytes());
            assertEquals(a.actualBytes(), b.actualBytes());
        }
    }
}
