package dev.nucleo.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.cpu.Interrupts;
import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each board device's saved state loads into a fresh twin and drives the same interrupt levels;
 * the CLINT's guest time stands still while frozen and continues from a snapshot's mtime.
 */
class MachineStateTest {
    private static final long MTIMECMP = 0x4000;
    private static final long MTIME = 0xbff8;

    private static byte[] save(Snapshottable part) {
        StateWriter out = new StateWriter();
        part.save(out);
        return out.toByteArray();
    }

    private static void load(Snapshottable part, byte[] state) throws StateException {
        part.load(new StateReader("test", state));
    }

    @Test
    void clintTimeStandsStillWhileFrozenAndContinuesAfterThaw() {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        try (Clint clint = new Clint(1, nanos::get)) {
            nanos.addAndGet(1_000_000);                      // 10 000 ticks
            clint.freeze();
            clint.freeze();
            nanos.addAndGet(5_000_000_000L);                 // 5 s of host time while paused
            assertEquals(10_000, clint.mtime());
            assertEquals(10_000, clint.read(MTIME, 8));
            clint.thaw();
            assertEquals(10_000, clint.mtime());
            nanos.addAndGet(100);
            assertEquals(10_001, clint.mtime());
            clint.thaw();
            assertEquals(10_001, clint.mtime());
        }
    }

    @Test
    void aTimerDueOnlyAfterThePauseFiresOnlyAfterResume() throws Exception {
        try (Clint clint = new Clint(1)) {
            RecordingTarget hart = new RecordingTarget();
            clint.connect(0, hart);
            clint.write(MTIMECMP, 8, clint.mtime() + 2_000_000);   // 200 ms ahead
            clint.freeze();
            Thread.sleep(400);
            assertFalse(hart.level(Interrupts.MTIP), "no timer interrupt while guest time stands still");
            clint.thaw();
            assertTrue(hart.await(Interrupts.MTIP, true, 5_000), "the timer fires after resume");
        }
    }

    @Test
    void clintRoundTripKeepsCompareValuesSoftwareInterruptsAndTime() throws Exception {
        AtomicLong nanos = new AtomicLong(0);
        byte[] state;
        try (Clint a = new Clint(2, nanos::get)) {
            a.write(MTIME, 8, 5_000_000);
            a.write(MTIMECMP, 8, 1_000);                      // already due
            a.write(MTIMECMP + 8, 8, 9_000_000);
            a.write(4, 4, 1);                                 // msip of hart 1
            a.freeze();
            state = save(a);
        }
        AtomicLong otherClock = new AtomicLong(123_456_789_000L);
        try (Clint b = new Clint(2, otherClock::get)) {
            RecordingTarget h0 = new RecordingTarget();
            RecordingTarget h1 = new RecordingTarget();
            b.connect(0, h0);
            b.connect(1, h1);
            b.freeze();
            load(b, state);
            assertEquals(5_000_000, b.mtime(), "time continues from the snapshot's mtime");
            assertEquals(1_000, b.mtimecmp(0));
            assertEquals(9_000_000, b.mtimecmp(1));
            assertTrue(h0.level(Interrupts.MTIP));
            assertFalse(h1.level(Interrupts.MTIP));
            assertTrue(h1.level(Interrupts.MSIP));
            assertFalse(h0.level(Interrupts.MSIP));
            assertArrayEquals(state, save(b));
        }
        try (Clint wrongSize = new Clint(1)) {
            assertThrows(StateException.class, () -> load(wrongSize, state));
        }
    }

    @Test
    void plicRoundTripKeepsPendingClaimedEnablesAndDrivesOutputs() throws Exception {
        Plic a = new Plic(1);
        a.write(10 * 4, 4, 3);                                // priority of source 10
        a.write(1 * 4, 4, 1);                                 // priority of source 1
        a.write(Plic.ENABLE_BASE + Plic.ENABLE_STRIDE, 4, (1 << 10) | (1 << 1)); // S context enables
        a.line(10).set(true);
        a.line(1).set(true);
        assertEquals(10, a.read(Plic.CONTEXT_BASE + Plic.CONTEXT_STRIDE + 4, 4)); // claim 10
        byte[] state = save(a);

        Plic b = new Plic(1);
        RecordingTarget hart = new RecordingTarget();
        b.connect(0, hart);
        load(b, state);
        assertTrue(hart.level(Interrupts.SEIP), "source 1 is still pending and enabled");
        assertFalse(hart.level(Interrupts.MEIP));
        assertEquals(1, b.read(Plic.CONTEXT_BASE + Plic.CONTEXT_STRIDE + 4, 4), "10 stays claimed, 1 is next");
        b.write(Plic.CONTEXT_BASE + Plic.CONTEXT_STRIDE + 4, 4, 10);               // complete 10: still high
        assertEquals(10, b.read(Plic.CONTEXT_BASE + Plic.CONTEXT_STRIDE + 4, 4));
        assertThrows(StateException.class, () -> load(new Plic(2), state));
    }

