package dev.nucleo.vmm.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Makes minimal ELF64 kernel-module files (just a .modinfo section) for tests. */
final class TestModules {
    private TestModules() {
    }

    /** An ELF64 little-endian file whose .modinfo holds these "key=value" strings. */
    static byte[] module(List<String> modinfo) {
        byte[] shstrtab = "\0.shstrtab\0.modinfo\0".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        for (String s : modinfo) {
            info.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_8));
        }
        byte[] infoBytes = info.toByteArray();
        int shstrOff = 64;
        int infoOff = shstrOff + shstrtab.length;
        int shoff = (infoOff + infoBytes.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(0x10, (short) 1);    // ET_REL
        b.putShort(0x12, (short) 243);  // EM_RISCV
        b.putLong(0x28, shoff);
        b.putShort(0x34, (short) 64);
        b.putShort(0x3A, (short) 64);
        b.putShort(0x3C, (short) 3);
        b.putShort(0x3E, (short) 1);    // .shstrtab is section 1
        b.put(shstrOff, shstrtab);
        b.put(infoOff, infoBytes);
        section(b, shoff + 64, 1, 3 /* SHT_STRTAB */, shstrOff, shstrtab.length);
        section(b, shoff + 128, 11, 1 /* SHT_PROGBITS */, infoOff, infoBytes.length);
        return b.array();
    }

    private static void section(ByteBuffer b, int at, int name, int type, long offset, long size) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        b.putLong(at + 0x18, offset);
        b.putLong(at + 0x20, size);
    }

    static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options())) {
            xz.write(data);
        }
        return out.toByteArray();
    }
}
