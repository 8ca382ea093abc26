package dev.nucleo.machine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ImageLoaderTest {
    private static final long BASE = VirtMemoryMap.DRAM_BASE;
    private static final long MIB = 1 << 20;
    private static final long KERNEL = BASE + VirtMemoryMap.KERNEL_OFFSET;

    @TempDir
    Path dir;

    private final GuestRam ram = new GuestRam(BASE, 16 * MIB);

    @AfterEach
    void close() {
        ram.close();
    }

    /** A minimal RISC-V Image: header plus body, image_size as given. */
    static byte[] image(int fileSize, long imageSize) {
        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x0000_006f); // j . (any code)
        b.putLong(8, 0x20_0000);
        b.putLong(0x10, imageSize);
        b.putInt(0x20, 2);
        b.putLong(0x30, 0x5643_5349_52L); // "RISCV"
        b.putInt(0x38, 0x0543_5352); // "RSC\x05"
        for (int i = 64; i < fileSize; i++) {
            b.put(i, (byte) i);
        }
        return b.array();
    }

    private Path write(String name, byte[] content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    @Test
    void rawFirmwareGoesToTheRamBase() throws Exception {
        long entry = ImageLoader.loadFirmware(ram, write("fw.bin", new byte[] {0x13, 0, 0, 0, 0x6f}));
        assertEquals(BASE, entry);
        assertArrayEquals(new byte[] {0x13, 0, 0, 0, 0x6f}, ram.read(BASE, 5));
    }

    @Test
    void firmwareTooLargeForRam() throws Exception {
        Path big = write("fw.bin", new byte[(int) (16 * MIB) + 1]);
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadFirmware(ram, big)).getMessage();
        assertTrue(message.contains("does not fit"), message);
    }

    @Test
    void elfFirmwareIsLoadedByItsHeaders() throws Exception {
        byte[] elf = new ElfBuilder().entry(BASE + 0x100).load(BASE + 0x100, new byte[] {1, 2}, 2).build();
        assertEquals(BASE + 0x100, ImageLoader.loadFirmware(ram, write("fw.elf", elf)));
        assertArrayEquals(new byte[] {1, 2}, ram.read(BASE + 0x100, 2));
        byte[] pie = new ElfBuilder().type(3).entry(0).load(0, new byte[] {3, 4}, 2).build();
        assertEquals(BASE, ImageLoader.loadFirmware(ram, write("pie.elf", pie)));
        assertArrayEquals(new byte[] {3, 4}, ram.read(BASE, 2));
    }

    @Test
    void kernelImageGoesTwoMegabytesUpAndItsBssIsCleared() throws Exception {
        ram.load(KERNEL + 4096, new byte[] {-1, -1, -1, -1});
        byte[] kernel = image(4096, 8192);
        ImageLoader.KernelImage loaded = ImageLoader.loadKernel(ram, write("Image", kernel));
        assertEquals(KERNEL, loaded.loadAddress());
        assertEquals(KERNEL, loaded.entry());
        assertEquals(4096, loaded.fileSize());
        assertEquals(8192, loaded.imageSize());
        assertEquals(KERNEL + 8192, loaded.end());
        assertArrayEquals(kernel, ram.read(KERNEL, 4096));
        assertEquals(0, ram.readInt(KERNEL + 4096));
    }

    @Test
    void kernelImageSizeMustFitInRam() throws Exception {
        Path kernel = write("Image", image(4096, 15 * MIB));
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadKernel(ram, kernel)).getMessage();
        assertTrue(message.contains("needs 0xf00000 bytes at 0x80200000"), message);
        assertTrue(message.contains("more memory"), message);
        assertEquals(0, ram.readInt(KERNEL), "nothing loaded");
    }

    @Test
    void kernelErrorsAreClear() throws Exception {
        String shortFile = assertThrows(ImageException.class,
                () -> ImageLoader.loadKernel(ram, write("short", new byte[10]))).getMessage();
        assertTrue(shortFile.contains("too short for a RISC-V Image header"), shortFile);

        byte[] noMagic = image(128, 0);
        noMagic[0x38] = 'X';
        String badMagic = assertThrows(ImageException.class,
                () -> ImageLoader.loadKernel(ram, write("nomagic", noMagic))).getMessage();
        assertTrue(badMagic.contains("RSC\\x05"), badMagic);

        byte[] bigEndian = image(128, 0);
        bigEndian[0x18] = 1;
        assertTrue(assertThrows(ImageException.class,
                () -> ImageLoader.loadKernel(ram, write("be", bigEndian))).getMessage().contains("big-endian"));

        byte[] zboot = image(128, 0);
        System.arraycopy("MZ\0\0zimg".getBytes(), 0, zboot, 0, 8);
        assertTrue(assertThrows(ImageException.class,
                () -> ImageLoader.loadKernel(ram, write("zboot", zboot))).getMessage().contains("zboot"));

        assertTrue(assertThrows(ImageException.class,
                () -> ImageLoader.loadKernel(ram, dir.resolve("missing"))).getMessage().contains("missing"));
    }

    @Test
    void imageWithoutSizeUsesTheFileSize() throws Exception {
        ImageLoader.KernelImage loaded = ImageLoader.loadKernel(ram, write("Image", image(300, 0)));
        assertEquals(KERNEL + 300, loaded.end());
    }

    @Test
    void gzipCompressedImageIsDecompressed() throws Exception {
        byte[] kernel = image(100_000, 200_000);
        Path gz = dir.resolve("Image.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(kernel);
        }
        ImageLoader.KernelImage loaded = ImageLoader.loadKernel(ram, gz);
        assertEquals(100_000, loaded.fileSize());
        assertEquals(200_000, loaded.imageSize());
        assertArrayEquals(kernel, ram.read(KERNEL, kernel.length));
    }

    @Test
    void gzipBombIsStoppedAtTheEndOfRam() throws Exception {
        Path gz = dir.resolve("bomb.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(image(64, 0));
            out.write(new byte[(int) (15 * MIB)]); // more than the 14 MiB above the kernel base
        }
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadKernel(ram, gz)).getMessage();
        assertTrue(message.contains("decompresses to more than"), message);
    }

    @Test
    void elfKernelIsPlacedLikeItsImage() throws Exception {
        long va = 0xffff_ffff_8000_0000L;
        byte[] vmlinux = new ElfBuilder().type(3).entry(va).load(va, new byte[] {1, 2, 3}, 0x1000).build();
        ImageLoader.KernelImage loaded = ImageLoader.loadKernel(ram, write("vmlinux", vmlinux));
        assertEquals(KERNEL, loaded.entry());
        assertEquals(KERNEL + 0x1000, loaded.end());
        assertArrayEquals(new byte[] {1, 2, 3}, ram.read(KERNEL, 3));
    }

    @Test
    void initrdGoesHalfwayIntoSmallRamAndBelowTheFdt() throws Exception {
        byte[] initrd = new byte[] {'0', '7', '0', '7'};
        try (GuestRam mid = new GuestRam(BASE, 128 * MIB)) {
            BoardConfig.Initrd placed = ImageLoader.loadInitrd(mid, write("initrd", initrd), KERNEL + 4096);
            assertEquals(BASE + 64 * MIB, placed.start());
            assertEquals(BASE + 64 * MIB + 4, placed.end());
            assertArrayEquals(initrd, mid.read(placed.start(), 4));

            BoardConfig.Initrd aboveKernel = ImageLoader.loadInitrd(mid, write("initrd", initrd), BASE + 65 * MIB + 1);
            assertEquals(BASE + 66 * MIB, aboveKernel.start(), "never over a large kernel");

            Path tooBig = write("big", new byte[(int) (62 * MIB) + 1]); // 64 MiB .. 126 MiB is free
            String message = assertThrows(ImageException.class,
                    () -> ImageLoader.loadInitrd(mid, tooBig, KERNEL)).getMessage();
            assertTrue(message.contains("more memory"), message);
        }
    }

    @Test
    void initrdStaysClearOfOpenSbisDeviceTreeCopy() throws Exception {
        try (GuestRam small = new GuestRam(BASE, 48 * MIB)) {
            BoardConfig.Initrd placed = ImageLoader.loadInitrd(small, write("initrd", new byte[8]), KERNEL);
            assertEquals(BASE + ImageLoader.FW_JUMP_FDT_OFFSET + ImageLoader.FDT_WINDOW, placed.start());
        }
        String message = assertThrows(ImageException.class,
                () -> ImageLoader.loadInitrd(ram, write("initrd", new byte[8]), KERNEL)).getMessage();
        assertTrue(message.contains("more memory"), message);
    }

    @Test
    void initrdInLargeRamSitsAt128Mib() throws Exception {
        try (GuestRam big = new GuestRam(BASE, 512 * MIB)) {
            BoardConfig.Initrd placed = ImageLoader.loadInitrd(big, write("initrd", new byte[16]), KERNEL);
            assertEquals(BASE + 128 * MIB, placed.start());
        }
    }

    @Test
    void fdtGoesToTheTopOfRamWithRoomToGrow() throws Exception {
        byte[] dtb = BoardDeviceTree.build(BoardConfig.virt(1, 16 * MIB));
        long address = ImageLoader.loadFdt(ram, dtb);
        assertEquals(BASE + 14 * MIB, address);
        assertArrayEquals(dtb, ram.read(address, dtb.length));
        assertThrows(ImageException.class, () -> ImageLoader.loadFdt(ram, new byte[(int) (2 * MIB) + 1]));
    }

    /** Where `nucleo guest fetch` keeps the default guest (same rule as nucleo-vmm's GuestCache). */
    private static Path guestCache() {
        String explicit = System.getenv("NUCLEO_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit, "guest");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "nucleo", "guest");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "nucleo", "guest");
    }

    /** The stock Debian kernel (an Image with an EFI stub) and OpenSBI, when present on this host. */
    @Test
    void realDebianKernelAndFirmware() throws Exception {
        Path kernel = guestCache().resolve("vmlinux");
        Path firmware = guestCache().resolve("fw_jump.bin");
        assumeTrue(Files.isReadable(kernel) && Files.isReadable(firmware), "guest images not fetched");
        try (GuestRam big = new GuestRam(BASE, 128 * MIB)) {
            assertEquals(BASE, ImageLoader.loadFirmware(big, firmware));
            ImageLoader.KernelImage loaded = ImageLoader.loadKernel(big, kernel);
            assertEquals(KERNEL, loaded.entry());
            assertTrue(loaded.imageSize() >= loaded.fileSize(), loaded.toString());
            assertArrayEquals(Arrays.copyOf(Files.readAllBytes(kernel), 4096), big.read(KERNEL, 4096));
        }
        try (GuestRam small = new GuestRam(BASE, 16 * MIB)) {
            String message = assertThrows(ImageException.class, () -> ImageLoader.loadKernel(small, kernel))
                    .getMessage();
            assertTrue(message.contains("more memory"), message);
        }
    }

    /**
     * OpenSBI's fw_jump.elf is position-independent and must land exactly like fw_jump.bin.
     * Runs where the host has Debian's opensbi package (or -Dnucleo.test.opensbi=DIR).
     */
    @Test
    void realOpenSbiElfMatchesItsFlatBinary() throws Exception {
        Path dirPath = Path.of(System.getProperty("nucleo.test.opensbi",
                "/usr/lib/riscv64-linux-gnu/opensbi/generic"));
        Path elf = dirPath.resolve("fw_jump.elf");
        Path bin = dirPath.resolve("fw_jump.bin");
        assumeTrue(Files.isReadable(elf) && Files.isReadable(bin), "opensbi package not unpacked");
        byte[] flat = Files.readAllBytes(bin);
        try (GuestRam a = new GuestRam(BASE, 16 * MIB); GuestRam b = new GuestRam(BASE, 16 * MIB)) {
            assertEquals(BASE, ImageLoader.loadFirmware(a, elf));
            ImageLoader.loadFirmware(b, bin);
            assertArrayEquals(b.read(BASE, flat.length), a.read(BASE, flat.length));
        }
        Path rv32 = dirPath.resolve("../../../riscv32-linux-gnu/opensbi/generic/fw_jump.elf").normalize();
        assumeTrue(Files.isReadable(rv32));
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadFirmware(ram, rv32)).getMessage();
        assertTrue(message.contains("32-bit"), message);
    }
}
