package dev.nucleo.virtio;

import dev.nucleo.machine.GuestRam;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * The loop a simple device runs on its worker for one queue: take a chain, serve it, return it,
 * interrupt the driver if it wants that; until the queue is empty or the device stops. A bad
 * chain, or any exception while serving, puts the device into DEVICE_NEEDS_RESET instead of
 * escaping to the worker.
 */
final class ChainServer {
    /** Serves one chain; returns the bytes written into its writable buffers. */
    @FunctionalInterface
    interface Handler {
        long serve(GuestRam ram, DescriptorChain chain) throws BadChainException;
    }

    private ChainServer() {
    }

    /** Returns false when the device had to stop (bad chain or internal error). */
    static boolean drain(VirtioDeviceContext ctx, int queueIndex, Handler handler) {
        Lock lock = ctx.queueLock();
        while (true) {
            lock.lock();
            try {
                if (!ctx.running()) {
                    return true;
                }
                SplitVirtqueue queue = ctx.queue(queueIndex);
                Optional<DescriptorChain> chain = queue.next();
                if (chain.isEmpty()) {
                    return true;
                }
                long written = handler.serve(ctx.ram(), chain.get());
                queue.addUsed(chain.get().head(), written);
                ctx.usedBuffers(queueIndex);
            } catch (BadChainException e) {
                ctx.deviceError(e.getMessage());
                return false;
            } catch (RuntimeException e) {
                // e.g. guest RAM freed while the VM closes; never let it reach the host
                ctx.deviceError("internal error: " + e);
                return false;
            } finally {
                lock.unlock();
            }
        }
    }
}
