package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import static dev.nucleo.cpu.Interrupts.MEIP;
import static dev.nucleo.cpu.Interrupts.SEIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlicTest {
    private static long enable(int ctx) {
        return 0x2000 + 0x80L * ctx;
    }

    private static long threshold(int ctx) {
        return 0x20_0000 + 0x1000L * ctx;
    }

    private static long claim(int ctx) {
        return threshold(ctx) + 4;
    }

    private final Plic plic = new Plic(2);
    private final RecordingTarget hart0 = new RecordingTarget();
    private final RecordingTarget hart1 = new RecordingTarget();

    PlicTest() {
        plic.connect(0, hart0);
        plic.connect(1, hart1);
    }

    @Test
    void levelInterruptFlowsThroughClaimAndComplete() {
        IrqLine uart = plic.line(10);
        plic.write(4 * 10, 4, 1);
        plic.write(enable(1), 4, 1 << 10); // hart 0, S-mode
        uart.set(true);
        assertTrue(hart0.level(SEIP));
        assertFalse(hart0.level(MEIP));
        assertEquals(1 << 10, plic.read(0x1000, 4));

        assertEquals(10, plic.read(claim(1), 4));
        assertFalse(hart0.level(SEIP), "claimed: no longer pending");
        assertEquals(0, plic.read(0x1000, 4));
        assertEquals(0, plic.read(claim(1), 4), "nothing else to claim");

        plic.write(claim(1), 4, 10); // complete while the line is still high
        assertTrue(hart0.level(SEIP), "level still high: pending again");
        assertEquals(10, plic.read(claim(1), 4));
        uart.set(false);
        plic.write(claim(1), 4, 10);
        assertFalse(hart0.level(SEIP));
        assertEquals(0, plic.read(0x1000, 4));
    }

    @Test
    void droppingTheLineBeforeTheClaimWithdrawsTheInterrupt() {
        plic.write(4 * 3, 4, 1);
        plic.write(enable(0), 4, 1 << 3);
        plic.line(3).set(true);
        assertTrue(hart0.level(MEIP));
        plic.line(3).set(false);
        assertFalse(hart0.level(MEIP));
        assertEquals(0, plic.read(claim(0), 4));
    }

    @Test
    void claimPicksHighestPriorityThenLowestId() {
        for (int s : new int[] {5, 6, 40, 95}) {
            plic.line(s).set(true);
        }
        plic.write(4 * 5, 4, 2);
        plic.write(4 * 6, 4, 3);
        plic.write(4 * 40, 4, 3);
        plic.write(4 * 95, 4, 1);
        plic.write(enable(2), 4, (1 << 5) | (1 << 6)); // hart 1, M-mode
        plic.write(enable(2) + 4, 4, 1 << (40 - 32));
        plic.write(enable(2) + 8, 4, 1 << (95 - 64));
        assertTrue(hart1.level(MEIP));
        assertEquals(6, plic.read(claim(2), 4));
        assertEquals(40, plic.read(claim(2), 4));
        assertEquals(5, plic.read(claim(2), 4));
        assertEquals(95, plic.read(claim(2), 4));
        assertEquals(0, plic.read(claim(2), 4));
        assertFalse(hart1.level(MEIP));
    }

    @Test
    void thresholdMasksLowerPriorities() {
        plic.line(7).set(true);
        plic.write(4 * 7, 4, 3);
        plic.write(enable(3), 4, 1 << 7);
        plic.write(threshold(3), 4, 3);
        assertFalse(hart1.level(SEIP), "priority must exceed the threshold");
        assertEquals(0, plic.read(claim(3), 4));
        assertEquals(3, plic.read(threshold(3), 4));
        plic.write(threshold(3), 4, 2);
        assertTrue(hart1.level(SEIP));
        plic.write(4 * 7, 4, 0);
        assertFalse(hart1.level(SEIP), "priority 0 never interrupts");
    }

    @Test
    void completionOfASourceNotEnabledInTheContextIsIgnored() {
        plic.line(9).set(true);
        plic.write(4 * 9, 4, 1);
        plic.write(enable(0), 4, 1 << 9);
        assertEquals(9, plic.read(claim(0), 4));
        plic.write(claim(1), 4, 9); // context 1 does not enable source 9
        assertEquals(0, plic.read(0x1000, 4), "still claimed");
        plic.write(claim(0), 4, 9);
        assertEquals(1 << 9, plic.read(0x1000, 4));
    }

    @Test
    void registersAreMaskedToWhatExists() {
        plic.write(0, 4, 7); // source 0 priority: reserved
        assertEquals(0, plic.read(0, 4));
        plic.write(4, 4, 0xffff_ffffL);
        assertEquals(Plic.MAX_PRIORITY, plic.read(4, 4));
        plic.write(enable(0), 4, 0xffff_ffffL);
        assertEquals(0xffff_fffeL, plic.read(enable(0), 4), "source 0 cannot be enabled");
        plic.write(0x1000, 4, 0xffff_ffffL);
        assertEquals(0, plic.read(0x1000, 4), "pending is read-only");
        plic.write(threshold(0), 4, 0xff);
        assertEquals(7, plic.read(threshold(0), 4));
        assertEquals(0, plic.read(enable(4), 4), "no context 4 with two harts");
        assertEquals(0, plic.read(threshold(4), 4));
        assertEquals(0, plic.read(enable(0) + 0xc, 4), "only 3 enable words");
    }

    @Test
    void hostileAccessesAreHarmless() {
        assertEquals(0, plic.read(2, 4));
        plic.write(3, 4, 1);
        assertEquals(0, plic.read(4, 1));
        plic.write(0x5f_fffc, 4, 1);
        assertEquals(0, plic.read(0x5f_fffc, 4));
        plic.write(claim(0), 4, 0);
        plic.write(claim(0), 4, 96);
        plic.write(claim(0), 4, -1);
        assertThrows(IllegalArgumentException.class, () -> plic.line(0));
        assertThrows(IllegalArgumentException.class, () -> plic.line(96));
    }

    @Test
    void eightByteAccessesActOnTwoWords() {
        plic.write(8, 8, (5L << 32) | 6); // priority[2] = 6, priority[3] = 5
        assertEquals(6, plic.read(8, 4));
        assertEquals(5, plic.read(12, 4));
        assertEquals((5L << 32) | 6, plic.read(8, 8));
        plic.write(4, 8, 7); // misaligned: ignored
        assertEquals(0, plic.read(4, 4));
    }

    @Test
    void concurrentDevicesAndClaimsKeepEveryInterrupt() throws Exception {
        Plic p = new Plic(1);
        RecordingTarget hart = new RecordingTarget();
        p.connect(0, hart);
        int sources = 8;
        for (int s = 1; s <= sources; s++) {
            p.write(4L * s, 4, 1);
        }
        p.write(enable(1), 4, 0x1fe);
        int rounds = 2000;
        java.util.concurrent.atomic.AtomicIntegerArray raised = new java.util.concurrent.atomic.AtomicIntegerArray(sources + 1);
        java.util.concurrent.atomic.AtomicIntegerArray handled = new java.util.concurrent.atomic.AtomicIntegerArray(sources + 1);
        java.util.concurrent.Semaphore[] acked = new java.util.concurrent.Semaphore[sources + 1];
        Thread[] devices = new Thread[sources];
        for (int s = 1; s <= sources; s++) {
            int src = s;
            acked[s] = new java.util.concurrent.Semaphore(0);
            devices[s - 1] = Thread.ofPlatform().daemon().start(() -> {
                IrqLine line = p.line(src);
                for (int i = 0; i < rounds; i++) {
                    raised.incrementAndGet(src);
                    line.set(true);
                    acked[src].acquireUninterruptibly(); // like a device whose status register was read
                }
            });
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        int total = 0;
        while (total < sources * rounds && System.nanoTime() < deadline) {
            int src = (int) p.read(claim(1), 4);
            if (src == 0) {
                Thread.onSpinWait();
                continue;
            }
            handled.incrementAndGet(src);
            total++;
            p.line(src).set(false); // the driver acknowledges the device...
            p.write(claim(1), 4, src); // ...then completes
            acked[src].release();
        }
        for (Thread t : devices) {
            t.join(1000);
        }
        assertEquals(sources * rounds, total);
        for (int s = 1; s <= sources; s++) {
            assertEquals(rounds, handled.get(s));
        }
    }
}
