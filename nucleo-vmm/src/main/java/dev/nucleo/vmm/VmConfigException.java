package dev.nucleo.vmm;

/**
 * A user mistake in what the VM was asked to run: a missing or corrupt file, an impossible
 * size. The message is written for the user; no stack trace is shown for it.
 */
public class VmConfigException extends Exception {
    public enum Kind { USAGE, MISSING_FILE, BAD_IMAGE }

    private final Kind kind;

    public VmConfigException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
