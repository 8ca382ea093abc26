package dev.nucleo.cli;

import dev.nucleo.vmm.SpecCheck;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmSpec;
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
 * The machine's size and the files the user names (that they exist and look like what they
 * are given as) are checked before anything is fetched: a typo must not cost a download.
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
        check(() -> SpecCheck.checkMachine(o.memoryBytes(), o.cpus()));
        boolean bareMetal = o.firmware().isPresent() && o.kernel().isEmpty();
        if (bareMetal && o.initrd().isPresent()) {
            throw new CliException(ExitStatus.USAGE, "--initrd needs a kernel: add --kernel, or drop --firmware to use the default guest");
        }
        if (bareMetal && o.cmdline().isPresent()) {
            throw new CliException(ExitStatus.USAGE, "--cmdline needs a kernel: add --kernel, or drop --firmware to use the default guest");
        }
        check(() -> SpecCheck.checkImages(o.firmware(), o.kernel(), o.initrd()));
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

    private interface Check {
        void run() throws VmConfigException;
    }

    private static void check(Check check) throws CliException {
        try {
            check.run();
        } catch (VmConfigException e) {
            throw new CliException(ExitStatus.of(e.kind()), e.getMessage(), e);
        }
    }
}
