package dev.nucleo.cli;

import dev.nucleo.vmm.BalloonSpec;
import dev.nucleo.vmm.ConsoleDeviceSpec;
import dev.nucleo.vmm.DeviceSpec;
import dev.nucleo.vmm.DiskCheck;
import dev.nucleo.vmm.DiskSpec;
import dev.nucleo.vmm.NicSpec;
import dev.nucleo.vmm.RngSpec;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmSpec;
import dev.nucleo.vmm.VsockSpec;
import dev.nucleo.vmm.guest.GuestCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options that describe a machine — guest software, size, disks, devices — shared by
 * {@code nucleo run} and {@code nucleo create}, and how they become a {@link VmSpec}.
 */
final class MachineOptions {
    @Option(names = "--firmware", paramLabel = "FILE",
            description = "Firmware loaded at the base of RAM (default: the cached OpenSBI fw_jump.bin).")
    Path firmware;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Kernel Image loaded at RAM base + 2 MiB (default: the cached Debian kernel).")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE",
            description = "Initial ramdisk (default with the default guest: its busybox initramfs).")
    Path initrd;

    @Option(names = "--cmdline", paramLabel = "STR",
            description = "Kernel command line (default: \"" + VmSpec.DEFAULT_CMDLINE + "\").")
    String cmdline;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeParser.class,
            description = "Guest RAM, e.g. 256M, 1G, 512MiB or bytes (default: 256M).")
    long memoryBytes = VmSpec.DEFAULT_MEMORY;

    @Option(names = "--cpus", paramLabel = "N", description = "Number of harts (default: 1).")
    int cpus = 1;

    @Option(names = "--disk", paramLabel = "FILE[,readonly][,iops=N][,bps=SIZE]", converter = DiskOption.class,
            description = "A raw disk image as a virtio-blk disk; repeatable, the first is /dev/vda."
                    + " With ,readonly the guest cannot write it; ,iops=N and ,bps=SIZE (e.g. 10M) limit it"
                    + " to N requests and SIZE bytes per second (with a burst of one second's worth).")
    List<DiskSpec> disks = new ArrayList<>();

    @Option(names = "--net", paramLabel = "SPEC", converter = NetOption.class,
            description = "A virtio-net card; repeatable. SPEC is stream=listen:PATH or stream=connect:PATH"
                    + " (an Ethernet link over a Unix socket, framed as QEMU's -netdev stream) or tap=IFNAME"
                    + " (a host TAP device), optionally followed by ,mac=52:54:00:XX:XX:XX"
                    + " (default: an address derived from SPEC, the same every run).")
    List<NicSpec> nets = new ArrayList<>();

    @Option(names = "--vsock", paramLabel = "cid=N,socket=PATH", converter = VsockOption.class,
            description = "A virtio-vsock device for guest CID N (3 or more). A guest connection to CID 2"
                    + " port P reaches the Unix socket PATH_P; a host program connects to PATH and writes"
                    + " \"CONNECT <port>\\n\" to reach guest port <port> (answer: \"OK <hostport>\\n\").")
    VsockSpec vsock;

    @Option(names = "--rng", description = "A virtio entropy device (the guest's /dev/hwrng), fed by the host's"
            + " SecureRandom.")
    boolean rng;

    @Option(names = "--console-device", paramLabel = "socket=PATH", converter = ConsoleDeviceOption.class,
            description = "A virtio console (the guest's /dev/hvc0) on a Unix socket Nucleo listens on at PATH:"
                    + " one client at a time reads what the guest writes and types what it reads.")
    ConsoleDeviceSpec consoleDevice;

    @Option(names = "--balloon", description = "A virtio memory balloon: memory the guest gives to it is"
            + " released on the host (driven through the Vm API).")
    boolean balloon;

    /** The machine the options describe, the default guest fetched (progress on {@code err}) if it is needed. */
    VmSpec spec(java.io.PrintStream err) throws CliException {
        try {
            DiskCheck.check(disks); // before any fetch: a typo must not cost a download
        } catch (VmConfigException e) {
            throw new CliException(ExitStatus.of(e.kind()), e.getMessage(), e);
        }
        DefaultGuest defaults = new CachedDefaultGuest(GuestCache.fromEnvironment(), err);
        return new SpecResolver(defaults).resolve(options()).withDisks(disks).withDevices(devices());
    }

    /** The virtio devices other than disks, in slot order. */
    List<DeviceSpec> devices() {
        List<DeviceSpec> devices = new ArrayList<>();
        devices.addAll(nets);
        if (vsock != null) {
            devices.add(vsock);
        }
        if (rng) {
            devices.add(new RngSpec());
        }
        if (consoleDevice != null) {
            devices.add(consoleDevice);
        }
        if (balloon) {
            devices.add(new BalloonSpec());
        }
        return devices;
    }

    SpecResolver.GuestOptions options() {
        return new SpecResolver.GuestOptions(Optional.ofNullable(firmware), Optional.ofNullable(kernel),
                Optional.ofNullable(initrd), Optional.ofNullable(cmdline), memoryBytes, cpus);
    }
}
