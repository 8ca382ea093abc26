package dev.nucleo.vmm;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link VmSpec} inside a snapshot: what is needed to build the same machine again
 * (memory, harts, disks and devices in slot order) and, for the record, the images it booted.
 * Devices are written as a kind and their text form.
 */
final class SpecCodec {
    private static final int MAX_ITEMS = 64;

    private SpecCodec() {
    }

    static byte[] encode(VmSpec spec) {
        StateWriter out = new StateWriter();
        optionalPath(out, spec.firmware());
        optionalPath(out, spec.kernel());
        optionalPath(out, spec.initrd());
        out.putString(spec.cmdline()).putLong(spec.memoryBytes()).putInt(spec.cpus());
        out.putInt(spec.disks().size());
        for (DiskSpec disk : spec.disks()) {
            out.putString(disk.file().toString()).putBoolean(disk.readOnly());
        }
        out.putInt(spec.devices().size());
        for (DeviceSpec device : spec.devices()) {
            out.putString(kind(device)).putString(text(device));
        }
        return out.toByteArray();
    }

    static VmSpec decode(StateReader in) throws StateException {
        Optional<Path> firmware = optionalPath(in);
        Optional<Path> kernel = optionalPath(in);
        Optional<Path> initrd = optionalPath(in);
        String cmdline = in.getString();
        long memory = in.getLong();
        int cpus = in.getInt(1, SpecCheck.MAX_CPUS, "cpus");
        if (memory <= 0 || memory % 4096 != 0) {
            throw in.bad("memory size " + memory);
        }
        int diskCount = in.getInt(0, MAX_ITEMS, "disk count");
        List<DiskSpec> disks = new ArrayList<>();
        for (int i = 0; i < diskCount; i++) {
            disks.add(new DiskSpec(path(in.getString()), in.getBoolean()));
        }
        int deviceCount = in.getInt(0, MAX_ITEMS, "device count");
        List<DeviceSpec> devices = new ArrayList<>();
        for (int i = 0; i < deviceCount; i++) {
            devices.add(device(in, in.getString(), in.getString()));
        }
        in.expectEnd();
        return new VmSpec(firmware, kernel, initrd, cmdline, memory, cpus, disks, devices);
    }

    /**
     * Whether {@code given} builds the machine the snapshot was taken of: same RAM, harts, and
     * the same kinds of devices in the same slots (their files and sockets may differ: a clone
     * gets its own disk copy and console). Returns the problem, or empty.
     */
    static Optional<String> mismatch(VmSpec saved, VmSpec given) {
        if (saved.memoryBytes() != given.memoryBytes()) {
            return Optional.of("the snapshot has " + saved.memoryBytes() + " bytes of RAM, the spec asks for "
                    + given.memoryBytes());
        }
        if (saved.cpus() != given.cpus()) {
            return Optional.of("the snapshot has " + saved.cpus() + " cpus, the spec asks for " + given.cpus());
        }
        if (saved.disks().size() != given.disks().size()) {
            return Optional.of("the snapshot has " + saved.disks().size() + " disks, the spec has "
                    + given.disks().size());
        }
        List<String> savedKinds = saved.devices().stream().map(SpecCodec::kind).toList();
        List<String> givenKinds = given.devices().stream().map(SpecCodec::kind).toList();
        if (!savedKinds.equals(givenKinds)) {
            return Optional.of("the snapshot has devices " + savedKinds + ", the spec has " + givenKinds);
        }
        return Optional.empty();
    }

    private static String kind(DeviceSpec device) {
        return switch (device) {
            case NicSpec n -> "net";
            case RngSpec r -> "rng";
            case ConsoleDeviceSpec c -> "console";
            case VsockSpec v -> "vsock";
            case BalloonSpec b -> "balloon";
            default -> throw new IllegalArgumentException("no snapshot form for device " + device);
        };
    }

    private static String text(DeviceSpec device) {
        return switch (device) {
            case NicSpec n -> n.toString();
            case ConsoleDeviceSpec c -> c.socket().toString();
            case VsockSpec v -> v.guestCid() + "," + v.socket();
            default -> "";
        };
    }

    private static DeviceSpec device(StateReader in, String kind, String text) throws StateException {
        try {
            return switch (kind) {
                case "net" -> NicSpec.parse(text);
                case "rng" -> new RngSpec();
                case "console" -> new ConsoleDeviceSpec(path(text));
                case "vsock" -> {
                    int comma = text.indexOf(',');
                    if (comma < 0) {
                        throw in.bad("vsock device '" + text + "'");
                    }
                    yield new VsockSpec(Long.parseLong(text.substring(0, comma)), path(text.substring(comma + 1)));
                }
                case "balloon" -> new BalloonSpec();
                default -> throw in.bad("unknown device kind '" + kind + "'");
            };
        } catch (IllegalArgumentException e) {
            throw in.bad("device " + kind + ": " + e.getMessage());
        }
    }

    private static void optionalPath(StateWriter out, Optional<Path> path) {
        out.putBoolean(path.isPresent());
        path.ifPresent(p -> out.putString(p.toString()));
    }

    private static Optional<Path> optionalPath(StateReader in) throws StateException {
        return in.getBoolean() ? Optional.of(path(in.getString())) : Optional.empty();
    }

    private static Path path(String text) throws StateException {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new StateException("spec: bad path '" + text + "'");
        }
    }
}
