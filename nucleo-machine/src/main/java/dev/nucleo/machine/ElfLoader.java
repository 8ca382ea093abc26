package dev.nucleo.machine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Loads an ELF64 little-endian RISC-V executable (OpenSBI's {@code fw_*.elf}, a
 * {@code vmlinux}, a bare-metal test) into guest RAM.
 *
 * <p>Each PT_LOAD segment is copied to its physical address ({@code p_paddr}) and the part of
 * {@code p_memsz} beyond {@code p_filesz} is zeroed. Every header field is checked against
 * the file and against RAM before anything is written, so a bad file leaves RAM untouched.
 * The entry point is translated to a physical address when the segments are linked at
 * virtual addresses (as vmlinux is).
 */
public final class ElfLoader {
    public static final int EM_RISCV = 243;

    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int PT_LOAD = 1;
    private static final int ET_EXEC = 2;
    private static final int ET_DYN = 3;
    private static final int PN_XNUM = 0xffff;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Names of the machines someone is likely to load by mistake. */
    private static final Map<Integer, String> MACHINES = Map.ofEntries(
            Map.entry(2, "SPARC"), Map.entry(3, "x86 (i386)"), Map.entry(8, "MIPS"),
            Map.entry(20, "PowerPC"), Map.entry(21, "PowerPC64"), Map.entry(22, "S/390"),
            Map.entry(40, "ARM"), Map.entry(43, "SPARC V9"), Map.entry(50, "IA-64"),
            Map.entry(62, "x86-64"), Map.entry(183, "AArch64"), Map.entry(243, "RISC-V"),
            Map.entry(258, "LoongArch"));

    /**
     * Where an ELF lies (once loaded) or would lie (as {@link #inspect} reports it) in guest
     * physical memory.
     *
     * @param entry       physical entry address
     * @param lowAddress  lowest physical address written
     * @param highAddress one past the highest physical address written
     */
    public record LoadedElf(long entry, long lowAddress, long highAddress) {
    }

    private static final OptionalLong NOT_RELOCATED = OptionalLong.empty();

    private record Segment(int index, long fileOffset, long vaddr, long paddr, long fileSize, long memSize) {
    }

    /** An ELF whose headers passed every check against the file: where to enter, what to copy. */
    private record Parsed(long entry, List<Segment> segments) {
    }

    private ElfLoader() {
    }

    /** Whether {@code header} (the first bytes of a file) starts with the ELF magic. */
    public static boolean isElf(byte[] header) {
        return header.length >= 4 && header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F';
    }

    /**
     * Whether {@code header} (at least the 64-byte ELF header) describes a position-independent
     * executable (ET_DYN), which may be loaded anywhere with {@link #loadAt}.
     */
    public static boolean isPositionIndependent(byte[] header) {
        return isElf(header) && header.length >= 18
                && ((header[16] & 0xff) | (header[17] & 0xff) << 8) == ET_DYN;
    }

    /** Loads the ELF file {@code file} into {@code ram} at its segments' physical addresses. */
    public static LoadedElf load(GuestRam ram, Path file) throws ImageException {
        return load(ram, file, NOT_RELOCATED);
    }

    /**
     * Loads the ELF file {@code file} into {@code ram} moved as a whole so that its lowest
     * segment starts at {@code loadAddress}, keeping the segments' relative layout. This is
     * how a position-independent kernel linked at virtual addresses (a Linux vmlinux) is
     * placed, exactly as its flat Image would be.
     */
    public static LoadedElf loadAt(GuestRam ram, Path file, long loadAddress) throws ImageException {
        return load(ram, file, OptionalLong.of(loadAddress));
    }

    /** Loads the ELF image held in {@code image} into {@code ram} at its physical addresses. */
    public static LoadedElf load(GuestRam ram, byte[] image) throws ImageException {
        return load(ram, MemorySegment.ofArray(image), "ELF image", NOT_RELOCATED);
    }

    /** As {@link #loadAt(GuestRam, Path, long)} for an image in memory. */
    public static LoadedElf loadAt(GuestRam ram, byte[] image, long loadAddress) throws ImageException {
        return load(ram, MemorySegment.ofArray(image), "ELF image", OptionalLong.of(loadAddress));
    }

    /**
     * Checks the ELF file's headers exactly as loading would, without guest RAM, and says
     * where it would lie if loaded at its physical addresses. {@code what} names its role in
     * messages (e.g. "firmware"); null for none.
     */
    public static LoadedElf inspect(Path file, String what) throws ImageException {
        String name = describe(file, what);
        return withImage(file, name, image -> {
            Parsed parsed = parse(image, name);
            return extent(physicalEntry(parsed.entry(), parsed.segments(), name), parsed.segments());
        });
    }

