package dev.nucleo.cpu;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether HotSpot's compilers have had time to spare lately: the share of wall time they spent
 * compiling since this last looked, at least a tenth of a second before. A warm block may be compiled hot before its
 * full count of runs only then, when its C1 and C2 compiles take a core nobody else wanted;
 * during a boot, when they are busy with thousands of new blocks, it waits for the full count.
 * One per hart (it is not thread-safe); the JVM-wide figure behind it is cheap to read.
 */
final class CompilerLoad {
    /** Below this share of one core spent compiling, the compilers count as having room. */
    static final double ROOM_BELOW = 0.25;
    private static final long WINDOW_NANOS = 100_000_000;
    private static final CompilationMXBean COMPILATION = ManagementFactory.getCompilationMXBean();
    private static final boolean MONITORED = COMPILATION != null && COMPILATION.isCompilationTimeMonitoringSupported();

    private long windowStartNanos = System.nanoTime();
    private long windowStartMillis = compileMillis();
    private boolean room;

    /** Whether the compilers used less than {@link #ROOM_BELOW} of a core in the last full window. */
    boolean hasRoom() {
        if (!MONITORED) {
            return false;                       // no figure: blocks wait for their full count
        }
        long now = System.nanoTime();
        long elapsed = now - windowStartNanos;
        if (elapsed >= WINDOW_NANOS) {
            long compiled = compileMillis();
            room = (compiled - windowStartMillis) * 1_000_000.0 < ROOM_BELOW * elapsed;
            windowStartNanos = now;
            windowStartMillis = compiled;
        }
        return room;
    }

    private static long compileMillis() {
        return MONITORED ? COMPILATION.getTotalCompilationTime() : 0;
    }
}
