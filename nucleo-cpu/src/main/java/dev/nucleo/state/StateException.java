package dev.nucleo.state;

import java.io.IOException;

/** Saved state that is malformed, truncated or does not fit the component it is loaded into. */
public final class StateException extends IOException {
    public StateException(String message) {
        super(message);
    }
}
