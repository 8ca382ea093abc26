package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A raw disk image for the guest, attached as a virtio-blk device.
 *
 * @param file     the image; its size, rounded down to 512-byte sectors, is the disk's size
 * @param readOnly whether the guest sees the disk read-only (and the file is opened for reading only)
 */
public record DiskSpec(Path file, boolean readOnly) {
    public DiskSpec {
        Objects.requireNonNull(file, "file");
    }
}
