package dev.nucleo.virtio;

import static dev.nucleo.virtio.TestDriver.DESC_F_NEXT;
import static dev.nucleo.virtio.TestDriver.DESC_F_WRITE;
import static dev.nucleo.virtio.TestDriver.RAM_BASE;
import static dev.nucleo.virtio.TestDriver.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import dev.nucleo.virtio.net.MacAddress;
import dev.nucleo.virtio.net.NetBackend;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * virtio-net driven through its registers and rings written straight into guest RAM: the
 * configuration, frames both ways, a guest that posts no receive buffers, and hostile chains.
 */
class VirtioNetTest {
    static final long RX_RINGS = RAM_BASE + 0x1_0000;
    static final long TX_RINGS = RAM_BASE + 0x1_8000;
    static final long BUFFERS = RAM_BASE + 0x4_0000;
    static final int RX_BUFFER = VirtioNet.HEADER + 1518; // what Linux posts without offloads
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    GuestRam ram;
    FakeNetBackend backend;
    VirtioNet net;
    TestDriver driver;
    DriverQueue rx;
    DriverQueue tx;

    @BeforeEach
    void setUp() {
        ram = new GuestRam(RAM_BASE, RAM_SIZE);
        backend = new FakeNetBackend();
        net = new VirtioNet(backend, MAC);
        driver = new TestDriver(ram, net, RX_RINGS);
    }

    @AfterEach
    void tearDown() {
        net.close();
        ram.close();
    }

