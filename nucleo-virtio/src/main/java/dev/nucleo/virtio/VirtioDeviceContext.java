package dev.nucleo.virtio;

import dev.nucleo.machine.GuestRam;
import java.util.concurrent.locks.Lock;

/** What a device may use of its transport. Every method is safe from any thread. */
public interface VirtioDeviceContext {
    GuestRam ram();

    SplitVirtqueue queue(int index);

    /**
     * Held by the device while it takes, serves and returns chains. Reset takes it too, so a
     * reset never overlaps a request touching guest memory.
     */
    Lock queueLock();

    /** Whether the driver has set DRIVER_OK and the device is not waiting for a reset. */
    boolean running();

    /** Raises the used-buffer interrupt if queue {@code queue} says the driver wants one. */
    void usedBuffers(int queue);

    /**
     * The device changed its configuration space: bumps ConfigGeneration and raises the
     * configuration-change interrupt once the driver is live.
     */
    void configChanged();

    /** The driver broke the rules: set DEVICE_NEEDS_RESET, tell the driver, stop serving. */
    void deviceError(String reason);
}
