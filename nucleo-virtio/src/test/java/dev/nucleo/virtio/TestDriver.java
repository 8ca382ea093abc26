package dev.nucleo.virtio;

import static dev.nucleo.virtio.VirtioMmioTransport.*;

import dev.nucleo.machine.GuestRam;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Plays the guest driver for tests: talks to a transport through its registers and writes
 * descriptors and rings straight into guest RAM, including the broken ones a hostile guest
 * would write.
 */
final class TestDriver {
    static final long RAM_BASE = 0x8000_0000L;
    static final long RAM_SIZE = 4L << 20;
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;

    final GuestRam ram;
    final VirtioMmioTransport transport;
    final AtomicBoolean irqLevel = new AtomicBoolean();
    final AtomicInteger irqRaises = new AtomicInteger();
    final long desc;
    final long avail;
    final long used;
    int queueSize;
    private int availIdx;

    /** A driver for {@code device} whose rings sit at {@code ringBase} in {@code ram}. */
    TestDriver(GuestRam ram, VirtioDevice device, long ringBase) {
        this.ram = ram;
        this.transport = new VirtioMmioTransport(device, ram, level -> {
            if (level && !irqLevel.getAndSet(true)) {
                irqRaises.incrementAndGet();
            } else if (!level) {
                irqLevel.set(false);
            }
        });
        this.desc = ringBase;
        this.avail = ringBase + 0x2000;
        this.used = ringBase + 0x3000;
    }

    int read(int reg) {
        return (int) transport.read(reg, 4);
    }

    void write(int reg, long value) {
        transport.write(reg, 4, value);
    }

    long deviceFeatures() {
        write(REG_DEVICE_FEATURES_SEL, 0);
        long low = read(REG_DEVICE_FEATURES) & 0xffff_ffffL;
        write(REG_DEVICE_FEATURES_SEL, 1);
        return low | ((long) read(REG_DEVICE_FEATURES) << 32);
    }

    /** ACKNOWLEDGE, DRIVER, features; returns whether FEATURES_OK stuck. */
    boolean negotiate(long features) {
        write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE);
        write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER);
        write(REG_DRIVER_FEATURES_SEL, 0);
        write(REG_DRIVER_FEATURES, features & 0xffff_ffffL);
        write(REG_DRIVER_FEATURES_SEL, 1);
        write(REG_DRIVER_FEATURES, features >>> 32);
        write(REG_STATUS, Virtio.STATUS_ACKNOWLEDGE | Virtio.STATUS_DRIVER | Virtio.STATUS_FEATURES_OK);
        return (read(REG_STATUS) & Virtio.STATUS_FEATURES_OK) != 0;
    }

    /** Queue 0 of {@code size} entries at this driver's ring addresses. */
    void setUpQueue(int size) {
        queueSize = size;
        ram.zero(desc, 0x4000);
        availIdx = 0;
        write(REG_QUEUE_SEL, 0);
        write(REG_QUEUE_NUM, size);
        write(REG_QUEUE_DESC_LOW, desc & 0xffff_ffffL);
        write(REG_QUEUE_DESC_HIGH, desc >>> 32);
        write(REG_QUEUE_DRIVER_LOW, avail & 0xffff_ffffL);
        write(REG_QUEUE_DRIVER_HIGH, avail >>> 32);
        write(REG_QUEUE_DEVICE_LOW, used & 0xffff_ffffL);
        write(REG_QUEUE_DEVICE_HIGH, used >>> 32);
        write(REG_QUEUE_READY, 1);
    }

    void driverOk() {
        write(REG_STATUS, read(REG_STATUS) | Virtio.STATUS_DRIVER_OK);
    }

    /** The whole initialisation with all the device's features and a queue of {@code size}. */
    TestDriver start(int size) {
        if (!negotiate(deviceFeatures())) {
            throw new AssertionError("device refused its own features");
        }
        setUpQueue(size);
        driverOk();
        if ((read(REG_STATUS) & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
            throw new AssertionError("device needs reset after a correct initialisation");
        }
        return this;
    }

    /** Writes descriptor {@code index} of the table at {@code table}. */
    void descriptor(long table, int index, long addr, long len, int flags, int next) {
        long d = table + 16L * index;
        ram.writeLong(d, addr);
        ram.writeInt(d + 8, (int) len);
        ram.writeInt(d + 12, (flags & 0xffff) | (next << 16));
    }

    void descriptor(int index, long addr, long len, int flags, int next) {
        descriptor(desc, index, addr, len, flags, next);
    }

    /** Puts {@code head} in the available ring and notifies queue 0. */
    void offer(int head) {
        writeU16(avail + 4 + 2L * (availIdx % queueSize), head);
        availIdx = (availIdx + 1) & 0xffff;
        VarHandle.releaseFence();
        writeU16(avail + 2, availIdx);
        write(REG_QUEUE_NOTIFY, 0);
    }

    /** Moves the available index by {@code n} without writing ring entries. */
    void bumpAvailIdx(int n) {
        availIdx = (availIdx + n) & 0xffff;
        writeU16(avail + 2, availIdx);
        write(REG_QUEUE_NOTIFY, 0);
    }

    void setUsedEvent(int value) {
        writeU16(avail + 4 + 2L * queueSize, value);
    }

    void setAvailFlags(int flags) {
        writeU16(avail, flags);
    }

    int usedIdx() {
        return readU16(used + 2);
    }

    int usedId(int i) {
        return ram.readInt(used + 4 + 8L * (i % queueSize));
    }

    int usedLen(int i) {
        return ram.readInt(used + 4 + 8L * (i % queueSize) + 4);
    }

    int availEvent() {
        return readU16(used + 4 + 8L * queueSize);
    }

    boolean needsReset() {
        return (read(REG_STATUS) & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0;
    }

    int interruptStatus() {
        return read(REG_INTERRUPT_STATUS);
    }

    void awaitUsed(int count) {
        await(() -> usedIdx() >= count, "used index " + count);
    }

    void awaitNeedsReset() {
        await(this::needsReset, "DEVICE_NEEDS_RESET");
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private int readU16(long addr) {
        long word = ram.readInt(addr & ~3L) & 0xffff_ffffL;
        return (int) (word >>> (8 * (addr & 3))) & 0xffff;
    }

    private void writeU16(long addr, int value) {
        long aligned = addr & ~3L;
        int shift = (int) (8 * (addr & 3));
        int word = ram.readInt(aligned);
        word = (word & ~(0xffff << shift)) | ((value & 0xffff) << shift);
        ram.writeInt(aligned, word);
    }
}
