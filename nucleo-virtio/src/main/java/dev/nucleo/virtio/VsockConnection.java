package dev.nucleo.virtio;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;

/**
 * One stream connection between a guest port and a host port, with its host socket, the
 * bytes buffered each way and the credit counters of both ends. Every field is guarded by
 * the lock of the {@link VsockConnections} that owns it; {@link #changed} belongs to that lock.
 */
final class VsockConnection {
    enum State {
        /** The guest asked; the host socket is being connected. */
        CONNECTING_TO_HOST,
        /** A host client asked; the guest has not answered the REQUEST yet. */
        CONNECTING_TO_GUEST,
        ESTABLISHED,
        CLOSED
    }

    record Key(int guestPort, int hostPort) {
    }

    final Key key;
    final Condition changed;
    /** Completed with true when the guest accepts a host-initiated connection, false otherwise. */
    final CompletableFuture<Boolean> guestAnswer = new CompletableFuture<>();
    final ByteRing toGuest;
    final ByteRing toHost;
    State state;
    SocketChannel channel;

    // The guest's receive buffer as it last told us, and what we have sent into it.
    int peerBufAlloc;
    int peerFwdCnt;
    int txCnt;
    // What the guest sent us, and how much of it has reached the host socket.
    int rxCnt;
    int fwdCnt;

    int guestShutdown;
    boolean hostEof;
    boolean shutdownSent;
    boolean creditUpdateWanted;
    boolean creditRequested;

    VsockConnection(Key key, State state, Condition changed, int bufferBytes) {
        this.key = key;
        this.state = state;
        this.changed = changed;
        this.toGuest = new ByteRing(bufferBytes);
        this.toHost = new ByteRing(bufferBytes);
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    /** Bytes the guest can still take: its buffer minus what we sent that it has not consumed. */
    long peerCredit() {
        long inFlight = Integer.toUnsignedLong(txCnt - peerFwdCnt);
        return Math.max(0, Integer.toUnsignedLong(peerBufAlloc) - inFlight);
    }

    /** Bytes the guest sent that the host socket has not taken yet (limited by our buf_alloc). */
    long unforwarded() {
        return Integer.toUnsignedLong(rxCnt - fwdCnt);
    }

    void updatePeerCredit(VsockHeader h) {
        if (h.bufAlloc() != peerBufAlloc || h.fwdCnt() != peerFwdCnt) {
            creditRequested = false; // the guest told us something new: we may ask again later
        }
        peerBufAlloc = h.bufAlloc();
        peerFwdCnt = h.fwdCnt();
    }

    /** Marks the connection closed, wakes its pumps and closes its host socket. */
    void close() {
        state = State.CLOSED;
        toGuest.clear();
        toHost.clear();
        changed.signalAll();
        guestAnswer.complete(false);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
    }
}
