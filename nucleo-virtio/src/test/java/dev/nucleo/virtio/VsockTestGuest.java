package dev.nucleo.virtio;

import static dev.nucleo.virtio.VirtioMmioTransport.*;

import dev.nucleo.machine.GuestRam;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Plays the guest's vsock driver: sets up the three queues, keeps receive buffers posted,
 * and writes transmit packets (valid or not) straight into guest RAM.
 */
final class VsockTestGuest {
    static final int QUEUE_SIZE = 16;
    static final int RX_BUFFER = VsockHeader.SIZE + 4096;
    static final long RINGS = TestDriver.RAM_BASE + 0x1_0000;
    static final long TX_BUFFERS = TestDriver.RAM_BASE + 0x4_0000;
    static final long RX_BUFFERS = TestDriver.RAM_BASE + 0x8_0000;
    private static final int SLOT = 0x2000;

    record Packet(VsockHeader header, byte[] payload) {
    }

    final TestDriver driver;
    final GuestRam ram;
    private final int[] availIdx = new int[3];
    private final int[] usedSeen = new int[3];
    private final ArrayDeque<Packet> received = new ArrayDeque<>();

    VsockTestGuest(GuestRam ram, VirtioVsock device) {
        this.ram = ram;
        this.driver = new TestDriver(ram, device, RINGS);
    }

    /** Initialises the device with all its features and posts every receive buffer. */
    VsockTestGuest start() {
        if (!driver.negotiate(driver.deviceFeatures())) {
            throw new AssertionError("device refused its own features");
        }
        for (int q = 0; q < 3; q++) {
            ram.zero(desc(q), 0x4000);
            driver.write(REG_QUEUE_SEL, q);
            driver.write(REG_QUEUE_NUM, QUEUE_SIZE);
            driver.write(REG_QUEUE_DESC_LOW, desc(q) & 0xffff_ffffL);
            driver.write(REG_QUEUE_DESC_HIGH, desc(q) >>> 32);
            driver.write(REG_QUEUE_DRIVER_LOW, avail(q) & 0xffff_ffffL);
            driver.write(REG_QUEUE_DRIVER_HIGH, avail(q) >>> 32);
            driver.write(REG_QUEUE_DEVICE_LOW, used(q) & 0xffff_ffffL);
            driver.write(REG_QUEUE_DEVICE_HIGH, used(q) >>> 32);
            driver.write(REG_QUEUE_READY, 1);
        }
        driver.driverOk();
        for (int i = 0; i < QUEUE_SIZE; i++) {
            postRx(i);
        }
        return this;
    }

    static long desc(int q) {
        return RINGS + 0x4000L * q;
    }

    static long avail(int q) {
        return desc(q) + 0x1000;
    }

    static long used(int q) {
        return desc(q) + 0x2000;
    }

    private void postRx(int slot) {
        driver.descriptor(desc(VirtioVsock.RX), slot, RX_BUFFERS + (long) SLOT * slot, RX_BUFFER,
                TestDriver.DESC_F_WRITE, 0);
        offer(VirtioVsock.RX, slot);
    }

    private void offer(int q, int head) {
        writeU16(avail(q) + 4 + 2L * (availIdx[q] % QUEUE_SIZE), head);
        availIdx[q] = (availIdx[q] + 1) & 0xffff;
        VarHandle.releaseFence();
        writeU16(avail(q) + 2, availIdx[q]);
        driver.write(REG_QUEUE_NOTIFY, q);
    }

    /** A guest-to-host header with this guest's CID and the host's. */
    static VsockHeader header(long cid, int guestPort, int hostPort, int op, int len, int flags) {
        return new VsockHeader(cid, 2, guestPort, hostPort, len, VsockHeader.TYPE_STREAM, op, flags, 1 << 16, 0);
    }

