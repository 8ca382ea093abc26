package dev.nucleo.cpu;

import java.util.function.LongSupplier;

/**
 * Whether a block that just reached the compile threshold did so fast enough to be worth
 * compiling. Compiling a block costs a few milliseconds of CPU (its class, HotSpot's
 * interpreter for its first couple of hundred calls, one or two C1 compiles), which a block
 * that runs only some hundred times a second never earns back: interpreted, it costs a few
 * tens of microseconds a second. Such blocks are most of what an idle guest's wake-ups reach,
 * and with the caches cold after a sleep their compiled code is not faster than the
 * interpreter anyway (2 harts idle 20 s: the harts took 0.26 s with the translator, 0.21 s
 * with the interpreter alone). A block slower than the limit starts counting again instead.
 */
final class CompileRate {
    /** The default limit: a block must reach the threshold within this long of starting to count. */
    static final long WITHIN_NANOS = Long.getLong("nucleo.translator.compileWithinMillis", 2000) * 1_000_000L;

    private final long withinNanos;
    private final LongSupplier clock;

    /** @param withinNanos the limit (0 or less: none, every block is compiled); clock as System::nanoTime */
    CompileRate(long withinNanos, LongSupplier clock) {
        this.withinNanos = withinNanos;
        this.clock = clock;
    }

    /**
     * Called when block's count reaches the threshold: true if it got there within the limit;
     * otherwise false, and the block's count starts again from now.
     */
    boolean fastEnough(Block block) {
        if (withinNanos <= 0) {
            return true;
        }
        long now = clock.getAsLong();
        if (now - block.countingSince <= withinNanos) {
            return true;
        }
        block.executions = 0;
        block.countingSince = now;
        return false;
    }
}
