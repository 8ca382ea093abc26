package dev.nucleo.vmm;

import dev.nucleo.machine.GuestRam;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A snapshot's memory file: laid out exactly like guest RAM (file offset = RAM offset, so it
 * can be mapped as RAM), with only the pages that are not all zeros written; every other page
 * is a hole, which costs no disk and reads as zeros. A CRC32C per 1 MiB chunk (saved in the
 * metadata) catches corruption and truncation on restore.
 */
final class MemoryImage {
    static final int PAGE = 4096;
    static final int CHUNK = 1 << 20;

    private final long size;
    private final int[] chunkCrcs;

    private MemoryImage(long size, int[] chunkCrcs) {
        this.size = size;
        this.chunkCrcs = chunkCrcs;
    }

    /** Writes RAM's non-zero pages to {@code file} (which must not exist) and returns the checksums. */
    static MemoryImage write(GuestRam ram, Path file) throws IOException {
        MemorySegment mem = ram.segment();
        long size = ram.size();
        int[] crcs = new int[chunkCount(size)];
        MemorySegment zeroPage = MemorySegment.ofArray(new byte[PAGE]);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long runStart = -1;                 // a run of consecutive non-zero pages, written at once
            for (long page = 0; page < size; page += PAGE) {
                boolean zero = MemorySegment.mismatch(mem, page, page + PAGE, zeroPage, 0, PAGE) < 0;
                if (!zero && runStart < 0) {
                    runStart = page;
                } else if (zero && runStart >= 0) {
                    writeRun(out, mem, runStart, page);
                    runStart = -1;
                }
            }
            if (runStart >= 0) {
                writeRun(out, mem, runStart, size);
            }
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);                  // trailing zero pages: a hole up to RAM's size
            raf.getFD().sync();
        }
        for (int c = 0; c < crcs.length; c++) {
            crcs[c] = crc(mem, (long) c * CHUNK, chunkLength(size, c));
        }
        return new MemoryImage(size, crcs);
    }

    private static void writeRun(FileChannel out, MemorySegment mem, long from, long to) throws IOException {
        var buffer = mem.asSlice(from, to - from).asByteBuffer();
        long position = from;
        while (buffer.hasRemaining()) {
            position += out.write(buffer, position);
        }
    }

    void save(StateWriter out) {
        out.putLong(size).putInt(CHUNK).putInts(chunkCrcs);
    }

    static MemoryImage load(StateReader in, long expectedSize) throws StateException {
        long size = in.getLong();
        if (size != expectedSize) {
            throw in.bad("memory image of " + size + " bytes for a machine with " + expectedSize);
        }
        in.getInt(CHUNK, CHUNK, "chunk size");
        int[] crcs = new int[chunkCount(size)];
        in.getInts(crcs, "chunk checksums");
        in.expectEnd();
        return new MemoryImage(size, crcs);
    }

    /**
     * Checks the file against the checksums: its size, then every chunk; chunks lying wholly in
     * holes read as zeros, so only the data is read (through the page cache, which the restored
     * VM's copy-on-write mapping then shares).
     *
     * @return empty if the file is intact, else the problem
     */
    java.util.Optional<String> verify(Path file) throws IOException {
        long actual = Files.size(file);
        if (actual != size) {
            return java.util.Optional.of("memory file is " + actual + " bytes, expected " + size + " (truncated?)");
        }
        List<FileExtents.Extent> extents = FileExtents.of(file, size);
        int zeroChunkCrc = crc(MemorySegment.ofArray(new byte[CHUNK]), 0, CHUNK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            int e = 0;
            for (int c = 0; c < chunkCrcs.length; c++) {
                long start = (long) c * CHUNK;
                long length = chunkLength(size, c);
                while (e < extents.size() && extents.get(e).end() <= start) {
                    e++;
                }
                boolean hasData = e < extents.size() && extents.get(e).start() < start + length;
                int crc = hasData ? crc(mapped, start, length)
                        : length == CHUNK ? zeroChunkCrc : crc(MemorySegment.ofArray(new byte[(int) length]), 0, length);
                if (crc != chunkCrcs[c]) {
                    return java.util.Optional.of(String.format(
                            "memory file is corrupt: checksum of the 1 MiB chunk at offset 0x%x does not match", start));
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static int crc(MemorySegment mem, long offset, long length) {
        CRC32C crc = new CRC32C();
        crc.update(mem.asSlice(offset, length).asByteBuffer());
        return (int) crc.getValue();
    }

    private static int chunkCount(long size) {
        return (int) ((size + CHUNK - 1) / CHUNK);
    }

    private static long chunkLength(long size, int chunk) {
        return Math.min(CHUNK, size - (long) chunk * CHUNK);
    }
}
