package dev.nucleo.virtio;

/** Numbers from the virtio 1.x specification shared by the transport and every device. */
public final class Virtio {
    // Device status bits (spec 2.1).
    public static final int STATUS_ACKNOWLEDGE = 0x01;
    public static final int STATUS_DRIVER = 0x02;
    public static final int STATUS_DRIVER_OK = 0x04;
    public static final int STATUS_FEATURES_OK = 0x08;
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    // Reserved feature bits (spec 6) that concern the ring and the transport.
    public static final long F_RING_INDIRECT_DESC = 1L << 28;
    public static final long F_RING_EVENT_IDX = 1L << 29;
    public static final long F_VERSION_1 = 1L << 32;

    // InterruptStatus bits.
    public static final int INTERRUPT_USED_BUFFER = 0x1;
    public static final int INTERRUPT_CONFIG_CHANGE = 0x2;

    private Virtio() {
    }
}
