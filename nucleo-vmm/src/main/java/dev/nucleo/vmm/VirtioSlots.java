package dev.nucleo.vmm;

import dev.nucleo.machine.VirtBoard;
import dev.nucleo.machine.VirtMemoryMap;
import dev.nucleo.virtio.VirtioDevice;
import dev.nucleo.virtio.VirtioMmioTransport;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out the board's virtio-mmio slots in order: each attached device gets the next free
 * slot, its transport, and its PLIC line; the device tree lists them from the board.
 */
final class VirtioSlots implements AutoCloseable {
    private final VirtBoard board;
    private final List<VirtioMmioTransport> transports = new ArrayList<>();

    VirtioSlots(VirtBoard board) {
        this.board = board;
    }

    /** Maps the device in the next free slot. */
    VirtioMmioTransport attach(VirtioDevice device) throws VmConfigException {
        int slot = transports.size();
        if (slot >= VirtMemoryMap.VIRTIO_COUNT) {
            closeQuietly(device);
            throw new VmConfigException(VmConfigException.Kind.USAGE,
                    "too many virtio devices: the board has " + VirtMemoryMap.VIRTIO_COUNT + " slots");
        }
        VirtioMmioTransport transport = new VirtioMmioTransport(device, board.ram(),
                board.plic().line(VirtMemoryMap.virtioIrq(slot)));
        transports.add(transport);
        board.attachVirtio(slot, transport);
        return transport;
    }

    List<VirtioMmioTransport> transports() {
        return List.copyOf(transports);
    }

    @Override
    public void close() {
        for (VirtioMmioTransport transport : transports) {
            transport.close();
        }
    }

    private static void closeQuietly(VirtioDevice device) {
        try {
            device.close();
        } catch (Exception e) {
            // the device was never attached; nothing else refers to it
        }
    }
}
