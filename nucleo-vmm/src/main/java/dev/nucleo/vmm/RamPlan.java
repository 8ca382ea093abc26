package dev.nucleo.vmm;

import dev.nucleo.machine.ImageLoader;
import dev.nucleo.machine.VirtMemoryMap;
import java.util.OptionalLong;

/**
 * Where the boot images will lie in guest RAM, for any RAM size, by the rules
 * {@link ImageLoader} places them with: the firmware where its headers say (the RAM base for
 * a flat binary), the kernel at RAM base + {@link VirtMemoryMap#KERNEL_OFFSET}, the initrd
 * above it, and the device tree's window at the top. Knowing this before the board is built
 * turns "--memory is too small" into a usage error that names the size that would do.
 *
 * @param firmware   the firmware's physical extent
 * @param kernelSpan bytes the kernel occupies, if there is one
 * @param initrdSize bytes of the initrd, if there is one
 */
record RamPlan(ImageLoader.Extent firmware, OptionalLong kernelSpan, OptionalLong initrdSize) {
    static final long BASE = VirtMemoryMap.DRAM_BASE;
    private static final long MIB = 1L << 20;

    /** Whether every image fits, below the device tree, in {@code ramSize} bytes of RAM. */
    boolean fits(long ramSize) {
        long limit = ImageLoader.fdtWindowStart(BASE, ramSize);
        if (Long.compareUnsigned(firmware.end(), limit) > 0) {
            return false;
        }
        if (kernelSpan.isEmpty()) {
            return true;
        }
        long kernelEnd = BASE + VirtMemoryMap.KERNEL_OFFSET + kernelSpan.getAsLong();
        if (Long.compareUnsigned(kernelEnd, limit) > 0) {
            return false;
        }
        if (initrdSize.isEmpty()) {
            return true;
        }
        long initrd = ImageLoader.initrdAddress(BASE, ramSize, kernelEnd);
        return Long.compareUnsigned(initrd, limit) <= 0 && initrdSize.getAsLong() <= limit - initrd;
    }

    /** The smallest whole number of MiB from {@code from} up to {@code limit} bytes that fits; empty if none. */
    OptionalLong smallestRam(long from, long limit) {
        // Linear, as the initrd's place depends on the RAM size; at most one step per MiB of host memory.
        for (long size = (from + MIB - 1) & -MIB; size <= limit; size += MIB) {
            if (fits(size)) {
                return OptionalLong.of(size);
            }
        }
        return OptionalLong.empty();
    }
}
