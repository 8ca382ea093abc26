package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * A virtio memory balloon (virtio 1.x, 5.5): the host sets how many pages the guest should
 * give up ({@link #setTargetBytes}); the driver inflates by sending their page frame numbers on
 * queue 0, and the host really releases them ({@link GuestRam#discard}); it takes pages back
 * through queue 1 (deflate), and reports memory statistics on queue 2.
 *
 * <p>Every PFN of a request is checked to lie inside RAM before any page is released; a PFN
 * outside RAM, a request that is not whole 32-bit PFNs, longer than {@value #MAX_PFNS_PER_REQUEST}
 * PFNs, or with device-writable buffers is a broken chain (DEVICE_NEEDS_RESET).
 *
 * <p>Statistics follow the specification's protocol: the device keeps the driver's stats
 * buffer until the host wants fresh numbers ({@link #requestStats}), then returns it and the
 * driver sends it again refilled.
 */
public final class VirtioBalloon implements VirtioDevice {
    public static final int DEVICE_ID = 5;
    public static final int QUEUE_SIZE = 128;
    public static final int INFLATE_QUEUE = 0;
    public static final int DEFLATE_QUEUE = 1;
    public static final int STATS_QUEUE = 2;
    public static final long F_STATS_VQ = 1L << 1;
    public static final long F_DEFLATE_ON_OOM = 1L << 2;
    public static final long PAGE = 4096; // balloon PFNs are always 4 KiB units (VIRTIO_BALLOON_PFN_SHIFT)
    static final int MAX_PFNS_PER_REQUEST = 4096;
    private static final int STAT_SIZE = 10; // le16 tag, le64 value
    private static final int MAX_STATS = 64;
    private static final int CONFIG_SIZE = 8; // le32 num_pages, le32 actual

    private final DeviceWorker worker = new DeviceWorker("virtio-balloon", this::drain);
    private volatile VirtioDeviceContext context;
    private volatile int targetPages; // num_pages, set by the host
    private volatile int actualPages; // actual, written by the driver
    private volatile BalloonStats stats = BalloonStats.NONE;
    private volatile long releasedPages;
    private int heldStatsHead = -1; // guarded by the queue lock

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return F_STATS_VQ | F_DEFLATE_ON_OOM;
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
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(int offset, int size) {
        long both = (targetPages & 0xffff_ffffL) | ((actualPages & 0xffff_ffffL) << 32);
        return ConfigSpace.read(both, offset, size);
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        if (offset == 4 && size == 4) {
            actualPages = (int) value; // the driver reports how many pages it has given
        }
        // num_pages is the host's; other widths and offsets are ignored
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
    }

    @Override
    public void activate(long negotiatedFeatures) {
        // the queues that exist are served; stats is simply never set up without F_STATS_VQ
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick();
    }

    @Override
    public void reset() {
        actualPages = 0; // a new driver starts with an empty balloon; the host's target stays
        heldStatsHead = -1;
    }

    @Override
    public void close() {
        worker.close();
    }

    /**
     * Asks the guest to give {@code bytes} of its RAM to the balloon (rounded down to pages,
     * at most all of RAM); 0 lets it take everything back.
     */
    public void setTargetBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("balloon target must not be negative: " + bytes);
        }
        VirtioDeviceContext ctx = context;
        long ramPages = ctx.ram().size() / PAGE;
        targetPages = (int) Math.min(Math.min(bytes / PAGE, ramPages), 0xffff_ffffL);
        ctx.configChanged();
    }

    /** What the host asked the balloon to hold, in bytes. */
    public long targetBytes() {
        return (targetPages & 0xffff_ffffL) * PAGE;
    }

    /** What the driver says the balloon holds, in bytes. */
    public long actualBytes() {
        return (actualPages & 0xffff_ffffL) * PAGE;
    }

    /** Bytes of guest RAM released to the host on inflation since the device was created. */
    public long releasedBytes() {
        return releasedPages * PAGE;
    }

    /** The statistics the driver last reported. */
    public BalloonStats stats() {
        return stats;
    }

    /**
     * Returns the driver's stats buffer so it sends fresh statistics; {@link #stats()} shows
     * them once {@link BalloonStats#updates()} has moved. Returns false if the driver holds no
     * buffer here (no stats queue, or a request already outstanding).
     */
    public boolean requestStats() {
        VirtioDeviceContext ctx = context;
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            if (heldStatsHead < 0 || !ctx.running()) {
                return false;
            }
            ctx.queue(STATS_QUEUE).addUsed(heldStatsHead, 0);
            heldStatsHead = -1;
            ctx.usedBuffers(STATS_QUEUE);
            return true;
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        VirtioDeviceContext ctx = context;
        boolean ok = ChainServer.drain(ctx, INFLATE_QUEUE, (ram, chain) -> inflate(ram, chain))
                && ChainServer.drain(ctx, DEFLATE_QUEUE, (ram, chain) -> {
                    pfns(ram, chain); // checked, nothing to do: a released page comes back zeroed on use
                    return 0;
                });
        if (ok) {
            takeStats(ctx);
        }
    }

    private long inflate(GuestRam ram, DescriptorChain chain) throws BadChainException {
        int[] pfns = pfns(ram, chain);
        Arrays.sort(pfns); // signed order is fine: RAM below 8 TiB has PFNs below 2^31
        int i = 0;
        while (i < pfns.length) { // one discard per run of consecutive pages
            int j = i + 1;
            while (j < pfns.length && pfns[j] == pfns[j - 1] + 1) {
                j++;
            }
            ram.discard((pfns[i] & 0xffff_ffffL) * PAGE, (j - i) * PAGE);
            i = j;
        }
        releasedPages += pfns.length;
        return 0;
    }

    /** The request's PFNs, every one checked to name a page inside RAM. */
    private static int[] pfns(GuestRam ram, DescriptorChain chain) throws BadChainException {
        long bytes = chain.readableLength();
        if (!chain.writable().isEmpty()) {
            throw new BadChainException("balloon PFN list has device-writable buffers");
        }
        if (bytes % 4 != 0 || bytes / 4 > MAX_PFNS_PER_REQUEST) {
            throw new BadChainException("balloon PFN list of " + bytes + " bytes");
        }
        ByteBuffer list = ByteBuffer.wrap(GuestMemoryIo.copyOut(ram, chain.readable(), 0, (int) bytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        int[] pfns = new int[(int) (bytes / 4)];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = list.getInt(4 * i);
            if (!ram.contains((pfns[i] & 0xffff_ffffL) * PAGE, PAGE)) {
                throw new BadChainException(String.format("balloon PFN 0x%x is outside guest RAM", pfns[i]));
            }
        }
        return pfns;
    }

    /** Reads a stats buffer the driver sent and keeps it until the host asks again. */
    private void takeStats(VirtioDeviceContext ctx) {
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            if (!ctx.running() || heldStatsHead >= 0) {
                return; // the driver sends one buffer at a time; it is still ours
            }
            Optional<DescriptorChain> chain = ctx.queue(STATS_QUEUE).next();
            if (chain.isEmpty()) {
                return;
            }
            if (!chain.get().writable().isEmpty()) {
                throw new BadChainException("balloon stats buffer is device-writable");
            }
            int count = (int) Math.min(chain.get().readableLength() / STAT_SIZE, MAX_STATS);
            ByteBuffer raw = ByteBuffer.wrap(GuestMemoryIo.copyOut(ctx.ram(), chain.get().readable(), 0,
                    count * STAT_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Long> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                values.put(BalloonStats.name(raw.getShort(i * STAT_SIZE) & 0xffff), raw.getLong(i * STAT_SIZE + 2));
            }
            stats = new BalloonStats(values, stats.updates() + 1);
            heldStatsHead = chain.get().head();
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
        } finally {
            lock.unlock();
        }
    }

    /** The host's target and the driver's actual size; a held stats buffer goes back to its ring. */
    @Override
    public void saveState(StateWriter out) {
        out.putInt(targetPages).putInt(actualPages);
    }

    @Override
    public void loadState(StateReader in) throws StateException {
        int target = in.getInt();
        int actual = in.getInt();
        in.expectEnd();
        targetPages = target;
        actualPages = actual;
        heldStatsHead = -1;
    }

    @Override
    public int heldChains(int queue) {
        return queue == STATS_QUEUE && heldStatsHead >= 0 ? 1 : 0;
    }
}
