package dev.nucleo.virtio;

import java.util.ArrayDeque;

/**
 * Frames received from the host that wait for the guest to post receive buffers. Bounded:
 * when full, the oldest frame is dropped (and counted), as a switch port would, so a guest
 * that stops receiving never makes the host side block or grow without limit.
 */
final class RxBacklog {
    private final int capacity;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private long dropped;

    RxBacklog(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(byte[] frame) {
        if (frames.size() == capacity) {
            frames.removeFirst();
            dropped++;
        }
        frames.addLast(frame);
    }

    /** The oldest frame, still queued; null when empty. */
    synchronized byte[] peek() {
        return frames.peekFirst();
    }

    synchronized void remove() {
        frames.pollFirst();
    }

    synchronized void clear() {
        frames.clear();
    }

    synchronized int size() {
        return frames.size();
    }

    /** Frames dropped because the backlog was full. */
    synchronized long dropped() {
        return dropped;
    }
}
