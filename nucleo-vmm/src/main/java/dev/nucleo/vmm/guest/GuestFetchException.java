package dev.nucleo.vmm.guest;

/** Fetching the guest failed; the message says why, written for the user. */
public final class GuestFetchException extends Exception {
    public GuestFetchException(String message) {
        super(message);
    }

    public GuestFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
