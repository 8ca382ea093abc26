package dev.nucleo.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 44-byte header of every virtio-vsock packet (virtio 1.2, 5.10.6), little-endian and
 * packed. Ports and counters are unsigned 32-bit values carried in ints.
 */
record VsockHeader(long srcCid, long dstCid, int srcPort, int dstPort, int len, int type, int op,
                   int flags, int bufAlloc, int fwdCnt) {
    static final int SIZE = 44;

    static final int TYPE_STREAM = 1;

    static final int OP_REQUEST = 1;
    static final int OP_RESPONSE = 2;
    static final int OP_RST = 3;
    static final int OP_SHUTDOWN = 4;
    static final int OP_RW = 5;
    static final int OP_CREDIT_UPDATE = 6;
    static final int OP_CREDIT_REQUEST = 7;

    /** SHUTDOWN flags: the sender will receive no more / send no more. */
    static final int SHUTDOWN_RCV = 1;
    static final int SHUTDOWN_SEND = 2;
    static final int SHUTDOWN_BOTH = SHUTDOWN_RCV | SHUTDOWN_SEND;

    static VsockHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new VsockHeader(b.getLong(0), b.getLong(8), b.getInt(16), b.getInt(20), b.getInt(24),
                b.getShort(28) & 0xffff, b.getShort(30) & 0xffff, b.getInt(32), b.getInt(36), b.getInt(40));
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(srcCid).putLong(dstCid).putInt(srcPort).putInt(dstPort).putInt(len)
                .putShort((short) type).putShort((short) op).putInt(flags).putInt(bufAlloc).putInt(fwdCnt);
        return b.array();
    }

    /** The payload length as the unsigned number it is. */
    long payloadLength() {
        return Integer.toUnsignedLong(len);
    }
}
