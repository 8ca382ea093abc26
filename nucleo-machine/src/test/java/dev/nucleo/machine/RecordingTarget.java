package dev.nucleo.machine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** An InterruptTarget that remembers each line's level and lets a test wait for one. */
final class RecordingTarget implements InterruptTarget {
    private final ConcurrentMap<Integer, Boolean> lines = new ConcurrentHashMap<>();

    @Override
    public synchronized void setLine(int mipBit, boolean level) {
        lines.put(mipBit, level);
        notifyAll();
    }

    boolean level(int mipBit) {
        return lines.getOrDefault(mipBit, false);
    }

    /** Waits up to timeoutMillis for the line to reach level; returns whether it did. */
    synchronized boolean await(int mipBit, boolean level, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (level(mipBit) != level) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
