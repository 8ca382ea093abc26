package dev.nucleo.cli;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Stands in for nucleo's stdout: keeps what the guest printed, and lets a test wait for text. */
final class ConsoleCapture extends OutputStream {
    private final StringBuilder text = new StringBuilder();
    private String ended;

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        text.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
        notifyAll();
    }

    /** The command finished: waiting for more output is pointless from now on. */
    synchronized void end(String why) {
        ended = why;
        notifyAll();
    }

    synchronized String text() {
        return text.toString();
    }

    /** Waits until {@code needle} shows at or after {@code from}; returns the index just past it. */
    synchronized int await(String needle, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int at = text.indexOf(needle, from); at < 0; at = text.indexOf(needle, from)) {
            long left = deadline - System.nanoTime();
            if (ended != null) {
                throw new AssertionError("the console did not show \"" + needle + "\" before " + ended
                        + "; it ends with:\n" + text.substring(Math.max(0, text.length() - 3000)));
            }
            if (left <= 0) {
                throw new AssertionError("the console did not show \"" + needle + "\" within " + timeout
                        + "; it ends with:\n" + text.substring(Math.max(0, text.length() - 3000)));
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return text.indexOf(needle, from) + needle.length();
    }
}
