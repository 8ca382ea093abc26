package dev.nucleo.virtio;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A raw disk image file, addressed in 512-byte sectors. Its capacity is the file's size
 * when opened, rounded down to whole sectors; no access goes outside it, so the file never
 * grows or shrinks. A read-only image is opened for reading only.
 */
public final class DiskImage implements AutoCloseable {
    public static final int SECTOR = 512;
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long sectors;

    private DiskImage(Path file, FileChannel channel, boolean readOnly, long sectors) {
        this.file = file;
        this.channel = channel;
        this.readOnly = readOnly;
        this.sectors = sectors;
    }

    public static DiskImage open(Path file, boolean readOnly) throws IOException {
        FileChannel channel = readOnly
                ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new DiskImage(file, channel, readOnly, channel.size() / SECTOR);
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Capacity in 512-byte sectors. */
    public long sectors() {
        return sectors;
    }

    /** Whether {@code count} sectors from {@code sector} lie on the disk (any inputs, no overflow). */
    public boolean inRange(long sector, long count) {
        return sector >= 0 && count >= 0 && sector <= sectors && count <= sectors - sector;
    }

    /** Fills {@code targets} in order with the disk's bytes from {@code sector} on. */
    public void read(long sector, List<ByteBuffer> targets) throws IOException {
        long position = checkedPosition(sector, targets);
        for (ByteBuffer target : targets) {
            while (target.hasRemaining()) {
                int n = channel.read(target, position);
                if (n < 0) {
                    throw new EOFException(file + " is shorter than its capacity (was it truncated?)");
                }
                position += n;
            }
        }
    }

    /** Writes {@code sources} in order to the disk from {@code sector} on. */
    public void write(long sector, List<ByteBuffer> sources) throws IOException {
        checkWritable();
        long position = checkedPosition(sector, sources);
        for (ByteBuffer source : sources) {
            while (source.hasRemaining()) {
                position += channel.write(source, position);
            }
        }
    }

    /**
     * Makes {@code count} sectors read as zero. Chunks that already are zero are not written,
     * so a sparse image stays sparse.
     */
    public void zero(long sector, long count) throws IOException {
        checkWritable();
        if (!inRange(sector, count)) {
            throw new IllegalArgumentException("sectors " + sector + "+" + count + " beyond " + sectors);
        }
        ByteBuffer chunk = ByteBuffer.allocate(ZERO_CHUNK);
        long position = sector * SECTOR;
        long end = position + count * SECTOR;
        while (position < end) {
            int n = (int) Math.min(ZERO_CHUNK, end - position);
            chunk.clear().limit(n);
            read(position / SECTOR, List.of(chunk)); // positions stay sector-aligned
            if (!isZero(chunk.array(), n)) {
                java.util.Arrays.fill(chunk.array(), 0, n, (byte) 0);
                chunk.clear().limit(n);
                write(position / SECTOR, List.of(chunk));
            }
            position += n;
        }
    }

    /** Makes everything written so far durable on the host's storage. */
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void checkWritable() throws IOException {
        if (readOnly) {
            throw new IOException(file + " is read-only");
        }
    }

    private long checkedPosition(long sector, List<ByteBuffer> buffers) {
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            bytes += b.remaining();
        }
        if (bytes % SECTOR != 0 || !inRange(sector, bytes / SECTOR)) {
            throw new IllegalArgumentException(bytes + " bytes at sector " + sector + " do not fit in " + sectors);
        }
        return sector * SECTOR;
    }

    private static boolean isZero(byte[] data, int length) {
        for (int i = 0; i < length; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
