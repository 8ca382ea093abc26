package dev.nucleo.machine;

import dev.nucleo.cpu.BusError;
import dev.nucleo.cpu.PhysicalBus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The board's MMIO address space: routes a hart's non-RAM loads and stores to the device
 * registered at that address.
 *
 * <p>Regions are kept in an array sorted by base address and found by binary search. The array
 * is replaced wholesale on {@link #register}, so lookups take no lock. An access must lie
 * entirely inside one region; anything else is a {@link BusError} (an access fault for the
 * guest). A device model that throws does not take the hart down: the bus logs the first
 * failure of each device and answers 0 / drops the write.
 */
public final class MmioBus implements PhysicalBus {
    private static final System.Logger LOG = System.getLogger(MmioBus.class.getName());

    /** One registered device. */
    private record Region(long base, long size, MmioDevice device, String name, AtomicBoolean faultLogged) {
        long last() {
            return base + size - 1;
        }
    }

    private volatile Region[] regions = new Region[0];

    /**
     * Maps {@code device} at {@code [base, base + size)}.
     *
     * @throws IllegalArgumentException if size is not positive, the range wraps around, or it
     *                                  overlaps a region already registered
     */
    public synchronized void register(long base, long size, MmioDevice device, String name) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(name, "name");
        if (size <= 0 || Long.compareUnsigned(base + size - 1, base) < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "bad MMIO region for %s: base 0x%x size 0x%x", name, base, size));
        }
        Region added = new Region(base, size, device, name, new AtomicBoolean());
        for (Region r : regions) {
            boolean disjoint = Long.compareUnsigned(added.last(), r.base()) < 0
                    || Long.compareUnsigned(r.last(), added.base()) < 0;
            if (!disjoint) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "MMIO region %s [0x%x, 0x%x] overlaps %s [0x%x, 0x%x]",
                        name, added.base(), added.last(), r.name(), r.base(), r.last()));
            }
        }
        Region[] next = Arrays.copyOf(regions, regions.length + 1);
        next[regions.length] = added;
        Arrays.sort(next, Comparator.comparing(Region::base, Long::compareUnsigned));
        regions = next;
    }

    /** The name of the device mapped at {@code address}, if any (for diagnostics). */
    public Optional<String> deviceAt(long address) {
        Region r = find(address, 1);
        return r == null ? Optional.empty() : Optional.of(r.name());
    }

    /** Names and ranges of all regions, in address order (for diagnostics). */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Region r : regions) {
            out.add(String.format(Locale.ROOT, "0x%08x-0x%08x %s", r.base(), r.last(), r.name()));
        }
        return out;
    }

    @Override
    public long load(long address, int size) {
        checkSize(size);
        Region r = find(address, size);
        if (r == null) {
            throw new BusError(address);
        }
        try {
            return r.device().read(address - r.base(), size) & mask(size);
        } catch (BusError e) {
            throw e;
        } catch (RuntimeException e) {
            logFault(r, "read", address, size, e);
            return 0;
        }
    }

    @Override
    public void store(long address, int size, long value) {
        checkSize(size);
        Region r = find(address, size);
        if (r == null) {
            throw new BusError(address);
        }
        try {
            r.device().write(address - r.base(), size, value & mask(size));
        } catch (BusError e) {
            throw e;
        } catch (RuntimeException e) {
            logFault(r, "write", address, size, e);
        }
    }

    /** The region holding all of {@code [address, address + size)}, or null. */
    private Region find(long address, int size) {
        Region[] rs = regions;
        int lo = 0;
        int hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = rs[mid];
            if (Long.compareUnsigned(address, r.base()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, r.last()) > 0) {
                lo = mid + 1;
            } else {
                long offset = address - r.base();
                // the access must not run past the region's end
                return Long.compareUnsigned(size, r.size() - offset) <= 0 ? r : null;
            }
        }
        return null;
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("MMIO access size must be 1, 2, 4 or 8, got " + size);
        }
    }

    private static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    private static void logFault(Region r, String op, long address, int size, RuntimeException e) {
        if (r.faultLogged().compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
                    "device %s failed on a %d-byte %s at 0x%x; answering 0 / ignoring the write"
                            + " (further failures of this device are not logged)",
                    r.name(), size, op, address), e);
        }
    }
}
