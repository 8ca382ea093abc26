package dev.nucleo.vmm;

import dev.nucleo.machine.VirtMemoryMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks the disks of a {@link VmSpec}: each file usable as asked, and not too many of them. */
public final class DiskCheck {
    private static final int SECTOR = 512;

    private DiskCheck() {
    }

    public static void check(List<DiskSpec> disks) throws VmConfigException {
        if (disks.size() > VirtMemoryMap.VIRTIO_COUNT) {
            throw new VmConfigException(VmConfigException.Kind.USAGE, "at most " + VirtMemoryMap.VIRTIO_COUNT
                    + " disks (--disk), not " + disks.size());
        }
        Map<Path, DiskSpec> seen = new HashMap<>();
        for (DiskSpec disk : disks) {
            checkLimits(disk);
            Path real = checkFile(disk);
            DiskSpec earlier = seen.putIfAbsent(real, disk);
            // Two guests' views of one file, one of them writable, would corrupt it.
            if (earlier != null && !(earlier.readOnly() && disk.readOnly())) {
                throw new VmConfigException(VmConfigException.Kind.USAGE,
                        "disk " + disk.file() + " is given twice; only read-only disks may be shared");
            }
        }
    }

    private static void checkLimits(DiskSpec disk) throws VmConfigException {
        if (disk.iops() < 0) {
            throw new VmConfigException(VmConfigException.Kind.USAGE, "disk " + disk.file()
                    + ": iops must be a number of requests per second (0 for no limit), not " + disk.iops());
        }
        if (disk.bytesPerSecond() < 0 || (disk.bytesPerSecond() > 0 && disk.bytesPerSecond() < SECTOR)) {
            throw new VmConfigException(VmConfigException.Kind.USAGE, "disk " + disk.file()
                    + ": bps must be at least " + SECTOR + " bytes per second (0 for no limit), not "
                    + disk.bytesPerSecond());
        }
    }

    /** The disk's real path, once it is known to be a regular file the VM can open as asked. */
    private static Path checkFile(DiskSpec disk) throws VmConfigException {
        Path file = disk.file();
        if (!Files.exists(file)) {
            throw missing("disk " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw missing("disk " + file + ": not a regular file (a raw image file is needed)");
        }
        if (!Files.isReadable(file)) {
            throw missing("disk " + file + ": not readable");
        }
        if (!disk.readOnly() && !Files.isWritable(file)) {
            throw missing("disk " + file + ": not writable (attach it with ,readonly)");
        }
        try {
            if (Files.size(file) < SECTOR) {
                throw new VmConfigException(VmConfigException.Kind.BAD_IMAGE,
                        "disk " + file + " is smaller than one 512-byte sector");
            }
            return file.toRealPath();
        } catch (IOException e) {
            throw missing("cannot read disk " + file + ": " + e.getMessage());
        }
    }

    private static VmConfigException missing(String message) {
        return new VmConfigException(VmConfigException.Kind.MISSING_FILE, message);
    }
}
