package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The fetch generation: what lets the translator reuse links between blocks. */
class MmuFetchGenerationTest {
    private static final long SV39 = 8L << 60 | 0x80010L;   // root page table at 0x8001_0000

    private static Mmu mmu() {
        return new Mmu(Arena.ofAuto().allocate(1 << 20), 0x8000_0000L, EmptyBus.INSTANCE);
    }

    @Test
    void aTrapAndItsReturnComeBackToTheSameGeneration() {
        Mmu mmu = mmu();
        mmu.configure(SV39, Mmu.PRIV_U, Mmu.PRIV_U, false, false);
        int user = mmu.fetchGeneration();
        mmu.configure(SV39, Mmu.PRIV_S, Mmu.PRIV_S, false, false);      // a system call
        int supervisor = mmu.fetchGeneration();
        mmu.configure(SV39, Mmu.PRIV_M, Mmu.PRIV_M, false, false);      // an SBI call
        assertNotEquals(supervisor, mmu.fetchGeneration());
        mmu.configure(SV39, Mmu.PRIV_S, Mmu.PRIV_S, false, false);
        assertEquals(supervisor, mmu.fetchGeneration());
        mmu.configure(SV39, Mmu.PRIV_U, Mmu.PRIV_U, false, false);
        assertEquals(user, mmu.fetchGeneration());
        assertNotEquals(user, supervisor);
    }

    @Test
    void flushesAndTheTranslatorStartNewGenerationsAtTheSamePrivilege() {
        Mmu mmu = mmu();
        mmu.configure(SV39, Mmu.PRIV_S, Mmu.PRIV_S, false, false);
        int before = mmu.fetchGeneration();
        mmu.flush();                                                    // sfence.vma
        int afterFlush = mmu.fetchGeneration();
        assertNotEquals(before, afterFlush);
        mmu.configure(SV39 + 1, Mmu.PRIV_S, Mmu.PRIV_S, false, false);  // another address space
        int afterSatp = mmu.fetchGeneration();
        assertNotEquals(afterFlush, afterSatp);
        mmu.newFetchGeneration();                                       // fence.i, dropped blocks
        assertNotEquals(afterSatp, mmu.fetchGeneration());
        mmu.configure(SV39 + 1, Mmu.PRIV_U, Mmu.PRIV_U, false, false);
        mmu.configure(SV39 + 1, Mmu.PRIV_S, Mmu.PRIV_S, false, false);
        assertNotEquals(before, mmu.fetchGeneration());
    }
}
