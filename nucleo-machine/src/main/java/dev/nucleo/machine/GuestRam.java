package dev.nucleo.machine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Guest physical RAM: one off-heap {@link MemorySegment} covering {@code [base, base + size)}.
 *
 * <p>On Linux the memory is a private anonymous {@code mmap} with {@code MAP_NORESERVE}, so a
 * guest with 4 GiB of RAM costs the host only the pages it has touched. Elsewhere, or when
 * native access is denied, it falls back to {@link Arena#ofShared()} (which commits and zeroes
 * everything up front). The segment belongs to a shared arena: every thread may use it, and
 * {@link #close()} frees it safely (later accesses fail with {@link IllegalStateException}
 * instead of touching unmapped memory).
 *
 * <p>Multi-byte helpers are little-endian, like the guest.
 */
public final class GuestRam implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GuestRam.class.getName());
    private static final long PAGE = 4096;
    private static final ValueLayout.OfLong LONG_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long base;
    private final long size;
    private final Arena arena;
    private final MemorySegment segment;
    private final boolean mmapped;
    private final boolean fileBacked;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Reserves {@code size} bytes of zeroed guest RAM at guest physical address {@code base}.
     *
     * @throws IllegalArgumentException if base or size is not a positive multiple of 4 KiB or
     *                                  the range wraps around the 64-bit address space
     * @throws IllegalStateException    if the host refuses the mapping
     */
    public GuestRam(long base, long size) {
        if (size <= 0 || size % PAGE != 0) {
            throw new IllegalArgumentException("guest RAM size must be a positive multiple of 4 KiB, got " + size);
        }
        if (base % PAGE != 0) {
            throw new IllegalArgumentException("guest RAM base must be 4 KiB aligned, got 0x" + Long.toHexString(base));
        }
        if (Long.compareUnsigned(base + size - 1, base) < 0) {
            throw new IllegalArgumentException("guest RAM [0x" + Long.toHexString(base) + " + 0x"
                    + Long.toHexString(size) + ") wraps around the address space");
        }
        this.base = base;
        this.size = size;
        this.arena = Arena.ofShared();
        Optional<MemorySegment> mapped;
        try {
            mapped = Mmap.tryMap(size, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        this.mmapped = mapped.isPresent();
        this.fileBacked = false;
        this.segment = mapped.orElseGet(() -> arena.allocate(size, PAGE));
    }

    private GuestRam(long base, long size, Arena arena, MemorySegment segment) {
        this.base = base;
        this.size = size;
        this.arena = arena;
        this.segment = segment;
        this.mmapped = true;
        this.fileBacked = true;
    }

    /**
     * Guest RAM whose initial contents are {@code file} (exactly {@code size} bytes), mapped
     * copy-on-write ({@code MAP_PRIVATE}): pages the guest only reads stay shared with the page
     * cache, and so with every other VM mapping the same file; a page the guest writes becomes
     * private to this VM. The file is never modified.
     *
     * @throws IOException if the file cannot be opened or is not {@code size} bytes long, or
     *                     the host cannot map it (only Linux can)
     */
    public static GuestRam mapPrivate(long base, long size, Path file) throws IOException {
        if (size <= 0 || size % PAGE != 0 || base % PAGE != 0) {
            throw new IllegalArgumentException("guest RAM must be page-aligned, got 0x" + Long.toHexString(base)
                    + " + " + size);
        }
        Arena arena = Arena.ofShared();
        try {
            return new GuestRam(base, size, arena, Mmap.mapFile(file, size, arena));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Whether RAM is a copy-on-write mapping of a snapshot's memory file. */
    public boolean isFileBacked() {
        return fileBacked;
    }

    /** The whole of RAM; offset 0 is guest physical address {@link #base()}. */
    public MemorySegment segment() {
        return segment;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** One past the last guest address of RAM (may be 0 if RAM ends at the top of memory). */
    public long end() {
        return base + size;
    }

    /** Whether RAM was reserved lazily through mmap (true) or allocated eagerly (false). */
    public boolean isLazilyMapped() {
        return mmapped;
    }

    /** Whether {@code [addr, addr + len)} lies entirely in RAM. Overflow-safe for any inputs. */
    public boolean contains(long addr, long len) {
        long offset = addr - base;
        return len >= 0
                && Long.compareUnsigned(offset, size) <= 0
                && len <= size - offset;
    }

    /** Copies {@code data} into RAM at guest physical address {@code guestAddr}. */
    public void load(long guestAddr, byte[] data) {
        load(guestAddr, data, 0, data.length);
    }

    /** Copies {@code data[from, from + length)} into RAM at {@code guestAddr}. */
    public void load(long guestAddr, byte[] data, int from, int length) {
        java.util.Objects.checkFromIndexSize(from, length, data.length);
        long offset = checkedOffset(guestAddr, length, "data");
        MemorySegment.copy(data, from, segment, ValueLayout.JAVA_BYTE, offset, length);
    }

    /** Copies the remaining bytes of {@code data} into RAM at {@code guestAddr}; consumes them. */
    public void load(long guestAddr, ByteBuffer data) {
        int length = data.remaining();
        long offset = checkedOffset(guestAddr, length, "buffer");
        MemorySegment.copy(MemorySegment.ofBuffer(data), 0, segment, offset, length);
        data.position(data.limit());
    }

    /**
     * Copies the whole file into RAM at {@code guestAddr}.
     *
     * @return the number of bytes copied (the file's size)
     * @throws IllegalArgumentException if the file does not fit in RAM at that address
     */
    public long load(long guestAddr, Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Arena fileArena = Arena.ofConfined()) {
            long length = channel.size();
            long offset = checkedOffset(guestAddr, length, "file " + file);
            if (length > 0) {
                MemorySegment source = channel.map(FileChannel.MapMode.READ_ONLY, 0, length, fileArena);
                MemorySegment.copy(source, 0, segment, offset, length);
            }
            return length;
        }
    }

    /** Sets {@code [guestAddr, guestAddr + length)} to zero. */
    public void zero(long guestAddr, long length) {
        long offset = checkedOffset(guestAddr, length, "zero fill");
        segment.asSlice(offset, length).fill((byte) 0);
    }

    /** Copies {@code length} bytes out of RAM, starting at {@code guestAddr}. */
    public byte[] read(long guestAddr, int length) {
        long offset = checkedOffset(guestAddr, length, "read");
        byte[] out = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, out, 0, length);
        return out;
    }

    public long readLong(long guestAddr) {
        return segment.get(LONG_LE, checkedOffset(guestAddr, 8, "readLong"));
    }

    public int readInt(long guestAddr) {
        return segment.get(INT_LE, checkedOffset(guestAddr, 4, "readInt"));
    }

    public void writeLong(long guestAddr, long value) {
        segment.set(LONG_LE, checkedOffset(guestAddr, 8, "writeLong"), value);
    }

    public void writeInt(long guestAddr, int value) {
        segment.set(INT_LE, checkedOffset(guestAddr, 4, "writeInt"), value);
    }

    /**
     * Gives the pages of {@code [guestAddr, guestAddr + length)} back to the host: with lazily
     * mapped RAM they are dropped ({@code madvise(MADV_DONTNEED)}) and cost nothing until
     * touched again; otherwise they are zeroed. Either way they read as zero afterwards.
     *
     * @throws IllegalArgumentException if the range is not page-aligned or not inside RAM
     */
    public void discard(long guestAddr, long length) {
        long offset = checkedOffset(guestAddr, length, "discard");
        if (offset % PAGE != 0 || length % PAGE != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "discard of %d bytes at 0x%x is not 4 KiB aligned", length, guestAddr));
        }
        if (length == 0) {
            return;
        }
        MemorySegment range = segment.asSlice(offset, length);
        if (fileBacked) {
            // MADV_DONTNEED on a private file mapping would bring back the file's bytes, not
            // zeros: put fresh anonymous memory over the range instead.
            if (!Mmap.replaceWithAnonymous(range)) {
                range.fill((byte) 0);
            }
        } else if (!mmapped || !PageCalls.dropPages(range)) {
            range.fill((byte) 0);
        }
    }

    /**
     * How many bytes of RAM the host really holds for this guest right now (resident pages,
     * counted with {@code mincore}); {@link #size()} when RAM is not lazily mapped or the
     * count is not available.
     */
    public long residentBytes() {
        if (!mmapped) {
            return size;
        }
        return PageCalls.residentBytes(segment).orElse(size);
    }

    /** Frees the memory. Idempotent. Accesses racing with close fail instead of crashing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    private long checkedOffset(long guestAddr, long length, String what) {
        if (!contains(guestAddr, length)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s of %d bytes at 0x%x does not fit in guest RAM [0x%x, 0x%x)",
                    what, length, guestAddr, base, base + size));
        }
        return guestAddr - base;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GuestRam[0x%x, 0x%x)%s", base, base + size, mmapped ? " mmap" : "");
    }

    /**
     * madvise and mincore through the FFM linker. The RAM slice is passed as a segment, so
     * the linker keeps its arena alive during the call: a concurrent {@link #close()} cannot
     * unmap it under us (and let us drop pages of some later mapping).
     */
    private static final class PageCalls {
        private static final int MADV_DONTNEED = 4;
        private static final MethodHandle MADVISE;
        private static final MethodHandle MINCORE;
        private static final long HOST_PAGE;

        static {
            MethodHandle madvise = null;
            MethodHandle mincore = null;
            long hostPage = PAGE;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
                mincore = linker.downcallHandle(libc.find("mincore").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.ADDRESS));
                MethodHandle getpagesize = linker.downcallHandle(libc.find("getpagesize").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                hostPage = (int) getpagesize.invokeExact();
            } catch (Throwable t) { // no symbol or native access denied: callers fall back
                LOG.log(System.Logger.Level.DEBUG, "madvise/mincore unavailable", t);
                madvise = null;
                mincore = null;
            }
            MADVISE = madvise;
            MINCORE = mincore;
            HOST_PAGE = hostPage;
        }

        /** True if the kernel dropped the pages (they now read as zero). */
        static boolean dropPages(MemorySegment range) {
            if (MADVISE == null || range.address() % HOST_PAGE != 0 || range.byteSize() % HOST_PAGE != 0) {
                return false;
            }
            try {
                return (int) MADVISE.invokeExact(range, range.byteSize(), MADV_DONTNEED) == 0;
            } catch (Throwable t) {
                return false;
            }
        }

        static Optional<Long> residentBytes(MemorySegment all) {
            if (MINCORE == null || all.address() % HOST_PAGE != 0) {
                return Optional.empty();
            }
            long pages = (all.byteSize() + HOST_PAGE - 1) / HOST_PAGE;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment vector = arena.allocate(pages);
                if ((int) MINCORE.invokeExact(all, all.byteSize(), vector) != 0) {
                    return Optional.empty();
                }
                long resident = 0;
                for (long i = 0; i < pages; i++) {
                    resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
                }
                return Optional.of(resident * HOST_PAGE);
            } catch (Throwable t) {
                return Optional.empty();
            }
        }
    }

    /** The Linux mmap/munmap calls, reached through the FFM linker. */
    private static final class Mmap {
        private static final int PROT_READ = 0x1;
        private static final int PROT_WRITE = 0x2;
        private static final int MAP_PRIVATE = 0x02;
        private static final int MAP_ANONYMOUS = 0x20;
        private static final int MAP_NORESERVE = 0x4000;
        private static final long MAP_FAILED = -1L;

        /** Empty when the native route is unavailable; fails when the host refuses memory. */
        static Optional<MemorySegment> tryMap(long size, Arena arena) {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                return Optional.empty(); // flag values above are Linux's
            }
            MethodHandle mmap;
            MethodHandle munmap;
            VarHandle errno;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option captureErrno = Linker.Option.captureCallState("errno");
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG),
                        captureErrno);
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                errno = Linker.Option.captureStateLayout()
                        .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
            } catch (RuntimeException e) { // no libc symbol, or native access denied
                LOG.log(System.Logger.Level.DEBUG, "mmap unavailable, guest RAM allocated on the heap arena", e);
                return Optional.empty();
            }
            MemorySegment address;
            int error;
            try (Arena callArena = Arena.ofConfined()) {
                MemorySegment state = callArena.allocate(Linker.Option.captureStateLayout());
                address = (MemorySegment) mmap.invokeExact(state, MemorySegment.NULL, size,
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
                error = (int) errno.get(state, 0L);
            } catch (IllegalCallerException e) {
                LOG.log(System.Logger.Level.DEBUG, "native access denied, guest RAM allocated on the heap arena", e);
                return Optional.empty();
            } catch (Throwable t) {
                throw new IllegalStateException("mmap of guest RAM failed", t);
            }
            if (address.address() == MAP_FAILED || address.address() == 0) {
                throw new IllegalStateException("host refused " + size + " bytes of guest RAM (mmap errno " + error + ")");
            }
            return Optional.of(address.reinterpret(size, arena, seg -> unmap(munmap, seg.address(), size)));
        }

        private static final int O_RDONLY = 0;
        private static final int MAP_FIXED = 0x10;

        /** mmap(file, MAP_PRIVATE): copy-on-write RAM whose initial contents are the file. */
        static MemorySegment mapFile(Path file, long size, Arena arena) throws IOException {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                throw new IOException("copy-on-write memory needs Linux");
            }
            long fileSize = java.nio.file.Files.size(file);
            if (fileSize != size) {
                // mapping past the end of a file would crash the JVM with SIGBUS on first access
                throw new IOException(file + " is " + fileSize + " bytes, expected " + size);
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option captureErrno = Linker.Option.captureCallState("errno");
            VarHandle errno = Linker.Option.captureStateLayout()
                    .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
            MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), captureErrno);
            MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                    captureErrno);
            MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = call.allocate(Linker.Option.captureStateLayout());
                MemorySegment path = call.allocateFrom(file.toString());
                int fd = (int) open.invokeExact(state, path, O_RDONLY);
                if (fd < 0) {
                    throw new IOException("cannot open " + file + " (errno " + (int) errno.get(state, 0L) + ")");
                }
                MemorySegment address;
                int error;
                try {
                    address = (MemorySegment) mmap.invokeExact(state, MemorySegment.NULL, size,
                            PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0L);
                    error = (int) errno.get(state, 0L);
                } finally {
                    int ignored = (int) close.invokeExact(fd); // the mapping keeps the file
                }
                if (address.address() == MAP_FAILED || address.address() == 0) {
                    throw new IOException("cannot map " + file + " (mmap errno " + error + ")");
                }
                return address.reinterpret(size, arena, seg -> unmap(munmap, seg.address(), size));
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("cannot map " + file + ": " + t, t);
            }
        }

        /** mmap(MAP_FIXED | MAP_ANONYMOUS) over a page-aligned range of a mapping: zero pages, no file. */
        static boolean replaceWithAnonymous(MemorySegment range) {
            try {
                Linker linker = Linker.nativeLinker();
                MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MemorySegment result = (MemorySegment) mmap.invokeExact(range, range.byteSize(),
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0L);
                return result.address() == range.address();
            } catch (Throwable t) {
                return false;
            }
        }

        private static void unmap(MethodHandle munmap, long address, long size) {
            try {
                int rc = (int) munmap.invokeExact(MemorySegment.ofAddress(address), size);
                if (rc != 0) {
                    LOG.log(System.Logger.Level.WARNING, "munmap of guest RAM failed");
                }
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "munmap of guest RAM failed", t);
            }
        }
    }
}
