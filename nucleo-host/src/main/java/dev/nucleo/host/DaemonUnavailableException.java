package dev.nucleo.host;

import java.io.IOException;

/** The daemon could not be reached at all (not running, wrong address, refused TLS). */
public final class DaemonUnavailableException extends IOException {
    public DaemonUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
