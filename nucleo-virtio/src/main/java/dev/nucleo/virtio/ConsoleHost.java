package dev.nucleo.virtio;

import java.io.IOException;

/**
 * The host end of a virtio console port: where the guest's output goes and where input for
 * the guest comes from.
 */
public interface ConsoleHost extends AutoCloseable {
    /** Takes host input for the guest; blocks until the guest has room for it. */
    @FunctionalInterface
    interface InputSink {
        /** Returns false if the device is closed and the bytes were dropped. */
        boolean deliver(byte[] data) throws InterruptedException;
    }

    /** Starts the host side's own threads; input is handed to {@code sink}. Called once. */
    void start(InputSink sink);

    /** Bytes the guest wrote; may block while the host reader is slow. Never called concurrently. */
    void write(byte[] data) throws IOException;

    @Override
    void close();
}
