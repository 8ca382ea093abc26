package dev.nucleo.machine;

/**
 * The interrupt inputs of one hart, as seen by the interrupt controllers (CLINT, PLIC).
 * Bits are mip bit numbers ({@link dev.nucleo.cpu.Interrupts}). Thread-safe: devices call it
 * from their own threads, and raising a line wakes a hart sleeping in WFI.
 */
@FunctionalInterface
public interface InterruptTarget {
    void setLine(int mipBit, boolean level);
}
