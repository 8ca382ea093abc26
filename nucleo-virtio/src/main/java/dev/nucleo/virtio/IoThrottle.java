package dev.nucleo.virtio;

import java.util.function.LongSupplier;

/**
 * A disk's {@link IoLimits} at work: one {@link TokenBucket} for requests and one for bytes,
 * each holding one second's worth. A request may start when neither bucket is in debt; it is
 * charged after it is taken. Used on the device's worker thread only.
 */
final class IoThrottle {
    static final double BURST_SECONDS = 1.0;

    private final LongSupplier clock;
    private final TokenBucket requests;   // null: no limit
    private final TokenBucket bytes;      // null: no limit

    IoThrottle(IoLimits limits, LongSupplier clock) {
        this.clock = clock;
        long now = clock.getAsLong();
        this.requests = limits.iops() == 0 ? null : new TokenBucket(limits.iops(), BURST_SECONDS, now);
        this.bytes = limits.bytesPerSecond() == 0 ? null : new TokenBucket(limits.bytesPerSecond(), BURST_SECONDS, now);
    }

    /** Nanoseconds until the next request may start (0: now). */
    long nanosUntilNext() {
        long now = clock.getAsLong();
        long wait = 0;
        if (requests != null) {
            wait = requests.nanosUntilAvailable(now);
        }
        if (bytes != null) {
            wait = Math.max(wait, bytes.nanosUntilAvailable(now));
        }
        return wait;
    }

    /** A request moving {@code dataBytes} started. */
    void charge(long dataBytes) {
        long now = clock.getAsLong();
        if (requests != null) {
            requests.take(1, now);
        }
        if (bytes != null && dataBytes > 0) {
            bytes.take(dataBytes, now);
        }
    }
}
