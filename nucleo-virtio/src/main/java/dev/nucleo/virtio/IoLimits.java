package dev.nucleo.virtio;

/**
 * Limits on a disk's request rate: {@code iops} requests per second and {@code bytesPerSecond}
 * of data, each 0 for none. Each limit allows a burst of one second's worth.
 */
public record IoLimits(long iops, long bytesPerSecond) {
    public static final IoLimits NONE = new IoLimits(0, 0);

    public IoLimits {
        if (iops < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("I/O limits cannot be negative: iops=" + iops
                    + ", bytes per second=" + bytesPerSecond);
        }
    }

    public boolean unlimited() {
        return iops == 0 && bytesPerSecond == 0;
    }
}
