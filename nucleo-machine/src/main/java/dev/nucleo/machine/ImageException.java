package dev.nucleo.machine;

/**
 * A firmware, kernel or initrd image cannot be loaded: wrong format, wrong architecture,
 * truncated, too big for RAM, or unreadable. The message is meant for the user as is.
 */
public final class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
