package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A raw disk image for the guest, attached as a virtio-blk device.
 *
 * @param file           the image; its size, rounded down to 512-byte sectors, is the disk's size
 * @param readOnly       whether the guest sees the disk read-only (and the file is opened for reading only)
 * @param iops           at most this many requests per second (a second's worth of burst); 0: no limit
 * @param bytesPerSecond at most this many bytes of data per second (a second's worth of burst); 0: no limit
 */
public record DiskSpec(Path file, boolean readOnly, long iops, long bytesPerSecond) {
    public DiskSpec {
        Objects.requireNonNull(file, "file");
    }

    /** A disk without I/O limits. */
    public DiskSpec(Path file, boolean readOnly) {
        this(file, readOnly, 0, 0);
    }
}
