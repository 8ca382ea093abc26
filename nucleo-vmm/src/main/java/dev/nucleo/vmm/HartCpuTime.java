package dev.nucleo.vmm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The host CPU time a VM's hart threads have used, for usage reports: live threads are read
 * through {@link ThreadMXBean}; a thread records its own total as it ends, so the sum does
 * not drop when the VM stops.
 */
final class HartCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final AtomicReferenceArray<Thread> threads;
    private final AtomicLongArray endTotals; // -1 until the thread ends

    HartCpuTime(int harts) {
        threads = new AtomicReferenceArray<>(harts);
        endTotals = new AtomicLongArray(harts);
        for (int i = 0; i < harts; i++) {
            endTotals.set(i, -1);
        }
    }

    /** Hart {@code id} runs on {@code thread} (call before starting it). */
    void started(int id, Thread thread) {
        threads.set(id, thread);
    }

    /** Called on hart {@code id}'s own thread as its last act. */
    void ending(int id) {
        endTotals.set(id, Math.max(0, THREADS.getCurrentThreadCpuTime()));
    }

    /** Nanoseconds of CPU time used by all hart threads so far (0 before the VM runs). */
    long totalNanos() {
        long total = 0;
        for (int id = 0; id < threads.length(); id++) {
            long ended = endTotals.get(id);
            if (ended >= 0) {
                total += ended;
                continue;
            }
            Thread thread = threads.get(id);
            if (thread != null) {
                long live = THREADS.getThreadCpuTime(thread.threadId());
                total += live >= 0 ? live : Math.max(0, endTotals.get(id)); // -1: it just ended
            }
        }
        return total;
    }
}
