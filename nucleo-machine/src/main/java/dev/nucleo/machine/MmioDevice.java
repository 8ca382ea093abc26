package dev.nucleo.machine;

/**
 * A device mapped on the MMIO bus. Offsets are relative to the device's base address and
 * already checked to lie within its size. The guest is hostile: any offset or size may come.
 * Reads of unknown registers return 0 and writes to them are ignored, as on real hardware.
 */
public interface MmioDevice {
    /** Reads size bytes (1, 2, 4 or 8) at offset, zero-extended. */
    long read(long offset, int size);

    /** Writes the low size bytes (1, 2, 4 or 8) of value at offset. */
    void write(long offset, int size, long value);
}
