package dev.nucleo.cpu;

/** The platform's real-time counter (CLINT mtime), read by the {@code time} CSR. */
@FunctionalInterface
public interface TimeSource {
    /** Current mtime in timebase ticks. */
    long mtime();
}
