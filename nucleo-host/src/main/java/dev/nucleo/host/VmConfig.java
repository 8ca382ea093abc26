package dev.nucleo.host;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.nucleo.vmm.BalloonSpec;
import dev.nucleo.vmm.ConsoleDeviceSpec;
import dev.nucleo.vmm.CpuShare;
import dev.nucleo.vmm.DeviceSpec;
import dev.nucleo.vmm.DiskSpec;
import dev.nucleo.vmm.NicSpec;
import dev.nucleo.vmm.RngSpec;
import dev.nucleo.vmm.VmSpec;
import dev.nucleo.vmm.VsockSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A VM definition as the API carries it: the name plus everything {@link VmSpec} holds, with
 * host paths as absolute strings and network cards in {@code nucleo run --net} syntax. Absent
 * fields take {@code nucleo run}'s defaults (1 CPU, 256 MiB, {@code console=ttyS0}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmConfig(
        String name,
        Integer cpus,
        Long memoryBytes,
        String firmware,
        String kernel,
        String initrd,
        String cmdline,
        List<DiskConfig> disks,
        List<String> nics,
        VsockConfig vsock,
        Boolean rng,
        Boolean balloon,
        String consoleSocket,
        Integer cpuWeight,
        Double cpuLimit) {

    public VmConfig {
        cpus = cpus == null ? 1 : cpus;
        memoryBytes = memoryBytes == null ? VmSpec.DEFAULT_MEMORY : memoryBytes;
        cmdline = cmdline == null ? VmSpec.DEFAULT_CMDLINE : cmdline;
        disks = disks == null ? List.of() : List.copyOf(disks);
        nics = nics == null ? List.of() : List.copyOf(nics);
        rng = rng != null && rng;
        balloon = balloon != null && balloon;
        cpuWeight = cpuWeight == null ? CpuShare.DEFAULT.weight() : cpuWeight;
        cpuLimit = cpuLimit == null ? CpuShare.DEFAULT.limit() : cpuLimit;
    }

    /** The definition of a VM called {@code name} running {@code spec} (for clients that build a VmSpec). */
    public static VmConfig of(String name, VmSpec spec) {
        List<DiskConfig> disks = spec.disks().stream()
                .map(d -> new DiskConfig(d.file().toAbsolutePath().toString(), d.readOnly(), d.iops(), d.bytesPerSecond()))
                .toList();
        List<String> nics = new ArrayList<>();
        VsockConfig vsock = null;
        boolean rng = false;
        boolean balloon = false;
        String console = null;
        for (DeviceSpec device : spec.devices()) {
            switch (device) {
                case NicSpec nic -> nics.add(nic.toString());
                case VsockSpec v -> vsock = new VsockConfig(v.guestCid(), v.socket().toAbsolutePath().toString());
                case RngSpec r -> rng = true;
                case BalloonSpec b -> balloon = true;
                case ConsoleDeviceSpec c -> console = c.socket().toAbsolutePath().toString();
                default -> throw new IllegalArgumentException("a daemon VM cannot have a " + device);
            }
        }
        return new VmConfig(name, spec.cpus(), spec.memoryBytes(), absolute(spec.firmware()), absolute(spec.kernel()),
                absolute(spec.initrd()), spec.cmdline(), disks, nics, vsock, rng, balloon, console,
                spec.cpuShare().weight(), spec.cpuShare().limit());
    }

    /** The same definition under another name. */
    public VmConfig withName(String newName) {
        return new VmConfig(newName, cpus, memoryBytes, firmware, kernel, initrd, cmdline, disks, nics, vsock, rng,
                balloon, consoleSocket, cpuWeight, cpuLimit);
    }

    /** The same definition with another CPU weight and limit. */
    public VmConfig withCpuShare(int weight, double limit) {
        return new VmConfig(name, cpus, memoryBytes, firmware, kernel, initrd, cmdline, disks, nics, vsock, rng,
                balloon, consoleSocket, weight, limit);
    }

    /**
     * The VmSpec this describes; the syntax of every field is checked here (paths absolute,
     * network cards well formed), the files and sizes by {@link SpecValidation}.
     */
    VmSpec toSpec() throws ApiException {
        if (firmware == null) {
            throw ApiException.unprocessable("firmware is required (an OpenSBI fw_jump.bin, or a bare-metal program)");
        }
        List<DiskSpec> diskSpecs = new ArrayList<>();
        for (DiskConfig disk : disks) {
            if (disk == null || disk.path() == null) {
                throw ApiException.unprocessable("each disk needs a path");
            }
            diskSpecs.add(new DiskSpec(path("disk", disk.path()), disk.readOnly(), disk.iopsOrNone(),
                    disk.bytesPerSecondOrNone()));
        }
        List<DeviceSpec> devices = new ArrayList<>();
        for (String nic : nics) {
            try {
                devices.add(NicSpec.parse(nic));
            } catch (IllegalArgumentException e) {
                throw ApiException.unprocessable("nics: " + e.getMessage());
            }
        }
        if (vsock != null) {
            try {
                devices.add(new VsockSpec(vsock.cid(), path("vsock socket", vsock.socket())));
            } catch (IllegalArgumentException e) {
                throw ApiException.unprocessable(e.getMessage());
            }
        }
        if (rng) {
            devices.add(new RngSpec());
        }
        if (consoleSocket != null) {
            devices.add(new ConsoleDeviceSpec(path("consoleSocket", consoleSocket)));
        }
        if (balloon) {
            devices.add(new BalloonSpec());
        }
        return new VmSpec(Optional.of(path("firmware", firmware)), optionalPath("kernel", kernel),
                optionalPath("initrd", initrd), cmdline, memoryBytes, cpus, diskSpecs, devices,
                new CpuShare(cpuWeight, cpuLimit));
    }

    private static String absolute(Optional<Path> path) {
        return path.map(p -> p.toAbsolutePath().toString()).orElse(null);
    }

    private static Optional<Path> optionalPath(String what, String path) throws ApiException {
        return path == null ? Optional.empty() : Optional.of(path(what, path));
    }

    /** Paths are the daemon's: relative ones would depend on where it was started. */
    private static Path path(String what, String text) throws ApiException {
        if (text == null || text.isEmpty()) {
            throw ApiException.unprocessable(what + ": the path is empty");
        }
        Path path;
        try {
            path = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw ApiException.unprocessable(what + ": '" + text + "' is not a valid path");
        }
        if (!path.isAbsolute()) {
            throw ApiException.unprocessable(what + ": '" + text + "' must be an absolute path on the daemon's host");
        }
        return path;
    }
}
