package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sfence.vma of one address ({@link Mmu#flushPage}): that page's translation goes, other
 * pages' stay, a superpage that may cover the address goes whole, and the fetch generation
 * moves only if the translator ran code on the page.
 */
class MmuFlushPageTest {
    private static final long BASE = 0x8000_0000L;
    private static final long ROOT = BASE + 0x10000;
    private static final long LEVEL1 = BASE + 0x11000;
    private static final long LEVEL0 = BASE + 0x12000;
    private static final long SV39 = 8L << 60 | ROOT >>> 12;
    private static final long LEAF = 1 | 2 | 4 | 64 | 128;       // V R W A D, supervisor only
    private static final long VA_A = 0x4000_0000L;               // level-0 table, entry 0
    private static final long VA_B = 0x4000_1000L;               // level-0 table, entry 1
    private static final long MEGAPAGE = 0x4020_0000L;           // level-1 table, entry 1: a 2 MiB leaf

    private final MemorySegment ram = Arena.ofAuto().allocate(4 << 20, 4096);
    private final Mmu mmu = new Mmu(ram, BASE, EmptyBus.INSTANCE);

    @BeforeEach
    void mapPages() {
        pte(ROOT + 8, LEVEL1 >>> 12 << 10 | 1);                  // VA 0x4000_0000 (1 GiB) -> level 1
        pte(LEVEL1, LEVEL0 >>> 12 << 10 | 1);                    // VA 0x4000_0000 (2 MiB) -> level 0
        pte(LEVEL0, (BASE + 0x10_0000) >>> 12 << 10 | LEAF);     // A -> 0x8010_0000
        pte(LEVEL0 + 8, (BASE + 0x10_1000) >>> 12 << 10 | LEAF); // B -> 0x8010_1000
        pte(LEVEL1 + 8, (BASE + 0x20_0000) >>> 12 << 10 | LEAF); // the megapage -> 0x8020_0000
        mmu.configure(SV39, Mmu.PRIV_S, Mmu.PRIV_S, false, false);
    }

    @Test
    void theFlushedPageIsTranslatedAgain() {
        word(0x10_0000, 0x1111);
        word(0x10_2000, 0x2222);
        assertEquals(0x1111, mmu.load64(VA_A));
        pte(LEVEL0, (BASE + 0x10_2000) >>> 12 << 10 | LEAF);     // A now -> 0x8010_2000
        assertEquals(0x1111, mmu.load64(VA_A), "cached until the fence");
        mmu.flushPage(VA_A + 0x18);
        assertEquals(0x2222, mmu.load64(VA_A));
    }

    @Test
    void otherPagesKeepTheirTranslations() {
        word(0x10_1000, 0x3333);
        word(0x10_3000, 0x4444);
        assertEquals(0x3333, mmu.load64(VA_B));
        mmu.store64(VA_B + 8, 7);                                 // a write translation too
        pte(LEVEL0 + 8, (BASE + 0x10_3000) >>> 12 << 10 | LEAF); // B now -> 0x8010_3000
        mmu.flushPage(VA_A);
        assertEquals(0x3333, mmu.load64(VA_B));
        mmu.flush();
        assertEquals(0x4444, mmu.load64(VA_B));
    }

    @Test
    void aSuperpageThatMayCoverTheAddressGoesWhole() {
        word(0x20_3000, 0x5555);
        word(0x00_3000, 0x6666);
        assertEquals(0x5555, mmu.load64(MEGAPAGE + 0x3000));
        pte(LEVEL1 + 8, BASE >>> 12 << 10 | LEAF);               // the megapage now -> 0x8000_0000
        mmu.flushPage(MEGAPAGE + 0x5000);                        // another 4 KiB page of it
        assertEquals(0x6666, mmu.load64(MEGAPAGE + 0x3000));
    }

    @Test
    void theFetchGenerationMovesOnlyForPagesWithCode() {
        mmu.trackCodeWrites(new CodeWriteListener() {
            @Override
            public void codeWritten(int page) {
            }

            @Override
            public boolean mayRunCodeOn(long vpn) {
                return vpn == VA_A >>> 12;
            }
        });
        int before = mmu.fetchGeneration();
        mmu.flushPage(VA_B);
        assertEquals(before, mmu.fetchGeneration());
        mmu.flushPage(VA_A);
        assertNotEquals(before, mmu.fetchGeneration());
    }

    @Test
    void theTranslatorNamesThePagesItRanCodeOn() {
        Asm a = new Asm();
        a.emit(Asm.addi(10, 0, 5)).emit(Asm.addi(10, 10, 1)).emit(Asm.WFI);
        Hart hart = ProgramHart.load(Arena.ofAuto().allocate(1 << 16, 8), a.words(), Engine.TRANSLATOR);
        while (!hart.waitingForInterrupt()) {
            hart.stepBlock();
        }
        int before = hart.mmu.fetchGeneration();
        hart.mmu.flushPage(ProgramHart.RAM_BASE + 0x8000);      // no code there
        assertEquals(before, hart.mmu.fetchGeneration());
        hart.mmu.flushPage(ProgramHart.RAM_BASE + 4);            // the program's page
        assertNotEquals(before, hart.mmu.fetchGeneration());
    }

    private void pte(long address, long value) {
        ram.set(ValueLayout.JAVA_LONG, address - BASE, value);
    }

    private void word(long offset, long value) {
        ram.set(ValueLayout.JAVA_LONG, offset, value);
    }
}
