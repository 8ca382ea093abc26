package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The device side of one split virtqueue (virtio 1.x, 2.7): a descriptor table, the driver's
 * available ring and the device's used ring, all in guest RAM.
 *
 * <p>The transport sets the queue up ({@link #setSize}, the three ring addresses,
 * {@link #enable}); the device's worker then takes chains with {@link #next} and returns
 * them with {@link #addUsed}, and asks {@link #needsInterrupt} whether to tell the driver.
 * Every value read from guest memory is checked before use; a violation is a
 * {@link BadChainException}. Device-side methods must be called by one thread at a time
 * (the transport's queue lock).
 */
public final class SplitVirtqueue {
    /** The largest queue size the specification allows for split rings. */
    public static final int MAX_SIZE = 32768;

    static final int DESC_SIZE = 16;
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;

    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final GuestRam ram;
    private final int maxSize;

    // Set up by the transport (hart thread); read by the worker after enable().
    private volatile int size;
    private volatile long descAddr;
    private volatile long driverAddr;
    private volatile long deviceAddr;
    private volatile boolean ready;
    private volatile boolean indirect;
    private volatile boolean eventIdx;

    // Device progress; only the worker (under the queue lock) touches these.
    private int lastAvail;
    private int usedIdx;
    private int usedAtLastCheck;

    public SplitVirtqueue(GuestRam ram, int maxSize) {
        if (maxSize < 1 || maxSize > MAX_SIZE || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("queue size maximum must be a power of 2 up to 32768, got " + maxSize);
        }
        this.ram = ram;
        this.maxSize = maxSize;
    }

    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    public boolean isReady() {
        return ready;
    }

    /** Whether {@code n} is a legal size for this queue: a power of 2, 1..maxSize. */
    public boolean isValidSize(long n) {
        return n >= 1 && n <= maxSize && Long.bitCount(n) == 1;
    }

    /** Sets the size the driver chose; false (and no change) if it is not legal. */
    public boolean setSize(long n) {
        if (!isValidSize(n)) {
            return false;
        }
        size = (int) n;
        return true;
    }

    public long descAddr() {
        return descAddr;
    }

    public long driverAddr() {
        return driverAddr;
    }

    public long deviceAddr() {
        return deviceAddr;
    }

    public void setDescAddr(long address) {
        descAddr = address;
    }

    public void setDriverAddr(long address) {
        driverAddr = address;
    }

    public void setDeviceAddr(long address) {
        deviceAddr = address;
    }

    /**
     * Why the configured rings cannot be used (size unset, misaligned, not inside RAM), or
     * empty when they can.
     */
    public Optional<String> ringProblem() {
        int n = size;
        if (!isValidSize(n)) {
            return Optional.of("queue size " + n + " is not a power of 2 in 1.." + maxSize);
        }
        if (descAddr % 16 != 0 || driverAddr % 2 != 0 || deviceAddr % 4 != 0) {
            return Optional.of(String.format("misaligned rings: desc 0x%x avail 0x%x used 0x%x",
                    descAddr, driverAddr, deviceAddr));
        }
        // Sizes with the event-index words; checking them always costs nothing and is safer.
        if (!ram.contains(descAddr, (long) DESC_SIZE * n)
                || !ram.contains(driverAddr, 6 + 2L * n)
                || !ram.contains(deviceAddr, 6 + 8L * n)) {
            return Optional.of(String.format("rings outside RAM: desc 0x%x avail 0x%x used 0x%x (size %d)",
                    descAddr, driverAddr, deviceAddr, n));
        }
        return Optional.empty();
    }

    /**
     * Starts the queue with the negotiated ring features. The caller has checked
     * {@link #ringProblem()}. The rings start at index 0, as the driver zeroed them.
     */
    public void enable(long negotiatedFeatures) {
        indirect = (negotiatedFeatures & Virtio.F_RING_INDIRECT_DESC) != 0;
        eventIdx = (negotiatedFeatures & Virtio.F_RING_EVENT_IDX) != 0;
        lastAvail = 0;
        usedIdx = 0;
        usedAtLastCheck = 0;
        ready = true;
    }

    /** The driver turned the queue off: no more chains are taken. */
    public void disable() {
        ready = false;
    }

    /** Back to the state after device reset. */
    public void reset() {
        ready = false;
        size = 0;
        descAddr = 0;
        driverAddr = 0;
        deviceAddr = 0;
        indirect = false;
        eventIdx = false;
        lastAvail = 0;
        usedIdx = 0;
        usedAtLastCheck = 0;
    }

    /**
     * The next available chain, or empty when the driver has offered nothing new.
     *
     * @throws BadChainException if the available ring or the chain breaks the rules
     */
    public Optional<DescriptorChain> next() throws BadChainException {
        if (!ready) {
            return Optional.empty();
        }
        int n = size;
        int availIdx = availIdx();
        if (availIdx == lastAvail && eventIdx) {
            // Ask for a kick at the next buffer, then look again: the driver may have added
            // one after our first read but before it saw avail_event (spec 2.7.10).
            writeU16(deviceAddr + 4 + 8L * n, lastAvail);
            VarHandle.fullFence();
            availIdx = availIdx();
        }
        if (availIdx == lastAvail) {
            return Optional.empty();
        }
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending > n) {
            throw new BadChainException("available index moved by " + pending + " in a queue of " + n);
        }
        int head = readU16(driverAddr + 4 + 2L * (lastAvail % n));
        lastAvail = (lastAvail + 1) & 0xffff;
        if (eventIdx) {
            writeU16(deviceAddr + 4 + 8L * n, lastAvail);
        }
        return Optional.of(readChain(head, n));
    }

    private int availIdx() {
        int idx = readU16(driverAddr + 2);
        VarHandle.acquireFence(); // ring entries and descriptors are read after the index
        return idx;
    }

    private DescriptorChain readChain(int head, int n) throws BadChainException {
        List<GuestBuffer> readable = new ArrayList<>();
        List<GuestBuffer> writable = new ArrayList<>();
        long table = descAddr;
        int tableSize = n;
        boolean inIndirect = false;
        int index = head;
        int visited = 0;
        while (true) {
            if (index >= tableSize) {
                throw new BadChainException("descriptor index " + index + " outside a table of " + tableSize);
            }
            // A chain can hold each descriptor of its table once; more means a loop.
            if (++visited > tableSize) {
                throw new BadChainException("descriptor chain from " + head + " longer than its table (a loop)");
            }
            long d = table + (long) DESC_SIZE * index;
            long addr = readU64(d);
            long len = readU32(d + 8);
            int flags = readU16(d + 12);
            int next = readU16(d + 14);
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (inIndirect) {
                    throw new BadChainException("indirect descriptor inside an indirect table");
                }
                if (!indirect) {
                    throw new BadChainException("indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC");
                }
                if ((flags & DESC_F_NEXT) != 0) {
                    throw new BadChainException("indirect descriptor with NEXT set");
                }
                if (len == 0 || len % DESC_SIZE != 0 || len / DESC_SIZE > MAX_SIZE) {
                    throw new BadChainException("indirect table of " + len + " bytes");
                }
                if (!ram.contains(addr, len)) {
                    throw new BadChainException(String.format("indirect table at 0x%x (%d bytes) outside RAM", addr, len));
                }
                table = addr;
                tableSize = (int) (len / DESC_SIZE);
                inIndirect = true;
                index = 0;
                visited = 0;
                continue;
            }
            if (!ram.contains(addr, len)) {
                throw new BadChainException(String.format("buffer at 0x%x of %d bytes outside RAM", addr, len));
            }
            if ((flags & DESC_F_WRITE) != 0) {
                writable.add(new GuestBuffer(addr, len));
            } else if (!writable.isEmpty()) {
                throw new BadChainException("device-readable descriptor after a device-writable one");
            } else {
                readable.add(new GuestBuffer(addr, len));
            }
            if ((flags & DESC_F_NEXT) == 0) {
                return new DescriptorChain(head, readable, writable);
            }
            index = next;
        }
    }

    /** Puts a finished chain in the used ring; {@code written} bytes went into its writable buffers. */
    public void addUsed(int head, long written) {
        int n = size;
        long element = deviceAddr + 4 + 8L * (usedIdx % n);
        writeU32(element, head);
        writeU32(element + 4, (int) Math.min(written, 0xffff_ffffL));
        usedIdx = (usedIdx + 1) & 0xffff;
        VarHandle.releaseFence(); // the element is visible before the index that publishes it
        writeU16(deviceAddr + 2, usedIdx);
    }

    /**
     * Whether the driver wants an interrupt for what was added to the used ring since the
     * last call: with event index, when used_event was crossed; else unless it set NO_INTERRUPT.
     */
    public boolean needsInterrupt() {
        if (!ready) {
            return false;
        }
        VarHandle.fullFence(); // our used index store before the driver's suppression fields
        int old = usedAtLastCheck;
        int now = usedIdx;
        usedAtLastCheck = now;
        if (old == now) {
            return false;
        }
        if (eventIdx) {
            int usedEvent = readU16(driverAddr + 4 + 2L * size);
            return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
        }
        return (readU16(driverAddr) & AVAIL_F_NO_INTERRUPT) == 0;
    }

    private MemorySegment mem() {
        return ram.segment();
    }

    private int readU16(long addr) {
        return mem().get(U16, addr - ram.base()) & 0xffff;
    }

    private long readU32(long addr) {
        return mem().get(U32, addr - ram.base()) & 0xffff_ffffL;
    }

    private long readU64(long addr) {
        return mem().get(U64, addr - ram.base());
    }

    private void writeU16(long addr, int value) {
        mem().set(U16, addr - ram.base(), (short) value);
    }

    private void writeU32(long addr, int value) {
        mem().set(U32, addr - ram.base(), value);
    }

    /**
     * Saves the driver's set-up and the device's progress. {@code heldChains} chains the device
     * took from the ring but has not returned (e.g. a receive buffer waiting for a frame) are
     * given back: the saved position is before them, so the restored device takes them again.
     * Call with the queue lock held.
     */
    void save(StateWriter out, int heldChains) {
        out.putInt(size).putLong(descAddr).putLong(driverAddr).putLong(deviceAddr);
        out.putBoolean(ready).putBoolean(indirect).putBoolean(eventIdx);
        out.putInt((lastAvail - heldChains) & 0xffff).putInt(usedIdx).putInt(usedAtLastCheck);
    }

    /** Loads what {@link #save} wrote; a ready queue must have usable rings in this RAM. */
    void load(StateReader in) throws StateException {
        int newSize = in.getInt(0, maxSize, "queue size");
        long desc = in.getLong();
        long driver = in.getLong();
        long device = in.getLong();
        boolean newReady = in.getBoolean();
        boolean newIndirect = in.getBoolean();
        boolean newEventIdx = in.getBoolean();
        int newLastAvail = in.getInt(0, 0xffff, "last available index");
        int newUsedIdx = in.getInt(0, 0xffff, "used index");
        int newUsedAtLastCheck = in.getInt(0, 0xffff, "used index at last interrupt check");
        size = newSize;
        descAddr = desc;
        driverAddr = driver;
        deviceAddr = device;
        if (newReady && ringProblem().isPresent()) {
            throw in.bad(ringProblem().get());
        }
        indirect = newIndirect;
        eventIdx = newEventIdx;
        lastAvail = newLastAvail;
        usedIdx = newUsedIdx;
        usedAtLastCheck = newUsedAtLastCheck;
        ready = newReady;
    }
}
