package dev.nucleo.virtio.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A host TAP interface: frames the guest sends appear on the host's {@code IFNAME}, and
 * frames the host routes there reach the guest.
 *
 * <p>The receive loop runs on a platform thread, not a virtual one: it sits in native
 * {@code poll}, which would pin a carrier thread that the device workers need. It polls
 * with a short timeout so {@link #close} can stop it (closing a TAP descriptor does not
 * wake a reader blocked on it).
 */
public final class TapNetBackend implements NetBackend {
    private static final System.Logger LOG = System.getLogger(TapNetBackend.class.getName());
    private static final int POLL_MILLIS = 100;

    private final LinuxTap tap;
    private final Arena sendArena = Arena.ofShared();
    private final MemorySegment sendBuffer = sendArena.allocate(MAX_FRAME);
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private volatile boolean closed;
    private Thread receiveThread;

    private TapNetBackend(LinuxTap tap) {
        this.tap = tap;
    }

    /** Opens the TAP interface {@code name}, creating it if it does not exist. */
    public static TapNetBackend open(String name) throws IOException {
        return new TapNetBackend(LinuxTap.open(name));
    }

    @Override
    public synchronized void start(Consumer<byte[]> receiver) {
        if (receiveThread != null) {
            throw new IllegalStateException("already started");
        }
        receiveThread = Thread.ofPlatform().daemon().name("net " + describe()).start(() -> receiveLoop(receiver));
    }

    private void receiveLoop(Consumer<byte[]> receiver) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MAX_FRAME);
            while (!closed) {
                if (!tap.awaitReadable(arena, POLL_MILLIS)) {
                    continue;
                }
                int n = tap.read(arena, buffer);
                if (n > 0) {
                    receiver.accept(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "net " + describe() + ": receiving stopped: " + e.getMessage());
            }
        }
    }

    @Override
    public void send(byte[] frame) throws IOException {
        synchronized (sendBuffer) {
            if (closed) {
                return;
            }
            MemorySegment slice = sendBuffer.asSlice(0, frame.length);
            slice.copyFrom(MemorySegment.ofArray(frame));
            try (Arena arena = Arena.ofConfined()) {
                if (!tap.write(arena, slice)) {
                    droppedQueueFull.incrementAndGet();
                }
            }
        }
    }

    /** Frames dropped because the host's TAP queue was full. */
    public long droppedQueueFull() {
        return droppedQueueFull.get();
    }

    @Override
    public String describe() {
        return "tap=" + tap.name();
    }

    @Override
    public void close() {
        synchronized (sendBuffer) {
            if (closed) {
                return; // the descriptor is gone already; closing twice could close someone else's
            }
            closed = true;
        }
        Thread t;
        synchronized (this) {
            t = receiveThread;
        }
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (sendBuffer) {
            tap.close();
            sendArena.close();
        }
    }
}