    /** Sends a packet as one readable descriptor, waiting until the device has used it. */
    void send(VsockHeader h, byte[] payload) {
        byte[] bytes = new byte[VsockHeader.SIZE + payload.length];
        System.arraycopy(h.encode(), 0, bytes, 0, VsockHeader.SIZE);
        System.arraycopy(payload, 0, bytes, VsockHeader.SIZE, payload.length);
        sendRaw(bytes);
    }

    /** Sends header and payload in two chained descriptors, as older Linux drivers do. */
    void sendSplit(VsockHeader h, byte[] payload) {
        int q = VirtioVsock.TX;
        long buffer = TX_BUFFERS + (long) SLOT * (QUEUE_SIZE - 1);
        ram.load(buffer, h.encode());
        ram.load(buffer + 0x100, payload);
        driver.descriptor(desc(q), QUEUE_SIZE - 2, buffer, VsockHeader.SIZE, TestDriver.DESC_F_NEXT, QUEUE_SIZE - 1);
        driver.descriptor(desc(q), QUEUE_SIZE - 1, buffer + 0x100, payload.length, 0, 0);
        int target = (availIdx[q] + 1) & 0xffff;
        offer(q, QUEUE_SIZE - 2);
        TestDriver.await(() -> readU16(used(q) + 2) == target || driver.needsReset(), "tx used " + target);
    }

    /** Sends arbitrary bytes as a transmit chain of one descriptor. */
    void sendRaw(byte[] bytes) {
        int q = VirtioVsock.TX;
        int slot = availIdx[q] % QUEUE_SIZE;
        long buffer = TX_BUFFERS + (long) SLOT * slot;
        ram.load(buffer, bytes);
        driver.descriptor(desc(q), slot, buffer, bytes.length, 0, 0);
        int target = (availIdx[q] + 1) & 0xffff;
        offer(q, slot);
        TestDriver.await(() -> readU16(used(q) + 2) == target || driver.needsReset(), "tx used " + target);
    }

    /** Collects what the device put in receive buffers, and posts the buffers again. */
    private void collect() {
        int q = VirtioVsock.RX;
        int usedIdx = readU16(used(q) + 2);
        VarHandle.acquireFence();
        while (usedSeen[q] != usedIdx) {
            long element = used(q) + 4 + 8L * (usedSeen[q] % QUEUE_SIZE);
            int head = ram.readInt(element);
            int len = ram.readInt(element + 4);
            long buffer = RX_BUFFERS + (long) SLOT * head;
            if (len >= VsockHeader.SIZE) {
                VsockHeader h = VsockHeader.decode(ram.read(buffer, VsockHeader.SIZE));
                received.add(new Packet(h, ram.read(buffer + VsockHeader.SIZE, len - VsockHeader.SIZE)));
            }
            usedSeen[q] = (usedSeen[q] + 1) & 0xffff;
            postRx(head);
        }
    }

    /** The first received packet that matches, waiting up to 10 s; earlier others are dropped. */
    Packet await(String what, Predicate<Packet> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            collect();
            while (!received.isEmpty()) {
                Packet p = received.poll();
                if (match.test(p)) {
                    return p;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            sleep();
        }
    }

    Packet awaitOp(int op) {
        return await("op " + op, p -> p.header().op() == op);
    }

    /** Everything received within {@code millis}. */
    List<Packet> drainFor(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Packet> out = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            collect();
            while (!received.isEmpty()) {
                out.add(received.poll());
            }
            sleep();
        }
        return out;
    }

    boolean needsReset() {
        return driver.needsReset();
    }

    private static void sleep() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    int readU16(long addr) {
        long word = ram.readInt(addr & ~3L) & 0xffff_ffffL;
        return (int) (word >>> (8 * (addr & 3))) & 0xffff;
    }

    void writeU16(long addr, int value) {
        long aligned = addr & ~3L;
        int shift = (int) (8 * (addr & 3));
        int word = ram.readInt(aligned);
        word = (word & ~(0xffff << shift)) | ((value & 0xffff) << shift);
        ram.writeInt(aligned, word);
    }
}
