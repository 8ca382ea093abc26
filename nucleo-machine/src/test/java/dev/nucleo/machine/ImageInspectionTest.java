package dev.nucleo.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loaders tell from headers alone, and the EFI stub's truncation check. */
class ImageInspectionTest {
    private static final long BASE = VirtMemoryMap.DRAM_BASE;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private final GuestRam ram = new GuestRam(BASE, 16 * MIB);

    @AfterEach
    void close() {
        ram.close();
    }

    private Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    /** An Image with an EFI stub whose one PE section's raw data ends at {@code length}. */
    private static byte[] efiStubImage(int length) {
        byte[] image = ImageLoaderTest.image(length, 2L * length);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 'M').put(1, (byte) 'Z');
        b.putInt(0x3c, 0x40);
        b.putInt(0x40, 0x0000_4550); // "PE\0\0"
        b.putShort(0x46, (short) 1); // sections
        b.putShort(0x54, (short) 16); // optional header size: the table is at 0x40 + 24 + 16
        b.putInt(0x68 + 16, length - 0x1000); // SizeOfRawData
        b.putInt(0x68 + 20, 0x1000); // PointerToRawData
        return image;
    }

    @Test
    void wholeEfiStubImageLoads() throws Exception {
        Path kernel = write("Image", efiStubImage(0x3000));
        assertEquals(0x6000, ImageLoader.kernelSpan(kernel));
        assertEquals(0x3000, ImageLoader.loadKernel(ram, kernel).fileSize());
    }

    @Test
    void efiStubImageCutShortIsTruncated() throws Exception {
        byte[] whole = efiStubImage(0x3000);
        Path body = write("cut", Arrays.copyOf(whole, 0x2fff));
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadKernel(ram, body)).getMessage();
        assertTrue(message.contains("kernel " + body + " is truncated: it is 12287 bytes"), message);
        assertTrue(message.contains("run to byte 12288"), message);
        assertThrows(ImageException.class, () -> ImageLoader.kernelSpan(body));

        Path table = write("no-table", Arrays.copyOf(whole, 0x70));
        String header = assertThrows(ImageException.class, () -> ImageLoader.kernelSpan(table)).getMessage();
        assertTrue(header.contains("truncated") && header.contains("PE/COFF headers run to byte 144"), header);
        assertEquals(0, ram.readInt(BASE + VirtMemoryMap.KERNEL_OFFSET), "nothing loaded");
    }

    @Test
    void plainImageThatIsOnlyItsHeaderIsTruncated() throws Exception {
        Path kernel = write("Image", ImageLoaderTest.image(64, MIB));
        String message = assertThrows(ImageException.class, () -> ImageLoader.loadKernel(ram, kernel)).getMessage();
        assertTrue(message.contains("truncated"), message);
        assertEquals(MIB, ImageLoader.kernelSpan(write("Image2", ImageLoaderTest.image(65, MIB))));
    }

    @Test
    void kernelSpanOfEachFormat() throws Exception {
        assertEquals(8192, ImageLoader.kernelSpan(write("Image", ImageLoaderTest.image(4096, 8192))));
        assertEquals(4096, ImageLoader.kernelSpan(write("Image0", ImageLoaderTest.image(4096, 0))));
        Path gz = dir.resolve("Image.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(ImageLoaderTest.image(1000, 300_000));
        }
        assertEquals(300_000, ImageLoader.kernelSpan(gz));
        long va = 0xffff_ffff_8000_0000L;
        byte[] vmlinux = new ElfBuilder().type(3).entry(va).load(va, new byte[8], 0x1000)
                .load(va + 0x4000, new byte[8], 0x800).build();
        assertEquals(0x4800, ImageLoader.kernelSpan(write("vmlinux", vmlinux)));
    }

    @Test
    void firmwareExtentFollowsItsFormat() throws Exception {
        assertEquals(new ImageLoader.Extent(BASE, BASE + 300),
                ImageLoader.firmwareExtent(write("fw.bin", new byte[300]), BASE));
        byte[] elf = new ElfBuilder().entry(BASE + 0x1000).load(BASE + 0x1000, new byte[16], 0x2000).build();
        assertEquals(new ImageLoader.Extent(BASE + 0x1000, BASE + 0x3000),
                ImageLoader.firmwareExtent(write("fw.elf", elf), BASE));
        byte[] pie = new ElfBuilder().type(3).entry(0).load(0, new byte[16], 0x2000).build();
        assertEquals(new ImageLoader.Extent(BASE, BASE + 0x2000),
                ImageLoader.firmwareExtent(write("pie.elf", pie), BASE));

        Path x86 = write("x86.elf", new ElfBuilder().machine(62).entry(BASE).load(BASE, new byte[4], 4).build());
        String message = assertThrows(ImageException.class, () -> ImageLoader.firmwareExtent(x86, BASE)).getMessage();
        assertTrue(message.startsWith("firmware " + x86 + " is an ELF for x86-64"), message);
    }

    @Test
    void initrdAddressIsWhereTheInitrdIsLoaded() throws Exception {
        Path initrd = write("initrd", new byte[64]);
        long kernelEnd = BASE + 5 * MIB;
        for (long size : new long[] {48 * MIB, 128 * MIB, 512 * MIB}) {
            try (GuestRam r = new GuestRam(BASE, size)) {
                assertEquals(ImageLoader.initrdAddress(BASE, size, kernelEnd),
                        ImageLoader.loadInitrd(r, initrd, kernelEnd).start(), size + " bytes of RAM");
                assertEquals(ImageLoader.fdtWindowStart(r), ImageLoader.fdtWindowStart(BASE, size));
            }
        }
    }

    @Test
    void thirtyTwoBitElfNamesItsMachine() {
        byte[] rv32 = new ElfBuilder().entry(BASE).load(BASE, new byte[4], 4).build();
        rv32[4] = 1; // ELFCLASS32
        String message = assertThrows(ImageException.class, () -> ElfLoader.load(ram, rv32)).getMessage();
        assertTrue(message.contains("32-bit ELF for RISC-V (RV32)"), message);
        byte[] i386 = new ElfBuilder().machine(3).entry(BASE).load(BASE, new byte[4], 4).build();
        i386[4] = 1;
        message = assertThrows(ImageException.class, () -> ElfLoader.load(ram, i386)).getMessage();
        assertTrue(message.contains("32-bit ELF for x86 (i386)"), message);
    }
}
