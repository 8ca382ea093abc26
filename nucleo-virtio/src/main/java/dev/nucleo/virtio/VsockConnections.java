package dev.nucleo.virtio;

import dev.nucleo.virtio.VsockConnection.Key;
import dev.nucleo.virtio.VsockConnection.State;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The vsock stream protocol between the guest and the host (virtio 1.2, 5.10.6): the table of
 * connections keyed by (guest port, host port), what each guest packet does to them, and the
 * packets waiting for the guest's receive queue. Host socket I/O happens elsewhere
 * ({@link VsockUnixHost}); it reports here under {@link #lock}.
 *
 * <p>The guest is hostile: a packet for no connection, in the wrong state, with an unknown
 * op or type, or beyond the credit we granted resets that connection (RST) and nothing else.
 * The number of connections and the bytes each may buffer are bounded.
 */
final class VsockConnections {
    private static final System.Logger LOG = System.getLogger(VsockConnections.class.getName());

    static final long HOST_CID = 2;
    /** Our receive buffer per connection, advertised as buf_alloc; also the host-to-guest buffer. */
    static final int BUFFER_BYTES = 64 << 10;
    static final int MAX_CONNECTIONS = 128;
    /** Control packets (mostly RSTs answering stray guest packets) waiting for rx buffers. */
    static final int MAX_CONTROL = 1024;
    /** The first host port handed out for host-initiated connections. */
    static final int FIRST_HOST_PORT = 1 << 30;

    /** A packet for the guest's receive queue. */
    record Packet(VsockHeader header, byte[] payload) {
    }

    /** A control packet to send; its credit fields are filled in when it goes out. */
    private record Control(Key key, int op, int flags) {
    }

    final ReentrantLock lock = new ReentrantLock();
    private final long guestCid;
    private final Runnable kick;
    private final Consumer<VsockConnection> connectToHost;
    // Insertion order, rotated as connections are served, so one busy stream cannot starve others.
    private final Map<Key, VsockConnection> connections = new LinkedHashMap<>();
    private final ArrayDeque<Control> control = new ArrayDeque<>();
    private int nextHostPort = FIRST_HOST_PORT;

    /**
     * @param kick          asks the device to look at its queues again
     * @param connectToHost starts connecting a guest-initiated connection's host socket; must not block
     */
    VsockConnections(long guestCid, Runnable kick, Consumer<VsockConnection> connectToHost) {
        this.guestCid = guestCid;
        this.kick = kick;
        this.connectToHost = connectToHost;
    }

    long guestCid() {
        return guestCid;
    }

    /** Asks the device to move packets (safe from any thread, never blocks). */
    void kickDevice() {
        kick.run();
    }

    int size() {
        lock.lock();
        try {
            return connections.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- packets from the guest (device worker) ----

    /** A packet whose length field does not match its buffers, or is too large. */
    void onMalformed(VsockHeader h) {
        lock.lock();
        try {
            if (fromOurGuest(h)) {
                reset(new Key(h.srcPort(), h.dstPort()), h.op());
            }
        } finally {
            lock.unlock();
        }
    }

    /** One packet from the transmit queue; {@code payload} holds its {@code len} bytes for RW. */
    void onGuestPacket(VsockHeader h, byte[] payload) {
        lock.lock();
        try {
            if (!fromOurGuest(h)) {
                return; // spoofed source: drop without a reply
            }
            Key key = new Key(h.srcPort(), h.dstPort());
            if (h.dstCid() != HOST_CID || h.type() != VsockHeader.TYPE_STREAM) {
                replyRst(key, h.op());
                return;
            }
            VsockConnection c = connections.get(key);
            if (h.op() == VsockHeader.OP_REQUEST) {
                onRequest(key, c, h);
                return;
            }
            if (c == null) {
                replyRst(key, h.op());
                return;
            }
            if (h.op() == VsockHeader.OP_RST) {
                remove(c);
                return;
            }
            c.updatePeerCredit(h);
            switch (h.op()) {
                case VsockHeader.OP_RESPONSE -> onResponse(c);
                case VsockHeader.OP_SHUTDOWN -> onShutdown(c, h.flags());
                case VsockHeader.OP_RW -> onData(c, payload);
                case VsockHeader.OP_CREDIT_UPDATE -> {
                    if (c.state != State.ESTABLISHED) {
                        abort(c);
                    }
                }
                case VsockHeader.OP_CREDIT_REQUEST -> {
                    if (c.state == State.ESTABLISHED) {
                        c.creditUpdateWanted = true;
                    } else {
                        abort(c);
                    }
                }
                default -> abort(c); // unknown op
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean fromOurGuest(VsockHeader h) {
        return h.srcCid() == guestCid;
    }

    private void onRequest(Key key, VsockConnection existing, VsockHeader h) {
        if (existing != null) {
            abort(existing); // a second REQUEST on a live connection: the guest is confused
            return;
        }
        if (connections.size() >= MAX_CONNECTIONS) {
            LOG.log(System.Logger.Level.WARNING, "vsock: connection limit reached, refusing guest port {0}",
                    Integer.toUnsignedString(key.guestPort()));
            replyRst(key, h.op());
            return;
        }
        VsockConnection c = new VsockConnection(key, State.CONNECTING_TO_HOST, lock.newCondition(), BUFFER_BYTES);
        c.updatePeerCredit(h);
        connections.put(key, c);
        connectToHost.accept(c);
    }

    private void onResponse(VsockConnection c) {
        if (c.state != State.CONNECTING_TO_GUEST) {
            abort(c);
            return;
        }
        c.state = State.ESTABLISHED;
        c.guestAnswer.complete(true);
    }

    private void onShutdown(VsockConnection c, int flags) {
        if (c.state != State.ESTABLISHED) {
            abort(c);
            return;
        }
        c.guestShutdown |= flags & VsockHeader.SHUTDOWN_BOTH;
        if ((c.guestShutdown & VsockHeader.SHUTDOWN_RCV) != 0) {
            c.toGuest.clear(); // the guest will not read it
        }
        c.changed.signalAll();
    }

    private void onData(VsockConnection c, byte[] payload) {
        if (c.state != State.ESTABLISHED || (c.guestShutdown & VsockHeader.SHUTDOWN_SEND) != 0) {
            abort(c);
            return;
        }
        if (c.unforwarded() + payload.length > BUFFER_BYTES) {
            LOG.log(System.Logger.Level.WARNING, "vsock: guest port {0} sent beyond its credit; reset",
                    Integer.toUnsignedString(c.key.guestPort()));
            abort(c);
            return;
        }
        c.toHost.put(payload, 0, payload.length);
        c.rxCnt += payload.length;
        c.changed.signalAll();
    }

    // ---- packets for the guest (device worker) ----

    /** Whether {@link #nextPacket} has something to send. */
    boolean hasOutput() {
        lock.lock();
        try {
            if (!control.isEmpty()) {
                return true;
            }
            for (VsockConnection c : connections.values()) {
                if (c.state == State.ESTABLISHED && (hasData(c) || creditBlocked(c) || eofPending(c)
                        || c.creditUpdateWanted)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private static boolean hasData(VsockConnection c) {
        return !c.toGuest.isEmpty() && c.peerCredit() > 0;
    }

    private static boolean creditBlocked(VsockConnection c) {
        return !c.toGuest.isEmpty() && c.peerCredit() == 0 && !c.creditRequested;
    }

    private static boolean eofPending(VsockConnection c) {
        return c.hostEof && c.toGuest.isEmpty() && !c.shutdownSent;
    }

    /** The next packet for the guest, with at most {@code maxPayload} bytes of data; empty if none. */
    Optional<Packet> nextPacket(int maxPayload) {
        lock.lock();
        try {
            Control ctl = control.poll();
            if (ctl != null) {
                return Optional.of(new Packet(header(ctl.key(), ctl.op(), ctl.flags(), 0), new byte[0]));
            }
            Iterator<VsockConnection> it = connections.values().iterator();
            while (it.hasNext()) {
                VsockConnection c = it.next();
                if (c.state != State.ESTABLISHED) {
                    continue;
                }
                Optional<Packet> p = packetFrom(c, maxPayload);
                if (p.isPresent()) {
                    it.remove(); // to the back of the line
                    connections.put(c.key, c);
                    return p;
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Optional<Packet> packetFrom(VsockConnection c, int maxPayload) {
        if (hasData(c) && maxPayload > 0) {
            int n = (int) Math.min(Math.min(maxPayload, c.peerCredit()), c.toGuest.size());
            byte[] data = c.toGuest.take(n);
            c.changed.signalAll(); // room for the reader
            Packet p = new Packet(header(c.key, VsockHeader.OP_RW, 0, n), data);
            c.txCnt += n;
            c.creditUpdateWanted = false; // this header carries our credit
            return Optional.of(p);
        }
        if (creditBlocked(c)) {
            c.creditRequested = true;
            return Optional.of(new Packet(header(c.key, VsockHeader.OP_CREDIT_REQUEST, 0, 0), new byte[0]));
        }
        if (eofPending(c)) {
            c.shutdownSent = true;
            return Optional.of(new Packet(header(c.key, VsockHeader.OP_SHUTDOWN, VsockHeader.SHUTDOWN_SEND, 0),
                    new byte[0]));
        }
        if (c.creditUpdateWanted) {
            c.creditUpdateWanted = false;
            return Optional.of(new Packet(header(c.key, VsockHeader.OP_CREDIT_UPDATE, 0, 0), new byte[0]));
        }
        return Optional.empty();
    }

    /** A host-to-guest header for {@code key}, with our current credit if the connection lives. */
    private VsockHeader header(Key key, int op, int flags, int len) {
        VsockConnection c = connections.get(key);
        int bufAlloc = c == null ? 0 : BUFFER_BYTES;
        int fwdCnt = c == null ? 0 : c.fwdCnt;
        return new VsockHeader(HOST_CID, guestCid, key.hostPort(), key.guestPort(), len, VsockHeader.TYPE_STREAM,
                op, flags, bufAlloc, fwdCnt);
    }

    // ---- connection lifecycle, from both sides ----

    /** Answers a stray packet with RST; never answers a RST. */
    private void replyRst(Key key, int op) {
        if (op != VsockHeader.OP_RST) {
            enqueue(new Control(key, VsockHeader.OP_RST, 0));
        }
    }

    /** Resets the connection {@code key} (if it exists) and tells the guest. */
    private void reset(Key key, int op) {
        VsockConnection c = connections.get(key);
        if (c != null) {
            abort(c);
        } else {
            replyRst(key, op);
        }
    }

    /** Closes {@code c} and sends the guest a RST for it. Caller holds the lock. */
    void abort(VsockConnection c) {
        if (connections.get(c.key) == c) {
            remove(c);
            enqueue(new Control(c.key, VsockHeader.OP_RST, 0));
            kick.run();
        }
    }

    private void remove(VsockConnection c) {
        connections.remove(c.key, c);
        c.close();
    }

    private void enqueue(Control ctl) {
        if (control.size() < MAX_CONTROL) {
            control.add(ctl);
        }
    }

    /** A guest-initiated connection's host socket is connected: answer the guest. */
    boolean hostConnected(VsockConnection c, SocketChannel channel) {
        lock.lock();
        try {
            if (c.state != State.CONNECTING_TO_HOST) {
                return false;
            }
            c.channel = channel;
            c.state = State.ESTABLISHED;
            enqueue(new Control(c.key, VsockHeader.OP_RESPONSE, 0));
        } finally {
            lock.unlock();
        }
        kick.run();
        return true;
    }

    /** Resets {@code c} from a host thread (its socket failed, or nobody listens). */
    void abortFromHost(VsockConnection c) {
        lock.lock();
        try {
            abort(c);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A host client asked for guest port {@code guestPort}: sends the guest a REQUEST. Empty
     * (and the caller closes the client) when the connection limit is reached.
     */
    Optional<VsockConnection> openFromHost(int guestPort, SocketChannel client) {
        lock.lock();
        try {
            if (connections.size() >= MAX_CONNECTIONS) {
                return Optional.empty();
            }
            Key key;
            do {
                key = new Key(guestPort, nextHostPort);
                nextHostPort = nextHostPort == -1 ? FIRST_HOST_PORT : nextHostPort + 1;
            } while (connections.containsKey(key));
            VsockConnection c = new VsockConnection(key, State.CONNECTING_TO_GUEST, lock.newCondition(), BUFFER_BYTES);
            c.channel = client;
            connections.put(key, c);
            enqueue(new Control(key, VsockHeader.OP_REQUEST, 0));
            kick.run();
            return Optional.of(c);
        } finally {
            lock.unlock();
        }
    }

    /** Device reset or close: every connection ends, without telling the (reset) guest. */
    void closeAll() {
        lock.lock();
        try {
            for (VsockConnection c : connections.values()) {
                c.close();
            }
            connections.clear();
            control.clear();
        } finally {
            lock.unlock();
        }
    }
}
