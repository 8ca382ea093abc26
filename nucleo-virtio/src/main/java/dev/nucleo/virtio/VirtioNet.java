package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import dev.nucleo.virtio.net.MacAddress;
import dev.nucleo.virtio.net.NetBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * A virtio network card (virtio 1.x, 5.1) on a {@link NetBackend}: one receive and one
 * transmit queue, a MAC address in configuration space and a link that is always up. No
 * checksum or segmentation offloads are offered, so every buffer carries a plain frame
 * behind the 12-byte virtio_net_hdr.
 *
 * <p>Each direction has its own thread. Transmit: the tx worker copies a frame out of guest
 * memory, returns the chain, and only then hands the frame to the backend, so a slow host
 * never holds the queue lock a hart may need. Receive: the backend's thread puts frames in a
 * bounded {@link RxBacklog} (oldest dropped when the guest posts no buffers) and kicks the rx
 * worker, which copies them into the guest's receive buffers.
 *
 * <p>A transmit chain with device-writable buffers or shorter than the header is a broken
 * driver: DEVICE_NEEDS_RESET. A frame that cannot be a frame (shorter than an Ethernet
 * header, longer than {@link NetBackend#MAX_FRAME}) is dropped and counted; so is a received
 * frame too big for the receive buffer the guest posted (the buffer is kept for the next).
 */
public final class VirtioNet implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(VirtioNet.class.getName());

    public static final int DEVICE_ID = 1;
    public static final int QUEUE_SIZE = 256;
    public static final int RX = 0;
    public static final int TX = 1;

    public static final long F_MAC = 1L << 5;
    public static final long F_STATUS = 1L << 16;
    public static final int S_LINK_UP = 1;

    /** struct virtio_net_hdr with num_buffers, as used by VIRTIO_F_VERSION_1 devices. */
    public static final int HEADER = 12;
    /** The shortest frame worth sending: destination, source and EtherType. */
    public static final int ETH_HEADER = 14;
    public static final int RX_BACKLOG = 256;
    private static final int CONFIG_SIZE = 10; // mac[6], status, max_virtqueue_pairs

    private final NetBackend backend;
    private final MacAddress mac;
    private final byte[] config;
    private final RxBacklog backlog = new RxBacklog(RX_BACKLOG);
    private final DeviceWorker rxWorker;
    private final DeviceWorker txWorker;
    private final Counters counters = new Counters();
    private volatile VirtioDeviceContext context;
    private DescriptorChain heldRxChain; // taken from the ring, not yet filled; under the queue lock

    /** Statistics a host can read; all monotonic. */
    public static final class Counters {
        public final AtomicLong rxFrames = new AtomicLong();
        public final AtomicLong rxDroppedTooBig = new AtomicLong();
        public final AtomicLong txFrames = new AtomicLong();
        public final AtomicLong txDroppedBadLength = new AtomicLong();
        public final AtomicLong txErrors = new AtomicLong();
    }

    /** A card on {@code backend} (closed with the device) with address {@code mac}. */
    public VirtioNet(NetBackend backend, MacAddress mac) {
        this.backend = backend;
        this.mac = mac;
        this.config = buildConfig(mac);
        this.rxWorker = new DeviceWorker("virtio-net rx " + backend.describe(), this::drainRx);
        this.txWorker = new DeviceWorker("virtio-net tx " + backend.describe(), this::drainTx);
    }

    private static byte[] buildConfig(MacAddress mac) {
        ByteBuffer c = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.put(0, mac.bytes());
        c.putShort(6, (short) S_LINK_UP);
        c.putShort(8, (short) 1); // max_virtqueue_pairs: meaningful only with MQ, which is not offered
        return c.array();
    }

    public MacAddress mac() {
        return mac;
    }

    public Counters counters() {
        return counters;
    }

    /** Received frames dropped because the guest posted no buffers in time. */
    public long rxDroppedBacklogFull() {
        return backlog.dropped();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return F_MAC | F_STATUS | Virtio.F_RING_INDIRECT_DESC | Virtio.F_RING_EVENT_IDX;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(int offset, int size) {
        return ConfigSpace.read(config, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // the MAC is writable only with VIRTIO_NET_F_CTRL_MAC_ADDR, which is not offered
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
        backend.start(this::receive);
    }

    @Override
    public void activate(long negotiatedFeatures) {
        // nothing to configure: no offloads, one queue pair
    }

    @Override
    public void queueNotify(int queue) {
        if (queue == RX) {
            rxWorker.kick();
        } else if (queue == TX) {
            txWorker.kick();
        }
    }

    @Override
    public void reset() {
        heldRxChain = null; // it belonged to the rings the driver just dropped
        backlog.clear();
    }

    @Override
    public void close() {
        backend.close(); // first: no more frames arrive
        rxWorker.close();
        txWorker.close();
    }

    /** From the backend's thread: queue the frame and let the rx worker deliver it. */
    private void receive(byte[] frame) {
        backlog.add(frame);
        rxWorker.kick();
    }

    /** The rx worker's job: move waiting frames into receive buffers while there are both. */
    private void drainRx() {
        VirtioDeviceContext ctx = context;
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            boolean delivered = false;
            while (ctx.running() && backlog.peek() != null) {
                DescriptorChain chain = heldRxChain;
                if (chain == null) {
                    Optional<DescriptorChain> next = ctx.queue(RX).next();
                    if (next.isEmpty()) {
                        break; // the driver's next notification kicks us again
                    }
                    chain = next.get();
                    if (!chain.readable().isEmpty() || chain.writableLength() < HEADER) {
                        throw new BadChainException("receive buffer with device-readable parts or shorter than the header");
                    }
                }
                byte[] frame = backlog.peek();
                backlog.remove();
                if (HEADER + (long) frame.length > chain.writableLength()) {
                    counters.rxDroppedTooBig.incrementAndGet();
                    heldRxChain = chain; // fits the next, smaller frame
                    continue;
                }
                heldRxChain = null;
                fillRx(ctx.ram(), chain, frame);
                ctx.queue(RX).addUsed(chain.head(), HEADER + frame.length);
                counters.rxFrames.incrementAndGet();
                delivered = true;
            }
            if (delivered) {
                ctx.usedBuffers(RX);
            }
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
        } finally {
            lock.unlock();
        }
    }

    private static void fillRx(GuestRam ram, DescriptorChain chain, byte[] frame) {
        byte[] header = new byte[HEADER]; // no flags, no GSO; num_buffers (at 10) = 1
        header[10] = 1;
        GuestMemoryIo.copyIn(ram, chain.writable(), 0, header);
        GuestMemoryIo.copyIn(ram, chain.writable(), HEADER, frame);
    }

    /** The tx worker's job: send every frame the driver queued. */
    private void drainTx() {
        VirtioDeviceContext ctx = context;
        while (true) {
            byte[] frame = takeTxFrame(ctx);
            if (frame == null) {
                return;
            }
            if (frame.length == 0) {
                continue; // dropped and counted
            }
            try {
                backend.send(frame); // outside the queue lock: may block on the host
                counters.txFrames.incrementAndGet();
            } catch (IOException e) {
                if (counters.txErrors.getAndIncrement() == 0) {
                    LOG.log(System.Logger.Level.WARNING, "virtio-net " + backend.describe() + ": send failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Takes one transmit chain, copies its frame out and returns the chain to the driver.
     * Returns null when there is nothing (more) to do, an empty array for a dropped frame.
     */
    private byte[] takeTxFrame(VirtioDeviceContext ctx) {
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            if (!ctx.running()) {
                return null;
            }
            SplitVirtqueue queue = ctx.queue(TX);
            Optional<DescriptorChain> next = queue.next();
            if (next.isEmpty()) {
                return null;
            }
            DescriptorChain chain = next.get();
            if (!chain.writable().isEmpty() || chain.readableLength() < HEADER) {
                throw new BadChainException("transmit chain with device-writable parts or shorter than the header");
            }
            long length = chain.readableLength() - HEADER;
            byte[] frame;
            if (length < ETH_HEADER || length > NetBackend.MAX_FRAME) {
                counters.txDroppedBadLength.incrementAndGet();
                frame = new byte[0];
            } else {
                frame = GuestMemoryIo.copyOut(ctx.ram(), chain.readable(), HEADER, (int) length);
            }
            queue.addUsed(chain.head(), 0);
            ctx.usedBuffers(TX);
            return frame;
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
            return null;
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A receive buffer held for the next frame goes back to the ring; frames waiting in the
     * backlog are not saved (a network may drop packets; the peers' protocols resend).
     */
    @Override
    public int heldChains(int queue) {
        return queue == RX && heldRxChain != null ? 1 : 0;
    }
}
