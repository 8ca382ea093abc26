package dev.nucleo.virtio;

import static dev.nucleo.virtio.VirtioMmioTransport.*;

import dev.nucleo.machine.GuestRam;
import java.lang.invoke.VarHandle;

/**
 * One more virtqueue for a {@link TestDriver}, for devices with several queues: its own rings
 * at {@code ringBase} (descriptors, then available ring at +0x1000, used ring at +0x1800).
 * Set up between {@link TestDriver#negotiate} and {@link TestDriver#driverOk}.
 */
final class DriverQueue {
    final TestDriver driver;
    final GuestRam ram;
    final int index;
    final int size;
    final long desc;
    final long avail;
    final long used;
    private int availIdx;

    DriverQueue(TestDriver driver, int index, int size, long ringBase) {
        this.driver = driver;
        this.ram = driver.ram;
        this.index = index;
        this.size = size;
        this.desc = ringBase;
        this.avail = ringBase + 0x1000;
        this.used = ringBase + 0x1800;
        ram.zero(ringBase, 0x2000);
        driver.write(REG_QUEUE_SEL, index);
        driver.write(REG_QUEUE_NUM, size);
        driver.write(REG_QUEUE_DESC_LOW, desc & 0xffff_ffffL);
        driver.write(REG_QUEUE_DESC_HIGH, desc >>> 32);
        driver.write(REG_QUEUE_DRIVER_LOW, avail & 0xffff_ffffL);
        driver.write(REG_QUEUE_DRIVER_HIGH, avail >>> 32);
        driver.write(REG_QUEUE_DEVICE_LOW, used & 0xffff_ffffL);
        driver.write(REG_QUEUE_DEVICE_HIGH, used >>> 32);
        driver.write(REG_QUEUE_READY, 1);
    }

    void descriptor(int i, long addr, long len, int flags, int next) {
        driver.descriptor(desc, i, addr, len, flags, next);
    }

    /** Puts {@code head} in the available ring and notifies this queue. */
    void offer(int head) {
        writeU16(avail + 4 + 2L * (availIdx % size), head);
        availIdx = (availIdx + 1) & 0xffff;
        VarHandle.releaseFence();
        writeU16(avail + 2, availIdx);
        driver.write(REG_QUEUE_NOTIFY, index);
    }

    int usedIdx() {
        return (ram.readInt(used) >>> 16) & 0xffff;
    }

    int usedId(int i) {
        return ram.readInt(used + 4 + 8L * (i % size));
    }

    int usedLen(int i) {
        return ram.readInt(used + 4 + 8L * (i % size) + 4);
    }

    void awaitUsed(int count) {
        TestDriver.await(() -> usedIdx() >= count, "queue " + index + " used index " + count);
    }

    private void writeU16(long addr, int value) {
        long aligned = addr & ~3L;
        int shift = (int) (8 * (addr & 3));
        int word = ram.readInt(aligned);
        ram.writeInt(aligned, (word & ~(0xffff << shift)) | ((value & 0xffff) << shift));
    }
}
