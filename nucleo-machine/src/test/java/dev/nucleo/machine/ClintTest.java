package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static dev.nucleo.cpu.Interrupts.MSIP;
import static dev.nucleo.cpu.Interrupts.MTIP;
import static dev.nucleo.cpu.Interrupts.STIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClintTest {
    private static final long MTIMECMP = 0x4000;
    private static final long MTIME = 0xbff8;

    @Test
    void mtimeRunsAtTenMegahertzFromTheHostClock() {
        AtomicLong nanos = new AtomicLong(5_000_000_000L);
        try (Clint clint = new Clint(1, nanos::get)) {
            assertEquals(0, clint.mtime());
            nanos.addAndGet(1_000_000); // 1 ms = 10 000 ticks
            assertEquals(10_000, clint.mtime());
            assertEquals(10_000, clint.read(MTIME, 8));
            assertEquals(10_000, clint.read(MTIME, 4));
            assertEquals(0, clint.read(MTIME + 4, 4));
        }
    }

    @Test
    void realMtimeAdvances() throws Exception {
        try (Clint clint = new Clint(1)) {
            long first = clint.mtime();
            Thread.sleep(20);
            long elapsed = clint.mtime() - first;
            assertTrue(elapsed >= 150_000 && elapsed < 50_000_000, "ticks in 20 ms: " + elapsed);
        }
    }

    @Test
    void writingMtimeMovesTheCounter() {
        AtomicLong nanos = new AtomicLong();
        try (Clint clint = new Clint(1, nanos::get)) {
            clint.write(MTIME, 8, 0x1_0000_0000L);
            assertEquals(0x1_0000_0000L, clint.mtime());
            nanos.addAndGet(100);
            assertEquals(0x1_0000_0001L, clint.mtime());
            clint.write(MTIME + 4, 4, 7); // high half only
            assertEquals(0x7_0000_0001L, clint.mtime());
            clint.write(MTIME, 4, 5); // low half only
            assertEquals(0x7_0000_0005L, clint.mtime());
        }
    }

    @Test
    void msipDrivesTheSoftwareInterruptOfEachHart() {
        try (Clint clint = new Clint(2)) {
            RecordingTarget h0 = new RecordingTarget();
            RecordingTarget h1 = new RecordingTarget();
            clint.connect(0, h0);
            clint.connect(1, h1);
            clint.write(4, 4, 1);
            assertTrue(h1.level(MSIP));
            assertFalse(h0.level(MSIP));
            assertEquals(1, clint.read(4, 4));
            assertEquals(1L << 32, clint.read(0, 8));
            clint.write(4, 4, 0xfffffffeL); // only bit 0 counts
            assertFalse(h1.level(MSIP));
            assertEquals(0, clint.read(4, 4));
            clint.write(0, 1, 1); // byte write to the containing word
            assertTrue(h0.level(MSIP));
            clint.write(8, 4, 1); // no hart 2: ignored
            assertEquals(0, clint.read(8, 4));
        }
    }

    @Test
    void mtimecmpResetsToAllOnesAndComparesNow() {
        AtomicLong nanos = new AtomicLong();
        try (Clint clint = new Clint(1, nanos::get)) {
            RecordingTarget hart = new RecordingTarget();
            clint.connect(0, hart);
            assertEquals(-1L, clint.read(MTIMECMP, 8));
            assertEquals(0xffff_ffffL, clint.read(MTIMECMP + 4, 4));
            assertFalse(hart.level(MTIP));

            nanos.set(1_000_000); // mtime 10 000
            clint.write(MTIMECMP, 8, 10_000);
            assertTrue(hart.level(MTIP), "mtime >= mtimecmp");
            clint.write(MTIMECMP, 8, 10_001);
            assertFalse(hart.level(MTIP));
            clint.write(MTIMECMP, 8, -1L);
            assertFalse(hart.level(MTIP), "all-ones never fires (unsigned compare)");

            clint.write(MTIMECMP + 4, 4, 0); // 32-bit halves, as RV32 software writes them
            assertEquals(0xffff_ffffL, clint.mtimecmp(0));
            assertFalse(hart.level(MTIP));
            clint.write(MTIMECMP, 4, 5);
            assertEquals(5, clint.mtimecmp(0));
            assertTrue(hart.level(MTIP));
        }
    }

    @Test
    void writingMtimeReevaluatesTimers() {
        AtomicLong nanos = new AtomicLong();
        try (Clint clint = new Clint(2, nanos::get)) {
            RecordingTarget h1 = new RecordingTarget();
            clint.connect(1, h1);
            clint.write(MTIMECMP + 8, 8, 1000);
            assertFalse(h1.level(MTIP));
            clint.write(MTIME, 8, 1000);
            assertTrue(h1.level(MTIP));
            clint.write(MTIME, 8, 0);
            assertFalse(h1.level(MTIP));
        }
    }

    @Test
    void aFutureCompareRaisesMtipOnTime() throws Exception {
        try (Clint clint = new Clint(1)) {
            RecordingTarget hart = new RecordingTarget();
            clint.connect(0, hart);
            long deadline = clint.mtime() + 200_000; // 20 ms ahead
            clint.write(MTIMECMP, 8, deadline);
            assertFalse(hart.level(MTIP));
            assertTrue(hart.await(MTIP, true, 2000), "timer fired");
            assertTrue(clint.mtime() >= deadline, "not early");
        }
    }

    @Test
    void stimecmpDrivesStipLikeMtimecmpDrivesMtip() {
        AtomicLong nanos = new AtomicLong();
        try (Clint clint = new Clint(2, nanos::get)) {
            nanos.set(1_000_000); // mtime 10 000
            RecordingTarget h0 = new RecordingTarget();
            RecordingTarget h1 = new RecordingTarget();
            clint.connect(0, h0);
            clint.connect(1, h1);
            clint.setSupervisorCompare(1, 10_000);
            assertTrue(h1.level(STIP), "mtime >= stimecmp");
            assertFalse(h1.level(MTIP), "the machine timer is separate");
            assertFalse(h0.level(STIP), "another hart's comparator");
            clint.setSupervisorCompare(1, -1L);
            assertFalse(h1.level(STIP), "all-ones never fires");
            clint.setSupervisorCompare(1, 10_500);
            clint.write(MTIME, 8, 10_500);
            assertTrue(h1.level(STIP), "writing mtime re-evaluates stimecmp too");
            assertThrows(IndexOutOfBoundsException.class, () -> clint.setSupervisorCompare(2, 0));
        }
    }

    @Test
    void aFutureStimecmpRaisesStipOnTimeAndAFrozenClockHoldsIt() throws Exception {
        try (Clint clint = new Clint(1)) {
            RecordingTarget hart = new RecordingTarget();
            clint.connect(0, hart);
            clint.freeze();
            clint.setSupervisorCompare(0, clint.mtime() + 100_000); // 10 ms ahead of frozen time
            assertFalse(hart.await(STIP, true, 100), "guest time stands still while frozen");
            clint.thaw();
            long deadline = clint.mtime() + 100_000;
            clint.setSupervisorCompare(0, deadline);
            assertTrue(hart.await(STIP, true, 2000), "timer fired");
            assertTrue(clint.mtime() >= deadline, "not early");
            assertFalse(hart.level(MTIP));
        }
    }

    @Test
    void reprogrammingCancelsTheOldDeadline() throws Exception {
        try (Clint clint = new Clint(1)) {
            RecordingTarget hart = new RecordingTarget();
            clint.connect(0, hart);
            clint.write(MTIMECMP, 8, clint.mtime() + 50_000); // 5 ms
            clint.write(MTIMECMP, 8, -1L); // Linux "stop the timer"
            assertFalse(hart.await(MTIP, true, 50), "the cancelled deadline must not fire");
        }
    }

    @Test
    void manyHartsProgrammingConcurrentlyAllFire() throws Exception {
        int harts = 8;
        try (Clint clint = new Clint(harts)) {
            RecordingTarget[] targets = new RecordingTarget[harts];
            Thread[] threads = new Thread[harts];
            for (int h = 0; h < harts; h++) {
                targets[h] = new RecordingTarget();
                clint.connect(h, targets[h]);
                int hart = h;
                threads[h] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 200; i++) {
                        clint.write(MTIMECMP + 8L * hart, 8, clint.mtime() + 1_000_000);
                        clint.write(4L * hart, 4, i & 1);
                    }
                    clint.write(MTIMECMP + 8L * hart, 8, clint.mtime() + 10_000);
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            for (RecordingTarget t : targets) {
                assertTrue(t.await(MTIP, true, 2000));
                assertTrue(t.level(MSIP));
            }
        }
    }

    @Test
    void hostileAccessesAreHarmless() {
        try (Clint clint = new Clint(1)) {
            assertEquals(0, clint.read(0x3, 4)); // misaligned
            clint.write(0x4001, 4, 0);
            assertEquals(-1L, clint.mtimecmp(0));
            assertEquals(0, clint.read(0x8000, 4));
            assertEquals(0, clint.read(0xfff8, 8));
            clint.write(0x5000, 8, 1);
        }
    }

    @Test
    void rejectsBadHartCounts() {
        assertThrows(IllegalArgumentException.class, () -> new Clint(0));
        assertThrows(IllegalArgumentException.class, () -> new Clint(Clint.MAX_HARTS + 1));
    }
}
