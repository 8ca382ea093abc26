package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the Linux kernel unpacks as an initramfs.
 * Device nodes are only header fields here, so no privileges are needed to make them.
 * Timestamps are zero and inode numbers sequential, so equal inputs give equal bytes.
 */
final class CpioWriter {
    static final String MAGIC = "070701";
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    private static final String TRAILER = "TRAILER!!!";

    private final OutputStream out;
    private long written;
    private int nextInode = 1;
    private boolean finished;

    CpioWriter(OutputStream out) {
        this.out = out;
    }

    void directory(String name, int permissions) throws IOException {
        entry(name, S_IFDIR | permissions, 2, 0, 0, new byte[0]);
    }

    void file(String name, int permissions, byte[] data) throws IOException {
        entry(name, S_IFREG | permissions, 1, 0, 0, data);
    }

    void symlink(String name, String target) throws IOException {
        entry(name, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    void charDevice(String name, int permissions, int major, int minor) throws IOException {
        entry(name, S_IFCHR | permissions, 1, major, minor, new byte[0]);
    }

    /** Writes the trailer entry that ends the archive. */
    void finish() throws IOException {
        if (!finished) {
            writeHeader(TRAILER, 0, 0, 1, 0, 0, 0);
            finished = true;
        }
    }

    private void entry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] data)
            throws IOException {
        if (finished) {
            throw new IllegalStateException("archive already finished");
        }
        if (name.isEmpty() || name.startsWith("/") || name.equals(TRAILER)) {
            throw new IllegalArgumentException("bad archive member name: " + name);
        }
        writeHeader(name, nextInode++, mode, links, data.length, rdevMajor, rdevMinor);
        write(data);
        pad();
    }

    private void writeHeader(String name, int inode, int mode, int links, int size, int rdevMajor,
            int rdevMinor) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder(110).append(MAGIC);
        for (long field : new long[] {
                inode, mode, 0 /* uid */, 0 /* gid */, links, 0 /* mtime */, size,
                0 /* devmajor */, 0 /* devminor */, rdevMajor, rdevMinor,
                nameBytes.length + 1, 0 /* check */}) {
            header.append(String.format("%08x", field));
        }
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        write(new byte[] {0});
        pad(); // the name ends on a 4-byte boundary, counted from the start of the header
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}
