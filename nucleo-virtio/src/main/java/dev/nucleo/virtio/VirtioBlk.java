package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A virtio block device (virtio 1.x, 5.2) on a {@link DiskImage}: read, write, flush, get-id,
 * discard and write-zeroes, read-only disks. Requests are served on the device's own thread
 * ({@link DeviceWorker}); completion raises the used-buffer interrupt.
 *
 * <p>A request the driver framed wrongly (no header, no status byte) is a broken chain and
 * puts the device into DEVICE_NEEDS_RESET; a well-framed request the disk cannot honour
 * (beyond capacity, a write to a read-only disk, a host I/O error) completes with
 * VIRTIO_BLK_S_IOERR and touches nothing; an unknown request type gets VIRTIO_BLK_S_UNSUPP.
 *
 * <p>{@link IoLimits} (requests and bytes per second) are enforced on the worker: before it
 * takes the next request it waits, outside the queue lock, until the limits allow one, so
 * neither a hart nor a reset ever waits for them, and closing the device ends the wait.
 */
public final class VirtioBlk implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(VirtioBlk.class.getName());

    public static final int DEVICE_ID = 2;
    public static final int QUEUE_SIZE = 256;

    public static final long F_SEG_MAX = 1L << 2;
    public static final long F_RO = 1L << 5;
    public static final long F_BLK_SIZE = 1L << 6;
    public static final long F_FLUSH = 1L << 9;
    public static final long F_DISCARD = 1L << 13;
    public static final long F_WRITE_ZEROES = 1L << 14;

    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;
    public static final int T_DISCARD = 11;
    public static final int T_WRITE_ZEROES = 13;

    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;

    /** The length of the serial number GET_ID returns. */
    public static final int ID_BYTES = 20;
    static final int SEG_MAX = QUEUE_SIZE - 2; // one descriptor each for header and status
    static final int MAX_ZERO_SECTORS = 1 << 22; // 2 GiB per discard/write-zeroes segment
    static final int MAX_ZERO_SEGMENTS = 32;
    static final int DISCARD_ALIGNMENT = 8; // sectors: 4 KiB
    private static final int HEADER = 16;
    private static final int SEGMENT = 16;
    private static final int ZERO_FLAG_UNMAP = 1;

    private final DiskImage disk;
    private final byte[] id;
    private final byte[] config;
    private final DeviceWorker worker;
    private final ReentrantLock pauseLock = new ReentrantLock();
    private final Condition limitsChangedOrClosed = pauseLock.newCondition();
    private boolean closed;                   // guarded by pauseLock
    private volatile VirtioDeviceContext context;
    private volatile long features;
    private volatile IoThrottle throttle;     // null: no limits

    /**
     * @param disk   the backing image; closed with the device
     * @param serial what GET_ID reports (ASCII, at most 20 bytes are used)
     */
    public VirtioBlk(DiskImage disk, String serial) {
        this.disk = disk;
        this.id = Arrays.copyOf(serial.getBytes(StandardCharsets.US_ASCII), Math.min(ID_BYTES, serial.length()));
        this.config = buildConfig(disk.sectors());
        this.worker = new DeviceWorker("virtio-blk " + disk.file().getFileName(), this::drain);
    }

    /** A device on {@code file}, with the file's name as serial number. */
    public static VirtioBlk open(Path file, boolean readOnly) throws IOException {
        return new VirtioBlk(DiskImage.open(file, readOnly), String.valueOf(file.getFileName()));
    }

    /** A device on {@code file} whose requests are held to {@code limits}. */
    public static VirtioBlk open(Path file, boolean readOnly, IoLimits limits) throws IOException {
        VirtioBlk blk = open(file, readOnly);
        blk.setLimits(limits);
        return blk;
    }

    /** Holds requests to {@code limits} from the next one on (each starts with a full burst). Thread-safe. */
    public void setLimits(IoLimits limits) {
        pauseLock.lock();
        try {
            throttle = limits.unlimited() ? null : new IoThrottle(limits, System::nanoTime);
            limitsChangedOrClosed.signalAll(); // a worker waiting under the old limits looks again
        } finally {
            pauseLock.unlock();
        }
    }

    public DiskImage disk() {
        return disk;
    }

    /** The configuration space layout of struct virtio_blk_config, little-endian. */
    private static byte[] buildConfig(long sectors) {
        ByteBuffer c = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, sectors);
        c.putInt(12, SEG_MAX);
        c.putInt(20, DiskImage.SECTOR); // blk_size
        c.putInt(36, MAX_ZERO_SECTORS); // max_discard_sectors
        c.putInt(40, MAX_ZERO_SEGMENTS); // max_discard_seg
        c.putInt(44, DISCARD_ALIGNMENT); // discard_sector_alignment
        c.putInt(48, MAX_ZERO_SECTORS); // max_write_zeroes_sectors
        c.putInt(52, MAX_ZERO_SEGMENTS); // max_write_zeroes_seg
        c.put(56, (byte) 0); // write_zeroes_may_unmap: no, we write real zeroes
        return c.array();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        long f = F_SEG_MAX | F_BLK_SIZE | F_FLUSH | Virtio.F_RING_INDIRECT_DESC | Virtio.F_RING_EVENT_IDX;
        return disk.readOnly() ? f | F_RO : f | F_DISCARD | F_WRITE_ZEROES;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public long readConfig(int offset, int size) {
        return ConfigSpace.read(config, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // writeback (CONFIG_WCE) is not offered: every field is read-only
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
    }

    @Override
    public void activate(long negotiatedFeatures) {
        features = negotiatedFeatures;
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick();
    }

    @Override
    public void reset() {
        features = 0;
    }

    @Override
    public void close() {
        pauseLock.lock();
        try {
            closed = true;
            limitsChangedOrClosed.signalAll();
        } finally {
            pauseLock.unlock();
        }
        worker.close();
        try {
            disk.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + disk.file() + " failed", e);
        }
    }

    /** The worker's job: serve requests until the queue is empty or the device stops. */
    private void drain() {
        VirtioDeviceContext ctx = context;
        Lock lock = ctx.queueLock();
        while (true) {
            IoThrottle limits = throttle;
            long wait = limits == null ? 0 : limits.nanosUntilNext();
            if (wait > 0) {
                if (!pause(limits, wait)) {
                    return;
                }
                continue;
            }
            lock.lock();
            try {
                if (!ctx.running()) {
                    return;
                }
                SplitVirtqueue queue = ctx.queue(0);
                Optional<DescriptorChain> chain = queue.next();
                if (chain.isEmpty()) {
                    return;
                }
                if (limits != null) {
                    limits.charge(dataBytes(chain.get()));
                }
                long used = serve(ctx.ram(), chain.get());
                queue.addUsed(chain.get().head(), used);
                ctx.usedBuffers(0);
            } catch (BadChainException e) {
                ctx.deviceError(e.getMessage());
                return;
            } catch (RuntimeException e) {
                // e.g. guest RAM freed while the VM closes; never let it reach the host
                ctx.deviceError("internal error: " + e);
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits (outside the queue lock) for the limits to allow a request, or for new limits;
     * false when the device closes meanwhile.
     */
    private boolean pause(IoThrottle limits, long nanos) {
        pauseLock.lock();
        try {
            if (!closed && throttle == limits) {
                limitsChangedOrClosed.awaitNanos(nanos);
            }
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            pauseLock.unlock();
        }
    }

    /** The data a request moves: what its buffers hold besides the header and the status byte. */
    private static long dataBytes(DescriptorChain chain) {
        return Math.max(0, chain.readableLength() - HEADER) + Math.max(0, chain.writableLength() - 1);
    }

    /** Serves one request; returns the bytes written into its writable buffers. */
    private long serve(GuestRam ram, DescriptorChain chain) throws BadChainException {
        if (chain.readableLength() < HEADER || chain.writableLength() < 1) {
            throw new BadChainException("block request without a 16-byte header or a status byte");
        }
        ByteBuffer header = ByteBuffer.wrap(GuestMemoryIo.copyOut(ram, chain.readable(), 0, HEADER))
                .order(ByteOrder.LITTLE_ENDIAN);
        int type = header.getInt(0);
        long sector = header.getLong(8);
        long dataOut = chain.readableLength() - HEADER;
        long dataIn = chain.writableLength() - 1; // the last writable byte is the status
        long written = 0;
        int status;
        try {
            switch (type) {
                case T_IN -> {
                    status = transferable(sector, dataIn);
                    if (status == S_OK) {
                        disk.read(sector, GuestMemoryIo.views(ram, chain.writable(), 0, dataIn));
                        written = dataIn;
                    }
                }
                case T_OUT -> {
                    status = disk.readOnly() ? S_IOERR : transferable(sector, dataOut);
                    if (status == S_OK) {
                        disk.write(sector, GuestMemoryIo.views(ram, chain.readable(), HEADER, dataOut));
                    }
                }
                case T_FLUSH -> {
                    disk.flush();
                    status = S_OK;
                }
                case T_GET_ID -> {
                    byte[] reply = Arrays.copyOf(id, (int) Math.min(ID_BYTES, dataIn));
                    GuestMemoryIo.copyIn(ram, chain.writable(), 0, reply);
                    written = reply.length;
                    status = S_OK;
                }
                case T_DISCARD -> status = zeroRanges(ram, chain, dataOut, F_DISCARD, true);
                case T_WRITE_ZEROES -> status = zeroRanges(ram, chain, dataOut, F_WRITE_ZEROES, false);
                default -> status = S_UNSUPP;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "virtio-blk " + disk.file() + ": " + e.getMessage());
            status = S_IOERR;
        }
        GuestMemoryIo.copyIn(ram, chain.writable(), dataIn, new byte[] {(byte) status});
        return written + 1;
    }

    /** OK if {@code bytes} is whole sectors that lie on the disk from {@code sector}. */
    private int transferable(long sector, long bytes) {
        return bytes % DiskImage.SECTOR == 0 && disk.inRange(sector, bytes / DiskImage.SECTOR) ? S_OK : S_IOERR;
    }

    /**
     * DISCARD and WRITE_ZEROES: a list of {sector, num_sectors, flags} segments. Every segment is
     * checked before any is applied, so a bad one leaves the disk untouched.
     */
    private int zeroRanges(GuestRam ram, DescriptorChain chain, long dataOut, long feature, boolean discard)
            throws IOException {
        if ((features & feature) == 0) {
            return S_UNSUPP;
        }
        if (disk.readOnly()) {
            return S_IOERR;
        }
        if (dataOut == 0 || dataOut % SEGMENT != 0 || dataOut / SEGMENT > MAX_ZERO_SEGMENTS) {
            return S_IOERR;
        }
        int count = (int) (dataOut / SEGMENT);
        ByteBuffer segments = ByteBuffer.wrap(GuestMemoryIo.copyOut(ram, chain.readable(), HEADER, count * SEGMENT))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            long sector = segments.getLong(i * SEGMENT);
            long sectors = segments.getInt(i * SEGMENT + 8) & 0xffff_ffffL;
            int flags = segments.getInt(i * SEGMENT + 12);
            if ((flags & ~ZERO_FLAG_UNMAP) != 0 || (discard && flags != 0)) {
                return S_UNSUPP; // unknown flags, or unmap on discard (spec 5.2.6.2)
            }
            if (sectors > MAX_ZERO_SECTORS || !disk.inRange(sector, sectors)) {
                return S_IOERR;
            }
        }
        for (int i = 0; i < count; i++) {
            disk.zero(segments.getLong(i * SEGMENT), segments.getInt(i * SEGMENT + 8) & 0xffff_ffffL);
        }
        return S_OK;
    }

    /** Only the capacity: a restored VM must find the disk it had, of the same size. */
    @Override
    public void saveState(StateWriter out) {
        out.putLong(disk.sectors());
    }

    @Override
    public void loadState(StateReader in) throws StateException {
        long sectors = in.getLong();
        in.expectEnd();
        if (sectors != disk.sectors()) {
            throw in.bad("disk " + disk.file() + " has " + disk.sectors() + " sectors, the snapshot's disk had "
                    + sectors);
        }
    }
}