    void start() {
        assertTrue(driver.negotiate(driver.deviceFeatures()));
        rx = new DriverQueue(driver, VirtioNet.RX, 16, RX_RINGS);
        tx = new DriverQueue(driver, VirtioNet.TX, 16, TX_RINGS);
        driver.driverOk();
        assertFalse(driver.needsReset());
    }

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (i * 31 + seed);
        }
        return f;
    }

    /** Posts receive buffer {@code i} (one writable descriptor of {@code length} bytes). */
    long postRx(int i, int length) {
        long addr = BUFFERS + 0x1_0000L * i;
        rx.descriptor(i, addr, length, DESC_F_WRITE, 0);
        rx.offer(i);
        return addr;
    }

    /** Queues a frame for transmission as header + frame in two descriptors at {@code slot}. */
    void transmit(int slot, byte[] frame) {
        long header = BUFFERS + 0x20_0000 + 0x1_0000L * slot;
        ram.zero(header, VirtioNet.HEADER);
        ram.load(header + 0x100, frame);
        tx.descriptor(2 * slot, header, VirtioNet.HEADER, DESC_F_NEXT, 2 * slot + 1);
        tx.descriptor(2 * slot + 1, header + 0x100, frame.length, 0, 0);
        tx.offer(2 * slot);
    }

    @Test
    void configurationHoldsTheMacAndALinkThatIsUp() {
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET + i, 1);
        }
        assertArrayEquals(MAC.bytes(), mac);
        assertEquals(VirtioNet.S_LINK_UP, driver.transport.read(VirtioMmioTransport.CONFIG_OFFSET + 6, 2));
        assertEquals(VirtioNet.DEVICE_ID, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        long features = driver.deviceFeatures();
        assertEquals(VirtioNet.F_MAC, features & VirtioNet.F_MAC);
        assertEquals(VirtioNet.F_STATUS, features & VirtioNet.F_STATUS);
        assertEquals(Virtio.F_VERSION_1, features & Virtio.F_VERSION_1);
        long offloads = 0x3fc7L; // CSUM, GUEST_CSUM, GUEST/HOST TSO, ECN, UFO (bits 0, 1, 7..13)
        assertEquals(0, features & offloads, "no checksum or segmentation offloads");
    }

    @Test
    void transmittedFramesReachTheBackendWithoutTheHeader() throws Exception {
        start();
        byte[] small = frame(60, 1);
        byte[] full = frame(1514, 2);
        transmit(0, small);
        transmit(1, full);
        assertArrayEquals(small, backend.nextSent());
        assertArrayEquals(full, backend.nextSent());
        tx.awaitUsed(2);
        assertEquals(0, tx.usedId(0));
        assertEquals(2, tx.usedId(1));
        // The worker counts a frame after the backend's send returns, just after the test saw it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (net.counters().txFrames.get() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(2, net.counters().txFrames.get());
    }

    @Test
    void receivedFrameWaitsForABufferThenArrivesBehindAHeader() {
        start();
        byte[] f = frame(98, 3);
        backend.inject(f);
        long buffer = postRx(0, RX_BUFFER);
        rx.awaitUsed(1);
        assertEquals(0, rx.usedId(0));
        assertEquals(VirtioNet.HEADER + f.length, rx.usedLen(0));
        byte[] header = ram.read(buffer, VirtioNet.HEADER);
        byte[] expectedHeader = new byte[VirtioNet.HEADER];
        expectedHeader[10] = 1; // num_buffers
        assertArrayEquals(expectedHeader, header);
        assertArrayEquals(f, ram.read(buffer + VirtioNet.HEADER, f.length));
        // The device writes the used ring, then interrupts: wait for it, as a driver would.
        TestDriver.await(() -> driver.irqRaises.get() > 0, "used-buffer interrupt");
    }

    @Test
    void withoutReceiveBuffersTheOldestFramesAreDroppedAndCounted() {
        start();
        int extra = 10;
        for (int i = 0; i < VirtioNet.RX_BACKLOG + extra; i++) {
            backend.inject(frame(60, i));
        }
        assertEquals(extra, net.rxDroppedBacklogFull());
        long buffer = postRx(0, RX_BUFFER);
        rx.awaitUsed(1);
        assertArrayEquals(frame(60, extra), ram.read(buffer + VirtioNet.HEADER, 60), "oldest surviving frame first");
    }

    @Test
    void aFrameTooBigForTheBufferIsDroppedAndTheBufferServesTheNext() {
        start();
        postRx(0, RX_BUFFER);
        backend.inject(frame(4000, 5));
        byte[] small = frame(70, 6);
        backend.inject(small);
        rx.awaitUsed(1);
        assertEquals(VirtioNet.HEADER + small.length, rx.usedLen(0));
        assertArrayEquals(small, ram.read(BUFFERS + VirtioNet.HEADER, small.length));
        assertEquals(1, net.counters().rxDroppedTooBig.get());
        assertFalse(driver.needsReset());
    }

    @Test
    void transmitChainsWithAbsurdFrameLengthsAreDroppedNotSent() throws Exception {
        start();
        transmit(0, new byte[NetBackend.MAX_FRAME + 1]);
        transmit(1, new byte[3]); // shorter than an Ethernet header
        byte[] good = frame(60, 7);
        transmit(2, good);
        assertArrayEquals(good, backend.nextSent(), "only the sane frame goes out");
        tx.awaitUsed(3);
        assertEquals(2, net.counters().txDroppedBadLength.get());
        assertNull(backend.sent.poll(100, TimeUnit.MILLISECONDS));
        assertFalse(driver.needsReset());
    }

    @Test
    void transmitChainShorterThanTheHeaderNeedsReset() {
        start();
        tx.descriptor(0, BUFFERS, VirtioNet.HEADER - 1, 0, 0);
        tx.offer(0);
        driver.awaitNeedsReset();
    }

    @Test
    void transmitChainWithAWritableBufferNeedsReset() {
        start();
        tx.descriptor(0, BUFFERS, 64, DESC_F_NEXT, 1);
        tx.descriptor(1, BUFFERS + 0x1000, 64, DESC_F_WRITE, 0);
        tx.offer(0);
        driver.awaitNeedsReset();
    }

    @Test
    void transmitBufferOutsideRamNeedsResetAndSendsNothing() {
        start();
        tx.descriptor(0, RAM_BASE + RAM_SIZE - 8, 0x1_0000, 0, 0);
        tx.offer(0);
        driver.awaitNeedsReset();
        assertTrue(backend.sent.isEmpty());
    }

    @Test
    void readOnlyReceiveBufferNeedsReset() {
        start();
        backend.inject(frame(60, 8));
        rx.descriptor(0, BUFFERS, RX_BUFFER, 0, 0);
        rx.offer(0);
        driver.awaitNeedsReset();
        assertEquals(0, rx.usedIdx());
    }

    @Test
    void resetForgetsWaitingFramesAndTheDeviceWorksAgain() throws Exception {
        start();
        backend.inject(frame(60, 9));
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        start();
        byte[] fresh = frame(64, 10);
        backend.inject(fresh);
        long buffer = postRx(0, RX_BUFFER);
        rx.awaitUsed(1);
        assertArrayEquals(fresh, ram.read(buffer + VirtioNet.HEADER, fresh.length));
        byte[] out = frame(60, 11);
        transmit(0, out);
        assertArrayEquals(out, backend.nextSent());
    }

    @Test
    void closingTheDeviceClosesTheBackend() {
        net.close();
        assertTrue(backend.closed);
    }

    @Test
    void derivedMacsAreStableUnicastAndDifferPerSpec() {
        MacAddress a = MacAddress.derivedFrom("stream=listen:/tmp/x");
        assertEquals(a, MacAddress.derivedFrom("stream=listen:/tmp/x"));
        assertNotEquals(a, MacAddress.derivedFrom("stream=connect:/tmp/x"));
        assertEquals("52:54:00", a.toString().substring(0, 8));
        assertEquals(MAC, MacAddress.parse(MAC.toString()));
        assertTrue(Arrays.equals(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56}, MAC.bytes()));
    }
}
