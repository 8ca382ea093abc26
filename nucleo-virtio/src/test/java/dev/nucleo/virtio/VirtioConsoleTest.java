package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** virtio-console port 0: guest output reaches the host, host input fills receive buffers. */
class VirtioConsoleTest {
    static final long RX_RINGS = RAM_BASE + 0x1_0000;
    static final long TX_RINGS = RAM_BASE + 0x1_4000;
    static final long DATA = RAM_BASE + 0x2_0000;

    /** A host side that records output and lets the test type input. */
    static final class FakeHost implements ConsoleHost {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        volatile InputSink sink;
        volatile boolean closed;

        @Override
        public void start(InputSink sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(byte[] data) {
            output.writeBytes(data);
        }

        synchronized String output() {
            return output.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    GuestRam ram;
    FakeHost host;
    VirtioConsole console;
    TestDriver driver;
    DriverQueue rx;
    DriverQueue tx;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
        host = new FakeHost();
        console = new VirtioConsole(host);
        driver = new TestDriver(ram, console, RX_RINGS);
        assertEquals(3, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        rx = new DriverQueue(driver, VirtioConsole.RECEIVE_QUEUE, 8, RX_RINGS);
        tx = new DriverQueue(driver, VirtioConsole.TRANSMIT_QUEUE, 8, TX_RINGS);
        driver.driverOk();
        assertFalse(driver.needsReset());
    }

    @AfterEach
    void tearDown() {
        console.close();
        ram.close();
    }

    @Test
    void guestOutputReachesTheHostInOrder() {
        ram.load(DATA, "hello ".getBytes(StandardCharsets.US_ASCII));
        ram.load(DATA + 0x100, "from hvc0\n".getBytes(StandardCharsets.US_ASCII));
        tx.descriptor(0, DATA, 6, DESC_F_NEXT, 1); // one chain, two readable buffers
        tx.descriptor(1, DATA + 0x100, 10, 0, 0);
        tx.offer(0);
        ram.load(DATA + 0x200, "again\n".getBytes(StandardCharsets.US_ASCII));
        tx.descriptor(2, DATA + 0x200, 6, 0, 0);
        tx.offer(2);
        tx.awaitUsed(2);
        TestDriver.await(() -> host.output().equals("hello from hvc0\nagain\n"), "host output, got " + host.output());
        assertEquals(0, tx.usedLen(0), "nothing written into transmit buffers");
    }

    @Test
    void hostInputIsSplitAcrossReceiveBuffersAndTheNextChunkWaits() throws Exception {
        assertTrue(host.sink.deliver("0123456789abcdefXYZ".getBytes(StandardCharsets.US_ASCII)));
        CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(() -> {
            try {
                return host.sink.deliver("next".getBytes(StandardCharsets.US_ASCII));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(50);
        assertFalse(next.isDone(), "the next chunk waits until the guest has taken the first");
        rx.descriptor(0, DATA, 16, DESC_F_WRITE, 0);
        rx.offer(0);
        rx.awaitUsed(1);
        assertEquals(16, rx.usedLen(0));
        Thread.sleep(50);
        assertFalse(next.isDone(), "three bytes of the first chunk still wait");
        rx.descriptor(1, DATA + 0x100, 64, DESC_F_WRITE, 0);
        rx.offer(1);
        rx.awaitUsed(2);
        assertEquals(3, rx.usedLen(1));
        assertTrue(next.get(5, TimeUnit.SECONDS));
        rx.descriptor(2, DATA + 0x200, 64, DESC_F_WRITE, 0);
        rx.offer(2);
        rx.awaitUsed(3);
        assertEquals(4, rx.usedLen(2));
        assertArrayEquals("0123456789abcdef".getBytes(StandardCharsets.US_ASCII), ram.read(DATA, 16));
        assertArrayEquals("XYZ".getBytes(StandardCharsets.US_ASCII), ram.read(DATA + 0x100, 3));
        assertArrayEquals("next".getBytes(StandardCharsets.US_ASCII), ram.read(DATA + 0x200, 4));
    }

    @Test
    void receiveBufferInTheWrongDirectionNeedsReset() throws Exception {
        CompletableFuture.runAsync(() -> {
            try {
                host.sink.deliver(new byte[] {'x'});
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        ram.load(DATA, new byte[] {7, 7, 7, 7});
        rx.descriptor(0, DATA, 4, 0, 0); // device-readable receive buffer
        rx.offer(0);
        driver.awaitNeedsReset();
        assertArrayEquals(new byte[] {7, 7, 7, 7}, ram.read(DATA, 4));
        assertEquals(0, rx.usedIdx());
    }

    @Test
    void absurdTransmitLengthIsBoundedAndTheDeviceGoesOn() {
        long big = 2L << 20;
        tx.descriptor(0, DATA, big, 0, 0);
        tx.offer(0);
        tx.awaitUsed(1);
        TestDriver.await(() -> host.output().length() == VirtioConsole.MAX_TX_BYTES, "bounded output");
        ram.load(DATA, "ok".getBytes(StandardCharsets.US_ASCII));
        tx.descriptor(1, DATA, 2, 0, 0);
        tx.offer(1);
        tx.awaitUsed(2);
        TestDriver.await(() -> host.output().endsWith("ok"), "later output");
        assertFalse(driver.needsReset());
    }

    @Test
    void transmitChainOutsideRamNeedsReset() {
        tx.descriptor(0, RAM_BASE + RAM_SIZE, 16, 0, 0);
        tx.offer(0);
        driver.awaitNeedsReset();
        assertEquals("", host.output());
    }

    @Test
    void closeReleasesTheHostAndAWaitingWriter() throws Exception {
        host.sink.deliver(new byte[] {1}); // queued, no receive buffer
        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
            try {
                return host.sink.deliver(new byte[] {2});
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(50);
        assertFalse(second.isDone());
        console.close();
        assertFalse(second.get(5, TimeUnit.SECONDS), "dropped once closed");
        assertTrue(host.closed);
    }
}
