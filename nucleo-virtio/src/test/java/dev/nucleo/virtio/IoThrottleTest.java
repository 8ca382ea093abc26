package dev.nucleo.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Token buckets and disk limits on a fake clock: requests go as fast as the limits allow. */
class IoThrottleTest {
    private static final long SECOND = 1_000_000_000L;
    private long now;

    /** Serves {@code count} requests of {@code bytes} each, every one as soon as it may start. */
    private void serve(IoThrottle throttle, int count, long bytes) {
        for (int i = 0; i < count; i++) {
            now += throttle.nanosUntilNext();
            assertEquals(0, throttle.nanosUntilNext(), "after the wait a request may start");
            throttle.charge(bytes);
        }
    }

    @Test
    void iopsLimitAllowsOneSecondOfBurstThenTheRate() {
        IoThrottle throttle = new IoThrottle(new IoLimits(10, 0), () -> now);
        serve(throttle, 11, 4096);
        assertTrue(now < 10, "the first 11 (a full bucket and one into debt) start at once");
        serve(throttle, 100, 4096);
        assertEquals(10.0, now / (double) SECOND, 0.01, "100 more take 10 s at 10 per second");
    }

    @Test
    void bandwidthLimitCountsBytesAndLetsBigRequestsThroughIntoDebt() {
        IoThrottle throttle = new IoThrottle(new IoLimits(0, 1 << 20), () -> now);
        serve(throttle, 1, 8L << 20); // 8 MiB in one request: larger than the bucket, not stuck
        assertEquals(0, now);
        serve(throttle, 1, 4096);
        assertEquals(7.0, now / (double) SECOND, 0.01, "the next waits until the 7 MiB debt is paid");
    }

    @Test
    void bothLimitsHoldTogether() {
        IoThrottle throttle = new IoThrottle(new IoLimits(100, 1 << 20), () -> now);
        serve(throttle, 201, 512); // bytes are no constraint here: iops is
        assertEquals(1.0, now / (double) SECOND, 0.02);
        now = 100 * SECOND; // both buckets full again
        long start = now;
        serve(throttle, 42, 256 << 10); // 10.5 MiB at 1 MiB/s: bandwidth is the constraint
        assertEquals(9.25, (now - start) / (double) SECOND, 0.05);
    }

    @Test
    void anIdleBucketFillsOnlyToItsBurst() {
        TokenBucket bucket = new TokenBucket(5, 1.0, 0);
        bucket.take(5, 0);
        assertEquals(0, bucket.tokens(0), 1e-9);
        assertEquals(5, bucket.tokens(3600 * SECOND), 1e-9, "an hour idle still holds one second's worth");
        bucket.take(7, 3600 * SECOND);
        assertEquals(400_000_001L, bucket.nanosUntilAvailable(3600 * SECOND), "2 owed at 5 per second");
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IoLimits(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new IoLimits(0, -5));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
        assertTrue(IoLimits.NONE.unlimited());
    }
}
