package dev.nucleo.virtio;

/**
 * Reads of a device's configuration space, which virtio lays out little-endian. The transport
 * has already checked that {@code offset + size} lies inside the space and that size is at
 * most 8.
 */
final class ConfigSpace {
    private ConfigSpace() {
    }

    /** {@code size} bytes at {@code offset} of a configuration space held as bytes. */
    static long read(byte[] config, int offset, int size) {
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (config[offset + i] & 0xff);
        }
        return value;
    }

    /** {@code size} bytes at {@code offset} of a configuration space of at most 8 bytes, held as a long. */
    static long read(long config, int offset, int size) {
        long value = config >>> (8 * offset);
        return size == 8 ? value : value & ((1L << (8 * size)) - 1);
    }
}
