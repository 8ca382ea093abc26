package dev.nucleo.vmm;

import dev.nucleo.machine.ImageException;
import dev.nucleo.machine.ImageLoader;
import dev.nucleo.machine.VirtMemoryMap;
import dev.nucleo.vmm.sched.CpuGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Checks a {@link VmSpec} before anything is built, so each mistake gets its own clear
 * message and kind. The parts that need no default files ({@link #checkMachine},
 * {@link #checkImages}) are public so that a front end can run them before it fetches
 * anything.
 */
public final class SpecCheck {
    public static final long MIN_MEMORY = 16L << 20;
    public static final int MAX_CPUS = 32;

    private SpecCheck() {
    }

    /** Everything: the machine's size, each image, whether the images fit in its RAM, the disks. */
    static void validate(VmSpec spec) throws VmConfigException {
        if (spec.firmware().isEmpty()) {
            throw usage("a firmware is required (--firmware), e.g. OpenSBI fw_jump.bin");
        }
        if (spec.initrd().isPresent() && spec.kernel().isEmpty()) {
            throw usage("--initrd needs a --kernel to hand it to");
        }
        checkMachine(spec.memoryBytes(), spec.cpus());
        checkCpuShare(spec.cpuShare(), spec.cpus());
        RamPlan plan = plan(spec.firmware().get(), spec.kernel(), spec.initrd());
        checkFits(plan, spec);
        DiskCheck.check(spec.disks());
    }

    /** The number of harts and the RAM size, on their own. */
    public static void checkMachine(long memoryBytes, int cpus) throws VmConfigException {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw usage("--cpus must be between 1 and " + MAX_CPUS + ", not " + cpus);
        }
        if (memoryBytes <= 0) {
            throw usage("--memory must be more than 0");
        }
        if (memoryBytes % 4096 != 0) {
            throw usage("--memory must be a multiple of 4 KiB, not " + memoryBytes + " bytes");
        }
        if (memoryBytes < MIN_MEMORY) {
            throw usage("--memory " + size(memoryBytes) + " is too small: a VM needs at least " + size(MIN_MEMORY));
        }
        long hostMemory = hostMemory();
        if (memoryBytes > hostMemory) {
            throw usage("--memory " + size(memoryBytes) + " is more than this host has (" + size(hostMemory) + ")");
        }
    }

    /** The CPU weight (1..10000) and the cap (none, or 0.01 cores up to one per hart). */
    public static void checkCpuShare(CpuShare share, int cpus) throws VmConfigException {
        int weight = share.weight();
        if (weight < CpuGroup.MIN_WEIGHT || weight > CpuGroup.MAX_WEIGHT) {
            throw usage("CPU weight must be between " + CpuGroup.MIN_WEIGHT + " and " + CpuGroup.MAX_WEIGHT
                    + ", not " + weight);
        }
        double limit = share.limit();
        if (Double.isNaN(limit) || limit < 0) {
            throw usage("CPU limit must be a number of cores, 0 (none) or more, not " + limit);
        }
        if (limit > 0 && limit < CpuGroup.MIN_LIMIT) {
            throw usage("CPU limit " + limit + " is too small: at least " + CpuGroup.MIN_LIMIT + " cores");
        }
        if (limit > cpus) {
            throw usage("CPU limit " + limit + " cores is more than the VM's " + cpus
                    + (cpus == 1 ? " hart" : " harts") + " can use");
        }
    }

    /**
     * Each image that is present: it exists, is readable and not empty, and its headers make
     * sense for its role (firmware, kernel). Nothing is loaded.
     */
    public static void checkImages(Optional<Path> firmware, Optional<Path> kernel, Optional<Path> initrd)
            throws VmConfigException {
        if (firmware.isPresent()) {
            firmwareExtent(firmware.get());
        }
        if (kernel.isPresent()) {
            kernelSpan(kernel.get());
        }
        if (initrd.isPresent()) {
            fileSize(initrd.get(), "initrd");
        }
    }

    private static RamPlan plan(Path firmware, Optional<Path> kernel, Optional<Path> initrd)
            throws VmConfigException {
        ImageLoader.Extent fw = firmwareExtent(firmware);
        OptionalLong kernelSpan = kernel.isPresent() ? OptionalLong.of(kernelSpan(kernel.get())) : OptionalLong.empty();
        OptionalLong initrdSize = initrd.isPresent() ? OptionalLong.of(fileSize(initrd.get(), "initrd"))
                : OptionalLong.empty();
        if (Long.compareUnsigned(fw.start(), RamPlan.BASE) < 0) {
            throw badImage(String.format(Locale.ROOT, "firmware %s is linked at 0x%x, below guest RAM (0x%x)",
                    firmware, fw.start(), RamPlan.BASE));
        }
        long kernelStart = RamPlan.BASE + VirtMemoryMap.KERNEL_OFFSET;
        if (kernel.isPresent() && Long.compareUnsigned(fw.end(), kernelStart) > 0) {
            throw badImage(String.format(Locale.ROOT,
                    "firmware %s reaches 0x%x, over the kernel's place at 0x%x (RAM + 2 MiB); a firmware"
                            + " that boots a kernel must end below it", firmware, fw.end(), kernelStart));
        }
        return new RamPlan(fw, kernelSpan, initrdSize);
    }

    private static void checkFits(RamPlan plan, VmSpec spec) throws VmConfigException {
        long memory = spec.memoryBytes();
        if (plan.fits(memory)) {
            return;
        }
        String what = spec.kernel().isEmpty() ? "this firmware"
                : spec.initrd().isEmpty() ? "this firmware and kernel" : "this firmware, kernel and initrd";
        long hostMemory = hostMemory();
        OptionalLong enough = plan.smallestRam(memory, hostMemory);
        if (enough.isEmpty()) {
            throw usage("--memory " + size(memory) + " is too small for " + what
                    + ", and so is all of this host's memory (" + size(hostMemory) + ")");
        }
        throw usage("--memory " + size(memory) + " is too small for " + what + ": they need at least "
                + size(enough.getAsLong()));
    }

    private static ImageLoader.Extent firmwareExtent(Path file) throws VmConfigException {
        fileSize(file, "firmware");
        try {
            return ImageLoader.firmwareExtent(file, RamPlan.BASE);
        } catch (ImageException e) {
            throw badImage(e.getMessage());
        }
    }

    private static long kernelSpan(Path file) throws VmConfigException {
        fileSize(file, "kernel");
        try {
            return ImageLoader.kernelSpan(file);
        } catch (ImageException e) {
            throw badImage(e.getMessage());
        }
    }

    /** The file's size; it must exist, be a readable regular file, and not be empty. */
    private static long fileSize(Path file, String what) throws VmConfigException {
        if (!Files.exists(file)) {
            throw missing(what + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw missing(what + " " + file + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw missing(what + " " + file + ": not readable");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw badImage(what + " " + file + " is empty (0 bytes)");
            }
            return size;
        } catch (IOException e) {
            throw missing("cannot read " + what + " " + file + ": " + e.getMessage());
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

    private static VmConfigException badImage(String message) {
        return new VmConfigException(VmConfigException.Kind.BAD_IMAGE, message);
    }

    private static VmConfigException missing(String message) {
        return new VmConfigException(VmConfigException.Kind.MISSING_FILE, message);
    }

    /** "256 MiB", "100 TiB", "23.5 GiB": whole units when exact, else one decimal; bytes below 1 KiB. */
    static String size(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        int unit = 0;
        while (unit + 1 < units.length && bytes >= 1L << (10 * (unit + 2))) {
            unit++;
        }
        long scale = 1L << (10 * (unit + 1));
        if (bytes % scale == 0) {
            return bytes / scale + " " + units[unit];
        }
        return String.format(Locale.ROOT, "%.1f %s", (double) bytes / scale, units[unit]);
    }
}
