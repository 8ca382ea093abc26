package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;

/**
 * A virtio device behind a transport: what it is, what it offers, its configuration space,
 * and what it does when the driver gives it buffers. The transport owns the queues, the
 * status and the interrupt; the device reaches them through the {@link VirtioDeviceContext}
 * it receives in {@link #attach}.
 */
public interface VirtioDevice extends AutoCloseable {
    /** The virtio device ID (2 for block). */
    int deviceId();

    /** Device-specific and ring feature bits offered; the transport adds VIRTIO_F_VERSION_1. */
    long features();

    int queueCount();

    /** The largest size queue {@code queue} can have (a power of 2). */
    int queueMaxSize(int queue);

    /** Bytes of configuration space. */
    int configSize();

    /** Reads {@code size} bytes of configuration space at {@code offset} (already range-checked). */
    long readConfig(int offset, int size);

    /** Writes configuration space; most fields are read-only and ignore writes. */
    void writeConfig(int offset, int size, long value);

    /** Called once by the transport's constructor. */
    void attach(VirtioDeviceContext context);

    /** The driver set DRIVER_OK with these features; queues that are ready may now be used. */
    void activate(long negotiatedFeatures);

    /**
     * The driver notified queue {@code queue}. Called on a hart thread: must not block on
     * host I/O; hand the work to the device's own thread.
     */
    void queueNotify(int queue);

    /**
     * Device reset: forget negotiated state. Called with the queue lock held, so no request is
     * in progress; must not wait for the device's thread.
     */
    void reset();

    /**
     * Writes the device's own state for a snapshot (the transport saves the queues). Called
     * with the queue lock held and the VM paused. Most devices keep nothing beyond their queues.
     */
    default void saveState(StateWriter out) {
    }

    /**
     * Loads what {@link #saveState} wrote, into a device built from the same spec, before the
     * restored VM runs; fails if the saved state does not fit this device (e.g. another disk size).
     */
    default void loadState(StateReader in) throws StateException {
        in.expectEnd();
    }

    /**
     * How many chains of {@code queue} the device holds taken but not returned (always the most
     * recently taken ones). A snapshot gives them back to the ring: the restored device takes
     * them again. Called with the queue lock held.
     */
    default int heldChains(int queue) {
        return 0;
    }

    /** Stops the device's threads and releases host resources. */
    @Override
    void close();
}
