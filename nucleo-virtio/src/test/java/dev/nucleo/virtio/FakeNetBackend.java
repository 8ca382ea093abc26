package dev.nucleo.virtio;

import dev.nucleo.virtio.net.NetBackend;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A backend for device tests: records what the guest sends and injects frames for it. */
final class FakeNetBackend implements NetBackend {
    final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
    private volatile Consumer<byte[]> receiver;
    volatile boolean closed;

    @Override
    public void start(Consumer<byte[]> receiver) {
        this.receiver = receiver;
    }

    /** A frame from the "wire" for the guest. */
    void inject(byte[] frame) {
        receiver.accept(frame);
    }

    byte[] nextSent() throws InterruptedException {
        byte[] frame = sent.poll(10, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("the device sent no frame");
        }
        return frame;
    }

    @Override
    public void send(byte[] frame) {
        sent.add(frame);
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {
        closed = true;
    }
}
