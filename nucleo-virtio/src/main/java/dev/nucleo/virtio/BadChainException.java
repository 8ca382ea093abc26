package dev.nucleo.virtio;

/**
 * The driver put something into a virtqueue that breaks the specification (an index or
 * address out of range, a loop, an illegal flag). The device stops and asks for a reset.
 */
public final class BadChainException extends Exception {
    public BadChainException(String message) {
        super(message, null, false, false);
    }
}
