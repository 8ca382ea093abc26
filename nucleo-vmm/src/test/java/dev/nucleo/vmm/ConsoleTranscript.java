package dev.nucleo.vmm;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A console sink for tests: records everything the guest prints and lets a test wait for text. */
public final class ConsoleTranscript extends OutputStream {
    private final StringBuilder text = new StringBuilder();
    private String ended;

    @Override
    public synchronized void write(int b) {
        text.append((char) (b & 0xff));
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        text.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
        notifyAll();
    }

    /** The VM stopped: waiting for more output is pointless from now on. */
    public synchronized void end(String why) {
        ended = why;
        notifyAll();
    }

    /** Ends the transcript when the VM's run completes. */
    public void endWhenDone(java.util.concurrent.CompletableFuture<VmExit> run) {
        run.whenComplete((exit, failure) -> end("the VM ended (" + (failure != null ? failure : exit) + ")"));
    }

    public synchronized String text() {
        return text.toString();
    }

    /**
     * Waits until {@code needle} appears at or after {@code from}; returns the index just past it.
     *
     * @throws AssertionError with the transcript's tail when it does not appear in time
     */
    public synchronized int await(String needle, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int at = text.indexOf(needle, from);
            if (at >= 0) {
                return at + needle.length();
            }
            long left = deadline - System.nanoTime();
            if (ended != null) {
                String all = text.toString();
                throw new AssertionError("console did not show \"" + needle + "\" before " + ended
                        + "; last output:\n" + all.substring(Math.max(0, all.length() - 3000)));
            }
            if (left <= 0) {
                String all = text.toString();
                throw new AssertionError("console did not show \"" + needle + "\" within " + timeout
                        + "; last output:\n" + all.substring(Math.max(0, all.length() - 3000)));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
