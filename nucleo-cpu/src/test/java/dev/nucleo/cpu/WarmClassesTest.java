package dev.nucleo.cpu;

import static dev.nucleo.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Two harts running the same code share its warm class, each with its own state. */
class WarmClassesTest {
    private static final long RAM_BASE = ProgramHart.RAM_BASE;

    @Test
    void twoHartsShareAWarmClassAndEachRunsItOnItsOwnState() {
        Asm a = new Asm();
        a.emit(addi(10, 10, 5));
        a.emit(s(0, 10, 11, 3));                      // sd a0, 0(a1)
        a.emit(addi(12, 12, 0x63));                   // an immediate of its own: no other test's block
        a.emit(WFI);
        int[] program = a.words();
        MemorySegment ramA = Arena.ofAuto().allocate(1 << 16, 8);
        MemorySegment ramB = Arena.ofAuto().allocate(1 << 16, 8);
        Hart hartA = ProgramHart.load(ramA, program, Engine.INTERPRETER);
        Hart hartB = ProgramHart.load(ramB, program, Engine.INTERPRETER);
        hartA.setRegister(11, RAM_BASE + 0x1000);
        hartB.setRegister(11, RAM_BASE + 0x2000);
        hartB.setRegister(10, 100);

        ChainedBlock warmA = new BlockCompiler(hartA).compileFirst(blockAtStart(ramA, hartA), 7);
        System.gc();                                  // the class lives on (warmA): so must what shares it
        ChainedBlock warmB = new BlockCompiler(hartB).compileFirst(blockAtStart(ramB, hartB), 9);
        assertSame(warmA.getClass(), warmB.getClass(), "the same code was translated twice");
        assertNotSame(warmA, warmB);

        warmA.run(hartA);
        warmB.run(hartB);
        assertEquals(5, hartA.register(10));
        assertEquals(105, hartB.register(10));
        assertEquals(5, ramA.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x1000));
        assertEquals(105, ramB.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x2000));
        assertEquals(6, warmA.runsToPromotion);
        assertEquals(8, warmB.runsToPromotion);

        ChainedBlock hotA = new BlockCompiler(hartA).compileHot(blockAtStart(ramA, hartA));
        ChainedBlock hotB = new BlockCompiler(hartB).compileHot(blockAtStart(ramB, hartB));
        assertNotSame(hotA.getClass(), hotB.getClass(), "hot classes have their hart's constants");
    }

    @Test
    void differentCodeAtTheSamePcGetsItsOwnClass() {
        MemorySegment ramA = Arena.ofAuto().allocate(1 << 16, 8);
        MemorySegment ramB = Arena.ofAuto().allocate(1 << 16, 8);
        Hart hartA = ProgramHart.load(ramA, new Asm().emit(addi(10, 10, 0x71)).emit(WFI).words(), Engine.INTERPRETER);
        Hart hartB = ProgramHart.load(ramB, new Asm().emit(addi(10, 10, 0x72)).emit(WFI).words(), Engine.INTERPRETER);

        ChainedBlock warmA = new BlockCompiler(hartA).compileFirst(blockAtStart(ramA, hartA), 7);
        ChainedBlock warmB = new BlockCompiler(hartB).compileFirst(blockAtStart(ramB, hartB), 7);
        assertNotSame(warmA.getClass(), warmB.getClass());
        warmA.run(hartA);
        warmB.run(hartB);
        assertEquals(0x71, hartA.register(10));
        assertEquals(0x72, hartB.register(10));
    }

    private static Block blockAtStart(MemorySegment ram, Hart hart) {
        return BlockDecoder.decode(ram, RAM_BASE, hart.mmu.fetchRamPage(RAM_BASE));
    }
}
