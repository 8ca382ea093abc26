package dev.nucleo.host;

/** A disk in a {@link VmConfig}: a raw image file on the daemon's host. */
public record DiskConfig(String path, boolean readOnly) {
}
