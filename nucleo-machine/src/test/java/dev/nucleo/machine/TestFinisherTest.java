package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestFinisherTest {
    private final List<String> calls = new ArrayList<>();
    private final TestFinisher finisher = new TestFinisher(new PowerControl() {
        @Override
        public void powerOff() {
            calls.add("off");
        }

        @Override
        public void reset() {
            calls.add("reset");
        }

        @Override
        public void fail(int code) {
            calls.add("fail " + code);
        }
    });

    @Test
    void powerOff() {
        finisher.write(0, 4, 0x5555);
        assertEquals(List.of("off"), calls);
        assertTrue(finisher.stopped());
    }

    @Test
    void reset() {
        finisher.write(0, 4, 0x7777);
        assertEquals(List.of("reset"), calls);
    }

    @Test
    void failCarriesTheCode() {
        finisher.write(0, 4, (42L << 16) | 0x3333);
        assertEquals(List.of("fail 42"), calls);
    }

    @Test
    void failWithTheLargestCode() {
        finisher.write(0, 4, 0xffff_3333L);
        assertEquals(List.of("fail 65535"), calls);
    }

    @Test
    void onlyTheFirstRequestCounts() {
        finisher.write(0, 4, 0x3333);
        finisher.write(0, 4, 0x5555);
        finisher.write(0, 4, 0x7777);
        assertEquals(List.of("fail 0"), calls);
        finisher.rearm();
        finisher.write(0, 4, 0x5555);
        assertEquals(List.of("fail 0", "off"), calls);
    }

    @Test
    void otherValuesAndOffsetsAreIgnored() {
        finisher.write(0, 4, 0x1234);
        finisher.write(4, 4, 0x5555);
        finisher.write(0, 1, 0x55);
        assertEquals(List.of(), calls);
        assertFalse(finisher.stopped());
        assertEquals(0, finisher.read(0, 4));
    }

    @Test
    void linuxSysconPowerOffReadModifyWriteWorks() {
        long old = finisher.read(0, 4); // regmap_update_bits reads first
        finisher.write(0, 4, (old & ~0xffffffffL) | 0x5555);
        assertEquals(List.of("off"), calls);
    }
}
