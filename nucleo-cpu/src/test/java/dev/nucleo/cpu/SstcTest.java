package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sstc: stimecmp exists with a timer behind it, S-mode reaches it only when M-mode allows, and it owns STIP. */
class SstcTest {
    private static final long STIP = 1L << Interrupts.STIP;
    private static final int CSRR_STIMECMP = Asm.csrrs(5, Csr.STIMECMP, 0);

    /** A comparator against a fixed "now": raises the hart's STIP line when stimecmp <= now. */
    private static final class FakeTimer implements SupervisorTimer {
        final List<Long> writes = new ArrayList<>();
        long now = 100;
        Hart hart;

        @Override
        public void setSupervisorCompare(int hartId, long stimecmp) {
            writes.add(stimecmp);
            if (hart != null) {
                hart.setInterruptLine(Interrupts.STIP, Long.compareUnsigned(now, stimecmp) >= 0);
            }
        }
    }

    private final Arena arena = Arena.ofConfined();    // JUnit makes a new instance per test
    private final FakeTimer timer = new FakeTimer();

    @AfterEach
    void freeRam() {
        arena.close();
    }

    private Hart hart(int... program) {
        MemorySegment ram = arena.allocate(1 << 16, 4096);
        return ProgramHart.load(ram, program, Engine.INTERPRETER);
    }

    private Hart withTimer(int... program) {
        Hart hart = hart(program);
        timer.hart = hart;
        hart.connectSupervisorTimer(timer);
        return hart;
    }

    @Test
    void withoutATimerStimecmpDoesNotExistAndStceStaysClear() {
        Hart hart = hart();
        Trap trap = assertThrows(Trap.class, () -> hart.csr.read(Csr.STIMECMP, CSRR_STIMECMP));
        assertEquals(Trap.ILLEGAL_INSTRUCTION, trap.cause);
        hart.csr.write(Csr.MENVCFG, CsrFile.STCE_BIT | 1, 0);
        assertEquals(1, hart.csr.read(Csr.MENVCFG, 0), "STCE is WARL zero without Sstc");
    }

    @Test
    void supervisorModeNeedsStceAndTheTimeCounterEnabled() {
        Hart hart = withTimer();
        CsrFile csr = hart.csr;
        assertEquals(-1L, csr.read(Csr.STIMECMP, CSRR_STIMECMP), "M-mode always reaches it; resets to all ones");
        csr.mcounteren = 2;
        csr.privilege = Mmu.PRIV_S;
        assertThrows(Trap.class, () -> csr.read(Csr.STIMECMP, CSRR_STIMECMP), "STCE clear");
        csr.privilege = Mmu.PRIV_M;
        csr.mcounteren = 0;
        csr.write(Csr.MENVCFG, CsrFile.STCE_BIT, 0);
        csr.privilege = Mmu.PRIV_S;
        assertThrows(Trap.class, () -> csr.read(Csr.STIMECMP, CSRR_STIMECMP), "mcounteren.TM clear");
        csr.mcounteren = 2;
        csr.write(Csr.STIMECMP, 12345, CSRR_STIMECMP);
        assertEquals(12345, csr.read(Csr.STIMECMP, CSRR_STIMECMP));
        assertEquals(12345L, timer.writes.getLast(), "the write reaches the comparator");
        csr.privilege = Mmu.PRIV_U;
        assertThrows(Trap.class, () -> csr.read(Csr.STIMECMP, CSRR_STIMECMP), "never from U-mode");
    }

    @Test
    void stipComesFromTheComparatorOnlyWhileStceIsSet() {
        Hart hart = withTimer();
        CsrFile csr = hart.csr;
        csr.write(Csr.MIP, STIP, 0);                 // firmware's STIP, as without Sstc
        csr.write(Csr.MENVCFG, CsrFile.STCE_BIT, 0);
        hart.setInterruptLine(Interrupts.STIP, false);
        assertEquals(0, hart.pendingInterrupts() & STIP, "STCE set: the software bit no longer counts");
        hart.setInterruptLine(Interrupts.STIP, true);
        assertEquals(STIP, hart.pendingInterrupts() & STIP, "STCE set: STIP is the comparator");

        csr.write(Csr.MENVCFG, 0, 0);
        csr.write(Csr.MIP, 0, 0);
        assertEquals(0, hart.pendingInterrupts() & STIP, "STCE clear again: the line is not STIP");
        csr.write(Csr.MIP, STIP, 0);
        assertEquals(STIP, hart.pendingInterrupts() & STIP, "STCE clear: firmware sets STIP");
    }

    @Test
    void aDueStimecmpInterruptsSupervisorMode() {
        int spin = Asm.jal(0, 0);
        // csrw stimecmp, x0 (due at once: 0 <= now); then spin until the interrupt.
        int[] program = new int[0x44];
        program[0] = Asm.csrrw(0, Csr.STIMECMP, 0);
        program[1] = spin;
        program[0x40] = spin;                    // the trap handler at +0x100
        Hart hart = withTimer(program);
        CsrFile csr = hart.csr;
        csr.write(Csr.MENVCFG, CsrFile.STCE_BIT, 0);
        csr.mcounteren = 2;
        csr.mideleg = STIP;
        csr.mie = STIP;
        csr.stvec = ProgramHart.RAM_BASE + 0x100;
        csr.mstatus |= Csr.SIE_BIT;
        csr.privilege = Mmu.PRIV_S;
        hart.stateChanged();

        hart.step(10);
        assertEquals(0L, timer.writes.getLast());
        assertEquals(ProgramHart.RAM_BASE + 0x100, hart.pc(), "took the supervisor timer interrupt");
        assertEquals(Long.MIN_VALUE | Interrupts.STIP, csr.scause);
        assertTrue(csr.privilege == Mmu.PRIV_S);
    }
}
