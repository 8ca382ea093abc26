package dev.nucleo.virtio;

/**
 * A token bucket that may go into debt: it fills at {@code rate} tokens per second up to
 * {@code capacity}; an operation may start whenever the bucket is not empty and then takes
 * its whole cost, so one large operation never waits for more than the bucket can hold; the
 * debt delays the next one instead. Over any interval T at most capacity + rate x T tokens
 * are spent, plus the cost of one operation. Times are in nanoseconds from a caller's clock.
 * Not thread-safe.
 */
final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long refilledAt;

    /** A full bucket: {@code ratePerSecond} (more than 0), holding {@code burstSeconds} worth at most. */
    TokenBucket(double ratePerSecond, double burstSeconds, long now) {
        if (!(ratePerSecond > 0) || !(burstSeconds > 0)) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and burst");
        }
        this.perNano = ratePerSecond / 1e9;
        this.capacity = ratePerSecond * burstSeconds;
        this.tokens = capacity;
        this.refilledAt = now;
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            refilledAt = now;
        }
    }

    /** Nanoseconds until an operation may start (0: now). */
    long nanosUntilAvailable(long now) {
        refill(now);
        return tokens > 0 ? 0 : 1 + (long) Math.ceil(-tokens / perNano);
    }

    /** An operation costing {@code cost} tokens started now. */
    void take(double cost, long now) {
        refill(now);
        tokens -= cost;
    }

    /** Tokens held now (negative: owed). */
    double tokens(long now) {
        refill(now);
        return tokens;
    }
}
