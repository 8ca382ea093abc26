package dev.nucleo.virtio;

import dev.nucleo.machine.GuestRam;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Views of a chain's buffers as one byte stream: the bytes {@code [skip, skip + length)} of
 * a list of buffers, as {@link ByteBuffer}s over guest RAM (no copy), or copied out.
 */
final class GuestMemoryIo {
    /** The largest single ByteBuffer view; guest buffers can be up to 4 GiB. */
    private static final long MAX_VIEW = 1L << 30;

    private GuestMemoryIo() {
    }

    /** ByteBuffers over guest RAM covering {@code length} bytes after the first {@code skip}. */
    static List<ByteBuffer> views(GuestRam ram, List<GuestBuffer> buffers, long skip, long length) {
        List<ByteBuffer> out = new ArrayList<>();
        long toSkip = skip;
        long left = length;
        for (GuestBuffer b : buffers) {
            if (left == 0) {
                break;
            }
            if (toSkip >= b.length()) {
                toSkip -= b.length();
                continue;
            }
            long addr = b.address() + toSkip;
            long n = Math.min(b.length() - toSkip, left);
            toSkip = 0;
            left -= n;
            while (n > 0) {
                long piece = Math.min(n, MAX_VIEW);
                out.add(ram.segment().asSlice(addr - ram.base(), piece).asByteBuffer());
                addr += piece;
                n -= piece;
            }
        }
        if (left != 0) {
            throw new IllegalArgumentException("buffers hold fewer than " + (skip + length) + " bytes");
        }
        return out;
    }

    /** Copies {@code length} bytes starting {@code skip} bytes into the buffers. */
    static byte[] copyOut(GuestRam ram, List<GuestBuffer> buffers, long skip, int length) {
        byte[] out = new byte[length];
        int at = 0;
        for (ByteBuffer view : views(ram, buffers, skip, length)) {
            int n = view.remaining();
            view.get(out, at, n);
            at += n;
        }
        return out;
    }

    /** Copies {@code data} into the buffers starting {@code skip} bytes in. */
    static void copyIn(GuestRam ram, List<GuestBuffer> buffers, long skip, byte[] data) {
        int at = 0;
        for (ByteBuffer view : views(ram, buffers, skip, data.length)) {
            int n = view.remaining();
            view.put(data, at, n);
            at += n;
        }
    }
}
