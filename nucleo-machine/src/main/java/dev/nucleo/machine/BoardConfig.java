package dev.nucleo.machine;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the device tree describes: the board's variable parts. The fixed devices (CLINT, PLIC,
 * UART, RTC, finisher) are always present at their {@link VirtMemoryMap} addresses.
 *
 * @param harts       number of harts, ids 0..harts-1
 * @param ramBase     guest physical address of DRAM
 * @param ramSize     bytes of DRAM
 * @param isa         riscv,isa string, e.g. {@code "rv64imafdc_zicsr_zifencei_zicntr"}
 * @param mmuType     e.g. {@code "riscv,sv48"}
 * @param timebaseHz  mtime frequency
 * @param bootargs    kernel command line (may be empty)
 * @param initrd      where the initial ramdisk was loaded, if any
 * @param virtioSlots virtio-mmio slots (0..7) that have a device behind them
 */
public record BoardConfig(int harts, long ramBase, long ramSize, String isa, String mmuType, long timebaseHz,
                          String bootargs, Optional<Initrd> initrd, List<Integer> virtioSlots) {

    /** The ISA our harts implement: RV64GC plus the counters and Sstc (stimecmp). */
    public static final String DEFAULT_ISA = "rv64imafdc_zicsr_zifencei_zicntr_sstc";
    public static final String DEFAULT_MMU = "riscv,sv48";

    /** A loaded initrd occupying {@code [start, end)}. */
    public record Initrd(long start, long end) {
        public Initrd {
            if (Long.compareUnsigned(start, end) > 0) {
                throw new IllegalArgumentException(String.format(
                        "initrd end 0x%x is below its start 0x%x", end, start));
            }
        }
    }

    public BoardConfig {
        if (harts < 1 || harts > Plic.MAX_CONTEXTS / 2) {
            throw new IllegalArgumentException("harts must be 1.." + Plic.MAX_CONTEXTS / 2 + ", got " + harts);
        }
        if (ramSize <= 0 || Long.compareUnsigned(ramBase + ramSize - 1, ramBase) < 0) {
            throw new IllegalArgumentException(String.format("bad RAM range: base 0x%x size 0x%x", ramBase, ramSize));
        }
        Objects.requireNonNull(isa, "isa");
        Objects.requireNonNull(mmuType, "mmuType");
        if (timebaseHz <= 0 || timebaseHz > 0xffff_ffffL) {
            throw new IllegalArgumentException("timebase must fit one cell, got " + timebaseHz);
        }
        Objects.requireNonNull(bootargs, "bootargs");
        Objects.requireNonNull(initrd, "initrd");
        virtioSlots = List.copyOf(virtioSlots);
        for (int slot : virtioSlots) {
            VirtMemoryMap.virtioBase(slot); // range check
        }
        if (new HashSet<>(virtioSlots).size() != virtioSlots.size()) {
            throw new IllegalArgumentException("duplicate virtio slot in " + virtioSlots);
        }
        initrd.ifPresent(rd -> {
            long offset = rd.start() - ramBase;
            if (Long.compareUnsigned(offset, ramSize) > 0
                    || Long.compareUnsigned(rd.end() - rd.start(), ramSize - offset) > 0) {
                throw new IllegalArgumentException(String.format(
                        "initrd [0x%x, 0x%x) lies outside RAM", rd.start(), rd.end()));
            }
        });
    }

    /** The standard board: RAM at 0x8000_0000, default ISA and MMU, 10 MHz timebase, nothing else. */
    public static BoardConfig virt(int harts, long ramSize) {
        return new BoardConfig(harts, VirtMemoryMap.DRAM_BASE, ramSize, DEFAULT_ISA, DEFAULT_MMU,
                VirtMemoryMap.TIMEBASE_HZ, "", Optional.empty(), List.of());
    }

    public BoardConfig withBootargs(String newBootargs) {
        return new BoardConfig(harts, ramBase, ramSize, isa, mmuType, timebaseHz, newBootargs, initrd, virtioSlots);
    }

    public BoardConfig withInitrd(long start, long end) {
        return new BoardConfig(harts, ramBase, ramSize, isa, mmuType, timebaseHz, bootargs,
                Optional.of(new Initrd(start, end)), virtioSlots);
    }

    public BoardConfig withVirtioSlots(List<Integer> slots) {
        return new BoardConfig(harts, ramBase, ramSize, isa, mmuType, timebaseHz, bootargs, initrd, slots);
    }

    public BoardConfig withIsa(String newIsa, String newMmuType) {
        return new BoardConfig(harts, ramBase, ramSize, newIsa, newMmuType, timebaseHz, bootargs, initrd, virtioSlots);
    }
}
