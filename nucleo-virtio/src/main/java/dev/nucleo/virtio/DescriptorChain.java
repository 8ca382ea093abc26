package dev.nucleo.virtio;

import java.util.List;

/**
 * A descriptor chain taken from the available ring, every buffer checked: the device reads
 * the {@code readable} buffers (in order) and writes the {@code writable} ones, which all
 * come after the readable ones.
 *
 * @param head the index of the chain's first descriptor; it goes back in the used ring
 */
public record DescriptorChain(int head, List<GuestBuffer> readable, List<GuestBuffer> writable) {
    public DescriptorChain {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    public long readableLength() {
        return total(readable);
    }

    public long writableLength() {
        return total(writable);
    }

    private static long total(List<GuestBuffer> buffers) {
        long sum = 0;
        for (GuestBuffer b : buffers) {
            sum += b.length(); // each is inside RAM and chains are bounded, so no overflow
        }
        return sum;
    }
}
