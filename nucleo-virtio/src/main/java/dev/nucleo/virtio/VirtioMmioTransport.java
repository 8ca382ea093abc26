package dev.nucleo.virtio;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import dev.nucleo.machine.GuestRam;
import dev.nucleo.machine.IrqLine;
import dev.nucleo.machine.MmioDevice;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The virtio-mmio transport, version 2 (virtio 1.x, 4.2.2): the register file a driver uses
 * to discover a device, negotiate features, set up queues and notify them, and the
 * interrupt that tells it about used buffers and configuration changes.
 *
 * <p>The guest is hostile. A write that breaks the device initialisation rules (queue setup
 * before FEATURES_OK or after DRIVER_OK, on a queue already live, a bad queue size, rings
 * outside RAM, DRIVER_OK without FEATURES_OK) puts the device into DEVICE_NEEDS_RESET; writes
 * to read-only or unknown registers and accesses of the wrong width are ignored. Nothing here
 * throws at the guest.
 *
 * <p>Locks, always taken in this order: the transport's monitor (register accesses, hart
 * threads), the queue lock (held by the device's worker while it serves a request), the
 * interrupt lock (interrupt status and the IRQ line level).
 */
public final class VirtioMmioTransport implements MmioDevice, dev.nucleo.state.Snapshottable, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VirtioMmioTransport.class.getName());

    public static final int MAGIC = 0x7472_6976; // "virt"
    public static final int VERSION = 2;
    public static final int VENDOR_ID = 0x4f45_4c43; // "CLEO", little-endian
    public static final long CONFIG_OFFSET = 0x100;

    static final int REG_MAGIC = 0x000;
    static final int REG_VERSION = 0x004;
    static final int REG_DEVICE_ID = 0x008;
    static final int REG_VENDOR_ID = 0x00c;
    static final int REG_DEVICE_FEATURES = 0x010;
    static final int REG_DEVICE_FEATURES_SEL = 0x014;
    static final int REG_DRIVER_FEATURES = 0x020;
    static final int REG_DRIVER_FEATURES_SEL = 0x024;
    static final int REG_QUEUE_SEL = 0x030;
    static final int REG_QUEUE_NUM_MAX = 0x034;
    static final int REG_QUEUE_NUM = 0x038;
    static final int REG_QUEUE_READY = 0x044;
    static final int REG_QUEUE_NOTIFY = 0x050;
    static final int REG_INTERRUPT_STATUS = 0x060;
    static final int REG_INTERRUPT_ACK = 0x064;
    static final int REG_STATUS = 0x070;
    static final int REG_QUEUE_DESC_LOW = 0x080;
    static final int REG_QUEUE_DESC_HIGH = 0x084;
    static final int REG_QUEUE_DRIVER_LOW = 0x090;
    static final int REG_QUEUE_DRIVER_HIGH = 0x094;
    static final int REG_QUEUE_DEVICE_LOW = 0x0a0;
    static final int REG_QUEUE_DEVICE_HIGH = 0x0a4;
    static final int REG_CONFIG_GENERATION = 0x0fc;

    private final VirtioDevice device;
    private final GuestRam ram;
    private final IrqLine irq;
    private final SplitVirtqueue[] queues;
    private final long offeredFeatures;
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Object irqLock = new Object();

    private volatile int status;
    /** While the VM is paused the worker starts no new request (see {@link #suspend}). */
    private volatile boolean suspended;
    private volatile boolean needsReset;
    private volatile int configGeneration;
    private int interruptStatus; // guarded by irqLock
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private long negotiatedFeatures;
    private int queueSel;

    /**
     * @param device the device behind this transport; it is {@linkplain VirtioDevice#attach attached} here
     * @param ram    the guest RAM its queues live in
     * @param irq    the device's interrupt wire
     */
    public VirtioMmioTransport(VirtioDevice device, GuestRam ram, IrqLine irq) {
        this.device = Objects.requireNonNull(device, "device");
        this.ram = Objects.requireNonNull(ram, "ram");
        this.irq = Objects.requireNonNull(irq, "irq");
        this.queues = new SplitVirtqueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new SplitVirtqueue(ram, device.queueMaxSize(i));
        }
        this.offeredFeatures = device.features() | Virtio.F_VERSION_1;
        device.attach(new Context());
    }

    public VirtioDevice device() {
        return device;
    }

    /** The device status as the driver reads it. */
    public int status() {
        return status | (needsReset ? Virtio.STATUS_DEVICE_NEEDS_RESET : 0);
    }

    public long negotiatedFeatures() {
        return negotiatedFeatures;
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset >= CONFIG_OFFSET) {
            long configOffset = offset - CONFIG_OFFSET;
            if (size > 8 || configOffset + size > device.configSize()) {
                return 0;
            }
            return device.readConfig((int) configOffset, size);
        }
        if (size != 4 || offset % 4 != 0) {
            return 0;
        }
        return switch ((int) offset) {
            case REG_MAGIC -> MAGIC;
            case REG_VERSION -> VERSION;
            case REG_DEVICE_ID -> device.deviceId();
            case REG_VENDOR_ID -> VENDOR_ID;
            case REG_DEVICE_FEATURES -> switch (deviceFeaturesSel) {
                case 0 -> offeredFeatures & 0xffff_ffffL;
                case 1 -> offeredFeatures >>> 32;
                default -> 0;
            };
            case REG_QUEUE_NUM_MAX -> selectedQueue().map(SplitVirtqueue::maxSize).orElse(0);
            case REG_QUEUE_READY -> selectedQueue().map(q -> q.isReady() ? 1 : 0).orElse(0);
            case REG_INTERRUPT_STATUS -> {
                synchronized (irqLock) {
                    yield interruptStatus;
                }
            }
            case REG_STATUS -> status();
            case REG_QUEUE_DESC_LOW -> selectedQueue().map(q -> q.descAddr() & 0xffff_ffffL).orElse(0L);
            case REG_QUEUE_DESC_HIGH -> selectedQueue().map(q -> q.descAddr() >>> 32).orElse(0L);
            case REG_QUEUE_DRIVER_LOW -> selectedQueue().map(q -> q.driverAddr() & 0xffff_ffffL).orElse(0L);
            case REG_QUEUE_DRIVER_HIGH -> selectedQueue().map(q -> q.driverAddr() >>> 32).orElse(0L);
            case REG_QUEUE_DEVICE_LOW -> selectedQueue().map(q -> q.deviceAddr() & 0xffff_ffffL).orElse(0L);
            case REG_QUEUE_DEVICE_HIGH -> selectedQueue().map(q -> q.deviceAddr() >>> 32).orElse(0L);
            case REG_CONFIG_GENERATION -> configGeneration;
            default -> 0; // write-only and unknown registers
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset >= CONFIG_OFFSET) {
            long configOffset = offset - CONFIG_OFFSET;
            if (size <= 8 && configOffset + size <= device.configSize()) {
                device.writeConfig((int) configOffset, size, value);
            }
            return;
        }
        if (size != 4 || offset % 4 != 0) {
            return;
        }
        int v = (int) value;
        long u = value & 0xffff_ffffL;
        switch ((int) offset) {
            case REG_DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case REG_DRIVER_FEATURES -> writeDriverFeatures(u);
            case REG_DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case REG_QUEUE_SEL -> queueSel = v;
            case REG_QUEUE_NUM -> withQueueForSetup("QueueNum", q -> {
                if (!q.setSize(u)) {
                    fail("queue size " + u + " is not a power of 2 in 1.." + q.maxSize());
                }
            });
            case REG_QUEUE_READY -> writeQueueReady(v);
            case REG_QUEUE_NOTIFY -> notifyQueue(u);
            case REG_INTERRUPT_ACK -> acknowledge(v);
            case REG_STATUS -> writeStatus(v & 0xff);
            case REG_QUEUE_DESC_LOW -> withQueueForSetup("QueueDescLow", q -> q.setDescAddr(low(q.descAddr(), u)));
            case REG_QUEUE_DESC_HIGH -> withQueueForSetup("QueueDescHigh", q -> q.setDescAddr(high(q.descAddr(), u)));
            case REG_QUEUE_DRIVER_LOW ->
                    withQueueForSetup("QueueDriverLow", q -> q.setDriverAddr(low(q.driverAddr(), u)));
            case REG_QUEUE_DRIVER_HIGH ->
                    withQueueForSetup("QueueDriverHigh", q -> q.setDriverAddr(high(q.driverAddr(), u)));
            case REG_QUEUE_DEVICE_LOW ->
                    withQueueForSetup("QueueDeviceLow", q -> q.setDeviceAddr(low(q.deviceAddr(), u)));
            case REG_QUEUE_DEVICE_HIGH ->
                    withQueueForSetup("QueueDeviceHigh", q -> q.setDeviceAddr(high(q.deviceAddr(), u)));
            default -> {
                // read-only or unknown register: ignored
            }
        }
    }

    private static long low(long old, long u) {
        return (old & 0xffff_ffff_0000_0000L) | u;
    }

    private static long high(long old, long u) {
        return (old & 0xffff_ffffL) | (u << 32);
    }

    private Optional<SplitVirtqueue> selectedQueue() {
        return queueSel >= 0 && queueSel < queues.length ? Optional.of(queues[queueSel]) : Optional.empty();
    }

    private void writeDriverFeatures(long u) {
        if ((status & Virtio.STATUS_FEATURES_OK) != 0) {
            return; // features are fixed once FEATURES_OK is set
        }
        switch (driverFeaturesSel) {
            case 0 -> driverFeatures = (driverFeatures & 0xffff_ffff_0000_0000L) | u;
            case 1 -> driverFeatures = (driverFeatures & 0xffff_ffffL) | (u << 32);
            default -> {
                // no feature bits beyond 63
            }
        }
    }

    /** Queue set-up registers are legal only between FEATURES_OK and DRIVER_OK, on a queue not yet live. */
    private void withQueueForSetup(String register, java.util.function.Consumer<SplitVirtqueue> action) {
        Optional<SplitVirtqueue> queue = selectedQueue();
        if (queue.isEmpty()) {
            return; // no such queue: QueueNumMax reads 0, the driver knows
        }
        int s = status;
        if ((s & Virtio.STATUS_FEATURES_OK) == 0 || (s & Virtio.STATUS_DRIVER_OK) != 0) {
            fail(register + " written in device status 0x" + Integer.toHexString(s));
            return;
        }
        if (queue.get().isReady()) {
            fail(register + " written while queue " + queueSel + " is ready");
            return;
        }
        action.accept(queue.get());
    }

    private void writeQueueReady(int v) {
        Optional<SplitVirtqueue> queue = selectedQueue();
        if (queue.isEmpty()) {
            return;
        }
        if (v == 0) {
            // Drivers disable a queue while tearing down; always allowed.
            queueLock.lock();
            try {
                queue.get().disable();
            } finally {
                queueLock.unlock();
            }
            return;
        }
        withQueueForSetup("QueueReady", q -> {
            Optional<String> problem = q.ringProblem();
            if (problem.isPresent()) {
                fail("queue " + queueSel + ": " + problem.get());
                return;
            }
            queueLock.lock();
            try {
                q.enable(negotiatedFeatures);
            } finally {
                queueLock.unlock();
            }
        });
    }

    private void notifyQueue(long index) {
        if ((status & Virtio.STATUS_DRIVER_OK) == 0 || needsReset || index >= queues.length) {
            return;
        }
        if (queues[(int) index].isReady()) {
            device.queueNotify((int) index);
        }
    }

    private void acknowledge(int bits) {
        synchronized (irqLock) {
            interruptStatus &= ~bits;
            irq.set(interruptStatus != 0);
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int old = status;
        int requested = value & ~Virtio.STATUS_DEVICE_NEEDS_RESET; // that bit is the device's to set
        if ((requested & old) != old) {
            return; // only a reset clears status bits
        }
        int added = requested & ~old;
        if ((added & Virtio.STATUS_FEATURES_OK) != 0) {
            if ((driverFeatures & ~offeredFeatures) != 0 || (driverFeatures & Virtio.F_VERSION_1) == 0) {
                // Not accepted: FEATURES_OK does not stick, which is how the driver learns it (2.2.2).
                requested &= ~Virtio.STATUS_FEATURES_OK;
                added &= ~Virtio.STATUS_FEATURES_OK;
            } else {
                negotiatedFeatures = driverFeatures;
            }
        }
        if ((added & Virtio.STATUS_DRIVER_OK) != 0) {
            if ((requested & Virtio.STATUS_FEATURES_OK) == 0) {
                status = requested & ~Virtio.STATUS_DRIVER_OK;
                fail("DRIVER_OK without FEATURES_OK");
                return;
            }
            status = requested;
            device.activate(negotiatedFeatures);
            for (int i = 0; i < queues.length; i++) {
                if (queues[i].isReady()) {
                    device.queueNotify(i); // buffers may already be waiting
                }
            }
            return;
        }
        status = requested;
    }

    /** Device reset (status 0): waits for a request in progress, then forgets everything. */
    private void reset() {
        status = 0; // the worker sees this and starts no new request
        queueLock.lock();
        try {
            device.reset();
            for (SplitVirtqueue q : queues) {
                q.reset();
            }
            needsReset = false;
        } finally {
            queueLock.unlock();
        }
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        negotiatedFeatures = 0;
        queueSel = 0;
        synchronized (irqLock) {
            interruptStatus = 0;
            irq.set(false);
        }
    }

    private void fail(String reason) {
        if (!needsReset) {
            LOG.log(System.Logger.Level.WARNING, "virtio device {0}: {1}; device needs reset",
                    device.deviceId(), reason);
        }
        // The spec asks for a configuration-change notification only once the driver is live.
        // Under the interrupt lock, the status bit before the line: a driver that sees
        // DEVICE_NEEDS_RESET (from a worker thread's failure) also sees the interrupt cause,
        // and one woken by the line sees both.
        synchronized (irqLock) {
            boolean notify = (status & Virtio.STATUS_DRIVER_OK) != 0;
            if (notify) {
                interruptStatus |= Virtio.INTERRUPT_CONFIG_CHANGE;
            }
            needsReset = true;
            if (notify) {
                irq.set(true);
            }
        }
    }

    private void raise(int bits) {
        synchronized (irqLock) {
            interruptStatus |= bits;
            irq.set(true);
        }
    }

    /**
     * Stops the device from serving requests (the VM pauses): returns once no request is in
     * progress, so nothing writes guest RAM or the rings until {@link #unsuspend}. Idempotent.
     */
    public void suspend() {
        suspended = true;
        queueLock.lock();          // waits for the request in progress, if any
        queueLock.unlock();
    }

    /** Lets the device serve again, including buffers the driver queued meanwhile. */
    public void unsuspend() {
        if (!suspended) {
            return;
        }
        suspended = false;
        kickReadyQueues();
    }

    private void kickReadyQueues() {
        if ((status & Virtio.STATUS_DRIVER_OK) == 0 || needsReset) {
            return;
        }
        for (int i = 0; i < queues.length; i++) {
            if (queues[i].isReady()) {
                device.queueNotify(i);
            }
        }
    }

    /** Saves the registers, every queue and the device's own state; call while suspended. */
    @Override
    public synchronized void save(StateWriter out) {
        queueLock.lock();
        try {
            out.putInt(device.deviceId()).putLong(offeredFeatures).putInt(queues.length);
            out.putInt(status).putBoolean(needsReset).putInt(configGeneration);
            synchronized (irqLock) {
                out.putInt(interruptStatus);
            }
            out.putInt(deviceFeaturesSel).putInt(driverFeaturesSel).putLong(driverFeatures)
                    .putLong(negotiatedFeatures).putInt(queueSel);
            for (int i = 0; i < queues.length; i++) {
                queues[i].save(out, device.heldChains(i));
            }
            StateWriter deviceState = new StateWriter();
            device.saveState(deviceState);
            out.putBytes(deviceState.toByteArray());
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * Loads saved state into this freshly built transport (same device kind and features), then
     * activates the device if the driver had, and drives the interrupt line.
     */
    @Override
    public synchronized void load(StateReader in) throws StateException {
        int id = in.getInt();
        if (id != device.deviceId()) {
            throw in.bad("saved device id " + id + ", this slot holds device id " + device.deviceId());
        }
        long offered = in.getLong();
        if (offered != offeredFeatures) {
            throw in.bad(String.format("saved device offered features 0x%x, this one offers 0x%x",
                    offered, offeredFeatures));
        }
        in.getInt(queues.length, queues.length, "queue count");
        int newStatus = in.getInt(0, 0xff, "status");
        boolean newNeedsReset = in.getBoolean();
        int newGeneration = in.getInt();
        int newInterrupts = in.getInt(0, 3, "interrupt status");
        int newDeviceSel = in.getInt();
        int newDriverSel = in.getInt();
        long newDriverFeatures = in.getLong();
        long newNegotiated = in.getLong();
        if ((newNegotiated & ~offeredFeatures) != 0) {
            throw in.bad("negotiated features were never offered");
        }
        int newQueueSel = in.getInt();
        queueLock.lock();
        try {
            for (SplitVirtqueue q : queues) {
                q.load(in);
            }
            StateReader deviceState = new StateReader(in.component() + " device",
                    in.getBytes(Integer.MAX_VALUE - 16, "device state"));
            in.expectEnd();
            device.loadState(deviceState);
        } finally {
            queueLock.unlock();
        }
        status = newStatus & ~Virtio.STATUS_DEVICE_NEEDS_RESET;
        needsReset = newNeedsReset;
        configGeneration = newGeneration;
        deviceFeaturesSel = newDeviceSel;
        driverFeaturesSel = newDriverSel;
        driverFeatures = newDriverFeatures;
        negotiatedFeatures = newNegotiated;
        queueSel = newQueueSel;
        synchronized (irqLock) {
            interruptStatus = newInterrupts;
            irq.set(newInterrupts != 0);
        }
        if ((status & Virtio.STATUS_DRIVER_OK) != 0 && !needsReset) {
            device.activate(negotiatedFeatures);
            kickReadyQueues();
        }
    }

    /** Stops the device (its threads and host files). */
    @Override
    public void close() {
        device.close();
    }

    /** The device's view of this transport. */
    private final class Context implements VirtioDeviceContext {
        @Override
        public GuestRam ram() {
            return ram;
        }

        @Override
        public SplitVirtqueue queue(int index) {
            return queues[index];
        }

        @Override
        public Lock queueLock() {
            return queueLock;
        }

        @Override
        public boolean running() {
            return (status & Virtio.STATUS_DRIVER_OK) != 0 && !needsReset && !suspended;
        }

        @Override
        public void usedBuffers(int queue) {
            if (queues[queue].needsInterrupt()) {
                raise(Virtio.INTERRUPT_USED_BUFFER);
            }
        }

        @Override
        public void configChanged() {
            synchronized (irqLock) {
                configGeneration++; // host threads (a balloon target) may race here
            }
            if ((status & Virtio.STATUS_DRIVER_OK) != 0 && !needsReset) {
                raise(Virtio.INTERRUPT_CONFIG_CHANGE);
            }
        }

        @Override
        public void deviceError(String reason) {
            fail(reason);
        }
    }
}
