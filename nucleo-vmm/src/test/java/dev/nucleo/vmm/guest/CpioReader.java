package dev.nucleo.vmm.guest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** A strict newc reader for tests: parses an archive back into its members. */
final class CpioReader {
    record Member(String name, int mode, int links, int rdevMajor, int rdevMinor, int inode, long mtime, byte[] data) {
        int type() {
            return mode & 0170000;
        }

        int permissions() {
            return mode & 07777;
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private CpioReader() {
    }

    static List<Member> readGzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return read(in.readAllBytes());
        }
    }

    /** All members before the trailer; fails on anything malformed. */
    static List<Member> read(byte[] archive) {
        List<Member> members = new ArrayList<>();
        int pos = 0;
        while (true) {
            if (pos + 110 > archive.length) {
                throw new IllegalStateException("archive ends without a trailer at " + pos);
            }
            String magic = new String(archive, pos, 6, StandardCharsets.US_ASCII);
            if (!magic.equals("070701")) {
                throw new IllegalStateException("bad magic at " + pos + ": " + magic);
            }
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(new String(archive, pos + 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            }
            int nameSize = (int) f[11];
            int nameStart = pos + 110;
            if (archive[nameStart + nameSize - 1] != 0) {
                throw new IllegalStateException("name not NUL-terminated at " + pos);
            }
            String name = new String(archive, nameStart, nameSize - 1, StandardCharsets.UTF_8);
            int dataStart = align4(nameStart + nameSize);
            int size = (int) f[6];
            byte[] data = Arrays.copyOfRange(archive, dataStart, dataStart + size);
            pos = align4(dataStart + size);
            if (name.equals("TRAILER!!!")) {
                return members;
            }
            members.add(new Member(name, (int) f[1], (int) f[4], (int) f[9], (int) f[10], (int) f[0], f[5], data));
        }
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
