package dev.nucleo.host;

import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A VM's serial output: the last {@code capacity} bytes in a ring, plus the readers that
 * follow it live. The guest writes here from its hart thread, so a write never waits for a
 * reader: each reader has its own bounded {@link ConsoleStream}.
 */
public final class ConsoleLog extends OutputStream {
    public static final int DEFAULT_CAPACITY = 1 << 20;

    private final byte[] ring;
    private long written;
    private final List<ConsoleStream> readers = new CopyOnWriteArrayList<>();

    public ConsoleLog(int capacity) {
        ring = new byte[capacity];
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        synchronized (this) {
            for (int i = 0; i < length; i++) {
                ring[(int) ((written + i) % ring.length)] = data[offset + i];
            }
            written += length;
            for (ConsoleStream reader : readers) {
                reader.offer(data, offset, length);
            }
        }
    }

    /** Bytes written since the VM was defined in this daemon. */
    public synchronized long totalBytes() {
        return written;
    }

    /** The last {@code max} bytes (at most the ring's capacity). */
    public synchronized byte[] tail(long max) {
        int n = (int) Math.min(Math.min(max, written), ring.length);
        byte[] out = new byte[n];
        long start = written - n;
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((start + i) % ring.length)];
        }
        return out;
    }

    /**
     * A live reader starting with the last {@code replay} bytes (0: only what comes next);
     * nothing is lost or repeated between the replay and the live part.
     */
    public synchronized ConsoleStream follow(long replay) {
        ConsoleStream stream = new ConsoleStream(ring.length, readers::remove);
        byte[] past = tail(replay);
        stream.offer(past, 0, past.length);
        readers.add(stream);
        return stream;
    }
}
