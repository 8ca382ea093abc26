package dev.nucleo.machine;

import dev.nucleo.cpu.BusError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MmioBusTest {
    /** Records accesses; reads return the offset plus a marker. */
    static final class Probe implements MmioDevice {
        final List<String> log = new ArrayList<>();
        final long marker;

        Probe(long marker) {
            this.marker = marker;
        }

        @Override
        public long read(long offset, int size) {
            log.add("r" + size + "@" + Long.toHexString(offset));
            return marker + offset;
        }

        @Override
        public void write(long offset, int size, long value) {
            log.add("w" + size + "@" + Long.toHexString(offset) + "=" + Long.toHexString(value));
        }
    }

    @Test
    void routesToTheRightDeviceWithRelativeOffsets() {
        MmioBus bus = new MmioBus();
        Probe a = new Probe(0x100);
        Probe b = new Probe(0x200);
        Probe c = new Probe(0x300);
        bus.register(0x1000_0000L, 0x100, b, "b");
        bus.register(0x0200_0000L, 0x1_0000, a, "a");
        bus.register(0x8000_0000_0000_0000L, 0x1000, c, "high"); // unsigned ordering
        assertEquals(0x104, bus.load(0x0200_0004L, 4));
        assertEquals(0xff, bus.load(0x1000_00ffL, 1)); // 0x2ff masked to one byte
        bus.store(0x1000_0010L, 2, 0xbeef);
        assertEquals(0x308, bus.load(0x8000_0000_0000_0008L, 8));
        assertEquals(List.of("r4@4"), a.log);
        assertEquals(List.of("r1@ff", "w2@10=beef"), b.log);
        assertEquals(Optional.of("b"), bus.deviceAt(0x1000_0000L));
        assertEquals(Optional.empty(), bus.deviceAt(0x1000_0100L));
        assertEquals(3, bus.describe().size());
    }

    @Test
    void unmappedAndStraddlingAccessesAreBusErrors() {
        MmioBus bus = new MmioBus();
        bus.register(0x1000, 0x100, new Probe(0), "dev");
        BusError e = assertThrows(BusError.class, () -> bus.load(0xfff, 1));
        assertEquals(0xfff, e.address());
        assertThrows(BusError.class, () -> bus.load(0x1100, 4));
        assertThrows(BusError.class, () -> bus.store(0x10fc, 8, 0)); // runs past the end
        assertThrows(BusError.class, () -> bus.load(-1L, 8));
        assertEquals(0xfc, bus.load(0x10fc, 4));
        assertThrows(BusError.class, () -> new MmioBus().load(0, 1));
    }

    @Test
    void valuesAreMaskedToTheAccessSize() {
        MmioBus bus = new MmioBus();
        Probe p = new Probe(0xffff_ff00L);
        bus.register(0, 0x100, p, "p");
        bus.store(4, 1, 0x1234);
        assertEquals("w1@4=34", p.log.getLast());
        assertEquals(0x01, bus.load(1, 1));
        assertEquals(0xffff_ff02L, bus.load(2, 4));
        assertThrows(IllegalArgumentException.class, () -> bus.load(0, 3));
    }

    @Test
    void rejectsOverlapsAndBadRegions() {
        MmioBus bus = new MmioBus();
        bus.register(0x1000, 0x1000, new Probe(0), "first");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.register(0x1fff, 0x10, new Probe(0), "second"));
        assertEquals(true, e.getMessage().contains("first"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x0, 0x1001, new Probe(0), "under"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x1800, 0x10, new Probe(0), "inside"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x5000, 0, new Probe(0), "empty"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(-16, 32, new Probe(0), "wraps"));
        bus.register(0x2000, 0x10, new Probe(0), "adjacent"); // touching is fine
        bus.register(0x0, 0x1000, new Probe(0), "below");
    }

    @Test
    void aFailingDeviceDoesNotReachTheHart() {
        MmioBus bus = new MmioBus();
        MmioDevice broken = new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                throw new IllegalStateException("model bug");
            }

            @Override
            public void write(long offset, int size, long value) {
                throw new ArrayIndexOutOfBoundsException(5);
            }
        };
        bus.register(0x4000, 0x100, broken, "broken");
        assertEquals(0, bus.load(0x4000, 4));
        assertEquals(0, bus.load(0x4008, 8)); // logged once, still contained
        bus.store(0x4000, 4, 1);
    }
}
