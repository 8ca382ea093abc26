package dev.nucleo.virtio;

import dev.nucleo.machine.GuestRam;
import java.security.SecureRandom;

/**
 * A virtio entropy device (virtio 1.x, 5.4): fills every device-writable buffer the driver
 * offers with bytes from the host's {@link SecureRandom}, on the device's own thread.
 *
 * <p>One request is filled with at most {@value #MAX_BYTES_PER_REQUEST} bytes, so a guest
 * offering gigabytes costs the host no more than that per chain. A chain with no writable
 * buffer (only device-readable ones: the wrong direction) is returned with nothing written.
 */
public final class VirtioRng implements VirtioDevice {
    public static final int DEVICE_ID = 4;
    public static final int QUEUE_SIZE = 64;
    public static final int MAX_BYTES_PER_REQUEST = 64 << 10;

    private final SecureRandom random = new SecureRandom();
    private final DeviceWorker worker = new DeviceWorker("virtio-rng", this::drain);
    private volatile VirtioDeviceContext context;

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
        return 1;
    }

    @Override
    public int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    public int configSize() {
        return 0; // the entropy device has no configuration space
    }

    @Override
    public long readConfig(int offset, int size) {
        return 0;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // nothing to configure
    }

    @Override
    public void attach(VirtioDeviceContext context) {
        this.context = context;
    }

    @Override
    public void activate(long negotiatedFeatures) {
        // no device features
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick();
    }

    @Override
    public void reset() {
        // stateless between requests
    }

    @Override
    public void close() {
        worker.close();
    }

    private void drain() {
        ChainServer.drain(context, 0, this::fill);
    }

    private long fill(GuestRam ram, DescriptorChain chain) {
        int n = (int) Math.min(chain.writableLength(), MAX_BYTES_PER_REQUEST);
        if (n == 0) {
            return 0;
        }
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        GuestMemoryIo.copyIn(ram, chain.writable(), 0, bytes);
        return n;
    }
}
