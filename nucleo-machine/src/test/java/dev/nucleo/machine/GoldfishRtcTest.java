package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoldfishRtcTest {
    private static final long NOW = 1_700_000_000_123_456_789L;

    private final AtomicLong nanos = new AtomicLong(NOW);
    private final AtomicBoolean irq = new AtomicBoolean();
    private final GoldfishRtc rtc = new GoldfishRtc(irq::set, nanos::get);

    private long reg(int offset) {
        return rtc.read(offset, 4);
    }

    private void set(int offset, long value) {
        rtc.write(offset, 4, value);
    }

    @Test
    void readingTimeLowLatchesTheHighHalf() {
        long low = reg(GoldfishRtc.TIME_LOW);
        nanos.addAndGet(1L << 40); // time moves on between the two reads
        long high = reg(GoldfishRtc.TIME_HIGH);
        assertEquals(NOW, (high << 32) | low);
    }

    @Test
    void usesAnInjectedClock() {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_000, 5), ZoneOffset.UTC);
        try (GoldfishRtc fixed = new GoldfishRtc(level -> { }, clock)) {
            long low = fixed.read(GoldfishRtc.TIME_LOW, 4);
            long high = fixed.read(GoldfishRtc.TIME_HIGH, 4);
            assertEquals(1_000_000_000_005L, (high << 32) | low);
        }
    }

    @Test
    void systemClockIsRecent() {
        try (GoldfishRtc real = new GoldfishRtc(level -> { })) {
            long low = real.read(GoldfishRtc.TIME_LOW, 4);
            long high = real.read(GoldfishRtc.TIME_HIGH, 4);
            long ns = (high << 32) | low;
            assertTrue(Math.abs(ns - System.currentTimeMillis() * 1_000_000L) < 5_000_000_000L);
        }
    }

    @Test
    void guestCanSetItsClockWithoutTouchingTheHost() {
        long target = 0x0000_0012_3456_7890L;
        set(GoldfishRtc.TIME_HIGH, target >>> 32);
        set(GoldfishRtc.TIME_LOW, target & 0xffff_ffffL);
        assertEquals(target, rtc.now());
        nanos.addAndGet(10);
        assertEquals(target + 10, rtc.now());
    }

    @Test
    void alarmFiresWhenItsTimeComes() {
        long alarm = NOW + 1_000_000;
        set(GoldfishRtc.IRQ_ENABLED, 1);
        set(GoldfishRtc.ALARM_HIGH, alarm >>> 32);
        set(GoldfishRtc.ALARM_LOW, alarm & 0xffff_ffffL);
        assertEquals(1, reg(GoldfishRtc.ALARM_STATUS));
        assertEquals(alarm, (reg(GoldfishRtc.ALARM_HIGH) << 32) | reg(GoldfishRtc.ALARM_LOW));
        assertFalse(irq.get());
        nanos.addAndGet(999_999);
        rtc.checkAlarm();
        assertFalse(irq.get());
        nanos.addAndGet(1);
        rtc.checkAlarm();
        assertTrue(irq.get());
        assertEquals(0, reg(GoldfishRtc.ALARM_STATUS), "a fired alarm is disarmed");
        set(GoldfishRtc.CLEAR_INTERRUPT, 1);
        assertFalse(irq.get());
    }

    @Test
    void alarmInThePastFiresAtOnceAndEnableGatesTheLine() {
        set(GoldfishRtc.ALARM_HIGH, 0);
        set(GoldfishRtc.ALARM_LOW, 5);
        assertFalse(irq.get(), "interrupt disabled");
        assertEquals(0, reg(GoldfishRtc.ALARM_STATUS));
        set(GoldfishRtc.IRQ_ENABLED, 1);
        assertTrue(irq.get(), "pending interrupt shows once enabled");
        assertEquals(1, reg(GoldfishRtc.IRQ_ENABLED));
        set(GoldfishRtc.IRQ_ENABLED, 0);
        assertFalse(irq.get());
    }

    @Test
    void clearAlarmDisarms() {
        long alarm = NOW + 100;
        set(GoldfishRtc.IRQ_ENABLED, 1);
        set(GoldfishRtc.ALARM_HIGH, alarm >>> 32);
        set(GoldfishRtc.ALARM_LOW, alarm & 0xffff_ffffL);
        set(GoldfishRtc.CLEAR_ALARM, 1);
        assertEquals(0, reg(GoldfishRtc.ALARM_STATUS));
        nanos.addAndGet(1000);
        rtc.checkAlarm();
        assertFalse(irq.get());
    }

    @Test
    void alarmOnTheRealClockFiresFromTheTimerThread() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (GoldfishRtc real = new GoldfishRtc(level -> {
            if (level) {
                fired.countDown();
            }
        })) {
            long low = real.read(GoldfishRtc.TIME_LOW, 4);
            long now = (real.read(GoldfishRtc.TIME_HIGH, 4) << 32) | low;
            long alarm = now + 20_000_000; // 20 ms
            real.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
            real.write(GoldfishRtc.ALARM_HIGH, 4, alarm >>> 32);
            real.write(GoldfishRtc.ALARM_LOW, 4, alarm & 0xffff_ffffL);
            assertTrue(fired.await(5, TimeUnit.SECONDS));
            assertTrue(real.now() >= alarm);
        }
    }

    @Test
    void farFutureAlarmIsArmedButHarmless() {
        set(GoldfishRtc.IRQ_ENABLED, 1);
        set(GoldfishRtc.ALARM_HIGH, 0xffff_ffffL);
        set(GoldfishRtc.ALARM_LOW, 0xffff_ffffL);
        assertEquals(1, reg(GoldfishRtc.ALARM_STATUS));
        assertFalse(irq.get());
    }

    @Test
    void hostileAccessesAreHarmless() {
        assertEquals(0, rtc.read(0x20, 4));
        assertEquals(0, rtc.read(2, 4));
        assertEquals(0, rtc.read(0, 8));
        rtc.write(0xffc, 4, 1);
        rtc.write(0x10, 1, 1);
        assertEquals(0, reg(GoldfishRtc.IRQ_ENABLED));
    }
}
