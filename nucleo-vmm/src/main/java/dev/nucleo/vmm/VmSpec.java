package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a user asks for: the guest software and the size of the machine. Paths that are
 * absent are null-free Optionals. With only a firmware, the firmware runs bare-metal in
 * M-mode; with a kernel, the firmware (OpenSBI fw_jump) hands over to the kernel at
 * RAM base + 0x200000.
 */
public record VmSpec(
        Optional<Path> firmware,
        Optional<Path> kernel,
        Optional<Path> initrd,
        String cmdline,
        long memoryBytes,
        int cpus) {

    public static final long DEFAULT_MEMORY = 256L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0";
}
