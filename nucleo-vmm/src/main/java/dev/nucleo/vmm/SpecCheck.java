package dev.nucleo.vmm;

import dev.nucleo.machine.ImageLoader;
import dev.nucleo.machine.VirtMemoryMap;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a {@link VmSpec} before anything is built, so each mistake gets its own clear message. */
final class SpecCheck {
    static final long MIN_MEMORY = 16L << 20;
    static final int MAX_CPUS = 32;

    private SpecCheck() {
    }

    static void validate(VmSpec spec) throws VmConfigException {
        if (spec.firmware().isEmpty()) {
            throw usage("a firmware is required (--firmware), e.g. OpenSBI fw_jump.bin");
        }
        if (spec.initrd().isPresent() && spec.kernel().isEmpty()) {
            throw usage("--initrd needs a --kernel to hand it to");
        }
        if (spec.cpus() < 1 || spec.cpus() > MAX_CPUS) {
            throw usage("--cpus must be between 1 and " + MAX_CPUS + ", not " + spec.cpus());
        }
        long memory = spec.memoryBytes();
        if (memory % 4096 != 0) {
            throw usage("--memory must be a multiple of 4 KiB, not " + memory + " bytes");
        }
        if (memory < MIN_MEMORY) {
            throw usage("--memory " + mib(memory) + " is too small: a VM needs at least " + mib(MIN_MEMORY));
        }
        long hostMemory = hostMemory();
        if (memory > hostMemory) {
            throw usage("--memory " + mib(memory) + " is more than this host has (" + mib(hostMemory) + ")");
        }
        long firmware = fileSize(spec.firmware().get(), "firmware");
        long needed = firmware;
        if (spec.kernel().isPresent()) {
            needed = VirtMemoryMap.KERNEL_OFFSET + fileSize(spec.kernel().get(), "kernel");
        }
        if (spec.initrd().isPresent()) {
            needed += fileSize(spec.initrd().get(), "initrd");
        }
        needed += ImageLoader.FDT_WINDOW;
        if (needed > memory) {
            throw usage("--memory " + mib(memory) + " is too small for this firmware, kernel and initrd: they need at least "
                    + mib(needed));
        }
    }

    private static long fileSize(Path file, String what) throws VmConfigException {
        if (!Files.exists(file)) {
            throw new VmConfigException(VmConfigException.Kind.MISSING_FILE, what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new VmConfigException(VmConfigException.Kind.MISSING_FILE, what + " " + file + " is not a readable file");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw new VmConfigException(VmConfigException.Kind.BAD_IMAGE, what + " " + file + " is empty");
            }
            return size;
        } catch (IOException e) {
            throw new VmConfigException(VmConfigException.Kind.MISSING_FILE, "cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    private static long hostMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    private static VmConfigException usage(String message) {
        return new VmConfigException(VmConfigException.Kind.USAGE, message);
    }

    private static String mib(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

}
