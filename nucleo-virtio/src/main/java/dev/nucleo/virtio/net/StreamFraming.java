package dev.nucleo.virtio.net;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * QEMU's {@code -netdev stream} framing: each Ethernet frame is preceded by its length as a
 * 4-byte big-endian integer. A length of 0 or above {@link NetBackend#MAX_FRAME} cannot be a
 * frame; the link is then out of step and must be closed.
 */
final class StreamFraming {
    private StreamFraming() {
    }

    /** A length prefix that no frame can have. */
    static final class MalformedFrameException extends IOException {
        MalformedFrameException(String message) {
            super(message);
        }
    }

    /** Writes one frame with its length prefix (blocking until all of it is out). */
    static void write(ByteChannel channel, byte[] frame) throws IOException {
        if (frame.length == 0 || frame.length > NetBackend.MAX_FRAME) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes");
        }
        ByteBuffer length = ByteBuffer.allocate(4).putInt(0, frame.length);
        ByteBuffer body = ByteBuffer.wrap(frame);
        while (length.hasRemaining()) {
            channel.write(length);
        }
        while (body.hasRemaining()) {
            channel.write(body);
        }
    }

    /**
     * Reads the next frame; null at a clean end of stream (between frames).
     *
     * @throws MalformedFrameException for an impossible length
     * @throws EOFException            if the stream ends inside a frame
     */
    static byte[] read(ByteChannel channel) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(4);
        if (!fill(channel, prefix, true)) {
            return null;
        }
        long length = prefix.getInt(0) & 0xffff_ffffL;
        if (length == 0 || length > NetBackend.MAX_FRAME) {
            throw new MalformedFrameException("peer sent a frame length of " + length
                    + " (must be 1.." + NetBackend.MAX_FRAME + ")");
        }
        ByteBuffer body = ByteBuffer.allocate((int) length);
        fill(channel, body, false);
        return body.array();
    }

    /** Reads until {@code buffer} is full; false if the stream ended before its first byte and that is allowed. */
    private static boolean fill(ByteChannel channel, ByteBuffer buffer, boolean endAllowed) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("stream ended inside a frame");
            }
        }
        return true;
    }
}
