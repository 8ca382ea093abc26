package dev.nucleo.vmm.sched;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** The CPU time the calling thread has used, in nanoseconds (what turns are charged). */
@FunctionalInterface
interface CpuClock {
    long currentThreadCpuNanos();

    /**
     * The thread's CPU time from the JVM ({@link ThreadMXBean}); where the JVM cannot measure
     * it, wall time, which charges a turn for time its thread was not even on a core.
     */
    static CpuClock host() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads.isCurrentThreadCpuTimeSupported()) {
            if (!threads.isThreadCpuTimeEnabled()) {
                threads.setThreadCpuTimeEnabled(true);
            }
            return threads::getCurrentThreadCpuTime;
        }
        return System::nanoTime;
    }
}