    /** As {@link #load(GuestRam, Path)}, naming the file's role ({@code what}) in messages. */
    static LoadedElf load(GuestRam ram, Path file, String what) throws ImageException {
        String name = describe(file, what);
        return withImage(file, name, image -> load(ram, image, name, NOT_RELOCATED));
    }

    /** As {@link #loadAt(GuestRam, Path, long)}, naming the file's role ({@code what}) in messages. */
    static LoadedElf loadAt(GuestRam ram, Path file, String what, long loadAddress) throws ImageException {
        String name = describe(file, what);
        return withImage(file, name, image -> load(ram, image, name, OptionalLong.of(loadAddress)));
    }

    private static String describe(Path file, String what) {
        return what == null ? file.toString() : what + " " + file;
    }

    private static LoadedElf load(GuestRam ram, Path file, OptionalLong loadAddress) throws ImageException {
        String name = file.toString();
        return withImage(file, name, image -> load(ram, image, name, loadAddress));
    }

    private interface ImageAction {
        LoadedElf apply(MemorySegment image) throws ImageException;
    }

    /** Maps the file read-only for the duration of {@code action}. */
    private static LoadedElf withImage(Path file, String name, ImageAction action) throws ImageException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            MemorySegment image = channel.size() == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return action.apply(image);
        } catch (IOException e) {
            throw new ImageException("cannot read " + name + ": " + e, e);
        }
    }

    private static LoadedElf load(GuestRam ram, MemorySegment image, String name, OptionalLong loadAddress)
            throws ImageException {
        Parsed parsed = parse(image, name);
        List<Segment> segments = parsed.segments();
        if (loadAddress.isPresent()) {
            segments = relocate(segments, loadAddress.getAsLong());
        }
        for (Segment s : segments) {
            checkInRam(s, ram, name);
        }
        long physicalEntry = physicalEntry(parsed.entry(), segments, name);

        for (Segment s : segments) {
            MemorySegment.copy(image, s.fileOffset(), ram.segment(), s.paddr() - ram.base(), s.fileSize());
            ram.zero(s.paddr() + s.fileSize(), s.memSize() - s.fileSize());
        }
        return extent(physicalEntry, segments);
    }

    /** The physical range the segments cover, with the entry point. */
    private static LoadedElf extent(long physicalEntry, List<Segment> segments) {
        long low = -1;
        long high = 0;
        for (Segment s : segments) {
            low = Long.compareUnsigned(s.paddr(), low) < 0 ? s.paddr() : low;
            long end = s.paddr() + s.memSize();
            high = Long.compareUnsigned(end, high) > 0 ? end : high;
        }
        return new LoadedElf(physicalEntry, low, high);
    }

    /** Checks every header field against the file (not against RAM) and collects the segments to load. */
    private static Parsed parse(MemorySegment image, String name) throws ImageException {
        long length = image.byteSize();
        if (length < 4 || image.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0) != 0x7f454c46) {
            throw new ImageException(name + " is not an ELF file (no \\x7fELF magic)");
        }
        if (length < 6) {
            throw new ImageException(name + " is truncated: " + length + " bytes, shorter than an ELF header");
        }
        int elfClass = image.get(ValueLayout.JAVA_BYTE, 4);
        int data = image.get(ValueLayout.JAVA_BYTE, 5);
        if (elfClass == 1) {
            throw new ImageException(name + " is a 32-bit ELF" + forMachine(image, data, "RISC-V (RV32)")
                    + "; expected a 64-bit (ELFCLASS64) RISC-V ELF for RV64");
        }
        if (elfClass != 2) {
            throw new ImageException(name + " has an unknown ELF class " + elfClass);
        }
        if (data == 2) {
            throw new ImageException(name + " is a big-endian ELF" + forMachine(image, data, "RISC-V")
                    + "; RISC-V is little-endian");
        }
        if (data != 1) {
            throw new ImageException(name + " has an unknown ELF data encoding " + data);
        }
        if (length < EHDR_SIZE) {
            throw new ImageException(name + " is truncated: " + length + " bytes, shorter than the 64-byte ELF header");
        }
        int type = Short.toUnsignedInt(image.get(U16, 16));
        int machine = Short.toUnsignedInt(image.get(U16, 18));
        if (machine != EM_RISCV) {
            throw new ImageException(name + " is an ELF for " + machineName(machine)
                    + " (machine " + machine + "), expected RISC-V (machine " + EM_RISCV + ")");
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw new ImageException(name + " is not an executable ELF (e_type " + type
                    + "; relocatable objects and core dumps cannot be loaded)");
        }
        long entry = image.get(U64, 24);
        long phoff = image.get(U64, 32);
        int phentsize = Short.toUnsignedInt(image.get(U16, 54));
        int phnum = Short.toUnsignedInt(image.get(U16, 56));
        if (phnum == PN_XNUM) {
            throw new ImageException(name + " uses extended program header numbering, which is not supported");
        }
        if (phnum == 0) {
            throw new ImageException(name + " has no program headers; nothing to load");
        }
        if (phentsize < PHDR_SIZE) {
            throw new ImageException(name + " has program headers of " + phentsize + " bytes, expected at least " + PHDR_SIZE);
        }
        if (!fits(phoff, (long) phentsize * phnum, length)) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s is truncated: program headers at 0x%x (%d x %d bytes) run past the end of the file (%d bytes)",
                    name, phoff, phnum, phentsize, length));
        }

        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * phentsize;
            if (image.get(U32, ph) != PT_LOAD) {
                continue;
            }
            Segment s = new Segment(i, image.get(U64, ph + 8), image.get(U64, ph + 16), image.get(U64, ph + 24),
                    image.get(U64, ph + 32), image.get(U64, ph + 40));
            checkInFile(s, length, name);
            if (s.memSize() != 0) {
                segments.add(s);
            }
        }
        if (segments.isEmpty()) {
            throw new ImageException(name + " has no loadable (PT_LOAD) segments");
        }
        return new Parsed(entry, segments);
    }

    private static String machineName(int machine) {
        String known = MACHINES.get(machine);
        return known != null ? known : "an unknown machine";
    }

    /**
     * " for x86 (i386)" and the like: e_machine sits at the same offset in 32- and 64-bit
     * headers, in the file's own byte order; {@code riscV} is what to call RISC-V in this
     * message. Empty if the header is too short to say.
     */
    private static String forMachine(MemorySegment image, int data, String riscV) {
        if (image.byteSize() < 20 || (data != 1 && data != 2)) {
            return "";
        }
        ByteOrder order = data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int machine = Short.toUnsignedInt(image.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), 18));
        return " for " + (machine == EM_RISCV ? riscV : machineName(machine));
    }

    /** The segments shifted so the lowest physical address becomes {@code loadAddress}. */
    private static List<Segment> relocate(List<Segment> segments, long loadAddress) {
        long lowest = -1;
        for (Segment s : segments) {
            lowest = Long.compareUnsigned(s.paddr(), lowest) < 0 ? s.paddr() : lowest;
        }
        long shift = loadAddress - lowest;
        List<Segment> moved = new ArrayList<>();
        for (Segment s : segments) {
            moved.add(new Segment(s.index(), s.fileOffset(), s.vaddr(), s.paddr() + shift, s.fileSize(), s.memSize()));
        }
        return moved;
    }

    private static void checkInFile(Segment s, long fileLength, String name) throws ImageException {
        if (Long.compareUnsigned(s.fileSize(), s.memSize()) > 0) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s: segment %d has file size 0x%x larger than its memory size 0x%x",
                    name, s.index(), s.fileSize(), s.memSize()));
        }
        if (!fits(s.fileOffset(), s.fileSize(), fileLength)) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s is truncated: segment %d needs file bytes [0x%x, +0x%x) but the file has %d bytes",
                    name, s.index(), s.fileOffset(), s.fileSize(), fileLength));
        }
    }

    private static void checkInRam(Segment s, GuestRam ram, String name) throws ImageException {
        if (!ram.contains(s.paddr(), s.memSize())) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s: segment %d at physical [0x%x, +0x%x) lies outside guest RAM [0x%x, 0x%x)",
                    name, s.index(), s.paddr(), s.memSize(), ram.base(), ram.end()));
        }
    }

    /** e_entry as a physical address: unchanged if the segments are linked where they load. */
    private static long physicalEntry(long entry, List<Segment> segments, String name) throws ImageException {
        for (Segment s : segments) {
            if (Long.compareUnsigned(entry - s.vaddr(), s.memSize()) < 0) {
                return s.paddr() + (entry - s.vaddr());
            }
        }
        throw new ImageException(String.format(Locale.ROOT,
                "%s: entry point 0x%x is not inside any loadable segment", name, entry));
    }

    /** Whether [offset, offset + size) lies within [0, length), overflow-safe. */
    private static boolean fits(long offset, long size, long length) {
        return offset >= 0 && size >= 0 && offset <= length && size <= length - offset;
    }
}
