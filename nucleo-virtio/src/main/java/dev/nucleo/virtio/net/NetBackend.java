package dev.nucleo.virtio.net;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The host side of a network card: where the guest's Ethernet frames go and where frames
 * for the guest come from. Frames are whole Ethernet frames without preamble or FCS.
 */
public interface NetBackend extends AutoCloseable {
    /** The largest frame a backend carries (QEMU's limit for its stream framing). */
    int MAX_FRAME = 65550;

    /**
     * Starts delivering received frames to {@code receiver}, from the backend's own thread.
     * Called once; the receiver must not block.
     */
    void start(Consumer<byte[]> receiver);

    /**
     * Sends one frame; may block while the host is busy. A frame that cannot go anywhere
     * (no peer yet, link down) is dropped without an error: that is what a cable does.
     *
     * @throws IOException if the host failed in a way worth logging
     */
    void send(byte[] frame) throws IOException;

    /** What this backend is, for logs and thread names. */
    String describe();

    /** Stops the receive thread and releases host resources. */
    @Override
    void close();
}
