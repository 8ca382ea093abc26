package dev.nucleo.virtio;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * A virtio console (virtio 1.x, 5.3) with one port, port 0, which Linux makes {@code hvc0}:
 * no MULTIPORT, no size or emergency write. Queue 0 (receiveq) carries host input to the guest,
 * queue 1 (transmitq) the guest's output to the {@link ConsoleHost}.
 *
 * <p>Transmitted chains are copied out and returned at once (Linux spins until they are), then
 * written to the host outside the queue lock, so a slow host reader never holds up a reset. At
 * most {@value #MAX_TX_BYTES} bytes of one chain are taken; a longer chain is absurd for a
 * console and its excess is dropped. Host input waits, one chunk at a time, until the guest
 * posts receive buffers; a receive chain with no writable buffer is a broken chain.
 */
public final class VirtioConsole implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(VirtioConsole.class.getName());

    public static final int DEVICE_ID = 3;
    public static final int QUEUE_SIZE = 128;
    public static final int RECEIVE_QUEUE = 0;
    public static final int TRANSMIT_QUEUE = 1;
    static final int MAX_TX_BYTES = 64 << 10;
    /** struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr; all zero here. */
    private static final int CONFIG_SIZE = 12;

    private final ConsoleHost host;
    private final DeviceWorker worker;
    private final Object inputLock = new Object();
    private volatile VirtioDeviceContext context;
    private byte[] input; // guarded by inputLock: host bytes not yet given to the guest
    private int inputAt;
    private boolean closed;

    /** @param host the host side; started here and closed with the device */
    public VirtioConsole(ConsoleHost host) {
        this.host = host;
        this.worker = new DeviceWorker("virtio-console", this::drain);
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return Virtio.F_RING_INDIRECT_DESC | Virtio.F_RING_EVENT_IDX;
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
        return 0; // no F_SIZE, no MULTIPORT: the fields are not in use
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // emerg_wr is only for VIRTIO_CONSOLE_F_EMERG_WRITE, which is not offered
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
        host.start(this::deliver);
    }

    @Override
    public void activate(long negotiatedFeatures) {
        worker.kick(); // input may be waiting
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick();
    }

    @Override
    public void reset() {
        // Pending host input stays: it goes to the driver once it is back.
    }

    @Override
    public void close() {
        synchronized (inputLock) {
            closed = true;
            inputLock.notifyAll();
        }
        host.close();
        worker.close();
    }

    /** Host input: waits until the previous chunk has gone to the guest, then queues this one. */
    boolean deliver(byte[] data) throws InterruptedException {
        synchronized (inputLock) {
            while (input != null && !closed) {
                inputLock.wait();
            }
            if (closed) {
                return false;
            }
            input = data;
            inputAt = 0;
        }
        worker.kick();
        return true;
    }

    private void drain() {
        VirtioDeviceContext ctx = context;
        while (true) {
            List<byte[]> output = new ArrayList<>();
            boolean ok = takeOutput(ctx, output) && giveInput(ctx);
            for (byte[] chunk : output) {
                try {
                    host.write(chunk);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "console output dropped: " + e.getMessage());
                }
            }
            if (!ok || output.isEmpty()) {
                return;
            }
            // the guest may have transmitted more while we wrote
        }
    }

    /** Copies out and returns up to one queue's worth of transmitted chains. */
    private boolean takeOutput(VirtioDeviceContext ctx, List<byte[]> output) {
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            SplitVirtqueue queue = ctx.queue(TRANSMIT_QUEUE);
            for (int i = 0; i < QUEUE_SIZE && ctx.running(); i++) {
                Optional<DescriptorChain> chain = queue.next();
                if (chain.isEmpty()) {
                    break;
                }
                int n = (int) Math.min(chain.get().readableLength(), MAX_TX_BYTES);
                if (n > 0) {
                    output.add(GuestMemoryIo.copyOut(ctx.ram(), chain.get().readable(), 0, n));
                }
                queue.addUsed(chain.get().head(), 0);
                ctx.usedBuffers(TRANSMIT_QUEUE);
            }
            return true;
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
            return false;
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Puts pending host input into receive buffers while both are there. */
    private boolean giveInput(VirtioDeviceContext ctx) {
        Lock lock = ctx.queueLock();
        lock.lock();
        try {
            SplitVirtqueue queue = ctx.queue(RECEIVE_QUEUE);
            while (ctx.running()) {
                byte[] data;
                int at;
                synchronized (inputLock) {
                    data = input;
                    at = inputAt;
                }
                if (data == null) {
                    return true;
                }
                Optional<DescriptorChain> chain = queue.next();
                if (chain.isEmpty()) {
                    return true;
                }
                if (chain.get().writableLength() == 0) {
                    throw new BadChainException("console receive buffer is not device-writable");
                }
                int n = (int) Math.min(chain.get().writableLength(), data.length - at);
                byte[] piece = at == 0 && n == data.length ? data : Arrays.copyOfRange(data, at, at + n);
                GuestMemoryIo.copyIn(ctx.ram(), chain.get().writable(), 0, piece);
                queue.addUsed(chain.get().head(), n);
                ctx.usedBuffers(RECEIVE_QUEUE);
                synchronized (inputLock) {
                    inputAt = at + n;
                    if (inputAt == data.length) {
                        input = null;
                        inputLock.notifyAll();
                    }
                }
            }
            return true;
        } catch (BadChainException e) {
            ctx.deviceError(e.getMessage());
            return false;
        } catch (RuntimeException e) {
            ctx.deviceError("internal error: " + e);
            return false;
        } finally {
            lock.unlock();
        }
    }
}
