package dev.nucleo.vmm.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .modinfo} section of a Linux kernel module (an ELF64 relocatable file): NUL
 * separated {@code key=value} strings such as {@code depends=jbd2,mbcache}. Debian's package
 * ships no modules.dep (depmod writes it at install time), so dependencies come from here.
 */
record ModInfo(Map<String, List<String>> fields) {
    private static final int SHT_NOBITS = 8;

    /** The module's hard dependencies (module names, as the kernel spells them). */
    List<String> depends() {
        List<String> out = new ArrayList<>();
        for (String value : fields.getOrDefault("depends", List.of())) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    out.add(name.strip());
                }
            }
        }
        return out;
    }

    /** Parses the module; fails with IllegalArgumentException if it is not a sane ELF64 module. */
    static ModInfo parse(byte[] elf) {
        ByteBuffer buf = ByteBuffer.wrap(elf);
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (elf[4] != 2) {
            throw new IllegalArgumentException("not a 64-bit ELF file");
        }
        buf.order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3A));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3E));
        if (shentsize < 64 || shstrndx >= shnum || shoff < 0
                || shoff + (long) shnum * shentsize > elf.length) {
            throw new IllegalArgumentException("bad ELF section header table");
        }
        long[] names = sectionRange(buf, elf.length, shoff + (long) shstrndx * shentsize);
        for (int i = 0; i < shnum; i++) {
            long header = shoff + (long) i * shentsize;
            String name = cString(elf, names[0] + Integer.toUnsignedLong(buf.getInt((int) header)), names[1]);
            if (name.equals(".modinfo") && buf.getInt((int) header + 4) != SHT_NOBITS) {
                long[] range = sectionRange(buf, elf.length, header);
                return new ModInfo(parseStrings(elf, (int) range[0], (int) range[1]));
            }
        }
        return new ModInfo(Map.of());
    }

    /** {offset, end} of the section whose header starts at {@code header}, bounds-checked. */
    private static long[] sectionRange(ByteBuffer buf, int fileLength, long header) {
        long offset = buf.getLong((int) header + 0x18);
        long size = buf.getLong((int) header + 0x20);
        if (offset < 0 || size < 0 || offset + size > fileLength) {
            throw new IllegalArgumentException("ELF section outside the file");
        }
        return new long[] {offset, offset + size};
    }

    /** The NUL-terminated string at {@code start}, not reading past {@code limit}. */
    private static String cString(byte[] data, long start, long limit) {
        if (start >= limit) {
            return "";
        }
        int end = (int) start;
        while (end < limit && data[end] != 0) {
            end++;
        }
        return new String(data, (int) start, end - (int) start, StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> parseStrings(byte[] data, int start, int end) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        int i = start;
        while (i < end) {
            int j = i;
            while (j < end && data[j] != 0) {
                j++;
            }
            String entry = new String(data, i, j - i, StandardCharsets.UTF_8);
            int eq = entry.indexOf('=');
            if (eq > 0) {
                fields.computeIfAbsent(entry.substring(0, eq), k -> new ArrayList<>()).add(entry.substring(eq + 1));
            }
            i = j + 1;
        }
        return fields;
    }
}