    @Test
    void uartRoundTripKeepsRegistersAndUnreadInput() throws Exception {
        AtomicBoolean irqA = new AtomicBoolean();
        Uart16550 a = new Uart16550(new ByteArrayOutputStream(), irqA::set);
        a.write(Uart16550.LCR, 1, 0x83);                     // DLAB
        a.write(Uart16550.RBR_THR_DLL, 1, 1);
        a.write(Uart16550.LCR, 1, 0x03);
        a.write(Uart16550.IER_DLM, 1, Uart16550.IER_RDI);
        a.write(Uart16550.SCR, 1, 0x5a);
        a.receive("hi".getBytes());
        assertTrue(irqA.get());
        byte[] state = save(a);

        AtomicBoolean irqB = new AtomicBoolean();
        Uart16550 b = new Uart16550(new ByteArrayOutputStream(), irqB::set);
        load(b, state);
        assertTrue(irqB.get(), "unread input raises the receive interrupt again");
        assertEquals(0x5a, b.read(Uart16550.SCR, 1));
        assertEquals('h', b.read(Uart16550.RBR_THR_DLL, 1));
        assertEquals('i', b.read(Uart16550.RBR_THR_DLL, 1));
        assertFalse(irqB.get());
        b.write(Uart16550.LCR, 1, 0x83);
        assertEquals(1, b.read(Uart16550.RBR_THR_DLL, 1), "divisor latch kept");
        byte[] broken = state.clone();
        broken[3] = 0x7f;                                     // IER beyond its 4 bits
        assertThrows(StateException.class, () -> load(new Uart16550(new ByteArrayOutputStream(), x -> { }), broken));
    }

    @Test
    void rtcRoundTripKeepsTheGuestsOffsetAndAlarm() throws Exception {
        AtomicLong nanos = new AtomicLong(1_700_000_000_000_000_000L);
        AtomicBoolean irq = new AtomicBoolean();
        try (GoldfishRtc a = new GoldfishRtc(irq::set, nanos::get)) {
            long guestTime = 1_000_000_000_000_000_000L;          // the guest set its clock back
            a.write(GoldfishRtc.TIME_HIGH, 4, guestTime >>> 32);
            a.write(GoldfishRtc.TIME_LOW, 4, guestTime & 0xffff_ffffL);
            a.write(GoldfishRtc.IRQ_ENABLED, 4, 1);
            a.write(GoldfishRtc.ALARM_HIGH, 4, (guestTime + 10_000_000_000L) >>> 32);
            a.write(GoldfishRtc.ALARM_LOW, 4, (guestTime + 10_000_000_000L) & 0xffff_ffffL);
            byte[] state = save(a);
            AtomicBoolean irqB = new AtomicBoolean();
            try (GoldfishRtc b = new GoldfishRtc(irqB::set, nanos::get)) {
                load(b, state);
                assertEquals(a.now(), b.now());
                assertEquals(1, b.read(GoldfishRtc.ALARM_STATUS, 4));
                nanos.addAndGet(10_000_000_000L);
                b.checkAlarm();
                assertTrue(irqB.get(), "the restored alarm fires");
            }
        }
    }

    @Test
    void ramMappedFromAFileIsCopyOnWriteAndDiscardReadsZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("memory");
        byte[] contents = new byte[64 * 4096];
        contents[5] = 42;
        contents[4096 * 3 + 7] = 9;
        Files.write(file, contents);
        try (GuestRam a = GuestRam.mapPrivate(0x8000_0000L, contents.length, file);
             GuestRam b = GuestRam.mapPrivate(0x8000_0000L, contents.length, file)) {
            assertTrue(a.isFileBacked());
            assertEquals(42, a.read(0x8000_0005L, 1)[0]);
            a.writeInt(0x8000_0000L, 0x11223344);
            assertEquals(0x11223344, a.readInt(0x8000_0000L));
            assertEquals(42, b.read(0x8000_0005L, 1)[0], "the other mapping does not see the write");
            a.discard(0x8000_0000L + 4096 * 3, 4096);
            assertEquals(0, a.read(0x8000_0000L + 4096 * 3 + 7, 1)[0], "a discarded page reads as zero");
            assertEquals(9, b.read(0x8000_0000L + 4096 * 3 + 7, 1)[0]);
        }
        assertArrayEquals(contents, Files.readAllBytes(file), "the file is never written");
        assertThrows(java.io.IOException.class, () -> GuestRam.mapPrivate(0x8000_0000L, 2 * contents.length, file));
    }
}
