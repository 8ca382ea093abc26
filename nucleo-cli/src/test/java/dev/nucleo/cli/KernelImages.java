package dev.nucleo.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Made-up boot files with just enough header for the loaders to judge them. */
final class KernelImages {
    private KernelImages() {
    }

    /** A RISC-V Linux Image without an EFI stub: a jump, then the header, then filler. */
    static byte[] plain(int fileSize, long imageSize) {
        ByteBuffer b = header(fileSize, imageSize);
        b.putInt(0, 0x0000_006f); // j .
        return b.array();
    }

    /**
     * An Image with an EFI stub ("MZ", PE header at 0x40) whose one PE section's raw data is
     * the file's second half: the whole file is {@code fileSize} bytes.
     */
    static byte[] efiStub(int fileSize) {
        ByteBuffer b = header(fileSize, fileSize);
        b.put(0, (byte) 'M').put(1, (byte) 'Z');
        b.putInt(0x3c, 0x40);
        b.putInt(0x40, 0x0000_4550); // "PE\0\0"
        b.putShort(0x44, (short) 0x5064); // RISC-V 64
        b.putShort(0x46, (short) 1); // one section
        b.putShort(0x54, (short) 0); // no optional header: the section table follows at 0x58
        b.putInt(0x58 + 16, fileSize / 2); // SizeOfRawData
        b.putInt(0x58 + 20, fileSize / 2); // PointerToRawData
        return b.array();
    }

    private static ByteBuffer header(int fileSize, long imageSize) {
        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x08, 0x20_0000); // text_offset
        b.putLong(0x10, imageSize);
        b.putInt(0x20, 2); // version 0.2
        b.putLong(0x30, 0x5643_5349_52L); // "RISCV"
        b.putInt(0x38, 0x0543_5352); // "RSC\x05"
        return b;
    }

    /** The first 64 bytes of a little-endian ELF executable of this class (1: 32-bit, 2: 64-bit) and machine. */
    static byte[] elfHeader(int elfClass, int machine) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1});
        b.putShort(16, (short) 2); // ET_EXEC
        b.putShort(18, (short) machine);
        b.putInt(20, 1);
        return b.array();
    }
}
