package dev.nucleo.vmm;

/**
 * A snapshot that cannot be restored: missing, truncated, corrupt (a checksum does not
 * match), of another format version, or not fitting the spec it is restored with. The
 * message names the snapshot and the problem, for the user.
 */
public final class SnapshotException extends VmConfigException {
    public SnapshotException(String message) {
        super(Kind.BAD_IMAGE, message);
    }
}
