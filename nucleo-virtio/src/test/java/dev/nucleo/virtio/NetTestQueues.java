package dev.nucleo.virtio;

import static dev.nucleo.virtio.VirtioMmioTransport.*;

import dev.nucleo.machine.GuestRam;
import java.lang.invoke.VarHandle;

/**
 * The driver side of one queue of a multi-queue device for tests: its rings live at their own
 * addresses in guest RAM; descriptors and ring entries are written straight into memory.
 */
final class NetTestQueues {
    private NetTestQueues() {
    }

    static final class Ring {
        final TestDriver driver;
        final int index;
        final int size;
        final long desc;
        final long avail;
        final long used;
        private int availIdx;

        Ring(TestDriver driver, int index, int size, long base) {
            this.driver = driver;
            this.index = index;
            this.size = size;
            this.desc = base;
            this.avail = base + 0x2000;
            this.used = base + 0x3000;
        }

        /** Registers the rings with the transport (between FEATURES_OK and DRIVER_OK). */
        void setUp() {
            driver.ram.zero(desc, 0x4000);
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
            return readU16(used + 2);
        }

        int usedId(int i) {
            return driver.ram.readInt(used + 4 + 8L * (i % size));
        }

        int usedLen(int i) {
            return driver.ram.readInt(used + 4 + 8L * (i % size) + 4);
        }

        void awaitUsed(int count) {
            TestDriver.await(() -> usedIdx() >= count, "queue " + index + " used index " + count);
        }

        private int readU16(long addr) {
            GuestRam ram = driver.ram;
            long word = ram.readInt(addr & ~3L) & 0xffff_ffffL;
            return (int) (word >>> (8 * (addr & 3))) & 0xffff;
        }

        private void writeU16(long addr, int value) {
            GuestRam ram = driver.ram;
            long aligned = addr & ~3L;
            int shift = (int) (8 * (addr & 3));
            int word = ram.readInt(aligned);
            word = (word & ~(0xffff << shift)) | ((value & 0xffff) << shift);
            ram.writeInt(aligned, word);
        }
    }
}
