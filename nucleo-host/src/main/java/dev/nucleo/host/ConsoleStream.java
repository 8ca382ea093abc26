package dev.nucleo.host;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One reader's queue of console output. The guest side never blocks: if the reader falls
 * more than {@code limit} bytes behind, the oldest pending output is dropped and the reader
 * is told so in the stream.
 */
public final class ConsoleStream implements AutoCloseable {
    private static final byte[] DROPPED = "\r\n[nucleo: console output dropped, reader too slow]\r\n".getBytes();

    private final int limit;
    private final Consumer<ConsoleStream> onClose;
    private ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean closed;

    ConsoleStream(int limit, Consumer<ConsoleStream> onClose) {
        this.limit = limit;
        this.onClose = onClose;
    }

    synchronized void offer(byte[] data, int offset, int length) {
        if (closed || length == 0) {
            return;
        }
        if (pending.size() + length > limit) {
            pending.reset();
            pending.writeBytes(DROPPED);
        }
        pending.write(data, offset, length);
        notifyAll();
    }

    /**
     * What arrived since the last call, waiting up to {@code timeout} for something; an empty
     * array when nothing came, null once closed.
     */
    public synchronized byte[] take(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (pending.size() == 0 && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new byte[0];
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (pending.size() == 0) {
            return null;
        }
        byte[] out = pending.toByteArray();
        pending = new ByteArrayOutputStream();
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        onClose.accept(this);
    }
}
