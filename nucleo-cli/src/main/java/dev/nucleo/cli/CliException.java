package dev.nucleo.cli;

/** A failure to report to the user as one line on stderr, ending nucleo with a status. */
final class CliException extends Exception {
    private final int status;

    CliException(int status, String message) {
        super(message);
        this.status = status;
    }

    CliException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    int status() {
        return status;
    }
}
