package dev.nucleo.host;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A disk in a {@link VmConfig}: a raw image file on the daemon's host, optionally limited to
 * {@code iops} requests and {@code bytesPerSecond} bytes per second (absent or 0: no limit).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskConfig(String path, boolean readOnly, Long iops, Long bytesPerSecond) {
    public DiskConfig(String path, boolean readOnly) {
        this(path, readOnly, null, null);
    }

    long iopsOrNone() {
        return iops == null ? 0 : iops;
    }

    long bytesPerSecondOrNone() {
        return bytesPerSecond == null ? 0 : bytesPerSecond;
    }
}
