package dev.nucleo.vmm.sched;

import java.util.function.BooleanSupplier;

/** Polls a condition for up to 10 s. */
final class TestWaits {
    private TestWaits() {
    }

    static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
