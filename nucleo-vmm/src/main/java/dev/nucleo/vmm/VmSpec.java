package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a user asks for: the guest software, the size of the machine and its disks. Paths
 * that are absent are null-free Optionals. With only a firmware, the firmware runs
 * bare-metal in M-mode; with a kernel, the firmware (OpenSBI fw_jump) hands over to the
 * kernel at RAM base + 0x200000. Disks become virtio-blk devices in virtio-mmio slots 0..,
 * in order, so the first is the guest's {@code /dev/vda}; the other virtio devices follow.
 * {@link CpuShare} matters when the VM runs on a {@link dev.nucleo.vmm.sched.CpuScheduler}.
 */
public record VmSpec(
        Optional<Path> firmware,
        Optional<Path> kernel,
        Optional<Path> initrd,
        String cmdline,
        long memoryBytes,
        int cpus,
        List<DiskSpec> disks,
        List<DeviceSpec> devices,
        CpuShare cpuShare) {

    public static final long DEFAULT_MEMORY = 256L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0";

    public VmSpec {
        disks = List.copyOf(disks);
        devices = List.copyOf(devices);
        Objects.requireNonNull(cpuShare, "cpuShare");
    }

    /** A machine with the default CPU share. */
    public VmSpec(Optional<Path> firmware, Optional<Path> kernel, Optional<Path> initrd, String cmdline,
                  long memoryBytes, int cpus, List<DiskSpec> disks, List<DeviceSpec> devices) {
        this(firmware, kernel, initrd, cmdline, memoryBytes, cpus, disks, devices, CpuShare.DEFAULT);
    }

    /** A machine without disks. */
    public VmSpec(Optional<Path> firmware, Optional<Path> kernel, Optional<Path> initrd, String cmdline,
                  long memoryBytes, int cpus) {
        this(firmware, kernel, initrd, cmdline, memoryBytes, cpus, List.of(), List.of(), CpuShare.DEFAULT);
    }

    /** The same machine with these disks. */
    public VmSpec withDisks(List<DiskSpec> newDisks) {
        return new VmSpec(firmware, kernel, initrd, cmdline, memoryBytes, cpus, newDisks, devices, cpuShare);
    }

    /** The same machine with these other virtio devices (after the disks, in this order). */
    public VmSpec withDevices(List<DeviceSpec> newDevices) {
        return new VmSpec(firmware, kernel, initrd, cmdline, memoryBytes, cpus, disks, newDevices, cpuShare);
    }

    /** The same machine with this share of the host's CPU. */
    public VmSpec withCpuShare(CpuShare newShare) {
        return new VmSpec(firmware, kernel, initrd, cmdline, memoryBytes, cpus, disks, devices, newShare);
    }
}
