package dev.nucleo.virtio;

/** A fixed-capacity FIFO of bytes; not thread-safe (its owner's lock guards it). */
final class ByteRing {
    private final byte[] data;
    private int head;
    private int size;

    ByteRing(int capacity) {
        data = new byte[capacity];
    }

    int size() {
        return size;
    }

    int free() {
        return data.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    /** Appends {@code len} bytes; the caller has checked {@link #free()}. */
    void put(byte[] src, int off, int len) {
        if (len > free()) {
            throw new IllegalArgumentException(len + " bytes do not fit in " + free());
        }
        int tail = (head + size) % data.length;
        int first = Math.min(len, data.length - tail);
        System.arraycopy(src, off, data, tail, first);
        System.arraycopy(src, off + first, data, 0, len - first);
        size += len;
    }

    /** Removes up to {@code max} bytes into a new array. */
    byte[] take(int max) {
        int n = Math.min(max, size);
        byte[] out = new byte[n];
        int first = Math.min(n, data.length - head);
        System.arraycopy(data, head, out, 0, first);
        System.arraycopy(data, 0, out, first, n - first);
        head = (head + n) % data.length;
        size -= n;
        return out;
    }
}
