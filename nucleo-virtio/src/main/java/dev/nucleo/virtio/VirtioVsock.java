package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * A virtio socket device (virtio 1.2, 5.10): stream connections between guest AF_VSOCK
 * sockets and host Unix sockets ({@link VsockUnixHost}). Queue 0 receives (host to guest),
 * queue 1 transmits (guest to host), queue 2 carries events: only the transport reset a
 * restored snapshot sends, since no connection survives a snapshot (the host ends are gone).
 *
 * <p>The protocol lives in {@link VsockConnections}; this class moves packets between it and
 * the rings on the device's own thread. A chain too short for a header is a broken driver
 * (DEVICE_NEEDS_RESET); anything wrong inside a well-framed packet only resets its connection.
 */
public final class VirtioVsock implements VirtioDevice {
    public static final int DEVICE_ID = 19;
    public static final int QUEUE_SIZE = 256;
    public static final int RX = 0;
    public static final int TX = 1;
    public static final int EVENT = 2;
    public static final long F_STREAM = 1L;
    /** The largest payload we accept or send in one packet (Linux uses 64 KiB too). */
    public static final int MAX_PAYLOAD = 64 << 10;

    private final long guestCid;
    private final VsockUnixHost host;
    private final VsockConnections connections;
    private final DeviceWorker worker;
    private volatile VirtioDeviceContext context;
    private boolean transportResetPending; // under the queue lock: tell the driver once it gives an event buffer

    /**
     * A device for a guest with context ID {@code guestCid} (at least 3), its host side on
     * {@code socket}, which is bound at once.
     */
    public static VirtioVsock open(long guestCid, Path socket) throws IOException {
        if (guestCid < 3 || guestCid > 0xffff_fffeL) {
            throw new IllegalArgumentException("guest CID must be in 3..4294967294, got " + guestCid);
        }
        return new VirtioVsock(guestCid, new VsockUnixHost(socket));
    }

    private VirtioVsock(long guestCid, VsockUnixHost host) {
        this.guestCid = guestCid;
        this.host = host;
        this.worker = new DeviceWorker("virtio-vsock cid " + guestCid, this::drain);
        this.connections = new VsockConnections(guestCid, worker::kick, host::connect);
    }

    public long guestCid() {
        return guestCid;
    }

    public Path socket() {
        return host.socket();
    }

    /** Live connections (for tests and metrics). */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return F_STREAM | Virtio.F_RING_INDIRECT_DESC | Virtio.F_RING_EVENT_IDX;
    }

    @Override
    public int queueCount() {
        return 3;
    }

    @Override
    public int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return 8;
    }

    @Override
    public long readConfig(int offset, int size) {
        return ConfigSpace.read(guestCid, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // guest_cid is read-only
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
        host.start(connections, () -> context.running());
    }

    @Override
    public void activate(long negotiatedFeatures) {
        // nothing to remember: stream is the only socket type offered
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick(); // an event buffer may be what a pending transport reset waits for
    }

    @Override
    public void reset() {
        connections.closeAll();
    }

    @Override
    public void close() {
        host.close();
        connections.closeAll();
        worker.close();
    }

    /** The worker's job: take what the guest sent, then fill receive buffers while there is output. */
    private void drain() {
        VirtioDeviceContext ctx = context;
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            if (transportResetPending && ctx.running()) {
                sendTransportReset(ctx);
            }
            boolean progress = true;
            while (progress && ctx.running()) {
                progress = transmit(ctx) | receive(ctx);
            }
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e); // e.g. guest RAM freed while the VM closes
        } finally {
            lock.unlock();
        }
    }

    private boolean transmit(VirtioDeviceContext ctx) throws BadChainException {
        SplitVirtqueue tx = ctx.queue(TX);
        boolean any = false;
        for (Optional<DescriptorChain> chain = tx.next(); chain.isPresent(); chain = tx.next()) {
            handleGuestPacket(ctx.ram(), chain.get());
            tx.addUsed(chain.get().head(), 0);
            any = true;
        }
        if (any) {
            ctx.usedBuffers(TX);
        }
        return any;
    }

    private void handleGuestPacket(GuestRam ram, DescriptorChain chain) throws BadChainException {
        if (chain.readableLength() < VsockHeader.SIZE) {
            throw new BadChainException("vsock packet of " + chain.readableLength() + " bytes, shorter than its header");
        }
        VsockHeader h = VsockHeader.decode(GuestMemoryIo.copyOut(ram, chain.readable(), 0, VsockHeader.SIZE));
        long len = h.payloadLength();
        if (len > MAX_PAYLOAD || len > chain.readableLength() - VsockHeader.SIZE
                || (len != 0 && h.op() != VsockHeader.OP_RW)) {
            connections.onMalformed(h);
            return;
        }
        byte[] payload = GuestMemoryIo.copyOut(ram, chain.readable(), VsockHeader.SIZE, (int) len);
        connections.onGuestPacket(h, payload);
    }

    private boolean receive(VirtioDeviceContext ctx) throws BadChainException {
        SplitVirtqueue rx = ctx.queue(RX);
        boolean any = false;
        while (connections.hasOutput()) {
            Optional<DescriptorChain> chain = rx.next();
            if (chain.isEmpty()) {
                break; // the guest will notify when it gives us buffers
            }
            DescriptorChain c = chain.get();
            if (c.writableLength() < VsockHeader.SIZE) {
                throw new BadChainException("vsock receive buffer of " + c.writableLength() + " bytes");
            }
            int room = (int) Math.min(MAX_PAYLOAD, c.writableLength() - VsockHeader.SIZE);
            long written = 0;
            Optional<VsockConnections.Packet> packet = connections.nextPacket(room);
            if (packet.isPresent()) {
                byte[] header = packet.get().header().encode();
                GuestMemoryIo.copyIn(ctx.ram(), c.writable(), 0, header);
                GuestMemoryIo.copyIn(ctx.ram(), c.writable(), VsockHeader.SIZE, packet.get().payload());
                written = VsockHeader.SIZE + packet.get().payload().length;
            }
            // With nothing to say (no room for data), a zero-length buffer goes back; drivers drop it.
            rx.addUsed(c.head(), written);
            any = true;
            if (packet.isEmpty()) {
                break; // only data, and a buffer with no room for it: wait for a bigger one
            }
        }
        if (any) {
            ctx.usedBuffers(RX);
        }
        return any;
    }

    /**
     * Nothing of the device's own is saved: connections cannot outlive the snapshot (their host
     * sockets belong to the old process). A restored device starts with none and sends the
     * driver VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, on which Linux resets every socket it had and
     * re-reads the CID, as after a live migration.
     */
    @Override
    public void loadState(StateReader in) throws StateException {
        in.expectEnd();
        transportResetPending = true;
    }

    private void sendTransportReset(VirtioDeviceContext ctx) throws BadChainException {
        SplitVirtqueue events = ctx.queue(EVENT);
        Optional<DescriptorChain> chain = events.next();
        if (chain.isEmpty()) {
            return; // no event buffer yet: the next notify tries again
        }
        DescriptorChain c = chain.get();
        long written = 0;
        if (c.writableLength() >= 4) {
            GuestMemoryIo.copyIn(ctx.ram(), c.writable(), 0, new byte[] {0, 0, 0, 0}); // le32 id 0: TRANSPORT_RESET
            written = 4;
        }
        events.addUsed(c.head(), written);
        ctx.usedBuffers(EVENT);
        transportResetPending = false;
    }
}
