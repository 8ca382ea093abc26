package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a user asks for: the guest software, the size of the machine and its disks. Paths
 * that are absent are null-free Optionals. With only a firmware, the firmware runs
 * bare-metal in M-mode; with a kernel, the firmware (OpenSBI fw_jump) hands over to the
 * kernel at RAM base + 0x200000. Disks become virtio-blk devices in virtio-mmio slots 0..,
 * in order, so the first is the guest's {@code /dev/vda}.
 */
public record VmSpec(
        Optional<Path> firmware,
        Optional<Path> kernel,
        Optional<Path> initrd,
        String cmdline,
        long memoryBytes,
        int cpus,
        List<DiskSpec> disks) {

    public static final long DEFAULT_MEMORY = 256L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0";

    public VmSpec {
        disks = List.copyOf(disks);
    }

    /** A machine without disks. */
    public VmSpec(Optional<Path> firmware, Optional<Path> kernel, Optional<Path> initrd, String cmdline,
                  long memoryBytes, int cpus) {
        this(firmware, kernel, initrd, cmdline, memoryBytes, cpus, List.of());
    }

    /** The same machine with these disks. */
    public VmSpec withDisks(List<DiskSpec> newDisks) {
        return new VmSpec(firmware, kernel, initrd, cmdline, memoryBytes, cpus, newDisks);
    }
}
