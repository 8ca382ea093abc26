package dev.nucleo.machine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The PE/COFF header of a RISC-V {@code Image} built with an EFI stub, as distribution
 * kernels are: "MZ" at offset 0 and the PE header's offset at 0x3c. The Image header only
 * says how much RAM the kernel occupies (bss included), so it cannot tell a truncated file
 * from a whole one; the PE section table can, since the last section's raw data ends at the
 * end of the file.
 */
final class EfiStubHeader {
    private static final int PE_OFFSET_FIELD = 0x3c;
    private static final int PE_SIGNATURE = 0x0000_4550; // "PE\0\0"
    private static final int COFF_HEADER_SIZE = 24; // signature + file header
    private static final int SECTION_HEADER_SIZE = 40;

    private EfiStubHeader() {
    }

    /** Whether an Image's header (its first 64 bytes) starts like an EFI stub. */
    static boolean present(byte[] head) {
        return head.length >= 64 && head[0] == 'M' && head[1] == 'Z';
    }

    /**
     * The file length the PE sections need, or empty when there is no PE header where the
     * stub says (then nothing can be said). Throws if the file ends inside the PE headers.
     */
    static OptionalLong requiredLength(Path file, byte[] head, String name) throws ImageException {
        long peOffset = Integer.toUnsignedLong(ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN)
                .getInt(PE_OFFSET_FIELD));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = channel.size();
            ByteBuffer coff = read(channel, peOffset, COFF_HEADER_SIZE, length, name);
            if (coff.getInt(0) != PE_SIGNATURE) {
                return OptionalLong.empty();
            }
            int sections = Short.toUnsignedInt(coff.getShort(6));
            int optionalHeaderSize = Short.toUnsignedInt(coff.getShort(20));
            long table = peOffset + COFF_HEADER_SIZE + optionalHeaderSize;
            ByteBuffer headers = read(channel, table, sections * SECTION_HEADER_SIZE, length, name);
            long required = table + (long) sections * SECTION_HEADER_SIZE;
            for (int i = 0; i < sections; i++) {
                long rawSize = Integer.toUnsignedLong(headers.getInt(i * SECTION_HEADER_SIZE + 16));
                long rawOffset = Integer.toUnsignedLong(headers.getInt(i * SECTION_HEADER_SIZE + 20));
                required = Math.max(required, rawOffset + rawSize);
            }
            return OptionalLong.of(required);
        } catch (IOException e) {
            throw new ImageException("cannot read " + name + ": " + e, e);
        }
    }

    private static ByteBuffer read(FileChannel channel, long offset, int size, long length, String name)
            throws IOException, ImageException {
        if (offset + size > length) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s is truncated: it is %d bytes, but its EFI stub's PE/COFF headers run to byte %d",
                    name, length, offset + size));
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("the file got shorter while being read");
            }
        }
        return buffer.flip();
    }
}
