package dev.nucleo.vmm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a sparse file holds data: its extents, found with {@code lseek(SEEK_DATA/SEEK_HOLE)}
 * through the FFM linker. Holes read as zeros without touching the disk, so a snapshot's memory
 * file is verified by reading only its data. Where the calls are missing (not Linux), the whole
 * file counts as data.
 */
final class FileExtents {
    private static final int O_RDONLY = 0;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;

    /** One run of data, {@code [start, end)}. */
    record Extent(long start, long end) {
    }

    private FileExtents() {
    }

    static List<Extent> of(Path file, long size) throws IOException {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return List.of(new Extent(0, size));
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle lseek = linker.downcallHandle(libc.find("lseek").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
            if (fd < 0) {
                throw new IOException("cannot open " + file);
            }
            try {
                List<Extent> extents = new ArrayList<>();
                long at = 0;
                while (at < size) {
                    long data = (long) lseek.invokeExact(fd, at, SEEK_DATA);
                    if (data < 0 || data >= size) {
                        break;                 // ENXIO: only a hole is left
                    }
                    long hole = (long) lseek.invokeExact(fd, data, SEEK_HOLE);
                    if (hole < 0 || hole > size) {
                        hole = size;
                    }
                    extents.add(new Extent(data, hole));
                    at = hole;
                }
                return extents;
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            return List.of(new Extent(0, size)); // cannot ask: read everything
        }
    }
}
