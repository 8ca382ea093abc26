package dev.nucleo.host;

/**
 * A request the daemon refuses, with the HTTP status and the reason the client is told
 * (as {@code {"status": ..., "error": "..."}}).
 */
public final class ApiException extends Exception {
    private final int status;

    public ApiException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ApiException badRequest(String reason) {
        return new ApiException(400, reason);
    }

    static ApiException notFound(String reason) {
        return new ApiException(404, reason);
    }

    static ApiException conflict(String reason) {
        return new ApiException(409, reason);
    }

    static ApiException unprocessable(String reason) {
        return new ApiException(422, reason);
    }
}
