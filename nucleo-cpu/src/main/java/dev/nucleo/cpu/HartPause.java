package dev.nucleo.cpu;

import java.util.function.BooleanSupplier;

/**
 * The pause handshake between a hart's run loop and whoever pauses the VM: the pauser sets
 * the request, the hart parks at its next block boundary and says so, the pauser waits for
 * that; {@link #release} lets the hart go on. A stop wakes a parked hart so it can end.
 */
final class HartPause {
    private static final long RECHECK_MILLIS = 50;

    private volatile boolean requested;
    private boolean parked;                 // guarded by this

    boolean requested() {
        return requested;
    }

    synchronized void request() {
        requested = true;
    }

    synchronized void release() {
        requested = false;
        notifyAll();
    }

    /** Wakes every waiter (a stop, or the hart leaving its run loop). */
    synchronized void wake() {
        notifyAll();
    }

    /** Called by the hart thread: waits while the pause lasts and no stop is asked for. */
    synchronized void park(BooleanSupplier stopRequested) {
        parked = true;
        notifyAll();
        try {
            while (requested && !stopRequested.getAsBoolean()) {
                wait(RECHECK_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            parked = false;
        }
    }

    /** Waits until the hart parked, or {@code notRunning} says it runs no guest code at all. */
    synchronized boolean awaitParked(BooleanSupplier notRunning, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!parked && !notRunning.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(RECHECK_MILLIS, left / 1_000_000)));
        }
        return true;
    }
}
