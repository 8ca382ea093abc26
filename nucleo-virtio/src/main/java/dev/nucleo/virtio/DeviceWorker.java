package dev.nucleo.virtio;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device's own thread: runs its work whenever it is kicked, so host I/O never blocks a
 * hart. Kicks that arrive while the work is pending coalesce into one run; a kick during a
 * run schedules another, so no notification is lost.
 */
final class DeviceWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceWorker.class.getName());

    private final ExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable work;

    DeviceWorker(String name, Runnable work) {
        this.executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name(name).factory());
        this.work = work;
    }

    void kick() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::runOnce);
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // closed
            }
        }
    }

    private void runOnce() {
        scheduled.set(false); // before the work: a kick from now on runs it again
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            // A device bug must not end the thread silently or reach the host process.
            LOG.log(System.Logger.Level.ERROR, "virtio device worker failed", e);
        }
    }

    /** Stops taking kicks and waits (briefly) for the run in progress. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
