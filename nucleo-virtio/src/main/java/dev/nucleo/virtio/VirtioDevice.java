package dev.nucleo.virtio;

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

    /** Stops the device's threads and releases host resources. */
    @Override
    void close();
}
