package dev.nucleo.cpu;

/**
 * The hart's window onto everything in the physical address space that is not RAM
 * (RAM is reached directly through a MemorySegment for speed). The board implements it.
 */
public interface PhysicalBus {
    /**
     * Reads {@code size} bytes (1, 2, 4 or 8) at a physical address, zero-extended.
     *
     * @throws BusError when no device answers there
     */
    long load(long address, int size);

    /**
     * Writes the low {@code size} bytes (1, 2, 4 or 8) of value at a physical address.
     *
     * @throws BusError when no device answers there
     */
    void store(long address, int size, long value);
}
