package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.machine.GuestRam;
import dev.nucleo.machine.ImageException;
import dev.nucleo.machine.ImageLoader;
import dev.nucleo.machine.VirtMemoryMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecCheckTest {
    private static final long MIB = 1L << 20;
    private static final long BASE = VirtMemoryMap.DRAM_BASE;

    @TempDir
    Path tmp;

    /** A RISC-V Image (no EFI stub) of {@code fileSize} bytes occupying {@code imageSize} in RAM. */
    private Path kernel(int fileSize, long imageSize) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x6f).putLong(0x10, imageSize).putInt(0x38, 0x0543_5352);
        return Files.write(tmp.resolve("Image"), b.array());
    }

    private Path file(String name, int size) throws IOException {
        return Files.write(tmp.resolve(name), new byte[size]);
    }

    private static VmConfigException refused(VmSpec spec) {
        return assertThrows(VmConfigException.class, () -> SpecCheck.validate(spec));
    }

    private static VmSpec spec(Path firmware, Path kernel, Path initrd, long memory) {
        return new VmSpec(Optional.of(firmware), Optional.ofNullable(kernel), Optional.ofNullable(initrd),
                VmSpec.DEFAULT_CMDLINE, memory, 1);
    }

    @Test
    void sizesReadLikeTheUserWritesThem() {
        assertEquals("16 MiB", SpecCheck.size(16 * MIB));
        assertEquals("100 TiB", SpecCheck.size(100L << 40));
        assertEquals("23.5 GiB", SpecCheck.size((47L << 30) / 2));
        assertEquals("1.5 KiB", SpecCheck.size(1536));
        assertEquals("512 bytes", SpecCheck.size(512));
    }

    /** The plan's smallest RAM is exactly where the loader starts to succeed. */
    @Test
    void smallestRamAgreesWithTheLoader() throws Exception {
        long kernelSpan = 30 * MIB + 12345;
        Path initrd = file("initrd", (int) (2.5 * MIB));
        RamPlan plan = new RamPlan(new ImageLoader.Extent(BASE, BASE + 300_000), OptionalLong.of(kernelSpan),
                OptionalLong.of(Files.size(initrd)));
        long smallest = plan.smallestRam(16 * MIB, 1L << 30).orElseThrow();
        long kernelEnd = BASE + VirtMemoryMap.KERNEL_OFFSET + kernelSpan;
        try (GuestRam enough = new GuestRam(BASE, smallest)) {
            assertDoesNotThrow(() -> ImageLoader.loadInitrd(enough, initrd, kernelEnd));
        }
        try (GuestRam tooLittle = new GuestRam(BASE, smallest - MIB)) {
            assertThrows(ImageException.class, () -> ImageLoader.loadInitrd(tooLittle, initrd, kernelEnd));
        }
        assertFalse(plan.fits(smallest - MIB));
        assertTrue(plan.fits(smallest));
    }

    @Test
    void memoryTooSmallForTheImagesNamesWhatWouldDo() throws IOException {
        Path firmware = file("fw.bin", 4096);
        VmConfigException e = refused(spec(firmware, kernel(4096, 30 * MIB), file("initrd", (int) MIB), 32 * MIB));
        assertEquals(VmConfigException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("--memory 32 MiB is too small for this firmware, kernel and initrd"),
                e.getMessage());
        // The kernel ends at 32 MiB, the initrd goes at 36 MiB (above OpenSBI's FDT copy), the FDT window on top.
        assertTrue(e.getMessage().contains("at least 40 MiB"), e.getMessage());
        assertDoesNotThrow(() -> SpecCheck.validate(spec(firmware, kernel(4096, 30 * MIB), null, 38 * MIB)));
    }

    @Test
    void firmwareOverTheKernelIsABadImage() throws IOException {
        VmConfigException e = refused(spec(file("fw.bin", (int) (3 * MIB)), kernel(4096, 8192), null, 64 * MIB));
        assertEquals(VmConfigException.Kind.BAD_IMAGE, e.kind());
        assertTrue(e.getMessage().contains("over the kernel's place at 0x80200000"), e.getMessage());
    }

    @Test
    void machineSizeIsCheckedOnItsOwn() {
        assertEquals(VmConfigException.Kind.USAGE,
                assertThrows(VmConfigException.class, () -> SpecCheck.checkMachine(256 * MIB, 0)).kind());
        assertEquals(VmConfigException.Kind.USAGE,
                assertThrows(VmConfigException.class, () -> SpecCheck.checkMachine(1L << 50, 1)).kind());
        assertDoesNotThrow(() -> SpecCheck.checkMachine(256 * MIB, SpecCheck.MAX_CPUS));
    }

    @Test
    void imagesAreCheckedWithoutAFirmware() throws IOException {
        VmConfigException missing = assertThrows(VmConfigException.class,
                () -> SpecCheck.checkImages(Optional.empty(), Optional.of(tmp.resolve("none")), Optional.empty()));
        assertEquals(VmConfigException.Kind.MISSING_FILE, missing.kind());
        VmConfigException bad = assertThrows(VmConfigException.class,
                () -> SpecCheck.checkImages(Optional.empty(), Optional.of(file("junk", 4096)), Optional.empty()));
        assertEquals(VmConfigException.Kind.BAD_IMAGE, bad.kind());
        assertTrue(bad.getMessage().startsWith("kernel "), bad.getMessage());
    }

    @Test
    void cpuWeightAndLimitAreChecked() {
        assertDoesNotThrow(() -> SpecCheck.checkCpuShare(CpuShare.DEFAULT, 1));
        assertDoesNotThrow(() -> SpecCheck.checkCpuShare(new CpuShare(10_000, 2.0), 2));
        assertDoesNotThrow(() -> SpecCheck.checkCpuShare(new CpuShare(1, 0.01), 1));
        assertEquals("CPU weight must be between 1 and 10000, not 0",
                assertThrows(VmConfigException.class, () -> SpecCheck.checkCpuShare(new CpuShare(0, 0), 1)).getMessage());
        assertEquals("CPU weight must be between 1 and 10000, not 10001", assertThrows(VmConfigException.class,
                () -> SpecCheck.checkCpuShare(new CpuShare(10_001, 0), 1)).getMessage());
        assertEquals("CPU limit 1.5 cores is more than the VM's 1 hart can use", assertThrows(VmConfigException.class,
                () -> SpecCheck.checkCpuShare(new CpuShare(100, 1.5), 1)).getMessage());
        assertEquals("CPU limit 0.001 is too small: at least 0.01 cores", assertThrows(VmConfigException.class,
                () -> SpecCheck.checkCpuShare(new CpuShare(100, 0.001), 4)).getMessage());
        assertEquals(VmConfigException.Kind.USAGE, assertThrows(VmConfigException.class,
                () -> SpecCheck.checkCpuShare(new CpuShare(100, Double.NaN), 4)).kind());
        assertEquals(VmConfigException.Kind.USAGE, assertThrows(VmConfigException.class,
                () -> SpecCheck.checkCpuShare(new CpuShare(100, -1), 4)).kind());
    }

    @Test
    void validateChecksTheCpuShare() throws IOException {
        Path firmware = file("fw.bin", 4096);
        VmSpec spec = spec(firmware, null, null, 64 * MIB).withCpuShare(new CpuShare(100, 2));
        assertTrue(refused(spec).getMessage().contains("CPU limit"));
    }
}
