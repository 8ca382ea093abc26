package dev.nucleo.machine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ElfLoaderTest {
    private static final long BASE = 0x8000_0000L;
    private final GuestRam ram = new GuestRam(BASE, 1 << 20);

    @AfterEach
    void close() {
        ram.close();
    }

    private String error(byte[] elf) {
        return assertThrows(ImageException.class, () -> ElfLoader.load(ram, elf)).getMessage();
    }

    @Test
    void copiesSegmentsAndZeroFillsTheRest() throws Exception {
        ram.load(BASE + 0x2000, filled(0x100, (byte) 0xee)); // stale data where bss goes
        byte[] elf = new ElfBuilder().entry(BASE + 4)
                .load(BASE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 8)
                .load(BASE + 0x2000, new byte[] {9, 9}, 0x100)
                .segment(4, 0, 0, new byte[] {42}, 1) // PT_NOTE: not loaded
                .build();
        ElfLoader.LoadedElf loaded = ElfLoader.load(ram, elf);
        assertEquals(BASE + 4, loaded.entry());
        assertEquals(BASE, loaded.lowAddress());
        assertEquals(BASE + 0x2100, loaded.highAddress());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, ram.read(BASE, 8));
        byte[] bss = ram.read(BASE + 0x2000, 0x100);
        assertEquals(9, bss[1]);
        assertTrue(Arrays.equals(new byte[0xfe], Arrays.copyOfRange(bss, 2, 0x100)), "bss zeroed");
    }

    @Test
    void entryIsTranslatedWhenLinkedAtVirtualAddresses() throws Exception {
        long va = 0xffff_ffff_8000_0000L;
        byte[] elf = new ElfBuilder().entry(va + 0x10)
                .segment(1, va, BASE + 0x1000, new byte[0x20], 0x20).build();
        assertEquals(BASE + 0x1010, ElfLoader.load(ram, elf).entry());
    }

    @Test
    void loadAtMovesTheWholeImageKeepingItsLayout() throws Exception {
        long va = 0xffff_ffff_8000_0000L;
        byte[] elf = new ElfBuilder().entry(va)
                .load(va, new byte[] {1}, 1)
                .load(va + 0x3000, new byte[] {2}, 0x10)
                .type(3).build();
        ElfLoader.LoadedElf loaded = ElfLoader.loadAt(ram, elf, BASE + 0x1000);
        assertEquals(BASE + 0x1000, loaded.entry());
        assertEquals(1, ram.read(BASE + 0x1000, 1)[0]);
        assertEquals(2, ram.read(BASE + 0x4000, 1)[0]);
        assertEquals(BASE + 0x4010, loaded.highAddress());
    }

    @Test
    void clearErrorsForWrongFiles() {
        assertTrue(error("#!/bin/sh\necho hi\n".getBytes()).contains("not an ELF"));
        assertTrue(error(new byte[0]).contains("not an ELF"));
        byte[] elf = new ElfBuilder().entry(BASE).load(BASE, new byte[4], 4).build();

        byte[] class32 = elf.clone();
        class32[4] = 1;
        assertTrue(error(class32).contains("32-bit"), error(class32));

        byte[] bigEndian = elf.clone();
        bigEndian[5] = 2;
        assertTrue(error(bigEndian).contains("big-endian"));

        String x86 = error(new ElfBuilder().machine(62).entry(BASE).load(BASE, new byte[4], 4).build());
        assertTrue(x86.contains("ELF for x86-64 (machine 62), expected RISC-V"), x86);
        String odd = error(new ElfBuilder().machine(9999).entry(BASE).load(BASE, new byte[4], 4).build());
        assertTrue(odd.contains("unknown machine (machine 9999)"), odd);

        String rel = error(new ElfBuilder().type(1).entry(BASE).load(BASE, new byte[4], 4).build());
        assertTrue(rel.contains("not an executable"), rel);
    }

    @Test
    void truncatedFilesAreReported() {
        byte[] elf = new ElfBuilder().entry(BASE).load(BASE, new byte[64], 64).build();
        assertTrue(error(Arrays.copyOf(elf, 40)).contains("truncated"));
        assertTrue(error(Arrays.copyOf(elf, 100)).contains("program headers"), error(Arrays.copyOf(elf, 100)));
        String cut = error(Arrays.copyOf(elf, elf.length - 1));
        assertTrue(cut.contains("truncated") && cut.contains("segment 0"), cut);
    }

    @Test
    void hostileHeaderValuesAreRejected() {
        byte[] elf = new ElfBuilder().entry(BASE).load(BASE, new byte[8], 8).build();
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);

        byte[] hugePhoff = elf.clone();
        ByteBuffer.wrap(hugePhoff).order(ByteOrder.LITTLE_ENDIAN).putLong(32, Long.MAX_VALUE - 10);
        assertTrue(error(hugePhoff).contains("program headers"));

        byte[] negativeOffset = elf.clone();
        ByteBuffer.wrap(negativeOffset).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 8, -8L);
        assertTrue(error(negativeOffset).contains("truncated"));

        byte[] hugeFileSize = elf.clone();
        ByteBuffer.wrap(hugeFileSize).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(64 + 32, Long.MAX_VALUE).putLong(64 + 40, Long.MAX_VALUE);
        assertTrue(error(hugeFileSize).contains("truncated"));

        byte[] fileBiggerThanMem = elf.clone();
        ByteBuffer.wrap(fileBiggerThanMem).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 40, 4);
        assertTrue(error(fileBiggerThanMem).contains("larger than its memory size"));

        byte[] smallPhent = elf.clone();
        ByteBuffer.wrap(smallPhent).order(ByteOrder.LITTLE_ENDIAN).putShort(54, (short) 8);
        assertTrue(error(smallPhent).contains("program headers of 8 bytes"));

        assertEquals(BASE, b.getLong(64 + 24));
    }

    @Test
    void segmentsOutsideRamAreRejectedBeforeAnythingIsWritten() {
        byte[] elf = new ElfBuilder().entry(BASE)
                .load(BASE, new byte[] {7}, 1)
                .load(BASE + (1 << 20) - 4, new byte[8], 8).build();
        String message = error(elf);
        assertTrue(message.contains("outside guest RAM"), message);
        assertTrue(message.contains("segment 1"), message);
        assertEquals(0, ram.read(BASE, 1)[0], "RAM untouched");

        String low = error(new ElfBuilder().entry(0x1000).load(0x1000, new byte[4], 4).build());
        assertTrue(low.contains("outside guest RAM"), low);
        String wrap = error(new ElfBuilder().entry(-8L).load(-8L, new byte[4], 16).build());
        assertTrue(wrap.contains("outside guest RAM"), wrap);
    }

    @Test
    void entryOutsideTheImageAndEmptyImagesAreRejected() {
        assertTrue(error(new ElfBuilder().entry(BASE + 0x5000).load(BASE, new byte[4], 4).build())
                .contains("entry point"));
        assertTrue(error(new ElfBuilder().entry(BASE).build()).contains("no program headers"));
        assertTrue(error(new ElfBuilder().entry(BASE).segment(4, BASE, BASE, new byte[4], 4).build())
                .contains("no loadable"));
    }

    @Test
    void readsFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prog.elf");
        Files.write(file, new ElfBuilder().entry(BASE).load(BASE, new byte[] {5}, 1).build());
        assertEquals(BASE, ElfLoader.load(ram, file).entry());
        assertEquals(5, ram.read(BASE, 1)[0]);
        ImageException missing = assertThrows(ImageException.class, () -> ElfLoader.load(ram, dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope"));
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(ImageException.class, () -> ElfLoader.load(ram, empty)).getMessage()
                .contains("not an ELF"));
    }

    @Test
    void realHostBinaryIsNamedByItsMachine() {
        Path ls = Path.of("/bin/ls");
        assumeTrue(Files.isReadable(ls) && "amd64".equals(System.getProperty("os.arch")));
        String message = assertThrows(ImageException.class, () -> ElfLoader.load(ram, ls)).getMessage();
        assertTrue(message.contains("ELF for x86-64 (machine 62), expected RISC-V"), message);
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }
}
