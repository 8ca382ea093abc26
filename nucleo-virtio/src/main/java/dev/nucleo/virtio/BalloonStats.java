package dev.nucleo.virtio;

import java.util.Map;

/**
 * The memory statistics a balloon driver last reported (virtio 1.x, 5.5.6.3), by name:
 * {@code swap-in}, {@code swap-out}, {@code major-faults}, {@code minor-faults},
 * {@code free-memory}, {@code total-memory}, {@code available-memory}, {@code disk-caches},
 * {@code hugetlb-allocations}, {@code hugetlb-failures}; tags this build does not know appear as
 * {@code tag-N}. Memory amounts are in bytes.
 *
 * @param updates how many reports the driver has sent since the device was created; 0 means none yet
 */
public record BalloonStats(Map<String, Long> values, long updates) {
    public BalloonStats {
        values = Map.copyOf(values);
    }

    static final BalloonStats NONE = new BalloonStats(Map.of(), 0);

    /** The name of statistic {@code tag}. */
    static String name(int tag) {
        return switch (tag) {
            case 0 -> "swap-in";
            case 1 -> "swap-out";
            case 2 -> "major-faults";
            case 3 -> "minor-faults";
            case 4 -> "free-memory";
            case 5 -> "total-memory";
            case 6 -> "available-memory";
            case 7 -> "disk-caches";
            case 8 -> "hugetlb-allocations";
            case 9 -> "hugetlb-failures";
            default -> "tag-" + tag;
        };
    }
}
