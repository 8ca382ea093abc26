package dev.nucleo.cli;

import dev.nucleo.vmm.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns the guest options of {@code nucleo run} into a {@link VmSpec}:
 * <ul>
 * <li>no --firmware and no --kernel: the default guest (cached firmware, kernel and
 *     initramfs; --initrd replaces the initramfs);
 * <li>--firmware alone: bare metal, the firmware runs with no kernel;
 * <li>--kernel: boots it through the given firmware, or the cached default fw_jump.bin.
 * </ul>
 * Files the user names are checked before anything is fetched.
 */
final class SpecResolver {
    /** The guest-related options, as parsed. */
    record GuestOptions(Optional<Path> firmware, Optional<Path> kernel, Optional<Path> initrd,
            Optional<String> cmdline, long memoryBytes, int cpus) {
    }

    private final DefaultGuest defaults;

    SpecResolver(DefaultGuest defaults) {
        this.defaults = defaults;
    }

    VmSpec resolve(GuestOptions o) throws CliException {
        if (o.cpus() < 1) {
            throw new CliException(ExitStatus.USAGE, "--cpus must be at least 1 (got " + o.cpus() + ")");
        }
        if (o.memoryBytes() <= 0) {
            throw new CliException(ExitStatus.USAGE, "--memory must be more than 0");
        }
        boolean bareMetal = o.firmware().isPresent() && o.kernel().isEmpty();
        if (bareMetal && o.initrd().isPresent()) {
            throw new CliException(ExitStatus.USAGE, "--initrd needs a kernel: add --kernel, or drop --firmware to use the default guest");
        }
        if (bareMetal && o.cmdline().isPresent()) {
            throw new CliException(ExitStatus.USAGE, "--cmdline needs a kernel: add --kernel, or drop --firmware to use the default guest");
        }
        for (Optional<Path> file : java.util.List.of(o.firmware(), o.kernel(), o.initrd())) {
            if (file.isPresent()) {
                checkReadable(file.get());
            }
        }
        String cmdline = o.cmdline().orElse(VmSpec.DEFAULT_CMDLINE);
        if (bareMetal) {
            return new VmSpec(o.firmware(), Optional.empty(), Optional.empty(), cmdline, o.memoryBytes(), o.cpus());
        }
        if (o.kernel().isPresent()) {
            Path firmware = o.firmware().isPresent() ? o.firmware().get() : defaults.firmware();
            return new VmSpec(Optional.of(firmware), o.kernel(), o.initrd(), cmdline, o.memoryBytes(), o.cpus());
        }
        Path initrd = o.initrd().isPresent() ? o.initrd().get() : defaults.initrd();
        return new VmSpec(Optional.of(defaults.firmware()), Optional.of(defaults.kernel()), Optional.of(initrd),
                cmdline, o.memoryBytes(), o.cpus());
    }

    private static void checkReadable(Path file) throws CliException {
        if (!Files.exists(file)) {
            throw new CliException(ExitStatus.MISSING_INPUT, file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitStatus.MISSING_INPUT, file + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new CliException(ExitStatus.MISSING_INPUT, file + ": not readable");
        }
    }
}
