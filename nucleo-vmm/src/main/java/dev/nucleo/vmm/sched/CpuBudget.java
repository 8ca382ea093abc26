package dev.nucleo.vmm.sched;

/**
 * A VM's CPU cap as a token bucket of CPU nanoseconds: it fills at {@code cores} nanoseconds
 * per nanosecond of wall time up to one period's worth, and each turn on a slot takes a slice
 * out of it up front (so harts running side by side cannot overspend it together); what the
 * turn did not use goes back, what it overran is owed. Not thread-safe: the scheduler's lock
 * guards it.
 */
final class CpuBudget {
    private final double cores;
    private final double capacity;
    private final long minimumSlice;
    private double tokens;
    private long refilledAt;

    /**
     * @param cores   the cap, in host cores (more than 0)
     * @param period  the bucket holds {@code cores * period} nanoseconds of CPU at most
     * @param quantum the longest slice a turn takes
     * @param now     the clock's reading now; the bucket starts full
     */
    CpuBudget(double cores, long period, long quantum, long now) {
        this.cores = cores;
        this.capacity = cores * period;
        this.minimumSlice = (long) Math.max(1, Math.min(quantum, capacity));
        this.tokens = capacity;
        this.refilledAt = now;
    }

    double cores() {
        return cores;
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * cores);
            refilledAt = now;
        }
    }

    /** Whether a turn may start now: the bucket holds at least a minimum slice. */
    boolean canStart(long now) {
        refill(now);
        return tokens >= minimumSlice;
    }

    /** Nanoseconds of wall time until {@link #canStart} holds (0 if it does now). */
    long nanosUntilStart(long now) {
        refill(now);
        double missing = minimumSlice - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing / cores);
    }

    /** Takes the slice for a turn: at most {@code quantum}, at most what the bucket holds. */
    long take(long quantum, long now) {
        refill(now);
        long slice = (long) Math.max(0, Math.min(quantum, tokens));
        tokens -= slice;
        return slice;
    }

    /** A turn that took {@code slice} ended having used {@code used}: returns the rest, or owes the overrun. */
    void settle(long slice, long used, long now) {
        refill(now);
        tokens = Math.min(capacity, tokens + slice - used);
    }
}
