package dev.nucleo.machine;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The virt board assembled: guest RAM plus every fixed device registered on one
 * {@link MmioBus} at its {@link VirtMemoryMap} address, with the UART and RTC wired to their
 * PLIC sources. What is left to the VMM: creating the harts (give them {@link #ram()},
 * {@link #bus()} and {@link #clint()} as time source), {@link #connectHart connecting} their
 * interrupt inputs, attaching virtio devices, loading images, and building the device tree
 * from {@link #config}.
 */
public final class VirtBoard implements AutoCloseable {
    private final int harts;
    private final GuestRam ram;
    private final MmioBus bus = new MmioBus();
    private final Clint clint;
    private final Plic plic;
    private final Uart16550 uart;
    private final GoldfishRtc rtc;
    private final TestFinisher finisher;
    private final List<Integer> virtioSlots = new ArrayList<>();

    /**
     * @param harts   number of harts
     * @param ramSize bytes of guest RAM at {@link VirtMemoryMap#DRAM_BASE} (multiple of 4 KiB)
     * @param console where the UART's output goes
     * @param power   told when the guest powers off, resets or reports failure
     */
    public VirtBoard(int harts, long ramSize, OutputStream console, PowerControl power) {
        this(harts, () -> new GuestRam(VirtMemoryMap.DRAM_BASE, ramSize), console, power);
    }

    /**
     * As above, with RAM made by {@code ramFactory} (for a restored snapshot: RAM mapped
     * copy-on-write from its memory file); the board owns and closes it.
     */
    public VirtBoard(int harts, java.util.function.Supplier<GuestRam> ramFactory, OutputStream console,
                     PowerControl power) {
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(power, "power");
        this.harts = harts;
        this.clint = new Clint(harts);
        try {
            this.plic = new Plic(harts);
            this.ram = ramFactory.get();
        } catch (RuntimeException e) {
            clint.close();
            throw e;
        }
        this.uart = new Uart16550(console, plic.line(VirtMemoryMap.UART0_IRQ));
        this.rtc = new GoldfishRtc(plic.line(VirtMemoryMap.RTC_IRQ));
        this.finisher = new TestFinisher(power);
        bus.register(VirtMemoryMap.TEST_BASE, VirtMemoryMap.TEST_SIZE, finisher, "test-finisher");
        bus.register(VirtMemoryMap.RTC_BASE, VirtMemoryMap.RTC_SIZE, rtc, "goldfish-rtc");
        bus.register(VirtMemoryMap.CLINT_BASE, VirtMemoryMap.CLINT_SIZE, clint, "clint");
        bus.register(VirtMemoryMap.PLIC_BASE, VirtMemoryMap.PLIC_SIZE, plic, "plic");
        bus.register(VirtMemoryMap.UART0_BASE, VirtMemoryMap.UART0_SIZE, uart, "uart0");
    }

    /** Connects hart {@code hart}'s interrupt inputs to the CLINT (MSIP, MTIP) and PLIC (MEIP, SEIP). */
    public void connectHart(int hart, InterruptTarget target) {
        clint.connect(hart, target);
        plic.connect(hart, target);
    }

    /**
     * Maps a virtio-mmio transport in slot {@code slot} (0..7).
     *
     * @return the device's interrupt wire (PLIC source slot + 1)
     */
    public synchronized IrqLine attachVirtio(int slot, MmioDevice transport) {
        bus.register(VirtMemoryMap.virtioBase(slot), VirtMemoryMap.VIRTIO_STRIDE, transport, "virtio-mmio." + slot);
        virtioSlots.add(slot);
        return plic.line(VirtMemoryMap.virtioIrq(slot));
    }

    /** The device-tree description of this board, for {@link BoardDeviceTree#build}. */
    public synchronized BoardConfig config(String bootargs) {
        return BoardConfig.virt(harts, ram.size()).withBootargs(bootargs).withVirtioSlots(virtioSlots);
    }

    public int harts() {
        return harts;
    }

    public GuestRam ram() {
        return ram;
    }

    public MmioBus bus() {
        return bus;
    }

    public Clint clint() {
        return clint;
    }

    public Plic plic() {
        return plic;
    }

    public Uart16550 uart() {
        return uart;
    }

    public GoldfishRtc rtc() {
        return rtc;
    }

    public TestFinisher finisher() {
        return finisher;
    }

    /** Stops the timer threads, releases a host thread blocked on UART input, frees RAM. */
    @Override
    public void close() {
        closeKeepingRam();
        ram.close();
    }

    /**
     * Closes everything but RAM, which stays mapped: for a VM whose hart did not stop, since
     * translated code reaches RAM without the segment's checks and must never touch freed memory.
     */
    public void closeKeepingRam() {
        uart.close();
        rtc.close();
        clint.close();
    }
}
