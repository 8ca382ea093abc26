package dev.nucleo.machine;

/**
 * The physical memory map and interrupt numbers of the board. It follows the de-facto RISC-V
 * "virt" platform so that stock OpenSBI and Linux find their devices where they expect them.
 */
public final class VirtMemoryMap {
    /** sifive,test0 finisher / syscon (power-off, reset, failure exit). */
    public static final long TEST_BASE = 0x0010_0000L;
    public static final long TEST_SIZE = 0x1000L;

    /** Goldfish real-time clock. */
    public static final long RTC_BASE = 0x0010_1000L;
    public static final long RTC_SIZE = 0x1000L;
    public static final int RTC_IRQ = 11;

    /** Core-local interruptor: msip, mtimecmp, mtime. */
    public static final long CLINT_BASE = 0x0200_0000L;
    public static final long CLINT_SIZE = 0x1_0000L;

    /** Platform-level interrupt controller. */
    public static final long PLIC_BASE = 0x0c00_0000L;
    public static final long PLIC_SIZE = 0x60_0000L;
    /** Interrupt sources 1..PLIC_SOURCES (0 is reserved and never interrupts). */
    public static final int PLIC_SOURCES = 95;

    /** NS16550A console UART. */
    public static final long UART0_BASE = 0x1000_0000L;
    public static final long UART0_SIZE = 0x100L;
    public static final int UART0_IRQ = 10;
    /** The clock the UART claims to run on (only affects the divisor Linux computes). */
    public static final int UART0_CLOCK_HZ = 0x38_4000;

    /** virtio-mmio transport slots: slot n at VIRTIO_BASE + n * VIRTIO_STRIDE, IRQ n + 1. */
    public static final long VIRTIO_BASE = 0x1000_1000L;
    public static final long VIRTIO_STRIDE = 0x1000L;
    public static final int VIRTIO_COUNT = 8;
    public static final int VIRTIO_IRQ_BASE = 1;

    /** DRAM; firmware is loaded at its base and the kernel at DRAM_BASE + KERNEL_OFFSET. */
    public static final long DRAM_BASE = 0x8000_0000L;
    /** Where fw_jump expects the kernel: 2 MiB into RAM (keeps a 2 MiB huge-page alignment). */
    public static final long KERNEL_OFFSET = 0x20_0000L;

    /** The CLINT mtime frequency advertised as timebase-frequency. */
    public static final long TIMEBASE_HZ = Clint.TIMEBASE_HZ;

    private VirtMemoryMap() {
    }

    /** Base address of virtio-mmio slot {@code slot} (0..VIRTIO_COUNT-1). */
    public static long virtioBase(int slot) {
        checkVirtioSlot(slot);
        return VIRTIO_BASE + slot * VIRTIO_STRIDE;
    }

    /** PLIC source number of virtio-mmio slot {@code slot} (0..VIRTIO_COUNT-1). */
    public static int virtioIrq(int slot) {
        checkVirtioSlot(slot);
        return VIRTIO_IRQ_BASE + slot;
    }

    private static void checkVirtioSlot(int slot) {
        if (slot < 0 || slot >= VIRTIO_COUNT) {
            throw new IllegalArgumentException(
                    "virtio-mmio slot " + slot + " out of range 0.." + (VIRTIO_COUNT - 1));
        }
    }
}
