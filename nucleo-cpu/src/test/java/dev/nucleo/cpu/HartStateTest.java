package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A hart's saved state loads into a fresh hart unchanged; the pause handshake parks a running hart. */
class HartStateTest {
    private static final long RAM_BASE = 0x8000_0000L;
    private static final PhysicalBus NO_BUS = new PhysicalBus() {
        @Override
        public long load(long address, int size) {
            throw new IllegalStateException("no bus");
        }

        @Override
        public void store(long address, int size, long value) {
            throw new IllegalStateException("no bus");
        }
    };

    private static Hart hart(MemorySegment ram) {
        return new Hart(0, ram, RAM_BASE, NO_BUS, () -> 0);
    }

    @Test
    void everyRegisterCsrAndTheReservationSurviveARoundTrip() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 16, 4096);
            Hart a = hart(ram);
            for (int i = 1; i < 32; i++) {
                a.x[i] = 0x1111_0000_0000_0000L * (i % 7) + i;
                a.f[i] = Double.doubleToRawLongBits(i * 1.5);
            }
            a.pc = RAM_BASE + 0x1234;
            a.instret = 987_654_321L;
            a.waitingForInterrupt = true;
            a.fpu.flags = 0x15;
            CsrFile c = a.csr;
            c.frm = 3;
            c.privilege = Mmu.PRIV_S;
            c.mstatus |= Csr.SUM_BIT | Csr.MXR_BIT | Csr.SIE_BIT;
            c.medeleg = 0xb1ff;
            c.mideleg = 0x222;
            c.mie = 0xaaa;
            c.mipSoftware = 0x2;
            c.mtvec = RAM_BASE;
            c.stvec = RAM_BASE + 0x100;
            c.sepc = 0x42;
            c.scause = 13;
            c.stval = 0xdead;
            c.sscratch = 77;
            c.mscratch = 78;
            c.mepc = 0x44;
            c.mcause = 0x8000_0000_0000_0007L;
            c.satp = (8L << 60) | 0x80001;
            c.mcounteren = 7;
            c.scounteren = 5;
            c.pmpcfg[0] = 0x1f;
            c.pmpaddr[3] = 0x123;
            a.mmu.reservation = 0x40;
            a.mmu.reservedValue = -5;

            StateWriter out = new StateWriter();
            a.state().save(out);
            Hart b = hart(ram);
            b.state().load(new StateReader("hart.0", out.toByteArray()));

            assertArrayEquals(a.x, b.x);
            assertArrayEquals(a.f, b.f);
            assertEquals(a.pc, b.pc);
            assertEquals(a.instret, b.instret);
            assertTrue(b.waitingForInterrupt);
            assertEquals(0x15, b.fpu.flags);
            assertEquals(3, b.csr.frm);
            assertEquals(Mmu.PRIV_S, b.privilege());
            assertEquals(c.mstatus, b.csr.mstatus);
            assertEquals(c.medeleg, b.csr.medeleg);
            assertEquals(c.mideleg, b.csr.mideleg);
            assertEquals(c.mie, b.csr.mie);
            assertEquals(c.mipSoftware, b.csr.mipSoftware);
            assertEquals(c.stvec, b.csr.stvec);
            assertEquals(c.satp, b.csr.satp);
            assertEquals(c.sepc, b.csr.sepc);
            assertEquals(c.mcause, b.csr.mcause);
            assertArrayEquals(c.pmpcfg, b.csr.pmpcfg);
            assertArrayEquals(c.pmpaddr, b.csr.pmpaddr);
            assertEquals(0x40, b.mmu.reservation);
            assertEquals(-5, b.mmu.reservedValue);

            // and saving the restored hart gives the same bytes
            StateWriter again = new StateWriter();
            b.state().save(again);
            assertArrayEquals(out.toByteArray(), again.toByteArray());
        }
    }

    @Test
    void stimecmpIsSavedAndReArmsTheTimerOnLoad() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 16, 4096);
            java.util.List<Long> armed = new java.util.ArrayList<>();
            Hart a = hart(ram);
            a.connectSupervisorTimer((id, value) -> { });
            a.csr.write(Csr.MENVCFG, CsrFile.STCE_BIT, 0);
            a.csr.write(Csr.STIMECMP, 0x1234_5678L, 0);
            StateWriter out = new StateWriter();
            a.state().save(out);
            byte[] v2 = out.toByteArray();

            Hart b = hart(ram);
            b.connectSupervisorTimer((id, value) -> armed.add(value));
            b.state().load(new StateReader("hart.0", v2));
            assertEquals(0x1234_5678L, b.csr.stimecmp);
            assertEquals(0x1234_5678L, armed.getLast(), "the restored compare value is armed");
            b.setInterruptLine(Interrupts.STIP, true);
            assertEquals(1L << Interrupts.STIP, b.pendingInterrupts() & (1L << Interrupts.STIP),
                    "menvcfg.STCE restored: STIP comes from the comparator");

            // A version 1 state (before Sstc): no stimecmp at its end; it loads unprogrammed.
            byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 8);
            java.nio.ByteBuffer.wrap(v1).putInt(0, 1);
            Hart c = hart(ram);
            c.connectSupervisorTimer((id, value) -> armed.add(value));
            c.state().load(new StateReader("hart.0", v1));
            assertEquals(-1L, c.csr.stimecmp);
            assertEquals(-1L, armed.getLast());

            // A hart without a timer cannot take STCE from a saved state.
            Hart d = hart(ram);
            d.state().load(new StateReader("hart.0", v2));
            assertEquals(0, d.csr.menvcfg & CsrFile.STCE_BIT);
        }
    }

    @Test
    void damagedStateIsRefusedWithTheComponentsName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 16, 4096);
            StateWriter out = new StateWriter();
            hart(ram).state().save(out);
            byte[] bytes = out.toByteArray();
            byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
            StateException e = assertThrows(StateException.class,
                    () -> hart(ram).state().load(new StateReader("hart.0", truncated)));
            assertTrue(e.getMessage().startsWith("hart.0: "), e.getMessage());
            byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            assertThrows(StateException.class, () -> hart(ram).state().load(new StateReader("hart.0", longer)));
        }
    }

    @Test
    void aRunningHartParksOnPauseRetiresNothingAndGoesOnAfterResume() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ram = arena.allocate(1 << 16, 4096);
            ram.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Asm.jal(0, 0)); // loop forever
            Hart h = hart(ram);
            h.setPc(RAM_BASE);
            Thread t = Thread.ofPlatform().start(h::run);
            while (h.instructionsRetired() < 10_000) {
                Thread.onSpinWait();
            }
            h.requestPause();
            assertTrue(h.awaitPaused(TimeUnit.SECONDS.toNanos(10)));
            long parked = h.instructionsRetired();
            Thread.sleep(200);
            assertEquals(parked, h.instructionsRetired(), "a parked hart retires nothing");
            h.resumeFromPause();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h.instructionsRetired() == parked && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(h.instructionsRetired() > parked, "runs again after resume");
            h.requestPause();
            assertTrue(h.awaitPaused(TimeUnit.SECONDS.toNanos(10)));
            h.requestStop();                    // a stop ends a paused hart
            t.join(10_000);
            assertFalse(t.isAlive());
        }
    }

    @Test
    void aHartSleepingInWfiParksToo() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ram = arena.allocate(1 << 16, 4096);
            var le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ram.set(le, 0, Asm.WFI);
            ram.set(le, 4, Asm.jal(0, -4));
            Hart h = hart(ram);
            h.setPc(RAM_BASE);
            Thread t = Thread.ofPlatform().start(h::run);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!h.waitingForInterrupt() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(h.waitingForInterrupt());
            h.requestPause();
            assertTrue(h.awaitPaused(TimeUnit.SECONDS.toNanos(10)));
            h.resumeFromPause();
            h.requestStop();
            t.join(10_000);
            assertFalse(t.isAlive());
        }
    }

    @Test
    void aHartThatDoesNotRunCountsAsPaused() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Hart h = hart(arena.allocate(1 << 16, 4096));
            h.requestPause();
            assertTrue(h.awaitPaused(0));
        }
    }
}
